"""Factories, ranges, *_like / new_*, fills and dtype/device conversions against torch."""
import warnings

import cresset
import pytest
import torch
from utils import DTYPE_NAMES, assert_raises_like, assert_same, to_cresset

NUMERIC = [d for d in DTYPE_NAMES if d != "bool"]


def both(name):
    return getattr(cresset, name), getattr(torch, name)


def same_result_or_error(ours, theirs, **kw):
    """ours() equals theirs(), or both raise torch's exception type."""
    try:
        expected = theirs()
    except Exception as e:  # noqa: BLE001 - the oracle's exception type is what we compare
        with pytest.raises(type(e)):
            ours()
        return
    assert_same(ours(), expected, **kw)


@pytest.fixture
def default_float64():
    cresset.set_default_dtype(cresset.float64)
    torch.set_default_dtype(torch.float64)
    yield
    cresset.set_default_dtype(cresset.float32)
    torch.set_default_dtype(torch.float32)


# ---- size factories -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), (0,), ((),), ([],), (4,)])
def test_size_forms(name, size):
    ours, theirs = both(name)
    o, t = ours(*size), theirs(*size)
    if name == "empty":
        assert tuple(o.shape) == tuple(t.shape) and o.dtype == cresset.float32
        assert o.stride() == t.stride()
    else:
        assert_same(o, t, check_stride=True)


def test_size_as_torch_size_and_keyword():
    assert_same(cresset.zeros(cresset.Size([2, 1])), torch.zeros(torch.Size([2, 1])))
    assert_same(cresset.ones(size=(2, 3)), torch.ones(size=(2, 3)))
    assert_same(cresset.zeros(cresset.zeros(2, 5).shape), torch.zeros(2, 5))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_factory_dtypes(dtype):
    for name in ["zeros", "ones"]:
        ours, theirs = both(name)
        assert_same(ours(2, 3, dtype=getattr(cresset, dtype)), theirs(2, 3, dtype=getattr(torch, dtype)))
    assert_same(cresset.full((3,), 7, dtype=getattr(cresset, dtype)),
                torch.full((3,), 7, dtype=getattr(torch, dtype)))
    assert cresset.empty(2, dtype=getattr(cresset, dtype)).dtype == getattr(cresset, dtype)


@pytest.mark.parametrize("value", [7, 1.5, True, -3, 2.7])
def test_full_infers_dtype(value):
    assert_same(cresset.full((2, 2), value), torch.full((2, 2), value))
    assert_same(cresset.full([2], cresset.tensor(value)), torch.full([2], torch.tensor(value)))
    assert_same(cresset.full((2,), value, dtype=cresset.int32), torch.full((2,), value, dtype=torch.int32))


def test_factory_keywords_accepted():
    x = cresset.zeros(2, 3, layout=cresset.strided, pin_memory=False, device="cpu",
                      requires_grad=True)
    assert x.requires_grad and x.layout == cresset.strided and x.device == cresset.device("cpu")
    assert repr(cresset.strided) == repr(torch.strided)
    assert cresset.empty(2, device=cresset.device("cpu")).device.type == "cpu"
    assert not cresset.ones(2).requires_grad


def test_factory_errors():
    for name in ["zeros", "ones", "empty", "rand"]:
        ours, theirs = both(name)
        assert_raises_like(RuntimeError, lambda: ours(-1), lambda: theirs(-1))
        assert_raises_like(RuntimeError, lambda: ours((2, -3)), lambda: theirs((2, -3)))
        assert_raises_like(TypeError, lambda: ours(2.0), lambda: theirs(2.0))
        assert_raises_like(TypeError, lambda: ours((2,), 3), lambda: theirs((2,), 3))
        assert_raises_like(TypeError, lambda: ours(), lambda: theirs())
        assert_raises_like(TypeError, lambda: ours(2, foo=1), lambda: theirs(2, foo=1))
    assert_raises_like(RuntimeError, lambda: cresset.zeros(2, dtype=cresset.int64, requires_grad=True),
                       lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True))


