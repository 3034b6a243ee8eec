#pragma once
// XXH64 (Yann Collet's public algorithm), streaming: the checkpoint checksum. Fast enough that
// hashing a checkpoint costs a fraction of writing it, unlike a table CRC32.
#include <cstddef>
#include <cstdint>

namespace cresset::io {

class Hash64 {
 public:
  explicit Hash64(uint64_t seed = 0);
  /// Feeds `n` more bytes.
  void update(const void* data, size_t n);
  /// The hash of every byte fed so far (the state is left unchanged).
  uint64_t digest() const;

 private:
  uint64_t acc_[4];
  uint64_t seed_;
  uint64_t total_ = 0;
  unsigned char buf_[32];
  size_t buffered_ = 0;
};

/// XXH64 of one buffer.
uint64_t hash64(const void* data, size_t n, uint64_t seed = 0);

}  // namespace cresset::io
