#!/usr/bin/env bash
# The full test command (README): installs what the tests need, builds and installs cresset with
# its C++ unit tests, then runs ctest, builds the C++ examples against the installed package, and
# runs the Python differential tests against real torch.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ccache >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq ccache) >/dev/null 2>&1 || echo "ccache unavailable; building without it"
fi
python3 -m pip install -q "torch==2.13.0" numpy pytest pytest-xdist nanobind "scikit-build-core>=0.10" ninja cmake safetensors pillow
python3 -m pip install -q --no-build-isolation -Ccmake.define.CRESSET_BUILD_TESTS=ON .
build_dir=$(ls -d build/cp3*/ | head -n 1)
ctest --test-dir "$build_dir" --output-on-failure
# The C++ package as users consume it (README "C++"): the wheel carries libcresset, its headers
# and CMake config, so every CMake project under examples/cpp/ is configured and built against
# that installed prefix without compiling the core again; the hello example runs.
prefix=$(cd /tmp && python3 -c "import cresset.utils; print(cresset.utils.cmake_prefix_path)")
for project in examples/cpp/*/; do
  name=$(basename "$project")
  cmake -S "$project" -B "build/examples/$name" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "build/examples/$name"
done
build/examples/hello/hello
# Run from the tests folder so the installed package (not the source tree) is imported.
cd tests/python
python3 -m pytest -q -n 2 -p no:cacheprovider .
