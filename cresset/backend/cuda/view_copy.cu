// The view family's copying ops on CUDA (tril/triu, repeat_interleave's slice gather), the
// contracts of backend/cpu/view_copy.h. They move whole elements, so one instantiation per
// element size (common/word.h) serves every dtype.

#include "cresset/backend/common/word.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"

namespace cresset::cuda::impl {

namespace {

constexpr int kMaxBatchDims = 25;

// The sizes and strides (elements) of a tril/triu call, batch dims innermost first.
struct TriGeometry {
  int nbatch;
  int64_t batch_sizes[kMaxBatchDims], src_batch[kMaxBatchDims], dst_batch[kMaxBatchDims];
  int64_t rows, cols, src_row, src_col, dst_row, dst_col;
  int64_t diagonal;
  bool lower, inplace;
};

// One thread per element: out[..., i, j] = self[..., i, j] where j - i <= diagonal (lower) or
// j - i >= diagonal (upper), else 0. In place, kept elements are not written.
template <class W>
__global__ void __launch_bounds__(kBlockThreads)
    tril_triu_cuda(W* dst, const W* src, int64_t n, TriGeometry g) {
  CRESSET_GRID_STRIDE(e, n) {
    const int64_t j = e % g.cols, r = e / g.cols;
    const int64_t i = r % g.rows;
    int64_t b = r / g.rows;
    int64_t so = i * g.src_row + j * g.src_col, d_off = i * g.dst_row + j * g.dst_col;
    for (int d = 0; d < g.nbatch; ++d) {
      const int64_t k = b % g.batch_sizes[d];
      b /= g.batch_sizes[d];
      so += k * g.src_batch[d];
      d_off += k * g.dst_batch[d];
    }
    const bool keep = g.lower ? j - i <= g.diagonal : j - i >= g.diagonal;
    if (!keep) {
      dst[d_off] = W(0);
    } else if (!g.inplace) {
      dst[d_off] = src[so];
    }
  }
}

// out[o, k, :] = self[o, index[k], :] over contiguous [outer, n_in, inner] and
// [outer, n_out, inner] layouts, one thread per output element.
template <class W>
__global__ void __launch_bounds__(kBlockThreads)
    gather_slices_cuda(W* dst, const W* src, const int64_t* index, int64_t n, int64_t n_in,
                       int64_t n_out, int64_t inner) {
  CRESSET_GRID_STRIDE(e, n) {
    const int64_t j = e % inner, r = e / inner;
    const int64_t k = r % n_out, o = r / n_out;
    dst[e] = src[(o * n_in + index[k]) * inner + j];
  }
}

}  // namespace

void tril_triu(const Tensor& out, const Tensor& self, int64_t diagonal, bool lower) {
  const char* op = lower ? "tril" : "triu";
  const int64_t n = self.numel();
  if (n == 0) return;
  const int nd = int(self.dim());
  CRESSET_CHECK(nd - 2 <= kMaxBatchDims, NotImplementedError, "[", op,
                "] CUDA kernels take at most ", kMaxBatchDims, " batch dims; got ", nd - 2);
  TriGeometry g{};
  g.nbatch = nd - 2;
  for (int k = 0; k < g.nbatch; ++k) {
    const int d = nd - 3 - k;
    g.batch_sizes[k] = self.sizes()[d];
    g.src_batch[k] = self.strides()[d];
    g.dst_batch[k] = out.strides()[d];
  }
  g.rows = self.sizes()[nd - 2];
  g.cols = self.sizes()[nd - 1];
  g.src_row = self.strides()[nd - 2];
  g.src_col = self.strides()[nd - 1];
  g.dst_row = out.strides()[nd - 2];
  g.dst_col = out.strides()[nd - 1];
  g.diagonal = diagonal;
  g.lower = lower;
  g.inplace = out.raw_data() == self.raw_data() && out.strides() == self.strides();
  const int device = out.device().index;
  DeviceGuard guard(device);
  dispatch_width(op, self.itemsize(), [&](auto w) {
    using W = typename decltype(w)::type;
    tril_triu_cuda<W><<<blocks_for(n), kBlockThreads, 0, stream_of(device)>>>(
        static_cast<W*>(out.raw_data()), static_cast<const W*>(self.raw_data()), n, g);
  });
  check_launch(op);
}

void gather_slices(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  const int64_t n = out.numel();
  if (n == 0) return;
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < self.dim(); ++d) inner *= self.sizes()[d];
  const int64_t n_in = self.sizes()[dim], n_out = index.numel();
  const int device = out.device().index;
  DeviceGuard guard(device);
  dispatch_width("repeat_interleave", self.itemsize(), [&](auto w) {
    using W = typename decltype(w)::type;
    gather_slices_cuda<W><<<blocks_for(n), kBlockThreads, 0, stream_of(device)>>>(
        static_cast<W*>(out.raw_data()), static_cast<const W*>(self.raw_data()),
        index.data<int64_t>(), n, n_in, n_out, inner);
  });
  check_launch("repeat_interleave");
}

}  // namespace cresset::cuda::impl
