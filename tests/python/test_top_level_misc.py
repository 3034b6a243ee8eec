"""Top-level settings and wrappers: torch.compile, set_default_tensor_type, set_warn_always,
against real torch."""
import warnings

import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same, to_cresset


def test_compile_module_and_function():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU())
    ours = cresset.nn.Sequential(cresset.nn.Linear(3, 4), cresset.nn.ReLU())
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    compiled = cresset.compile(ours)
    assert type(compiled).__name__ == "OptimizedModule" and compiled._orig_mod is ours
    assert list(compiled.state_dict()) == list(torch.compile(theirs).state_dict())
    assert getattr(compiled, "0") is ours[0]  # attribute access reaches the original module
    compiled.eval()
    assert not ours.training
    x = torch.randn(2, 3)
    assert_same(compiled(to_cresset(x)), theirs(x), rtol=1e-6, atol=1e-6)

    @cresset.compile(mode="reduce-overhead")
    def f(a):
        return a * 2
    assert f.__name__ == "f"
    assert cresset.equal(f(cresset.ones(2)), cresset.full((2,), 2.0))
    assert cresset.compile(ours, disable=True) is ours
    assert_raises_like(RuntimeError, lambda: cresset.compile(ours, mode="default", options={}),
                       lambda: torch.compile(theirs, mode="default", options={}))
    assert_raises_like(AssertionError, lambda: cresset.compile(3), lambda: torch.compile(3))


@pytest.mark.parametrize("t", ["DoubleTensor", "torch.DoubleTensor", "FloatTensor"])
def test_set_default_tensor_type(t):
    arg_ours = getattr(cresset, t) if "." not in t else t
    arg_theirs = getattr(torch, t) if "." not in t else t
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            cresset.set_default_tensor_type(arg_ours)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.set_default_tensor_type(arg_theirs)
        assert str(cresset.get_default_dtype()) == str(torch.get_default_dtype())
        assert str(cresset.tensor([1.0]).dtype) == str(torch.tensor([1.0]).dtype)
    finally:
        cresset.set_default_dtype(cresset.float32)
        torch.set_default_dtype(torch.float32)


def test_set_default_tensor_type_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for bad_ours, bad_theirs in [(cresset.LongTensor, torch.LongTensor), (3, 3),
                                     (cresset.float64, torch.float64)]:
            assert_raises_like(TypeError, lambda: cresset.set_default_tensor_type(bad_ours),
                               lambda: torch.set_default_tensor_type(bad_theirs))
    assert cresset.get_default_dtype() == cresset.float32


def count_transpose_warnings(lib):
    x = lib.randn(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.T
        x.T
        lib.set_warn_always(True)
        try:
            assert lib.is_warn_always_enabled()
            x.T
            x.T
        finally:
            lib.set_warn_always(False)
    return len(caught)


def test_set_warn_always():
    # The first round may include the once-per-process warning; later rounds only what
    # warn-always adds (two warnings for two uses).
    assert not cresset.is_warn_always_enabled()
    count_transpose_warnings(cresset)
    count_transpose_warnings(torch)
    assert count_transpose_warnings(cresset) == count_transpose_warnings(torch) == 2
