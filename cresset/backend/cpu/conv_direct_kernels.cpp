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
#include <algorithm>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cresset/backend/cpu/conv_kernels.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

#if defined(__AVX512F__)

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kVecs = 3;      // vectors of positions per tile
constexpr int64_t kChannels = 8;  // output channels per tile
constexpr int64_t kTile = kLanes * kVecs;
// A direct convolution computes Wp / OW times the useful work; beyond this ratio im2col wins.
constexpr double kMaxWaste = 1.25;

// One stride-1 convolution per group seen as src [N, G * cin, ih, iw] -> dst [N, G * cout, oh,
// ow]: the forward (src = x) or the input gradient (src = gy).
struct Direct {
  int64_t groups, cin, cout;
  int64_t ih, iw, oh, ow;
  int64_t pad_h, pad_w, dh, dw, kh, kw;
  int64_t hp, wp;   // padded source dims
  int64_t plane;    // floats per padded source channel, with slack for the last tile's reads
  int64_t tiles;    // position tiles per image: ceil(oh * wp / kTile)
  int64_t cblocks;  // output-channel blocks of kChannels per group
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
  d.plane = d.hp * d.wp + (d.kw - 1) * d.dw + kTile;
  d.tiles = (d.oh * d.wp + kTile - 1) / kTile;
  d.cblocks = (d.cout + kChannels - 1) / kChannels;
  return d;
}

// Whether the direct kernel handles g's `kind` product (see Note [Direct convolution on a wide
// grid]) and beats im2col there.
bool direct_applies(ConvKind kind, const ConvGeometry& g) {
  // The weight gradient's im2col + GEMM measured faster than a direct kernel (3 output channels x
  // 9 taps register tiles on the wide grid, 25% slower on 64 x 32 -> 64 x 16 x 16).
  if (kind == ConvKind::BackwardWeight || g.batch == 0) return false;
  // Two-dimensional (or one-dimensional) and stride 1; pointwise convolutions are plain GEMMs.
  if (g.kernel[0] != 1 || g.pad[0] != 0 || g.in[0] != 1) return false;
  for (int d = 1; d < 3; ++d) {
    if (g.stride[d] != 1) return false;
  }
  if (g.kernel[1] * g.kernel[2] == 1) return false;
  const bool backward = kind == ConvKind::BackwardInput;
  if (backward) {
    for (int d = 1; d < 3; ++d) {
      if (g.pad[d] > g.dilation[d] * (g.kernel[d] - 1)) return false;
    }
  }
  const Direct d = make_direct(g, backward);
  // Fewer output channels than a tile leave most of its FMAs unused (3 of 8: the input gradient of
  // an RGB convolution measured 1.4x slower than im2col + GEMM).
  return d.cout >= kChannels && d.ow > 0 && d.oh > 0 && double(d.wp) <= kMaxWaste * double(d.ow);
}

// The weight in tiles: packed[gi][cb][ci][tap][kChannels], zero for channels past cout, so that
// one tile's broadcasts for a tap are 8 consecutive floats.
std::vector<float> pack_weight(const float* w, const Direct& d, bool backward) {
  const int64_t taps = d.kh * d.kw;
  std::vector<float> packed(size_t(d.groups * d.cblocks * d.cin * taps * kChannels), 0.0f);
  for (int64_t gi = 0; gi < d.groups; ++gi) {
    for (int64_t co = 0; co < d.cout; ++co) {
      for (int64_t ci = 0; ci < d.cin; ++ci) {
        for (int64_t t = 0; t < taps; ++t) {
          // w is [G * C_out, C_in / G, K...] in the forward view; the input gradient reads it
          // transposed and flipped.
          const float v = backward ? w[((gi * d.cin + ci) * d.cout + co) * taps + taps - 1 - t]
                                   : w[((gi * d.cout + co) * d.cin + ci) * taps + t];
          const int64_t cb = co / kChannels;
          packed[size_t((((gi * d.cblocks + cb) * d.cin + ci) * taps + t) * kChannels +
                        co % kChannels)] = v;
        }
      }
    }
  }
  return packed;
}

// dst[i] = src[i] (zero when src is null) for i in [0, n): rows here are a few dozen floats, where
// memcpy's call costs more than the copy.
inline void copy_row(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(dst + i, m,
                          src ? _mm512_maskz_loadu_ps(m, src + i) : _mm512_setzero_ps());
  }
}

// The `cin` channels of one image's group, zero-padded into planes of d.plane floats.
void pad_source(const float* src, const Direct& d, float* dst) {
  for (int64_t c = 0; c < d.cin; ++c) {
    const float* s = src + c * d.ih * d.iw;
    float* p = dst + c * d.plane;
    copy_row(p, nullptr, d.pad_h * d.wp);
    p += d.pad_h * d.wp;
    for (int64_t r = 0; r < d.ih; ++r, p += d.wp, s += d.iw) {
      copy_row(p, nullptr, d.pad_w);
      copy_row(p + d.pad_w, s, d.iw);
      copy_row(p + d.pad_w + d.iw, nullptr, d.pad_w);
    }
    copy_row(p, nullptr, d.plane - (d.pad_h + d.ih) * d.wp);
  }
}

// Where one tile's vectors go: the lanes kept (ow < OW, inside the image) and the output index of
// the first kept lane.
struct TileStores {
  __mmask16 keep[kVecs];
  int64_t at[kVecs];
};

