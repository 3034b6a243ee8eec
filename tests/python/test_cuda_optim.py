"""cresset.optim on CUDA params: the fused updates run on the device (backend/cuda/optim.cu) with
the CPU's rules, so a few steps on CUDA equal the same steps on the CPU bit for bit and match torch
on the CPU (the oracle) to its float32 tolerance. Also: where each state tensor lives (as torch
keeps it), state_dict round trips, long param lists (several launches), 16-bit params, and that
a step does not wait for the GPU (nothing goes through the host).
"""
import copy
import io

import pytest
import torch
from test_optim import CONFIGS as CPU_CONFIGS
from utils import to_cresset

import cresset

HAS_GPU = cresset.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_GPU, reason="no CUDA GPU on this machine (or built without CUDA)")

# The CPU test's configurations, plus the foreach flag (the same fused kernel) and an ASGD whose
# averaging starts within the few steps run here.
CONFIGS = CPU_CONFIGS + [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.02,
             "foreach": True}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "maximize": True, "foreach": True}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.2, "foreach": False}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 2, "weight_decay": 0.01}),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]

# Contiguous, a vector, a 0-dim param, an empty one, a transposed (dense, not contiguous) one and
# one of several CUDA work chunks with a ragged end.
SHAPES = [(8, 5), (7,), (), (0, 3), (6, 4), (3 * 4096 + 17,)]
TRANSPOSED = 4

# float32 against torch: the arithmetic is torch's, in its order; 1e-6 relative is what the CPU
# tests hold too (test_optim.py), leave a little for ties in the last bit.
TORCH_TOL = {torch.float32: 2e-6, torch.float64: 1e-12}
# States: centered RMSprop's momentum buffer divides by sqrt(square_avg - grad_avg**2), which
# amplifies a last-bit difference from torch (the CPU path has the same, bit for bit) to ~1e-5.
STATE_TOL = {torch.float32: 2e-5, torch.float64: 1e-12}


