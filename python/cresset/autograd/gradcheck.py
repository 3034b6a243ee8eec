"""gradcheck / gradgradcheck: analytical gradients against float64 central differences."""
import itertools

import cresset


def _inputs(inputs):
    return (inputs,) if isinstance(inputs, cresset.Tensor) else tuple(inputs)


def _outputs(out):
    return (out,) if isinstance(out, cresset.Tensor) else tuple(out)


def _numerical_jacobian(fn, inputs, index, eps):
    """d(all outputs flattened) / d(inputs[index] flattened) by central differences."""
    # Perturbed in place through a detached alias of x (a reshape of a non-contiguous x would be
    # a copy that fn never sees), element by element in row-major order.
    target = inputs[index].detach()
    columns = []
    with cresset.no_grad():
        for k in itertools.product(*(range(n) for n in target.shape)):
            orig = target[k].item()
            target[k] = orig + eps
            plus = [o.reshape(-1).clone() for o in _outputs(fn(*inputs))]
            target[k] = orig - eps
            minus = [o.reshape(-1).clone() for o in _outputs(fn(*inputs))]
            target[k] = orig
            columns.append(cresset.cat([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return cresset.stack(columns, 1) if columns else None


def _analytical_jacobian(fn, inputs, index):
    outs = [o for o in _outputs(fn(*inputs))]
    rows = []
    for o in outs:
        if not o.requires_grad:  # an output that doesn't depend on the inputs: zero rows
            rows += [cresset.zeros(inputs[index].numel(), dtype=inputs[index].dtype)] * o.numel()
            continue
        for j in range(o.numel()):
            # Row j: the gradient of output entry j, asked for with a one-hot grad_output.
            onehot = cresset.zeros(o.numel(), dtype=o.dtype)
            onehot[j] = 1
            (g,) = cresset.autograd.grad(o, inputs[index], onehot.reshape(o.shape),
                                         retain_graph=True, allow_unused=True)
            rows.append(cresset.zeros(inputs[index].numel(), dtype=inputs[index].dtype)
                        if g is None else g.reshape(-1))
    return cresset.stack(rows, 0) if rows else None


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_):
    """True when func's analytical gradients match finite differences for every input that
    requires grad; otherwise raises GradcheckError (or returns False)."""
    inputs = _inputs(inputs)
    for i, x in enumerate(inputs):
        if not (isinstance(x, cresset.Tensor) and x.requires_grad):
            continue
        if x.dtype != cresset.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of double "
                          "precision floating point.")
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i)
        if numerical is None:
            continue
        if not cresset.allclose(analytical, numerical, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{numerical}\nanalytical:{analytical}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_):
    """gradcheck of the function inputs -> d(func)/d(inputs) . grad_outputs (second order)."""
    inputs = _inputs(inputs)
    outs = _outputs(func(*inputs))
    if grad_outputs is None:
        gen = cresset.Generator().manual_seed(0)
        grad_outputs = tuple(cresset.randn(o.shape, dtype=o.dtype, generator=gen)
                             for o in outs)
    grad_outputs = _inputs(grad_outputs)

    def first_order(*args):
        # Finite differences call this under no_grad; the first-order gradient needs the graph.
        with cresset.enable_grad():
            out = _outputs(func(*args))
            used = [a for a in args if isinstance(a, cresset.Tensor) and a.requires_grad]
            grads = cresset.autograd.grad(out, used, grad_outputs, create_graph=True,
                                          allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_order, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


class GradcheckError(RuntimeError):
    """Raised by gradcheck when gradients don't match."""
