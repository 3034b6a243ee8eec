"""torch.as_tensor and torch.asarray: tensors that share memory with their source when they can
(tensors, NumPy arrays, DLPack producers, buffer-protocol objects)."""
import sys

from cresset import _C
from cresset._C import Tensor


def _is_ndarray(obj):
    np = sys.modules.get("numpy")
    return np is not None and isinstance(obj, np.ndarray)


def _is_numpy_scalar(obj):
    np = sys.modules.get("numpy")
    return np is not None and isinstance(obj, np.generic)


def _is_capsule(obj):
    return type(obj).__name__ == "PyCapsule"


def _converted(t, dtype, device, copy):
    """``t`` in ``dtype`` on ``device``: ``t`` itself when it matches and no copy is asked for."""
    dtype = t.dtype if dtype is None else dtype
    device = t.device if device is None else _C.device(device)
    if dtype is t.dtype and device == t.device:
        return _C._copy_to(t) if copy else t
    if copy is False:
        if dtype is not t.dtype:
            raise ValueError(f"can't alias tensor with dtype '{_legacy_name(t.dtype)}' into dtype "
                             f"'{_legacy_name(dtype)}'.")
        raise ValueError(f"can't alias tensor from device '{t.device}' to '{device}'.")
    return _C._copy_to(t, dtype, device)


def _legacy_name(dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[repr(dtype).rsplit(".", 1)[-1]]


def as_tensor(data, *, dtype=None, device=None):
    """Converts ``data`` into a tensor, sharing memory with a tensor or NumPy array of the
    requested dtype and device; other data is copied as by ``torch.tensor``."""
    if isinstance(data, Tensor):
        return _converted(data, dtype, device, None)
    if _is_ndarray(data):
        return _converted(_C.from_numpy(data), dtype, device, None)
    return _C.tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """Converts ``obj`` (a tensor, NumPy array or scalar, DLPack capsule or producer,
    buffer-protocol object, number or sequence) into a tensor, sharing memory unless a copy is
    needed or ``copy=True``; ``copy=False`` raises when sharing is impossible."""
    if isinstance(obj, Tensor):
        result = _converted(obj, dtype, device, copy)
    elif _is_ndarray(obj):
        result = _converted(_C.from_numpy(obj), dtype, device, copy)
    elif _is_capsule(obj) or hasattr(obj, "__dlpack__"):
        from cresset.utils.dlpack import from_dlpack
        result = _converted(from_dlpack(obj), dtype, device, copy)
    elif _is_numpy_scalar(obj):
        if copy is False:
            raise RuntimeError("can't alias NumPy scalars. Either remove copy=False or transform "
                               "it in a ndarray. ")
        result = _C.tensor(obj, dtype=dtype, device=device)
    else:
        try:
            view = memoryview(obj)
        except TypeError:
            view = None
        if view is not None:
            buffer = _C.frombuffer(obj, dtype=_C.get_default_dtype() if dtype is None else dtype)
            result = _converted(buffer, None, device, copy)
        else:
            if copy is False:
                raise ValueError("can't alias arbitrary sequence into a tensor.")
            result = _C.tensor(obj, dtype=dtype, device=device)
    if requires_grad is None:
        requires_grad = isinstance(obj, Tensor) and obj.requires_grad
    if requires_grad and not result.requires_grad:
        result.requires_grad = True
    return result
