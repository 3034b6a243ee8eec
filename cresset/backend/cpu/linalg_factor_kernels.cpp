// Note [Cholesky and QR layouts]
// The kernels work where every inner loop runs along contiguous memory. Cholesky factors A =
// U^T U with U's rows in row-major order: row j of U is column j of L, so the output read by
// columns is L, LAPACK's column-major lower factor, and the op returns it as a transposed view
// (torch's strides). QR works on A stored by columns (LAPACK's layout), so a Householder vector,
// the column it is applied to and each column of Q are contiguous rows. Both follow LAPACK's
// algorithms (potrf's left-looking blocks over potf2's columns, larfg's reflector and its sign,
// the blocked geqrf and orgqr, qp3's pivots and norm downdating), which is what makes results
// agree with torch's (MKL's) up to rounding, and the partial factors of a failed Cholesky agree
// exactly for matrices of one block.
// Compiled once per capability (see Note [CPU capability dispatch]); linalg_factor.cpp
// dispatches.
#include "cresset/backend/cpu/linalg_factor_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "cresset/backend/cpu/gemm.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// Rows of U per block of the Cholesky factorization: each block's rows get the update from the
// rows above it in one GEMM, then are factored with row axpys (left-looking, as potrf).
constexpr int64_t kCholeskyBlock = 64;

// sum x[i] * y[i] in eight partial sums added in a fixed order: the loop vectorizes, and every
// capability rounds alike (no FMA contraction, see CMakeLists.txt).
template <typename T>
T dot(const T* x, const T* y, int64_t n) {
  T acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) acc[l] += x[i + l] * y[i + l];
  }
  T tail = 0;
  for (; i < n; ++i) tail += x[i] * y[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// dst[0, n) -= f * src[0, n).
template <typename T>
void axpy_sub(T* dst, const T* src, T f, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] -= f * src[j];
}

// ||x||: the plain sum of squares, rescaled by the largest magnitude only when it overflows or
// underflows (LAPACK's nrm2 never does either).
template <typename T>
T norm2(const T* x, int64_t n) {
  const T s = dot(x, x, n);
  if (std::isnan(s) || (s >= std::numeric_limits<T>::min() && s <= std::numeric_limits<T>::max()))
    return std::sqrt(s);
  T scale = 0;
  for (int64_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(x[i]));
  if (scale == 0 || std::isinf(scale)) return scale;
  T sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] / scale) * (x[i] / scale);
  return scale * std::sqrt(sum);
}

// LAPACK's larfg: the reflector H = I - tau v v^T (v = [1, x']) with H [alpha, x] = [beta, 0].
// beta takes the sign opposite to alpha's; tau is 0 (H = I) when x is zero. alpha becomes beta,
// x becomes x'; returns tau.
template <typename T>
T make_reflector(T* alpha, T* x, int64_t n) {
  if (n <= 0) return 0;
  const T xnorm = norm2(x, n);
  if (xnorm == 0) return 0;
  const T beta = -std::copysign(std::hypot(*alpha, xnorm), *alpha);
  const T tau = (beta - *alpha) / beta;
  const T d = *alpha - beta;
  const T r = T(1) / d;
  if (std::isfinite(r)) {
    for (int64_t i = 0; i < n; ++i) x[i] *= r;
  } else {  // d is subnormal
    for (int64_t i = 0; i < n; ++i) x[i] /= d;
  }
  *alpha = beta;
  return tau;
}

// y[0, n] = H y for H = I - tau v v^T, v = [1, x[0, n)] (larf's order: tau scales v . y first).
template <typename T>
void apply_reflector(const T* x, int64_t n, T tau, T* y) {
  const T w = tau * (y[0] + dot(x, y + 1, n));
  y[0] -= w;
  axpy_sub(y + 1, x, w, n);
}

// ---- Cholesky ----

