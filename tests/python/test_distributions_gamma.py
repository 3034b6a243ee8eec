"""The gamma family of cresset.distributions (Gamma, Chi2, Beta, Dirichlet, StudentT),
ExponentialFamily and their KL pairs against torch.distributions: deterministic quantities and
their gradients on the same inputs, reparameterized gradients on the same draws, and sample
statistics under a fixed seed."""
import math

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

CD = cresset.distributions
TD = torch.distributions
f64 = torch.float64
N = 200_000


def _t(values, dtype=f64):
    return torch.tensor(values, dtype=dtype)


CASES = {
    "Gamma": ((_t([0.5, 2.5]), _t([1.0, 3.0])), _t([0.3, 1.2])),
    "Chi2": ((_t([1.0, 4.5]),), _t([0.3, 5.0])),
    "Beta": ((_t([0.5, 2.5]), _t([1.5, 0.8])), _t([0.3, 0.9])),
    "Dirichlet": ((_t([[0.5, 2.0, 3.0], [1.0, 1.0, 1.0]]),), _t([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
    "StudentT": ((_t([0.8, 1.5, 5.0]), _t([0.0, 1.0, -2.0]), _t([1.0, 0.5, 2.0])),
                 _t([0.5, -1.0, 3.0])),
}
METHODS = ["log_prob", "cdf", "icdf"]
PROPERTIES = ["mean", "mode", "variance", "stddev"]


def _pair(name, args=None):
    args = CASES[name][0] if args is None else args
    return getattr(CD, name)(*to_cresset(list(args))), getattr(TD, name)(*args)


def _outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - the exception type itself is compared
        return e


def _assert_same_outcome(ours, theirs, **tol):
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f"{ours!r} vs torch's {theirs!r}"
        return
    assert not isinstance(ours, Exception), f"raised {ours!r}; torch returned {theirs}"
    assert_same(ours, theirs, **tol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_shapes_and_flags(name):
    ours, theirs = _pair(name)
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    assert ours.has_rsample == theirs.has_rsample
    assert repr(ours.support) == repr(theirs.support)
    assert {k: repr(v) for k, v in ours.arg_constraints.items()} == \
        {k: repr(v) for k, v in theirs.arg_constraints.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_deterministic_values(name):
    ours, theirs = _pair(name)
    value = CASES[name][1]
    for method in METHODS:
        arg = value if method != "icdf" else _t([0.2, 0.7])
        _assert_same_outcome(_outcome(getattr(ours, method), to_cresset(arg)),
                             _outcome(getattr(theirs, method), arg))
    for prop in PROPERTIES:
        _assert_same_outcome(_outcome(getattr, ours, prop), _outcome(getattr, theirs, prop))
    _assert_same_outcome(ours.entropy(), theirs.entropy())
    _assert_same_outcome(ours.perplexity(), theirs.perplexity())


def test_scalar_parameters():
    for name, args in [("Gamma", (2.0, 3.0)), ("Beta", (2.0, 3.0)), ("Chi2", (3.0,)),
                       ("StudentT", (3.0,))]:
        ours, theirs = getattr(CD, name)(*args), getattr(TD, name)(*args)
        assert repr(ours) == repr(theirs) and ours.batch_shape == theirs.batch_shape
        assert_same(ours.mean, theirs.mean)
        assert_same(ours.log_prob(cresset.tensor(0.5)), theirs.log_prob(torch.tensor(0.5)))
    assert_same(CD.Beta(2.0, 3.0).concentration1, TD.Beta(2.0, 3.0).concentration1)
    assert_same(CD.Chi2(_t([3.0]).tolist()[0]).df, TD.Chi2(3.0).df)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_entropy_gradients(name):
    args, value = CASES[name]
    t_args = [a.clone().requires_grad_() for a in args]
    o_args = [to_cresset(a).requires_grad_() for a in args]
    for fn in (lambda d, v: d.log_prob(v), lambda d, v: d.entropy()):
        t_out = fn(getattr(TD, name)(*t_args), value)
        o_out = fn(getattr(CD, name)(*o_args), to_cresset(value))
        for o, t in zip(cresset.autograd.grad(o_out.sum(), o_args, allow_unused=True),
                        torch.autograd.grad(t_out.sum(), t_args, allow_unused=True)):
            assert (o is None) == (t is None)
            if t is not None:
                assert_same(o, t)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [torch.float32, f64])
def test_sample_shape_dtype_support(name, dtype):
    args = [a.to(dtype) for a in CASES[name][0]]
    ours, theirs = _pair(name, args)
    cresset.manual_seed(1)
    for shape in [(), (4,), (3, 2)]:
        for s, t in [(ours.sample(shape), theirs.sample(shape)),
                     (ours.rsample(shape), theirs.rsample(shape))]:
            assert tuple(s.shape) == tuple(t.shape) and str(s.dtype) == str(t.dtype)
            assert bool(theirs.support.check(torch.tensor(s.tolist(), dtype=dtype)).all())
        assert not ours.sample(shape).requires_grad


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand(name):
    ours, theirs = _pair(name)
    shape = (3, *theirs.batch_shape)
    o, t = ours.expand(shape), theirs.expand(shape)
    assert type(o) is type(ours) and repr(o) == repr(t)
    assert o.batch_shape == t.batch_shape and o.event_shape == t.event_shape
    assert_same(o.log_prob(to_cresset(CASES[name][1])), t.log_prob(CASES[name][1]))
    assert tuple(o.rsample((2,)).shape) == tuple(t.rsample((2,)).shape)


STATS = {
    # name -> (parameters, kurtosis of one coordinate, a bound on it)
    "Gamma": ((_t(2.5), _t(1.5)), 3 + 6 / 2.5),
    "Chi2": ((_t(4.0),), 3 + 12 / 4.0),
    "Beta": ((_t(2.0), _t(3.0)), 3.0),  # Beta(2, 3)'s kurtosis is 2.36
    "StudentT": ((_t(8.0), _t(1.0), _t(2.0)), 3 + 6 / (8 - 4)),
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_sample_moments(name):
    args, kurt = STATS[name]
    ours, theirs = _pair(name, args)
    cresset.manual_seed(2024)
    s = np.array(ours.rsample((N,)).tolist())
    mean, var = float(theirs.mean), float(theirs.variance)
    assert abs(s.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(s.var() / var - 1) < 5 * math.sqrt((kurt - 1) / N)


def test_dirichlet_sample_moments():
    conc = _t([0.5, 2.0, 4.5])
    ours, theirs = _pair("Dirichlet", (conc,))
    cresset.manual_seed(8)
    s = np.array(ours.sample((N,)).tolist())
    mean, var = theirs.mean.numpy(), theirs.variance.numpy()
    assert np.all(np.abs(s.mean(0) - mean) < 5 * np.sqrt(var / N))
    assert np.all(np.abs(s.var(0) / var - 1) < 0.05)
    assert np.allclose(s.sum(-1), 1)


def test_gamma_rsample_gradient():
    conc, rate = _t([0.4, 2.0, 7.5]), _t([1.0, 0.5, 3.0])
    o_conc, o_rate = to_cresset(conc).requires_grad_(), to_cresset(rate).requires_grad_()
    cresset.manual_seed(0)
    x = CD.Gamma(o_conc, o_rate).rsample((4,))
    g_conc, g_rate = cresset.autograd.grad(x.sum(), [o_conc, o_rate])
    # The same draws in torch: x = s / rate with s standard gamma, ds/dconc torch's gradient.
    x_t = torch.tensor(x.tolist(), dtype=f64)
    s = x_t * rate
    assert_same(g_conc, (torch._standard_gamma_grad(conc.expand_as(s), s) / rate).sum(0),
                rtol=2e-3, atol=0)
    assert_same(g_rate, (-x_t / rate).sum(0))


@pytest.mark.parametrize("name", ["Dirichlet", "Beta"])
def test_dirichlet_rsample_gradient(name):
    if name == "Dirichlet":
        conc = _t([[0.5, 2.0, 3.0], [4.0, 1.0, 0.3]])
        o_conc = to_cresset(conc).requires_grad_()
        leaves, dist = [o_conc], CD.Dirichlet(o_conc)
    else:
        c1, c0 = _t([0.5, 3.0]), _t([2.0, 0.7])
        conc = torch.stack([c1, c0], -1)
        leaves = [to_cresset(c1).requires_grad_(), to_cresset(c0).requires_grad_()]
        dist = CD.Beta(*leaves)
    cresset.manual_seed(4)
    x = dist.rsample((5,))
    weights = torch.arange(1.0, 1.0 + x.numel(), dtype=f64).reshape(tuple(x.shape)) / x.numel()
    grads = cresset.autograd.grad((x * to_cresset(weights)).sum(), leaves)
    # torch's _Dirichlet backward applied to the same draws.
    x_t = torch.tensor(x.tolist(), dtype=f64)
    if name == "Beta":
        x_t = torch.stack([x_t, 1 - x_t], -1)
        weights = torch.stack([weights, torch.zeros_like(weights)], -1)
    full = conc.expand_as(x_t)
    local = torch._dirichlet_grad(x_t, full, full.sum(-1, True).expand_as(full))
    want = (local * (weights - (x_t * weights).sum(-1, True))).sum(0)
    wants = [want] if name == "Dirichlet" else [want[..., 0], want[..., 1]]
    for o, t in zip(grads, wants):
        assert_same(o, t, rtol=2e-3, atol=1e-6)


def test_studentt_rsample_gradient():
    df, loc, scale = _t([3.0, 9.0]), _t([0.5, -1.0]), _t([2.0, 0.5])
    leaves = [to_cresset(a).requires_grad_() for a in (df, loc, scale)]
    cresset.manual_seed(6)
    x = CD.StudentT(*leaves).rsample((7,))
    g_df, g_loc, g_scale = cresset.autograd.grad(x.sum(), leaves)
    x_t = torch.tensor(x.tolist(), dtype=f64)
    assert_same(g_loc, torch.full((2,), 7.0, dtype=f64))
    assert_same(g_scale, ((x_t - loc) / scale).sum(0))
    assert np.all(np.isfinite(np.array(g_df.tolist())))


def test_exponential_family_membership_and_entropy():
    for name in ["Bernoulli", "Beta", "Binomial", "Chi2", "Dirichlet", "Exponential", "Gamma",
                 "Normal", "Poisson", "StudentT", "Uniform"]:
        assert issubclass(getattr(CD, name), CD.ExponentialFamily) == \
            issubclass(getattr(TD, name), TD.ExponentialFamily), name
    # The generic Bregman entropy agrees with each family's closed form (torch's too).
    cases = [("Normal", (_t([0.0, 1.0]), _t([1.0, 2.5]))), ("Exponential", (_t([0.5, 2.0]),)),
             ("Gamma", CASES["Gamma"][0]), ("Beta", CASES["Beta"][0]),
             ("Dirichlet", CASES["Dirichlet"][0]), ("Bernoulli", (_t([0.3, 0.8]),))]
    for name, args in cases:
        ours, theirs = _pair(name, args)
        generic = _outcome(TD.ExponentialFamily.entropy, theirs)
        _assert_same_outcome(_outcome(CD.ExponentialFamily.entropy, ours), generic)
        if not isinstance(generic, Exception):  # Beta and Dirichlet have no carrier measure
            assert_same(CD.ExponentialFamily.entropy(ours), theirs.entropy())
    with pytest.raises(NotImplementedError):
        CD.Poisson(cresset.tensor([1.0])).entropy()


KL_PAIRS = [
    ("Gamma", CASES["Gamma"][0], "Gamma", (_t([1.5, 0.7]), _t([2.0, 0.4]))),
    ("Chi2", CASES["Chi2"][0], "Chi2", (_t([2.0, 3.0]),)),
    ("Beta", CASES["Beta"][0], "Beta", (_t([1.5, 0.7]), _t([2.0, 0.4]))),
    ("Dirichlet", CASES["Dirichlet"][0], "Dirichlet", (_t([[1.0, 1.5, 0.5], [2.0, 0.2, 1.0]]),)),
    ("Exponential", (_t([0.5, 2.0]),), "Gamma", CASES["Gamma"][0]),
    ("Gamma", CASES["Gamma"][0], "Exponential", (_t([0.5, 2.0]),)),
    ("Gamma", CASES["Gamma"][0], "Normal", (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    ("Beta", CASES["Beta"][0], "Normal", (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    ("Beta", CASES["Beta"][0], "Exponential", (_t([0.5, 2.0]),)),
    ("Beta", CASES["Beta"][0], "Gamma", CASES["Gamma"][0]),
    ("Normal", (_t([0.5, -1.0]), _t([2.0, 0.5])), "Gamma", CASES["Gamma"][0]),
    ("Normal", (_t([0.5, -1.0]), _t([2.0, 0.5])), "Beta", CASES["Beta"][0]),
    ("Gamma", CASES["Gamma"][0], "Beta", CASES["Beta"][0]),
    ("Exponential", (_t([0.5, 2.0]),), "Beta", CASES["Beta"][0]),
    ("Beta", CASES["Beta"][0], "Uniform", (_t([0.1, 0.0]), _t([0.9, 2.0]))),
    ("Beta", CASES["Beta"][0], "Uniform", (_t([-1.0, 0.0]), _t([1.0, 3.0]))),
    ("Uniform", (_t([0.1, 0.0]), _t([0.9, 2.0])), "Beta", CASES["Beta"][0]),
    ("Uniform", (_t([0.0, 0.3]), _t([0.5, 1.0])), "Beta", CASES["Beta"][0]),
    ("Uniform", (_t([0.1, 0.0]), _t([0.9, 2.0])), "Gamma", CASES["Gamma"][0]),
    ("Uniform", (_t([-0.1, 1.0]), _t([0.9, 2.0])), "Gamma", CASES["Gamma"][0]),
    ("Gamma", CASES["Gamma"][0], "Gumbel", (_t([0.0, 1.0]), _t([1.0, 2.0]))),
    ("Gamma", CASES["Gamma"][0], "Uniform", (_t([0.1, 0.0]), _t([0.9, 2.0]))),
    ("Gumbel", (_t([0.0, 1.0]), _t([1.0, 2.0])), "Gamma", CASES["Gamma"][0]),
    ("Gumbel", (_t([0.0, 1.0]), _t([1.0, 2.0])), "Beta", CASES["Beta"][0]),
    ("Laplace", (_t([0.0, 1.0]), _t([1.0, 2.0])), "Gamma", CASES["Gamma"][0]),
    ("Laplace", (_t([0.0, 1.0]), _t([1.0, 2.0])), "Beta", CASES["Beta"][0]),
]


@pytest.mark.parametrize(("p_name", "p_args", "q_name", "q_args"), KL_PAIRS,
                         ids=[f"{i}-{p[0]}-{p[2]}" for i, p in enumerate(KL_PAIRS)])
def test_kl_divergence_matches_torch(p_name, p_args, q_name, q_args):
    o_leaves = [to_cresset(a).requires_grad_() for a in p_args]
    t_leaves = [a.clone().requires_grad_() for a in p_args]
    o_kl = CD.kl_divergence(getattr(CD, p_name)(*o_leaves), _pair(q_name, q_args)[0])
    t_kl = TD.kl_divergence(getattr(TD, p_name)(*t_leaves), _pair(q_name, q_args)[1])
    assert_same(o_kl, t_kl)
    if bool(torch.isfinite(t_kl).all()):
        for o, t in zip(cresset.autograd.grad(o_kl.sum(), o_leaves),
                        torch.autograd.grad(t_kl.sum(), t_leaves)):
            assert_same(o, t)


def test_kl_exponential_family_bregman():
    from cresset.distributions.kl import _kl_expfamily_expfamily as ours
    from torch.distributions.kl import _kl_expfamily_expfamily as theirs
    for name, p_args, q_args in [
            ("Normal", (_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
            ("Gamma", CASES["Gamma"][0], (_t([1.5, 0.7]), _t([2.0, 0.4]))),
            ("Dirichlet", CASES["Dirichlet"][0], (_t([[1.0, 1.5, 0.5], [2.0, 0.2, 1.0]]),))]:
        (op, tp), (oq, tq) = _pair(name, p_args), _pair(name, q_args)
        assert_same(ours(op, oq), theirs(tp, tq))
        assert_same(ours(op, oq), TD.kl_divergence(tp, tq))
    with pytest.raises(NotImplementedError) as t_err:
        theirs(TD.Normal(0.0, 1.0), TD.Exponential(1.0))
    with pytest.raises(NotImplementedError) as o_err:
        ours(CD.Normal(0.0, 1.0), CD.Exponential(1.0))
    assert str(o_err.value) == str(t_err.value)


INVALID = [
    lambda m: m.Gamma(m.tensor([-1.0]), 1.0),
    lambda m: m.Gamma(1.0, m.tensor([0.0])),
    lambda m: m.Chi2(m.tensor([-2.0])),
    lambda m: m.Beta(m.tensor([0.0]), m.tensor([1.0])),
    lambda m: m.Dirichlet(m.tensor(1.0)),
    lambda m: m.Dirichlet(m.tensor([1.0, -1.0])),
    lambda m: m.StudentT(m.tensor([-1.0])),
    lambda m: m.StudentT(m.tensor([1.0]), m.tensor([0.0]), m.tensor([0.0])),
    lambda m: m.Gamma(1.0, 1.0).log_prob(m.tensor([-1.0])),
    lambda m: m.Beta(1.0, 1.0).log_prob(m.tensor([1.5])),
    lambda m: m.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5, 0.5])),
    lambda m: m.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5])),
]


@pytest.mark.parametrize("build", INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_arguments_match_torch(build):
    class Lib:
        def __init__(self, mod, dists):
            self.mod, self.dists = mod, dists

        def __getattr__(self, name):
            return getattr(self.dists if name[0].isupper() else self.mod, name)

    def message(fn):
        with pytest.raises(Exception) as info:
            fn()
        return type(info.value), str(info.value)

    assert message(lambda: build(Lib(cresset, CD))) == message(lambda: build(Lib(torch, TD)))


def test_binomial_sample_uses_binomial_draws():
    # Large counts (which the old sum of Bernoulli trials made slow) sample correctly.
    ours, theirs = _pair_binomial(_t([1e6, 40.0]), _t([0.3, 0.95]))
    cresset.manual_seed(12)
    s = np.array(ours.sample((20_000,)).tolist())
    mean, var = theirs.mean.numpy(), theirs.variance.numpy()
    assert np.all(np.abs(s.mean(0) - mean) < 5 * np.sqrt(var / 20_000))
    assert np.all(s == np.round(s)) and np.all(s >= 0) and np.all(s <= np.array([1e6, 40.0]))


def _pair_binomial(count, probs):
    return CD.Binomial(to_cresset(count), to_cresset(probs)), TD.Binomial(count, probs)
