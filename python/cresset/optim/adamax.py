"""torch.optim.Adamax."""
from typing import ClassVar

from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
)

__all__ = ["Adamax"]


class Adamax(_FusedOptimizer):
    """Implements the Adamax algorithm, Adam on the infinity norm (torch.optim.Adamax)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }
    _kernel = _C._optim.adamax_update
    _differentiable_update = staticmethod(_differentiable.adamax)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon value", eps)
        _check_betas(betas)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("exp_avg", "exp_inf", "step")
