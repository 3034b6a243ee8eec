"""Reading PyTorch's zip checkpoints (what torch.save writes since 1.6) without running code.

The archive holds `<prefix>/data.pkl` (the pickled object, storages replaced by persistent ids
('storage', <torch.XStorage>, key, location, numel)), `<prefix>/data/<key>` (each storage's
raw bytes) and `<prefix>/byteorder`. The unpickler below resolves only the globals a checkpoint of
tensors and plain containers needs; anything else raises pickle.UnpicklingError naming the
global, so a malicious pickle cannot reach os.system or any other callable.
"""

import collections
import pickle
import struct
import zipfile
import zlib
from typing import ClassVar

import cresset

__all__ = ["load"]

_STORAGE_DTYPES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "UntypedStorage": "uint8",
}
_DTYPE_NAMES = {
    "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
    "bool", "double", "float", "half", "long", "int", "short",
}


_MAX_DIMS = 64  # as cresset's own format


class _StorageType:
    """What the unpickler gives for torch.FloatStorage & co: just the element dtype."""

    def __init__(self, dtype):
        self.dtype = dtype


class _TensorType:
    """torch.Tensor / torch.nn.Parameter named as the type in _rebuild_from_type_v2."""

    def __init__(self, parameter):
        self.parameter = parameter


class _Storage:
    """A loaded storage: its bytes as a 1-D tensor of the dtype the pickle asked for."""

    def __init__(self, tensor):
        self.tensor = tensor


def _error(msg):
    return RuntimeError(f"[load] torch checkpoint truncated or corrupted: {msg}")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _int_tuple(x, what):
    if isinstance(x, (tuple, list)) and all(_is_int(v) and v >= 0 for v in x):
        return tuple(x)
    raise _error(f"{what} {x!r} is not a tuple of non-negative ints")


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    if not isinstance(storage, _Storage):
        raise _error(f"_rebuild_tensor_v2 got a '{type(storage).__name__}' as its storage")
    size, stride = _int_tuple(size, "size"), _int_tuple(stride, "stride")
    if len(size) != len(stride) or len(size) > _MAX_DIMS or not _is_int(storage_offset) or \
            storage_offset < 0:
        raise _error(f"tensor layout size={size} stride={stride} offset={storage_offset!r}")
    base = storage.tensor
    numel = 1
    for s in size:
        numel *= s
    end = storage_offset + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if numel else \
        storage_offset
    if end > base.numel():
        raise _error(f"a tensor of size {list(size)}, stride {list(stride)} and offset "
                     f"{storage_offset} reads past its storage of {base.numel()} elements")
    t = base.as_strided(size, stride, storage_offset)
    if requires_grad:
        t.requires_grad_(bool(requires_grad))
    return t


def _as_parameter(data, requires_grad):
    from cresset.serialization import _parameter_type
    param = _parameter_type()
    if not isinstance(data, cresset.Tensor):
        raise _error(f"a parameter made of a '{type(data).__name__}'")
    if param is not None:
        return param(data, bool(requires_grad))
    return data.detach().requires_grad_(bool(requires_grad))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _as_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _as_parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in (_rebuild_tensor_v2, _rebuild_parameter, _rebuild_parameter_with_state) or \
            not isinstance(new_type, _TensorType) or not isinstance(args, tuple):
        raise _error("_rebuild_from_type_v2 of something other than a tensor")
    t = func(*args)
    return _as_parameter(t, t.requires_grad) if new_type.parameter else t


def _codecs_encode(text, encoding):
    # Protocol-2 pickles spell bytes as _codecs.encode(str, 'latin1'); no other codec is allowed.
    if encoding != "latin1" or not isinstance(text, str):
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


def _allowed_global(module, name):
    if module == "torch._utils":
        return {"_rebuild_tensor_v2": _rebuild_tensor_v2,
                "_rebuild_parameter": _rebuild_parameter,
                "_rebuild_parameter_with_state": _rebuild_parameter_with_state}.get(name)
    if module == "torch._tensor" and name == "_rebuild_from_type_v2":
        return _rebuild_from_type_v2
    if module == "collections" and name == "OrderedDict":
        return collections.OrderedDict
    if module in ("builtins", "__builtin__"):
        # Nothing that allocates from a number (bytearray(10**12)) or reaches other code.
        return {"set": set, "frozenset": frozenset, "complex": complex}.get(name)
    if module == "_codecs" and name == "encode":
        return _codecs_encode
    if module == "torch.nn.parameter" and name == "Parameter":
        return _TensorType(parameter=True)
    if module in ("torch", "torch.storage"):
        if name in _STORAGE_DTYPES:
            return _StorageType(getattr(cresset, _STORAGE_DTYPES[name]))
        if module == "torch":
            if name == "Size":
                return cresset.Size
            if name == "device":
                return cresset.device
            if name == "Tensor":
                return _TensorType(parameter=False)
            if name in _DTYPE_NAMES:
                return getattr(cresset, name)
    return None


