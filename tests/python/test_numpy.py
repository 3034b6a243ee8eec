"""The NumPy bridge, DLPack and the buffer protocol: memory is shared exactly when torch shares it,
and errors match torch's."""
import array
import gc
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from utils import assert_raises_like, assert_same

import cresset

NP_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def sample(np_dtype, shape=(2, 3)):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) - 2
    return a.astype(np_dtype)


def first(t):
    """The first element of a tensor, read through tolist (no indexing needed)."""
    v = t.tolist()
    while isinstance(v, list):
        v = v[0]
    return v


@pytest.mark.parametrize("name", NP_DTYPES)
def test_from_numpy_shares_memory(name):
    a = sample(name)
    ours, theirs = cresset.from_numpy(a), torch.from_numpy(a.copy())
    assert_same(ours, theirs, check_stride=True)
    assert ours.data_ptr() == a.ctypes.data
    a.flat[0] = 1
    assert first(ours) == first(torch.from_numpy(a))
    ours.copy_(cresset.ones(2, 3, dtype=getattr(cresset, name)))  # a write through the tensor
    assert (a == 1).all()


@pytest.mark.parametrize("name", NP_DTYPES)
def test_numpy_shares_memory(name):
    t = cresset.zeros(2, 3, dtype=getattr(cresset, name))
    a = t.numpy()
    assert a.dtype == np.dtype(name) and a.shape == (2, 3)
    assert a.ctypes.data == t.data_ptr()
    np.add(a, 1, out=a, casting="unsafe")
    assert t.tolist() == torch.ones(2, 3, dtype=getattr(torch, name)).tolist()
    assert a.flags.writeable


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor(3.5),
    lambda lib: lib.zeros(0, 3),
    lambda lib: lib.tensor([1.0, 2.0]).as_strided([3, 2], [0, 1]),
    lambda lib: lib.tensor([[1, 2, 3], [4, 5, 6]]).as_strided([3, 2], [1, 3]),
    lambda lib: lib.tensor(list(range(10)), dtype=lib.int16).as_strided([2, 2], [5, 2], 1),
])
def test_numpy_layouts(make):
    ours, theirs = make(cresset).numpy(), make(torch).numpy()
    assert ours.shape == theirs.shape and ours.strides == theirs.strides
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_numpy_keeps_storage_alive():
    t = cresset.tensor([1.5, 2.5, 3.5])
    a = t.numpy()
    del t
    gc.collect()
    big = [cresset.ones(1000) for _ in range(10)]  # reuse freed memory if any was freed
    assert a.tolist() == [1.5, 2.5, 3.5]
    del big


def test_tensor_keeps_array_alive():
    a = np.arange(5.0)
    t = cresset.from_numpy(a)
    ref = sys.getrefcount(a)
    t2 = cresset.from_numpy(a)
    assert sys.getrefcount(a) == ref + 1
    del t2
    gc.collect()
    assert sys.getrefcount(a) == ref
    del a
    gc.collect()
    junk = [np.ones(5) * 7 for _ in range(10)]
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    del junk


def test_roundtrip_numpy_tensor_numpy():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = cresset.from_numpy(a).numpy()
    b[1, 2] = 99
    assert a[1, 2] == 99


@pytest.mark.parametrize("make", [
    lambda: np.arange(5)[::-1],
    lambda: np.zeros((3, 1), dtype=np.float32)[:, ::-1],
    lambda: np.ndarray((2,), dtype=np.int32, buffer=bytearray(12), strides=(6,)),
    lambda: np.array([1], dtype=">i4"),
    lambda: np.array(["a"]),
    lambda: np.array([1], dtype=object),
    lambda: [1, 2],
    lambda: np.float64(3),
])
def test_from_numpy_errors(make):
    data = make()
    with pytest.raises(Exception) as theirs:
        torch.from_numpy(data)
    with pytest.raises(type(theirs.value)) as ours:
        cresset.from_numpy(data)
    assert str(ours.value).split(". The only")[0] == str(theirs.value).split(". The only")[0]


