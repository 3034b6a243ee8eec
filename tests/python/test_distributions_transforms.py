"""cresset.distributions.transforms and TransformedDistribution against torch's: values, inverses,
log-abs-det-Jacobians and their gradients, constraints, caching, reprs, and transformed
distributions' log_prob/cdf/icdf and samples."""
import math

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

CD = cresset.distributions
TD = torch.distributions
OT, TT = CD.transforms, TD.transforms
f64 = torch.float64


def _t(values):
    return torch.tensor(values, dtype=f64)


X_REAL = _t([[-2.0, -0.3, 0.0, 0.7, 3.0], [1.0, 2.0, -1.0, 0.5, -0.5]])

# name -> (build(module, lib), input in the domain)
TRANSFORMS = {
    "exp": (lambda T, m: T.ExpTransform(), X_REAL),
    "sigmoid": (lambda T, m: T.SigmoidTransform(), X_REAL),
    "tanh": (lambda T, m: T.TanhTransform(), X_REAL),
    "abs": (lambda T, m: T.AbsTransform(), X_REAL),
    "power": (lambda T, m: T.PowerTransform(m.tensor([0.5, 2.0, -1.0, 3.0, 1.5], dtype=m.float64)),
              X_REAL.abs() + 0.1),
    "power_scalar": (lambda T, m: T.PowerTransform(2.0), X_REAL.abs() + 0.1),
    "affine": (lambda T, m: T.AffineTransform(m.tensor([1.0, -2.0, 0.0, 0.5, 3.0], dtype=m.float64),
                                               m.tensor([2.0, -0.5, 1.0, 3.0, -1.0], dtype=m.float64)),
               X_REAL),
    "affine_scalar": (lambda T, m: T.AffineTransform(1.5, -2.0), X_REAL),
    "affine_event": (lambda T, m: T.AffineTransform(0.5, m.tensor([2.0, 1.0, 3.0, 0.5, 1.5],
                                                                   dtype=m.float64), event_dim=1),
                     X_REAL),
    "softmax": (lambda T, m: T.SoftmaxTransform(), X_REAL),
    "compose": (lambda T, m: T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.ExpTransform(),
                                                  T.PowerTransform(0.5)]), X_REAL),
    "compose_event": (lambda T, m: T.ComposeTransform([T.ExpTransform(),
                                                        T.AffineTransform(0.0, 2.0, event_dim=1)]),
                      X_REAL),
    "inverse": (lambda T, m: T.ExpTransform().inv, X_REAL.abs() + 0.2),
    "inverse_compose": (lambda T, m: T.ComposeTransform([T.SigmoidTransform(),
                                                          T.AffineTransform(0.0, 0.5)]).inv,
                        _t([[0.05, 0.2, 0.25, 0.4, 0.45]])),
    "identity": (lambda T, m: T.identity_transform, X_REAL),
}


def _pair(name):
    build, x = TRANSFORMS[name]
    return build(OT, cresset), build(TT, torch), x


def _outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - the exception type itself is compared
        return e


def _same(ours, theirs):
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f"{ours!r} vs torch's {theirs!r}"
    else:
        assert not isinstance(ours, Exception), f"raised {ours!r}"
        assert_same(ours, theirs) if isinstance(theirs, torch.Tensor) else None
        if not isinstance(theirs, torch.Tensor):
            assert ours == theirs


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transform_matches_torch(name):
    ours, theirs, x = _pair(name)
    assert repr(ours) == repr(theirs)
    assert repr(ours.domain) == repr(theirs.domain)
    assert repr(ours.codomain) == repr(theirs.codomain)
    assert ours.bijective == theirs.bijective
    sign_o, sign_t = _outcome(lambda: ours.sign), _outcome(lambda: theirs.sign)
    _same(sign_o, sign_t)
    y_o, y_t = ours(to_cresset(x)), theirs(x)
    assert_same(y_o, y_t)
    assert_same(ours.inv(to_cresset(y_t)), theirs.inv(y_t))
    _same(_outcome(ours.log_abs_det_jacobian, to_cresset(x), to_cresset(y_t)),
          _outcome(theirs.log_abs_det_jacobian, x, y_t))
    assert tuple(ours.forward_shape(cresset.Size((3, 5)))) == \
        tuple(theirs.forward_shape(torch.Size((3, 5))))
    assert tuple(ours.inverse_shape(cresset.Size((3, 5)))) == \
        tuple(theirs.inverse_shape(torch.Size((3, 5))))


