"""as_strided backward with overlapping memory, retain_grad on views whose grad_fn was rebuilt by
an in-place op, and the layout of .grad set by backward(create_graph=True): all as torch."""
import warnings

import pytest
import torch
from utils import assert_same

import cresset


def both(fn):
    """fn(lib) under cresset and torch."""
    return fn(cresset), fn(torch)


def leaf(lib, t):
    return lib.tensor(t.tolist(), dtype=lib.float64, requires_grad=True)


AS_STRIDED = {
    "overlapping_out": (lambda lib, x: x.as_strided((3, 3), (1, 1)), 5),
    "overlapping_out_offset": (lambda lib, x: x.as_strided((2, 3), (2, 1), 1), 6),
    "stride0_out": (lambda lib, x: x.as_strided((2, 3), (0, 1)), 4),
    "view_of_view": (lambda lib, x: x[1:].as_strided((2, 2), (1, 1), 1), 4),
    "expanded_in": (lambda lib, x: x.expand(2, 3).as_strided((2, 2), (1, 1)), 3),
    "expanded_in_out": (lambda lib, x: x.expand(3, 3).as_strided((3, 2), (0, 1)), 3),
    "transposed_in": (lambda lib, x: x.view(2, 3).t().as_strided((3, 2), (1, 1)), 6),
}


@pytest.mark.parametrize("name", sorted(AS_STRIDED))
def test_as_strided_backward_matches_torch(name):
    fn, n = AS_STRIDED[name]
    base = torch.arange(1.0, n + 1, dtype=torch.float64)

    def run(lib):
        x = leaf(lib, base)
        y = fn(lib, x)
        g = lib.arange(1.0, y.numel() + 1, dtype=lib.float64).reshape(tuple(y.shape))
        (gx,) = lib.autograd.grad(y, x, g, create_graph=True)
        # double backward through as_strided's backward
        (ggx,) = lib.autograd.grad((y * y * g).sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad((ggx * ggx).sum(), x)
        return gx, ggx, g3

    for o, t in zip(*both(run)):
        assert_same(o, t)


@pytest.mark.parametrize("name", sorted(AS_STRIDED))
def test_as_strided_gradcheck(name):
    fn, n = AS_STRIDED[name]
    x = cresset.rand(n, dtype=cresset.float64, requires_grad=True)
    assert cresset.autograd.gradcheck(lambda t: fn(cresset, t), (x,))


def test_retain_grad_view_after_inplace_on_base():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        base = x * 1
        v = base[1:3]
        v.retain_grad()
        base.mul_(2)  # rebuilds v's grad_fn
        (v * lib.tensor([3.0, 5.0])).sum().backward()
        return v.grad, x.grad, v.grad_fn.name(), v.retains_grad

    (vg, xg, name, kept), (tvg, txg, tname, tkept) = both(run)
    assert_same(vg, tvg)
    assert_same(xg, txg)
    assert (name, kept) == (tname, tkept)


def test_retain_grad_view_after_inplace_on_itself():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        base = x * 2
        v = base[::2]
        v.retain_grad()
        v.mul_(lib.tensor([2.0, 3.0]))
        (base * base).sum().backward()
        return v.grad, x.grad, base.grad_fn.name()

    ours, theirs = both(run)
    assert_same(ours[0], theirs[0])
    assert_same(ours[1], theirs[1])
    assert ours[2] == theirs[2]


def test_retain_grad_after_inplace_on_itself():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        return y.grad, x.grad, y.retains_grad

    ours, theirs = both(run)
    assert_same(ours[0], theirs[0])
    assert_same(ours[1], theirs[1])
    assert ours[2] == theirs[2]


def test_retain_grad_base_after_inplace_on_view():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = x * 2
        base.retain_grad()
        base[0].mul_(10)
        (base ** 2).sum().backward()
        return base.grad, x.grad

    ours, theirs = both(run)
    for o, t in zip(ours, theirs):
        assert_same(o, t)


def create_graph_facts(lib, make_leaf, loss):
    x = make_leaf(lib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss(lib, x).backward(create_graph=True)
    g = x.grad
    fn = g.grad_fn
    # the node that made .grad and its inputs' kinds (the deeper graph is the loss's backward)
    names = None if fn is None else [fn.name()] + [n is None for n, _ in fn.next_functions]
    return g, g.stride(), g.requires_grad, names


CREATE_GRAPH = {
    "contiguous": (lambda lib: lib.rand(3, dtype=lib.float64).requires_grad_(),
                   lambda lib, x: (x * x).sum()),
    "transposed_leaf": (lambda lib: lib.rand(3, 4, dtype=lib.float64).t().requires_grad_(),
                        lambda lib, x: (x * x).sum()),
    "transposed_grad": (lambda lib: lib.rand(4, 3, dtype=lib.float64).requires_grad_(),
                        lambda lib, x: (x.t() @ lib.rand(4, 2, dtype=lib.float64,
                                                         requires_grad=True)).sum()),
    "constant_grad": (lambda lib: lib.rand(3, 4, dtype=lib.float64).requires_grad_(),
                      lambda lib, x: (x.t() * 2).sum()),
    "expanded_grad": (lambda lib: lib.rand(4, 3, dtype=lib.float64).requires_grad_(),
                      lambda lib, x: x.expand(2, 4, 3).sum()),
    "non_dense_leaf": (lambda lib: lib.rand(6, dtype=lib.float64).as_strided(
        (3,), (2,)).detach().requires_grad_(), lambda lib, x: (x * x).sum()),
}


@pytest.mark.parametrize("name", sorted(CREATE_GRAPH))
def test_create_graph_grad_layout(name):
    make, loss = CREATE_GRAPH[name]
    torch.manual_seed(0)
    cresset.manual_seed(0)
    ours = create_graph_facts(cresset, make, loss)
    theirs = create_graph_facts(torch, make, loss)
    assert ours[1:] == theirs[1:]
    assert tuple(ours[0].shape) == tuple(theirs[0].shape)


def test_create_graph_grad_is_differentiable():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64).t().requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    ours, theirs = both(run)
    assert_same(ours[0], theirs[0], check_stride=True)
    assert_same(ours[1], theirs[1])
