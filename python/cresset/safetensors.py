"""safetensors files, as the `safetensors.torch` functions read and write them.

Layout (the safetensors specification): an 8-byte little-endian header length N, N bytes of JSON
({"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin,
end]}, ...}, padded with spaces to a multiple of 8), then the tensors' bytes, contiguous and
row-major, offsets relative to the end of the header. Like the reference writer, tensors are laid
out by dtype, widest first, then by name, and the JSON lists them in that order, so the files are
byte-for-byte what `safetensors.torch.save` produces.
"""

import json
import os
import struct

import cresset

__all__ = ["load", "load_file", "save", "save_file"]

_DTYPES = {
    "I64": cresset.int64, "F64": cresset.float64, "F32": cresset.float32,
    "I32": cresset.int32, "BF16": cresset.bfloat16, "F16": cresset.float16,
    "I16": cresset.int16, "I8": cresset.int8, "U8": cresset.uint8, "BOOL": cresset.bool,
}
_CODES = {dtype: code for code, dtype in _DTYPES.items()}
_RANK = {code: i for i, code in enumerate(_DTYPES)}  # the reference writer's order
_MAX_HEADER = 100_000_000  # the reference reader's limit


def _prepare(tensors, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"[safetensors] expected a dict of tensors; got '{type(tensors).__name__}'")
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"[safetensors] tensor names must be str; got {name!r}")
        if name == "__metadata__":
            raise ValueError("[safetensors] '__metadata__' is reserved and cannot name a tensor")
        if not isinstance(t, cresset.Tensor):
            raise TypeError(f"[safetensors] '{name}' is a '{type(t).__name__}', not a tensor")
        if t.dtype not in _CODES:
            raise TypeError(f"[safetensors] '{name}' has unsupported dtype {t.dtype}")
    if metadata is not None and (not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("[safetensors] metadata must be a dict of str to str")
    entries = sorted(tensors.items(), key=lambda kv: (_RANK[_CODES[kv[1].dtype]], kv[0]))
    header = {} if metadata is None else {"__metadata__": metadata}
    placed, offset = [], 0
    for name, t in entries:
        nbytes = t.numel() * t.element_size()
        header[name] = {"dtype": _CODES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + nbytes]}
        placed.append((t, offset, offset + nbytes))
        offset += nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, placed, offset


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors (str -> tensor)."""
    head, placed, data_size = _prepare(tensors, metadata)
    out = bytearray(len(head) + data_size)
    out[: len(head)] = head
    if data_size:
        # Copy each tensor straight into the output buffer through a byte view of it.
        dst = cresset.frombuffer(out, dtype=cresset.uint8)
        with cresset.no_grad():
            for t, begin, end in placed:
                if end > begin:
                    dst[len(head) + begin: len(head) + end].view(t.dtype).copy_(
                        t.detach().reshape(-1))
        del dst
    return bytes(out)


def save_file(tensors, filename, metadata=None):
    """Writes a dict of tensors to a safetensors file."""
    data = save(tensors, metadata)
    with open(os.fspath(filename), "wb") as f:
        f.write(data)


def _error(msg):
    return ValueError(f"[safetensors] invalid file: {msg}")


def _parse_header(data):
    if len(data) < 8:
        raise _error(f"{len(data)} bytes is too short for the 8-byte header length")
    (n,) = struct.unpack_from("<Q", data)
    if n > _MAX_HEADER:
        raise _error(f"header length {n} exceeds the {_MAX_HEADER}-byte limit")
    if n > len(data) - 8:
        raise _error(f"header length {n} runs past the end of the {len(data)}-byte file")
    try:
        header = json.loads(bytes(data[8: 8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _error(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _error("the header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(v, str) for v in metadata.values())):
        raise _error("__metadata__ must map str to str")
    data_len = len(data) - 8 - n
    specs = []
    for name, spec in header.items():
        if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
            raise _error(f"tensor '{name}' needs exactly dtype, shape and data_offsets")
        dtype = _DTYPES.get(spec["dtype"]) if isinstance(spec["dtype"], str) else None
        shape, offsets = spec["shape"], spec["data_offsets"]
        if dtype is None:
            raise _error(f"tensor '{name}' has unsupported dtype {spec['dtype']!r}")
        if not (isinstance(shape, list) and all(
                type(s) is int and s >= 0 for s in shape)):
            raise _error(f"tensor '{name}' has a bad shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(
                type(o) is int for o in offsets) and 0 <= offsets[0] <= offsets[1] <= data_len):
            raise _error(f"tensor '{name}' has data_offsets {offsets!r} outside the "
                         f"{data_len}-byte data section")
        numel = 1
        for s in shape:
            numel *= s
        if offsets[1] - offsets[0] != numel * dtype.itemsize:
            raise _error(f"tensor '{name}' of shape {shape} and dtype {spec['dtype']} needs "
                         f"{numel * dtype.itemsize} bytes; its data_offsets span "
                         f"{offsets[1] - offsets[0]}")
        specs.append((offsets[0], offsets[1], name, dtype, shape))
    specs.sort(key=lambda s: (s[0], s[1]))
    end = 0
    for begin, stop, name, _, _ in specs:
        if begin != end:
            raise _error(f"tensor '{name}' starts at {begin}; the previous one ends at {end} "
                         "(overlapping or gapped data)")
        end = stop
    if end != data_len:
        raise _error(f"the tensors cover {end} bytes of the {data_len}-byte data section")
    return 8 + n, specs


def load(data):
    """The dict of tensors (name -> tensor, in the file's order) held in safetensors bytes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"[safetensors] expected bytes; got '{type(data).__name__}'")
    start, specs = _parse_header(data)
    out = {}
    buf = None
    if len(data) > start:
        buf = cresset.frombuffer(bytearray(memoryview(data)[start:]), dtype=cresset.uint8)
    for begin, end, name, dtype, shape in specs:
        if end == begin:
            out[name] = cresset.empty(shape, dtype=dtype)
            continue
        seg = buf[begin:end]
        if begin % dtype.itemsize:
            seg = seg.clone()  # a misaligned (but valid) offset: give the tensor its own bytes
        out[name] = seg.view(dtype).reshape(shape)
    return out


def load_file(filename, device="cpu"):
    """Loads a safetensors file into a dict of tensors on `device` (CPU only without CUDA)."""
    from cresset.serialization import _check_device
    _check_device(device)
    with open(os.fspath(filename), "rb") as f:
        return load(f.read())
