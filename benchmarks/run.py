"""Runs benchmarks/bench.py at 1 and 2 threads (one process each, thread variables set before
torch loads), measures import time, prints the table and writes benchmarks/RESULTS.md.

    python3 benchmarks/run.py [--filter E1] [--rounds 2] [--no-write]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def import_time(module, runs=15):
    times = []
    for _ in range(runs + 3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - start)
    times = sorted(times[3:])
    return times[len(times) // 2], times[0], times[-1]


def stream_probe(threads):
    """BENCHMARKS.md P1: STREAM copy/scale/add/triad/read in GB/s at `threads`, or {} when no C
    compiler with OpenMP is available."""
    import shutil
    import tempfile
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return {}
    exe = os.path.join(tempfile.gettempdir(), "cresset_stream_probe")
    src = os.path.join(HERE, "probes", "stream.c")
    if subprocess.run([cc, "-O3", "-march=native", "-fopenmp", src, "-o", exe]).returncode:
        return {}
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_PROC_BIND="true")
    out = subprocess.run([exe], env=env, capture_output=True, text=True).stdout
    return {name: float(v) for name, v in (line.split() for line in out.splitlines())}


# The STREAM kernel that bounds each memory-bound workload (BENCHMARKS.md section 1).
LIMIT_OF = {"E1": "add", "E2": "scale", "E3": "scale", "S1": "scale", "R1": "read", "R2": "read"}


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = subprocess.run([sys.executable, "-c",
                           "import torch, numpy, cresset; print(torch.__version__, "
                           "numpy.__version__, cresset._C._cpu_capability() "
                           "if hasattr(cresset._C, '_cpu_capability') else '?')"],
                          capture_output=True, text=True).stdout.split()
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "torch": info[0] if info else "?", "numpy": info[1] if len(info) > 1 else "?",
            "cresset_isa": info[2] if len(info) > 2 else "?", "GEMM": "own BLIS-style (no OpenBLAS)",
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
            "ATEN_CPU_CAPABILITY": os.environ.get("ATEN_CPU_CAPABILITY", "(unset)")}


def fmt_time(s):
    return f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.3f} ms"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--filter", default="")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    rows = []
    streams = {}
    for threads in [int(t) for t in args.threads.split(",")]:
        streams[threads] = stream_probe(threads)
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, os.path.join(HERE, "bench.py"), "--threads",
                              str(threads), "--rounds", str(args.rounds), "--filter", args.filter],
                             env=env, capture_output=True, text=True, check=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        for key, r in data["results"].items():
            wid, shape = key.split("|")
            rows.append((wid, shape, threads, r.get("cresset", {}), r.get("torch", {})))
    # O1 rows time loops of 1000 ops: report per op, above the empty loop.
    empty = {th: c for wid, _, th, c, _ in rows if wid == "O1 empty loop"}
    for wid, shape, threads, c, t in rows:
        if wid.startswith("O1 tiny") and threads in empty:
            base = statistics.median_low(empty[threads]["medians"])
            for r in (c, t):
                if "medians" in r:
                    r["medians"] = [(m - base) / 1000 for m in r["medians"]]
                    r["min"], r["max"] = (r["min"] - base) / 1000, (r["max"] - base) / 1000
    rows = [r for r in rows if r[0] != "O1 empty loop"]
    lines = ["| workload | shape | threads | cresset median [min–max] | torch median [min–max] "
             "| speedup torch/cresset | cresset rate | of STREAM |",
             "|---|---|---|---|---|---|---|---|"]
    for wid, shape, threads, c, t in rows:
        def cell(r):
            if "medians" not in r:
                return r.get("error", "n/a")
            return f"{fmt_time(statistics.median_low(r['medians']))} " \
                   f"[{fmt_time(r['min'])}–{fmt_time(r['max'])}]"
        speed, rate, frac = "n/a", "", ""
        if "medians" in c and "medians" in t:
            cm, tm = statistics.median_low(c["medians"]), statistics.median_low(t["medians"])
            speed = f"{tm / cm:.2f}x"
            if c.get("work"):
                gbs = c["work"] / cm / 1e9
                rate = f"{gbs:.1f} {c['unit']}"
                limit = streams.get(threads, {}).get(LIMIT_OF.get(wid.split()[0], ""))
                if limit and c["unit"] == "GB/s":
                    frac = f"{100 * gbs / limit:.0f}%"
        lines.append(f"| {wid} | {shape} | {threads} | {cell(c)} | {cell(t)} | {speed} | {rate} "
                     f"| {frac} |")
    if not args.filter or "O2" in args.filter:
        base = import_time("sys")
        for mod in ["cresset", "torch", "numpy"]:
            med, lo, hi = import_time(mod)
            lines.append(f"| O2 import {mod} | - | - | {fmt_time(med - base[0])} above `python -c "
                         f"pass` [{fmt_time(lo)}–{fmt_time(hi)} total] | | | |")
    table = "\n".join(lines)
    print(table)
    loader = subprocess.run([sys.executable, os.path.join(HERE, "bench_dataloader.py")],
                            capture_output=True, text=True).stdout
    print(loader)
    if not args.no_write:
        m = machine()
        with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
            f.write("# Benchmark results\n\nLatest run of `python3 benchmarks/run.py` "
                    "(cresset and torch in the same process, medians of repeats; "
                    "speedup > 1 means cresset is faster).\n\n")
            f.write("Machine: " + ", ".join(f"{k}={v}" for k, v in m.items()) + "\n\n")
            for th, st in streams.items():
                f.write(f"STREAM probe (benchmarks/probes/stream.c), {th} thread(s): " +
                        ", ".join(f"{k} {v:.1f} GB/s" for k, v in st.items()) + "\n\n")
            f.write("Rates count bytes read + written (12 B/elem for a + b); 'of STREAM' "
                    "compares with the STREAM kernel of the same shape at the same thread "
                    "count (add for binary, scale for unary and softmax, read for reductions). "
                    "Small sizes run from cache, so they exceed it.\n\n")
            f.write(table + "\n")
            f.write("\n## DataLoader epoch (benchmarks/bench_dataloader.py)\n\n```\n" +
                    loader + "```\n")
            # Sections recorded elsewhere: benchmarks/cuda.py --record (on a GPU machine) and
            # benchmarks/mnist_accuracy.py --record.
            for name in ("RESULTS_cuda.md", "RESULTS_mnist.md"):
                path = os.path.join(HERE, name)
                if os.path.exists(path):
                    with open(path) as g:
                        f.write("\n#" + g.read())


if __name__ == "__main__":
    main()
