"""torch.optim.RMSprop."""
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

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm (torch.optim.RMSprop)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, square_avgs, bufs, grad_avgs, steps = [], [], [], [], [], []
            momentum, centered = group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = cresset.zeros((), dtype=_new_step().dtype)
                    state["square_avg"] = cresset.zeros_like(
                        p, memory_format=cresset.preserve_format)
                    if momentum > 0:
                        state["momentum_buffer"] = cresset.zeros_like(
                            p, memory_format=cresset.preserve_format)
                    if centered:
                        state["grad_avg"] = cresset.zeros_like(
                            p, memory_format=cresset.preserve_format)
                square_avgs.append(state["square_avg"])
                steps.append(state["step"])
                if momentum > 0:
                    bufs.append(state["momentum_buffer"])
                if centered:
                    grad_avgs.append(state["grad_avg"])
            if params:
                _fused(_C._optim.rmsprop_update,
                       [params, grads, square_avgs, bufs, grad_avgs, steps],
                       _to_scalar(group["lr"]), group["alpha"], group["eps"],
                       group["weight_decay"], momentum, centered, group["maximize"])
        return loss
