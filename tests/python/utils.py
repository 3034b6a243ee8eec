"""Helpers for differential tests: real torch is the oracle."""
import cresset
import numpy as np
import torch

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64"]
FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]


def to_cresset(t, device=None):
    """A cresset tensor with the same values, dtype, shape and strides (and storage offset) as
    torch tensor `t`: the torch storage span is rebuilt (on `device`, default the CPU) and viewed
    with as_strided. Tensors nested in lists, tuples and dicts are converted; other values pass."""
    if type(t) in (list, tuple):
        return type(t)(to_cresset(v, device) for v in t)
    if type(t) is dict:
        return {k: to_cresset(v, device) for k, v in t.items()}
    if not isinstance(t, torch.Tensor):
        return t
    name = dtype_name(t.dtype)
    t = t.detach()
    span = t.storage_offset() + 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride()))
    if t.numel() == 0:
        return cresset.empty_strided(list(t.shape), list(t.stride()), dtype=getattr(cresset, name),
                                     device=device)
    buf = torch.zeros(span, dtype=t.dtype)
    src = t
    for d, st in enumerate(t.stride()):  # write expanded (stride-0) dims once
        if st == 0:
            src = src.narrow(d, 0, 1)
    buf.as_strided(src.shape, src.stride(), t.storage_offset()).copy_(src)
    flat = cresset.tensor(buf.tolist(), dtype=getattr(cresset, name))
    if device is not None:
        flat = flat.to(device)
    return flat.as_strided(list(t.shape), list(t.stride()), t.storage_offset())


def dtype_name(dt):
    return str(dt).split(".")[-1]


def assert_same(ours, theirs, *, rtol=None, atol=None, check_stride=False, equal_nan=True,
                device=None):
    """Asserts a cresset result equals a torch result: type, dtype, shape, values. With `device`
    ("cuda"), each cresset tensor must be on that device; its values are read after .cpu()."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_same(o, t, rtol=rtol, atol=atol, check_stride=check_stride, device=device)
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
    if device is not None:
        assert ours.device.type == device, f"result on {ours.device}, expected {device}"
        ours = ours.cpu()
        assert ours.device.type == "cpu"
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


# ---- op_db runners (tests/python/op_db.py), shared by the CPU tests and test_cuda_ops.py ----
def copy_torch(t):
    """A torch tensor with t's values, dtype, shape, strides and offset, in new storage (clone()
    would make stepped and expanded layouts contiguous)."""
    if not isinstance(t, torch.Tensor):
        return t
    if t.numel() == 0:
        return torch.empty_strided(t.shape, t.stride(), dtype=t.dtype)
    span = t.storage_offset() + 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride()))
    buf = torch.zeros(span, dtype=t.dtype)
    src = t
    for d, st in enumerate(t.stride()):
        if st == 0:
            src = src.narrow(d, 0, 1)
    view = buf.as_strided(src.shape, src.stride(), t.storage_offset())
    view.copy_(src)
    return buf.as_strided(t.shape, t.stride(), t.storage_offset())


def run_op_sample(lib, op, variant, sample, device=None):
    """Calls op_db entry `op` as `variant` ("function", "method", "inplace", "out") on fresh
    copies of the sample's operands in `lib` (cresset operands on `device`, default the CPU);
    returns what the call produced (for in-place: the modified operand)."""
    def copy(v):
        return to_cresset(v, device) if lib is cresset else copy_torch(v)
    args = [copy(a) for a in sample.args]
    kwargs = {k: copy(v) for k, v in sample.kwargs.items()}
    fn = op.fn(lib)
    if variant == "function":
        return fn(*args, **kwargs)
    if variant == "method":
        return getattr(args[0], op.name)(*args[1:], **kwargs)
    if variant == "inplace":
        r = getattr(args[0], op.name + "_")(*args[1:], **kwargs)
        assert r is args[0], "in-place method must return its own object"
        return args[0]
    if variant == "out":
        ref = op.fn(torch)(*[copy_torch(a) for a in sample.args], **sample.kwargs)
        where = {"device": device} if lib is cresset and device is not None else {}
        out = lib.empty(0, dtype=getattr(lib, dtype_name(ref.dtype)), **where)
        r = fn(*args, out=out, **kwargs)
        assert r is out, "out= must return the out tensor itself"
        return out
    raise AssertionError(variant)


def _outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return None, e


def check_op_sample(op, variant, dtype, sample, device=None):
    """One op_db sample through cresset (operands on `device`, default the CPU) and torch on the
    CPU: the same exception type, or the same dtype, shape, strides (function variant) and
    values within assert_same's tolerances; with `device`, results must be on that device."""
    if variant == "out" and not sample.out_ok:
        return
    if variant in ("method", "inplace") and not isinstance(sample.args[0], torch.Tensor):
        return
    ctx = f"{op.name} [{variant}] {dtype} {sample.desc}"
    theirs, terr = _outcome(lambda: run_op_sample(torch, op, variant, sample))
    ours, oerr = _outcome(lambda: run_op_sample(cresset, op, variant, sample, device))
    if terr is not None:
        assert oerr is not None, f"{ctx}: torch raised {type(terr).__name__}: {terr}; cresset didn't"
        assert isinstance(oerr, type(terr)), \
            f"{ctx}: torch raised {type(terr).__name__}: {terr}; cresset {type(oerr).__name__}: {oerr}"
        if variant == "function" and sample.canonical and dtype in op.dtypes:
            raise AssertionError(f"{ctx}: op_db lists {dtype} as supported but torch raised {terr}")
        return
    assert oerr is None, f"{ctx}: cresset raised {type(oerr).__name__}: {oerr}"
    try:
        # Output layouts follow torch's; an empty result's strides are arbitrary in torch.
        assert_same(ours, theirs, check_stride=variant == "function" and theirs.numel() > 0,
                    device=device)
    except AssertionError as e:
        raise AssertionError(f"{ctx}: {e}") from None


