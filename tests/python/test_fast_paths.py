"""Fast paths of the shared loops and kernels against torch: broadcast (stride-0) operands read
through a buffer (Note [Broadcast inner runs]), the vectorized expf (Note [Fast expf]), logsumexp
over contiguous rows and the radix sort of unique over integers (Note [Radix unique])."""
import cresset
import pytest
import torch

from utils import assert_same, to_cresset

# Inner lengths around the buffering thresholds (16 and chunks of 256).
LENGTHS = [3, 15, 16, 17, 255, 256, 257, 1000]


def randn(*shape, dtype=torch.float32):
    g = torch.Generator().manual_seed(7 * len(shape) + sum(shape))
    return torch.randn(shape, generator=g).to(dtype)


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int16,
                                   torch.float16])
def test_binary_broadcast_layouts(n, dtype):
    x = (randn(5, n) * 10).to(dtype)
    cases = [
        (x, (randn(n) * 10).to(dtype)),                                 # bias row
        (x, (randn(5, 1) * 10).to(dtype)),                              # column: stride-0 inner
        (x, (randn() * 10).to(dtype).expand(5, n)),                     # expanded 0-dim
        ((randn() * 10).to(dtype).expand(5, n), x),                     # first operand stride 0
        (x.t().contiguous().t(), (randn(5, 1) * 10).to(dtype)),         # transposed other
        (x, (randn(1, 1) * 10).to(dtype)),
    ]
    for a, b in cases:
        for op in ("add", "mul", "maximum"):
            assert_same(getattr(cresset, op)(to_cresset(a), to_cresset(b)), getattr(torch, op)(a, b))
    assert_same(to_cresset(x) + 3, x + 3)


@pytest.mark.parametrize("n", LENGTHS)
def test_where_broadcast_layouts(n):
    x, y = randn(4, n), randn(4, n) + 5
    mask = x > 0
    cases = [
        (mask, x, torch.zeros(())),
        (mask, torch.zeros(()), y),
        (mask, x, 0.0),
        (mask[:1], x, y),                        # expanded mask rows
        (mask[:, :1], x, y),                     # mask column: stride-0 inner
        (mask, randn(4, 1), randn(1, n)),
        (torch.tensor(True).expand(4, n), x, y),
    ]
    for c, a, b in cases:
        ours = cresset.where(to_cresset(c), to_cresset(a), to_cresset(b))
        assert_same(ours, torch.where(c, a, b))


def test_broadcast_three_dims_and_out():
    x = randn(3, 40, 20)
    b = randn(3, 1, 20)
    s = randn(3, 40, 1)
    assert_same(to_cresset(x) * to_cresset(b) + to_cresset(s), x * b + s)
    out_t = torch.empty(3, 40, 20)
    out_c = to_cresset(out_t)
    torch.add(x, s, out=out_t)
    cresset.add(to_cresset(x), to_cresset(s), out=out_c)
    assert_same(out_c, out_t)
    ic = to_cresset(x.clone())
    ic.add_(to_cresset(s))
    assert_same(ic, x + s)


def test_copy_from_expanded():
    for src in [randn().expand(7, 300), randn(7, 1).expand(7, 300), randn(300).expand(7, 300)]:
        assert_same(to_cresset(src).contiguous(), src.contiguous())
        assert_same(to_cresset(src).to(cresset.float64), src.to(torch.float64))
        assert_same(to_cresset(src).to(cresset.int32), src.to(torch.int32))


def test_exp_special_values():
    vals = [0.0, -0.0, 1.0, -1.0, 88.72, 88.73, 89.0, 1e30, float("inf"), -87.3, -88.0, -100.0,
            -103.9, -104.0, -1e30, float("-inf"), float("nan"), 1e-40, -1e-40, 0.5, 20.0]
    t = torch.tensor(vals * 3)  # long enough for the vector loop
    assert_same(cresset.exp(to_cresset(t)), torch.exp(t))
    assert_same(cresset.sigmoid(to_cresset(t)), torch.sigmoid(t))
    # denormal results are rounded once: within 2 units of the denormal spacing
    d = torch.linspace(-103.5, -87.5, 1000)
    ours = torch.tensor(cresset.exp(to_cresset(d)).tolist()).double()
    ref = torch.exp(d.double())
    assert ((ours - ref).abs() <= torch.clamp(2.5e-7 * ref, min=2 * 2.0 ** -149)).all()


def test_exp_dense_range():
    t = torch.linspace(-110, 95, 200_001)
    ours = torch.tensor(cresset.exp(to_cresset(t)).tolist())
    ref = torch.exp(t.double())
    finite = torch.isfinite(ref.float()) & (ref.float() > 1e-37)
    rel = ((ours.double() - ref) / ref).abs()[finite]
    assert rel.max().item() < 2.5e-7  # about 2 ulp
    assert torch.equal(torch.isinf(ours), torch.isinf(ref.float()))


def _float_sample(step=9973):
    """Every step-th float32 bit pattern (all signs and exponents), NaNs left out."""
    bits = torch.arange(0, 2 ** 32, step, dtype=torch.int64)
    x = (bits - (bits >= 2 ** 31).long() * 2 ** 32).to(torch.int32).view(torch.float32)
    return x[~torch.isnan(x)]


