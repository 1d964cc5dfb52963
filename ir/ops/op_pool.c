/* Pooling: MaxPool (with the optional Indices output), AveragePool,
 * GlobalMaxPool and GlobalAveragePool, for 1 to 3 spatial dims.
 *
 * MaxPool and AveragePool take kernel_shape, strides, dilations, pads,
 * auto_pad and ceil_mode (see op_math.h for the output extent: with
 * ceil_mode a last window must start inside the input or its begin pad,
 * as in PyTorch and current ONNX). Padding never wins a max; AveragePool
 * divides by the number of taps inside the input, or with
 * count_include_pad=1 by the number inside the explicitly padded input.
 * A window with no tap inside the input gives the lowest value of the type
 * (MaxPool, index -1) or 0 (AveragePool). MaxPool also pools integral
 * tensors. */
#include <float.h>
#include <string.h>

#include "op_math.h"

typedef enum { POOL_MAX, POOL_AVG } PoolKind;

/* The lowest value of an integral element type (UINT64 held as int64: 0). */
static int64_t int_lowest(int elem_type)
{
    switch (elem_type) {
    case ET_INT8: return INT8_MIN;
    case ET_INT16: return INT16_MIN;
    case ET_INT32: return INT32_MIN;
    case ET_INT64: return INT64_MIN;
    default: return 0;
    }
}

/* Checks the pool's own attributes and reads its window; out is the
 * output shape (dims unknown where x's are). */
static bool pool_geom(const OpCtx *ctx, const Node *n, PoolKind kind, const Shape *x, Window *w,
                      Shape *out)
{
    out->rank = -1;
    const Attr *a = node_attr(n, kind == POOL_MAX ? "storage_order" : "count_include_pad");
    if (a && (a->kind != ATTR_INT || (a->i != 0 && a->i != 1)))
        return op_error(ctx, n, "attribute '%s' must be 0 or 1", a->name);
    a = node_attr(n, "kernel_shape");
    if (!a)
        return op_error(ctx, n, "attribute 'kernel_shape' is required");
    if (a->kind != ATTR_INTS)
        return op_error(ctx, n, "attribute 'kernel_shape' must be a list of ints");
    int nsp;
    op_attr_ints(n, "kernel_shape", &nsp);
    return window_pool_geom(ctx, n, nsp, x, w, out);
}

static bool pool_check(const OpCtx *ctx, const Node *n, PoolKind kind)
{
    Window w;
    Shape out;
    return pool_geom(ctx, n, kind, &n->inputs[0]->shape, &w, &out);
}

static bool pool_infer(const OpCtx *ctx, Node *n, PoolKind kind)
{
    Window w;
    Shape out;
    if ((kind == POOL_AVG && !math_infer_float(ctx, n, n->inputs[0], "X")) ||
        !pool_geom(ctx, n, kind, &n->inputs[0]->shape, &w, &out))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &out);
    op_set_output(n, 1, ET_INT64, &out);
    return true;
}

static bool pool_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                      PoolKind kind)
{
    if (!math_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    if (kind == POOL_AVG && !math_need_float(ctx, n, x, "X"))
        return false;
    Window w1, w;
    Shape shape;
    if (!pool_geom(ctx, n, kind, &x->shape, &w1, &shape))
        return false;
    window_to_3d(&w1, &w);
    bool want_idx = kind == POOL_MAX && n->n_outputs > 1 && n->outputs[1];
    bool include_pad = node_attr_int(n, "count_include_pad", 0) == 1;
    bool col_major = node_attr_int(n, "storage_order", 0) == 1;
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    Value *idx = y && want_idx ? op_new_value(ctx, n, ET_INT64, &shape) : NULL;
    if (!y || (want_idx && !idx)) {
        value_free(y);
        return false;
    }
    const int64_t ID = w.in[0], IH = w.in[1], IW = w.in[2];
    int64_t planes = x->shape.dims[0] * x->shape.dims[1], plane = ID * IH * IW, o = 0;
    for (int64_t pl = 0; pl < planes; pl++)
        for (int64_t od = 0; od < w.out[0]; od++)
            for (int64_t oh = 0; oh < w.out[1]; oh++)
                for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                    int64_t s[3], t0[3], t1[3];
                    window_taps_at(&w, od, oh, ow, s, t0, t1);
                    int64_t count = 1, padded = 1;
                    for (int d = 0; d < 3; d++) {
                        int64_t p0, p1;
                        window_tap_range(s[d], w.kernel[d], w.dilation[d], -w.pad_begin[d],
                                         w.in[d] + w.pad_end[d], &p0, &p1);
                        count *= t1[d] - t0[d];
                        padded *= p1 - p0;
                    }
                    float fsum = 0.0f, fmax = -FLT_MAX;
                    int64_t imax = INT64_MIN, best = -1;
                    for (int64_t kd = t0[0]; kd < t1[0]; kd++) {
                        int64_t id = s[0] + kd * w.dilation[0];
                        for (int64_t kh = t0[1]; kh < t1[1]; kh++) {
                            int64_t ih = s[1] + kh * w.dilation[1];
                            for (int64_t kw = t0[2]; kw < t1[2]; kw++) {
                                int64_t iw = s[2] + kw * w.dilation[2];
                                int64_t k = (id * IH + ih) * IW + iw;
                                if (kind == POOL_AVG) {
                                    fsum += x->f[pl * plane + k];
                                } else if (x->f) {
                                    float v = x->f[pl * plane + k];
                                    if (best < 0 || v > fmax) {
                                        fmax = v;
                                        best = col_major ? (iw * IH + ih) * ID + id : k;
                                    }
                                } else {
                                    int64_t v = x->i[pl * plane + k];
                                    if (best < 0 || v > imax) {
                                        imax = v;
                                        best = col_major ? (iw * IH + ih) * ID + id : k;
                                    }
                                }
                            }
                        }
                    }
                    if (kind == POOL_AVG) {
                        int64_t div = include_pad ? padded : count;
                        y->f[o] = div ? fsum / (float)div : 0.0f;
                    } else if (y->f) {
                        y->f[o] = fmax;
                    } else {
                        y->i[o] = best < 0 ? int_lowest(x->elem_type) : imax;
                    }
                    if (idx)
                        idx->i[o] = best < 0 ? -1 : pl * plane + best;
                }
    out[0] = y;
    if (want_idx)
        out[1] = idx;
    return true;
}

