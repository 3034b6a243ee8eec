// Direct float32 convolution for stride 1, compiled once per capability (see Note [CPU capability
// dispatch]); only the AVX-512 build has a kernel, the others decline and use im2col + GEMM.
//
// Note [Direct convolution on a wide grid]
// With stride 1, output (oh, ow) reads the padded input at (oh + kh * dh, ow + kw * dw). Laid out
// with the padded input's row length Wp, the output position p = oh * Wp + ow reads the padded
// input at p + kh * dh * Wp + kw * dw: one constant offset per tap for every position. So a
// vector of 16 consecutive positions is one unaligned load per tap, with no im2col and no
// per-row edge handling; positions with ow >= OW (the last Wp - OW of each row) are computed but
// thrown away when stored. The kernel keeps a tile of 3 vectors x 8 output channels in 24
// registers and, per input channel and tap, does 3 loads, 8 weight broadcasts and 24 FMAs. Stores
// compress each vector's kept lanes together: the kept positions of consecutive rows are
// consecutive in the output, so a masked store of the compressed vector lands them in place.
// The input gradient of a stride-1 convolution is a stride-1 convolution of gy with the
// spatially flipped, channel-transposed weight and padding d * (K - 1) - pad, so it runs here too.
// Every output value is the same sequence of FMAs whatever the threads (bias first, then input
// channels and taps in order): results depend on nothing but the inputs.
//
// Note [Vectors of positions]
// The wide grid computes Wp / OW times the useful work. Where ceil(OW / 16) vectors per output
// row compute fewer lanes (OW = 16 or 32: none wasted), each vector is instead a piece of one
// output row, read at row * Wp + 16 * piece of the padded input, stored with a tail mask. A tile's
// vectors are any kVecs of them, each with its own source and destination offsets; images with
// few vectors are padded side by side kVecs to a task so that tiles run across images.
//
// Note [Input-channel chunks]
// A tile reads every input channel's rows under its vectors. With many wide channels (128 x 58
// floats x 4 rows: 116 KB) they do not stay in L1 while the taps pass; the channels then go in
// chunks whose rows fit, each pass adding to the outputs the previous one stored (reloaded with
// an expanding load). Each output is still the same sequence of FMAs (float32 stores are exact).
//
// Note [Direct weight gradient]
// With stride 1, gw[co, ci, t] = sum over images and output positions (oh, ow) of gy[co, oh, ow] *
// xp[ci, oh + kh * dh, ow + kw * dw] (xp: x zero-padded). Rows r = (ci, t) of gw^T each read xp
// at one constant offset from the position, so a tile of kRows rows x kCV vectors of 16 output
// channels does, per output position, kRows broadcasts of xp values, kCV loads of gy^T [position]
// [channel] and kRows * kCV FMAs, summing over positions in registers: no im2col (9 times the
// input, written and read back) and no horizontal sums. gy is transposed once per image, in 16 x 16
// blocks. Images are split among threads, each summing into its own gw^T; those are added in
// thread order, so results depend only on the thread count (as im2col + GEMM's).
#include <algorithm>
#include <utility>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cresset/backend/cpu/conv_kernels.h"
#include "cresset/core/allocator.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

#if defined(__AVX512F__)

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kVecs = 3;      // vectors of positions per tile
constexpr int64_t kChannels = 8;  // output channels per tile
// Images whose vectors are fewer than this go kVecs to a task when their count is not a multiple
// of kVecs, so that no tile is left partly empty (16 x 16 outputs: 16 vectors, 11% of the tiles'
// work thrown away alone). Larger images lose at most 4% alone, about what tasks of 3 images cost
// in balance between 2 threads (64 images: 33 and 31).
constexpr int64_t kMaxGroupedVecs = 32;
// Bytes of padded input one tile may read per pass (see Note [Input-channel chunks]).
constexpr int64_t kTileBytes = 40 * 1024;
// A direct convolution computes more lanes than outputs (Wp / OW times on the wide grid); beyond
// this ratio im2col wins.
constexpr double kMaxWaste = 1.25;

