#pragma once
// The tensor: how memory is laid out.
//
// A Storage is a refcounted block of bytes on one device. A TensorImpl looks into a storage through
// sizes, strides (in elements, not bytes) and an offset (in elements): element (i0, i1, ...) lives
// at data + (offset + i0*stride0 + i1*stride1 + ...) * itemsize. A view (transpose, slice, expand,
// diagonal...) is a new TensorImpl over the same storage with other sizes/strides/offset, so writes
// through one view are seen by every other. Expanded dims have stride 0. A tensor is contiguous when
// its strides are the row-major strides of its sizes (dims of size 1 may have any stride).
//
// Tensor is a cheap handle (a shared_ptr to the TensorImpl); copying a Tensor aliases it. Ops live
// in cresset/ops/ops.h as free functions; this file only knows layout.
//
// The storage holds the version counter shared by all views (bumped by in-place ops). Autograd
// state hangs off `autograd_meta`, an opaque pointer the core never looks into.
//
// Note [Inference tensors]
// A tensor created while inference mode is on (on its thread) is an inference tensor, as are the
// views of one. It may not be modified in place outside inference mode (bump_version refuses),
// it is not a view in torch's sense (no ._base) and autograd refuses to save it. The flag is read
// from a thread-local only while some thread is in inference mode, so ordinary ops pay nothing.
#include <memory>

#include "cresset/core/device.h"
#include "cresset/core/dtype.h"
#include "cresset/core/shape.h"
#include "cresset/core/storage.h"

namespace cresset {

/// What the autograd layer attaches to a tensor; the core only owns and destroys it.
struct AutogradMetaBase {
  virtual ~AutogradMetaBase() = default;
};

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, DimVector sizes, DimVector strides, int64_t offset,
             DType dtype);

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  const DimVector& sizes() const { return sizes_; }
  const DimVector& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  bool is_contiguous() const { return is_contiguous_; }

  /// Changes the layout in place (used by in-place view ops such as t_, squeeze_, resize_).
  void set_layout(DimVector sizes, DimVector strides, int64_t offset);
  /// Points this tensor at another storage (set_, resize_ growing).
  void set_storage(std::shared_ptr<Storage> storage) { storage_ = std::move(storage); }
  /// Reinterprets the storage as another dtype (only `t.data = other`, which swaps all three).
  void set_dtype(DType dtype) { dtype_ = dtype; }

  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad(bool r) { requires_grad_ = r; }
  /// A 0-dim tensor made from a Python number; it promotes like a number, not like a tensor.
  bool is_wrapped_number() const { return wrapped_number_; }
  void set_wrapped_number(bool w) { wrapped_number_ = w; }

  AutogradMetaBase* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaBase> m) { autograd_meta_ = std::move(m); }

  /// Opaque back-pointer used by the Python bindings to keep one Python object per tensor.
  void* pyobj() const { return pyobj_; }
  void set_pyobj(void* p) { pyobj_ = p; }

  /// See Note [Inference tensors].
  bool is_inference() const { return inference_; }
  void set_inference(bool i) { inference_ = i; }
  /// The tensor this one is a view of (torch's ._base: the root, never itself a view), or null.
  const std::shared_ptr<TensorImpl>& view_base() const { return view_base_; }

 private:
  void refresh();

  std::shared_ptr<Storage> storage_;
  DimVector sizes_;
  DimVector strides_;
  int64_t offset_;
  int64_t numel_ = 1;
  DType dtype_;
  bool is_contiguous_ = true;
  bool requires_grad_ = false;
  bool wrapped_number_ = false;
  bool inference_ = false;
  std::unique_ptr<AutogradMetaBase> autograd_meta_;
  std::shared_ptr<TensorImpl> view_base_;
  void* pyobj_ = nullptr;

  friend class Tensor;
};

/// Whether inference mode is on for this thread (torch.is_inference_mode_enabled).
bool inference_mode_enabled();
/// Turns inference mode on or off for this thread (see Note [Inference tensors]).
void set_inference_mode_enabled(bool enabled);

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  /// False for a default-constructed (null) Tensor.
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  /// True when both handles point at the same TensorImpl.
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }

  const DimVector& sizes() const { return impl_->sizes(); }
  const DimVector& strides() const { return impl_->strides(); }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return int64_t(impl_->sizes().size()); }
  int64_t numel() const { return impl_->numel(); }
  int64_t storage_offset() const { return impl_->offset(); }
  DType dtype() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  int64_t itemsize() const { return cresset::itemsize(dtype()); }
  int64_t nbytes() const { return numel() * itemsize(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  bool is_floating_point() const { return is_floating(dtype()); }
  bool requires_grad() const { return impl_->requires_grad(); }

  /// Address of element 0 (storage data + offset).
  void* raw_data() const {
    return static_cast<char*>(impl_->storage()->data()) + impl_->offset() * itemsize();
  }
  template <typename T>
  T* data() const {
    return static_cast<T*>(raw_data());
  }

  /// A new tensor over the same storage (and version counter) with another layout.
  Tensor as_strided_view(DimVector sizes, DimVector strides, int64_t offset) const;
  /// as_strided_view for the results of view ops: the result remembers this tensor's base (or
  /// this tensor) as its ._base, as torch's views do (inference tensors excepted).
  Tensor alias_view(DimVector sizes, DimVector strides, int64_t offset) const;
  /// RuntimeError when this is an inference tensor and inference mode is off: call before an
  /// in-place write (see Note [Inference tensors]).
  void check_inplace_allowed() const {
    if (impl_->is_inference()) check_inference_inplace();
  }
  /// Marks an in-place modification (see Storage::bump_version).
  void bump_version(const char* op = nullptr) const {
    check_inplace_allowed();
    impl_->storage()->bump_version(op);
  }

 private:
  void check_inference_inplace() const;

  std::shared_ptr<TensorImpl> impl_;
};

/// An uninitialised contiguous tensor.
Tensor empty_tensor(const DimVector& sizes, DType dtype, Device device = Device());
/// An uninitialised tensor with the given strides (storage sized to fit them).
Tensor empty_strided_tensor(const DimVector& sizes, const DimVector& strides, DType dtype,
                            Device device = Device());
/// Gives `t` the contiguous layout of `sizes`, reallocating its storage when too small (out=).
void resize_tensor(const Tensor& t, const DimVector& sizes);
/// The number of storage elements a layout spans (0 when any size is 0).
int64_t storage_span(const DimVector& sizes, const DimVector& strides);
/// "[2, 3], float32, cpu": a tensor's description for error messages.
std::string describe(const Tensor& t);

}  // namespace cresset
