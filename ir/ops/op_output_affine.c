/* OutputAffine (domain qonnxc): the float boundary at the output of the
 * integer graph, docs/integer-graph.md.
 *
 * Inputs: X (integer), A and B (float constants, 1-D of C entries or one
 * entry). Attribute: channel_axis (default 1; negative counts from the
 * end), the axis of X that A and B are indexed by when they have C > 1
 * entries.
 *
 *     out = (float)((double)A[c] * X + (double)B[c])
 *
 * the scale and bias that the integer layers pushed forward, one rounding
 * to float32 at the end. */
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"

static bool oa_params(const OpCtx *ctx, const Node *n, const Value *a, const Value *b,
                      int64_t *c)
{
    char sa[96], sb[96];
    if (!a->f || !b->f)
        return op_error(ctx, n, "A and B must be float tensors");
    if (a->shape.rank > 1 || b->shape.rank > 1 || a->count != b->count || a->count < 1)
        return op_error(ctx, n, "A and B must be 1-D of one length; got %s and %s",
                        shape_str(&a->shape, sa, sizeof sa), shape_str(&b->shape, sb, sizeof sb));
    *c = a->count;
    return true;
}

bool output_affine_params(const OpCtx *ctx, const Node *n, OutputAffineParams *p)
{
    memset(p, 0, sizeof *p);
    if (node_kind(n) != OP_OUTPUT_AFFINE)
        return op_error(ctx, n, "is not an OutputAffine");
    p->x = n->inputs[0];
    p->a = n->inputs[1];
    p->b = n->inputs[2];
    p->y = n->outputs[0];
    const Attr *at = node_attr(n, "channel_axis");
    if (at && at->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'channel_axis' must be an int");
    p->channel_axis = at ? at->i : 1;
    return true;
}

static bool oa_axis(const OpCtx *ctx, const Node *n, const Shape *x, int64_t c, int *axis)
{
    *axis = -1;
    OutputAffineParams p;
    if (!output_affine_params(ctx, n, &p))
        return false;
    if (c == 1 || x->rank < 0)
        return true;
    if (!op_axis(ctx, n, p.channel_axis, x->rank, axis))
        return false;
    if (x->dims[*axis] >= 0 && x->dims[*axis] != c)
        return op_error(ctx, n, "A and B have %lld entries but X has %lld channels on axis %d",
                        (long long)c, (long long)x->dims[*axis], *axis);
    return true;
}

static bool oa_check(const OpCtx *ctx, const Node *n)
{
    int64_t c;
    int axis;
    if (!int_need_const(ctx, n, 1, "A") || !int_need_const(ctx, n, 2, "B") ||
        !oa_params(ctx, n, n->inputs[1]->value, n->inputs[2]->value, &c))
        return false;
    return oa_axis(ctx, n, &n->inputs[0]->shape, c, &axis);
}

static bool oa_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, ET_FLOAT, &n->inputs[0]->shape);
    return true;
}

static bool oa_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    int64_t c;
    int axis;
    if (!int_need_int(ctx, n, in, 0, "X"))
        return false;
    if (!in[1] || !in[2])
        return op_error(ctx, n, "A and B need values");
    const Value *x = in[0], *a = in[1], *b = in[2];
    if (!oa_params(ctx, n, a, b, &c) || !oa_axis(ctx, n, &x->shape, c, &axis))
        return false;
    int64_t inner = 1;
    for (int d = axis + 1; axis >= 0 && d < x->shape.rank; d++)
        inner *= x->shape.dims[d];
    Value *y = op_new_value(ctx, n, ET_FLOAT, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        int64_t ch = c == 1 ? 0 : (k / inner) % c;
        y->f[k] = (float)((double)a->f[ch] * (double)x->i[k] + (double)b->f[ch]);
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_output_affine = {
    OP_OUTPUT_AFFINE, "OutputAffine", DOMAIN_QONNXC, 3, 3, 1, 1, oa_check, oa_infer, oa_eval,
};
