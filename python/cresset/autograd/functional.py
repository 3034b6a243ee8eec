"""cresset.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a Python function
(torch.autograd.functional), built on cresset.autograd.grad.

Each function calls `func` on copies of the inputs that require grad (views when create_graph
keeps the result differentiable with respect to the caller's inputs), so the caller's tensors are
never modified. Products with the forward direction (jvp, hvp, forward-mode Jacobians) use the
double-backward trick: the vjp with a dummy cotangent u is linear in u, so differentiating it
with respect to u gives J v.
"""
import cresset
from cresset.autograd.grad_mode import enable_grad, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(value, what, fn_name):
    """(was a tuple, the value as a tuple of tensors); TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, x in enumerate(values):
        if not isinstance(x, cresset.Tensor):
            if is_tuple:
                raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a "
                                f"tuple of Tensors but the value at index {i} has type {type(x)}.")
            raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but the given {what} has type {type(x)}.")
    return is_tuple, values


def _untuple(values, is_tuple):
    """Undoes _as_tuple: `is_tuple` is a bool, or a pair of bools for nested results."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        values = tuple(_untuple(v, inner) for v in values)
        return values if outer else values[0]
    return values if is_tuple else values[0]


def _prepare(inputs, create_graph, need_graph):
    """Fresh graph leaves for `inputs`, or views of them when create_graph (the result must then
    stay differentiable with respect to the caller's tensors)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in inputs)


def _finish(values, create_graph):
    """Results detached unless create_graph; nested tuples are walked."""
    if isinstance(values, tuple):
        return tuple(_finish(v, create_graph) for v in values)
    if values is None or create_graph:
        return values
    return values.detach()


def _check_v(v, refs):
    if len(v) != len(refs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got "
                           f"{len(v)}.")
    for i, (x, ref) in enumerate(zip(v, refs)):
        if x.shape != ref.shape:
            prefix = f"Entry {i} in " if len(refs) > 1 else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {ref.shape} but got "
                               f"{x.shape}.")


def _check_outputs_need_grad(outputs, kind, strict):
    if not strict:
        return
    for i, out in enumerate(outputs):
        if out is None:
            raise RuntimeError(f"The {kind} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not out.requires_grad:
            if kind == "hessian":
                raise RuntimeError(f"The hessian of the user-provided function with respect to "
                                   f"input {i} is independent of the input. This is not allowed "
                                   "in strict mode. You should ensure that your function is "
                                   "thrice differentiable and that the hessian depends on the "
                                   "inputs.")
            if kind == "jacobian":
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the "
                                   f"user-provided function with respect to input {i} is "
                                   "independent of the input. This is not allowed in strict "
                                   "mode. You should ensure that your function is twice "
                                   "differentiable and that the jacobian depends on the inputs "
                                   "(this would be violated by a linear function for example).")
            raise RuntimeError(f"Output {i} of the user-provided function does not require "
                               "gradients. The outputs must be computed in a differentiable "
                               "manner from the input when running in strict mode.")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that need grad (None for inputs they do not reach)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, grads = zip(*pairs)
    return cresset.autograd.grad(outs, inputs, grads, retain_graph=retain_graph,
                                 create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    """None gradients (inputs the outputs do not reach) as zeros; strict mode raises instead."""
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(f"The output of the user-provided function is independent "
                                       f"of input {i}. This is not allowed in strict mode.")
                if stage == "back_trick":
                    raise RuntimeError(f"The gradient with respect to the input is independent "
                                       f"of entry {i} in the grad_outputs when using the double "
                                       "backward trick to compute forward mode gradients. This "
                                       "is not allowed in strict mode.")
                if stage == "double_back":
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in strict "
                                       "mode.")
                raise RuntimeError(f"The hessian of the user-provided function is independent of "
                                   f"entry {i} in the grad_jacobian. This is not allowed in strict "
                                   "mode as it prevents from using the double backward trick to "
                                   "replace forward mode AD.")
            g = cresset.zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            kind = "input" if stage != "back_trick" else "grad_outputs"
            raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                               f"{kind} {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        result.append(g)
    return tuple(result)


def _call(func, inputs, fn_name):
    outputs = func(*inputs)
    return _as_tuple(outputs, "outputs of the user-provided function", fn_name)


def _vector(v, refs, create_graph, fn_name):
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, refs)
    return v


def _single_element_only(outputs, fn_name):
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function returns "
                           "a single Tensor with a single element.")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at `inputs`."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "vjp")
        _check_outputs_need_grad(outputs, "outputs", strict)
        if v is not None:
            v = _vector(v, outputs, create_graph, "vjp")
        else:
            _single_element_only(outputs, "vjp")
        with set_grad_enabled(create_graph or cresset.is_grad_enabled()):
            grads = _grad(outputs, inputs, v, create_graph=create_graph)
            result = _zeros_for_none(grads, inputs, strict, create_graph, "back")
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(result, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product at `inputs`."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is not None:
            v = _vector(v, inputs, create_graph, "jvp")
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        outputs_tuple, outputs = _call(func, inputs, "jvp")
        _check_outputs_need_grad(outputs, "outputs", strict)
        result = _forward_product(outputs, inputs, v, create_graph, strict)
    return (_untuple(_finish(outputs, create_graph), outputs_tuple),
            _untuple(_finish(result, create_graph), outputs_tuple))


def _forward_product(outputs, inputs, v, create_graph, strict):
    """J v by the double-backward trick (see the module docstring)."""
    dummies = tuple(cresset.zeros_like(out, requires_grad=True) for out in outputs)
    grads = _grad(outputs, inputs, dummies, create_graph=True)
    _check_outputs_need_grad(grads, "grad_inputs", strict)
    with set_grad_enabled(create_graph or cresset.is_grad_enabled()):
        products = _grad(grads, dummies, v, create_graph=create_graph)
        return _zeros_for_none(products, outputs, strict, create_graph, "back_trick")


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`: entry [i][j] has shape outputs[i].shape +
    inputs[j].shape (tuples collapse like the arguments and results of `func`)."""
    if strategy not in ("forward-mode", "reverse-mode"):  # torch asserts this
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: '
                         'If your function has more outputs than inputs, "forward-mode" tends to '
                         'be more performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` "
                                      "and `strategy=\"forward-mode\"` are not supported "
                                      "together (yet). Please either set `create_graph=False` or "
                                      "`strategy=\"reverse-mode\"`.")
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse"
                                      " Hessian is only implemented for `vectorize=True`.")
        if strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorize=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
    elif vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "jacobian")
        _check_outputs_need_grad(outputs, "outputs", strict)
        if strategy == "forward-mode":
            blocks = _jacobian_by_columns(outputs, inputs)
        else:
            blocks = _jacobian_by_rows(outputs, inputs, create_graph, strict)
    return _untuple(_finish(blocks, create_graph), (outputs_tuple, inputs_tuple))


