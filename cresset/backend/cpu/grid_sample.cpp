// Grid sampling on the CPU (see Note [Grid sampling taps]). The forward runs over sampled points
// in parallel; the backward over whole batches or over points and (batch, channel) planes, so
// the input gradient's scattered adds never race and don't depend on the thread count.
#include "cresset/backend/cpu/grid_sample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

// Note [Grid sampling taps]
// Every mode is separable: along each spatial axis a grid coordinate selects 1 (nearest),
// 2 (bilinear) or 4 (bicubic) input positions (taps) with weights, and a sampled value is the sum,
// over the corners (one tap per axis), of the input value times the product of the axes' weights.
// Each tap also carries the derivative of its weight with respect to the grid coordinate (the
// unnormalization and padding factors included): all the grid gradient needs. Taps outside the
// input (zeros padding) are dropped. As torch, bicubic pads each integer tap position rather than
// the coordinate, so its grid gradient ignores the padding.

constexpr int kMaxTaps = 4;

template <typename A>
struct AxisTaps {
  int count = 0;
  int64_t index[kMaxTaps];
  A weight[kMaxTaps];
  A dweight[kMaxTaps];  // d weight / d grid coordinate
};

// A grid coordinate (-1 and 1 are the input's edges, or its corner centers when align_corners)
// as an input position; *d = the derivative.
template <typename A>
A unnormalize(A coord, int64_t size, bool align_corners, A* d) {
  if (align_corners) {
    *d = A(size - 1) / 2;
    return (coord + 1) / 2 * A(size - 1);
  }
  *d = A(size) / 2;
  return ((coord + 1) * A(size) - 1) / 2;
}

// x clamped to [0, size - 1] (NaN stays NaN); *d times the derivative (1 strictly inside, else 0).
template <typename A>
A clip(A x, int64_t size, A* d) {
  const A hi = A(size - 1);
  if (x > A(0) && x < hi) return x;
  *d = 0;
  return x <= A(0) ? A(0) : x >= hi ? hi : x;
}

// x reflected about twice_low / 2 and twice_high / 2 until it lies between them; *d times the
// derivative (+-1, or 0 for an empty span).
template <typename A>
A reflect(A x, int64_t twice_low, int64_t twice_high, A* d) {
  if (twice_low == twice_high) {
    *d = 0;
    return A(0);
  }
  const A low = A(twice_low) / 2, span = A(twice_high - twice_low) / 2;
  x -= low;
  if (x < 0) {
    x = -x;
    *d = -*d;
  }
  const A extra = std::fmod(x, span);
  if (std::fmod(std::floor(x / span), A(2)) == 0) return extra + low;
  *d = -*d;
  return span - extra + low;
}

// A position after padding: border and reflection bring it inside the input, zeros keeps it.
template <typename A>
A pad(A x, int64_t size, const GridSampleOptions& o, A* d) {
  switch (o.padding) {
    case GridSamplePadding::Zeros:
      return x;
    case GridSamplePadding::Border:
      return clip(x, size, d);
    case GridSamplePadding::Reflection:
      x = o.align_corners ? reflect(x, 0, 2 * (size - 1), d) : reflect(x, -1, 2 * size - 1, d);
      return clip(x, size, d);
  }
  return x;
}

// An integral-valued position as an index; a far or NaN one maps outside any input.
template <typename A>
int64_t to_index(A f) {
  constexpr int64_t kFar = int64_t(1) << 40;
  if (f > A(-kFar) && f < A(kFar)) return int64_t(f);
  return f <= A(-kFar) ? -kFar : kFar;
}

// The cubic convolution weights (Keys, A = -0.75, as torch) of the 4 taps around a point at
// fraction t past the second, and their derivatives with respect to t.
template <typename A>
void cubic_weights(A t, A* w, A* dw) {
  const A a = A(-0.75);
  auto near = [a](A x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };       // |x| <= 1
  auto far = [a](A x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };  // 1 < |x| < 2
  auto dnear = [a](A x) { return (3 * (a + 2) * x - 2 * (a + 3)) * x; };
  auto dfar = [a](A x) { return (3 * a * x - 10 * a) * x + 8 * a; };
  const A u = 1 - t;
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(u);
  w[3] = far(u + 1);
  dw[0] = dfar(t + 1);
  dw[1] = dnear(t);
  dw[2] = -dnear(u);
  dw[3] = -dfar(u + 1);
}

