#include "cresset/data/samplers.h"

#include <algorithm>

#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::data::samplers {

namespace {
// How many indices the next batch holds from position `index` of `size`; 0 at the end.
size_t batch_length(size_t index, size_t size, size_t batch_size, const char* sampler) {
  CRESSET_CHECK(batch_size > 0, ValueError, "[", sampler, "] batch_size must be positive; got 0");
  return index < size ? std::min(batch_size, size - index) : 0;
}
}  // namespace

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  const size_t n = batch_length(index_, size_, batch_size, "SequentialSampler");
  if (n == 0) return std::nullopt;
  std::vector<size_t> batch(n);
  for (size_t k = 0; k < n; ++k) batch[k] = index_ + k;
  index_ += n;
  return batch;
}

RandomSampler::RandomSampler(int64_t size) {
  CRESSET_CHECK(size >= 0, ValueError, "[RandomSampler] size must be non-negative; got ", size);
  reset(size_t(size));
}

void RandomSampler::reset(std::optional<size_t> new_size) {
  const int64_t n = new_size ? int64_t(*new_size) : indices_.numel();
  indices_ = randperm(n, DType::Int64);
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  const size_t n = batch_length(index_, size_t(indices_.numel()), batch_size, "RandomSampler");
  if (n == 0) return std::nullopt;
  const int64_t* perm = indices_.data<int64_t>() + index_;
  std::vector<size_t> batch(perm, perm + n);
  index_ += n;
  return batch;
}

}  // namespace cresset::data::samplers
