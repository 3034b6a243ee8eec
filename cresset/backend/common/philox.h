#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) and the
// description of a random fill shared by the CPU and CUDA kernels. See Note [Random number
// generation] in cresset/core/generator.h for how ops reserve counters.
//
// A block is one Philox call: a 128-bit counter (low 64 bits: the block index, high 64 bits: a
// sub-stream for ops that draw a variable amount per element) and a 64-bit key (the seed) give
// four 32-bit words.
#include <cstdint>

#include "cresset/core/dtype.h"

namespace cresset {

namespace philox {
constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
}  // namespace philox

/// The four words of block (ctr_lo, ctr_hi) under key `seed`.
CRESSET_HOST_DEVICE CRESSET_INLINE void philox4x32_10(uint64_t seed, uint64_t ctr_lo,
                                                      uint64_t ctr_hi, uint32_t out[4]) {
  uint32_t c0 = uint32_t(ctr_lo), c1 = uint32_t(ctr_lo >> 32);
  uint32_t c2 = uint32_t(ctr_hi), c3 = uint32_t(ctr_hi >> 32);
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(philox::kMul0) * c0, p1 = uint64_t(philox::kMul1) * c2;
    uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0, n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    c1 = uint32_t(p1);
    c3 = uint32_t(p0);
    c0 = n0;
    c2 = n2;
    k0 += philox::kWeyl0;
    k1 += philox::kWeyl1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/// A sequential stream of numbers from one block index: successive blocks of the sub-stream
/// counter. Used by ops whose draws per element vary (poisson, multinomial, randperm).
class PhiloxStream {
 public:
  CRESSET_HOST_DEVICE PhiloxStream(uint64_t seed, uint64_t block) : seed_(seed), block_(block) {}

  CRESSET_HOST_DEVICE uint32_t next_u32() {
    if (used_ == 4) {
      philox4x32_10(seed_, block_, sub_++, words_);
      used_ = 0;
    }
    return words_[used_++];
  }
  CRESSET_HOST_DEVICE uint64_t next_u64() {
    uint64_t lo = next_u32();
    return lo | (uint64_t(next_u32()) << 32);
  }
  /// Uniform on the open interval (0, 1), 53 bits.
  CRESSET_HOST_DEVICE double next_open01() { return (double(next_u64() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  uint64_t seed_, block_, sub_ = 0;
  uint32_t words_[4] = {};
  int used_ = 4;
};

/// The distributions random fills sample (the in-place ops of torch: uniform_, normal_ ...).
enum class RandomDist : int8_t {
  Uniform,      // [a, b)
  Normal,       // mean a, std b
  LogNormal,    // exp of Normal(a, b)
  Exponential,  // rate a
  Cauchy,       // median a, scale b
  Geometric,    // success probability a; values >= 1
  Bernoulli,    // probability a
  IntRange,     // base + [0, range); range 0 means all 2^64 values
};

/// One random fill of a contiguous output.
struct RandomSpec {
  RandomDist dist;
  uint64_t seed;
  uint64_t offset;  // the first reserved block
  double a = 0, b = 0;
  int64_t base = 0;
  uint64_t range = 0;
};

/// Blocks per batch: the unit kernels generate and the unit of parallel work. Element k of batch
/// j is made from the words of blocks [j * kPhiloxBatch, (j + 1) * kPhiloxBatch) only.
constexpr int kPhiloxBatch = 16;

/// 32-bit words one element consumes: two for float64 samples and 64-bit integer ranges.
inline int random_words_per_element(const RandomSpec& s, DType dtype) {
  switch (s.dist) {
    case RandomDist::Geometric:
    case RandomDist::Bernoulli:
      return 1;
    case RandomDist::IntRange:
      return s.range == 0 || s.range > (uint64_t(1) << 32) ? 2 : 1;
    default:
      return dtype == DType::Float64 ? 2 : 1;
  }
}

/// Elements one batch fills.
inline int64_t random_batch_elements(const RandomSpec& s, DType dtype) {
  return 4 * kPhiloxBatch / random_words_per_element(s, dtype);
}

}  // namespace cresset
