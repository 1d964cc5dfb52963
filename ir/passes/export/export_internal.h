/* The steps of the QCDQ export (export_qcdq.c drives them). */
#ifndef QONNXC_EXPORT_INTERNAL_H
#define QONNXC_EXPORT_INTERNAL_H

#include "export_qcdq.h"
#include "ops.h"

/* Raises the ai.onnx import to at least EXPORT_MIN_OPSET (export_opset.c);
 * an error names a node whose form an older opset defines differently. */
bool export_raise_opset(Graph *g, Diag *d);
/* Drops every opset import but ai.onnx's. */
void export_keep_onnx_import(Graph *g);

/* Writes QONNX node n (already taken out of g->nodes; its inputs and
 * output tensors are still valid) as standard ops (export_quantizers.c).
 * false with d naming the node. */
bool export_quantizer(Graph *g, const Node *n, ExportCounts *counts, Diag *d);

#endif
