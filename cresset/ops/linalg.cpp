// Matrix products with torch's semantics. Every product funnels into product_into(), which
// converts to the dtype the GEMM computes in and picks the device's kernel; the ops themselves
// only validate (with torch's messages), lay out views and allocate.
#include "cresset/ops/linalg.h"

#include <algorithm>

#include "cresset/autograd/function.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/gemm.h"
#include "cresset/backend/cpu/linalg.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/out.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace linalg_util {

Tensor restride(const Tensor& t, DimVector sizes, DimVector strides) {
  return t.as_strided_view(std::move(sizes), std::move(strides), t.storage_offset());
}

Tensor expand_view(const Tensor& t, const DimVector& sizes) {
  const int64_t lead = int64_t(sizes.size()) - t.dim();
  DimVector strides(sizes.size(), 0);
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t want = sizes[size_t(lead + d)];
    CRESSET_CHECK(t.size(d) == want || t.size(d) == 1, RuntimeError,
                  "The expanded size of the tensor (", want, ") must match the existing size (",
                  t.size(d), ") at non-singleton dimension ", lead + d,
                  ".  Target sizes: ", shape_str(sizes), ".  Tensor sizes: ", shape_str(t.sizes()));
    if (t.size(d) == want) strides[size_t(lead + d)] = t.stride(d);
  }
  return restride(t, sizes, strides);
}

bool fold_dims(const Tensor& t, const std::vector<int64_t>& dims, int64_t* size, int64_t* stride) {
  *size = 1;
  *stride = 1;
  bool folds = true;
  int64_t expect = -1;
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
    const int64_t n = t.size(*it), st = t.stride(*it);
    *size *= n;
    if (n == 1) continue;
    if (expect < 0) {
      *stride = st;
    } else if (st != expect) {
      folds = false;
    }
    expect = st * n;
  }
  return folds;
}

Tensor contiguous_copy(const Tensor& t) {
  Tensor r = empty_tensor(t.sizes(), t.dtype(), t.device());
  copy_into(r, t);
  return r;
}

Tensor prepare_out(const char* op, const Tensor& out, const DimVector& sizes, DType dtype,
                   Device device, OutDtype rule) {
  if (!out.defined()) return empty_tensor(sizes, dtype, device);
  check_out(op, out, sizes, dtype, device, rule);
  for (int64_t d = 0; d < out.dim(); ++d) {
    CRESSET_CHECK(out.stride(d) != 0 || out.size(d) <= 1, RuntimeError, "[", op,
                  "] unsupported operation: more than one element of the written-to tensor refers "
                  "to a single memory location. Please clone() the tensor before performing the "
                  "operation.");
  }
  return out;
}

bool wants_grad(const char* op, std::initializer_list<TensorRef> inputs, const Tensor& out) {
  if (!autograd::needs_grad(inputs)) return false;
  check_out_grad(op, out.defined());
  return true;
}

Tensor maybe_multiply(const Tensor& g, Scalar s) { return s.to_double() == 1 ? g : g * s; }

Tensor as_dtype(const Tensor& t, DType dtype) {
  return t.dtype() == dtype ? t : to(t, dtype, t.device());
}

}  // namespace linalg_util

using namespace linalg_util;

namespace {

// True when two tensors may share memory: same storage and intersecting byte ranges.
bool overlaps(const Tensor& a, const Tensor& b) {
  if (a.impl()->storage() != b.impl()->storage() || a.numel() == 0 || b.numel() == 0) return false;
  auto range = [](const Tensor& t) {
    int64_t lo = t.storage_offset(), hi = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) {
      (t.stride(d) < 0 ? lo : hi) += t.stride(d) * (t.size(d) - 1);
    }
    return std::make_pair(lo, hi);
  };
  auto [alo, ahi] = range(a);
  auto [blo, bhi] = range(b);
  return alo <= bhi && blo <= ahi;
}

// The dtype our GEMM computes products of `t` in: float32 for the 16-bit floats (accumulating in
// float like torch), int64 for every integer (wrap-around is exact modulo 2^n).
DType gemm_dtype(DType t) {
  return t == DType::Float64 ? t : is_floating(t) ? DType::Float32 : DType::Int64;
}

// `t` in its GEMM dtype; converted before any broadcast view is taken, so never materialized. On
// CUDA the 16-bit floats stay: the backend multiplies them itself (Note [CUDA GEMM]).
Tensor gemm_operand(const Tensor& t) {
  const bool half = t.dtype() == DType::Float16 || t.dtype() == DType::BFloat16;
  const DType g = half && t.device().is_cuda() ? t.dtype() : gemm_dtype(t.dtype());
  if (t.dtype() == g) return t;
  Tensor r = empty_tensor(t.sizes(), g, t.device());
  copy_into(r, t);
  return r;
}

// True when a coefficient is zero in the compute dtype (integer products truncate it like torch).
bool is_zero(Scalar s, DType compute) {
  return compute == DType::Int64 ? s.to<int64_t>() == 0 : s.to_double() == 0;
}

// c = alpha * a @ b + beta * c over the batch dims: a [..., m, k] and b [..., k, n] are views of
// gemm_operand()s broadcast to c's batch dims; c has any dtype and layout and may overlap them.
void product_into(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta) {
  if (c.numel() == 0) return;
  CRESSET_CHECK(a.device() == c.device() && b.device() == c.device(), RuntimeError,
                "Expected all tensors to be on the same device, but found at least two devices, ",
                a.device().str(), " and ", b.device().str(), "!");
  const DType g = a.dtype();
  const bool direct = c.dtype() == g && !overlaps(c, a) && !overlaps(c, b);
  Tensor target = c;
  if (!direct) {
    target = empty_tensor(c.sizes(), g, c.device());
    if (!is_zero(beta, g)) copy_into(target, c);
  }
  if (c.device().is_cpu()) {
    cpu::batched_gemm(target, a, b, alpha, beta);
  } else {
    cuda::batched_gemm(target, a, b, alpha, beta);
  }
  if (!direct) copy_into(c, target);
}

