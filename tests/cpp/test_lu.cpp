// The blocked LU (backend/cpu/lu.cpp) against its definition: P L U rebuilds A for square and
// rectangular sizes spanning several panels, A x = b holds after the solve, a zero pivot is
// reported in info, and results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "check.h"
#include "cresset/backend/cpu/lu.h"
#include "cresset/core/parallel.h"

using namespace cresset;

namespace {

std::mt19937 rng(7);

Tensor random_matrices(int64_t batch, int64_t m, int64_t n) {
  Tensor t = empty_tensor({batch, m, n}, DType::Float64);
  std::normal_distribution<double> dist;
  double* p = t.data<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}

Tensor copy_of(const Tensor& t) {
  Tensor r = empty_tensor(t.sizes(), t.dtype());
  std::memcpy(r.data_ptr(), t.data_ptr(), size_t(t.numel()) * sizeof(double));
  return r;
}

struct Factors {
  Tensor lu, pivots, info;
};

Factors factor(const Tensor& a) {
  const int64_t b = a.size(0), k = std::min(a.size(1), a.size(2));
  Factors f{copy_of(a), empty_tensor({b, k}, DType::Int32), empty_tensor({b}, DType::Int32)};
  cpu::lu_factor_kernel(f.lu, f.pivots, f.info);
  return f;
}

// max |P L U - A| over the first matrix of the batch.
double reconstruction_error(const Tensor& a, const Factors& f) {
  const int64_t m = a.size(1), n = a.size(2), k = std::min(m, n);
  const double* lu = f.lu.data<double>();
  std::vector<double> rebuilt(size_t(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t l = 0; l <= std::min<int64_t>({i, j, k - 1}); ++l) {
        s += (l == i ? 1.0 : lu[i * n + l]) * lu[l * n + j];
      }
      rebuilt[size_t(i * n + j)] = s;
    }
  }
  // Undo the row swaps in reverse order: rebuilt is P^T A.
  const int32_t* piv = f.pivots.data<int32_t>();
  for (int64_t i = k - 1; i >= 0; --i) {
    const int64_t p = piv[i] - 1;
    for (int64_t j = 0; j < n; ++j)
      std::swap(rebuilt[size_t(i * n + j)], rebuilt[size_t(p * n + j)]);
  }
  double worst = 0;
  const double* x = a.data<double>();
  for (int64_t i = 0; i < m * n; ++i) worst = std::max(worst, std::abs(rebuilt[size_t(i)] - x[i]));
  return worst;
}

void test_reconstruction() {
  for (auto [m, n] :
       {std::pair<int64_t, int64_t>{1, 1}, {5, 5}, {33, 33}, {100, 100}, {97, 130}, {130, 70}}) {
    Tensor a = random_matrices(1, m, n);
    Factors f = factor(a);
    CHECK(reconstruction_error(a, f) < 1e-10);
    CHECK(f.info.data<int32_t>()[0] == 0);
  }
}

void test_solve_residual() {
  const int64_t n = 90, k = 7;
  Tensor a = random_matrices(3, n, n), b = random_matrices(3, n, k);
  Factors f = factor(a);
  Tensor x = copy_of(b);
  cpu::lu_solve_kernel(f.lu, f.pivots, x);
  double worst = 0;
  for (int64_t bi = 0; bi < 3; ++bi) {
    const double* A = a.data<double>() + bi * n * n;
    const double* X = x.data<double>() + bi * n * k;
    const double* B = b.data<double>() + bi * n * k;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < k; ++j) {
        double s = 0;
        for (int64_t l = 0; l < n; ++l) s += A[i * n + l] * X[l * k + j];
        worst = std::max(worst, std::abs(s - B[i * k + j]));
      }
    }
  }
  CHECK(worst < 1e-9);
}

void test_zero_pivot_info() {
  // Column 2 is twice column 1: the second pivot is exactly zero.
  Tensor a = empty_tensor({1, 3, 3}, DType::Float64);
  const double values[] = {1, 2, 5, 3, 6, 1, 4, 8, 2};
  std::memcpy(a.data_ptr(), values, sizeof(values));
  Factors f = factor(a);
  CHECK(f.info.data<int32_t>()[0] == 2);
  CHECK(reconstruction_error(a, f) < 1e-12);
}

void test_thread_count_independence() {
  Tensor a = random_matrices(6, 150, 150);
  const int threads = get_num_threads();
  set_num_threads(1);
  Factors one = factor(a);
  Factors single_matrix = factor(a.as_strided_view({1, 150, 150}, a.strides(), 0));
  set_num_threads(4);
  Factors four = factor(a);
  Factors single_matrix4 = factor(a.as_strided_view({1, 150, 150}, a.strides(), 0));
  set_num_threads(threads);
  CHECK(std::memcmp(one.lu.data_ptr(), four.lu.data_ptr(), size_t(a.numel()) * 8) == 0);
  CHECK(std::memcmp(single_matrix.lu.data_ptr(), single_matrix4.lu.data_ptr(), 150 * 150 * 8) == 0);
}

}  // namespace

int main() {
  test_reconstruction();
  test_solve_residual();
  test_zero_pivot_info();
  test_thread_count_independence();
  CHECK_DONE();
}
