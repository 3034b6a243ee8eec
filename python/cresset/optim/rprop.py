"""torch.optim.Rprop."""
import cresset
from cresset import _C
from cresset._C import Tensor
from cresset.optim.optimizer import (
    Optimizer,
    _fused,
    _new_step,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm (torch.optim.Rprop)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
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
            params, grads, prevs, step_sizes, steps = [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = cresset.zeros((), dtype=_new_step().dtype)
                    state["prev"] = cresset.zeros_like(p, memory_format=cresset.preserve_format)
                    state["step_size"] = cresset.full_like(p.grad, _to_scalar(group["lr"]))
                prevs.append(state["prev"])
                step_sizes.append(state["step_size"])
                steps.append(state["step"])
            if params:
                etaminus, etaplus = group["etas"]
                step_size_min, step_size_max = group["step_sizes"]
                _fused(_C._optim.rprop_update, [params, grads, prevs, step_sizes, steps],
                       etaminus, etaplus, step_size_min, step_size_max, group["maximize"])
        return loss
