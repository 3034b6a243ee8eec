"""The optimizers' updates with differentiable=True: one parameter at a time in recorded tensor
ops, in the order of torch's single-tensor implementation (so autograd sees the same nodes and
gradients flow through the step to the param, its grad, the state and any tensor they came from).
The fused C++ updates (cresset._C._optim) serve every other step.

Each function takes (param, grad, state, group); state holds the param's state, initialised by
the optimizer; 'step' counters are incremented in place."""
import cresset

__all__ = ["adadelta", "adagrad", "adam", "adamax", "asgd", "nadam", "radam", "rmsprop",
           "rprop", "sgd"]


def _count(state):
    step = state["step"]
    step.add_(1)
    return step.item()


def _decayed_grad(param, grad, group, coupled=True):
    """grad negated for maximize, plus weight_decay * param when the decay is coupled."""
    if group.get("maximize", False):
        grad = -grad
    if coupled and group["weight_decay"] != 0:
        grad = grad.add(param, alpha=group["weight_decay"])
    return grad


def _adam_family_decay(param, grad, group):
    """Adam, NAdam and RAdam: decoupled decay scales the param, else the grad takes it."""
    decoupled = group.get("decoupled_weight_decay", False)
    if decoupled and group["weight_decay"] != 0:
        param.mul_(1 - group["lr"] * group["weight_decay"])
    return _decayed_grad(param, grad, group, coupled=not decoupled)


def _moments(grad, state, beta1, beta2):
    state["exp_avg"].lerp_(grad, 1 - beta1)
    state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)


def sgd(param, grad, state, group):
    grad = _decayed_grad(param, grad, group)
    momentum = group["momentum"]
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = cresset.clone(grad).detach()
        else:
            buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
        grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
    param.add_(grad, alpha=-group["lr"])


