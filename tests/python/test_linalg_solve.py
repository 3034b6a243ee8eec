"""torch.linalg's LU family (lu_factor, det, slogdet, logdet, inv, solve) against real torch."""
import cresset
import numpy as np
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-10)}


def well_conditioned(*shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    n = shape[-1]
    return (torch.randn(*shape, generator=g, dtype=torch.float64) + 3 * torch.eye(n,
            dtype=torch.float64)).to(dtype)


def both(fn, *tensors):
    return fn(cresset, *[to_cresset(t) for t in tensors]), fn(torch, *tensors)


SHAPES = [(1, 1), (3, 3), (5, 5), (2, 4, 4), (2, 3, 6, 6), (60, 60), (100, 100)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_det_slogdet_logdet_inv(shape, dtype):
    A = well_conditioned(*shape, dtype=getattr(torch, dtype))
    tol = TOL[dtype]
    assert_same(*both(lambda m, a: m.linalg.det(a), A), rtol=1e-3 if dtype == "float32" else 1e-9)
    assert_same(*both(lambda m, a: m.det(a), A), rtol=1e-3 if dtype == "float32" else 1e-9)
    assert_same(*both(lambda m, a: tuple(m.linalg.slogdet(a)), A), **tol)
    assert_same(*both(lambda m, a: a.logdet(), A), **tol)
    assert_same(*both(lambda m, a: m.linalg.inv(a), A), **tol)
    assert_same(*both(lambda m, a: m.inverse(a), A), **tol)
    assert_same(*both(lambda m, a: tuple(m.linalg.inv_ex(a)), A), **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 6, 6), (70, 70), (70, 50)])
def test_lu_factor(shape, dtype):
    A = torch.randn(*shape, generator=torch.Generator().manual_seed(1), dtype=getattr(torch, dtype))
    ours, theirs = both(lambda m, a: m.linalg.lu_factor(a), A)
    assert type(ours).__name__ == "linalg_lu_factor" and ours._fields == ("LU", "pivots")
    if dtype == "float64":
        assert_same(tuple(ours), tuple(theirs), **TOL[dtype])
    else:
        # float32 factors round differently by algorithm (torch's own LU of 70 x 70 is 1.7e-5 off
        # the float64 one): the same pivots, and ours as close to the float64 LU as torch's is.
        assert_same(ours[1], theirs[1])
        exact = torch.linalg.lu_factor(A.double()).LU
        ours_err = (torch.tensor(ours[0].tolist(), dtype=torch.float64) - exact).abs().max()
        theirs_err = (theirs[0].double() - exact).abs().max()
        assert ours_err <= 3 * theirs_err + 1e-6, (ours_err, theirs_err)
    ours_ex, theirs_ex = both(lambda m, a: tuple(m.linalg.lu_factor_ex(a)), A)
    assert ours_ex[0].tolist() == ours[0].tolist()  # lu_factor_ex's LU is lu_factor's
    assert_same(ours_ex[1:], theirs_ex[1:])


@pytest.mark.parametrize("shape", [(520, 520), (300, 700), (700, 300)])
def test_lu_factor_large_across_threads(shape):
    # Note [Parallel LU]: from 512 columns the panels are 64 wide, and one matrix of this size is
    # factored by all threads together; the factors are the same bits for any thread count. A
    # zero column late in the matrix (a later panel's pivot) sets info in every split.
    g = torch.Generator().manual_seed(7)
    A = torch.randn(*shape, generator=g, dtype=torch.float64)
    A[:, min(shape) - 5] = 0
    results = []
    for threads in (1, 2, 3):
        cresset.set_num_threads(threads)
        lu, piv, info = cresset.linalg.lu_factor_ex(to_cresset(A))
        results.append((lu.tolist(), piv.tolist(), info.item()))
    cresset.set_num_threads(torch.get_num_threads())
    assert results[0] == results[1] == results[2]
    theirs = torch.linalg.lu_factor_ex(A)
    assert results[0][1] == theirs.pivots.tolist()
    assert results[0][2] == theirs.info.item() == min(shape) - 4
    np.testing.assert_allclose(np.array(results[0][0]), theirs.LU.numpy(), rtol=1e-9, atol=1e-9)


