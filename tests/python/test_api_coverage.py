"""torch's top-level constants and flags, tensor queries, the top-level in-place functions, and the
Tensor methods resize_, resize_as_, share_memory_, sum_to_size, new, apply_, map_ and
register_post_accumulate_grad_hook, compared with real torch."""
import math
import pickle

import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset


def both(fn):
    return fn(cresset), fn(torch)


# ---- constants, flags, queries ----

def test_constants():
    for name in ("pi", "e", "inf", "nan"):
        ours, theirs = getattr(cresset, name), getattr(torch, name)
        assert type(ours) is type(theirs) is float
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs))
    assert cresset.newaxis is None is torch.newaxis
    t = cresset.arange(3.0)
    assert tuple(t[cresset.newaxis].shape) == (1, 3)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int64", "float16", "float32"])
def test_dtype_queries(dtype):
    x = torch.ones(2, dtype=getattr(torch, dtype))
    y = to_cresset(x)
    for name in ("is_signed", "is_complex", "is_conj", "is_neg"):
        assert getattr(y, name)() == getattr(x, name)()
    for name in ("is_complex", "is_conj", "is_neg", "is_signed"):
        assert getattr(cresset, name)(y) == getattr(torch, name)(x)
    for name in ("is_sparse", "is_quantized", "is_meta", "is_mkldnn", "is_nested",
                 "is_sparse_csr", "is_mps", "is_xpu"):
        assert getattr(y, name) is getattr(x, name) is False


def test_query_errors():
    assert_raises_like(TypeError, lambda: cresset.is_complex(3), lambda: torch.is_complex(3))
    assert_raises_like(TypeError, lambda: cresset.ones(2).type_as(3),
                       lambda: torch.ones(2).type_as(3))


def test_is_same_size():
    a, b = torch.ones(2, 3), torch.ones(3, 2)
    assert cresset.is_same_size(to_cresset(a), to_cresset(b)) == torch.is_same_size(a, b)
    assert to_cresset(a).is_same_size(to_cresset(a.t().t())) == a.is_same_size(a)
    assert to_cresset(torch.ones(())).is_same_size(to_cresset(torch.ones(())))


def test_type_as():
    x = torch.arange(4.0, requires_grad=True)
    for other in (torch.ones(2, dtype=torch.int32), torch.ones(2, dtype=torch.float64)):
        ours = to_cresset(x.detach()).requires_grad_().type_as(to_cresset(other))
        theirs = x.type_as(other)
        assert_same(ours, theirs)
        assert (ours.grad_fn is None) == (theirs.grad_fn is None)
        if theirs.grad_fn is not None:
            assert ours.grad_fn.name() == theirs.grad_fn.name()
    y = cresset.ones(2)
    assert y.type_as(cresset.zeros(1)) is y


def test_typename():
    x = torch.ones(2, dtype=torch.int64)
    assert cresset.typename(to_cresset(x)) == torch.typename(x)
    for obj in (3, int, len, object()):
        assert cresset.typename(obj) == torch.typename(obj)
    assert cresset.typename(cresset.nn.Linear(1, 1)) == "cresset.nn.modules.linear.Linear"


def test_default_device():
    assert str(cresset.get_default_device()) == str(torch.get_default_device()) == "cpu"
    try:
        cresset.set_default_device("cpu")
        assert cresset.ones(2).device.type == "cpu"
        assert cresset.tensor([1, 2]).device.type == "cpu"
        cresset.set_default_device(None)
        assert str(cresset.get_default_device()) == "cpu"
        assert_raises_like(RuntimeError, lambda: cresset.set_default_device("foo"),
                           lambda: torch.set_default_device("foo"))
        if not cresset.cuda.is_available():
            with pytest.raises(AssertionError if not cresset._C._cuda.is_built()
                               else RuntimeError):
                cresset.set_default_device("cuda")
            with pytest.raises(RuntimeError):
                cresset.set_default_device(0)
    finally:
        cresset.set_default_device(None)
        torch.set_default_device(None)


