"""Reductions, cumulative ops, sorting and selection against torch (the oracle)."""
# ruff: noqa: B023  (the lambdas given to check() run before their loop variables change)
import math

import pytest
import torch
from utils import DTYPE_NAMES, FLOAT_DTYPES, assert_same, to_cresset

import cresset

INF, NAN = math.inf, math.nan
EXC_TYPES = (IndexError, TypeError, ValueError, NotImplementedError, RuntimeError)


def values(shape, dtype, *, low=-5, high=6, seed=0, nan=False):
    """Deterministic test values: small integers (ties) or normal floats (every 7th NaN)."""
    g = torch.Generator().manual_seed(seed)
    dt = getattr(torch, dtype)
    if dtype == "bool":
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype == "uint8":
        return torch.randint(0, high + 5, shape, generator=g).to(dt)
    if dt.is_floating_point:
        v = torch.randn(shape, generator=g)
        if nan:
            v.view(-1)[::7] = NAN
        return v.to(dt)
    return torch.randint(low, high, shape, generator=g).to(dt)


def layouts(dtype, *, empty=True, seed=0, nan=False):
    """(name, tensor) pairs covering contiguous, transposed, stepped, expanded, 0-dim, empty."""
    v = values((4, 5, 6), dtype, seed=seed, nan=nan)
    out = [("contiguous", v), ("transposed", v.transpose(0, 2)), ("stepped", v[:, ::2, 1:]),
           ("expanded", values((5, 1), dtype, seed=seed + 1, nan=nan).expand(5, 7)),
           ("zero_dim", values((), dtype, seed=seed + 2)),
           ("vector", values((9,), dtype, seed=seed, nan=nan))]
    if empty:
        out += [("empty", values((0, 3), dtype)), ("empty_wide", values((0, 9), dtype))]
    return out


def dims_for(t):
    if t.dim() == 0:
        return [None, 0, -1]
    if t.dim() == 1:
        return [None, 0, -1, (0,)]
    return [None, 0, -1, 1, (0, -1), (1, 0), ()]


def check(fn, t, **kw):
    """fn(lib, x) on torch and on cresset gives the same result, or both raise the same type."""
    try:
        expected = fn(torch, t)
    except EXC_TYPES as e:
        kind = next(k for k in EXC_TYPES if isinstance(e, k))
        with pytest.raises(kind):
            fn(cresset, to_cresset(t))
        return None
    got = fn(cresset, to_cresset(t))
    assert_same(got, expected, **kw)
    return got


# ---- sum, mean, prod ----

def float32_oracle(op, dtype):
    """torch's nansum/nanmean on float16/bfloat16 round partial sums to the 16-bit dtype when its
    iterator splits a reduction, and its prod multiplies in the 16-bit dtype; cresset accumulates
    in float32 throughout (as torch's sum and mean do), so the oracle for those is torch's op in
    float32 rounded once. Likewise torch's logsumexp on them rounds exp(x - max) and the sum to
    the 16-bit dtype; cresset computes it in float32."""
    if op in ("nansum", "nanmean", "prod", "logsumexp") and dtype in ("float16", "bfloat16"):
        return lambda f: (lambda lib, x: f(lib, x) if lib is cresset else
                          f(lib, x.float()).to(x.dtype))
    return lambda f: f


@pytest.mark.parametrize("op", ["sum", "nansum", "mean", "nanmean"])
@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_sum_mean(op, dtype):
    ref = float32_oracle(op, dtype)
    for _, t in layouts(dtype, nan=op.startswith("nan")):
        for dim in dims_for(t):
            for keepdim in (False, True):
                if dim is None:
                    check(ref(lambda lib, x: getattr(lib, op)(x)), t, check_stride=True)
                    check(ref(lambda lib, x: getattr(x, op)()), t, check_stride=True)
                else:
                    check(ref(lambda lib, x: getattr(lib, op)(x, dim, keepdim)), t,
                          check_stride=True)
                    check(ref(lambda lib, x: getattr(x, op)(dim=dim, keepdim=keepdim)), t)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_prod(dtype):
    ref = float32_oracle("prod", dtype)
    for _, t in layouts(dtype):
        if t.is_floating_point():
            t = t.abs() * 0.5 + 0.7  # keep products of 120 elements representable
        for dim in [None, 0, -1]:
            if dim is None:
                check(ref(lambda lib, x: lib.prod(x)), t)
            else:
                check(ref(lambda lib, x: lib.prod(x, dim, keepdim=True)), t, check_stride=True)
                check(ref(lambda lib, x: x.prod(dim)), t)
    check(lambda lib, x: lib.prod(x, (0, 1)), values((2, 3), dtype))  # TypeError: dim is an int


@pytest.mark.parametrize("src,dtype", [("int8", "int32"), ("int32", "float32"), ("float32", "float64"),
                                       ("float16", "float32"), ("bool", "int64"), ("float32", "int64"),
                                       ("uint8", "uint8")])
def test_sum_dtype_argument(src, dtype):
    t = values((6, 7), src, low=-60, high=60)
    for op in ("sum", "nansum", "prod", "cumsum", "cumprod"):
        for dim in ([1] if op.startswith("cum") else [None, 1]):
            args = () if dim is None else (dim,)
            check(lambda lib, x: getattr(lib, op)(x, *args, dtype=getattr(lib, dtype)), t)
    if dtype.startswith("float"):
        check(lambda lib, x: lib.mean(x, 0, dtype=getattr(lib, dtype)), t)


