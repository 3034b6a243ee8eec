"""nn.Module, Parameter, containers, Linear/Bilinear/Flatten, F.linear and nn.utils against torch.

Models are built twice from one definition, once with `lib=torch` and once with `lib=cresset`,
and compared: registration, traversal order and names, state_dict, hooks, repr, errors."""
import copy
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

import cresset


def relu_module(lib):
    class Act(lib.nn.Module):
        def forward(self, x):
            return lib.relu(x)

        def extra_repr(self):
            return "inplace=False"

    return Act()


def make_net(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.register_buffer("count", lib.zeros(2))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.scale = nn.Parameter(lib.ones(4))

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.net = nn.Sequential(nn.Linear(4, 5), relu_module(lib), nn.Linear(5, 2))
            self.heads = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Identity()])
            self.extra = nn.ParameterList([nn.Parameter(lib.zeros(2, 3))])

        def forward(self, x):
            x = self.net(self.block(x))
            for h in self.heads:
                x = h(x)
            return x

    return Net()


def copy_weights(ours, theirs):
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})


def names(it):
    return [n for n, _ in it]


# ---- Parameter ---------------------------------------------------------------------------------

def test_parameter_basics():
    p = cresset.nn.Parameter(cresset.ones(2, 3))
    t = torch.nn.Parameter(torch.ones(2, 3))
    assert isinstance(p, cresset.Tensor) and isinstance(p, cresset.nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert repr(p) == repr(t)
    assert repr(cresset.nn.Parameter(cresset.zeros(2), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.zeros(2), requires_grad=False))
    assert cresset.nn.Parameter().shape == (0,)
    with cresset.no_grad():
        assert cresset.nn.Parameter(cresset.ones(1)).requires_grad


def test_parameter_aliases_data_and_deepcopies():
    data = cresset.zeros(3)
    p = cresset.nn.Parameter(data)
    with cresset.no_grad():
        p.add_(1)
    assert data.tolist() == [1.0, 1.0, 1.0]
    q = copy.deepcopy(p)
    assert type(q) is cresset.nn.Parameter and q.requires_grad
    with cresset.no_grad():
        q.add_(1)
    assert p.tolist() == [1.0, 1.0, 1.0]


def test_parameter_from_nonleaf_is_a_leaf():
    x = cresset.ones(2, requires_grad=True) * 2
    p = cresset.nn.Parameter(x)
    assert p.is_leaf and p.requires_grad


def test_buffer_registers_on_assignment():
    for lib in (torch, cresset):
        m = lib.nn.Module()
        m.a = lib.nn.Buffer(lib.ones(2))
        m.b = lib.nn.Buffer(lib.ones(1), persistent=False)
        assert list(dict(m.named_buffers())) == ["a", "b"]
        assert list(m.state_dict()) == ["a"]


# ---- registration ------------------------------------------------------------------------------

def test_traversal_names_and_order():
    ours, theirs = make_net(cresset), make_net(torch)
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert names(ours.named_buffers()) == names(theirs.named_buffers())
    assert names(ours.named_modules()) == names(theirs.named_modules())
    assert names(ours.named_children()) == names(theirs.named_children())
    assert names(ours.named_parameters(prefix="m", recurse=False)) == \
        names(theirs.named_parameters(prefix="m", recurse=False))
    assert names(ours.block.named_parameters(prefix="x")) == \
        names(theirs.block.named_parameters(prefix="x"))
    assert names(ours.named_modules(prefix="root")) == names(theirs.named_modules(prefix="root"))
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert len(list(ours.children())) == len(list(theirs.children()))


def test_shared_parameters_and_modules_deduplicated():
    for lib in (torch, cresset):
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lin)
        assert names(seq.named_parameters()) == ["0.weight", "0.bias"]
        assert names(seq.named_parameters(remove_duplicate=False)) == \
            ["0.weight", "0.bias", "1.weight", "1.bias"]
        assert names(seq.named_modules()) == ["", "0"]
        assert names(seq.named_modules(remove_duplicate=False)) == ["", "0", "1"]
        assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_setattr_reassignment_and_delattr():
    for lib in (torch, cresset):
        m = lib.nn.Module()
        m.x = lib.nn.Parameter(lib.ones(1))
        m.x = None
        assert "x" in m._parameters and m.x is None
        m.sub = lib.nn.Linear(1, 1)
        m.sub = None
        assert m._modules["sub"] is None
        m.register_buffer("b", lib.ones(1))
        m.b = lib.zeros(2)  # stays a buffer
        assert tuple(m._buffers["b"].shape) == (2,)
        m.plain = 3
        assert m.plain == 3 and "plain" not in m._parameters
        m.plain = lib.nn.Parameter(lib.ones(1))  # an attribute becomes a parameter
        assert "plain" in m._parameters and m.plain is m._parameters["plain"]
        del m.plain, m.b, m.sub
        assert "plain" not in m._parameters and "b" not in m._buffers
        assert "sub" not in m._modules


