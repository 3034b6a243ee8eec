#pragma once
// Helpers shared by pool.cpp and upsample.cpp: the [planes, D, H, W] view of a pooling input and
// the node pairs of the linear ops (avg pooling, resampling) whose backward is their transpose.
#include <string>

#include "cresset/core/tensor.h"

namespace cresset::pool_detail {

/// The dtypes an op takes: torch's CPU kernels differ (max pooling takes integers, avg pooling
/// int64, the rest only floating dtypes).
enum class PoolDTypes { Floating, FloatingAndInt, FloatingAndLong };

/// Checks self has nd + 1 or nd + 2 dims with nonzero non-batch sizes (torch's message otherwise),
/// then its dtype and device.
void check_input(const char* op, const Tensor& self, int64_t nd,
                 PoolDTypes allowed = PoolDTypes::Floating);
/// Checks self has an allowed dtype and is on the CPU (torch's NotImplementedError otherwise).
void check_dtype_device(const char* op, const Tensor& self,
                        PoolDTypes allowed = PoolDTypes::Floating);
/// Number of planes (product of the non-spatial dims) of an input with nd spatial dims.
int64_t planes_of(const Tensor& self, int64_t nd);
/// self's sizes with the last nd replaced by `spatial`.
DimVector with_spatial(const Tensor& self, int64_t nd, const DimVector& spatial);
/// The name of the node that differentiates node `name` ("XBackward0" -> "XBackwardBackward0").
std::string backward_name(const std::string& name);

}  // namespace cresset::pool_detail