// Bool products are not implemented in torch either; `kernel` is the name torch reports.
void check_not_bool(const char* op, const char* kernel, const Tensor& t) {
  CRESSET_CHECK(t.dtype() != DType::Bool, NotImplementedError, "[", op, "] \"", kernel,
                "\" not implemented for 'Bool'");
}

// A view of `t` with a size-1 dim inserted at `dim`.
Tensor unsqueeze_view(const Tensor& t, int64_t dim) {
  DimVector sizes = t.sizes(), strides = t.strides();
  sizes.insert(size_t(dim), 1);
  strides.insert(size_t(dim), 0);
  return restride(t, sizes, strides);
}

void check_mm_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  CRESSET_CHECK(a.dtype() == b.dtype(), RuntimeError, "[", op,
                "] expected m1 and m2 to have the same dtype, but got: ", cpp_type_name(a.dtype()),
                " != ", cpp_type_name(b.dtype()));
}

void check_mm_shapes(const char* op, int64_t m, int64_t k1, int64_t k2, int64_t n) {
  CRESSET_CHECK(k1 == k2, RuntimeError, "[", op, "] mat1 and mat2 shapes cannot be multiplied (", m,
                "x", k1, " and ", k2, "x", n, ")");
}

void check_mv(const char* op, const Tensor& input_like, const Tensor& mat, const Tensor& vec) {
  CRESSET_CHECK(mat.dim() == 2 && vec.dim() == 1, RuntimeError, "[", op,
                "] vector + matrix @ vector expected, got ", input_like.dim(), ", ", mat.dim(),
                ", ", vec.dim());
  CRESSET_CHECK(mat.size(1) == vec.size(0), RuntimeError, "[", op, "] size mismatch, got input (",
                mat.size(0), "), mat (", mat.size(0), "x", mat.size(1), "), vec (", vec.size(0),
                ")");
  CRESSET_CHECK(mat.dtype() == vec.dtype() && input_like.dtype() == mat.dtype(), RuntimeError, "[",
                op, "] addmv input tensors must have the same dtype, but got ",
                dtype_display(input_like.dtype()), ", ", dtype_display(mat.dtype()), ", and ",
                dtype_display(vec.dtype()));
  check_not_bool(op, "addmv_impl_cpu", mat);
}

void check_bmm(const char* op, const Tensor& b1, const Tensor& b2) {
  CRESSET_CHECK(b1.dim() == 3, RuntimeError, "[", op, "] batch1 must be a 3D tensor");
  CRESSET_CHECK(b2.dim() == 3, RuntimeError, "[", op, "] batch2 must be a 3D tensor");
  CRESSET_CHECK(b1.size(0) == b2.size(0), RuntimeError, "[", op,
                "] batch1 and batch2 must have same number of batches, got ", b1.size(0), " and ",
                b2.size(0));
  CRESSET_CHECK(b1.size(2) == b2.size(1), RuntimeError, "[", op,
                "] Incompatible matrix sizes for bmm (", b1.size(1), "x", b1.size(2), " and ",
                b2.size(1), "x", b2.size(2), ")");
  CRESSET_CHECK(b1.dtype() == b2.dtype(), RuntimeError, "[", op, "] expected scalar type ",
                dtype_display(b1.dtype()), " but found ", dtype_display(b2.dtype()));
  check_not_bool(op, "bmm", b1);
}

// The dot product behind dot, vdot and 1-D matmul.
Tensor dot_impl(const char* op, const Tensor& a, const Tensor& b, const Tensor& out) {
  CRESSET_CHECK(a.dim() == 1 && b.dim() == 1, RuntimeError, "[", op,
                "] 1D tensors expected, but got ", a.dim(), "D and ", b.dim(), "D tensors");
  CRESSET_CHECK(a.dtype() == b.dtype(), RuntimeError, "[", op,
                "] dot : expected both vectors to have same dtype, but found ",
                dtype_display(a.dtype()), " and ", dtype_display(b.dtype()));
  CRESSET_CHECK(a.numel() == b.numel(), RuntimeError, "[", op,
                "] inconsistent tensor size, expected tensor [", a.numel(), "] and src [",
                b.numel(), "] to have the same number of elements, but got ", a.numel(), " and ",
                b.numel(), " elements respectively");
  check_not_bool(op, "dot", a);
  Tensor r = prepare_out(op, out, {}, a.dtype(), a.device());
  Tensor ag = gemm_operand(a), bg = gemm_operand(b);
  product_into(restride(r, {1, 1}, {1, 1}), restride(ag, {1, a.numel()}, {0, ag.stride(0)}),
               restride(bg, {b.numel(), 1}, {bg.stride(0), 1}), Scalar(int64_t(1)),
               Scalar(int64_t(0)));
  if (out.defined()) r.bump_version();
  return r;
}

Tensor mm_impl(const char* op, const Tensor& self, const Tensor& mat2, const Tensor& out) {
  CRESSET_CHECK(self.dim() == 2, RuntimeError, "[", op, "] self must be a matrix");
  CRESSET_CHECK(mat2.dim() == 2, RuntimeError, "[", op, "] mat2 must be a matrix");
  check_mm_shapes(op, self.size(0), self.size(1), mat2.size(0), mat2.size(1));
  check_mm_dtypes(op, self, mat2);
  check_not_bool(op, "addmm_impl_cpu_", self);
  Tensor r = prepare_out(op, out, {self.size(0), mat2.size(1)}, self.dtype(), self.device());
  product_into(r, gemm_operand(self), gemm_operand(mat2), Scalar(int64_t(1)), Scalar(int64_t(0)));
  if (out.defined()) r.bump_version();
  return r;
}

