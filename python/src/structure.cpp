// Bindings of the structural composites (cresset/ops/structure.h).
#include "bind.h"
#include "cresset/ops/structure.h"

namespace cresset::py {

namespace {

nb::tuple as_tuple(const std::vector<Tensor>& tensors) {
  nb::list l;
  for (const Tensor& t : tensors) l.append(nb::cast(t));
  return nb::tuple(l);
}

using SplitN = std::vector<Tensor> (*)(const Tensor&, int64_t);
using SplitAt = std::vector<Tensor> (*)(const Tensor&, const DimVector&);

// hsplit(input, sections) or hsplit(input, indices): an int, or a sequence of ints.
template <SplitN N, SplitAt At>
nb::tuple split_py(const Tensor& self, nb::handle arg) {
  if (PyLong_Check(arg.ptr())) return as_tuple(N(self, nb::cast<int64_t>(arg)));
  return as_tuple(At(self, to_sizes(arg)));
}

Tensor triangle(Tensor (*fn)(int64_t, int64_t, int64_t, DType, Device), int64_t row, int64_t col,
                int64_t offset, nb::handle dtype, nb::handle device) {
  return fn(row, col, offset, dtype.is_none() ? DType::Int64 : to_dtype(dtype),
            device.is_none() ? Device() : to_device(device));
}

}  // namespace

void init_structure(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  auto hs = &split_py<static_cast<SplitN>(&hsplit), static_cast<SplitAt>(&hsplit)>;
  auto vs = &split_py<static_cast<SplitN>(&vsplit), static_cast<SplitAt>(&vsplit)>;
  auto ds = &split_py<static_cast<SplitN>(&dsplit), static_cast<SplitAt>(&dsplit)>;
  m.def("hsplit", hs, "input"_a, "indices_or_sections"_a);
  cls.def("hsplit", hs, "indices_or_sections"_a);
  m.def("vsplit", vs, "input"_a, "indices_or_sections"_a);
  cls.def("vsplit", vs, "indices_or_sections"_a);
  m.def("dsplit", ds, "input"_a, "indices_or_sections"_a);
  cls.def("dsplit", ds, "indices_or_sections"_a);

  m.def("block_diag", [](nb::args tensors) {
    std::vector<Tensor> ts;
    for (nb::handle h : tensors) ts.push_back(nb::cast<Tensor>(h));
    return block_diag(ts);
  });
  m.def("cartesian_prod", [](nb::args tensors) {
    std::vector<Tensor> ts;
    for (nb::handle h : tensors) ts.push_back(nb::cast<Tensor>(h));
    return cartesian_prod(ts);
  });
  m.def("combinations", &combinations, "input"_a, "r"_a = 2, "with_replacement"_a = false);
  m.def("diagflat", &diagflat, "input"_a, "offset"_a = 0);
  cls.def("diagflat", &diagflat, "offset"_a = 0);
  m.def("tril_indices", [](int64_t row, int64_t col, int64_t offset, nb::handle dtype,
                           nb::handle device, nb::handle) {
    return triangle(&tril_indices, row, col, offset, dtype, device);
  }, "row"_a, "col"_a, "offset"_a = 0, nb::kw_only(), "dtype"_a = nb::none(),
        "device"_a = nb::none(), "layout"_a = nb::none());
  m.def("triu_indices", [](int64_t row, int64_t col, int64_t offset, nb::handle dtype,
                           nb::handle device, nb::handle) {
    return triangle(&triu_indices, row, col, offset, dtype, device);
  }, "row"_a, "col"_a, "offset"_a = 0, nb::kw_only(), "dtype"_a = nb::none(),
        "device"_a = nb::none(), "layout"_a = nb::none());
  m.def("vander", &vander, "x"_a, "N"_a = nb::none(), "increasing"_a = false);
  m.def("unravel_index", [](const Tensor& indices, nb::handle shape) {
    DimVector s = PyLong_Check(shape.ptr()) ? DimVector{nb::cast<int64_t>(shape)} : to_sizes(shape);
    return as_tuple(unravel_index(indices, s));
  }, "indices"_a, "shape"_a);
}

}  // namespace cresset::py
