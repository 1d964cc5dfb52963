/* Squeeze and Unsqueeze: remove or insert dims of extent 1.
 *
 * The axes are the `axes` attribute before opset 13 and input 1 from opset
 * 13 on (optional for Squeeze: without axes every dim of 1 goes; required
 * for Unsqueeze). Negative axes count from the end. */
#include "op_tensor.h"

typedef enum { AXES_ERROR, AXES_ABSENT, AXES_FOUND, AXES_UNKNOWN } AxesSource;

/* Axes as attribute (opset < 13); without an opset import, whichever form
 * the node uses. */
static bool axes_are_attr(const Node *n)
{
    if (n->opset > 0)
        return n->opset < 13;
    return n->n_inputs < 2 || !n->inputs[1];
}

static bool axes_check_form(const OpCtx *ctx, const Node *n)
{
    bool attr = axes_are_attr(n);
    if (attr && n->n_inputs > 1 && n->inputs[1])
        return op_error(ctx, n, "before opset 13 the axes are an attribute, not an input");
    if (!attr && node_attr(n, "axes"))
        return op_error(ctx, n, "from opset 13 the axes are input 1, not an attribute");
    return true;
}

/* The raw (not normalised) axes; `axes_input` is input 1's value if known. */
static AxesSource get_axes(const OpCtx *ctx, const Node *n, const Value *axes_input,
                           IntList *axes)
{
    axes->n = 0;
    if (axes_are_attr(n)) {
        const Attr *a = node_attr(n, "axes");
        if (!a)
            return AXES_ABSENT;
        return int_list_from_attr(ctx, n, a, axes) ? AXES_FOUND : AXES_ERROR;
    }
    if (n->n_inputs < 2 || !n->inputs[1])
        return AXES_ABSENT;
    if (!axes_input)
        return AXES_UNKNOWN;
    return int_list_from_value(ctx, n, axes_input, "axes", true, axes) ? AXES_FOUND
                                                                       : AXES_ERROR;
}

/* ---- Squeeze ----------------------------------------------------------- */

/* Output shape; with `all` every dim of 1 goes (unknown dims then make the
 * result unknown: out->rank = -1). */
static bool squeeze_shape(const OpCtx *ctx, const Node *n, const Shape *in, IntList *axes,
                          bool all, Shape *out)
{
    out->rank = -1;
    if (in->rank < 0)
        return true;
    bool drop[MAX_RANK] = { false };
    if (all) {
        for (int k = 0; k < in->rank; k++) {
            if (in->dims[k] < 0)
                return true;
            drop[k] = in->dims[k] == 1;
        }
    } else {
        if (!op_axes_normalize(ctx, n, axes, in->rank))
            return false;
        for (int k = 0; k < axes->n; k++) {
            int64_t d = in->dims[axes->v[k]];
            if (d >= 0 && d != 1)
                return op_error(ctx, n, "cannot squeeze axis %lld: its extent is %lld, not 1",
                                (long long)axes->v[k], (long long)d);
            drop[axes->v[k]] = true;
        }
    }
    out->rank = 0;
    for (int k = 0; k < in->rank; k++)
        if (!drop[k])
            out->dims[out->rank++] = in->dims[k];
    return true;
}

/* ---- Unsqueeze --------------------------------------------------------- */

/* `all` has no meaning here: Unsqueeze always has its axes. */
static bool unsqueeze_shape(const OpCtx *ctx, const Node *n, const Shape *in, IntList *axes,
                            bool all, Shape *out)
{
    (void)all;
    out->rank = -1;
    if (in->rank < 0)
        return true;
    if (in->rank + axes->n > MAX_RANK)
        return op_error(ctx, n, "output rank %d exceeds the limit of %d", in->rank + axes->n,
                        MAX_RANK);
    int rank = in->rank + axes->n;
    if (!op_axes_normalize(ctx, n, axes, rank))
        return false;
    bool inserted[MAX_RANK] = { false };
    for (int k = 0; k < axes->n; k++)
        inserted[axes->v[k]] = true;
    out->rank = rank;
    for (int k = 0, from = 0; k < rank; k++)
        out->dims[k] = inserted[k] ? 1 : in->dims[from++];
    return true;
}

/* ---- both ------------------------------------------------------------- */

/* What tells Squeeze and Unsqueeze apart: whether the axes may be absent,
 * and the output shape from the input's and the axes (`all`: absent or
 * empty axes, every dim of 1 goes). */
typedef struct AxesOp {
    bool axes_optional;
    bool (*shape)(const OpCtx *ctx, const Node *n, const Shape *in, IntList *axes, bool all,
                  Shape *out);
} AxesOp;

/* an empty axes list squeezes every dim of 1, as absent axes do */
static const AxesOp squeeze_op = { true, squeeze_shape };
static const AxesOp unsqueeze_op = { false, unsqueeze_shape };

static const AxesOp *axes_op(const Node *n)
{
    return node_kind(n) == OP_SQUEEZE ? &squeeze_op : &unsqueeze_op;
}

static bool axes_op_check(const OpCtx *ctx, const Node *n)
{
    IntList axes;
    if (!axes_check_form(ctx, n))
        return false;
    AxesSource src = get_axes(ctx, n, op_const_input(n, 1), &axes);
    if (src == AXES_ABSENT && !axes_op(n)->axes_optional)
        return op_error(ctx, n, axes_are_attr(n) ? "missing attribute 'axes'"
                                                 : "missing input 1 (axes)");
    return src != AXES_ERROR;
}

/* The output shape once the axes are known (else of unknown rank). */
static bool axes_op_infer(const OpCtx *ctx, Node *n)
{
    const AxesOp *op = axes_op(n);
    const Tensor *x = n->inputs[0];
    IntList axes;
    Shape out = { -1, { 0 } };
    AxesSource src = get_axes(ctx, n, op_const_input(n, 1), &axes);
    if (src == AXES_ERROR)
        return false;
    if ((src == AXES_FOUND || (src == AXES_ABSENT && op->axes_optional)) &&
        !op->shape(ctx, n, &x->shape, &axes, src == AXES_ABSENT || axes.n == 0, &out))
        return false;
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

/* The input's elements under the output shape. */
static bool axes_op_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    const AxesOp *op = axes_op(n);
    if (!op_need_input(ctx, n, in, 0))
        return false;
    IntList axes;
    Shape shape;
    AxesSource src = get_axes(ctx, n, n->n_inputs > 1 ? in[1] : NULL, &axes);
    if (src == AXES_ERROR)
        return false;
    if (src == AXES_UNKNOWN || (src == AXES_ABSENT && !op->axes_optional))
        return op_error(ctx, n, op->axes_optional ? "axes input has no value" : "axes are missing");
    if (!op->shape(ctx, n, &in[0]->shape, &axes, src == AXES_ABSENT || axes.n == 0, &shape))
        return false;
    out[0] = op_value_reshaped(ctx, n, in[0], &shape);
    return out[0] != NULL;
}

const OpDef op_squeeze = {
    OP_SQUEEZE, "Squeeze", DOMAIN_ONNX, 1, 2, 1, 1, axes_op_check, axes_op_infer, axes_op_eval,
};

const OpDef op_unsqueeze = {
    OP_UNSQUEEZE, "Unsqueeze", DOMAIN_ONNX, 1, 2, 1, 1, axes_op_check, axes_op_infer, axes_op_eval,
};
