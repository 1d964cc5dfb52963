/* ONNX QuantizeLinear and DequantizeLinear (opset 10; axis from 13), the
 * standard pair `qonnxc export --format qcdq` writes a QONNX Quant as, so
 * the golden executor can run an exported model and be compared with the
 * original exactly.
 *
 * QuantizeLinear(x, y_scale, y_zero_point = uint8 0), per element in float32:
 *     y = saturate(round_half_even(x / y_scale) + y_zero_point)
 * saturated to the range of the zero point's type (INT8 or UINT8; INT16
 * and UINT16 from opset 21), which is the output type. ONNX Runtime
 * computes it the same way: a float32 division, then round to nearest even;
 * a NaN becomes the low end of the range.
 *
 * DequantizeLinear(x, x_scale, x_zero_point = 0), per element:
 *     y = (x - x_zero_point) * x_scale        the subtraction in integers
 * x INT8, UINT8, INT16, UINT16 or INT32; y float32.
 *
 * Scale and zero point are one value for the tensor (a scalar or one
 * element), or 1-D along `axis` (default 1, negative counts from the end):
 * one value per index of that axis. Zero point and scale must agree in
 * shape; the zero point's type is the output's (QuantizeLinear) or the
 * input's (DequantizeLinear). */
#include <math.h>

#include "op_quant.h"

/* The integer range of a quantized element type; false if not one. */
static bool quantized_range(int et, int64_t *lo, int64_t *hi)
{
    switch (et) {
    case ET_INT8: *lo = -128; *hi = 127; return true;
    case ET_UINT8: *lo = 0; *hi = 255; return true;
    case ET_INT16: *lo = -32768; *hi = 32767; return true;
    case ET_UINT16: *lo = 0; *hi = 65535; return true;
    case ET_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    default: return false;
    }
}

/* Where the parameters of element k of x are: per tensor (param_axis < 0)
 * or along one axis of x. */
typedef struct LinearParams {
    int axis;            /* -1: one value for the tensor */
    int64_t inner;       /* product of x's dims after the axis */
    int64_t extent;      /* x's dim at the axis */
} LinearParams;

static int64_t param_index(const LinearParams *p, int64_t k)
{
    return p->axis < 0 ? 0 : (k / p->inner) % p->extent;
}

/* Checks scale (input 1) and zero point (input 2, may be NULL) against x
 * and works out the layout. */
static bool linear_params(const OpCtx *ctx, const Node *n, const Value *x, const Value *scale,
                          const Value *zp, LinearParams *p)
{
    if (!elem_type_is_float(scale->elem_type))
        return op_error(ctx, n, "the scale must be a float tensor, not %s",
                        elem_type_name(scale->elem_type));
    if (zp && zp->count != scale->count)
        return op_error(ctx, n, "the zero point has %lld elements and the scale %lld; they "
                        "must agree", (long long)zp->count, (long long)scale->count);
    p->axis = -1;
    p->inner = 1;
    p->extent = 1;
    if (scale->count == 1 && scale->shape.rank <= 1)
        return true;
    if (scale->shape.rank != 1)
        return op_error(ctx, n, "the scale must be a scalar or 1-D, not of rank %d",
                        scale->shape.rank);
    if (!op_axis(ctx, n, node_attr_int(n, "axis", 1), x->shape.rank, &p->axis))
        return false;
    p->extent = x->shape.dims[p->axis];
    if (p->extent != scale->count)
        return op_error(ctx, n, "the scale has %lld elements but axis %d of the input has %lld",
                        (long long)scale->count, p->axis, (long long)p->extent);
    for (int d = p->axis + 1; d < x->shape.rank; d++)
        p->inner *= x->shape.dims[d];
    return true;
}

/* ---- QuantizeLinear ---- */

static int quantize_out_type(const Node *n)
{
    const Tensor *zp = n->n_inputs > 2 ? n->inputs[2] : NULL;
    return zp ? zp->elem_type : ET_UINT8;
}

static bool quantize_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, quantize_out_type(n), &n->inputs[0]->shape);
    return true;
}

static bool quantize_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    const Value *x = in[0], *scale = in[1], *zp = n->n_inputs > 2 ? in[2] : NULL;
    if (!x || !scale)
        return op_error(ctx, n, "needs the input and the scale");
    int out_type = zp ? zp->elem_type : ET_UINT8;
    int64_t lo, hi;
    if (!quantized_range(out_type, &lo, &hi) || out_type == ET_INT32)
        return op_error(ctx, n, "the zero point's type %s is not INT8, UINT8, INT16 or UINT16",
                        elem_type_name(out_type));
    if (!x->f)
        return op_error(ctx, n, "the input must be a float tensor, not %s",
                        elem_type_name(x->elem_type));
    LinearParams p;
    if (!linear_params(ctx, n, x, scale, zp, &p))
        return false;
    Value *y = op_new_value(ctx, n, out_type, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        int64_t at = param_index(&p, k);
        float q = qonnx_round(x->f[k] / scale->f[at], QROUND_HALF_EVEN);
        double v = (double)q + (zp ? (double)zp->i[at] : 0.0);
        v = v < (double)lo ? (double)lo : v;
        v = v > (double)hi ? (double)hi : v;
        /* NaN gives lo, as in ONNX Runtime (its SSE max/min return the bound) */
        y->i[k] = isnan(v) ? lo : (int64_t)v;
    }
    out[0] = y;
    return true;
}

const OpDef op_quantize_linear = {
    OP_QUANTIZE_LINEAR, "QuantizeLinear", DOMAIN_ONNX, 2, 3, 1, 1, NULL, quantize_infer,
    quantize_eval,
};

/* ---- DequantizeLinear ---- */

static bool dequantize_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    const Tensor *scale = n->inputs[1];
    int et = scale->elem_type != ET_UNDEFINED ? scale->elem_type : ET_FLOAT;
    op_set_output(n, 0, et, &n->inputs[0]->shape);
    return true;
}

static bool dequantize_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    const Value *x = in[0], *scale = in[1], *zp = n->n_inputs > 2 ? in[2] : NULL;
    if (!x || !scale)
        return op_error(ctx, n, "needs the input and the scale");
    int64_t lo, hi;
    if (!quantized_range(x->elem_type, &lo, &hi))
        return op_error(ctx, n, "the input's type %s is not INT8, UINT8, INT16, UINT16 or INT32",
                        elem_type_name(x->elem_type));
    if (zp && zp->elem_type != x->elem_type)
        return op_error(ctx, n, "the zero point is %s but the input is %s",
                        elem_type_name(zp->elem_type), elem_type_name(x->elem_type));
    LinearParams p;
    if (!linear_params(ctx, n, x, scale, zp, &p))
        return false;
    Value *y = op_new_value(ctx, n, ET_FLOAT, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        int64_t at = param_index(&p, k);
        int64_t centered = x->i[k] - (zp ? zp->i[at] : 0);
        y->f[k] = (float)centered * scale->f[at];
    }
    out[0] = y;
    return true;
}

const OpDef op_dequantize_linear = {
    OP_DEQUANTIZE_LINEAR, "DequantizeLinear", DOMAIN_ONNX, 2, 3, 1, 1, NULL, dequantize_infer,
    dequantize_eval,
};