def test_deterministic_flags():
    try:
        for mode, warn_only in ((True, False), (True, True), (False, True)):
            cresset.use_deterministic_algorithms(mode, warn_only=warn_only)
            torch.use_deterministic_algorithms(mode, warn_only=warn_only)
            assert (cresset.are_deterministic_algorithms_enabled() ==
                    torch.are_deterministic_algorithms_enabled())
            assert (cresset.is_deterministic_algorithms_warn_only_enabled() ==
                    torch.is_deterministic_algorithms_warn_only_enabled())
        assert_raises_like(TypeError, lambda: cresset.use_deterministic_algorithms("x"),
                           lambda: torch.use_deterministic_algorithms("x"))
    finally:
        cresset.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)


def test_matmul_precision():
    before = torch.get_float32_matmul_precision()
    try:
        assert cresset.get_float32_matmul_precision() == "highest"
        for p in ("high", "medium", "highest"):
            cresset.set_float32_matmul_precision(p)
            torch.set_float32_matmul_precision(p)
            assert cresset.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
        with pytest.warns(UserWarning):
            cresset.set_float32_matmul_precision("bogus")
        assert cresset.get_float32_matmul_precision() == "highest"
    finally:
        cresset.set_float32_matmul_precision("highest")
        torch.set_float32_matmul_precision(before)


def test_interop_threads(monkeypatch):
    from cresset import _config
    monkeypatch.setattr(_config, "_interop_threads", None)
    assert cresset.get_num_interop_threads() >= 1
    with pytest.raises(RuntimeError, match="positive"):
        cresset.set_num_interop_threads(0)
    with pytest.raises(RuntimeError, match="expects an int"):
        cresset.set_num_interop_threads("a")
    cresset.set_num_interop_threads(3)
    assert cresset.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
        cresset.set_num_interop_threads(2)


# ---- top-level in-place functions ----

INPLACE = [("abs_", ()), ("exp_", ()), ("sigmoid_", ()), ("tanh_", ()), ("sqrt_", ()),
           ("neg_", ()), ("floor_", ()), ("round_", ()), ("clamp_", (-0.5, 0.5)),
           ("clamp_min_", (0.1,)), ("clip_", (-0.2, 0.3)), ("nan_to_num_", ()),
           ("logit_", ()), ("square_", ()), ("relu_", ())]


@pytest.mark.parametrize("name,args", INPLACE)
def test_toplevel_inplace(name, args):
    x = torch.rand(3, 4, dtype=torch.float64) * 0.8 + 0.1
    y = to_cresset(x)
    r = getattr(cresset, name)(y, *args)
    getattr(torch, name)(x, *args)
    assert r is y
    assert_same(y, x)


def test_toplevel_inplace_binary_and_listing():
    x, o = torch.rand(5, dtype=torch.float64), torch.rand(5, dtype=torch.float64) + 0.5
    y = to_cresset(x)
    assert cresset.xlogy_(y, to_cresset(o)) is y
    assert_same(y, torch.xlogy_(x, o))
    for name in cresset._INPLACE_FUNCTIONS:
        assert hasattr(torch, name)
        if hasattr(cresset.Tensor, name):
            assert callable(getattr(cresset, name))
    # Pickled by name like the other bound functions.
    assert pickle.loads(pickle.dumps(cresset.exp_)) is cresset.exp_


# ---- resize_, resize_as_ ----

def test_resize_grows_and_keeps_prefix():
    x = torch.arange(4.0)
    y = to_cresset(x)
    assert y.resize_(2, 3) is y
    x.resize_(2, 3)
    assert tuple(y.shape) == (2, 3) and y.stride() == x.stride()
    assert_same(y.reshape(-1)[:4], x.reshape(-1)[:4])
    assert_same(y.resize_((3,)), x.resize_((3,)))
    assert_same(y.resize_([1, 1]), x.resize_([1, 1]))
    assert_same(y.resize_(cresset.Size([2])), x.resize_(torch.Size([2])))
    assert_same(y.resize_(0), x.resize_(0))


