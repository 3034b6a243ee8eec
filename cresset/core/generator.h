#pragma once
// Note [Random number generation]
// Generators are counter-based (Philox4x32-10, cresset/backend/common/philox.h). The state is a
// 64-bit seed, which is the Philox key, and a 64-bit offset, which counts the 128-bit blocks
// handed out so far. A random op reserves the blocks it needs with `reserve` and every element
// derives its numbers from (seed, block index) alone, so the values are the same for any thread
// count, chunking or CPU capability, and a CUDA kernel can reproduce them.
#include <cstdint>
#include <mutex>
#include <vector>

#include "cresset/core/device.h"

namespace cresset {

/// Where an op's random numbers start: the Philox key and the first reserved block.
struct PhiloxState {
  uint64_t seed;
  uint64_t offset;
};

class Generator {
 public:
  /// torch's default seed for a fresh generator.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;
  /// Bytes of get_state(): the seed, then the offset (little-endian).
  static constexpr size_t kStateSize = 16;

  explicit Generator(Device device = Device(), uint64_t seed = kDefaultSeed);
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  Device device() const { return device_; }
  /// Generator.manual_seed: a new seed and a fresh counter.
  void set_seed(uint64_t seed);
  /// Generator.seed: seeds from a non-deterministic source and returns the seed.
  uint64_t seed_nondeterministic();
  /// Generator.initial_seed: the last seed set.
  uint64_t initial_seed() const;
  /// Hands out `blocks` consecutive counters (thread-safe).
  PhiloxState reserve(uint64_t blocks);
  /// Generator.get_state / set_state as kStateSize bytes.
  std::vector<uint8_t> get_state() const;
  void set_state(const uint8_t* data, size_t nbytes);

 private:
  mutable std::mutex mutex_;
  Device device_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

/// The default generator of a device (torch.default_generator for the CPU).
Generator& default_generator(Device device = Device());
/// torch.manual_seed: reseeds the default generator of every device, CUDA devices included (also
/// those whose generator is only created later, so seeding never initializes CUDA).
void manual_seed(uint64_t seed);
/// `gen` when given, otherwise the default generator of `device`; checks the device types match.
Generator& generator_for(Generator* gen, Device device, const char* op);

}  // namespace cresset
