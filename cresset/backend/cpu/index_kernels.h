#pragma once
// CPU kernels of the index family. The memory-bound gathers and scatters are compiled once per
// capability (index_decls.inc, see Note [CPU capability dispatch]); the binary searches and index
// scans in index_scan.cpp gain nothing from wide vectors and are compiled once.
#include "cresset/backend/common/index_params.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/scalar.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/index_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/index_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/index_decls.inc"
}

/// True when some element of `index` (int64) lies outside [lo, hi); `bad` receives one of them.
bool find_out_of_range(const Tensor& index, int64_t lo, int64_t hi, int64_t* bad);
/// out[...] = the insertion position of each value in its row of `sorted` (same dtype as values;
/// rows are the last dim, a 1-D `sorted` serves every value). `sorter` (int64 or undefined)
/// orders each row. right: the last position instead of the first.
void searchsorted_kernel(const Tensor& out, const Tensor& sorted, const Tensor& values,
                         const Tensor& sorter, bool right);
/// Operands (offsets, index): offsets += index * stride, a negative index first wrapped by size.
void index_offsets_kernel(TensorIter& it, int64_t size, int64_t stride);
/// Operands (out, index), int64: out = index modulo size, in [0, size).
void modulo_index_kernel(TensorIter& it, int64_t size);
/// Operands (self, count): self /= count where count is nonzero (floor division for integers).
void scatter_mean_kernel(TensorIter& it);

}  // namespace cresset::cpu