class _Unpickler(pickle._Unpickler):
    """The pure-Python unpickler (checkpoint pickles are small) with two doors closed: globals
    come only from _allowed_global, and BUILD may only set attributes of an OrderedDict (a state
    dict's _metadata). The C unpickler's BUILD would set attributes on any object on the stack,
    classes included (cresset.Size.__len__ = 5)."""

    dispatch: ClassVar[dict] = dict(pickle._Unpickler.dispatch)

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) is not collections.OrderedDict or not isinstance(state, dict) or \
                not all(isinstance(k, str) for k in state):
            raise pickle.UnpicklingError(
                f"[load] refusing to set the state of a '{type(inst).__name__}' (pickle BUILD): "
                "only an OrderedDict's attributes may be restored (weights_only loading)")
        inst.__dict__.update(state)

    dispatch[pickle.BUILD[0]] = _load_build

    def __init__(self, file, archive, restore):
        super().__init__(file)
        self._archive = archive
        self._restore = restore
        self._bytes = {}    # storage key -> uint8 tensor of its bytes
        self._typed = {}    # (key, dtype) -> _Storage

    def find_class(self, module, name):
        found = _allowed_global(module, name)
        if found is None:
            raise pickle.UnpicklingError(
                f"[load] refusing to load the global '{module}.{name}': a torch checkpoint may "
                "only hold tensors, parameters, dtypes, torch.Size and plain Python containers "
                "and numbers (weights_only loading)")
        return found

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise _error(f"unknown persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str) or \
                not isinstance(location, str) or not _is_int(numel) or numel < 0:
            raise _error(f"bad storage record {pid!r}")
        dtype = storage_type.dtype
        cached = self._typed.get((key, dtype))
        if cached is not None:
            return cached
        nbytes = numel * dtype.itemsize
        raw = self._bytes.get(key)
        if raw is None:
            raw = self._restore(self._archive.storage_bytes(key, nbytes), location)
            self._bytes[key] = raw
        if raw.numel() < nbytes:
            raise _error(f"storage '{key}' holds {raw.numel()} bytes; {nbytes} were expected")
        typed = raw[:nbytes].view(dtype) if nbytes else cresset.empty(0, dtype=dtype)
        storage = self._typed[(key, dtype)] = _Storage(typed)
        return storage


class _Archive:
    """The records of a torch zip checkpoint, read with bounded sizes (no zip bombs)."""

    def __init__(self, file):
        try:
            self._zip = zipfile.ZipFile(file)
            names = self._zip.namelist()
        except Exception as e:  # noqa: BLE001 (zipfile raises many types on damaged archives)
            raise _error(f"not a readable zip archive ({type(e).__name__}: {e})") from None
        pickles = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            if any(n.endswith("constants.pkl") for n in names):
                raise RuntimeError("[load] this is a TorchScript archive (torch.jit.save), not a "
                                   "torch.save checkpoint; cresset cannot load it")
            raise _error("no <archive>/data.pkl record")
        self._prefix = pickles[0][: -len("data.pkl")]
        self._size = sum(i.compress_size for i in self._zip.infolist())
        self._file = file
        self._infos = {i.filename: i for i in self._zip.infolist()}
        if self._prefix + "byteorder" in self._infos:
            byteorder = self.read(self._prefix + "byteorder", 16)
            if byteorder != b"little":
                raise RuntimeError(f"[load] torch checkpoint with byteorder {byteorder!r}: only "
                                   "little-endian checkpoints are supported")

    def read(self, name, limit):
        """The record's bytes, refusing more than `limit` of them."""
        try:
            with self._zip.open(name) as entry:
                data = entry.read(limit + 1)
        except KeyError:
            raise _error(f"missing record '{name}'") from None
        except Exception as e:  # noqa: BLE001 (zipfile raises many types on damaged archives)
            raise _error(f"record '{name}' is damaged ({type(e).__name__}: {e})") from None
        if len(data) > limit:
            raise _error(f"record '{name}' is larger than the {limit} bytes expected")
        return data

    def pickle_bytes(self):
        # A pickle cannot usefully be larger than its archive unless it is a compression bomb.
        return self.read(self._prefix + "data.pkl", max(self._size, 1 << 20))

    def storage_bytes(self, key, nbytes):
        """Storage `key` as a uint8 tensor of exactly `nbytes` bytes."""
        name = f"{self._prefix}data/{key}"
        info = self._infos.get(name)
        if info is None:
            raise _error(f"missing record '{name}'")
        if info.file_size != nbytes:
            raise _error(f"record '{name}' has {info.file_size} bytes; {nbytes} were expected")
        if not nbytes:
            return cresset.empty(0, dtype=cresset.uint8)
        if info.compress_type == zipfile.ZIP_STORED:
            buf = self._read_stored(info)
        else:
            buf = bytearray(self.read(name, nbytes))
            if len(buf) != nbytes:
                raise _error(f"record '{name}' has {len(buf)} bytes; {nbytes} were expected")
        return cresset.frombuffer(buf, dtype=cresset.uint8)

    def _read_stored(self, info):
        # Uncompressed records (all torch writes) are read straight into the tensor's buffer, and
        # checked against their CRC-32 (torch.load does not check it).
        f = self._file
        f.seek(info.header_offset)
        head = f.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise _error(f"bad local header of record '{info.filename}'")
        name_len, extra_len = struct.unpack_from("<HH", head, 26)
        f.seek(info.header_offset + 30 + name_len + extra_len)
        buf = bytearray(info.file_size)
        with memoryview(buf) as view:
            got = 0
            while got < len(buf):
                n = f.readinto(view[got:])
                if not n:
                    raise _error(f"record '{info.filename}' is cut short")
                got += n
        if zlib.crc32(buf) != info.CRC:
            raise _error(f"record '{info.filename}' fails its CRC-32 check")
        return buf


def load(file, restore):
    """Loads a torch zip checkpoint from a binary file object; `restore(tensor, location)` places
    each storage (see serialization._restorer)."""
    import io
    archive = _Archive(file)
    data = archive.pickle_bytes()
    unpickler = _Unpickler(io.BytesIO(data), archive, restore)
    try:
        return unpickler.load()
    except pickle.UnpicklingError as e:
        if str(e).startswith("[load] refusing"):
            raise
        raise _error(f"bad pickle ({e})") from None
    except RuntimeError:
        raise
    except Exception as e:  # noqa: BLE001 (a malformed pickle fails in many ways)
        raise _error(f"bad pickle ({type(e).__name__}: {e})") from None
