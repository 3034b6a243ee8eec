"""Autograd of the view family against torch: node names and gradients of views, copies and
splits; in-place ops on views (CopySlices); double backward; gradcheck."""
import pytest
import torch
from utils import assert_same, to_cresset

import cresset


def make_input(shape, layout, dtype, seed):
    """The same leaf in torch and cresset: values, dtype, strides (transposed: reversed memory
    order, expanded: a stride-0 leading dim)."""
    gen = torch.Generator().manual_seed(seed)
    tdtype = getattr(torch, dtype)
    if layout == "transposed" and len(shape) >= 2:
        t = torch.randn(tuple(reversed(shape)), generator=gen, dtype=tdtype)
        t = t.permute(*reversed(range(len(shape))))
    elif layout == "expanded" and len(shape) >= 1 and shape[0] > 0:
        t = torch.randn((1,) + tuple(shape[1:]), generator=gen, dtype=tdtype).expand(shape)
    else:
        t = torch.randn(shape, generator=gen, dtype=tdtype)
    return to_cresset(t).requires_grad_(), t.detach().requires_grad_()


def outputs_of(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def run_both(fn, shapes, layout="contiguous", dtype="float64", used=None):
    """Runs fn on the same leaves in both libraries, backpropagates the same random gradients
    from the outputs listed in `used` (default all) and compares names and gradients."""
    pairs = [make_input(s, layout, dtype, seed=i) for i, s in enumerate(shapes)]
    try:
        theirs = outputs_of(fn(torch, *[p[1] for p in pairs]))
    except RuntimeError:  # e.g. view() of a transposed input: ours must refuse it too
        with pytest.raises(RuntimeError):
            fn(cresset, *[p[0] for p in pairs])
        return
    ours = outputs_of(fn(cresset, *[p[0] for p in pairs]))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same(o, t)
        assert (o.grad_fn is None) == (t.grad_fn is None)
        if t.grad_fn is not None:
            assert o.grad_fn.name() == t.grad_fn.name()
    idx = range(len(theirs)) if used is None else used
    gen = torch.Generator().manual_seed(100)
    tg = [torch.randn(theirs[i].shape, generator=gen, dtype=theirs[i].dtype) for i in idx]
    torch.autograd.backward([theirs[i] for i in idx], tg)
    cresset.autograd.backward([ours[i] for i in idx], [to_cresset(g) for g in tg])
    for (c, t) in pairs:
        if t.grad is None:
            assert c.grad is None
        else:
            assert_same(c.grad, t.grad)


# (id, input shapes, fn(lib, *inputs)). Every differentiable op of the family appears here.
OPS = [
    ("as_strided", [(3, 4)], lambda L, x: L.as_strided(x, (2, 3), (2, 1), 1)),
    ("as_strided_overlap", [(3, 4)], lambda L, x: x.as_strided((3, 3), (1, 1))),
    ("as_strided_stride0", [(3, 4)], lambda L, x: x.as_strided((2, 3), (0, 2), 2)),
    ("select", [(3, 4)], lambda L, x: x.select(1, -1)),
    ("select_fn", [(2, 3, 4)], lambda L, x: L.select(x, 0, 1)),
    ("slice", [(5, 4)], lambda L, x: x.tensor_split([1, 3])[1]),
    ("slice_dim1", [(3, 6)], lambda L, x: L.tensor_split(x, [2, 7], 1)[1]),
    ("narrow", [(3, 4)], lambda L, x: x.narrow(1, 1, 2)),
    ("narrow_fn", [(5, 2)], lambda L, x: L.narrow(x, 0, -3, 2)),
    ("unsqueeze", [(3, 4)], lambda L, x: x.unsqueeze(1)),
    ("unsqueeze_0dim", [()], lambda L, x: L.unsqueeze(x, -1)),
    ("squeeze", [(1, 3, 1, 2)], lambda L, x: x.squeeze()),
    ("squeeze_dim", [(1, 3, 1, 2)], lambda L, x: x.squeeze(2)),
    ("squeeze_dims", [(1, 3, 1, 2)], lambda L, x: x.squeeze((0, 2))),
    ("squeeze_noop", [(3, 2)], lambda L, x: L.squeeze(x, 1)),
    ("expand", [(3, 1)], lambda L, x: x.expand(2, 3, 4)),
    ("expand_keep", [(1, 4)], lambda L, x: x.expand(-1, 4)),
    ("expand_0dim", [()], lambda L, x: x.expand(2, 3)),
    ("expand_as", [(4,)], lambda L, x: x.expand_as(L.zeros(3, 4))),
    ("broadcast_to", [(3, 1)], lambda L, x: L.broadcast_to(x, (3, 5))),
    ("permute", [(2, 3, 4)], lambda L, x: x.permute(2, 0, 1)),
    ("transpose", [(2, 3, 4)], lambda L, x: x.transpose(0, 2)),
    ("t", [(3, 4)], lambda L, x: x.t()),
    ("t_1d", [(3,)], lambda L, x: L.t(x)),
    ("T", [(3, 4)], lambda L, x: x.T),
    ("mT", [(2, 3, 4)], lambda L, x: x.mT),
    ("mH", [(2, 3, 4)], lambda L, x: x.mH),
    ("H", [(3, 4)], lambda L, x: x.H),
    ("adjoint", [(3, 4)], lambda L, x: L.adjoint(x)),
    ("swapaxes", [(2, 3, 4)], lambda L, x: x.swapaxes(0, 1)),
    ("swapdims", [(2, 3, 4)], lambda L, x: L.swapdims(x, 2, 1)),
    ("movedim", [(2, 3, 4)], lambda L, x: x.movedim(0, 2)),
    ("moveaxis", [(2, 3, 4)], lambda L, x: L.moveaxis(x, (0, 1), (2, 0))),
    ("view", [(3, 4)], lambda L, x: x.view(2, 6)),
    ("view_infer", [(3, 4)], lambda L, x: x.view(-1)),
    ("reshape", [(3, 4)], lambda L, x: x.reshape(4, 3)),
    ("reshape_fn", [(3, 4)], lambda L, x: L.reshape(x, (2, 2, 3))),
    ("flatten", [(2, 3, 4)], lambda L, x: x.flatten()),
    ("flatten_part", [(2, 3, 4)], lambda L, x: x.flatten(1)),
    ("flatten_0dim", [()], lambda L, x: x.flatten()),
    ("unflatten", [(3, 4)], lambda L, x: x.unflatten(1, (2, 2))),
    ("ravel", [(3, 4)], lambda L, x: x.ravel()),
    ("view_as", [(3, 4)], lambda L, x: x.view_as(L.zeros(12))),
    ("reshape_as", [(3, 4)], lambda L, x: x.reshape_as(L.zeros(2, 6))),
    ("diagonal", [(3, 4)], lambda L, x: x.diagonal()),
    ("diagonal_offset", [(2, 3, 4)], lambda L, x: L.diagonal(x, 1, 2, 0)),
    ("diagonal_neg", [(4, 3)], lambda L, x: x.diagonal(-1)),
    ("unfold", [(3, 7)], lambda L, x: x.unfold(1, 3, 2)),
    ("unfold_overlap", [(3, 5)], lambda L, x: x.unfold(1, 3, 1)),
    ("unfold_0dim", [()], lambda L, x: x.unfold(0, 1, 1)),
    ("contiguous", [(3, 4)], lambda L, x: (x * 1).t().contiguous()),
    ("clone", [(3, 4)], lambda L, x: x.clone()),
    ("clone_fn", [(3, 4)], lambda L, x: L.clone(x, memory_format=L.contiguous_format)),
    ("cat", [(2, 3), (1, 3), (4, 3)], lambda L, a, b, c: L.cat([a, b, c])),
    ("cat_dim1", [(2, 3), (2, 1)], lambda L, a, b: L.cat([a, b], 1)),
    ("cat_empty", [(2, 3), (0,)], lambda L, a, b: L.cat([a, b])),
    ("cat_mixed", [(2, 3)], lambda L, a: L.cat([a, L.ones(1, 3, dtype=a.dtype)])),
    ("concat", [(2, 3), (2, 3)], lambda L, a, b: L.concat([a, b], -1)),
    ("stack", [(2, 3), (2, 3)], lambda L, a, b: L.stack([a, b], 1)),
    ("hstack", [(2, 3), (2, 1)], lambda L, a, b: L.hstack([a, b])),
    ("vstack", [(3,), (2, 3)], lambda L, a, b: L.vstack([a, b])),
    ("dstack", [(2, 3), (2, 3)], lambda L, a, b: L.dstack([a, b])),
    ("column_stack", [(3,), (3, 2)], lambda L, a, b: L.column_stack([a, b])),
    ("split", [(5, 2)], lambda L, x: x.split(2)),
    ("split_sizes", [(2, 6)], lambda L, x: L.split(x, [1, 3, 2], 1)),
    ("split_with_sizes", [(6, 2)], lambda L, x: x.split_with_sizes([4, 2])),
    ("tensor_split", [(7, 2)], lambda L, x: x.tensor_split(3)),
    ("tensor_split_idx", [(2, 7)], lambda L, x: L.tensor_split(x, [1, 4], 1)),
    ("chunk", [(7, 2)], lambda L, x: x.chunk(3)),
    ("unbind", [(3, 2)], lambda L, x: x.unbind()),
    ("unbind_dim1", [(2, 3)], lambda L, x: L.unbind(x, 1)),
    ("flip", [(3, 4)], lambda L, x: x.flip(0, 1)),
    ("fliplr", [(3, 4)], lambda L, x: L.fliplr(x)),
    ("flipud", [(3, 4)], lambda L, x: x.flipud()),
    ("roll", [(3, 4)], lambda L, x: x.roll(1, 0)),
    ("roll_multi", [(3, 4)], lambda L, x: L.roll(x, (1, -2), (0, 1))),
    ("roll_flat", [(3, 4)], lambda L, x: x.roll(5)),
    ("rot90", [(3, 4)], lambda L, x: x.rot90()),
    ("rot90_2", [(3, 4)], lambda L, x: L.rot90(x, 2)),
    ("rot90_neg", [(2, 3, 4)], lambda L, x: x.rot90(-1, (1, 2))),
    ("rot90_0", [(3, 4)], lambda L, x: x.rot90(4)),
    ("repeat", [(2, 3)], lambda L, x: x.repeat(2, 1, 3)),
    ("repeat_zero", [(2, 3)], lambda L, x: x.repeat(0, 2)),
    ("tile", [(2, 3)], lambda L, x: x.tile(2)),
    ("tile_fn", [(3,)], lambda L, x: L.tile(x, (2, 2))),
    ("repeat_interleave", [(2, 3)], lambda L, x: x.repeat_interleave(2)),
    ("repeat_interleave_dim", [(2, 3)], lambda L, x: L.repeat_interleave(x, 3, dim=1)),
    ("repeat_interleave_tensor", [(3, 2)],
     lambda L, x: x.repeat_interleave(L.tensor([2, 0, 1]), dim=0)),
    ("repeat_interleave_flat", [(2, 2)], lambda L, x: x.repeat_interleave(L.tensor([1, 2, 1, 3]))),
    ("diag_1d", [(3,)], lambda L, x: L.diag(x, 1)),
    ("diag_2d", [(3, 4)], lambda L, x: x.diag(-1)),
    ("diag_embed", [(2, 3)], lambda L, x: L.diag_embed(x)),
    ("diag_embed_offset", [(2, 3)], lambda L, x: x.diag_embed(1, 0, 2)),
    ("tril", [(3, 4)], lambda L, x: x.tril()),
    ("triu", [(2, 3, 4)], lambda L, x: L.triu(x, 1)),
    ("tril_inplace", [(3, 4)], lambda L, x: (x * 1).tril_(-1)),
    ("triu_inplace", [(3, 4)], lambda L, x: (x * 1).triu_()),
    ("meshgrid", [(3,), (2,)], lambda L, a, b: L.meshgrid(a, b, indexing="ij")),
    ("meshgrid_xy", [(3,), (2,)], lambda L, a, b: L.meshgrid(a, b, indexing="xy")),
    ("broadcast_tensors", [(3, 1), (4,)], lambda L, a, b: L.broadcast_tensors(a, b)),
    ("atleast_1d", [()], lambda L, x: L.atleast_1d(x)),
    ("atleast_2d", [(3,)], lambda L, x: L.atleast_2d(x)),
    ("atleast_3d", [(2, 3)], lambda L, x: L.atleast_3d(x)),
    ("atleast_2d_0dim", [()], lambda L, x: L.atleast_2d(x)),
    ("t_inplace", [(3, 4)], lambda L, x: (x * 1).t_()),
    ("transpose_inplace", [(2, 3, 4)], lambda L, x: (x * 1).transpose_(0, 2)),
    ("swapaxes_inplace", [(2, 3)], lambda L, x: (x * 1).swapaxes_(0, 1)),
    ("squeeze_inplace", [(1, 3, 1)], lambda L, x: (x * 1).squeeze_()),
    ("squeeze_inplace_dim", [(1, 3, 1)], lambda L, x: (x * 1).squeeze_(0)),
    ("squeeze_inplace_dims", [(1, 3, 1)], lambda L, x: (x * 1).squeeze_((0, 2))),
    ("unsqueeze_inplace", [(3, 4)], lambda L, x: (x * 1).unsqueeze_(-1)),
    ("as_strided_inplace", [(3, 4)], lambda L, x: (x * 1).as_strided_((2, 2), (1, 3), 2)),
    ("chain", [(2, 3, 4)],
     lambda L, x: x.permute(2, 0, 1).narrow(0, 1, 3).reshape(3, 6).t().unsqueeze(0)),
]


@pytest.mark.parametrize("case", OPS, ids=[c[0] for c in OPS])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_gradients_match_torch(case, layout):
    _, shapes, fn = case
    run_both(fn, shapes, layout=layout)


@pytest.mark.parametrize("case", [c for c in OPS if c[0] in {
    "select", "slice", "expand", "permute", "view", "reshape", "diagonal", "unfold_overlap",
    "cat", "stack", "split", "unbind", "flip", "roll_flat", "rot90", "repeat", "tril",
    "diag_embed", "as_strided_overlap"}], ids=lambda c: c[0])
def test_float32_and_expanded_inputs(case):
    _, shapes, fn = case
    run_both(fn, shapes, dtype="float32")
    run_both(fn, shapes, layout="expanded")


@pytest.mark.parametrize("fn,shapes", [
    (lambda L, x: x.split(2), [(5, 2)]),
    (lambda L, x: x.unbind(1), [(2, 4)]),
    (lambda L, x: x.chunk(3, 1), [(2, 6)]),
    (lambda L, x: L.meshgrid(x, x, indexing="ij"), [(3,)]),
])
def test_outputs_without_gradient_contribute_zeros(fn, shapes):
    run_both(fn, shapes, used=[1])


@pytest.mark.parametrize("fn,shapes", [
    (lambda L, x: x.narrow(0, 1, 0), [(3, 2)]),
    (lambda L, x: x.expand(0, 3, 2), [(3, 2)]),
    (lambda L, x: x.reshape(0, 2), [(0, 2)]),
    (lambda L, x: L.cat([x, x], 1), [(0, 2)]),
    (lambda L, x: x.flip(0), [(0, 2)]),
    (lambda L, x: x.split(1), [(0, 2)]),
    (lambda L, x: x.t(), [(0, 2)]),
    (lambda L, x: x.roll(1, 0), [(0, 2)]),
])
def test_empty_inputs(fn, shapes):
    run_both(fn, shapes)


# ---- in-place ops on views ------------------------------------------------------------------

def _inplace_case(body):
    """fn(lib, x): y = x * 1 (not a leaf), body(lib, x, y) modifies views of y in place; the
    result combines y and the views so every path carries gradient."""
    def fn(L, x):
        y = x * 1
        extra = body(L, x, y)
        return (y * y).sum() + (extra.sum() if extra is not None else 0)
    return fn


def _twice_same_view(L, x, y):
    v = y.select(1, 0)
    v.mul_(x.select(1, 2))
    return v.mul_(3)


def _base_modified_after_view(L, x, y):
    v = y.select(0, 0)
    y.mul_(3)
    return v * 2


def _sibling_modified(L, x, y):
    v = y.select(0, 0)
    v.narrow(0, 0, 2).mul_(3)
    return v * 1


def _inplace_view_op_on_view(L, x, y):
    v = y.select(0, 2)
    v.unsqueeze_(0)
    return v.mul_(2)


def _expand_of_modified(L, x, y):
    v = y.select(0, 1)
    v.mul_(2)
    return v.expand(3, 4)


def _two_views(L, x, y):
    y.select(0, 0).mul_(2)
    return y.select(1, 1).add_(y.select(0, 2))


INPLACE = [
    ("select_mul", lambda L, x, y: y.select(0, 0).mul_(2)),
    ("select_mul_tensor", lambda L, x, y: y.select(0, 1).mul_(x.select(0, 2))),
    ("t_add", lambda L, x, y: y.t().add_(1)),
    ("slice_exp", lambda L, x, y: y.narrow(1, 1, 2).exp_()),
    ("view_of_view", lambda L, x, y: y.select(0, 1).narrow(0, 1, 2).mul_(3)),
    ("view_then_use_view", lambda L, x, y: y.select(0, 0).mul_(x.select(0, 2)) * 5),
    ("diagonal_scale", lambda L, x, y: y.diagonal().mul_(0)),
    ("tril_on_slice", lambda L, x, y: y.narrow(1, 0, 3).tril_()),
    ("as_strided_view", lambda L, x, y: y.as_strided((2, 2), (1, 4), 1).mul_(2)),
    ("reshape_view", lambda L, x, y: y.view(2, 6).select(0, 1).sigmoid_()),
    ("two_views", _two_views),
    ("twice_same_view", _twice_same_view),
    ("base_modified_after_view", _base_modified_after_view),
    ("sibling_modified", _sibling_modified),
    ("inplace_view_op_on_view", _inplace_view_op_on_view),
    ("expand_of_modified", _expand_of_modified),
]


@pytest.mark.parametrize("case", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_view_matches_torch(case):
    _, body = case
    run_both(_inplace_case(body), [(3, 4)])
    run_both(_inplace_case(body), [(3, 4)], layout="transposed", dtype="float32")


def test_inplace_on_view_grad_fn_names():
    for lib in (cresset, torch):
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        v = y.select(0, 0)
        w = v.narrow(0, 1, 3)
        w.mul_(2)
        names = (y.grad_fn.name(), v.grad_fn.name(), w.grad_fn.name())
        nexts = [n.name() for n, _ in y.grad_fn.next_functions if n is not None]
        if lib is torch:
            assert names == ("torch::autograd::CopySlices", "AsStridedBackward0",
                             "AsStridedBackward0")
            assert nexts == ["MulBackward0"]
        else:
            assert names == ("CopySlices", "AsStridedBackward0", "AsStridedBackward0")
            assert nexts == ["MulBackward0"]
    # The view itself still gets the right gradient.
    grads = []
    for lib in (cresset, torch):
        x = lib.arange(12.0, dtype=lib.float64).reshape(3, 4).requires_grad_()
        y = x * 1
        v = y.select(0, 1)
        v.mul_(x.select(0, 2))
        (g,) = lib.autograd.grad((v * v).sum() * 3 + y.sum(), x)
        grads.append(g)
    assert_same(grads[0], grads[1])


def test_inplace_on_view_errors_match_torch():
    for lib in (cresset, torch):
        x = lib.randn(3, 4, requires_grad=True)
        for split, op in [(lambda y: y.unbind(1), "Unbind"), (lambda y: y.split(1, 1), "Split"),
                          (lambda y: y.chunk(2), "Split"),
                          (lambda y: y.split([1, 3], 1), "SplitWithSizes")]:
            pieces = split(x * 1)
            with pytest.raises(RuntimeError, match=f"Output 0 of {op} is a view and is being "
                               "modified inplace. This view is the output of a function that "
                               "returns multiple views."):
                pieces[0].mul_(2)
        # tensor_split's pieces are plain slices: allowed.
        piece = (x * 1).tensor_split(2)[0]
        piece.mul_(2)
        assert piece.grad_fn.name() == "AsStridedBackward0"
        y = x * 1
        with lib.no_grad():
            v = y.select(0, 0)
        with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being "
                           "modified inplace with grad mode enabled"):
            v.mul_(x.select(0, 1))
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is "
                           "being used in an in-place operation."):
            x.t().add_(1)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x.narrow(0, 0, 2).triu_()
        for op in ("t_", "tril_", "unsqueeze_"):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                               "used in an in-place operation."):
                getattr(x, op)(*([0] if op == "unsqueeze_" else []))
        assert x.shape == (3, 4)
        # Modifying in no_grad mode is allowed.
        with lib.no_grad():
            (x * 1).unbind()[0].mul_(2)
            x.select(0, 0).mul_(1)


