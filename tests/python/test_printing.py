"""repr/str of tensors: character for character what torch prints, for every dtype, shape and
print option."""
import math

import pytest
import torch
from utils import to_cresset

import cresset

NAN, INF = math.nan, math.inf


@pytest.fixture(autouse=True)
def default_printoptions():
    """Every test starts and ends with the default options and default dtype in both libraries."""
    for lib in (cresset, torch):
        lib.set_printoptions(profile="default", sci_mode=None)
        lib.set_default_dtype(lib.float32)
    yield
    for lib in (cresset, torch):
        lib.set_printoptions(profile="default", sci_mode=None)
        lib.set_default_dtype(lib.float32)


def check(t):
    ours = to_cresset(t)
    ours.requires_grad = t.requires_grad
    assert repr(ours) == repr(t), f"\nours:\n{ours!r}\ntorch:\n{t!r}"
    assert str(ours) == str(t)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _randn(*shape, seed=0, dtype=torch.float32, scale=1.0):
    return (torch.randn(shape, generator=_gen(seed), dtype=torch.float64) * scale).to(dtype)


def _randint(lo, hi, *shape, seed=0, dtype=torch.int64):
    return torch.randint(lo, hi, tuple(shape), generator=_gen(seed), dtype=torch.int64).to(dtype)


FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
INTS = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]

# Value patterns that steer the float formatter into each of its modes.
FLOAT_VALUES = {
    "plain": [1.5, -2.25, 3.125, 0.5],
    "integer_valued": [1.0, 2.0, -3.0, 100.0],
    "zeros": [0.0, 0.0],
    "negative_zero": [-0.0, 1.5, 0.0],
    "only_negative_zero": [-0.0, 0.0],
    "nan_inf": [NAN, INF, -INF, 1.5],
    "nan_only": [NAN, NAN],
    "inf_int": [INF, 2.0, -INF],
    "tiny": [1e-5, 0.5, 2.0],
    "ratio_1000": [1.0, 1000.0],
    "ratio_1001": [1.0, 1001.0],
    "large": [1e8, 1.0],
    "above_1e8": [2e8, 1.0],
    "wide": [1e-8, 1e8, -3.5],
    "huge_int": [1e10, 2e10],
    "small_only": [1e-6, 3e-6],
    "mixed_sign": [-0.001, 0.002, 123.456],
    "one_value": [0.3333333],
    "rounding": [0.99995, 1.00005, 9.99999],
}


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("pattern", sorted(FLOAT_VALUES))
def test_float_patterns(dtype, pattern):
    t = torch.tensor(FLOAT_VALUES[pattern], dtype=torch.float64).to(dtype)
    check(t)
    check(t.reshape(-1, 1))
    check(t[0])


@pytest.mark.parametrize("dtype", INTS, ids=str)
def test_integer_widths(dtype):
    info = torch.iinfo(dtype)
    check(torch.tensor([info.min, 0, info.max], dtype=dtype))
    check(torch.tensor([[1, 22], [123, 4]], dtype=dtype))
    check(torch.tensor(7, dtype=dtype))
    check(_randint(0, 100, 3, 7, seed=1, dtype=dtype))
    check(_randint(0, 100, 2000, seed=2, dtype=dtype))


def test_bool():
    check(torch.tensor([True, False, True]))
    check(torch.tensor(True))
    check(torch.tensor([[True], [False]]))
    check(torch.zeros(40, dtype=torch.bool))
    check(torch.ones(3000, dtype=torch.bool).reshape(30, 100))


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (2, 1, 2, 3), (30,), (3, 30),
                                   (1, 1, 1), (40, 26)])
def test_random_shapes(dtype, shape):
    check(_randn(*shape, seed=sum(shape), dtype=dtype))
    check(_randn(*shape, seed=3, dtype=dtype, scale=1e4))
    check(_randn(*shape, seed=4, dtype=dtype, scale=1e-3))


