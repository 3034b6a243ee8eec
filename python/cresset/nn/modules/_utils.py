"""Argument helpers shared by the layer modules and nn.functional (torch.nn.modules.utils's)."""
import collections.abc
from itertools import repeat


def _ntuple(n, name="parse"):
    """A parser turning a value or an iterable of values into an n-tuple (kernel sizes, strides,
    paddings ...)."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
