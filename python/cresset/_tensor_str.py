"""Tensor printing: ``repr(t)`` reproduces torch's output character for character.

The formatting and the print options live in C++ (cresset/io/print.cpp), shared with the C++
frontend's ``std::cout << t``; this module is their Python face: torch's ``set_printoptions``
arguments and profiles, and the ``tensor(`` / subclass prefix of the repr.
"""
import math

import cresset
from cresset import _C

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}
_NAMES = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    r"""Set options for printing (torch.set_printoptions).

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: number of elements above which the output is summarized (default 1000).
        edgeitems: items shown at each end of a summarized dim (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"`` presets; the other arguments override it.
        sci_mode: force (True) or forbid (False) scientific notation; None chooses automatically.
    """
    opts = list(_C._get_printoptions())
    if profile is not None and profile in _PROFILES:
        opts[:4] = _PROFILES[profile]
    for i, value in enumerate((precision, threshold, edgeitems, linewidth)):
        if value is not None:
            opts[i] = value
    opts[4] = sci_mode
    _C._set_printoptions(*opts)


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**opts)`` accepts."""
    return dict(zip(_NAMES, _C._get_printoptions()))


class printoptions:
    """Context manager that sets print options and restores the previous ones on exit."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._saved = None

    def __enter__(self):
        self._saved = get_printoptions()
        set_printoptions(**self._kwargs)

    def __exit__(self, *exc):
        set_printoptions(**self._saved)
        return False


def _str(self, *, tensor_contents=None):
    """Tensor.__repr__: ``tensor(<data>, <suffixes>)`` exactly as torch prints it."""
    cls = type(self)
    plain = cls is cresset.Tensor or cls.__name__ == "Parameter"
    prefix = "tensor(" if plain else cls.__name__ + "("
    return _C._tensor_repr(self, prefix, tensor_contents)
