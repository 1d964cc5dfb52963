/* The QCDQ export (`qonnxc export MODEL --format qcdq`): a cleaned-up
 * QONNX graph rewritten in place into standard ONNX, opset 13 or newer,
 * that ONNX Runtime and TensorRT run and that computes what the golden
 * executor computes on the original, bit for bit (docs/cli.md "export").
 *
 *   QONNX node                          becomes
 *   Quant / IntQuant, 2..8 bits,        QuantizeLinear -> Clip -> DequantizeLinear
 *     ROUND (half to even), one scale,  (INT8 if signed, else UINT8; the Clip only
 *     zero point 0                      where the range is narrower than the type's)
 *   any other Quant (rounding modes     Div, [Add zp], Clip, <round>, [Sub zp], Mul
 *     QuantizeLinear lacks, > 8 bits,   (<round>: export_build.h build_round; the
 *     per-channel scale, zero point)    clamp comes first: same q, see op_quant.c)
 *   1-bit signed Quant, BipolarQuant    Sign(Sign(v) + 0.5) -> +-1, then [Sub zp], Mul
 *   Trunc version 1                     Div, [Add], Round, Div 2^k, <round>, [Sub], Mul
 *   Trunc version 2                     Div, [Add], Round, Div t, Clip, <round>, Sub, Mul
 *
 * Every other node stays as it is. The ONNX opset import becomes 13 when it
 * was older; a node whose inputs or attributes changed form before 13
 * (Clip, Pad, Squeeze, ... of an older opset) is an error naming it, as is
 * any op of another domain. The leading (batch) dim of the graph inputs
 * and outputs is written unknown and intermediate shapes are left out, so
 * a runtime can run any batch; a Reshape target whose first entry is the
 * batch of 1 becomes 0 (copy the input's batch).
 *
 * On failure the graph is left half rewritten: callers discard it. */
#ifndef QONNXC_EXPORT_QCDQ_H
#define QONNXC_EXPORT_QCDQ_H

#include "graph.h"

/* What the rewrite did, for the CLI's summary line. */
typedef struct ExportCounts {
    int qcdq;          /* Quant as QuantizeLinear -> Clip -> DequantizeLinear */
    int float_quant;   /* Quant as float ops */
    int bipolar;       /* BipolarQuant and 1-bit signed Quant, as float ops */
    int trunc;         /* Trunc as float ops */
} ExportCounts;

/* The ai.onnx opset the export writes at least. */
enum { EXPORT_MIN_OPSET = 13 };

/* g must be cleaned up (cleanup_graph): constants folded, shapes known. */
bool export_qcdq(Graph *g, ExportCounts *counts, Diag *d);

#endif
