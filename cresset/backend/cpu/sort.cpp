#include "cresset/backend/cpu/sort.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

#include "cresset/core/error.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

// Keys compare in float for the 16-bit floats and in the type itself otherwise.
template <class T>
using key_t = std::conditional_t<std::is_floating_point_v<opmath_t<T>>, opmath_t<T>, T>;

template <class K>
struct Item {
  K v;
  int64_t i;
};

// a < b with NaN above every number (see Note [Sort order]).
template <class K>
inline bool key_less(K a, K b) {
  if constexpr (std::is_floating_point_v<K>) {
    return a < b || (b != b && a == a);
  } else {
    return a < b;
  }
}

template <class K>
struct Ascending {
  bool operator()(const Item<K>& a, const Item<K>& b) const {
    return key_less(a.v, b.v) || (!key_less(b.v, a.v) && a.i < b.i);
  }
};
template <class K>
struct Descending {
  bool operator()(const Item<K>& a, const Item<K>& b) const {
    return key_less(b.v, a.v) || (!key_less(a.v, b.v) && a.i < b.i);
  }
};

// Calls f(in_off, out_off, scratch) for every line of `in` along `dim` in parallel; `out` has
// in's sizes except at `dim`. Each thread chunk owns one Scratch.
template <class Scratch, class F>
void for_each_line(const Tensor& in, const Tensor& out, int64_t dim, int64_t work_per_line,
                   const F& f) {
  const int64_t nd = in.dim();
  int64_t lines = 1;
  for (int64_t d = 0; d < nd; ++d) {
    if (d != dim) lines *= in.sizes()[d];
  }
  if (lines == 0) return;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work_per_line));
  parallel_for(0, lines, grain, [&](int64_t b, int64_t e) {
    Scratch scratch;
    for (int64_t l = b; l < e; ++l) {
      int64_t rem = l, in_off = 0, out_off = 0;
      for (int64_t d = nd - 1; d >= 0; --d) {
        if (d == dim) continue;
        int64_t i = rem % in.sizes()[d];
        rem /= in.sizes()[d];
        in_off += i * in.strides()[d];
        out_off += i * out.strides()[d];
      }
      f(in_off, out_off, scratch);
    }
  });
}

// Loads line `off` of `in` along `dim` (n elements) into buf as (key, index) items.
template <class T>
void load_line(const T* src, int64_t off, int64_t stride, int64_t n,
               std::vector<Item<key_t<T>>>& buf) {
  buf.resize(n);
  for (int64_t i = 0; i < n; ++i) buf[i] = {key_t<T>(src[off + i * stride]), i};
}

// Note [Radix unique]
// unique over integer keys sorts (key, index) items with an LSD radix sort, 8 bits per pass,
// skipping the passes whose byte is the same in every key (keys below 2^24 need three). It is
// stable, so equal keys stay in index order as with Ascending's tie-break: O(n) instead of a
// comparison sort's O(n log n).
template <class K>
uint64_t radix_key(K v) {
  if constexpr (std::is_signed_v<K>) {
    return uint64_t(int64_t(v)) ^ (uint64_t(1) << 63);  // order-preserving for negatives
  } else {
    return uint64_t(v);
  }
}

template <class K>
void radix_sort(std::vector<Item<K>>& buf) {
  const size_t n = buf.size();
  if (n < 2) return;
  uint64_t differ = 0;
  const uint64_t first = radix_key(buf[0].v);
  for (const Item<K>& it : buf) differ |= radix_key(it.v) ^ first;
  std::vector<Item<K>> tmp(n);
  for (int shift = 0; shift < 64; shift += 8) {
    if (((differ >> shift) & 0xFF) == 0) continue;
    size_t count[257] = {};
    for (const Item<K>& it : buf) ++count[((radix_key(it.v) >> shift) & 0xFF) + 1];
    for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (const Item<K>& it : buf) tmp[count[(radix_key(it.v) >> shift) & 0xFF]++] = it;
    buf.swap(tmp);
  }
}

// Runs body.template operator()<T>() for the dtype of `t` (all ten dtypes).
template <class F>
void dispatch_all(const char* op, DType t, const F& f) {
  CRESSET_DISPATCH_ALL(op, t, [&] { f(scalar_t()); });
}

}  // namespace

