#!/bin/sh
# Benchmark of FIFO sizing (JSON on stdout): `qonnxc build --target rtl
# --size-fifos` on CNV-W1A1 at FINN's folding (configs/CNV_1W1A.yaml):
# total FIFO bits of max-occupancy sizing (the old rule: each FIFO's
# maximum occupancy with deep FIFOs, capped at a frame, plus an eighth)
# and of the sized design, the cycles per frame with deep and with sized
# FIFOs, the number of simulations and the wall time of the whole sizing
# (two Verilator builds included). Needs Verilator 5, make.
#   bench/bench_fifo_sizing.sh [QONNXC [FRAMES]]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${1:-$here/build/qonnxc}
frames=${2:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$qonnxc" build "$here/tests/models/CNV_1W1A_RANDOM/model.onnx" -c "$here/configs/CNV_1W1A.yaml" \
    --target rtl --size-fifos="$frames" -o "$tmp/cnv" > "$tmp/log"
num() { # sed expression: one number from the sizing log
    sed -n "$1" "$tmp/log" | head -n 1
}
before=$(num 's/.*FIFO bits: max-occupancy sizing \([0-9]*\), sized.*/\1/p')
after=$(num 's/.*FIFO bits: max-occupancy sizing [0-9]*, sized \([0-9]*\).*/\1/p')
sims=$(num 's/.*; \([0-9]*\) simulations, .*/\1/p')
sized=$(num 's/.*sized FIFOs: \([0-9]*\) cycles per frame.*/\1/p')
deep=$(num 's/.*sized FIFOs: [0-9]* cycles per frame (deep \([0-9]*\)).*/\1/p')
seconds=$(num 's/.*sizing took \([0-9.]*\) s.*/\1/p')
depths=$(sed -n 's/^size-fifos: \(fifo_[0-9]*\): depth [0-9]* -> \([0-9]*\) .*/"\1": \2/p' "$tmp/log" |
         paste -sd, - | sed 's/,/, /g')
printf '{"bench": "fifo_sizing", "model": "cnv_w1a1", "frames": %s, "fifo_bits_max_occupancy": %s, "fifo_bits_sized": %s, "cycles_per_frame_deep": %s, "cycles_per_frame_sized": %s, "simulations": %s, "seconds": %s, "depths_searched": {%s}}\n' \
    "$frames" "$before" "$after" "$deep" "$sized" "$sims" "$seconds" "$depths"
