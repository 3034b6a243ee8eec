"""The index family against torch: __getitem__/__setitem__ (views, strides, aliasing, advanced
indexing), gather/scatter/index_* ops, masks, nonzero, take/put and sorted search."""
import cresset
import pytest
import torch
from utils import DTYPE_NAMES, FLOAT_DTYPES, INT_DTYPES, assert_same, to_cresset

EXC_TYPES = (IndexError, ValueError, TypeError, NotImplementedError, RuntimeError)


def conv(x):
    """A torch index expression (or argument) with every tensor converted to cresset."""
    if isinstance(x, torch.Tensor):
        return to_cresset(x)
    if isinstance(x, tuple):
        return tuple(conv(i) for i in x)
    if isinstance(x, list):
        return [conv(i) for i in x]
    return x


def check(fn_ours, fn_theirs, **kw):
    """Both return the same result, or both raise the same kind of exception."""
    try:
        theirs = fn_theirs()
    except EXC_TYPES as e:
        expected = next(c for c in EXC_TYPES if isinstance(e, c))
        with pytest.raises(expected):
            fn_ours()
        return None
    ours = fn_ours()
    assert_same(ours, theirs, **kw)
    return ours, theirs


def values(shape, dtype="float32", start=0):
    """Distinct values (wrapping for small dtypes) of `shape` in torch."""
    n = 1
    for s in shape:
        n *= s
    t = torch.arange(start, start + n, dtype=torch.float64).reshape(shape)
    dt = getattr(torch, dtype)
    if dt == torch.bool:
        return (t.long() % 3 == 1)
    if dt in (torch.uint8, torch.int8):
        return (t.long() % 100).to(dt)
    return t.to(dt)


def layouts(shape, dtype="float32"):
    """The same values in a contiguous, a permuted and a stepped layout."""
    base = values(shape, dtype)
    rev = list(reversed(range(len(shape))))
    permuted = base.permute(rev).contiguous().permute(rev)
    wide = list(shape[:-1]) + [shape[-1] * 2] if shape else []
    stepped = torch.zeros(wide, dtype=base.dtype) if shape else base.clone()
    if shape:
        stepped[..., ::2] = base
        stepped = stepped[..., ::2]
    return {"contiguous": base, "permuted": permuted, "stepped": stepped}


# ---------------------------------------------------------------------------------------------
# __getitem__ / __setitem__
# ---------------------------------------------------------------------------------------------

L = torch.tensor
B = lambda *v: torch.tensor(v, dtype=torch.bool)  # noqa: E731

INDEX_CASES = [
    # 1-D (6,)
    ((6,), 0), ((6,), -1), ((6,), 5), ((6,), slice(None)), ((6,), slice(1, 4)),
    ((6,), slice(None, None, 2)), ((6,), slice(-4, None, 3)), ((6,), slice(10, 20)),
    ((6,), slice(-100, 2)), ((6,), slice(4, 1)), ((6,), ...), ((6,), None), ((6,), (None, ...)),
    ((6,), (..., None)), ((6,), True), ((6,), False), ((6,), [0, 2, -1]), ((6,), [[0, 1], [2, 3]]),
    ((6,), L([1, 3])), ((6,), L(2)), ((6,), L(True)), ((6,), L(False)),
    ((6,), B(True, False, True, True, False, False)), ((6,), [True, False, True, False, True, True]),
    ((6,), L([], dtype=torch.long)), ((6,), []), ((6,), L([1, 1, 1])), ((6,), L([-6, 5])),
    ((6,), L([1, 2], dtype=torch.int32)), ((6,), [1.7, 2.2]),
    # 2-D (3, 4)
    ((3, 4), (0,)), ((3, 4), (0, 1)), ((3, 4), (-1, -1)), ((3, 4), (slice(None), 1)),
    ((3, 4), (slice(1, None), slice(None, None, 2))), ((3, 4), (..., 0)), ((3, 4), (None, 0, None)),
    ((3, 4), ([0, 2],)), ((3, 4), ([0, 2], [1, 3])), ((3, 4), (slice(None), [0, 3])),
    ((3, 4), ([[0], [2]], [1, 3])), ((3, 4), (slice(None), L([[0, 3], [1, 1]]))),
    ((3, 4), (B(True, False, True),)), ((3, 4), (slice(None), B(True, False, False, True))),
    ((3, 4), (values((3, 4)) > 4,)), ((3, 4), (1, [0, 2])), ((3, 4), ([1], slice(None))),
    ((3, 4), (0, True)), ((3, 4), (True, 0)), ((3, 4), (False, ...)), ((3, 4), (..., [0, -1])),
    ((3, 4), (L(1), L([0, 1]))), ((3, 4), [0, slice(None)]), ((3, 4), [[0, 1], [1, 2]]),
    ((3, 4), (L([0, 2]), None, L([1, 3]))), ((3, 4), (slice(None, None, 2), None, [3, 0])),
    ((3, 4), (..., 1, ...)),
    # 3-D (2, 3, 4)
    ((2, 3, 4), ([0, 1], slice(None), [1, 2])), ((2, 3, 4), (slice(None), [0, 1], [1, 2])),
    ((2, 3, 4), (1, slice(None), [1, 2])), ((2, 3, 4), ([0, 1], None, [1, 2])),
    ((2, 3, 4), (values((2, 3)) > 2,)), ((2, 3, 4), (values((2, 3)) > 2, 0)),
    ((2, 3, 4), (values((2, 3)) > 2, [0, 1, 2, 3])), ((2, 3, 4), (..., B(True, False, True, True))),
    ((2, 3, 4), (slice(None), L([[0, 1], [1, 2]]), slice(None))), ((2, 3, 4), ([0], [1], [2])),
    ((2, 3, 4), (None, ..., None)), ((2, 3, 4), (slice(None, None, 2), slice(1, None), slice(None, None, 3))),
    ((2, 3, 4), (L([[1], [0]]), slice(None), L([0, 3, 2]))), ((2, 3, 4), (0, L([2, 0]), L([[1], [3]]))),
    ((2, 3, 4), (values((2, 3, 4)) > 10,)), ((2, 3, 4), (slice(None), values((3, 4)) > 5)),
    # 4-D (2, 3, 4, 5)
    ((2, 3, 4, 5), (0, ..., 1)), ((2, 3, 4, 5), (..., [0, 2], slice(None))),
    ((2, 3, 4, 5), ([0, 1], slice(None), slice(None), [0, 4])),
    ((2, 3, 4, 5), (slice(None), [[0], [2]], slice(None), [1, 3])),
    ((2, 3, 4, 5), (..., None, 1)), ((2, 3, 4, 5), (values((2, 3)) > 3, slice(None), [0, 1])),
    ((2, 3, 4, 5), (1, slice(None, None, 2), [3, 0, 1], slice(1, 4))),
    ((2, 3, 4, 5), (slice(None), None, L([1, 2]), L([[0], [3]]), None)),
    # empty results: no index is read, so none is range-checked; torch's strides for empties
    ((0, 4, 3), (..., [3])), ((0, 0, 0), (torch.zeros(0, 1, dtype=torch.long), [0, 0])),
    ((3, 0, 1, 0), ([1],)), ((0, 2, 3), (None, slice(1, None), True)),
    ((2, 3, 4), (..., slice(None), ..., slice(None))),
]