void sort_kernel(const Tensor& in, int64_t dim, bool descending, const Tensor& values,
                 const Tensor& indices) {
  const int64_t n = in.sizes()[dim];
  dispatch_all("sort", in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    const T* src = in.data<T>();
    T* dv = values.data<T>();
    int64_t* di = indices.data<int64_t>();
    const int64_t is = in.strides()[dim], os = values.strides()[dim];
    for_each_line<std::vector<Item<K>>>(in, values, dim, n * 8,
                                        [&](int64_t io, int64_t oo, auto& buf) {
                                          load_line(src, io, is, n, buf);
                                          if (descending) {
                                            std::sort(buf.begin(), buf.end(), Descending<K>());
                                          } else {
                                            std::sort(buf.begin(), buf.end(), Ascending<K>());
                                          }
                                          for (int64_t i = 0; i < n; ++i) {
                                            dv[oo + i * os] = T(buf[i].v);
                                            di[oo + i * os] = buf[i].i;
                                          }
                                        });
  });
}

void topk_kernel(const Tensor& in, int64_t k, int64_t dim, bool largest, const Tensor& values,
                 const Tensor& indices) {
  const int64_t n = in.sizes()[dim];
  dispatch_all("topk", in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    const T* src = in.data<T>();
    T* dv = values.data<T>();
    int64_t* di = indices.data<int64_t>();
    const int64_t is = in.strides()[dim], os = values.strides()[dim];
    for_each_line<std::vector<Item<K>>>(
        in, values, dim, n * 2, [&](int64_t io, int64_t oo, auto& buf) {
          load_line(src, io, is, n, buf);
          if (largest) {
            std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), Descending<K>());
          } else {
            std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), Ascending<K>());
          }
          for (int64_t i = 0; i < k; ++i) {
            dv[oo + i * os] = T(buf[i].v);
            di[oo + i * os] = buf[i].i;
          }
        });
  });
}

void select_kernel(const Tensor& in, int64_t dim, SelectKind kind, int64_t k, const Tensor& values,
                   const Tensor& indices) {
  const int64_t n = in.sizes()[dim];
  dispatch_all("select", in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    const T* src = in.data<T>();
    T* dv = values.data<T>();
    int64_t* di = indices.defined() ? indices.data<int64_t>() : nullptr;
    const int64_t is = in.strides()[dim];
    for_each_line<std::vector<Item<K>>>(
        in, values, dim, n * 2, [&](int64_t io, int64_t oo, auto& buf) {
          load_line(src, io, is, n, buf);
          int64_t pos = k - 1;
          Item<K> pick{};
          if (kind == SelectKind::Mode) {
            std::sort(buf.begin(), buf.end(), Ascending<K>());
            int64_t best = 0;
            for (int64_t a = 0, b = 1; a < n; a = b++) {
              while (b < n && !key_less(buf[a].v, buf[b].v)) ++b;  // the run of values equal to a's
              if (b - a > best) {
                best = b - a;
                pick = buf[b - 1];  // the run's last item: its highest index
              }
            }
          } else {
            if (kind != SelectKind::Kth) {
              int64_t nans = 0;
              for (const Item<K>& it : buf) nans += !(it.v == it.v);
              pos = kind == SelectKind::Median && nans > 0 ? n - nans
                    : n - nans > 0                         ? (n - nans - 1) / 2
                                                           : 0;
            }
            std::nth_element(buf.begin(), buf.begin() + pos, buf.end(), Ascending<K>());
            pick = buf[pos];
          }
          dv[oo] = T(pick.v);
          if (di) di[oo] = pick.i;
        });
  });
}

UniqueResult unique_kernel(const Tensor& flat, bool consecutive) {
  const int64_t n = flat.numel();
  UniqueResult r;
  r.inverse = empty_tensor({n}, DType::Int64);
  int64_t* inv = r.inverse.data<int64_t>();
  dispatch_all("unique", flat.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    std::vector<Item<K>> buf;
    load_line(flat.data<T>(), 0, 1, n, buf);
    if (!consecutive) {
      if constexpr (std::is_integral_v<K>) {
        radix_sort(buf);  // see Note [Radix unique]
      } else {
        std::sort(buf.begin(), buf.end(), Ascending<K>());
      }
    }
    std::vector<int64_t> starts;  // position in buf where each group starts
    for (int64_t p = 0; p < n; ++p) {
      if (p == 0 || !(buf[p].v == buf[p - 1].v)) starts.push_back(p);
      inv[buf[p].i] = int64_t(starts.size()) - 1;
    }
    const int64_t groups = int64_t(starts.size());
    r.values = empty_tensor({groups}, flat.dtype());
    r.counts = empty_tensor({groups}, DType::Int64);
    T* vals = r.values.data<T>();
    int64_t* counts = r.counts.data<int64_t>();
    for (int64_t g = 0; g < groups; ++g) {
      vals[g] = T(buf[starts[g]].v);
      counts[g] = (g + 1 < groups ? starts[g + 1] : n) - starts[g];
    }
  });
  return r;
}

