#!/usr/bin/env bash
# Shows that check_layers fails when it should: on a copy of the product
# folders, each case below plants one violation and expects
# tests/check_layers.sh to exit 1 with a line naming it; the unchanged copy
# must pass.
#   tests/check_layers_selftest.sh [SOURCE_DIR]
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
tmp=$(mktemp -d /tmp/qonnxc-layers-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

fresh_copy() {
    rm -rf "$tmp/tree"
    mkdir -p "$tmp/tree"
    (cd "$src" && cp -r cmake quant ir src hls rtl sim "$tmp/tree/")
}

# expect_failure NAME EXPECTED-MESSAGE: the check must fail, saying it.
expect_failure() {
    if out=$("$src/tests/check_layers.sh" "$tmp/tree" 2>&1); then
        echo "FAIL $1: check_layers passed"; failed=1
    elif ! grep -qF "$2" <<<"$out"; then
        echo "FAIL $1: no line with '$2' in:"; echo "$out"; failed=1
    else
        echo "ok   $1: $(grep -F "$2" <<<"$out" | head -1)"
    fi
}

fresh_copy
if ! "$src/tests/check_layers.sh" "$tmp/tree" >/dev/null; then
    echo "FAIL: the unchanged tree does not pass"; failed=1
fi

fresh_copy   # a pass including the CLI's config parser
sed -i 's/^#include "build_config.h"$/&\n#include "config.h"/' "$tmp/tree/ir/passes/dataflow/dataflow.h"
expect_failure upward "layer ir_dataflow may not include layer cli"

fresh_copy   # one target including a sibling target
sed -i '0,/^#include "emit_hls.h"$/s//&\n#include "emit_rtl.h"/' "$tmp/tree/hls/emit_hls.c"
expect_failure sideways "layer target_hls may not include layer target_rtl"

fresh_copy   # another layer reaching into rtl's internal header
sed -i 's/^#include "emit_rtl.h"$/#include "emit_rtl_internal.h"/' "$tmp/tree/src/cli/synth_report.c"
expect_failure internal "emit_rtl_internal.h is internal to rtl"

fresh_copy   # two headers including each other
sed -i '0,/^#include <stddef.h>$/s//&\n#include "value.h"/' "$tmp/tree/ir/core/arena.h"
expect_failure cycle "include cycle"

fresh_copy   # a file outside every layer's folders
touch "$tmp/tree/ir/stray.c"
expect_failure unplaced "folder ir is in no layer"

exit $failed
