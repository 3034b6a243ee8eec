"""Gradients of every elementwise op in op_db against torch (first order, on every float64 sample
layout), node names, float64 gradcheck and double backward on the contiguous sample."""
import pytest
import torch
from op_db import OP_DB
from utils import assert_same, to_cresset

import cresset

# Samples at IEEE specials hit non-differentiable points where torch's conventions are arbitrary.
SMOOTH_SKIP = {"specials"}


def _leafs(lib, sample):
    """The sample's operands in `lib`; floating tensors become leaves that require grad."""
    args = []
    for a in sample.args:
        if isinstance(a, torch.Tensor):
            t = to_cresset(a) if lib is cresset else a.detach().clone()
            if t.is_floating_point():
                t = t.detach().requires_grad_(True)
            args.append(t)
        else:
            args.append(a)
    return args


def _differentiable(op):
    return any(d == "float64" for d in op.dtypes)


def _outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return None, type(e)


@pytest.mark.parametrize("op", [op for op in OP_DB if _differentiable(op)], ids=lambda o: o.name)
def test_gradients_match_torch(op):
    for sample in op.samples("float64"):
        if sample.desc in SMOOTH_SKIP:
            continue
        t_args = _leafs(torch, sample)
        t_out, t_err = _outcome(lambda: op.fn(torch)(*t_args, **sample.kwargs))
        if t_err is not None:  # invalid sample for torch: the forward tests cover the error
            continue
        c_args = _leafs(cresset, sample)
        c_kwargs = {k: to_cresset(v) for k, v in sample.kwargs.items()}
        c_out = op.fn(cresset)(*c_args, **c_kwargs)
        if not (isinstance(t_out, torch.Tensor) and t_out.requires_grad):
            assert not getattr(c_out, "requires_grad", False), (op.name, sample.desc)
            continue
        if t_out.grad_fn is None:  # the op returned its input (positive)
            assert c_out.grad_fn is None and c_out.requires_grad, (op.name, sample.desc)
            continue
        assert c_out.grad_fn.name() == t_out.grad_fn.name(), (op.name, sample.desc)
        weight = torch.linspace(-1.5, 2.0, max(t_out.numel(), 1))[:t_out.numel()]
        weight = weight.reshape(t_out.shape).to(t_out.dtype)
        _, t_err = _outcome(lambda: (t_out * weight).sum().backward())
        _, c_err = _outcome(lambda: (c_out * to_cresset(weight)).sum().backward())
        assert c_err == t_err, (op.name, sample.desc, c_err, t_err)
        if t_err is not None:
            continue
        for ca, ta in zip(c_args, t_args):
            if isinstance(ta, torch.Tensor) and ta.requires_grad:
                if ta.grad is None:
                    assert ca.grad is None or not ca.grad.any(), (op.name, sample.desc)
                else:  # clone(): torch's sgn returns a lazy ZeroTensor that tolist() rejects
                    assert_same(ca.grad, ta.grad.clone(), rtol=1e-6, atol=1e-9)


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
