"""Autograd of the index family against torch: node names, gradients of every input, in-place
rebasing, saved-tensor checks, gradcheck and double backward."""
import cresset
import pytest
import torch
from utils import assert_same, to_cresset

GEN = torch.Generator().manual_seed(0)


def randn(*shape, dtype=torch.float64):
    if len(shape) == 1 and isinstance(shape[0], tuple):
        shape = shape[0]
    return torch.randn(shape, generator=GEN, dtype=dtype)


def make_leaves(inputs):
    """Cresset and torch copies of `inputs` (torch tensors or anything else); floating tensors
    become leaves that require grad."""
    ours, theirs = [], []
    for t in inputs:
        if not isinstance(t, torch.Tensor):
            ours.append(t)
            theirs.append(t)
            continue
        c, d = to_cresset(t), t.detach()
        if t.is_floating_point():
            c.requires_grad_()
            d.requires_grad_()
        ours.append(c)
        theirs.append(d)
    return ours, theirs


def compare(fn, *inputs, name=None):
    """fn(lib, *inputs) on cresset and on torch: same output, same grad_fn name (`name` when
    given), and after backward with the same random gradient the same gradient for every input."""
    ours, theirs = make_leaves(inputs)
    out_t = fn(torch, *theirs)
    out_c = fn(cresset, *ours)
    assert_same(out_c, out_t)
    assert out_c.grad_fn.name() == out_t.grad_fn.name()
    if name is not None:
        assert out_t.grad_fn.name() == name
    g = randn(*out_t.shape, dtype=out_t.dtype)
    out_t.backward(g)
    out_c.backward(to_cresset(g))
    for c, t in zip(ours, theirs):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert (c.grad is None) == (t.grad is None)
            if t.grad is not None:
                assert_same(c.grad, t.grad)


# ---- __getitem__ ----

MASK = torch.rand(4, 5, 6, generator=GEN) > 0.5
MASK2 = torch.rand(4, 5, generator=GEN) > 0.5


def mask(lib, m):
    return lib.tensor(m.tolist())


GETITEM = {
    "int": lambda L: 1,
    "neg_int": lambda L: -1,
    "slice": lambda L: slice(1, 3),
    "step": lambda L: slice(None, None, 2),
    "lone_full_slice": lambda L: slice(None),
    "none": lambda L: None,
    "ellipsis": lambda L: ...,
    "ellipsis_int": lambda L: (..., 1),
    "whole_slices": lambda L: (slice(None), slice(0, 10)),
    "int_step_none_int": lambda L: (-1, slice(1, None, 2), None, 2),
    "zero_dim_int_tensor": lambda L: L.tensor(2),
    "true": lambda L: True,
    "false": lambda L: False,
    "zero_dim_bool": lambda L: L.tensor(True),
    "list_duplicates": lambda L: [0, 2, 2],
    "int_tensor_2d": lambda L: L.tensor([[0, 1], [3, 3]]),
    "negative_indices": lambda L: L.tensor([-1, 0, -1]),
    "int32_indices": lambda L: L.tensor([3, 1], dtype=L.int32),
    "empty_indices": lambda L: L.tensor([], dtype=L.int64),
    "mask_full": lambda L: mask(L, MASK),
    "mask_dim0": lambda L: L.tensor([True, False, True, True]),
    "mask_2d_then_slice": lambda L: (mask(L, MASK2), slice(1, 3)),
    "tensor_after_whole_slice": lambda L: (slice(None), L.tensor([0, 0, 4])),
    "separated_tensors": lambda L: (L.tensor([0, 2]), slice(None), L.tensor([1, 1])),
    "broadcast_tensors": lambda L: (L.tensor([[0], [3]]), L.tensor([1, 2, 2])),
    "int_and_tensor": lambda L: (1, L.tensor([0, 4])),
    "ellipsis_tensor": lambda L: (..., L.tensor([5, 0])),
    "tensor_none": lambda L: (L.tensor([0, 1]), None),
    "step_list": lambda L: (slice(None, None, 2), [1, 1]),
}


@pytest.mark.parametrize("case", GETITEM)
def test_getitem(case):
    index = GETITEM[case]
    compare(lambda L, x: (x * 1)[index(L)], randn(4, 5, 6))


