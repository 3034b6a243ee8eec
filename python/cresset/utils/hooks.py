"""torch.utils.hooks: the handle that module and tensor hook registrations return."""
import itertools
import warnings
import weakref

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Removes a hook (and its entries in `extra_dict`, a dict or list of dicts) by its id."""

    _ids = itertools.count()

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle._ids)
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict or ())

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, type, value, tb):
        self.remove()


class _HookBoundary:
    """An identity autograd Function over a module's input or output tensors whose backward
    runs the module's backward hooks on the gradients passing through it."""

    @staticmethod
    def make(on_grads):
        from cresset.autograd import Function

        class BackwardHookFunction(Function):
            @staticmethod
            def forward(ctx, *tensors):
                ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
                return tensors

            @staticmethod
            def backward(ctx, *grads):
                return on_grads(grads)

        return BackwardHookFunction


class BackwardHook:
    """Runs a module's full backward pre-hooks (on the gradients of its outputs) and full
    backward hooks (on the gradients of its inputs, with those of its outputs), as torch does:
    identity functions wrap the tensors entering and leaving forward."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = None

    @staticmethod
    def _apply(fn, values):
        # Passes the tensors of `values` (a tuple) through `fn`, other entries unchanged.
        index = [i for i, v in enumerate(values) if _is_tensor(v)]
        if not index:
            return values, None
        new = fn.apply(*[values[i] for i in index])
        out = list(values)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out), index

    def _pack(self, index, grads, n):
        out = [None] * n
        for i, g in zip(index, grads):
            out[i] = g
        return tuple(out)

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        if not (self.user_hooks and any(_is_tensor(a) and a.requires_grad for a in args)):
            return args
        args, self.input_index = self._apply(_HookBoundary.make(self._input_grads), args)
        return args

    @staticmethod
    def _run(hooks, call, grads, what):
        # Each hook may return replacement gradients (a tuple, or one tensor) of the same count.
        for hook in hooks:
            result = call(hook, grads)
            if result is None:
                continue
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) != len(grads):
                raise RuntimeError(f"{what} returned an invalid number of grad_"
                                   f"{'input' if what == 'Backward hook' else 'output'}, got "
                                   f"{len(result)}, but expected {len(grads)}")
            grads = result
        return grads

    def _input_grads(self, grads):
        grad_inputs = self._run(self.user_hooks,
                                lambda hook, g: hook(self.module, g, self.grad_outputs),
                                self._pack(self.input_index, grads, self.n_inputs),
                                "Backward hook")
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in self.input_index)

    def _output_grads(self, grads):
        grad_outputs = self._run(self.user_pre_hooks, lambda hook, g: hook(self.module, g),
                                 self._pack(self.output_index, grads, self.n_outputs),
                                 "Backward pre hook")
        self.grad_outputs = grad_outputs
        if self.input_index is None and self.user_hooks:
            # No input requires grad: the hooks see None for every input, now.
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                result = hook(self.module, grad_inputs, grad_outputs)
                if result is not None and not all(r is None for r in result):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)

    def setup_output_hook(self, result):
        single = _is_tensor(result)
        values = (result,) if single else result
        if not any(_is_tensor(v) and v.requires_grad for v in values):
            return result
        self.n_outputs = len(values)
        index = [i for i, v in enumerate(values) if _is_tensor(v)]
        self.output_index = index
        values, _ = self._apply(_HookBoundary.make(self._output_grads), values)
        return values[0] if single else values


def _is_tensor(value):
    from cresset import Tensor
    return isinstance(value, Tensor)
