"""Autograd against torch: graph recording, backward/grad, modes, hooks, errors, custom Functions."""
import re
import threading

import cresset
import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset


def leaf(lib, data, dtype="float64"):
    return lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=True)


def test_tutorial_example():
    for lib in (cresset, torch):
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        out = ((y * y) * 3).mean()
        out.backward()
        assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    y = cresset.ones(2, 2, requires_grad=True) + 2
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert y.grad_fn.name() == "AddBackward0"


def test_leaf_and_requires_grad_flags():
    x = cresset.ones(3, requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf
    assert y.requires_grad and x.grad is None and x.grad_fn is None
    z = cresset.ones(3)
    assert z.is_leaf and not z.requires_grad and (z * 2).grad_fn is None
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="floating point"):
        cresset.ones(3, dtype=cresset.int64).requires_grad_()
    assert z.requires_grad_() is not None and z.requires_grad


def test_next_functions_lead_to_accumulate_grad():
    x = cresset.ones(2, requires_grad=True)
    y = x * 3
    (fn, nr), = [e for e in y.grad_fn.next_functions if e[0] is not None]
    assert fn.name() == "torch::autograd::AccumulateGrad" and nr == 0
    assert repr(fn).startswith("<AccumulateGrad object at ")
    assert fn.variable._is_same(x)