Tensor mv_impl(const char* op, const Tensor& self, const Tensor& vec, const Tensor& out) {
  check_mv(op, self, self, vec);
  Tensor r = prepare_out(op, out, {self.size(0)}, self.dtype(), self.device());
  Tensor vg = gemm_operand(vec);
  product_into(restride(r, {self.size(0), 1}, {r.stride(0), 1}), gemm_operand(self),
               restride(vg, {vec.numel(), 1}, {vg.stride(0), 1}), Scalar(int64_t(1)),
               Scalar(int64_t(0)));
  if (out.defined()) r.bump_version();
  return r;
}

// Validated alpha/beta for ops whose integer versions reject floating coefficients (addr).
void check_integral_coefficient(const char* op, const char* name, Scalar s, DType result) {
  CRESSET_CHECK(!(is_integral(result, true) && s.is_float()), RuntimeError, "[", op,
                "] For integral input tensors, argument ", name,
                " must not be a floating point number.");
}

// beta * input + alpha * (a @ b) into `out` (or in place into input): a and b are
// gemm_operand()s already viewed with out's batch dims; input broadcasts to `sizes`.
Tensor add_product(const char* op, const Tensor& input, const Tensor& a, const Tensor& b,
                   const DimVector& sizes, DType dtype, Scalar beta, Scalar alpha,
                   const Tensor& out, bool inplace) {
  Tensor r;
  if (inplace) {
    CRESSET_CHECK(input.sizes() == sizes, RuntimeError, "[", op,
                  "] Bad in-place call: input tensor size ", shape_str(input.sizes()),
                  " and output tensor size ", shape_str(sizes), " should match");
    r = input;
  } else {
    Tensor expanded = expand_view(input, sizes);
    r = prepare_out(op, out, sizes, dtype, input.device());
    if (!is_zero(beta, gemm_dtype(dtype)) && !r.is_same(input)) {
      if (overlaps(r, input)) expanded = contiguous_copy(expanded);
      copy_into(r, expanded);
    }
  }
  // addmv's vector result is the single column of its product.
  product_into(r.dim() == 1 ? restride(r, {r.size(0), 1}, {r.stride(0), 1}) : r, a, b, alpha, beta);
  if (inplace || out.defined()) r.bump_version(op);
  return r;
}

// Checks the dtypes of addmm's and baddbmm's input against their matrices.
void check_input_dtype(const char* op, const Tensor& input, const Tensor& mat) {
  CRESSET_CHECK(input.dtype() == mat.dtype(), RuntimeError, "[", op,
                "] self and mat2 must have the same dtype, but got ", dtype_display(input.dtype()),
                " and ", dtype_display(mat.dtype()));
}

Tensor addmm_impl(const char* op, const Tensor& input, const Tensor& mat1, const Tensor& mat2,
                  Scalar beta, Scalar alpha, const Tensor& out, bool inplace) {
  CRESSET_CHECK(mat1.dim() == 2, RuntimeError, "[", op, "] mat1 must be a matrix, got ", mat1.dim(),
                "-D tensor");
  CRESSET_CHECK(mat2.dim() == 2, RuntimeError, "[", op, "] mat2 must be a matrix, got ", mat2.dim(),
                "-D tensor");
  check_mm_shapes(op, mat1.size(0), mat1.size(1), mat2.size(0), mat2.size(1));
  check_mm_dtypes(op, mat1, mat2);
  check_input_dtype(op, input, mat2);
  check_not_bool(op, "addmm_impl_cpu_", mat1);
  return add_product(op, input, gemm_operand(mat1), gemm_operand(mat2),
                     {mat1.size(0), mat2.size(1)}, mat1.dtype(), beta, alpha, out, inplace);
}

Tensor addmv_impl(const char* op, const Tensor& input, const Tensor& mat, const Tensor& vec,
                  Scalar beta, Scalar alpha, const Tensor& out, bool inplace) {
  check_mv(op, input, mat, vec);
  Tensor vg = gemm_operand(vec);
  return add_product(op, input, gemm_operand(mat),
                     restride(vg, {vec.numel(), 1}, {vg.stride(0), 1}), {mat.size(0)}, mat.dtype(),
                     beta, alpha, out, inplace);
}

Tensor baddbmm_impl(const char* op, const Tensor& input, const Tensor& b1, const Tensor& b2,
                    Scalar beta, Scalar alpha, const Tensor& out, bool inplace) {
  check_bmm(op, b1, b2);
  CRESSET_CHECK(input.dtype() == b1.dtype(), RuntimeError, "[", op,
                "] Input dtypes must be the same, got: input ", cpp_type_name(input.dtype()),
                ", batch1: ", cpp_type_name(b1.dtype()), ", batch2: ", cpp_type_name(b2.dtype()));
  return add_product(op, input, gemm_operand(b1), gemm_operand(b2),
                     {b1.size(0), b1.size(1), b2.size(2)}, b1.dtype(), beta, alpha, out, inplace);
}

Tensor addbmm_impl(const char* op, const Tensor& input, const Tensor& b1, const Tensor& b2,
                   Scalar beta, Scalar alpha, const Tensor& out, bool inplace) {
  check_bmm(op, b1, b2);
  check_input_dtype(op, input, b2);
  const int64_t batches = b1.size(0), m = b1.size(1), k = b1.size(2), n = b2.size(2);
  const DimVector sizes{m, n};
  Tensor r;
  if (inplace) {
    CRESSET_CHECK(input.sizes() == sizes, RuntimeError, "[", op,
                  "] Bad in-place call: input tensor size ", shape_str(input.sizes()),
                  " and output tensor size ", shape_str(sizes), " should match");
    r = input;
  } else {
    Tensor expanded = expand_view(input, sizes);
    if (out.defined()) resize_out(out, sizes, false);  // torch's addbmm resizes without warning
    r = prepare_out(op, out, sizes, b1.dtype(), input.device());
    if (!is_zero(beta, gemm_dtype(b1.dtype())) && !r.is_same(input)) {
      if (overlaps(r, input)) expanded = contiguous_copy(expanded);
      copy_into(r, expanded);
    }
  }
  // Sum of the batch's products, one GEMM at a time into the same C: the first applies beta.
  Tensor g1 = gemm_operand(b1), g2 = gemm_operand(b2);
  if (batches == 0) {
    product_into(r, restride(g1, {m, 0}, {0, 0}), restride(g2, {0, n}, {0, 0}), alpha, beta);
  }
  for (int64_t i = 0; i < batches; ++i) {
    Tensor a = g1.as_strided_view({m, k}, {g1.stride(1), g1.stride(2)},
                                  g1.storage_offset() + i * g1.stride(0));
    Tensor b = g2.as_strided_view({k, n}, {g2.stride(1), g2.stride(2)},
                                  g2.storage_offset() + i * g2.stride(0));
    product_into(r, a, b, alpha, i == 0 ? beta : Scalar(int64_t(1)));
  }
  if (inplace || out.defined()) r.bump_version();
  return r;
}

