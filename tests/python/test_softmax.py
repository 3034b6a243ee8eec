"""torch.softmax / log_softmax against torch: dims, dtypes, layouts, extremes."""
import cresset
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

CASES = [
    lambda: torch.randn(4, 7),
    lambda: torch.randn(3, 5, 6),
    lambda: torch.randn(6, 4).t(),
    lambda: torch.randn(2, 3, 4)[:, ::2],
    lambda: torch.randn(5).expand(3, 5),
    lambda: torch.tensor(1.5),
    lambda: torch.empty(0, 4),
    lambda: torch.tensor([[0.0, float("-inf"), 1.0], [1000.0, 1000.0, -1000.0]]),
    lambda: torch.randn(2, 1000) * 30,
]


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_matches_torch_every_dim(op, case, dtype):
    torch.manual_seed(case)
    t = CASES[case]().to(getattr(torch, dtype))
    c = to_cresset(t)
    for dim in range(-max(t.dim(), 1), max(t.dim(), 1)):
        assert_same(getattr(cresset, op)(c, dim), getattr(torch, op)(t, dim))
        assert_same(getattr(c, op)(dim), getattr(t, op)(dim))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("case", range(len(CASES) - 2))  # finite inputs: comparable gradients
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_backward_matches_torch_every_dim(op, case, dtype):
    # The fused backward kernel (no create_graph) against torch, incoming gradient transposed.
    torch.manual_seed(case)
    t = CASES[case]().to(getattr(torch, dtype))
    for dim in range(-max(t.dim(), 1), max(t.dim(), 1)):
        x = t.detach().clone().requires_grad_(True)
        c = to_cresset(t).requires_grad_(True)
        y = getattr(torch, op)(x, dim)
        g = torch.randn(tuple(reversed(y.shape))).to(y.dtype).permute(tuple(reversed(range(y.dim()))))
        y.backward(g)
        getattr(cresset, op)(c, dim).backward(to_cresset(g))
        # bfloat16: torch rounds exp(y) to bfloat16 before the product, we keep it in float32
        # (closer to the float64 gradient); they differ by one bfloat16 rounding.
        tol = {"atol": 1e-2, "rtol": 1e-2} if dtype == "bfloat16" else {}
        assert_same(c.grad, x.grad, **tol)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_dtype_argument_casts_input(op):
    t = torch.arange(6).reshape(2, 3)
    assert_same(getattr(cresset, op)(to_cresset(t), 1, dtype=cresset.float64),
                getattr(torch, op)(t, 1, dtype=torch.float64))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_errors(op):
    assert_raises_like(NotImplementedError, lambda: getattr(cresset, op)(cresset.tensor([1, 2]), 0),
                       lambda: getattr(torch, op)(torch.tensor([1, 2]), 0))
    assert_raises_like(IndexError, lambda: getattr(cresset, op)(cresset.zeros(2, 3), 2),
                       lambda: getattr(torch, op)(torch.zeros(2, 3), 2))
