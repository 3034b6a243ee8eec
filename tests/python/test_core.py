"""Core behaviour: creation from data, dtype inference, promotion, broadcasting, in-place."""
import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset


@pytest.mark.parametrize("data", [[1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]],
                                  3, 2.5, True, [], [[True, 1], [0, 1]]])
def test_tensor_from_data(data):
    assert_same(cresset.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("a,b", [
    ("int64", "float32"), ("uint8", "int8"), ("float16", "bfloat16"), ("bool", "int32"),
    ("int16", "uint8"), ("float64", "float16"), ("bool", "bool")])
def test_promote_types(a, b):
    ours = cresset.promote_types(getattr(cresset, a), getattr(cresset, b))
    theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("lhs,rhs", [
    (("int64", [1, 2]), 2.5), (("int32", [1, 2]), 3), (("float16", [1, 2]), ("float64", 1.0)),
    (("uint8", [1, 2]), ("int8", [3, 4])), (("bool", [True]), 1), (("int8", [1]), ("int64", 5)),
    (("float32", [[1.0], [2.0]]), ("float32", [1.0, 2.0, 3.0]))])
def test_add_promotion_and_broadcast(lhs, rhs):
    def make(lib, spec):
        if isinstance(spec, tuple):
            return lib.tensor(spec[1], dtype=getattr(lib, spec[0]))
        return spec
    assert_same(make(cresset, lhs) + make(cresset, rhs), make(torch, lhs) + make(torch, rhs))
    assert_same(make(cresset, lhs) * make(cresset, rhs), make(torch, lhs) * make(torch, rhs))


def test_inplace_add_bumps_version_and_keeps_identity():
    x = cresset.zeros(2, 3)
    v = x._version
    y = x
    x += 1
    assert y._is_same(x)
    assert x._version == v + 1
    assert x.tolist() == [[1.0] * 3] * 2


def test_inplace_result_type_cannot_downcast():
    with pytest.raises(RuntimeError):
        torch.zeros(3, dtype=torch.int64).exp_()
    with pytest.raises(RuntimeError, match="can't be cast"):
        cresset.zeros(3, dtype=cresset.int64).exp_()


def test_broadcast_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[4\]|size of tensor a"):
        cresset.zeros(2, 3) + cresset.zeros(4)


def test_out_argument_resizes_and_casts():
    out = cresset.empty(0, dtype=cresset.float64)
    r = cresset.add(cresset.ones(2, 2), 1, out=out)
    assert r._is_same(out)
    assert_same(out, torch.full((2, 2), 2.0, dtype=torch.float64))


def test_factories_shape_and_dtype():
    assert_same(cresset.zeros(2, 3), torch.zeros(2, 3))
    assert_same(cresset.ones((2,), dtype=cresset.int32), torch.ones((2,), dtype=torch.int32))
    assert_same(cresset.full((2, 2), 7), torch.full((2, 2), 7))
    assert_same(cresset.full([3], 1.5), torch.full([3], 1.5))
    assert_same(cresset.full([3], True), torch.full([3], True))


@pytest.mark.parametrize("make", [
    lambda: torch.arange(12.).reshape(3, 4).t(),
    lambda: torch.arange(24).reshape(2, 3, 4)[:, 1:, ::2],
    lambda: torch.tensor([1.0, 2.0]).expand(3, 2),
    lambda: torch.tensor(5),
    lambda: torch.empty(0, 3)])
def test_layouts_roundtrip_and_compute(make):
    t = make()
    c = to_cresset(t)
    assert_same(c, t, check_stride=True)
    assert_same(c + 1, t + 1, check_stride=True)
    assert_same(c * c, t * t, check_stride=True)


def test_threads_survive_fork():
    import os
    cresset.set_num_threads(2)
    big = cresset.ones(1 << 20)
    assert (big + big).tolist()[0] == 2.0  # parent pool is up
    pid = os.fork()
    if pid == 0:  # child: a parallel op must not hang on the parent's dead workers
        ok = (big + big).tolist()[-1] == 2.0
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


def test_inplace_broadcasts_inputs_to_the_output():
    x = cresset.zeros(3, 4)
    x.copy_(cresset.tensor(2.0))
    assert x.tolist() == [[2.0] * 4] * 3
    x += cresset.ones(4)
    assert x.tolist() == [[3.0] * 4] * 3
    assert_raises_like = __import__("utils").assert_raises_like
    assert_raises_like(RuntimeError, lambda: cresset.zeros(3).add_(cresset.ones(2, 3)),
                       lambda: torch.zeros(3).add_(torch.ones(2, 3)))


def test_is_contiguous_memory_format_and_empty_data_ptr():
    for lib in (cresset, torch):
        x = lib.empty(2, 3, 4, 5).contiguous(memory_format=lib.channels_last)
        assert not x.is_contiguous() and x.is_contiguous(memory_format=lib.channels_last)
        assert not lib.ones(3).is_contiguous(memory_format=lib.channels_last)
        assert lib.empty(0).data_ptr() == 0


def test_small_api_forms_match_torch():
    cond = [[0, 1, 1], [1, 0, 2]]
    ours, theirs = cresset.where(cresset.tensor(cond)), torch.where(torch.tensor(cond))
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same(o, t)
    o_out, t_out = cresset.empty(0), torch.empty(0)
    r = cresset.diag(cresset.tensor([1.0, 2.0]), 1, out=o_out)
    torch.diag(torch.tensor([1.0, 2.0]), 1, out=t_out)
    assert r is o_out
    assert_same(o_out, t_out)
    assert_raises_like(TypeError, lambda: cresset.ones(2).flip(), lambda: torch.ones(2).flip())
    assert_raises_like(TypeError,
                       lambda: cresset.true_divide(cresset.ones(2), 2, rounding_mode="floor"),
                       lambda: torch.true_divide(torch.ones(2), 2, rounding_mode="floor"))
    assert_same(cresset.true_divide(cresset.tensor([3, 4]), 2),
                torch.true_divide(torch.tensor([3, 4]), 2))