def test_noncontiguous_and_expanded_inputs():
    A = well_conditioned(3, 4, 4).transpose(-1, -2)
    assert not A.is_contiguous()
    assert_same(*both(lambda m, a: m.linalg.inv(a), A), **TOL["float64"])
    E = well_conditioned(4, 4).expand(3, 4, 4)
    assert_same(*both(lambda m, a: m.linalg.det(a), E), **TOL["float64"])
    S = well_conditioned(6, 6)[::2, ::2]
    assert_same(*both(lambda m, a: m.linalg.slogdet(a)[1], S), **TOL["float64"])


SOLVE_CASES = [
    ((3, 3), (3,), True), ((3, 3), (3, 2), True), ((2, 3, 3), (2, 3), True),
    ((2, 3, 3), (3,), True), ((3, 3, 3), (3, 3), True), ((2, 1, 3, 3), (4, 3, 5), True),
    ((3, 3), (4, 3, 2), True), ((3, 3), (2, 3), False), ((2, 3, 3), (2, 5, 3), False),
    ((1, 1), (2, 1), False), ((2, 4, 4), (2, 4), True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape,left", SOLVE_CASES)
def test_solve(a_shape, b_shape, left, dtype):
    dt = getattr(torch, dtype)
    A = well_conditioned(*a_shape, dtype=dt)
    B = torch.randn(*b_shape, generator=torch.Generator().manual_seed(2), dtype=dt)
    assert_same(*both(lambda m, a, b: m.linalg.solve(a, b, left=left), A, B), **TOL[dtype])
    ours, theirs = both(lambda m, a, b: m.linalg.solve_ex(a, b, left=left), A, B)
    assert ours._fields == ("result", "info")
    assert_same(tuple(ours), tuple(theirs), **TOL[dtype])


def grads(mod, fn, *tensors, create_graph=False):
    leaves = [(to_cresset(t) if mod is cresset else t.detach().clone()).requires_grad_()
              for t in tensors]
    out = fn(mod, *leaves)
    g = torch.randn(out.shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    gs = mod.autograd.grad(out, leaves, to_cresset(g) if mod is cresset else g,
                           create_graph=create_graph)
    return out, gs, leaves


GRAD_CASES = [
    ("LinalgDetBackward0", lambda m, a: m.linalg.det(a), [(2, 4, 4)]),
    ("LinalgDetBackward0", lambda m, a: a.det(), [(3, 3)]),
    ("LinalgSlogdetBackward0", lambda m, a: m.linalg.slogdet(a).logabsdet, [(2, 3, 3)]),
    ("LinalgSlogdetBackward0", lambda m, a: m.slogdet(a)[1], [(4, 4)]),
    ("WhereBackward0", lambda m, a: m.logdet(a), [(2, 3, 3)]),
    ("LinalgInvExBackward0", lambda m, a: m.linalg.inv(a), [(2, 4, 4)]),
    ("LinalgInvExBackward0", lambda m, a: m.linalg.inv_ex(a).inverse, [(3, 3)]),
    ("LinalgInvExBackward0", lambda m, a: a.inverse(), [(3, 3)]),
    ("LinalgSolveExBackward0", lambda m, a, b: m.linalg.solve(a, b), [(2, 3, 3), (3,)]),
    ("LinalgSolveExBackward0", lambda m, a, b: m.linalg.solve(a, b), [(3, 3), (2, 3, 4)]),
    ("LinalgSolveExBackward0", lambda m, a, b: m.linalg.solve(a, b, left=False),
     [(2, 3, 3), (1, 5, 3)]),
    ("LinalgSolveExBackward0", lambda m, a, b: m.linalg.solve_ex(a, b).result, [(3, 3), (3, 2)]),
    ("LinalgLuFactorExBackward0", lambda m, a: m.linalg.lu_factor(a).LU, [(2, 4, 4)]),
    ("LinalgLuFactorExBackward0", lambda m, a: m.linalg.lu_factor(a).LU, [(2, 5, 3)]),
    ("LinalgLuFactorExBackward0", lambda m, a: m.linalg.lu_factor_ex(a).LU, [(3, 6)]),
]


@pytest.mark.parametrize("name,fn,shapes", GRAD_CASES)
def test_backward_matches_torch(name, fn, shapes):
    tensors = [well_conditioned(*s, seed=i) if len(s) > 1 and s[-1] == s[-2] and i == 0
               else torch.randn(*s, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
               for i, s in enumerate(shapes)]
    ours_out, ours, _ = grads(cresset, fn, *tensors)
    theirs_out, theirs, _ = grads(torch, fn, *tensors)
    assert ours_out.grad_fn.name() == theirs_out.grad_fn.name() == name
    assert_same(ours, theirs, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("fn,shapes", [
    (lambda m, a: m.linalg.det(a), [(3, 3)]),
    (lambda m, a: m.linalg.slogdet(a)[1], [(2, 3, 3)]),
    (lambda m, a: m.linalg.inv(a), [(3, 3)]),
    (lambda m, a, b: m.linalg.solve(a, b), [(2, 3, 3), (3, 2)]),
    (lambda m, a, b: m.linalg.solve(a, b, left=False), [(3, 3), (2, 3)]),
    (lambda m, a: m.logdet(a), [(3, 3)]),
    (lambda m, a: m.linalg.lu_factor(a).LU, [(3, 3)]),
    (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False), [(3, 3), (3, 2)]),
    (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, left=False,
                                               unitriangular=True), [(3, 3), (2, 3)]),
])
def test_double_backward_matches_torch(fn, shapes):
    tensors = [well_conditioned(*s, seed=i) if i == 0 else
               torch.randn(*s, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
               for i, s in enumerate(shapes)]
    results = []
    for mod in (cresset, torch):
        _, gs, leaves = grads(mod, fn, *tensors, create_graph=True)
        total = sum((g * g).sum() for g in gs)
        results.append(mod.autograd.grad(total, leaves))
    assert_same(results[0], results[1], rtol=1e-8, atol=1e-8)


def test_gradcheck_float64():
    A = to_cresset(well_conditioned(3, 3)).requires_grad_()
    B = to_cresset(torch.randn(3, 2, dtype=torch.float64)).requires_grad_()
    for fn, inputs in [(lambda a: cresset.linalg.det(a), (A,)),
                       (lambda a: cresset.linalg.inv(a), (A,)),
                       (lambda a, b: cresset.linalg.solve(a, b), (A, B))]:
        assert cresset.autograd.gradcheck(fn, inputs)


SINGULAR = torch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])


def test_singular_inverse_raises_linalg_error():
    assert issubclass(cresset.linalg.LinAlgError, RuntimeError)
    for name in ("inv", "inv_ex_checked", "inverse"):
        fn = {"inv": lambda m, a: m.linalg.inv(a), "inverse": lambda m, a: m.inverse(a),
              "inv_ex_checked": lambda m, a: m.linalg.inv_ex(a, check_errors=True)}[name]
        for a in (SINGULAR, torch.stack([torch.eye(3), SINGULAR])):
            with pytest.raises(torch.linalg.LinAlgError) as theirs:
                fn(torch, a)
            with pytest.raises(cresset.linalg.LinAlgError) as ours:
                fn(cresset, to_cresset(a))
            assert str(theirs.value) in str(ours.value)


def test_singular_solve_and_lu_factor_raise():
    batch = torch.stack([torch.eye(3), SINGULAR])
    for a in (SINGULAR, batch):
        with pytest.raises(torch.linalg.LinAlgError) as theirs:
            torch.linalg.solve(a, torch.ones(3))
        with pytest.raises(cresset.linalg.LinAlgError) as ours:
            cresset.linalg.solve(to_cresset(a), cresset.ones(3))
        assert str(theirs.value) in str(ours.value)
    with pytest.raises(RuntimeError) as theirs:
        torch.linalg.lu_factor(SINGULAR)
    with pytest.raises(RuntimeError) as ours:
        cresset.linalg.lu_factor(to_cresset(SINGULAR))
    assert str(theirs.value) in str(ours.value)
    assert not isinstance(ours.value, cresset.linalg.LinAlgError)


def test_singular_ex_variants_report_info():
    batch = torch.stack([torch.eye(3), SINGULAR, torch.zeros(3, 3)])
    ours, theirs = both(lambda m, a: m.linalg.inv_ex(a).info, batch)
    assert_same(ours, theirs)
    ours, theirs = both(lambda m, a: m.linalg.solve_ex(a, m.ones(3)).info, batch)
    assert_same(ours, theirs)
    ours, theirs = both(lambda m, a: m.linalg.lu_factor_ex(a).info, batch)
    assert_same(ours, theirs)


def test_singular_det_and_slogdet():
    exact = torch.tensor([[[1., 2.], [2., 4.]], [[0., 0.], [0., 0.]], [[2., 1.], [1., 3.]]])
    assert_same(*both(lambda m, a: m.linalg.det(a), exact))
    # torch's derivative of det is 0 where det is exactly 0
    assert_same(grads(cresset, lambda m, a: m.linalg.det(a), exact.double())[1],
                grads(torch, lambda m, a: m.linalg.det(a), exact.double())[1])
    assert_same(*both(lambda m, a: tuple(m.linalg.slogdet(a)), exact))
    assert_same(*both(lambda m, a: m.logdet(a), exact))
    assert_same(*both(lambda m, a: m.logdet(a), -torch.eye(3)))  # det < 0: NaN


@pytest.mark.parametrize("fn", [
    lambda m, a: m.linalg.det(a), lambda m, a: m.linalg.slogdet(a), lambda m, a: m.logdet(a),
    lambda m, a: m.linalg.inv(a), lambda m, a: m.linalg.inv_ex(a),
    lambda m, a: m.linalg.solve(a, m.ones(a.shape[-1])), lambda m, a: m.linalg.lu_factor(a),
])
@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3, 3)])
def test_empty(fn, shape):
    A = torch.ones(*shape)
    ours, theirs = both(fn, A)
    assert_same(tuple(ours) if isinstance(theirs, tuple) else ours,
                tuple(theirs) if isinstance(theirs, tuple) else theirs)


