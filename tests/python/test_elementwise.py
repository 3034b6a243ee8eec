"""Elementwise ops against torch: generic differential tests driven by op_db (function, method,
in-place, out=), then operators, errors, rounding modes, promotion and vectorized accuracy."""
import os
import re
import subprocess
import sys

import cresset
import numpy as np
import pytest
import torch
from op_db import ALL, FLOATS, OP_DB, OPS
from utils import assert_raises_like, assert_same, dtype_name, to_cresset

DEF_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "cresset", "ops", "elementwise.def")


def _conv(v):
    return to_cresset(v) if isinstance(v, torch.Tensor) else v


def _run(lib, op, variant, sample):
    """Calls `op` as `variant` on fresh copies of the sample's operands in `lib`; returns what the
    call produced (for in-place: the modified operand)."""
    copy = _conv if lib is cresset else _copy
    args = [copy(a) for a in sample.args]
    kwargs = {k: copy(v) for k, v in sample.kwargs.items()}
    fn = getattr(lib, op.name)
    if variant == "function":
        return fn(*args, **kwargs)
    if variant == "method":
        return getattr(args[0], op.name)(*args[1:], **kwargs)
    if variant == "inplace":
        r = getattr(args[0], op.name + "_")(*args[1:], **kwargs)
        assert r is args[0], "in-place method must return its own object"
        return args[0]
    if variant == "out":
        ref = getattr(torch, op.name)(*[_copy(a) for a in sample.args], **sample.kwargs)
        out = lib.empty(0, dtype=getattr(lib, dtype_name(ref.dtype)))
        r = fn(*args, out=out, **kwargs)
        assert r is out, "out= must return the out tensor itself"
        return out
    raise AssertionError(variant)


def _copy(t):
    """A torch tensor with t's values, dtype, shape, strides and offset, in new storage (clone()
    would make stepped and expanded layouts contiguous)."""
    if not isinstance(t, torch.Tensor):
        return t
    if t.numel() == 0:
        return torch.empty_strided(t.shape, t.stride(), dtype=t.dtype)
    span = t.storage_offset() + 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride()))
    buf = torch.zeros(span, dtype=t.dtype)
    src = t
    for d, st in enumerate(t.stride()):
        if st == 0:
            src = src.narrow(d, 0, 1)
    view = buf.as_strided(src.shape, src.stride(), t.storage_offset())
    view.copy_(src)
    return buf.as_strided(t.shape, t.stride(), t.storage_offset())


def _outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return None, e


def check_sample(op, variant, dtype, sample):
    if variant == "out" and not sample.out_ok:
        return
    if variant in ("method", "inplace") and not isinstance(sample.args[0], torch.Tensor):
        return
    ctx = f"{op.name} [{variant}] {dtype} {sample.desc}"
    theirs, terr = _outcome(lambda: _run(torch, op, variant, sample))
    ours, oerr = _outcome(lambda: _run(cresset, op, variant, sample))
    if terr is not None:
        assert oerr is not None, f"{ctx}: torch raised {type(terr).__name__}: {terr}; cresset didn't"
        assert isinstance(oerr, type(terr)), \
            f"{ctx}: torch raised {type(terr).__name__}: {terr}; cresset {type(oerr).__name__}: {oerr}"
        if variant == "function" and sample.canonical and dtype in op.dtypes:
            raise AssertionError(f"{ctx}: op_db lists {dtype} as supported but torch raised {terr}")
        return
    assert oerr is None, f"{ctx}: cresset raised {type(oerr).__name__}: {oerr}"
    try:
        # Output layouts follow torch's; an empty result's strides are arbitrary in torch.
        assert_same(ours, theirs, check_stride=variant == "function" and theirs.numel() > 0)
    except AssertionError as e:
        raise AssertionError(f"{ctx}: {e}") from None


VARIANTS = ["function", "method", "inplace", "out"]


def _cases():
    for op in OP_DB:
        for variant in VARIANTS:
            if getattr(op, {"function": "name", "method": "method", "inplace": "inplace",
                            "out": "out"}[variant]):
                yield pytest.param(op.name, variant, id=f"{op.name}-{variant}")


@pytest.mark.parametrize("name,variant", list(_cases()))
def test_op_db(name, variant):
    op = OPS[name]
    for dtype in ALL:
        for sample in op.samples(dtype):
            check_sample(op, variant, dtype, sample)


def test_every_def_row_is_in_op_db():
    text = open(DEF_FILE).read()
    rows = set(re.findall(r"^CRESSET_(?:UNARY|BINARY|TERNARY)\((\w+),", text, re.M))
    aliases = set(re.findall(r"^CRESSET_ALIAS\((\w+),", text, re.M))
    assert len(rows) > 80 and len(aliases) > 10
    covered = {r for op in OP_DB for r in op.rows}
    assert rows - covered == set(), f"rows missing from op_db: {sorted(rows - covered)}"
    assert covered - rows == set(), f"op_db rows not in elementwise.def: {sorted(covered - rows)}"
    assert aliases - set(OPS) == set(), f"aliases missing from op_db: {sorted(aliases - set(OPS))}"


def test_op_db_names_exist_in_both():
    for op in OP_DB:
        for lib in (torch, cresset):
            assert hasattr(lib, op.name), f"{lib.__name__}.{op.name}"
            assert hasattr(lib.Tensor, op.name) == op.method or op.name in ("where",), op.name
            assert hasattr(lib.Tensor, op.name + "_") == op.inplace or \
                op.name in ("positive", "isclose", "where", "rsub"), op.name
