#include "cresset/ops/creation.h"

#include "cresset/ops/view.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

// ---- fills and scalars ------------------------------------------------------------------------

namespace {

// Writes value everywhere in self without touching its version: factories fill fresh tensors
// (version 0, as torch's); fill_ and zero_ bump it themselves.
Tensor fill_impl(const Tensor& self, Scalar value) {
  // torch fills tensors whose elements alias (expanded dims) too: dropping the stride-0 dims
  // leaves a view of the same memory where every element is distinct.
  Tensor target = self;
  DimVector sizes = self.sizes();
  bool aliased = false;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (self.strides()[d] == 0 && sizes[d] > 1) {
      sizes[d] = 1;
      aliased = true;
    }
  }
  if (aliased) target = self.as_strided_view(sizes, self.strides(), self.storage_offset());
  TensorIter it = TensorIterConfig("fill_").add_output(target).is_inplace(true).build();
  if (it.numel() > 0) {
    if (self.device().is_cpu()) {
      CRESSET_CPU_DISPATCH(fill_kernel, it, value);
    } else {
      cuda::fill_kernel(it, value);
    }
  }
  return self;
}

Tensor zeros_like_grad(const Tensor& g) { return zeros(g.sizes(), g.dtype(), g.device()); }

}  // namespace

bool begin_overwrite(const Tensor& self, const Tensor& other) {
  self.check_inplace_allowed();
  if (!autograd::needs_grad({self, other})) return false;
  autograd::check_inplace(self);
  return true;
}

void record_overwrite(const char* name, const Tensor& self) {
  autograd::record(name, {self}, {self}, {}, [](const autograd::Ctx& c) -> autograd::TensorList {
    return {zeros_like_grad(c.grad())};
  });
}

Tensor fill_(const Tensor& self, Scalar value) {
  check_scalar_fits(value, self.dtype());
  const bool grad = begin_overwrite(self);
  fill_impl(self, value);
  self.bump_version("fill_");
  if (grad) record_overwrite("FillBackward2", self);
  return self;
}

Tensor fill_(const Tensor& self, const Tensor& value) {
  CRESSET_CHECK(value.dim() == 0, RuntimeError,
                "[fill_] fill_ only supports 0-dimension value tensor but got tensor with ",
                value.dim(), " dimensions.");
  const bool grad = begin_overwrite(self, value);
  fill_impl(self, item_scalar(value));
  self.bump_version("fill_");
  if (grad) {
    // Every element is the value: its gradient is the sum of self's.
    autograd::record("FillBackward3", {self, value}, {self}, {},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       return {zeros_like_grad(c.grad()), sum(c.grad())};
                     });
  }
  return self;
}

Tensor zero_(const Tensor& self) {
  const bool grad = begin_overwrite(self);
  fill_impl(self, Scalar(int64_t(0)));
  self.bump_version("zero_");
  if (grad) record_overwrite("ZeroBackward0", self);
  return self;
}

Scalar item_scalar(const Tensor& t) {
  CRESSET_CHECK(t.numel() == 1, RuntimeError, "a Tensor with ", t.numel(),
                " elements cannot be converted to Scalar");
  Tensor cpu = t.device().is_cpu() ? t : to(t, t.dtype(), Device());
  Scalar s;
  CRESSET_DISPATCH_ALL("item", t.dtype(), [&] {
    scalar_t v = *cpu.data<scalar_t>();
    if constexpr (std::is_same_v<scalar_t, bool>) {
      s = Scalar(v);
    } else if constexpr (std::is_integral_v<scalar_t>) {
      s = Scalar(int64_t(v));
    } else {
      s = Scalar(double(opmath_t<scalar_t>(v)));
    }
  });
  return s;
}

Tensor scalar_tensor(Scalar value, DType dtype, Device device) {
  Tensor t = empty_tensor({}, dtype, device);
  if (device.is_cpu()) {
    CRESSET_DISPATCH_ALL("scalar_tensor", dtype,
                         [&] { *t.data<scalar_t>() = value.to<scalar_t>(); });
    return t;
  }
  return fill_impl(t, value);
}

namespace {

// The C++ type names torch's overflow message uses.
const char* checked_type_name(DType t) {
  switch (t) {
    case DType::UInt8:
      return "uint8_t";
    case DType::Int8:
      return "int8_t";
    case DType::Int16:
      return "int16_t";
    case DType::Int32:
      return "int";
    case DType::Int64:
      return "int64_t";
    case DType::Float16:
      return "c10::Half";
    case DType::BFloat16:
      return "c10::BFloat16";
    case DType::Float32:
      return "float";
    case DType::Float64:
      return "double";
    default:
      return "bool";
  }
}

}  // namespace

