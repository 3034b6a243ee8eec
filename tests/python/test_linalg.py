"""Matrix products, einsum, tensordot, kron, cross and trace against torch."""
import math

import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

torch.manual_seed(0)


def rand(shape, dtype="float32"):
    """Random data of `dtype`: normal floats for float32/64, small integers otherwise (exact in
    every dtype, so 16-bit and integer products compare exactly)."""
    dt = getattr(torch, dtype)
    if dtype in ("float32", "float64"):
        return torch.randn(shape, dtype=dt)
    low = 0 if dtype in ("uint8", "bool") else -4
    high = 2 if dtype == "bool" else 5
    return torch.randint(low, high, shape).to(dt)


def check(ours, theirs, k=1, check_stride=False):
    """Compares a product. Both libraries sum k float32 products in different orders (blocking,
    FMA contraction), so results differ by rounding whose typical size grows like sqrt(k) times
    the result's magnitude (also ~sqrt(k) for unit normal data); torch's own tests use
    rtol=1.3e-6, atol=1e-5 for small k. float64 keeps assert_same's defaults (errors ~1e-14)."""
    if theirs.dtype == torch.float32:
        assert_same(ours, theirs, atol=1e-5 * max(1.0, math.sqrt(k)), rtol=1.3e-6 * max(1.0, math.sqrt(k)),
                    check_stride=check_stride)
    else:
        assert_same(ours, theirs, check_stride=check_stride)


def layout(t, kind):
    """The same values as t in another memory layout."""
    if kind == "contiguous":
        return t
    if kind == "transposed":  # column-major storage
        return t.transpose(-1, -2).contiguous().transpose(-1, -2)
    if kind == "stepped":  # every other row and column of a bigger tensor, at an offset
        big = torch.zeros(*t.shape[:-2], 2 * t.shape[-2] + 1, 3 * t.shape[-1] + 2, dtype=t.dtype)
        view = big[..., 1::2, 2::3][..., : t.shape[-2], : t.shape[-1]]
        view.copy_(t)
        return view
    raise ValueError(kind)


# ---------------------------------------------------------------- mm and the GEMM itself

MM_SHAPES = [(1, 1, 1), (3, 5, 7), (17, 33, 65), (64, 100, 32), (15, 1, 29), (1, 40, 50),
             (50, 40, 1), (130, 257, 70), (0, 3, 4), (3, 0, 4), (3, 4, 0)]


@pytest.mark.parametrize("m,k,n", MM_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_mm_shapes(m, k, n, dtype):
    a, b = rand((m, k), dtype), rand((k, n), dtype)
    check(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b), k, check_stride=True)


@pytest.mark.parametrize("la", ["contiguous", "transposed", "stepped"])
@pytest.mark.parametrize("lb", ["contiguous", "transposed", "stepped"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mm_layouts(la, lb, dtype):
    a, b = layout(rand((37, 45), dtype), la), layout(rand((45, 51), dtype), lb)
    check(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b), 45, check_stride=True)


def test_mm_expanded_operands():
    a = torch.randn(1, 30).expand(20, 30)
    b = torch.randn(30, 1).expand(30, 40)
    check(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b), 30)


@pytest.mark.parametrize("m,k,n,dtype", [(70, 600, 1100, "float64"), (20, 300, 1100, "float32"),
                                         (200, 520, 90, "float32")])
def test_mm_several_blocks(m, k, n, dtype):
    # k above the K block (256) and n above one N block: every loop of the blocking runs twice.
    a, b = rand((m, k), dtype), rand((k, n), dtype)
    check(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b), k)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int8", "uint8", "int16", "int32"])
def test_mm_other_dtypes(dtype):
    a, b = rand((9, 17), dtype), rand((17, 6), dtype)
    assert_same(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("k", [64, 300])
def test_mm_16bit_random(dtype, k):
    # Both accumulate in float32 and round once; results agree to the last bit or one ulp.
    a, b = torch.randn(20, k).to(getattr(torch, dtype)), torch.randn(k, 30).to(getattr(torch, dtype))
    assert_same(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b))


