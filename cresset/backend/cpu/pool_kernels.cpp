// Pooling, unpooling and separable resampling kernels (see Note [Pooling plans]). Each kernel runs
// in parallel over planes (batch x channels), so results never depend on the thread count.
#include "cresset/backend/cpu/pool_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// Planes per parallel chunk: about kGrainSize elements of work each.
int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work_per_plane, 1));
}

template <typename M>
bool is_nan(M v) {
  return v != v;
}

// Kernel 2x2 stride 2 over [H, W] planes: the CNN hot path, with no tables. Taps are compared in
// torch's order (row by row), so ties and NaNs resolve the same way.
template <typename T>
void max_pool_2x2(const T* x, T* y, int64_t* ind, const PoolPlan& p) {
  using M = opmath_t<T>;
  parallel_for(0, p.planes, plane_grain(p.axes[1].in_size * p.axes[2].in_size),
               [&](int64_t begin, int64_t end) {
                 // Locals rather than captured references: the output stores could alias those,
                 // which keeps the loops below from vectorizing.
                 const int64_t H = p.axes[1].in_size, W = p.axes[2].in_size;
                 const int64_t OH = p.axes[1].out_size, OW = p.axes[2].out_size;
                 for (int64_t pl = begin; pl < end; ++pl) {
                   const T* xp = x + pl * H * W;
                   T* yp = y + pl * OH * OW;
                   int64_t* ip = ind ? ind + pl * OH * OW : nullptr;
                   for (int64_t oh = 0; oh < OH; ++oh) {
                     const T* r0 = xp + 2 * oh * W;
                     const T* r1 = r0 + W;
                     T* yr = yp + oh * OW;
                     if (ip) {
                       int64_t* ir = ip + oh * OW;
                       const int64_t base = 2 * oh * W;
          // Branch-free selects so the loop vectorizes: random data mispredicts every branch.
#pragma omp simd
                       for (int64_t ow = 0; ow < OW; ++ow) {
                         M best = M(r0[2 * ow]);
                         int64_t at = 0;
                         M v = M(r0[2 * ow + 1]);
                         int64_t take = (v > best) | (v != v);
                         best = take ? v : best;
                         at = take ? 1 : at;
                         v = M(r1[2 * ow]);
                         take = (v > best) | (v != v);
                         best = take ? v : best;
                         at = take ? W : at;
                         v = M(r1[2 * ow + 1]);
                         take = (v > best) | (v != v);
                         best = take ? v : best;
                         at = take ? W + 1 : at;
                         yr[ow] = T(best);
                         ir[ow] = base + 2 * ow + at;
                       }
                     } else {
#pragma omp simd
                       for (int64_t ow = 0; ow < OW; ++ow) {
                         M best = M(r0[2 * ow]);
                         M v = M(r0[2 * ow + 1]);
                         best = ((v > best) | (v != v)) ? v : best;
                         v = M(r1[2 * ow]);
                         best = ((v > best) | (v != v)) ? v : best;
                         v = M(r1[2 * ow + 1]);
                         best = ((v > best) | (v != v)) ? v : best;
                         yr[ow] = T(best);
                       }
                     }
                   }
                 }
               });
}

template <typename T>
void max_pool_2x2_backward(T* gi, const T* go, const int64_t* ind, const PoolPlan& p) {
  parallel_for(0, p.planes, plane_grain(p.axes[1].in_size * p.axes[2].in_size),
               [&](int64_t begin, int64_t end) {
                 const int64_t H = p.axes[1].in_size,
                               W = p.axes[2].in_size;  // locals: see max_pool_2x2
                 const int64_t OH = p.axes[1].out_size, OW = p.axes[2].out_size;
                 for (int64_t pl = begin; pl < end; ++pl) {
                   T* gp = gi + pl * H * W;
                   const T* g = go + pl * OH * OW;
                   const int64_t* ip = ind + pl * OH * OW;
                   for (int64_t oh = 0; oh < OH; ++oh) {
                     T* r0 = gp + 2 * oh * W;
                     T* r1 = r0 + W;
                     const T* gr = g + oh * OW;
                     const int64_t* ir = ip + oh * OW;
                     const int64_t base = 2 * oh * W;
#pragma omp simd
                     for (int64_t ow = 0; ow < OW; ++ow) {
                       const int64_t at = ir[ow] - base - 2 * ow;  // 0, 1, W or W + 1
                       const T v = gr[ow], zero = T(0);
                       r0[2 * ow] = at == 0 ? v : zero;
                       r0[2 * ow + 1] = at == 1 ? v : zero;
                       r1[2 * ow] = at == W ? v : zero;
                       r1[2 * ow + 1] = at == W + 1 ? v : zero;
                     }
                     for (int64_t w = 2 * OW; w < W; ++w) r0[w] = r1[w] = T(0);
                   }
                   std::fill(gp + 2 * OH * W, gp + H * W, T(0));
                 }
               });
}

