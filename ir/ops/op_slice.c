/* Slice: along each listed axis, entries start, start + step, ... up to
 * (not including) end. Before opset 10 starts/ends/axes are attributes and
 * the step is 1; from opset 10 they are inputs 1..4 (axes and steps
 * optional). Negative starts/ends count from the end of the axis, then
 * clamp to it (numpy semantics), so out-of-range bounds are not errors. */
#include "op_tensor.h"

typedef struct SliceLists {
    IntList starts, ends, axes, steps;
} SliceLists;

/* Attributes before opset 10; without an opset import, whichever form
 * the node uses. */
static bool slice_attr_form(const Node *n)
{
    if (n->opset > 0)
        return n->opset < 10;
    return n->n_inputs < 3;
}

/* Fills the lists (defaults for axes and steps): 1 when known, 0 when an
 * input has no value (static inference), -1 on error. v[k] is input k. */
static int slice_lists(const OpCtx *ctx, const Node *n, const Value *const v[5], SliceLists *l)
{
    static const char *const names[] = { NULL, "starts", "ends", "axes", "steps" };
    IntList *lists[] = { NULL, &l->starts, &l->ends, &l->axes, &l->steps };
    bool given[5] = { false };
    if (slice_attr_form(n)) {
        for (int k = 1; k <= 3; k++) {
            const Attr *a = node_attr(n, names[k]);
            if (!a) {
                if (k < 3)
                    return op_error(ctx, n, "missing attribute '%s'", names[k]), -1;
                continue;
            }
            if (!int_list_from_attr(ctx, n, a, lists[k]))
                return -1;
            given[k] = true;
        }
    } else {
        for (int k = 1; k <= 4; k++) {
            if (!op_input(n, k))
                continue;
            if (!v[k])
                return 0;
            if (!int_list_from_value(ctx, n, v[k], names[k], false, lists[k]))
                return -1;
            given[k] = true;
        }
        if (!given[1] || !given[2])
            return op_error(ctx, n, "needs starts and ends (inputs 1 and 2)"), -1;
    }
    int count = l->starts.n;
    for (int k = 2; k <= 4; k++)
        if (given[k] && lists[k]->n != count)
            return op_error(ctx, n, "%s has %d entries; starts has %d", names[k], lists[k]->n,
                            count), -1;
    if (count > MAX_RANK)
        return op_error(ctx, n, "slices %d axes; at most %d are supported", count, MAX_RANK),
               -1;
    for (int k = 0; k < count; k++) {
        if (!given[3])
            l->axes.v[k] = k;
        if (!given[4])
            l->steps.v[k] = 1;
        else if (l->steps.v[k] == 0)
            return op_error(ctx, n, "step %d is 0", k), -1;
    }
    l->axes.n = l->steps.n = count;
    return 1;
}

/* Per-axis start and count of a sliced axis of extent dim. */
static void slice_axis(int64_t start, int64_t end, int64_t step, int64_t dim, int64_t *first,
                       int64_t *count)
{
    *first = 0;
    *count = 0;
    if (dim == 0)
        return;
    if (start < 0)
        start += dim;  /* no overflow: start < 0 <= dim */
    if (end < 0)
        end += dim;
    uint64_t dist, ustep;
    if (step > 0) {
        start = start < 0 ? 0 : start > dim ? dim : start;
        end = end < 0 ? 0 : end > dim ? dim : end;
        dist = end > start ? (uint64_t)(end - start) : 0;
        ustep = (uint64_t)step;
    } else {
        start = start < 0 ? 0 : start > dim - 1 ? dim - 1 : start;
        end = end < -1 ? -1 : end > dim - 1 ? dim - 1 : end;
        dist = start > end ? (uint64_t)(start - end) : 0;
        ustep = (uint64_t)(-(step + 1)) + 1;  /* |step| without overflow */
    }
    *first = start;
    *count = (int64_t)((dist + ustep - 1) / ustep);
}

/* Output shape, and per input axis the first index and step. Lists are
 * normalised (axes in [0, rank)). */
static bool slice_plan(const OpCtx *ctx, const Node *n, const Shape *in, SliceLists *l,
                       Shape *out, int64_t first[MAX_RANK], int64_t step[MAX_RANK])
{
    if (!op_axes_normalize(ctx, n, &l->axes, in->rank))
        return false;
    *out = *in;
    for (int k = 0; k < in->rank; k++) {
        first[k] = 0;
        step[k] = 1;
    }
    for (int k = 0; k < l->axes.n; k++) {
        int a = (int)l->axes.v[k];
        if (in->dims[a] < 0) {
            out->dims[a] = -1;
            continue;
        }
        step[a] = l->steps.v[k];
        slice_axis(l->starts.v[k], l->ends.v[k], step[a], in->dims[a], &first[a],
                   &out->dims[a]);
    }
    return true;
}

static void gather_inputs(const Node *n, const Value *const *in, const Value *v[5])
{
    for (int k = 0; k < 5; k++)
        v[k] = k < n->n_inputs ? in[k] : NULL;
}

static bool slice_check(const OpCtx *ctx, const Node *n)
{
    bool attr = slice_attr_form(n);
    if (attr && n->n_inputs > 1)
        return op_error(ctx, n, "before opset 10 starts, ends and axes are attributes, not "
                        "inputs");
    if (!attr && (node_attr(n, "starts") || node_attr(n, "ends")))
        return op_error(ctx, n, "from opset 10 starts and ends are inputs, not attributes");
    const Value *v[5];
    for (int k = 0; k < 5; k++)
        v[k] = op_const_input(n, k);
    SliceLists l;
    return slice_lists(ctx, n, v, &l) >= 0;
}

static bool slice_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    const Value *v[5];
    for (int k = 0; k < 5; k++)
        v[k] = op_const_input(n, k);
    SliceLists l;
    int found = slice_lists(ctx, n, v, &l);
    if (found < 0)
        return false;
    Shape out = x->shape;
    int64_t first[MAX_RANK], step[MAX_RANK];
    if (found && x->shape.rank >= 0) {
        if (!slice_plan(ctx, n, &x->shape, &l, &out, first, step))
            return false;
    } else {
        shape_set_unknown(&out, out.rank);
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

static bool slice_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0], *v[5];
    gather_inputs(n, in, v);
    SliceLists l;
    int found = slice_lists(ctx, n, v, &l);
    if (found == 0)
        return op_error(ctx, n, "an input of Slice has no value");
    Shape shape;
    int64_t first[MAX_RANK], step[MAX_RANK];
    if (found < 0 || !slice_plan(ctx, n, &x->shape, &l, &shape, first, step))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    int rank = shape.rank;
    int64_t strides[MAX_RANK], idx[MAX_RANK] = { 0 };
    shape_strides(&x->shape, strides);
    for (int64_t o = 0; o < y->count; o++) {
        /* idx[k] * step[k] stays within the axis: the output is not empty */
        int64_t src = 0;
        for (int k = 0; k < rank; k++)
            src += (first[k] + idx[k] * step[k]) * strides[k];
        value_move(y, o, x, src);
        shape_index_next(&shape, idx);
    }
    out[0] = y;
    return true;
}

const OpDef op_slice = {
    OP_SLICE, "Slice", DOMAIN_ONNX, 1, 5, 1, 1, slice_check, slice_infer, slice_eval,
};
