"""nn.RNN / LSTM / GRU and their cells against torch: copied weights, outputs, input, hidden and
parameter gradients, reprs, errors."""
import pytest
import torch
from utils import assert_raises_like, assert_same, to_cresset

import cresset


def _pair(torch_cls, cresset_cls, *args, dtype=torch.float64, **kwargs):
    torch.manual_seed(0)
    theirs = torch_cls(*args, **kwargs).to(dtype)
    ours = cresset_cls(*args, **kwargs).to(getattr(cresset, str(dtype).split(".")[-1]))
    ours.load_state_dict({k: to_cresset(v) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _leaf(t):
    """(ours, theirs) leaf copies of t (or of each tensor of a tuple)."""
    if isinstance(t, tuple):
        pairs = [_leaf(x) for x in t]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    return to_cresset(t.detach()).requires_grad_(), t.detach().clone().requires_grad_()


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flat(o)]
    return [out]


def _check(ours, theirs, inputs, tol):
    """Runs both on the same inputs (None allowed), compares outputs and all gradients."""
    pairs = [None if t is None else _leaf(t) for t in inputs]

    out_o = _flat(ours(*[None if p is None else p[0] for p in pairs]))
    out_t = _flat(theirs(*[None if p is None else p[1] for p in pairs]))
    assert len(out_o) == len(out_t)
    for o, t in zip(out_o, out_t):
        assert_same(o, t.detach(), rtol=tol, atol=tol)
    torch.manual_seed(1)
    weights = [torch.randn(t.shape, dtype=t.dtype) for t in out_t]
    sum(((o * to_cresset(w)).sum() for o, w in zip(out_o, weights))).backward()
    sum(((t * w).sum() for t, w in zip(out_t, weights))).backward()
    for p in pairs:
        if p is not None:
            for o, t in zip(_flat(p[0]), _flat(p[1])):
                assert_same(o.grad, t.grad, rtol=tol, atol=tol)
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_same(p.grad, grads_t[name].grad, rtol=tol, atol=tol)


RNN_CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
    {"num_layers": 3, "batch_first": True},
]


@pytest.mark.parametrize("kind", ["RNN", "RNN_relu", "LSTM", "GRU"])
@pytest.mark.parametrize("cfg", range(len(RNN_CONFIGS)))
def test_multilayer_matches_torch(kind, cfg):
    kwargs = dict(RNN_CONFIGS[cfg])
    name = "RNN" if kind.startswith("RNN") else kind
    if kind == "RNN_relu":
        kwargs["nonlinearity"] = "relu"
    ours, theirs = _pair(getattr(torch.nn, name), getattr(cresset.nn, name), 5, 6, **kwargs)
    assert repr(ours) == repr(theirs)
    torch.manual_seed(2)
    shape = (3, 4, 5) if kwargs.get("batch_first") else (4, 3, 5)
    x = torch.randn(shape, dtype=torch.float64)
    _check(ours, theirs, [x], 1e-9)
    # Explicit initial state.
    units = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = torch.randn(units, 3, 6, dtype=torch.float64)
    if name == "LSTM":
        _check(ours, theirs, [x, (h0, torch.randn(units, 3, 6, dtype=torch.float64))], 1e-9)
    else:
        _check(ours, theirs, [x, h0], 1e-9)


def test_lstm_projection_matches_torch():
    for kwargs in [{"proj_size": 3}, {"proj_size": 2, "num_layers": 2, "bidirectional": True}]:
        ours, theirs = _pair(torch.nn.LSTM, cresset.nn.LSTM, 5, 6, **kwargs)
        assert repr(ours) == repr(theirs)
        assert [n for n, _ in ours.named_parameters()] == \
            [n for n, _ in theirs.named_parameters()]
        torch.manual_seed(3)
        _check(ours, theirs, [torch.randn(4, 2, 5, dtype=torch.float64)], 1e-9)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_float32_unbatched_and_noncontiguous(name):
    ours, theirs = _pair(getattr(torch.nn, name), getattr(cresset.nn, name), 5, 7,
                         num_layers=2, dtype=torch.float32)
    torch.manual_seed(4)
    _check(ours, theirs, [torch.randn(6, 5)], 1e-5)  # unbatched (L, H_in)
    _check(ours, theirs, [torch.randn(5, 6, 4).transpose(0, 2)], 1e-5)  # non-contiguous
    _check(ours, theirs, [torch.randn(6, 1, 5)], 1e-5)  # batch of 1
    h = torch.randn(2, 7)
    if name == "LSTM":
        _check(ours, theirs, [torch.randn(6, 5), (h, torch.randn(2, 7))], 1e-5)
    else:
        _check(ours, theirs, [torch.randn(6, 5), h], 1e-5)


