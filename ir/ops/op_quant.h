/* The numerics the QONNX quantizers share (Quant/IntQuant in op_quant.c,
 * Trunc in op_trunc.c, BipolarQuant in op_bipolar_quant.c), and that the
 * streamlining passes need to turn a quantizer into integers: rounding
 * modes, integer ranges, and the validation of the constant parameter
 * inputs (scale, zero point, bit width).
 *
 * Every function that can fail reports through the op context with an
 * error naming the node, and returns false. */
#ifndef QONNXC_OP_QUANT_H
#define QONNXC_OP_QUANT_H

#include "op_util.h"

/* QONNX rounding modes (attribute rounding_mode, any letter case). On a
 * tie (a value exactly halfway between two integers):
 *
 *   mode        -2.5 -1.5 -0.5 +0.5 +1.5 +2.5   not a tie
 *   HALF_EVEN    -2   -2   -0   +0   +2   +2    nearest integer
 *   HALF_UP      -3   -2   -1   +1   +2   +3    nearest integer
 *   HALF_DOWN    -2   -1   -0   +0   +1   +2    nearest integer
 *   CEIL         -2   -1   -0   +1   +2   +3    toward +inf
 *   FLOOR        -3   -2   -1   +0   +1   +2    toward -inf
 *   UP           -3   -2   -1   +1   +2   +3    away from zero
 *   DOWN         -2   -1   -0   +0   +1   +2    toward zero
 *
 * "ROUND" is HALF_EVEN (numpy's and ONNX Round's rule); Brevitas'
 * "ROUND_TO_ZERO" is DOWN. HALF_UP and HALF_DOWN are "half away from zero"
 * and "half toward zero" (qonnx's definitions), not "toward +/-inf". */
typedef enum {
    QROUND_HALF_EVEN,
    QROUND_HALF_UP,
    QROUND_HALF_DOWN,
    QROUND_CEIL,
    QROUND_FLOOR,
    QROUND_UP,
    QROUND_DOWN,
} QonnxRounding;

/* Parses a mode name; false for an unknown one. */
bool qonnx_rounding_parse(const char *name, QonnxRounding *out);
const char *qonnx_rounding_name(QonnxRounding mode);
/* y rounded to an integer-valued float by `mode`; exact for every float
 * (no y + 0.5 tricks), NaN and infinities pass through. */
float qonnx_round(float y, QonnxRounding mode);

/* Reads attribute rounding_mode (default dflt); an error names the node
 * and the mode if it is not a string or not a known mode. */
bool qonnx_rounding_attr(const OpCtx *ctx, const Node *n, QonnxRounding dflt,
                         QonnxRounding *out);
/* Reads a 0/1 integer attribute (signed, narrow) with a default. */
bool qonnx_flag_attr(const OpCtx *ctx, const Node *n, const char *name, bool dflt, bool *out);

/* A Trunc with per-tensor constant parameters as an integer shift
 * (op_trunc.c): out = (round(q / 2^shift, rounding) - zeropt) * out_scale
 * for the input integer q = x / scale + zeropt, before any clamping
 * (version 2 clamps to out_bits; callers check against the golden eval). */
typedef struct TruncIntForm {
    int version;              /* 1 or 2 */
    QonnxRounding rounding;
    int shift;                /* bits dropped */
    int in_bits, out_bits;
    float scale, zeropt;      /* the input's */
    float out_scale;          /* version 1: scale; version 2: the out_scale input */
} TruncIntForm;
bool trunc_int_form(const OpCtx *ctx, const Node *n, TruncIntForm *f);

/* A Quant (or IntQuant) node's constant parameters as its eval reads them,
 * checked (op_quant.c): for passes that rewrite the node (the QCDQ export). */
typedef struct QuantParams {
    bool is_signed, narrow;
    QonnxRounding rounding;
    int bits;
    const Value *scale, *zeropt;   /* the node's constant inputs 1 and 2 */
} QuantParams;
bool quant_params(const OpCtx *ctx, const Node *n, QuantParams *p);

/* The same for a Trunc node (op_trunc.c). out_scale is NULL for version 1. */
typedef struct TruncParams {
    int version;
    QonnxRounding rounding;
    bool is_signed, narrow;        /* version 2 only; version 1 does not clamp */
    int in_bits, out_bits;
    const Value *scale, *zeropt, *out_scale;
} TruncParams;
bool trunc_params(const OpCtx *ctx, const Node *n, TruncParams *p);
/* Version 2's divisor: 2^round_half_even(log2(out_scale / scale)), in
 * float32 exactly as trunc's eval computes it. */
float trunc_v2_divisor(float out_scale, float scale);

/* The integer range of `bits` bits (1..32):
 *   signed            -2^(b-1)     .. 2^(b-1) - 1
 *   signed, narrow    -2^(b-1) + 1 .. 2^(b-1) - 1
 *   unsigned           0           .. 2^b - 1
 *   unsigned, narrow   0           .. 2^b - 2
 * (a 1-bit signed Quant does not use this range: see op_quant.c). */
void qonnx_int_range(int bits, bool is_signed, bool narrow, int64_t *min, int64_t *max);

/* Error unless input k is a constant, or computed from constants only (so
 * constant folding will make it one): "<op> needs a constant <what>". */
bool qonnx_need_constant(const OpCtx *ctx, const Node *n, int k, const char *what);

/* A bit width: one element, integer-valued, 1..32. */
bool qonnx_bit_width(const OpCtx *ctx, const Node *n, const Value *v, const char *what,
                     int *bits);
/* Every element finite and > 0. */
bool qonnx_check_scale(const OpCtx *ctx, const Node *n, const Value *v, const char *what);
/* Every element finite. */
bool qonnx_check_finite(const OpCtx *ctx, const Node *n, const Value *v, const char *what);
/* Error unless a parameter of shape p broadcasts to x's shape without
 * growing it (per-tensor: one element; per-channel: e.g. [C, 1, 1] against
 * [N, C, H, W]). Unknown shapes pass. */
bool qonnx_param_fits(const OpCtx *ctx, const Node *n, const Shape *x, const Shape *p,
                      const char *what);

/* Elementwise access to a broadcast parameter while walking x in
 * row-major order: qonnx_param_at(&p, k) is the parameter element that
 * numpy broadcasting pairs with x's flat element k. */
typedef struct QonnxParam {
    const Value *v;
    const Shape *x;
    bool single;                 /* one element: no index arithmetic */
    int64_t strides[MAX_RANK];
} QonnxParam;

void qonnx_param_init(QonnxParam *p, const Value *v, const Shape *x);
float qonnx_param_at(const QonnxParam *p, int64_t k);

/* Output element type of a QONNX op on x: x's if it is a float type, else
 * float32 (the ops always compute in float). */
int qonnx_out_type(int x_elem_type);
/* infer for the QONNX ops: output 0 has x's shape and qonnx_out_type. */
bool qonnx_infer_like_x(const OpCtx *ctx, Node *n);

#endif