// The widest run [lo, hi) of W outputs whose windows are all full (kfull taps) and `stride` apart:
// there the taps of a row can be read for many outputs at once.
struct UniformRun {
  int64_t lo = 0, hi = 0, kfull = 0, stride = 0;
};

UniformRun uniform_run(const PoolAxis& a) {
  UniformRun r;
  for (int64_t c : a.count) r.kfull = std::max(r.kfull, c);
  const int64_t n = a.out_size;
  int64_t lo = 0;
  while (lo < n && a.count[lo] != r.kfull) ++lo;
  int64_t hi = std::min(lo + 1, n);
  const int64_t stride = hi < n ? a.first[hi] - a.first[lo] : 0;
  while (hi < n && a.count[hi] == r.kfull && a.first[hi] - a.first[hi - 1] == stride) ++hi;
  r.lo = lo;
  r.hi = hi;
  r.stride = stride;
  return r;
}

// Max pooling by the plan's tables, one output row at a time: for each window row (kd, kh) the
// taps kw are read for every output of the uniform run in one vectorizable loop, and per output
// elsewhere. Each output still sees its taps in torch's (kd, kh, kw) order.
template <typename T>
void max_pool_generic(const T* x, T* y, int64_t* ind, const PoolPlan& p) {
  using M = opmath_t<T>;
  const M lowest = std::numeric_limits<M>::has_infinity ? -std::numeric_limits<M>::infinity()
                                                        : std::numeric_limits<M>::lowest();
  const PoolAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const UniformRun run = uniform_run(aw);
  const int64_t OW = aw.out_size;
  const int64_t in_plane = ad.in_size * ah.in_size * aw.in_size;
  const int64_t out_plane = ad.out_size * ah.out_size * OW;
  int64_t window = 1;
  for (const PoolAxis& a : p.axes) window *= a.count.empty() ? 1 : a.count[0];
  parallel_for(0, p.planes, plane_grain(out_plane * window), [&](int64_t begin, int64_t end) {
    std::vector<M> best(static_cast<size_t>(OW));
    std::vector<int64_t> at(static_cast<size_t>(OW));
    M* bp = best.data();
    int64_t* ap = at.data();
    const int64_t H = ah.in_size, W = aw.in_size, lo = run.lo, hi = run.hi;
    const int64_t S = run.stride, step = aw.step, w_lo = lo < hi ? aw.first[lo] : 0;
    for (int64_t pl = begin; pl < end; ++pl) {
      const T* xp = x + pl * in_plane;
      int64_t o = pl * out_plane;
      for (int64_t od = 0; od < ad.out_size; ++od) {
        for (int64_t oh = 0; oh < ah.out_size; ++oh, o += OW) {
          const int64_t d0 = ad.first[od], h0 = ah.first[oh];
          for (int64_t ow = 0; ow < OW; ++ow) {
            bp[ow] = lowest;
            ap[ow] = (d0 * H + h0) * W + aw.first[ow];
          }
          for (int64_t kd = 0; kd < ad.count[od]; ++kd) {
            for (int64_t kh = 0; kh < ah.count[oh]; ++kh) {
              const int64_t row = ((d0 + kd * ad.step) * H + h0 + kh * ah.step) * W;
              const T* xr = xp + row;
              for (int64_t kw = 0; kw < run.kfull; ++kw) {
                const int64_t base = w_lo + kw * step - lo * S;
#pragma omp simd
                for (int64_t ow = lo; ow < hi; ++ow) {
                  const int64_t j = base + ow * S;
                  const M v = M(xr[j]);
                  const int64_t take = (v > bp[ow]) | (v != v);
                  bp[ow] = take ? v : bp[ow];
                  ap[ow] = take ? row + j : ap[ow];
                }
              }
              // The outputs outside the run, one at a time.
              for (int64_t ow = lo == 0 ? hi : 0; ow < OW; ow = ow + 1 == lo ? hi : ow + 1) {
                for (int64_t kw = 0; kw < aw.count[ow]; ++kw) {
                  const int64_t j = aw.first[ow] + kw * step;
                  const M v = M(xr[j]);
                  const bool take = (v > bp[ow]) | is_nan(v);
                  bp[ow] = take ? v : bp[ow];
                  ap[ow] = take ? row + j : ap[ow];
                }
              }
            }
          }
          for (int64_t ow = 0; ow < OW; ++ow) y[o + ow] = T(bp[ow]);
          if (ind) std::copy(ap, ap + OW, ind + o);
        }
      }
    }
  });
}

