"""nn.init (statistics, bounds, fans, errors) and nn.utils (clip_grad_*, parameter vectors)
against torch."""
import math
import warnings

import numpy as np
import pytest
import torch
from utils import assert_same, to_cresset

import cresset

init = cresset.nn.init


def values(t):
    return np.array(t.tolist(), dtype=np.float64).ravel()


@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3, 3), (5, 7, 2), (6, 1)])
def test_fans_equal_torch(shape):
    t, o = torch.empty(shape), cresset.empty(shape)
    assert init._calculate_fan_in_and_fan_out(o) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    for mode in ("fan_in", "fan_out", "FAN_IN"):
        assert init._calculate_correct_fan(o, mode) == torch.nn.init._calculate_correct_fan(t, mode)


def test_gain_table_equal_torch():
    for name in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu", "conv_transpose3d"]:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    for p in [None, 0.2, 1, 0]:
        assert init.calculate_gain("leaky_relu", p) == torch.nn.init.calculate_gain("leaky_relu", p)


def test_errors_equal_torch():
    cases = [
        lambda m, lib: m.calculate_gain("foo"),
        lambda m, lib: m.calculate_gain("leaky_relu", True),
        lambda m, lib: m._calculate_fan_in_and_fan_out(lib.empty(3)),
        lambda m, lib: m.kaiming_uniform_(lib.empty(3, 3), mode="fan_avg"),
        lambda m, lib: m.eye_(lib.empty(3)),
        lambda m, lib: m.dirac_(lib.empty(3, 3)),
        lambda m, lib: m.dirac_(lib.empty(3, 3, 3), groups=2),
        lambda m, lib: m.orthogonal_(lib.empty(3)),
        lambda m, lib: m.sparse_(lib.empty(3), 0.5),
    ]
    for case in cases:
        with pytest.raises(ValueError) as theirs:
            case(torch.nn.init, torch)
        with pytest.raises(ValueError) as ours:
            case(init, cresset)
        assert str(ours.value) == str(theirs.value)


def test_uniform_normal_constant_moments():
    t = cresset.empty(200, 200)
    assert init.uniform_(t, -2.0, 3.0) is t
    v = values(t)
    assert v.min() >= -2 and v.max() <= 3
    assert v.mean() == pytest.approx(0.5, abs=0.03)
    assert v.var() == pytest.approx(25 / 12, rel=0.03)
    init.normal_(t, 1.5, 0.5)
    v = values(t)
    assert v.mean() == pytest.approx(1.5, abs=0.01) and v.std() == pytest.approx(0.5, rel=0.02)
    assert set(values(init.constant_(t, 0.25))) == {0.25}
    assert set(values(init.ones_(t))) == {1.0} and set(values(init.zeros_(t))) == {0.0}


def test_generator_is_used():
    g1 = cresset.Generator().manual_seed(5)
    g2 = cresset.Generator().manual_seed(5)
    a = init.kaiming_normal_(cresset.empty(4, 4), generator=g1)
    b = init.kaiming_normal_(cresset.empty(4, 4), generator=g2)
    assert a.tolist() == b.tolist()


def test_init_under_no_grad_on_parameters():
    p = cresset.nn.Parameter(cresset.empty(3, 3))
    for fn in [init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
               init.kaiming_normal_, init.orthogonal_, init.eye_, init.zeros_]:
        assert fn(p) is p
        assert p.is_leaf and p.grad_fn is None


@pytest.mark.parametrize("shape", [(256, 128), (64, 32, 3, 3)])
def test_xavier_and_kaiming_statistics(shape):
    t = torch.empty(shape)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    o = cresset.empty(shape)
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    v = values(init.xavier_uniform_(o, gain=2.0))
    assert np.abs(v).max() <= math.sqrt(3) * std
    assert v.std() == pytest.approx(std, rel=0.03)
    v = values(init.xavier_normal_(o, gain=2.0))
    assert v.std() == pytest.approx(std, rel=0.03)
    for mode, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        for nl, a in (("relu", 0), ("leaky_relu", 0.2), ("tanh", 0)):
            std = torch.nn.init.calculate_gain(nl, a) / math.sqrt(fan)
            v = values(init.kaiming_uniform_(o, a=a, mode=mode, nonlinearity=nl))
            assert np.abs(v).max() <= math.sqrt(3) * std * (1 + 1e-6)
            assert v.std() == pytest.approx(std, rel=0.03)
            v = values(init.kaiming_normal_(o, a=a, mode=mode, nonlinearity=nl))
            assert v.mean() == pytest.approx(0, abs=0.02 * std * 10)
            assert v.std() == pytest.approx(std, rel=0.03)


def test_kaiming_zero_element_warns_like_torch():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        init.kaiming_uniform_(cresset.empty(0, 3))
    assert "Initializing zero-element tensors is a no-op" in str(w[0].message)


@pytest.mark.parametrize("a,b,mean,std", [(-2.0, 2.0, 0.0, 1.0), (0.5, 0.6, 0.0, 1.0),
                                          (-1.0, 3.0, 1.0, 2.0)])
def test_trunc_normal_bounds_and_moments(a, b, mean, std):
    o = init.trunc_normal_(cresset.empty(100000, dtype=cresset.float64), mean, std, a, b)
    v = values(o)
    assert v.min() >= a and v.max() <= b
    # Moments of the truncated normal.
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2
    z = cdf(beta) - cdf(alpha)
    m = mean + std * (pdf(alpha) - pdf(beta)) / z
    var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z
                    - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    assert v.mean() == pytest.approx(m, abs=0.02 * math.sqrt(var) + 1e-4)
    assert v.var() == pytest.approx(var, rel=0.03)


