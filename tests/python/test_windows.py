"""Window functions (hann, hamming, blackman, bartlett, kaiser) against real torch."""
import cresset
import pytest
import torch

from utils import assert_raises_like, assert_same

WINDOWS = {"hann_window": {}, "hamming_window": {"alpha": 0.6, "beta": 0.35},
           "blackman_window": {}, "bartlett_window": {}, "kaiser_window": {"beta": 5.5}}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 7, 10, 101])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_window_values(name, length, periodic, dtype):
    ours = getattr(cresset, name)(length, periodic, dtype=getattr(cresset, dtype))
    theirs = getattr(torch, name)(length, periodic, dtype=getattr(torch, dtype))
    tol = dict(rtol=2e-6, atol=2e-7) if dtype == "float32" else dict(rtol=1e-13, atol=1e-14)
    assert_same(ours, theirs, **tol)


@pytest.mark.parametrize("name", sorted(WINDOWS))
def test_window_parameters_and_defaults(name):
    params = WINDOWS[name]
    if params:  # torch takes the shape parameters positionally after periodic
        assert_same(getattr(cresset, name)(9, False, *params.values()),
                    getattr(torch, name)(9, False, *params.values()), rtol=2e-6, atol=2e-7)
    assert_same(getattr(cresset, name)(8), getattr(torch, name)(8), rtol=2e-6, atol=2e-7)
    cresset.set_default_dtype(cresset.float64)
    try:
        assert getattr(cresset, name)(5).dtype == cresset.float64
    finally:
        cresset.set_default_dtype(cresset.float32)
    w = getattr(cresset, name)(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    assert getattr(cresset, name)(4, dtype=cresset.float16).dtype == cresset.float16


@pytest.mark.parametrize("name", sorted(WINDOWS))
def test_window_errors(name):
    for args, kwargs in [((5,), {"dtype": "int64"}), ((-1,), {})]:
        kw_ours = {k: getattr(cresset, v) for k, v in kwargs.items()}
        kw_theirs = {k: getattr(torch, v) for k, v in kwargs.items()}
        assert_raises_like(RuntimeError, lambda: getattr(cresset, name)(*args, **kw_ours),
                           lambda: getattr(torch, name)(*args, **kw_theirs))
    assert_raises_like(TypeError, lambda: getattr(cresset, name)(2.5),
                       lambda: getattr(torch, name)(2.5))
