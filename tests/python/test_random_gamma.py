"""torch._standard_gamma, _standard_gamma_grad, _sample_dirichlet, _dirichlet_grad and
torch.binomial: shapes, dtypes and support against torch; sample statistics under fixed seeds;
determinism; the reparameterized gradients against torch's (deterministic) gradient functions and
against exact derivatives; errors for bad input."""
import math
import warnings

import numpy as np
import pytest
import torch
from utils import assert_raises_like, assert_same

import cresset

N = 200_000
f64 = torch.float64


def arr(t):
    return np.array(t.tolist(), dtype=np.float64)


def ours(t):
    return cresset.tensor(t.tolist(), dtype=getattr(cresset, str(t.dtype).split(".")[-1]))


@pytest.fixture
def threads():
    n = cresset.get_num_threads()
    yield
    cresset.set_num_threads(n)


# ---- _standard_gamma ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, f64])
def test_standard_gamma_shapes_dtypes_support(dtype):
    cdt = getattr(cresset, str(dtype).split(".")[-1])
    for shape in [(), (0,), (5,), (3, 4)]:
        alpha = torch.full(shape, 1.5, dtype=dtype)
        x, t = cresset._standard_gamma(ours(alpha)), torch._standard_gamma(alpha)
        assert tuple(x.shape) == tuple(t.shape) and x.dtype == cdt
        assert np.all(arr(x) > 0)
    strided = cresset.full((4, 6), 2.0, dtype=cdt).t()
    assert tuple(cresset._standard_gamma(strided).shape) == (6, 4)
    # Invalid shapes and underflowing draws give the smallest normal value, as in torch.
    bad = torch.tensor([-1.0, 0.0, math.nan], dtype=dtype)
    assert_same(cresset._standard_gamma(ours(bad)), torch._standard_gamma(bad))
    tiny = cresset._standard_gamma(cresset.full((1000,), 1e-3, dtype=cdt))
    assert arr(tiny).min() >= torch.finfo(dtype).tiny


@pytest.mark.parametrize("alpha", [0.05, 0.5, 1.0, 2.5, 30.0, 1e4])
def test_standard_gamma_moments_and_cdf(alpha):
    g = cresset.Generator().manual_seed(123)
    x = arr(cresset._standard_gamma(cresset.full((N,), alpha, dtype=cresset.float64), generator=g))
    # Mean within five standard errors; variance within five standard errors of the sample
    # variance (sqrt((kurtosis - 1) / N) relative, Gamma's kurtosis being 3 + 6 / alpha).
    assert abs(x.mean() - alpha) < 5 * math.sqrt(alpha / N)
    assert abs(x.var() / alpha - 1) < 5 * math.sqrt((2 + 6 / alpha) / N)
    # The empirical CDF at three quantiles (five binomial standard errors).
    xs = torch.tensor(x, dtype=f64)
    for q in (0.1, 0.5, 0.9):
        point = torch.quantile(xs, q)
        exact = float(torch.special.gammainc(torch.tensor(alpha, dtype=f64), point))
        assert abs(exact - q) < 5 * math.sqrt(q * (1 - q) / N)


def test_standard_gamma_float32_moments():
    cresset.manual_seed(5)
    x = arr(cresset._standard_gamma(cresset.full((N,), 3.0)))
    assert abs(x.mean() - 3) < 5 * math.sqrt(3 / N) and abs(x.var() / 3 - 1) < 0.02


def test_standard_gamma_determinism(threads):
    alpha = cresset.tensor([0.3, 1.0, 7.0] * 3000)
    results = []
    for n in [1, 2, 3]:
        cresset.set_num_threads(n)
        results.append(cresset._standard_gamma(alpha, generator=cresset.Generator().manual_seed(9))
                       .tolist())
    assert results[0] == results[1] == results[2]
    cresset.manual_seed(9)
    a = cresset._standard_gamma(alpha).tolist()
    b = cresset._standard_gamma(alpha).tolist()
    cresset.manual_seed(9)
    assert cresset._standard_gamma(alpha).tolist() == a and a != b


def test_standard_gamma_bad_dtypes():
    for dt in ["int64", "float16"]:
        assert_raises_like(NotImplementedError,
                           lambda dt=dt: cresset._standard_gamma(cresset.ones(3, dtype=getattr(cresset, dt))),
                           lambda dt=dt: torch._standard_gamma(torch.ones(3, dtype=getattr(torch, dt))))


# ---- _standard_gamma_grad -----------------------------------------------------------------------