def _case_id(case):
    shape, idx = case
    return f"{shape}-{idx!r}".replace(" ", "")[:60]


@pytest.mark.parametrize("case", INDEX_CASES, ids=[_case_id(c) for c in INDEX_CASES])
@pytest.mark.parametrize("layout", ["contiguous", "permuted", "stepped"])
def test_getitem(case, layout):
    shape, idx = case
    tb = layouts(shape)[layout]
    ob = to_cresset(tb)
    got = check(lambda: ob[conv(idx)], lambda: tb[idx])
    if got is None:
        return
    ours, theirs = got
    shares = theirs.numel() > 0 and theirs.untyped_storage().data_ptr() == tb.untyped_storage().data_ptr()
    assert_same(ours, theirs, check_stride=True)
    if theirs.numel() == 0:
        return
    if shares:  # a view: same offset into the same memory, and writes show through
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.data_ptr() - ob.data_ptr() == (theirs.data_ptr() - tb.data_ptr())
    fill = torch.full_like(theirs, -7.0)
    ours.copy_(to_cresset(fill))
    theirs.copy_(fill)
    assert_same(ob, tb, check_stride=True)  # views propagated the write, copies did not


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_getitem_dtypes(dtype):
    tb = values((3, 4), dtype)
    ob = to_cresset(tb)
    for idx in [(1,), (slice(None), [0, 3]), (values((3, 4)) > 5,), ([2, 0], [1, 3]), (..., None, 2)]:
        check(lambda: ob[conv(idx)], lambda: tb[idx], check_stride=True)


def _setitem_values(theirs_result, base_dtype):
    shape = tuple(theirs_result.shape)
    dt = base_dtype
    out = [3, 2.5, True, torch.tensor(9, dtype=dt), torch.tensor(9.5), values(shape, "float32", 40).to(dt)]
    if len(shape) >= 1:
        out.append(values(shape[-1:], "float32", 50).to(dt))        # broadcast from the right
        out.append(values((1,) + shape, "float32", 60).to(dt))      # leading 1 is dropped
        out.append(values(shape, "int64", 70))                       # other dtype (cast or error)
        out.append(values((2,) + shape, "float32").to(dt))          # doesn't broadcast
    return out


@pytest.mark.parametrize("case", INDEX_CASES, ids=[_case_id(c) for c in INDEX_CASES])
def test_setitem(case):
    shape, idx = case
    for layout in ["contiguous", "permuted"]:
        for dtype in ["float32", "int64"]:
            tb0 = layouts(shape, dtype)[layout]
            try:
                result_like = tb0[idx]
            except EXC_TYPES:
                result_like = torch.zeros(0)
            for v in _setitem_values(result_like, tb0.dtype):
                tb, ob = tb0.clone(), to_cresset(tb0)
                ov = conv(v)

                def ours():
                    ob[conv(idx)] = ov
                    return ob

                def theirs():
                    tb[idx] = v
                    return tb

                check(ours, theirs)


def test_setitem_bumps_version_once_and_keeps_identity():
    for idx, v in [(0, 1.0), ((slice(None), [0, 1]), 2.0), (cresset.tensor([True, False, True]), 5.0),
                   ([0, 2], cresset.tensor([1.0, 2.0, 3.0]))]:
        x = cresset.zeros(3, 3)
        before = x._version
        x[idx] = v
        assert x._version == before + 1


@pytest.mark.parametrize("dtype,value", [
    ("int8", 128), ("int8", -129), ("uint8", -1), ("uint8", 256), ("uint8", -256), ("int16", 40000),
    ("int64", 1e19), ("int32", 2.5), ("float32", 1e39), ("float16", 1e5), ("bool", 7), ("uint8", -1.5)])
def test_setitem_number_overflow(dtype, value):
    tb = torch.zeros(3, dtype=getattr(torch, dtype))
    ob = to_cresset(tb)

    def ours():
        ob[0] = value
        return ob

    def theirs():
        tb[0] = value
        return tb

    check(ours, theirs)


@pytest.mark.parametrize("shape,idx", [
    ((3,), 3), ((3,), -4), ((3,), (0, 0)), ((3,), slice(None, None, -1)), ((3,), L([3])),
    ((3,), [5]), ((3,), L([1.0])), ((3,), L([1], dtype=torch.int8)), ((3,), B(True, False)),
    ((2, 3), (slice(None), L([5]))), ((2, 3), ([0, 1], [0, 1, 2])), ((2, 3), (1.5,)),
    ((2, 3), (values((3, 2)) > 1,)), ((2, 3, 4), (0, 0, 0, 0)), ((2, 0), (slice(None), [0])),
    ((2, 3, 4), (L([0]), slice(None), L([7]))), ((2, 3), "a"), ((2, 3), ([0], [0], [0])),
    ((2, 3, 4), (..., 0, ..., 0)), ((2, 3, 4), (..., [0], ..., [0])), ((2, 3, 4), (..., None, ..., 0)),
    ((2, 3, 4), (..., slice(1, None), ..., slice(1, None))),
])
def test_index_errors(shape, idx):
    tb = values(shape)
    ob = to_cresset(tb)
    check(lambda: ob[conv(idx)], lambda: tb[idx])

    def ours():
        ob[conv(idx)] = 1.0

    def theirs():
        tb[idx] = 1.0

    check(ours, theirs)