static bool maxpool_check(const OpCtx *ctx, const Node *n) { return pool_check(ctx, n, POOL_MAX); }
static bool maxpool_infer(const OpCtx *ctx, Node *n) { return pool_infer(ctx, n, POOL_MAX); }
static bool maxpool_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return pool_eval(ctx, n, in, out, POOL_MAX);
}
static bool avgpool_check(const OpCtx *ctx, const Node *n) { return pool_check(ctx, n, POOL_AVG); }
static bool avgpool_infer(const OpCtx *ctx, Node *n) { return pool_infer(ctx, n, POOL_AVG); }
static bool avgpool_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return pool_eval(ctx, n, in, out, POOL_AVG);
}

const OpDef op_maxpool = {
    OP_MAXPOOL, "MaxPool", DOMAIN_ONNX, 1, 1, 1, 2, maxpool_check, maxpool_infer, maxpool_eval,
};
const OpDef op_averagepool = {
    OP_AVERAGEPOOL, "AveragePool", DOMAIN_ONNX, 1, 1, 1, 1, avgpool_check, avgpool_infer, avgpool_eval,
};

/* ---- global pools ------------------------------------------------------ */

/* N x C x D1 ... -> N x C x 1 ...: one value per (image, channel). */
static bool global_shape(const OpCtx *ctx, const Node *n, const Shape *x, Shape *out)
{
    *out = *x;
    if (x->rank < 0)
        return true;
    if (x->rank < 2)
        return op_error(ctx, n, "X has rank %d; N x C x ... (rank >= 2) is expected", x->rank);
    for (int d = 2; d < x->rank; d++)
        out->dims[d] = 1;
    return true;
}

static bool global_infer(const OpCtx *ctx, Node *n, PoolKind kind)
{
    Shape out;
    if ((kind == POOL_AVG && !math_infer_float(ctx, n, n->inputs[0], "X")) ||
        !global_shape(ctx, n, &n->inputs[0]->shape, &out))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &out);
    return true;
}

static bool global_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                        PoolKind kind)
{
    if (!math_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    Shape shape;
    if ((kind == POOL_AVG && !math_need_float(ctx, n, x, "X")) ||
        !global_shape(ctx, n, &x->shape, &shape))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    int64_t planes = y->count, plane = planes ? x->count / planes : 0;
    for (int64_t pl = 0; pl < planes; pl++) {
        if (x->f) {
            const float *p = x->f + pl * plane;
            float acc = kind == POOL_AVG ? 0.0f : -FLT_MAX;
            for (int64_t j = 0; j < plane; j++) {
                if (kind == POOL_AVG)
                    acc += p[j];
                else if (p[j] > acc || j == 0)
                    acc = p[j];
            }
            y->f[pl] = kind == POOL_AVG ? (plane ? acc / (float)plane : 0.0f) : acc;
        } else {
            const int64_t *p = x->i + pl * plane;
            int64_t acc = int_lowest(x->elem_type);
            for (int64_t j = 0; j < plane; j++)
                if (p[j] > acc || j == 0)
                    acc = p[j];
            y->i[pl] = acc;
        }
    }
    out[0] = y;
    return true;
}

static bool gmaxpool_infer(const OpCtx *ctx, Node *n) { return global_infer(ctx, n, POOL_MAX); }
static bool gmaxpool_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return global_eval(ctx, n, in, out, POOL_MAX);
}
static bool gavgpool_infer(const OpCtx *ctx, Node *n) { return global_infer(ctx, n, POOL_AVG); }
static bool gavgpool_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return global_eval(ctx, n, in, out, POOL_AVG);
}

const OpDef op_globalmaxpool = {
    OP_GLOBALMAXPOOL, "GlobalMaxPool", DOMAIN_ONNX, 1, 1, 1, 1, NULL, gmaxpool_infer, gmaxpool_eval,
};
const OpDef op_globalaveragepool = {
    OP_GLOBALAVERAGEPOOL, "GlobalAveragePool", DOMAIN_ONNX, 1, 1, 1, 1, NULL, gavgpool_infer, gavgpool_eval,
};
