#pragma once
// Helpers shared by the random family's op files (random, random_gamma); not public API.
#include <cstdint>

#include "cresset/backend/common/philox.h"
#include "cresset/core/generator.h"
#include "cresset/core/parallel.h"
#include "cresset/core/tensor.h"

namespace cresset::random_detail {

/// Raises torch's NotImplementedError for a non-floating `t` ("<kernel>" not implemented ...).
void check_floating(const Tensor& t, const char* kernel);
/// A contiguous float64 copy of `t` on the CPU, broadcast to `sizes`.
Tensor cpu_doubles(const Tensor& t, const DimVector& sizes, const char* op);

/// Runs fn(i, stream) for i in [0, n) in parallel, where element i draws from its own Philox
/// stream (the op's first reserved block + i): any thread count gives the same values. For ops
/// whose draws per element vary (poisson, gamma, binomial).
template <typename F>
void for_each_stream(int64_t n, Generator* gen, Device device, const char* op, const F& fn) {
  if (n == 0) return;
  PhiloxState state = generator_for(gen, device, op).reserve(uint64_t(n));
  parallel_for(0, n, 2048, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      PhiloxStream stream(state.seed, state.offset + uint64_t(i));
      fn(i, stream);
    }
  });
}

}  // namespace cresset::random_detail
