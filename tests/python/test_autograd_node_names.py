"""grad_fn names: the node an op records and the chain of nodes behind it (next_functions)
match torch's for many ops, functional nn ops and losses included."""
import pytest
import torch

import cresset


def chain(out, depth=4):
    """The names of the nodes reachable from out.grad_fn, breadth first, to `depth` levels."""
    names, level = [], [out.grad_fn]
    for _ in range(depth):
        names.append([fn.name() if fn is not None else None for fn in level])
        level = [nxt for fn in level if fn is not None for nxt, _ in fn.next_functions]
        if not level:
            break
    return names


def inputs(lib):
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(3, 4, generator=gen, dtype=torch.float64) + 0.5
    b = torch.rand(3, 4, generator=gen, dtype=torch.float64) + 0.5
    v = torch.rand(4, generator=gen, dtype=torch.float64) + 0.5
    m = torch.rand(4, 4, generator=gen, dtype=torch.float64) + 0.5
    img = torch.rand(2, 3, 5, 5, generator=gen, dtype=torch.float64)
    w = torch.rand(4, 3, 3, 3, generator=gen, dtype=torch.float64)
    conv = lambda t: lib.tensor(t.tolist(), dtype=lib.float64, requires_grad=True)
    return {"a": conv(a), "b": conv(b), "v": conv(v), "m": conv(m), "img": conv(img),
            "w": conv(w)}


F = lambda lib: lib.nn.functional
T = lambda lib, data, **kw: lib.tensor(data, **kw)

