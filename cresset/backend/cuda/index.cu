// The index family on CUDA (gathers, scatters, index_put_, masked_fill_, range checks), with the
// contracts of backend/cpu/index_decls.inc. The ops range-check indices before these kernels run
// (find_out_of_range, whose device-side check reports through a DeviceFlag; see Note [CUDA error
// flags]); the indexing kernels still skip an index outside its dim rather than touch memory with
// it, and scatters one below zero.
// Pure copies dispatch on the element size, as the CPU kernels do.
#include <cstring>

#include "cresset/backend/common/word.h"
#include "cresset/backend/cuda/device_flag.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

template <typename T>
__device__ __forceinline__ T& at(char* base, int64_t byte_offset) {
  return *reinterpret_cast<T*>(base + byte_offset);
}

// The byte offset the index operands (from operand 2 on) select; false when an index is outside
// its dim (already reported by the op's range check).
struct IndexOffsets {
  int count;
  int64_t sizes[IndexedDims::kMax];
  int64_t strides[IndexedDims::kMax];

  explicit IndexOffsets(const IndexedDims& d) : count(d.count), sizes{}, strides{} {
    for (int k = 0; k < d.count; ++k) {
      sizes[k] = d.sizes[k];
      strides[k] = d.strides[k];
    }
  }

  template <int N>
  __device__ __forceinline__ bool offset(char* (&p)[N], int64_t* off) const {
    int64_t o = 0;
    for (int k = 0; k < count; ++k) {
      int64_t v = *reinterpret_cast<const int64_t*>(p[2 + k]);
      if (v < 0) v += sizes[k];
      // sizes[k] == 0 marks precomputed byte offsets (see ops/index.cpp), never negative.
      if (v < 0 || (sizes[k] > 0 && v >= sizes[k])) return false;
      o += v * strides[k];
    }
    *off = o;
    return true;
  }
};

template <typename B, int N>
struct Gather {
  IndexOffsets idx;
  __device__ void operator()(char* (&p)[N]) const {
    int64_t off;
    if (idx.offset(p, &off)) at<B>(p[0], 0) = at<B>(p[1], off);
  }
};

template <typename B, int N>
struct Put {
  IndexOffsets idx;
  __device__ void operator()(char* (&p)[N]) const {
    int64_t off;
    if (idx.offset(p, &off)) at<B>(p[0], off) = at<B>(p[1], 0);
  }
};

// *addr = f(*addr) atomically, for any element size (1- and 2-byte elements through the aligned
// 32-bit word holding them).
template <typename T, typename F>
__device__ void atomic_update(T* addr, const F& f) {
  if constexpr (sizeof(T) == 8 || sizeof(T) == 4) {
    using W = std::conditional_t<sizeof(T) == 8, unsigned long long, unsigned int>;
    W* word = reinterpret_cast<W*>(addr);
    W old = *word, assumed;
    do {
      assumed = old;
      T v;
      memcpy(&v, &assumed, sizeof(T));
      const T nv = f(v);
      W nw;
      memcpy(&nw, &nv, sizeof(T));
      old = atomicCAS(word, assumed, nw);
    } while (assumed != old);
  } else {
    using N = typename Word<sizeof(T)>::type;
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    unsigned int* word = reinterpret_cast<unsigned int*>(a & ~uintptr_t(3));
    const unsigned shift = unsigned(a & 3) * 8;
    const unsigned mask = unsigned(N(~N(0))) << shift;
    unsigned old = *word, assumed;
    do {
      assumed = old;
      const N bits = N((assumed & mask) >> shift);
      T v;
      memcpy(&v, &bits, sizeof(T));
      const T nv = f(v);
      N nb;
      memcpy(&nb, &nv, sizeof(T));
      old = atomicCAS(word, assumed, (assumed & ~mask) | (unsigned(nb) << shift));
    } while (assumed != old);
  }
}

template <typename T, int N>
struct PutAccumulate {
  IndexOffsets idx;
  __device__ void operator()(char* (&p)[N]) const {
    using M = opmath_t<T>;
    int64_t off;
    if (!idx.offset(p, &off)) return;
    const M add = M(at<T>(p[1], 0));
    atomic_update(&at<T>(p[0], off), [add](T v) { return T(M(v) + add); });
  }
};

// Runs Op<scalar or word type, N> with N = 3 for one index operand, else kMaxIterOperands.
template <template <typename, int> class Op, typename T>
void launch_indexed(const char* name, TensorIter& it, const IndexedDims& dims) {
  if (dims.count == 1) {
    launch_elementwise<3>(name, it, Op<T, 3>{IndexOffsets(dims)});
  } else {
    launch_elementwise<kMaxIterOperands>(name, it, Op<T, kMaxIterOperands>{IndexOffsets(dims)});
  }
}

