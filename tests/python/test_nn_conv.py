"""Convolutions, conv_transpose, F.pad, F.unfold / F.fold against torch: values, gradients,
node names, gradcheck, errors."""
import cresset.nn.functional as CF
import pytest
import torch
import torch.nn.functional as F
from utils import assert_raises_like, assert_same, to_cresset

import cresset


def _leaves(*ts):
    ours = [to_cresset(t).requires_grad_() if t is not None else None for t in ts]
    theirs = [t.detach().clone().requires_grad_() if t is not None else None for t in ts]
    return ours, theirs


def _tol(t, rtol, atol):
    """float32 sums of many products round differently in another order: the absolute tolerance
    scales with the largest magnitude of the result."""
    if t.dtype != torch.float32 or t.numel() == 0:
        return {"rtol": rtol, "atol": atol}
    return {"rtol": rtol or 1e-5, "atol": max(atol or 0, 1e-5 * max(1.0, t.abs().max().item()))}


def _check(op_ours, op_theirs, tensors, kwargs, *, rtol=None, atol=None, grads=True):
    """Forward, node name and every input gradient against torch."""
    ours, theirs = _leaves(*tensors)
    y = op_theirs(*theirs, **kwargs)
    cy = op_ours(*ours, **kwargs)
    assert_same(cy, y.detach(), **_tol(y, rtol, atol))
    if not grads:
        return
    assert cy.grad_fn.name() == y.grad_fn.name()
    g = torch.randn_like(y)
    y.backward(g)
    cy.backward(to_cresset(g))
    for o, t in zip(ours, theirs):
        if t is not None:
            assert_same(o.grad, t.grad, **_tol(t.grad, rtol, atol))


CONV2D_CASES = [
    ((2, 3, 10, 10), (6, 3, 3, 3), {}),
    ((2, 3, 32, 32), (6, 3, 5, 5), {}),
    ((1, 4, 9, 11), (6, 2, 3, 2), {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1), "groups": 2}),
    ((3, 4, 7, 7), (8, 4, 1, 1), {}),
    ((2, 4, 7, 7), (8, 4, 1, 1), {"stride": 2}),
    ((2, 6, 8, 8), (6, 1, 3, 3), {"padding": 1, "groups": 6}),
    ((2, 3, 8, 8), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 8, 8), (4, 3, 4, 2), {"padding": "same", "dilation": (1, 3)}),
    ((2, 3, 8, 8), (4, 3, 3, 3), {"padding": "valid"}),
    ((0, 3, 8, 8), (4, 3, 3, 3), {"padding": 1}),
    ((3, 8, 8), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 5, 5), (4, 3, 5, 5), {"stride": 3}),
    ((1, 16, 40, 37), (4, 16, 3, 3), {"padding": 1}),  # column blocks of rows within an image
    ((5, 4, 6, 6), (8, 2, 3, 3), {"padding": 1, "groups": 2}),  # several images per block
]


@pytest.mark.parametrize("case", range(len(CONV2D_CASES)))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d(case, dtype, bias):
    torch.manual_seed(case)
    shape, wshape, kw = CONV2D_CASES[case]
    x = torch.randn(shape, dtype=dtype)
    w = torch.randn(wshape, dtype=dtype)
    b = torch.randn(wshape[0], dtype=dtype) if bias else None
    _check(CF.conv2d, F.conv2d, (x, w, b), kw, rtol=1e-5 if dtype == torch.float32 else None)
    _check(cresset.conv2d, torch.conv2d, (x, w, b), kw,
           rtol=1e-5 if dtype == torch.float32 else None)


def test_conv2d_noncontiguous_and_tutorial_shapes():
    torch.manual_seed(0)
    x = torch.randn(4, 32, 32, 3).permute(0, 3, 1, 2)
    w = torch.randn(6, 5, 5, 3).permute(0, 3, 1, 2)
    _check(CF.conv2d, F.conv2d, (x, w, torch.randn(6)), {}, rtol=1e-5)
    x = torch.randn(16, 1, 28, 28)
    _check(CF.conv2d, F.conv2d, (x, torch.randn(32, 1, 3, 3), torch.randn(32)), {}, rtol=1e-5)
    _check(CF.conv2d, F.conv2d, (torch.randn(3, 32, 26, 26), torch.randn(64, 32, 3, 3) * 0.1,
                                 torch.randn(64)), {}, rtol=1e-5, atol=1e-4)


