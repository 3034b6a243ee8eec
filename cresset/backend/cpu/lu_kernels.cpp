// Note [Blocked LU]
// Matrices are row-major, so a row swap is one contiguous swap and every inner loop runs along a
// row. The factorization is right-looking and blocked: a panel of 32 or 64 columns is factored
// recursively (factor_columns), the panel's rows of U right of it are solved with its unit lower
// triangle, and the trailing matrix gets the rank-32 or rank-64 update from cresset's GEMM. The
// pivot is the first row of largest magnitude, as LAPACK's idamax picks it, so pivots agree with
// torch's wherever rounding does. Triangular solves are blocked the same way: GEMM for the
// off-diagonal blocks, row axpys within. Compiled once per capability (see Note [CPU capability
// dispatch]); lu.cpp dispatches.
#include "cresset/backend/cpu/lu_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "cresset/backend/cpu/gemm.h"
#include "cresset/core/parallel.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

#include "cresset/backend/cpu/transpose.h"

constexpr int64_t kBlock = 32;
// Panel widths of the factorization: kBlock, or kWidePanel from kWidePanelFrom columns on, where
// the rank-64 updates stream the trailing matrix half as often (2048 x 2048 on 1 thread: 81 ms
// with 32-column panels, 58 ms with 64; 128 columns gained nothing more and lost at 512).
constexpr int64_t kWidePanel = 64;
constexpr int64_t kWidePanelFrom = 512;

// c (m x n) -= a (m x k) @ b (k x n); element (i, j) of a is a[i * a_rs + j * a_cs], rows of b
// and c are ldb and ldc elements apart.
template <typename T>
void gemm_sub(T* c, int64_t ldc, const T* a, int64_t a_rs, int64_t a_cs, const T* b, int64_t ldb,
              int64_t m, int64_t n, int64_t k) {
  if (m == 0 || n == 0 || k == 0) return;
  const DType dtype = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
  gemm(GemmProblem{dtype, m, n, k, 1, a, nullptr, a_rs, a_cs, b, nullptr, ldb, 1, c, nullptr, ldc,
                   1, Scalar(-1.0), Scalar(1.0)});
}

// dst[0, n) -= f * src[0, n), the inner loop of the triangular solves (vectorized for each
// capability; no FMA contraction, so every capability rounds alike).
template <typename T>
void axpy_sub(T* dst, const T* src, T f, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] -= f * src[j];
}

// The first of rows [begin, end) of `col` with the largest magnitude, as LAPACK's idamax picks it
// (a NaN is passed over unless it comes first): the maximum in a vectorized pass, then its row.
template <typename T>
int64_t pivot_row(const T* col, int64_t begin, int64_t end) {
  if (std::isnan(col[begin])) return begin;
  T best = 0;
#pragma omp simd reduction(max : best)
  for (int64_t i = begin; i < end; ++i) {
    const T v = std::abs(col[i]);
    best = v > best ? v : best;
  }
  for (int64_t i = begin; i < end; ++i) {
    if (std::abs(col[i]) == best) return i;
  }
  return begin;
}

// Panels are factored recursively below this width: a leaf's columns stay in L1 while each of
// its pivots updates them (a 32-column panel of 512 rows is 64 KB, and updating it column by
// column streamed it from L2 once per pivot: a third of lu_factor's time at 512 x 512).
constexpr int64_t kLeafColumns = 8;

