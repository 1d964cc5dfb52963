/* IntAdd (domain qonnxc): A + B for integer tensors, with ONNX (numpy)
 * broadcasting, docs/integer-graph.md. The streamliner only builds it for
 * two tensors of one scale; here it is plain int64 addition, and a sum
 * that would overflow int64 is an error. */
#include "op_int.h"
#include "op_math.h"

static bool iadd_infer(const OpCtx *ctx, Node *n)
{
    Shape s;
    if (!broadcast_shapes(ctx, n, &n->inputs[0]->shape, &n->inputs[1]->shape, &s))
        return false;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &s);
    return true;
}

static bool iadd_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!int_need_int(ctx, n, in, 0, "A") || !int_need_int(ctx, n, in, 1, "B"))
        return false;
    const Value *a = in[0], *b = in[1];
    Shape s;
    if (!broadcast_shapes(ctx, n, &a->shape, &b->shape, &s))
        return false;
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &s);
    if (!y)
        return false;
    BcastPlan p;
    BcastIter it;
    bcast_plan(&s, &a->shape, &b->shape, &p);
    int64_t rows = bcast_rows(&p), len = p.dims[p.rank - 1];
    int64_t da = p.sa[p.rank - 1], db = p.sb[p.rank - 1];
    bcast_rows_begin(&it);
    for (int64_t r = 0; r < rows; r++, bcast_rows_next(&p, &it))
        for (int64_t j = 0; j < len; j++)
            if (__builtin_add_overflow(a->i[it.oa + j * da], b->i[it.ob + j * db],
                                       &y->i[r * len + j])) {
                value_free(y);
                return op_error(ctx, n, "the sum overflows int64");
            }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_add = {
    OP_INT_ADD, "IntAdd", DOMAIN_QONNXC, 2, 2, 1, 1, NULL, iadd_infer, iadd_eval,
};
