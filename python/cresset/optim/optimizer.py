"""torch.optim.Optimizer: param groups, per-parameter state, state_dict round trips and hooks.
The update math of the subclasses is one fused C++ call per param group (cresset._C._optim).

Written for cresset from torch's documented and observed behaviour (not derived from its
source). Layout of this module:
  * hook registries (global and per optimizer) and the step wrapper that runs them;
  * `Optimizer`: building groups, serialising state by parameter index and restoring it;
  * helpers shared by the concrete optimizers (option checks, the fused-update driver)."""
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from functools import wraps
from typing import ClassVar

import cresset
from cresset import _C
from cresset._C import Tensor
from cresset.utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_post_hook", "register_optimizer_step_pre_hook",
           "required"]


# ----------------------------------------------------------------------------------------------
# Hooks.

def _register(table, hook, prepend=False):
    """Stores `hook` in the ordered `table`; the returned handle removes it again."""
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


# Hooks that every optimizer runs around step(): global pre hooks run before the optimizer's
# own ones, global post hooks after them.
_every_step_before = OrderedDict()
_every_step_after = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Registers hook(optimizer, args, kwargs) to run before every optimizer's step."""
    return _register(_every_step_before, hook)


def register_optimizer_step_post_hook(hook):
    """Registers hook(optimizer, args, kwargs) to run after every optimizer's step."""
    return _register(_every_step_after, hook)


# The per-optimizer hook tables, by the event they belong to.
_EVENTS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_pre", "load_post")


def _fresh_hook_tables():
    return {event: OrderedDict() for event in _EVENTS}


def _with_step_hooks(step):
    """Wraps a class's step() so the step hooks run around it. The hooks see the positional
    arguments with the optimizer first, as torch passes them. A step reached through super()
    from an overriding step() is not the outermost call and runs without the hooks."""

    @wraps(step)
    def hooked_step(*args, **kwargs):
        self = args[0]
        if type(self).step is not hooked_step:
            return step(*args, **kwargs)
        own = self._hooks
        for hook in (*_every_step_before.values(), *own["step_pre"].values()):
            replaced = hook(self, args, kwargs)
            if replaced is None:
                continue
            if not (isinstance(replaced, tuple) and len(replaced) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                   f"new_kwargs), but got {replaced}.")
            args, kwargs = replaced
        result = step(*args, **kwargs)
        for hook in (*own["step_post"].values(), *_every_step_after.values()):
            hook(self, args, kwargs)
        return result

    hooked_step.hooked = True
    return hooked_step


# ----------------------------------------------------------------------------------------------
# Param groups.

