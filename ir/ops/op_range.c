/* Range: the 1-D sequence start, start + delta, ... stopping before limit,
 * max(ceil((limit - start) / delta), 0) elements, in the type of the
 * (scalar) inputs. Float sequences are computed as start + i * delta in
 * double and rounded once to float32. */
#include "op_tensor.h"

#include <math.h>

/* Values above this many elements are refused before any allocation. */
#define RANGE_MAX_COUNT ((int64_t)1 << 31)

static int64_t u64_to_i64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}

static bool range_scalars(const OpCtx *ctx, const Node *n, const Value *const v[3])
{
    static const char *const names[] = { "start", "limit", "delta" };
    for (int k = 0; k < 3; k++) {
        if (v[k]->count != 1)
            return op_error(ctx, n, "%s must be a scalar, not %lld elements", names[k],
                            (long long)v[k]->count);
        if (!op_same_storage(ctx, n, v[0], v[k], "start and the other inputs"))
            return false;
    }
    return true;
}

/* Number of elements of the sequence. */
static bool range_count(const OpCtx *ctx, const Node *n, const Value *const v[3], int64_t *count)
{
    if (!range_scalars(ctx, n, v))
        return false;
    if (v[0]->f) {
        double start = v[0]->f[0], limit = v[1]->f[0], delta = v[2]->f[0];
        if (delta == 0)
            return op_error(ctx, n, "delta is 0");
        double c = ceil((limit - start) / delta);
        if (isnan(c))
            return op_error(ctx, n, "start, limit and delta give no finite count");
        if (c > (double)RANGE_MAX_COUNT)
            return op_error(ctx, n, "the range holds too many elements (%g)", c);
        *count = c > 0 ? (int64_t)c : 0;
        return true;
    }
    int64_t start = v[0]->i[0], limit = v[1]->i[0], delta = v[2]->i[0];
    if (delta == 0)
        return op_error(ctx, n, "delta is 0");
    uint64_t dist = 0, step;
    if (delta > 0) {
        if (limit > start)
            dist = (uint64_t)limit - (uint64_t)start;
        step = (uint64_t)delta;
    } else {
        if (start > limit)
            dist = (uint64_t)start - (uint64_t)limit;
        step = (uint64_t)(-(delta + 1)) + 1;
    }
    uint64_t c = dist / step + (dist % step != 0);
    if (c > (uint64_t)RANGE_MAX_COUNT)
        return op_error(ctx, n, "the range holds too many elements (%llu)",
                        (unsigned long long)c);
    *count = (int64_t)c;
    return true;
}

static bool range_infer(const OpCtx *ctx, Node *n)
{
    Shape out = { 1, { -1 } };
    const Value *v[3] = { op_const_input(n, 0), op_const_input(n, 1),
                          op_const_input(n, 2) };
    if (v[0] && v[1] && v[2] && !range_count(ctx, n, v, &out.dims[0]))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &out);
    return true;
}

static bool range_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    for (int k = 0; k < 3; k++)
        if (!op_need_input(ctx, n, in, k))
            return false;
    const Value *v[3] = { in[0], in[1], in[2] };
    Shape s = { 1, { 0 } };
    if (!range_count(ctx, n, v, &s.dims[0]))
        return false;
    Value *y = op_new_value(ctx, n, in[0]->elem_type, &s);
    if (!y)
        return false;
    for (int64_t k = 0; k < y->count; k++) {
        if (y->f)
            y->f[k] = (float)((double)v[0]->f[0] + (double)k * (double)v[2]->f[0]);
        else  /* every element lies between start and limit: the wrap is exact */
            y->i[k] = u64_to_i64((uint64_t)v[0]->i[0] + (uint64_t)k * (uint64_t)v[2]->i[0]);
    }
    out[0] = y;
    return true;
}

const OpDef op_range = {
    OP_RANGE, "Range", DOMAIN_ONNX, 3, 3, 1, 1, NULL, range_infer, range_eval,
};
