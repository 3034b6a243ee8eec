"""The elementwise op table of the tests: every elementwise op, how to call it, the dtypes it
supports, and a generator of sample inputs (real torch tensors; the tests rebuild each one in
cresset with the same layout).

Samples cover contiguous, transposed, stepped-slice, broadcast, stride-0 expanded, 0-dim and empty
operands, Python-number operands where the op accepts them, mixed dtypes, and IEEE special values
(NaN, +-inf, -0.0) for floating dtypes. Every row of cresset/ops/elementwise.def must appear in
some entry's `rows` (tests/python/test_elementwise.py checks it).
"""
from dataclasses import dataclass, field

import numpy as np
import torch

ALL = ("bool", "uint8", "int8", "int16", "int32", "int64",
       "float16", "bfloat16", "float32", "float64")
FLOATS = ("float16", "bfloat16", "float32", "float64")
INTS = ("uint8", "int8", "int16", "int32", "int64")
NUMERIC = INTS + FLOATS
INTEGRAL = ("bool",) + INTS
SPECIALS = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 1.0, -1.0, 0.5, -2.5, 3.0]


@dataclass
class Sample:
    """One call: positional args and keyword args (torch tensors and Python values)."""
    desc: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    tensors_only: bool = True  # no Python numbers among the operands
    canonical: bool = False    # the op's plain call: must succeed for every dtype in op.dtypes
    out_ok: bool = True        # torch accepts out= with these operands (not with a number input)


@dataclass
class OpInfo:
    name: str                     # torch.<name> / Tensor.<name>
    arity: int = 1                # tensor operands
    dtypes: tuple = ALL           # dtypes whose tensor-only samples must succeed in torch
    rows: tuple = None            # elementwise.def rows exercised (default: (name,))
    method: bool = True           # Tensor.<name>
    inplace: bool = True          # Tensor.<name>_
    out: bool = True              # torch.<name>(..., out=)
    domain: tuple = (-3.0, 3.0)   # float input range
    int_range: tuple = (-9, 9)    # integer input range (clipped to the dtype)
    other_domain: tuple = None    # range of the second operand, when it differs
    other_int_range: tuple = None
    nonzero_other: bool = False   # integer second operands avoid 0 (integer division raises)
    number_other: bool = True     # the second operand may be a Python number
    number_input: bool = False    # the first operand may be a Python number
    numbers: tuple = (2, 2.5)     # the Python numbers to try
    kwargs_variants: tuple = ({},)  # keyword sets tried on the contiguous and transposed samples
    specials: bool = True         # float samples with NaN/inf/-0.0
    custom: object = None         # samples(op, dtype, rng) -> extra Samples
    namespace: str = ""           # the function is lib.<namespace>.<name> ("nn.functional")

    def __post_init__(self):
        if self.rows is None:
            self.rows = (self.name,)

    def fn(self, lib):
        """The op's function in `lib` (torch or cresset)."""
        mod = lib
        for part in filter(None, self.namespace.split(".")):
            mod = getattr(mod, part)
        return getattr(mod, self.name)

    def samples(self, dtype):
        """The samples of this op for input dtype `dtype` (a name), reproducibly."""
        rng = np.random.default_rng(abs(hash((self.name, dtype))) % 2**32)
        out = []
        if self.arity == 1:
            out += _unary_samples(self, dtype, rng)
        elif self.arity == 2:
            out += _binary_samples(self, dtype, rng)
        if self.custom is not None:
            out += self.custom(self, dtype, rng)
        out[0].canonical = True
        return out


def make(shape, dtype, rng, domain=(-3.0, 3.0), int_range=(-9, 9), nonzero=False):
    """A contiguous torch tensor of `shape` with values drawn for `dtype`."""
    tdt = getattr(torch, dtype)
    if dtype == "bool":
        return torch.tensor(rng.integers(0, 2, size=shape).astype(bool))
    if dtype in INTS:
        info = torch.iinfo(tdt)
        lo = max(int_range[0], info.min)
        hi = max(min(int_range[1], info.max), lo)
        v = rng.integers(lo, hi + 1, size=shape)
        if nonzero:
            v[v == 0] = 1 if hi >= 1 else -1
        return torch.tensor(v, dtype=tdt)
    v = rng.uniform(domain[0], domain[1], size=shape)
    if nonzero:
        v[v == 0] = 1.0
    return torch.tensor(v, dtype=torch.float64).to(tdt)


