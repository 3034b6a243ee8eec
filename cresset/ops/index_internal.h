#pragma once
// Helpers shared by the index family's op files (index, scatter, masked, search); not public API.
#include <initializer_list>
#include <optional>

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/common/index_params.h"
#include "cresset/backend/cpu/index_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

/// Calls index-family kernel `fn` for `device`: the CPU capability's version, or the CUDA one.
#define CRESSET_INDEX_KERNEL(device, fn, ...) \
  do {                                        \
    if ((device).is_cpu()) {                  \
      CRESSET_CPU_DISPATCH(fn, __VA_ARGS__);  \
    } else {                                  \
      ::cresset::cuda::fn(__VA_ARGS__);       \
    }                                         \
  } while (0)

namespace cresset::index_detail {

/// int64 indices: `index` itself, or an int64 copy of an int32 index.
Tensor as_int64(const Tensor& index);
/// Some index of `index` (int64) outside [lo, hi), if any.
std::optional<int64_t> find_out_of_range(const Tensor& index, int64_t lo, int64_t hi);
/// How many row-major chunks an order-dependent kernel over `numel` elements uses.
int64_t row_major_chunks(int64_t numel);
/// Throws the RuntimeError torch raises when `t` has elements sharing memory (written-to tensors).
void check_no_internal_overlap(const Tensor& t, const char* op);
/// Throws torch's RuntimeError when `written` and `read` share memory in a way that makes the
/// result depend on the order of writes: any overlap, or with allow_same_layout only a partial one
/// (x[...] = x is fine). Like torch, layouts with gaps or repeats are not checked.
void check_no_overlap(const Tensor& written, const Tensor& read, const char* op,
                      bool allow_same_layout = false);
/// masked_fill_ without the version bump (for ops that bump once themselves).
void masked_fill_into(const Tensor& self, const Tensor& mask, Scalar value);

// Note [Index family autograd]
// Every differentiable op records one node named like torch's, with a backward written in ops
// (so create_graph gives higher derivatives). Forwards run with grad mode off (without_grad):
// they call other ops (clone, expand, the in-place variant ...) that must not record nodes of
// their own. An out-of-place op records over its own inputs; an in-place op checks the leaf rule
// before writing and records with outputs {self} after the write, which rebases self's history.
// Nodes save what torch's save (version-checked): the index tensors, self for gather, take and
// masked_select, source for index_add, index_copy and put. Basic indexing (x[1, ::2]) is made of
// view ops, which record themselves (See Note [Basic and advanced indexing]).

/// Whether an in-place op on self must record (grad mode on, self or one of `others` requires
/// grad); throws torch's RuntimeError when self is a leaf that requires grad. Call before writing.
bool inplace_needs_grad(const Tensor& self, std::initializer_list<TensorRef> others = {});
/// Runs `f` with grad mode off and returns its result. See Note [Index family autograd].
template <typename F>
auto without_grad(F&& f) {
  autograd::AutoGradMode off(false);
  return f();
}
/// `grad` reduced to a value of `shape` that was broadcast into it after its leading 1s were
/// dropped (setitem's rule, torch's slicePrefix1sSize).
Tensor reduce_to_value(const Tensor& grad, const DimVector& shape);

}  // namespace cresset::index_detail