def test_empty_batch():
    ours, theirs = _pair(torch.nn.LSTM, cresset.nn.LSTM, 5, 6)
    out_o, (h_o, _) = ours(cresset.randn(4, 0, 5, dtype=cresset.float64))
    out_t, (h_t, _) = theirs(torch.randn(4, 0, 5, dtype=torch.float64))
    assert_same(out_o, out_t)
    assert_same(h_o, h_t)


def test_parameter_names_shapes_and_init():
    ours = cresset.nn.GRU(5, 8, num_layers=2, bidirectional=True)
    theirs = torch.nn.GRU(5, 8, num_layers=2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    bound = 1 / 8 ** 0.5
    for p in ours.parameters():
        assert float(p.detach().abs().max()) <= bound
    assert float(ours.weight_ih_l0.detach().std()) > bound / 4
    assert len(ours.all_weights) == 4


def test_dropout_between_layers():
    ours, theirs = _pair(torch.nn.LSTM, cresset.nn.LSTM, 5, 6, num_layers=2, dropout=0.5)
    x = torch.randn(4, 3, 5, dtype=torch.float64)
    ours.eval()
    theirs.eval()
    assert_same(ours(to_cresset(x))[0], theirs(x)[0], rtol=1e-9, atol=1e-9)
    ours.train()
    a, b = ours(to_cresset(x))[0], ours(to_cresset(x))[0]
    assert not bool((a == b).all())  # dropout is random in training
    full, _ = _pair(torch.nn.LSTM, cresset.nn.LSTM, 5, 6, num_layers=2, dropout=1.0)
    full.train()
    # p = 1 zeroes the first layer's output: the second layer sees zeros.
    zeros_in = cresset.nn.LSTM(6, 6)
    zeros_in.load_state_dict({k[:-1] + "0": v for k, v in full.state_dict().items()
                              if k.endswith("l1")})
    ref = zeros_in(cresset.zeros(4, 3, 6, dtype=cresset.float64).float())[0]
    assert_same(full.float()(to_cresset(x).float())[0], torch.tensor(ref.tolist()), atol=1e-6)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(name):
    for kwargs in [{}, {"bias": False}]:
        ours, theirs = _pair(getattr(torch.nn, name), getattr(cresset.nn, name), 5, 6, **kwargs)
        assert repr(ours) == repr(theirs)
        torch.manual_seed(5)
        x = torch.randn(3, 5, dtype=torch.float64)
        _check(ours, theirs, [x], 1e-9)
        h = torch.randn(3, 6, dtype=torch.float64)
        hx = (h, torch.randn(3, 6, dtype=torch.float64)) if name == "LSTMCell" else h
        _check(ours, theirs, [x, hx], 1e-9)
        _check(ours, theirs, [torch.randn(5, dtype=torch.float64)], 1e-9)  # unbatched
    ours, theirs = _pair(torch.nn.RNNCell, cresset.nn.RNNCell, 5, 6, nonlinearity="relu")
    assert repr(ours) == repr(theirs) == "RNNCell(5, 6, nonlinearity=relu)"
    _check(ours, theirs, [torch.randn(3, 5, dtype=torch.float64)], 1e-9)


def test_reprs():
    for args, kwargs in [((10, 20), {"num_layers": 2, "batch_first": True}),
                         ((3, 4), {"bias": False, "dropout": 0.5, "num_layers": 2,
                                       "bidirectional": True}),
                         ((3, 4), {"proj_size": 2})]:
        assert repr(cresset.nn.LSTM(*args, **kwargs)) == repr(torch.nn.LSTM(*args, **kwargs))
    assert repr(cresset.nn.RNN(3, 4, 1, "relu")) == repr(torch.nn.RNN(3, 4, 1, "relu"))
    assert repr(cresset.nn.LSTM(10, 20, num_layers=2, batch_first=True)) == \
        "LSTM(10, 20, num_layers=2, batch_first=True)"


def test_errors_match_torch():
    ours, theirs = _pair(torch.nn.LSTM, cresset.nn.LSTM, 5, 6, dtype=torch.float32)
    x = torch.randn(4, 3, 5)
    cases = [
        (RuntimeError, (torch.randn(4, 3, 7),)),
        (ValueError, (torch.randn(4, 3, 5, 1),)),
        (RuntimeError, (x, (torch.randn(1, 2, 6), torch.randn(1, 3, 6)))),
        (RuntimeError, (x, (torch.randn(1, 3, 6), torch.randn(1, 3, 5)))),
        (RuntimeError, (x, (torch.randn(3, 6), torch.randn(3, 6)))),
        (ValueError, (x.double(),)),
        (RuntimeError, (torch.randn(0, 3, 5),)),
    ]
    for exc, args in cases:
        conv = tuple(tuple(to_cresset(a) for a in t) if isinstance(t, tuple) else to_cresset(t)
                     for t in args)
        assert_raises_like(exc, lambda conv=conv: ours(*conv), lambda args=args: theirs(*args))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 6\), got \[1, 2, 6\]"):
        ours(to_cresset(x), (cresset.randn(1, 2, 6), cresset.randn(1, 3, 6)))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 5, got 7"):
        ours(cresset.randn(4, 3, 7))
    gru, gru_t = _pair(torch.nn.GRU, cresset.nn.GRU, 5, 6, dtype=torch.float32)
    assert_raises_like(RuntimeError, lambda: gru(to_cresset(x), cresset.randn(3, 6)),
                       lambda: gru_t(x, torch.randn(3, 6)))
    for kwargs in [{"dropout": 2}, {"proj_size": 6}, {"num_layers": 0}, {"hidden_size": 0}]:
        kw = {"input_size": 5, "hidden_size": 6, **kwargs}
        assert_raises_like(ValueError, lambda kw=kw: cresset.nn.LSTM(**kw),
                           lambda kw=kw: torch.nn.LSTM(**kw))
    assert_raises_like(TypeError, lambda: cresset.nn.GRU(5, 6, bias=1),
                       lambda: torch.nn.GRU(5, 6, bias=1))
    assert_raises_like(ValueError, lambda: cresset.nn.GRU(5, 6, proj_size=2),
                       lambda: torch.nn.GRU(5, 6, proj_size=2))
    assert_raises_like(ValueError, lambda: cresset.nn.RNN(5, 6, nonlinearity="gelu"),
                       lambda: torch.nn.RNN(5, 6, nonlinearity="gelu"))
    cell, cell_t = _pair(torch.nn.LSTMCell, cresset.nn.LSTMCell, 5, 6, dtype=torch.float32)
    for args in [(torch.randn(3, 6),), (torch.randn(3, 5), (torch.randn(2, 6),) * 2),
                 (torch.randn(3, 5), (torch.randn(3, 7),) * 2)]:
        conv = tuple(tuple(to_cresset(a) for a in t) if isinstance(t, tuple) else to_cresset(t)
                     for t in args)
        with pytest.raises(RuntimeError) as e_t:
            cell_t(*args)
        with pytest.raises(RuntimeError, match=str(e_t.value)):
            cell(*conv)