def _first(op, dtype, rng, shape):
    return make(shape, dtype, rng, op.domain, op.int_range)


def _second(op, dtype, rng, shape):
    return make(shape, dtype, rng, op.other_domain or op.domain,
                op.other_int_range or op.int_range, op.nonzero_other)


def _unary_samples(op, dtype, rng):
    f = lambda shape: _first(op, dtype, rng, shape)
    s = []
    for kw in op.kwargs_variants:
        s.append(Sample(f"contiguous {kw}", (f((3, 4)),), dict(kw)))
        s.append(Sample(f"transposed {kw}", (f((4, 3)).t(),), dict(kw)))
    kw = op.kwargs_variants[0]
    s += [Sample("sliced", (f((5, 8))[::2, 1::3],), dict(kw)),
          Sample("expanded", (f((1, 4)).expand(3, 4),), dict(kw)),
          Sample("0-dim", (f(()),), dict(kw)),
          Sample("empty", (f((0, 3)),), dict(kw))]
    if op.specials and dtype in FLOATS:
        s.append(Sample("specials", (torch.tensor(SPECIALS, dtype=getattr(torch, dtype)),),
                        dict(kw)))
    return s


def _binary_samples(op, dtype, rng):
    a = lambda shape: _first(op, dtype, rng, shape)
    b = lambda shape: _second(op, dtype, rng, shape)
    s = []
    for kw in op.kwargs_variants:
        s.append(Sample(f"contiguous {kw}", (a((3, 4)), b((3, 4))), dict(kw)))
        s.append(Sample(f"transposed {kw}", (a((4, 3)).t(), b((3, 4))), dict(kw)))
    kw = op.kwargs_variants[0]
    s += [Sample("sliced", (a((5, 8))[::2, 1::3], b((6, 6))[1::2, ::2]), dict(kw)),
          Sample("broadcast", (a((3, 1)), b((4,))), dict(kw)),
          Sample("expanded", (a((3, 4)), b((1, 4)).expand(3, 4)), dict(kw)),
          Sample("0-dim other", (a((3, 4)), b(())), dict(kw)),
          Sample("0-dim both", (a(()), b(())), dict(kw)),
          Sample("empty", (a((0, 3)), b((3,))), dict(kw))]
    # Mixed dtypes: the second operand int32 (or float32 for integer inputs).
    mixed = "float32" if dtype in INTEGRAL else "int32"
    s.append(Sample(f"mixed {mixed}", (a((3, 4)), make((3, 4), mixed, rng, op.other_domain or
                                                       op.domain, op.other_int_range or
                                                       op.int_range, op.nonzero_other)),
                    dict(kw)))
    if op.specials and dtype in FLOATS:
        sp = torch.tensor(SPECIALS, dtype=getattr(torch, dtype))
        s.append(Sample("specials", (sp[:, None], sp[None, :]), dict(kw)))
    if op.number_other:
        for n in op.numbers:
            s.append(Sample(f"number other {n!r}", (a((3, 4)), n), dict(kw), tensors_only=False))
    if op.number_input:
        for n in op.numbers:
            s.append(Sample(f"number input {n!r}", (n, b((3, 4))), dict(kw), tensors_only=False,
                            out_ok=False))
    return s


# ---- custom samples ----
def _where_samples(op, dtype, rng):
    a = lambda shape: make(shape, dtype, rng)
    cond = lambda shape: make(shape, "bool", rng)
    return [Sample("contiguous", (cond((3, 4)), a((3, 4)), a((3, 4)))),
            Sample("transposed", (cond((4, 3)).t(), a((4, 3)).t(), a((3, 4)))),
            Sample("broadcast", (cond((3, 1)), a((1, 4)), a((4,)))),
            Sample("expanded", (cond((1, 4)).expand(3, 4), a((3, 4)), a(()))),
            Sample("0-dim", (cond(()), a(()), a(()))),
            Sample("empty", (cond((0, 3)), a((0, 3)), a((3,)))),
            Sample("mixed", (cond((3, 4)), a((3, 4)), make((3, 4), "int32", rng))),
            Sample("numbers", (cond((3, 4)), a((3, 4)), 0.5), tensors_only=False, out_ok=False),
            Sample("number input", (cond((3, 4)), 2, a((3, 4))), tensors_only=False,
                   out_ok=False),
            Sample("uint8 condition", (make((3, 4), "uint8", rng, int_range=(0, 1)), a((3, 4)),
                                       a((3, 4))), tensors_only=False),
            Sample("float condition", (a((3, 4)).float(), a((3, 4)), a((3, 4))),
                   tensors_only=False)]


