"""Loss functions against torch: values, gradients, grad_fn names, reductions, errors."""
import warnings

import cresset.nn.functional as CF
import pytest
import torch
import torch.nn.functional as TF
from utils import assert_raises_like, assert_same, to_cresset

import cresset

REDUCTIONS = ["none", "mean", "sum"]


def check(name, *tensors, grad_inputs=(0,), dtype=torch.float64, rtol=None, atol=None,
          check_grad_fn=True, **kwargs):
    """F.<name>(*tensors, **kwargs) in both libraries: result, grad_fn name, and the gradients of
    the inputs listed in grad_inputs for a random output gradient."""
    theirs_in, ours_in = [], []
    for i, t in enumerate(tensors):
        if isinstance(t, torch.Tensor):
            if t.is_floating_point():
                t = t.to(dtype)
            c = to_cresset(t)
            if i in grad_inputs:
                t = t.detach().requires_grad_()
                c.requires_grad_()
            theirs_in.append(t)
            ours_in.append(c)
        else:
            theirs_in.append(t)
            ours_in.append(t)
    kw_ours = {k: to_cresset(v.to(dtype) if isinstance(v, torch.Tensor) and v.is_floating_point()
                             else v) for k, v in kwargs.items()}
    kw_theirs = {k: v.to(dtype) if isinstance(v, torch.Tensor) and v.is_floating_point() else v
                 for k, v in kwargs.items()}
    theirs = getattr(TF, name)(*theirs_in, **kw_theirs)
    ours = getattr(CF, name)(*ours_in, **kw_ours)
    assert_same(ours, theirs.detach(), rtol=rtol, atol=atol)
    if not grad_inputs:
        return ours
    if check_grad_fn:
        assert ours.grad_fn.name() == theirs.grad_fn.name()
    g = torch.rand(theirs.shape, dtype=theirs.dtype) + 0.5
    theirs.backward(g)
    ours.backward(to_cresset(g))
    for i in grad_inputs:
        assert_same(ours_in[i].grad, theirs_in[i].grad, rtol=rtol, atol=atol)
    return ours


# ---- nll_loss / cross_entropy -------------------------------------------------------------------

def targets(n_classes, *shape, ignore=None):
    t = torch.randint(0, n_classes, shape)
    if ignore is not None and t.numel():
        t.view(-1)[::3] = ignore
    return t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (1, 5), (3, 5, 4), (2, 5, 3, 2), (2, 5, 2, 1, 3)])
