#!/bin/sh
# Benchmark of the ref executable's streaming I/O (JSON on stdout), on
# TFC_1W1A built with `make CFLAGS='-O3 -march=native'`:
#   - `./tfc_1w1a IN.npy OUT.npy` on 1,000, 20,000 and 200,000 frames (the
#     model's 64 input frames repeated; float32, 3,136 bytes a frame): wall
#     seconds (date, around /usr/bin/time), CPU seconds (user + sys, to
#     0.01 s), frames/s through the whole executable, and the maximum
#     resident memory (/usr/bin/time -v), which must not grow with frames
#   - `./tfc_1w1a --bench 5 IN.npy` on the 64 frames held in memory
# frames_per_cpu_second is -1 where the CPU time is under 0.1 s (time -v
# counts hundredths).
# Needs /usr/bin/time (GNU), make, cc, python3; writes about 630 MB to $TMPDIR.
#   bench/bench_stream.sh [QONNXC] [FRAMES...]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
qonnxc=${1:-$here/build/qonnxc}
[ $# -gt 0 ] && shift
counts=${*:-1000 20000 200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$qonnxc" build "$here/tests/models/TFC_1W1A/model.onnx" -o "$tmp/b" > /dev/null
make -s -C "$tmp/b/ref" CFLAGS='-O3 -march=native'
exe=$tmp/b/ref/tfc_1w1a

# IN.npy of n frames: the model's inputs.npy frames, repeated
frames_file() { # n path
    python3 - "$here/tests/models/TFC_1W1A/inputs.npy" "$1" "$2" <<'EOF'
import struct, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(src, 'rb').read()
hlen = struct.unpack('<H', data[8:10])[0]
body, frame = data[10 + hlen:], 784 * 4
frames = len(body) // frame
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 28, 28), }" % n
header += ' ' * (64 - (10 + len(header) + 1) % 64) + '\n'
with open(out, 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode())
    whole, rest = divmod(n, frames)
    block = body * 64
    for _ in range(whole // 64):
        f.write(block)
    f.write(body * (whole % 64) + body[:rest * frame])
EOF
}

echo '{"bench": "stream", "model": "TFC_1W1A", "cflags": "-O3 -march=native", "results": ['
for n in $counts; do
    frames_file "$n" "$tmp/in.npy"
    t0=$(date +%s.%N)
    /usr/bin/time -v "$exe" "$tmp/in.npy" "$tmp/out.npy" 2> "$tmp/time.txt"
    t1=$(date +%s.%N)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
    wall=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
    user=$(sed -n 's/.*User time (seconds): //p' "$tmp/time.txt")
    sys=$(sed -n 's/.*System time (seconds): //p' "$tmp/time.txt")
    printf '    {"frames": %s, "input_bytes": %s, "max_rss_kb": %s, "wall_seconds": %s, "cpu_seconds": %s, "frames_per_second": %.0f, "frames_per_cpu_second": %.0f},\n' \
        "$n" "$(wc -c < "$tmp/in.npy")" "$rss" "$wall" "$(awk "BEGIN { print $user + $sys }")" \
        "$(awk "BEGIN { print $n / ($wall > 0 ? $wall : 0.01) }")" \
        "$(awk "BEGIN { c = $user + $sys; print (c >= 0.1 ? $n / c : -1) }")"
    rm -f "$tmp/in.npy" "$tmp/out.npy"
done
printf '    {"in_memory": '
"$exe" --bench 5 "$here/tests/models/TFC_1W1A/inputs.npy"
echo '    }'
echo ']}'
