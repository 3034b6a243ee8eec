"""Shape and view ops against torch: values, dtypes, shapes, strides, aliasing and errors."""

import math
import warnings

import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

# The oracle's thread pool costs milliseconds per tiny op on a busy machine; results don't
# depend on it.
torch.set_num_threads(1)

# Input layouts every op is run over: contiguous, transposed, stepped slice, expanded (stride 0),
# offset, 0-dim, empty, bool and int.
LAYOUTS = {
    "contig": lambda: torch.arange(24.0).reshape(2, 3, 4),
    "transposed": lambda: torch.arange(24.0).reshape(2, 3, 4).transpose(0, 2),
    "sliced": lambda: torch.arange(60.0).reshape(3, 4, 5)[1:, ::2, 1::2],
    "expanded": lambda: torch.arange(4.0).reshape(1, 4, 1).expand(3, 4, 2),
    "int": lambda: torch.arange(24, dtype=torch.int32).reshape(4, 6)[:, 1:],
    "bool": lambda: (torch.arange(12) % 3 == 0).reshape(3, 4).t(),
    "zero_dim": lambda: torch.tensor(3.5),
    "empty": lambda: torch.empty(0, 3, 2),
    "one": lambda: torch.arange(6, dtype=torch.int64).reshape(1, 6, 1),
}
ND_LAYOUTS = [k for k in LAYOUTS if k != "zero_dim"]


def pair(name):
    t = LAYOUTS[name]()
    return to_cresset(t), t


def assert_view(ours, theirs, base_ours, base_theirs):
    """`ours` is a view of base_ours exactly like torch's: same values, strides, offset."""
    assert_same(ours, theirs, check_stride=True)
    assert ours.storage_offset() == theirs.storage_offset()
    if theirs.numel():
        assert ours.data_ptr() - base_ours.data_ptr() == theirs.data_ptr() - base_theirs.data_ptr()
    assert_aliases(ours, base_ours, theirs, base_theirs)


def storage_base(t):
    """Address of the first element of t's storage."""
    return t.data_ptr() - t.storage_offset() * t.element_size()


def assert_aliases(view, base, tview, tbase):
    """Writing through `view` shows in `base`, exactly as the same write does in torch."""
    if view.numel() == 0 or any(st == 0 and n > 1 for n, st in zip(view.shape, view.stride())):
        return
    view.copy_(cresset.full((), 7, dtype=view.dtype).expand(*view.shape))
    tview.copy_(torch.full((), 7, dtype=tview.dtype))
    assert_same(base, tbase, check_stride=True)


def test_memory_format_objects():
    assert repr(cresset.contiguous_format) == repr(torch.contiguous_format)
    assert repr(cresset.channels_last) == repr(torch.channels_last)
    assert repr(cresset.preserve_format) == repr(torch.preserve_format)


