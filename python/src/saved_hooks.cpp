// Bindings of the saved-tensor hooks (cresset/autograd/saved_hooks.h) for
// torch.autograd.graph.saved_tensors_hooks: pack and unpack are Python callables.
#include "bind.h"
#include "cresset/autograd/saved_hooks.h"
#include "cresset/core/error.h"

namespace cresset::py {

namespace {

// Packed values are Python objects; the graph may drop them on a thread without the GIL.
void delete_packed(void* packed) {
  nb::gil_scoped_acquire gil;
  delete static_cast<nb::object*>(packed);
}

class PySavedTensorHooks final : public autograd::SavedTensorHooks {
 public:
  PySavedTensorHooks(nb::object pack, nb::object unpack)
      : pack_(std::move(pack)), unpack_(std::move(unpack)) {}
  ~PySavedTensorHooks() override {
    nb::gil_scoped_acquire gil;
    pack_.reset();
    unpack_.reset();
  }

  std::shared_ptr<void> pack(const Tensor& t) override {
    nb::gil_scoped_acquire gil;
    return std::shared_ptr<void>(new nb::object(pack_(t)), delete_packed);
  }

  Tensor unpack(const std::shared_ptr<void>& packed) override {
    nb::gil_scoped_acquire gil;
    nb::object t = unpack_(*static_cast<nb::object*>(packed.get()));
    CRESSET_CHECK(nb::isinstance<Tensor>(t), TypeError,
                  "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                  "type ", nb::type_name(t.type()).c_str());
    return nb::cast<Tensor>(t);
  }

 private:
  nb::object pack_, unpack_;
};

}  // namespace

void init_saved_hooks(nb::module_& m) {
  m.def("_push_saved_tensors_hooks", [](nb::object pack, nb::object unpack) {
    autograd::push_saved_tensor_hooks(
        std::make_shared<PySavedTensorHooks>(std::move(pack), std::move(unpack)));
  });
  m.def("_pop_saved_tensors_hooks", [] { autograd::pop_saved_tensor_hooks(); });
}

}  // namespace cresset::py