def check(exc, fn):
    """fn(torch) and fn(cresset) raise `exc` with the same message (up to the package name)."""
    with pytest.raises(exc) as theirs:
        fn(torch)
    with pytest.raises(exc) as ours:
        fn(cresset)
    assert str(ours.value).replace("cresset.", "torch.") == str(theirs.value)


def test_registration_errors_match_torch():
    def param_as_tensor(lib):
        m = lib.nn.Module()
        m.register_parameter("p", lib.nn.Parameter(lib.ones(1)))
        m.p = lib.ones(1)

    check(TypeError, param_as_tensor)
    check(KeyError, lambda lib: lib.nn.Module().register_parameter("a.b", None))
    check(KeyError, lambda lib: lib.nn.Module().register_parameter("", None))
    check(KeyError, lambda lib: lib.nn.Module().register_buffer("a.b", None))
    check(KeyError, lambda lib: lib.nn.Module().register_buffer("training", None))
    check(KeyError, lambda lib: lib.nn.Module().add_module("a.b", None))
    check(TypeError, lambda lib: lib.nn.Module().add_module("a", 3))
    check(TypeError, lambda lib: lib.nn.Module().add_module("a", len))
    check(TypeError, lambda lib: lib.nn.Module().add_module("a", math.sqrt))
    check(TypeError, lambda lib: lib.nn.Module().add_module(1, None))
    check(TypeError, lambda lib: lib.nn.Module().register_buffer("a", 3))
    check(TypeError, lambda lib: lib.nn.Module().register_parameter("a", lib.ones(1)))
    check(AttributeError, lambda lib: lib.nn.Module().missing)
    check(AttributeError, lambda lib: lib.nn.Linear(1, 1).get_submodule("x"))
    check(AttributeError, lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 1)).get_parameter("0.x"))
    check(TypeError, lambda lib: lib.nn.Module(3))
    check(ValueError, lambda lib: lib.nn.Module().train(1))

    def nonleaf(lib):
        m = lib.nn.Module()
        m.register_parameter("w", lib.nn.Parameter(lib.ones(1)) * 2)

    check(TypeError, nonleaf)

    def before_init(lib):
        class M(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.ones(1))
        M()

    check(AttributeError, before_init)


def test_get_submodule_parameter_buffer():
    ours, theirs = make_net(cresset), make_net(torch)
    assert type(ours.get_submodule("net.2")).__name__ == type(theirs.get_submodule("net.2")).__name__
    assert ours.get_parameter("block.fc.weight") is ours.block.fc.weight
    assert ours.get_buffer("block.count") is ours.block._buffers["count"]
    assert ours.get_submodule("") is ours


def test_set_submodule():
    ours, theirs = make_net(cresset), make_net(torch)
    ours.set_submodule("net.1", cresset.nn.Identity())
    theirs.set_submodule("net.1", torch.nn.Identity())
    ours.set_submodule("block.new", cresset.nn.Flatten())
    theirs.set_submodule("block.new", torch.nn.Flatten())
    assert repr(ours) == repr(theirs)
    check(AttributeError, lambda lib: make_net(lib).set_submodule("block.x", lib.nn.Identity(),
                                                                  strict=True))
    check(AttributeError, lambda lib: make_net(lib).set_submodule("block.scale",
                                                                  lib.nn.Identity()))
    check(ValueError, lambda lib: make_net(lib).set_submodule("", lib.nn.Identity()))


def test_dir_lists_registered_names():
    m = make_net(cresset)
    d = dir(m.block)
    assert {"fc", "count", "scale", "forward", "training"} <= set(d)
    assert "0" not in dir(m.net)


# ---- modes, grads, conversion ------------------------------------------------------------------

