"""torch.distributions.Gumbel."""
import math

import cresset as torch
from cresset.distributions.distribution import _EMPTY_SIZE, Distribution
from cresset.distributions.loc_scale import LocScale
from cresset.distributions.utils import euler_constant

__all__ = ["Gumbel"]


class Gumbel(LocScale, Distribution):
    """The Gumbel (type-I extreme value) distribution with location `loc` and scale `scale`."""

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Gumbel, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc + self.scale * euler_constant

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=_EMPTY_SIZE):
        shape = self._extended_shape(sample_shape)
        finfo = torch.finfo(self.loc.dtype)
        with torch.no_grad():
            u = torch.empty(shape, dtype=self.loc.dtype, device=self.loc.device)
            u.uniform_(finfo.tiny, 1 - finfo.eps)  # keeps both logs finite
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return torch.exp(-torch.exp((self.loc - value) / self.scale))

    def icdf(self, value):
        return self.loc - self.scale * torch.log(-torch.log(value))

    def entropy(self):
        return self.scale.log() + (1 + euler_constant)
