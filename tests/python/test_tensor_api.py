"""Tensor's Python protocol, legacy constructors and types, dtype names, finfo/iinfo, Size and the
small type predicates, against torch."""
import math
import pickle
import warnings

import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

import cresset


def both(make):
    """make(lib) for cresset and torch."""
    return make(cresset), make(torch)


# --------------------------------------------------------------------------------------------
# Python protocol

SINGLE = [lambda lib: lib.tensor(2.7), lambda lib: lib.tensor([-2.7]),
          lambda lib: lib.tensor([[3]]),
          lambda lib: lib.tensor(True), lambda lib: lib.tensor(0.0), lambda lib: lib.tensor(-0.0),
          lambda lib: lib.tensor(math.nan), lambda lib: lib.tensor(math.inf),
          lambda lib: lib.tensor(2 ** 62), lambda lib: lib.tensor(1.5, dtype=lib.bfloat16),
          lambda lib: lib.tensor([7], dtype=lib.uint8), lambda lib: lib.tensor(-3, dtype=lib.int8),
          lambda lib: lib.tensor([1, 2]), lambda lib: lib.tensor([]),
          lambda lib: lib.zeros(2, 0), lambda lib: lib.tensor(0.5, dtype=lib.float16)]


def outcome(fn, *args):
    """("ok", fn(*args)), or the exception type and message it raised."""
    try:
        return ("ok", fn(*args))
    except Exception as e:  # noqa: BLE001  (the exception type and message are compared)
        return (type(e), str(e))


@pytest.mark.parametrize("make", SINGLE)
@pytest.mark.parametrize("conv", [bool, int, float, complex, lambda t: t.__index__(), len,
                                  lambda t: [1, 2, 3, 4, 5, 6, 7, 8][t]],
                         ids=["bool", "int", "float", "complex", "index", "len", "as_index"])
def test_number_conversions(make, conv):
    ours, theirs = both(make)
    got, want = outcome(conv, ours), outcome(conv, theirs)
    assert repr(got) == repr(want)  # repr: nan compares unequal to itself


