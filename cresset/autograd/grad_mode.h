#pragma once
// Thread-local autograd modes: grad mode (no_grad / enable_grad) and inference mode.

namespace cresset::autograd {

/// Whether ops record the graph on this thread (torch.is_grad_enabled).
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Sets grad mode for a scope and restores the previous mode on exit.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(GradMode::is_enabled()) {
    GradMode::set_enabled(enabled);
  }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

/// torch.no_grad() as a scope: `{ cresset::NoGradGuard guard; ... }`.
class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

/// torch.inference_mode: no recording and no version bookkeeping is needed (on this thread).
struct InferenceMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

}  // namespace cresset::autograd

namespace cresset {
// libtorch spells the guards at top level.
using autograd::AutoGradMode;
using autograd::NoGradGuard;
}  // namespace cresset
