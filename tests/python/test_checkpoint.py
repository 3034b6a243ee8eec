"""torch.utils.checkpoint (both variants) and torch.autograd.graph's saved-tensor hooks against
real torch."""
import warnings
import weakref

import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-5, atol=1e-6)


def block(lib):
    torch.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 3))


def twin_block():
    theirs = block(torch)
    ours = block(cresset)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


def data(*shape, seed=1, requires_grad=True):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    return to_cresset(x).requires_grad_(requires_grad), x.requires_grad_(requires_grad)


def grads_of(module, x, run):
    out = run(lambda a: module(a).exp(), x)
    out.sum().backward()
    return [x.grad] + [p.grad for p in module.parameters()]


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gradients_match_torch(use_reentrant):
    ours, theirs = twin_block()
    cx, tx = data(5, 4)
    g_ours = grads_of(ours, cx, lambda f, a: cresset.utils.checkpoint.checkpoint(
        f, a, use_reentrant=use_reentrant))
    g_theirs = grads_of(theirs, tx, lambda f, a: torch.utils.checkpoint.checkpoint(
        f, a, use_reentrant=use_reentrant))
    assert_same(g_ours, g_theirs, **TOL)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_equals_plain_backward_with_dropout(use_reentrant):
    """The rerun sees the forward's random state: the same dropout mask, the same gradients."""
    model = cresset.nn.Sequential(cresset.nn.Linear(4, 8), cresset.nn.Dropout(0.5),
                                  cresset.nn.Linear(8, 2))
    x = cresset.randn(6, 4, requires_grad=True)
    cresset.manual_seed(3)
    plain = grads_of(model, x, lambda f, a: f(a))
    x.grad = None
    model.zero_grad()
    cresset.manual_seed(3)
    checkpointed = grads_of(model, x, lambda f, a: cresset.utils.checkpoint.checkpoint(
        f, a, use_reentrant=use_reentrant))
    for a, b in zip(plain, checkpointed):
        assert cresset.equal(a, b)


def test_non_reentrant_keeps_no_intermediates_and_allows_grad():
    kept = []

    def f(a):
        inner = a.exp()
        kept.append(weakref.ref(inner))
        return (inner * a).sin()

    cx, tx = data(3)
    out = cresset.utils.checkpoint.checkpoint(f, cx, use_reentrant=False)
    assert kept[0]() is None  # the forward's intermediate is gone
    (g,) = cresset.autograd.grad(out.sum(), cx)
    (tg,) = torch.autograd.grad(torch.utils.checkpoint.checkpoint(
        lambda a: (a.exp() * a).sin(), tx, use_reentrant=False).sum(), tx)
    assert_same(g, tg, **TOL)
    # parameters used inside get gradients even when the input needs none
    lin = cresset.nn.Linear(3, 2)
    y = cresset.utils.checkpoint.checkpoint(lin, cx.detach(), use_reentrant=False)
    assert y.requires_grad
    y.sum().backward()
    assert lin.weight.grad is not None


def test_checkpoint_kwargs_and_non_tensor_args():
    def f(a, scale, *, shift):
        return a * scale + shift

    cx, tx = data(3)
    out = cresset.utils.checkpoint.checkpoint(f, cx, 2.0, use_reentrant=False, shift=cx)
    out.sum().backward()
    tout = torch.utils.checkpoint.checkpoint(f, tx, 2.0, use_reentrant=False, shift=tx)
    tout.sum().backward()
    assert_same(cx.grad, tx.grad, **TOL)
    cx.grad, tx.grad = None, None
    out = cresset.utils.checkpoint.checkpoint(lambda a, s: a * s, cx, 3.0, use_reentrant=True)
    out.sum().backward()
    assert_same(cx.grad, 3 * torch.ones(3), **TOL)


def test_checkpoint_sequential():
    ours, theirs = twin_block()
    cx, tx = data(5, 4)
    for use_reentrant in [True, False]:
        cx.grad, tx.grad = None, None
        out = cresset.utils.checkpoint.checkpoint_sequential(ours, 2, cx,
                                                             use_reentrant=use_reentrant)
        tout = torch.utils.checkpoint.checkpoint_sequential(theirs, 2, tx,
                                                            use_reentrant=use_reentrant)
        assert_same(out, tout, **TOL)
        out.sum().backward()
        tout.sum().backward()
        assert_same(cx.grad, tx.grad, **TOL)