@pytest.mark.parametrize("expr", [
    lambda x, y: (x * y + x.exp()).sum(),
    lambda x, y: (x / (y + 3)).pow(2).mean(),
    lambda x, y: (x - y).abs().sum() + (x * x).sum(),
    lambda x, y: x.sigmoid().sum() * y.tanh().sum(),
])
def test_gradients_match_torch(expr):
    xs = [[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]
    ys = [[2.0, 0.5, -1.0], [0.25, 3.0, 1.0]]
    grads = []
    for lib in (cresset, torch):
        x, y = leaf(lib, xs), leaf(lib, ys)
        expr(x, y).backward()
        grads.append((x.grad, y.grad))
    assert_same(grads[0][0], grads[1][0])
    assert_same(grads[0][1], grads[1][1])


def test_broadcast_gradient_reduces_to_input_shape():
    for lib in (cresset, torch):
        a = leaf(lib, [[1.0], [2.0]])
        b = leaf(lib, [1.0, 2.0, 3.0])
        (a * b).sum().backward()
        if lib is torch:
            assert_same(ga, a.grad)
            assert_same(gb, b.grad)
        ga, gb = a.grad, b.grad


def test_type_promotion_gradient_keeps_input_dtype():
    a = cresset.ones(2, dtype=cresset.float32, requires_grad=True)
    b = cresset.ones(2, dtype=cresset.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == cresset.float32 and b.grad.dtype == cresset.float64


def test_backward_errors_match_torch():
    for lib in (cresset, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            y.backward()
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.ones(3).sum().backward()
        z = (x.exp() * 2).sum()
        z.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            z.backward()


def test_backward_with_gradient_argument():
    for lib in (cresset, torch):
        x = leaf(lib, [1.0, 2.0, 3.0])
        (x * x).backward(lib.tensor([1.0, 0.5, 2.0], dtype=lib.float64))
        if lib is torch:
            assert_same(prev, x.grad)
        prev = x.grad
    x = cresset.ones(1, requires_grad=True)
    out = (x * 3).sum()
    out.backward(cresset.tensor(1.0))
    assert x.grad.tolist() == [3.0]


def test_retain_graph_and_accumulation():
    x = cresset.ones(2, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    t = torch.ones(2, requires_grad=True)
    ty = (t.exp() * 2).sum()
    ty.backward(retain_graph=True)
    ty.backward()
    assert_same(x.grad, t.grad)


def test_autograd_grad_and_allow_unused():
    for lib in (cresset, torch):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0])
        y = (x * x).sum()
        (g,) = lib.autograd.grad(y, x, retain_graph=True)
        assert g.tolist() == [2.0, 4.0] and x.grad is None
        with pytest.raises(RuntimeError, match="appears to not have been used"):
            lib.autograd.grad(y, [x, w], retain_graph=True)
        g1, g2 = lib.autograd.grad(y, [x, w], allow_unused=True)
        assert g2 is None


def test_higher_order_gradients():
    for lib in (cresset, torch):
        x = leaf(lib, [1.0, 2.0, -1.5])
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = lib.autograd.grad(gg.sum(), x)
        if lib is torch:
            assert_same(r, (g, gg, ggg))
        r = (g, gg, ggg)


def test_hooks_and_retain_grad():
    for lib in (cresset, torch):
        x = leaf(lib, [1.0, 2.0])
        seen = []
        h = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        assert seen == [[6.0, 6.0]]
        assert x.grad.tolist() == [60.0, 60.0]
        assert y.grad.tolist() == [2.0, 2.0] and y.retains_grad
        h.remove()
        (x * 1).sum().backward()
        assert x.grad.tolist() == [61.0, 61.0]


def test_grad_modes_context_decorator_and_threads():
    x = cresset.ones(2, requires_grad=True)
    with cresset.no_grad():
        assert not (x * 2).requires_grad
        with cresset.enable_grad():
            assert (x * 2).requires_grad
    with cresset.set_grad_enabled(False):
        assert not cresset.is_grad_enabled()
    assert cresset.is_grad_enabled()

    @cresset.no_grad()
    def f():
        return x * 2
    assert not f().requires_grad
    with cresset.inference_mode():
        assert not (x * 2).requires_grad

    @cresset.inference_mode()
    def g():
        return x * 2
    assert not g().requires_grad
    result = []
    with cresset.no_grad():  # grad mode is thread-local: a new thread starts enabled
        t = threading.Thread(target=lambda: result.append(cresset.is_grad_enabled()))
        t.start()
        t.join()
    assert result == [True]


def test_detach_shares_storage_without_history():
    x = cresset.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.data_ptr() == y.data_ptr()
    y.detach_()
    assert not y.requires_grad and y.grad_fn is None


def test_inplace_errors_name_both_ops():
    for lib in (cresset, torch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            lib.ones(2, requires_grad=True).add_(1)
    x = cresset.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert "modified by an inplace operation" in msg and "is at version 1; expected version 0" in msg
    assert "ExpBackward0" in msg and "add_" in msg


def test_inplace_on_non_leaf_rebases_history():
    for lib in (cresset, torch):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.mul_(3)
        y.sum().backward()
        assert x.grad.tolist() == [6.0, 6.0]


def test_custom_function():
    class Cube(cresset.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2 * ctx.k, None

    x = leaf(cresset, [1.0, 2.0])
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    assert cresset.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (leaf(cresset, [0.5, -1.0]),))


def test_gradcheck_detects_wrong_gradient():
    class Wrong(cresset.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        cresset.autograd.gradcheck(Wrong.apply, (leaf(cresset, [1.0, 2.0]),))
    assert cresset.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (leaf(cresset, [0.5, 2.0]),))


def test_gradcheck_on_non_contiguous_and_0_dim_inputs():
    # The finite differences must perturb the input fn reads, whatever its strides.
    base = cresset.tensor(np.arange(12.).reshape(4, 3) / 5 - 1)
    transposed = base.t().requires_grad_()
    stepped = cresset.tensor(np.arange(7.) / 3)[::2].requires_grad_()
    scalar = cresset.tensor(0.3, dtype=cresset.float64, requires_grad=True)
    assert not transposed.is_contiguous() and not stepped.is_contiguous()
    assert cresset.autograd.gradcheck(lambda t: (t * t).sin(), (transposed,))
    assert cresset.autograd.gradcheck(lambda t: t.exp().cumsum(0), (stepped,))
    assert cresset.autograd.gradcheck(lambda t: t * t, (scalar,))
    assert cresset.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (transposed,))


def test_detect_anomaly_names_forward_op():
    x = leaf(cresset, [0.0])
    with cresset.autograd.detect_anomaly():
        y = x.sqrt() * 0.0  # d sqrt at 0 is inf; inf * 0 -> nan
        with pytest.raises(RuntimeError, match="returned nan values") as e:
            y.sum().backward()
    assert "test_detect_anomaly_names_forward_op" in str(e.value)


def test_variable_is_a_tensor():
    v = cresset.autograd.Variable(cresset.ones(2), requires_grad=True)
    assert isinstance(v, cresset.Tensor) and isinstance(v, cresset.autograd.Variable)
    assert v.requires_grad


def test_long_chain_backward_does_not_overflow():
    x = cresset.ones(1, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]


@pytest.mark.parametrize("step", ["x + x", "x.sin() * x", "(x * x).sum() * x"])
def test_long_chain_freed_without_backward_does_not_overflow(step):
    # Producers held twice by one node, or also through a sibling's saved input: the graph must
    # still be freed iteratively (Note [Iterative node deletion]).
    leaf = cresset.ones(1, requires_grad=True)
    x = leaf
    code = compile(step, "<step>", "eval")
    for _ in range(100_000):
        x = eval(code)
    assert x.grad_fn is not None
    del x


def test_graph_freed_in_loop():
    import gc
    w = cresset.ones(100, requires_grad=True)
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(2000):
        loss = (w * 2).exp().sum()
        loss.backward()
    gc.collect()
    assert len(gc.get_objects()) - before < 50
    assert_same(w.grad, to_cresset_grad())


def to_cresset_grad():
    t = torch.ones(100, requires_grad=True)
    for _ in range(2000):
        (t * 2).exp().sum().backward()
    return t.grad


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_memory_flat_over_10000_steps():
    # No reference cycles between graphs, tensors and nodes: memory stays flat over a loop.
    w = cresset.ones(100, requires_grad=True)
    for _ in range(1000):  # warm the caching allocator
        ((w * 2).exp() * w).sum().backward()
    before = _rss_bytes()
    for _ in range(10_000):
        ((w * 2).exp() * w).sum().backward()
    assert _rss_bytes() - before < 4 * 2**20


def test_leaf_grad_follows_layout_contract():
    # torch's gradient layout contract: a new .grad takes the leaf's strides (dense leaf) or is
    # contiguous, whatever layout the incoming gradient has (e.g. a transposed mm result).
    cases = [
        lambda L: L.nn.Linear(5, 3),
        lambda L: L.randn(3, 5).t().requires_grad_(True),
        lambda L: L.randn(3, 4)[:, ::2].requires_grad_(True),
        lambda L: L.randn(2, 3, 4).permute(2, 0, 1).requires_grad_(True),
    ]
    for make in cases:
        strides = []
        for L in (cresset, torch):
            L.manual_seed(0)
            obj = make(L)
            if isinstance(obj, L.nn.Module):
                obj(L.randn(4, 5)).sum().backward()
                leaf = obj.weight
            else:
                leaf = obj
                (leaf.t() if leaf.dim() == 2 else leaf * 1).sum().backward()
            strides.append(leaf.grad.stride())
        assert strides[0] == strides[1]


def test_inplace_write_into_view_of_tensor_without_grad_records_copyslices():
    # torch tracks every view: writing a tensor that requires grad into a view of a plain tensor
    # gives the base a CopySlices history, and the gradient reaches the source.
    def run(lib):
        x = lib.tensor(np.arange(15.).reshape(3, 5) / 7 - 1, requires_grad=True)
        o = lib.zeros(3, 8, dtype=lib.float64)
        o[..., 1:6] = x
        y = lib.zeros(4, dtype=lib.float64)
        y[1:3].mul_(2)
        y[1:3].add_(x[0, :2])
        z = lib.zeros(2, 3, dtype=lib.float64)
        z.t()[0].copy_(x[1, :2])
        ((o * o).sum() + y.sum() * 3 + (z * z).sum()).backward()
        names = [t.grad_fn.name() for t in (o, y, z)]
        untouched = lib.zeros(3)[1:]
        untouched.add_(1)
        return names, o.requires_grad, untouched.requires_grad, x.grad

    ours, theirs = run(cresset), run(torch)
    assert ours[:3] == theirs[:3]
    assert_same(ours[3], theirs[3])