def test_gradcheck_float64():
    torch.manual_seed(6)
    x = to_cresset(torch.randn(3, 2, 3, dtype=torch.float64)).requires_grad_()
    lstm = cresset.nn.LSTM(3, 2, bidirectional=True).double()
    assert cresset.autograd.gradcheck(lambda t: lstm(t)[0], (x,))
    gru = cresset.nn.GRU(3, 2, num_layers=2).double()
    assert cresset.autograd.gradcheck(lambda t: gru(t)[1], (x,))


from cresset.nn.utils import rnn as ours_rnn
from torch.nn.utils import rnn as torch_rnn


def test_pad_sequence_matches_torch():
    torch.manual_seed(7)
    seqs = [torch.randn(n, 3, dtype=torch.float64) for n in (4, 1, 3)]
    for kw in [{}, {"batch_first": True}, {"padding_value": -1.5},
               {"padding_side": "left", "batch_first": True}]:
        o_seqs, t_seqs = _leaves_list(seqs)
        out_o = ours_rnn.pad_sequence(o_seqs, **kw)
        out_t = torch_rnn.pad_sequence(t_seqs, **kw)
        assert_same(out_o, out_t.detach())
        g = torch.randn(out_t.shape, dtype=torch.float64)
        (out_o * to_cresset(g)).sum().backward()
        (out_t * g).sum().backward()
        for o, t in zip(o_seqs, t_seqs):
            assert_same(o.grad, t.grad)
    assert_raises_like(RuntimeError, lambda: ours_rnn.pad_sequence([]),
                       lambda: torch_rnn.pad_sequence([]))
    assert_raises_like(RuntimeError,
                       lambda: ours_rnn.pad_sequence([cresset.ones(2)], padding_side="mid"),
                       lambda: torch_rnn.pad_sequence([torch.ones(2)], padding_side="mid"))


