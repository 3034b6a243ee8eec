// Derivatives of the reduce family: torch's formulas (FunctionsManual), written with ops and
// operators.h so that a backward run under create_graph records them (double backward).
#include "cresset/ops/reduce_backward.h"

#include <cmath>

#include "cresset/autograd/function.h"
#include "cresset/ops/index.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset::reduce_detail {

namespace {

Tensor num(double v) { return wrapped_scalar(Scalar(v)); }

bool has_zero(const Tensor& t) { return item_scalar(any(eq(t, num(0)))).to_bool(); }

// The most negative finite value of a floating dtype (logcumsumexp's stand-in for log(0)).
double lowest(DType dtype) {
  switch (dtype) {
    case DType::Float16:
      return -65504.0;
    case DType::BFloat16:
      return -3.38953138925153547590470800371487866880e38;
    case DType::Float32:
      return -3.40282346638528859811704183484516925440e38;
    default:
      return -1.79769313486231570814527423731704356798e308;
  }
}

// The gradient of a product along `dim` without dividing by the input: the exclusive products
// from the left times those from the right (torch's prod_safe_zeros_backward).
Tensor prod_safe_zeros_backward(const Tensor& grad, const Tensor& input, int64_t dim) {
  if (input.numel() == 0) return expand(grad, input.sizes());
  const int64_t n = input.sizes()[dim];
  if (n == 1) return grad;
  DimVector one_size = input.sizes();
  one_size[dim] = 1;
  Tensor one = ones(one_size, input.dtype(), input.device());
  Tensor left = cumprod(cat({one, narrow(input, dim, 0, n - 1)}, dim), dim);
  Tensor right = cat({one, flip(narrow(input, dim, 1, n - 1), {dim})}, dim);
  right = flip(cumprod(right, dim), {dim});
  return grad * (left * right);
}

// cumprod's gradient where the input has zeros, in O(n) per line: before the first zero z1 the
// usual reversed cumsum / input; at z1 the product of what precedes it times the gradients from z1
// up to the second zero weighted by the products after z1; zero after z1. Exact as a first
// derivative only (terms that vanish with the zeros are dropped).
Tensor cumprod_zeros_backward(const Tensor& grad, const Tensor& input, const Tensor& w,
                              int64_t dim) {
  Tensor is_zero = eq(input, num(0));
  Tensor zeros_so_far = cumsum(is_zero, dim);
  Tensor before = eq(zeros_so_far, num(0));
  Tensor one_zero = eq(zeros_so_far, num(1));
  Tensor first = logical_and(is_zero, one_zero);
  Tensor between = logical_and(one_zero, logical_not(is_zero));
  Tensor head = cumsum_backward(where(before, w, num(0)), dim) / where(before, input, num(1));
  Tensor prefix = prod(where(before, input, num(1)), dim, true);
  Tensor tail = where(one_zero, grad * cumprod(where(between, input, num(1)), dim), num(0));
  tail = sum(tail, DimVector{dim}, true);
  return where(before, head, num(0)) + where(first, prefix * tail, num(0));
}

// cumprod's gradient where the input has zeros, for double backward: grad_k = sum over j >= k of
// grad_j * prod(input_i, i <= j, i != k), built on an n x n grid (O(n^2) memory) with no division,
// so its own derivative is exact. k is a new leading axis, so that input and grad broadcast into
// the grid without views, and a one-hot sum moves it back to dim.
Tensor cumprod_zeros_double_backward(const Tensor& grad, const Tensor& input, int64_t dim) {
  const int64_t n = input.sizes()[dim];
  DimVector k_shape{n}, j_shape{n};
  for (int64_t d = 0; d < input.dim(); ++d) k_shape.push_back(1);
  for (int64_t d = dim + 1; d < input.dim(); ++d) j_shape.push_back(1);
  Tensor positions =
      arange(Scalar(int64_t(0)), Scalar(n), Scalar(int64_t(1)), DType::Int64, input.device());
  // k: the position along the new axis 0; j: the position along dim (axis dim + 1 of the grid).
  Tensor k = view(positions, k_shape), j = view(positions, j_shape);
  // omitted[k][..., i, ...] = input_i, with input_k replaced by 1.
  Tensor diagonal = eq(k, j);
  Tensor omitted = where(diagonal, num(1), input);
  Tensor terms = where(j >= k, grad * cumprod(omitted, dim + 1), num(0));
  Tensor per_k = sum(terms, DimVector{dim + 1}, true);
  return sum(where(diagonal, per_k, num(0)), DimVector{0}, false);
}

}  // namespace

