// Bindings of the elementwise table: torch.<name>, Tensor.<name>, Tensor.<name>_, out=, and the
// Python operators that map onto rows.
#include "bind.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"

namespace cresset::py {

namespace {

// Returns NotImplemented for operands that are neither tensors nor numbers, so Python can try the
// reflected operator of the other type.
template <Tensor (*Op)(const Tensor&, const Tensor&)>
nb::object binary_operator(const Tensor& self, nb::handle other) {
  Tensor* t = nullptr;
  if (nb::try_cast<Tensor*>(other, t) && t) return nb::cast(Op(self, *t));
  if (!is_number(other)) return nb::borrow(Py_NotImplemented);
  return nb::cast(Op(self, wrapped_scalar(to_scalar(other))));
}

template <Tensor (*Op)(const Tensor&, const Tensor&)>
nb::object reflected_operator(const Tensor& self, nb::handle other) {
  if (!is_number(other)) return nb::borrow(Py_NotImplemented);
  return nb::cast(Op(wrapped_scalar(to_scalar(other)), self));
}

}  // namespace

void init_elementwise(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

#define CRESSET_UNARY(name, ...)                                                         \
  m.def(#name, [](const Tensor& self, std::optional<Tensor> out) {                       \
    return out ? name##_out(self, *out) : name(self);                                    \
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());                                    \
  cls.def(#name, [](const Tensor& self) { return name(self); });                         \
  cls.def(#name "_", [](const Tensor& self) { return name##_(self); });
#define CRESSET_BINARY(name, ...)                                                        \
  m.def(#name, [](nb::handle self, nb::handle other, std::optional<Tensor> out) {        \
    Tensor a = to_tensor_or_scalar(self, #name), b = to_tensor_or_scalar(other, #name);  \
    return out ? name##_out(a, b, *out) : name(a, b);                                    \
  }, "input"_a, "other"_a, nb::kw_only(), "out"_a = nb::none());                         \
  cls.def(#name, [](const Tensor& self, nb::handle other) {                              \
    return name(self, to_tensor_or_scalar(other, #name));                               \
  }, "other"_a);                                                                         \
  cls.def(#name "_", [](const Tensor& self, nb::handle other) {                          \
    return name##_(self, to_tensor_or_scalar(other, #name "_"));                         \
  }, "other"_a);
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY

  cls.def("__neg__", [](const Tensor& a) { return neg(a); });
  cls.def("__add__", &binary_operator<add>);
  cls.def("__radd__", &reflected_operator<add>);
  cls.def("__iadd__", &binary_operator<add_>);
  cls.def("__mul__", &binary_operator<mul>);
  cls.def("__rmul__", &reflected_operator<mul>);
  cls.def("__imul__", &binary_operator<mul_>);
}

}  // namespace cresset::py
