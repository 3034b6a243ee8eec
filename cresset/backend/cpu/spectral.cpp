// Note [Jacobi spectral kernels]
// eigh is the cyclic Jacobi method on the symmetric matrix and svd its one-sided form (Hestenes):
// plane rotations applied until every pair is orthogonal to working precision, relative to the
// sizes involved. Both are slower than tridiagonalization (about ten O(n^3) sweeps) but simple
// and accurate to high relative precision, which is what small and medium batched matrices need.
// Everything runs in double and is rounded to the output dtype once.
#include "cresset/backend/cpu/spectral.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>
#include <vector>

#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

constexpr int kMaxSweeps = 60;

using Vec = std::vector<double>;


bool all_finite(const Vec& x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

// tan of the rotation angle that zeroes an off-diagonal entry, from zeta = cot(2 angle).
double rotation_tangent(double zeta) {
  const double t = 1 / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
  return zeta < 0 ? -t : t;
}

// Diagonalizes the symmetric row-major n x n `a` in place, accumulating the rotations into the
// columns of `v` when non-null. False when it did not converge.
bool jacobi_eigh(Vec& a, int64_t n, Vec* v) {
  auto at = [&](int64_t i, int64_t j) -> double& { return a[size_t(i * n + j)]; };
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = at(p, q);
        if (std::abs(apq) <= DBL_EPSILON * std::sqrt(std::abs(at(p, p) * at(q, q))) ||
            std::abs(apq) < DBL_MIN) {
          at(p, q) = at(q, p) = 0;
          continue;
        }
        rotated = true;
        const double t = rotation_tangent((at(q, q) - at(p, p)) / (2 * apq));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // A J
          const double kp = at(k, p), kq = at(k, q);
          at(k, p) = c * kp - s * kq;
          at(k, q) = s * kp + c * kq;
        }
        for (int64_t k = 0; k < n; ++k) {  // J^T (A J)
          const double pk = at(p, k), qk = at(q, k);
          at(p, k) = c * pk - s * qk;
          at(q, k) = s * pk + c * qk;
        }
        at(p, q) = at(q, p) = 0;
        if (v) {
          double* vv = v->data();
          for (int64_t k = 0; k < n; ++k) {
            const double kp = vv[k * n + p], kq = vv[k * n + q];
            vv[k * n + p] = c * kp - s * kq;
            vv[k * n + q] = s * kp + c * kq;
          }
        }
      }
    }
    if (!rotated) return true;
  }
  return false;
}

template <typename T>
void eigh_typed(const Tensor& a, const Tensor& w, const Tensor& v, const Tensor& info, bool upper) {
  const int64_t n = w.size(-1), batch = info.numel();
  const T* src = a.data<T>();
  T* wp = w.data<T>();
  T* vp = v.defined() ? v.data<T>() : nullptr;
  int32_t* inf = info.data<int32_t>();
  parallel_for_each(0, batch, 10 * n * n * n, [&](int64_t b) {
    const T* m = src + b * n * n;
    Vec s(static_cast<size_t>(n * n));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const bool stored = upper ? j >= i : j <= i;
        s[size_t(i * n + j)] = double(stored ? m[i * n + j] : m[j * n + i]);
      }
    }
    Vec vecs;
    if (vp) {
      vecs.assign(size_t(n * n), 0.0);
      for (int64_t i = 0; i < n; ++i) vecs[size_t(i * n + i)] = 1;
    }
    // A non-finite matrix gets NaN results (as torch's), not an error.
    const bool finite = all_finite(s);
    if (!finite) std::fill(s.begin(), s.end(), std::nan(""));
    if (!finite && vp) std::fill(vecs.begin(), vecs.end(), std::nan(""));
    inf[b] = !finite || jacobi_eigh(s, n, vp ? &vecs : nullptr) ? 0 : 1;
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
      return s[size_t(x * n + x)] < s[size_t(y * n + y)];
    });
    for (int64_t j = 0; j < n; ++j) {
      const int64_t o = order[size_t(j)];
      wp[b * n + j] = T(s[size_t(o * n + o)]);
      if (!vp) continue;
      for (int64_t i = 0; i < n; ++i) vp[b * n * n + i * n + j] = T(vecs[size_t(i * n + o)]);
    }
  });
}

double dot(const double* x, const double* y, int64_t n) {
  double r = 0;
  for (int64_t i = 0; i < n; ++i) r += x[i] * y[i];
  return r;
}

