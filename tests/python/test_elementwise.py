"""Elementwise ops against torch: generic differential tests driven by op_db (function, method,
in-place, out=), then operators, errors, rounding modes, promotion and vectorized accuracy."""
import operator
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from op_db import ALL, FLOATS, OP_DB, OPS
from utils import assert_raises_like, assert_same, check_op_sample, to_cresset

import cresset

DEF_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "cresset", "ops", "elementwise.def")


def _conv(v):
    return to_cresset(v) if isinstance(v, torch.Tensor) else v


def same_outcome(fn, *args, check_stride=False):
    """fn(lib, *operands) gives the same result, or raises the same exception type, in cresset
    (operands rebuilt with to_cresset) as in torch."""
    try:
        expected = fn(torch, *args)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            fn(cresset, *[_conv(a) for a in args])
        return
    try:
        assert_same(fn(cresset, *[_conv(a) for a in args]), expected, check_stride=check_stride)
    except AssertionError as e:
        raise AssertionError(f"{args!r}: {e}") from None


VARIANTS = ["function", "method", "inplace", "out"]


def _cases():
    for op in OP_DB:
        for variant in VARIANTS:
            if getattr(op, {"function": "name", "method": "method", "inplace": "inplace",
                            "out": "out"}[variant]):
                yield pytest.param(op.name, variant, id=f"{op.name}-{variant}")


@pytest.mark.parametrize("name,variant", list(_cases()))
def test_op_db(name, variant):
    op = OPS[name]
    for dtype in ALL:
        for sample in op.samples(dtype):
            check_op_sample(op, variant, dtype, sample)


def test_every_def_row_is_in_op_db():
    with open(DEF_FILE) as f:
        text = f.read()
    rows = set(re.findall(r"^CRESSET_(?:UNARY|BINARY|TERNARY)\((\w+),", text, re.M))
    aliases = set(re.findall(r"^CRESSET_ALIAS\((\w+),", text, re.M))
    assert len(rows) > 80 and len(aliases) > 10
    covered = {r for op in OP_DB for r in op.rows}
    assert rows - covered == set(), f"rows missing from op_db: {sorted(rows - covered)}"
    assert covered - rows == set(), f"op_db rows not in elementwise.def: {sorted(covered - rows)}"
    assert aliases - set(OPS) == set(), f"aliases missing from op_db: {sorted(aliases - set(OPS))}"


def test_op_db_names_exist_in_both():
    for op in OP_DB:
        for lib in (torch, cresset):
            assert callable(op.fn(lib)), f"{lib.__name__}.{op.namespace}.{op.name}"
            assert hasattr(lib.Tensor, op.name) == op.method or op.name in ("where",), op.name
            assert hasattr(lib.Tensor, op.name + "_") == op.inplace or \
                op.name in ("positive", "isclose", "where", "rsub"), op.name


# ---- vectorized loops: long tensors, every CPU capability ----
def _long_input(domain, dtype, n, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(domain[0], domain[1], n)
    v[:: 97] = 0.0
    return torch.tensor(v).to(getattr(torch, dtype))


def check_long_tensors(n=5000):
    """Float ops on long contiguous tensors (the vectorized main loops, libmvec calls) and one
    tensor above the parallel grain, against torch with default tolerances."""
    for op in OP_DB:
        if op.arity not in (1, 2) or "float32" not in op.dtypes or op.name in ("positive",):
            continue
        kwargs = op.kwargs_variants[0]
        for dtype in FLOATS:
            args = [_long_input(op.domain, dtype, n)]
            if op.arity == 2:
                args.append(_long_input(op.other_domain or op.domain, dtype, n, seed=1))
            expected = op.fn(torch)(*args, **kwargs)
            ours = op.fn(cresset)(*[to_cresset(t) for t in args], **kwargs)
            try:
                assert_same(ours, expected)
            except AssertionError as e:
                raise AssertionError(f"{op.name} {dtype} n={n}: {e}") from None
    big = torch.linspace(-5, 5, 70001)
    assert_same(cresset.exp(to_cresset(big)), torch.exp(big))
    assert_same(to_cresset(big) * 3 + 1, big * 3 + 1)
    assert_same(cresset.sigmoid(to_cresset(big.t()[::2])), torch.sigmoid(big[::2]))


def test_long_tensors():
    check_long_tensors()


@pytest.mark.parametrize("capability", ["base", "avx2"])
def test_long_tensors_other_capabilities(capability):
    package_root = os.path.dirname(os.path.dirname(cresset.__file__))
    env = dict(os.environ, CRESSET_CPU_CAPABILITY=capability,
               PYTHONPATH=os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]))
    code = "import test_elementwise as t; t.check_long_tensors(2000)"
    r = subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(__file__), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]