// One stride-1 convolution per group seen as src [N, G * cin, ih, iw] -> dst [N, G * cout, oh,
// ow]: the forward (src = x) or the input gradient (src = gy).
struct Direct {
  int64_t groups, cin, cout;
  int64_t ih, iw, oh, ow;
  int64_t pad_h, pad_w, dh, dw, kh, kw;
  int64_t hp, wp;   // padded source dims
  int64_t plane;    // floats per padded source channel, with slack for the last vector's reads
  bool rows;        // vectors are pieces of output rows, not of the wide grid
  int64_t vecs;     // vectors of positions per image
  int64_t images;   // images per task, padded side by side (see Note [Vectors of positions])
  int64_t tiles;    // tiles per task: ceil(images * vecs / kVecs)
  int64_t cblocks;  // output-channel blocks of kChannels per group
  int64_t chunk;    // input channels per pass of a tile
};

Direct make_direct(const ConvGeometry& g, bool backward) {
  Direct d;
  d.groups = g.groups;
  const int64_t cin = g.in_channels / g.groups, cout = g.out_channels / g.groups;
  d.cin = backward ? cout : cin;
  d.cout = backward ? cin : cout;
  d.kh = g.kernel[1];
  d.kw = g.kernel[2];
  d.dh = g.dilation[1];
  d.dw = g.dilation[2];
  d.ih = backward ? g.out[1] : g.in[1];
  d.iw = backward ? g.out[2] : g.in[2];
  d.oh = backward ? g.in[1] : g.out[1];
  d.ow = backward ? g.in[2] : g.out[2];
  d.pad_h = backward ? d.dh * (d.kh - 1) - g.pad[1] : g.pad[1];
  d.pad_w = backward ? d.dw * (d.kw - 1) - g.pad[2] : g.pad[2];
  d.hp = d.ih + 2 * d.pad_h;
  d.wp = d.iw + 2 * d.pad_w;
  d.plane = d.hp * d.wp + (d.kw - 1) * d.dw + kLanes;
  const int64_t wide = (d.oh * d.wp + kLanes - 1) / kLanes;
  const int64_t by_rows = d.oh * ((d.ow + kLanes - 1) / kLanes);
  d.rows = by_rows <= wide;
  d.vecs = d.rows ? by_rows : wide;
  d.images = d.vecs % kVecs == 0 || d.vecs >= kMaxGroupedVecs ? 1 : kVecs;
  d.tiles = (d.images * d.vecs + kVecs - 1) / kVecs;
  // A tile's vectors span about this many padded rows of each input channel.
  const int64_t span = (d.rows ? kVecs / std::max<int64_t>(1, (d.ow + kLanes - 1) / kLanes)
                               : (kVecs * kLanes + d.wp - 1) / d.wp) +
                       1 + (d.kh - 1) * d.dh;
  const int64_t fit = std::max<int64_t>(1, kTileBytes / (span * d.wp * int64_t(sizeof(float))));
  const int64_t chunks = (d.cin + fit - 1) / fit;
  d.chunk = (d.cin + chunks - 1) / chunks;
  d.cblocks = (d.cout + kChannels - 1) / kChannels;
  return d;
}

// Whether the direct kernel handles g's `kind` product (see Note [Direct convolution on a wide
// grid]) and beats im2col there.
bool direct_applies(ConvKind kind, const ConvGeometry& g) {
  if (g.batch == 0) return false;
  // Two-dimensional (or one-dimensional) and stride 1; pointwise convolutions are plain GEMMs.
  if (g.kernel[0] != 1 || g.pad[0] != 0 || g.in[0] != 1) return false;
  for (int d = 1; d < 3; ++d) {
    if (g.stride[d] != 1) return false;
  }
  if (g.kernel[1] * g.kernel[2] == 1) return false;
  // The weight gradient's lanes are output channels: fewer than half a vector waste most FMAs.
  if (kind == ConvKind::BackwardWeight) return g.out_channels / g.groups >= kChannels;
  const bool backward = kind == ConvKind::BackwardInput;
  if (backward) {
    for (int d = 1; d < 3; ++d) {
      if (g.pad[d] > g.dilation[d] * (g.kernel[d] - 1)) return false;
    }
  }
  const Direct d = make_direct(g, backward);
  // Fewer output channels than a tile leave most of its FMAs unused (3 of 8: the input gradient of
  // an RGB convolution measured 1.4x slower than im2col + GEMM).
  return d.cout >= kChannels && d.ow > 0 && d.oh > 0 &&
         double(d.vecs * kLanes) <= kMaxWaste * double(d.oh * d.ow);
}

