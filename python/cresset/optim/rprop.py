"""torch.optim.Rprop."""
from typing import ClassVar

import cresset
from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_lr,
    _FusedOptimizer,
    _new_step,
    _to_scalar,
    _zeros_like,
)

__all__ = ["Rprop"]


class Rprop(_FusedOptimizer):
    """Implements the resilient backpropagation algorithm (torch.optim.Rprop)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }
    _kernel = _C._optim.rprop_update
    _differentiable_update = staticmethod(_differentiable.rprop)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("prev", "step_size", "step")

    def _init_state(self, state, p, group):
        state["step"] = _new_step(p, group)
        state["prev"] = _zeros_like(p)
        state["step_size"] = cresset.full_like(p.grad, _to_scalar(group["lr"]))