def _gamma_grid():
    # (alpha, x) over quantiles 1e-4 .. 0.9999 of Gamma(alpha): both branches (series and
    # continued fraction) and the large-alpha asymptotic.
    alphas, xs = [], []
    for a in [1e-3, 0.05, 0.3, 0.9, 1.0, 1.5, 3.0, 7.9, 8.1, 20.0, 100.0, 1e3, 1e5, 1e6]:
        for q in [1e-4, 0.01, 0.1, 0.5, 0.9, 0.99, 0.9999]:
            x = _gamma_quantile(a, q)
            if x > 1e-300:  # tiny alphas put low quantiles below double's range
                alphas.append(a)
                xs.append(x)
    return torch.tensor(alphas, dtype=f64), torch.tensor(xs, dtype=f64)


def _gamma_quantile(a, q):
    # Bisection on log x of torch.special.gammainc (monotone in x).
    lo, hi = -700.0, math.log(a + 50 * math.sqrt(a) + 50)
    a_t = torch.tensor(a, dtype=f64)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if float(torch.special.gammainc(a_t, torch.tensor(math.exp(mid), dtype=f64))) < q:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


def test_standard_gamma_grad_matches_torch():
    alpha, x = _gamma_grid()
    got = cresset._standard_gamma_grad(ours(alpha), ours(x))
    want = torch._standard_gamma_grad(alpha, x)
    # torch evaluates fitted approximations (up to 1.3e-3 relative error on this grid); ours is
    # exact (checked against finite differences below), so the comparison allows torch's error.
    assert_same(got, want, rtol=2e-3, atol=0)
    got32 = cresset._standard_gamma_grad(ours(alpha.float()), ours(x.float()))
    assert_same(got32, torch._standard_gamma_grad(alpha.float(), x.float()), rtol=3e-3, atol=0)


def test_standard_gamma_grad_is_exact():
    # dx/dalpha = -(dP/dalpha) / p(x) at fixed P = gammainc(alpha, x): central differences of
    # torch's gammainc in alpha, and the density from torch's Gamma.log_prob.
    for a in [0.05, 0.7, 2.0, 12.0, 150.0]:
        for q in [0.01, 0.3, 0.7, 0.99]:
            x = _gamma_quantile(a, q)
            h = 1e-5 * a
            x_t = torch.tensor(x, dtype=f64)
            dp = (torch.special.gammainc(torch.tensor(a + h, dtype=f64), x_t)
                  - torch.special.gammainc(torch.tensor(a - h, dtype=f64), x_t)) / (2 * h)
            density = torch.distributions.Gamma(torch.tensor(a, dtype=f64), 1.0).log_prob(x_t).exp()
            exact = float(-dp / density)
            got = cresset._standard_gamma_grad(cresset.tensor([a], dtype=cresset.float64),
                                               cresset.tensor([x], dtype=cresset.float64)).item()
            assert abs(got - exact) < 1e-6 * abs(exact), (a, q, got, exact)


def test_standard_gamma_grad_edges_and_errors():
    alpha = torch.tensor([1.0, 2.0], dtype=f64)
    x = torch.tensor([0.0, 0.0], dtype=f64)
    assert_same(cresset._standard_gamma_grad(ours(alpha), ours(x)),
                torch._standard_gamma_grad(alpha, x))
    nan_cases = (torch.tensor([2.0, -1.0, math.nan]), torch.tensor([math.inf, 1.0, 1.0]))
    assert_same(cresset._standard_gamma_grad(*map(ours, nan_cases)),
                torch._standard_gamma_grad(*nan_cases))
    # Broadcasting.
    a2, x2 = torch.tensor([[1.0], [3.0]]), torch.tensor([0.5, 1.0, 2.0])
    with warnings.catch_warnings():  # torch warns about resizing its own output here
        warnings.simplefilter("ignore")
        want = torch._standard_gamma_grad(a2, x2)
    assert_same(cresset._standard_gamma_grad(ours(a2), ours(x2)), want, rtol=2e-3)
    assert_raises_like(RuntimeError,
                       lambda: cresset._standard_gamma_grad(cresset.ones(2), cresset.ones(2, dtype=cresset.float64)),
                       lambda: torch._standard_gamma_grad(torch.ones(2), torch.ones(2, dtype=f64)))
    assert_raises_like(NotImplementedError,
                       lambda: cresset._standard_gamma_grad(cresset.ones(2, dtype=cresset.int64), cresset.ones(2, dtype=cresset.int64)),
                       lambda: torch._standard_gamma_grad(torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.int64)))


def test_standard_gamma_backward():
    alpha = cresset.tensor([0.4, 2.0, 9.0], dtype=cresset.float64, requires_grad=True)
    cresset.manual_seed(3)
    x = cresset._standard_gamma(alpha)
    assert x.grad_fn.name() == "StandardGammaBackward0"
    (g,) = cresset.autograd.grad((x * cresset.tensor([1.0, 2.0, 3.0], dtype=cresset.float64)).sum(), alpha)
    t_alpha, t_x = torch.tensor(alpha.tolist(), dtype=f64), torch.tensor(x.tolist(), dtype=f64)
    want = torch._standard_gamma_grad(t_alpha, t_x) * torch.tensor([1.0, 2.0, 3.0], dtype=f64)
    assert_same(g, want, rtol=2e-3, atol=0)