UniqueResult unique_rows_kernel(const Tensor& rows, bool consecutive) {
  const int64_t m = rows.sizes()[0], w = rows.numel() / std::max<int64_t>(1, m);
  UniqueResult r;
  r.inverse = empty_tensor({m}, DType::Int64);
  int64_t* inv = r.inverse.data<int64_t>();
  std::vector<int64_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> starts;
  dispatch_all("unique", rows.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    const T* d = rows.data<T>();
    auto less = [&](int64_t a, int64_t b) {
      for (int64_t j = 0; j < w; ++j) {
        K x = K(d[a * w + j]), y = K(d[b * w + j]);
        if (key_less(x, y)) return true;
        if (key_less(y, x)) return false;
      }
      return a < b;
    };
    auto equal = [&](int64_t a, int64_t b) {
      for (int64_t j = 0; j < w; ++j) {
        if (!(K(d[a * w + j]) == K(d[b * w + j]))) return false;
      }
      return true;
    };
    if (!consecutive) std::sort(order.begin(), order.end(), less);
    for (int64_t p = 0; p < m; ++p) {
      if (p == 0 || !equal(order[p], order[p - 1])) starts.push_back(p);
      inv[order[p]] = int64_t(starts.size()) - 1;
    }
  });
  const int64_t groups = int64_t(starts.size());
  r.values = empty_tensor({groups}, DType::Int64);
  r.counts = empty_tensor({groups}, DType::Int64);
  for (int64_t g = 0; g < groups; ++g) {
    r.values.data<int64_t>()[g] = order[starts[g]];
    r.counts.data<int64_t>()[g] = (g + 1 < groups ? starts[g + 1] : m) - starts[g];
  }
  return r;
}

Tensor bincount_kernel(const Tensor& in, const Tensor& weights, int64_t minlength) {
  const int64_t n = in.numel();
  const int64_t* x = in.data<int64_t>();
  int64_t hi = -1;
  for (int64_t i = 0; i < n; ++i) {
    CRESSET_CHECK(x[i] >= 0, RuntimeError,
                  "bincount only supports 1-d non-negative integral inputs.");
    hi = std::max(hi, x[i]);
  }
  const int64_t bins = std::max(minlength, hi + 1);
  if (!weights.defined()) {
    Tensor out = empty_tensor({bins}, DType::Int64);
    int64_t* c = out.data<int64_t>();
    std::fill(c, c + bins, 0);
    for (int64_t i = 0; i < n; ++i) ++c[x[i]];
    return out;
  }
  Tensor out = empty_tensor({bins}, weights.dtype());
  auto accumulate = [&](auto tag) {
    using W = decltype(tag);
    W* c = out.data<W>();
    const W* wt = weights.data<W>();
    std::fill(c, c + bins, W(0));
    for (int64_t i = 0; i < n; ++i) c[x[i]] += wt[i];
  };
  if (weights.dtype() == DType::Float32) {
    accumulate(float());
  } else {
    accumulate(double());
  }
  return out;
}

void histc_kernel(const Tensor& in, int64_t bins, double lo, double hi, const Tensor& out) {
  CRESSET_DISPATCH_FLOAT("histogram_cpu", in.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    const scalar_t* x = in.data<scalar_t>();
    scalar_t* h = out.data<scalar_t>();
    const M left = M(scalar_t(lo)), right = M(scalar_t(hi));
    std::fill(h, h + bins, scalar_t(0));
    // Counts accumulate in the input dtype, as torch's do.
    for (int64_t i = 0; i < in.numel(); ++i) {
      M v = M(x[i]);
      if (!(v >= left && v <= right)) continue;  // outside, or NaN
      int64_t pos = std::min(int64_t((v - left) * M(bins) / (right - left)), bins - 1);
      h[pos] = scalar_t(M(h[pos]) + M(1));
    }
  });
}

}  // namespace cresset::cpu
