#include "cresset/ops/out.h"

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/index.h"

namespace cresset {

Tensor copy_out(const char* op, const Tensor& out, const Tensor& result, OutDtype rule) {
  check_out(op, out, result.sizes(), result.dtype(), result.device(), rule);
  copy_into(out, result);
  out.bump_version(op);
  return out;
}

Tensor write_out(const char* op, const Tensor& out, const Tensor& result, OutDtype rule) {
  check_out_grad(
      op, autograd::GradMode::is_enabled() && (result.requires_grad() || out.requires_grad()));
  return copy_out(op, out, result, rule);
}

Tensor write_out_recorded(const char* op, const Tensor& out, const Tensor& result, OutDtype rule) {
  if (!autograd::GradMode::is_enabled() || !result.requires_grad()) {
    return copy_out(op, out, result, rule);
  }
  check_out(op, out, result.sizes(), result.dtype(), result.device(), rule);
  return copy_(out, result);
}

Tensor write_inplace(const char* op, const Tensor& self, const Tensor& result) {
  CRESSET_CHECK(result.sizes() == self.sizes(), RuntimeError, "[", op, "] output with shape ",
                shape_str(self.sizes()), " doesn't match the broadcast shape ",
                shape_str(result.sizes()));
  check_out_dtype(op, self.dtype(), result.dtype());
  copy_into(self, result);
  self.bump_version(op);
  return self;
}

void check_out_grad(const char* op, bool records) {
  CRESSET_CHECK(!records, RuntimeError, op,
                "(): functions with out=... arguments don't support automatic differentiation, "
                "but one of the arguments requires grad.");
}

}  // namespace cresset
