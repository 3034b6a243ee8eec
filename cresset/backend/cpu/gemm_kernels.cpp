// The blocked GEMM and its micro-kernels, compiled once per capability
// (see Note [CPU capability dispatch]).
//
// Note [GEMM blocking]
// C is computed in MR x NR register tiles by a micro-kernel that reads two packed panels: an A
// micro-panel (MR rows of A interleaved along k) and a B micro-panel (NR columns of B interleaved
// along k). The loops, outermost first (BLIS's five loops with the two inner ones swapped):
//   jc  N in blocks of NC     the B block (KC x NC) is packed once and stays in L2
//   pc  K in blocks of KC
//   ic  M in blocks of MC     the A block (MC x KC) is packed, 72-150 KB
//   ir  MC in steps of MR     the A micro-panel (MR x KC) stays in L1 across the jr loop
//   jr  NC in steps of NR     the micro-kernel streams B micro-panels from L2
// Packing turns any strides (transposed, sliced, expanded) into the one layout the micro-kernel
// reads, and zero-pads edge panels so that the micro-kernel always computes a full tile; only its
// store is clipped. Threads take whole rectangles of C, aligned to the MR x NR grid, and pack their
// own panels, or share the blocks of one product (Note [GEMM shared B]); either way every element
// of C is produced by the same operations (same tile grid, same K blocks, same epilogue) whatever
// the number of threads.
#include "cresset/backend/cpu/gemm_kernels.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <numeric>

#include "cresset/core/error.h"
#include "cresset/core/parallel.h"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

#include "cresset/backend/cpu/transpose.h"

// How the tile's sum is combined with C: C = alpha * acc + beta * C, with the multiplications by
// one skipped and C not read when beta is zero.
template <typename T>
struct Epilogue {
  T alpha, beta;
  bool alpha_one, beta_zero, beta_one;
};

template <typename T>
Epilogue<T> make_epilogue(T alpha, T beta) {
  return {alpha, beta, alpha == T(1), beta == T(0), beta == T(1)};
}

// A micro-panel of B as a micro-kernel reads it: element (p, j) at data[p * ld + j]; ld is NR for a
// packed panel, or B's row stride for one read in place (see Note [GEMM in place]). `prefetch`
// asks the kernel to fetch the panel a few steps ahead, which pays when it streams from L2 and
// costs load slots when it is already in L1.
template <typename T>
struct BPanel {
  const T* data;
  int64_t ld;
  bool prefetch;
};

// The scalar epilogue of an mr x nr tile held in `acc` (row stride ld). The vector epilogue below
// performs the same operations in the same order, so a tile rounds the same on either path.
template <typename T>
void store_tile(const T* acc, int ld, T* c, int64_t rs, int64_t cs, int mr, int nr,
                const Epilogue<T>& e) {
  for (int i = 0; i < mr; ++i) {
    for (int j = 0; j < nr; ++j) {
      T v = acc[i * ld + j];
      T& out = c[i * rs + j * cs];
      if (!e.alpha_one) v = v * e.alpha;
      if (!e.beta_zero) v = v + (e.beta_one ? out : e.beta * out);
      out = v;
    }
  }
}

// A portable micro-kernel in plain C++ (the compiler vectorizes it for the target), used for the
// baseline build and for integers.
template <typename T, int MR_, int NR_>
struct PortableKernel {
  static constexpr int MR = MR_, NR = NR_;
  static constexpr bool kReadsRows = false;  // no run_rows(): A is always packed
  static constexpr bool kReadsB = false;     // B is always packed (ld == NR)
  using Edge = PortableKernel;
  static void run(int64_t kc, const T* a, const BPanel<T>& bp, T* c, int64_t rs, int64_t cs, int mr,
                  int nr, const Epilogue<T>& e) {
    T acc[MR * NR] = {};
    const T* b = bp.data;
    for (int64_t p = 0; p < kc; ++p, a += MR, b += bp.ld) {
      for (int i = 0; i < MR; ++i) {
        for (int j = 0; j < NR; ++j) acc[i * NR + j] += a[i] * b[j];
      }
    }
    store_tile(acc, NR, c, rs, cs, mr, nr, e);
  }
};

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#define CRESSET_GEMM_SIMD 1