# ---- Python operators ----
def _pair(dtype_a="float32", dtype_b="float32"):
    a = torch.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]).to(getattr(torch, dtype_a))
    b = torch.tensor([2.0, -3.0, 1.0]).to(getattr(torch, dtype_b))
    return a, b


BINARY_OPERATORS = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
    "/": lambda x, y: x / y, "//": lambda x, y: x // y, "%": lambda x, y: x % y,
    "**": lambda x, y: x ** y, "==": lambda x, y: x == y, "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y, "&": lambda x, y: x & y, "|": lambda x, y: x | y,
    "^": lambda x, y: x ^ y, "<<": lambda x, y: x << y, ">>": lambda x, y: x >> y,
}


@pytest.mark.parametrize("sym", list(BINARY_OPERATORS))
@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("int64", "int32"), ("bool", "bool"),
                                    ("int32", "float64"), ("uint8", "int8")])
def test_binary_operators(sym, dtypes):
    f = BINARY_OPERATORS[sym]
    a, b = _pair(*dtypes)
    b = b.abs() + 1 if b.dtype != torch.bool else b  # no zero divisors, non-negative exponents
    operands = [(a, b), (a, 2), (a, 3.5), (a, True), (3, a), (2.5, a), (True, a)]
    if sym in ("<<", ">>"):
        operands = [(a, b), (a, 2), (3, a)]
    for x, y in operands:
        ctx = f"{x!r} {sym} {y!r}"
        try:
            expected = f(x, y)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)):
                f(_conv(x), _conv(y))
            continue
        try:
            assert_same(f(_conv(x), _conv(y)), expected)
        except AssertionError as e:
            raise AssertionError(f"{ctx}: {e}") from None


AUGMENTED = {"+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
             "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow,
             "&": operator.iand, "|": operator.ior, "^": operator.ixor, "<<": operator.ilshift,
             ">>": operator.irshift}


@pytest.mark.parametrize("sym", list(AUGMENTED))
def test_augmented_operators(sym):
    f = AUGMENTED[sym]  # x = f(x, y) is `x op= y`
    for dtype, other in [("float32", 2), ("float32", 2.5), ("int64", 3), ("int64", 2.5),
                         ("int32", "tensor"), ("bool", True), ("bool", 1)]:
        t = torch.tensor([[1, 2, 3], [4, 5, 6]]).to(getattr(torch, dtype))
        o = torch.tensor([1, 2, 1]).to(t.dtype) if other == "tensor" else other
        ours = to_cresset(t)
        version = ours._version
        try:
            expected = f(t.clone(), o)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)):
                f(ours, _conv(o))
            continue
        assert f(ours, _conv(o)) is ours, f"{sym}= must modify the tensor in place"
        assert ours._version > version
        assert_same(ours, expected)


def test_unary_operators():
    for dtype in ["float32", "int64", "int8", "uint8", "bool", "float16"]:
        t = torch.tensor([[1, -2, 3], [0, 5, -6]]).to(getattr(torch, dtype))
        ours = to_cresset(t)
        for f in (lambda x: -x, lambda x: +x, abs, lambda x: ~x):
            try:
                expected = f(t)
            except Exception as e:  # noqa: BLE001
                with pytest.raises(type(e)):
                    f(ours)
                continue
            assert_same(f(ours), expected)
    x = to_cresset(torch.ones(2))
    assert +x is x


