"""Tensor printing: ``repr(t)`` reproduces torch's output character for character.

The rules (the same as torch._tensor_str):
- Past ``threshold`` elements the tensor is summarized: every dim longer than 2 * edgeitems shows
  its first and last ``edgeitems`` entries around ``...``.
- One formatter serves the whole tensor (only the shown values count). Integers and bools are
  right-aligned to the widest value. Floats look only at the nonzero finite values: when all are
  whole numbers they print as ``1.`` ("int mode"); scientific notation is chosen when
  max/min > 1000, max > 1e8 or min < 1e-4 (unless ``sci_mode`` forces it); otherwise fixed point
  with ``precision`` decimals. Every entry is padded to the widest one.
- A row holds as many entries as fit in ``linewidth`` after the indentation; rows wrap with the
  indentation of their bracket, and dim k blocks are separated by k - 1 blank lines.
- Suffixes (device, size, dtype, grad_fn / requires_grad) follow the data, on a new line when the
  last line would pass ``linewidth``.
Values are read with ``tolist()`` on small as_strided views, so summarizing a huge tensor only
touches the shown elements.
"""
import math

import cresset


class _PrintOptions:
    __slots__ = ("edgeitems", "linewidth", "precision", "sci_mode", "threshold")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    r"""Set options for printing (torch.set_printoptions).

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: number of elements above which the output is summarized (default 1000).
        edgeitems: items shown at each end of a summarized dim (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"`` presets; the other arguments override it.
        sci_mode: force (True) or forbid (False) scientific notation; None chooses automatically.
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**opts)`` accepts."""
    names = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")
    return {name: getattr(PRINT_OPTS, name) for name in names}


class printoptions:
    """Context manager that sets print options and restores the previous ones on exit."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._saved = None

    def __enter__(self):
        self._saved = get_printoptions()
        set_printoptions(**self._kwargs)

    def __exit__(self, *exc):
        set_printoptions(**self._saved)
        return False


class _Cut:
    """A summarized dim: its first and last ``edgeitems`` entries, shown around ``...``."""

    __slots__ = ("head", "tail")

    def __init__(self, head, tail):
        self.head = head
        self.tail = tail


def _gather(t, sizes, strides, offset, d, edge):
    """The shown values of dims d.. of a summarized tensor as nested lists and _Cuts."""
    n, step = sizes[d], strides[d]
    cut = n > 2 * edge
    if d == len(sizes) - 1:
        if cut:
            return _Cut(t.as_strided([edge], [step], offset).tolist(),
                        t.as_strided([edge], [step], offset + (n - edge) * step).tolist())
        return t.as_strided([n], [step], offset).tolist()
    rows = range(n) if not cut else [*range(edge), *range(n - edge, n)]
    items = [_gather(t, sizes, strides, offset + i * step, d + 1, edge) for i in rows]
    return _Cut(items[:edge], items[edge:]) if cut else items


def _leaves(node, dim, out):
    """Appends the values of a gathered node to ``out``."""
    if dim == 0:
        out.append(node)
        return
    parts = (node.head, node.tail) if isinstance(node, _Cut) else (node,)
    for part in parts:
        if dim == 1:
            out.extend(part)
        else:
            for child in part:
                _leaves(child, dim - 1, out)


class _Formatter:
    """Formats every shown value of one tensor to a common width."""

    def __init__(self, values, floating, precision, sci_mode):
        self.floating = floating
        self.precision = precision
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not floating:
            self.width = max([1, *(len(str(v)) for v in values)])
            return
        shown = [v for v in values if v != 0 and math.isfinite(v)]
        if not shown:
            return
        lo = min(abs(v) for v in shown)
        hi = max(abs(v) for v in shown)
        self.int_mode = all(v == math.ceil(v) for v in shown)
        if sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = sci_mode
        if self.sci_mode:
            self.width = max(len(f"{v:.{precision}e}") for v in shown)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in shown)
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in shown)

    def __call__(self, v):
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = f"{v:{self.width}.{self.precision}e}"
        elif self.int_mode:
            s = f"{v:.0f}" + ("." if math.isfinite(v) else "")
        else:
            s = f"{v:.{self.precision}f}"
        return " " * (self.width - len(s)) + s


def _render(node, dim, indent, fmt, linewidth):
    """The bracketed text of a gathered node whose opening bracket sits at column ``indent``."""
    if dim == 0:
        return fmt(node)
    if dim == 1:
        if isinstance(node, _Cut):
            items = [*map(fmt, node.head), " ...", *map(fmt, node.tail)]
        else:
            items = [fmt(v) for v in node]
        per_line = max(1, math.floor((linewidth - indent) / (fmt.width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if isinstance(node, _Cut):
        blocks = [*(_render(c, dim - 1, indent + 1, fmt, linewidth) for c in node.head), "...",
                  *(_render(c, dim - 1, indent + 1, fmt, linewidth) for c in node.tail)]
    else:
        blocks = [_render(c, dim - 1, indent + 1, fmt, linewidth) for c in node]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(blocks) + "]"


def _tensor_str(t, indent):
    """The data part of the repr of a non-empty CPU tensor."""
    opts = PRINT_OPTS
    dim = t.dim()
    summarize = t.numel() > opts.threshold
    if summarize and dim > 0 and not opts.edgeitems:
        return "[...]"
    if summarize and dim > 0:
        node = _gather(t, t.shape, t.stride(), t.storage_offset(), 0, opts.edgeitems)
    else:
        node = t.tolist()
    values = []
    _leaves(node, dim, values)
    fmt = _Formatter(values, t.dtype.is_floating_point, opts.precision, opts.sci_mode)
    return _render(node, dim, indent, fmt, opts.linewidth)


def _add_suffixes(text, suffixes, indent):
    """Appends ``, suffix`` items and the closing parenthesis, wrapping past linewidth."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _grad_fn_name(t):
    """The name shown in ``grad_fn=<...>``, or None when the tensor has no grad_fn."""
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is None:
        return None
    name = grad_fn.name() if callable(getattr(grad_fn, "name", None)) else type(grad_fn).__name__
    return name.rsplit("::", 1)[-1]


def _str(self, *, tensor_contents=None):
    """Tensor.__repr__: ``tensor(<data>, <suffixes>)`` exactly as torch prints it."""
    cls = type(self)
    plain = cls is cresset.Tensor or cls.__name__ == "Parameter"
    prefix = "tensor(" if plain else cls.__name__ + "("
    indent = len(prefix)
    suffixes = []
    device = self.device
    if device.type != "cpu":
        suffixes.append(f"device='{device}'")
    default_dtype = cresset.get_default_dtype()
    dtype = self.dtype
    text = tensor_contents
    if self.numel() == 0:
        if self.dim() != 1:
            suffixes.append("size=" + str(tuple(self.shape)))
        if dtype is not default_dtype:  # no values to tell an empty int64 tensor apart
            suffixes.append("dtype=" + str(dtype))
        if text is None:
            text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(self.shape)))
        if dtype not in (default_dtype, cresset.int64, cresset.bool):
            suffixes.append("dtype=" + str(dtype))
        if text is None:
            text = _tensor_str(self if device.type == "cpu" else self.cpu(), indent)
    grad_fn = _grad_fn_name(self)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + text, suffixes, indent)
