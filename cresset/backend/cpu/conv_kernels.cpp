// Convolution kernels, compiled once per capability (see Note [CPU capability dispatch]).
//
// Note [Convolution as GEMM]
// For one image and one group, the forward convolution is the product W [C_out/g, C_in/g * K] @
// col [C_in/g * K, L], where col holds, for each output position l (L of them), the input values
// under the kernel (im2col; zeros where the kernel hangs over the padding). The weight gradient
// is (col @ gy^T)^T summed over images, and the input gradient scatters W^T @ gy back into the
// pixels (col2im). col is built for a block of output rows at a time, small enough to stay in L2
// while the GEMM packs it, instead of for a whole image (MBs on large images); small images are
// instead grouped side by side into one wider block. Images are split among threads, each with its
// own column buffer and single-threaded GEMMs (no barriers); with fewer images than threads, images
// run in turn and each GEMM uses the pool. The weight gradient sums per-thread partial sums in a
// fixed order: results depend only on the thread count. A pointwise convolution (kernel 1, stride
// 1, no padding) uses x itself as col. float32 forward and input-gradient products with stride 1
// go to the direct kernel instead where it applies (see Note [Direct convolution on a wide grid]).
#include "cresset/backend/cpu/conv_kernels.h"

#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cresset/backend/cpu/gemm.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// Bytes of one block of columns (measured: 1 MB beats 512 KB on 16x16 images with 32 channels,
// equal on 56x56); with the GEMM's packed panels it stays within a 2 MB L2.
constexpr int64_t kColumnBlockBytes = 1024 * 1024;
// Columns a GEMM should get at least: small images are grouped up to this width (measured on
// 10x10 outputs: fewer partial tiles and calls; wider images gain nothing from the copies).
constexpr int64_t kMinColumns = 512;
// Images with at least this many columns run alone: the copy of a group's output back into y
// costs more than the wider GEMM gains (measured on 16x16 outputs, 256 columns: 7.0 -> 6.7 ms
// for 64 images of 32 -> 64 channels; 10x10 outputs still gain from groups of 6).
constexpr int64_t kGroupBelowColumns = 256;

// Sizes derived from a geometry, per group.
struct Plan {
  int64_t cin, cout;        // channels per group
  int64_t ksize, in_size;   // kernel and input spatial sizes (products)
  int64_t out_rows, out_w;  // output rows (O_d * O_h) and row length (O_w): L = out_rows * out_w
  int64_t len, rows;        // L and the rows of col, cin * ksize
  int64_t block_rows;       // output rows per column block
  int64_t block_images;     // whole images per column block (> 1 only when one image fits)
  bool pointwise;           // col is x itself
};

Plan make_plan(const ConvGeometry& g, int64_t itemsize) {
  Plan p;
  p.cin = g.in_channels / g.groups;
  p.cout = g.out_channels / g.groups;
  p.ksize = g.kernel[0] * g.kernel[1] * g.kernel[2];
  p.in_size = g.in[0] * g.in[1] * g.in[2];
  p.out_rows = g.out[0] * g.out[1];
  p.out_w = g.out[2];
  p.len = p.out_rows * p.out_w;
  p.rows = p.cin * p.ksize;
  p.pointwise = true;
  for (int d = 0; d < 3; ++d) {
    p.pointwise = p.pointwise && g.kernel[d] == 1 && g.stride[d] == 1 && g.pad[d] == 0;
  }
  const int64_t row_bytes = std::max<int64_t>(1, p.rows * p.out_w * itemsize);
  p.block_rows =
      std::clamp<int64_t>(kColumnBlockBytes / row_bytes, 1, std::max<int64_t>(1, p.out_rows));
  p.block_images =
      p.block_rows < p.out_rows || p.pointwise || p.len >= kGroupBelowColumns
          ? 1
          : std::clamp<int64_t>(std::min(kColumnBlockBytes / (row_bytes * p.out_rows),
                                         (kMinColumns + p.len - 1) / std::max<int64_t>(1, p.len)),
                                1, std::max<int64_t>(1, g.batch));
  return p;
}

// d[i] = s[i] (kAdd: d[i] += s[i]) for i in [0, n). Rows are often shorter than a vector (a 16
// wide image whose edge taps cover 15 columns), where a plain loop would run scalar: AVX-512
// handles the tail with a masked vector.
template <bool kAdd, typename T>
void row_op(T* d, const T* s, int64_t n) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(m, s + i);
      if (kAdd) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, d + i));
      _mm512_mask_storeu_ps(d + i, m, v);
    }
    return;
  } else if constexpr (std::is_same_v<T, double>) {
    for (int64_t i = 0; i < n; i += 8) {
      const __mmask8 m = n - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (n - i)) - 1);
      __m512d v = _mm512_maskz_loadu_pd(m, s + i);
      if (kAdd) v = _mm512_add_pd(v, _mm512_maskz_loadu_pd(m, d + i));
      _mm512_mask_storeu_pd(d + i, m, v);
    }
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) d[i] = kAdd ? d[i] + s[i] : s[i];
}