def test_mean_errors():
    for dt in ("int64", "bool", "uint8"):
        check(lambda lib, x: lib.mean(x), values((3,), dt))
        check(lambda lib, x: lib.nanmean(x), values((3,), dt))
        check(lambda lib, x: x.mean(0), values((3,), dt))
    check(lambda lib, x: lib.mean(x, dtype=lib.int32), values((3,), "float32"))
    with pytest.raises(RuntimeError, match="floating point"):
        cresset.mean(cresset.tensor([1, 2]))


def test_sum_large_accuracy_and_threads():
    # Long rows (the parallel pairwise tree), a column walk, and thread-count independence.
    g = torch.Generator().manual_seed(1)
    big = torch.rand(300_003, generator=g) + 0.5
    cols = torch.rand(2001, 67, generator=g)
    rows = torch.rand(67, 2001, generator=g)
    results = []
    for threads in (1, 3):
        cresset.set_num_threads(threads)
        got = [cresset.sum(to_cresset(big)), to_cresset(cols).sum(0), to_cresset(rows).sum(1),
               to_cresset(big).mean(), to_cresset(cols).amax(0), to_cresset(big).max(0)]
        results.append([r.tolist() if not isinstance(r, tuple) else [x.tolist() for x in r]
                        for r in got])
    cresset.set_num_threads(torch.get_num_threads())
    assert results[0] == results[1]
    assert_same(cresset.sum(to_cresset(big)), big.sum(), rtol=1e-6)
    assert_same(to_cresset(cols).sum(0), cols.sum(0))
    assert_same(to_cresset(rows).sum(1), rows.sum(1))
    assert_same(to_cresset(big).max(0), big.max(0))
    exact = big.double().sum().item()
    assert abs(cresset.sum(to_cresset(big)).item() - exact) / exact < 1e-6


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"])
def test_short_rows_across_rows(dtype):
    # Note [Short rows]: rows under a vector are reduced a tile of rows at a time; a partial last
    # tile, rows that aren't evenly spaced (a permuted input) and every lane-based op.
    g = torch.Generator().manual_seed(3)
    x = (torch.rand(37, 3, 11, generator=g) * 4 - 2).to(getattr(torch, dtype))
    samples = [x, x.permute(1, 0, 2), x[:, :, :7], x.reshape(111, 11)[::2]]
    ops = [lambda L, t: L.sum(t, -1), lambda L, t: L.amax(t, -1), lambda L, t: L.amin(t, -1),
           lambda L, t: L.any(t, -1), lambda L, t: L.all(t, -1)]
    if dtype not in ("bool", "uint8"):
        ops.append(lambda L, t: L.prod(t, -1))
    if dtype.startswith("float"):
        ops += [lambda L, t: L.mean(t, -1), lambda L, t: L.norm(t, dim=-1),
                lambda L, t: L.nansum(t, -1), lambda L, t: L.logsumexp(t, -1)]
    for t in samples:
        for op in ops:
            tol = 1e-2 if dtype == "float16" else None
            assert_same(op(cresset, to_cresset(t)), op(torch, t), rtol=tol, atol=tol)
    results = []
    for threads in (1, 2):
        cresset.set_num_threads(threads)
        results.append(cresset.sum(to_cresset(samples[1]), -1).tolist())
    cresset.set_num_threads(torch.get_num_threads())
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_row_lengths_across_lane_groups(dtype):
    # Rows of one leaf fill whole rounds of lanes, then a partial round that reads the row's last
    # full round and drops what was added already (lanes_contiguous).
    # Lengths around every vector and round boundary, contiguous and strided, NaNs in a tail.
    g = torch.Generator().manual_seed(5)
    for n in (16, 17, 31, 33, 47, 63, 64, 65, 79, 100, 127, 129, 200, 255, 257):
        x = (torch.rand(5, n, generator=g) * 4 - 2).to(getattr(torch, dtype))
        if dtype.startswith("float"):
            x[1, n - 1] = float("nan")
            x[2, n // 3] = float("nan")
        samples = [x, torch.cat([x, x], 1)[:, ::2]]
        ops = [lambda L, t: L.sum(t, -1), lambda L, t: L.amax(t, -1), lambda L, t: L.amin(t, -1),
               lambda L, t: L.any(t, -1), lambda L, t: L.all(t, -1)]
        if dtype.startswith("float"):
            ops += [lambda L, t: L.mean(t, -1), lambda L, t: L.nansum(t, -1),
                    lambda L, t: L.norm(t, dim=-1), lambda L, t: L.prod(t, -1)]
        for t in samples:
            for op in ops:
                assert_same(op(cresset, to_cresset(t)), op(torch, t), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "float16"])
