#!/usr/bin/env bash
# Development build: tools/dev.sh [build-dir] configures and builds the extension into
# <build-dir>/python (default build/dev) and prints the PYTHONPATH to use. C++ tests included.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build/dev}
cmake -S "$here" -B "$here/$dir" -G Ninja -DCRESSET_BUILD_TESTS=ON >/dev/null
cmake --build "$here/$dir" -- -j"${JOBS:-2}"
echo "PYTHONPATH=$here/$dir/python"
