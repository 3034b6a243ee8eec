// Tensor.resize_ and resize_as_, and moving a storage's bytes (see ops/resize.h).
#include "cresset/ops/resize.h"

#include <algorithm>

#include "cresset/backend/copy.h"
#include "cresset/core/error.h"

namespace cresset {

namespace {

// Dense strides of `sizes` in `format` (channels_last orders the channel dim innermost).
DimVector format_strides(const DimVector& sizes, MemoryFormat format) {
  const int64_t nd = int64_t(sizes.size());
  if (format != MemoryFormat::ChannelsLast && format != MemoryFormat::ChannelsLast3d) {
    return contiguous_strides(sizes);
  }
  CRESSET_CHECK(nd == (format == MemoryFormat::ChannelsLast ? 4 : 5), RuntimeError,
                "[resize_] required rank ", format == MemoryFormat::ChannelsLast ? 4 : 5,
                " tensor to use channels_last", format == MemoryFormat::ChannelsLast ? "" : "_3d",
                " format");
  DimVector strides(sizes.size());
  int64_t step = 1;
  strides[1] = step;
  step *= std::max<int64_t>(sizes[1], 1);
  for (int64_t d = nd - 1; d >= 2; --d) {
    strides[d] = step;
    step *= std::max<int64_t>(sizes[d], 1);
  }
  strides[0] = step;
  return strides;
}

// The bytes of a whole storage as a 1-D uint8 tensor.
Tensor storage_bytes(const std::shared_ptr<Storage>& storage) {
  return Tensor(std::make_shared<TensorImpl>(storage, DimVector{int64_t(storage->nbytes())},
                                             DimVector{1}, 0, DType::UInt8));
}

}  // namespace

void move_storage(const Tensor& self, const std::shared_ptr<Storage>& memory) {
  const std::shared_ptr<Storage>& storage = self.impl()->storage();
  const int64_t n = int64_t(storage->nbytes());
  CRESSET_CHECK(memory->nbytes() >= storage->nbytes() && memory->device() == storage->device(),
                RuntimeError, "[move_storage] the new memory (", memory->nbytes(),
                " bytes) must hold the ", n, " bytes of the storage on its device");
  if (n > 0) copy_into(narrow(storage_bytes(memory), 0, 0, n), storage_bytes(storage));
  self.impl()->set_storage(memory);
}

Tensor resize_(const Tensor& self, const DimVector& sizes, MemoryFormat format) {
  CRESSET_CHECK(!self.requires_grad(), RuntimeError, "cannot resize variables that require grad");
  for (int64_t s : sizes) {
    CRESSET_CHECK(s >= 0, RuntimeError, "[resize_] Trying to create tensor with negative dimension ",
                  s, ": ", shape_str(sizes));
  }
  self.check_inplace_allowed();
  if (self.sizes() == sizes && format == MemoryFormat::Contiguous) return self;
  DimVector strides = format_strides(sizes, format);
  int64_t count = 1;
  for (int64_t s : sizes) count *= s;
  if (count > 0) {
    size_t need = size_t(self.storage_offset() + storage_span(sizes, strides)) * self.itemsize();
    if (need > self.impl()->storage()->nbytes()) {
      move_storage(self, Storage::allocate(need, self.device()));
    }
  }
  self.impl()->set_layout(sizes, strides, self.storage_offset());
  return self;
}

Tensor resize_as_(const Tensor& self, const Tensor& other, MemoryFormat format) {
  return resize_(self, other.sizes(), format);
}

}  // namespace cresset
