"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention
against torch: masks, causal, GQA, gradients, attention weights, parameter names."""
import cresset.nn.functional as F
import pytest
import torch
import torch.nn.functional as TF
from utils import assert_raises_like, assert_same, to_cresset

import cresset


def _leaves(*ts):
    ours = [None if t is None else to_cresset(t.detach()).requires_grad_(t.is_floating_point())
            for t in ts]
    theirs = [None if t is None else t.detach().clone().requires_grad_(t.is_floating_point())
              for t in ts]
    return ours, theirs


def _compare_grads(ours, theirs, out_o, out_t, tol):
    g = torch.randn(out_t.shape, dtype=out_t.dtype)
    (out_o * to_cresset(g)).sum().backward()
    (out_t * g).sum().backward()
    for o, t in zip(ours, theirs):
        if t is not None and t.requires_grad:
            assert_same(o.grad, t.grad, rtol=tol, atol=tol)


SDPA_CASES = [
    {"q": (2, 3, 4, 8), "k": (2, 3, 6, 8)},
    {"q": (2, 3, 4, 8), "k": (2, 3, 6, 8), "mask": "bool"},
    {"q": (2, 3, 4, 8), "k": (2, 3, 6, 8), "mask": "float"},
    {"q": (2, 3, 5, 8), "k": (2, 3, 5, 8), "is_causal": True},
    {"q": (2, 3, 4, 8), "k": (2, 3, 6, 8), "is_causal": True},
    {"q": (2, 3, 4, 8), "k": (2, 3, 6, 8), "scale": 0.3},
    {"q": (4, 8), "k": (6, 8), "mask": "bool"},
    {"q": (2, 4, 3, 8), "k": (2, 2, 5, 8), "gqa": True},
    {"q": (1, 2, 4, 8), "k": (1, 2, 6, 8), "mask": "full_row"},
]


@pytest.mark.parametrize("case", range(len(SDPA_CASES)))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sdpa_matches_torch(case, dtype):
    c = SDPA_CASES[case]
    torch.manual_seed(case)
    q = torch.randn(c["q"], dtype=dtype)
    k = torch.randn(c["k"], dtype=dtype)
    v = torch.randn(c["k"], dtype=dtype)
    L, S = c["q"][-2], c["k"][-2]
    mask = None
    if c.get("mask") == "bool":
        mask = torch.rand(L, S) > 0.3
        mask[:, 0] = True
    elif c.get("mask") == "float":
        mask = torch.randn(L, S, dtype=dtype)
    elif c.get("mask") == "full_row":
        mask = torch.rand(L, S) > 0.3
        mask[1] = False  # a row that attends to nothing gives zeros
        mask[0, 0] = True
    ours, theirs = _leaves(q, k, v, mask)
    kw = {"is_causal": c.get("is_causal", False), "scale": c.get("scale"),
              "enable_gqa": c.get("gqa", False)}
    out_o = F.scaled_dot_product_attention(*ours[:3], attn_mask=ours[3], **kw)
    out_t = TF.scaled_dot_product_attention(*theirs[:3], attn_mask=theirs[3], **kw)
    tol = 1e-5 if dtype == torch.float32 else 1e-10
    assert_same(out_o, out_t.detach(), rtol=tol, atol=tol)
    _compare_grads(ours, theirs, out_o, out_t, tol)


def test_sdpa_noncontiguous_and_errors():
    torch.manual_seed(0)
    q = torch.randn(2, 8, 4, 3).transpose(1, 3)
    k = torch.randn(2, 8, 6, 3).transpose(1, 3)
    v = torch.randn(2, 3, 6, 8)
    assert_same(F.scaled_dot_product_attention(to_cresset(q), to_cresset(k), to_cresset(v)),
                TF.scaled_dot_product_attention(q, k, v), rtol=1e-5, atol=1e-5)
    mask = torch.ones(4, 6, dtype=torch.bool)
    assert_raises_like(RuntimeError,
                       lambda: F.scaled_dot_product_attention(
                           to_cresset(q), to_cresset(k), to_cresset(v), attn_mask=to_cresset(mask),
                           is_causal=True),
                       lambda: TF.scaled_dot_product_attention(
                           q.requires_grad_(), k, v, attn_mask=mask, is_causal=True))
    bad = torch.ones(4, 6, dtype=torch.int64)
    assert_raises_like(RuntimeError,
                       lambda: F.scaled_dot_product_attention(
                           to_cresset(q), to_cresset(k), to_cresset(v), attn_mask=to_cresset(bad)),
                       lambda: TF.scaled_dot_product_attention(q, k, v, attn_mask=bad))


def _mha_pair(*args, dtype=torch.float64, **kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(*args, **kwargs).to(dtype)
    ours = cresset.nn.MultiheadAttention(*args, **kwargs).to(
        getattr(cresset, str(dtype).split(".")[-1]))
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


MHA_CASES = [
    {},
    {"batch_first": True},
    {"bias": False},
    {"add_bias_kv": True},
    {"add_zero_attn": True},
    {"kdim": 3, "vdim": 5},
    {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
]
CALLS = [
    {},
    {"need_weights": False},
    {"average_attn_weights": False},
    {"attn_mask": "bool"},
    {"attn_mask": "float", "need_weights": False},
    {"key_padding_mask": True},
    {"key_padding_mask": True, "attn_mask": "float", "need_weights": False},
    {"attn_mask": "causal", "is_causal": True, "need_weights": False},
    {"attn_mask": "3d"},
]


@pytest.mark.parametrize("case", range(len(MHA_CASES)))
@pytest.mark.parametrize("call", range(len(CALLS)))
def test_mha_matches_torch(case, call):
    cfg = MHA_CASES[case]
    ours_m, theirs_m = _mha_pair(8, 2, **cfg)
    assert repr(ours_m) == repr(theirs_m)
    assert [n for n, _ in ours_m.named_parameters()] == \
        [n for n, _ in theirs_m.named_parameters()]
    torch.manual_seed(call)
    N, L, S = 3, 4, 5
    bf = cfg.get("batch_first", False)
    q = torch.randn((N, L, 8) if bf else (L, N, 8), dtype=torch.float64)
    k = torch.randn((N, S, cfg.get("kdim", 8)) if bf else (S, N, cfg.get("kdim", 8)),
                    dtype=torch.float64)
    v = torch.randn((N, S, cfg.get("vdim", 8)) if bf else (S, N, cfg.get("vdim", 8)),
                    dtype=torch.float64)
    c = dict(CALLS[call])
    mask = None
    if c.get("attn_mask") == "bool":
        mask = torch.rand(L, S) > 0.7
    elif c.get("attn_mask") == "float":
        mask = torch.randn(L, S, dtype=torch.float64)
    elif c.get("attn_mask") == "causal":
        q = q[:, :S] if bf else q[:S]
        q = torch.randn(q.shape[:-1] + (8,), dtype=torch.float64)
        if cfg.get("kdim"):
            return
        k, v = q, q
        mask = torch.nn.Transformer.generate_square_subsequent_mask(S, dtype=torch.float64)
    elif c.get("attn_mask") == "3d":
        mask = torch.randn(N * 2, L, S, dtype=torch.float64)
    kpm = None
    if c.pop("key_padding_mask", False):
        kpm = torch.zeros(N, S, dtype=torch.bool)
        kpm[0, -2:] = True
    c.pop("attn_mask", None)
    ours, theirs = _leaves(q, k, v, mask, kpm)
    out_o, w_o = ours_m(*ours[:3], attn_mask=ours[3], key_padding_mask=ours[4], **c)
    out_t, w_t = theirs_m(*theirs[:3], attn_mask=theirs[3], key_padding_mask=theirs[4], **c)
    assert_same(out_o, out_t.detach(), rtol=1e-10, atol=1e-10)
    if w_t is None:
        assert w_o is None
    else:
        assert_same(w_o, w_t.detach(), rtol=1e-10, atol=1e-10)
    _compare_grads(ours, theirs, out_o, out_t, 1e-9)
    grads_t = dict(theirs_m.named_parameters())
    for name, p in ours_m.named_parameters():
        assert_same(p.grad, grads_t[name].grad, rtol=1e-9, atol=1e-9)


def test_mha_self_attention_unbatched_float32():
    ours_m, theirs_m = _mha_pair(8, 4, dtype=torch.float32)
    x = torch.randn(5, 8)
    out_o, w_o = ours_m(to_cresset(x), to_cresset(x), to_cresset(x))
    out_t, w_t = theirs_m(x, x, x)
    assert_same(out_o, out_t.detach(), rtol=1e-5, atol=1e-5)
    assert_same(w_o, w_t.detach(), rtol=1e-5, atol=1e-5)


def test_mha_init_and_errors():
    m = cresset.nn.MultiheadAttention(8, 2, add_bias_kv=True)
    assert float(m.in_proj_bias.detach().abs().sum()) == 0
    assert float(m.out_proj.bias.detach().abs().sum()) == 0
    assert tuple(m.bias_k.shape) == (1, 1, 8)
    assert_raises_like(ValueError, lambda: cresset.nn.MultiheadAttention(0, 2),
                       lambda: torch.nn.MultiheadAttention(0, 2))
    assert_raises_like(AssertionError, lambda: cresset.nn.MultiheadAttention(8, 3),
                       lambda: torch.nn.MultiheadAttention(8, 3))
    ours_m, theirs_m = _mha_pair(8, 2)
    x = torch.randn(4, 3, 8, dtype=torch.float64)
    bad = torch.zeros(4, 5, dtype=torch.bool)
    assert_raises_like(RuntimeError,
                       lambda: ours_m(*[to_cresset(x)] * 3, attn_mask=to_cresset(bad)),
                       lambda: theirs_m(x, x, x, attn_mask=bad))
    assert_raises_like(RuntimeError, lambda: ours_m(*[to_cresset(x)] * 3, is_causal=True),
                       lambda: theirs_m(x, x, x, is_causal=True))


def _module_pair(torch_ctor, cresset_ctor, train):
    torch.manual_seed(0)
    theirs = torch_ctor(torch).double()
    ours = cresset_ctor(cresset).double()
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    ours.train(train)
    theirs.train(train)
    return ours, theirs


def _check_module(ours, theirs, inputs, kwargs_t=None, tol=1e-9):
    kwargs_t = kwargs_t or {}
    o_in, t_in = _leaves(*inputs)
    kwargs_o = {k: None if v is None else to_cresset(v) if isinstance(v, torch.Tensor) else v
                for k, v in kwargs_t.items()}
    out_o, out_t = ours(*o_in, **kwargs_o), theirs(*t_in, **kwargs_t)
    assert_same(out_o, out_t.detach(), rtol=tol, atol=tol)
    _compare_grads(o_in, t_in, out_o, out_t, tol)
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_same(p.grad, grads_t[name].grad, rtol=tol, atol=tol)


LAYER_CFGS = [
    {},
    {"norm_first": True},
    {"batch_first": True, "activation": "gelu"},
    {"bias": False, "layer_norm_eps": 1e-3},
    {"activation": "callable"},
]


def _layer_kwargs(lib, cfg, train):
    kw = dict(cfg)
    if kw.get("activation") == "callable":
        kw["activation"] = lib.nn.functional.silu if hasattr(lib.nn.functional, "silu") \
            else lib.tanh
    kw["dropout"] = 0.0 if train else 0.1
    return kw


@pytest.mark.parametrize("cfg", range(len(LAYER_CFGS)))
@pytest.mark.parametrize("train", [False, True])
def test_encoder_layer_and_encoder(cfg, train):
    c = LAYER_CFGS[cfg]
    bf = c.get("batch_first", False)
    ours, theirs = _module_pair(
        lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, **_layer_kwargs(lib, c, train)),
        lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, **_layer_kwargs(lib, c, train)),
        train)
    torch.manual_seed(1)
    x = torch.randn((3, 5, 8) if bf else (5, 3, 8), dtype=torch.float64)
    _check_module(ours, theirs, [x])
    kpm = torch.zeros(3, 5, dtype=torch.bool)
    kpm[1, 3:] = True
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    _check_module(ours, theirs, [x], {"src_mask": mask, "src_key_padding_mask": kpm})
    _check_module(ours, theirs, [x], {"src_mask": mask, "is_causal": True})

    def stack(lib):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, **_layer_kwargs(lib, c, train))
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8),
                                         enable_nested_tensor=False)
    ours, theirs = _module_pair(stack, stack, train)
    _check_module(ours, theirs, [x], {"mask": mask, "src_key_padding_mask": kpm})
    _check_module(ours, theirs, [x], {"mask": mask})


@pytest.mark.parametrize("cfg", range(len(LAYER_CFGS)))
def test_decoder_layer_and_transformer(cfg):
    c = LAYER_CFGS[cfg]
    bf = c.get("batch_first", False)
    ours, theirs = _module_pair(
        lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, **_layer_kwargs(lib, c, False)),
        lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, **_layer_kwargs(lib, c, False)),
        False)
    torch.manual_seed(2)
    tgt = torch.randn((3, 4, 8) if bf else (4, 3, 8), dtype=torch.float64)
    mem = torch.randn((3, 6, 8) if bf else (6, 3, 8), dtype=torch.float64)
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    mkpm = torch.zeros(3, 6, dtype=torch.bool)
    mkpm[0, 4:] = True
    _check_module(ours, theirs, [tgt, mem], {"tgt_mask": tgt_mask, "memory_key_padding_mask": mkpm})

    def model(lib):
        return lib.nn.Transformer(8, 2, 2, 1, 16, **_layer_kwargs(lib, c, True))
    ours, theirs = _module_pair(model, model, True)
    src = torch.randn((3, 5, 8) if bf else (5, 3, 8), dtype=torch.float64)
    _check_module(ours, theirs, [src, tgt], {"tgt_mask": tgt_mask, "tgt_is_causal": True})


def test_transformer_helpers_and_errors():
    assert_same(cresset.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))
    ours = cresset.nn.Transformer(8, 2, 1, 1, 16)
    theirs = torch.nn.Transformer(8, 2, 1, 1, 16)
    assert repr(ours) == repr(theirs)
    src, tgt = torch.randn(5, 3, 8), torch.randn(4, 2, 8)
    assert_raises_like(RuntimeError, lambda: ours(to_cresset(src), to_cresset(tgt)),
                       lambda: theirs(src, tgt))
    assert_raises_like(RuntimeError,
                       lambda: cresset.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                       lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"))


def test_warnings_match_torch():
    ours_m, _ = _mha_pair(8, 2)
    x = cresset.randn(4, 3, 8, dtype=cresset.float64)
    kpm = cresset.zeros(3, 4, dtype=cresset.bool)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        ours_m(x, x, x, key_padding_mask=kpm, attn_mask=cresset.zeros(4, 4, dtype=cresset.float64))
    for kw, why in [({}, "batch_first was not True"),
                    ({"norm_first": True}, "norm_first was True"),
                    ({"batch_first": True, "activation": lambda t: t.tanh()},
                     "activation_relu_or_gelu was not True")]:
        layer = cresset.nn.TransformerEncoderLayer(8, 2, 16, **kw)
        with pytest.warns(UserWarning, match=why):
            enc = cresset.nn.TransformerEncoder(layer, 1)
        assert enc.use_nested_tensor is False
    layer = cresset.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation="gelu")
    assert layer.activation_relu_or_gelu == 2
    assert cresset.nn.TransformerEncoder(layer, 1).use_nested_tensor is True


def test_attention_dropout():
    cresset.manual_seed(0)
    q = cresset.randn(2, 3, 4, 8)
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert not bool((a == b).all())
    m = cresset.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = cresset.randn(5, 3, 8)
    _, w = m(x, x, x, average_attn_weights=False)
    _, w_eval = m.eval()(x, x, x, average_attn_weights=False)
    kept = w != 0
    assert 0 < float(kept.float().mean()) < 1
    # Kept weights are the eval weights scaled by 1 / (1 - p).
    assert_same(w[kept], torch.tensor((w_eval[kept] * 2).tolist()), rtol=1e-5, atol=1e-6)
    assert_same(w_eval.sum(-1), torch.ones(3, 2, 5))
