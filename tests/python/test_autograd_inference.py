"""Inference tensors (torch.inference_mode): which tensors are inference tensors, and torch's
rules for them (in-place updates, saving for backward, requires_grad, version counters)."""
import pytest
import torch
from utils import assert_same, to_cresset

import cresset


def outcome(fn):
    """('ok', value) or (exception type, message): what running fn gives."""
    try:
        return "ok", fn()
    except Exception as e:  # noqa: BLE001  (the type is compared with torch's)
        return type(e).__name__, str(e)


def run_both(make):
    """make(lib) -> list of zero-argument callables; their outcomes under cresset and torch."""
    return [outcome(f) for f in make(cresset)], [outcome(f) for f in make(torch)]


def assert_same_outcomes(make):
    ours, theirs = run_both(make)
    assert len(ours) == len(theirs)
    for (kind_o, val_o), (kind_t, val_t) in zip(ours, theirs):
        assert kind_o == kind_t, (val_o, val_t)
        if kind_o == "ok":
            if isinstance(val_t, torch.Tensor):
                assert_same(val_o, val_t)
            else:
                assert val_o == val_t
        else:
            assert val_o == val_t


def test_which_tensors_are_inference_tensors():
    def make(lib):
        x = lib.ones(3)
        with lib.inference_mode():
            a = lib.ones(3)
            op_on_normal = x + 1
            view_of_normal = x[:2]
            view_of_inference = a[1:]
            enabled = lib.is_inference_mode_enabled()
            with lib.inference_mode(False):
                nested = lib.ones(2)
                nested_op = a * 2
                nested_enabled = (lib.is_inference_mode_enabled(), lib.is_grad_enabled())
        return [lambda: (x.is_inference(), a.is_inference(), op_on_normal.is_inference()),
                lambda: (view_of_normal.is_inference(), view_of_inference.is_inference()),
                lambda: (view_of_normal._is_view(), view_of_normal._base is x),
                lambda: (view_of_inference._is_view(), view_of_inference._base is None),
                lambda: (enabled, lib.is_inference_mode_enabled()),
                lambda: (nested.is_inference(), nested_op.is_inference(), nested_enabled),
                lambda: (a.detach().is_inference(), a.clone().is_inference(),
                         (a + 1).is_inference(), a.view(3, 1).is_inference(),
                         a.data.is_inference(), a.t().is_inference()),
                lambda: (a.grad, a._base, a.requires_grad, a.is_leaf),
                lambda: (lib.is_inference(a), lib.is_inference(x))]
    assert_same_outcomes(make)


def test_decorator_and_mode_false():
    def make(lib):
        @lib.inference_mode()
        def f():
            return lib.ones(1)

        @lib.inference_mode
        def g():
            return lib.ones(1)

        with lib.inference_mode(mode=False):
            off = lib.ones(1).is_inference(), lib.is_inference_mode_enabled()
        with lib.no_grad():
            no_grad = lib.ones(1).is_inference()
        return [lambda: f().is_inference(), lambda: g().is_inference(), lambda: off,
                lambda: no_grad]
    assert_same_outcomes(make)


def test_inplace_outside_inference_mode_raises():
    def make(lib):
        with lib.inference_mode():
            a = lib.arange(6.).reshape(2, 3)
            b = lib.ones(3, dtype=lib.int64)
        x = lib.ones(2, 3)
        return [lambda: a.add_(1), lambda: a.mul_(2), lambda: a.zero_(), lambda: a.fill_(3.0),
                lambda: a.copy_(x), lambda: a[0].add_(1), lambda: a.__setitem__(0, 5.0),
                lambda: lib.add(x, 1, out=a), lambda: lib.nn.functional.relu(a, inplace=True),
                lambda: a.clamp_(0, 1), lambda: b.add_(1), lambda: a.exp_(),
                lambda: a.index_put_((lib.tensor([0]),), lib.tensor(1.0)),
                # reading an inference tensor is fine (values are not compared: torch writes
                # into `a` before refusing some of the updates above)
                lambda: tuple(x.copy_(a).shape), lambda: (a + x).is_inference(),
                lambda: tuple(lib.cat([a, x]).shape),
                lambda: a.masked_fill_(a > 2, 0.0), lambda: a.index_fill_(1, lib.tensor([0]), 1.0)]
    assert_same_outcomes(make)


