// The index family's order-dependent kernels on CUDA (masked_select, masked_scatter_, nonzero) and
// searchsorted, with the contracts of backend/cpu/index_decls.inc. The op splits the row-major
// range into `chunks` and hands each chunk's count; here one block takes one chunk and compacts
// it tile by tile with a block-wide prefix sum, so elements keep their row-major order.
#include <vector>

#include "cresset/backend/common/word.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

constexpr int kScanThreads = 256;
constexpr int kMaxScanDims = 16;

// Row-major positions of up to two same-shape tensors: the byte offsets of linear index i.
struct RowMajorWalk {
  int ndim;
  int64_t sizes[kMaxScanDims];
  int64_t strides[2][kMaxScanDims];

  __device__ void offsets(int64_t i, int64_t* o0, int64_t* o1) const {
    int64_t a = 0, b = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t q = i % sizes[d];
      i /= sizes[d];
      a += q * strides[0][d];
      b += q * strides[1][d];
    }
    *o0 = a;
    *o1 = b;
  }
};

RowMajorWalk walk_of(const char* op, const Tensor& a, const Tensor* b) {
  CRESSET_CHECK(a.dim() <= kMaxScanDims, NotImplementedError, "[", op,
                "] CUDA kernels take at most ", kMaxScanDims, " dims; got ", a.dim());
  RowMajorWalk w{};
  w.ndim = int(a.dim());
  for (int d = 0; d < w.ndim; ++d) {
    w.sizes[d] = a.size(d);
    w.strides[0][d] = a.stride(d) * a.itemsize();
    w.strides[1][d] = b ? b->stride(d) * b->itemsize() : 0;
  }
  return w;
}

__device__ __forceinline__ int64_t chunk_begin(int64_t n, int64_t c, int64_t chunks) {
  return n * c / chunks;
}

// -0.0 counts as zero and NaN as nonzero, like torch.
template <typename T>
__device__ __forceinline__ bool is_nonzero(const char* p) {
  return opmath_t<T>(*reinterpret_cast<const T*>(p)) != opmath_t<T>(0);
}

template <typename T>
__global__ void __launch_bounds__(kScanThreads)
    count_nonzero_cuda(const char* base, RowMajorWalk w, int64_t n, int64_t chunks,
                       int64_t* counts) {
  __shared__ int64_t part[kScanThreads];
  const int64_t c = blockIdx.x, b = chunk_begin(n, c, chunks), e = chunk_begin(n, c + 1, chunks);
  int64_t count = 0;
  for (int64_t i = b + threadIdx.x; i < e; i += kScanThreads) {
    int64_t o, unused;
    w.offsets(i, &o, &unused);
    count += is_nonzero<T>(base + o);
  }
  part[threadIdx.x] = count;
  __syncthreads();
  for (int h = kScanThreads / 2; h > 0; h /= 2) {
    if (int(threadIdx.x) < h) part[threadIdx.x] += part[threadIdx.x + h];
    __syncthreads();
  }
  if (threadIdx.x == 0) counts[c] = part[0];
}

// Calls emit(i, rank) for each i in this block's chunk where pred(i) holds, rank counting from
// starts[chunk] in row-major order.
template <typename Pred, typename Emit>
__device__ void compact_chunk(int64_t n, int64_t chunks, const int64_t* starts, const Pred& pred,
                              const Emit& emit) {
  __shared__ int64_t scan[kScanThreads];
  const int64_t c = blockIdx.x, b = chunk_begin(n, c, chunks), e = chunk_begin(n, c + 1, chunks);
  int64_t base = starts[c];
  for (int64_t t0 = b; t0 < e; t0 += kScanThreads) {
    const int64_t i = t0 + threadIdx.x;
    const bool flag = i < e && pred(i);
    scan[threadIdx.x] = flag;
    __syncthreads();
    for (int off = 1; off < kScanThreads; off *= 2) {  // inclusive prefix sum
      const int64_t v = int(threadIdx.x) >= off ? scan[threadIdx.x - off] : 0;
      __syncthreads();
      scan[threadIdx.x] += v;
      __syncthreads();
    }
    if (flag) emit(i, base + scan[threadIdx.x] - 1);
    base += scan[kScanThreads - 1];
    __syncthreads();
  }
}