// The averaging divisor of one window: the product of the axes' factors (or the override), or
// for adaptive pooling each factor in turn.
struct WindowDiv {
  int64_t total;
  int64_t axis[3];
  bool per_axis;
};

// v divided as torch does; round_steps rounds each step to T (torch's backwards compute in T).
template <typename T>
opmath_t<T> divide(opmath_t<T> v, const WindowDiv& d, bool round_steps) {
  using M = opmath_t<T>;
  if (!d.per_axis) return round_steps ? M(T(v / M(d.total))) : v / M(d.total);
  for (int64_t a : d.axis) {
    v = v / M(a);
    if (round_steps) v = M(T(v));
  }
  return v;
}

// Calls f(o, offset of the window's first tap, taps per axis, divisor) for every output of a
// plane, from the per-axis tables.
template <typename F>
void for_each_avg_window(const PoolPlan& p, const F& f) {
  const PoolAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t H = ah.in_size, W = aw.in_size;
  int64_t o = 0;
  for (int64_t od = 0; od < ad.out_size; ++od) {
    for (int64_t oh = 0; oh < ah.out_size; ++oh) {
      for (int64_t ow = 0; ow < aw.out_size; ++ow, ++o) {
        WindowDiv div{0, {ad.divisor[od], ah.divisor[oh], aw.divisor[ow]}, p.divide_per_axis};
        div.total =
            p.divisor_override != 0 ? p.divisor_override : div.axis[0] * div.axis[1] * div.axis[2];
        f(o, (ad.first[od] * H + ah.first[oh]) * W + aw.first[ow], ad.count[od], ah.count[oh],
          aw.count[ow], div);
      }
    }
  }
}

template <typename T>
void avg_pool_impl(const T* x, T* y, const PoolPlan& p) {
  using M = opmath_t<T>;
  const int64_t H = p.axes[1].in_size, W = p.axes[2].in_size;
  const int64_t in_plane = p.axes[0].in_size * H * W;
  const int64_t out_plane = p.axes[0].out_size * p.axes[1].out_size * p.axes[2].out_size;
  if (out_plane == 1 && p.axes[0].count[0] * p.axes[1].count[0] * p.axes[2].count[0] == in_plane &&
      p.divisor_override == 0) {
    // Global average (ResNet heads): one contiguous sum per plane.
    parallel_for(0, p.planes, plane_grain(in_plane), [&](int64_t begin, int64_t end) {
      for (int64_t pl = begin; pl < end; ++pl) {
        const T* xp = x + pl * in_plane;
        M s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t i = 0; i < in_plane; ++i) s += M(xp[i]);
        y[pl] = T(s / M(in_plane));
      }
    });
    return;
  }
  parallel_for(0, p.planes, plane_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t pl = begin; pl < end; ++pl) {
      const T* xp = x + pl * in_plane;
      T* yp = y + pl * out_plane;
      for_each_avg_window(p, [&](int64_t o, int64_t start, int64_t cd, int64_t ch, int64_t cw,
                                 const WindowDiv& div) {
        M s = 0;
        for (int64_t kd = 0; kd < cd; ++kd) {
          for (int64_t kh = 0; kh < ch; ++kh) {
            const T* r = xp + start + (kd * H + kh) * W;
            for (int64_t kw = 0; kw < cw; ++kw) s += M(r[kw]);
          }
        }
        yp[o] = T(divide<T>(s, div, false));
      });
    }
  });
}

// Runs body(pl, acc) for each plane, where acc is a zeroed accumulation plane of type A: grad_in's
// own plane when A is T, else a scratch plane rounded into it after. Pooling backwards accumulate
// in T and resampling backwards in the compute type, as torch's kernels do.
template <typename A, typename T, typename F>
void for_each_grad_plane(T* gi, int64_t planes, int64_t in_plane, int64_t grain, const F& body) {
  parallel_for(0, planes, grain, [&](int64_t begin, int64_t end) {
    std::vector<A> scratch(std::is_same_v<T, A> ? 0 : static_cast<size_t>(in_plane));
    for (int64_t pl = begin; pl < end; ++pl) {
      T* g = gi + pl * in_plane;
      A* acc = std::is_same_v<T, A> ? reinterpret_cast<A*>(g) : scratch.data();
      std::fill(acc, acc + in_plane, A(0));
      body(pl, acc);
      if constexpr (!std::is_same_v<T, A>) {
        for (int64_t i = 0; i < in_plane; ++i) g[i] = T(acc[i]);
      }
    }
  });
}

