"""CUDA kernels of the scans (cumsum, cumprod, cummax, cummin, logcumsumexp), tril/triu,
repeat_interleave's slice gather and resampling (F.interpolate), against real torch on the CPU.

Every test needs a GPU and skips, saying so, without one.
"""
import pytest
import torch
import torch.nn.functional as TF

import cresset
import cresset.nn.functional as CF
from utils import assert_same, to_cresset

gpu = pytest.mark.skipif(not cresset.cuda.is_available(),
                         reason="no CUDA GPU on this machine (or built without CUDA)")
pytestmark = gpu


def cuda(t, requires_grad=False):
    """A CUDA cresset tensor with t's values, dtype and strides."""
    x = to_cresset(t).cuda()
    assert x.device.type == "cuda"
    return x.requires_grad_(requires_grad) if requires_grad else x


def check(ours, theirs, **kw):
    """ours (on CUDA) equals theirs (torch, CPU)."""
    for o in ours if isinstance(ours, (tuple, list)) else [ours]:
        assert o.device.type == "cuda", o.device
    if isinstance(ours, (tuple, list)):
        assert_same([o.cpu() for o in ours], list(theirs), **kw)
    else:
        assert_same(ours.cpu(), theirs, **kw)


def make(shape, dtype, low=-3, high=3, gen=None):
    g = gen or torch.Generator().manual_seed(0)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if not dtype.is_floating_point:
        lo = 0 if dtype == torch.uint8 else low
        return torch.randint(lo, high, shape, generator=g).to(dtype)
    return (torch.rand(shape, generator=g, dtype=torch.float64) * (high - low) + low).to(dtype)


TOL = {torch.float16: 2e-3, torch.bfloat16: 2e-2, torch.float32: 1e-5, torch.float64: 1e-10}

# (shape, dim): short lines (one thread per line), long lines split into chunks (see
# Note [CUDA chunked scan]) with the scanned dim innermost, outermost and in the middle, 0-dim
# and empty tensors.
SCAN_CASES = [((5,), 0), ((3, 4, 5), 0), ((3, 4, 5), 1), ((3, 4, 5), -1), ((), 0), ((0,), 0),
              ((2, 0, 3), 1), ((2, 0, 3), 2), ((7, 300), 1), ((300, 5), 0), ((3, 200, 4), 1),
              ((70000,), 0), ((2, 33), 1), ((17,), 0)]


def scan(mod, op, x, dim, **kw):
    r = getattr(mod, op)(x, dim, **kw)
    return tuple(r) if op in ("cummax", "cummin") else r


# ---- scans -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,dim", SCAN_CASES)
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
def test_scan_float32(op, shape, dim):
    t = make(shape, torch.float32, -1, 1)
    if op == "cumprod":  # long products stay finite and away from 0
        t = 1 + 0.01 * t
    check(scan(cresset, op, cuda(t), dim), scan(torch, op, t, dim), rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((4, 50), 1), ((40, 3), 0)])
def test_scan_float_dtypes(op, dtype, shape, dim):
    t = make(shape, dtype, -1, 1)
    if op == "cumprod":
        t = (1 + 0.01 * t.double()).to(dtype)
    ours, theirs = scan(cresset, op, cuda(t), dim), scan(torch, op, t, dim)
    check(ours, theirs, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32,
                                   torch.int64])
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((6, 40), 1), ((6, 40), 0), ((3000,), 0), ((), 0)])
def test_scan_integer_and_bool(op, dtype, shape, dim):
    # Few distinct values: many ties, so cummax/cummin's last-index rule is exercised, also
    # across chunk boundaries; integer results are exact.
    t = make(shape, dtype, -2, 3)
    if op == "cumprod" and dtype != torch.bool:
        t = make(shape, dtype, 1, 3) if dtype == torch.uint8 else make(shape, dtype, -1, 2)
    check(scan(cresset, op, cuda(t), dim), scan(torch, op, t, dim))


