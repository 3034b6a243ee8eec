"""torch.optim.RAdam."""
from typing import ClassVar

from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
)

__all__ = ["RAdam"]


class RAdam(_FusedOptimizer):
    """Implements the RAdam algorithm, Adam with a rectified variance (torch.optim.RAdam)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False,
        "decoupled_weight_decay": False, "capturable": False,
    }
    _kernel = _C._optim.radam_update
    _differentiable_update = staticmethod(_differentiable.radam)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon value", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("exp_avg", "exp_avg_sq", "step")