def test_conv2d_threads_deterministic():
    torch.manual_seed(0)
    x = to_cresset(torch.randn(5, 3, 12, 12)).requires_grad_()
    w = to_cresset(torch.randn(4, 3, 3, 3)).requires_grad_()
    results = []
    old = cresset.get_num_threads()
    for n in (1, 2, 1):
        cresset.set_num_threads(n)
        x.grad = None
        w.grad = None
        y = CF.conv2d(x, w, padding=1)
        y.sum().backward()
        results.append((y.tolist(), x.grad.tolist(), w.grad.tolist()))
    cresset.set_num_threads(old)
    assert results[0] == results[2]
    torch.testing.assert_close(torch.tensor(results[0][2]), torch.tensor(results[1][2]))


# float32 stride-1 convolutions that take the direct kernels (conv_direct_kernels.cpp) for the
# forward, the input gradient and the weight gradient, and neighbours that fall back to im2col +
# GEMM.
DIRECT_CASES = [
    ((3, 32, 16, 16), (64, 32, 3, 3), {"padding": 1}),
    ((2, 5, 12, 20), (17, 5, 3, 3), {"padding": 1}),  # output channels past a block of 8
    ((2, 1, 28, 28), (32, 1, 3, 3), {}),  # one input channel, no padding
    ((2, 8, 5, 8), (8, 8, 3, 3), {"padding": 1}),  # rows shorter than a vector
    ((2, 16, 20, 24), (16, 8, 3, 3), {"padding": 2, "dilation": 2, "groups": 2}),
    ((2, 8, 18, 18), (9, 8, 5, 5), {"padding": 2}),
    ((2, 8, 30, 30), (8, 8, 3, 3), {"padding": 3}),  # input gradient falls back (pad > K - 1)
    ((2, 8, 18, 18), (8, 8, 3, 3), {"stride": 2}),  # strided: falls back
    ((2, 8, 6, 5), (8, 8, 3, 3), {"padding": 1}),  # too narrow: falls back
    ((2, 8, 12, 12), (4, 8, 3, 3), {"padding": 1}),  # forward falls back (4 output channels)
    # Vectors that are pieces of output rows, images grouped 3 to a task (the last group short).
    ((4, 8, 16, 16), (16, 8, 3, 3), {"padding": 1}),
    ((2, 4, 10, 32), (8, 4, 3, 3), {"padding": 1}),
    ((2, 8, 7, 15), (8, 8, 3, 3), {"padding": 1}),
    # Many wide input channels: the tiles pass over them in chunks, for both products.
    ((1, 48, 6, 60), (48, 48, 3, 3), {"padding": 1}),
    # Weight gradient: 1, 2 and 4 vectors of output channels per tile, gw^T rows (C_in * K) not a
    # multiple of the tile's 6, output rows wider than a block of positions, batch 1.
    ((3, 3, 9, 7), (48, 3, 3, 3), {"padding": 1}),
    ((2, 7, 10, 13), (24, 7, 3, 3), {}),
    ((1, 5, 9, 150), (64, 5, 3, 3), {"padding": (0, 1)}),
    ((2, 6, 11, 11), (40, 3, 3, 2), {"dilation": (2, 3), "groups": 2, "padding": 2}),
]


@pytest.mark.parametrize("case", range(len(DIRECT_CASES)))
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_direct_kernel(case, bias):
    torch.manual_seed(case)
    shape, wshape, kw = DIRECT_CASES[case]
    b = torch.randn(wshape[0]) if bias else None
    _check(CF.conv2d, F.conv2d, (torch.randn(shape), torch.randn(wshape), b), kw, rtol=1e-5,
           atol=1e-4)


