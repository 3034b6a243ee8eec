#pragma once
// Custom autograd functions in C++, in libtorch's style:
//
//   struct MulConst : cresset::autograd::Function<MulConst> {
//     static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
//       ctx->saved_data["k"] = k;
//       return x * k;
//     }
//     static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
//       return {grads[0] * ctx->saved_data["k"].to_double(), Tensor()};
//     }
//   };
//   Tensor y = MulConst::apply(x, 2.0);
//
// forward runs with grad mode off and returns a Tensor or a tensor_list. backward gets one
// gradient per output (zeros for outputs that got none) and returns one gradient per forward
// argument, an undefined Tensor for arguments that are not tensors or need none. The node is
// named "<Type>Backward" like a Python autograd.Function's. Built on record() (function.h), so
// saved tensors are version-checked like every other op's.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "cresset/autograd/function.h"

namespace cresset::autograd {

// libtorch's names for a list of tensors.
using tensor_list = TensorList;
using variable_list = TensorList;

/// A value kept in AutogradContext::saved_data (libtorch's IValue, reduced to what a backward
/// needs). The accessors throw TypeError when the value holds another kind.
class SavedValue {
 public:
  SavedValue() = default;
  SavedValue(Tensor v) : value_(std::move(v)) {}
  SavedValue(double v) : value_(v) {}
  SavedValue(bool v) : value_(v) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  SavedValue(I v) : value_(int64_t(v)) {}
  SavedValue(std::string v) : value_(std::move(v)) {}
  SavedValue(const char* v) : value_(std::string(v)) {}
  SavedValue(std::vector<int64_t> v) : value_(std::move(v)) {}

  const Tensor& to_tensor() const { return get<Tensor>("Tensor"); }
  double to_double() const { return get<double>("double"); }
  int64_t to_int() const { return get<int64_t>("int"); }
  bool to_bool() const { return get<bool>("bool"); }
  const std::string& to_string() const { return get<std::string>("string"); }
  const std::vector<int64_t>& to_int_vector() const { return get<std::vector<int64_t>>("int list"); }

 private:
  template <typename T>
  const T& get(const char* what) const {
    const T* v = std::get_if<T>(&value_);
    CRESSET_CHECK(v != nullptr, TypeError, "[saved_data] the saved value is not a ", what);
    return *v;
  }

  std::variant<std::monostate, Tensor, double, int64_t, bool, std::string, std::vector<int64_t>>
      value_;
};

class AutogradContext;

namespace detail {
/// Records the graph of a custom function: `outputs` (those equal to an input are replaced by an
/// alias first, so the input keeps its own history) and the node running `backward`.
void record_custom(const std::string& name, const TensorList& inputs, TensorList& outputs,
                   const std::shared_ptr<AutogradContext>& ctx, const std::vector<bool>& is_tensor,
                   TensorList (*backward)(AutogradContext*, TensorList));
}  // namespace detail

/// What forward leaves for backward: saved tensors and any other values.
class AutogradContext {
 public:
  /// Tensors backward needs; checked against in-place modification when read back.
  void save_for_backward(TensorList to_save) { to_save_ = std::move(to_save); }
  /// The tensors given to save_for_backward (in backward only).
  TensorList get_saved_variables() const;
  /// Whether forward's i-th tensor argument needs a gradient (in backward only).
  bool needs_input_grad(size_t i) const;

  /// Non-tensor state for backward, by name.
  std::unordered_map<std::string, SavedValue> saved_data;

 private:
  friend void detail::record_custom(const std::string&, const TensorList&, TensorList&,
                                    const std::shared_ptr<AutogradContext>&,
                                    const std::vector<bool>&,
                                    TensorList (*)(AutogradContext*, TensorList));

  TensorList to_save_;     // until the node takes them (then only their count stays)
  size_t n_saved_ = 0;
  const Ctx* backward_ctx_ = nullptr;  // set while backward runs
};

namespace detail {

/// "MulConst" from a type's mangled name, without namespaces.
std::string function_name(const char* mangled);

inline void collect_input(TensorList& inputs, std::vector<bool>& is_tensor, const Tensor& t) {
  inputs.push_back(t);
  is_tensor.push_back(true);
}
template <typename T>
void collect_input(TensorList&, std::vector<bool>& is_tensor, const T&) {
  is_tensor.push_back(false);
}

}  // namespace detail

template <typename T>
struct Function {
  /// Runs T::forward(ctx, args...) and records T::backward for its outputs.
  template <typename... Args>
  static auto apply(Args&&... args) {
    auto ctx = std::make_shared<AutogradContext>();
    TensorList inputs;
    std::vector<bool> is_tensor;
    (detail::collect_input(inputs, is_tensor, args), ...);
    using Out = decltype(T::forward(ctx.get(), std::forward<Args>(args)...));
    static_assert(std::is_same_v<Out, Tensor> || std::is_same_v<Out, TensorList>,
                  "forward must return a Tensor or a tensor_list");
    TensorList outputs;
    {
      AutoGradMode no_grad(false);
      if constexpr (std::is_same_v<Out, Tensor>) {
        outputs.push_back(T::forward(ctx.get(), std::forward<Args>(args)...));
      } else {
        outputs = T::forward(ctx.get(), std::forward<Args>(args)...);
      }
    }
    if (needs_grad(inputs)) {
      detail::record_custom(detail::function_name(typeid(T).name()), inputs, outputs, ctx,
                            is_tensor, &run_backward);
    }
    if constexpr (std::is_same_v<Out, Tensor>) {
      return outputs[0];
    } else {
      return outputs;
    }
  }

 private:
  static TensorList run_backward(AutogradContext* ctx, TensorList grads) {
    return T::backward(ctx, std::move(grads));
  }
};

}  // namespace cresset::autograd
