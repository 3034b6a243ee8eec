"""make_tensor: random test inputs of a given shape, dtype and range."""
import collections.abc
import math
import warnings

import cresset

_FLOATING = (cresset.float16, cresset.bfloat16, cresset.float32, cresset.float64)
_INTEGRAL = (cresset.uint8, cresset.int8, cresset.int16, cresset.int32, cresset.int64)


def _interval(low, high, dtype, lowest, highest, default_low, default_high):
    """[low, high) from the arguments and the defaults, checked and clamped to what dtype holds
    (ceiled for integral dtypes, whose upper bound stays exclusive)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype in _FLOATING:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype not in _FLOATING:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of shape filled with uniform values in [low, high) (torch.testing.make_tensor):
    [-9, 9] for floating dtypes and [-9, 10) for integral ones by default."""
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and dtype not in _FLOATING:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dtype}")
    # A non-contiguous result is every other element of a last dim twice as long (offset by 1).
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is cresset.bool:
        low, high = _interval(low, high, dtype, 0, 2, 0, 2)
        result = cresset.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGRAL:
        info = cresset.iinfo(dtype)
        # randint's bounds are int64: the int64 maximum itself cannot be drawn.
        highest = info.max + (dtype is not cresset.int64)
        low, high = _interval(low, high, dtype, info.min, highest, -9, 10)
        result = cresset.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATING:
        info = cresset.finfo(dtype)
        low, high = _interval(low, high, dtype, info.min, info.max, -9, 9)
        result = cresset.empty(shape, device=device, dtype=dtype)
        if high - low >= info.max:  # uniform_ needs a span the dtype can hold
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dtype not in _FLOATING else cresset.finfo(dtype).tiny
    if dtype in _FLOATING:
        result.requires_grad = requires_grad
    return result