@pytest.mark.parametrize("make", [
    lambda: torch.arange(2000.),
    lambda: torch.arange(2000).reshape(40, 50),
    lambda: torch.arange(1001),
    lambda: torch.arange(1000),
    lambda: _randn(20, 30, 4, seed=5),
    lambda: _randn(2, 600, seed=6),
    lambda: _randn(600, 2, seed=7),
    lambda: _randn(5, 5, 5, 5, 5, seed=8, dtype=torch.float64),
    lambda: _randn(1, 2000, seed=9) * 1e9,
    lambda: torch.cat([torch.full((700,), NAN), torch.arange(700.)]),
    lambda: torch.cat([torch.zeros(600), torch.tensor([1e-9]), torch.ones(600)]),
    lambda: torch.arange(3000, dtype=torch.int16).reshape(3, 1000),
], ids=lambda f: "")
def test_summarized(make):
    check(make())


@pytest.mark.parametrize("make", [
    lambda: torch.arange(12.).reshape(3, 4).t(),
    lambda: torch.arange(24).reshape(2, 3, 4)[:, 1:, ::2],
    lambda: torch.tensor([1.5, 2.0]).expand(3, 2),
    lambda: _randn(50, 40, seed=10).t()[::3, 1::7],
    lambda: torch.arange(5000.).reshape(50, 100)[::2, 1::3],
], ids=lambda f: "")
def test_views(make):
    check(make())


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4), (3, 0)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int32,
                                   torch.bool, torch.float16])
def test_empty(shape, dtype):
    check(torch.empty(shape, dtype=dtype))


@pytest.mark.parametrize("dtype", FLOATS + INTS + [torch.bool], ids=str)
def test_zero_dim(dtype):
    check(torch.tensor(3, dtype=dtype))
    check(torch.tensor(0, dtype=dtype))


def test_zero_dim_specials():
    for v in [NAN, INF, -INF, -0.0, 0.0, 1e-20, 1e20, 123456789.0, 0.1]:
        check(torch.tensor(v))
        check(torch.tensor(v, dtype=torch.float64))


def test_large_ints_and_wrapping():
    check(torch.tensor([2 ** 62, -(2 ** 63), 5]))
    check(torch.arange(100) * 1000003)
    check(_randint(-10 ** 9, 10 ** 9, 6, 9, seed=11))
    check(torch.arange(45, dtype=torch.int32))  # wraps and shows the dtype suffix


def test_requires_grad_suffix():
    check(torch.tensor([1.5, 2.0], requires_grad=True))
    check(torch.tensor(2.0, requires_grad=True))
    check(torch.tensor([1.0], dtype=torch.float64, requires_grad=True))
    check(_randn(6, 6, seed=12).requires_grad_())
    check(torch.zeros(0, 2, dtype=torch.float16, requires_grad=True))


def test_suffix_wraps_past_linewidth():
    # The last line nearly fills the width, so ", dtype=..." moves to its own line.
    for n in range(1, 13):
        check(torch.arange(float(n)).to(torch.float64) + 0.5)
        check(torch.arange(n, dtype=torch.int16) * 10001)
        check(torch.full((n,), 1.25, dtype=torch.float16, requires_grad=True))


def test_default_dtype_changes_suffix():
    for lib in (cresset, torch):
        lib.set_default_dtype(lib.float64)
    check(torch.tensor([1.5, 2.0], dtype=torch.float64))
    check(torch.tensor([1.5, 2.0], dtype=torch.float32))
    check(torch.empty(0, dtype=torch.float32))
    check(torch.empty(0, dtype=torch.float64))


@pytest.mark.parametrize("options", [
    {"precision": 2}, {"precision": 0}, {"precision": 8}, {"precision": 1, "sci_mode": True},
    {"sci_mode": True}, {"sci_mode": False}, {"threshold": 5}, {"threshold": 0},
    {"threshold": math.inf}, {"edgeitems": 1, "threshold": 10}, {"edgeitems": 0, "threshold": 10},
    {"edgeitems": 0}, {"linewidth": 40}, {"linewidth": 120}, {"linewidth": 10},
    {"linewidth": 1}, {"profile": "short"}, {"profile": "full"},
    {"profile": "short", "precision": 6}, {"edgeitems": 5, "threshold": 20},
], ids=str)
def test_printoptions(options):
    for lib in (cresset, torch):
        lib.set_printoptions(**options)
    for t in [_randn(30, seed=13), _randn(4, 9, seed=14, scale=100),
              torch.arange(60).reshape(3, 20),
              torch.tensor([1e-5, 1.0, NAN]), torch.tensor([3.0, -4.0]), torch.tensor(2.5),
              torch.arange(1200.).reshape(2, 3, 200), torch.tensor([True, False] * 20),
              _randn(3, 4, seed=15, dtype=torch.float64, scale=1e6),
              torch.empty(0, 4), torch.tensor([1.5, 2.5], requires_grad=True)]:
        check(t)


