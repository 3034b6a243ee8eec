"""Pooling, unpooling, interpolation and pixel shuffle against torch: values, indices, gradients,
grad_fn names, double backward, dtypes, layouts and errors."""
import cresset
import cresset.nn.functional as CF
import pytest
import torch
import torch.nn.functional as F
from utils import assert_raises_like, assert_same, to_cresset


def run_both(fn_ours, fn_theirs, t, *, grad=True, dtype=None):
    """Runs both functions on copies of t; compares outputs, grad_fn names and input grads
    (under a fixed random upstream gradient)."""
    t = t.detach().clone()
    c = to_cresset(t)
    if grad:
        t.requires_grad_()
        c.requires_grad_()
    theirs = fn_theirs(t)
    ours = fn_ours(c)
    assert_same(ours, theirs)
    if not grad:
        return ours, theirs
    first_t = theirs[0] if isinstance(theirs, tuple) else theirs
    first_o = ours[0] if isinstance(ours, tuple) else ours
    assert first_o.grad_fn.name() == first_t.grad_fn.name()
    g = torch.randn(first_t.shape, dtype=first_t.dtype)
    first_t.backward(g)
    first_o.backward(to_cresset(g))
    assert_same(c.grad, t.grad)
    return ours, theirs


def rand(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


# ---------------------------------------------------------------- max pooling

MAX2D = [
    ((4, 6, 28, 28), dict(kernel_size=2, stride=2)),
    ((64, 16, 10, 10), dict(kernel_size=2)),
    ((2, 3, 9, 7), dict(kernel_size=2)),
    ((2, 3, 9, 7), dict(kernel_size=(1, 2), stride=(1, 2))),
    ((2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 9, 7), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), ceil_mode=True)),
    ((2, 3, 11, 10), dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    ((3, 8, 8), dict(kernel_size=2, stride=3, ceil_mode=True)),
    ((1, 2, 5, 5), dict(kernel_size=2, ceil_mode=True)),
    ((2, 2, 7, 7), dict(kernel_size=(2,), stride=(1,))),
    ((2, 2, 6, 6), dict(kernel_size=4, stride=1, padding=2)),
]


@pytest.mark.parametrize("shape,kw", MAX2D)
def test_max_pool2d_values_indices_grads(shape, kw):
    torch.manual_seed(0)
    t = rand(*shape)
    run_both(lambda x: CF.max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw), t)
    run_both(lambda x: CF.max_pool2d(x, **kw, return_indices=True),
             lambda x: F.max_pool2d(x, **kw, return_indices=True), t)
    run_both(lambda x: cresset.max_pool2d(x, **kw), lambda x: torch.max_pool2d(x, **kw), t)


def test_max_pool2d_with_indices_and_grad_fn_name():
    t = rand(2, 3, 8, 8)
    ours, theirs = run_both(lambda x: CF.max_pool2d_with_indices(x, 2),
                            lambda x: F.max_pool2d_with_indices(x, 2), t)
    assert ours[0].grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert ours[1].dtype == cresset.int64 and not ours[1].requires_grad


def test_max_pool_nan_ties_and_infinities():
    t = torch.tensor([[[[1.0, float("nan"), 2.0, 2.0],
                        [float("nan"), 0.0, 2.0, 2.0],
                        [float("-inf"), float("-inf"), 3.0, float("nan")],
                        [float("-inf"), float("-inf"), float("inf"), 1.0]]]])
    for k, s, p in [(2, 2, 0), (3, 1, 1), (2, 1, 0)]:
        run_both(lambda x: CF.max_pool2d(x, k, s, p, return_indices=True),
                 lambda x: F.max_pool2d(x, k, s, p, return_indices=True), t)
        run_both(lambda x: CF.max_pool2d(x, k, s, p), lambda x: F.max_pool2d(x, k, s, p), t,
                 grad=False)
    big = rand(3, 5, 12, 17)
    big[0, 1, 3, 4] = float("nan")
    run_both(lambda x: CF.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), big, grad=False)


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_max_pool2d_dtypes(dtype):
    t = rand(2, 3, 9, 9).to(getattr(torch, dtype))
    run_both(lambda x: CF.max_pool2d(x, 3, 2, 1, return_indices=True),
             lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True), t)
    run_both(lambda x: CF.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), t)


