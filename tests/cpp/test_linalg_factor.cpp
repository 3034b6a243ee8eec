// The Cholesky and Householder QR kernels (backend/cpu/linalg_factor.cpp) against their
// definitions at sizes spanning several blocks: U^T U rebuilds A, Q R rebuilds A with Q
// orthonormal (the blocked and unblocked paths of Note [Blocked Householder QR]), the least
// squares solution satisfies the normal equations, and one large matrix gives the same bits
// whatever the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "check.h"
#include "cresset/backend/cpu/linalg_factor.h"
#include "cresset/core/generator.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/random.h"
#include "cresset/ops/view.h"

using namespace cresset;

namespace {

// A [1, rows, cols] Float64 tensor of normal samples.
Tensor random_tensor(int64_t rows, int64_t cols) { return randn({1, rows, cols}, DType::Float64); }

std::vector<double> values(const Tensor& t) {
  const double* p = t.data<double>();
  return std::vector<double>(p, p + t.numel());
}

// max |f(i, j)| over i < rows, j < cols.
template <typename F>
double max_entry(int64_t rows, int64_t cols, const F& f) {
  double worst = 0;
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) worst = std::max(worst, std::abs(f(i, j)));
  }
  return worst;
}

// The n x n symmetric positive-definite M M^T + n I.
Tensor spd(int64_t n) {
  Tensor m = random_tensor(n, n), a = empty_tensor({1, n, n}, DType::Float64);
  const double* x = m.data<double>();
  double* p = a.data<double>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = i == j ? double(n) : 0.0;
      for (int64_t l = 0; l < n; ++l) s += x[i * n + l] * x[j * n + l];
      p[i * n + j] = s;
    }
  }
  return a;
}

void test_cholesky() {
  for (int64_t n : {1, 5, 64, 65, 200}) {
    Tensor a = spd(n), u = clone(a), info = empty_tensor({1}, DType::Int32);
    cpu::cholesky_kernel(u, info);
    CHECK(info.data<int32_t>()[0] == 0);
    const double* x = a.data<double>();
    const double* f = u.data<double>();
    CHECK(max_entry(n, n, [&](int64_t i, int64_t j) { return j < i ? f[i * n + j] : 0.0; }) == 0);
    CHECK(max_entry(n, n, [&](int64_t i, int64_t j) {
            double s = 0;
            for (int64_t l = 0; l <= std::min(i, j); ++l) s += f[l * n + i] * f[l * n + j];
            return (s - x[i * n + j]) / double(n);
          }) < 1e-12);
  }
  // A minor that is not positive-definite late in the matrix, past the first block.
  Tensor a = spd(150);
  a.data<double>()[100 * 150 + 100] = -1e6;
  Tensor info = empty_tensor({1}, DType::Int32);
  cpu::cholesky_kernel(a, info);
  CHECK(info.data<int32_t>()[0] == 101);
}

// Q R rebuilds A (m x n, stored by columns as [1, n, m]) and the complete Q is orthonormal.
void check_qr(int64_t m, int64_t n) {
  const int64_t k = std::min(m, n);
  Tensor a = random_tensor(n, m), f = clone(a);
  Tensor tau = empty_tensor({1, k}, DType::Float64), q = empty_tensor({1, m, m}, DType::Float64);
  cpu::geqrf_kernel(f, tau);
  cpu::orgqr_kernel(f, tau, q);  // complete Q, by columns
  const double* x = a.data<double>();
  const double* r = f.data<double>();
  const double* qc = q.data<double>();
  CHECK(max_entry(n, m, [&](int64_t j, int64_t i) {
          double s = 0;
          for (int64_t l = 0; l <= std::min(j, m - 1); ++l) s += qc[l * m + i] * r[j * m + l];
          return s - x[j * m + i];
        }) < 1e-11);
  CHECK(max_entry(m, m, [&](int64_t c1, int64_t c2) {
          double s = 0;
          for (int64_t i = 0; i < m; ++i) s += qc[c1 * m + i] * qc[c2 * m + i];
          return s - (c1 == c2 ? 1.0 : 0.0);
        }) < 1e-12);
}

void test_qr() {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{1, 1},
                      {7, 3},
                      {3, 7},
                      {70, 70},
                      {150, 100},
                      {100, 150},
                      {200, 97}}) {
    check_qr(m, n);
  }
}

// A^T (A x - b) = 0 for the full-rank tall A (m x n) and one right-hand side, by both drivers.
void test_lstsq_normal_equations() {
  const int64_t m = 120, n = 70;
  for (bool pivot : {true, false}) {
    Tensor a = random_tensor(n, m), b = random_tensor(1, m);
    Tensor fa = clone(a), x = clone(b), rank = empty_tensor({1}, DType::Int64);
    cpu::lstsq_kernel(fa, x, rank, 1e-12, pivot);
    CHECK(rank.data<int64_t>()[0] == n);
    const double* pa = a.data<double>();
    const double* pb = b.data<double>();
    const double* px = x.data<double>();
    CHECK(max_entry(n, 1, [&](int64_t j, int64_t) {
            double s = 0;
            for (int64_t i = 0; i < m; ++i) {
              double ax = 0;
              for (int64_t l = 0; l < n; ++l) ax += pa[l * m + i] * px[l];
              s += pa[j * m + i] * (ax - pb[i]);
            }
            return s;
          }) < 1e-10);
  }
}

// One large matrix is split across threads (GEMM, columns of a reflector's update): the same
// bits for 1, 2 and 3 threads.
void test_thread_count_independence() {
  Tensor chol = spd(300), qr = random_tensor(260, 300), ls = random_tensor(150, 300),
         rhs = random_tensor(2, 300);
  std::vector<std::vector<double>> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    Tensor u = clone(chol), info = empty_tensor({1}, DType::Int32);
    cpu::cholesky_kernel(u, info);
    Tensor f = clone(qr), tau = empty_tensor({1, 260}, DType::Float64);
    cpu::geqrf_kernel(f, tau);
    Tensor q = empty_tensor({1, 260, 300}, DType::Float64);
    cpu::orgqr_kernel(f, tau, q);
    Tensor fa = clone(ls), x = clone(rhs), rank = empty_tensor({1}, DType::Int64);
    cpu::lstsq_kernel(fa, x, rank, 1e-12, true);
    std::vector<double> all;
    for (const Tensor& t : {u, f, q, x}) {
      std::vector<double> v = values(t);
      all.insert(all.end(), v.begin(), v.end());
    }
    results.push_back(all);
  }
  set_num_threads(1);
  CHECK(results[0] == results[1]);
  CHECK(results[0] == results[2]);
}

}  // namespace

int main() {
  manual_seed(11);
  test_cholesky();
  test_qr();
  test_lstsq_normal_equations();
  test_thread_count_independence();
  CHECK_DONE();
}
