/* Tile: repeats the input repeats[k] times along each axis k (repeats is
 * input 1, int64, one entry per axis, each >= 0). */
#include "op_tensor.h"

static bool tile_repeats(const OpCtx *ctx, const Node *n, const Value *v, int rank,
                         IntList *repeats)
{
    if (!int_list_from_value(ctx, n, v, "repeats", false, repeats))
        return false;
    if (rank >= 0 && repeats->n != rank)
        return op_error(ctx, n, "repeats has %d entries for an input of rank %d", repeats->n,
                        rank);
    for (int k = 0; k < repeats->n; k++)
        if (repeats->v[k] < 0)
            return op_error(ctx, n, "repeats entry %d is negative (%lld)", k,
                            (long long)repeats->v[k]);
    return true;
}

static bool tile_shape(const OpCtx *ctx, const Node *n, const Shape *in, const IntList *rep,
                       Shape *out)
{
    *out = *in;
    for (int k = 0; k < in->rank; k++)
        if (in->dims[k] >= 0 && !dim_mul(in->dims[k], rep->v[k], &out->dims[k]))
            return op_error(ctx, n, "tiled extent of axis %d overflows", k);
    return true;
}

static bool tile_check(const OpCtx *ctx, const Node *n)
{
    const Value *v = op_const_input(n, 1);
    IntList rep;
    if (n->opset > 0 && n->opset < 6)
        return op_error(ctx, n, "Tile before opset 6 (tiles and axis inputs) is not supported");
    return !v || tile_repeats(ctx, n, v, -1, &rep);
}

static bool tile_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    const Value *v = op_const_input(n, 1);
    Shape out = x->shape;
    IntList rep;
    if (v && x->shape.rank >= 0) {
        if (!tile_repeats(ctx, n, v, x->shape.rank, &rep) ||
            !tile_shape(ctx, n, &x->shape, &rep, &out))
            return false;
    } else {
        shape_set_unknown(&out, out.rank);
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool tile_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0) || !op_need_input(ctx, n, in, 1))
        return false;
    const Value *x = in[0];
    IntList rep;
    Shape shape;
    if (!tile_repeats(ctx, n, in[1], x->shape.rank, &rep) ||
        !tile_shape(ctx, n, &x->shape, &rep, &shape))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    int rank = shape.rank;
    int64_t strides[MAX_RANK], idx[MAX_RANK] = { 0 }, pos[MAX_RANK] = { 0 };
    shape_strides(&x->shape, strides);
    /* idx walks the output; pos is idx modulo the input extents */
    for (int64_t o = 0; o < y->count; o++) {
        int64_t src = 0;
        for (int k = 0; k < rank; k++)
            src += pos[k] * strides[k];
        value_move(y, o, x, src);
        for (int k = rank - 1; k >= 0; k--) {
            if (++pos[k] == x->shape.dims[k])
                pos[k] = 0;
            if (++idx[k] < shape.dims[k])
                break;
            idx[k] = pos[k] = 0;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_tile = {
    OP_TILE, "Tile", DOMAIN_ONNX, 2, 2, 1, 1, tile_check, tile_infer, tile_eval,
};
