/* Standard ONNX nodes and constants for the export rewrites (export_build.h). */
#include "export_build.h"

#include <stdio.h>

void build_init(Builder *b, Graph *g, const char *base)
{
    b->g = g;
    b->base = base;
    b->count = 0;
    b->failed = false;
}

static Tensor *new_tensor(Builder *b, const char *what)
{
    char name[512];
    snprintf(name, sizeof name, "%.400s.%s", b->base, what);
    Tensor *t = graph_add_tensor(b->g, name);
    b->failed |= t == NULL;
    return t;
}

/* A constant tensor around a new arena value of the given type and shape. */
static Tensor *new_const(Builder *b, const char *what, int et, const Shape *shape)
{
    Tensor *t = b->failed ? NULL : new_tensor(b, what);
    Value *v = t ? value_new_in(&b->g->arena, et, shape) : NULL;
    if (!v) {
        b->failed = true;
        return NULL;
    }
    t->value = v;
    t->elem_type = et;
    t->shape = *shape;
    return t;
}

Tensor *build_scalar(Builder *b, const char *what, float v)
{
    Shape scalar = { 0, { 0 } };
    Tensor *t = new_const(b, what, ET_FLOAT, &scalar);
    if (t)
        t->value->f[0] = v;
    return t;
}

Tensor *build_int_scalar(Builder *b, const char *what, int et, int64_t v)
{
    Shape scalar = { 0, { 0 } };
    Tensor *t = new_const(b, what, et, &scalar);
    if (t)
        t->value->i[0] = v;
    return t;
}

Tensor *build_const(Builder *b, const char *what, const Value *v)
{
    Tensor *t = new_const(b, what, ET_FLOAT, &v->shape);
    for (int64_t k = 0; t && k < v->count; k++)
        t->value->f[k] = (float)value_get(v, k);
    return t;
}

Tensor *build_op(Builder *b, const char *op, Tensor *a, Tensor *b2, Tensor *c)
{
    if (b->failed || !a)
        return NULL;
    int n_in = c ? 3 : b2 ? 2 : 1;
    char name[512], what[32];
    snprintf(name, sizeof name, "%.400s.%d_%s", b->base, b->count, op);
    snprintf(what, sizeof what, "%d", b->count);
    b->count++;
    Node *n = graph_add_node(b->g, name, op, "", n_in, 1);
    Tensor *out = n ? new_tensor(b, what) : NULL;
    if (!out) {
        b->failed = true;
        return NULL;
    }
    Tensor *in[3] = { a, b2, c };
    for (int k = 0; k < n_in; k++)
        n->inputs[k] = in[k];
    n->outputs[0] = out;
    out->producer = n;
    return out;
}

bool build_finish(Builder *b, Tensor *last, Tensor *out)
{
    if (b->failed || !last)
        return false;
    Node *n = last->producer;
    n->outputs[0] = out;
    out->producer = n;
    last->producer = NULL;   /* an orphan now; graph_drop_unused_tensors removes it */
    return true;
}

/* Sign(v) * r: a magnitude rounded on |v| given back v's sign. */
static Tensor *with_sign_of(Builder *b, Tensor *v, Tensor *r)
{
    return build_op(b, "Mul", build_op(b, "Sign", v, NULL, NULL), r, NULL);
}

Tensor *build_round(Builder *b, Tensor *v, QonnxRounding mode)
{
    switch (mode) {
    case QROUND_HALF_EVEN: return build_op(b, "Round", v, NULL, NULL);
    case QROUND_FLOOR: return build_op(b, "Floor", v, NULL, NULL);
    case QROUND_CEIL: return build_op(b, "Ceil", v, NULL, NULL);
    case QROUND_DOWN:
        return with_sign_of(b, v, build_op(b, "Floor", build_op(b, "Abs", v, NULL, NULL), NULL,
                                           NULL));
    case QROUND_UP:
        return with_sign_of(b, v, build_op(b, "Ceil", build_op(b, "Abs", v, NULL, NULL), NULL,
                                           NULL));
    case QROUND_HALF_UP:
    case QROUND_HALF_DOWN: {
        Tensor *a = build_op(b, "Abs", v, NULL, NULL);
        Tensor *f = build_op(b, "Floor", a, NULL, NULL);
        Tensor *frac2 = build_op(b, "Mul", build_op(b, "Sub", a, f, NULL),
                                 build_scalar(b, "two", 2.0f), NULL);
        Tensor *up;   /* 1 when the fraction rounds up, else 0 */
        if (mode == QROUND_HALF_UP)
            up = build_op(b, "Floor", frac2, NULL, NULL);
        else
            up = build_op(b, "Relu",
                          build_op(b, "Ceil", build_op(b, "Sub", frac2,
                                                       build_scalar(b, "one", 1.0f), NULL),
                                   NULL, NULL),
                          NULL, NULL);
        return with_sign_of(b, v, build_op(b, "Add", f, up, NULL));
    }
    }
    b->failed = true;
    return NULL;
}