@pytest.mark.parametrize("op", ["cummax", "cummin"])
@pytest.mark.parametrize("n", [8, 5000])
def test_cummax_ties_take_last_index(op, n):
    t = torch.zeros(3, n)
    t[1, ::7] = 1.0
    t[2] = torch.arange(n) % 3
    values, indices = scan(cresset, op, cuda(t), 1)
    tv, ti = scan(torch, op, t, 1)
    check((values, indices), (tv, ti))
    assert indices.cpu().tolist()[0][-1] == n - 1  # all equal: the last index


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("n", [10, 4000])
def test_scan_nan_and_inf(op, dtype, n):
    t = make((3, n), dtype, -1, 1)
    t[0, 3] = float("nan")
    t[1, n // 2] = float("inf")
    t[1, n // 2 + 1] = float("-inf")
    t[2, 1] = float("nan")
    t[2, n - 2] = float("nan")
    ours, theirs = scan(cresset, op, cuda(t), 1), scan(torch, op, t, 1)
    tol = 1e-3 if dtype == torch.float16 else 1e-5
    check(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1])
def test_scan_non_contiguous(op, dim):
    base = make((40, 6), torch.float32, 0.5, 1.5)
    t = base.t()  # (6, 40), transposed
    x = cuda(base).t()
    assert not x.is_contiguous()
    check(scan(cresset, op, x, dim), scan(torch, op, t, dim), rtol=2e-5, atol=1e-5)
    sl = make((5, 64), torch.float32, 0.5, 1.5)[:, ::3]  # strided columns
    check(scan(cresset, op, cuda(make((5, 64), torch.float32, 0.5, 1.5))[:, ::3], dim),
          scan(torch, op, sl, dim), rtol=2e-5, atol=1e-5)


def test_cumsum_dtype_argument_and_promotion():
    t = make((4, 30), torch.int8, -100, 100)
    check(cresset.cumsum(cuda(t), 1), torch.cumsum(t, 1))  # int8 -> int64
    check(cresset.cumsum(cuda(t), 1, dtype=cresset.int8), torch.cumsum(t, 1, dtype=torch.int8))
    check(cresset.cumsum(cuda(t), 0, dtype=cresset.float64),
          torch.cumsum(t, 0, dtype=torch.float64))
    b = make((50,), torch.bool)
    check(cresset.cumsum(cuda(b), 0), torch.cumsum(b, 0))
    check(cresset.cumprod(cuda(b), 0), torch.cumprod(b, 0))
    h = make((4, 30), torch.float16, -1, 1)
    check(cresset.cumsum(cuda(h), 1, dtype=cresset.float32), torch.cumsum(h, 1, dtype=torch.float32))


def test_scan_methods_and_inplace():
    t = make((5, 40), torch.float32, 0.5, 1.5)
    x = cuda(t)
    check(x.cumsum(1), t.cumsum(1))
    check(x.cumprod(dim=0), t.cumprod(dim=0), rtol=1e-5)
    y = x.clone()
    y.cumsum_(1)
    check(y, t.clone().cumsum_(1))


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((4, 6), 1), ((5, 40), 0), ((3, 100), 1), ((), 0)])
def test_scan_backward(op, shape, dim):
    t = make(shape, torch.float64, 0.5, 1.5).requires_grad_()
    w = make(shape, torch.float64, -1, 1, torch.Generator().manual_seed(1))
    x = cuda(t.detach(), requires_grad=True)
    out = scan(cresset, op, x, dim)
    ref = scan(torch, op, t, dim)
    out, ref = (out[0], ref[0]) if isinstance(out, tuple) else (out, ref)
    (out * cuda(w)).sum().backward()
    (ref * w).sum().backward()
    assert x.grad is not None
    check(x.grad, t.grad, rtol=1e-9, atol=1e-9)


# ---- tril / triu -------------------------------------------------------------------------


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("diagonal", [-7, -2, -1, 0, 1, 3, 9])
@pytest.mark.parametrize("shape", [(5, 7), (7, 5), (2, 3, 4, 5), (1, 1), (0, 3), (3, 0),
                                   (2, 0, 4), (4, 1, 6)])
def test_tril_triu(lower, diagonal, shape):
    t = make(shape, torch.float32)
    op = "tril" if lower else "triu"
    check(getattr(cresset, op)(cuda(t), diagonal), getattr(torch, op)(t, diagonal))


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int16, torch.int32, torch.int64,
                                   torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("lower", [True, False])
def test_tril_triu_dtypes(dtype, lower):
    t = make((3, 6, 4), dtype, 1, 5)
    op = "tril" if lower else "triu"
    check(getattr(cresset, op)(cuda(t), 1), getattr(torch, op)(t, 1))


