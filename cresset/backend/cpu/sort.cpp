#include "cresset/backend/cpu/sort.h"

#include <algorithm>
#include <array>
#include <memory>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

#include "cresset/backend/common/sort_key.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

// Keys compare in float for the 16-bit floats and in the type itself otherwise (key_less from
// backend/common/sort_key.h, shared with the CUDA kernels).
template <class T>
using key_t = sort_key_t<T>;

template <class K>
struct Item {
  K v;
  int64_t i;
};

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
// comparison sort's O(n log n). Each pass runs in parallel over contiguous parts of the items:
// every part counts its bytes, the offsets are laid out bucket by bucket and part by part within
// a bucket, and every part scatters its items in order, so the pass stays stable and the result
// is the same for every thread count (a stable sort's output is unique).
template <class K>
uint64_t radix_key(K v) {
  if constexpr (std::is_signed_v<K>) {
    return uint64_t(int64_t(v)) ^ (uint64_t(1) << 63);  // order-preserving for negatives
  } else {
    return uint64_t(v);
  }
}

// Parts of a parallel pass over n items: one per thread, none shorter than a grain.
int64_t parts_for(int64_t n) {
  return std::clamp<int64_t>(n / kGrainSize, 1, get_num_threads());
}

// Calls f(part, begin, end) for each of `parts` near-equal parts of [0, n), in parallel.
template <class F>
void for_each_part(int64_t n, int64_t parts, const F& f) {
  parallel_for(0, parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) f(c, n * c / parts, n * (c + 1) / parts);
  });
}

// Items whose memory is left uninitialized (std::vector would zero it first, a pass of its own).
template <class K>
using ItemBuffer = std::unique_ptr<Item<K>[]>;

template <class K>
void radix_sort(ItemBuffer<K>& buf, int64_t n) {
  if (n < 2) return;
  const int64_t parts = parts_for(n);
  const uint64_t first = radix_key(buf[0].v);
  std::vector<uint64_t> differs(parts);
  for_each_part(n, parts, [&](int64_t c, int64_t b, int64_t e) {
    uint64_t d = 0;
    for (int64_t p = b; p < e; ++p) d |= radix_key(buf[p].v) ^ first;
    differs[c] = d;
  });
  uint64_t differ = 0;
  for (uint64_t d : differs) differ |= d;
  ItemBuffer<K> tmp(new Item<K>[n]);
  std::vector<std::array<int64_t, 256>> offsets(parts);
  for (int shift = 0; shift < 64; shift += 8) {
    if (((differ >> shift) & 0xFF) == 0) continue;
    for_each_part(n, parts, [&](int64_t c, int64_t b, int64_t e) {
      std::array<int64_t, 256>& count = offsets[c];
      count.fill(0);
      for (int64_t p = b; p < e; ++p) ++count[(radix_key(buf[p].v) >> shift) & 0xFF];
    });
    int64_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      for (int64_t c = 0; c < parts; ++c) {
        int64_t k = offsets[c][d];
        offsets[c][d] = sum;
        sum += k;
      }
    }
    for_each_part(n, parts, [&](int64_t c, int64_t b, int64_t e) {
      std::array<int64_t, 256>& next = offsets[c];
      for (int64_t p = b; p < e; ++p) tmp[next[(radix_key(buf[p].v) >> shift) & 0xFF]++] = buf[p];
    });
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
  const int64_t parts = parts_for(n);
  UniqueResult r;
  r.inverse = empty_tensor({n}, DType::Int64);
  int64_t* inv = r.inverse.data<int64_t>();
  dispatch_all("unique", flat.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using K = key_t<T>;
    const T* src = flat.data<T>();
    ItemBuffer<K> buf(new Item<K>[std::max<int64_t>(n, 1)]);
    for_each_part(n, parts, [&](int64_t, int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) buf[i] = {K(src[i]), i};
    });
    if (!consecutive) {
      if constexpr (std::is_integral_v<K>) {
        radix_sort(buf, n);  // see Note [Radix unique]
      } else {
        std::sort(buf.get(), buf.get() + n, Ascending<K>());
      }
    }
    // Groups start where the value changes; each part numbers its groups from the count of
    // starts in the parts before it.
    auto starts_group = [&](int64_t p) { return p == 0 || !(buf[p].v == buf[p - 1].v); };
    std::vector<int64_t> group0(parts + 1, 0);
    for_each_part(n, parts, [&](int64_t c, int64_t b, int64_t e) {
      int64_t k = 0;
      for (int64_t p = b; p < e; ++p) k += starts_group(p);
      group0[c + 1] = k;
    });
    for (int64_t c = 0; c < parts; ++c) group0[c + 1] += group0[c];
    const int64_t groups = group0[parts];
    std::vector<int64_t> starts(groups + 1, n);  // position in buf where each group starts
    for_each_part(n, parts, [&](int64_t c, int64_t b, int64_t e) {
      int64_t g = group0[c] - 1;
      for (int64_t p = b; p < e; ++p) {
        if (starts_group(p)) starts[++g] = p;
        inv[buf[p].i] = g;
      }
    });
    r.values = empty_tensor({groups}, flat.dtype());
    r.counts = empty_tensor({groups}, DType::Int64);
    T* vals = r.values.data<T>();
    int64_t* counts = r.counts.data<int64_t>();
    parallel_for(0, groups, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t g = b; g < e; ++g) {
        vals[g] = T(buf[starts[g]].v);
        counts[g] = starts[g + 1] - starts[g];
      }
    });
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
