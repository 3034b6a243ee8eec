// The reduction engine on CUDA (see Note [Reduction plan]): the same ops as the CPU engine
// (backend/cpu/reduce_ops.h, host+device), one thread block per output element. Each thread
// folds a strided share of the reduced elements with op.update, then the block combines the
// partial accumulators as a tree in shared memory (order-independent for the arg ops' ties).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cresset/backend/cuda/cuda_check.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

#include "cresset/backend/cpu/reduce_ops.h"

constexpr int kReduceThreads = 256;
constexpr int kMaxReduceDims = 25;
constexpr int64_t kMaxReduceBlocks = int64_t(1) << 20;

// The plan's sizes and strides (elements), passed by value to the kernel.
struct ReduceGeometry {
  int nkept, nred;
  int64_t kept_sizes[kMaxReduceDims], kept_in[kMaxReduceDims], kept_out[kMaxReduceDims];
  int64_t red_sizes[kMaxReduceDims], red_strides[kMaxReduceDims];
  int64_t num_outputs, reduce_size;
};

// The offset of linear index i over dims (innermost first) with the given strides.
__device__ __forceinline__ int64_t unravel(int64_t i, int n, const int64_t* sizes,
                                           const int64_t* strides) {
  if (n == 1) return i * strides[0];
  int64_t off = 0;
  for (int d = 0; d < n; ++d) {
    off += (i % sizes[d]) * strides[d];
    i /= sizes[d];
  }
  return off;
}

template <class Op>
__global__ void __launch_bounds__(kReduceThreads)
    reduce_blocks(Op op, ReduceGeometry g, const typename Op::in_t* in, char* out0, char* out1) {
  using Acc = typename Op::acc_t;
  __shared__ alignas(16) unsigned char smem[kReduceThreads * sizeof(Acc)];
  Acc* part = reinterpret_cast<Acc*>(smem);
  char* const out[2] = {out0, out1};
  for (int64_t o = blockIdx.x; o < g.num_outputs; o += gridDim.x) {
    const typename Op::in_t* base = in + unravel(o, g.nkept, g.kept_sizes, g.kept_in);
    Acc a = op.identity();
    for (int64_t i = threadIdx.x; i < g.reduce_size; i += blockDim.x) {
      a = op.update(a, base[unravel(i, g.nred, g.red_sizes, g.red_strides)], i);
    }
    part[threadIdx.x] = a;
    __syncthreads();
    for (int s = kReduceThreads / 2; s > 0; s >>= 1) {
      if (int(threadIdx.x) < s) {
        part[threadIdx.x] = op.combine(part[threadIdx.x], part[threadIdx.x + s]);
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) op.store(out, unravel(o, g.nkept, g.kept_sizes, g.kept_out), part[0]);
    __syncthreads();
  }
}

template <class Op>
void run(const char* name, const Op& op, const ReducePlan& p, const ReduceCall& c) {
  if (p.num_outputs == 0) return;
  ReduceGeometry g{};
  g.nkept = int(p.kept_sizes.size());
  g.nred = int(p.red_sizes.size());
  CRESSET_CHECK(g.nkept <= kMaxReduceDims && g.nred <= kMaxReduceDims, NotImplementedError, "[",
                name, "] CUDA reductions take at most ", kMaxReduceDims, " dims");
  for (int d = 0; d < g.nkept; ++d) {
    g.kept_sizes[d] = p.kept_sizes[d];
    g.kept_in[d] = p.kept_in_strides[d];
    g.kept_out[d] = p.kept_out_strides[d];
  }
  for (int d = 0; d < g.nred; ++d) {
    g.red_sizes[d] = p.red_sizes[d];
    g.red_strides[d] = p.red_strides[d];
  }
  g.num_outputs = p.num_outputs;
  g.reduce_size = p.reduce_size;
  if (g.nkept == 0) {  // a full reduction: one output at offset 0
    g.nkept = 1;
    g.kept_sizes[0] = 1;
  }
  if (g.nred == 0) {
    g.nred = 1;
    g.red_sizes[0] = 1;
  }
  // The call carries pointers only: the output's device is the one to run on (the input of an
  // empty reduction has no memory; the output never is empty here).
  cudaPointerAttributes attr{};
  check(cudaPointerGetAttributes(&attr, c.out[0]), name);
  const int device = attr.device;
  DeviceGuard guard(device);
  int64_t blocks = std::min(p.num_outputs, kMaxReduceBlocks);
  reduce_blocks<Op><<<unsigned(blocks), kReduceThreads, 0, stream_of(device)>>>(
      op, g, static_cast<const typename Op::in_t*>(c.in), static_cast<char*>(c.out[0]),
      static_cast<char*>(c.out[1]));
  check_launch(name);
}

template <class T>
void run_norm(const ReducePlan& p, const ReduceCall& c) {
  using M = opmath_t<T>;
  M pv = M(c.param);
  switch (c.norm) {
    case NormKind::One:
      return run("norm", NormOp<T, NormKind::One>{pv}, p, c);
    case NormKind::Two:
      return run("norm", NormOp<T, NormKind::Two>{pv}, p, c);
    case NormKind::Inf:
      return run("norm", NormOp<T, NormKind::Inf>{pv}, p, c);
    case NormKind::NegInf:
      return run("norm", NormOp<T, NormKind::NegInf>{pv}, p, c);
    default:
      return run("norm", NormOp<T, NormKind::General>{pv}, p, c);
  }
}

}  // namespace

