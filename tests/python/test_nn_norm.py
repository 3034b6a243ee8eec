"""Normalization ops (batch/instance/layer/group/rms norm, local_response_norm) against torch:
forward, running statistics, gradients of input/weight/bias, gradcheck, errors."""
import collections

import cresset.nn.functional as CF
import pytest
import torch
import torch.nn.functional as F
from utils import assert_raises_like, assert_same, to_cresset

import cresset

BN_SHAPES = [(8, 3), (4, 3, 7), (4, 3, 5, 6), (2, 3, 3, 4, 5), (1, 3, 4, 4)]


def grads_of(tensors):
    return [t.grad for t in tensors]


def make(shape, dtype=torch.float32, grad=True, scale=1.0, shift=0.0):
    t = (torch.randn(*shape, dtype=dtype) * scale + shift).requires_grad_(grad)
    return t, to_cresset(t).requires_grad_(grad)


def run_both(fn_ours, fn_theirs, inputs):
    """Forward on both and backward with one random gradient; returns (ours, theirs)."""
    theirs = fn_theirs(*[t for t, _ in inputs])
    ours = fn_ours(*[c for _, c in inputs])
    g = torch.randn(theirs.shape, dtype=theirs.dtype)
    theirs.backward(g)
    ours.backward(to_cresset(g))
    return ours, theirs