// beta * input + alpha * outer(vec1, vec2) with elementwise ops, so types promote like torch's.
Tensor addr_impl(const char* op, const Tensor& input, const Tensor& vec1, const Tensor& vec2,
                 Scalar beta, Scalar alpha, const Tensor& out, bool inplace) {
  CRESSET_CHECK(vec1.dim() == 1, RuntimeError, "[", op,
                "] addr: Expected 1-D argument vec1, but got ", vec1.dim(), "-D");
  CRESSET_CHECK(vec2.dim() == 1, RuntimeError, "[", op,
                "] addr: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  const DType dtype = result_type({input, vec1, vec2});
  check_integral_coefficient(op, "beta", beta, dtype);
  check_integral_coefficient(op, "alpha", alpha, dtype);
  const DimVector sizes{vec1.size(0), vec2.size(0)};
  Tensor expanded = expand_view(input, sizes);
  if (dtype == DType::Bool) {
    beta = Scalar(beta.to_bool());
    alpha = Scalar(alpha.to_bool());
  }
  Tensor prod =
      mul(restride(vec1, sizes, {vec1.stride(0), 0}), restride(vec2, sizes, {0, vec2.stride(0)}));
  if (alpha.to_double() != 1) prod = mul(prod, wrapped_scalar(alpha));
  Tensor value = prod;
  if (beta.to_double() != 0) {
    Tensor scaled = beta.to_double() == 1 ? expanded : mul(expanded, wrapped_scalar(beta));
    value = add(scaled, prod);
  }
  Tensor r;
  if (inplace) {
    CRESSET_CHECK(input.sizes() == sizes, RuntimeError, "[", op,
                  "] Bad in-place call: input tensor size ", shape_str(input.sizes()),
                  " and output tensor size ", shape_str(sizes), " should match");
    check_out_dtype(op, input.dtype(), value.dtype());
    r = input;
  } else {
    r = prepare_out(op, out, sizes, value.dtype(), input.device(), OutDtype::Castable);
  }
  copy_into(r, value);
  if (inplace || out.defined()) r.bump_version();
  return r;
}

// ---- derivatives (formulas are ops: with create_graph they are recorded in turn) --------------

// What a product node saves of operand `t`: t when the other operand needs its gradient.
Tensor saved_if(const Tensor& t, const Tensor& other) {
  return other.requires_grad() ? t : Tensor();
}

using Product = Tensor (*)(const Tensor&, const Tensor&, const Tensor&);

// Records r = a @ b computed by `product` (mm or bmm): grad a = g @ b^T, grad b = a^T @ g.
void record_product(const char* name, Product product, const Tensor& r, const Tensor& a,
                    const Tensor& b) {
  autograd::record(name, {a, b}, {r}, {saved_if(a, b), saved_if(b, a)},
                   [product](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor ga, gb;
                     if (c.needs_input_grad(0)) ga = product(c.grad(), matrix_t(c.saved(1)), {});
                     if (c.needs_input_grad(1)) gb = product(matrix_t(c.saved(0)), c.grad(), {});
                     return {ga, gb};
                   });
}

// Records the 0-dim r = a . b (dot, vdot, 1-D matmul; real dtypes need no conjugate).
void record_dot(const char* name, const Tensor& r, const Tensor& a, const Tensor& b) {
  autograd::record(name, {a, b}, {r}, {saved_if(a, b), saved_if(b, a)},
                   [](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor ga, gb;
                     if (c.needs_input_grad(0)) ga = c.grad() * c.saved(1);
                     if (c.needs_input_grad(1)) gb = c.grad() * c.saved(0);
                     return {ga, gb};
                   });
}

// Records r = mat @ vec: grad mat = outer(g, vec), grad vec = mat^T @ g.
void record_mv(const Tensor& r, const Tensor& mat, const Tensor& vec) {
  autograd::record("MvBackward0", {mat, vec}, {r}, {saved_if(mat, vec), saved_if(vec, mat)},
                   [](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor gm, gv;
                     if (c.needs_input_grad(0)) gm = outer(c.grad(), c.saved(1));
                     if (c.needs_input_grad(1)) gv = mv(t(c.saved(0)), c.grad());
                     return {gm, gv};
                   });
}

// torch's name for the last node of matmul, which composes dot, mv, mm or bmm with views (ATen's
// _matmul_impl): a matrix first operand that requires grad (or a 3-D one with a single batch
// against several) times a batch is folded into one mm of the transposed product, then
// transposed back and made contiguous (a copy unless a result dim is 1).
const char* matmul_node_name(const Tensor& a, const Tensor& b, const Tensor& r) {
  const int64_t d1 = a.dim(), d2 = b.dim();
  if (d1 <= 2 && d2 <= 2) {
    if (d1 == 1) return d2 == 1 ? "DotBackward0" : "SqueezeBackward4";
    return d2 == 1 ? "MvBackward0" : "MmBackward0";
  }
  const bool transposed = a.requires_grad() && d2 >= 3 &&
                          (d1 == 2 || (d1 == 3 && d2 == 3 && a.size(0) == 1 && b.size(0) != 1));
  if (!transposed) return "UnsafeViewBackward0";
  const bool copies = r.numel() > 0 && a.size(-2) > 1 && b.size(-1) > 1;
  return copies ? "CloneBackward0" : "TransposeBackward0";
}

// Records r = matmul(a, b). Gradients are matmuls in the broadcast batch shape; the engine sums
// them over the dims an operand was broadcast along.
void record_matmul(const Tensor& r, const Tensor& a, const Tensor& b) {
  const int64_t d1 = a.dim(), d2 = b.dim();
  if (d1 == 1 && d2 == 1) return record_dot(matmul_node_name(a, b, r), r, a, b);
  autograd::record(matmul_node_name(a, b, r), {a, b}, {r}, {saved_if(a, b), saved_if(b, a)},
                   [d1, d2](const autograd::Ctx& c) -> autograd::TensorList {
                     // Vectors as matrices: a (k) as (1, k), b (k) as (k, 1), the gradient to
                     // match.
                     const Tensor g = d1 == 1   ? unsqueeze(c.grad(), -2)
                                      : d2 == 1 ? unsqueeze(c.grad(), -1)
                                                : c.grad();
                     Tensor ga, gb;
                     if (c.needs_input_grad(0)) {
                       const Tensor b = c.saved(1);
                       ga = matmul(g, d2 == 1 ? unsqueeze(b, 0) : matrix_t(b));
                       if (d1 == 1) ga = squeeze(ga, {-2});
                     }
                     if (c.needs_input_grad(1)) {
                       const Tensor a = d1 == 1 ? unsqueeze(c.saved(0), 0) : c.saved(0);
                       if (d1 >= 3 && d2 <= 2) {
                         // A batch times one matrix: the batch folds into rows, one mm sums over
                         // it.
                         int64_t rows = 1;
                         for (int64_t d = 0; d + 1 < a.dim(); ++d) rows *= a.size(d);
                         gb = mm(t(reshape(a, {rows, a.size(-1)})), reshape(g, {rows, g.size(-1)}));
                       } else {
                         gb = matmul(matrix_t(a), g);
                       }
                       if (d2 == 1) gb = squeeze(gb, {-1});
                     }
                     return {ga, gb};
                   });
}

// The matrix gradients of an add-product op from (g, a, b); either pointer may be null.
using ProductGrads = void (*)(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga,
                              Tensor* gb);

// Records r = beta * input + alpha * product(a, b) (addmm, addmv, addr, addbmm, baddbmm, and
// their in-place forms, where r is input): grad input = beta * g (summed by the engine where
// input was broadcast), the others alpha * `grads`.
void record_add_product(const char* name, const Tensor& r, const Tensor& input, const Tensor& a,
                        const Tensor& b, Scalar beta, Scalar alpha, ProductGrads grads) {
  autograd::record(name, {input, a, b}, {r}, {saved_if(a, b), saved_if(b, a)},
                   [beta, alpha, grads](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor gi, ga, gb;
                     if (c.needs_input_grad(0)) gi = maybe_multiply(c.grad(), beta);
                     if (c.needs_input_grad(1) || c.needs_input_grad(2)) {
                       grads(c.grad(), c.saved(0), c.saved(1),
                             c.needs_input_grad(1) ? &ga : nullptr,
                             c.needs_input_grad(2) ? &gb : nullptr);
                     }
                     if (ga.defined()) ga = maybe_multiply(ga, alpha);
                     if (gb.defined()) gb = maybe_multiply(gb, alpha);
                     return {gi, ga, gb};
                   });
}

// x @ y, the gradient of the matrix operand m, laid out like m: for a transposed m (Linear's
// weight.t()) it is (y^T @ x^T)^T, so that the gradient reaching the leaf through the transpose
// is contiguous, as torch's, and AccumulateGrad keeps it instead of a strided copy (8 ms of the
// MNIST CNN step for the 128 x 9216 weight). m is only saved when the other operand requires
// grad; without it the product keeps x @ y's layout.
Tensor grad_like(const Tensor& m, const Tensor& x, const Tensor& y) {
  const bool transposed = m.defined() && m.size(0) > 1 && m.size(1) > 1 && m.stride(0) == 1 &&
                          m.stride(1) == m.size(0);
  return transposed ? t(mm(t(y), t(x))) : mm(x, y);
}

void addmm_grads(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga, Tensor* gb) {
  if (ga) *ga = grad_like(a, g, t(b));
  if (gb) *gb = grad_like(b, t(a), g);
}

void addmv_grads(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga, Tensor* gb) {
  if (ga) *ga = outer(g, b);
  if (gb) *gb = mv(t(a), g);
}

// addr promotes: the vectors are cast to the gradient's dtype (the engine casts back).
void addr_grads(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga, Tensor* gb) {
  if (ga) *ga = mv(g, as_dtype(b, g.dtype()));
  if (gb) *gb = mv(t(g), as_dtype(a, g.dtype()));
}

void baddbmm_grads(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga, Tensor* gb) {
  if (ga) *ga = bmm(g, matrix_t(b));
  if (gb) *gb = bmm(matrix_t(a), g);
}

// addbmm sums the batch's products, so every batch gets the same (broadcast) gradient.
void addbmm_grads(const Tensor& g, const Tensor& a, const Tensor& b, Tensor* ga, Tensor* gb) {
  const int64_t batches = (ga ? b : a).size(0);
  const Tensor ge = expand(unsqueeze(g, 0), {batches, g.size(0), g.size(1)});
  baddbmm_grads(ge, a, b, ga, gb);
}

using AddProductImpl = Tensor (*)(const char*, const Tensor&, const Tensor&, const Tensor&, Scalar,
                                  Scalar, const Tensor&, bool);

// Runs an add-product op out of place, into `out` or in place into input, and records it.
Tensor add_product_op(const char* op, const char* node, AddProductImpl impl, ProductGrads grads,
                      const Tensor& input, const Tensor& a, const Tensor& b, Scalar beta,
                      Scalar alpha, const Tensor& out, bool inplace) {
  const bool grad = wants_grad(op, {input, a, b}, out);
  if (grad && inplace) autograd::check_inplace(input);
  // An operand that shares self's storage is overwritten by the in-place write: the backward
  // reads a copy taken before it (a recorded clone, so its gradient reaches the old history).
  auto before_write = [&](const Tensor& t) {
    return grad && inplace && t.impl()->storage() == input.impl()->storage() ? clone(t) : t;
  };
  const Tensor saved_a = before_write(a), saved_b = before_write(b);
  Tensor r = impl(op, input, a, b, beta, alpha, out, inplace);
  if (grad) record_add_product(node, r, input, saved_a, saved_b, beta, alpha, grads);
  return r;
}

// torch.matmul's forward (see matmul).
Tensor matmul_impl(const Tensor& self, const Tensor& other, const Tensor& out) {
  const int64_t d1 = self.dim(), d2 = other.dim();
  CRESSET_CHECK(d1 >= 1 && d2 >= 1, RuntimeError,
                "[matmul] both arguments to matmul need to be at least 1D, but they are ", d1,
                "D and ", d2, "D");
  if (d1 == 1 && d2 == 1) return dot_impl("matmul", self, other, out);
  if (d1 == 2 && d2 == 1) return mv_impl("matmul", self, other, out);
  if (d1 == 2 && d2 == 2) return mm_impl("matmul", self, other, out);
  // The rows of a (1 for a vector) and columns of b (1 for a vector), as [..., m, k] @ [..., k, n].
  const Tensor a = d1 == 1 ? unsqueeze_view(self, 0) : self;
  const Tensor b = d2 == 1 ? unsqueeze_view(other, 1) : other;
  const int64_t m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
  DimVector batch_a(a.sizes().data(), size_t(a.dim() - 2));
  DimVector batch_b(b.sizes().data(), size_t(b.dim() - 2));
  const DimVector batch = broadcast_shapes(batch_a, batch_b);
  int64_t batch_numel = shape_numel(batch);
  if (d2 <= 2) {
    // torch folds the batch into the rows of one mm (or mv) and reports errors that way.
    if (d2 == 1) {
      CRESSET_CHECK(k == k2, RuntimeError, "[matmul] size mismatch, got input (", batch_numel * m,
                    "), mat (", batch_numel * m, "x", k, "), vec (", k2, ")");
      CRESSET_CHECK(self.dtype() == other.dtype(), RuntimeError,
                    "[matmul] addmv input tensors must have the same dtype, but got ",
                    dtype_display(self.dtype()), ", ", dtype_display(self.dtype()), ", and ",
                    dtype_display(other.dtype()));
      check_not_bool("matmul", "addmv_impl_cpu", self);
    } else {
      check_mm_shapes("matmul", batch_numel * m, k, k2, n);
      check_mm_dtypes("matmul", self, other);
      check_not_bool("matmul", "addmm_impl_cpu_", self);
    }
  } else {
    CRESSET_CHECK(k == k2, RuntimeError,
                  "[matmul] Expected size for first two dimensions of batch2 tensor to be: [",
                  batch_numel, ", ", k, "] but got: [", batch_numel, ", ", k2, "].");
    if (d1 <= 2) {
      check_mm_dtypes("matmul", self, other);
    } else {
      CRESSET_CHECK(self.dtype() == other.dtype(), RuntimeError, "[matmul] expected scalar type ",
                    dtype_display(self.dtype()), " but found ", dtype_display(other.dtype()));
    }
    check_not_bool("matmul", d1 <= 2 ? "addmm_impl_cpu_" : "bmm", self);
  }
  DimVector out_sizes = batch;
  if (d1 >= 2) out_sizes.push_back(m);
  if (d2 >= 2) out_sizes.push_back(n);
  Tensor r = prepare_out("matmul", out, out_sizes, self.dtype(), self.device());
  // The result viewed as [batch..., m, n] (a vector operand's missing dim has size 1).
  Tensor rv = r;
  if (d1 == 1) rv = unsqueeze_view(rv, rv.dim() - (d2 >= 2 ? 1 : 0));
  if (d2 == 1) rv = unsqueeze_view(rv, rv.dim());
  DimVector a_sizes = batch, b_sizes = batch;
  a_sizes.push_back(m);
  a_sizes.push_back(k);
  b_sizes.push_back(k);
  b_sizes.push_back(n);
  Tensor av = expand_view(gemm_operand(a), a_sizes), bv = expand_view(gemm_operand(b), b_sizes);
  // A batch of rows times one shared matrix is a single tall product when the rows fold into one
  // dim: the shared matrix is then packed once instead of once per batch.
  std::vector<int64_t> rows_dims(batch.size() + 1);
  for (size_t d = 0; d < rows_dims.size(); ++d) rows_dims[d] = int64_t(d);
  int64_t rows = 0, a_fold = 0, r_fold = 0;
  if (d2 <= 2 && b.dim() == 2 && fold_dims(av, rows_dims, &rows, &a_fold) &&
      fold_dims(rv, rows_dims, &rows, &r_fold)) {
    av = restride(av, {rows, k}, {a_fold, av.stride(-1)});
    bv = restride(bv, {k, n}, {bv.stride(-2), bv.stride(-1)});
    rv = restride(rv, {rows, n}, {r_fold, rv.stride(-1)});
  }
  product_into(rv, av, bv, Scalar(int64_t(1)), Scalar(int64_t(0)));
  if (out.defined()) r.bump_version();
  return r;
}

}  // namespace

