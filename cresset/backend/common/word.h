#pragma once
// Copies that move bytes, whatever the dtype: one unsigned word type per element size, so the
// kernels that only move elements (views, gathers, scatters, fills) instantiate per size, not
// per dtype. Shared by the CPU and CUDA kernels.
#include <cstdint>
#include <type_traits>

#include "cresset/core/error.h"

namespace cresset {

/// An unsigned integer as wide as one element (1, 2, 4 or 8 bytes): copying it moves the
/// element's bytes.
template <int kBytes>
struct Word {
  using type =
      std::conditional_t<kBytes == 1, uint8_t,
                         std::conditional_t<kBytes == 2, uint16_t,
                                            std::conditional_t<kBytes == 4, uint32_t, uint64_t>>>;
};

/// Calls f(Word<itemsize>{}) (`op` names the op in the error for an unsupported size).
template <typename F>
void dispatch_width(const char* op, int64_t itemsize, const F& f) {
  switch (itemsize) {
    case 1:
      return f(Word<1>{});
    case 2:
      return f(Word<2>{});
    case 4:
      return f(Word<4>{});
    case 8:
      return f(Word<8>{});
  }
  throw RuntimeError(str_cat("[", op, "] unsupported element size ", itemsize));
}

}  // namespace cresset
