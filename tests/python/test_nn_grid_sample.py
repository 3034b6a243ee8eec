"""F.affine_grid and F.grid_sample (torch.grid_sampler) against torch: values for every mode,
padding mode and align_corners in 2-D and 3-D, gradients w.r.t. input, grid and theta, grad_fn
names, layouts, empty tensors, warnings and errors."""
import itertools
import math
import warnings

import cresset
import cresset.nn.functional as CF
import pytest
import torch
import torch.nn.functional as F
from utils import assert_raises_like, assert_same, to_cresset

MODES_2D = ["bilinear", "nearest", "bicubic"]
MODES_3D = ["bilinear", "nearest"]
PADDINGS = ["zeros", "border", "reflection"]
CASES_2D = list(itertools.product(MODES_2D, PADDINGS, [False, True]))
CASES_3D = list(itertools.product(MODES_3D, PADDINGS, [False, True]))


def random_grid(n, out_spatial, nd, dtype, spread=1.6):
    """Grid points in [-spread, spread]: many outside [-1, 1], so every padding mode matters."""
    return (torch.rand(n, *out_spatial, nd, dtype=dtype) * 2 - 1) * spread


def compare(input, grid, *, grads=True, **kw):
    """Runs F.grid_sample on (input, grid) in both libraries: output, grad_fn name, and the
    gradients w.r.t. input and grid under a random upstream gradient."""
    x, g = input.detach().clone(), grid.detach().clone()
    cx, cg = to_cresset(x), to_cresset(g)
    if grads:
        for t in (x, g, cx, cg):
            t.requires_grad_()
    theirs = F.grid_sample(x, g, **kw)
    ours = CF.grid_sample(cx, cg, **kw)
    assert_same(ours, theirs)
    if not grads:
        return
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
    up = torch.randn(theirs.shape, dtype=theirs.dtype)
    theirs.backward(up)
    ours.backward(to_cresset(up))
    assert_same(cx.grad, x.grad)
    assert_same(cg.grad, g.grad)


# ---------------------------------------------------------------- grid_sample values and grads


