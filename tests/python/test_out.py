"""out= against torch, for every op that takes it (Note [out= arguments], cresset/core/out.h).

For each op: the result written into out and out itself returned (the same Python object); which
out dtypes are accepted and which raise (and with which exception type); out resized to the
result's shape, with torch's UserWarning when it had elements; out aliasing an input. The ops are
this file's CASES plus op_db's elementwise ops; test_every_out_op_is_covered checks that every
public cresset function taking out= appears in one of them.
"""
import inspect
import re
import warnings
from dataclasses import dataclass

import cresset
import pytest
import torch

from op_db import OP_DB
from utils import assert_same, to_cresset


def _data():
    g = torch.Generator().manual_seed(0)
    return {
        "a": torch.rand(2, 3, generator=g) + 0.5,
        "b": torch.rand(2, 3, generator=g) + 0.5,
        "m": torch.rand(3, 3, generator=g),
        "n": torch.rand(3, 3, generator=g),
        "v": torch.rand(3, generator=g),
        "w": torch.rand(3, generator=g),
        "bt": torch.rand(2, 3, 3, generator=g),
        "i": torch.tensor([[3, -4, 6], [0, 9, -2]]),
        "j": torch.tensor([[2, 6, -3], [5, 3, 4]]),
        "idx": torch.tensor([0, 2]),
        "gidx": torch.tensor([[0, 2], [1, 0]]),
        "mask": torch.tensor([[True, False, True], [False, True, True]]),
        "sorted": torch.tensor([0.1, 0.4, 0.8, 1.2]),
        "cond": torch.tensor([[True, False, True], [False, False, True]]),
        "onehot": torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),  # deterministic sampling
    }


DATA = _data()


@dataclass
class Case:
    name: str
    call: object        # call(lib, x, **out): x(name) is DATA[name] in lib
    # A DATA input with the result's shape and dtype, to pass as out. Not set where torch's kernel
    # reads an input after writing the aliased out (mv, baddbmm, cross give garbage in torch).
    alias: str = None


def C(name, call, alias=None):
    return Case(name, call, alias)