ERROR_CASES = [
    (RuntimeError, lambda m: m.linalg.inv(m.ones(2, 3))),
    (RuntimeError, lambda m: m.linalg.det(m.ones(3))),
    (RuntimeError, lambda m: m.logdet(m.ones(2, 3))),
    (RuntimeError, lambda m: m.linalg.det(m.eye(3, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.inv(m.eye(3, dtype=m.int32))),
    (RuntimeError, lambda m: m.linalg.inv(m.eye(3, dtype=m.float16))),
    (NotImplementedError, lambda m: m.linalg.det(m.eye(3, dtype=m.float16))),
    (NotImplementedError, lambda m: m.linalg.lu_factor(m.eye(3, dtype=m.int64))),
    (RuntimeError, lambda m: m.linalg.lu_factor(m.ones(3))),
    (RuntimeError, lambda m: m.linalg.lu_factor(m.eye(3), pivot=False)),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64))),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3), m.ones(4))),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3), m.ones(2, 3))),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3), m.ones(3), left=False)),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3).expand(2, 3, 3), m.ones(3, 3, 2))),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(3), m.tensor(1.))),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(1), m.ones(1), left=False)),
    (RuntimeError, lambda m: m.linalg.solve(m.eye(4).expand(5, 2, 4, 4), m.ones(2, 4))),
    (RuntimeError, lambda m: m.linalg.inv(m.eye(3, requires_grad=True), out=m.empty(3, 3))),
]