# ---- _sample_dirichlet and _dirichlet_grad -----------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, f64])
def test_sample_dirichlet_shapes_and_support(dtype):
    cdt = getattr(cresset, str(dtype).split(".")[-1])
    for shape in [(3,), (2, 3), (4, 1, 5), (2, 0)]:
        alpha = torch.full(shape, 0.7, dtype=dtype)
        x, t = cresset._sample_dirichlet(ours(alpha)), torch._sample_dirichlet(alpha)
        assert tuple(x.shape) == tuple(t.shape) and x.dtype == cdt
        v = arr(x)
        if v.size:
            assert np.all(v > 0) and np.allclose(v.sum(-1), 1, atol=1e-5)
    assert_same(cresset._sample_dirichlet(cresset.tensor(2.0, dtype=cdt)),
                torch._sample_dirichlet(torch.tensor(2.0, dtype=dtype)))
    tiny = arr(cresset._sample_dirichlet(cresset.full((100, 2), 1e-3, dtype=cdt)))
    assert tiny.min() >= torch.finfo(dtype).tiny and np.allclose(tiny.sum(-1), 1)


def test_sample_dirichlet_moments_and_errors():
    alpha = np.array([0.5, 2.0, 4.5])
    total = alpha.sum()
    cresset.manual_seed(11)
    x = arr(cresset._sample_dirichlet(cresset.tensor(np.tile(alpha, (N, 1)).tolist(),
                                                     dtype=cresset.float64)))
    mean = alpha / total
    var = alpha * (total - alpha) / (total ** 2 * (total + 1))
    assert np.all(np.abs(x.mean(0) - mean) < 5 * np.sqrt(var / N))
    assert np.all(np.abs(x.var(0) / var - 1) < 0.05)
    for dt in ["int64", "float16", "bfloat16"]:
        assert_raises_like(NotImplementedError,
                           lambda dt=dt: cresset._sample_dirichlet(cresset.ones(3, dtype=getattr(cresset, dt))),
                           lambda dt=dt: torch._sample_dirichlet(torch.ones(3, dtype=getattr(torch, dt))))


def _beta_grid():
    # Points where Beta(a, b) draws land (torch's own sampler, seeded): torch's approximation
    # loses accuracy far in the tails (2.5% at Beta(0.05, 30)'s x = 0.5, where our value agrees
    # with mpmath to 1e-15), which draws never reach.
    torch.manual_seed(0)
    xs, alphas, totals = [], [], []
    for a in [0.05, 0.5, 1.0, 2.5, 10.0, 100.0]:
        for b in [0.05, 0.5, 1.0, 3.0, 30.0]:
            beta = torch.distributions.Beta(torch.tensor(a, dtype=f64), torch.tensor(b, dtype=f64))
            for x in beta.sample((6,)).tolist():
                if 1e-300 < x < 1:
                    xs.append(x)
                    alphas.append(a)
                    totals.append(a + b)
    return (torch.tensor(xs, dtype=f64), torch.tensor(alphas, dtype=f64),
            torch.tensor(totals, dtype=f64))


def test_dirichlet_grad_matches_torch():
    x, alpha, total = _beta_grid()
    got = cresset._dirichlet_grad(ours(x), ours(alpha), ours(total))
    want = torch._dirichlet_grad(x, alpha, total)
    # torch's is an approximation (7e-4 relative error at worst here); ours is exact (below).
    assert_same(got, want, rtol=1e-3, atol=1e-12)


def test_dirichlet_grad_is_exact():
    # With beta = 1, x = u^(1/alpha): dx/dalpha = -x log(x) / alpha, and torch's _dirichlet_grad
    # is that over (1 - x).
    x = torch.tensor([0.01, 0.3, 0.6, 0.97], dtype=f64)
    for a in [0.2, 1.0, 3.0, 40.0]:
        got = arr(cresset._dirichlet_grad(ours(x), cresset.full((4,), a, dtype=cresset.float64),
                                          cresset.full((4,), a + 1, dtype=cresset.float64)))
        exact = (-x * x.log() / (a * (1 - x))).numpy()
        np.testing.assert_allclose(got, exact, rtol=1e-10)


