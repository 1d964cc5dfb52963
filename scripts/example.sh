#!/usr/bin/env bash
# The main job on the bundled example: describe TFC-W1A1 (a binarized MNIST
# MLP) and classify the 64 images of examples/tfc_w1a1/inputs.npy.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
ex=examples/tfc_w1a1
mkdir -p out
"$build_dir"/qonnxc info "$ex"/model.onnx
"$build_dir"/qonnxc run "$ex"/model.onnx -i "$ex"/inputs.npy -o out/tfc_w1a1_outputs.npy
echo "outputs written to out/tfc_w1a1_outputs.npy"
