#pragma once
// Internal to backend/cuda: what the sort family's kernels share (sort.cu, unique.cu). Values are
// ordered by their order_bits (backend/common/sort_key.h, the CPU's Note [Sort order]) and sorted
// with one stable radix sort, so equal values keep their index order as on the CPU.
#include "cresset/backend/common/sort_key.h"
#include "cresset/backend/cuda/launch.cuh"

namespace cresset::cuda::impl {

/// Sorts the n pairs (keys[i], values[i]) of two int64 CUDA tensors of n elements stably by the
/// low `bits` bits of the keys, read as unsigned. On return the tensors hold the sorted pairs
/// (possibly as new tensors). One CUB instantiation serves every caller.
void radix_sort_pairs(const char* op, int device, Tensor& keys, Tensor& values, int bits);

/// The number of bits that hold every value in [0, n).
inline int bits_for(int64_t n) {
  int b = 0;
  while (b < 63 && (int64_t(1) << b) < n) ++b;
  return b;
}

/// A new int64 tensor of n elements on CUDA device `device`.
inline Tensor device_int64(int64_t n, int device) {
  return empty_tensor({n}, DType::Int64, Device(DeviceType::CUDA, device));
}

}  // namespace cresset::cuda::impl
