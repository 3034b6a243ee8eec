#pragma once
// Scalar functors for the elementwise table (ops/elementwise.def). Each is a class template over
// the compute type T (float for the 16-bit floats, see opmath_t) with a host/device operator()
// that the CPU loops and the CUDA kernels both call. Functors with parameters (alpha, clamp
// bounds ...) take them from the row's Scalar arguments in their constructor, which runs once per
// kernel call. Keep them branch-light: the CPU loops vectorize them (ternaries become blends).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cresset/core/half.h"
#include "cresset/core/scalar.h"

namespace cresset::functors {

#define CRESSET_FN CRESSET_HOST_DEVICE CRESSET_INLINE

template <typename T>
constexpr bool kIsBool = std::is_same_v<T, bool>;
template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;
template <typename T>
constexpr bool kIsSignedInt = std::is_integral_v<T> && std::is_signed_v<T>;

// Integer arithmetic wraps like torch's: do it in the unsigned type of T's promoted type, where
// overflow is defined (int16 * int16 would otherwise overflow `int`).
template <typename T, bool = std::is_integral_v<T> && !kIsBool<T>>
struct WrapType {
  using type = T;
};
template <typename T>
struct WrapType<T, true> {
  using type = std::make_unsigned_t<decltype(T() + T())>;
};
template <typename T>
using Wrap = typename WrapType<T>::type;

template <typename T>
CRESSET_FN bool is_nan(T x) {
  if constexpr (kIsFloat<T>) {
    return x != x;
  } else {
    return false;
  }
}
template <typename T>
CRESSET_FN T wrap_neg(T x) {
  return T(Wrap<T>(0) - Wrap<T>(x));
}
// torch.maximum / torch.minimum: NaN wins; otherwise std::max / std::min (first operand on ties).
template <typename T>
CRESSET_FN T max_nan(T a, T b) {
  return is_nan(a) ? a : is_nan(b) ? b : (a < b ? b : a);
}
template <typename T>
CRESSET_FN T min_nan(T a, T b) {
  return is_nan(a) ? a : is_nan(b) ? b : (b < a ? b : a);
}

// ---- unary: arithmetic ----
template <typename T>
struct Neg {
  CRESSET_FN T operator()(T x) const { return wrap_neg(x); }
};
template <typename T>
struct Abs {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::abs(x);
    } else if constexpr (kIsSignedInt<T>) {
      return x < 0 ? wrap_neg(x) : x;
    } else {
      return x;
    }
  }
};
template <typename T>
struct Sign {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsBool<T> || std::is_unsigned_v<T>) {
      return T(x != T(0));
    } else {
      return T(int(T(0) < x) - int(x < T(0)));  // NaN -> 0, like torch
    }
  }
};
template <typename T>
struct Reciprocal {
  CRESSET_FN T operator()(T x) const { return T(1) / x; }
};
template <typename T>
struct Relu {
  CRESSET_FN T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < T(0) ? T(0) : x;  // keeps NaN and -0.0, like torch
    }
  }
};
template <typename T>
struct Deg2rad {
  CRESSET_FN T operator()(T x) const { return x * T(0.017453292519943295769236907684886); }
};
template <typename T>
struct Rad2deg {
  CRESSET_FN T operator()(T x) const { return x * T(57.295779513082320876798154814105); }
};

// exp in the functors: float's is vec_math.h's vectorizable expf in the CPU kernel files (they
// include vec_math.h first, see Note [Fast expf]), std::exp elsewhere (CUDA, double).
template <typename T>
CRESSET_FN T exp_of(T x) {
#ifdef CRESSET_VEC_EXPF
  if constexpr (std::is_same_v<T, float>) return vec_math::expf(x);
#endif
  return std::exp(x);
}

