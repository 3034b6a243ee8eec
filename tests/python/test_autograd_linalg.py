"""Autograd of the linalg family (products, einsum, tensordot, kron, cross, trace), softmax and
dtype conversions / fills / in-place samplers against torch: node names, gradients of every
input, finite differences and double backward."""
import math

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

DTYPES = ["float32", "float64"]


def rand(shape, dtype="float64", seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, dtype=getattr(torch, dtype), generator=g)


def layout(t, kind):
    """The same values as t in another memory layout."""
    if kind == "contiguous" or t.dim() < 2:
        return t
    if kind == "transposed":  # column-major storage
        return t.transpose(-1, -2).contiguous().transpose(-1, -2)
    if kind == "stepped":  # every other row and third column of a bigger tensor, at an offset
        big = torch.zeros(*t.shape[:-2], 2 * t.shape[-2] + 1, 3 * t.shape[-1] + 2, dtype=t.dtype)
        view = big[..., 1::2, 2::3][..., : t.shape[-2], : t.shape[-1]]
        view.copy_(t)
        return view
    raise ValueError(kind)


def close(ours, theirs, k=1):
    """Gradients are products too: float32 sums of k terms differ by rounding growing like
    sqrt(k) (see test_linalg.check); float64 keeps assert_same's defaults."""
    if theirs.dtype == torch.float32:
        s = max(1.0, math.sqrt(k))
        assert_same(ours, theirs, atol=1e-5 * s, rtol=1.3e-6 * s)
    else:
        assert_same(ours, theirs)


def run(fn, *inputs, k=1, seed=1, name=True, forward=True):
    """Runs fn(lib, *tensors) in torch and cresset on the same inputs (torch tensors of any
    layout; the floating ones require grad), then compares the outputs (unless random), the node
    name and, for a fixed random output gradient, the gradient of every input. Returns both
    outputs."""
    ts = [t.detach().requires_grad_(t.is_floating_point()) for t in inputs]
    cs = [to_cresset(t).requires_grad_(t.is_floating_point()) for t in inputs]
    out_t, out_c = fn(torch, *ts), fn(cresset, *cs)
    if forward:
        close(out_c, out_t, k)
    if name:
        assert out_c.grad_fn.name() == out_t.grad_fn.name()
    g = rand(tuple(out_t.shape), str(out_t.dtype).split(".")[-1], seed)
    want = [i for i, t in enumerate(ts) if t.requires_grad]
    gt = torch.autograd.grad(out_t, [ts[i] for i in want], g)
    gc = cresset.autograd.grad(out_c, [cs[i] for i in want], to_cresset(g))
    for a, b in zip(gc, gt):
        close(a, b, k * max(1, out_t.numel()))
    return out_c, out_t


# ---------------------------------------------------------------- matmul and the products

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)),
    ((2, 3), (5, 3, 4)), ((7, 5, 2, 3), (5, 3, 4)), ((7, 1, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)), ((1, 3), (5, 3, 4)), ((2, 3), (5, 3, 1)), ((2, 1, 2, 3), (1, 3, 3, 4)),
    ((0, 3), (3, 4)), ((2, 0), (0, 3)), ((4, 0, 3), (3, 2)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul(sa, sb, dtype):
    run(lambda lib, a, b: lib.matmul(a, b), rand(sa, dtype, 1), rand(sb, dtype, 2), k=sa[-1])


@pytest.mark.parametrize("kind", ["transposed", "stepped"])
@pytest.mark.parametrize("sa,sb", [((4, 3), (3, 5)), ((2, 4, 3), (2, 3, 5)), ((2, 4, 3), (3, 5)),
                                   ((4, 3), (2, 3, 5))])
def test_matmul_non_contiguous(sa, sb, kind):
    a, b = layout(rand(sa, "float32", 1), kind), layout(rand(sb, "float32", 2), kind)
    run(lambda lib, a, b: lib.matmul(a, b), a, b, k=3)
    run(lambda lib, a, b: a @ b, a, b, k=3)


def test_matmul_one_operand_requires_grad():
    # The node name depends on which operand requires grad (torch folds differently).
    for sa, sb in [((2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4))]:
        for which in (0, 1):
            ts = [rand(sa, seed=1), rand(sb, seed=2)]
            ts[which].requires_grad_()
            cs = [to_cresset(t.detach()) for t in ts]
            cs[which].requires_grad_()
            out_t, out_c = torch.matmul(*ts), cresset.matmul(*cs)
            assert out_c.grad_fn.name() == out_t.grad_fn.name()
            g = rand(tuple(out_t.shape), seed=3)
            (gt,) = torch.autograd.grad(out_t, ts[which], g)
            (gc,) = cresset.autograd.grad(out_c, cs[which], to_cresset(g))
            close(gc, gt)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["contiguous", "transposed", "stepped"])
