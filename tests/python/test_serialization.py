"""cresset.save / cresset.load (cresset's checkpoint format and torch .pt files) and
cresset.safetensors, checked against real torch and the reference safetensors package."""
import collections
import io
import math
import os
import pickle
import random
import resource
import signal
import struct
import zipfile

import cresset.safetensors as cst
import pytest
import torch
from utils import DTYPE_NAMES, assert_same, to_cresset

import cresset
from cresset import _C, serialization


def _sample(name, shape=(3, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    dt = getattr(torch, name)
    if name == "bool":
        t = torch.rand(shape, generator=g) > 0.5
    elif dt.is_floating_point:
        t = (torch.randn(shape, generator=g) * 100).to(dt)
    else:
        lo = 0 if name == "uint8" else -100
        t = torch.randint(lo, 100, shape, generator=g, dtype=dt)
    return t


def _assert_tree(ours, theirs):
    """Same structure, container types, keys order, scalars and tensors (bit for bit)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, cresset.Tensor), type(ours)
        assert_same(ours, theirs, rtol=0, atol=0, check_stride=True)
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.requires_grad == theirs.requires_grad
        return
    if isinstance(theirs, cresset.Tensor):
        assert isinstance(ours, cresset.Tensor)
        assert ours.dtype == theirs.dtype and tuple(ours.shape) == tuple(theirs.shape)
        assert ours.stride() == theirs.stride()
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.requires_grad == theirs.requires_grad
        assert ours.tolist() == theirs.tolist()
        return
    if isinstance(theirs, torch.Size):
        assert isinstance(ours, cresset.Size) and tuple(ours) == tuple(theirs)
        return
    if isinstance(theirs, torch.dtype):
        assert ours == getattr(cresset, str(theirs).split(".")[-1])
        return
    assert type(ours) is type(theirs), f"{type(ours)} != {type(theirs)}"
    if isinstance(theirs, dict):
        assert list(ours.keys()) == list(theirs.keys())
        for k in theirs:
            _assert_tree(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_tree(a, b)
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert math.isnan(ours)
    else:
        assert ours == theirs and (not isinstance(theirs, float) or
                                   math.copysign(1, ours) == math.copysign(1, theirs))


def _roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    cresset.save(obj, buf)
    buf.seek(0)
    return cresset.load(buf, **load_kwargs)


# ---------------------------------------------------------------------------------------------
# cresset's checkpoint format


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_every_dtype_round_trips_bit_exact(name, tmp_path):
    tensors = {"m": to_cresset(_sample(name)), "scalar": to_cresset(_sample(name, ())),
               "empty": to_cresset(_sample(name, (0, 3))),
               "nc": to_cresset(_sample(name, (4, 5)).t()[1:, ::2])}
    cresset.save(tensors, tmp_path / "x.ckpt")
    loaded = cresset.load(tmp_path / "x.ckpt")
    assert type(loaded) is dict
    _assert_tree(loaded, tensors)
    _assert_tree(_roundtrip(tensors), tensors)


def test_views_sharing_a_storage_stay_shared():
    base = cresset.arange(24.0).reshape(4, 6)
    obj = {"base": base, "t": base.t(), "slice": base[1:, ::2], "row": base[2]}
    loaded = _roundtrip(obj)
    _assert_tree(loaded, obj)
    assert loaded["t"].stride() == (1, 6) and loaded["slice"].storage_offset() == 6
    loaded["base"][2, 2] = -1.0
    assert loaded["t"][2, 2].item() == -1.0
    assert loaded["slice"][1, 1].item() == -1.0
    assert loaded["row"][2].item() == -1.0
    assert base[2, 2].item() == 14.0  # the original is not aliased by the loaded copy


def test_storage_is_written_once():
    big = cresset.zeros(1 << 18)  # 1 MiB
    one = io.BytesIO()
    cresset.save({"a": big}, one)
    many = io.BytesIO()
    cresset.save({"a": big, "views": [big[i:] for i in range(10)]}, many)
    assert len(many.getvalue()) < len(one.getvalue()) + 4096


def test_nested_containers_and_scalars():
    od = collections.OrderedDict([("z", 1), ("a", 2), ("m", 3)])
    od.move_to_end("z")
    obj = collections.OrderedDict([
        ("state", {0: {"step": cresset.tensor(3.0), "exp_avg": cresset.ones(2)}, -5: None}),
        ("groups", [{"lr": 1e-3, "betas": (0.9, 0.999), "nesterov": False, "foreach": None,
                     "params": [0, 1]}]),
        ("ints", [0, -1, 2 ** 63 - 1, -2 ** 63]),
        ("floats", (0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-310)),
        ("text", "héllo ✓"), ("raw", b"\x00\xff\x89CRESSET"), ("ordered", od),
        ("empty", ([], (), {}, collections.OrderedDict(), "", b"")),
        ("deep", [[[[[cresset.arange(3)]]]]]),
    ])
    loaded = _roundtrip(obj)
    _assert_tree(loaded, obj)
    assert list(loaded["ordered"]) == ["a", "m", "z"]


def test_bare_tensor_and_scalar_roots():
    t = cresset.randn(2, 3)
    _assert_tree(_roundtrip(t), t)
    assert _roundtrip(7) == 7 and _roundtrip(None) is None and _roundtrip("s") == "s"


def test_requires_grad_round_trips():
    leaf = cresset.randn(3, requires_grad=True)
    obj = {"leaf": leaf, "nonleaf": leaf * 2, "plain": cresset.ones(2)}
    loaded = _roundtrip(obj)
    assert loaded["leaf"].requires_grad and loaded["leaf"].is_leaf
    assert loaded["nonleaf"].requires_grad and loaded["nonleaf"].is_leaf  # as torch
    assert not loaded["plain"].requires_grad
    assert loaded["leaf"].tolist() == leaf.tolist()


class _ParamMeta(type):
    def __instancecheck__(cls, obj):
        return getattr(obj, "_is_param", False)


class _FakeParameter(metaclass=_ParamMeta):
    """Stands in for nn.Parameter: tensors marked _is_param are instances; building one records
    its arguments."""

    def __new__(cls, data, requires_grad=True):
        return ("param", data, requires_grad)


def test_parameters_load_as_parameters(monkeypatch):
    monkeypatch.setattr(serialization, "_parameter_type", lambda: _FakeParameter)
    p = cresset.randn(3, requires_grad=True)
    p._is_param = True
    frozen = cresset.ones(2)
    frozen._is_param = True
    loaded = _roundtrip({"p": p, "frozen": frozen, "t": cresset.ones(1, requires_grad=True)})
    assert loaded["p"][0] == "param" and loaded["p"][2] is True
    assert loaded["p"][1].tolist() == p.tolist()
    assert loaded["frozen"][0] == "param" and loaded["frozen"][2] is False
    assert isinstance(loaded["t"], cresset.Tensor) and loaded["t"].requires_grad


def test_big_tensor_to_path(tmp_path):
    t = cresset.randn(1024, 1024)  # 4 MiB
    path = str(tmp_path / "big.ckpt")
    cresset.save({"w": t, "half": t.to(cresset.float16)}, path)
    loaded = cresset.load(path)
    assert cresset.equal(loaded["w"], t) and cresset.equal(loaded["half"], t.to(cresset.float16))
    assert loaded["w"].data_ptr() % 64 == 0  # storages are 64-byte aligned in the read buffer


def test_file_object_at_an_offset_and_pathlike(tmp_path):
    buf = io.BytesIO()
    buf.write(b"prefix")
    cresset.save([1, cresset.ones(3)], buf)
    buf.seek(6)
    assert _roundtrip_equal(cresset.load(buf), [1, cresset.ones(3)])
    with open(tmp_path / "f.ckpt", "wb") as f:
        cresset.save({"a": 1}, f)
    with open(tmp_path / "f.ckpt", "rb") as f:
        assert cresset.load(f) == {"a": 1}


def _roundtrip_equal(a, b):
    _assert_tree(a, b)
    return True


def test_save_to_a_path_is_atomic(tmp_path):
    path = tmp_path / "model.ckpt"
    cresset.save({"w": cresset.ones(1000)}, path)
    before = path.read_bytes()
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask  # as open() would create it
    bad = {"w": cresset.zeros(1 << 16), "layers": [1, 2, {3}]}
    with pytest.raises(TypeError, match=r"'set' at obj\['layers'\]\[2\]"):
        cresset.save(bad, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.ckpt"]

    # A write that fails midway (the file size limit hit after 64 KiB of a 4 MiB checkpoint).
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, hard))
    try:
        with pytest.raises(RuntimeError, match=r"\[save\] write failed: File too large"):
            cresset.save({"w": cresset.zeros(1 << 20)}, path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.ckpt"]
    with pytest.raises(RuntimeError, match="cannot create a file next to"):
        cresset.save(1, tmp_path / "missing" / "x.ckpt")
    cresset.save({"w": cresset.zeros(3)}, path)
    assert cresset.load(path)["w"].tolist() == [0.0, 0.0, 0.0]
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_unsupported_objects_name_type_and_path():
    with pytest.raises(TypeError, match=r"type 'object' at obj\['state'\]\['layer'\]\[2\]"):
        cresset.save({"state": {"layer": [1, 2, object()]}}, io.BytesIO())
    with pytest.raises(TypeError, match=r"keys must be str or int; got a key of type 'tuple'"):
        cresset.save({(1, 2): 3}, io.BytesIO())
    with pytest.raises(ValueError, match="64 bits"):
        cresset.save([2 ** 64], io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested deeper"):
        cresset.save(loop, io.BytesIO())
    with pytest.raises(AttributeError):
        cresset.save(1, 42)


def test_map_location():
    obj = {"a": cresset.arange(3.0)}
    for loc in ("cpu", cresset.device("cpu"), {"cpu": "cpu"}, {"cuda:0": "cpu"}):
        _assert_tree(_roundtrip(obj, map_location=loc), obj)
    # A callable gets each storage (its bytes) and where it was saved from, as torch's does.
    seen = []
    out = _roundtrip(obj, map_location=lambda s, loc: seen.append((s.dtype, s.shape, loc)) or s)
    assert seen == [(cresset.uint8, (12,), "cpu")]
    _assert_tree(out, obj)
    with pytest.raises(RuntimeError, match="must be restored as the 12 bytes"):
        _roundtrip(obj, map_location=lambda s, loc: s[:4])
    for loc in ("cuda", "cuda:1", {"cpu": "cuda:0"}):
        with pytest.raises(RuntimeError, match="CUDA"):
            _roundtrip(obj, map_location=loc)


@pytest.mark.skipif(cresset.cuda.is_available(), reason="checks loading without a GPU")
def test_cuda_saved_checkpoint_without_gpu():
    # Flag 4 and the device index in the high bits: a tensor saved from cuda:1. Without a GPU it
    # loads only where map_location sends it, and views of one storage still share it.
    storage = struct.pack("<4f", 1, 2, 3, 4)
    tree = (bytes([7]) + struct.pack("<Q", 2) + _tensor_record(flags=0x14, sizes=(4,)) +
            _tensor_record(flags=0x14, sizes=(2,), strides=(2,), offset=1))
    data = _craft(tree, [storage])
    with pytest.raises(RuntimeError, match=r"^\[load\] Attempting to deserialize.*cuda"):
        _load_bytes(data)
    seen = []
    for loc in ("cpu", {"cuda:1": "cpu"}, lambda s, loc: seen.append(loc) or s):
        whole, view = cresset.load(io.BytesIO(data), map_location=loc)
        assert whole.tolist() == [1.0, 2.0, 3.0, 4.0] and view.tolist() == [2.0, 4.0]
        assert whole.device.type == "cpu"
        whole[3] = 9.0
        assert view.tolist() == [2.0, 9.0]  # one storage
    assert seen == ["cuda:1"]


def _checkpoint_bytes():
    base = cresset.arange(12.0).reshape(3, 4)
    obj = collections.OrderedDict([("w", base), ("t", base.t()), ("b", cresset.ones(2,
                                   dtype=cresset.int64)), ("meta", {"n": [1, 2.5, "x", None]})])
    buf = io.BytesIO()
    cresset.save(obj, buf)
    return obj, buf.getvalue()


def _load_bytes(data):
    return cresset.load(io.BytesIO(data))


def test_every_truncation_is_rejected():
    obj, data = _checkpoint_bytes()
    _assert_tree(_load_bytes(data), obj)
    for n in range(len(data)):
        with pytest.raises(RuntimeError, match=r"truncated or corrupted|unrecognized|bad magic"):
            _load_bytes(data[:n])


def test_bit_flips_are_rejected_or_harmless():
    obj, data = _checkpoint_bytes()
    rng = random.Random(0)
    for _ in range(600):
        bad = bytearray(data)
        pos = rng.randrange(len(bad))
        bad[pos] ^= 1 << rng.randrange(8)
        try:
            loaded = _load_bytes(bytes(bad))
        except RuntimeError as e:
            assert "[load]" in str(e)
        else:
            _assert_tree(loaded, obj)


def _refresh_checksum(data):
    data = bytes(data)
    return data[:-8] + struct.pack("<Q", _C._io.hash64(data[:-8]))


def test_hostile_files_with_valid_checksums_never_crash():
    _, data = _checkpoint_bytes()
    structure_end = 64 + struct.unpack_from("<Q", data, 32)[0]
    rng = random.Random(1)
    outcomes = collections.Counter()
    for _ in range(3000):
        bad = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            pos = rng.randrange(8, structure_end)
            bad[pos] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        try:
            _load_bytes(_refresh_checksum(bad))
            outcomes["loaded"] += 1
        except (RuntimeError, ValueError) as e:
            assert "[load]" in str(e)
            outcomes["rejected"] += 1
    assert outcomes["rejected"] > 0


def _craft(tree, storages=()):
    """A well-formed checkpoint (valid checksum) around a hand-written value tree and storages
    given as byte strings."""
    count = len(storages)
    data_offset = (64 + 16 * count + len(tree) + 63) // 64 * 64
    table, blobs, offset = b"", [], data_offset
    for blob in storages:
        table += struct.pack("<QQ", offset, len(blob))
        blobs.append((offset, blob))
        offset = (offset + len(blob) + 63) // 64 * 64
    end = max([off + len(b) for off, b in blobs] + [data_offset])
    body = bytearray(end)
    for off, blob in blobs:
        body[off:off + len(blob)] = blob
    header = b"\x89CRESSET" + struct.pack("<IIQQQQQQ", 1, 64, end + 8, 64, 16 * count + len(tree),
                                          data_offset, count, 0)
    body[:64 + 16 * count + len(tree)] = header + table + tree
    return _refresh_checksum(bytes(body) + b"\0" * 8)


def _tensor_record(dtype=8, flags=0, sizes=(2,), strides=(1,), offset=0, index=0):
    return (bytes([11, dtype, flags, len(sizes)]) + struct.pack(f"<{len(sizes)}q", *sizes) +
            struct.pack(f"<{len(strides)}q", *strides) + struct.pack("<qQ", offset, index))


def test_crafted_files_fail_with_clear_errors():
    ok = _craft(_tensor_record(), [b"\0" * 8])
    assert _load_bytes(ok).tolist() == [0.0, 0.0]
    cases = {
        "container of": bytes([7]) + struct.pack("<Q", 2 ** 62),
        "string of": bytes([5]) + struct.pack("<Q", 2 ** 63),
        "unknown value tag": bytes([99]),
        "dict key": bytes([9]) + struct.pack("<Q", 1) + bytes([0, 0]),
        "nesting deeper": bytes([7]) + struct.pack("<Q", 1) * 1 + (bytes([7]) +
                                                                   struct.pack("<Q", 1)) * 600,
        "unexpected bytes": bytes([0, 0]),
        "runs past": bytes([3, 1, 2]),
    }
    for what, tree in cases.items():
        with pytest.raises(RuntimeError, match=f"{what}.*at byte [0-9]+"):
            _load_bytes(_craft(tree))
    tensor_cases = {
        "does not fit": {"sizes": (3,)},
        "does not fit its storage of 8": {"sizes": (2, 2 ** 62), "strides": (2 ** 62, 1)},
        "does not fit its storage of 8 ": {"sizes": (1,), "offset": -1},
        "storage index": {"index": 1},
        "unknown dtype": {"dtype": 10},
        "cannot require grad": {"dtype": 5, "flags": 1},
        "unknown tensor flags": {"flags": 8},
        "unknown tensor flags ": {"flags": 0x10},  # a device index without the CUDA flag
    }
    for what, kw in tensor_cases.items():
        with pytest.raises(RuntimeError, match=f"{what.strip()}.*at byte [0-9]+"):
            _load_bytes(_craft(_tensor_record(**kw), [b"\0" * 8]))
    bad_version = bytearray(ok)
    bad_version[8] = 2
    with pytest.raises(RuntimeError, match="unsupported checkpoint format version 2"):
        _load_bytes(_refresh_checksum(bad_version))
    with pytest.raises(RuntimeError, match="unrecognized file format"):
        _load_bytes(b"hello world")
    with pytest.raises(RuntimeError, match="unrecognized file format"):
        _load_bytes(b"")


# ---------------------------------------------------------------------------------------------
# torch .pt files


def _torch_file(obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(16, 2)


def test_torch_state_dict(tmp_path):
    torch.manual_seed(0)
    sd = _Net().state_dict()
    torch.save(sd, tmp_path / "net.pt")
    loaded = cresset.load(str(tmp_path / "net.pt"))
    assert isinstance(loaded, collections.OrderedDict)
    _assert_tree(loaded, sd)
    assert loaded["bn.num_batches_tracked"].dtype == cresset.int64


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_torch_dtypes_scalars_empty(name):
    obj = {"m": _sample(name), "s": _sample(name, ()), "e": _sample(name, (0, 2)),
           "nc": _sample(name, (5, 4)).t()[:, 1:]}
    _assert_tree(cresset.load(io.BytesIO(_torch_file(obj))), obj)


def test_torch_views_share_one_storage():
    base = torch.arange(20.0).reshape(4, 5)
    obj = {"base": base, "t": base.t(), "sl": base[1:, 2:], "flat": base.view(-1)[3:]}
    loaded = cresset.load(io.BytesIO(_torch_file(obj)))
    _assert_tree(loaded, obj)
    loaded["base"][1, 3] = -7.0
    assert loaded["t"][3, 1].item() == -7.0 and loaded["sl"][0, 1].item() == -7.0
    assert loaded["flat"][5].item() == -7.0


def test_torch_optimizer_state_and_nested_containers():
    torch.manual_seed(0)
    net = _Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net.fc(torch.randn(3, 16)).sum().backward()
    opt.step()
    ckpt = {"epoch": 3, "model": net.state_dict(), "optim": opt.state_dict(),
            "misc": [(1, 2.5, "x", None, True), {"size": torch.Size([2, 3]),
                                                 "dtype": torch.bfloat16, "raw": b"\x00\x01"}]}
    for protocol in (2, 4, 5):
        loaded = cresset.load(io.BytesIO(_torch_file(ckpt, pickle_protocol=protocol)))
        _assert_tree(loaded, ckpt)
    assert list(loaded["optim"]["state"].keys()) == list(ckpt["optim"]["state"].keys())


def test_torch_parameters_and_requires_grad():
    p = torch.nn.Parameter(torch.randn(3))
    obj = {"p": p, "g": torch.ones(2, requires_grad=True)}
    loaded = cresset.load(io.BytesIO(_torch_file(obj)))
    assert loaded["p"].requires_grad and loaded["g"].requires_grad
    param = serialization._parameter_type()
    if param is not None:
        assert isinstance(loaded["p"], param) and not isinstance(loaded["g"], param)
    assert loaded["p"].tolist() == p.tolist()


def test_torch_map_location():
    obj = {"a": torch.arange(4)}
    data = _torch_file(obj)
    for loc in (None, "cpu", cresset.device("cpu"), torch.device("cpu"), {"cpu": "cpu"},
                lambda s, loc: s):
        _assert_tree(cresset.load(io.BytesIO(data), map_location=loc), obj)
    with pytest.raises(RuntimeError, match="torch.cuda.is_available"):
        cresset.load(io.BytesIO(data), map_location="cuda")
    # A checkpoint saved on a GPU: its storages say "cuda:0".
    gpu = _rezip(data, {"archive/data.pkl": _member(data, "archive/data.pkl").replace(
        b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")})
    with pytest.raises(RuntimeError, match="torch.cuda.is_available"):
        cresset.load(io.BytesIO(gpu))
    _assert_tree(cresset.load(io.BytesIO(gpu), map_location="cpu"), obj)
    _assert_tree(cresset.load(io.BytesIO(gpu), map_location={"cuda:0": "cpu"}), obj)


def _member(data, name):
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def _rezip(data, replace):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_torch_hostile_pickles_are_refused():
    data = _torch_file({"a": torch.ones(2)})
    for payload, name in [(_Evil(), "system"), (collections.Counter("ab"), "collections.Counter"),
                          (print, "print")]:
        evil = _rezip(data, {"archive/data.pkl": pickle.dumps(payload, protocol=2)})
        with pytest.raises(pickle.UnpicklingError, match=f"refusing to load the global.*{name}"):
            cresset.load(io.BytesIO(evil))
    # bytearray(10**12) would allocate a terabyte: bytearray is not among the allowed globals.
    bomb = _rezip(data, {"archive/data.pkl": pickle.dumps(bytearray(3), protocol=2)})
    with pytest.raises(pickle.UnpicklingError, match="bytearray"):
        cresset.load(io.BytesIO(bomb))
    # BUILD on a class would rewrite it for the whole process: cresset.Size.__len__ = 5.
    tamper = b"\x80\x02ctorch\nSize\nN}X\x07\x00\x00\x00__len__K\x05s\x86b."
    with pytest.raises(pickle.UnpicklingError, match="refusing to set the state of a 'type'"):
        cresset.load(io.BytesIO(_rezip(data, {"archive/data.pkl": tamper})))
    assert cresset.Size.__len__ is tuple.__len__
    # A tensor whose layout reads past its storage.
    raw = _member(data, "archive/data.pkl").replace(b"K\x02\x85", b"K\x09\x85", 1)
    with pytest.raises(RuntimeError, match="reads past its storage"):
        cresset.load(io.BytesIO(_rezip(data, {"archive/data.pkl": raw})))


def test_torch_truncated_and_damaged_files():
    obj = {"w": torch.arange(6.0).reshape(2, 3), "n": [1, "x"]}
    data = _torch_file(obj)
    for n in list(range(0, len(data), 7)) + [len(data) - 1]:
        with pytest.raises(RuntimeError, match=r"\[load\]"):
            cresset.load(io.BytesIO(data[:n]))
    rng = random.Random(2)
    for _ in range(300):
        bad = bytearray(data)
        bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
        try:
            loaded = cresset.load(io.BytesIO(bytes(bad)))
        except (RuntimeError, pickle.UnpicklingError) as e:
            assert "[load]" in str(e)
        else:
            _assert_tree(loaded, obj)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load the global.*_Net"):
        cresset.load(io.BytesIO(_torch_file(_Net())))  # a whole module is pickled code
    # Damaged pickles inside a well-formed zip (so no CRC error hides them).
    pkl = _member(data, "archive/data.pkl")
    for _ in range(300):
        bad = bytearray(pkl)
        for _ in range(rng.randrange(1, 4)):
            bad[rng.randrange(len(bad))] = rng.randrange(256)
        try:
            cresset.load(io.BytesIO(_rezip(data, {"archive/data.pkl": bytes(bad)})))
        except (RuntimeError, pickle.UnpicklingError) as e:
            assert "[load]" in str(e)
    legacy = _torch_file(obj, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy"):
        cresset.load(io.BytesIO(legacy))


# ---------------------------------------------------------------------------------------------
# safetensors

def _st_sample():
    return {name: _sample(name, (2, 3), seed=i) for i, name in enumerate(DTYPE_NAMES)} | {
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 4), "z_after": torch.ones(5)}


def test_safetensors_bytes_match_the_reference():
    from safetensors.torch import load as ref_load
    from safetensors.torch import save as ref_save
    theirs = _st_sample()
    ours = {k: to_cresset(v) for k, v in theirs.items()}
    # The reference keeps metadata in a hash map (random order), so compare bytes with one key.
    for metadata in (None, {"format": "pt"}, {"ünï": "✓"}):
        data = cst.save(ours, metadata=metadata)
        assert data == ref_save(theirs, metadata=metadata)
        back = ref_load(data)
        for k in theirs:
            assert torch.equal(back[k], theirs[k])
    loaded = cst.load(ref_save(theirs))
    assert set(loaded) == set(theirs)
    for k in theirs:
        assert_same(loaded[k], theirs[k], rtol=0, atol=0)


def test_safetensors_files_and_non_contiguous(tmp_path):
    from safetensors.torch import load_file as ref_load_file
    from safetensors.torch import save_file as ref_save_file
    base = cresset.arange(12.0).reshape(3, 4)
    cst.save_file({"t": base.t(), "s": base[:, 1]}, tmp_path / "a.safetensors",
                  metadata={"k": "v"})
    ref = ref_load_file(tmp_path / "a.safetensors")
    from safetensors import safe_open
    cst.save_file({"a": base}, tmp_path / "m.safetensors", metadata={"k": "v", "ünï": "✓"})
    with safe_open(tmp_path / "m.safetensors", "pt") as f:
        assert f.metadata() == {"k": "v", "ünï": "✓"}
    assert ref["t"].tolist() == base.t().tolist() and ref["s"].tolist() == [1.0, 5.0, 9.0]
    ref_save_file({"x": torch.arange(6).reshape(2, 3), "a": torch.ones(2), "y": torch.ones(1)},
                  tmp_path / "b.safetensors")
    loaded = cst.load_file(tmp_path / "b.safetensors")
    assert list(loaded) == list(ref_load_file(tmp_path / "b.safetensors"))  # file order
    assert loaded["x"].tolist() == [[0, 1, 2], [3, 4, 5]] and loaded["x"].dtype == cresset.int64
    with pytest.raises(RuntimeError, match="CUDA"):
        cst.load_file(tmp_path / "b.safetensors", device="cuda")
    with pytest.raises(TypeError, match="not a tensor"):
        cst.save({"a": [1]})
    with pytest.raises(ValueError, match="reserved"):
        cst.save({"__metadata__": cresset.ones(1)})


def _st_file(header, data=b""):
    text = __import__("json").dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def test_safetensors_rejects_bad_headers():
    good = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    assert cst.load(_st_file(good, b"\0" * 8))["a"].tolist() == [0.0, 0.0]
    cases = [
        (_st_file(good, b"\0" * 4), "outside"),
        (_st_file({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
         "needs 12 bytes"),
        (_st_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                   "b": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}}, b"\0" * 8),
         "overlapping"),
        (_st_file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8),
         "cover 4 bytes"),
        (_st_file({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8),
         "unsupported dtype"),
        (_st_file({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}), "bad shape"),
        (_st_file({"a": {"dtype": "F32", "shape": [2]}}), "exactly"),
        (_st_file({"__metadata__": {"a": 1}}), "str to str"),
        (struct.pack("<Q", 2 ** 40) + b"{}", "limit"),
        (struct.pack("<Q", 100) + b"{}", "runs past"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
        (struct.pack("<Q", 2) + b"{x", "not valid JSON"),
        (b"\1\0", "too short"),
    ]
    for data, what in cases:
        with pytest.raises(ValueError, match=what):
            cst.load(data)
    # A valid file with a misaligned offset loads (the tensor gets its own aligned bytes).
    odd = {"b": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
           "a": {"dtype": "F32", "shape": [1], "data_offsets": [1, 5]}}
    assert cst.load(_st_file(odd, b"\7" + struct.pack("<f", 1.5)))["a"].tolist() == [1.5]


def test_safetensors_truncations_and_flips():
    data = cst.save({k: to_cresset(v) for k, v in _st_sample().items()})
    for n in range(len(data)):
        with pytest.raises(ValueError, match=r"\[safetensors\]"):
            cst.load(data[:n])
    rng = random.Random(3)
    for _ in range(300):
        bad = bytearray(data)
        bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
        try:
            cst.load(bytes(bad))
        except ValueError as e:
            assert "[safetensors]" in str(e)