void check_scalar_fits(Scalar value, DType dtype, bool check_16bit) {
  if (dtype == DType::Bool) return;
  bool overflow = false;
  if (is_floating(dtype)) {
    if (!check_16bit && itemsize(dtype) == 2) return;
    double v = value.to_double();
    overflow = std::isfinite(v) && std::abs(v) > largest_finite(dtype);
  } else {
    CRESSET_DISPATCH_INTEGRAL_BOOL("fill_", dtype, [&] {
      using L = std::numeric_limits<scalar_t>;
      if (value.is_float()) {
        double v = value.to_double();
        overflow = !(v >= double(L::lowest()) && v <= double(L::max()));
      } else {
        int64_t v = value.to_int();
        if constexpr (!L::is_signed) {
          // torch lets negative ints wrap into unsigned types (uint8 -1 is 255) down to -max.
          overflow = v > int64_t(L::max()) || (v < 0 && -(uint64_t(v)) > uint64_t(L::max()));
        } else {
          overflow = v < int64_t(L::lowest()) || v > int64_t(L::max());
        }
      }
    });
  }
  CRESSET_CHECK(!overflow, RuntimeError, "value cannot be converted to type ",
                checked_type_name(dtype), " without overflow");
}

Tensor checked_scalar_tensor(Scalar value, DType dtype, Device device, bool check_16bit) {
  check_scalar_fits(value, dtype, check_16bit);
  return scalar_tensor(value, dtype, device);
}

Tensor wrapped_scalar(Scalar value) {
  Tensor t = scalar_tensor(value, value.natural_dtype());
  t.impl()->set_wrapped_number(true);
  return t;
}

Tensor scalar_argument(Scalar value) {
  Tensor t = scalar_tensor(value, value.natural_dtype());
  t.impl()->set_scalar_argument();
  return t;
}

Tensor full(const DimVector& sizes, Scalar value, DType dtype, Device device) {
  check_scalar_fits(value, dtype);
  return fill_impl(empty_tensor(sizes, dtype, device), value);
}

Tensor zeros(const DimVector& sizes, DType dtype, Device device) {
  return full(sizes, Scalar(int64_t(0)), dtype, device);
}

Tensor ones(const DimVector& sizes, DType dtype, Device device) {
  return full(sizes, Scalar(int64_t(1)), dtype, device);
}

Tensor factory_out(const Tensor& out, const DimVector& sizes, std::optional<DType> dtype,
                   const char* op) {
  CRESSET_CHECK(!dtype || *dtype == out.dtype(), RuntimeError, "[", op, "] dtype ",
                dtype_display(dtype.value_or(out.dtype())),
                " does not match dtype of out parameter (", dtype_display(out.dtype()), ")");
  for (int64_t s : sizes) {
    CRESSET_CHECK(s >= 0, RuntimeError, "[", op,
                  "] Trying to create tensor with negative dimension ", s, ": ", shape_str(sizes));
  }
  if (out.sizes() != sizes) resize_tensor(out, sizes);
  return out;
}

// ---- ranges -----------------------------------------------------------------------------------

namespace {

// Writes value_at(i) (a scalar_t) at every index of the 1-D tensor `out`, in parallel; through a
// contiguous CPU buffer when out isn't one already.
template <typename scalar_t, typename F>
void generate(const Tensor& out, const F& value_at) {
  bool direct = out.device().is_cpu() && out.is_contiguous();
  Tensor buf = direct ? out : empty_tensor(out.sizes(), out.dtype());
  scalar_t* p = buf.data<scalar_t>();
  parallel_for(0, buf.numel(), kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) p[i] = value_at(i);
  });
  if (!direct) copy_into(out, buf);
  out.bump_version();
}

// The type torch's CPU range kernels accumulate in: int64 for integers, float for the 16-bit
// floats, double otherwise.
template <typename scalar_t>
using range_acc_t = std::conditional_t<
    std::is_integral_v<scalar_t>, int64_t,
    std::conditional_t<std::is_same_v<scalar_t, double> || std::is_same_v<scalar_t, float>, double,
                       float>>;

void check_range_bounds(const char* op, Scalar start, Scalar end, Scalar step) {
  double s = start.to_double(), e = end.to_double(), st = step.to_double();
  CRESSET_CHECK(st > 0 || st < 0, RuntimeError, "[", op, "] step must be nonzero");
  CRESSET_CHECK(std::isfinite(s) && std::isfinite(e), RuntimeError, "[", op,
                "] unsupported range: ", s, " -> ", e);
  CRESSET_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), RuntimeError, "[", op,
                "] upper bound and lower bound inconsistent with step sign");
}

