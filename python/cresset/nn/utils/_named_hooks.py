"""What the hook-based reparametrizations (weight_norm, spectral_norm) share: one forward
pre-hook object per reparametrized parameter name."""


def check_not_registered(module, hook_type, name, what):
    """RuntimeError when `module` already has a `hook_type` hook for parameter `name`."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, hook_type) and hook.name == name:
            raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


def remove_named_hook(module, hook_type, name, what):
    """Lets the `hook_type` hook of parameter `name` restore the plain parameter, then drops it;
    ValueError when there is none."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
