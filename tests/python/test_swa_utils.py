"""optim.swa_utils (AveragedModel, SWALR, update_bn and the averaging functions) against real
torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset

TOL = dict(rtol=1e-5, atol=1e-6)


def net(lib):
    torch.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2))


def twin():
    theirs = net(torch)
    ours = net(cresset)
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


def perturb(ours, theirs, seed):
    """The same change to both models' parameters and buffers."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad(), cresset.no_grad():
        for (name, p), q in zip(theirs.state_dict().items(), ours.state_dict().values()):
            if p.is_floating_point():
                delta = torch.randn(p.shape, generator=g)
                p.add_(delta)
                q.add_(to_cresset(delta))
            else:
                p.add_(1)
                q.add_(1)


@pytest.mark.parametrize("kind", ["swa", "ema_avg", "ema_multi", "swa_avg", "buffers"])
def test_averaged_model(kind):
    ours, theirs = twin()
    kwargs = {"swa": {}, "ema_avg": {"avg_fn": "get_ema_avg_fn"},
              "ema_multi": {"multi_avg_fn": "get_ema_multi_avg_fn"},
              "swa_avg": {"avg_fn": "get_swa_avg_fn"}, "buffers": {"use_buffers": True}}[kind]

    def make(lib, model):
        args = {k: (getattr(lib.optim.swa_utils, v)() if isinstance(v, str) else v)
                for k, v in kwargs.items()}
        return lib.optim.swa_utils.AveragedModel(model, **args)
    avg_ours, avg_theirs = make(cresset, ours), make(torch, theirs)
    assert list(avg_ours.state_dict()) == list(avg_theirs.state_dict())
    for step in range(4):
        perturb(ours, theirs, step)
        avg_ours.update_parameters(ours)
        avg_theirs.update_parameters(theirs)
    for (name, a), b in zip(avg_theirs.state_dict().items(), avg_ours.state_dict().values()):
        assert_same(b, a, **TOL)
    x = torch.randn(5, 3)
    avg_ours.eval()
    avg_theirs.eval()
    assert_same(avg_ours(to_cresset(x)), avg_theirs(x), **TOL)


def test_update_bn():
    ours, theirs = twin()
    batches = [torch.randn(8, 3, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    ours.eval()
    theirs.eval()
    cresset.optim.swa_utils.update_bn([(to_cresset(b), 0) for b in batches], ours)
    torch.optim.swa_utils.update_bn([(b, 0) for b in batches], theirs)
    assert not ours.training and ours[1].momentum == 0.1
    assert_same(ours[1].running_mean, theirs[1].running_mean, **TOL)
    assert_same(ours[1].running_var, theirs[1].running_var, **TOL)
    assert_same(ours[1].num_batches_tracked, theirs[1].num_batches_tracked)


@pytest.mark.parametrize("strategy,anneal_epochs", [("cos", 3), ("linear", 4), ("cos", 0)])
def test_swalr(strategy, anneal_epochs):
    lrs = []
    for lib in (cresset, torch):
        params = [lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))]
        opt = lib.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.2}], lr=0.5)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.05, 0.01], anneal_epochs=anneal_epochs,
                                          anneal_strategy=strategy)
        seen = [sched.get_last_lr()]
        for _ in range(6):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        lrs.append(seen)
    flat = [[lr for step in seen for lr in step] for seen in lrs]
    assert flat[0] == pytest.approx(flat[1], rel=1e-12)


def test_swalr_errors():
    for kwargs in [{"anneal_strategy": "step"}, {"anneal_epochs": -1}, {"swa_lr": [0.1, 0.2]}]:
        args = {"swa_lr": 0.1, **kwargs}
        assert_raises_like(
            ValueError,
            lambda: cresset.optim.swa_utils.SWALR(
                cresset.optim.SGD([cresset.nn.Parameter(cresset.zeros(1))], lr=1.0), **args),
            lambda: torch.optim.swa_utils.SWALR(
                torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0), **args))