@pytest.mark.parametrize("name,call", [
    ("cat", lambda L, x: L.cat([x, x], out=L.empty(0))),
    ("stack", lambda L, x: L.stack([x, x], out=L.empty(0))),
    ("cat", lambda L, x: L.hstack([x, x], out=L.empty(0))),
    ("cat", lambda L, x: L.vstack([x, x], out=L.empty(0))),
    ("tril", lambda L, x: L.tril(x, out=L.empty(0))),
    ("triu", lambda L, x: L.triu(x, out=L.empty(0))),
])
def test_out_with_grad_raises_like_torch(name, call):
    for lib in (cresset, torch):
        x = lib.randn(2, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match=rf"^{name}\(\): functions with out=\.\.\. "
                           "arguments don't support automatic differentiation"):
            call(lib, x)


@pytest.mark.filterwarnings("ignore:.*deprecated on 0-D tensors")
def test_views_keep_identity_and_dtype_views_are_not_differentiable():
    for lib in (cresset, torch):
        x = lib.randn(3, 4, requires_grad=True)
        y = x * 1
        assert y.contiguous() is y and y.flatten(1, 1) is y
        assert lib.atleast_1d(y) is y
        assert y.view(lib.float32).grad_fn is None and not y.view(lib.int32).requires_grad
        s = lib.tensor(2.0, requires_grad=True) * 1
        assert s.mT is s and s.adjoint() is s
        assert s.movedim([], []).grad_fn.name() == "AliasBackward0"
        assert x.detach().grad_fn is None and not x.detach().requires_grad
        with lib.no_grad():
            assert x.t().grad_fn is None


