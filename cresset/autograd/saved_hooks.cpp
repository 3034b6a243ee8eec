#include "cresset/autograd/saved_hooks.h"

#include <vector>

#include "cresset/core/error.h"

namespace cresset::autograd {

namespace {
thread_local std::vector<std::shared_ptr<SavedTensorHooks>> t_hooks;
}  // namespace

void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks) {
  t_hooks.push_back(std::move(hooks));
}

void pop_saved_tensor_hooks() {
  CRESSET_CHECK(!t_hooks.empty(), RuntimeError,
                "[saved_tensors_hooks] no saved-tensor hooks are registered on this thread");
  t_hooks.pop_back();
}

const std::shared_ptr<SavedTensorHooks>& current_saved_tensor_hooks() {
  static const std::shared_ptr<SavedTensorHooks> none;
  return t_hooks.empty() ? none : t_hooks.back();
}

}  // namespace cresset::autograd
