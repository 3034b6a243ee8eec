"""torch.special: the special functions under torch's names. Most are torch functions of another
name (gammainc is torch.igamma); erfcx, ndtri and the Bessel functions are ops of their own (cresset/ops/special.h); ndtr,
log_ndtr, xlog1py and entr are composites written here."""
import math

import cresset
from cresset import _C
from cresset.autograd import Function

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln",
    "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
    "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py",
    "xlogy",
]

# The same functions as torch's top-level ones (signatures included).
digamma = psi = cresset.digamma
erf, erfc, erfinv = cresset.erf, cresset.erfc, cresset.erfinv
exp2, expm1, log1p = cresset.exp2, cresset.expm1, cresset.log1p
expit = cresset.sigmoid
gammaln = cresset.lgamma
gammainc, gammaincc = cresset.igamma, cresset.igammac
multigammaln = cresset.mvlgamma
i0, sinc, round, polygamma = cresset.i0, cresset.sinc, cresset.round, cresset.polygamma
logit, logsumexp, xlogy = cresset.logit, cresset.logsumexp, cresset.xlogy
softmax, log_softmax = cresset.softmax, cresset.log_softmax

# Kernels of their own: (input, *, out=None).
erfcx, ndtri = _C._special.erfcx, _C._special.ndtri
i0e, i1, i1e = _C._special.i0e, _C._special.i1, _C._special.i1e

_SQRT1_2 = math.sqrt(0.5)


def _out(result, out):
    """result, or written into out= by torch's rules for an elementwise result (resized, its
    dtype one result's dtype can be cast to): those of mul by 1."""
    return result if out is None else cresset.mul(result, 1, out=out)


def _floating(x):
    return x if x.is_floating_point() else x.to(cresset.get_default_dtype())


def ndtr(input, *, out=None):
    """The standard normal CDF: erfc(-x / sqrt(2)) / 2."""
    return _out(cresset.erfc(_floating(input) * -_SQRT1_2) * 0.5, out)


def log_ndtr(input, *, out=None):
    """log(ndtr(x)), accurate in both tails: log(erfcx(-x / sqrt 2) / 2) - x^2 / 2 below 0,
    log1p(-ndtr(-x)) above. Each branch sees only its own inputs, so gradients stay finite."""
    x = _floating(input)
    low = x < 0
    xl = cresset.where(low, x, cresset.zeros_like(x))
    xh = cresset.where(low, cresset.zeros_like(x), x)
    below = cresset.log(erfcx(xl * -_SQRT1_2) * 0.5) - xl * xl * 0.5
    above = cresset.log1p(cresset.erfc(xh * _SQRT1_2) * -0.5)
    return _out(cresset.where(low, below, above), out)


def _as_operand(v):
    """A Python number as a 0-dim tensor that promotes as the number does."""
    if isinstance(v, cresset.Tensor):
        return v
    dtype = cresset.get_default_dtype() if isinstance(v, float) else None
    return cresset.as_tensor(v, dtype=dtype)


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, cresset.Tensor) and not isinstance(other, cresset.Tensor):
        raise TypeError("xlog1py(): at least one of 'input' and 'other' must be a Tensor")
    dtype = cresset.result_type(input, other)
    if not dtype.is_floating_point:
        dtype = cresset.get_default_dtype()
    x, y = _as_operand(input).to(dtype), _as_operand(other).to(dtype)
    # Masking log1p(y) (not the product) keeps torch's gradient log1p(y) for input at 0.
    masked = (x == 0) & (y <= -1)
    return _out(x * cresset.where(masked, cresset.zeros_like(y), cresset.log1p(y)), out)


class _Entr(Function):
    """-x log x; its derivative -(1 + log x) is torch's everywhere (inf at 0, NaN below)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        positive = x > 0
        xs = cresset.where(positive, x, cresset.ones_like(x))
        edge = cresset.where(x == 0, cresset.zeros_like(x), cresset.full_like(x, -math.inf))
        edge = cresset.where(cresset.isnan(x), x, edge)
        return cresset.where(positive, -xs * cresset.log(xs), edge)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(cresset.log(x) + 1)


def entr(input, *, out=None):
    """The elementwise entropy: -x log x for x > 0, 0 at 0, -inf below."""
    return _out(_Entr.apply(_floating(input)), out)