CASES = {
    "add": lambda lib, x: x["a"] + x["b"],
    "add_scalar": lambda lib, x: x["a"] + 2,
    "sub": lambda lib, x: x["a"] - x["b"],
    "rsub_operator": lambda lib, x: 2 - x["a"],
    "rsub_tensor_operator": lambda lib, x: lib.tensor(2.0, dtype=lib.float64) - x["a"],
    "rsub_fn": lambda lib, x: lib.rsub(x["a"], x["b"]),
    "mul": lambda lib, x: x["a"] * x["b"],
    "mul_scalar": lambda lib, x: x["a"] * 3,
    "div": lambda lib, x: x["a"] / x["b"],
    "div_scalar": lambda lib, x: x["a"] / 3,
    "neg": lambda lib, x: -x["a"],
    "pow_scalar": lambda lib, x: x["a"] ** 2,
    "pow_tensor": lambda lib, x: x["a"] ** x["b"],
    "rpow": lambda lib, x: 2 ** x["a"],
    "exp": lambda lib, x: x["a"].exp(),
    "log": lambda lib, x: x["a"].log(),
    "sqrt": lambda lib, x: x["a"].sqrt(),
    "rsqrt": lambda lib, x: x["a"].rsqrt(),
    "abs": lambda lib, x: x["a"].abs(),
    "sin": lambda lib, x: x["a"].sin(),
    "tanh": lambda lib, x: x["a"].tanh(),
    "sigmoid": lambda lib, x: x["a"].sigmoid(),
    "reciprocal": lambda lib, x: x["a"].reciprocal(),
    "clamp": lambda lib, x: x["a"].clamp(0.6, 1.2),
    "clamp_min": lambda lib, x: x["a"].clamp_min(0.8),
    "clamp_max": lambda lib, x: x["a"].clamp_max(0.8),
    "clamp_min_kw": lambda lib, x: x["a"].clamp(min=0.8),
    "clamp_max_kw": lambda lib, x: x["a"].clamp(max=0.8),
    "clamp_tensor": lambda lib, x: x["a"].clamp(x["b"] - 0.2, x["b"] + 0.2),
    "clamp_min_tensor": lambda lib, x: x["a"].clamp_min(x["b"]),
    "clamp_max_tensor": lambda lib, x: x["a"].clamp_max(x["b"]),
    "clip": lambda lib, x: x["a"].clip(0.6, 1.2),
    "maximum": lambda lib, x: lib.maximum(x["a"], x["b"]),
    "minimum": lambda lib, x: lib.minimum(x["a"], x["b"]),
    "where": lambda lib, x: lib.where(x["a"] > 1, x["a"], x["b"]),
    "lerp": lambda lib, x: lib.lerp(x["a"], x["b"], 0.3),
    "addcmul": lambda lib, x: lib.addcmul(x["a"], x["a"], x["b"]),
    "sum": lambda lib, x: x["a"].sum(),
    "sum_dim": lambda lib, x: x["a"].sum(1),
    "mean": lambda lib, x: x["a"].mean(),
    "mean_dim": lambda lib, x: x["a"].mean(0),
    "prod": lambda lib, x: x["a"].prod(),
    "amax": lambda lib, x: x["a"].amax(1),
    "max": lambda lib, x: x["a"].max(),
    "max_dim": lambda lib, x: x["a"].max(1)[0],
    "min_dim": lambda lib, x: x["a"].min(1).values,
    "norm": lambda lib, x: x["a"].norm(),
    "var": lambda lib, x: x["a"].var(),
    "std": lambda lib, x: x["a"].std(1),
    "logsumexp": lambda lib, x: x["a"].logsumexp(1),
    "cumsum": lambda lib, x: x["a"].cumsum(1),
    "softmax": lambda lib, x: x["a"].softmax(1),
    "log_softmax": lambda lib, x: x["a"].log_softmax(1),
    "matmul": lambda lib, x: x["a"] @ x["m"],
    "mv": lambda lib, x: x["a"] @ x["v"],
    "dot": lambda lib, x: x["v"] @ x["v"],
    "mm": lambda lib, x: lib.mm(x["a"], x["m"]),
    "bmm": lambda lib, x: lib.bmm(x["a"][None], x["m"][None]),
    "addmm": lambda lib, x: lib.addmm(x["v"], x["a"], x["m"]),
    "linear": lambda lib, x: F(lib).linear(x["a"], x["m"], x["v"]),
    "linear_nobias": lambda lib, x: F(lib).linear(x["a"], x["m"]),
    "view": lambda lib, x: x["a"].view(12),
    "reshape_copy": lambda lib, x: x["a"].t().reshape(12),
    "t": lambda lib, x: x["a"].t(),
    "transpose": lambda lib, x: x["a"].transpose(0, 1),
    "permute": lambda lib, x: x["a"].permute(1, 0),
    "select": lambda lib, x: x["a"][0],
    "slice": lambda lib, x: x["a"][1:],
    "index": lambda lib, x: x["a"][T(lib, [0, 2])],
    "mask": lambda lib, x: x["a"][x["a"] > 1],
    "expand": lambda lib, x: x["v"].expand(3, 4),
    "squeeze": lambda lib, x: x["a"][None].squeeze(0),
    "unsqueeze": lambda lib, x: x["a"].unsqueeze(0),
    "flatten": lambda lib, x: x["img"].flatten(1),
    "cat": lambda lib, x: lib.cat([x["a"], x["b"]]),
    "stack": lambda lib, x: lib.stack([x["a"], x["b"]]),
    "split": lambda lib, x: x["a"].split(2)[1],
    "chunk": lambda lib, x: x["a"].chunk(2, 1)[0],
    "unbind": lambda lib, x: x["a"].unbind()[0],
    "gather": lambda lib, x: x["a"].gather(1, T(lib, [[0], [1], [2]])),
    "index_select": lambda lib, x: x["a"].index_select(0, T(lib, [2, 0])),
    "masked_fill": lambda lib, x: x["a"].masked_fill(x["a"] > 1, 0.0),
    "diagonal": lambda lib, x: x["m"].diagonal(),
    "trace": lambda lib, x: x["m"].trace(),
    "tril": lambda lib, x: x["m"].tril(),
    "flip": lambda lib, x: x["a"].flip(0),
    "roll": lambda lib, x: x["a"].roll(1, 0),
    "repeat": lambda lib, x: x["a"].repeat(2, 1),
    "clone": lambda lib, x: x["a"].clone(),
    "contiguous": lambda lib, x: x["a"].t().contiguous(),
    "to_float": lambda lib, x: x["a"].float(),
    "relu": lambda lib, x: F(lib).relu(x["a"] - 1),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x["a"] - 1),
    "elu": lambda lib, x: F(lib).elu(x["a"] - 1),
    "gelu": lambda lib, x: F(lib).gelu(x["a"]),
    "silu": lambda lib, x: F(lib).silu(x["a"]),
    "softplus": lambda lib, x: F(lib).softplus(x["a"]),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x["a"]),
    "relu6": lambda lib, x: F(lib).relu6(x["a"]),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x["a"]),
    "hardswish": lambda lib, x: F(lib).hardswish(x["a"]),
    "mish": lambda lib, x: F(lib).mish(x["a"]),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x["a"]),
    "softsign": lambda lib, x: F(lib).softsign(x["a"]),
    "prelu": lambda lib, x: F(lib).prelu(x["a"] - 1, x["v"][:1]),
    "dropout_eval": lambda lib, x: F(lib).dropout(x["a"], training=False),
    "layer_norm": lambda lib, x: F(lib).layer_norm(x["a"], (4,), x["v"], x["v"]),
    "batch_norm": lambda lib, x: F(lib).batch_norm(x["img"], None, None, training=True),
    "group_norm": lambda lib, x: F(lib).group_norm(x["img"], 3),
    "conv2d": lambda lib, x: F(lib).conv2d(x["img"], x["w"]),
    "max_pool2d": lambda lib, x: F(lib).max_pool2d(x["img"], 2),
    "avg_pool2d": lambda lib, x: F(lib).avg_pool2d(x["img"], 2),
    "adaptive_avg_pool2d": lambda lib, x: F(lib).adaptive_avg_pool2d(x["img"], 1),
    "embedding": lambda lib, x: F(lib).embedding(T(lib, [0, 2]), x["m"]),
    "pad": lambda lib, x: F(lib).pad(x["a"], (1, 1)),
    "normalize": lambda lib, x: F(lib).normalize(x["a"]),
    "cosine_similarity": lambda lib, x: F(lib).cosine_similarity(x["a"], x["b"]),
    "mse": lambda lib, x: F(lib).mse_loss(x["a"], x["b"]),
    "mse_none": lambda lib, x: F(lib).mse_loss(x["a"], x["b"], reduction="none"),
    "l1": lambda lib, x: F(lib).l1_loss(x["a"], x["b"]),
    "smooth_l1": lambda lib, x: F(lib).smooth_l1_loss(x["a"], x["b"]),
    "huber": lambda lib, x: F(lib).huber_loss(x["a"], x["b"]),
    "cross_entropy": lambda lib, x: F(lib).cross_entropy(x["a"], T(lib, [0, 3, 1])),
    "nll": lambda lib, x: F(lib).nll_loss(x["a"].log_softmax(1), T(lib, [0, 3, 1])),
    "bce": lambda lib, x: F(lib).binary_cross_entropy(x["a"].sigmoid(), x["b"] / 2),
    "bce_logits": lambda lib, x: F(lib).binary_cross_entropy_with_logits(x["a"], x["b"] / 2),
    "kl_div": lambda lib, x: F(lib).kl_div(x["a"].log(), x["b"], reduction="batchmean"),
    "margin_ranking_none": lambda lib, x: F(lib).margin_ranking_loss(
        x["v"], x["v"] * 0.5, T(lib, [1.0, -1.0, 1.0, -1.0], dtype=lib.float64), reduction="none"),
    "margin_ranking": lambda lib, x: F(lib).margin_ranking_loss(
        x["v"], x["v"] * 0.5, T(lib, [1.0, -1.0, 1.0, -1.0], dtype=lib.float64)),
    "triplet_none": lambda lib, x: F(lib).triplet_margin_loss(
        x["a"], x["b"], x["a"] * 0.5, reduction="none"),
    "triplet": lambda lib, x: F(lib).triplet_margin_loss(x["a"], x["b"], x["a"] * 0.5),
    "hinge_embedding_none": lambda lib, x: F(lib).hinge_embedding_loss(
        x["v"], T(lib, [1.0, -1.0, 1.0, -1.0], dtype=lib.float64), reduction="none"),
    "soft_margin": lambda lib, x: F(lib).soft_margin_loss(
        x["v"], T(lib, [1.0, -1.0, 1.0, -1.0], dtype=lib.float64)),
    "cosine_embedding_none": lambda lib, x: F(lib).cosine_embedding_loss(
        x["a"], x["b"], T(lib, [1.0, -1.0, 1.0], dtype=lib.float64), reduction="none"),
    "multi_margin": lambda lib, x: F(lib).multi_margin_loss(x["a"], T(lib, [0, 3, 1])),
    "poisson_nll": lambda lib, x: F(lib).poisson_nll_loss(x["a"], x["b"]),
    "gaussian_nll": lambda lib, x: F(lib).gaussian_nll_loss(x["a"], x["b"], x["b"]),
}