def test_max_pool2d_layouts_and_empty_batch():
    base = rand(2, 3, 10, 12)
    for t in [base.transpose(2, 3), base[:, :, ::2], base.permute(0, 1, 3, 2)[:, 1:]]:
        run_both(lambda x: CF.max_pool2d(x, 2, return_indices=True),
                 lambda x: F.max_pool2d(x, 2, return_indices=True), t)
    run_both(lambda x: CF.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), rand(0, 3, 4, 4))
    run_both(lambda x: CF.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), rand(1, 1, 2, 2))


@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, dilation=2, ceil_mode=True)])
def test_max_pool1d(kw):
    t = rand(2, 3, 15)
    run_both(lambda x: CF.max_pool1d(x, **kw), lambda x: F.max_pool1d(x, **kw), t)
    run_both(lambda x: CF.max_pool1d(x, **kw, return_indices=True),
             lambda x: F.max_pool1d(x, **kw, return_indices=True), t)
    run_both(lambda x: cresset.max_pool1d_with_indices(x, **kw),
             lambda x: torch.max_pool1d_with_indices(x, **kw), rand(3, 15))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(3, 2, 2), stride=(2, 1, 2),
                                                          padding=(1, 0, 1), ceil_mode=True)])
def test_max_pool3d(kw):
    t = rand(2, 2, 6, 7, 8)
    run_both(lambda x: CF.max_pool3d(x, **kw, return_indices=True),
             lambda x: F.max_pool3d(x, **kw, return_indices=True), t)
    run_both(lambda x: CF.max_pool3d(x, **kw), lambda x: F.max_pool3d(x, **kw), t[0])


def test_max_pool_double_backward_and_gradcheck():
    t = rand(1, 2, 6, 6, dtype=torch.float64)
    c = to_cresset(t).requires_grad_()
    assert cresset.autograd.gradcheck(lambda x: CF.max_pool2d(x, 3, 2, 1), (c,))
    assert cresset.autograd.gradgradcheck(lambda x: CF.max_pool2d(x, 2), (c,))
    t.requires_grad_()
    g = torch.randn(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    gc = to_cresset(g.detach()).requires_grad_()
    (gi_t,) = torch.autograd.grad(F.max_pool2d(t, 2), t, g, create_graph=True)
    (gi_c,) = cresset.autograd.grad(CF.max_pool2d(c, 2), c, gc, create_graph=True)
    assert gi_c.grad_fn.name() == gi_t.grad_fn.name()
    (gi_t * gi_t).sum().backward()
    (gi_c * gi_c).sum().backward()
    assert_same(gc.grad, g.grad)


def test_max_pool_errors():
    x = rand(2, 3, 8, 8)
    for fn in [lambda m, f: f.max_pool2d(m, 0),
               lambda m, f: f.max_pool2d(m, 2, 0),
               lambda m, f: f.max_pool2d(m, 2, 2, 2),
               lambda m, f: f.max_pool2d(m, 2, 2, 0, 0),
               lambda m, f: f.max_pool2d(m, (2, 2, 2)),
               lambda m, f: f.max_pool2d(m, 2, padding=-1)]:
        assert_raises_like(RuntimeError, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))
    for bad in [rand(2, 3, 1, 1), rand(8, 8), rand(1, 2, 3, 8, 8), rand(2, 0, 8, 8)]:
        assert_raises_like(RuntimeError, lambda: CF.max_pool2d(to_cresset(bad), 2),
                           lambda: F.max_pool2d(bad, 2))
    with pytest.raises(RuntimeError, match=r"Output size is too small"):
        CF.max_pool2d(cresset.zeros(2, 3, 1, 1), 2)
    with pytest.raises(RuntimeError, match=r"\[2, 0, 8, 8\]"):
        CF.max_pool2d(cresset.zeros(2, 0, 8, 8), 2)
    assert_raises_like(RuntimeError, lambda: CF.max_pool1d(cresset.zeros(8), 2),
                       lambda: F.max_pool1d(torch.zeros(8), 2))