def test_dirichlet_grad_edges_and_errors():
    x = torch.tensor([0.0, 0.5])
    assert_same(cresset._dirichlet_grad(ours(x), cresset.tensor([1.0, 1.0]), cresset.tensor([2.0, 2.0])),
                torch._dirichlet_grad(x, torch.tensor([1.0, 1.0]), torch.tensor([2.0, 2.0])))
    # total broadcasts.
    assert_same(cresset._dirichlet_grad(ours(x), cresset.tensor([1.0, 2.0]), cresset.tensor([3.0])),
                torch._dirichlet_grad(x, torch.tensor([1.0, 2.0]), torch.tensor([3.0])), rtol=1e-3)
    assert_raises_like(RuntimeError,
                       lambda: cresset._dirichlet_grad(cresset.ones(1), cresset.ones(1), cresset.ones(1, dtype=cresset.float64)),
                       lambda: torch._dirichlet_grad(torch.ones(1), torch.ones(1), torch.ones(1, dtype=f64)))
    assert_raises_like(NotImplementedError,
                       lambda: cresset._dirichlet_grad(*[cresset.ones(1, dtype=cresset.int64)] * 3),
                       lambda: torch._dirichlet_grad(*[torch.ones(1, dtype=torch.int64)] * 3))


# ---- binomial -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "p"), [(10, 0.3), (30, 0.9), (1000, 0.005), (100, 0.4),
                                      (1000, 0.97), (1e6, 0.5)])
def test_binomial_moments(n, p):
    # Inversion (n min(p, 1 - p) < 10) and BTRS, with p above 1/2 sampled through 1 - p.
    g = cresset.Generator().manual_seed(17)
    x = arr(cresset.binomial(cresset.full((N,), float(n), dtype=cresset.float64),
                             cresset.full((N,), p, dtype=cresset.float64), generator=g))
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= n
    mean, var = n * p, n * p * (1 - p)
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    kurt = 3 + (1 - 6 * p * (1 - p)) / var
    assert abs(x.var() / var - 1) < 5 * math.sqrt((kurt - 1) / N)


@pytest.mark.parametrize(("n", "p"), [(20, 0.3), (100, 0.4)])
def test_binomial_frequencies_match_pmf(n, p):
    cresset.manual_seed(21)
    x = arr(cresset.binomial(cresset.full((N,), float(n)), cresset.full((N,), p))).astype(int)
    freq = np.bincount(x, minlength=n + 1) / N
    k = torch.arange(n + 1, dtype=f64)
    pmf = torch.distributions.Binomial(n, torch.tensor(p, dtype=f64)).log_prob(k).exp().numpy()
    assert np.all(np.abs(freq - pmf) < 5 * np.sqrt(pmf * (1 - pmf) / N) + 1e-6)


def test_binomial_edges_shapes_and_determinism(threads):
    # Deterministic outcomes of torch's conventions: count <= 0 or p <= 0 give 0, p >= 1 gives
    # the count (untruncated), NaN propagates.
    count = torch.tensor([-1.0, 5.0, 5.0, 5.0, 5.0, 0.0, 7.9])
    prob = torch.tensor([0.5, 0.0, 1.0, 1.5, -0.5, 0.5, 1.0])
    assert_same(cresset.binomial(ours(count), ours(prob)), torch.binomial(count, prob))
    assert math.isnan(cresset.binomial(cresset.tensor([5.0]), cresset.tensor([math.nan])).item())
    frac = arr(cresset.binomial(cresset.full((1000,), 2.5), cresset.full((1000,), 0.5)))
    assert frac.max() <= 2
    out = cresset.binomial(cresset.full((3, 1), 10.0, dtype=cresset.float64),
                           cresset.tensor([0.1, 0.5], dtype=cresset.float64))
    assert tuple(out.shape) == (3, 2) and out.dtype == cresset.float64
    assert tuple(cresset.binomial(cresset.tensor(4.0), cresset.tensor(0.5)).shape) == ()
    results = []
    for nt in [1, 2, 3]:
        cresset.set_num_threads(nt)
        results.append(cresset.binomial(cresset.full((9000,), 50.0), cresset.full((9000,), 0.3),
                                         generator=cresset.Generator().manual_seed(4)).tolist())
    assert results[0] == results[1] == results[2]


def test_binomial_errors():
    assert_raises_like(ValueError,
                       lambda: cresset.binomial(cresset.tensor([5]), cresset.tensor([0.5])),
                       lambda: torch.binomial(torch.tensor([5]), torch.tensor([0.5])))
    assert_raises_like(RuntimeError,
                       lambda: cresset.binomial(cresset.tensor([5.0]), cresset.tensor([0.5], dtype=cresset.float64)),
                       lambda: torch.binomial(torch.tensor([5.0]), torch.tensor([0.5], dtype=f64)))
    assert_raises_like(NotImplementedError,
                       lambda: cresset.binomial(cresset.ones(2, dtype=cresset.float16), cresset.ones(2, dtype=cresset.float16)),
                       lambda: torch.binomial(torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.float16)))
