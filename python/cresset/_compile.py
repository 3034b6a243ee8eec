"""torch.compile. cresset has no graph compiler: a compiled module or function runs eagerly, op by
op (what torch.compile(backend="eager") does), so results are those of the original. Modules are
wrapped like torch's OptimizedModule, so attribute access, train/eval and state_dict keys (with
the `_orig_mod.` prefix) behave as after torch.compile."""
import functools

from cresset.nn.modules.module import Module

__all__ = ["compile", "OptimizedModule"]


class OptimizedModule(Module):
    """A compiled module: calls run the original module `_orig_mod`."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._orig_mod, name)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """`model` (a Module or function) prepared to run as torch.compile's result would; without
    `model`, a decorator."""
    if model is None:
        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, disable=disable)
        return decorate
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified "
                           "at the same time.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    return compiled
