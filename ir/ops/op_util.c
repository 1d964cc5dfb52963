#include "op_util.h"

#include <stdarg.h>
#include <stdio.h>

#include "resource_limits.h"

bool op_error(const OpCtx *ctx, const Node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(ctx->d, ctx->g ? ctx->g->path : NULL, n ? n->name : NULL,
                n ? n->op_type : NULL, fmt, ap);
    va_end(ap);
    return false;
}

Value *op_new_value(const OpCtx *ctx, const Node *n, int elem_type, const Shape *shape)
{
    char buf[128];
    bool known = shape->rank >= 0 && shape->rank <= MAX_RANK && shape_known(shape);
    int64_t elements = limits_shape_elements(shape);
    if (known && elements > limit(LIMIT_TENSOR_ELEMENTS)) {
        limit_error(ctx->d, ctx->g ? ctx->g->path : NULL, n ? n->name : NULL,
                    n ? n->op_type : NULL, LIMIT_TENSOR_ELEMENTS, elements,
                    "an output of shape %s", shape_str(shape, buf, sizeof buf));
        return NULL;
    }
    int64_t bytes = limits_value_bytes(elem_type, shape_count(shape));
    int64_t live = limits_add(limits_live_bytes(), bytes);
    if (known && live > limit(LIMIT_ACTIVATION_BYTES)) {
        limit_error(ctx->d, ctx->g ? ctx->g->path : NULL, n ? n->name : NULL,
                    n ? n->op_type : NULL, LIMIT_ACTIVATION_BYTES, live,
                    "an output of shape %s, with the activations alive",
                    shape_str(shape, buf, sizeof buf));
        return NULL;
    }
    Value *v = value_new(elem_type, shape);
    if (!v) {
        op_error(ctx, n, "output of shape %s is too large or unknown",
                 shape_str(shape, buf, sizeof buf));
        diag_set_exit(ctx->d, EXIT_LIMIT);
    }
    return v;
}

bool broadcast_shapes(const OpCtx *ctx, const Node *n, const Shape *a, const Shape *b, Shape *out)
{
    if (a->rank < 0 || b->rank < 0) {
        out->rank = -1;
        return true;
    }
    int rank = a->rank > b->rank ? a->rank : b->rank;
    out->rank = rank;
    for (int k = 0; k < rank; k++) {
        int ka = k - (rank - a->rank), kb = k - (rank - b->rank);
        int64_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
        if (da == 1)
            out->dims[k] = db;
        else if (db == 1)
            out->dims[k] = da;
        else if (da < 0 || db < 0)
            out->dims[k] = da < 0 ? db : da;
        else if (da == db)
            out->dims[k] = da;
        else {
            char sa[96], sb[96];
            return op_error(ctx, n, "shapes %s and %s cannot be broadcast",
                            shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
        }
    }
    return true;
}

void shape_strides(const Shape *s, int64_t strides[MAX_RANK])
{
    int64_t st = 1;
    for (int k = s->rank - 1; k >= 0; k--) {
        strides[k] = st;
        st *= s->dims[k];
    }
}

void shape_index_next(const Shape *s, int64_t idx[MAX_RANK])
{
    for (int k = s->rank - 1; k >= 0; k--) {
        if (++idx[k] < s->dims[k])
            return;
        idx[k] = 0;
    }
}

void shape_set_unknown(Shape *s, int rank)
{
    s->rank = rank;
    for (int k = 0; k < rank; k++)
        s->dims[k] = -1;
}

void broadcast_strides(const Shape *in, const Shape *out, int64_t strides[MAX_RANK])
{
    int64_t own[MAX_RANK];
    shape_strides(in, own);
    int off = out->rank - in->rank;
    for (int k = 0; k < out->rank; k++) {
        int ki = k - off;
        strides[k] = (ki < 0 || in->dims[ki] == 1) ? 0 : own[ki];
    }
}

int64_t broadcast_index(int64_t flat, const Shape *out, const int64_t strides[MAX_RANK])
{
    int64_t idx = 0;
    for (int k = out->rank - 1; k >= 0; k--) {
        int64_t dim = out->dims[k];
        idx += (flat % dim) * strides[k];
        flat /= dim;
    }
    return idx;
}

bool op_axis(const OpCtx *ctx, const Node *n, int64_t axis, int rank, int *out)
{
    if (axis < -rank || axis >= rank || (rank == 0 && axis != 0))
        return op_error(ctx, n, "axis %lld is out of range for rank %d", (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return true;
}

const int64_t *op_attr_ints(const Node *n, const char *name, int *count)
{
    const Attr *a = node_attr(n, name);
    if (!a || a->kind != ATTR_INTS) {
        *count = 0;
        return NULL;
    }
    *count = a->n;
    return a->ints;
}

void op_set_output(Node *n, int k, int elem_type, const Shape *shape)
{
    if (k >= n->n_outputs || !n->outputs[k])
        return;
    n->outputs[k]->elem_type = elem_type;
    n->outputs[k]->shape = *shape;
}

bool infer_same_as_input0(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, n->inputs[0]->elem_type, &n->inputs[0]->shape);
    return true;
}
