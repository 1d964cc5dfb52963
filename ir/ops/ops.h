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

/* How ctx's Conv, MatMul or Gemm sums float products: g->golden_sum, float32
 * in natural order without a graph. */
GoldenSum op_golden_sum(const OpCtx *ctx);

/* One value per OpDef: what a pass or backend switches on, instead of
 * comparing op_type strings (the name alone is ambiguous: MultiThreshold
 * exists in the QONNX and the qonnxc domain). */
typedef enum OpKind {
    OP_UNKNOWN,             /* a node whose op is not resolved */
    /* ONNX math (ir/ops_onnx_math.c), float32 golden semantics */
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW,                 /* elementwise, broadcasting */
    OP_RELU, OP_SIGMOID, OP_TANH, OP_ABS, OP_NEG, OP_EXP,   /* elementwise unary */
    OP_LOG, OP_SQRT, OP_FLOOR, OP_CEIL, OP_ROUND, OP_SIGN,
    OP_CLIP,                /* bounds from attributes or inputs 1, 2 */
    OP_MATMUL,              /* numpy matmul */
    OP_GEMM,                /* alpha * A' B' + beta * C */
    OP_CONV,                /* float convolution */
    OP_BATCHNORM,           /* BatchNormalization, inference form */
    OP_MAXPOOL, OP_AVERAGEPOOL, OP_GLOBALMAXPOOL, OP_GLOBALAVERAGEPOOL,
    OP_SOFTMAX, OP_LOGSOFTMAX,
    OP_ARGMAX, OP_ARGMIN,
    OP_QUANTIZE_LINEAR,     /* float -> int8/uint8: round(x / scale) + zero point, saturated */
    OP_DEQUANTIZE_LINEAR,   /* int -> float: (x - zero point) * scale */
    /* ONNX tensor and shape ops (ir/ops_onnx_tensor.c) */
    OP_CAST, OP_CAST_LIKE, OP_CONCAT, OP_CONSTANT, OP_CONSTANT_OF_SHAPE,
    OP_DEPTH_TO_SPACE, OP_SPACE_TO_DEPTH,
    OP_DROPOUT, OP_IDENTITY,    /* both copy their input (inference) */
    OP_EXPAND, OP_TILE, OP_PAD, OP_RANGE, OP_SLICE, OP_SPLIT,
    OP_FLATTEN, OP_RESHAPE, OP_SQUEEZE, OP_UNSQUEEZE,   /* layout: row-major order kept */
    OP_TRANSPOSE,           /* layout: permutes the elements */
    OP_GATHER, OP_GATHER_ELEMENTS,
    OP_SHAPE, OP_SIZE,
    /* QONNX general ops (ir/ops_qonnx.c) */
    OP_QUANT,               /* Quant: scale, zero point, bit width */
    OP_INT_QUANT,           /* IntQuant: Quant's newer name */
    OP_BIPOLAR_QUANT,       /* BipolarQuant: sign to -1/+1, times scale */
    OP_TRUNC,               /* Trunc: drops low bits */
    OP_QONNX_MULTITHRESHOLD,    /* QONNX's float MultiThreshold */
    /* the integer graph (qonnxc domain, ir/ops_qonnxc_int.c, docs/integer-graph.md) */
    OP_INPUT_QUANT,         /* float input -> integers (input_quant_params) */
    OP_INT_MATMUL,          /* X [.., K] x W [K, N] (int_dot_params) */
    OP_INT_CONV,            /* integer convolution (int_dot_params) */
    OP_MULTITHRESHOLD,      /* integer thresholds (multithreshold_params) */
    OP_INT_MAXPOOL,         /* integer max-pool */
    OP_INT_ADD,             /* elementwise sum of two integer tensors */
    OP_INT_SCALED_ADD,      /* mul_a * A + mul_b * B (int_add_params) */
    OP_INT_SUM_POOL,        /* window sums, optionally shifted (sum_pool_params) */
    OP_OUTPUT_AFFINE,       /* integers -> float outputs: scale and bias */
} OpKind;

typedef struct OpDef {
    OpKind kind;
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

/* The node's resolved op kind, OP_UNKNOWN if n->op is not set. */
OpKind node_kind(const Node *n);

/* Reshape, Flatten, Squeeze, Unsqueeze and Identity: the output holds the
 * input's elements in the same row-major order; only the shape changes.
 * (Transpose, the other layout op, permutes them.) */
bool op_kind_keeps_order(OpKind kind);

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