Tensor mm(const Tensor& self, const Tensor& mat2, const Tensor& out) {
  const bool grad = wants_grad("mm", {self, mat2}, out);
  Tensor r = mm_impl("mm", self, mat2, out);
  if (grad) record_product("MmBackward0", mm, r, self, mat2);
  return r;
}

Tensor bmm(const Tensor& self, const Tensor& mat2, const Tensor& out) {
  const bool grad = wants_grad("bmm", {self, mat2}, out);
  check_bmm("bmm", self, mat2);
  Tensor r = prepare_out("bmm", out, {self.size(0), self.size(1), mat2.size(2)}, self.dtype(),
                         self.device());
  product_into(r, gemm_operand(self), gemm_operand(mat2), Scalar(int64_t(1)), Scalar(int64_t(0)));
  if (out.defined()) r.bump_version();
  if (grad) record_product("BmmBackward0", bmm, r, self, mat2);
  return r;
}

Tensor mv(const Tensor& self, const Tensor& vec, const Tensor& out) {
  const bool grad = wants_grad("mv", {self, vec}, out);
  Tensor r = mv_impl("mv", self, vec, out);
  if (grad) record_mv(r, self, vec);
  return r;
}

Tensor dot(const Tensor& self, const Tensor& tensor, const Tensor& out) {
  const bool grad = wants_grad("dot", {self, tensor}, out);
  Tensor r = dot_impl("dot", self, tensor, out);
  if (grad) record_dot("DotBackward0", r, self, tensor);
  return r;
}