// The vector operations a micro-kernel needs, for the widest registers of the build.
template <typename T>
struct VecOps;
#if defined(__AVX512F__)
template <>
struct VecOps<float> {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int W = 16;
  static Mask mask(int n) { return n >= W ? Mask(0xFFFF) : Mask((1u << std::max(n, 0)) - 1); }
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, V v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
};
template <>
struct VecOps<double> {
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr int W = 8;
  static Mask mask(int n) { return n >= W ? Mask(0xFF) : Mask((1u << std::max(n, 0)) - 1); }
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V load(const double* p, Mask m) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(double* p, V v, Mask m) { _mm512_mask_storeu_pd(p, m, v); }
  static V set1(double x) { return _mm512_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
};
#else
template <>
struct VecOps<float> {
  using V = __m256;
  using Mask = __m256i;
  static constexpr int W = 8;
  static Mask mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, V v, Mask m) { _mm256_maskstore_ps(p, m, v); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
};
template <>
struct VecOps<double> {
  using V = __m256d;
  using Mask = __m256i;
  static constexpr int W = 4;
  static Mask mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static V load(const double* p, Mask m) { return _mm256_maskload_pd(p, m); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static void store(double* p, V v, Mask m) { _mm256_maskstore_pd(p, m, v); }
  static V set1(double x) { return _mm256_set1_pd(x); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
};
#endif

// How many steps of k ahead the micro-kernel prefetches B (measured: 8 to 16 are equally good).
constexpr int kPrefetchSteps = 8;

// The register-tiled micro-kernel: MR rows x NV vectors of accumulators, one broadcast of A and NV
// loads of B per step of k. MR * NV + NV + 1 must fit the register file (32 zmm / 16 ymm).
template <typename T, int MR_, int NV>
struct VecKernel {
  using Ops = VecOps<T>;
  using V = typename Ops::V;
  using Mask = typename Ops::Mask;
  static constexpr int MR = MR_, W = Ops::W, NR = NV * W;
  static constexpr bool kReadsRows = true;
  static constexpr bool kReadsB = true;
  // The kernel for a last column tile of at most NR / 2 columns: half the vectors per row.
  using Edge = VecKernel<T, MR, (NV + 1) / 2>;

  // A from a packed panel: element (i, p) at a[p * MR + i].
  static void run(int64_t kc, const T* a, const BPanel<T>& b, T* c, int64_t rs, int64_t cs, int mr,
                  int nr, const Epilogue<T>& e) {
    tile<false>(kc, a, 0, b.data, b.ld, b.prefetch, c, rs, cs, mr, nr, e);
  }
  // A read in place from MR full rows of a row-major A: element (i, p) at a[i * lda + p]. The same
  // operations in the same order as run(), so both give identical results.
  static void run_rows(int64_t kc, const T* a, int64_t lda, const BPanel<T>& b, T* c, int64_t rs,
                       int64_t cs, int nr, const Epilogue<T>& e) {
    tile<true>(kc, a, lda, b.data, b.ld, b.prefetch, c, rs, cs, MR, nr, e);
  }

 private:
  template <bool kRows>
  static void tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, bool prefetch,
                   T* c, int64_t rs, int64_t cs, int mr, int nr, const Epilogue<T>& e) {
    V acc[MR][NV];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = Ops::zero();
    }
    auto step = [&]() __attribute__((always_inline)) {
      if (prefetch) {
#pragma GCC unroll 4
        for (int l = 0; l < int(NR * sizeof(T)); l += 64) {
          _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchSteps * ldb) + l, _MM_HINT_T0);
        }
      }
      V bv[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) bv[j] = Ops::load(b + j * W);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const V av = Ops::set1(kRows ? a[i * lda] : a[i]);
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) acc[i][j] = Ops::fma(av, bv[j], acc[i][j]);
      }
      a += kRows ? 1 : MR;
      b += ldb;
    };
    // C is prefetched for the epilogue, every line of the tile (a row of NR elements spans up to
    // kLines lines): one line per step of k while there are enough steps, since a burst of misses
    // fills the line-fill buffers that the B stream needs (measured 10-15% on large products
    // against prefetching each row's first and last line at the start), and during the last steps,
    // since lines fetched at the start are evicted by the B stream (a 256 x 64 micro-panel of B is
    // 64 KB) before the epilogue reads them (measured 1.5-2% on 512-2048 square products).
    constexpr int kLines = int(NR * sizeof(T)) / 64 + 1;
    if (cs == 1 && kc >= MR * kLines) {
#pragma GCC unroll 4
      for (int64_t p = MR * kLines; p < kc; ++p) step();
      for (int i = 0; i < MR; ++i) {
        const char* row = reinterpret_cast<const char*>(c + i * rs);
#pragma GCC unroll 8
        for (int l = 0; l < kLines; ++l) {
          _mm_prefetch(l + 1 < kLines ? row + 64 * l : row + (NR - 1) * sizeof(T), _MM_HINT_T0);
          step();
        }
      }
    } else {
      for (int i = 0; i < MR; ++i) {
        _mm_prefetch(reinterpret_cast<const char*>(c + i * rs), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c + i * rs + (NR - 1) * cs), _MM_HINT_T0);
      }
#pragma GCC unroll 4
      for (int64_t p = 0; p < kc; ++p) step();
    }
    if (cs != 1) {
      alignas(64) T tile[MR * NR];
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) Ops::store(tile + i * NR + j * W, acc[i][j]);
      }
      store_tile(tile, NR, c, rs, cs, mr, nr, e);
      return;
    }
    // The vector epilogue: store_tile's operations, on the tile's valid rows and columns. The flags
    // are read once (stores to C could alias e) and a full tile of C = acc is plain stores.
    const bool alpha_one = e.alpha_one, beta_zero = e.beta_zero, beta_one = e.beta_one;
    if (mr == MR && nr == NR && alpha_one && beta_zero) {
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) Ops::store(c + i * rs + j * W, acc[i][j]);
      }
      return;
    }
    const V alpha = Ops::set1(e.alpha), beta = Ops::set1(e.beta);
    Mask masks[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) masks[j] = Ops::mask(nr - j * W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      if (i >= mr) break;
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        T* out = c + i * rs + j * W;
        const bool full = nr >= (j + 1) * W;
        V v = acc[i][j];
        if (!alpha_one) v = Ops::mul(v, alpha);
        if (!beta_zero) {
          const V old = full ? Ops::load(out) : Ops::load(out, masks[j]);
          v = Ops::add(v, beta_one ? old : Ops::mul(beta, old));
        }
        if (full) {
          Ops::store(out, v);
        } else {
          Ops::store(out, v, masks[j]);
        }
      }
    }
  }
};