def test_nll_and_cross_entropy(shape, weighted, reduction):
    torch.manual_seed(0)
    x = torch.randn(shape)
    t = targets(shape[0] if len(shape) == 1 else shape[1],
                *([] if len(shape) == 1 else [shape[0], *shape[2:]]))
    c = shape[0] if len(shape) == 1 else shape[1]
    w = torch.rand(c) + 0.1 if weighted else None
    for ignore in (-100, 1):
        check("nll_loss", x.log_softmax(0 if len(shape) == 1 else 1), t, weight=w,
              reduction=reduction, ignore_index=ignore)
        check("cross_entropy", x, t, weight=w, reduction=reduction, ignore_index=ignore)
        check("cross_entropy", x, t, weight=w, reduction=reduction, ignore_index=ignore,
              label_smoothing=0.2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
def test_cross_entropy_dtypes(dtype):
    torch.manual_seed(1)
    x, t = torch.randn(8, 10) * 3, targets(10, 8)
    tol = {torch.bfloat16: 2e-2, torch.float16: 2e-3}.get(dtype)
    check("cross_entropy", x, t, dtype=dtype, rtol=tol, atol=tol)
    check("nll_loss", x, t, dtype=dtype, rtol=tol, atol=tol)


def test_nll_mean_divides_by_target_weights_and_ignores():
    x = torch.randn(6, 4)
    t = torch.tensor([0, 1, 2, 3, -100, 1])
    w = torch.tensor([1.0, 2.0, 0.5, 3.0])
    out = check("nll_loss", x, t, weight=w)
    assert out.item() == pytest.approx(TF.nll_loss(x.double(), t, weight=w.double()).item())


def test_nll_all_ignored_and_empty():
    check("nll_loss", torch.randn(2, 5), torch.tensor([-100, -100]))
    for reduction in REDUCTIONS:
        check("nll_loss", torch.randn(0, 5), torch.zeros(0, dtype=torch.long),
              reduction=reduction)
        check("cross_entropy", torch.randn(0, 5, 2), torch.zeros(0, 2, dtype=torch.long),
              reduction=reduction)


def test_nll_uint8_targets_and_noncontiguous():
    x = torch.randn(5, 7).t()  # (7, 5) non-contiguous
    check("nll_loss", x, torch.tensor([0, 4, 2, 1, 3, 3, 0], dtype=torch.uint8))
    check("cross_entropy", torch.randn(4, 6, 3).transpose(1, 2).transpose(1, 2)[:, ::2],
          targets(3, 4, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probabilities(reduction, smoothing):
    torch.manual_seed(2)
    x = torch.randn(4, 5, 3)
    p = torch.rand(4, 5, 3).softmax(1)
    check("cross_entropy", x, p, grad_inputs=(0, 1), reduction=reduction,
          label_smoothing=smoothing, check_grad_fn=False)
    check("cross_entropy", x, p, weight=torch.rand(5), reduction=reduction,
          label_smoothing=smoothing, check_grad_fn=False)
    check("cross_entropy", x[:, :, 0][0], p[:, :, 0][0], reduction=reduction,
          check_grad_fn=False)


def test_grad_fn_names():
    x = cresset.randn(3, 4, requires_grad=True)
    t = cresset.tensor([0, 1, 2])
    assert CF.cross_entropy(x, t).grad_fn.name() == "NllLossBackward0"
    assert CF.nll_loss(x, t).grad_fn.name() == "NllLossBackward0"
    assert CF.nll_loss(x.view(1, 3, 4), cresset.zeros(1, 4, dtype=cresset.long)).grad_fn.name() \
        == "NllLoss2DBackward0"
    assert CF.cross_entropy(x, t).grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


def test_cross_entropy_double_backward():
    x = cresset.randn(3, 4, dtype=cresset.float64, requires_grad=True)
    t = cresset.tensor([0, 3, 2])
    assert cresset.autograd.gradcheck(lambda a: CF.cross_entropy(a, t), (x,))
    assert cresset.autograd.gradgradcheck(lambda a: CF.cross_entropy(a, t, label_smoothing=0.1),
                                          (x,))
    w = cresset.rand(4, dtype=cresset.float64) + 0.5
    for reduction in REDUCTIONS:
        assert cresset.autograd.gradgradcheck(
            lambda a: CF.nll_loss(a, t, weight=w, reduction=reduction), (x,))
    x3 = cresset.randn(2, 4, 3, dtype=cresset.float64, requires_grad=True)
    t3 = cresset.tensor([[0, 3, -100], [1, 1, 2]])
    assert cresset.autograd.gradgradcheck(lambda a: CF.nll_loss(a, t3, reduction="none"), (x3,))
    g = cresset.ones((), dtype=cresset.float64, requires_grad=True)
    gi, = cresset.autograd.grad(CF.nll_loss(x, t), x, g, create_graph=True)
    assert gi.grad_fn.name() == "NllLossBackwardBackward0"


def test_nll_errors():
    x = torch.randn(3, 5)
    cases = [
        (IndexError, (x, torch.tensor([0, 1, 10])), {}),
        (IndexError, (x, torch.tensor([0, 1, -5])), {}),
        (RuntimeError, (x, torch.tensor([0.0, 1, 2])), {}),
        (RuntimeError, (x, torch.tensor([0, 1, 2], dtype=torch.int32)), {}),
        (ValueError, (x, torch.tensor([0, 1])), {}),
        (RuntimeError, (x, torch.tensor([0, 1, 2])), {"weight": torch.ones(4)}),
        (ValueError, (x, torch.tensor([0, 1, 2])), {"reduction": "foo"}),
        (RuntimeError, (torch.randn(3, 5, 2), torch.zeros(3, 3).long()), {}),
        (RuntimeError, (torch.randn(3, 5, 2), torch.zeros(3).long()), {}),
        (IndexError, (torch.randn(3, 5, 2, 2), torch.zeros(3, 2, 2).long() + 7), {}),
        (NotImplementedError, (torch.randn(3, 5).int(), torch.tensor([1, 2, 3])), {}),
    ]
    for exc, args, kw in cases:
        for name in ("nll_loss", "cross_entropy"):
            if name == "cross_entropy" and exc is NotImplementedError:
                continue
            assert_raises_like(exc, lambda: getattr(CF, name)(*map(to_cresset, args),
                                                              **{k: to_cresset(v) for k, v in kw.items()}),
                               lambda: getattr(TF, name)(*args, **kw))


def test_edge_cases_like_torch():
    # torch computes this one but its backward raises "size mismatch"
    check("nll_loss", torch.randn(5), torch.tensor([1]), grad_inputs=(), reduction="none")
    check("nll_loss", torch.randn(5), torch.tensor(3), reduction="none")
    check("cross_entropy", torch.randn(5), torch.tensor(3), reduction="none")
    check("cross_entropy", torch.randn(0, 5), torch.zeros(0).long(), grad_inputs=(),
          label_smoothing=0.2)
    lp, tg, il, tl = ctc_case()
    check("ctc_loss", lp, tg.double(), il, tl)
    for args, kw in [((torch.tensor(1.0), torch.tensor(0)), {}),
                     ((torch.randn(3, 5), torch.tensor([1, 2, 3])), {"weight": torch.ones(5, 1)}),
                     ((torch.randn(3, 5, 2), torch.randn(3, 5, 2)), {"weight": torch.ones(4)})]:
        assert_raises_like(RuntimeError, lambda: CF.cross_entropy(*map(to_cresset, args),
                                                                  **{k: to_cresset(v) for k, v
                                                                     in kw.items()}),
                           lambda: TF.cross_entropy(*args, **kw))
    assert_raises_like(RuntimeError,
                       lambda: CF.binary_cross_entropy(cresset.tensor([0.5]), cresset.tensor([2.0])),
                       lambda: TF.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([2.0])))


def test_cross_entropy_errors_name_the_problem():
    x = cresset.randn(3, 5)
    with pytest.raises(RuntimeError, match=r"int64 class indices.*\[3\] float32"):
        CF.cross_entropy(x, cresset.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(IndexError, match="Target 10 is out of bounds."):
        CF.cross_entropy(x, cresset.tensor([0, 1, 10]))
    for kw, args in [({"label_smoothing": 1.5}, (torch.randn(3, 5), torch.tensor([0, 1, 2]))),
                     ({}, (torch.randn(3, 5), torch.rand(3, 5).long())),
                     ({"ignore_index": 1}, (torch.randn(3, 5), torch.rand(3, 5)))]:
        assert_raises_like(RuntimeError, lambda: CF.cross_entropy(*map(to_cresset, args), **kw),
                           lambda: TF.cross_entropy(*args, **kw))


def test_legacy_reduction_arguments():
    x, t = torch.randn(4, 3), targets(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa, red in [(False, None), (None, False), (True, True)]:
            check("cross_entropy", x, t, size_average=sa, reduce=red)
            check("mse_loss", x, torch.randn(4, 3), size_average=sa, reduce=red)


# ---- regression and binary losses ---------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    torch.manual_seed(3)
    x, y = torch.randn(4, 5), torch.randn(4, 5)
    check("mse_loss", x, y, grad_inputs=(0, 1), reduction=reduction)
    check("l1_loss", x, y, grad_inputs=(0, 1), reduction=reduction)
    for beta in (1.0, 0.5, 0.0):
        check("smooth_l1_loss", x, y, grad_inputs=(0, 1), reduction=reduction, beta=beta)
    for delta in (1.0, 0.3):
        check("huber_loss", x, y, grad_inputs=(0, 1), reduction=reduction, delta=delta)
    w = torch.rand(4, 5)
    check("mse_loss", x, y, grad_inputs=(0, 1), reduction=reduction, weight=w,
          check_grad_fn=False)
    check("l1_loss", x, y, grad_inputs=(0, 1), reduction=reduction, weight=w,
          check_grad_fn=False)
    check("huber_loss", x, y, grad_inputs=(0, 1), reduction=reduction, weight=w,
          check_grad_fn=False)


def test_regression_broadcast_warns_and_float32():
    x, y = torch.randn(3, 1), torch.randn(3)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning, match="different to the input size"):
            check(name, x, y, grad_inputs=(0, 1), dtype=torch.float32)
    check("mse_loss", torch.randn(5, 3).t(), torch.randn(3, 5), dtype=torch.float32)
    check("mse_loss", torch.randn(0, 3), torch.randn(0, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    torch.manual_seed(4)
    x = torch.rand(4, 3) * 0.98 + 0.01
    y = torch.rand(4, 3)
    check("binary_cross_entropy", x, y, grad_inputs=(0, 1), reduction=reduction)
    check("binary_cross_entropy", x, y, weight=torch.rand(3), reduction=reduction)
    edge = torch.tensor([0.0, 1.0, 0.5, 1e-50])
    check("binary_cross_entropy", edge, torch.tensor([1.0, 0.0, 0.5, 1.0]), grad_inputs=(),
          reduction=reduction)


def test_binary_cross_entropy_errors():
    assert_raises_like(RuntimeError,
                       lambda: CF.binary_cross_entropy(cresset.tensor([1.5]), cresset.tensor([1.0])),
                       lambda: TF.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0])))
    assert_raises_like(ValueError,
                       lambda: CF.binary_cross_entropy(cresset.rand(3, 1), cresset.rand(3)),
                       lambda: TF.binary_cross_entropy(torch.rand(3, 1), torch.rand(3)))
    assert_raises_like(ValueError,
                       lambda: CF.binary_cross_entropy_with_logits(cresset.rand(3, 1),
                                                                   cresset.rand(3)),
                       lambda: TF.binary_cross_entropy_with_logits(torch.rand(3, 1),
                                                                   torch.rand(3)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    torch.manual_seed(5)
    x = torch.randn(4, 3) * 5
    y = torch.rand(4, 3)
    check("binary_cross_entropy_with_logits", x, y, grad_inputs=(0, 1), reduction=reduction)
    check("binary_cross_entropy_with_logits", x, y, grad_inputs=(0, 1), reduction=reduction,
          weight=torch.rand(3), pos_weight=torch.rand(3) + 0.5)
    check("binary_cross_entropy_with_logits", x, y, grad_inputs=(0, 1), reduction=reduction,
          pos_weight=torch.rand(4, 3))
    big = torch.tensor([-1000.0, 1000.0, 0.0, 80.0])
    check("binary_cross_entropy_with_logits", big, torch.tensor([1.0, 0.0, 0.5, 1.0]),
          dtype=torch.float32)


def test_named_pointwise_losses_double_backward():
    x = cresset.rand(3, 2, dtype=cresset.float64, requires_grad=True)
    y = cresset.rand(3, 2, dtype=cresset.float64, requires_grad=True)
    w = cresset.rand(3, 2, dtype=cresset.float64)
    for f in (lambda a, b: CF.mse_loss(a, b),
              lambda a, b: CF.smooth_l1_loss(a * 3, b, beta=0.5),
              lambda a, b: CF.huber_loss(a * 3, b, delta=0.5),
              lambda a, b: CF.binary_cross_entropy(a * 0.9 + 0.05, b),
              lambda a, b: CF.binary_cross_entropy_with_logits(a, b, pos_weight=w + 1,
                                                                weight=w)):
        assert cresset.autograd.gradcheck(f, (x, y))
        assert cresset.autograd.gradgradcheck(f, (x, y))


# ---- kl_div, poisson, gaussian ------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
def test_kl_div(reduction):
    torch.manual_seed(6)
    x = torch.randn(3, 4).log_softmax(1)
    y = torch.rand(3, 4).softmax(1)
    y[0, 0] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check("kl_div", x, y, grad_inputs=(0, 1), reduction=reduction)
        check("kl_div", x, y.log(), grad_inputs=(0, 1), reduction=reduction, log_target=True)
    if reduction == "mean":
        with pytest.warns(UserWarning, match="batchmean"):
            CF.kl_div(to_cresset(x), to_cresset(y))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_and_gaussian_nll(reduction):
    torch.manual_seed(7)
    x, y = torch.rand(4, 3) + 0.1, torch.randint(0, 5, (4, 3)).double()
    for log_input in (True, False):
        for full in (False, True):
            check("poisson_nll_loss", x, y, grad_inputs=(0,), log_input=log_input, full=full,
                  reduction=reduction)
    var = torch.rand(4, 3) + 0.1
    check("gaussian_nll_loss", x, y, var, grad_inputs=(0, 2), reduction=reduction)
    check("gaussian_nll_loss", x, y, var[:, 0], grad_inputs=(0, 2), reduction=reduction,
          full=True)
    check("gaussian_nll_loss", x, y, var[:, :1], grad_inputs=(0, 2), reduction=reduction)
    check("gaussian_nll_loss", x, y, 0.5, grad_inputs=(0,), reduction=reduction)


def test_gaussian_nll_errors():
    x, y = torch.rand(4, 3), torch.rand(4, 3)
    for var, kw in [(torch.rand(2, 3), {}), (-torch.rand(4, 3), {}), (torch.rand(4, 3),
                                                                       {"reduction": "x"})]:
        assert_raises_like(ValueError,
                           lambda: CF.gaussian_nll_loss(to_cresset(x), to_cresset(y),
                                                        to_cresset(var), **kw),
                           lambda: TF.gaussian_nll_loss(x, y, var, **kw))
    assert_raises_like(ValueError,
                       lambda: CF.poisson_nll_loss(to_cresset(x), to_cresset(y), reduction="x"),
                       lambda: TF.poisson_nll_loss(x, y, reduction="x"))


# ---- margin and embedding losses ----------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(reduction):
    torch.manual_seed(8)
    a, b = torch.randn(6), torch.randn(6)
    sign = torch.tensor([1.0, -1, 1, -1, 1, 1])
    check("margin_ranking_loss", a, b, sign, grad_inputs=(0, 1), margin=0.3, reduction=reduction)
    check("hinge_embedding_loss", a, sign, margin=0.5, reduction=reduction)
    check("soft_margin_loss", a, sign, reduction=reduction)
    x1, x2 = torch.randn(6, 4), torch.randn(6, 4)
    check("cosine_embedding_loss", x1, x2, sign, grad_inputs=(0, 1), margin=0.1,
          reduction=reduction)
    check("cosine_embedding_loss", x1[0], x2[0], torch.tensor(-1.0), grad_inputs=(0, 1),
          reduction=reduction)
    n = torch.randn(6, 4)
    for p, swap in [(2, False), (1, True), (3, False)]:
        check("triplet_margin_loss", x1, x2, n, grad_inputs=(0, 1, 2), p=p, swap=swap,
              margin=0.7, reduction=reduction)
    check("multilabel_soft_margin_loss", x1, (x2 > 0).double(), reduction=reduction,
          check_grad_fn=False)
    check("multilabel_soft_margin_loss", x1, (x2 > 0).double(), weight=torch.rand(4),
          reduction=reduction, check_grad_fn=False)
    check("triplet_margin_with_distance_loss", x1, x2, n, grad_inputs=(0, 1, 2),
          reduction=reduction, check_grad_fn=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_class_margin_losses(reduction):
    torch.manual_seed(10)
    x = torch.randn(4, 5)
    t = torch.tensor([0, 4, 2, 2])
    for p, margin in [(1, 1.0), (2, 0.5)]:
        check("multi_margin_loss", x, t, p=p, margin=margin, reduction=reduction)
        check("multi_margin_loss", x, t, p=p, weight=torch.rand(5), reduction=reduction)
    check("multi_margin_loss", x[0], t[0], reduction=reduction)
    check("multi_margin_loss", x[0], t[:1], reduction=reduction)
    labels = torch.tensor([[0, 1, -1, 2, 2], [4, -1, 0, 0, 0], [1, 1, 1, 1, 1], [-1, 3, 3, 3, 3]])
    check("multilabel_margin_loss", x, labels, reduction=reduction)
    check("multilabel_margin_loss", x[0], labels[0], reduction=reduction)
    xd = cresset.randn(3, 5, dtype=cresset.float64, requires_grad=True)
    assert cresset.autograd.gradgradcheck(
        lambda a: CF.multi_margin_loss(a, cresset.tensor([0, 4, 2]), p=2, reduction=reduction),
        (xd,))


def test_multi_class_margin_errors():
    x = torch.randn(3, 5)
    for name, args, kw in [
            ("multi_margin_loss", (x, torch.tensor([0, 1, 5])), {}),
            ("multi_margin_loss", (x, torch.tensor([0, 1])), {}),
            ("multi_margin_loss", (torch.randn(2, 3, 4), torch.tensor([0, 1])), {}),
            ("multilabel_margin_loss", (x, torch.tensor([[0, 1, -1, 2, 7]] * 3)), {}),
            ("multilabel_margin_loss", (x, torch.tensor([[0, 1, -1]])), {})]:
        assert_raises_like(RuntimeError, lambda: getattr(CF, name)(*map(to_cresset, args), **kw),
                           lambda: getattr(TF, name)(*args, **kw))
    assert_raises_like(ValueError, lambda: CF.multi_margin_loss(to_cresset(x),
                                                                cresset.tensor([0, 1, 2]), p=3),
                       lambda: TF.multi_margin_loss(x, torch.tensor([0, 1, 2]), p=3))


def test_margin_errors():
    x = torch.randn(3, 4)
    assert_raises_like(RuntimeError,
                       lambda: CF.margin_ranking_loss(to_cresset(x), to_cresset(x[0]),
                                                      to_cresset(x)),
                       lambda: TF.margin_ranking_loss(x, x[0], x))
    assert_raises_like(RuntimeError,
                       lambda: CF.triplet_margin_loss(to_cresset(x), to_cresset(x),
                                                      to_cresset(x[0])),
                       lambda: TF.triplet_margin_loss(x, x, x[0]))
    assert_raises_like(ValueError,
                       lambda: CF.triplet_margin_loss(*[to_cresset(x)] * 3, margin=0),
                       lambda: TF.triplet_margin_loss(x, x, x, margin=0))
    assert_raises_like(RuntimeError,
                       lambda: CF.cosine_embedding_loss(to_cresset(x), to_cresset(x),
                                                        cresset.ones(3, 1)),
                       lambda: TF.cosine_embedding_loss(x, x, torch.ones(3, 1)))
    for name, args in [("nll_loss", (torch.randn(2, 3), torch.tensor([0, 1]))),
                       ("binary_cross_entropy", (torch.rand(3), torch.rand(3))),
                       ("binary_cross_entropy_with_logits", (torch.rand(3), torch.rand(3)))]:
        for arg in ("weight", "pos_weight") if "logits" in name else ("weight",):
            w = torch.rand(3, requires_grad=True)
            assert_raises_like(
                RuntimeError,
                lambda: getattr(CF, name)(*map(to_cresset, args),
                                          **{arg: to_cresset(w).requires_grad_()}),
                lambda: getattr(TF, name)(*args, **{arg: w}))
    xr = cresset.randn(3)
    yr = cresset.ones(3, requires_grad=True)
    assert_raises_like(RuntimeError, lambda: CF.soft_margin_loss(xr, yr),
                       lambda: TF.soft_margin_loss(torch.randn(3), torch.ones(3,
                                                                              requires_grad=True)))


# ---- ctc_loss -----------------------------------------------------------------------------------

def ctc_case(T=12, N=3, C=5, S=4, seed=9):
    g = torch.Generator().manual_seed(seed)
    lp = torch.randn(T, N, C, generator=g).log_softmax(2)
    tl = torch.randint(1, S + 1, (N,), generator=g)
    tl[0] = S
    il = torch.full((N,), T, dtype=torch.long)
    il[-1] = T - 2
    tg = torch.randint(1, C, (N, S), generator=g)
    tg[0, 1] = tg[0, 0]  # a repeated label needs a blank between
    return lp, tg, il, tl


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_ctc_padded_and_concatenated(reduction, dtype):
    lp, tg, il, tl = ctc_case()
    check("ctc_loss", lp, tg, il, tl, dtype=dtype, reduction=reduction)
    flat = torch.cat([tg[n, :tl[n]] for n in range(tg.shape[0])])
    check("ctc_loss", lp, flat, il.tolist(), tl.tolist(), dtype=dtype, reduction=reduction)


def test_ctc_blank_infinity_unbatched():
    lp, tg, il, tl = ctc_case(T=6, S=5)
    short = torch.tensor([2, 6, 6])  # 2 steps cannot hold 5 labels: infinite loss
    for zero_infinity in (False, True):
        for reduction in REDUCTIONS:
            check("ctc_loss", lp, tg, short, tl, zero_infinity=zero_infinity, reduction=reduction,
                  check_grad_fn=False)
    check("ctc_loss", lp[:, 0], tg[0], torch.tensor(6), torch.tensor(5), reduction="none")
    check("ctc_loss", lp, tg.clamp(max=3), il, tl, blank=4)


def test_ctc_grad_fn_and_errors():
    lp, tg, il, tl = ctc_case()
    c = to_cresset(lp).requires_grad_()
    assert CF.ctc_loss(c, to_cresset(tg), to_cresset(il), to_cresset(tl),
                       reduction="none").grad_fn.name() == "CtcLossBackward0"
    bad = [((lp, tg, il, tl), {"blank": 5}), ((lp, tg, il + 1, tl), {}),
           ((lp, tg, il[:2], tl), {}), ((lp, tg[:, :2], il, tl), {})]
    for args, kw in bad:
        assert_raises_like(RuntimeError, lambda: CF.ctc_loss(*map(to_cresset, args), **kw),
                           lambda: TF.ctc_loss(*args, **kw))
    with pytest.raises(IndexError, match="out of bounds"):
        CF.ctc_loss(to_cresset(lp), to_cresset(tg + 10), to_cresset(il), to_cresset(tl))


# ---- modules ------------------------------------------------------------------------------------

MODULE_CASES = [
    ("L1Loss", {}, lambda: (torch.randn(3, 4), torch.randn(3, 4))),
    ("MSELoss", {"reduction": "sum"}, lambda: (torch.randn(3, 4), torch.randn(3, 4))),
    ("SmoothL1Loss", {"beta": 0.5}, lambda: (torch.randn(3, 4), torch.randn(3, 4))),
    ("HuberLoss", {"delta": 0.5, "reduction": "none"}, lambda: (torch.randn(3, 4),
                                                                torch.randn(3, 4))),
    ("CrossEntropyLoss", {"weight": torch.rand(4), "label_smoothing": 0.1, "ignore_index": 2},
     lambda: (torch.randn(5, 4), torch.randint(0, 4, (5,)))),
    ("CrossEntropyLoss", {}, lambda: (torch.randn(2, 4, 3, 3), torch.randint(0, 4, (2, 3, 3)))),
    ("NLLLoss", {"weight": torch.rand(4)}, lambda: (torch.randn(5, 4).log_softmax(1),
                                                    torch.randint(0, 4, (5,)))),
    ("BCELoss", {"weight": torch.rand(4)}, lambda: (torch.rand(3, 4), torch.rand(3, 4))),
    ("BCEWithLogitsLoss", {"pos_weight": torch.rand(4) + 0.5},
     lambda: (torch.randn(3, 4), torch.rand(3, 4))),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True},
     lambda: (torch.randn(3, 4).log_softmax(1), torch.randn(3, 4).log_softmax(1))),
    ("PoissonNLLLoss", {"full": True}, lambda: (torch.randn(3, 4), torch.rand(3, 4) * 3)),
    ("GaussianNLLLoss", {"eps": 1e-3}, lambda: (torch.randn(3, 4), torch.randn(3, 4),
                                                torch.rand(3, 1))),
    ("MarginRankingLoss", {"margin": 0.2}, lambda: (torch.randn(5), torch.randn(5),
                                                    torch.tensor([1.0, -1, 1, 1, -1]))),
    ("HingeEmbeddingLoss", {"margin": 2.0}, lambda: (torch.randn(5),
                                                     torch.tensor([1.0, -1, 1, 1, -1]))),
    ("CosineEmbeddingLoss", {"margin": 0.1}, lambda: (torch.randn(5, 3), torch.randn(5, 3),
                                                      torch.tensor([1.0, -1, 1, 1, -1]))),
    ("TripletMarginLoss", {"swap": True, "p": 1.0}, lambda: (torch.randn(4, 3),
                                                             torch.randn(4, 3), torch.randn(4, 3))),
    ("MultiLabelSoftMarginLoss", {"weight": torch.rand(4)},
     lambda: (torch.randn(3, 4), (torch.rand(3, 4) > 0.5).float())),
    ("SoftMarginLoss", {}, lambda: (torch.randn(5), torch.tensor([1.0, -1, 1, 1, -1]))),
    ("MultiMarginLoss", {"p": 2, "weight": torch.rand(4)},
     lambda: (torch.randn(3, 4), torch.tensor([0, 3, 1]))),
    ("MultiLabelMarginLoss", {}, lambda: (torch.randn(2, 4), torch.tensor([[3, 0, -1, 1],
                                                                           [1, 2, 3, -1]]))),
    ("CTCLoss", {"blank": 0, "zero_infinity": True}, lambda: ctc_case()),
]


@pytest.mark.parametrize("case", range(len(MODULE_CASES)))
def test_loss_modules(case):
    name, kwargs, make = MODULE_CASES[case]
    torch.manual_seed(case)
    inputs = make()
    theirs = getattr(torch.nn, name)(**kwargs)
    ours = getattr(cresset.nn, name)(**{k: to_cresset(v) for k, v in kwargs.items()})
    assert repr(ours) == repr(theirs)
    assert ours.reduction == theirs.reduction
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert_same(ours.state_dict()[k], v)
    t_in = [x.detach().requires_grad_() if i == 0 else x for i, x in enumerate(inputs)]
    c_in = [to_cresset(x) for x in inputs]
    c_in[0].requires_grad_()
    t_out, c_out = theirs(*t_in), ours(*c_in)
    assert_same(c_out, t_out.detach(), rtol=1e-5)
    t_out.sum().backward()
    c_out.sum().backward()
    assert_same(c_in[0].grad, t_in[0].grad, rtol=1e-5)


def test_loss_module_legacy_arguments_and_errors():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert cresset.nn.CrossEntropyLoss(size_average=False).reduction == "sum"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cresset.nn.MSELoss(reduce=False).reduction == "none"
        assert cresset.nn.L1Loss(size_average=True, reduce=True).reduction == "mean"
    with pytest.warns(FutureWarning):
        cresset.nn.NLLLoss2d()
    for name, kw, exc in [("MultiMarginLoss", {"p": 3}, ValueError),
                          ("TripletMarginLoss", {"margin": 0.0}, ValueError),
                          ("HuberLoss", {"delta": "1"}, TypeError)]:
        assert_raises_like(exc, lambda: getattr(cresset.nn, name)(**kw),
                           lambda: getattr(torch.nn, name)(**kw))
    m = cresset.nn.CrossEntropyLoss(weight=cresset.ones(3))
    assert "weight" in dict(m.named_buffers())
    assert isinstance(m, cresset.nn.Module)


@pytest.mark.parametrize("out_features", [(), (2,)])
def test_linear_cross_entropy(out_features):
    torch.manual_seed(11)
    theirs = torch.nn.LinearCrossEntropyLoss(4, 3, out_features=out_features, bias=True,
                                             label_smoothing=0.1, weight=torch.rand(3))
    ours = cresset.nn.LinearCrossEntropyLoss(4, 3, out_features=out_features, bias=True,
                                             label_smoothing=0.1,
                                             weight=to_cresset(theirs.weight))
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    x = torch.randn(5, 4)
    t = torch.randint(0, 3, (5, *out_features))
    cx = to_cresset(x).requires_grad_()
    x.requires_grad_()
    a, b = theirs(x, t), ours(cx, to_cresset(t))
    assert_same(b, a.detach(), rtol=1e-5)
    a.backward()
    b.backward()
    assert_same(cx.grad, x.grad, rtol=1e-5, atol=1e-6)
    assert_same(ours.linear.weight.grad, theirs.linear.weight.grad, rtol=1e-5, atol=1e-6)
    w, p = torch.randn(3, 4), torch.rand(5, 3).softmax(1)
    for args, kw in [((x[:, :3], w, t), {}), ((x, w, p), {"ignore_index": 1}),
                     ((x[0], w.reshape(3, 1, 4), t), {})]:
        assert_raises_like(RuntimeError,
                           lambda: CF.linear_cross_entropy(*map(to_cresset, args), **kw),
                           lambda: TF.linear_cross_entropy(*args, **kw))


def test_ctc_saved_log_probs_modified_in_place_raises():
    lp, tg, il, tl = ctc_case()
    x = to_cresset(lp).requires_grad_()
    y = x * 1
    loss = CF.ctc_loss(y, to_cresset(tg), to_cresset(il), to_cresset(tl))
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_functional_checks_shared_with_cpp_frontend():
    """F.binary_cross_entropy(_with_logits)'s size checks and kl_div's batchmean run in C++
    (cresset/nn/loss_functional.cpp): torch's error types and messages (after cresset's "[op]"),
    values and nodes."""
    x, t = torch.rand(2, 3, dtype=torch.float64), torch.rand(3, dtype=torch.float64)
    for fn in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        with pytest.raises(ValueError) as theirs:
            getattr(TF, fn)(x, t)
        with pytest.raises(ValueError) as ours:
            getattr(CF, fn)(to_cresset(x), to_cresset(t))
        assert str(ours.value) == f"[{fn}] {theirs.value}"
    w = torch.rand(3, dtype=torch.float64)
    assert_same(CF.binary_cross_entropy(to_cresset(x), to_cresset(x), to_cresset(w)),
                TF.binary_cross_entropy(x, x, w))
    for shape in ((4, 5), ()):
        inp = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        target = torch.rand(shape, dtype=torch.float64)
        ours_inp = to_cresset(inp.detach()).requires_grad_()
        theirs = TF.kl_div(inp, target, reduction="batchmean")
        ours = CF.kl_div(ours_inp, to_cresset(target), reduction="batchmean")
        assert_same(ours, theirs)
        assert ours.grad_fn.name() == theirs.grad_fn.name()