def test_overlapping_writes_raise_like_torch():
    def cases(m):
        x = m.tensor([0.0, 1, 2, 3, 4, 5])
        y = m.tensor([[0.0, 1], [2, 3]])
        i = m.tensor([0, 1, 0])
        li = m.tensor([0, 1, 2])
        return [
            lambda: x.__setitem__(..., x), lambda: x.__setitem__(slice(1, None), x[:-1]),
            lambda: y.__setitem__(..., y.as_strided((2, 2), (1, 2))), lambda: x.index_put_((m.tensor([0, 1]),), x[:2]),
            lambda: x.scatter_(0, i, x), lambda: x.scatter_add_(0, i, x),
            lambda: x.index_add_(0, i, x[:3]), lambda: x.index_copy_(0, m.tensor([5, 4]), x[:2]),
            lambda: x.put_(m.tensor([5, 4]), x[:2]), lambda: li.scatter_(0, li, li),
            lambda: x.__setitem__(m.tensor([1, 2]), m.tensor([7.0, 8.0])),
        ]
    for ours, theirs in zip(cases(cresset), cases(torch)):
        check(lambda: ours() and None, lambda: theirs() and None)


def test_numpy_indices():
    import numpy as np
    tb = values((4, 3))
    ob = to_cresset(tb)
    for idx in [np.int64(2), np.array([1, 3]), (np.array([True, False, True, True]), 1), (slice(None), np.int32(-1))]:
        check(lambda: ob[idx], lambda: tb[idx])


def test_slice_step_zero_is_value_error():
    with pytest.raises(ValueError):
        cresset.zeros(3)[::0]


def test_getitem_on_zero_dim_and_empty():
    for tb in [torch.tensor(5.0), torch.zeros(0, 3), torch.zeros(2, 0, 3)]:
        ob = to_cresset(tb)
        for idx in [..., None, True, False, (None, ...), L(True)] + ([0] if tb.dim() else []) + \
                [(slice(None), [])] * (tb.dim() >= 2):
            check(lambda: ob[conv(idx)], lambda: tb[idx], check_stride=True)


def test_getitem_large_index_parallel():
    tb = values((2000, 9))
    idx = torch.randint(-2000, 2000, (40000,))
    ob = to_cresset(tb)
    check(lambda: ob[to_cresset(idx)], lambda: tb[idx], check_stride=True)
    check(lambda: ob[:, to_cresset(idx[:20] % 9)], lambda: tb[:, idx[:20] % 9], check_stride=True)


# ---------------------------------------------------------------------------------------------
# index_put_
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(dtype, accumulate):
    tb = values((4, 3), dtype)
    for indices, vals in [
        ((L([0, 2, 0]),), values((3, 3), dtype, 7)),        # duplicates
        ((L([0, 2]), L([1, 1])), values((2,), dtype, 3)),
        ((None, L([2, 0])), values((4, 2), dtype, 1)),
        ((values((4, 3)) > 5,), values((1,), dtype, 4)),    # mask + one value
        ((values((4, 3)) > 5,), values((6,), dtype, 4)),
        ((L([-1]), L([-3])), values((), dtype, 9)),
    ]:
        t = tb.clone()
        o = to_cresset(t)
        check(lambda: o.index_put_(conv(indices), conv(vals), accumulate=accumulate),
              lambda: t.index_put_(indices, vals, accumulate=accumulate))
        check(lambda: cresset.index_put(to_cresset(tb), conv(indices), conv(vals), accumulate),
              lambda: torch.index_put(tb, indices, vals, accumulate))


def test_index_put_accumulate_duplicates_large():
    t = torch.zeros(100, 7)
    idx = torch.randint(0, 100, (30000,))
    v = torch.randn(30000, 7)
    o = to_cresset(t)
    check(lambda: o.index_put_((to_cresset(idx),), to_cresset(v), accumulate=True),
          lambda: t.index_put_((idx,), v, accumulate=True), rtol=1e-4, atol=1e-4)


def test_more_index_tensors_than_iterator_operands():
    tb = values((2, 3, 2, 2, 3, 2, 2, 2))
    mask = values((2, 3, 2, 2, 3, 2, 2)) % 3 == 1
    idx = tuple(L([0, -1]) % s for s in tb.shape)
    ob = to_cresset(tb)
    check(lambda: ob[to_cresset(mask)], lambda: tb[mask])
    check(lambda: ob[conv(idx)], lambda: tb[idx])
    check(lambda: ob[conv(idx[:7]) + (slice(None),)], lambda: tb[idx[:7] + (slice(None),)])
    t, o = tb.clone(), to_cresset(tb)
    v = values((2,), start=100)
    check(lambda: o.index_put_(conv(idx), to_cresset(v), accumulate=True),
          lambda: t.index_put_(idx, v, accumulate=True))


def test_index_put_errors():
    t = torch.zeros(3, 4)
    o = to_cresset(t)
    for indices, vals in [((L([0]),), torch.ones(1, 4, dtype=torch.int64)),
                          ((L([5]),), torch.ones(4)), ((L([0]),) * 3, torch.ones(1)),
                          ((L([0, 1]),), torch.ones(3, 4)), ((L([0.0]),), torch.ones(4))]:
        check(lambda: o.index_put_(conv(indices), conv(vals)), lambda: t.index_put_(indices, vals))


# ---------------------------------------------------------------------------------------------
# gather / index_select / take / take_along_dim
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_gather(dtype):
    for layout, tb in layouts((3, 4, 5), dtype).items():
        ob = to_cresset(tb)
        for dim in [0, 1, 2, -1]:
            size = tb.shape[dim]
            idx_shape = list(tb.shape)
            idx_shape[dim] = 6
            idx_shape[(dim + 1) % 3] -= 1
            idx = torch.randint(0, size, idx_shape)
            check(lambda: cresset.gather(ob, dim, to_cresset(idx)), lambda: torch.gather(tb, dim, idx),
                  check_stride=True)
            idx_t = idx.transpose(0, 2).contiguous().transpose(0, 2)
            check(lambda: ob.gather(dim, to_cresset(idx_t)), lambda: tb.gather(dim, idx_t))
            check(lambda: ob.gather(dim, to_cresset(idx.int())), lambda: tb.gather(dim, idx.int()))