// LU of columns [c0, c0 + w) of a column-major panel (`rows` rows, rows c0.. below the diagonal),
// as LAPACK's recursive getrf2: the left half, then the right half's rows of U (a unit lower
// solve) and the rank-h update of the rows below (cresset's GEMM), then the right half. Row swaps
// apply to all kb columns of the panel when their pivot is chosen. Pivot k is recorded in
// piv[k] as an offset from the panel's first row; returns the first zero pivot's column + 1, or 0.
template <typename T>
int64_t factor_columns(T* pc, int64_t rows, int64_t kb, int64_t c0, int64_t w, int64_t* piv) {
  if (w <= kLeafColumns) {
    int64_t info = 0;
    for (int64_t kk = c0; kk < c0 + w; ++kk) {
      T* col = pc + kk * rows;
      const int64_t p = pivot_row(col, kk, rows);
      piv[kk] = p;
      const T pivot = col[p];
      if (pivot != T(0)) {
        if (p != kk) {
          for (int64_t j = 0; j < kb; ++j) std::swap(pc[j * rows + kk], pc[j * rows + p]);
        }
        const T r = T(1) / pivot;
        for (int64_t i = kk + 1; i < rows; ++i) col[i] *= r;
      } else if (info == 0) {
        info = kk + 1;
      }
      for (int64_t j = kk + 1; j < c0 + w; ++j) {
        T* cj = pc + j * rows;
        axpy_sub(cj + kk + 1, col + kk + 1, cj[kk], rows - kk - 1);
      }
    }
    return info;
  }
  const int64_t h = w / 2, c1 = c0 + h;
  const int64_t left = factor_columns(pc, rows, kb, c0, h, piv);
  for (int64_t j = c1; j < c0 + w; ++j) {  // rows [c0, c1) of the right half: U12 = L11^-1 A12
    T* cj = pc + j * rows;
    for (int64_t i = c0 + 1; i < c1; ++i) {
      for (int64_t l = c0; l < i; ++l) cj[i] -= pc[l * rows + i] * cj[l];
    }
  }
  // A22 -= L21 U12, column-major: element (i, j) at pc[j * rows + i].
  const DType dtype = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
  gemm(GemmProblem{dtype, rows - c1, w - h, h, 1, pc + c0 * rows + c1, nullptr, 1, rows,
                   pc + c1 * rows + c0, nullptr, 1, rows, pc + c1 * rows + c1, nullptr, 1, rows,
                   Scalar(-1.0), Scalar(1.0)});
  const int64_t right = factor_columns(pc, rows, kb, c1, w - h, piv);
  return left ? left : right;
}

// Factors the kb columns of a panel at `panel` (rows ld apart) in rows [k0, m), its updates from
// earlier panels done: chooses the pivots, recording them in piv[k0, k0 + kb); returns the LAPACK
// info of the first zero pivot, or 0. Only the panel's columns change: the other columns get its
// row swaps in update_columns and at the end of factor. `scratch` holds a column-major copy of the
// panel: walking a column of a row-major matrix whose rows are a power of two apart would hit a
// handful of cache sets only.
template <typename T>
int32_t factor_panel(T* panel, int64_t ld, int64_t m, int64_t k0, int64_t kb, int32_t* piv,
                     std::vector<T>& scratch) {
  const int64_t rows = m - k0;
  scratch.resize(size_t(kb * rows));
  T* pc = scratch.data();
  transpose_copy(panel + k0 * ld, ld, pc, rows, rows, kb);
  int64_t local[kWidePanel];
  const int64_t info = factor_columns(pc, rows, kb, 0, kb, local);
  for (int64_t j = 0; j < kb; ++j) piv[k0 + j] = int32_t(k0 + local[j] + 1);
  transpose_copy(pc, rows, panel + k0 * ld, ld, kb, rows);
  return info ? int32_t(k0 + info) : 0;
}

// Applies the factored panel of kb columns at `panel` (rows ldp apart; rows [k0, k0 + kb) hold
// its unit lower triangle, the rows below its L) to the w columns at `cols` (rows ld apart) right
// of it: its row swaps, the unit lower solve of their rows of U, and the rank-kb update of the
// rows below from cresset's GEMM.
template <typename T>
void update_columns(T* cols, int64_t ld, int64_t w, const T* panel, int64_t ldp, int64_t m,
                    int64_t k0, int64_t kb, const int32_t* piv) {
  const int64_t k1 = k0 + kb;
  for (int64_t k = k0; k < k1; ++k) {
    const int64_t p = piv[k] - 1;
    if (p != k) std::swap_ranges(cols + k * ld, cols + k * ld + w, cols + p * ld);
  }
  for (int64_t i = k0 + 1; i < k1; ++i) {
    for (int64_t l = k0; l < i; ++l) {
      axpy_sub(cols + i * ld, cols + l * ld, panel[i * ldp + l - k0], w);
    }
  }
  gemm_sub(cols + k1 * ld, ld, panel + k1 * ldp, ldp, 1, cols + k0 * ld, ld, m - k1, w, kb);
}