def test_resize_same_shape_keeps_strides():
    x = torch.arange(6).view(2, 3).t()
    y = to_cresset(x)
    y.resize_(3, 2)
    x.resize_(3, 2)
    assert y.stride() == x.stride()
    assert_same(y, x)
    y.resize_(2, 2)
    x.resize_(2, 2)
    assert y.stride() == x.stride()
    assert_same(y, x)


@pytest.mark.parametrize("dtype", [torch.bool, torch.int32, torch.float16])
def test_resize_dtypes_and_channels_last(dtype):
    x = torch.ones(1, 2, 3, 4, dtype=dtype)
    y = to_cresset(x)
    y.resize_(2, 3, 4, 5, memory_format=cresset.channels_last)
    x.resize_(2, 3, 4, 5, memory_format=torch.channels_last)
    assert tuple(y.shape) == tuple(x.shape) and y.stride() == x.stride()


def test_resize_errors():
    p = to_cresset(torch.ones(3)).requires_grad_()
    assert_raises_like(RuntimeError, lambda: p.resize_(2),
                       lambda: torch.ones(3, requires_grad=True).resize_(2))
    with cresset.no_grad():
        with pytest.raises(RuntimeError, match="require grad"):
            p.resize_(2)
    q = p * 2
    assert_raises_like(RuntimeError, lambda: q.resize_(3),
                       lambda: (torch.ones(3, requires_grad=True) * 2).resize_(3))
    assert_raises_like(RuntimeError, lambda: cresset.ones(2).resize_(-1),
                       lambda: torch.ones(2).resize_(-1))
    assert_raises_like(RuntimeError,
                       lambda: cresset.ones(2).resize_(2, memory_format=cresset.preserve_format),
                       lambda: torch.ones(2).resize_(2, memory_format=torch.preserve_format))
    assert_raises_like(TypeError, lambda: cresset.ones(2).resize_(2, memory_format=3),
                       lambda: torch.ones(2).resize_(2, memory_format=3))


def test_resize_as():
    x, t = torch.arange(4.0), torch.ones(2, 3)
    y = to_cresset(x)
    assert y.resize_as_(to_cresset(t)) is y
    x.resize_as_(t)
    assert tuple(y.shape) == (2, 3)
    assert_same(y.reshape(-1)[:4], x.reshape(-1)[:4])
    z = cresset.ones(5)
    assert cresset.resize_as_(z, cresset.ones(2)) is z
    assert tuple(z.shape) == tuple(torch.resize_as_(torch.ones(5), torch.ones(2)).shape)


def test_resize_view_shares_prefix():
    base = cresset.arange(6.0)
    v = base[1:3]
    v.resize_(10)
    assert v[:2].tolist() == [1.0, 2.0]
    assert v.storage_offset() == 1


# ---- shared memory ----

def test_share_memory():
    t = cresset.arange(6.0).view(2, 3)
    assert not t.is_shared()
    assert t.share_memory_() is t
    assert t.is_shared()
    assert t.tolist() == torch.arange(6.0).view(2, 3).tolist()
    t.add_(1)
    assert t.tolist() == (torch.arange(6.0).view(2, 3) + 1).tolist()
    assert t.share_memory_() is t
    assert not cresset.ones(2).is_shared()
    assert not cresset.empty(0).share_memory_().is_shared()


def test_share_memory_across_processes():
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    t = cresset.zeros(4).share_memory_()
    p = ctx.Process(target=_fill_ones, args=(t,))
    p.start()
    p.join(30)
    assert p.exitcode == 0
    assert t.tolist() == [1.0] * 4


def _fill_ones(t):
    t.fill_(1.0)


# ---- sum_to_size, new, apply_, map_ ----

@pytest.mark.parametrize("size", [(1, 3), (3,), (2, 1), (1, 1), (2, 3), ()])
def test_sum_to_size(size):
    x = torch.rand(2, 3, dtype=torch.float64, requires_grad=True)
    y = to_cresset(x.detach()).requires_grad_()
    if size == ():
        ours, theirs = y.sum_to_size(()), x.sum_to_size(())
    else:
        ours, theirs = y.sum_to_size(*size), x.sum_to_size(*size)
    assert_same(ours, theirs)
    if size == (2, 3):
        assert ours is y and theirs is x
        return
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    g = torch.rand(theirs.shape, dtype=torch.float64)
    ours.backward(to_cresset(g))
    theirs.backward(g)
    assert_same(y.grad, x.grad)