// Factors the n x n row-major `a` (upper triangle read) as U^T U in place; returns potrf's info.
// Blocks of kCholeskyBlock rows: the rows above a block update it in one GEMM, then each of its
// rows is finished from the block's earlier rows (potf2's left-looking order within the block).
template <typename T>
int32_t cholesky_one(T* a, int64_t n) {
  const DType dtype = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
  int32_t info = 0;
  for (int64_t j0 = 0; j0 < n && info == 0; j0 += kCholeskyBlock) {
    const int64_t jb = std::min(kCholeskyBlock, n - j0);
    if (j0 > 0) {
      // rows [j0, j0 + jb) from column j0 on -= U[0:j0, j0:j0+jb]^T U[0:j0, j0:n].
      gemm(GemmProblem{dtype, jb, n - j0, j0, 1, a + j0, nullptr, 1, n, a + j0, nullptr, n, 1,
                       a + j0 * n + j0, nullptr, n, 1, Scalar(-1.0), Scalar(1.0)});
    }
    for (int64_t j = j0; j < j0 + jb; ++j) {
      T* row = a + j * n;
      T d = row[j];
      for (int64_t l = j0; l < j; ++l) d -= a[l * n + j] * a[l * n + j];
      if (!(d > T(0))) {  // not positive-definite (or NaN): potrf stops here
        row[j] = d;
        info = int32_t(j + 1);
        break;
      }
      d = std::sqrt(d);
      row[j] = d;
      for (int64_t l = j0; l < j; ++l)
        axpy_sub(row + j + 1, a + l * n + j + 1, a[l * n + j], n - j - 1);
      const T r = T(1) / d;
      for (int64_t c = j + 1; c < n; ++c) row[c] *= r;
    }
  }
  for (int64_t i = 1; i < n; ++i) std::fill(a + i * n, a + i * n + i, T(0));
  return info;
}

// ---- QR ----

// Note [Blocked Householder QR]
// Reflectors are made and applied one at a time within a panel of kQrBlock columns (LAPACK's
// geqr2); the panel's product H_i0 ... H_i1-1 = I - V T V^T (larft's T, upper triangular) then
// reaches the trailing columns in three GEMMs (larfb), which read the trailing matrix once per
// panel instead of once per reflector. orgqr builds Q the same way, panels last to first. Matrices
// with fewer than kQrBlocked columns to factor stay unblocked (the GEMMs' setup would not pay).
constexpr int64_t kQrBlock = 32;
constexpr int64_t kQrBlocked = 64;

// Reflectors i in [i0, i1) of the m x n matrix stored by columns at `a`: made from their columns
// and applied to the columns up to `end` (geqr2's loop).
template <typename T>
void qr_columns(T* a, int64_t m, int64_t i0, int64_t i1, int64_t end, T* tau) {
  for (int64_t i = i0; i < i1; ++i) {
    T* col = a + i * m;
    const T t = tau[i] = make_reflector(col + i, col + i + 1, m - i - 1);
    if (t == T(0)) continue;
    parallel_for_each(i + 1, end, m - i,
                [&](int64_t j) { apply_reflector(col + i + 1, m - i - 1, t, a + j * m + i); });
  }
}

// The block reflector of reflectors [i0, i0 + nb) stored below the diagonal of `a` (columns m
// apart): V's columns as the rows of vt (rows = m - i0 entries each, its unit diagonal and the
// zeros above it written out) and T (nb x nb, row-major) with H_i0 ... = I - V T V^T (larft).
template <typename T>
struct BlockReflector {
  std::vector<T> vt, t, w, u;
  int64_t nb = 0, rows = 0;

  void make(const T* a, int64_t m, int64_t i0, int64_t count, const T* tau) {
    nb = count;
    rows = m - i0;
    vt.assign(size_t(nb * rows), T(0));
    for (int64_t p = 0; p < nb; ++p) {
      T* v = vt.data() + p * rows;
      v[p] = 1;
      std::copy(a + (i0 + p) * m + i0 + p + 1, a + (i0 + p) * m + m, v + p + 1);
    }
    t.assign(size_t(nb * nb), T(0));
    for (int64_t i = 0; i < nb; ++i) {
      // T[0:i, i] = -tau_i T[0:i, 0:i] (V[:, 0:i]^T v_i); v_i is zero above row i.
      const T* vi = vt.data() + i * rows;
      for (int64_t p = 0; p < i; ++p)
        t[size_t(p * nb + i)] = dot(vt.data() + p * rows + i, vi + i, rows - i);
      for (int64_t p = 0; p < i; ++p) {
        T sum = 0;
        for (int64_t q = p; q < i; ++q) sum += t[size_t(p * nb + q)] * t[size_t(q * nb + i)];
        t[size_t(p * nb + i)] = -tau[i0 + i] * sum;
      }
      t[size_t(i * nb + i)] = tau[i0 + i];
    }
  }

