#!/usr/bin/env bash
# Builds and runs the whole test suite with ctest.
#   scripts/test.sh             the normal build, in build/
#   scripts/test.sh --sanitize  the same suite built with ASan + UBSan, in build-asan/
# CMAKE_ARGS is passed on to cmake (scripts/setup.sh), e.g. -DQONNXC_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--sanitize" ]; then
  export BUILD_DIR=build-asan CMAKE_ARGS="${CMAKE_ARGS:-} -DQONNXC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
build_dir=${BUILD_DIR:-build}
scripts/setup.sh
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