def _leaves_list(ts):
    pairs = [_leaf(t) for t in ts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _packed_pair(x, lengths, **kw):
    xo, xt = _leaf(x)
    return (xo, ours_rnn.pack_padded_sequence(xo, lengths, **kw)), \
        (xt, torch_rnn.pack_padded_sequence(xt, lengths, **kw))


def test_pack_and_pad_packed_match_torch():
    torch.manual_seed(8)
    x = torch.randn(5, 4, 3, dtype=torch.float64)
    for lengths, kw in [([5, 3, 3, 1], {}), ([2, 5, 1, 4], {"enforce_sorted": False}),
                        ([4, 2, 5, 1], {"enforce_sorted": False, "batch_first": True})]:
        xx = x.transpose(0, 1) if kw.get("batch_first") else x
        (xo, po), (xt, pt) = _packed_pair(xx, lengths, **kw)
        for a, b in zip(po, pt):
            if b is None:
                assert a is None
            else:
                assert_same(a, b.detach())
        for total in [None, 7]:
            out_o, len_o = ours_rnn.pad_packed_sequence(po, batch_first=kw.get("batch_first", False),
                                                        padding_value=2.0, total_length=total)
            out_t, len_t = torch_rnn.pad_packed_sequence(pt, batch_first=kw.get("batch_first", False),
                                                         padding_value=2.0, total_length=total)
            assert_same(out_o, out_t.detach())
            assert_same(len_o, len_t)
        g = torch.randn(out_t.shape, dtype=torch.float64)
        (out_o * to_cresset(g)).sum().backward()
        (out_t * g).sum().backward()
        assert_same(xo.grad, xt.grad)
    assert_raises_like(RuntimeError,
                       lambda: ours_rnn.pack_padded_sequence(to_cresset(x), [1, 2, 3, 4]),
                       lambda: torch_rnn.pack_padded_sequence(x, [1, 2, 3, 4]))
    assert_raises_like(RuntimeError,
                       lambda: ours_rnn.pack_padded_sequence(to_cresset(x), [3, 2, 0, 0]),
                       lambda: torch_rnn.pack_padded_sequence(x, [3, 2, 0, 0]))
    _, pt = _packed_pair(x, [5, 3, 3, 1])
    po = ours_rnn.pack_padded_sequence(to_cresset(x), [5, 3, 3, 1])
    assert_raises_like(ValueError, lambda: ours_rnn.pad_packed_sequence(po, total_length=3),
                       lambda: torch_rnn.pad_packed_sequence(pt[1], total_length=3))
    seqs = [torch.randn(n, 2, dtype=torch.float64) for n in (2, 4, 1)]
    po = ours_rnn.pack_sequence([to_cresset(s) for s in seqs], enforce_sorted=False)
    pt = torch_rnn.pack_sequence(seqs, enforce_sorted=False)
    assert_same(po.data, pt.data)
    for a, b in zip(ours_rnn.unpack_sequence(po), torch_rnn.unpack_sequence(pt)):
        assert_same(a, b)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs", [{}, {"num_layers": 2, "bidirectional": True}])
def test_packed_input_matches_torch(name, kwargs):
    ours, theirs = _pair(getattr(torch.nn, name), getattr(cresset.nn, name), 3, 4, **kwargs)
    torch.manual_seed(9)
    x = torch.randn(5, 4, 3, dtype=torch.float64)
    units = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    for lengths, sort_kw in [([5, 3, 3, 1], {}), ([2, 5, 1, 4], {"enforce_sorted": False})]:
        (xo, po), (xt, pt) = _packed_pair(x, lengths, **sort_kw)
        h0 = torch.randn(units, 4, 4, dtype=torch.float64)
        hx_t = (h0, h0 * 0.5) if name == "LSTM" else h0
        hx_o = (to_cresset(h0), to_cresset(h0 * 0.5)) if name == "LSTM" else to_cresset(h0)
        for args_o, args_t in [((po,), (pt,)), ((po, hx_o), (pt, hx_t))]:
            out_o, h_o = ours(*args_o)
            out_t, h_t = theirs(*args_t)
            assert isinstance(out_o, ours_rnn.PackedSequence)
            assert_same(out_o.data, out_t.data.detach(), rtol=1e-9, atol=1e-9)
            assert_same(out_o.batch_sizes, out_t.batch_sizes)
            assert_same(_flat(h_o), [t.detach() for t in _flat(h_t)], rtol=1e-9, atol=1e-9)
        g = torch.randn(out_t.data.shape, dtype=torch.float64)
        gh = [torch.randn(t.shape, dtype=torch.float64) for t in _flat(h_t)]
        ((out_o.data * to_cresset(g)).sum()
         + sum((a * to_cresset(b)).sum() for a, b in zip(_flat(h_o), gh))).backward()
        ((out_t.data * g).sum() + sum((a * b).sum() for a, b in zip(_flat(h_t), gh))).backward()
        assert_same(xo.grad, xt.grad, rtol=1e-9, atol=1e-9)
        grads_t = dict(theirs.named_parameters())
        for n, p in ours.named_parameters():
            assert_same(p.grad, grads_t[n].grad, rtol=1e-9, atol=1e-9)
            p.grad = None
        theirs.zero_grad()


def test_packed_lstm_projection_batch_first():
    ours, theirs = _pair(torch.nn.LSTM, cresset.nn.LSTM, 3, 5, num_layers=2, proj_size=2,
                         bidirectional=True, batch_first=True)
    torch.manual_seed(10)
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    lengths = [6, 2, 5, 3]
    (xo, po), (xt, pt) = _packed_pair(x, lengths, batch_first=True, enforce_sorted=False)
    out_o, (h_o, c_o) = ours(po)
    out_t, (h_t, c_t) = theirs(pt)
    assert_same(out_o.data, out_t.data.detach(), rtol=1e-9, atol=1e-9)
    assert_same(h_o, h_t.detach(), rtol=1e-9, atol=1e-9)
    assert_same(c_o, c_t.detach(), rtol=1e-9, atol=1e-9)
    (out_o.data.sum() + c_o.sum()).backward()
    (out_t.data.sum() + c_t.sum()).backward()
    assert_same(xo.grad, xt.grad, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("name", "kwargs"), [("LSTM", {}), ("LSTM", {"proj_size": 2}),
                                              ("GRU", {}), ("RNN", {})])
def test_double_backward(name, kwargs):
    """create_graph through the recurrent layers (the fused LSTM cell's backward is then written
    in ops): second derivatives against torch's, and gradgradcheck."""
    ours, theirs = _pair(getattr(torch.nn, name), getattr(cresset.nn, name), 3, 4, **kwargs)
    x = torch.randn(3, 2, 3, dtype=torch.float64, requires_grad=True)
    cx = to_cresset(x.detach()).requires_grad_()
    t_gx, = torch.autograd.grad(theirs(x)[0].pow(2).sum(), x, create_graph=True)
    c_gx, = cresset.autograd.grad(ours(cx)[0].pow(2).sum(), cx, create_graph=True)
    assert_same(c_gx, t_gx)
    t_w = torch.autograd.grad(t_gx.sum(), list(theirs.parameters()))
    c_w = cresset.autograd.grad(c_gx.sum(), list(ours.parameters()))
    for c, t in zip(c_w, t_w):
        assert_same(c, t)
    small = to_cresset(x[:2, :1].detach().contiguous()).requires_grad_()
    assert cresset.autograd.gradgradcheck(lambda v: ours(v)[0], (small,))