def test_short_rows_in_tiles(dtype):
    # Contiguous rows shorter than a vector are reduced a tile of rows at a time (Note [Short
    # rows]); arg ops take that path up to 63 elements. 37 rows: two full tiles of 16 and a
    # partial one; ties (small integers) and NaNs test first-index and NaN rules; the kept dims
    # come contiguous, stepped and permuted.
    g = torch.Generator().manual_seed(11)
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 47, 63, 64):
        x = torch.randint(-2, 3, (2, 37, n), generator=g).to(getattr(torch, dtype)) \
            if dtype != "uint8" else torch.randint(0, 4, (2, 37, n), generator=g).to(torch.uint8)
        if x.is_floating_point():
            x[0, 3, n - 1] = NAN
            x[0, 5, n // 2] = NAN
            x[1, 6, 0] = NAN
            x[1, 6, n - 1] = NAN
            x[0, 20] = -0.0
        samples = [x[0], x[:, ::2].reshape(-1, n)[::2], x.transpose(0, 1), x[:, 1:][:, ::3]]
        ops = [lambda L, t: L.sum(t, -1), lambda L, t: L.amax(t, -1), lambda L, t: L.amin(t, -1),
               lambda L, t: L.argmax(t, -1), lambda L, t: L.argmin(t, -1),
               lambda L, t: L.max(t, -1), lambda L, t: L.min(t, -1, keepdim=True)]
        if x.is_floating_point():
            ops.append(lambda L, t: L.mean(t, -1))
        if dtype in ("float32", "float64"):  # torch's float16 logsumexp rounds in float16
            ops.append(lambda L, t: L.logsumexp(t, -1))
        for t in samples:
            for op in ops:
                assert_same(op(cresset, to_cresset(t)), op(torch, t), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "float16"])