// pack_block's case of sources contiguous along k: W x W blocks transposed in registers. The
// `next_rows` rows after the panel (the next panel's) are prefetched a line at a time as this one
// is read: rows far apart defeat the hardware prefetcher, and A's rows come from L3 or memory
// (measured: packing A 15% faster, about 1% on a 2048 x 2048 product).
template <typename T>
void pack_transposed(const T* src, int64_t s_r, int rows, int64_t kc, T* dst, int P,
                     int next_rows) {
  using X = Transposer<T>;
  constexpr int W = X::W;
  for (int r0 = 0; r0 < P; r0 += W) {
    const int valid = std::clamp(rows - r0, 0, W), width = std::min(W, P - r0);
    for (int64_t p0 = 0; p0 < kc; p0 += W) {
      if (r0 == 0 && p0 * int64_t(sizeof(T)) % 64 == 0) {
        for (int q = 0; q < next_rows; ++q) {
          _mm_prefetch(reinterpret_cast<const char*>(src + (P + q) * s_r + p0), _MM_HINT_T0);
        }
      }
      const int np = int(std::min<int64_t>(W, kc - p0));
      typename X::V v[W];
      for (int q = 0; q < W; ++q)
        v[q] = q < valid ? X::load(src + (r0 + q) * s_r + p0, np) : X::zero();
      X::transpose(v);
      for (int q = 0; q < np; ++q) X::store(dst + (p0 + q) * P + r0, v[q], width);
    }
  }
}
#endif

// Packs `rows` rows into panels of P: row r of the block goes to panel r / P, where element
// (r, p) lands at panel + p * P + r % P; a last partial panel is zero-padded. Source element
// (r, p) is src[r * s_r + p * s_k]. Each case reads the source along its contiguous dimension.
template <int P, typename T>
void pack_block(const T* src, int64_t s_r, int64_t s_k, int64_t rows, int64_t kc, T* dst) {
  const int64_t panels = (rows + P - 1) / P, full = rows / P;
  if (s_r == 1) {  // rows contiguous: copy row segments of every panel, one k at a time
    for (int64_t p = 0; p < kc; ++p) {
      const T* s = src + p * s_k;
      for (int64_t q = 0; q < full; ++q) {
        T* d = dst + q * kc * P + p * P;
        for (int r = 0; r < P; ++r) d[r] = s[q * P + r];
      }
      if (full < panels) {
        T* d = dst + full * kc * P + p * P;
        const int n = int(rows - full * P);
        for (int r = 0; r < n; ++r) d[r] = s[full * P + r];
        for (int r = n; r < P; ++r) d[r] = T(0);
      }
    }
    return;
  }
  for (int64_t q = 0; q < panels; ++q) {
    const T* s = src + q * P * s_r;
    T* d = dst + q * kc * P;
    const int n = int(std::min<int64_t>(P, rows - q * P));
#if defined(CRESSET_GEMM_SIMD)
    if constexpr (std::is_floating_point_v<T>) {
      if (s_k == 1) {  // k contiguous: transpose in registers
        pack_transposed(s, s_r, n, kc, d, P, int(std::clamp<int64_t>(rows - (q + 1) * P, 0, P)));
        continue;
      }
    }
#endif
    for (int64_t p = 0; p < kc; ++p, d += P) {
      int r = 0;
      for (; r < n; ++r) d[r] = s[r * s_r + p * s_k];
      for (; r < P; ++r) d[r] = T(0);
    }
  }
}

#if defined(__AVX512F__)
// 12 x 32 floats / 12 x 16 doubles: 24 accumulators. Measured as fast as 14 rows (28 of the 32
// registers) on large products and faster on small ones, whose rows are often multiples of 4.
using KernelF32 = VecKernel<float, 12, 2>;
using KernelF64 = VecKernel<double, 12, 2>;
// 8 x 32 floats, for products whose rows 12-row tiles would pad much (see narrow_rows_pay).
using KernelF32Narrow = VecKernel<float, 8, 2>;
// 6 x 64 floats, also 24 accumulators but 10 loads per 24 FMAs instead of 14: measured on Sapphire
// Rapids at 92-94% of the FMA peak against 86-88% for 12 x 32 (B streaming from L2), for products
// wide enough to fill its 64 columns (see wide_tiles_pay).
using KernelF32Wide = VecKernel<float, 6, 4>;
#elif defined(CRESSET_GEMM_SIMD)
using KernelF32 = VecKernel<float, 6, 2>;   // 12 accumulators of 8 floats
using KernelF64 = VecKernel<double, 6, 2>;  // 12 accumulators of 4 doubles
#else
using KernelF32 = PortableKernel<float, 4, 8>;
using KernelF64 = PortableKernel<double, 4, 4>;
#endif
// Integers compute in uint64 (wrap-around, no UB), which matches every narrower integer modulo 2^n.
using KernelI64 = PortableKernel<uint64_t, 4, 8>;

// Depth of a K block: the A micro-panel (MR x KC) and a B micro-panel (KC x NR) share L1.
constexpr int64_t kBlockK = 256;
// Widest rectangle of C for which a row-major A is read in place rather than packed (measured with
// 32-column tiles: faster up to about 4 B panels, slower from 16).
constexpr int64_t kRowsInPlaceMaxN = 128;

// The widest rectangle whose row-major A a kernel of NR columns reads in place: kRowsInPlaceMaxN,
// or 4 micro-panels of wider tiles (64-column tiles measured 3-5% faster than with packed A at 192
// and 256 columns on one thread, 2-8% at 384 and 512 columns on 2 threads, split by columns).
constexpr int64_t rows_in_place_max_n(int NR) {
  return std::max<int64_t>(kRowsInPlaceMaxN, 4 * int64_t(NR));
}
// Rows of A packed at once (in MR panels): a block of 72-150 KB that stays in L2.
constexpr int64_t kBlockPanelsM = 12;

// The bytes of L2 a packed B block may fill: half of this core's L2.
int64_t l2_budget() {
  static const int64_t bytes = [] {
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    return int64_t(l2 > 0 ? l2 : 1 << 20) / 2;
  }();
  return bytes;
}

// Operands of at most this many bytes stay in a core's L2 across products (three quarters of it).
int64_t l2_resident_bytes() { return 3 * l2_budget() / 2; }