// The compute dtypes of each kind (reduce_compute_dtype), as in backend/cpu/reduce_kernels.cpp.
#define CRESSET_CUDA_CASES_SUM(...)                  \
  CRESSET_CASES_BOOL(__VA_ARGS__)                    \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__) \
  CRESSET_CASES_FLOAT(__VA_ARGS__)
#define CRESSET_CUDA_CASES_MINMAX(...)               \
  CRESSET_DISPATCH_CASE(uint8_t, UInt8, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__) \
  CRESSET_CASES_FLOAT(__VA_ARGS__)
#define CRESSET_CUDA_CASES_F32_F64(...)              \
  CRESSET_DISPATCH_CASE(float, Float32, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(double, Float64, __VA_ARGS__)
#define CRESSET_CUDA_CASES_I64_F32_F64(...)          \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__) \
  CRESSET_CUDA_CASES_F32_F64(__VA_ARGS__)

void reduce_kernel(const ReducePlan& p, const ReduceCall& c) {
  auto floats = [&](const char* op, auto body) {
    CRESSET_DISPATCH_IMPL(op, c.dtype, CRESSET_CUDA_CASES_F32_F64, [&] { body(scalar_t()); });
  };
  auto numbers = [&](const char* op, auto body) {
    CRESSET_DISPATCH_IMPL(op, c.dtype, CRESSET_CUDA_CASES_I64_F32_F64, [&] { body(scalar_t()); });
  };
  switch (c.kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      CRESSET_DISPATCH_IMPL("sum", c.dtype, CRESSET_CUDA_CASES_SUM, [&] {
        SumOp<scalar_t> op;
        op.mean = c.kind == ReduceKind::Mean;
        op.count = p.reduce_size;
        run("sum", op, p, c);
      });
      break;
    case ReduceKind::Max:
      CRESSET_DISPATCH_IMPL("max", c.dtype, CRESSET_CUDA_CASES_MINMAX,
                            [&] { run("max", MinMaxOp<scalar_t, true>{}, p, c); });
      break;
    case ReduceKind::Min:
      CRESSET_DISPATCH_IMPL("min", c.dtype, CRESSET_CUDA_CASES_MINMAX,
                            [&] { run("min", MinMaxOp<scalar_t, false>{}, p, c); });
      break;
    case ReduceKind::NanSum:
      floats("nansum", [&](auto t) { run("nansum", NanSumOp<decltype(t)>{}, p, c); });
      break;
    case ReduceKind::NanMean:
      floats("nanmean", [&](auto t) { run("nanmean", NanMeanOp<decltype(t)>{}, p, c); });
      break;
    case ReduceKind::Prod:
      numbers("prod", [&](auto t) { run("prod", ProdOp<decltype(t)>{}, p, c); });
      break;
    case ReduceKind::AMinMax:
      numbers("aminmax", [&](auto t) { run("aminmax", AMinMaxOp<decltype(t)>{}, p, c); });
      break;
    case ReduceKind::ArgMax:
      numbers("argmax", [&](auto t) { run("argmax", ArgOp<decltype(t), true>{}, p, c); });
      break;
    case ReduceKind::ArgMin:
      numbers("argmin", [&](auto t) { run("argmin", ArgOp<decltype(t), false>{}, p, c); });
      break;
    case ReduceKind::All:
      run("all", LogicalOp<bool, true>{}, p, c);
      break;
    case ReduceKind::Any:
      run("any", LogicalOp<bool, false>{}, p, c);
      break;
    case ReduceKind::Norm:
      floats("norm", [&](auto t) { run_norm<decltype(t)>(p, c); });
      break;
    case ReduceKind::Var:
      floats("var", [&](auto t) { run("var", VarOp<decltype(t)>{c.param, c.take_sqrt}, p, c); });
      break;
    case ReduceKind::LogSumExp:
      floats("logsumexp", [&](auto t) { run("logsumexp", LogSumExpOp<decltype(t)>{}, p, c); });
      break;
  }
}

}  // namespace cresset::cuda::impl
