"""MNIST accuracy and speed: examples/mnist.py (the classic CNN, Adadelta lr 1.0, batch 64) for
one epoch under cresset and under real torch, same data pipeline and thread count.

    python3 benchmarks/mnist_accuracy.py [--data-dir DIR] [--epochs 1] [--threads 2]

Prints each framework's test accuracy, training time and wall time, and the differences. The
initial weights differ between the frameworks (each draws from its own generator), so accuracies
are compared, not losses step by step.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "mnist.py")
# The project's shared data directory sits next to the checkout (or next to its worktree folder).
DEFAULT_DATA = next((d for d in (os.path.join(ROOT, "..", "shared", "data", "mnist"),
                                 os.path.join(ROOT, "..", "..", "shared", "data", "mnist"))
                     if os.path.isdir(d)), "data/mnist")


def run(framework, args):
    command = [sys.executable, SCRIPT, "--data-dir", args.data_dir, "--epochs", str(args.epochs),
               "--threads", str(args.threads), "--log-interval", "100"]
    if framework == "torch":
        command.append("--torch")
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
    args = parser.parse_args()
    print(f"examples/mnist.py, {args.epochs} epoch(s), {args.threads} thread(s), "
          f"data {os.path.abspath(args.data_dir)}")
    results = {}
    for framework in ("cresset", "torch"):
        results[framework] = run(framework, args)
        accuracy, train, wall = results[framework]
        print(f"{framework:8s} test accuracy {accuracy:.2f}%  training {train:.1f}s  "
              f"wall {wall:.1f}s", flush=True)
    (ours, our_train, _), (theirs, their_train, _) = results["cresset"], results["torch"]
    print(f"accuracy difference (cresset - torch): {ours - theirs:+.2f} points; "
          f"training speedup torch/cresset: {their_train / our_train:.2f}x")


if __name__ == "__main__":
    main()
