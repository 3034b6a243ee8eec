"""MNIST accuracy and speed: examples/mnist.py (the classic CNN, Adadelta lr 1.0, batch 64) for
one epoch under cresset and under real torch, same data pipeline and thread count.

    python3 benchmarks/mnist_accuracy.py [--data-dir DIR] [--epochs 1] [--threads 2]
                                         [--seeds 1 2 3] [--record]

The setup is seed-independent, as the bar asks: for each seed, torch draws the initial weights
(--save-init) and cresset starts from that same checkpoint (--init), and both read the training
samples in one NumPy-drawn order (--order-seed). Only the dropout masks come from each
framework's own generator. Prints each framework's test accuracy, training time and wall time
per seed and the median over seeds; --record also writes them to benchmarks/RESULTS_mnist.md
(run.py rewrites RESULTS.md from it).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "mnist.py")
# The project's shared data directory sits next to the checkout (or next to its worktree folder).
DEFAULT_DATA = next((d for d in (os.path.join(ROOT, "..", "shared", "data", "mnist"),
                                 os.path.join(ROOT, "..", "..", "shared", "data", "mnist"))
                     if os.path.isdir(d)), "data/mnist")


def run(framework, args, seed, init):
    """One training run; torch writes the initial weights to `init`, cresset starts from them."""
    command = [sys.executable, SCRIPT, "--data-dir", args.data_dir, "--epochs", str(args.epochs),
               "--threads", str(args.threads), "--log-interval", "100", "--seed", str(seed),
               "--order-seed", str(seed)]
    command += ["--torch", "--save-init", init] if framework == "torch" else ["--init", init]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{framework} run failed:\n{result.stderr}")
    accuracy = re.findall(r"Accuracy: (\d+)/(\d+)", result.stdout)[-1]
    train = sum(float(t) for t in re.findall(r"time: ([\d.]+)s training", result.stdout))
    return 100.0 * int(accuracy[0]) / int(accuracy[1]), train, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--record", action="store_true",
                        help="write the results to benchmarks/RESULTS_mnist.md")
    args = parser.parse_args()
    print(f"examples/mnist.py, {args.epochs} epoch(s), {args.threads} thread(s), "
          f"data {os.path.abspath(args.data_dir)}")
    rows, differences, speedups = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            init = os.path.join(tmp, f"init_seed{seed}.pt")
            results = {name: run(name, args, seed, init) for name in ("torch", "cresset")}
            for name in ("cresset", "torch"):
                accuracy, train, wall = results[name]
                rows.append(f"| {seed} | {name} | {accuracy:.2f}% | {train:.1f} s | {wall:.1f} s |")
                print(rows[-1], flush=True)
            differences.append(results["cresset"][0] - results["torch"][0])
            speedups.append(results["torch"][1] / results["cresset"][1])
    summary = (f"accuracy difference (cresset - torch) per seed: "
               f"{', '.join(f'{d:+.2f}' for d in differences)} points (median "
               f"{statistics.median(differences):+.2f}); training speedup torch/cresset: median "
               f"{statistics.median(speedups):.2f}x")
    print(summary)
    if args.record:
        with open(os.path.join(ROOT, "benchmarks", "RESULTS_mnist.md"), "w") as f:
            f.write(f"# MNIST accuracy: examples/mnist.py, {args.epochs} epoch(s), "
                    f"{args.threads} thread(s)\n\n`python3 benchmarks/mnist_accuracy.py "
                    f"--record` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                    f"{os.cpu_count()} cores. Per seed, both frameworks start from torch's "
                    f"initial weights for that seed and read the samples in the same order; "
                    f"only dropout masks differ.\n\n| seed | framework | test accuracy | "
                    f"training | wall |\n|---|---|---|---|---|\n" + "\n".join(rows) +
                    f"\n\n{summary}\n")


if __name__ == "__main__":
    main()