def compare(fn_ours, fn_theirs, inputs, node=None):
    """run_both, then the node name, the output and every input's gradient match torch's."""
    o, t = run_both(fn_ours, fn_theirs, inputs)
    assert o.grad_fn.name() == t.grad_fn.name()
    if node:
        assert t.grad_fn.name() == node
    assert_same(o, t, rtol=1e-5, atol=1e-5)
    x, xc = inputs[0]
    assert_same(xc.grad, x.grad, rtol=1e-4, atol=1e-5)
    for tt, cc in inputs[1:]:
        assert_same(cc.grad, tt.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch(shape, training, affine):
    torch.manual_seed(0)
    c = shape[1]
    x, xc = make(shape, scale=2.0, shift=3.0)
    w, wc = make((c,))
    b, bc = make((c,))
    rm, rv = torch.randn(c), torch.rand(c) + 0.5
    rmc, rvc = to_cresset(rm), to_cresset(rv)
    params = [(w, wc), (b, bc)] if affine else []

    def ours(x, *p):
        return CF.batch_norm(x, rmc, rvc, *p, training=training, momentum=0.3, eps=1e-4)

    def theirs(x, *p):
        return F.batch_norm(x, rm, rv, *p, training=training, momentum=0.3, eps=1e-4)

    compare(ours, theirs, [(x, xc)] + params, "NativeBatchNormBackward0")
    assert_same(rmc, rm, rtol=1e-6)
    assert_same(rvc, rv, rtol=1e-6)


def test_batch_norm_running_stats_over_steps_and_none():
    torch.manual_seed(1)
    rm, rv = torch.zeros(4), torch.ones(4)
    rmc, rvc = to_cresset(rm), to_cresset(rv)
    for step in range(5):
        x = torch.randn(6, 4, 3) * (step + 1) + step
        assert_same(CF.batch_norm(to_cresset(x), rmc, rvc, training=True),
                    F.batch_norm(x, rm, rv, training=True), rtol=1e-5, atol=1e-5)
    assert_same(rmc, rm, rtol=1e-6)
    assert_same(rvc, rv, rtol=1e-6)
    x = torch.randn(5, 4)
    assert_same(CF.batch_norm(to_cresset(x), None, None, training=True),
                F.batch_norm(x, None, None, training=True), rtol=1e-5, atol=1e-5)
    assert_same(cresset.batch_norm(to_cresset(x), None, None, rmc, rvc, False, 0.1, 1e-5, False),
                torch.batch_norm(x, None, None, rm, rv, False, 0.1, 1e-5, False), rtol=1e-5,
                atol=1e-5)


def test_batch_norm_layouts_and_dtypes():
    torch.manual_seed(2)
    x = torch.randn(4, 6, 5, 3).permute(0, 3, 1, 2)  # channels = 3, non-contiguous
    rm, rv = torch.zeros(3), torch.ones(3)
    rmc, rvc = to_cresset(rm), to_cresset(rv)
    assert_same(CF.batch_norm(to_cresset(x), rmc, rvc, training=True),
                F.batch_norm(x, rm, rv, training=True), rtol=1e-5, atol=1e-5)
    assert_same(rmc, rm)
    x = torch.randn(4, 3, 5, dtype=torch.float64)
    assert_same(CF.batch_norm(to_cresset(x), None, None, training=True),
                F.batch_norm(x, None, None, training=True))
    for dtype in [torch.bfloat16, torch.float16]:
        # 16-bit inputs are computed in float32 and rounded once (torch's own 16-bit CPU kernel
        # rounds intermediates and lands a few ulps further from the exact result).
        x = torch.randn(4, 3, 5).to(dtype)
        assert_same(CF.batch_norm(to_cresset(x), None, None, training=True),
                    F.batch_norm(x.float(), None, None, training=True).to(dtype))
    empty = torch.empty(0, 3)
    rm, rv = torch.zeros(3), torch.ones(3)
    rmc, rvc = to_cresset(rm), to_cresset(rv)
    assert_same(CF.batch_norm(to_cresset(empty), rmc, rvc, training=True),
                F.batch_norm(empty, rm, rv, training=True))
    assert_same(rmc, rm)
    assert_same(rvc, rv)


@pytest.mark.parametrize("op", ["batch_norm", "group_norm"])
def test_channels_last_input_keeps_its_layout(op):
    torch.manual_seed(13)
    for shape, fmt in [((3, 4, 5, 6), torch.channels_last), ((2, 4, 3, 2, 3), torch.channels_last_3d)]:
        x = torch.randn(shape).to(memory_format=fmt).requires_grad_()
        w, wc = make((4,))
        xc = to_cresset(x).requires_grad_()
        if op == "batch_norm":
            t, o = F.batch_norm(x, None, None, w, training=True), CF.batch_norm(xc, None, None, wc,
                                                                                training=True)
        else:
            t, o = F.group_norm(x, 2, w), CF.group_norm(xc, 2, wc)
        assert_same(o, t, rtol=1e-5, atol=1e-5, check_stride=True)
        g = torch.randn(shape).to(memory_format=fmt)
        t.backward(g)
        o.backward(to_cresset(g))
        assert_same(xc.grad, x.grad, rtol=1e-4, atol=1e-5)
        assert_same(wc.grad, w.grad, rtol=1e-4, atol=1e-4)


def test_empty_batch_gradients():
    torch.manual_seed(15)
    x, xc = make((0, 3, 4))
    w, wc = make((3,))
    b, bc = make((3,))
    compare(lambda x, w, b: CF.group_norm(x, 3, w, b), lambda x, w, b: F.group_norm(x, 3, w, b),
            [(x, xc), (w, wc), (b, bc)], "NativeGroupNormBackward0")
    # torch builds an empty batch norm from a composite (MulBackward0); the gradients agree.
    t = F.batch_norm(x, None, None, w, b, training=True)
    o = CF.batch_norm(xc, None, None, wc, bc, training=True)
    t.sum().backward()
    o.sum().backward()
    assert_same(o, t)
    for tt, cc in [(x, xc), (w, wc), (b, bc)]:
        assert_same(cc.grad, tt.grad)


def test_batch_norm_only_weight_needs_grad():
    torch.manual_seed(3)
    x = torch.randn(4, 3, 5)
    w, wc = make((3,))
    t = F.batch_norm(x, None, None, w, None, training=True)
    o = CF.batch_norm(to_cresset(x), None, None, wc, None, training=True)
    t.sum().backward()
    o.sum().backward()
    assert_same(wc.grad, w.grad, atol=1e-5)


def test_batch_norm_gradcheck():
    torch.manual_seed(4)
    x = to_cresset(torch.randn(3, 2, 4, dtype=torch.float64)).requires_grad_()
    w = to_cresset(torch.rand(2, dtype=torch.float64) + 0.5).requires_grad_()
    b = to_cresset(torch.randn(2, dtype=torch.float64)).requires_grad_()
    assert cresset.autograd.gradcheck(
        lambda x, w, b: CF.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    rm = to_cresset(torch.randn(2, dtype=torch.float64))
    rv = to_cresset(torch.rand(2, dtype=torch.float64) + 0.5)
    assert cresset.autograd.gradcheck(
        lambda x, w, b: CF.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


def test_batch_norm_errors():
    x = torch.randn(4, 3, 5)
    xc = to_cresset(x)
    z3, z4 = torch.zeros(3), torch.zeros(4)
    c3, c4 = to_cresset(z3), to_cresset(z4)
    assert_raises_like(RuntimeError, lambda: CF.batch_norm(xc, c4, c3),
                       lambda: F.batch_norm(x, z4, z3))
    assert_raises_like(RuntimeError, lambda: CF.batch_norm(xc, c3, c4),
                       lambda: F.batch_norm(x, z3, z4))
    assert_raises_like(RuntimeError, lambda: CF.batch_norm(xc, c3, c3, c4),
                       lambda: F.batch_norm(x, z3, z3, z4))
    assert_raises_like(RuntimeError, lambda: CF.batch_norm(xc, c3, c3, None, c4),
                       lambda: F.batch_norm(x, z3, z3, None, z4))
    assert_raises_like(RuntimeError, lambda: CF.batch_norm(xc, None, None),
                       lambda: F.batch_norm(x, None, None))
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, "
                                         r"got input size torch.Size\(\[1, 3\]\)"):
        CF.batch_norm(cresset.randn(1, 3), None, None, training=True)
    assert_raises_like(IndexError,
                       lambda: cresset.batch_norm(cresset.randn(3), None, None, None, None, True,
                                                  0.1, 1e-5, False),
                       lambda: torch.batch_norm(torch.randn(3), None, None, None, None, True, 0.1,
                                                1e-5, False))
    assert_raises_like(NotImplementedError,
                       lambda: CF.batch_norm(xc.long(), None, None, training=True),
                       lambda: F.batch_norm(x.long(), None, None, training=True))


@pytest.mark.parametrize("shape,normalized", [((4, 7), (7,)), ((3, 4, 6), (4, 6)),
                                              ((2, 3, 5), (5,)), ((5,), (5,))])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
def test_layer_norm_matches_torch(shape, normalized, affine):
    torch.manual_seed(5)
    x, xc = make(shape, scale=3.0, shift=-2.0)
    w, wc = make(normalized)
    b, bc = make(normalized)
    params = {"both": [(w, wc), (b, bc)], "weight": [(w, wc)], "none": []}[affine]
    compare(lambda x, *p: CF.layer_norm(x, normalized, *p, eps=1e-6),
            lambda x, *p: F.layer_norm(x, normalized, *p, eps=1e-6), [(x, xc)] + params,
            "NativeLayerNormBackward0")


def test_layer_norm_layouts_dtypes_gradcheck():
    torch.manual_seed(6)
    x = torch.randn(6, 5).t()
    assert_same(cresset.layer_norm(to_cresset(x), [6]), torch.layer_norm(x, [6]), atol=1e-5)
    assert_same(CF.layer_norm(to_cresset(x), 6), F.layer_norm(x, (6,)), atol=1e-5)
    for dtype in [torch.bfloat16, torch.float16]:
        x = torch.randn(3, 8).to(dtype)
        w = torch.randn(8).to(dtype)
        assert_same(CF.layer_norm(to_cresset(x), (8,), to_cresset(w)), F.layer_norm(x, (8,), w))
    x, xc = make((0, 4))
    w, wc = make((4,))
    b, bc = make((4,))
    compare(lambda x, w, b: CF.layer_norm(x, (4,), w, b), lambda x, w, b: F.layer_norm(x, (4,), w, b),
            [(x, xc), (w, wc), (b, bc)])
    x = to_cresset(torch.randn(3, 4, dtype=torch.float64)).requires_grad_()
    w = to_cresset(torch.randn(4, dtype=torch.float64)).requires_grad_()
    b = to_cresset(torch.randn(4, dtype=torch.float64)).requires_grad_()
    assert cresset.autograd.gradcheck(lambda x, w, b: CF.layer_norm(x, (4,), w, b), (x, w, b))


def test_layer_norm_errors():
    x = torch.randn(4, 3, 5)
    xc = to_cresset(x)
    for args in [((4,),), ((),), ((5,), torch.ones(4)), ((5,), None, torch.ones(4))]:
        assert_raises_like(RuntimeError,
                           lambda args=args: CF.layer_norm(xc, *[to_cresset(a) for a in args]),
                           lambda args=args: F.layer_norm(x, *args))
    assert_raises_like(NotImplementedError, lambda: CF.layer_norm(xc.long(), (5,)),
                       lambda: F.layer_norm(x.long(), (5,)))


@pytest.mark.parametrize("shape,groups", [((4, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 6), 3),
                                          ((2, 4, 2, 2, 3), 1), ((1, 6, 7), 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_matches_torch(shape, groups, affine):
    torch.manual_seed(7)
    c = shape[1]
    x, xc = make(shape, scale=2.0, shift=1.0)
    w, wc = make((c,))
    b, bc = make((c,))
    params = [(w, wc), (b, bc)] if affine else []
    compare(lambda x, *p: CF.group_norm(x, groups, *p, eps=1e-4),
            lambda x, *p: F.group_norm(x, groups, *p, eps=1e-4), [(x, xc)] + params,
            "NativeGroupNormBackward0")


def test_group_norm_gradcheck_and_errors():
    torch.manual_seed(8)
    x = to_cresset(torch.randn(2, 4, 3, dtype=torch.float64)).requires_grad_()
    w = to_cresset(torch.randn(4, dtype=torch.float64)).requires_grad_()
    b = to_cresset(torch.randn(4, dtype=torch.float64)).requires_grad_()
    assert cresset.autograd.gradcheck(lambda x, w, b: CF.group_norm(x, 2, w, b), (x, w, b))
    t = torch.randn(4, 3, 5)
    c = to_cresset(t)
    assert_raises_like(RuntimeError, lambda: CF.group_norm(c, 2), lambda: F.group_norm(t, 2))
    assert_raises_like(RuntimeError, lambda: CF.group_norm(c, 3, cresset.ones(4)),
                       lambda: F.group_norm(t, 3, torch.ones(4)))
    assert_raises_like(RuntimeError, lambda: CF.group_norm(cresset.randn(3), 3),
                       lambda: F.group_norm(torch.randn(3), 3))
    assert_raises_like(ValueError, lambda: CF.group_norm(cresset.randn(1, 3), 3),
                       lambda: F.group_norm(torch.randn(1, 3), 3))
    assert_raises_like(NotImplementedError, lambda: CF.group_norm(c.long(), 3),
                       lambda: F.group_norm(t.long(), 3))


@pytest.mark.parametrize("stats", [False, True])
def test_instance_norm_matches_torch(stats):
    torch.manual_seed(9)
    x, xc = make((3, 4, 5, 2), scale=2.0, shift=1.0)
    w, wc = make((4,))
    b, bc = make((4,))
    rm, rv = (torch.randn(4), torch.rand(4) + 0.5) if stats else (None, None)
    rmc, rvc = to_cresset(rm), to_cresset(rv)
    compare(lambda x, w, b: CF.instance_norm(x, rmc, rvc, w, b, momentum=0.2),
            lambda x, w, b: F.instance_norm(x, rm, rv, w, b, momentum=0.2),
            [(x, xc), (w, wc), (b, bc)], "ViewBackward0")
    if stats:
        assert_same(rmc, rm, rtol=1e-6)
        assert_same(rvc, rv, rtol=1e-6)
        x = torch.randn(2, 4, 6)
        assert_same(CF.instance_norm(to_cresset(x), rmc, rvc, use_input_stats=False),
                    F.instance_norm(x, rm, rv, use_input_stats=False), rtol=1e-5, atol=1e-5)
    assert_raises_like(ValueError, lambda: CF.instance_norm(cresset.randn(3, 4, 1)),
                       lambda: F.instance_norm(torch.randn(3, 4, 1)))


def test_rms_norm_matches_torch():
    torch.manual_seed(10)
    x, xc = make((3, 4, 6))
    w, wc = make((4, 6))
    compare(lambda x, w: CF.rms_norm(x, (4, 6), w), lambda x, w: F.rms_norm(x, (4, 6), w),
            [(x, xc), (w, wc)], "MulBackward0")
    x = torch.randn(2, 5).half()
    assert_same(cresset.rms_norm(to_cresset(x), [5], eps=1e-3), torch.rms_norm(x, [5], eps=1e-3))


@pytest.mark.parametrize("shape,size", [((2, 7, 5), 3), ((2, 6, 3, 4), 2), ((1, 5, 2, 2, 3), 4)])
def test_local_response_norm_matches_torch(shape, size):
    torch.manual_seed(11)
    x, xc = make(shape)
    compare(lambda x: CF.local_response_norm(x, size, alpha=0.5, k=2.0),
            lambda x: F.local_response_norm(x, size, alpha=0.5, k=2.0), [(x, xc)], "DivBackward0")
    assert_raises_like(ValueError, lambda: CF.local_response_norm(cresset.randn(2, 3), 2),
                       lambda: F.local_response_norm(torch.randn(2, 3), 2))


def test_double_backward_gradgradcheck():
    torch.manual_seed(12)

    def leaf(*shape, positive=False):
        t = torch.rand(*shape, dtype=torch.float64) + 0.5 if positive else \
            torch.randn(*shape, dtype=torch.float64)
        return to_cresset(t).requires_grad_()

    x, w, b = leaf(3, 2, 4), leaf(2), leaf(2)
    rm, rv = to_cresset(torch.randn(2, dtype=torch.float64)), to_cresset(
        torch.rand(2, dtype=torch.float64) + 0.5)
    gg = cresset.autograd.gradgradcheck
    assert gg(lambda x, w, b: CF.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert gg(lambda x, w, b: CF.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))
    w4, b4 = leaf(4), leaf(4)
    assert gg(lambda x, w: CF.layer_norm(x, (2, 4), w), (x, leaf(2, 4)))
    assert gg(lambda x, w, b: CF.layer_norm(x, (4,), w, b), (x, w4, b4))
    assert gg(lambda x, w, b: CF.group_norm(x.view(2, 4, 3), 2, w, b), (x, w4, b4))


@pytest.mark.parametrize("threads", [1, 3])
def test_threaded_paths_match_torch(threads):
    torch.manual_seed(14)
    old = cresset.get_num_threads()
    cresset.set_num_threads(threads)
    try:
        x, xc = make((8, 16, 32, 32), scale=2.0, shift=1.0)
        w, wc = make((16,))
        compare(lambda x, w: CF.batch_norm(x, None, None, w, training=True),
                lambda x, w: F.batch_norm(x, None, None, w, training=True), [(x, xc), (w, wc)])
        x, xc = make((8, 16, 32, 32), scale=2.0, shift=1.0)
        w, wc = make((16,))
        compare(lambda x, w: CF.group_norm(x, 4, w), lambda x, w: F.group_norm(x, 4, w),
                [(x, xc), (w, wc)])
        x, xc = make((256, 512))
        w, wc = make((512,))
        b, bc = make((512,))
        compare(lambda x, w, b: CF.layer_norm(x, (512,), w, b),
                lambda x, w, b: F.layer_norm(x, (512,), w, b), [(x, xc), (w, wc), (b, bc)])
        x, xc = make((64, 2048))
        compare(lambda x: CF.batch_norm(x, None, None, training=True),
                lambda x: F.batch_norm(x, None, None, training=True), [(x, xc)])
    finally:
        cresset.set_num_threads(old)


def test_constant_channels_normalize_to_the_bias():
    # x - mean is formed before scaling, so a constant channel (variance 0, scale 1/sqrt(eps))
    # gives exactly its bias instead of rounding noise magnified by the scale (torch's CPU kernel
    # is off by ~2e-5 there, so only the other channels are compared with it).
    torch.manual_seed(16)
    x = torch.full((4, 3, 5), 2.7)
    x[:, 1] = torch.randn(4, 5)
    b = torch.randn(3)
    xc, bc = to_cresset(x), to_cresset(b)
    for ours, theirs in [(CF.batch_norm(xc, None, None, None, bc, training=True),
                          F.batch_norm(x, None, None, None, b, training=True)),
                         (CF.group_norm(xc, 3, None, bc), F.group_norm(x, 3, None, b))]:
        assert_same(ours[:, 1], theirs[:, 1])
        assert_same(ours[:, 0], b[0].expand(4, 5), rtol=0, atol=0)
        assert_same(ours[:, 2], b[2].expand(4, 5), rtol=0, atol=0)


# ---- modules ----

MODULE_CASES = [
    ("BatchNorm1d", (3,), {}, (5, 3)),
    ("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 6)),
    ("BatchNorm2d", (4,), {"affine": False}, (3, 4, 5, 5)),
    ("BatchNorm2d", (4,), {"track_running_stats": False}, (3, 4, 2, 3)),
    ("BatchNorm2d", (4,), {"bias": False, "eps": 1e-3, "momentum": 0.5}, (2, 4, 3, 3)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 2, 2)),
    ("LayerNorm", ((5, 6),), {}, (3, 5, 6)),
    ("LayerNorm", (6,), {"elementwise_affine": False}, (3, 6)),
    ("LayerNorm", (6,), {"bias": False}, (2, 4, 6)),
    ("GroupNorm", (2, 6), {}, (3, 6, 4)),
    ("GroupNorm", (3, 6), {"affine": False, "eps": 1e-3}, (2, 6, 2, 2)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 7)),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 7)),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 4, 4)),
    ("InstanceNorm3d", (2,), {"track_running_stats": True, "momentum": None}, (2, 2, 3, 2, 2)),
    ("RMSNorm", (6,), {}, (3, 6)),
    ("RMSNorm", ((2, 6),), {"eps": 1e-3, "elementwise_affine": False}, (3, 2, 6)),
    ("LocalResponseNorm", (3,), {"alpha": 0.1, "k": 2.0}, (2, 5, 3, 3)),
]