// The range [lo, hi) of outputs o in [0, n) whose input index o * stride + offset lies in [0,
// size).
void valid_range(int64_t n, int64_t stride, int64_t offset, int64_t size, int64_t& lo,
                 int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = offset > size - 1 ? 0 : std::min(n, (size - 1 - offset) / stride + 1);
  lo = std::min(lo, n);
  hi = std::max(hi, lo);
}

// Walks the columns of output rows [r0, r1) for `channels` channels of one image, in a block of
// row stride ld: calls row(position, x_row_or_null, lo, hi, offset) for each run of out_w
// columns, where x_row is the input row the kernel tap reads (null when it lies in the padding)
// and [lo, hi) the columns that read inside it, at x_row[o * stride + offset].
template <typename T, typename F>
void walk_columns(const ConvGeometry& g, const Plan& p, T* x, int64_t channels, int64_t r0,
                  int64_t r1, int64_t ld, const F& row) {
  const int64_t kd_n = g.kernel[0], kh_n = g.kernel[1], kw_n = g.kernel[2];
  const int64_t oh_n = g.out[1], ow_n = p.out_w;
  const int64_t ih_n = g.in[1], iw_n = g.in[2];
  // Per tap along w: its offset into the input row and the output columns that stay inside.
  const size_t taps = static_cast<size_t>(kw_n);
  std::vector<int64_t> lo(taps), hi(taps), offset(taps);
  for (int64_t kw = 0; kw < kw_n; ++kw) {
    offset[kw] = kw * g.dilation[2] - g.pad[2];
    valid_range(ow_n, g.stride[2], offset[kw], iw_n, lo[kw], hi[kw]);
  }
  for (int64_t c = 0; c < channels; ++c) {
    T* xc = x + c * p.in_size;
    for (int64_t kd = 0; kd < kd_n; ++kd) {
      for (int64_t kh = 0; kh < kh_n; ++kh) {
        const int64_t first_row = ((c * kd_n + kd) * kh_n + kh) * kw_n;
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t od = r / oh_n, oh = r % oh_n;
          const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
          const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
          const bool inside = id >= 0 && id < g.in[0] && ih >= 0 && ih < ih_n;
          T* src = inside ? xc + (id * ih_n + ih) * iw_n : nullptr;
          const int64_t pos = first_row * ld + (r - r0) * ow_n;
          for (int64_t kw = 0; kw < kw_n; ++kw) {
            row(pos + kw * ld, src, lo[kw], hi[kw], offset[kw]);
          }
        }
      }
    }
  }
}

// The columns of output rows [r0, r1) of one image's group into col (row stride ld) (im2col).
template <typename T>
void im2col(const ConvGeometry& g, const Plan& p, const T* x, int64_t channels, int64_t r0,
            int64_t r1, T* col, int64_t ld) {
  const int64_t n = p.out_w, stride = g.stride[2];
  walk_columns(g, p, const_cast<T*>(x), channels, r0, r1, ld,
               [&](int64_t pos, const T* src, int64_t lo, int64_t hi, int64_t offset) {
                 T* dst = col + pos;
                 if (!src) {
                   std::fill(dst, dst + n, T(0));
                   return;
                 }
                 for (int64_t o = 0; o < lo; ++o) dst[o] = T(0);
                 if (stride == 1) {
                   row_op<false>(dst + lo, src + offset + lo, hi - lo);
                 } else {
                   for (int64_t o = lo; o < hi; ++o) dst[o] = src[o * stride + offset];
                 }
                 for (int64_t o = hi; o < n; ++o) dst[o] = T(0);
               });
}

// Adds a col block back into the pixels it was read from (col2im); x is not cleared here.
template <typename T>
void col2im(const ConvGeometry& g, const Plan& p, const T* col, int64_t ld, int64_t channels,
            int64_t r0, int64_t r1, T* x) {
  const int64_t stride = g.stride[2];
  walk_columns(g, p, x, channels, r0, r1, ld,
               [&](int64_t pos, T* dst, int64_t lo, int64_t hi, int64_t offset) {
                 if (!dst) return;
                 const T* src = col + pos;
                 if (stride == 1) {
                   row_op<true>(dst + offset + lo, src + lo, hi - lo);
                 } else {
                   for (int64_t o = lo; o < hi; ++o) dst[o * stride + offset] += src[o];
                 }
               });
}