def test_integer_products_wrap_like_torch():
    a = torch.randint(-128, 128, (8, 40), dtype=torch.int8)
    b = torch.randint(-128, 128, (40, 5), dtype=torch.int8)
    assert_same(cresset.mm(to_cresset(a), to_cresset(b)), torch.mm(a, b))
    a64 = torch.full((2, 3), 2 ** 62, dtype=torch.int64)
    assert_same(cresset.mm(to_cresset(a64), to_cresset(a64.t())), torch.mm(a64, a64.t()))


def test_results_do_not_depend_on_thread_count():
    a, b = to_cresset(torch.randn(300, 280)), to_cresset(torch.randn(280, 310))
    old = cresset.get_num_threads()
    try:
        cresset.set_num_threads(1)
        one = cresset.mm(a, b).tolist()
        cresset.set_num_threads(2)
        two = cresset.mm(a, b).tolist()
        cresset.set_num_threads(3)
        three = cresset.mm(a, b).tolist()
    finally:
        cresset.set_num_threads(old)
    assert one == two == three


def test_mm_out_and_version():
    a, b = torch.randn(4, 5), torch.randn(5, 3)
    out = cresset.empty(0)
    v = out._version
    r = cresset.mm(to_cresset(a), to_cresset(b), out=out)
    assert r._is_same(out) and out._version > v
    check(out, torch.mm(a, b), 5)
    # A transposed out is written through its strides.
    tout = to_cresset(torch.zeros(3, 4)).as_strided([4, 3], [1, 4])
    cresset.mm(to_cresset(a), to_cresset(b), out=tout)
    check(tout, torch.mm(a, b), 5)
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype float, but got double"):
        cresset.mm(to_cresset(a), to_cresset(b), out=cresset.empty(4, 3, dtype=cresset.float64))


def test_out_overlapping_an_input():
    a = torch.randn(6, 6)
    ca = to_cresset(a)
    cresset.mm(ca, ca, out=ca)
    check(ca, a @ a, 6)


# ---------------------------------------------------------------- matmul and its cases

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 5)), ((1, 2, 3), (4, 3, 5)), ((3, 1, 4, 2), (1, 5, 2, 6)),
    ((0, 2, 3), (3, 4)), ((2, 0, 3), (2, 3, 4)), ((2, 3, 0), (0, 4)), ((0,), (0,)),
    ((4, 0), (0,)), ((2, 5, 3), (2, 3, 0))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_matmul_cases(sa, sb, dtype):
    a, b = rand(sa, dtype), rand(sb, dtype)
    k = sa[-1]
    check(cresset.matmul(to_cresset(a), to_cresset(b)), torch.matmul(a, b), k, check_stride=True)
    check(to_cresset(a) @ to_cresset(b), a @ b, k)


@pytest.mark.parametrize("make", [
    lambda: (torch.randn(4, 6, 5).transpose(1, 2), torch.randn(4, 6, 3)),
    lambda: (torch.randn(4, 5, 6), torch.randn(4, 3, 6).transpose(1, 2)),
    lambda: (torch.randn(6, 5, 4).permute(2, 1, 0), torch.randn(6, 3)),
    lambda: (torch.randn(1, 5, 6).expand(4, 5, 6), torch.randn(4, 6, 3)),
    lambda: (torch.randn(3, 8, 6)[:, ::2], torch.randn(6, 7)[:, 1::2]),
    lambda: (torch.randn(2, 3, 5, 6)[:, 1:], torch.randn(2, 1, 6, 2).expand(2, 2, 6, 2).transpose(0, 1))])
def test_matmul_non_contiguous(make):
    a, b = make()
    check(cresset.matmul(to_cresset(a), to_cresset(b)), torch.matmul(a, b), a.shape[-1])


def test_matmul_large_batch_of_rows_times_matrix():
    a, b = torch.randn(6, 70, 90), torch.randn(90, 40)
    check(to_cresset(a) @ to_cresset(b), a @ b, 90)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int8", "int32", "uint8"])
