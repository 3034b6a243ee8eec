"""cresset.special against torch.special: values and dtypes over float32/float64/integer inputs,
edge values, non-contiguous and 0-dim inputs, out=, and gradients."""
import math

import cresset
import cresset.special
import numpy as np
import pytest
import torch
import torch.special

from utils import to_cresset

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-3, -1e-3, 20.0, -20.0, 50.0, -50.0, 800.0,
         -800.0, math.inf, -math.inf, math.nan]
UNARY = ["digamma", "psi", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
         "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "ndtr", "ndtri", "round",
         "sinc", "entr", "logit"]


def _check(got, want, **kw):
    assert got.dtype == to_cresset(want).dtype and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.double().numpy(), want.double().numpy(),
                               rtol=kw.get("rtol", 1e-6 if want.dtype == torch.float64 else 2e-5),
                               atol=kw.get("atol", 1e-12 if want.dtype == torch.float64 else 1e-5),
                               equal_nan=True)


def _inputs(name, dtype):
    rng = np.random.default_rng(7)
    if name in ("ndtri", "erfinv", "logit"):
        v = list(rng.uniform(0, 1, 30)) + [0.0, 1.0, 0.5, 1e-30, 1 - 1e-7, -0.5, 1.5, math.nan]
        if name == "erfinv":
            v = [2 * x - 1 if 0 <= x <= 1 else x for x in v]
    else:
        v = list(rng.uniform(-12, 12, 30)) + EDGES
    return torch.tensor(v, dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values(name, dtype):
    x = _inputs(name, dtype)
    want = getattr(torch.special, name)(x)
    _check(getattr(cresset.special, name)(to_cresset(x)), want)


@pytest.mark.parametrize("name", UNARY)
def test_unary_integer_inputs_promote(name):
    if name == "round":
        name = "sinc"  # cresset.round rejects integer tensors (torch's keeps them)
    x = torch.tensor([-3, -1, 0, 1, 2, 5], dtype=torch.int64)
    want = getattr(torch.special, name)(x)
    _check(getattr(cresset.special, name)(to_cresset(x)), want)


@pytest.mark.parametrize("name", UNARY)
def test_unary_noncontiguous_zero_dim_empty_and_out(name):
    base = torch.rand(4, 6, dtype=torch.float64) * 0.9 + 0.05
    for x in (base.t(), base[:, ::2], torch.tensor(0.3, dtype=torch.float64),
              torch.empty(0, 3, dtype=torch.float64)):
        _check(getattr(cresset.special, name)(to_cresset(x)), getattr(torch.special, name)(x))
    out_t = torch.empty(0, dtype=torch.float64)
    out_c = to_cresset(out_t)
    r = getattr(cresset.special, name)(to_cresset(base), out=out_c)
    getattr(torch.special, name)(base, out=out_t)
    assert r is out_c
    _check(out_c, out_t)


@pytest.mark.parametrize("name", ["ndtr", "log_ndtr", "entr", "erfcx", "ndtri", "i0e", "i1",
                                  "i1e"])
def test_out_dtype_errors_match_torch(name):
    x = torch.rand(3)
    with pytest.raises(RuntimeError):
        getattr(torch.special, name)(x, out=torch.empty(3, dtype=torch.int64))
    with pytest.raises(RuntimeError):
        getattr(cresset.special, name)(to_cresset(x), out=cresset.empty(3, dtype=cresset.int64))


GRAD_INPUTS = {
    "ndtri": [0.01, 0.3, 0.5, 0.77, 0.999],
    "logit": [0.01, 0.3, 0.5, 0.77, 0.999],
    "erfinv": [-0.9, -0.3, 0.0, 0.4, 0.95],
    "entr": [0.0, -1.0, 0.2, 1.0, 3.5],
}


@pytest.mark.parametrize("name", ["ndtr", "log_ndtr", "ndtri", "erfcx", "i0e", "i1", "i1e",
                                  "entr", "expit", "psi", "gammaln", "logit", "erfinv", "sinc"])
def test_unary_gradients(name):
    v = GRAD_INPUTS.get(name, [-30.0, -4.0, -1.0, -0.2, 0.0, 0.7, 2.0, 9.0, 30.0])
    if name in ("psi", "gammaln"):
        v = [0.3, 1.0, 2.5, 7.0]
    xt = torch.tensor(v, dtype=torch.float64, requires_grad=True)
    xc = to_cresset(xt.detach()).requires_grad_()
    yt = getattr(torch.special, name)(xt)
    yc = getattr(cresset.special, name)(xc)
    g = torch.linspace(0.5, 1.5, len(v), dtype=torch.float64)
    (gt,) = torch.autograd.grad(yt, xt, g)
    (gc,) = cresset.autograd.grad(yc, xc, to_cresset(g))
    np.testing.assert_allclose(gc.numpy(), gt.numpy(), rtol=1e-6, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", ["erfcx", "ndtri", "i0e", "i1", "i1e"])
def test_own_kernel_node_names(name):
    x = cresset.tensor([0.3, 0.6], requires_grad=True)
    want = getattr(torch.special, name)(torch.tensor([0.3, 0.6], requires_grad=True))
    assert getattr(cresset.special, name)(x).grad_fn.name() == want.grad_fn.name()


def _operand(v, lib):
    return lib.tensor(v) if isinstance(v, list) else v


@pytest.mark.parametrize("a,b", [
    ([0.0, 0.0, 2.0, 1.0, -3.0, math.nan, 0.5], [-1.0, math.nan, -1.0, 3.0, 0.5, 1.0, math.inf]),
    ([1, 0, 3], [2, 5, 0]),
    ([1.5, 0.0], 2),
    (2.5, [0.5, -0.5, 0.0]),
    ([1, 2], 0.5),
])
def test_xlog1py(a, b):
    want = torch.special.xlog1py(_operand(a, torch), _operand(b, torch))
    got = cresset.special.xlog1py(_operand(a, cresset), _operand(b, cresset))
    _check(got, want)


def test_xlog1py_dtypes_broadcast_and_gradients():
    for ta, tb in [(torch.float16, torch.int64), (torch.float64, torch.float32),
                   (torch.int32, torch.int64)]:
        a, b = torch.tensor([[1.0], [0.0]]).to(ta), torch.tensor([0.5, 2.0, 3.0]).to(tb)
        _check(cresset.special.xlog1py(to_cresset(a), to_cresset(b)),
               torch.special.xlog1py(a, b), rtol=1e-3)
    a = torch.tensor([0.0, 2.0, 1.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([3.0, 0.5, -0.5], dtype=torch.float64, requires_grad=True)
    ac = to_cresset(a.detach()).requires_grad_()
    bc = to_cresset(b.detach()).requires_grad_()
    want = torch.autograd.grad(torch.special.xlog1py(a, b).sum(), [a, b])
    got = cresset.autograd.grad(cresset.special.xlog1py(ac, bc).sum(), [ac, bc])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)
    out = cresset.empty(0, dtype=cresset.float64)
    assert cresset.special.xlog1py(ac.detach(), bc.detach(), out=out) is out


def test_aliases_with_torch_signatures():
    x = torch.randn(3, 4, dtype=torch.float64)
    xc = to_cresset(x)
    s = cresset.special
    _check(s.softmax(xc, 1), torch.special.softmax(x, 1))
    _check(s.softmax(xc, 0, dtype=cresset.float32), torch.special.softmax(x, 0,
                                                                         dtype=torch.float32))
    _check(s.log_softmax(xc, dim=1), torch.special.log_softmax(x, dim=1))
    _check(s.logsumexp(xc, 1, keepdim=True), torch.special.logsumexp(x, 1, keepdim=True))
    _check(s.logit(xc.sigmoid(), eps=1e-3), torch.special.logit(x.sigmoid(), eps=1e-3))
    _check(s.xlogy(xc.abs(), xc.abs()), torch.special.xlogy(x.abs(), x.abs()))
    _check(s.polygamma(2, xc.abs() + 1), torch.special.polygamma(2, x.abs() + 1))
    _check(s.multigammaln(xc.abs() + 2, 3), torch.special.multigammaln(x.abs() + 2, 3))
    for name in UNARY + ["softmax", "log_softmax", "logsumexp", "xlogy", "xlog1py",
                         "polygamma", "multigammaln"]:
        assert hasattr(cresset.special, name)


def test_bad_input_raises_like_torch():
    with pytest.raises(RuntimeError):
        torch.special.polygamma(-1, torch.rand(2))
    with pytest.raises(RuntimeError):
        cresset.special.polygamma(-1, cresset.rand(2))
    with pytest.raises(TypeError):
        torch.special.xlog1py(1.0, 2.0)
    with pytest.raises(TypeError):
        cresset.special.xlog1py(1.0, 2.0)
    with pytest.raises(TypeError):
        cresset.special.ndtri("a")
