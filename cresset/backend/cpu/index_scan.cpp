// Index-family CPU code that is compiled once: range checks of index tensors, binary searches and
// the division that finishes scatter_reduce's mean. Branchy scalar loops; wide vectors don't help.
#include <atomic>
#include <cmath>

#include "cresset/backend/cpu/index_kernels.h"

namespace cresset::cpu {

bool find_out_of_range(const Tensor& index, int64_t lo, int64_t hi, int64_t* bad) {
  TensorIter it = TensorIterConfig("index").add_input(index).promote_inputs(false).build();
  std::atomic<bool> found{false};
  std::atomic<int64_t> value{0};
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = *reinterpret_cast<const int64_t*>(data[0] + i * s[0]);
      if (v < lo || v >= hi) {
        if (!found.exchange(true)) value = v;
        return;
      }
    }
  });
  *bad = value;
  return found;
}

void index_offsets_kernel(TensorIter& it, int64_t size, int64_t stride) {
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = *reinterpret_cast<const int64_t*>(data[1] + i * s[1]);
      *reinterpret_cast<int64_t*>(data[0] + i * s[0]) += (v < 0 ? v + size : v) * stride;
    }
  });
}

void modulo_index_kernel(TensorIter& it, int64_t size) {
  it.for_each([&](char** data, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t r = *reinterpret_cast<const int64_t*>(data[1] + i * s[1]) % size;
      *reinterpret_cast<int64_t*>(data[0] + i * s[0]) = r < 0 ? r + size : r;
    }
  });
}

namespace {

// torch's cus_lower_bound / cus_upper_bound: the negated comparisons put NaN after every number.
template <typename T>
int64_t search(const T* row, const int64_t* order, int64_t len, T v, bool right) {
  int64_t lo = 0, hi = len;
  while (lo < hi) {
    int64_t mid = lo + ((hi - lo) >> 1);
    opmath_t<T> m = row[order ? order[mid] : mid];
    bool go_right = right ? !(m > opmath_t<T>(v)) : !(m >= opmath_t<T>(v));
    if (go_right) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

void searchsorted_kernel(const Tensor& out, const Tensor& sorted, const Tensor& values,
                         const Tensor& sorter, bool right) {
  // Every operand is contiguous; one row of `sorted` serves values.size(-1) consecutive values.
  const int64_t len = sorted.dim() == 0 ? 1 : sorted.sizes().back();
  const int64_t per_row = sorted.dim() <= 1 ? values.numel() : values.sizes().back();
  const int64_t* order = sorter.defined() ? sorter.data<int64_t>() : nullptr;
  const bool int32_out = out.dtype() == DType::Int32;
  CRESSET_DISPATCH_NUMERIC("searchsorted_out_cpu", values.dtype(), [&] {
    const scalar_t* seq = sorted.data<scalar_t>();
    const scalar_t* vals = values.data<scalar_t>();
    parallel_for(0, values.numel(), 4096, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        int64_t row = per_row == 0 ? 0 : i / per_row;
        int64_t pos =
            search(seq + row * len, order ? order + row * len : nullptr, len, vals[i], right);
        if (int32_out) {
          out.data<int32_t>()[i] = int32_t(pos);
        } else {
          out.data<int64_t>()[i] = pos;
        }
      }
    });
  });
}

void scatter_mean_kernel(TensorIter& it) {
  CRESSET_DISPATCH_NUMERIC("scatter_gather_tensor_cpu_reduce_mean", it.dtype(0), [&] {
    it.for_each([&](char** data, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        scalar_t& x = *reinterpret_cast<scalar_t*>(data[0] + i * s[0]);
        divide_by_count(x, *reinterpret_cast<const scalar_t*>(data[1] + i * s[1]));
      }
    });
  });
}

}  // namespace cresset::cpu
