#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: build cresset with its CUDA backend into build/gpu, run the GPU
# tests (tests/python/test_cuda*.py) and, with "bench", the CUDA benchmarks (benchmarks/cuda.py).
# Logs go to $OUT when it is set (the device tool's output folder), else to build/gpu/logs.
# Usage: [CUDA_ARCHS=90-real] [MNIST_DIR=dir] bash tools/gpu_check.sh [bench]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-build/gpu/logs}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
nvcc --version | tail -n 1
python3 -c "import sys, torch; print(sys.version.split()[0], 'torch', torch.__version__, torch.version.cuda)"
start=$(date +%s)
# CUDA_ARCHS=90-real builds for the H100/H200 only (half the nvcc time of the default list).
cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRESSET_CUDA=ON \
  ${CUDA_ARCHS:+-DCRESSET_CUDA_ARCHITECTURES=$CUDA_ARCHS} -DCRESSET_BUILD_TESTS=OFF \
  > "$out/configure.log" 2>&1 || { tail -n 40 "$out/configure.log"; exit 1; }
cmake --build build/gpu -- -j"$(nproc)" > "$out/build.log" 2>&1 || { grep -B2 -A12 "error" "$out/build.log" | head -n 120; exit 1; }
echo "build: $(( $(date +%s) - start )) s"
export PYTHONPATH=$PWD/build/gpu/python
# pytest-timeout (on the GPU image) names a hung test and dumps its stacks instead of hanging.
timeout 300 python3 -m pytest -q -p no:cacheprovider -rs -n 8 --timeout=60 tests/python/test_cuda*.py 2>&1 |
  tee "$out/tests.log" | tail -n 60
if [ "${1:-}" = bench ]; then
  timeout "${BENCH_TIMEOUT:-600}" python3 benchmarks/cuda.py --record 2>&1 | tee "$out/bench.log"
  cp benchmarks/RESULTS_cuda.md "$out/" 2>/dev/null  # to bring back into the repository
fi
# MNIST_DIR=<folder of the four MNIST .gz files>: one epoch of examples/mnist.py on the GPU with
# cresset, then with torch (accuracy and epoch time side by side).
if [ -n "${MNIST_DIR:-}" ]; then
  for lib in "" --torch; do
    timeout 300 python3 examples/mnist.py $lib --device cuda --epochs 1 --data-dir "$MNIST_DIR" \
      --log-interval 100000 2>&1 | tee "$out/mnist${lib:+_torch}.log" | grep -E "Accuracy|time"
  done
fi