template <typename T>
void avg_pool_backward_impl(T* gi, const T* go, const PoolPlan& p) {
  using M = opmath_t<T>;
  const int64_t H = p.axes[1].in_size, W = p.axes[2].in_size;
  const int64_t in_plane = p.axes[0].in_size * H * W;
  const int64_t out_plane = p.axes[0].out_size * p.axes[1].out_size * p.axes[2].out_size;
  for_each_grad_plane<T>(
      gi, p.planes, in_plane, plane_grain(in_plane + out_plane), [&](int64_t pl, T* acc) {
        const T* gp = go + pl * out_plane;
        for_each_avg_window(p, [&](int64_t o, int64_t start, int64_t cd, int64_t ch, int64_t cw,
                                   const WindowDiv& div) {
          const M g = divide<T>(M(gp[o]), div, true);
          for (int64_t kd = 0; kd < cd; ++kd) {
            for (int64_t kh = 0; kh < ch; ++kh) {
              T* r = acc + start + (kd * H + kh) * W;
              for (int64_t kw = 0; kw < cw; ++kw) r[kw] = T(M(r[kw]) + g);
            }
          }
        });
      });
}

template <typename T>
bool index_scatter_impl(T* dst, const T* src, const int64_t* index, int64_t planes,
                        int64_t dst_plane, int64_t src_plane, bool accumulate, int64_t* bad_out) {
  using M = opmath_t<T>;
  std::atomic<bool> found{false};
  std::atomic<int64_t> bad{0};
  for_each_grad_plane<T>(dst, planes, dst_plane, plane_grain(dst_plane + src_plane),
                         [&](int64_t pl, T* acc) {
                           const T* s = src + pl * src_plane;
                           const int64_t* ix = index + pl * src_plane;
                           for (int64_t i = 0; i < src_plane; ++i) {
                             const int64_t at = ix[i];
                             if (at < 0 || at >= dst_plane) {
                               bad.store(at, std::memory_order_relaxed);
                               found.store(true, std::memory_order_relaxed);
                               return;
                             }
                             acc[at] = accumulate ? T(M(acc[at]) + M(s[i])) : s[i];
                           }
                         });
  *bad_out = bad.load();
  return found.load();
}

