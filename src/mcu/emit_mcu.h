/* The `mcu` and `npu` targets (docs/mcu-npu.md).
 *
 * mcu: C99 for Cortex-M class devices, written into "mcu/" of an output
 * tree: model.c/model.h (the ref target's API; packed const weights, one
 * static activation arena sized from tensor lifetimes, no heap), the quant
 * core files it uses, the ref target's main.c and Makefile (host build),
 * and size_report.json (flash bytes of weights and thresholds, arena
 * bytes, MACs per layer).
 *
 * npu: the same executor into "npu/", where every layer an NPU with
 * TI-style integer arithmetic can run exactly requantizes with the BNORM
 * sequence (bias, 8-bit scale, shift; ir/npu_bnorm.h) instead of its
 * thresholds; the others keep the mcu kernels (the CPU path).
 * npu/layers.json lists every layer: on NPU or CPU, and why.
 *
 * Both are bit-exact with the ref target. */
#ifndef QONNXC_EMIT_MCU_H
#define QONNXC_EMIT_MCU_H

#include <stdbool.h>

#include "emit_util.h"
#include "graph.h"

/* g: the integer graph (after streamline_graph and the naming step,
 * emit_names.h), read only; name: the C prefix (ref_model_name). */
bool emit_mcu(const Graph *g, const char *model_path, const char *name, OutTree *out, Diag *d);

/* Also prints the per-layer table to `table` when not NULL. */
bool emit_npu(const Graph *g, const char *model_path, const char *name, OutTree *out,
              TextBuf *table, Diag *d);

#endif
