#pragma once
// In-register transposes of 8x8 floats and 4x4 doubles (AVX2 instructions, also used by the
// AVX-512 build), and transpose_copy built on them. Included only inside a kernel namespace (see
// Note [CPU capability dispatch]), after <immintrin.h>, <algorithm> and <cstdint>: headers must
// not be opened inside the capability namespace.

#if defined(__AVX2__)
template <typename T>
struct Transposer;
template <>
struct Transposer<float> {
  using V = __m256;
  static constexpr int W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static __m256i lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load(const float* p, int n) {
    return n == W ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lanes(n));
  }
  static void store(float* p, V v, int n) {
    if (n == W) {
      _mm256_storeu_ps(p, v);
    } else {
      _mm256_maskstore_ps(p, lanes(n), v);
    }
  }
  static void transpose(V r[8]) {
    V t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    V t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    V t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    V t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    V s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    V s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    V s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    V s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
  }
};
template <>
struct Transposer<double> {
  using V = __m256d;
  static constexpr int W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static __m256i lanes(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V load(const double* p, int n) {
    return n == W ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, lanes(n));
  }
  static void store(double* p, V v, int n) {
    if (n == W) {
      _mm256_storeu_pd(p, v);
    } else {
      _mm256_maskstore_pd(p, lanes(n), v);
    }
  }
  static void transpose(V r[4]) {
    V t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    V t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
  }
};

#endif

// dst[j * dld + i] = src[i * sld + j] for i < rows, j < cols: W x W tiles transposed in registers
// where the build has AVX2, the edges (and every element elsewhere) one at a time.
template <typename T>
void transpose_copy(const T* src, int64_t sld, T* dst, int64_t dld, int64_t rows, int64_t cols) {
  int64_t i0 = 0;
#if defined(__AVX2__)
  using X = Transposer<T>;
  constexpr int W = X::W;
  for (; i0 + W <= rows; i0 += W) {
    int64_t j0 = 0;
    for (; j0 + W <= cols; j0 += W) {
      typename X::V v[W];
      for (int q = 0; q < W; ++q) v[q] = X::load(src + (i0 + q) * sld + j0, W);
      X::transpose(v);
      for (int q = 0; q < W; ++q) X::store(dst + (j0 + q) * dld + i0, v[q], W);
    }
    for (int64_t i = i0; i < i0 + W; ++i) {
      for (int64_t j = j0; j < cols; ++j) dst[j * dld + i] = src[i * sld + j];
    }
  }
#endif
  for (int64_t i = i0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) dst[j * dld + i] = src[i * sld + j];
  }
}
