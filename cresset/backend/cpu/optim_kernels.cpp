// Fused optimizer updates on the CPU: every element of every parameter of a group in one parallel
// loop, each element updated by the rule shared with the CUDA kernel (see
// Note [Optimizer update rules] in backend/common/optim_rules.h).
#include "cresset/backend/cpu/optim_kernels.h"

#include <algorithm>

#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// The rule and the buffers are locals: the vectorizer sees that the loop's stores cannot change
// them. Options that change the loop's shape are template parameters of the rule (with_rule), so
// the vectorized loop holds no branch and no conditional store.
template <typename Rule, typename S>
void update_range(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  const Rule rule(h, t.s);
  const optim_rules::Buffers<S> x(t);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) rule(x, i);
}

// One parallel_for over the concatenation of all tensors; a chunk walks the tensors it overlaps.
template <typename S>
void run(OptimKind kind, const std::vector<OptimTensor>& ts, const OptimOptions& h) {
  std::vector<int64_t> start(ts.size() + 1, 0);
  for (size_t i = 0; i < ts.size(); ++i) start[i + 1] = start[i] + ts[i].numel;
  optim_rules::with_rule<S>(kind, h, [&](auto tag) {
    using Rule = typename decltype(tag)::type;
    parallel_for(0, start.back(), kGrainSize, [&](int64_t begin, int64_t end) {
      size_t i = size_t(std::upper_bound(start.begin(), start.end(), begin) - start.begin()) - 1;
      for (; i < ts.size() && start[i] < end; ++i) {
        int64_t lo = std::max(begin, start[i]) - start[i];
        int64_t hi = std::min(end, start[i + 1]) - start[i];
        if (hi > lo) update_range<Rule, S>(ts[i], h, lo, hi);
      }
    });
  });
}

}  // namespace

void optim_kernel(OptimKind kind, DType dtype, const std::vector<OptimTensor>& ts,
                  const OptimOptions& h) {
  // The caller checked the dtype (a floating dtype). See Note [Half optimizer updates].
  switch (dtype) {
    case DType::Float64:
      return run<double>(kind, ts, h);
    case DType::Float16:
      return run<Half>(kind, ts, h);
    case DType::BFloat16:
      return run<BFloat16>(kind, ts, h);
    default:
      return run<float>(kind, ts, h);
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