def _lerp_samples(op, dtype, rng):
    a = lambda shape: make(shape, dtype, rng)
    w = lambda shape: make(shape, dtype, rng, (-0.5, 1.5))
    return [Sample("weight 0.3", (a((3, 4)), a((3, 4)), 0.3), tensors_only=False),
            Sample("weight 0.75 transposed", (a((4, 3)).t(), a((3, 4)), 0.75),
                   tensors_only=False),
            Sample("weight tensor", (a((3, 4)), a((3, 4)), w((3, 4)))),
            Sample("weight broadcast", (a((3, 1)), a((4,)), w((3, 4)))),
            Sample("weight expanded", (a((3, 4)), a((3, 4)), w((1, 4)).expand(3, 4))),
            Sample("weight 0-dim", (a((3, 4)), a((3, 4)), w(()))),
            Sample("weight 0-dim float64", (a((3, 4)), a((3, 4)),
                                            torch.tensor(0.25, dtype=torch.float64))),
            Sample("empty", (a((0, 3)), a((3,)), 0.5), tensors_only=False),
            Sample("end float64", (a((3, 4)), make((3, 4), "float64", rng), 0.5),
                   tensors_only=False)]


def _addc_samples(op, dtype, rng):
    a = lambda shape: make(shape, dtype, rng, (0.5, 3.0), (1, 9))
    return [Sample("contiguous", (a((3, 4)), a((3, 4)), a((3, 4)))),
            Sample("value 2", (a((3, 4)), a((3, 4)), a((3, 4))), dict(value=2)),
            Sample("value 0.5", (a((3, 4)), a((3, 4)), a((3, 4))), dict(value=0.5)),
            Sample("transposed", (a((4, 3)).t(), a((3, 4)), a((4, 3)).t())),
            Sample("broadcast", (a((3, 1)), a((4,)), a((3, 4)))),
            Sample("expanded", (a((3, 4)), a((1, 4)).expand(3, 4), a(()))),
            Sample("0-dim", (a(()), a(()), a(()))),
            Sample("empty", (a((0, 3)), a((3,)), a((0, 3)))),
            Sample("mixed", (a((3, 4)), make((3, 4), "float32", rng, (0.5, 3.0)), a((3, 4))))]


def _clamp_tensor_samples(op, dtype, rng):
    a = lambda shape: make(shape, dtype, rng)
    bound = lambda shape, lo, hi: make(shape, dtype, rng, (lo, hi), (int(lo), int(hi)))
    if op.name in ("clamp_min", "clamp_max"):
        return [Sample("tensor bound", (a((3, 4)), bound((3, 4), -1, 1))),
                Sample("tensor bound broadcast", (a((3, 4)), bound((4,), -1, 1))),
                Sample("float32 bound", (a((3, 4)), make((4,), "float32", rng, (-1, 1))))]
    return [Sample("tensor bounds", (a((3, 4)),), dict(min=bound((3, 4), -2, 0),
                                                       max=bound((4,), 0, 2))),
            Sample("tensor min", (a((3, 4)),), dict(min=bound((3, 1), -1, 1))),
            Sample("tensor max", (a((4, 3)).t(),), dict(max=bound((), 0, 1))),
            Sample("min > max", (a((3, 4)),), dict(min=bound((3, 4), 1, 2),
                                                  max=bound((3, 4), -2, -1))),
            Sample("float32 min", (a((3, 4)),), dict(min=make((4,), "float32", rng, (-1, 1))))]


def _isclose_samples(op, dtype, rng):
    a = make((3, 4), dtype, rng)
    if dtype in FLOATS:
        b = (a.double() + torch.tensor(rng.uniform(-1e-3, 1e-3, (3, 4)))).to(a.dtype)
    else:
        b = a.clone()
        b[0] = b[0] // 2
    sp = torch.tensor(SPECIALS, dtype=a.dtype) if dtype in FLOATS else None
    s = [Sample("near", (a, b)),
         Sample("near rtol", (a, b), dict(rtol=1e-2, atol=0)),
         Sample("near atol", (a, b), dict(atol=1e-3)),
         Sample("zero tolerances", (a, b), dict(rtol=0, atol=0)),
         Sample("broadcast", (a, b[0])),
         Sample("transposed", (a.t(), b.t().contiguous()))]
    if sp is not None:
        s += [Sample("specials", (sp[:, None], sp[None, :])),
              Sample("specials equal_nan", (sp[:, None], sp[None, :]), dict(equal_nan=True))]
    return s


