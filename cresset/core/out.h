#pragma once
// The out= rule of every op (Note [out= arguments]): which out tensors an op accepts, and how
// out takes the result's shape.
#include "cresset/core/tensor.h"

namespace cresset {

// Note [out= arguments]
// torch.op(..., out=t) writes the result into t and returns t itself. t must be on the result's
// device, and by default its dtype must be one the result dtype casts to (torch.can_cast:
// float into double, not into long); some ops demand the result's exact dtype (as in torch:
// matmul, gather, index_select, where, the unary ops that keep their input's dtype such as neg
// and floor ...). When t's shape differs it is resized to the result's, with torch's deprecation
// warning unless t had no elements. Every out= path goes through check_out (directly, through the
// elementwise iterator, or through copy_out/write_out in cresset/ops/out.h for results computed
// apart), so the rule lives here only; ops pick the OutDtype torch uses for them.

/// The C++ type name torch prints in exact-dtype errors: "float", "long int", "c10::Half".
const char* cpp_type_name(DType t);

/// How an out tensor's dtype must relate to the result dtype.
enum class OutDtype {
  Castable,  // can_cast(result, out): "result type Float can't be cast to ... Long"
  Exact,     // the result's dtype: "Expected out tensor to have dtype float, but got ..."
};

/// Checks that a result of dtype `result` may be written into a tensor of dtype `out` by `rule`.
void check_out_dtype(const char* op, DType out, DType result, OutDtype rule = OutDtype::Castable);
/// Checks `out` against a result of `dtype` on `device` (dtype by `rule`, then device) and gives
/// it the result's `sizes` (see resize_out). `op` names the op in errors (null: unnamed).
void check_out(const char* op, const Tensor& out, const DimVector& sizes, DType dtype,
               Device device, OutDtype rule = OutDtype::Castable);
/// Resizes `out` to `sizes` when its shape differs, warning as torch does when it had elements
/// (unless `warn_if_shaped` is false: the few ops whose torch kernel resizes silently).
void resize_out(const Tensor& out, const DimVector& sizes, bool warn_if_shaped = true);

}  // namespace cresset
