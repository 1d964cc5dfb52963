/* Constant (a tensor given by exactly one attribute: value, value_float,
 * value_floats, value_int or value_ints) and ConstantOfShape (a tensor of
 * the shape input 0 gives, filled with the one element of `value`, float32
 * 0 by default). String and sparse constants are not supported. */
#include "op_tensor.h"

#include <string.h>

/* ---- Constant ---------------------------------------------------------- */

static const struct {
    const char *name;
    AttrKind kind;
    bool supported;
} constant_attrs[] = {
    { "value", ATTR_TENSOR, true },
    { "value_float", ATTR_FLOAT, true },
    { "value_floats", ATTR_FLOATS, true },
    { "value_int", ATTR_INT, true },
    { "value_ints", ATTR_INTS, true },
    { "value_string", ATTR_STRING, false },
    { "value_strings", ATTR_STRINGS, false },
    { "sparse_value", ATTR_OTHER, false },
};

/* The one attribute that gives the constant; NULL with an error. */
static const Attr *constant_attr(const OpCtx *ctx, const Node *n)
{
    const Attr *found = NULL;
    for (size_t k = 0; k < sizeof constant_attrs / sizeof constant_attrs[0]; k++) {
        const Attr *a = node_attr(n, constant_attrs[k].name);
        if (!a)
            continue;
        if (found)
            return op_error(ctx, n, "has both '%s' and '%s'; exactly one value attribute is "
                            "allowed", found->name, a->name), NULL;
        if (!constant_attrs[k].supported)
            return op_error(ctx, n, "attribute '%s': string and sparse constants are not "
                            "supported", a->name), NULL;
        if (a->kind != constant_attrs[k].kind)
            return op_error(ctx, n, "attribute '%s' has the wrong kind", a->name), NULL;
        if (a->kind == ATTR_TENSOR && !a->t)
            return op_error(ctx, n, "attribute '%s' holds no tensor", a->name), NULL;
        found = a;
    }
    if (!found)
        op_error(ctx, n, "has no value attribute (value, value_float, value_floats, "
                 "value_int or value_ints)");
    return found;
}

static void constant_type_shape(const Attr *a, int *elem_type, Shape *shape)
{
    *shape = (Shape){ 0, { 0 } };
    switch (a->kind) {
    case ATTR_TENSOR:
        *elem_type = a->t->elem_type;
        *shape = a->t->shape;
        return;
    case ATTR_FLOAT: case ATTR_FLOATS:
        *elem_type = ET_FLOAT;
        break;
    default:
        *elem_type = ET_INT64;
        break;
    }
    if (a->kind == ATTR_FLOATS || a->kind == ATTR_INTS) {
        shape->rank = 1;
        shape->dims[0] = a->n;
    }
}

static bool constant_check(const OpCtx *ctx, const Node *n)
{
    return constant_attr(ctx, n) != NULL;
}

static bool constant_infer(const OpCtx *ctx, Node *n)
{
    const Attr *a = constant_attr(ctx, n);
    if (!a)
        return false;
    int elem_type;
    Shape shape;
    constant_type_shape(a, &elem_type, &shape);
    op_set_output(n, 0, elem_type, &shape);
    return true;
}

static bool constant_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    (void)in;
    const Attr *a = constant_attr(ctx, n);
    if (!a)
        return false;
    if (a->kind == ATTR_TENSOR) {
        out[0] = op_value_reshaped(ctx, n, a->t, &a->t->shape);
        return out[0] != NULL;
    }
    int elem_type;
    Shape shape;
    constant_type_shape(a, &elem_type, &shape);
    Value *y = op_new_value(ctx, n, elem_type, &shape);
    if (!y)
        return false;
    switch (a->kind) {
    case ATTR_FLOAT: y->f[0] = a->f; break;
    case ATTR_INT: y->i[0] = a->i; break;
    case ATTR_FLOATS:
        if (a->n)
            memcpy(y->f, a->floats, (size_t)a->n * sizeof *y->f);
        break;
    default:
        if (a->n)
            memcpy(y->i, a->ints, (size_t)a->n * sizeof *y->i);
        break;
    }
    out[0] = y;
    return true;
}