  // C = (I - V T V^T) C, or its transpose's product when `transpose`, for the ncols columns of C
  // stored at c (each `rows` long, ldc apart): W = C^T V, U = W T^T (T when transposed),
  // C^T -= U V^T.
  void apply(T* c, int64_t ldc, int64_t ncols, bool transpose) {
    const DType dtype = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
    w.resize(size_t(ncols * nb));
    u.resize(size_t(ncols * nb));
    gemm(GemmProblem{dtype, ncols, nb, rows, 1, c, nullptr, ldc, 1, vt.data(), nullptr, 1, rows,
                     w.data(), nullptr, nb, 1, Scalar(1.0), Scalar(0.0)});
    gemm(GemmProblem{dtype, ncols, nb, nb, 1, w.data(), nullptr, nb, 1, t.data(), nullptr,
                     transpose ? nb : 1, transpose ? 1 : nb, u.data(), nullptr, nb, 1, Scalar(1.0),
                     Scalar(0.0)});
    gemm(GemmProblem{dtype, ncols, rows, nb, 1, u.data(), nullptr, nb, 1, vt.data(), nullptr, rows,
                     1, c, nullptr, ldc, 1, Scalar(-1.0), Scalar(1.0)});
  }
};

// Householder QR of the m x n matrix stored by columns at `a` (geqrf): tau[0, min(m, n)). See
// Note [Blocked Householder QR].
template <typename T>
void qr_one(T* a, int64_t m, int64_t n, T* tau) {
  const int64_t k = std::min(m, n);
  if (k < kQrBlocked) return qr_columns(a, m, 0, k, n, tau);
  BlockReflector<T> block;
  for (int64_t i0 = 0; i0 < k; i0 += kQrBlock) {
    const int64_t i1 = std::min(k, i0 + kQrBlock);
    qr_columns(a, m, i0, i1, i1, tau);
    if (i1 == n) break;
    block.make(a, m, i0, i1 - i0, tau);
    block.apply(a + i1 * m + i0, m, n - i1, /*transpose=*/true);  // Q^T on the trailing columns
  }
}

// Columns [0, c) of Q = H_0 ... H_{k-1} (orgqr), from qr_one's reflectors in `a` (columns m
// apart), into the rows of q: the identity's columns, then the reflectors last to first. H_i
// leaves columns before i alone, and panels reach the columns right of them as block reflectors
// (see Note [Blocked Householder QR]).
template <typename T>
void orgqr_one(const T* a, int64_t m, int64_t k, const T* tau, T* q, int64_t c) {
  std::fill(q, q + c * m, T(0));
  for (int64_t j = 0; j < c; ++j) q[j * m + j] = 1;
  const int64_t step = k < kQrBlocked ? std::max<int64_t>(k, 1) : kQrBlock;
  BlockReflector<T> block;
  for (int64_t i0 = (k - 1) / step * step; i0 >= 0 && k > 0; i0 -= step) {
    const int64_t i1 = std::min(k, i0 + step);
    if (step == kQrBlock && i1 < c) {
      block.make(a, m, i0, i1 - i0, tau);
      block.apply(q + i1 * m + i0, m, c - i1, /*transpose=*/false);
    }
    for (int64_t i = i1 - 1; i >= i0; --i) {
      if (tau[i] == T(0)) continue;
      const T* v = a + i * m + i + 1;
      const int64_t end = step == kQrBlock ? i1 : c;
      parallel_for_each(i, end, m - i,
                  [&](int64_t j) { apply_reflector(v, m - i - 1, tau[i], q + j * m + i); });
    }
  }
}

// ---- least squares ----

