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
// in cresset/ops/ops.h as free functions; this file only knows layout. See Note [Tensor methods]
// for the method spellings (`a.matmul(b)`) the C++ frontend offers on top of them.
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
#include <optional>
#include <utility>
#include <vector>

#include "cresset/core/device.h"
#include "cresset/core/dtype.h"
#include "cresset/core/error.h"
#include "cresset/core/scalar.h"
#include "cresset/core/shape.h"
#include "cresset/core/storage.h"
#include "cresset/core/tensor_options.h"

namespace cresset {

class TensorIndex;
namespace autograd {
class Node;
}

/// What the autograd layer attaches to a tensor; the core only owns and destroys it.
struct AutogradMetaBase {
  virtual ~AutogradMetaBase() = default;
};

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, DimVector sizes, DimVector strides, int64_t offset,
             DType dtype);
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

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
  bool is_wrapped_number() const { return wrapped_number_ != 0; }
  void set_wrapped_number(bool w) { wrapped_number_ = w ? 1 : 0; }
  /// A wrapped number given to a C++ Scalar overload (x + 2.0): autograd records torch's Scalar
  /// overload for it (AddBackward1, no edge), where a Python number keeps a None edge.
  bool is_scalar_argument() const { return wrapped_number_ == 2; }
  void set_scalar_argument() { wrapped_number_ = 2; }

  AutogradMetaBase* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaBase> m) { autograd_meta_ = std::move(m); }

  /// Opaque back-pointer to this tensor's Python object (see Note [Python object preservation]
  /// in python/src/bind.h); null when it has none.
  void* pyobj() const { return pyobj_; }
  void set_pyobj(void* p) { pyobj_ = p; }
  /// True while this TensorImpl holds the only reference to its Python object, which it then
  /// releases through the hook of set_pyobj_releaser when it dies.
  bool owns_pyobj() const { return owns_pyobj_; }
  void set_owns_pyobj(bool o) { owns_pyobj_ = o; }

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
  uint8_t wrapped_number_ = 0;  // 1: a Python number, 2: a C++ Scalar argument
  bool inference_ = false;
  bool owns_pyobj_ = false;
  std::unique_ptr<AutogradMetaBase> autograd_meta_;
  std::shared_ptr<TensorImpl> view_base_;
  void* pyobj_ = nullptr;

  friend class Tensor;
};