def test_train_eval_propagate():
    m = make_net(cresset)
    assert m.eval() is m
    assert all(not x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    m.net.train(False)
    assert m.training and not m.net[2].training


def test_zero_grad_and_requires_grad():
    m = make_net(cresset)
    m(cresset.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.block.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0
               for p in m.block.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_dtype_and_casts():
    m = make_net(cresset)
    m.block.register_buffer("idx", cresset.arange(3))
    assert m.to(cresset.float64) is m
    assert all(p.dtype == cresset.float64 for p in m.parameters())
    assert all(isinstance(p, cresset.nn.Parameter) for p in m.parameters())
    assert m.block.idx.dtype == cresset.int64 and m.block.count.dtype == cresset.float64
    assert m(cresset.randn(2, 3, dtype=cresset.float64)).dtype == cresset.float64
    m.float()
    assert m.block.fc.weight.dtype == cresset.float32
    m.to("cpu", cresset.float64)
    assert m.block.fc.bias.dtype == cresset.float64
    m.to(cresset.zeros(1))
    assert m.block.fc.bias.dtype == cresset.float32
    m.to(device="cpu")
    m.cpu()
    m.bfloat16()
    assert m.block.fc.weight.dtype == cresset.bfloat16
    m.half()
    assert m.block.fc.weight.dtype == cresset.float16
    m.double()
    assert m.block.fc.weight.dtype == cresset.float64
    assert_raises_like(TypeError, lambda: cresset.nn.Linear(1, 1).to(cresset.int32),
                       lambda: torch.nn.Linear(1, 1).to(torch.int32))


def test_to_same_dtype_keeps_parameter_identity_and_grad():
    m = cresset.nn.Linear(2, 2)
    w = m.weight
    m(cresset.ones(1, 2)).sum().backward()
    m.to(cresset.float32)
    assert m.weight is w and m.weight.grad is not None
    m.double()
    assert m.weight.grad.dtype == cresset.float64


def test_apply_visits_children_first():
    def visit(lib):
        seen = []
        make_net(lib).apply(lambda mod: seen.append(type(mod).__name__))
        return seen

    assert visit(cresset) == visit(torch)


# ---- state_dict --------------------------------------------------------------------------------

def test_state_dict_keys_round_trip():
    ours, theirs = make_net(cresset), make_net(torch)
    sd_t = theirs.state_dict()
    sd_o = ours.state_dict()
    assert isinstance(sd_o, OrderedDict)
    assert list(sd_o) == list(sd_t)
    assert all(type(v) is cresset.Tensor and not v.requires_grad for v in sd_o.values())
    assert list(sd_o._metadata) == list(sd_t._metadata)
    result = ours.load_state_dict({k: to_cresset(v) for k, v in sd_t.items()})
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in ours.state_dict().items():
        assert_same(v, sd_t[k])
    kv = ours.state_dict(keep_vars=True)
    assert kv["block.fc.weight"] is ours.block.fc.weight
    assert list(ours.state_dict(prefix="p.")) == ["p." + k for k in sd_t]


def test_load_state_dict_strict_errors_match_torch():
    ours, theirs = make_net(cresset), make_net(torch)
    sd_t = theirs.state_dict()
    del sd_t["net.0.bias"]
    sd_t["net.9.weight"] = torch.zeros(1)
    sd_t["bogus"] = torch.zeros(1)
    sd_t["block.fc.weight"] = torch.zeros(2, 2)
    sd_o = {k: to_cresset(v) for k, v in sd_t.items()}
    with pytest.raises(RuntimeError) as e_t:
        theirs.load_state_dict(sd_t)
    with pytest.raises(RuntimeError) as e_o:
        ours.load_state_dict(sd_o)
    assert str(e_o.value) == str(e_t.value)
    del sd_t["block.fc.weight"], sd_o["block.fc.weight"]
    r_t = theirs.load_state_dict(sd_t, strict=False)
    r_o = ours.load_state_dict(sd_o, strict=False)
    assert r_o.missing_keys == r_t.missing_keys
    assert r_o.unexpected_keys == r_t.unexpected_keys
    assert repr(r_o) == repr(r_t).replace("IncompatibleKeys", "IncompatibleKeys")
    assert_raises_like(TypeError, lambda: ours.load_state_dict([1]),
                       lambda: theirs.load_state_dict([1]))


def test_load_state_dict_copies_in_place_or_assigns():
    m = cresset.nn.Linear(2, 3)
    w = m.weight
    new = {"weight": cresset.ones(3, 2), "bias": cresset.zeros(3)}
    m.load_state_dict(new)
    assert m.weight is w and m.weight.tolist() == [[1.0, 1.0]] * 3
    m.load_state_dict(new, assign=True)
    assert m.weight is not w and isinstance(m.weight, cresset.nn.Parameter)
    assert m.weight.requires_grad
    assert m.weight.data_ptr() == new["weight"].data_ptr()


def test_state_dict_hooks_and_extra_state():
    class WithExtra(cresset.nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = cresset.nn.Sequential(WithExtra())
    sd = m.state_dict()
    assert list(sd) == ["0._extra_state"]
    sd["0._extra_state"] = {"value": 5}
    m.load_state_dict(sd)
    assert m[0].value == 5
    calls = []
    h = m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(list(keys[0])))
    m.load_state_dict(sd)
    h.remove()
    m.load_state_dict(sd)
    assert calls == [[]]
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(prefix))
    m.state_dict(prefix="z.")
    assert calls[-1] == "z."


def test_batchnorm_style_override_of_load_from_state_dict():
    class Versioned(cresset.nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.register_buffer("num", cresset.zeros(1))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
            if local_metadata.get("version", None) is None or local_metadata["version"] < 2:
                state_dict.setdefault(prefix + "num", cresset.full((1,), 7.0))
            super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)

    m = cresset.nn.Sequential(Versioned())
    assert m.state_dict()._metadata["0"] == {"version": 2}
    m.load_state_dict({})
    assert m[0].num.tolist() == [7.0]


# ---- hooks -------------------------------------------------------------------------------------

def run_forward_hooks(lib):
    log = []
    lin = lib.nn.Linear(2, 2)
    h1 = lin.register_forward_pre_hook(lambda m, args: log.append("pre1"))
    lin.register_forward_pre_hook(lambda m, args: (log.append("pre0"), None)[1], prepend=True)
    lin.register_forward_pre_hook(lambda m, args, kwargs: (log.append("prekw"), (args, kwargs))[1],
                                  with_kwargs=True)
    lin.register_forward_pre_hook(lambda m, args: args[0] * 0)  # non-tuple result wraps
    lin.register_forward_hook(lambda m, args, out: log.append(("post", tuple(out.shape))))
    lin.register_forward_hook(lambda m, args, out: out + 1)
    lin.register_forward_hook(lambda m, args, kwargs, out: log.append(("kw", kwargs)),
                              with_kwargs=True)
    out = lin(lib.ones(3, 2))
    h1.remove()
    lin(lib.ones(3, 2))
    return log, out - lin.bias


def test_forward_hooks_order_and_results():
    log_t, out_t = run_forward_hooks(torch)
    log_o, out_o = run_forward_hooks(cresset)
    assert log_o == log_t
    assert_same(out_o, out_t.detach().expand(3, 2).contiguous())


def test_forward_pre_hook_bad_return():
    for lib in (torch, cresset):
        lin = lib.nn.Linear(2, 2)
        lin.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            lin(lib.ones(1, 2))


def run_backward_hooks(lib):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2)
    m = lib.nn.Linear(3, 2)
    if lib is cresset:
        copy_weights(m, theirs)
    else:
        m = theirs
    log = []

    def pre(mod, grad_output):
        log.append(("pre", [tuple(g.shape) for g in grad_output]))
        return (grad_output[0] * 2,)

    def full(mod, grad_input, grad_output):
        log.append(("full", [g.tolist() for g in grad_input], [g.tolist() for g in grad_output]))
        return (grad_input[0] + 1,)

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(full)
    x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
    m(x).sum().backward()
    return log, x.grad, m.weight.grad


