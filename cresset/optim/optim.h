#pragma once
// Note [Fused optimizer updates]
// torch.optim on CPU updates one parameter at a time with ~10 tensor ops each (its single-tensor
// path). cresset.optim gathers a param group's params, grads and state buffers into lists and
// makes one call here: the per-tensor coefficients (bias corrections, step sizes) are computed in
// double exactly as torch computes them in Python, then one parallel loop applies the formulas
// element by element in torch's order (see Note [Optimizer update rules]). 'step' and the other
// 0-dim state tensors are read and written here too, so Python does no per-tensor arithmetic.
// Lists are parallel: entry i of every list belongs to params[i]. Grads of None are filtered out
// by the caller, as torch does.
#include <vector>

#include "cresset/backend/common/optim_rules.h"
#include "cresset/core/tensor.h"

namespace cresset {

using TensorList = std::vector<Tensor>;

/// torch.optim.SGD's step; entries of momentum_buffers may be undefined (created here, as a copy of
/// the effective gradient). Returns the momentum buffers (empty when momentum == 0).
TensorList sgd_update(const TensorList& params, const TensorList& grads,
                      TensorList momentum_buffers, const OptimOptions& o);

/// torch.optim.Adam / AdamW (decoupled weight decay); max_exp_avg_sqs is used only with amsgrad.
void adam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                 const TensorList& exp_avg_sqs, const TensorList& max_exp_avg_sqs,
                 const TensorList& steps, const OptimOptions& o);

/// torch.optim.Adagrad (dense gradients).
void adagrad_update(const TensorList& params, const TensorList& grads, const TensorList& state_sums,
                    const TensorList& steps, const OptimOptions& o);

/// torch.optim.Adamax.
void adamax_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                   const TensorList& exp_infs, const TensorList& steps, const OptimOptions& o);

/// torch.optim.Adadelta.
void adadelta_update(const TensorList& params, const TensorList& grads,
                     const TensorList& square_avgs, const TensorList& acc_deltas,
                     const TensorList& steps, const OptimOptions& o);

/// torch.optim.ASGD; etas and mus are the 0-dim state tensors, rewritten after the update.
void asgd_update(const TensorList& params, const TensorList& grads, const TensorList& axs,
                 const TensorList& etas, const TensorList& mus, const TensorList& steps,
                 const OptimOptions& o);

/// torch.optim.RMSprop; momentum_buffers used when momentum > 0, grad_avgs when centered.
void rmsprop_update(const TensorList& params, const TensorList& grads,
                    const TensorList& square_avgs, const TensorList& momentum_buffers,
                    const TensorList& grad_avgs, const TensorList& steps, const OptimOptions& o);

/// torch.optim.Rprop.
void rprop_update(const TensorList& params, const TensorList& grads, const TensorList& prevs,
                  const TensorList& step_sizes, const TensorList& steps, const OptimOptions& o);

/// torch.optim.NAdam; mu_products are the 0-dim state tensors.
void nadam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                  const TensorList& exp_avg_sqs, const TensorList& mu_products,
                  const TensorList& steps, const OptimOptions& o);

/// torch.optim.RAdam.
void radam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                  const TensorList& exp_avg_sqs, const TensorList& steps, const OptimOptions& o);

}  // namespace cresset