Tensor vdot(const Tensor& self, const Tensor& other, const Tensor& out) {
  const bool grad = wants_grad("vdot", {self, other}, out);
  Tensor r = dot_impl("vdot", self, other, out);
  if (grad) record_dot("VdotBackward0", r, self, other);
  return r;
}

Tensor matmul(const Tensor& self, const Tensor& other, const Tensor& out) {
  const bool grad = wants_grad("matmul", {self, other}, out);
  Tensor r = matmul_impl(self, other, out);
  if (grad) record_matmul(r, self, other);
  return r;
}

Tensor inner(const Tensor& self, const Tensor& other, const Tensor& out) {
  if (self.dim() == 0 || other.dim() == 0)
    return out.defined() ? mul_out(self, other, out) : mul(self, other);
  CRESSET_CHECK(self.size(-1) == other.size(-1), RuntimeError,
                "[inner] inner() the last dimension must match on both input tensors but got "
                "shapes ",
                shape_str(self.sizes()), " and ", shape_str(other.sizes()));
  return tensordot(self, other, {-1}, {-1}, out);
}

Tensor outer(const Tensor& self, const Tensor& vec2, const Tensor& out) {
  const bool grad = wants_grad("outer", {self, vec2}, out);
  CRESSET_CHECK(self.dim() == 1, RuntimeError,
                "[outer] outer: Expected 1-D argument self, but got ", self.dim(), "-D");
  CRESSET_CHECK(vec2.dim() == 1, RuntimeError,
                "[outer] outer: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  const DimVector sizes{self.size(0), vec2.size(0)};
  Tensor a = restride(self, sizes, {self.stride(0), 0}),
         b = restride(vec2, sizes, {0, vec2.stride(0)});
  if (out.defined()) return mul_out(a, b, out);
  Tensor r = empty_tensor(sizes, result_type({self, vec2}), self.device());
  mul_out(a, b, r);
  // torch computes outer as self.reshape(-1, 1) * vec2 (a ViewBackward0 edge); the vectors are
  // cast to the gradient's dtype.
  if (grad) {
    const Tensor column = reshape(self, {self.size(0), 1});
    autograd::record("MulBackward0", {column, vec2}, {r},
                     {saved_if(self, vec2), saved_if(vec2, self)},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       Tensor ga, gb;
                       if (c.needs_input_grad(0)) {
                         Tensor v = mv(g, as_dtype(c.saved(1), g.dtype()));
                         ga = reshape(v, {v.size(0), 1});
                       }
                       if (c.needs_input_grad(1)) gb = mv(t(g), as_dtype(c.saved(0), g.dtype()));
                       return {ga, gb};
                     });
  }
  return r;
}

Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta, Scalar alpha,
             const Tensor& out) {
  return add_product_op("addmm", "AddmmBackward0", addmm_impl, addmm_grads, input, mat1, mat2, beta,
                        alpha, out, false);
}
Tensor addmm_(const Tensor& self, const Tensor& mat1, const Tensor& mat2, Scalar beta,
              Scalar alpha) {
  return add_product_op("addmm_", "AddmmBackward0", addmm_impl, addmm_grads, self, mat1, mat2, beta,
                        alpha, Tensor(), true);
}
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha,
             const Tensor& out) {
  return add_product_op("addmv", "AddmvBackward0", addmv_impl, addmv_grads, input, mat, vec, beta,
                        alpha, out, false);
}
Tensor addmv_(const Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha) {
  return add_product_op("addmv_", "AddmvBackward0", addmv_impl, addmv_grads, self, mat, vec, beta,
                        alpha, Tensor(), true);
}
Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, Scalar beta, Scalar alpha,
            const Tensor& out) {
  return add_product_op("addr", "AddrBackward0", addr_impl, addr_grads, input, vec1, vec2, beta,
                        alpha, out, false);
}
Tensor addr_(const Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta,
             Scalar alpha) {
  return add_product_op("addr_", "AddrBackward0", addr_impl, addr_grads, self, vec1, vec2, beta,
                        alpha, Tensor(), true);
}
Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta,
              Scalar alpha, const Tensor& out) {
  return add_product_op("addbmm", "AddbmmBackward0", addbmm_impl, addbmm_grads, input, batch1,
                        batch2, beta, alpha, out, false);
}
Tensor addbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2, Scalar beta,
               Scalar alpha) {
  return add_product_op("addbmm_", "AddbmmBackward0", addbmm_impl, addbmm_grads, self, batch1,
                        batch2, beta, alpha, Tensor(), true);
}
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta,
               Scalar alpha, const Tensor& out) {
  return add_product_op("baddbmm", "BaddbmmBackward0", baddbmm_impl, baddbmm_grads, input, batch1,
                        batch2, beta, alpha, out, false);
}
Tensor baddbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2, Scalar beta,
                Scalar alpha) {
  return add_product_op("baddbmm_", "BaddbmmBackward0", baddbmm_impl, baddbmm_grads, self, batch1,
                        batch2, beta, alpha, Tensor(), true);
}

