// CPU kernels for every row of ops/elementwise.def, compiled once per capability
// (see Note [CPU capability dispatch]). A row's Kind decides which dtypes its kernel is compiled
// for (the ops reject the others before calling it), which keeps the instantiations few.
// clang-format off
#include "cresset/backend/cpu/vec_math.h"  // first: see Note [Vectorized libm]
// clang-format on

#include <atomic>

#include "cresset/backend/common/functors.h"
#include "cresset/backend/cpu/kernels.h"
#include "cresset/core/error.h"

namespace cresset::cpu::CPU_CAPABILITY {

#include "cresset/backend/cpu/loops.h"

namespace {

using functors::make_functor;

// Functors with kDividesIntegers raise torch's ZeroDivisionError on an integer zero divisor
// (operand 2) instead of trapping.
template <typename Fn, typename = void>
struct DividesIntegers : std::false_type {};
template <typename Fn>
struct DividesIntegers<Fn, std::void_t<decltype(Fn::kDividesIntegers)>> : std::true_type {};

template <typename T>
void check_divisor(TensorIter& it) {
  std::atomic<bool> zero{false};
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    const char* p = data[2];
    bool z = false;
    for (int64_t i = 0; i < n; ++i) z |= *reinterpret_cast<const T*>(p + i * s[2]) == T(0);
    if (z) zero.store(true, std::memory_order_relaxed);
  });
  CRESSET_CHECK(!zero.load(), RuntimeError, "ZeroDivisionError");
}

// Rows whose functor has an explicit float32 vector form, a functor on Vec equal to it lane by
// lane (see Note [Explicit vector exp]).
template <template <typename> class F>
struct VecForm : std::false_type {};
#ifdef CRESSET_VEC_FLOAT
template <>
struct VecForm<functors::Exp> : std::true_type {
  vec_math::Vec operator()(vec_math::Vec x) const { return vec_math::exp(x); }
};
template <>
struct VecForm<functors::Log> : std::true_type {
  vec_math::Vec operator()(vec_math::Vec x) const { return vec_math::log(x); }
};
template <>
struct VecForm<functors::Tanh> : std::true_type {
  vec_math::Vec operator()(vec_math::Vec x) const { return vec_math::tanh(x); }
};
template <>
struct VecForm<functors::Sigmoid> : std::true_type {
  vec_math::Vec operator()(vec_math::Vec x) const {
    const vec_math::Vec one = vec_math::splat(1.0f);
    return vec_math::div(one, vec_math::add(one, vec_math::exp(vec_math::neg(x))));
  }
};
#endif

