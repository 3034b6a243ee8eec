// Reductions and cumulative ops: argument checks with torch's errors, output dtypes and shapes,
// then one call into the reduction or scan engine (see Note [Reduction plan]).
#include "cresset/ops/reduce.h"

#include <cmath>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/reduce_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/out.h"
#include "cresset/ops/reduce_backward.h"
#include "cresset/ops/reduce_common.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace reduce_detail {

uint64_t dims_mask(const std::optional<DimVector>& dims, int64_t ndim) {
  CRESSET_CHECK(ndim <= 64, RuntimeError, "reductions support at most 64 dims, got ", ndim);
  uint64_t all = ndim == 64 ? ~uint64_t(0) : (uint64_t(1) << ndim) - 1;
  if (!dims || dims->empty()) return all;
  uint64_t mask = 0;
  for (int64_t d : *dims) {
    uint64_t bit = dim_mask(d, ndim);
    CRESSET_CHECK(!(mask & bit), RuntimeError, "dim ", wrap_dim(d, ndim),
                  " appears multiple times in the list of dims");
    mask |= bit;
  }
  return mask;
}

uint64_t dim_mask(int64_t dim, int64_t ndim) { return uint64_t(1) << wrap_dim(dim, ndim); }

DimVector reduced_shape(const DimVector& sizes, uint64_t mask, bool keepdim) {
  DimVector out;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (!(mask >> d & 1)) {
      out.push_back(sizes[d]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

void check_nonempty_dims(const Tensor& in, uint64_t mask, const char* op) {
  for (int64_t d = 0; d < in.dim(); ++d) {
    CRESSET_CHECK(!(mask >> d & 1) || in.sizes()[d] != 0, IndexError, op,
                  "(): Expected reduction dim ", d, " to have non-zero size.");
  }
}

Tensor output_for(const Tensor& out, const DimVector& shape, DType dtype, Device device) {
  if (out.defined() && out.is_contiguous() && out.sizes() == shape && out.dtype() == dtype &&
      out.device() == device) {
    return out;
  }
  return empty_tensor(shape, dtype, device);
}

Tensor deliver(const Tensor& result, const Tensor& out, bool exact_dtype) {
  if (!out.defined()) return result;
  if (!out.is_same(result)) {
    return copy_out(nullptr, out, result, exact_dtype ? OutDtype::Exact : OutDtype::Castable);
  }
  out.bump_version();
  return out;
}

}  // namespace reduce_detail

namespace {

using namespace reduce_detail;

// The result of one engine call: up to two outputs, in the order the kind writes them.
struct Outputs {
  Tensor first, second;
};

// Reduces `in` over `mask` with the kind in `c` into outputs of dtypes want0 (and want1). The
// input is cast to the kind's compute dtype (reduce_compute_dtype) and the engine's outputs to the
// wanted dtypes; outputs go straight into out0/out1 when those fit.
Outputs reduce(const Tensor& in, uint64_t mask, bool keepdim, ReduceCall c, DType want0,
               const Tensor& out0 = Tensor(), std::optional<DType> want1 = std::nullopt,
               const Tensor& out1 = Tensor(), bool logical_order = false) {
  const DType cd = reduce_compute_dtype(c.kind, in.dtype());
  const DType p0 = reduce_output_dtype(c.kind, cd, 0), p1 = reduce_output_dtype(c.kind, cd, 1);
  const Device dev = in.device();
  DimVector shape = reduced_shape(in.sizes(), mask, keepdim);
  Outputs r{output_for(p0 == want0 ? out0 : Tensor(), shape, p0, dev),
            want1 ? output_for(p1 == *want1 ? out1 : Tensor(), shape, p1, dev) : Tensor()};
  if (r.first.numel() > 0) {
    Tensor src = in.dtype() == cd ? in : cast_tensor(in, cd);
    ReducePlan plan = make_reduce_plan(src, mask, logical_order);
    c.dtype = cd;
    c.in = src.raw_data();
    c.out[0] = r.first.raw_data();
    c.out[1] = r.second.defined() ? r.second.raw_data() : nullptr;
    if (dev.is_cuda()) {
      cuda::reduce_kernel(plan, c);
    } else {
      CRESSET_CPU_DISPATCH(reduce_kernel, plan, c);
    }
  }
  if (p0 != want0) r.first = cast_tensor(r.first, want0);
  if (want1 && p1 != *want1) r.second = cast_tensor(r.second, *want1);
  return r;
}

ReduceCall call(ReduceKind kind) {
  ReduceCall c{};
  c.kind = kind;
  return c;
}

// sum, nansum and prod: integral inputs accumulate in int64; dtype (or out's dtype) casts first.
Tensor sum_like(ReduceKind kind, const Tensor& self, uint64_t mask, bool keepdim,
                std::optional<DType> dtype, const Tensor& out) {
  DType want = dtype                       ? *dtype
               : out.defined()             ? out.dtype()
               : is_floating(self.dtype()) ? self.dtype()
                                           : DType::Int64;
  bool cast = is_floating(want) ? self.dtype() != want : is_floating(self.dtype());
  if (kind == ReduceKind::NanSum) {
    // torch's nansum sums integral inputs, but a floating input cast to the integral dtype of
    // `out` reaches its floating-only kernel.
    CRESSET_CHECK(!cast || is_floating(want) || dtype, NotImplementedError,
                  "\"nansum_cpu\" not implemented for '", dtype_display(want), "'");
    if (!is_floating(want)) kind = ReduceKind::Sum;
  }
  Tensor in = cast ? cast_tensor(self, want) : self;
  return deliver(reduce(in, mask, keepdim, call(kind), want, out).first, out, dtype.has_value());
}

// mean and nanmean: the dtype must be floating.
Tensor mean_like(ReduceKind kind, const char* op, const Tensor& self, const OptDims& dim,
                 bool keepdim, std::optional<DType> dtype, const Tensor& out) {
  if (dtype) {
    CRESSET_CHECK(is_floating(*dtype), RuntimeError, op,
                  "(): could not infer output dtype. Optional dtype must be either a floating "
                  "point or complex dtype. Got: ",
                  dtype_display(*dtype));
  } else if (kind == ReduceKind::Mean) {
    CRESSET_CHECK(is_floating(self.dtype()), RuntimeError, op,
                  "(): could not infer output dtype. Input dtype must be either a floating point "
                  "or complex dtype. Got: ",
                  dtype_display(self.dtype()));
  } else {
    CRESSET_CHECK(is_floating(self.dtype()), RuntimeError, op,
                  "(): expected input to have floating point or complex dtype but got ",
                  dtype_display(self.dtype()));
  }
  // torch's nanmean writes out= through nansum, which has no integer kernel.
  CRESSET_CHECK(kind != ReduceKind::NanMean || !out.defined() || is_floating(out.dtype()),
                NotImplementedError, "[", op, "] \"nansum_cpu\" not implemented for '",
                dtype_display(out.dtype()), "'");
  DType want = dtype                                       ? *dtype
               : out.defined() && is_floating(out.dtype()) ? out.dtype()
                                                           : self.dtype();
  Tensor in = self.dtype() == want ? self : cast_tensor(self, want);
  Tensor r = reduce(in, dims_mask(dim, self.dim()), keepdim, call(kind), want, out).first;
  return deliver(r, out, dtype.has_value());
}

// max/min over every element: a 0-dim result; empty inputs have no identity.
Tensor full_extreme(ReduceKind kind, const char* op, const Tensor& self) {
  CRESSET_CHECK(self.numel() > 0, RuntimeError, op,
                "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                "reduction dim with the 'dim' argument.");
  return reduce(self, dims_mask(std::nullopt, self.dim()), false, call(kind), self.dtype()).first;
}

std::pair<Tensor, Tensor> extreme_dim(ReduceKind kind, const char* op, const Tensor& self,
                                      int64_t dim, bool keepdim, const Tensor& out_values,
                                      const Tensor& out_indices) {
  uint64_t mask = dim_mask(dim, self.dim());
  check_nonempty_dims(self, mask, op);
  Outputs r =
      reduce(self, mask, keepdim, call(kind), DType::Int64, out_indices, self.dtype(), out_values);
  return {deliver(r.second, out_values, true), deliver(r.first, out_indices, true)};
}

Tensor amax_like(ReduceKind kind, const char* op, const Tensor& self, const DimVector& dim,
                 bool keepdim, const Tensor& out) {
  uint64_t mask = dims_mask(dim, self.dim());
  if (dim.empty()) {
    CRESSET_CHECK(self.numel() > 0, RuntimeError, op,
                  "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                  "reduction dim with the 'dim' argument.");
  }
  check_nonempty_dims(self, mask, op);
  CRESSET_CHECK(!out.defined() || out.dtype() == self.dtype(), RuntimeError,
                "Expected the dtype for input and out to match, but got ",
                dtype_display(self.dtype()), " for input's dtype and ", dtype_display(out.dtype()),
                " for out's dtype.");
  return deliver(reduce(self, mask, keepdim, call(kind), self.dtype(), out).first, out, true);
}

Tensor arg_extreme(ReduceKind kind, const char* op, const Tensor& self, std::optional<int64_t> dim,
                   bool keepdim, const Tensor& out) {
  CRESSET_CHECK(self.dtype() != DType::Bool, RuntimeError, op, "(): does not support bool input");
  uint64_t mask;
  if (dim) {
    mask = dim_mask(*dim, self.dim());
    check_nonempty_dims(self, mask, op);
  } else {
    CRESSET_CHECK(self.numel() > 0, IndexError, op,
                  "(): Expected reduction dim to be specified for input.numel() == 0.");
    mask = dims_mask(std::nullopt, self.dim());
  }
  Tensor r = reduce(self, mask, keepdim, call(kind), DType::Int64, out, std::nullopt, Tensor(),
                    /*logical_order=*/true)
                 .first;
  return deliver(r, out, true);
}

Outputs var_like(const Tensor& self, const OptDims& dim, double correction, bool keepdim,
                 bool take_sqrt, bool with_mean, const Tensor& out) {
  CRESSET_CHECK(is_floating(self.dtype()), RuntimeError,
                "std and var only support floating point and complex dtypes");
  ReduceCall c = call(ReduceKind::Var);
  c.param = correction;
  c.take_sqrt = take_sqrt;
  uint64_t mask = dims_mask(dim, self.dim());
  return reduce(self, mask, keepdim, c, self.dtype(), out,
                with_mean ? std::optional<DType>(self.dtype()) : std::nullopt);
}

Tensor logical(ReduceKind kind, const Tensor& self, const OptDims& dim, bool keepdim,
               const Tensor& out) {
  DType want = self.dtype() == DType::UInt8 ? DType::UInt8 : DType::Bool;
  if (out.defined()) {
    // torch computes into a bool or uint8 out, whatever the input.
    const char* op = kind == ReduceKind::All ? "all" : "any";
    CRESSET_CHECK(out.dtype() == DType::Bool || out.dtype() == DType::UInt8, RuntimeError, "[", op,
                  "] ", op,
                  " only supports bool tensor for result, got: ", dtype_display(out.dtype()));
    want = out.dtype();
  }
  // Unlike sum, an explicit empty dim list reduces nothing here (torch's all/any).
  uint64_t mask = dim && dim->empty() ? 0 : dims_mask(dim, self.dim());
  return deliver(reduce(self, mask, keepdim, call(kind), want, out).first, out, true);
}

// The number of non-zeros: a sum over the input seen as bool.
Tensor count_nonzero_impl(const Tensor& self, uint64_t mask, bool keepdim) {
  Tensor b = self.dtype() == DType::Bool ? self : cast_tensor(self, DType::Bool);
  return reduce(b, mask, keepdim, call(ReduceKind::Sum), DType::Int64).first;
}

// Runs the scan engine along `dim` of `in` (any layout) into new contiguous outputs.
Outputs scan(ScanKind kind, const Tensor& in, int64_t dim, bool with_indices) {
  int64_t d = wrap_dim(dim, in.dim());
  Tensor src = contiguous(in);
  Outputs r{empty_tensor(in.sizes(), in.dtype(), in.device()),
            with_indices ? empty_tensor(in.sizes(), DType::Int64, in.device()) : Tensor()};
  ScanCall c{kind, in.dtype(), src.raw_data(), {r.first.raw_data(), nullptr}, 1, 1, 1};
  if (with_indices) c.out[1] = r.second.raw_data();
  for (int64_t k = 0; k < in.dim(); ++k) {
    int64_t s = in.sizes()[k];
    if (k < d) c.outer *= s;
    if (k == d) c.n = s;
    if (k > d) c.inner *= s;
  }
  if (in.device().is_cuda()) {
    cuda::scan_kernel(c);
  } else {
    cpu::scan_kernel(c);
  }
  return r;
}

Tensor cum_arith(ScanKind kind, const Tensor& self, int64_t dim, std::optional<DType> dtype,
                 const Tensor& out) {
  DType want = dtype                             ? *dtype
               : out.defined()                   ? out.dtype()
               : is_integral(self.dtype(), true) ? DType::Int64
                                                 : self.dtype();
  Tensor in = self.dtype() == want ? self : cast_tensor(self, want);
  return deliver(scan(kind, in, dim, false).first, out, dtype.has_value());
}

std::pair<Tensor, Tensor> cum_extreme(ScanKind kind, const Tensor& self, int64_t dim,
                                      const Tensor& out_values, const Tensor& out_indices) {
  Outputs r = scan(kind, self, dim, true);
  return {deliver(r.first, out_values, true), deliver(r.second, out_indices, true)};
}

}  // namespace

namespace reduce_detail {

bool wants_grad(const char* op, const Tensor& self, const Tensor& out, const Tensor& out2) {
  if (!autograd::needs_grad({self})) return false;
  check_out_grad(op, out.defined() || out2.defined());
  return true;
}

bool wants_grad_inplace(const Tensor& self) {
  if (!autograd::needs_grad({self})) return false;
  CRESSET_CHECK(!autograd::is_leaf(self), RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation.");
  return true;
}

}  // namespace reduce_detail

namespace {

using autograd::Ctx;
using autograd::TensorList;

// Note [Reduce autograd]
// Each differentiable op records one node with torch's name after its forward; the formulas are
// in reduce_backward.cpp. Non-tensor arguments (the reduced dims as a mask, keepdim, correction
// ...) are captured by value; dims are wrapped first. Integer outputs (indices) are never
// differentiable and are saved for the backward only.

// A dtype= argument can make an integral result, which autograd can't carry (torch's error).
void check_differentiable(const Tensor& result) {
  CRESSET_CHECK(is_floating(result.dtype()), RuntimeError,
                "Autograd not support dtype: ", dtype_display(result.dtype()));
}

// Records result = sum (scale 1) or mean (scale 1/n) of self over `mask`: the gradient is the
// incoming one, scaled and broadcast back over the reduced dims.
void record_sum(const char* name, const Tensor& self, const Tensor& result, uint64_t mask,
                bool keepdim, double scale) {
  check_differentiable(result);
  DimVector shape = self.sizes();
  autograd::record(name, {self}, {result}, {},
                   [shape, mask, keepdim, scale](const Ctx& c) -> TensorList {
                     Tensor g = reduction_grad(c.grad(), shape, mask, keepdim);
                     return {scale == 1.0 ? g : mul(g, wrapped_scalar(Scalar(scale)))};
                   });
}

// The number of elements each output of a reduction over `mask` sums.
int64_t reduced_count(const Tensor& self, uint64_t mask) {
  int64_t n = 1;
  for (int64_t d = 0; d < self.dim(); ++d) n *= (mask >> d & 1) ? self.sizes()[d] : 1;
  return n;
}

void record_amax(const char* name, const Tensor& self, const Tensor& result, uint64_t mask,
                 bool keepdim) {
  autograd::record(name, {self}, {result}, {self, result},
                   [mask, keepdim](const Ctx& c) -> TensorList {
                     return {amax_backward(c.grad(), c.saved(0), c.saved(1), mask, keepdim)};
                   });
}

// Records var/std (with_mean: var_mean/std_mean, a second output) over `dim` (nullopt: all).
void record_var(const char* name, const Tensor& self, const Tensor& result, const Tensor& mean_out,
                const OptDims& dim, double correction, bool keepdim, bool is_std) {
  uint64_t mask = dims_mask(dim, self.dim());
  bool all = !dim.has_value();
  DimVector shape = self.sizes();
  double inv_n = 1.0 / double(reduced_count(self, mask));
  TensorList outputs{result};
  if (mean_out.defined()) outputs.push_back(mean_out);
  autograd::record(
      name, {self}, outputs, {self, is_std ? result : Tensor()},
      [mask, all, correction, keepdim, is_std, shape, inv_n,
       with_mean = mean_out.defined()](const Ctx& c) -> TensorList {
        Tensor self = c.saved(0);
        Tensor g = is_std
                       ? std_backward(c.grad(0), self, c.saved(1), mask, all, correction, keepdim)
                       : var_backward(c.grad(0), self, mask, all, correction, keepdim);
        if (with_mean) {
          g = g +
              mul(reduction_grad(c.grad(1), shape, mask, keepdim), wrapped_scalar(Scalar(inv_n)));
        }
        return {g};
      });
}

// Records cumsum along dim (self's history is rebased when self is also the output).
void record_cumsum(const Tensor& self, const Tensor& result, int64_t dim) {
  check_differentiable(result);
  int64_t d = wrap_dim(dim, self.dim());
  autograd::record("CumsumBackward0", {self}, {result}, {},
                   [d](const Ctx& c) -> TensorList { return {cumsum_backward(c.grad(), d)}; });
}

// Records cumprod along dim; `input` holds self's values (a copy for the in-place form).
void record_cumprod(const Tensor& self, const Tensor& input, const Tensor& result, int64_t dim) {
  check_differentiable(result);
  int64_t d = wrap_dim(dim, self.dim());
  autograd::record("CumprodBackward0", {self}, {result}, {input, result},
                   [d](const Ctx& c) -> TensorList {
                     return {cumprod_backward(c.grad(), c.saved(0), c.saved(1), d)};
                   });
}

void record_cum_extreme(const char* name, const Tensor& self, const std::pair<Tensor, Tensor>& r,
                        int64_t dim) {
  int64_t d = wrap_dim(dim, self.dim());
  autograd::record(name, {self}, {r.first}, {r.second}, [d](const Ctx& c) -> TensorList {
    return {cummaxmin_backward(c.grad(), c.saved(0), d)};
  });
}

}  // namespace

Tensor reduction_grad(const Tensor& grad, const DimVector& input_shape, uint64_t mask,
                      bool keepdim) {
  return expand(restore_reduced_dims(grad, int64_t(input_shape.size()), mask, keepdim),
                input_shape);
}

Tensor sum(const Tensor& self, const OptDims& dim, bool keepdim, std::optional<DType> dtype,
           const Tensor& out) {
  bool grad = wants_grad("sum", self, out);
  uint64_t mask = dims_mask(dim, self.dim());
  Tensor r = sum_like(ReduceKind::Sum, self, mask, keepdim, dtype, out);
  if (grad) record_sum(dim ? "SumBackward1" : "SumBackward0", self, r, mask, keepdim, 1.0);
  return r;
}

Tensor nansum(const Tensor& self, const OptDims& dim, bool keepdim, std::optional<DType> dtype,
              const Tensor& out) {
  bool grad = wants_grad("nansum", self, out);
  uint64_t mask = dims_mask(dim, self.dim());
  Tensor r = sum_like(ReduceKind::NanSum, self, mask, keepdim, dtype, out);
  if (grad) {
    check_differentiable(r);
    DimVector shape = self.sizes();
    autograd::record("NansumBackward0", {self}, {r}, {self},
                     [shape, mask, keepdim](const Ctx& c) -> TensorList {
                       Tensor g = reduction_grad(c.grad(), shape, mask, keepdim);
                       return {g * logical_not(isnan(c.saved(0)))};
                     });
  }
  return r;
}

Tensor mean(const Tensor& self, const OptDims& dim, bool keepdim, std::optional<DType> dtype,
            const Tensor& out) {
  bool grad = wants_grad("mean", self, out);
  Tensor r = mean_like(ReduceKind::Mean, "mean", self, dim, keepdim, dtype, out);
  if (grad) {
    uint64_t mask = dims_mask(dim, self.dim());
    record_sum(dim ? "MeanBackward1" : "MeanBackward0", self, r, mask, keepdim,
               1.0 / double(reduced_count(self, mask)));
  }
  return r;
}

Tensor nanmean(const Tensor& self, const OptDims& dim, bool keepdim, std::optional<DType> dtype,
               const Tensor& out) {
  // torch's nanmean is nansum / count: its node is the division's, and out= fails in nansum.
  bool grad = wants_grad("nansum", self, out);
  Tensor r = mean_like(ReduceKind::NanMean, "nanmean", self, dim, keepdim, dtype, out);
  if (grad) {
    uint64_t mask = dims_mask(dim, self.dim());
    DimVector shape = self.sizes();
    autograd::record("DivBackward0", {self}, {r}, {self},
                     [shape, mask, keepdim](const Ctx& c) -> TensorList {
                       Tensor kept = logical_not(isnan(c.saved(0)));
                       Tensor count = sum(kept, mask_dims(mask, int64_t(shape.size())), keepdim);
                       return {reduction_grad(c.grad() / count, shape, mask, keepdim) * kept};
                     });
  }
  return r;
}

Tensor prod(const Tensor& self, std::optional<int64_t> dim, bool keepdim,
            std::optional<DType> dtype, const Tensor& out) {
  bool grad = wants_grad("prod", self, out);
  uint64_t mask = dim ? dim_mask(*dim, self.dim()) : dims_mask(std::nullopt, self.dim());
  Tensor r = sum_like(ReduceKind::Prod, self, mask, keepdim, dtype, out);
  if (grad) {
    check_differentiable(r);
    int64_t d = dim ? wrap_dim(*dim, self.dim()) : 0;
    bool all = !dim.has_value();
    autograd::record(dim ? "ProdBackward1" : "ProdBackward0", {self}, {r}, {self, r},
                     [d, all, keepdim](const Ctx& c) -> TensorList {
                       return {prod_backward(c.grad(), c.saved(0), c.saved(1), d, all, keepdim)};
                     });
  }
  return r;
}

Tensor max(const Tensor& self) {
  bool grad = wants_grad("max", self);
  Tensor r = full_extreme(ReduceKind::Max, "max", self);
  if (grad) record_evenly_distributed("MaxBackward1", self, r);
  return r;
}

Tensor min(const Tensor& self) {
  bool grad = wants_grad("min", self);
  Tensor r = full_extreme(ReduceKind::Min, "min", self);
  if (grad) record_evenly_distributed("MinBackward1", self, r);
  return r;
}

std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim,
                              const Tensor& out_values, const Tensor& out_indices) {
  bool grad = wants_grad("max", self, out_values, out_indices);
  auto r = extreme_dim(ReduceKind::ArgMax, "max", self, dim, keepdim, out_values, out_indices);
  if (grad) record_value_selection("MaxBackward0", self, r.first, r.second, dim, keepdim);
  return r;
}

std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim,
                              const Tensor& out_values, const Tensor& out_indices) {
  bool grad = wants_grad("min", self, out_values, out_indices);
  auto r = extreme_dim(ReduceKind::ArgMin, "min", self, dim, keepdim, out_values, out_indices);
  if (grad) record_value_selection("MinBackward0", self, r.first, r.second, dim, keepdim);
  return r;
}

Tensor amax(const Tensor& self, const DimVector& dim, bool keepdim, const Tensor& out) {
  bool grad = wants_grad("amax", self, out);
  Tensor r = amax_like(ReduceKind::Max, "amax", self, dim, keepdim, out);
  if (grad) record_amax("AmaxBackward0", self, r, dims_mask(dim, self.dim()), keepdim);
  return r;
}

Tensor amin(const Tensor& self, const DimVector& dim, bool keepdim, const Tensor& out) {
  bool grad = wants_grad("amin", self, out);
  Tensor r = amax_like(ReduceKind::Min, "amin", self, dim, keepdim, out);
  if (grad) record_amax("AminBackward0", self, r, dims_mask(dim, self.dim()), keepdim);
  return r;
}

std::pair<Tensor, Tensor> aminmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim,
                                  const Tensor& out_min, const Tensor& out_max) {
  bool grad = wants_grad("aminmax", self, out_min, out_max);
  uint64_t mask;
  if (dim) {
    mask = dim_mask(*dim, self.dim());
    check_nonempty_dims(self, mask, "aminmax");
  } else {
    CRESSET_CHECK(self.numel() > 0, RuntimeError,
                  "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                  "no identity.");
    mask = dims_mask(std::nullopt, self.dim());
  }
  Outputs r = reduce(self, mask, keepdim, call(ReduceKind::AMinMax), self.dtype(), out_min,
                     self.dtype(), out_max);
  std::pair<Tensor, Tensor> result{deliver(r.first, out_min, true),
                                   deliver(r.second, out_max, true)};
  if (grad) {
    autograd::record("AminmaxBackward0", {self}, {result.first, result.second},
                     {self, result.first, result.second},
                     [mask, keepdim](const Ctx& c) -> TensorList {
                       Tensor self = c.saved(0);
                       return {amax_backward(c.grad(0), self, c.saved(1), mask, keepdim) +
                               amax_backward(c.grad(1), self, c.saved(2), mask, keepdim)};
                     });
  }
  return result;
}

Tensor argmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim, const Tensor& out) {
  return arg_extreme(ReduceKind::ArgMax, "argmax", self, dim, keepdim, out);
}

Tensor argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim, const Tensor& out) {
  return arg_extreme(ReduceKind::ArgMin, "argmin", self, dim, keepdim, out);
}

Tensor var(const Tensor& self, const OptDims& dim, double correction, bool keepdim,
           const Tensor& out) {
  bool grad = wants_grad("var", self, out);
  Tensor r = deliver(var_like(self, dim, correction, keepdim, false, false, out).first, out, false);
  if (grad) record_var("VarBackward0", self, r, Tensor(), dim, correction, keepdim, false);
  return r;
}

Tensor std_dev(const Tensor& self, const OptDims& dim, double correction, bool keepdim,
               const Tensor& out) {
  bool grad = wants_grad("std", self, out);
  Tensor r = deliver(var_like(self, dim, correction, keepdim, true, false, out).first, out, false);
  if (grad) record_var("StdBackward0", self, r, Tensor(), dim, correction, keepdim, true);
  return r;
}

std::pair<Tensor, Tensor> var_mean(const Tensor& self, const OptDims& dim, double correction,
                                   bool keepdim) {
  bool grad = wants_grad("var_mean", self);
  Outputs r = var_like(self, dim, correction, keepdim, false, true, Tensor());
  if (grad)
    record_var("VarMeanBackward0", self, r.first, r.second, dim, correction, keepdim, false);
  return {r.first, r.second};
}

std::pair<Tensor, Tensor> std_mean(const Tensor& self, const OptDims& dim, double correction,
                                   bool keepdim) {
  bool grad = wants_grad("std_mean", self);
  Outputs r = var_like(self, dim, correction, keepdim, true, true, Tensor());
  if (grad) record_var("StdMeanBackward0", self, r.first, r.second, dim, correction, keepdim, true);
  return {r.first, r.second};
}

namespace {

Tensor norm_impl(const Tensor& self, double p, const OptDims& dim, bool keepdim,
                 std::optional<DType> dtype, const Tensor& out) {
  CRESSET_CHECK(is_floating(self.dtype()), RuntimeError,
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
                dtype_display(self.dtype()));
  uint64_t mask = dims_mask(dim, self.dim());
  if (p < 0 || std::isinf(p)) {
    // Max-like norms have no identity for an empty reduction.
    std::string ord = std::isinf(p) ? (p > 0 ? "inf" : "-inf") : str_cat(p);
    if (!dim || dim->empty()) {
      CRESSET_CHECK(self.numel() > 0, RuntimeError, "linalg.vector_norm cannot compute the ", ord,
                    " norm on an empty tensor because the operation does not have an identity");
    }
    for (int64_t d = 0; d < self.dim(); ++d) {
      CRESSET_CHECK(!(mask >> d & 1) || self.sizes()[d] != 0, RuntimeError,
                    "linalg.vector_norm cannot compute the ", ord, " norm on the dimension ", d,
                    "because this dimension is empty and the operation does not have an identity");
    }
  }
  DType want = dtype ? *dtype : self.dtype();
  if (p == 0) return deliver(cast_tensor(count_nonzero_impl(self, mask, keepdim), want), out, true);
  Tensor in = want != self.dtype() ? cast_tensor(self, want) : self;
  ReduceCall c = call(ReduceKind::Norm);
  c.param = p;
  c.norm = p == 1          ? NormKind::One
           : p == 2        ? NormKind::Two
           : std::isinf(p) ? (p > 0 ? NormKind::Inf : NormKind::NegInf)
                           : NormKind::General;
  return deliver(reduce(in, mask, keepdim, c, want, out).first, out, true);
}

// The norm recorded under `node`: torch's Python norms record LinalgVectorNormBackward0, its C++
// composites' at::norm NormBackward1.
Tensor norm_recorded(const char* node, const Tensor& self, double p, const OptDims& dim,
                     bool keepdim, std::optional<DType> dtype, const Tensor& out) {
  bool grad = wants_grad("linalg_vector_norm", self, out);
  Tensor r = norm_impl(self, p, dim, keepdim, dtype, out);
  if (grad) {
    uint64_t mask = dims_mask(dim, self.dim());
    autograd::record(node, {self}, {r}, {self, r}, [p, mask, keepdim](const Ctx& c) -> TensorList {
      return {norm_backward(c.grad(), c.saved(0), p, c.saved(1), mask, keepdim)};
    });
  }
  return r;
}

}  // namespace

Tensor norm(const Tensor& self, double p, const OptDims& dim, bool keepdim,
            std::optional<DType> dtype, const Tensor& out) {
  return norm_recorded("LinalgVectorNormBackward0", self, p, dim, keepdim, dtype, out);
}

Tensor at_norm(const Tensor& self, double p, const DimVector& dim, bool keepdim) {
  return norm_recorded("NormBackward1", self, p, dim, keepdim, std::nullopt, Tensor());
}

Tensor logsumexp(const Tensor& self, const DimVector& dim, bool keepdim, const Tensor& out) {
  bool grad = wants_grad("logsumexp", self, out);
  if (out.defined()) {
    CRESSET_CHECK(is_floating(out.dtype()), RuntimeError,
                  "logsumexp(): Expected floating point type for result tensor, but got: ",
                  dtype_display(out.dtype()));
  }
  Tensor in = is_floating(self.dtype()) ? self : cast_tensor(self, default_dtype());
  uint64_t mask = dims_mask(dim, self.dim());
  Tensor r = deliver(reduce(in, mask, keepdim, call(ReduceKind::LogSumExp), in.dtype(), out).first,
                     out, false);
  if (grad) {
    autograd::record("LogsumexpBackward0", {self}, {r}, {self, r},
                     [mask, keepdim](const Ctx& c) -> TensorList {
                       return {logsumexp_backward(c.grad(), c.saved(0), c.saved(1), mask, keepdim)};
                     });
  }
  return r;
}

Tensor all(const Tensor& self, const OptDims& dim, bool keepdim, const Tensor& out) {
  return logical(ReduceKind::All, self, dim, keepdim, out);
}

Tensor any(const Tensor& self, const OptDims& dim, bool keepdim, const Tensor& out) {
  return logical(ReduceKind::Any, self, dim, keepdim, out);
}

Tensor count_nonzero(const Tensor& self, const OptDims& dim) {
  return count_nonzero_impl(self, dims_mask(dim, self.dim()), false);
}

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<DType> dtype, const Tensor& out) {
  bool grad = wants_grad("cumsum", self, out);
  Tensor r = cum_arith(ScanKind::CumSum, self, dim, dtype, out);
  if (grad) record_cumsum(self, r, dim);
  return r;
}

