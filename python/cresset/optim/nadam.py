"""torch.optim.NAdam."""
from typing import ClassVar

import cresset
from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
    _new_step,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(_FusedOptimizer):
    """Implements the NAdam algorithm, Adam with Nesterov momentum (torch.optim.NAdam)."""

    _setstate_defaults: ClassVar[dict] = {
        "maximize": False, "foreach": None, "capturable": False, "differentiable": False,
        "decoupled_weight_decay": False,
    }
    _kernel = _C._optim.nadam_update
    _differentiable_update = staticmethod(_differentiable.nadam)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon value", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        _check_nonnegative("momentum_decay value", momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("exp_avg", "exp_avg_sq", "mu_product", "step")

    def _init_state(self, state, p, group):
        state["step"] = _new_step(p, group)
        state["mu_product"] = cresset.ones((), dtype=state["step"].dtype,
                                          device=state["step"].device)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