def test_operators_return_notimplemented_for_unknown_types():
    x = to_cresset(torch.ones(3))
    for other in ["a", None, [1, 2, 3], object()]:
        for sym in ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "<", "<=",
                    ">", ">="]:
            with pytest.raises(TypeError):
                BINARY_OPERATORS[sym](x, other)
            if sym == "%" and isinstance(other, str):
                # str % mapping formats without raising; tensors (with __getitem__) count as
                # mappings, in torch too.
                assert BINARY_OPERATORS[sym](other, x) == other == ("a" % torch.ones(3))
                continue
            with pytest.raises(TypeError):
                BINARY_OPERATORS[sym](other, x)
        assert (x == other) is False
        assert (x != other) is True
    assert x.__add__("a") is NotImplemented and x.__radd__(None) is NotImplemented
    assert x.__iadd__("a") is NotImplemented and x.__eq__(None) is NotImplemented

    class Right:
        def __radd__(self, other):
            return "right"

        def __rmul__(self, other):
            return "right"
    assert x + Right() == "right" and x * Right() == "right"
    assert isinstance(hash(x), int)


def test_operators_with_subclasses_and_errors():
    # The operators are C type slots (Note [Operator slots]): subclasses inherit them, a subclass's
    # own operator wins in either order, edges keep the written order, errors keep their types.
    cp, tp = cresset.nn.Parameter(cresset.ones(3)), torch.nn.Parameter(torch.ones(3))
    ct_, tt = cresset.ones(3), torch.ones(3)
    for f in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b):
        for ours, theirs in (((ct_, cp), (tt, tp)), ((cp, ct_), (tp, tt))):
            r, e = f(*ours), f(*theirs)
            assert_same(r.detach(), e.detach())
            assert type(r) is cresset.Tensor
            assert [n.name().split("::")[-1] if n else None for n, _ in r.grad_fn.next_functions] \
                == [type(n).__name__ if n else None for n, _ in e.grad_fn.next_functions]

    class Loud(cresset.Tensor):
        def __add__(self, other):
            return "loud add"

        def __radd__(self, other):
            return "loud radd"

    loud = cresset.Tensor._make_subclass(Loud, cresset.ones(2), False)
    assert loud + 1 == "loud add" and 1 + loud == "loud radd" and cresset.ones(2) + loud == "loud radd"
    assert_same(cresset.Tensor.__add__(cresset.ones(2), 1), torch.ones(2) + 1)
    with pytest.raises(TypeError):
        pow(cresset.ones(2), 2, 3)
    with pytest.raises(RuntimeError, match="must match the size"):
        cresset.ones(2) + cresset.ones(3)
    with pytest.raises(RuntimeError, match="must match the size"):
        cresset.ones(2).__iadd__(cresset.ones(3))
    with pytest.raises(TypeError, match="only implemented on integer"):
        ~cresset.ones(2)
    x = cresset.ones(2)
    assert hash(x) == id(x) and x.__hash__() == id(x)


def test_reflected_operators_with_tensors():
    a, b = _pair("int64", "float32")
    a[a == 0] = 7  # no zero divisors
    ca, cb = to_cresset(a), to_cresset(b)
    for name in ["__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rfloordiv__", "__rmod__",
                 "__rpow__"]:
        assert_same(getattr(ca, name)(cb), getattr(a, name)(b))
        assert_same(getattr(ca, name)(2), getattr(a, name)(2))
    ia, ib = to_cresset(torch.tensor([1, 2, 3])), torch.tensor([1, 2, 3])
    for name in ["__rand__", "__ror__", "__rxor__", "__rlshift__", "__rrshift__"]:
        assert_same(getattr(ia, name)(5), getattr(ib, name)(5))


# ---- errors ----
def _both(fn):
    return lambda: fn(cresset), lambda: fn(torch)


