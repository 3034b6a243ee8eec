#pragma once
// Resizing a tensor in place (Tensor.resize_, resize_as_): the layout changes and a storage too
// small is replaced by a larger one holding its bytes. Note [Resized storage]: unlike torch's,
// the replacement is this tensor's alone; other views keep the old storage.
#include "cresset/core/tensor.h"
#include "cresset/ops/view.h"

namespace cresset {

/// Tensor.resize_: self takes `sizes` (strides kept when the shape is unchanged, else those of
/// `format`); new elements are uninitialised. Refused for tensors that require grad.
Tensor resize_(const Tensor& self, const DimVector& sizes,
               MemoryFormat format = MemoryFormat::Contiguous);
/// Tensor.resize_as_: resize_ to other's shape.
Tensor resize_as_(const Tensor& self, const Tensor& other,
                  MemoryFormat format = MemoryFormat::Contiguous);
/// Copies self's storage into `memory` (at least as large, same device), which self then uses
/// (resize_ growing, share_memory_); see Note [Resized storage].
void move_storage(const Tensor& self, const std::shared_ptr<Storage>& memory);

}  // namespace cresset
