/* IntMaxPool (domain qonnxc): the maximum over each window of an integer
 * NCHW tensor (1 to 3 spatial dims), docs/integer-graph.md. Attributes as
 * MaxPool's: kernel_shape, strides, pads, dilations, auto_pad, ceil_mode.
 * Padding never wins; a window with no tap inside the input is an error
 * (the float MaxPool would give -FLT_MAX, which no integer means). */
#include "op_int.h"
#include "op_math.h"

static bool imp_geom(const OpCtx *ctx, const Node *n, const Shape *x, Window *w, Shape *out)
{
    return int_pool_window(ctx, n, w) && window_pool_shape(ctx, n, x, w, out);
}

static bool imp_check(const OpCtx *ctx, const Node *n)
{
    Window w;
    Shape out;
    return imp_geom(ctx, n, &n->inputs[0]->shape, &w, &out);
}

static bool imp_infer(const OpCtx *ctx, Node *n)
{
    Window w;
    Shape out;
    if (!imp_geom(ctx, n, &n->inputs[0]->shape, &w, &out))
        return false;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &out);
    return true;
}

static bool imp_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!int_need_int(ctx, n, in, 0, "X"))
        return false;
    const Value *x = in[0];
    Window w1, w;
    Shape shape;
    if (!imp_geom(ctx, n, &x->shape, &w1, &shape))
        return false;
    window_to_3d(&w1, &w);
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &shape);
    if (!y)
        return false;
    const int64_t IH = w.in[1], IW = w.in[2], plane = w.in[0] * IH * IW;
    int64_t planes = x->shape.dims[0] * x->shape.dims[1], o = 0;
    for (int64_t pl = 0; pl < planes; pl++)
        for (int64_t od = 0; od < w.out[0]; od++)
            for (int64_t oh = 0; oh < w.out[1]; oh++)
                for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                    int64_t s[3], t0[3], t1[3];
                    window_taps_at(&w, od, oh, ow, s, t0, t1);
                    bool any = false;
                    int64_t best = 0;
                    for (int64_t kd = t0[0]; kd < t1[0]; kd++)
                        for (int64_t kh = t0[1]; kh < t1[1]; kh++)
                            for (int64_t kw = t0[2]; kw < t1[2]; kw++) {
                                int64_t id = s[0] + kd * w.dilation[0];
                                int64_t ih = s[1] + kh * w.dilation[1];
                                int64_t iw = s[2] + kw * w.dilation[2];
                                int64_t v = x->i[pl * plane + (id * IH + ih) * IW + iw];
                                if (!any || v > best)
                                    best = v;
                                any = true;
                            }
                    if (!any) {
                        value_free(y);
                        return op_error(ctx, n, "output %lld has a window entirely in the "
                                        "padding", (long long)o);
                    }
                    y->i[o] = best;
                }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_maxpool = {
    OP_INT_MAXPOOL, "IntMaxPool", DOMAIN_QONNXC, 1, 1, 1, 1, imp_check, imp_infer, imp_eval,
};