@pytest.mark.parametrize("exc,fn", ERROR_CASES)
def test_errors(exc, fn):
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))


def test_error_messages():
    for fn in (lambda m: m.linalg.inv(m.ones(2, 3)),
               lambda m: m.linalg.solve(m.eye(3), m.ones(4)),
               lambda m: m.linalg.det(m.eye(3, dtype=m.int64))):
        with pytest.raises(RuntimeError) as theirs:
            fn(torch)
        with pytest.raises(RuntimeError) as ours:
            fn(cresset)
        assert str(theirs.value) in str(ours.value)


def test_out():
    A = well_conditioned(2, 3, 3, dtype=torch.float32)
    a = to_cresset(A)
    out = cresset.empty(0)
    assert cresset.linalg.inv(a, out=out) is out
    assert_same(out, torch.linalg.inv(A), **TOL["float32"])
    out = cresset.empty(2)
    assert cresset.linalg.det(a, out=out) is out
    assert_same(out, torch.linalg.det(A), rtol=1e-4)
    sign, logabs = cresset.empty(0), cresset.empty(0)
    r = cresset.linalg.slogdet(a, out=(sign, logabs))
    assert r.sign is sign and r.logabsdet is logabs
    assert_same((sign, logabs), tuple(torch.linalg.slogdet(A)), **TOL["float32"])
    x = cresset.empty(0)
    assert cresset.linalg.solve(a, cresset.ones(3), out=x) is x
    assert_same(x, torch.linalg.solve(A, torch.ones(3)), **TOL["float32"])
    assert_raises_like(RuntimeError, lambda: cresset.linalg.inv(a, out=cresset.empty(0, dtype=cresset.float64)),
                       lambda: torch.linalg.inv(A, out=torch.empty(0, dtype=torch.float64)))