# ---------------------------------------------------------------- average pooling

AVG2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1), divisor_override=5),
    dict(kernel_size=2, stride=3, ceil_mode=True, count_include_pad=False),
]


@pytest.mark.parametrize("kw", AVG2D)
def test_avg_pool2d(kw):
    t = rand(2, 3, 9, 8)
    run_both(lambda x: CF.avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw), t)
    run_both(lambda x: CF.avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw),
             rand(3, 8, 9).transpose(1, 2))


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_avg_pool_dtypes(dtype):
    t = rand(2, 3, 8, 8).to(getattr(torch, dtype))
    run_both(lambda x: CF.avg_pool2d(x, 2), lambda x: F.avg_pool2d(x, 2), t)
    run_both(lambda x: CF.adaptive_avg_pool2d(x, 3), lambda x: F.adaptive_avg_pool2d(x, 3), t)


def test_avg_pool1d_3d():
    for kw in [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1,
                                          count_include_pad=False, ceil_mode=True)]:
        run_both(lambda x: CF.avg_pool1d(x, **kw), lambda x: F.avg_pool1d(x, **kw), rand(2, 3, 10))
        run_both(lambda x: CF.avg_pool3d(x, **kw), lambda x: F.avg_pool3d(x, **kw),
                 rand(2, 2, 5, 6, 7))


def test_avg_pool_double_backward():
    t = rand(1, 2, 6, 6, dtype=torch.float64)
    c = to_cresset(t).requires_grad_()
    assert cresset.autograd.gradcheck(lambda x: CF.avg_pool2d(x, 3, 2, 1), (c,))
    assert cresset.autograd.gradgradcheck(lambda x: CF.avg_pool2d(x, 3, 2, 1), (c,))
    assert cresset.autograd.gradgradcheck(lambda x: CF.adaptive_avg_pool2d(x, 4), (c,))


def test_avg_pool_errors():
    x = rand(2, 3, 8, 8)
    for fn in [lambda m, f: f.avg_pool2d(m, 2, 2, 2),
               lambda m, f: f.avg_pool2d(m, 2, divisor_override=0),
               lambda m, f: f.avg_pool2d(m[None], 2),
               lambda m, f: f.avg_pool2d(m, 9)]:
        assert_raises_like(RuntimeError, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))
    assert_raises_like(RuntimeError, lambda: CF.avg_pool1d(cresset.zeros(2, 3, 8), (2, 2)),
                       lambda: F.avg_pool1d(torch.zeros(2, 3, 8), (2, 2)))


# ---------------------------------------------------------------- adaptive pooling

@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 4), (7, 7), (9, 10)])
def test_adaptive_pool2d(size):
    t = rand(2, 3, 7, 9)
    run_both(lambda x: CF.adaptive_avg_pool2d(x, size), lambda x: F.adaptive_avg_pool2d(x, size), t)
    run_both(lambda x: CF.adaptive_max_pool2d(x, size, return_indices=True),
             lambda x: F.adaptive_max_pool2d(x, size, return_indices=True), t)
    run_both(lambda x: CF.adaptive_max_pool2d(x, size), lambda x: F.adaptive_max_pool2d(x, size),
             t[0])


def test_adaptive_avg_pool2d_global_is_a_mean():
    ours, theirs = run_both(lambda x: CF.adaptive_avg_pool2d(x, (1, 1)),
                            lambda x: F.adaptive_avg_pool2d(x, (1, 1)), rand(8, 64, 7, 7))
    assert ours.grad_fn.name() == "MeanBackward1"
    run_both(lambda x: CF.adaptive_avg_pool2d(x, 2), lambda x: F.adaptive_avg_pool2d(x, 2),
             rand(2, 0, 4, 4), grad=False)


