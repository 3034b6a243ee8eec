"""Python's pickle and copy.deepcopy of tensors, Parameters and whole modules, as torch does them
(cresset.save is a separate, safe format)."""
import copy
import pickle

import pytest
import torch
from utils import assert_same, to_cresset

import cresset


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj))


def layout(t):
    return (tuple(t.shape), t.stride(), t.storage_offset(), str(t.dtype).rpartition(".")[2],
            t.requires_grad, t.is_leaf, t._is_view(), type(t).__name__)


def samples(lib):
    base = lib.arange(24.).reshape(4, 6)
    return {
        "contiguous": base.clone(),
        "transposed": base.clone().t(),
        "view_slice": base[1:, 2:],
        "expanded": lib.ones(3, 1).expand(3, 4),
        "zero_dim": lib.tensor(2.5),
        "empty": lib.empty(0, 3),
        "int8": lib.tensor([1, -2, 3], dtype=lib.int8),
        "int64": lib.arange(5),
        "bool": lib.tensor([True, False, True]),
        "float16": lib.tensor([1.5, -2.0], dtype=lib.float16),
        "bfloat16": lib.tensor([1.5, -2.0], dtype=lib.bfloat16),
        "float64": lib.tensor([[1.0, 2.0]], dtype=lib.float64),
        "requires_grad": lib.ones(2, requires_grad=True),
        "non_leaf": lib.ones(2, requires_grad=True) * 2,
    }


@pytest.mark.parametrize("name", sorted(samples(torch)))
def test_pickle_tensor(name):
    ours, theirs = samples(cresset)[name], samples(torch)[name]
    got, want = roundtrip(ours), roundtrip(theirs)
    assert layout(got) == layout(want)
    assert_same(got.detach(), want.detach(), check_stride=True)


@pytest.mark.parametrize("name", sorted(set(samples(torch)) - {"non_leaf"}))
def test_deepcopy_tensor(name):
    ours, theirs = samples(cresset)[name], samples(torch)[name]
    got, want = copy.deepcopy(ours), copy.deepcopy(theirs)
    assert layout(got) == layout(want)
    assert_same(got.detach(), want.detach(), check_stride=True)
    # A copy: writing to it leaves the original alone.
    if not got.requires_grad and got.stride() != (1, 0):
        got.fill_(0)
        assert_same(ours, theirs)


def test_pickle_copies_storage_per_tensor_and_deepcopy_shares():
    for lib in (torch, cresset):
        x = lib.arange(6.).reshape(2, 3)
        a, b = roundtrip((x, x[:, 1:]))
        b[0, 0] = 100
        assert a[0, 1].item() == 1.0
        c, d = copy.deepcopy((x, x[:, 1:]))
        d[0, 0] = 100
        assert c[0, 1].item() == 100.0 and x[0, 1].item() == 1.0


def test_pickle_keeps_attributes_not_grad():
    for lib in (torch, cresset):
        t = lib.ones(2, requires_grad=True)
        t.grad = lib.ones(2)
        t.tag = "kept"
        r = roundtrip(t)
        assert r.tag == "kept" and r.grad is None and r.requires_grad
        d = copy.deepcopy(t)
        assert d.tag == "kept" and d.grad.tolist() == [1.0, 1.0]


def test_deepcopy_non_leaf_raises_like_torch():
    with pytest.raises(RuntimeError) as theirs:
        copy.deepcopy(torch.ones(2, requires_grad=True) * 2)
    with pytest.raises(RuntimeError) as ours:
        copy.deepcopy(cresset.ones(2, requires_grad=True) * 2)
    assert str(ours.value) == str(theirs.value)


def test_pickle_parameter():
    for lib in (torch, cresset):
        p = lib.nn.Parameter(lib.ones(2, 3))
        q = roundtrip(p)
        assert type(q) is lib.nn.Parameter and q.requires_grad and q.is_leaf
        assert q.tolist() == p.tolist()
        frozen = roundtrip(lib.nn.Parameter(lib.ones(2), requires_grad=False))
        assert type(frozen) is lib.nn.Parameter and not frozen.requires_grad
        p.extra = 5
        assert roundtrip(p).extra == 5


def test_pickle_tensor_subclass():
    class Tagged(cresset.Tensor):
        pass

    globals()["Tagged"] = Tagged  # pickle finds classes by module and name
    Tagged.__qualname__ = "Tagged"
    t = Tagged(cresset.ones(2))
    r = roundtrip(t)
    assert type(r) is Tagged and r.tolist() == [1.0, 1.0]


def test_pickle_module():
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(3))
    ours = cresset.nn.Sequential(cresset.nn.Linear(2, 3), cresset.nn.ReLU(),
                                 cresset.nn.BatchNorm1d(3))
    ours.load_state_dict({k: to_cresset(v) for k, v in ref.state_dict().items()})
    got = roundtrip(ours)
    want = roundtrip(ref)
    assert repr(got) == repr(want)
    assert [type(p).__name__ for p in got.parameters()] == ["Parameter"] * 4
    assert all(p.requires_grad and p.is_leaf for p in got.parameters())
    assert list(got.state_dict()) == list(want.state_dict())
    x = torch.randn(5, 2)
    assert_same(got(to_cresset(x)), want(x), rtol=1e-5, atol=1e-6)
    got(to_cresset(x)).sum().backward()
    assert got[0].weight.grad is not None and ours[0].weight.grad is None
    copied = copy.deepcopy(ours)
    assert copied(to_cresset(x)).tolist() == ours(to_cresset(x)).tolist()
    assert copied[0].weight is not ours[0].weight


def test_pickle_module_with_optimizer_state():
    m = cresset.nn.Linear(2, 2)
    opt = cresset.optim.Adam(m.parameters(), lr=0.1)
    m(cresset.ones(1, 2)).sum().backward()
    opt.step()
    m2, opt_state = roundtrip((m, opt.state_dict()))
    assert m2.weight.tolist() == m.weight.tolist()
    assert opt_state["state"][0]["exp_avg"].shape == (2, 2)
