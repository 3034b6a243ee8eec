// The per-optimizer halves of the fused updates: per-tensor coefficients computed in double as
// torch computes them in Python, then one kernel call (see Note [Fused optimizer updates]).
#include <algorithm>
#include <cmath>

#include "cresset/ops/view.h"
#include "cresset/optim/fused_batch.h"
#include "cresset/optim/optim.h"

namespace cresset {

using cpu::OptimHyper;
using cpu::OptimKind;
using optim_detail::FusedBatch;
using optim_detail::increment_step;
using optim_detail::scalar_value;
using optim_detail::set_scalar_value;

std::vector<Tensor> sgd_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                               std::vector<Tensor> momentum_buffers, double lr, double momentum,
                               double dampening, double weight_decay, bool nesterov,
                               bool maximize) {
  FusedBatch batch("sgd", params, grads);
  if (momentum != 0) {
    momentum_buffers.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (momentum_buffers[i].defined()) continue;
      momentum_buffers[i] = empty_like_format(params[i], MemoryFormat::Preserve);
      batch.scalars(i)[0] = 1;  // first step: the buffer becomes a copy of the gradient
    }
    batch.add_state(2, momentum_buffers);
  } else {
    momentum_buffers.clear();
  }
  OptimHyper h;
  h.lr = lr;
  h.momentum = momentum;
  h.dampening = dampening;
  h.weight_decay = weight_decay;
  h.nesterov = nesterov;
  h.maximize = maximize;
  batch.run(OptimKind::SGD, h);
  return momentum_buffers;
}

void adam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                 const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                 const std::vector<Tensor>& max_exp_avg_sqs, const std::vector<Tensor>& steps,
                 double lr, double beta1, double beta2, double weight_decay, double eps,
                 bool amsgrad, bool maximize, bool decoupled) {
  FusedBatch batch("adam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  if (amsgrad) batch.add_state(4, max_exp_avg_sqs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adam", steps.at(i));
    double bias_correction1 = 1 - std::pow(beta1, step);
    double bias_correction2 = 1 - std::pow(beta2, step);
    batch.scalars(i)[0] = lr / bias_correction1;
    batch.scalars(i)[1] = std::pow(bias_correction2, 0.5);
  }
  OptimHyper h;
  h.lr = lr;
  h.beta1 = beta1;
  h.beta2 = beta2;
  h.weight_decay = weight_decay;
  h.eps = eps;
  h.amsgrad = amsgrad;
  h.maximize = maximize;
  h.decoupled = decoupled;
  batch.run(OptimKind::Adam, h);
}

void adagrad_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<Tensor>& state_sums, const std::vector<Tensor>& steps,
                    double lr, double lr_decay, double weight_decay, double eps, bool maximize) {
  FusedBatch batch("adagrad", params, grads);
  batch.add_state(2, state_sums);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adagrad", steps.at(i));
    batch.scalars(i)[0] = lr / (1 + (step - 1) * lr_decay);
  }
  OptimHyper h;
  h.weight_decay = weight_decay;
  h.eps = eps;
  h.maximize = maximize;
  batch.run(OptimKind::Adagrad, h);
}

void adamax_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                   const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_infs,
                   const std::vector<Tensor>& steps, double lr, double beta1, double beta2,
                   double eps, double weight_decay, bool maximize) {
  FusedBatch batch("adamax", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_infs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adamax", steps.at(i));
    batch.scalars(i)[0] = lr / (1 - std::pow(beta1, step));
  }
  OptimHyper h;
  h.beta1 = beta1;
  h.beta2 = beta2;
  h.eps = eps;
  h.weight_decay = weight_decay;
  h.maximize = maximize;
  batch.run(OptimKind::Adamax, h);
}

void adadelta_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                     const std::vector<Tensor>& square_avgs, const std::vector<Tensor>& acc_deltas,
                     const std::vector<Tensor>& steps, double lr, double rho, double eps,
                     double weight_decay, bool maximize) {
  FusedBatch batch("adadelta", params, grads);
  batch.add_state(2, square_avgs);
  batch.add_state(3, acc_deltas);
  for (size_t i = 0; i < batch.size(); ++i) increment_step("adadelta", steps.at(i));
  OptimHyper h;
  h.lr = lr;
  h.rho = rho;
  h.eps = eps;
  h.weight_decay = weight_decay;
  h.maximize = maximize;
  batch.run(OptimKind::Adadelta, h);
}

