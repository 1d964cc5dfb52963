#include "op_tensor.h"

#include <string.h>

bool int_list_from_value(const OpCtx *ctx, const Node *n, const Value *v, const char *what,
                         bool allow_scalar, IntList *out)
{
    out->n = 0;
    if (!v->i || elem_type_is_float(v->elem_type))
        return op_error(ctx, n, "%s must be an integer tensor, not %s", what,
                        elem_type_name(v->elem_type));
    if (v->shape.rank != 1 && !(allow_scalar && v->shape.rank == 0))
        return op_error(ctx, n, "%s must be a 1-D tensor, not of rank %d", what,
                        v->shape.rank);
    if (v->count > INT_LIST_MAX)
        return op_error(ctx, n, "%s has %lld entries; at most %d are supported", what,
                        (long long)v->count, INT_LIST_MAX);
    out->n = (int)v->count;
    for (int k = 0; k < out->n; k++)
        out->v[k] = v->i[k];
    return true;
}

bool int_list_from_attr(const OpCtx *ctx, const Node *n, const Attr *a, IntList *out)
{
    out->n = 0;
    if (a->kind != ATTR_INTS)
        return op_error(ctx, n, "attribute '%s' must be a list of ints", a->name);
    if (a->n > INT_LIST_MAX)
        return op_error(ctx, n, "attribute '%s' has %d entries; at most %d are supported",
                        a->name, a->n, INT_LIST_MAX);
    out->n = a->n;
    for (int k = 0; k < a->n; k++)
        out->v[k] = a->ints[k];
    return true;
}

const Tensor *op_input(const Node *n, int k)
{
    return k < n->n_inputs ? n->inputs[k] : NULL;
}

const Value *op_const_input(const Node *n, int k)
{
    const Tensor *t = op_input(n, k);
    return t ? t->value : NULL;
}

bool op_axes_normalize(const OpCtx *ctx, const Node *n, IntList *axes, int rank)
{
    bool seen[MAX_RANK] = { false };
    for (int k = 0; k < axes->n; k++) {
        int a;
        if (rank == 0)
            return op_error(ctx, n, "axis %lld is out of range for rank 0",
                            (long long)axes->v[k]);
        if (!op_axis(ctx, n, axes->v[k], rank, &a))
            return false;
        if (seen[a])
            return op_error(ctx, n, "axis %lld is listed twice", (long long)axes->v[k]);
        seen[a] = true;
        axes->v[k] = a;
    }
    return true;
}

bool op_need_input(const OpCtx *ctx, const Node *n, const Value *const *in, int k)
{
    if (k >= n->n_inputs || !in[k])
        return op_error(ctx, n, "input %d is missing", k);
    return true;
}

bool op_same_storage(const OpCtx *ctx, const Node *n, const Value *a, const Value *b,
                     const char *what)
{
    if (value_is_float_storage(a) != value_is_float_storage(b))
        return op_error(ctx, n, "%s: element types %s and %s differ", what,
                        elem_type_name(a->elem_type), elem_type_name(b->elem_type));
    return true;
}

Value *op_value_reshaped(const OpCtx *ctx, const Node *n, const Value *x, const Shape *s)
{
    if (shape_count(s) != x->count) {
        char a[96], b[96];
        op_error(ctx, n, "cannot view %s as %s: element counts differ",
                 shape_str(&x->shape, a, sizeof a), shape_str(s, b, sizeof b));
        return NULL;
    }
    Value *y = op_new_value(ctx, n, x->elem_type, s);
    if (!y)
        return NULL;
    if (x->f)
        memcpy(y->f, x->f, (size_t)x->count * sizeof *x->f);
    else
        memcpy(y->i, x->i, (size_t)x->count * sizeof *x->i);
    return y;
}