def _params(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    ps = [torch.randn(s, generator=g, dtype=torch.float64).to(dtype) for s in SHAPES]
    ps[TRANSPOSED] = ps[TRANSPOSED].t().contiguous().t()
    return ps


def _grads(dtype, step):
    g = torch.Generator().manual_seed(1000 + step)
    return [torch.randn(s, generator=g, dtype=torch.float64).to(dtype) for s in SHAPES]


def _cresset_params(ps, device):
    out = []
    for p in ps:
        c = to_cresset(p).to(device)
        if p.dim() == 2 and not p.is_contiguous():  # keep the transposed layout on the device
            c = to_cresset(p.t().contiguous()).to(device).t()
        out.append(c.requires_grad_())
    return out


def _train(name, kwargs, dtype=torch.float32, steps=5):
    """The same steps, with the same gradients, for torch on the CPU and cresset on the CPU and
    on CUDA. Returns (torch params, cresset CPU params, cresset CUDA params, the 3 optimizers)."""
    theirs = [p.clone().requires_grad_() for p in _params(dtype)]
    cpu = _cresset_params(_params(dtype), "cpu")
    cuda = _cresset_params(_params(dtype), "cuda")
    assert not cuda[TRANSPOSED].is_contiguous() and cuda[TRANSPOSED].is_cuda
    opt_t = getattr(torch.optim, name)(theirs, **kwargs)
    opt_cpu = getattr(cresset.optim, name)(cpu, **kwargs)
    opt_cuda = getattr(cresset.optim, name)(cuda, **kwargs)
    for step in range(steps):
        grads = _grads(dtype, step)
        for p, g in zip(theirs, grads):
            p.grad = g.clone()
        for p, g in zip(cpu, grads):
            p.grad = to_cresset(g)
        for p, g in zip(cuda, grads):
            p.grad = to_cresset(g).cuda()
        opt_t.step()
        opt_cpu.step()
        opt_cuda.step()
    return theirs, cpu, cuda, (opt_t, opt_cpu, opt_cuda)


def _torch(t):
    """A cresset tensor (any device) as a torch CPU tensor of the same dtype and values."""
    t = t.detach().cpu()
    if t.dtype in (cresset.float16, cresset.bfloat16):
        return torch.from_numpy(t.float().numpy().copy()).to(getattr(torch, str(t.dtype)[6:]))
    return torch.from_numpy(t.numpy().copy()).reshape(tuple(t.shape))


def _equal(a, b):
    """Bit-for-bit equality of two cresset tensors (NaNs equal)."""
    x, y = _torch(a), _torch(b)
    assert x.dtype == y.dtype and x.shape == y.shape
    torch.testing.assert_close(x, y, rtol=0, atol=0, equal_nan=True)


@gpu
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_steps_match_cpu_and_torch(name, kwargs, dtype):
    theirs, cpu, cuda, (opt_t, opt_cpu, opt_cuda) = _train(name, kwargs, dtype)
    tol = TORCH_TOL[dtype]
    for t, c, d in zip(theirs, cpu, cuda):
        assert d.is_cuda and tuple(d.stride()) == tuple(c.stride())
        # The CPU and CUDA run the same rules with the same rounding (no FMA contraction).
        _equal(d, c)
        torch.testing.assert_close(_torch(d), t.detach(), rtol=tol, atol=tol)
    for t, c, d in zip(theirs, cpu, cuda):
        st, sc, sd = opt_t.state[t], opt_cpu.state[c], opt_cuda.state[d]
        assert list(sd) == list(st) == list(sc)
        for key, value in st.items():
            if isinstance(value, torch.Tensor):
                _equal(sd[key], sc[key])
                stol = STATE_TOL[dtype]
                torch.testing.assert_close(_torch(sd[key]), value, rtol=stol, atol=stol)
            else:
                assert sd[key] == value


def _state_device(name, key, kwargs):
    """Where torch 2.x keeps a state tensor of a CUDA param (non-fused unless said so)."""
    on_device = kwargs.get("capturable") or kwargs.get("fused")
    if key == "step" or (name == "NAdam" and key == "mu_product"):
        return "cuda" if on_device or name == "ASGD" else "cpu"
    return "cuda"  # moments, buffers, and ASGD's eta and mu


STATE_CASES = [*CONFIGS, ("Adam", {"lr": 0.01, "capturable": True}),
               ("AdamW", {"lr": 0.01, "fused": True}), ("NAdam", {"lr": 0.01, "capturable": True}),
               ("SGD", {"lr": 0.01, "momentum": 0.9, "fused": True})]


@gpu
@pytest.mark.parametrize(("name", "kwargs"), STATE_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(STATE_CASES)])
def test_state_lives_where_torch_keeps_it(name, kwargs):
    ps = _cresset_params(_params(torch.float32), "cuda")
    opt = getattr(cresset.optim, name)(ps, **kwargs)
    for p in ps:
        p.grad = cresset.ones_like(p)
    opt.step()
    for p in ps:
        state = opt.state[p]
        assert state or name == "SGD"
        for key, value in state.items():
            if not isinstance(value, cresset.Tensor):
                continue
            assert value.device.type == _state_device(name, key, kwargs), (key, value.device)
            if value.dim() == 0 and p.dim() != 0:  # a counter or coefficient
                assert value.dtype == (cresset.float32 if kwargs.get("fused") or key != "step"
                                       else cresset.get_default_dtype())
            else:
                assert value.dtype == p.dtype and value.shape == p.shape


@pytest.mark.parametrize(("name", "kwargs"), [
    ("Adam", {"fused": True}), ("AdamW", {"fused": True}), ("Adagrad", {"fused": True}),
    ("SGD", {"momentum": 0.9, "fused": True}), ("ASGD", {}), ("NAdam", {}), ("Adam", {}),
])
def test_scalar_state_dtype_and_device_match_torch_on_cpu(name, kwargs):
    """The 0-dim states' dtype and device where torch runs here (the CPU), also under a float64
    default dtype (fused steps stay float32)."""
    prev = cresset.get_default_dtype()
    try:
        for default in (torch.float32, torch.float64):
            torch.set_default_dtype(default)
            cresset.set_default_dtype(getattr(cresset, str(default)[6:]))
            theirs = [torch.randn(3, 2, dtype=torch.float32).requires_grad_()]
            ours = [to_cresset(theirs[0].detach()).requires_grad_()]
            opt_t = getattr(torch.optim, name)(theirs, lr=0.01, **kwargs)
            opt_c = getattr(cresset.optim, name)(ours, lr=0.01, **kwargs)
            theirs[0].grad = torch.ones(3, 2, dtype=torch.float32)
            ours[0].grad = cresset.ones(3, 2, dtype=cresset.float32)
            opt_t.step()
            opt_c.step()
            st, sc = opt_t.state[theirs[0]], opt_c.state[ours[0]]
            assert list(sc) == list(st)
            for key, value in st.items():
                if isinstance(value, torch.Tensor) and value.dim() == 0:
                    assert str(sc[key].dtype) == str(value.dtype), key
                    assert sc[key].device.type == value.device.type == "cpu"
                    assert float(sc[key]) == pytest.approx(float(value), rel=1e-6)
    finally:
        torch.set_default_dtype(torch.float32)
        cresset.set_default_dtype(prev)


