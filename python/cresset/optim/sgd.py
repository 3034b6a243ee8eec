"""torch.optim.SGD."""
from typing import ClassVar

from cresset import _C
from cresset._C import Tensor
from cresset.optim import _differentiable
from cresset.optim.optimizer import (
    Optimizer,
    _check_fused,
    _group_options,
    _no_grad_step,
    _split_by_dtype,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Implements stochastic gradient descent, optionally with momentum (torch.optim.SGD)."""

    _setstate_defaults: ClassVar[dict] = {
        "nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
        "fused": False,
    }
    _differentiable_update = staticmethod(_differentiable.sgd)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    @_no_grad_step
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            options = _group_options(group)
            # Momentum buffers are created by the update on a param's first step (as torch);
            # like torch, all are looked up before any update.
            bufs = ([self.state[p].get("momentum_buffer") for p in params]
                    if group["momentum"] != 0 else [])
            for part, part_bufs in _split_by_dtype([params, bufs]):
                part_bufs = _C._optim.sgd_update(part, [p.grad for p in part], part_bufs, options)
                for p, buf in zip(part, part_bufs):
                    self.state[p]["momentum_buffer"] = buf
        return loss
