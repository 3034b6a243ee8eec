// Bindings of the ops that act on a tensor's storage: Tensor.resize_ / resize_as_ (and
// torch.resize_as_), and the storage primitives of Tensor.share_memory_ (cresset/_storage.py).
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/resize.h"

namespace cresset::py {

namespace {

// resize_'s memory_format: None and contiguous_format lay out contiguously; preserve_format is
// refused, as torch does.
MemoryFormat resize_format(nb::handle h) {
  if (h.is_none()) return MemoryFormat::Contiguous;
  std::string name = nb::cast<std::string>(nb::str(h));
  if (name == "torch.contiguous_format") return MemoryFormat::Contiguous;
  if (name == "torch.channels_last") return MemoryFormat::ChannelsLast;
  if (name == "torch.channels_last_3d") return MemoryFormat::ChannelsLast3d;
  CRESSET_CHECK(name != "torch.preserve_format", RuntimeError,
                "Unsupported memory formatPreserve");
  throw TypeError(str_cat("resize_(): argument 'memory_format' must be torch.memory_format, not ",
                          nb::type_name(h.type()).c_str()));
}

}  // namespace

void init_tensor_storage(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  cls.def("resize_", [](nb::handle self, nb::args sizes, nb::handle memory_format) {
    resize_(nb::cast<const Tensor&>(self), to_sizes(sizes), resize_format(memory_format));
    return nb::borrow(self);
  }, "sizes"_a, nb::kw_only(), "memory_format"_a = nb::none());
  auto resize_as = [](nb::handle self, const Tensor& the_template, nb::handle memory_format) {
    resize_as_(nb::cast<const Tensor&>(self), the_template, resize_format(memory_format));
    return nb::borrow(self);
  };
  cls.def("resize_as_", resize_as, "the_template"_a, nb::kw_only(),
          "memory_format"_a = nb::none());
  m.def("resize_as_", resize_as, "input"_a, "the_template"_a, nb::kw_only(),
        "memory_format"_a = nb::none());

  m.def("_storage_nbytes", [](const Tensor& t) { return t.impl()->storage()->nbytes(); },
        "tensor"_a);
  // t's storage moves into memory_owner's (at least as large): every view of t follows.
  m.def("_move_storage", [](const Tensor& t, const Tensor& memory_owner) {
    move_storage(t, memory_owner.impl()->storage());
  }, "tensor"_a, "memory_owner"_a);
}

}  // namespace cresset::py
