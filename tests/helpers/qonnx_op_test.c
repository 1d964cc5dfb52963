#include "qonnx_op_test.h"

#include <stdlib.h>
#include <string.h>

OpTest *optest_new(const char *op_type, const char *domain, int64_t opset, int n_inputs)
{
    OpTest *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    diag_init(&t->d);
    t->g = graph_new("optest.onnx");
    if (!t->g) {
        free(t);
        return NULL;
    }
    Graph *g = t->g;
    /* the opset import must exist before the node: graph_add_node reads it */
    if (opset > 0) {
        g->opsets = arena_array(&g->arena, 1, sizeof *g->opsets);
        g->opsets[0].domain = arena_strdup(&g->arena, domain);
        g->opsets[0].version = opset;
        g->n_opsets = 1;
    }
    g->inputs = arena_array(&g->arena, (size_t)n_inputs + 1, sizeof *g->inputs);
    g->outputs = arena_array(&g->arena, 1, sizeof *g->outputs);
    t->node = graph_add_node(g, "node0", op_type, domain, n_inputs, 1);
    t->out = graph_add_tensor(g, "y");
    if (!g->inputs || !g->outputs || !t->node || !t->out) {
        optest_free(t);
        return NULL;
    }
    t->node->outputs[0] = t->out;
    t->out->producer = t->node;
    t->out->is_graph_output = true;
    g->outputs[0] = t->out;
    g->n_outputs = 1;
    return t;
}

void optest_free(OpTest *t)
{
    if (!t)
        return;
    graph_free(t->g);
    free(t);
}

static void set_shape(Shape *s, int rank, const int64_t *dims)
{
    s->rank = rank;
    for (int k = 0; k < rank; k++)
        s->dims[k] = dims[k];
}

Tensor *optest_input(OpTest *t, int k, const char *name, int rank, const int64_t *dims)
{
    Tensor *x = graph_add_tensor(t->g, name);
    if (!x)
        return NULL;
    x->elem_type = ET_FLOAT;
    set_shape(&x->shape, rank, dims);
    x->is_graph_input = true;
    t->g->inputs[t->g->n_inputs++] = x;
    t->node->inputs[k] = x;
    return x;
}

Tensor *optest_const(OpTest *t, int k, const char *name, int elem_type, int rank,
                     const int64_t *dims, const double *data)
{
    Tensor *c = graph_add_tensor(t->g, name);
    if (!c)
        return NULL;
    Shape s;
    set_shape(&s, rank, dims);
    c->value = value_new_in(&t->g->arena, elem_type, &s);
    if (!c->value)
        return NULL;
    for (int64_t j = 0; j < c->value->count; j++)
        value_set(c->value, j, data[j]);
    c->elem_type = elem_type;
    c->shape = s;
    t->node->inputs[k] = c;
    return c;
}

Tensor *optest_scalar(OpTest *t, int k, const char *name, int elem_type, double v)
{
    return optest_const(t, k, name, elem_type, 0, NULL, &v);
}

/* Appends an attribute; the array is re-made in the arena each time. */
static Attr *add_attr(OpTest *t, const char *name, AttrKind kind)
{
    Node *n = t->node;
    Attr *a = arena_array(&t->g->arena, (size_t)n->n_attrs + 1, sizeof *a);
    if (!a)
        return NULL;
    if (n->n_attrs)
        memcpy(a, n->attrs, (size_t)n->n_attrs * sizeof *a);
    n->attrs = a;
    Attr *at = &a[n->n_attrs++];
    at->name = arena_strdup(&t->g->arena, name);
    at->kind = kind;
    return at;
}

void optest_attr_int(OpTest *t, const char *name, int64_t v)
{
    Attr *a = add_attr(t, name, ATTR_INT);
    if (a)
        a->i = v;
}

void optest_attr_float(OpTest *t, const char *name, float v)
{
    Attr *a = add_attr(t, name, ATTR_FLOAT);
    if (a)
        a->f = v;
}

void optest_attr_string(OpTest *t, const char *name, const char *v)
{
    Attr *a = add_attr(t, name, ATTR_STRING);
    if (a)
        a->s = arena_strdup(&t->g->arena, v);
}

bool optest_prepare(OpTest *t)
{
    if (!graph_resolve_ops(t->g, &t->d))
        return false;
    OpCtx ctx = { t->g, &t->d };
    return t->node->op->infer(&ctx, t->node);
}

bool optest_run_f(OpTest *t, const float *x, float *y)
{
    if (!t->node->op && !optest_prepare(t))
        return false;
    const Tensor *in = t->node->inputs[0];
    Value *xv = value_new(ET_FLOAT, &in->shape);
    if (!xv)
        return false;
    memcpy(xv->f, x, (size_t)xv->count * sizeof(float));
    const Value *inputs[1] = { xv };
    Value *outputs[1] = { NULL };
    bool ok = exec_run(t->g, inputs, outputs, &t->d);
    if (ok && outputs[0]->f && outputs[0]->count == xv->count)
        memcpy(y, outputs[0]->f, (size_t)xv->count * sizeof(float));
    else
        ok = false;
    value_free(outputs[0]);
    value_free(xv);
    return ok;
}

bool optest_error_says(const OpTest *t, const char *what)
{
    return t->d.failed && strstr(t->d.msg, "node0") && strstr(t->d.msg, what);
}
