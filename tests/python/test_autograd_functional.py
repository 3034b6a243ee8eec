"""torch.autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) and grad(is_grads_batched=)
against real torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-10, atol=1e-12)


def inputs(*shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(*s, generator=g, dtype=torch.float64) for s in shapes)


def both(fn_name, func, args, **kwargs):
    """The functional `fn_name` of func(lib) on args, for cresset and for torch."""
    ours = getattr(cresset.autograd.functional, fn_name)(func(cresset), to_cresset(args),
                                                         **{k: to_cresset(v)
                                                            for k, v in kwargs.items()})
    theirs = getattr(torch.autograd.functional, fn_name)(func(torch), args, **kwargs)
    return ours, theirs


# Functions of one or two tensors, written for either library.
def f_exp_sum(lib):
    return lambda x: (x.exp() * x).sum()


def f_two_outputs(lib):
    return lambda x, y: (x * y.sin(), (x @ y.unsqueeze(-1)).squeeze(-1) ** 2)


def f_matrix(lib):
    return lambda x: lib.tanh(x @ x.t())


def f_pow(lib):
    return lambda x, y: (x ** 3 * y).sum() + (x * y).sum() ** 2


@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp(create_graph):
    x, y = inputs((2, 3), (3,))
    v = inputs((2, 3), (2,), seed=1)
    ours, theirs = both("vjp", f_two_outputs, (x, y), v=v, create_graph=create_graph)
    assert_same(ours, theirs, **TOL)
    ours, theirs = both("vjp", f_exp_sum, x, create_graph=create_graph)
    assert_same(ours, theirs, **TOL)
    assert isinstance(ours[1], cresset.Tensor)  # a single input gives a tensor, not a tuple
    assert ours[1].requires_grad == theirs[1].requires_grad


@pytest.mark.parametrize("create_graph", [False, True])
def test_jvp(create_graph):
    x, y = inputs((2, 3), (3,))
    v = inputs((2, 3), (3,), seed=1)
    assert_same(*both("jvp", f_two_outputs, (x, y), v=v, create_graph=create_graph), **TOL)
    (m,), (vm,) = inputs((3, 3)), inputs((3, 3), seed=2)
    assert_same(*both("jvp", f_matrix, m, v=vm, create_graph=create_graph), **TOL)


@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian(vectorize):
    x, y = inputs((2, 3), (3,))
    ours, theirs = both("jacobian", f_two_outputs, (x, y), vectorize=vectorize)
    assert_same(ours, theirs, **TOL)
    assert [[t.shape for t in row] for row in ours] == [[t.shape for t in row] for row in theirs]
    (m,) = inputs((3, 2))
    assert_same(*both("jacobian", f_matrix, m, vectorize=vectorize), **TOL)
    assert_same(*both("jacobian", f_matrix, (m,), vectorize=vectorize), **TOL)


def test_jacobian_forward_mode_and_create_graph():
    x, y = inputs((2, 3), (3,))
    assert_same(*both("jacobian", f_two_outputs, (x, y), vectorize=True, strategy="forward-mode"),
                **TOL)
    ours, theirs = both("jacobian", f_matrix, x, create_graph=True)
    assert_same(ours, theirs, **TOL)
    assert ours.requires_grad and theirs.requires_grad


def test_jacobian_of_unused_input_is_zero():
    x, y = inputs((2,), (3,))
    ours, theirs = both("jacobian", lambda lib: lambda a, b: a * 2, (x, y))
    assert_same(ours, theirs, **TOL)


@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian(create_graph):
    x, y = inputs((2, 2), (2, 2))
    assert_same(*both("hessian", f_pow, (x, y), create_graph=create_graph), **TOL)
    (z,) = inputs((4,))
    assert_same(*both("hessian", f_exp_sum, z, create_graph=create_graph), **TOL)
    assert_same(*both("hessian", f_exp_sum, z, vectorize=True,
                      outer_jacobian_strategy="forward-mode"), **TOL)


@pytest.mark.parametrize("name", ["vhp", "hvp"])
def test_vhp_hvp(name):
    x, y = inputs((2, 2), (2, 2))
    v = inputs((2, 2), (2, 2), seed=3)
    assert_same(*both(name, f_pow, (x, y), v=v), **TOL)
    (z,), (vz,) = inputs((5,)), inputs((5,), seed=4)
    ours, theirs = both(name, f_exp_sum, z, v=vz, create_graph=True)
    assert_same(ours, theirs, **TOL)


def test_caller_inputs_untouched():
    (x,) = inputs((3,))
    cx = to_cresset(x)
    cresset.autograd.functional.jacobian(f_matrix(cresset), cx.unsqueeze(1))
    assert not cx.requires_grad and cx.grad is None


def test_errors_match_torch():
    (x,) = inputs((3,))
    cx = to_cresset(x)
    for fn_name in ["vjp", "jvp", "jacobian"]:
        assert_raises_like(TypeError,
                           lambda: getattr(cresset.autograd.functional, fn_name)(lambda a: a, [cx]),
                           lambda: getattr(torch.autograd.functional, fn_name)(lambda a: a, [x]))
    # v may only be omitted for one-element outputs (vjp) / inputs (jvp)
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.vjp(lambda a: a * 2, cx),
                       lambda: torch.autograd.functional.vjp(lambda a: a * 2, x))
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.jvp(lambda a: a * 2, cx),
                       lambda: torch.autograd.functional.jvp(lambda a: a * 2, x))
    # a v of the wrong shape
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.vjp(lambda a: a * 2, cx, cx[:2]),
                       lambda: torch.autograd.functional.vjp(lambda a: a * 2, x, x[:2]))
    # hessian of a non-scalar function, strict mode with an output independent of the input
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.hessian(lambda a: a * 2, cx),
                       lambda: torch.autograd.functional.hessian(lambda a: a * 2, x))
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.jacobian(
                           lambda a: cresset.ones(2), cx, strict=True),
                       lambda: torch.autograd.functional.jacobian(
                           lambda a: torch.ones(2), x, strict=True))
    assert_raises_like(AssertionError,  # torch asserts the strategy
                       lambda: cresset.autograd.functional.jacobian(lambda a: a, cx,
                                                                    strategy="sideways"),
                       lambda: torch.autograd.functional.jacobian(lambda a: a, x,
                                                                  strategy="sideways"))
    assert_raises_like(NotImplementedError,
                       lambda: cresset.autograd.functional.jacobian(lambda a: a, cx,
                                                                    strategy="forward-mode"),
                       lambda: torch.autograd.functional.jacobian(lambda a: a, x,
                                                                  strategy="forward-mode"))
    assert_raises_like(RuntimeError,
                       lambda: cresset.autograd.functional.jacobian(lambda a: a, cx, strict=True,
                                                                    vectorize=True),
                       lambda: torch.autograd.functional.jacobian(lambda a: a, x, strict=True,
                                                                  vectorize=True))


def test_grad_is_grads_batched():
    (x,) = inputs((3, 2))
    (v,) = inputs((4, 3, 2), seed=5)
    results = []
    for lib, xx, vv in [(cresset, to_cresset(x), to_cresset(v)), (torch, x, v)]:
        leaf = xx.clone().requires_grad_(True)
        y = leaf.sin() * leaf
        results.append(lib.autograd.grad(y, leaf, vv, is_grads_batched=True))
    assert_same(*results, **TOL)
    assert tuple(results[0][0].shape) == (4, 3, 2)
