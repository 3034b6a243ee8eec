#pragma once
// cresset's own GEMM: C = alpha * A @ B + beta * C over batches of strided matrices, with no
// external BLAS. The blocked algorithm and its micro-kernels live in gemm_kernels.cpp (see
// Note [GEMM blocking]); this header is what the ops call.
#include <cstdint>

#include "cresset/core/dtype.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// A batch of products C[b] = alpha * A[b] @ B[b] + beta * C[b]. Element (i, j) of A[b] lives at
/// `a + a_off[b] + i * a_rs + j * a_cs` (all in elements, any strides including 0 and negative
/// offsets into a larger storage); likewise for B (k x n) and C (m x n). A null offset array means
/// every batch starts at offset 0. When beta is 0, C is only written (NaNs in it are ignored).
struct GemmProblem {
  DType dtype = DType::Float32;  // Float32, Float64 or Int64 (integers wrap around like torch's)
  int64_t m = 0, n = 0, k = 0;
  int64_t batch = 1;
  const void* a = nullptr;
  const int64_t* a_off = nullptr;
  int64_t a_rs = 0, a_cs = 0;
  const void* b = nullptr;
  const int64_t* b_off = nullptr;
  int64_t b_rs = 0, b_cs = 0;
  void* c = nullptr;
  const int64_t* c_off = nullptr;
  int64_t c_rs = 0, c_cs = 0;
  Scalar alpha = Scalar(int64_t(1));
  Scalar beta = Scalar(int64_t(0));
};

/// Runs `p` with the best micro-kernel of this CPU, split across the thread pool. Each element of C
/// is computed by the same sequence of operations whatever the number of threads.
void gemm(const GemmProblem& p);

/// c = alpha * a @ b + beta * c for CPU tensors a [..., m, k], b [..., k, n], c [..., m, n] with
/// equal batch dims (a and b may broadcast them with stride 0) and one dtype among Float32,
/// Float64 and Int64. c must not overlap a or b.
void batched_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta);

}  // namespace cresset::cpu
