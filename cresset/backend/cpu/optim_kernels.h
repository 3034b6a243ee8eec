#pragma once
// Per-capability fused optimizer updates (see Note [CPU capability dispatch] and
// Note [Fused optimizer updates] in cresset/optim/optim.h).
#include <cstdint>
#include <vector>

#include "cresset/backend/cpu/capability.h"
#include "cresset/core/dtype.h"

namespace cresset::cpu {

/// The update rule a fused call applies; one per torch.optim class (AdamW is Adam, decoupled).
enum class OptimKind { SGD, Adam, Adagrad, Adamax, Adadelta, ASGD, RMSprop, Rprop, NAdam, RAdam };

/// Buffers per tensor: param, grad, then up to three state buffers (nullptr when unused).
constexpr int kOptimBuffers = 5;
/// Per-tensor coefficients computed on the host in double, as torch computes them in Python.
constexpr int kOptimScalars = 4;

/// One parameter's slice of a fused update: dense buffers of `numel` elements in one dtype.
struct OptimTensor {
  void* buf[kOptimBuffers] = {};
  double s[kOptimScalars] = {};
  int64_t numel = 0;
};

/// The hyperparameters of one param group, named as torch's group options (betas, etas and
/// step_sizes split in two); an update reads the fields of its optimizer and ignores the rest.
struct OptimOptions {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0, momentum = 0, dampening = 0;
  double rho = 0, alpha = 0, lambd = 0, t0 = 0, lr_decay = 0, momentum_decay = 0;
  double etaminus = 0, etaplus = 0, step_size_min = 0, step_size_max = 0;
  bool maximize = false, nesterov = false, amsgrad = false, centered = false;
  bool decoupled_weight_decay = false;
};

}  // namespace cresset::cpu

#define CRESSET_OPTIM_DECLS                                                               \
  /* Applies `kind` to every tensor of `ts` (any floating dtype) in one parallel loop. */ \
  void optim_kernel(OptimKind kind, DType dtype, const std::vector<OptimTensor>& ts,      \
                    const OptimOptions& h);

namespace cresset::cpu {
namespace base {
CRESSET_OPTIM_DECLS
}
namespace avx2 {
CRESSET_OPTIM_DECLS
}
namespace avx512 {
CRESSET_OPTIM_DECLS
}
}  // namespace cresset::cpu
#undef CRESSET_OPTIM_DECLS