// The exclusive prefix sums of the chunk counts, on `device`: where each chunk writes.
Tensor chunk_starts(const int64_t* counts, int64_t chunks, int device) {
  Tensor host = empty_tensor({chunks}, DType::Int64, Device());
  int64_t acc = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    host.data<int64_t>()[c] = acc;
    acc += counts[c];
  }
  Tensor d = empty_tensor({chunks}, DType::Int64, Device(DeviceType::CUDA, device));
  copy_into(d, host);
  return d;
}

char* bytes(const Tensor& t) { return static_cast<char*>(t.raw_data()); }

// The masked elements of self and the packed 1-D `packed` (byte stride packed_stride), paired in
// row-major order: masked_select copies self into packed, masked_scatter_ (to_self) back.
template <typename B>
__global__ void __launch_bounds__(kScanThreads)
    masked_copy_cuda(char* self, char* packed, int64_t packed_stride, const char* mask,
                     RowMajorWalk w, int64_t n, int64_t chunks, const int64_t* starts,
                     bool to_self) {
  compact_chunk(
      n, chunks, starts,
      [&](int64_t i) {
        int64_t o0, o1;
        w.offsets(i, &o0, &o1);
        return *reinterpret_cast<const bool*>(mask + o1);
      },
      [&](int64_t i, int64_t k) {
        int64_t o0, o1;
        w.offsets(i, &o0, &o1);
        B* s = reinterpret_cast<B*>(self + o0);
        B* p = reinterpret_cast<B*>(packed + k * packed_stride);
        if (to_self) {
          *s = *p;
        } else {
          *p = *s;
        }
      });
}

// Runs masked_copy_cuda for `op` (see there).
void masked_copy(const char* op, const Tensor& self, const Tensor& mask, const Tensor& packed,
                 int64_t packed_stride, const int64_t* counts, int64_t chunks, bool to_self) {
  const int device = self.device().index;
  const RowMajorWalk w = walk_of(op, self, &mask);
  const Tensor starts = chunk_starts(counts, chunks, device);
  DeviceGuard guard(device);
  dispatch_width(op, self.itemsize(), [&](auto width) {
    using B = typename decltype(width)::type;
    masked_copy_cuda<B><<<unsigned(chunks), kScanThreads, 0, stream_of(device)>>>(
        bytes(self), bytes(packed), packed_stride, bytes(mask), w, self.numel(), chunks,
        starts.data<int64_t>(), to_self);
  });
  check_launch(op);
}

template <typename T>
__global__ void __launch_bounds__(kScanThreads)
    nonzero_cuda(int64_t* out, int64_t row_stride, int64_t col_stride, const char* self,
                 RowMajorWalk w, int64_t n, int64_t chunks, const int64_t* starts) {
  compact_chunk(
      n, chunks, starts,
      [&](int64_t i) {
        int64_t o0, o1;
        w.offsets(i, &o0, &o1);
        return is_nonzero<T>(self + o0);
      },
      [&](int64_t i, int64_t k) {
        int64_t* row = out + k * row_stride;
        for (int d = w.ndim - 1; d >= 0; --d) {  // unravel the row-major position
          row[d * col_stride] = i % w.sizes[d];
          i /= w.sizes[d];
        }
      });
}

template <typename T, typename Out>
__global__ void __launch_bounds__(kScanThreads)
    searchsorted_cuda(Out* out, const T* seq, const T* vals, const int64_t* order, int64_t n,
                      int64_t len, int64_t per_row, bool right) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = per_row == 0 ? 0 : i / per_row;
    out[i] = Out(
        sorted_search(seq + row * len, order ? order + row * len : nullptr, len, vals[i], right));
  }
}

}  // namespace

