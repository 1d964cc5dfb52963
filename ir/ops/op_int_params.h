/* Reading the integer graph: one accessor per integer op, decoding its
 * attributes and constant inputs once (docs/integer-graph.md, "Reading the
 * integer graph").
 *
 * The op's own check and eval (the int engine) go through the same
 * accessor as every backend (ref/mcu/npu emitters, the dataflow lowering),
 * so the semantics and the code generated from it read one set of
 * parameters. Each accessor fails with an error naming the node (through
 * ctx) when the node is not of its kind or its attributes are malformed;
 * on a verified integer graph it succeeds. Target-specific limits (no
 * grouped convolutions, 2-D windows only, ...) stay with the target. */
#ifndef QONNXC_OP_INT_PARAMS_H
#define QONNXC_OP_INT_PARAMS_H

#include "op_math.h"
#include "op_quant.h"
#include "ops.h"

/* ---- IntMatMul and IntConv ------------------------------------------- */

typedef struct IntDot {
    bool conv;              /* IntConv; else IntMatMul */
    bool xnor;              /* X and W only -1/+1, out = matching positions */
    const Tensor *x, *w, *y;    /* X, the weights W, the output (accumulators) */
    int64_t in_c, out_c;    /* channels of X and of the output (IntMatMul: K, N) */
    int64_t groups;         /* IntConv's group (1 for IntMatMul) */
    int64_t cg, og;         /* per group: input and output channels */
    int64_t k;              /* inputs per output: cg times the kernel's positions, or K */
    Window win;             /* IntConv: kernel, strides, dilations, pads (window_read:
                             * win.in / win.out are not set) */
} IntDot;

/* IntMatMul (W [K, N]) or IntConv (W [O, C/group, k1, ...]): everything
 * but X's spatial extents, from the attributes and W's shape. */
bool int_dot_params(const OpCtx *ctx, const Node *n, IntDot *out);

/* ---- MultiThreshold (the integer one) ---------------------------------- */

typedef struct MultiThresholdParams {
    const Tensor *x, *thresholds, *y;   /* X, T [C or 1, L], the output */
    int64_t out_scale, out_bias;        /* out = out_bias + out_scale * count(X >= T[c]) */
    int64_t channel_axis;               /* as given (default 1; negative counts from the end) */
} MultiThresholdParams;

/* The attributes (checked: ints, out_scale and out_bias in range) and the
 * tensors. T's values and the axis against X's shape are the op's check. */
bool multithreshold_params(const OpCtx *ctx, const Node *n, MultiThresholdParams *out);

/* ---- IntAdd and IntScaledAdd -------------------------------------------- */

typedef struct IntAddParams {
    const Tensor *a, *b, *y;    /* A, B, the output */
    int64_t mul_a, mul_b;       /* out = mul_a * A + mul_b * B (IntAdd: 1, 1) */
} IntAddParams;

bool int_add_params(const OpCtx *ctx, const Node *n, IntAddParams *out);

/* ---- IntSumPool -------------------------------------------------------- */

typedef struct SumPoolParams {
    const Tensor *x, *y;        /* X, the output */
    Window win;                 /* kernel, strides, dilations, pads (win.in/out not set) */
    int shift;                  /* 0: the plain sum; else round(sum / 2^shift) */
    QonnxRounding rounding;     /* with shift: the Trunc's rounding mode */
} SumPoolParams;

/* The window, shift and rounding mode (checked), and the tensors. */
bool sum_pool_params(const OpCtx *ctx, const Node *n, SumPoolParams *out);

/* ---- OutputAffine -------------------------------------------------------- */

typedef struct OutputAffineParams {
    const Tensor *x, *a, *b, *y;    /* X, the scale A and bias B (float, 1-D), the output */
    int64_t channel_axis;           /* as given (default 1; negative counts from the end) */
} OutputAffineParams;

/* The attribute (checked: an int) and the tensors. A's and B's values and
 * the axis against X's shape are the op's check. */
bool output_affine_params(const OpCtx *ctx, const Node *n, OutputAffineParams *out);

/* ---- InputQuant -------------------------------------------------------- */

#define INPUT_QUANT_MAX_STEPS 16

typedef enum { IQ_STEP_MUL, IQ_STEP_ADD, IQ_STEP_SUB, IQ_STEP_DIV } InputQuantStep;
typedef enum {
    IQ_QUANT,       /* Quant: round(v / scale + zeropt), clamped, minus zeropt */
    IQ_BIPOLAR,     /* BipolarQuant: v >= 0 ? +1 : -1 */
    IQ_INTEGER,     /* v itself, an integer of the input's datatype */
} InputQuantMode;

typedef struct InputQuantParams {
    InputQuantMode mode;
    int n_steps;                                  /* step k applies constant input 1 + k */
    InputQuantStep steps[INPUT_QUANT_MAX_STEPS];
    int scale_input, zeropt_input;                /* IQ_QUANT: their input indices, else -1 */
    int bits;                                     /* IQ_QUANT: Quant's attributes */
    bool is_signed, narrow;
    QonnxRounding rounding;
} InputQuantParams;

/* The mode, the steps and the quantizer's attributes; the number of
 * inputs is checked against them. The constants' values are not read. */
bool input_quant_params(const OpCtx *ctx, const Node *n, InputQuantParams *out);
/* "mul", "add", "sub" or "div", as the steps attribute spells it. */
const char *input_quant_step_name(InputQuantStep step);

#endif