// QR with column pivoting (LAPACK's geqp3, unblocked as its qp2): step i moves the remaining
// column of largest partial norm to position i (perm records where each came from), and the
// partial norms are downdated, recomputed where downdating lost too much.
template <typename T>
void pivoted_qr(T* a, int64_t m, int64_t n, T* tau, int64_t* perm, std::vector<T>& norms) {
  norms.resize(size_t(2 * n));
  T* vn1 = norms.data();
  T* vn2 = vn1 + n;
  for (int64_t j = 0; j < n; ++j) vn1[j] = vn2[j] = norm2(a + j * m, m);
  const T tol3z = std::sqrt(std::numeric_limits<T>::epsilon() / 2);
  const int64_t k = std::min(m, n);
  for (int64_t i = 0; i < k; ++i) {
    int64_t p = i;
    for (int64_t j = i + 1; j < n; ++j) {
      if (vn1[j] > vn1[p]) p = j;
    }
    if (p != i) {
      std::swap_ranges(a + p * m, a + p * m + m, a + i * m);
      std::swap(perm[p], perm[i]);
      vn1[p] = vn1[i];
      vn2[p] = vn2[i];
    }
    T* col = a + i * m;
    tau[i] = make_reflector(col + i, col + i + 1, m - i - 1);
    // Each later column: the reflector, then its partial norm (independent across columns).
    parallel_for_each(i + 1, n, m - i, [&](int64_t j) {
      T* cj = a + j * m;
      if (tau[i] != T(0)) apply_reflector(col + i + 1, m - i - 1, tau[i], cj + i);
      if (vn1[j] == T(0)) return;
      const T ratio = std::abs(cj[i]) / vn1[j];
      const T temp = std::max(T(0), T(1) - ratio * ratio);
      const T scaled = vn1[j] / vn2[j];
      if (temp * scaled * scaled <= tol3z) {
        vn1[j] = vn2[j] = i + 1 < m ? norm2(cj + i + 1, m - i - 1) : T(0);
      } else {
        vn1[j] *= std::sqrt(temp);
      }
    });
  }
}

struct IceStep {
  double sest, s, c;
};

// One step of incremental condition estimation (the idea of LAPACK's laic1): x (unit, length j)
// approximates the singular vector of the j x j triangle R for its extreme singular value sest;
// adding R's next column [w; gamma] gives the candidates [s x; c] whose value is
// s^2 sest^2 + (s alpha + c gamma)^2, alpha = x . w, a 2 x 2 eigenproblem. Returns the new
// estimate of the largest (`largest`) or smallest singular value, and its s and c.
template <typename T>
IceStep ice_step(const T* x, int64_t j, T sest, const T* w, T gamma, bool largest) {
  const double alpha = double(dot(x, w, j));
  const double scale = std::max({double(sest), std::abs(alpha), std::abs(double(gamma))});
  if (scale == 0) return {0, 1, 0};
  const double se = sest / scale, al = alpha / scale, ga = gamma / scale;
  const double a11 = se * se + al * al, a12 = al * ga, a22 = ga * ga;
  const double lmax = (a11 + a22) / 2 + std::hypot((a11 - a22) / 2, a12);
  // The smallest eigenvalue as det / lmax: no cancellation.
  const double lam = largest ? lmax : lmax > 0 ? (se * ga) * (se * ga) / lmax : 0;
  // Eigenvector from whichever row of (M - lam I) v = 0 is better conditioned.
  double s = a12, c = lam - a11;
  const double s2 = lam - a22, c2 = a12;
  if (std::hypot(s2, c2) > std::hypot(s, c)) {
    s = s2;
    c = c2;
  }
  const double norm = std::hypot(s, c);
  if (norm == 0) return {scale * std::sqrt(lam), 1, 0};
  return {scale * std::sqrt(lam), s / norm, c / norm};
}

// gelsy's effective rank of pivoted_qr's R (columns m apart, k = min(m, n) diagonal entries):
// the largest r whose leading r x r triangle has estimated condition smax / smin <= 1 / rcond.
template <typename T>
int64_t estimate_rank(const T* a, int64_t m, int64_t k, T rcond, std::vector<T>& xs) {
  if (k == 0 || a[0] == T(0)) return 0;
  xs.assign(size_t(2 * k), T(0));
  T* xmin = xs.data();
  T* xmax = xmin + k;
  xmin[0] = xmax[0] = 1;
  T smin = std::abs(a[0]), smax = smin;
  int64_t rank = 1;
  for (; rank < k; ++rank) {
    const T* w = a + rank * m;
    const IceStep lo = ice_step(xmin, rank, smin, w, w[rank], false);
    const IceStep hi = ice_step(xmax, rank, smax, w, w[rank], true);
    if (!(hi.sest * double(rcond) <= lo.sest)) break;
    for (int64_t i = 0; i < rank; ++i) {
      xmin[i] *= T(lo.s);
      xmax[i] *= T(hi.s);
    }
    xmin[rank] = T(lo.c);
    xmax[rank] = T(hi.c);
    smin = T(lo.sest);
    smax = T(hi.sest);
  }
  return rank;
}

