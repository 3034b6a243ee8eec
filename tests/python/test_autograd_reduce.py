"""Derivatives of the reduce family (reductions, scans, sorting) against torch: node names,
gradients over dims / keepdim / layouts / ties / zeros, finite differences, double backward."""
# ruff: noqa: B023  (the lambdas given to check() run before their loop variables change)
import math

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

INF = float("inf")


def make(shape, dtype=torch.float64, layout="contiguous", kind="randn", seed=0):
    """A torch tensor of `shape`: random normal, small integers (ties), with zeros or NaNs, laid
    out contiguously, transposed (last two dims), or as a stepped slice."""
    gen = torch.Generator().manual_seed(seed)
    full = list(shape)
    if layout == "transposed":
        full[-2:] = full[-2:][::-1]
    elif layout == "stepped":
        full[-1] *= 2
    if kind == "ties":
        t = torch.randint(-2, 3, full, generator=gen).to(dtype)
    else:
        t = torch.randn(full, generator=gen, dtype=torch.float64)
        if kind == "zeros":
            t[t.abs() < 0.5] = 0
        elif kind == "nan":
            t[t > 0.8] = math.nan
        t = t.to(dtype)
    if layout == "transposed":
        t = t.transpose(-1, -2)
    elif layout == "stepped":
        t = t[..., ::2]
    return t


def leaves(t):
    """The same values as torch and cresset leaves that require grad (layout kept)."""
    theirs = t.detach().clone() if t.is_contiguous() else t.detach()
    return to_cresset(theirs).requires_grad_(), theirs.requires_grad_()


def float_outputs(y):
    ys = list(y) if isinstance(y, tuple) else [y]
    return [o for o in ys if o.is_floating_point()]


def run_both(fn, t, seed=1):
    """Runs fn on both libraries, backpropagates fixed random gradients through every floating
    output, and returns ((outputs, grad) ours, (outputs, grad) theirs)."""
    ours_x, theirs_x = leaves(t)
    results = []
    for lib, x in ((cresset, ours_x), (torch, theirs_x)):
        outs = float_outputs(fn(lib, x))
        gen = torch.Generator().manual_seed(seed)
        loss = None
        for o in outs:
            g = torch.randn(tuple(o.shape), generator=gen, dtype=torch.float64).to(t.dtype)
            term = (o * (to_cresset(g) if lib is cresset else g)).sum()
            loss = term if loss is None else loss + term
        loss.backward()
        results.append((outs, x.grad))
    return results[0], results[1]


def check(fn, t, *, rtol=None, atol=None):
    (ours, ours_grad), (theirs, theirs_grad) = run_both(fn, t)
    assert len(ours) == len(theirs)
    for o, th in zip(ours, theirs):
        assert o.requires_grad and o.grad_fn.name() == th.grad_fn.name()
        assert_same(o.detach(), th.detach(), rtol=rtol, atol=atol)
    if theirs_grad is None:
        assert ours_grad is None
    else:
        assert_same(ours_grad, theirs_grad, rtol=rtol, atol=atol)


LAYOUTS = ["contiguous", "transposed", "stepped"]
DTYPES = [torch.float32, torch.float64]


# ---- sums and means ----

@pytest.mark.parametrize("op", ["sum", "nansum", "mean", "nanmean"])
@pytest.mark.parametrize("dim", [None, 1, -1, (0, 2), ()])
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_like(op, dim, keepdim):
    t = make((3, 4, 5), kind="nan" if op.startswith("nan") else "randn")
    if dim is None:
        check(lambda lib, x: getattr(lib, op)(x), t)
    else:
        check(lambda lib, x: getattr(lib, op)(x, dim, keepdim=keepdim), t)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_like_layouts_and_dtypes(layout, dtype):
    t = make((4, 6), dtype, layout, kind="nan")
    for op in ("nansum", "nanmean"):
        check(lambda lib, x: getattr(lib, op)(x, 0), t)
    check(lambda lib, x: x.sum(1, dtype=lib.float64), make((4, 6), dtype, layout))


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("kind", ["randn", "zeros"])
def test_prod(dim, keepdim, kind):
    t = make((4, 5), kind=kind, seed=3)
    t[0] = torch.tensor([0.0, 1.5, 2.0, 0.0, -1.0])  # two zeros in a row
    t[1] = torch.tensor([1.0, 0.0, -2.0, 0.5, 3.0])  # one zero
    if kind == "randn":
        t = make((4, 5), seed=3)
    if dim is None:
        check(lambda lib, x: x.prod(), t)
    else:
        check(lambda lib, x: x.prod(dim, keepdim=keepdim), t)


