"""torch.optim.Adamax."""
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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Implements the Adamax algorithm, Adam on the infinity norm (torch.optim.Adamax)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_infs, steps = [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = cresset.zeros_like(p, memory_format=cresset.preserve_format)
                    state["exp_inf"] = cresset.zeros_like(p, memory_format=cresset.preserve_format)
                exp_avgs.append(state["exp_avg"])
                exp_infs.append(state["exp_inf"])
                steps.append(state["step"])
            if params:
                beta1, beta2 = group["betas"]
                _fused(_C._optim.adamax_update, [params, grads, exp_avgs, exp_infs, steps],
                       _to_scalar(group["lr"]), beta1, beta2, group["eps"],
                       group["weight_decay"], group["maximize"])
        return loss
