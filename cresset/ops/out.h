#pragma once
// Writing a result computed apart (composites, gathers, reductions that can't write in place)
// into a given tensor: out= (check, resize, copy; see Note [out= arguments] in cresset/core/out.h)
// and the in-place forms of composites.
#include "cresset/core/out.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// Writes `result` into `out` under the out= rule (dtype by `rule`, device, resize with torch's
/// warning), bumps out's version and returns out.
Tensor copy_out(const char* op, const Tensor& out, const Tensor& result,
                OutDtype rule = OutDtype::Castable);
/// copy_out for an op's own out= argument, after throwing torch's autograd error when result (or
/// out) requires grad: out= results take no part in autograd.
Tensor write_out(const char* op, const Tensor& out, const Tensor& result,
                 OutDtype rule = OutDtype::Castable);
/// write_out for the composites whose out= torch differentiates through (quantile, diag,
/// heaviside): out takes result's values by a recorded copy (CopyBackwards) when result requires
/// grad, instead of refusing.
Tensor write_out_recorded(const char* op, const Tensor& out, const Tensor& result,
                          OutDtype rule = OutDtype::Castable);
/// Writes `result` into `self` for an in-place form computed out of place (Tensor.sinc_ ...):
/// result must have self's shape and a dtype that casts to self's, as torch's in-place ops demand.
/// Bumps self's version (naming `op`) and returns self.
Tensor write_inplace(const char* op, const Tensor& self, const Tensor& result);
/// Throws torch's error for out= when the op would be recorded (`records`: an input requires grad
/// in grad mode), since out= results take no part in autograd.
void check_out_grad(const char* op, bool records);

}  // namespace cresset