def test_full_backward_hooks_see_and_replace_grads():
    log_t, gx_t, gw_t = run_backward_hooks(torch)
    log_o, gx_o, gw_o = run_backward_hooks(cresset)
    assert log_o[0] == log_t[0]
    assert log_o[1][0] == log_t[1][0]
    for ours, theirs in zip(log_o[1][1:], log_t[1][1:]):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    assert len(log_o) == len(log_t)
    assert_same(gx_o, gx_t)
    assert_same(gw_o, gw_t)


def nested_backward_order(lib):
    log = []
    l1, l2 = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
    seq = lib.nn.Sequential(l1, l2)
    for name, m in [("l1", l1), ("l2", l2), ("seq", seq)]:
        m.register_full_backward_pre_hook(lambda m, go, name=name: log.append(("pre", name)))
        m.register_full_backward_hook(
            lambda m, gi, go, name=name: log.append(("full", name, [tuple(g.shape) for g in gi])))
    seq(lib.ones(3, 2, requires_grad=True)).sum().backward()
    return log


def test_nested_backward_hook_order():
    assert nested_backward_order(cresset) == nested_backward_order(torch)


def test_full_backward_hook_without_input_grad():
    for lib in (torch, cresset):
        seen = []
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go, seen=seen: seen.append((gi, len(go))))
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            lin(lib.ones(1, 2)).sum().backward()
        assert seen == [((None,), 1)]


def test_removable_handle_context_manager():
    lin = cresset.nn.Linear(2, 2)
    calls = []
    with lin.register_forward_hook(lambda *a: calls.append(1)):
        lin(cresset.ones(1, 2))
    lin(cresset.ones(1, 2))
    assert calls == [1] and not lin._forward_hooks


def test_global_forward_hook():
    from cresset.nn.modules import module as mm
    calls = []
    h = mm.register_module_forward_hook(lambda m, a, o: calls.append(type(m).__name__))
    try:
        cresset.nn.Sequential(cresset.nn.Identity())(cresset.ones(1))
    finally:
        h.remove()
    cresset.nn.Identity()(cresset.ones(1))
    assert calls == ["Identity", "Sequential"]
    assert not mm._global_hooks_used  # calls are back on the fast path


# ---- repr --------------------------------------------------------------------------------------

