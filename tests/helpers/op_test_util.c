#include "op_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

OtRun *ot_new(const char *op_type, int64_t opset, int n_inputs, int n_outputs)
{
    if (n_inputs < 0 || n_inputs > OT_MAX_PORTS || n_outputs < 1 || n_outputs > OT_MAX_PORTS)
        return NULL;
    OtRun *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    diag_init(&r->d);
    Graph *g = r->g = graph_new("ot.onnx");
    if (!g) {
        free(r);
        return NULL;
    }
    /* the import must exist before the node: graph_add_node reads it */
    if (opset > 0) {
        g->opsets = arena_array(&g->arena, 1, sizeof *g->opsets);
        if (!g->opsets) {
            ot_free(r);
            return NULL;
        }
        g->opsets[0].domain = "";
        g->opsets[0].version = opset;
        g->n_opsets = 1;
    }
    g->inputs = arena_array(&g->arena, OT_MAX_PORTS, sizeof *g->inputs);
    g->outputs = arena_array(&g->arena, OT_MAX_PORTS, sizeof *g->outputs);
    r->n = graph_add_node(g, "node0", op_type, "", n_inputs, n_outputs);
    if (!g->inputs || !g->outputs || !r->n) {
        ot_free(r);
        return NULL;
    }
    for (int k = 0; k < n_outputs; k++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", k);
        Tensor *t = graph_add_tensor(g, name);
        if (!t) {
            ot_free(r);
            return NULL;
        }
        t->producer = r->n;
        t->is_graph_output = true;
        r->n->outputs[k] = t;
        g->outputs[g->n_outputs++] = t;
    }
    return r;
}

void ot_free(OtRun *r)
{
    if (!r)
        return;
    for (int k = 0; k < OT_MAX_PORTS; k++)
        value_free(r->in[k]);
    graph_free(r->g);
    free(r);
}

void ot_input(OtRun *r, int k, Value *v)
{
    if (k < 0 || k >= r->n->n_inputs)
        return;
    value_free(r->in[k]);
    r->in[k] = v;
    if (!v) {
        r->n->inputs[k] = NULL;
        return;
    }
    char name[16];
    snprintf(name, sizeof name, "x%d", k);
    Tensor *t = r->n->inputs[k];
    if (!t) {
        if (!(t = graph_add_tensor(r->g, name)))
            return;
        t->is_graph_input = true;
        r->n->inputs[k] = t;
    }
    t->elem_type = v->elem_type;
    t->shape = v->shape;
}

void ot_hide_shape(OtRun *r, int k, bool no_type)
{
    Tensor *t = k < r->n->n_inputs ? r->n->inputs[k] : NULL;
    if (!t)
        return;
    t->shape.rank = -1;
    if (no_type)
        t->elem_type = ET_UNDEFINED;
}

void ot_drop_output(OtRun *r, int k)
{
    Tensor *t = k < r->n->n_outputs ? r->n->outputs[k] : NULL;
    if (!t)
        return;
    r->n->outputs[k] = NULL;
    int kept = 0;
    for (int j = 0; j < r->g->n_outputs; j++)
        if (r->g->outputs[j] != t)
            r->g->outputs[kept++] = r->g->outputs[j];
    r->g->n_outputs = kept;
    t->is_graph_output = false;
    t->producer = NULL;
}

/* Appends an attribute; the array is re-made in the arena each time. */
static Attr *add_attr(OtRun *r, const char *name, AttrKind kind)
{
    Node *n = r->n;
    Attr *a = arena_array(&r->g->arena, (size_t)n->n_attrs + 1, sizeof *a);
    if (!a)
        return NULL;
    if (n->n_attrs)
        memcpy(a, n->attrs, (size_t)n->n_attrs * sizeof *a);
    n->attrs = a;
    Attr *at = &a[n->n_attrs++];
    at->name = arena_strdup(&r->g->arena, name);
    at->kind = kind;
    return at;
}

void ot_attr_int(OtRun *r, const char *name, int64_t v)
{
    Attr *a = add_attr(r, name, ATTR_INT);
    if (a)
        a->i = v;
}

