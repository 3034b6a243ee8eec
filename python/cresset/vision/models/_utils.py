"""Shared pieces of the model builders: the `weights=` argument and channel rounding."""
import os
from collections.abc import Mapping

__all__ = []


def _state_dict_from(weights):
    """The state dict named by `weights`: a checkpoint path (cresset's format or a torch .pt/.pth
    file, read by cresset.load's safe reader) or a state dict itself. A checkpoint holding the
    state dict under "state_dict" or "model" (a training checkpoint) is unwrapped."""
    if isinstance(weights, (str, os.PathLike)):
        import cresset
        weights = cresset.load(weights, map_location="cpu")
    if not isinstance(weights, Mapping):
        raise TypeError(
            "weights must be None, a path to a checkpoint file or a state dict; got "
            f"{type(weights).__name__}")
    for key in ("state_dict", "model"):
        if isinstance(weights.get(key), Mapping):
            return weights[key]
    return weights


def _load_weights(model, weights):
    """Loads `weights` (see _state_dict_from) into `model` strictly; None leaves it as built."""
    if weights is not None:
        model.load_state_dict(_state_dict_from(weights))
    return model


def _make_divisible(v, divisor, min_value=None):
    """Rounds a channel count to a multiple of `divisor`, never dropping more than 10% (the
    rule of the MobileNet reference implementations)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v