@pytest.mark.parametrize("case", ["step", "int_step_none_int", "mask_full", "separated_tensors",
                                  "int_and_tensor", "ellipsis"])
def test_getitem_non_contiguous_float32(case):
    index = GETITEM[case]
    x = randn(6, 5, 4, dtype=torch.float32).permute(2, 1, 0)  # 4x5x6, not contiguous
    compare(lambda L, x: x[index(L)], x)


def test_getitem_leaf_and_chain_names():
    x = cresset.ones(4, 5, requires_grad=True)
    assert x[...].grad_fn.name() == "AliasBackward0"
    assert x[:, :].grad_fn.name() == "AliasBackward0"
    assert x[[0, 1]].grad_fn.name() == "IndexBackward0"
    assert x[x > 0].grad_fn.name() == "IndexBackward0"
    y = x[1, cresset.tensor([0, 2])]
    assert y.grad_fn.name() == "IndexBackward0"
    assert [f.name() for f, _ in y.grad_fn.next_functions] == ["SelectBackward0"]
    with cresset.no_grad():
        assert x[[0, 1]].grad_fn is None and not x[[0, 1]].requires_grad


# ---- __setitem__ and index_put ----

SETITEM = {
    # name: (index, value shape or a number, value requires grad)
    "tensor": (lambda L: L.tensor([0, 2]), (5,)),
    "duplicates": (lambda L: [1, 1], (2, 5)),
    "mask_number": (lambda L: mask(L, MASK2), 2.5),
    "mask_zero_dim": (lambda L: mask(L, MASK2), ()),
    "mask_values": (lambda L: mask(L, MASK2), (int(MASK2.sum()),)),
    "leading_ones": (lambda L: L.tensor([3, 0]), (1, 1, 5)),
    "tensor_after_whole_slice": (lambda L: (slice(None), L.tensor([0, 3])), (4, 2)),
    "ellipsis_tensor": (lambda L: ..., (4, 5)),
    "lone_full_slice": (lambda L: slice(None), (4, 5)),
    "ellipsis_broadcast": (lambda L: ..., (1, 5)),
    "ellipsis_number": (lambda L: ..., 3.0),
    "whole_slices_zero_dim": (lambda L: (slice(None), slice(None)), ()),
    "int": (lambda L: 1, (5,)),
    "int_and_tensor": (lambda L: (1, L.tensor([0, 2])), (2,)),
    "step_slice": (lambda L: slice(None, None, 2), (2, 5)),
    "true": (lambda L: True, (4, 5)),
}


@pytest.mark.parametrize("case", SETITEM)
def test_setitem_on_non_leaf(case):
    index, value = SETITEM[case]
    inputs = [randn(4, 5)]
    if not isinstance(value, float):
        inputs.append(randn(*value))

    def fn(L, x, v=value):
        y = x * 2
        y[index(L)] = v
        return y

    compare(fn, *inputs)


def test_setitem_names_and_value_cast():
    ours, theirs = make_leaves([randn(4, 5), randn(5, dtype=torch.float32)])
    for lib, (x, v) in ((cresset, ours), (torch, theirs)):
        y = x * 1
        y[lib.tensor([0, 1])] = v.double()
        assert y.grad_fn.name() == "IndexPutBackward0"
        y[...] = 1.0
        assert y.grad_fn.name() == "FillBackward3"
        y[...] = v  # float32 into float64: v's gradient comes back as float32
        assert y.grad_fn.name() == "torch::autograd::CopyBackwards"
        (y * 3).sum().backward()
    assert_same(ours[1].grad, theirs[1].grad)
    assert_same(ours[0].grad, theirs[0].grad)


def test_setitem_into_integer_tensor_records_nothing():
    # torch's copy_ records nothing into an integer tensor, whatever the value.
    x = cresset.zeros(3, dtype=cresset.int64)
    v = cresset.ones(3, requires_grad=True)
    x[...] = v
    x[0] = v[1]
    assert not x.requires_grad and x.grad_fn is None and x.tolist() == [1, 1, 1]


