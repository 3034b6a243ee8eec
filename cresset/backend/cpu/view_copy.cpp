#include "cresset/backend/cpu/view_copy.h"

#include <algorithm>
#include <cstring>

#include "cresset/backend/common/word.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

// Element offset of matrix number `b` (row-major over the leading dims) in a [..., M, N] layout.
int64_t batch_offset(const Tensor& t, int64_t b) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 3; d >= 0; --d) {
    int64_t size = t.sizes()[d];
    off += (b % size) * t.strides()[d];
    b /= size;
  }
  return off;
}

}  // namespace

void tril_triu(const Tensor& out, const Tensor& self, int64_t diagonal, bool lower) {
  int64_t nd = self.dim();
  int64_t rows = self.sizes()[nd - 2], cols = self.sizes()[nd - 1];
  if (self.numel() == 0) return;
  int64_t batches = self.numel() / (rows * cols);
  bool inplace = out.raw_data() == self.raw_data() && out.strides() == self.strides();
  dispatch_width("view", self.itemsize(), [&](auto w) {
    using T = typename decltype(w)::type;
    const T* src = static_cast<const T*>(self.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    int64_t srs = self.strides()[nd - 2], scs = self.strides()[nd - 1];
    int64_t drs = out.strides()[nd - 2], dcs = out.strides()[nd - 1];
    int64_t grain = std::max<int64_t>(kGrainSize / cols, 1);
    parallel_for(0, batches * rows, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        int64_t batch = r / rows, i = r % rows;
        const T* s = src + batch_offset(self, batch) + i * srs;
        T* d = dst + batch_offset(out, batch) + i * drs;
        // Kept columns: j <= i + diagonal (lower) or j >= i + diagonal (upper), clamped to the row.
        int64_t edge = std::min(std::max<int64_t>(i + diagonal + (lower ? 1 : 0), 0), cols);
        int64_t keep_begin = lower ? 0 : edge, keep_end = lower ? edge : cols;
        for (int64_t j = 0; j < keep_begin; ++j) d[j * dcs] = T(0);
        if (!inplace) {
          for (int64_t j = keep_begin; j < keep_end; ++j) d[j * dcs] = s[j * scs];
        }
        for (int64_t j = keep_end; j < cols; ++j) d[j * dcs] = T(0);
      }
    });
  });
}

void gather_slices(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < self.dim(); ++d) inner *= self.sizes()[d];
  int64_t outer = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= self.sizes()[d];
  int64_t n_in = self.sizes()[dim], n_out = index.numel();
  if (out.numel() == 0) return;
  const int64_t* idx = index.data<int64_t>();
  size_t block = size_t(inner * self.itemsize());
  const char* src = static_cast<const char*>(self.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  int64_t grain = std::max<int64_t>(kGrainSize / std::max<int64_t>(inner, 1), 1);
  auto run = [&](auto move) {
    parallel_for(0, outer * n_out, grain, [&](int64_t b, int64_t e) {
      int64_t j = b % n_out;
      const char* row = src + (b / n_out) * n_in * int64_t(block);
      for (int64_t k = b; k < e; ++k) {
        move(dst + k * block, row + idx[j] * block);
        if (++j == n_out) {
          j = 0;
          row += n_in * int64_t(block);
        }
      }
    });
  };
  // Slices of one element move as one word; memcpy's call costs more than such a copy.
  if (block == 1 || block == 2 || block == 4 || block == 8) {
    dispatch_width("view", int64_t(block), [&](auto w) {
      using T = typename decltype(w)::type;
      run([](char* d, const char* s) { std::memcpy(d, s, sizeof(T)); });
    });
  } else {
    run([block](char* d, const char* s) { std::memcpy(d, s, block); });
  }
}

}  // namespace cresset::cpu