def test_gather_edge_cases_and_errors():
    x = values((2, 3))
    o = to_cresset(x)
    cases = [
        (x, 0, L([[5]])), (x, 0, L([[-1]])), (x, 0, L([0])), (x, 0, torch.zeros(3, 4, dtype=torch.long)),
        (x, 0, torch.zeros(5, 3, dtype=torch.long)), (x, 0, torch.zeros(0, 3, dtype=torch.long)),
        (x, 1, torch.zeros(0, dtype=torch.long)), (x, 2, torch.zeros(2, 3, dtype=torch.long)),
        (x, 1, torch.zeros(2, 3)), (x, 1, torch.zeros(2, 3, dtype=torch.int16)),
        (torch.tensor(5.0), 0, L(0)), (torch.tensor(5.0), 0, L([0, 0])), (values((3,)), 0, L(1)),
        (x.expand(4, 2, 3)[1], 1, L([[2, 2, 0]])),
    ]
    for t, dim, idx in cases:
        check(lambda: cresset.gather(to_cresset(t), dim, to_cresset(idx)), lambda: torch.gather(t, dim, idx))
    out_t, out_o = torch.empty(7), cresset.empty(7)
    idx = L([[1, 0, 1]])
    r = cresset.gather(o, 0, to_cresset(idx), out=out_o)
    assert r._is_same(out_o)
    assert_same(out_o, torch.gather(x, 0, idx, out=out_t))
    check(lambda: cresset.gather(o, 0, to_cresset(idx), out=cresset.empty(1, 3, dtype=cresset.int64)),
          lambda: torch.gather(x, 0, idx, out=torch.empty(1, 3, dtype=torch.int64)))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_index_select(dtype):
    for tb in layouts((4, 5, 6), dtype).values():
        ob = to_cresset(tb)
        for dim in [0, 1, 2, -2]:
            idx = torch.tensor([0, tb.shape[dim] - 1, 1, 1])
            check(lambda: cresset.index_select(ob, dim, to_cresset(idx)),
                  lambda: torch.index_select(tb, dim, idx), check_stride=True)
            check(lambda: ob.index_select(dim, to_cresset(idx[::2].int())), lambda: tb.index_select(dim, idx[::2].int()))
            check(lambda: ob.index_select(dim, to_cresset(L(2))), lambda: tb.index_select(dim, L(2)))


def test_index_select_edge_cases_and_errors():
    x = values((2, 3))
    for t, dim, idx in [
        (x, 0, L([2])), (x, 0, L([-1])), (x, 0, L([[0]])), (x, 1, torch.zeros(0, dtype=torch.long)),
        (x, 1, torch.zeros(0)), (torch.tensor(3.0), 0, L([0])), (torch.tensor(3.0), 0, L(0)),
        (torch.tensor(3.0), 0, L([0, 0])), (torch.tensor(3.0), 0, L([1])), (torch.zeros(0, 3), 0, L([0])),
        (torch.zeros(0, 3), 0, torch.zeros(0, dtype=torch.long)), (x, 3, L([0])),
        # torch raises RuntimeError on its dim-1 and empty-self paths, IndexError elsewhere
        (x, 1, L([3])), (values((2, 3, 4)), 1, L([-1])), (values((2, 3, 4)), 2, L([4])),
        (torch.zeros(2, 0, 3), 0, L([5])), (torch.zeros(2, 0, 3), 2, L([-1])), (torch.zeros(0), 0, L([0])),
    ]:
        check(lambda: cresset.index_select(to_cresset(t), dim, to_cresset(idx)), lambda: torch.index_select(t, dim, idx))
    out = cresset.empty(0, dtype=cresset.float32)
    r = cresset.index_select(to_cresset(x), 1, cresset.tensor([2, 0]), out=out)
    assert r._is_same(out)
    assert_same(out, torch.index_select(x, 1, L([2, 0])))


def test_index_select_large_rows():
    tb = values((3000, 16))
    idx = torch.randint(0, 3000, (5000,))
    check(lambda: to_cresset(tb).index_select(0, to_cresset(idx)), lambda: tb.index_select(0, idx))
    check(lambda: to_cresset(tb).index_select(1, to_cresset(idx[:30] % 16)),
          lambda: tb.index_select(1, idx[:30] % 16))


@pytest.mark.parametrize("dtype", ["bool", "int32", "float16", "float64"])
def test_take_and_put(dtype):
    for tb in layouts((3, 4), dtype).values():
        for idx in [L([0, 11, -1, -12, 5]), L([[1, 1], [2, 3]]), torch.zeros(0, dtype=torch.long), L(4)]:
            check(lambda: cresset.take(to_cresset(tb), to_cresset(idx)), lambda: torch.take(tb, idx))
            src = values(tuple(idx.shape), dtype, 20)
            for acc in [False, True]:
                t = tb.clone()
                o = to_cresset(tb)
                check(lambda: o.put_(to_cresset(idx), to_cresset(src), accumulate=acc),
                      lambda: t.put_(idx, src, accumulate=acc))
                assert_same(o, t)
                check(lambda: to_cresset(tb).put(to_cresset(idx), to_cresset(src), acc),
                      lambda: tb.put(idx, src, acc))


def test_take_put_errors():
    x = values((2, 3))
    for t, idx in [(x, L([6])), (x, L([-7])), (x, L([1]).int()), (torch.zeros(0), L([0])),
                   (torch.zeros(0), torch.zeros(0, dtype=torch.long))]:
        check(lambda: cresset.take(to_cresset(t), to_cresset(idx)), lambda: torch.take(t, idx))
    for t, idx, src in [(x, L([6]), torch.ones(1)), (x, L([0, 1]), torch.ones(3)),
                        (x, L([0]), torch.ones(1, dtype=torch.int64)), (x, L([0]).int(), torch.ones(1)),
                        (torch.zeros(0), L([0]), torch.ones(1))]:
        check(lambda: to_cresset(t).put_(to_cresset(idx), to_cresset(src)), lambda: t.clone().put_(idx, src))


def test_take_along_dim():
    x = values((3, 4))
    for idx, dim in [(L([[0], [3], [1]]), 1), (L([[0, 1]]), 1), (L([[2, 0, 1, 1]]), 0), (L([0, 5, 11]), None),
                     (L([[0], [5]]), None), (L([[0, 1]]), -1), (L([0, 1]), 1), (L([[0]]).int(), 1),
                     (L([[0, 1], [1, 0]]), 1), (L([[[0]]]), 1),
                     (L([[-1], [5]]), 1), (L([[100, -100]]), 0), (L([-1, 13, -13]), None)]:
        check(lambda: cresset.take_along_dim(to_cresset(x), to_cresset(idx), dim),
              lambda: torch.take_along_dim(x, idx, dim))
        check(lambda: to_cresset(x).take_along_dim(to_cresset(idx), dim=dim), lambda: x.take_along_dim(idx, dim=dim))
    check(lambda: cresset.take_along_dim(cresset.tensor(2.0), cresset.tensor(0), 0),
          lambda: torch.take_along_dim(torch.tensor(2.0), L(0), 0))


# ---------------------------------------------------------------------------------------------
# scatter family
# ---------------------------------------------------------------------------------------------

