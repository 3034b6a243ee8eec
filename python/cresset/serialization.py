"""cresset.save / cresset.load: the safe checkpoint format, torch .pt reading, safetensors.

`save` writes cresset's own format (see Note [Checkpoint format] in cresset/io/checkpoint.h): a
value tree of containers, numbers, strings and tensors with no pickled code, each storage written
once, and a checksum. `load` reads that format and PyTorch's zip checkpoints (torch.save since
1.6) through a restricted unpickler (cresset._torch_pickle) that resolves no global beyond tensor
rebuilding and plain containers, so neither format can run code while loading.
"""

import collections
import os

from cresset import _C

__all__ = ["load", "save"]

_ZIP_MAGIC = b"PK\x03\x04"
# torch's legacy (pre-1.6) files start with a pickled magic number: PROTO 2, LONG1 of 10 bytes.
_LEGACY_TORCH_MAGIC = b"\x80\x02\x8a\x0a"
_CUDA_UNAVAILABLE = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU.")


def _parameter_type():
    """nn.Parameter once the nn package provides it, else None (parameters load as tensors)."""
    try:
        from cresset.nn.parameter import Parameter
    except ImportError:
        return None
    return Parameter


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves `obj` (tensors, Parameters and dict/OrderedDict/list/tuple/int/float/bool/str/bytes/
    None nested in any way) to a path or a binary file object.

    Saving to a path is atomic: the bytes go to a temporary file in the same directory, which is
    synced and then renamed over the target, so a failed save leaves any previous file intact.
    The pickle arguments are accepted for torch compatibility and ignored.
    """
    if _is_path(f):
        target = os.fsdecode(os.fspath(f))  # written atomically: see Note [Atomic save]
    elif hasattr(f, "write"):
        target = f
    else:
        raise AttributeError(
            f"'{type(f).__name__}' object has no attribute 'write' (save expects a path or a "
            "binary file object)")
    _C._io.save(obj, target, _parameter_type(), collections.OrderedDict)


def _cuda_available():
    try:
        from cresset import cuda
    except ImportError:
        return False
    return bool(cuda.is_available())


def _check_device(device):
    """The device a storage goes to; only CPU exists in a build without CUDA."""
    import cresset
    if not isinstance(device, (cresset.device, str, int)):
        device = str(device)  # e.g. a torch.device
    if not isinstance(device, cresset.device):
        try:
            device = cresset.device(device)
        except (RuntimeError, TypeError, ValueError) as e:
            raise RuntimeError(f"[load] bad device or storage location {device!r}: {e}") from None
    if device.type == "cuda" and not _cuda_available():
        raise RuntimeError(_CUDA_UNAVAILABLE)
    if device.type != "cpu":
        raise RuntimeError(f"[load] cannot map storages to device '{device}'")
    return device


def _restorer(map_location):
    """torch.load's map_location as a function (tensor, location) -> tensor on CPU.

    A callable is called as fn(tensor, location) (torch passes a storage; cresset passes the
    tensor or the byte tensor holding the storage): it may return a tensor to use instead, or
    None for the default placement.
    """
    def place(tensor, location):
        _check_device(location)
        return tensor

    if map_location is None:
        return place
    if isinstance(map_location, dict):
        return lambda tensor, location: place(tensor, map_location.get(location, location))
    if callable(map_location):
        def call(tensor, location):
            result = map_location(tensor, location)
            if result is None:
                return place(tensor, location)
            import cresset
            if not isinstance(result, cresset.Tensor):
                raise TypeError(f"[load] map_location returned a '{type(result).__name__}'; "
                                "expected a tensor or None")
            return result
        return call
    _check_device(map_location)  # a str or device: checked once, up front
    return lambda tensor, location: tensor


def _map_tensors(obj, fn):
    """Applies fn to every tensor in a loaded tree, rebuilding only the containers it changes."""
    import cresset
    if isinstance(obj, cresset.Tensor):
        return fn(obj)
    if isinstance(obj, dict):
        out = type(obj)()
        for k, v in obj.items():
            out[k] = _map_tensors(v, fn)
        return out
    if isinstance(obj, list):
        return [_map_tensors(v, fn) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_map_tensors(v, fn) for v in obj)
    return obj


def _unrecognized(head):
    if head.startswith(_LEGACY_TORCH_MAGIC):
        return RuntimeError(
            "[load] this is PyTorch's legacy (pre-1.6, non-zip) checkpoint format, which cresset "
            "does not read; re-save it with a recent torch.save")
    return RuntimeError(
        f"[load] unrecognized file format (first bytes {head[:8]!r}): expected a cresset "
        "checkpoint or a PyTorch zip checkpoint; the file may be truncated or corrupted")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Loads what `save` wrote, or a PyTorch zip checkpoint, from a path or a binary file object.

    Nothing in either format can run code: torch checkpoints go through an unpickler restricted to
    tensors and plain containers whatever `weights_only` says. Tensors always load onto the CPU
    (`map_location` naming CUDA raises without a CUDA build).
    """
    restore = _restorer(map_location)
    if _is_path(f):
        path = os.fsdecode(os.fspath(f))
        with open(path, "rb") as fh:
            head = fh.read(8)
        if _C._io.is_checkpoint(head):
            obj = _C._io.load(path, _parameter_type(), collections.OrderedDict)
            return _apply_restore(obj, restore, map_location)
        if head.startswith(_ZIP_MAGIC):
            from cresset import _torch_pickle
            with open(path, "rb") as fh:
                return _torch_pickle.load(fh, restore)
        raise _unrecognized(head)
    if not hasattr(f, "read"):
        raise AttributeError(
            f"'{type(f).__name__}' object has no attribute 'read' (load expects a path or a "
            "binary file object)")
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"[load] the file object returned '{type(data).__name__}'; open the file "
                        "in binary mode")
    data = bytes(data)
    if _C._io.is_checkpoint(data[:8]):
        obj = _C._io.load(data, _parameter_type(), collections.OrderedDict)
        return _apply_restore(obj, restore, map_location)
    if data.startswith(_ZIP_MAGIC):
        import io

        from cresset import _torch_pickle
        return _torch_pickle.load(io.BytesIO(data), restore)
    raise _unrecognized(data[:8])


def _apply_restore(obj, restore, map_location):
    """map_location on a cresset checkpoint, whose storages are all saved from the CPU."""
    if isinstance(map_location, dict):
        _check_device(map_location.get("cpu", "cpu"))
        return obj
    if callable(map_location):
        return _map_tensors(obj, lambda t: restore(t, "cpu"))
    return obj