def test_profile_resets_options():
    for lib in (cresset, torch):
        lib.set_printoptions(precision=7, edgeitems=1, linewidth=30, threshold=3)
        lib.set_printoptions(profile="default")
    check(_randn(20, seed=16))
    assert cresset._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


def test_get_printoptions_and_context_manager():
    cresset.set_printoptions(precision=3, sci_mode=True)
    torch.set_printoptions(precision=3, sci_mode=True)
    assert cresset._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    with cresset._tensor_str.printoptions(precision=1, sci_mode=True), \
            torch._tensor_str.printoptions(precision=1, sci_mode=True):
        assert repr(cresset.tensor([1.25])) == repr(torch.tensor([1.25])) == "tensor([1.2e+00])"
    assert cresset._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    assert cresset._tensor_str.get_printoptions()["precision"] == 3
    assert not hasattr(cresset, "get_printoptions") and not hasattr(torch, "get_printoptions")


def test_subclass_prefix():
    class MyT(cresset.Tensor):
        pass

    class TorchT(torch.Tensor):
        pass

    ours = repr(MyT([1.0, 2.0]))
    theirs = repr(TorchT([1.0, 2.0])).replace("TorchT", "MyT")
    assert ours == theirs == "MyT([1., 2.])"


def test_grad_fn_suffix():
    # A result with grad_fn shows grad_fn=<...> instead of requires_grad=True.
    t = cresset.tensor([1.0, 2.0], requires_grad=True) * 2
    assert repr(t) == repr(torch.tensor([1.0, 2.0], requires_grad=True) * 2)
    assert repr(t) == "tensor([2., 4.], grad_fn=<MulBackward0>)"


def test_format():
    t = cresset.tensor(2.5)
    assert f"{t:.3f}" == f"{torch.tensor(2.5):.3f}" == "2.500"
    assert f"{cresset.tensor(7):>4}" == "   7"
    assert format(cresset.tensor([1.5])) == str(cresset.tensor([1.5]))
    with pytest.raises(TypeError):
        format(cresset.tensor([1.5]), ".2f")


def test_random_fuzz():
    """Random shapes, dtypes, magnitudes, special values and print options."""
    import random
    rng = random.Random(1234)
    dtypes = FLOATS + INTS + [torch.bool]
    for i in range(300):
        ndim = rng.choice([0, 1, 1, 2, 2, 3, 4])
        shape = [rng.choice([1, 2, 3, 5, 8, 13, 40]) for _ in range(ndim)]
        dtype = rng.choice(dtypes)
        if dtype.is_floating_point:
            scale = 10.0 ** rng.randint(-9, 9)
            t = _randn(*shape, seed=i, scale=scale)
            if t.numel() and rng.random() < 0.3:
                t.view(-1)[rng.randrange(t.numel())] = rng.choice([NAN, INF, -INF, -0.0])
            if rng.random() < 0.2:
                t = t.round()
            t = t.to(dtype)
        elif dtype is torch.bool:
            t = _randint(0, 2, *shape, seed=i).bool()
        else:
            info = torch.iinfo(dtype)
            hi = min(info.max, 10 ** rng.randint(1, 12))
            t = _randint(max(info.min, -hi), hi, *shape, seed=i, dtype=dtype)
        options = {}
        if rng.random() < 0.4:
            options = {"precision": rng.randint(0, 8), "threshold": rng.choice([10, 100, 1000]),
                       "edgeitems": rng.randint(1, 4), "linewidth": rng.choice([20, 60, 80, 150]),
                       "sci_mode": rng.choice([None, None, True, False])}
        for lib in (cresset, torch):
            lib.set_printoptions(profile="default", **options)
        check(t)