def test_repr_nested_equals_torch():
    assert repr(make_net(cresset)) == repr(make_net(torch))
    for lib_pair in [(cresset, torch)]:
        ours = [lib_pair[0].nn.ModuleList([lib_pair[0].nn.Linear(2, 2)] * 3 +
                                          [lib_pair[0].nn.Flatten(0, 1)]),
                lib_pair[0].nn.ModuleList(),
                lib_pair[0].nn.Bilinear(2, 3, 4, bias=False),
                lib_pair[0].nn.Unflatten(1, (2, 5)),
                lib_pair[0].nn.Identity(3, x=1),
                lib_pair[0].nn.ParameterDict({"b": lib_pair[0].nn.Parameter(lib_pair[0].ones(2)),
                                              "a": lib_pair[0].zeros(1, 2, dtype=lib_pair[0].float64)}),
                lib_pair[0].nn.ModuleDict({"x": lib_pair[0].nn.Linear(1, 1)})]
        theirs = [torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.Flatten(0, 1)]),
                  torch.nn.ModuleList(),
                  torch.nn.Bilinear(2, 3, 4, bias=False),
                  torch.nn.Unflatten(1, (2, 5)),
                  torch.nn.Identity(3, x=1),
                  torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.ones(2)),
                                          "a": torch.zeros(1, 2, dtype=torch.float64)}),
                  torch.nn.ModuleDict({"x": torch.nn.Linear(1, 1)})]
        for o, t in zip(ours, theirs):
            assert repr(o) == repr(t)


# ---- containers --------------------------------------------------------------------------------

def seq_ops(lib):
    nn = lib.nn
    mods = [nn.Linear(1, 1), nn.Flatten(), nn.Identity(), nn.Linear(2, 2)]
    s = nn.Sequential(*mods)
    out = [len(s), s[-1] is mods[3], s[1] is mods[1], type(s[1:3]).__name__, len(s[::2]),
           list(s[1:3]._modules)]
    s.append(nn.Identity())
    s.insert(0, nn.Flatten())
    s.insert(-1, nn.Identity())
    out.append([type(m).__name__ for m in s])
    del s[1]
    out.append(list(s._modules))
    out.append(type(s.pop(0)).__name__)
    s.extend(nn.Sequential(nn.Linear(3, 3)))
    s2 = s + nn.Sequential(nn.Identity())
    out.append((len(s), len(s2), [type(m).__name__ for m in s2]))
    s[0] = nn.Linear(5, 5)
    out.append(repr(s))
    del s[1:3]
    out.append(list(s._modules))
    out.append(len(nn.Sequential(nn.Identity()) * 3))
    s3 = nn.Sequential(nn.Identity(), nn.Linear(1, 1))
    s3 *= 2
    s3 += nn.Sequential(nn.Flatten())
    out.append((list(s3._modules), len(2 * s3), s3[1] is s3[3]))
    ml = nn.ModuleList([nn.Identity()])
    ml += nn.ModuleList([nn.Flatten()])
    out.append([type(m).__name__ for m in ml])
    named = nn.Sequential(OrderedDict([("conv", nn.Identity()), ("fc", nn.Linear(1, 2))]))
    out.append((names(named.named_parameters()), repr(named)))
    return out


def test_sequential_operations_match_torch():
    assert seq_ops(cresset) == seq_ops(torch)


def test_container_errors_match_torch():
    check(IndexError, lambda lib: lib.nn.Sequential(lib.nn.Identity())[1])
    check(IndexError, lambda lib: lib.nn.ModuleList([lib.nn.Identity()])[-2])
    check(ValueError, lambda lib: lib.nn.Sequential() + lib.nn.ModuleList())
    check(TypeError, lambda lib: lib.nn.ModuleList(3))
    check(TypeError, lambda lib: lib.nn.ParameterList(lib.ones(2)))
    check(RuntimeError, lambda lib: lib.nn.ParameterList()(1))
    check(TypeError, lambda lib: lib.nn.ParameterDict({1: lib.ones(1)}))
    check(ValueError, lambda lib: lib.nn.ModuleDict([("a", lib.nn.Identity(), 1)]))
    check(NotImplementedError, lambda lib: lib.nn.ModuleList()(1))


def modulelist_dict_ops(lib):
    nn = lib.nn
    ml = nn.ModuleList([nn.Linear(1, 1), nn.Identity()])
    ml += [nn.Flatten()]
    ml.insert(1, nn.Linear(2, 2))
    ml.append(nn.Identity())
    out = [len(ml), [type(m).__name__ for m in ml], type(ml[1:]).__name__, len(ml[::2])]
    del ml[0]
    out.append(list(ml._modules))
    out.append(type(ml.pop(-1)).__name__)
    out.append(len(ml + nn.ModuleList([nn.Identity()])))
    md = nn.ModuleDict({"b": nn.Identity(), "a": nn.Linear(1, 1)})
    md.update([("c", nn.Flatten())])
    md["d"] = nn.Identity()
    out.append((list(md), list(md.keys()), "a" in md, len(md)))
    out.append(type(md.pop("a")).__name__)
    out.append(names(md.named_modules()))
    pl = nn.ParameterList([lib.ones(2), nn.Parameter(lib.zeros(3))])
    pl.append(lib.ones(1))
    out.append((len(pl), [type(p).__name__ for p in pl], names(pl.named_parameters())))
    out.append(len(pl[1:]))
    pd = nn.ParameterDict({"z": lib.ones(1), "a": lib.ones(2)})
    pd["m"] = lib.zeros(1)
    out.append((list(pd), names(pd.named_parameters()), "m" in pd, len(pd)))
    out.append(type(pd.pop("z")).__name__)
    out.append(sorted(pd.keys()))
    out.append(repr(pl))
    return out


