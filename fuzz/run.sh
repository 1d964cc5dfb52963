#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (fuzz/build.sh, into build-fuzz/
# or $FUZZ_BUILD_DIR) and runs each one for SECONDS (default 60),
# one process at a time: first over the committed regressions, then fuzzing
# from the seed corpus. Fails on any crash, leak, sanitizer report or
# timeout; the input that caused it is left in $FUZZ_BUILD_DIR/artifacts/.
# Installs nothing: scripts/setup.sh installs clang-14 and libFuzzer.
#
#   fuzz/run.sh [SECONDS]        FUZZ_TARGETS="npy" fuzz/run.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=${FUZZ_TARGETS:-"onnx_loader npy config pipeline"}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}

cc=${FUZZ_CC:-clang-14}
if ! command -v "$cc" >/dev/null; then
  echo "fuzz/run.sh: $cc not found; install clang-14 libfuzzer-14-dev libclang-rt-14-dev (scripts/setup.sh)" >&2
  exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
  echo "fuzz/run.sh: $cc cannot link libFuzzer with ASan/UBSan; install libfuzzer-14-dev libclang-rt-14-dev (scripts/setup.sh):" >&2
  cat "$probe/err" >&2
  exit 1
fi

mkdir -p "$build_dir"
if ! FUZZ_BUILD_DIR=$build_dir FUZZ_CC=$cc fuzz/build.sh >"$build_dir/build.log" 2>&1; then
  echo "fuzz/run.sh: building the fuzz targets failed (see $build_dir/build.log):" >&2
  grep -E 'error|Error' "$build_dir/build.log" | head -20 >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in $targets; do
  bin=$build_dir/fuzz_$t
  work=$build_dir/corpus/$t           # grows from run to run; the seeds stay as committed
  artifacts=$build_dir/artifacts/$t/
  mkdir -p "$work" "$artifacts"
  dict=(); [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  opts=(-timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}")
  regressions=(fuzz/regressions/$t/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== fuzz_$t: replaying ${#regressions[@]} regression inputs"
    if ! "$bin" "${opts[@]}" "${regressions[@]}" >"$build_dir/$t.regressions.log" 2>&1; then
      echo "fuzz_$t: a regression input fails again; see $build_dir/$t.regressions.log" >&2
      tail -40 "$build_dir/$t.regressions.log" >&2
      status=1
      continue
    fi
  fi
  echo "== fuzz_$t: fuzzing for ${seconds}s"
  log=$build_dir/$t.log
  if "$bin" "${opts[@]}" -max_total_time="$seconds" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    grep -E '^#[0-9]+.*cov:' "$log" | tail -1 || true
    grep -E '^Done |^stat::peak_rss_mb' "$log" || true
    echo "   corpus: $(find "$work" -type f | wc -l) files in $work"
  else
    echo "fuzz_$t: FAILED (crash, leak, sanitizer report or timeout); see $log, input in $artifacts" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || true
    status=1
  fi
done
exit $status
