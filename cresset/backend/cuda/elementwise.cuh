#pragma once
// The elementwise.def rows on CUDA: each row's kernel is the shared functor (backend/common/
// functors.h) run by the one launcher (see Note [CUDA elementwise launcher]). A row's Kind decides
// the dtypes it is instantiated for, as on the CPU (backend/cpu/elementwise_kernels.cpp). Rows are
// spread over several .cu files (by arity and kind) so nvcc compiles them in parallel; each file
// selects its rows with the CRESSET_CUDA_PICK_<Kind> macros it defines.
#include <type_traits>

#include "cresset/backend/common/functors.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"

namespace cresset::cuda::impl {

namespace ew {

using functors::FunctorAt;
using functors::make_functor;

template <typename Out, typename In, typename Fn>
struct Unary {
  Fn f;
  __device__ void operator()(char* (&p)[2]) const {
    using M = opmath_t<In>;
    *reinterpret_cast<Out*>(p[0]) = Out(f(M(*reinterpret_cast<const In*>(p[1]))));
  }
};

template <typename Out, typename In, typename Fn>
struct Binary {
  Fn f;
  __device__ void operator()(char* (&p)[3]) const {
    using M = opmath_t<In>;
    *reinterpret_cast<Out*>(p[0]) =
        Out(f(M(*reinterpret_cast<const In*>(p[1])), M(*reinterpret_cast<const In*>(p[2]))));
  }
};

// A binary row with its second operand fixed at opmath precision (operand 2 is not read).
template <typename Out, typename In, typename Fn>
struct BinaryScalar {
  Fn f;
  opmath_t<In> b;
  __device__ void operator()(char* (&p)[3]) const {
    using M = opmath_t<In>;
    *reinterpret_cast<Out*>(p[0]) = Out(f(M(*reinterpret_cast<const In*>(p[1])), b));
  }
};

template <typename Out, typename A, typename B, typename C, typename Fn>
struct Ternary {
  Fn f;
  __device__ void operator()(char* (&p)[4]) const {
    *reinterpret_cast<Out*>(p[0]) = Out(f(opmath_t<A>(*reinterpret_cast<const A*>(p[1])),
                                          opmath_t<B>(*reinterpret_cast<const B*>(p[2])),
                                          opmath_t<C>(*reinterpret_cast<const C*>(p[3]))));
  }
};

template <typename Out, typename In, template <typename> class F>
void unary(const char* op, TensorIter& it, const Scalar* args) {
  using Fn = FunctorAt<F, In>;
  launch_elementwise<2>(op, it, Unary<Out, In, Fn>{make_functor<F, In>(args)});
}

template <typename Out, typename T, template <typename> class F>
void binary(const char* op, TensorIter& it, const Scalar* args) {
  using M = opmath_t<T>;
  using Fn = FunctorAt<F, T>;
  if constexpr (std::is_same_v<Out, T> && !std::is_same_v<T, M> &&
                !std::is_constructible_v<F<M>, const Scalar*>) {
    if (args) {
      launch_elementwise<3>(op, it, BinaryScalar<Out, T, F<M>>{F<M>{}, args[0].to<M>()});
      return;
    }
  }
  launch_elementwise<3>(op, it, Binary<Out, T, Fn>{make_functor<F, T>(args)});
}

template <typename Out, typename A, typename B, typename C, template <typename> class F>
void ternary(const char* op, TensorIter& it, const Scalar* args) {
  launch_elementwise<4>(op, it, Ternary<Out, A, B, C, FunctorAt<F, C>>{make_functor<F, C>(args)});
}

}  // namespace ew

// One dispatch per Kind: which dtypes exist and what the output type is.
#define CRESSET_CUDA_UNARY_Float(name, F)          \
  CRESSET_DISPATCH_FLOAT(#name, it.common_dtype(), \
                         [&] { ew::unary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_UNARY_FloatOnly CRESSET_CUDA_UNARY_Float
#define CRESSET_CUDA_UNARY_Numeric(name, F)          \
  CRESSET_DISPATCH_NUMERIC(#name, it.common_dtype(), \
                           [&] { ew::unary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_UNARY_All(name, F)          \
  CRESSET_DISPATCH_ALL(#name, it.common_dtype(), \
                       [&] { ew::unary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_UNARY_Predicate(name, F)    \
  CRESSET_DISPATCH_ALL(#name, it.common_dtype(), \
                       [&] { ew::unary<bool, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_UNARY_Logical(name, F) ew::unary<bool, bool, F>(#name, it, args)
#define CRESSET_CUDA_UNARY_Bitwise(name, F)                \
  CRESSET_DISPATCH_INTEGRAL_BOOL(#name, it.common_dtype(), \
                                 [&] { ew::unary<scalar_t, scalar_t, F>(#name, it, args); })

#define CRESSET_CUDA_BINARY_All(name, F)         \
  CRESSET_DISPATCH_ALL(#name, it.common_dtype(), \
                       [&] { ew::binary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_BINARY_Numeric(name, F)         \
  CRESSET_DISPATCH_NUMERIC(#name, it.common_dtype(), \
                           [&] { ew::binary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_BINARY_Float(name, F)         \
  CRESSET_DISPATCH_FLOAT(#name, it.common_dtype(), \
                         [&] { ew::binary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_BINARY_FloatOnly CRESSET_CUDA_BINARY_Float
#define CRESSET_CUDA_BINARY_Compare(name, F)     \
  CRESSET_DISPATCH_ALL(#name, it.common_dtype(), \
                       [&] { ew::binary<bool, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_BINARY_Logical(name, F) ew::binary<bool, bool, F>(#name, it, args)
#define CRESSET_CUDA_BINARY_Bitwise(name, F)               \
  CRESSET_DISPATCH_INTEGRAL_BOOL(#name, it.common_dtype(), \
                                 [&] { ew::binary<scalar_t, scalar_t, F>(#name, it, args); })
#define CRESSET_CUDA_BINARY_Shift(name, F)                           \
  CRESSET_DISPATCH_IMPL(#name, it.common_dtype(), CRESSET_CASES_INT, \
                        [&] { ew::binary<scalar_t, scalar_t, F>(#name, it, args); })

#define CRESSET_CUDA_TERNARY_Select(name, F)                             \
  CRESSET_DISPATCH_ALL(#name, it.common_dtype(), [&] {                   \
    ew::ternary<scalar_t, bool, scalar_t, scalar_t, F>(#name, it, args); \
  })
#define CRESSET_CUDA_TERNARY_Float(name, F)                                  \
  CRESSET_DISPATCH_FLOAT(#name, it.common_dtype(), [&] {                     \
    ew::ternary<scalar_t, scalar_t, scalar_t, scalar_t, F>(#name, it, args); \
  })
#define CRESSET_CUDA_TERNARY_FloatOnly CRESSET_CUDA_TERNARY_Float
#define CRESSET_CUDA_TERNARY_Numeric(name, F)                                \
  CRESSET_DISPATCH_NUMERIC(#name, it.common_dtype(), [&] {                   \
    ew::ternary<scalar_t, scalar_t, scalar_t, scalar_t, F>(#name, it, args); \
  })

/// Defines name_kernel for a row when the including file keeps its arity and Kind: each .cu file
/// defines CRESSET_CUDA_PICK_<ARITY>_<Kind> as CRESSET_CUDA_KEEP or CRESSET_CUDA_DROP for all of
/// them.
#define CRESSET_CUDA_KEEP(...) __VA_ARGS__
#define CRESSET_CUDA_DROP(...)
#define CRESSET_CUDA_ROW(ARITY, name, Functor, Kind)                                          \
  CRESSET_CUDA_PICK_##ARITY##_##Kind(void name##_kernel(TensorIter& it, const Scalar* args) { \
    CRESSET_CUDA_##ARITY##_##Kind(name, functors::Functor);                                   \
  })
#define CRESSET_UNARY(name, Functor, Kind, ...) CRESSET_CUDA_ROW(UNARY, name, Functor, Kind)
#define CRESSET_BINARY(name, Functor, Kind, ...) CRESSET_CUDA_ROW(BINARY, name, Functor, Kind)
#define CRESSET_TERNARY(name, Functor, Kind, ...) CRESSET_CUDA_ROW(TERNARY, name, Functor, Kind)

}  // namespace cresset::cuda::impl