DimVector mask_dims(uint64_t mask, int64_t ndim) {
  DimVector dims;
  for (int64_t d = 0; d < ndim; ++d) {
    if (mask >> d & 1) dims.push_back(d);
  }
  return dims;
}

Tensor restore_reduced_dims(const Tensor& t, int64_t ndim, uint64_t mask, bool keepdim) {
  if (keepdim) return t;
  Tensor r = t;
  for (int64_t d = 0; d < ndim; ++d) {
    if (mask >> d & 1) r = unsqueeze(r, d);
  }
  return r;
}

Tensor evenly_distribute_backward(const Tensor& grad, const Tensor& input, const Tensor& value) {
  Tensor mask = logical_or(eq(input, value), logical_and(isnan(input), isnan(value)));
  return mask * (grad / sum(mask));
}

Tensor amax_backward(const Tensor& grad, const Tensor& input, const Tensor& result, uint64_t mask,
                     bool keepdim) {
  const int64_t nd = input.dim();
  Tensor hits = eq(restore_reduced_dims(result, nd, mask, keepdim), input);
  Tensor g = restore_reduced_dims(grad, nd, mask, keepdim);
  return (g / sum(hits, mask_dims(mask, nd), true)) * hits;
}

Tensor value_selecting_backward(const Tensor& grad, int64_t dim, const Tensor& indices,
                                const DimVector& sizes, bool keepdim) {
  if (sizes.empty()) return grad;
  Tensor zero = zeros(sizes, grad.dtype(), grad.device());
  if (keepdim) return scatter(zero, dim, indices, grad);
  return scatter(zero, dim, unsqueeze(indices, dim), unsqueeze(grad, dim));
}

Tensor prod_backward(const Tensor& grad, const Tensor& input, const Tensor& result, int64_t dim,
                     bool all, bool keepdim) {
  if (input.dim() == 0) return grad;
  if (all) {
    if (!has_zero(input)) return grad * (result / input);
    Tensor flat = reshape(input, {input.numel()});
    return reshape(prod_safe_zeros_backward(grad, flat, 0), input.sizes());
  }
  Tensor g = keepdim ? grad : unsqueeze(grad, dim);
  Tensor r = keepdim ? result : unsqueeze(result, dim);
  if (!has_zero(input)) return g * (r / input);
  return prod_safe_zeros_backward(g, input, dim);
}

Tensor var_backward(const Tensor& grad, const Tensor& self, uint64_t mask, bool all,
                    double correction, bool keepdim) {
  if (all || self.dim() == 0) {
    const double dof = double(self.numel()) - correction;
    // 2 / dof is infinite or negative: torch gives inf, and NaN (inf * 0) where self is the mean.
    if (dof <= 0) return grad * where(eq(self, mean(self)), num(NAN), num(INFINITY));
    return 2.0 / dof * grad * (self - mean(self));
  }
  const int64_t nd = self.dim();
  int64_t n = 1;
  for (int64_t d = 0; d < nd; ++d) n *= (mask >> d & 1) ? self.sizes()[d] : 1;
  Tensor g = restore_reduced_dims(grad, nd, mask, keepdim);
  return 2.0 / (double(n) - correction) * g * (self - mean(self, mask_dims(mask, nd), true));
}

Tensor std_backward(const Tensor& grad, const Tensor& self, const Tensor& result, uint64_t mask,
                    bool all, double correction, bool keepdim) {
  Tensor grad_var = where(eq(result, num(0)), num(0), grad / (result * 2));
  return var_backward(grad_var, self, mask, all, correction, keepdim);
}

