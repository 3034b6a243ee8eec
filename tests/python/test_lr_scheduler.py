"""cresset.optim.lr_scheduler against torch's: lr (and momentum) sequences, state_dict."""
import contextlib
import warnings

import pytest
import torch

import cresset


def _flat(values):
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, (list, tuple)) else [v])
    return out


def _same(ours, theirs):
    assert _flat(ours) == pytest.approx(_flat(theirs), rel=1e-12, abs=1e-15)


def _opt(lib, name="SGD", groups=2, **kwargs):
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    group_list = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
    kwargs = kwargs or ({"lr": 0.1, "momentum": 0.9} if name == "SGD" else {})
    return getattr(lib.optim, name)(group_list, **kwargs)


def _make(lib, spec, opt):
    sched = getattr(lib.optim.lr_scheduler, spec[0])
    return sched(opt, **spec[1](lib, opt)) if callable(spec[1]) else sched(opt, **spec[1])


def _lambda(lib, opt):
    return {"lr_lambda": lambda epoch: 0.95 ** epoch}


SPECS = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 10, 10, 25], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}),
    ("LambdaLR", _lambda),
    ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.97}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 12}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 8}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 40}),
    ("OneCycleLR", {"max_lr": [0.5, 1.0], "total_steps": 40, "anneal_strategy": "linear",
                    "three_phase": True}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5,
                  "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "exp_range",
                  "gamma": 0.9}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4,
                  "scale_fn": lambda x: 1 / (x + 1), "scale_mode": "iterations"}),
]


def _trace(lib, spec, steps=40, name="SGD"):
    opt = _opt(lib, name)
    sched = _make(lib, spec, opt)
    lrs, moms = [sched.get_last_lr()], []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        g = opt.param_groups[0]
        moms.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return lrs, moms, sched, opt


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SPECS)])
def test_lr_sequence_matches_torch(spec):
    ours, theirs = _trace(cresset, spec), _trace(torch, spec)
    assert len(ours[0]) == len(theirs[0])
    _same(ours[0], theirs[0])
    _same(ours[1], theirs[1])
    assert ours[3].param_groups[1]["lr"] == pytest.approx(theirs[3].param_groups[1]["lr"])


@pytest.mark.parametrize("spec", [s for s in SPECS if s[0] in ("OneCycleLR", "CyclicLR")][:2])
def test_cycle_momentum_with_adam_betas(spec):
    ours, theirs = _trace(cresset, spec, name="Adam"), _trace(torch, spec, name="Adam")
    _same(ours[1], theirs[1])
    _same(ours[0], theirs[0])


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SPECS)])
def test_state_dict_round_trip(spec):
    _, _, sched, opt = _trace(cresset, spec, steps=13)
    _, _, sched_t, _ = _trace(torch, spec, steps=13)
    sd = sched.state_dict()
    assert sorted(sd) == sorted(sched_t.state_dict())
    # Resume as torch documents: build the scheduler, load its state, then the optimizer's.
    opt2 = _opt(cresset)
    sched2 = _make(cresset, spec, opt2)
    sched2.load_state_dict(sd)
    for g, g2 in zip(opt.param_groups, opt2.param_groups):
        g2.update({k: v for k, v in g.items() if k != "params"})
    assert sched2.last_epoch == sched.last_epoch and sched2.get_last_lr() == sched.get_last_lr()
    for _ in range(5):
        opt.step()
        sched.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()