@pytest.mark.parametrize("size", [1, 4, 11])
def test_adaptive_pool1d_3d(size):
    run_both(lambda x: CF.adaptive_avg_pool1d(x, size), lambda x: F.adaptive_avg_pool1d(x, size),
             rand(2, 3, 11))
    run_both(lambda x: CF.adaptive_max_pool1d(x, size, return_indices=True),
             lambda x: F.adaptive_max_pool1d(x, size, return_indices=True), rand(3, 11))
    run_both(lambda x: CF.adaptive_avg_pool3d(x, size), lambda x: F.adaptive_avg_pool3d(x, size),
             rand(1, 2, 5, 6, 7))
    run_both(lambda x: CF.adaptive_max_pool3d(x, size, return_indices=True),
             lambda x: F.adaptive_max_pool3d(x, size, return_indices=True), rand(1, 2, 5, 6, 7))


def test_adaptive_errors():
    x = rand(2, 3, 8, 8)
    for fn in [lambda m, f: f.adaptive_avg_pool2d(m, (3, 3, 3)),
               lambda m, f: f.adaptive_max_pool2d(m, (3, 3, 3)),
               lambda m, f: f.adaptive_avg_pool2d(m.flatten(), 3),
               lambda m, f: f.adaptive_avg_pool2d(m[:, :, :0], 3),
               lambda m, f: f.adaptive_max_pool2d(m[:, :0], 3),
               lambda m, f: f.adaptive_avg_pool2d(m, -1)]:
        assert_raises_like(RuntimeError, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))
    assert_raises_like(NotImplementedError,
                       lambda: CF.adaptive_avg_pool2d(to_cresset(x).long(), 3),
                       lambda: F.adaptive_avg_pool2d(x.long(), 3))


# ---------------------------------------------------------------- unpooling

def test_max_unpool2d_roundtrip_and_grads():
    t = rand(2, 3, 8, 8)
    out_t, ind_t = F.max_pool2d(t, 2, return_indices=True)
    out_c, ind_c = CF.max_pool2d(to_cresset(t), 2, return_indices=True)
    for kw in [{}, dict(output_size=(9, 9)), dict(output_size=(2, 3, 9, 8))]:
        run_both(lambda x: CF.max_unpool2d(x, ind_c, 2, **kw),
                 lambda x: F.max_unpool2d(x, ind_t, 2, **kw), out_t)
    t1 = rand(2, 3, 10)
    out_t, ind_t = F.max_pool1d(t1, 3, 2, return_indices=True)
    ind_c = to_cresset(ind_t)
    run_both(lambda x: CF.max_unpool1d(x, ind_c, 3, 2), lambda x: F.max_unpool1d(x, ind_t, 3, 2),
             out_t)
    t3 = rand(1, 2, 4, 4, 4)
    out_t, ind_t = F.max_pool3d(t3, 2, return_indices=True)
    ind_c = to_cresset(ind_t)
    run_both(lambda x: CF.max_unpool3d(x, ind_c, 2), lambda x: F.max_unpool3d(x, ind_t, 2), out_t)


def test_max_unpool_errors():
    x = rand(1, 1, 2, 2)
    bad = torch.tensor([[[[0, 1], [2, 16]]]])
    assert_raises_like(RuntimeError, lambda: CF.max_unpool2d(to_cresset(x), to_cresset(bad), 2),
                       lambda: F.max_unpool2d(x, bad, 2))
    neg = torch.tensor([[[[0, 1], [2, -1]]]])
    assert_raises_like(RuntimeError, lambda: CF.max_unpool2d(to_cresset(x), to_cresset(neg), 2),
                       lambda: F.max_unpool2d(x, neg, 2))
    assert_raises_like(ValueError,
                       lambda: CF.max_unpool2d(to_cresset(x), to_cresset(bad), 2, output_size=(9, 9)),
                       lambda: F.max_unpool2d(x, bad, 2, output_size=(9, 9)))
    assert_raises_like(RuntimeError,
                       lambda: CF.max_unpool2d(to_cresset(x), to_cresset(bad).float(), 2),
                       lambda: F.max_unpool2d(x, bad.float(), 2))


