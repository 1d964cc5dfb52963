/* Expand: broadcasts the input to the shape given by input 1 (numpy
 * rules in both directions, so a 1 in the shape keeps the input's dim). */
#include "op_tensor.h"

/* The shape list of input 1 as a Shape; extents must be >= 0. */
static bool expand_target(const OpCtx *ctx, const Node *n, const Value *v, Shape *s)
{
    IntList l;
    if (!int_list_from_value(ctx, n, v, "shape", false, &l))
        return false;
    if (l.n > MAX_RANK)
        return op_error(ctx, n, "shape has %d dims; at most %d are supported", l.n, MAX_RANK);
    s->rank = l.n;
    for (int k = 0; k < l.n; k++) {
        if (l.v[k] < 0)
            return op_error(ctx, n, "shape entry %d is negative (%lld)", k, (long long)l.v[k]);
        s->dims[k] = l.v[k];
    }
    return true;
}

static bool expand_check(const OpCtx *ctx, const Node *n)
{
    const Value *v = op_const_input(n, 1);
    Shape s;
    return !v || expand_target(ctx, n, v, &s);
}

static bool expand_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    const Value *v = op_const_input(n, 1);
    Shape target, out = { -1, { 0 } };
    if (v) {
        if (!expand_target(ctx, n, v, &target) ||
            !broadcast_shapes(ctx, n, &x->shape, &target, &out))
            return false;
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool expand_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0) || !op_need_input(ctx, n, in, 1))
        return false;
    const Value *x = in[0];
    Shape target, shape;
    if (!expand_target(ctx, n, in[1], &target) ||
        !broadcast_shapes(ctx, n, &x->shape, &target, &shape))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    int64_t strides[MAX_RANK];
    broadcast_strides(&x->shape, &shape, strides);
    for (int64_t o = 0; o < y->count; o++)
        value_move(y, o, x, broadcast_index(o, &shape, strides));
    out[0] = y;
    return true;
}

const OpDef op_expand = {
    OP_EXPAND, "Expand", DOMAIN_ONNX, 2, 2, 1, 1, expand_check, expand_infer, expand_eval,
};
