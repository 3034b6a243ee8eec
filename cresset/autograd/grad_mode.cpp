#include "cresset/autograd/grad_mode.h"

#include "cresset/core/tensor.h"

namespace cresset::autograd {

namespace {
thread_local bool t_grad_enabled = true;
}  // namespace

bool GradMode::is_enabled() { return t_grad_enabled; }
void GradMode::set_enabled(bool enabled) { t_grad_enabled = enabled; }
// The flag lives in the core, which marks the tensors created under it (Note [Inference tensors]).
bool InferenceMode::is_enabled() { return inference_mode_enabled(); }
void InferenceMode::set_enabled(bool enabled) { set_inference_mode_enabled(enabled); }

}  // namespace cresset::autograd
