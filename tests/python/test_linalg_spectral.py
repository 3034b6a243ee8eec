"""torch.linalg's spectral family (eigh, svd, pinv, matrix_rank, cond, matrix_exp) against real
torch. Eigen- and singular vectors are unique only up to sign: vectors are compared through
sign-invariant quantities and gradients through sign-invariant losses."""
import cresset
import numpy as np
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-9, atol=1e-9)}


def rand(*shape, dtype="float64", seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(getattr(torch, dtype))


def np64(t):
    return np.array(t.tolist(), dtype=np.float64).reshape(tuple(t.shape))


def close(a, b, dtype):
    np.testing.assert_allclose(a, b, **TOL[dtype])


def assert_orthonormal_columns(q, dtype):
    q = np64(q)
    k = q.shape[-1]
    close(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), dtype)


SQUARE = [(1, 1), (3, 3), (6, 6), (2, 4, 4), (2, 3, 5, 5), (0, 3, 3), (0, 0), (2, 0, 0), (40, 40)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SQUARE)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(shape, dtype, uplo):
    A = rand(*shape, dtype=dtype)
    w, V = cresset.linalg.eigh(to_cresset(A), UPLO=uplo)
    tw, tV = torch.linalg.eigh(A, UPLO=uplo)
    assert_same(w, tw, **TOL[dtype])
    assert_same(cresset.linalg.eigvalsh(to_cresset(A), uplo), tw, **TOL[dtype])
    assert_same(V.abs(), tV.abs(), **TOL[dtype])  # eigenvalues here are distinct
    assert_orthonormal_columns(V, dtype)
    S = np64(torch.linalg.eigh(A, UPLO=uplo).eigenvectors @ torch.diag_embed(tw) @ tV.mT)
    close(np64(V) @ (np64(w)[..., None] * np.swapaxes(np64(V), -1, -2)), S, dtype)


def test_eigh_repeated_eigenvalues_and_named_tuple():
    A = torch.diag(torch.tensor([2.0, 1.0, 2.0, 1.0], dtype=torch.float64))
    Q = torch.linalg.qr(rand(4, 4)).Q
    A = Q @ A @ Q.T
    r = cresset.linalg.eigh(to_cresset(A))
    assert type(r).__name__ == "linalg_eigh" and r._fields == ("eigenvalues", "eigenvectors")
    assert_same(r.eigenvalues, torch.linalg.eigvalsh(A))
    assert_orthonormal_columns(r.eigenvectors, "float64")
    V, w = np64(r.eigenvectors), np64(r.eigenvalues)
    close(V @ np.diag(w) @ V.T, np64(A), "float64")
    assert repr(cresset.linalg.eigh(cresset.eye(2))) == repr(torch.linalg.eigh(torch.eye(2)))


def test_eigh_noncontiguous_and_svdvals_of_inf():
    A = rand(3, 5, 5)
    for view in (A.mT, A[:, ::2, ::2], A.expand(2, 3, 5, 5)):
        assert_same(cresset.linalg.eigvalsh(to_cresset(view)), torch.linalg.eigvalsh(view))
    N = torch.tensor([[float("inf"), 0.0], [0.0, 1.0]])
    assert_same(cresset.linalg.svdvals(to_cresset(N)), torch.linalg.svdvals(N))


