#pragma once
// Map-style datasets, as libtorch's data::datasets: a dataset yields the examples at given
// indices (get_batch) and can be mapped through transforms (`dataset.map(transform)`).
//
// Note [Stacked batches]
// `dataset.map(Normalize).map(Stack)` would build one tensor per example, normalize each, then
// stack them. Instead MapDataset<..., Stack> asks its source for the batch already stacked
// (get_stacked): in-memory datasets gather the rows with one copy, and an elementwise transform
// that offers apply_stacked (Normalize) then runs once over the stacked batch in place. Any
// other transform falls back to the per-example path, so results are the same either way.
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/data/example.h"
#include "cresset/data/transforms.h"

namespace cresset::data::datasets {

template <typename Source, typename Transform>
class MapDataset;

namespace detail {
template <typename T, typename = void>
struct StacksExamples : std::false_type {};
template <typename T>
struct StacksExamples<T, std::void_t<decltype(T::kStacksExamples)>>
    : std::bool_constant<T::kStacksExamples> {};

template <typename T, typename = void>
struct AppliesStacked : std::false_type {};
template <typename T>
struct AppliesStacked<T, std::void_t<decltype(std::declval<const T&>().apply_stacked(
                             std::declval<Example<>&>()))>> : std::true_type {};
}  // namespace detail

/// Base of every dataset (CRTP, for map's result type): Self overrides get_batch and size.
template <typename Self, typename Batch>
class BatchDataset {
 public:
  using BatchType = Batch;
  using BatchRequestType = std::vector<size_t>;

  virtual ~BatchDataset() = default;
  /// The batch made of the examples at `indices`.
  virtual Batch get_batch(const std::vector<size_t>& indices) = 0;
  /// The number of examples, or nullopt when unknown.
  virtual std::optional<size_t> size() const = 0;

  /// This dataset with `transform` applied to every batch (copies the dataset).
  template <typename Transform>
  MapDataset<Self, Transform> map(Transform transform) & {
    return MapDataset<Self, Transform>(self(), std::move(transform));
  }
  /// This dataset with `transform` applied to every batch.
  template <typename Transform>
  MapDataset<Self, Transform> map(Transform transform) && {
    return MapDataset<Self, Transform>(std::move(self()), std::move(transform));
  }
  /// The batch collated by transforms::Stack, as a new batch the caller owns. See Note [Stacked
  /// batches]; in-memory datasets override it to gather their rows directly.
  Example<> get_stacked(const std::vector<size_t>& indices) {
    return transforms::stack_examples(self().get_batch(indices));
  }

 private:
  Self& self() { return static_cast<Self&>(*this); }
};

/// A dataset of single examples: Self overrides get(index) and size(). The loader's worker
/// threads call get concurrently, so it must not modify shared state.
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;

  /// The example at `index`.
  virtual SingleExample get(size_t index) = 0;
  /// The examples at `indices`, in order.
  std::vector<SingleExample> get_batch(const std::vector<size_t>& indices) override {
    std::vector<SingleExample> batch;
    batch.reserve(indices.size());
    for (size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

/// A dataset whose batches are its source's batches passed through a transform.
template <typename Source, typename Transform>
class MapDataset
    : public BatchDataset<MapDataset<Source, Transform>,
                          decltype(std::declval<Transform&>().apply_batch(
                              std::declval<typename Source::BatchType>()))> {
 public:
  using BatchType = decltype(std::declval<Transform&>().apply_batch(
      std::declval<typename Source::BatchType>()));

  MapDataset(Source source, Transform transform)
      : source_(std::move(source)), transform_(std::move(transform)) {}

  /// The transformed batch at `indices`.
  BatchType get_batch(const std::vector<size_t>& indices) override {
    if constexpr (detail::StacksExamples<Transform>::value) {
      return source_.get_stacked(indices);
    } else {
      return transform_.apply_batch(source_.get_batch(indices));
    }
  }
  /// The stacked batch, normalizing in place when the transform allows it.
  Example<> get_stacked(const std::vector<size_t>& indices) {
    if constexpr (detail::AppliesStacked<Transform>::value) {
      Example<> batch = source_.get_stacked(indices);
      transform_.apply_stacked(batch);
      return batch;
    } else {
      return transforms::stack_examples(get_batch(indices));
    }
  }
  /// The source's size.
  std::optional<size_t> size() const override { return source_.size(); }
  /// The dataset this one maps.
  const Source& dataset() const { return source_; }
  /// The transform applied to each batch.
  const Transform& transform() const { return transform_; }

 private:
  Source source_;
  Transform transform_;
};

}  // namespace cresset::data::datasets