def _float_power_numbers(op, dtype, rng):
    return [Sample("number other -1", (make((3, 4), dtype, rng, (0.5, 3), (1, 5)), -1),
                   tensors_only=False)]


def _pow_numbers(op, dtype, rng):
    a = lambda: make((3, 4), dtype, rng, op.domain, op.int_range)
    return [Sample(f"exponent {e!r}", (a(), e), tensors_only=False)
            for e in (0, 1, 3, -1, 0.5, -2.0, True, False)]


def _shift_numbers(op, dtype, rng):
    a = make((3, 4), dtype, rng, int_range=(-100, 100))
    return [Sample(f"shift {n}", (a, n), tensors_only=False) for n in (-1, 0, 3, 7, 8, 15, 64)]


def _unary(name, **kw):
    return OpInfo(name, 1, **kw)


def _activation(name, **kw):
    """An activation of torch.nn.functional: function only (in-place forms are tested in
    test_nn_activation.py)."""
    kw.setdefault("dtypes", FLOATS)
    kw.setdefault("method", False)
    return OpInfo(name, 1, inplace=False, out=False, namespace="nn.functional", **kw)


def _binary(name, **kw):
    return OpInfo(name, 2, **kw)


POS = (0.05, 5.0)
UNIT = (-0.99, 0.99)
DIVISION = dict(nonzero_other=True, other_domain=(0.25, 3.0))

