"""Shape and view ops against torch: values, dtypes, shapes, strides, aliasing and errors."""
import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

# Input layouts every op is run over: contiguous, transposed, stepped slice, expanded (stride 0),
# offset, 0-dim, empty, bool and int.
LAYOUTS = {
    "contig": lambda: torch.arange(24.).reshape(2, 3, 4),
    "transposed": lambda: torch.arange(24.).reshape(2, 3, 4).transpose(0, 2),
    "sliced": lambda: torch.arange(60.).reshape(3, 4, 5)[1:, ::2, 1::2],
    "expanded": lambda: torch.arange(4.).reshape(1, 4, 1).expand(3, 4, 2),
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
        for start, length in [(0, size), (size // 2, size - size // 2), (-size, 1) if size else (0, 0),
                              (size, 0)]:
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
    assert_raises_like(IndexError, lambda: a.unsqueeze(ta.dim() + 2), lambda: ta.unsqueeze(ta.dim() + 2))
    assert_raises_like(IndexError, lambda: a.squeeze(4), lambda: ta.squeeze(4))
    assert_raises_like(RuntimeError, lambda: a.squeeze((0, 0)), lambda: ta.squeeze((0, 0)))


def test_inplace_view_ops_keep_identity():
    for op, args in [("unsqueeze_", (1,)), ("squeeze_", ()), ("squeeze_", (0,)), ("t_", ()),
                     ("transpose_", (0, 1)), ("as_strided_", ((2, 2), (1, 2), 1))]:
        base = torch.arange(6.)
        ta = base.reshape(2, 3)[:, :2]
        a = to_cresset(base).reshape(2, 3).narrow(1, 0, 2)
        ours = getattr(a, op)(*args)
        theirs = getattr(ta, op)(*args)
        assert ours is a
        assert_same(a, ta, check_stride=True)
        assert a.storage_offset() == ta.storage_offset()


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_expand(name):
    a, ta = pair(name)
    target = [2] + [3 if s == 1 else -1 for s in ta.shape]
    assert_view(a.expand(*target), ta.expand(*target), a, ta)
    assert_view(a.expand(target), ta.expand(target), a, ta)
    assert_view(a.expand_as(to_cresset(ta.expand(*target))), ta.expand(*target), a, ta)
    assert_raises_like(RuntimeError, lambda: a.expand(-1, *ta.shape), lambda: ta.expand(-1, *ta.shape))
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
    shapes = [s for s in SHAPES if n and n % abs(__import__("math").prod(s)) == 0] or [(-1,), ta.shape]
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
        aliased = theirs.numel() > 0 and theirs.data_ptr() == ta.data_ptr() or \
            theirs.untyped_storage().data_ptr() == ta.untyped_storage().data_ptr()
        ours_aliased = ours.numel() > 0 and ours.data_ptr() == a.data_ptr() or ours.numel() == 0
        if theirs.numel():
            assert ours_aliased == aliased
        assert_same(cresset.reshape(a, shape), torch.reshape(ta, shape), check_stride=True)


def test_view_errors():
    ta = torch.arange(12.).reshape(3, 4)
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
@pytest.mark.parametrize("make", [
    lambda: torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)[:, 1:],
    lambda: torch.arange(24, dtype=torch.float32).reshape(2, 12)[:, 2:],
    lambda: torch.arange(24, dtype=torch.float32).reshape(4, 6)[:, 1:4],
    lambda: torch.arange(24, dtype=torch.float32).reshape(2, 3, 4).transpose(1, 2),
    lambda: torch.tensor(1.0),
    lambda: torch.tensor([1.0, 2.0])])
def test_view_dtype(dtype, make):
    ta = make()
    a = to_cresset(ta)
    try:
        theirs = ta.view(getattr(torch, dtype))
    except RuntimeError:
        assert_raises_like(RuntimeError, lambda: a.view(getattr(cresset, dtype)),
                           lambda: ta.view(getattr(torch, dtype)))
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


@pytest.mark.parametrize("make", [
    lambda: torch.arange(120.).reshape(2, 3, 4, 5).permute(0, 2, 3, 1),
    lambda: torch.arange(120.).reshape(2, 3, 4, 5),
    lambda: torch.arange(120.).reshape(2, 3, 4, 5).permute(0, 2, 3, 1)[:, ::2],
    lambda: torch.arange(240.).reshape(2, 3, 2, 4, 5).permute(0, 2, 3, 4, 1),
    lambda: torch.empty_strided((2, 3), (1, 5)),
    lambda: torch.empty_strided((2, 1, 3), (3, 7, 1)),
    lambda: torch.empty(2, 1, 3).expand(2, 4, 3)])
def test_clone_and_contiguous_formats(make):
    ta = make()
    a = to_cresset(ta)
    assert_same(a.clone(), ta.clone(), check_stride=True)
    formats = ["contiguous_format"] + (["channels_last"] if ta.dim() == 4 else []) + \
        (["channels_last_3d"] if ta.dim() == 5 else [])
    for fmt in formats:
        assert_same(a.clone(memory_format=getattr(cresset, fmt)),
                    ta.clone(memory_format=getattr(torch, fmt)), check_stride=True)
        assert_same(a.contiguous(memory_format=getattr(cresset, fmt)),
                    ta.contiguous(memory_format=getattr(torch, fmt)), check_stride=True)
    if ta.is_contiguous():
        assert a.contiguous(memory_format=cresset.preserve_format) is a
    else:
        assert_raises_like(RuntimeError, lambda: a.contiguous(memory_format=cresset.preserve_format),
                           lambda: ta.contiguous(memory_format=torch.preserve_format))


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
    ta = torch.arange(12.)
    a = to_cresset(ta)
    assert_view(a.as_strided((3, 2), (1, 3), 2), ta.as_strided((3, 2), (1, 3), 2), a, ta)
    assert_view(cresset.as_strided(a, (2, 2), (4, 1)), torch.as_strided(ta, (2, 2), (4, 1)), a, ta)
    for args in [((4,), (4,), 0), ((2,), (-1,), 0), ((2,), (1,), -1), ((2, 2), (1,), 0)]:
        assert_raises_like(RuntimeError, lambda: a.as_strided(*args), lambda: ta.as_strided(*args))