def test_prod_single_zero_everywhere_and_layouts():
    t = torch.tensor([[2.0, 0.0, 3.0], [1.5, -1.0, 2.0]], dtype=torch.float64)
    check(lambda lib, x: x.prod(), t)  # one zero: only it gets a gradient
    for layout in LAYOUTS:
        check(lambda lib, x: x.prod(0), make((3, 4), layout=layout, kind="zeros", seed=5))
    check(lambda lib, x: x.prod(1, dtype=lib.float64), make((3, 4), torch.float32, kind="zeros"))


# ---- max / min / amax / amin / aminmax ----

@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_min_all_split_ties(op, layout):
    t = make((4, 5), layout=layout, kind="ties", seed=7)
    check(lambda lib, x: getattr(lib, op)(x), t)
    check(lambda lib, x: getattr(x, op)(), make((4, 5), layout=layout))


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim(op, dim, keepdim):
    for kind in ("randn", "ties"):
        check(lambda lib, x: getattr(lib, op)(x, dim, keepdim), make((3, 4, 5), kind=kind))
    values, indices = cresset.max(leaves(make((3, 4)))[0], 1)
    assert values.requires_grad and not indices.requires_grad


@pytest.mark.parametrize("op", ["amax", "amin"])
@pytest.mark.parametrize("dim", [(), 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin_split_ties(op, dim, keepdim):
    check(lambda lib, x: getattr(lib, op)(x, dim, keepdim), make((3, 4, 5), kind="ties", seed=2))


@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax(dim, keepdim):
    for layout in LAYOUTS:
        t = make((4, 6), layout=layout, kind="ties", seed=4)
        check(lambda lib, x: lib.aminmax(x, dim=dim, keepdim=keepdim), t)
    # a gradient through one output only
    x, tx = leaves(make((4, 6), kind="ties"))
    cresset.aminmax(x, dim=dim).max.sum().backward()
    torch.aminmax(tx, dim=dim).max.sum().backward()
    assert_same(x.grad, tx.grad)


# ---- var / std ----

@pytest.mark.parametrize("op", ["var", "std", "var_mean", "std_mean"])
@pytest.mark.parametrize("dim", [None, 1, -1, (0, 2)])
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("keepdim", [False, True])
def test_var_std(op, dim, correction, keepdim):
    t = make((3, 4, 5))
    check(lambda lib, x: getattr(lib, op)(x, dim, correction=correction, keepdim=keepdim), t)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std_layouts_dtypes_and_edges(layout, dtype):
    t = make((4, 6), dtype, layout)
    for op in ("var", "std", "var_mean", "std_mean"):
        check(lambda lib, x: getattr(lib, op)(x, 0), t)
        check(lambda lib, x: getattr(lib, op)(x, unbiased=False), t)
    const = torch.full((2, 3), 1.5, dtype=dtype)
    check(lambda lib, x: x.std(1), const)  # std 0: gradient 0
    check(lambda lib, x: x.var(), torch.tensor([2.0], dtype=dtype))  # dof 0: NaN
    check(lambda lib, x: x.var(0), torch.tensor([2.0, 3.0], dtype=dtype).reshape(1, 2))


# ---- norms, logsumexp ----

@pytest.mark.parametrize("p", [2, 1, INF, -INF, 0, 3, 0.5, 1.5, "fro"])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm(p, dim, keepdim):
    t = make((3, 4), kind="ties" if p in (INF, -INF) else "randn", seed=6)
    if p == 0.5:
        t[0, 1] = 0  # p < 1 at a zero element
    check(lambda lib, x: lib.norm(x, p, dim, keepdim), t)


@pytest.mark.parametrize("p", [2, 1.5, 3, 0.5, INF])
def test_norm_zero_vector_and_layouts(p):
    check(lambda lib, x: x.norm(p), torch.zeros(4, dtype=torch.float64))
    check(lambda lib, x: x.norm(p, dim=1), torch.tensor([[0.0, 0.0], [3.0, -4.0]]))
    for layout in LAYOUTS:
        check(lambda lib, x: x.norm(p, dim=0), make((3, 4), torch.float32, layout))
    check(lambda lib, x: x.norm(p, dtype=lib.float64), make((3, 4), torch.float32))


def test_norm_zero_order_gives_no_gradient():
    x, tx = leaves(make((3, 4)))
    y, ty = cresset.norm(x, 0), torch.norm(tx, 0)
    assert y.grad_fn.name() == ty.grad_fn.name() == "LinalgVectorNormBackward0"
    y.backward()
    ty.backward()
    assert x.grad is None and tx.grad is None


@pytest.mark.parametrize("dim", [1, -1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp(dim, keepdim, dtype):
    check(lambda lib, x: lib.logsumexp(x, dim, keepdim), make((3, 4, 5), dtype))
    t = make((3, 4), dtype, "transposed")
    t[0, 0] = -INF
    check(lambda lib, x: x.logsumexp(1), t)


# ---- cumulative ----

@pytest.mark.parametrize("op", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_cumulative(op, dim, layout):
    kind = {"cumprod": "zeros", "cummax": "ties", "cummin": "ties"}.get(op, "randn")
    t = make((4, 5), layout=layout, kind=kind, seed=8)
    check(lambda lib, x: getattr(lib, op)(x, dim), t)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cumprod_zero_patterns(dtype):
    rows = [[2.0, 0.0, 3.0, 0.5, 0.0, 2.0], [0.0, 1.5, 2.0, 0.0, 3.0, 1.0],
            [1.0, 2.0, 0.5, 3.0, -1.0, 0.0], [0.0, 0.0, 2.0, 1.0, 3.0, 4.0],
            [1.5, -2.0, 0.5, 3.0, -1.0, 2.0]]
    t = torch.tensor(rows, dtype=dtype)
    check(lambda lib, x: x.cumprod(1), t)
    check(lambda lib, x: x.cumprod(0), t)
    check(lambda lib, x: x.cumsum(1, dtype=lib.float64), t)


def test_cumulative_in_place():
    for op in ("cumsum_", "cumprod_"):
        check(lambda lib, x: getattr(x * 1, op)(1), make((3, 4), kind="zeros"))
        x, tx = leaves(make((3, 4)))
        for leaf in (x, tx):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
                getattr(leaf, op)(1)
        with cresset.no_grad():
            getattr(x, op)(1)  # no recording: allowed


# ---- sorting and selection ----

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_topk_select(layout, dim):
    t = make((4, 6), layout=layout, seed=9)
    check(lambda lib, x: lib.sort(x, dim), t)
    check(lambda lib, x: lib.sort(x, dim=dim, descending=True, stable=True), t)
    check(lambda lib, x: lib.topk(x, 3, dim), t)
    check(lambda lib, x: lib.topk(x, 2, dim, largest=False), t)
    for keepdim in (False, True):
        check(lambda lib, x: lib.kthvalue(x, 2, dim, keepdim), t)
        check(lambda lib, x: lib.median(x, dim, keepdim), t)
        check(lambda lib, x: lib.mode(x, dim, keepdim), make((4, 6), layout=layout, kind="ties"))
        check(lambda lib, x: lib.nanmedian(x, dim, keepdim), make((4, 6), layout=layout,
                                                                  kind="nan"))
    check(lambda lib, x: lib.msort(x), t)
    check(lambda lib, x: x.msort(), t)


def test_median_all_splits_ties():
    check(lambda lib, x: x.median(), make((4, 5), kind="ties", seed=11))
    check(lambda lib, x: x.nanmedian(), make((4, 5), kind="nan"))
    check(lambda lib, x: x.median(), make((3, 5), torch.float32, "transposed"))


# ---- 0-dim and empty inputs ----

def test_zero_dim_and_empty():
    s = torch.tensor(1.5, dtype=torch.float64)
    for fn in (lambda lib, x: x.sum(), lambda lib, x: x.prod(0), lambda lib, x: x.max(),
               lambda lib, x: x.amax(), lambda lib, x: lib.max(x, 0),
               lambda lib, x: x.sort(), lambda lib, x: x.topk(1), lambda lib, x: x.cumsum(0),
               lambda lib, x: x.cumprod(0), lambda lib, x: x.cummax(0),
               lambda lib, x: x.logcumsumexp(0), lambda lib, x: x.logsumexp(0),
               lambda lib, x: x.norm(), lambda lib, x: x.kthvalue(1), lambda lib, x: x.median(),
               lambda lib, x: x.var(correction=0), lambda lib, x: x.mean()):
        check(fn, s)
    e = torch.zeros(0, 3, dtype=torch.float64)
    for fn in (lambda lib, x: x.sum(0), lambda lib, x: x.prod(0), lambda lib, x: x.prod(),
               lambda lib, x: x.mean(1), lambda lib, x: x.cumsum(0), lambda lib, x: x.cumprod(1),
               lambda lib, x: x.sort(0), lambda lib, x: x.norm(dim=0),
               lambda lib, x: x.logsumexp(0), lambda lib, x: x.amax(1), lambda lib, x: x.max(1)):
        check(fn, e)


# ---- what is never differentiable ----

def test_integer_outputs_record_nothing():
    x = leaves(make((3, 4), kind="ties"))[0]
    for y in (x.argmax(), x.argmin(1), x.argsort(1), x.all(), x.any(1), x.count_nonzero(),
              x.unique(), x.histc(4), x.sort(1).indices, x.topk(2).indices, x.cummax(0).indices,
              x.kthvalue(2).indices, x.mode().indices, x.max(1).indices, x.aminmax().min.long()):
        assert not y.requires_grad and y.grad_fn is None


def test_integral_dtype_with_grad_raises():
    x, tx = leaves(make((3, 4)))
    for lib, leaf in ((cresset, x), (torch, tx)):
        for fn in (lambda: leaf.sum(dtype=lib.int64), lambda: leaf.nansum(1, dtype=lib.int32),
                   lambda: leaf.prod(dtype=lib.int64), lambda: leaf.cumsum(0, dtype=lib.int64),
                   lambda: leaf.cumprod(1, dtype=lib.int16)):
            with pytest.raises(RuntimeError, match="Autograd not support dtype"):
                fn()


OUT_CASES = [
    ("sum", lambda lib, x, o, i: lib.sum(x, 1, out=o)),
    ("nansum", lambda lib, x, o, i: lib.nansum(x, 1, out=o)),
    ("mean", lambda lib, x, o, i: lib.mean(x, 1, out=o)),
    ("nansum", lambda lib, x, o, i: lib.nanmean(x, 1, out=o)),
    ("prod", lambda lib, x, o, i: lib.prod(x, 1, out=o)),
    ("max", lambda lib, x, o, i: lib.max(x, 1, out=(o, i))),
    ("amax", lambda lib, x, o, i: lib.amax(x, 1, out=o)),
    ("aminmax", lambda lib, x, o, i: lib.aminmax(x, dim=1, out=(o, o * 1))),
    ("var", lambda lib, x, o, i: lib.var(x, 1, out=o)),
    ("std", lambda lib, x, o, i: lib.std(x, 1, out=o)),
    ("linalg_vector_norm", lambda lib, x, o, i: lib.norm(x, dim=1, out=o)),
    ("logsumexp", lambda lib, x, o, i: lib.logsumexp(x, 1, out=o)),
    ("cumsum", lambda lib, x, o, i: lib.cumsum(x, 1, out=o)),
    ("cumprod", lambda lib, x, o, i: lib.cumprod(x, 1, out=o)),
    ("cummin", lambda lib, x, o, i: lib.cummin(x, 1, out=(o, i))),
    ("logcumsumexp", lambda lib, x, o, i: lib.logcumsumexp(x, 1, out=o)),
    ("sort", lambda lib, x, o, i: lib.sort(x, 1, out=(o, i))),
    ("topk", lambda lib, x, o, i: lib.topk(x, 2, out=(o, i))),
    ("kthvalue", lambda lib, x, o, i: lib.kthvalue(x, 2, out=(o, i))),
    ("median", lambda lib, x, o, i: lib.median(x, 1, out=(o, i))),
    ("nanmedian", lambda lib, x, o, i: lib.nanmedian(x, 1, out=(o, i))),
    ("mode", lambda lib, x, o, i: lib.mode(x, 1, out=(o, i))),
]


@pytest.mark.parametrize("name,fn", OUT_CASES)
def test_out_with_grad_raises(name, fn):
    x, tx = leaves(make((3, 4)))
    message = f"{name}\\(\\): functions with out=... arguments don't support automatic"
    for lib, leaf in ((cresset, x), (torch, tx)):
        o, i = lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.int64)
        with pytest.raises(RuntimeError, match=message):
            fn(lib, leaf, o, i)
    with cresset.no_grad():
        fn(cresset, x, cresset.empty(0, dtype=cresset.float64), cresset.empty(0, dtype=cresset.int64))


# ---- finite differences (float64) ----

def numerical_check(fn, t, eps=1e-6):
    """The Jacobian of fn's floating outputs at t from autograd (one backward per output
    element) against central differences, all in cresset."""
    x = to_cresset(t.contiguous()).requires_grad_()
    outs = float_outputs(fn(cresset, x))
    sizes = [o.numel() for o in outs]
    analytical = np.zeros((sum(sizes), t.numel()))
    row = 0
    for k, o in enumerate(outs):
        for j in range(o.numel()):
            grads = [cresset.zeros(list(q.shape), dtype=cresset.float64) for q in outs]
            onehot = np.zeros(o.numel())
            onehot[j] = 1
            grads[k] = cresset.tensor(onehot.reshape(tuple(o.shape)).tolist(),
                                      dtype=cresset.float64)
            (g,) = cresset.autograd.grad(outs, x, grads, retain_graph=True, allow_unused=True)
            if g is not None:
                analytical[row] = np.array(g.tolist()).reshape(-1)
            row += 1
    base = t.contiguous().reshape(-1)
    numerical = np.zeros_like(analytical)
    with cresset.no_grad():
        for i in range(t.numel()):
            cols = []
            for step in (eps, -eps):
                p = base.clone()
                p[i] += step
                ys = float_outputs(fn(cresset, to_cresset(p.reshape(t.shape))))
                cols.append(np.concatenate([np.array(y.tolist()).reshape(-1) for y in ys]))
            numerical[:, i] = (cols[0] - cols[1]) / (2 * eps)
    np.testing.assert_allclose(analytical, numerical, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.prod(1),
    lambda lib, x: x.prod(),
    lambda lib, x: x.cumprod(1),
    lambda lib, x: lib.var_mean(x, 1, correction=0),
    lambda lib, x: lib.std_mean(x, (0, 1)),
    lambda lib, x: x.norm(3, dim=1),
    lambda lib, x: x.norm(1.5),
    lambda lib, x: x.logsumexp((0, 1)),
    lambda lib, x: x.logcumsumexp(0),
    lambda lib, x: x.nanmean(0),
    lambda lib, x: x.sort(1, descending=True),
    lambda lib, x: x.topk(2, 0),
    lambda lib, x: x.cummin(1),
    lambda lib, x: lib.aminmax(x, dim=1),
])
def test_finite_differences(fn):
    t = make((3, 4), seed=12)
    t[1, 2] = 0  # a zero for prod / cumprod
    numerical_check(fn, t)


# ---- double backward ----

def double_backward(fn, t, seed=2):
    """dfn/dx . g recorded with create_graph, and d/dx of sum(v * it), in both libraries."""
    ours_x, theirs_x = leaves(t)
    grads = []
    for lib, x in ((cresset, ours_x), (torch, theirs_x)):
        outs = float_outputs(fn(lib, x))
        gen = torch.Generator().manual_seed(seed)
        gs = [torch.randn(tuple(o.shape), generator=gen, dtype=torch.float64) for o in outs]
        v = torch.randn(tuple(t.shape), generator=gen, dtype=torch.float64)
        if lib is cresset:
            gs, v = [to_cresset(g) for g in gs], to_cresset(v)
        (gx,) = lib.autograd.grad(outs, x, gs, create_graph=True)
        assert gx.requires_grad
        (gx * v).sum().backward()
        grads.append((gx.detach(), x.grad))
    assert_same(grads[0], grads[1])


@pytest.mark.parametrize("fn", [
    lambda lib, x: (x * x).sum(),
    lambda lib, x: (x * x * x).sum((0, 1), keepdim=True),
    lambda lib, x: x.exp().mean(1),
    lambda lib, x: (x * x).mean(),
    lambda lib, x: x.var(),
    lambda lib, x: x.var(1, correction=0),
    lambda lib, x: x.var((0, 1), keepdim=True),
    lambda lib, x: x.std(1, keepdim=True),
    lambda lib, x: lib.var_mean(x, 0, keepdim=True),
    lambda lib, x: x.logsumexp(1, keepdim=True),
    lambda lib, x: x.logsumexp((0, 1), keepdim=True),
    lambda lib, x: x.prod(),
    lambda lib, x: x.prod(1, keepdim=True),
    lambda lib, x: x.norm(keepdim=True, dim=(0, 1)),
    lambda lib, x: x.norm(3, dim=1, keepdim=True),
])
def test_double_backward(fn):
    double_backward(fn, make((3, 4), seed=13))


def test_cumprod_double_backward_with_zeros():
    # With zeros the recorded backward is the exact (division-free) formula.
    t = torch.tensor([[2.0, 0.0, 3.0, 0.5, 0.0], [1.5, 2.0, 0.0, -1.0, 3.0],
                      [0.5, -2.0, 1.5, 3.0, 0.0]], dtype=torch.float64)
    double_backward(lambda lib, x: x.cumprod(1), t)
    double_backward(lambda lib, x: x.cumprod(0), t)
    double_backward(lambda lib, x: x.cumprod(-1), make((2, 4, 3), kind="zeros"))
