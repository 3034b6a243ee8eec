"""Pooling, unpooling, interpolation, pixel shuffle and grid sampling (torch.nn.functional's pool
family)."""
import math
import warnings

import cresset
from cresset import _C
from cresset.nn.modules._utils import _ntuple

__all__ = [
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "affine_grid", "grid_sample",
]

avg_pool1d = _C.avg_pool1d
avg_pool2d = _C._nn.avg_pool2d
avg_pool3d = _C._nn.avg_pool3d
adaptive_avg_pool1d = _C.adaptive_avg_pool1d
pixel_shuffle = _C.pixel_shuffle
channel_shuffle = _C.channel_shuffle
pixel_unshuffle = _C.pixel_unshuffle
# Argument checks and the align_corners warning are C++ (cresset/nn/grid_sample.cpp).
affine_grid = _C._nn.affine_grid
grid_sample = _C._nn.grid_sample


def _max_pool_pair(nd, values_op, indices_op):
    """F.max_pool<nd>d and F.max_pool<nd>d_with_indices over the C++ ops (stride None means
    stride = kernel_size)."""
    def with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                     return_indices=False):
        if stride is None:
            stride = []
        return indices_op(input, kernel_size, stride, padding, dilation, ceil_mode)

    def values(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
        if return_indices:
            return with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        if stride is None:
            stride = []
        return values_op(input, kernel_size, stride, padding, dilation, ceil_mode)

    with_indices.__name__ = with_indices.__qualname__ = f"max_pool{nd}d_with_indices"
    values.__name__ = values.__qualname__ = f"max_pool{nd}d"
    with_indices.__doc__ = f"{nd}-D max pooling returning (values, int64 indices)."
    values.__doc__ = f"{nd}-D max pooling over the last {nd} dims (indices if return_indices)."
    return values, with_indices


max_pool1d, max_pool1d_with_indices = _max_pool_pair(1, _C.max_pool1d,
                                                     _C.max_pool1d_with_indices)
max_pool2d, max_pool2d_with_indices = _max_pool_pair(2, _C.max_pool2d,
                                                     _C._nn.max_pool2d_with_indices)
max_pool3d, max_pool3d_with_indices = _max_pool_pair(3, _C.max_pool3d,
                                                     _C._nn.max_pool3d_with_indices)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """Fractional max pooling (windows at pseudo-random steps) returning (values, indices)."""
    if output_size is None and output_ratio is None:
        raise ValueError("fractional_max_pool2d requires specifying either an output_size or an "
                         "output_ratio")
    if output_size is None:
        if len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single "
                             "Int or tuple of Ints.")
        ratio = _ntuple(2)(output_ratio)
        output_size = [int(input.size(-2) * ratio[0]), int(input.size(-1) * ratio[1])]
    if _random_samples is None:
        n_batch = 1 if input.dim() == 3 else input.size(0)
        _random_samples = cresset.rand(n_batch, input.size(-3), 2, dtype=input.dtype,
                                       device=input.device)
    return _C._nn.fractional_max_pool2d(input, kernel_size, output_size, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling (indices too if return_indices)."""
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    input_size = input.size()
    default_size = []
    for d in range(len(kernel_size)):
        default_size.append((input_size[-len(kernel_size) + d] - 1) * stride[d]
                            + kernel_size[d] - 2 * padding[d])
    if output_size is None:
        return default_size
    if len(output_size) == len(kernel_size) + 2:
        output_size = output_size[2:]
    if len(output_size) != len(kernel_size):
        raise ValueError(
            "output_size should be a sequence containing "
            f"{len(kernel_size)} or {len(kernel_size) + 2} elements, but it has a length of "
            f"'{len(output_size)}'")
    for d in range(len(kernel_size)):
        min_size = default_size[d] - stride[d]
        max_size = default_size[d] + stride[d]
        if not (min_size < output_size[d] < max_size):
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f"{min_size} and {max_size})")
    return output_size


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: zeros with input's values at `indices`."""
    kernel_size = _ntuple(1)(kernel_size)
    stride = _ntuple(1)(stride) if stride is not None else kernel_size
    padding = _ntuple(1)(padding)
    output_size = list(_unpool_output_size(input, kernel_size, stride, padding, output_size))
    return _C._nn.max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1),
                               output_size + [1]).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: zeros with input's values at `indices`."""
    kernel_size = _ntuple(2)(kernel_size)
    stride = _ntuple(2)(stride) if stride is not None else kernel_size
    padding = _ntuple(2)(padding)
    output_size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return _C._nn.max_unpool2d(input, indices, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d: zeros with input's values at `indices`."""
    kernel_size = _ntuple(3)(kernel_size)
    stride = _ntuple(3)(stride) if stride is not None else kernel_size
    padding = _ntuple(3)(padding)
    output_size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return _C._nn.max_unpool3d(input, indices, output_size, stride, padding)


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    """Power-average pooling: (sum of x**p over each window) ** (1/p), as torch composes it."""
    max_pool = (max_pool1d, max_pool2d, max_pool3d)[nd - 1]
    avg_pool = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    window = math.prod(_ntuple(nd)(kernel_size))
    return (cresset.sign(out) * cresset.relu(cresset.abs(out))).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _list_with_default(out_size, defaults):
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def adaptive_avg_pool2d(input, output_size):
    """Averages over adaptive windows to an output of output_size (None keeps a size)."""
    return _C._nn.adaptive_avg_pool2d(input, _list_with_default(output_size, input.size()))


def adaptive_avg_pool3d(input, output_size):
    """Averages over adaptive windows to an output of output_size (None keeps a size)."""
    return _C._nn.adaptive_avg_pool3d(input, _list_with_default(output_size, input.size()))


def _adaptive_max_pair(nd, op):
    """F.adaptive_max_pool<nd>d and its _with_indices form (None in a 2-D/3-D output_size keeps
    that input size)."""
    def with_indices(input, output_size, return_indices=False):
        if nd > 1:
            output_size = _list_with_default(output_size, input.size())
        return op(input, output_size)

    def values(input, output_size, return_indices=False):
        out = with_indices(input, output_size)
        return out if return_indices else out[0]

    with_indices.__name__ = with_indices.__qualname__ = f"adaptive_max_pool{nd}d_with_indices"
    values.__name__ = values.__qualname__ = f"adaptive_max_pool{nd}d"
    with_indices.__doc__ = f"{nd}-D adaptive max pooling returning (values, int64 indices)."
    values.__doc__ = f"{nd}-D adaptive max pooling (indices too if return_indices)."
    return values, with_indices


adaptive_max_pool1d, adaptive_max_pool1d_with_indices = _adaptive_max_pair(
    1, _C.adaptive_max_pool1d)
adaptive_max_pool2d, adaptive_max_pool2d_with_indices = _adaptive_max_pair(
    2, _C._nn.adaptive_max_pool2d)
adaptive_max_pool3d, adaptive_max_pool3d_with_indices = _adaptive_max_pair(
    3, _C._nn.adaptive_max_pool3d)


# F.interpolate's argument checks and dispatch are C++ (cresset/nn/interpolate.cpp).
interpolate = _C._nn.interpolate


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. "
                  "Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. "
                  "Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. "
                  "Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