def randomize(theirs):
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.randn(p.shape))


@pytest.mark.parametrize("case", range(len(MODULE_CASES)))
def test_module_matches_torch(case):
    torch.manual_seed(20 + case)
    name, args, kwargs, shape = MODULE_CASES[case]
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    ours = getattr(cresset.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    randomize(theirs)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    for step in range(3):
        x, xc = make(shape, scale=2.0, shift=1.0)
        t = theirs(x)
        o = ours(xc)
        g = torch.randn(t.shape)
        t.backward(g)
        o.backward(to_cresset(g))
        assert_same(o, t, rtol=1e-5, atol=1e-5)
        assert_same(xc.grad, x.grad, rtol=1e-4, atol=1e-5)
    for (k, tp), (k2, op) in zip(theirs.named_parameters(), ours.named_parameters()):
        assert k == k2
        assert_same(op.grad, tp.grad, rtol=1e-4, atol=1e-4)
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for k in theirs_sd:
        assert_same(ours_sd[k], theirs_sd[k], rtol=1e-5, atol=1e-6)
    theirs.eval()
    ours.eval()
    x = torch.randn(shape)
    assert_same(ours(to_cresset(x)), theirs(x), rtol=1e-5, atol=1e-5)


def test_module_input_checks_and_old_state_dict():
    assert_raises_like(ValueError, lambda: cresset.nn.BatchNorm2d(3)(cresset.randn(2, 3)),
                       lambda: torch.nn.BatchNorm2d(3)(torch.randn(2, 3)))
    assert_raises_like(ValueError, lambda: cresset.nn.BatchNorm1d(3)(cresset.randn(2, 3, 4, 5)),
                       lambda: torch.nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 5)))
    assert_raises_like(ValueError, lambda: cresset.nn.BatchNorm1d(3)(cresset.randn(1, 3)),
                       lambda: torch.nn.BatchNorm1d(3)(torch.randn(1, 3)))
    assert_raises_like(ValueError, lambda: cresset.nn.GroupNorm(4, 6),
                       lambda: torch.nn.GroupNorm(4, 6))
    assert_raises_like(ValueError,
                       lambda: cresset.nn.InstanceNorm2d(3, affine=True)(cresset.randn(2, 4, 3, 3)),
                       lambda: torch.nn.InstanceNorm2d(3, affine=True)(torch.randn(2, 4, 3, 3)))
    # A checkpoint from before num_batches_tracked existed loads with the counter at 0.
    bn = cresset.nn.BatchNorm1d(3)
    bn(cresset.randn(4, 3))
    sd = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    fresh = cresset.nn.BatchNorm1d(3)
    sd = collections.OrderedDict(sd)
    sd._metadata = {"": {"version": 1}}
    fresh.load_state_dict(sd)
    assert fresh.num_batches_tracked.item() == 0
    assert_same(fresh.running_mean, torch.tensor(bn.running_mean.tolist()))


def test_training_loop_with_batchnorm_matches_torch():
    torch.manual_seed(30)

    def build(nn):
        return nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 4),
                             nn.LayerNorm(4))

    theirs, ours = build(torch.nn), build(cresset.nn)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    for step in range(4):
        x = torch.randn(10, 8)
        t, o = theirs(x), ours(to_cresset(x))
        assert_same(o, t, rtol=1e-4, atol=1e-5)
        r = torch.randn(10, 4)
        ((t - r) ** 2).mean().backward()
        ((o - to_cresset(r)) ** 2).mean().backward()
        with torch.no_grad():
            for p in theirs.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        with cresset.no_grad():
            for p in ours.parameters():
                p -= 0.1 * p.grad
                p.grad = None
    for k, v in theirs.state_dict().items():
        assert_same(ours.state_dict()[k], v, rtol=1e-4, atol=1e-5)
    theirs.eval()
    ours.eval()
    x = torch.randn(3, 8)
    assert_same(ours(to_cresset(x)), theirs(x), rtol=1e-4, atol=1e-5)