void ot_attr_float(OtRun *r, const char *name, float v)
{
    Attr *a = add_attr(r, name, ATTR_FLOAT);
    if (a)
        a->f = v;
}

void ot_attr_string(OtRun *r, const char *name, const char *v)
{
    Attr *a = add_attr(r, name, ATTR_STRING);
    if (a)
        a->s = arena_strdup(&r->g->arena, v);
}

void ot_attr_ints(OtRun *r, const char *name, int count, const int64_t *v)
{
    Attr *a = add_attr(r, name, ATTR_INTS);
    if (!a)
        return;
    a->n = count;
    a->ints = arena_array(&r->g->arena, (size_t)(count ? count : 1), sizeof(int64_t));
    if (a->ints && count)
        memcpy(a->ints, v, (size_t)count * sizeof(int64_t));
}

bool ot_prepare(OtRun *r)
{
    if (r->n->op)
        return true;
    if (!graph_resolve_ops(r->g, &r->d))
        return false;
    OpCtx ctx = { r->g, &r->d };
    if (!r->n->op->infer(&ctx, r->n)) {
        r->n->op = NULL;
        return false;
    }
    return true;
}

/* Whether a static shape admits the value's (unknown dims match anything). */
static bool shape_admits(const Shape *s, const Shape *v)
{
    if (s->rank < 0)
        return true;
    if (s->rank != v->rank)
        return false;
    for (int k = 0; k < s->rank; k++)
        if (s->dims[k] >= 0 && s->dims[k] != v->dims[k])
            return false;
    return true;
}

bool ot_run(OtRun *r, Value **out)
{
    for (int k = 0; k < r->n->n_outputs; k++)
        out[k] = NULL;
    if (!ot_prepare(r))
        return false;
    const Value *inputs[OT_MAX_PORTS];
    /* graph inputs are listed in the order ot_input first created them */
    r->g->n_inputs = 0;
    for (int k = 0; k < r->n->n_inputs; k++)
        if (r->n->inputs[k]) {
            r->g->inputs[r->g->n_inputs] = r->n->inputs[k];
            inputs[r->g->n_inputs++] = r->in[k];
        }
    Value *outputs[OT_MAX_PORTS] = { NULL };
    if (!exec_run(r->g, inputs, outputs, &r->d))
        return false;
    bool ok = true;
    for (int k = 0, j = 0; k < r->n->n_outputs; k++) {
        const Tensor *t = r->n->outputs[k];
        if (!t)
            continue;
        Value *v = outputs[j++];
        char s1[96], s2[96];
        if (ok && ((t->elem_type != ET_UNDEFINED && t->elem_type != v->elem_type) ||
                   !shape_admits(&t->shape, &v->shape)))
            ok = diag_error(&r->d, r->g->path, r->n->name, r->n->op_type,
                            "infer said output %d is %s %s, eval gave %s %s", k,
                            elem_type_name(t->elem_type), shape_str(&t->shape, s1, sizeof s1),
                            elem_type_name(v->elem_type), shape_str(&v->shape, s2, sizeof s2));
        out[k] = v;
    }
    if (!ok)
        for (int k = 0; k < r->n->n_outputs; k++) {
            value_free(out[k]);
            out[k] = NULL;
        }
    return ok;
}

Value *ot_f(int rank, const int64_t *dims, const float *data)
{
    Shape s = { rank, { 0 } };
    for (int k = 0; k < rank; k++)
        s.dims[k] = dims[k];
    Value *v = value_new(ET_FLOAT, &s);
    if (v && data)
        memcpy(v->f, data, (size_t)v->count * sizeof(float));
    return v;
}

Value *ot_i(int elem_type, int rank, const int64_t *dims, const int64_t *data)
{
    Shape s = { rank, { 0 } };
    for (int k = 0; k < rank; k++)
        s.dims[k] = dims[k];
    Value *v = value_new(elem_type, &s);
    if (v && data)
        memcpy(v->i, data, (size_t)v->count * sizeof(int64_t));
    return v;
}

bool ot_error_says(const OtRun *r, const char *what)
{
    return r->d.failed && strstr(r->d.msg, "node0") && strstr(r->d.msg, what);
}