@pytest.mark.parametrize("name", ND_LAYOUTS)
def test_select_slice_narrow(name):
    a, ta = pair(name)
    for dim in range(ta.dim()):
        size = ta.shape[dim]
        for idx in {0, size - 1, -1} if size else set():
            assert_view(a.select(dim, idx), ta.select(dim, idx), a, ta)
            assert_view(cresset.select(a, dim, idx), torch.select(ta, dim, idx), a, ta)
        for start, length in [
            (0, size),
            (size // 2, size - size // 2),
            (-size, 1) if size else (0, 0),
            (size, 0),
        ]:
            assert_view(a.narrow(dim, start, length), ta.narrow(dim, start, length), a, ta)
    assert_raises_like(IndexError, lambda: a.select(0, 7), lambda: ta.select(0, 7))
    assert_raises_like(IndexError, lambda: a.select(5, 0), lambda: ta.select(5, 0))
    assert_raises_like(IndexError, lambda: a.narrow(0, 9, 0), lambda: ta.narrow(0, 9, 0))
    assert_raises_like(RuntimeError, lambda: a.narrow(0, 0, 9), lambda: ta.narrow(0, 0, 9))
    assert_raises_like(RuntimeError, lambda: a.narrow(0, 0, -1), lambda: ta.narrow(0, 0, -1))


def test_zero_dim_select_narrow_errors():
    a, ta = pair("zero_dim")
    assert_raises_like(IndexError, lambda: a.select(0, 0), lambda: ta.select(0, 0))
    assert_raises_like(RuntimeError, lambda: a.narrow(0, 0, 1), lambda: ta.narrow(0, 0, 1))


def test_view_writes_show_in_base():
    a = cresset.zeros(3, 4)
    v = a.t().select(0, 1)
    v += 5
    assert a.tolist() == [[0.0, 5.0, 0.0, 0.0]] * 3
    n = a.narrow(0, 1, 2).unsqueeze(0).expand(2, 2, 4)
    assert n.data_ptr() == a.data_ptr() + 4 * a.element_size()
    a.view(12).narrow(0, 0, 1).copy_(cresset.tensor([7.0]))
    assert a.tolist()[0][0] == 7.0


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_unsqueeze_squeeze(name):
    a, ta = pair(name)
    for dim in range(-ta.dim() - 1, ta.dim() + 1):
        assert_view(a.unsqueeze(dim), ta.unsqueeze(dim), a, ta)
        assert_view(cresset.unsqueeze(a, dim), torch.unsqueeze(ta, dim), a, ta)
    assert_view(a.squeeze(), ta.squeeze(), a, ta)
    assert_view(cresset.squeeze(a), torch.squeeze(ta), a, ta)
    for dim in range(-max(ta.dim(), 1), max(ta.dim(), 1)):
        assert_view(a.squeeze(dim), ta.squeeze(dim), a, ta)
    dims = tuple(range(ta.dim()))
    assert_view(a.squeeze(dims), ta.squeeze(dims), a, ta)
    assert_raises_like(
        IndexError, lambda: a.unsqueeze(ta.dim() + 2), lambda: ta.unsqueeze(ta.dim() + 2)
    )
    assert_raises_like(IndexError, lambda: a.squeeze(4), lambda: ta.squeeze(4))
    assert_raises_like(RuntimeError, lambda: a.squeeze((0, 0)), lambda: ta.squeeze((0, 0)))


def test_inplace_view_ops_keep_identity():
    for op, args in [
        ("unsqueeze_", (1,)),
        ("squeeze_", ()),
        ("squeeze_", (0,)),
        ("t_", ()),
        ("transpose_", (0, 1)),
        ("as_strided_", ((2, 2), (1, 2), 1)),
    ]:
        base = torch.arange(6.0)
        ta = base.reshape(2, 3)[:, :2]
        a = to_cresset(base).reshape(2, 3).narrow(1, 0, 2)
        assert getattr(a, op)(*args) is a
        assert getattr(ta, op)(*args) is ta
        assert_same(a, ta, check_stride=True)
        assert a.storage_offset() == ta.storage_offset()


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_expand(name):
    a, ta = pair(name)
    target = [2] + [3 if s == 1 else -1 for s in ta.shape]
    assert_view(a.expand(*target), ta.expand(*target), a, ta)
    assert_view(a.expand(target), ta.expand(target), a, ta)
    assert_view(a.expand_as(to_cresset(ta.expand(*target))), ta.expand(*target), a, ta)
    assert_raises_like(
        RuntimeError, lambda: a.expand(-1, *ta.shape), lambda: ta.expand(-1, *ta.shape)
    )
    if ta.dim():
        assert_raises_like(RuntimeError, lambda: a.expand(5), lambda: ta.expand(5))
        bad = [s + 2 if s != 1 else s for s in ta.shape]
        assert_raises_like(RuntimeError, lambda: a.expand(*bad), lambda: ta.expand(*bad))


def test_expand_zero_dim_strides():
    ta = torch.tensor(1.0)
    a = to_cresset(ta)
    for sizes in [(1,), (3, 1), (1, 1), (2, 3)]:
        assert_view(a.expand(*sizes), ta.expand(*sizes), a, ta)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_permute_transpose_t(name):
    a, ta = pair(name)
    dims = list(reversed(range(ta.dim())))
    assert_view(a.permute(dims), ta.permute(dims), a, ta)
    if dims:
        assert_view(a.permute(*dims), ta.permute(*dims), a, ta)
    assert_view(cresset.permute(a, dims), torch.permute(ta, dims), a, ta)
    if ta.dim() >= 2:
        assert_view(a.transpose(0, -1), ta.transpose(0, -1), a, ta)
        assert_view(cresset.transpose(a, -2, 0), torch.transpose(ta, -2, 0), a, ta)
    assert_raises_like(IndexError, lambda: a.transpose(0, 5), lambda: ta.transpose(0, 5))
    assert_raises_like(RuntimeError, lambda: a.permute(*dims, 0), lambda: ta.permute(*dims, 0))
    if ta.dim() >= 2:
        dup = [0] * ta.dim()
        assert_raises_like(RuntimeError, lambda: a.permute(*dup), lambda: ta.permute(*dup))
    if ta.dim() <= 2:
        assert_view(a.t(), ta.t(), a, ta)
        assert_view(cresset.t(a), torch.t(ta), a, ta)
    else:
        assert_raises_like(RuntimeError, lambda: a.t(), lambda: ta.t())


SHAPES = [(-1,), (4, -1), (-1, 2, 1), (2, 3, 4), (24,), (6, 4), (1, 24, 1), (2, 12)]


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_view_reshape(name):
    a, ta = pair(name)
    n = ta.numel()
    shapes = [s for s in SHAPES if n and n % abs(math.prod(s)) == 0] or [(-1,), ta.shape]
    if n == 0:
        shapes = [(0, 6), (3, 0, 2), (0,)]
    for shape in shapes:
        try:
            theirs = ta.view(*shape)
        except RuntimeError:
            assert_raises_like(RuntimeError, lambda: a.view(*shape), lambda: ta.view(*shape))
        else:
            assert_view(a.view(*shape), theirs, a, ta)
            assert_view(a.view(shape), theirs, a, ta)
        theirs = ta.reshape(shape)
        ours = a.reshape(shape)
        assert_same(ours, theirs, check_stride=True)
        if theirs.numel():  # a view exactly when torch's is one
            aliased = theirs.untyped_storage().data_ptr() == ta.untyped_storage().data_ptr()
            assert (storage_base(ours) == storage_base(a)) == aliased
        assert_same(cresset.reshape(a, shape), torch.reshape(ta, shape), check_stride=True)


def test_view_errors():
    ta = torch.arange(12.0).reshape(3, 4)
    a = to_cresset(ta)
    for shape in [(5, -1), (-1, -1), (-2, 6), (7,)]:
        assert_raises_like(RuntimeError, lambda: a.view(*shape), lambda: ta.view(*shape))
        assert_raises_like(RuntimeError, lambda: a.reshape(*shape), lambda: ta.reshape(*shape))
    assert_raises_like(RuntimeError, lambda: a.t().view(12), lambda: ta.t().view(12))
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        a.t().view(12)
    e = torch.empty(0, 3)
    assert_raises_like(RuntimeError, lambda: to_cresset(e).view(-1, 0), lambda: e.view(-1, 0))


@pytest.mark.parametrize("dtype", ["int16", "float64", "uint8", "int32", "bool", "bfloat16"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)[:, 1:],
        lambda: torch.arange(24, dtype=torch.float32).reshape(2, 12)[:, 2:],
        lambda: torch.arange(24, dtype=torch.float32).reshape(4, 6)[:, 1:4],
        lambda: torch.arange(24, dtype=torch.float32).reshape(2, 3, 4).transpose(1, 2),
        lambda: torch.tensor(1.0),
        lambda: torch.tensor([1.0, 2.0]),
    ],
)
def test_view_dtype(dtype, make):
    ta = make()
    a = to_cresset(ta)
    try:
        theirs = ta.view(getattr(torch, dtype))
    except RuntimeError:
        assert_raises_like(
            RuntimeError,
            lambda: a.view(getattr(cresset, dtype)),
            lambda: ta.view(getattr(torch, dtype)),
        )
        return
    ours = a.view(getattr(cresset, dtype))
    assert ours.dtype == getattr(cresset, dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.stride() == theirs.stride() and ours.storage_offset() == theirs.storage_offset()
    if dtype != "bool":
        assert_same(ours, theirs)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_contiguous_clone(name):
    a, ta = pair(name)
    c = a.contiguous()
    assert_same(c, ta.contiguous(), check_stride=True)
    assert (c._is_same(a)) == (ta.contiguous() is ta)
    for fmt in ["preserve_format", "contiguous_format"]:
        ours = a.clone(memory_format=getattr(cresset, fmt))
        theirs = ta.clone(memory_format=getattr(torch, fmt))
        assert_same(ours, theirs, check_stride=True)
        if ta.numel():
            assert ours.data_ptr() != a.data_ptr()
    assert_same(cresset.clone(a), torch.clone(ta), check_stride=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.arange(120.0).reshape(2, 3, 4, 5).permute(0, 2, 3, 1),
        lambda: torch.arange(120.0).reshape(2, 3, 4, 5),
        lambda: torch.arange(120.0).reshape(2, 3, 4, 5).permute(0, 2, 3, 1)[:, ::2],
        lambda: torch.arange(240.0).reshape(2, 3, 2, 4, 5).permute(0, 2, 3, 4, 1),
        lambda: torch.empty_strided((2, 3), (1, 5)),
        lambda: torch.empty_strided((2, 1, 3), (3, 7, 1)),
        lambda: torch.empty(2, 1, 3).expand(2, 4, 3),
    ],
)
def test_clone_and_contiguous_formats(make):
    ta = make()
    a = to_cresset(ta)
    assert_same(a.clone(), ta.clone(), check_stride=True)
    formats = (
        ["contiguous_format"]
        + (["channels_last"] if ta.dim() == 4 else [])
        + (["channels_last_3d"] if ta.dim() == 5 else [])
    )
    for fmt in formats:
        assert_same(
            a.clone(memory_format=getattr(cresset, fmt)),
            ta.clone(memory_format=getattr(torch, fmt)),
            check_stride=True,
        )
        assert_same(
            a.contiguous(memory_format=getattr(cresset, fmt)),
            ta.contiguous(memory_format=getattr(torch, fmt)),
            check_stride=True,
        )
    if ta.is_contiguous():
        assert a.contiguous(memory_format=cresset.preserve_format) is a
    else:
        assert_raises_like(
            RuntimeError,
            lambda: a.contiguous(memory_format=cresset.preserve_format),
            lambda: ta.contiguous(memory_format=torch.preserve_format),
        )


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_flatten(name):
    a, ta = pair(name)
    nd = max(ta.dim(), 1)
    for s in range(-nd, nd):
        for e in range(s % nd, nd):
            assert_same(a.flatten(s, e), ta.flatten(s, e), check_stride=True)
    assert_same(cresset.flatten(a), torch.flatten(ta), check_stride=True)
    if ta.dim() >= 1:
        assert a.flatten(0, 0) is a
    if ta.dim() >= 2:
        assert_raises_like(RuntimeError, lambda: a.flatten(1, 0), lambda: ta.flatten(1, 0))
    assert_raises_like(IndexError, lambda: a.flatten(0, 5), lambda: ta.flatten(0, 5))


