#pragma once
// Transforms a dataset is mapped through (`dataset.map(...)`), as libtorch's data::transforms:
// per-example ones (Normalize, Lambda) and batch ones (Stack collates a batch into one Example).
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/data/example.h"

namespace cresset::data::transforms {

/// Maps a whole batch to another batch (a collation such as Stack).
template <typename InputBatch, typename OutputBatch>
class BatchTransform {
 public:
  using InputBatchType = InputBatch;
  using OutputBatchType = OutputBatch;
  virtual ~BatchTransform() = default;
  /// The transformed batch.
  virtual OutputBatch apply_batch(InputBatch input_batch) = 0;
};

/// Maps one example to another; a batch is transformed example by example.
template <typename Input, typename Output>
class Transform : public BatchTransform<std::vector<Input>, std::vector<Output>> {
 public:
  /// The transformed example.
  virtual Output apply(Input input) = 0;
  /// Applies `apply` to each example of the batch, in order.
  std::vector<Output> apply_batch(std::vector<Input> input_batch) override {
    std::vector<Output> out;
    out.reserve(input_batch.size());
    for (Input& input : input_batch) out.push_back(apply(std::move(input)));
    return out;
  }
};

/// Maps each example's data tensor, keeping its target.
template <typename Target = Tensor>
class TensorTransform : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
 public:
  /// The transformed data tensor.
  virtual Tensor operator()(Tensor input) = 0;
  /// The example with its data transformed.
  Example<Tensor, Target> apply(Example<Tensor, Target> example) override {
    example.data = (*this)(std::move(example.data));
    return example;
  }
};

/// A per-example transform given as a function.
template <typename Input, typename Output = Input>
class Lambda : public Transform<Input, Output> {
 public:
  using FunctionType = std::function<Output(Input)>;
  explicit Lambda(FunctionType function) : function_(std::move(function)) {}
  /// function(input).
  Output apply(Input input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

namespace detail {
/// Per-channel statistics for Normalize, shaped [C, 1, 1] so they broadcast over [C, H, W].
class NormalizeStats {
 public:
  NormalizeStats(const std::vector<double>& mean, const std::vector<double>& stddev);
  /// (input - mean) / stddev as a new tensor.
  Tensor apply(const Tensor& input) const;
  /// The same on a stacked batch [B, C, ...], in place (one pass for float32).
  void apply_batch_(const Tensor& batch) const;

 private:
  Tensor mean_, stddev_;
  std::vector<float> mean_values_, stddev_values_;
};
}  // namespace detail

/// (data - mean) / stddev per channel; the data are [C, H, W] (one mean/stddev, or one per C).
template <typename Target = Tensor>
class Normalize : public TensorTransform<Target> {
 public:
  Normalize(double mean, double stddev) : stats_({mean}, {stddev}) {}
  Normalize(const std::vector<double>& mean, const std::vector<double>& stddev)
      : stats_(mean, stddev) {}
  /// (input - mean) / stddev.
  Tensor operator()(Tensor input) override { return stats_.apply(input); }
  /// Normalizes a batch already stacked into [B, C, ...] in place: an elementwise transform
  /// commutes with stacking, so a loader can stack first and skip the per-example tensors.
  void apply_stacked(Example<Tensor, Target>& batch) const { stats_.apply_batch_(batch.data); }

 private:
  detail::NormalizeStats stats_;
};

/// Stacks data and targets into one Example of [B, ...] tensors (one copy of each).
Example<> stack_examples(const std::vector<Example<>>& examples);

/// Collates a batch of Examples into one Example of stacked tensors.
template <typename ExampleType = Example<>>
class Stack : public BatchTransform<std::vector<ExampleType>, ExampleType> {
  static_assert(std::is_same_v<ExampleType, Example<>>, "Stack collates Example<Tensor, Tensor>");

 public:
  /// Marks the collation a loader may compute straight from the dataset's storage.
  static constexpr bool kStacksExamples = true;
  /// One Example of stacked data and targets.
  ExampleType apply_batch(std::vector<ExampleType> examples) override {
    return stack_examples(examples);
  }
};

}  // namespace cresset::data::transforms