/// Drops a reference to a Python object owned by a dying TensorImpl, on whatever thread it dies.
using PyObjReleaser = void (*)(void* pyobj);
/// Installs (or, with nullptr, removes) the hook that releases owned Python objects; without one
/// they are leaked (the interpreter is gone or going).
void set_pyobj_releaser(PyObjReleaser releaser);

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

  // Note [Tensor methods]
  // The methods below are the C++ frontend's spelling of the ops (libtorch's `a.matmul(b)`,
  // `x.sum(1)`). They are declared here so that every Tensor has them, but defined next to the
  // layer that implements them, as ATen does with TensorBody.h: the op methods in
  // ops/tensor_methods.cpp, the autograd ones in autograd/tensor_methods.cpp. The core .cpp files
  // never call them, so core still depends on nothing. Each method is the free function of the
  // same name with self first; see cresset/ops/*.h for the semantics.

  int64_t ndimension() const { return dim(); }
  DType scalar_type() const { return dtype(); }
  int64_t element_size() const { return itemsize(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  /// The options a tensor like this one is made with (dtype, device, requires_grad).
  TensorOptions options() const {
    return TensorOptions().dtype(dtype()).device(device()).requires_grad(requires_grad());
  }
  /// Address of element 0 (Tensor.data_ptr()).
  void* data_ptr() const { return raw_data(); }
  /// Address of element 0 as a T*; TypeError unless T is the tensor's element type.
  template <typename T>
  T* data_ptr() const {
    CRESSET_CHECK(DTypeOf<T>::value == dtype(), TypeError, "[data_ptr] expected scalar type ",
                  dtype_name(DTypeOf<T>::value), " but found ", dtype_name(dtype()));
    return data<T>();
  }
  /// The value of a one-element tensor (Tensor.item()).
  Scalar item() const;
  /// The value of a one-element tensor converted to T: `x.item<float>()`.
  template <typename T>
  T item() const {
    return item().to<T>();
  }

  // ---- arithmetic (numbers promote like Python numbers) ----
  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other, Scalar alpha = 1) const;
  Tensor add_(const Tensor& other, Scalar alpha = 1) const;
  Tensor add_(Scalar other, Scalar alpha = 1) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other, Scalar alpha = 1) const;
  Tensor sub_(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub_(Scalar other, Scalar alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(Scalar other) const;
  Tensor mul_(const Tensor& other) const;
  Tensor mul_(Scalar other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(Scalar other) const;
  Tensor div_(const Tensor& other) const;
  Tensor div_(Scalar other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(Scalar exponent) const;
  Tensor& operator+=(const Tensor& other);
  Tensor& operator+=(Scalar other);
  Tensor& operator-=(const Tensor& other);
  Tensor& operator-=(Scalar other);
  Tensor& operator*=(const Tensor& other);
  Tensor& operator*=(Scalar other);
  Tensor& operator/=(const Tensor& other);
  Tensor& operator/=(Scalar other);
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor square() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor relu_() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor sign() const;
  Tensor reciprocal() const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- comparisons and logic ----
  Tensor eq(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(Scalar other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(Scalar other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(Scalar other) const;
  Tensor logical_not() const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor isnan() const;
  /// torch.equal: same shape and values.
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
                bool equal_nan = false) const;
  Tensor isclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
                 bool equal_nan = false) const;

  // ---- reductions ----
  Tensor sum(std::optional<DType> dtype = std::nullopt) const;
  Tensor sum(int64_t dim, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor sum(const DimVector& dim, bool keepdim = false,
             std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(int64_t dim, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(const DimVector& dim, bool keepdim = false,
              std::optional<DType> dtype = std::nullopt) const;
  Tensor prod(std::optional<DType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor var(std::optional<DimVector> dim = std::nullopt, double correction = 1,
             bool keepdim = false) const;
  Tensor norm(double p = 2) const;
  Tensor max() const;
  Tensor min() const;
  /// (values, indices) along dim.
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(const DimVector& dim = {}, bool keepdim = false) const;
  Tensor amin(const DimVector& dim = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor cumsum(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  Tensor logsumexp(const DimVector& dim, bool keepdim = false) const;
  /// (values, indices) of a stable sort along dim.
  std::pair<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  std::pair<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true,
                                 bool sorted = true) const;

  // ---- linear algebra ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& mat2) const;
  Tensor bmm(const Tensor& mat2) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;

  // ---- views and layout ----
  /// x[index]: select(0, index).
  Tensor operator[](int64_t index) const;
  Tensor view(const DimVector& sizes) const;
  Tensor view(DType dtype) const;
  Tensor view_as(const Tensor& other) const;
  Tensor reshape(const DimVector& sizes) const;
  Tensor reshape_as(const Tensor& other) const;
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(const DimVector& dims) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, const DimVector& sizes) const;
  Tensor expand(const DimVector& sizes) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(const DimVector& repeats) const;
  Tensor flip(const DimVector& dims) const;
  Tensor contiguous() const;
  Tensor clone() const;
  /// A view that shares storage and never requires grad.
  Tensor detach() const;
  Tensor detach_() const;

  // ---- indexing (see cresset/ops/index.h for TensorIndex, Slice, None, Ellipsis) ----
  /// x[indices...]: `x.index({Slice(), 1})` is Python's `x[:, 1]`.
  Tensor index(const std::vector<TensorIndex>& indices) const;
  /// x[indices...] = value; returns self.
  Tensor index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) const;
  Tensor index_put_(const std::vector<TensorIndex>& indices, Scalar value) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor masked_fill(const Tensor& mask, Scalar value) const;
  Tensor masked_fill_(const Tensor& mask, Scalar value) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;

  // ---- conversion and filling ----
  /// A copy in `dtype` (self when it already has it and copy is false).
  Tensor to(DType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;
  Tensor to(DeviceType device, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, DType dtype, bool non_blocking = false, bool copy = false) const;
  /// To the options' device and dtype (the dtype only when set).
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  /// To other's device and dtype.
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const;
  Tensor cuda() const;
  Tensor fill_(Scalar value) const;
  Tensor zero_() const;
  Tensor copy_(const Tensor& src) const;
  Tensor uniform_(double from = 0, double to = 1) const;
  Tensor normal_(double mean = 0, double std_dev = 1) const;

  // ---- autograd (defined in autograd/tensor_methods.cpp) ----
  /// Makes a leaf require grad (floating dtypes only); returns self.
  Tensor requires_grad_(bool requires_grad = true) const;
  /// Tensor.backward: accumulates gradients into the leaves' grad(). `gradient` may be
  /// undefined for a one-element tensor; retain_graph defaults to create_graph.
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  /// The accumulated gradient (undefined when there is none).
  Tensor grad() const;
  /// The gradient slot itself, to reset or replace (optimizers' zero_grad).
  Tensor& mutable_grad() const;
  /// The node that made this tensor (null for leaves).
  std::shared_ptr<autograd::Node> grad_fn() const;
  bool is_leaf() const;
  /// Keeps grad() of a non-leaf after backward.
  void retain_grad() const;

 private:
  void check_inference_inplace() const;

  std::shared_ptr<TensorImpl> impl_;
};

// Note [Tiny-op refcounts]
// Copying a Tensor handle is a shared_ptr copy: two atomic refcount updates (lock-prefixed, about
// 20 cycles each) once the process has a second thread (the thread pool, torch's OpenMP pool);
// libstdc++ skips the atomics while the process is single-threaded. A 1-element `a + b` is a few
// hundred cycles of C++, so hot paths pass operands as TensorRef lists, and TensorIterConfig and
// TensorIter borrow them: the iterator owns only the tensors it makes.

/// A borrowed tensor in a braced list (`{a, b}` of TensorRef copies no Tensor handle).
struct TensorRef {
  TensorRef(const Tensor& t) : ptr(&t) {}  // implicit: `{a, b}` converts
  const Tensor& operator*() const { return *ptr; }
  const Tensor* operator->() const { return ptr; }
  const Tensor* ptr;
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