def test_eye_dirac_equal_torch():
    for shape in [(3, 5), (4, 2)]:
        assert_same(init.eye_(cresset.empty(shape)), torch.nn.init.eye_(torch.empty(shape)))
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 1, 3, 3), 2),
                          ((2, 5, 3, 3), 1)]:
        assert_same(init.dirac_(cresset.empty(shape), groups),
                    torch.nn.init.dirac_(torch.empty(shape), groups))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2)])
def test_orthogonal(shape):
    o = init.orthogonal_(cresset.empty(shape, dtype=cresset.float64), gain=2.0)
    m = np.array(o.tolist()).reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-10)


def test_sparse_zero_count_per_column():
    o = init.sparse_(cresset.empty(10, 7), 0.25, std=0.5)
    v = np.array(o.tolist())
    assert ((v == 0).sum(axis=0) == math.ceil(0.25 * 10)).all()


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="nn.init.normal` is now deprecated"):
        init.normal(cresset.empty(2))


# ---- nn.utils ----------------------------------------------------------------------------------

def make_grads(lib, dtype="float32"):
    torch.manual_seed(0)
    grads = [torch.randn(3, 4) * 3, torch.randn(5), torch.randn(2, 2, 2)]
    params = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(tuple(g.shape), dtype=getattr(lib, dtype)))
        p.grad = (g if lib is torch else to_cresset(g)).to(getattr(lib, dtype))
        params.append(p)
    extra = lib.nn.Parameter(lib.zeros(2, dtype=getattr(lib, dtype)))  # no grad
    return params + [extra]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1000.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_equals_torch(norm_type, max_norm, dtype):
    pt, po = make_grads(torch, dtype), make_grads(cresset, dtype)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=float(norm_type))
    no = cresset.nn.utils.clip_grad_norm_(po, max_norm, norm_type=norm_type)
    assert_same(no, nt)
    for a, b in zip(po[:-1], pt[:-1]):
        assert_same(a.grad, b.grad)
    assert po[-1].grad is None


def test_clip_grad_norm_single_tensor_generator_and_nonfinite():
    p = cresset.nn.Parameter(cresset.ones(4))
    p.grad = cresset.full((4,), 2.0)
    assert cresset.nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(4.0)
    assert values(p.grad) == pytest.approx([0.5] * 4, rel=1e-5)
    with pytest.warns(UserWarning, match="empty generator"):
        total = cresset.nn.utils.clip_grad_norm_((q for q in []), 1.0)
    assert total.item() == 0.0 and total.dtype == cresset.float32
    p = cresset.nn.Parameter(cresset.ones(2))
    p.grad = cresset.tensor([1.0, float("nan")])
    pt = torch.nn.Parameter(torch.ones(2))
    pt.grad = torch.tensor([1.0, float("nan")])
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_(pt, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ours:
        cresset.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_value_equals_torch():
    pt, po = make_grads(torch), make_grads(cresset)
    torch.nn.utils.clip_grad_value_(pt, 0.7)
    cresset.nn.utils.clip_grad_value_(po, 0.7)
    for a, b in zip(po[:-1], pt[:-1]):
        assert_same(a.grad, b.grad)


def test_parameters_vector_round_trip():
    torch.manual_seed(1)
    lt = torch.nn.Linear(3, 2)
    lo = cresset.nn.Linear(3, 2)
    lo.load_state_dict({k: to_cresset(v) for k, v in lt.state_dict().items()})
    vt = torch.nn.utils.parameters_to_vector(lt.parameters())
    vo = cresset.nn.utils.parameters_to_vector(lo.parameters())
    assert_same(vo, vt)
    assert vo.grad_fn is not None
    cresset.nn.utils.vector_to_parameters(cresset.arange(8.0), lo.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(8.0), lt.parameters())
    assert_same(lo.weight, lt.weight)
    assert_same(lo.bias, lt.bias)
    assert isinstance(lo.weight, cresset.nn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        cresset.nn.utils.vector_to_parameters([1.0], lo.parameters())


@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 0.5, 3])
def test_get_total_norm_and_clip_grads_with_norm(norm_type):
    # Python's helpers call the C++ frontend's (nn::utils), which clip_grad_norm_ also uses.
    g = torch.Generator().manual_seed(0)
    grads = [torch.randn(3, 4, generator=g), torch.randn(5, generator=g)]
    theirs = torch.nn.utils.get_total_norm(grads, norm_type)
    ours = cresset.nn.utils.get_total_norm([to_cresset(t) for t in grads], norm_type)
    assert ours.dtype == cresset.float32
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)
    tp = [torch.nn.Parameter(torch.zeros_like(t)) for t in grads]
    cp = [cresset.nn.Parameter(to_cresset(torch.zeros_like(t))) for t in grads]
    for t, c, grad in zip(tp, cp, grads):
        t.grad, c.grad = grad.clone(), to_cresset(grad)
    torch.nn.utils.clip_grads_with_norm_(tp, 0.7, theirs)
    cresset.nn.utils.clip_grads_with_norm_(cp, 0.7, ours)
    for t, c in zip(tp, cp):
        assert values(c.grad) == pytest.approx(t.grad.flatten().tolist(), rel=1e-5)
    bad = [torch.tensor([1.0, float("inf")])]
    with pytest.raises(RuntimeError) as t_err:
        torch.nn.utils.get_total_norm(bad, norm_type, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as c_err:
        cresset.nn.utils.get_total_norm([to_cresset(t) for t in bad], norm_type,
                                        error_if_nonfinite=True)
    assert str(c_err.value) == str(t_err.value)
