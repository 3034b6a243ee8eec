// Window functions: composites of arange and elementwise ops, computed in the window's dtype (as
// torch computes them, so float32 windows round like torch's).
#include "cresset/ops/windows.h"

#include <cmath>

#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/numeric.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

constexpr double kPi = 3.14159265358979323846;

// A window op: validates the arguments and computes `symmetric(n, N)`, the symmetric window of N
// points given n = 0 .. N - 1, for N = length (+ 1 when periodic); windows of 0 and 1 points are
// empty and [1].
template <typename Symmetric>
Tensor make_window(const char* op, int64_t length, bool periodic, DType dtype, Device device,
                   const Symmetric& symmetric) {
  CRESSET_CHECK(is_floating(dtype), RuntimeError, "[", op, "] expects floating point dtypes, got ",
                dtype_name(dtype));
  CRESSET_CHECK(length >= 0, RuntimeError, "[", op,
                "] requires non-negative window_length, got window_length=", length);
  if (length <= 1) return ones({length}, dtype, device);
  const int64_t points = periodic ? length + 1 : length;
  Tensor window = symmetric(arange(0, points, 1, dtype, device), points);
  return periodic ? narrow(window, 0, 0, length) : window;
}

}  // namespace

Tensor hamming_window(int64_t length, bool periodic, double alpha, double beta, DType dtype,
                      Device device) {
  return make_window("hamming_window", length, periodic, dtype, device, [&](Tensor n, int64_t N) {
    return cos(n * (2 * kPi / double(N - 1))) * -beta + alpha;
  });
}

Tensor hann_window(int64_t length, bool periodic, DType dtype, Device device) {
  return make_window("hann_window", length, periodic, dtype, device, [&](Tensor n, int64_t N) {
    return cos(n * (2 * kPi / double(N - 1))) * -0.5 + 0.5;
  });
}

Tensor blackman_window(int64_t length, bool periodic, DType dtype, Device device) {
  return make_window("blackman_window", length, periodic, dtype, device, [&](Tensor n, int64_t N) {
    const Tensor angle = n * (kPi / double(N - 1));
    return cos(angle * 4.0) * 0.08 - cos(angle * 2.0) * 0.5 + 0.42;
  });
}

Tensor bartlett_window(int64_t length, bool periodic, DType dtype, Device device) {
  return make_window("bartlett_window", length, periodic, dtype, device, [&](Tensor n, int64_t N) {
    Tensor window = n * (2.0 / double(N - 1));
    // The second half descends: 2 - x where x = 2 n / (N - 1) passes 1.
    const int64_t rising = (N - 1) / 2 + 1;
    Tensor falling = narrow(window, 0, rising, N - rising);
    add_(neg_(falling), scalar_argument(2.0));
    return window;
  });
}

Tensor kaiser_window(int64_t length, bool periodic, double beta, DType dtype, Device device) {
  return make_window("kaiser_window", length, periodic, dtype, device, [&](Tensor n, int64_t N) {
    const double center = double(N - 1) / 2;
    const Tensor t = (n - center) / center;
    return i0(sqrt(1.0 - t * t) * beta) / i0(scalar_tensor(beta, dtype, device));
  });
}

}  // namespace cresset