// Note [Parallel LU]
// One matrix is factored by all threads together. The columns are cut into blocks of the panel
// width, block b owned by thread b % T for the whole factorization. After panel p, each thread
// updates its blocks in order; the owner of block p + 1 updates it first and factors panel p + 1
// at once (a look-ahead of one panel), so the next panel is ready while the other blocks are
// updated. A thread waits only for the panel it applies, and every block gets the same
// operations in the same order whatever T, so the factors don't depend on the number of threads.
// Row swaps left of each panel wait until the end: other threads still read the panel's L rows
// while later panels would permute them. Copying each thread's blocks into buffers of its own
// (rows nb apart) measured slower at every size, 512 x 512 to 2048 x 2048 on 2 threads (a 768 x
// 768 factorization 1.5x).

// Factors the m x n matrix `a` in place (see Notes [Blocked LU] and [Parallel LU]), with the
// thread pool when `parallel`; returns LAPACK's info.
template <typename T>
int32_t factor(T* a, int64_t m, int64_t n, int32_t* piv, bool parallel) {
  const int64_t kmin = std::min(m, n);
  if (kmin == 0) return 0;
  const int64_t nb = kmin >= kWidePanelFrom ? kWidePanel : kBlock;  // panel and block width
  const int64_t panels = (kmin + nb - 1) / nb, blocks = (n + nb - 1) / nb;
  const int64_t threads = parallel ? get_num_threads() : 1;
  // Everything the workers use is allocated here: they must not throw while others wait.
  std::vector<int32_t> infos(static_cast<size_t>(panels), 0);
  std::vector<std::vector<T>> scratch(static_cast<size_t>(threads));
  for (auto& s : scratch) s.reserve(size_t(nb * m));
  std::atomic<int64_t> factored{0};
  auto factor_at = [&](int64_t p, std::vector<T>& s) {
    infos[p] = factor_panel(a + p * nb, n, m, p * nb, std::min(kmin - p * nb, nb), piv, s);
    factored.store(p + 1, std::memory_order_release);
  };
  // Thread t's share: its blocks, and for each panel their columns right of it (the last panel's
  // own block may have some).
  auto run = [&](int64_t t) {
    if (t == 0) factor_at(0, scratch[0]);
    for (int64_t p = 0; p < panels; ++p) {
      spin_until([&] { return factored.load(std::memory_order_acquire) > p; });
      const int64_t k0 = p * nb, kb = std::min(kmin - k0, nb);
      for (int64_t b = (k0 + kb) / nb; b < blocks; ++b) {
        const int64_t c0 = std::max(k0 + kb, b * nb), c1 = std::min(n, (b + 1) * nb);
        if (b % threads != t || c0 >= c1) continue;
        update_columns(a + c0, n, c1 - c0, a + k0, n, m, k0, kb, piv);
        if (b == p + 1 && b < panels) factor_at(b, scratch[size_t(t)]);
      }
    }
  };
  if (threads > 1) {
    // One chunk per pool thread, all running at once (parallel_run sizes the pool to T).
    parallel_for(0, threads, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) run(t);
    });
  } else {
    run(0);
  }
  // The row swaps of every panel on the columns left of it, in panel order.
  for (int64_t k = 0; k < kmin; ++k) {
    const int64_t p = piv[k] - 1, left = k / nb * nb;
    if (p != k) std::swap_ranges(a + k * n, a + k * n + left, a + p * n);
  }
  for (int32_t info : infos) {
    if (info) return info;
  }
  return 0;
}

