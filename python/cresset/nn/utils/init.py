"""cresset.nn.utils.skip_init (torch.nn.utils.skip_init)."""
import inspect

from cresset.nn.modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """A `module_cls(*args, **kwargs)` whose parameters and buffers are left uninitialized.

    torch builds the module on the meta device; cresset has none, so the module is built and its
    tensors then replaced by uninitialized ones (to_empty): the same result, at the cost of
    running the initializers once."""
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    device = kwargs.get("device", "cpu")
    return module_cls(*args, **kwargs).to_empty(device=device)