def test_warm_restarts_float_epochs():
    traces = []
    for lib in (cresset, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        out = []
        for epoch in range(12):
            for i in range(4):
                sched.step(epoch + i / 4)
                out.append(sched.get_last_lr())
        traces.append(out)
    _same(traces[0], traces[1])


@pytest.mark.parametrize("kwargs", [
    {}, {"mode": "max", "factor": 0.5, "patience": 2, "threshold_mode": "abs", "cooldown": 2},
    {"patience": 1, "min_lr": [0.02, 0.05], "threshold": 0.1}, {"patience": 0, "eps": 0.05}])
def test_reduce_lr_on_plateau(kwargs):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.81, 0.82, 0.83, 0.9, 0.9, 0.7] * 3
    traces = []
    for lib in (cresset, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append(sched.get_last_lr())
        traces.append((out, sorted(sched.state_dict())))
    _same(traces[0][0], traces[1][0])
    assert traces[0][1] == traces[1][1]


def _composite(lib, kind):
    opt = _opt(lib)
    ls = lib.optim.lr_scheduler
    a = ls.LinearLR(opt, start_factor=0.1, total_iters=5)
    b = ls.CosineAnnealingLR(opt, T_max=20)
    if kind == "sequential":
        return opt, ls.SequentialLR(opt, schedulers=[a, b], milestones=[5])
    return opt, ls.ChainedScheduler([a, ls.ExponentialLR(opt, gamma=0.9)], optimizer=opt)


@pytest.mark.parametrize("kind", ["sequential", "chained"])
def test_sequential_and_chained(kind):
    traces = []
    for lib in (cresset, torch):
        opt, sched = _composite(lib, kind)
        out = [sched.get_last_lr()]
        for _ in range(30):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        traces.append((out, sorted(sched.state_dict())))
    _same(traces[0][0], traces[1][0])
    assert traces[0][1] == traces[1][1]
    # Round trip through state_dict.
    opt, sched = _composite(cresset, kind)
    for _ in range(7):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    _, sched2 = _composite(cresset, kind)
    sched2.load_state_dict(sd)
    assert sched2.last_epoch == sched.last_epoch if kind == "sequential" else True
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_cosine_recursive_formula_off_closed_form():
    # The recursive form follows an lr changed by hand; the closed form would not.
    traces = []
    for lib in (cresset, torch):
        opt = _opt(lib, groups=1)
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
        out = []
        for i in range(30):
            opt.step()
            sched.step()
            if i == 4:
                opt.param_groups[0]["lr"] = 0.05
            out.append(sched.get_last_lr()[0])
        traces.append(out)
    _same(traces[0], traces[1])


def test_errors():
    for lib in (cresset, torch):
        opt = _opt(lib)
        ls = lib.optim.lr_scheduler
        with pytest.raises(TypeError, match="is not an Optimizer"):
            ls.StepLR(object(), step_size=2)
        with pytest.raises(ValueError, match="Factor should be < 1.0."):
            ls.ReduceLROnPlateau(opt, factor=1.5)
        with pytest.raises(ValueError, match="mode foo is unknown!"):
            ls.ReduceLROnPlateau(opt, mode="foo")
        with pytest.raises(ValueError, match="Expected positive integer T_0"):
            ls.CosineAnnealingWarmRestarts(opt, T_0=0)
        with pytest.raises(ValueError, match="You must define either total_steps"):
            ls.OneCycleLR(opt, max_lr=0.1)
        with pytest.raises(KeyError, match="initial_lr"):
            ls.StepLR(_opt(lib), step_size=2, last_epoch=3)
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            sched = ls.OneCycleLR(opt, max_lr=0.1, total_steps=3)
            for _ in range(5):
                opt.step()
                sched.step()


_JUMPS = [5, 2, 9, 0, 1, 13, 7, 3, 20, 4]


@pytest.mark.parametrize("spec", SPECS[:11], ids=[f"{s[0]}-{i}" for i, s in enumerate(SPECS[:11])])
def test_explicit_epochs_use_closed_form(spec):
    traces = []
    for lib in (cresset, torch):
        opt = _opt(lib)
        sched = _make(lib, spec, opt)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the deprecation warning is tested on its own
            for epoch in _JUMPS:
                opt.step()
                sched.step(epoch)
                out.append(sched.get_last_lr())
        for _ in range(6):  # chaining on from an explicit epoch
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        traces.append(out)
    _same(traces[0], traces[1])


@pytest.mark.parametrize("spec", SPECS[:11], ids=[f"{s[0]}-{i}" for i, s in enumerate(SPECS[:11])])
def test_resume_from_last_epoch(spec):
    traces = []
    for lib in (cresset, torch):
        opt = _opt(lib)
        for g in opt.param_groups:
            g["initial_lr"], g["lr"] = g["lr"], g["lr"] * 0.7
        sched = getattr(lib.optim.lr_scheduler, spec[0])(
            opt, last_epoch=3, **(spec[1](lib, opt) if callable(spec[1]) else spec[1]))
        out = [sched.last_epoch, sched.get_last_lr()]
        for _ in range(15):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        traces.append(out)
    _same(traces[0], traces[1])


def test_lr_edited_by_hand_and_step_zero():
    traces = []
    for lib in (cresset, torch):
        out = []
        for name, kwargs in [("ExponentialLR", {"gamma": 0.9}), ("PolynomialLR", {"power": 0.5}),
                             ("MultiplicativeLR", {"lr_lambda": lambda e: 0.8}),
                             ("LinearLR", {"start_factor": 0.5, "total_iters": 9})]:
            opt = _opt(lib)
            sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
            for i in range(12):
                opt.step()
                if i == 6:
                    with pytest.warns(UserWarning, match="epoch parameter"):
                        sched.step(0)
                else:
                    with _no_warning():
                        sched.step()
                if i == 3:
                    opt.param_groups[1]["lr"] = 0.07
                out.append(sched.get_last_lr())
        traces.append(out)
    _same(traces[0], traces[1])


@contextlib.contextmanager
def _no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_composites_of_more_kinds():
    def build(lib, kind):
        opt = _opt(lib)
        ls = lib.optim.lr_scheduler
        if kind == 0:
            return opt, ls.SequentialLR(opt, [ls.ConstantLR(opt, factor=0.5, total_iters=3),
                                              ls.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2),
                                              ls.ExponentialLR(opt, 0.8)], milestones=[4, 15])
        return opt, ls.ChainedScheduler([ls.PolynomialLR(opt, 10, 2.0), ls.CosineAnnealingLR(opt, 5),
                                         ls.MultiStepLR(opt, [3, 6])])
    for kind in (0, 1):
        traces = []
        for lib in (cresset, torch):
            opt, sched = build(lib, kind)
            out = [sched.get_last_lr()]
            for _ in range(25):
                opt.step()
                sched.step()
                out.append(sched.get_last_lr() + [g["lr"] for g in opt.param_groups])
            traces.append(out)
        _same(traces[0], traces[1])


