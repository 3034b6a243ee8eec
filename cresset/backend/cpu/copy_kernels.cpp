// dtype-converting copy, compiled once per capability (see Note [CPU capability dispatch]).
#include "cresset/backend/cpu/kernels.h"

namespace cresset::cpu::CPU_CAPABILITY {

#include "cresset/backend/cpu/loops.h"

namespace {
// Converting to bool means "!= 0"; everything else converts through the source's opmath type.
struct Convert {
  template <typename T>
  CRESSET_INLINE T operator()(T x) const { return x; }
};
}  // namespace

void copy_kernel(TensorIter& it) {
  DType out = it.dtype(0);
  CRESSET_DISPATCH_ALL("copy_", it.dtype(1), [&] {
    using src_t = scalar_t;
    CRESSET_DISPATCH_ALL("copy_", out, [&] {
      if constexpr (std::is_same_v<scalar_t, bool>) {
        unary_loop<bool, src_t>(it, [](opmath_t<src_t> x) { return x != opmath_t<src_t>(0); });
      } else {
        unary_loop<scalar_t, src_t>(it, Convert{});
      }
    });
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY

namespace cresset::cpu::CPU_CAPABILITY {

void fill_kernel(TensorIter& it, Scalar value) {
  CRESSET_DISPATCH_ALL("fill_", it.dtype(0), [&] {
    const scalar_t v = value.to<scalar_t>();
    it.for_each([&](char** data, const int64_t* s, int64_t n) {
      scalar_t* out = reinterpret_cast<scalar_t*>(data[0]);
      if (s[0] == sizeof(scalar_t)) {
        for (int64_t i = 0; i < n; ++i) out[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(data[0] + i * s[0]) = v;
      }
    });
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
