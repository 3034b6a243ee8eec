"""torch.optim.lr_scheduler: learning-rate schedules that rewrite an optimizer's group lrs.

Design. `LRScheduler` keeps the bookkeeping every schedule shares: the optimizer, the epoch
counter `last_epoch`, the starting lrs `base_lrs` (each group's `initial_lr`) and the lrs last
written (`get_last_lr()`). A schedule supplies `_chained_lrs()`, the lrs for `last_epoch` derived
from the groups' current lrs (so hand edits and other schedulers stacked on the same optimizer
carry through), and where one exists `_closed_form_lrs()`, the lrs for `last_epoch` from
`base_lrs` alone, used when `step(epoch)` jumps to an explicit epoch. The scheduler's state dict
is its instance dict minus the optimizer, so attribute names are the ones torch saves.
"""

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter

from cresset._C import Tensor
from cresset.optim.optimizer import Optimizer, _to_scalar

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available. Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose.")


# ----------------------------------------------------------------------------------------------
# Helpers shared by the schedules.

def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _per_group(name, optimizer, value):
    """`value` as one entry per param group: a list/tuple must match the group count."""
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {count}.")
        return list(value)
    return [value] * count


def _group_lrs(optimizer):
    return [_to_scalar(group["lr"]) for group in optimizer.param_groups]


def _write(group, key, value):
    """Stores a float hyperparameter, in place when the group holds it as a tensor."""
    if isinstance(group.get(key), Tensor):
        group[key].fill_(value)
    else:
        group[key] = value


def _snapshot(value):
    """A copy of an lr that later in-place updates of a tensor lr will not change."""
    return value.clone() if isinstance(value, Tensor) else value


def _set_momentum(optimizer, use_beta1, momentums):
    """Writes a momentum per group: `momentum`, or beta1 of `betas` for Adam-like optimizers."""
    for group, momentum in zip(optimizer.param_groups, momentums):
        if use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def _momentum_key(optimizer, cycle_momentum):
    """Whether the momentum to cycle is beta1; rejects optimizers that have neither."""
    if not cycle_momentum:
        return False
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option "
                         "enabled")
    return "betas" in optimizer.defaults


def _callable_state(fn):
    """What a state dict keeps of a user callable: nothing for plain functions and lambdas (they
    do not pickle), the attribute dict of a callable object."""
    if fn is None or isinstance(fn, types.FunctionType):
        return None
    return fn.__dict__.copy()


def _restore_callable(fn, saved):
    if saved is not None:
        fn.__dict__.update(saved)


def _mark_stepped(optimizer, args, kwargs):
    optimizer._opt_called = True


def _watch_optimizer_steps(optimizer):
    """Records on the optimizer whether step() ran, for the step-order warning."""
    if "_opt_called" not in vars(optimizer):
        optimizer._opt_called = False
        optimizer.register_step_post_hook(_mark_stepped)


# ----------------------------------------------------------------------------------------------
# Base.

