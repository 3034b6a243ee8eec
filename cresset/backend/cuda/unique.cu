// unique and unique_consecutive on CUDA, with the contracts of backend/cpu/sort.h: elements (or
// rows) are sorted stably by their order_bits (see Note [CUDA segmented sort]; rows column by
// column from the last, an LSD sort), groups start where a value differs from its sorted
// neighbour (by ==, so NaN never joins a group, as on the CPU), and a prefix sum over the group
// starts numbers the groups.
#include <cub/device/device_scan.cuh>

#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/sort.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

__global__ void __launch_bounds__(kBlockThreads) fill_iota(int64_t* ids, int64_t n) {
  CRESSET_GRID_STRIDE(i, n) { ids[i] = i; }
}

// keys[p] = the order bits of x[ids[p] * w + c] (column c of row ids[p]; w = 1 for elements).
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    column_keys(const T* x, const int64_t* ids, int64_t n, int64_t w, int64_t c, uint64_t* keys) {
  CRESSET_GRID_STRIDE(p, n) { keys[p] = order_bits(x[ids[p] * w + c]); }
}

// flags[p] = 1 where sorted row p starts a group: p == 0 or it differs from row p - 1.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    group_starts(const T* x, const int64_t* ids, int64_t n, int64_t w, int64_t* flags) {
  using K = sort_key_t<T>;
  CRESSET_GRID_STRIDE(p, n) {
    bool start = p == 0;
    if (!start) {
      const T* a = x + ids[p] * w;
      const T* b = x + ids[p - 1] * w;
      for (int64_t j = 0; j < w && !start; ++j) start = !(K(a[j]) == K(b[j]));
    }
    flags[p] = start;
  }
}

// From the inclusive prefix sum of the flags: each element's group, and each group's start and
// first element.
__global__ void __launch_bounds__(kBlockThreads)
    number_groups(const int64_t* ids, const int64_t* flags, const int64_t* group1, int64_t n,
                  int64_t groups, int64_t* inverse, int64_t* starts, int64_t* first) {
  CRESSET_GRID_STRIDE(p, n) {
    const int64_t g = group1[p] - 1;
    inverse[ids[p]] = g;
    if (flags[p]) {
      starts[g] = p;
      first[g] = ids[p];
    }
    if (p == n - 1) starts[groups] = n;
  }
}

__global__ void __launch_bounds__(kBlockThreads)
    group_counts(const int64_t* starts, int64_t groups, int64_t* counts) {
  CRESSET_GRID_STRIDE(g, groups) { counts[g] = starts[g + 1] - starts[g]; }
}

template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    gather_values(const T* x, const int64_t* first, int64_t groups, T* out) {
  CRESSET_GRID_STRIDE(g, groups) { out[g] = x[first[g]]; }
}

// Sorts the n rows of width w of contiguous x (ids: their order, 0..n-1 on entry) stably and
// lexicographically by order_bits, one stable radix pass per column from the last.
template <typename T>
void sort_rows(const char* op, int device, const T* x, int64_t n, int64_t w, Tensor& ids) {
  Tensor keys = device_int64(n, device);
  for (int64_t c = w - 1; c >= 0; --c) {
    {
      DeviceGuard guard(device);
      column_keys<T><<<blocks_for(n), kBlockThreads, 0, stream_of(device)>>>(
          x, ids.data<int64_t>(), n, w, c, static_cast<uint64_t*>(keys.raw_data()));
      check_launch(op);
    }
    radix_sort_pairs(op, device, keys, ids, order_bit_count<T>());
  }
}

