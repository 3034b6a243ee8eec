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

// Scans (the reduce family; reduce.cu has reductions, sort.cu, unique.cu and histogram.cu the
// sort family).
void scan_kernel(const ScanCall&) { missing("scan"); }

// Resampling (upsample, interpolate).
void resample_kernel(const Tensor&, const Tensor&, const ResamplePlan&) { missing("upsample"); }
void resample_backward_kernel(const Tensor&, const Tensor&, const ResamplePlan&) {
  missing("upsample_backward");
}

// The view family's copying ops.
void tril_triu(const Tensor&, const Tensor&, int64_t, bool lower) {
  missing(lower ? "tril" : "triu");
}
void gather_slices(const Tensor&, const Tensor&, int64_t, const Tensor&) {
  missing("repeat_interleave");
}

}  // namespace cresset::cuda::impl