// ---- unary: exponentials, logarithms, powers ----
template <typename T>
struct Exp {
  CRESSET_FN T operator()(T x) const { return exp_of(x); }
};
template <typename T>
struct Exp2 {
  CRESSET_FN T operator()(T x) const { return std::exp2(x); }
};
template <typename T>
struct Expm1 {
  CRESSET_FN T operator()(T x) const { return std::expm1(x); }
};
template <typename T>
struct Log {
  CRESSET_FN T operator()(T x) const { return std::log(x); }
};
template <typename T>
struct Log2 {
  CRESSET_FN T operator()(T x) const { return std::log2(x); }
};
template <typename T>
struct Log10 {
  CRESSET_FN T operator()(T x) const { return std::log10(x); }
};
template <typename T>
struct Log1p {
  CRESSET_FN T operator()(T x) const { return std::log1p(x); }
};
template <typename T>
struct Sqrt {
  CRESSET_FN T operator()(T x) const { return std::sqrt(x); }
};
template <typename T>
struct Rsqrt {
  CRESSET_FN T operator()(T x) const { return T(1) / std::sqrt(x); }
};
template <typename T>
struct Sigmoid {
  CRESSET_FN T operator()(T x) const { return T(1) / (T(1) + exp_of(-x)); }
};
// torch.logit: log(z / (1 - z)), z = x clamped to [eps, 1 - eps] when eps (args[0]) is >= 0.
// torch rounds each step to the storage type (float16 and bfloat16 too), so this functor runs at
// the storage type (see kStorageArithmetic) and casts after every operation.
template <typename T>
struct Logit {
  static constexpr bool kStorageArithmetic = true;
  T lo, hi;
  bool clamp;
  explicit Logit(const Scalar* args)
      : lo(args[0].to<T>()), hi(T(T(1) - lo)), clamp(args[0].to_double() >= 0) {}
  CRESSET_FN T operator()(T x) const {
    T z = clamp ? (x < lo ? lo : (x > hi ? hi : x)) : x;
    return T(std::log(T(z / T(T(1) - z))));
  }
};

// ---- unary: trigonometric and hyperbolic ----
template <typename T>
struct Sin {
  CRESSET_FN T operator()(T x) const { return std::sin(x); }
};
template <typename T>
struct Cos {
  CRESSET_FN T operator()(T x) const { return std::cos(x); }
};
template <typename T>
struct Tan {
  CRESSET_FN T operator()(T x) const { return std::tan(x); }
};
template <typename T>
struct Asin {
  CRESSET_FN T operator()(T x) const { return std::asin(x); }
};
template <typename T>
struct Acos {
  CRESSET_FN T operator()(T x) const { return std::acos(x); }
};
template <typename T>
struct Atan {
  CRESSET_FN T operator()(T x) const { return std::atan(x); }
};
template <typename T>
struct Sinh {
  CRESSET_FN T operator()(T x) const { return std::sinh(x); }
};
template <typename T>
struct Cosh {
  CRESSET_FN T operator()(T x) const { return std::cosh(x); }
};
template <typename T>
struct Tanh {
  CRESSET_FN T operator()(T x) const { return std::tanh(x); }
};
template <typename T>
struct Asinh {
  CRESSET_FN T operator()(T x) const { return std::asinh(x); }
};
template <typename T>
struct Acosh {
  CRESSET_FN T operator()(T x) const { return std::acosh(x); }
};
template <typename T>
struct Atanh {
  CRESSET_FN T operator()(T x) const { return std::atanh(x); }
};

