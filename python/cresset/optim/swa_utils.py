"""Stochastic weight averaging and exponential moving averages of a model's weights
(torch.optim.swa_utils): AveragedModel, the SWALR schedule and update_bn."""
import copy
import itertools
import math

import cresset
from cresset.nn.modules.batchnorm import _BatchNorm
from cresset.nn.modules.module import Module
from cresset.optim.lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_avg_fn", "get_ema_multi_avg_fn",
           "get_swa_avg_fn", "get_swa_multi_avg_fn"]


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place update of a list of averages: each moves (1 - decay) of the way to its
    parameter."""
    def ema_update(ema_params, current_params, num_averaged):
        for ema, current in zip(ema_params, current_params):
            if ema.is_floating_point():
                ema.lerp_(current, 1 - decay)
            else:
                ema.copy_(ema * decay + current * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place update of a list of running means of the parameters seen so far."""
    def swa_update(averaged_params, current_params, num_averaged):
        for averaged, current in zip(averaged_params, current_params):
            if averaged.is_floating_point():
                averaged.lerp_(current, 1 / (num_averaged + 1))
            else:  # integer buffers: the step rounds toward zero, as torch's integer addcdiv
                averaged.add_(cresset.div(current - averaged, num_averaged + 1,
                                          rounding_mode="trunc"))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one parameter, as a new tensor."""
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """The running mean of one parameter, as a new tensor."""
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose parameters (and buffers, with use_buffers) hold an average of the
    values update_parameters() sees: their mean by default, or what avg_fn / multi_avg_fn make."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        assert avg_fn is None or multi_avg_fn is None, (
            "Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", cresset.tensor(0, dtype=cresset.long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        extra = model.buffers() if self.use_buffers else ()
        return itertools.chain(model.parameters(), extra)

    @cresset.no_grad()
    def update_parameters(self, model):
        """Folds `model`'s current parameters into the averages (the first call copies them)."""
        averages = [p.detach() for p in self._averaged_tensors(self.module)]
        currents = [p.detach().to(a.device) for p, a in
                    zip(self._averaged_tensors(model), averages)]
        n = int(self.n_averaged)
        if n == 0:
            for a, c in zip(averages, currents):
                a.copy_(c)
        elif self.avg_fn is not None:
            for a, c in zip(averages, currents):
                a.copy_(self.avg_fn(a, c, self.n_averaged.to(a.device)))
        else:
            update = self.multi_avg_fn or get_swa_multi_avg_fn()
            # Grouped by device and dtype, as torch's foreach updates are.
            groups = {}
            for a, c in zip(averages, currents):
                groups.setdefault((a.device, a.dtype), ([], []))
                groups[(a.device, a.dtype)][0].append(a)
                groups[(a.device, a.dtype)][1].append(c)
            for (device, _), (group_a, group_c) in groups.items():
                update(group_a, group_c, self.n_averaged.to(device))
        if not self.use_buffers:
            # Buffers are not averaged: they follow the source model.
            for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                b_avg.detach().copy_(b_model.detach().to(b_avg.device))
        self.n_averaged += 1


@cresset.no_grad()
def update_bn(loader, model, device=None):
    """Recomputes the running statistics of every BatchNorm in `model` with one pass over
    `loader` (a cumulative average over its batches)."""
    momenta = {m: m.momentum for m in model.modules() if isinstance(m, _BatchNorm)}
    if not momenta:
        return
    for module in momenta:
        module.reset_running_stats()
        module.momentum = None
    was_training = model.training
    model.train()
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to its swa_lr over anneal_epochs steps (cosine or linear), then
    holds it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must by one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" \
            else self._linear_anneal
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The lr the schedule started from, given the current lr at annealing fraction alpha."""
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def _chained_lrs(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        return [g["swa_lr"] * alpha + start * (1 - alpha) for g, start in zip(groups, starts)]
