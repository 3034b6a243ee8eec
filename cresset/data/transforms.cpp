#include "cresset/data/transforms.h"

#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::data::transforms {

namespace detail {

namespace {
Tensor channel_tensor(const std::vector<double>& values) {
  Tensor t = empty_tensor({int64_t(values.size()), 1, 1}, DType::Float32);
  for (size_t i = 0; i < values.size(); ++i) t.data<float>()[i] = float(values[i]);
  return t;
}
}  // namespace

NormalizeStats::NormalizeStats(const std::vector<double>& mean, const std::vector<double>& stddev)
    : mean_values_(mean.begin(), mean.end()), stddev_values_(stddev.begin(), stddev.end()) {
  CRESSET_CHECK(!mean.empty() && mean.size() == stddev.size(), ValueError,
                "[Normalize] expected as many means as stddevs (at least one); got ", mean.size(),
                " and ", stddev.size());
  mean_ = channel_tensor(mean);
  stddev_ = channel_tensor(stddev);
}

Tensor NormalizeStats::apply(const Tensor& input) const {
  return div(sub(input, mean_), stddev_);
}

void NormalizeStats::apply_batch_(const Tensor& batch) const {
  const int64_t channels = int64_t(mean_values_.size());
  const bool fast = batch.dtype() == DType::Float32 && batch.is_contiguous() &&
                    batch.device().is_cpu() && batch.dim() >= 2 &&
                    (channels == 1 || batch.size(1) == channels);
  if (!fast) {
    // Broadcast [C, 1, 1] against [B, C, H, W] as the per-example form does against [C, H, W].
    copy_(batch, div(sub(batch, mean_), stddev_));
    return;
  }
  // Planes of one channel: (B * C) of them, each `plane` contiguous floats.
  const int64_t planes = batch.size(0) * batch.size(1);
  const int64_t plane = planes ? batch.numel() / planes : 0;
  float* x = batch.data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t c = channels == 1 ? 0 : p % channels;
    const float m = mean_values_[c], s = stddev_values_[c];
    float* row = x + p * plane;
    for (int64_t i = 0; i < plane; ++i) row[i] = (row[i] - m) / s;
  }
  batch.bump_version();
}

}  // namespace detail

Example<> stack_examples(const std::vector<Example<>>& examples) {
  CRESSET_CHECK(!examples.empty(), ValueError, "[Stack] expected a non-empty batch");
  std::vector<Tensor> data, targets;
  data.reserve(examples.size());
  targets.reserve(examples.size());
  for (const Example<>& e : examples) {
    data.push_back(e.data);
    targets.push_back(e.target);
  }
  return {stack(data, 0), stack(targets, 0)};
}

}  // namespace cresset::data::transforms
