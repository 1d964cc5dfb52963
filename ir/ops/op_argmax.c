/* ArgMax and ArgMin: the int64 index of the largest (smallest) element
 * along `axis` (default 0), that dim kept as extent 1 when keepdims=1
 * (default) or removed. Ties go to the first index, or the last with
 * select_last_index=1. NaN never wins. */
#include <math.h>

#include "op_math.h"

typedef enum { ARG_MAX, ARG_MIN } ArgKind;

typedef struct ArgAttrs {
    int64_t axis;
    bool keepdims, last;
} ArgAttrs;

static bool arg_attrs(const OpCtx *ctx, const Node *n, ArgAttrs *aa)
{
    static const char *const names[] = { "axis", "keepdims", "select_last_index" };
    for (int k = 0; k < 3; k++) {
        const Attr *a = node_attr(n, names[k]);
        if (a && (a->kind != ATTR_INT || (k > 0 && a->i != 0 && a->i != 1)))
            return op_error(ctx, n, "attribute '%s' must be %s", names[k],
                            k ? "0 or 1" : "an int");
    }
    aa->axis = node_attr_int(n, "axis", 0);
    aa->keepdims = node_attr_int(n, "keepdims", 1) == 1;
    aa->last = node_attr_int(n, "select_last_index", 0) == 1;
    return true;
}

/* Output shape and the normalised axis; false with an error if the axis
 * does not fit the rank. */
static bool arg_shape(const OpCtx *ctx, const Node *n, const ArgAttrs *aa, const Shape *x,
                      Shape *out, int *axis)
{
    out->rank = -1;
    if (x->rank < 0)
        return true;
    if (x->rank == 0)
        return op_error(ctx, n, "the input must have rank >= 1");
    if (!op_axis(ctx, n, aa->axis, x->rank, axis))
        return false;
    out->rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (d == *axis && !aa->keepdims)
            continue;
        out->dims[out->rank++] = d == *axis ? 1 : x->dims[d];
    }
    return true;
}

static bool arg_check(const OpCtx *ctx, const Node *n)
{
    ArgAttrs aa;
    return arg_attrs(ctx, n, &aa);
}

static bool arg_infer(const OpCtx *ctx, Node *n)
{
    ArgAttrs aa;
    Shape out;
    int axis;
    if (!arg_attrs(ctx, n, &aa) || !arg_shape(ctx, n, &aa, &n->inputs[0]->shape, &out, &axis))
        return false;
    op_set_output(n, 0, ET_INT64, &out);
    return true;
}

/* Whether v beats the best value b so far (ties per select_last_index). */
#define ARG_BEATS(v, b) \
    (kind == ARG_MAX ? (last ? (v) >= (b) : (v) > (b)) : (last ? (v) <= (b) : (v) < (b)))

static bool arg_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                     ArgKind kind)
{
    ArgAttrs aa;
    Shape shape;
    int axis;
    if (!math_need_input(ctx, n, in, 0) || !arg_attrs(ctx, n, &aa))
        return false;
    const Value *x = in[0];
    if (!arg_shape(ctx, n, &aa, &x->shape, &shape, &axis))
        return false;
    if (x->shape.dims[axis] == 0)
        return op_error(ctx, n, "cannot take the arg%s of an empty axis",
                        kind == ARG_MAX ? "max" : "min");
    Value *y = op_new_value(ctx, n, ET_INT64, &shape);
    if (!y)
        return false;
    int64_t len = x->shape.dims[axis], inner = 1;
    for (int d = axis + 1; d < x->shape.rank; d++)
        inner *= x->shape.dims[d];
    int64_t outer = inner && len ? x->count / (len * inner) : 0;
    bool last = aa.last;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * len * inner + i, best = -1;
            if (x->f) {
                const float *p = x->f + base;
                for (int64_t k = 0; k < len; k++)
                    if (!isnan(p[k * inner]) &&
                        (best < 0 || ARG_BEATS(p[k * inner], p[best * inner])))
                        best = k;
            } else {
                const int64_t *p = x->i + base;
                for (int64_t k = 0; k < len; k++)
                    if (best < 0 || ARG_BEATS(p[k * inner], p[best * inner]))
                        best = k;
            }
            y->i[o * inner + i] = best < 0 ? 0 : best;
        }
    out[0] = y;
    return true;
}

static bool argmax_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return arg_eval(ctx, n, in, out, ARG_MAX);
}

static bool argmin_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return arg_eval(ctx, n, in, out, ARG_MIN);
}

const OpDef op_argmax = { OP_ARGMAX, "ArgMax", DOMAIN_ONNX, 1, 1, 1, 1, arg_check, arg_infer, argmax_eval };
const OpDef op_argmin = { OP_ARGMIN, "ArgMin", DOMAIN_ONNX, 1, 1, 1, 1, arg_check, arg_infer, argmin_eval };
