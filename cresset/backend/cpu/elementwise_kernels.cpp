// CPU kernels for every row of ops/elementwise.def, compiled once per capability
// (see Note [CPU capability dispatch]).
#include "cresset/backend/common/functors.h"
#include "cresset/backend/cpu/kernels.h"

namespace cresset::cpu::CPU_CAPABILITY {

#include "cresset/backend/cpu/loops.h"

namespace {

template <typename F>
void unary_Float(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_FLOAT(op, it.common_dtype(), [&] { unary_loop<scalar_t, scalar_t>(it, f); });
}
template <typename F>
void unary_Numeric(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_NUMERIC(op, it.common_dtype(), [&] { unary_loop<scalar_t, scalar_t>(it, f); });
}
template <typename F>
void unary_All(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] { unary_loop<scalar_t, scalar_t>(it, f); });
}
template <typename F>
void unary_Predicate(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] { unary_loop<bool, scalar_t>(it, f); });
}

template <typename F>
void binary_Arith(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] { binary_loop<scalar_t, scalar_t>(it, f); });
}
template <typename F>
void binary_Float(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_FLOAT(op, it.common_dtype(), [&] { binary_loop<scalar_t, scalar_t>(it, f); });
}
template <typename F>
void binary_Compare(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_ALL(op, it.common_dtype(), [&] { binary_loop<bool, scalar_t>(it, f); });
}
template <typename F>
void binary_Bitwise(const char* op, TensorIter& it, const F& f) {
  CRESSET_DISPATCH_INTEGRAL_BOOL(op, it.common_dtype(),
                                 [&] { binary_loop<scalar_t, scalar_t>(it, f); });
}

}  // namespace

#define CRESSET_UNARY(name, Functor, Kind, ...) \
  void name##_kernel(TensorIter& it) { unary_##Kind(#name, it, functors::Functor{}); }
#define CRESSET_BINARY(name, Functor, Kind, ...) \
  void name##_kernel(TensorIter& it) { binary_##Kind(#name, it, functors::Functor{}); }
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY

}  // namespace cresset::cpu::CPU_CAPABILITY
