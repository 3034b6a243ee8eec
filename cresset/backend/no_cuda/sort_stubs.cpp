// Link-time stand-ins for the reduce family's CUDA kernels that backend/cuda/reduce.cu lacks (sorts,
// scans, unique, bincount, histc); see no_cuda/stubs.cpp.
#include "cresset/backend/cuda/reduce.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void scan_kernel(const ScanCall&) { no_cuda("scan"); }
void sort_kernel(const Tensor&, int64_t, bool, const Tensor&, const Tensor&) { no_cuda("sort"); }
void topk_kernel(const Tensor&, int64_t, int64_t, bool, const Tensor&, const Tensor&) {
  no_cuda("topk");
}
void select_kernel(const Tensor&, int64_t, SelectKind, int64_t, const Tensor&, const Tensor&) {
  no_cuda("select");
}
UniqueResult unique_kernel(const Tensor&, bool) { no_cuda("unique"); }
UniqueResult unique_rows_kernel(const Tensor&, bool) { no_cuda("unique"); }
Tensor bincount_kernel(const Tensor&, const Tensor&, int64_t) { no_cuda("bincount"); }
void histc_kernel(const Tensor&, int64_t, double, double, const Tensor&) { no_cuda("histc"); }

}  // namespace cresset::cuda
