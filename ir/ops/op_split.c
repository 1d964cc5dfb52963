/* Split: cuts the input along `axis` into one piece per output. The piece
 * sizes are the `split` attribute before opset 13, input 1 from opset 13;
 * without them the axis is cut into equal parts (from opset 18 the
 * `num_outputs` attribute allows a smaller last part). */
#include "op_tensor.h"

/* The executor takes at most 16 outputs per node (ir/exec.c). */
#define SPLIT_MAX_OUTPUTS 16

static bool split_is_attr(const Node *n)
{
    if (n->opset > 0)
        return n->opset < 13;
    return n->n_inputs < 2 || !n->inputs[1];
}

/* The sizes list: 1 when given, 0 when absent (equal parts), 2 when input
 * 1 has no value yet, -1 on error. */
static int split_sizes(const OpCtx *ctx, const Node *n, const Value *sizes_v, IntList *sizes)
{
    sizes->n = 0;
    if (split_is_attr(n)) {
        const Attr *a = node_attr(n, "split");
        if (!a)
            return 0;
        return int_list_from_attr(ctx, n, a, sizes) ? 1 : -1;
    }
    if (!op_input(n, 1))
        return 0;
    if (!sizes_v)
        return 2;
    return int_list_from_value(ctx, n, sizes_v, "split", false, sizes) ? 1 : -1;
}

/* Piece sizes for an axis of extent dim. */
static bool split_plan(const OpCtx *ctx, const Node *n, const Value *sizes_v, int64_t dim,
                       int64_t part[SPLIT_MAX_OUTPUTS])
{
    IntList sizes;
    int found = split_sizes(ctx, n, sizes_v, &sizes);
    if (found < 0)
        return false;
    if (found == 2)
        return op_error(ctx, n, "the split input has no value");
    int outs = n->n_outputs;
    if (found) {
        if (sizes.n != outs)
            return op_error(ctx, n, "split has %d entries for %d outputs", sizes.n, outs);
        int64_t sum = 0;
        for (int k = 0; k < outs; k++) {
            if (sizes.v[k] < 0 || __builtin_add_overflow(sum, sizes.v[k], &sum))
                return op_error(ctx, n, "split entry %d (%lld) is negative or too large", k,
                                (long long)sizes.v[k]);
            part[k] = sizes.v[k];
        }
        if (sum != dim)
            return op_error(ctx, n, "split sizes add up to %lld; the axis has %lld",
                            (long long)sum, (long long)dim);
        return true;
    }
    int64_t num = node_attr_int(n, "num_outputs", 0);
    if (num && num != outs)
        return op_error(ctx, n, "num_outputs is %lld; the node has %d outputs", (long long)num,
                        outs);
    if (!num && dim % outs)
        return op_error(ctx, n, "an axis of %lld cannot be split into %d equal parts",
                        (long long)dim, outs);
    /* ceil(dim / outs) each, the last one taking what remains */
    int64_t each = dim / outs + (dim % outs != 0), left = dim;
    for (int k = 0; k < outs; k++) {
        part[k] = left < each ? left : each;
        left -= part[k];
    }
    return true;
}

static bool split_check(const OpCtx *ctx, const Node *n)
{
    if (split_is_attr(n) && n->n_inputs > 1 && n->inputs[1] && n->opset > 2)
        return op_error(ctx, n, "before opset 13 the split sizes are an attribute");
    if (!split_is_attr(n) && node_attr(n, "split"))
        return op_error(ctx, n, "from opset 13 the split sizes are input 1, not an attribute");
    const Attr *a = node_attr(n, "axis");
    if (a && a->kind != ATTR_INT)
        return op_error(ctx, n, "attribute 'axis' must be an int");
    IntList sizes;
    return split_sizes(ctx, n, op_const_input(n, 1), &sizes) >= 0;
}

static bool split_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    int axis = 0;
    if (x->shape.rank >= 0 &&
        !op_axis(ctx, n, node_attr_int(n, "axis", 0), x->shape.rank, &axis))
        return false;
    int64_t part[SPLIT_MAX_OUTPUTS];
    bool known = x->shape.rank >= 0 && x->shape.dims[axis] >= 0;
    IntList sizes;
    const Value *sv = op_const_input(n, 1);
    if (known && split_sizes(ctx, n, sv, &sizes) == 2)
        known = false;
    if (known && !split_plan(ctx, n, sv, x->shape.dims[axis], part))
        return false;
    for (int k = 0; k < n->n_outputs; k++) {
        Shape s = x->shape;
        if (s.rank >= 0)
            s.dims[axis] = known ? part[k] : -1;
        op_set_output(n, k, x->elem_type, &s);
    }
    return true;
}

static bool split_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    int axis = 0;
    int64_t part[SPLIT_MAX_OUTPUTS];
    if (n->n_outputs < 1 || n->n_outputs > SPLIT_MAX_OUTPUTS)
        return op_error(ctx, n, "has %d outputs; Split gives 1 to %d", n->n_outputs,
                        SPLIT_MAX_OUTPUTS);
    if (!op_axis(ctx, n, node_attr_int(n, "axis", 0), x->shape.rank, &axis) ||
        !split_plan(ctx, n, n->n_inputs > 1 ? in[1] : NULL, x->shape.dims[axis], part))
        return false;
    /* x is outer blocks of dim * inner elements; output k takes
     * part[k] * inner of each block, starting at offset[k] * inner */
    int64_t outer = x->count ? 1 : 0, inner = 1, dim = x->shape.dims[axis], offset = 0;
    for (int d = 0; outer && d < axis; d++)
        outer *= x->shape.dims[d];
    for (int d = axis + 1; outer && d < x->shape.rank; d++)
        inner *= x->shape.dims[d];
    for (int k = 0; k < n->n_outputs; k++) {
        Shape s = x->shape;
        s.dims[axis] = part[k];
        Value *y = op_new_value(ctx, n, x->elem_type, &s);
        if (!y) {
            for (int j = 0; j < k; j++) {
                value_free(out[j]);
                out[j] = NULL;
            }
            return false;
        }
        int64_t o = 0;
        for (int64_t i = 0; i < outer; i++)
            for (int64_t e = 0; e < part[k] * inner; e++)
                value_move(y, o++, x, (i * dim + offset) * inner + e);
        offset += part[k];
        out[k] = y;
    }
    return true;
}

const OpDef op_split = {
    OP_SPLIT, "Split", DOMAIN_ONNX, 1, 2, 1, SPLIT_MAX_OUTPUTS, split_check, split_infer, split_eval,
};
