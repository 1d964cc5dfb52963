/* Building standard ONNX nodes into a graph, for the export rewrites
 * (export_quantizers.c): constants, one node at a time, and the float
 * sequences that round by each QONNX rounding mode.
 *
 * A Builder writes the nodes that replace one QONNX node. Their names are
 * "<node>.<k>_<Op>" (k counts within the node, so they stay unique), their
 * tensors "<node>.<k>" or "<node>.<what>"; the last node writes the
 * replaced node's own output tensor (build_finish), so its readers and the
 * graph outputs keep their tensor. Every function returns NULL after a
 * failure (out of memory), and the Builder remembers it. */
#ifndef QONNXC_EXPORT_BUILD_H
#define QONNXC_EXPORT_BUILD_H

#include "op_quant.h"

typedef struct Builder {
    Graph *g;
    const char *base;   /* the replaced node's name */
    int count;          /* nodes added so far */
    bool failed;
} Builder;

void build_init(Builder *b, Graph *g, const char *base);

/* A float32 scalar (rank 0) constant. */
Tensor *build_scalar(Builder *b, const char *what, float v);
/* An integer scalar constant of element type et (INT8, UINT8). */
Tensor *build_int_scalar(Builder *b, const char *what, int et, int64_t v);
/* A float32 constant holding v's values in v's shape. */
Tensor *build_const(Builder *b, const char *what, const Value *v);

/* A node op(a, b, c) (b, c may be NULL: fewer inputs) with one new output. */
Tensor *build_op(Builder *b, const char *op, Tensor *a, Tensor *b2, Tensor *c);
/* Makes the node that wrote `last` write `out` instead (the replaced
 * node's output tensor); `last` must be the output of the latest node. */
bool build_finish(Builder *b, Tensor *last, Tensor *out);

/* v rounded to integers by `mode`, with exact float32 ops only:
 *   HALF_EVEN   Round(v)                 (ONNX Round is half to even)
 *   FLOOR, CEIL Floor(v), Ceil(v)
 *   DOWN        Sign(v) * Floor(|v|)     toward zero
 *   UP          Sign(v) * Ceil(|v|)      away from zero
 *   HALF_UP     Sign(v) * (f + Floor(2 (|v| - f)))            f = Floor(|v|)
 *   HALF_DOWN   Sign(v) * (f + Relu(Ceil(2 (|v| - f) - 1)))
 * For a = |v| >= 0, a - Floor(a) is the exact fraction (Sterbenz), and
 * doubling it is exact, so Floor(2 frac) is 1 exactly when frac >= 1/2
 * and Ceil(2 frac - 1) is 1 exactly when frac > 1/2 (0 at 1/2, -1 or -0
 * below). No "a + 0.5" anywhere: that rounds for a just below one half.
 * A zero result may have the other sign than qonnx_round gives it (-0 for
 * +0); they compare equal. An infinite v gives NaN in the HALF_UP and
 * HALF_DOWN forms (inf - inf), where qonnx_round keeps it infinite: the
 * Quant rewrite clamps before rounding, so only a Trunc version 1 (which
 * does not clamp) of an infinite input differs. */
Tensor *build_round(Builder *b, Tensor *v, QonnxRounding mode);

#endif
