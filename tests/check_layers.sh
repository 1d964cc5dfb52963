#!/usr/bin/env bash
# Checks every #include "..." of the product folders against the layer
# table cmake/layers.txt (docs/architecture.md), as the ctest test
# check_layers:
#
#   * every C/C++ file of quant/, ir/, src/, hls/, rtl/, sim/ lies in a
#     folder of some layer;
#   * a file includes only headers of its own layer or of a layer it builds
#     on (MAY-INCLUDE, followed down): never one above it or beside it;
#   * a header named *_internal.h is included only from its own folder
#     (one sanctioned exception below);
#   * no two product files share a name (includes resolve by basename
#     through the include directories), and there is no include cycle.
#
# Each problem is one line naming the file, the include and both layers;
# the exit status is 1 if there was any. Includes that name no product
# file (system, Verilator, generated headers) are not checked.
#   tests/check_layers.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

# The mcu/npu emitters reuse the ref target's layer emitters, declared in
# its internal header (docs/architecture.md, "Departures").
internal_exceptions="src/mcu:emit_ref_internal.h"

mapfile -t files < <(find quant ir src hls rtl sim -type f \
    \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.c.in' \) | LC_ALL=C sort)
{
    for f in "${files[@]}"; do
        echo "F $f"
        # "#include" at the start of a line: not the ones inside emitted strings.
        { grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true; } |
            sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1 \2/' |
            while read -r line inc; do echo "I $f $line $inc"; done
    done
} | awk -v exceptions="$internal_exceptions" '
function dirname(p) { sub(/\/[^\/]*$/, "", p); return p }
function basename(p) { sub(/^.*\//, "", p); return p }
# Whether layer a may include layer b: b is a or below one of a'"'"'s MAY-INCLUDE.
function may(a, b,    i, n, d) {
    if (a == b) return 1
    if ((a, b) in memo) return memo[a, b]
    memo[a, b] = 0
    n = split(below[a], d, ",")
    for (i = 1; i <= n; i++)
        if (d[i] != "-" && may(d[i], b)) { memo[a, b] = 1; break }
    return memo[a, b]
}
# Depth-first search for a cycle through f; path holds the chain so far.
function visit(f, path,    i, n, e) {
    if (state[f] == 2) return
    if (state[f] == 1) { problem("include cycle: " path " -> " f); return }
    state[f] = 1
    n = split(edges[f], e, " ")
    for (i = 1; i <= n; i++) if (e[i] != "") visit(e[i], path == "" ? f : path " -> " f)
    state[f] = 2
}
function problem(msg) { print "check_layers: " msg; bad = 1 }
BEGIN {
    while ((getline l < "cmake/layers.txt") > 0) {
        if (l ~ /^[a-z]/) {
            split(l, w, /[ \t]+/)
            nf = split(w[2], fo, ",")
            for (i = 1; i <= nf; i++) layer_of_dir[fo[i]] = w[1]
            below[w[1]] = w[3]
        }
    }
    ne = split(exceptions, ex, " ")
    for (i = 1; i <= ne; i++) allowed_internal[ex[i]] = 1
}
$1 == "F" {
    f = $2
    if (!(dirname(f) in layer_of_dir))
        problem(f ": folder " dirname(f) " is in no layer of cmake/layers.txt")
    b = basename(f)
    if (b in by_name) problem(f " and " by_name[b] " have the same name")
    by_name[b] = f
    order[++n_files] = f
    next
}
$1 == "I" { inc_file[++n_inc] = $2; inc_line[n_inc] = $3; inc_name[n_inc] = $4 }
END {
    for (i = 1; i <= n_inc; i++) {
        f = inc_file[i]; h = inc_name[i]
        if (!(basename(h) in by_name)) continue
        t = by_name[basename(h)]
        if (t == f) continue
        edges[f] = edges[f] " " t
        lf = layer_of_dir[dirname(f)]; lt = layer_of_dir[dirname(t)]
        where = f ":" inc_line[i] ": includes \"" h "\" (" t ")"
        if (lf != "" && lt != "" && !may(lf, lt))
            problem(where ": layer " lf " may not include layer " lt \
                    " (above or beside it)")
        if (h ~ /_internal\.h$/ && dirname(f) != dirname(t) &&
            !((dirname(f) ":" basename(h)) in allowed_internal))
            problem(where ": " basename(h) " is internal to " dirname(t) \
                    " (layer " lt "); use its public header")
    }
    for (i = 1; i <= n_files; i++) visit(order[i], "")
    if (!bad) print "check_layers: " n_files " files, " n_inc " includes: every include goes down the layers, no cycles"
    exit bad
}'