def test_float_warns_on_requires_grad():
    t = cresset.tensor(1.5, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert float(t) == 1.5
        assert int(t) == 1 and bool(t)
    assert len(w) == 1 and "requires_grad=True" in str(w[0].message)


def test_len_and_iter():
    ours, theirs = both(lambda lib: lib.tensor([[1, 2, 3], [4, 5, 6]]))
    assert len(ours) == len(theirs) == 2
    rows = list(ours)
    assert len(rows) == 2
    for r, s in zip(rows, theirs):
        assert_same(r, s, check_stride=True)
    assert rows[1].data_ptr() == ours.data_ptr() + 3 * 8  # views, not copies
    cols = list(to_cresset(torch.arange(6.0).reshape(2, 3).t()))
    assert [c.tolist() for c in cols] == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert [x.tolist() for x in cresset.tensor([1.5, 2.5])] == [1.5, 2.5]
    assert list(cresset.zeros(0, 2)) == []
    assert_raises_like(TypeError, lambda: iter(cresset.tensor(1)), lambda: iter(torch.tensor(1)))
    assert_raises_like(TypeError, lambda: len(cresset.tensor(1)), lambda: len(torch.tensor(1)))
    a, b = cresset.tensor([3, 4])  # unpacking
    assert (a.item(), b.item()) == (3, 4)


def test_hash_is_identity():
    t = cresset.tensor([1, 2])
    assert hash(t) == id(t)
    assert {t: 1}[t] == 1


def test_contains():
    t = cresset.tensor([[1, 2], [3, 4]])
    assert_raises_like(RuntimeError, lambda: "a" in t, lambda: "a" in torch.tensor([1]))
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        t.__contains__("a")


def test_format():
    for spec in ["", ".2f", "10.3e", ">8"]:
        assert format(cresset.tensor(3.25), spec) == format(torch.tensor(3.25), spec)
    assert format(cresset.tensor(5), "04d") == format(torch.tensor(5), "04d")
    assert f"{cresset.tensor([1, 2])}" == f"{torch.tensor([1, 2])}"


# --------------------------------------------------------------------------------------------
# Legacy constructors and types

LEGACY_NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
                "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


@pytest.mark.parametrize("name", ["Tensor"] + LEGACY_NAMES)
def test_legacy_constructor_forms(name):
    ours_cls, theirs_cls = getattr(cresset, name), getattr(torch, name)
    for args in [(), ([1, 2],), ([[1, 0], [0, 1]],), ((2, 3),), ([True, False],), ([1.5, 0],)]:
        assert_same(ours_cls(*args), theirs_cls(*args))
    for args in [(2, 3), (4,), (0,), (cresset.Size([2, 1]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, cresset.Size) else a for a in args)
        ours, theirs = ours_cls(*args), theirs_cls(*targs)
        assert ours.shape == theirs.shape and ours.dtype == getattr(cresset, str(theirs.dtype)[6:])
    assert ours_cls(2, device="cpu").shape == (2,)


def test_legacy_constructor_errors():
    for make in [lambda lib: lib.Tensor("a"), lambda lib: lib.Tensor(2.5),
                 lambda lib: lib.Tensor(2, "a"), lambda lib: lib.Tensor([1], dtype=lib.float64),
                 lambda lib: lib.LongTensor(lib.tensor([1.0]))]:
        ours, theirs = outcome(make, cresset), outcome(make, torch)
        assert ours[0] is theirs[0] is TypeError
    for make in [lambda lib: lib.Tensor(-1), lambda lib: lib.Tensor([[1, 2], [3]])]:
        assert outcome(make, cresset) == outcome(make, torch)


def test_legacy_alias():
    x = cresset.tensor([1.0, 2.0])
    y = cresset.Tensor(x)
    assert y is not x and y.data_ptr() == x.data_ptr()
    z = cresset.LongTensor(cresset.tensor([1, 2]))
    assert z.dtype is cresset.int64
    assert cresset.Tensor(cresset.tensor([1, 2])).dtype is cresset.int64  # as torch.Tensor(t)


def test_legacy_follows_default_dtype():
    for lib in (cresset, torch):
        lib.set_default_dtype(lib.float64)
    try:
        assert_same(cresset.Tensor([1, 2]), torch.Tensor([1, 2]))
    finally:
        for lib in (cresset, torch):
            lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("name", LEGACY_NAMES)
def test_legacy_isinstance_and_type(name):
    dtype_name = str(getattr(torch, name).dtype)[6:]
    for other in ["float32", "int64", "bool", "float16"]:
        ours = cresset.zeros(2, dtype=getattr(cresset, other))
        theirs = torch.zeros(2, dtype=getattr(torch, other))
        assert isinstance(ours, getattr(cresset, name)) == isinstance(theirs, getattr(torch, name))
        assert isinstance(ours, cresset.Tensor)
    assert getattr(cresset, name).dtype is getattr(cresset, dtype_name)
    assert repr(getattr(cresset, name)) == repr(getattr(torch, name))
    assert not issubclass(getattr(cresset, name), cresset.Tensor)
    t = cresset.zeros(2, dtype=getattr(cresset, dtype_name))
    assert t.type() == torch.zeros(2, dtype=getattr(torch, dtype_name)).type()


def test_tensor_type_conversion():
    x = cresset.zeros(2)
    assert x.type(cresset.float32) is x
    for spec, tspec in [(cresset.LongTensor, torch.LongTensor),
                        ("torch.IntTensor", "torch.IntTensor"),
                        (cresset.float64, torch.float64)]:
        assert_same(x.type(spec), torch.zeros(2).type(tspec))
    for bad in ["IntTensor", "torch.Foo", 3]:
        assert outcome(x.type, bad) == outcome(torch.zeros(2).type, bad)


def test_subclass_and_make_subclass():
    class MyTensor(cresset.Tensor):
        def double_size(self):
            return self.numel() * 2

    t = MyTensor([1.0, 2.0, 3.0])
    assert type(t) is MyTensor and isinstance(t, cresset.Tensor) and t.double_size() == 6
    data = cresset.tensor([1.0, 2.0])
    s = cresset.Tensor._make_subclass(MyTensor, data, True)
    assert type(s) is MyTensor and s.requires_grad and not data.requires_grad
    assert s.data_ptr() == data.data_ptr()


# --------------------------------------------------------------------------------------------
# dtypes, finfo, iinfo, predicates

def test_dtype_names_match_torch():
    ours = {n for n in dir(cresset) if isinstance(getattr(cresset, n), cresset.dtype)}
    supported = {"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                 "float32", "float64"}
    theirs = {n for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)
              and str(getattr(torch, n))[6:] in supported}
    assert ours == theirs
    for n in ours:
        assert repr(getattr(cresset, n)) == repr(getattr(torch, n))


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_finfo(name):
    ours, theirs = cresset.finfo(getattr(cresset, name)), torch.finfo(getattr(torch, name))
    for attr in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr))
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert ours == cresset.finfo(getattr(cresset, name))


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    ours, theirs = cresset.iinfo(getattr(cresset, name)), torch.iinfo(getattr(torch, name))
    for attr in ["bits", "max", "min", "dtype"]:
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr))
    assert repr(ours) == repr(theirs)


def test_info_defaults_and_errors():
    assert repr(cresset.finfo()) == repr(torch.finfo())
    assert repr(cresset.finfo(float)) == repr(torch.finfo(float))
    assert repr(cresset.iinfo(int)) == repr(torch.iinfo(int))
    for make in [lambda lib: lib.finfo(lib.int32), lambda lib: lib.iinfo(lib.float32),
                 lambda lib: lib.iinfo(lib.bool), lambda lib: lib.finfo("float32")]:
        assert outcome(make, cresset) == outcome(make, torch)
    with pytest.raises(TypeError):
        hash(cresset.finfo())