def shapes_mn():
    return [(3, 3), (5, 3), (3, 5), (2, 6, 4), (2, 4, 6), (1, 7), (7, 1), (0, 3), (3, 0),
            (2, 0, 4), (0, 2, 2), (30, 20)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", shapes_mn())
@pytest.mark.parametrize("full", [True, False])
def test_svd(shape, dtype, full):
    A = rand(*shape, dtype=dtype)
    U, S, Vh = cresset.linalg.svd(to_cresset(A), full_matrices=full)
    tU, tS, tVh = torch.linalg.svd(A, full_matrices=full)
    assert_same(S, tS, **TOL[dtype])
    assert_same(cresset.linalg.svdvals(to_cresset(A)), tS, **TOL[dtype])
    assert tuple(U.shape) == tuple(tU.shape) and tuple(Vh.shape) == tuple(tVh.shape)
    assert U.dtype == Vh.dtype == getattr(cresset, dtype)
    assert_orthonormal_columns(U, dtype)
    assert_orthonormal_columns(Vh.mT, dtype)
    k = min(shape[-2:])
    # A = U[:, :k] diag(S) Vh[:k]; the first k vectors match torch's up to sign.
    Uk, Vk = np64(U)[..., :k], np64(Vh)[..., :k, :]
    close(Uk @ (np64(S)[..., None] * Vk), np64(A), dtype)
    close(np.abs(Uk), np.abs(np64(tU)[..., :k]), dtype)
    close(np.abs(Vk), np.abs(np64(tVh)[..., :k, :]), dtype)


def test_svd_rank_deficient_and_torch_svd():
    A = torch.ones(4, 3, dtype=torch.float64)
    U, S, Vh = cresset.linalg.svd(to_cresset(A))
    assert_same(S, torch.linalg.svdvals(A))
    assert_orthonormal_columns(U, "float64")
    assert_orthonormal_columns(Vh.mT, "float64")
    close(np64(U)[:, :3] @ np.diag(np64(S)) @ np64(Vh), np64(A), "float64")
    B = rand(2, 5, 3)
    r = cresset.svd(to_cresset(B))
    t = torch.svd(B)
    assert type(r).__name__ == "svd" and r._fields == ("U", "S", "V")
    assert_same(r.S, t.S)
    assert_same(r.V.abs(), t.V.abs())
    assert_same(to_cresset(B).svd(some=False).U.abs()[..., :3], t.U.abs())
    assert_same(tuple(cresset.svd(to_cresset(B), compute_uv=False)),
                tuple(torch.svd(B, compute_uv=False)))
    r = cresset.linalg.svd(to_cresset(B))
    assert type(r).__name__ == "linalg_svd" and r._fields == ("U", "S", "Vh")


def test_svd_noncontiguous():
    A = rand(3, 6, 4)
    for view in (A.mT, A[:, ::2], A.expand(2, 3, 6, 4)):
        assert_same(cresset.linalg.svdvals(to_cresset(view)), torch.linalg.svdvals(view))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 6), (0, 3), (2, 0, 3)])
def test_pinv_matrix_rank(shape, dtype):
    A = rand(*shape, dtype=dtype)
    tol = dict(rtol=1e-3, atol=1e-4) if dtype == "float32" else TOL[dtype]
    ours = lambda **kw: cresset.linalg.pinv(to_cresset(A), **kw)
    assert_same(ours(), torch.linalg.pinv(A), **tol)
    assert_same(ours(atol=0.5), torch.linalg.pinv(A, atol=0.5), **tol)
    assert_same(ours(rtol=0.3), torch.linalg.pinv(A, rtol=0.3), **tol)
    assert_same(cresset.linalg.pinv(to_cresset(A), 0.3), torch.linalg.pinv(A, 0.3), **tol)
    assert_same(cresset.pinverse(to_cresset(A)), torch.pinverse(A), **tol)
    assert_same(to_cresset(A).pinverse(rcond=0.4), A.pinverse(rcond=0.4), **tol)
    for kw in ({}, dict(atol=0.5), dict(rtol=0.5), dict(atol=0.1, rtol=0.2)):
        assert_same(cresset.linalg.matrix_rank(to_cresset(A), **kw),
                    torch.linalg.matrix_rank(A, **kw))
    if shape[-1] == shape[-2]:
        S = A + A.mT
        assert_same(cresset.linalg.pinv(to_cresset(S), hermitian=True),
                    torch.linalg.pinv(S, hermitian=True), **tol)
        assert_same(cresset.linalg.matrix_rank(to_cresset(S), hermitian=True, rtol=0.2),
                    torch.linalg.matrix_rank(S, hermitian=True, rtol=0.2))


def test_matrix_rank_deficient():
    A = rand(6, 2) @ rand(2, 5, seed=1)
    assert_same(cresset.linalg.matrix_rank(to_cresset(A)), torch.linalg.matrix_rank(A))
    assert cresset.linalg.matrix_rank(to_cresset(A)).item() == 2
    assert_same(cresset.linalg.matrix_rank(to_cresset(A), 1e-3), torch.linalg.matrix_rank(A, 1e-3))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", float("inf"), float("-inf"), 1, -1])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (0, 0), (2, 0, 0)])
def test_cond(p, shape):
    A = rand(*shape)
    assert_same(cresset.linalg.cond(to_cresset(A), p), torch.linalg.cond(A, p), rtol=1e-8)
    singular = torch.zeros(3, 3, dtype=torch.float64)
    if p not in (None, 2, -2):
        assert_same(cresset.linalg.cond(to_cresset(singular), p), torch.linalg.cond(singular, p))