// C [m, n] (row stride ldc) = A [m, k] @ B [k, n] + beta * C for row-major or transposed
// operands given by their strides; single-threaded inside a parallel region.
template <typename T>
void matmul(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
            int64_t b_rs, int64_t b_cs, T* c, int64_t ldc, bool accumulate) {
  GemmProblem q;
  q.dtype = std::is_same_v<T, float>    ? DType::Float32
            : std::is_same_v<T, double> ? DType::Float64
                                        : DType::Int64;
  q.m = m;
  q.n = n;
  q.k = k;
  q.a = a;
  q.a_rs = a_rs;
  q.a_cs = a_cs;
  q.b = b;
  q.b_rs = b_rs;
  q.b_cs = b_cs;
  q.c = c;
  q.c_rs = ldc;
  q.c_cs = 1;
  q.beta = Scalar(int64_t(accumulate ? 1 : 0));
  gemm(q);
}

// How many threads take whole images: one per image up to the pool size; 1 means images run in
// turn with multithreaded GEMMs.
int64_t image_slots(int64_t batch) {
  if (in_parallel_region() || batch < 2) return 1;
  return std::min<int64_t>(batch, get_num_threads());
}

// A piece of work for one slot: images [n0, n1) by output rows [r0, r1). Several images go
// together only when whole images are small (see Plan::block_images); then the GEMMs are wider.
struct Chunk {
  int64_t n0, n1, r0, r1;
  bool first;  // the slot's first chunk
  int64_t images() const { return n1 - n0; }
};

// Runs body(slot, chunk) over every chunk, slot s taking the contiguous images
// [s*N/S, (s+1)*N/S).
template <typename F>
void for_each_chunk(const Plan& p, int64_t batch, int64_t slots, const F& body) {
  auto run = [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t b0 = batch * s / slots, b1 = batch * (s + 1) / slots;
      for (int64_t n = b0; n < b1; n += p.block_images) {
        for (int64_t r0 = 0; r0 < p.out_rows; r0 += p.block_rows) {
          body(s, Chunk{n, std::min(b1, n + p.block_images), r0,
                        std::min(p.out_rows, r0 + p.block_rows), n == b0 && r0 == 0});
        }
      }
    }
  };
  if (slots == 1) {
    run(0, 1);
  } else {
    parallel_for(0, slots, 1, run);
  }
}

// Copies the rows [r0, r1) of `count` images' channel planes between their place in a tensor
// (image stride `image`, channel stride len) and a block [channels, count * seg] (seg: the rows'
// width), in the direction `to_block`.
template <typename T>
void gather_rows(T* tensor, int64_t image, int64_t len, int64_t channels, int64_t count,
                 int64_t offset, int64_t seg, T* block, bool to_block) {
  const int64_t ld = count * seg;
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 0; i < count; ++i) {
      T* t = tensor + i * image + c * len + offset;
      T* b = block + c * ld + i * seg;
      if (to_block) {
        std::copy(t, t + seg, b);
      } else {
        std::copy(b, b + seg, t);
      }
    }
  }
}

// A per-slot scratch buffer (uninitialised).
template <typename T>
struct Scratch {
  std::unique_ptr<T[]> data;
  int64_t per_slot;
  Scratch(int64_t slots, int64_t elems)
      : data(new T[size_t(std::max<int64_t>(1, slots * elems))]), per_slot(elems) {}
  T* slot(int64_t s) const { return data.get() + s * per_slot; }
};

// Adds bias[c] to the `seg` values at `offset` in channel c (stride len) of `count` images.
template <typename T>
void add_bias(const T* bias, T* images, int64_t count, int64_t image, int64_t channels, int64_t len,
              int64_t offset, int64_t seg) {
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t c = 0; c < channels; ++c) {
      const T b = bias[c];
      T* row = images + i * image + c * len + offset;
#pragma omp simd
      for (int64_t l = 0; l < seg; ++l) row[l] += b;
    }
  }
}

// Scratch sizes of one slot: col (rows x the widest chunk) and, for chunks of several images,
// a block of output-side channels (gathered gy or the product before it is scattered into y).
template <typename T>
struct Buffers {
  Scratch<T> cols, block;
  Buffers(const Plan& p, int64_t slots)
      : cols(slots, p.pointwise ? 0 : p.rows * p.block_images * p.block_rows * p.out_w),
        block(slots, p.block_images > 1 ? p.cout * p.block_images * p.out_rows * p.out_w : 0) {}
};