def test_matmul_batched_dtypes(dtype):
    a, b = rand((3, 4, 5), dtype), rand((5, 2), dtype)
    assert_same(cresset.matmul(to_cresset(a), to_cresset(b)), torch.matmul(a, b))
    a, b = rand((2, 4, 5), dtype), rand((2, 5, 3), dtype)
    assert_same(cresset.bmm(to_cresset(a), to_cresset(b)), torch.bmm(a, b))


def test_matmul_out():
    a, b = torch.randn(3, 2, 4), torch.randn(4, 5)
    out = cresset.empty(1)
    r = cresset.matmul(to_cresset(a), to_cresset(b), out=out)
    assert r._is_same(out)
    check(out, torch.matmul(a, b), 4)


def test_matmul_operators():
    a, b = torch.randn(3, 4), torch.randn(4, 2)
    ca, cb = to_cresset(a), to_cresset(b)
    check(ca.__matmul__(cb), a @ b, 4)
    check(cb.__rmatmul__(ca), b.__rmatmul__(a), 4)
    check(ca.matmul(cb), a.matmul(b), 4)
    assert ca.__matmul__(2) is NotImplemented
    assert_raises_like(TypeError, lambda: ca @ 2, lambda: a @ 2)
    # Like torch, Tensor has no __imatmul__: `x @= y` rebinds x and leaves the old tensor alone.
    assert not hasattr(cresset.Tensor, "__imatmul__") and not hasattr(torch.Tensor, "__imatmul__")
    sq, csq = torch.randn(3, 3), to_cresset(torch.randn(3, 3))
    x, before = csq, csq.tolist()
    x @= csq
    assert not x._is_same(csq) and csq.tolist() == before
    y = sq
    y @= sq
    assert y is not sq


# ---------------------------------------------------------------- bmm, mv, dot, inner, outer

@pytest.mark.parametrize("la", ["contiguous", "transposed", "stepped"])
def test_bmm(la):
    a, b = layout(torch.randn(5, 7, 9), la), torch.randn(5, 9, 4)
    check(cresset.bmm(to_cresset(a), to_cresset(b)), torch.bmm(a, b), 9, check_stride=True)
    check(to_cresset(a).bmm(mat2=to_cresset(b)), a.bmm(b), 9)


def test_bmm_many_small():
    a, b = torch.randn(300, 3, 4), torch.randn(300, 4, 2)
    check(cresset.bmm(to_cresset(a), to_cresset(b)), torch.bmm(a, b), 4)


@pytest.mark.parametrize("lm", ["contiguous", "transposed", "stepped"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_mv(lm, dtype):
    m = layout(rand((300, 70), dtype), lm)
    v = rand((140,), dtype)[::2]
    check(cresset.mv(to_cresset(m), to_cresset(v)), torch.mv(m, v), 70)
    check(to_cresset(m).mv(vec=to_cresset(v)), m.mv(v), 70)


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 5000])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "float16", "int8"])
def test_dot_vdot(n, dtype):
    a, b = rand((n,), dtype), rand((2 * n,), dtype)[::2]
    check(cresset.dot(to_cresset(a), to_cresset(b)), torch.dot(a, b), n)
    check(cresset.vdot(to_cresset(a), to_cresset(b)), torch.vdot(a, b), n)
    check(to_cresset(a).dot(tensor=to_cresset(b)), a.dot(b), n)
    check(cresset.matmul(to_cresset(a), to_cresset(b)), torch.matmul(a, b), n)


def test_dot_expanded():
    a = torch.tensor([2.0]).expand(50)
    b = torch.randn(50)
    check(cresset.dot(to_cresset(a), to_cresset(b)), torch.dot(a, b), 50)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (4, 3)), ((2, 5, 3), (3,)), ((), (2, 3)),
                                   ((2, 3), ()), ((0, 3), (2, 3))])
def test_inner(sa, sb):
    a, b = torch.randn(sa), torch.randn(sb)
    check(cresset.inner(to_cresset(a), to_cresset(b)), torch.inner(a, b), 3)
    check(to_cresset(a).inner(to_cresset(b)), a.inner(b), 3)


@pytest.mark.parametrize("da,db", [("float32", "float32"), ("int32", "float32"), ("bool", "bool"),
                                   ("int64", "int8")])
