"""op_db on CUDA: every op_db entry (tests/python/op_db.py) and every sample, run by cresset with
its tensor operands on the GPU (same values, dtypes, shapes, strides and offsets, built with
utils.to_cresset(..., device)), against real torch on the CPU (the oracle).

The comparison is the CPU differential tests' own (utils.check_op_sample for function, method,
in-place and out=, as in test_elementwise.py; utils.check_op_gradients, as in
test_autograd_elementwise.py): the same exception types, dtypes, shapes, output strides and
assert_same's default per-dtype tolerances. Those defaults are not exact (float32 rtol 1.3e-6,
five to ten ulp; float64 rtol 1e-7; float16 rtol 1e-3 and bfloat16 1.6e-2, one to four of their
ulps), so they already cover the few-ulp differences between CUDA's libdevice and the CPU's libm
(the CUDA build uses no fast-math); nothing is loosened here. In addition every tensor result
must be on CUDA; values are read after .cpu().

op_db holds the elementwise ops and activations only; the structural families (scans, sorting,
tril/triu, repeat_interleave, upsampling, the LU-based linalg ops) are not op_db entries, so
EXTRA gives each one a small sample, checked the same way.
"""
import pytest
import torch
from op_db import ALL, OP_DB, OPS
from utils import assert_same, check_op_gradients, check_op_sample, to_cresset

import cresset

pytestmark = pytest.mark.skipif(not cresset.cuda.is_available(),
                                reason="no CUDA GPU on this machine (or built without CUDA)")

DEVICE = "cuda"

# ---- op_db: forward (function, method, in-place, out=) ----
VARIANT_FLAG = {"function": "name", "method": "method", "inplace": "inplace", "out": "out"}


def _cases():
    for op in OP_DB:
        for variant, flag in VARIANT_FLAG.items():
            if getattr(op, flag):
                yield pytest.param(op.name, variant, id=f"{op.name}-{variant}")


@pytest.mark.parametrize("name,variant", list(_cases()))
def test_op_db_cuda(name, variant):
    op = OPS[name]
    for dtype in ALL:
        for sample in op.samples(dtype):
            check_op_sample(op, variant, dtype, sample, device=DEVICE)


# ---- op_db: gradients (backward on CUDA, grads against torch's CPU grads) ----
@pytest.mark.parametrize("op", [op for op in OP_DB if "float64" in op.dtypes],
                         ids=lambda o: o.name)
def test_gradients_cuda(op):
    check_op_gradients(op, device=DEVICE)


def test_rrelu_training_matches_cpu_under_seed():
    # rrelu's only random op_db form: CUDA random values are drawn with the CPU Philox, so under
    # one seed the CUDA result equals cresset's CPU result (torch's CPU generator differs).
    x = torch.linspace(-3, 3, 64, dtype=torch.float64).reshape(8, 8).float()
    results = []
    for device in (DEVICE, None):
        cresset.manual_seed(5)
        results.append(cresset.nn.functional.rrelu(to_cresset(x, device), 0.1, 0.3,
                                                   training=True))
    on_gpu, on_cpu = results
    assert_same(on_gpu, torch.tensor(on_cpu.tolist()), rtol=0, atol=0, device=DEVICE)
    slope = (torch.tensor(on_cpu.tolist()) / x)[x < 0]
    assert ((slope >= 0.1) & (slope <= 0.3)).all() and len(set(slope.tolist())) > 1


# ---- the ops outside op_db whose CUDA kernels are missing (or arrive) ----
def _randn(*shape, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype)


def _distinct(*shape, seed=0):
    """Distinct float32 values (no ties: sort and selection indices are unique)."""
    n = 1
    for s in shape:
        n *= s
    g = torch.Generator().manual_seed(seed)
    return (torch.randperm(n, generator=g).to(torch.float32) * 0.25 - n / 8).reshape(shape)


def _ints(*shape, lo=0, hi=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64)


def _spd(n=4, seed=0):
    """A well-conditioned float64 matrix: diagonally dominant, so partial pivoting keeps rows."""
    return _randn(n, n, seed=seed, dtype=torch.float64) + 4 * torch.eye(n, dtype=torch.float64)


def _lu_inputs():
    A = _spd(seed=3)
    LU, piv = torch.linalg.lu_factor(A)
    return [LU, piv, _randn(4, 2, seed=4, dtype=torch.float64)]