# ---------------------------------------------------------------- interpolation

INTERP = [
    ((2, 3, 5, 7), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(8, 3), mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=1.7, mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=(0.5, 1.3), mode="nearest-exact")),
    ((2, 3, 5, 7), dict(size=(11, 4), mode="nearest-exact")),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(size=(3, 12), mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5, 7), dict(scale_factor=2.5, mode="bicubic")),
    ((2, 3, 5, 7), dict(size=(4, 9), mode="bicubic", align_corners=True)),
    ((2, 3, 5, 7), dict(size=(3, 4), mode="area")),
    ((2, 3, 9), dict(scale_factor=2, mode="linear")),
    ((2, 3, 9), dict(size=5, mode="linear", align_corners=True)),
    ((2, 3, 9), dict(scale_factor=3, mode="nearest")),
    ((1, 2, 3, 4, 5), dict(scale_factor=2, mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(size=(5, 3, 7), mode="nearest")),
    ((2, 3, 17, 23), dict(size=(5, 7), mode="bilinear", antialias=True)),
    ((2, 3, 17, 23), dict(size=(30, 9), mode="bicubic", antialias=True)),
    ((1, 2, 64, 64), dict(size=(7, 5), mode="bilinear", antialias=True, align_corners=True)),
    ((1, 2, 9, 9), dict(scale_factor=(0.5, 2.0), mode="bicubic", antialias=True)),
]


@pytest.mark.parametrize("shape,kw", INTERP)
def test_interpolate(shape, kw):
    t = rand(*shape)
    run_both(lambda x: CF.interpolate(x, **kw), lambda x: F.interpolate(x, **kw), t)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_interpolate_dtypes(mode, dtype):
    t = rand(2, 3, 5, 6).to(getattr(torch, dtype))
    run_both(lambda x: CF.interpolate(x, scale_factor=2, mode=mode),
             lambda x: F.interpolate(x, scale_factor=2, mode=mode), t)


def test_interpolate_double_backward_and_layouts():
    t = rand(1, 2, 4, 5, dtype=torch.float64)
    c = to_cresset(t).requires_grad_()
    assert cresset.autograd.gradgradcheck(
        lambda x: CF.interpolate(x, scale_factor=2, mode="bilinear"), (c,))
    run_both(lambda x: CF.interpolate(x, scale_factor=2, mode="bilinear"),
             lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
             rand(2, 3, 6, 5).transpose(2, 3))


def test_interpolate_errors():
    x = rand(1, 1, 4, 4)
    for exc, fn in [
            (ValueError, lambda m, f: f.interpolate(m, size=2, scale_factor=2)),
            (ValueError, lambda m, f: f.interpolate(m)),
            (ValueError, lambda m, f: f.interpolate(m, size=(2, 2, 2))),
            (ValueError, lambda m, f: f.interpolate(m, scale_factor=2, align_corners=True)),
            (ValueError, lambda m, f: f.interpolate(m, size=2, recompute_scale_factor=True)),
            (ValueError, lambda m, f: f.interpolate(m, size=2, antialias=True)),
            (ValueError, lambda m, f: f.interpolate(m[0], size=2, mode="linear", antialias=True)),
            (NotImplementedError, lambda m, f: f.interpolate(m, scale_factor=2, mode="linear")),
            (NotImplementedError, lambda m, f: f.interpolate(m[0, 0], scale_factor=2)),
            (RuntimeError, lambda m, f: f.interpolate(m, scale_factor=0.1))]:
        assert_raises_like(exc, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))