void asgd_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                 const std::vector<Tensor>& axs, const std::vector<Tensor>& etas,
                 const std::vector<Tensor>& mus, const std::vector<Tensor>& steps, double lr,
                 double lambd, double alpha, double t0, double weight_decay, bool maximize) {
  FusedBatch batch("asgd", params, grads);
  batch.add_state(2, axs);
  std::vector<double> step_values(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    step_values[i] = increment_step("asgd", steps.at(i));
    double eta = scalar_value("asgd", etas.at(i));
    batch.scalars(i)[0] = eta;
    batch.scalars(i)[1] = scalar_value("asgd", mus.at(i));
    batch.scalars(i)[2] = 1 - lambd * eta;
  }
  OptimHyper h;
  h.weight_decay = weight_decay;
  h.maximize = maximize;
  batch.run(OptimKind::ASGD, h);
  // The schedule of eta and mu for the next step, from this step's count.
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = step_values[i];
    set_scalar_value(etas[i], lr / std::pow(1 + lambd * lr * step, alpha));
    set_scalar_value(mus[i], 1 / std::max(1.0, step - t0));
  }
}

void rmsprop_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<Tensor>& square_avgs,
                    const std::vector<Tensor>& momentum_buffers,
                    const std::vector<Tensor>& grad_avgs, const std::vector<Tensor>& steps,
                    double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool centered, bool maximize) {
  FusedBatch batch("rmsprop", params, grads);
  batch.add_state(2, square_avgs);
  if (momentum > 0) batch.add_state(3, momentum_buffers);
  if (centered) batch.add_state(4, grad_avgs);
  for (size_t i = 0; i < batch.size(); ++i) increment_step("rmsprop", steps.at(i));
  OptimHyper h;
  h.lr = lr;
  h.alpha = alpha;
  h.eps = eps;
  h.weight_decay = weight_decay;
  h.momentum = momentum;
  h.centered = centered;
  h.maximize = maximize;
  batch.run(OptimKind::RMSprop, h);
}

void rprop_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& prevs, const std::vector<Tensor>& step_sizes,
                  const std::vector<Tensor>& steps, double etaminus, double etaplus,
                  double step_size_min, double step_size_max, bool maximize) {
  FusedBatch batch("rprop", params, grads);
  batch.add_state(2, prevs);
  batch.add_state(3, step_sizes);
  for (size_t i = 0; i < batch.size(); ++i) increment_step("rprop", steps.at(i));
  OptimHyper h;
  h.etaminus = etaminus;
  h.etaplus = etaplus;
  h.step_min = step_size_min;
  h.step_max = step_size_max;
  h.maximize = maximize;
  batch.run(OptimKind::Rprop, h);
}

void nadam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                  const std::vector<Tensor>& mu_products, const std::vector<Tensor>& steps,
                  double lr, double beta1, double beta2, double weight_decay, double eps,
                  double momentum_decay, bool decoupled, bool maximize) {
  FusedBatch batch("nadam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("nadam", steps.at(i));
    double mu = beta1 * (1.0 - 0.5 * std::pow(0.96, step * momentum_decay));
    double mu_next = beta1 * (1.0 - 0.5 * std::pow(0.96, (step + 1) * momentum_decay));
    // mu_product *= mu happens in the state tensor's dtype, as torch's in-place multiply.
    const Tensor& mp = mu_products.at(i);
    double old = scalar_value("nadam", mp);
    set_scalar_value(mp, mp.dtype() == DType::Float64 ? old * mu : double(float(old) * float(mu)));
    double mu_product = scalar_value("nadam", mp);
    double mu_product_next = mu_product * mu_next;
    batch.scalars(i)[0] = 1 - std::pow(beta2, step);
    batch.scalars(i)[1] = -lr * (1.0 - mu) / (1.0 - mu_product);
    batch.scalars(i)[2] = (-lr * mu_next) / (1.0 - mu_product_next);
  }
  OptimHyper h;
  h.lr = lr;
  h.beta1 = beta1;
  h.beta2 = beta2;
  h.weight_decay = weight_decay;
  h.eps = eps;
  h.decoupled = decoupled;
  h.maximize = maximize;
  batch.run(OptimKind::NAdam, h);
}

void radam_update(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                  const std::vector<Tensor>& steps, double lr, double beta1, double beta2,
                  double weight_decay, double eps, bool decoupled, bool maximize) {
  FusedBatch batch("radam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  const double rho_inf = 2 / (1 - beta2) - 1;
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("radam", steps.at(i));
    double bias_correction1 = 1 - std::pow(beta1, step);
    double bias_correction2 = 1 - std::pow(beta2, step);
    double rho_t = rho_inf - 2 * step * std::pow(beta2, step) / bias_correction2;
    double* s = batch.scalars(i);
    s[0] = bias_correction1;
    s[1] = std::pow(bias_correction2, 0.5);
    s[3] = rho_t > 5.0 ? 1 : 0;
    if (rho_t > 5.0) {
      s[2] = std::pow((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t),
                      0.5);
    }
  }
  OptimHyper h;
  h.lr = lr;
  h.beta1 = beta1;
  h.beta2 = beta2;
  h.weight_decay = weight_decay;
  h.eps = eps;
  h.decoupled = decoupled;
  h.maximize = maximize;
  batch.run(OptimKind::RAdam, h);
}

}  // namespace cresset
