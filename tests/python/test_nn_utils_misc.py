"""nn.utils fusion, skip_init and functional_call (torch.func and nn.utils.stateless) against real
torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-5, atol=1e-6)


def twin(make):
    torch.manual_seed(0)
    theirs = make(torch)
    ours = make(cresset)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


def data(*shape, seed=1):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    return to_cresset(x), x


def trained_bn(lib, kind, n):
    """An eval-mode BatchNorm with non-trivial running statistics and affine parameters."""
    bn = getattr(lib.nn, kind)(n)
    with lib.no_grad():
        bn.running_mean.copy_(lib.linspace(-1, 1, n))
        bn.running_var.copy_(lib.linspace(0.5, 2, n))
        bn.weight.copy_(lib.linspace(0.5, 1.5, n))
        bn.bias.copy_(lib.linspace(-0.2, 0.3, n))
    return bn.eval()


@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn(transpose, bias):
    def make(lib):
        conv = (lib.nn.ConvTranspose2d if transpose else lib.nn.Conv2d)(3, 4, 3, bias=bias)
        return lib.nn.Sequential(conv, trained_bn(lib, "BatchNorm2d", 4)).eval()
    ours, theirs = twin(make)
    fused_ours = cresset.nn.utils.fuse_conv_bn_eval(ours[0], ours[1], transpose=transpose)
    fused_theirs = torch.nn.utils.fuse_conv_bn_eval(theirs[0], theirs[1], transpose=transpose)
    assert_same(fused_ours.weight, fused_theirs.weight, **TOL)
    assert_same(fused_ours.bias, fused_theirs.bias, **TOL)
    assert isinstance(fused_ours.weight, cresset.nn.Parameter)
    cx, tx = data(2, 3, 6, 6)
    assert_same(fused_ours(cx), fused_theirs(tx), rtol=1e-4, atol=1e-5)
    assert cresset.allclose(fused_ours(cx), ours(cx), rtol=1e-4, atol=1e-5)
    assert ours[0].weight is not fused_ours.weight  # the original layer is untouched


def test_fuse_linear_bn_and_errors():
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(5, 4), trained_bn(lib, "BatchNorm1d", 4)).eval()
    ours, theirs = twin(make)
    fused_ours = cresset.nn.utils.fuse_linear_bn_eval(ours[0], ours[1])
    fused_theirs = torch.nn.utils.fuse_linear_bn_eval(theirs[0], theirs[1])
    assert_same(fused_ours.weight, fused_theirs.weight, **TOL)
    assert_same(fused_ours.bias, fused_theirs.bias, **TOL)
    w, b = cresset.nn.utils.fuse_linear_bn_weights(ours[0].weight, None, ours[1].running_mean,
                                                  ours[1].running_var, 1e-5, ours[1].weight,
                                                  ours[1].bias)
    tw, tb = torch.nn.utils.fuse_linear_bn_weights(theirs[0].weight, None,
                                                   theirs[1].running_mean, theirs[1].running_var,
                                                   1e-5, theirs[1].weight, theirs[1].bias)
    assert_same((w, b), (tw, tb), **TOL)
    w, b = cresset.nn.utils.fuse_conv_bn_weights(ours[0].weight, None, ours[1].running_mean,
                                                ours[1].running_var, 1e-5, None, None)
    tw, tb = torch.nn.utils.fuse_conv_bn_weights(theirs[0].weight, None, theirs[1].running_mean,
                                                 theirs[1].running_var, 1e-5, None, None)
    assert_same((w, b), (tw, tb), **TOL)
    ours.train()
    theirs.train()
    assert_raises_like(AssertionError, lambda: cresset.nn.utils.fuse_linear_bn_eval(*ours),
                       lambda: torch.nn.utils.fuse_linear_bn_eval(*theirs))


def test_skip_init():
    m = cresset.nn.utils.skip_init(cresset.nn.Linear, 5, 3, dtype=cresset.float64)
    t = torch.nn.utils.skip_init(torch.nn.Linear, 5, 3, dtype=torch.float64)
    assert type(m) is cresset.nn.Linear
    assert [(n, tuple(p.shape), str(p.dtype)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape), str(p.dtype)) for n, p in t.named_parameters()]

    class NoDevice(cresset.nn.Module):
        def __init__(self, n):
            super().__init__()

    class TorchNoDevice(torch.nn.Module):
        def __init__(self, n):
            super().__init__()
    assert_raises_like(RuntimeError, lambda: cresset.nn.utils.skip_init(NoDevice, 2),
                       lambda: torch.nn.utils.skip_init(TorchNoDevice, 2))
    assert_raises_like(RuntimeError, lambda: cresset.nn.utils.skip_init(int, 2),
                       lambda: torch.nn.utils.skip_init(int, 2))


def net(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.ReLU(),
                             lib.nn.Linear(3, 2))


def test_functional_call_replaces_for_one_call():
    ours, theirs = twin(net)
    cx, tx = data(5, 4)
    cw, tw = data(3, 4, seed=2)
    cw.requires_grad_(True)
    tw.requires_grad_(True)
    cm, tm = data(3, seed=3)
    out_ours = cresset.func.functional_call(ours, {"0.weight": cw, "1.running_mean": cm}, (cx,))
    out_theirs = torch.func.functional_call(theirs, {"0.weight": tw, "1.running_mean": tm}, (tx,))
    assert_same(out_ours, out_theirs, **TOL)
    assert_same(cm, tm, **TOL)  # training-mode BatchNorm updated the given running mean
    out_ours.sum().backward()
    out_theirs.sum().backward()
    assert_same(cw.grad, tw.grad, **TOL)
    assert ours[0].weight.grad is None  # the module's own weight took no part
    assert_same(ours[1].running_mean, theirs[1].running_mean, **TOL)  # nor its buffer
    assert isinstance(ours[0].weight, cresset.nn.Parameter)
    # several dicts, kwargs, a single non-tuple arg
    ones = {"3.bias": cresset.ones(2)}
    assert_same(cresset.func.functional_call(ours, ({}, ones), cx),
                torch.func.functional_call(theirs, ({}, {"3.bias": torch.ones(2)}), tx), **TOL)


def test_functional_call_tied_weights_strict_and_errors():
    def tied(lib):
        m = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Linear(3, 3))
        m[1].weight = m[0].weight
        return m
    ours, theirs = tied(cresset), tied(torch)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    cx, tx = data(2, 3)
    cw, tw = data(3, 3, seed=5)
    for tie in [True, False]:
        assert_same(cresset.func.functional_call(ours, {"0.weight": cw}, cx, tie_weights=tie),
                    torch.func.functional_call(theirs, {"0.weight": tw}, tx, tie_weights=tie),
                    **TOL)
    assert_raises_like(ValueError,
                       lambda: cresset.func.functional_call(ours, {"0.weight": cw,
                                                                   "1.weight": cw.clone()}, cx),
                       lambda: torch.func.functional_call(theirs, {"0.weight": tw,
                                                                  "1.weight": tw.clone()}, tx))
    assert_raises_like(ValueError,
                       lambda: cresset.func.functional_call(ours, ({"0.bias": cw[0]},
                                                                   {"0.bias": cw[0]}), cx),
                       lambda: torch.func.functional_call(theirs, ({"0.bias": tw[0]},
                                                                  {"0.bias": tw[0]}), tx))
    assert_raises_like(RuntimeError,
                       lambda: cresset.func.functional_call(ours, {"0.weight": cw}, cx,
                                                            strict=True),
                       lambda: torch.func.functional_call(theirs, {"0.weight": tw}, tx,
                                                          strict=True))
    with pytest.warns(FutureWarning):
        out = cresset.nn.utils.stateless.functional_call(ours, {"0.weight": cw}, (cx,))
    assert_same(out, torch.func.functional_call(theirs, {"0.weight": tw}, (tx,)), **TOL)
