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
    "[load] Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
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
    """Saves `obj` (tensors of any device, Parameters and dict/OrderedDict/list/tuple/int/float/
    bool/str/bytes/None nested in any way) to a path or a binary file object.

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
    """The device a storage goes to: the CPU, or a CUDA device when one is available."""
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
    return device


def _restorer(map_location):
    """torch.load's map_location as a function (storage, location) -> storage, applied once per
    storage of either format. A storage is a 1-D uint8 tensor of its bytes on the CPU; `location`
    is where it was saved from ('cpu', 'cuda:0' ...), and by default it goes back there.

    A callable is called as fn(storage, location) (torch passes a storage object; cresset the
    byte tensor): it may return the bytes placed elsewhere, or None for the default placement.
    """
    def place(tensor, location):
        return tensor.to(_check_device(location))

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
    device = _check_device(map_location)  # a str or device: checked once, up front
    return lambda tensor, location: tensor.to(device)


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
    tensors and plain containers whatever `weights_only` says. Tensors load onto the device they
    were saved from, or where `map_location` sends them (CUDA without a GPU raises torch's error).
    """
    restore = _restorer(map_location)
    if _is_path(f):
        path = os.fsdecode(os.fspath(f))
        with open(path, "rb") as fh:
            head = fh.read(8)
        if _C._io.is_checkpoint(head):
            return _C._io.load(path, _parameter_type(), collections.OrderedDict, restore)
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
        return _C._io.load(data, _parameter_type(), collections.OrderedDict, restore)
    if data.startswith(_ZIP_MAGIC):
        import io

        from cresset import _torch_pickle
        return _torch_pickle.load(io.BytesIO(data), restore)
    raise _unrecognized(data[:8])