def test_setitem_and_inplace_on_leaf_raise():
    x = cresset.zeros(4, 5, requires_grad=True)
    idx = cresset.tensor([0, 1])
    for write in (lambda: x.__setitem__(idx, 1.0), lambda: x.__setitem__(..., 1.0),
                  lambda: x.index_put_((idx,), cresset.tensor(1.0)),
                  lambda: x.index_add_(0, idx, cresset.ones(2, 5)),
                  lambda: x.index_copy_(0, idx, cresset.ones(2, 5)),
                  lambda: x.index_fill_(0, idx, 1.0),
                  lambda: x.scatter_(0, cresset.zeros(1, 5, dtype=cresset.int64), 1.0),
                  lambda: x.scatter_add_(0, cresset.zeros(1, 5, dtype=cresset.int64),
                                         cresset.ones(1, 5)),
                  lambda: x.scatter_reduce_(0, cresset.zeros(1, 5, dtype=cresset.int64),
                                            cresset.ones(1, 5), "sum"),
                  lambda: x.masked_fill_(x.detach() == 0, 1.0),
                  lambda: x.masked_scatter_(x.detach() == 0, cresset.ones(20)),
                  lambda: x.put_(idx, cresset.ones(2))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation"):
            write()
    assert x.abs().sum().item() == 0  # nothing was written
    with cresset.no_grad():
        x[idx] = 1.0
        x.index_fill_(0, idx, 2.0)
    assert x.sum().item() == 20 and x.grad_fn is None


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(accumulate):
    idx = ([0, 2, 2], [1, 1, 3])
    compare(lambda L, x, v: L.index_put(x, tuple(L.tensor(i) for i in idx), v, accumulate),
            randn(3, 4), randn(3), name="IndexPutBackward0")
    compare(lambda L, x, v: L.index_put(x, (L.tensor([1, 0]),), v, accumulate),
            randn(3, 4), randn(4), name="IndexPutBackward0")

    def inplace(L, x, v):
        y = x * 2
        return y.index_put_((mask(L, MASK2[:3, :4]),), v, accumulate=accumulate)

    compare(inplace, randn(3, 4), randn(()), name="IndexPutBackward0")


def test_index_put_only_values_require_grad():
    ours, theirs = make_leaves([randn(2)])
    for lib, v in ((cresset, ours[0]), (torch, theirs[0])):
        y = lib.zeros(3, 2, dtype=lib.float64).index_put_((lib.tensor([2, 0]),), v)
        assert y.requires_grad and y.grad_fn.name() == "IndexPutBackward0"
        (y * lib.arange(6.0, dtype=lib.float64).reshape(3, 2)).sum().backward()
    assert_same(ours[0].grad, theirs[0].grad)


# ---- along a dim ----

I2 = [[0, 1, 2, 0], [2, 2, 0, 1]]
I1 = [2, 0, 2]

OPS = [
    # (id, fn(lib, *inputs), inputs, torch's node name)
    ("gather0", lambda L, x: L.gather(x, 0, L.tensor(I2)), [randn(3, 4)], "GatherBackward0"),
    ("gather1", lambda L, x: L.gather(x, -1, L.tensor(I2)), [randn(2, 5)], "GatherBackward0"),
    ("gather_int32", lambda L, x: x.gather(0, L.tensor(I2, dtype=L.int32)), [randn(3, 4)],
     "GatherBackward0"),
    ("gather_noncontig", lambda L, x: L.gather(x, 1, L.tensor(I2)), [randn(4, 3).t()],
     "GatherBackward0"),
    ("gather_0dim", lambda L, x: L.gather(x, 0, L.tensor(0)), [randn(())], "GatherBackward0"),
    ("gather_empty", lambda L, x: L.gather(x, 0, L.zeros(0, 4, dtype=L.int64)), [randn(3, 4)],
     "GatherBackward0"),
    ("index_select0", lambda L, x: L.index_select(x, 0, L.tensor(I1)), [randn(3, 4)],
     "IndexSelectBackward0"),
    ("index_select1", lambda L, x: x.index_select(-1, L.tensor(I1, dtype=L.int32)),
     [randn(4, 3).t()], "IndexSelectBackward0"),
    ("index_select_0dim", lambda L, x: L.index_select(x, 0, L.tensor([0])), [randn(())],
     "IndexSelectBackward0"),
    ("index_select_empty", lambda L, x: L.index_select(x, 1, L.tensor([], dtype=L.int64)),
     [randn(3, 4)], "IndexSelectBackward0"),
    ("take", lambda L, x: L.take(x, L.tensor([[0, -1], [5, 5]])), [randn(4, 3).t()],
     "TakeBackward0"),
    ("take_0dim", lambda L, x: L.take(x, L.tensor([0, 0])), [randn(())], "TakeBackward0"),
    ("take_along_dim", lambda L, x: L.take_along_dim(x, L.tensor(I2), 1), [randn(2, 3)],
     "GatherBackward0"),
    ("take_along_dim_broadcast", lambda L, x: L.take_along_dim(x, L.tensor([[0, 2, 1, 0]]), 0),
     [randn(3, 1)], "GatherBackward0"),
    ("take_along_dim_flat", lambda L, x: L.take_along_dim(x, L.tensor([[5], [0]])),
     [randn(2, 3)], "GatherBackward0"),
    ("scatter_src", lambda L, x, s: L.scatter(x, 0, L.tensor(I2), s), [randn(3, 4), randn(2, 4)],
     "ScatterBackward0"),
    ("scatter_value", lambda L, x: x.scatter(1, L.tensor(I2), 1.5), [randn(2, 4)],
     "ScatterBackward1"),
    ("scatter_only_src", lambda L, s: L.scatter(L.zeros(3, 4, dtype=L.float64), 0, L.tensor(I2),
                                                s), [randn(2, 4)], "ScatterBackward0"),
    ("scatter_add", lambda L, x, s: L.scatter_add(x, 0, L.tensor(I2), s),
     [randn(3, 4), randn(2, 4)], "ScatterAddBackward0"),
    ("scatter_add_noncontig", lambda L, x, s: x.scatter_add(1, L.tensor(I2), s),
     [randn(4, 2).t(), randn(2, 4).t().contiguous().t()], "ScatterAddBackward0"),
    ("index_add", lambda L, x, s: L.index_add(x, 0, L.tensor(I1), s),
     [randn(3, 4), randn(3, 4)], "IndexAddBackward0"),
    ("index_add_alpha", lambda L, x, s: x.index_add(1, L.tensor([1, 1]), s, alpha=-2.5),
     [randn(3, 4), randn(3, 2)], "IndexAddBackward0"),
    ("index_add_0dim", lambda L, x, s: L.index_add(x, 0, L.tensor([0]), s, alpha=3),
     [randn(()), randn(())], "IndexAddBackward0"),
    ("index_copy", lambda L, x, s: L.index_copy(x, 1, L.tensor([3, 0]), s),
     [randn(3, 4), randn(3, 2)], "IndexCopyBackward0"),
    ("index_copy_duplicates", lambda L, x, s: x.index_copy(0, L.tensor([1, 1]), s),
     [randn(3, 4), randn(2, 4)], "IndexCopyBackward0"),
    ("index_fill", lambda L, x: L.index_fill(x, 1, L.tensor([2, -1, 2]), -1.0), [randn(3, 4)],
     "IndexFillBackward0"),
    ("index_fill_tensor", lambda L, x, v: x.index_fill(0, L.tensor([2, 0, 2]), v),
     [randn(3, 4), randn(())], "IndexFillBackward1"),
    ("put", lambda L, x, s: x.put(L.tensor([[0, 5], [11, 5]]), s), [randn(4, 3).t(), randn(2, 2)],
     "PutBackward0"),
    ("put_accumulate", lambda L, x, s: L.Tensor.put(x, L.tensor([0, 5, 0]), s, accumulate=True),
     [randn(3, 4), randn(3)], "PutBackward0"),
    ("masked_fill", lambda L, x: x.masked_fill(mask(L, MASK2), 2.0), [randn(4, 5)],
     "MaskedFillBackward0"),
    ("masked_fill_broadcast_self", lambda L, x: L.masked_fill(x, mask(L, MASK2), 2.0),
     [randn(5)], "MaskedFillBackward0"),
    ("masked_fill_tensor", lambda L, x, v: x.masked_fill(mask(L, MASK2[:1]), v),
     [randn(4, 5), randn(())], "MaskedFillBackward1"),
    ("masked_select", lambda L, x: x.masked_select(mask(L, MASK2)), [randn(4, 5)],
     "MaskedSelectBackward0"),
    ("masked_select_broadcast", lambda L, x: L.masked_select(x, mask(L, MASK2)), [randn(4, 1)],
     "MaskedSelectBackward0"),
    ("masked_scatter", lambda L, x, s: x.masked_scatter(mask(L, MASK2), s),
     [randn(4, 5), randn(4, 6)], "MaskedScatterBackward0"),
    ("masked_scatter_broadcast", lambda L, x, s: x.masked_scatter(mask(L, MASK2), s),
     [randn(5), randn(20)], "MaskedScatterBackward0"),
]


@pytest.mark.parametrize("case", OPS, ids=[c[0] for c in OPS])
def test_op(case):
    _, fn, inputs, name = case
    compare(fn, *inputs, name=name)
    ours, _ = make_leaves(inputs)
    with cresset.no_grad():
        out = fn(cresset, *ours)
    assert not out.requires_grad and out.grad_fn is None


@pytest.mark.parametrize("case", [c for c in OPS if c[0] in (
    "gather0", "index_select1", "scatter_add", "index_add_alpha", "masked_scatter", "put")],
    ids=lambda c: c[0])
def test_op_float32(case):
    _, fn, inputs, name = case
    compare(fn, *[t.float() for t in inputs], name=name)


# Values chosen with ties (between self and src, and among src) and zeros, which the formulas
# of amax/amin and prod treat specially.
SR_SELF = torch.tensor([[1.0, 2.0, 3.0, 0.0], [4.0, -1.0, 2.0, 5.0], [0.5, 3.0, 3.0, 1.0]],
                       dtype=torch.float64)
SR_SRC = torch.tensor([[4.0, 2.0, 0.0, 7.0], [1.0, 2.0, 0.0, 0.0]], dtype=torch.float64)
SR_INDEX = [[1, 0, 2, 0], [0, 0, 2, 0]]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(reduce, include_self):
    compare(lambda L, x, s: L.scatter_reduce(x, 0, L.tensor(SR_INDEX), s, reduce,
                                             include_self=include_self),
            SR_SELF, SR_SRC, name="ScatterReduceBackward0")

    def inplace(L, x, s):
        y = x * 1
        return y.scatter_reduce_(0, L.tensor(SR_INDEX), s, reduce, include_self=include_self)

    compare(inplace, SR_SELF, SR_SRC, name="ScatterReduceBackward0")


INPLACE = [
    ("index_add_", lambda L, y, s: y.index_add_(0, L.tensor(I1), s, alpha=2), (3, 4),
     "IndexAddBackward0"),
    ("index_copy_", lambda L, y, s: y.index_copy_(0, L.tensor([2, 0, 1]), s), (3, 4),
     "IndexCopyBackward0"),
    ("index_fill_", lambda L, y, s: y.index_fill_(1, L.tensor([0, 3]), s), (), "IndexFillBackward1"),
    ("scatter_", lambda L, y, s: y.scatter_(0, L.tensor(I2), s), (2, 4), "ScatterBackward0"),
    ("scatter_value", lambda L, y, s: y.scatter_(0, L.tensor(I2), -3.0) * s, (3, 4),
     "MulBackward0"),
    ("scatter_add_", lambda L, y, s: y.scatter_add_(1, L.tensor(I2), s), (2, 4),
     "ScatterAddBackward0"),
    ("masked_fill_", lambda L, y, s: y.masked_fill_(mask(L, MASK2[:3, :4]), 0.5) * s, (3, 4),
     "MulBackward0"),
    ("masked_fill_tensor", lambda L, y, s: y.masked_fill_(mask(L, MASK2[:3, :4]), s), (),
     "MaskedFillBackward1"),
    ("masked_scatter_", lambda L, y, s: y.masked_scatter_(mask(L, MASK2[:3, :4]), s), (3, 4),
     "MaskedScatterBackward0"),
    ("put_", lambda L, y, s: y.put_(L.tensor([1, 1, 7]), s, accumulate=True), (3,),
     "PutBackward0"),
    ("index_put_", lambda L, y, s: y.index_put_((L.tensor([2, 2]), L.tensor([0, 3])), s), (2,),
     "IndexPutBackward0"),
]


@pytest.mark.parametrize("case", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_non_leaf(case):
    _, fn, shape, name = case
    compare(lambda L, x, s: fn(L, x.sin(), s), randn(3, 4), randn(*shape), name=name)


def test_inplace_grad_fn_is_rebased():
    y = cresset.ones(3, 4, requires_grad=True) * 2
    first = y.grad_fn
    y.index_fill_(0, cresset.tensor([1]), 0.0)
    assert y.grad_fn.name() == "IndexFillBackward0"
    assert y.grad_fn.next_functions[0][0] is first


def test_legacy_scatter_reduce_has_no_derivative():
    for lib in (cresset, torch):
        x = lib.ones(3, 4, requires_grad=True)
        idx = lib.tensor(I2)
        for y in (lib.scatter(x, 0, idx, lib.ones(2, 4), reduce="add"),
                  x.scatter(0, idx, 2.0, reduce="multiply")):
            assert y.grad_fn.name() == "torch::autograd::NotImplemented"
            with pytest.raises(RuntimeError, match="derivative for aten::scatter is not "
                                                   "implemented"):
                y.sum().backward()


def test_out_arguments_refuse_grad():
    idx = cresset.tensor(I2)
    x = cresset.ones(3, 4, requires_grad=True)
    calls = [
        ("gather", lambda o: cresset.gather(x, 0, idx, out=o)),
        ("index_select", lambda o: cresset.index_select(x, 0, idx[0], out=o)),
        ("take", lambda o: cresset.take(x, idx, out=o)),
        ("take_along_dim", lambda o: cresset.take_along_dim(x, idx, 0, out=o)),
        ("masked_select", lambda o: cresset.masked_select(x, x > 0, out=o)),
        ("scatter_add", lambda o: cresset.scatter_add(x, 0, idx, cresset.ones(2, 4), out=o)),
        ("index_add", lambda o: cresset.index_add(x, 0, idx[0], cresset.ones(4, 4), out=o)),
    ]
    for op, call in calls:
        with pytest.raises(RuntimeError, match=rf"^{op}\(\): functions with out=\.\.\. arguments "
                                               "don't support automatic differentiation"):
            call(cresset.empty(0))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        cresset.gather(x.detach(), 0, idx, out=cresset.empty(2, 4, requires_grad=True))
    with cresset.no_grad():
        assert cresset.gather(x, 0, idx, out=cresset.empty(0)).shape == (2, 4)


def test_non_differentiable_ops_record_nothing():
    x = cresset.tensor([[0.0, 1.5], [2.0, 0.0]], requires_grad=True)
    results = [cresset.nonzero(x), cresset.argwhere(x), *cresset.nonzero(x, as_tuple=True),
               cresset.searchsorted(cresset.tensor([0.0, 1.0, 2.0]), x),
               cresset.bucketize(x, cresset.tensor([0.5, 1.0]))]
    for r in results:
        assert not r.requires_grad and r.grad_fn is None


SAVED_SELF = {
    # op: (forward, whether torch saves self so that modifying it breaks backward)
    "gather": (lambda y, idx: y.gather(0, idx), True),
    "take": (lambda y, idx: y.take(idx), True),
    "masked_select": (lambda y, idx: y.masked_select(idx > 0), True),
    "index_select": (lambda y, idx: y.index_select(0, idx[0]), False),
    "index": (lambda y, idx: y[idx], False),
}


@pytest.mark.parametrize("op", SAVED_SELF)
def test_saved_self_is_version_checked_like_torch(op):
    forward, saved = SAVED_SELF[op]
    for lib in (cresset, torch):
        y = lib.ones(2, 2, requires_grad=True) * 1
        z = forward(y, lib.tensor([[0, 1], [1, 0]]))
        y.add_(1)
        if saved:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                z.sum().backward()
        else:
            z.sum().backward()


def test_saved_index_is_version_checked():
    x = cresset.ones(3, 2, requires_grad=True)
    idx = cresset.tensor([0, 2])
    z = x.index_select(0, idx)
    idx.add_(0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# ---- gradcheck and double backward ----

GRADCHECK = [
    # (id, fn, input shapes)
    ("getitem", lambda x: x[cresset.tensor([[0, 2], [2, 1]])], [(3, 3)]),
    ("getitem_mask_after_slice", lambda x: x[:, cresset.tensor([True, False, True])], [(3, 3)]),
    ("index_put", lambda x, v: cresset.index_put(x, (cresset.tensor([1, 1]),), v,
                                                 accumulate=True), [(3, 3), (3,)]),
    ("gather", lambda x: cresset.gather(x, 1, cresset.tensor([[0, 0], [2, 1], [1, 2]])),
     [(3, 3)]),
    ("scatter", lambda x, v: cresset.scatter(x, 1, cresset.tensor([[0, 2], [1, 0], [2, 1]]), v),
     [(3, 3), (3, 2)]),
    ("scatter_reduce_mean", lambda x, v: cresset.scatter_reduce(
        x, 0, cresset.tensor([[0, 2, 0], [0, 1, 0]]), v, "mean", include_self=False),
     [(3, 3), (2, 3)]),
    ("scatter_reduce_amax", lambda x, v: cresset.scatter_reduce(
        x, 0, cresset.tensor([[0, 2, 0], [0, 1, 0]]), v, "amax"), [(3, 3), (2, 3)]),
    ("scatter_reduce_prod", lambda x, v: cresset.scatter_reduce(
        x, 1, cresset.tensor([[0, 0], [1, 1], [2, 0]]), v, "prod"), [(3, 3), (3, 2)]),
    ("index_add", lambda x, v: x.index_add(0, cresset.tensor([2, 2, 0]), v, alpha=0.5),
     [(3, 3), (3, 3)]),
    ("index_fill", lambda x, v: x.index_fill(1, cresset.tensor([0, 2]), v), [(3, 3), ()]),
    ("take", lambda x: cresset.take(x, cresset.tensor([[8, 0], [0, 3]])), [(3, 3)]),
    ("put", lambda x, v: x.put(cresset.tensor([1, 7, 4]), v), [(3, 3), (3,)]),
    ("masked_scatter", lambda x, v: x.masked_scatter(cresset.tensor([True, False, True]), v),
     [(3, 3), (7,)]),
    ("masked_select", lambda x: x.masked_select(cresset.tensor([[True], [False], [True]])),
     [(1, 3)]),
]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(case):
    _, fn, shapes = case
    gen = torch.Generator().manual_seed(1)
    args = [to_cresset(torch.randn(shape, generator=gen, dtype=torch.float64)).requires_grad_()
            for shape in shapes]
    assert cresset.autograd.gradcheck(fn, args)


def double_backward(lib, x, go, fn):
    y = fn(lib, x * x)
    (gx,) = lib.autograd.grad(y, x, go, create_graph=True)
    (gx * gx).sum().backward()
    return gx


@pytest.mark.parametrize("fn", [
    lambda L, x: L.gather(x, 1, L.tensor([[0, 0, 1], [2, 1, 0]])),
    lambda L, x: L.index_select(x, 1, L.tensor([2, 0, 2])),
    lambda L, x: x[:, L.tensor([2, 2, 0])],
], ids=["gather", "index_select", "getitem"])
def test_double_backward(fn):
    x, go = randn(2, 3), randn(2, 3)
    ours, theirs = make_leaves([x, go])
    gx_c = double_backward(cresset, *ours, fn)
    gx_t = double_backward(torch, *theirs, fn)
    assert_same(gx_c, gx_t)
    assert_same(ours[0].grad, theirs[0].grad)
    assert_same(ours[1].grad, theirs[1].grad)


def test_gradgradcheck_gather_and_index_select():
    x = to_cresset(randn(3, 4)).requires_grad_()
    idx = cresset.tensor([[0, 2, 2, 1]])
    assert cresset.autograd.gradgradcheck(lambda t: cresset.gather(t * t, 0, idx), [x])
    assert cresset.autograd.gradgradcheck(
        lambda t: cresset.index_select(t.exp(), 1, cresset.tensor([3, 3, 0])), [x])


def test_copy_records_copy_backwards_and_returns_self():
    grads = []
    for lib in (cresset, torch):
        x = lib.ones(2, 3, requires_grad=True)
        src = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        r = y[0].copy_(src)
        assert r is not None
        (y * lib.arange(6.0).reshape(2, 3)).sum().backward()
        assert y.grad_fn.name() == "torch::autograd::CopySlices"
        grads.append((x.grad, src.grad))
    assert_same(grads[0][0], grads[1][0])
    assert_same(grads[0][1], grads[1][1])
    t = cresset.zeros(3)
    assert t.copy_(cresset.ones(3)) is t
