"""Random numbers: generators, reproducibility, thread-count independence, distributions
(statistical checks on large samples), shapes, dtypes and errors against torch."""
import math
import os
import subprocess
import sys
import warnings

import cresset
import numpy as np
import pytest
import torch
from utils import assert_raises_like

FLOATS = ["float32", "float64", "float16", "bfloat16"]
N = 200_000


def arr(t):
    return np.array(t.tolist(), dtype=np.float64).ravel()


def assert_mean(x, mean, std, n=None):
    """The sample mean is within 5 standard errors of `mean`."""
    n = n or x.size
    assert abs(x.mean() - mean) < 5 * std / math.sqrt(n) + 1e-12, (x.mean(), mean)


def normal_cdf(z):
    return 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


def assert_matches_cdf(x, cdf, points):
    """Kolmogorov-style check of the empirical CDF at a few points (5 standard errors)."""
    for p in points:
        want = cdf(np.array([p]))[0]
        got = np.mean(x <= p)
        assert abs(got - want) < 5 * math.sqrt(want * (1 - want) / x.size) + 1e-4, (p, got, want)


@pytest.fixture
def threads():
    n = cresset.get_num_threads()
    yield
    cresset.set_num_threads(n)


# ---- generators ---------------------------------------------------------------------------------

def test_generator_api():
    g = cresset.Generator()
    assert g.device == cresset.device("cpu") and cresset.Generator(device="cpu").device.type == "cpu"
    assert g.manual_seed(3) is g
    assert g.initial_seed() == 3
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert cresset.Generator().initial_seed() == torch.Generator().initial_seed()
    state = g.get_state()
    assert state.dtype == cresset.uint8 and state.dim() == 1
    a = cresset.rand(10, generator=g).tolist()
    assert g.set_state(state) is g
    assert cresset.rand(10, generator=g).tolist() == a
    if not cresset.cuda.is_available():  # with a GPU, a CUDA generator exists
        with pytest.raises(RuntimeError, match="CUDA"):
            cresset.Generator(device="cuda")


def test_generator_state_errors():
    g, tg = cresset.Generator(), torch.Generator()
    assert_raises_like(TypeError, lambda: g.set_state(cresset.zeros(3)), lambda: tg.set_state(torch.zeros(3)))
    assert_raises_like(RuntimeError, lambda: g.set_state(cresset.zeros(3, dtype=cresset.uint8)),
                       lambda: tg.set_state(torch.zeros(3, dtype=torch.uint8)))
    assert_raises_like(TypeError, lambda: cresset.rand(2, generator=5), lambda: torch.rand(2, generator=5))


@pytest.mark.parametrize("seed", [0, 1, -1, -2**63, 2**64 - 1, 12345678901234, 1.5])
def test_manual_seed_values(seed):
    assert cresset.manual_seed(seed) is cresset.default_generator
    assert cresset.initial_seed() == torch.manual_seed(seed).initial_seed()


def test_manual_seed_overflow():
    assert_raises_like(ValueError, lambda: cresset.manual_seed(2**64), lambda: torch.manual_seed(2**64))
    assert_raises_like(ValueError, lambda: cresset.manual_seed(-2**63 - 1), lambda: torch.manual_seed(-2**63 - 1))


def test_default_generator_reproducible_and_state():
    cresset.manual_seed(42)
    a = cresset.randn(100).tolist()
    b = cresset.rand(50).tolist()
    cresset.manual_seed(42)
    assert cresset.randn(100).tolist() == a
    state = cresset.get_rng_state()
    assert cresset.rand(50).tolist() == b
    cresset.set_rng_state(state)
    assert cresset.rand(50).tolist() == b
    assert cresset.rand(50).tolist() != b
    s = cresset.seed()
    assert cresset.initial_seed() == s