// Packing buffers, one pair per thread, reused across calls (pool threads live for the process).
struct PackBuffer {
  void* data = nullptr;
  size_t bytes = 0;
  ~PackBuffer() { std::free(data); }
  template <typename T>
  T* get(int64_t count) {
    size_t need = size_t(count) * sizeof(T);
    if (need > bytes) {
      std::free(data);
      bytes = (need + 63) / 64 * 64;
      data = std::aligned_alloc(64, bytes);
      if (!data) {
        bytes = 0;
        throw RuntimeError(str_cat("[gemm] out of memory allocating ", need, " bytes"));
      }
    }
    return static_cast<T*>(data);
  }
};
thread_local PackBuffer t_pack_a, t_pack_b, t_shared_b;

// Note [GEMM shared B]
// With several threads on one product, each thread taking its own rectangle of C packs every B
// block its rectangle meets: split by rows, every thread packs all of B (at 512 x 512 on 2 threads,
// a third of each thread's packing is redundant). For a single product the threads instead share
// the work of each B block: they claim its micro-panels one at a time and pack them into one
// shared buffer, wait until the block is packed, then claim chunks of its rows of A, large at
// first and down to one tile at the end (guided scheduling). Claims balance the threads whatever
// their speed: a static split of the rows left one core waiting for the other at every block
// (1024 x 1024 on 2 threads: 1-3% of the time at the barriers, as the two vCPUs of the machine
// ran 1-3% apart, and 171 row tiles do not split evenly), and a thread that starts late finds
// the work done by the others. The buffer holds two blocks: block i is packed over block i - 2
// once every row of that one is multiplied, and block i multiplies a row only after block i - 1
// is done with all rows, so C sees the K blocks in order. Tiles and K blocks are those of the
// serial loop: results do not depend on which thread computes what.
// Sharing has a price: a thread packs into lines that the other cores read last (each write
// invalidates their copies; measured twice the cost per element of packing into a private buffer)
// and reads the other threads' panels from their caches. While all of B fits in three quarters of
// a core's L2 it stays there across products and every thread packs it privately: measured 2-6%
// faster for 384 to 576 square products on 2 threads, 2-4% slower at 640 to 1024. And when every
// thread's share of the columns fills whole B blocks, the threads split C by columns instead: each
// packs its own B blocks and all of A, which is no more packing than its rows of A once per B block
// of the full width, with nothing read from another core (measured on 2 threads: 1% faster at
// 2048 x 2048, 15-25% at 4096 x 4096).

// A rectangle of C computed by the calling thread alone: it packs every B block into its own
// buffer and multiplies all of the rectangle's rows, MC at a time.
template <typename T>
class PrivateB {
 public:
  PrivateB(T* buffer, int64_t m0, int64_t m1, int64_t mc_max)
      : buffer_(buffer), m0_(m0), m1_(m1), mc_max_(mc_max) {}
  T* buffer(int64_t /*block*/) const { return buffer_; }
  // pack(first, last) packs the block's micro-panels [first, last).
  template <typename Pack>
  void pack(int64_t /*block*/, int64_t first, int64_t panels, const Pack& pack) {
    if (first < panels) pack(first, panels);
  }
  // multiply(ic, mc) multiplies rows [ic, ic + mc) of A by the block.
  template <typename Multiply>
  void for_each_rows(int64_t /*block*/, const Multiply& multiply) {
    for (int64_t ic = m0_; ic < m1_; ic += mc_max_) multiply(ic, std::min(mc_max_, m1_ - ic));
  }

 private:
  T* buffer_;
  int64_t m0_, m1_, mc_max_;
};

// All rows of one product computed by several threads together (see Note [GEMM shared B]). Blocks
// are counted in loop order from 0; each has counters of its micro-panels packed and of its row
// tiles (MR rows) claimed and multiplied.
template <typename T>
class SharedB {
 public:
  SharedB(T* data, int64_t block_elems, int64_t blocks, int64_t m, int MR, int64_t mc_max,
          int64_t threads)
      : data_(data),
        block_elems_(block_elems),
        counters_(new Counters[size_t(blocks)]),
        m_(m),
        mr_(MR),
        row_tiles_((m + MR - 1) / MR),
        chunk_max_(mc_max / MR),
        threads_(threads) {}
  // Two buffers take turns: block i is packed over block i - 2.
  T* buffer(int64_t block) const { return data_ + (block % 2) * block_elems_; }

  // Packs micro-panels of the block until none is left, then waits until the other threads have
  // packed theirs. The buffer is reused once every row of block - 2 has been multiplied.
  template <typename Pack>
  void pack(int64_t block, int64_t first, int64_t panels, const Pack& pack) {
    if (block >= 2) spin_until([&] { return multiplied(block - 2); });
    Counters& c = counters_[block];
    for (int64_t j; (j = first + c.next_panel.fetch_add(1, std::memory_order_relaxed)) < panels;) {
      pack(j, j + 1);
      c.packed.fetch_add(1, std::memory_order_release);
    }
    spin_until([&] { return c.packed.load(std::memory_order_acquire) >= panels - first; });
  }

  // Claims chunks of the block's row tiles until none is left: chunks shrink from MC rows to one
  // tile as the rows run out (guided scheduling), so the threads finish together whatever their
  // speed. A tile of C is multiplied by block i only once block i - 1 is done with every row,
  // which keeps the order of the K blocks.
  template <typename Multiply>
  void for_each_rows(int64_t block, const Multiply& multiply) {
    if (block >= 1) spin_until([&] { return multiplied(block - 1); });
    Counters& c = counters_[block];
    int64_t first = c.next_tile.load(std::memory_order_relaxed);
    while (first < row_tiles_) {
      const int64_t take =
          std::clamp<int64_t>((row_tiles_ - first) / (2 * threads_), 1, chunk_max_);
      if (!c.next_tile.compare_exchange_weak(first, first + take, std::memory_order_relaxed)) {
        continue;
      }
      multiply(first * mr_, std::min(m_, (first + take) * mr_) - first * mr_);
      c.multiplied.fetch_add(take, std::memory_order_release);
      first = c.next_tile.load(std::memory_order_relaxed);
    }
  }