template <typename T>
struct LstsqScratch {
  std::vector<T> tau, tau2, w, y, work;
  std::vector<int64_t> perm;
};

// The number of leading nonzero entries of a k-long diagonal whose entry i is at d[i * step].
template <typename T>
int64_t nonzero_diagonal(const T* d, int64_t step, int64_t k) {
  int64_t i = 0;
  while (i < k && d[i * step] != T(0)) ++i;
  return i;
}

// One least-squares problem (see lstsq_kernel): a (m x n, by columns), b (k columns ldb apart).
// The solution for rank r < n is the minimum-norm one of W y = c for a full-row-rank r x n W:
// y = W^T (W W^T)^-1 c, from the QR of W^T = Q2 R2 as y = Q2 R2^-T c. W is R's first r rows after
// the QR of A (gelsy reaches the same y through the RZ factorization of W), or A itself for a
// wide A without pivoting (gels's LQ). Returns the rank; without pivoting, the number of leading
// nonzero diagonal entries of the triangle solved with (gels fails when that is short of
// min(m, n) and the op raises; b is then left unsolved).
template <typename T>
int64_t lstsq_one(T* a, int64_t m, int64_t n, T* b, int64_t ldb, int64_t k, T rcond, bool pivot,
                  LstsqScratch<T>& s) {
  const int64_t kmin = std::min(m, n);
  s.perm.resize(size_t(n));
  std::iota(s.perm.begin(), s.perm.end(), int64_t(0));
  if (!pivot && std::all_of(a, a + m * n, [](T v) { return v == T(0); })) {
    std::fill(b, b + k * ldb, T(0));  // gels's zero matrix: a zero solution and zero residuals
    return kmin;
  }
  int64_t rank = kmin;
  if (pivot || m >= n) {
    s.tau.resize(size_t(kmin));
    if (pivot) {
      pivoted_qr(a, m, n, s.tau.data(), s.perm.data(), s.work);
      rank = estimate_rank(a, m, kmin, rcond, s.work);
    } else {
      qr_one(a, m, n, s.tau.data());
      rank = nonzero_diagonal(a, m + 1, kmin);
      if (rank < kmin) return rank;
    }
    for (int64_t c = 0; c < k; ++c) {  // b = Q^T b
      T* bc = b + c * ldb;
      for (int64_t i = 0; i < kmin; ++i) {
        if (s.tau[i] != T(0)) apply_reflector(a + i * m + i + 1, m - i - 1, s.tau[i], bc + i);
      }
    }
  }
  const bool min_norm = rank > 0 && rank < n;
  if (min_norm) {  // W^T by columns: row i holds W's row i, A's or R's (zero left of i)
    s.w.assign(size_t(rank * n), T(0));
    for (int64_t i = 0; i < rank; ++i) {
      for (int64_t j = pivot || m >= n ? i : 0; j < n; ++j) s.w[size_t(i * n + j)] = a[j * m + i];
    }
    s.tau2.resize(size_t(rank));
    qr_one(s.w.data(), n, rank, s.tau2.data());
    if (!pivot && m < n) {
      const int64_t nonzero = nonzero_diagonal(s.w.data(), n + 1, rank);
      if (nonzero < rank) return nonzero;
    }
  }
  s.y.resize(size_t(n));
  T* y = s.y.data();
  for (int64_t c = 0; c < k; ++c) {
    T* bc = b + c * ldb;
    if (rank == 0) {
      std::fill(y, y + n, T(0));
    } else if (!min_norm) {  // R y = c, by columns of R
      std::copy(bc, bc + n, y);
      for (int64_t j = n - 1; j >= 0; --j) {
        y[j] /= a[j * m + j];
        axpy_sub(y, a + j * m, y[j], j);
      }
    } else {  // R2^T z = c[0, r), R2[i][j] = w[j * n + i]; then y = Q2 [z; 0]
      const T* w = s.w.data();
      for (int64_t j = 0; j < rank; ++j) y[j] = (bc[j] - dot(w + j * n, y, j)) / w[j * n + j];
      std::fill(y + rank, y + n, T(0));
      for (int64_t i = rank - 1; i >= 0; --i) {
        if (s.tau2[i] != T(0)) apply_reflector(w + i * n + i + 1, n - i - 1, s.tau2[i], y + i);
      }
    }
    for (int64_t i = 0; i < n; ++i) bc[s.perm[size_t(i)]] = y[i];
  }
  return rank;
}

