// Bindings of the linalg family: torch.<op> (with out=), Tensor.<op> / Tensor.<op>_, the @
// operators and torch.linalg.cross.
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/linalg.h"

namespace cresset::py {

namespace {

Tensor out_or_none(const std::optional<Tensor>& out) { return out ? *out : Tensor(); }

// A tensordot dims list element: a sequence of ints (torch rejects a bare int there).
std::vector<int64_t> to_dim_list(nb::handle h, const char* arg, int position) {
  CRESSET_CHECK(!PyLong_Check(h.ptr()), TypeError, "tensordot(): argument '", arg, "' (position ",
                position, ") must be tuple of ints, not int");
  std::vector<int64_t> dims;
  for (nb::handle item : h) dims.push_back(nb::cast<int64_t>(item));
  return dims;
}

Tensor tensordot_py(const Tensor& a, const Tensor& b, nb::handle dims,
                    const std::optional<Tensor>& out) {
  Tensor* t = nullptr;
  nb::object d = nb::borrow(dims);
  if (nb::try_cast<Tensor*>(dims, t) && t) {
    if (t->dim() == 0)
      return tensordot(a, b, nb::cast<int64_t>(d.attr("item")()), out_or_none(out));
    d = d.attr("tolist")();
  }
  if (PyLong_Check(d.ptr())) return tensordot(a, b, nb::cast<int64_t>(d), out_or_none(out));
  const size_t n = nb::len(d);
  if (n != 2) {
    throw nb::value_error(str_cat("not enough values to unpack (expected 2, got ", n, ")").c_str());
  }
  return tensordot(a, b, to_dim_list(d[0], "dims_self", 3), to_dim_list(d[1], "dims_other", 4),
                   out_or_none(out));
}

Tensor einsum_py(const std::string& equation, nb::args args) {
  std::vector<Tensor> operands;
  // torch.einsum(eq, [a, b]) is torch.einsum(eq, a, b).
  nb::handle seq = args;
  if (args.size() == 1 &&
      (nb::isinstance<nb::list>(args[0]) || nb::isinstance<nb::tuple>(args[0]))) {
    seq = args[0];
  }
  for (nb::handle h : seq) operands.push_back(nb::cast<Tensor>(h));
  return einsum(equation, operands);
}

}  // namespace

void init_linalg(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  // Two-operand products: torch.<name>(input, <arg>, *, out=None) and Tensor.<name>(<arg>).
#define CRESSET_PRODUCT(name, fn, arg)                                         \
  m.def(                                                                       \
      #name,                                                                   \
      [](const Tensor& self, const Tensor& other, std::optional<Tensor> out) { \
        return fn(self, other, out_or_none(out));                              \
      },                                                                       \
      "input"_a, arg ""_a, nb::kw_only(), "out"_a = nb::none());               \
  cls.def(#name, [](const Tensor& self, const Tensor& other) { return fn(self, other); }, arg ""_a);
  CRESSET_PRODUCT(matmul, matmul, "other")
  CRESSET_PRODUCT(mm, mm, "mat2")
  CRESSET_PRODUCT(bmm, bmm, "mat2")
  CRESSET_PRODUCT(mv, mv, "vec")
  CRESSET_PRODUCT(dot, dot, "tensor")
  CRESSET_PRODUCT(vdot, vdot, "other")
  CRESSET_PRODUCT(inner, inner, "other")
  CRESSET_PRODUCT(outer, outer, "vec2")
  CRESSET_PRODUCT(ger, outer, "vec2")
  CRESSET_PRODUCT(kron, kron, "other")
#undef CRESSET_PRODUCT

  // beta * input + alpha * product: torch.<name>(input, a, b, *, beta=1, alpha=1, out=None),
  // Tensor.<name>(a, b, *, beta=1, alpha=1) and the in-place Tensor.<name>_.
#define CRESSET_ADD_PRODUCT(name, a, b)                                                            \
  m.def(                                                                                           \
      #name,                                                                                       \
      [](const Tensor& input, const Tensor& x, const Tensor& y, nb::handle beta, nb::handle alpha, \
         std::optional<Tensor> out) {                                                              \
        return name(input, x, y, to_scalar(beta), to_scalar(alpha), out_or_none(out));             \
      },                                                                                           \
      "input"_a, a ""_a, b ""_a, nb::kw_only(), "beta"_a = 1, "alpha"_a = 1,                       \
      "out"_a = nb::none());                                                                       \
  cls.def(                                                                                         \
      #name,                                                                                       \
      [](const Tensor& self, const Tensor& x, const Tensor& y, nb::handle beta,                    \
         nb::handle alpha) { return name(self, x, y, to_scalar(beta), to_scalar(alpha)); },        \
      a ""_a, b ""_a, nb::kw_only(), "beta"_a = 1, "alpha"_a = 1);                                 \
  cls.def(                                                                                         \
      #name "_",                                                                                   \
      [](const Tensor& self, const Tensor& x, const Tensor& y, nb::handle beta,                    \
         nb::handle alpha) { return name##_(self, x, y, to_scalar(beta), to_scalar(alpha)); },     \
      a ""_a, b ""_a, nb::kw_only(), "beta"_a = 1, "alpha"_a = 1);
  CRESSET_ADD_PRODUCT(addmm, "mat1", "mat2")
  CRESSET_ADD_PRODUCT(addmv, "mat", "vec")
  CRESSET_ADD_PRODUCT(addr, "vec1", "vec2")
  CRESSET_ADD_PRODUCT(addbmm, "batch1", "batch2")
  CRESSET_ADD_PRODUCT(baddbmm, "batch1", "batch2")
#undef CRESSET_ADD_PRODUCT

  m.def("einsum", &einsum_py, "equation"_a, "operands"_a);
  m.def("tensordot", &tensordot_py, "a"_a, "b"_a, "dims"_a = 2, "out"_a = nb::none());
  m.def(
      "cross",
      [](const Tensor& self, const Tensor& other, std::optional<int64_t> dim,
         std::optional<Tensor> out) { return cross(self, other, dim, out_or_none(out)); },
      "input"_a, "other"_a, "dim"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "cross",
      [](const Tensor& self, const Tensor& other, std::optional<int64_t> dim) {
        return cross(self, other, dim);
      },
      "other"_a, "dim"_a = nb::none());
  m.def("trace", [](const Tensor& self) { return trace(self); }, "input"_a);
  cls.def("trace", [](const Tensor& self) { return trace(self); });


  nb::module_ linalg = m.def_submodule("linalg", "torch.linalg (the products defined so far)");
  linalg.def(
      "cross",
      [](const Tensor& self, const Tensor& other, int64_t dim, std::optional<Tensor> out) {
        return linalg_cross(self, other, dim, out_or_none(out));
      },
      "input"_a, "other"_a, nb::kw_only(), "dim"_a = -1, "out"_a = nb::none());
  linalg.def(
      "matmul",
      [](const Tensor& self, const Tensor& other, std::optional<Tensor> out) {
        return matmul(self, other, out_or_none(out));
      },
      "input"_a, "other"_a, nb::kw_only(), "out"_a = nb::none());
}

}  // namespace cresset::py