@gpu
@pytest.mark.parametrize(("name", "kwargs"), [
    ("Adam", {"lr": 0.01, "amsgrad": True}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("ASGD", {"lr": 0.05, "t0": 1}), ("NAdam", {"lr": 0.01}), ("RMSprop", {"lr": 0.01,
                                                                        "centered": True}),
])
def test_state_dict_round_trip_on_cuda(name, kwargs):
    """Three steps, the state_dict saved and loaded into a fresh optimizer over copies of the
    params, three more steps on both: identical params and states."""
    ps = _cresset_params(_params(torch.float32), "cuda")
    opt = getattr(cresset.optim, name)(ps, **kwargs)

    def steps(params, optimizer, first):
        for step in range(first, first + 3):
            for p, g in zip(params, _grads(torch.float32, step)):
                p.grad = to_cresset(g).cuda()
            optimizer.step()

    steps(ps, opt, 0)
    buf = io.BytesIO()
    cresset.save(opt.state_dict(), buf)
    buf.seek(0)
    saved = cresset.load(buf)
    qs = [p.detach().clone().requires_grad_() for p in ps]
    opt2 = getattr(cresset.optim, name)(qs, **kwargs)
    opt2.load_state_dict(saved)
    for p, q in zip(ps, qs):
        for key, value in opt.state[p].items():
            if isinstance(value, cresset.Tensor):
                loaded = opt2.state[q][key]
                assert loaded.device.type == value.device.type, key
                _equal(loaded, value)
    steps(ps, opt, 3)
    steps(qs, opt2, 3)
    for p, q in zip(ps, qs):
        _equal(q, p)
        for key, value in opt.state[p].items():
            if isinstance(value, cresset.Tensor):
                _equal(opt2.state[q][key], value)


@gpu
def test_cpu_state_dict_loads_onto_cuda():
    """A state_dict from CPU training moves its buffers to the CUDA params (step stays on the
    CPU, as torch keeps it) and training continues exactly as on the CPU."""
    cpu = _cresset_params(_params(torch.float32), "cpu")
    opt_cpu = cresset.optim.Adam(cpu, lr=0.01)
    for p, g in zip(cpu, _grads(torch.float32, 0)):
        p.grad = to_cresset(g)
    opt_cpu.step()
    cuda = [p.detach().cuda().requires_grad_() for p in cpu]
    opt_cuda = cresset.optim.Adam(cuda, lr=0.01)
    opt_cuda.load_state_dict(copy.deepcopy(opt_cpu.state_dict()))
    for p in cuda:
        assert opt_cuda.state[p]["exp_avg"].is_cuda and opt_cuda.state[p]["step"].device.type \
            == "cpu"
    for params, dev, opt in ((cpu, "cpu", opt_cpu), (cuda, "cuda", opt_cuda)):
        for p, g in zip(params, _grads(torch.float32, 1)):
            p.grad = to_cresset(g).to(dev)
        opt.step()
    for c, d in zip(cpu, cuda):
        _equal(d, c)


@gpu
@pytest.mark.parametrize(("name", "kwargs"), [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                              ("Adam", {"lr": 0.01, "weight_decay": 0.1})])
def test_many_params_take_several_launches(name, kwargs):
    """More tensors than one launch holds (40), of varied sizes including empty ones."""
    g = torch.Generator().manual_seed(5)
    shapes = [((i * 37) % 300,) if i % 9 else (0,) for i in range(130)]
    base = [torch.randn(s, generator=g) for s in shapes]
    cpu = [to_cresset(b).requires_grad_() for b in base]
    cuda = [to_cresset(b).cuda().requires_grad_() for b in base]
    opt_cpu = getattr(cresset.optim, name)(cpu, **kwargs)
    opt_cuda = getattr(cresset.optim, name)(cuda, **kwargs)
    for _ in range(3):
        grads = [torch.randn(s, generator=g) for s in shapes]
        for c, d, gr in zip(cpu, cuda, grads):
            c.grad = to_cresset(gr)
            d.grad = to_cresset(gr).cuda()
        opt_cpu.step()
        opt_cuda.step()
    for c, d in zip(cpu, cuda):
        _equal(d, c)


@gpu
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS[::3], ids=IDS[::3])
def test_half_params_match_cpu(name, kwargs, dtype):
    """16-bit params: every op rounds to the param dtype as torch's (Note [Half optimizer
    updates]), the same on both devices."""
    base = _params(torch.float32)
    cpu = [to_cresset(b).to(getattr(cresset, dtype)).requires_grad_() for b in base]
    cuda = [to_cresset(b).to(getattr(cresset, dtype)).cuda().requires_grad_() for b in base]
    opt_cpu = getattr(cresset.optim, name)(cpu, **kwargs)
    opt_cuda = getattr(cresset.optim, name)(cuda, **kwargs)
    for step in range(4):
        for c, d, gr in zip(cpu, cuda, _grads(torch.float32, step)):
            c.grad = to_cresset(gr).to(c.dtype)
            d.grad = to_cresset(gr).to(c.dtype).cuda()
        opt_cpu.step()
        opt_cuda.step()
    for c, d in zip(cpu, cuda):
        assert d.dtype == getattr(cresset, dtype)
        _equal(d, c)
        for key, value in opt_cpu.state[c].items():
            if isinstance(value, cresset.Tensor):
                _equal(opt_cuda.state[d][key], value)


