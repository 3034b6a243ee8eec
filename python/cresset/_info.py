"""torch.finfo / torch.iinfo and the small type predicates (is_tensor, is_floating_point, ...)."""
import builtins
import math

import cresset

# Floating formats: (total bits, mantissa bits without the implicit one, exponent bits).
_FLOAT_FORMATS = {"float16": (16, 10, 5), "bfloat16": (16, 7, 8), "float32": (32, 23, 8),
                  "float64": (64, 52, 11)}
_INT_BITS = {"uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64}


def _dtype_name(dtype):
    return repr(dtype).rsplit(".", 1)[-1]


def _as_dtype(type, fn):
    if type is float:
        return cresset.float64
    if type is int:
        return cresset.int64
    if type is bool:
        return cresset.bool
    if not isinstance(type, cresset.dtype):
        raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{builtins.type(type).__name__}")
    return type


class finfo:
    """Machine limits of a floating dtype (the default dtype when called without argument)."""

    __hash__ = None

    def __init__(self, type=None):
        dtype = cresset.get_default_dtype() if type is None else _as_dtype(type, "finfo")
        name = _dtype_name(dtype)
        if name not in _FLOAT_FORMATS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        bits, mantissa, exponent = _FLOAT_FORMATS[name]
        max_exp = 2 ** (exponent - 1) - 1
        self.bits = bits
        self.eps = 2.0 ** -mantissa
        self.max = (2.0 - 2.0 ** -mantissa) * 2.0 ** max_exp
        self.min = -self.max
        self.smallest_normal = 2.0 ** (1 - max_exp)
        self.tiny = self.smallest_normal
        self.resolution = 10.0 ** -math.floor(mantissa * math.log10(2))
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, finfo) and vars(self) == vars(other)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype."""

    __hash__ = None

    def __init__(self, type):
        dtype = _as_dtype(type, "iinfo")
        name = _dtype_name(dtype)
        if name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if name not in _INT_BITS:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        bits = _INT_BITS[name]
        self.bits = bits
        self.min = 0 if name == "uint8" else -(2 ** (bits - 1))
        self.max = 2 ** bits - 1 if name == "uint8" else 2 ** (bits - 1) - 1
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, iinfo) and vars(self) == vars(other)

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    __str__ = __repr__


def _check_tensor(fn, input):
    if not isinstance(input, cresset.Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{builtins.type(input).__name__}")


def is_tensor(obj, /):
    """True if ``obj`` is a tensor."""
    return isinstance(obj, cresset.Tensor)


def is_floating_point(input):
    """True if the tensor's dtype is a floating dtype."""
    _check_tensor("is_floating_point", input)
    return input.is_floating_point()


def is_nonzero(input):
    """True if the single-element tensor is not zero (RuntimeError for other sizes)."""
    _check_tensor("is_nonzero", input)
    return bool(input)


def numel(input):
    """The number of elements of the tensor."""
    _check_tensor("numel", input)
    return input.numel()
