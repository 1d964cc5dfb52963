#!/usr/bin/env bash
# Builds the libFuzzer targets into $FUZZ_BUILD_DIR (default build-fuzz/):
# the main project's layer libraries (cmake/layers.txt) configured with clang-14
# (QONNXC_SANITIZE: ASan + UBSan; plus libFuzzer's coverage instrumentation),
# in $FUZZ_BUILD_DIR/core, then fuzz_onnx_loader, fuzz_npy, fuzz_config and
# fuzz_pipeline linked against it with -fsanitize=fuzzer, and
# make_pipeline_seeds (the generator of fuzz_pipeline's builder seeds).
# Separate from the main gcc build; reusing the main CMakeLists keeps the
# sources, include dirs and generated files in one place. Warnings are not
# errors here: clang warns about other things than gcc, and the gcc build
# is the one that enforces -Werror.
#   fuzz/build.sh            (fuzz/run.sh calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
cc=${FUZZ_CC:-clang-14}
jobs=${FUZZ_BUILD_JOBS:-2}

cmake -S . -B "$build_dir/core" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQONNXC_SANITIZE=ON -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" \
  "-DCMAKE_C_COMPILE_OBJECT=<CMAKE_C_COMPILER> <DEFINES> <INCLUDES> <FLAGS> -Wno-error -o <OBJECT> -c <SOURCE>"
cmake --build "$build_dir/core" --target cli -j"$jobs"

core=$build_dir/core
# Every layer's library (one per line of cmake/layers.txt that has C files),
# top first so that each one's undefined symbols are found further on; its
# folders are the include path.
libs=()
includes=()
mapfile -t layers < <(grep '^[a-z]' cmake/layers.txt | tac)
for line in "${layers[@]}"; do
  read -r layer folders _ <<<"$line"
  [[ -f $core/lib$layer.a ]] && libs+=("$core/lib$layer.a")
  IFS=, read -ra dirs <<<"$folders"
  for d in "${dirs[@]}"; do includes+=("-I$d"); done
done
libs+=("$core/libonnx_proto.a")
sys_libs=$(pkg-config --libs libprotobuf-c yaml-0.1 libcjson)
cflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -fno-omit-frame-pointer
        -fno-sanitize-recover=all "${includes[@]}" -Ifuzz -I"$core/gen")
for t in onnx_loader npy config pipeline; do
  extra=()
  [ "$t" = pipeline ] && extra=(fuzz/pipeline_mutator.c)   # its LLVMFuzzerCustomMutator
  # shellcheck disable=SC2086
  "$cc" "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
    fuzz/fuzz_$t.c fuzz/fuzz_entry.c "${extra[@]}" "${libs[@]}" $sys_libs -lm -o "$build_dir/fuzz_$t"
done
# the seed generator: a plain program (libFuzzer's main is not wanted), but
# the core is instrumented for libFuzzer, so its runtime is linked without main
# shellcheck disable=SC2086
"$cc" "${cflags[@]}" -Itests/helpers -fsanitize=fuzzer-no-link,address,undefined \
  fuzz/make_pipeline_seeds.c tests/helpers/onnx_builder.c "${libs[@]}" $sys_libs -lm \
  -o "$build_dir/make_pipeline_seeds"
echo "fuzz/build.sh: built $build_dir/fuzz_{onnx_loader,npy,config,pipeline} and $build_dir/make_pipeline_seeds"
