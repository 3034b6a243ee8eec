"""cresset.distributions against torch.distributions: every deterministic quantity (log_prob, cdf,
icdf, entropy, moments, KL, repr, constraints, validation errors) and its gradients compared on
the same inputs; samples checked for shape, dtype, support and statistics under a fixed seed."""
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

CD = cresset.distributions
TD = torch.distributions
f64 = torch.float64


def _t(values, dtype=f64):
    return torch.tensor(values, dtype=dtype)


# name -> (positional parameters, a value inside the support). Parameters are float64 so that the
# comparisons are tight; the batch shape is (2,) unless the family needs more.
CASES = {
    "Normal": ((_t([0.0, 1.5]), _t([1.0, 2.5])), _t([0.5, -1.0])),
    "LogNormal": ((_t([0.0, 0.5]), _t([1.0, 0.4])), _t([0.5, 3.0])),
    "Uniform": ((_t([0.0, 1.0]), _t([1.0, 4.0])), _t([0.5, 1.5])),
    "Exponential": ((_t([0.5, 2.0]),), _t([0.5, 1.5])),
    "Laplace": ((_t([0.0, 1.0]), _t([1.0, 2.0])), _t([0.5, -1.0])),
    "Cauchy": ((_t([0.0, 1.0]), _t([1.0, 2.0])), _t([0.5, -1.0])),
    "Gumbel": ((_t([0.0, 1.0]), _t([1.0, 2.0])), _t([0.5, -1.0])),
    "Bernoulli": ((_t([0.3, 0.5]),), _t([1.0, 0.0])),
    "Categorical": ((_t([[0.3, 0.5, 0.2], [1.0, 1.0, 2.0]]),), torch.tensor([1, 2])),
    "OneHotCategorical": ((_t([[0.3, 0.5, 0.2], [1.0, 1.0, 2.0]]),),
                          _t([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
    "Poisson": ((_t([0.5, 4.0]),), _t([0.0, 3.0])),
    "Geometric": ((_t([0.5, 0.2]),), _t([0.0, 3.0])),
    "Binomial": ((_t([5.0, 5.0]), _t([0.5, 0.2])), _t([0.0, 3.0])),
}
# Families whose parameters are differentiable (Binomial's total_count is not).
GRAD_ARGS = {"Binomial": (1,)}
RSAMPLE = ["Normal", "LogNormal", "Uniform", "Exponential", "Laplace", "Cauchy", "Gumbel"]
METHODS = ["log_prob", "cdf", "icdf"]
PROPERTIES = ["mean", "mode", "variance", "stddev"]


def _pair(name, args=None, **kwargs):
    args = CASES[name][0] if args is None else args
    return (getattr(CD, name)(*to_cresset(list(args)), **kwargs),
            getattr(TD, name)(*args, **kwargs))


def _outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - the exception type itself is compared
        return e


def _assert_same_outcome(ours, theirs):
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f"{ours!r} vs torch's {theirs!r}"
        return
    assert not isinstance(ours, Exception), f"raised {ours!r}; torch returned {theirs}"
    assert_same(ours, theirs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_shapes_and_flags(name):
    ours, theirs = _pair(name)
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape
    assert ours.event_shape == theirs.event_shape
    assert ours.has_rsample == theirs.has_rsample
    assert ours.has_enumerate_support == theirs.has_enumerate_support
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
    _assert_same_outcome(_outcome(ours.entropy), _outcome(theirs.entropy))
    _assert_same_outcome(_outcome(ours.perplexity), _outcome(theirs.perplexity))


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_entropy_gradients(name):
    args, value = CASES[name]
    grad_idx = GRAD_ARGS.get(name, range(len(args)))
    theirs_args = [a.clone().requires_grad_(i in grad_idx) for i, a in enumerate(args)]
    ours_args = [to_cresset(a).requires_grad_(i in grad_idx) for i, a in enumerate(args)]
    for fn in (lambda d, v: d.log_prob(v), lambda d, v: d.entropy()):
        if isinstance(_outcome(fn, getattr(TD, name)(*args), value), Exception):
            continue  # the entropy torch does not have (Poisson) is compared elsewhere
        t_out = fn(getattr(TD, name)(*theirs_args), value)
        o_out = fn(getattr(CD, name)(*ours_args), to_cresset(value))
        t_grads = torch.autograd.grad(t_out.sum(), [theirs_args[i] for i in grad_idx],
                                      allow_unused=True)
        o_grads = cresset.autograd.grad(o_out.sum(), [ours_args[i] for i in grad_idx],
                                        allow_unused=True)
        for o, t in zip(o_grads, t_grads):
            assert (o is None) == (t is None)
            if t is not None:
                assert_same(o, t)


@pytest.mark.parametrize("name", RSAMPLE)
def test_rsample_gradient(name):
    # The sample fixes the noise u = cdf(x); torch's gradient of icdf(u) at fixed u is the
    # reparameterized gradient of that same draw.
    args = CASES[name][0]
    ours_args = [to_cresset(a).requires_grad_() for a in args]
    cresset.manual_seed(0)
    x = getattr(CD, name)(*ours_args).rsample((5,))
    assert x.requires_grad
    o_grads = cresset.autograd.grad(x.sum(), ours_args)
    u = getattr(TD, name)(*args).cdf(torch.tensor(x.tolist(), dtype=f64))
    theirs_args = [a.clone().requires_grad_() for a in args]
    x_t = getattr(TD, name)(*theirs_args).icdf(u)
    np.testing.assert_allclose(np.array(x.tolist()), x_t.detach().numpy(), rtol=1e-9)
    t_grads = torch.autograd.grad(x_t.sum(), theirs_args)
    for o, t in zip(o_grads, t_grads):
        assert_same(o, t, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [torch.float32, f64])
def test_sample_shape_dtype_support(name, dtype):
    args = [a.to(dtype) if a.is_floating_point() else a for a in CASES[name][0]]
    ours, theirs = _pair(name, args)
    cresset.manual_seed(1)
    for shape in [(), (4,), (3, 2)]:
        s, t = ours.sample(shape), theirs.sample(shape)
        assert tuple(s.shape) == tuple(t.shape)
        assert str(s.dtype) == str(t.dtype)
        assert not s.requires_grad
        assert bool(theirs.support.check(torch.tensor(s.tolist(), dtype=t.dtype)).all())
        if ours.has_rsample:
            r = ours.rsample(shape)
            assert tuple(r.shape) == tuple(t.shape) and str(r.dtype) == str(t.dtype)


# name -> parameters for the statistics tests (scalars keep the arithmetic readable).
STAT_CASES = {
    "Normal": (_t(1.5), _t(2.0)), "LogNormal": (_t(0.2), _t(0.5)),
    "Uniform": (_t(-1.0), _t(3.0)), "Exponential": (_t(2.0),), "Laplace": (_t(1.0), _t(0.5)),
    "Gumbel": (_t(1.0), _t(2.0)), "Bernoulli": (_t(0.3),), "Poisson": (_t(3.5),),
    "Geometric": (_t(0.3),), "Binomial": (_t(10.0), _t(0.35)),
}
N = 200_000


@pytest.mark.parametrize("name", sorted(STAT_CASES))
def test_sample_moments(name):
    args = STAT_CASES[name]
    ours, theirs = _pair(name, args)
    cresset.manual_seed(2024)
    s = np.array(ours.sample((N,)).tolist())
    mean, var = float(theirs.mean), float(theirs.variance)
    # Five standard errors of the sample mean, and 5% on the variance (each family here has a
    # kurtosis below 10, so that too is over five standard errors at N draws).
    assert abs(s.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(s.var() - var) < 0.05 * var


@pytest.mark.parametrize("name", ["Normal", "LogNormal", "Uniform", "Exponential", "Laplace",
                                  "Cauchy", "Gumbel"])
def test_sample_cdf(name):
    # The empirical CDF at a few quantiles matches the analytic one (five binomial std errors).
    args = CASES[name][0]
    ours, theirs = _pair(name, [a[1] for a in args])
    cresset.manual_seed(7)
    s = torch.tensor(ours.rsample((N,)).tolist(), dtype=f64)
    for q in (0.1, 0.5, 0.9):
        frac = float((s <= theirs.icdf(_t(q))).double().mean())
        assert abs(frac - q) < 5 * math.sqrt(q * (1 - q) / N)


def test_categorical_sample_frequencies():
    probs = _t([0.1, 0.6, 0.3])
    cresset.manual_seed(3)
    s = np.array(CD.Categorical(to_cresset(probs)).sample((N,)).tolist())
    freq = np.bincount(s, minlength=3) / N
    assert np.all(np.abs(freq - probs.numpy()) < 5 * np.sqrt(probs.numpy() * 0.9 / N))
    oh = CD.OneHotCategorical(to_cresset(probs)).sample((1000,))
    assert tuple(oh.shape) == (1000, 3) and oh.sum().item() == 1000


@pytest.mark.parametrize("name", ["Bernoulli", "Categorical", "OneHotCategorical", "Binomial"])
@pytest.mark.parametrize("expand", [True, False])
def test_enumerate_support(name, expand):
    ours, theirs = _pair(name)
    assert_same(ours.enumerate_support(expand), theirs.enumerate_support(expand))


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand(name):
    ours, theirs = _pair(name)
    shape = (3, *theirs.batch_shape)
    o, t = ours.expand(shape), theirs.expand(shape)
    assert type(o) is type(ours)
    assert repr(o) == repr(t)
    assert o.batch_shape == t.batch_shape and o.event_shape == t.event_shape
    assert_same(o.log_prob(to_cresset(CASES[name][1])), t.log_prob(CASES[name][1]))
    assert_same(o.mean, t.mean)
    assert tuple(o.sample((2,)).shape) == tuple(t.sample((2,)).shape)
    with pytest.raises(RuntimeError):
        ours.expand((4,))


def test_expand_needs_override_in_subclass_with_init():
    class Ours(CD.Normal):
        def __init__(self):
            super().__init__(0.0, 1.0)

    class Theirs(TD.Normal):
        def __init__(self):
            super().__init__(0.0, 1.0)

    with pytest.raises(NotImplementedError) as theirs:
        Theirs().expand((3,))
    with pytest.raises(NotImplementedError) as ours:
        Ours().expand((3,))
    assert str(ours.value) == str(theirs.value).replace("Theirs", "Ours")


def test_broadcasting_and_scalars():
    for args in [(0.0, 1.0), (_t([0.0, 1.0]), 2.0), (_t([[0.0], [1.0]]), _t([1.0, 2.0, 3.0]))]:
        ours, theirs = _pair("Normal", args)
        assert ours.batch_shape == theirs.batch_shape
        assert repr(ours) == repr(theirs)
        assert str(ours.loc.dtype) == str(theirs.loc.dtype)
        value = _t([0.25])
        assert_same(ours.log_prob(to_cresset(value)), theirs.log_prob(value))
    assert str(CD.Normal(0.0, 1.0).sample((3,)).dtype) == str(TD.Normal(0.0, 1.0).sample().dtype)


def test_probs_and_logits_parametrizations():
    logits = _t([[-1.0, 0.5, 2.0], [0.0, 0.0, 3.0]])
    for name in ["Bernoulli", "Geometric", "Categorical", "OneHotCategorical"]:
        ours = getattr(CD, name)(logits=to_cresset(logits))
        theirs = getattr(TD, name)(logits=logits)
        assert repr(ours) == repr(theirs)
        assert_same(ours.probs, theirs.probs)
        assert_same(ours.logits, theirs.logits)
        assert repr(ours) == repr(theirs)  # probs is now cached on both
    ours = CD.Binomial(3, logits=to_cresset(logits))
    theirs = TD.Binomial(3, logits=logits)
    assert_same(ours.log_prob(cresset.tensor(2.0, dtype=cresset.float64)),
                theirs.log_prob(_t(2.0)))
    assert_same(ours.probs, theirs.probs)


def test_bernoulli_mode_and_edge_probabilities():
    probs = _t([0.0, 0.5, 1.0, 0.7])
    ours, theirs = _pair("Bernoulli", (probs,))
    assert_same(ours.mode, theirs.mode)
    assert_same(ours.entropy(), theirs.entropy())
    assert_same(ours.log_prob(to_cresset(_t([0.0, 1.0, 1.0, 0.0]))),
                theirs.log_prob(_t([0.0, 1.0, 1.0, 0.0])))
    ours, theirs = _pair("Categorical", (_t([0.0, 0.25, 0.75]),))
    assert_same(ours.entropy(), theirs.entropy())
    ours, theirs = _pair("Geometric", (_t([1.0, 0.5]),))
    assert_same(ours.log_prob(to_cresset(_t([0.0, 0.0]))), theirs.log_prob(_t([0.0, 0.0])))


def test_independent():
    loc, scale = _t([[0.0, 1.0, 2.0], [0.5, 0.5, 0.5]]), _t([1.0, 2.0, 3.0])
    ours = CD.Independent(CD.Normal(to_cresset(loc), to_cresset(scale)), 1)
    theirs = TD.Independent(TD.Normal(loc, scale), 1)
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    assert repr(ours.support) == repr(theirs.support)
    value = _t([0.1, 0.2, 0.3])
    assert_same(ours.log_prob(to_cresset(value)), theirs.log_prob(value))
    assert_same(ours.entropy(), theirs.entropy())
    assert ours.has_rsample and not ours.has_enumerate_support
    assert tuple(ours.rsample((4,)).shape) == (4, 2, 3)
    e_ours, e_theirs = ours.expand((5, 2)), theirs.expand((5, 2))
    assert repr(e_ours) == repr(e_theirs)
    assert_same(e_ours.log_prob(to_cresset(value)), e_theirs.log_prob(value))
    with pytest.raises(ValueError) as t_err:
        TD.Independent(TD.Normal(loc, scale), 3)
    with pytest.raises(ValueError) as o_err:
        CD.Independent(CD.Normal(to_cresset(loc), to_cresset(scale)), 3)
    assert str(o_err.value) == str(t_err.value)
    bern = CD.Independent(CD.Bernoulli(cresset.tensor([[0.5]])), 1)
    with pytest.raises(NotImplementedError):
        bern.enumerate_support()


def _error_message(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


INVALID = [
    ("Normal", lambda m: m.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, -1.0]))),
    ("Normal", lambda m: m.Normal(m.tensor([0.0, float("nan")]), 1.0)),
    ("Exponential", lambda m: m.Exponential(m.tensor([0.0]))),
    ("Bernoulli", lambda m: m.Bernoulli(m.tensor([1.5]))),
    ("Bernoulli", lambda m: m.Bernoulli(probs=0.3, logits=0.1)),
    ("Bernoulli", lambda m: m.Bernoulli()),
    ("Categorical", lambda m: m.Categorical(m.tensor(0.3))),
    ("Categorical", lambda m: m.Categorical(logits=m.tensor(0.3))),
    ("Categorical", lambda m: m.Categorical(m.tensor([0.5, -0.5, 1.0]))),
    ("Uniform", lambda m: m.Uniform(m.tensor([0.0, 2.0]), m.tensor([1.0, 1.0]))),
    ("Poisson", lambda m: m.Poisson(m.tensor([-1.0]))),
    ("Geometric", lambda m: m.Geometric(m.tensor([0.0, 0.5]))),
    ("Binomial", lambda m: m.Binomial(m.tensor([2.5]), m.tensor([0.5]))),
    ("Binomial", lambda m: m.Binomial(3)),
    ("log_prob", lambda m: m.Exponential(1.0).log_prob(m.tensor([-1.0]))),
    ("log_prob", lambda m: m.Normal(0.0, 1.0).log_prob(1.0)),
    ("log_prob", lambda m: m.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2))),
    ("log_prob", lambda m: m.OneHotCategorical(m.ones(3)).log_prob(m.zeros(2))),
    ("log_prob", lambda m: m.Bernoulli(m.tensor([0.5])).log_prob(m.tensor([0.5]))),
    ("log_prob", lambda m: m.Categorical(m.ones(3)).log_prob(m.tensor([3]))),
    ("log_prob", lambda m: m.Uniform(0.0, 1.0).log_prob(m.tensor([1.5]))),
    ("log_prob", lambda m: m.Binomial(3, m.tensor([0.5])).log_prob(m.tensor([4.0]))),
    ("cdf", lambda m: m.Laplace(0.0, 1.0).cdf(2.0)),
    ("entropy", lambda m: m.Binomial(m.tensor([2.0, 3.0]), m.tensor([0.5, 0.5])).entropy()),
    ("entropy", lambda m: m.Poisson(m.tensor([2.0])).entropy()),
]


@pytest.mark.parametrize(("label", "build"), INVALID, ids=[f"{i}-{c[0]}" for i, c in
                                                            enumerate(INVALID)])
def test_invalid_arguments_match_torch(label, build):
    class Lib:
        def __init__(self, mod, dists):
            self.mod, self.dists = mod, dists

        def __getattr__(self, name):
            return getattr(self.dists if name[0].isupper() else self.mod, name)

    theirs = _error_message(lambda: build(Lib(torch, TD)))
    ours = _error_message(lambda: build(Lib(cresset, CD)))
    assert ours == theirs


def test_validate_args_switches():
    bad = (cresset.tensor([0.0]), cresset.tensor([-1.0]))
    CD.Normal(*bad, validate_args=False)  # no check when switched off
    value = _t([-1.0])
    assert_same(CD.Exponential(1.0, validate_args=False).log_prob(to_cresset(value)),
                TD.Exponential(1.0, validate_args=False).log_prob(value))
    try:
        CD.Distribution.set_default_validate_args(False)
        CD.Normal(*bad)
    finally:
        CD.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        CD.Normal(*bad)
    with pytest.raises(ValueError):
        CD.Distribution.set_default_validate_args(3)


# ---- constraints ----
CONSTRAINTS = [
    ("real", ()), ("positive", ()), ("nonnegative", ()), ("unit_interval", ()),
    ("boolean", ()), ("nonnegative_integer", ()), ("positive_integer", ()),
    ("integer_interval", (0, 3)), ("interval", (-1.0, 2.0)), ("half_open_interval", (-1.0, 2.0)),
    ("greater_than", (0.5,)), ("greater_than_eq", (0.5,)), ("less_than", (0.5,)),
    ("simplex", ()), ("one_hot", ()), ("real_vector", ()), ("multinomial", (3,)),
    ("lower_triangular", ()), ("square", ()), ("symmetric", ()),
]
CHECK_VALUES = [_t([[-1.0, 0.0, 0.5, 1.0], [2.0, 3.0, float("nan"), 0.0]]),
                _t([[0.25, 0.75, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]),
                _t([[1.0, 0.0], [2.0, 1.0]]), _t([[1.0, 2.0], [2.0, 1.0]])]


@pytest.mark.parametrize(("name", "args"), CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraints_match_torch(name, args):
    ours = getattr(CD.constraints, name)
    theirs = getattr(TD.constraints, name)
    if args:
        ours, theirs = ours(*args), theirs(*args)
    assert repr(ours) == repr(theirs)
    assert ours.is_discrete == theirs.is_discrete
    assert ours.event_dim == theirs.event_dim
    for value in CHECK_VALUES:
        assert_same(ours.check(to_cresset(value)), theirs.check(value))


def test_dependent_constraints():
    c = CD.constraints
    assert repr(c.dependent) == repr(TD.constraints.dependent)
    assert c.is_dependent(c.dependent) and not c.is_dependent(c.real)
    assert c.is_dependent(CD.Uniform.support) and c.is_dependent(CD.Categorical.support)
    assert CD.Categorical.support.is_discrete and CD.Categorical.support.event_dim == 0
    with pytest.raises(ValueError):
        c.dependent.check(cresset.zeros(1))
    with pytest.raises(NotImplementedError):
        _ = c.dependent.event_dim
    indep = c.independent(c.greater_than(0.0), 2)
    assert repr(indep) == repr(TD.constraints.independent(TD.constraints.greater_than(0.0), 2))
    x = _t([[[1.0, 2.0], [3.0, -1.0]], [[1.0, 1.0], [1.0, 1.0]]])
    assert_same(indep.check(to_cresset(x)),
                TD.constraints.independent(TD.constraints.greater_than(0.0), 2).check(x))
    with pytest.raises(ValueError):
        indep.check(cresset.ones(3))


# ---- utils ----
def test_utils_match_torch():
    from cresset.distributions import utils as ou
    from torch.distributions import utils as tu
    probs = _t([[0.0, 0.3, 0.7], [1.0, 0.5, 1e-20]])
    for is_binary in (False, True):
        assert_same(ou.probs_to_logits(to_cresset(probs), is_binary),
                    tu.probs_to_logits(probs, is_binary))
        assert_same(ou.logits_to_probs(to_cresset(probs), is_binary),
                    tu.logits_to_probs(probs, is_binary))
    assert_same(ou.clamp_probs(to_cresset(probs)), tu.clamp_probs(probs))
    for args in [(1.0, 2), (_t([1.0, 2.0]), 3.0), (torch.tensor([1, 2]), 0.5)]:
        assert_same(list(ou.broadcast_all(*to_cresset(list(args)))), list(tu.broadcast_all(*args)))
    with pytest.raises(ValueError) as t_err:
        tu.broadcast_all("a", 1.0)
    with pytest.raises(ValueError) as o_err:
        ou.broadcast_all("a", 1.0)
    assert str(o_err.value) == str(t_err.value)


def test_lazy_property_caches_and_records_grad():
    logits = cresset.tensor([0.5, -1.0], requires_grad=True)
    d = CD.Bernoulli(logits=logits)
    assert "probs" not in d.__dict__
    with cresset.no_grad():
        probs = d.probs
    assert probs.requires_grad  # computed with grad enabled, as torch does
    assert d.probs is probs


# ---- KL ----
KL_PAIRS = {
    "Normal": ((_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    "LogNormal": ((_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    "Laplace": ((_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    "Cauchy": ((_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    "Gumbel": ((_t([0.0, 1.0]), _t([1.0, 2.0])), (_t([0.5, -1.0]), _t([2.0, 0.5]))),
    "Uniform": ((_t([0.0, 0.0]), _t([1.0, 1.0])), (_t([-1.0, 0.5]), _t([2.0, 3.0]))),
    "Exponential": ((_t([0.5, 2.0]),), (_t([1.5, 0.25]),)),
    "Poisson": ((_t([0.5, 2.0]),), (_t([1.5, 0.25]),)),
    "Bernoulli": ((_t([0.3, 0.0, 1.0, 0.5]),), (_t([0.6, 0.2, 0.0, 1.0]),)),
    "Geometric": ((_t([0.3, 0.8]),), (_t([0.6, 0.2]),)),
    "Binomial": ((_t([5.0, 6.0]), _t([0.3, 0.8])), (_t([5.0, 5.0]), _t([0.6, 0.2]))),
    "Categorical": ((_t([[0.3, 0.7, 0.0], [0.2, 0.2, 0.6]]),),
                    (_t([[0.5, 0.5, 0.0], [0.1, 0.0, 0.9]]),)),
    "OneHotCategorical": ((_t([[0.3, 0.7, 0.0], [0.2, 0.2, 0.6]]),),
                          (_t([[0.5, 0.5, 0.0], [0.1, 0.3, 0.6]]),)),
}


@pytest.mark.parametrize("name", sorted(KL_PAIRS))
def test_kl_divergence_matches_torch(name):
    p_args, q_args = KL_PAIRS[name]
    grad_idx = GRAD_ARGS.get(name, range(len(p_args)))
    o_leaves = [to_cresset(a).requires_grad_(i in grad_idx) for i, a in enumerate(p_args)]
    t_leaves = [a.clone().requires_grad_(i in grad_idx) for i, a in enumerate(p_args)]
    o_kl = CD.kl_divergence(getattr(CD, name)(*o_leaves), _pair(name, q_args)[0])
    t_kl = TD.kl_divergence(getattr(TD, name)(*t_leaves), _pair(name, q_args)[1])
    assert_same(o_kl, t_kl)
    finite = torch.isfinite(t_kl)
    t_grads = torch.autograd.grad(t_kl[finite].sum(), [t_leaves[i] for i in grad_idx])
    o_grads = cresset.autograd.grad(o_kl[to_cresset(finite)].sum(),
                                    [o_leaves[i] for i in grad_idx])
    for o, t in zip(o_grads, t_grads):
        assert_same(o, t)


def test_kl_independent_and_errors():
    loc = _t([[0.0, 1.0], [2.0, 3.0]])
    o_p = CD.Independent(CD.Normal(to_cresset(loc), 1.0), 1)
    o_q = CD.Independent(CD.Normal(to_cresset(loc + 1), 2.0), 1)
    t_p = TD.Independent(TD.Normal(loc, 1.0), 1)
    t_q = TD.Independent(TD.Normal(loc + 1, 2.0), 1)
    assert_same(CD.kl_divergence(o_p, o_q), TD.kl_divergence(t_p, t_q))
    with pytest.raises(NotImplementedError):
        CD.kl_divergence(o_p, CD.Independent(CD.Normal(to_cresset(loc), 1.0), 2))
    with pytest.raises(NotImplementedError) as t_err:
        TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Cauchy(0.0, 1.0))
    with pytest.raises(NotImplementedError) as o_err:
        CD.kl_divergence(CD.Normal(0.0, 1.0), CD.Cauchy(0.0, 1.0))
    assert str(o_err.value) == str(t_err.value)
    with pytest.raises(NotImplementedError) as t_err:
        TD.kl_divergence(TD.Binomial(2, _t([0.5])), TD.Binomial(3, _t([0.5])))
    with pytest.raises(NotImplementedError) as o_err:
        CD.kl_divergence(CD.Binomial(2, cresset.tensor([0.5])), CD.Binomial(3, cresset.tensor([0.5])))
    assert str(o_err.value) == str(t_err.value)


def test_register_kl_dispatch():
    class MyNormal(CD.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), CD.Normal(1.0, 2.0)
    expected = CD.kl_divergence(CD.Normal(0.0, 1.0), q)
    assert_same(CD.kl_divergence(p, q), TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Normal(1.0, 2.0)))
    assert CD.kl_divergence(p, q).item() == expected.item()  # the Normal pair, inherited

    @CD.register_kl(MyNormal, CD.Normal)
    def _kl_mine(p, q):
        return cresset.tensor(-1.0)

    assert CD.kl_divergence(p, q).item() == -1.0  # more specific; the cached choice is dropped
    assert CD.kl_divergence(q, p).item() > 0  # the reversed pair still takes Normal's
    with pytest.raises(TypeError):
        CD.register_kl("Normal", CD.Normal)


def test_register_kl_ambiguity_warns():
    class A(CD.Normal):
        pass

    class B(CD.Normal):
        pass

    CD.register_kl(A, CD.Normal)(lambda p, q: cresset.tensor(1.0))
    CD.register_kl(CD.Normal, B)(lambda p, q: cresset.tensor(2.0))
    with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence"):
        CD.kl_divergence(A(0.0, 1.0), B(0.0, 1.0))


def test_distributions_imported_lazily():
    code = ("import sys, cresset; assert 'cresset.distributions' not in sys.modules; "
            "assert cresset.distributions.Normal(0., 1.).batch_shape == cresset.Size([])")
    subprocess.run([sys.executable, "-c", code], check=True)