Tensor cumsum_(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  bool grad = wants_grad_inplace(self);
  Tensor r = cum_arith(ScanKind::CumSum, self, dim, dtype, self);
  if (grad) record_cumsum(self, self, dim);
  return r;
}

Tensor cumprod(const Tensor& self, int64_t dim, std::optional<DType> dtype, const Tensor& out) {
  bool grad = wants_grad("cumprod", self, out);
  Tensor r = cum_arith(ScanKind::CumProd, self, dim, dtype, out);
  if (grad) record_cumprod(self, self, r, dim);
  return r;
}

Tensor cumprod_(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  bool grad = wants_grad_inplace(self);
  Tensor before = grad ? clone(self) : Tensor();
  Tensor r = cum_arith(ScanKind::CumProd, self, dim, dtype, self);
  if (grad) record_cumprod(self, before, self, dim);
  return r;
}

std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim, const Tensor& out_values,
                                 const Tensor& out_indices) {
  bool grad = wants_grad("cummax", self, out_values, out_indices);
  auto r = cum_extreme(ScanKind::CumMax, self, dim, out_values, out_indices);
  if (grad) record_cum_extreme("CummaxBackward0", self, r, dim);
  return r;
}

std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim, const Tensor& out_values,
                                 const Tensor& out_indices) {
  bool grad = wants_grad("cummin", self, out_values, out_indices);
  auto r = cum_extreme(ScanKind::CumMin, self, dim, out_values, out_indices);
  if (grad) record_cum_extreme("CumminBackward0", self, r, dim);
  return r;
}

Tensor logcumsumexp(const Tensor& self, int64_t dim, const Tensor& out) {
  bool grad = wants_grad("logcumsumexp", self, out);
  CRESSET_CHECK(is_floating(self.dtype()), NotImplementedError,
                "\"logcumsumexp_out_cpu\" not implemented for '", dtype_display(self.dtype()), "'");
  Tensor r = deliver(scan(ScanKind::LogCumSumExp, self, dim, false).first, out, true);
  if (grad) {
    int64_t d = wrap_dim(dim, self.dim());
    autograd::record("LogcumsumexpBackward0", {self}, {r}, {self, r},
                     [d](const Ctx& c) -> TensorList {
                       return {logcumsumexp_backward(c.grad(), c.saved(0), c.saved(1), d)};
                     });
  }
  return r;
}

}  // namespace cresset
