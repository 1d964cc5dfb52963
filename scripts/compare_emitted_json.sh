#!/bin/sh
# Builds the seven vendored models (tests/models, as test_emit_manifest does)
# with two qonnxc binaries and compares every emitted .json file pair as
# parsed JSON: same keys (in any order), same strings, booleans and nulls,
# numbers equal as doubles. For a change that reformats the JSON files
# (the manifest then changes for .json lines only): it shows the content
# did not change.
#
#   scripts/compare_emitted_json.sh OLD_QONNXC NEW_QONNXC [WORKDIR]
set -eu
old=$1 new=$2 work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/old" "$work/new"
cd "$root/tests"
for pair in TFC_1W1A:TFC_1W1A TFC_1W2A:TFC_1W2A TFC_2W2A:TFC_2W2A \
            UNSW_MLP_W2A2:UNSW_MLP_W2A2 CNV_1W1A_RANDOM:CNV_1W1A \
            CNV_1W2A_RANDOM:CNV_1W2A CNV_2W2A_RANDOM:CNV_2W2A; do
    model=${pair%%:*} config=${pair#*:}
    for side in old new; do
        eval bin=\$$side
        "$bin" build "models/$model/model.onnx" -c "../configs/$config.yaml" --target all \
            -o "$work/$side/$model" --force >/dev/null
    done
done
python3 - "$work/old" "$work/new" <<'PY'
import json, os, sys

def same(a, b, where, errors):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        ok = type(a) is type(b) and a == b
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        ok = float(a) == float(b)
    elif isinstance(a, dict) and isinstance(b, dict):
        ok = a.keys() == b.keys()
        for k in a.keys() & b.keys():
            same(a[k], b[k], f"{where}.{k}", errors)
    elif isinstance(a, list) and isinstance(b, list):
        ok = len(a) == len(b)
        for k, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{k}]", errors)
    else:
        ok = type(a) is type(b) and a == b
    if not ok:
        errors.append(f"{where}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}")

old, new = sys.argv[1], sys.argv[2]
files = sorted(os.path.relpath(os.path.join(d, f), old)
               for d, _, fs in os.walk(old) for f in fs if f.endswith(".json"))
new_files = sorted(os.path.relpath(os.path.join(d, f), new)
                   for d, _, fs in os.walk(new) for f in fs if f.endswith(".json"))
bad = 0
if files != new_files:
    print("different sets of .json files:", set(files) ^ set(new_files))
    bad += 1
for rel in files:
    errors = []
    with open(os.path.join(old, rel)) as f:
        a = json.load(f)
    with open(os.path.join(new, rel)) as f:
        b = json.load(f)
    same(a, b, "", errors)
    if errors:
        bad += 1
        print(f"DIFFERENT {rel}:", *errors[:5], sep="\n  ")
print(f"{len(files)} .json files compared, {bad} different")
sys.exit(1 if bad else 0)
PY
