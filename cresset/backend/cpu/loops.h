#pragma once
// Inner loops for elementwise kernels. Included only by *_kernels.cpp files, inside their
// capability namespace (see Note [CPU capability dispatch]). The contiguous and scalar-broadcast
// cases are written as plain indexed loops so the compiler vectorizes them for the target ISA.
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/dtype.h"

// Applies f (taking and returning opmath values) to one input; Out is the stored output type.
template <typename Out, typename In, typename F>
void unary_loop(TensorIter& it, const F& f) {
  using M = opmath_t<In>;
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    Out* out = reinterpret_cast<Out*>(data[0]);
    const In* in = reinterpret_cast<const In*>(data[1]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = Out(f(M(in[i])));
    } else {
      for (int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<Out*>(data[0] + i * s[0]) =
            Out(f(M(*reinterpret_cast<const In*>(data[1] + i * s[1]))));
      }
    }
  });
}

// Applies f to two inputs of type In, with fast paths for contiguous and scalar operands.
template <typename Out, typename In, typename F>
void binary_loop(TensorIter& it, const F& f) {
  using M = opmath_t<In>;
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    Out* out = reinterpret_cast<Out*>(data[0]);
    const In* a = reinterpret_cast<const In*>(data[1]);
    const In* b = reinterpret_cast<const In*>(data[2]);
    constexpr int64_t so = sizeof(Out), si = sizeof(In);
    if (s[0] == so && s[1] == si && s[2] == si) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = Out(f(M(a[i]), M(b[i])));
    } else if (s[0] == so && s[1] == 0 && s[2] == si) {
      const M av = M(a[0]);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = Out(f(av, M(b[i])));
    } else if (s[0] == so && s[1] == si && s[2] == 0) {
      const M bv = M(b[0]);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = Out(f(M(a[i]), bv));
    } else {
      for (int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<Out*>(data[0] + i * s[0]) =
            Out(f(M(*reinterpret_cast<const In*>(data[1] + i * s[1])),
                  M(*reinterpret_cast<const In*>(data[2] + i * s[2]))));
      }
    }
  });
}