// One-sided Jacobi on the `cols` columns (each `rows` long, stored one after another) of g,
// rows >= cols: rotates pairs until they are orthogonal, accumulating into the columns of v
// (cols x cols, same layout) when non-null. False when it did not converge.
bool jacobi_svd(Vec& g, int64_t rows, int64_t cols, Vec* v) {
  const double tol = DBL_EPSILON * double(std::max<int64_t>(rows, 4));
  auto rotate = [](double* x, double* y, int64_t len, double c, double s) {
    for (int64_t i = 0; i < len; ++i) {
      const double xi = x[i], yi = y[i];
      x[i] = c * xi - s * yi;
      y[i] = s * xi + c * yi;
    }
  };
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < cols; ++p) {
      for (int64_t q = p + 1; q < cols; ++q) {
        double* gp = g.data() + p * rows;
        double* gq = g.data() + q * rows;
        const double alpha = dot(gp, gp, rows), beta = dot(gq, gq, rows);
        const double gamma = dot(gp, gq, rows);
        if (std::abs(gamma) <= tol * std::sqrt(alpha * beta) || std::abs(gamma) < DBL_MIN) {
          continue;
        }
        rotated = true;
        const double t = rotation_tangent((beta - alpha) / (2 * gamma));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        rotate(gp, gq, rows, c, s);
        if (v) rotate(v->data() + p * cols, v->data() + q * cols, cols, c, s);
      }
    }
    if (!rotated) return true;
  }
  return false;
}

// Completes q's columns (each `len` long) to an orthonormal set: each column j with bad[j] set is
// replaced by the standard basis vector farthest from the span of the good ones, projected off it
// twice (orthogonal to working precision) and normalized.
void complete_basis(Vec& q, int64_t len, int64_t count, std::vector<bool> bad) {
  auto project_off = [&](double* x) {
    for (int64_t k = 0; k < count; ++k) {
      if (bad[size_t(k)]) continue;
      const double* y = q.data() + k * len;
      const double d = dot(x, y, len);
      for (int64_t i = 0; i < len; ++i) x[i] -= d * y[i];
    }
  };
  for (int64_t j = 0; j < count; ++j) {
    if (!bad[size_t(j)]) continue;
    double* x = q.data() + j * len;
    // |e_i - P e_i|^2 = 1 - sum_k q_k[i]^2 over the good columns.
    int64_t best = 0;
    double best_norm = -1;
    for (int64_t i = 0; i < len; ++i) {
      double r = 1;
      for (int64_t k = 0; k < count; ++k) {
        if (!bad[size_t(k)]) r -= q[size_t(k * len + i)] * q[size_t(k * len + i)];
      }
      if (r > best_norm) best_norm = r, best = i;
    }
    std::fill(x, x + len, 0.0);
    x[best] = 1;
    project_off(x);
    project_off(x);
    const double norm = std::sqrt(dot(x, x, len));
    for (int64_t i = 0; i < len; ++i) x[i] /= norm;
    bad[size_t(j)] = false;
  }
}

