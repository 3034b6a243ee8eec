"""torch.distributions.ExponentialFamily: densities p(x) = h(x) exp(<theta, t(x)> - F(theta))."""
import cresset as torch
from cresset.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of exponential families: subclasses give the natural parameters theta, the log
    normalizer F and the mean carrier measure E[log h(x)]; entropy follows from them."""

    @property
    def _natural_params(self):
        """The natural parameters theta, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """F(theta): the log normalizer as a function of the natural parameters."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """E[log h(x)]."""
        raise NotImplementedError

    def entropy(self):
        # H = F(theta) - <theta, grad F(theta)> - E[log h(x)]: the Bregman divergence of F.
        result = -self._mean_carrier_measure
        params = [p.detach().requires_grad_() for p in self._natural_params]
        log_norm = self._log_normalizer(*params)
        grads = torch.autograd.grad(log_norm.sum(), params, create_graph=True)
        result += log_norm
        for p, g in zip(params, grads):
            result -= (p * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