def test_sum_to_size_int_and_errors():
    x = torch.arange(6, dtype=torch.int32).view(2, 3)
    assert_same(to_cresset(x).sum_to_size(1, 3), x.sum_to_size(1, 3))
    assert_same(to_cresset(x).sum_to_size(cresset.Size([2, 1])), x.sum_to_size(torch.Size([2, 1])))
    assert_raises_like(RuntimeError, lambda: to_cresset(x).sum_to_size(4),
                       lambda: x.sum_to_size(4))
    assert_raises_like(RuntimeError, lambda: to_cresset(x).sum_to_size(1, 2, 3),
                       lambda: x.sum_to_size(1, 2, 3))


def test_new():
    for dtype in (torch.float32, torch.int32, torch.bool):
        x = torch.ones(2, dtype=dtype)
        y = to_cresset(x)
        assert_same(y.new([1, 0]), x.new([1, 0]))
        assert tuple(y.new(2, 3).shape) == tuple(x.new(2, 3).shape)
        assert y.new(2, 3).dtype == getattr(cresset, str(dtype).split(".")[1])
        assert_same(y.new(), x.new())


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
def test_apply_and_map(dtype):
    x = torch.arange(6, dtype=dtype).view(2, 3).t()
    y = to_cresset(x)
    assert y.apply_(lambda v: v * 2.7) is y
    x.apply_(lambda v: v * 2.7)
    assert_same(y, x)
    o = torch.arange(2, dtype=dtype)
    assert y.map_(to_cresset(o), lambda a, b: a - b) is y
    x.map_(o, lambda a, b: a - b)
    assert_same(y, x)
    z = to_cresset(torch.tensor(1.5))
    z.apply_(lambda v: v + 1)
    assert z.item() == 2.5


def test_apply_map_errors():
    y = cresset.ones(2, requires_grad=True)
    assert_raises_like(RuntimeError, lambda: y.apply_(lambda v: v),
                       lambda: torch.ones(2, requires_grad=True).apply_(lambda v: v))
    assert_raises_like(TypeError, lambda: cresset.arange(3).map_(cresset.ones(3), lambda a, b: a),
                       lambda: torch.arange(3).map_(torch.ones(3), lambda a, b: a))


# ---- post-accumulate-grad hooks ----

def test_post_accumulate_grad_hook():
    for lib in (cresset, torch):
        w = lib.ones(3, requires_grad=True)
        seen = []

        def hook(t):
            seen.append((t is w, t.grad.tolist()))
        handle = w.register_post_accumulate_grad_hook(hook)
        (w * 2).sum().backward()
        (w * 3).sum().backward()
        assert seen == [(True, [2.0] * 3), (True, [5.0] * 3)], lib
        handle.remove()
        (w * 1).sum().backward()
        assert len(seen) == 2


def test_post_accumulate_grad_hook_steps_optimizer():
    # The optimizer-in-backward pattern: each parameter updated as soon as its grad is ready.
    w = cresset.ones(2, requires_grad=True)

    def step(p):
        with cresset.no_grad():
            p.sub_(0.5 * p.grad)
        p.grad = None
    w.register_post_accumulate_grad_hook(step)
    (w * w).sum().backward()
    assert w.tolist() == [0.0, 0.0]
    assert w.grad is None


def test_post_accumulate_grad_hook_errors():
    for exc_check in (lambda lib: lib.ones(2).register_post_accumulate_grad_hook(print),
                      lambda lib: (lib.ones(2, requires_grad=True) * 2)
                      .register_post_accumulate_grad_hook(print)):
        assert_raises_like(RuntimeError, lambda: exc_check(cresset), lambda: exc_check(torch))
    w = cresset.ones(2, requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: t)
    with pytest.raises(RuntimeError, match="should return None"):
        w.sum().backward()
