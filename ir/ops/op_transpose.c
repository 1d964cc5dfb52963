/* Transpose: output dim k is input dim perm[k]; perm defaults to the
 * reversed axes. */
#include "op_tensor.h"

/* The permutation for an input of the given rank, checked. */
static bool transpose_perm(const OpCtx *ctx, const Node *n, int rank, int perm[MAX_RANK])
{
    const Attr *a = node_attr(n, "perm");
    if (!a) {
        for (int k = 0; k < rank; k++)
            perm[k] = rank - 1 - k;
        return true;
    }
    if (a->kind != ATTR_INTS)
        return op_error(ctx, n, "attribute 'perm' must be a list of ints");
    if (rank >= 0 && a->n != rank)
        return op_error(ctx, n, "perm has %d entries for an input of rank %d", a->n, rank);
    if (a->n > MAX_RANK)
        return op_error(ctx, n, "perm has %d entries; at most %d are supported", a->n,
                        MAX_RANK);
    bool seen[MAX_RANK] = { false };
    for (int k = 0; k < a->n; k++) {
        int64_t p = a->ints[k];
        if (p < 0 || p >= a->n)
            return op_error(ctx, n, "perm entry %d is %lld; it must be in [0, %d)", k,
                            (long long)p, a->n);
        if (seen[p])
            return op_error(ctx, n, "perm lists axis %lld twice", (long long)p);
        seen[p] = true;
        perm[k] = (int)p;
    }
    return true;
}

static bool transpose_check(const OpCtx *ctx, const Node *n)
{
    int perm[MAX_RANK];
    return transpose_perm(ctx, n, -1, perm);
}

static bool transpose_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    Shape out = { -1, { 0 } };
    int perm[MAX_RANK];
    if (x->shape.rank >= 0) {
        if (!transpose_perm(ctx, n, x->shape.rank, perm))
            return false;
        out.rank = x->shape.rank;
        for (int k = 0; k < out.rank; k++)
            out.dims[k] = x->shape.dims[perm[k]];
    } else {
        const Attr *a = node_attr(n, "perm");
        if (a && a->kind == ATTR_INTS && a->n <= MAX_RANK) {
            shape_set_unknown(&out, a->n);
        }
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool transpose_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    int rank = x->shape.rank, perm[MAX_RANK];
    if (!transpose_perm(ctx, n, rank, perm))
        return false;
    Shape shape = { rank, { 0 } };
    for (int k = 0; k < rank; k++)
        shape.dims[k] = x->shape.dims[perm[k]];
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    /* Walk the output in order, with the input offset following along:
     * output axis k steps the input by the stride of input axis perm[k]. */
    int64_t in_strides[MAX_RANK], step[MAX_RANK], idx[MAX_RANK] = { 0 };
    shape_strides(&x->shape, in_strides);
    for (int k = 0; k < rank; k++)
        step[k] = in_strides[perm[k]];
    int64_t src = 0;
    for (int64_t o = 0; o < y->count; o++) {
        value_move(y, o, x, src);
        for (int k = rank - 1; k >= 0; k--) {
            src += step[k];
            if (++idx[k] < shape.dims[k])
                break;
            src -= step[k] * shape.dims[k];
            idx[k] = 0;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_transpose = {
    OP_TRANSPOSE, "Transpose", DOMAIN_ONNX, 1, 1, 1, 1, transpose_check, transpose_infer, transpose_eval,
};