TileStores tile_stores(const Direct& d, int64_t p0) {
  TileStores s;
  const int64_t end = d.oh * d.wp;
  for (int64_t v = 0; v < kVecs; ++v) {
    const int64_t first = p0 + v * kLanes;
    unsigned mask = 0;
    for (int64_t l = 0; l < kLanes; ++l) {
      const int64_t p = first + l;
      if (p < end && p % d.wp < d.ow) mask |= 1u << l;
    }
    s.keep[v] = __mmask16(mask);
    s.at[v] = first / d.wp * d.ow + std::min(first % d.wp, d.ow);
  }
  return s;
}

// One tile: kChannels output channels (`valid` of them stored) x kTile positions starting at
// src (the padded source at the tile's first position).
__attribute__((noinline)) void tile_kernel(const float* src, const Direct& d,
                                           const int64_t* offsets, int64_t taps, const float* w,
                                           const float* bias, int64_t valid, const TileStores& st,
                                           float* dst, int64_t dst_plane) {
  __m512 acc[kVecs][kChannels];
#pragma GCC unroll 8
  for (int64_t c = 0; c < kChannels; ++c) {
    const __m512 b = _mm512_set1_ps(bias && c < valid ? bias[c] : 0.0f);
#pragma GCC unroll 3
    for (int64_t v = 0; v < kVecs; ++v) acc[v][c] = b;
  }
  for (int64_t ci = 0; ci < d.cin; ++ci, src += d.plane) {
    for (int64_t t = 0; t < taps; ++t, w += kChannels) {
      const float* s = src + offsets[t];
      __m512 x[kVecs];
#pragma GCC unroll 3
      for (int64_t v = 0; v < kVecs; ++v) x[v] = _mm512_loadu_ps(s + v * kLanes);
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
      const __mmask16 k = st.keep[v];
      if (k == 0xFFFF) {
        _mm512_storeu_ps(out + st.at[v], acc[v][c]);
      } else if (k) {
        const __mmask16 n = __mmask16((1u << __builtin_popcount(k)) - 1);
        _mm512_mask_storeu_ps(out + st.at[v], n, _mm512_maskz_compress_ps(k, acc[v][c]));
      }
    }
  }
}

void run_direct(const float* src, const float* w, const float* bias, float* dst,
                const ConvGeometry& g, bool backward) {
  const Direct d = make_direct(g, backward);
  const std::vector<float> packed = pack_weight(w, d, backward);
  const int64_t taps = d.kh * d.kw;
  std::vector<int64_t> offsets(static_cast<size_t>(taps));
  for (int64_t t = 0; t < taps; ++t) {
    offsets[size_t(t)] = (t / d.kw) * d.dh * d.wp + (t % d.kw) * d.dw;
  }
  // Where each tile's vectors go, the same for every image and group.
  std::vector<TileStores> stores(static_cast<size_t>(d.tiles));
  for (int64_t b = 0; b < d.tiles; ++b) stores[size_t(b)] = tile_stores(d, b * kTile);
  // Each task is one image's range of tiles; with fewer images than threads, images split.
  const int64_t threads = in_parallel_region() ? 1 : get_num_threads();
  const int64_t parts = std::min(d.tiles, (threads + g.batch - 1) / g.batch);
  const int64_t src_image = d.groups * d.cin * d.ih * d.iw, dst_plane = d.oh * d.ow;
  const int64_t dst_image = d.groups * d.cout * dst_plane;
  parallel_for(0, g.batch * parts, 1, [&](int64_t t0, int64_t t1) {
    std::vector<float> padded(size_t(d.cin * d.plane));
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t n = task / parts, part = task % parts;
      const int64_t b0 = d.tiles * part / parts, b1 = d.tiles * (part + 1) / parts;
      for (int64_t gi = 0; gi < d.groups; ++gi) {
        pad_source(src + n * src_image + gi * d.cin * d.ih * d.iw, d, padded.data());
        float* out = dst + n * dst_image + gi * d.cout * dst_plane;
        // Output-channel blocks outer: their weights stay in L1 while the tiles pass (measured
        // 5-20% faster than all blocks per tile, which streams every weight from L2 per tile).
        for (int64_t cb = 0; cb < d.cblocks; ++cb) {
          for (int64_t b = b0; b < b1; ++b) {
            const TileStores& st = stores[size_t(b)];
            const int64_t c0 = cb * kChannels;
            tile_kernel(padded.data() + b * kTile, d, offsets.data(), taps,
                        packed.data() + (gi * d.cblocks + cb) * d.cin * taps * kChannels,
                        bias ? bias + gi * d.cout + c0 : nullptr, std::min(kChannels, d.cout - c0),
                        st, out + c0 * dst_plane, dst_plane);
          }
        }
      }
    }
  });
}

}  // namespace

bool conv_direct_kernel(ConvKind kind, const float* a, const float* b, const float* bias,
                        float* out, const ConvGeometry& g) {
  if (!direct_applies(kind, g)) return false;
  run_direct(a, b, bias, out, g, kind == ConvKind::BackwardInput);
  return true;
}

#else

bool conv_direct_kernel(ConvKind, const float*, const float*, const float*, float*,
                        const ConvGeometry&) {
  return false;
}

#endif

}  // namespace cresset::cpu::CPU_CAPABILITY
