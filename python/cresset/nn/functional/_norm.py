"""Normalization functions of torch.nn.functional: argument checks as torch's, then the fused C++
ops (local_response_norm is a composite, as in torch)."""
import cresset

__all__ = [
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "rms_norm",
]


def _verify_batch_size(size):
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over dim 1 (torch.nn.functional.batch_norm)."""
    if training:
        _verify_batch_size(input.size())
    return cresset.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                              eps, False)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalization of each (sample, channel) plane."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return cresset.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                                 momentum, eps, False)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the trailing normalized_shape dims."""
    return cresset.layer_norm(input, normalized_shape, weight, bias, eps, False)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalization over the trailing normalized_shape dims."""
    return cresset.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalization: channels split into num_groups groups per sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups]
                       + list(input.size()[2:]))
    return cresset.group_norm(input, num_groups, weight, bias, eps, False)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalization across channels (dim 1)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    # The mean of squares over a zero-padded window of `size` channels; torch averages the same
    # window with avg_pool over the padded channel dim.
    sq = input.mul(input)
    shape = list(sq.shape)
    before, after = size // 2, (size - 1) // 2
    parts = [sq]
    if before:
        parts.insert(0, cresset.zeros([shape[0], before] + shape[2:], dtype=sq.dtype))
    if after:
        parts.append(cresset.zeros([shape[0], after] + shape[2:], dtype=sq.dtype))
    padded = cresset.cat(parts, 1)
    div = padded.narrow(1, 0, shape[1])
    for offset in range(1, size):
        div = div + padded.narrow(1, offset, shape[1])
    div = (div / size).mul(alpha).add(k).pow(beta)
    return input / div
