#pragma once
// Helpers shared by pool.cpp and upsample.cpp: input checks, the [planes, D, H, W] view of an
// input, backward node names and the device switch into the kernels.
#include <string>

#include "cresset/backend/cpu/pool_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/tensor.h"

namespace cresset::pool_detail {

/// The dtypes an op takes: torch's CPU kernels differ (max pooling takes integers, avg pooling
/// int64, the rest only floating dtypes).
enum class PoolDTypes { Floating, FloatingAndInt, FloatingAndLong };

/// Checks self has nd + 1 or nd + 2 dims with nonzero non-batch sizes (torch's message otherwise),
/// then its dtype and device.
void check_input(const char* op, const Tensor& self, int64_t nd,
                 PoolDTypes allowed = PoolDTypes::Floating);
/// Checks self has an allowed dtype (torch's NotImplementedError otherwise).
void check_dtype(const char* op, const Tensor& self, PoolDTypes allowed = PoolDTypes::Floating);
/// Number of planes (product of the non-spatial dims) of an input with nd spatial dims.
int64_t planes_of(const Tensor& self, int64_t nd);
/// self's sizes with the last nd replaced by `spatial`.
DimVector with_spatial(const Tensor& self, int64_t nd, const DimVector& spatial);
/// The name of the node that differentiates node `name` ("XBackward0" -> "XBackwardBackward0").
std::string backward_name(const std::string& name);

}  // namespace cresset::pool_detail

/// Runs pool kernel `fn` on the device of `t`: CUDA, or the CPU's best capability.
#define CRESSET_POOL_KERNEL(t, fn, ...)      \
  do {                                       \
    if ((t).device().is_cuda()) {            \
      ::cresset::cuda::fn(__VA_ARGS__);      \
    } else {                                 \
      CRESSET_CPU_DISPATCH(fn, __VA_ARGS__); \
    }                                        \
  } while (0)
