"""Tensor._base / Tensor._is_view() and torch's one-Python-object-per-tensor identity
(x.grad is x.grad, v._base is x, in-place methods returning self)."""
import gc

import pytest
import torch

import cresset

VIEW_OPS = {
    "detach": lambda x: x.detach(), "data": lambda x: x.data,
    "contiguous": lambda x: x.contiguous(),
    "t": lambda x: x.t(), "slice": lambda x: x[1:], "select": lambda x: x[0],
    "index_tensor": lambda x, lib: x[lib.tensor([0])], "mask": lambda x: x[x > 3],
    "expand": lambda x: x[:1].expand(2, 4), "diagonal": lambda x: x.diagonal(),
    "split": lambda x: x.split(2)[0], "unbind": lambda x: x.unbind()[1],
    "flatten": lambda x: x.flatten(), "reshape_copy": lambda x: x.t().reshape(12),
    "view_as": lambda x: x.view_as(x), "unfold": lambda x: x.unfold(1, 2, 1),
    "as_strided": lambda x: x.as_strided((2,), (1,)), "T": lambda x: x.T,
    "squeeze": lambda x: x.squeeze(), "unsqueeze": lambda x: x.unsqueeze(0),
    "to_same": lambda x: x.to(x.dtype), "clone": lambda x: x.clone(),
    "narrow": lambda x: x.narrow(0, 0, 1), "movedim": lambda x: x.movedim(0, 1),
    "chunk": lambda x: x.chunk(2)[1], "ellipsis": lambda x: x[...], "none": lambda x: x[None],
    "float": lambda x: x.float(), "double": lambda x: x.double(),
    "permute": lambda x: x.permute(1, 0), "mT": lambda x: x.mT,
    "tensor_split": lambda x: x.tensor_split(2)[0], "swapaxes": lambda x: x.swapaxes(0, 1),
    "unflatten": lambda x: x.unflatten(1, (2, 2)), "reshape_view": lambda x: x.reshape(4, 3),
    "view": lambda x: x.view(-1), "iter": lambda x: next(iter(x)),
    "add": lambda x: x + 1, "sum": lambda x: x.sum(0),
}


def facts(lib, name, x, base):
    fn = VIEW_OPS[name]
    r = fn(x, lib) if fn.__code__.co_argcount == 2 else fn(x)
    return (r._is_view(), r._base is base, r._base is x, r is x, r._base is None)


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_base(name):
    b_t = torch.arange(12.)
    b_c = cresset.arange(12.)
    x_t, x_c = b_t.view(3, 4), b_c.view(3, 4)
    assert facts(cresset, name, x_c, b_c) == facts(torch, name, x_t, b_t)


def test_base_is_root_and_none_for_non_views():
    for lib in (torch, cresset):
        b = lib.arange(10.)
        s = b[2:]
        t = s[1:].view(7)
        assert t._base is b and s._base is b and b._base is None and not b._is_view()
        assert lib.ones(2).t()._base is not None and (lib.ones(2) + 1)._base is None


def test_inplace_view_ops_keep_base():
    def facts_of(lib):
        c = lib.ones(2, 3)
        c2 = c[0]
        c.t_()
        d = lib.ones(2, 3)
        v = d[0]
        v.unsqueeze_(0)
        return c._is_view(), c2._base is c, v._base is d, v._is_view()
    assert facts_of(cresset) == facts_of(torch)


def test_base_of_parameter_view_is_the_parameter():
    for lib in (torch, cresset):
        p = lib.nn.Parameter(lib.ones(3))
        assert not p._is_view() and p._base is None
        v = p[0]
        assert v._base is p and type(v._base) is lib.nn.Parameter


def test_base_of_grad_tracked_views():
    for lib in (torch, cresset):
        g = lib.ones(3, requires_grad=True)
        y = g * 2
        assert y._base is None and y[0]._base is y and g[1:]._base is g


def test_base_keeps_root_alive():
    for lib in (torch, cresset):
        v = lib.arange(4.)[1:]
        gc.collect()
        assert v._base is not None and v._base.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_grad_identity():
    for lib in (torch, cresset):
        x = lib.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        g = x.grad
        assert x.grad is x.grad and x.grad is g
        (x * 3).sum().backward()  # accumulates in place into the same tensor
        assert x.grad is g
        x.grad = None
        assert x.grad is None


def test_parameter_grad_identity_through_module():
    for lib in (torch, cresset):
        m = lib.nn.Linear(2, 3)
        m(lib.ones(4, 2)).sum().backward()
        assert m.weight.grad is m.weight.grad
        assert next(m.parameters()) is m.weight
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        assert opt.param_groups[0]["params"][0] is m.weight


def test_methods_returning_self():
    def facts_of(lib):
        x = lib.ones(2, 3)
        w = lib.ones(2)
        return (x.add_(1) is x, x.requires_grad_(False) is x, w.requires_grad_() is w,
                x.contiguous() is x, x.to(x.dtype) is x, x.float() is x, x.zero_() is x,
                x.copy_(lib.ones(2, 3)) is x, x.t_() is x, x.double() is x)
    assert facts_of(cresset) == facts_of(torch)


def test_grad_fn_variable_identity():
    for lib in (torch, cresset):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert y.grad_fn.next_functions[0][0].variable is x


def test_attributes_live_on_the_one_object():
    for lib in (torch, cresset):
        x = lib.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        g = x.grad
        g.tag = "mine"
        assert x.grad.tag == "mine"
        b = lib.ones(4)
        b.note = 1
        assert b[1:]._base.note == 1


def test_wrapper_dies_and_is_remade():
    x = cresset.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    first = id(x.grad)
    gc.collect()
    again = x.grad
    assert again.tolist() == [2.0, 2.0, 2.0]
    assert x.grad is again
    del again
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and isinstance(first, int)
