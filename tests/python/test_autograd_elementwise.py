"""Gradients of every elementwise op in op_db against torch (first order, on every float64 sample
layout), node names, float64 gradcheck and double backward on the contiguous sample."""
import pytest
import torch
from op_db import OP_DB
from utils import assert_same, check_op_gradients, to_cresset

import cresset


def _differentiable(op):
    return any(d == "float64" for d in op.dtypes)


@pytest.mark.parametrize("op", [op for op in OP_DB if _differentiable(op)], ids=lambda o: o.name)
def test_gradients_match_torch(op):
    check_op_gradients(op)


SMOOTH = ["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt", "mul", "div", "add", "sub",
          "atan2", "hypot", "pow", "lerp", "addcmul", "addcdiv", "erf", "lgamma", "digamma",
          "xlogy", "log1p", "expm1", "asinh", "atan", "reciprocal", "rsqrt"]


@pytest.mark.parametrize("name", SMOOTH)
def test_gradcheck_and_gradgradcheck(name):
    op = next(o for o in OP_DB if o.name == name)
    sample = op.samples("float64")[0]
    args = [to_cresset(a.abs() + 0.5 if name in ("log", "sqrt", "rsqrt", "pow", "lgamma",
                                                  "digamma", "xlogy", "log1p", "hypot") else a)
            .requires_grad_(True) if isinstance(a, torch.Tensor) else a
            for a in sample.args]

    def fn(*xs):
        return getattr(cresset, name)(*xs, **sample.kwargs)
    assert cresset.autograd.gradcheck(fn, tuple(args))
    assert cresset.autograd.gradgradcheck(fn, tuple(args))


@pytest.mark.parametrize("exponent", [2, 2.5, "tensor"])
def test_float_power_gradient_of_float32(exponent):
    # float_power computes in float64 through a recorded conversion (ToCopyBackward0).
    results = {}
    for lib in (torch, cresset):
        x = lib.tensor([0.5, 1.5, 2.0], requires_grad=True)
        e = lib.tensor([2.0, 1.0, 3.0], requires_grad=True) if exponent == "tensor" else exponent
        y = lib.float_power(x, e)
        y.sum().backward()
        results[lib] = (y.grad_fn.name(), y.detach(), x.grad,
                        e.grad if exponent == "tensor" else None)
    assert results[cresset][0] == results[torch][0]
    for ours, theirs in zip(results[cresset][1:], results[torch][1:]):
        if theirs is not None:
            assert_same(ours, theirs)
