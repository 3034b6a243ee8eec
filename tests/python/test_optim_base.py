"""The Optimizer base class against torch.optim.Optimizer: param group building and its errors,
state_dict layout (duplicates, param_names), load_state_dict casting and validation, hooks,
repr, zero_grad and pickling."""
import copy
import importlib
import warnings

import pytest
import torch

import cresset


def _leaves(lib, *sizes, dtype=None):
    return [lib.ones(n, dtype=dtype, requires_grad=True) for n in sizes]


def _outcome(fn):
    """(exception type name, message) of fn(), or ('ok', repr of its result)."""
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - the outcome itself is compared
        return type(e).__name__, str(e)
    return "ok", None if result is None else type(result).__name__


_GROUP_CASES = {
    "int_params": lambda lib, a, b: lib.optim.SGD(5, lr=0.1),
    "tensor_params": lambda lib, a, b: lib.optim.SGD(a, lr=0.1),
    "empty": lambda lib, a, b: lib.optim.SGD([], lr=0.1),
    "non_tensor": lambda lib, a, b: lib.optim.SGD([a, 3], lr=0.1),
    "string": lambda lib, a, b: lib.optim.SGD("x", lr=0.1),
    "non_leaf": lambda lib, a, b: lib.optim.SGD([a * 2], lr=0.1),
    "set": lambda lib, a, b: lib.optim.SGD({a}, lr=0.1),
    "same_param_two_groups": lambda lib, a, b: lib.optim.SGD(
        [{"params": [a]}, {"params": [a]}], lr=0.1),
    "group_not_dict": lambda lib, a, b: lib.optim.SGD([a], lr=0.1).add_param_group(1),
    "names_missing": lambda lib, a, b: lib.optim.SGD([("x", a), b], lr=0.1),
    "unnamed_after_named": lambda lib, a, b: lib.optim.SGD(
        [("x", a)], lr=0.1).add_param_group({"params": [b]}),
    "named_after_unnamed": lambda lib, a, b: lib.optim.SGD(
        [a], lr=0.1).add_param_group({"params": [("y", b)]}),
    "required_missing": lambda lib, a, b: lib.optim.Optimizer(
        [a], {"lr": importlib.import_module(f"{lib.__name__}.optim.optimizer").required}),
    "ok_single_tensor_group": lambda lib, a, b: lib.optim.SGD([{"params": a}], lr=0.1),
}


@pytest.mark.parametrize("case", sorted(_GROUP_CASES))
def test_param_group_errors_match_torch(case):
    outcomes = [_outcome(lambda lib=lib: _GROUP_CASES[case](lib, *_leaves(lib, 2, 3)))
                for lib in (cresset, torch)]
    if outcomes[1][0] == "TypeError" and "iterable" in outcomes[1][1]:
        assert outcomes[0][0] == "TypeError"  # Python's own message names the object's type
    else:
        assert outcomes[0] == outcomes[1]


def test_duplicate_params_warn_and_index_like_torch():
    dicts = []
    for lib in (cresset, torch):
        a, b = _leaves(lib, 2, 3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            opt = lib.optim.SGD([a, b, a], lr=0.1)
        assert any("duplicate parameters" in str(w.message) for w in caught)
        dicts.append(opt.state_dict())
    assert dicts[0] == dicts[1]


def test_named_params_state_dict_and_load():
    results = []
    for lib in (cresset, torch):
        a, b = _leaves(lib, 2, 3)
        named = lib.optim.SGD([("x", a), ("y", b)], lr=0.1, momentum=0.9)
        a.grad, b.grad = lib.ones(2), lib.ones(3)
        named.step()
        sd = named.state_dict()
        layout = [list(g) for g in sd["param_groups"]], sd["param_groups"][0]["param_names"]
        unnamed = lib.optim.SGD([a, b], lr=0.3, momentum=0.9)
        unnamed.load_state_dict(sd)
        renamed = lib.optim.SGD([("p", a), ("q", b)], lr=0.2)
        renamed.load_state_dict(lib.optim.SGD([a, b], lr=0.5).state_dict())
        results.append((layout, list(unnamed.param_groups[0]), unnamed.param_groups[0]["lr"],
                        unnamed.param_groups[0]["param_names"],
                        [(k, v) for k, v in renamed.param_groups[0].items() if k != "params"]))
    assert results[0] == results[1]


def test_load_state_dict_validation_errors_match_torch():
    outcomes = []
    for lib in (cresset, torch):
        a, b = _leaves(lib, 2, 3)
        sd = lib.optim.SGD([a, b], lr=0.1).state_dict()
        opt = lib.optim.SGD([a, b], lr=0.1)
        two_groups = dict(sd, param_groups=sd["param_groups"] * 2)
        short_group = dict(sd, param_groups=[dict(sd["param_groups"][0], params=[0])])
        outcomes.append([_outcome(lambda d=d, opt=opt: opt.load_state_dict(d))
                         for d in (two_groups, short_group)])
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][0] == "ValueError"


def _dtypes(value):
    if isinstance(value, dict):
        return {k: _dtypes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dtypes(v) for v in value]
    return str(value.dtype).split(".")[-1] if hasattr(value, "dtype") else value