// ---- unary: special functions ----
template <typename T>
struct Erf {
  CRESSET_FN T operator()(T x) const { return std::erf(x); }
};
template <typename T>
struct Erfc {
  CRESSET_FN T operator()(T x) const { return std::erfc(x); }
};
// Inverse error function: a rational first guess (central and tail ranges), then two Newton
// steps on erf(x) - y, which bring it to the precision of T.
template <typename T>
struct Erfinv {
  CRESSET_FN T operator()(T y) const {
    T ay = std::abs(y);
    if (!(ay <= T(1))) return std::numeric_limits<T>::quiet_NaN();
    if (ay == T(1)) return std::copysign(std::numeric_limits<T>::infinity(), y);
    T x;
    if (ay <= T(0.7)) {
      T z = y * y;
      T num = ((T(-0.140543331) * z + T(0.914624893)) * z + T(-1.645349621)) * z + T(0.886226899);
      T den =
          (((T(0.012229801) * z + T(-0.329097515)) * z + T(1.442710462)) * z + T(-2.118377725)) *
              z +
          T(1);
      x = y * num / den;
    } else {
      T z = std::sqrt(-std::log((T(1) - ay) / T(2)));
      T num = ((T(1.641345311) * z + T(3.429567803)) * z + T(-1.624906493)) * z + T(-1.970840454);
      T den = (T(1.637067800) * z + T(3.543889200)) * z + T(1);
      x = std::copysign(num, y) / den;
    }
    const T two_over_sqrt_pi = T(1.128379167095512573896158903121545);
    x = x - (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
    x = x - (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
    return x;
  }
};
template <typename T>
struct Lgamma {
  CRESSET_FN T operator()(T x) const {
#if defined(__CUDA_ARCH__)
    return std::lgamma(x);
#else
    int sign;  // the reentrant form: lgamma writes the global signgam, a race across threads
    if constexpr (std::is_same_v<T, float>) {
      return lgammaf_r(x, &sign);
    } else {
      return lgamma_r(x, &sign);
    }
#endif
  }
};
// Digamma: reflection for negative x, recurrence up to x >= 10, then the asymptotic series.
template <typename T>
struct Digamma {
  CRESSET_FN T operator()(T x) const {
    const T pi = T(3.14159265358979323846264338327950288);
    if (x == T(0)) return std::copysign(std::numeric_limits<T>::infinity(), -x);
    T result = 0;
    if (x < T(0)) {
      if (x == std::trunc(x)) return std::numeric_limits<T>::quiet_NaN();
      // psi(x) = psi(1 - x) - pi / tan(pi * x); tan of the fractional part is more accurate.
      result = -pi / std::tan(pi * (x - std::trunc(x)));
      x = T(1) - x;
    }
    while (x < T(10)) {
      result -= T(1) / x;
      x += T(1);
    }
    if (x == T(10)) return result + T(2.25175258906672110764);
    T y = 0;
    if (x < T(1e17)) {
      T z = T(1) / (x * x);
      T p = T(8.33333333333333333333E-2);
      p = p * z + T(-2.10927960927960927961E-2);
      p = p * z + T(7.57575757575757575758E-3);
      p = p * z + T(-4.16666666666666666667E-3);
      p = p * z + T(3.96825396825396825397E-3);
      p = p * z + T(-8.33333333333333333333E-3);
      p = p * z + T(8.33333333333333333333E-2);
      y = z * p;
    }
    return result + std::log(x) - T(0.5) / x - y;
  }
};

// ---- unary: rounding (identity on integers) ----
template <typename T>
struct Floor {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::floor(x);
    } else {
      return x;
    }
  }
};
template <typename T>
struct Ceil {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::ceil(x);
    } else {
      return x;
    }
  }
};
template <typename T>
struct Trunc {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::trunc(x);
    } else {
      return x;
    }
  }
};
// Round half to even (nearbyint in the default rounding mode), like torch.round.
template <typename T>
struct Round {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::nearbyint(x);
    } else {
      return x;
    }
  }
};
// torch.round(decimals=d): scales by 10^|d| (dividing first when d < 0), rounds, scales back.
template <typename T>
struct RoundDecimals {
  T scale;
  bool negative;
  explicit RoundDecimals(const Scalar* args)
      : scale(T(std::pow(10.0, double(std::abs(args[0].to_int()))))),
        negative(args[0].to_int() < 0) {}
  CRESSET_FN T operator()(T x) const {
    return negative ? std::nearbyint(x / scale) * scale : std::nearbyint(x * scale) / scale;
  }
};
template <typename T>
struct Frac {
  CRESSET_FN T operator()(T x) const { return x - std::trunc(x); }
};

// ---- unary: clamps (args: the bounds, already in range for T) ----
template <typename T>
struct Clamp {
  T lo, hi;
  explicit Clamp(const Scalar* args) : lo(args[0].to<T>()), hi(args[1].to<T>()) {}
  CRESSET_FN T operator()(T x) const { return min_nan(max_nan(x, lo), hi); }
};
template <typename T>
struct ClampMin {
  T lo;
  explicit ClampMin(const Scalar* args) : lo(args[0].to<T>()) {}
  CRESSET_FN T operator()(T x) const { return max_nan(x, lo); }
};
template <typename T>
struct ClampMax {
  T hi;
  explicit ClampMax(const Scalar* args) : hi(args[0].to<T>()) {}
  CRESSET_FN T operator()(T x) const { return min_nan(x, hi); }
};
// torch.nan_to_num: args are the replacements for NaN, +inf and -inf; integers pass through.
template <typename T>
struct NanToNum {
  T nan, posinf, neginf;
  explicit NanToNum(const Scalar* args)
      : nan(args[0].to<T>()), posinf(args[1].to<T>()), neginf(args[2].to<T>()) {}
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      const T inf = std::numeric_limits<T>::infinity();
      return x != x ? nan : x == inf ? posinf : x == -inf ? neginf : x;
    } else {
      return x;
    }
  }
};