def test_outer_ger(da, db):
    a, b = rand((4,), da), rand((10,), db)[::2]
    assert_same(cresset.outer(to_cresset(a), to_cresset(b)), torch.outer(a, b))
    assert_same(cresset.ger(to_cresset(a), to_cresset(b)), torch.ger(a, b))
    assert_same(to_cresset(a).outer(vec2=to_cresset(b)), a.outer(b))


# ---------------------------------------------------------------- add* products

COEFFS = [(1, 1), (0.5, 2.0), (0, 1), (0, -1.5), (2, 0)]


@pytest.mark.parametrize("beta,alpha", COEFFS)
@pytest.mark.parametrize("input_shape", [(4, 6), (6,), (4, 1), ()])
def test_addmm(beta, alpha, input_shape):
    inp, m1, m2 = torch.randn(input_shape), torch.randn(4, 5), torch.randn(5, 6)
    if beta == 0:
        inp = torch.full(input_shape, float("nan"))  # beta == 0 ignores the input, NaN included
    check(cresset.addmm(to_cresset(inp), to_cresset(m1), to_cresset(m2), beta=beta, alpha=alpha),
          torch.addmm(inp, m1, m2, beta=beta, alpha=alpha), 5)
    check(to_cresset(inp).addmm(to_cresset(m1), to_cresset(m2), beta=beta, alpha=alpha),
          inp.addmm(m1, m2, beta=beta, alpha=alpha), 5)


def test_addmm_inplace_and_out():
    inp, m1, m2 = torch.randn(4, 6), torch.randn(4, 5), torch.randn(5, 6)
    ci = to_cresset(inp)
    v = ci._version
    r = ci.addmm_(to_cresset(m1), to_cresset(m2), beta=0.5, alpha=2)
    assert r._is_same(ci) and ci._version > v
    check(ci, inp.clone().addmm_(m1, m2, beta=0.5, alpha=2), 5)
    out = cresset.empty(0)
    cresset.addmm(to_cresset(inp), to_cresset(m1), to_cresset(m2), out=out)
    check(out, torch.addmm(inp, m1, m2), 5)
    # out aliasing input: C starts as input.
    ci = to_cresset(inp)
    cresset.addmm(ci, to_cresset(m1), to_cresset(m2), beta=2, out=ci)
    check(ci, torch.addmm(inp, m1, m2, beta=2), 5)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float16"])
def test_addmm_dtypes(dtype):
    inp, m1, m2 = rand((3, 4), dtype), rand((3, 5), dtype), rand((5, 4), dtype)
    assert_same(cresset.addmm(to_cresset(inp), to_cresset(m1), to_cresset(m2), beta=2, alpha=3),
                torch.addmm(inp, m1, m2, beta=2, alpha=3))
    if dtype != "float16":  # integer products truncate floating coefficients like torch
        assert_same(cresset.addmm(to_cresset(inp), to_cresset(m1), to_cresset(m2), beta=0.5, alpha=1.5),
                    torch.addmm(inp, m1, m2, beta=0.5, alpha=1.5))


def test_addmm_k_zero():
    inp = torch.randn(3, 4)
    m1, m2 = torch.randn(3, 0), torch.randn(0, 4)
    check(cresset.addmm(to_cresset(inp), to_cresset(m1), to_cresset(m2), beta=0.5),
          torch.addmm(inp, m1, m2, beta=0.5))


@pytest.mark.parametrize("beta,alpha", COEFFS)
def test_addmv(beta, alpha):
    inp, m, v = torch.randn(4), torch.randn(4, 5), torch.randn(5)
    check(cresset.addmv(to_cresset(inp), to_cresset(m), to_cresset(v), beta=beta, alpha=alpha),
          torch.addmv(inp, m, v, beta=beta, alpha=alpha), 5)
    check(cresset.addmv(to_cresset(inp[:1]), to_cresset(m.t().contiguous().t()), to_cresset(v),
                        beta=beta, alpha=alpha),
          torch.addmv(inp[:1], m, v, beta=beta, alpha=alpha), 5)
    ci = to_cresset(inp)
    ci.addmv_(to_cresset(m), to_cresset(v), beta=beta, alpha=alpha)
    check(ci, inp.clone().addmv_(m, v, beta=beta, alpha=alpha), 5)


