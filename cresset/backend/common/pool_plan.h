#pragma once
// Device-independent descriptions of the pool family's work (pooling windows, resampling taps),
// built by the ops in cresset/nn and read by the CPU and CUDA kernels.
//
// Note [Pooling plans]
// Every op of the family reads, for each output position, a small set of input positions that
// factors over the spatial dims. The op describes each of (up to) three spatial dims by per-output
// tables (first tap, tap count, tap step, ...), built once per call in O(output size); the kernels
// then walk [planes, D, H, W] tensors (1-D and 2-D ops use D = 1, H = 1) with no per-element
// geometry. One kernel thus serves max/avg/adaptive pooling in 1, 2 and 3 dims.
#include <cstdint>
#include <vector>

namespace cresset {

/// One spatial dim of a pooling window plan (see Note [Pooling plans]).
struct PoolAxis {
  int64_t in_size = 1;
  int64_t out_size = 1;
  int64_t step = 1;              // distance between taps (the dilation)
  std::vector<int64_t> first;    // per output: first input position read
  std::vector<int64_t> count;    // per output: number of taps
  std::vector<int64_t> divisor;  // per output: the averaging divisor's factor for this dim
};

/// A pooling plan over contiguous [planes, D, H, W] tensors.
struct PoolPlan {
  int64_t planes = 0;
  PoolAxis axes[3];
  int64_t divisor_override = 0;  // avg pooling: nonzero replaces the product of divisors
  bool window2x2 = false;        // kernel 2x2, stride 2, no padding or dilation, D = 1
  bool divide_per_axis = false;  // adaptive: divide by each axis' divisor in turn, as torch
};

/// One spatial dim of a separable resampling plan: each output reads `taps` input positions.
struct ResampleAxis {
  int64_t in_size = 1;
  int64_t out_size = 1;
  int64_t taps = 1;
  std::vector<int64_t> index;  // out_size * taps input positions
  std::vector<double> weight;  // out_size * taps weights (values of the compute type)
  std::vector<int64_t> count;  // antialiasing: taps used per output (empty: all)
};

/// A resampling plan over contiguous [planes, D, H, W] tensors.
struct ResamplePlan {
  int64_t planes = 0;
  ResampleAxis axes[3];
};

}  // namespace cresset
