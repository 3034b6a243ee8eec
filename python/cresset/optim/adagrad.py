"""torch.optim.Adagrad."""
from typing import ClassVar

import cresset
from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_fused,
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
    _new_step,
)

__all__ = ["Adagrad"]


class Adagrad(_FusedOptimizer):
    """Implements the Adagrad algorithm (torch.optim.Adagrad)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False, "fused": None,
    }
    _kernel = _C._optim.adagrad_update
    _differentiable_update = staticmethod(_differentiable.adagrad)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonnegative("lr_decay value", lr_decay)
        _check_nonnegative("weight_decay value", weight_decay)
        _check_nonnegative("initial_accumulator_value value", initial_accumulator_value)
        _check_nonnegative("epsilon value", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        # Adagrad's state exists from construction on (torch's layout).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, group)

    def _state_keys(self, group):
        return ("sum", "step")

    def _init_state(self, state, p, group):
        state["step"] = _new_step(p, group)
        state["sum"] = cresset.full_like(p, group["initial_accumulator_value"],
                                         memory_format=cresset.preserve_format)
