// Philox4x32-10 against the Random123 known-answer vectors, the batched CPU kernel against the
// scalar function, thread-count independence of random fills, and manual_seed's reach.
#include <cstring>

#include "check.h"
#include "cresset/backend/common/philox.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/ops.h"

using namespace cresset;

namespace {
bool philox_is(uint64_t key, uint64_t lo, uint64_t hi, const uint32_t (&want)[4]) {
  uint32_t out[4];
  philox4x32_10(key, lo, hi, out);
  return std::memcmp(out, want, sizeof(out)) == 0;
}
}  // namespace

int main() {
  CHECK(philox_is(0, 0, 0, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  CHECK(philox_is(~0ull, ~0ull, ~0ull, {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  CHECK(philox_is(0x299f31d0a4093822ull, 0x85a308d3243f6a88ull, 0x0370734413198a2eull,
                  {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));

  // random_ over all 64-bit values (from INT64_MIN, so the word pair is offset by 2^63): element
  // k < 16 is words 0 and 1 of block offset + k.
  Generator gen;
  gen.set_seed(1234);
  Tensor t = empty_tensor({40}, DType::Int64);
  random_(t, std::numeric_limits<int64_t>::min(), std::nullopt, &gen);
  for (int k = 0; k < 16; ++k) {
    uint32_t w[4];
    philox4x32_10(1234, uint64_t(k), 0, w);
    const uint64_t shift = uint64_t(1) << 63;
    CHECK(uint64_t(t.data<int64_t>()[k]) == (uint64_t(w[0]) | uint64_t(w[1]) << 32) + shift);
    CHECK(uint64_t(t.data<int64_t>()[16 + k]) == (uint64_t(w[2]) | uint64_t(w[3]) << 32) + shift);
  }
  // 40 elements at 32 per batch: two batches of 16 blocks reserved.
  CHECK(gen.reserve(0).offset == 32);

  // The same seed gives the same values for any thread count.
  int threads = get_num_threads();
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16}) {
    Generator g1, g2;
    g1.set_seed(7);
    g2.set_seed(7);
    set_num_threads(1);
    Tensor a = randn({300001}, dt, Device(), &g1);
    set_num_threads(4);
    Tensor b = randn({300001}, dt, Device(), &g2);
    CHECK(std::memcmp(a.raw_data(), b.raw_data(), size_t(a.nbytes())) == 0);
  }
  set_num_threads(threads);

  // manual_seed reseeds every device's default generator, also one created afterwards (CUDA's
  // are created on first use, so seeding never loads the CUDA backend).
  Generator& cuda0 = default_generator(Device(DeviceType::CUDA, 0));
  manual_seed(11);
  CHECK(default_generator().initial_seed() == 11 && cuda0.initial_seed() == 11);
  CHECK(default_generator(Device(DeviceType::CUDA, 1)).initial_seed() == 11);
  CHECK(!cuda::is_loaded());
  CHECK_DONE();
}