def test_out_argument():
    for name in ["zeros", "ones"]:
        ours, theirs = both(name)
        o, t = cresset.zeros(1, dtype=cresset.int32), torch.zeros(1, dtype=torch.int32)
        r = ours(2, 3, out=o)
        theirs(2, 3, out=t)
        assert r._is_same(o)
        assert_same(o, t, check_stride=True)
        assert_raises_like(RuntimeError, lambda: ours(2, dtype=cresset.float64, out=o),
                           lambda: theirs(2, dtype=torch.float64, out=t))
    o = cresset.empty(5, dtype=cresset.int8)
    assert_same(cresset.full((2,), 3, out=o), torch.full((2,), 3, out=torch.empty(5, dtype=torch.int8)))


def test_empty_strided_and_scalar_tensor():
    e = cresset.empty_strided((2, 3), (1, 2), dtype=cresset.float64)
    assert e.stride() == (1, 2) and e.dtype == cresset.float64
    for v in [3, 2.5, True]:
        assert_same(cresset.scalar_tensor(v), torch.scalar_tensor(v))
        assert_same(cresset.scalar_tensor(v, dtype=cresset.int64),
                    torch.scalar_tensor(v, dtype=torch.int64))
    assert_same(cresset.scalar_tensor(cresset.tensor(2)), torch.scalar_tensor(torch.tensor(2)))


def test_default_dtype_is_honoured(default_float64):
    cases = [lambda m: m.zeros(2), lambda m: m.ones(2), lambda m: m.empty(2).dtype,
             lambda m: m.full((2,), 1.5), lambda m: m.arange(0, 1.5), lambda m: m.arange(3),
             lambda m: m.linspace(0, 1, 3), lambda m: m.logspace(0, 1, 2), lambda m: m.eye(2),
             lambda m: m.scalar_tensor(1), lambda m: m.tensor([1.5]), lambda m: m.rand(2).dtype,
             lambda m: m.randn(2).dtype, lambda m: m.randint(3, (2,)).dtype,
             lambda m: m.normal(0., 1., (2,)).dtype,
             lambda m: m.rand_like(m.zeros(2, dtype=m.float32)).dtype]
    for case in cases:
        ours, theirs = case(cresset), case(torch)
        if isinstance(theirs, torch.dtype):
            assert repr(ours) == repr(theirs)
        else:
            assert_same(ours, theirs)


# ---- ranges -------------------------------------------------------------------------------------

ARANGE_CASES = [(5,), (1, 2.5, 0.5), (10, 0, -3), (0, 1, 0.1), (-2.5, 3.7, 0.3), (True,),
                (0, 10, 3), (1e6, 1e6 + 10), (-5, 5, 1.5), (2, 2), (3, 2.9, -0.05)]


@pytest.mark.parametrize("args", ARANGE_CASES)
def test_arange(args):
    assert_same(cresset.arange(*args), torch.arange(*args))


@pytest.mark.parametrize("dtype", NUMERIC)
def test_arange_dtypes(dtype):
    for args in [(0, 5), (0, 2, 0.25), (0.5, 3), (10, 2, -1.5)]:
        same_result_or_error(lambda: cresset.arange(*args, dtype=getattr(cresset, dtype)),
                             lambda: torch.arange(*args, dtype=getattr(torch, dtype)))


def test_arange_keywords_tensor_args_and_out():
    assert_same(cresset.arange(end=3), torch.arange(end=3))
    assert_same(cresset.arange(start=1, end=3), torch.arange(start=1, end=3))
    assert_same(cresset.arange(cresset.tensor(4)), torch.arange(torch.tensor(4)))
    o, t = cresset.zeros(0), torch.zeros(0)
    assert cresset.arange(3, out=o)._is_same(o)
    torch.arange(3, out=t)
    assert_same(o, t)
    assert_raises_like(RuntimeError,
                       lambda: cresset.arange(0, 3, dtype=cresset.float32, out=cresset.zeros(1, dtype=cresset.float64)),
                       lambda: torch.arange(0, 3, dtype=torch.float32, out=torch.zeros(1, dtype=torch.float64)))