# ---- double backward and gradcheck ----------------------------------------------------------

def _modify_row(y, x):
    y.select(0, 1).mul_(x.select(0, 0))
    return y


def _modify_diagonal(y, x):
    y.diagonal().mul_(x.select(1, 3))
    return y


@pytest.mark.parametrize("fn", [
    lambda L, x: (x.expand(2, 3, 4) ** 2).sum(0),
    lambda L, x: x.permute(1, 0).exp() * x.t(),
    lambda L, x: L.cat([x, x * x], 1) ** 2,
    lambda L, x: L.stack([x.sin(), x], 0).select(0, 0) * x,
    lambda L, x: x.unfold(1, 2, 1) ** 3,
    lambda L, x: x.diagonal() ** 2,
    lambda L, x: _modify_row(x * 1, x) ** 2,
], ids=["expand", "permute", "cat", "stack", "unfold", "diagonal", "inplace_on_view"])
def test_double_backward_matches_torch(fn):
    results = []
    for lib in (cresset, torch):
        x = lib.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.75, -0.5, 1.0], [2.0, -2.0, 0.1, 3.0]],
                       dtype=lib.float64, requires_grad=True)
        out = fn(lib, x)
        g = lib.ones(out.shape, dtype=lib.float64)
        (gx,) = lib.autograd.grad(out, x, g, create_graph=True)
        (ggx,) = lib.autograd.grad((gx * gx).sum(), x)
        results.append((gx.detach(), ggx))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