# Samples at IEEE specials hit non-differentiable points where torch's conventions are arbitrary.
GRAD_SKIP = {"specials"}


def _grad_leaves(lib, sample, device=None):
    """The sample's operands in `lib`; floating tensors become leaves that require grad."""
    args = []
    for a in sample.args:
        if isinstance(a, torch.Tensor):
            t = to_cresset(a, device) if lib is cresset else a.detach().clone()
            if t.is_floating_point():
                t = t.detach().requires_grad_(True)
            args.append(t)
        else:
            args.append(a)
    return args


def _error_type(fn):
    try:
        fn()
        return None
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e)


def check_op_gradients(op, device=None):
    """First-order gradients of op_db entry `op` on its float64 samples (but GRAD_SKIP) against
    torch on the CPU: grad_fn names, backward errors and input gradients (cresset leaves and the
    weighting of the output on `device`, default the CPU)."""
    for sample in op.samples("float64"):
        if sample.desc in GRAD_SKIP:
            continue
        t_args = _grad_leaves(torch, sample)
        t_out, t_err = _outcome(lambda: op.fn(torch)(*t_args, **sample.kwargs))
        if t_err is not None:  # invalid sample for torch: the forward tests cover the error
            continue
        c_args = _grad_leaves(cresset, sample, device)
        c_kwargs = {k: to_cresset(v, device) for k, v in sample.kwargs.items()}
        c_out = op.fn(cresset)(*c_args, **c_kwargs)
        if not (isinstance(t_out, torch.Tensor) and t_out.requires_grad):
            assert not getattr(c_out, "requires_grad", False), (op.name, sample.desc)
            continue
        if t_out.grad_fn is None:  # the op returned its input (positive)
            assert c_out.grad_fn is None and c_out.requires_grad, (op.name, sample.desc)
            continue
        assert c_out.grad_fn.name() == t_out.grad_fn.name(), (op.name, sample.desc)
        weight = torch.linspace(-1.5, 2.0, max(t_out.numel(), 1))[:t_out.numel()]
        weight = weight.reshape(t_out.shape).to(t_out.dtype)
        t_err = _error_type(lambda: (t_out * weight).sum().backward())
        c_err = _error_type(lambda: (c_out * to_cresset(weight, device)).sum().backward())
        assert c_err == t_err, (op.name, sample.desc, c_err, t_err)
        if t_err is not None:
            continue
        for ca, ta in zip(c_args, t_args):
            if isinstance(ta, torch.Tensor) and ta.requires_grad:
                if ta.grad is None:
                    assert ca.grad is None or not ca.grad.any(), (op.name, sample.desc)
                else:  # clone(): torch's sgn returns a lazy ZeroTensor that tolist() rejects
                    assert_same(ca.grad, ta.grad.clone(), rtol=1e-6, atol=1e-9, device=device)
