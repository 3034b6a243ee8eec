// The ops of the reduction engine (see the op contract in reduce_engine.h). Included only inside
// a kernel namespace, after reduce_engine.h and <cmath>, <limits>, <type_traits>. Host+device:
// the CUDA reduction (backend/cuda/reduce.cu) runs the same ops.

template <class T>
constexpr bool kFloating = std::is_floating_point_v<opmath_t<T>>;
// Sums and products accumulate floats in their opmath type and everything else in int64, and
// store floats in their own dtype and everything else as int64 (torch's promotion for sum).
template <class T>
using sum_acc_t = std::conditional_t<kFloating<T>, opmath_t<T>, int64_t>;
template <class T>
using sum_out_t = std::conditional_t<kFloating<T>, T, int64_t>;
// Max/min compare in opmath for the 16-bit floats, in the type itself otherwise.
template <class T>
using cmp_t = std::conditional_t<kFloating<T>, opmath_t<T>, T>;

template <class T>
CRESSET_HOST_DEVICE CRESSET_INLINE bool isnan_(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return x != x;
  } else {
    return false;
  }
}

template <class T>
CRESSET_HOST_DEVICE CRESSET_INLINE T* out_ptr(char* const* out, int k) {
  return reinterpret_cast<T*>(out[k]);
}

// With a divisor (mean) the sum is divided before rounding to the dtype: torch's CPU mean is
// sum().div_(n), with the 16-bit floats summed and divided in float32.
template <class T>
struct SumOp {
  using in_t = T;
  using acc_t = sum_acc_t<T>;
  bool mean = false;
  int64_t count = 0;  // elements per output, for the mean
  CRESSET_HOST_DEVICE acc_t identity() const { return acc_t(0); }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    return a + acc_t(x);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const { return a + b; }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, acc_t a) const {
    if constexpr (kFloating<T>) {
      if (mean) a /= acc_t(count);
    }
    out_ptr<sum_out_t<T>>(out, 0)[off] = sum_out_t<T>(a);
  }
};

template <class T>
struct NanSumOp : SumOp<T> {
  using acc_t = sum_acc_t<T>;
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    acc_t v = acc_t(x);
    return isnan_(v) ? a : a + v;
  }
};

