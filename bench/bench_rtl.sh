#!/bin/sh
# Benchmark of the rtl target (JSON on stdout): Verilator build time and
# simulated frames per second of wall time, for TFC-W1A1 (1000 random
# frames, the config's depth-32 FIFOs) and CNV-W1A1 (8 random frames,
# deep FIFOs) at FINN's folding; with the simulated cycles per frame and
# latency next to their estimates. Then the dataflow DAGs of the shared
# models (../shared/models, or $QONNXC_SHARED_MODELS) at their configs'
# folding, 2 random frames each, with the configs' FIFOs and with deep
# ones: MobileNet-W4A4 (VVAU, POOL), ResNet-W2A2 and ResNet-20 (FORK, JOIN,
# POOL); a model that is not there is left out. Needs Verilator 5, make, awk.
#   bench/bench_rtl.sh [QONNXC]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${1:-$here/build/qonnxc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shared=${QONNXC_SHARED_MODELS:-$here/../shared/models}
deep() { # config -> the same with every FIFO 8192 deep, in $tmp
    sed 's/^fifo_depth: .*/fifo_depth: 8192/' "$here/configs/$1.yaml" > "$tmp/$1_deep.yaml"
    echo "$tmp/$1_deep.yaml"
}
field() { # key name: a number from the simulation's JSON
    sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$tmp/$2.json"
}
one() { # name model-folder config frames
    "$qonnxc" build "$2/model.onnx" -c "$3" --target rtl -o "$tmp/$1" > /dev/null
    t0=$(date +%s.%N)
    make -s -C "$tmp/$1/rtl" sim > "$tmp/$1.log" 2>&1
    t1=$(date +%s.%N)
    "$tmp/$1/rtl/"*_rtlsim --quiet --random "$4" --json "$tmp/$1.json"
    printf '    {"model": "%s", "verilator_build_seconds": %.1f, "frames": %s, "simulated_frames_per_second": %s, "cycles_per_frame": %s, "estimated_cycles_per_frame": %s, "latency_cycles": %s, "estimated_latency_cycles": %s}' \
        "$1" "$(awk "BEGIN { print $t1 - $t0 }")" "$4" "$(field frames_per_second_wall "$1")" \
        "$(field cycles_per_frame "$1")" "$(field estimated_cycles_per_frame "$1")" \
        "$(field latency_cycles "$1")" "$(field estimated_latency_cycles "$1")"
}
echo '{"bench": "rtl", "results": ['
one tfc_w1a1 "$here/tests/models/TFC_1W1A" "$here/configs/TFC_1W1A.yaml" 1000
echo ','
one cnv_w1a1 "$here/tests/models/CNV_1W1A_RANDOM" "$(deep CNV_1W1A)" 8
for m in MOBILENET_W4A4 RESNET_W2A2 RESNET20_W4A4; do
    [ -f "$shared/${m}_RANDOM/model.onnx" ] || continue
    name=$(echo "$m" | tr 'A-Z' 'a-z')
    echo ','
    one "$name" "$shared/${m}_RANDOM" "$here/configs/$m.yaml" 2
    echo ','
    one "${name}_deep_fifos" "$shared/${m}_RANDOM" "$(deep "$m")" 2
done
echo
echo ']}'