CASES = [
    # composites written in other ops (bindings of ops/numeric.cpp and ops/statistics.cpp)
    C("sinc", lambda t, x, **o: t.sinc(x("a"), **o), alias="a"),
    C("i0", lambda t, x, **o: t.i0(x("a"), **o), alias="a"),
    C("ldexp", lambda t, x, **o: t.ldexp(x("a"), x("j"), **o), alias="a"),
    C("logaddexp", lambda t, x, **o: t.logaddexp(x("a"), x("b"), **o), alias="b"),
    C("logaddexp2", lambda t, x, **o: t.logaddexp2(x("a"), x("b"), **o)),
    C("nextafter", lambda t, x, **o: t.nextafter(x("a"), x("b"), **o), alias="a"),
    C("heaviside", lambda t, x, **o: t.heaviside(x("a") - 1, x("b"), **o)),
    C("gcd", lambda t, x, **o: t.gcd(x("i"), x("j"), **o), alias="i"),
    C("lcm", lambda t, x, **o: t.lcm(x("i"), x("j"), **o)),
    C("polygamma", lambda t, x, **o: t.polygamma(1, x("a"), **o), alias="a"),
    C("mvlgamma", lambda t, x, **o: t.mvlgamma(x("a") + 2, 2, **o)),
    C("diff", lambda t, x, **o: t.diff(x("a"), **o)),
    C("chain_matmul", lambda t, x, **o: t.chain_matmul(x("m"), x("n"), x("m"), **o)),
    C("quantile", lambda t, x, **o: t.quantile(x("a"), 0.3, dim=1, **o)),
    C("nanquantile", lambda t, x, **o: t.nanquantile(x("a"), 0.3, dim=1, **o)),
    C("frexp", lambda t, x, **o: t.frexp(x("a"), **o)),
    # linear algebra
    C("mm", lambda t, x, **o: t.mm(x("m"), x("n"), **o), alias="m"),
    C("matmul", lambda t, x, **o: t.matmul(x("m"), x("n"), **o), alias="n"),
    C("bmm", lambda t, x, **o: t.bmm(x("bt"), x("bt"), **o)),
    C("mv", lambda t, x, **o: t.mv(x("m"), x("v"), **o)),
    C("dot", lambda t, x, **o: t.dot(x("v"), x("w"), **o)),
    C("vdot", lambda t, x, **o: t.vdot(x("v"), x("w"), **o)),
    C("inner", lambda t, x, **o: t.inner(x("m"), x("n"), **o)),
    C("outer", lambda t, x, **o: t.outer(x("v"), x("w"), **o)),
    C("ger", lambda t, x, **o: t.ger(x("v"), x("w"), **o)),
    C("addmm", lambda t, x, **o: t.addmm(x("m"), x("m"), x("n"), **o), alias="m"),
    C("addmv", lambda t, x, **o: t.addmv(x("v"), x("m"), x("w"), **o), alias="v"),
    C("addr", lambda t, x, **o: t.addr(x("m"), x("v"), x("w"), **o), alias="m"),
    C("addbmm", lambda t, x, **o: t.addbmm(x("m"), x("bt"), x("bt"), **o)),
    C("baddbmm", lambda t, x, **o: t.baddbmm(x("bt"), x("bt"), x("bt"), **o)),
    C("kron", lambda t, x, **o: t.kron(x("m"), x("v"), **o)),
    C("tensordot", lambda t, x, **o: t.tensordot(x("m"), x("n"), 1, **o)),
    C("cross", lambda t, x, **o: t.cross(x("m"), x("n"), dim=1, **o)),
    C("inverse", lambda t, x, **o: t.inverse(x("m") + 3 * t.eye(3), **o), alias="n"),
    C("lu_unpack", lambda t, x, **o: t.lu_unpack(*t.linalg.lu_factor(x("m")), **o)),
    C("svd", lambda t, x, **o: t.svd(t.diag(x("v")) + 2 * t.eye(3), **o)),
    C("cholesky", lambda t, x, **o: t.cholesky(x("m") @ x("m").mT + t.eye(3), **o), alias="n"),
    C("cholesky_solve", lambda t, x, **o: t.cholesky_solve(x("a").mT, x("m") + 3 * t.eye(3), **o)),
    C("cholesky_inverse", lambda t, x, **o: t.cholesky_inverse(x("m") + 3 * t.eye(3), **o),
      alias="n"),
    C("qr", lambda t, x, **o: t.qr(x("m"), **o)),
    C("geqrf", lambda t, x, **o: t.geqrf(x("m"), **o)),
    C("orgqr", lambda t, x, **o: t.orgqr(x("m"), x("v"), **o)),
    # reductions and scans
    C("sum", lambda t, x, **o: t.sum(x("a"), 1, **o)),
    C("nansum", lambda t, x, **o: t.nansum(x("a"), 1, **o)),
    C("mean", lambda t, x, **o: t.mean(x("a"), 1, **o)),
    C("nanmean", lambda t, x, **o: t.nanmean(x("a"), 1, **o)),
    C("prod", lambda t, x, **o: t.prod(x("a"), 1, **o)),
    C("amax", lambda t, x, **o: t.amax(x("a"), 1, **o)),
    C("amin", lambda t, x, **o: t.amin(x("a"), 1, **o)),
    C("aminmax", lambda t, x, **o: t.aminmax(x("a"), dim=1, **o)),
    C("max", lambda t, x, **o: t.max(x("a"), 1, **o)),
    C("min", lambda t, x, **o: t.min(x("a"), 1, **o)),
    C("all", lambda t, x, **o: t.all(x("mask"), 1, **o)),
    C("any", lambda t, x, **o: t.any(x("mask"), 1, **o)),
    C("argmax", lambda t, x, **o: t.argmax(x("a"), 1, **o)),
    C("argmin", lambda t, x, **o: t.argmin(x("a"), 1, **o)),
    C("std", lambda t, x, **o: t.std(x("a"), 1, **o)),
    C("var", lambda t, x, **o: t.var(x("a"), 1, **o)),
    C("norm", lambda t, x, **o: t.norm(x("a"), dim=1, **o)),
    C("logsumexp", lambda t, x, **o: t.logsumexp(x("a"), 1, **o)),
    C("cumsum", lambda t, x, **o: t.cumsum(x("a"), 1, **o), alias="a"),
    C("cumprod", lambda t, x, **o: t.cumprod(x("a"), 1, **o), alias="a"),
    C("logcumsumexp", lambda t, x, **o: t.logcumsumexp(x("a"), 1, **o), alias="a"),
    C("cummax", lambda t, x, **o: t.cummax(x("a"), 1, **o)),
    C("cummin", lambda t, x, **o: t.cummin(x("a"), 1, **o)),
    C("median", lambda t, x, **o: t.median(x("a"), 1, **o)),
    C("nanmedian", lambda t, x, **o: t.nanmedian(x("a"), 1, **o)),
    C("mode", lambda t, x, **o: t.mode(x("i"), 1, **o)),
    C("kthvalue", lambda t, x, **o: t.kthvalue(x("a"), 2, 1, **o)),
    C("sort", lambda t, x, **o: t.sort(x("a"), 1, **o)),
    C("msort", lambda t, x, **o: t.msort(x("a"), **o), alias="a"),
    C("topk", lambda t, x, **o: t.topk(x("a"), 2, **o)),
    C("histc", lambda t, x, **o: t.histc(x("a"), 4, **o)),
    C("histogram", lambda t, x, **o: t.histogram(x("a").flatten(), 3, **o)),
    C("multinomial", lambda t, x, **o: t.multinomial(x("onehot"), 1, **o)),
    # shape, indexing, search
    C("cat", lambda t, x, **o: t.cat([x("a"), x("b")], **o)),
    C("concat", lambda t, x, **o: t.concat([x("a"), x("b")], 1, **o)),
    C("concatenate", lambda t, x, **o: t.concatenate([x("a"), x("b")], **o)),
    C("stack", lambda t, x, **o: t.stack([x("a"), x("b")], **o)),
    C("hstack", lambda t, x, **o: t.hstack([x("a"), x("b")], **o)),
    C("vstack", lambda t, x, **o: t.vstack([x("a"), x("b")], **o)),
    C("row_stack", lambda t, x, **o: t.row_stack([x("a"), x("b")], **o)),
    C("dstack", lambda t, x, **o: t.dstack([x("a"), x("b")], **o)),
    C("column_stack", lambda t, x, **o: t.column_stack([x("v"), x("w")], **o)),
    C("tril", lambda t, x, **o: t.tril(x("m"), **o), alias="m"),
    C("triu", lambda t, x, **o: t.triu(x("m"), 1, **o), alias="m"),
    C("diag", lambda t, x, **o: t.diag(x("m"), **o)),
    C("index_select", lambda t, x, **o: t.index_select(x("a"), 1, x("idx"), **o)),
    C("gather", lambda t, x, **o: t.gather(x("a"), 1, x("gidx"), **o)),
    C("take", lambda t, x, **o: t.take(x("a"), x("idx"), **o)),
    C("take_along_dim", lambda t, x, **o: t.take_along_dim(x("a"), x("gidx"), 1, **o)),
    C("masked_select", lambda t, x, **o: t.masked_select(x("a"), x("mask"), **o)),
    C("nonzero", lambda t, x, **o: t.nonzero(x("i"), **o)),
    C("searchsorted", lambda t, x, **o: t.searchsorted(x("sorted"), x("a"), **o)),
    C("bucketize", lambda t, x, **o: t.bucketize(x("a"), x("sorted"), **o)),
    C("where", lambda t, x, **o: t.where(x("cond"), x("a"), x("b"), **o), alias="a"),
    C("scatter", lambda t, x, **o: t.scatter(x("a"), 1, x("gidx"), x("b"), **o), alias="a"),
    C("scatter_add", lambda t, x, **o: t.scatter_add(x("a"), 1, x("gidx"), x("b"), **o)),
    C("scatter_reduce", lambda t, x, **o: t.scatter_reduce(x("a"), 1, x("gidx"), x("b"), "sum",
                                                           **o)),
    C("index_add", lambda t, x, **o: t.index_add(x("m"), 0, x("idx"), x("a"), **o)),
    C("index_copy", lambda t, x, **o: t.index_copy(x("m"), 0, x("idx"), x("a"), **o)),
    C("renorm", lambda t, x, **o: t.renorm(x("m"), 2, 0, 0.5, **o), alias="m"),
    C("clamp tensor", lambda t, x, **o: t.clamp(x("a"), x("b") - 0.2, x("b"), **o), alias="a"),
    C("round decimals", lambda t, x, **o: t.round(x("a"), decimals=1, **o), alias="a"),
    C("logit eps", lambda t, x, **o: t.logit(x("a") - 0.5, eps=0.1, **o)),
    C("nan_to_num", lambda t, x, **o: t.nan_to_num(x("a"), **o), alias="a"),
    C("lerp", lambda t, x, **o: t.lerp(x("a"), x("b"), 0.25, **o), alias="b"),
    C("addcmul", lambda t, x, **o: t.addcmul(x("a"), x("a"), x("b"), **o), alias="a"),
    C("addcdiv", lambda t, x, **o: t.addcdiv(x("a"), x("a"), x("b"), **o), alias="b"),
    C("float_power", lambda t, x, **o: t.float_power(x("a"), 2, **o)),
    # views written into copies, views copied out (python/src/view_copy.cpp)
    C("slice_scatter", lambda t, x, **o: t.slice_scatter(x("a"), x("b")[:, :2], 1, 1, **o)),
    C("view_copy", lambda t, x, **o: t.view_copy(x("a"), (3, 2), **o)),
    C("permute_copy", lambda t, x, **o: t.permute_copy(x("a"), (1, 0), **o)),
    C("expand_copy", lambda t, x, **o: t.expand_copy(x("v"), (2, 3), **o)),
    C("t_copy", lambda t, x, **o: t.t_copy(x("a"), **o)),
    C("transpose_copy", lambda t, x, **o: t.transpose_copy(x("bt"), 0, 2, **o)),
    C("squeeze_copy", lambda t, x, **o: t.squeeze_copy(x("a")[:1], **o)),
    C("unsqueeze_copy", lambda t, x, **o: t.unsqueeze_copy(x("a"), 1, **o)),
    C("select_copy", lambda t, x, **o: t.select_copy(x("a"), 1, 2, **o)),
    C("slice_copy", lambda t, x, **o: t.slice_copy(x("a"), 1, 0, 3, 2, **o)),
    C("diagonal_copy", lambda t, x, **o: t.diagonal_copy(x("m"), 1, **o)),
    C("alias_copy", lambda t, x, **o: t.alias_copy(x("a"), **o)),
    C("detach_copy", lambda t, x, **o: t.detach_copy(x("a"), **o)),
    C("as_strided_copy", lambda t, x, **o: t.as_strided_copy(x("a"), (2, 2), (1, 2), **o)),
    C("unfold_copy", lambda t, x, **o: t.unfold_copy(x("a"), 1, 2, 1, **o)),
    C("narrow_copy", lambda t, x, **o: t.narrow_copy(x("a"), 1, 1, 2, **o)),
    C("conj_physical", lambda t, x, **o: t.conj_physical(x("a"), **o)),
    C("index_reduce", lambda t, x, **o: t.index_reduce(x("m"), 0, x("idx"), x("a"), "amax", **o)),
]

