#pragma once
// A dataset over in-memory tensors: example i is (data[i], target[i]).
#include <cstddef>
#include <optional>
#include <vector>

#include "cresset/data/datasets.h"

namespace cresset::data::datasets {

/// Examples (data[i], target[i]) over the first dim of two tensors of equal length.
class TensorDataset : public Dataset<TensorDataset> {
 public:
  /// Throws ValueError when the first dims differ.
  TensorDataset(Tensor data, Tensor target);

  /// The example at `index` (views into the tensors).
  Example<> get(size_t index) override;
  /// The number of examples.
  std::optional<size_t> size() const override;
  /// The batch at `indices` as one copy of the rows. See Note [Stacked batches].
  Example<> get_stacked(const std::vector<size_t>& indices) const;

  /// All inputs, [N, ...].
  const Tensor& data() const { return data_; }
  /// All targets, [N, ...].
  const Tensor& target() const { return target_; }

 private:
  Tensor data_, target_;
};

}  // namespace cresset::data::datasets
