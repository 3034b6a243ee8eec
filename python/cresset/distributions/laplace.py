"""torch.distributions.Laplace."""
import math

import cresset as torch
from cresset.distributions.distribution import _EMPTY_SIZE, Distribution
from cresset.distributions.loc_scale import LocScale

__all__ = ["Laplace"]


class Laplace(LocScale, Distribution):
    """The Laplace distribution with location `loc` and scale `scale`."""

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Laplace, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=_EMPTY_SIZE):
        shape = self._extended_shape(sample_shape)
        eps = torch.finfo(self.loc.dtype).eps
        with torch.no_grad():
            u = torch.empty(shape, dtype=self.loc.dtype, device=self.loc.device)
            u.uniform_(eps - 1, 1)  # open at -1 so log1p(-|u|) stays finite
        return self.loc - self.scale * u.sign() * torch.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -torch.log(2 * self.scale) - torch.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        centered = value - self.loc
        return 0.5 - 0.5 * centered.sign() * torch.expm1(-centered.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * torch.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + torch.log(2 * self.scale)
