#!/bin/sh
# One command from a QONNX model to its simulated accelerator:
#
#   examples/run_rtl.sh MODEL.onnx CONFIG.yaml INPUTS.npy OUTDIR
#   examples/run_rtl.sh tfc      # TFC-W1A1 at FINN's folding
#   examples/run_rtl.sh cnv      # CNV-W1A1 (random weights) at FINN's folding, 3 frames
#
# builds the rtl target with FIFOs sized by simulation (qonnxc build
# --target rtl --size-fifos), compiles it with Verilator (make sim), runs
# the inputs through it (OUTDIR/outputs.npy, OUTDIR/rtlsim.json: cycles per
# frame, latency, FIFO occupancy) and prints the estimates (qonnxc report).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${QONNXC:-$here/build/qonnxc}
case "${1:-}" in
tfc) set -- "$here/tests/models/TFC_1W1A/model.onnx" "$here/configs/TFC_1W1A.yaml" \
            "$here/tests/models/TFC_1W1A/inputs.npy" "${2:-/tmp/qonnxc-tfc-w1a1}" ;;
cnv) set -- "$here/tests/models/CNV_1W1A_RANDOM/model.onnx" "$here/configs/CNV_1W1A.yaml" \
            "$here/tests/models/CNV_1W1A_RANDOM/inputs.npy" "${2:-/tmp/qonnxc-cnv-w1a1}" ;;
esac
[ $# -eq 4 ] || { echo "usage: $0 MODEL.onnx CONFIG.yaml INPUTS.npy OUTDIR | tfc | cnv" >&2; exit 2; }
model=$1 config=$2 inputs=$3 out=$4
mkdir -p "$out"
cp "$model" "$out/model.onnx"
cp "$config" "$out/config.yaml"
start=$(date +%s)
"$qonnxc" build "$model" -c "$config" --target rtl --size-fifos -o "$out"
echo "== Verilator build"
make -s -C "$out/rtl" sim
echo "== simulation"
"$out/rtl/"*_rtlsim "$inputs" "$out/outputs.npy"
cat "$out/rtlsim.json"
echo "== estimates"
"$qonnxc" report "$out"
echo "done in $(( $(date +%s) - start )) s: $out/outputs.npy, $out/rtlsim.json"