@pytest.mark.parametrize("args,kw", [((0, 5, 0), {}), ((5, 0), {}), ((-1,), {}),
                                     ((0, float("inf")), {}), ((0, float("nan")), {}),
                                     ((5,), {"dtype": "bool"}), ((1, 0, 0.5), {})])
def test_arange_errors(args, kw):
    ok = {k: getattr(cresset, v) for k, v in kw.items()}
    tk = {k: getattr(torch, v) for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(RuntimeError, lambda: cresset.arange(*args, **ok),
                           lambda: torch.arange(*args, **tk))


@pytest.mark.parametrize("args,dtype", [((1, 4), None), ((1, 4), "int64"), ((0, 1, 0.3), None),
                                        ((4, 1, -1), None), ((0, 2, 0.5), "float64"), ((-3, 3, 2), "int32")])
def test_range_inclusive_and_deprecated(args, dtype):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        o = cresset.range(*args, dtype=getattr(cresset, dtype) if dtype else None)
        t = torch.range(*args, dtype=getattr(torch, dtype) if dtype else None)
    assert any(issubclass(x.category, UserWarning) for x in w)
    assert_same(o, t)


def test_range_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(RuntimeError, lambda: cresset.range(4, 1), lambda: torch.range(4, 1))
        assert_raises_like(RuntimeError, lambda: cresset.range(0, 1, 0), lambda: torch.range(0, 1, 0))
        assert_raises_like(TypeError, lambda: cresset.range(4), lambda: torch.range(4))


LINSPACE_CASES = [(0, 1, 5), (-3, 7, 11), (0, 10, 4), (3, 3, 1), (0, 1, 0), (1, -1, 7), (0, 1, 100),
                  (-10.5, 10.5, 1000), (5, 2, 2)]


@pytest.mark.parametrize("dtype", NUMERIC + [None])
def test_linspace(dtype):
    for args in LINSPACE_CASES:
        if dtype in ("uint8",) and min(args[:2]) < 0:
            continue
        ok = {"dtype": getattr(cresset, dtype)} if dtype else {}
        tk = {"dtype": getattr(torch, dtype)} if dtype else {}
        assert_same(cresset.linspace(*args, **ok), torch.linspace(*args, **tk))


def test_linspace_tensor_args_out_and_errors():
    assert_same(cresset.linspace(cresset.tensor(0), cresset.tensor(1.), 3),
                torch.linspace(torch.tensor(0), torch.tensor(1.), 3))
    o, t = cresset.zeros(1, dtype=cresset.float64), torch.zeros(1, dtype=torch.float64)
    cresset.linspace(0, 1, 3, out=o)
    torch.linspace(0, 1, 3, out=t)
    assert_same(o, t)
    assert_raises_like(RuntimeError, lambda: cresset.linspace(0, 1, -1), lambda: torch.linspace(0, 1, -1))
    assert_raises_like(TypeError, lambda: cresset.linspace(0, 1), lambda: torch.linspace(0, 1))
    assert_raises_like(RuntimeError, lambda: cresset.linspace(0, 5, 3, dtype=cresset.bool),
                       lambda: torch.linspace(0, 5, 3, dtype=torch.bool))


@pytest.mark.parametrize("args,kw", [((0, 2, 3), {}), ((0, 2, 3), {"base": 2}), ((-1, 1, 5), {}),
                                     ((0, 3, 4), {"dtype": "int64"}), ((0, 1, 1), {}), ((0, 1, 0), {}),
                                     ((1, 3, 5), {"base": 3.5, "dtype": "float64"}),
                                     ((0, 2, 5), {"dtype": "float16"}), ((2, 0, 4), {"base": 2, "dtype": "int32"})])
def test_logspace(args, kw):
    ok = {k: getattr(cresset, v) if k == "dtype" else v for k, v in kw.items()}
    tk = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
    assert_same(cresset.logspace(*args, **ok), torch.logspace(*args, **tk))


@pytest.mark.parametrize("args", [(3,), (2, 3), (3, 2), (0,), (1, 4), (0, 2)])
@pytest.mark.parametrize("dtype", ["float32", "bool", "int64", "float16"])
def test_eye(args, dtype):
    assert_same(cresset.eye(*args, dtype=getattr(cresset, dtype)),
                torch.eye(*args, dtype=getattr(torch, dtype)), check_stride=True)


def test_eye_keywords_out_and_errors():
    assert_same(cresset.eye(n=2, m=3), torch.eye(n=2, m=3))
    o, t = cresset.zeros(1, dtype=cresset.int8), torch.zeros(1, dtype=torch.int8)
    cresset.eye(2, out=o)
    torch.eye(2, out=t)
    assert_same(o, t, check_stride=True)
    assert_raises_like(RuntimeError, lambda: cresset.eye(-1), lambda: torch.eye(-1))
    assert_raises_like(RuntimeError, lambda: cresset.eye(2, -1), lambda: torch.eye(2, -1))


# ---- *_like and new_* ---------------------------------------------------------------------------

LAYOUTS = [
    lambda: torch.arange(24.).reshape(2, 3, 4),
    lambda: torch.arange(24.).reshape(2, 3, 4).transpose(0, 2),
    lambda: torch.arange(24.).reshape(2, 3, 4)[:, :, ::2],
    lambda: torch.arange(24.).reshape(2, 3, 4)[:, 1:, :].transpose(1, 2),
    lambda: torch.arange(3.).reshape(3, 1).expand(3, 4),
    lambda: torch.arange(3.).reshape(1, 3).expand(4, 3),
    lambda: torch.empty_strided((3, 1, 4), (4, 100, 1)).fill_(1),
    lambda: torch.empty_strided((2, 3), (1, 2)).fill_(2),
    lambda: torch.tensor(5.),
    lambda: torch.empty(0, 3).t(),
    lambda: torch.empty(2, 0, 3).transpose(0, 2),
    lambda: torch.arange(6).reshape(2, 3).t(),
]


@pytest.mark.parametrize("make", LAYOUTS)
def test_like_strides_and_values(make):
    t = make()
    c = to_cresset(t)
    for name in ["zeros_like", "ones_like"]:
        ours, theirs = both(name)
        assert_same(ours(c), theirs(t), check_stride=True)
        assert_same(ours(c, dtype=cresset.int32), theirs(t, dtype=torch.int32), check_stride=True)
    e, te = cresset.empty_like(c), torch.empty_like(t)
    assert e.stride() == te.stride() and tuple(e.shape) == tuple(te.shape) and e.dtype == c.dtype
    assert_same(cresset.full_like(c, 7), torch.full_like(t, 7), check_stride=True)
    assert_same(cresset.full_like(c, 2.5, dtype=cresset.int64), torch.full_like(t, 2.5, dtype=torch.int64),
                check_stride=True)
    if t.is_floating_point():
        for name in ["rand_like", "randn_like"]:
            ours, theirs = both(name)
            o, th = ours(c), theirs(t)
            assert o.stride() == th.stride() and o.dtype == c.dtype
    r, tr = cresset.randint_like(c, 5), torch.randint_like(t, 5)
    assert r.stride() == tr.stride() and r.dtype == c.dtype


def test_like_keywords_and_errors():
    c = cresset.zeros(2, 3, dtype=cresset.int32)
    assert cresset.zeros_like(c, device="cpu").device.type == "cpu"
    assert cresset.ones_like(cresset.zeros(2), requires_grad=True).requires_grad
    assert_same(cresset.full_like(c, 2.7), torch.full_like(torch.zeros(2, 3, dtype=torch.int32), 2.7))
    assert_raises_like(NotImplementedError, lambda: cresset.rand_like(c),
                       lambda: torch.rand_like(torch.zeros(2, 3, dtype=torch.int32)))
    assert cresset.randn_like(cresset.zeros(2), dtype=cresset.float64).dtype == cresset.float64
    assert cresset.randint_like(cresset.zeros(2), 3, 5).dtype == cresset.float32
    x = cresset.randint_like(c, 3, 5)
    assert x.dtype == cresset.int32 and all(3 <= v < 5 for row in x.tolist() for v in row)


@pytest.mark.parametrize("dtype", ["int32", "float64", "bool", "float16"])
def test_new_methods_inherit_dtype(dtype):
    o = cresset.zeros(2, dtype=getattr(cresset, dtype))
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    assert_same(o.new_zeros(2, 3), t.new_zeros(2, 3))
    assert_same(o.new_ones((2,)), t.new_ones((2,)))
    assert_same(o.new_full((2, 2), 3), t.new_full((2, 2), 3))
    assert_same(o.new_full(size=(2,), fill_value=1), t.new_full(size=(2,), fill_value=1))
    assert_same(o.new_tensor([1.5, 0]), t.new_tensor([1.5, 0]))
    assert_same(o.new_tensor([[1, 2]], dtype=cresset.float64), t.new_tensor([[1, 2]], dtype=torch.float64))
    assert_same(o.new_ones([2, 3], dtype=cresset.int8), t.new_ones([2, 3], dtype=torch.int8))
    e = o.new_empty([])
    assert e.dtype == o.dtype and tuple(e.shape) == ()
    assert tuple(o.new_empty(2, 3).shape) == (2, 3)
    assert_raises_like(TypeError, lambda: o.new_zeros(), lambda: t.new_zeros())


def test_new_tensor_copies_tensor_data():
    src = cresset.tensor([1.5, 2.0])
    n = cresset.tensor([1, 2]).new_tensor(src)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(n, torch.tensor([1, 2]).new_tensor(torch.tensor([1.5, 2.0])))
    m = src.new_tensor(src)
    m.fill_(0)
    assert src.tolist() == [1.5, 2.0]


# ---- fills --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("value", [3, -1, 2.7, True, 0])
def test_fill_(dtype, value):
    o = cresset.zeros(2, 3, dtype=getattr(cresset, dtype))
    t = torch.zeros(2, 3, dtype=getattr(torch, dtype))
    v = o._version
    assert o.fill_(value)._is_same(o)
    t.fill_(value)
    assert_same(o, t)
    assert o._version == v + 1


@pytest.mark.parametrize("make", LAYOUTS[:8])
def test_fill_views_and_zero_(make):
    t = make().clone()
    base = t
    c = to_cresset(t)
    c.fill_(cresset.tensor(4.5))
    t.fill_(torch.tensor(4.5))
    assert_same(c, t)
    assert c.zero_()._is_same(c)
    assert_same(c, base.zero_())


def test_fill_functions_and_errors():
    assert_same(cresset.fill(cresset.zeros(2), 3), torch.fill(torch.zeros(2), 3))
    x = cresset.ones(2)
    assert cresset.zero_(x)._is_same(x) and x.tolist() == [0.0, 0.0]
    assert_same(cresset.zeros(2).fill_(cresset.tensor(5)), torch.zeros(2).fill_(torch.tensor(5)))
    assert_raises_like(RuntimeError, lambda: cresset.zeros(2).fill_(cresset.tensor([1., 2.])),
                       lambda: torch.zeros(2).fill_(torch.tensor([1., 2.])))
    # torch fills tensors whose elements alias each other (stride 0)
    base = cresset.zeros(1, 3)
    view = base.as_strided((4, 3), (0, 1))
    view.fill_(2)
    assert base.tolist() == [[2.0, 2.0, 2.0]]


@pytest.mark.parametrize("dtype, value", [
    ("uint8", 300), ("uint8", -256), ("int8", -129), ("int16", 1e300), ("int32", 2 ** 40),
    ("int64", 1e30), ("int32", float("nan")), ("float16", 1e6), ("bfloat16", 1e300),
    ("float32", 1e300)])
def test_fills_refuse_values_that_overflow(dtype, value):
    # torch checks the number against the dtype (c10::checked_convert); a tensor value wraps.
    for make in (lambda L: L.full((2,), value, dtype=getattr(L, dtype)),
                 lambda L: L.zeros(2, dtype=getattr(L, dtype)).fill_(value),
                 lambda L: L.full_like(L.zeros(2, dtype=getattr(L, dtype)), value),
                 lambda L: L.zeros(2, dtype=getattr(L, dtype)).new_full((2,), value)):
        with pytest.raises(RuntimeError) as theirs:
            make(torch)
        with pytest.raises(RuntimeError) as ours:
            make(cresset)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype, value", [("uint8", -255), ("float16", float("inf")),
                                          ("bool", 2.5), ("int8", -128)])