// Zeroed floats from the caching CPU allocator: the same sizes recur every training step, where
// a std::vector's fresh pages would cost a page fault and a kernel clear per 4 KB.
class Scratch {
 public:
  explicit Scratch(int64_t n) : bytes_(size_t(std::max<int64_t>(1, n)) * sizeof(float)) {
    data_ = static_cast<float*>(cpu_allocator()->allocate(bytes_));
    std::fill(data_, data_ + bytes_ / sizeof(float), 0.0f);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { cpu_allocator()->deallocate(data_, bytes_); }
  float* data() const { return data_; }

 private:
  size_t bytes_;
  float* data_;
};

// The weight in tiles: packed[gi][cb][ci][tap][kChannels], zero for channels past cout, so that
// one tile's broadcasts for a tap are 8 consecutive floats.
void pack_weight(const float* w, const Direct& d, bool backward, float* packed) {
  const int64_t taps = d.kh * d.kw;
  for (int64_t gi = 0; gi < d.groups; ++gi) {
    for (int64_t co = 0; co < d.cout; ++co) {
      for (int64_t ci = 0; ci < d.cin; ++ci) {
        for (int64_t t = 0; t < taps; ++t) {
          // w is [G * C_out, C_in / G, K...] in the forward view; the input gradient reads it
          // transposed and flipped.
          const float v = backward ? w[((gi * d.cin + ci) * d.cout + co) * taps + taps - 1 - t]
                                   : w[((gi * d.cout + co) * d.cin + ci) * taps + t];
          const int64_t cb = co / kChannels;
          packed[(((gi * d.cblocks + cb) * d.cin + ci) * taps + t) * kChannels + co % kChannels] =
              v;
        }
      }
    }
  }
}

// dst[i] = src[i] for i in [0, n): rows here are a few dozen floats, where memcpy's call costs
// more than the copy.
inline void copy_row(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
  }
}

// The `cin` channels of one image's group into the interior of planes of d.plane floats. The
// padding around it is never written: buffers start zeroed and every image has the same layout.
void pad_source(const float* src, const Direct& d, float* dst) {
  for (int64_t c = 0; c < d.cin; ++c) {
    const float* s = src + c * d.ih * d.iw;
    float* p = dst + c * d.plane + d.pad_h * d.wp + d.pad_w;
    for (int64_t r = 0; r < d.ih; ++r, p += d.wp, s += d.iw) copy_row(p, s, d.iw);
  }
}

// Where one vector of positions of an image is read (offset into the padded source) and stored
// (the lanes kept, compressed, and the output index of the first).
struct VecPlace {
  int64_t src, at;
  __mmask16 keep;
};

VecPlace vec_place(const Direct& d, int64_t i) {
  VecPlace v;
  if (d.rows) {
    const int64_t pieces = (d.ow + kLanes - 1) / kLanes;
    const int64_t row = i / pieces, col = i % pieces * kLanes;
    v.src = row * d.wp + col;
    v.at = row * d.ow + col;
    const int64_t n = std::min(kLanes, d.ow - col);
    v.keep = __mmask16((1u << n) - 1);
    return v;
  }
  const int64_t first = i * kLanes, end = d.oh * d.wp;
  unsigned mask = 0;
  for (int64_t l = 0; l < kLanes; ++l) {
    const int64_t p = first + l;
    if (p < end && p % d.wp < d.ow) mask |= 1u << l;
  }
  v.src = first;
  v.keep = __mmask16(mask);
  v.at = first / d.wp * d.ow + std::min(first % d.wp, d.ow);
  return v;
}

