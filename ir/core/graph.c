#include "graph.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

OpDomain domain_kind(const char *domain)
{
    if (!domain || !*domain || !strcmp(domain, "ai.onnx"))
        return DOMAIN_ONNX;
    if (!strcmp(domain, "onnx.brevitas") || !strcmp(domain, "qonnx.custom_op.general") ||
        !strcmp(domain, "finn.custom_op.general") || !strcmp(domain, "finn"))
        return DOMAIN_QONNX;
    if (!strcmp(domain, "qonnxc"))
        return DOMAIN_QONNXC;
    return DOMAIN_UNKNOWN;
}

int64_t graph_opset(const Graph *g, OpDomain kind)
{
    for (int k = 0; k < g->n_opsets; k++)
        if (domain_kind(g->opsets[k].domain) == kind)
            return g->opsets[k].version;
    return 0;
}

Graph *graph_new(const char *path)
{
    Graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->path = arena_strdup(&g->arena, path ? path : "<memory>");
    if (!g->path) {
        free(g);
        return NULL;
    }
    return g;
}

void graph_free(Graph *g)
{
    if (!g)
        return;
    free(g->tensors);
    free(g->by_name);
    free(g->nodes);
    arena_release(&g->arena);
    free(g);
}

/* FNV-1a: tensor names are short strings; lookups must stay O(1) so a
 * model with many tensors (or a fuzzed one) loads in linear time. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void index_insert(Graph *g, Tensor *t)
{
    uint32_t mask = (uint32_t)g->cap_by_name - 1;
    uint32_t k = name_hash(t->name) & mask;
    while (g->by_name[k])
        k = (k + 1) & mask;
    g->by_name[k] = t;
}

/* Rebuilds the name index with room for `need` tensors at half load. */
static bool index_rebuild(Graph *g, int need)
{
    int cap = 64;
    while (cap < 2 * need)
        cap *= 2;
    Tensor **slots = calloc((size_t)cap, sizeof *slots);
    if (!slots)
        return false;
    free(g->by_name);
    g->by_name = slots;
    g->cap_by_name = cap;
    for (int k = 0; k < g->n_tensors; k++)
        index_insert(g, g->tensors[k]);
    return true;
}

Tensor *graph_find_tensor(const Graph *g, const char *name)
{
    if (!g->cap_by_name)
        return NULL;
    uint32_t mask = (uint32_t)g->cap_by_name - 1;
    for (uint32_t k = name_hash(name) & mask; g->by_name[k]; k = (k + 1) & mask)
        if (!strcmp(g->by_name[k]->name, name))
            return g->by_name[k];
    return NULL;
}

Tensor *graph_add_tensor(Graph *g, const char *name)
{
    char buf[512];
    const char *unique = name;
    for (int k = 1; graph_find_tensor(g, unique); k++) {
        snprintf(buf, sizeof buf, "%.480s_%d", name, k);
        unique = buf;
    }
    if (!array_grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof(Tensor *),
                    64))
        return NULL;
    if (2 * (g->n_tensors + 1) > g->cap_by_name && !index_rebuild(g, g->n_tensors + 1))
        return NULL;
    Tensor *t = arena_alloc(&g->arena, sizeof *t);
    if (!t || !(t->name = arena_strdup(&g->arena, unique)))
        return NULL;
    t->shape.rank = -1;
    g->tensors[g->n_tensors++] = t;
    index_insert(g, t);
    return t;
}

Node *graph_add_node(Graph *g, const char *name, const char *op_type, const char *domain,
                     int n_inputs, int n_outputs)
{
    if (!array_grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(Node *), 64))
        return NULL;
    Node *n = arena_alloc(&g->arena, sizeof *n);
    if (!n)
        return NULL;
    n->name = arena_strdup(&g->arena, name ? name : "");
    n->op_type = arena_strdup(&g->arena, op_type);
    n->domain = arena_strdup(&g->arena, domain ? domain : "");
    n->domain_kind = domain_kind(n->domain);
    n->opset = graph_opset(g, n->domain_kind);
    n->n_inputs = n_inputs;
    n->n_outputs = n_outputs;
    n->inputs = arena_array(&g->arena, (size_t)(n_inputs ? n_inputs : 1), sizeof(Tensor *));
    n->outputs = arena_array(&g->arena, (size_t)(n_outputs ? n_outputs : 1), sizeof(Tensor *));
    if (!n->name || !n->op_type || !n->domain || !n->inputs || !n->outputs)
        return NULL;
    g->nodes[g->n_nodes++] = n;
    return n;
}

void graph_remove_node(Graph *g, int k)
{
    Node *n = g->nodes[k];
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o] && n->outputs[o]->producer == n)
            n->outputs[o]->producer = NULL;
    memmove(&g->nodes[k], &g->nodes[k + 1], (size_t)(g->n_nodes - k - 1) * sizeof(Node *));
    g->n_nodes--;
}

static bool tensor_referenced(const Graph *g, const Tensor *t)
{
    if (t->is_graph_input || t->is_graph_output)
        return true;
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] == t)
                return true;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] == t)
                return true;
    }
    return false;
}

void graph_reindex_tensors(Graph *g)
{
    /* Reuses the slots already allocated: compaction never needs more. */
    if (!g->cap_by_name)
        return;
    memset(g->by_name, 0, (size_t)g->cap_by_name * sizeof *g->by_name);
    for (int k = 0; k < g->n_tensors; k++)
        index_insert(g, g->tensors[k]);
}

void graph_drop_unused_tensors(Graph *g)
{
    int kept = 0;
    for (int k = 0; k < g->n_tensors; k++)
        if (tensor_referenced(g, g->tensors[k]))
            g->tensors[kept++] = g->tensors[k];
    g->n_tensors = kept;
    graph_reindex_tensors(g);
}

void graph_number_tensors(Graph *g)
{
    for (int k = 0; k < g->n_tensors; k++)
        g->tensors[k]->id = k;
}

int tensor_consumer_count(const Graph *g, const Tensor *t)
{
    int count = 0;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] == t)
                count++;
    return count;
}

void graph_replace_uses(Graph *g, Tensor *from, Tensor *to)
{
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] == from)
                g->nodes[k]->inputs[i] = to;
    for (int k = 0; k < g->n_outputs; k++)
        if (g->outputs[k] == from) {
            g->outputs[k] = to;
            from->is_graph_output = false;
            to->is_graph_output = true;
        }
}

const Attr *node_attr(const Node *n, const char *name)
{
    for (int k = 0; k < n->n_attrs; k++)
        if (!strcmp(n->attrs[k].name, name))
            return &n->attrs[k];
    return NULL;
}

int64_t node_attr_int(const Node *n, const char *name, int64_t dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_INT ? a->i : dflt;
}

float node_attr_float(const Node *n, const char *name, float dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_FLOAT ? a->f : dflt;
}

const char *node_attr_string(const Node *n, const char *name, const char *dflt)
{
    const Attr *a = node_attr(n, name);
    return a && a->kind == ATTR_STRING ? a->s : dflt;
}

bool node_is_onnx_op(const Node *n, const char *const *ops, size_t n_ops)
{
    if (n->domain_kind != DOMAIN_ONNX)
        return false;
    for (size_t k = 0; k < n_ops; k++)
        if (!strcmp(n->op_type, ops[k]))
            return true;
    return false;
}

bool node_error(Diag *d, const Graph *g, const Node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, g ? g->path : NULL, n ? n->name : NULL, n ? n->op_type : NULL, fmt, ap);
    va_end(ap);
    return false;
}