def test_from_numpy_unsupported_dtypes_raise_type_error():
    # torch has uint16/32/64 and complex; cresset does not and says which types it supports.
    for dt in [np.uint16, np.uint32, np.uint64, np.complex64]:
        with pytest.raises(TypeError, match="The only supported types are"):
            cresset.from_numpy(np.zeros(2, dtype=dt))


def test_empty_and_zero_dim_arrays():
    for a in [np.zeros((0, 3)), np.zeros((2, 0, 3))[:, :, ::-1], np.array(3.0),
              np.broadcast_to(np.arange(3.0), (2, 3))]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(cresset.from_numpy(a), torch.from_numpy(a), check_stride=True)


def test_non_writable_array_warns_once_and_shares():
    code = """
import warnings, numpy as np, cresset
a = np.arange(3.0); a.flags.writeable = False
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    t = cresset.from_numpy(a)
    t2 = cresset.from_numpy(a)
assert len(w) == 1 and w[0].category is UserWarning, w
assert "not writable" in str(w[0].message)
assert t.data_ptr() == a.ctypes.data
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.stdout.strip() == "ok", out.stderr


def test_numpy_errors():
    assert_raises_like(RuntimeError, lambda: cresset.tensor([1.0], requires_grad=True).numpy(),
                       lambda: torch.tensor([1.0], requires_grad=True).numpy())
    with pytest.raises(RuntimeError, match="Use tensor.detach"):
        cresset.tensor([1.0], requires_grad=True).numpy()
    assert_raises_like(TypeError, lambda: cresset.tensor([1.0], dtype=cresset.bfloat16).numpy(),
                       lambda: torch.tensor([1.0], dtype=torch.bfloat16).numpy())
    with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
        cresset.tensor([1.0], dtype=cresset.bfloat16).numpy()
    with pytest.raises(TypeError):
        cresset.tensor([1.0]).numpy(True)


def test_numpy_force():
    t = cresset.tensor([1.0, 2.0], requires_grad=True)
    a = t.numpy(force=True)
    assert a.tolist() == [1.0, 2.0] and a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(np.asarray(cresset.tensor([3, 4])), np.array([3, 4]))


def test_array_protocol():
    t = cresset.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.ctypes.data == t.data_ptr()
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(t).ctypes.data != t.data_ptr()  # np.array copies
    with pytest.raises(RuntimeError):
        np.asarray(cresset.tensor([1.0], requires_grad=True))
    assert cresset.Tensor.__array_priority__ == torch.Tensor.__array_priority__


def test_numpy_functions_return_tensors():
    for fn in [lambda x: np.sin(x), lambda x: np.greater(x, 1.5), lambda x: np.float64(2) * x,
               lambda x: np.exp(x)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch's old __array_wrap__
            theirs = fn(torch.tensor([1.0, 2.0]))
        ours = fn(cresset.tensor([1.0, 2.0]))
        assert_same(ours, theirs)


@pytest.mark.parametrize("name", NP_DTYPES)
def test_tensor_copies_ndarray(name):
    a = sample(name)
    ours, theirs = cresset.tensor(a), torch.tensor(a)
    assert_same(ours, theirs)
    a.flat[0] = 1
    assert first(ours) == first(theirs)
    assert_same(cresset.tensor(a, dtype=cresset.float64), torch.tensor(a, dtype=torch.float64))
    assert_same(cresset.tensor(a.T), torch.tensor(a.T))


def test_tensor_from_numpy_errors():
    for data in [np.arange(5)[::-1], np.array([1, 2], dtype=">i4")]:
        with pytest.raises(ValueError) as theirs:
            torch.tensor(data)
        with pytest.raises(ValueError) as ours:
            cresset.tensor(data)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("data", [
    np.float32(1.5), np.float64(2.5), np.int32(3), np.int8(-2), np.bool_(True), np.uint8(200),
    np.float16(0.5), [np.float32(1.5), np.float64(2)], [np.int32(1), 2], [np.float16(1), 2],
    [np.float16(1), 2.5], [np.array([1, 2]), np.array([3, 4])],
    [np.array([1], dtype=np.int8), np.array([1.5])], [[np.int16(1), np.int16(2)]],
    [np.array([1.0], dtype=np.float32)], [np.bool_(True), np.bool_(False)]])
def test_tensor_numpy_scalars_and_nested_arrays(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that lists of arrays are slow
        theirs = torch.tensor(data)
    assert_same(cresset.tensor(data), theirs)


def test_numpy_scalars_are_numbers():
    assert_same(cresset.tensor([1, 2]) + np.int64(3), torch.tensor([1, 2]) + np.int64(3))
    assert_same(cresset.tensor([1, 2]) * np.float32(0.5), torch.tensor([1, 2]) * np.float32(0.5))
    assert_same(cresset.full((2,), np.int32(4)), torch.full((2,), np.int32(4)))
    assert_same(cresset.tensor([1.0]) + np.bool_(True), torch.tensor([1.0]) + np.bool_(True))


def test_legacy_tensor_from_ndarray_is_float32_copy():
    a = np.array([1.5, 2.0], dtype=np.float64)
    ours, theirs = cresset.Tensor(a), torch.Tensor(a)
    assert_same(ours, theirs)
    a[0] = 9
    assert first(ours) == 1.5
    assert_same(cresset.LongTensor(np.array([1, 2], dtype=np.int32)),
                torch.LongTensor(np.array([1, 2], dtype=np.int32)))


def test_as_tensor():
    a = np.arange(4.0)
    t = cresset.as_tensor(a)
    assert t.dtype is cresset.float64 and t.data_ptr() == a.ctypes.data
    t32 = cresset.as_tensor(a, dtype=cresset.float32)
    assert t32.dtype is cresset.float32 and t32.data_ptr() != a.ctypes.data
    assert cresset.as_tensor(a, dtype=cresset.float64, device="cpu").data_ptr() == a.ctypes.data
    x = cresset.tensor([1.0, 2.0])
    assert cresset.as_tensor(x) is x and cresset.as_tensor(x, device="cpu") is x
    assert_same(cresset.as_tensor(x, dtype=cresset.int32),
                torch.as_tensor(torch.tensor([1.0, 2.0]), dtype=torch.int32))
    for data in [[1, 2], 3, [1.0, 2], np.float32(2), array.array("i", [1, 2])]:
        assert_same(cresset.as_tensor(data), torch.as_tensor(data))
    assert_same(cresset.as_tensor([1, 2], dtype=cresset.float64),
                torch.as_tensor([1, 2], dtype=torch.float64))
    assert_raises_like(TypeError, lambda: cresset.as_tensor([1], cresset.float64),
                       lambda: torch.as_tensor([1], torch.float64))


def test_asarray():
    a = np.arange(4.0)
    t = cresset.asarray(a)
    assert t.data_ptr() == a.ctypes.data
    assert cresset.asarray(a, copy=True).data_ptr() != a.ctypes.data
    assert_same(cresset.asarray(a, dtype=cresset.float32), torch.asarray(a, dtype=torch.float32))
    x = cresset.tensor([1.0, 2.0])
    assert cresset.asarray(x) is x and cresset.asarray(x, dtype=cresset.float32, copy=False) is x
    y = cresset.asarray(x, copy=True)
    assert y is not x and y.data_ptr() != x.data_ptr()
    for ours, theirs in [
        (lambda: cresset.asarray(np.arange(3.0), copy=False, dtype=cresset.float32),
         lambda: torch.asarray(np.arange(3.0), copy=False, dtype=torch.float32)),
        (lambda: cresset.asarray(x, copy=False, dtype=cresset.int64),
         lambda: torch.asarray(torch.tensor([1.0, 2.0]), copy=False, dtype=torch.int64)),
        (lambda: cresset.asarray([1, 2], copy=False), lambda: torch.asarray([1, 2], copy=False)),
        (lambda: cresset.asarray(np.arange(5)[::-1]), lambda: torch.asarray(np.arange(5)[::-1])),
    ]:
        with pytest.raises(ValueError) as e_theirs:
            theirs()
        with pytest.raises(ValueError) as e_ours:
            ours()
        assert str(e_ours.value) == str(e_theirs.value)
    assert_raises_like(RuntimeError, lambda: cresset.asarray(np.float32(3), copy=False),
                       lambda: torch.asarray(np.float32(3), copy=False))
    for data in [[1, 2], [1.0, 2], 3, np.float32(3.5), np.float64(3.5), np.int32(3)]:
        assert_same(cresset.asarray(data), torch.asarray(data))
    b = bytearray(8)
    for kwargs in [{}, {"dtype": cresset.uint8}, {"dtype": cresset.int32}]:
        theirs_kwargs = {k: getattr(torch, str(v).split(".")[-1]) for k, v in kwargs.items()}
        assert_same(cresset.asarray(b, **kwargs), torch.asarray(b, **theirs_kwargs))
    shared = cresset.asarray(b, dtype=cresset.uint8)
    b[0] = 7
    assert first(shared) == 7
    r = cresset.asarray(a, requires_grad=True)
    assert r.requires_grad and r.data_ptr() == a.ctypes.data


def test_frombuffer():
    cases = [
        (bytearray(b"abcd"), {}), (bytearray(b"abcd"), {"count": 2, "offset": 1}),
        (bytearray(b"abcde"), {"dtype": "int16"}), (bytearray(b"abcd"), {"offset": 4}),
        (bytearray(b"abcd"), {"offset": -1}), (bytearray(b"abcd"), {"count": 5}),
        (bytearray(b""), {}), (bytearray(8), {"count": 0}), ([1, 2], {}),
        (array.array("f", [1, 2]), {"dtype": "float32"}),
        (bytearray(b"abcd"), {"dtype": "int16", "offset": 1}),
    ]
    for buf, kwargs in cases:
        name = kwargs.pop("dtype", "uint8")
        try:
            theirs = torch.frombuffer(buf, dtype=getattr(torch, name), **kwargs)
        except ValueError as e:
            with pytest.raises(ValueError) as ours:
                cresset.frombuffer(buf, dtype=getattr(cresset, name), **kwargs)
            assert str(ours.value) == str(e)
            continue
        assert_same(cresset.frombuffer(buf, dtype=getattr(cresset, name), **kwargs), theirs)
    b = bytearray(4)
    t = cresset.frombuffer(b, dtype=cresset.uint8)
    t.copy_(cresset.full((4,), 5, dtype=cresset.uint8))
    assert b == bytearray([5, 5, 5, 5])


# --------------------------------------------------------------------------------------------
# DLPack

DL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
             "float64"]


@pytest.mark.parametrize("name", DL_DTYPES)
def test_dlpack_with_torch_both_ways(name):
    t = cresset.tensor([[0, 1, 0], [1, 1, 0]], dtype=getattr(cresset, name))
    theirs = torch.from_dlpack(t)
    assert theirs.dtype == getattr(torch, name) and theirs.data_ptr() == t.data_ptr()
    assert theirs.tolist() == t.tolist()
    src = torch.tensor([[0, 1], [1, 0], [1, 1]], dtype=getattr(torch, name)).t()
    ours = cresset.from_dlpack(src)
    assert ours.data_ptr() == src.data_ptr()
    assert_same(ours, src, check_stride=True)


@pytest.mark.parametrize("name", NP_DTYPES)
def test_dlpack_with_numpy_both_ways(name):
    t = cresset.zeros(2, 3, dtype=getattr(cresset, name))
    a = np.from_dlpack(t)
    assert a.dtype == np.dtype(name) and a.ctypes.data == t.data_ptr()
    a[0, 0] = 1
    assert first(t) == 1
    b = sample(name)[:, ::2]
    ours = cresset.from_dlpack(b)
    assert ours.data_ptr() == b.ctypes.data
    assert_same(ours, torch.from_dlpack(b), check_stride=True)


def test_dlpack_writes_are_shared():
    x = cresset.tensor([1.0, 2.0, 3.0])
    y = torch.from_dlpack(x)
    y[1] = 8
    assert x.tolist() == [1.0, 8.0, 3.0]
    z = torch.arange(4.0)
    w = cresset.from_dlpack(z)
    w.copy_(cresset.ones(4))
    assert z.tolist() == [1.0] * 4


def test_dlpack_layouts():
    for make in [lambda lib: lib.tensor(2.5), lambda lib: lib.zeros(0, 3),
                 lambda lib: lib.tensor([1.0, 2.0]).as_strided([3, 2], [0, 1]),
                 lambda lib: lib.tensor(list(range(12))).as_strided([2, 3], [1, 4], 2)]:
        ours = torch.from_dlpack(make(cresset))
        theirs = make(torch)
        assert ours.shape == theirs.shape and ours.stride() == theirs.stride()
        assert ours.tolist() == theirs.tolist()
        back = cresset.from_dlpack(theirs)
        assert_same(back, theirs, check_stride=True)


def test_dlpack_lifetime():
    t = cresset.tensor([1.0, 2.0])
    theirs = torch.from_dlpack(t)
    del t
    gc.collect()
    assert theirs.tolist() == [1.0, 2.0]
    src = torch.tensor([3.0, 4.0])
    ours = cresset.from_dlpack(src)
    del src
    gc.collect()
    assert ours.tolist() == [3.0, 4.0]


def test_capsules():
    t = cresset.tensor([1, 2, 3])
    capsule = cresset.utils.dlpack.to_dlpack(t)
    assert "dltensor" in repr(capsule)
    ours = cresset.from_dlpack(capsule)
    assert ours.data_ptr() == t.data_ptr()
    with pytest.raises(RuntimeError, match="consumed only once"):
        cresset.from_dlpack(capsule)
    assert torch.from_dlpack(cresset.utils.dlpack.to_dlpack(t)).tolist() == [1, 2, 3]
    theirs = torch.utils.dlpack.to_dlpack(torch.tensor([4, 5]))
    assert cresset.from_dlpack(theirs).tolist() == [4, 5]
    versioned = t.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(versioned)
    assert cresset.from_dlpack(versioned).tolist() == [1, 2, 3]


def test_unconsumed_capsules_release_the_storage():
    a = np.arange(3.0)
    t = cresset.from_numpy(a)
    ref = sys.getrefcount(a)
    capsules = [cresset.utils.dlpack.to_dlpack(t), t.__dlpack__(max_version=(1, 0))]
    del t
    gc.collect()
    assert sys.getrefcount(a) == ref  # the storage (holding a) lives on in the capsules
    consumed = cresset.from_dlpack(capsules[0])
    del capsules
    gc.collect()
    assert sys.getrefcount(a) == ref
    del consumed
    gc.collect()
    assert sys.getrefcount(a) == ref - 1


def test_dlpack_protocol_details():
    t = cresset.tensor([1.0])
    assert t.__dlpack_device__() == torch.tensor([1.0]).__dlpack_device__() == (1, 0)
    assert cresset.utils.dlpack.DLDeviceType.kDLCPU == 1
    with pytest.raises(BufferError):
        cresset.tensor([1.0], requires_grad=True).__dlpack__()
    with pytest.raises(AssertionError):
        t.__dlpack__(stream=5)
    with pytest.raises(TypeError):
        t.__dlpack__(stream="x")
    copied = cresset.from_dlpack(t, copy=True)
    assert copied.data_ptr() != t.data_ptr() and copied.tolist() == [1.0]
    via_numpy = cresset.from_dlpack(np.arange(3.0), copy=True)
    assert via_numpy.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(AssertionError):
        cresset.from_dlpack(cresset.utils.dlpack.to_dlpack(t), copy=True)
    assert cresset.utils.dlpack.from_dlpack is cresset.from_dlpack
