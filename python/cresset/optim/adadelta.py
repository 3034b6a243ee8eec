"""torch.optim.Adadelta."""
from typing import ClassVar

from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
)

__all__ = ["Adadelta"]


class Adadelta(_FusedOptimizer):
    """Implements the Adadelta algorithm (torch.optim.Adadelta)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }
    _kernel = _C._optim.adadelta_update
    _differentiable_update = staticmethod(_differentiable.adadelta)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative("epsilon value", eps)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("square_avg", "acc_delta", "step")