def test_generators_are_independent():
    g1 = cresset.Generator().manual_seed(7)
    g2 = cresset.Generator().manual_seed(7)
    cresset.manual_seed(7)
    x1 = cresset.rand(20, generator=g1).tolist()
    cresset.rand(1000)  # the default generator moving doesn't touch g2
    x2 = cresset.rand(20, generator=g2).tolist()
    assert x1 == x2
    assert cresset.rand(20, generator=g1).tolist() != x1  # g1 advanced
    cresset.manual_seed(7)
    assert cresset.rand(20).tolist() == x1  # the same stream for the same seed
    assert cresset.rand(20, generator=cresset.Generator().manual_seed(8)).tolist() != x1


def sample_all(gen):
    """One call of every sampler on `gen`, as nested lists."""
    out = [cresset.rand(3001, generator=gen), cresset.randn(3001, dtype=cresset.float64, generator=gen),
           cresset.randn(2, 1500, dtype=cresset.float16, generator=gen),
           cresset.randint(0, 1000, (3001,), generator=gen), cresset.randperm(3001, generator=gen),
           cresset.poisson(cresset.full((3001,), 4.0), generator=gen),
           cresset.multinomial(cresset.ones(7, 50), 20, generator=gen),
           cresset.multinomial(cresset.ones(7, 50), 20, True, generator=gen),
           cresset.bernoulli(cresset.full((3001,), 0.3), generator=gen),
           cresset.empty(100, 31).as_strided((31, 100), (1, 31)).normal_(generator=gen),
           cresset.empty(3001).exponential_(generator=gen), cresset.empty(3001).geometric_(0.3, generator=gen),
           cresset.empty(3001).cauchy_(generator=gen), cresset.empty(3001).log_normal_(generator=gen),
           cresset.empty(3001, dtype=cresset.int64).random_(generator=gen),
           cresset.empty(3001).bernoulli_(0.4, generator=gen)]
    return [t.tolist() for t in out]


def test_thread_count_does_not_change_values(threads):
    results = []
    for n in [1, 2, 3]:
        cresset.set_num_threads(n)
        results.append(sample_all(cresset.Generator().manual_seed(99)))
    assert results[0] == results[1] == results[2]
    cresset.set_num_threads(3)
    big = [cresset.randn(1_000_003, generator=cresset.Generator().manual_seed(5)).tolist()]
    cresset.set_num_threads(1)
    big.append(cresset.randn(1_000_003, generator=cresset.Generator().manual_seed(5)).tolist())
    assert big[0] == big[1]


def test_cpu_capability_does_not_change_values():
    script = ("import cresset, hashlib; g = cresset.Generator().manual_seed(11); "
              "print(hashlib.md5(repr([cresset.randn(5000, dtype=d, generator=g).tolist() + "
              "cresset.rand(5000, dtype=d, generator=g).tolist() + "
              "cresset.empty(5000, dtype=d).exponential_(generator=g).tolist() "
              "for d in (cresset.float32, cresset.float64, cresset.float16)]).encode()).hexdigest())")
    digests = set()
    for cap in ["base", "avx2", "avx512"]:
        env = dict(os.environ, CRESSET_CPU_CAPABILITY=cap, PYTHONPATH=os.pathsep.join(sys.path))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_consecutive_calls_differ_and_subsequent_draws_continue():
    g = cresset.Generator().manual_seed(1)
    a, b = cresset.rand(64, generator=g).tolist(), cresset.rand(64, generator=g).tolist()
    assert a != b
    g.manual_seed(1)
    assert cresset.rand(64, generator=g).tolist() == a


# ---- distributions ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_uniform(dtype):
    x = cresset.rand(N, dtype=getattr(cresset, dtype))
    assert x.dtype == getattr(cresset, dtype)
    v = arr(x)
    assert v.min() >= 0 and v.max() < 1
    assert_mean(v, 0.5, math.sqrt(1 / 12))
    assert abs(v.var() - 1 / 12) < 0.002
    hist = np.histogram(v, bins=10, range=(0, 1))[0] / v.size
    assert np.all(np.abs(hist - 0.1) < 0.006)
    assert len(np.unique(v)) > (200 if dtype == "bfloat16" else 1500)