// b (n x k, rows ldb apart) = T^-1 b for the triangular T (n x n) whose element (i, l) is t[i * rs
// + l * cs]: lower (solved top-down) or upper (bottom-up), with a unit diagonal or its own.
// Recursive: the first half of the rows in solving order is solved, updates the other half with
// one GEMM of depth n / 2, and the other half is solved; blocks of kBlock rows are solved with
// row axpys. Most of the work is then in deep GEMMs (a right-looking loop over 32-row blocks
// made every update a depth-32 GEMM that stored C for every 32 multiply-adds: 512 x 512 with 512
// right-hand sides 1.37 ms on 1 thread, 1.2 ms with the recursion).
template <typename T>
void triangular_solve(const T* t, int64_t rs, int64_t cs, bool lower, bool unit, T* b, int64_t ldb,
                      int64_t n, int64_t k) {
  if (n > kBlock) {
    const int64_t half = (n / 2 + kBlock - 1) / kBlock * kBlock;  // rows [0, half) and the rest
    const int64_t rest = n - half;
    T* b_lo = b + half * ldb;
    if (lower) {
      triangular_solve(t, rs, cs, lower, unit, b, ldb, half, k);
      gemm_sub(b_lo, ldb, t + half * rs, rs, cs, b, ldb, rest, k, half);
      triangular_solve(t + half * rs + half * cs, rs, cs, lower, unit, b_lo, ldb, rest, k);
    } else {
      triangular_solve(t + half * rs + half * cs, rs, cs, lower, unit, b_lo, ldb, rest, k);
      gemm_sub(b, ldb, t + half * cs, rs, cs, b_lo, ldb, half, k, rest);
      triangular_solve(t, rs, cs, lower, unit, b, ldb, half, k);
    }
    return;
  }
  auto finish_row = [&](int64_t i) {
    if (unit) return;
    T* row = b + i * ldb;
    const T d = t[i * rs + i * cs];
    for (int64_t j = 0; j < k; ++j) row[j] /= d;
  };
  if (lower) {
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t l = 0; l < i; ++l) axpy_sub(b + i * ldb, b + l * ldb, t[i * rs + l * cs], k);
      finish_row(i);
    }
    return;
  }
  for (int64_t i = n - 1; i >= 0; --i) {
    for (int64_t l = i + 1; l < n; ++l) axpy_sub(b + i * ldb, b + l * ldb, t[i * rs + l * cs], k);
    finish_row(i);
  }
}

// b (n x k, rows ldb apart) = A^-1 b, or A^-T b when `adjoint`, for A = P L U packed in lu (n x n).
template <typename T>
void solve(const T* lu, const int32_t* piv, T* b, int64_t ldb, int64_t n, int64_t k, bool adjoint) {
  auto swap_rows = [&](int64_t i) {
    const int64_t p = piv[i] - 1;
    if (p != i) std::swap_ranges(b + i * ldb, b + i * ldb + k, b + p * ldb);
  };
  if (!adjoint) {
    for (int64_t i = 0; i < n; ++i) swap_rows(i);
    triangular_solve(lu, n, 1, /*lower=*/true, /*unit=*/true, b, ldb, n, k);
    triangular_solve(lu, n, 1, /*lower=*/false, /*unit=*/false, b, ldb, n, k);
    return;
  }
  // A^T = U^T L^T P^T: U^T is lower, L^T unit upper, read transposed.
  triangular_solve(lu, 1, n, /*lower=*/true, /*unit=*/false, b, ldb, n, k);
  triangular_solve(lu, 1, n, /*lower=*/false, /*unit=*/true, b, ldb, n, k);
  for (int64_t i = n - 1; i >= 0; --i) swap_rows(i);
}

// Runs f(b) for each matrix b of a batch of matrices of about `work` operations each, in
// parallel over the batch (one big matrix parallelizes inside the GEMM instead).
template <typename F>
void for_each_matrix(int64_t batch, int64_t work, const F& f) {
  parallel_for_each(0, batch, work, f);
}

// Multiply-adds (m n min(m, n)) from which one matrix is factored by all threads: measured on 2
// threads, 256 x 256 breaks even and 128 x 128 is 20% slower than one thread.
constexpr int64_t kParallelLU = int64_t(1) << 25;

template <typename T>
void lu_factor_typed(const Tensor& lu, const Tensor& pivots, const Tensor& info) {
  const int64_t m = lu.size(-2), n = lu.size(-1), kmin = std::min(m, n);
  const int64_t batch = m * n == 0 ? info.numel() : lu.numel() / (m * n);
  T* a = lu.data<T>();
  int32_t* piv = pivots.data<int32_t>();
  int32_t* inf = info.data<int32_t>();
  if (batch == 1) {  // one matrix: all threads on it (see Note [Parallel LU])
    inf[0] = factor(a, m, n, piv,
                    m * n * kmin >= kParallelLU && get_num_threads() > 1 && !in_parallel_region());
    return;
  }
  for_each_matrix(batch, m * n * kmin, [&](int64_t b) {
    inf[b] = factor(a + b * m * n, m, n, piv + b * kmin, false);
  });
}

