#!/bin/sh
# One command from a QONNX model to its simulated accelerator:
#
#   examples/run_rtl.sh MODEL.onnx CONFIG.yaml INPUTS.npy OUTDIR
#   examples/run_rtl.sh tfc [OUTDIR]  # TFC-W1A1 at FINN's folding, 64 frames
#   examples/run_rtl.sh cnv [OUTDIR]  # CNV-W1A1 (random weights) at FINN's folding, 32 frames
#
# prints the estimates (qonnxc report: per layer cycles and resources, the
# FIFOs at the config's depth), builds the rtl target with FIFOs sized by
# simulation (qonnxc build --target rtl --size-fifos; OUTDIR/report/
# estimates.json is then rewritten for the sized FIFOs), compiles it with
# Verilator (make sim), runs the inputs through it (OUTDIR/outputs.npy,
# OUTDIR/rtlsim.json: cycles per frame, latency, FIFO occupancy) and ends
# with the measured cycles next to the estimates.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${QONNXC:-$here/build/qonnxc}
case "${1:-}" in
tfc) set -- "$here/tests/models/TFC_1W1A/model.onnx" "$here/configs/TFC_1W1A.yaml" \
            "$here/tests/models/TFC_1W1A/inputs.npy" "${2:-/tmp/qonnxc-tfc-w1a1}" ;;
cnv) set -- "$here/tests/models/CNV_1W1A_RANDOM/model.onnx" "$here/configs/CNV_1W1A.yaml" \
            "$here/tests/models/CNV_1W1A_RANDOM/inputs.npy" "${2:-/tmp/qonnxc-cnv-w1a1}" ;;
esac
[ $# -eq 4 ] || { echo "usage: $0 MODEL.onnx CONFIG.yaml INPUTS.npy OUTDIR | tfc [OUTDIR] | cnv [OUTDIR]" >&2; exit 2; }
model=$1 config=$2 inputs=$3 out=$4
[ -x "$qonnxc" ] || { echo "$0: no qonnxc at $qonnxc (build it, or set QONNXC)" >&2; exit 2; }
command -v verilator > /dev/null || { echo "$0: needs verilator (5.x) on PATH" >&2; exit 2; }
mkdir -p "$out"
cp "$model" "$out/model.onnx"
cp "$config" "$out/config.yaml"
start=$(date +%s)
echo "== estimates"
"$qonnxc" report "$out"
echo "== build (FIFOs sized by simulation)"
# --force: OUTDIR is this script's; the build replaces the report/ written
# above and, on a rerun, rtl/ with the objects `make sim` left there
# (docs/cli.md: otherwise a rebuild refuses to delete files it did not write)
"$qonnxc" build "$model" -c "$config" --target rtl --size-fifos -o "$out" --force
echo "== Verilator build (log: $out/verilator.log)"
t0=$(date +%s)
make -s -C "$out/rtl" sim > "$out/verilator.log" 2>&1 || { cat "$out/verilator.log" >&2; exit 1; }
echo "built $out/rtl/$(cd "$out/rtl" && ls *_rtlsim) in $(( $(date +%s) - t0 )) s"
echo "== simulation"
"$out/rtl/"*_rtlsim "$inputs" "$out/outputs.npy"
cat "$out/rtlsim.json"
num() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$out/rtlsim.json"; }
echo "== $(num frames) frames: $(num cycles_per_frame) cycles per frame (estimate" \
     "$(num estimated_cycles_per_frame)), latency $(num latency_cycles) cycles (estimate" \
     "$(num estimated_latency_cycles))"
echo "done in $(( $(date +%s) - start )) s: $out/outputs.npy, $out/rtlsim.json, $out/report/"