@pytest.mark.parametrize("dtype", FLOATS)
def test_randn_normal(dtype):
    v = arr(cresset.randn(N, dtype=getattr(cresset, dtype)))
    assert_mean(v, 0, 1)
    assert abs(v.var() - 1) < 0.015
    assert abs(np.mean(v ** 3)) < 0.05  # skewness
    assert abs(np.mean(v ** 4) - 3) < 0.1  # kurtosis
    assert_matches_cdf(v, normal_cdf, [-2.5, -1, -0.3, 0, 0.7, 1.5, 3])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_and_normal_inplace(dtype):
    x = cresset.empty(N, dtype=getattr(cresset, dtype))
    v = x._version
    assert x.uniform_(-3, 5)._is_same(x) and x._version == v + 1
    u = arr(x)
    assert u.min() >= -3 and u.max() < 5
    assert_mean(u, 1, 8 / math.sqrt(12))
    n = arr(x.normal_(2, 0.5))
    assert_mean(n, 2, 0.5)
    assert abs(n.std() - 0.5) < 0.006
    assert arr(x.normal_(1.5, 0)).tolist() == [1.5] * N
    assert arr(cresset.empty(10, dtype=getattr(cresset, dtype)).uniform_(2, 2)).tolist() == [2] * 10


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_exponential_geometric_lognormal_cauchy(dtype):
    dt = getattr(cresset, dtype)
    e = arr(cresset.empty(N, dtype=dt).exponential_(2.0))
    assert e.min() > 0
    assert_mean(e, 0.5, 0.5)
    assert_matches_cdf(e, lambda z: 1 - np.exp(-2 * z), [0.1, 0.5, 1, 2])
    g = arr(cresset.empty(N, dtype=dt).geometric_(0.25))
    assert g.min() >= 1 and np.all(g == np.round(g))
    assert_mean(g, 4, math.sqrt(0.75) / 0.25)
    assert abs(np.mean(g == 1) - 0.25) < 0.005
    ln = np.log(arr(cresset.empty(N, dtype=dt).log_normal_(0.5, 0.25)))
    assert_mean(ln, 0.5, 0.25)
    assert abs(ln.std() - 0.25) < 0.005
    c = arr(cresset.empty(N, dtype=dt).cauchy_(1.0, 2.0))
    assert abs(np.median(c) - 1.0) < 0.05
    assert abs(np.quantile(c, 0.75) - 3.0) < 0.1 and abs(np.quantile(c, 0.25) + 1.0) < 0.1


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "float32", "float64", "float16"])
def test_geometric_int_dtypes_and_random_ranges(dtype):
    dt = getattr(cresset, dtype)
    g = arr(cresset.empty(1000, dtype=dt).geometric_(0.5))
    assert g.min() >= 1
    r = arr(cresset.empty(N, dtype=dt).random_(3, 13))
    assert set(np.unique(r)) == set(range(3, 13))
    counts = np.bincount(r.astype(np.int64) - 3) / r.size
    assert np.all(np.abs(counts - 0.1) < 0.006)
    r5 = arr(cresset.empty(N, dtype=dt).random_(5))
    assert r5.min() == 0 and r5.max() == 4


@pytest.mark.parametrize("dtype,hi", [("uint8", 255), ("int8", 127), ("int16", 32767), ("bool", 1),
                                      ("float16", 2**11), ("bfloat16", 2**8)])
def test_random_default_range(dtype, hi):
    v = arr(cresset.empty(N, dtype=getattr(cresset, dtype)).random_())
    assert v.min() >= 0 and v.max() <= hi
    assert v.max() > hi * 0.98 and v.min() < hi * 0.02 + 1
    assert np.all(v == np.round(v))


