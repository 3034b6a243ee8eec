"""nn.utils.parametrize, nn.utils.parametrizations and the hook-based weight_norm and
spectral_norm against real torch."""
import copy
import warnings

import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-5, atol=1e-6)


def twin(make):
    """The same module in torch and cresset (make(lib) builds it), with torch's values."""
    torch.manual_seed(0)
    theirs = make(torch)
    ours = make(cresset)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


def symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()
    return Symmetric()


def scaled(lib):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, a):
            return a / 2
    return Scale()


def data(*shape, seed=1):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    return to_cresset(x), x


def test_register_and_use_parametrization():
    ours, theirs = twin(lambda lib: lib.nn.Linear(4, 4))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(lib))
    assert type(ours).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert_same(ours.weight, theirs.weight, **TOL)
    assert cresset.nn.utils.parametrize.is_parametrized(ours)
    assert cresset.nn.utils.parametrize.is_parametrized(ours, "weight")
    assert not cresset.nn.utils.parametrize.is_parametrized(ours, "bias")
    assert cresset.nn.utils.parametrize.type_before_parametrizations(ours) is cresset.nn.Linear
    cx, tx = data(3, 4)
    ours(cx).sum().backward()
    theirs(tx).sum().backward()
    assert_same(ours.parametrizations.weight.original.grad,
                theirs.parametrizations.weight.original.grad, **TOL)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_chained_parametrizations_assignment_and_cache():
    ours, theirs = twin(lambda lib: lib.nn.Linear(3, 3))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(lib))
        lib.nn.utils.parametrize.register_parametrization(m, "weight", scaled(lib))
    assert_same(ours.weight, theirs.weight, **TOL)
    cv, tv = data(3, 3, seed=4)
    cv, tv = cv + cv.t(), tv + tv.t()
    with torch.no_grad():
        theirs.weight = tv
    with cresset.no_grad():
        ours.weight = cv
    assert_same(ours.weight, theirs.weight, **TOL)
    assert_same(ours.parametrizations.weight.original, theirs.parametrizations.weight.original,
                **TOL)
    with cresset.nn.utils.parametrize.cached():
        assert ours.weight is ours.weight
    assert ours.weight is not ours.weight


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    ours, theirs = twin(lambda lib: lib.nn.Linear(3, 3))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrize.register_parametrization(m, "weight", scaled(lib))
        original = m.parametrizations.weight.original
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized)
        assert m.weight is original  # the same Parameter object, as an optimizer holds it
    assert type(ours) is cresset.nn.Linear and not hasattr(ours, "parametrizations")
    assert_same(ours.weight, theirs.weight, **TOL)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())


def test_parametrize_errors_and_deepcopy():
    ours, theirs = twin(lambda lib: lib.nn.Linear(3, 2))
    P = cresset.nn.utils.parametrize
    T = torch.nn.utils.parametrize
    assert_raises_like(ValueError, lambda: P.register_parametrization(ours, "nope", scaled(cresset)),
                       lambda: T.register_parametrization(theirs, "nope", scaled(torch)))
    assert_raises_like(ValueError, lambda: P.remove_parametrizations(ours, "weight"),
                       lambda: T.remove_parametrizations(theirs, "weight"))

    def flatten(lib):
        class Flatten(lib.nn.Module):
            def forward(self, x):
                return x.reshape(-1)
        return Flatten()
    assert_raises_like(ValueError, lambda: P.register_parametrization(ours, "weight",
                                                                      flatten(cresset)),
                       lambda: T.register_parametrization(theirs, "weight", flatten(torch)))
    P.register_parametrization(ours, "weight", scaled(cresset))
    replica = copy.deepcopy(ours)
    assert cresset.equal(replica.weight, ours.weight)
    assert replica.parametrizations.weight.original is not ours.parametrizations.weight.original


def test_parametrizations_weight_norm():
    ours, theirs = twin(lambda lib: lib.nn.Conv2d(2, 3, 3))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrizations.weight_norm(m, dim=0)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert_same(ours.parametrizations.weight.original0, theirs.parametrizations.weight.original0,
                **TOL)
    assert_same(ours.weight, theirs.weight, **TOL)
    cx, tx = data(1, 2, 5, 5)
    ours(cx).square().sum().backward()
    theirs(tx).square().sum().backward()
    for name in ["original0", "original1"]:
        assert_same(getattr(ours.parametrizations.weight, name).grad,
                    getattr(theirs.parametrizations.weight, name).grad, rtol=1e-4, atol=1e-5)


def test_parametrizations_weight_norm_loads_old_state_dict():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    ours = cresset.nn.utils.parametrizations.weight_norm(cresset.nn.Linear(3, 2))
    ours.load_state_dict({k: to_cresset(v) for k, v in old.state_dict().items()})
    assert_same(ours.weight, old.weight, **TOL)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Linear(5, 4),
                                  lambda lib: lib.nn.Conv2d(3, 4, 2),
                                  lambda lib: lib.nn.ConvTranspose2d(3, 4, 2)])