// What a scatter does at one destination, in the opmath type like the CPU's ScatterApply.
template <typename T>
__device__ __forceinline__ void scatter_apply(T* dst, T src, ScatterOp op, opmath_t<T> alpha) {
  using M = opmath_t<T>;
  switch (op) {
    case ScatterOp::Assign:
      *dst = src;
      break;
    case ScatterOp::Add:
      *dst = T(M(*dst) + M(src) * alpha);
      break;
    case ScatterOp::Mul:
      *dst = T(M(*dst) * M(src));
      break;
    default: {
      // amax/amin: a NaN from src always wins; a NaN already in dst stays (it fails both tests).
      const M a = M(*dst), b = M(src);
      const bool take_b = op == ScatterOp::Max ? a < b : b < a;
      if (b != b || take_b) *dst = src;
    }
  }
}

// One thread per position of the other dims walks the scatter dim in order, so duplicate indices
// never race and apply in the CPU kernel's order.
template <typename T>
struct Scatter {
  ScatterDim d;
  ScatterOp op;
  opmath_t<T> alpha;
  __device__ void operator()(char* (&p)[3]) const {
    for (int64_t k = 0; k < d.length; ++k) {
      const int64_t v = at<int64_t>(p[1], k * d.index_stride);
      if (v < 0) continue;
      scatter_apply(&at<T>(p[0], v * d.self_stride), at<T>(p[2], k * d.src_stride), op, alpha);
    }
  }
};

template <typename B>
struct MaskedFill {
  B value;
  __device__ void operator()(char* (&p)[2]) const {
    if (at<bool>(p[1], 0)) at<B>(p[0], 0) = value;
  }
};

struct RangeCheck {
  int64_t lo, hi;
  int64_t* flag;
  __device__ void operator()(char* (&p)[1]) const {
    const int64_t v = at<int64_t>(p[0], 0);
    if (v < lo || v >= hi) flag_set(flag, v);
  }
};

struct AddOffsets {
  int64_t size, stride;
  __device__ void operator()(char* (&p)[2]) const {
    const int64_t v = at<int64_t>(p[1], 0);
    at<int64_t>(p[0], 0) += (v < 0 ? v + size : v) * stride;
  }
};

struct Modulo {
  int64_t size;
  __device__ void operator()(char* (&p)[2]) const {
    const int64_t r = at<int64_t>(p[1], 0) % size;
    at<int64_t>(p[0], 0) = r < 0 ? r + size : r;
  }
};

template <typename T>
struct DivideByCount {
  __device__ void operator()(char* (&p)[2]) const {
    divide_by_count(at<T>(p[0], 0), at<T>(p[1], 0));
  }
};

}  // namespace

void index_kernel(TensorIter& it, const IndexedDims& dims) {
  dispatch_width("index", itemsize(it.dtype(0)), [&](auto w) {
    launch_indexed<Gather, typename decltype(w)::type>("index", it, dims);
  });
}

void index_put_kernel(TensorIter& it, const IndexedDims& dims, bool accumulate) {
  if (!accumulate) {
    dispatch_width("index_put_", itemsize(it.dtype(0)), [&](auto w) {
      launch_indexed<Put, typename decltype(w)::type>("index_put_", it, dims);
    });
    return;
  }
  // One instantiation per dtype (the operand count only matters to the fast copies above).
  CRESSET_DISPATCH_ALL("index_put_", it.dtype(0), [&] {
    launch_elementwise<kMaxIterOperands>(
        "index_put_", it, PutAccumulate<scalar_t, kMaxIterOperands>{IndexOffsets(dims)});
  });
}

void scatter_kernel(TensorIter& it, const ScatterDim& d, ScatterOp op, Scalar alpha) {
  CRESSET_DISPATCH_ALL("scatter", it.dtype(0), [&] {
    launch_elementwise<3>("scatter", it, Scatter<scalar_t>{d, op, alpha.to<opmath_t<scalar_t>>()});
  });
}

void masked_fill_kernel(TensorIter& it, Scalar value) {
  uint64_t raw = 0;
  CRESSET_DISPATCH_ALL("masked_fill_", it.dtype(0), [&] {
    scalar_t v = value.to<scalar_t>();
    std::memcpy(&raw, &v, sizeof(v));
  });
  dispatch_width("masked_fill_", itemsize(it.dtype(0)), [&](auto w) {
    using B = typename decltype(w)::type;
    B v;
    std::memcpy(&v, &raw, sizeof(v));
    launch_elementwise<2>("masked_fill_", it, MaskedFill<B>{v});
  });
}

bool find_out_of_range(const Tensor& index, int64_t lo, int64_t hi, int64_t* bad) {
  DeviceFlag flag(index.device().index);
  TensorIter it = TensorIterConfig("index").add_input(index).promote_inputs(false).build();
  launch_elementwise<1>("index", it, RangeCheck{lo, hi, flag.ptr()});
  return flag.read(bad);
}

void index_offsets_kernel(TensorIter& it, int64_t size, int64_t stride) {
  launch_elementwise<2>("index", it, AddOffsets{size, stride});
}

void modulo_index_kernel(TensorIter& it, int64_t size) {
  launch_elementwise<2>("take_along_dim", it, Modulo{size});
}

void scatter_mean_kernel(TensorIter& it) {
  CRESSET_DISPATCH_NUMERIC("scatter_reduce", it.dtype(0), [&] {
    launch_elementwise<2>("scatter_reduce", it, DivideByCount<scalar_t>{});
  });
}

}  // namespace cresset::cuda::impl