def test_inplace_inside_inference_mode_is_allowed():
    def make(lib):
        with lib.inference_mode():
            a = lib.ones(3)
        x = lib.ones(3)
        results = []
        with lib.inference_mode():
            a.add_(1)
            a[0] = 7.0
            x.mul_(3)  # a normal tensor updated in inference mode bumps its version
            results += [lambda: a, lambda: x, lambda: x._version]
        return results
    assert_same_outcomes(make)


def test_version_counter():
    def make(lib):
        with lib.inference_mode():
            a = lib.ones(3)
            inside = outcome(lambda: a._version)
        x = lib.ones(3)
        v = x[:2]
        x.add_(1)
        return [lambda: a._version, lambda: inside, lambda: (x._version, v._version),
                lambda: lib.ones(2)._version]
    assert_same_outcomes(make)


def test_requires_grad_rules():
    def make(lib):
        with lib.inference_mode():
            a = lib.ones(3)
            made = lib.ones(2, requires_grad=True)
            set_inside = lib.ones(2).requires_grad_()
            op = made * 2
        return [lambda: a.requires_grad_(), lambda: a.requires_grad_(False).requires_grad,
                lambda: setattr(a, "requires_grad", True),
                lambda: (made.requires_grad, made.is_inference(), made.is_leaf),
                lambda: (set_inside.requires_grad, op.requires_grad, op.grad_fn is None)]
    assert_same_outcomes(make)


def test_saving_inference_tensor_for_backward_raises():
    def make(lib):
        with lib.inference_mode():
            a = lib.full((3,), 2.0)
        w = lib.ones(3, requires_grad=True)

        def added():
            (w + a).sum().backward()
            return w.grad

        return [lambda: w * a, lambda: a * w, lambda: lib.matmul(w, a), added,
                lambda: (w.detach() * a)]
    assert_same_outcomes(make)


def test_module_forward_in_inference_mode():
    torch.manual_seed(0)
    ref = torch.nn.Linear(4, 2)
    ours = cresset.nn.Linear(4, 2)
    with cresset.no_grad():
        ours.weight.copy_(to_cresset(ref.weight.detach()))
        ours.bias.copy_(to_cresset(ref.bias.detach()))
    x = torch.randn(5, 4)
    with torch.inference_mode():
        expected = ref(x)
    with cresset.inference_mode():
        got = ours(to_cresset(x))
    assert got.is_inference() and not got.requires_grad and got.grad_fn is None
    assert_same(got, expected)
    # The parameters are normal tensors and still train afterwards.
    assert not ours.weight.is_inference()
    ours(to_cresset(x)).sum().backward()
    assert ours.weight.grad is not None


@pytest.mark.parametrize("threads_in_mode", [True, False])
def test_mode_is_per_thread(threads_in_mode):
    import threading
    seen = []
    ctx = cresset.inference_mode(threads_in_mode)
    with ctx:
        t = threading.Thread(target=lambda: seen.append(
            (cresset.is_inference_mode_enabled(), cresset.ones(1).is_inference())))
        t.start()
        t.join()
        here = cresset.ones(1).is_inference()
    assert seen == [(False, False)]
    assert here is threads_in_mode


def test_views_made_in_inference_mode_of_tensors_that_require_grad():
    def make(lib):
        x0 = lib.ones(3, requires_grad=True)
        x = x0.clone()
        with lib.inference_mode():
            v = x[:2]
            w = x * 2

        def backward_through_view():
            (v * 2).sum().backward()  # torch: no gradient reaches v or x0
            return v.grad, x0.grad

        return [lambda: (v.requires_grad, v.is_inference(), v._is_view(), v.grad_fn is None,
                         v.is_leaf),
                lambda: (w.requires_grad, w.is_inference()),
                lambda: v.add_(1), backward_through_view]
    assert_same_outcomes(make)
