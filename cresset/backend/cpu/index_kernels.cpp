// Gathers, scatters and masked copies, compiled once per capability (see Note [CPU capability
// dispatch]). Pure copies dispatch on the element size, not the dtype (a float32 moves like an
// int32), which keeps the number of loop instantiations small; only reductions see the dtype.
#include "cresset/backend/cpu/index_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cresset/core/error.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// An unsigned integer type of each element size, so copies move bits without caring what they mean.
#define CRESSET_DISPATCH_ITEMSIZE(SIZE, ...) \
  [&] {                                      \
    switch (SIZE) {                          \
      case 1: {                              \
        using bits_t = uint8_t;              \
        __VA_ARGS__();                       \
        break;                               \
      }                                      \
      case 2: {                              \
        using bits_t = uint16_t;             \
        __VA_ARGS__();                       \
        break;                               \
      }                                      \
      case 4: {                              \
        using bits_t = uint32_t;             \
        __VA_ARGS__();                       \
        break;                               \
      }                                      \
      default: {                             \
        using bits_t = uint64_t;             \
        __VA_ARGS__();                       \
        break;                               \
      }                                      \
    }                                        \
  }()

template <typename T>
CRESSET_INLINE T& at(char* base, int64_t byte_offset) {
  return *reinterpret_cast<T*>(base + byte_offset);
}

// -0.0 counts as zero and NaN as nonzero, like torch.
template <typename T>
CRESSET_INLINE bool is_nonzero(T v) {
  return opmath_t<T>(v) != opmath_t<T>(0);
}

// The byte offset the index operands select for element i of an inner run.
CRESSET_INLINE int64_t indexed_offset(char** data, const int64_t* s, int64_t i,
                                      const IndexedDims& dims, int first) {
  int64_t off = 0;
  for (int k = 0; k < dims.count; ++k) {
    int64_t v = at<int64_t>(data[first + k], i * s[first + k]);
    if (v < 0) v += dims.sizes[k];
    off += v * dims.strides[k];
  }
  return off;
}

// What a scatter does at one destination; all arithmetic in the opmath type, like torch's kernels.
template <typename T, ScatterOp Op>
struct ScatterApply {
  using M = opmath_t<T>;
  M alpha;
  CRESSET_INLINE void operator()(T* dst, T src) const {
    if constexpr (Op == ScatterOp::Assign) {
      *dst = src;
    } else if constexpr (Op == ScatterOp::Add) {
      *dst = T(M(*dst) + M(src) * alpha);
    } else if constexpr (Op == ScatterOp::Mul) {
      *dst = T(M(*dst) * M(src));
    } else {
      // amax/amin: a NaN from src always wins; a NaN already in dst stays (it fails both tests).
      // Written without a branch so that row loops vectorize (blend).
      T old = *dst;
      M a = M(old), b = M(src);
      bool take_b = (Op == ScatterOp::Max ? a < b : b < a) | (b != b);
      *dst = take_b ? src : old;
    }
  }
};

template <typename T, ScatterOp Op>
void scatter_loop(TensorIter& it, const ScatterDim& d, Scalar alpha) {
  const ScatterApply<T, Op> apply{alpha.to<opmath_t<T>>()};
  const int64_t len = d.length;
  // Walk along the dim innermost when that is the denser direction in src (gather along the
  // last dim), else walk the iterator's run innermost (index_select-like rows).
  it.for_each(
      [&](char** data, const int64_t* s, int64_t n) {
        auto body = [&](int64_t j, int64_t k) {
          int64_t v = at<int64_t>(data[1], j * s[1] + k * d.index_stride);
          apply(&at<T>(data[0], j * s[0] + v * d.self_stride),
                at<T>(data[2], j * s[2] + k * d.src_stride));
        };
        // An index constant along a dense run (index_add, index_reduce: a 1-D index expanded
        // over source's shape; src dense or one value): each k is one row op, which vectorizes.
        bool rows = n > 1 && s[1] == 0 && s[0] == sizeof(T) && (s[2] == sizeof(T) || s[2] == 0);
        bool dim_inner =
            !rows && (n == 1 || (len > 1 && std::abs(d.src_stride) <= std::abs(s[2])));
        if (dim_inner) {
          for (int64_t j = 0; j < n; ++j) {
            for (int64_t k = 0; k < len; ++k) body(j, k);
          }
        } else if (rows) {
          for (int64_t k = 0; k < len; ++k) {
            int64_t v = at<int64_t>(data[1], k * d.index_stride);
            T* dst = &at<T>(data[0], v * d.self_stride);
            const T* src = &at<T>(data[2], k * d.src_stride);
            if (s[2] == 0) {
              for (int64_t j = 0; j < n; ++j) apply(dst + j, src[0]);
            } else {
              for (int64_t j = 0; j < n; ++j) apply(dst + j, src[j]);
            }
          }
        } else {
          for (int64_t k = 0; k < len; ++k) {
            for (int64_t j = 0; j < n; ++j) body(j, k);
          }
        }
      },
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(len, 1)));
}

