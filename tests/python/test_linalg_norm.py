"""torch.linalg's norms (vector_norm, matrix_norm, norm) against real torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

INF = float("inf")


def rand(*shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def both(fn, *tensors):
    return fn(cresset, *[to_cresset(t) for t in tensors]), fn(torch, *tensors)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("ord", [2, 1, 0, 3, 0.5, -1, -2.5, INF, -INF])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim, dtype):
    x = rand(3, 4, 5, dtype=dtype)
    assert_same(*both(lambda m, t: m.linalg.vector_norm(t, ord, dim, keepdim), x),
                rtol=1e-5 if dtype == torch.float32 else 1e-10)


def test_vector_norm_dtype_and_layouts():
    x = rand(4, 6, dtype=torch.float32)
    assert_same(*both(lambda m, t: m.linalg.vector_norm(t, dtype=m.float64), x), rtol=1e-6)
    for view in (x.T, x[::2, 1::2], x.expand(2, 4, 6)):
        assert_same(*both(lambda m, t: m.linalg.vector_norm(t, 3, dim=0), view), rtol=1e-5)
    e = torch.empty(0, 3)
    assert_same(*both(lambda m, t: m.linalg.vector_norm(t), e))
    assert_same(*both(lambda m, t: m.linalg.vector_norm(t, INF, dim=1), e))


@pytest.mark.parametrize("ord", ["fro", "nuc", INF, -INF, 1, -1, 2, -2])
@pytest.mark.parametrize("shape,dim", [((3, 4), (-2, -1)), ((2, 3, 5), (-2, -1)),
                                       ((2, 3, 5), (0, 2)), ((2, 3, 5), (2, 0)),
                                       ((4, 2, 3, 3), (1, 3))])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm(ord, shape, dim, keepdim):
    A = rand(*shape)
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t, ord, dim, keepdim), A), rtol=1e-10)
    if len(shape) == 2:
        assert_same(*both(lambda m, t: m.linalg.norm(t, ord), A), rtol=1e-10)
    assert_same(*both(lambda m, t: m.linalg.norm(t, ord, dim, keepdim), A), rtol=1e-10)


def test_matrix_norm_dtype_empty_and_noncontiguous():
    A = rand(2, 3, 4, dtype=torch.float32)
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t, "nuc", dtype=m.float64), A), rtol=1e-6)
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t, 1, dtype=m.float64), A), rtol=1e-6)
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t.mT, 2), A), rtol=1e-5)
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t, "fro"), torch.empty(0, 3, 3)))
    assert_same(*both(lambda m, t: m.linalg.matrix_norm(t, "nuc"), torch.empty(2, 0, 3)))


@pytest.mark.parametrize("args", [dict(), dict(ord=3), dict(dim=1), dict(dim=(0, 1)),
                                  dict(ord=INF, dim=0), dict(ord=-1, dim=(1, 0)),
                                  dict(ord="fro", dim=(0, 1)), dict(keepdim=True)])
def test_norm_dispatch(args):
    x = rand(4, 5)
    v = rand(6)
    if "ord" in args and "dim" not in args:  # a 1-D input takes a vector ord
        assert_same(*both(lambda m, t: m.linalg.norm(t, **args), v), rtol=1e-10)
    else:
        assert_same(*both(lambda m, t: m.linalg.norm(t, **args), x), rtol=1e-10)
    assert_same(*both(lambda m, t: m.linalg.norm(t), rand(2, 3, 4)), rtol=1e-10)


def grad_of(mod, fn, x):
    t = (to_cresset(x) if mod is cresset else x.clone()).requires_grad_()
    out = fn(mod, t)
    out.sum().backward()
    return out, t.grad


@pytest.mark.parametrize("name,fn,x", [
    ("LinalgVectorNormBackward0", lambda m, t: m.linalg.vector_norm(t, 3, dim=1),
     rand(3, 4)),
    ("LinalgVectorNormBackward0", lambda m, t: m.linalg.vector_norm(t, INF),
     torch.tensor([1.0, -3.0, 3.0, 2.0], dtype=torch.float64)),  # ties share the gradient
    ("LinalgVectorNormBackward0", lambda m, t: m.linalg.vector_norm(t, -INF, dim=0),
     torch.tensor([[1.0, -3.0], [-1.0, 2.0]], dtype=torch.float64)),
    ("LinalgVectorNormBackward0", lambda m, t: m.linalg.matrix_norm(t), rand(2, 3, 4)),
    ("LinalgVectorNormBackward0", lambda m, t: m.linalg.norm(t), rand(5)),
    ("SumBackward1", lambda m, t: m.linalg.matrix_norm(t, "nuc"), rand(2, 3, 4)),
    ("AmaxBackward0", lambda m, t: m.linalg.matrix_norm(t, 2), rand(4, 3)),
    ("AmaxBackward0", lambda m, t: m.linalg.matrix_norm(t, 1), rand(4, 3)),
    ("AminBackward0", lambda m, t: m.linalg.matrix_norm(t, -INF), rand(4, 3)),
])
def test_backward_matches_torch(name, fn, x):
    ours_out, ours = grad_of(cresset, fn, x)
    theirs_out, theirs = grad_of(torch, fn, x)
    assert ours_out.grad_fn.name() == theirs_out.grad_fn.name() == name
    assert_same(ours, theirs, rtol=1e-9, atol=1e-12)


BAD = [
    (RuntimeError, lambda m: m.linalg.vector_norm(m.arange(3))),
    (RuntimeError, lambda m: m.linalg.vector_norm(m.ones(3), dtype=m.int32)),
    (RuntimeError, lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.float64), dtype=m.float32)),
    (RuntimeError, lambda m: m.linalg.vector_norm(m.ones(0), INF)),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 2), "abc")),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 2), 3)),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3))),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 3, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(0, 0))),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(0,))),
    (RuntimeError, lambda m: m.linalg.matrix_norm(m.ones(3, 3), dtype=m.int32)),
    (RuntimeError, lambda m: m.linalg.norm(m.ones(3, 3, 3), 2)),
    (RuntimeError, lambda m: m.linalg.norm(m.ones(3, 3, 3), "fro")),
    (RuntimeError, lambda m: m.linalg.norm(m.ones(3, 3, 3), dim=(0, 1, 2))),
]


@pytest.mark.parametrize("exc,fn", BAD)
def test_errors(exc, fn):
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))


def test_out():
    x = rand(3, 4)
    out = cresset.empty(0, dtype=cresset.float64)
    assert cresset.linalg.vector_norm(to_cresset(x), dim=1, out=out) is out
    assert_same(out, torch.linalg.vector_norm(x, dim=1))
    assert cresset.linalg.matrix_norm(to_cresset(x), "nuc", out=out) is out
    assert_same(out, torch.linalg.matrix_norm(x, "nuc"))
