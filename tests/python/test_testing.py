"""cresset.testing against torch.testing: assert_close's verdicts, exception types and messages
on the same inputs, and make_tensor's shapes, dtypes, ranges and flags."""
import warnings

import cresset
import cresset.testing
import pytest
import torch
import torch.testing

from utils import to_cresset

nan, inf = float("nan"), float("inf")


def _outcome(lib, actual, expected, kwargs):
    """None when lib's assert_close passes, else (exception type, message), the message naming
    the tensor class as torch's does."""
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except Exception as e:  # noqa: BLE001  (the type is part of the comparison)
        return type(e), str(e).replace("cresset._C.Tensor", "torch.Tensor")
    return None


def T(*args, **kwargs):
    return torch.tensor(*args, **kwargs)


CASES = [
    # passing
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 3.0]), {}),
    (T([1.0, 2.0]), T([1.0, 2.0 + 1e-6]), {}),
    (T([1.0, 2.0], dtype=torch.float64), T([1.0, 2.0 + 1e-8], dtype=torch.float64), {}),
    (T([1.0, 2.0], dtype=torch.float16), T([1.0, 2.001], dtype=torch.float16), {}),
    (T([1.0, 2.0], dtype=torch.bfloat16), T([1.0, 2.02], dtype=torch.bfloat16), {}),
    (T([[1.0, 2.0], [3.0, 4.0]]).t(), T([[1.0, 3.0], [2.0, 4.0]]), {}),
    (T(3.0), T(3.0), {}),
    (T([]), T([]), {}),
    (T([nan, 1.0]), T([nan, 1.0]), {"equal_nan": True}),
    (T([1.0, 2.0]), T([1.0, 2.5]), {"rtol": 0.3, "atol": 0.0}),
    (T([1, 2]), T([1.0, 2.0]), {"check_dtype": False}),
    (1.0, 1.0 + 1e-9, {}),
    (1, 1, {}),
    (True, True, {}),
    (None, None, {}),
    ([1.0, 2.0], (1.0, 2.0), {}),
    ({"a": T([1.0]), "b": [T([2.0]), 3]}, {"b": [T([2.0]), 3], "a": T([1.0])}, {}),
    (nan, nan, {"equal_nan": True}),
    # failing values
    (T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0]), {}),
    (T([1.0, 2.0, 3.0], dtype=torch.float64), T([1.0, 2.0, 3.1], dtype=torch.float64), {}),
    (T([1.0, 2.0], dtype=torch.float16), T([1.0, 2.5], dtype=torch.float16), {}),
    (T([1.0, 2.0], dtype=torch.bfloat16), T([1.0, 2.5], dtype=torch.bfloat16), {}),
    (T([1, 2, 3]), T([1, 2, 4]), {}),
    (T([True, False]), T([False, False]), {}),
    (T([True]), T([False]), {}),
    (T([1, 5], dtype=torch.uint8), T([3, 5], dtype=torch.uint8), {}),
    (torch.zeros(2, 3), torch.ones(2, 3), {}),
    (torch.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4) * 1.5, {}),
    (T([[1.0, 2.0], [3.0, 4.0]]).t(), T([[1.0, 2.0], [3.0, 4.0]]), {}),
    (T([1.0, 2.0]), T([1.0, 3.0]), {"rtol": 0.0, "atol": 0.0}),
    (T([1.0, 2.0]), T([1.0, 3.0]), {"rtol": 1e-3, "atol": 1e-2}),
    (T([1.0, 0.0]), T([1.0, 1e-3]), {}),
    (T([0.0, 5.0]), T([1.0, 0.0]), {}),
    (T(3.0), T(3.5), {}),
    (T(nan), T(nan), {}),
    (T([nan, 1.0]), T([nan, 1.0]), {}),
    (T([inf, 1.0]), T([-inf, 1.0]), {}),
    (T([inf, 1.0]), T([1.0, 1.0]), {}),
    (1.0, 1.5, {}),
    (1, 2, {}),
    (1.0, 0.0, {}),
    (nan, nan, {}),
    (True, False, {}),
    ([1.0, 2.0], [1.0, 3.0], {}),
    ([[T([1.0])]], [[T([2.0])]], {}),
    ({"a": T([1.0])}, {"a": T([2.0])}, {}),
    ({"x": {"y": [1, 2]}}, {"x": {"y": [1, 3]}}, {}),
    # failing attributes and structure
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 3.0, 4.0]), {}),
    (torch.zeros(2, 3), torch.zeros(3, 2), {}),
    (T([1.0, 2.0]), T([1.0, 2.0], dtype=torch.float64), {}),
    (T([1, 2]), T([1.0, 2.0]), {}),
    (torch.ones(2, 2).t(), torch.ones(2, 2), {"check_stride": True}),
    (1, 1.0, {}),
    ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    ({"a": 1.0}, {"b": 1.0}, {}),
    (None, 1, {}),
    # unsupported inputs and arguments
    (T([1.0, 2.0]), [1.0, 2.0], {}),
    (T(1.0), 1.0, {}),
    (T([1.0]), "a", {}),
    ("a", "a", {}),
    (T([1.0]), T([1.0]), {"rtol": 1e-3}),
    (T([1.0]), T([1.0]), {"atol": 1e-3}),
    # msg as a string or a callable (structure errors ignore it)
    (T([1.0, 2.0]), T([1.0, 3.0]), {"msg": "custom"}),
    (T([1.0, 2.0]), T([1.0, 3.0]), {"msg": lambda m: "prefix: " + m}),
    (T([1.0, 2.0]), T([1.0, 2.0, 3.0]), {"msg": "custom"}),
    ([T([1.0]), T([1.0, 2.0])], [T([1.0]), T([1.0, 2.5])], {"msg": lambda m: m.upper()}),
    ([1.0, 2.0], [1.0, 2.0, 3.0], {"msg": "custom"}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_assert_close_matches_torch(case):
    actual, expected, kwargs = CASES[case]
    want = _outcome(torch, actual, expected, kwargs)
    got = _outcome(cresset, to_cresset(actual), to_cresset(expected), kwargs)
    assert got == want


def test_assert_close_checks_every_leaf_and_raises_assertion_error():
    with pytest.raises(AssertionError, match="item \\[1\\]"):
        cresset.testing.assert_close([cresset.tensor([1.0]), 2.0], [cresset.tensor([1.0]), 2.5])
    # a TypeError in a later leaf wins over an earlier mismatch, as in torch
    with pytest.raises(TypeError):
        cresset.testing.assert_close([1.0, cresset.tensor([1.0])], [2.0, 1.0])
    with pytest.raises(TypeError):
        torch.testing.assert_close([1.0, torch.tensor([1.0])], [2.0, 1.0])


def test_assert_allclose_matches_torch():
    assert hasattr(torch.testing, "assert_allclose")
    pairs = [([1.0, 2.0], [1.0, 2.0001]), ([1.0, nan], [1.0, nan]), ([1.0, 2.0], [1.0, 2.1]),
             (T([1, 2]), T([1.0, 2.0]))]
    for actual, expected in pairs:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            want = _outcome_allclose(torch, actual, expected)
            got = _outcome_allclose(cresset, to_cresset(actual), to_cresset(expected))
        assert got == want
        assert [x.category for x in w] == [FutureWarning, FutureWarning]


def _outcome_allclose(lib, actual, expected):
    try:
        lib.testing.assert_allclose(actual, expected)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64"]


@pytest.mark.parametrize("name", DTYPES)
def test_make_tensor_default_range_dtype_shape(name):
    dtype = getattr(cresset, name)
    t = cresset.testing.make_tensor(4, 50, dtype=dtype, device="cpu")
    ref = torch.testing.make_tensor(4, 50, dtype=getattr(torch, name), device="cpu")
    assert t.shape == (4, 50) and t.dtype == dtype and t.device.type == "cpu"
    assert t.is_contiguous() and not t.requires_grad
    values = t.double()
    lo, hi = (0, 1) if name in ("bool", "uint8") else (-9, 9)
    if name == "uint8":
        hi = 9
    assert float(values.min()) >= lo and float(values.max()) <= hi
    assert float(ref.double().min()) >= lo and float(ref.double().max()) <= hi
    # the draw is random: many distinct values
    assert len(set(values.flatten().tolist())) > 1


@pytest.mark.parametrize("name", ["int32", "float32", "float64"])
def test_make_tensor_low_high_and_exclude_zero(name):
    dtype = getattr(cresset, name)
    t = cresset.testing.make_tensor((200,), dtype=dtype, device="cpu", low=-2, high=3,
                                    exclude_zero=True)
    assert t.shape == (200,)
    assert float(t.min()) >= -2 and float(t.max()) <= 3
    assert not bool((t == 0).any())
    if name == "int32":
        assert float(t.max()) <= 2  # high is exclusive for integers


def test_make_tensor_flags():
    mt = cresset.testing.make_tensor
    t = mt(3, 4, dtype=cresset.float32, device="cpu", noncontiguous=True, requires_grad=True)
    ref = torch.testing.make_tensor(3, 4, dtype=torch.float32, device="cpu", noncontiguous=True,
                                    requires_grad=True)
    assert t.shape == ref.shape and t.stride() == ref.stride()
    assert t.storage_offset() == ref.storage_offset()
    assert not t.is_contiguous() and t.requires_grad and t.is_leaf
    one = mt(1, dtype=cresset.float32, device="cpu", noncontiguous=True)
    assert one.is_contiguous()  # one element cannot be non-contiguous (torch's rule too)
    assert mt(dtype=cresset.float64, device="cpu").shape == ()
    assert mt([2, 0], dtype=cresset.int64, device="cpu").shape == (2, 0)
    assert mt(cresset.Size([2, 3]), dtype=cresset.int64, device="cpu").shape == (2, 3)
    cl = mt(2, 3, 4, 5, dtype=cresset.float32, device="cpu",
            memory_format=cresset.channels_last)
    assert cl.stride() == (60, 1, 15, 3)


@pytest.mark.parametrize("kwargs", [
    dict(dtype="int64", requires_grad=True),
    dict(dtype="bool", requires_grad=True),
    dict(dtype="float32", low=3, high=1),
    dict(dtype="float32", low=nan),
    dict(dtype="uint8", low=-20, high=-10),
    dict(dtype="int8", low=200, high=300),
    dict(dtype="float32", noncontiguous=True, memory_format="channels_last"),
])
def test_make_tensor_errors_match_torch(kwargs):
    def call(lib):
        kw = dict(kwargs, dtype=getattr(lib, kwargs["dtype"]))
        if "memory_format" in kw:
            kw["memory_format"] = getattr(lib, kw["memory_format"])
        try:
            lib.testing.make_tensor(2, 3, device="cpu", **kw)
        except Exception as e:  # noqa: BLE001
            return type(e), str(e).replace("torch.", "")
        return None

    got, want = call(cresset), call(torch)
    assert want is not None
    assert got[0] is want[0]
    assert got[1].replace("cresset.", "") == want[1]


def test_make_tensor_huge_float_range():
    info = cresset.finfo(cresset.float32)
    t = cresset.testing.make_tensor(1000, dtype=cresset.float32, device="cpu", low=info.min,
                                    high=info.max)
    assert bool(cresset.isfinite(t).all())
    assert float(t.abs().max()) > 1e37


def test_import_is_lazy():
    import subprocess
    import sys
    code = "import cresset, sys; print('cresset.testing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert cresset.testing.assert_close is not None