void count_nonzero_kernel(const Tensor& t, int64_t chunks, int64_t* counts) {
  const int device = t.device().index;
  const RowMajorWalk w = walk_of("nonzero", t, nullptr);
  Tensor d = empty_tensor({chunks}, DType::Int64, Device(DeviceType::CUDA, device));
  DeviceGuard guard(device);
  CRESSET_DISPATCH_ALL("nonzero", t.dtype(), [&] {
    count_nonzero_cuda<scalar_t><<<unsigned(chunks), kScanThreads, 0, stream_of(device)>>>(
        bytes(t), w, t.numel(), chunks, d.data<int64_t>());
  });
  check_launch("nonzero");
  Tensor host = empty_tensor({chunks}, DType::Int64, Device());
  copy_into(host, d);
  for (int64_t c = 0; c < chunks; ++c) counts[c] = host.data<int64_t>()[c];
}

void masked_select_kernel(const Tensor& out, const Tensor& self, const Tensor& mask,
                          const int64_t* counts, int64_t chunks) {
  const int64_t out_stride = out.dim() == 0 ? 0 : out.stride(0) * out.itemsize();
  masked_copy("masked_select", self, mask, out, out_stride, counts, chunks, false);
}

void masked_scatter_kernel(const Tensor& self, const Tensor& mask, const Tensor& source,
                           const int64_t* counts, int64_t chunks) {
  masked_copy("masked_scatter_", self, mask, source, source.itemsize(), counts, chunks, true);
}

void nonzero_kernel(const Tensor& out, const Tensor& self, const int64_t* counts, int64_t chunks) {
  const int device = self.device().index;
  const RowMajorWalk w = walk_of("nonzero", self, nullptr);
  const Tensor starts = chunk_starts(counts, chunks, device);
  const int64_t row_stride = out.stride(0), col_stride = self.dim() > 0 ? out.stride(1) : 0;
  DeviceGuard guard(device);
  CRESSET_DISPATCH_ALL("nonzero", self.dtype(), [&] {
    nonzero_cuda<scalar_t><<<unsigned(chunks), kScanThreads, 0, stream_of(device)>>>(
        out.data<int64_t>(), row_stride, col_stride, bytes(self), w, self.numel(), chunks,
        starts.data<int64_t>());
  });
  check_launch("nonzero");
}

void searchsorted_kernel(const Tensor& out, const Tensor& sorted, const Tensor& values,
                         const Tensor& sorter, bool right) {
  // Every operand is contiguous; one row of `sorted` serves values.size(-1) consecutive values.
  const int64_t len = sorted.dim() == 0 ? 1 : sorted.sizes().back();
  const int64_t per_row = sorted.dim() <= 1 ? values.numel() : values.sizes().back();
  const int64_t n = values.numel();
  if (n == 0) return;
  const int64_t* order = sorter.defined() ? sorter.data<int64_t>() : nullptr;
  const int device = values.device().index;
  int64_t blocks = (n + kScanThreads - 1) / kScanThreads;
  blocks = blocks > kMaxBlocks ? kMaxBlocks : blocks;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  CRESSET_DISPATCH_NUMERIC("searchsorted", values.dtype(), [&] {
    const scalar_t* seq = sorted.data<scalar_t>();
    const scalar_t* vals = values.data<scalar_t>();
    if (out.dtype() == DType::Int32) {
      searchsorted_cuda<scalar_t, int32_t><<<unsigned(blocks), kScanThreads, 0, stream>>>(
          out.data<int32_t>(), seq, vals, order, n, len, per_row, right);
    } else {
      searchsorted_cuda<scalar_t, int64_t><<<unsigned(blocks), kScanThreads, 0, stream>>>(
          out.data<int64_t>(), seq, vals, order, n, len, per_row, right);
    }
  });
  check_launch("searchsorted");
}

}  // namespace cresset::cuda::impl
