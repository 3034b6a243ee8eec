// Elementwise ops generated from elementwise.def: each row's Kind decides how its iterator is
// configured (dtype rules); the kernels come from the backends.
#include "cresset/ops/elementwise.h"

#include "cresset/backend/cpu/kernels.h"
#include "cresset/backend/cuda/kernels.h"
#include "cresset/ops/dispatch.h"

namespace cresset {

namespace {

enum class Kind { Float, Numeric, All, Predicate, Arith, Compare, Bitwise };

// Configures the iterator for an op of `kind`; `out` may be undefined (allocate) or an output.
TensorIterConfig configure(const char* op, Kind kind, const Tensor& out, bool inplace) {
  TensorIterConfig cfg(op);
  cfg.add_output(out).is_inplace(inplace);
  switch (kind) {
    case Kind::Float:
      cfg.promote_integer_to_float(true);
      break;
    case Kind::Predicate:
    case Kind::Compare:
      cfg.output_dtype(DType::Bool);
      break;
    default:
      break;
  }
  return cfg;
}

Tensor finish(TensorIter& it, const KernelSet& kernels, bool writes_existing) {
  run_kernel(it, kernels);
  it.finish();
  if (writes_existing) it.output().bump_version();
  return it.output();
}

Tensor unary(const char* op, Kind kind, const KernelSet& k, const Tensor& self, const Tensor& out,
             bool inplace) {
  TensorIter it = configure(op, kind, out, inplace).add_input(self).build();
  return finish(it, k, out.defined());
}

Tensor binary(const char* op, Kind kind, const KernelSet& k, const Tensor& self,
              const Tensor& other, const Tensor& out, bool inplace) {
  TensorIter it = configure(op, kind, out, inplace).add_input(self).add_input(other).build();
  return finish(it, k, out.defined());
}

}  // namespace

#define CRESSET_UNARY(name, Functor, K, ...)                                  \
  Tensor name(const Tensor& self) {                                           \
    return unary(#name, Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, Tensor(), false); \
  }                                                                           \
  Tensor name##_(const Tensor& self) {                                        \
    return unary(#name "_", Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, self, true);  \
  }                                                                           \
  Tensor name##_out(const Tensor& self, const Tensor& out) {                  \
    return unary(#name, Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, out, false);      \
  }
#define CRESSET_BINARY(name, Functor, K, ...)                                              \
  Tensor name(const Tensor& self, const Tensor& other) {                                   \
    return binary(#name, Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, other, Tensor(), \
                  false);                                                                  \
  }                                                                                        \
  Tensor name##_(const Tensor& self, const Tensor& other) {                                \
    return binary(#name "_", Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, other, self, \
                  true);                                                                   \
  }                                                                                        \
  Tensor name##_out(const Tensor& self, const Tensor& other, const Tensor& out) {          \
    return binary(#name, Kind::K, CRESSET_KERNEL_SET(name##_kernel), self, other, out, false); \
  }
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY

}  // namespace cresset