// ---- unary kinds ----
template <template <typename> class F>
void unary_Float(const char* op, TensorIter& it, const Scalar* args) {
#ifdef CRESSET_VEC_FLOAT
  if constexpr (VecForm<F>::value) {
    if (it.common_dtype() == DType::Float32) {
      unary_vec_loop(it, VecForm<F>{});
      return;
    }
  }
#endif
  CRESSET_DISPATCH_FLOAT(op, it.common_dtype(),
                         [&] { unary_loop<scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args)); });
}
template <template <typename> class F>
void unary_FloatOnly(const char* op, TensorIter& it, const Scalar* args) {
  unary_Float<F>(op, it, args);
}
template <template <typename> class F>
void unary_Numeric(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_NUMERIC(op, it.common_dtype(), [&] {
    unary_loop<scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}
template <template <typename> class F>
void unary_All(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] {
    unary_loop<scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}
template <template <typename> class F>
void unary_Predicate(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(),
                       [&] { unary_loop<bool, scalar_t>(it, make_functor<F, scalar_t>(args)); });
}
template <template <typename> class F>
void unary_Logical(const char*, TensorIter& it, const Scalar* args) {
  unary_loop<bool, bool>(it, make_functor<F, bool>(args));
}
template <template <typename> class F>
void unary_Bitwise(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_INTEGRAL_BOOL(op, it.common_dtype(), [&] {
    unary_loop<scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}

// ---- binary kinds ----
// A binary row without parameters takes non-null `args` as the exact value of a one-element second
// operand, which torch's mul and divisions read at opmath precision for float16 and bfloat16.
template <template <typename> class F, typename T>
void binary_same(TensorIter& it, const Scalar* args) {
  using M = opmath_t<T>;
  if constexpr (!std::is_same_v<T, M> && !std::is_constructible_v<F<M>, const Scalar*>) {
    if (args) {
      binary_scalar_loop<T, T>(it, F<M>{}, args[0].to<M>());
      return;
    }
  }
  auto f = make_functor<F, T>(args);
  if constexpr (DividesIntegers<decltype(f)>::value && std::is_integral_v<T>) check_divisor<T>(it);
  binary_loop<T, T>(it, f);
}
template <template <typename> class F>
void binary_All(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] { binary_same<F, scalar_t>(it, args); });
}
template <template <typename> class F>
void binary_Numeric(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_NUMERIC(op, it.common_dtype(), [&] { binary_same<F, scalar_t>(it, args); });
}
template <template <typename> class F>
void binary_Float(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_FLOAT(op, it.common_dtype(), [&] { binary_same<F, scalar_t>(it, args); });
}
template <template <typename> class F>
void binary_FloatOnly(const char* op, TensorIter& it, const Scalar* args) {
  binary_Float<F>(op, it, args);
}
template <template <typename> class F>
void binary_Compare(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(),
                       [&] { binary_loop<bool, scalar_t>(it, make_functor<F, scalar_t>(args)); });
}
template <template <typename> class F>
void binary_Logical(const char*, TensorIter& it, const Scalar* args) {
  binary_loop<bool, bool>(it, make_functor<F, bool>(args));
}
template <template <typename> class F>
void binary_Bitwise(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_INTEGRAL_BOOL(op, it.common_dtype(),
                                 [&] { binary_same<F, scalar_t>(it, args); });
}
template <template <typename> class F>
void binary_Shift(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_IMPL(op, it.common_dtype(), CRESSET_CASES_INT,
                        [&] { binary_same<F, scalar_t>(it, args); });
}

// ---- ternary kinds ----
template <template <typename> class F>
void ternary_Select(const char* op, TensorIter& it, const Scalar* args) {
  // The condition is read as uint8_t (a bool is one byte, 0 or 1): GCC has no vector type for
  // bool loads and would leave the loop scalar.
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] {
    ternary_loop<scalar_t, uint8_t, scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}
template <template <typename> class F>
void ternary_Float(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_FLOAT(op, it.common_dtype(), [&] {
    ternary_loop<scalar_t, scalar_t, scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}
template <template <typename> class F>
void ternary_FloatOnly(const char* op, TensorIter& it, const Scalar* args) {
  ternary_Float<F>(op, it, args);
}
template <template <typename> class F>
void ternary_Numeric(const char* op, TensorIter& it, const Scalar* args) {
  CRESSET_DISPATCH_NUMERIC(op, it.common_dtype(), [&] {
    ternary_loop<scalar_t, scalar_t, scalar_t, scalar_t>(it, make_functor<F, scalar_t>(args));
  });
}

}  // namespace

#define CRESSET_UNARY(name, Functor, Kind, ...)            \
  void name##_kernel(TensorIter& it, const Scalar* args) { \
    unary_##Kind<functors::Functor>(#name, it, args);      \
  }
#define CRESSET_BINARY(name, Functor, Kind, ...)           \
  void name##_kernel(TensorIter& it, const Scalar* args) { \
    binary_##Kind<functors::Functor>(#name, it, args);     \
  }
#define CRESSET_TERNARY(name, Functor, Kind, ...)          \
  void name##_kernel(TensorIter& it, const Scalar* args) { \
    ternary_##Kind<functors::Functor>(#name, it, args);    \
  }
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY

}  // namespace cresset::cpu::CPU_CAPABILITY