 private:
  struct Counters {
    alignas(64) std::atomic<int64_t> next_panel{0};
    std::atomic<int64_t> packed{0};
    alignas(64) std::atomic<int64_t> next_tile{0};
    std::atomic<int64_t> multiplied{0};
  };
  bool multiplied(int64_t block) const {
    return counters_[block].multiplied.load(std::memory_order_acquire) == row_tiles_;
  }

  T* data_;
  int64_t block_elems_;
  std::unique_ptr<Counters[]> counters_;
  int64_t m_, mr_, row_tiles_, chunk_max_, threads_;
};

// Note [GEMM in place]
// Packing B costs a pass over k x n elements, which small products (few rows of A per column of B)
// cannot amortize. When B's rows are contiguous and the whole K block of B spans little memory (it
// stays in L2, few TLB misses) in rows less than a page apart (no rows that share L1 sets), the
// micro-kernel reads B's full micro-panels where they lie; only a last partial one is packed
// (zero-padded). Row-major A is likewise read in place when each A panel meets few B panels
// (rows_in_place_max_n). Either way every product of C sees the same operations as with packed
// operands, so results do not depend on it. "Little memory" is 4 KB per column of the tile: with
// 64-column tiles (256 KB), measured on one thread 4% faster at 256 x 256 x 256, 6-12% when m is
// small (128 x 256 x 1152, 64 x 256 x 2304), within 1% at 4096 x 256 x 256, but 1% slower at
// 384 x 384 x 384 (384 KB) and 2% with rows 8 KB apart; 32-column tiles gain 5-6% at 128 columns
// (128 KB); the 16-column AVX2 tiles lose 3% at 256 KB (1024 x 256 x 1024, 512 x 512 x 128).
constexpr int64_t kBInPlaceBytesPerColumn = 4 << 10;
constexpr int64_t kBInPlaceMaxRowBytes = 4096;

// The leading columns of an nc-column B block that can be read in place: its full micro-panels, and
// a last partial one that the edge kernel reads whole.
template <typename K>
int64_t in_place_columns(int64_t nc) {
  const int64_t full = nc / K::NR * K::NR;
  return nc - full == K::Edge::NR ? nc : full;
}

template <typename T, typename K>
bool reads_b_in_place(const GemmProblem& p, int64_t kc_max) {
  const int64_t row_bytes = std::max<int64_t>(p.b_rs, p.n) * int64_t(sizeof(T));
  return K::kReadsB && p.b_cs == 1 && p.b_rs >= 0 && row_bytes < kBInPlaceMaxRowBytes &&
         kc_max * row_bytes <= kBInPlaceBytesPerColumn * K::NR;
}

// One MR x NR tile: A read in place when its panel lies before packed_from, else from the packed
// A block.
template <typename K, typename T>
void run_tile(int64_t kc, int64_t ir, int64_t packed_from, const T* a_block, int64_t lda,
              const T* ap, const BPanel<T>& b_panel, T* c_tile, int64_t rs, int64_t cs, int mr,
              int nr, const Epilogue<T>& e) {
  if constexpr (K::kReadsRows) {
    if (ir < packed_from) {
      K::run_rows(kc, a_block + ir * lda, lda, b_panel, c_tile, rs, cs, nr, e);
      return;
    }
  }
  K::run(kc, ap + (ir - packed_from) * kc, b_panel, c_tile, rs, cs, mr, nr, e);
}

// The cache blocks of Note [GEMM blocking] for rectangles at most `width` columns wide, and the
// packing buffers of the calling thread.
template <typename T>
struct Blocking {
  int64_t kc_max = 0, nc_max = 0, mc_max = 0;
  bool b_in_place = false;
  T* ap = nullptr;
  T* bp = nullptr;
};

template <typename T, typename K>
Blocking<T> make_blocking(const GemmProblem& p, int64_t width) {
  constexpr int NR = K::NR;
  Blocking<T> bl;
  // Blocks of equal size (a K of 257 is two blocks of 129, not 256 and 1). The K blocks depend
  // on k alone, so every thread's split sums in the same order.
  const int64_t k_blocks = (p.k + kBlockK - 1) / kBlockK;
  bl.kc_max = (p.k + k_blocks - 1) / k_blocks;
  const int64_t n_panels = (width + NR - 1) / NR;
  const int64_t panels_fit =
      std::max<int64_t>(1, l2_budget() / (bl.kc_max * int64_t(sizeof(T)) * NR));
  const int64_t n_blocks = (n_panels + panels_fit - 1) / panels_fit;
  bl.nc_max = (n_panels + n_blocks - 1) / n_blocks * NR;
  bl.mc_max = kBlockPanelsM * K::MR;
  bl.b_in_place = reads_b_in_place<T, K>(p, bl.kc_max);
  bl.bp = t_pack_b.get<T>(bl.kc_max * (bl.b_in_place ? NR : bl.nc_max));
  bl.ap = t_pack_a.get<T>(bl.kc_max * bl.mc_max);
  return bl;
}

