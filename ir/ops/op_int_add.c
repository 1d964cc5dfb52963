/* IntAdd and IntScaledAdd (domain qonnxc), docs/integer-graph.md, with
 * ONNX (numpy) broadcasting:
 *
 *   IntAdd         A + B                  (two tensors of one scale)
 *   IntScaledAdd   mul_a * A + mul_b * B  (scales in an integer ratio: the
 *                  side with the larger scale is multiplied by the ratio)
 *
 * Plain int64 arithmetic; a product or sum that would overflow int64 is
 * an error. Parameters: int_add_params. */
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"
#include "op_math.h"

static bool read_mul(const OpCtx *ctx, const Node *n, const char *name, int64_t *v)
{
    const Attr *a = node_attr(n, name);
    if (!a)
        return op_error(ctx, n, "attribute '%s' is required", name);
    if (a->kind != ATTR_INT || a->i < 1 || a->i > ((int64_t)1 << 30))
        return op_error(ctx, n, "attribute '%s' must be an int in 1..2^30", name);
    *v = a->i;
    return true;
}

bool int_add_params(const OpCtx *ctx, const Node *n, IntAddParams *p)
{
    memset(p, 0, sizeof *p);
    OpKind kind = node_kind(n);
    if (kind != OP_INT_ADD && kind != OP_INT_SCALED_ADD)
        return op_error(ctx, n, "is not an IntAdd or IntScaledAdd");
    p->a = n->inputs[0];
    p->b = n->inputs[1];
    p->y = n->outputs[0];
    p->mul_a = p->mul_b = 1;
    return kind == OP_INT_ADD ||
           (read_mul(ctx, n, "mul_a", &p->mul_a) && read_mul(ctx, n, "mul_b", &p->mul_b));
}

static bool iadd_check(const OpCtx *ctx, const Node *n)
{
    IntAddParams p;
    return int_add_params(ctx, n, &p);
}

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
    IntAddParams prm;
    if (!int_add_params(ctx, n, &prm))
        return false;
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
        for (int64_t j = 0; j < len; j++) {
            int64_t ta, tb;
            if (__builtin_mul_overflow(a->i[it.oa + j * da], prm.mul_a, &ta) ||
                __builtin_mul_overflow(b->i[it.ob + j * db], prm.mul_b, &tb) ||
                __builtin_add_overflow(ta, tb, &y->i[r * len + j])) {
                value_free(y);
                return op_error(ctx, n, "the sum overflows int64");
            }
        }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_add = {
    OP_INT_ADD, "IntAdd", DOMAIN_QONNXC, 2, 2, 1, 1, iadd_check, iadd_infer, iadd_eval,
};
const OpDef op_qonnxc_int_scaled_add = {
    OP_INT_SCALED_ADD, "IntScaledAdd", DOMAIN_QONNXC, 2, 2, 1, 1, iadd_check, iadd_infer,
    iadd_eval,
};