void check_not_bool(const Tensor& out, const char* kernel) {
  CRESSET_CHECK(out.dtype() != DType::Bool, NotImplementedError, "\"", kernel,
                "\" not implemented for 'Bool'");
}

void resize_1d(const Tensor& out, int64_t n) {
  if (out.dim() != 1 || out.numel() != n) resize_tensor(out, {n});
}

}  // namespace

DType arange_dtype(Scalar start, Scalar end, Scalar step) {
  bool all_int = !start.is_float() && !end.is_float() && !step.is_float();
  return all_int ? DType::Int64 : default_dtype();
}

Tensor arange_out(Scalar start, Scalar end, Scalar step, const Tensor& out) {
  check_not_bool(out, "arange_cpu");
  check_range_bounds("arange", start, end, step);
  CRESSET_DISPATCH_NUMERIC("arange", out.dtype(), [&] {
    using acc_t = range_acc_t<scalar_t>;
    double size_d;
    if constexpr (std::is_same_v<scalar_t, int64_t>) {
      // Exact integer arithmetic: int64 has more precision than double.
      int64_t s = start.to<int64_t>(), e = end.to<int64_t>(), st = step.to<int64_t>();
      CRESSET_CHECK(st != 0, ValueError, "[arange] step must be nonzero");
      int64_t sgn = (st > 0) - (st < 0);
      size_d = double((e - s + st - sgn) / st);
    } else {
      size_d = std::ceil((end.to_double() - start.to_double()) / step.to_double());
    }
    CRESSET_CHECK(size_d >= 0 && size_d <= double(std::numeric_limits<int64_t>::max()),
                  RuntimeError, "[arange] invalid size, possible overflow?");
    resize_1d(out, int64_t(size_d));
    const acc_t s = start.to<acc_t>(), st = step.to<acc_t>();
    generate<scalar_t>(out, [&](int64_t i) { return scalar_t(s + st * acc_t(i)); });
  });
  return out;
}

Tensor arange(Scalar start, Scalar end, Scalar step, DType dtype, Device device) {
  return arange_out(start, end, step, empty_tensor({0}, dtype, device));
}

Tensor range_out(Scalar start, Scalar end, Scalar step, const Tensor& out) {
  check_not_bool(out, "range_cpu");
  check_range_bounds("range", start, end, step);
  CRESSET_DISPATCH_NUMERIC("range", out.dtype(), [&] {
    using acc_t = range_acc_t<scalar_t>;
    const acc_t s = start.to<acc_t>(), e = end.to<acc_t>(), st = step.to<acc_t>();
    resize_1d(out, int64_t((e - s) / st + 1));
    generate<scalar_t>(out, [&](int64_t i) { return scalar_t(s + acc_t(i) * st); });
  });
  return out;
}

Tensor range(Scalar start, Scalar end, Scalar step, DType dtype, Device device) {
  return range_out(start, end, step, empty_tensor({0}, dtype, device));
}

Tensor linspace_out(Scalar start, Scalar end, int64_t steps, const Tensor& out) {
  CRESSET_CHECK(steps >= 0, RuntimeError, "[linspace] number of steps must be non-negative");
  check_not_bool(out, "linspace_cpu");
  resize_1d(out, steps);
  if (steps == 1) return fill_(out, start);
  if (steps == 0) return out;
  const int64_t halfway = steps / 2;
  CRESSET_DISPATCH_NUMERIC("linspace", out.dtype(), [&] {
    const scalar_t s = start.to<scalar_t>(), e = end.to<scalar_t>();
    if constexpr (std::is_integral_v<scalar_t>) {
      const double step = (double(e) - double(s)) / double(steps - 1);
      generate<scalar_t>(out, [&](int64_t i) {
        return scalar_t(i < halfway ? double(s) + step * double(i)
                                    : double(e) - step * double(steps - i - 1));
      });
    } else if constexpr (std::is_same_v<scalar_t, float> || std::is_same_v<scalar_t, double>) {
      const scalar_t step = (e - s) / scalar_t(steps - 1);
      generate<scalar_t>(out, [&](int64_t i) {
        return i < halfway ? s + step * scalar_t(i) : e - step * scalar_t(steps - i - 1);
      });
    } else {
      // c10's 16-bit float arithmetic rounds to the 16-bit type after every operation.
      using T = scalar_t;
      const T step = T(float(T(float(e) - float(s))) / float(T(float(steps - 1))));
      generate<scalar_t>(out, [&](int64_t i) {
        float k = float(T(float(i < halfway ? i : steps - i - 1)));
        float delta = float(T(float(step) * k));
        return i < halfway ? T(float(s) + delta) : T(float(e) - delta);
      });
    }
  });
  return out;
}