Tensor kron(const Tensor& self, const Tensor& other, const Tensor& out) {
  const bool grad = wants_grad("kron", {self, other}, out);
  // kron is a broadcast product laid out as [a0, b0, a1, b1, ...], then read as [a0*b0, a1*b1,
  // ...]. For autograd that is a contraction labelling dim d of a 2d and of b 2d + 1.
  const int64_t nd = std::max(self.dim(), other.dim());
  const size_t n2 = 2 * size_t(nd);
  DimVector inter(n2), sa(n2, 0), sb(n2, 0), sizes(n2 / 2), labelled_sizes;
  std::vector<std::vector<int>> labels(2);
  std::vector<int> output;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t da = d - (nd - self.dim()), db = d - (nd - other.dim());
    const int64_t na = da >= 0 ? self.size(da) : 1, nb = db >= 0 ? other.size(db) : 1;
    inter[2 * d] = na;
    inter[2 * d + 1] = nb;
    if (da >= 0) sa[2 * d] = self.stride(da);
    if (db >= 0) sb[2 * d + 1] = other.stride(db);
    sizes[d] = na * nb;
    for (int k = 0; k < 2; ++k) {
      if ((k == 0 ? da : db) < 0) continue;
      labels[size_t(k)].push_back(int(2 * d) + k);
      output.push_back(int(2 * d) + k);
      labelled_sizes.push_back(k == 0 ? na : nb);
    }
  }
  Tensor r = empty_tensor(inter, result_type({self, other}), self.device());
  mul_out(restride(self, inter, sa), restride(other, inter, sb), r);
  r = r.as_strided_view(sizes, contiguous_strides(sizes), 0);
  if (grad) {
    record_contraction("UnsafeViewBackward0", {self, other}, labels, output, labelled_sizes, r);
  }
  if (!out.defined()) return r;
  Tensor o = prepare_out("kron", out, sizes, r.dtype(), r.device(), OutDtype::Castable);
  copy_into(o, r);
  o.bump_version();
  return o;
}

