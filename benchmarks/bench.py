"""Side-by-side workloads: cresset against torch in one process (../shared/BENCHMARKS.md).

Run through benchmarks/run.py, which starts one process per thread count with OMP_NUM_THREADS set
before torch loads. Each workload is timed as BENCHMARKS.md section 0 says: one warm-up call, a
repeat count calibrated so a sample lasts at least T, S samples, per-call median/min/max; rounds
interleave cresset and torch.
"""
import argparse
import json
import time

import cresset
import torch

ELEMENTWISE_SIZES = [1000, 100_000, 1_000_000, 16_000_000]


def _time(fn, target_s, samples):
    fn()  # warm-up
    r, t = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(r):
            fn()
        t = time.perf_counter() - start
        if t >= target_s:
            break
        r = max(r * 2, int(r * target_s / max(t, 1e-9) * 1.1))
    per_call = [t / r]
    if t / r > 1.0:
        samples = min(samples, 3)
    elif t / r > 0.3:
        samples = min(samples, 5)
    for _ in range(samples - 1):
        start = time.perf_counter()
        for _ in range(r):
            fn()
        per_call.append((time.perf_counter() - start) / r)
    per_call.sort()
    return per_call[len(per_call) // 2], per_call[0], per_call[-1]


def _workloads(lib):
    """(id, shape label, work units, unit, T, S, setup) for every workload; setup returns fn."""
    def randn(*shape):
        torch.manual_seed(0)
        t = torch.randn(*shape)
        if lib is torch:
            return t
        return cresset.tensor(t.numpy()) if hasattr(cresset, "from_numpy") else \
            cresset.tensor(t.tolist())

    out = []
    for n in ELEMENTWISE_SIZES:
        def add(n=n):
            a, b = randn(n), randn(n)
            return lambda: a + b
        def mul(n=n):
            a, b = randn(n), randn(n)
            return lambda: a * b
        def add_out(n=n):
            a, b, c = randn(n), randn(n), randn(n)
            return lambda: lib.add(a, b, out=c)
        def exp(n=n):
            a = randn(n)
            return lambda: lib.exp(a)
        def relu(n=n):
            a = randn(n)
            return lambda: lib.relu(a)
        out += [("E1 add", n, 12 * n, "GB/s", 0.08, 7, add),
                ("E1 mul", n, 12 * n, "GB/s", 0.08, 7, mul),
                ("E1 add out", n, 12 * n, "GB/s", 0.08, 7, add_out),
                ("E2 exp", n, 8 * n, "GB/s", 0.08, 7, exp),
                ("E3 relu", n, 8 * n, "GB/s", 0.08, 7, relu)]
    for rows, cols in [(1000, 1000), (4000, 4000)]:
        for op in ["sum", "mean", "amax"]:
            def last_dim(op=op, rows=rows, cols=cols):
                x = randn(rows, cols)
                f = getattr(lib, op)
                return lambda: f(x, -1)
            def full(op=op, rows=rows, cols=cols):
                x = randn(rows, cols)
                f = getattr(lib, op)
                return lambda: f(x)
            out += [(f"R1 {op} dim=-1", f"{rows}x{cols}", 4 * rows * cols, "GB/s", 0.08, 7,
                     last_dim),
                    (f"R2 {op} all", f"{rows}x{cols}", 4 * rows * cols, "GB/s", 0.08, 7, full)]

    def softmax():
        x = randn(4096, 1024)
        return lambda: lib.softmax(x, -1)
    out.append(("S1 softmax", "4096x1024", 8 * 4096 * 1024, "GB/s", 0.08, 7, softmax))
    for n in [256, 512, 1024, 2048, 4096]:
        def mm(n=n):
            a, b = randn(n, n), randn(n, n)
            return lambda: lib.mm(a, b)
        out.append(("M1 mm", f"{n}x{n}", 2 * n ** 3, "GFLOP/s", 0.2, 5, mm))
    for shape in [(64, 64), (512, 512), (256, 8, 8)]:
        def inv(shape=shape):
            a = randn(*shape) + shape[-1] * lib.eye(shape[-1])  # well conditioned
            return lambda: lib.linalg.inv(a)
        n = shape[-1]
        batch = shape[0] if len(shape) == 3 else 1
        out.append(("M2 linalg.inv", "x".join(map(str, shape)), 2 * batch * n ** 3, "GFLOP/s",
                    0.2, 5, inv))

    for n, ci, co, hw in [(64, 3, 32, 32), (64, 32, 64, 16), (32, 64, 128, 56)]:
        flops = 2 * n * co * hw * hw * ci * 9
        def conv_fwd(n=n, ci=ci, co=co, hw=hw):
            x, w, b = randn(n, ci, hw, hw), randn(co, ci, 3, 3), randn(co)
            def run():
                with lib.no_grad():
                    lib.conv2d(x, w, b, padding=1)
            return run
        def conv_fwd_bwd(n=n, ci=ci, co=co, hw=hw):
            x, w, b = randn(n, ci, hw, hw), randn(co, ci, 3, 3), randn(co)
            gy = randn(n, co, hw, hw)
            for t in (x, w, b):
                t.requires_grad_(True)
            def run():
                x.grad = w.grad = b.grad = None
                lib.conv2d(x, w, b, padding=1).backward(gy)
            return run
        shape = f"{n}x{ci}->{co}x{hw}x{hw}"
        out += [("C1 conv2d fwd", shape, flops, "GFLOP/s", 0.2, 5, conv_fwd),
                ("C2 conv2d fwd+bwd", shape, 3 * flops, "GFLOP/s", 0.2, 5, conv_fwd_bwd)]

    # T1/T2: one SGD training step on a fixed MNIST-shaped batch (BENCHMARKS.md section 3).
    def train_step(make_model):
        def setup():
            lib.manual_seed(0)
            model = make_model(lib.nn)
            x = randn(64, 1, 28, 28)
            y = lib.randint(0, 10, (64,))
            opt = lib.optim.SGD(model.parameters(), lr=0.01)
            def step():
                opt.zero_grad()
                loss = lib.nn.functional.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
            for _ in range(5):
                step()
            return step
        return setup

    def mlp(nn):
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def cnn(nn):
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    out += [("T1 train MLP", "64x784", 3 * 0.0260e9, "GFLOP/s", 0.25, 7, train_step(mlp)),
            ("T2 train CNN", "64x1x28x28", 3 * 1.53e9, "GFLOP/s", 0.25, 7, train_step(cnn))]

    # N1: module-call overhead, nn.Linear(16, 16) against F.linear on a (1, 16) input.
    def linear_module():
        m = lib.nn.Linear(16, 16)
        x = randn(1, 16)
        return lambda: m(x)
    def linear_functional():
        m = lib.nn.Linear(16, 16)
        x, w, b = randn(1, 16), m.weight, m.bias
        f = lib.nn.functional.linear
        return lambda: f(x, w, b)
    # N2: Adam.step() over 1,000 parameters of 100 elements with gradients set.
    def adam_step():
        params = [randn(100).requires_grad_(True) for _ in range(1000)]
        for p in params:
            p.grad = randn(100)
        opt = lib.optim.Adam(params, lr=1e-3)
        opt.step()
        return opt.step
    out += [("N1 nn.Linear(16,16) call", "1x16", None, "", 0.08, 7, linear_module),
            ("N1 F.linear", "1x16", None, "", 0.08, 7, linear_functional),
            ("N2 Adam.step", "1000x100", None, "", 0.25, 7, adam_step)]

    # O1: a Python loop of 1000 `a + b` per call; the empty loop's time is subtracted in main().
    def tiny_loop(requires_grad=False, empty=False):
        def setup():
            a, b = randn(1), randn(1)
            if requires_grad:
                a.requires_grad_(True)
                b.requires_grad_(True)
            body = "pass" if empty else "a + b"
            code = compile(f"for _ in range(1000):\n    {body}", "<O1>", "exec")
            env = {"a": a, "b": b}
            return lambda: exec(code, env)
        return setup
    out += [("O1 tiny add", "1", None, "", 0.08, 7, tiny_loop()),
            ("O1 tiny add requires_grad", "1", None, "", 0.08, 7, tiny_loop(True)),
            ("O1 empty loop", "1", None, "", 0.08, 7, tiny_loop(empty=True))]

    # A1: backward of a 1,000-op chain on small tensors (recording plus the engine's per-node cost).
    def chain_backward():
        x = randn(10).requires_grad_(True)
        def run():
            x.grad = None
            y = x
            for _ in range(250):
                y = (y * 0.5).sin().exp() - 1.0
            y.sum().backward()
        return run
    out.append(("A1 chain backward", "1000 ops x 10", None, "", 0.25, 7, chain_backward))

    # E4-E6: transcendental functions beside exp (E2).
    for n in [100_000, 1_000_000]:
        for wid, op in [("E4 sigmoid", "sigmoid"), ("E5 tanh", "tanh"), ("E6 log", "log")]:
            def unary(n=n, op=op):
                a = randn(n)
                if op == "log":
                    a = a.abs() + 0.5
                f = getattr(lib, op)
                return lambda: f(a)
            out.append((wid, n, 8 * n, "GB/s", 0.08, 7, unary))

    # R3-R5: reductions with indices, logsumexp, cumsum along the last dim.
    for rows, cols in [(1000, 1000), (4096, 1024)]:
        def along_last(op, rows=rows, cols=cols):
            def setup():
                x = randn(rows, cols)
                f = getattr(lib, op)
                return lambda: f(x, -1)
            return setup
        shape = f"{rows}x{cols}"
        out += [("R3 max(dim=-1)", shape, 4 * rows * cols, "GB/s", 0.08, 7, along_last("max")),
                ("R3 argmax(dim=-1)", shape, 4 * rows * cols, "GB/s", 0.08, 7,
                 along_last("argmax")),
                ("R4 logsumexp(dim=-1)", shape, 4 * rows * cols, "GB/s", 0.08, 7,
                 along_last("logsumexp")),
                ("R5 cumsum(dim=-1)", shape, 8 * rows * cols, "GB/s", 0.08, 7,
                 along_last("cumsum"))]

    # R6: max with indices and amax over the first (non-innermost) dim: a column reduction.
    def along_first(op):
        def setup():
            x = randn(1000, 1000)
            f = getattr(lib, op)
            return lambda: f(x, 0)
        return setup
    out += [("R6 max(dim=0)", "1000x1000", 4 * 10 ** 6, "GB/s", 0.08, 7, along_first("max")),
            ("R6 amax(dim=0)", "1000x1000", 4 * 10 ** 6, "GB/s", 0.08, 7, along_first("amax"))]

    # U1: unique(sorted, return_inverse, return_counts) on 1e6 int64 with few or many values.
    for label, high in [("1e6 of 10", 10), ("1e6 of 1e6", 1_000_000)]:
        def unique(high=high):
            g = torch.Generator().manual_seed(0)
            t = torch.randint(0, high, (1_000_000,), generator=g)
            x = t if lib is torch else cresset.tensor(t.numpy())
            return lambda: lib.unique(x, sorted=True, return_inverse=True, return_counts=True)
        out.append(("U1 unique inverse+counts", label, None, "", 0.2, 5, unique))

    # B1-B3: elementwise ops with a broadcast (stride-0) operand on 1000x1000.
    def where_scalar():
        x = randn(1000, 1000)
        m = x > 0
        zero = lib.zeros(())
        return lambda: lib.where(m, x, zero)
    def add_row():
        x, b = randn(1000, 1000), randn(1000)
        return lambda: x + b
    def add_col():
        x, b = randn(1000, 1000), randn(1000, 1)
        return lambda: x + b
    def mul_expanded():
        x, s = randn(1000, 1000), randn(())
        e = s.expand(1000, 1000)
        return lambda: x * e
    out += [("B1 where(mask, x, 0-dim)", "1000x1000", 9 * 10 ** 6, "GB/s", 0.08, 7, where_scalar),
            ("B2 add bias row", "1000x1000 + 1000", 8 * 10 ** 6, "GB/s", 0.08, 7, add_row),
            ("B2 add bias column", "1000x1000 + 1000x1", 8 * 10 ** 6, "GB/s", 0.08, 7, add_col),
            ("B3 mul expanded 0-dim", "1000x1000", 8 * 10 ** 6, "GB/s", 0.08, 7, mul_expanded)]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--filter", default="")
    p.add_argument("--threads", type=int, required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    cresset.set_num_threads(args.threads)
    results = {}
    ours_list, theirs_list = _workloads(cresset), _workloads(torch)
    for rnd in range(args.rounds):
        for (wid, shape, work, unit, T, S, setup_c), (_, _, _, _, _, _, setup_t) in zip(
                ours_list, theirs_list):
            if args.filter and args.filter not in wid:
                continue
            key = f"{wid}|{shape}"
            for name, setup in (("cresset", setup_c), ("torch", setup_t)):
                try:
                    fn = setup()
                    med, lo, hi = _time(fn, T, S)
                except (AttributeError, TypeError, RuntimeError, NotImplementedError) as e:
                    results.setdefault(key, {})[name] = {"error": f"{type(e).__name__}: {e}"[:80]}
                    continue
                entry = results.setdefault(key, {}).setdefault(
                    name, {"medians": [], "min": lo, "max": hi, "work": work, "unit": unit})
                entry["medians"].append(med)
                entry["min"], entry["max"] = min(entry["min"], lo), max(entry["max"], hi)
    print(json.dumps({"threads": args.threads, "results": results}))


if __name__ == "__main__":
    main()
