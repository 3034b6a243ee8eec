// The GEMM of every CPU capability against a naive triple loop: odd sizes, every operand layout
// (row-major, column-major, padded strides, stride-0 broadcast), alpha/beta, batches, the
// matrix-vector paths, and thread-count independence.
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "check.h"
#include "cresset/backend/cpu/gemm.h"
#include "cresset/backend/cpu/gemm_kernels.h"
#include "cresset/core/parallel.h"

using namespace cresset;
using cpu::GemmProblem;

namespace {

std::mt19937 rng(42);

// A strided m x n matrix in its own buffer: element (i, j) at data[off + i * rs + j * cs].
template <typename T>
struct Mat {
  int64_t m, n, rs, cs, off;
  std::vector<T> data;
  T& at(int64_t i, int64_t j) { return data[size_t(off + i * rs + j * cs)]; }
};

enum class Layout { RowMajor, ColMajor, Padded, Broadcast };

template <typename T>
Mat<T> make(int64_t m, int64_t n, Layout layout) {
  Mat<T> x{m, n, 0, 0, 3, {}};
  switch (layout) {
    case Layout::RowMajor:
      x.rs = n;
      x.cs = 1;
      break;
    case Layout::ColMajor:
      x.rs = 1;
      x.cs = m;
      break;
    case Layout::Padded:
      x.rs = 2 * n + 5;
      x.cs = 2;
      break;
    case Layout::Broadcast:
      x.rs = 0;
      x.cs = 1;
      break;  // every row is the same
  }
  const int64_t span = x.off + (m > 0 ? (m - 1) * x.rs : 0) + (n > 0 ? (n - 1) * x.cs : 0) + 1;
  x.data.resize(size_t(span));
  std::uniform_int_distribution<int> small(-3, 3);
  std::normal_distribution<double> normal;
  for (auto& v : x.data) v = std::is_integral_v<T> ? T(small(rng)) : T(normal(rng));
  return x;
}

using Kernel = void (*)(const GemmProblem&);

template <typename T>
DType dtype_of() {
  return std::is_same_v<T, float>    ? DType::Float32
         : std::is_same_v<T, double> ? DType::Float64
                                     : DType::Int64;
}

// Runs one product with `kernel` and checks every element of C against a naive loop.
template <typename T>
bool check_product(Kernel kernel, int64_t m, int64_t n, int64_t k, Layout la, Layout lb, Layout lc,
                   double alpha, double beta) {
  Mat<T> a = make<T>(m, k, la), b = make<T>(k, n, lb),
         c = make<T>(m, n, lc == Layout::Broadcast ? Layout::Padded : lc);
  if (beta == 0) {
    for (auto& v : c.data) v = std::is_integral_v<T> ? T(7) : T(NAN);  // beta == 0 must not read C
  }
  Mat<T> c0 = c;
  GemmProblem p;
  p.dtype = dtype_of<T>();
  p.m = m;
  p.n = n;
  p.k = k;
  p.a = a.data.data() + a.off;
  p.a_rs = a.rs;
  p.a_cs = a.cs;
  p.b = b.data.data() + b.off;
  p.b_rs = b.rs;
  p.b_cs = b.cs;
  p.c = c.data.data() + c.off;
  p.c_rs = c.rs;
  p.c_cs = c.cs;
  p.alpha = std::is_integral_v<T> ? Scalar(int64_t(alpha)) : Scalar(alpha);
  p.beta = std::is_integral_v<T> ? Scalar(int64_t(beta)) : Scalar(beta);
  kernel(p);
  const double eps = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 0, scale = 0;
      for (int64_t q = 0; q < k; ++q) {
        want += double(a.at(i, q)) * double(b.at(q, j));
        scale += std::fabs(double(a.at(i, q)) * double(b.at(q, j)));
      }
      want = alpha * want + (beta == 0 ? 0.0 : beta * double(c0.at(i, j)));
      const double got = double(c.at(i, j));
      const double c_term = beta == 0 ? 0.0 : std::fabs(beta * double(c0.at(i, j)));
      const double tol =
          std::is_integral_v<T> ? 0.0 : 4 * eps * (std::fabs(alpha) * scale + c_term) + 1e-30;
      if (!(std::fabs(got - want) <= tol)) {
        std::fprintf(stderr,
                     "m=%ld n=%ld k=%ld layouts=%d,%d,%d alpha=%g beta=%g: C[%ld,%ld]=%g want %g\n",
                     long(m), long(n), long(k), int(la), int(lb), int(lc), alpha, beta, long(i),
                     long(j), got, want);
        return false;
      }
    }
  }
  return true;
}

// m x n x k. Small row-major B is read in place (Note [GEMM in place]): 48 and 16 columns end in a
// half-width micro-panel that the edge kernel reads in place, 33 and 90 in one that is packed.
const int64_t kSizes[][3] = {{1, 1, 1},    {1, 37, 29},  {29, 1, 37},   {31, 29, 1},
                             {15, 33, 17}, {14, 32, 8},  {29, 65, 300}, {100, 90, 513},
                             {13, 48, 40}, {20, 16, 64}, {3, 1100, 7},  {0, 4, 5},
                             {4, 0, 5},    {4, 5, 0}};