namespace {

Tensor cross_impl(const char* op, const Tensor& self, const Tensor& other, int64_t dim,
                  int64_t reported_dim, const Tensor& out) {
  const bool grad = wants_grad(op, {self, other}, out);
  CRESSET_CHECK(self.dtype() == other.dtype(), RuntimeError, "[", op, "] expected scalar type ",
                dtype_display(self.dtype()), " but found ", dtype_display(other.dtype()));
  const DimVector sizes = broadcast_shapes(self.sizes(), other.sizes());
  const int64_t d = wrap_dim(dim, int64_t(sizes.size()));
  auto size_at = [&](const Tensor& t) {
    const int64_t td = d - (int64_t(sizes.size()) - t.dim());
    return td >= 0 ? t.size(td) : 1;
  };
  CRESSET_CHECK(size_at(self) == 3 && size_at(other) == 3, RuntimeError, "[", op,
                "] linalg.cross: inputs dimension ", reported_dim, " must have length 3. Got ",
                size_at(self), " and ", size_at(other));
  check_not_bool(op, "cross", self);
  Tensor r = prepare_out(op, out, sizes, self.dtype(), self.device());
  if (r.numel() > 0) {
    Tensor a = expand_view(self, sizes), b = expand_view(other, sizes);
    Tensor target =
        overlaps(r, self) || overlaps(r, other) ? empty_tensor(sizes, r.dtype(), r.device()) : r;
    if (r.device().is_cpu()) {
      cpu::cross_kernel(target, a, b, d);
    } else {
      cuda::cross_kernel(target, a, b, d);
    }
    if (!target.is_same(r)) copy_into(r, target);
    if (out.defined()) r.bump_version();
  }
  if (grad) {
    // d indexes the broadcast shape, which is the gradient's.
    autograd::record("LinalgCrossBackward0", {self, other}, {r},
                     {saved_if(self, other), saved_if(other, self)},
                     [d](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor ga, gb;
                       if (c.needs_input_grad(0)) ga = linalg_cross(c.saved(1), c.grad(), d);
                       if (c.needs_input_grad(1)) gb = linalg_cross(c.grad(), c.saved(0), d);
                       return {ga, gb};
                     });
  }
  return r;
}

}  // namespace

Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim,
             const Tensor& out) {
  if (dim) return cross_impl("cross", self, other, *dim, *dim, out);
  // Without dim, torch takes the first dim of size 3 of the (broadcast) input.
  const DimVector sizes = broadcast_shapes(self.sizes(), other.sizes());
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 3) return cross_impl("cross", self, other, int64_t(d), int64_t(d), out);
  }
  throw RuntimeError("[cross] no dimension of size 3 in input");
}

Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim, const Tensor& out) {
  return cross_impl("linalg.cross", self, other, dim, dim, out);
}

Tensor trace(const Tensor& self) {
  CRESSET_CHECK(self.dim() == 2, RuntimeError,
                "[trace] trace: expected a matrix, but got tensor with dim ", self.dim());
  check_not_bool("trace", "trace", self);
  Tensor r =
      empty_tensor({}, is_floating(self.dtype()) ? self.dtype() : DType::Int64, self.device());
  if (self.device().is_cpu()) {
    cpu::trace_kernel(r, self);
  } else {
    cuda::trace_kernel(r, self);
  }
  if (autograd::needs_grad({self})) {
    const int64_t n = self.size(0), m = self.size(1);
    autograd::record("TraceBackward0", {self}, {r}, {},
                     [n, m](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       return {g * eye(n, m, g.dtype(), g.device())};
                     });
  }
  return r;
}

}  // namespace cresset
