// The per-optimizer halves of the fused updates: per-tensor coefficients computed in double as
// torch computes them in Python, then one kernel call (see Note [Fused optimizer updates]).
#include <algorithm>
#include <cmath>

#include "cresset/ops/view.h"
#include "cresset/optim/fused_batch.h"
#include "cresset/optim/optim.h"

namespace cresset {

using optim_detail::FusedBatch;
using optim_detail::increment_step;
using optim_detail::scalar_value;
using optim_detail::set_scalar_value;

namespace {

// The updates whose coefficients do not depend on the step count: count and run.
void counted_update(OptimKind kind, const char* op, const TensorList& params,
                    const TensorList& grads, const std::vector<const TensorList*>& states,
                    const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch(op, params, grads);
  int slot = 2;
  for (const TensorList* list : states) {
    if (list != nullptr) batch.add_state(slot, *list);
    ++slot;
  }
  for (size_t i = 0; i < batch.size(); ++i) increment_step(op, steps.at(i));
  batch.run(kind, o);
}

}  // namespace

TensorList sgd_update(const TensorList& params, const TensorList& grads,
                      TensorList momentum_buffers, const OptimOptions& o) {
  FusedBatch batch("sgd", params, grads);
  if (o.momentum != 0) {
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
  batch.run(OptimKind::SGD, o);
  return momentum_buffers;
}

void adam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                 const TensorList& exp_avg_sqs, const TensorList& max_exp_avg_sqs,
                 const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch("adam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  if (o.amsgrad) batch.add_state(4, max_exp_avg_sqs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adam", steps.at(i));
    double bias_correction1 = 1 - std::pow(o.beta1, step);
    double bias_correction2 = 1 - std::pow(o.beta2, step);
    batch.scalars(i)[0] = o.lr / bias_correction1;
    batch.scalars(i)[1] = std::pow(bias_correction2, 0.5);
  }
  batch.run(OptimKind::Adam, o);
}

void adagrad_update(const TensorList& params, const TensorList& grads, const TensorList& state_sums,
                    const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch("adagrad", params, grads);
  batch.add_state(2, state_sums);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adagrad", steps.at(i));
    batch.scalars(i)[0] = o.lr / (1 + (step - 1) * o.lr_decay);
  }
  batch.run(OptimKind::Adagrad, o);
}

void adamax_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                   const TensorList& exp_infs, const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch("adamax", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_infs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("adamax", steps.at(i));
    batch.scalars(i)[0] = o.lr / (1 - std::pow(o.beta1, step));
  }
  batch.run(OptimKind::Adamax, o);
}

void adadelta_update(const TensorList& params, const TensorList& grads,
                     const TensorList& square_avgs, const TensorList& acc_deltas,
                     const TensorList& steps, const OptimOptions& o) {
  counted_update(OptimKind::Adadelta, "adadelta", params, grads, {&square_avgs, &acc_deltas}, steps,
                 o);
}

void asgd_update(const TensorList& params, const TensorList& grads, const TensorList& axs,
                 const TensorList& etas, const TensorList& mus, const TensorList& steps,
                 const OptimOptions& o) {
  FusedBatch batch("asgd", params, grads);
  batch.add_state(2, axs);
  std::vector<double> step_values(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    step_values[i] = increment_step("asgd", steps.at(i));
    double eta = scalar_value("asgd", etas.at(i));
    batch.scalars(i)[0] = eta;
    batch.scalars(i)[1] = scalar_value("asgd", mus.at(i));
    batch.scalars(i)[2] = 1 - o.lambd * eta;
  }
  batch.run(OptimKind::ASGD, o);
  // The schedule of eta and mu for the next step, from this step's count.
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = step_values[i];
    set_scalar_value(etas[i], o.lr / std::pow(1 + o.lambd * o.lr * step, o.alpha));
    set_scalar_value(mus[i], 1 / std::max(1.0, step - o.t0));
  }
}

void rmsprop_update(const TensorList& params, const TensorList& grads,
                    const TensorList& square_avgs, const TensorList& momentum_buffers,
                    const TensorList& grad_avgs, const TensorList& steps, const OptimOptions& o) {
  counted_update(OptimKind::RMSprop, "rmsprop", params, grads,
                 {&square_avgs, o.momentum > 0 ? &momentum_buffers : nullptr,
                  o.centered ? &grad_avgs : nullptr},
                 steps, o);
}

void rprop_update(const TensorList& params, const TensorList& grads, const TensorList& prevs,
                  const TensorList& step_sizes, const TensorList& steps, const OptimOptions& o) {
  counted_update(OptimKind::Rprop, "rprop", params, grads, {&prevs, &step_sizes}, steps, o);
}

void nadam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                  const TensorList& exp_avg_sqs, const TensorList& mu_products,
                  const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch("nadam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("nadam", steps.at(i));
    double mu = o.beta1 * (1.0 - 0.5 * std::pow(0.96, step * o.momentum_decay));
    double mu_next = o.beta1 * (1.0 - 0.5 * std::pow(0.96, (step + 1) * o.momentum_decay));
    // mu_product *= mu happens in the state tensor's dtype, as torch's in-place multiply.
    const Tensor& mp = mu_products.at(i);
    double old = scalar_value("nadam", mp);
    set_scalar_value(mp, mp.dtype() == DType::Float64 ? old * mu : double(float(old) * float(mu)));
    double mu_product = scalar_value("nadam", mp);
    double mu_product_next = mu_product * mu_next;
    batch.scalars(i)[0] = 1 - std::pow(o.beta2, step);
    batch.scalars(i)[1] = -o.lr * (1.0 - mu) / (1.0 - mu_product);
    batch.scalars(i)[2] = (-o.lr * mu_next) / (1.0 - mu_product_next);
  }
  batch.run(OptimKind::NAdam, o);
}

void radam_update(const TensorList& params, const TensorList& grads, const TensorList& exp_avgs,
                  const TensorList& exp_avg_sqs, const TensorList& steps, const OptimOptions& o) {
  FusedBatch batch("radam", params, grads);
  batch.add_state(2, exp_avgs);
  batch.add_state(3, exp_avg_sqs);
  const double rho_inf = 2 / (1 - o.beta2) - 1;
  for (size_t i = 0; i < batch.size(); ++i) {
    double step = increment_step("radam", steps.at(i));
    double bias_correction1 = 1 - std::pow(o.beta1, step);
    double bias_correction2 = 1 - std::pow(o.beta2, step);
    double rho_t = rho_inf - 2 * step * std::pow(o.beta2, step) / bias_correction2;
    double* s = batch.scalars(i);
    s[0] = bias_correction1;
    s[1] = std::pow(bias_correction2, 0.5);
    s[3] = rho_t > 5.0 ? 1 : 0;
    if (rho_t > 5.0) {
      s[2] = std::pow((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t),
                      0.5);
    }
  }
  batch.run(OptimKind::RAdam, o);
}

}  // namespace cresset
