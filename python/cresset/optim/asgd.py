"""torch.optim.ASGD: averaged stochastic gradient descent."""
from typing import ClassVar

import cresset
from cresset import _C
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    _check_lr,
    _check_nonnegative,
    _FusedOptimizer,
    _scalar_dtype,
    _to_scalar,
    _zeros_like,
)

__all__ = ["ASGD"]


class ASGD(_FusedOptimizer):
    """Implements averaged stochastic gradient descent (torch.optim.ASGD)."""

    _setstate_defaults: ClassVar[dict] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }
    _kernel = _C._optim.asgd_update
    _differentiable_update = staticmethod(_differentiable.asgd)

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("ax", "eta", "mu", "step")

    def _init_state(self, state, p, group):
        # torch's ASGD keeps its step, eta and mu on the param's device, capturable or not.
        dtype = _scalar_dtype()
        state["step"] = cresset.zeros((), dtype=dtype, device=p.device)
        state["eta"] = cresset.tensor(float(_to_scalar(group["lr"])), dtype=dtype, device=p.device)
        state["mu"] = cresset.ones((), dtype=dtype, device=p.device)
        state["ax"] = _zeros_like(p)
