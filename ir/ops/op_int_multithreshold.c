/* MultiThreshold (domain qonnxc): the integer activation of
 * docs/integer-graph.md. Not the QONNX op of the same name
 * (op_multithreshold.c), which is float in and out.
 *
 * Inputs: X (integer), T (integer constant [C or 1, L], each row
 * ascending). Attributes: out_scale, out_bias (INT; defaults 1, 0),
 * channel_axis (INT, default 1; negative counts from the end).
 *
 *     out = out_bias + out_scale * count(X >= T[c][l])
 *
 * with c the index of the element along channel_axis (row 0 for every
 * element when T has one row). A tie X == T counts. */
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"

bool multithreshold_params(const OpCtx *ctx, const Node *n, MultiThresholdParams *a)
{
    memset(a, 0, sizeof *a);
    if (node_kind(n) != OP_MULTITHRESHOLD)
        return op_error(ctx, n, "is not a MultiThreshold of the integer graph");
    a->x = n->inputs[0];
    a->thresholds = n->inputs[1];
    a->y = n->outputs[0];
    static const char *const names[] = { "out_scale", "out_bias", "channel_axis" };
    int64_t dflt[] = { 1, 0, 1 }, *dst[] = { &a->out_scale, &a->out_bias, &a->channel_axis };
    for (int k = 0; k < 3; k++) {
        const Attr *at = node_attr(n, names[k]);
        if (at && at->kind != ATTR_INT)
            return op_error(ctx, n, "attribute '%s' must be an int", names[k]);
        *dst[k] = at ? at->i : dflt[k];
    }
    /* keeps out_bias + out_scale * count far inside int64 */
    if (a->out_scale < -(1 << 30) || a->out_scale > (1 << 30) || a->out_bias < -((int64_t)1 << 40) ||
        a->out_bias > ((int64_t)1 << 40))
        return op_error(ctx, n, "out_scale %lld or out_bias %lld is out of range",
                        (long long)a->out_scale, (long long)a->out_bias);
    return true;
}

/* T's shape and order; L up to 2^20 keeps out_scale * L inside int64. */
static bool mt_thresholds_ok(const OpCtx *ctx, const Node *n, const Value *t)
{
    char buf[96];
    if (!t->i)
        return op_error(ctx, n, "thresholds must be an integer tensor, not %s",
                        elem_type_name(t->elem_type));
    if (t->shape.rank != 2 || t->shape.dims[0] < 1 || t->shape.dims[1] > (1 << 20))
        return op_error(ctx, n, "thresholds must have shape [C or 1, L]; got %s",
                        shape_str(&t->shape, buf, sizeof buf));
    int64_t rows = t->shape.dims[0], L = t->shape.dims[1];
    for (int64_t r = 0; r < rows; r++)
        for (int64_t l = 1; l < L; l++)
            if (t->i[r * L + l] < t->i[r * L + l - 1])
                return op_error(ctx, n, "threshold row %lld is not ascending at entry %lld",
                                (long long)r, (long long)l);
    return true;
}

/* The channel axis for X of rank `rank` and the number of channels T
 * must match (1 when T has one row). */
static bool mt_axis(const OpCtx *ctx, const Node *n, const MultiThresholdParams *a,
                    const Shape *x, int64_t rows, int *axis)
{
    *axis = -1;
    if (rows == 1 || x->rank < 0)
        return true;
    if (!op_axis(ctx, n, a->channel_axis, x->rank, axis))
        return false;
    if (x->dims[*axis] >= 0 && x->dims[*axis] != rows)
        return op_error(ctx, n, "thresholds have %lld rows but X has %lld channels on axis %d",
                        (long long)rows, (long long)x->dims[*axis], *axis);
    return true;
}

static bool mt_check(const OpCtx *ctx, const Node *n)
{
    MultiThresholdParams a;
    int axis;
    if (!multithreshold_params(ctx, n, &a) || !int_need_const(ctx, n, 1, "thresholds") ||
        !mt_thresholds_ok(ctx, n, n->inputs[1]->value))
        return false;
    return mt_axis(ctx, n, &a, &n->inputs[0]->shape, n->inputs[1]->value->shape.dims[0], &axis);
}

static bool mt_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &n->inputs[0]->shape);
    return true;
}

/* Number of entries of the ascending row t[0..L) that are <= x. */
static int64_t count_le(const int64_t *t, int64_t L, int64_t x)
{
    int64_t lo = 0, hi = L;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (t[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool mt_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    MultiThresholdParams a;
    int axis;
    if (!multithreshold_params(ctx, n, &a) || !int_need_int(ctx, n, in, 0, "X") ||
        !int_need_int(ctx, n, in, 1, "thresholds") || !mt_thresholds_ok(ctx, n, in[1]))
        return false;
    const Value *x = in[0], *t = in[1];
    int64_t rows = t->shape.dims[0], L = t->shape.dims[1];
    if (!mt_axis(ctx, n, &a, &x->shape, rows, &axis))
        return false;
    int64_t inner = 1;
    for (int d = axis + 1; axis >= 0 && d < x->shape.rank; d++)
        inner *= x->shape.dims[d];
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        int64_t c = rows == 1 ? 0 : (k / inner) % rows;
        y->i[k] = a.out_bias + a.out_scale * count_le(t->i + c * L, L, x->i[k]);
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_multithreshold = {
    OP_MULTITHRESHOLD, "MultiThreshold", DOMAIN_QONNXC, 2, 2, 1, 1, mt_check, mt_infer, mt_eval,
};