def test_fills_accept_values_torch_accepts(dtype, value):
    assert_same(cresset.full((2,), value, dtype=getattr(cresset, dtype)),
                torch.full((2,), value, dtype=getattr(torch, dtype)))
    assert_same(cresset.zeros(2, dtype=getattr(cresset, dtype)).fill_(cresset.tensor(300)),
                torch.zeros(2, dtype=getattr(torch, dtype)).fill_(torch.tensor(300)))


# ---- conversions --------------------------------------------------------------------------------

def test_to_returns_self_when_nothing_changes():
    x = cresset.arange(6.).as_strided((2, 3), (3, 1))
    assert x.to(cresset.float32) is x
    assert x.to("cpu") is x
    assert x.to(x) is x
    assert x.to(cresset.device("cpu"), cresset.float32) is x
    assert x.to() is x
    assert x.float() is x and x.cpu() is x and x.type(cresset.float32) is x
    assert x.type("torch.FloatTensor") is x
    assert x.to(cresset.float32, copy=True) is not x
    assert x.to(cresset.float32, False, True) is not x


@pytest.mark.parametrize("make", LAYOUTS)
@pytest.mark.parametrize("dtype", ["float64", "int32", "bool", "float16", "uint8"])
def test_to_dtype_keeps_layout(make, dtype):
    t = make()
    c = to_cresset(t)
    assert_same(c.to(getattr(cresset, dtype)), t.to(getattr(torch, dtype)), check_stride=True)
    assert_same(c.to("cpu", getattr(cresset, dtype)), t.to("cpu", getattr(torch, dtype)), check_stride=True)
    assert_same(c.to(device="cpu", dtype=getattr(cresset, dtype)),
                t.to(device="cpu", dtype=getattr(torch, dtype)), check_stride=True)
    assert_same(c.to(cresset.zeros(1, dtype=getattr(cresset, dtype))),
                t.to(torch.zeros(1, dtype=getattr(torch, dtype))), check_stride=True)