# Number operands: torch's node keeps a None edge for a number that goes through a Tensor
# overload (x * 2, x + 2) and no edge for one its Scalar overload takes (x ** 2, 2 - x, x % 2).
CASES.update({
    "mul_rscalar": lambda lib, x: 2 * x["a"],
    "sub_scalar": lambda lib, x: x["a"] - 2,
    "rdiv": lambda lib, x: 2 / x["a"],
    "pow_cube": lambda lib, x: x["a"] ** 3,
    "pow_neg2": lambda lib, x: x["a"] ** -2,
    "pow_half": lambda lib, x: x["a"] ** 2.5,
    "square": lambda lib, x: x["a"].square(),
    "pow_inplace": lambda lib, x: (x["a"] * 1).pow_(2),
    "pow_twice": lambda lib, x: x["a"].pow(2).pow(3),
    "pow_0dim_exponent": lambda lib, x: x["a"].pow(lib.tensor(2.0, dtype=lib.float64)),
    "rpow_float": lambda lib, x: 2.5 ** x["a"],
    "rsub_fn_scalar": lambda lib, x: lib.rsub(x["a"], 2),
    "remainder_scalar": lambda lib, x: x["a"] % 2,
    "remainder_inplace": lambda lib, x: (x["a"] * 1).remainder_(2),
    "rremainder": lambda lib, x: 2 % x["a"],
    "floordiv_scalar": lambda lib, x: x["a"] // 2,
    "rfloordiv": lambda lib, x: 2 // x["a"],
    "fmod_scalar": lambda lib, x: x["a"].fmod(2),
    "xlogy_scalar_other": lambda lib, x: x["a"].xlogy(2),
    "xlogy_scalar_self": lambda lib, x: lib.xlogy(2, x["a"]),
    "copysign_scalar": lambda lib, x: x["a"].copysign(-1),
    "where_scalar_self": lambda lib, x: lib.where(x["a"] > 1, 0.0, x["a"]),
    "where_scalar_other": lambda lib, x: lib.where(x["a"] > 1, x["a"], 0.0),
})