// The taps of one grid coordinate along an axis of `size` inputs, those outside dropped.
template <typename A>
AxisTaps<A> axis_taps(A coord, int64_t size, const GridSampleOptions& o) {
  AxisTaps<A> t;
  A d;
  A x = unnormalize(coord, size, o.align_corners, &d);
  switch (o.mode) {
    case GridSampleMode::Bilinear: {
      x = pad(x, size, o, &d);
      const A f = std::floor(x);
      t.count = 2;
      t.index[0] = to_index(f);
      t.index[1] = t.index[0] + 1;
      t.weight[0] = (f + 1) - x;
      t.weight[1] = x - f;
      t.dweight[0] = -d;
      t.dweight[1] = d;
      break;
    }
    case GridSampleMode::Nearest:
      x = pad(x, size, o, &d);
      t.count = 1;
      t.index[0] = to_index(std::nearbyint(x));
      t.weight[0] = 1;
      t.dweight[0] = 0;
      break;
    case GridSampleMode::Bicubic: {
      const A f = std::floor(x);
      const int64_t i = to_index(f);
      cubic_weights(x - f, t.weight, t.dweight);
      t.count = 4;
      for (int k = 0; k < 4; ++k) {
        A unused = 0;
        t.index[k] = o.padding == GridSamplePadding::Zeros
                         ? i - 1 + k
                         : to_index(pad(A(i - 1 + k), size, o, &unused));
        t.dweight[k] *= d;
      }
      break;
    }
  }
  int kept = 0;
  for (int k = 0; k < t.count; ++k) {
    if (t.index[k] < 0 || t.index[k] >= size) continue;
    t.index[kept] = t.index[k];
    t.weight[kept] = t.weight[k];
    t.dweight[kept] = t.dweight[k];
    ++kept;
  }
  t.count = kept;
  return t;
}

template <typename A, int ND>
struct Corner {
  int64_t offset;  // within an input plane
  A weight;
  A dweight[ND];  // d weight / d grid coordinate of each axis
};

template <int ND>
constexpr int kMaxCorners = ND == 2 ? kMaxTaps * kMaxTaps : kMaxTaps * kMaxTaps * kMaxTaps;

// Sizes of a contiguous input [N, C, *spatial] and grid [N, *out_spatial, ND]; per-axis arrays
// run x (the last dim) first, as the grid's coordinates.
template <int ND>
struct Geometry {
  int64_t batch, channels, plane = 1, points = 1;
  int64_t size[ND], stride[ND];

  Geometry(const Tensor& input, const Tensor& grid)
      : batch(input.size(0)), channels(input.size(1)) {
    for (int a = 0; a < ND; ++a) {
      size[a] = input.size(input.dim() - 1 - a);
      stride[a] = plane;
      plane *= size[a];
      points *= grid.size(1 + a);
    }
  }
};

// The corners of the sampled point with coordinates g (see Note [Grid sampling taps]); returns
// their count. Summed x fastest, as torch.
template <typename A, int ND, typename T>
int corners(const T* g, const Geometry<ND>& geo, const GridSampleOptions& o, Corner<A, ND>* out) {
  AxisTaps<A> ax[ND];
  int total = 1;
  for (int a = 0; a < ND; ++a) {
    ax[a] = axis_taps(A(g[a]), geo.size[a], o);
    total *= ax[a].count;
  }
  for (int j = 0; j < total; ++j) {
    int k[ND];
    for (int a = 0, r = j; a < ND; ++a) {
      k[a] = r % ax[a].count;
      r /= ax[a].count;
    }
    Corner<A, ND>& c = out[j];
    c.offset = 0;
    c.weight = 1;
    for (int a = 0; a < ND; ++a) {
      c.offset += ax[a].index[k[a]] * geo.stride[a];
      c.weight *= ax[a].weight[k[a]];
      A dw = ax[a].dweight[k[a]];
      for (int b = 0; b < ND; ++b) {
        if (b != a) dw *= ax[b].weight[k[b]];
      }
      c.dweight[a] = dw;
    }
  }
  return total;
}

// Parallel chunks of about kGrainSize elements of work, `per_item` elements per item.
int64_t grain_for(int64_t per_item) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, per_item));
}

template <typename T, int ND>
void forward(const Tensor& out, const Tensor& input, const Tensor& grid,
             const GridSampleOptions& o) {
  using A = opmath_t<T>;
  const Geometry<ND> geo(input, grid);
  const int64_t C = geo.channels, P = geo.points, plane = geo.plane;
  const T* x = input.data<T>();
  const T* g = grid.data<T>();
  T* y = out.data<T>();
  parallel_for(0, geo.batch * P, grain_for(C * kMaxCorners<ND>), [&](int64_t lo, int64_t hi) {
    Corner<A, ND> cs[kMaxCorners<ND>];
    for (int64_t i = lo; i < hi; ++i) {
      const int m = corners(g + i * ND, geo, o, cs);
      const int64_t n = i / P;
      const T* xn = x + n * C * plane;
      T* yi = y + n * C * P + i % P;
      for (int64_t c = 0; c < C; ++c) {
        const T* xc = xn + c * plane;
        A acc = 0;
        for (int j = 0; j < m; ++j) acc += cs[j].weight * A(xc[cs[j].offset]);
        yi[c * P] = T(acc);
      }
    }
  });
}

