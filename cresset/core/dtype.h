#pragma once
// Every dtype is one row of CRESSET_FORALL_DTYPES; names, sizes, C++ types, promotion and the
// dispatch macros all derive from it, so adding a dtype is one line here plus its promotion row.
#include <cstdint>
#include <string>

#include "cresset/core/half.h"

namespace cresset {

// _(C++ type, Enum name, torch name)
#define CRESSET_FORALL_DTYPES(_) \
  _(bool, Bool, "bool")          \
  _(uint8_t, UInt8, "uint8")     \
  _(int8_t, Int8, "int8")        \
  _(int16_t, Int16, "int16")     \
  _(int32_t, Int32, "int32")     \
  _(int64_t, Int64, "int64")     \
  _(Half, Float16, "float16")    \
  _(BFloat16, BFloat16, "bfloat16") \
  _(float, Float32, "float32")   \
  _(double, Float64, "float64")

enum class DType : int8_t {
#define CRESSET_ENUM(T, NAME, STR) NAME,
  CRESSET_FORALL_DTYPES(CRESSET_ENUM)
#undef CRESSET_ENUM
};

constexpr int kNumDTypes = 10;

/// Bytes per element.
inline int64_t itemsize(DType t) {
  switch (t) {
#define CRESSET_SIZE(T, NAME, STR) \
  case DType::NAME:                \
    return sizeof(T);
    CRESSET_FORALL_DTYPES(CRESSET_SIZE)
#undef CRESSET_SIZE
  }
  return 0;
}

/// torch's name without the "torch." prefix, e.g. "float32".
const char* dtype_name(DType t);
/// The legacy name torch uses in kernel errors, e.g. "Float" in "not implemented for 'Float'".
std::string dtype_display(DType t);

inline bool is_floating(DType t) { return t >= DType::Float16; }
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Bool ? include_bool : t < DType::Float16;
}
inline bool is_signed(DType t) { return t != DType::Bool && t != DType::UInt8; }
/// The largest finite value of a floating dtype (torch.finfo(t).max).
double largest_finite(DType floating);

/// torch.promote_types.
DType promote_types(DType a, DType b);

/// torch.can_cast: casting may not lower the category (bool < integral < floating).
bool can_cast(DType from, DType to);

/// The process-wide default floating dtype (torch.set_default_dtype).
DType default_dtype();
void set_default_dtype(DType t);

template <typename T>
struct DTypeOf;
#define CRESSET_DTYPEOF(T, NAME, STR) \
  template <>                         \
  struct DTypeOf<T> {                 \
    static constexpr DType value = DType::NAME; \
  };
CRESSET_FORALL_DTYPES(CRESSET_DTYPEOF)
#undef CRESSET_DTYPEOF

/// The type arithmetic on T happens in: float for the 16-bit floats, T otherwise.
template <typename T>
struct OpMath {
  using type = T;
};
template <>
struct OpMath<Half> {
  using type = float;
};
template <>
struct OpMath<BFloat16> {
  using type = float;
};
template <typename T>
using opmath_t = typename OpMath<T>::type;

// Dispatch on a runtime dtype: the body sees `scalar_t`. The list macros pick which rows exist,
// so kernels instantiate only the dtypes they support (template bloat is build time).
#define CRESSET_DISPATCH_CASE(T, NAME, ...) \
  case ::cresset::DType::NAME: {            \
    using scalar_t = T;                     \
    __VA_ARGS__();                          \
    break;                                  \
  }

#define CRESSET_CASES_FLOAT(...)                                      \
  CRESSET_DISPATCH_CASE(::cresset::Half, Float16, __VA_ARGS__)        \
  CRESSET_DISPATCH_CASE(::cresset::BFloat16, BFloat16, __VA_ARGS__)   \
  CRESSET_DISPATCH_CASE(float, Float32, __VA_ARGS__)                  \
  CRESSET_DISPATCH_CASE(double, Float64, __VA_ARGS__)
#define CRESSET_CASES_INT(...)                          \
  CRESSET_DISPATCH_CASE(uint8_t, UInt8, __VA_ARGS__)    \
  CRESSET_DISPATCH_CASE(int8_t, Int8, __VA_ARGS__)      \
  CRESSET_DISPATCH_CASE(int16_t, Int16, __VA_ARGS__)    \
  CRESSET_DISPATCH_CASE(int32_t, Int32, __VA_ARGS__)    \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__)
#define CRESSET_CASES_BOOL(...) CRESSET_DISPATCH_CASE(bool, Bool, __VA_ARGS__)

[[noreturn]] void dispatch_fail(const char* op, DType t);

#define CRESSET_DISPATCH_IMPL(OP, DTYPE, CASES, ...)           \
  [&] {                                                        \
    switch (DTYPE) {                                           \
      CASES(__VA_ARGS__)                                       \
      default:                                                 \
        ::cresset::dispatch_fail(OP, DTYPE);                   \
    }                                                          \
  }()

#define CRESSET_CASES_ALL(...)    \
  CRESSET_CASES_BOOL(__VA_ARGS__) \
  CRESSET_CASES_INT(__VA_ARGS__)  \
  CRESSET_CASES_FLOAT(__VA_ARGS__)
#define CRESSET_CASES_NUMERIC(...) \
  CRESSET_CASES_INT(__VA_ARGS__)   \
  CRESSET_CASES_FLOAT(__VA_ARGS__)
#define CRESSET_CASES_INTEGRAL_BOOL(...) \
  CRESSET_CASES_BOOL(__VA_ARGS__)        \
  CRESSET_CASES_INT(__VA_ARGS__)

/// Every dtype.
#define CRESSET_DISPATCH_ALL(OP, DTYPE, ...) \
  CRESSET_DISPATCH_IMPL(OP, DTYPE, CRESSET_CASES_ALL, __VA_ARGS__)
/// Every dtype but bool.
#define CRESSET_DISPATCH_NUMERIC(OP, DTYPE, ...) \
  CRESSET_DISPATCH_IMPL(OP, DTYPE, CRESSET_CASES_NUMERIC, __VA_ARGS__)
/// The four floating dtypes.
#define CRESSET_DISPATCH_FLOAT(OP, DTYPE, ...) \
  CRESSET_DISPATCH_IMPL(OP, DTYPE, CRESSET_CASES_FLOAT, __VA_ARGS__)
/// Integers and bool.
#define CRESSET_DISPATCH_INTEGRAL_BOOL(OP, DTYPE, ...) \
  CRESSET_DISPATCH_IMPL(OP, DTYPE, CRESSET_CASES_INTEGRAL_BOOL, __VA_ARGS__)

}  // namespace cresset