def _jacobian_by_rows(outputs, inputs, create_graph, strict):
    """Reverse mode: one backward pass per element of each output."""
    blocks = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        flat = out.reshape(-1)
        for k in range(flat.numel()):
            grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
            for j, (g, x) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed in "
                                           "strict mode.")
                    g = cresset.zeros_like(x)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {j}. This is not allowed in strict "
                                       "mode when create_graph=True.")
                rows[j].append(g)
        blocks.append(tuple(_stack_rows(r, out.shape, x) for r, x in zip(rows, inputs)))
    return tuple(blocks)


def _jacobian_by_columns(outputs, inputs):
    """Forward mode: one Jacobian-vector product per element of each input."""
    columns = [[[] for _ in inputs] for _ in outputs]
    for j, x in enumerate(inputs):
        for k in range(x.numel()):
            v = tuple(cresset.zeros_like(y) for y in inputs)
            v[j].view(-1)[k] = 1
            products = _forward_product(outputs, inputs, v, False, False)
            for i, p in enumerate(products):
                columns[i][j].append(p.reshape(-1))
    return tuple(tuple(_stack_columns(columns[i][j], out.shape, x) for j, x in enumerate(inputs))
                 for i, out in enumerate(outputs))


def _stack_rows(rows, out_shape, x):
    if not rows:
        return cresset.zeros(tuple(out_shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
    return cresset.stack(rows).view(tuple(out_shape) + tuple(x.shape))


def _stack_columns(columns, out_shape, x):
    numel = 1
    for s in out_shape:
        numel *= s
    if not columns:
        return cresset.zeros(tuple(out_shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
    return cresset.stack(columns, dim=1).reshape(numel, -1).view(tuple(out_shape) + tuple(x.shape))


def _scalar_function(func, strict, fn_name):
    """`func` checked to return a single one-element tensor, squeezed to 0-dim."""
    def scalar(*inputs):
        out = func(*inputs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
        _check_outputs_need_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                               "contain a single element")
        return out.squeeze()
    return scalar


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar `func` at `inputs`: entry [i][j] has shape inputs[i].shape +
    inputs[j].shape."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    scalar = _scalar_function(func, strict, "hessian")

    def gradient(*x):
        if outer_jacobian_strategy == "forward-mode":
            x = tuple(t.requires_grad_(True) for t in x)
        jac = jacobian(scalar, x, create_graph=True)
        _check_outputs_need_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _untuple(result, (inputs_tuple, inputs_tuple))


def _second_order(func, inputs, v, create_graph, strict, fn_name):
    """(func(inputs), gradient, inputs, v) for vhp/hvp: the gradient kept differentiable."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    if v is not None:
        v = _vector(v, inputs, create_graph, fn_name)
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    outputs_tuple, outputs = _call(func, inputs, fn_name)
    _check_outputs_need_grad(outputs, "outputs", strict)
    if outputs_tuple or not isinstance(outputs[0], cresset.Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    grads = _grad(outputs, inputs, create_graph=True)
    grads = _zeros_for_none(grads, inputs, strict, True, "double_back")
    return inputs_tuple, outputs[0], inputs, grads, v


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H): the vector-Hessian product of a scalar `func` at `inputs`."""
    with enable_grad():
        inputs_tuple, output, inputs, grads, v = _second_order(func, inputs, v, create_graph,
                                                               strict, "vhp")
        with set_grad_enabled(create_graph or cresset.is_grad_enabled()):
            products = _grad(grads, inputs, v, create_graph=create_graph)
            result = _zeros_for_none(products, inputs, strict, create_graph, "double_back")
    return _finish(output, create_graph), _untuple(_finish(result, create_graph), inputs_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): the Hessian-vector product of a scalar `func` at `inputs`."""
    with enable_grad():
        inputs_tuple, output, inputs, grads, v = _second_order(func, inputs, v, create_graph,
                                                               strict, "hvp")
        dummies = tuple(cresset.zeros_like(x, requires_grad=True) for x in inputs)
        # H is symmetric, so H v is the gradient of (grad . u) with respect to u, contracted with v.
        double = _grad(grads, inputs, dummies, create_graph=True)
        double = _zeros_for_none(double, inputs, strict, True, "double_back_trick")
        with set_grad_enabled(create_graph or cresset.is_grad_enabled()):
            products = _grad(double, dummies, v, create_graph=create_graph)
            result = _zeros_for_none(products, inputs, strict, create_graph, "double_back_trick")
    return _finish(output, create_graph), _untuple(_finish(result, create_graph), inputs_tuple)
