#pragma once
// How ops record their backward (see Note [Autograd graph]). An op whose inputs need grad builds a
// FunctionNode: torch's node name, the tensors its backward needs, and the backward itself, a
// stateless lambda next to the forward:
//
//   if (autograd::needs_grad({self, other})) {
//     autograd::record("MulBackward0", {self, other}, result, {self, other},
//                      [](const autograd::Ctx& c) -> autograd::TensorList {
//                        return {mul(c.grad(), c.saved(1)), mul(c.grad(), c.saved(0))};
//                      });
//   }
#include <functional>
#include <initializer_list>

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/autograd/saved_variable.h"

namespace cresset::autograd {

/// True when grad mode is on and any of `inputs` requires grad.
bool needs_grad(std::initializer_list<TensorRef> inputs);
bool needs_grad(const TensorList& inputs);

class FunctionNode;

/// What a backward lambda sees: incoming gradients, saved tensors, which inputs need a gradient.
class Ctx {
 public:
  Ctx(const FunctionNode& node, const TensorList& grads) : node_(node), grads_(grads) {}
  /// Gradient of forward output i (always defined).
  const Tensor& grad(size_t i = 0) const { return grads_[i]; }
  /// Saved tensor i, version-checked.
  Tensor saved(size_t i) const;
  /// Whether forward input i needs a gradient (others may return an undefined Tensor).
  bool needs_input_grad(size_t i) const;

 private:
  const FunctionNode& node_;
  const TensorList& grads_;
};

using BackwardFn = std::function<TensorList(const Ctx&)>;

/// The tensors a node saves: elementwise rows save up to four (inputs by position, then result).
using SavedList = InlineVector<SavedVariable, 4>;

/// A node defined by a name, saved tensors and a backward function.
class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, BackwardFn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override;
  void release_saved() override;

  SavedList& saved() { return saved_; }
  const SavedList& saved() const { return saved_; }

 private:
  std::string name_;
  BackwardFn fn_;
  SavedList saved_;
};

/// The tensors record() reads, without copying a Tensor handle (tiny ops record on every call):
/// a TensorList, a braced list, or an array of pointers (null: an undefined tensor).
class TensorSpan {
 public:
  TensorSpan() = default;
  TensorSpan(const TensorList& l) : data_(l.data()), size_(l.size()) {}
  TensorSpan(std::initializer_list<Tensor> l) : TensorSpan(l.begin(), l.size()) {}
  TensorSpan(const Tensor* data, size_t size) : data_(data), size_(size) {}
  TensorSpan(const Tensor* const* ptrs, size_t size) : ptrs_(ptrs), size_(size) {}

  size_t size() const { return size_; }
  const Tensor& operator[](size_t i) const {
    if (!ptrs_) return data_[i];
    return ptrs_[i] ? *ptrs_[i] : kUndefined;
  }

  struct Iterator {
    const TensorSpan* span;
    size_t i;
    const Tensor& operator*() const { return (*span)[i]; }
    Iterator& operator++() {
      ++i;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i != o.i; }
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size_}; }

 private:
  static const Tensor kUndefined;  // what a null pointer stands for
  const Tensor* data_ = nullptr;
  const Tensor* const* ptrs_ = nullptr;
  size_t size_ = 0;
};

/// Records `outputs` as made by a FunctionNode over `inputs` that saves `saved` (outputs among
/// them are recognised and saved without a cycle). Returns the node.
std::shared_ptr<FunctionNode> record(std::string name, TensorSpan inputs, TensorSpan outputs,
                                     TensorSpan saved, BackwardFn backward);

}  // namespace cresset::autograd