@pytest.mark.parametrize("lower", [True, False])
def test_tril_triu_strided_and_inplace(lower):
    op = "tril" if lower else "triu"
    base = make((3, 6, 5), torch.float32)
    t = base.transpose(0, 2)  # (5, 6, 3), every dim strided
    x = cuda(base).transpose(0, 2)
    assert not x.is_contiguous()
    check(getattr(cresset, op)(x, 1), getattr(torch, op)(t, 1))
    check(getattr(x, op)(-1), getattr(t, op)(-1))
    # In place on a non-contiguous view writes through to the base.
    tb, xb = base.clone(), cuda(base)
    getattr(tb.transpose(1, 2), op + "_")(0)
    getattr(xb.transpose(1, 2), op + "_")(0)
    check(xb, tb)
    tc, xc = base.clone(), cuda(base)
    getattr(tc, op + "_")(2)
    getattr(xc, op + "_")(2)
    check(xc, tc)


@pytest.mark.parametrize("lower", [True, False])
def test_tril_triu_backward(lower):
    op = "tril" if lower else "triu"
    t = make((2, 4, 5), torch.float64).requires_grad_()
    w = make((2, 4, 5), torch.float64, gen=torch.Generator().manual_seed(3))
    x = cuda(t.detach(), requires_grad=True)
    (getattr(cresset, op)(x, 1) * cuda(w)).sum().backward()
    (getattr(torch, op)(t, 1) * w).sum().backward()
    check(x.grad, t.grad)


# ---- repeat_interleave -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.bool, torch.int8, torch.int64, torch.float16,
                                   torch.float32, torch.float64])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_repeat_interleave(dtype, dim):
    t = make((3, 4, 2), dtype, 1, 9)
    x = cuda(t)
    check(cresset.repeat_interleave(x, 3, dim=dim), torch.repeat_interleave(t, 3, dim=dim))
    if dim is not None:
        n = t.shape[dim]
        reps = torch.arange(n) % 3  # includes zero repeats
        check(cresset.repeat_interleave(x, cuda(reps), dim=dim),
              torch.repeat_interleave(t, reps, dim=dim))
        check(x.repeat_interleave(cuda(reps), dim), t.repeat_interleave(reps, dim))


def test_repeat_interleave_edge_cases():
    t = make((4, 3), torch.float32)
    base = make((3, 4), torch.float32)
    check(cresset.repeat_interleave(cuda(base).t(), 2, dim=0),
          torch.repeat_interleave(base.t(), 2, dim=0))  # non-contiguous input
    zeros = torch.zeros(4, dtype=torch.int64)
    check(cresset.repeat_interleave(cuda(t), cuda(zeros), dim=0),
          torch.repeat_interleave(t, zeros, dim=0))  # empty result
    e = torch.zeros(0, 3)
    check(cresset.repeat_interleave(cuda(e), 2, dim=1), torch.repeat_interleave(e, 2, dim=1))
    s = torch.tensor(2.5)
    check(cresset.repeat_interleave(cuda(s), 3), torch.repeat_interleave(s, 3))
    r = torch.tensor([1, 0, 3])
    check(cresset.repeat_interleave(cuda(r)), torch.repeat_interleave(r))


def test_repeat_interleave_backward():
    t = make((3, 4), torch.float64).requires_grad_()
    reps = torch.tensor([2, 0, 1, 3])
    x = cuda(t.detach(), requires_grad=True)
    out = cresset.repeat_interleave(x, cuda(reps), dim=1)
    ref = torch.repeat_interleave(t, reps, dim=1)
    w = make(tuple(ref.shape), torch.float64, gen=torch.Generator().manual_seed(5))
    (out * cuda(w)).sum().backward()
    (ref * w).sum().backward()
    check(x.grad, t.grad)


# ---- interpolate -------------------------------------------------------------------------