# op_db's elementwise ops with out=, on their first float32 sample.
for _op in OP_DB:
    if not _op.out or _op.namespace:
        continue
    _dtype = "float32" if "float32" in _op.dtypes else _op.dtypes[-1]
    _sample = next(s for s in _op.samples(_dtype) if s.out_ok)
    DATA[f"{_op.name}:args"] = _sample

    def _call(t, x, _op=_op, **o):
        s = x(f"{_op.name}:args")
        return _op.fn(t)(*s.args, **s.kwargs, **o)
    CASES.append(C(f"op_db {_op.name}", _call))

CASE_IDS = [c.name for c in CASES]
OUT_DTYPES = [torch.bool, torch.uint8, torch.int32, torch.int64, torch.float16, torch.float32,
              torch.float64]
RESIZED = "An output with one or more elements was resized"


def _in(lib):
    """x(name): DATA[name] for lib (op_db samples convert their tensor arguments)."""
    def x(name):
        v = DATA[name]
        if lib is torch:
            return v
        if hasattr(v, "args"):
            return type(v)(v.desc, tuple(to_cresset(a) for a in v.args),
                           {k: to_cresset(a) for k, a in v.kwargs.items()})
        return to_cresset(v)
    return x


def _dtype(lib, torch_dtype):
    return getattr(lib, str(torch_dtype).split(".")[-1])