// The compute-type weights of a resampling axis, rounded through T first as torch stores them.
template <typename T>
std::vector<opmath_t<T>> axis_weights(const ResampleAxis& a) {
  std::vector<opmath_t<T>> w(a.weight.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = opmath_t<T>(T(a.weight[i]));
  return w;
}

// The input rows one output row (od, oh) reads: for tap pair (td, th), at td * stride_h + th,
// the row's offset in the plane and its H weight; wd[td] the D weights. taps_h of the stride_h
// H taps are used (fewer for antialiasing's variable windows).
template <typename M>
struct RowTaps {
  int64_t taps_d = 1;
  int64_t taps_h = 1;
  int64_t stride_h = 1;
  std::vector<int64_t> offset;
  std::vector<M> wh, wd;
};

template <typename M>
RowTaps<M> row_taps(const ResamplePlan& p, const std::vector<M>& wd, const std::vector<M>& wh,
                    int64_t od, int64_t oh) {
  const ResampleAxis &ad = p.axes[0], &ah = p.axes[1];
  RowTaps<M> r;
  r.taps_d = ad.taps;
  r.stride_h = ah.taps;
  r.taps_h = ah.count.empty() ? ah.taps : ah.count[oh];
  r.offset.resize(size_t(ad.taps * ah.taps));
  r.wh.resize(size_t(ad.taps * ah.taps));
  r.wd.resize(size_t(ad.taps));
  for (int64_t td = 0; td < ad.taps; ++td) {
    const int64_t jd = od * ad.taps + td;
    r.wd[td] = wd[jd];
    for (int64_t th = 0; th < ah.taps; ++th) {
      const int64_t jh = oh * ah.taps + th, at = td * ah.taps + th;
      r.offset[at] = (ad.index[jd] * ah.in_size + ah.index[jh]) * p.axes[2].in_size;
      r.wh[at] = wh[jh];
    }
  }
  return r;
}

// The W taps of one row: index/weight tables with `stride` entries per output, of which KW (or,
// for KW = 0, count[ow]) are used.
template <typename M>
struct WTaps {
  const int64_t* index;
  const M* weight;
  const int64_t* count;
  int64_t stride;
};

// One output row with KH taps along H and KW along W (0: the counts of antialiasing's variable
// windows). Sums nest as torch's separable interpolation nests them:
// sum_d wd * (sum_h wh * (sum_w ww * x)).
template <typename T, int KH, int KW>
void resample_row(const T* xp, T* o, const RowTaps<opmath_t<T>>& rt, const WTaps<opmath_t<T>>& w,
                  int64_t OW) {
  using M = opmath_t<T>;
  const int64_t kh = KH ? KH : rt.taps_h, sh_stride = KH ? KH : rt.stride_h;
  const int64_t tw = KW ? KW : w.stride;
  const int64_t* iw = w.index;
  const M* ww = w.weight;
  for (int64_t ow = 0; ow < OW; ++ow, iw += tw, ww += tw) {
    const int64_t kw = KW ? KW : w.count[ow];
    M sd = 0;
    for (int64_t td = 0; td < rt.taps_d; ++td) {
      M sh = 0;
      for (int64_t th = 0; th < kh; ++th) {
        const T* r = xp + rt.offset[td * sh_stride + th];
        M sw = 0;
        for (int64_t k = 0; k < kw; ++k) sw += M(r[iw[k]]) * ww[k];
        sh += sw * rt.wh[td * sh_stride + th];
      }
      sd += sh * rt.wd[td];
    }
    o[ow] = T(sd);
  }
}

// The transpose of resample_row: accumulates one row of gradients into the input plane `acc`.
template <typename T, int KH, int KW>
void resample_row_backward(opmath_t<T>* acc, const T* g, const RowTaps<opmath_t<T>>& rt,
                           const WTaps<opmath_t<T>>& w, int64_t OW) {
  using M = opmath_t<T>;
  const int64_t kh = KH ? KH : rt.taps_h, sh_stride = KH ? KH : rt.stride_h;
  const int64_t tw = KW ? KW : w.stride;
  const int64_t* iw = w.index;
  const M* ww = w.weight;
  for (int64_t ow = 0; ow < OW; ++ow, iw += tw, ww += tw) {
    const int64_t kw = KW ? KW : w.count[ow];
    const M gv = M(g[ow]);
    for (int64_t td = 0; td < rt.taps_d; ++td) {
      for (int64_t th = 0; th < kh; ++th) {
        M* r = acc + rt.offset[td * sh_stride + th];
        const M wdh = rt.wd[td] * rt.wh[td * sh_stride + th];
        for (int64_t k = 0; k < kw; ++k) r[iw[k]] += wdh * ww[k] * gv;
      }
    }
  }
}

// Calls f(std::integral_constant KH, KW) for the tap counts an interpolation mode has: nearest
// (1, 1), linear 1-D (1, 2), bi/trilinear (2, 2), bicubic (4, 4); (0, 0) for variable windows.
template <typename F>
void with_taps(const ResampleAxis& ah, const ResampleAxis& aw, const F& f) {
  if (!ah.count.empty() || !aw.count.empty()) {
    f(std::integral_constant<int, 0>(), std::integral_constant<int, 0>());
  } else if (aw.taps == 1) {
    f(std::integral_constant<int, 1>(), std::integral_constant<int, 1>());
  } else if (aw.taps == 2 && ah.taps == 1) {
    f(std::integral_constant<int, 1>(), std::integral_constant<int, 2>());
  } else if (aw.taps == 2) {
    f(std::integral_constant<int, 2>(), std::integral_constant<int, 2>());
  } else {
    f(std::integral_constant<int, 4>(), std::integral_constant<int, 4>());
  }
}

template <typename T>
void resample_impl(const T* x, T* y, const ResamplePlan& p, bool backward) {
  using M = opmath_t<T>;
  const ResampleAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const std::vector<M> wd = axis_weights<T>(ad), wh = axis_weights<T>(ah), ww = axis_weights<T>(aw);
  const int64_t in_plane = ad.in_size * ah.in_size * aw.in_size;
  const int64_t OW = aw.out_size, out_plane = ad.out_size * ah.out_size * OW;
  const int64_t work = in_plane + out_plane * ad.taps * ah.taps * aw.taps;
  std::vector<RowTaps<M>> rows;  // per output row, shared by all planes
  for (int64_t od = 0; od < ad.out_size; ++od) {
    for (int64_t oh = 0; oh < ah.out_size; ++oh) rows.push_back(row_taps(p, wd, wh, od, oh));
  }
  const WTaps<M> wt{aw.index.data(), ww.data(), aw.count.empty() ? nullptr : aw.count.data(),
                    aw.taps};
  with_taps(ah, aw, [&](auto kh, auto kw) {
    constexpr int KH = decltype(kh)::value, KW = decltype(kw)::value;
    if (!backward) {
      parallel_for(0, p.planes, plane_grain(work), [&](int64_t begin, int64_t end) {
        for (int64_t pl = begin; pl < end; ++pl) {
          for (size_t r = 0; r < rows.size(); ++r) {
            resample_row<T, KH, KW>(x + pl * in_plane, y + pl * out_plane + int64_t(r) * OW,
                                    rows[r], wt, OW);
          }
        }
      });
      return;
    }
    // Backward: x is grad_out, y is grad_in.
    for_each_grad_plane<M>(y, p.planes, in_plane, plane_grain(work), [&](int64_t pl, M* acc) {
      for (size_t r = 0; r < rows.size(); ++r) {
        resample_row_backward<T, KH, KW>(acc, x + pl * out_plane + int64_t(r) * OW, rows[r], wt,
                                         OW);
      }
    });
  });
}

}  // namespace

