#!/bin/sh
# The side-by-side bench against ONNX Runtime (JSON on stdout): for every
# shared model, the emitted ref executor's frames/s in memory (bench_ref's
# measurement) and ONNX Runtime's on `qonnxc export --format qcdq` (one
# thread, batch 1 and batch 64), and the ratios, in one run
# (bench/ort/side_by_side.js). Needs node and onnxruntime-node
# (scripts/setup_ort.sh); says so and exits 0 (skipped) without them.
#   bench/bench_ort.sh [BUILD_DIR [SECONDS [MODEL ...]]]
#     BUILD_DIR  default build/ (qonnxc and bench/bench_ref built there)
#     SECONDS    per ONNX Runtime measurement, default 3
# The shared models: ../shared/models, or $QONNXC_SHARED_MODELS.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
seconds=${2:-3}
[ $# -gt 2 ] && shift 2 || set --
models=${QONNXC_SHARED_MODELS:-$here/../shared/models}
if ! command -v node > /dev/null; then
    echo "bench_ort: skipped: node is not installed (scripts/setup.sh)" >&2
    exit 0
fi
if [ ! -f "$here/bench/ort/node_modules/onnxruntime-node/package.json" ]; then
    echo "bench_ort: skipped: onnxruntime-node is not installed (scripts/setup_ort.sh)" >&2
    exit 0
fi
export QONNXC_SHARED_MODELS="$models"
exec node "$here/bench/ort/side_by_side.js" "$build/qonnxc" "$build/bench/bench_ref" \
    "$models" "$seconds" "$@"