def test_column_tiles(dtype):
    # Reductions down the columns: widths that pack several rows per vector (2, 4, 8), leave a
    # remainder after whole vectors (10, 17, 100: the last vector overlaps), fill whole tiles and
    # a partial one (300); rows around the 64-row leaves, a leftover that is not a whole vector
    # of packed rows, two reduced dims, and a kept dim outside the reduced one.
    g = torch.Generator().manual_seed(12)
    for width in (2, 3, 4, 8, 10, 16, 17, 100, 300):
        for rows in (5, 63, 64, 129, 1000):
            x = torch.randint(-3, 4, (rows, width), generator=g).to(getattr(torch, dtype))
            if x.is_floating_point():
                x[rows // 2, width - 1] = NAN
                x[rows - 1, 0] = -INF
            samples = [(x, 0), (x.reshape(1, rows, width).expand(2, rows, width), 1)]
            if rows % 5 == 0:
                samples.append((x.reshape(5, rows // 5, width), (0, 1)))
            ops = [lambda L, t, d: L.sum(t, d), lambda L, t, d: L.amax(t, d),
                   lambda L, t, d: L.amin(t, d)]
            if x.is_floating_point():
                ops.append(lambda L, t, d: L.mean(t, d))
            for t, d in samples:
                for op in ops:
                    assert_same(op(cresset, to_cresset(t), d), op(torch, t, d), rtol=1e-5, atol=1e-5)
    big = torch.randn(20000, 16, generator=g).to(getattr(torch, dtype)) \
        if dtype != "int64" else torch.randint(-9, 9, (20000, 16), generator=g)
    for op in ("sum", "amax"):  # one tile over many leaves: the tree split across threads
        assert_same(getattr(cresset, op)(to_cresset(big), 0), getattr(torch, op)(big, 0),
                    rtol=1e-4 if dtype == "float16" else 1e-5, atol=1e-3)


def test_half_sums_accumulate_in_float():
    t = torch.full((4096,), 1.0, dtype=torch.float16) + torch.rand(4096).half() * 1e-3
    for dt in ("float16", "bfloat16"):
        x = t.to(getattr(torch, dt))
        check(lambda lib, x: lib.sum(x), x)
        check(lambda lib, x: lib.mean(x), x)
        check(lambda lib, x: x.reshape(64, 64).t().sum(0) if lib is torch else x.as_strided(
            [64, 64], [1, 64]).sum(0), x)


# ---- max / min family ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_max_min(dtype):
    for _, t in layouts(dtype):
        for op in ("max", "min"):
            check(lambda lib, x: getattr(lib, op)(x), t)
            for dim in [0, -1]:
                for keepdim in (False, True):
                    r = check(lambda lib, x: getattr(lib, op)(x, dim, keepdim), t, check_stride=True)
                    if r is not None:
                        assert isinstance(r, tuple) and r.values is r[0] and r.indices is r[1]
                    check(lambda lib, x: getattr(x, op)(dim=dim, keepdim=keepdim), t)
        for op in ("amax", "amin"):
            for dim in [(), 0, -1, (0, -1)] if t.dim() > 1 else [(), 0]:
                check(lambda lib, x: getattr(lib, op)(x, dim), t, check_stride=True)
                check(lambda lib, x: getattr(x, op)(dim, keepdim=True), t)
        for dim in [None, 0, -1]:
            check(lambda lib, x: lib.aminmax(x, dim=dim), t)
            check(lambda lib, x: x.aminmax(dim=dim, keepdim=True), t)
        for op in ("argmax", "argmin"):
            for dim in [None, 0, -1]:
                check(lambda lib, x: getattr(lib, op)(x, dim), t, check_stride=True)
                check(lambda lib, x: getattr(x, op)(dim, keepdim=True), t)


def test_extremes_ties_and_nan():
    t = torch.tensor([[1., 3, 3, 2, 3], [5, 5, 1, 1, 0], [NAN, 2, NAN, 9, 1], [2, INF, -INF, INF, 0]])
    for src in (t, t.t().contiguous().t(), t.to(torch.float16), t.double()):
        for op in ("max", "min"):
            check(lambda lib, x: getattr(lib, op)(x, 1), src)
            check(lambda lib, x: getattr(lib, op)(x, 0), src)
            check(lambda lib, x: getattr(lib, op)(x), src)
        for op in ("argmax", "argmin"):
            check(lambda lib, x: getattr(lib, op)(x, 1), src)
            check(lambda lib, x: getattr(lib, op)(x), src)
            check(lambda lib, x: getattr(lib, op)(x[:2]), src)
        check(lambda lib, x: lib.amax(x, 1), src)
        check(lambda lib, x: lib.aminmax(x, dim=1), src)
    # Flattened arg index follows the logical order on a transposed input.
    v = values((7, 9), "int32")
    check(lambda lib, x: lib.argmax(x.t()), v)
    check(lambda lib, x: lib.argmin(x.t(), keepdim=True), v)
    # Long rows: ties resolve to the first index across lanes and threads.
    long = torch.zeros(100_000)
    long[[70_001, 5_000, 99_999]] = 3.0
    check(lambda lib, x: lib.argmax(x), long)
    check(lambda lib, x: lib.max(x.reshape(10, 10_000) if lib is torch else x.as_strided(
        [10, 10_000], [10_000, 1]), 1), long)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_max_min_dim_long_rows(dtype):
    # Note [Single-pass arg reduction]: rows around the vector widths and past one leaf (4096),
    # ties (small integers), NaNs at various places (the first NaN's index), all -inf / +inf rows.
    for n in [15, 16, 17, 33, 100, 1000, 5000]:
        t = values((6, n), dtype, low=-3, high=3, seed=n)
        if dtype.startswith("float"):
            t[1, n // 2] = NAN
            t[1, n - 1] = NAN
            t[2, -1] = NAN
            t[3] = -INF
            t[4] = INF
        for src in (t, t.t().contiguous().t(), t[:, ::2]):
            for op in ("max", "min"):
                for keepdim in (False, True):
                    check(lambda lib, x: getattr(lib, op)(x, -1, keepdim), src)
                check(lambda lib, x: getattr(lib, op)(x, 0), src)
            if dtype != "bool":
                check(lambda lib, x: lib.argmax(x), src)  # all dims: several segments per leaf
                check(lambda lib, x: lib.argmin(x.t()), src)



@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_max_min_dim_columns(dtype):
    # Note [Column arg reduction]: tiles of whole vectors and partial ones, leaves past 4096 rows,
    # ties (small integers), NaNs (the first one's row), all -inf / +inf columns.
    for rows, cols in [(1, 70), (5, 64), (33, 130), (300, 17), (5000, 65)]:
        t = values((rows, cols), dtype, low=-3, high=3, seed=rows)
        if dtype.startswith("float"):
            t[rows // 2, 1] = NAN
            t[rows - 1, 1] = NAN
            t[-1, 2] = NAN
            t[:, 3] = -INF
            t[:, 4] = INF
        for src in (t, t[:, 1:], t.reshape(1, rows, cols).expand(2, rows, cols)):
            dim = src.dim() - 2
            for op in ("max", "min"):
                check(lambda lib, x: getattr(lib, op)(x, dim), src)
            for op in ("argmax", "argmin"):
                check(lambda lib, x: getattr(lib, op)(x, dim, keepdim=True), src)

def test_extreme_errors():
    for f in [lambda lib, x: lib.max(x), lambda lib, x: lib.min(x), lambda lib, x: lib.argmax(x),
              lambda lib, x: lib.amax(x), lambda lib, x: lib.aminmax(x),
              lambda lib, x: lib.max(x, 0), lambda lib, x: lib.argmin(x, 0),
              lambda lib, x: lib.amin(x, 0), lambda lib, x: lib.aminmax(x, dim=0)]:
        check(f, torch.zeros(0, 3))
    empty_cols = torch.zeros(3, 0)
    check(lambda lib, x: lib.max(x, 1), empty_cols)
    check(lambda lib, x: lib.max(x, 0), empty_cols)
    check(lambda lib, x: lib.argmax(x, 1), empty_cols)
    with pytest.raises(IndexError, match="non-zero size"):
        cresset.amax(cresset.zeros(2, 0), 1)
    with pytest.raises(RuntimeError, match="Specify the reduction dim"):
        cresset.max(cresset.zeros(0))


def test_max_binary_form_uses_maximum():
    a, b = torch.tensor([1., 5.]), torch.tensor([3., 2.])
    if not hasattr(cresset, "maximum"):
        with pytest.raises(AttributeError):
            cresset.max(to_cresset(a), to_cresset(b))
        return
    assert_same(cresset.max(to_cresset(a), to_cresset(b)), torch.max(a, b))


# ---- var / std / norms / logsumexp ----

@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_var_std(dtype):
    for _, t in layouts(dtype):
        for dim in dims_for(t):
            for kw in ({}, {"correction": 0}, {"correction": 2}, {"unbiased": False}):
                args = () if dim is None else (dim,)
                for op in ("var", "std"):
                    check(lambda lib, x: getattr(lib, op)(x, *args, keepdim=True, **kw), t,
                          check_stride=True)
                    check(lambda lib, x: getattr(x, op)(*args, **kw), t)
                for op in ("var_mean", "std_mean"):
                    check(lambda lib, x: getattr(lib, op)(x, *args, **kw), t)
    check(lambda lib, x: lib.var(x, False), values((5,), dtype))
    check(lambda lib, x: x.std(0, True, True), values((4, 3), dtype))


def test_var_errors_and_edges():
    check(lambda lib, x: lib.var(x), values((4,), "int64"))
    check(lambda lib, x: x.std(), values((4,), "bool"))
    for t in (torch.tensor([1.0]), torch.zeros(0), torch.tensor([1.0, 2.0])):
        check(lambda lib, x: lib.var(x, correction=3), t)
        check(lambda lib, x: lib.std(x), t)
    big = torch.randn(50_000, dtype=torch.float64) * 1e-3 + 1e4  # Welford keeps this stable
    check(lambda lib, x: lib.var(x), big, rtol=1e-9)


@pytest.mark.parametrize("p", [2, 1, 0, 3, 0.5, INF, -INF, -1.5, "fro", None])
def test_norm(p):
    for dtype in FLOAT_DTYPES:
        for _, t in layouts(dtype):
            for dim in dims_for(t):
                args = {} if dim is None else {"dim": dim}
                check(lambda lib, x: lib.norm(x, p, keepdim=True, **args), t, check_stride=True)
                check(lambda lib, x: x.norm(p, **args), t)
    check(lambda lib, x: lib.norm(x, p), values((3,), "int64"))
    check(lambda lib, x: lib.norm(x, p, dtype=lib.float64), values((3, 4), "float32"))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_logsumexp(dtype):
    ref = float32_oracle("logsumexp", dtype)
    for _, t in layouts(dtype):
        for dim in [0, -1, (0, -1)] if t.dim() > 1 else [0]:
            check(ref(lambda lib, x: lib.logsumexp(x, dim)), t, check_stride=True)
            check(ref(lambda lib, x: x.logsumexp(dim, keepdim=True)), t)
    special = torch.tensor([[-INF, -INF], [INF, 1.0], [INF, NAN], [1e30, 1e30], [-1e4, 0.0],
                            [INF, INF], [-INF, 2.0]])
    check(lambda lib, x: lib.logsumexp(x, 1), special)
    check(lambda lib, x: lib.logsumexp(x, 1), special.double())


# ---- all / any / count_nonzero ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_logical_and_count(dtype):
    for _, t in layouts(dtype):
        for dim in dims_for(t):
            for op in ("all", "any"):
                if dim is None:
                    check(lambda lib, x: getattr(lib, op)(x), t)
                else:
                    check(lambda lib, x: getattr(lib, op)(x, dim, keepdim=True), t,
                          check_stride=True)
                    check(lambda lib, x: getattr(x, op)(dim), t)
            check(lambda lib, x: lib.count_nonzero(x, dim), t)
            check(lambda lib, x: x.count_nonzero(dim=dim), t)
    special = torch.tensor([0.0, NAN, -0.0])
    check(lambda lib, x: lib.all(x), special)
    check(lambda lib, x: lib.any(x[::2]), special)
    check(lambda lib, x: lib.count_nonzero(x), special)


# ---- cumulative ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_cumulative(dtype):
    for _, t in layouts(dtype):
        for dim in [0, -1]:
            for op in ("cumsum", "cumprod"):
                src = t
                if op == "cumprod" and t.is_floating_point():
                    src = t.abs() * 0.3 + 0.8
                check(lambda lib, x: getattr(lib, op)(x, dim), src, check_stride=True)
                check(lambda lib, x: getattr(x, op)(dim=dim), src)
            for op in ("cummax", "cummin", "logcumsumexp"):
                check(lambda lib, x: getattr(lib, op)(x, dim), t, check_stride=True)
                check(lambda lib, x: getattr(x, op)(dim), t)


def test_cumulative_special_values_and_inplace():
    t = torch.tensor([[1., NAN, 3, NAN, 0], [2, 2, 1, 1, 5], [-INF, -INF, 0, INF, INF]])
    for op in ("cummax", "cummin", "cumsum", "logcumsumexp"):
        check(lambda lib, x: getattr(lib, op)(x, 1), t)
        check(lambda lib, x: getattr(lib, op)(x, 0), t)
    ints = values((3, 70), "int32")  # column tiles wider than one vector
    check(lambda lib, x: lib.cumsum(x, 0), ints)
    check(lambda lib, x: lib.cummin(x.t(), 1), ints)
    for dt in ("float32", "int64"):
        t2, c2 = values((4, 5), dt), None
        c2 = to_cresset(t2)
        v = c2._version
        r = c2.cumsum_(1)
        t2.cumsum_(1)
        assert r._is_same(c2) and c2._version > v
        assert_same(c2, t2)
        c2.cumprod_(0)
        t2.cumprod_(0)
        assert_same(c2, t2)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "float16"])
def test_cumulative_lines_together(dtype):
    # Scans along the innermost dim run 8 lines at a time, each skewed 16 elements behind the
    # previous; 19 lines leave 3 for one at a time, 1024-element lines are 4 KB apart, and lines
    # shorter than the skew's span (100) go one at a time.
    g = torch.Generator().manual_seed(4)
    for shape in [(19, 150), (8, 1024), (2, 9, 100), (3, 200)]:
        x = torch.randint(-3, 4, shape, generator=g).to(getattr(torch, dtype))
        if x.is_floating_point():
            x = x * 0.25
            lines = x.view(-1, shape[-1])
            lines[len(lines) // 2, 70 % shape[-1]] = NAN
        for op in ("cumsum", "cummax", "cummin") + (("logcumsumexp",) if x.is_floating_point()
                                                     else ()):
            check(lambda lib, t: getattr(lib, op)(t, -1), x)
        check(lambda lib, t: lib.cumprod(t.double() * 0.01 + 1 if t.is_floating_point()
                                         else t.clamp(-1, 1), -1), x)


def test_cumulative_errors():
    check(lambda lib, x: lib.cumsum(x, 2), values((3, 4), "float32"))
    check(lambda lib, x: lib.cumsum(x, -3), values((3, 4), "float32"))
    check(lambda lib, x: lib.cummax(x, 1), values((), "float32"))


# ---- sort / topk / selection ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_sort_argsort(dtype):
    for _, t in layouts(dtype):
        for dim in [0, -1]:
            for descending in (False, True):
                # Small integers have many ties: matching indices shows the sort is stable.
                check(lambda lib, x: lib.sort(x, dim=dim, descending=descending, stable=True), t,
                      check_stride=True)
                check(lambda lib, x: x.sort(dim, descending), t, check_stride=True)
                check(lambda lib, x: lib.argsort(x, dim=dim, descending=descending, stable=True), t)
                check(lambda lib, x: x.argsort(dim, descending), t)
        check(lambda lib, x: lib.msort(x), t)


def test_sort_nan_and_layouts():
    t = torch.tensor([3., NAN, 1, NAN, 2, -INF, INF, 1])
    for desc in (False, True):
        check(lambda lib, x: lib.sort(x, descending=desc), t)
        check(lambda lib, x: lib.sort(x, descending=desc), t.half())
    m = torch.randn(4, 6)
    for v in (m.t()[:, ::2], m.t()[::2], torch.randn(2, 3, 4).permute(1, 2, 0)[:, ::2],
              torch.randn(4, 1).expand(4, 3)):
        check(lambda lib, x: lib.sort(x, 0), v, check_stride=True)
    check(lambda lib, x: lib.sort(x, 1), torch.zeros(3, 0))
    check(lambda lib, x: lib.sort(x, 2), m)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_topk_kthvalue(dtype):
    # Distinct values: torch leaves the order of equal elements to its implementation.
    base = torch.randperm(120, generator=torch.Generator().manual_seed(3)).reshape(4, 5, 6)
    t = base.to(getattr(torch, dtype)).transpose(0, 2)[::2]
    if dtype == "bool":
        t = torch.tensor([True, False])
    for dim in [0, -1]:
        n = t.shape[dim]
        for k in sorted({0, 1, n // 2, n}):
            for largest in (True, False):
                check(lambda lib, x: lib.topk(x, k, dim, largest=largest), t, check_stride=True)
                check(lambda lib, x: x.topk(k, dim=dim, largest=largest, sorted=True), t)
        for k in sorted({1, (n + 1) // 2, n}):
            check(lambda lib, x: lib.kthvalue(x, k, dim), t, check_stride=True)
            check(lambda lib, x: x.kthvalue(k, dim, keepdim=True), t)
    check(lambda lib, x: lib.topk(x, 3, 0, sorted=False)[0].sort()[0], torch.tensor([5., 1, 9, 3]))


def test_select_special_and_errors():
    t = torch.tensor([3., NAN, 2, NAN])
    check(lambda lib, x: lib.topk(x, 2), t)
    check(lambda lib, x: lib.topk(x, 2, largest=False), t)
    check(lambda lib, x: lib.kthvalue(x, 3), t)
    for f in [lambda lib, x: lib.topk(x, 6), lambda lib, x: lib.kthvalue(x, 0),
              lambda lib, x: lib.kthvalue(x, 6), lambda lib, x: lib.topk(x, 1, 1)]:
        check(f, torch.arange(5.))
    check(lambda lib, x: lib.kthvalue(x, 1, 1), torch.zeros(3, 0))
    check(lambda lib, x: lib.topk(x, 0, 1), torch.zeros(3, 0))
    check(lambda lib, x: lib.topk(x, 1), torch.tensor(3.))
    check(lambda lib, x: lib.kthvalue(x, 1), torch.tensor(3.))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_median_mode(dtype):
    for _, t in layouts(dtype, empty=False):
        check(lambda lib, x: lib.median(x), t)
        check(lambda lib, x: x.median(), t)
        # torch's median/mode along a stride-0 dim read garbage; its oracle gets a dense copy.
        oracle = (lambda f: lambda lib, x: f(lib, x if lib is cresset else x.contiguous()))
        for dim in [0, -1]:
            for keepdim in (False, True):
                check(oracle(lambda lib, x: lib.median(x, dim, keepdim)), t, check_stride=True)
                check(oracle(lambda lib, x: lib.mode(x, dim, keepdim)), t, check_stride=True)
                check(oracle(lambda lib, x: x.mode(dim)), t)
        if t.is_floating_point():
            check(lambda lib, x: lib.nanmedian(x), t)
            check(oracle(lambda lib, x: lib.nanmedian(x, 0)), t)


def test_median_nan_and_errors():
    t = torch.tensor([[1., NAN, 3, NAN], [4, 2, 3, 1], [1, NAN, 3, 4]])
    check(lambda lib, x: lib.median(x, 1), t)
    check(lambda lib, x: lib.median(x), t)
    check(lambda lib, x: lib.median(x[1]), t)
    check(lambda lib, x: lib.nanmedian(x, 1), t)
    check(lambda lib, x: lib.nanmedian(x), t)
    check(lambda lib, x: lib.mode(x, 1), torch.tensor([[1, 1, 2, 2, 3, 3, 2, 1], [3, 1, 2, 1, 3, 0, 0, 0]]))
    check(lambda lib, x: lib.median(x), torch.zeros(3, 0))
    for op in ("median", "mode", "nanmedian"):
        check(lambda lib, x: getattr(lib, op)(x, 1), torch.zeros(3, 0))
        check(lambda lib, x: getattr(lib, op)(x, 1), torch.zeros(0, 3))


# ---- unique / bincount / histc ----

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_unique(dtype):
    for _, t in layouts(dtype):
        for inv in (False, True):
            for counts in (False, True):
                check(lambda lib, x: lib.unique(x, return_inverse=inv, return_counts=counts), t)
                check(lambda lib, x: lib.unique_consecutive(x, return_inverse=inv,
                                                            return_counts=counts), t)
        check(lambda lib, x: x.unique(sorted=False), t)
    rows = torch.tensor([[1, 2, 0], [1, 2, 0], [0, 5, 1], [1, 2, 0], [0, 5, 0]]).to(
        getattr(torch, dtype) if dtype != "bool" else torch.int64)
    for dim in (0, 1, -1):
        check(lambda lib, x: lib.unique(x, dim=dim, return_inverse=True, return_counts=True), rows)
        check(lambda lib, x: lib.unique_consecutive(x, dim=dim, return_counts=True), rows)
        check(lambda lib, x: lib.unique(x.t(), dim=dim), rows)



def test_unique_large_parallel():
    # Note [Radix unique]: parts per thread, negative keys, keys over 2^32, groups across parts.
    g = torch.Generator().manual_seed(3)
    keys = [torch.randint(-1000, 1000, (100_003,), generator=g),
            torch.randint(0, 2 ** 40, (99_001,), generator=g),
            torch.randint(0, 3, (99_000,), generator=g).sort().values]
    for t in keys + [keys[0].int(), keys[0].float()]:
        results = []
        for threads in (1, 3):
            cresset.set_num_threads(threads)
            ours = cresset.unique(to_cresset(t), return_inverse=True, return_counts=True)
            results.append([r.tolist() for r in ours])
        cresset.set_num_threads(torch.get_num_threads())
        assert results[0] == results[1]
        check(lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True), t)
        check(lambda lib, x: lib.unique_consecutive(x, return_inverse=True, return_counts=True), t)

def test_unique_nan_and_empty():
    t = torch.tensor([NAN, 1., NAN, 2., 1.])
    check(lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True), t)
    check(lambda lib, x: lib.unique_consecutive(x, return_counts=True), t)
    check(lambda lib, x: lib.unique(x, dim=1), torch.zeros(3, 0))
    check(lambda lib, x: lib.unique(x, dim=0), torch.zeros(3, 0))
    check(lambda lib, x: lib.unique(x, return_inverse=True), torch.tensor(3.))


def test_bincount_histc():
    x = torch.tensor([0, 1, 1, 3, 7, 3])
    check(lambda lib, v: lib.bincount(v), x)
    check(lambda lib, v: lib.bincount(v, minlength=10), x)
    check(lambda lib, v: v.bincount(), x.to(torch.uint8))
    check(lambda lib, v: lib.bincount(v), torch.zeros(0, dtype=torch.int64))
    for wdt in ("float32", "float64", "int64", "float16"):
        w = torch.tensor([0.5, 1, 2, 3, 4, 5]).to(getattr(torch, wdt))
        assert_same(cresset.bincount(to_cresset(x), to_cresset(w)), torch.bincount(x, w))
    for bad in (torch.tensor([-1, 2]), torch.tensor([[1, 2]]), torch.tensor([1., 2.]),
                torch.tensor([True])):
        check(lambda lib, v: lib.bincount(v), bad)
    check(lambda lib, v: lib.bincount(v, minlength=-1), x)
    with pytest.raises(RuntimeError):
        cresset.bincount(to_cresset(x), cresset.ones(2))

    data = torch.tensor([1., 2, 3, 2.5, -1, 7, NAN, 2.0000001])
    for dt in FLOAT_DTYPES:
        d = data.to(getattr(torch, dt))
        check(lambda lib, v: lib.histc(v[:6], bins=4), d)
        check(lambda lib, v: lib.histc(v, bins=5, min=0, max=3), d)
        check(lambda lib, v: v.histc(bins=3, min=1, max=1), d[:4])
        check(lambda lib, v: lib.histc(v.reshape(2, 4) if lib is torch else v.as_strided(
            [2, 4], [4, 1]), bins=6, min=-2, max=8), d)
    check(lambda lib, v: lib.histc(v), torch.zeros(0))
    check(lambda lib, v: lib.histc(v), torch.tensor([1, 2]))
    check(lambda lib, v: lib.histc(v, bins=0), data)
    check(lambda lib, v: lib.histc(v, min=3, max=1), data)
    check(lambda lib, v: lib.histc(v), data)  # NaN makes the range not finite


# ---- arguments, out=, return types ----

def test_dim_errors():
    t = values((2, 3), "float32")
    for f in [lambda lib, x: lib.sum(x, 2), lambda lib, x: lib.sum(x, (0, 0)),
              lambda lib, x: lib.sum(x, (0, -2)), lambda lib, x: lib.mean(x, -3),
              lambda lib, x: lib.amax(x, 5), lambda lib, x: lib.argmax(x, 2),
              lambda lib, x: lib.var(x, (1, 1)), lambda lib, x: lib.max(x, -3),
              lambda lib, x: lib.cumsum(x, 2), lambda lib, x: lib.sort(x, 2),
              lambda lib, x: lib.logsumexp(x, 3), lambda lib, x: lib.any(x, 2)]:
        check(f, t)
    check(lambda lib, x: lib.sum(x, 1), values((), "float32"))
    check(lambda lib, x: lib.sum(x, (0, -1)), values((), "float32"))


def test_out_arguments():
    x = values((3, 4), "float32")
    cx = to_cresset(x)

    def out_check(fn, out_dtypes, n=1):
        theirs = [torch.empty(0, dtype=getattr(torch, d)) for d in out_dtypes]
        ours = [cresset.empty(0, dtype=getattr(cresset, d)) for d in out_dtypes]
        try:
            expected = fn(torch, x, theirs if n > 1 else theirs[0])
        except RuntimeError:
            with pytest.raises(RuntimeError):
                fn(cresset, cx, ours if n > 1 else ours[0])
            return
        got = fn(cresset, cx, tuple(ours) if n > 1 else ours[0])
        assert_same(got, expected)
        for o, t in zip(ours, theirs):
            assert_same(o, t)
        if n == 1:
            assert got._is_same(ours[0])

    for d in ("float32", "float64", "int64"):
        out_check(lambda lib, v, o: lib.sum(v, 0, out=o), [d])
        out_check(lambda lib, v, o: lib.mean(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.prod(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.amax(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.argmax(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.cumsum(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.logcumsumexp(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.norm(v, dim=1, out=o), [d])
        out_check(lambda lib, v, o: lib.logsumexp(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.var(v, 1, out=o), [d])
        out_check(lambda lib, v, o: lib.histc(v, out=o), [d])
        out_check(lambda lib, v, o: lib.sum(v, 0, dtype=lib.float32, out=o), [d])
    out_check(lambda lib, v, o: lib.all(v, 1, out=o), ["bool"])
    out_check(lambda lib, v, o: lib.all(v, 1, out=o), ["int64"])
    for vd in ("float32", "float64"):
        for fn in [lambda lib, v, o: lib.max(v, 1, out=o), lambda lib, v, o: lib.sort(v, 1, out=o),
                   lambda lib, v, o: lib.topk(v, 2, 1, out=o),
                   lambda lib, v, o: lib.kthvalue(v, 2, 1, out=o),
                   lambda lib, v, o: lib.median(v, 1, out=o), lambda lib, v, o: lib.mode(v, 1, out=o),
                   lambda lib, v, o: lib.cummax(v, 1, out=o), lambda lib, v, o: lib.min(v, 0, out=o)]:
            out_check(fn, [vd, "int64"], n=2)
    out_check(lambda lib, v, o: lib.aminmax(v, dim=0, out=o), ["float32", "float32"], n=2)
    # A non-contiguous out of the right shape is written in place.
    theirs = torch.zeros(4, 2)[:, 0]
    ours = to_cresset(torch.zeros(4, 2))[:, 0] if hasattr(cresset.Tensor, "__getitem__") else \
        to_cresset(torch.zeros(4, 2)).as_strided([4], [2], 0)
    torch.sum(x, 0, out=theirs)
    cresset.sum(cx, 0, out=ours)
    assert_same(ours, theirs, check_stride=True)


def test_return_types():
    import cresset.return_types as rt
    x = to_cresset(values((3, 4), "float32"))
    r = cresset.max(x, 1)
    assert isinstance(r, rt.max) and isinstance(r, tuple)
    assert r._fields == ("values", "indices")
    values_, indices = r
    assert values_._is_same(r.values) and indices._is_same(r.indices)
    assert isinstance(x.sort(), rt.sort) and isinstance(x.topk(1), rt.topk)
    assert cresset.aminmax(x)._fields == ("min", "max")
    assert isinstance(x.cummin(0), rt.cummin) and isinstance(x.median(0), rt.median)
    assert type(cresset.var_mean(x)) is tuple and type(cresset.std_mean(x)) is tuple
    assert type(cresset.unique(x, return_counts=True)) is tuple
    t = torch.tensor([[1., 5, 3], [4, 2, 6]])
    for fn in (lambda lib, v: lib.max(v, 1), lambda lib, v: lib.aminmax(v),
               lambda lib, v: lib.sort(v)):
        assert repr(fn(cresset, to_cresset(t))) == repr(fn(torch, t))