def test_return_type_reprs():
    r = cresset.linalg.slogdet(cresset.eye(2))
    assert repr(r).startswith("torch.return_types.linalg_slogdet(\nsign=")
    assert type(cresset.slogdet(cresset.eye(2))).__name__ == "slogdet"
    assert cresset.linalg.inv_ex(cresset.eye(2))._fields == ("inverse", "info")
    assert cresset.linalg.lu_factor_ex(cresset.eye(2))._fields == ("LU", "pivots", "info")
    assert cresset.linalg.inv_ex(cresset.eye(2)).info.dtype == cresset.int32


LU_SOLVE_CASES = [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 3)), ((4, 4), (5, 4, 4)),
                  ((2, 1, 3, 3), (4, 3, 3)), ((50, 50), (50, 7))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("a_shape,b_shape", LU_SOLVE_CASES)
def test_lu_solve(a_shape, b_shape, left, adjoint, dtype):
    dt = getattr(torch, dtype)
    A = torch.randn(*a_shape, generator=torch.Generator().manual_seed(8), dtype=dt)
    B = torch.randn(*b_shape, generator=torch.Generator().manual_seed(9), dtype=dt)
    if not left:
        B = B.mT
    LU, piv = torch.linalg.lu_factor(A)
    ours, theirs = both(lambda m, lu, p, b: m.linalg.lu_solve(lu, p, b, left=left, adjoint=adjoint),
                        LU, piv, B)
    assert_same(ours, theirs, rtol=1e-3 if dtype == "float32" else 1e-9, atol=1e-4)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve_backward_and_double_backward(left, adjoint):
    A = well_conditioned(2, 3, 3)
    B = torch.randn(1, 3, 3, generator=torch.Generator().manual_seed(4), dtype=torch.float64)

    def fn(m, a, b):
        lu, piv = m.linalg.lu_factor(a)
        return m.linalg.lu_solve(lu, piv, b, left=left, adjoint=adjoint)
    ours_out, ours, _ = grads(cresset, fn, A, B)
    theirs_out, theirs, _ = grads(torch, fn, A, B)
    assert ours_out.grad_fn.name() == theirs_out.grad_fn.name() == "LinalgLuSolveBackward0"
    assert_same(ours, theirs, rtol=1e-9, atol=1e-9)
    results = []
    for mod in (cresset, torch):
        _, gs, leaves = grads(mod, fn, A, B, create_graph=True)
        results.append(mod.autograd.grad(sum((g * g).sum() for g in gs), leaves))
    assert_same(results[0], results[1], rtol=1e-8, atol=1e-8)


LU_SOLVE_ERRORS = [
    lambda m, lu, p: m.linalg.lu_solve(lu, p, m.ones(3, 2)),
    lambda m, lu, p: m.linalg.lu_solve(lu, p, m.ones(4, 2, dtype=m.float64)),
    lambda m, lu, p: m.linalg.lu_solve(lu, p.long(), m.ones(3, 2, dtype=m.float64)),
    lambda m, lu, p: m.linalg.lu_solve(lu, p[:2], m.ones(3, 2, dtype=m.float64)),
    lambda m, lu, p: m.linalg.lu_solve(lu[:2], p, m.ones(3, 2, dtype=m.float64)),
    lambda m, lu, p: m.linalg.lu_solve(lu, p, m.ones(3, 2, dtype=m.float64), left=False),
    lambda m, lu, p: m.linalg.lu_solve(lu, p + 5, m.ones(3, 2, dtype=m.float64)),
    lambda m, lu, p: m.linalg.lu_solve(lu.int(), p, m.ones(3, 2, dtype=m.int32)),
]