def test_interpolate_argument_messages():
    # The argument checks are C++ (nn/interpolate.cpp) and say what torch's say.
    x = rand(1, 1, 4, 4)
    for fn in [lambda m, f: f.interpolate(m, size=[3]),
               lambda m, f: f.interpolate(m, scale_factor=[2.0]),
               lambda m, f: f.interpolate(m, scale_factor=[2.0, 0.5, 1.0]),
               lambda m, f: f.interpolate(m, size=3, mode="area", align_corners=False),
               lambda m, f: f.interpolate(m, size=3, scale_factor=2.0),
               lambda m, f: f.interpolate(m),
               lambda m, f: f.interpolate(m, size=3, recompute_scale_factor=True),
               lambda m, f: f.interpolate(m[0], size=3, mode="bicubic", antialias=True),
               lambda m, f: f.interpolate(m, size=3, mode="trilinear"),
               lambda m, f: f.interpolate(m, size=3, mode="cubic"),
               lambda m, f: f.interpolate(m[0, 0], size=3)]:
        with pytest.raises(Exception) as theirs:
            fn(x, F)
        with pytest.raises(type(theirs.value)) as ours:
            fn(to_cresset(x), CF)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kw", [dict(scale_factor=0.5, mode="area"),
                                dict(scale_factor=(0.5, 0.75), mode="area"),
                                dict(scale_factor=1.5, mode="nearest", recompute_scale_factor=True),
                                dict(size=(3, 5), mode="bilinear", antialias=True),
                                dict(scale_factor=(2, 1.5), mode="bicubic", align_corners=True)])
def test_interpolate_dispatch(kw):
    run_both(lambda x: CF.interpolate(x, **kw), lambda x: F.interpolate(x, **kw), rand(2, 3, 6, 8))


# ---------------------------------------------------------------- pixel shuffle

def test_pixel_shuffle_unshuffle():
    run_both(lambda x: CF.pixel_shuffle(x, 2), lambda x: F.pixel_shuffle(x, 2), rand(2, 8, 3, 4))
    run_both(lambda x: cresset.pixel_shuffle(x, 3), lambda x: torch.pixel_shuffle(x, 3),
             rand(9, 2, 2))
    run_both(lambda x: CF.pixel_unshuffle(x, 2), lambda x: F.pixel_unshuffle(x, 2),
             rand(2, 3, 2, 4, 6))
    run_both(lambda x: CF.pixel_unshuffle(x, 2), lambda x: F.pixel_unshuffle(x, 2),
             rand(2, 3, 6, 4).transpose(2, 3))
    for fn in [lambda m, f: f.pixel_shuffle(m, 3), lambda m, f: f.pixel_shuffle(m[0, 0], 2),
               lambda m, f: f.pixel_shuffle(m, 0), lambda m, f: f.pixel_unshuffle(m, 3)]:
        x = rand(1, 8, 4, 4)
        assert_raises_like(RuntimeError, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))


# ---------------------------------------------------------------- modules

MODULES = [
    ("MaxPool2d", (2,), {}, (4, 6, 28, 28)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, dilation=1, ceil_mode=True), (2, 3, 9, 9)),
    ("MaxPool1d", (3,), dict(stride=2), (2, 3, 11)),
    ("MaxPool3d", ((2, 2, 2),), {}, (1, 2, 4, 4, 4)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1), (2, 3, 11)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9, 9)),
    ("AvgPool2d", ((2, 3),), dict(divisor_override=4), (2, 3, 8, 9)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("LPPool1d", (2, 3), {}, (2, 3, 9)),
    ("LPPool2d", (1.5, 2), dict(stride=1), (2, 3, 6, 6)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 11)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 8, 7, 7)),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (2, 3, 7, 9)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 5, 5)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 11)),
    ("AdaptiveMaxPool2d", (3,), {}, (2, 3, 7, 9)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 5, 5, 5)),
    ("Upsample", (), dict(scale_factor=2), (2, 3, 4, 5)),
    ("Upsample", (), dict(size=(7, 3), mode="bilinear"), (2, 3, 4, 5)),
    ("Upsample", (), dict(scale_factor=(2, 1.5), mode="bicubic", align_corners=True),
     (2, 3, 4, 5)),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", (), dict(size=6), (2, 3, 4, 5)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6)),
]