def _outs(lib, ref, shape_of=lambda r: (0,), dtypes=None):
    """out for lib like torch result `ref` (a tensor or a tuple): shape_of(r) and dtypes."""
    refs = ref if isinstance(ref, tuple) else (ref,)
    dtypes = dtypes or [r.dtype for r in refs]
    outs = tuple(lib.zeros(shape_of(r), dtype=_dtype(lib, d)) for r, d in zip(refs, dtypes))
    return outs if isinstance(ref, tuple) else outs[0]


def _run(lib, case, out):
    """(result, exception type or None, [warning messages])."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = case.call(lib, _in(lib), out=out)
            err = None
        except Exception as e:  # noqa: BLE001 - the type is compared with torch's
            r, err = None, type(e)
    return r, err, [str(m.message) for m in w if RESIZED in str(m.message)]


def _same_object(r, out):
    if isinstance(out, tuple):
        assert len(r) == len(out) and all(a is b for a, b in zip(r, out))
    else:
        assert r is out, "out= must return the out tensor itself"


def ref_dtype(ref):
    return (ref[0] if isinstance(ref, tuple) else ref).dtype


def _reference(case):
    return case.call(torch, _in(torch))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_result_and_identity(case):
    ref = _reference(case)
    ref = tuple(ref) if isinstance(ref, tuple) else ref
    outs = {lib: _outs(lib, ref) for lib in (torch, cresset)}
    theirs, terr, _ = _run(torch, case, outs[torch])
    ours, oerr, warned = _run(cresset, case, outs[cresset])
    assert terr is None and oerr is None, (terr, oerr)
    _same_object(ours, outs[cresset])
    assert_same(outs[cresset], outs[torch])
    assert not warned, "an empty out is resized silently"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_resize_warning(case):
    ref = _reference(case)
    ref = tuple(ref) if isinstance(ref, tuple) else ref
    wrong = lambda r: (r.numel() + 2,)  # noqa: E731
    outs = {lib: _outs(lib, ref, wrong) for lib in (torch, cresset)}
    _, terr, twarn = _run(torch, case, outs[torch])
    _, oerr, owarn = _run(cresset, case, outs[cresset])
    assert terr is None and oerr is None, (terr, oerr)
    assert len(owarn) == len(twarn), (owarn, twarn)
    assert_same(outs[cresset], outs[torch])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_out_dtypes(case):
    ref = _reference(case)
    ref = tuple(ref) if isinstance(ref, tuple) else ref
    n = len(ref) if isinstance(ref, tuple) else 1
    for dt in OUT_DTYPES:
        for k in range(n):  # one output of a tuple at a time in the wrong dtype
            dtypes = [r.dtype for r in ref] if isinstance(ref, tuple) else [ref.dtype]
            dtypes[k] = dt
            outs = {lib: _outs(lib, ref, dtypes=dtypes) for lib in (torch, cresset)}
            _, terr, _ = _run(torch, case, outs[torch])
            ours, oerr, _ = _run(cresset, case, outs[cresset])
            assert oerr == terr, f"out dtype {dt}: torch {terr}, cresset {oerr}"
            if terr is None:
                _same_object(ours, outs[cresset])
                # Values carry the result dtype's precision, whatever out's dtype.
                close = dict(rtol=1.3e-6, atol=1e-5) if ref_dtype(ref) == torch.float32 else {}
                assert_same(outs[cresset], outs[torch],
                            **(close if dt == torch.float64 else {}))


@pytest.mark.parametrize("case", [c for c in CASES if c.alias], ids=lambda c: c.name)
def test_out_aliases_input(case):
    results = {}
    for lib in (torch, cresset):
        x = _in(lib)
        target = x(case.alias).clone()
        # The call sees `target` wherever it reads case.alias.
        r = case.call(lib, lambda name: target if name == case.alias else x(name), out=target)
        assert r is target
        results[lib] = target
    assert_same(results[cresset], results[torch])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_out_with_grad(case):
    # out= results take no part in autograd: torch refuses inputs that require grad.
    ref = _reference(case)
    ref = tuple(ref) if isinstance(ref, tuple) else ref
    errs = {}
    for lib in (torch, cresset):
        x = _in(lib)

        def grad_x(name, x=x):
            v = x(name)
            return v.detach().requires_grad_() if hasattr(v, "dtype") and v.is_floating_point() \
                else v
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                case.call(lib, grad_x, out=_outs(lib, ref))
                errs[lib] = None
            except Exception as e:  # noqa: BLE001 - the type is compared with torch's
                errs[lib] = type(e)
    assert errs[cresset] == errs[torch]


def _takes_out(fn):
    """Whether fn has an `out` parameter (nanobind functions: read off their signatures)."""
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return re.search(r"[(,\s]out\s*[:=]", fn.__doc__ or "") is not None


def test_every_out_op_is_covered():
    covered = {c.name.split(" ")[-1] if c.name.startswith("op_db") else c.name.split(" ")[0]
               for c in CASES}
    takes = {n for n in dir(cresset) if not n.startswith("_") and callable(getattr(cresset, n))
             and not isinstance(getattr(cresset, n), type) and _takes_out(getattr(cresset, n))}
    # Factories fill out with their own values (tested in test_creation.py).
    factories = {"arange", "range", "linspace", "logspace", "eye", "zeros", "ones", "full",
                 "empty", "randperm", "rand", "randn", "randint", "normal", "tensor"}
    # out= is a list and the result None (tested in test_api_gaps_tensor.py).
    out_lists = {"unbind_copy", "split_copy", "split_with_sizes_copy"}
    missing = sorted(takes - covered - factories - out_lists)
    assert not missing, f"ops with out= not in test_out.py or op_db: {missing}"