template <ScatterOp Op>
void scatter_typed(TensorIter& it, const ScatterDim& d, Scalar alpha) {
  CRESSET_DISPATCH_ALL("scatter", it.dtype(0), [&] { scatter_loop<scalar_t, Op>(it, d, alpha); });
}

// Visits [begin, end) of a shape in row-major order in runs along the last dim: f(run_start_linear,
// ptrs, n) with ptrs[k] at the run's first element of operand k (byte strides `strides[k]`).
template <int N, typename F>
void row_major_runs(const DimVector& shape, const int64_t* const* strides, char* const* base,
                    int64_t begin, int64_t end, const F& f) {
  const int nd = int(shape.size());
  if (nd == 0) {
    if (begin < end) {
      char* p[N];
      for (int k = 0; k < N; ++k) p[k] = base[k];
      f(int64_t(0), p, int64_t(1));
    }
    return;
  }
  DimVector idx(nd);
  int64_t rem = begin;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rem % shape[d];
    rem /= shape[d];
  }
  const int64_t inner = shape[nd - 1];
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = std::min(inner - idx[nd - 1], end - pos);
    char* p[N];
    for (int k = 0; k < N; ++k) {
      int64_t o = 0;
      for (int d = 0; d < nd; ++d) o += idx[d] * strides[k][d];
      p[k] = base[k] + o;
    }
    f(pos, p, n);
    pos += n;
    idx[nd - 1] += n;
    for (int d = nd - 1; d > 0 && idx[d] == shape[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

// Row-major layout of up to two same-shape tensors, with dims merged where every operand allows
// (which keeps row-major order) and strides in bytes.
struct RowMajor {
  DimVector shape;
  DimVector strides[2];

  RowMajor(const Tensor& a, const Tensor* b) {
    const Tensor* ops[2] = {&a, b};
    int n = b ? 2 : 1;
    for (int64_t d = 0; d < a.dim(); ++d) {
      int64_t size = a.sizes()[d];
      if (size == 1) continue;
      bool merge = !shape.empty();
      for (int k = 0; k < n && merge; ++k) {
        merge = strides[k].back() == ops[k]->strides()[d] * ops[k]->itemsize() * size;
      }
      if (merge) {
        shape[shape.size() - 1] *= size;
        for (int k = 0; k < n; ++k)
          strides[k][strides[k].size() - 1] = ops[k]->strides()[d] * ops[k]->itemsize();
      } else {
        shape.push_back(size);
        for (int k = 0; k < n; ++k) strides[k].push_back(ops[k]->strides()[d] * ops[k]->itemsize());
      }
    }
  }
};

// The linear range of chunk c of `chunks` over n elements (the same split for count and write).
CRESSET_INLINE int64_t chunk_begin(int64_t n, int64_t c, int64_t chunks) { return n * c / chunks; }

// Runs f(c, begin, end) for each chunk, in parallel.
template <typename F>
void for_chunks(int64_t n, int64_t chunks, const F& f) {
  parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c)
      f(c, chunk_begin(n, c, chunks), chunk_begin(n, c + 1, chunks));
  });
}

// Exclusive prefix sums of the chunk counts: where each chunk starts writing.
std::vector<int64_t> chunk_starts(const int64_t* counts, int64_t chunks) {
  std::vector<int64_t> starts(chunks);
  int64_t acc = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    starts[c] = acc;
    acc += counts[c];
  }
  return starts;
}

}  // namespace

void index_kernel(TensorIter& it, const IndexedDims& dims) {
  CRESSET_DISPATCH_ITEMSIZE(itemsize(it.dtype(0)), [&] {
    it.for_each([&](char** data, const int64_t* s, int64_t n) {
      if (dims.count != 1) {
        for (int64_t i = 0; i < n; ++i) {
          at<bits_t>(data[0], i * s[0]) =
              at<bits_t>(data[1], i * s[1] + indexed_offset(data, s, i, dims, 2));
        }
        return;
      }
      // One index (gather, index_select, take, x[idx]): the common case, kept tight.
      const int64_t size = dims.sizes[0], stride = dims.strides[0];
      if (s[2] == 0) {  // the index is constant along the run: a strided copy of a row
        char* src = data[1] + indexed_offset(data, s, 0, dims, 2);
        if (s[0] == sizeof(bits_t) && s[1] == sizeof(bits_t)) {
          std::memcpy(data[0], src, n * sizeof(bits_t));
        } else {
          for (int64_t i = 0; i < n; ++i) at<bits_t>(data[0], i * s[0]) = at<bits_t>(src, i * s[1]);
        }
        return;
      }
      if (s[0] == sizeof(bits_t) && s[2] == sizeof(int64_t)) {
        bits_t* out = reinterpret_cast<bits_t*>(data[0]);
        const int64_t* idx = reinterpret_cast<const int64_t*>(data[2]);
        for (int64_t i = 0; i < n; ++i) {
          int64_t v = idx[i];
          v += v < 0 ? size : 0;
          out[i] = at<bits_t>(data[1], i * s[1] + v * stride);
        }
        return;
      }
      for (int64_t i = 0; i < n; ++i) {
        int64_t v = at<int64_t>(data[2], i * s[2]);
        v += v < 0 ? size : 0;
        at<bits_t>(data[0], i * s[0]) = at<bits_t>(data[1], i * s[1] + v * stride);
      }
    });
  });
}