ERRORS = {
    "neg bool": (RuntimeError, lambda L: -L.tensor([True, False])),
    "sub bool bool": (RuntimeError, lambda L: L.tensor([True]) - L.tensor([False])),
    "sub bool number": (RuntimeError, lambda L: L.tensor([True]) - 1),
    "rsub number bool": (RuntimeError, lambda L: 1 - L.tensor([True])),
    "pos bool": (RuntimeError, lambda L: +L.tensor([True])),
    "abs bool": (NotImplementedError, lambda L: L.abs(L.tensor([True]))),
    "invert float": (TypeError, lambda L: ~L.tensor([1.0])),
    "bitwise float": (NotImplementedError, lambda L: L.tensor([1.0]) & 1),
    "shift float": (NotImplementedError, lambda L: L.tensor([1]) << 1.5),
    "bitwise_not float": (NotImplementedError, lambda L: L.bitwise_not(L.tensor([1.0]))),
    "int // 0": (RuntimeError, lambda L: L.tensor([1, 2]) // 0),
    "int % 0": (RuntimeError, lambda L: L.tensor([1, 2]) % L.tensor([1, 0])),
    "uint8 // 0": (RuntimeError, lambda L: L.tensor([1], dtype=L.uint8) // 0),
    "fmod int 0": (RuntimeError, lambda L: L.fmod(L.tensor([3]), 0)),
    "div trunc int 0": (RuntimeError, lambda L: L.div(L.tensor([3]), 0, rounding_mode="trunc")),
    "bad rounding mode": (RuntimeError, lambda L: L.div(L.ones(2), 2, rounding_mode="round")),
    "int ** negative": (RuntimeError, lambda L: L.tensor([2, 3]) ** -1),
    "pow int8 negative": (RuntimeError, lambda L: L.pow(L.tensor([2], dtype=L.int8), -2)),
    "pow bool bool": (NotImplementedError, lambda L: L.pow(L.tensor([True]), L.tensor([True]))),
    "int += float": (RuntimeError, lambda L: L.tensor([1, 2]).__iadd__(2.5)),
    "int /= 2": (RuntimeError, lambda L: L.tensor([1, 2]).__itruediv__(2)),
    "bool |= 1": (RuntimeError, lambda L: L.tensor([True]).__ior__(1)),
    "exp_ int": (RuntimeError, lambda L: L.tensor([1, 2]).exp_()),
    "inplace broadcast": (RuntimeError, lambda L: L.ones(3).add_(L.ones(2, 3))),
    "inplace expanded": (RuntimeError, lambda L: L.ones(1).expand(3).add_(1)
                         if hasattr(L.Tensor, "expand") else L.ones(1).as_strided([3], [0]).add_(1)),
    "broadcast": (RuntimeError, lambda L: L.ones(2, 3) * L.ones(4)),
    "out cast down": (RuntimeError, lambda L: L.add(L.ones(2), 1.5,
                                                    out=L.empty(2, dtype=L.int64))),
    "alpha float on int": (RuntimeError, lambda L: L.add(L.ones(2, dtype=L.int64), 1, alpha=0.5)),
    "alpha bool on int": (RuntimeError, lambda L: L.add(L.ones(2, dtype=L.int64), 1, alpha=True)),
    "alpha overflow": (RuntimeError, lambda L: L.add(L.ones(2, dtype=L.int8), 1, alpha=1000)),
    "clamp no bounds": (RuntimeError, lambda L: L.clamp(L.ones(2))),
    "clamp overflow": (RuntimeError, lambda L: L.clamp(L.ones(2, dtype=L.float16), 1e5)),
    "clamp int overflow": (RuntimeError, lambda L: L.clamp(L.ones(2, dtype=L.int32), 2 ** 40)),
    "clamp mixed bounds": (TypeError, lambda L: L.clamp(L.ones(2), L.zeros(2), 1.0)),
    "clamp bool": (NotImplementedError, lambda L: L.clamp(L.tensor([True]), True)),
    "clamp_ to int": (RuntimeError, lambda L: L.ones(2, dtype=L.int64).clamp_(0.5)),
    "maximum number": (TypeError, lambda L: L.maximum(L.ones(2), 1)),
    "atan2 number": (TypeError, lambda L: L.atan2(L.ones(2), 1)),
    "logical_and number": (TypeError, lambda L: L.logical_and(L.ones(2), True)),
    "fmod number input": (TypeError, lambda L: L.fmod(2, L.ones(2))),
    "eq number input": (TypeError, lambda L: L.eq(2, L.ones(2))),
    "hypot int": (NotImplementedError, lambda L: L.hypot(L.tensor([3]), L.tensor([4]))),
    "frac int": (NotImplementedError, lambda L: L.frac(L.tensor([3]))),
    "round int decimals": (NotImplementedError, lambda L: L.round(L.tensor([3]), decimals=1)),
    "relu bool": (RuntimeError, lambda L: L.relu(L.tensor([True]))),
    "relu out": (TypeError, lambda L: L.relu(L.ones(2), out=L.ones(2))),
    "isnan out": (TypeError, lambda L: L.isnan(L.ones(2), out=L.ones(2, dtype=L.bool))),
    "isposinf float out": (RuntimeError, lambda L: L.isposinf(L.ones(2), out=L.ones(2))),
    "signbit float out": (RuntimeError, lambda L: L.signbit(L.ones(2), out=L.ones(2))),
    "float_power_ float32": (RuntimeError, lambda L: L.ones(2).float_power_(2)),
    "float_power out float32": (RuntimeError, lambda L: L.float_power(L.ones(2), 2,
                                                                      out=L.ones(2))),
    "where float condition": (RuntimeError, lambda L: L.where(L.ones(2), L.ones(2), L.ones(2))),
    "lerp dtypes": (RuntimeError, lambda L: L.lerp(L.ones(2), L.ones(2, dtype=L.float64), 0.5)),
    "lerp weight dtype": (RuntimeError, lambda L: L.lerp(L.ones(2), L.ones(2),
                                                         L.ones(2, dtype=L.float64))),
    "lerp int": (NotImplementedError, lambda L: L.lerp(L.tensor([1]), L.tensor([2]), 0.5)),
    "addcdiv ints": (RuntimeError, lambda L: L.addcdiv(L.ones(2), L.tensor([1, 2]),
                                                       L.tensor([1, 2]))),
    "addcmul bool": (NotImplementedError, lambda L: L.addcmul(*[L.tensor([True])] * 3)),
    "isclose dtypes": (RuntimeError, lambda L: L.isclose(L.ones(2), L.ones(2, dtype=L.int64))),
    "isclose rtol": (RuntimeError, lambda L: L.isclose(L.ones(2), L.ones(2), rtol=-1)),
    "isclose atol": (RuntimeError, lambda L: L.isclose(L.ones(2), L.ones(2), atol=-1)),
    "allclose shapes": (RuntimeError, lambda L: L.allclose(L.ones(3), L.ones(2))),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case):
    exc, fn = ERRORS[case]
    assert_raises_like(exc, lambda: fn(cresset), lambda: fn(torch))


def test_error_messages_name_the_problem():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        cresset.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="Negation.*bool"):
        -cresset.tensor([True])
    with pytest.raises(RuntimeError, match="two bool tensors"):
        cresset.tensor([True]) - cresset.tensor([True])
    with pytest.raises(NotImplementedError, match="'Float'"):
        cresset.tensor([1.0]) & 1
    with pytest.raises(RuntimeError, match="negative integer powers"):
        cresset.tensor([2]) ** -1
    with pytest.raises(RuntimeError, match="rounding_mode"):
        cresset.div(cresset.ones(2), 2, rounding_mode="round")


# ---- rounding modes, division, pow ----
def test_division_rounding_modes():
    a = torch.tensor([-7, -6, -1, 0, 1, 6, 7, 2 ** 40, -(2 ** 62)])
    for dtype in ["int64", "int32", "int8", "uint8", "float32", "float64", "float16"]:
        # (torch itself traps on INT_MIN / -1 with rounding_mode="trunc": keep min + 1.)
        x = a.to(getattr(torch, dtype)) if dtype.startswith("float") else \
            a.clamp(torch.iinfo(getattr(torch, dtype)).min + 1,
                    torch.iinfo(getattr(torch, dtype)).max).to(getattr(torch, dtype))
        for d in [2, -2, 3, -1, 1]:
            if dtype == "uint8" and d < 0:
                continue
            for mode in [None, "trunc", "floor"]:
                assert_same(cresset.div(to_cresset(x), d, rounding_mode=mode),
                            torch.div(x, d, rounding_mode=mode))
            assert_same(to_cresset(x) // d, x // d)
            assert_same(to_cresset(x) % d, x % d)
            assert_same(cresset.fmod(to_cresset(x), d), torch.fmod(x, d))
            divisor = x.abs() % 50 + 1
            assert_same(cresset.remainder(d, to_cresset(divisor)), torch.remainder(d, divisor))
    f = torch.tensor([-7.5, 7.5, -0.0, 0.0, 5.0, float("inf"), -float("inf"), float("nan")])
    for d in [2.0, -2.0, 0.0, -0.0, float("inf"), -float("inf")]:
        for mode in [None, "trunc", "floor"]:
            assert_same(cresset.div(to_cresset(f), d, rounding_mode=mode),
                        torch.div(f, d, rounding_mode=mode))
        assert_same(to_cresset(f) % d, f % d)
        assert_same(cresset.fmod(to_cresset(f), d), torch.fmod(f, d))


def test_int_min_divided_by_minus_one_does_not_trap():
    for dtype in ["int32", "int64"]:
        x = torch.tensor([torch.iinfo(getattr(torch, dtype)).min, 5], dtype=getattr(torch, dtype))
        assert_same(to_cresset(x) // -1, x // -1)
        assert_same(to_cresset(x) % -1, x % -1)
        assert_same(cresset.fmod(to_cresset(x), -1), torch.fmod(x, -1))
        # torch traps here; the quotient wraps around like the other integer overflows.
        assert cresset.div(to_cresset(x), -1, rounding_mode="trunc").tolist() == \
            [torch.iinfo(x.dtype).min, -5]


def test_pow_semantics():
    pow_ = lambda L, x, y: L.pow(x, y)
    i = torch.tensor([-3, -1, 0, 1, 2, 3])
    for e in [torch.tensor([-2, -1, 0, 1, 3, 40]), torch.tensor(-1), 0, 1, 2, 3, 63, 0.5, -1.5,
              2.0, -1, True]:
        same_outcome(pow_, i, e)
    b = torch.tensor([True, False])
    for e in [0, 1, 2, True, False, 0.5, -1, b]:
        same_outcome(pow_, b, e)
        same_outcome(pow_, e, b)
    for base in [2, -2, 2.5, True, 1, 0, -1]:
        same_outcome(pow_, base, i)
    same_outcome(pow_, torch.tensor([3, 7, -2], dtype=torch.int8), 5)
    same_outcome(pow_, torch.tensor([3, 7], dtype=torch.uint8), torch.tensor([9, 2],
                                                                             dtype=torch.uint8))
    f = torch.tensor([0.0, -0.0, 2.0, -2.0, float("inf"), float("nan")])
    for e in [0, 1, 2, -1, 0.5, -0.5, 3, float("inf"), float("nan")]:
        same_outcome(pow_, f, e)
        same_outcome(pow_, e, f)
    same_outcome(lambda L, x: L.square(x), b)
    same_outcome(lambda L, x: L.float_power(x, -1), i)


# ---- type promotion with Python numbers and 0-dim tensors ----
PROMOTION = [
    ("int64", 2.5), ("int32", 3), ("int8", 300), ("uint8", -1), ("bool", True), ("bool", 2),
    ("bool", 2.5), ("float16", 1e-4), ("bfloat16", 3), ("float16", ("float64", 0)),
    ("int8", ("int64", 0)), ("int32", ("float64", 0)), ("bool", ("int8", 0)),
    ("uint8", ("int8", 1)), ("float16", ("bfloat16", 1)), ("float32", ("float64", 1)),
]


@pytest.mark.parametrize("left,right", PROMOTION)
def test_scalar_promotion(left, right):
    a = torch.tensor([[1, 0, 3], [4, 5, 1]]).to(getattr(torch, left))
    if isinstance(right, tuple):
        dt, dim = right
        b = torch.tensor([2] * (3 if dim else 1)).to(getattr(torch, dt))
        b = b[0] if dim == 0 else b
    else:
        b = right
    for name in ["add", "mul", "eq", "lt", "maximum", "div", "atan2", "where", "bitwise_and"]:
        def fn(L, x, y, name=name):
            if name == "where":
                return L.where(x > 1, x, y)
            return getattr(L, name)(x, y)
        try:
            expected = fn(torch, a, b)
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)):
                fn(cresset, to_cresset(a), _conv(b))
            continue
        assert_same(fn(cresset, to_cresset(a), _conv(b)), expected)


# ---- in-place and out= semantics ----
def test_inplace_keeps_identity_layout_and_bumps_version():
    base = torch.arange(24.0).reshape(4, 6)
    for view in [lambda t: t.t(), lambda t: t[::2, 1::2], lambda t: t]:
        t = view(base.clone())
        ours = to_cresset(t)
        v = ours._version
        r = ours.mul_(2)
        assert r is ours and ours._version == v + 1
        t.mul_(2)
        assert_same(ours, t, check_stride=True)
        ours.clamp_(max=20).sin_()
        t.clamp_(max=20).sin_()
        assert_same(ours, t, check_stride=True)
        assert ours.eq_(ours) is ours and ours.dtype == cresset.float32


def test_out_resizes_casts_and_returns_out():
    a, b = _pair()
    for out_dtype, shape in [("float64", (0,)), ("float32", (2, 3)), ("float32", (7,)),
                             ("float64", (2, 3))]:
        out = cresset.empty(*shape, dtype=getattr(cresset, out_dtype))
        v = out._version
        r = cresset.mul(to_cresset(a), to_cresset(b), out=out)
        assert r is out and out._version > v
        assert_same(out, torch.mul(a, b).to(getattr(torch, out_dtype)))
    out = cresset.empty(0, dtype=cresset.float32)
    assert cresset.eq(to_cresset(a), 1.5, out=out) is out
    assert_same(out, torch.eq(a, 1.5).float())
    out = cresset.empty(0, dtype=cresset.int32)
    assert cresset.logical_not(to_cresset(a), out=out) is out
    assert_same(out, torch.logical_not(a).int())
    assert cresset.exp(to_cresset(a), out=None).dtype == cresset.float32


# ---- composites with a boolean result ----
def test_allclose_and_equal():
    a = torch.tensor([1.0, 2.0, float("nan")])
    pairs = [(a, a), (a, a + 1e-7), (a, a + 1e-3), (a[:2], torch.tensor(1.0)),
             (torch.tensor([1, 2]), torch.tensor([1, 2])), (torch.ones(2, 3).t(), torch.ones(3, 2)),
             (torch.tensor([float("inf")]), torch.tensor([float("inf")]))]
    for x, y in pairs:
        for kw in [{}, dict(equal_nan=True), dict(rtol=0, atol=1e-2)]:
            try:
                expected = torch.allclose(x, y, **kw)
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    cresset.allclose(to_cresset(x), to_cresset(y), **kw)
                continue
            assert cresset.allclose(to_cresset(x), to_cresset(y), **kw) is expected
        assert cresset.equal(to_cresset(x), to_cresset(y)) is torch.equal(x, y)
    assert cresset.equal(to_cresset(torch.tensor([1, 2])), to_cresset(torch.tensor([1.0, 2.0])))
    assert to_cresset(a).equal(to_cresset(a)) is False  # NaN != NaN


# ---- torch's own rounding steps, reproduced exactly ----
ROUNDING_CASES = [  # (case, also exact for float32: no libm call involved)
    (lambda L, a, b, q: a * 0.1, True), (lambda L, a, b, q: a / 0.3, True),
    (lambda L, a, b, q: 3.0 / a, True), (lambda L, a, b, q: 0.1 * a, True),
    (lambda L, a, b, q: a // 0.3, True),
    (lambda L, a, b, q: L.div(a, 0.7, rounding_mode="trunc"), True),
    (lambda L, a, b, q: a * L.tensor(0.1), True),
    (lambda L, a, b, q: L.div(a, b, rounding_mode="trunc"), True),
    (lambda L, a, b, q: a ** 2, True), (lambda L, a, b, q: a ** 3, True),
    (lambda L, a, b, q: a ** -2, True), (lambda L, a, b, q: L.square(a), True),
    (lambda L, a, b, q: L.xlogy(a, b), False), (lambda L, a, b, q: L.xlogy(a, 2.7), False),
    (lambda L, a, b, q: L.logit(q), False), (lambda L, a, b, q: L.logit(q, eps=0.1), False),
]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_rounding_matches_torch_exactly(dtype):
    """Where torch keeps a Python-number operand at float precision (float16 mul, divisions),
    rounds an intermediate to the storage type (logit, xlogy, truncated division, bfloat16 x**3),
    or computes a reflected division as reciprocal * number, cresset gives bit-identical results;
    default tolerances would hide a one-ulp difference."""
    rng = np.random.default_rng(7)
    for n in (12, 3000):
        x = torch.tensor(rng.uniform(0.05, 9.0, n)).to(getattr(torch, dtype))
        y = torch.tensor(rng.uniform(0.5, 3.0, n)).to(getattr(torch, dtype))
        p = torch.tensor(rng.uniform(0.02, 0.98, n)).to(getattr(torch, dtype))
        for i, (f, exact32) in enumerate(ROUNDING_CASES):
            if dtype == "float32" and not exact32:
                continue
            expected = f(torch, x, y, p)
            ours = f(cresset, to_cresset(x), to_cresset(y), to_cresset(p))
            try:
                assert_same(ours, expected, rtol=0, atol=0)
            except AssertionError as e:
                raise AssertionError(f"case {i}, n={n}: {e}") from None
