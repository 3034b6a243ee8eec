#pragma once
// Tensor factories, fills and dtype/device conversions.
#include <optional>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// A 0-dim tensor holding `value` that promotes like a Python number (see result_type).
Tensor wrapped_scalar(Scalar value);
/// wrapped_scalar for a C++ Scalar overload (x + 2.0, x.mul(2)): recorded as torch's C++ API
/// records it (see TensorImpl::is_scalar_argument).
Tensor scalar_argument(Scalar value);
/// A 0-dim tensor holding `value` in `dtype`.
Tensor scalar_tensor(Scalar value, DType dtype, Device device = Device());
/// Throws torch's RuntimeError when `value` doesn't fit `dtype` (c10::checked_convert): integers
/// out of range, and for floating dtypes finite values beyond the largest (skipped for the 16-bit
/// floats unless `check_16bit`).
void check_scalar_fits(Scalar value, DType dtype, bool check_16bit = true);
/// A 0-dim tensor holding `value` in `dtype` after check_scalar_fits.
Tensor checked_scalar_tensor(Scalar value, DType dtype, Device device, bool check_16bit = true);
/// The value of a one-element tensor as a Scalar of its dtype's kind.
Scalar item_scalar(const Tensor& t);

/// torch.empty_permuted: an uninitialized tensor of logical shape `sizes` whose memory holds its
/// dims in the order `physical_layout` (a permutation; the last entry varies fastest).
Tensor empty_permuted(const DimVector& sizes, const DimVector& physical_layout, DType dtype,
                      Device device = Device());
/// torch.full: `sizes` filled with `value`.
Tensor full(const DimVector& sizes, Scalar value, DType dtype, Device device = Device());
Tensor zeros(const DimVector& sizes, DType dtype, Device device = Device());
Tensor ones(const DimVector& sizes, DType dtype, Device device = Device());
/// Tensor.fill_: writes `value` everywhere in `self` (returns self).
Tensor fill_(const Tensor& self, Scalar value);
/// Tensor.fill_ with a 0-dim tensor as the value.
Tensor fill_(const Tensor& self, const Tensor& value);
/// Tensor.zero_.
Tensor zero_(const Tensor& self);

/// For ops that overwrite every element of self in place (fill_, zero_, the random samplers),
/// `other` being a tensor argument they read: whether to record the overwrite; throws torch's
/// error for a leaf self that requires grad (call it before writing).
bool begin_overwrite(const Tensor& self, const Tensor& other = Tensor());
/// Records the overwrite of self (after writing): its history continues through node `name`,
/// which gives the old self a zero gradient.
void record_overwrite(const char* name, const Tensor& self);

/// The out= tensor of a factory, resized to `sizes` (kept as is when it already has them);
/// RuntimeError when `dtype` is given and differs from out's.
Tensor factory_out(const Tensor& out, const DimVector& sizes, std::optional<DType> dtype,
                   const char* op);

/// The dtype torch.arange infers: int64 when start, end and step are all integers, else the
/// default float dtype.
DType arange_dtype(Scalar start, Scalar end, Scalar step);
/// torch.arange: start, start + step, ... up to but excluding end.
Tensor arange(Scalar start, Scalar end, Scalar step, DType dtype, Device device = Device());
/// torch.arange(out=): resizes out to the length and fills it.
Tensor arange_out(Scalar start, Scalar end, Scalar step, const Tensor& out);
/// torch.range (deprecated): like arange but includes end.
Tensor range(Scalar start, Scalar end, Scalar step, DType dtype, Device device = Device());
Tensor range_out(Scalar start, Scalar end, Scalar step, const Tensor& out);
/// torch.linspace: `steps` evenly spaced values from start to end inclusive.
Tensor linspace(Scalar start, Scalar end, int64_t steps, DType dtype, Device device = Device());
Tensor linspace_out(Scalar start, Scalar end, int64_t steps, const Tensor& out);
/// torch.logspace: base ** linspace(start, end, steps).
Tensor logspace(Scalar start, Scalar end, int64_t steps, double base, DType dtype,
                Device device = Device());
Tensor logspace_out(Scalar start, Scalar end, int64_t steps, double base, const Tensor& out);
/// torch.eye: an n x m matrix with ones on the diagonal.
Tensor eye(int64_t n, int64_t m, DType dtype, Device device = Device());
Tensor eye_out(int64_t n, int64_t m, const Tensor& out);

/// torch.empty_like(self, dtype=, device=) with memory_format=torch.preserve_format.
Tensor empty_like(const Tensor& self, DType dtype, Device device);
/// torch.full_like (preserve_format).
Tensor full_like(const Tensor& self, Scalar value, DType dtype, Device device);

/// Tensor.to: self when the dtype and device already match and no copy is asked for, otherwise
/// a converted copy with self's layout (preserve_format), recorded as ToCopyBackward0.
Tensor to(const Tensor& self, DType dtype, Device device, bool copy = false);

}  // namespace cresset
