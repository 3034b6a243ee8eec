#include "cresset/core/tensor.h"

#include "cresset/core/error.h"

namespace cresset {

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, DimVector sizes, DimVector strides,
                       int64_t offset, DType dtype)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset),
      dtype_(dtype) {
  refresh();
}

void TensorImpl::set_layout(DimVector sizes, DimVector strides, int64_t offset) {
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
}

void TensorImpl::refresh() {
  numel_ = shape_numel(sizes_);
  is_contiguous_ = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = numel_ == 0;
      break;
    }
    expected *= sizes_[i];
  }
}

int64_t Tensor::size(int64_t d) const { return sizes()[wrap_dim(d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim())]; }

Tensor Tensor::as_strided_view(DimVector sizes, DimVector strides, int64_t offset) const {
  auto impl = std::make_shared<TensorImpl>(impl_->storage(), std::move(sizes), std::move(strides),
                                           offset, dtype());
  return Tensor(std::move(impl));
}

int64_t storage_span(const DimVector& sizes, const DimVector& strides) {
  int64_t span = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return 0;
    span += (sizes[i] - 1) * strides[i];
  }
  return span;
}

Tensor empty_strided_tensor(const DimVector& sizes, const DimVector& strides, DType dtype,
                            Device device) {
  for (int64_t s : sizes) {
    CRESSET_CHECK(s >= 0, RuntimeError,
                  "Trying to create tensor with negative dimension ", s, ": ", shape_str(sizes));
  }
  size_t nbytes = size_t(storage_span(sizes, strides)) * size_t(itemsize(dtype));
  auto storage = Storage::allocate(nbytes, device);
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), sizes, strides, 0, dtype));
}

Tensor empty_tensor(const DimVector& sizes, DType dtype, Device device) {
  return empty_strided_tensor(sizes, contiguous_strides(sizes), dtype, device);
}

void resize_tensor(const Tensor& t, const DimVector& sizes) {
  DimVector strides = contiguous_strides(sizes);
  size_t need = size_t(t.storage_offset() + storage_span(sizes, strides)) * size_t(t.itemsize());
  if (need > t.impl()->storage()->nbytes()) {
    t.impl()->set_storage(Storage::allocate(need, t.device()));
  }
  t.impl()->set_layout(sizes, strides, t.storage_offset());
}

std::string describe(const Tensor& t) {
  return str_cat(shape_str(t.sizes()), ", ", dtype_name(t.dtype()), ", ", t.device().str());
}

}  // namespace cresset
