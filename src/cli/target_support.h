/* Which targets can build a model, and every reason a target cannot, for
 * `qonnxc info`.
 *
 * No rule of its own: each target of the target table is built in memory
 * (nothing written) by the same code `qonnxc build` runs (streamline_graph,
 * dataflow_build for the targets that need it, emit_names, then the
 * target's emitter), and its Diag is the answer. Where that code collects
 * every failing layer before it stops (the streamliner's layers, the ref,
 * mcu and npu emitters), all of them are listed; where it stops at the
 * first (the ref plan, the dataflow lowering, which walks one chain), the
 * list has that one. */
#ifndef QONNXC_TARGET_SUPPORT_H
#define QONNXC_TARGET_SUPPORT_H

#include <stdio.h>

#include "graph.h"

/* Prints "targets:" and one entry per target (ref, hls, rtl, mcu, npu):
 * "supported", or "not supported:" and one line per reason. g is the
 * loaded model; it is streamlined in place (print everything else
 * first). */
void target_support_print(Graph *g, const char *model_path, FILE *out);

#endif
