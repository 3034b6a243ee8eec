"""torch.optim.RMSprop."""
from typing import ClassVar

from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
)

__all__ = ["RMSprop"]


class RMSprop(_FusedOptimizer):
    """Implements the RMSprop algorithm (torch.optim.RMSprop)."""

    _setstate_defaults: ClassVar[dict] = {
        "momentum": 0, "centered": False, "foreach": None, "maximize": False,
        "differentiable": False, "capturable": False,
    }
    _kernel = _C._optim.rmsprop_update
    _differentiable_update = staticmethod(_differentiable.rmsprop)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonnegative("epsilon value", eps)
        _check_nonnegative("momentum value", momentum)
        _check_nonnegative("weight_decay value", weight_decay)
        _check_nonnegative("alpha value", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("square_avg", "momentum_buffer" if group["momentum"] > 0 else None,
                "grad_avg" if group["centered"] else None, "step")
