"""torch.optim.SGD."""
from cresset import _C
from cresset._C import Tensor
from cresset.optim.optimizer import Optimizer, _to_scalar, _use_grad_for_differentiable

__all__ = ["SGD"]


class SGD(Optimizer):
    """Implements stochastic gradient descent, optionally with momentum (torch.optim.SGD)."""

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
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            momentum = group["momentum"]
            hyper = (_to_scalar(group["lr"]), momentum, group["dampening"],
                     _to_scalar(group["weight_decay"]), group["nesterov"], group["maximize"])
            for part in _split_by_dtype(params):
                grads = [p.grad for p in part]
                bufs = ([self.state[p].get("momentum_buffer") for p in part]
                        if momentum != 0 else [])
                bufs = _C._optim.sgd_update(part, grads, bufs, *hyper)
                if momentum != 0:
                    for p, buf in zip(part, bufs):
                        self.state[p]["momentum_buffer"] = buf
        return loss


def _split_by_dtype(params):
    dtype = params[0].dtype
    if all(p.dtype == dtype for p in params):
        return [params]
    return [[p for p in params if p.dtype == d] for d in dict.fromkeys(p.dtype for p in params)]
