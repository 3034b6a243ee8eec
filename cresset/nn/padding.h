#pragma once
// Padding (F.pad): constant, reflect, replicate and circular modes over the last dims.
#include <optional>
#include <string>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.constant_pad_nd: `pad` = (left, right) pairs from the last dim backwards; negative
/// entries crop. Records ConstantPadNdBackward0.
Tensor constant_pad_nd(const Tensor& self, const DimVector& pad, Scalar value);

/// torch.nn.functional.pad: mode "constant", "reflect", "replicate" or "circular"; `value` only
/// for "constant" (default 0).
Tensor pad(const Tensor& self, const DimVector& pad, const std::string& mode,
           std::optional<double> value);

/// torch._C._nn.reflection_pad{dims}d / replication_pad{dims}d: pad() in `mode` with exactly
/// 2 * dims pad values.
Tensor pad_nd(const Tensor& self, const DimVector& pad, const std::string& mode, int64_t dims);

}  // namespace cresset
