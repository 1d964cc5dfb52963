#!/bin/sh
# Benchmark of the rtl target (JSON on stdout): Verilator build time and
# simulated frames per second of wall time, for TFC-W1A1 (1000 frames) and
# CNV-W1A1 (8 frames, deep FIFOs) at FINN's folding.
#   bench/bench_rtl.sh [QONNXC]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${1:-$here/build/qonnxc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/^fifo_depth: .*/fifo_depth: 8192/' "$here/configs/CNV_1W1A.yaml" > "$tmp/cnv.yaml"
one() { # name model config frames
    "$qonnxc" build "$here/tests/models/$2/model.onnx" -c "$3" --target rtl -o "$tmp/$1" > /dev/null
    t0=$(date +%s.%N)
    make -s -C "$tmp/$1/rtl" sim > "$tmp/$1.log" 2>&1
    t1=$(date +%s.%N)
    "$tmp/$1/rtl/"*_rtlsim --quiet --random "$4" --json "$tmp/$1.json"
    fps=$(sed -n 's/.*"frames_per_second_wall": \([0-9.]*\).*/\1/p' "$tmp/$1.json")
    cpf=$(sed -n 's/.*"cycles_per_frame": \([0-9]*\).*/\1/p' "$tmp/$1.json")
    printf '    {"model": "%s", "verilator_build_seconds": %.1f, "frames": %s, "simulated_frames_per_second": %s, "cycles_per_frame": %s}' \
        "$1" "$(echo "$t1 - $t0" | bc)" "$4" "$fps" "$cpf"
}
echo '{"bench": "rtl", "results": ['
one tfc_w1a1 TFC_1W1A "$here/configs/TFC_1W1A.yaml" 1000
echo ','
one cnv_w1a1 CNV_1W1A_RANDOM "$tmp/cnv.yaml" 8
echo
echo ']}'