def test_parametrizations_spectral_norm(make):
    ours, theirs = twin(make)
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrizations.spectral_norm(m)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    # The random start vectors differ; start both from torch's.
    sn_ours, sn_theirs = ours.parametrizations.weight[0], theirs.parametrizations.weight[0]
    assert sn_ours.dim == sn_theirs.dim
    sn_ours._u.copy_(to_cresset(sn_theirs._u))
    sn_ours._v.copy_(to_cresset(sn_theirs._v))
    assert_same(ours.weight, theirs.weight, **TOL)  # training: one power step per access
    assert_same(sn_ours._u, sn_theirs._u, **TOL)
    ours.eval()
    theirs.eval()
    assert_same(ours.weight, theirs.weight, **TOL)


def test_hook_weight_norm():
    ours, theirs = twin(lambda lib: lib.nn.Linear(4, 3))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        with pytest.warns(FutureWarning):
            lib.nn.utils.weight_norm(m, dim=1)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert_same(ours.weight_g, theirs.weight_g, **TOL)
    cx, tx = data(2, 4)
    assert_same(ours(cx), theirs(tx), **TOL)
    ours(cx).sum().backward()
    theirs(tx).sum().backward()
    assert_same(ours.weight_v.grad, theirs.weight_v.grad, **TOL)
    assert_raises_like(RuntimeError, lambda: cresset.nn.utils.weight_norm(ours),
                       lambda: torch.nn.utils.weight_norm(theirs))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.remove_weight_norm(m)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert_same(ours.weight, theirs.weight, **TOL)
    assert_raises_like(ValueError, lambda: cresset.nn.utils.remove_weight_norm(ours),
                       lambda: torch.nn.utils.remove_weight_norm(theirs))


def test_hook_spectral_norm():
    ours, theirs = twin(lambda lib: lib.nn.Linear(5, 3))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.spectral_norm(m, n_power_iterations=2)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    ours.weight_u.copy_(to_cresset(theirs.weight_u))
    ours.weight_v.copy_(to_cresset(theirs.weight_v))
    cx, tx = data(2, 5)
    assert_same(ours(cx), theirs(tx), **TOL)
    assert_same(ours.weight_u, theirs.weight_u, **TOL)
    assert_raises_like(RuntimeError, lambda: cresset.nn.utils.spectral_norm(ours),
                       lambda: torch.nn.utils.spectral_norm(theirs))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        m.eval()
        lib.nn.utils.remove_spectral_norm(m)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert_same(ours.weight, theirs.weight, **TOL)
    assert_raises_like(ValueError, lambda: cresset.nn.utils.remove_spectral_norm(ours),
                       lambda: torch.nn.utils.remove_spectral_norm(theirs))


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5)])
@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("use_trivialization", [True, False])
def test_parametrizations_orthogonal(shape, orthogonal_map, use_trivialization):
    ours, theirs = twin(lambda lib: lib.nn.Linear(shape[1], shape[0]))
    for lib, m in [(cresset, ours), (torch, theirs)]:
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map,
                                                 use_trivialization=use_trivialization)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    # Wide or tall matrices complete their basis with random columns that never reach the
    # weight: the weight (and the original tensor) are deterministic.
    assert_same(ours.weight, theirs.weight, rtol=1e-4, atol=1e-5)
    assert_same(ours.parametrizations.weight.original, theirs.parametrizations.weight.original,
                rtol=1e-4, atol=1e-5)
    w = ours.weight.detach()
    gram = w @ w.t() if shape[0] <= shape[1] else w.t() @ w
    assert cresset.allclose(gram, cresset.eye(min(shape)), atol=1e-5)
    if use_trivialization:  # the random completion reaches the gradient: use torch's
        ours.parametrizations.weight[0].base.copy_(to_cresset(theirs.parametrizations.weight[0]
                                                              .base))
    cx, tx = data(2, shape[1])
    ours(cx).square().sum().backward()
    theirs(tx).square().sum().backward()
    assert_same(ours.parametrizations.weight.original.grad,
                theirs.parametrizations.weight.original.grad, rtol=1e-3, atol=1e-4)


def test_parametrizations_orthogonal_assignment_and_errors():
    ours, theirs = twin(lambda lib: lib.nn.Linear(3, 3))
    q = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(7)))[0]
    for lib, m, value in [(cresset, ours, to_cresset(q)), (torch, theirs, q)]:
        lib.nn.utils.parametrizations.orthogonal(m)
        with lib.no_grad():
            m.weight = value
    assert_same(ours.weight, theirs.weight, rtol=1e-5, atol=1e-6)
    P, T = cresset.nn.utils.parametrizations, torch.nn.utils.parametrizations
    assert_raises_like(ValueError, lambda: P.orthogonal(cresset.nn.Linear(3, 3), "bias"),
                       lambda: T.orthogonal(torch.nn.Linear(3, 3), "bias"))
    assert_raises_like(ValueError,
                       lambda: P.orthogonal(cresset.nn.Linear(3, 3), orthogonal_map="polar"),
                       lambda: T.orthogonal(torch.nn.Linear(3, 3), orthogonal_map="polar"))
    for lib, m, value in [(cresset, ours, cresset.ones(2, 2)), (torch, theirs, torch.ones(2, 2))]:
        with pytest.raises(ValueError):
            with lib.no_grad():
                m.weight = value
