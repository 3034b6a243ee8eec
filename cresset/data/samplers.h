#pragma once
// Samplers choose which indices make up each batch, as libtorch's data::samplers.
#include <cstddef>
#include <optional>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::data::samplers {

/// Hands out batches of indices until an epoch is exhausted.
class Sampler {
 public:
  using BatchRequestType = std::vector<size_t>;
  virtual ~Sampler() = default;
  /// Starts a new epoch, over `new_size` indices when given.
  virtual void reset(std::optional<size_t> new_size = std::nullopt) = 0;
  /// The next at most `batch_size` indices, or nullopt at the end of the epoch.
  virtual std::optional<std::vector<size_t>> next(size_t batch_size) = 0;
};

/// 0, 1, 2, ... size - 1 in order.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(size_t size) : size_(size) {}
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// The next index to hand out.
  size_t index() const noexcept { return index_; }

 private:
  size_t size_;
  size_t index_ = 0;
};

/// A fresh random permutation of 0 .. size - 1 each epoch, drawn from cresset's default CPU
/// generator (so cresset::manual_seed makes it reproducible).
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t size);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  /// The next position in the permutation.
  size_t index() const noexcept { return index_; }

 private:
  Tensor indices_;  // int64 [size]
  size_t index_ = 0;
};

}  // namespace cresset::data::samplers