@pytest.mark.parametrize("dtypes,beta,alpha", [
    (("float32", "float32", "float32"), 0.5, 2.0), (("float32", "float32", "float32"), 0, 1),
    (("int32", "float32", "float32"), 1, 1), (("float32", "int32", "int32"), 2, 3),
    (("bool", "bool", "bool"), True, True), (("bool", "bool", "bool"), False, True),
    (("int64", "int64", "int64"), 2, -1)])
def test_addr(dtypes, beta, alpha):
    inp, v1, v2 = rand((3, 4), dtypes[0]), rand((3,), dtypes[1]), rand((4,), dtypes[2])
    assert_same(cresset.addr(to_cresset(inp), to_cresset(v1), to_cresset(v2), beta=beta, alpha=alpha),
                torch.addr(inp, v1, v2, beta=beta, alpha=alpha))
    if dtypes[0] == dtypes[1]:
        ci = to_cresset(inp)
        ci.addr_(to_cresset(v1), to_cresset(v2), beta=beta, alpha=alpha)
        assert_same(ci, inp.clone().addr_(v1, v2, beta=beta, alpha=alpha))


@pytest.mark.parametrize("beta,alpha", COEFFS)
def test_addbmm_baddbmm(beta, alpha):
    b1, b2 = torch.randn(3, 4, 5), torch.randn(3, 5, 6)
    inp = torch.randn(4, 6)
    check(cresset.addbmm(to_cresset(inp), to_cresset(b1), to_cresset(b2), beta=beta, alpha=alpha),
          torch.addbmm(inp, b1, b2, beta=beta, alpha=alpha), 15)
    binp = torch.randn(6)
    check(cresset.baddbmm(to_cresset(binp), to_cresset(b1), to_cresset(b2), beta=beta, alpha=alpha),
          torch.baddbmm(binp, b1, b2, beta=beta, alpha=alpha), 5)
    full = torch.randn(3, 4, 6)
    ci = to_cresset(full)
    ci.baddbmm_(to_cresset(b1), to_cresset(b2), beta=beta, alpha=alpha)
    check(ci, full.clone().baddbmm_(b1, b2, beta=beta, alpha=alpha), 5)
    ci = to_cresset(inp)
    ci.addbmm_(to_cresset(b1), to_cresset(b2), beta=beta, alpha=alpha)
    check(ci, inp.clone().addbmm_(b1, b2, beta=beta, alpha=alpha), 15)


def test_addbmm_empty_batch():
    inp, b1, b2 = torch.randn(2, 3), torch.randn(0, 2, 4), torch.randn(0, 4, 3)
    check(cresset.addbmm(to_cresset(inp), to_cresset(b1), to_cresset(b2), beta=3),
          torch.addbmm(inp, b1, b2, beta=3))


# ---------------------------------------------------------------- einsum and tensordot

EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]), ("i,i->", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]), ("...ij->...ji", [(2, 3, 4)]),
    ("i...->...", [(2, 3, 4)]), ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("iij->j", [(3, 3, 4)]), ("ij,ij->ij", [(3, 4), (3, 4)]), ("ij,kj->ik", [(2, 1), (4, 3)]),
    ("Ba,aB->", [(3, 4), (4, 3)]), ("ba", [(2, 3)]), (" i j , j k -> i k ", [(3, 4), (4, 5)]),
    ("...,...->...", [(2, 1), (3,)]), ("i,->i", [(3,), ()]), ("->", [()]), ("ij->j", [(0, 3)]),
    ("ijk,ik->j", [(3, 4, 5), (3, 5)]), ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 2)]),
    ("cab,bcad->d", [(2, 3, 4), (4, 2, 3, 5)])]  # grouped dims that don't fold: copied


@pytest.mark.parametrize("eq,shapes", EINSUM)
def test_einsum(eq, shapes):
    ts = [torch.randn(s) for s in shapes]
    check(cresset.einsum(eq, *[to_cresset(t) for t in ts]), torch.einsum(eq, *ts), 20)


