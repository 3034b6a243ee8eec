#pragma once
// TensorIter: the one strided iterator behind every elementwise kernel on every device.
//
// Given outputs and inputs it (1) computes the common dtype with PyTorch's promotion rules,
// (2) broadcasts shapes, (3) allocates missing outputs with the inputs' memory layout (a transposed
// input gives a transposed output, like torch), (4) casts inputs whose dtype differs from the
// compute dtype, (5) reorders and coalesces dims so contiguous operands become one long dim, and
// (6) runs a loop `f(char** data, const int64_t* byte_strides, int64_t n)` over the inner dim,
// splitting the outer range across threads. Kernels only write the inner loop.
//
// Dims are stored innermost-first after build(): shape()[0] is the fastest-moving dim.
#include <initializer_list>
#include <vector>

#include "cresset/core/out.h"
#include "cresset/core/parallel.h"
#include "cresset/core/tensor.h"

namespace cresset {

constexpr int kMaxIterOperands = 8;
constexpr int kMaxIterOutputs = 4;

class TensorIter;

/// Describes an elementwise computation; build() validates it and produces a TensorIter.
/// Operands given as lvalues are borrowed, by the config and then by the iterator: they must
/// outlive the iterator. Temporaries are kept, and handed to the iterator. See
/// Note [Tiny-op refcounts].
class TensorIterConfig {
 public:
  /// The op name for error messages ("add", "mul" ...).
  explicit TensorIterConfig(const char* op) : op_(op) {}
  TensorIterConfig(const TensorIterConfig&) = delete;  // it points into itself
  TensorIterConfig& operator=(const TensorIterConfig&) = delete;

  /// Adds an output; an undefined tensor is allocated by build().
  TensorIterConfig& add_output(const Tensor& t);
  TensorIterConfig& add_output(Tensor&& t) { return add_output(keep(std::move(t))); }
  TensorIterConfig& add_input(const Tensor& t);
  TensorIterConfig& add_input(Tensor&& t) { return add_input(keep(std::move(t))); }

  /// Inputs are cast to the promoted dtype of all inputs (default true).
  TensorIterConfig& promote_inputs(bool v) {
    promote_inputs_ = v;
    return *this;
  }
  /// Integer/bool common dtypes become the default float dtype (true division, exp, sqrt ...).
  TensorIterConfig& promote_integer_to_float(bool v) {
    int_to_float_ = v;
    return *this;
  }
  /// The dtype outputs get, overriding the common dtype (bool for comparisons).
  TensorIterConfig& output_dtype(DType t) {
    output_dtype_ = t;
    has_output_dtype_ = true;
    return *this;
  }
  /// Forces the compute dtype (dtype= arguments, or ops that fix it).
  TensorIterConfig& compute_dtype(DType t) {
    compute_dtype_ = t;
    has_compute_dtype_ = true;
    return *this;
  }
  /// The kernel only reads input elements at the pointers it gets (it doesn't use them as base
  /// addresses): stride-0 inputs may then come from a buffer, see Note [Broadcast inner runs].
  TensorIterConfig& inputs_by_value(bool v) {
    inputs_by_value_ = v;
    return *this;
  }
  /// How a given output's dtype must relate to the result dtype (Note [out= arguments]).
  TensorIterConfig& out_dtype_rule(OutDtype rule) {
    out_rule_ = rule;
    return *this;
  }
  /// The output is an input too (in-place op): its shape must equal the broadcast shape.
  TensorIterConfig& is_inplace(bool v) {
    inplace_ = v;
    return *this;
  }

  TensorIter build();

 private:
  friend class TensorIter;
  bool try_fast_build(TensorIter& it, DType common, DType out_dtype);
  void finish_operands(TensorIter& it, int nops, DType common);
  // Makes `t` (one of this config's operands) operand k of `it`: a kept temporary moves into the
  // iterator, a borrowed tensor stays borrowed.
  void hand_over(TensorIter& it, int k, const Tensor* t);
  const Tensor& keep(Tensor&& t);
  // Fixed arrays, not vectors: building an iterator must not touch the heap (tiny-op overhead).
  const char* op_;
  const Tensor* outputs_[kMaxIterOutputs] = {};
  const Tensor* inputs_[kMaxIterOperands] = {};
  Tensor kept_[kMaxIterOperands];  // the temporaries among them
  int nkept_ = 0;
  int noutputs_ = 0;
  int ninputs_ = 0;
  bool promote_inputs_ = true;
  OutDtype out_rule_ = OutDtype::Castable;
  bool int_to_float_ = false;
  bool has_output_dtype_ = false;
  bool has_compute_dtype_ = false;
  bool inplace_ = false;
  bool inputs_by_value_ = false;
  DType output_dtype_ = DType::Float32;
  DType compute_dtype_ = DType::Float32;
};

class TensorIter {
 public:
  /// Signature of an inner loop: operand base pointers (outputs first), their byte strides along
  /// the inner dim, and the inner length.
  using Loop = void (*)(const void* ctx, char** data, const int64_t* strides, int64_t n);