OP_DB = [
    # ---- unary arithmetic ----
    _unary("neg", dtypes=NUMERIC), _unary("negative", dtypes=NUMERIC, rows=("neg",)),
    _unary("abs", dtypes=NUMERIC), _unary("absolute", dtypes=NUMERIC, rows=("abs",)),
    _unary("sign"), _unary("sgn"),
    _unary("reciprocal"),
    _unary("relu", dtypes=NUMERIC, out=False, rows=("relu", "threshold_backward")),
    _unary("deg2rad"), _unary("rad2deg"),
    _unary("square", rows=("pow",)),
    _unary("positive", dtypes=NUMERIC, inplace=False, out=False, rows=()),
    _unary("clamp", dtypes=NUMERIC, rows=("clamp", "clamp_min", "clamp_max"),
           kwargs_variants=(dict(min=-1, max=1), dict(min=0.5), dict(max=-0.5), dict(min=1, max=0),
                            dict(min=-1.5, max=2.5)),
           custom=_clamp_tensor_samples),
    _unary("clip", dtypes=NUMERIC, rows=("clamp",), kwargs_variants=(dict(min=-1, max=1),)),
    _unary("clamp_min", dtypes=NUMERIC, kwargs_variants=(dict(min=0),),
           custom=_clamp_tensor_samples),
    _unary("clamp_max", dtypes=NUMERIC, kwargs_variants=(dict(max=1),),
           custom=_clamp_tensor_samples),
    _unary("nan_to_num", kwargs_variants=({}, dict(nan=1.5, posinf=100.0, neginf=-7.0),
                                          dict(posinf=1e40))),
    # ---- exponentials, logarithms, roots ----
    _unary("exp", dtypes=ALL), _unary("exp2"), _unary("expm1"),
    _unary("log", domain=POS), _unary("log2", domain=POS), _unary("log10", domain=POS),
    _unary("log1p", domain=(-0.9, 5.0)),
    _unary("sqrt", domain=(0.0, 5.0)), _unary("rsqrt", domain=POS),
    _unary("sigmoid", domain=(-8.0, 8.0)),
    _unary("logit", domain=(0.02, 0.98), kwargs_variants=({}, dict(eps=0.1), dict(eps=-1.0))),
    # ---- trigonometric and hyperbolic ----
    _unary("sin"), _unary("cos"), _unary("tan", domain=(-1.4, 1.4)),
    _unary("asin", domain=UNIT), _unary("acos", domain=UNIT), _unary("atan"),
    _unary("sinh"), _unary("cosh"), _unary("tanh"),
    _unary("asinh"), _unary("acosh", domain=(1.01, 5.0), int_range=(1, 9)),
    _unary("atanh", domain=UNIT),
    _unary("arcsin", domain=UNIT, rows=("asin",)), _unary("arccos", domain=UNIT, rows=("acos",)),
    _unary("arctan", rows=("atan",)), _unary("arcsinh", rows=("asinh",)),
    _unary("arccosh", domain=(1.01, 5.0), int_range=(1, 9), rows=("acosh",)),
    _unary("arctanh", domain=UNIT, rows=("atanh",)),
    # ---- special functions ----
    _unary("erf"), _unary("erfc"), _unary("erfinv", domain=UNIT),
    _unary("lgamma", domain=(0.1, 6.0)), _unary("digamma", domain=(0.1, 6.0)),
    # ---- rounding ----
    _unary("floor", dtypes=NUMERIC), _unary("ceil", dtypes=NUMERIC),
    _unary("trunc", dtypes=NUMERIC), _unary("fix", dtypes=NUMERIC, rows=("trunc",)),
    _unary("round", dtypes=NUMERIC, domain=(-30.0, 30.0), rows=("round", "round_decimals"),
           kwargs_variants=({}, dict(decimals=2), dict(decimals=-1))),
    _unary("frac", dtypes=FLOATS),
    # ---- predicates, logical, bitwise ----
    _unary("isnan", inplace=False, out=False), _unary("isinf", inplace=False, out=False),
    _unary("isfinite", inplace=False, out=False), _unary("isreal", inplace=False, out=False),
    _unary("isposinf", inplace=False), _unary("isneginf", inplace=False),
    _unary("signbit", inplace=False),
    _unary("logical_not"), _unary("bitwise_not", dtypes=INTEGRAL),
    # ---- binary arithmetic ----
    # alpha is a power of two: torch's float16/bfloat16 scalar loop rounds alpha * other before
    # adding while its vector loop (and cresset) round once; exact products make both agree.
    _binary("add", number_input=True, numbers=(2, 2.5, True),
            kwargs_variants=({}, dict(alpha=2), dict(alpha=0.5))),
    _binary("sub", dtypes=NUMERIC, number_input=True, rows=("add",),
            kwargs_variants=({}, dict(alpha=4), dict(alpha=-0.25))),
    _binary("subtract", dtypes=NUMERIC, number_input=True, rows=("add",)),
    _binary("rsub", dtypes=NUMERIC, rows=("add",), inplace=False, out=False, method=False,
            kwargs_variants=({}, dict(alpha=2))),
    _binary("mul", number_input=True, numbers=(2, 2.5, True)),
    _binary("multiply", number_input=True, rows=("mul",)),
    _binary("div", number_input=True, rows=("div", "div_trunc", "floor_divide"),
            kwargs_variants=({}, dict(rounding_mode="trunc"), dict(rounding_mode="floor")),
            **DIVISION),
    _binary("divide", number_input=True, rows=("div",), **DIVISION),
    _binary("true_divide", number_input=True, rows=("div",), **DIVISION),
    _binary("floor_divide", dtypes=NUMERIC, number_input=True, **DIVISION),
    _binary("remainder", dtypes=NUMERIC, number_input=True, numbers=(2, -2.5), **DIVISION),
    _binary("fmod", dtypes=NUMERIC, numbers=(2, -2.5), **DIVISION),
    _binary("pow", dtypes=NUMERIC, number_input=True, domain=(0.1, 3.0), int_range=(-4, 4),
            other_domain=(-2.0, 2.0), other_int_range=(0, 5), numbers=(2, 0.5),
            custom=_pow_numbers),
    _binary("float_power", number_input=True, rows=("pow",), domain=(0.1, 3.0), int_range=(1, 5),
            other_domain=(-2.0, 2.0), other_int_range=(0, 4), custom=_float_power_numbers),
    _binary("maximum", number_other=False, inplace=False),
    _binary("minimum", number_other=False, inplace=False),
    _binary("fmax", number_other=False, inplace=False),
    _binary("fmin", number_other=False, inplace=False),
    _binary("hypot", dtypes=FLOATS, number_other=False),
    _binary("atan2", number_other=False), _binary("arctan2", number_other=False, rows=("atan2",)),
    _binary("copysign"),
    _binary("xlogy", number_input=True, other_domain=POS),
    # torch.igamma's shape parameter must be positive and both operands tensors; its gradient
    # exists for `other` only (the generic test sees both raise NotImplementedError).
    _binary("igamma", dtypes=FLOATS, number_other=False, domain=POS, other_domain=POS),
    _binary("igammac", dtypes=FLOATS, number_other=False, domain=POS, other_domain=POS),
    OpInfo("lerp", 0, dtypes=FLOATS, rows=("lerp", "lerp_scalar"), custom=_lerp_samples),
    # ---- comparisons ----
    _binary("eq"), _binary("ne"), _binary("lt"), _binary("le"), _binary("gt"), _binary("ge"),
    _binary("greater", rows=("gt",)), _binary("greater_equal", rows=("ge",)),
    _binary("less", rows=("lt",)), _binary("less_equal", rows=("le",)),
    _binary("not_equal", rows=("ne",)),
    OpInfo("isclose", 0, inplace=False, out=False, rows=(), custom=_isclose_samples),
    # ---- logical and bitwise ----
    _binary("logical_and", number_other=False), _binary("logical_or", number_other=False),
    _binary("logical_xor", number_other=False),
    _binary("bitwise_and", dtypes=INTEGRAL, number_input=True, numbers=(3, True)),
    _binary("bitwise_or", dtypes=INTEGRAL, number_input=True, numbers=(3, True)),
    _binary("bitwise_xor", dtypes=INTEGRAL, number_input=True, numbers=(3, True)),
    _binary("bitwise_left_shift", dtypes=INTS, number_input=True, numbers=(3,),
            int_range=(-20, 20), other_int_range=(-2, 9), custom=_shift_numbers),
    _binary("bitwise_right_shift", dtypes=INTS, number_input=True, numbers=(3,),
            int_range=(-20, 20), other_int_range=(-2, 9), custom=_shift_numbers),
    # ---- ternary ----
    OpInfo("where", 0, inplace=False, method=False, custom=_where_samples),
    OpInfo("addcmul", 0, dtypes=NUMERIC, custom=_addc_samples),
    OpInfo("addcdiv", 0, dtypes=FLOATS, custom=_addc_samples),
    # ---- activations (nn/activation.cpp) ----
    _activation("leaky_relu", kwargs_variants=({}, dict(negative_slope=0.2),
                                                dict(negative_slope=-1.5))),
    _activation("hardtanh", dtypes=("int8", "int16", "int32", "int64") + FLOATS,
                kwargs_variants=({}, dict(min_val=-0.5, max_val=2.0), dict(min_val=1, max_val=1))),
    _activation("relu6", dtypes=NUMERIC, rows=("hardtanh",), domain=(-3.0, 9.0)),
    _activation("elu", kwargs_variants=({}, dict(alpha=0.5), dict(alpha=2.0))),
    _activation("selu", rows=("elu",)),
    _activation("celu", rows=("elu",), kwargs_variants=({}, dict(alpha=0.5), dict(alpha=3.0))),
    # No specials: torch's own gelu(+inf) is inf or nan depending on its vectorized path
    # (test_nn_activation.py checks -inf and nan).
    _activation("gelu", rows=("gelu", "gelu_tanh", "gelu_backward"),
                kwargs_variants=({}, dict(approximate="tanh")), specials=False),
    _activation("silu", rows=("silu", "silu_backward"), domain=(-8.0, 8.0)),
    _activation("mish", domain=(-8.0, 8.0)),
    _activation("hardsigmoid", domain=(-5.0, 5.0)),
    _activation("hardswish", domain=(-5.0, 5.0)),
    _activation("softplus", domain=(-8.0, 8.0),
                kwargs_variants=({}, dict(beta=2, threshold=1), dict(beta=0.5, threshold=30))),
    _activation("logsigmoid", rows=("log_sigmoid",), domain=(-20.0, 20.0)),
    _activation("softshrink", kwargs_variants=({}, dict(lambd=1.0), dict(lambd=0.0))),
    _activation("hardshrink", method=True, kwargs_variants=({}, dict(lambd=1.0))),
    _activation("threshold", dtypes=NUMERIC,
                kwargs_variants=(dict(threshold=1, value=20), dict(threshold=0.5, value=-1.5))),
    _activation("rrelu", rows=("leaky_relu",), kwargs_variants=({}, dict(lower=0.1, upper=0.3))),
    _activation("softsign", rows=()), _activation("tanhshrink", rows=()),
]

OPS = {op.name: op for op in OP_DB}
