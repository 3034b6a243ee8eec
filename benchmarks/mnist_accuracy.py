"""MNIST accuracy and speed: examples/mnist.py (the classic CNN, Adadelta lr 1.0, batch 64) for
one epoch under cresset and under real torch, same data pipeline and thread count.

    python3 benchmarks/mnist_accuracy.py [--data-dir DIR] [--epochs 1] [--threads 2] [--record]

Prints each framework's test accuracy, training time and wall time, and the differences;
--record also writes them to benchmarks/RESULTS_mnist.md (run.py rewrites RESULTS.md). The
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
    parser.add_argument("--record", action="store_true",
                        help="write the results to benchmarks/RESULTS_mnist.md")
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
    summary = (f"accuracy difference (cresset - torch): {ours - theirs:+.2f} points; "
               f"training speedup torch/cresset: {their_train / our_train:.2f}x")
    print(summary)
    if args.record:
        rows = "\n".join(f"| {name} | {acc:.2f}% | {train:.1f} s | {wall:.1f} s |"
                         for name, (acc, train, wall) in results.items())
        with open(os.path.join(ROOT, "benchmarks", "RESULTS_mnist.md"), "w") as f:
            f.write(f"# MNIST accuracy: examples/mnist.py, {args.epochs} epoch(s), "
                    f"{args.threads} thread(s)\n\n`python3 benchmarks/mnist_accuracy.py "
                    f"--record` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                    f"{os.cpu_count()} cores.\n\n| framework | test accuracy | training | wall |"
                    f"\n|---|---|---|---|\n{rows}\n\n{summary}\n")


if __name__ == "__main__":
    main()
