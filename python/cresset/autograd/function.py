"""Custom differentiable operations: subclass Function with static forward/backward."""
from cresset import _C
from cresset.autograd import graph
from cresset.autograd.grad_mode import no_grad


class FunctionCtx:
    """The `ctx` passed to forward and backward."""

    def __init__(self):
        self._saved = ()
        self._released = False
        self._dirty = ()
        self._non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        self._saved = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        out = []
        for entry in self._packed:
            if entry is None:
                out.append(None)
                continue
            kind, tensor, version, index = entry
            if kind.startswith("hooked"):  # tensor is (unpack_hook, what pack_hook returned)
                unpack, packed = tensor
                tensor = unpack(packed)
                if not isinstance(tensor, _C.Tensor):
                    raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor "
                                    f"but got result of type {type(tensor).__name__}")
                if kind == "hooked output" and self._node is not None:
                    tensor = _C._attach_grad_fn(tensor, self._node, index)
                out.append(tensor)
                continue
            if tensor._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{tensor.type()} {list(tensor.shape)}], which is "
                    f"output {index} of {self._node_name}, is at version {tensor._version}; "
                    f"expected version {version} instead. Hint: enable anomaly detection to "
                    "find the operation that failed to compute its gradient, with "
                    "torch.autograd.set_detect_anomaly(True).")
            if kind == "output" and self._node is not None:
                tensor = _C._attach_grad_fn(tensor, self._node, index)
            out.append(tensor)
        return tuple(out)

    def _pack(self, outputs, node_name):
        # Outputs are kept detached (a node holding its own output would be a reference cycle)
        # and reattached to the node on access.
        self._node_name = node_name
        hooks = graph.current_hooks()
        packed = []
        for t in self._saved:
            if t is None:
                packed.append(None)
                continue
            index = next((i for i, o in enumerate(outputs) if o is t), None)
            kind = "input" if index is None else "output"
            if index is not None:
                t = t.detach()
            if hooks is not None:  # see cresset.autograd.graph
                pack, unpack = hooks
                packed.append(("hooked " + kind, (unpack, pack(t)), None, index or 0))
            else:
                packed.append((kind, t, t._version, index or 0))
        self._packed = packed
        self._saved = ()

    def _release(self):
        self._packed = ()
        self._released = True


class Function:
    """Base of custom autograd functions: define forward(ctx, ...) and backward(ctx, *grads)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, _C.Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = isinstance(result, _C.Tensor)
        outputs = (result,) if single else tuple(result)
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return result
        # Each output gets its own TensorImpl (sharing storage) so it can carry this node's
        # history; inputs modified in place (mark_dirty) keep theirs and are rebased.
        dirty = {id(t) for t in ctx._dirty}
        fresh = tuple(o.detach() if isinstance(o, _C.Tensor) and id(o) not in dirty else o
                      for o in outputs)
        non_diff = ctx._non_differentiable
        diff = [o for o in fresh if isinstance(o, _C.Tensor) and o.is_floating_point()
                and not any(o._is_same(n) for n in non_diff)]
        node_name = cls.__name__ + "Backward"
        ctx._pack(fresh, node_name)
        ctx._node = _C._make_py_node(node_name, ctx, cls._backward_entry,
                                     [a if isinstance(a, _C.Tensor) else None for a in args], diff)
        return fresh[0] if single else fresh

    @classmethod
    def _backward_entry(cls, ctx, grads):
        result = cls.backward(ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_inputs = len(ctx.needs_input_grad)
        if len(result) != n_inputs:
            raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of "
                               f"gradients (expected {n_inputs}, got {len(result)})")
        return [g if isinstance(a, bool) and a else None
                for g, a in zip(result, ctx.needs_input_grad)]