void index_put_kernel(TensorIter& it, const IndexedDims& dims, bool accumulate) {
  if (!accumulate) {
    CRESSET_DISPATCH_ITEMSIZE(itemsize(it.dtype(0)), [&] {
      it.for_each([&](char** data, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          at<bits_t>(data[0], i * s[0] + indexed_offset(data, s, i, dims, 2)) =
              at<bits_t>(data[1], i * s[1]);
        }
      });
    });
    return;
  }
  CRESSET_DISPATCH_ALL("index_put_", it.dtype(0), [&] {
    using M = opmath_t<scalar_t>;
    it.serial_for_each(
        [&](char** data, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            scalar_t& dst = at<scalar_t>(data[0], i * s[0] + indexed_offset(data, s, i, dims, 2));
            dst = scalar_t(M(dst) + M(at<scalar_t>(data[1], i * s[1])));
          }
        },
        0, it.numel());
  });
}

void scatter_kernel(TensorIter& it, const ScatterDim& d, ScatterOp op, Scalar alpha) {
  switch (op) {
    case ScatterOp::Assign:
      CRESSET_DISPATCH_ITEMSIZE(itemsize(it.dtype(0)),
                                [&] { scatter_loop<bits_t, ScatterOp::Assign>(it, d, alpha); });
      break;
    case ScatterOp::Add:
      scatter_typed<ScatterOp::Add>(it, d, alpha);
      break;
    case ScatterOp::Mul:
      scatter_typed<ScatterOp::Mul>(it, d, alpha);
      break;
    case ScatterOp::Max:
      scatter_typed<ScatterOp::Max>(it, d, alpha);
      break;
    case ScatterOp::Min:
      scatter_typed<ScatterOp::Min>(it, d, alpha);
      break;
  }
}

void masked_fill_kernel(TensorIter& it, Scalar value) {
  uint64_t bits = 0;
  CRESSET_DISPATCH_ALL("masked_fill_", it.dtype(0), [&] {
    scalar_t v = value.to<scalar_t>();
    std::memcpy(&bits, &v, sizeof(v));
  });
  CRESSET_DISPATCH_ITEMSIZE(itemsize(it.dtype(0)), [&] {
    bits_t v;
    std::memcpy(&v, &bits, sizeof(v));
    it.for_each([&](char** data, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(bits_t) && s[1] == 1) {
        bits_t* out = reinterpret_cast<bits_t*>(data[0]);
        const bool* mask = reinterpret_cast<const bool*>(data[1]);
        for (int64_t i = 0; i < n; ++i) out[i] = mask[i] ? v : out[i];
      } else {
        for (int64_t i = 0; i < n; ++i) {
          if (at<bool>(data[1], i * s[1])) at<bits_t>(data[0], i * s[0]) = v;
        }
      }
    });
  });
}

