#include "cresset/data/tensor_dataset.h"

#include "cresset/core/error.h"
#include "cresset/data/batch.h"
#include "cresset/ops/ops.h"

namespace cresset::data::datasets {

TensorDataset::TensorDataset(Tensor data, Tensor target)
    : data_(std::move(data)), target_(std::move(target)) {
  CRESSET_CHECK(data_.defined() && target_.defined() && data_.dim() >= 1 && target_.dim() >= 1 &&
                    data_.size(0) == target_.size(0),
                ValueError, "[TensorDataset] expected data and target with the same first dim; got ",
                data_.defined() ? describe(data_) : "undefined", " and ",
                target_.defined() ? describe(target_) : "undefined");
}

Example<> TensorDataset::get(size_t index) {
  check_index(index, size_t(data_.size(0)), "TensorDataset");
  return {select(data_, 0, int64_t(index)), select(target_, 0, int64_t(index))};
}

std::optional<size_t> TensorDataset::size() const { return size_t(data_.size(0)); }

Example<> TensorDataset::get_stacked(const std::vector<size_t>& indices) const {
  return {gather_rows(data_, indices, "TensorDataset"),
          gather_rows(target_, indices, "TensorDataset")};
}

}  // namespace cresset::data::datasets
