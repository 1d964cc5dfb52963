/* Shape (the input's dims as a 1-D int64 tensor; from opset 15 the slice
 * [start, end) of them, negative bounds counting from the end and both
 * clamped to [0, rank]) and Size (the element count as an int64 scalar). */
#include "op_tensor.h"

static bool shape_check(const OpCtx *ctx, const Node *n)
{
    static const char *const names[] = { "start", "end" };
    for (int k = 0; k < 2; k++) {
        const Attr *a = node_attr(n, names[k]);
        if (!a)
            continue;
        if (a->kind != ATTR_INT)
            return op_error(ctx, n, "attribute '%s' must be an int", names[k]);
        if (n->opset > 0 && n->opset < 15)
            return op_error(ctx, n, "attribute '%s' exists from opset 15; the model imports "
                            "opset %lld", names[k], (long long)n->opset);
    }
    return true;
}

static int64_t clamp_bound(int64_t b, int rank)
{
    if (b < 0)
        b += rank;  /* b >= INT64_MIN and rank >= 0: no overflow */
    return b < 0 ? 0 : b > rank ? rank : b;
}

/* The [start, end) range of dims Shape returns for an input of that rank. */
static void shape_range(const Node *n, int rank, int *start, int *end)
{
    *start = (int)clamp_bound(node_attr_int(n, "start", 0), rank);
    *end = (int)clamp_bound(node_attr_int(n, "end", rank), rank);
    if (*end < *start)
        *end = *start;
}

static bool shape_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape out = { 1, { -1 } };
    int rank = n->inputs[0]->shape.rank, start, end;
    if (rank >= 0) {
        shape_range(n, rank, &start, &end);
        out.dims[0] = end - start;
    }
    op_set_output(n, 0, ET_INT64, &out);
    return true;
}

static bool shape_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    int start, end;
    shape_range(n, in[0]->shape.rank, &start, &end);
    Shape s = { 1, { end - start } };
    Value *y = op_new_value(ctx, n, ET_INT64, &s);
    if (!y)
        return false;
    for (int k = start; k < end; k++)
        y->i[k - start] = in[0]->shape.dims[k];
    out[0] = y;
    return true;
}

const OpDef op_shape = {
    OP_SHAPE, "Shape", DOMAIN_ONNX, 1, 1, 1, 1, shape_check, shape_infer, shape_eval,
};

/* ---- Size -------------------------------------------------------------- */

static bool size_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape scalar = { 0, { 0 } };
    op_set_output(n, 0, ET_INT64, &scalar);
    return true;
}

static bool size_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    Shape scalar = { 0, { 0 } };
    Value *y = op_new_value(ctx, n, ET_INT64, &scalar);
    if (!y)
        return false;
    y->i[0] = in[0]->count;
    out[0] = y;
    return true;
}

const OpDef op_size = {
    OP_SIZE, "Size", DOMAIN_ONNX, 1, 1, 1, 1, NULL, size_infer, size_eval,
};