// Runs f(i, cols, ld, w) on the w right-hand sides at `cols` (rows ld apart) of system i of a
// batch of `batch` systems of n equations with k right-hand sides each, stored at x: a batch in
// parallel over its systems; one system in parallel over blocks of its columns, in place, which
// are independent (each column gets the same operations whatever the split). With the recursive
// triangular solves, private copies of each thread's columns measured slower: 512 x 512 with 512
// right-hand sides on 2 threads, 0.86 ms with them, 0.76 ms without.
template <typename T, typename F>
void for_each_system(T* x, int64_t batch, int64_t n, int64_t k, const F& f) {
  if (n * k == 0) return;
  if (batch != 1) {
    for_each_matrix(batch, n * n * k, [&](int64_t i) { f(i, x + i * n * k, k, k); });
    return;
  }
  parallel_for(0, k, kBlock, [&](int64_t j0, int64_t j1) { f(0, x + j0, k, j1 - j0); });
}

template <typename T>
void lu_solve_typed(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool adjoint) {
  const int64_t n = b.size(-2), k = b.size(-1);
  const T* a = lu.data<T>();
  const int32_t* piv = pivots.data<int32_t>();
  for_each_system(b.data<T>(), n * k == 0 ? 0 : b.numel() / (n * k), n, k,
                  [&](int64_t i, T* cols, int64_t ld, int64_t w) {
                    solve(a + i * n * n, piv + i * n, cols, ld, n, w, adjoint);
                  });
}

template <typename T>
void triangular_solve_typed(const Tensor& a, const Tensor& b, bool upper, bool unit,
                            bool transpose) {
  const int64_t n = b.size(-2), k = b.size(-1);
  const T* t = a.data<T>();
  // The transpose of an upper triangle is a lower one, read with the strides swapped.
  const int64_t rs = transpose ? 1 : n, cs = transpose ? n : 1;
  const bool lower = upper == transpose;
  for_each_system(b.data<T>(), n * k == 0 ? 0 : b.numel() / (n * k), n, k,
                  [&](int64_t i, T* cols, int64_t ld, int64_t w) {
                    triangular_solve(t + i * n * n, rs, cs, lower, unit, cols, ld, n, w);
                  });
}

template <typename T>
void lu_det_typed(const Tensor& lu, const Tensor& pivots, const Tensor& sign, const Tensor& value,
                  bool log) {
  const int64_t n = lu.size(-1), batch = value.numel();
  const T* a = lu.data<T>();
  const int32_t* piv = pivots.data<int32_t>();
  T* v = value.data<T>();
  T* s = log ? sign.data<T>() : nullptr;
  for_each_matrix(batch, n, [&](int64_t b) {
    const T* m = a + b * n * n;
    bool swapped = false;
    T prod = 1, sgn = 1, logsum = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T d = m[i * n + i];
      swapped ^= piv[b * n + i] != i + 1;
      if (log) {
        // sign(d) as torch takes it: 0 for a zero pivot (a singular matrix) and for NaN.
        sgn *= d > T(0) ? T(1) : d < T(0) ? T(-1) : T(0);
        logsum += std::log(std::abs(d));
      } else {
        prod *= d;
      }
    }
    if (log) {
      s[b] = swapped ? -sgn : sgn;
      v[b] = logsum;
    } else {
      v[b] = swapped ? -prod : prod;
    }
  });
}

template <typename F>
void by_dtype(const Tensor& t, const F& f) {
  if (t.dtype() == DType::Float32) {
    f(float());
  } else {
    f(double());
  }
}

}  // namespace

void lu_factor_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& info) {
  by_dtype(lu, [&](auto t) { lu_factor_typed<decltype(t)>(lu, pivots, info); });
}

void lu_solve_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool adjoint) {
  by_dtype(lu, [&](auto t) { lu_solve_typed<decltype(t)>(lu, pivots, b, adjoint); });
}

void triangular_solve_kernel(const Tensor& a, const Tensor& b, bool upper, bool unit,
                             bool transpose) {
  by_dtype(a, [&](auto t) { triangular_solve_typed<decltype(t)>(a, b, upper, unit, transpose); });
}

void lu_det_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& sign, const Tensor& value,
                   bool log) {
  by_dtype(lu, [&](auto t) { lu_det_typed<decltype(t)>(lu, pivots, sign, value, log); });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
