// The entry points of api.def that have no CUDA kernel yet: each throws a RuntimeError naming its
// op. Writing a family's kernels means deleting its entries here.
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"

namespace cresset::cuda::impl {

namespace {
[[noreturn]] void missing(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

// Sorting and counting (the reduce family; reduce.cu has reductions, scan.cu scans).
void sort_kernel(const Tensor&, int64_t, bool, const Tensor&, const Tensor&) { missing("sort"); }
void topk_kernel(const Tensor&, int64_t, int64_t, bool, const Tensor&, const Tensor&) {
  missing("topk");
}
void select_kernel(const Tensor&, int64_t, SelectKind, int64_t, const Tensor&, const Tensor&) {
  missing("select");
}
UniqueResult unique_kernel(const Tensor&, bool) { missing("unique"); }
UniqueResult unique_rows_kernel(const Tensor&, bool) { missing("unique"); }
Tensor bincount_kernel(const Tensor&, const Tensor&, int64_t) { missing("bincount"); }
void histc_kernel(const Tensor&, int64_t, double, double, const Tensor&) { missing("histc"); }

}  // namespace cresset::cuda::impl