def test_einsum_list_ints_and_views():
    a, b = rand((3, 4), "int64"), rand((4, 2), "int64")
    assert_same(cresset.einsum("ij,jk", [to_cresset(a), to_cresset(b)]), torch.einsum("ij,jk", [a, b]))
    t, u = torch.randn(3, 4).t(), torch.randn(6, 2)[::2]
    check(cresset.einsum("ij,jk->ik", to_cresset(t), to_cresset(u)), torch.einsum("ij,jk->ik", t, u), 3)
    ca = to_cresset(torch.arange(12.0).reshape(3, 4))
    view = cresset.einsum("ij->ji", ca)  # a pure permutation is a view, like torch
    assert view.data_ptr() == ca.data_ptr() and view.stride() == (1, 4)


@pytest.mark.parametrize("sb,dims", [((4, 5), 1), ((3, 4, 5), 2), ((2, 2), 0), ((3, 4, 5), ([1, 2], [0, 1])),
                                     ((4, 5), [[2], [0]]), ((4, 3, 2), ([0, 2], [2, 0])),
                                     ((3, 4, 5), "tensor1"), ((3, 4, 5), "tensor2")])
def test_tensordot(sb, dims):
    a, b = torch.randn(2, 3, 4), torch.randn(sb)
    ours_dims = dims
    if dims == "tensor1":
        dims, ours_dims = torch.tensor(2), cresset.tensor(2)
    if dims == "tensor2":
        dims, ours_dims = torch.tensor([[1, 2], [0, 1]]), cresset.tensor([[1, 2], [0, 1]])
    check(cresset.tensordot(to_cresset(a), to_cresset(b), dims=ours_dims), torch.tensordot(a, b, dims=dims), 12)


def test_tensordot_out():
    a, b = torch.randn(2, 3, 4), torch.randn(4, 3, 5)
    out = cresset.empty(0)
    r = cresset.tensordot(to_cresset(a), to_cresset(b), dims=([1, 2], [1, 0]), out=out)
    assert r._is_same(out)
    check(out, torch.tensordot(a, b, dims=([1, 2], [1, 0])), 12)


# ---------------------------------------------------------------- kron, cross, trace

@pytest.mark.parametrize("sa,sb,da,db", [((2, 3), (4, 5), "float32", "float32"), ((3,), (2,), "int64", "int64"),
                                         ((2, 3), (4,), "int32", "float32"), ((2, 1, 3), (2, 2), "float64", "float64"),
                                         ((), (2, 3), "float32", "float32"), ((2,), (2,), "bool", "bool")])
def test_kron(sa, sb, da, db):
    a, b = rand(sa, da), rand(sb, db)
    assert_same(cresset.kron(to_cresset(a), to_cresset(b)), torch.kron(a, b))
    assert_same(to_cresset(a).kron(to_cresset(b)), a.kron(b))


@pytest.mark.parametrize("sa,sb,dim", [((4, 3), (4, 3), 1), ((3, 5), (3, 5), 0), ((1, 3), (4, 3), -1),
                                       ((2, 3, 3), (2, 3, 3), None), ((5, 3), (5, 3), None)])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_cross(sa, sb, dim, dtype):
    a, b = rand(sa, dtype), rand(sb, dtype)
    theirs = torch.cross(a, b, dim=dim) if dim is not None else torch.cross(a, b, dim=[d for d, s in enumerate(torch.broadcast_shapes(sa, sb)) if s == 3][0])
    assert_same(cresset.cross(to_cresset(a), to_cresset(b), dim=dim), theirs)
    assert_same(to_cresset(a).cross(to_cresset(b), dim), theirs)
    if dim is not None:
        assert_same(cresset.linalg.cross(to_cresset(a), to_cresset(b), dim=dim),
                    torch.linalg.cross(a, b, dim=dim))


def test_linalg_cross_default_dim_and_layout():
    a = torch.randn(3, 4).t()
    b = torch.randn(4, 3)
    assert_same(cresset.linalg.cross(to_cresset(a), to_cresset(b)), torch.linalg.cross(a, b))