def test_mm_bmm_mv(dtype, kind):
    def r(shape, seed):
        return layout(rand(shape, dtype, seed), kind)
    run(lambda lib, a, b: lib.mm(a, b), r((4, 3), 1), r((3, 5), 2), k=3)
    run(lambda lib, a, b: a.mm(b), r((1, 3), 1), r((3, 1), 2), k=3)
    run(lambda lib, a, b: lib.bmm(a, b), r((2, 4, 3), 1), r((2, 3, 5), 2), k=3)
    run(lambda lib, a, b: lib.mv(a, b), r((4, 3), 1), rand((3,), dtype, 2), k=3)
    run(lambda lib, a, b: lib.mv(a, b), r((4, 3), 1), rand((6,), dtype, 2)[::2], k=3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dot_vdot_inner_outer(dtype):
    a, b = rand((5,), dtype, 1), rand((10,), dtype, 2)[::2]
    run(lambda lib, a, b: lib.dot(a, b), a, b, k=5)
    run(lambda lib, a, b: lib.vdot(a, b), a, b, k=5)
    run(lambda lib, a, b: lib.inner(a, b), a, b, k=5)
    run(lambda lib, a, b: lib.inner(a, b), rand((2, 3), dtype, 1), rand((4, 3), dtype, 2), k=3)
    run(lambda lib, a, b: lib.inner(a, b), rand((2, 5, 3), dtype, 1),
        layout(rand((4, 3), dtype, 2), "transposed"), k=3)
    run(lambda lib, a, b: lib.inner(a, b), rand((), dtype, 1), rand((3,), dtype, 2))
    run(lambda lib, a, b: lib.outer(a, b), a, rand((3,), dtype, 2))
    run(lambda lib, a, b: lib.ger(a, b), b, rand((3,), dtype, 2))


def test_outer_mixed_dtypes():
    # outer promotes; each gradient comes back in its input's dtype.
    out_c, _ = run(lambda lib, a, b: lib.outer(a, b), rand((3,), "float32", 1),
                   rand((4,), "float64", 2))
    assert out_c.dtype == cresset.float64
    a = cresset.randn(3, requires_grad=True)
    cresset.outer(a, cresset.arange(4)).sum().backward()
    assert a.grad.dtype == cresset.float32 and a.grad.tolist() == [6.0] * 3


ADD_PRODUCTS = [
    ("addmm", (2, 4), (2, 3), (3, 4)), ("addmm", (4,), (2, 3), (3, 4)),
    ("addmm", (), (2, 3), (3, 4)), ("addmv", (2,), (2, 3), (3,)), ("addmv", (1,), (2, 3), (3,)),
    ("addr", (2, 3), (2,), (3,)), ("addr", (3,), (2,), (3,)),
    ("addbmm", (2, 4), (5, 2, 3), (5, 3, 4)), ("addbmm", (1, 4), (5, 2, 3), (5, 3, 4)),
    ("baddbmm", (5, 2, 4), (5, 2, 3), (5, 3, 4)), ("baddbmm", (2, 4), (5, 2, 3), (5, 3, 4)),
]


@pytest.mark.parametrize("op,si,sa,sb", ADD_PRODUCTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, -2), (0, 3)])
def test_add_products(op, si, sa, sb, dtype, beta, alpha):
    i, a, b = rand(si, dtype, 1), layout(rand(sa, dtype, 2), "transposed"), rand(sb, dtype, 3)
    run(lambda lib, i, a, b: getattr(lib, op)(i, a, b, beta=beta, alpha=alpha), i, a, b, k=15)