def test_to_copy_is_independent_and_errors():
    x = cresset.ones(3)
    y = x.to(cresset.float32, copy=True)
    y.fill_(5)
    assert x.tolist() == [1.0, 1.0, 1.0]
    assert x.to(dtype=cresset.int8, copy=True).dtype == cresset.int8
    assert x.to(cresset.float64, non_blocking=True).dtype == cresset.float64
    t = torch.ones(3)
    assert_raises_like(TypeError, lambda: x.to(cresset.float64, cresset.float32),
                       lambda: t.to(torch.float64, torch.float32))
    assert_raises_like(TypeError, lambda: x.to("cpu", "cpu"), lambda: t.to("cpu", "cpu"))


SHORTHANDS = ["float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("method", SHORTHANDS)
def test_dtype_shorthands(method):
    t = torch.tensor([[1.5, -2.0, 0.0], [3.0, 255.0, 7.25]]).t()
    c = to_cresset(t)
    assert_same(getattr(c, method)(), getattr(t, method)(), check_stride=True)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_type_names(dtype):
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    c = cresset.zeros(2, dtype=getattr(cresset, dtype))
    assert c.type() == t.type()
    assert_same(cresset.zeros(2).type(t.type()), torch.zeros(2).type(t.type()))
    assert_same(cresset.ones(2).type(getattr(cresset, dtype)), torch.ones(2).type(getattr(torch, dtype)))


def test_type_errors_and_cuda():
    assert_same(cresset.ones(2).type(dtype="torch.IntTensor"), torch.ones(2).type(dtype="torch.IntTensor"))
    for bad in ["torch.Foo", "torch.float32", "FloatTensor"]:
        assert_raises_like(ValueError, lambda: cresset.zeros(2).type(bad), lambda: torch.zeros(2).type(bad))
    # Without CUDA both raise AssertionError; a CUDA build on a machine without GPU raises
    # RuntimeError("No CUDA GPUs are available"), as torch's CUDA build does.
    if not cresset.cuda.is_available():
        for f in [lambda: cresset.zeros(2).cuda(), lambda: cresset.zeros(2).to("cuda"),
                  lambda: cresset.zeros(2).type("torch.cuda.FloatTensor")]:
            with pytest.raises((AssertionError, RuntimeError), match="CUDA"):
                f()


@pytest.mark.parametrize("fill", [lambda m, o: m.arange(5, out=o), lambda m, o: m.linspace(0, 1, 5, out=o),
                                  lambda m, o: m.logspace(0, 1, 5, out=o), lambda m, o: m.zeros(5, out=o),
                                  lambda m, o: m.full((5,), 2, out=o)])
def test_out_strided_view_keeps_layout(fill):
    ours, theirs = cresset.ones(10), torch.ones(10)
    o = ours.as_strided((5,), (2,))
    r = fill(cresset, o)
    fill(torch, theirs.as_strided((5,), (2,)))
    assert r is o and o.stride() == (2,)
    assert_same(ours, theirs)


FACTORIES_FOR_VERSION = [
    lambda L: L.zeros(2), lambda L: L.ones(2, 3), lambda L: L.full((2,), 3.0),
    lambda L: L.randn(2), lambda L: L.rand(2), lambda L: L.randint(0, 3, (2,)),
    lambda L: L.randperm(4), lambda L: L.normal(0.0, 1.0, (2,)), lambda L: L.arange(3),
    lambda L: L.linspace(0, 1, 3), lambda L: L.logspace(0, 1, 3), lambda L: L.eye(2),
    lambda L: L.tensor([1.0]), lambda L: L.empty(2), lambda L: L.zeros_like(L.ones(2)),
    lambda L: L.randn_like(L.ones(2)), lambda L: L.ones(2).new_ones(3),
    lambda L: L.ones(2).new_full((2,), 1.5),
]


@pytest.mark.parametrize("make", range(len(FACTORIES_FOR_VERSION)))
def test_fresh_factory_results_are_at_version_zero(make):
    # A factory initialising its own output is not an in-place modification (torch: version 0);
    # writing into out= is one.
    f = FACTORIES_FOR_VERSION[make]
    assert f(cresset)._version == f(torch)._version == 0


def test_factory_out_bumps_version_like_torch():
    versions = []
    for lib in (cresset, torch):
        o = lib.empty(2)
        lib.ones(2, out=o)
        versions.append(o._version)
    assert versions[0] == versions[1]