// The groups of the n sorted rows of width w of x (in the order of ids): inverse and counts, and
// in `first` each group's first row.
template <typename T>
UniqueResult group_rows(const char* op, int device, const T* x, int64_t n, int64_t w,
                        const Tensor& ids, Tensor* first) {
  const Device dev(DeviceType::CUDA, device);
  Tensor flags = device_int64(n, device), group1 = device_int64(n, device);
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  group_starts<T><<<blocks_for(n), kBlockThreads, 0, stream>>>(x, ids.data<int64_t>(), n, w,
                                                               flags.data<int64_t>());
  check_launch(op);
  size_t temp_bytes = 0;
  check(cub::DeviceScan::InclusiveSum(nullptr, temp_bytes, flags.data<int64_t>(),
                                      group1.data<int64_t>(), n, stream),
        op);
  Tensor temp = empty_tensor({int64_t(temp_bytes) + 1}, DType::UInt8, dev);
  check(cub::DeviceScan::InclusiveSum(temp.raw_data(), temp_bytes, flags.data<int64_t>(),
                                      group1.data<int64_t>(), n, stream),
        op);
  check_launch(op);
  int64_t groups = 0;
  check(cudaMemcpyAsync(&groups, group1.data<int64_t>() + (n - 1), sizeof(int64_t),
                        cudaMemcpyDeviceToHost, stream),
        op);
  check(cudaStreamSynchronize(stream), op);
  UniqueResult r;
  r.inverse = device_int64(n, device);
  r.counts = device_int64(groups, device);
  *first = device_int64(groups, device);
  Tensor starts = device_int64(groups + 1, device);
  number_groups<<<blocks_for(n), kBlockThreads, 0, stream>>>(
      ids.data<int64_t>(), flags.data<int64_t>(), group1.data<int64_t>(), n, groups,
      r.inverse.data<int64_t>(), starts.data<int64_t>(), first->data<int64_t>());
  check_launch(op);
  group_counts<<<blocks_for(groups), kBlockThreads, 0, stream>>>(starts.data<int64_t>(), groups,
                                                                 r.counts.data<int64_t>());
  check_launch(op);
  return r;
}

// unique of the n rows of width w of contiguous `t` (w = 1: its elements). Returns the groups
// with `first` each group's first row (sorted unless consecutive).
template <typename T>
UniqueResult unique_of(const char* op, const Tensor& t, int64_t n, int64_t w, bool consecutive,
                       Tensor* first) {
  const int device = t.device().index;
  Tensor ids = device_int64(n, device);
  {
    DeviceGuard guard(device);
    fill_iota<<<blocks_for(n), kBlockThreads, 0, stream_of(device)>>>(ids.data<int64_t>(), n);
    check_launch(op);
  }
  if (!consecutive) sort_rows<T>(op, device, t.data<T>(), n, w, ids);
  return group_rows<T>(op, device, t.data<T>(), n, w, ids, first);
}

UniqueResult empty_result(const Tensor& t, DType values_dtype) {
  const Device dev = t.device();
  return {empty_tensor({0}, values_dtype, dev), empty_tensor({t.sizes()[0]}, DType::Int64, dev),
          empty_tensor({0}, DType::Int64, dev)};
}

}  // namespace

UniqueResult unique_kernel(const Tensor& flat, bool consecutive) {
  const int64_t n = flat.numel();
  if (n == 0) return empty_result(flat, flat.dtype());
  const int device = flat.device().index;
  UniqueResult r;
  CRESSET_DISPATCH_ALL("unique", flat.dtype(), [&] {
    Tensor first;
    r = unique_of<scalar_t>("unique", flat, n, 1, consecutive, &first);
    const int64_t groups = first.numel();
    r.values = empty_tensor({groups}, flat.dtype(), flat.device());
    if (groups == 0) return;
    DeviceGuard guard(device);
    gather_values<scalar_t><<<blocks_for(groups), kBlockThreads, 0, stream_of(device)>>>(
        flat.data<scalar_t>(), first.data<int64_t>(), groups, r.values.data<scalar_t>());
    check_launch("unique");
  });
  return r;
}

UniqueResult unique_rows_kernel(const Tensor& rows, bool consecutive) {
  const int64_t m = rows.sizes()[0];
  const int64_t w = m == 0 ? 0 : rows.numel() / m;
  if (m == 0 || w == 0) {
    CRESSET_CHECK(m == 0, RuntimeError, "[unique] rows of width 0 are not supported on CUDA");
    return empty_result(rows, DType::Int64);
  }
  UniqueResult r;
  CRESSET_DISPATCH_ALL("unique", rows.dtype(), [&] {
    Tensor first;
    r = unique_of<scalar_t>("unique", rows, m, w, consecutive, &first);
    r.values = first;  // the row ids, as the contract says
  });
  return r;
}

}  // namespace cresset::cuda::impl
