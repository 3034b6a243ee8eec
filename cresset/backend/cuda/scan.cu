// The scan engine on CUDA (cumsum, cumprod, cummax, cummin, logcumsumexp): the ops of
// backend/common/scan_ops.h over the [outer, n, inner] lines of a ScanCall.
//
// Note [CUDA chunked scan]
// One thread scans one line in order with op.update, as the CPU does, when there are enough
// lines to fill the GPU. Otherwise each line is cut into chunks, one thread each: a first pass
// stores each chunk's total, the totals (an [outer, chunks, inner] problem of accumulators) are
// scanned in place by the same engine with op.combine, and a second pass scans each chunk
// starting from the running total of the chunks before it. Threads run the inner dim fastest, so
// loads coalesce whenever inner is large; with chunks, results differ from the CPU's only by the
// association of the accumulator (exact for integers and for cummax/cummin).
#include <algorithm>
#include <type_traits>

#include "cresset/backend/common/scan_ops.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

using namespace scan_ops;

// Below this many lines, lines are cut into chunks of at least kMinChunk elements.
constexpr int64_t kTargetThreads = int64_t(1) << 17;
constexpr int64_t kMinChunk = 16;

struct ScanShape {
  int64_t outer, n, inner;
  int64_t chunk, chunks;  // elements per chunk (the last may have fewer), chunks per line
};

// Where a level's results go: the op's outputs (values and indices), or the accumulators
// themselves when the level scans chunk totals.
template <class Op>
struct OpStore {
  typename Op::in_t* values;
  int64_t* indices;
  __device__ __forceinline__ void operator()(const Op& op, int64_t off,
                                             const typename Op::acc_t& a) const {
    op.store(values, indices, off, a);
  }
};

template <class Op>
struct AccStore {
  typename Op::acc_t* acc;
  __device__ __forceinline__ void operator()(const Op&, int64_t off,
                                             const typename Op::acc_t& a) const {
    acc[off] = a;
  }
};

// One thread per (line, chunk): t = (o * chunks + c) * inner + j. With `totals`, stores the
// chunk's total at totals[t]; otherwise scans the chunk from carry[t - inner] (the inclusive total
// of the chunks before it; identity for the first chunk or without carry) into `store`.
// kAccIn: the input holds accumulators (a level scanning chunk totals), folded with combine.
template <class Op, bool kAccIn, class In, class Store>
__global__ void __launch_bounds__(kBlockThreads)
    scan_chunks(Op op, const In* in, Store store, typename Op::acc_t* totals,
                const typename Op::acc_t* carry, ScanShape s) {
  using Acc = typename Op::acc_t;
  const int64_t total = s.outer * s.chunks * s.inner;
  CRESSET_GRID_STRIDE(t, total) {
    const int64_t j = t % s.inner, r = t / s.inner;
    const int64_t c = r % s.chunks, o = r / s.chunks;
    const int64_t begin = c * s.chunk;
    const int64_t end = begin + s.chunk < s.n ? begin + s.chunk : s.n;
    Acc a = (carry != nullptr && c > 0) ? carry[t - s.inner] : op.identity();
    int64_t off = (o * s.n + begin) * s.inner + j;
    for (int64_t i = begin; i < end; ++i, off += s.inner) {
      if constexpr (kAccIn) {
        a = op.combine(a, in[off]);
      } else {
        a = op.update(a, in[off], i);
      }
      if (totals == nullptr) store(op, off, a);
    }
    if (totals != nullptr) totals[t] = a;
  }
}

// Scans the [outer, n, inner] lines of `in` into `store` (see Note [CUDA chunked scan]).
template <class Op, bool kAccIn, class In, class Store>
void scan_level(const char* name, const Op& op, const In* in, Store store, int64_t outer, int64_t n,
                int64_t inner, int device, cudaStream_t stream) {
  using Acc = typename Op::acc_t;
  const int64_t lines = outer * inner;
  int64_t chunks = 1;
  if (lines < kTargetThreads && n > kMinChunk) {
    chunks = std::min((n + kMinChunk - 1) / kMinChunk, (kTargetThreads + lines - 1) / lines);
  }
  const int64_t chunk = (n + chunks - 1) / chunks;
  chunks = (n + chunk - 1) / chunk;
  const ScanShape s{outer, n, inner, chunk, chunks};
  const int64_t threads = lines * chunks;
  if (chunks == 1) {
    scan_chunks<Op, kAccIn, In, Store>
        <<<blocks_for(threads), kBlockThreads, 0, stream>>>(op, in, store, nullptr, nullptr, s);
    check_launch(name);
    return;
  }
  // The chunk totals, scanned in place, are the carries of the second pass. The buffer is freed
  // in stream order after the launches below.
  Tensor buf = empty_tensor({threads * int64_t(sizeof(Acc))}, DType::UInt8,
                            Device(DeviceType::CUDA, device));
  Acc* totals = reinterpret_cast<Acc*>(buf.raw_data());
  scan_chunks<Op, kAccIn, In, Store>
      <<<blocks_for(threads), kBlockThreads, 0, stream>>>(op, in, store, totals, nullptr, s);
  check_launch(name);
  scan_level<Op, true, Acc, AccStore<Op>>(name, op, totals, AccStore<Op>{totals}, outer, chunks,
                                          inner, device, stream);
  scan_chunks<Op, kAccIn, In, Store>
      <<<blocks_for(threads), kBlockThreads, 0, stream>>>(op, in, store, nullptr, totals, s);
  check_launch(name);
}

template <class Op>
void run_scan(const char* name, const Op& op, const ScanCall& c) {
  using T = typename Op::in_t;
  // The call carries pointers only: the output's device is the one to run on.
  cudaPointerAttributes attr{};
  check(cudaPointerGetAttributes(&attr, c.out[0]), name);
  const int device = attr.device;
  DeviceGuard guard(device);
  const OpStore<Op> store{static_cast<T*>(c.out[0]), static_cast<int64_t*>(c.out[1])};
  scan_level<Op, false, T, OpStore<Op>>(name, op, static_cast<const T*>(c.in), store, c.outer, c.n,
                                        c.inner, device, stream_of(device));
}

}  // namespace

void scan_kernel(const ScanCall& c) {
  if (c.outer == 0 || c.n == 0 || c.inner == 0) return;
  switch (c.kind) {
    case ScanKind::CumSum:
      CRESSET_DISPATCH_NUMERIC("cumsum", c.dtype,
                               [&] { run_scan("cumsum", CumSumOp<scalar_t>{}, c); });
      break;
    case ScanKind::CumProd:
      CRESSET_DISPATCH_NUMERIC("cumprod", c.dtype,
                               [&] { run_scan("cumprod", CumProdOp<scalar_t>{}, c); });
      break;
    case ScanKind::CumMax:
      CRESSET_DISPATCH_ALL("cummax", c.dtype,
                           [&] { run_scan("cummax", CumExtremeOp<scalar_t, true>{}, c); });
      break;
    case ScanKind::CumMin:
      CRESSET_DISPATCH_ALL("cummin", c.dtype,
                           [&] { run_scan("cummin", CumExtremeOp<scalar_t, false>{}, c); });
      break;
    case ScanKind::LogCumSumExp:
      CRESSET_DISPATCH_FLOAT("logcumsumexp", c.dtype,
                             [&] { run_scan("logcumsumexp", LogCumSumExpOp<scalar_t>{}, c); });
      break;
  }
}

}  // namespace cresset::cuda::impl
