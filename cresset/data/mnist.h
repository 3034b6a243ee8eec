#pragma once
// The MNIST dataset from its standard idx files, as libtorch's data::datasets::MNIST.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cresset/data/datasets.h"
#include "cresset/data/tensor_dataset.h"

namespace cresset::data::datasets {

/// MNIST read from `root`/{train,t10k}-{images-idx3,labels-idx1}-ubyte (plain or .gz; also
/// under `root`/MNIST/raw). Images are float32 [1, 28, 28] in [0, 1], targets int64 scalars.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };

  /// Reads the whole split into memory; throws RuntimeError for a missing or malformed file.
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  /// The example at `index` (views into the loaded tensors).
  Example<> get(size_t index) override { return examples_.get(index); }
  /// The number of examples.
  std::optional<size_t> size() const override { return examples_.size(); }
  /// The batch at `indices` as one copy of the rows. See Note [Stacked batches].
  Example<> get_stacked(const std::vector<size_t>& indices) const {
    return examples_.get_stacked(indices);
  }
  /// True for the training split.
  bool is_train() const noexcept { return is_train_; }
  /// All images, float32 [N, 1, 28, 28].
  const Tensor& images() const { return examples_.data(); }
  /// All labels, int64 [N].
  const Tensor& targets() const { return examples_.target(); }

 private:
  // Reads and scales both files of a split.
  static TensorDataset load(const std::string& root, bool train);

  bool is_train_;
  TensorDataset examples_;
};

/// Reads an idx file (plain or gzip-compressed) as a uint8 tensor of the sizes its header gives;
/// `expected_magic` is 2049 for labels, 2051 for images.
Tensor read_idx_file(const std::string& path, uint32_t expected_magic);

}  // namespace cresset::data::datasets
