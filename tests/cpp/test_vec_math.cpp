// The vectorizable expf of vec_math.h (Note [Fast expf]) against double-precision exp: at most
// 2 ulp on a dense sample of all floats, exact special values, overflow and denormal results.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "check.h"
#include "cresset/backend/cpu/vec_math.h"

namespace {

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// |got - exact| in units of the float spacing at exact (2^-149 below the normal range).
double ulp_error(float got, double exact) {
  if (std::isinf(exact) || exact > std::numeric_limits<float>::max()) {
    return std::isinf(got) ? 0 : 1e9;
  }
  int e;
  std::frexp(exact, &e);
  double ulp = std::ldexp(1.0, std::max(e - 24, -149));
  return std::fabs(double(got) - exact) / ulp;
}

}  // namespace

int main() {
  using cresset::vec_math::expf;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  CHECK(expf(kInf) == kInf);
  CHECK(expf(-kInf) == 0.0f && !std::signbit(expf(-kInf)));
  CHECK(std::isnan(expf(std::numeric_limits<float>::quiet_NaN())));
  CHECK(expf(0.0f) == 1.0f && expf(-0.0f) == 1.0f);
  CHECK(expf(from_bits(1)) == 1.0f);           // smallest denormal input
  CHECK(expf(89.0f) == kInf && expf(1e30f) == kInf);
  CHECK(expf(88.72283f) < kInf);               // just below log(FLT_MAX)
  CHECK(expf(-104.0f) == 0.0f && expf(-1e30f) == 0.0f);
  CHECK(expf(-103.0f) > 0.0f && expf(-103.0f) < std::numeric_limits<float>::min());  // denormal

  // Every 61st bit pattern: all exponents and signs, about 70 million inputs.
  double worst = 0;
  float worst_x = 0;
  for (uint64_t b = 0; b <= 0xFFFFFFFFu; b += 61) {
    float x = from_bits(uint32_t(b));
    if (std::isnan(x)) continue;
    double err = ulp_error(expf(x), std::exp(double(x)));
    if (err > worst) {
      worst = err;
      worst_x = x;
    }
  }
  if (worst > 2.0) std::fprintf(stderr, "expf: %.3f ulp at x = %.9g\n", worst, worst_x);
  CHECK(worst <= 2.0);
  CHECK_DONE();
}
