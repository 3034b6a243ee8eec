// The sort family on CUDA: sort, topk and the selections (kthvalue, median, nanmedian, mode), with
// the contracts of backend/cpu/sort.h and the same results, ties and NaNs included.
//
// Note [CUDA segmented sort]
// Every line along `dim` is sorted by one device-wide stable radix sort (CUB) of (key, id) pairs,
// where id = line * n + j numbers the elements line by line and the key is the value's order_bits
// (flipped for descending). The line is the key's high part when both fit in 64 bits; otherwise a
// second stable pass sorts the ids by their line. Stability keeps equal values in index order,
// which is the CPU's tie order (Note [Sort order]). topk keeps the first k of each sorted line;
// the selections pick from the sorted line: kthvalue and the medians at a position found with a
// binary search for the first NaN, mode the longest run of equal keys (each run's end found by
// binary search), one block per line. Radix sorting costs O(n) per element bit, whatever the
// lines' lengths, and needs no O(n^2) fallback for long lines.
#include <cub/device/device_radix_sort.cuh>
#include <utility>

#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/sort.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

void radix_sort_pairs(const char* op, int device, Tensor& keys, Tensor& values, int bits) {
  const int64_t n = keys.numel();
  if (n < 2 || bits <= 0) return;
  Tensor keys_alt = device_int64(n, device), values_alt = device_int64(n, device);
  cub::DoubleBuffer<uint64_t> k(static_cast<uint64_t*>(keys.raw_data()),
                                static_cast<uint64_t*>(keys_alt.raw_data()));
  cub::DoubleBuffer<int64_t> v(values.data<int64_t>(), values_alt.data<int64_t>());
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  size_t temp_bytes = 0;
  check(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, k, v, n, 0, bits, stream), op);
  Tensor temp =
      empty_tensor({int64_t(temp_bytes) + 1}, DType::UInt8, Device(DeviceType::CUDA, device));
  check(cub::DeviceRadixSort::SortPairs(temp.raw_data(), temp_bytes, k, v, n, 0, bits, stream), op);
  check_launch(op);
  if (k.selector) std::swap(keys, keys_alt);
  if (v.selector) std::swap(values, values_alt);
}

namespace {

constexpr int kMaxSortDims = 16;

// The lines of a tensor along `dim` and where each line's element sits in the input and in the
// two outputs (their `dim` may be shorter: topk's k, a selection's 1). Strides in elements.
struct Lines {
  int ndim;  // the dims other than `dim`, outermost first
  int64_t sizes[kMaxSortDims];
  int64_t in[kMaxSortDims], out[kMaxSortDims], idx[kMaxSortDims];
  int64_t n;                            // the line length
  int64_t in_step, out_step, idx_step;  // strides along `dim`

  __device__ void offsets(int64_t line, int64_t* i, int64_t* o, int64_t* x) const {
    int64_t a = 0, b = 0, c = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t q = line % sizes[d];
      line /= sizes[d];
      a += q * in[d];
      b += q * out[d];
      c += q * idx[d];
    }
    *i = a;
    *o = b;
    *x = c;
  }
  __device__ int64_t in_offset(int64_t line) const {
    int64_t i, o, x;
    offsets(line, &i, &o, &x);
    return i;
  }
};

// The lines of `in` along dim; `values` and `indices` (either may be undefined) have in's sizes
// except at dim. Also returns the number of lines.
Lines lines_of(const char* op, const Tensor& in, int64_t dim, const Tensor& values,
               const Tensor& indices, int64_t* count) {
  CRESSET_CHECK(in.dim() <= kMaxSortDims + 1, NotImplementedError, "[", op,
                "] CUDA kernels take at most ", kMaxSortDims + 1, " dims; got ", in.dim());
  Lines g{};
  g.n = in.sizes()[dim];
  g.in_step = in.strides()[dim];
  g.out_step = values.defined() ? values.strides()[dim] : 0;
  g.idx_step = indices.defined() ? indices.strides()[dim] : 0;
  int64_t lines = 1;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (d == dim) continue;
    g.sizes[g.ndim] = in.sizes()[d];
    g.in[g.ndim] = in.strides()[d];
    g.out[g.ndim] = values.defined() ? values.strides()[d] : 0;
    g.idx[g.ndim] = indices.defined() ? indices.strides()[d] : 0;
    lines *= in.sizes()[d];
    ++g.ndim;
  }
  *count = lines;
  return g;
}

