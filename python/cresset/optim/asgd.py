"""torch.optim.ASGD: averaged stochastic gradient descent."""
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

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent (torch.optim.ASGD)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
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
            params, grads, axs, etas, mus, steps = [], [], [], [], [], []
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    dtype = _new_step().dtype
                    state["step"] = cresset.zeros((), dtype=dtype)
                    state["eta"] = cresset.tensor(float(lr), dtype=dtype)
                    state["mu"] = cresset.ones((), dtype=dtype)
                    state["ax"] = cresset.zeros_like(p, memory_format=cresset.preserve_format)
                mus.append(state["mu"])
                axs.append(state["ax"])
                etas.append(state["eta"])
                steps.append(state["step"])
            if params:
                _fused(_C._optim.asgd_update, [params, grads, axs, etas, mus, steps], lr,
                       group["lambd"], group["alpha"], group["t0"], group["weight_decay"],
                       group["maximize"])
        return loss
