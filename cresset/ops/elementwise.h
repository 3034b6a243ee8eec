#pragma once
// Elementwise ops: the rows of elementwise.def, plus the ops with extra arguments (alpha=,
// rounding_mode=, bounds ...) and the composites built on them.
#include <optional>
#include <string_view>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

// What a row's Api (see elementwise.def) generates: the function, its in-place form, its out= form.
// Each macro expands to its arguments when the Api has that form and to nothing otherwise.
#define CRESSET_EW_FN_Full(...) __VA_ARGS__
#define CRESSET_EW_FN_Number(...) __VA_ARGS__
#define CRESSET_EW_FN_Tensors(...) __VA_ARGS__
#define CRESSET_EW_FN_Pure(...) __VA_ARGS__
#define CRESSET_EW_FN_NoOut(...) __VA_ARGS__
#define CRESSET_EW_FN_Query(...) __VA_ARGS__
#define CRESSET_EW_FN_QueryOut(...) __VA_ARGS__
#define CRESSET_EW_FN_Custom(...)
#define CRESSET_EW_FN_Row(...)
#define CRESSET_EW_INPLACE_Full(...) __VA_ARGS__
#define CRESSET_EW_INPLACE_Number(...) __VA_ARGS__
#define CRESSET_EW_INPLACE_Tensors(...) __VA_ARGS__
#define CRESSET_EW_INPLACE_Pure(...)
#define CRESSET_EW_INPLACE_NoOut(...) __VA_ARGS__
#define CRESSET_EW_INPLACE_Query(...)
#define CRESSET_EW_INPLACE_QueryOut(...)
#define CRESSET_EW_INPLACE_Custom(...)
#define CRESSET_EW_INPLACE_Row(...)
#define CRESSET_EW_OUT_Full(...) __VA_ARGS__
#define CRESSET_EW_OUT_Number(...) __VA_ARGS__
#define CRESSET_EW_OUT_Tensors(...) __VA_ARGS__
#define CRESSET_EW_OUT_Pure(...) __VA_ARGS__
#define CRESSET_EW_OUT_NoOut(...)
#define CRESSET_EW_OUT_Query(...)
#define CRESSET_EW_OUT_QueryOut(...) __VA_ARGS__
#define CRESSET_EW_OUT_Custom(...)
#define CRESSET_EW_OUT_Row(...)
// Only the Row Api generates ew::name_row.
#define CRESSET_EW_ROW_Full(...)
#define CRESSET_EW_ROW_Number(...)
#define CRESSET_EW_ROW_Tensors(...)
#define CRESSET_EW_ROW_Pure(...)
#define CRESSET_EW_ROW_NoOut(...)
#define CRESSET_EW_ROW_Query(...)
#define CRESSET_EW_ROW_QueryOut(...)
#define CRESSET_EW_ROW_Custom(...)
#define CRESSET_EW_ROW_Row(...) __VA_ARGS__

namespace cresset {

// For each row: name(x), the in-place name_(x) (returns x), and name_out(x, out) (returns out),
// as its Api allows. Python numbers enter as wrapped_scalar() tensors.
// clang-format off
#define CRESSET_UNARY(name, Functor, Kind, Api, ...)                  \
  CRESSET_EW_FN_##Api(Tensor name(const Tensor& self);)               \
  CRESSET_EW_INPLACE_##Api(Tensor name##_(const Tensor& self);)       \
  CRESSET_EW_OUT_##Api(Tensor name##_out(const Tensor& self, const Tensor& out);)
#define CRESSET_BINARY(name, Functor, Kind, Api, ...)                                  \
  CRESSET_EW_FN_##Api(Tensor name(const Tensor& self, const Tensor& other);)           \
  CRESSET_EW_INPLACE_##Api(Tensor name##_(const Tensor& self, const Tensor& other);)   \
  CRESSET_EW_OUT_##Api(                                                                \
      Tensor name##_out(const Tensor& self, const Tensor& other, const Tensor& out);)
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
// clang-format on

namespace ew {
// For each row of Api Row: the row run with its Scalar parameters `args`, into a new tensor (out
// undefined), into `out`, or into self (inplace). `op` names the op in errors and its autograd
// node ("leaky_relu_" -> LeakyReluBackward1).
// clang-format off
#define CRESSET_UNARY(name, Functor, Kind, Api, ...)                                      \
  CRESSET_EW_ROW_##Api(Tensor name##_row(const char* op, const Tensor& self, const Scalar* args, \
                                         const Tensor& out, bool inplace);)
#define CRESSET_BINARY(name, Functor, Kind, Api, ...)                                     \
  CRESSET_EW_ROW_##Api(Tensor name##_row(const char* op, const Tensor& self, const Tensor& other, \
                                         const Scalar* args, const Tensor& out, bool inplace);)
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
// clang-format on
}  // namespace ew

/// torch.add: self + alpha * other.
Tensor add(const Tensor& self, const Tensor& other, Scalar alpha = 1);
Tensor add_(const Tensor& self, const Tensor& other, Scalar alpha = 1);
Tensor add_out(const Tensor& self, const Tensor& other, const Tensor& out, Scalar alpha = 1);
/// torch.sub: self - alpha * other (bool operands rejected, like torch).
Tensor sub(const Tensor& self, const Tensor& other, Scalar alpha = 1);
Tensor sub_(const Tensor& self, const Tensor& other, Scalar alpha = 1);
Tensor sub_out(const Tensor& self, const Tensor& other, const Tensor& out, Scalar alpha = 1);
/// torch.rsub: other - alpha * self.
Tensor rsub(const Tensor& self, const Tensor& other, Scalar alpha = 1);