void max_pool_kernel(const Tensor& out, const Tensor& indices, const Tensor& in,
                     const PoolPlan& plan) {
  CRESSET_DISPATCH_NUMERIC("max_pool", in.dtype(), [&] {
    int64_t* ind = indices.defined() ? indices.data<int64_t>() : nullptr;
    if (plan.window2x2) {
      max_pool_2x2(in.data<scalar_t>(), out.data<scalar_t>(), ind, plan);
    } else {
      max_pool_generic(in.data<scalar_t>(), out.data<scalar_t>(), ind, plan);
    }
  });
}

void max_pool_2x2_backward_kernel(const Tensor& grad_in, const Tensor& grad_out,
                                  const Tensor& indices, const PoolPlan& plan) {
  CRESSET_DISPATCH_FLOAT("max_pool_backward", grad_out.dtype(), [&] {
    max_pool_2x2_backward(grad_in.data<scalar_t>(), grad_out.data<scalar_t>(),
                          indices.data<int64_t>(), plan);
  });
}

void avg_pool_kernel(const Tensor& out, const Tensor& in, const PoolPlan& plan) {
  if (in.dtype() == DType::Int64) {  // sums and divides in int64 (truncating), as torch
    avg_pool_impl(in.data<int64_t>(), out.data<int64_t>(), plan);
    return;
  }
  CRESSET_DISPATCH_FLOAT("avg_pool", in.dtype(),
                         [&] { avg_pool_impl(in.data<scalar_t>(), out.data<scalar_t>(), plan); });
}

void avg_pool_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const PoolPlan& plan) {
  CRESSET_DISPATCH_FLOAT("avg_pool_backward", grad_out.dtype(), [&] {
    avg_pool_backward_impl(grad_in.data<scalar_t>(), grad_out.data<scalar_t>(), plan);
  });
}

void index_scatter_kernel(const Tensor& dst, const Tensor& src, const Tensor& index, int64_t planes,
                          bool accumulate, bool* found, int64_t* bad) {
  const int64_t dst_plane = planes == 0 ? 0 : dst.numel() / planes;
  const int64_t src_plane = planes == 0 ? 0 : src.numel() / planes;
  CRESSET_DISPATCH_FLOAT("index_scatter", src.dtype(), [&] {
    *found = index_scatter_impl(dst.data<scalar_t>(), src.data<scalar_t>(), index.data<int64_t>(),
                                planes, dst_plane, src_plane, accumulate, bad);
  });
}

void resample_kernel(const Tensor& out, const Tensor& in, const ResamplePlan& plan) {
  CRESSET_DISPATCH_FLOAT("upsample", in.dtype(), [&] {
    resample_impl(in.data<scalar_t>(), out.data<scalar_t>(), plan, false);
  });
}

void resample_backward_kernel(const Tensor& grad_in, const Tensor& grad_out,
                              const ResamplePlan& plan) {
  CRESSET_DISPATCH_FLOAT("upsample_backward", grad_out.dtype(), [&] {
    resample_impl(grad_out.data<scalar_t>(), grad_in.data<scalar_t>(), plan, true);
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