  int ntensors() const { return ntensors_; }
  int noutputs() const { return noutputs_; }
  int64_t numel() const { return numel_; }
  int ndim() const { return int(shape_.size()); }
  const DimVector& shape() const { return shape_; }
  /// Byte strides of operand k, innermost-first like shape().
  const DimVector& strides(int k) const { return strides_[k]; }
  /// The dtype the kernel computes in (inputs already cast to it).
  DType common_dtype() const { return common_dtype_; }
  DType dtype(int k) const { return operand(k).dtype(); }
  char* data_ptr(int k) const { return static_cast<char*>(operand(k).raw_data()); }
  /// Operand k (outputs first) as the kernel sees it.
  const Tensor& operand(int k) const { return owned_[k].defined() ? owned_[k] : *borrowed_[k]; }
  Device device() const { return operand(0).device(); }

  /// The output tensor as the user sees it (after any copy-back for dtype mismatch).
  const Tensor& output(int k = 0) const {
    return cast_back_[k].defined() ? cast_back_[k] : operand(k);
  }
  /// output(0), moved out of the iterator when it owns it: the op's last use of the iterator.
  Tensor release_output();
  /// True when the iteration is a single contiguous run for every operand.
  bool is_contiguous() const;

  /// Runs f(data, strides, n) over every element, in parallel above `grain` elements.
  template <typename F>
  void for_each(const F& f, int64_t grain = kGrainSize) {
    for_each_impl([](const void* ctx, char** d, const int64_t* s,
                     int64_t n) { (*static_cast<const F*>(ctx))(d, s, n); },
                  &f, grain);
  }
  /// The same, serially over the linear range [begin, end).
  template <typename F>
  void serial_for_each(const F& f, int64_t begin, int64_t end) const {
    serial_impl([](const void* ctx, char** d, const int64_t* s,
                   int64_t n) { (*static_cast<const F*>(ctx))(d, s, n); },
                &f, begin, end);
  }

  /// Copies computed outputs into user outputs whose dtype differs from the compute dtype.
  /// Kernels' callers (ops) call it once after the kernel ran.
  void finish();

 private:
  friend class TensorIterConfig;
  void for_each_impl(Loop loop, const void* ctx, int64_t grain);
  void serial_impl(Loop loop, const void* ctx, int64_t begin, int64_t end) const;
  unsigned broadcast_inputs() const;
  void run_inner(Loop loop, const void* ctx, char** ptrs, const int64_t* strides, int64_t n,
                 unsigned broadcast) const;

  int ntensors_ = 0;
  int noutputs_ = 0;
  int64_t numel_ = 0;
  DimVector shape_;
  DimVector strides_[kMaxIterOperands];
  // Operands, outputs first. Operand k is owned_[k] when the iterator made it (an allocated output,
  // an input cast to the compute dtype, a temporary given to the config), else the caller's tensor
  // at borrowed_[k]: no handle copies, see Note [Tiny-op refcounts].
  const Tensor* borrowed_[kMaxIterOperands] = {};
  Tensor owned_[kMaxIterOperands];
  // A user's out= tensor whose dtype differs from its operand's: finish() copies the result in.
  Tensor cast_back_[kMaxIterOutputs];
  DType common_dtype_ = DType::Float32;
  bool inputs_by_value_ = false;
};

/// The dtype torch.result_type gives for these operands: tensors with dims outrank 0-dim tensors,
/// which outrank wrapped numbers; a lower rank only matters when it is a higher category
/// (bool < integral < floating). Undefined tensors are skipped.
DType result_type(const Tensor* const* operands, int n);
DType result_type(const std::vector<Tensor>& operands);
/// result_type({a, b}) without copying a handle (ops call it on every invocation).
DType result_type(std::initializer_list<TensorRef> operands);

}  // namespace cresset
