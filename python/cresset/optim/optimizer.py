"""torch.optim.Optimizer: param groups, per-parameter state and state_dict bookkeeping. The update
math of the subclasses is one fused C++ call per param group (cresset._C._optim)."""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import ClassVar

import cresset
from cresset import _C
from cresset._C import Tensor
from cresset.utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_post_hook", "register_optimizer_step_pre_hook",
           "required"]

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def _add_hook(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Registers hook(optimizer, args, kwargs) to run before every optimizer's step."""
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Registers hook(optimizer, args, kwargs) to run after every optimizer's step."""
    return _add_hook(_global_optimizer_post_hooks, hook)


def _hooked_step(func):
    """step() wrapped with the global and per-optimizer step hooks (torch's profile_hook_step)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        self = args[0]
        for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                              self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{func} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = func(*args, **kwargs)
        for post_hook in chain(self._optimizer_step_post_hooks.values(),
                               _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


_HOOK_DICTS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
               "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
               "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _scalar_dtype():
    return cresset.float64 if cresset.get_default_dtype() == cresset.float64 else cresset.float32


def _new_step():
    """The 'step' state of a parameter: a 0-dim float tensor, as torch 2.x stores it."""
    return cresset.tensor(0.0, dtype=_scalar_dtype())


def _zeros_like(p):
    return cresset.zeros_like(p, memory_format=cresset.preserve_format)


# Group options that the fused updates take in two named halves.
_OPTION_PAIRS = {"betas": ("beta1", "beta2"), "etas": ("etaminus", "etaplus"),
                 "step_sizes": ("step_size_min", "step_size_max")}
_OPTION_FIELDS = frozenset(name for name in dir(_C._optim.Options) if not name.startswith("_"))
_BOOL_OPTIONS = frozenset(("maximize", "nesterov", "amsgrad", "centered", "decoupled_weight_decay"))


def _group_options(group):
    """A param group's hyperparameters as the fused updates take them (_C._optim.Options)."""
    options = _C._optim.Options()
    for key, value in group.items():
        if key in _BOOL_OPTIONS:
            setattr(options, key, bool(value))  # torch only tests their truth
        elif key in _OPTION_FIELDS:
            setattr(options, key, _to_scalar(value))
        elif key in _OPTION_PAIRS:
            for name, half in zip(_OPTION_PAIRS[key], value):
                setattr(options, name, _to_scalar(half))
    return options


def _check_nonnegative(label, value):
    """torch's argument check: ValueError("Invalid <label>: <value>") unless 0 <= value."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label}: {value}")


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _check_nonnegative("learning rate", lr)


def _check_betas(betas):
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _check_fused(fused, foreach, differentiable):
    """torch's checks of fused=True (every cresset update is fused; the flag is kept as given)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _to_scalar(x):
    """A one-element tensor hyperparameter as a Python float (the update math takes floats)."""
    return x.item() if isinstance(x, Tensor) else x


def _use_grad_for_differentiable(func):
    """Runs a step without recording the graph. torch's differentiable=True (autograd through
    the update) has no fused counterpart here, so it is refused rather than silently ignored."""

    def _use_grad(self, *args, **kwargs):
        if self.defaults.get("differentiable", False):
            raise NotImplementedError(
                f"{type(self).__name__}: differentiable=True is not supported by cresset.optim")
        prev = _C.is_grad_enabled()
        try:
            _C._set_grad_enabled(False)
            return func(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(prev)

    _use_grad.__name__ = func.__name__
    _use_grad.__doc__ = func.__doc__
    return _use_grad


class Optimizer:
    r"""Base class for all optimizers (torch.optim.Optimizer).

    Args:
        params (iterable): an iterable of tensors or dicts specifying what should be optimized.
        defaults (dict): default values of the optimization options (used when a parameter group
            does not specify them).
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        for name in _HOOK_DICTS:
            setattr(self, name, OrderedDict())
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    # Group options added by later torch versions, filled in when older state is loaded.
    _setstate_defaults: ClassVar[dict] = {}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in _HOOK_DICTS:
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, value in self._setstate_defaults.items():
                group.setdefault(key, value)
        for p_state in self.state.values():
            if "step" in p_state and not isinstance(p_state["step"], Tensor):
                p_state["step"] = cresset.tensor(float(p_state["step"]), dtype=_scalar_dtype())

    def _patch_step_function(self):
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _hooked_step(cls.step)

    def register_step_pre_hook(self, hook):
        """Registers hook(optimizer, args, kwargs) to run before this optimizer's step."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Registers hook(optimizer, args, kwargs) to run after this optimizer's step."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Registers hook(optimizer) to run before state_dict()."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Registers hook(optimizer, state_dict) run after state_dict(); it may return a new one."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Registers hook(optimizer, state_dict) run before loading; it may return a new one."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Registers hook(optimizer) to run after load_state_dict()."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def __repr__(self):
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    def state_dict(self):
        """The optimizer state as {'state': {index: {...}}, 'param_groups': [{..., 'params': [...]}]}."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        fused = False
        capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=cresset.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        """Loads a state_dict() (tensors cast to their parameter's dtype, 'step' kept as is)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        param_lens = (len(g["params"]) for g in groups)
        saved_lens = (len(g["params"]) for g in saved_groups)
        if any(p_len != s_len for p_len, s_len in zip(param_lens, saved_lens)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id=param_id, param_groups=param_groups)
                                   for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k,
                                     param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def zero_grad(self, set_to_none=True):
        """Resets the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def step(self, closure=None):
        """Performs a single optimization step."""
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Adds a param group (a dict with 'params' and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)

        extracted_param_tensors = []
        extracted_param_names = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                extracted_param_names.append(param[0])
                extracted_param_tensors.append(param[1])
            else:
                extracted_param_tensors.append(param)
        param_group["params"] = extracted_param_tensors
        if len(extracted_param_names) != 0:
            if len(extracted_param_names) == len(extracted_param_tensors):
                param_group["param_names"] = extracted_param_names
            else:
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, "
                                "but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current_group_txt = ("with names" if "param_names" in param_group
                                     else "without names")
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current_group_txt} to the optimizer")
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _closure_loss(self, closure):
        if closure is None:
            return None
        prev = _C.is_grad_enabled()
        try:
            _C._set_grad_enabled(True)
            return closure()
        finally:
            _C._set_grad_enabled(prev)


class _FusedOptimizer(Optimizer):
    """An optimizer whose update is one fused C++ call per param group: _kernel (a
    cresset._C._optim function) gets the params that have grads, their grads, the state lists
    named by _state_keys(group) (None: an unused, empty list) and _options(group)."""

    _kernel = None

    def _state_keys(self, group):
        raise NotImplementedError

    def _init_state(self, state, p, group):
        """A param's first state: 'step', then zeros for the other state keys."""
        state["step"] = _new_step()
        for key in self._state_keys(group):
            if key not in (None, "step"):
                state[key] = _zeros_like(p)

    def _fused_step(self, closure):
        loss = self._closure_loss(closure)
        state_of = self.state
        for group in self.param_groups:
            keys = self._state_keys(group)
            params, grads = [], []
            lists = [[] for _ in keys]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                params.append(p)
                grads.append(grad)
                state = state_of[p]
                if len(state) == 0:
                    self._init_state(state, p, group)
                for values, key in zip(lists, keys):
                    if key is not None:
                        values.append(state[key])
            if params:
                _fused(type(self)._kernel, [params, grads, *lists], _group_options(group))
        return loss

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        return self._fused_step(closure)


def _split_by_dtype(lists):
    """Parallel lists (lists[0] the params) split so each part holds one params dtype and each
    param once; a param listed twice is updated twice, in order, as torch does."""
    params = lists[0]
    dtype = params[0].dtype
    if all(p.dtype == dtype for p in params) and len(set(map(id, params))) == len(params):
        return [lists]
    seen = {}
    keys = []
    for p in params:
        rank = seen.get(id(p), 0)
        seen[id(p)] = rank + 1
        keys.append((rank, p.dtype))
    parts = []
    for key in sorted(dict.fromkeys(keys), key=lambda k: k[0]):
        keep = [i for i, k in enumerate(keys) if k == key]
        parts.append([[values[i] for i in keep] if values else values for values in lists])
    return parts


def _fused(update, lists, options):
    """Calls a fused update over parallel lists, once per params dtype."""
    for part in _split_by_dtype(lists):
        update(*part, options)
