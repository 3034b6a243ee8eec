"""Tensor queries whose answer is fixed by what cresset supports (no sparse, quantized, meta,
nested, complex, conjugate or negative-bit tensors), the dtype/shape predicates built on dtype
and shape, Tensor.type_as, and their torch.<name> function forms."""
from cresset import _C
from cresset._C import Tensor

# Storage layouts and devices cresset has no tensors of: read-only properties, always False.
_ABSENT_KINDS = ("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn",
                 "is_nested", "is_mps", "is_xpu", "is_xla", "is_ipu", "is_vulkan", "is_maia",
                 "is_mtia")
_UNSIGNED = (_C.uint8, _C.bool)


def _tensor_arg(fn, value, name="input", position=1):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")
    return value


def is_signed(input):
    """False for the unsigned dtypes (uint8, bool)."""
    return _tensor_arg("is_signed", input).dtype not in _UNSIGNED


def is_complex(input):
    """False: cresset has no complex dtypes."""
    _tensor_arg("is_complex", input)
    return False


def is_conj(input):
    _tensor_arg("is_conj", input)
    return False


def is_neg(input):
    _tensor_arg("is_neg", input)
    return False


def is_same_size(input, other):
    _tensor_arg("is_same_size", input)
    return input.shape == _tensor_arg("is_same_size", other, "other", 2).shape


def _type_as(self, other):
    """self in other's dtype and on other's device (self itself when it already is)."""
    _tensor_arg("type_as", other, "other", 1)
    return self.to(device=other.device, dtype=other.dtype)


def typename(obj):
    """A tensor's legacy type name ("torch.FloatTensor"), else the object's qualified class
    name without the builtins module."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def install():
    """Binds the queries onto the Tensor class."""
    for name in _ABSENT_KINDS:
        setattr(Tensor, name, property(lambda self: False))
    Tensor.is_signed = is_signed
    Tensor.is_complex = is_complex
    Tensor.is_conj = is_conj
    Tensor.is_neg = is_neg
    Tensor.is_same_size = is_same_size
    Tensor.type_as = _type_as
