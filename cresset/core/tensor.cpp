#include "cresset/core/tensor.h"

#include "cresset/core/error.h"

#include <atomic>

namespace cresset {

namespace {
thread_local bool t_inference_mode = false;
// How many threads have inference mode on: while none has, constructing a tensor skips the
// thread-local read (see Note [Inference tensors]).
std::atomic<int> g_inference_threads{0};
std::atomic<PyObjReleaser> g_pyobj_releaser{nullptr};
}  // namespace

void set_pyobj_releaser(PyObjReleaser releaser) { g_pyobj_releaser.store(releaser); }

bool inference_mode_enabled() { return t_inference_mode; }

void set_inference_mode_enabled(bool enabled) {
  if (enabled == t_inference_mode) return;
  t_inference_mode = enabled;
  g_inference_threads.fetch_add(enabled ? 1 : -1, std::memory_order_relaxed);
}

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, DimVector sizes, DimVector strides,
                       int64_t offset, DType dtype)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset),
      dtype_(dtype) {
  if (g_inference_threads.load(std::memory_order_relaxed) != 0) inference_ = t_inference_mode;
  refresh();
}

TensorImpl::~TensorImpl() {
  if (owns_pyobj_) {
    if (PyObjReleaser release = g_pyobj_releaser.load()) release(pyobj_);
  }
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
  impl->inference_ = impl_->inference_;  // a view of a normal tensor stays normal
  return Tensor(std::move(impl));
}

Tensor Tensor::alias_view(DimVector sizes, DimVector strides, int64_t offset) const {
  Tensor out = as_strided_view(std::move(sizes), std::move(strides), offset);
  if (!impl_->inference_) out.impl_->view_base_ = impl_->view_base_ ? impl_->view_base_ : impl_;
  return out;
}

void Tensor::check_inference_inplace() const {
  CRESSET_CHECK(inference_mode_enabled(), RuntimeError,
                "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
                "make a clone to get a normal tensor before doing inplace update.See "
                "https://github.com/pytorch/rfcs/pull/17 for more details.");
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
