#pragma once
// cuBLAS as backend/cuda sees it, without its headers (see Note [cuBLAS loading]).
#include <cstdint>

#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

/// One strided-batched, column-major GEMM in cuBLAS's terms: C[i] = alpha * op(A[i]) @ op(B[i]) +
/// beta * C[i], C m x n with leading dim ldc; op(A) is m x k, op(B) k x n. Float32, Float64,
/// Float16 or BFloat16 (all three operands in that dtype).
struct BlasGemm {
  DType dtype = DType::Float32;
  bool trans_a = false, trans_b = false;
  int m = 0, n = 0, k = 0, batch = 1;
  const void* a = nullptr;
  int lda = 1;
  int64_t stride_a = 0;
  const void* b = nullptr;
  int ldb = 1;
  int64_t stride_b = 0;
  void* c = nullptr;
  int ldc = 1;
  int64_t stride_c = 0;
  double alpha = 1, beta = 0;
};

/// True when cuBLAS is loaded and enabled: blas_gemm may be called.
bool cublas_ready();
/// Runs `g` on the current stream of `device` (throws RuntimeError naming `op` on failure).
void blas_gemm(const char* op, const BlasGemm& g, int device);

}  // namespace cresset::cuda::impl