@pytest.mark.parametrize("fn", [
    lambda x: x.as_strided((3, 3), (1, 1), 1) ** 2,
    lambda x: x.select(1, 2).exp(),
    lambda x: x.narrow(0, 0, 2).tensor_split([1], 1)[1] * x.narrow(0, 1, 2).narrow(1, 0, 3),
    lambda x: x.expand(2, 3, 4).sin(),
    lambda x: x.unfold(1, 3, 1).exp(),
    lambda x: cresset.cat([x, x.t().reshape(3, 4)], 0),
    lambda x: x.split([1, 2])[1] * 2,
    lambda x: cresset.stack(x.unbind(1), 0).flip(1).roll(1, 0),
    lambda x: x.repeat(2, 1).rot90() ** 2,
    lambda x: cresset.diag_embed(x).tril(1),
    lambda x: _modify_diagonal(x * 1, x),
], ids=["as_strided", "select", "slice", "expand", "unfold", "cat", "split", "unbind", "repeat",
        "diag_embed", "inplace_on_view"])
def test_gradcheck(fn):
    x = cresset.randn(3, 4, dtype=cresset.float64, requires_grad=True)
    assert cresset.autograd.gradcheck(fn, (x,))


@pytest.mark.parametrize("fn", [
    lambda x: x.permute(1, 0).expand(2, 4, 3) ** 2,
    lambda x: x.unfold(1, 2, 1) ** 3,
    lambda x: _modify_row(x * 1, x) ** 2,
], ids=["expand", "unfold", "inplace_on_view"])
def test_gradgradcheck(fn):
    x = cresset.randn(3, 4, dtype=cresset.float64, requires_grad=True)
    assert cresset.autograd.gradgradcheck(fn, (x,))
