"""The sort family on CUDA: sort, argsort, topk, kthvalue, median, nanmedian, mode, unique,
unique_consecutive, bincount and histc.

Real torch on the CPU is the oracle for values, and for indices wherever torch defines them
(stable sort; distinct values). Where torch leaves the index of equal elements to its
implementation (topk, kthvalue, median, mode), the CUDA result must equal cresset's CPU result,
whose tie order Note [Sort order] fixes. Every test skips without a GPU.
"""
import math

import pytest
import torch
from utils import DTYPE_NAMES, FLOAT_DTYPES, assert_same, to_cresset

import cresset

gpu = pytest.mark.skipif(not cresset.cuda.is_available(),
                         reason="no CUDA GPU on this machine (or built without CUDA)")
pytestmark = gpu

NAN, INF = math.nan, math.inf
NUMERIC = [d for d in DTYPE_NAMES if d != "bool"]


def cuda(t):
    """The cresset CUDA tensor with torch tensor t's values, dtype and strides."""
    return to_cresset(t).cuda()


def same(ours, theirs, **kw):
    """CUDA result(s) `ours` equal torch's `theirs` (compared on the CPU)."""
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t, **kw)
        return
    assert ours.is_cuda, f"expected a CUDA result, got {ours.device}"
    assert_same(ours.cpu(), theirs, **kw)


def equal_cpu(ours, cpu):
    """CUDA result(s) equal cresset's CPU result(s) exactly (NaN equal to NaN)."""
    if isinstance(cpu, (tuple, list)):
        assert len(ours) == len(cpu)
        for o, c in zip(ours, cpu):
            equal_cpu(o, c)
        return
    assert ours.is_cuda and not cpu.is_cuda
    assert ours.dtype == cpu.dtype and tuple(ours.shape) == tuple(cpu.shape)
    a, b = ours.cpu().tolist(), cpu.tolist()
    assert repr(a) == repr(b), f"{a} != {b}"


def ties(shape, dtype, seed=0, lo=-4, hi=5):
    """Small integers of `dtype` with many ties (0/1 for bool, non-negative for uint8)."""
    g = torch.Generator().manual_seed(seed)
    if dtype == "bool":
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype == "uint8":
        lo, hi = 0, hi - lo
    return torch.randint(lo, hi, shape, generator=g).to(getattr(torch, dtype))


def distinct(shape, dtype, seed=0):
    """Distinct values of `dtype` (a permutation, shifted negative where signed)."""
    n = math.prod(shape)
    g = torch.Generator().manual_seed(seed)
    t = torch.randperm(n, generator=g)
    if dtype not in ("uint8", "bool"):
        t = t - n // 2
    return t.reshape(shape).to(getattr(torch, dtype))


def with_nans(shape, dtype, seed=0):
    """Floats with ties, NaNs, infinities and both zeros."""
    g = torch.Generator().manual_seed(seed)
    t = torch.randint(-3, 4, shape, generator=g).double()
    r = torch.rand(shape, generator=g)
    t[r < 0.15] = NAN
    t[(r >= 0.15) & (r < 0.2)] = INF
    t[(r >= 0.2) & (r < 0.25)] = -INF
    t[(r >= 0.25) & (r < 0.35)] = -0.0
    return t.to(getattr(torch, dtype))


def layouts(t):
    """t (at least 2-d) and non-contiguous views of it."""
    return [t, t.transpose(0, -1), t[::2], t.transpose(0, 1)[:, 1::2]]


# ---- sort / argsort ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_all_dtypes(dtype, descending):
    base = ties((6, 9, 13), dtype)
    for t in layouts(base):
        for dim in range(-t.dim(), t.dim()):
            ours = cresset.sort(cuda(t), dim=dim, descending=descending, stable=True)
            theirs = torch.sort(t, dim=dim, descending=descending, stable=True)
            same(ours, theirs, check_stride=True)
            same(cresset.argsort(cuda(t), dim=dim, descending=descending, stable=True),
                 torch.argsort(t, dim=dim, descending=descending, stable=True))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_nans_infs_zeros(dtype, descending):
    t = with_nans((5, 40), dtype, seed=1)
    for dim in (0, 1):
        same(cresset.sort(cuda(t), dim, descending, stable=True),
             torch.sort(t, dim=dim, descending=descending, stable=True))
    v = torch.tensor([3., NAN, 1, -0.0, NAN, 0.0, -INF, INF, 1, -0.0]).to(getattr(torch, dtype))
    same(cresset.sort(cuda(v), descending=descending, stable=True),
         torch.sort(v, descending=descending, stable=True))