// One sampled point's share of the gradients: the grid gradient (gg: its ND entries, or null)
// and the input gradient scattered into `acc` (the batch's C planes, or null).
template <typename T, int ND, typename A = opmath_t<T>>
void backward_point(const T* g, const T* xn, const T* gn, int64_t p, const Geometry<ND>& geo,
                    const GridSampleOptions& o, T* gg, A* acc) {
  Corner<A, ND> cs[kMaxCorners<ND>];
  const int m = corners(g, geo, o, cs);
  // Nearest sampling is piecewise constant: its grid gradient is zero (even at infinite values).
  const bool grid_grad = gg && o.mode != GridSampleMode::Nearest;
  A dg[ND] = {};
  for (int64_t c = 0; c < geo.channels; ++c) {
    const A gc = A(gn[c * geo.points + p]);
    if (grid_grad) {
      const T* xc = xn + c * geo.plane;
      for (int j = 0; j < m; ++j) {
        const A v = gc * A(xc[cs[j].offset]);
        for (int a = 0; a < ND; ++a) dg[a] += v * cs[j].dweight[a];
      }
    }
    if (acc) {
      A* ac = acc + c * geo.plane;
      for (int j = 0; j < m; ++j) ac[cs[j].offset] += cs[j].weight * gc;
    }
  }
  if (gg) {
    for (int a = 0; a < ND; ++a) gg[a] = T(dg[a]);
  }
}

// Every input-gradient element sums its contributions in the same order (points, then corners)
// whichever way the work is split, so both splits below give the same bits: whole batches per
// thread when there are enough (one pass for both gradients), else points for the grid gradient
// and (batch, channel) planes for the input gradient.
template <typename T, int ND>
void backward(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad,
              const Tensor& input, const Tensor& grid, const GridSampleOptions& o) {
  using A = opmath_t<T>;
  const Geometry<ND> geo(input, grid);
  const int64_t N = geo.batch, C = geo.channels, P = geo.points, plane = geo.plane;
  const T* x = input.data<T>();
  const T* g = grid.data<T>();
  const T* go = grad.data<T>();
  T* gg = grad_grid.defined() ? grad_grid.data<T>() : nullptr;
  T* gx = grad_input.defined() ? grad_input.data<T>() : nullptr;
  auto flush = [plane](const std::vector<A>& acc, int64_t count, T* dst) {
    for (int64_t k = 0; k < count * plane; ++k) dst[k] = T(acc[size_t(k)]);
  };
  if (N >= get_num_threads()) {
    parallel_for(0, N, grain_for(C * P * kMaxCorners<ND>), [&](int64_t lo, int64_t hi) {
      std::vector<A> acc(gx ? static_cast<size_t>(C * plane) : 0);
      for (int64_t n = lo; n < hi; ++n) {
        std::fill(acc.begin(), acc.end(), A(0));
        for (int64_t p = 0; p < P; ++p) {
          const int64_t i = n * P + p;
          backward_point(g + i * ND, x + n * C * plane, go + n * C * P, p, geo, o,
                         gg ? gg + i * ND : nullptr, gx ? acc.data() : nullptr);
        }
        if (gx) flush(acc, C, gx + n * C * plane);
      }
    });
    return;
  }
  if (gg) {
    parallel_for(0, N * P, grain_for(C * kMaxCorners<ND>), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        const int64_t n = i / P;
        backward_point<T, ND, A>(g + i * ND, x + n * C * plane, go + n * C * P, i % P, geo, o,
                                 gg + i * ND, nullptr);
      }
    });
  }
  if (gx) {
    // One channel at a time: a one-channel geometry over the plane's slice of grad.
    Geometry<ND> one = geo;
    one.channels = 1;
    parallel_for(0, N * C, grain_for(P * kMaxCorners<ND>), [&](int64_t lo, int64_t hi) {
      std::vector<A> acc(static_cast<size_t>(plane));
      for (int64_t nc = lo; nc < hi; ++nc) {
        std::fill(acc.begin(), acc.end(), A(0));
        const int64_t n = nc / C;
        for (int64_t p = 0; p < P; ++p) {
          backward_point<T, ND, A>(g + (n * P + p) * ND, nullptr, go + nc * P, p, one, o, nullptr,
                                   acc.data());
        }
        flush(acc, 1, gx + nc * plane);
      }
    });
  }
}

}  // namespace

void grid_sample_forward(const Tensor& out, const Tensor& input, const Tensor& grid,
                         const GridSampleOptions& options) {
  CRESSET_DISPATCH_FLOAT("grid_sampler", input.dtype(), [&] {
    if (grid.dim() == 5) {
      forward<scalar_t, 3>(out, input, grid, options);
    } else {
      forward<scalar_t, 2>(out, input, grid, options);
    }
  });
}

void grid_sample_backward(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad,
                          const Tensor& input, const Tensor& grid,
                          const GridSampleOptions& options) {
  CRESSET_DISPATCH_FLOAT("grid_sampler", input.dtype(), [&] {
    if (grid.dim() == 5) {
      backward<scalar_t, 3>(grad_input, grad_grid, grad, input, grid, options);
    } else {
      backward<scalar_t, 2>(grad_input, grad_grid, grad, input, grid, options);
    }
  });
}

}  // namespace cresset::cpu