const Layout kLayouts[] = {Layout::RowMajor, Layout::ColMajor, Layout::Padded, Layout::Broadcast};

template <typename T>
void check_kernel(const char* name, Kernel kernel) {
  int failures = 0;
  for (const auto& s : kSizes) {
    // Every layout combination on small products; big ones (slow to check naively) take a few.
    const bool small = s[0] * s[1] * s[2] <= 20000;
    for (Layout la : kLayouts) {
      for (Layout lb : kLayouts) {
        for (Layout lc : {Layout::RowMajor, Layout::ColMajor, Layout::Padded}) {
          if (!small && !(int(la) == int(lb) && int(lb) % 3 == int(lc))) continue;
          // Coefficients cycle through the epilogue's cases (alpha 1, beta 0/1/other).
          const int pick = int(la) + 2 * int(lb) + int(lc);
          const double alpha = pick % 3 == 0 ? 1.0 : -2.0;
          const double beta = pick % 4 == 0 ? 0.0 : pick % 4 == 1 ? 1.0 : 3.0;
          if (!check_product<T>(kernel, s[0], s[1], s[2], la, lb, lc, alpha, beta)) ++failures;
        }
      }
    }
  }
  if (failures) std::fprintf(stderr, "%s: %d failing products\n", name, failures);
  CHECK(failures == 0);
}

template <typename T>
void check_all_kernels() {
  check_kernel<T>("gemm", &cpu::gemm);
  check_kernel<T>("base", &cpu::base::gemm_kernel);
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    check_kernel<T>("avx2", &cpu::avx2::gemm_kernel);
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    check_kernel<T>("avx512", &cpu::avx512::gemm_kernel);
  }
#endif
}

// A batch with per-batch offsets (the middle batch's B broadcast from the first one's).
void check_batched() {
  const int64_t m = 9, n = 11, k = 13, batch = 3;
  std::vector<float> a(batch * m * k), b(batch * k * n), c(batch * m * n, -1.0f);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto& v : a) v = u(rng);
  for (auto& v : b) v = u(rng);
  const int64_t a_off[] = {0, m * k, 2 * m * k}, b_off[] = {0, 0, 2 * k * n},
                c_off[] = {2 * m * n, m * n, 0};
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.batch = batch;
  p.a = a.data();
  p.a_off = a_off;
  p.a_rs = k;
  p.a_cs = 1;
  p.b = b.data();
  p.b_off = b_off;
  p.b_rs = n;
  p.b_cs = 1;
  p.c = c.data();
  p.c_off = c_off;
  p.c_rs = n;
  p.c_cs = 1;
  cpu::gemm(p);
  for (int64_t bi = 0; bi < batch; ++bi) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0;
        for (int64_t q = 0; q < k; ++q)
          want += double(a[a_off[bi] + i * k + q]) * b[b_off[bi] + q * n + j];
        CHECK(std::fabs(c[c_off[bi] + i * n + j] - want) < 1e-4);
      }
    }
  }
}

// The same product with 1, 2 and 3 threads gives bit-identical results, close to a float64 sum.
// The second shape's B (2.8 MB) is too large to stay in a 2 MB L2, so threads share its packed
// blocks and claim rows as they go (Note [GEMM shared B]).
void check_thread_independence() {
  const int64_t shapes[][3] = {{157, 203, 611}, {300, 1000, 700}};
  for (const auto& shape : shapes) {
    const int64_t m = shape[0], n = shape[1], k = shape[2];
    std::vector<float> a(m * k), b(k * n);
    std::normal_distribution<float> normal;
    for (auto& v : a) v = normal(rng);
    for (auto& v : b) v = normal(rng);
    std::vector<std::vector<float>> results;
    const int before = get_num_threads();
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      std::vector<float> c(m * n);
      GemmProblem p;
      p.m = m;
      p.n = n;
      p.k = k;
      p.a = a.data();
      p.a_rs = k;
      p.a_cs = 1;
      p.b = b.data();
      p.b_rs = n;
      p.b_cs = 1;
      p.c = c.data();
      p.c_rs = n;
      p.c_cs = 1;
      cpu::gemm(p);
      results.push_back(c);
    }
    set_num_threads(before);
    CHECK(results[0] == results[1]);
    CHECK(results[0] == results[2]);
    int wrong = 0;
    for (int64_t i = 0; i < m; i += 7) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0;
        for (int64_t q = 0; q < k; ++q) want += double(a[i * k + q]) * b[q * n + j];
        if (std::fabs(results[1][i * n + j] - want) > 1e-3) ++wrong;
      }
    }
    CHECK(wrong == 0);
  }
}

}  // namespace

int main() {
  check_all_kernels<float>();
  check_all_kernels<double>();
  check_all_kernels<int64_t>();
  check_batched();
  check_thread_independence();
  CHECK_DONE();
}