void count_nonzero_kernel(const Tensor& t, int64_t chunks, int64_t* counts) {
  RowMajor rm(t, nullptr);
  const int64_t* strides[1] = {rm.strides[0].data()};
  char* base[1] = {static_cast<char*>(t.raw_data())};
  const size_t last = rm.shape.empty() ? 0 : rm.shape.size() - 1;
  CRESSET_DISPATCH_ALL("nonzero", t.dtype(), [&] {
    for_chunks(t.numel(), chunks, [&](int64_t c, int64_t b, int64_t e) {
      int64_t count = 0;
      row_major_runs<1>(rm.shape, strides, base, b, e, [&](int64_t, char** p, int64_t n) {
        const int64_t s = rm.shape.empty() ? 0 : strides[0][last];
        if (s == sizeof(scalar_t)) {
          const scalar_t* q = reinterpret_cast<const scalar_t*>(p[0]);
          for (int64_t i = 0; i < n; ++i) count += is_nonzero(q[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) count += is_nonzero(at<scalar_t>(p[0], i * s));
        }
      });
      counts[c] = count;
    });
  });
}

void masked_select_kernel(const Tensor& out, const Tensor& self, const Tensor& mask,
                          const int64_t* counts, int64_t chunks) {
  RowMajor rm(self, &mask);
  const int64_t* strides[2] = {rm.strides[0].data(), rm.strides[1].data()};
  char* base[2] = {static_cast<char*>(self.raw_data()), static_cast<char*>(mask.raw_data())};
  std::vector<int64_t> starts = chunk_starts(counts, chunks);
  const int64_t out_stride = out.strides().empty() ? 0 : out.strides()[0] * out.itemsize();
  const size_t last = rm.shape.empty() ? 0 : rm.shape.size() - 1;
  CRESSET_DISPATCH_ITEMSIZE(self.itemsize(), [&] {
    for_chunks(self.numel(), chunks, [&](int64_t c, int64_t b, int64_t e) {
      char* dst = static_cast<char*>(out.raw_data()) + starts[c] * out_stride;
      row_major_runs<2>(rm.shape, strides, base, b, e, [&](int64_t, char** p, int64_t n) {
        const int64_t s0 = rm.shape.empty() ? 0 : strides[0][last];
        const int64_t s1 = rm.shape.empty() ? 0 : strides[1][last];
        for (int64_t i = 0; i < n; ++i) {
          if (at<bool>(p[1], i * s1)) {
            at<bits_t>(dst, 0) = at<bits_t>(p[0], i * s0);
            dst += out_stride;
          }
        }
      });
    });
  });
}

void masked_scatter_kernel(const Tensor& self, const Tensor& mask, const Tensor& source,
                           const int64_t* counts, int64_t chunks) {
  RowMajor rm(self, &mask);
  const int64_t* strides[2] = {rm.strides[0].data(), rm.strides[1].data()};
  char* base[2] = {static_cast<char*>(self.raw_data()), static_cast<char*>(mask.raw_data())};
  std::vector<int64_t> starts = chunk_starts(counts, chunks);
  const size_t last = rm.shape.empty() ? 0 : rm.shape.size() - 1;
  CRESSET_DISPATCH_ITEMSIZE(self.itemsize(), [&] {
    const bits_t* src = static_cast<const bits_t*>(source.raw_data());
    for_chunks(self.numel(), chunks, [&](int64_t c, int64_t b, int64_t e) {
      if (counts[c] == 0) return;
      // Branch-free (random masks mispredict): every element is rewritten, the source position
      // advances by the mask and is clamped to the chunk's last source element.
      int64_t k = starts[c];
      const int64_t k_last = starts[c] + counts[c] - 1;
      row_major_runs<2>(rm.shape, strides, base, b, e, [&](int64_t, char** p, int64_t n) {
        const int64_t s0 = rm.shape.empty() ? 0 : strides[0][last];
        const int64_t s1 = rm.shape.empty() ? 0 : strides[1][last];
        auto step = [&](bits_t& dst, bool m) {
          const bits_t v = src[k < k_last ? k : k_last];
          dst = m ? v : dst;
          k += m;
        };
        if (s0 == sizeof(bits_t) && s1 == 1) {
          bits_t* out = reinterpret_cast<bits_t*>(p[0]);
          const bool* mask = reinterpret_cast<const bool*>(p[1]);
          for (int64_t i = 0; i < n; ++i) step(out[i], mask[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) step(at<bits_t>(p[0], i * s0), at<bool>(p[1], i * s1));
        }
      });
    });
  });
}

void nonzero_kernel(const Tensor& out, const Tensor& self, const int64_t* counts, int64_t chunks) {
  RowMajor rm(self, nullptr);
  const int64_t* strides[1] = {rm.strides[0].data()};
  char* base[1] = {static_cast<char*>(self.raw_data())};
  std::vector<int64_t> starts = chunk_starts(counts, chunks);
  const int64_t nd = self.dim();
  const DimVector& sizes = self.sizes();
  const int64_t row_stride = out.strides()[0], col_stride = nd > 0 ? out.strides()[1] : 0;
  const size_t last = rm.shape.empty() ? 0 : rm.shape.size() - 1;
  CRESSET_DISPATCH_ALL("nonzero", self.dtype(), [&] {
    for_chunks(self.numel(), chunks, [&](int64_t c, int64_t b, int64_t e) {
      int64_t* row = out.data<int64_t>() + starts[c] * row_stride;
      row_major_runs<1>(rm.shape, strides, base, b, e, [&](int64_t pos, char** p, int64_t n) {
        const int64_t s = rm.shape.empty() ? 0 : strides[0][last];
        for (int64_t i = 0; i < n; ++i) {
          if (!is_nonzero(at<scalar_t>(p[0], i * s))) continue;
          int64_t rem = pos + i;  // unravel the row-major position into coordinates
          for (int64_t d = nd - 1; d >= 0; --d) {
            row[d * col_stride] = rem % sizes[d];
            rem /= sizes[d];
          }
          row += row_stride;
        }
      });
    });
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
