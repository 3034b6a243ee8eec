"""In-place forms of composite ops (Tensor.sinc_, ldexp_, polygamma_ ...) against torch: on a
non-leaf input they record torch's node (not a copy), bump the version once, return self, and
give torch's gradients; on integer self they raise torch's error."""
import cresset
import pytest
import torch

from utils import assert_same, to_cresset

X = torch.tensor([[0.3, 1.5, 2.5], [0.0, 0.7, 3.1]], dtype=torch.float64)
OTHER = torch.tensor([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]], dtype=torch.float64)
EXP = torch.tensor([[1, 2, 0], [0, 3, 1]])  # torch differentiates 2^e as an integer power

CASES = {
    "sinc_": lambda y, t: y.sinc_(),
    "i0_": lambda y, t: y.i0_(),
    "ldexp_": lambda y, t: y.ldexp_(t(EXP)),
    "polygamma_": lambda y, t: y.add_(1).polygamma_(1),
    "mvlgamma_": lambda y, t: y.add_(2).mvlgamma_(2),
    "nextafter_": lambda y, t: y.nextafter_(t(OTHER)),
    "renorm_": lambda y, t: y.renorm_(2, 0, 1.0),
    "renorm_ p=1": lambda y, t: y.renorm_(1, 1, 1.5),
}


def _run(lib, fn):
    t = (lambda v: v.clone()) if lib is torch else to_cresset
    x = t(X).requires_grad_()
    y = x * 1.0
    before = y._version
    r = fn(y, t)
    node = r.grad_fn.name()
    nexts = sorted(n.name() for n, _ in r.grad_fn.next_functions if n is not None)
    (r * t(OTHER)).sum().backward()
    return r is y, node, nexts, y._version - before, r.detach(), x.grad


@pytest.mark.parametrize("name", list(CASES))
def test_inplace_records_torch_node(name):
    is_self, node, nexts, bumps, value, grad = _run(cresset, CASES[name])
    t_is_self, t_node, t_nexts, t_bumps, t_value, t_grad = _run(torch, CASES[name])
    assert is_self and t_is_self
    assert node == t_node
    assert nexts == t_nexts
    assert bumps == t_bumps
    assert_same(value, t_value)
    assert_same(grad, t_grad, rtol=1e-6, atol=1e-8)


def test_inplace_without_grad_and_errors():
    for lib in (torch, cresset):
        t = (lambda v: v.clone()) if lib is torch else to_cresset
        y = t(X).clone()
        assert y.sinc_() is y
        # Integer self can't hold a float result.
        with pytest.raises(RuntimeError):
            t(EXP).clone().sinc_()
        # A leaf that requires grad can't be modified in place.
        with pytest.raises(RuntimeError):
            t(X).requires_grad_().ldexp_(t(EXP))
    assert_same(to_cresset(X).clone().sinc_(), X.clone().sinc_())
    g, tg = to_cresset(EXP).clone(), EXP.clone()
    assert_same(g.gcd_(to_cresset(EXP + 4)), tg.gcd_(EXP + 4))
    assert_same(g.lcm_(to_cresset(EXP + 1)), tg.lcm_(EXP + 1))
    h, th = to_cresset(X - 1).clone(), (X - 1).clone()
    assert_same(h.heaviside_(to_cresset(OTHER)), th.heaviside_(OTHER))
    # No derivative in torch: backward raises, naming the in-place op.
    for lib, t in ((torch, lambda v: v.clone()), (cresset, to_cresset)):
        y = t(X).requires_grad_() * 1.0
        y.heaviside_(t(OTHER))
        with pytest.raises(RuntimeError, match="aten::heaviside_ is not"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match="at least 2 dimensions"):
            t(X[0]).renorm_(2, 0, 1.0)


def test_i0_node_and_double_backward():
    # i0 is one node, I0Backward0, whose derivative i1 is recorded in turn.
    x = torch.tensor([0.5, -1.2, 3.0, 18.0, -20.0], dtype=torch.float64, requires_grad=True)
    cx = to_cresset(x.detach()).requires_grad_()
    y, cy = torch.i0(x), cresset.i0(cx)
    assert cy.grad_fn.name() == y.grad_fn.name()
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (cg,) = cresset.autograd.grad(cy.sum(), cx, create_graph=True)
    assert_same(cg, g, rtol=1e-10)
    (gg,) = torch.autograd.grad(g.sum(), x)
    (cgg,) = cresset.autograd.grad(cg.sum(), cx)
    assert_same(cgg, gg, rtol=1e-9)
