"""cresset.autograd: reverse-mode automatic differentiation (torch.autograd)."""
import threading

from cresset import _C
from cresset.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
from cresset.autograd.function import Function, FunctionCtx
from cresset.autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from cresset.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "FunctionCtx", "Variable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "detect_anomaly", "set_detect_anomaly",
           "gradcheck", "gradgradcheck", "GradcheckError"]


def _tensors(x):
    if x is None:
        return None
    return (x,) if isinstance(x, _C.Tensor) else tuple(x)


_engine_call = threading.local()  # .checkpoint_valid: see _is_checkpoint_valid


def _run_engine(checkpoint_valid, run, *args):
    """run(*args) (an engine entry point) with the pass marked as one a reentrant checkpoint can
    serve or not: not when run by grad() or backward(inputs=...), since its inner backward
    accumulates into .grad of every leaf. A plain function, not a context manager: it sits on
    every loss.backward()."""
    previous = getattr(_engine_call, "checkpoint_valid", True)
    _engine_call.checkpoint_valid = checkpoint_valid
    try:
        return run(*args)
    finally:
        _engine_call.checkpoint_valid = previous


def _is_checkpoint_valid():
    """Whether the running backward pass may contain a reentrant checkpoint."""
    return getattr(_engine_call, "checkpoint_valid", True)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates gradients of `tensors` into the .grad of the graph leaves (or of `inputs`)."""
    tensors = _tensors(tensors)
    grad_tensors = _tensors(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"grad_tensors should have the same length as tensors: got "
                           f"{len(grad_tensors)} and {len(tensors)}")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    _run_engine(not inputs, _C._run_backward, tensors, grad_tensors, retain_graph, create_graph,
                inputs or ())


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs` (a tuple), without touching .grad."""
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    grad_outputs = _tensors(grad_outputs) or (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    run = _batched_grad if is_grads_batched else _C._run_grad
    result = _run_engine(False, run, outputs, inputs, grad_outputs, retain_graph, create_graph,
                         allow_unused)
    if materialize_grads:
        import cresset
        result = tuple(cresset.zeros_like(x) if g is None else g for g, x in zip(result, inputs))
    return result


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused):
    """grad() with the first dim of every grad_output a batch: one backward pass per entry,
    the results stacked (what torch computes with vmap, same values)."""
    sizes = {g.shape[0] for g in grad_outputs if g is not None and g.dim() > 0}
    if None in grad_outputs or any(g.dim() == 0 for g in grad_outputs) or len(sizes) != 1:
        raise RuntimeError("grad: is_grads_batched=True needs every grad_output to be a tensor "
                           "with the same leading (batch) dimension")
    batch = sizes.pop()
    if batch == 0:
        raise RuntimeError("grad: is_grads_batched=True needs a batch of at least one entry")
    per_entry = [_C._run_grad(outputs, inputs, tuple(g[b] for g in grad_outputs),
                              retain_graph or b + 1 < batch, create_graph, allow_unused)
                 for b in range(batch)]
    import cresset
    return tuple(None if grads[0] is None else cresset.stack(grads) for grads in zip(*per_entry))


def __getattr__(name):
    # torch.autograd.functional, imported on first use (it is never needed by training code).
    if name == "functional":
        import importlib
        return importlib.import_module("cresset.autograd.functional")
    raise AttributeError(f"module 'cresset.autograd' has no attribute '{name}'")


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, _C.Tensor)


class Variable(metaclass=_VariableMeta):
    """The legacy wrapper: Variable(t, requires_grad=...) is just a tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        import cresset
        t = cresset.tensor([]) if data is None else data.detach()
        return t.requires_grad_(requires_grad) if requires_grad else t


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Tensor.backward: torch.autograd.backward(self, gradient, ...)."""
    backward(self, gradient, retain_graph, create_graph, inputs)


_C.Tensor.backward = _tensor_backward