IN_PLACE_PRODUCTS = [("addmm_", (2, 4), (2, 3), (3, 4)), ("addmv_", (2,), (2, 3), (3,)),
                     ("addr_", (2, 4), (2,), (4,)), ("addbmm_", (2, 4), (5, 2, 3), (5, 3, 4)),
                     ("baddbmm_", (5, 2, 4), (5, 2, 3), (5, 3, 4))]


@pytest.mark.parametrize("op,si,sa,sb", IN_PLACE_PRODUCTS)
def test_add_products_in_place(op, si, sa, sb):
    # On a non-leaf the in-place form records the same node and rebases the history.
    run(lambda lib, i, a, b: getattr(i * 2, op)(a, b, beta=0.5, alpha=1.5),
        rand(si, seed=1), rand(sa, seed=2), rand(sb, seed=3), k=15)


def test_add_product_grad_only_for_input():
    # Only the added input requires grad: the matrices need not be saved.
    for lib in (cresset, torch):
        i = lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        a, b = lib.ones(2, 3, dtype=lib.float64), lib.ones(3, 4, dtype=lib.float64)
        y = lib.addmm(i, a, b, beta=2.5)
        a.add_(1)  # not saved: no version error
        y.sum().backward()
        assert i.grad.tolist() == [[2.5] * 4] * 2


# ---------------------------------------------------------------- contractions

EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("ii->", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij->ji", [(3, 4)]), ("ij", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]), ("ij->i", [(3, 4)]), ("ij->", [(3, 4)]), ("iij->j", [(3, 3, 2)]),
    ("i,i->", [(3,), (3,)]), ("ij,ij->ij", [(1, 4), (3, 4)]), ("ij,ij->i", [(3, 4), (3, 4)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 4)]), ("...ij,jk->...ik", [(2, 5, 2, 3), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ij,i->ij", [(3, 4), (3,)]), ("iji->j", [(2, 3, 2)]), ("ii,i->i", [(3, 3), (3,)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]), ("ab,cd->", [(2, 3), (4, 5)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUMS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_einsum(eq, shapes, dtype):
    ins = [layout(rand(s, dtype, i + 1), "transposed" if i == 0 else "contiguous")
           for i, s in enumerate(shapes)]
    run(lambda lib, *xs: lib.einsum(eq, *xs), *ins, k=6)


def test_einsum_same_operand_twice():
    run(lambda lib, a: lib.einsum("ij,jk->ik", a, a), rand((3, 3), seed=1))
    run(lambda lib, a: lib.einsum("i,i->", a, a), rand((4,), seed=1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensordot_kron(dtype):
    run(lambda lib, a, b: lib.tensordot(a, b, 2), rand((2, 3, 4), dtype, 1),
        rand((3, 4, 5), dtype, 2), k=12)
    run(lambda lib, a, b: lib.tensordot(a, b, ([0, 2], [2, 0])), rand((4, 3, 5), dtype, 1),
        layout(rand((5, 2, 4), dtype, 2), "transposed"), k=20)
    run(lambda lib, a, b: lib.tensordot(a, b, 0), rand((2,), dtype, 1), rand((3,), dtype, 2))
    run(lambda lib, a, b: lib.kron(a, b), rand((2, 3), dtype, 1), rand((3, 4), dtype, 2))
    run(lambda lib, a, b: lib.kron(a, b), rand((3,), dtype, 1), rand((2, 3), dtype, 2))
    run(lambda lib, a, b: lib.kron(a, b), layout(rand((2, 2, 3), dtype, 1), "stepped"),
        rand((3,), dtype, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_trace(dtype):
    run(lambda lib, a, b: lib.linalg.cross(a, b), rand((4, 3), dtype, 1), rand((4, 3), dtype, 2))
    run(lambda lib, a, b: lib.cross(a, b, dim=1), rand((4, 3), dtype, 1), rand((1, 3), dtype, 2))
    run(lambda lib, a, b: lib.linalg.cross(a, b, dim=0),
        layout(rand((3, 4), dtype, 1), "transposed"), rand((3, 1), dtype, 2))
    run(lambda lib, a: lib.trace(a), rand((3, 4), dtype, 1))
    run(lambda lib, a: lib.trace(a), layout(rand((4, 4), dtype, 1), "stepped"))


# ---------------------------------------------------------------- softmax

@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax(op, dtype):
    x = rand((3, 4, 5), dtype, 1)
    for dim in (0, 1, -1):
        run(lambda lib, x, d=dim: getattr(lib, op)(x, d), x)
        run(lambda lib, x, d=dim: getattr(x, op)(d), x.transpose(0, 2))
    run(lambda lib, x: getattr(lib, op)(x, 0), rand((), dtype, 1))
    run(lambda lib, x: getattr(lib, op)(x, 1), rand((0, 3), dtype, 1))
    run(lambda lib, x: getattr(lib, op)(x, 1), rand((4, 7), dtype, 1)[::2, 1::2])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_dtype_argument_is_recorded(op):
    # The cast is a node of its own (ToCopyBackward0); a same-dtype cast records nothing.
    for src, dst in [("float32", torch.float64), ("float64", torch.float32),
                     ("float32", torch.float32)]:
        out_c, _ = run(lambda lib, x, d=str(dst)[6:]: getattr(lib, op)(x, 1, dtype=getattr(lib, d)),
                       rand((3, 4), src, 1))
        nxt = out_c.grad_fn.next_functions[0][0].name()
        assert nxt == ("torch::autograd::AccumulateGrad" if str(dst)[6:] == src else "ToCopyBackward0")


# ---------------------------------------------------------------- conversions, fills, samplers

@pytest.mark.parametrize("conv", [
    lambda lib, x: x.double(), lambda lib, x: x.to(lib.float64), lambda lib, x: x.half(),
    lambda lib, x: x.bfloat16(), lambda lib, x: x.type(lib.float64),
    lambda lib, x: x.to(dtype=lib.float16), lambda lib, x: x.to(lib.float32, copy=True),
    lambda lib, x: x.to("cpu", lib.float64),
])
def test_to_copy(conv):
    x = layout(rand((3, 4), "float32", 1), "transposed")
    ts, cs = x.requires_grad_(), to_cresset(x.detach()).requires_grad_()
    yt, yc = conv(torch, ts), conv(cresset, cs)
    assert yc.grad_fn.name() == yt.grad_fn.name() == "ToCopyBackward0"
    g = rand(tuple(yt.shape), str(yt.dtype)[6:], 2)
    (gt,) = torch.autograd.grad(yt, ts, g)
    (gc,) = cresset.autograd.grad(yc, cs, to_cresset(g))
    assert_same(gc, gt)


def test_same_dtype_conversion_is_self():
    x = cresset.randn(3, requires_grad=True)
    for y in (x.float(), x.to(cresset.float32), x.type(cresset.float32), x.to("cpu")):
        assert y is x and y.grad_fn is None
    h = x * 2
    assert h.float() is h and h.float().grad_fn.name() == "MulBackward0"
    i = x.long()
    assert not i.requires_grad and i.grad_fn is None
    with cresset.no_grad():
        assert x.double().grad_fn is None and not x.double().requires_grad


def test_new_tensor_is_detached():
    x = cresset.randn(3, requires_grad=True)
    y = x.new_tensor(x)
    assert y.is_leaf and not y.requires_grad
    assert x.new_tensor(x, requires_grad=True).is_leaf


@pytest.mark.parametrize("fill", [
    lambda lib, y: y.fill_(2.5), lambda lib, y: y.zero_(), lambda lib, y: lib.fill_(y, -1),
    lambda lib, y: y * y.fill_(1.0),
])
def test_fill_on_non_leaf(fill):
    run(lambda lib, x: fill(lib, x * 3), rand((3, 2), seed=1))


def test_fill_with_tensor_value():
    # FillBackward3: the value gets the sum of the filled gradient.
    run(lambda lib, x, v: (x * 3).fill_(v), rand((3, 2), seed=1), rand((), seed=2))


SAMPLERS = [
    ("uniform_", ()), ("normal_", ()), ("bernoulli_", ()), ("bernoulli_", (0.3,)),
    ("exponential_", ()), ("geometric_", (0.5,)), ("log_normal_", ()), ("cauchy_", ()),
    ("random_", ()), ("random_", (0, 10)),
]


@pytest.mark.parametrize("op,args", SAMPLERS)
def test_in_place_samplers(op, args):
    # On a non-leaf the gradient stops (zeros, like torch); a leaf that requires grad is refused,
    # except under no_grad (how nn.init fills parameters).
    names = []
    for lib in (cresset, torch):
        x = lib.ones(4, dtype=lib.float64, requires_grad=True)
        y = getattr(x * 2, op)(*args)
        names.append(y.grad_fn.name())
        (y * 3).sum().backward()
        assert x.grad.tolist() == [0.0] * 4
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            getattr(x, op)(*args)
        with lib.no_grad():
            getattr(x, op)(*args)
        assert x.is_leaf and x.requires_grad
    assert names[0] == names[1]


def test_bernoulli_with_probability_tensor():
    for lib in (cresset, torch):
        x = lib.ones(4, dtype=lib.float64, requires_grad=True)
        p = lib.full((4,), 0.5, dtype=lib.float64, requires_grad=True)
        y = (x * 2).bernoulli_(p)
        assert y.grad_fn.name() == "BernoulliBackward1"
        y.sum().backward()
        assert x.grad.tolist() == [0.0] * 4 and p.grad.tolist() == [0.0] * 4


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("op,shapes", [
    ("mm", [(2, 3), (3, 2), (2, 2)]), ("matmul", [(2, 3), (3, 2), (2, 2)]),
    ("bmm", [(1, 2, 3), (1, 3, 2), (1, 2, 2)]), ("mv", [(2, 3), (3,), (2,)]),
    ("dot", [(3,), (3,), ()]), ("outer", [(2,), (3,), (2, 3)]), ("kron", [(2,), (3,), (6,)]),
    ("addmm", [(2, 2), (2, 3), (3, 2), (2, 2)]),
])
def test_out_with_grad_raises(op, shapes):
    for lib in (cresset, torch):
        *ins, out = [lib.ones(s) for s in shapes]
        ins[-1].requires_grad_()
        with pytest.raises(RuntimeError, match=r"out=\.\.\. arguments don't support automatic "
                                               r"differentiation"):
            getattr(lib, op)(*ins, out=out)
        with lib.no_grad():
            getattr(lib, op)(*ins, out=out)


def test_tensordot_out_records_a_copy():
    # torch's tensordot (and inner) copy into out= with copy_, which autograd records.
    for op, args in [("tensordot", (1,)), ("inner", ())]:
        run(lambda lib, a, b, op=op, args=args:
            getattr(lib, op)(a, b, *args, out=lib.empty(0, dtype=lib.float64)),
            rand((2, 3), seed=1), rand((3, 2) if op == "tensordot" else (2, 3), seed=2))


@pytest.mark.parametrize("op,si,sa,sb", IN_PLACE_PRODUCTS)
def test_in_place_product_on_leaf_raises(op, si, sa, sb):
    for lib in (cresset, torch):
        x = lib.zeros(si, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            getattr(x, op)(lib.ones(sa), lib.ones(sb))
        assert float(x.detach().sum()) == 0.0


def test_saved_operand_modified_in_place_raises():
    a = cresset.randn(2, 3, requires_grad=True)
    b = cresset.randn(3, 4)
    y = cresset.mm(a, b)
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------------------------------------------------------------- finite differences

def numeric_check(fn, *inputs, eps=1e-6):
    """The gradient of sum(g * fn(inputs)) by backward against central differences (float64)."""
    cs = [to_cresset(t).requires_grad_() for t in inputs]
    out = fn(*cs)
    g = rand(tuple(out.shape), seed=7)
    grads = cresset.autograd.grad(out, cs, to_cresset(g))
    for idx, t in enumerate(inputs):
        num = np.zeros(t.numel())
        for k in range(t.numel()):
            vals = []
            for s in (eps, -eps):
                moved = t.clone().reshape(-1)
                moved[k] += s
                args = [to_cresset(moved.reshape(t.shape)) if j == idx else to_cresset(x)
                        for j, x in enumerate(inputs)]
                with cresset.no_grad():
                    vals.append(float((np.array(fn(*args).tolist()) * g.numpy()).sum()))
            num[k] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(np.array(grads[idx].tolist()).reshape(-1), num, rtol=1e-6,
                                   atol=1e-7)


@pytest.mark.parametrize("fn,shapes", [
    (lambda a, b: cresset.matmul(a, b), [(2, 1, 2, 3), (3, 3, 2)]),
    (lambda a, b: cresset.matmul(a, b), [(3,), (2, 3, 2)]),
    (lambda i, a, b: cresset.addmm(i, a, b, beta=0.5, alpha=2), [(3,), (2, 2), (2, 3)]),
    (lambda i, a, b: cresset.baddbmm(i, a, b, beta=2, alpha=0.5), [(2, 2), (2, 2, 3), (2, 3, 2)]),
    (lambda a, b: cresset.einsum("iij,jk->ik", a, b), [(2, 2, 3), (3, 2)]),
    (lambda a, b: cresset.kron(a, b), [(2, 2), (3,)]),
    (lambda a, b: cresset.linalg.cross(a, b), [(2, 3), (1, 3)]),
    (lambda a: cresset.softmax(a, 0), [(3, 2)]),
    (lambda a: cresset.log_softmax(a, 1), [(3, 2)]),
    (lambda a: cresset.trace(a), [(2, 3)]),
])
def test_finite_differences(fn, shapes):
    numeric_check(fn, *[rand(s, seed=i + 1) for i, s in enumerate(shapes)])


# ---------------------------------------------------------------- double backward

@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x: lib.softmax(x, 1), [(3, 4)]),
    (lambda lib, x: lib.log_softmax(x, 0), [(3, 4)]),
    (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 2)]),
    (lambda lib, a: lib.einsum("ii->i", a) ** 2, [(3, 3)]),
    (lambda lib, a, b: lib.tensordot(a, b, 1) ** 2, [(2, 3), (3, 2)]),
    (lambda lib, a, b: lib.linalg.cross(a, b) ** 2, [(2, 3), (2, 3)]),
    (lambda lib, a, b: lib.dot(a, b) ** 2, [(3,), (3,)]),
    (lambda lib, a: lib.trace(a) ** 3, [(2, 2)]),
])
def test_double_backward(fn, shapes):
    """Gradients of the input gradients (create_graph=True), against torch."""
    results = []
    for lib in (torch, cresset):
        xs = [rand(s, seed=i + 1) for i, s in enumerate(shapes)]
        xs = [x.requires_grad_() if lib is torch else to_cresset(x).requires_grad_() for x in xs]
        out = fn(lib, *xs)
        w = rand(tuple(out.shape), str(out.dtype).split(".")[-1], seed=5)
        w = w if lib is torch else to_cresset(w)
        grads = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
        second = lib.autograd.grad(sum((gr * gr).sum() for gr in grads), xs, allow_unused=True)
        results.append([s if s is not None else lib.zeros_like(x) for s, x in zip(second, xs)])
    for ours, theirs in zip(results[1], results[0]):
        assert_same(ours, theirs)


def test_double_backward_through_softmax_dtype_cast():
    results = []
    for lib in (torch, cresset):
        x = rand((2, 5), "float32", 1)
        x = (x if lib is torch else to_cresset(x)).requires_grad_()
        y = lib.log_softmax(x, -1, dtype=lib.float64)
        w = rand((2, 5), seed=2)
        (gx,) = lib.autograd.grad((y * (w if lib is torch else to_cresset(w))).sum(), x,
                                  create_graph=True)
        assert gx.dtype == lib.float32
        results.append(lib.autograd.grad((gx * gx).sum(), x)[0])
    assert_same(results[1], results[0])


def test_double_backward_matmul_first_operand_and_grad_outputs():
    # d/da of |a @ b|^2's gradient, and the gradient's dependence on the output gradient v.
    results = []
    for lib in (torch, cresset):
        conv = (lambda t: t) if lib is torch else to_cresset
        a = conv(rand((2, 3, 4), seed=1)).requires_grad_()
        b = conv(rand((4, 5), seed=2))
        v = conv(rand((2, 3, 5), seed=3)).requires_grad_()
        y = lib.matmul(a, b)
        (ga,) = lib.autograd.grad(y, a, v, create_graph=True)
        (gv,) = lib.autograd.grad((ga * ga).sum(), v, retain_graph=True)
        (ga2,) = lib.autograd.grad((y * y).sum(), a, create_graph=True)
        (gaa,) = lib.autograd.grad((ga2 * ga2).sum(), a)
        results.append((gv, gaa))
    assert_same(results[1][0], results[0][0])
    assert_same(results[1][1], results[0][1])


# ---------------------------------------------------------------- with recorded views
# The formulas below reach operands through views (transposes, reshapes), and gradcheck reads
# the outputs through views: these tests need the view family's autograd.

GRADCHECKS = [
    (lambda a, b: cresset.mm(a, b), [(2, 3), (3, 2)]),
    (lambda a, b: cresset.matmul(a, b), [(2, 1, 2, 3), (2, 3, 2)]),
    (lambda a, b: cresset.matmul(a, b), [(2, 3), (3,)]),
    (lambda a, b: cresset.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    (lambda a, b: cresset.mv(a, b), [(2, 3), (3,)]),
    (lambda a, b: cresset.outer(a, b), [(2,), (3,)]),
    (lambda i, a, b: cresset.addmm(i, a, b, beta=0.5, alpha=2), [(3,), (2, 2), (2, 3)]),
    (lambda i, a, b: cresset.addmv(i, a, b, alpha=2), [(2,), (2, 3), (3,)]),
    (lambda i, a, b: cresset.addr(i, a, b, beta=3), [(2, 3), (2,), (3,)]),
    (lambda i, a, b: cresset.addbmm(i, a, b), [(2, 2), (2, 2, 3), (2, 3, 2)]),
    (lambda a, b: cresset.tensordot(a, b, ([1], [0])), [(2, 3), (3, 2)]),
    (lambda a, b: cresset.kron(a, b), [(2, 2), (2,)]),
    (lambda a, b: cresset.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    (lambda a: cresset.softmax(a, 1), [(2, 3)]),
    (lambda a: cresset.trace(a), [(3, 3)]),
    (lambda a: a.to(cresset.float64, copy=True) * a, [(3,)]),
]


@pytest.mark.parametrize("fn,shapes", GRADCHECKS)
def test_gradcheck(fn, shapes):
    xs = [to_cresset(rand(s, seed=i + 1)).requires_grad_() for i, s in enumerate(shapes)]
    assert cresset.autograd.gradcheck(fn, xs)


@pytest.mark.parametrize("fn,shapes", [GRADCHECKS[i] for i in (0, 1, 3, 11, 12, 13)])
def test_gradgradcheck(fn, shapes):
    xs = [to_cresset(rand(s, seed=i + 1)).requires_grad_() for i, s in enumerate(shapes)]
    assert cresset.autograd.gradgradcheck(fn, xs)


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, a, b: lib.matmul(a, b) ** 2, [(2, 3), (3, 4)]),
    (lambda lib, a, b: lib.matmul(a, b) ** 2, [(2, 1, 2, 3), (2, 3, 4)]),
    (lambda lib, a, b: lib.matmul(a, b) ** 2, [(3,), (2, 3, 4)]),
    (lambda lib, i, a, b: lib.addmm(i, a, b, alpha=2) ** 2, [(4,), (2, 3), (3, 4)]),
    (lambda lib, a, b: lib.kron(a, b) ** 2, [(2, 2), (2,)]),
])
def test_double_backward_through_views(fn, shapes):
    test_double_backward(fn, shapes)


@pytest.mark.parametrize("fill,random", [
    (lambda lib, y: y.narrow(0, 1, 2).fill_(0.5), False),
    (lambda lib, y: y.narrow(0, 0, 2).zero_(), False),
    (lambda lib, y: y.narrow(1, 1, 1).normal_(), True),
    (lambda lib, y: y.narrow(0, 1, 2).t().addmm_(lib.ones(2, 2, dtype=lib.float64),
                                                 lib.full((2, 2), 0.5, dtype=lib.float64),
                                                 beta=3), False),
])
def test_in_place_on_views(fill, random):
    # The base's history is rebased (CopySlices): an overwritten part gets no gradient, addmm_'s
    # beta * input its share.
    def fn(lib, x):
        y = x * 2
        fill(lib, y)
        return y
    run(fn, rand((3, 2), seed=1), forward=not random)
    for lib in (cresset, torch):
        x = lib.ones(3, 2, dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
            fill(lib, x)
        assert x.tolist() == [[1.0, 1.0]] * 3  # refused before writing


def test_inplace_add_product_reading_self_uses_the_value_before_the_write():
    # a.addmm_(a, b): the backward must see a as it was (torch raises a version error instead).
    grads = []
    for lib, alias in ((cresset, True), (torch, False)):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([[0.5, -1.0], [2.0, 1.5]], dtype=lib.float64, requires_grad=True)
        a = x * 1
        mat1 = a if alias else a.clone()
        a.addmm_(mat1, b)
        (a * a).sum().backward()
        grads.append((x.grad, b.grad))
    assert_same(grads[0][0], grads[1][0])
    assert_same(grads[0][1], grads[1][1])


@pytest.mark.parametrize("input_grad", [True, False])
def test_addmm_transposed_operand_grad_layout(input_grad):
    # Linear's addmm(bias, x, w.t()): w's gradient arrives contiguous, as torch's, with the
    # same values.
    torch.manual_seed(0)
    x, w, b = torch.randn(6, 40), torch.randn(7, 40), torch.randn(7)
    leaves = [t.clone().requires_grad_() for t in (x, w, b)]
    cleaves = [to_cresset(t).requires_grad_() for t in (x, w, b)]
    if not input_grad:
        leaves[0].requires_grad_(False)
        cleaves[0].requires_grad_(False)
    torch.addmm(leaves[2], leaves[0], leaves[1].t()).pow(2).sum().backward()
    cresset.addmm(cleaves[2], cleaves[0], cleaves[1].t()).pow(2).sum().backward()
    for ours, theirs in zip(cleaves, leaves):
        if theirs.requires_grad:
            assert_same(ours.grad, theirs.grad, rtol=1e-5, atol=1e-5)
            assert ours.grad.stride() == theirs.grad.stride()
