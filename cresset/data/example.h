#pragma once
// One sample of a dataset: its input and its target, as libtorch's data::Example.
#include <utility>

#include "cresset/core/tensor.h"

namespace cresset::data {

/// An input and its target; a batch after transforms::Stack is one Example of stacked tensors.
template <typename Data = Tensor, typename Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;

  Example() = default;
  Example(Data data, Target target) : data(std::move(data)), target(std::move(target)) {}

  Data data;
  Target target;
};

}  // namespace cresset::data