def test_checkpoint_warnings_and_errors():
    cx, tx = data(3)
    ours, theirs = cresset.utils.checkpoint, torch.utils.checkpoint
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        out = ours.checkpoint(lambda a: a.sin(), cx)
    assert "CheckpointFunctionBackward" in repr(out.grad_fn)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        ours.checkpoint(lambda a: a.sin(), cx.detach(), use_reentrant=True)
    assert_raises_like(ValueError, lambda: ours.checkpoint(lambda a: a, cx, use_reentrant=True,
                                                           foo=1),
                       lambda: theirs.checkpoint(lambda a: a, tx, use_reentrant=True, foo=1))
    assert_raises_like(ValueError,
                       lambda: ours.checkpoint(lambda a: a, cx, use_reentrant=False,
                                               determinism_check="x"),
                       lambda: theirs.checkpoint(lambda a: a, tx, use_reentrant=False,
                                                 determinism_check="x"))
    assert_raises_like(ValueError,
                       lambda: ours.checkpoint(lambda a: a, cx, use_reentrant=True, debug=True),
                       lambda: theirs.checkpoint(lambda a: a, tx, use_reentrant=True, debug=True))
    out = ours.checkpoint(lambda a: a.exp(), cx, use_reentrant=True)
    tout = theirs.checkpoint(lambda a: a.exp(), tx, use_reentrant=True)
    assert_raises_like(RuntimeError, lambda: cresset.autograd.grad(out.sum(), cx),
                       lambda: torch.autograd.grad(tout.sum(), tx))


def test_checkpoint_rerun_that_differs_raises():
    calls = []

    def f(a):
        calls.append(1)
        return a.exp() if len(calls) == 1 else a[:2].exp()

    cx, _ = data(3)
    out = cresset.utils.checkpoint.checkpoint(f, cx, use_reentrant=False)
    with pytest.raises(cresset.utils.checkpoint.CheckpointError):
        out.sum().backward()


def count_hooks(lib, fn, x):
    counts = {"pack": 0, "unpack": 0}

    def pack(t):
        counts["pack"] += 1
        return t

    def unpack(t):
        counts["unpack"] += 1
        return t

    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = fn(x)
    y.sum().backward()
    return counts


def test_saved_tensors_hooks_like_torch():
    cx, tx = data(4)
    f = lambda a: (a.exp() * a).sin().sigmoid()  # noqa: E731
    assert count_hooks(cresset, f, cx) == count_hooks(torch, f, tx)
    assert_same(cx.grad, tx.grad, **TOL)


def test_saved_tensors_hooks_on_custom_function_and_save_on_cpu():
    class Square(cresset.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            y = a * a
            ctx.save_for_backward(a, y)
            return y

        @staticmethod
        def backward(ctx, g):
            a, y = ctx.saved_tensors
            return 2 * g * a

    seen = []
    cx, tx = data(3)
    with cresset.autograd.graph.saved_tensors_hooks(lambda t: seen.append(t) or ("box", t),
                                                    lambda p: p[1]):
        out = Square.apply(cx)
    assert len(seen) == 2
    out.sum().backward()
    assert_same(cx.grad, 2 * tx.detach(), **TOL)
    cx.grad = None
    with cresset.autograd.graph.save_on_cpu():
        out = (cx * cx).exp()
    out.sum().backward()
    assert_same(cx.grad, (2 * tx * (tx * tx).exp()).detach(), **TOL)


def test_saved_tensors_hooks_errors():
    cx, tx = data(3)
    for lib, x in [(cresset, cx), (torch, tx)]:
        with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
    with cresset.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: "not a tensor"):
        y = cx.exp()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: "not a tensor"):
        ty = tx.exp()
    assert_raises_like(TypeError, lambda: y.sum().backward(), lambda: ty.sum().backward())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = cx.exp()  # outside the block: no hooks
    z.sum().backward()