def _scatter_index(shape, dim, size, dups=True):
    if dups:
        return torch.randint(0, size, shape)
    # distinct along dim: a random permutation prefix per position
    perm = torch.argsort(torch.rand(*[s if d != dim else size for d, s in enumerate(shape)]), dim=dim)
    return perm.narrow(dim, 0, shape[dim])


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_scatter(dtype):
    torch.manual_seed(0)
    for tb in layouts((4, 5), dtype).values():
        for dim in [0, 1, -1]:
            idx = _scatter_index((3, 4), dim % 2, tb.shape[dim], dups=False)
            src = values((4, 5), dtype, 30)
            check(lambda: to_cresset(tb).scatter(dim, to_cresset(idx), to_cresset(src)),
                  lambda: tb.scatter(dim, idx, src))
            check(lambda: to_cresset(tb).scatter(dim, to_cresset(idx), 1), lambda: tb.scatter(dim, idx, 1))
            check(lambda: cresset.scatter(to_cresset(tb), dim, to_cresset(idx), value=0),
                  lambda: torch.scatter(tb, dim, idx, value=0))
            for reduce in ["add", "multiply"]:
                dup = _scatter_index((3, 4), dim % 2, tb.shape[dim])
                check(lambda: to_cresset(tb).scatter(dim, to_cresset(dup), to_cresset(src), reduce=reduce),
                      lambda: tb.scatter(dim, dup, src, reduce=reduce))
                check(lambda: to_cresset(tb).scatter(dim, to_cresset(dup), 2, reduce=reduce),
                      lambda: tb.scatter(dim, dup, 2, reduce=reduce))


def test_scatter_inplace_out_and_errors():
    x = values((2, 3))
    t, o = x.clone(), to_cresset(x)
    idx = L([[1, 0, 1]])
    before = o._version
    r = o.scatter_(0, to_cresset(idx), to_cresset(values((1, 3), start=10)))
    assert r._is_same(o) and o._version == before + 1
    t.scatter_(0, idx, values((1, 3), start=10))
    assert_same(o, t)
    out = cresset.empty(1)
    assert cresset.scatter(to_cresset(x), 1, to_cresset(idx), to_cresset(x), out=out)._is_same(out)
    assert_same(out, torch.scatter(x, 1, idx, x))
    for dim, i, src in [(0, L([0]), torch.ones(3)), (0, torch.zeros(2, 3, dtype=torch.long), torch.ones(1, 3)),
                        (0, torch.zeros(3, 3, dtype=torch.long), torch.ones(3, 3)),
                        (0, torch.zeros(2, 4, dtype=torch.long), torch.ones(3, 4)),
                        (0, torch.zeros(2, 3, dtype=torch.long), torch.ones(2, 3, dtype=torch.int64)),
                        (0, torch.zeros(2, 3, dtype=torch.int32), torch.ones(2, 3)),
                        (1, torch.zeros(2, 3), torch.ones(2, 3)), (0, L([[2, 0, 0]]), torch.ones(1, 3)),
                        (0, L([[-1, 0, 0]]), torch.ones(1, 3)), (0, torch.zeros(0, dtype=torch.long), torch.ones(2, 3)),
                        (0, torch.zeros(2, 3, dtype=torch.long), torch.tensor(1.0)), (2, L([[0]]), torch.ones(1, 1))]:
        check(lambda: to_cresset(x).scatter_(dim, to_cresset(i), to_cresset(src)),
              lambda: x.clone().scatter_(dim, i, src))
    check(lambda: to_cresset(x).scatter_(0, to_cresset(idx), 1.0, reduce="max"),
          lambda: x.clone().scatter_(0, idx, 1.0, reduce="max"))
    check(lambda: cresset.zeros(3).as_strided([2, 3], [0, 1]).scatter_(0, to_cresset(idx), 1.0),
          lambda: torch.zeros(3).expand(2, 3).scatter_(0, idx, 1.0))
    check(lambda: cresset.tensor(5.0).scatter_(0, cresset.tensor(0), cresset.tensor(3.0)),
          lambda: torch.tensor(5.0).scatter_(0, L(0), torch.tensor(3.0)))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_scatter_add(dtype):
    torch.manual_seed(1)
    for tb in layouts((5, 6), dtype).values():
        for dim in [0, 1]:
            idx = torch.randint(0, tb.shape[dim], (7, 6) if dim == 0 else (5, 9))
            src = values(tuple(idx.shape), dtype, 3)
            src_t = src.t().contiguous().t()
            check(lambda: to_cresset(tb).scatter_add(dim, to_cresset(idx), to_cresset(src_t)),
                  lambda: tb.scatter_add(dim, idx, src_t))
            check(lambda: cresset.scatter_add(to_cresset(tb), dim, to_cresset(idx.int()), to_cresset(src)),
                  lambda: torch.scatter_add(tb, dim, idx.int(), src))


def test_scatter_add_duplicates_large():
    torch.manual_seed(2)
    t = torch.zeros(50, 40, dtype=torch.float64)
    idx = torch.randint(0, 50, (20000, 40))
    src = torch.randn(20000, 40, dtype=torch.float64)
    check(lambda: to_cresset(t).scatter_add(0, to_cresset(idx), to_cresset(src)),
          lambda: t.scatter_add(0, idx, src))
    t1 = torch.zeros(37, dtype=torch.int64)
    idx1 = torch.randint(0, 37, (100000,))
    check(lambda: to_cresset(t1).scatter_add(0, to_cresset(idx1), to_cresset(torch.ones(100000, dtype=torch.int64))),
          lambda: t1.scatter_add(0, idx1, torch.ones(100000, dtype=torch.int64)))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(dtype, reduce):
    torch.manual_seed(3)
    tb = values((4, 5), dtype)
    if dtype in FLOAT_DTYPES:
        tb = (tb - 9) / 4
    idx = torch.randint(0, 4, (6, 5))
    src = values((6, 5), dtype, 5)
    if dtype in FLOAT_DTYPES:
        src = (src - 14) / 8
    for include_self in [True, False]:
        check(lambda: to_cresset(tb).scatter_reduce(0, to_cresset(idx), to_cresset(src), reduce,
                                                   include_self=include_self),
              lambda: tb.scatter_reduce(0, idx, src, reduce, include_self=include_self))
        t = tb.t().contiguous().t().clone()
        o = to_cresset(t)
        check(lambda: o.scatter_reduce_(1, to_cresset(idx.t()[:, :3]), to_cresset(src.t()), reduce,
                                        include_self=include_self),
              lambda: t.scatter_reduce_(1, idx.t()[:, :3], src.t(), reduce, include_self=include_self))


