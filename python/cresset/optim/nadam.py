"""torch.optim.NAdam."""
import cresset
from cresset import _C
from cresset.optim.adam import _check_adam_args
from cresset.optim.optimizer import (
    Optimizer,
    _fused,
    _new_step,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Implements the NAdam algorithm, Adam with Nesterov momentum (torch.optim.NAdam)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, mu_products, steps = [], [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["mu_product"] = cresset.tensor(1.0, dtype=_new_step().dtype)
                    state["exp_avg"] = cresset.zeros_like(p, memory_format=cresset.preserve_format)
                    state["exp_avg_sq"] = cresset.zeros_like(
                        p, memory_format=cresset.preserve_format)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                mu_products.append(state["mu_product"])
                steps.append(state["step"])
            if params:
                beta1, beta2 = group["betas"]
                _fused(_C._optim.nadam_update,
                       [params, grads, exp_avgs, exp_avg_sqs, mu_products, steps],
                       _to_scalar(group["lr"]), beta1, beta2, group["weight_decay"],
                       group["eps"], group["momentum_decay"], group["decoupled_weight_decay"],
                       group["maximize"])
        return loss
