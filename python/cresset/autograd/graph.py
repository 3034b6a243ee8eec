"""cresset.autograd.graph (torch.autograd.graph): saved-tensor hooks.

While a saved_tensors_hooks pair is active on a thread, every tensor saved for a backward (by
built-in ops and by custom Functions' save_for_backward) is stored as pack_hook(tensor) and given
back to the backward as unpack_hook(packed). The innermost pair applies.
"""
import threading

from cresset import _C

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

_state = threading.local()  # .hooks: the active (pack, unpack) pairs; .disabled: a message


def _hook_stack():
    if not hasattr(_state, "hooks"):
        _state.hooks = []
    return _state.hooks


def current_hooks():
    """The innermost (pack_hook, unpack_hook) pair of this thread, or None."""
    stack = _hook_stack()
    return stack[-1] if stack else None


class saved_tensors_hooks:
    """Context manager that stores saved tensors as pack_hook(tensor) and restores them with
    unpack_hook(packed) when the backward needs them."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        message = getattr(_state, "disabled", None)
        if message is not None:
            raise RuntimeError(message)
        _C._push_saved_tensors_hooks(self.pack_hook, self.unpack_hook)
        _hook_stack().append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _hook_stack().pop()
        _C._pop_saved_tensors_hooks()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are moved to the CPU in the forward and back to their device in the
    backward (optionally through pinned memory)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        import cresset

        def pack_to_cpu(tensor):
            if not pin_memory:
                return tensor.device, tensor.cpu()
            packed = cresset.empty(tensor.size(), dtype=tensor.dtype,
                                   pin_memory=cresset.cuda.is_available())
            packed.copy_(tensor)
            return tensor.device, packed

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Within the block, registering saved-tensor hooks raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._previous = getattr(_state, "disabled", None)
        _state.disabled = self.error_message

    def __exit__(self, *exc):
        _state.disabled = self._previous
