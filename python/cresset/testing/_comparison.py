"""assert_close: recursive comparison of tensors, numbers, sequences and mappings with torch's
tolerances and messages."""
import cmath
import collections.abc
import warnings

import cresset

# (rtol, atol) per dtype; other dtypes (integers, bool) compare exactly.
_DEFAULT_TOLERANCES = {
    cresset.float16: (1e-3, 1e-5),
    cresset.bfloat16: (1.6e-2, 1e-5),
    cresset.float32: (1.3e-6, 1e-5),
    cresset.float64: (1e-7, 1e-7),
}
# Python numbers take the tolerances of the dtype torch gives them.
_NUMBER_DTYPES = {int: cresset.int64, float: cresset.float64}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise, its message and the item's path."""

    def __init__(self, type_, msg, path=()):
        super().__init__(msg)
        self.type, self.msg, self.path = type_, msg, path

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([p]) for p in self.path)
        return self.type(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """The pair kind cannot compare these inputs; the next kind is tried."""


def _tolerances(dtypes, rtol, atol, path):
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Mismatch(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                        f"but got no {missing}.", path)
    if rtol is not None:
        return rtol, atol
    pairs = [_DEFAULT_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(kind, rtol, atol, abs_diff, rel_diff, extra, abs_idx=None, rel_idx=None,
                  identifier=None):
    exact = rtol == 0 and atol == 0

    def line(name, diff, idx, tol):
        text = (f"{name.title()} difference: {diff}" if idx is None
                else f"Greatest {name} difference: {diff} at index {idx}")
        return text + ("" if exact else f" (up to {tol} allowed)") + "\n"

    if identifier is None:
        identifier = kind
    elif callable(identifier):
        identifier = identifier(kind)
    text = f"{identifier} are not {'equal' if exact else 'close'}!\n\n{extra.strip()}\n"
    text += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return text.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", rtol, atol, abs_diff, rel_diff,
                         f"Expected {expected} but got {actual}.")


def _unravel(flat, shape):
    index = []
    for size in reversed(shape):
        flat, r = divmod(flat, size)
        index.append(r)
    return tuple(reversed(index))


def _tensor_msg(actual, expected, matches, rtol, atol):
    total = matches.numel()
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e, ok = actual.flatten(), expected.flatten(), matches.flatten()
    if not actual.dtype.is_floating_point:
        a, e = a.to(cresset.int64), e.to(cresset.int64)
    abs_diff = (a - e).abs()
    abs_diff[ok] = 0
    max_abs, abs_at = abs_diff.max(0)
    rel_diff = abs_diff / e.abs()
    rel_diff[ok] = 0
    max_rel, rel_at = rel_diff.max(0)
    shape = tuple(matches.shape)
    return _mismatch_msg("Tensor-likes", rtol, atol, max_abs.item(), max_rel.item(), extra,
                         _unravel(int(abs_at), shape), _unravel(int(rel_at), shape))


def _compare_none(actual, expected, path, options):
    if actual is not None and expected is not None:
        raise _Unsupported
    if actual is not None or expected is not None:
        raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", path)


def _compare_bool(actual, expected, path, options):
    if not (isinstance(actual, bool) and isinstance(expected, bool)):
        raise _Unsupported
    if actual is not expected:
        raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}", path)


def _compare_number(actual, expected, path, options):
    numbers = (int, float, complex)
    if not (isinstance(actual, numbers) and isinstance(expected, numbers)):
        raise _Unsupported
    # bool is an int; a bool paired with a number is compared as its value.
    dtypes = [_NUMBER_DTYPES.get(type(x), cresset.float64) for x in (actual, expected)]
    rtol, atol = _tolerances(dtypes, options["rtol"], options["atol"], path)
    if options["check_dtype"] and type(actual) is not type(expected):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(actual)} != "
                        f"{type(expected)}.", path)
    if actual == expected:
        return
    if options["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
        return
    diff = abs(actual - expected)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_msg(actual, expected, rtol, atol), path)


