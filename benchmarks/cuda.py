"""CUDA workloads, cresset against torch in one process (the CUDA backend issue's table).

Run on a GPU machine: `python3 benchmarks/cuda.py [--quick]`. Each workload is timed with CUDA
events around a calibrated number of calls (at least ~20 ms per sample), seven samples, median;
rounds alternate between the libraries. The copy row (a device-to-device clone of 2^28 floats)
is the measured bandwidth ceiling that the elementwise rows are compared with. Prints a markdown
table: per-call medians, the achieved rate and torch time / cresset time.
"""
import argparse
import functools
import operator
import os
import statistics
import sys
import time

import torch

import cresset

N_ELEMENTWISE = 1 << 28


def _events(lib):
    return lib.cuda.Event(enable_timing=True), lib.cuda.Event(enable_timing=True)


def _per_call_ms(lib, fn, reps):
    start, end = _events(lib)
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / reps


def _calibrate(lib, fn, target_ms=20.0):
    fn()
    lib.cuda.synchronize()
    reps = 1
    while True:
        t = _per_call_ms(lib, fn, reps) * reps
        if t >= target_ms or reps >= 1 << 14:
            return reps
        reps = min(1 << 14, max(reps * 2, int(reps * target_ms / max(t, 1e-3) * 1.2)))


def measure(fns, samples=7):
    """Median per-call ms for {lib: fn}, samples interleaved across libraries."""
    reps = {lib: _calibrate(lib, fn) for lib, fn in fns.items()}
    times = {lib: [] for lib in fns}
    for _ in range(samples):
        for lib, fn in fns.items():
            times[lib].append(_per_call_ms(lib, fn, reps[lib]))
    return {lib: statistics.median(t) for lib, t in times.items()}


def _pair(shape, dtype=torch.float32, seed=0):
    """The same random CUDA tensor in torch and in cresset."""
    g = torch.Generator().manual_seed(seed)
    t = torch.randn(shape, generator=g).to(dtype)
    c = cresset.from_numpy(t.float().numpy()).to(getattr(cresset, str(dtype)[6:]))
    return t.cuda(), c.cuda()


def elementwise_rows():
    (ta, ca), (tb, cb) = _pair(N_ELEMENTWISE, seed=1), _pair(N_ELEMENTWISE, seed=2)
    gib = N_ELEMENTWISE * 4
    rows = [("copy (clone)", 2 * gib, lambda a, b: a.clone()),
            ("add a + b", 3 * gib, lambda a, b: a + b),
            ("mul a * b", 3 * gib, lambda a, b: a * b),
            ("exp", 2 * gib, lambda a, b: a.exp()),
            ("relu", 2 * gib, lambda a, b: a.relu()),
            ("sum", gib, lambda a, b: a.sum())]
    out = []
    for name, nbytes, f in rows:
        ms = measure({torch: functools.partial(f, ta, tb), cresset: functools.partial(f, ca, cb)})
        out.append((f"{name}, 2^28 float32", ms, nbytes / 1e6, "GB/s"))
    return out


def matmul_rows(n):
    out = []
    for dtype in [torch.float32, torch.bfloat16]:
        (ta, ca), (tb, cb) = _pair((n, n), dtype, 3), _pair((n, n), dtype, 4)
        ms = measure({torch: functools.partial(operator.matmul, ta, tb),
                      cresset: functools.partial(operator.matmul, ca, cb)}, samples=5)
        out.append((f"matmul {n}x{n}x{n} {str(dtype)[6:]}", ms, 2 * n ** 3 / 1e9, "TFLOP/s"))
    return out


def conv_rows():
    out = []
    for batch, cin, hw, cout in [(32, 64, 56, 64)]:
        tx, cx = _pair((batch, cin, hw, hw), seed=5)
        tw, cw = _pair((cout, cin, 3, 3), seed=6)
        tx.requires_grad_(True), tw.requires_grad_(True)
        cx.requires_grad_(True), cw.requires_grad_(True)
        tg, cg = _pair((batch, cout, hw, hw), seed=7)

        def step(lib, x, w, g):
            def run():
                y = lib.nn.functional.conv2d(x, w, padding=1)
                gx, gw = lib.autograd.grad(y, (x, w), g)
                return gx, gw
            return run
        ms = measure({torch: step(torch, tx, tw, tg), cresset: step(cresset, cx, cw, cg)}, 5)
        flops = 3 * 2 * batch * cout * hw * hw * cin * 9
        out.append((f"conv2d 3x3 fwd+bwd {batch}x{cin}x{hw}x{hw} -> {cout}", ms,
                    flops / 1e9, "TFLOP/s"))
    return out


def _mnist_net(lib):
    """examples/mnist.py's CNN as one Sequential, in either library."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128),
                         nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10), nn.LogSoftmax(dim=1))


def mnist_rows(batch=64):
    tx, cx = _pair((batch, 1, 28, 28), seed=8)
    labels = torch.randint(0, 10, (batch,), generator=torch.Generator().manual_seed(9))
    ty, cy = labels.cuda(), cresset.from_numpy(labels.numpy()).cuda()

    def step(lib, x, y):
        lib.manual_seed(0)
        model = _mnist_net(lib).cuda()
        opt = lib.optim.Adadelta(model.parameters(), lr=1.0)

        def run():
            opt.zero_grad()
            loss = lib.nn.functional.nll_loss(model(x), y)
            loss.backward()
            opt.step()
        return run
    ms = measure({torch: step(torch, tx, ty), cresset: step(cresset, cx, cy)})
    return [(f"MNIST CNN training step, batch {batch} (Adadelta)", ms, batch, "k img/s")]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller matmul (4096)")
    parser.add_argument("--record", action="store_true",
                        help="also write the table to benchmarks/RESULTS_cuda.md, which "
                             "benchmarks/run.py includes in RESULTS.md")
    args = parser.parse_args()
    if not (torch.cuda.is_available() and cresset.cuda.is_available()):
        sys.exit("benchmarks/cuda.py needs a CUDA GPU and torch with CUDA")
    torch.backends.cuda.matmul.allow_tf32 = False  # the default of both libraries
    machine = (f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; "
               f"cresset matmul: {cresset._C._cuda.cublas_path() or 'own GEMM kernel'}")
    print(machine)
    rows = []
    for group in [elementwise_rows, lambda: matmul_rows(4096 if args.quick else 8192),
                  conv_rows, mnist_rows]:
        try:
            rows += group()
        except Exception as e:  # noqa: BLE001 (one failing workload must not hide the rest)
            print(f"workload failed: {type(e).__name__}: {e}", file=sys.stderr)
        torch.cuda.empty_cache()
        cresset.cuda.empty_cache()
    lines = ["| workload | torch ms | cresset ms | torch rate | cresset rate | torch / cresset |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, ms, work_per_ms, unit in rows:  # work / ms = the rate in `unit`
        t, c = ms[torch], ms[cresset]
        lines.append(f"| {name} | {t:.3f} | {c:.3f} | {work_per_ms / t:.1f} {unit} "
                     f"| {work_per_ms / c:.1f} {unit} | {t / c:.2f} |")
    table = "\n".join(lines)
    print("\n" + table)
    if args.record:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS_cuda.md"),
                  "w") as f:
            f.write(f"# CUDA workloads (benchmarks/cuda.py)\n\n`python3 benchmarks/cuda.py "
                    f"--record` on {stamp}. {machine}.\n\n{table}\n")

if __name__ == "__main__":
    main()
