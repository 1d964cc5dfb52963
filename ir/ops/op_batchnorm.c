/* BatchNormalization, inference form: per channel c of X (N x C x ...),
 *   y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + B[c]
 * in float32, literally as ONNX specifies. Training mode (training_mode=1,
 * or the running-statistics outputs) and the pre-opset-9 per-activation
 * form (spatial=0) are rejected. */
#include <math.h>

#include "op_math.h"

static const char *const bn_param_names[] = { "X", "scale", "B", "input_mean", "input_var" };

static bool bn_check(const OpCtx *ctx, const Node *n)
{
    const Attr *a = node_attr(n, "training_mode");
    if (a && (a->kind != ATTR_INT || (a->i != 0 && a->i != 1)))
        return op_error(ctx, n, "attribute 'training_mode' must be 0 or 1");
    if (a && a->i == 1)
        return op_error(ctx, n, "training_mode=1 is not supported: only inference "
                        "BatchNormalization (running statistics) can be executed");
    a = node_attr(n, "spatial");
    if (a && (a->kind != ATTR_INT || a->i != 1))
        return op_error(ctx, n, "spatial=0 (per-activation statistics) is not supported");
    a = node_attr(n, "epsilon");
    if (a && a->kind != ATTR_FLOAT)
        return op_error(ctx, n, "attribute 'epsilon' must be a float");
    for (int k = 1; k < n->n_outputs; k++)
        if (n->outputs[k])
            return op_error(ctx, n, "output %d (a training statistic) is not supported; only "
                            "inference BatchNormalization can be executed", k);
    return true;
}

/* Channel count of X, checked against the four parameter vectors; -1 when
 * unknown. */
static bool bn_shapes(const OpCtx *ctx, const Node *n, const Shape *const shapes[5], int64_t *c)
{
    *c = -1;
    const Shape *x = shapes[0];
    if (x->rank >= 0 && x->rank < 2)
        return op_error(ctx, n, "X has rank %d; N x C x ... (rank >= 2) is expected", x->rank);
    if (x->rank >= 2)
        *c = x->dims[1];
    for (int k = 1; k < 5; k++) {
        const Shape *s = shapes[k];
        if (!s || s->rank < 0)
            continue;
        if (s->rank != 1 || (*c >= 0 && s->dims[0] >= 0 && s->dims[0] != *c)) {
            char buf[96];
            return op_error(ctx, n, "%s has shape %s; [%lld] (one per channel) is expected",
                            bn_param_names[k], shape_str(s, buf, sizeof buf), (long long)*c);
        }
    }
    return true;
}

static bool bn_infer(const OpCtx *ctx, Node *n)
{
    const Shape *shapes[5];
    for (int k = 0; k < 5; k++) {
        if (!math_infer_float(ctx, n, n->inputs[k], bn_param_names[k]))
            return false;
        shapes[k] = &n->inputs[k]->shape;
    }
    int64_t c;
    if (!bn_shapes(ctx, n, shapes, &c))
        return false;
    return infer_same_as_input0(ctx, n);
}

static bool bn_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!bn_check(ctx, n))
        return false;
    const Shape *shapes[5];
    for (int k = 0; k < 5; k++) {
        if (!math_need_input(ctx, n, in, k) || !math_need_float(ctx, n, in[k], bn_param_names[k]))
            return false;
        shapes[k] = &in[k]->shape;
    }
    int64_t c;
    if (!bn_shapes(ctx, n, shapes, &c))
        return false;
    const Value *x = in[0];
    const float *scale = in[1]->f, *bias = in[2]->f, *mean = in[3]->f, *var = in[4]->f;
    float eps = node_attr_float(n, "epsilon", 1e-5f);
    Value *y = op_new_value(ctx, n, x->elem_type, &x->shape);
    if (!y)
        return false;
    int64_t plane = 1, batch = x->shape.dims[0];
    for (int d = 2; d < x->shape.rank; d++)
        plane *= x->shape.dims[d];
    for (int64_t img = 0; img < batch; img++)
        for (int64_t ch = 0; ch < c; ch++) {
            float m = mean[ch], s = sqrtf(var[ch] + eps), g = scale[ch], b = bias[ch];
            const float *xp = x->f + (img * c + ch) * plane;
            float *yp = y->f + (img * c + ch) * plane;
            for (int64_t j = 0; j < plane; j++)
                yp[j] = (xp[j] - m) / s * g + b;
        }
    out[0] = y;
    return true;
}

const OpDef op_batchnorm = {
    OP_BATCHNORM, "BatchNormalization", DOMAIN_ONNX, 5, 5, 1, 5, bn_check, bn_infer, bn_eval,
};
