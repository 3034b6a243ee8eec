"""The parameters the location-scale families share (Normal, Laplace, Cauchy, Gumbel)."""
from numbers import Number
from typing import ClassVar

import cresset as torch
from cresset.distributions import constraints
from cresset.distributions.utils import broadcast_all

__all__ = ["LocScale"]


class LocScale:
    """Mixed into a Distribution over the real line with a real location `loc` and a positive
    `scale`, broadcast together (a batch of their shape; scalars give an empty batch)."""

    arg_constraints: ClassVar[dict] = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalar = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(torch.Size() if scalar else self.loc.size(),
                         validate_args=validate_args)