// Columns [n0, n1) of one product, computed with the loops of Note [GEMM blocking]; `blocks` packs
// each B block (into a buffer of its own, or together with other threads) and says which rows
// this thread multiplies. n0 must lie on the NR grid for the tiles to be the same for every split.
template <typename T, typename K, typename Blocks>
void gemm_columns(const GemmProblem& p, const Blocking<T>& bl, const T* a, const T* b, T* c,
                  int64_t n0, int64_t n1, const Epilogue<T>& first, const Epilogue<T>& rest,
                  Blocks& blocks) {
  constexpr int MR = K::MR, NR = K::NR;
  const int64_t kc_max = bl.kc_max, nc_max = bl.nc_max;
  T* const ap = bl.ap;
  int64_t block = 0;
  // Reading a row-major A in place saves packing it, which pays when each A panel meets few B
  // panels; with many, packed panels measured faster.
  const bool rows_in_place = K::kReadsRows && p.a_cs == 1 && n1 - n0 <= rows_in_place_max_n(NR);
  for (int64_t jc = n0; jc < n1; jc += nc_max) {
    const int64_t nc = std::min(nc_max, n1 - jc);
    for (int64_t pc = 0; pc < p.k; pc += kc_max, ++block) {
      const int64_t kc = std::min(kc_max, p.k - pc);
      const Epilogue<T>& e = pc == 0 ? first : rest;
      // Measured: prefetching B pays for blocks of 512 KB and more (they stream from L2 across
      // each row panel), is even at 256 KB and costs 5-15% on blocks of 128 KB and less. That
      // is for micro-panel rows of up to two lines: the 64-column tiles read four lines a step,
      // a stream the hardware prefetchers keep up with, and measured 2.5-4% faster without the
      // prefetches (512-2048 square products, one thread, Sapphire Rapids).
      const bool b_streams =
          K::NR * sizeof(T) <= 128 && kc * nc * int64_t(sizeof(T)) > l2_budget() / 4;
      // Micro-panels of B before b_packed_from are read in place (rows b_rs apart), the others
      // from the packed block (rows NR apart).
      const T* b_block = b + pc * p.b_rs + jc * p.b_cs;
      const int64_t b_packed_from = bl.b_in_place ? in_place_columns<K>(nc) : 0;
      T* const bp = blocks.buffer(block);
      blocks.pack(block, (b_packed_from + NR - 1) / NR, (nc + NR - 1) / NR,
                  [&](int64_t j0, int64_t j1) {
                    const int64_t col0 = j0 * NR, col1 = std::min(nc, j1 * NR);
                    pack_block<NR>(b_block + col0 * p.b_cs, p.b_cs, p.b_rs, col1 - col0, kc,
                                   bp + (col0 - b_packed_from) * kc);
                  });
      blocks.for_each_rows(block, [&](int64_t ic, int64_t mc) {
        const T* a_block = a + ic * p.a_rs + pc * p.a_cs;
        // Full panels of a row-major A are read in place; only a partial last panel is packed.
        const int64_t packed_from = rows_in_place ? mc / MR * MR : 0;
        if (packed_from < mc) {
          pack_block<MR>(a_block + packed_from * p.a_rs, p.a_rs, p.a_cs, mc - packed_from, kc, ap);
        }
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const int mr = int(std::min<int64_t>(MR, mc - ir));
          T* c_row = c + (ic + ir) * p.c_rs;
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = int(std::min<int64_t>(NR, nc - jr));
            T* c_tile = c_row + (jc + jr) * p.c_cs;
            const bool b_packed = jr >= b_packed_from;
            const BPanel<T> b_panel = {b_packed ? bp + (jr - b_packed_from) * kc : b_block + jr,
                                       b_packed ? NR : p.b_rs, b_streams};
            if (nr <= NR / 2) {  // implies K::Edge is narrower than K
              run_tile<typename K::Edge>(kc, ir, packed_from, a_block, p.a_rs, ap, b_panel, c_tile,
                                         p.c_rs, p.c_cs, mr, nr, e);
            } else {
              run_tile<K>(kc, ir, packed_from, a_block, p.a_rs, ap, b_panel, c_tile, p.c_rs, p.c_cs,
                          mr, nr, e);
            }
          }
        }
      });
    }
  }
}

// Below this many multiply-adds a product runs on the calling thread (waking the pool costs more).
constexpr int64_t kParallelWork = int64_t(1) << 21;

// How one product is cut into rectangles for threads: a grid of parts_m x parts_n.
struct Split {
  int64_t parts_m = 1, parts_n = 1;
};

// Picks the grid with `parts` rectangles (or fewer when there are fewer tiles) that minimizes the
// panels each thread packs: a rectangle's half-perimeter, less its rows when it is at most
// `rows_in_place_n` columns wide (A is then read in place; the caller passes 0 unless A is small
// enough that every thread reading all of it costs little) but wider than kRowsInPlaceMaxN (for
// narrower ones, where both splits read A in place, the half-perimeter measured 1-2% better).
Split choose_split(int64_t m_tiles, int64_t n_tiles, int64_t parts, int MR, int NR,
                   int64_t rows_in_place_n) {
  Split best;
  int64_t best_cost = -1;
  for (int64_t pm = 1; pm <= parts; ++pm) {
    if (parts % pm) continue;
    const int64_t pn = parts / pm;
    if (pm > m_tiles || pn > n_tiles) continue;
    const int64_t width = (n_tiles + pn - 1) / pn * NR;
    const bool a_free = width > kRowsInPlaceMaxN && width <= rows_in_place_n;
    const int64_t cost = (a_free ? 0 : (m_tiles + pm - 1) / pm * MR) + width;
    if (best_cost < 0 || cost < best_cost) {
      best = {pm, pn};
      best_cost = cost;
    }
  }
  return best;
}

// A dot product in a fixed order: kLanes independent partial sums (which the compiler vectorizes
// without reassociating anything), then a fixed pairwise reduction.
template <typename T>
T dot_contiguous(const T* a, const T* x, int64_t k) {
  constexpr int kLanes = 128 / sizeof(T);
  T acc[kLanes] = {};
  int64_t p = 0;
  for (; p + kLanes <= k; p += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] += a[p + l] * x[p + l];
  }
  for (int l = 0; p + l < k; ++l) acc[l] += a[p + l] * x[p + l];
  for (int w = kLanes / 2; w >= 1; w /= 2) {
    for (int l = 0; l < w; ++l) acc[l] += acc[l + w];
  }
  return acc[0];
}