@pytest.mark.parametrize("fused", [None, True])
def test_load_state_dict_casts_like_torch(fused):
    seen = []
    for lib in (cresset, torch):
        x = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([x], fused=fused)
        x.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        sd["state"][0]["nested"] = {"step": lib.tensor(1.0), "m": lib.ones(1)}
        sd["state"][0]["listed"] = [lib.ones(1), 3]
        sd["state"][7] = {"z": 1}
        y = lib.ones(2, dtype=lib.float64, requires_grad=True)
        target = lib.optim.Adam([y])
        target.load_state_dict(sd)
        state = target.state[y]
        # Tensors already of the right dtype are shared with the loaded dict, as in torch.
        shared = state["nested"]["step"] is sd["state"][0]["nested"]["step"]
        seen.append((_dtypes(state), target.state[7], shared,
                     target.param_groups[0]["fused"]))
    assert seen[0] == seen[1]


def test_tensor_lr_survives_load_state_dict():
    lrs = []
    for lib in (cresset, torch):
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([w], lr=lib.tensor(0.01))
        w.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        opt.load_state_dict(sd)
        lr = opt.param_groups[0]["lr"]
        assert lr is not sd["param_groups"][0]["lr"]  # the loaded groups are private copies
        opt.step()
        lrs.append((type(lr).__name__, lr.item(), w.tolist()))
    assert lrs[0] == lrs[1]


def test_step_hook_order_replacement_and_bad_result():
    logs = []
    for lib in (cresset, torch):
        module = importlib.import_module(f"{lib.__name__}.optim.optimizer")
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        w.grad = lib.ones(2)
        log = []
        handles = [
            module.register_optimizer_step_post_hook(lambda o, a, k, log=log: log.append("gpost")),
            opt.register_step_post_hook(lambda o, a, k, log=log: log.append("post")),
            opt.register_step_pre_hook(lambda o, a, k, log=log: log.append("pre")),
            module.register_optimizer_step_pre_hook(lambda o, a, k, log=log: log.append("gpre")),
            opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 7.0})),
        ]
        log.append(opt.step())
        for handle in handles:
            handle.remove()
        bad = opt.register_step_pre_hook(lambda o, a, k: 5)
        kind, message = _outcome(opt.step)
        bad.remove()
        log.append((kind, message.split(" must return")[1]))
        logs.append((log, w.tolist()))
    assert logs[0] == logs[1]


def test_hooks_run_once_through_super_step():
    # torch runs the hooks a second time inside super().step() once any instance of the parent
    # class was made (it patches classes on instantiation); cresset runs them once, always.
    class Logged(cresset.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    cresset.optim.SGD([cresset.ones(1, requires_grad=True)])
    w = cresset.ones(2, requires_grad=True)
    opt = Logged([w], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    w.grad = cresset.ones(2)
    opt.step()
    assert calls == ["pre", "post"]
    assert w.tolist() == cresset.full((2,), 0.9).tolist()


def test_state_dict_hooks_prepend_and_replace():
    logs = []
    for lib in (cresset, torch):
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        log = []
        opt.register_state_dict_pre_hook(lambda o, log=log: log.append("a"))
        opt.register_state_dict_pre_hook(lambda o, log=log: log.append("b"), prepend=True)
        opt.register_load_state_dict_pre_hook(
            lambda o, sd: {**sd, "param_groups": [dict(sd["param_groups"][0], lr=0.7)]})
        opt.register_load_state_dict_post_hook(lambda o, log=log: log.append("c"))
        opt.register_load_state_dict_post_hook(lambda o, log=log: log.append("d"), prepend=True)
        opt.load_state_dict(opt.state_dict())
        logs.append((log, opt.param_groups[0]["lr"]))
    assert logs[0] == logs[1]


def test_repr_of_several_and_no_groups():
    reprs = []
    for lib in (cresset, torch):
        a, b = _leaves(lib, 1, 1)
        opt = lib.optim.SGD([{"params": [a]}, {"params": [("b", b)][0][1:], "lr": 0.5}], lr=0.1)
        empty = lib.optim.SGD([a], lr=0.1)
        empty.param_groups = []
        reprs.append((repr(opt), repr(empty)))
    assert reprs[0] == reprs[1]


def test_zero_grad_modes():
    seen = []
    for lib in (cresset, torch):
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        w.grad = (lib.ones(2) * 2).requires_grad_()
        grad = w.grad
        opt.zero_grad(set_to_none=False)
        kept = (w.grad.tolist(), w.grad.requires_grad, grad.tolist())
        opt.zero_grad()
        seen.append((kept, w.grad))
    assert seen[0] == seen[1]


def test_deepcopy_keeps_state_and_hooks_work():
    w = cresset.ones(2, requires_grad=True)
    opt = cresset.optim.Adam([w], lr=0.1)
    w.grad = cresset.ones(2)
    opt.step()
    for clone in (copy.deepcopy(opt),):
        assert sorted(vars(clone)) == sorted(vars(opt))
        assert clone.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
        (p,) = clone.param_groups[0]["params"]
        assert clone.state[p]["exp_avg"].tolist() == opt.state[w]["exp_avg"].tolist()
        calls = []
        clone.register_step_post_hook(lambda o, a, k, calls=calls: calls.append(1))
        p.grad = cresset.ones(2)
        clone.step()
        assert calls == [1]
