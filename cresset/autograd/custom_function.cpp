#include "cresset/autograd/custom_function.h"

#include <cxxabi.h>

#include <cstdlib>

#include "cresset/ops/view.h"

namespace cresset::autograd {

TensorList AutogradContext::get_saved_variables() const {
  CRESSET_CHECK(backward_ctx_ != nullptr, RuntimeError,
                "[get_saved_variables] saved tensors can only be read in backward");
  TensorList out;
  for (size_t i = 0; i < n_saved_; ++i) out.push_back(backward_ctx_->saved(i));
  return out;
}

bool AutogradContext::needs_input_grad(size_t i) const {
  CRESSET_CHECK(backward_ctx_ != nullptr, RuntimeError,
                "[needs_input_grad] only known in backward");
  return backward_ctx_->needs_input_grad(i);
}

namespace detail {

std::string function_name(const char* mangled) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 ? demangled : mangled;
  std::free(demangled);
  // Keep the last component of a qualified name, outside any template arguments.
  size_t cut = name.find('<');
  size_t colon = name.rfind("::", cut);
  if (colon != std::string::npos) name = name.substr(colon + 2);
  return name + "Backward";
}

void record_custom(const std::string& name, const TensorList& inputs, TensorList& outputs,
                   const std::shared_ptr<AutogradContext>& ctx, const std::vector<bool>& is_tensor,
                   TensorList (*backward)(AutogradContext*, TensorList)) {
  for (Tensor& out : outputs) {
    for (const Tensor& in : inputs) {
      if (out.defined() && out.is_same(in)) out = detach(out);
    }
  }
  size_t n_outputs = outputs.size();
  record(name, inputs, outputs, ctx->to_save_,
         [ctx, is_tensor, n_outputs, backward, name](const Ctx& c) -> TensorList {
           TensorList grads;
           for (size_t i = 0; i < n_outputs; ++i) grads.push_back(c.grad(i));
           ctx->backward_ctx_ = &c;
           TensorList per_arg;
           try {
             per_arg = backward(ctx.get(), std::move(grads));
           } catch (...) {
             ctx->backward_ctx_ = nullptr;
             throw;
           }
           ctx->backward_ctx_ = nullptr;
           CRESSET_CHECK(per_arg.size() == is_tensor.size(), RuntimeError, "function ", name,
                         " returned an incorrect number of gradients (expected ",
                         is_tensor.size(), ", got ", per_arg.size(), ")");
           TensorList per_input;
           for (size_t i = 0; i < per_arg.size(); ++i) {
             if (is_tensor[i]) per_input.push_back(per_arg[i]);
           }
           return per_input;
         });
  // The node holds the saved tensors now; the context keeping them too would be a cycle through
  // saved outputs (output -> node -> context -> output).
  ctx->n_saved_ = ctx->to_save_.size();
  ctx->to_save_.clear();
}

}  // namespace detail

}  // namespace cresset::autograd