def test_conv_direct_kernel_layouts_and_variants():
    torch.manual_seed(11)
    # Channels-last input and a transposed weight, as strided views.
    x = torch.randn(2, 18, 18, 8).permute(0, 3, 1, 2)
    w = torch.randn(16, 3, 3, 8).permute(0, 3, 1, 2)
    _check(CF.conv2d, F.conv2d, (x, w, torch.randn(16)), {"padding": 1}, rtol=1e-5, atol=1e-4)
    _check(CF.conv1d, F.conv1d, (torch.randn(2, 4, 50), torch.randn(6, 4, 3), torch.randn(6)),
           {"padding": 1}, rtol=1e-5, atol=1e-4)
    # A stride-1 transposed convolution is the input gradient's product, with a bias.
    _check(CF.conv_transpose2d, F.conv_transpose2d,
           (torch.randn(2, 6, 14, 14), torch.randn(6, 8, 3, 3), torch.randn(8)), {"padding": 1},
           rtol=1e-5, atol=1e-4)


def test_conv_direct_kernel_double_backward():
    torch.manual_seed(12)
    (cx, cw), (x, w) = _leaves(torch.randn(2, 8, 16, 16), torch.randn(9, 8, 3, 3))
    gx, gw = torch.autograd.grad(F.conv2d(x, w, padding=1).pow(2).sum(), (x, w), create_graph=True)
    cgx, cgw = cresset.autograd.grad(CF.conv2d(cx, cw, padding=1).pow(2).sum(), (cx, cw),
                                     create_graph=True)
    assert cgx.grad_fn.name() == gx.grad_fn.name()
    (gx.pow(2).sum() + gw.pow(2).sum()).backward()
    (cgx.pow(2).sum() + cgw.pow(2).sum()).backward()
    assert_same(cx.grad, x.grad, **_tol(x.grad, 1e-4, None))
    assert_same(cw.grad, w.grad, **_tol(w.grad, 1e-4, None))


def test_conv_direct_weight_gradient_threads():
    # The weight gradient sums each thread's images in thread order: close to torch at every
    # thread count, identical when repeated.
    torch.manual_seed(14)
    x, w = torch.randn(5, 6, 12, 12), torch.randn(32, 6, 3, 3)
    g = torch.randn(5, 32, 12, 12)
    x.requires_grad_()
    w.requires_grad_()
    F.conv2d(x, w, padding=1).backward(g)
    old = cresset.get_num_threads()
    results = []
    for n in (2, 1, 2):
        cresset.set_num_threads(n)
        (cx, cw), _ = _leaves(x.detach(), w.detach())
        CF.conv2d(cx, cw, padding=1).backward(to_cresset(g))
        assert_same(cw.grad, w.grad, **_tol(w.grad, 1e-5, None))
        results.append(cw.grad.tolist())
    cresset.set_num_threads(old)
    assert results[0] == results[2]


@pytest.mark.parametrize("batch, size", [(1, 20), (1, 16), (5, 16)])
def test_conv_direct_kernel_threads_identical(batch, size):
    # Each output of the direct kernel is the same sequence of FMAs whatever the threads, also
    # when one image is split among threads (on the wide grid and by output rows) and when
    # images are grouped within each thread's share.
    torch.manual_seed(13)
    x = to_cresset(torch.randn(batch, 8, size, size)).requires_grad_()
    w = to_cresset(torch.randn(16, 8, 3, 3))
    results = []
    old = cresset.get_num_threads()
    for n in (1, 2):
        cresset.set_num_threads(n)
        x.grad = None
        y = CF.conv2d(x, w, padding=1)
        y.backward(y.detach())
        results.append((y.tolist(), x.grad.tolist()))
    cresset.set_num_threads(old)
    assert results[0] == results[1]


@pytest.mark.parametrize("case", [
    ((2, 3, 11), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 4, 11), (4, 2, 3), {"dilation": 2, "groups": 2, "padding": "same"}),
    ((3, 11), (4, 3, 2), {}),
])
def test_conv1d(case):
    torch.manual_seed(1)
    shape, wshape, kw = case
    _check(CF.conv1d, F.conv1d, (torch.randn(shape), torch.randn(wshape), torch.randn(wshape[0])),
           kw, rtol=1e-5)


@pytest.mark.parametrize("case", [
    ((2, 3, 6, 7, 5), (4, 3, 3, 2, 3), {"stride": (1, 2, 1), "padding": 1}),
    ((1, 4, 5, 5, 5), (4, 2, 2, 2, 2), {"dilation": 2, "groups": 2}),
])
def test_conv3d(case):
    torch.manual_seed(2)
    shape, wshape, kw = case
    _check(CF.conv3d, F.conv3d, (torch.randn(shape), torch.randn(wshape), torch.randn(wshape[0])),
           kw, rtol=1e-5)