def test_exp_ulp_sample():
    # Note [Explicit vector exp]: within 1 ulp of exp (0.87 measured over every 61st float)
    x = _float_sample()
    ours = torch.tensor(cresset.exp(to_cresset(x)).tolist()).double()
    ref = torch.exp(x.double())
    big = ref > torch.finfo(torch.float32).max
    assert torch.isinf(ours[big]).all()
    exponent = torch.clamp(torch.frexp(ref[~big]).exponent - 24, min=-149)
    ulp = torch.ldexp(torch.ones_like(ref[~big]), exponent)
    assert ((ours[~big] - ref[~big]).abs() / ulp).max().item() <= 1.0


@pytest.mark.parametrize("op", ["exp", "sigmoid", "log", "tanh"])
def test_exp_vector_equals_strided(op):
    # the contiguous vector loop and the strided loop give the same bits, tails included
    x = _float_sample(99991)
    for n in [1, 15, 16, 17, 33, 1000, x.numel()]:
        dense = getattr(cresset, op)(to_cresset(x[:n]))
        strided = getattr(cresset, op)(to_cresset(x[:n].repeat_interleave(2))[::2])
        assert torch.allclose(torch.tensor(dense.tolist()), torch.tensor(strided.tolist()), rtol=0,
                              atol=0, equal_nan=True)
        assert_same(dense, getattr(torch, op)(x[:n]))


@pytest.mark.parametrize("op, max_ulp", [("log", 1.0), ("tanh", 2.0)])
def test_log_tanh_ulp_sample(op, max_ulp):
    # Note [Vector log and tanh]: log within 0.92 ulp, tanh within 1.65 (every 61st float)
    x = _float_sample()
    ours = torch.tensor(getattr(cresset, op)(to_cresset(x)).tolist()).double()
    ref = getattr(torch, op)(x.double())
    assert torch.equal(torch.isnan(ours), torch.isnan(ref))
    assert torch.equal(ours[torch.isinf(ref)], ref[torch.isinf(ref)])
    finite = torch.isfinite(ref)
    exponent = torch.clamp(torch.frexp(ref[finite]).exponent - 24, min=-149)
    ulp = torch.ldexp(torch.ones_like(ref[finite]), exponent)
    assert ((ours[finite] - ref[finite]).abs() / ulp).max().item() <= max_ulp


@pytest.mark.parametrize("op", ["log", "tanh"])
def test_log_tanh_special_values(op):
    vals = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"), 1e-45, -1e-45,
            1e-40, 1.17549435e-38, 3.4e38, -3.4e38, 0.625, 0.62499994, 9.0, 9.02, 20.0, -20.0,
            1.41421354, 1.41421366, 0.70710677]
    t = torch.tensor(vals * 3)
    ours, theirs = getattr(cresset, op)(to_cresset(t)), getattr(torch, op)(t)
    assert_same(ours, theirs)
    ours = torch.tensor(ours.tolist())
    special = (~torch.isfinite(theirs) | (theirs == 0) | (theirs.abs() == 1) |
               (t.abs() < 1e-37)) & ~theirs.isnan()
    assert torch.equal(ours[special], theirs[special])
    assert torch.equal(torch.signbit(ours[special]), torch.signbit(theirs[special]))  # -0.0
    assert torch.equal(ours.isnan(), theirs.isnan())


@pytest.mark.parametrize("shape", [(7, 1000), (3, 33), (2, 1), (5, 2048)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_logsumexp_rows(shape, dtype):
    x = randn(*shape, dtype=dtype) * 20
    assert_same(cresset.logsumexp(to_cresset(x), -1), torch.logsumexp(x, -1))
    assert_same(cresset.logsumexp(to_cresset(x), 1, keepdim=True), torch.logsumexp(x, 1, True))
    special = x.clone()
    if shape[1] > 1:
        special[0, 0] = float("inf")
        special[1, :] = float("-inf")
        special[2 % shape[0], 1] = float("nan")
        assert_same(cresset.logsumexp(to_cresset(special), -1), torch.logsumexp(special, -1))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int16, torch.int8,
                                   torch.uint8, torch.bool])
@pytest.mark.parametrize("high", [3, 1000, 2 ** 40])
def test_unique_integers(dtype, high):
    g = torch.Generator().manual_seed(high % 97)
    info_hi = torch.iinfo(dtype).max if dtype != torch.bool else 1
    hi = min(high, info_hi)
    lo = -hi if dtype not in (torch.uint8, torch.bool) else 0
    x = torch.randint(lo, hi + 1, (5000,), generator=g).to(dtype)
    for kw in [{}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}]:
        assert_same(cresset.unique(to_cresset(x), sorted=True, **kw),
                    torch.unique(x, sorted=True, **kw))
    assert_same(cresset.unique(to_cresset(x[:0])), torch.unique(x[:0]))
    assert_same(cresset.unique(to_cresset(x[:1]), return_counts=True),
                torch.unique(x[:1], return_counts=True))