// One tile's vectors: source offsets into the task's padded images, output offsets from the
// task's first image, kept lanes (none for the vectors past the task's images).
struct TilePlaces {
  int64_t src[kVecs], at[kVecs];
  __mmask16 keep[kVecs];
};

// One tile: kChannels output channels (`valid` of them stored) x kVecs vectors of positions, read
// from src (the task's padded images, shifted by each tap).
__attribute__((noinline)) void tile_kernel(const float* src, int64_t channels, int64_t plane,
                                           const int64_t* offsets, int64_t taps, const float* w,
                                           const float* bias, bool first, int64_t valid,
                                           const TilePlaces& tp, float* dst, int64_t dst_plane) {
  __m512 acc[kVecs][kChannels];
  if (first) {
#pragma GCC unroll 8
    for (int64_t c = 0; c < kChannels; ++c) {
      const __m512 b = _mm512_set1_ps(bias && c < valid ? bias[c] : 0.0f);
#pragma GCC unroll 3
      for (int64_t v = 0; v < kVecs; ++v) acc[v][c] = b;
    }
  } else {
    for (int64_t c = 0; c < kChannels; ++c) {
      for (int64_t v = 0; v < kVecs; ++v) {
        acc[v][c] = c < valid ? _mm512_maskz_expandloadu_ps(tp.keep[v], dst + c * dst_plane + tp.at[v])
                              : _mm512_setzero_ps();
      }
    }
  }
  static_assert(kVecs == 3, "the loads below name each vector");
  const int64_t s0 = tp.src[0], s1 = tp.src[1], s2 = tp.src[2];
  for (int64_t ci = 0; ci < channels; ++ci, src += plane) {
    for (int64_t t = 0; t < taps; ++t, w += kChannels) {
      const float* s = src + offsets[t];
      const __m512 x[kVecs] = {_mm512_loadu_ps(s + s0), _mm512_loadu_ps(s + s1),
                               _mm512_loadu_ps(s + s2)};
#pragma GCC unroll 8
      for (int64_t c = 0; c < kChannels; ++c) {
        const __m512 wc = _mm512_set1_ps(w[c]);
#pragma GCC unroll 3
        for (int64_t v = 0; v < kVecs; ++v) acc[v][c] = _mm512_fmadd_ps(x[v], wc, acc[v][c]);
      }
    }
  }
  for (int64_t c = 0; c < valid; ++c) {
    float* out = dst + c * dst_plane;
    for (int64_t v = 0; v < kVecs; ++v) {
      const __mmask16 k = tp.keep[v];
      if (k == 0xFFFF) {
        _mm512_storeu_ps(out + tp.at[v], acc[v][c]);
      } else if (k) {
        const __mmask16 n = __mmask16((1u << __builtin_popcount(k)) - 1);
        _mm512_mask_storeu_ps(out + tp.at[v], n, _mm512_maskz_compress_ps(k, acc[v][c]));
      }
    }
  }
}