@pytest.mark.parametrize("op,shape,wshape,kw", [
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 2, 3, 2), {"groups": 2, "dilation": (2, 1)}),
    ("conv_transpose2d", (4, 5, 6), (4, 3, 3, 3), {}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), {"stride": 3, "output_padding": 2}),
    ("conv_transpose3d", (1, 2, 3, 4, 3), (2, 3, 2, 2, 2), {"stride": 2}),
])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_conv_transpose(op, shape, wshape, kw, dtype):
    torch.manual_seed(3)
    t = (torch.randn(shape, dtype=dtype), torch.randn(wshape, dtype=dtype),
         torch.randn(wshape[1] * kw.get("groups", 1), dtype=dtype))
    _check(getattr(CF, op), getattr(F, op), t, kw, rtol=1e-5 if dtype == torch.float32 else None)


def test_convolution_low_level():
    torch.manual_seed(4)
    x, w = torch.randn(2, 3, 6, 6), torch.randn(4, 3, 3, 3)
    args = ([2, 1], [1, 0], [1, 1], False, [0, 0], 1)
    assert_same(cresset.convolution(to_cresset(x), to_cresset(w), None, *args),
                torch.convolution(x, w, None, *args), rtol=1e-5)


def test_half_precision():
    torch.manual_seed(5)
    for dt in (torch.bfloat16, torch.float16):
        x, w = torch.randn(2, 3, 6, 6).to(dt), torch.randn(4, 3, 3, 3).to(dt)
        assert_same(CF.conv2d(to_cresset(x), to_cresset(w), padding=1),
                    F.conv2d(x, w, padding=1), rtol=2e-2, atol=2e-2)


def test_gradcheck_and_gradgradcheck():
    torch.manual_seed(6)
    x = to_cresset(torch.randn(2, 4, 5, 5, dtype=torch.float64)).requires_grad_()
    w = to_cresset(torch.randn(6, 2, 3, 2, dtype=torch.float64)).requires_grad_()
    b = to_cresset(torch.randn(6, dtype=torch.float64)).requires_grad_()

    def fn(x, w, b):
        return CF.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)

    assert cresset.autograd.gradcheck(fn, (x, w, b))
    assert cresset.autograd.gradgradcheck(fn, (x, w, b))
    wt = to_cresset(torch.randn(4, 3, 2, 2, dtype=torch.float64)).requires_grad_()

    def fn_t(x, w):
        return CF.conv_transpose2d(x, w, stride=2, output_padding=1, groups=2)

    assert cresset.autograd.gradgradcheck(fn_t, (x, wt))


def test_double_backward_matches_torch():
    torch.manual_seed(7)
    (cx, cw), (x, w) = _leaves(torch.randn(2, 3, 6, 6, dtype=torch.float64),
                               torch.randn(4, 3, 3, 3, dtype=torch.float64))
    gx, gw = torch.autograd.grad(F.conv2d(x, w, padding=1).pow(2).sum(), (x, w), create_graph=True)
    cgx, cgw = cresset.autograd.grad(CF.conv2d(cx, cw, padding=1).pow(2).sum(), (cx, cw),
                                     create_graph=True)
    assert cgw.grad_fn.name() == gw.grad_fn.name()
    (gx.sum() + gw.pow(2).sum()).backward()
    (cgx.sum() + cgw.pow(2).sum()).backward()
    assert_same(cx.grad, x.grad)
    assert_same(cw.grad, w.grad)


