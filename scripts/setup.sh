#!/usr/bin/env bash
# Installs the Debian packages qonnxc needs (only the missing ones), then
# configures and builds into build/ (or $BUILD_DIR). Safe to run again.
# CMAKE_ARGS is passed on to cmake: -DQONNXC_WERROR=ON (warnings are errors,
# as in CI), -DCMAKE_BUILD_TYPE=Release, -DCMAKE_INSTALL_PREFIX=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  protobuf-c-compiler libprotobuf-c-dev libonnx-dev   # ONNX schema, compiled at build time
  libyaml-dev check                                    # configs, unit tests
  libcjson-dev                                         # every JSON file qonnxc writes or reads (src/emit/json_doc.h)
  libonnx-testdata                                     # ONNX's per-operator conformance tests
  graphviz                                             # dataflow.svg (qonnxc report)
  librsvg2-bin                                         # rsvg-convert: dataflow.svg -> .png, to look at it
  clang-14 libfuzzer-14-dev libclang-rt-14-dev         # fuzz targets (fuzz/run.sh)
  verilator yosys iverilog                             # rtl/ library: simulation, lint, synthesis check
  nextpnr-ice40 fpga-icestorm                          # ice40 target: place and route, bitstream
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm  # mcu target: Cortex-M build, run under qemu
  valgrind                                             # bench_mcu: callgrind instruction counts
  nodejs                                               # ONNX Runtime (npm) for the QCDQ export test and bench
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm comes with nodejs from some sources (NodeSource) and is its own
# Debian package elsewhere: installed only when the command is missing.
if ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
# ONNX Runtime for test_export_ort and bench/bench_ort.sh; without it (no
# registry reachable) those skip with a message, so setup goes on.
scripts/setup_ort.sh || echo "setup: ONNX Runtime not installed; test_export_ort will skip" >&2

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