def test_scatter_reduce_nan_and_errors():
    t = torch.tensor([1.0, float("nan"), 3.0])
    src = torch.tensor([float("nan"), 5.0, 2.0, 9.0])
    idx = L([0, 1, 2, 2])
    for reduce in ["amax", "amin", "sum"]:
        check(lambda: to_cresset(t).scatter_reduce(0, to_cresset(idx), to_cresset(src), reduce),
              lambda: t.scatter_reduce(0, idx, src, reduce))
    check(lambda: to_cresset(t).scatter_reduce(0, to_cresset(idx), to_cresset(src), "add"),
          lambda: t.scatter_reduce(0, idx, src, "add"))
    out = cresset.empty(3)
    assert cresset.scatter_reduce(to_cresset(t), 0, to_cresset(idx), to_cresset(src), "sum", out=out)._is_same(out)
    tv = t.clone()
    o = to_cresset(t)
    v = o._version
    o.scatter_reduce_(0, to_cresset(idx), to_cresset(src), "mean", include_self=False)
    tv.scatter_reduce_(0, idx, src, "mean", include_self=False)
    assert_same(o, tv)
    assert o._version == v + 1


# ---------------------------------------------------------------------------------------------
# index_add / index_copy / index_fill
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_index_add_copy_fill(dtype):
    for tb in layouts((4, 5), dtype).values():
        for dim in [0, 1, -1]:
            n = tb.shape[dim]
            dup = torch.tensor([n - 1, 0, n - 1])
            distinct = torch.tensor([n - 1, 0, 1])
            shape = list(tb.shape)
            shape[dim] = 3
            src = values(tuple(shape), dtype, 11)
            src_t = src.t().contiguous().t()
            alpha = True if dtype == "bool" else 2
            check(lambda: to_cresset(tb).index_add(dim, to_cresset(dup), to_cresset(src_t), alpha=alpha),
                  lambda: tb.index_add(dim, dup, src_t, alpha=alpha))
            check(lambda: cresset.index_add(to_cresset(tb), dim, to_cresset(dup.int()), to_cresset(src)),
                  lambda: torch.index_add(tb, dim, dup.int(), src))
            check(lambda: to_cresset(tb).index_copy(dim, to_cresset(distinct), to_cresset(src_t)),
                  lambda: tb.index_copy(dim, distinct, src_t))
            check(lambda: cresset.index_copy(to_cresset(tb), dim, to_cresset(dup), to_cresset(src)),
                  lambda: torch.index_copy(tb, dim, dup, src))
            check(lambda: to_cresset(tb).index_fill(dim, to_cresset(L([-1, 0, -1])), 1),
                  lambda: tb.index_fill(dim, L([-1, 0, -1]), 1))
            check(lambda: cresset.index_fill(to_cresset(tb), dim, to_cresset(L(1)), to_cresset(L(0))),
                  lambda: torch.index_fill(tb, dim, L(1), L(0)))


