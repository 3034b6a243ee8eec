"""Dropout functions of torch.nn.functional, with torch's signatures and argument checks."""
import warnings

import cresset

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _warn_unusual_dim(name, inp_dim, spatial):
    warnings.warn(
        f"{name}: Received a {inp_dim}-D input to {name}, which is deprecated "
        "and will result in an error in a future release. To retain the behavior "
        f"and silence this warning, please use dropout instead. Note that {name} "
        f"exists to provide channel-wise dropout on inputs with {spatial} spatial dimensions, "
        "a channel dimension, and an optional batch dimension "
        f"(i.e. {spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability p in training, scaling the rest by 1 / (1 - p)."""
    _check_p(p)
    return cresset.dropout_(input, p, training) if inplace else cresset.dropout(input, p, training)


def _feature_dropout(input, p, training, inplace):
    if inplace:
        return cresset.feature_dropout_(input, p, training)
    return cresset.feature_dropout(input, p, training)


def _unbatched_feature_dropout(input, p, training, inplace, batched):
    # Channel dropout of an input without a batch dim: add one, drop, remove it.
    if batched:
        return _feature_dropout(input, p, training, inplace)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _feature_dropout(input, p, training, inplace)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    return _unbatched_feature_dropout(input, p, training, inplace, inp_dim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) inputs (3-D inputs: channel-wise 1-D, like torch)."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        _warn_unusual_dim("dropout2d", inp_dim, 2)
    if inp_dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (4, 5):
        _warn_unusual_dim("dropout3d", inp_dim, 3)
    return _unbatched_feature_dropout(input, p, training, inplace, inp_dim == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU activations' mean and variance."""
    _check_p(p)
    if inplace:
        return cresset.alpha_dropout_(input, p, training)
    return cresset.alpha_dropout(input, p, training)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    if inplace:
        return cresset.feature_alpha_dropout_(input, p, training)
    return cresset.feature_alpha_dropout(input, p, training)