def test_warnings_match_torch():
    def run(lib):
        ls = lib.optim.lr_scheduler
        opt = _opt(lib)
        sched = ls.StepLR(opt, 2)
        sched.step()  # before optimizer.step()
        opt.step()
        sched.step()
        sched.get_lr()  # outside step()
        sched.step(3)  # explicit epoch
        restarts = ls.CosineAnnealingWarmRestarts(_opt(lib), 2)
        restarts.step(1.5)  # fractional epochs are its normal use: no warning
        plateau = ls.ReduceLROnPlateau(_opt(lib))
        plateau.step(1.0, 4)
        seq_opt = _opt(lib)
        seq = ls.SequentialLR(seq_opt, [ls.StepLR(seq_opt, 2), ls.ExponentialLR(seq_opt, 0.9)], [2])
        for _ in range(4):
            seq_opt.step()
            seq.step()

    messages = []
    for lib in (cresset, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run(lib)
        messages.append([(w.category, str(w.message)) for w in caught])
    assert len(messages[0]) == 4
    assert messages[0] == messages[1]


def test_callable_object_state_is_saved():
    class Decay:
        def __init__(self):
            self.rate = 0.9

        def __call__(self, epoch):
            return self.rate ** epoch

    for lib in (cresset, torch):
        fn = Decay()
        sched = lib.optim.lr_scheduler.LambdaLR(_opt(lib), [fn, lambda e: 1.0])
        fn.rate = 0.5
        state = sched.state_dict()
        assert state["lr_lambdas"] == [{"rate": 0.5}, None]
        fresh = Decay()
        lib.optim.lr_scheduler.LambdaLR(_opt(lib), [fresh, lambda e: 1.0]).load_state_dict(state)
        assert fresh.rate == 0.5


def test_tensor_lr_is_updated_in_place():
    p = cresset.zeros(2, requires_grad=True)
    opt = cresset.optim.SGD([p], lr=cresset.tensor(0.1))
    lr = opt.param_groups[0]["lr"]
    sched = cresset.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
    first = sched.get_last_lr()[0]
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(0.05)
    assert first.item() == pytest.approx(0.1)  # get_last_lr() holds copies


def test_warm_restarts_period_boundaries_are_exact():
    # Restart epochs of T_0=1, T_mult=3 are 1, 4, 13, 40, 121; each must start a new period.
    # (torch derives the period with a float log and lands at the end of the previous period
    # instead at 121; we count periods exactly.)
    sched = cresset.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(cresset), T_0=1, T_mult=3)
    for start, period in [(1, 3), (4, 9), (13, 27), (40, 81), (121, 243)]:
        sched.step(start)
        assert (sched.T_cur, sched.T_i) == (0, period)
        assert sched.get_last_lr() == pytest.approx([0.1, 0.2])


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what we compare
        return type(e), str(e)
    return None


