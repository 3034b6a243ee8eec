#pragma once
// The ops of the scan engine (cumsum, cumprod, cummax, cummin, logcumsumexp), host+device: the CPU
// scan (backend/cpu/scan.cpp) and the CUDA scan (backend/cuda/scan.cu) run the same ops.
//
// An op has in_t and acc_t; identity(); update(acc, x, i), which folds element x at position i
// of the line into acc (the sequential step); combine(a, b), which joins the accumulator of a run
// of elements with that of the run right after it (associative, so the CUDA scan can split a line
// into chunks); and store(values, indices, offset, acc).
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cresset/core/dtype.h"

namespace cresset::scan_ops {

// torch's CPU accumulation type for scans: double for float and double, float for the 16-bit
// floats, int64 for integers.
template <class T>
using scan_acc_t =
    std::conditional_t<std::is_same_v<T, float> || std::is_same_v<T, double>, double,
                       std::conditional_t<std::is_floating_point_v<opmath_t<T>>, float, int64_t>>;

template <class T>
struct CumSumOp {
  using in_t = T;
  using acc_t = scan_acc_t<T>;
  CRESSET_HOST_DEVICE acc_t identity() const { return acc_t(0); }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    return a + acc_t(x);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const { return a + b; }
  CRESSET_HOST_DEVICE CRESSET_INLINE void store(T* v, int64_t*, int64_t off, acc_t a) const {
    v[off] = T(a);
  }
};

template <class T>
struct CumProdOp : CumSumOp<T> {
  using acc_t = scan_acc_t<T>;
  CRESSET_HOST_DEVICE acc_t identity() const { return acc_t(1); }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    return a * acc_t(x);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const { return a * b; }
};

// torch takes a new extreme on ties (>=, <=), so the index is the last of equal values, and a
// NaN always replaces the running value (the index is then the last NaN's). combine is that rule
// read as one order: NaN above everything, the later index above an equal value.
template <class T, bool kMax>
struct CumExtremeOp {
  using M = std::conditional_t<std::is_floating_point_v<opmath_t<T>>, opmath_t<T>, T>;
  struct Acc {
    M v;
    int64_t i;
  };
  using in_t = T;
  using acc_t = Acc;
  CRESSET_HOST_DEVICE static bool is_nan(M v) {
    if constexpr (std::is_floating_point_v<M>) {
      return v != v;
    } else {
      return false;
    }
  }
  CRESSET_HOST_DEVICE Acc identity() const { return {M(0), -1}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t i) const {
    M v = M(x);
    bool take = a.i < 0 || (kMax ? v >= a.v : v <= a.v) || is_nan(v);
    return take ? Acc{v, i} : a;
  }
  // a covers positions before b's.
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const {
    if (b.i < 0) return a;
    if (a.i < 0 || is_nan(b.v)) return b;
    if (is_nan(a.v)) return a;
    return (kMax ? b.v >= a.v : b.v <= a.v) ? b : a;
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE void store(T* v, int64_t* idx, int64_t off, Acc a) const {
    v[off] = T(a.v);
    idx[off] = a.i;
  }
};

// torch's _log_add_exp_helper, so infinities come out the same; a NaN stays for the rest of the
// line. Symmetric, so update and combine are the same step.
template <class T>
struct LogCumSumExpOp {
  using in_t = T;
  using acc_t = scan_acc_t<T>;
  CRESSET_HOST_DEVICE acc_t identity() const { return -std::numeric_limits<acc_t>::infinity(); }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t y) const {
    if (a != a || y != y) return std::numeric_limits<acc_t>::quiet_NaN();
    const acc_t lo = y < a ? y : a, hi = y < a ? a : y;
    const acc_t inf = std::numeric_limits<acc_t>::infinity();
    if (lo != hi || (lo != inf && lo != -inf)) return std::log1p(std::exp(lo - hi)) + hi;
    return y;
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    return combine(a, acc_t(x));
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE void store(T* v, int64_t*, int64_t off, acc_t a) const {
    v[off] = T(a);
  }
};

}  // namespace cresset::scan_ops
