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


def _dim_order(self, *, ambiguity_check=False):
    """Tensor.dim_order: the dims from outermost to innermost in memory. ambiguity_check (True,
    or a list of memory formats the layout must match exactly one of) raises RuntimeError when
    the order is not unique."""
    if not isinstance(ambiguity_check, bool) and not (
            isinstance(ambiguity_check, list)
            and all(isinstance(f, _C.memory_format) for f in ambiguity_check)):
        raise TypeError("The ambiguity_check argument must be a bool or a list of memory formats.")
    order = _C._dim_order(self)
    if ambiguity_check is False:
        return order
    strides = self.stride()
    repeated = len(set(strides)) != len(strides)
    if 1 in self.shape or any(a == b for a, b in zip(strides, strides[1:])):
        # Size-1 dims and neighbours with equal strides fit several orders; a format list may
        # still pick one.
        fits = [] if ambiguity_check is True else [
            f for f in ambiguity_check if _fits_format(self, f)]
        if len(fits) != 1:
            raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact "
                               "one of the given memory formats.")
    # A layout that is neither plainly contiguous nor plainly channels-last is ordered by
    # comparing strides, which zero or equal strides leave undecided.
    plain = self.is_contiguous() != _fits_format(self, _C.channels_last)
    if ambiguity_check and self.dim() > 1 and not plain and (0 in strides or repeated):
        raise RuntimeError("The tensor does not have unique dim order.")
    return order


def _fits_format(t, memory_format):
    ranks = {_C.channels_last: 4, _C.channels_last_3d: 5}
    if ranks.get(memory_format, t.dim()) != t.dim():
        return False
    return t.is_contiguous(memory_format=memory_format)


def _is_nonzero(self):
    """Tensor.is_nonzero: bool() of a one-element tensor."""
    return bool(self)


def install():
    """Binds the queries onto the Tensor class."""
    for name in _ABSENT_KINDS:
        setattr(Tensor, name, property(lambda self: False))
    Tensor.is_signed = is_signed
    Tensor.is_complex = is_complex
    Tensor.is_conj = is_conj
    Tensor.is_neg = is_neg
    Tensor.dim_order = _dim_order
    Tensor.is_nonzero = _is_nonzero
    Tensor.is_same_size = is_same_size
    Tensor.type_as = _type_as
