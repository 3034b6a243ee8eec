"""torch.linalg's small composites (diagonal, vecdot, multi_dot, vander, tensorinv, tensorsolve)
against real torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset


def rand(*shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def both(fn, *tensors):
    return fn(cresset, *[to_cresset(t) for t in tensors]), fn(torch, *tensors)


def test_diagonal_and_vecdot():
    A = rand(2, 3, 4)
    assert_same(*both(lambda m, a: m.linalg.diagonal(a), A))
    assert_same(*both(lambda m, a: m.linalg.diagonal(a, offset=1, dim1=0, dim2=2), A))
    x, y = rand(3, 4), rand(4, seed=1)
    assert_same(*both(lambda m, a, b: m.linalg.vecdot(a, b), x, y))
    assert_same(*both(lambda m, a, b: m.linalg.vecdot(a, b, dim=0), x, rand(3, 1, seed=2)))


@pytest.mark.parametrize("shapes", [[(3, 4), (4, 5)], [(4,), (4, 5), (5, 2)],
                                    [(2, 3), (3, 6), (6, 1), (1,)], [(5,), (5, 3), (3,)],
                                    [(10, 2), (2, 8), (8, 3), (3, 7)], [(0, 3), (3, 4)]])
def test_multi_dot(shapes):
    ts = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    ours = cresset.linalg.multi_dot([to_cresset(t) for t in ts])
    assert_same(ours, torch.linalg.multi_dot(ts), rtol=1e-10)


def test_vander():
    x = rand(2, 4)
    assert_same(*both(lambda m, a: m.linalg.vander(a), x))
    assert_same(*both(lambda m, a: m.linalg.vander(a, N=6), x), rtol=1e-10)
    i = torch.tensor([1, 2, 3], dtype=torch.int32)
    assert_same(*both(lambda m, a: m.linalg.vander(a), i))


def test_tensorinv_tensorsolve():
    A = rand(24, 24) + 6 * torch.eye(24, dtype=torch.float64)
    T = A.reshape(4, 6, 8, 3)
    assert_same(*both(lambda m, a: m.linalg.tensorinv(a), T), rtol=1e-9, atol=1e-12)
    assert_same(*both(lambda m, a: m.linalg.tensorinv(a, ind=1), A.reshape(24, 4, 6)),
                rtol=1e-9, atol=1e-12)
    B = rand(4, 6, seed=3)
    assert_same(*both(lambda m, a, b: m.linalg.tensorsolve(a, b), T, B), rtol=1e-9)
    S = A.reshape(2, 12, 4, 6)
    assert_same(*both(lambda m, a, b: m.linalg.tensorsolve(a, b, dims=(0,)),
                      S.movedim(-1, 0), rand(2, 12, seed=4)), rtol=1e-9)


def test_backward_through_composites():
    x = rand(3, 4)
    results = []
    for mod in (cresset, torch):
        t = (to_cresset(x) if mod is cresset else x.clone()).requires_grad_()
        out = mod.linalg.vander(t[0]).sum() + mod.linalg.multi_dot([t, t.T, t]).sum()
        out.backward()
        results.append(t.grad)
    assert_same(results[0], results[1], rtol=1e-10)


BAD = [
    (RuntimeError, lambda m: m.linalg.vander(m.tensor([True]))),
    (RuntimeError, lambda m: m.linalg.vander(m.tensor([1.0]), N=0)),
    (RuntimeError, lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64))),
    (RuntimeError, lambda m: m.linalg.multi_dot([m.ones(3)])),
    (RuntimeError, lambda m: m.linalg.multi_dot([m.ones(3, 2), m.ones(3, 2)])),
    (RuntimeError, lambda m: m.linalg.multi_dot([m.ones(3, 2, 2), m.ones(2, 2)])),
    (RuntimeError, lambda m: m.linalg.tensorinv(m.ones(2, 3, 4), ind=1)),
    (RuntimeError, lambda m: m.linalg.tensorinv(m.ones(2, 3, 4), ind=0)),
    (RuntimeError, lambda m: m.linalg.tensorsolve(m.ones(2, 3, 4), m.ones(2))),
]


@pytest.mark.parametrize("exc,fn", BAD)
def test_errors(exc, fn):
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))
