#!/usr/bin/env bash
# Installs ONNX Runtime for Node (npm package onnxruntime-node, CPU binaries
# included) into bench/ort/node_modules (ignored by git), for the QCDQ export
# test (test_export_ort) and the side-by-side bench (bench/bench_ort.sh).
# Needs node and npm (scripts/setup.sh installs them) and the npm registry,
# nothing else: --ignore-scripts skips the package's install script, which
# would download GPU binaries. A no-op when it is already there.
set -euo pipefail
cd "$(dirname "$0")/../bench/ort"
if [ -f node_modules/onnxruntime-node/package.json ]; then
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup_ort: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
echo "setup_ort: npm install --ignore-scripts onnxruntime-node (bench/ort)"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
