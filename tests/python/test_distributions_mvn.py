"""MultivariateNormal (every parametrization, batches, KL) and the positive_definite and
lower_cholesky constraints against real torch."""
import math

import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-9, atol=1e-10)
CD, TD = cresset.distributions, torch.distributions


def spd(*batch, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(*batch, n, n, generator=g, dtype=torch.float64)
    return a @ a.mT + n * torch.eye(n, dtype=torch.float64)


def loc(*shape, seed=1):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


PARAMS = {
    "covariance_matrix": lambda m: m,
    "precision_matrix": lambda m: torch.linalg.inv(m),
    "scale_tril": lambda m: torch.linalg.cholesky(m),
}


def pair(kind, loc_t, matrix):
    kwargs = {kind: PARAMS[kind](matrix)}
    ours = CD.MultivariateNormal(to_cresset(loc_t), **{k: to_cresset(v) for k, v in kwargs.items()})
    return ours, TD.MultivariateNormal(loc_t, **kwargs)


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("loc_shape,batch", [((3,), ()), ((2, 3), ()), ((3,), (4,)),
                                             ((4, 3), (2, 1))])
def test_values_match_torch(kind, loc_shape, batch):
    ours, theirs = pair(kind, loc(*loc_shape), spd(*batch))
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    value = loc(5, *theirs.batch_shape, 3, seed=2)
    assert_same(ours.log_prob(to_cresset(value)), theirs.log_prob(value), **TOL)
    assert_same(ours.entropy(), theirs.entropy(), **TOL)
    for prop in ["mean", "mode", "variance", "stddev", "covariance_matrix", "precision_matrix",
                 "scale_tril"]:
        assert_same(getattr(ours, prop), getattr(theirs, prop), rtol=1e-8, atol=1e-10)
    expanded_o, expanded_t = ours.expand((6,) + tuple(theirs.batch_shape)), \
        theirs.expand((6,) + tuple(theirs.batch_shape))
    assert expanded_o.batch_shape == expanded_t.batch_shape
    assert_same(expanded_o.log_prob(to_cresset(value[0])), expanded_t.log_prob(value[0]), **TOL)


def test_gradients_and_rsample():
    m, cov = loc(3), spd()
    tril = torch.linalg.cholesky(cov)
    value = loc(4, 3, seed=3)
    leaves = [to_cresset(m).requires_grad_(True), to_cresset(tril).requires_grad_(True)]
    tleaves = [m.clone().requires_grad_(True), tril.clone().requires_grad_(True)]
    CD.MultivariateNormal(leaves[0], scale_tril=leaves[1]).log_prob(to_cresset(value)).sum() \
        .backward()
    TD.MultivariateNormal(tleaves[0], scale_tril=tleaves[1]).log_prob(value).sum().backward()
    for a, b in zip(leaves, tleaves):
        assert_same(a.grad, b.grad, **TOL)
    cresset.manual_seed(0)
    d = CD.MultivariateNormal(leaves[0], scale_tril=leaves[1])
    s = d.rsample((20000,))
    assert tuple(s.shape) == (20000, 3) and s.requires_grad
    assert_same(s.detach().mean(0), m, rtol=0, atol=0.06)
    centered = s.detach() - s.detach().mean(0)
    assert_same(centered.mT @ centered / 20000, cov, rtol=0.06, atol=0.1)
    assert not d.sample((2,)).requires_grad


def test_kl_divergence():
    p = pair("covariance_matrix", loc(2, 3), spd(2, seed=4))
    q = pair("scale_tril", loc(3, seed=5), spd(seed=6))
    assert_same(CD.kl_divergence(p[0], q[0]), TD.kl_divergence(p[1], q[1]), **TOL)
    r = pair("covariance_matrix", loc(2), spd(n=2))
    assert_raises_like(ValueError, lambda: CD.kl_divergence(p[0], r[0]),
                       lambda: TD.kl_divergence(p[1], r[1]))


def test_constraints_and_errors():
    good, bad = spd(2), spd(2).clone()
    bad[0, 0, 0] = -50.0
    for name in ["positive_definite", "lower_cholesky"]:
        ours, theirs = getattr(CD.constraints, name), getattr(TD.constraints, name)
        assert repr(ours) == repr(theirs) and ours.event_dim == theirs.event_dim
        for m in [good, bad, torch.linalg.cholesky(good), -torch.linalg.cholesky(good)]:
            assert_same(ours.check(to_cresset(m)), theirs.check(m))
    z = loc(3)
    cases = [dict(), dict(covariance_matrix=good[0], scale_tril=good[0]),
             dict(covariance_matrix=z), dict(scale_tril=z), dict(covariance_matrix=bad[0])]
    for kwargs in cases:
        assert_raises_like(ValueError, lambda: CD.MultivariateNormal(
            to_cresset(z), **{k: to_cresset(v) for k, v in kwargs.items()}),
            lambda: TD.MultivariateNormal(z, **kwargs))
    assert_raises_like(ValueError,
                       lambda: CD.MultivariateNormal(to_cresset(torch.tensor(0.0)),
                                                     to_cresset(good[0])),
                       lambda: TD.MultivariateNormal(torch.tensor(0.0), good[0]))
    assert math.isfinite(float(CD.MultivariateNormal(to_cresset(z), to_cresset(good[0]))
                               .log_prob(to_cresset(z))))