def test_random_wide_ranges():
    v = arr(cresset.empty(N, dtype=cresset.int64).random_())
    assert v.min() >= 0 and v.max() > 2**62
    w = cresset.empty(N, dtype=cresset.int64).random_(-2**63, None)
    vals = np.array(w.tolist(), dtype=np.int64)
    assert vals.min() < -2**62 and vals.max() > 2**62
    f = arr(cresset.empty(1000).random_())
    assert f.max() <= 2**24 and f.max() > 2**23
    big = np.array(cresset.empty(N, dtype=cresset.int64).random_(-2**40, 2**40).tolist())
    assert big.min() >= -2**40 and big.max() < 2**40 and big.min() < -2**39 and big.max() > 2**39


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64"])
def test_randint(dtype):
    dt = getattr(cresset, dtype)
    x = cresset.randint(-4 if dtype != "uint8" else 0, 6, (400, 500), dtype=dt)
    assert x.dtype == dt and tuple(x.shape) == (400, 500)
    v = arr(x)
    lo = -4 if dtype != "uint8" else 0
    assert set(np.unique(v)) == set(range(lo, 6))
    counts = np.bincount((v - lo).astype(np.int64)) / v.size
    assert np.all(np.abs(counts - 1 / (6 - lo)) < 0.006)


def test_randint_signatures():
    assert cresset.randint(5, (3,)).dtype == cresset.int64
    assert tuple(cresset.randint(3, 10, size=(2, 2)).shape) == (2, 2)
    assert cresset.randint(low=1, high=3, size=(100,)).tolist().count(0) == 0
    assert max(cresset.randint(high=3, size=(100,)).tolist()) <= 2
    assert_raises_like(RuntimeError, lambda: cresset.randint(5, 3, (3,)), lambda: torch.randint(5, 3, (3,)))
    assert_raises_like(TypeError, lambda: cresset.randint(5, 3), lambda: torch.randint(5, 3))
    assert_raises_like(RuntimeError, lambda: cresset.randint(0, 257, (3,), dtype=cresset.uint8),
                       lambda: torch.randint(0, 257, (3,), dtype=torch.uint8))
    assert_raises_like(RuntimeError, lambda: cresset.randint(-1, 2, (3,), dtype=cresset.uint8),
                       lambda: torch.randint(-1, 2, (3,), dtype=torch.uint8))
    full = arr(cresset.randint(0, 256, (N,), dtype=cresset.uint8))
    assert full.min() == 0 and full.max() == 255


@pytest.mark.parametrize("n,dtype", [(0, "int64"), (1, "int64"), (10, "int64"), (5000, "int32"),
                                     (256, "uint8"), (100, "float32"), (2049, "float16")])
def test_randperm(n, dtype):
    p = cresset.randperm(n, dtype=getattr(cresset, dtype))
    assert p.dtype == getattr(cresset, dtype) and tuple(p.shape) == (n,)
    assert sorted(arr(p).tolist()) == list(range(n))


def test_randperm_is_uniform_and_errors():
    counts = np.zeros((4, 4))
    g = cresset.Generator().manual_seed(0)
    for _ in range(2000):
        p = cresset.randperm(4, generator=g).tolist()
        for i, v in enumerate(p):
            counts[i, v] += 1
    assert np.all(np.abs(counts / 2000 - 0.25) < 0.05)
    out = cresset.zeros(1)
    assert cresset.randperm(5, out=out)._is_same(out) and sorted(out.tolist()) == [0, 1, 2, 3, 4]
    assert_raises_like(RuntimeError, lambda: cresset.randperm(-1), lambda: torch.randperm(-1))
    assert_raises_like(RuntimeError, lambda: cresset.randperm(300, dtype=cresset.uint8),
                       lambda: torch.randperm(300, dtype=torch.uint8))
    assert_raises_like(NotImplementedError, lambda: cresset.randperm(3, dtype=cresset.bool),
                       lambda: torch.randperm(3, dtype=torch.bool))