template <typename T>
void svd_typed(const Tensor& a, const Tensor& u, const Tensor& s, const Tensor& vh,
               const Tensor& info) {
  const int64_t m = a.size(-2), n = a.size(-1), k = std::min(m, n), batch = info.numel();
  // Work on the tall orientation: the columns of A when m >= n, of A^T (A's rows) otherwise.
  const bool tall = m >= n;
  const int64_t rows = tall ? m : n, cols = k;
  const bool vectors = u.defined();
  // Completed left vectors (rows long) when the full basis on that side is asked for.
  const int64_t left_count = !vectors ? 0 : tall ? u.size(-1) : vh.size(-2);
  const T* src = a.data<T>();
  T* sp = s.data<T>();
  T* up = vectors ? u.data<T>() : nullptr;
  T* vhp = vectors ? vh.data<T>() : nullptr;
  int32_t* inf = info.data<int32_t>();
  parallel_for_each(0, batch, 10 * m * n * k, [&](int64_t b) {
    const T* mat = src + b * m * n;
    Vec g(static_cast<size_t>(cols * rows));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        g[size_t(tall ? j * m + i : i * n + j)] = double(mat[i * n + j]);
      }
    }
    Vec v;
    if (vectors) {
      v.assign(size_t(cols * cols), 0.0);
      for (int64_t i = 0; i < cols; ++i) v[size_t(i * cols + i)] = 1;
    }
    // A non-finite matrix gets NaN results and info 1 (torch's svd raises, its svdvals not).
    const bool finite = all_finite(g);
    if (!finite) std::fill(g.begin(), g.end(), std::nan(""));
    inf[b] = finite && jacobi_svd(g, rows, cols, vectors ? &v : nullptr) ? 0 : 1;
    std::vector<double> sigma(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; ++j) {
      sigma[size_t(j)] = std::sqrt(dot(g.data() + j * rows, g.data() + j * rows, rows));
    }
    std::vector<int64_t> order(static_cast<size_t>(cols));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t x, int64_t y) { return sigma[size_t(x)] > sigma[size_t(y)]; });
    for (int64_t j = 0; j < cols; ++j) sp[b * k + j] = T(sigma[size_t(order[size_t(j)])]);
    if (!vectors) return;
    // Left vectors, sorted: normalized columns of g, completed where a column is zero.
    Vec left(size_t(left_count * rows), 0.0);
    std::vector<bool> bad(size_t(left_count), true);
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t o = order[size_t(j)];
      const double sg = sigma[size_t(o)];
      if (!(sg > 0) || !std::isfinite(1 / sg)) continue;
      for (int64_t i = 0; i < rows; ++i) left[size_t(j * rows + i)] = g[size_t(o * rows + i)] / sg;
      bad[size_t(j)] = false;
    }
    complete_basis(left, rows, left_count, bad);
    // A = L S R^T when tall (u = L, vh = R^T); A^T = L S R^T otherwise (u = R, vh = L^T).
    T* ub = up + b * m * u.size(-1);
    T* vb = vhp + b * vh.size(-2) * n;
    const int64_t ucols = u.size(-1);
    for (int64_t j = 0; j < (tall ? ucols : cols); ++j) {
      for (int64_t i = 0; i < m; ++i) {
        ub[i * ucols + j] =
            T(tall ? left[size_t(j * rows + i)] : v[size_t(order[size_t(j)] * cols + i)]);
      }
    }
    for (int64_t j = 0; j < vh.size(-2); ++j) {
      for (int64_t i = 0; i < n; ++i) {
        vb[j * n + i] =
            T(tall ? v[size_t(order[size_t(j)] * cols + i)] : left[size_t(j * rows + i)]);
      }
    }
  });
}

// c = a b for row-major n x n matrices.
void matmul_square(const double* a, const double* b, double* c, int64_t n) {
  std::fill(c, c + n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t l = 0; l < n; ++l) {
      const double f = a[i * n + l];
      for (int64_t j = 0; j < n; ++j) c[i * n + j] += f * b[l * n + j];
    }
  }
}

// Overwrites b (n x n, row-major) with a^-1 b by Gaussian elimination with partial pivoting.
void solve_square(Vec a, double* b, int64_t n) {
  for (int64_t c = 0; c < n; ++c) {
    int64_t p = c;
    for (int64_t i = c + 1; i < n; ++i) {
      if (std::abs(a[size_t(i * n + c)]) > std::abs(a[size_t(p * n + c)])) p = i;
    }
    if (p != c) {
      std::swap_ranges(a.begin() + c * n, a.begin() + (c + 1) * n, a.begin() + p * n);
      std::swap_ranges(b + c * n, b + (c + 1) * n, b + p * n);
    }
    const double d = a[size_t(c * n + c)];
    for (int64_t i = c + 1; i < n; ++i) {
      const double f = a[size_t(i * n + c)] / d;
      if (f == 0) continue;
      for (int64_t j = c; j < n; ++j) a[size_t(i * n + j)] -= f * a[size_t(c * n + j)];
      for (int64_t j = 0; j < n; ++j) b[i * n + j] -= f * b[c * n + j];
    }
  }
  for (int64_t c = n - 1; c >= 0; --c) {
    const double d = a[size_t(c * n + c)];
    for (int64_t j = 0; j < n; ++j) b[c * n + j] /= d;
    for (int64_t i = 0; i < c; ++i) {
      const double f = a[size_t(i * n + c)];
      for (int64_t j = 0; j < n; ++j) b[i * n + j] -= f * b[c * n + j];
    }
  }
}