@pytest.mark.parametrize("dtype", ["float32", "int32", "float16"])
def test_sort_0dim_empty_length_one(dtype):
    dt = getattr(torch, dtype)
    for t in (torch.tensor(5, dtype=dt), torch.zeros(0, dtype=dt), torch.zeros(3, 0, dtype=dt),
              torch.zeros(0, 4, dtype=dt), torch.ones(7, 1, dtype=dt)):
        for dim in ([0] if t.dim() == 0 else range(t.dim())):
            same(cresset.sort(cuda(t), dim), torch.sort(t, dim=dim, stable=True))
            same(cresset.argsort(cuda(t), dim), torch.argsort(t, dim=dim, stable=True))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int16", "float16"])
def test_sort_large_row(dtype):
    # One line of 100000 elements (no line bits in the radix key).
    t = ties((100_000,), dtype, seed=2, lo=-1000, hi=1000)
    for descending in (False, True):
        same(cresset.sort(cuda(t), descending=descending, stable=True),
             torch.sort(t, descending=descending, stable=True))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_sort_many_lines(dtype):
    # 64-bit keys with several lines take the second (line) radix pass; narrower keys carry the
    # line in the key's high bits.
    for shape, dim in [((3, 70_000), 1), ((100_000, 3), 1), ((50_000, 1), 1), ((4, 5000, 3), 1),
                       ((2000, 2), 0)]:
        t = ties(shape, dtype, seed=3)
        for descending in (False, True):
            same(cresset.sort(cuda(t), dim, descending, stable=True),
                 torch.sort(t, dim=dim, descending=descending, stable=True))


def test_sort_int64_extremes():
    t = torch.tensor([2 ** 62, -2 ** 63, 2 ** 63 - 1, 0, -1, 1, -2 ** 62, 2 ** 63 - 1, -2 ** 63])
    t = torch.stack([t, t.flip(0)])
    for descending in (False, True):
        same(cresset.sort(cuda(t), 1, descending, stable=True),
             torch.sort(t, dim=1, descending=descending, stable=True))


def test_sort_expanded_and_out():
    t = torch.randn(4, 1).expand(4, 5)
    same(cresset.sort(cuda(t), 0), torch.sort(t, dim=0, stable=True))
    same(cresset.sort(cuda(t), 1), torch.sort(t, dim=1, stable=True))
    x = cuda(torch.tensor([[3., 1, 2], [0, -1, 5]]))
    values = cresset.empty(2, 3, device=x.device)
    indices = cresset.empty(2, 3, dtype=cresset.int64, device=x.device)
    cresset.sort(x, 1, out=(values, indices))
    same((values, indices), torch.sort(torch.tensor([[3., 1, 2], [0, -1, 5]]), 1))


# ---- topk ----

