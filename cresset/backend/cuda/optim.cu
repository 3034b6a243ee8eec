// Fused optimizer updates on CUDA: one multi-tensor kernel per optimizer rule and dtype, with the
// rules the CPU runs (see Note [Optimizer update rules] and Note [CUDA optimizer updates]). This
// file builds with --fmad=false (cmake/cuda.cmake) so that nothing but the rules' own fma calls
// contracts, as on the CPU.
#include "cresset/backend/common/optim_rules.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"

namespace cresset::cuda::impl {

namespace {

// Elements one block updates per work item (16 per thread): a million-element param spreads
// over 256 blocks, and each item pays for one rule construction and one search.
constexpr int64_t kOptimChunk = 16 * kBlockThreads;
// Tensors per launch: the records travel as the kernel's parameter, which must stay within the
// classic 4 KB limit; longer lists take one launch per kLaunchTensors tensors.
constexpr int kLaunchTensors = 40;

// One launch's work: the group's options, then per tensor its record and its first work item
// (first_chunk[count] is the launch's number of items).
struct OptimLaunch {
  OptimOptions h;
  int count;
  int64_t first_chunk[kLaunchTensors + 1];
  OptimTensor t[kLaunchTensors];
};
static_assert(sizeof(OptimLaunch) <= 4096, "kernel parameters are limited to 4 KB");

// A grid-stride loop over the launch's (tensor, chunk) items; a block finds the tensor of its
// item by a binary search over first_chunk (the same for every thread: one broadcast read each).
template <typename Rule, typename S>
__global__ void __launch_bounds__(kBlockThreads)
    optim_update(const __grid_constant__ OptimLaunch launch) {
  const int64_t items = launch.first_chunk[launch.count];
  for (int64_t c = blockIdx.x; c < items; c += gridDim.x) {
    int lo = 0, hi = launch.count - 1;  // the last tensor whose first item is <= c
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (launch.first_chunk[mid] <= c) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    const OptimTensor& t = launch.t[lo];
    const Rule rule(launch.h, t.s);
    const optim_rules::Buffers<S> x(t);
    const int64_t begin = (c - launch.first_chunk[lo]) * kOptimChunk;
    const int64_t end = t.numel - begin < kOptimChunk ? t.numel : begin + kOptimChunk;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) rule(x, i);
  }
}

template <typename S>
void update_all(OptimKind kind, cudaStream_t stream, const std::vector<OptimTensor>& ts,
                const OptimOptions& h) {
  optim_rules::with_rule<S>(kind, h, [&](auto tag) {
    using Rule = typename decltype(tag)::type;
    OptimLaunch launch{};
    launch.h = h;
    auto flush = [&] {
      if (launch.count == 0) return;
      int64_t blocks = launch.first_chunk[launch.count];
      if (blocks > kMaxBlocks) blocks = kMaxBlocks;
      optim_update<Rule, S><<<unsigned(blocks), kBlockThreads, 0, stream>>>(launch);
      check_launch("optim_kernel");
      launch.count = 0;
    };
    for (const OptimTensor& t : ts) {
      if (t.numel <= 0) continue;  // an empty param has no memory to touch
      const int k = launch.count;
      launch.t[k] = t;
      launch.first_chunk[k + 1] = launch.first_chunk[k] + (t.numel + kOptimChunk - 1) / kOptimChunk;
      if (++launch.count == kLaunchTensors) flush();
    }
    flush();
  });
}

}  // namespace

void optim_kernel(OptimKind kind, DType dtype, int device, const std::vector<OptimTensor>& ts,
                  const OptimOptions& h) {
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  // The caller checked the dtype (a floating dtype). See Note [Half optimizer updates].
  switch (dtype) {
    case DType::Float64:
      return update_all<double>(kind, stream, ts, h);
    case DType::Float16:
      return update_all<Half>(kind, stream, ts, h);
    case DType::BFloat16:
      return update_all<BFloat16>(kind, stream, ts, h);
    default:
      return update_all<float>(kind, stream, ts, h);
  }
}

}  // namespace cresset::cuda::impl