@pytest.mark.parametrize("fn", LU_SOLVE_ERRORS)
def test_lu_solve_errors(fn):
    LU, piv = torch.linalg.lu_factor(well_conditioned(3, 3))
    assert_raises_like(RuntimeError, lambda: fn(cresset, to_cresset(LU), to_cresset(piv)),
                       lambda: fn(torch, LU, piv))


def test_lu_solve_rejects_pivots_below_one():
    lu, piv = cresset.linalg.lu_factor(cresset.eye(3))
    with pytest.raises(RuntimeError, match="Pivots given to lu_solve"):
        cresset.linalg.lu_solve(lu, piv - 3, cresset.ones(3, 1))


def test_linalg_matrix_power_negative():
    A = well_conditioned(2, 3, 3)
    assert_same(*both(lambda m, a: m.linalg.matrix_power(a, -2), A), rtol=1e-10, atol=1e-10)
    ours, theirs = grads(cresset, lambda m, a: m.linalg.matrix_power(a, -1), A)[0], \
        grads(torch, lambda m, a: m.linalg.matrix_power(a, -1), A)[0]
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "LinalgInvExBackward0"
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.matrix_power(SINGULAR, -1)
    with pytest.raises(cresset.linalg.LinAlgError):
        cresset.linalg.matrix_power(to_cresset(SINGULAR), -1)


# 70 and 200 rows recurse (halves at multiples of 32: 64 + 6; 128 + 72, then 64 + 8); 300
# right-hand sides split across threads.
TRI_CASES = [((4, 4), (4, 3)), ((2, 5, 5), (2, 5, 2)), ((2, 1, 3, 3), (4, 3, 3)),
             ((70, 70), (70, 40)), ((200, 200), (200, 300))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper,left,unit", [(True, True, False), (False, True, True),
                                             (True, False, True), (False, False, False)])
@pytest.mark.parametrize("a_shape,b_shape", TRI_CASES)
def test_solve_triangular(a_shape, b_shape, upper, left, unit, dtype):
    dt = getattr(torch, dtype)
    # small off-diagonal entries: a unit triangle of N(0, 1) entries is badly conditioned
    A = (0.1 * torch.randn(*a_shape, generator=torch.Generator().manual_seed(2)) +
         torch.eye(a_shape[-1])).to(dt)
    B = torch.randn(*b_shape, generator=torch.Generator().manual_seed(3), dtype=dt)
    if not left:
        B = B.mT
    fn = lambda m, a, b: m.linalg.solve_triangular(a, b, upper=upper, left=left,  # noqa: E731
                                                   unitriangular=unit)
    assert_same(*both(fn, A, B), rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-5)
    if dtype == "float64" and a_shape[-1] < 10:
        ours_out, ours, _ = grads(cresset, fn, A, B)
        theirs_out, theirs, _ = grads(torch, fn, A, B)
        assert ours_out.grad_fn.name() == theirs_out.grad_fn.name()
        assert_same(ours, theirs, rtol=1e-9, atol=1e-9)


def test_solve_triangular_dtypes_and_errors():
    # the result takes A's dtype
    ours, theirs = both(lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
                        well_conditioned(3, 3, dtype=torch.float32), torch.ones(3, 2,
                                                                                 dtype=torch.float64))
    assert_same(ours, theirs)
    zeros = torch.zeros(2, 2)
    assert_same(*both(lambda m, a: m.linalg.solve_triangular(a, m.ones(2, 1), upper=True), zeros))
    for exc, fn in [
        (RuntimeError, lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3), upper=True)),
        (RuntimeError, lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(4, 2), upper=True)),
        (RuntimeError, lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 2), upper=True,
                                                           left=False)),
        (RuntimeError, lambda m: m.linalg.solve_triangular(m.ones(2, 3), m.ones(2, 2), upper=True)),
        (NotImplementedError, lambda m: m.linalg.solve_triangular(
            m.eye(3, dtype=m.int32), m.ones(3, 2, dtype=m.int32), upper=True)),
        (TypeError, lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 2))),
    ]:
        assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))