void run_direct(const float* src, const float* w, const float* bias, float* dst,
                const ConvGeometry& g, bool backward) {
  const Direct d = make_direct(g, backward);
  const Scratch packed(d.groups * d.cblocks * d.cin * d.kh * d.kw * kChannels);
  pack_weight(w, d, backward, packed.data());
  const int64_t taps = d.kh * d.kw;
  std::vector<int64_t> offsets(static_cast<size_t>(taps));
  for (int64_t t = 0; t < taps; ++t) {
    offsets[size_t(t)] = (t / d.kw) * d.dh * d.wp + (t % d.kw) * d.dw;
  }
  std::vector<VecPlace> places(static_cast<size_t>(d.vecs));
  for (int64_t i = 0; i < d.vecs; ++i) places[size_t(i)] = vec_place(d, i);
  const int64_t src_plane = d.ih * d.iw, src_image = d.groups * d.cin * src_plane;
  const int64_t dst_plane = d.oh * d.ow, dst_image = d.groups * d.cout * dst_plane;
  const int64_t padded_image = d.cin * d.plane;
  // Each task is a group of up to d.images images' range of tiles; with fewer groups than
  // threads, groups split. Groups form within each thread's share of the batch, so that the
  // shares stay even (64 images on 2 threads: 10 groups of 3 and one of 2 each, not 33 and 31).
  const int64_t threads = in_parallel_region() ? 1 : get_num_threads();
  const int64_t shares = std::max<int64_t>(1, std::min(g.batch, threads));
  std::vector<std::pair<int64_t, int64_t>> groups;  // first image, images
  for (int64_t s = 0; s < shares; ++s) {
    const int64_t end = g.batch * (s + 1) / shares;
    for (int64_t n = g.batch * s / shares; n < end; n += d.images) {
      groups.emplace_back(n, std::min(d.images, end - n));
    }
  }
  const int64_t groups_n = int64_t(groups.size());
  const int64_t parts = std::min(d.tiles, (threads + groups_n - 1) / groups_n);
  parallel_for(0, groups_n * parts, 1, [&](int64_t t0, int64_t t1) {
    const Scratch padded(d.images * padded_image);
    std::vector<TilePlaces> tiles(static_cast<size_t>(d.tiles));
    for (int64_t task = t0; task < t1; ++task) {
      const auto [n0, count] = groups[size_t(task / parts)];
      const int64_t part = task % parts;
      const int64_t ntiles = (count * d.vecs + kVecs - 1) / kVecs;
      const int64_t b0 = ntiles * part / parts, b1 = ntiles * (part + 1) / parts;
      for (int64_t b = b0; b < b1; ++b) {
        for (int64_t v = 0; v < kVecs; ++v) {
          const int64_t q = b * kVecs + v, j = q / d.vecs;
          const VecPlace& p = places[size_t(q % d.vecs)];
          TilePlaces& tp = tiles[size_t(b)];
          tp.src[v] = j < count ? j * padded_image + p.src : 0;
          tp.at[v] = j < count ? j * dst_image + p.at : 0;
          tp.keep[v] = j < count ? p.keep : __mmask16(0);
        }
      }
      for (int64_t gi = 0; gi < d.groups; ++gi) {
        for (int64_t j = 0; j < count; ++j) {
          pad_source(src + (n0 + j) * src_image + gi * d.cin * src_plane, d,
                     padded.data() + j * padded_image);
        }
        float* out = dst + n0 * dst_image + gi * d.cout * dst_plane;
        // Output-channel blocks outer: their weights stay in L1 while the tiles pass (measured
        // 5-20% faster than all blocks per tile, which streams every weight from L2 per tile).
        for (int64_t cb = 0; cb < d.cblocks; ++cb) {
          const int64_t c0 = cb * kChannels;
          for (int64_t i0 = 0; i0 < d.cin; i0 += d.chunk) {
            const int64_t i1 = std::min(d.cin, i0 + d.chunk);
            for (int64_t b = b0; b < b1; ++b) {
              tile_kernel(padded.data() + i0 * d.plane, i1 - i0, d.plane, offsets.data(), taps,
                          packed.data() + ((gi * d.cblocks + cb) * d.cin + i0) * taps * kChannels,
                          bias ? bias + gi * d.cout + c0 : nullptr, i0 == 0,
                          std::min(kChannels, d.cout - c0), tiles[size_t(b)], out + c0 * dst_plane,
                          dst_plane);
            }
          }
        }
      }
    }
  });
}

// gw^T rows per weight-gradient tile (see Note [Direct weight gradient]).
constexpr int64_t kRows = 6;

