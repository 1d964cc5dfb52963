/* Softmax and LogSoftmax.
 *
 * Which elements are normalised together depends on the opset: before 13
 * the input is coerced to a matrix [d0 * ... * d(axis-1), d(axis) * ...]
 * and each row is normalised (default axis 1); from 13 the normalisation
 * runs along the one dim `axis` (default -1). The maximum is subtracted
 * before exponentiating, so large inputs do not overflow; sums are float32
 * in natural order. */
#include <math.h>

#include "op_math.h"

typedef enum { SM_SOFTMAX, SM_LOG } SoftmaxKind;

/* The normalised groups of a tensor: `outer` blocks, each holding `inner`
 * groups of `len` elements `stride` apart. */
typedef struct SoftmaxGroups {
    int64_t outer, len, inner;
} SoftmaxGroups;

static bool softmax_groups(const OpCtx *ctx, const Node *n, const Shape *s, SoftmaxGroups *sg)
{
    const Attr *a = node_attr(n, "axis");
    if (a && a->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'axis' must be an int");
    bool coerce = math_opset(n) < 13;
    int64_t axis = node_attr_int(n, "axis", coerce ? 1 : -1);
    if (s->rank < 0)
        return true;
    int ax;
    if (coerce) {
        /* the split point of the coerced matrix may be the rank itself */
        if (axis < -s->rank || axis > s->rank)
            return op_error(ctx, n, "axis %lld is out of range for rank %d", (long long)axis,
                            s->rank);
        ax = (int)(axis < 0 ? axis + s->rank : axis);
    } else if (!op_axis(ctx, n, axis, s->rank, &ax)) {
        return false;
    }
    if (!shape_known(s))
        return true;
    sg->outer = sg->len = sg->inner = 1;
    for (int d = 0; d < s->rank; d++) {
        if (d < ax)
            sg->outer *= s->dims[d];
        else if (d == ax || coerce)
            sg->len *= s->dims[d];
        else
            sg->inner *= s->dims[d];
    }
    return true;
}

static bool softmax_infer(const OpCtx *ctx, Node *n)
{
    SoftmaxGroups sg;
    if (!math_infer_float(ctx, n, n->inputs[0], "the input") ||
        !softmax_groups(ctx, n, &n->inputs[0]->shape, &sg))
        return false;
    return infer_same_as_input0(ctx, n);
}

static bool softmax_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                         SoftmaxKind kind)
{
    if (!math_need_input(ctx, n, in, 0) || !math_need_float(ctx, n, in[0], "the input"))
        return false;
    const Value *x = in[0];
    SoftmaxGroups sg;
    if (!softmax_groups(ctx, n, &x->shape, &sg))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &x->shape);
    if (!y)
        return false;
    for (int64_t o = 0; y->count > 0 && o < sg.outer; o++)
        for (int64_t i = 0; i < sg.inner; i++) {
            const float *xp = x->f + o * sg.len * sg.inner + i;
            float *yp = y->f + o * sg.len * sg.inner + i;
            int64_t st = sg.inner;
            float max = xp[0];
            for (int64_t k = 1; k < sg.len; k++)
                if (xp[k * st] > max)
                    max = xp[k * st];
            float sum = 0.0f;
            for (int64_t k = 0; k < sg.len; k++) {
                float e = expf(xp[k * st] - max);
                sum += e;
                if (kind == SM_SOFTMAX)
                    yp[k * st] = e;
            }
            if (kind == SM_SOFTMAX) {
                for (int64_t k = 0; k < sg.len; k++)
                    yp[k * st] /= sum;
            } else {
                float lse = logf(sum);
                for (int64_t k = 0; k < sg.len; k++)
                    yp[k * st] = xp[k * st] - max - lse;
            }
        }
    out[0] = y;
    return true;
}

static bool softmax_check(const OpCtx *ctx, const Node *n)
{
    SoftmaxGroups sg;
    return softmax_groups(ctx, n, &n->inputs[0]->shape, &sg);
}

static bool softmax_eval_plain(const OpCtx *ctx, const Node *n, const Value *const *in,
                               Value **out)
{
    return softmax_eval(ctx, n, in, out, SM_SOFTMAX);
}

static bool logsoftmax_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return softmax_eval(ctx, n, in, out, SM_LOG);
}

const OpDef op_softmax = {
    OP_SOFTMAX, "Softmax", DOMAIN_ONNX, 1, 1, 1, 1, softmax_check, softmax_infer, softmax_eval_plain,
};
const OpDef op_logsoftmax = {
    OP_LOGSOFTMAX, "LogSoftmax", DOMAIN_ONNX, 1, 1, 1, 1, softmax_check, softmax_infer, logsoftmax_eval,
};