// Note [Matrix exponential]
// exp(A) = exp(A / 2^s)^(2^s), with s the least making |A / 2^s|_1 <= 5.37 (Higham's theta_13),
// where the degree-13 Padé approximant r = (V - U)^-1 (V + U) is accurate to double precision.
void matrix_exp_one(const double* src, double* dst, int64_t n) {
  static const double b[14] = {64764752532480000.,
                               32382376266240000.,
                               7771770303897600.,
                               1187353796428800.,
                               129060195264000.,
                               10559470521600.,
                               670442572800.,
                               33522128640.,
                               1323241920.,
                               40840800.,
                               960960.,
                               16380.,
                               182.,
                               1.};
  const size_t nn = size_t(n * n);
  double norm1 = 0;
  for (int64_t j = 0; j < n; ++j) {
    double col = 0;
    for (int64_t i = 0; i < n; ++i) col += std::abs(src[i * n + j]);
    norm1 = std::max(norm1, col);
  }
  const int s =
      norm1 > 5.371920351148152 ? int(std::ceil(std::log2(norm1 / 5.371920351148152))) : 0;
  const double scale = std::ldexp(1.0, -s);
  Vec A(nn), A2(nn), A4(nn), A6(nn), t(nn), U(nn), V(nn);
  for (size_t i = 0; i < nn; ++i) A[i] = src[i] * scale;
  matmul_square(A.data(), A.data(), A2.data(), n);
  matmul_square(A2.data(), A2.data(), A4.data(), n);
  matmul_square(A4.data(), A2.data(), A6.data(), n);
  auto identity = [n](size_t i) { return i % size_t(n + 1) == 0 ? 1.0 : 0.0; };
  for (size_t i = 0; i < nn; ++i) t[i] = b[13] * A6[i] + b[11] * A4[i] + b[9] * A2[i];
  matmul_square(A6.data(), t.data(), U.data(), n);
  for (size_t i = 0; i < nn; ++i) {
    t[i] = U[i] + b[7] * A6[i] + b[5] * A4[i] + b[3] * A2[i] + b[1] * identity(i);
  }
  matmul_square(A.data(), t.data(), U.data(), n);
  for (size_t i = 0; i < nn; ++i) t[i] = b[12] * A6[i] + b[10] * A4[i] + b[8] * A2[i];
  matmul_square(A6.data(), t.data(), V.data(), n);
  for (size_t i = 0; i < nn; ++i) {
    V[i] += b[6] * A6[i] + b[4] * A4[i] + b[2] * A2[i] + b[0] * identity(i);
  }
  for (size_t i = 0; i < nn; ++i) {
    t[i] = V[i] - U[i];
    dst[i] = V[i] + U[i];
  }
  solve_square(t, dst, n);
  for (int i = 0; i < s; ++i) {
    matmul_square(dst, dst, t.data(), n);
    std::copy(t.begin(), t.end(), dst);
  }
}

template <typename T>
void matrix_exp_typed(const Tensor& a, const Tensor& out) {
  const int64_t n = a.size(-1), batch = n == 0 ? 0 : a.numel() / (n * n);
  const T* src = a.data<T>();
  T* dst = out.data<T>();
  parallel_for_each(0, batch, 20 * n * n * n, [&](int64_t b) {
    Vec x(static_cast<size_t>(n * n)), r(size_t(n * n));
    for (int64_t i = 0; i < n * n; ++i) x[size_t(i)] = double(src[b * n * n + i]);
    matrix_exp_one(x.data(), r.data(), n);
    for (int64_t i = 0; i < n * n; ++i) dst[b * n * n + i] = T(r[size_t(i)]);
  });
}

}  // namespace

void eigh_kernel(const Tensor& a, const Tensor& w, const Tensor& v, const Tensor& info,
                 bool upper) {
  if (a.dtype() == DType::Float32) return eigh_typed<float>(a, w, v, info, upper);
  eigh_typed<double>(a, w, v, info, upper);
}

void svd_kernel(const Tensor& a, const Tensor& u, const Tensor& s, const Tensor& vh,
                const Tensor& info) {
  if (a.dtype() == DType::Float32) return svd_typed<float>(a, u, s, vh, info);
  svd_typed<double>(a, u, s, vh, info);
}

void matrix_exp_kernel(const Tensor& a, const Tensor& out) {
  if (a.dtype() == DType::Float32) return matrix_exp_typed<float>(a, out);
  matrix_exp_typed<double>(a, out);
}

}  // namespace cresset::cpu