const OpDef op_constant = {
    OP_CONSTANT, "Constant", DOMAIN_ONNX, 0, 0, 1, 1, constant_check, constant_infer, constant_eval,
};

/* ---- ConstantOfShape --------------------------------------------------- */

/* The fill value: the `value` attribute's only element, or NULL for the
 * default float32 0. False with an error if the attribute is malformed. */
static bool fill_value(const OpCtx *ctx, const Node *n, const Value **fill)
{
    *fill = NULL;
    const Attr *a = node_attr(n, "value");
    if (!a)
        return true;
    if (a->kind != ATTR_TENSOR || !a->t)
        return op_error(ctx, n, "attribute 'value' must be a tensor");
    if (a->t->count != 1)
        return op_error(ctx, n, "attribute 'value' must hold one element, not %lld",
                        (long long)a->t->count);
    *fill = a->t;
    return true;
}

/* The output shape from the shape list; false with an error on negative
 * extents or too many dims. */
static bool shape_from_list(const OpCtx *ctx, const Node *n, const IntList *s, Shape *out)
{
    if (s->n > MAX_RANK)
        return op_error(ctx, n, "shape has %d dims; at most %d are supported", s->n, MAX_RANK);
    out->rank = s->n;
    for (int k = 0; k < s->n; k++) {
        if (s->v[k] < 0)
            return op_error(ctx, n, "shape entry %d is negative (%lld)", k,
                            (long long)s->v[k]);
        out->dims[k] = s->v[k];
    }
    return true;
}

static bool constant_of_shape_check(const OpCtx *ctx, const Node *n)
{
    const Value *fill;
    IntList s;
    Shape shape;
    const Value *sv = op_const_input(n, 0);
    return fill_value(ctx, n, &fill) &&
           (!sv || (int_list_from_value(ctx, n, sv, "shape", false, &s) &&
                    shape_from_list(ctx, n, &s, &shape)));
}

static bool constant_of_shape_infer(const OpCtx *ctx, Node *n)
{
    const Value *fill;
    if (!fill_value(ctx, n, &fill))
        return false;
    Shape shape = { -1, { 0 } };
    const Value *sv = op_const_input(n, 0);
    const Shape *ss = &n->inputs[0]->shape;
    IntList s;
    if (sv) {
        if (!int_list_from_value(ctx, n, sv, "shape", false, &s) ||
            !shape_from_list(ctx, n, &s, &shape))
            return false;
    } else if (ss->rank == 1 && ss->dims[0] >= 0 && ss->dims[0] <= MAX_RANK) {
        shape.rank = (int)ss->dims[0];
        for (int k = 0; k < shape.rank; k++)
            shape.dims[k] = -1;
    }
    op_set_output(n, 0, fill ? fill->elem_type : ET_FLOAT, &shape);
    return true;
}

static bool constant_of_shape_eval(const OpCtx *ctx, const Node *n, const Value *const *in,
                                   Value **out)
{
    const Value *fill;
    IntList s;
    Shape shape;
    if (!op_need_input(ctx, n, in, 0) || !fill_value(ctx, n, &fill) ||
        !int_list_from_value(ctx, n, in[0], "shape", false, &s) ||
        !shape_from_list(ctx, n, &s, &shape))
        return false;
    Value *y = op_new_value(ctx, n, fill ? fill->elem_type : ET_FLOAT, &shape);
    if (!y)
        return false;
    for (int64_t k = 0; fill && k < y->count; k++)
        value_move(y, k, fill, 0);
    out[0] = y;
    return true;
}

const OpDef op_constant_of_shape = {
    OP_CONSTANT_OF_SHAPE, "ConstantOfShape", DOMAIN_ONNX, 1, 1, 1, 1, constant_of_shape_check,
    constant_of_shape_infer, constant_of_shape_eval,
};
