"""Activation checkpointing (torch.utils.checkpoint): run part of a model without keeping the
tensors its backward needs, and recompute them when the backward asks.

Two variants, as in torch:
- use_reentrant=True: a custom Function runs the part under no_grad and, in its backward, reruns
  it with grad enabled and backpropagates through the rerun (a backward inside the backward).
- use_reentrant=False: the part runs normally, but under saved-tensor hooks (see
  cresset.autograd.graph) that keep only an index per saved tensor; the first unpack during the
  backward reruns the part under hooks that collect the tensors it saves, in the same order.
Both restore the random-number state of the forward for the rerun (preserve_rng_state), so
dropout masks agree.
"""
import contextlib
import warnings

import cresset
from cresset.autograd import Function
from cresset.autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "detach_variable", "get_device_states", "set_device_states", "noop_context_fn"]


class CheckpointError(RuntimeError):
    """The rerun of a checkpointed function did not save the tensors the forward saved."""


def noop_context_fn():
    """The default context_fn: no context around the forward nor the rerun."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    """Tensors of `inputs` detached, keeping requires_grad; other values as they are."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for x in inputs:
        if isinstance(x, cresset.Tensor):
            d = x.detach()
            d.requires_grad = x.requires_grad
            out.append(d)
        else:
            out.append(x)
    return tuple(out)


def get_device_states(*args):
    """(devices, states): the CUDA generator states of the GPUs the tensors in args are on."""
    devices = sorted({x.get_device() for x in args
                      if isinstance(x, cresset.Tensor) and x.device.type == "cuda"})
    return devices, [cresset.cuda.get_rng_state(d) for d in devices]


def set_device_states(devices, states, *, device_type=None):
    """Restores the CUDA generator states get_device_states returned."""
    for device, state in zip(devices, states):
        cresset.cuda.set_rng_state(state, device)


class _RngState:
    """The CPU and CUDA generator states at the forward, restored around the rerun."""

    def __init__(self, args, enabled):
        self.enabled = enabled
        if enabled:
            self.cpu = cresset.get_rng_state()
            self.devices, self.states = get_device_states(*args)

    @contextlib.contextmanager
    def restored(self):
        if not self.enabled:
            yield
            return
        cpu = cresset.get_rng_state()
        states = [cresset.cuda.get_rng_state(d) for d in self.devices]
        cresset.set_rng_state(self.cpu)
        set_device_states(self.devices, self.states)
        try:
            yield
        finally:
            cresset.set_rng_state(cpu)
            set_device_states(self.devices, states)


class CheckpointFunction(Function):
    """The reentrant checkpoint (use_reentrant=True)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng = _RngState(args, preserve_rng_state)
        ctx.inputs = [None if isinstance(a, cresset.Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, cresset.Tensor)]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))
        with cresset.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not cresset.autograd._is_checkpoint_valid():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible "
                               "with .grad() or passing an `inputs` parameter to .backward(). To "
                               "resolve this error, you can either set use_reentrant=False, or "
                               "call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        inputs = detach_variable(tuple(inputs))
        with ctx.rng.restored(), cresset.enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, cresset.Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, cresset.Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        cresset.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, cresset.Tensor) else None
                                    for x in inputs)


def _metadata(t):
    return t.shape, t.dtype, t.device


class _Recomputation:
    """One non-reentrant checkpointed call: the metadata of what its forward saved, and the
    tensors its rerun saved (once the backward first needs one)."""

    def __init__(self, function, args, kwargs, rng, rerun_context, check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng, self.rerun_context, self.check = rng, rerun_context, check
        self.saved_metadata = []
        self.recomputed = None

    def pack(self, t):
        self.saved_metadata.append(_metadata(t))
        return len(self.saved_metadata) - 1

    def unpack(self, index):
        if self.recomputed is None:
            self.recomputed = self._rerun()
        return self.recomputed[index]

    def _rerun(self):
        saved = []

        def collect(t):
            saved.append(t)
            return len(saved) - 1

        with self.rng.restored(), cresset.enable_grad(), self.rerun_context, \
                saved_tensors_hooks(collect, saved.__getitem__):
            self.function(*self.args, **self.kwargs)
        if self.check and [_metadata(t) for t in saved] != self.saved_metadata:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass.\n"
                f"saved during the forward: {self.saved_metadata}\n"
                f"saved during the recomputation: {[_metadata(t) for t in saved]}")
        return saved


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check,
                                  *args, **kwargs):
    forward_context, rerun_context = context_fn()
    call = _Recomputation(function, args, kwargs, _RngState(args, preserve_rng_state),
                          rerun_context, determinism_check == "default")
    with saved_tensors_hooks(call.pack, call.unpack), forward_context:
        return function(*args, **kwargs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True,
               preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs), keeping none of its intermediate tensors for the backward:
    they are recomputed when the backward needs them."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                      "use_reentrant will raise an exception. use_reentrant=False is recommended, "
                      "but if you need to preserve the current default behavior, you can pass "
                      "use_reentrant=True. Refer to docs for more details on the differences "
                      "between the two variants.", stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if not use_reentrant:
        return _checkpoint_without_reentrant(function, preserve_rng_state, context_fn,
                                             determinism_check, *args, **kwargs)
    if context_fn is not noop_context_fn or debug:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if cresset.is_grad_enabled() and not any(isinstance(a, cresset.Tensor) and a.requires_grad
                                             for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """A Sequential (or list of modules) run in `segments` chunks, each checkpointed except the
    last (its tensors are needed at once by the backward)."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter "
                      "should be passed explicitly. In version 2.9 we will raise an exception if "
                      "use_reentrant is not passed. use_reentrant=False is recommended, but if "
                      "you need to preserve the current default behavior, you can pass "
                      "use_reentrant=True. Refer to docs for more details on the differences "
                      "between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if isinstance(functions, cresset.nn.Sequential):
        functions = list(functions.children())

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    per_segment = len(functions) // segments
    end = -1
    for start in range(0, per_segment * (segments - 1), per_segment):
        end = start + per_segment - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