Tensor empty_permuted(const DimVector& sizes, const DimVector& physical_layout, DType dtype,
                      Device device) {
  const int64_t n = int64_t(sizes.size());
  CRESSET_CHECK(int64_t(physical_layout.size()) == n, RuntimeError,
                "[empty_permuted] Number of dimensions in size does not match the length of the "
                "physical_layout; i.e. len(size) = ", n, " is not equal to len(physical_layout) = ",
                physical_layout.size());
  std::vector<bool> seen(size_t(n), false);
  DimVector strides(size_t(n), 0);
  int64_t stride = 1;
  for (int64_t i = n - 1; i >= 0; --i) {  // the last physical dim is innermost
    const int64_t d = physical_layout[size_t(i)];
    CRESSET_CHECK(d >= 0 && d < n, RuntimeError, "[empty_permuted] Dimension out of range "
                  "(expected to be between 0 and ", n - 1, ", but got ", d, " at index ", i,
                  ").  NB: negative dims not currently supported; file an issue if you want it.");
    CRESSET_CHECK(!seen[size_t(d)], RuntimeError, "[empty_permuted] Duplicate dim not allowed");
    seen[size_t(d)] = true;
    strides[size_t(d)] = stride;
    stride *= std::max<int64_t>(sizes[size_t(d)], 1);
  }
  return empty_strided_tensor(sizes, strides, dtype, device);
}

Tensor linspace(Scalar start, Scalar end, int64_t steps, DType dtype, Device device) {
  return linspace_out(start, end, steps, empty_tensor({0}, dtype, device));
}

Tensor logspace_out(Scalar start, Scalar end, int64_t steps, double base, const Tensor& out) {
  CRESSET_CHECK(steps >= 0, RuntimeError, "[logspace] number of steps must be non-negative");
  check_not_bool(out, "logspace_cpu");
  resize_1d(out, steps);
  if (steps == 1) return fill_(out, Scalar(std::pow(base, start.to_double())));
  if (steps == 0) return out;
  const int64_t halfway = steps / 2;
  CRESSET_DISPATCH_NUMERIC("logspace", out.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    const scalar_t s = start.to<scalar_t>(), e = end.to<scalar_t>();
    const double step = double(M(e) - M(s)) / double(steps - 1);
    generate<scalar_t>(out, [&](int64_t i) {
      double x = i < halfway ? double(M(s)) + step * double(i)
                             : double(M(e)) - step * double(steps - i - 1);
      return scalar_t(M(std::pow(base, x)));
    });
  });
  return out;
}

Tensor logspace(Scalar start, Scalar end, int64_t steps, double base, DType dtype, Device device) {
  return logspace_out(start, end, steps, base, empty_tensor({0}, dtype, device));
}

Tensor eye_out(int64_t n, int64_t m, const Tensor& out) {
  CRESSET_CHECK(n >= 0, RuntimeError, "[eye] n must be greater or equal to 0, got ", n);
  CRESSET_CHECK(m >= 0, RuntimeError, "[eye] m must be greater or equal to 0, got ", m);
  if (out.sizes() != DimVector{n, m}) resize_tensor(out, {n, m});
  zero_(out);
  int64_t k = std::min(n, m);
  if (k > 0) {
    Tensor diag = out.as_strided_view({k}, {out.stride(0) + out.stride(1)}, out.storage_offset());
    fill_(diag, Scalar(int64_t(1)));
  }
  return out;
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  return eye_out(n, m, empty_tensor({0}, dtype, device));
}

// ---- *_like and conversions -------------------------------------------------------------------

namespace {

bool same_device(Device a, Device b) {
  return a.type == b.type && (a.index == b.index || a.index < 0 || b.index < 0);
}

}  // namespace

Tensor empty_like(const Tensor& self, DType dtype, Device device) {
  return empty_strided_tensor(self.sizes(), preserve_format_strides(self), dtype, device);
}

Tensor full_like(const Tensor& self, Scalar value, DType dtype, Device device) {
  check_scalar_fits(value, dtype);
  return fill_impl(empty_like(self, dtype, device), value);
}

Tensor to(const Tensor& self, DType dtype, Device device, bool copy) {
  if (!copy && dtype == self.dtype() && same_device(device, self.device())) return self;
  Tensor out = empty_like(self, dtype, device);
  copy_into(out, self);
  // Conversions to integral dtypes are not differentiable.
  if (is_floating(dtype) && autograd::needs_grad({self})) {
    const DType from = self.dtype();
    const Device from_device = self.device();
    autograd::record("ToCopyBackward0", {self}, {out}, {},
                     [from, from_device](const autograd::Ctx& c) -> autograd::TensorList {
                       return {to(c.grad(), from, from_device)};
                     });
  }
  return out;
}

}  // namespace cresset
