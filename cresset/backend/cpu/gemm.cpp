#include "cresset/backend/cpu/gemm.h"

#include <utility>
#include <vector>

#include "cresset/backend/cpu/gemm_kernels.h"
#include "cresset/core/error.h"

namespace cresset::cpu {

void gemm(const GemmProblem& problem) {
  CRESSET_CHECK(problem.dtype == DType::Float32 || problem.dtype == DType::Float64 ||
                    problem.dtype == DType::Int64,
                RuntimeError, "[gemm] unsupported dtype ", dtype_name(problem.dtype));
  if (problem.m == 0 || problem.n == 0 || problem.batch == 0) return;
  // The micro-kernels store rows of C with vector instructions; a column-major C is the row-major
  // C^T = B^T A^T, computed with the roles of A and B swapped (same products, same rounding).
  GemmProblem p = problem;
  if (p.c_cs != 1 && p.c_rs == 1) {
    std::swap(p.m, p.n);
    std::swap(p.a, p.b);
    std::swap(p.a_off, p.b_off);
    p.a_rs = problem.b_cs;
    p.a_cs = problem.b_rs;
    p.b_rs = problem.a_cs;
    p.b_cs = problem.a_rs;
    std::swap(p.c_rs, p.c_cs);
  }
  CRESSET_CPU_DISPATCH(gemm_kernel, p);
}

void batched_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta) {
  const int64_t nb = c.dim() - 2;
  GemmProblem p;
  p.dtype = c.dtype();
  p.m = c.size(-2);
  p.n = c.size(-1);
  p.k = a.size(-1);
  p.a = a.raw_data();
  p.a_rs = a.stride(-2);
  p.a_cs = a.stride(-1);
  p.b = b.raw_data();
  p.b_rs = b.stride(-2);
  p.b_cs = b.stride(-1);
  p.c = c.raw_data();
  p.c_rs = c.stride(-2);
  p.c_cs = c.stride(-1);
  p.alpha = alpha;
  p.beta = beta;
  // Offsets of each batch's matrices, walking the batch dims like an odometer.
  std::vector<int64_t> offsets;
  p.batch = 1;
  for (int64_t d = 0; d < nb; ++d) p.batch *= c.size(d);
  if (p.batch > 1) {
    offsets.assign(3 * size_t(p.batch), 0);
    DimVector index(size_t(nb), 0);
    int64_t oa = 0, ob = 0, oc = 0;
    for (int64_t i = 0; i < p.batch; ++i) {
      offsets[i] = oa;
      offsets[p.batch + i] = ob;
      offsets[2 * p.batch + i] = oc;
      for (int64_t d = nb - 1; d >= 0; --d) {
        oa += a.stride(d);
        ob += b.stride(d);
        oc += c.stride(d);
        if (++index[d] < c.size(d)) break;
        oa -= a.stride(d) * c.size(d);
        ob -= b.stride(d) * c.size(d);
        oc -= c.stride(d) * c.size(d);
        index[d] = 0;
      }
    }
    p.a_off = offsets.data();
    p.b_off = offsets.data() + p.batch;
    p.c_off = offsets.data() + 2 * p.batch;
  }
  gemm(p);
}

}  // namespace cresset::cpu
