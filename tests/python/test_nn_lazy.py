"""Lazy modules (LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*)
and UninitializedParameter/Buffer against real torch."""
import copy

import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

CASES = [
    ("LazyLinear", (3,), (2, 5)),
    ("LazyLinear", (4, False), (2, 3, 6)),
    ("LazyConv1d", (4, 3), (2, 3, 7)),
    ("LazyConv2d", (4, 3), (3, 5, 5)),
    ("LazyConv2d", (4, 3, 1, 1, 1, 2), (1, 6, 5, 5)),
    ("LazyConv3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3, 1, 0, 0, 2), (1, 6, 5, 5)),
    ("LazyConvTranspose3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (4, 5)),
    ("LazyBatchNorm2d", (1e-3, 0.2), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 6)),
    ("LazyInstanceNorm2d", (1e-5, 0.1, False, False), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,input_shape", CASES)
def test_lazy_module_becomes_regular(name, args, input_shape):
    ours, theirs = getattr(cresset.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert [(n, repr(t)) for n, t in ours.state_dict().items()] == \
        [(n, repr(t)) for n, t in theirs.state_dict().items()]
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()
    x = torch.randn(*input_shape)
    theirs(x)
    ours(to_cresset(x))
    assert type(ours).__name__ == type(theirs).__name__ == name[4:]
    assert repr(ours) == repr(theirs)
    assert not ours._forward_pre_hooks
    for (n, a), b in zip(theirs.state_dict().items(), ours.state_dict().values()):
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype), n
    for p in ours.parameters():
        assert type(p) is cresset.nn.Parameter and p.requires_grad
    # With torch's values, the regular module computes what torch's does.
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    assert_same(ours(to_cresset(x)), theirs(x), rtol=1e-4, atol=1e-5)


def test_lazy_initialization_follows_regular_init():
    cresset.manual_seed(0)
    lazy = cresset.nn.LazyLinear(4)
    lazy(cresset.randn(1, 3))
    bound = 1 / 3 ** 0.5
    weight, bias = lazy.weight.detach(), lazy.bias.detach()
    assert float(weight.abs().max()) <= bound and float(bias.abs().max()) <= bound
    assert float(weight.std()) > 0
    bn = cresset.nn.LazyBatchNorm1d()
    bn(cresset.randn(8, 3))
    assert cresset.equal(bn.weight, cresset.ones(3)) and int(bn.num_batches_tracked) == 1


def test_lazy_load_state_dict_and_copy():
    source = torch.nn.Linear(4, 3)
    for lib, src in [(cresset, cresset.nn.Linear(4, 3)), (torch, source)]:
        lazy = lib.nn.LazyLinear(3)
        lazy.load_state_dict(src.state_dict())
        assert type(lazy).__name__ == "LazyLinear" and tuple(lazy.weight.shape) == (3, 4)
        assert type(lazy.weight).__name__ == "Parameter"
        still = lib.nn.LazyLinear(3)
        still.load_state_dict(lib.nn.LazyLinear(3).state_dict())
        assert type(still.weight).__name__ == "UninitializedParameter"
    replica = copy.deepcopy(cresset.nn.LazyConv2d(2, 3))
    assert type(replica.weight).__name__ == "UninitializedParameter"
    replica(cresset.randn(1, 3, 4, 4))
    assert tuple(replica.weight.shape) == (2, 3, 3, 3)


def test_uninitialized_tensors_and_errors():
    p = cresset.nn.UninitializedParameter()
    tp = torch.nn.UninitializedParameter()
    assert repr(p) == repr(tp) == "<UninitializedParameter>"
    assert_raises_like(RuntimeError, lambda: p.shape, lambda: tp.shape)
    p.materialize((2, 3), dtype=cresset.float64)
    tp.materialize((2, 3), dtype=torch.float64)
    assert type(p) is cresset.nn.Parameter and tuple(p.shape) == (2, 3)
    assert str(p.dtype) == str(tp.dtype) and p.requires_grad
    b = cresset.nn.UninitializedBuffer()
    b.materialize((4,))
    assert type(b) is cresset.Tensor and tuple(b.shape) == (4,)
    for name, shape in [("LazyConv2d", (5, 5)), ("LazyConv1d", (1, 3, 5))]:
        args = (4, 3) if name == "LazyConv2d" else (4, 3, 1, 0, 1, 2)
        exc = RuntimeError if name == "LazyConv2d" else ValueError
        x = torch.randn(*shape)
        assert_raises_like(exc, lambda: getattr(cresset.nn, name)(*args)(to_cresset(x)),
                           lambda: getattr(torch.nn, name)(*args)(x))