template <class T>
struct NanMeanOp {
  struct Acc {
    opmath_t<T> sum;
    int64_t n;
  };
  using in_t = T;
  using acc_t = Acc;
  CRESSET_HOST_DEVICE Acc identity() const { return {0, 0}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t) const {
    opmath_t<T> v = opmath_t<T>(x);
    bool nan = isnan_(v);
    return {nan ? a.sum : a.sum + v, a.n + !nan};
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const {
    return {a.sum + b.sum, a.n + b.n};
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, Acc a) const {
    out_ptr<T>(out, 0)[off] = T(a.sum / opmath_t<T>(a.n));
  }
};

template <class T>
struct ProdOp : SumOp<T> {
  using acc_t = sum_acc_t<T>;
  CRESSET_HOST_DEVICE acc_t identity() const { return acc_t(1); }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    return a * acc_t(x);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const { return a * b; }
};

// Max and min propagate NaN: once an accumulator holds NaN it keeps it.
template <class T, bool kMax>
struct MinMaxOp {
  using in_t = T;
  using acc_t = cmp_t<T>;
  CRESSET_HOST_DEVICE acc_t identity() const {
    if constexpr (kFloating<T>) {
      return kMax ? -std::numeric_limits<acc_t>::infinity()
                  : std::numeric_limits<acc_t>::infinity();
    } else {
      return kMax ? std::numeric_limits<acc_t>::lowest() : std::numeric_limits<acc_t>::max();
    }
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE static bool better(acc_t x, acc_t a) {
    return (kMax ? x > a : x < a) || isnan_(x);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    acc_t v = acc_t(x);
    return better(v, a) ? v : a;
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const {
    return better(b, a) ? b : a;
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, acc_t a) const {
    out_ptr<T>(out, 0)[off] = T(a);
  }
};

template <class T>
struct AMinMaxOp {
  using Min = MinMaxOp<T, false>;
  using Max = MinMaxOp<T, true>;
  struct Acc {
    cmp_t<T> lo, hi;
  };
  using in_t = T;
  using acc_t = Acc;
  CRESSET_HOST_DEVICE Acc identity() const { return {Min().identity(), Max().identity()}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t i) const {
    return {Min().update(a.lo, x, i), Max().update(a.hi, x, i)};
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const {
    return {Min().combine(a.lo, b.lo), Max().combine(a.hi, b.hi)};
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, Acc a) const {
    out_ptr<T>(out, 0)[off] = T(a.lo);
    out_ptr<T>(out, 1)[off] = T(a.hi);
  }
};

// Index of the max/min; NaN counts as the extreme. Ties go to the lowest index (torch's rule), in
// combine too, so lanes and threads may meet in any order. out[0]: indices; out[1], when set:
// the values.
template <class T, bool kMax>
struct ArgOp {
  using ValueOp = MinMaxOp<T, kMax>;
  static constexpr bool kIsMax = kMax;
  struct Acc {
    cmp_t<T> v;
    int64_t i;
  };
  using in_t = T;
  using acc_t = Acc;
  CRESSET_HOST_DEVICE Acc identity() const { return {ValueOp().identity(), -1}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE static bool better(cmp_t<T> x, cmp_t<T> a) {
    return kMax ? (x > a || (isnan_(x) && !isnan_(a))) : (x < a || (isnan_(x) && !isnan_(a)));
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t i) const {
    cmp_t<T> v = cmp_t<T>(x);
    return (a.i < 0 || better(v, a.v)) ? Acc{v, i} : a;
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const {
    if (a.i < 0) return b;
    if (b.i < 0 || better(a.v, b.v)) return a;
    if (better(b.v, a.v)) return b;
    return a.i < b.i ? a : b;
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, Acc a) const {
    out_ptr<int64_t>(out, 0)[off] = a.i;
    if (out[1]) out_ptr<T>(out, 1)[off] = T(a.v);
  }
};

template <class T, bool kAll>
struct LogicalOp {
  using in_t = T;
  using acc_t = bool;
  CRESSET_HOST_DEVICE bool identity() const { return kAll; }
  CRESSET_HOST_DEVICE CRESSET_INLINE bool update(bool a, T x, int64_t) const {
    bool nz = cmp_t<T>(x) != cmp_t<T>(0);
    return kAll ? (a && nz) : (a || nz);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE bool combine(bool a, bool b) const {
    return kAll ? (a && b) : (a || b);
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, bool a) const {
    out_ptr<bool>(out, 0)[off] = a;
  }
};

// Vector norms of a floating input; the kind picks the formula at compile time.
template <class T, NormKind K>
struct NormOp {
  using in_t = T;
  using acc_t = opmath_t<T>;
  acc_t p;
  CRESSET_HOST_DEVICE acc_t identity() const {
    return K == NormKind::NegInf ? std::numeric_limits<acc_t>::infinity() : acc_t(0);
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t update(acc_t a, T x, int64_t) const {
    acc_t v = std::abs(acc_t(x));
    switch (K) {
      case NormKind::One:
        return a + v;
      case NormKind::Two:
        return a + v * v;
      case NormKind::Inf:
        return (v > a || isnan_(v)) ? v : a;
      case NormKind::NegInf:
        return (v < a || isnan_(v)) ? v : a;
      default:
        return a + std::pow(v, p);
    }
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE acc_t combine(acc_t a, acc_t b) const {
    switch (K) {
      case NormKind::Inf:
        return (b > a || isnan_(b)) ? b : a;
      case NormKind::NegInf:
        return (b < a || isnan_(b)) ? b : a;
      default:
        return a + b;
    }
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, acc_t a) const {
    acc_t r = K == NormKind::Two ? std::sqrt(a) : K == NormKind::General ? std::pow(a, 1 / p) : a;
    out_ptr<T>(out, 0)[off] = T(r);
  }
};

// Welford's running mean and sum of squared deviations in double (as torch's CPU kernel), merged
// with Chan's formula. out[0]: var (or std); out[1], when set: the mean.
template <class T>
struct VarOp {
  struct Acc {
    double mean, m2;
    int64_t n;
  };
  using in_t = T;
  using acc_t = Acc;
  double correction;
  bool take_sqrt;
  CRESSET_HOST_DEVICE Acc identity() const { return {0, 0, 0}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t) const {
    double v = double(opmath_t<T>(x));
    int64_t n = a.n + 1;
    double d = v - a.mean;
    double mean = a.mean + d / double(n);
    return {mean, a.m2 + d * (v - mean), n};
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const {
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    int64_t n = a.n + b.n;
    double d = b.mean - a.mean, fb = double(b.n) / double(n);
    return {a.mean + d * fb, a.m2 + b.m2 + d * d * double(a.n) * fb, n};
  }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, Acc a) const {
    double dof = std::max(0.0, double(a.n) - correction);
    double var = a.m2 / dof;
    out_ptr<T>(out, 0)[off] = T(opmath_t<T>(take_sqrt ? std::sqrt(var) : var));
    if (out[1]) out_ptr<T>(out, 1)[off] = T(opmath_t<T>(a.n ? a.mean : NAN));
  }
};

// log(sum(exp(x))) in one pass: a running max m and the sum s of exp(x - m), rescaled when m
// grows. A NaN max or an infinite one is the answer itself.
template <class T>
struct LogSumExpOp {
  using M = opmath_t<T>;
  struct Acc {
    M m, s;
  };
  using in_t = T;
  using acc_t = Acc;
  CRESSET_HOST_DEVICE Acc identity() const { return {-std::numeric_limits<M>::infinity(), M(0)}; }
  CRESSET_HOST_DEVICE CRESSET_INLINE static Acc merge(Acc a, M m, M s) {
    if (isnan_(m) || isnan_(a.m)) return {NAN, NAN};
    if (m == -std::numeric_limits<M>::infinity()) return a;
    if (a.m == -std::numeric_limits<M>::infinity()) return {m, s};
    if (m > a.m) return {m, a.s * std::exp(a.m - m) + s};
    return {a.m, a.s + s * std::exp(m - a.m)};
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc update(Acc a, T x, int64_t) const {
    return merge(a, M(x), M(1));
  }
  CRESSET_HOST_DEVICE CRESSET_INLINE Acc combine(Acc a, Acc b) const { return merge(a, b.m, b.s); }
  CRESSET_HOST_DEVICE void store(char* const* out, int64_t off, Acc a) const {
    M r = std::isfinite(a.m) ? a.m + std::log(a.s) : a.m;
    out_ptr<T>(out, 0)[off] = T(r);
  }
};
