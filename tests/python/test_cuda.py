"""cresset.cuda and CUDA tensors.

The first part runs everywhere: API presence, no device without a GPU, and torch's errors when
CUDA is missing (torch here is a CPU build, so it is the oracle for a build without CUDA). The
GPU part compares CUDA results with the CPU and, when torch has CUDA too, with torch on the GPU;
it skips, saying so, on machines without a GPU.
"""
import subprocess
import sys

import pytest
import torch

import cresset
from utils import assert_raises_like, assert_same, to_cresset

BUILT = cresset.backends.cuda.is_built()
HAS_GPU = cresset.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_GPU, reason="no CUDA GPU on this machine (or built without CUDA)")
no_gpu = pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
not_built = pytest.mark.skipif(BUILT, reason="checks a build without CUDA (torch CPU is the oracle)")

API = ["is_available", "device_count", "current_device", "set_device", "device",
       "get_device_name", "get_device_properties", "get_device_capability", "synchronize",
       "manual_seed", "manual_seed_all", "Stream", "Event", "current_stream", "stream",
       "memory_allocated", "max_memory_allocated", "memory_reserved", "reset_peak_memory_stats",
       "empty_cache", "memory_summary", "FloatTensor", "DoubleTensor", "HalfTensor",
       "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
       "BoolTensor"]


@pytest.mark.parametrize("name", API)
def test_api_present(name):
    assert hasattr(torch.cuda, name)
    assert hasattr(cresset.cuda, name)


def test_import_does_not_initialize_cuda():
    code = ("import cresset, sys; import cresset.cuda; "
            "assert not cresset.cuda.is_initialized(); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.strip() == "ok", out.stderr


def test_build_flags():
    assert isinstance(BUILT, bool)
    assert (cresset.version.cuda is None) == (not BUILT)
    if BUILT:
        assert cresset.version.cuda.split(".")[0].isdigit()
    assert cresset.backends.cuda.matmul.allow_tf32 is False


@no_gpu
def test_no_device():
    assert cresset.cuda.is_available() is False
    assert cresset.cuda.device_count() == 0
    assert cresset.cuda.get_arch_list() == []
    assert cresset.cuda.is_bf16_supported() is False


@no_gpu
def test_memory_queries_without_gpu():
    for name in ["memory_allocated", "max_memory_allocated", "memory_reserved"]:
        assert getattr(cresset.cuda, name)() == getattr(torch.cuda, name)() == 0
    assert cresset.cuda.empty_cache() is None
    assert cresset.cuda.memory_stats() == {}
    cresset.manual_seed(3)
    assert cresset.cuda.manual_seed(5) is None and torch.cuda.manual_seed(5) is None
    assert cresset.cuda.manual_seed_all(5) is None
    assert cresset.initial_seed() == 3


def test_cpu_tensor_device_queries():
    x = cresset.zeros(2)
    assert x.is_cuda is False
    assert x.get_device() == torch.zeros(2).get_device() == -1
    assert x.is_pinned() is False
    assert isinstance(x, cresset.FloatTensor)
    assert not isinstance(x, cresset.cuda.FloatTensor)
    assert repr(cresset.cuda.FloatTensor) == "<class 'torch.cuda.FloatTensor'>"


def test_device_objects():
    for args in [("cuda",), ("cuda:1",), ("cuda", 1)]:
        assert str(cresset.device(*args)) == str(torch.device(*args))
        assert cresset.device(*args).type == "cuda"


@not_built
@pytest.mark.parametrize("make", [
    lambda m: m.zeros(1).cuda(),
    lambda m: m.zeros(1).to("cuda"),
    lambda m: m.zeros(1, device="cuda"),
    lambda m: m.ones(2, 3).to("cuda", m.float64),
    lambda m: m.cuda.current_device(),
    lambda m: m.cuda.synchronize(),
    lambda m: m.cuda.get_device_name(),
    lambda m: m.cuda.get_device_properties(0),
    lambda m: m.cuda.get_device_capability(),
    lambda m: m.cuda.current_stream(),
    lambda m: m.cuda.default_stream(),
    lambda m: m.cuda.init(),
])
def test_not_compiled_assertion(make):
    assert_raises_like(AssertionError, lambda: make(cresset), lambda: make(torch))
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        make(cresset)


@not_built
def test_not_compiled_other_errors():
    assert_raises_like(RuntimeError, lambda: cresset.cuda.Stream(), lambda: torch.cuda.Stream())
    assert_raises_like(RuntimeError, lambda: cresset.cuda.Event(enable_timing=True),
                       lambda: torch.cuda.Event(enable_timing=True))
    assert_raises_like(TypeError, lambda: cresset.cuda.FloatTensor(2),
                       lambda: torch.cuda.FloatTensor(2))
    assert_raises_like(RuntimeError, lambda: cresset.zeros(2).pin_memory(),
                       lambda: torch.zeros(2).pin_memory())


@no_gpu
def test_context_managers_without_gpu():
    with cresset.cuda.device(None):
        pass
    with cresset.cuda.stream(None):
        pass
    assert cresset.zeros(1).cpu().device.type == "cpu"


@pytest.mark.skipif(not BUILT or HAS_GPU, reason="checks a CUDA build on a machine without GPU")
def test_built_without_gpu_errors():
    with pytest.raises(RuntimeError, match="No CUDA GPUs are available"):
        cresset.zeros(1).cuda()
    with pytest.raises(RuntimeError, match="No CUDA GPUs are available"):
        cresset.cuda.current_device()


# ---- on a GPU ----
def _pair(shape, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.randn(*shape, generator=g).to(dtype)
    return t, to_cresset(t)


@gpu
def test_device_queries():
    n = cresset.cuda.device_count()
    assert n >= 1
    assert 0 <= cresset.cuda.current_device() < n
    p = cresset.cuda.get_device_properties(0)
    assert p.total_memory > 0 and p.multi_processor_count > 0
    assert cresset.cuda.get_device_name(0) == p.name
    assert cresset.cuda.get_device_capability(0) == (p.major, p.minor)
    if torch.cuda.is_available():
        assert cresset.cuda.get_device_name(0) == torch.cuda.get_device_name(0)
        assert cresset.cuda.get_device_capability(0) == torch.cuda.get_device_capability(0)


@gpu
def test_round_trip_and_device_attrs():
    t, x = _pair((3, 4))
    y = x.cuda()
    assert y.is_cuda and y.device == cresset.device("cuda", 0) and y.get_device() == 0
    assert str(y.device) == "cuda:0"
    assert_same(y.cpu(), t)
    assert_same(x.to("cuda").to("cpu", cresset.float64), t.double())
    z = cresset.ones_like(y, device=y.device)
    assert z.is_cuda
    assert_same(z.cpu(), torch.ones(3, 4))


@gpu
def test_invalid_ordinal():
    n = cresset.cuda.device_count()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        cresset.zeros(1).cuda(n)


@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                   torch.int64, torch.int32, torch.uint8, torch.bool])
def test_strided_copies_and_casts(dtype):
    t, _ = _pair((5, 6, 7))
    t = (t * 10).to(dtype)
    x = to_cresset(t)
    y = x.cuda()
    assert_same(y.transpose(0, 2).cpu(), t.transpose(0, 2))
    assert_same(y.transpose(0, 2).contiguous().cpu(), t.transpose(0, 2).contiguous())
    assert_same(y[:, ::2].float().cpu(), t[:, ::2].float())
    assert_same(x.transpose(0, 1).cuda().cpu(), t.transpose(0, 1))
    assert_same(x.cuda().to(cresset.float16).cpu(), t.to(torch.float16))
    assert_same(x[1].expand(4, 6, 7).cuda().cpu(), t[1].expand(4, 6, 7))