def test_predicates():
    for lib in (cresset, torch):
        assert lib.is_tensor(lib.tensor(1)) and not lib.is_tensor([1])
        assert lib.is_floating_point(lib.tensor([1.0])) and not lib.is_floating_point(lib.tensor(1))
        assert lib.numel(lib.zeros(2, 3)) == 6
        assert not lib.is_nonzero(lib.tensor([0.0])) and lib.is_nonzero(lib.tensor(2))
    for make in [lambda lib: lib.is_floating_point([1]), lambda lib: lib.numel([1]),
                 lambda lib: lib.is_nonzero(lib.tensor([1, 2])),
                 lambda lib: lib.is_nonzero(lib.tensor([]))]:
        assert outcome(make, cresset) == outcome(make, torch)


RT_OPERANDS = [
    ("int8 tensor", lambda lib: lib.tensor([1], dtype=lib.int8)),
    ("float64 0-dim", lambda lib: lib.tensor(1.0, dtype=lib.float64)),
    ("int32 tensor", lambda lib: lib.tensor([1], dtype=lib.int32)),
    ("float16 tensor", lambda lib: lib.tensor([1.0], dtype=lib.float16)),
    ("bool tensor", lambda lib: lib.tensor([True])),
    ("uint8 0-dim", lambda lib: lib.tensor(1, dtype=lib.uint8)),
    ("int", lambda lib: 2), ("float", lambda lib: 2.5), ("bool", lambda lib: True),
]


@pytest.mark.parametrize("a", RT_OPERANDS, ids=lambda x: x[0])
@pytest.mark.parametrize("b", RT_OPERANDS, ids=lambda x: x[0])
def test_result_type(a, b):
    ours = cresset.result_type(a[1](cresset), b[1](cresset))
    theirs = torch.result_type(a[1](torch), b[1](torch))
    assert repr(ours) == repr(theirs)


def test_result_type_errors_and_keywords():
    assert_raises_like(TypeError, lambda: cresset.result_type(cresset.tensor([1]), "a"),
                       lambda: torch.result_type(torch.tensor([1]), "a"))
    assert repr(cresset.result_type(tensor=cresset.tensor([1], dtype=cresset.int8), other=2)) == \
        repr(torch.result_type(tensor=torch.tensor([1], dtype=torch.int8), other=2))


@pytest.mark.parametrize("a", ["bool", "uint8", "int8", "int64", "float16", "bfloat16", "float64"])
@pytest.mark.parametrize("b", ["bool", "int16", "float32", "bfloat16"])
def test_can_cast_and_promote_types(a, b):
    assert cresset.can_cast(getattr(cresset, a), getattr(cresset, b)) == \
        torch.can_cast(getattr(torch, a), getattr(torch, b))
    assert repr(cresset.promote_types(getattr(cresset, a), getattr(cresset, b))) == \
        repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))


# --------------------------------------------------------------------------------------------
# torch.Size

def test_size_behaviour():
    pairs = [
        lambda S: S([2, 3]), lambda S: S([2, 3])[1:], lambda S: S([2, 3]) + (4,),
        lambda S: (4,) + S([2, 3]), lambda S: S([2, 3]) * 2, lambda S: 2 * S([2, 3]),
        lambda S: S(), lambda S: S([True]), lambda S: S([2]) + S([3]), lambda S: S([2, 3])[-1],
        lambda S: S([2, 3]).numel(), lambda S: S([2, 3]) == (2, 3), lambda S: S([2, 3]) == [2, 3],
        lambda S: str(S([])), lambda S: S([2, 3]).count(2), lambda S: hash(S([2])) == hash((2,)),
        lambda S: type(S([2, 3])[0]).__name__, lambda S: S([1.5]), lambda S: S(["a"]),
        lambda S: S([2, 3]) + [4], lambda S: S(3), lambda S: S([-1]),
    ]
    for make in pairs:
        ours, theirs = outcome(make, cresset.Size), outcome(make, torch.Size)
        if isinstance(theirs[1], torch.Size):
            assert type(ours[1]) is cresset.Size and repr(ours[1]) == repr(theirs[1])
        else:
            assert ours == theirs
    assert cresset.Size([cresset.tensor(3)]) == (3,)
    s = pickle.loads(pickle.dumps(cresset.Size([2, 3])))
    assert type(s) is cresset.Size and s == (2, 3)
    assert type(cresset.zeros(2, 3).shape) is cresset.Size
    assert repr(cresset.zeros(2, 3).shape) == "torch.Size([2, 3])"
    assert cresset.zeros(2, 3).size() == torch.zeros(2, 3).size()


def test_bound_functions_pickle_and_deepcopy_by_name():
    import copy
    import pickle
    for f in (cresset.tanh, cresset._C._nn.linear):
        assert copy.deepcopy(f) is f
        assert pickle.loads(pickle.dumps(f)) is f