@pytest.mark.parametrize("shape,dtype,lay", [((3, 3), "float32", "contiguous"), ((3, 5), "float64", "transposed"),
                                             ((6, 2), "int32", "stepped"), ((4, 4), "uint8", "contiguous"),
                                             ((0, 3), "float32", "contiguous"), ((3, 3), "float16", "contiguous")])
def test_trace(shape, dtype, lay):
    t = layout(rand(shape, dtype), lay)
    assert_same(cresset.trace(to_cresset(t)), torch.trace(t))
    assert_same(to_cresset(t).trace(), t.trace())


# ---------------------------------------------------------------- errors

def _t(lib, shape, dtype="float32"):
    return lib.ones(shape, dtype=getattr(lib, dtype))


ERRORS = [
    (RuntimeError, lambda L: L.mm(_t(L, (64, 100)), _t(L, (10, 32)))),
    (RuntimeError, lambda L: L.mm(_t(L, (3,)), _t(L, (3, 3)))),
    (RuntimeError, lambda L: L.mm(_t(L, (2, 3)), _t(L, (3, 3), "float64"))),
    (NotImplementedError, lambda L: L.mm(_t(L, (2, 3), "bool"), _t(L, (3, 3), "bool"))),
    (NotImplementedError, lambda L: L.matmul(_t(L, (2, 3), "bool"), _t(L, (3, 3), "bool"))),
    (NotImplementedError, lambda L: L.dot(_t(L, (3,), "bool"), _t(L, (3,), "bool"))),
    (RuntimeError, lambda L: L.matmul(_t(L, ()), _t(L, (3,)))),
    (RuntimeError, lambda L: L.matmul(_t(L, (2, 2, 3)), _t(L, (4, 5)))),
    (RuntimeError, lambda L: L.matmul(_t(L, (2, 2, 3)), _t(L, (3, 4, 5)))),
    (RuntimeError, lambda L: L.matmul(_t(L, (2, 2, 3)), _t(L, (2, 4, 5)))),
    (RuntimeError, lambda L: L.matmul(_t(L, (2, 3)), _t(L, (4,)))),
    (RuntimeError, lambda L: L.matmul(_t(L, (2, 2, 3)), _t(L, (2, 3, 4), "float64"))),
    (RuntimeError, lambda L: L.bmm(_t(L, (3, 3)), _t(L, (3, 3)))),
    (RuntimeError, lambda L: L.bmm(_t(L, (2, 3, 3)), _t(L, (3, 3, 3)))),
    (RuntimeError, lambda L: L.bmm(_t(L, (2, 3, 4)), _t(L, (2, 3, 3)))),
    (RuntimeError, lambda L: L.mv(_t(L, (3, 4)), _t(L, (3,)))),
    (RuntimeError, lambda L: L.mv(_t(L, (3, 4)), _t(L, (3, 4)))),
    (RuntimeError, lambda L: L.dot(_t(L, (3,)), _t(L, (4,)))),
    (RuntimeError, lambda L: L.dot(_t(L, (3,)), _t(L, (3, 1)))),
    (RuntimeError, lambda L: L.dot(_t(L, (3,)), _t(L, (3,), "float64"))),
    (RuntimeError, lambda L: L.vdot(_t(L, (3,)), _t(L, (4,)))),
    (RuntimeError, lambda L: L.outer(_t(L, (3, 3)), _t(L, (3,)))),
    (RuntimeError, lambda L: L.inner(_t(L, (2, 3)), _t(L, (4, 4)))),
    (RuntimeError, lambda L: L.addmm(_t(L, (4,)), _t(L, (2, 3)), _t(L, (3, 3)))),
    (RuntimeError, lambda L: L.addmm(_t(L, (2, 3), "float64"), _t(L, (2, 3)), _t(L, (3, 3)))),
    (RuntimeError, lambda L: _t(L, (5,)).addmm_(_t(L, (3, 4)), _t(L, (4, 5)))),
    (RuntimeError, lambda L: L.addbmm(_t(L, (3, 5)), _t(L, (2, 3, 4)), _t(L, (3, 4, 5)))),
    (RuntimeError, lambda L: L.baddbmm(_t(L, (2, 3, 5), "float64"), _t(L, (2, 3, 4)), _t(L, (2, 4, 5)))),
    (RuntimeError, lambda L: L.addr(_t(L, (3, 3), "int64"), _t(L, (3,), "int64"), _t(L, (3,), "int64"), beta=0.5)),
    (RuntimeError, lambda L: L.addmv(_t(L, (3,), "float64"), _t(L, (3, 4)), _t(L, (4,)))),
    (RuntimeError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (4, 2)), dims=1)),
    (RuntimeError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (3, 2)), dims=-1)),
    (RuntimeError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (3, 2)), dims=3)),
    (RuntimeError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (3, 2), "float64"), dims=1)),
    (RuntimeError, lambda L: L.tensordot(_t(L, (2, 3, 4)), _t(L, (3, 4, 5)), dims=([1], [0, 1]))),
    (TypeError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (3, 2)), dims=[0, 1])),
    (ValueError, lambda L: L.tensordot(_t(L, (2, 3)), _t(L, (3, 2)), dims=([1],))),
    (RuntimeError, lambda L: L.einsum("ij,jk->ik", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("ij", _t(L, (2, 3)), _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("ij->ik", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("ij,jk->ik", _t(L, (2, 3)), _t(L, (4, 4)))),
    (RuntimeError, lambda L: L.einsum("ii->i", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("ijk->i", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("ij->ii", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("a.b", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("i1", _t(L, (2, 3)))),
    (RuntimeError, lambda L: L.einsum("i,i", _t(L, (2,)), _t(L, (2,), "float64"))),
    (NotImplementedError, lambda L: L.einsum("i,i", _t(L, (2,), "bool"), _t(L, (2,), "bool"))),
    (RuntimeError, lambda L: L.cross(_t(L, (2, 3)), _t(L, (2, 4)))),
    (RuntimeError, lambda L: L.cross(_t(L, (2, 4)), _t(L, (2, 4)))),
    (RuntimeError, lambda L: L.cross(_t(L, (3, 2), "int32"), _t(L, (3, 2)), dim=0)),
    (NotImplementedError, lambda L: L.cross(_t(L, (2, 3), "bool"), _t(L, (2, 3), "bool"), dim=1)),
    (IndexError, lambda L: L.linalg.cross(_t(L, (2, 3)), _t(L, (2, 3)), dim=5)),
    (RuntimeError, lambda L: L.linalg.cross(_t(L, (3, 2)), _t(L, (3, 2)))),
    (RuntimeError, lambda L: L.mm(_t(L, (4, 5)), _t(L, (5, 3)), out=_t(L, (1, 3)).as_strided((4, 3), (0, 1)))),
    (RuntimeError, lambda L: L.trace(_t(L, (2, 3, 4)))),
    (NotImplementedError, lambda L: L.trace(_t(L, (2, 3), "bool"))),
]


@pytest.mark.parametrize("exc,fn", ERRORS)
def test_errors(exc, fn):
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))


def test_error_messages_keep_torch_wording():
    with pytest.raises(RuntimeError, match=r"\[mm\] mat1 and mat2 shapes cannot be multiplied \(64x100 and 10x32\)"):
        cresset.mm(cresset.ones(64, 100), cresset.ones(10, 32))
    with pytest.raises(RuntimeError, match=r"\[matmul\] mat1 and mat2 shapes cannot be multiplied \(64x100 and 10x32\)"):
        cresset.matmul(cresset.ones(64, 100), cresset.ones(10, 32))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float != double"):
        cresset.mm(cresset.ones(2, 3), cresset.ones(3, 3, dtype=cresset.float64))
    with pytest.raises(RuntimeError, match="inconsistent tensor size, expected tensor \\[3\\] and src \\[4\\]"):
        cresset.dot(cresset.ones(3), cresset.ones(4))
    with pytest.raises(RuntimeError, match="einsum\\(\\): subscript i is repeated for operand 0"):
        cresset.einsum("ii->i", cresset.ones(2, 3))