// dst[l * ld + c] = src[c * len + l] for c < channels, l < len; channels [channels, ld) of dst
// are zero. One 16 x 16 block at a time: 4 rounds of in-register shuffles.
void transpose_channels(const float* src, int64_t channels, int64_t len, float* dst, int64_t ld) {
  for (int64_t c0 = 0; c0 < ld; c0 += kLanes) {
    for (int64_t l0 = 0; l0 < len; l0 += kLanes) {
      const int64_t n = std::min(kLanes, len - l0);
      const __mmask16 m = __mmask16((1u << n) - 1);
      __m512 r[kLanes], t[kLanes];
      for (int64_t i = 0; i < kLanes; ++i) {
        r[i] = c0 + i < channels ? _mm512_maskz_loadu_ps(m, src + (c0 + i) * len + l0)
                                 : _mm512_setzero_ps();
      }
      // Pairs of rows interleaved, then pairs of pairs: t[4i + k] holds, in 128-bit lane L,
      // column 4L + k of rows 4i..4i+3.
      for (int64_t i = 0; i < kLanes; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int64_t i = 0; i < kLanes; i += 4) {
        const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
        const __m512d c = _mm512_castps_pd(t[i + 2]), e = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, e));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, e));
      }
      // Lane L of r[k], r[4 + k], r[8 + k], r[12 + k] together make column 4L + k.
      for (int64_t k = 0; k < 4; ++k) {
        const __m512 v0 = _mm512_shuffle_f32x4(r[k], r[4 + k], 0x44);
        const __m512 v1 = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0x44);
        const __m512 v2 = _mm512_shuffle_f32x4(r[k], r[4 + k], 0xEE);
        const __m512 v3 = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0xEE);
        t[k] = _mm512_shuffle_f32x4(v0, v1, 0x88);
        t[4 + k] = _mm512_shuffle_f32x4(v0, v1, 0xDD);
        t[8 + k] = _mm512_shuffle_f32x4(v2, v3, 0x88);
        t[12 + k] = _mm512_shuffle_f32x4(v2, v3, 0xDD);
      }
      for (int64_t j = 0; j < n; ++j) _mm512_storeu_ps(dst + (l0 + j) * ld + c0, t[j]);
    }
  }
}

// acc[r][v] (kRows rows of gw^T at acc, row stride ld, kCV vectors of output channels) += the sum
// over output rows [oh0, oh1) of xp[rows[r] + position] * gyt[position][v].
template <int64_t kCV>
__attribute__((noinline)) void weight_tile(const float* xp, const int64_t* rows, const float* gyt,
                                           int64_t ldg, const Direct& d, int64_t oh0, int64_t oh1,
                                           float* acc_out, int64_t ld) {
  __m512 acc[kRows][kCV];
  const float* x[kRows];
#pragma GCC unroll 6
  for (int64_t r = 0; r < kRows; ++r) {
    x[r] = xp + rows[r];
#pragma GCC unroll 4
    for (int64_t v = 0; v < kCV; ++v) acc[r][v] = _mm512_loadu_ps(acc_out + r * ld + v * kLanes);
  }
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const float* g = gyt + oh * d.ow * ldg;
    const int64_t base = oh * d.wp;
    for (int64_t ow = 0; ow < d.ow; ++ow, g += ldg) {
      __m512 gv[kCV];
#pragma GCC unroll 4
      for (int64_t v = 0; v < kCV; ++v) gv[v] = _mm512_loadu_ps(g + v * kLanes);
#pragma GCC unroll 6
      for (int64_t r = 0; r < kRows; ++r) {
        const __m512 b = _mm512_set1_ps(x[r][base + ow]);
#pragma GCC unroll 4
        for (int64_t v = 0; v < kCV; ++v) acc[r][v] = _mm512_fmadd_ps(b, gv[v], acc[r][v]);
      }
    }
  }
#pragma GCC unroll 6
  for (int64_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int64_t v = 0; v < kCV; ++v) _mm512_storeu_ps(acc_out + r * ld + v * kLanes, acc[r][v]);
  }
}

using WeightTile = void (*)(const float*, const int64_t*, const float*, int64_t, const Direct&,
                            int64_t, int64_t, float*, int64_t);