/// torch.div: true division, or rounded with rounding_mode "trunc" / "floor".
Tensor div(const Tensor& self, const Tensor& other,
           std::optional<std::string_view> rounding_mode = std::nullopt);
Tensor div_(const Tensor& self, const Tensor& other,
            std::optional<std::string_view> rounding_mode = std::nullopt);
Tensor div_out(const Tensor& self, const Tensor& other, const Tensor& out,
               std::optional<std::string_view> rounding_mode = std::nullopt);

/// torch.pow. A negative Python-number exponent of an integer tensor is an error; exponents 0 and
/// 1 given as numbers are a fill and a copy (so pow(bool_tensor, 1) works, like torch).
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow_(const Tensor& self, const Tensor& exponent);
Tensor pow_out(const Tensor& self, const Tensor& exponent, const Tensor& out);
/// torch.float_power: pow computed and returned in float64.
Tensor float_power(const Tensor& self, const Tensor& exponent);
Tensor float_power_(const Tensor& self, const Tensor& exponent);
Tensor float_power_out(const Tensor& self, const Tensor& exponent, const Tensor& out);
/// torch.square: pow(self, 2) (bool gives int64, like torch).
Tensor square(const Tensor& self);
Tensor square_(const Tensor& self);
Tensor square_out(const Tensor& self, const Tensor& out);
/// torch.positive: self itself (bool rejected).
Tensor positive(const Tensor& self);

/// torch.clamp with number bounds (at least one given); the result promotes with them.
Tensor clamp(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor clamp_(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor clamp_out(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max,
                 const Tensor& out);
/// torch.clamp with tensor bounds (undefined = absent): minimum(maximum(self, min), max).
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max);
Tensor clamp_(const Tensor& self, const Tensor& min, const Tensor& max);
Tensor clamp_out(const Tensor& self, const Tensor& min, const Tensor& max, const Tensor& out);
/// torch.clamp_min (is_min) or torch.clamp_max: clamp with one bound, recorded under its own name
/// (ClampMinBackward0 for a number, ClampMinBackward1 for a tensor) as torch does. `inplace`
/// writes into self; otherwise into `out` when defined (out=), else a new tensor.
Tensor clamp_bound(const Tensor& self, std::optional<Scalar> bound, bool is_min, const Tensor& out,
                   bool inplace);
Tensor clamp_bound(const Tensor& self, const Tensor& bound, bool is_min, const Tensor& out,
                   bool inplace);

/// torch.where(condition, self, other): self where condition holds, other elsewhere.
Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other);
Tensor where_out(const Tensor& condition, const Tensor& self, const Tensor& other,
                 const Tensor& out);

/// torch.lerp: self + weight * (end - self), weight a number or a tensor.
Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight);
Tensor lerp_(const Tensor& self, const Tensor& end, Scalar weight);
Tensor lerp_out(const Tensor& self, const Tensor& end, Scalar weight, const Tensor& out);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);
Tensor lerp_(const Tensor& self, const Tensor& end, const Tensor& weight);
Tensor lerp_out(const Tensor& self, const Tensor& end, const Tensor& weight, const Tensor& out);

/// torch.addcmul: self + value * tensor1 * tensor2.
Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
Tensor addcmul_(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
Tensor addcmul_out(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                   const Tensor& out, Scalar value = 1);
/// torch.addcdiv: self + value * tensor1 / tensor2 (two integer tensors rejected).
Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
Tensor addcdiv_(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1);
Tensor addcdiv_out(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                   const Tensor& out, Scalar value = 1);

/// torch.nan_to_num: NaN, +inf and -inf replaced (defaults 0, the dtype's max and lowest).
Tensor nan_to_num(const Tensor& self, std::optional<double> nan = 0.0,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
Tensor nan_to_num_(const Tensor& self, std::optional<double> nan = 0.0,
                   std::optional<double> posinf = std::nullopt,
                   std::optional<double> neginf = std::nullopt);
Tensor nan_to_num_out(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                      std::optional<double> neginf, const Tensor& out);
/// torch.logit: log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given.
Tensor logit(const Tensor& self, std::optional<double> eps = std::nullopt);
Tensor logit_(const Tensor& self, std::optional<double> eps = std::nullopt);
Tensor logit_out(const Tensor& self, std::optional<double> eps, const Tensor& out);
/// torch.round: half to even, at `decimals` decimal digits.
Tensor round(const Tensor& self, int64_t decimals = 0);
Tensor round_(const Tensor& self, int64_t decimals = 0);
Tensor round_out(const Tensor& self, int64_t decimals, const Tensor& out);

/// torch.isclose: |self - other| <= atol + rtol * |other| (and equal infinities / NaNs).
Tensor isclose(const Tensor& self, const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
               bool equal_nan = false);
/// torch.allclose: isclose everywhere (operands broadcast).
bool allclose(const Tensor& self, const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
/// torch.equal: same shape and equal values (dtypes may differ).
bool equal(const Tensor& self, const Tensor& other);

}  // namespace cresset