def test_cond_wide():
    A = rand(3, 5)
    for p in (None, 2, -2):
        assert_same(cresset.linalg.cond(to_cresset(A), p), torch.linalg.cond(A, p), rtol=1e-8)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,scale", [((1, 1), 1), ((3, 3), 0.1), ((4, 4), 1), ((2, 5, 5), 3),
                                         ((3, 3), 20), ((0, 2, 2), 1), ((0, 0), 1)])
def test_matrix_exp(shape, scale, dtype):
    A = rand(*shape, dtype=dtype) * scale
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    assert_same(cresset.linalg.matrix_exp(to_cresset(A)), torch.linalg.matrix_exp(A), **tol)
    assert_same(cresset.matrix_exp(to_cresset(A)), torch.matrix_exp(A), **tol)
    assert_same(to_cresset(A).matrix_exp(), A.matrix_exp(), **tol)


def test_matrix_exp_noncontiguous():
    A = rand(2, 4, 4)
    assert_same(cresset.linalg.matrix_exp(to_cresset(A.mT)), torch.linalg.matrix_exp(A.mT))
    assert_same(cresset.linalg.matrix_exp(to_cresset(A[:, ::2, ::2])),
                torch.linalg.matrix_exp(A[:, ::2, ::2]))


def grad_of(mod, fn, A):
    x = (to_cresset(A) if mod is cresset else A.clone()).requires_grad_()
    out = fn(mod, x)
    out.backward()
    return out, x.grad


def _c(mod, shape, seed):
    t = rand(*shape, seed=seed)
    return to_cresset(t) if mod is cresset else t


BACKWARD = [
    ("LinalgEighBackward0", (4, 4), lambda m, a: (m.linalg.eigh(a).eigenvalues * _c(m, (4,), 1)).sum()),
    ("LinalgEighBackward0", (2, 4, 4), lambda m, a: sum(
        (t * _c(m, t.shape, i + 1)).sum() for i, t in enumerate(
            (m.linalg.eigh(a).eigenvalues, m.linalg.eigh(a).eigenvectors ** 2)))),
    ("LinalgEighBackward0", (3, 3), lambda m, a: (m.linalg.eigvalsh(a, "U") ** 2).sum()),
    ("LinalgSvdBackward0", (4, 3), lambda m, a: (m.linalg.svdvals(a) * _c(m, (3,), 1)).sum()),
    ("LinalgSvdBackward0", (3, 5), lambda m, a: (m.linalg.svdvals(a) ** 2).sum()),
]


def svd_loss(full, shape):
    def f(m, a):
        U, S, Vh = m.linalg.svd(a, full_matrices=full)
        k = S.shape[-1]  # the completed vectors of a full U or Vh are not unique
        U, Vh = U[..., :k], Vh[..., :k, :]
        return ((U ** 2) * _c(m, U.shape, 1)).sum() + (S * _c(m, S.shape, 2)).sum() + \
            ((Vh ** 2) * _c(m, Vh.shape, 3)).sum()
    return f


@pytest.mark.parametrize("name,shape,fn", BACKWARD + [
    ("LinalgSvdBackward0", s, svd_loss(full, s)) for s in [(4, 4), (5, 3), (3, 5), (2, 4, 3)]
    for full in (False, True)] + [
    ("LinalgPinvBackward0", (4, 3), lambda m, a: (m.linalg.pinv(a) * _c(m, (3, 4), 1)).sum()),
    ("LinalgPinvBackward0", (3, 5), lambda m, a: (m.linalg.pinv(a) * _c(m, (5, 3), 1)).sum()),
    ("LinalgMatrixExpBackward0", (2, 3, 3),
     lambda m, a: (m.linalg.matrix_exp(a) * _c(m, (2, 3, 3), 1)).sum()),
])
def test_backward_matches_torch(name, shape, fn):
    A = rand(*shape, seed=5)
    ours_out, ours = grad_of(cresset, fn, A)
    theirs_out, theirs = grad_of(torch, fn, A)
    assert_same(ours_out, theirs_out)
    assert_same(ours, theirs, rtol=1e-7, atol=1e-9)
    x = to_cresset(A).requires_grad_()
    t = A.clone().requires_grad_()
    fwd = {"LinalgEighBackward0": lambda m, a: m.linalg.eigh(a)[0],
           "LinalgSvdBackward0": lambda m, a: m.linalg.svd(a)[1],
           "LinalgPinvBackward0": lambda m, a: m.linalg.pinv(a),
           "LinalgMatrixExpBackward0": lambda m, a: m.linalg.matrix_exp(a)}[name]
    assert fwd(cresset, x).grad_fn.name() == fwd(torch, t).grad_fn.name() == name