// The columns of a chunk for group gi: x's own rows for a pointwise convolution, else im2col
// into the slot's buffer. Returns the pointer and sets its row stride.
template <typename T>
const T* chunk_columns(const ConvGeometry& g, const Plan& p, const T* x, const Chunk& ch,
                       int64_t gi, T* cols, int64_t& ld) {
  const T* xg = x + (ch.n0 * g.in_channels + gi * p.cin) * p.in_size;
  if (p.pointwise) {
    ld = p.len;
    return xg + ch.r0 * p.out_w;
  }
  const int64_t seg = (ch.r1 - ch.r0) * p.out_w;
  ld = ch.images() * seg;
  for (int64_t i = 0; i < ch.images(); ++i) {
    im2col(g, p, xg + i * g.in_channels * p.in_size, p.cin, ch.r0, ch.r1, cols + i * seg, ld);
  }
  return cols;
}

// The output-side rows of a chunk for group gi (gy or y): in place for one image, else gathered
// into `block` (row stride ld) when `gather`.
template <typename T>
T* chunk_outputs(const ConvGeometry& g, const Plan& p, T* y, const Chunk& ch, int64_t gi, T* block,
                 bool gather, int64_t& ld) {
  T* yg = y + (ch.n0 * g.out_channels + gi * p.cout) * p.len;
  const int64_t seg = (ch.r1 - ch.r0) * p.out_w;
  if (ch.images() == 1) {
    ld = p.len;
    return yg + ch.r0 * p.out_w;
  }
  ld = ch.images() * seg;
  if (gather) {
    gather_rows(yg, g.out_channels * p.len, p.len, p.cout, ch.images(), ch.r0 * p.out_w, seg, block,
                true);
  }
  return block;
}

template <typename T>
void forward(const T* x, const T* w, const T* bias, T* y, const ConvGeometry& g) {
  const Plan p = make_plan(g, sizeof(T));
  const int64_t slots = image_slots(g.batch);
  Buffers<T> buf(p, slots);
  for_each_chunk(p, g.batch, slots, [&](int64_t s, const Chunk& ch) {
    const int64_t seg = (ch.r1 - ch.r0) * p.out_w, off = ch.r0 * p.out_w;
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      int64_t ldb, ldc;
      const T* b = chunk_columns(g, p, x, ch, gi, buf.cols.slot(s), ldb);
      T* c = chunk_outputs(g, p, y, ch, gi, buf.block.slot(s), false, ldc);
      matmul(p.cout, ch.images() * seg, p.rows, w + gi * p.cout * p.rows, p.rows, 1, b, ldb, 1, c,
             ldc, false);
      if (ch.images() > 1) {
        gather_rows(y + (ch.n0 * g.out_channels + gi * p.cout) * p.len, g.out_channels * p.len,
                    p.len, p.cout, ch.images(), off, seg, c, false);
      }
    }
    if (bias) {
      add_bias(bias, y + ch.n0 * g.out_channels * p.len, ch.images(), g.out_channels * p.len,
               g.out_channels, p.len, off, seg);
    }
  });
}

template <typename T>
void backward_input(const T* gy, const T* w, const T* bias, T* gx, const ConvGeometry& g) {
  const Plan p = make_plan(g, sizeof(T));
  const int64_t slots = image_slots(g.batch);
  Buffers<T> buf(p, slots);
  for_each_chunk(p, g.batch, slots, [&](int64_t s, const Chunk& ch) {
    const int64_t seg = (ch.r1 - ch.r0) * p.out_w, cols_n = ch.images() * seg;
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      int64_t ldb;
      const T* b = chunk_outputs(g, p, const_cast<T*>(gy), ch, gi, buf.block.slot(s), true, ldb);
      const T* wg = w + gi * p.cout * p.rows;
      T* xg = gx + (ch.n0 * g.in_channels + gi * p.cin) * p.in_size;
      if (p.pointwise) {
        matmul(p.rows, cols_n, p.cout, wg, 1, p.rows, b, ldb, 1, xg + ch.r0 * p.out_w, p.len,
               false);
        continue;
      }
      T* col = buf.cols.slot(s);
      matmul(p.rows, cols_n, p.cout, wg, 1, p.rows, b, ldb, 1, col, cols_n, false);
      for (int64_t i = 0; i < ch.images(); ++i) {
        T* xi = xg + i * g.in_channels * p.in_size;
        if (ch.r0 == 0) std::fill(xi, xi + p.cin * p.in_size, T(0));
        col2im(g, p, col + i * seg, cols_n, p.cin, ch.r0, ch.r1, xi);
      }
    }
    if (bias && ch.r1 == p.out_rows) {
      add_bias(bias, gx + ch.n0 * g.in_channels * p.in_size, ch.images(), g.in_channels * p.in_size,
               g.in_channels, p.in_size, int64_t(0), p.in_size);
    }
  });
}