// ---- unary: activations (torch's CPU formulas; hardtanh is Clamp) ----
// Note [Branch-free activations]
// GCC won't if-convert a select one of whose arms holds a floating-point operation (it may trap,
// -ftrapping-math), and it sinks an operation used by one arm only into that arm, or folds
// (c ? 6 : a) / 6 into c ? 1 : a / 6; such a loop stays scalar under AVX2 (AVX-512 masks the
// arms). So the cheap activations below select inputs, not results, and compute every operation
// for every element.

// args[0] = negative_slope: max(x, 0) + negative_slope * min(x, 0) (NaN passes through max).
template <typename T>
struct LeakyRelu {
  T slope, zero = T(0);
  explicit LeakyRelu(const Scalar* args) : slope(args[0].to<T>()) {}
  CRESSET_FN T operator()(T x) const {
    T pos = x < T(0) ? zero : x;
    T neg = x < T(0) ? x : zero;
    return pos + neg * slope;
  }
};
// args = alpha, scale, input_scale: scale * x for x > 0, else alpha * scale * expm1(x * input_scale)
// (elu, selu and celu). See Note [Branch-free activations]; NaN takes the x > 0 path, like torch.
template <typename T>
struct Elu {
  T neg_coef, pos_coef, input_scale, zero = T(0);
  explicit Elu(const Scalar* args)
      : neg_coef(T(args[0].to_double() * args[1].to_double())),
        pos_coef(args[1].to<T>()),
        input_scale(args[2].to<T>()) {}
  CRESSET_FN T operator()(T x) const {
    T pos = x <= T(0) ? zero : x;
    T neg = x <= T(0) ? x : zero;
    return pos * pos_coef + std::expm1(neg * input_scale) * neg_coef;
  }
};
// x * Phi(x), Phi the standard normal CDF.
template <typename T>
struct Gelu {
  CRESSET_FN T operator()(T x) const {
    return x * T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
};
// gelu(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
template <typename T>
struct GeluTanh {
  CRESSET_FN T operator()(T x) const {
    T inner = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    return T(0.5) * x * (T(1) + std::tanh(inner));
  }
};
// grad * gelu'(x) = grad * (Phi(x) + x * phi(x)), torch's formula.
template <typename T>
struct GeluBackward {
  CRESSET_FN T operator()(T grad, T x) const {
    T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    T pdf = exp_of(T(-0.5) * x * x) * T(0.39894228040143267794);
    return grad * (cdf + x * pdf);
  }
};
// grad where x > threshold, else 0 (torch's threshold_backward: a NaN x passes the gradient, a
// NaN gradient at a masked element gives 0).
template <typename T>
struct ThresholdBackward {
  T threshold;
  explicit ThresholdBackward(const Scalar* args) : threshold(args[0].to<T>()) {}
  CRESSET_FN T operator()(T grad, T x) const { return x <= threshold ? T(0) : grad; }
};
template <typename T>
struct Silu {
  CRESSET_FN T operator()(T x) const { return x / (T(1) + exp_of(-x)); }
};
// grad * silu'(x) = grad * s * (1 + x * (1 - s)), s = sigmoid(x).
template <typename T>
struct SiluBackward {
  CRESSET_FN T operator()(T grad, T x) const {
    T s = T(1) / (T(1) + exp_of(-x));
    return grad * s * (T(1) + x * (T(1) - s));
  }
};
template <typename T>
struct Mish {
  CRESSET_FN T operator()(T x) const { return x * std::tanh(std::log1p(exp_of(x))); }
};
// relu6(x + 3) / 6; the comparisons keep NaN.
template <typename T>
CRESSET_FN T relu6_shifted(T x) {
  T a = x + T(3);
  a = a < T(0) ? T(0) : a;
  return a > T(6) ? T(6) : a;
}
// relu6(x + 3) / 6. The select of a NaN (which the clamp keeps anyway) stops GCC folding the
// clamp's 6 / 6 into an arm (see Note [Branch-free activations]).
template <typename T>
struct Hardsigmoid {
  T six = T(6);
  CRESSET_FN T operator()(T x) const {
    T a = x + T(3);
    T c = relu6_shifted(x);
    return (a != a ? a : c) / six;
  }
};
template <typename T>
struct Hardswish {
  CRESSET_FN T operator()(T x) const { return x * relu6_shifted(x) / T(6); }
};
// args = beta, threshold: log1p(exp(beta x)) / beta, or x where beta x > threshold.
template <typename T>
struct Softplus {
  T beta, threshold;
  explicit Softplus(const Scalar* args) : beta(args[0].to<T>()), threshold(args[1].to<T>()) {}
  CRESSET_FN T operator()(T x) const {
    return x * beta > threshold ? x : std::log1p(exp_of(x * beta)) / beta;
  }
};
// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), stable at both ends.
template <typename T>
struct LogSigmoid {
  CRESSET_FN T operator()(T x) const {
    return (x < T(0) ? x : T(0)) - std::log1p(exp_of(-std::abs(x)));
  }
};
// args[0] = lambd.
// x minus x clamped to [-lambd, lambd] (see Note [Branch-free activations]).
template <typename T>
struct Softshrink {
  T lambd;
  explicit Softshrink(const Scalar* args) : lambd(args[0].to<T>()) {}
  CRESSET_FN T operator()(T x) const {
    return x - (x > lambd ? lambd : (x < -lambd ? -lambd : x));
  }
};
template <typename T>
struct Hardshrink {
  T lambd;
  explicit Hardshrink(const Scalar* args) : lambd(args[0].to<T>()) {}
  CRESSET_FN T operator()(T x) const { return x >= -lambd && x <= lambd ? T(0) : x; }
};
// args = threshold, value: value where x <= threshold.
template <typename T>
struct Threshold {
  T threshold, value;
  explicit Threshold(const Scalar* args) : threshold(args[0].to<T>()), value(args[1].to<T>()) {}
  CRESSET_FN T operator()(T x) const { return x <= threshold ? value : x; }
};

// ---- unary: predicates (bool results) ----
template <typename T>
struct IsNan {
  CRESSET_FN bool operator()(T x) const { return is_nan(x); }
};
template <typename T>
struct IsInf {
  CRESSET_FN bool operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::abs(x) == std::numeric_limits<T>::infinity();
    } else {
      return false;
    }
  }
};
template <typename T>
struct IsFinite {
  CRESSET_FN bool operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::abs(x) < std::numeric_limits<T>::infinity();  // false for NaN too
    } else {
      return true;
    }
  }
};
template <typename T>
struct IsPosInf {
  CRESSET_FN bool operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return x == std::numeric_limits<T>::infinity();
    } else {
      return false;
    }
  }
};
template <typename T>
struct IsNegInf {
  CRESSET_FN bool operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return x == -std::numeric_limits<T>::infinity();
    } else {
      return false;
    }
  }
};
template <typename T>
struct IsReal {
  CRESSET_FN bool operator()(T) const { return true; }
};
template <typename T>
struct Signbit {
  CRESSET_FN bool operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      // The sign bit read as an integer: GCC 12 fails to compile a vectorized std::signbit.
      using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
      Bits u;
      std::memcpy(&u, &x, sizeof(T));
      return (u >> (sizeof(T) * 8 - 1)) != 0;
    } else if constexpr (kIsSignedInt<T>) {
      return x < 0;
    } else {
      return false;
    }
  }
};