_BAD = [
    lambda ls, o: ls.ConstantLR(o, factor=1.5),
    lambda ls, o: ls.LinearLR(o, start_factor=0),
    lambda ls, o: ls.LinearLR(o, end_factor=2),
    lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=2.0),
    lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="a"),
    lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda ls, o: ls.LambdaLR(o, [lambda e: 1]),
    lambda ls, o: ls.OneCycleLR(o, 0.1, total_steps=0),
    lambda ls, o: ls.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=2),
    lambda ls, o: ls.OneCycleLR(o, 0.1, total_steps=5, pct_start=1.5),
    lambda ls, o: ls.OneCycleLR(o, 0.1, total_steps=5, anneal_strategy="x"),
    lambda ls, o: ls.OneCycleLR(o, [0.1], total_steps=5),
    lambda ls, o: ls.CyclicLR(o, 0.1, 0.2, mode="x"),
    lambda ls, o: ls.CyclicLR(o, [0.1] * 3, 0.2),
    lambda ls, o: ls.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda ls, o: ls.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda ls, o: ls.SequentialLR(o, [], []),
    lambda ls, o: ls.SequentialLR(o, [ls.StepLR(o, 2)], [3]),
    lambda ls, o: ls.SequentialLR(o, [ls.StepLR(o, 2), ls.ReduceLROnPlateau(o)], [3]),
    lambda ls, o: ls.ChainedScheduler([]),
]


@pytest.mark.parametrize("index", range(len(_BAD)))
def test_argument_errors_match_torch(index):
    ours = _error(lambda: _BAD[index](cresset.optim.lr_scheduler, _opt(cresset)))
    theirs = _error(lambda: _BAD[index](torch.optim.lr_scheduler, _opt(torch)))
    assert ours is not None and ours == theirs


def test_cyclic_needs_momentum_or_betas():
    for lib in (cresset, torch):
        with pytest.raises(ValueError, match="must support momentum or beta1"):
            lib.optim.lr_scheduler.CyclicLR(_opt(lib, "Adagrad"), 0.01, 0.1)
        lib.optim.lr_scheduler.CyclicLR(_opt(lib, "Adagrad"), 0.01, 0.1, cycle_momentum=False)
