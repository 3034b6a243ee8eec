"""torch.linalg's Cholesky and QR families (cholesky, cholesky_ex, cholesky_solve,
cholesky_inverse, qr, geqrf, householder_product, lstsq) against real torch."""
import warnings

import cresset
import numpy as np
import pytest
import torch

from utils import assert_same, to_cresset

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-9, atol=1e-10)}


def gen(seed):
    return torch.Generator().manual_seed(seed)


def rand(*shape, dtype=torch.float64, seed=0):
    return torch.randn(*shape, generator=gen(seed), dtype=torch.float64).to(dtype)


def spd(*shape, dtype=torch.float64, seed=0):
    """A batch of symmetric positive-definite matrices."""
    n = shape[-1]
    M = rand(*shape, seed=seed)
    return (M @ M.mT + n * torch.eye(n, dtype=torch.float64)).to(dtype)


def both(fn, *tensors):
    return fn(cresset, *[to_cresset(t) for t in tensors]), fn(torch, *tensors)


def same_error(exc, fn, *tensors):
    """Both raise `exc` (cresset's LinAlgError for torch's), with torch's message in ours."""
    ours_exc = cresset.linalg.LinAlgError if exc is torch.linalg.LinAlgError else exc
    with pytest.raises(exc) as theirs:
        fn(torch, *tensors)
    with pytest.raises(ours_exc) as ours:
        fn(cresset, *[to_cresset(t) for t in tensors])
    assert str(theirs.value).split(" (Triggered internally")[0] in str(ours.value)


def raises_like_torch(fn, *tensors):
    """torch rejects these inputs; ours raises the same type, with torch's message."""
    try:
        fn(torch, *tensors)
    except Exception as e:  # noqa: BLE001 - the exception type is what we compare
        same_error(type(e), fn, *tensors)
    else:
        raise AssertionError("torch accepted the inputs")


# ---- cholesky ----