__device__ __forceinline__ uint64_t low_mask(int bits) {
  return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

// keys[e] = the sort key of element e = line * n + j (with the line above its `ebits` bits when
// `with_line`), ids[e] = e.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    make_keys(const T* in, Lines g, int64_t total, bool descending, int ebits, bool with_line,
              uint64_t* keys, int64_t* ids) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t line = e / g.n, j = e - line * g.n;
    uint64_t b = order_bits(in[g.in_offset(line) + j * g.in_step]);
    if (descending) b = ~b & low_mask(ebits);
    keys[e] = with_line ? (uint64_t(line) << ebits) | b : b;
    ids[e] = e;
  }
}

// keys[i] = the line of element ids[i].
__global__ void __launch_bounds__(kBlockThreads)
    line_keys(const int64_t* ids, int64_t total, int64_t n, uint64_t* keys) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step) {
    keys[i] = uint64_t(ids[i] / n);
  }
}

// The element ids of every line in sorted order, line after line (see Note [CUDA segmented sort]).
template <typename T>
Tensor sorted_ids(const char* op, const Tensor& in, const Lines& g, int64_t lines,
                  bool descending) {
  const int device = in.device().index;
  const int64_t total = lines * g.n;
  const int ebits = order_bit_count<T>(), lbits = bits_for(lines);
  const bool with_line = lbits > 0 && ebits + lbits <= 64;  // lbits == 0: a single line
  Tensor keys = device_int64(total, device), ids = device_int64(total, device);
  {
    DeviceGuard guard(device);
    make_keys<T><<<blocks_for(total), kBlockThreads, 0, stream_of(device)>>>(
        in.data<T>(), g, total, descending, ebits, with_line,
        static_cast<uint64_t*>(keys.raw_data()), ids.data<int64_t>());
    check_launch(op);
  }
  radix_sort_pairs(op, device, keys, ids, with_line ? ebits + lbits : ebits);
  if (!with_line && lines > 1) {
    {
      DeviceGuard guard(device);
      line_keys<<<blocks_for(total), kBlockThreads, 0, stream_of(device)>>>(
          ids.data<int64_t>(), total, g.n, static_cast<uint64_t*>(keys.raw_data()));
      check_launch(op);
    }
    radix_sort_pairs(op, device, keys, ids, lbits);
  }
  return ids;
}

// The first kout sorted elements of every line into the outputs.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    write_sorted(const T* in, Lines g, int64_t lines, int64_t kout, const int64_t* ids, T* values,
                 int64_t* indices) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x, total = lines * kout;
  for (int64_t o = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < total; o += step) {
    const int64_t line = o / kout, r = o - line * kout;
    const int64_t j = ids[line * g.n + r] - line * g.n;
    int64_t io, oo, xo;
    g.offsets(line, &io, &oo, &xo);
    values[oo + r * g.out_step] = in[io + j * g.in_step];
    indices[xo + r * g.idx_step] = j;
  }
}

// One line's sorted elements, read through the ids.
template <typename T>
struct SortedLine {
  const T* in;
  const int64_t* ids;  // this line's
  int64_t base, in_off, in_step;
  __device__ int64_t index(int64_t p) const { return ids[p] - base; }
  __device__ T value(int64_t p) const { return in[in_off + index(p) * in_step]; }
  __device__ uint64_t bits(int64_t p) const { return order_bits(value(p)); }
};

// kthvalue, median and nanmedian: one thread per line picks at the CPU's position.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    select_position(const T* in, Lines g, int64_t lines, const int64_t* ids, SelectKind kind,
                    int64_t k, T* values, int64_t* indices) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x, n = g.n;
  for (int64_t line = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; line < lines; line += step) {
    int64_t io, oo, xo;
    g.offsets(line, &io, &oo, &xo);
    const SortedLine<T> s{in, ids + line * n, line * n, io, g.in_step};
    int64_t pos = k - 1;
    if (kind != SelectKind::Kth) {
      int64_t nans = 0;
      if constexpr (std::is_floating_point_v<opmath_t<T>>) {
        int64_t lo = 0, hi = n;  // NaNs sort last: find the first
        while (lo < hi) {
          const int64_t mid = lo + (hi - lo) / 2;
          const opmath_t<T> v = opmath_t<T>(s.value(mid));
          if (v != v) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        nans = n - lo;
      }
      pos = kind == SelectKind::Median && nans > 0 ? n - nans
            : n - nans > 0                         ? (n - nans - 1) / 2
                                                   : 0;
    }
    values[oo] = s.value(pos);
    if (indices) indices[xo] = s.index(pos);
  }
}

