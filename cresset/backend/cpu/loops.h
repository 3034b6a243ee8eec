#pragma once
// Inner loops for elementwise kernels. Included only by *_kernels.cpp files, inside their
// capability namespace (see Note [CPU capability dispatch]). The contiguous and scalar-broadcast
// cases are plain indexed loops under `omp simd`, so the compiler vectorizes them for the target
// ISA, calling libmvec for transcendental functions (see Note [Vectorized libm]). Every operand
// pointer is copied into a local first: a store through a bool/int8 output may alias anything, and
// would otherwise force a reload of `data[k]` on every iteration.
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/dtype.h"

// One strided run of unary_loop.
template <typename Out, typename In, typename F>
CRESSET_INLINE void unary_strided(char** data, const int64_t* s, int64_t n, const F& f) {
  using M = opmath_t<In>;
  char* o = data[0];
  const char* p = data[1];
  for (int64_t i = 0; i < n; ++i) {
    *reinterpret_cast<Out*>(o + i * s[0]) = Out(f(M(*reinterpret_cast<const In*>(p + i * s[1]))));
  }
}

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
      unary_strided<Out, In>(data, s, n, f);
    }
  });
}

#ifdef CRESSET_VEC_FLOAT
// unary_loop<float, float> for a functor's form on whole vectors, fv (see Note [Explicit vector
// exp]): contiguous runs directly, strided ones through a buffer, so that every element of a
// float32 tensor gets the same function whatever its layout (see Note [Vector log and tanh]).
template <typename FV>
void unary_vec_loop(TensorIter& it, FV fv) {
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(float) && s[1] == sizeof(float)) {
      vec_math::map(reinterpret_cast<float*>(data[0]), reinterpret_cast<const float*>(data[1]), n,
                    fv);
      return;
    }
    constexpr int64_t kBuf = 256;
    float buf[kBuf];
    for (int64_t i = 0; i < n; i += kBuf) {
      const int64_t m = n - i < kBuf ? n - i : kBuf;
      const char* p = data[1] + i * s[1];
      for (int64_t j = 0; j < m; ++j) buf[j] = *reinterpret_cast<const float*>(p + j * s[1]);
      vec_math::map(buf, buf, m, fv);
      char* o = data[0] + i * s[0];
      for (int64_t j = 0; j < m; ++j) *reinterpret_cast<float*>(o + j * s[0]) = buf[j];
    }
  });
}
#endif

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
      char* o = data[0];
      const char* pa = data[1];
      const char* pb = data[2];
      for (int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<Out*>(o + i * s[0]) =
            Out(f(M(*reinterpret_cast<const In*>(pa + i * s[1])),
                  M(*reinterpret_cast<const In*>(pb + i * s[2]))));
      }
    }
  });
}

// Applies f(a, b) with b fixed: a one-element second operand kept at opmath precision (operand 2
// of the iterator is not read).
template <typename Out, typename In, typename F>
void binary_scalar_loop(TensorIter& it, const F& f, opmath_t<In> b) {
  unary_loop<Out, In>(it, [&](opmath_t<In> a) { return f(a, b); });
}

// Applies f to three inputs of types A, B and C (each passed as its opmath type).
template <typename Out, typename A, typename B, typename C, typename F>
void ternary_loop(TensorIter& it, const F& f) {
  using MA = opmath_t<A>;
  using MB = opmath_t<B>;
  using MC = opmath_t<C>;
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    Out* out = reinterpret_cast<Out*>(data[0]);
    const A* a = reinterpret_cast<const A*>(data[1]);
    const B* b = reinterpret_cast<const B*>(data[2]);
    const C* c = reinterpret_cast<const C*>(data[3]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(A) && s[2] == sizeof(B) && s[3] == sizeof(C)) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = Out(f(MA(a[i]), MB(b[i]), MC(c[i])));
    } else {
      char* o = data[0];
      const char* pa = data[1];
      const char* pb = data[2];
      const char* pc = data[3];
      for (int64_t i = 0; i < n; ++i) {
        *reinterpret_cast<Out*>(o + i * s[0]) =
            Out(f(MA(*reinterpret_cast<const A*>(pa + i * s[1])),
                  MB(*reinterpret_cast<const B*>(pb + i * s[2])),
                  MC(*reinterpret_cast<const C*>(pc + i * s[3]))));
      }
    }
  });
}