@pytest.mark.parametrize("mode,padding_mode,align_corners", CASES_2D)
def test_grid_sample_2d_float64(mode, padding_mode, align_corners):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 7, dtype=torch.float64)
    g = random_grid(2, (4, 6), 2, torch.float64)
    compare(x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners", CASES_2D)
def test_grid_sample_2d_float32(mode, padding_mode, align_corners):
    torch.manual_seed(1)
    x = torch.randn(3, 2, 6, 5)
    g = random_grid(3, (5, 4), 2, torch.float32)
    compare(x, g, grads=False, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners", CASES_3D)
def test_grid_sample_3d_float64(mode, padding_mode, align_corners):
    torch.manual_seed(2)
    x = torch.randn(2, 2, 4, 5, 3, dtype=torch.float64)
    g = random_grid(2, (3, 2, 4), 3, torch.float64)
    compare(x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners", CASES_3D)
def test_grid_sample_3d_float32(mode, padding_mode, align_corners):
    torch.manual_seed(3)
    x = torch.randn(1, 3, 3, 4, 5)
    g = random_grid(1, (2, 3, 4), 3, torch.float32)
    compare(x, g, grads=False, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners", CASES_2D)
def test_grid_sample_far_points_and_edges(mode, padding_mode, align_corners):
    # Points far outside (several reflections), exactly on the edges and corner centers, and a
    # single-pixel axis (align_corners maps it to one position).
    x = torch.randn(1, 2, 1, 4, dtype=torch.float64)
    pts = torch.tensor([-7.3, -3.5, -1.0, -0.75, -0.5, 0.0, 0.5, 0.75, 1.0, 2.25, 9.1],
                       dtype=torch.float64)
    g = torch.stack(torch.meshgrid(pts, pts.flip(0), indexing="xy"), -1).unsqueeze(0)
    compare(x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode", MODES_2D)
def test_grid_sample_non_contiguous(mode):
    torch.manual_seed(4)
    x = torch.randn(2, 6, 5, 3, dtype=torch.float64).permute(0, 3, 2, 1)  # [2, 3, 5, 6]
    g = random_grid(2, (8, 4), 2, torch.float64).transpose(1, 2)[:, ::2]  # [2, 2, 8, 2]
    assert not x.is_contiguous() and not g.is_contiguous()
    compare(x, g, mode=mode, padding_mode="reflection", align_corners=False)
    g3 = random_grid(1, (3, 4, 2), 3, torch.float64).flip(-1)
    x3 = torch.randn(1, 2, 4, 3, 5, dtype=torch.float64)[..., ::2]
    compare(x3, g3, mode="bilinear" if mode == "bicubic" else mode, padding_mode="border",
            align_corners=True)


@pytest.mark.parametrize("x_shape,g_shape", [
    ((0, 3, 4, 5), (0, 2, 3, 2)),
    ((2, 0, 4, 5), (2, 2, 3, 2)),
    ((2, 3, 4, 5), (2, 0, 3, 2)),
    ((0, 2, 3, 4, 5), (0, 1, 2, 3, 3)),
    ((1, 2, 3, 4, 5), (1, 2, 0, 3, 3)),
])
def test_grid_sample_empty(x_shape, g_shape):
    x = torch.randn(*x_shape, dtype=torch.float64)
    g = torch.rand(*g_shape, dtype=torch.float64) * 2 - 1
    compare(x, g, align_corners=False)
    compare(x, g, mode="nearest", padding_mode="border", align_corners=True)


def test_grid_sample_float16_bfloat16_values():
    # Half-precision inputs are sampled in float32 arithmetic (torch rounds every step to the
    # half dtype, a few ulps off): the result is torch's float32 result rounded once.
    torch.manual_seed(5)
    for dt in (torch.float16, torch.bfloat16):
        x = torch.randn(1, 2, 4, 5).to(dt)
        g = random_grid(1, (3, 3), 2, torch.float32, spread=0.9).to(dt)
        for mode in MODES_2D:
            ours = CF.grid_sample(to_cresset(x), to_cresset(g), mode=mode, align_corners=False)
            theirs = F.grid_sample(x.float(), g.float(), mode=mode, align_corners=False)
            assert_same(ours, theirs.to(dt))


def test_grid_sampler_top_level():
    torch.manual_seed(6)
    x = torch.randn(1, 2, 4, 5, dtype=torch.float64)
    g = random_grid(1, (3, 2), 2, torch.float64)
    for mode, pad, ac in itertools.product(range(3), range(3), (False, True)):
        assert_same(cresset.grid_sampler(to_cresset(x), to_cresset(g), mode, pad, ac),
                    torch.grid_sampler(x, g, mode, pad, ac))


def test_grid_sample_nearest_grid_gradient_is_zero():
    x = torch.tensor([[[[1.0, float("inf")], [2.0, 3.0]]]], dtype=torch.float64)
    g = torch.tensor([[[[0.3, -0.2], [0.9, -0.9]]]], dtype=torch.float64)
    compare(x, g, mode="nearest", align_corners=True)


def test_grid_sample_deterministic_across_thread_counts():
    # Every input-gradient element sums its contributions in one order however the work is split
    # (whole batches per thread, or (batch, channel) planes when threads outnumber the batch): the
    # same bits for any thread count, and torch's values.
    torch.manual_seed(7)
    x, g = torch.randn(2, 3, 20, 24), random_grid(2, (40, 50), 2, torch.float32)
    up = torch.randn(2, 3, 40, 50)
    old = cresset.get_num_threads()
    results = []
    try:
        for n in (1, 2, 3, 4):
            cresset.set_num_threads(n)
            for mode in ("bilinear", "bicubic"):
                cx, cg = to_cresset(x).requires_grad_(), to_cresset(g).requires_grad_()
                out = CF.grid_sample(cx, cg, mode=mode, align_corners=False)
                out.backward(to_cresset(up))
                results.append((n, mode, [t.tolist() for t in (out, cx.grad, cg.grad)]))
    finally:
        cresset.set_num_threads(old)
    for n, mode, r in results:
        assert r == next(r0 for n0, m0, r0 in results if m0 == mode), (n, mode)
    tx, tg = x.clone().requires_grad_(), g.clone().requires_grad_()
    F.grid_sample(tx, tg, mode="bicubic", align_corners=False).backward(up)
    assert_same(cresset.tensor(results[-1][2][1]), tx.grad, rtol=1e-5)


def test_grid_sample_double_backward_is_refused():
    x = cresset.randn(1, 1, 3, 3, dtype=cresset.float64, requires_grad=True)
    g = cresset.zeros(1, 2, 2, 2, dtype=cresset.float64, requires_grad=True)
    out = CF.grid_sample(x, g, align_corners=False)
    gx, gg = cresset.autograd.grad(out.sum(), (x, g), create_graph=True)
    assert gx.grad_fn.name() == "GridSampler2DBackwardBackward0"
    with pytest.raises(NotImplementedError, match=r"^\[grid_sampler\]"):
        gg.sum().backward()


# ---------------------------------------------------------------- affine_grid


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 1, 6), (3, 2, 7, 1), (2, 1, 3, 4, 5),
                                  (1, 2, 1, 2, 3)])
def test_affine_grid(size, align_corners, dtype):
    torch.manual_seed(8)
    nd = len(size) - 2
    theta = torch.randn(size[0], nd, nd + 1, dtype=dtype)
    t, c = theta.clone().requires_grad_(), to_cresset(theta).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning with align_corners
        theirs = F.affine_grid(t, size, align_corners=align_corners)
        ours = CF.affine_grid(c, size, align_corners=align_corners)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == "AffineGridGeneratorBackward0"
    up = torch.randn(theirs.shape, dtype=dtype)
    theirs.backward(up)
    ours.backward(to_cresset(up))
    assert_same(c.grad, t.grad, **({"rtol": 1e-5} if dtype == torch.float32 else {}))


def test_affine_grid_non_contiguous_theta_and_generator():
    torch.manual_seed(9)
    theta = torch.randn(3, 3, 2, dtype=torch.float64).transpose(1, 2)  # [3, 2, 3]
    assert not theta.is_contiguous()
    assert_same(CF.affine_grid(to_cresset(theta), (3, 1, 4, 6), align_corners=False),
                F.affine_grid(theta, (3, 1, 4, 6), align_corners=False))
    assert_same(cresset.affine_grid_generator(to_cresset(theta), [3, 1, 2, 5], True),
                torch.affine_grid_generator(theta, [3, 1, 2, 5], True))


def test_affine_grid_empty_batch_with_unit_size():
    # torch skips the positive-size check for unit-size grids with align_corners=True.
    theta = torch.randn(0, 2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(CF.affine_grid(to_cresset(theta), (0, 1, 1, 4), align_corners=True),
                    F.affine_grid(theta, (0, 1, 1, 4), align_corners=True))


# ---------------------------------------------------------------- end to end


@pytest.mark.parametrize("mode", MODES_2D)
@pytest.mark.parametrize("align_corners", [False, True])
def test_rotation_end_to_end(mode, align_corners):
    """The spatial transformer pattern: rotate an image batch by affine_grid + grid_sample, and
    differentiate the result w.r.t. theta and the image."""
    torch.manual_seed(10)
    angles = torch.tensor([0.3, -1.1, math.pi / 2], dtype=torch.float64)
    cos, sin = angles.cos(), angles.sin()
    zeros = torch.zeros_like(angles)
    theta = torch.stack([torch.stack([cos, -sin, zeros + 0.1], 1),
                         torch.stack([sin, cos, zeros - 0.2], 1)], 1)  # [3, 2, 3]
    img = torch.randn(3, 2, 9, 8, dtype=torch.float64)
    t, x = theta.clone().requires_grad_(), img.clone().requires_grad_()
    ct, cx = to_cresset(theta).requires_grad_(), to_cresset(img).requires_grad_()
    theirs = F.grid_sample(x, F.affine_grid(t, x.shape, align_corners=align_corners), mode=mode,
                           align_corners=align_corners)
    ours = CF.grid_sample(cx, CF.affine_grid(ct, cx.shape, align_corners=align_corners),
                          mode=mode, align_corners=align_corners)
    assert_same(ours, theirs)
    (theirs ** 2).sum().backward()
    (ours ** 2).sum().backward()
    assert_same(cx.grad, x.grad)
    assert_same(ct.grad, t.grad)


def test_rotation_end_to_end_3d_float32():
    torch.manual_seed(11)
    a = 0.7
    theta = torch.tensor([[[math.cos(a), -math.sin(a), 0, 0.1],
                           [math.sin(a), math.cos(a), 0, 0.0],
                           [0, 0, 1, -0.3]]])
    vol = torch.randn(1, 2, 4, 5, 6)
    theirs = F.grid_sample(vol, F.affine_grid(theta, vol.shape, align_corners=False),
                           align_corners=False)
    ours = CF.grid_sample(to_cresset(vol),
                          CF.affine_grid(to_cresset(theta), vol.shape, align_corners=False),
                          align_corners=False)
    assert_same(ours, theirs, atol=1e-5, rtol=1e-5)


# ---------------------------------------------------------------- warnings and errors


def test_align_corners_default_warns():
    theta = torch.eye(2, 3).unsqueeze(0)
    x = torch.randn(1, 1, 3, 3)
    for lib, Fn, conv in ((torch, F, lambda t: t), (cresset, CF, to_cresset)):
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            grid = Fn.affine_grid(conv(theta), (1, 1, 3, 3))
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            out = Fn.grid_sample(conv(x), grid)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Fn.grid_sample(conv(x), Fn.affine_grid(conv(theta), (1, 1, 3, 3), align_corners=False),
                           align_corners=False)
        with pytest.warns(UserWarning, match="unit-size grids"):
            Fn.affine_grid(conv(theta), (1, 1, 1, 3), align_corners=True)
    # The default is align_corners=False.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(CF.grid_sample(to_cresset(x), CF.affine_grid(to_cresset(theta), (1, 1, 3, 3))),
                    F.grid_sample(x, F.affine_grid(theta, (1, 1, 3, 3))))
    del out


def raises_like(exc_type, ours, theirs, prefix):
    assert_raises_like(exc_type, ours, theirs)
    with pytest.raises(exc_type) as e:
        ours()
    assert str(e.value).startswith(f"[{prefix}]"), str(e.value)


GRID_SAMPLE_ERRORS = [
    # (exception, input shape, grid shape, kwargs, input dtype, grid dtype)
    (ValueError, (1, 1, 3, 3), (1, 2, 2, 2), {"mode": "linear"}, "float32", "float32"),
    (ValueError, (1, 1, 3, 3), (1, 2, 2, 2), {"padding_mode": "wrap"}, "float32", "float32"),
    (RuntimeError, (1, 1, 3, 3), (1, 2, 2, 2), {}, "float32", "float64"),
    (RuntimeError, (1, 1, 3, 3), (1, 2, 2, 3), {}, "float32", "float32"),
    (RuntimeError, (2, 1, 3, 3), (3, 2, 2, 2), {}, "float32", "float32"),
    (RuntimeError, (1, 1, 3, 3), (1, 2, 2, 2, 2), {}, "float32", "float32"),
    (RuntimeError, (3, 4, 5), (3, 4, 2), {}, "float32", "float32"),
    (RuntimeError, (1, 1, 2, 3, 3), (1, 1, 2, 2, 3), {"mode": "bicubic"}, "float32", "float32"),
    (RuntimeError, (1, 1, 0, 3), (1, 2, 2, 2), {}, "float32", "float32"),
    (NotImplementedError, (1, 1, 3, 3), (1, 2, 2, 2), {}, "int32", "int32"),
]


@pytest.mark.parametrize("exc,x_shape,g_shape,kw,xdt,gdt", GRID_SAMPLE_ERRORS)
def test_grid_sample_errors(exc, x_shape, g_shape, kw, xdt, gdt):
    x = torch.randn(*x_shape).to(getattr(torch, xdt))
    g = torch.rand(*g_shape).to(getattr(torch, gdt))
    prefix = "grid_sample" if exc is ValueError else "grid_sampler"
    raises_like(exc, lambda: CF.grid_sample(to_cresset(x), to_cresset(g), align_corners=False, **kw),
                lambda: F.grid_sample(x, g, align_corners=False, **kw), prefix)


@pytest.mark.parametrize("exc,theta_shape,size,dtype", [
    (ValueError, (2, 2, 3), (2, 3, 4, 5, 6), "float32"),
    (ValueError, (2, 3, 4), (2, 3, 4, 5), "float32"),
    (ValueError, (2, 2, 3), (2, 3, 4, 5), "int64"),
    (ValueError, (2, 2, 3), (2, 3, 0, 5), "float32"),
    (ValueError, (0, 2, 3), (0, 3, 2, 5), "float32"),
    (NotImplementedError, (2, 2, 3), (2, 3, 4), "float32"),
    (RuntimeError, (2, 2, 3), (3, 3, 4, 5), "float32"),
])
def test_affine_grid_errors(exc, theta_shape, size, dtype):
    theta = torch.randn(*theta_shape).to(getattr(torch, dtype))
    raises_like(exc, lambda: CF.affine_grid(to_cresset(theta), size, align_corners=False),
                lambda: F.affine_grid(theta, size, align_corners=False),
                "affine_grid_generator" if exc is RuntimeError else "affine_grid")