def test_conv_errors():
    x, w = torch.randn(1, 4, 32, 32), torch.randn(6, 3, 5, 5)
    cx, cw = to_cresset(x), to_cresset(w)
    cases = [
        (lambda m, x, w: m.conv2d(x, w)),
        (lambda m, x, w: m.conv2d(x[0, 0], w)),
        (lambda m, x, w: m.conv2d(x[:, :3, :3, :3], w)),
        (lambda m, x, w: m.conv2d(x[:, :3], w, groups=2)),
        (lambda m, x, w: m.conv2d(x[:, :3], w, padding=-1)),
        (lambda m, x, w: m.conv2d(x[:, :3], w, stride=0)),
        (lambda m, x, w: m.conv2d(x[:, :3], w, dilation=0)),
        (lambda m, x, w: m.conv2d(x[:, :3], w, stride=2, padding="same")),
        (lambda m, x, w: m.conv2d(x[:, :3], w, padding="foo")),
        (lambda m, x, w: m.conv2d(x[:, :3], w, stride=(1, 1, 1))),
        (lambda m, x, w: m.conv2d(x[:, :3], w, w[0, 0, 0])),
        (lambda m, x, w: m.conv2d(x[:, :3].double(), w)),
        (lambda m, x, w: m.conv_transpose2d(x[:, :3, :8, :8], w[:3, :2, :3, :3], output_padding=2)),
        (lambda m, x, w: m.conv1d(x[:, :3, 0], w)),
    ]
    for case in cases:
        assert_raises_like(RuntimeError, lambda case=case: case(cresset, cx, cw),
                           lambda case=case: case(torch, x, w))
    with pytest.raises(RuntimeError, match=r"weight of size \[6, 3, 5, 5\].*input\[1, 4, 32, 32\]"):
        CF.conv2d(cx, cw)


PAD_CASES = [
    ((2, 3), (1, 2)), ((2, 3), (-1, 2, 0, 1)), ((1, 2, 5), (1, 1)), ((1, 2, 5, 5), (1, 2, 2, 0)),
    ((1, 2, 3, 5, 5), (1, 1, 2, 2, 1, 0)), ((2, 5), (2, 1)), ((2, 5, 5), (1, 1, 1, 1)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("case", range(len(PAD_CASES)))
def test_pad(mode, case):
    shape, pad = PAD_CASES[case]
    if mode != "constant" and (len(pad) // 2 not in (len(shape) - 1, len(shape) - 2)
                               or min(pad) < 0):
        return
    torch.manual_seed(case)
    x = torch.randn(shape, dtype=torch.float64)
    ours, theirs = _leaves(x)
    y = F.pad(theirs[0], pad, mode=mode)
    cy = CF.pad(ours[0], pad, mode=mode)
    assert_same(cy, y.detach())
    assert cy.grad_fn.name() == y.grad_fn.name()
    g = torch.randn_like(y)
    y.backward(g)
    cy.backward(to_cresset(g))
    assert_same(ours[0].grad, theirs[0].grad)


@pytest.mark.parametrize(("shape", "pad"), [((2, 3, 5), (-1, 2)), ((2, 3, 5), (3, -2)),
                                            ((1, 2, 4, 4), (-2, 1, 0, 3))])
def test_circular_pad_negative_and_double_backward(shape, pad):
    # A band repeats the kept (cropped) interior; the graph ends in CopySlices, as torch's.
    x = torch.randn(shape, dtype=torch.float64)
    ours, theirs = _leaves(x)
    y = F.pad(theirs[0], pad, mode="circular")
    cy = CF.pad(ours[0], pad, mode="circular")
    assert_same(cy, y.detach())
    assert cy.grad_fn.name() == y.grad_fn.name() == "torch::autograd::CopySlices"
    gy, = torch.autograd.grad(y.pow(2).sum(), theirs[0], create_graph=True)
    cgy, = cresset.autograd.grad(cy.pow(2).sum(), ours[0], create_graph=True)
    assert_same(cgy, gy.detach())
    gy.sum().backward()
    cgy.sum().backward()
    assert_same(ours[0].grad, theirs[0].grad)


def test_pad_value_and_errors():
    x = torch.randn(1, 2, 3)
    assert_same(CF.pad(to_cresset(x), (1, 2), value=2.5), F.pad(x, (1, 2), value=2.5))
    assert_same(cresset.constant_pad_nd(to_cresset(x), [1, 1], 3.0),
                torch.constant_pad_nd(x, [1, 1], 3.0))
    cx = to_cresset(x)
    for args, exc in [(((1,),), RuntimeError), (((1,) * 8,), RuntimeError),
                      (((3, 1), "reflect"), RuntimeError), (((4, 1), "circular"), RuntimeError),
                      (((1, 1), "foo"), NotImplementedError),
                      (((1, 1, 1, 1, 1, 1), "reflect"), NotImplementedError)]:
        assert_raises_like(exc, lambda args=args: CF.pad(cx, *args),
                           lambda args=args: F.pad(x, *args))
    assert_raises_like(RuntimeError, lambda: CF.pad(cx, (1, 1), "reflect", 1.0),
                       lambda: F.pad(x, (1, 1), "reflect", 1.0))


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": (2, 3), "dilation": (1, 2),
                                                          "padding": 1, "stride": (2, 1)}])
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_fold(kw, batched):
    torch.manual_seed(8)
    x = torch.randn(2, 3, 7, 8, dtype=torch.float64)
    if not batched:
        x = x[0]
    _check(CF.unfold, F.unfold, (x,), kw)
    cols = F.unfold(x, **kw)
    _check(CF.fold, F.fold, (torch.randn_like(cols),), dict(output_size=(7, 8), **kw))