class LRScheduler:
    """Base class: adjusts the lrs of `optimizer`'s param groups once per `step()`.

    With `last_epoch=-1` each group's current lr becomes its `initial_lr`; when resuming
    (`last_epoch` >= 0) the groups must already hold `initial_lr`. Construction performs the first
    step, to epoch `last_epoch + 1`.
    """

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", _snapshot(group["lr"]))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming an optimizer")
        self.base_lrs = [_to_scalar(group["initial_lr"]) for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._get_lr_called_within_step = False
        _watch_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        """The constructor's step; `_is_initial` tells schedules it must not decay the lr."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # -- public API --------------------------------------------------------------------------

    def get_last_lr(self):
        """The lrs the last step wrote, one per param group."""
        return self._last_lr

    def get_lr(self):
        """The lrs for the current `last_epoch` (meant to be called by `step()`)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        return self._chained_lrs()

    def step(self, epoch=None):
        """Advances one epoch; an explicit `epoch` (deprecated) jumps there instead."""
        self._count_step()
        if epoch is None:
            self.last_epoch += 1
            self._apply(self._within_step(self.get_lr))
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self._jump_to(epoch)

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restores attributes saved by `state_dict()`."""
        self.__dict__.update(state_dict)

    # -- for subclasses ----------------------------------------------------------------------

    def _chained_lrs(self):
        raise NotImplementedError

    def _closed_form_lrs(self):
        """Lrs for `last_epoch` from `base_lrs`; schedules without a separate form chain."""
        return self.get_lr()

    def _jump_to(self, epoch):
        """Moves to `epoch` and writes its closed-form lrs (no deprecation warning)."""
        self.last_epoch = epoch
        self._apply(self._within_step(self._closed_form_lrs))

    def _restart(self):
        """Steps back to epoch 0 (SequentialLR hands over to a scheduler this way)."""
        self._count_step()
        self._jump_to(0)

    def _count_step(self):
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", True):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 "
                "and later, you should call them in the opposite order: `optimizer.step()` before "
                "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the "
                "first value of the learning rate schedule. See more details at "
                "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                UserWarning, stacklevel=3)
        self._step_count += 1

    def _within_step(self, compute):
        self._get_lr_called_within_step = True
        try:
            return compute()
        finally:
            self._get_lr_called_within_step = False

    def _apply(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            _write(group, "lr", lr)
        self._last_lr = [_snapshot(group["lr"]) for group in self.optimizer.param_groups]

    def _current(self):
        return _group_lrs(self.optimizer)

    def _scaled(self, factor):
        """The groups' current lrs times `factor`."""
        return [lr * factor for lr in self._current()]

    def _from_base(self, factor):
        """`base_lrs` times `factor`."""
        return [base * factor for base in self.base_lrs]


class _LRScheduler(LRScheduler):
    """Deprecated name of `LRScheduler`, kept for old subclasses."""


# ----------------------------------------------------------------------------------------------
# Schedules that multiply the lr by a factor depending on the epoch.

class StepLR(LRScheduler):
    """Multiplies the lr by `gamma` every `step_size` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        epoch = self.last_epoch
        decays = epoch != 0 and epoch % self.step_size == 0
        return self._scaled(self.gamma) if decays else self._current()

    def _closed_form_lrs(self):
        return self._from_base(self.gamma ** (self.last_epoch // self.step_size))


class MultiStepLR(LRScheduler):
    """Multiplies the lr by `gamma` at each milestone epoch (a repeated milestone counts twice)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        hits = self.milestones[self.last_epoch]
        return self._scaled(self.gamma ** hits) if hits else self._current()

    def _closed_form_lrs(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return self._from_base(self.gamma ** passed)


class ConstantLR(LRScheduler):
    """Scales the lr by `factor` for the first `total_iters` epochs, then restores it."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        if self.last_epoch == 0:
            return self._scaled(self.factor)
        if self.last_epoch == self.total_iters:
            return self._scaled(1.0 / self.factor)
        return self._current()

    def _closed_form_lrs(self):
        done = self.last_epoch >= self.total_iters
        return self._from_base(1.0 if done else self.factor)


class _FactorCurve(LRScheduler):
    """A schedule given as a factor curve `_factor(epoch)` on the base lr, flat after
    `total_iters`. Chained steps multiply by the ratio of consecutive factors."""

    def _factor(self, epoch):
        raise NotImplementedError

    def _chained_lrs(self):
        epoch = self.last_epoch
        if epoch == 0:
            return self._scaled(self._factor(0))
        if self._is_initial or epoch > self.total_iters:
            return self._current()
        return self._scaled(self._factor(epoch) / self._factor(epoch - 1))

    def _closed_form_lrs(self):
        return self._from_base(self._factor(self.last_epoch))


class LinearLR(_FactorCurve):
    """Moves the lr factor linearly from `start_factor` to `end_factor` over `total_iters`."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        span = self.end_factor - self.start_factor
        return self.start_factor + span * min(epoch, self.total_iters) / self.total_iters


class ExponentialLR(LRScheduler):
    """Multiplies the lr by `gamma` every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        return self._current() if self._is_initial else self._scaled(self.gamma)

    def _closed_form_lrs(self):
        return self._from_base(self.gamma ** self.last_epoch)


class PolynomialLR(_FactorCurve):
    """Decays the lr as (1 - epoch / total_iters) ** power, reaching 0 at `total_iters`."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch):
        return (1.0 - min(epoch, self.total_iters) / self.total_iters) ** self.power


class _LambdaSchedule(LRScheduler):
    """Holds one user lambda per group; the state keeps callable objects' attributes only."""

    def __init__(self, optimizer, lr_lambda, last_epoch):
        _check_optimizer(optimizer)
        count = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != count:
                raise ValueError(f"Expected {count} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * count
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = super().state_dict()
        state["lr_lambdas"] = [_callable_state(fn) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        super().load_state_dict(state)
        for fn, fn_state in zip(self.lr_lambdas, saved):
            _restore_callable(fn, fn_state)


class LambdaLR(_LambdaSchedule):
    """Sets each group's lr to its base lr times `lr_lambda(epoch)`."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def _chained_lrs(self):
        epoch = self.last_epoch
        return [base * fn(epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class MultiplicativeLR(_LambdaSchedule):
    """Multiplies each group's lr by `lr_lambda(epoch)` every epoch."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def _chained_lrs(self):
        if self._is_initial:
            return self._current()
        epoch = self.last_epoch
        return [lr * fn(epoch) for lr, fn in zip(self._current(), self.lr_lambdas)]


# ----------------------------------------------------------------------------------------------
# Cosine schedules.

def _cosine_weight(position, period):
    """(1 + cos(pi * position / period)) / 2: 1 at the start of a period, 0 at its end."""
    return (1.0 + math.cos(math.pi * position / period)) / 2.0


class CosineAnnealingLR(LRScheduler):
    """Anneals the lr from its base value to `eta_min` along a half cosine of `T_max` epochs
    (and back up over the next `T_max`, periodically).

    Stepping without an epoch rescales the distance to `eta_min` by the ratio of consecutive
    cosine weights, so an lr edited by hand keeps being annealed from where it stands. At the
    bottom of a period, where that ratio is undefined, the lr climbs by the weight's increment.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        epoch, period, floor = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current()
        previous = _cosine_weight(epoch - 1, period)
        if (epoch - 1 - period) % (2 * period) == 0:  # previous epoch was a trough
            rise = _cosine_weight(epoch, period) - previous
            return [lr + (base - floor) * rise
                    for lr, base in zip(self._current(), self.base_lrs)]
        ratio = _cosine_weight(epoch, period) / previous
        return [floor + (lr - floor) * ratio for lr in self._current()]

    def _closed_form_lrs(self):
        weight = _cosine_weight(self.last_epoch, self.T_max)
        return [self.eta_min + (base - self.eta_min) * weight for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from the base lr to `eta_min` that restarts after `T_0` epochs, each
    following period `T_mult` times longer. `step(epoch)` accepts fractional epochs."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        # torch raises ValueError for all three, wrong types included.
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "  # noqa: TRY004
                             f"{type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _chained_lrs(self):
        weight = _cosine_weight(self.T_cur, self.T_i)
        return [self.eta_min + (base - self.eta_min) * weight for base in self.base_lrs]

    def step(self, epoch=None):
        """Advances one epoch, or moves to `epoch` (may be fractional)."""
        self._step_count += 1  # no step-order warning: fractional epochs step mid-iteration
        if epoch is None and self.last_epoch >= 0:
            self.last_epoch += 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
            self._apply(self._within_step(self._chained_lrs))
        else:
            self._jump_to(0 if epoch is None else epoch)

    def _jump_to(self, epoch):
        if epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        if self.T_mult == 1:
            self.T_cur, self.T_i = epoch % self.T_0, self.T_0
        else:
            # Periods grow geometrically, so only logarithmically many are skipped.
            position, period = epoch, self.T_0
            while position >= period:
                position -= period
                period *= self.T_mult
            self.T_cur, self.T_i = position, period
        self.last_epoch = math.floor(epoch)
        self._apply(self._within_step(self._chained_lrs))


# ----------------------------------------------------------------------------------------------
# Cyclical schedules (per-iteration; they also cycle the momentum inversely to the lr).

# Built-in CyclicLR modes and what their amplitude scale is a function of.
_CYCLIC_SCALE_MODES = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}


class CyclicLR(LRScheduler):
    """Cycles the lr between `base_lr` and `max_lr`: `step_size_up` iterations up, then
    `step_size_down` down. The amplitude is scaled per cycle ('triangular2': halved each
    cycle) or per iteration ('exp_range': gamma ** iteration), or by a custom `scale_fn`."""

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        _check_optimizer(optimizer)
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                _write(group, "lr", lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in _CYCLIC_SCALE_MODES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else _CYCLIC_SCALE_MODES[mode]
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key(optimizer, cycle_momentum)
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                _set_momentum(optimizer, self.use_beta1, self.max_momentums)
                for group, low, high in zip(optimizer.param_groups, self.base_momentums,
                                            self.max_momentums):
                    group["base_momentum"] = low
                    group["max_momentum"] = high
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """Amplitude scale for cycle number / iteration `x`."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        if self.mode == "exp_range":
            return self.gamma ** x
        return 1.0

    def _chained_lrs(self):
        progress = self.last_epoch / self.total_size
        cycle = math.floor(1 + progress)
        x = 1.0 + progress - cycle  # position within the cycle, in [0, 1)
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [low + (high - low) * height * scale
               for low, high in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            _set_momentum(self.optimizer, self.use_beta1,
                          [high - (high - low) * height * scale
                           for low, high in zip(self.base_momentums, self.max_momentums)])
        return lrs

    def state_dict(self):
        state = super().state_dict()
        state["_scale_fn_custom"] = _callable_state(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        _restore_callable(self._scale_fn_custom, saved)


def _anneal(strategy, start, end, fraction):
    """Interpolates from `start` to `end`: along a half cosine or a straight line."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
    return start + (end - start) * fraction


def _positive_int(name, value):
    if value <= 0 or not isinstance(value, int):
        raise ValueError(f"Expected positive integer {name}, but got {value}")
    return value


class OneCycleLR(LRScheduler):
    """The 1cycle policy: the lr rises from max_lr / div_factor to `max_lr`, then anneals to
    max_lr / (div_factor * final_div_factor) over `total_steps` (= epochs * steps_per_epoch)
    iterations; `three_phase` comes back to the start value before the final descent. Momentum
    moves opposite to the lr, between `max_momentum` and `base_momentum`."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        _check_optimizer(optimizer)
        if total_steps is not None:
            self.total_steps = _positive_int("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_positive_int("epochs", epochs)
                                * _positive_int("steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._schedule_phases = self._phases(pct_start, three_phase)
        self._anneal_func_type = anneal_strategy
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups,
                                   _per_group("max_lr", optimizer, max_lr)):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key(optimizer, cycle_momentum)
            if last_epoch == -1:
                highs = _per_group("max_momentum", optimizer, max_momentum)
                lows = _per_group("base_momentum", optimizer, base_momentum)
                _set_momentum(optimizer, self.use_beta1, highs)
                for group, low, high in zip(optimizer.param_groups, lows, highs):
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start, three_phase):
        """Phase table: last step of each phase and the group keys it moves between."""
        warm_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1

        def phase(end_step, lrs, momentums):
            return {"end_step": end_step, "start_lr": lrs[0], "end_lr": lrs[1],
                    "start_momentum": momentums[0], "end_momentum": momentums[1]}

        rise = phase(warm_end, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum"))
        if not three_phase:
            return [rise, phase(last, ("max_lr", "min_lr"), ("base_momentum", "max_momentum"))]
        return [rise,
                phase(2 * warm_end, ("max_lr", "initial_lr"), ("base_momentum", "max_momentum")),
                phase(last, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum"))]

    def _locate(self, step):
        """The phase holding `step` (the last one takes any overflow) and its done fraction."""
        phases = self._schedule_phases
        index, start = 0, 0
        while index < len(phases) - 1 and step > phases[index]["end_step"]:
            start = phases[index]["end_step"]
            index += 1
        return phases[index], (step - start) / (phases[index]["end_step"] - start)

    def _chained_lrs(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        phase, fraction = self._locate(step)
        kind = self._anneal_func_type
        groups = self.optimizer.param_groups
        lrs = [_anneal(kind, g[phase["start_lr"]], g[phase["end_lr"]], fraction) for g in groups]
        if self.cycle_momentum:
            _set_momentum(self.optimizer, self.use_beta1,
                          [_anneal(kind, g[phase["start_momentum"]], g[phase["end_momentum"]],
                                   fraction) for g in groups])
        return lrs


# ----------------------------------------------------------------------------------------------
# Metric-driven schedule.

class ReduceLROnPlateau(LRScheduler):
    """Multiplies the lr by `factor` once the metric passed to `step(metric)` has not improved
    for more than `patience` epochs, then waits `cooldown` epochs before counting again.

    Improvement means beating the best value by `threshold`, relatively ('rel') or absolutely
    ('abs'), downwards in mode 'min' and upwards in 'max'. Lrs never go below `min_lr`, and
    changes smaller than `eps` are skipped.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        _check_optimizer(optimizer)
        if mode not in ("min", "max"):
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _group_lrs(optimizer)
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, value, best):
        """Whether `value` beats `best` by more than the threshold."""
        direction = 1.0 if self.mode == "max" else -1.0
        if self.threshold_mode == "rel":
            bar = best * (1.0 + direction * self.threshold)
        else:
            bar = best + direction * self.threshold
        return value > bar if self.mode == "max" else value < bar

    def step(self, metrics, epoch=None):
        """Records the epoch's metric and reduces the lrs if it has plateaued."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _group_lrs(self.optimizer)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The optimizer has {len(groups)} param groups but ReduceLROnPlateau holds "
                    f"{len(self.min_lrs)} min_lrs (a param group was added after it was "
                    "created); set `min_lrs` to one value per param group.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, floor in zip(groups, self.min_lrs):
            old = _to_scalar(group["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                _write(group, "lr", new)


# ----------------------------------------------------------------------------------------------
# Schedules composed of other schedulers.

def _check_members(kind, optimizer, schedulers):
    """Members must be plain (epoch-driven) schedulers of `optimizer`."""
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{kind} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{kind} does not support `ReduceLROnPlateau` scheduler as it "  # noqa: TRY004
                             "requires additional kwargs to be specified when calling `step`, "
                             f"but got one at index {i} in the given schedulers sequence.")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{kind} expects all schedulers to belong to the same optimizer, but "
                             f"got scheduler {type(scheduler).__name__} at index {i} has "
                             f"{scheduler.optimizer}, which is different from {optimizer}.")


class _Composite(LRScheduler):
    """State handling of schedulers made of other schedulers: their states nest in
    `_schedulers`."""

    def _restart(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be restarted at epoch 0 as a "
                                  "later stage of SequentialLR")

    def state_dict(self):
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        nested = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, scheduler_state in zip(self._schedulers, nested):
            scheduler.load_state_dict(scheduler_state)


class SequentialLR(_Composite):
    """Runs `schedulers` one after another, switching at each epoch in `milestones`; each
    scheduler starts again from its own epoch 0 when its turn comes."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        _check_optimizer(optimizer)
        if len(schedulers) == 0:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check_members("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # Constructing the members already stepped the lrs; start over from the initial lrs and
        # let only the first scheduler take its initial step.
        for group in optimizer.param_groups:
            _write(group, "lr", _to_scalar(group["initial_lr"]))
        self.recursive_undo()
        self._schedulers[0]._initial_step()
        self._last_lr = self._schedulers[0].get_last_lr()

    def recursive_undo(self, sched=None):
        """Rewinds `sched` (this scheduler when None) by one epoch, member by member."""
        scheduler = self if sched is None else sched
        if hasattr(scheduler, "_schedulers"):
            for member in scheduler._schedulers:
                self.recursive_undo(member)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self):
        """Advances the active scheduler; a newly active one restarts at epoch 0."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Steps every scheduler in `schedulers` each epoch, so their effects compound."""

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) == 0:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but "
                             "got no scheduler.")
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_members("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _group_lrs(optimizer)

    def step(self):
        """Steps each member in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _group_lrs(self.optimizer)