def test_as_strided():
    ta = torch.arange(12.0)
    a = to_cresset(ta)
    assert_view(a.as_strided((3, 2), (1, 3), 2), ta.as_strided((3, 2), (1, 3), 2), a, ta)
    assert_view(cresset.as_strided(a, (2, 2), (4, 1)), torch.as_strided(ta, (2, 2), (4, 1)), a, ta)
    for args in [((4,), (4,), 0), ((2,), (-1,), 0), ((2,), (1,), -1), ((2, 2), (1,), 0)]:
        assert_raises_like(RuntimeError, lambda: a.as_strided(*args), lambda: ta.as_strided(*args))


# ---- more views ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ND_LAYOUTS)
def test_unflatten_ravel_view_as(name):
    a, ta = pair(name)
    n = ta.shape[-1]
    sizes = (1, n) if n % 2 else (2, -1)
    assert_view(a.unflatten(-1, sizes), ta.unflatten(-1, sizes), a, ta)
    assert_view(
        cresset.unflatten(a, 0, (ta.shape[0], 1)), torch.unflatten(ta, 0, (ta.shape[0], 1)), a, ta
    )
    assert_same(a.ravel(), ta.ravel(), check_stride=True)
    assert_same(cresset.ravel(a), torch.ravel(ta), check_stride=True)
    assert (a.ravel().data_ptr() == a.data_ptr()) == (
        ta.ravel().data_ptr() == ta.data_ptr()
    ) or not n
    flat = torch.empty(ta.numel())
    assert_same(to_cresset(flat).view_as(a), flat.view_as(ta), check_stride=True)
    assert_same(a.reshape_as(to_cresset(flat)), ta.reshape_as(flat), check_stride=True)
    assert_raises_like(RuntimeError, lambda: a.unflatten(0, ()), lambda: ta.unflatten(0, ()))
    assert_raises_like(
        RuntimeError, lambda: a.unflatten(-1, (n + 1,)), lambda: ta.unflatten(-1, (n + 1,))
    )
    assert_raises_like(IndexError, lambda: a.unflatten(5, (1,)), lambda: ta.unflatten(5, (1,)))


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_movedim_swap_transposes(name):
    a, ta = pair(name)
    nd = ta.dim()
    if nd >= 2:
        for src, dst in [(0, -1), ((0, 1), (-1, 0)), ([1], [0])]:
            assert_view(a.movedim(src, dst), ta.movedim(src, dst), a, ta)
            assert_view(cresset.moveaxis(a, src, dst), torch.moveaxis(ta, src, dst), a, ta)
        assert_view(a.swapaxes(0, 1), ta.swapaxes(0, 1), a, ta)
        assert_view(cresset.swapdims(a, -1, 0), torch.swapdims(ta, -1, 0), a, ta)
        assert_view(a.mT, ta.mT, a, ta)
        assert_view(a.mH, ta.mH, a, ta)
        assert_view(cresset.adjoint(a), torch.adjoint(ta), a, ta)
        assert_raises_like(
            RuntimeError, lambda: a.movedim((0, 0), (1, 0)), lambda: ta.movedim((0, 0), (1, 0))
        )
        assert_raises_like(
            RuntimeError, lambda: a.movedim((0, 1), (0, 0)), lambda: ta.movedim((0, 1), (0, 0))
        )
        assert_raises_like(
            RuntimeError, lambda: a.movedim((0, 1), (1,)), lambda: ta.movedim((0, 1), (1,))
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if nd == 1:
            for attr in ["mT", "mH", "H"]:
                assert_raises_like(
                    RuntimeError, lambda: getattr(a, attr), lambda: getattr(ta, attr)
                )
            assert_raises_like(RuntimeError, lambda: a.adjoint(), lambda: ta.adjoint())
        if nd == 0:
            for attr in ["mT", "mH", "H"]:
                assert_view(getattr(a, attr), getattr(ta, attr), a, ta)
        if nd > 2:
            assert_raises_like(RuntimeError, lambda: a.H, lambda: ta.H)
        if nd == 2:
            assert_view(a.H, ta.H, a, ta)
        assert_view(a.T, ta.T, a, ta)
    assert_raises_like(IndexError, lambda: a.movedim(nd + 1, 0), lambda: ta.movedim(nd + 1, 0))


def test_transpose_properties_warn_like_torch():
    import subprocess
    import sys

    code = (
        "import warnings, cresset\nwarnings.simplefilter('error')\n"
        "try:\n    cresset.zeros({shape}).{attr}\nexcept UserWarning:\n    print('warned')"
    )
    for shape, attr, warns in [
        ("2, 3, 4", "T", True),
        ("()", "T", True),
        ("()", "mT", True),
        ("2, 3", "T", False),
        ("2, 3, 4", "mT", False),
    ]:
        out = subprocess.run(
            [sys.executable, "-c", code.format(shape=shape, attr=attr)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert ("warned" in out) == warns, (shape, attr)


@pytest.mark.parametrize("name", ND_LAYOUTS)
def test_diagonal(name):
    a, ta = pair(name)
    if ta.dim() < 2:
        return
    for offset in [0, 1, -1, 2, -5, 7]:
        for d1, d2 in [(0, 1), (1, 0), (-1, 0), (0, -1)]:
            assert_view(a.diagonal(offset, d1, d2), ta.diagonal(offset, d1, d2), a, ta)
    assert_view(cresset.diagonal(a), torch.diagonal(ta), a, ta)
    assert_view(a.diagonal(dim1=-2, dim2=-1), ta.diagonal(dim1=-2, dim2=-1), a, ta)
    assert_raises_like(RuntimeError, lambda: a.diagonal(0, 1, 1), lambda: ta.diagonal(0, 1, 1))
    assert_raises_like(IndexError, lambda: a.diagonal(0, 0, 5), lambda: ta.diagonal(0, 0, 5))


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_unfold(name):
    a, ta = pair(name)
    dim = -1
    n = ta.shape[-1] if ta.dim() else 1
    for size, step in [(1, 1), (n, 1), (min(2, n), 2), (0, 3)]:
        assert_view(a.unfold(dim, size, step), ta.unfold(dim, size, step), a, ta)
    for size, step in [(n + 1, 1), (-1, 1), (1, 0)]:
        assert_raises_like(
            RuntimeError, lambda: a.unfold(dim, size, step), lambda: ta.unfold(dim, size, step)
        )
    assert_raises_like(IndexError, lambda: a.unfold(4, 1, 1), lambda: ta.unfold(4, 1, 1))


def test_detach_shares_storage():
    ta = torch.arange(6.0).reshape(2, 3)[:, 1:]
    a = to_cresset(ta)
    a.requires_grad = True
    d = a.detach()
    assert not d.requires_grad and a.requires_grad
    assert_view(d, ta.detach(), a, ta)
    assert_view(cresset.detach(a), torch.detach(ta), a, ta)
    assert a.detach_() is a and not a.requires_grad


def test_broadcast_ops():
    for shapes in [((2, 1), (3,)), ((1,), (4, 1, 2), ()), ((0, 1), (1, 5))]:
        ts = [torch.arange(float(torch.Size(s).numel())).reshape(s) for s in shapes]
        cs = [to_cresset(t) for t in ts]
        ours, theirs = cresset.broadcast_tensors(*cs), torch.broadcast_tensors(*ts)
        assert isinstance(ours, tuple)
        for o, t, base, tbase in zip(ours, theirs, cs, ts):
            assert_view(o, t, base, tbase)
        assert_same(
            cresset.broadcast_tensors(cs)[0], torch.broadcast_tensors(*ts)[0], check_stride=True
        )
        assert tuple(cresset.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
        assert type(cresset.broadcast_shapes(*shapes)) is cresset.Size
    assert tuple(cresset.broadcast_shapes(2, (3, 1))) == tuple(torch.broadcast_shapes(2, (3, 1)))
    assert tuple(cresset.broadcast_shapes()) == ()
    assert_raises_like(
        RuntimeError,
        lambda: cresset.broadcast_shapes((2,), (3,)),
        lambda: torch.broadcast_shapes((2,), (3,)),
    )
    assert_raises_like(
        RuntimeError,
        lambda: cresset.broadcast_tensors(cresset.zeros(2), cresset.zeros(3)),
        lambda: torch.broadcast_tensors(torch.zeros(2), torch.zeros(3)),
    )
    ta = torch.arange(2.0).reshape(2, 1)
    a = to_cresset(ta)
    assert_view(cresset.broadcast_to(a, (-1, 3)), torch.broadcast_to(ta, (-1, 3)), a, ta)
    assert_view(a.broadcast_to((4, 2, 3)), ta.broadcast_to((4, 2, 3)), a, ta)
    assert_raises_like(
        RuntimeError, lambda: a.broadcast_to((3, 3)), lambda: ta.broadcast_to((3, 3))
    )


def _assert_views(ours, theirs, a, ta):
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_view(o, t, a, ta)


@pytest.mark.parametrize("name", ND_LAYOUTS)
def test_split_family(name):
    a, ta = pair(name)
    n = ta.shape[0]
    for size in [1, 2, n + 3]:
        _assert_views(a.split(size), ta.split(size), a, ta)
        _assert_views(cresset.split(a, size, -1), torch.split(ta, size, -1), a, ta)
    sizes = [n // 2, n - n // 2]
    _assert_views(a.split(sizes), ta.split(sizes), a, ta)
    _assert_views(cresset.split(a, tuple(sizes)), torch.split(ta, tuple(sizes)), a, ta)
    _assert_views(a.split_with_sizes(sizes), ta.split_with_sizes(sizes), a, ta)
    for chunks in [1, 2, 3, 5]:
        _assert_views(a.chunk(chunks), ta.chunk(chunks), a, ta)
        _assert_views(cresset.chunk(a, chunks, -1), torch.chunk(ta, chunks, -1), a, ta)
    for ios in [1, 2, 4, [1], [2, 1, 7], (0, n)]:
        _assert_views(a.tensor_split(ios), ta.tensor_split(ios), a, ta)
        _assert_views(
            cresset.tensor_split(a, ios, dim=-1), torch.tensor_split(ta, ios, dim=-1), a, ta
        )
    for t in [torch.tensor(3), torch.tensor([1, 2])]:
        _assert_views(a.tensor_split(to_cresset(t)), ta.tensor_split(t), a, ta)
    for dim in range(-ta.dim(), ta.dim()):
        _assert_views(a.unbind(dim), ta.unbind(dim), a, ta)
        _assert_views(cresset.unbind(a, dim), torch.unbind(ta, dim), a, ta)
    if n:
        assert_raises_like(RuntimeError, lambda: a.split(0), lambda: ta.split(0))
    assert_raises_like(RuntimeError, lambda: a.split(-1), lambda: ta.split(-1))
    assert_raises_like(RuntimeError, lambda: a.split([n, 1]), lambda: ta.split([n, 1]))
    assert_raises_like(RuntimeError, lambda: a.split([n + 1, -1]), lambda: ta.split([n + 1, -1]))
    assert_raises_like(RuntimeError, lambda: a.chunk(0), lambda: ta.chunk(0))
    assert_raises_like(RuntimeError, lambda: a.tensor_split(0), lambda: ta.tensor_split(0))
    bad = [torch.tensor([1.0]), torch.tensor([[1]])]
    for t in bad:
        assert_raises_like(
            RuntimeError, lambda: a.tensor_split(to_cresset(t)), lambda: ta.tensor_split(t)
        )
    assert_raises_like(IndexError, lambda: a.unbind(5), lambda: ta.unbind(5))


def test_split_family_zero_dim_errors():
    a, ta = pair("zero_dim")
    assert_raises_like(RuntimeError, lambda: a.split(1), lambda: ta.split(1))
    assert_raises_like(RuntimeError, lambda: a.tensor_split(2), lambda: ta.tensor_split(2))
    assert_raises_like(IndexError, lambda: a.unbind(), lambda: ta.unbind())


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    ts = [torch.arange(2.0), torch.tensor(5.0), torch.arange(6.0)[::2]]
    cs = [to_cresset(t) for t in ts]
    for k in [1, 2, 3]:
        ours = cresset.meshgrid(*cs[:k], indexing=indexing)
        theirs = torch.meshgrid(*ts[:k], indexing=indexing)
        assert isinstance(ours, tuple)
        assert_same(ours, theirs, check_stride=True)
    assert_same(
        cresset.meshgrid(cs[:2], indexing=indexing),
        torch.meshgrid(ts[:2], indexing=indexing),
        check_stride=True,
    )
    g = cresset.meshgrid(cs[0], cs[2], indexing=indexing)
    assert g[0].data_ptr() == cs[0].data_ptr()
    bad = [
        ([torch.ones(2, 2)], {}),
        ([torch.ones(2), torch.ones(2, dtype=torch.int32)], {}),
        ([torch.ones(2)], {"indexing": "xz"}),
    ]
    for args, kw in bad:
        ours_args = [to_cresset(t) for t in args]
        assert_raises_like(
            RuntimeError,
            lambda: cresset.meshgrid(*ours_args, indexing=kw.get("indexing", indexing)),
            lambda: torch.meshgrid(*args, indexing=kw.get("indexing", indexing)),
        )
    assert_raises_like(
        RuntimeError, lambda: cresset.meshgrid(indexing="ij"), lambda: torch.meshgrid(indexing="ij")
    )


@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(fn):
    ts = [
        torch.tensor(2.0),
        torch.arange(3.0),
        torch.arange(6.0).reshape(2, 3).t(),
        torch.ones(1, 2, 3, 4),
    ]
    cs = [to_cresset(t) for t in ts]
    for c, t in zip(cs, ts):
        assert_view(getattr(cresset, fn)(c), getattr(torch, fn)(t), c, t)
        assert (getattr(cresset, fn)(c) is c) == (getattr(torch, fn)(t) is t)
    assert_same(getattr(cresset, fn)(*cs), getattr(torch, fn)(*ts), check_stride=True)
    assert isinstance(getattr(cresset, fn)(cs), tuple)
    assert_same(getattr(cresset, fn)(cs), getattr(torch, fn)(ts), check_stride=True)


def test_is_set_to_and_set_():
    ta = torch.arange(6.0)
    a = to_cresset(ta)
    assert a.is_set_to(a) and not a.is_set_to(a.view(2, 3)) and not a.is_set_to(a.clone())
    assert a.is_set_to(a.view(6))
    b = cresset.zeros(2)
    assert b.set_(a.view(3, 2)) is b
    assert b.is_set_to(a.view(3, 2)) and b.shape == (3, 2)
    b += 1
    assert a.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


# ---- ops that copy -----------------------------------------------------------------------------

CAT_CASES = [
    ([lambda: torch.arange(6.0).reshape(2, 3), lambda: torch.arange(9.0).reshape(3, 3)], 0),
    ([lambda: torch.arange(6.0).reshape(3, 2).t(), lambda: torch.ones(2, 1, dtype=torch.int32)], 1),
    (
        [
            lambda: torch.arange(6, dtype=torch.int16).reshape(2, 3),
            lambda: torch.tensor([], dtype=torch.float64),
            lambda: torch.ones(1, 3, dtype=torch.uint8),
        ],
        -2,
    ),
    ([lambda: torch.tensor([True, False]), lambda: torch.tensor([1, 2], dtype=torch.int8)], 0),
    ([lambda: torch.empty(0), lambda: torch.empty(0, dtype=torch.int64)], 1),
    ([lambda: torch.arange(4.0).reshape(1, 4, 1).expand(2, 4, 3), lambda: torch.empty(2, 0, 3)], 1),
    ([lambda: torch.arange(120.0).reshape(2, 3, 4, 5).permute(0, 2, 3, 1)] * 2, 1),
    (
        [
            lambda: torch.arange(120.0).reshape(2, 3, 4, 5).permute(0, 2, 3, 1),
            lambda: torch.arange(120.0).reshape(2, 4, 5, 3),
        ],
        3,
    ),
    ([lambda: torch.arange(240.0).reshape(2, 3, 2, 4, 5).permute(0, 2, 3, 4, 1)] * 2, 0),
    ([lambda: torch.tensor([True, False])], 0),
]


@pytest.mark.parametrize("makes,dim", CAT_CASES)
def test_cat(makes, dim):
    ts = [m() for m in makes]
    cs = [to_cresset(t) for t in ts]
    for name in ["cat", "concat"]:
        assert_same(
            getattr(cresset, name)(cs, dim), getattr(torch, name)(ts, dim), check_stride=True
        )
    assert_same(
        cresset.concatenate(cs, axis=dim), torch.concatenate(ts, axis=dim), check_stride=True
    )
    assert_same(cresset.cat(tuple(cs), dim=dim), torch.cat(tuple(ts), dim=dim), check_stride=True)
    theirs = torch.cat(ts, dim)
    for out_dtype in ["float64", "int64"]:
        if not torch.can_cast(theirs.dtype, getattr(torch, out_dtype)):
            continue
        tout = torch.empty(0, dtype=getattr(torch, out_dtype))
        out = cresset.empty(0, dtype=getattr(cresset, out_dtype))
        r = cresset.cat(cs, dim, out=out)
        assert r._is_same(out)
        assert_same(out, torch.cat(ts, dim, out=tout), check_stride=True)


def test_cat_errors():
    a, b = torch.ones(2, 2), torch.ones(2, 3)
    ca, cb = to_cresset(a), to_cresset(b)
    cases = [
        (RuntimeError, lambda lib, x, y: lib.cat([x, y])),
        (RuntimeError, lambda lib, x, y: lib.cat([x, x.select(0, 0)])),
        (RuntimeError, lambda lib, x, y: lib.cat([x, x.select(0, 0).select(0, 0)])),
        (IndexError, lambda lib, x, y: lib.cat([x, x], 2)),
        (ValueError, lambda lib, x, y: lib.cat([])),
        (TypeError, lambda lib, x, y: lib.cat([x], out=lib.empty(0, dtype=lib.int32))),
        (RuntimeError, lambda lib, x, y: lib.stack([x, y])),
        (RuntimeError, lambda lib, x, y: lib.stack([])),
        (IndexError, lambda lib, x, y: lib.stack([x, x], 3)),
        (RuntimeError, lambda lib, x, y: lib.hstack([])),
        (RuntimeError, lambda lib, x, y: lib.vstack([x, y])),
    ]
    for exc, fn in cases:
        assert_raises_like(exc, lambda: fn(cresset, ca, cb), lambda: fn(torch, a, b))


STACK_INPUTS = [
    [
        lambda: torch.arange(6.0).reshape(2, 3),
        lambda: torch.arange(6, dtype=torch.int32).reshape(3, 2).t(),
    ],
    [lambda: torch.tensor(1.5), lambda: torch.tensor(2, dtype=torch.int64)],
    [lambda: torch.arange(3), lambda: torch.arange(6)[::2]],
    [lambda: torch.empty(0, 2), lambda: torch.empty(0, 2)],
    [lambda: (torch.arange(8) % 3 == 0).reshape(2, 2, 2)] * 3,
    [lambda: torch.arange(120.0).reshape(2, 3, 4, 5).permute(0, 2, 3, 1)] * 2,
]


@pytest.mark.parametrize("makes", STACK_INPUTS)
def test_stack_family(makes):
    ts = [m() for m in makes]
    cs = [to_cresset(t) for t in ts]
    nd = ts[0].dim()
    for dim in range(-nd - 1, nd + 1):
        assert_same(cresset.stack(cs, dim), torch.stack(ts, dim), check_stride=True)
    out, tout = cresset.empty(0, dtype=cresset.float64), torch.empty(0, dtype=torch.float64)
    assert cresset.stack(cs, out=out) is out
    assert_same(out, torch.stack(ts, out=tout), check_stride=True)
    for name in ["hstack", "vstack", "dstack", "column_stack", "row_stack"]:
        if name == "column_stack" and nd > 2:
            continue
        try:
            theirs = getattr(torch, name)(ts)
        except RuntimeError:
            assert_raises_like(
                RuntimeError, lambda: getattr(cresset, name)(cs), lambda: getattr(torch, name)(ts)
            )
            continue
        assert_same(getattr(cresset, name)(cs), theirs, check_stride=True)
        out, tout = cresset.empty(0, dtype=cresset.float64), torch.empty(0, dtype=torch.float64)
        assert getattr(cresset, name)(cs, out=out) is out
        assert_same(out, getattr(torch, name)(ts, out=tout), check_stride=True)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_flip(name):
    a, ta = pair(name)
    nd = ta.dim()
    dims_list = [(), (0,), (-1,), tuple(range(nd)), (nd - 1, 0)] if nd else [(), (0,), (-1,)]
    for dims in dims_list:
        if len({d % max(nd, 1) for d in dims}) != len(dims):
            continue
        assert_same(a.flip(dims), ta.flip(dims), check_stride=True)
        assert_same(cresset.flip(a, dims), torch.flip(ta, dims), check_stride=True)
        if dims:
            assert_same(a.flip(*dims), ta.flip(*dims), check_stride=True)
    if nd >= 2:
        assert_same(a.fliplr(), ta.fliplr(), check_stride=True)
        assert_raises_like(RuntimeError, lambda: a.flip(0, 0), lambda: ta.flip(0, 0))
    else:
        assert_raises_like(RuntimeError, lambda: cresset.fliplr(a), lambda: torch.fliplr(ta))
    if nd >= 1:
        assert_same(cresset.flipud(a), torch.flipud(ta), check_stride=True)
    else:
        assert_raises_like(RuntimeError, lambda: a.flipud(), lambda: ta.flipud())
    assert_raises_like(IndexError, lambda: a.flip(3), lambda: ta.flip(3))


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_roll_rot90(name):
    a, ta = pair(name)
    nd = ta.dim()
    cases = [(1, None), (-7, None), ((2,), None)]
    if nd:
        cases += [(1, 0), (-1, -1), ((1, 2), (0, -1)), ((5, -3), (-1, -1)), ((4,), (0,))]
    for shifts, dims in cases:
        assert_same(a.roll(shifts, dims), ta.roll(shifts, dims), check_stride=True)
        assert_same(cresset.roll(a, shifts, dims), torch.roll(ta, shifts, dims), check_stride=True)
    assert_same(cresset.roll(a, shifts=1), torch.roll(ta, shifts=1), check_stride=True)
    assert_raises_like(RuntimeError, lambda: a.roll(()), lambda: ta.roll(()))
    assert_raises_like(RuntimeError, lambda: a.roll((1, 2), (0,)), lambda: ta.roll((1, 2), (0,)))
    assert_raises_like(RuntimeError, lambda: a.roll((1, 2)), lambda: ta.roll((1, 2)))
    if ta.numel():  # torch returns an empty input before looking at dims
        assert_raises_like(IndexError, lambda: a.roll(1, 4), lambda: ta.roll(1, 4))
    else:
        assert_same(a.roll(1, 4), ta.roll(1, 4), check_stride=True)
    if nd >= 2:
        for k in range(-5, 6):
            assert_same(a.rot90(k), ta.rot90(k), check_stride=True)
            assert_same(
                cresset.rot90(a, k, (-1, 0)), torch.rot90(ta, k, (-1, 0)), check_stride=True
            )
        assert_raises_like(RuntimeError, lambda: a.rot90(1, (0, 0)), lambda: ta.rot90(1, (0, 0)))
        assert_raises_like(RuntimeError, lambda: a.rot90(1, (0,)), lambda: ta.rot90(1, (0,)))
        assert_raises_like(IndexError, lambda: a.rot90(1, (0, 5)), lambda: ta.rot90(1, (0, 5)))
    else:
        assert_raises_like(RuntimeError, lambda: a.rot90(), lambda: ta.rot90())


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_repeat_tile(name):
    a, ta = pair(name)
    nd = ta.dim()
    for reps in [(1,) * nd, (2,) * nd, (3, 1) + (2,) * nd, (0,) + (1,) * nd]:
        if reps:
            assert_same(a.repeat(*reps), ta.repeat(*reps), check_stride=True)
        assert_same(a.repeat(reps), ta.repeat(reps), check_stride=True)
    for dims in [(), (2,), (2, 1, 3, 1), (0, 2)]:
        assert_same(a.tile(dims), ta.tile(dims), check_stride=True)
        assert_same(cresset.tile(a, dims), torch.tile(ta, dims), check_stride=True)
    if nd >= 2:
        assert_raises_like(RuntimeError, lambda: a.repeat(2), lambda: ta.repeat(2))
    assert_raises_like(
        RuntimeError, lambda: a.repeat(*([-1] + [1] * nd)), lambda: ta.repeat(*([-1] + [1] * nd))
    )


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_repeat_interleave(name):
    a, ta = pair(name)
    nd = ta.dim()
    for reps in [0, 1, 3]:
        assert_same(a.repeat_interleave(reps), ta.repeat_interleave(reps), check_stride=True)
        for dim in range(-nd, nd):
            assert_same(
                a.repeat_interleave(reps, dim), ta.repeat_interleave(reps, dim), check_stride=True
            )
            assert_same(
                cresset.repeat_interleave(a, reps, dim=dim, output_size=reps * ta.shape[dim]),
                torch.repeat_interleave(ta, reps, dim=dim, output_size=reps * ta.shape[dim]),
                check_stride=True,
            )
    for dim in range(-nd, nd):
        size = ta.shape[dim]
        for r in [
            torch.arange(size) % 3,
            torch.tensor(2),
            torch.tensor([3], dtype=torch.int32),
            (torch.arange(size, dtype=torch.int32) + 1),
        ]:
            assert_same(
                a.repeat_interleave(to_cresset(r), dim),
                ta.repeat_interleave(r, dim),
                check_stride=True,
            )
        r = torch.arange(size) % 2 + 1
        assert_same(
            cresset.repeat_interleave(a, to_cresset(r), dim, output_size=int(r.sum())),
            torch.repeat_interleave(ta, r, dim, output_size=int(r.sum())),
            check_stride=True,
        )
    r = torch.arange(ta.numel()) % 3
    assert_same(a.repeat_interleave(to_cresset(r)), ta.repeat_interleave(r), check_stride=True)
    assert_raises_like(
        RuntimeError, lambda: a.repeat_interleave(-1), lambda: ta.repeat_interleave(-1)
    )
    assert_raises_like(
        RuntimeError,
        lambda: a.repeat_interleave(2, output_size=1),
        lambda: ta.repeat_interleave(2, output_size=1),
    )
    if nd:
        assert_raises_like(
            IndexError, lambda: a.repeat_interleave(2, 5), lambda: ta.repeat_interleave(2, 5)
        )
        n = ta.shape[0]
        bad = [torch.tensor([1] * (n + 2)), torch.tensor([[1]])]
        if n:
            bad += [
                -torch.ones(n, dtype=torch.int64),
                torch.ones(n),
                torch.ones(n, dtype=torch.int16),
            ]
        for r in bad:
            exc = (
                RuntimeError
                if r.dtype in (torch.int64, torch.int32) or r.dim() != 1
                else NotImplementedError
            )
            assert_raises_like(
                exc,
                lambda: a.repeat_interleave(to_cresset(r), 0),
                lambda: ta.repeat_interleave(r, 0),
            )
        r = torch.ones(ta.shape[0], dtype=torch.int64)
        if n:  # empty repeats return before output_size is checked, in torch too
            assert_raises_like(
                RuntimeError,
                lambda: a.repeat_interleave(to_cresset(r), 0, output_size=n + 1),
                lambda: ta.repeat_interleave(r, 0, output_size=n + 1),
            )


def test_repeat_interleave_indices():
    for r in [
        torch.tensor([1, 0, 3]),
        torch.tensor([2, 1], dtype=torch.int32),
        torch.tensor([], dtype=torch.int64),
        torch.tensor([0, 2, 0, 1], dtype=torch.int32)[::2],
    ]:
        assert_same(
            cresset.repeat_interleave(to_cresset(r)), torch.repeat_interleave(r), check_stride=True
        )
    r = torch.tensor([1, 2])
    assert_same(
        cresset.repeat_interleave(to_cresset(r), output_size=3),
        torch.repeat_interleave(r, output_size=3),
    )
    assert_raises_like(
        RuntimeError,
        lambda: cresset.repeat_interleave(to_cresset(torch.tensor([-1, 2]))),
        lambda: torch.repeat_interleave(torch.tensor([-1, 2])),
    )


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_diag_diag_embed(name):
    a, ta = pair(name)
    nd = ta.dim()
    for k in [0, 1, -2, 5]:
        if nd in (1, 2):
            assert_same(a.diag(k), ta.diag(k), check_stride=True)
            assert_same(cresset.diag(a, k), torch.diag(ta, k), check_stride=True)
        if nd >= 1:
            assert_same(a.diag_embed(k), ta.diag_embed(k), check_stride=True)
            assert_same(
                cresset.diag_embed(a, k, 0, -1), torch.diag_embed(ta, k, 0, -1), check_stride=True
            )
    if nd not in (1, 2):
        assert_raises_like(RuntimeError, lambda: a.diag(), lambda: ta.diag())
    if nd >= 1:
        assert_raises_like(
            RuntimeError, lambda: a.diag_embed(0, 1, 1), lambda: ta.diag_embed(0, 1, 1)
        )
    assert_raises_like(
        IndexError, lambda: a.diag_embed(0, 0, nd + 2), lambda: ta.diag_embed(0, 0, nd + 2)
    )
    # diagonal() views write through
    if nd >= 2:
        assert_view(a.diagonal(), ta.diagonal(), a, ta)


@pytest.mark.parametrize("name", list(LAYOUTS) + ["big"])
def test_tril_triu(name):
    if name == "big":  # enough rows to split across threads
        ta = torch.arange(3 * 2000 * 8.0).reshape(3, 8, 2000).transpose(1, 2)
        a = to_cresset(ta)
        for k in [0, 3]:
            assert_same(a.tril(k), ta.tril(k), check_stride=True)
            assert_same(a.triu(-k), ta.triu(-k), check_stride=True)
        return
    else:
        a, ta = pair(name)
    nd = ta.dim()
    if nd < 2:
        assert_raises_like(RuntimeError, lambda: a.tril(), lambda: ta.tril())
        assert_raises_like(RuntimeError, lambda: cresset.triu(a), lambda: torch.triu(ta))
        return
    for k in [0, 1, -1, 3, -10, 10]:
        for fn in ["tril", "triu"]:
            assert_same(getattr(a, fn)(k), getattr(ta, fn)(k), check_stride=True)
            assert_same(
                getattr(cresset, fn)(a, diagonal=k),
                getattr(torch, fn)(ta, diagonal=k),
                check_stride=True,
            )
            out, tout = cresset.empty(0, dtype=a.dtype), torch.empty(0, dtype=ta.dtype)
            assert getattr(cresset, fn)(a, k, out=out) is out
            assert_same(out, getattr(torch, fn)(ta, k, out=tout), check_stride=True)
            if all(st != 0 for st in ta.stride()):
                c, tc = a.clone(), ta.clone()
                v = c._version
                assert getattr(c, fn + "_")(k) is c
                getattr(tc, fn + "_")(k)
                assert_same(c, tc, check_stride=True)
                assert c._version > v
    bad = cresset.empty(0, dtype=cresset.int8 if ta.dtype != torch.int8 else cresset.int16)
    tbad = torch.empty(0, dtype=torch.int8 if ta.dtype != torch.int8 else torch.int16)
    assert_raises_like(
        RuntimeError, lambda: cresset.tril(a, out=bad), lambda: torch.tril(ta, out=tbad)
    )


def test_tril_inplace_on_view_writes_base():
    ta = torch.arange(24.0).reshape(4, 6)
    a = to_cresset(ta)
    v, tv = a.narrow(1, 1, 4).t(), ta.narrow(1, 1, 4).t()
    v.triu_(1)
    tv.triu_(1)
    assert_same(a, ta)