# (mode, input shape, keyword arguments)
INTERP = [
    ("nearest", (2, 3, 7), dict(size=12)),
    ("nearest", (2, 3, 7), dict(scale_factor=0.5)),
    ("nearest", (2, 3, 5, 6), dict(scale_factor=2)),
    ("nearest", (2, 3, 5, 6), dict(size=(7, 4))),
    ("nearest", (1, 2, 3, 4, 5), dict(size=(5, 3, 7))),
    ("nearest-exact", (2, 3, 5, 6), dict(size=(9, 4))),
    ("nearest-exact", (2, 3, 7), dict(scale_factor=1.7)),
    ("linear", (2, 3, 7), dict(size=12, align_corners=False)),
    ("linear", (2, 3, 7), dict(size=4, align_corners=True)),
    ("bilinear", (2, 3, 5, 6), dict(size=(9, 11), align_corners=False)),
    ("bilinear", (2, 3, 5, 6), dict(size=(3, 4), align_corners=True)),
    ("bilinear", (2, 3, 5, 6), dict(scale_factor=1.5, align_corners=False)),
    ("bilinear", (1, 2, 4, 4), dict(size=(4, 4), align_corners=False)),
    ("bicubic", (2, 3, 5, 6), dict(size=(9, 11), align_corners=False)),
    ("bicubic", (2, 3, 5, 6), dict(size=(4, 3), align_corners=True)),
    ("trilinear", (1, 2, 3, 4, 5), dict(size=(5, 6, 3), align_corners=False)),
    ("trilinear", (1, 2, 3, 4, 5), dict(scale_factor=2, align_corners=True)),
    ("bilinear", (2, 3, 12, 10), dict(size=(5, 4), align_corners=False, antialias=True)),
    ("bicubic", (2, 3, 12, 10), dict(size=(5, 7), align_corners=False, antialias=True)),
]


def interp_id(case):
    mode, shape, kw = case
    return f"{mode}-{len(shape) - 2}d-" + "-".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("case", INTERP, ids=[interp_id(c) for c in INTERP])
def test_interpolate_forward_backward(case):
    mode, shape, kw = case
    t = make(shape, torch.float64).requires_grad_()
    x = cuda(t.detach(), requires_grad=True)
    out = CF.interpolate(x, mode=mode, **kw)
    ref = TF.interpolate(t, mode=mode, **kw)
    check(out, ref.detach(), rtol=1e-9, atol=1e-9)
    w = make(tuple(ref.shape), torch.float64, gen=torch.Generator().manual_seed(2))
    (out * cuda(w)).sum().backward()
    (ref * w).sum().backward()
    assert x.grad is not None and x.grad.device.type == "cuda"
    check(x.grad, t.grad, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("case", INTERP, ids=[interp_id(c) for c in INTERP])
def test_interpolate_float32_and_strided(case):
    mode, shape, kw = case
    base = make(shape, torch.float32)
    # A channels-last style layout: the same values, permuted strides.
    perm = [0] + list(range(2, len(shape))) + [1]
    inv = [perm.index(i) for i in range(len(shape))]
    t = base.permute(perm).contiguous().permute(inv)
    x = cuda(base.permute(perm).contiguous()).permute(inv)
    assert not x.is_contiguous()
    check(CF.interpolate(x, mode=mode, **kw), TF.interpolate(t, mode=mode, **kw),
          rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_half(dtype, mode):
    t = make((2, 3, 5, 6), dtype)
    kw = {} if mode == "nearest" else dict(align_corners=False)
    x = cuda(t, requires_grad=True)
    out = CF.interpolate(x, size=(8, 9), mode=mode, **kw)
    # The oracle in float32, rounded: the kernels compute in float32 too.
    ref = TF.interpolate(t.float(), size=(8, 9), mode=mode, **kw).to(dtype)
    tol = 1e-2 if dtype == torch.float16 else 5e-2
    check(out, ref, rtol=tol, atol=tol)
    g = make((2, 3, 8, 9), dtype, gen=torch.Generator().manual_seed(4))
    out.backward(cuda(g))
    tf = t.float().requires_grad_()
    TF.interpolate(tf, size=(8, 9), mode=mode, **kw).backward(g.float())
    assert x.grad.dtype == (cresset.float16 if dtype == torch.float16 else cresset.bfloat16)
    check(x.grad, tf.grad.to(dtype), rtol=tol, atol=tol)


def test_interpolate_large_nearest_backward_accumulates():
    # Many outputs read each input: the atomics must add every share.
    t = torch.ones(1, 2, 16, 16, dtype=torch.float32, requires_grad=True)
    x = cuda(t.detach(), requires_grad=True)
    CF.interpolate(x, scale_factor=8, mode="nearest").sum().backward()
    TF.interpolate(t, scale_factor=8, mode="nearest").sum().backward()
    check(x.grad, t.grad)
    assert x.grad.cpu().tolist()[0][0][0][0] == 64.0


def test_upsample_modules():
    t = make((2, 3, 5, 6), torch.float32)
    x = cuda(t)
    ours = cresset.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)(x)
    theirs = torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)(t)
    check(ours, theirs, rtol=1e-5, atol=1e-5)
    check(cresset.nn.UpsamplingNearest2d(scale_factor=3)(x),
          torch.nn.UpsamplingNearest2d(scale_factor=3)(t))