@pytest.mark.parametrize("dtype", NUMERIC)
def test_topk_distinct_matches_torch(dtype):
    t = distinct((6, 7, 5), dtype).transpose(0, 2)
    for dim in (0, 1, -1):
        n = t.shape[dim]
        for k in sorted({0, 1, n // 2, n}):
            for largest in (True, False):
                same(cresset.topk(cuda(t), k, dim, largest=largest),
                     torch.topk(t, k, dim, largest=largest))


@pytest.mark.parametrize("dtype", NUMERIC)
def test_topk_ties_match_cpu(dtype):
    t = ties((5, 300), dtype, seed=4)
    for dim, k in [(1, 1), (1, 17), (1, 300), (0, 3)]:
        for largest in (True, False):
            ours = cresset.topk(cuda(t), k, dim, largest=largest)
            equal_cpu(ours, cresset.topk(to_cresset(t), k, dim, largest=largest))
            same(ours[0], torch.topk(t, k, dim, largest=largest)[0])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_topk_nans(dtype):
    t = with_nans((4, 50), dtype, seed=5)
    for largest in (True, False):
        ours = cresset.topk(cuda(t), 10, 1, largest=largest)
        equal_cpu(ours, cresset.topk(to_cresset(t), 10, 1, largest=largest))
        same(ours[0], torch.topk(t, 10, 1, largest=largest)[0])


def test_topk_large_and_small():
    t = torch.randn(100_000)
    same(cresset.topk(cuda(t), 50), torch.topk(t, 50))
    same(cresset.topk(cuda(t), 50, largest=False), torch.topk(t, 50, largest=False))
    same(cresset.topk(cuda(torch.tensor(3.)), 1), torch.topk(torch.tensor(3.), 1))
    same(cresset.topk(cuda(torch.zeros(3, 0)), 0, 1), torch.topk(torch.zeros(3, 0), 0, 1))
    same(cresset.topk(cuda(torch.zeros(0, 4)), 2, 1), torch.topk(torch.zeros(0, 4), 2, 1))


# ---- kthvalue / median / nanmedian / mode ----

@pytest.mark.parametrize("dtype", NUMERIC)
def test_kthvalue_median_mode_distinct_match_torch(dtype):
    t = distinct((5, 7, 3), dtype, seed=6).transpose(0, 1)
    for dim in (0, 1, 2):
        n = t.shape[dim]
        for k in sorted({1, (n + 1) // 2, n}):
            same(cresset.kthvalue(cuda(t), k, dim), torch.kthvalue(t, k, dim))
        for keepdim in (False, True):
            same(cresset.median(cuda(t), dim, keepdim), torch.median(t, dim, keepdim))
    same(cresset.median(cuda(t)), torch.median(t))


@pytest.mark.parametrize("dtype", NUMERIC + ["bool"])
def test_selection_ties_match_cpu(dtype):
    t = ties((7, 40, 3), dtype, seed=7, lo=-2, hi=3)
    for dim in (0, 1):
        if dtype != "bool":
            for k in (1, 5, t.shape[dim]):
                ours = cresset.kthvalue(cuda(t), k, dim)
                equal_cpu(ours, cresset.kthvalue(to_cresset(t), k, dim))
                same(ours[0], torch.kthvalue(t, k, dim)[0])
            ours = cresset.median(cuda(t), dim)
            equal_cpu(ours, cresset.median(to_cresset(t), dim))
            same(ours[0], torch.median(t, dim)[0])
            same(cresset.median(cuda(t)), torch.median(t))
        for keepdim in (False, True):
            ours = cresset.mode(cuda(t), dim, keepdim)
            equal_cpu(ours, cresset.mode(to_cresset(t), dim, keepdim))
            # torch's index among equal values is its implementation's; the value is the smallest
            # of the most frequent.
            same(ours[0], torch.mode(t.contiguous(), dim, keepdim)[0])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_selection_nans(dtype):
    t = with_nans((6, 31), dtype, seed=8)
    t[0] = NAN  # a line of NaNs only
    t[1, :] = 1.0
    t[1, 3] = NAN  # a single NaN
    for dim in (0, 1):
        for op in ("median", "nanmedian", "mode"):
            ours = getattr(cresset, op)(cuda(t), dim)
            equal_cpu(ours, getattr(cresset, op)(to_cresset(t), dim))
            if op != "mode":  # cresset's mode counts NaNs as equal; torch's never does
                same(ours[0], getattr(torch, op)(t, dim)[0])
        ours = cresset.kthvalue(cuda(t), 4, dim)
        equal_cpu(ours, cresset.kthvalue(to_cresset(t), 4, dim))
        same(ours[0], torch.kthvalue(t, 4, dim)[0])
    for op in ("median", "nanmedian"):
        same(getattr(cresset, op)(cuda(t)), getattr(torch, op)(t))
        same(getattr(cresset, op)(cuda(t[1:])), getattr(torch, op)(t[1:]))
        same(getattr(cresset, op)(cuda(t[2:])), getattr(torch, op)(t[2:]))


def test_selection_shapes():
    m = torch.tensor(4.5)
    for op in ("median", "nanmedian", "mode"):
        same(getattr(cresset, op)(cuda(m), 0), getattr(torch, op)(m, 0))
        same(getattr(cresset, op)(cuda(torch.ones(5, 1)), 1), getattr(torch, op)(torch.ones(5, 1), 1))
        same(getattr(cresset, op)(cuda(torch.zeros(0, 3)), 1),
             getattr(torch, op)(torch.zeros(0, 3), 1))
    same(cresset.kthvalue(cuda(m), 1), torch.kthvalue(m, 1))
    same(cresset.median(cuda(torch.zeros(0))), torch.median(torch.zeros(0)))
    t = torch.randint(0, 50, (100_000,))
    same(cresset.median(cuda(t)), torch.median(t))
    same(cresset.mode(cuda(t), 0)[0], torch.mode(t, 0)[0])
    equal_cpu(cresset.mode(cuda(t), 0), cresset.mode(to_cresset(t), 0))
    same(cresset.kthvalue(cuda(t.double()), 77_777)[0], torch.kthvalue(t.double(), 77_777)[0])
    many = torch.randint(0, 4, (20_000, 5))
    for op in ("median", "mode"):
        equal_cpu(getattr(cresset, op)(cuda(many), 1), getattr(cresset, op)(to_cresset(many), 1))


# ---- unique ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_unique_all_dtypes(dtype):
    t = ties((9, 21), dtype, seed=9)
    for v in (t, t.t(), torch.tensor(3).to(t.dtype), t[:0]):
        for inv in (False, True):
            for counts in (False, True):
                same(cresset.unique(cuda(v), return_inverse=inv, return_counts=counts),
                     torch.unique(v, return_inverse=inv, return_counts=counts))
                same(cresset.unique_consecutive(cuda(v), return_inverse=inv,
                                                return_counts=counts),
                     torch.unique_consecutive(v, return_inverse=inv, return_counts=counts))


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_unique_nans_and_zeros(dtype):
    t = torch.tensor([NAN, 1., NAN, 2., 1., -0.0, 0.0, NAN, NAN, -INF]).to(getattr(torch, dtype))
    ours = cresset.unique(cuda(t), return_inverse=True, return_counts=True)
    equal_cpu(ours, cresset.unique(to_cresset(t), return_inverse=True, return_counts=True))
    same(ours, torch.unique(t, return_inverse=True, return_counts=True))
    ours = cresset.unique_consecutive(cuda(t), return_inverse=True, return_counts=True)
    same(ours, torch.unique_consecutive(t, return_inverse=True, return_counts=True))


def test_unique_large():
    g = torch.Generator().manual_seed(10)
    for t in (torch.randint(-1000, 1000, (100_003,), generator=g),
              torch.randint(0, 2 ** 40, (99_001,), generator=g),
              torch.randint(0, 3, (99_000,), generator=g).sort().values,
              torch.randn(50_000, generator=g).round(decimals=1)):
        same(cresset.unique(cuda(t), return_inverse=True, return_counts=True),
             torch.unique(t, return_inverse=True, return_counts=True))
        same(cresset.unique_consecutive(cuda(t), return_inverse=True, return_counts=True),
             torch.unique_consecutive(t, return_inverse=True, return_counts=True))


@pytest.mark.parametrize("dtype", ["int64", "float32", "uint8", "bool", "float16"])
def test_unique_dim(dtype):
    rows = torch.tensor([[1, 2, 0], [1, 2, 0], [0, 5, 1], [1, 2, 0], [0, 5, 0], [0, 1, 1]])
    rows = rows.bool() if dtype == "bool" else rows.to(getattr(torch, dtype))
    cube = ties((6, 3, 4), dtype, seed=11, lo=0, hi=2)
    for t in (rows, rows.t(), cube, cube.transpose(0, 2)):
        for dim in range(-t.dim(), t.dim()):
            same(cresset.unique(cuda(t), dim=dim, return_inverse=True, return_counts=True),
                 torch.unique(t, dim=dim, return_inverse=True, return_counts=True))
            same(cresset.unique_consecutive(cuda(t), dim=dim, return_inverse=True,
                                            return_counts=True),
                 torch.unique_consecutive(t, dim=dim, return_inverse=True, return_counts=True))
    same(cresset.unique(cuda(torch.zeros(0, 3)), dim=0), torch.unique(torch.zeros(0, 3), dim=0))


def test_unique_dim_many_rows():
    t = torch.randint(0, 3, (5000, 4))
    same(cresset.unique(cuda(t), dim=0, return_inverse=True, return_counts=True),
         torch.unique(t, dim=0, return_inverse=True, return_counts=True))


# ---- bincount / histc ----

def test_bincount():
    x = torch.tensor([0, 1, 1, 3, 7, 3])
    for v in (x, x.to(torch.uint8), x.int()):
        same(cresset.bincount(cuda(v)), torch.bincount(v))
        same(cresset.bincount(cuda(v), minlength=10), torch.bincount(v, minlength=10))
    same(cresset.bincount(cuda(torch.zeros(0, dtype=torch.int64))),
         torch.bincount(torch.zeros(0, dtype=torch.int64)))
    same(cresset.bincount(cuda(torch.zeros(0, dtype=torch.int64)), minlength=4),
         torch.bincount(torch.zeros(0, dtype=torch.int64), minlength=4))
    for wdt in ("float32", "float64", "int64", "float16"):
        w = torch.tensor([0.5, 1, 2, 3, 4, 5]).to(getattr(torch, wdt))
        same(cresset.bincount(cuda(x), cuda(w)), torch.bincount(x, w))
        same(cresset.bincount(cuda(x), cuda(w), minlength=9), torch.bincount(x, w, minlength=9))
    big = torch.randint(0, 1000, (200_000,))
    weights = torch.rand(200_000, dtype=torch.float64)
    same(cresset.bincount(cuda(big)), torch.bincount(big))
    same(cresset.bincount(cuda(big), cuda(weights)), torch.bincount(big, weights), rtol=1e-10)
    same(cresset.bincount(cuda(big), cuda(weights.float())), torch.bincount(big, weights.float()),
         rtol=1e-4, atol=1e-3)
    with pytest.raises(RuntimeError, match="non-negative"):
        cresset.bincount(cuda(torch.tensor([1, -1, 2])))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_histc(dtype):
    data = torch.tensor([1., 2, 3, 2.5, -1, 7, NAN, 2.0000001, 3, 0]).to(getattr(torch, dtype))
    same(cresset.histc(cuda(data[:6]), bins=4), torch.histc(data[:6], bins=4))
    same(cresset.histc(cuda(data), bins=5, min=0, max=3), torch.histc(data, bins=5, min=0, max=3))
    same(cresset.histc(cuda(data[:4]), bins=3, min=1, max=1),
         torch.histc(data[:4], bins=3, min=1, max=1))
    same(cresset.histc(cuda(data.reshape(2, 5)), bins=6, min=-2, max=8),
         torch.histc(data.reshape(2, 5), bins=6, min=-2, max=8))
    same(cresset.histc(cuda(torch.tensor(2.).to(data.dtype)), bins=3),
         torch.histc(torch.tensor(2.).to(data.dtype), bins=3))
    same(cresset.histc(cuda(torch.zeros(0).to(data.dtype))), torch.histc(torch.zeros(0).to(data.dtype)))
    g = torch.Generator().manual_seed(12)
    big = torch.randn(1000, generator=g).to(getattr(torch, dtype))
    ours = cresset.histc(cuda(big), bins=17, min=-1, max=1.5)
    equal_cpu(ours, cresset.histc(to_cresset(big), bins=17, min=-1, max=1.5))
    if dtype in ("float32", "float64"):  # torch bins 16-bit floats near the edges differently
        same(ours, torch.histc(big, bins=17, min=-1, max=1.5))


def test_histc_large_float32():
    big = torch.randn(300_000, generator=torch.Generator().manual_seed(13))
    same(cresset.histc(cuda(big), bins=100), torch.histc(big, bins=100))
    same(cresset.histc(cuda(big), bins=7, min=-0.5, max=0.5),
         torch.histc(big, bins=7, min=-0.5, max=0.5))


# ---- gradients (backward through gather/scatter on CUDA) ----

def grad_pair(shape, seed):
    t = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    x = cuda(t).requires_grad_()
    return t.requires_grad_(), x


@pytest.mark.parametrize("name", ["sort", "topk", "kthvalue", "median", "median_all", "mode",
                                  "nanmedian"])
def test_gradients(name):
    t, x = grad_pair((5, 8), seed=14)
    g = torch.randn(5, 8, generator=torch.Generator().manual_seed(15), dtype=torch.float64)
    fns = {
        "sort": lambda lib, v: lib.sort(v, 1, descending=True)[0] * (g if lib is torch else cuda(g)),
        "topk": lambda lib, v: lib.topk(v.t(), 3, 0)[0],
        "kthvalue": lambda lib, v: lib.kthvalue(v, 3, 1)[0],
        "median": lambda lib, v: lib.median(v, 0, keepdim=True)[0],
        "median_all": lambda lib, v: lib.median(v),
        "mode": lambda lib, v: lib.mode(v.round(), 1)[0],
        "nanmedian": lambda lib, v: lib.nanmedian(v, 1)[0],
    }
    ours, theirs = fns[name](cresset, x), fns[name](torch, t)
    same(ours.detach(), theirs.detach())
    (ours.pow(2).sum()).backward()
    (theirs.pow(2).sum()).backward()
    assert x.grad is not None and x.grad.is_cuda
    same(x.grad, t.grad)