def _as_tensor(x):
    if isinstance(x, cresset.Tensor):
        return x
    try:
        return cresset.as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _compare_tensor(actual, expected, path, options):
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not options["allow_subclasses"] and type(actual) is not type(expected)):
        raise _Unsupported
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    rtol, atol = _tolerances([actual.dtype, expected.dtype], options["rtol"], options["atol"],
                             path)

    def attribute(name, a, e):
        raise _Mismatch(AssertionError,
                        f"The values for attribute '{name}' do not match: {a} != {e}.", path)

    if actual.shape != expected.shape:
        attribute("shape", actual.shape, expected.shape)
    if options["check_stride"] and actual.stride() != expected.stride():
        attribute("stride()", actual.stride(), expected.stride())
    if options["check_device"] and actual.device != expected.device:
        attribute("device", actual.device, expected.device)
    if options["check_dtype"] and actual.dtype != expected.dtype:
        attribute("dtype", actual.dtype, expected.dtype)
    if actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if actual.dtype != expected.dtype:
        common = cresset.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    matches = cresset.isclose(actual, expected, rtol=rtol, atol=atol,
                              equal_nan=options["equal_nan"])
    if bool(matches.all()):
        return
    if actual.dim() == 0:
        msg = _scalar_msg(actual.item(), expected.item(), rtol, atol)
    else:
        msg = _tensor_msg(actual, expected, matches, rtol, atol)
    raise _Mismatch(AssertionError, msg, path)


_PAIR_KINDS = (_compare_none, _compare_bool, _compare_number, _compare_tensor)


def _comparisons(actual, expected, path, options):
    """The leaf comparisons of two nested structures (raises _Mismatch on a structure mismatch)."""
    sequence = collections.abc.Sequence
    if (isinstance(actual, sequence) and not isinstance(actual, str)
            and isinstance(expected, sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError, "The length of the sequences mismatch: "
                            f"{len(actual)} != {len(expected)}", path)
        for i in range(len(actual)):
            yield from _comparisons(actual[i], expected[i], (*path, i), options)
        return
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        keys, other = set(actual.keys()), set(expected.keys())
        if keys != other:
            raise _Mismatch(AssertionError, "The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(other - keys)}\n"
                            f"Additional keys in the actual mapping: {sorted(keys - other)}",
                            path)
        try:
            keys = sorted(keys)
        except TypeError:
            pass
        for key in keys:
            yield from _comparisons(actual[key], expected[key], (*path, key), options)
        return
    yield actual, expected, path


def _compare_leaf(actual, expected, path, options):
    for kind in _PAIR_KINDS:
        try:
            return kind(actual, expected, path, options)
        except _Unsupported:
            continue
    raise _Mismatch(TypeError, "No comparison pair was able to handle inputs of type "
                    f"{type(actual)} and {type(expected)}.", path)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Asserts that actual and expected are close (torch.testing.assert_close)."""
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    try:
        leaves = list(_comparisons(actual, expected, (), options))
    except _Mismatch as m:
        # Structure mismatches ignore msg, as torch's do.
        raise m.to_error() from None
    first = None
    for a, e, path in leaves:
        try:
            _compare_leaf(a, e, path, options)
        except _Mismatch as m:
            # Input errors (TypeError, ValueError) are raised with the generated message.
            if m.type is not AssertionError:
                raise m.to_error() from None
            first = first or m
    if first is not None:
        raise first.to_error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """The deprecated torch.testing.assert_allclose: assert_close without the dtype check, NaNs
    equal by default and looser default tolerances."""
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    if not isinstance(actual, cresset.Tensor):
        actual = cresset.tensor(actual)
    if not isinstance(expected, cresset.Tensor):
        expected = cresset.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        loose = {cresset.float16: (1e-3, 1e-3), cresset.float32: (1e-4, 1e-5),
                 cresset.float64: (1e-5, 1e-8)}
        pairs = [loose.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
