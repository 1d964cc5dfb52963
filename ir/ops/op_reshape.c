/* Reshape and Flatten: the same elements in row-major order, another shape.
 *
 * Reshape takes its target shape as the `shape` attribute before opset 5
 * and as input 1 from opset 5 on. An entry 0 copies the input's dim at the
 * same position (or, with allowzero=1 from opset 14, means a dim of 0); one
 * entry -1 takes whatever extent makes the element counts agree. */
#include "op_tensor.h"

/* Whether the target shape is the attribute (opset < 5). Without an opset
 * import, whichever form the node uses. */
static bool reshape_shape_is_attr(const Node *n)
{
    if (n->opset > 0)
        return n->opset < 5;
    return n->n_inputs < 2;
}

static bool reshape_allowzero(const Node *n)
{
    return node_attr_int(n, "allowzero", 0) != 0;
}

/* Checks a target shape on its own: entries >= -1, at most one -1, no 0
 * together with -1 when allowzero is set. */
static bool reshape_check_list(const OpCtx *ctx, const Node *n, const IntList *s, bool allowzero)
{
    if (s->n > MAX_RANK)
        return op_error(ctx, n, "target shape has %d dims; at most %d are supported", s->n,
                        MAX_RANK);
    int minus_ones = 0, zeros = 0;
    for (int k = 0; k < s->n; k++) {
        if (s->v[k] < -1)
            return op_error(ctx, n, "target shape entry %d is %lld; entries must be >= -1", k,
                            (long long)s->v[k]);
        minus_ones += s->v[k] == -1;
        zeros += s->v[k] == 0;
    }
    if (minus_ones > 1)
        return op_error(ctx, n, "target shape has %d entries of -1; at most one is allowed",
                        minus_ones);
    if (allowzero && zeros && minus_ones)
        return op_error(ctx, n, "target shape has both 0 and -1 while allowzero=1");
    return true;
}

/* The output shape for an input of shape `in` (some dims may be unknown,
 * or its rank) and target list s. Unknown extents come out as -1. */
static bool reshape_shape(const OpCtx *ctx, const Node *n, const Shape *in, const IntList *s,
                          bool allowzero, Shape *out)
{
    if (!reshape_check_list(ctx, n, s, allowzero))
        return false;
    out->rank = s->n;
    int infer_at = -1;
    for (int k = 0; k < s->n; k++) {
        int64_t v = s->v[k];
        if (v == 0 && !allowzero) {
            if (in->rank >= 0 && k >= in->rank)
                return op_error(ctx, n, "target shape entry %d is 0 (copy the input dim) but "
                                "the input has rank %d", k, in->rank);
            out->dims[k] = in->rank >= 0 ? in->dims[k] : -1;
        } else if (v == -1) {
            infer_at = k;
            out->dims[k] = -1;
        } else {
            out->dims[k] = v;
        }
    }
    /* product of the known output dims, and whether any other is unknown */
    int64_t prod = 1;
    bool unknown = false;
    for (int k = 0; k < s->n; k++) {
        if (k == infer_at)
            continue;
        if (out->dims[k] < 0) {
            unknown = true;
            continue;
        }
        if (!dim_mul(prod, out->dims[k], &prod))
            return op_error(ctx, n, "target shape's element count overflows");
    }
    int64_t total = shape_count(in);
    if (infer_at >= 0 && !unknown && total >= 0) {
        if (prod == 0)
            return op_error(ctx, n, "cannot infer the -1 entry: the other dims multiply to 0");
        if (total % prod != 0) {
            char buf[96];
            return op_error(ctx, n, "cannot reshape %s (%lld elements) with a -1 entry: %lld "
                            "is not a multiple of %lld", shape_str(in, buf, sizeof buf),
                            (long long)total, (long long)total, (long long)prod);
        }
        out->dims[infer_at] = total / prod;
    } else if (infer_at < 0 && !unknown && total >= 0 && prod != total) {
        char a[96], b[96];
        return op_error(ctx, n, "cannot reshape %s (%lld elements) to %s (%lld elements)",
                        shape_str(in, a, sizeof a), (long long)total,
                        shape_str(out, b, sizeof b), (long long)prod);
    }
    return true;
}

/* The target list from the attribute or from a constant input 1: 1 when
 * found, 0 when not known statically, -1 on error. */
static int reshape_target(const OpCtx *ctx, const Node *n, const Value *shape_input,
                          IntList *s)
{
    if (reshape_shape_is_attr(n)) {
        const Attr *a = node_attr(n, "shape");
        if (!a)
            return op_error(ctx, n, "missing attribute 'shape' (before opset 5 the target "
                            "shape is an attribute)"), -1;
        return int_list_from_attr(ctx, n, a, s) ? 1 : -1;
    }
    if (!shape_input)
        return 0;
    return int_list_from_value(ctx, n, shape_input, "shape", false, s) ? 1 : -1;
}

