"""A module called with some of its parameters and buffers replaced: call_with is
torch.func.functional_call, and functional_call here torch.nn.utils.stateless's deprecated alias."""
import contextlib
import warnings

__all__ = ["functional_call"]

_MISSING = object()


def _merge(parameter_and_buffer_dicts):
    if isinstance(parameter_and_buffer_dicts, dict):
        return dict(parameter_and_buffer_dicts)
    merged = {}
    for d in parameter_and_buffer_dicts:
        for key, value in d.items():
            if key in merged:
                raise ValueError(f"{key} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged[key] = value
    return merged


def _untie(module, values):
    """`values` extended to every name of a tensor shared under several names (tied weights)."""
    names_of = {}
    for name, tensor in list(module.named_parameters(remove_duplicate=False)) + \
            list(module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(id(tensor), []).append(name)
    result = dict(values)
    for names in names_of.values():
        if len(names) < 2:
            continue
        given = [n for n in names if n in values]
        if not given:
            continue
        first = values[given[0]]
        if any(values[n] is not first for n in given[1:]):
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, "
                             "which are tied. Consider using tie_weights=False")
        for n in names:
            result[n] = first
    return result


def _check_strict(module, values):
    expected = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    unexpected = sorted(set(values) - expected)
    missing = sorted(expected - set(values))
    if unexpected or missing:
        lines = []
        if unexpected:
            lines.append("\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
        if missing:
            lines.append("\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
        raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n" +
                           "\n".join(lines))


@contextlib.contextmanager
def _swapped(module, values):
    """Within the block, module.<name> is values[name] for every (dotted) name."""
    undo = []
    try:
        for name, value in values.items():
            path, _, attr = name.rpartition(".")
            owner = module.get_submodule(path) if path else module
            for registry in (owner._parameters, owner._buffers):
                if attr in registry:
                    undo.append((registry, attr, registry[attr]))
                    registry[attr] = value  # a plain tensor may stand in for a Parameter
                    break
            else:
                undo.append((owner, attr, owner.__dict__.get(attr, _MISSING)))
                object.__setattr__(owner, attr, value)
        yield
    finally:
        for target, attr, old in reversed(undo):
            if isinstance(target, dict):
                target[attr] = old
            elif old is _MISSING:
                object.__delattr__(target, attr)
            else:
                object.__setattr__(target, attr, old)


def call_with(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
              strict=False):
    """torch.func.functional_call: module(*args, **kwargs) with the parameters and buffers named in the dict(s) replaced by
    the given tensors for the duration of the call; the module is left as it was."""
    values = _merge(parameter_and_buffer_dicts)
    if tie_weights:
        values = _untie(module, values)
    if strict:
        _check_strict(module, values)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """torch.nn.utils.stateless.functional_call (deprecated alias of torch.func's)."""
    warnings.warn("This API is deprecated as of PyTorch 2.0 and will be removed in a future "
                  "version of PyTorch. Please use torch.func.functional_call instead which is a "
                  "drop-in replacement for this API.", FutureWarning, stacklevel=2)
    return call_with(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights,
                     strict=strict)
