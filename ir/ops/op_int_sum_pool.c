/* IntSumPool (domain qonnxc): the sum over each window of an integer NCHW
 * tensor (1 to 3 spatial dims), optionally shifted right with a QONNX
 * rounding mode, docs/integer-graph.md. It is an average pool's integer
 * form: the streamliner keeps the division by the window's area as a float
 * step before thresholds, or, for Brevitas' TruncAvgPool2d (pool, Mul by
 * the area, Trunc), folds the Trunc into `shift` and `rounding_mode`.
 *
 * Attributes: kernel_shape, strides, pads, dilations, auto_pad, ceil_mode
 * (as AveragePool's); shift (default 0) and rounding_mode (default FLOOR).
 *
 *   s   = sum of the taps inside the input (a padded tap contributes 0)
 *   out = s                                   when shift == 0
 *       = round(s / 2^shift, rounding_mode)   otherwise
 *
 * The rounding is op_quant.c's qonnx_round, the golden Trunc's own: s and
 * s / 2^shift are exact in float32 while |s| < 2^24, which the eval checks
 * (the streamliner only builds sums that fit, from their datatypes). */
#include <math.h>
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"

#define SUM_POOL_EXACT_LIMIT ((int64_t)1 << 24)

bool sum_pool_params(const OpCtx *ctx, const Node *n, SumPoolParams *p)
{
    memset(p, 0, sizeof *p);
    if (node_kind(n) != OP_INT_SUM_POOL)
        return op_error(ctx, n, "is not an IntSumPool");
    p->x = n->inputs[0];
    p->y = n->outputs[0];
    if (!int_pool_window(ctx, n, &p->win))
        return false;
    const Attr *sh = node_attr(n, "shift");
    if (sh && (sh->kind != ATTR_INT || sh->i < 0 || sh->i > 30))
        return op_error(ctx, n, "attribute 'shift' must be an int in 0..30");
    p->shift = sh ? (int)sh->i : 0;
    return qonnx_rounding_attr(ctx, n, QROUND_FLOOR, &p->rounding);
}

static bool isp_geom(const OpCtx *ctx, const Node *n, const Shape *x, SumPoolParams *p,
                     Shape *out)
{
    return sum_pool_params(ctx, n, p) && window_pool_shape(ctx, n, x, &p->win, out);
}

static bool isp_check(const OpCtx *ctx, const Node *n)
{
    SumPoolParams p;
    Shape out;
    return isp_geom(ctx, n, &n->inputs[0]->shape, &p, &out);
}

static bool isp_infer(const OpCtx *ctx, Node *n)
{
    SumPoolParams p;
    Shape out;
    if (!isp_geom(ctx, n, &n->inputs[0]->shape, &p, &out))
        return false;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &out);
    return true;
}

/* The sum of window (s) of plane pl; taps outside the input are skipped. */
static int64_t window_sum(const Value *x, int64_t pl, const Window *w, const int64_t s[3])
{
    const int64_t IH = w->in[1], IW = w->in[2], plane = w->in[0] * IH * IW;
    int64_t sum = 0;
    for (int64_t kd = 0; kd < w->kernel[0]; kd++) {
        int64_t id = s[0] + kd * w->dilation[0];
        for (int64_t kh = 0; kh < w->kernel[1]; kh++) {
            int64_t ih = s[1] + kh * w->dilation[1];
            for (int64_t kw = 0; kw < w->kernel[2]; kw++) {
                int64_t iw = s[2] + kw * w->dilation[2];
                if (id >= 0 && id < w->in[0] && ih >= 0 && ih < IH && iw >= 0 && iw < IW)
                    sum += x->i[pl * plane + (id * IH + ih) * IW + iw];
            }
        }
    }
    return sum;
}

static bool isp_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!int_need_int(ctx, n, in, 0, "X"))
        return false;
    const Value *x = in[0];
    SumPoolParams p;
    Shape shape;
    if (!isp_geom(ctx, n, &x->shape, &p, &shape))
        return false;
    Window w;
    window_to_3d(&p.win, &w);
    int64_t taps = w.kernel[0] * w.kernel[1] * w.kernel[2];
    if (!int_check_acc_bound(ctx, n, int_max_abs(x), taps))
        return false;
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &shape);
    if (!y)
        return false;
    const float divisor = ldexpf(1.0f, p.shift);
    int64_t planes = x->shape.dims[0] * x->shape.dims[1], o = 0;
    for (int64_t pl = 0; pl < planes; pl++)
        for (int64_t od = 0; od < w.out[0]; od++)
            for (int64_t oh = 0; oh < w.out[1]; oh++)
                for (int64_t ow = 0; ow < w.out[2]; ow++, o++) {
                    int64_t s[3] = { od * w.stride[0] - w.pad_begin[0],
                                     oh * w.stride[1] - w.pad_begin[1],
                                     ow * w.stride[2] - w.pad_begin[2] };
                    int64_t sum = window_sum(x, pl, &w, s);
                    if (p.shift && (sum >= SUM_POOL_EXACT_LIMIT || sum <= -SUM_POOL_EXACT_LIMIT)) {
                        value_free(y);
                        return op_error(ctx, n, "output %lld: the sum %lld is too large to "
                                        "round exactly (|sum| must stay below 2^24)",
                                        (long long)o, (long long)sum);
                    }
                    y->i[o] = p.shift ? (int64_t)qonnx_round((float)sum / divisor, p.rounding)
                                      : sum;
                }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_sum_pool = {
    OP_INT_SUM_POOL, "IntSumPool", DOMAIN_QONNXC, 1, 1, 1, 1, isp_check, isp_infer, isp_eval,
};