static bool reshape_check(const OpCtx *ctx, const Node *n)
{
    bool attr = reshape_shape_is_attr(n);
    if (attr && n->n_inputs > 1)
        return op_error(ctx, n, "before opset 5 Reshape takes its target shape as an "
                        "attribute, not as an input");
    if (!attr && (n->n_inputs < 2 || !n->inputs[1]))
        return op_error(ctx, n, "from opset 5 Reshape needs the target shape as input 1");
    if (!attr && node_attr(n, "shape"))
        return op_error(ctx, n, "from opset 5 the target shape is input 1, not an attribute");
    int64_t allowzero = node_attr_int(n, "allowzero", 0);
    if (allowzero != 0 && allowzero != 1)
        return op_error(ctx, n, "allowzero must be 0 or 1, not %lld", (long long)allowzero);
    IntList s;
    int found = reshape_target(ctx, n, op_const_input(n, 1), &s);
    if (found < 0)
        return false;
    return found == 0 || reshape_check_list(ctx, n, &s, allowzero != 0);
}

static bool reshape_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    IntList s;
    Shape out = { -1, { 0 } };
    int found = reshape_target(ctx, n, op_const_input(n, 1), &s);
    if (found < 0)
        return false;
    if (found) {
        if (!reshape_shape(ctx, n, &x->shape, &s, reshape_allowzero(n), &out))
            return false;
    } else {
        /* Only the rank is known, from the length of the shape input. */
        const Tensor *st = op_input(n, 1);
        if (st && st->shape.rank == 1 && st->shape.dims[0] >= 0 &&
            st->shape.dims[0] <= MAX_RANK) {
            shape_set_unknown(&out, (int)st->shape.dims[0]);
        }
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool reshape_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    bool attr = reshape_shape_is_attr(n);
    if (!attr && !op_need_input(ctx, n, in, 1))
        return false;
    IntList s;
    Shape shape;
    if (reshape_target(ctx, n, attr ? NULL : in[1], &s) != 1 ||
        !reshape_shape(ctx, n, &in[0]->shape, &s, reshape_allowzero(n), &shape))
        return false;
    out[0] = op_value_reshaped(ctx, n, in[0], &shape);
    return out[0] != NULL;
}

const OpDef op_reshape = {
    OP_RESHAPE, "Reshape", DOMAIN_ONNX, 1, 2, 1, 1, reshape_check, reshape_infer, reshape_eval,
};

/* ---- Flatten ----------------------------------------------------------- */

/* Flatten's axis, normalised to [0, rank]; negative values from opset 11. */
static bool flatten_axis(const OpCtx *ctx, const Node *n, int rank, int *axis)
{
    int64_t a = node_attr_int(n, "axis", 1);
    bool negative_ok = n->opset == 0 || n->opset >= 11;
    if (a < (negative_ok ? -rank : 0) || a > rank)
        return op_error(ctx, n, "axis %lld is out of range for rank %d", (long long)a, rank);
    *axis = (int)(a < 0 ? a + rank : a);
    return true;
}

/* [d0 * ... * d(axis-1), d(axis) * ... * d(rank-1)], unknown factors
 * making a dim unknown. */
static bool flatten_shape(const OpCtx *ctx, const Node *n, const Shape *in, Shape *out)
{
    int axis = 0;
    if (!flatten_axis(ctx, n, in->rank, &axis))
        return false;
    out->rank = 2;
    out->dims[0] = out->dims[1] = 1;
    for (int k = 0; k < in->rank; k++) {
        int64_t *d = &out->dims[k < axis ? 0 : 1];
        if (in->dims[k] < 0 || *d < 0)
            *d = -1;
        else if (!dim_mul(*d, in->dims[k], d))
            return op_error(ctx, n, "output dims overflow");
    }
    return true;
}

static bool flatten_check(const OpCtx *ctx, const Node *n)
{
    const Attr *a = node_attr(n, "axis");
    if (a && a->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'axis' must be an int");
    return true;
}

static bool flatten_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    Shape out = { -1, { 0 } };
    if (x->shape.rank >= 0 && !flatten_shape(ctx, n, &x->shape, &out))
        return false;
    if (x->shape.rank < 0) {
        out.rank = 2;
        out.dims[0] = out.dims[1] = -1;
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool flatten_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape shape;
    if (!op_need_input(ctx, n, in, 0) || !flatten_shape(ctx, n, &in[0]->shape, &shape))
        return false;
    out[0] = op_value_reshaped(ctx, n, in[0], &shape);
    return out[0] != NULL;
}

const OpDef op_flatten = {
    OP_FLATTEN, "Flatten", DOMAIN_ONNX, 1, 1, 1, 1, flatten_check, flatten_infer, flatten_eval,
};