@gpu
def test_non_dense_param_and_grad_layouts():
    """A param that is a strided view (not dense) and grads in another layout than the param:
    worked on through device copies, written back into the views."""
    base = torch.randn(6, 10, generator=torch.Generator().manual_seed(3))
    grads = [torch.randn(6, 5, generator=torch.Generator().manual_seed(4 + i)) for i in range(3)]
    results = []
    for dev in ("cpu", "cuda"):
        whole = to_cresset(base).to(dev)
        view = whole[:, ::2]  # not dense
        leaf = cresset.nn.Parameter(to_cresset(base[:, :5].t().contiguous()).to(dev).t())
        opt = cresset.optim.Adam([view, leaf], lr=0.1)
        for g in grads:
            view.grad = to_cresset(g).to(dev)
            leaf.grad = to_cresset(g.t().contiguous()).to(dev).t().contiguous()  # row-major
            opt.step()
        results.append((whole, leaf, opt.state[view]["exp_avg"]))
    for a, b in zip(*results):
        _equal(b, a)
    # Only the view's columns moved.
    assert (results[1][0][:, 1::2].cpu() == to_cresset(base[:, 1::2])).all()
    assert not (results[1][0][:, ::2].cpu() == to_cresset(base[:, ::2])).all()


@gpu
def test_mixed_devices_in_one_group():
    """torch lets one group hold CPU and CUDA params; each device's part is one fused call."""
    base = _params(torch.float32)[:2]
    ref = [to_cresset(b).requires_grad_() for b in base]
    mixed = [to_cresset(base[0]).cuda().requires_grad_(), to_cresset(base[1]).requires_grad_()]
    opt_ref = cresset.optim.Adam(ref, lr=0.01)
    opt_mixed = cresset.optim.Adam(mixed, lr=0.01)
    for step in range(3):
        for r, m, gr in zip(ref, mixed, _grads(torch.float32, step)):
            r.grad = to_cresset(gr)
            m.grad = to_cresset(gr).to(m.device)
        opt_ref.step()
        opt_mixed.step()
    assert mixed[0].is_cuda and not mixed[1].is_cuda
    for r, m in zip(ref, mixed):
        _equal(m, r)
        assert opt_mixed.state[m]["exp_avg"].device == m.device


@gpu
@pytest.mark.parametrize(("name", "kwargs"), [("Adam", {"lr": 0.01}),
                                              ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                              ("RMSprop", {"lr": 0.01})])
def test_step_does_not_wait_for_the_gpu(name, kwargs):
    """A step queues its kernel behind the work already on the stream and returns: nothing of
    the params, grads or states is copied to the host (a copy would wait for the matmuls)."""
    ps = [cresset.zeros(1000, 1000, device="cuda").requires_grad_()]
    opt = getattr(cresset.optim, name)(ps, **kwargs)
    ps[0].grad = cresset.ones(1000, 1000, device="cuda")
    opt.step()  # creates the state
    cresset.cuda.synchronize()
    a = cresset.randn(8192, 8192, device="cuda")
    stream = cresset.cuda.current_stream()
    for _ in range(20):
        b = a @ a
    opt.step()
    busy = not stream.query()
    cresset.cuda.synchronize()
    assert b.shape == (8192, 8192)
    assert busy, "the step waited for the GPU (a copy through the host?)"
    # Two steps of ones: the result is the CPU's.
    cpu = [cresset.zeros(1000, 1000).requires_grad_()]
    opt_cpu = getattr(cresset.optim, name)(cpu, **kwargs)
    for _ in range(2):
        cpu[0].grad = cresset.ones(1000, 1000)
        opt_cpu.step()
    _equal(ps[0], cpu[0])