// gw [G * C_out, C_in / G, K...] from gy and x (see Note [Direct weight gradient]).
void run_weight(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Direct d = make_direct(g, false);
  const int64_t taps = d.kh * d.kw, nrows = d.cin * taps, len = d.oh * d.ow;
  const int64_t ldc = (d.cout + kLanes - 1) / kLanes * kLanes;  // channels padded to vectors
  const int64_t vecs = ldc / kLanes;
  const int64_t cv = vecs % 4 == 0 ? 4 : vecs % 2 == 0 ? 2 : 1;
  const WeightTile tile = cv == 4 ? weight_tile<4> : cv == 2 ? weight_tile<2> : weight_tile<1>;
  // Rows past the last compute on row 0's values, into gw^T rows that are never read.
  const int64_t prows = (nrows + kRows - 1) / kRows * kRows;
  std::vector<int64_t> rows(static_cast<size_t>(prows), 0);
  for (int64_t r = 0; r < nrows; ++r) {
    const int64_t ci = r / taps, t = r % taps;
    rows[size_t(r)] = ci * d.plane + (t / d.kw) * d.dh * d.wp + (t % d.kw) * d.dw;
  }
  // Output rows per block: about 128 positions, whose gy^T and xp rows stay in L1 while every
  // tile passes over them.
  const int64_t block = std::max<int64_t>(1, 128 / d.ow);
  const int64_t threads = in_parallel_region() ? 1 : get_num_threads();
  const int64_t slots = std::max<int64_t>(1, std::min(g.batch, threads));
  const int64_t per_slot = d.groups * prows * ldc;
  const Scratch partial(slots * per_slot);
  parallel_for(0, slots, 1, [&](int64_t s0, int64_t s1) {
    const Scratch padded(d.cin * d.plane), gyt(len * ldc);
    for (int64_t s = s0; s < s1; ++s) {
      for (int64_t n = g.batch * s / slots; n < g.batch * (s + 1) / slots; ++n) {
        for (int64_t gi = 0; gi < d.groups; ++gi) {
          pad_source(x + (n * d.groups + gi) * d.cin * d.ih * d.iw, d, padded.data());
          transpose_channels(gy + (n * d.groups + gi) * d.cout * len, d.cout, len, gyt.data(), ldc);
          float* acc = partial.data() + s * per_slot + gi * prows * ldc;
          for (int64_t oh0 = 0; oh0 < d.oh; oh0 += block) {
            const int64_t oh1 = std::min(d.oh, oh0 + block);
            for (int64_t r0 = 0; r0 < nrows; r0 += kRows) {
              for (int64_t c0 = 0; c0 < ldc; c0 += cv * kLanes) {
                tile(padded.data(), rows.data() + r0, gyt.data() + c0, ldc, d, oh0, oh1,
                     acc + r0 * ldc + c0, ldc);
              }
            }
          }
        }
      }
    }
  });
  // gw[o, r] = the sum over slots, in order, of gw^T[r, o].
  parallel_for(0, d.groups * d.cout, 1, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const int64_t gi = o / d.cout, co = o % d.cout;
      float* dst = gw + o * nrows;
      for (int64_t r = 0; r < nrows; ++r) {
        const float* src = partial.data() + gi * prows * ldc + r * ldc + co;
        float sum = src[0];
        for (int64_t s = 1; s < slots; ++s) sum += src[s * per_slot];
        dst[r] = sum;
      }
    }
  });
}

}  // namespace

bool conv_direct_kernel(ConvKind kind, const float* a, const float* b, const float* bias,
                        float* out, const ConvGeometry& g) {
  if (!direct_applies(kind, g)) return false;
  if (kind == ConvKind::BackwardWeight) {
    run_weight(a, b, out, g);
  } else {
    run_direct(a, b, bias, out, g, kind == ConvKind::BackwardInput);
  }
  return true;
}

#else

bool conv_direct_kernel(ConvKind, const float*, const float*, const float*, float*,
                        const ConvGeometry&) {
  return false;
}

#endif

}  // namespace cresset::cpu::CPU_CAPABILITY