@pytest.mark.parametrize("name", ["exp", "sigmoid", "tanh", "power", "affine", "compose",
                                  "compose_event", "inverse"])
def test_log_abs_det_jacobian_gradients(name):
    ours, theirs, x = _pair(name)
    x_o, x_t = to_cresset(x).requires_grad_(), x.clone().requires_grad_()
    out_o = ours.log_abs_det_jacobian(x_o, ours(x_o)).sum() + ours(x_o).sum()
    out_t = theirs.log_abs_det_jacobian(x_t, theirs(x_t)).sum() + theirs(x_t).sum()
    (g_o,), (g_t,) = cresset.autograd.grad(out_o, [x_o]), torch.autograd.grad(out_t, [x_t])
    assert_same(g_o, g_t)


def test_inverse_identity_and_equality():
    exp = OT.ExpTransform()
    assert exp.inv.inv is exp and exp.inv is exp.inv
    assert exp == OT.ExpTransform() and exp != OT.SigmoidTransform()
    assert exp.inv == OT.ExpTransform().inv
    assert OT.AffineTransform(1.0, 2.0) == OT.AffineTransform(1.0, 2.0)
    assert OT.AffineTransform(1.0, 2.0) != OT.AffineTransform(1.0, 3.0)
    assert OT.PowerTransform(cresset.tensor(2.0)) == OT.PowerTransform(cresset.tensor(2.0))
    c = OT.ComposeTransform([OT.ExpTransform(), OT.AffineTransform(0.0, 2.0)])
    assert c.inv.inv is c and c == OT.ComposeTransform([OT.ExpTransform(),
                                                         OT.AffineTransform(0.0, 2.0)])
    assert repr(c.inv) == repr(TT.ComposeTransform([TT.ExpTransform(),
                                                     TT.AffineTransform(0.0, 2.0)]).inv)
    with pytest.raises(ValueError):
        OT.ExpTransform(cache_size=2)


def test_caching():
    for lib, T in [(cresset, OT), (torch, TT)]:
        plain, cached = T.SigmoidTransform(), T.SigmoidTransform(cache_size=1)
        x = lib.tensor([40.0], dtype=lib.float64)  # sigmoid(40) rounds to 1 - eps
        assert cached.inv(cached(x)) is x
        assert plain.inv(plain(x)) is not x
        assert float(plain.inv(plain(x))) != 40.0
        assert cached.with_cache(1) is cached and plain.with_cache(1)._cache_size == 1
        composed = T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)],
                                      cache_size=1)
        y = composed(x)
        assert composed.inv(y) is x
        affine = T.AffineTransform(1.0, 2.0).with_cache()
        assert affine._cache_size == 1 and affine.inv(affine(x)) is x


# ---- TransformedDistribution ---------------------------------------------------------------------