// ---- unary: logical and bitwise ----
template <typename T>
struct LogicalNot {
  CRESSET_FN bool operator()(T x) const { return !x; }
};
template <typename T>
struct BitwiseNot {
  CRESSET_FN T operator()(T x) const {
    if constexpr (kIsBool<T>) {
      return !x;
    } else {
      return T(~x);
    }
  }
};

// ---- binary: arithmetic ----
// torch.add / torch.sub: a + alpha * b (args[0] = alpha; sub passes -alpha).
template <typename T>
struct AddAlpha {
  T alpha;
  explicit AddAlpha(const Scalar* args) : alpha(args[0].to<T>()) {}
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (kIsBool<T>) {
      return a || (alpha && b);
    } else {
      return T(Wrap<T>(a) + Wrap<T>(alpha) * Wrap<T>(b));
    }
  }
};
template <typename T>
struct Mul {
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (kIsBool<T>) {
      return a && b;
    } else {
      return T(Wrap<T>(a) * Wrap<T>(b));
    }
  }
};
template <typename T>
struct Div {
  CRESSET_FN T operator()(T a, T b) const { return a / b; }
};
// Integer quotients: the ops reject zero divisors first (see kDividesIntegers); x / -1 is negation,
// which avoids the INT_MIN / -1 trap.
template <typename T>
CRESSET_FN T int_div(T a, T b) {
  if constexpr (kIsSignedInt<T>) {
    return b == T(-1) ? wrap_neg(a) : T(a / b);
  } else {
    return T(a / b);
  }
}
template <typename T>
CRESSET_FN T int_mod(T a, T b) {
  if constexpr (kIsSignedInt<T>) {
    return b == T(-1) ? T(0) : T(a % b);
  } else {
    return T(a % b);
  }
}
// For float16/bfloat16 torch rounds the quotient to the storage type before truncating.
template <typename T>
struct DivTrunc {
  static constexpr bool kDividesIntegers = true;
  static constexpr bool kStorageArithmetic = true;
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (!std::is_integral_v<T>) {
      return T(std::trunc(T(a / b)));
    } else {
      return int_div(a, b);
    }
  }
};
// Floor division: Python's //. For floats, torch's formula via fmod keeps a // b consistent with
// a % b and rounds the quotient to the nearest integer when fmod leaves it inexact.
template <typename T>
struct DivFloor {
  static constexpr bool kDividesIntegers = true;
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      if (b == T(0)) return a / b;
      T mod = std::fmod(a, b);
      T div = (a - mod) / b;
      if (mod != T(0) && (b < T(0)) != (mod < T(0))) div -= T(1);
      if (div == T(0)) return std::copysign(T(0), a / b);
      T floordiv = std::floor(div);
      return div - floordiv > T(0.5) ? floordiv + T(1) : floordiv;
    } else {
      T q = int_div(a, b);
      if constexpr (kIsSignedInt<T>) {
        if ((a < 0) != (b < 0) && int_mod(a, b) != 0) q = T(q - 1);
      }
      return q;
    }
  }
};
// Python's %: the result takes the divisor's sign.
template <typename T>
struct Remainder {
  static constexpr bool kDividesIntegers = true;
  CRESSET_FN T operator()(T a, T b) const {
    T r;
    if constexpr (kIsFloat<T>) {
      r = std::fmod(a, b);
    } else {
      r = int_mod(a, b);
    }
    if constexpr (!std::is_unsigned_v<T>) {
      if (r != T(0) && (r < T(0)) != (b < T(0))) r = T(r + b);
    }
    return r;
  }
};
// C's fmod: the result takes the dividend's sign.
template <typename T>
struct Fmod {
  static constexpr bool kDividesIntegers = true;
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return std::fmod(a, b);
    } else {
      return int_mod(a, b);
    }
  }
};
// torch.pow. Integers: exponentiation by squaring with wrap-around; a negative exponent gives
// 1 for base 1, +-1 for base -1 and 0 otherwise (the op rejects negative Python-number exponents).
template <typename T>
struct Pow {
  CRESSET_FN T operator()(T base, T exp) const {
    if constexpr (kIsFloat<T>) {
      return std::pow(base, exp);
    } else {
      if constexpr (kIsSignedInt<T>) {
        if (exp < 0) {
          if (base == 1) return T(1);
          if (base == -1) return (exp & 1) ? T(-1) : T(1);
          return T(0);
        }
      }
      Wrap<T> result = 1, b = Wrap<T>(base);
      for (auto e = exp; e != 0; e = T(e >> 1)) {
        if (e & 1) result *= b;
        b *= b;
      }
      return T(result);
    }
  }
};
template <typename T>
struct Maximum {
  CRESSET_FN T operator()(T a, T b) const { return max_nan(a, b); }
};
template <typename T>
struct Minimum {
  CRESSET_FN T operator()(T a, T b) const { return min_nan(a, b); }
};
// fmax / fmin: NaN loses to a number.
template <typename T>
struct Fmax {
  CRESSET_FN T operator()(T a, T b) const {
    return is_nan(a) ? b : is_nan(b) ? a : (a < b ? b : a);
  }
};
template <typename T>
struct Fmin {
  CRESSET_FN T operator()(T a, T b) const {
    return is_nan(a) ? b : is_nan(b) ? a : (b < a ? b : a);
  }
};
template <typename T>
struct Hypot {
  CRESSET_FN T operator()(T a, T b) const { return std::hypot(a, b); }
};
template <typename T>
struct Atan2 {
  CRESSET_FN T operator()(T a, T b) const { return std::atan2(a, b); }
};
template <typename T>
struct Copysign {
  CRESSET_FN T operator()(T a, T b) const { return std::copysign(a, b); }
};
// The regularized incomplete gamma functions P(a, x) (lower, torch.igamma) and Q(a, x) = 1 - P
// (upper, torch.igammac), in double: P by its power series below x = a + 1, Q by its continued
// fraction (Lentz) above, each where it converges in few terms, and the other as one minus it.
CRESSET_FN double incomplete_gamma(double a, double x, bool upper) {
  // torch's order of the special cases (a NaN operand falls through them to NaN, unless the
  // other one decides the value: P(NaN, 0) = 0, P(NaN, inf) = 1, P(inf, NaN) = 0).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a < 0 || x < 0) return nan;
  if (a == 0) return x > 0 ? (upper ? 0.0 : 1.0) : nan;
  if (x == 0) return upper ? 1.0 : 0.0;
  if (std::isinf(a)) return std::isinf(x) ? nan : (upper ? 1.0 : 0.0);
  if (std::isinf(x)) return upper ? 0.0 : 1.0;
  // x^a e^-x / Gamma(a), the factor both expansions share.
  const double prefix = std::exp(a * std::log(x) - x - Lgamma<double>()(a));
  constexpr double kEps = 1e-16, kTiny = 1e-300;
  constexpr int kMaxTerms = 10000;
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < kMaxTerms && std::fabs(term) >= kEps * std::fabs(sum); ++n) {
      term *= x / (a + n);
      sum += term;
    }
    const double p = prefix * sum;
    return upper ? 1 - p : p;
  }
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = std::fabs(d) < kTiny ? kTiny : d;
    c = b + an / c;
    c = std::fabs(c) < kTiny ? kTiny : c;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEps) break;
  }
  const double q = prefix * h;
  return upper ? q : 1 - q;
}
template <typename T>
struct Igamma {
  CRESSET_FN T operator()(T a, T x) const { return T(incomplete_gamma(double(a), double(x), false)); }
};
template <typename T>
struct Igammac {
  CRESSET_FN T operator()(T a, T x) const { return T(incomplete_gamma(double(a), double(x), true)); }
};
// x * log(y), 0 where x == 0 (unless y is NaN). torch rounds log(y) to float16/bfloat16 first.
template <typename T>
struct Xlogy {
  static constexpr bool kStorageArithmetic = true;
  CRESSET_FN T operator()(T x, T y) const {
    return y != y ? y : x == T(0) ? T(0) : T(x * T(std::log(y)));
  }
};
// torch.lerp with a Python-number weight (args[0]), kept at the compute precision.
template <typename T>
CRESSET_FN T lerp(T a, T b, T w) {
  // Two formulas keep the result exact at both ends (w = 0 and w = 1).
  return std::abs(w) < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}
