"""channel_shuffle, gradient, bilinear, lu_unpack and linalg.lu against real torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-6, atol=1e-6)
TOL64 = dict(rtol=1e-10, atol=1e-10)


def rand(*shape, seed=0, dtype=torch.float32):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 3), 3), ((1, 4, 5), 2), ((3, 8, 1, 2, 2), 4),
                                          ((2, 4, 0, 3), 2), ((1, 5, 2), 1)])
def test_channel_shuffle(shape, groups):
    x = rand(*shape)
    assert_same(cresset.channel_shuffle(to_cresset(x), groups), torch.channel_shuffle(x, groups))
    assert_same(cresset.nn.functional.channel_shuffle(to_cresset(x), groups),
                torch.nn.functional.channel_shuffle(x, groups))
    module = cresset.nn.ChannelShuffle(groups)
    assert repr(module) == repr(torch.nn.ChannelShuffle(groups))
    cx = to_cresset(x).requires_grad_(True)
    tx = x.clone().requires_grad_(True)
    g = rand(*shape, seed=1)
    module(cx).backward(to_cresset(g))
    torch.nn.ChannelShuffle(groups)(tx).backward(g)
    assert_same(cx.grad, tx.grad)
    assert "ChannelShuffleBackward0" in repr(module(cx).grad_fn)


def test_channel_shuffle_errors():
    x = rand(1, 4, 2)
    for args in [(x, 3), (x, 0), (rand(4), 2)]:
        assert_raises_like(RuntimeError, lambda: cresset.channel_shuffle(to_cresset(args[0]),
                                                                         args[1]),
                           lambda: torch.channel_shuffle(*args))


GRADIENT_CASES = [
    ((5,), {}),
    ((5,), {"spacing": 2.0}),
    ((5,), {"edge_order": 2}),
    ((3, 4), {}),
    ((3, 4), {"dim": 1}),
    ((3, 4), {"dim": -2, "spacing": 0.5, "edge_order": 2}),
    ((3, 4), {"spacing": [2.0, 3.0]}),
    ((3, 4, 5), {"dim": (0, 2), "spacing": [1.5, 0.25]}),
]


@pytest.mark.parametrize("shape,kwargs", GRADIENT_CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradient_uniform(shape, kwargs, dtype):
    x = rand(*shape, dtype=dtype)
    tol = TOL if dtype == torch.float32 else TOL64
    assert_same(cresset.gradient(to_cresset(x), **kwargs), torch.gradient(x, **kwargs), **tol)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_coordinates_and_ints(edge_order):
    x = rand(3, 4, dtype=torch.float64)
    coords = [torch.tensor([0.0, 1.0, 3.0], dtype=torch.float64),
              torch.tensor([0.0, 0.5, 2.0, 4.0], dtype=torch.float64)]
    assert_same(cresset.gradient(to_cresset(x), spacing=to_cresset(coords), edge_order=edge_order),
                torch.gradient(x, spacing=coords, edge_order=edge_order), **TOL64)
    xi = torch.tensor([1, 4, 9, 16, 25])
    assert_same(cresset.gradient(to_cresset(xi), edge_order=edge_order),
                torch.gradient(xi, edge_order=edge_order), **TOL)
    cx = to_cresset(x).requires_grad_(True)
    tx = x.clone().requires_grad_(True)
    cresset.gradient(cx)[1].sum().backward()
    torch.gradient(tx)[1].sum().backward()
    assert_same(cx.grad, tx.grad, **TOL64)


def test_gradient_errors():
    x = rand(3, 4)
    for kwargs in [{"edge_order": 3}, {"spacing": [1.0, 2.0, 3.0]}, {"dim": (0, 0)},
                   {"spacing": [1.0, 2.0], "dim": 1}]:
        assert_raises_like(RuntimeError, lambda: cresset.gradient(to_cresset(x), **kwargs),
                           lambda: torch.gradient(x, **kwargs))
    assert_raises_like(RuntimeError, lambda: cresset.gradient(to_cresset(rand(2)), edge_order=2),
                       lambda: torch.gradient(rand(2), edge_order=2))


def test_bilinear_top_level():
    a, b, w, bias = rand(4, 3), rand(4, 5, seed=1), rand(2, 3, 5, seed=2), rand(2, seed=3)
    assert_same(cresset.bilinear(*to_cresset((a, b, w, bias))), torch.bilinear(a, b, w, bias),
                rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 2, 6), (0, 3, 3)])
@pytest.mark.parametrize("unpack_data,unpack_pivots", [(True, True), (False, True), (True, False)])
def test_lu_unpack(shape, unpack_data, unpack_pivots):
    A = rand(*shape, dtype=torch.float64)
    LU, piv = torch.linalg.lu_factor(A)
    ours = cresset.lu_unpack(to_cresset(LU), to_cresset(piv), unpack_data, unpack_pivots)
    theirs = torch.lu_unpack(LU, piv, unpack_data, unpack_pivots)
    assert type(ours).__name__ == "lu_unpack" and ours._fields == ("P", "L", "U")
    assert_same(tuple(ours), tuple(theirs), **TOL64)


def test_lu_unpack_gradient_and_linalg_lu():
    for shape in [(4, 4), (5, 3), (3, 5)]:
        A = rand(*shape, dtype=torch.float64)
        LU, piv = torch.linalg.lu_factor(A)
        cLU = to_cresset(LU).requires_grad_(True)
        tLU = LU.clone().requires_grad_(True)
        _, L, U = cresset.lu_unpack(cLU, to_cresset(piv))
        _, tL, tU = torch.lu_unpack(tLU, piv)
        gL, gU = rand(*tL.shape, seed=4, dtype=torch.float64), rand(*tU.shape, seed=5,
                                                                    dtype=torch.float64)
        cresset.autograd.backward([L, U], [to_cresset(gL), to_cresset(gU)])
        torch.autograd.backward([tL, tU], [gL, gU])
        assert_same(cLU.grad, tLU.grad, **TOL64)
        cA = to_cresset(A).requires_grad_(True)
        tA = A.clone().requires_grad_(True)
        ours, theirs = cresset.linalg.lu(cA), torch.linalg.lu(tA)
        assert_same(tuple(t.detach() for t in ours), tuple(t.detach() for t in theirs), **TOL64)
        (ours.L.sum() + ours.U.square().sum()).backward()
        (theirs.L.sum() + theirs.U.square().sum()).backward()
        assert_same(cA.grad, tA.grad, rtol=1e-8, atol=1e-8)


def test_lu_unpack_errors():
    LU, piv = torch.linalg.lu_factor(rand(3, 3))
    for args in [(LU, piv.long()), (LU[0], piv)]:
        assert_raises_like(RuntimeError, lambda: cresset.lu_unpack(*to_cresset(args)),
                           lambda: torch.lu_unpack(*args))


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_incomplete_gamma(name):
    a = torch.tensor([0.5, 2.0, 3.0, 1e-3, 7.5, 50.0, 100.0], dtype=torch.float64)
    x = torch.tensor([1.0, 2.0, 0.5, 1e-4, 12.0, 49.0, 90.0], dtype=torch.float64)
    ours = getattr(cresset, name)(to_cresset(a), to_cresset(x))
    # torch's large-a branch is good to about 1e-9; the reference values are exact to 1e-15.
    assert_same(ours, getattr(torch, name)(a, x), rtol=2e-9, atol=1e-12)
    special = getattr(cresset.special, "gammainc" if name == "igamma" else "gammaincc")
    assert cresset.equal(special(to_cresset(a), to_cresset(x)), ours)
    exact_p = [0.15822098918643007, 0.46210439360094024]  # P(100, 90), P(50, 49) (SciPy)
    got = ours[[6, 5]].tolist()
    want = exact_p if name == "igamma" else [1 - p for p in exact_p]
    assert got == pytest.approx(want, rel=1e-12)
    # gradient with respect to x (torch has none for a)
    cx = to_cresset(x).requires_grad_(True)
    tx = x.clone().requires_grad_(True)
    getattr(cresset, name)(to_cresset(a), cx).sum().backward()
    getattr(torch, name)(a, tx).sum().backward()
    assert_same(cx.grad, tx.grad, rtol=1e-8, atol=1e-12)
    ca = to_cresset(a).requires_grad_(True)
    ta = a.clone().requires_grad_(True)
    assert_raises_like(NotImplementedError,
                       lambda: getattr(cresset, name)(ca, to_cresset(x)).sum().backward(),
                       lambda: getattr(torch, name)(ta, x).sum().backward())


@pytest.mark.parametrize("size,layout", [((2, 3, 4), (0, 2, 1)), ((2, 3, 4), (2, 0, 1)),
                                         ((2, 0, 4), (2, 0, 1)), ((), ()), ((5,), (0,))])
def test_empty_permuted(size, layout):
    ours = cresset.empty_permuted(size, layout, dtype=cresset.float64)
    theirs = torch.empty_permuted(size, layout, dtype=torch.float64)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.stride() == theirs.stride()
    assert ours.dtype == cresset.float64


def test_empty_permuted_errors():
    for args in [((2, 3), (0, 2)), ((2, 3), (0,)), ((2, 3), (0, -1)), ((2, 3), (0, 0))]:
        assert_raises_like(RuntimeError, lambda: cresset.empty_permuted(*args),
                           lambda: torch.empty_permuted(*args))