def test_modulelist_moduledict_parameterlist_parameterdict_match_torch():
    assert modulelist_dict_ops(cresset) == modulelist_dict_ops(torch)


# ---- Linear, Bilinear, Flatten, F.linear ------------------------------------------------------

LINEAR_INPUTS = [
    lambda: torch.randn(4, 3), lambda: torch.randn(1, 3), lambda: torch.randn(3),
    lambda: torch.randn(2, 5, 3), lambda: torch.randn(0, 3), lambda: torch.randn(2, 0, 3),
    lambda: torch.randn(3, 4).t(), lambda: torch.randn(5, 2, 3).transpose(0, 1),
    lambda: torch.randn(4, 6)[:, ::2],
]


@pytest.mark.parametrize("case", range(len(LINEAR_INPUTS)))
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_matches_torch(case, bias, dtype):
    torch.manual_seed(1)
    theirs = torch.nn.Linear(3, 2, bias=bias, dtype=getattr(torch, dtype))
    ours = cresset.nn.Linear(3, 2, bias=bias, dtype=getattr(cresset, dtype))
    copy_weights(ours, theirs)
    x = LINEAR_INPUTS[case]().to(getattr(torch, dtype)).requires_grad_()
    xo = to_cresset(x.detach()).requires_grad_()
    out_t, out_o = theirs(x), ours(xo)
    assert_same(out_o, out_t)
    if x.numel():
        out_t.square().sum().backward()
        out_o.square().sum().backward()
        assert_same(xo.grad, x.grad)
        assert_same(ours.weight.grad, theirs.weight.grad)
        if bias:
            assert_same(ours.bias.grad, theirs.bias.grad)


def test_f_linear_grad_fn_and_noncontiguous():
    torch.manual_seed(2)
    x = torch.randn(3, 5).t()
    w = torch.randn(4, 3)
    b = torch.randn(4)
    xo, wo, bo = (to_cresset(v).requires_grad_() for v in (x, w, b))
    out = cresset.nn.functional.linear(xo, wo, bo)
    assert out.grad_fn.name() == torch.nn.functional.linear(
        x.requires_grad_(), w.requires_grad_(), b).grad_fn.name() == "AddmmBackward0"
    assert_same(out, torch.nn.functional.linear(x, w, b))
    assert cresset.nn.functional.linear(xo, wo).grad_fn.name() == "MmBackward0"
    for shape in [(4, 5, 3), (3,), (2, 2, 2, 3), (0, 3)]:
        for with_bias in (True, False):
            a = torch.randn(shape)
            args_t = (a, w, b) if with_bias else (a, w)
            args_o = (to_cresset(a), wo, bo) if with_bias else (to_cresset(a), wo)
            out_t = torch.nn.functional.linear(*args_t)
            out_o = cresset.nn.functional.linear(*args_o)
            assert out_o.grad_fn.name() == out_t.grad_fn.name()
            assert_same(out_o, out_t)
    for bad in [(torch.randn(()), w), (torch.randn(3), torch.randn(())), (torch.randn(2, 4), w),
                (torch.randn(2, 3), w, torch.randn(3))]:
        with pytest.raises(RuntimeError) as theirs:
            torch.nn.functional.linear(*bad)
        with pytest.raises(RuntimeError) as ours:
            cresset.nn.functional.linear(*[to_cresset(v) for v in bad])
        assert str(theirs.value) in str(ours.value)


def test_linear_gradcheck_float64():
    x = cresset.randn(3, 4, dtype=cresset.float64, requires_grad=True)
    w = cresset.randn(2, 4, dtype=cresset.float64, requires_grad=True)
    b = cresset.randn(2, dtype=cresset.float64, requires_grad=True)
    assert cresset.autograd.gradcheck(cresset.nn.functional.linear, (x, w, b))


