#pragma once
// CUDA kernels of the reduce family, one per CPU kernel (backend/cpu/reduce_kernels.h and
// backend/cpu/sort.h, same contracts). Defined in backend/cuda when the CUDA toolkit is found,
// otherwise by backend/no_cuda/reduce_stubs.cpp, whose versions throw.
#include "cresset/backend/common/reduce_plan.h"

namespace cresset::cuda {

void reduce_kernel(const ReducePlan& plan, const ReduceCall& call);
void scan_kernel(const ScanCall& call);
void sort_kernel(const Tensor& in, int64_t dim, bool descending, const Tensor& values,
                 const Tensor& indices);
void topk_kernel(const Tensor& in, int64_t k, int64_t dim, bool largest, const Tensor& values,
                 const Tensor& indices);
void select_kernel(const Tensor& in, int64_t dim, SelectKind kind, int64_t k, const Tensor& values,
                   const Tensor& indices);
UniqueResult unique_kernel(const Tensor& flat, bool consecutive);
UniqueResult unique_rows_kernel(const Tensor& rows, bool consecutive);
Tensor bincount_kernel(const Tensor& in, const Tensor& weights, int64_t minlength);
void histc_kernel(const Tensor& in, int64_t bins, double lo, double hi, const Tensor& out);

}  // namespace cresset::cuda
