/* The op registry: one OpDef per supported operator.
 *
 * An op knows three things about itself:
 *   check  - are the node's attributes and constant inputs acceptable?
 *            (runs once after loading; errors name the node)
 *   infer  - output element types and shapes from the input tensors'
 *            (static shapes may be partly unknown: leave outputs unknown then)
 *   eval   - compute outputs from input values (golden semantics, float32)
 * Constant folding is eval on constant inputs; shape inference is infer. */
#ifndef QONNXC_OPS_H
#define QONNXC_OPS_H

#include "graph.h"

typedef struct OpCtx {
    const Graph *g;           /* for diagnostics (file name); may be NULL */
    Diag *d;
} OpCtx;

typedef struct OpDef {
    const char *op_type;
    OpDomain domain;
    int min_inputs, max_inputs;
    int min_outputs, max_outputs;
    bool (*check)(const OpCtx *ctx, const Node *n);             /* may be NULL */
    bool (*infer)(const OpCtx *ctx, Node *n);
    /* in[k] is NULL for an omitted optional input; eval allocates out[k]
     * with value_new and on failure leaves every out[k] NULL. */
    bool (*eval)(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out);
} OpDef;

/* NULL if no op of that type exists in that domain. */
const OpDef *op_lookup(OpDomain domain, const char *op_type);

/* Resolves every node's OpDef, checks input/output counts and runs each
 * op's check. Unknown ops are all listed in one error. */
bool graph_resolve_ops(Graph *g, Diag *d);

/* Op tables, one per family (ir/ops_*.c), each ending with NULL. */
extern const OpDef *const onnx_math_ops[];
extern const OpDef *const onnx_tensor_ops[];
extern const OpDef *const qonnx_ops[];
extern const OpDef *const qonnxc_int_ops[];

#endif