F = lambda L: L.nn.functional

# name: (call(lib, *operands), operands() -> torch tensors). Operands of the CUDA run are moved
# with to_cresset(..., "cuda"), layout included (the transposed inputs stay transposed).
EXTRA = {
    "cumsum": (lambda L, x: L.cumsum(x, 1), lambda: [_randn(5, 4).t()]),
    "cumprod": (lambda L, x: L.cumprod(x, 0), lambda: [_randn(4, 6).abs() + 0.5]),
    "cummax": (lambda L, x: L.cummax(x, 1), lambda: [_distinct(3, 7)]),
    "cummin": (lambda L, x: L.cummin(x, 0), lambda: [_distinct(5, 3)]),
    "logcumsumexp": (lambda L, x: L.logcumsumexp(x, 1), lambda: [_randn(3, 6, seed=1)]),
    "sort": (lambda L, x: L.sort(x, 1, descending=True), lambda: [_distinct(4, 9)]),
    "argsort": (lambda L, x: L.argsort(x, 0), lambda: [_distinct(6, 3)]),
    "topk": (lambda L, x: L.topk(x, 3, 1), lambda: [_distinct(4, 9, seed=2)]),
    "kthvalue": (lambda L, x: L.kthvalue(x, 2, 1), lambda: [_distinct(4, 7)]),
    "median": (lambda L, x: L.median(x), lambda: [_distinct(5, 6)]),
    "median_dim": (lambda L, x: L.median(x, 1), lambda: [_distinct(4, 7, seed=1)]),
    "nanmedian": (lambda L, x: L.nanmedian(x), lambda: [_distinct(3, 5)]),
    "mode": (lambda L, x: L.mode(x, 1), lambda: [_ints(4, 9, hi=3)]),
    "unique": (lambda L, x: L.unique(x, sorted=True, return_inverse=True, return_counts=True),
               lambda: [_ints(20, hi=7)]),
    "bincount": (lambda L, x: L.bincount(x, minlength=9), lambda: [_ints(30, hi=7)]),
    "histc": (lambda L, x: L.histc(x, bins=6, min=-2, max=2), lambda: [_randn(50)]),
    "tril": (lambda L, x: L.tril(x, -1), lambda: [_randn(4, 5)]),
    "triu": (lambda L, x: L.triu(x, 1), lambda: [_randn(2, 4, 5).transpose(1, 2)]),
    "repeat_interleave": (lambda L, x: L.repeat_interleave(x, 2, dim=0), lambda: [_randn(3, 4)]),
    "repeat_interleave_tensor": (lambda L, x, r: L.repeat_interleave(x, r, dim=1),
                                 lambda: [_randn(2, 3), torch.tensor([1, 0, 3])]),
    "interpolate_nearest": (lambda L, x: F(L).interpolate(x, scale_factor=2, mode="nearest"),
                            lambda: [_randn(2, 3, 4, 5)]),
    "interpolate_bilinear": (lambda L, x: F(L).interpolate(x, size=(7, 3), mode="bilinear",
                                                           align_corners=False),
                             lambda: [_randn(1, 2, 4, 5)]),
    "linalg.inv": (lambda L, a: L.linalg.inv(a), lambda: [_spd()]),
    "linalg.solve": (lambda L, a, b: L.linalg.solve(a, b),
                     lambda: [_spd(seed=1), _randn(4, 3, seed=2, dtype=torch.float64)]),
    "linalg.det": (lambda L, a: L.linalg.det(a), lambda: [_spd(seed=5)]),
    "linalg.slogdet": (lambda L, a: L.linalg.slogdet(a), lambda: [_spd(seed=6)]),
    "linalg.lu_factor": (lambda L, a: L.linalg.lu_factor(a), lambda: [_spd(seed=7)]),
    "linalg.solve_triangular": (lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True),
                                lambda: [_spd(seed=8).triu(),
                                         _randn(4, 2, seed=9, dtype=torch.float64)]),
    "linalg.lu_solve": (lambda L, lu, piv, b: L.linalg.lu_solve(lu, piv, b), _lu_inputs),
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_extra_cuda(name):
    call, operands = EXTRA[name]
    args = operands()
    assert_same(call(cresset, *to_cresset(args, DEVICE)), call(torch, *args), device=DEVICE)