Tensor norm_backward(const Tensor& grad, const Tensor& self, double p, const Tensor& norm,
                     uint64_t mask, bool keepdim) {
  if (p == 0) return Tensor();
  const int64_t nd = self.dim();
  Tensor g = restore_reduced_dims(grad, nd, mask, keepdim);
  Tensor r = restore_reduced_dims(norm, nd, mask, keepdim);
  if (p == 1) return sign(self) * g;
  Tensor norm_zero = eq(r, num(0));
  if (p == 2) return g * where(norm_zero, num(0), self / r);
  if (std::isinf(p)) {
    // amax(abs(self))'s gradient, NaNs counting as maxima.
    Tensor self_abs = abs(self);
    Tensor hits = logical_or(eq(self_abs, r), isnan(self_abs));
    return sign(self) * ((g / sum(hits, mask_dims(mask, nd), true)) * hits);
  }
  if (p < 1) {
    Tensor scaled = sign(self) * where(eq(self, num(0)), num(0), pow(abs(self), num(p - 1)));
    return scaled * g * pow(r, num(1 - p));
  }
  Tensor scaled =
      p < 2 ? sign(self) * pow(abs(self), num(p - 1)) : self * pow(abs(self), num(p - 2));
  return scaled * where(norm_zero, num(0), g / pow(r, num(p - 1)));
}

Tensor logsumexp_backward(const Tensor& grad, const Tensor& self, const Tensor& result,
                          uint64_t mask, bool keepdim) {
  const int64_t nd = self.dim();
  Tensor g = restore_reduced_dims(grad, nd, mask, keepdim);
  Tensor r = restore_reduced_dims(result, nd, mask, keepdim);
  return g * exp(self - r);
}

Tensor cumsum_backward(const Tensor& grad, int64_t dim) {
  if (grad.numel() <= 1 || grad.sizes()[dim] == 1) return grad;
  return flip(cumsum(flip(grad, {dim}), dim), {dim});
}

Tensor cumprod_backward(const Tensor& grad, const Tensor& input, const Tensor& output,
                        int64_t dim) {
  if (input.numel() <= 1 || input.sizes()[dim] == 1) return grad;
  Tensor w = output * grad;
  if (!has_zero(input)) return cumsum_backward(w, dim) / input;
  // Like torch: the cheap formula for a first derivative, the exact one when the backward itself
  // is recorded.
  if (!autograd::GradMode::is_enabled()) return cumprod_zeros_backward(grad, input, w, dim);
  return cumprod_zeros_double_backward(grad, input, dim);
}

Tensor cummaxmin_backward(const Tensor& grad, const Tensor& indices, int64_t dim) {
  if (grad.dim() == 0) return grad;
  return scatter_add(zeros(grad.sizes(), grad.dtype(), grad.device()), dim, indices, grad);
}

Tensor logcumsumexp_backward(const Tensor& grad, const Tensor& self, const Tensor& result,
                             int64_t dim) {
  if (grad.dim() == 0 || grad.numel() == 0) return grad;
  // exp(self) * reversed cumsum(grad / exp(result)), in log space, with the positive and negative
  // gradients apart (log of a negative number).
  Tensor floor = scalar_tensor(Scalar(lowest(grad.dtype())), grad.dtype(), grad.device());
  Tensor log_abs = log(abs(grad));
  Tensor log_pos = where(grad > 0, log_abs, floor), log_neg = where(grad < 0, log_abs, floor);
  auto reversed = [dim](const Tensor& x) { return flip(logcumsumexp(flip(x, {dim}), dim), {dim}); };
  return exp(reversed(log_pos - result) + self) - exp(reversed(log_neg - result) + self);
}

void record_value_selection(const char* name, const Tensor& self, const Tensor& values,
                            const Tensor& indices, int64_t dim, bool keepdim) {
  int64_t d = wrap_dim(dim, self.dim());
  DimVector sizes = self.sizes();
  autograd::record(name, {self}, {values}, {indices},
                   [d, sizes, keepdim](const autograd::Ctx& c) -> autograd::TensorList {
                     return {value_selecting_backward(c.grad(), d, c.saved(0), sizes, keepdim)};
                   });
}

void record_evenly_distributed(const char* name, const Tensor& self, const Tensor& result) {
  autograd::record(name, {self}, {result}, {self, result},
                   [](const autograd::Ctx& c) -> autograd::TensorList {
                     return {evenly_distribute_backward(c.grad(), c.saved(0), c.saved(1))};
                   });
}

}  // namespace cresset::reduce_detail