// ---- typed entry points ----

template <typename T>
void cholesky_typed(const Tensor& u, const Tensor& info) {
  const int64_t n = u.size(-1);
  T* a = u.data<T>();
  int32_t* inf = info.data<int32_t>();
  parallel_for_each(0, info.numel(), n * n * n / 3 + 1,
                  [&](int64_t b) { inf[b] = cholesky_one(a + b * n * n, n); });
}

template <typename T>
void geqrf_typed(const Tensor& a, const Tensor& tau) {
  const int64_t n = a.size(-2), m = a.size(-1), k = std::min(m, n);
  if (k == 0) return;
  T* p = a.data<T>();
  T* t = tau.data<T>();
  parallel_for_each(0, tau.numel() / k, 2 * m * n * k,
                  [&](int64_t b) { qr_one(p + b * n * m, m, n, t + b * k); });
}

template <typename T>
void orgqr_typed(const Tensor& a, const Tensor& tau, const Tensor& q) {
  const int64_t n = a.size(-2), m = a.size(-1), k = tau.size(-1), c = q.size(-2);
  if (c * m == 0) return;
  const T* p = a.data<T>();
  const T* t = tau.data<T>();
  T* out = q.data<T>();
  parallel_for_each(0, q.numel() / (c * m), 2 * m * c * k + 1, [&](int64_t b) {
    orgqr_one(p + b * n * m, m, k, t + b * k, out + b * c * m, c);
  });
}

template <typename T>
void lstsq_typed(const Tensor& a, const Tensor& b, const Tensor& rank, double rcond, bool pivot) {
  const int64_t n = a.size(-2), m = a.size(-1), k = b.size(-2), ldb = b.size(-1);
  const int64_t batch = a.numel() / (m * n);
  T* pa = a.data<T>();
  T* pb = b.data<T>();
  int64_t* pr = rank.data<int64_t>();
  parallel_for(0, batch, std::max<int64_t>(1, kGrainSize / (2 * m * n * std::min(m, n) + 1)),
               [&](int64_t b0, int64_t b1) {
                 LstsqScratch<T> s;
                 for (int64_t i = b0; i < b1; ++i) {
                   pr[i] = lstsq_one(pa + i * n * m, m, n, pb + i * k * ldb, ldb, k, T(rcond),
                                     pivot, s);
                 }
               });
}

}  // namespace

void cholesky_kernel(const Tensor& u, const Tensor& info) {
  if (u.dtype() == DType::Float32) return cholesky_typed<float>(u, info);
  cholesky_typed<double>(u, info);
}

void geqrf_kernel(const Tensor& a, const Tensor& tau) {
  if (a.dtype() == DType::Float32) return geqrf_typed<float>(a, tau);
  geqrf_typed<double>(a, tau);
}

void orgqr_kernel(const Tensor& a, const Tensor& tau, const Tensor& q) {
  if (a.dtype() == DType::Float32) return orgqr_typed<float>(a, tau, q);
  orgqr_typed<double>(a, tau, q);
}

void lstsq_kernel(const Tensor& a, const Tensor& b, const Tensor& rank, double rcond, bool pivot) {
  if (a.dtype() == DType::Float32) return lstsq_typed<float>(a, b, rank, rcond, pivot);
  lstsq_typed<double>(a, b, rank, rcond, pivot);
}

}  // namespace cresset::cpu::CPU_CAPABILITY
