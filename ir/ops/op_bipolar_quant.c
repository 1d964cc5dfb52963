/* QONNX BipolarQuant: 1-bit quantization to {-scale, +scale}.
 *
 * Inputs: x, scale (no attributes). scale is per tensor or per channel (a
 * shape that broadcasts to x without growing it), constant, positive and
 * finite, like Quant's. For each element, in float32:
 *
 *     out = (x >= 0 ? +1 : -1) * scale
 *
 * so 0 and -0 map to +scale and NaN to -scale (a NaN compares false), as
 * in qonnx's reference (custom_op/general/bipolar_quant.py) and in ONNX
 * Runtime's GreaterOrEqual + Where rewrite. Brevitas exports its 1-bit
 * signed quantizers as this op; a 1-bit signed Quant computes the same
 * when its zero point is 0 (see op_quant.c). */
#include "op_quant.h"

static bool bipolar_check(const OpCtx *ctx, const Node *n)
{
    if (!qonnx_need_constant(ctx, n, 1, "scale"))
        return false;
    const Value *scale = n->inputs[1]->value;
    if (!scale)
        return true;   /* folded later; eval checks the value */
    return qonnx_check_scale(ctx, n, scale, "scale") &&
           qonnx_param_fits(ctx, n, &n->inputs[0]->shape, &scale->shape, "scale");
}

static bool bipolar_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (n->n_inputs < 2 || !in[0] || !in[1])
        return op_error(ctx, n, "needs the input and the scale");
    const Value *x = in[0];
    if (!qonnx_check_scale(ctx, n, in[1], "scale") ||
        !qonnx_param_fits(ctx, n, &x->shape, &in[1]->shape, "scale"))
        return false;
    Value *y = op_new_value(ctx, n, qonnx_out_type(x->elem_type), &x->shape);
    if (!y)
        return false;
    QonnxParam scale;
    qonnx_param_init(&scale, in[1], &x->shape);
    for (int64_t k = 0; k < x->count; k++) {
        float xv = x->f ? x->f[k] : (float)x->i[k];
        float sign = xv >= 0.0f ? 1.0f : -1.0f;
        y->f[k] = sign * qonnx_param_at(&scale, k);
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnx_bipolar_quant = {
    OP_BIPOLAR_QUANT, "BipolarQuant", DOMAIN_QONNX, 2, 2, 1, 1, bipolar_check, qonnx_infer_like_x, bipolar_eval,
};