def test_bernoulli():
    for dtype in ["float32", "int64", "bool", "uint8", "float16"]:
        x = cresset.empty(N, dtype=getattr(cresset, dtype)).bernoulli_(0.3)
        v = arr(x)
        assert set(np.unique(v)) <= {0, 1}
        assert_mean(v, 0.3, math.sqrt(0.21))
    assert arr(cresset.empty(100).bernoulli_(0)).sum() == 0 and arr(cresset.empty(100).bernoulli_(1)).sum() == 100
    p = cresset.tensor([0.0, 1.0, 0.5, 0.1]).as_strided((N, 4), (0, 1))
    b = arr(cresset.bernoulli(p)).reshape(N, 4)
    assert b[:, 0].sum() == 0 and b[:, 1].sum() == N
    assert_mean(b[:, 2], 0.5, 0.5)
    assert_mean(b[:, 3], 0.1, 0.3)
    y = cresset.zeros(N, 2, dtype=cresset.bool).bernoulli_(cresset.tensor([[0.2, 0.9]]))
    yv = arr(y).reshape(N, 2)
    assert_mean(yv[:, 0], 0.2, 0.4)
    assert_mean(yv[:, 1], 0.9, 0.3)
    z = cresset.bernoulli(cresset.zeros(N), 0.7)
    assert z.dtype == cresset.float32
    assert_mean(arr(z), 0.7, math.sqrt(0.21))
    assert cresset.bernoulli(cresset.zeros(3), p=0.5).dtype == cresset.float32
    assert cresset.zeros(3).bernoulli().tolist() == [0.0] * 3
    assert arr(cresset.empty(1000).bernoulli_()).mean() > 0.3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_overloads(dtype):
    dt, tdt = getattr(cresset, dtype), getattr(torch, dtype)
    mean = cresset.tensor([0.0, 10.0, -5.0], dtype=dt)
    std = cresset.tensor([1.0, 2.0, 0.0], dtype=dt)
    x = cresset.normal(mean.as_strided((N // 4, 3), (0, 1)), std)
    assert x.dtype == dt and tuple(x.shape) == (N // 4, 3)
    v = arr(x).reshape(-1, 3)
    assert_mean(v[:, 0], 0, 1)
    assert_mean(v[:, 1], 10, 2)
    assert abs(v[:, 1].std() - 2) < 0.05
    assert np.all(v[:, 2] == -5)
    y = arr(cresset.normal(cresset.full((N,), 3.0, dtype=dt), 0.5))
    assert_mean(y, 3, 0.5)
    z = cresset.normal(2.0, cresset.full((N,), 0.1, dtype=dt))
    assert z.dtype == dt
    assert_mean(arr(z), 2, 0.1)
    w = cresset.normal(1.0, 3.0, (N,), dtype=dt)
    assert w.dtype == dt
    assert_mean(arr(w), 1, 3)
    assert tuple(cresset.normal(0., 1., size=(2, 3)).shape) == (2, 3)
    assert tuple(cresset.normal(cresset.zeros(3, 1, dtype=dt), cresset.ones(2, dtype=dt)).shape) == (3, 2)
    assert cresset.normal(cresset.zeros(3)).dtype == cresset.float32
    assert cresset.normal(cresset.zeros(3, dtype=cresset.float64), cresset.ones(3)).dtype == \
        getattr(cresset, str(torch.normal(torch.zeros(3, dtype=torch.float64), torch.ones(3)).dtype)[6:])
    assert cresset.normal(cresset.zeros(3), cresset.ones(3, dtype=cresset.float64)).dtype == cresset.float32
    o = cresset.zeros(1, dtype=cresset.float64)
    assert cresset.normal(0., 1., (4,), out=o)._is_same(o) and tuple(o.shape) == (4,)
    del tdt


def test_multinomial():
    w = cresset.tensor([1.0, 0.0, 3.0, 4.0])
    s = arr(cresset.multinomial(w, N, replacement=True))
    counts = np.bincount(s.astype(np.int64), minlength=4) / N
    assert counts[1] == 0
    assert np.all(np.abs(counts - np.array([1, 0, 3, 4]) / 8) < 0.006)
    rows = cresset.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]], dtype=cresset.float64)
    r = cresset.multinomial(rows, 1000, True)
    assert tuple(r.shape) == (2, 1000) and r.dtype == cresset.int64
    rv = np.array(r.tolist())
    assert np.all(rv[0] == 1) and set(np.unique(rv[1])) == {0, 1}
    # without replacement: distinct indices; the first draw follows the weights
    g = cresset.Generator().manual_seed(3)
    first = []
    for _ in range(3000):
        d = cresset.multinomial(cresset.tensor([1.0, 2.0, 1.0, 0.0]), 3, generator=g).tolist()
        assert sorted(d) == [0, 1, 2]
        first.append(d[0])
    assert abs(first.count(1) / 3000 - 0.5) < 0.05
    assert cresset.multinomial(cresset.tensor([1.0, 0.0, 0.0]), 3).tolist()[0] == 0
    many = cresset.multinomial(cresset.ones(50, 20), 20, generator=g)
    assert all(sorted(row) == list(range(20)) for row in many.tolist())
    assert sorted(cresset.ones(6).multinomial(6).tolist()) == list(range(6))


@pytest.mark.parametrize("case", [
    lambda m: m.multinomial(m.tensor([0., 1.]), 3),
    lambda m: m.multinomial(m.tensor([-1., 1.]), 1),
    lambda m: m.multinomial(m.tensor([0., 0.]), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    lambda m: m.multinomial(m.ones(2), 0),
    lambda m: m.multinomial(m.ones(2, dtype=m.int64), 1),
    lambda m: m.multinomial(m.tensor([1., float("nan")]), 1),
    lambda m: m.multinomial(m.tensor([1., float("inf")]), 1, True),
])
def test_multinomial_errors(case):
    assert_raises_like(RuntimeError, lambda: case(cresset), lambda: case(torch))


def test_poisson():
    for lam in [0.0, 0.5, 4.0, 30.0, 1000.0]:
        x = cresset.poisson(cresset.full((N // 2,), lam))
        v = arr(x)
        assert x.dtype == cresset.float32 and np.all(v == np.round(v)) and v.min() >= 0
        assert_mean(v, lam, math.sqrt(lam))
        if lam > 0:
            assert abs(v.var() / lam - 1) < 0.03
    y = cresset.poisson(cresset.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=cresset.float64).as_strided((2, 2), (1, 2)))
    assert y.dtype == cresset.float64 and y.stride() == (1, 2)
    assert_raises_like(RuntimeError, lambda: cresset.poisson(cresset.tensor([-1.])),
                       lambda: torch.poisson(torch.tensor([-1.])))
    assert_raises_like(RuntimeError, lambda: cresset.poisson(cresset.tensor([float("nan")])),
                       lambda: torch.poisson(torch.tensor([float("nan")])))
    assert_raises_like(NotImplementedError, lambda: cresset.poisson(cresset.tensor([1])),
                       lambda: torch.poisson(torch.tensor([1])))


# ---- shapes, dtypes, layouts --------------------------------------------------------------------

def test_factory_shapes_and_out():
    assert tuple(cresset.rand(2, 3).shape) == (2, 3) and cresset.rand(2, 3).dtype == cresset.float32
    assert tuple(cresset.randn((4,)).shape) == (4,) and tuple(cresset.rand([]).shape) == ()
    assert tuple(cresset.rand(size=(2, 1)).shape) == (2, 1)
    assert cresset.rand(0, 3).tolist() == []
    assert cresset.randn(2, requires_grad=True).requires_grad
    o = cresset.zeros(1, dtype=cresset.float64)
    assert cresset.rand(3, out=o)._is_same(o) and o.dtype == cresset.float64 and tuple(o.shape) == (3,)
    oi = cresset.zeros(1)
    assert cresset.randint(5, (2,), out=oi).dtype == cresset.float32
    assert_raises_like(RuntimeError, lambda: cresset.rand(2, dtype=cresset.float32, out=o),
                       lambda: torch.rand(2, dtype=torch.float32, out=torch.zeros(1, dtype=torch.float64)))


def test_inplace_on_views():
    base = cresset.zeros(50, 40)
    view = base.as_strided((20, 40), (80, 1))  # every other row
    view.uniform_(1, 2)
    rows = np.array(base.tolist())
    assert np.all(rows[1::2] == 0) and np.all(rows[0:40:2] >= 1)
    t = cresset.zeros(30, 20).as_strided((20, 30), (1, 20))
    t.normal_(5, 0.1)
    assert abs(arr(t).mean() - 5) < 0.05
    ex = cresset.zeros(3, 1).as_strided((3, 4), (1, 0))
    for op in [lambda x: x.uniform_(), lambda x: x.normal_(), lambda x: x.random_(), lambda x: x.bernoulli_(0.5),
               lambda x: x.exponential_()]:
        assert_raises_like(RuntimeError, lambda: op(ex), lambda: op(torch.zeros(3, 1).expand(3, 4)))


# ---- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case,exc", [
    (lambda m: m.rand(2, dtype=m.int64), NotImplementedError),
    (lambda m: m.randn(2, dtype=m.int64), NotImplementedError),
    (lambda m: m.zeros(2).uniform_(1, 0), RuntimeError),
    (lambda m: m.zeros(2).uniform_(0, float("inf")), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).uniform_(), NotImplementedError),
    (lambda m: m.zeros(2).normal_(0, -1), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).normal_(), NotImplementedError),
    (lambda m: m.zeros(2).random_(5, 2), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int8).random_(0, 300), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.uint8).random_(-3, 2), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.uint8).random_(300), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.uint8).random_(-3, None), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int8).random_(200, None), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.bool).random_(0, 3), RuntimeError),
    (lambda m: m.zeros(2).random_(-5), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).random_(-2**63), RuntimeError),
    (lambda m: m.zeros(2).exponential_(0), RuntimeError),
    (lambda m: m.zeros(2).exponential_(-1), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).exponential_(), RuntimeError),
    (lambda m: m.zeros(2).geometric_(0), RuntimeError),
    (lambda m: m.zeros(2).geometric_(1), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.bool).geometric_(0.5), NotImplementedError),
    (lambda m: m.zeros(2).log_normal_(1, 0), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).log_normal_(), NotImplementedError),
    (lambda m: m.zeros(2).cauchy_(0, 0), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).cauchy_(), RuntimeError),
    (lambda m: m.zeros(3).bernoulli_(1.5), RuntimeError),
    (lambda m: m.zeros(3).bernoulli_(float("nan")), RuntimeError),
    (lambda m: m.zeros(3).bernoulli_(m.full((3,), 2.)), RuntimeError),
    (lambda m: m.zeros(3).bernoulli_(m.full((2,), .5)), RuntimeError),
    (lambda m: m.bernoulli(m.full((3,), 2.)), RuntimeError),
    (lambda m: m.bernoulli(m.zeros(3, dtype=m.int64)), NotImplementedError),
    (lambda m: m.normal(m.zeros(3), -1.), RuntimeError),
    (lambda m: m.normal(m.zeros(3), m.tensor([1., -1., 1.])), RuntimeError),
    (lambda m: m.normal(m.zeros(3), m.ones(2)), RuntimeError),
    (lambda m: m.normal(m.zeros(3, dtype=m.int64), 1.), NotImplementedError),
    (lambda m: m.normal(0., -1., (2,)), RuntimeError),
    (lambda m: m.normal(0., 1.), TypeError),
])
def test_errors_match_torch(case, exc):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(exc, lambda: case(cresset), lambda: case(torch))


def test_random_signatures():
    x = cresset.zeros(1000)
    assert x.random_(to=5)._is_same(x) and max(x.tolist()) <= 4
    x.random_(2, 4)
    assert set(x.tolist()) == {2.0, 3.0}
    x.random_(10, None)
    assert min(x.tolist()) >= 10
    x.random_(generator=cresset.Generator())
    assert max(x.tolist()) <= 2**24


def test_random_module_and_fork_rng():
    assert cresset.random.default_generator is cresset.default_generator
    cresset.random.manual_seed(5)
    assert cresset.random.initial_seed() == 5
    before = cresset.random.get_rng_state().tolist()
    with cresset.random.fork_rng():
        cresset.rand(100)
    assert cresset.random.get_rng_state().tolist() == before
    with cresset.random.fork_rng(enabled=False):
        cresset.rand(100)
    assert cresset.random.get_rng_state().tolist() != before
