#pragma once
// Note [Fused optimizer updates]
// torch.optim on CPU updates one parameter at a time with ~10 tensor ops each (its single-tensor
// path). cresset.optim gathers a param group's params, grads and state buffers into lists and
// makes one call here: the per-tensor coefficients (bias corrections, step sizes) are computed in
// double exactly as torch computes them in Python, then one parallel loop applies the formulas
// element by element in torch's order (see backend/cpu/optim_kernels.cpp). 'step' and the other
// 0-dim state tensors are read and written here too, so Python does no per-tensor arithmetic.
// Lists are parallel: entry i of every list belongs to params[i]. Grads of None are filtered out
// by the caller, as torch does.
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.optim.SGD's step; entries of momentum_buffers may be undefined (created here, as a copy of
/// the effective gradient). Returns the momentum buffers (empty when momentum == 0).
std::vector<Tensor> sgd_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                               std::vector<Tensor> momentum_buffers, double lr, double momentum,
                               double dampening, double weight_decay, bool nesterov, bool maximize);

/// torch.optim.Adam / AdamW (decoupled weight decay); max_exp_avg_sqs is used only with amsgrad.
void adam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                 const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                 const std::vector<Tensor>& max_exp_avg_sqs, const std::vector<Tensor>& steps,
                 double lr, double beta1, double beta2, double weight_decay, double eps,
                 bool amsgrad, bool maximize, bool decoupled);

/// torch.optim.Adagrad (dense gradients).
void adagrad_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<Tensor>& state_sums, const std::vector<Tensor>& steps,
                    double lr, double lr_decay, double weight_decay, double eps, bool maximize);

/// torch.optim.Adamax.
void adamax_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                   const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_infs,
                   const std::vector<Tensor>& steps, double lr, double beta1, double beta2,
                   double eps, double weight_decay, bool maximize);

/// torch.optim.Adadelta.
void adadelta_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                     const std::vector<Tensor>& square_avgs, const std::vector<Tensor>& acc_deltas,
                     const std::vector<Tensor>& steps, double lr, double rho, double eps,
                     double weight_decay, bool maximize);

/// torch.optim.ASGD; etas and mus are the 0-dim state tensors, rewritten after the update.
void asgd_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                 const std::vector<Tensor>& axs, const std::vector<Tensor>& etas,
                 const std::vector<Tensor>& mus, const std::vector<Tensor>& steps, double lr,
                 double lambd, double alpha, double t0, double weight_decay, bool maximize);

/// torch.optim.RMSprop; momentum_buffers used when momentum > 0, grad_avgs when centered.
void rmsprop_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<Tensor>& square_avgs,
                    const std::vector<Tensor>& momentum_buffers,
                    const std::vector<Tensor>& grad_avgs, const std::vector<Tensor>& steps,
                    double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool centered, bool maximize);

/// torch.optim.Rprop.
void rprop_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& prevs, const std::vector<Tensor>& step_sizes,
                  const std::vector<Tensor>& steps, double etaminus, double etaplus,
                  double step_size_min, double step_size_max, bool maximize);

/// torch.optim.NAdam; mu_products are the 0-dim state tensors.
void nadam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                  const std::vector<Tensor>& mu_products, const std::vector<Tensor>& steps,
                  double lr, double beta1, double beta2, double weight_decay, double eps,
                  double momentum_decay, bool decoupled, bool maximize);

/// torch.optim.RAdam.
void radam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                  const std::vector<Tensor>& steps, double lr, double beta1, double beta2,
                  double weight_decay, double eps, bool decoupled, bool maximize);

}  // namespace cresset
