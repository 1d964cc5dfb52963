/* QONNX MultiThreshold: a staircase activation, the form every quantized
 * activation takes once streamlined.
 *
 * Inputs: x, thresholds. Attributes: out_scale (default 1.0), out_bias
 * (default 0.0), out_dtype (the integer datatype of the count, informative
 * here), data_layout ("NCHW", the default, or "NHWC").
 *
 * thresholds has shape [C, T]: T thresholds for each of x's C channels,
 * or [1, T]: the same T for every channel. Per element of channel c:
 *
 *     count = number of t with x >= thresholds[c][t]   (a tie counts)
 *     out   = out_scale * count + out_bias
 *
 * The thresholds need not be sorted (it is a count, not a search). A NaN
 * x counts nothing. out is computed in double from the float attributes
 * and rounded once to float32, as qonnx's numpy reference computes it
 * (custom_op/general/multithreshold.py).
 *
 * The channel axis, as qonnx chooses it:
 *   rank 2 [N, C]            axis 1, either layout
 *   rank 4, NCHW             axis 1
 *   rank 4, NHWC             axis 3 (the last)
 *   any other rank           the last axis, either layout: qonnx reshapes
 *                            such inputs to [-1, C] with C the last dim
 *                            (it rejects NHWC there; qonnxc reads NHWC as
 *                            "channels last", which is what it means). */
#include "op_quant.h"

#include <math.h>
#include <string.h>

typedef struct ThresholdSpec {
    bool nhwc;
    double out_scale, out_bias;
} ThresholdSpec;

static bool number_attr(const OpCtx *ctx, const Node *n, const char *name, double dflt,
                        double *out)
{
    const Attr *a = node_attr(n, name);
    *out = dflt;
    if (!a)
        return true;
    if (a->kind == ATTR_FLOAT)
        *out = a->f;
    else if (a->kind == ATTR_INT)
        *out = (double)a->i;
    else
        return op_error(ctx, n, "attribute %s must be a number", name);
    if (!isfinite(*out))
        return op_error(ctx, n, "attribute %s must be finite; it is %g", name, *out);
    return true;
}

static bool threshold_attrs(const OpCtx *ctx, const Node *n, ThresholdSpec *s)
{
    /* outputs written on every path: GCC -O2 cannot see that op_error returns false */
    *s = (ThresholdSpec){ .nhwc = false, .out_scale = 1.0, .out_bias = 0.0 };
    const Attr *layout = node_attr(n, "data_layout");
    if (layout) {
        if (layout->kind != ATTR_STRING ||
            (strcmp(layout->s, "NCHW") && strcmp(layout->s, "NHWC")))
            return op_error(ctx, n, "attribute data_layout must be \"NCHW\" or \"NHWC\"%s%s%s",
                            layout->kind == ATTR_STRING ? "; got \"" : "",
                            layout->kind == ATTR_STRING ? layout->s : "",
                            layout->kind == ATTR_STRING ? "\"" : "");
        s->nhwc = !strcmp(layout->s, "NHWC");
    }
    const Attr *dtype = node_attr(n, "out_dtype");
    if (dtype && dtype->kind != ATTR_STRING)
        return op_error(ctx, n, "attribute out_dtype must be a string (a datatype name)");
    return number_attr(ctx, n, "out_scale", 1.0, &s->out_scale) &&
           number_attr(ctx, n, "out_bias", 0.0, &s->out_bias);
}

/* The channel axis of a rank-`rank` input (rank >= 1), per the table above. */
static int channel_axis(int rank, bool nhwc)
{
    if (rank == 2 || (rank == 4 && !nhwc))
        return 1;
    return rank - 1;
}

/* Checks x's rank and the thresholds' shape against x; unknown dims pass. */
static bool threshold_shapes_ok(const OpCtx *ctx, const Node *n, const ThresholdSpec *s,
                                const Shape *x, const Shape *t)
{
    char buf[96];
    if (x->rank == 0)
        return op_error(ctx, n, "input must have at least one dimension (the channels)");
    if (t->rank >= 0 && t->rank != 2)
        return op_error(ctx, n, "thresholds must have shape [C, T] or [1, T]; got %s",
                        shape_str(t, buf, sizeof buf));
    if (x->rank < 0 || t->rank < 0)
        return true;
    int axis = channel_axis(x->rank, s->nhwc);
    int64_t c = x->dims[axis], tc = t->dims[0];
    if (c >= 0 && tc >= 0 && tc != 1 && tc != c)
        return op_error(ctx, n,
                        "thresholds have %lld rows but the input has %lld channels (axis %d "
                        "of %s); expected %lld rows or 1",
                        (long long)tc, (long long)c, axis, shape_str(x, buf, sizeof buf),
                        (long long)c);
    return true;
}

static bool threshold_check(const OpCtx *ctx, const Node *n)
{
    ThresholdSpec s;
    if (!threshold_attrs(ctx, n, &s))
        return false;
    const Tensor *t = n->inputs[1];
    const Shape *ts = t->value ? &t->value->shape : &t->shape;
    return threshold_shapes_ok(ctx, n, &s, &n->inputs[0]->shape, ts);
}

static bool threshold_eval(const OpCtx *ctx, const Node *n, const Value *const *in,
                           Value **out)
{
    if (n->n_inputs < 2 || !in[0] || !in[1])
        return op_error(ctx, n, "needs the input and the thresholds");
    const Value *x = in[0], *th = in[1];
    ThresholdSpec s;
    if (!threshold_attrs(ctx, n, &s) || !threshold_shapes_ok(ctx, n, &s, &x->shape, &th->shape))
        return false;
    Value *y = op_new_value(ctx, n, qonnx_out_type(x->elem_type), &x->shape);
    if (!y)
        return false;
    int axis = channel_axis(x->shape.rank, s.nhwc);
    int64_t channels = x->shape.dims[axis], inner = 1;
    for (int k = axis + 1; k < x->shape.rank; k++)
        inner *= x->shape.dims[k];
    int64_t steps = th->shape.dims[1];
    bool shared = th->shape.dims[0] == 1;
    for (int64_t k = 0; k < x->count; k++) {
        int64_t c = shared ? 0 : (k / inner) % channels;
        double xv = value_get(x, k);
        int64_t count = 0;
        for (int64_t j = 0; j < steps; j++)
            count += xv >= value_get(th, c * steps + j);
        y->f[k] = (float)(s.out_scale * (double)count + s.out_bias);
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnx_multithreshold = {
    OP_QONNX_MULTITHRESHOLD, "MultiThreshold", DOMAIN_QONNX, 2, 2, 1, 1, threshold_check, qonnx_infer_like_x,
    threshold_eval,
};
