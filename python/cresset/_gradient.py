"""torch.gradient: NumPy's gradient, the derivative estimated by central differences in the
interior and one-sided differences of order edge_order at the ends, along one or more dims, with
uniform spacing (a number per dim) or given coordinates (a 1-D tensor per dim)."""
import numbers

import cresset

__all__ = ["gradient"]


def _normalize_dims(dim, ndim):
    if dim is None:
        return list(range(ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    out = []
    for d in dims:
        if not -ndim <= d < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
        d %= ndim
        if d in out:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        out.append(d)
    return out


def _spacings(spacing, dims, ndim, given_dim):
    if isinstance(spacing, (numbers.Number, cresset.Tensor)) and not (
            isinstance(spacing, cresset.Tensor) and spacing.dim() > 0):
        return [float(spacing)] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        if given_dim:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but got "
                               f"a spacing argument of length {len(spacing)} and a dim argument "
                               f"of length {len(dims)}.")
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a "
                           f"list of length equal to 'self.dim() = {ndim}', since dim argument "
                           f"was not given, but got a list of length {len(spacing)}")
    return spacing


def _along(t, d, start, length):
    return t.narrow(d, start, length)


def _uniform(f, d, h, edge_order):
    n = f.shape[d]
    interior = (_along(f, d, 2, n - 2) - _along(f, d, 0, n - 2)) / (2 * h)
    f0, f1, fl, fk = (_along(f, d, i, 1) for i in (0, 1, n - 1, n - 2))
    if edge_order == 1:
        first, last = (f1 - f0) / h, (fl - fk) / h
    else:
        f2, fj = _along(f, d, 2, 1), _along(f, d, n - 3, 1)
        first = (-1.5 * f0 + 2 * f1 - 0.5 * f2) / h
        last = (0.5 * fj - 2 * fk + 1.5 * fl) / h
    return cresset.cat([first, interior, last], dim=d)


def _coordinates(f, d, x, edge_order):
    n = f.shape[d]
    if x.dim() != 1 or x.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and "
                           f"of size {n} along dim {d}, but got a coordinate tensor of shape "
                           f"{list(x.shape)}")
    shape = [1] * f.dim()
    shape[d] = n - 1
    dx = (x[1:] - x[:-1]).to(f.dtype).reshape(shape)
    hl, hr = _along(dx, d, 0, n - 2), _along(dx, d, 1, n - 2)
    interior = (-hr / (hl * (hl + hr)) * _along(f, d, 0, n - 2)
                + (hr - hl) / (hl * hr) * _along(f, d, 1, n - 2)
                + hl / (hr * (hl + hr)) * _along(f, d, 2, n - 2))
    f0, f1, fl, fk = (_along(f, d, i, 1) for i in (0, 1, n - 1, n - 2))
    d0, dl = _along(dx, d, 0, 1), _along(dx, d, n - 2, 1)
    if edge_order == 1:
        first, last = (f1 - f0) / d0, (fl - fk) / dl
    else:
        f2, fj = _along(f, d, 2, 1), _along(f, d, n - 3, 1)
        d1, dk = _along(dx, d, 1, 1), _along(dx, d, n - 3, 1)
        first = (-(2 * d0 + d1) / (d0 * (d0 + d1)) * f0 + (d0 + d1) / (d0 * d1) * f1
                 - d0 / (d1 * (d0 + d1)) * f2)
        last = (dl / (dk * (dk + dl)) * fj - (dl + dk) / (dk * dl) * fk
                + (2 * dl + dk) / (dl * (dk + dl)) * fl)
    return cresset.cat([first, interior, last], dim=d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """A tuple with the estimated derivative of `input` along each of `dim` (all dims by
    default)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = _normalize_dims(dim, input.dim())
    steps = _spacings(spacing, dims, input.dim(), dim is not None)
    f = input if input.is_floating_point() else input.to(cresset.get_default_dtype())
    result = []
    for d, step in zip(dims, steps):
        if f.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        if isinstance(step, cresset.Tensor) and step.dim() > 0:
            result.append(_coordinates(f, d, step, edge_order))
        else:
            result.append(_uniform(f, d, float(step), edge_order))
    return tuple(result)
