/* Gather and GatherElements: pick entries of `data` along `axis` by an
 * integer index tensor. Negative indices count from the end of the axis;
 * an index out of [-dim, dim) is an error. */
#include "op_tensor.h"

static bool gather_check(const OpCtx *ctx, const Node *n)
{
    const Attr *a = node_attr(n, "axis");
    if (a && a->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'axis' must be an int");
    return true;
}

/* Index k of `indices` normalised into [0, dim). */
static bool gather_index(const OpCtx *ctx, const Node *n, const Value *indices, int64_t k,
                         int64_t dim, int64_t *out)
{
    int64_t i = indices->i[k];
    if (i < -dim || i >= dim)
        return op_error(ctx, n, "index %lld is out of range for an axis of extent %lld",
                        (long long)i, (long long)dim);
    *out = i < 0 ? i + dim : i;
    return true;
}

static bool indices_integral(const OpCtx *ctx, const Node *n, const Value *indices)
{
    if (!indices->i || elem_type_is_float(indices->elem_type))
        return op_error(ctx, n, "indices must be integers, not %s",
                        elem_type_name(indices->elem_type));
    return true;
}

/* ---- Gather ------------------------------------------------------------ */

/* data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
static bool gather_shape(const OpCtx *ctx, const Node *n, const Shape *data, const Shape *idx,
                         int *axis, Shape *out)
{
    out->rank = -1;
    if (data->rank < 0)
        return true;
    if (data->rank == 0)
        return op_error(ctx, n, "data must have rank >= 1");
    if (!op_axis(ctx, n, node_attr_int(n, "axis", 0), data->rank, axis))
        return false;
    if (idx->rank < 0)
        return true;
    int rank = data->rank - 1 + idx->rank;
    if (rank > MAX_RANK)
        return op_error(ctx, n, "output rank %d exceeds the limit of %d", rank, MAX_RANK);
    out->rank = 0;
    for (int k = 0; k < *axis; k++)
        out->dims[out->rank++] = data->dims[k];
    for (int k = 0; k < idx->rank; k++)
        out->dims[out->rank++] = idx->dims[k];
    for (int k = *axis + 1; k < data->rank; k++)
        out->dims[out->rank++] = data->dims[k];
    return true;
}

static bool gather_infer(const OpCtx *ctx, Node *n)
{
    Shape out;
    int axis = 0;
    if (!gather_shape(ctx, n, &n->inputs[0]->shape, &n->inputs[1]->shape, &axis, &out))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &out);
    return true;
}

static bool gather_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0) || !op_need_input(ctx, n, in, 1))
        return false;
    const Value *data = in[0], *idx = in[1];
    Shape shape;
    int axis = 0;
    if (!indices_integral(ctx, n, idx) ||
        !gather_shape(ctx, n, &data->shape, &idx->shape, &axis, &shape))
        return false;
    int64_t dim = data->shape.dims[axis];
    /* every index is checked, even when the output is empty */
    int64_t unused;
    for (int64_t k = 0; k < idx->count; k++)
        if (!gather_index(ctx, n, idx, k, dim, &unused))
            return false;
    Value *y = op_new_value(ctx, n, data->elem_type, &shape);
    if (!y)
        return false;
    /* a non-empty output means non-empty data: the products cannot overflow */
    int64_t outer = y->count ? 1 : 0, inner = 1;
    for (int k = 0; outer && k < axis; k++)
        outer *= data->shape.dims[k];
    for (int k = axis + 1; outer && k < data->shape.rank; k++)
        inner *= data->shape.dims[k];
    int64_t o = 0;
    for (int64_t i = 0; i < outer; i++)
        for (int64_t k = 0; k < idx->count; k++) {
            int64_t j = idx->i[k] < 0 ? idx->i[k] + dim : idx->i[k];  /* checked above */
            for (int64_t e = 0; e < inner; e++)
                value_move(y, o++, data, (i * dim + j) * inner + e);
        }
    out[0] = y;
    return true;
}

const OpDef op_gather = {
    OP_GATHER, "Gather", DOMAIN_ONNX, 2, 2, 1, 1, gather_check, gather_infer, gather_eval,
};

/* ---- GatherElements ---------------------------------------------------- */

/* out[i0, .., ik, ..] = data[i0, .., indices[i0, .., ik, ..], ..] along
 * axis k; indices has data's rank and its shape is the output's. */
static bool gather_elements_infer(const OpCtx *ctx, Node *n)
{
    const Shape *data = &n->inputs[0]->shape, *idx = &n->inputs[1]->shape;
    int axis = 0;
    if (data->rank >= 0 && !op_axis(ctx, n, node_attr_int(n, "axis", 0), data->rank, &axis))
        return false;
    if (data->rank >= 0 && idx->rank >= 0 && data->rank != idx->rank)
        return op_error(ctx, n, "indices have rank %d; data has rank %d", idx->rank,
                        data->rank);
    op_set_output(n, 0, n->inputs[0]->elem_type, idx);
    return true;
}

static bool gather_elements_eval(const OpCtx *ctx, const Node *n, const Value *const *in,
                                 Value **out)
{
    if (!op_need_input(ctx, n, in, 0) || !op_need_input(ctx, n, in, 1))
        return false;
    const Value *data = in[0], *idx = in[1];
    int rank = data->shape.rank, axis;
    if (!indices_integral(ctx, n, idx))
        return false;
    if (rank == 0)
        return op_error(ctx, n, "data must have rank >= 1");
    if (!op_axis(ctx, n, node_attr_int(n, "axis", 0), rank, &axis))
        return false;
    if (idx->shape.rank != rank)
        return op_error(ctx, n, "indices have rank %d; data has rank %d", idx->shape.rank,
                        rank);
    for (int k = 0; k < rank; k++)
        if (k != axis && idx->shape.dims[k] > data->shape.dims[k])
            return op_error(ctx, n, "indices extend past data along axis %d", k);
    Value *y = op_new_value(ctx, n, data->elem_type, &idx->shape);
    if (!y)
        return false;
    int64_t strides[MAX_RANK], pos[MAX_RANK] = { 0 };
    shape_strides(&data->shape, strides);
    for (int64_t o = 0; o < y->count; o++) {
        int64_t j = 0;
        if (!gather_index(ctx, n, idx, o, data->shape.dims[axis], &j)) {
            value_free(y);
            return false;
        }
        int64_t src = 0;
        for (int k = 0; k < rank; k++)
            src += (k == axis ? j : pos[k]) * strides[k];
        value_move(y, o, data, src);
        for (int k = rank - 1; k >= 0; k--) {
            if (++pos[k] < idx->shape.dims[k])
                break;
            pos[k] = 0;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_gather_elements = {
    OP_GATHER_ELEMENTS, "GatherElements", DOMAIN_ONNX, 2, 2, 1, 1, gather_check, gather_elements_infer,
    gather_elements_eval,
};
