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
       "BoolTensor", "OutOfMemoryError", "get_rng_state", "get_rng_state_all", "set_rng_state",
       "set_rng_state_all", "seed", "seed_all", "initial_seed", "default_generators",
       "memory_cached", "max_memory_cached", "reset_max_memory_allocated",
       "reset_max_memory_cached"]


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


LOADED = "any('libcresset_cuda' in line for line in open('/proc/self/maps'))"


@pytest.mark.parametrize("torch_first", [False, True])
def test_cuda_backend_loads_on_first_use(torch_first):
    # Note [Lazily loaded CUDA backend]: CPU work, seeding, version queries, pinning and memory
    # queries never load libcresset_cuda.so; the first device query does, when it was built (also
    # after torch, whose libraries take much of the static TLS space).
    code = ("import torch\n" if torch_first else "") + f"""
import cresset
x = cresset.randn(3, requires_grad=True)
(x * 2 + 1).sum().backward()
cresset.manual_seed(1)
assert not x.is_pinned() and cresset.version.cuda == (cresset._C._cuda.toolkit_version() or None)
assert cresset.cuda.memory_allocated() == 0 and cresset.cuda.empty_cache() is None
assert not {LOADED} and not cresset._C._cuda.is_loaded()
n = cresset.cuda.device_count()
assert {LOADED} == cresset.backends.cuda.is_built() == cresset._C._cuda.is_loaded()
print("ok", n)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.startswith("ok"), out.stderr


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
    for query in (cresset.cuda.get_rng_state, cresset.cuda.initial_seed):
        with pytest.raises(RuntimeError, match="No CUDA GPUs are available"):
            query()
    # As in torch, seeding without a GPU does nothing and the per-GPU lists are empty.
    assert cresset.cuda.seed() is None and cresset.cuda.seed_all() is None
    assert cresset.cuda.get_rng_state_all() == [] and cresset.cuda.default_generators == ()


def test_out_of_memory_error_type():
    assert cresset.cuda.OutOfMemoryError is cresset.OutOfMemoryError
    assert issubclass(cresset.OutOfMemoryError, RuntimeError)
    assert repr(cresset.OutOfMemoryError) == "<class 'cresset.OutOfMemoryError'>"
    assert repr(torch.OutOfMemoryError) == "<class 'torch.OutOfMemoryError'>"


@pytest.mark.parametrize("name,new", [("memory_cached", "memory_reserved"),
                                      ("max_memory_cached", "max_memory_reserved")])
def test_renamed_memory_queries_warn(name, new):
    with pytest.warns(FutureWarning, match=f"renamed to torch.cuda.{new}"):
        ours = getattr(cresset.cuda, name)()
    assert ours == getattr(cresset.cuda, new)()


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
    # A Python number, or a 0-dim CPU tensor where torch takes no number.
    ours_other, other = (cresset.tensor(2.0), torch.tensor(2.0)) if op in ("maximum", "atan2") \
        else (2.0, 2.0)
    ours_t = getattr(cresset, op)(xa.cuda().t(), ours_other).cpu()
    assert_same(ours_t, getattr(torch, op)(a.t(), other), rtol=1e-5, atol=1e-6)


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
    with pytest.raises(cresset.cuda.OutOfMemoryError,
                       match="CUDA out of memory. Tried to allocate .* reserved"):
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
    assert cresset.equal(b.cpu(), a)
    cresset.manual_seed(7)
    c = cresset.empty(64, 3, device="cuda").uniform_(-1, 1)
    cresset.manual_seed(7)
    assert cresset.equal(c.cpu(), cresset.empty(64, 3).uniform_(-1, 1))
    g = cresset.Generator(device="cuda")
    assert g.device.type == "cuda"
    # The default generators' states round-trip, as torch.cuda.get_rng_state/set_rng_state.
    cresset.cuda.manual_seed(5)
    assert cresset.cuda.initial_seed() == 5
    assert cresset.cuda.default_generators[0].initial_seed() == 5
    state = cresset.cuda.get_rng_state()
    assert state.dtype == cresset.uint8 and not state.is_cuda
    first = cresset.randn(100, device="cuda")
    cresset.cuda.set_rng_state(state)
    assert cresset.equal(cresset.randn(100, device="cuda").cpu(), first.cpu())
    cresset.cuda.set_rng_state_all(cresset.cuda.get_rng_state_all())


@gpu
@pytest.mark.parametrize("n", [1, 63, 64, 1000, 100_003])
@pytest.mark.parametrize("dtype", [cresset.float32, cresset.float16, cresset.uint8, cresset.bool])
def test_device_bernoulli_matches_cpu(n, dtype):
    # Bernoulli draws are made on the device (dropout masks): the same values as on the CPU.
    cresset.manual_seed(11)
    cpu = cresset.empty(n, dtype=dtype).bernoulli_(0.3)
    cresset.manual_seed(11)
    gpu = cresset.empty(n, dtype=dtype, device="cuda").bernoulli_(0.3)
    assert gpu.is_cuda and cresset.equal(gpu.cpu(), cpu)
    if n > 1000:
        assert 0.28 < cpu.float().mean().item() < 0.32
    cresset.manual_seed(12)
    x = cresset.ones(7, n)
    on_cpu = cresset.nn.functional.dropout(x, 0.4)
    cresset.manual_seed(12)
    on_gpu = cresset.nn.functional.dropout(x.cuda(), 0.4)
    assert cresset.equal(on_gpu.cpu(), on_cpu)


@gpu
@pytest.mark.parametrize("op", ["inv", "solve", "det", "slogdet", "lu_factor", "solve_triangular"])
def test_linalg_on_cuda_through_host(op):
    # Note [Linear algebra on CUDA]: results land on the input's device; gradients flow back to
    # the CUDA input through the copies.
    g = torch.Generator().manual_seed(21)
    eye = torch.eye(4, dtype=torch.float64)
    a = torch.randn(3, 4, 4, generator=g, dtype=torch.float64) + 4 * eye
    b = torch.randn(3, 4, 2, generator=g, dtype=torch.float64)
    calls = {"inv": lambda L, a, b: L.linalg.inv(a), "solve": lambda L, a, b: L.linalg.solve(a, b),
             "det": lambda L, a, b: L.linalg.det(a),
             "slogdet": lambda L, a, b: L.linalg.slogdet(a)[1],
             "lu_factor": lambda L, a, b: L.linalg.lu_factor(a)[0],
             "solve_triangular": lambda L, a, b: L.linalg.solve_triangular(a.triu(), b, upper=True)}
    ta, tb = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
    ca, cb = _cuda_leaf(ta), _cuda_leaf(tb)
    ours, theirs = calls[op](cresset, ca, cb), calls[op](torch, ta, tb)
    assert ours.is_cuda
    assert_same(ours.detach().cpu(), theirs.detach())
    w = torch.randn(theirs.shape, generator=g, dtype=torch.float64)
    (ours * to_cresset(w).cuda()).sum().backward()
    (theirs * w).sum().backward()
    assert ca.grad.is_cuda
    assert_same(ca.grad.cpu(), ta.grad, rtol=1e-10, atol=1e-10)
    if op in ("solve", "solve_triangular"):
        assert_same(cb.grad.cpu(), tb.grad, rtol=1e-10, atol=1e-10)
    with pytest.raises(RuntimeError, match="same device"):
        cresset.linalg.solve(ca.detach(), cb.detach().cpu())


@gpu
def test_save_and_load_cuda_tensors(tmp_path):
    # Storages are written from host copies and come back to their device, once per storage.
    t, x = _pair((4, 5))
    y = x.cuda()
    obj = {"w": y, "row": y[1], "cpu": x, "n": 3}
    cresset.save(obj, tmp_path / "ckpt")
    back = cresset.load(tmp_path / "ckpt")
    assert back["w"].is_cuda and back["row"].is_cuda and not back["cpu"].is_cuda
    assert_same(back["w"].cpu(), t)
    back["w"][1, 0] = 100.0
    assert back["row"][0].item() == 100.0  # the view shares the loaded storage
    on_cpu = cresset.load(tmp_path / "ckpt", map_location="cpu")
    assert not on_cpu["w"].is_cuda and not on_cpu["row"].is_cuda
    assert_same(on_cpu["row"], t[1])
    # A torch checkpoint saved on a GPU (storages at "cuda:0") loads onto the GPU too.
    if torch.cuda.is_available():
        torch.save({"w": t.cuda()}, tmp_path / "torch.pt")
        w = cresset.load(tmp_path / "torch.pt")["w"]
        assert w.is_cuda
        assert_same(w.cpu(), t)


# ---- the ops the tutorial workloads need (matmul, softmax, losses, indexing, pooling, conv) ----
# Each CUDA result is compared with torch on the CPU (the oracle); products run with cuBLAS and
# with cresset's own GEMM kernel.

def _cuda_leaf(t):
    return to_cresset(t).cuda().requires_grad_(t.requires_grad)


@pytest.fixture(params=["cublas", "own_gemm"])
def gemm_impl(request):
    cresset._C._cuda.set_cublas_enabled(request.param == "cublas")
    yield request.param
    cresset._C._cuda.set_cublas_enabled(True)


def test_cublas_path_query():
    path = cresset._C._cuda.cublas_path()
    assert isinstance(path, str)
    if not BUILT:
        assert path == ""


@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.float16,
                                   torch.bfloat16])
def test_matmul_family_matches_cpu(gemm_impl, dtype):
    g = torch.Generator().manual_seed(11)
    a = (torch.randn(70, 33, generator=g) * 3).to(dtype)
    b = (torch.randn(33, 129, generator=g) * 3).to(dtype)
    tol = {torch.float16: 1e-2, torch.bfloat16: 5e-2}.get(dtype, 1e-5)
    xa, xb = to_cresset(a).cuda(), to_cresset(b).cuda()
    assert_same(cresset.mm(xa, xb).cpu(), torch.mm(a, b), rtol=tol, atol=tol)
    assert_same(cresset.mm(xb.t(), xa.t()).cpu(), torch.mm(b.t(), a.t()), rtol=tol, atol=tol)
    assert_same((xa[:, ::2] @ xb[::2]).cpu(), a[:, ::2] @ b[::2], rtol=tol, atol=tol)
    c = (torch.randn(70, 129, generator=g) * 3).to(dtype)
    assert_same(cresset.addmm(to_cresset(c).cuda(), xa, xb, beta=2, alpha=3).cpu(),
                torch.addmm(c, a, b, beta=2, alpha=3), rtol=tol, atol=tol * 10)
    v = (torch.randn(33, generator=g) * 3).to(dtype)
    assert_same((xa @ to_cresset(v).cuda()).cpu(), a @ v, rtol=tol, atol=tol)


def test_allow_tf32_flag():
    flags = cresset.backends.cuda.matmul
    assert flags.allow_tf32 is False and torch.backends.cuda.matmul.allow_tf32 is False
    flags.allow_tf32 = True
    try:
        assert flags.allow_tf32 is True
    finally:
        flags.allow_tf32 = False
    assert flags.allow_tf32 is False


@gpu
def test_tf32_products_only_when_allowed():
    # float32 products are exact to float32 rounding by default, and TF32 (10-bit mantissas) when
    # allowed, as torch's flag says.
    g = torch.Generator().manual_seed(13)
    a, b = torch.randn(256, 512, generator=g), torch.randn(512, 128, generator=g)
    ref = a.double() @ b.double()
    xa, xb = to_cresset(a).cuda(), to_cresset(b).cuda()

    def rel_error():
        out = torch.from_numpy((xa @ xb).cpu().numpy()).double()
        return float((out - ref).norm() / ref.norm())
    assert rel_error() < 1e-6
    cresset.backends.cuda.matmul.allow_tf32 = True
    try:
        if cresset._C._cuda.cublas_path():
            assert 1e-5 < rel_error() < 5e-3
    finally:
        cresset.backends.cuda.matmul.allow_tf32 = False
    assert rel_error() < 1e-6


@gpu
def test_batched_and_broadcast_matmul(gemm_impl):
    g = torch.Generator().manual_seed(12)
    a = torch.randn(4, 3, 17, 9, generator=g)
    b = torch.randn(3, 9, 5, generator=g)
    xa, xb = to_cresset(a).cuda(), to_cresset(b).cuda()
    assert_same((xa @ xb).cpu(), a @ b, rtol=1e-5, atol=1e-5)
    assert_same(cresset.bmm(xa[0], xb).cpu(), torch.bmm(a[0], b), rtol=1e-5, atol=1e-5)
    at = a.transpose(0, 1)  # batch dims that don't collapse into one stride
    assert_same((to_cresset(at).cuda() @ xb[:, None]).cpu(), at @ b[:, None], rtol=1e-5,
                atol=1e-5)
    out = torch.empty(5, 17).t()
    ours = cresset.empty(5, 17, device="cuda").t()
    cresset.mm(xa[0, 0], xb[0], out=ours)
    assert_same(ours.cpu(), torch.mm(a[0, 0], b[0], out=out), rtol=1e-5, atol=1e-5)
    e = torch.randn(0, 4)
    assert_same((to_cresset(e).cuda() @ xb[0, :4]).cpu(), e @ b[0, :4])
    z = torch.randn(6, 0)
    assert_same((to_cresset(z).cuda() @ to_cresset(torch.randn(0, 3)).cuda()).cpu(),
                torch.zeros(6, 3))


@gpu
def test_linear_backward_and_trace_cross(gemm_impl):
    g = torch.Generator().manual_seed(13)
    x = torch.randn(16, 30, generator=g, requires_grad=True)
    w = torch.randn(20, 30, generator=g, requires_grad=True)
    b = torch.randn(20, generator=g, requires_grad=True)
    cx, cw, cb = _cuda_leaf(x), _cuda_leaf(w), _cuda_leaf(b)
    ours = cresset.nn.functional.linear(cx, cw, cb)
    theirs = torch.nn.functional.linear(x, w, b)
    assert_same(ours.detach().cpu(), theirs.detach(), rtol=1e-5, atol=1e-5)
    ours.square().sum().backward()
    theirs.square().sum().backward()
    for o, t in [(cx, x), (cw, w), (cb, b)]:
        assert_same(o.grad.cpu(), t.grad, rtol=1e-4, atol=1e-4)
    m = torch.randn(7, 9, generator=g)
    assert_same(cresset.trace(to_cresset(m).cuda()).cpu(), torch.trace(m), rtol=1e-6, atol=1e-6)
    mi = (m * 10).long()
    assert_same(cresset.trace(to_cresset(mi).cuda()).cpu(), torch.trace(mi))
    p, q = torch.randn(4, 3, 5, generator=g), torch.randn(4, 3, 5, generator=g)
    assert_same(cresset.linalg.cross(to_cresset(p).cuda(), to_cresset(q).cuda(), dim=1).cpu(),
                torch.linalg.cross(p, q, dim=1), rtol=1e-5, atol=1e-6)


@gpu
@pytest.mark.parametrize("shape,dim", [((8, 10), 1), ((8, 1000), -1), ((4, 6, 5), 1),
                                       ((3, 4, 5), 0), ((2, 0, 3), 1)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_softmax_family_matches_cpu(shape, dim, dtype):
    g = torch.Generator().manual_seed(14)
    t = (torch.randn(*shape, generator=g) * 4).to(dtype)
    tol = 1e-2 if dtype == torch.float16 else 1e-5
    for name in ["softmax", "log_softmax"]:
        x = to_cresset(t).cuda().requires_grad_(True)
        ours = getattr(cresset.nn.functional, name)(x, dim=dim)
        ref = t.float() if dtype == torch.float16 else t.clone()  # a fresh leaf per op
        ref_dtype = getattr(cresset, str(ref.dtype)[6:])
        theirs = getattr(torch.nn.functional, name)(ref.requires_grad_(True), dim=dim)
        assert_same(ours.detach().cpu().to(ref_dtype), theirs.detach(), rtol=tol, atol=tol)
        w = torch.randn(*shape, generator=g)
        (ours * to_cresset(w).to(ours.dtype).cuda()).sum().backward()
        (theirs * w.to(ref.dtype)).sum().backward()
        assert_same(x.grad.cpu().to(ref_dtype), ref.grad, rtol=tol * 10, atol=tol * 10)
    x = to_cresset(torch.tensor([[float("-inf"), 0.0], [float("nan"), 1.0]])).cuda()
    assert_same(cresset.softmax(x, 1).cpu(),
                torch.softmax(torch.tensor([[float("-inf"), 0.0], [float("nan"), 1.0]]), 1))


@gpu
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(13, 7), (4, 5, 3, 2), (5,)])
def test_nll_and_cross_entropy_match_cpu(reduction, weighted, shape):
    g = torch.Generator().manual_seed(15)
    x = torch.randn(*shape, generator=g, requires_grad=True)
    classes = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = torch.randint(0, classes, tshape, generator=g)
    if target.dim() > 0:
        target.view(-1)[::3] = 2  # some ignored entries
    w = torch.rand(classes, generator=g) if weighted else None
    kwargs = {"reduction": reduction, "ignore_index": 2}
    cx = _cuda_leaf(x)
    ct = to_cresset(target).cuda()
    cw = to_cresset(w).cuda() if weighted else None
    F, TF = cresset.nn.functional, torch.nn.functional
    for name in ["nll_loss", "cross_entropy"]:
        cx.grad = None
        x.grad = None
        inp = cx if name == "cross_entropy" else F.log_softmax(cx, dim=0 if len(shape) == 1 else 1)
        ref = x if name == "cross_entropy" else TF.log_softmax(x, dim=0 if len(shape) == 1 else 1)
        ours = getattr(F, name)(inp, ct, weight=cw, **kwargs)
        theirs = getattr(TF, name)(ref, target, weight=w, **kwargs)
        assert_same(ours.detach().cpu(), theirs.detach(), rtol=1e-5, atol=1e-6)
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(cx.grad.cpu(), x.grad, rtol=1e-5, atol=1e-6)


@gpu
def test_nll_loss_target_out_of_bounds():
    x = cresset.randn(4, 3, device="cuda")
    t = cresset.tensor([0, 1, 5, 2], device="cuda")
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        cresset.nn.functional.nll_loss(x, t)
    # the device still works after the reported error
    assert cresset.equal(x.cpu() * 2, (x * 2).cpu())


@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.float16, torch.bool])
def test_gather_scatter_index_family(dtype):
    g = torch.Generator().manual_seed(16)
    src = (torch.randn(6, 8, generator=g) * 5).to(dtype)
    idx = torch.randint(0, 6, (4, 8), generator=g)
    sel = torch.tensor([5, 0, 3, 3])
    cs, ci, csel = to_cresset(src).cuda(), to_cresset(idx).cuda(), to_cresset(sel).cuda()
    assert_same(cresset.index_select(cs, 0, csel).cpu(), torch.index_select(src, 0, sel))
    assert_same(cresset.index_select(cs.t(), 1, csel).cpu(), torch.index_select(src.t(), 1, sel))
    assert_same(cresset.gather(cs, 0, ci).cpu(), torch.gather(src, 0, idx))
    assert_same(cs[csel, 1:5].cpu(), src[sel, 1:5])
    assert_same(cs[csel, csel + 1].cpu(), src[sel, sel + 1])
    assert_same(cs[csel].cpu(), src[sel])
    assert_same(cs[to_cresset(sel)].cpu(), src[sel])  # a CPU index moves to the device
    base = torch.zeros(6, 8, dtype=dtype)
    upd = (torch.randn(4, 8, generator=g) * 5).to(dtype)
    cb, cu = to_cresset(base).cuda(), to_cresset(upd).cuda()
    distinct = torch.argsort(torch.rand(6, 8, generator=g), dim=0)[:4]  # no duplicates per column
    assert_same(cresset.scatter(cb, 0, to_cresset(distinct).cuda(), cu).cpu(),
                torch.scatter(base, 0, distinct, upd))
    if dtype != torch.bool:
        assert_same(cresset.scatter_add(cb, 0, ci, cu).cpu(), torch.scatter_add(base, 0, idx, upd),
                    rtol=1e-3, atol=1e-3)
        assert_same(cresset.index_add(cb, 0, csel, cu, alpha=2).cpu(),
                    torch.index_add(base, 0, sel, upd, alpha=2), rtol=1e-3, atol=1e-3)
        acc = cb.clone()
        acc.index_put_((csel,), cu, accumulate=True)
        exp = base.clone()
        exp.index_put_((sel,), upd, accumulate=True)
        assert_same(acc.cpu(), exp, rtol=1e-3, atol=1e-3)
        for reduce in ["amax", "amin", "prod", "mean"]:
            assert_same(cresset.scatter_reduce(cb, 0, ci, cu, reduce).cpu(),
                        torch.scatter_reduce(base, 0, idx, upd, reduce), rtol=1e-3, atol=1e-3)
    put = cb.clone()
    put[csel[:2], 3] = cu[:2, 0]
    exp = base.clone()
    exp[sel[:2], 3] = upd[:2, 0]
    assert_same(put.cpu(), exp)
    mask = to_cresset(src > 0 if dtype != torch.bool else src).cuda()
    assert_same(cs.masked_fill(mask, 1).cpu(),
                src.masked_fill(src > 0 if dtype != torch.bool else src, 1))


@gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.float16, torch.bool])
@pytest.mark.parametrize("shape", [(7, 9), (300, 41), (2, 3, 4, 5), ()])
def test_masked_select_nonzero_searchsorted(dtype, shape):
    g = torch.Generator().manual_seed(20)
    src = (torch.randn(shape, generator=g) * 2).round().to(dtype)
    mask = torch.rand(shape, generator=g) > 0.6
    cs, cm = to_cresset(src).cuda(), to_cresset(mask).cuda()
    assert_same(cresset.masked_select(cs, cm).cpu(), torch.masked_select(src, mask))
    assert_same(cs[cm].cpu(), src[mask])
    assert_same(cresset.nonzero(cs).cpu(), torch.nonzero(src))
    if src.dim() >= 2:
        assert_same(cresset.nonzero(cs.transpose(0, 1)).cpu(), torch.nonzero(src.transpose(0, 1)))
        assert_same(cresset.masked_select(cs.transpose(0, 1), cm.transpose(0, 1)).cpu(),
                    torch.masked_select(src.transpose(0, 1), mask.transpose(0, 1)))
    source = (torch.randn(max(int(mask.sum()), 1) + 3, generator=g) * 2).round().to(dtype)
    ours = cs.clone().masked_scatter_(cm, to_cresset(source).cuda())
    assert_same(ours.cpu(), src.clone().masked_scatter_(mask, source))
    if dtype != torch.bool:
        seq = torch.sort(torch.randn(5, 16, generator=g) * 4).values.round().to(dtype)
        vals = (torch.randn(5, 7, generator=g) * 4).round().to(dtype)
        for right in [False, True]:
            assert_same(cresset.searchsorted(to_cresset(seq).cuda(), to_cresset(vals).cuda(),
                                             right=right).cpu(),
                        torch.searchsorted(seq, vals, right=right))


@gpu
def test_index_errors_on_cuda():
    x = cresset.arange(10.0, device="cuda")
    t = torch.arange(10.0)
    assert_raises_like(IndexError, lambda: x[cresset.tensor([1, 10], device="cuda")],
                       lambda: t[torch.tensor([1, 10])])
    assert_raises_like(IndexError,
                       lambda: cresset.index_select(x, 0, cresset.tensor([-1], device="cuda")),
                       lambda: torch.index_select(t, 0, torch.tensor([-1])))
    assert_raises_like(RuntimeError,
                       lambda: cresset.gather(x, 0, cresset.tensor([3, 11], device="cuda")),
                       lambda: torch.gather(t, 0, torch.tensor([3, 11])))
    assert_same(x[cresset.tensor([-1, 2], device="cuda")].cpu(), t[torch.tensor([-1, 2])])


@gpu
@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                                    {"kernel_size": (2, 3), "stride": 1, "dilation": 2},
                                    {"kernel_size": 3, "ceil_mode": True}])
def test_pooling_matches_cpu(kwargs):
    g = torch.Generator().manual_seed(17)
    x = torch.randn(3, 4, 11, 10, generator=g, requires_grad=True)
    cx = _cuda_leaf(x)
    ours, oi = cresset.nn.functional.max_pool2d(cx, return_indices=True, **kwargs)
    theirs, ti = torch.nn.functional.max_pool2d(x, return_indices=True, **kwargs)
    assert_same(ours.detach().cpu(), theirs.detach())
    assert_same(oi.cpu(), ti)
    w = torch.randn(theirs.shape, generator=g)
    (ours * to_cresset(w).cuda()).sum().backward()
    (theirs * w).sum().backward()
    assert_same(cx.grad.cpu(), x.grad, rtol=1e-6, atol=1e-6)
    avg = {k: v for k, v in kwargs.items() if k != "dilation"}
    cx.grad, x.grad = None, None
    ours = cresset.nn.functional.avg_pool2d(cx, **avg)
    theirs = torch.nn.functional.avg_pool2d(x, **avg)
    assert_same(ours.detach().cpu(), theirs.detach(), rtol=1e-5, atol=1e-6)
    ours.sum().backward()
    theirs.sum().backward()
    assert_same(cx.grad.cpu(), x.grad, rtol=1e-5, atol=1e-6)
    assert_same(cresset.nn.functional.adaptive_avg_pool2d(cx, (3, 2)).detach().cpu(),
                torch.nn.functional.adaptive_avg_pool2d(x, (3, 2)).detach(), rtol=1e-5, atol=1e-6)


@gpu
@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1},
                                    {"padding": 2, "dilation": 2, "groups": 2},
                                    {"stride": (1, 2), "padding": (0, 1)}])
def test_conv2d_matches_cpu(gemm_impl, kwargs):
    g = torch.Generator().manual_seed(18)
    x = torch.randn(3, 4, 9, 8, generator=g, requires_grad=True)
    w = torch.randn(6, 4 // kwargs.get("groups", 1), 3, 3, generator=g, requires_grad=True)
    b = torch.randn(6, generator=g, requires_grad=True)
    cx, cw, cb = _cuda_leaf(x), _cuda_leaf(w), _cuda_leaf(b)
    ours = cresset.nn.functional.conv2d(cx, cw, cb, **kwargs)
    theirs = torch.nn.functional.conv2d(x, w, b, **kwargs)
    assert_same(ours.detach().cpu(), theirs.detach(), rtol=1e-4, atol=1e-4)
    r = torch.randn(theirs.shape, generator=g)
    (ours * to_cresset(r).cuda()).sum().backward()
    (theirs * r).sum().backward()
    for o, t in [(cx, x), (cw, w), (cb, b)]:
        assert_same(o.grad.cpu(), t.grad, rtol=1e-4, atol=1e-4)
    wt = torch.randn(4, 3, 3, 3, generator=g)
    assert_same(cresset.nn.functional.conv_transpose2d(cx.detach(), to_cresset(wt).cuda(),
                                                       stride=2).cpu(),
                torch.nn.functional.conv_transpose2d(x.detach(), wt, stride=2), rtol=1e-4,
                atol=1e-4)
    xd = x.detach().double()
    wd = w.detach().double()
    assert_same(cresset.nn.functional.conv2d(to_cresset(xd).cuda(), to_cresset(wd).cuda(),
                                             **kwargs).cpu(),
                torch.nn.functional.conv2d(xd, wd, **kwargs), rtol=1e-10, atol=1e-10)


@gpu
@pytest.mark.parametrize("opt", ["SGD", "Adam", "Adadelta"])
def test_mnist_cnn_training_steps_match_cpu(opt):
    """Three training steps of the tutorial's CNN (conv, relu, max_pool2d, linear, log_softmax,
    nll_loss, an optimizer) on CUDA and on the CPU from the same weights."""
    def make(lib):
        nn = lib.nn
        lib.manual_seed(0)
        return nn.Sequential(nn.Conv2d(1, 8, 3, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 1), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 12 * 12, 32), nn.ReLU(),
                             nn.Linear(32, 10), nn.LogSoftmax(dim=1))

    cpu_model, gpu_model = make(cresset), make(cresset)
    gpu_model.load_state_dict(cpu_model.state_dict())
    gpu_model.cuda()
    opts = [getattr(cresset.optim, opt)(m.parameters(), lr=0.05 if opt == "SGD" else 1e-3)
            for m in (cpu_model, gpu_model)]
    g = torch.Generator().manual_seed(19)
    for _ in range(3):
        data = to_cresset(torch.randn(16, 1, 28, 28, generator=g))
        target = to_cresset(torch.randint(0, 10, (16,), generator=g))
        losses = []
        for model, optimizer, dev in [(cpu_model, opts[0], "cpu"), (gpu_model, opts[1], "cuda")]:
            optimizer.zero_grad()
            loss = cresset.nn.functional.nll_loss(model(data.to(dev)), target.to(dev))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert abs(losses[0] - losses[1]) < 1e-4
    for (name, p), q in zip(cpu_model.named_parameters(), gpu_model.parameters()):
        assert q.is_cuda
        np_p, np_q = p.detach(), q.detach().cpu()
        assert float((np_p - np_q).abs().max()) < 1e-4, name
