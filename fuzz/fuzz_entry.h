/* The bodies of the fuzz targets, shared by the libFuzzer executables
 * (fuzz/fuzz_*.c, built with clang by fuzz/run.sh) and the regression test
 * that replays fuzz/corpus and fuzz/regressions in the normal build
 * (tests/e2e/test_fuzz_regressions.c).
 *
 * Each entry runs one input and returns 0. It aborts when qonnxc breaks a
 * promise the sanitizers cannot see: a failure without a diagnostic, an
 * exit code outside the documented ones, an output that does not match its
 * shape. */
#ifndef QONNXC_FUZZ_ENTRY_H
#define QONNXC_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* The small limits every target runs under, so no input can make a run
 * take much memory or time (docs/limits.md lists the defaults). */
void fuzz_set_limits(void);

/* onnx_load_mem on the bytes, then cleanup_graph, then, when every graph
 * input has a known shape, one run on a fixed pattern of inputs: two
 * frames through exec_run_frames (as `qonnxc run` does), or one exec_run
 * when an input has no batch dim. */
int fuzz_onnx_loader_one(const uint8_t *data, size_t size);

/* The whole of `qonnxc build --target all`, in memory: onnx_load_mem,
 * cleanup_graph, streamline_graph, dataflow_build at the default folding,
 * then every emitter (ref, hls, rtl, mcu, npu) and the estimates into an
 * OutTree that is freed, never written. Emitting is skipped for integer
 * graphs too large to emit quickly (fuzz_pipeline_fits). */
int fuzz_pipeline_one(const uint8_t *data, size_t size);

/* npy_read_mem on the bytes, then npy_to_f32 on what it read. */
int fuzz_npy_one(const uint8_t *data, size_t size);

/* config_parse on the bytes as "fuzz.yaml": a failure must name the file
 * with exit code 2, a success must hold only values the reader promises. */
int fuzz_config_one(const uint8_t *data, size_t size);

#endif