def test_linear_init_bounds_and_errors():
    lin = cresset.nn.Linear(16, 300)
    bound = 1 / math.sqrt(16)
    assert lin.weight.abs().max().item() <= bound and lin.bias.abs().max().item() <= bound
    assert lin.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.1)
    assert_raises_like(RuntimeError, lambda: lin(cresset.ones(2, 3)),
                       lambda: torch.nn.Linear(16, 300)(torch.ones(2, 3)))


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(bias):
    torch.manual_seed(3)
    theirs = torch.nn.Bilinear(3, 4, 5, bias=bias, dtype=torch.float64)
    ours = cresset.nn.Bilinear(3, 4, 5, bias=bias, dtype=cresset.float64)
    copy_weights(ours, theirs)
    x1 = torch.randn(2, 6, 3, dtype=torch.float64, requires_grad=True)
    x2 = torch.randn(2, 6, 4, dtype=torch.float64, requires_grad=True)
    o1, o2 = (to_cresset(v.detach()).requires_grad_() for v in (x1, x2))
    out_t, out_o = theirs(x1, x2), ours(o1, o2)
    assert_same(out_o, out_t)
    out_t.sum().backward()
    out_o.sum().backward()
    assert_same(o1.grad, x1.grad)
    assert_same(o2.grad, x2.grad)
    assert_same(ours.weight.grad, theirs.weight.grad)
    assert out_o.grad_fn.name() == out_t.grad_fn.name()
    F_t, F_o = torch.nn.functional, cresset.nn.functional
    w = torch.randn(5, 3, 4)
    for exc, args in [(RuntimeError, (torch.randn(2, 3), torch.randn(3, 4), w)),
                      (RuntimeError, (torch.randn(2, 3), torch.randn(2, 5), w)),
                      (RuntimeError, (torch.randn(2, 2), torch.randn(2, 4), w)),
                      (RuntimeError, (torch.randn(2, 3), torch.randn(2, 4), w, torch.randn(4))),
                      (IndexError, (torch.randn(2, 3), torch.randn(2, 4), torch.randn(5, 3)))]:
        with pytest.raises(exc) as e_t:
            F_t.bilinear(*args)
        with pytest.raises(exc) as e_o:
            F_o.bilinear(*[to_cresset(a) for a in args])
        assert str(e_o.value) == str(e_t.value)


def test_flatten_unflatten_match_torch():
    x = torch.randn(2, 3, 4, 5)
    xo = to_cresset(x)
    for args in [(), (0,), (1, 2), (-3, -1)]:
        assert_same(cresset.nn.Flatten(*args)(xo), torch.nn.Flatten(*args)(x))
    assert_same(cresset.nn.Unflatten(1, (3, 1))(xo), torch.nn.Unflatten(1, (3, 1))(x))
    assert_same(cresset.nn.Unflatten(-1, [5, 1])(xo), torch.nn.Unflatten(-1, [5, 1])(x))
    for bad in [(1, 3), (1, (3, 1.0))]:
        with pytest.raises(TypeError) as t:
            torch.nn.Unflatten(*bad)
        with pytest.raises(TypeError) as o:
            cresset.nn.Unflatten(*bad)
        assert str(o.value) == str(t.value)


# ---- errors named by path ----------------------------------------------------------------------

def tutorial_model(lib):
    nn = lib.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.net = nn.Sequential(nn.Linear(28, 64), relu_module(lib), nn.Linear(64, 64),
                                     relu_module(lib), nn.Linear(64, 32), relu_module(lib),
                                     nn.Linear(64, 2))

        def forward(self, x):
            return self.net(self.flatten(x))

    return Model()


def test_shape_error_names_layer_path():
    x = torch.randn(4, 1, 28)
    with pytest.raises(RuntimeError) as theirs:
        tutorial_model(torch)(x)
    model = tutorial_model(cresset)
    with pytest.raises(RuntimeError) as ours:
        model(to_cresset(x))
    msg = str(ours.value)
    assert msg.startswith("net.6 (Linear, in_features=64): got input of shape (4, 32), "
                          "expected (*, 64); ")
    assert str(theirs.value) in msg
    with pytest.raises(RuntimeError) as direct:
        model.net(cresset.randn(4, 28))
    assert str(direct.value).startswith("6 (Linear, in_features=64): ")
    with pytest.raises(RuntimeError) as leaf:
        model.net[6](cresset.randn(4, 32))
    with pytest.raises(RuntimeError) as leaf_t:
        torch.nn.Linear(64, 2)(torch.randn(4, 32))
    assert str(leaf.value).endswith(str(leaf_t.value))  # a direct call keeps the op's message
    assert "in_features" not in str(leaf.value)
    # The path is rebuilt from the root each call, never stacked.
    with pytest.raises(RuntimeError) as again:
        model(to_cresset(x))
    assert str(again.value) == msg


def test_errors_in_custom_forward_named_by_path():
    class Bad(cresset.nn.Module):
        def forward(self, x):
            return x.view(7)

    seq = cresset.nn.Sequential(cresset.nn.Identity(), Bad())
    with pytest.raises(RuntimeError, match=r"^1 \(Bad\): got input of shape \(2, 3\); "):
        seq(cresset.ones(2, 3))


# ---- deepcopy ----------------------------------------------------------------------------------

def test_deepcopy_module():
    m = make_net(cresset)
    c = copy.deepcopy(m)
    assert repr(c) == repr(m)
    assert c.block.fc.weight is not m.block.fc.weight
    assert c.block.fc.weight.tolist() == m.block.fc.weight.tolist()
    assert isinstance(c.block.fc.weight, cresset.nn.Parameter)