def test_unfold_fold_errors():
    x = torch.randn(1, 2, 3, 4)
    cx = to_cresset(x)
    assert_raises_like(RuntimeError, lambda: CF.unfold(cx, 5), lambda: F.unfold(x, 5))
    assert_raises_like(RuntimeError, lambda: CF.unfold(cx, 0), lambda: F.unfold(x, 0))
    assert_raises_like(RuntimeError, lambda: CF.unfold(cx, 2, padding=-1),
                       lambda: F.unfold(x, 2, padding=-1))
    c = torch.randn(1, 7, 6)
    assert_raises_like(RuntimeError, lambda: CF.fold(to_cresset(c), (3, 4), 2),
                       lambda: F.fold(c, (3, 4), 2))
    c = torch.randn(1, 8, 5)
    assert_raises_like(RuntimeError, lambda: CF.fold(to_cresset(c), (3, 4), 2),
                       lambda: F.fold(c, (3, 4), 2))


MODULE_SPECS = [
    ("Conv2d", (3, 6, 5), {}, (2, 3, 12, 12)),
    ("Conv2d", (4, 8, 3), {"stride": 2, "padding": 1, "groups": 2, "bias": False}, (2, 4, 9, 9)),
    ("Conv2d", (3, 4, (3, 2)), {"padding": "same", "padding_mode": "reflect"}, (2, 3, 7, 7)),
    ("Conv2d", (3, 4, 3), {"padding": 1, "padding_mode": "circular"}, (3, 7, 6)),
    ("Conv1d", (3, 4, 3), {"padding": 2, "padding_mode": "replicate", "dilation": 2}, (2, 3, 10)),
    ("Conv3d", (2, 4, 2), {"padding": 1}, (1, 2, 4, 5, 4)),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 5, 5)),
    ("ConvTranspose1d", (4, 2, 3), {"groups": 2, "dilation": 2}, (2, 4, 6)),
    ("ConvTranspose3d", (2, 3, 2), {"stride": 2}, (1, 2, 3, 3, 2)),
]


@pytest.mark.parametrize("spec", range(len(MODULE_SPECS)))
def test_conv_modules(spec):
    name, args, kw, shape = MODULE_SPECS[spec]
    torch.manual_seed(spec)
    theirs = getattr(torch.nn, name)(*args, **kw).double()
    ours = getattr(cresset.nn, name)(*args, **kw).double()
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    cx = to_cresset(x).requires_grad_()
    y, cy = theirs(x), ours(cx)
    assert_same(cy, y.detach())
    g = torch.randn_like(y)
    y.backward(g)
    cy.backward(to_cresset(g))
    assert_same(cx.grad, x.grad)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(p.grad, q.grad)