def test_matrix_exp_double_backward():
    A = rand(3, 3)
    results = []
    for mod in (cresset, torch):
        x = (to_cresset(A) if mod is cresset else A.clone()).requires_grad_()
        (g,) = mod.autograd.grad((mod.linalg.matrix_exp(x) ** 2).sum(), x, create_graph=True)
        results.append(mod.autograd.grad((g * g).sum(), x)[0])
    assert_same(results[0], results[1], rtol=1e-8)


def test_torch_svd_v_node():
    x = to_cresset(rand(3, 3)).requires_grad_()
    t = rand(3, 3).requires_grad_()
    assert cresset.svd(x).V.grad_fn.name() == torch.svd(t).V.grad_fn.name()


BAD = [
    (RuntimeError, lambda m: m.linalg.eigh(m.ones(2, 3))),
    (RuntimeError, lambda m: m.linalg.eigh(m.ones(3))),
    (NotImplementedError, lambda m: m.linalg.eigh(m.ones(2, 2, dtype=m.int64))),
    (NotImplementedError, lambda m: m.linalg.eigvalsh(m.ones(2, 2, dtype=m.float16))),
    (RuntimeError, lambda m: m.linalg.eigh(m.ones(2, 2), UPLO="X")),
    (RuntimeError, lambda m: m.linalg.svd(m.ones(2, 2, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.svd(m.ones(2))),
    (NotImplementedError, lambda m: m.linalg.svdvals(m.ones(2, 2, dtype=m.float16))),
    (RuntimeError, lambda m: m.linalg.svd(m.ones(2, 2), driver="gesvd")),
    (RuntimeError, lambda m: m.linalg.svd(m.tensor([[float("nan"), 0.0], [0.0, 1.0]]))),
    (RuntimeError, lambda m: m.linalg.pinv(m.ones(3))),
    (RuntimeError, lambda m: m.linalg.pinv(m.ones(2, 2, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.matrix_rank(m.ones(2, 2, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.cond(m.ones(3))),
    (RuntimeError, lambda m: m.linalg.cond(m.ones(3, 4), 1)),
    (RuntimeError, lambda m: m.linalg.cond(m.ones(3, 4), "nuc")),
    (RuntimeError, lambda m: m.linalg.cond(m.ones(3, 3), 3)),
    (RuntimeError, lambda m: m.linalg.cond(m.ones(3, 3), "abc")),
    (RuntimeError, lambda m: m.linalg.matrix_exp(m.ones(3, 2))),
    (RuntimeError, lambda m: m.linalg.matrix_exp(m.ones(3, 3, dtype=m.int64))),
    (TypeError, lambda m: m.linalg.pinv(m.ones(3, 3), 0.1, atol=0.2)),
]


@pytest.mark.parametrize("exc,fn", BAD)
def test_errors(exc, fn):
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))


def test_errors_name_the_op():
    with pytest.raises(RuntimeError, match=r"^\[linalg.eigh\]"):
        cresset.linalg.eigh(cresset.ones(2, 3))
    with pytest.raises(cresset.linalg.LinAlgError, match=r"^\[linalg.svd\]"):
        cresset.linalg.svd(cresset.tensor([[float("inf"), 0.0], [0.0, 1.0]]))


def test_out():
    A = rand(3, 3)
    out = cresset.empty(3, dtype=cresset.float64)
    r = cresset.linalg.eigvalsh(to_cresset(A + A.T), out=out)
    assert r is out
    assert_same(out, torch.linalg.eigvalsh(A + A.T))
    outs = (cresset.empty(0, dtype=cresset.float64), cresset.empty(0, dtype=cresset.float64),
            cresset.empty(0, dtype=cresset.float64))
    r = cresset.linalg.svd(to_cresset(A), out=outs)
    assert r.S is outs[1]
    assert_same(outs[1], torch.linalg.svdvals(A))
