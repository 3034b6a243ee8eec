"""Helpers for differential tests: real torch is the oracle."""
import cresset
import numpy as np
import torch

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64"]
FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]


def to_cresset(t):
    """A cresset tensor with the same values, dtype, shape and strides (and storage offset) as
    torch tensor `t`: the torch storage span is rebuilt and viewed with as_strided."""
    if not isinstance(t, torch.Tensor):
        return t
    name = dtype_name(t.dtype)
    t = t.detach()
    span = t.storage_offset() + 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride()))
    if t.numel() == 0:
        return cresset.empty_strided(list(t.shape), list(t.stride()), dtype=getattr(cresset, name))
    buf = torch.zeros(span, dtype=t.dtype)
    src = t
    for d, st in enumerate(t.stride()):  # write expanded (stride-0) dims once
        if st == 0:
            src = src.narrow(d, 0, 1)
    buf.as_strided(src.shape, src.stride(), t.storage_offset()).copy_(src)
    flat = cresset.tensor(buf.tolist(), dtype=getattr(cresset, name))
    return flat.as_strided(list(t.shape), list(t.stride()), t.storage_offset())


def dtype_name(dt):
    return str(dt).split(".")[-1]


def assert_same(ours, theirs, *, rtol=None, atol=None, check_stride=False, equal_nan=True):
    """Asserts a cresset result equals a torch result: type, dtype, shape, values."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_same(o, t, rtol=rtol, atol=atol, check_stride=check_stride)
        return
    if not isinstance(theirs, torch.Tensor):
        if isinstance(theirs, float) and np.isnan(theirs):
            assert np.isnan(ours)
        else:
            assert ours == theirs, f"{ours!r} != {theirs!r}"
        return
    assert isinstance(ours, cresset.Tensor), f"expected a Tensor, got {type(ours)}"
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), f"{ours.dtype} != {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{tuple(ours.shape)} != {tuple(theirs.shape)}"
    if check_stride:
        assert tuple(ours.stride()) == tuple(theirs.stride()), \
            f"strides {ours.stride()} != {theirs.stride()}"
    a = np.array(ours.tolist(), dtype=np.float64 if theirs.is_floating_point() else None)
    b = np.array(theirs.tolist(), dtype=np.float64 if theirs.is_floating_point() else None)
    if theirs.is_floating_point():
        default_rtol, default_atol = {
            torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5),
            torch.float32: (1.3e-6, 1e-5), torch.float64: (1e-7, 1e-7)}[theirs.dtype]
        np.testing.assert_allclose(a, b, rtol=rtol if rtol is not None else default_rtol,
                                   atol=atol if atol is not None else default_atol,
                                   equal_nan=equal_nan)
    else:
        np.testing.assert_array_equal(a, b)


def assert_raises_like(exc_type, fn_ours, fn_theirs):
    """Both raise, and ours raises the same Python exception type as torch."""
    import pytest
    with pytest.raises(Exception) as theirs:
        fn_theirs()
    assert isinstance(theirs.value, exc_type), f"torch raised {type(theirs.value)}"
    with pytest.raises(exc_type):
        fn_ours()