@pytest.mark.parametrize("name,args,kw,shape", MODULES)
def test_modules_match_torch(name, args, kw, shape):
    theirs = getattr(torch.nn, name)(*args, **kw)
    ours = getattr(cresset.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    t = rand(*shape).abs() + 0.1 if name.startswith("LP") else rand(*shape)
    run_both(ours, theirs, t)


def test_unpool_modules_and_return_indices():
    pool_t, pool_c = torch.nn.MaxPool2d(2, return_indices=True), cresset.nn.MaxPool2d(
        2, return_indices=True)
    unpool_t, unpool_c = torch.nn.MaxUnpool2d(2), cresset.nn.MaxUnpool2d(2)
    assert repr(unpool_c) == repr(unpool_t) and repr(pool_c) == repr(pool_t)
    t = rand(2, 3, 6, 6)
    out_t, ind_t = pool_t(t)
    out_c, ind_c = pool_c(to_cresset(t))
    assert_same((out_c, ind_c), (out_t, ind_t))
    assert_same(unpool_c(out_c, ind_c), unpool_t(out_t, ind_t))
    assert_same(unpool_c(out_c, ind_c, output_size=[7, 7]),
                unpool_t(out_t, ind_t, output_size=[7, 7]))
    for n in (1, 3):
        assert repr(getattr(cresset.nn, f"MaxUnpool{n}d")(3, 2)) == repr(
            getattr(torch.nn, f"MaxUnpool{n}d")(3, 2))
    am_t, am_c = torch.nn.AdaptiveMaxPool2d(3, True), cresset.nn.AdaptiveMaxPool2d(3, True)
    assert_same(am_c(to_cresset(t)), am_t(t))


def test_tutorial_cnn_pooling_path():
    """The tutorial net's conv -> relu -> MaxPool2d(2, 2) chain, forward and backward."""
    pool_t, pool_c = torch.nn.MaxPool2d(2, 2), cresset.nn.MaxPool2d(2, 2)
    for shape in [(4, 6, 28, 28), (4, 16, 10, 10), (1, 6, 28, 28)]:
        t = rand(*shape)
        run_both(lambda x: pool_c(x.relu()).flatten(1).sum(1),
                 lambda x: pool_t(x.relu()).flatten(1).sum(1), t)


def test_integer_dtypes_as_torch():
    x = torch.randint(-50, 50, (2, 3, 6, 7))
    for dt in [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]:
        t = x.abs().to(dt) if dt == torch.uint8 else x.to(dt)
        c = to_cresset(t)
        assert_same(CF.max_pool2d(c, 2, return_indices=True), F.max_pool2d(t, 2, return_indices=True))
        assert_same(CF.max_pool2d(c, 3, 1, 1), F.max_pool2d(t, 3, 1, 1))
        assert_same(CF.max_pool3d(c[None], (1, 2, 2)), F.max_pool3d(t[None], (1, 2, 2)))
        assert_same(CF.max_pool1d(c[0], 2, return_indices=True),
                    F.max_pool1d(t[0], 2, return_indices=True))
    assert_same(CF.max_pool2d(to_cresset(-x - 60), 2), F.max_pool2d(-x - 60, 2))
    assert_same(CF.avg_pool2d(to_cresset(x), 3, 2, 1), F.avg_pool2d(x, 3, 2, 1))
    assert_same(CF.avg_pool1d(to_cresset(x[0]), 2), F.avg_pool1d(x[0], 2))
    for fn in [lambda m, f: f.max_pool2d(m.bool(), 2), lambda m, f: f.avg_pool2d(m.int(), 2),
               lambda m, f: f.adaptive_max_pool2d(m, 2), lambda m, f: f.max_pool1d(m[0], 2)]:
        assert_raises_like(NotImplementedError, lambda: fn(to_cresset(x), CF), lambda: fn(x, F))


@pytest.mark.parametrize("fn", [
    lambda f, x: f.avg_pool2d(x, 3, 2, 1),
    lambda f, x: f.adaptive_avg_pool2d(x, 4),
    lambda f, x: f.adaptive_max_pool2d(x, 4),
    lambda f, x: f.interpolate(x, scale_factor=2, mode="bilinear"),
    lambda f, x: f.interpolate(x, scale_factor=1.5, mode="bicubic"),
    lambda f, x: f.interpolate(x, size=(3, 9), mode="nearest"),
    lambda f, x: f.pixel_shuffle(x, 2),
    lambda f, x: f.pixel_unshuffle(x, 2),
])
def test_backward_of_backward_names_and_values(fn):
    t = rand(1, 4, 6, 6, dtype=torch.float64)
    c = to_cresset(t).requires_grad_()
    t.requires_grad_()
    out_t, out_c = fn(F, t), fn(CF, c)
    g = torch.randn(out_t.shape, dtype=torch.float64, requires_grad=True)
    gc = to_cresset(g.detach()).requires_grad_()
    (gi_t,) = torch.autograd.grad(out_t, t, g, create_graph=True)
    (gi_c,) = cresset.autograd.grad(out_c, c, gc, create_graph=True)
    assert_same(gi_c, gi_t)
    assert gi_c.grad_fn.name() == gi_t.grad_fn.name()
    w = torch.randn(gi_t.shape, dtype=torch.float64)
    (gi_t * w).sum().backward()
    (gi_c * to_cresset(w)).sum().backward()
    assert_same(gc.grad, g.grad)
    assert cresset.autograd.gradcheck(lambda x: fn(CF, x), (c.detach().requires_grad_(),))


def test_absurd_sizes_raise_instead_of_crashing():
    x = rand(1, 4, 4, 4)
    assert_raises_like(RuntimeError, lambda: CF.max_pool2d(to_cresset(x), 2 ** 40, 1),
                       lambda: F.max_pool2d(x, 2 ** 40, 1))
    assert_raises_like(ValueError, lambda: CF.pixel_shuffle(to_cresset(x), 2 ** 33),
                       lambda: F.pixel_shuffle(x, 2 ** 33))
    bad = torch.tensor([[[[0, 1], [2, 2 ** 40]]]])
    assert_raises_like(RuntimeError,
                       lambda: CF.max_unpool2d(to_cresset(x[:1, :1, :2, :2]), to_cresset(bad), 2),
                       lambda: F.max_unpool2d(x[:1, :1, :2, :2], bad, 2))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_fractional_max_pool2d(dtype):
    dt = getattr(torch, dtype)
    t = rand(2, 3, 11, 9).to(dt)
    samples = torch.rand(2, 3, 2, dtype=dt)
    sc = to_cresset(samples)
    for kw in [dict(kernel_size=2, output_size=(5, 4)), dict(kernel_size=(3, 2), output_ratio=(0.5, 0.6)),
               dict(kernel_size=3, output_size=(9, 7)), dict(kernel_size=2, output_size=1)]:
        run_both(lambda x: CF.fractional_max_pool2d(x, **kw, return_indices=True,
                                                    _random_samples=sc),
                 lambda x: F.fractional_max_pool2d(x, **kw, return_indices=True,
                                                   _random_samples=samples), t)
    run_both(lambda x: CF.fractional_max_pool2d(x, 2, (4, 4), _random_samples=sc[:1]),
             lambda x: F.fractional_max_pool2d(x, 2, (4, 4), _random_samples=samples[:1]), t[0])
    ours = cresset.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5))
    assert repr(ours) == repr(torch.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5)))
    assert tuple(ours(to_cresset(t)).shape) == (2, 3, 5, 4)
    assert_raises_like(RuntimeError, lambda: CF.fractional_max_pool2d(to_cresset(t), 5, (9, 9)),
                       lambda: F.fractional_max_pool2d(t, 5, (9, 9)))