@pytest.mark.parametrize("name", sorted(CASES))
def test_node_names(name):
    ours = CASES[name](cresset, inputs(cresset))
    theirs = CASES[name](torch, inputs(torch))
    assert chain(ours) == chain(theirs)


NUMBER_OPERAND_CASES = ["rpow", "rpow_float", "xlogy_scalar_other", "mul_rscalar", "sub_scalar",
                        "rdiv", "pow_scalar", "pow_cube", "pow_neg2",
                        "pow_half", "square", "pow_inplace", "pow_twice", "rsub_operator",
                        "rsub_fn_scalar", "remainder_scalar", "remainder_inplace", "fmod_scalar",
                        "xlogy_scalar_self", "copysign_scalar", "where_scalar_self",
                        "where_scalar_other", "soft_margin", "margin_ranking",
                        "cosine_embedding_none", "triplet"]


@pytest.mark.parametrize("name", NUMBER_OPERAND_CASES)
def test_number_operand_gradients(name):
    # Dropping a number's edge must leave every tensor input its own gradient.
    grads = []
    for lib in (cresset, torch):
        x = inputs(lib)
        CASES[name](lib, x).sum().backward()
        grads.append([None if t.grad is None else t.grad.tolist() for t in x.values()])
    ours, theirs = grads
    assert [g is None for g in ours] == [g is None for g in theirs]
    for a, b in zip(ours, theirs):
        if a is not None:
            assert torch.allclose(torch.tensor(a, dtype=torch.float64),
                                  torch.tensor(b, dtype=torch.float64), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["rsub_operator", "pow_scalar", "where_scalar_self", "mul_scalar"])
def test_node_hook_sees_one_gradient_per_edge(name):
    seen = []
    for lib in (cresset, torch):
        out = CASES[name](lib, inputs(lib))
        counts = []
        out.grad_fn.register_hook(lambda grad_inputs, grad_outputs: counts.append(len(grad_inputs)))
        out.sum().backward()
        seen.append(counts)
    assert seen[0] == seen[1]
