#pragma once
// A Python-number-like value: bool, int64 or double. Ops take Scalars where torch takes numbers.
#include <cstdint>
#include <type_traits>

#include "cresset/core/dtype.h"

namespace cresset {

class Scalar {
 public:
  enum class Kind : int8_t { Bool, Int, Float };

  Scalar() : kind_(Kind::Int), i_(0) {}
  Scalar(bool v) : kind_(Kind::Bool), i_(v) {}
  Scalar(int v) : kind_(Kind::Int), i_(v) {}
  Scalar(int64_t v) : kind_(Kind::Int), i_(v) {}
  Scalar(double v) : kind_(Kind::Float), d_(v) {}
  /// Any other integer type (size_t, long long, unsigned ...) is an Int too.
  template <typename I,
            typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool> &&
                                        !std::is_same_v<I, int> && !std::is_same_v<I, int64_t>>>
  Scalar(I v) : kind_(Kind::Int), i_(int64_t(v)) {}

  Kind kind() const { return kind_; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_float() const { return kind_ == Kind::Float; }

  double to_double() const { return kind_ == Kind::Float ? d_ : double(i_); }
  int64_t to_int() const { return kind_ == Kind::Float ? int64_t(d_) : i_; }
  bool to_bool() const { return kind_ == Kind::Float ? d_ != 0 : i_ != 0; }

  /// The value converted to T (the 16-bit floats go through float).
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) {
      return to_bool();
    } else if constexpr (std::is_integral_v<T>) {
      return kind_ == Kind::Float ? T(int64_t(d_)) : T(i_);
    } else {
      return T(opmath_t<T>(to_double()));
    }
  }

  /// The dtype a 0-dim tensor made from this scalar gets: bool, int64 or the default float.
  DType natural_dtype() const {
    return kind_ == Kind::Bool ? DType::Bool
           : kind_ == Kind::Int ? DType::Int64
                                : DType::Float64;
  }

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

}  // namespace cresset