// Rows of y accumulated at once when M's columns are contiguous: 8 KB of sums that stay in L1
// while long runs of each column stream past.
template <typename T>
constexpr int64_t kColumnBlock = 8192 / sizeof(T);

// Rows [r0, r1) of y = alpha * M x + beta * y for an M with row stride rs and column stride cs.
template <typename T>
void gemv_rows(const T* mat, int64_t rs, int64_t cs, const T* x, int64_t xs, T* y, int64_t ys,
               int64_t r0, int64_t r1, int64_t k, const Epilogue<T>& e) {
  if (cs == 1) {  // rows are contiguous: one dot product per row
    if (xs != 1) {
      T* packed = t_pack_b.get<T>(k);
      for (int64_t p = 0; p < k; ++p) packed[p] = x[p * xs];
      x = packed;
    }
    for (int64_t i = r0; i < r1; ++i) {
      const T acc = dot_contiguous(mat + i * rs, x, k);
      store_tile(&acc, 0, y + i * ys, 0, 0, 1, 1, e);
    }
  } else if (rs == 1) {  // columns are contiguous: accumulate x[p] * column p into a row block
    T acc[kColumnBlock<T>];
    for (int64_t b0 = r0; b0 < r1; b0 += kColumnBlock<T>) {
      const int64_t n = std::min(kColumnBlock<T>, r1 - b0);
      std::fill(acc, acc + n, T(0));
      for (int64_t p = 0; p < k; ++p) {
        const T xp = x[p * xs];
        const T* col = mat + b0 + p * cs;
        for (int64_t i = 0; i < n; ++i) acc[i] += col[i] * xp;
      }
      store_tile(acc, 1, y + b0 * ys, ys, 0, int(n), 1, e);
    }
  } else {
    for (int64_t i = r0; i < r1; ++i) {
      T acc(0);
      for (int64_t p = 0; p < k; ++p) acc += mat[i * rs + p * cs] * x[p * xs];
      store_tile(&acc, 0, y + i * ys, 0, 0, 1, 1, e);
    }
  }
}

// The threads a product of `work` multiply-adds is worth.
int64_t threads_for(int64_t work) {
  return in_parallel_region() || work < kParallelWork ? 1 : get_num_threads();
}

// Products with a single row or column of C are matrix-vector products: memory-bound, so they
// skip packing and split the rows of C across threads.
template <typename T>
void run_gemv(const GemmProblem& p, const T* a, const T* b, T* c, const Epilogue<T>& e) {
  const bool column = p.n == 1;  // y = A x; otherwise the row y^T = x^T B, i.e. y = B^T x
  const int64_t rows = column ? p.m : p.n;
  const T* mat = column ? a : b;
  const T* vec = column ? b : a;
  const int64_t* mat_off = column ? p.a_off : p.b_off;
  const int64_t* vec_off = column ? p.b_off : p.a_off;
  const int64_t rs = column ? p.a_rs : p.b_cs, cs = column ? p.a_cs : p.b_rs;
  const int64_t xs = column ? p.b_rs : p.a_cs, ys = column ? p.c_rs : p.c_cs;
  const int64_t threads = threads_for(rows * p.k * p.batch);
  // Items of rows for threads: with contiguous columns, one long block per thread so that each
  // column is read in long runs.
  const int64_t per_item =
      cs != 1 && rs == 1 ? std::clamp<int64_t>((rows + threads - 1) / threads, 256, kColumnBlock<T>)
                         : 256;
  const int64_t blocks = (rows + per_item - 1) / per_item;
  auto work = [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bi = item / blocks, r0 = item % blocks * per_item;
      gemv_rows(mat + (mat_off ? mat_off[bi] : 0), rs, cs, vec + (vec_off ? vec_off[bi] : 0), xs,
                c + (p.c_off ? p.c_off[bi] : 0), ys, r0, std::min(rows, r0 + per_item), p.k, e);
    }
  };
  if (threads == 1) {
    work(0, p.batch * blocks);
  } else {
    parallel_for(0, p.batch * blocks, 1, work);
  }
}