// mode: one block per line finds the longest run of equal keys (the first on ties, so the
// smallest value) and picks its last element, the run's highest index.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    select_mode(const T* in, Lines g, int64_t lines, const int64_t* ids, T* values,
                int64_t* indices) {
  __shared__ int64_t best_len[kBlockThreads], best_start[kBlockThreads];
  const int64_t n = g.n;
  for (int64_t line = blockIdx.x; line < lines; line += gridDim.x) {
    int64_t io, oo, xo;
    g.offsets(line, &io, &oo, &xo);
    const SortedLine<T> s{in, ids + line * n, line * n, io, g.in_step};
    int64_t len = 0, start = n;
    for (int64_t p = threadIdx.x; p < n; p += blockDim.x) {
      const uint64_t b = s.bits(p);
      if (p > 0 && s.bits(p - 1) == b) continue;  // not the start of a run
      int64_t lo = p + 1, hi = n;                 // the run's end: the first larger key
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (s.bits(mid) == b) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo - p > len) {  // p only grows, so a tie keeps the earlier run
        len = lo - p;
        start = p;
      }
    }
    best_len[threadIdx.x] = len;
    best_start[threadIdx.x] = start;
    __syncthreads();
    for (int h = kBlockThreads / 2; h > 0; h /= 2) {
      if (int(threadIdx.x) < h) {
        const int64_t l2 = best_len[threadIdx.x + h], s2 = best_start[threadIdx.x + h];
        const int64_t l1 = best_len[threadIdx.x], s1 = best_start[threadIdx.x];
        if (l2 > l1 || (l2 == l1 && s2 < s1)) {
          best_len[threadIdx.x] = l2;
          best_start[threadIdx.x] = s2;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      const int64_t last = best_start[0] + best_len[0] - 1;
      values[oo] = s.value(last);
      if (indices) indices[xo] = s.index(last);
    }
    __syncthreads();
  }
}

// Runs body(T{}) for every dtype of the sort family.
template <class F>
void dispatch_sort(const char* op, DType t, const F& f) {
  CRESSET_DISPATCH_ALL(op, t, [&] { f(scalar_t()); });
}

// sort and topk: the first kout elements of every sorted line.
void sort_lines(const char* op, const Tensor& in, int64_t dim, bool descending, int64_t kout,
                const Tensor& values, const Tensor& indices) {
  int64_t lines = 0;
  const Lines g = lines_of(op, in, dim, values, indices, &lines);
  if (lines == 0 || g.n == 0 || kout == 0) return;
  const int device = values.device().index;
  dispatch_sort(op, in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const Tensor ids = sorted_ids<T>(op, in, g, lines, descending);
    DeviceGuard guard(device);
    write_sorted<T><<<blocks_for(lines * kout), kBlockThreads, 0, stream_of(device)>>>(
        in.data<T>(), g, lines, kout, ids.data<int64_t>(), values.data<T>(),
        indices.data<int64_t>());
    check_launch(op);
  });
}

}  // namespace

void sort_kernel(const Tensor& in, int64_t dim, bool descending, const Tensor& values,
                 const Tensor& indices) {
  sort_lines("sort", in, dim, descending, in.sizes()[dim], values, indices);
}

void topk_kernel(const Tensor& in, int64_t k, int64_t dim, bool largest, const Tensor& values,
                 const Tensor& indices) {
  sort_lines("topk", in, dim, largest, k, values, indices);
}

void select_kernel(const Tensor& in, int64_t dim, SelectKind kind, int64_t k, const Tensor& values,
                   const Tensor& indices) {
  const char* op = "select";
  int64_t lines = 0;
  const Lines g = lines_of(op, in, dim, values, indices, &lines);
  if (lines == 0 || g.n == 0) return;
  const int device = values.device().index;
  int64_t* idx = indices.defined() ? indices.data<int64_t>() : nullptr;
  dispatch_sort(op, in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const Tensor ids = sorted_ids<T>(op, in, g, lines, false);
    DeviceGuard guard(device);
    if (kind == SelectKind::Mode) {
      const unsigned blocks = unsigned(lines < kMaxBlocks ? lines : kMaxBlocks);
      select_mode<T><<<blocks, kBlockThreads, 0, stream_of(device)>>>(
          in.data<T>(), g, lines, ids.data<int64_t>(), values.data<T>(), idx);
    } else {
      select_position<T><<<blocks_for(lines), kBlockThreads, 0, stream_of(device)>>>(
          in.data<T>(), g, lines, ids.data<int64_t>(), kind, k, values.data<T>(), idx);
    }
    check_launch(op);
  });
}

}  // namespace cresset::cuda::impl
