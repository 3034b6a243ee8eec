"""A leaf's AccumulateGrad across graphs: cresset keeps it between graphs (Note [Kept
accumulator]), which must look exactly like torch making a fresh one for each graph."""
import cresset
import torch

from utils import assert_same, to_cresset


def run_both(fn):
    return fn(cresset), fn(torch)


def test_hook_on_dead_accumulator_does_not_reach_next_graph():
    def fn(lib):
        a = lib.ones(3, requires_grad=True)
        calls = []
        acc = (a * 2).grad_fn.next_functions[0][0]
        acc.register_hook(lambda gi, go: calls.append(1))
        del acc  # the graph and its accumulator die
        (a * 3).sum().backward()
        return len(calls), a.grad.tolist()
    ours, theirs = run_both(fn)
    assert ours == theirs == (0, [3.0, 3.0, 3.0])


def test_hook_on_live_accumulator_reaches_next_graph():
    def fn(lib):
        a = lib.ones(3, requires_grad=True)
        calls = []
        acc = (a * 2).grad_fn.next_functions[0][0]
        acc.register_hook(lambda gi, go: calls.append(1))
        b = a * 3
        same = b.grad_fn.next_functions[0][0] is acc
        b.sum().backward()
        return len(calls), same
    ours, theirs = run_both(fn)
    assert ours == theirs == (1, True)


def test_prehook_on_accumulator_of_a_dead_graph():
    def fn(lib):
        a = lib.ones(2, requires_grad=True)
        calls = []
        (a * 2).grad_fn.next_functions[0][0].register_prehook(lambda g: calls.append(1))
        (a * 5).sum().backward()
        return len(calls), a.grad.tolist()
    ours, theirs = run_both(fn)
    assert ours == theirs


def test_accumulator_reused_after_leaf_data_changes_shape():
    def fn(lib):
        a = lib.ones(3, requires_grad=True)
        (a * 2).sum().backward()
        a.data = lib.ones(5)
        a.grad = None
        (a * 2).sum().backward()
        return a.grad
    ours, theirs = run_both(fn)
    assert_same(ours, theirs)


def test_repeated_graphs_on_the_same_leaves():
    ta = torch.randn(4, requires_grad=True)
    tb = torch.randn(4, requires_grad=True)
    ca = to_cresset(ta.detach()).requires_grad_()
    cb = to_cresset(tb.detach()).requires_grad_()
    for _ in range(3):
        (ta * tb).sum().backward()
        (ca * cb).sum().backward()
    assert_same(ca.grad, ta.grad)
    assert_same(cb.grad, tb.grad)
