#include "cresset/backend/cpu/linalg.h"

#include <algorithm>

#include "cresset/backend/common/tensor_iter.h"

namespace cresset::cpu {

void trace_kernel(const Tensor& out, const Tensor& self) {
  const int64_t n = std::min(self.size(0), self.size(1));
  const int64_t step = self.stride(0) + self.stride(1);
  CRESSET_DISPATCH_NUMERIC("trace", self.dtype(), [&] {
    // torch's CPU accumulation types: double for floating dtypes, int64 for integers.
    using acc_t = std::conditional_t<std::is_floating_point_v<opmath_t<scalar_t>>, double, int64_t>;
    const scalar_t* p = self.data<scalar_t>();
    acc_t sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += acc_t(opmath_t<scalar_t>(p[i * step]));
    CRESSET_DISPATCH_NUMERIC("trace", out.dtype(),
                             [&] { *out.data<scalar_t>() = scalar_t(opmath_t<scalar_t>(sum)); });
  });
}

void cross_kernel(const Tensor& out, const Tensor& a, const Tensor& b, int64_t dim) {
  // Iterate over the first component of each vector; the other two are one and two strides away.
  auto first = [dim](const Tensor& t) {
    DimVector sizes = t.sizes();
    sizes[size_t(dim)] = 1;
    return t.as_strided_view(sizes, t.strides(), t.storage_offset());
  };
  const int64_t so = out.stride(dim), sa = a.stride(dim), sb = b.stride(dim);
  TensorIter it = TensorIterConfig("cross")
                      .add_output(first(out))
                      .add_input(first(a))
                      .add_input(first(b))
                      .promote_inputs(false)
                      .is_inplace(true)
                      .build();
  CRESSET_DISPATCH_NUMERIC("cross", out.dtype(), [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    it.for_each([&](char** data, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        T* o = reinterpret_cast<T*>(data[0] + i * s[0]);
        const T* x = reinterpret_cast<const T*>(data[1] + i * s[1]);
        const T* y = reinterpret_cast<const T*>(data[2] + i * s[2]);
        const M x0 = M(x[0]), x1 = M(x[sa]), x2 = M(x[2 * sa]);
        const M y0 = M(y[0]), y1 = M(y[sb]), y2 = M(y[2 * sb]);
        o[0] = T(M(x1 * y2 - x2 * y1));
        o[so] = T(M(x2 * y0 - x0 * y2));
        o[2 * so] = T(M(x0 * y1 - x1 * y0));
      }
    });
  });
}

}  // namespace cresset::cpu