def test_index_add_copy_fill_inplace_and_errors():
    x = values((2, 3))
    o, t = to_cresset(x), x.clone()
    v = o._version
    assert o.index_add_(1, cresset.tensor([0, 0]), to_cresset(torch.ones(2, 2)), alpha=3)._is_same(o)
    t.index_add_(1, L([0, 0]), torch.ones(2, 2), alpha=3)
    assert_same(o, t)
    assert o._version == v + 1
    cases = [
        lambda m, s: s.index_add_(0, m.tensor([0]), m.ones(1, 3, dtype=m.int64)),
        lambda m, s: s.index_add_(0, m.tensor([0]), m.ones(2, 3)),
        lambda m, s: s.index_add_(0, m.tensor([0]), m.ones(1, 4)),
        lambda m, s: s.index_add_(0, m.zeros(1, 1, dtype=m.int64), m.ones(1, 3)),
        lambda m, s: s.index_add_(0, m.tensor([0.0]), m.ones(1, 3)),
        lambda m, s: s.index_add_(0, m.tensor([5]), m.ones(1, 3)),
        lambda m, s: s.index_add_(0, m.tensor([-1]), m.ones(1, 3)),
        lambda m, s: s.index_add_(1, m.tensor([0]), m.ones(2)),
        lambda m, s: s.index_copy_(0, m.tensor([0]), m.ones(1, 3, dtype=m.int64)),
        lambda m, s: s.index_copy_(0, m.tensor([0]), m.ones(2, 3)),
        lambda m, s: s.index_copy_(0, m.tensor([0]), m.ones(1, 4)),
        lambda m, s: s.index_copy_(0, m.tensor([0], dtype=m.int32), m.ones(1, 3)),
        lambda m, s: s.index_copy_(0, m.zeros(1, 1, dtype=m.int64), m.ones(1, 3)),
        lambda m, s: s.index_copy_(0, m.tensor([5]), m.ones(1, 3)),
        lambda m, s: s.index_copy_(1, m.tensor([0, 1]), m.ones(2)),
        lambda m, s: s.index_fill_(0, m.tensor([0]), m.tensor([1.0])),
        lambda m, s: s.index_fill_(0, m.tensor([0], dtype=m.int32), 1),
        lambda m, s: s.index_fill_(0, m.zeros(1, 1, dtype=m.int64), 1),
        lambda m, s: s.index_fill_(1, m.tensor([3]), 1),
        lambda m, s: s.index_fill_(1, m.tensor([-4]), 1),
        lambda m, s: s.index_fill_(0, m.tensor([1]), 1e39),
    ]
    for case in cases:
        check(lambda: case(cresset, to_cresset(x)), lambda: case(torch, x.clone()))
    for shape, dim in [((4,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((0, 3), 0),
                       ((2, 0), 1), ((0,), 0)]:
        for index in [L([9]), L([-1]), L([9], dtype=torch.int32)]:
            src_shape = list(shape)
            src_shape[dim] = 1
            t, src = torch.zeros(shape), torch.ones(src_shape)
            check(lambda: to_cresset(t).index_add_(dim, to_cresset(index), to_cresset(src)),
                  lambda: t.clone().index_add_(dim, index, src))
            if index.dtype == torch.int64:
                check(lambda: to_cresset(t).index_copy_(dim, to_cresset(index), to_cresset(src)),
                      lambda: t.clone().index_copy_(dim, index, src))
                check(lambda: to_cresset(t).index_fill_(dim, to_cresset(index), 1),
                      lambda: t.clone().index_fill_(dim, index, 1))
    for case in [lambda m: m.tensor(3.0).index_add_(0, m.tensor([0]), m.tensor(1.0)),
                 lambda m: m.tensor(3.0).index_copy_(0, m.tensor([0]), m.tensor(1.0)),
                 lambda m: m.tensor(3.0).index_fill_(0, m.tensor([-1]), 1),
                 lambda m: m.zeros(3).index_copy_(0, m.tensor(1), m.tensor(5.0)),
                 lambda m: m.zeros(2, 3).index_add_(1, m.tensor(1), m.ones(2, 1))]:
        check(lambda: case(cresset), lambda: case(torch))


# ---------------------------------------------------------------------------------------------
# masks and nonzero
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_masked_fill(dtype):
    for tb in layouts((3, 4), dtype).values():
        for mask in [values((3, 4)) % 3 == 0, B(True, False, False, True), torch.ones(2, 3, 4, dtype=torch.bool),
                     torch.tensor(True)]:
            for v in [1, 0.0, True, torch.tensor(2), torch.tensor(2.5)]:
                check(lambda: to_cresset(tb).masked_fill(to_cresset(mask), conv(v)),
                      lambda: tb.masked_fill(mask, v), check_stride=True)
                t = tb.clone()
                o = to_cresset(tb)
                check(lambda: o.masked_fill_(to_cresset(mask), conv(v)), lambda: t.masked_fill_(mask, v))


def test_masked_fill_errors():
    x = values((2, 3))
    for mask, v in [(torch.ones(2, 3), 1), (torch.ones(3, dtype=torch.uint8), 1), (B(True, False, True), torch.ones(1)),
                    (torch.ones(4, dtype=torch.bool), 1)]:
        check(lambda: to_cresset(x).masked_fill(to_cresset(mask), conv(v)), lambda: x.masked_fill(mask, v))
    check(lambda: cresset.zeros(3).masked_fill_(cresset.ones(2, 3, dtype=cresset.bool), 1),
          lambda: torch.zeros(3).masked_fill_(torch.ones(2, 3, dtype=torch.bool), 1))
    for dt, v in [("int8", 128), ("uint8", -256), ("float16", 1e5), ("int64", float("inf"))]:
        t = torch.zeros(2, dtype=getattr(torch, dt))
        check(lambda: to_cresset(t).masked_fill(cresset.tensor([True, False]), v),
              lambda: t.masked_fill(B(True, False), v))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_masked_select_and_scatter(dtype):
    for tb in layouts((3, 4), dtype).values():
        for mask in [values((3, 4)) % 3 == 0, B(True, False, False, True), torch.ones(2, 3, 4, dtype=torch.bool),
                     torch.zeros(3, 1, dtype=torch.bool)]:
            check(lambda: to_cresset(tb).masked_select(to_cresset(mask)), lambda: tb.masked_select(mask))
            src = values((30,), dtype, 100)
            check(lambda: to_cresset(tb).masked_scatter(to_cresset(mask), to_cresset(src)),
                  lambda: tb.masked_scatter(mask, src), check_stride=True)
            src2 = values((5, 6), dtype, 100).t()
            t = tb.clone()
            o = to_cresset(tb)
            check(lambda: o.masked_scatter_(to_cresset(mask), to_cresset(src2)), lambda: t.masked_scatter_(mask, src2))


def test_masked_errors_and_out():
    x = values((2, 3))
    m = B(True, False, True)
    for mask, src in [(torch.ones(3), torch.ones(6)), (m, torch.ones(3)), (m, torch.ones(6, dtype=torch.int64))]:
        check(lambda: to_cresset(x).masked_scatter(to_cresset(mask), to_cresset(src)),
              lambda: x.masked_scatter(mask, src))
    check(lambda: cresset.zeros(3).masked_scatter_(cresset.ones(2, 3, dtype=cresset.bool), cresset.ones(6)),
          lambda: torch.zeros(3).masked_scatter_(torch.ones(2, 3, dtype=torch.bool), torch.ones(6)))
    for mask in [torch.ones(3), m.byte(), torch.ones(4, dtype=torch.bool)]:
        check(lambda: to_cresset(x).masked_select(to_cresset(mask)), lambda: x.masked_select(mask))
    out = cresset.empty(10)
    assert cresset.masked_select(to_cresset(x), to_cresset(m), out=out)._is_same(out)
    assert_same(out, torch.masked_select(x, m))


def test_masked_large_parallel():
    torch.manual_seed(4)
    t = torch.randn(200, 300)
    mask = t > 0.3
    src = torch.randn(200 * 300)
    check(lambda: to_cresset(t).masked_select(to_cresset(mask)), lambda: t.masked_select(mask))
    check(lambda: to_cresset(t.t()).masked_select(to_cresset(mask.t())), lambda: t.t().masked_select(mask.t()))
    check(lambda: to_cresset(t).masked_scatter(to_cresset(mask), to_cresset(src)), lambda: t.masked_scatter(mask, src))
    check(lambda: to_cresset(t).masked_fill(to_cresset(mask), 0.0), lambda: t.masked_fill(mask, 0.0))
    check(lambda: to_cresset(t.t()).nonzero(), lambda: t.t().nonzero(), check_stride=True)
    check(lambda: to_cresset(t)[to_cresset(mask)], lambda: t[mask])


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_nonzero(dtype):
    for tb in list(layouts((3, 4, 2), dtype).values()) + [values((), dtype), values((0, 3), dtype),
                                                            values((5,), dtype, 1)]:
        ob = to_cresset(tb)
        check(lambda: cresset.nonzero(ob), lambda: torch.nonzero(tb), check_stride=True)
        check(lambda: ob.nonzero(as_tuple=True), lambda: tb.nonzero(as_tuple=True), check_stride=True)
        check(lambda: cresset.argwhere(ob), lambda: torch.argwhere(tb), check_stride=True)
    special = torch.tensor([float("nan"), -0.0, 0.0, 1e-30, float("inf")])
    check(lambda: to_cresset(special).nonzero(), lambda: special.nonzero())
    out = cresset.empty(0, dtype=cresset.int64)
    assert cresset.nonzero(to_cresset(special), out=out)._is_same(out)
    assert_same(out, torch.nonzero(special))


# ---------------------------------------------------------------------------------------------
# searchsorted / bucketize
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [d for d in DTYPE_NAMES if d != "bool"])
def test_searchsorted(dtype):
    seq = torch.tensor([1, 3, 3, 5, 7, 9]).to(getattr(torch, dtype))
    vals = torch.tensor([[0, 3, 4], [9, 10, 5]]).to(getattr(torch, dtype))
    for right in [False, True]:
        for out_int32 in [False, True]:
            check(lambda: cresset.searchsorted(to_cresset(seq), to_cresset(vals), right=right, out_int32=out_int32),
                  lambda: torch.searchsorted(seq, vals, right=right, out_int32=out_int32), check_stride=True)
            check(lambda: cresset.searchsorted(to_cresset(seq), to_cresset(vals.t()), side="right" if right else "left"),
                  lambda: torch.searchsorted(seq, vals.t(), side="right" if right else "left"))
            check(lambda: cresset.bucketize(to_cresset(vals), to_cresset(seq), right=right, out_int32=out_int32),
                  lambda: torch.bucketize(vals, seq, right=right, out_int32=out_int32))
    check(lambda: cresset.searchsorted(to_cresset(seq), 4), lambda: torch.searchsorted(seq, 4))
    check(lambda: cresset.bucketize(4, to_cresset(seq)), lambda: torch.bucketize(4, seq))


def test_searchsorted_nd_sorter_nan_and_errors():
    seq2 = torch.tensor([[1.0, 3, 5], [2, 4, 6]])
    vals2 = torch.tensor([[3.0, 4], [4, 5]])
    unsorted = torch.tensor([5.0, 1, 3, float("nan"), 2])
    sorter = torch.argsort(unsorted)
    cases = [
        lambda m, c: m.searchsorted(c(seq2), c(vals2)),
        lambda m, c: m.searchsorted(c(seq2), c(vals2), right=True),
        lambda m, c: m.searchsorted(c(seq2), c(vals2[:1])),
        lambda m, c: m.searchsorted(c(seq2[0]), c(torch.tensor(3.5))),
        lambda m, c: m.searchsorted(c(unsorted), c(torch.tensor([2.0, 4, float("nan"), 0])), sorter=c(sorter)),
        lambda m, c: m.searchsorted(c(unsorted), c(torch.tensor([2.0, 4])), sorter=c(sorter), right=True),
        lambda m, c: m.searchsorted(c(torch.tensor([1.0, 2, float("nan")])), c(torch.tensor([float("nan"), 1.5]))),
        lambda m, c: m.searchsorted(c(torch.tensor([1, 3, 5])), c(torch.tensor([3.5, 6.0]))),
        lambda m, c: m.searchsorted(c(torch.tensor([])), c(torch.tensor([1.0]))),
        lambda m, c: m.searchsorted(c(torch.tensor(1.0)), c(torch.tensor([1.0]))),
        lambda m, c: m.searchsorted(c(seq2), c(torch.tensor(1.0))),
        lambda m, c: m.searchsorted(c(seq2[0]), c(vals2), side="left", right=True),
        lambda m, c: m.searchsorted(c(seq2[0]), c(vals2), side="foo"),
        lambda m, c: m.searchsorted(c(unsorted), c(vals2), sorter=c(sorter[:3])),
        lambda m, c: m.searchsorted(c(unsorted), c(vals2), sorter=c(sorter.int())),
        lambda m, c: m.searchsorted(c(unsorted), c(vals2), sorter=c(sorter + 3)),
        lambda m, c: m.searchsorted(c(seq2[0]), c(vals2), out=c(torch.empty(2, 2, dtype=torch.int32))),
        lambda m, c: m.searchsorted(c(seq2[0]), c(vals2), out_int32=True, out=c(torch.empty(0, dtype=torch.int32))),
        lambda m, c: m.searchsorted(c(torch.tensor([True, False])), c(torch.tensor([True]))),
        lambda m, c: m.bucketize(c(vals2), c(seq2)),
        lambda m, c: m.bucketize(c(vals2), c(seq2[0]), out=c(torch.empty(0, dtype=torch.int64))),
    ]
    for case in cases:
        check(lambda: case(cresset, to_cresset), lambda: case(torch, lambda t: t))


def test_searchsorted_large():
    torch.manual_seed(5)
    seq = torch.sort(torch.randn(1000)).values
    vals = torch.randn(20000)
    check(lambda: cresset.searchsorted(to_cresset(seq), to_cresset(vals)), lambda: torch.searchsorted(seq, vals))


def test_out_arguments():
    x = values((3, 4))
    i2 = L([[0, 2, 1, 0]])
    i1 = L([2, 0])
    m = B(True, False, True, True)
    seq = L([1.0, 5.0, 9.0])
    ops = [
        ("index_select", lambda lib, c: lib.index_select(c(x), 1, c(i1)), "float32"),
        ("gather", lambda lib, c: lib.gather(c(x), 0, c(i2)), "float32"),
        ("scatter", lambda lib, c: lib.scatter(c(x), 0, c(i2), c(x)), "float32"),
        ("scatter_add", lambda lib, c: lib.scatter_add(c(x), 0, c(i2), c(x)), "float32"),
        ("scatter_reduce", lambda lib, c: lib.scatter_reduce(c(x), 0, c(i2), c(x), "amax"), "float32"),
        ("index_add", lambda lib, c: lib.index_add(c(x), 1, c(i1), c(x[:, :2]), alpha=2), "float32"),
        ("index_copy", lambda lib, c: lib.index_copy(c(x), 1, c(i1), c(x[:, :2])), "float32"),
        ("masked_select", lambda lib, c: lib.masked_select(c(x), c(m)), "float32"),
        ("take", lambda lib, c: lib.take(c(x), c(i2)), "float32"),
        ("take_along_dim", lambda lib, c: lib.take_along_dim(c(x), c(i2), 0), "float32"),
        ("nonzero", lambda lib, c: lib.nonzero(c(x)), "int64"),
        ("searchsorted", lambda lib, c: lib.searchsorted(c(seq), c(x)), "int64"),
        ("bucketize", lambda lib, c: lib.bucketize(c(x), c(seq)), "int64"),
    ]
    for name, op, dtype in ops:
        for out_dtype, shape in [(dtype, (0,)), (dtype, (2, 2)), ("float64" if dtype != "float64" else "int32", (0,))]:
            t_out = torch.empty(shape, dtype=getattr(torch, out_dtype))
            o_out = cresset.empty(*shape, dtype=getattr(cresset, out_dtype))
            got = check(lambda: op(_WithOut(cresset, o_out), to_cresset), lambda: op(_WithOut(torch, t_out), lambda t: t))
            if got is not None:
                assert got[0]._is_same(o_out), name
                assert_same(o_out, t_out)


class _WithOut:
    """A view of a module whose functions all get out=`out`."""

    def __init__(self, lib, out):
        self.lib, self.out = lib, out

    def __getattr__(self, name):
        fn = getattr(self.lib, name)
        return lambda *a, **k: fn(*a, out=self.out, **k)