def test_conv_module_init_and_errors():
    m = cresset.nn.Conv2d(16, 8, 3)
    bound = 1 / (16 * 9) ** 0.5
    assert m.weight.shape == (8, 16, 3, 3) and m.bias.shape == (8,)
    assert 0.5 * bound < m.weight.abs().max().item() <= bound
    assert 0.5 * bound < m.bias.abs().max().item() <= bound
    assert cresset.nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    for args, kw in [((4, 6, 3), {"groups": 4}), ((4, 6, 3), {"groups": 0}),
                     ((4, 6, 3), {"padding": "foo"}), ((4, 6, 3), {"padding_mode": "bar"}),
                     ((4, 6, 3), {"padding": "same", "stride": 2})]:
        assert_raises_like(ValueError, lambda args=args, kw=kw: cresset.nn.Conv2d(*args, **kw),
                           lambda args=args, kw=kw: torch.nn.Conv2d(*args, **kw))
    assert_raises_like(ValueError, lambda: cresset.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
                       lambda: torch.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"))


def test_conv_transpose_output_size():
    torch.manual_seed(9)
    theirs = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    ours = cresset.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    x = torch.randn(1, 3, 5, 5)
    for size in [(9, 9), (10, 10), [1, 2, 10, 9]]:
        assert_same(ours(to_cresset(x), output_size=size), theirs(x, output_size=size).detach(),
                    rtol=1e-5)
    assert_raises_like(ValueError, lambda: ours(to_cresset(x), output_size=(12, 12)),
                       lambda: theirs(x, output_size=(12, 12)))


@pytest.mark.parametrize("expr,shape", [
    ("ZeroPad2d(2)", (1, 2, 3, 4)), ("ZeroPad1d((1, 2))", (2, 3)),
    ("ConstantPad1d((1, 2), 3.5)", (2, 3, 4)), ("ConstantPad2d(1, -1.0)", (2, 3, 4)),
    ("ConstantPad3d(1, 2.0)", (1, 2, 2, 3, 2)), ("ReflectionPad1d(2)", (2, 3, 4)),
    ("ReflectionPad2d((1, 0, 2, 1))", (1, 2, 3, 4)), ("ReflectionPad3d(1)", (1, 2, 2, 3, 2)),
    ("ReplicationPad1d(2)", (2, 3, 4)), ("ReplicationPad2d((1, 0, 2, 1))", (2, 3, 4)),
    ("ReplicationPad3d(1)", (2, 2, 3, 2)), ("CircularPad1d(1)", (2, 3, 4)),
    ("CircularPad2d((1, 0, 2, 1))", (1, 2, 3, 4)), ("CircularPad3d(1)", (1, 2, 2, 3, 2)),
    ("Unfold(2, padding=1)", (2, 3, 4, 5)), ("Fold((4, 5), 2)", (2, 8, 12)),
])
def test_padding_and_fold_modules(expr, shape):
    theirs, ours = eval("torch.nn." + expr), eval("cresset.nn." + expr)
    assert repr(ours) == repr(theirs)
    x = torch.randn(shape, dtype=torch.float64)
    assert_same(ours(to_cresset(x)), theirs(x))


def test_nn_pad_functions():
    x = torch.randn(1, 2, 5, 5)
    cx = to_cresset(x)
    for name, pad in [("reflection_pad2d", [1, 2, 0, 1]), ("replication_pad2d", [1, 1, 1, 1]),
                      ("reflection_pad1d", [2, 1]), ("replication_pad3d", [1, 0, 1, 0, 0, 1])]:
        t = x if name.endswith("2d") else x[0] if name.endswith("1d") else x[None]
        c = cx if name.endswith("2d") else cx[0] if name.endswith("1d") else cx[None]
        assert_same(getattr(cresset._C._nn, name)(c, pad), getattr(torch._C._nn, name)(t, pad))
    assert_raises_like(RuntimeError, lambda: cresset._C._nn.reflection_pad2d(cx, [1, 1]),
                       lambda: torch._C._nn.reflection_pad2d(x, [1, 1]))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8])
def test_integer_conv(dtype):
    torch.manual_seed(10)
    x = torch.randint(0, 50, (2, 4, 6, 6)).to(dtype)
    w = torch.randint(0, 50, (6, 2, 3, 3)).to(dtype)
    b = torch.randint(0, 50, (6,)).to(dtype)
    assert_same(CF.conv2d(to_cresset(x), to_cresset(w), to_cresset(b), padding=1, groups=2),
                F.conv2d(x, w, b, padding=1, groups=2))
    args = (x[:, :, 0], w[:4, :, 0])
    if dtype == torch.int64:
        assert_same(CF.conv_transpose1d(*map(to_cresset, args), stride=2),
                    F.conv_transpose1d(*args, stride=2))
    else:
        assert_raises_like(NotImplementedError,
                           lambda: CF.conv_transpose1d(*map(to_cresset, args), stride=2),
                           lambda: F.conv_transpose1d(*args, stride=2))
    xb = torch.ones(1, 2, 4, 4, dtype=torch.bool)
    assert_raises_like(NotImplementedError, lambda: CF.conv2d(to_cresset(xb), to_cresset(xb)),
                       lambda: F.conv2d(xb, xb))