// The weight gradient is summed transposed, gw^T [rows, C_out / g] = col @ gy^T per group: col
// is then the GEMM's A, read in place without packing, and only the smaller gy is packed.
template <typename T>
void backward_weight(const T* gy, const T* x, T* gw, const ConvGeometry& g) {
  const Plan p = make_plan(g, sizeof(T));
  const int64_t w_numel = g.out_channels * p.rows;
  if (g.batch == 0) {
    std::fill(gw, gw + w_numel, T(0));
    return;
  }
  const int64_t slots = image_slots(g.batch);
  // Each slot sums its images into its own gw^T; they are added in slot order at the end.
  Scratch<T> partial(slots, w_numel);
  Buffers<T> buf(p, slots);
  for_each_chunk(p, g.batch, slots, [&](int64_t s, const Chunk& ch) {
    const int64_t cols_n = ch.images() * (ch.r1 - ch.r0) * p.out_w;
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      int64_t lda, ldb;
      const T* a = chunk_columns(g, p, x, ch, gi, buf.cols.slot(s), lda);
      const T* b = chunk_outputs(g, p, const_cast<T*>(gy), ch, gi, buf.block.slot(s), true, ldb);
      matmul(p.rows, p.cout, cols_n, a, lda, 1, b, 1, ldb, partial.slot(s) + gi * p.cout * p.rows,
             p.cout, !ch.first);
    }
  });
  // gw[o, r] = sum over slots of gw^T[r, o], per group; rows of gw split among threads.
  parallel_for(0, g.out_channels, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, p.rows)),
               [&](int64_t o0, int64_t o1) {
                 for (int64_t o = o0; o < o1; ++o) {
                   const int64_t gi = o / p.cout, co = o % p.cout;
                   T* dst = gw + o * p.rows;
                   for (int64_t s = 0; s < slots; ++s) {
                     const T* src = partial.slot(s) + gi * p.cout * p.rows + co;
                     for (int64_t r = 0; r < p.rows; ++r) {
                       dst[r] = s == 0 ? src[r * p.cout] : dst[r] + src[r * p.cout];
                     }
                   }
                 }
               });
}

template <typename T>
void run(ConvKind kind, const void* a, const void* b, const void* bias, void* out,
         const ConvGeometry& g) {
  const T* ta = static_cast<const T*>(a);
  const T* tb = static_cast<const T*>(b);
  const T* tbias = static_cast<const T*>(bias);
  T* tout = static_cast<T*>(out);
  switch (kind) {
    case ConvKind::Forward:
      forward(ta, tb, tbias, tout, g);
      break;
    case ConvKind::BackwardInput:
      backward_input(ta, tb, tbias, tout, g);
      break;
    case ConvKind::BackwardWeight:
      backward_weight(ta, tb, tout, g);
      break;
  }
}

template <typename T>
void unfold_fold(T* x, T* col, const ConvGeometry& g, bool to_columns) {
  const Plan p = make_plan(g, sizeof(T));
  const int64_t c = g.in_channels, image = c * p.ksize * p.len;
  parallel_for(0, g.batch, 1, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      if (to_columns) {
        im2col(g, p, x + n * c * p.in_size, c, 0, p.out_rows, col + n * image, p.len);
      } else {
        T* xn = x + n * c * p.in_size;
        std::fill(xn, xn + c * p.in_size, T(0));
        col2im(g, p, col + n * image, p.len, c, 0, p.out_rows, xn);
      }
    }
  });
}

}  // namespace

void conv_kernel(ConvKind kind, DType dtype, const void* a, const void* b, const void* bias,
                 void* out, const ConvGeometry& g) {
  if (dtype == DType::Float64) {
    run<double>(kind, a, b, bias, out, g);
  } else if (dtype == DType::Int64) {
    run<int64_t>(kind, a, b, bias, out, g);
  } else if (!conv_direct_kernel(kind, static_cast<const float*>(a), static_cast<const float*>(b),
                                 static_cast<const float*>(bias), static_cast<float*>(out), g)) {
    run<float>(kind, a, b, bias, out, g);
  }
}

void im2col_kernel(DType dtype, void* x, void* col, const ConvGeometry& g, bool to_columns) {
  if (dtype == DType::Float64) {
    unfold_fold(static_cast<double*>(x), static_cast<double*>(col), g, to_columns);
  } else {
    unfold_fold(static_cast<float*>(x), static_cast<float*>(col), g, to_columns);
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