def test_registries_stay_consistent_with_attributes():
    # See Note [Mirrored registries]: every way of changing the dicts shows in attribute reads.
    m = cresset.nn.Linear(2, 2)
    p = cresset.nn.Parameter(cresset.ones(2, 2))
    m._parameters["weight"] = p
    assert m.weight is p
    del m._parameters["weight"]  # the weight_norm pattern: drop it, then set a plain tensor
    with pytest.raises(AttributeError):
        _ = m.weight
    w = cresset.zeros(2, 2)
    m.weight = w
    assert m.weight is w and "weight" not in m._parameters
    m._parameters.pop("bias")
    assert not hasattr(m, "bias")
    m._parameters.update({"bias": p})
    assert m.bias is p
    m._parameters.clear()
    assert not hasattr(m, "bias")
    m._parameters = {"extra": p}
    assert m.extra is p and list(m._parameters) == ["extra"]
    m._parameters["extra2"] = p
    assert m.extra2 is p
    seq = cresset.nn.Sequential(cresset.nn.Identity(), cresset.nn.Flatten())
    del seq[0]
    assert type(seq[0]).__name__ == "Flatten" and not hasattr(seq, "1")
    c = copy.copy(m)
    assert c.extra is p
    state = m.__getstate__()
    assert "extra" not in state and type(state["_parameters"]) is dict


def test_backward_hook_bad_return_count():
    def fn(lib):
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        lin(lib.ones(1, 2, requires_grad=True)).sum().backward()

    check(RuntimeError, fn)

    def pre(lib):
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
        lin(lib.ones(1, 2, requires_grad=True)).sum().backward()

    check(RuntimeError, pre)


def test_global_backward_hooks_and_state_dict_positional_warning():
    from cresset.nn.modules import module as mm
    seen = []
    h1 = mm.register_module_full_backward_pre_hook(lambda m, go: seen.append("pre"))
    h2 = mm.register_module_full_backward_hook(lambda m, gi, go: seen.append(len(gi)))
    try:
        cresset.nn.Linear(2, 2)(cresset.ones(1, 2, requires_grad=True)).sum().backward()
    finally:
        h1.remove()
        h2.remove()
    assert seen == ["pre", 1]
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        sd = cresset.nn.Linear(2, 2).state_dict(None, "p.")
    assert list(sd) == ["p.weight", "p.bias"]
    m = cresset.nn.Linear(2, 2).to_empty(device="cpu")
    assert m.weight.shape == (2, 2) and isinstance(m.weight, cresset.nn.Parameter)


def parameterdict_ops(lib):
    nn = lib.nn
    pd = nn.ParameterDict(OrderedDict([("b", lib.ones(1)), ("a", lib.zeros(2))]))
    out = [list(pd), list(pd | {"z": lib.ones(3), "c": lib.ones(1)})]
    pd |= nn.ParameterDict({"y": lib.ones(1)})
    out += [list(pd), list(pd.fromkeys(["q", "r"], lib.ones(1))), pd.popitem()[0], list(pd)]
    out += [pd.setdefault("k", lib.ones(2)).shape[0], list(reversed(pd)), pd.get("nope", 5),
            list(pd.copy())]
    pd.clear()
    pl = nn.ParameterList([lib.ones(1), "notatensor"])
    pl[0] = lib.zeros(2)
    md = nn.ModuleDict()
    md.update(nn.ModuleDict({"x": nn.Identity()}))
    return out + [len(pd), repr(pl), type(pl[0]).__name__, list(md)]


def test_parameterdict_mapping_protocol_matches_torch():
    assert parameterdict_ops(cresset) == parameterdict_ops(torch)


def test_tensor_deepcopy_like_torch():
    for lib in (torch, cresset):
        t = lib.ones(2, requires_grad=True)
        t.grad = lib.full((2,), 3.0)
        c = copy.deepcopy(t)
        assert c is not t and c.requires_grad and c.is_leaf and c.grad.tolist() == [3.0, 3.0]
        pair = copy.deepcopy([t, t])
        assert pair[0] is pair[1]
    check(RuntimeError, lambda lib: copy.deepcopy(lib.ones(2, requires_grad=True) * 2))


def test_dtype_conversion_keeps_parameter_objects():
    # As torch: .double() swaps data (and dtype) under the same Parameter, so an optimizer made
    # before the conversion still updates the model.
    for lib in (cresset, torch):
        m = lib.nn.Linear(3, 2)
        w = m.weight
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        m.double()
        assert m.weight is w and w.dtype == lib.float64 and w.requires_grad
        before = w.detach().clone()
        m(lib.ones(4, 3, dtype=lib.float64)).sum().backward()
        opt.step()
        assert not lib.equal(w.detach(), before)


def test_data_setter_changes_dtype_like_torch():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        x.data = lib.zeros(3, dtype=lib.float64)
        return x
    ours, theirs = run(cresset), run(torch)
    assert_same(ours.detach(), theirs.detach())
    assert ours.requires_grad and ours.is_leaf
    def bad(lib):
        return lambda: setattr(lib.ones(2, requires_grad=True), "data",
                               lib.zeros(2, dtype=lib.int64))
    assert_raises_like(RuntimeError, bad(cresset), bad(torch))