template <typename T>
struct LerpScalar {
  T weight;
  explicit LerpScalar(const Scalar* args) : weight(args[0].to<T>()) {}
  CRESSET_FN T operator()(T a, T b) const { return lerp(a, b, weight); }
};

// ---- binary: comparisons (bool results) ----
template <typename T>
struct Eq {
  CRESSET_FN bool operator()(T a, T b) const { return a == b; }
};
template <typename T>
struct Ne {
  CRESSET_FN bool operator()(T a, T b) const { return a != b; }
};
template <typename T>
struct Lt {
  CRESSET_FN bool operator()(T a, T b) const { return a < b; }
};
template <typename T>
struct Le {
  CRESSET_FN bool operator()(T a, T b) const { return a <= b; }
};
template <typename T>
struct Gt {
  CRESSET_FN bool operator()(T a, T b) const { return a > b; }
};
template <typename T>
struct Ge {
  CRESSET_FN bool operator()(T a, T b) const { return a >= b; }
};

// ---- binary: logical (on bool operands) and bitwise ----
template <typename T>
struct LogicalAnd {
  CRESSET_FN bool operator()(T a, T b) const { return a && b; }
};
template <typename T>
struct LogicalOr {
  CRESSET_FN bool operator()(T a, T b) const { return a || b; }
};
template <typename T>
struct LogicalXor {
  CRESSET_FN bool operator()(T a, T b) const { return bool(a) != bool(b); }
};
template <typename T>
struct BitwiseAnd {
  CRESSET_FN T operator()(T a, T b) const { return T(a & b); }
};
template <typename T>
struct BitwiseOr {
  CRESSET_FN T operator()(T a, T b) const { return T(a | b); }
};
template <typename T>
struct BitwiseXor {
  CRESSET_FN T operator()(T a, T b) const { return T(a ^ b); }
};
// Shifts by a negative amount or by at least the bit width give 0 (left) or the sign fill
// (right), like torch.
template <typename T>
struct LeftShift {
  CRESSET_FN T operator()(T a, T b) const {
    constexpr T bits = T(sizeof(T) * 8);
    using U = std::make_unsigned_t<T>;
    if (std::make_signed_t<T>(b) < 0 || b >= bits) return T(0);
    return T(U(a) << b);
  }
};
template <typename T>
struct RightShift {
  CRESSET_FN T operator()(T a, T b) const {
    constexpr T max_shift = T(sizeof(T) * 8 - std::is_signed_v<T>);
    if (std::make_signed_t<T>(b) < 0 || b >= max_shift) return T(a >> max_shift);
    return T(a >> b);
  }
};