class _RequiredParameter:
    """Marks a default that each param group must give itself (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' style for tensors, the qualified class name else."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = getattr(cls, "__module__", "") or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def _split_names(entries):
    """A group's 'params' entries as (tensors, names): names is None unless every entry is a
    (name, tensor) pair, as named_parameters() yields."""
    pairs = [isinstance(entry, tuple) for entry in entries]
    if not any(pairs):
        return entries, None
    if not all(pairs):
        raise ValueError("all optimizer params should be with/without names. "
                         "Some param names are missing")
    return [tensor for _, tensor in entries], [name for name, _ in entries]


def _state_index(param_groups):
    """id(param) -> its state_dict index: params are numbered through all groups in order; a
    param listed twice in one group takes its later position, one in two groups the first."""
    index = {}
    offset = 0
    for group in param_groups:
        in_group = {id(p): offset + k for k, p in enumerate(group["params"])}
        for key, value in in_group.items():
            index.setdefault(key, value)
        offset += len(group["params"])
    return index


# ----------------------------------------------------------------------------------------------
# Restoring saved state.

def _restore(value, param, key, step_as_float32):
    """A saved state value made to fit `param`: floating tensors take the param's dtype and
    device, others only its device; 'step' counters keep their dtype unless the group runs
    fused or capturable (then float32). Containers are restored element by element."""
    if isinstance(value, Tensor):
        if key == "step":
            return value.to(dtype=cresset.float32, device=param.device) if step_as_float32 \
                else value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _restore(v, param, k, step_as_float32) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_restore(v, param, None, step_as_float32) for v in value)
    return value


def _check_group_sizes(live_groups, saved_groups):
    if len(live_groups) != len(saved_groups):
        raise ValueError("loaded state dict has a different number of parameter groups")
    for live, saved in zip(live_groups, saved_groups):
        if len(live["params"]) != len(saved["params"]):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")


def _loaded_group(live, saved):
    """The group that replaces `live`: a private copy of the saved options around the live
    params; the live param_names stay when the saved group has none."""
    group = {key: live["params"] if key == "params" else deepcopy(value)
             for key, value in saved.items()}
    if "param_names" in live and "param_names" not in group:
        group["param_names"] = live["param_names"]
    return group


# ----------------------------------------------------------------------------------------------
# The base class.

class Optimizer:
    r"""Base class for all optimizers (torch.optim.Optimizer).

    Args:
        params (iterable): an iterable of tensors, of (name, tensor) pairs, or of dicts (param
            groups) specifying what should be optimized.
        defaults (dict): default values of the optimization options (used when a parameter group
            does not specify them).
    """

    # Group options added by later torch versions, filled in when older state is loaded.
    _setstate_defaults: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__ and not getattr(cls.__dict__["step"], "hooked", False):
            cls.step = _with_step_hooks(cls.__dict__["step"])

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._hooks = _fresh_hook_tables()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        entries = list(params)
        if not entries:
            raise ValueError("optimizer got an empty parameter list")
        groups = entries if isinstance(entries[0], dict) else [{"params": entries}]
        for group in groups:
            self.add_param_group(group)

    # -- pickling ------------------------------------------------------------------------------

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_hooks" not in self.__dict__:
            self._hooks = _fresh_hook_tables()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, value in self._setstate_defaults.items():
                group.setdefault(key, value)
        for per_param in self.state.values():
            step = per_param.get("step")
            if step is not None and not isinstance(step, Tensor):
                per_param["step"] = cresset.tensor(float(step), dtype=_scalar_dtype())

    def __repr__(self):
        # Every group block opens with a newline and every option line ends with one, so
        # consecutive groups are separated by an empty line and no groups gives "Name ()".
        blocks = (f"\nParameter Group {number}\n"
                  + "".join(f"    {key}: {group[key]}\n" for key in sorted(group)
                            if key != "params")
                  for number, group in enumerate(self.param_groups))
        return f"{type(self).__name__} ({''.join(blocks)})"

    # -- hooks ---------------------------------------------------------------------------------

    def register_step_pre_hook(self, hook):
        """Registers hook(optimizer, args, kwargs) to run before this optimizer's step; it may
        return (args, kwargs) to replace the step's arguments."""
        return _register(self._hooks["step_pre"], hook)

    def register_step_post_hook(self, hook):
        """Registers hook(optimizer, args, kwargs) to run after this optimizer's step."""
        return _register(self._hooks["step_post"], hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Registers hook(optimizer) to run before state_dict()."""
        return _register(self._hooks["state_dict_pre"], hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Registers hook(optimizer, state_dict) run after state_dict(); it may return a new one."""
        return _register(self._hooks["state_dict_post"], hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Registers hook(optimizer, state_dict) run before loading; it may return a new one."""
        return _register(self._hooks["load_pre"], hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Registers hook(optimizer) to run after load_state_dict()."""
        return _register(self._hooks["load_post"], hook, prepend)

    def _run_replacing_hooks(self, event, state_dict):
        """Runs hook(self, state_dict) of `event`; a hook's non-None result replaces the dict."""
        for hook in self._hooks[event].values():
            replaced = hook(self, state_dict)
            if replaced is not None:
                state_dict = replaced
        return state_dict

    # -- state_dict ----------------------------------------------------------------------------

    def state_dict(self):
        """The optimizer state as {'state': {index: {...}}, 'param_groups': [{..., 'params':
        [indices]}]}, params numbered in group order; the state tensors are not copied."""
        for hook in self._hooks["state_dict_pre"].values():
            hook(self)
        index = _state_index(self.param_groups)
        groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {}
        for key, value in self.state.items():
            state[index[id(key)] if isinstance(key, Tensor) else key] = value
        return self._run_replacing_hooks("state_dict_post",
                                         {"state": state, "param_groups": groups})

    def load_state_dict(self, state_dict):
        """Loads a state_dict(): params are matched by position within their groups, saved
        tensors are cast to their parameter's dtype ('step' keeps its own); the saved group
        options are copied, param_names included (the live ones stay when none were saved)."""
        state_dict = self._run_replacing_hooks("load_pre", dict(state_dict))
        saved_groups = state_dict["param_groups"]
        _check_group_sizes(self.param_groups, saved_groups)
        param_of, float32_step = {}, {}
        for live, saved in zip(self.param_groups, saved_groups):
            step_as_float32 = bool(saved.get("fused", False) or saved.get("capturable", False))
            for saved_index, param in zip(saved["params"], live["params"]):
                param_of[saved_index] = param
                float32_step.setdefault(saved_index, step_as_float32)
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of:
                state[param_of[key]] = _restore(value, param_of[key], None, float32_step[key])
            else:
                state[key] = value
        groups = [_loaded_group(live, saved)
                  for live, saved in zip(self.param_groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": groups})
        for hook in self._hooks["load_post"].values():
            hook(self)

    # -- groups and gradients ------------------------------------------------------------------

    def add_param_group(self, param_group):
        """Adds a param group (a dict with 'params' and optional per-group options); the dict
        itself becomes the group, completed with the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        entries = param_group["params"]
        if isinstance(entries, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        entries = [entries] if isinstance(entries, Tensor) else list(entries)
        params, names = _split_names(entries)
        param_group["params"] = params
        if names is not None:
            param_group["param_names"] = names
        self._check_params(params)
        for option, default in self.defaults.items():
            if option not in param_group:
                if default is required:
                    raise ValueError("parameter group didn't specify a value of required "
                                     f"optimization parameter {option}")
                param_group[option] = default
        if len(set(params)) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        self._check_fits_with_groups(param_group)
        self.param_groups.append(param_group)

    def _check_params(self, params):
        """Every entry a tensor, and a leaf (or retaining grad) unless differentiable."""
        may_be_non_leaf = self.defaults.get("differentiable", False)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, "
                                "but one of the params is " + _typename(param))
            if not (may_be_non_leaf or param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

    def _check_fits_with_groups(self, new_group):
        """A new group shares no param with the existing ones, and is named if they are."""
        named = "param_names" in new_group
        if any(("param_names" in group) != named for group in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. "
                             "cannot add param group "
                             f"{'with' if named else 'without'} names to the optimizer")
        taken = {p for group in self.param_groups for p in group["params"]}
        if any(p in taken for p in new_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")

    def zero_grad(self, set_to_none=True):
        """Resets the gradients of all optimized tensors: drops them (the default) or zeroes
        them in place, detached from any graph."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                    continue
                if grad.grad_fn is None:
                    grad.requires_grad_(False)
                else:
                    grad.detach_()
                grad.zero_()

    def step(self, closure=None):
        """Performs a single optimization step."""
        raise NotImplementedError

    # The update of one param in recorded ops, (param, grad, state, group) -> None; see
    # cresset.optim._differentiable.
    _differentiable_update = None

    def _differentiable_step(self, closure=None):
        """step() with differentiable=True: param by param, in recorded ops."""
        loss = self._closure_loss(closure)
        init_state = getattr(self, "_init_state", None)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state and init_state is not None:
                    init_state(state, p, group)
                self._differentiable_update(p, p.grad, state, group)
        return loss

    def _closure_loss(self, closure):
        """The closure's loss, evaluated with grad mode on (step() itself runs without)."""
        if closure is None:
            return None
        prev = _C.is_grad_enabled()
        try:
            _C._set_grad_enabled(True)
            return closure()
        finally:
            _C._set_grad_enabled(prev)


# ----------------------------------------------------------------------------------------------
# Helpers for the concrete optimizers.

def _scalar_dtype():
    return cresset.float64 if cresset.get_default_dtype() == cresset.float64 else cresset.float32


def _new_step(p=None, group=None):
    """The 'step' state of param p: a 0-dim float tensor where torch 2.x keeps it, on the CPU
    unless the group is capturable or fused (then on p's device, and float32 when fused)."""
    if p is not None and group is not None and (group.get("capturable") or group.get("fused")):
        dtype = cresset.float32 if group.get("fused") else _scalar_dtype()
        return cresset.zeros((), dtype=dtype, device=p.device)
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


def _no_grad_step(step):
    """Runs a step without recording the graph; with differentiable=True, the optimizer's
    _differentiable_update in recorded ops instead (torch runs such steps with grad mode on)."""

    @wraps(step)
    def graph_free_step(self, *args, **kwargs):
        differentiable = self.defaults.get("differentiable", False)
        prev = _C.is_grad_enabled()
        try:
            _C._set_grad_enabled(differentiable)
            if differentiable:
                return self._differentiable_step(*args, **kwargs)
            return step(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(prev)

    return graph_free_step


class _FusedOptimizer(Optimizer):
    """An optimizer whose update is one fused C++ call per param group: _kernel (a
    cresset._C._optim function) gets the params that have grads, their grads, the state lists
    named by _state_keys(group) (None: an unused, empty list) and _options(group)."""

    _kernel = None

    def _state_keys(self, group):
        raise NotImplementedError

    def _init_state(self, state, p, group):
        """A param's first state: 'step', then zeros for the other state keys."""
        state["step"] = _new_step(p, group)
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

    @_no_grad_step
    def step(self, closure=None):
        """Performs a single optimization step; returns the closure's loss."""
        return self._fused_step(closure)


def _split_by_dtype(lists):
    """Parallel lists (lists[0] the params) split so each part holds one params dtype and device
    and each param once; a param listed twice is updated twice, in order, as torch does."""
    params = lists[0]
    dtype, cuda = params[0].dtype, params[0].is_cuda
    # is_cuda first: building every param's device object costs more than the CPU update.
    same = all(p.dtype == dtype and p.is_cuda == cuda for p in params)
    if same and cuda:
        device = params[0].device
        same = all(p.device == device for p in params)
    if same and len(set(map(id, params))) == len(params):
        return [lists]
    seen = {}
    keys = []
    for p in params:
        rank = seen.get(id(p), 0)
        seen[id(p)] = rank + 1
        keys.append((rank, p.dtype, str(p.device)))
    parts = []
    for key in sorted(dict.fromkeys(keys), key=lambda k: k[0]):
        keep = [i for i, k in enumerate(keys) if k == key]
        parts.append([[values[i] for i in keep] if values else values for values in lists])
    return parts


def _fused(update, lists, options):
    """Calls a fused update over parallel lists, once per params dtype and device."""
    for part in _split_by_dtype(lists):
        update(*part, options)