@gpu
@pytest.mark.parametrize("op", ["add", "mul", "sub", "div", "maximum", "atan2", "pow", "eq", "lt"])
def test_binary_matches_cpu(op):
    a, xa = _pair((64, 33), seed=1)
    b, xb = _pair((33,), seed=2)
    expected = getattr(torch, op)(a, b)
    ours = getattr(cresset, op)(xa.cuda(), xb.cuda()).cpu()
    assert_same(ours, expected, rtol=1e-5, atol=1e-6)
    ours_t = getattr(cresset, op)(xa.cuda().t(), 2.0).cpu()
    assert_same(ours_t, getattr(torch, op)(a.t(), 2.0), rtol=1e-5, atol=1e-6)


@gpu
@pytest.mark.parametrize("op", ["exp", "log", "sin", "tanh", "sigmoid", "sqrt", "abs", "neg",
                                "erf", "floor", "relu", "isnan"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_unary_matches_cpu(op, dtype):
    a, _ = _pair((1000,), seed=3)
    a = a.abs().to(dtype) if op in ("log", "sqrt") else a.to(dtype)
    ours = getattr(cresset, op)(to_cresset(a).cuda()).cpu()
    expected = getattr(torch, op)(a)
    tol = 1e-5 if dtype == torch.float32 else 1e-2
    assert_same(ours, expected, rtol=tol, atol=tol)
    if torch.cuda.is_available():
        assert_same(ours, getattr(torch, op)(a.cuda()).cpu(), rtol=tol, atol=tol)


@gpu
def test_fill_and_factories():
    for dtype in [cresset.float32, cresset.int64, cresset.float16, cresset.bool, cresset.uint8]:
        y = cresset.full((3, 5), 7, dtype=dtype, device="cuda")
        assert_same(y.cpu(), torch.full((3, 5), 7, dtype=getattr(torch, str(dtype)[6:])))
    z = cresset.zeros(4, 4, device="cuda")
    z[:, 1].fill_(2.5)
    expected = torch.zeros(4, 4)
    expected[:, 1] = 2.5
    assert_same(z.cpu(), expected)


@gpu
def test_cpu_scalar_joins_cuda_op():
    t, x = _pair((8,))
    ours = (x.cuda() * cresset.tensor(3.0)).cpu()
    assert_same(ours, t * torch.tensor(3.0))


@gpu
def test_mixed_devices_error():
    with pytest.raises(RuntimeError, match="cuda:0 and cpu|cpu and cuda:0"):
        cresset.zeros(3).cuda() + cresset.zeros(3)


@gpu
def test_caching_allocator_stats():
    cresset.cuda.synchronize()
    cresset.cuda.empty_cache()
    base = cresset.cuda.memory_allocated()
    x = cresset.empty(1 << 20, device="cuda")  # 4 MiB
    assert cresset.cuda.memory_allocated() == base + (4 << 20)
    assert cresset.cuda.memory_reserved() >= cresset.cuda.memory_allocated()
    peak = cresset.cuda.max_memory_allocated()
    assert peak >= base + (4 << 20)
    del x
    assert cresset.cuda.memory_allocated() == base
    assert cresset.cuda.memory_reserved() > 0  # cached, not freed
    cresset.cuda.reset_peak_memory_stats()
    assert cresset.cuda.max_memory_allocated() == base
    cresset.cuda.empty_cache()
    assert "Allocated memory" in cresset.cuda.memory_summary()


@gpu
def test_oom_message():
    total = cresset.cuda.get_device_properties(0).total_memory
    with pytest.raises(RuntimeError, match="CUDA out of memory. Tried to allocate .* reserved"):
        cresset.empty(2 * total, dtype=cresset.uint8, device="cuda")


@gpu
def test_streams_and_events():
    s = cresset.cuda.Stream()
    assert s != cresset.cuda.current_stream()
    start = cresset.cuda.Event(enable_timing=True)
    end = cresset.cuda.Event(enable_timing=True)
    with cresset.cuda.stream(s):
        assert cresset.cuda.current_stream() == s
        start.record()
        y = cresset.ones(1 << 20, device="cuda") * 2
        end.record()
    assert cresset.cuda.current_stream() == cresset.cuda.default_stream()
    end.synchronize()
    assert start.elapsed_time(end) >= 0
    s.synchronize()
    assert s.query()
    assert_same(y[:4].cpu(), torch.full((4,), 2.0))


@gpu
def test_pinned_memory():
    t, x = _pair((16, 3))
    p = x.pin_memory()
    assert p.is_pinned() and not x.is_pinned()
    assert_same(p, t)
    assert_same(p.cuda(non_blocking=True).cpu(), t)


@gpu
def test_legacy_cuda_types():
    y = cresset.randn(10, 20).type(cresset.cuda.FloatTensor)
    assert y.is_cuda and isinstance(y, cresset.cuda.FloatTensor)
    assert y.type() == "torch.cuda.FloatTensor"
    assert cresset.cuda.LongTensor([1, 2]).is_cuda


@gpu
@pytest.mark.parametrize("op,kwargs", [
    ("sum", {}), ("sum", {"dim": 1}), ("mean", {"dim": (0, 2)}), ("amax", {"dim": 2}),
    ("amin", {"dim": 0}), ("argmax", {"dim": 1}), ("argmin", {}), ("prod", {"dim": 2}),
    ("var", {"dim": 1}), ("std", {"dim": 0, "correction": 0}), ("logsumexp", {"dim": 1}),
    ("nansum", {"dim": 2}), ("norm", {}), ("max", {"dim": 1}),
])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_reductions_match_cpu(op, kwargs, layout):
    t, _ = _pair((6, 70, 9), seed=4)
    if layout == "transposed":
        t = t.transpose(0, 2)
    x = to_cresset(t).cuda()
    ours = getattr(cresset, op)(x, **kwargs)
    theirs = getattr(torch, op)(t, **kwargs)
    if op == "max":
        assert_same(ours.values.cpu(), theirs.values, rtol=1e-5, atol=1e-5)
        assert_same(ours.indices.cpu(), theirs.indices)
    else:
        assert_same(ours.cpu(), theirs, rtol=1e-5, atol=1e-5)


@gpu
@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.float16, torch.uint8])
def test_reductions_other_dtypes(dtype):
    t = (torch.arange(60).reshape(3, 20) % 7).to(dtype)
    x = to_cresset(t).cuda()
    assert_same(cresset.sum(x, 1).cpu(), torch.sum(t, 1))
    assert_same(x.any(0).cpu(), t.any(0))
    assert_same(x.all().cpu(), t.all())
    if dtype != torch.bool:
        assert_same(x.amax(1).cpu(), t.amax(1))


@gpu
def test_random_matches_cpu_under_seed():
    cresset.manual_seed(7)
    a = cresset.randn(1000)
    cresset.cuda.manual_seed(7)
    b = cresset.randn(1000, device="cuda")
    assert b.is_cuda
    assert_same(b.cpu(), a)
    cresset.manual_seed(7)
    c = cresset.empty(64, 3, device="cuda").uniform_(-1, 1)
    cresset.manual_seed(7)
    assert_same(c.cpu(), cresset.empty(64, 3).uniform_(-1, 1))
    g = cresset.Generator(device="cuda")
    assert g.device.type == "cuda"