// ---- ternary ----
template <typename T>
struct Where {
  CRESSET_FN T operator()(bool c, T a, T b) const { return c ? a : b; }
};
template <typename T>
struct Lerp {
  CRESSET_FN T operator()(T a, T b, T w) const { return lerp(a, b, w); }
};
// self + value * t1 * t2 (args[0] = value).
template <typename T>
struct Addcmul {
  T value;
  explicit Addcmul(const Scalar* args) : value(args[0].to<T>()) {}
  CRESSET_FN T operator()(T a, T b, T c) const {
    return T(Wrap<T>(a) + Wrap<T>(value) * Wrap<T>(b) * Wrap<T>(c));
  }
};
// self + value * t1 / t2 (args[0] = value).
template <typename T>
struct Addcdiv {
  T value;
  explicit Addcdiv(const Scalar* args) : value(args[0].to<T>()) {}
  CRESSET_FN T operator()(T a, T b, T c) const { return a + value * b / c; }
};

// ---- building a row's functor (shared by the CPU loops and the CUDA launcher) ----
// Functors with kStorageArithmetic compute at the storage type T, rounding after each step like
// torch does for them; the others at opmath_t<T>.
template <typename Fn, typename = void>
struct StorageArithmetic : std::false_type {};
template <typename Fn>
struct StorageArithmetic<Fn, std::void_t<decltype(Fn::kStorageArithmetic)>> : std::true_type {};
template <template <typename> class F, typename T>
using FunctorAt = std::conditional_t<StorageArithmetic<F<float>>::value, F<T>, F<opmath_t<T>>>;

// The row's functor for storage type T, built on the host from the row's Scalar arguments if it
// has any (once per kernel call).
template <template <typename> class F, typename T>
CRESSET_INLINE FunctorAt<F, T> make_functor(const Scalar* args) {
  using Fn = FunctorAt<F, T>;
  if constexpr (std::is_constructible_v<Fn, const Scalar*>) {
    return Fn(args);
  } else {
    return Fn{};
  }
}

}  // namespace cresset::functors
