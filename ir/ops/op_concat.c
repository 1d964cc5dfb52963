/* Concat: joins its inputs along `axis` (negative from opset 11); every
 * other dim must agree. Before opset 4 the axis defaulted to 1. */
#include "op_tensor.h"

/* The executor passes at most 64 inputs to a node (ir/exec.c). */
#define CONCAT_MAX_INPUTS 64

static bool concat_axis_attr(const OpCtx *ctx, const Node *n, int64_t *axis)
{
    const Attr *a = node_attr(n, "axis");
    if (!a) {
        if (n->opset > 0 && n->opset < 4) {
            *axis = 1;
            return true;
        }
        return op_error(ctx, n, "missing attribute 'axis'");
    }
    if (a->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'axis' must be an int");
    *axis = a->i;
    return true;
}

static bool concat_check(const OpCtx *ctx, const Node *n)
{
    int64_t axis;
    if (!concat_axis_attr(ctx, n, &axis))
        return false;
    for (int k = 0; k < n->n_inputs; k++)
        if (!n->inputs[k])
            return op_error(ctx, n, "input %d is omitted; Concat needs every input", k);
    return true;
}

/* Output shape from the input shapes (some may be unknown). */
static bool concat_shape(const OpCtx *ctx, const Node *n, const Shape *const *in, int count,
                         Shape *out)
{
    int64_t axis_attr = 0;
    out->rank = -1;
    if (!concat_axis_attr(ctx, n, &axis_attr))
        return false;
    int rank = -1;
    for (int k = 0; k < count; k++) {
        if (in[k]->rank < 0)
            continue;
        if (rank >= 0 && in[k]->rank != rank)
            return op_error(ctx, n, "inputs have ranks %d and %d", rank, in[k]->rank);
        rank = in[k]->rank;
    }
    if (rank < 0)
        return true;
    int axis = 0;
    if (rank == 0)
        return op_error(ctx, n, "cannot concatenate scalars");
    if (!op_axis(ctx, n, axis_attr, rank, &axis))
        return false;
    *out = (Shape){ rank, { 0 } };
    for (int d = 0; d < rank; d++)
        out->dims[d] = d == axis ? 0 : -1;
    bool all_known = true;
    for (int k = 0; k < count; k++) {
        if (in[k]->rank < 0) {
            all_known = false;
            continue;
        }
        for (int d = 0; d < rank; d++) {
            int64_t v = in[k]->dims[d];
            if (d == axis) {
                if (v < 0 || out->dims[d] < 0)
                    out->dims[d] = -1;
                else if (__builtin_add_overflow(out->dims[d], v, &out->dims[d]))
                    return op_error(ctx, n, "output extent along axis %d overflows", axis);
            } else if (v >= 0) {
                if (out->dims[d] >= 0 && out->dims[d] != v) {
                    char buf[96];
                    return op_error(ctx, n, "input %d has shape %s; another input has %lld "
                                    "along axis %d", k, shape_str(in[k], buf, sizeof buf),
                                    (long long)out->dims[d], d);
                }
                out->dims[d] = v;
            }
        }
    }
    if (!all_known)
        out->dims[axis] = -1;
    return true;
}

static bool concat_infer(const OpCtx *ctx, Node *n)
{
    const Shape *shapes[CONCAT_MAX_INPUTS];
    if (n->n_inputs > CONCAT_MAX_INPUTS)
        return op_error(ctx, n, "has %d inputs; at most %d are supported", n->n_inputs,
                        CONCAT_MAX_INPUTS);
    int elem_type = ET_UNDEFINED;
    for (int k = 0; k < n->n_inputs; k++) {
        shapes[k] = &n->inputs[k]->shape;
        if (elem_type == ET_UNDEFINED)
            elem_type = n->inputs[k]->elem_type;
    }
    Shape out;
    if (!concat_shape(ctx, n, shapes, n->n_inputs, &out))
        return false;
    op_set_output(n, 0, elem_type, &out);
    return true;
}

static bool concat_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    const Shape *shapes[CONCAT_MAX_INPUTS];
    if (n->n_inputs < 1 || n->n_inputs > CONCAT_MAX_INPUTS)
        return op_error(ctx, n, "has %d inputs; Concat takes 1 to %d", n->n_inputs,
                        CONCAT_MAX_INPUTS);
    for (int k = 0; k < n->n_inputs; k++) {
        if (!op_need_input(ctx, n, in, k) || !op_same_storage(ctx, n, in[0], in[k], "inputs"))
            return false;
        shapes[k] = &in[k]->shape;
    }
    Shape shape;
    if (!concat_shape(ctx, n, shapes, n->n_inputs, &shape))
        return false;
    Value *y = op_new_value(ctx, n, in[0]->elem_type, &shape);
    if (!y)
        return false;
    int64_t axis_attr = 0;
    int axis = 0;
    concat_axis_attr(ctx, n, &axis_attr);
    op_axis(ctx, n, axis_attr, shape.rank, &axis);
    /* outer: product of dims before the axis; each input contributes a
     * contiguous block of dims[axis] * inner elements per outer step. */
    int64_t outer = y->count ? 1 : 0, inner = 1; /* no work (and no overflow) if empty */
    for (int d = 0; outer && d < axis; d++)
        outer *= shape.dims[d];
    for (int d = axis + 1; outer && d < shape.rank; d++)
        inner *= shape.dims[d];
    int64_t o = 0;
    for (int64_t i = 0; i < outer; i++)
        for (int k = 0; k < n->n_inputs; k++) {
            int64_t block = in[k]->shape.dims[axis] * inner;
            for (int64_t j = 0; j < block; j++)
                value_move(y, o++, in[k], i * block + j);
        }
    out[0] = y;
    return true;
}

const OpDef op_concat = {
    OP_CONCAT, "Concat", DOMAIN_ONNX, 1, CONCAT_MAX_INPUTS, 1, 1, concat_check, concat_infer, concat_eval,
};