DISTS = {
    "lognormal_like": (lambda m, D, T: D.TransformedDistribution(
        D.Normal(m.tensor([0.0, 1.0], dtype=m.float64), m.tensor([1.0, 0.5], dtype=m.float64)),
        T.ExpTransform()), _t([0.5, 2.0])),
    "logistic": (lambda m, D, T: D.TransformedDistribution(
        D.Uniform(m.zeros(2, dtype=m.float64), m.ones(2, dtype=m.float64)),
        [T.SigmoidTransform().inv, T.AffineTransform(1.0, 2.0)]), _t([0.3, -1.5])),
    "decreasing": (lambda m, D, T: D.TransformedDistribution(
        D.Exponential(m.tensor([1.0, 2.0], dtype=m.float64)),
        [T.AffineTransform(3.0, -2.0)]), _t([1.0, 2.5])),
    "event": (lambda m, D, T: D.TransformedDistribution(
        D.Normal(m.zeros(2, 3, dtype=m.float64), m.ones(2, 3, dtype=m.float64)),
        [T.AffineTransform(m.tensor([1.0, 2.0, 3.0], dtype=m.float64), 2.0, event_dim=1)]),
        _t([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])),
    "gamma_power": (lambda m, D, T: D.TransformedDistribution(
        D.Gamma(m.tensor([2.0, 0.5], dtype=m.float64), m.tensor([1.0, 3.0], dtype=m.float64)),
        [T.PowerTransform(m.tensor(-1.0, dtype=m.float64))]), _t([0.5, 4.0])),
    "broadcast": (lambda m, D, T: D.TransformedDistribution(
        D.Normal(m.tensor(0.0, dtype=m.float64), m.tensor(1.0, dtype=m.float64)),
        [T.AffineTransform(m.tensor([0.0, 1.0, 2.0], dtype=m.float64), 1.0)]), _t([0.5, 0.0, 1.0])),
}


def _dists(name):
    build, value = DISTS[name]
    return build(cresset, CD, OT), build(torch, TD, TT), value


@pytest.mark.parametrize("name", sorted(DISTS))
def test_transformed_distribution_matches_torch(name):
    ours, theirs, value = _dists(name)
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    assert repr(ours.support) == repr(theirs.support)
    assert ours.has_rsample == theirs.has_rsample
    assert_same(ours.log_prob(to_cresset(value)), theirs.log_prob(value))
    for method, arg in [("cdf", value), ("icdf", _t([0.2, 0.7]) if value.dim() == 1 else None)]:
        if arg is None:
            continue  # icdf needs 1-D values
        _same(_outcome(getattr(ours, method), to_cresset(arg)),
              _outcome(getattr(theirs, method), arg))
    cresset.manual_seed(0)
    for shape in [(), (4,)]:
        s, t = ours.sample(shape), theirs.sample(shape)
        assert tuple(s.shape) == tuple(t.shape) and not s.requires_grad
        assert bool(theirs.support.check(torch.tensor(s.tolist(), dtype=f64)).all())
    e_o, e_t = ours.expand((5, *theirs.batch_shape)), theirs.expand((5, *theirs.batch_shape))
    assert e_o.batch_shape == e_t.batch_shape
    assert_same(e_o.log_prob(to_cresset(value)), e_t.log_prob(value))


def test_transformed_rsample_gradient_and_statistics():
    loc = cresset.tensor([0.2], dtype=cresset.float64, requires_grad=True)
    d = CD.TransformedDistribution(CD.Normal(loc, 0.5), [OT.ExpTransform()])
    cresset.manual_seed(3)
    x = d.rsample((200_000,))
    (g,) = cresset.autograd.grad(x.sum(), [loc])
    assert abs(g.item() - x.sum().item()) < 1e-6 * abs(x.sum().item())  # d exp(loc + e)/dloc
    s = np.array(x.tolist())
    mean = math.exp(0.2 + 0.125)
    var = (math.exp(0.25) - 1) * math.exp(0.4 + 0.25)
    assert abs(s.mean() - mean) < 5 * math.sqrt(var / s.size)


def test_transformed_distribution_errors():
    for lib, D, T in [(cresset, CD, OT), (torch, TD, TT)]:
        with pytest.raises(ValueError):
            D.TransformedDistribution(D.Normal(0.0, 1.0), "exp")
        with pytest.raises(ValueError):
            D.TransformedDistribution(D.Normal(0.0, 1.0), [T.ExpTransform(), 3])
        with pytest.raises(ValueError, match="at least 1"):
            D.TransformedDistribution(D.Normal(0.0, 1.0), [T.SoftmaxTransform()])