SHAPES = [(1, 1), (3, 3), (5, 5), (2, 4, 4), (2, 3, 6, 6), (0, 0), (2, 0, 0), (3, 0, 5, 5),
          (70, 70), (130, 130)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, dtype, upper):
    A = spd(*shape, dtype=getattr(torch, dtype))
    tol = TOL[dtype]
    ours, theirs = both(lambda m, a: m.linalg.cholesky(a, upper=upper), A)
    assert_same(ours, theirs, check_stride=True, **tol)
    ours, theirs = both(lambda m, a: m.linalg.cholesky_ex(a, upper=upper), A)
    assert type(ours).__name__ == "linalg_cholesky_ex" and ours._fields == ("L", "info")
    assert_same(tuple(ours), tuple(theirs), check_stride=True, **tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(*both(lambda m, a: m.cholesky(a, upper), A), **tol)
        assert_same(*both(lambda m, a: a.cholesky(upper=upper), A), **tol)


def test_cholesky_reads_one_triangle_and_any_layout():
    A = spd(4, 4)
    # Garbage in the triangle that is not read.
    lower_only = torch.tril(A) + torch.triu(torch.full((4, 4), 100.0, dtype=torch.float64), 1)
    assert_same(*both(lambda m, a: m.linalg.cholesky(a), lower_only), **TOL["float64"])
    upper_only = torch.triu(A) + torch.tril(torch.full((4, 4), -7.0, dtype=torch.float64), -1)
    assert_same(*both(lambda m, a: m.linalg.cholesky(a, upper=True), upper_only),
                **TOL["float64"])
    T = spd(3, 5, 5).transpose(-1, -2)
    assert_same(*both(lambda m, a: m.linalg.cholesky(a), T), **TOL["float64"])
    E = spd(5, 5).expand(2, 5, 5)
    assert_same(*both(lambda m, a: m.linalg.cholesky(a), E), **TOL["float64"])
    S = spd(8, 8)[::2, ::2]
    assert_same(*both(lambda m, a: m.linalg.cholesky(a), S), **TOL["float64"])


NOT_PD = [
    torch.tensor([[1., 2.], [2., 1.]]),
    torch.tensor([[4., 2., 6.], [2., 1., 5.], [6., 5., 20.]]),
    torch.tensor([[4., 2., 6.], [2., 5., 5.], [6., 5., -20.]]),
    torch.tensor([[float("nan"), 2.], [2., -1.]]),
    torch.tensor([[4., 2.], [2., float("nan")]]),
    torch.tensor([[0.]]),
]


@pytest.mark.parametrize("A", NOT_PD)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex_not_positive_definite(A, upper):
    # The partial factors of small failed factorizations are LAPACK's, entry for entry.
    ours, theirs = both(lambda m, a: m.linalg.cholesky_ex(a, upper=upper), A)
    assert_same(tuple(ours), tuple(theirs), rtol=1e-6, atol=1e-6)
    batch = torch.stack([torch.eye(A.shape[-1]), A, A])
    ours, theirs = both(lambda m, a: m.linalg.cholesky_ex(a, upper=upper), batch)
    assert_same(tuple(ours), tuple(theirs), rtol=1e-6, atol=1e-6)


def test_cholesky_ex_large_failure_info():
    A = spd(150, 150)
    A[120, 120] = -1e6
    ours, theirs = both(lambda m, a: m.linalg.cholesky_ex(a), A)
    assert ours.info.item() == theirs.info.item() == 121
    assert_same(ours.L[:120, :120], theirs.L[:120, :120], **TOL["float64"])


@pytest.mark.parametrize("op", [
    lambda m, a: m.linalg.cholesky(a),
    lambda m, a: m.linalg.cholesky(a, upper=True),
    lambda m, a: m.linalg.cholesky_ex(a, check_errors=True),
    lambda m, a: m.cholesky(a),
])
def test_cholesky_raises_linalg_error(op):
    assert issubclass(cresset.linalg.LinAlgError, RuntimeError)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(torch.linalg.LinAlgError, op, NOT_PD[1])
        same_error(torch.linalg.LinAlgError, op, torch.stack([torch.eye(3), NOT_PD[1]]))
        same_error(torch.linalg.LinAlgError, op, NOT_PD[1][None])


@pytest.mark.parametrize("op", [
    lambda m, a: m.linalg.cholesky(a),
    lambda m, a: m.linalg.cholesky_ex(a),
    lambda m, a: m.cholesky(a),
    lambda m, a: m.cholesky_inverse(a),
    lambda m, a: m.linalg.qr(a),
    lambda m, a: m.geqrf(a),
])
@pytest.mark.parametrize("a", [torch.ones(3), torch.ones(2, 3), torch.ones(3, 3, dtype=torch.int64),
                               torch.ones(2, 3, dtype=torch.int64), torch.ones(3, 3).half(),
                               torch.ones(3, 3).bfloat16(), torch.ones(3, 3, dtype=torch.bool)])
def test_input_errors(op, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            op(torch, a)
        except Exception:  # noqa: BLE001
            raises_like_torch(op, a)
            return
        op(cresset, to_cresset(a))  # QR of a non-square matrix: no error in either


def test_deprecated_spellings_warn_once():
    import subprocess
    import sys
    code = ("import warnings, cresset\n"
            "warnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    a = cresset.eye(2)\n"
            "    a.cholesky(); cresset.cholesky(a); a.qr(); cresset.qr(a, some=False)\n"
            "print(len(w), all(issubclass(x.category, UserWarning) for x in w),\n"
            "      'torch.cholesky is deprecated' in str(w[0].message),\n"
            "      'torch.qr is deprecated' in str(w[1].message))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "True", "True", "True"]


# ---- cholesky_solve, cholesky_inverse ----

SOLVE_CASES = [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 3)), ((4, 4), (2, 4, 1)),
               ((2, 1, 3, 3), (4, 3, 2)), ((3, 5, 5), (1, 5, 2)), ((0, 0), (0, 3)),
               ((2, 3, 3), (2, 3, 0)), ((70, 70), (70, 40))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape", SOLVE_CASES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve(a_shape, b_shape, dtype, upper):
    dt = getattr(torch, dtype)
    F = torch.linalg.cholesky(spd(*a_shape), upper=upper).to(dt)
    B = rand(*b_shape, dtype=dt, seed=1)
    assert_same(*both(lambda m, b, f: m.cholesky_solve(b, f, upper), B, F), check_stride=True,
                **TOL[dtype])
    assert_same(*both(lambda m, b, f: b.cholesky_solve(f, upper=upper), B, F), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4), (2, 0, 0), (60, 60)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse(shape, dtype, upper):
    F = torch.linalg.cholesky(spd(*shape), upper=upper).to(getattr(torch, dtype))
    ours, theirs = both(lambda m, f: m.cholesky_inverse(f, upper), F)
    assert_same(ours, theirs, check_stride=True, **TOL[dtype])
    assert ours.tolist() == ours.mT.tolist()  # exactly symmetric, as LAPACK's potri
    assert_same(*both(lambda m, f: f.cholesky_inverse(upper=upper), F), **TOL[dtype])
    # Only the factor's triangle is read.
    G = F + (torch.tril(torch.ones_like(F), -1) if upper else torch.triu(torch.ones_like(F), 1))
    assert_same(*both(lambda m, f: m.cholesky_inverse(f, upper), G), **TOL[dtype])


def test_cholesky_solve_and_inverse_errors():
    L = torch.tensor([[2., 0.], [1., 3.]])
    for b, f in [(torch.ones(2), L), (torch.ones(2, 2), torch.ones(2)),
                 (torch.ones(2, 2, dtype=torch.int64), L), (torch.ones(2, 2), L.double()),
                 (torch.ones(2, 3), torch.ones(2, 3)), (torch.ones(3, 3), L),
                 (torch.ones(2, 2, 3), torch.stack([L, L, L])),
                 (torch.ones(2, 2, dtype=torch.int64), L.long()),
                 (torch.ones(2, 2).half(), L.half())]:
        raises_like_torch(lambda m, x, y: m.cholesky_solve(x, y), b, f)
    for f in [torch.zeros(2, 2), torch.stack([torch.eye(2), torch.diag(torch.tensor([1., 0.]))])]:
        same_error(torch.linalg.LinAlgError, lambda m, x: m.cholesky_inverse(x), f)


# ---- QR ----

QR_SHAPES = [(1, 1), (3, 3), (5, 3), (3, 5), (2, 4, 4), (2, 3, 6, 2), (2, 2, 7), (0, 3),
             (3, 0), (2, 0, 0), (40, 25), (25, 40), (90, 90), (150, 100), (100, 150), (2, 70, 66)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", QR_SHAPES)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, dtype, mode):
    # Householder reflections with LAPACK's signs: Q and R agree with torch's, not just Q R.
    A = rand(*shape, dtype=getattr(torch, dtype), seed=3)
    ours, theirs = both(lambda m, a: m.linalg.qr(a, mode=mode), A)
    assert type(ours).__name__ == "linalg_qr" and ours._fields == ("Q", "R")
    assert_same(tuple(ours), tuple(theirs), check_stride=True, **TOL[dtype])


def test_qr_aliases_and_layouts():
    A = rand(2, 5, 3, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for some in (True, False):
            ours, theirs = both(lambda m, a: m.qr(a, some), A)
            assert type(ours).__name__ == "qr"
            assert_same(tuple(ours), tuple(theirs), **TOL["float64"])
            assert_same(tuple(to_cresset(A).qr(some=some)), tuple(A.qr(some=some)),
                        **TOL["float64"])
    for X in (A.mT, A.expand(3, 2, 5, 3), rand(9, 7, seed=5)[::2, 1::2]):
        assert_same(*both(lambda m, a: tuple(m.linalg.qr(a)), X), **TOL["float64"])


def test_qr_special_matrices():
    # Zero columns (tau = 0, a diagonal kept with its sign), exactly rank-deficient, already
    # triangular with negative diagonal entries.
    cases = [torch.zeros(3, 2), torch.tensor([[1., 2., 3.], [2., 4., 6.], [0., 0., 0.]]),
             torch.tensor([[-2., 1.], [0., -3.]]), torch.tensor([[0., 1.], [0., 0.], [0., 2.]])]
    for A in cases:
        for mode in ("reduced", "complete"):
            assert_same(*both(lambda m, a: tuple(m.linalg.qr(a, mode)), A), rtol=1e-6, atol=1e-6)


def test_qr_mode_error():
    same_error(RuntimeError, lambda m, a: m.linalg.qr(a, mode="full"), torch.ones(3, 3))


def test_geqrf_and_householder_product():
    for shape in [(5, 3), (3, 5), (4, 4), (2, 6, 4), (0, 3), (120, 100)]:
        A = rand(*shape, seed=6)
        ours, theirs = both(lambda m, a: m.geqrf(a), A)
        assert type(ours).__name__ == "geqrf" and ours._fields == ("a", "tau")
        assert_same(tuple(ours), tuple(theirs), check_stride=True, **TOL["float64"])
        assert_same(tuple(to_cresset(A).geqrf()), tuple(theirs), **TOL["float64"])
        if shape[-2] >= shape[-1]:
            a, tau = theirs
            for k in sorted({0, 1, tau.shape[-1] // 2, tau.shape[-1] - 1, tau.shape[-1]}):
                t = tau[..., :k]
                assert_same(*both(lambda m, x, y: m.linalg.householder_product(x, y), a, t),
                            check_stride=True, **TOL["float64"])
                assert_same(*both(lambda m, x, y: m.orgqr(x, y), a, t), **TOL["float64"])
                assert_same(*both(lambda m, x, y: x.orgqr(y), a, t), **TOL["float64"])


def test_householder_product_errors():
    for a, t in [(torch.ones(2, 3), torch.ones(1)), (torch.ones(3, 2), torch.ones(3)),
                 (torch.ones(3), torch.ones(1)), (torch.ones(3, 2), torch.ones(1, 1)),
                 (torch.ones(3, 2, dtype=torch.int64), torch.ones(1, dtype=torch.int64)),
                 (torch.ones(3, 2), torch.ones(1).double()),
                 (torch.ones(2, 3, 2), torch.ones(3, 1)), (torch.ones(2, 3, 2), torch.ones(1)),
                 (torch.ones(3, 2), torch.ones(())), (torch.ones(3, 2).half(), torch.ones(1).half())]:
        raises_like_torch(lambda m, x, y: m.linalg.householder_product(x, y), a, t)


# ---- lstsq ----

LSTSQ_CASES = [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((4, 4), (4, 1)), ((6, 3), (6,)),
               ((2, 6, 3), (2, 6)), ((2, 6, 3), (2, 6, 4)),
               ((1, 5, 3), (5, 2)), ((5, 5, 3), (5, 5)), ((2, 1, 5, 3), (1, 3, 5, 2)),
               ((4, 4, 3), (4, 2)), ((1, 5, 3), (3, 5, 2)), ((2, 3, 5), (1, 3, 2)), ((60, 20), (60, 3)),
               ((20, 60), (20, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape", LSTSQ_CASES)
@pytest.mark.parametrize("driver", [None, "gelsy", "gels", "gelsd", "gelss"])
def test_lstsq(a_shape, b_shape, driver, dtype):
    dt = getattr(torch, dtype)
    A, B = rand(*a_shape, dtype=dt, seed=7), rand(*b_shape, dtype=dt, seed=8)
    ours, theirs = both(lambda m, a, b: m.linalg.lstsq(a, b, driver=driver), A, B)
    assert type(ours).__name__ == "linalg_lstsq"
    assert ours._fields == ("solution", "residuals", "rank", "singular_values")
    tol = dict(rtol=1e-3, atol=1e-4) if dtype == "float32" else TOL[dtype]
    assert_same(tuple(ours), tuple(theirs), check_stride=True, **tol)


@pytest.mark.parametrize("driver", ["gelsy", "gels", "gelsd", "gelss"])
def test_lstsq_empty(driver):
    for a_shape, b_shape in [((4, 0), (4, 2)), ((0, 3), (0, 2)), ((4, 3), (4, 0)),
                             ((2, 0, 3), (2, 0, 2)), ((0, 4, 3), (0, 4, 2))]:
        if driver in ("gelsd", "gelss") and b_shape[-1] == 0:
            continue  # torch's SVD drivers fail on no right-hand sides (an MKL argument error)
        A, B = rand(*a_shape), rand(*b_shape)
        assert_same(*both(lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver=driver)), A, B))


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_rank_deficient(driver):
    # Exactly dependent columns and rows: the minimum-norm solution and the rank torch finds (and
    # no residuals from the SVD drivers unless every matrix has full rank).
    A = rand(6, 4, seed=9)
    A[:, 3] = A[:, 0] + 2 * A[:, 1]
    W = rand(3, 6, seed=10)
    W[2] = W[0] - W[1]
    Z = torch.zeros(4, 3)
    Z[0, 0] = 1.0
    for a in (A, W, A.mT, torch.stack([A, rand(6, 4, seed=11)]), torch.zeros(3, 2), Z):
        b = rand(*a.shape[:-1], 2, seed=12).to(a.dtype)
        ours, theirs = both(lambda m, x, y: tuple(m.linalg.lstsq(x, y, driver=driver)), a, b)
        assert_same(ours, theirs, rtol=1e-7, atol=1e-8)


def test_lstsq_rcond():
    A = torch.tensor([[1., 0.], [0., 1e-3], [0., 0.]])
    b = torch.ones(3, 1)
    for rcond in (None, 1e-2, 1e-4, 0.0):
        for driver in ("gelsy", "gelsd", "gelss"):
            assert_same(*both(lambda m, x, y: tuple(m.linalg.lstsq(x, y, rcond, driver=driver)),
                              A, b))
    assert_same(*both(lambda m, x, y: tuple(m.linalg.lstsq(x, y, rcond=2e-3, driver="gelsy")),
                      A.double(), b.double()))


def test_lstsq_errors():
    cases = [(torch.randn(4, 3), torch.randn(3, 2)), (torch.randn(4, 3), torch.randn(3)),
             (torch.randn(2, 4, 3), torch.randn(2, 3)),
             (torch.randn(4, 3), torch.randn(4, 2, dtype=torch.float64)),
             (torch.randn(4, 3).long(), torch.randn(4, 2).long()),
             (torch.randn(4), torch.randn(4, 2)), (torch.randn(2, 4, 3), torch.randn(3, 4, 2)),
             (torch.randn(4, 3), torch.randn(5, 4, 2)), (torch.randn(4, 3), torch.tensor(1.)),
             (torch.randn(2, 4, 3), torch.randn(4, 2)), (torch.randn(2, 4, 3), torch.randn(1, 4)),
             (torch.randn(2, 1, 5, 3), torch.randn(3, 5, 2)),
             (torch.randn(4, 3).half(), torch.randn(4, 2).half())]
    for a, b in cases:
        raises_like_torch(lambda m, x, y: m.linalg.lstsq(x, y), a, b)
    same_error(RuntimeError, lambda m, x, y: m.linalg.lstsq(x, y, driver="foo"),
               torch.randn(4, 3), torch.randn(4, 2))
    singular = torch.tensor([[1., 0.], [0., 0.], [0., 0.]])
    for a in (singular, torch.tensor([[1., 0., 0.], [0., 0., 0.]]),
              torch.stack([torch.eye(3, 2), singular])):
        same_error(torch.linalg.LinAlgError, lambda m, x, y: m.linalg.lstsq(x, y, driver="gels"),
                   a, torch.ones(*a.shape[:-1], 1))


# ---- autograd ----

def grads(mod, fn, *tensors, create_graph=False):
    leaves = [(to_cresset(t) if mod is cresset else t.detach().clone()).requires_grad_()
              for t in tensors]
    outs = fn(mod, *leaves)
    outs = outs if isinstance(outs, tuple) else (outs,)
    gs = [torch.randn(o.shape, generator=gen(20 + i), dtype=torch.float64)
          for i, o in enumerate(outs)]
    gs = [to_cresset(g) if mod is cresset else g for g in gs]
    out_grads = mod.autograd.grad(outs, leaves, gs, create_graph=create_graph)
    return outs, out_grads, leaves


def lower_factor(*shape):
    return torch.linalg.cholesky(spd(*shape, seed=13))


GRAD_CASES = [
    ("LinalgCholeskyExBackward0", lambda m, a: m.linalg.cholesky(a), [spd(4, 4)]),
    ("LinalgCholeskyExBackward0", lambda m, a: m.linalg.cholesky(a, upper=True), [spd(2, 3, 3)]),
    ("LinalgCholeskyExBackward0", lambda m, a: m.linalg.cholesky_ex(a).L, [rand(4, 4) + 4]),
    ("CholeskyBackward0", lambda m, a: m.cholesky(a), [spd(3, 3)]),
    ("CholeskyBackward0", lambda m, a: m.cholesky(a, True), [spd(2, 3, 3)]),
    ("CholeskySolveBackward0", lambda m, b, f: m.cholesky_solve(b, f),
     [rand(3, 2), lower_factor(3, 3)]),
    ("CholeskySolveBackward0", lambda m, b, f: m.cholesky_solve(b, f, True),
     [rand(2, 3, 2), lower_factor(3, 3).mT]),
    ("CholeskySolveBackward0", lambda m, b, f: m.cholesky_solve(b, f),
     [rand(3, 1, 4, 2), rand(2, 4, 4) + 4 * torch.eye(4, dtype=torch.float64)]),
    ("CholeskyInverseBackward0", lambda m, f: m.cholesky_inverse(f), [lower_factor(2, 4, 4)]),
    ("CholeskyInverseBackward0", lambda m, f: m.cholesky_inverse(f, upper=True),
     [rand(3, 3) + 3 * torch.eye(3, dtype=torch.float64)]),
    ("LinalgQrBackward0", lambda m, a: tuple(m.linalg.qr(a)), [rand(5, 3)]),
    ("LinalgQrBackward0", lambda m, a: tuple(m.linalg.qr(a)), [rand(2, 4, 4)]),
    ("LinalgQrBackward0", lambda m, a: tuple(m.linalg.qr(a)), [rand(2, 3, 6)]),
    ("LinalgQrBackward0", lambda m, a: m.linalg.qr(a).R, [rand(6, 2)]),
    ("LinalgQrBackward0", lambda m, a: tuple(m.linalg.qr(a, "complete")), [rand(3, 5)]),
    ("LinalgQrBackward0", lambda m, a: m.linalg.qr(a).Q, [rand(4, 4)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b).solution, [rand(5, 3), rand(5, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b).solution, [rand(3, 5), rand(3, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b).solution, [rand(4, 4), rand(4)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b).solution,
     [rand(2, 1, 6, 3), rand(1, 3, 6, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver="gels"))[:2],
     [rand(6, 3), rand(6, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver="gelsd"))[:2],
     [rand(2, 6, 3), rand(1, 6, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b).solution,
     [rand(1, 4, 3), rand(4, 2)]),
    ("LinalgLstsqBackward0", lambda m, a, b: m.linalg.lstsq(a, b, driver="gelss").solution,
     [rand(3, 6), rand(3, 2)]),
    ("LinalgHouseholderProductBackward0", lambda m, a, t: m.linalg.householder_product(a, t),
     [rand(5, 3), rand(2)]),
    ("LinalgHouseholderProductBackward0", lambda m, a, t: m.linalg.householder_product(a, t),
     [rand(2, 4, 4), rand(2, 4)]),
]


@pytest.mark.parametrize("name,fn,tensors", GRAD_CASES)
def test_backward_matches_torch(name, fn, tensors):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_out, ours, _ = grads(cresset, fn, *tensors)
        theirs_out, theirs, _ = grads(torch, fn, *tensors)
    assert ours_out[0].grad_fn.name() == theirs_out[0].grad_fn.name() == name
    assert_same(tuple(ours), tuple(theirs), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("fn,tensors", [
    (lambda m, a: m.linalg.cholesky(a), [spd(3, 3)]),
    (lambda m, b, f: m.cholesky_solve(b, f), [rand(3, 2), lower_factor(3, 3)]),
    (lambda m, f: m.cholesky_inverse(f), [lower_factor(3, 3)]),
    (lambda m, a: tuple(m.linalg.qr(a)), [rand(4, 3)]),
    (lambda m, a: tuple(m.linalg.qr(a)), [rand(2, 4)]),
    (lambda m, a, b: m.linalg.lstsq(a, b).solution, [rand(4, 2), rand(4, 2)]),
    (lambda m, a, t: m.linalg.householder_product(a, t), [rand(4, 3), rand(3)]),
])
def test_double_backward_matches_torch(fn, tensors):
    results = []
    for mod in (cresset, torch):
        _, gs, leaves = grads(mod, fn, *tensors, create_graph=True)
        total = sum((g * g).sum() for g in gs)
        results.append(mod.autograd.grad(total, leaves))
    assert_same(tuple(results[0]), tuple(results[1]), rtol=1e-7, atol=1e-8)


def test_gradcheck_float64():
    A = to_cresset(rand(4, 3)).requires_grad_()
    S = to_cresset(rand(3, 3, seed=1)).requires_grad_()
    B = to_cresset(rand(4, 2, seed=2)).requires_grad_()
    eye = cresset.eye(3, dtype=cresset.float64)
    for fn, inputs in [(lambda a: cresset.linalg.cholesky(a @ a.mT + eye), (S,)),
                       (lambda a: cresset.linalg.qr(a).Q, (A,)),
                       (lambda a: cresset.linalg.qr(a).R, (A,)),
                       (lambda a, b: cresset.linalg.lstsq(a, b).solution, (A, B))]:
        assert cresset.autograd.gradcheck(fn, inputs)


def test_qr_backward_errors():
    for mode, shape in [("r", (4, 3)), ("complete", (4, 3))]:
        def run(m, a):
            Q, R = m.linalg.qr(a.requires_grad_(), mode=mode)
            R.sum().backward()
        A = rand(*shape)
        same_error(RuntimeError, run, A)
        ours = cresset.linalg.qr(to_cresset(A.detach()).requires_grad_(), mode=mode)
        assert ours.Q.requires_grad and ours.R.grad_fn.name() == "LinalgQrBackward0"


def test_geqrf_backward_not_implemented():
    def run(m, a):
        m.geqrf(a.requires_grad_())[0].sum().backward()
    A = rand(3, 3)
    assert cresset.geqrf(to_cresset(A).requires_grad_())[0].grad_fn.name() == \
        torch.geqrf(A.clone().requires_grad_())[0].grad_fn.name() == "GeqrfBackward0"
    same_error(NotImplementedError, run, A)


def test_outputs_that_need_no_grad():
    A = to_cresset(spd(3, 3)).requires_grad_()
    r = cresset.linalg.cholesky_ex(A)
    assert r.L.requires_grad and not r.info.requires_grad
    r = cresset.linalg.lstsq(A, to_cresset(rand(3, 2)))
    assert [t.requires_grad for t in r] == [True, True, False, False]


def test_out_arguments():
    A = spd(2, 3, 3)
    out = cresset.empty(0, dtype=cresset.float64)
    r = cresset.linalg.cholesky(to_cresset(A), out=out)
    assert r is out
    assert_same(out, torch.linalg.cholesky(A), **TOL["float64"])
    L, info = cresset.empty(0, dtype=cresset.float64), cresset.empty(0, dtype=cresset.int32)
    cresset.linalg.cholesky_ex(to_cresset(A), out=(L, info))
    assert_same((L, info), tuple(torch.linalg.cholesky_ex(A)), **TOL["float64"])
    Q, R = cresset.empty(0, dtype=cresset.float64), cresset.empty(0, dtype=cresset.float64)
    cresset.linalg.qr(to_cresset(A), out=(Q, R))
    assert_same((Q, R), tuple(torch.linalg.qr(A)), **TOL["float64"])
    out = cresset.empty(0, dtype=cresset.float64)
    cresset.cholesky_inverse(to_cresset(A), out=out)
    assert_same(out, torch.cholesky_inverse(A), **TOL["float64"])


def test_batches_across_threads():
    # Batches run in parallel: the same bits for any number of threads.
    A = spd(16, 40, 40)
    M = rand(16, 30, 20)
    results = []
    for threads in (1, 2, 3):
        cresset.set_num_threads(threads)
        results.append((cresset.linalg.cholesky(to_cresset(A)).tolist(),
                        [t.tolist() for t in cresset.linalg.qr(to_cresset(M))],
                        cresset.linalg.lstsq(to_cresset(M), to_cresset(M[..., :3])).solution
                        .tolist()))
    cresset.set_num_threads(torch.get_num_threads())
    assert results[0] == results[1] == results[2]
    np.testing.assert_allclose(np.array(results[0][0]), torch.linalg.cholesky(A).numpy(),
                               rtol=1e-10, atol=1e-12)