template <typename T, typename K>
void run_gemm(const GemmProblem& p, T alpha, T beta) {
  constexpr int MR = K::MR, NR = K::NR;
  const T* a = static_cast<const T*>(p.a);
  const T* b = static_cast<const T*>(p.b);
  T* c = static_cast<T*>(p.c);
  const Epilogue<T> first = make_epilogue(alpha, beta), rest = make_epilogue(alpha, T(1));
  if (p.m == 0 || p.n == 0 || p.batch == 0) return;
  if (p.k == 0) {  // an empty sum: C = beta * C
    for (int64_t bi = 0; bi < p.batch; ++bi) {
      T* cb = c + (p.c_off ? p.c_off[bi] : 0);
      for (int64_t i = 0; i < p.m; ++i) {
        for (int64_t j = 0; j < p.n; ++j) {
          T& out = cb[i * p.c_rs + j * p.c_cs];
          out = first.beta_zero ? T(0) : first.beta_one ? out : first.beta * out;
        }
      }
    }
    return;
  }
  if (p.m == 1 || p.n == 1) {
    run_gemv(p, a, b, c, first);
    return;
  }
  const int64_t m_tiles = (p.m + MR - 1) / MR, n_tiles = (p.n + NR - 1) / NR;
  const int64_t threads = threads_for(p.m * p.n * p.k * p.batch);
  // Shared B blocks pay where a column split would pack A and B is too large to stay in L2, unless
  // every thread's columns fill whole B blocks (see Note [GEMM shared B]); a column split that
  // reads A in place packs nothing twice and measured 8% faster at 256 x 256.
  bool by_columns = false;
  // Column splits that read A in place pay while A stays in L2: measured on 2 threads 2-8% faster
  // than row splits at 384 and 512 square, but 4-33% slower with A of 4-8 MB (m >> n).
  const int64_t rows_in_place_n =
      K::kReadsRows && p.a_cs == 1 && p.m * p.k * int64_t(sizeof(T)) <= l2_resident_bytes()
          ? rows_in_place_max_n(NR)
          : 0;
  if (p.batch == 1 && threads > 1 && p.n > threads * std::max(rows_in_place_n, kRowsInPlaceMaxN) &&
      m_tiles >= 4 * threads) {
    const Blocking<T> serial = make_blocking<T, K>(p, p.n);
    by_columns = n_tiles >= threads * (serial.nc_max / NR);
    if (!by_columns && !serial.b_in_place && p.k * p.n * int64_t(sizeof(T)) > l2_resident_bytes()) {
      const int64_t blocks =
          (p.n + serial.nc_max - 1) / serial.nc_max * ((p.k + serial.kc_max - 1) / serial.kc_max);
      SharedB<T> shared(t_shared_b.get<T>(2 * serial.kc_max * serial.nc_max),
                        serial.kc_max * serial.nc_max, blocks, p.m, MR, serial.mc_max, threads);
      parallel_for(0, threads, 1, [&](int64_t, int64_t) {
        const Blocking<T> bl = make_blocking<T, K>(p, p.n);
        gemm_columns<T, K>(p, bl, a, b, c, 0, p.n, first, rest, shared);
      });
      return;
    }
  }
  // Enough rectangles per product that batch * parts divides evenly among the threads.
  const int64_t parts = std::min(threads / std::gcd(p.batch, threads), m_tiles * n_tiles);
  Split split;
  for (int64_t want = parts; want >= 1; --want) {
    split =
        by_columns ? Split{1, want} : choose_split(m_tiles, n_tiles, want, MR, NR, rows_in_place_n);
    if (split.parts_m * split.parts_n == want) break;
  }
  const int64_t per_product = split.parts_m * split.parts_n;
  // Every rectangle is at most this wide: one blocking (and one pair of buffers) per thread.
  const int64_t width = std::min(p.n, (n_tiles + split.parts_n - 1) / split.parts_n * NR);
  auto work = [&](int64_t begin, int64_t end) {
    const Blocking<T> bl = make_blocking<T, K>(p, width);
    for (int64_t item = begin; item < end; ++item) {
      const int64_t bi = item / per_product, part = item % per_product;
      const int64_t pm = part / split.parts_n, pn = part % split.parts_n;
      const int64_t m0 = std::min(p.m, m_tiles * pm / split.parts_m * MR);
      const int64_t m1 = std::min(p.m, m_tiles * (pm + 1) / split.parts_m * MR);
      const int64_t n0 = std::min(p.n, n_tiles * pn / split.parts_n * NR);
      const int64_t n1 = std::min(p.n, n_tiles * (pn + 1) / split.parts_n * NR);
      if (m0 >= m1 || n0 >= n1) continue;
      PrivateB<T> rows(bl.bp, m0, m1, bl.mc_max);
      gemm_columns<T, K>(p, bl, a + (p.a_off ? p.a_off[bi] : 0), b + (p.b_off ? p.b_off[bi] : 0),
                         c + (p.c_off ? p.c_off[bi] : 0), n0, n1, first, rest, rows);
    }
  };
  if (threads == 1) {
    work(0, p.batch * per_product);
  } else {
    parallel_for(0, p.batch * per_product, 1, work);
  }
}

#if defined(__AVX512F__)
// Whether 8-row tiles beat 12-row ones for an m x n product: they compute fewer padding rows when m
// is a multiple of 8 but not of 12 (the channel counts 16, 32, 64 of small convolutions: 64 rows
// are 6 tiles of 12, 72 rows, but 8 tiles of 8), at a lower speed per tile: about 3% on Zen 5
// (conv forward 5-14% faster at 16 and 64 rows), and on Sapphire Rapids about 3% while A is read in
// place (n <= kRowsInPlaceMaxN) but 6% once B micro-panels stream from L2 for packed A (a 256-row
// square product is 3.5% faster with 12-row tiles, a 128-row one 5% slower).
// Tile heights change no result: every element of C sees the same operations either way.
bool narrow_rows_pay(int64_t m, int64_t n) {
  const int64_t wide = (m + 11) / 12 * 12, narrow = (m + 7) / 8 * 8;
  return narrow * (n <= kRowsInPlaceMaxN ? 103 : 106) < wide * 100;
}

// Whether 6 x 64 tiles beat the 32-column ones: where those would pack A (n > kRowsInPlaceMaxN)
// they are about 7% faster than 12-row tiles, which never pad fewer rows, and 10% faster than
// 8-row ones.
bool wide_tiles_pay(int64_t m, int64_t n) {
  return n > kRowsInPlaceMaxN && (m + 5) / 6 * 6 * 100 <= (m + 7) / 8 * 8 * 110;
}
#endif

}  // namespace

void gemm_kernel(const GemmProblem& p) {
  switch (p.dtype) {
    case DType::Float32:
#if defined(__AVX512F__)
      if (wide_tiles_pay(p.m, p.n)) {
        run_gemm<float, KernelF32Wide>(p, p.alpha.to<float>(), p.beta.to<float>());
        break;
      }
      if (narrow_rows_pay(p.m, p.n)) {
        run_gemm<float, KernelF32Narrow>(p, p.alpha.to<float>(), p.beta.to<float>());
        break;
      }
#endif
      run_gemm<float, KernelF32>(p, p.alpha.to<float>(), p.beta.to<float>());
      break;
    case DType::Float64:
      run_gemm<double, KernelF64>(p, p.alpha.to<double>(), p.beta.to<double>());
      break;
    default:
      run_gemm<uint64_t, KernelI64>(p, uint64_t(p.alpha.to<int64_t>()),
                                    uint64_t(p.beta.to<int64_t>()));
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