def adam(param, grad, state, group):
    step = state["step"]
    step.add_(1)
    beta1, beta2 = group["betas"]
    grad = _adam_family_decay(param, grad, group)
    _moments(grad, state, beta1, beta2)
    # As torch's differentiable Adam: the coefficients are tensors in the step's dtype.
    step_size_neg = (group["lr"] / (1 - beta1 ** step)).neg()
    bias_correction2_sqrt = (1 - beta2 ** step).sqrt()
    second = state["exp_avg_sq"]
    if group["amsgrad"]:
        state["max_exp_avg_sq"].copy_(cresset.maximum(state["max_exp_avg_sq"].clone(), second))
        second = state["max_exp_avg_sq"]
    denom = (second.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(
        group["eps"] / step_size_neg)
    # A copy of exp_avg is saved for the backward: the next step updates exp_avg in place.
    param.addcdiv_(state["exp_avg"].clone(), denom)


def adagrad(param, grad, state, group):
    step = _count(state)
    grad = _decayed_grad(param, grad, group)
    clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
    state["sum"].addcmul_(grad, grad, value=1)
    std = state["sum"].sqrt() + group["eps"]
    param.addcdiv_(grad, std, value=-clr)


def adamax(param, grad, state, group):
    step = _count(state)
    beta1, beta2 = group["betas"]
    grad = _decayed_grad(param, grad, group)
    state["exp_avg"].lerp_(grad, 1 - beta1)
    exp_inf = state["exp_inf"]
    norm_buf = cresset.cat([exp_inf.mul_(beta2).unsqueeze(0),
                            grad.abs().add_(group["eps"]).unsqueeze_(0)], 0)
    exp_inf.copy_(cresset.amax(norm_buf, 0, keepdim=False))
    param.addcdiv_(state["exp_avg"], exp_inf, value=-group["lr"] / (1 - beta1 ** step))


def adadelta(param, grad, state, group):
    _count(state)
    rho, eps = group["rho"], group["eps"]
    grad = _decayed_grad(param, grad, group)
    square_avg, acc_delta = state["square_avg"], state["acc_delta"]
    square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    std = square_avg.add(eps).sqrt_()
    delta = acc_delta.add(eps).sqrt_().clone()
    delta.div_(std).mul_(grad)
    acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    param.add_(delta, alpha=-group["lr"])


def asgd(param, grad, state, group):
    step = _count(state)
    grad = _decayed_grad(param, grad, group)
    eta, mu = state["eta"], state["mu"]
    eta_value = eta.item()
    param.mul_(1 - group["lambd"] * eta_value)
    param.add_(grad, alpha=-eta_value)
    if mu.item() != 1:
        state["ax"].add_(param.sub(state["ax"]).mul_(mu))
    else:
        state["ax"].copy_(param)
    lr, lambd = group["lr"], group["lambd"]
    eta.copy_(cresset.tensor(lr / ((1 + lambd * lr * step) ** group["alpha"])))
    mu.copy_(cresset.tensor(1 / max(1, step - group["t0"])))


def rmsprop(param, grad, state, group):
    _count(state)
    alpha = group["alpha"]
    grad = _decayed_grad(param, grad, group)
    square_avg = state["square_avg"]
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    if group["centered"]:
        grad_avg = state["grad_avg"]
        grad_avg.lerp_(grad, 1 - alpha)
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    else:
        avg = square_avg.sqrt()
    avg = avg.add(group["eps"])
    if group["momentum"] > 0:
        buf = state["momentum_buffer"]
        buf.mul_(group["momentum"]).addcdiv_(grad, avg)
        param.add_(buf, alpha=-group["lr"])
    else:
        param.addcdiv_(grad, avg, value=-group["lr"])


def rprop(param, grad, state, group):
    _count(state)
    etaminus, etaplus = group["etas"]
    step_size_min, step_size_max = group["step_sizes"]
    if group["maximize"]:
        grad = -grad
    prev, step_size = state["prev"], state["step_size"]
    sign = grad.mul(prev.clone()).sign()
    sign[sign.gt(0)] = etaplus
    sign[sign.lt(0)] = etaminus
    sign[sign.eq(0)] = 1
    step_size.mul_(sign).clamp_(step_size_min, step_size_max)
    grad = grad.clone(memory_format=cresset.preserve_format)
    grad[sign.eq(etaminus)] = 0
    param.addcmul_(grad.sign(), step_size, value=-1)
    prev.copy_(grad)


def nadam(param, grad, state, group):
    step = _count(state)
    beta1, beta2 = group["betas"]
    lr, decay = group["lr"], group["momentum_decay"]
    grad = _adam_family_decay(param, grad, group)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
    mu_product = state["mu_product"]
    mu_product *= mu
    _moments(grad, state, beta1, beta2)
    # Copies of the moments (updated in place by the next step) are what cresset's
    # DivBackward0 and MulBackward0 keep: they save both operands, a Python number's partner too.
    denom = state["exp_avg_sq"].clone().div(1 - beta2 ** step).sqrt().add(group["eps"])
    mu_product_next = mu_product * mu_next
    grad = grad * (-lr * (1.0 - mu) / (1.0 - mu_product))
    exp_avg = state["exp_avg"].clone() * (-lr * mu_next) / (1.0 - mu_product_next)
    param.addcdiv_(grad, denom)
    param.addcdiv_(exp_avg, denom)


def radam(param, grad, state, group):
    step = _count(state)
    beta1, beta2 = group["betas"]
    grad = _adam_family_decay(param, grad, group)
    _moments(grad, state, beta1, beta2)
    bias_correction2 = 1 - beta2 ** step
    # A copy of exp_avg (updated in place by the next step) is what DivBackward0 keeps.
    bias_corrected_exp_avg = state["exp_avg"].clone() / (1 - beta1 ** step)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = (bias_correction2 ** 0.5) / state["exp_avg_sq"].sqrt().add(group["eps"])
        param.add_(bias_corrected_exp_avg * group["lr"] * adaptive_lr * rect, alpha=-1.0)
    else:
        param.add_(bias_corrected_exp_avg * group["lr"], alpha=-1.0)


