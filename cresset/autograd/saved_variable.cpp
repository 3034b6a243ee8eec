#include "cresset/autograd/saved_variable.h"

#include "cresset/autograd/autograd_meta.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

std::string legacy_type_name(const Tensor& t) {
  return "torch." + dtype_display(t.dtype()) + "Tensor";
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  CRESSET_CHECK(!t.impl()->is_inference(), RuntimeError,
                "Inference tensors cannot be saved for backward. Please do not use Tensors created "
                "in inference mode in computation tracked by autograd. To work around this, you "
                "can make a clone to get a normal tensor and use it in autograd, or use "
                "`torch.no_grad()` instead of `torch.inference_mode()`.");
  was_defined_ = true;
  is_output_ = is_output;
  version_ = t.impl()->storage()->version();
  requires_grad_ = t.requires_grad();
  if (is_output) {
    AutogradMeta* m = meta(t);
    output_nr_ = m ? m->output_nr : 0;
  }
  // An output is kept detached: holding its own grad_fn would make the node a reference cycle.
  const Tensor kept = is_output ? detach(t) : t;
  if (const std::shared_ptr<SavedTensorHooks>& hooks = current_saved_tensor_hooks()) {
    hooked_ = std::make_shared<Hooked>(Hooked{hooks, hooks->pack(kept)});
  } else {
    data_ = kept;
  }
}

void SavedVariable::reset() {
  data_ = Tensor();
  hooked_.reset();
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (!was_defined_) return Tensor();
  if (hooked_) return attach(hooked_->hooks->unpack(hooked_->packed), owner);
  CRESSET_CHECK(data_.defined(), RuntimeError,
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.");
  uint32_t now = data_.impl()->storage()->version();
  if (now != version_) {
    const char* writer = data_.impl()->storage()->last_inplace_op();
    std::string producer;
    if (is_output_ && owner) {
      producer = str_cat(", which is output ", output_nr_, " of ", owner->name(), ",");
    } else if (std::shared_ptr<Node> fn = grad_fn(data_)) {
      producer = str_cat(", which is output ", meta(data_)->output_nr, " of ", fn->name(), ",");
    }
    throw RuntimeError(str_cat(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [", legacy_type_name(data_), " ", shape_str(data_.sizes()), "]", producer,
        " is at version ", now, "; expected version ", version_,
        " instead. Hint: enable anomaly detection to find the operation that failed to compute "
        "its gradient, with torch.autograd.set_detect_anomaly(True). [cresset: the tensor was "
        "saved for ", owner ? owner->name() : std::string("backward"),
        writer ? str_cat(" and last modified in place by ", writer, "()") : std::string(), "]"));
  }
  return attach(data_, owner);
}

Tensor SavedVariable::attach(const Tensor& t, const std::shared_ptr<Node>& owner) const {
  if (!is_output_ || !owner) return t;
  // Reattach the owner so gradients can flow through the saved output (double backward).
  Tensor out = detach(t);
  if (requires_grad_) {
    AutogradMeta& m = ensure_meta(out);
    m.grad_fn = owner;
    m.output_nr = output_nr_;
    out.impl()->set_requires_grad(true);
  }
  return out;
}

}  // namespace cresset::autograd
