/* The graph verifier, run between passes (QBE's ssacheck): it checks the
 * invariants every pass may assume and must keep, and names the first
 * broken one. Tensor membership is a binary search in the tensor pointers
 * sorted once, so a check is O((nodes + edges + tensors) log tensors). */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ops.h"

typedef struct Checker {
    const Graph *g;
    Diag *d;
    const Tensor **sorted;   /* g->tensors by address */
    bool *written;           /* by index in sorted: a node seen so far writes it */
    bool *seen;              /* by index in sorted: scratch for inputs and outputs */
} Checker;

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const Tensor *const *)a;
    uintptr_t y = (uintptr_t)*(const Tensor *const *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of t among the graph's tensors, -1 if it is not one of them. */
static int index_of(const Checker *c, const Tensor *t)
{
    const Tensor **hit = bsearch(&t, c->sorted, (size_t)c->g->n_tensors, sizeof *c->sorted, cmp_ptr);
    return hit ? (int)(hit - c->sorted) : -1;
}

static bool fail(const Checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(const Checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(c->d, c->g->path, NULL, NULL, fmt, ap);
    va_end(ap);
    return false;
}

/* Whether strings[0..n) are all different (sorts them in place). */
static bool distinct(const Checker *c, const char **strings, int n, const char *what)
{
    qsort(strings, (size_t)n, sizeof *strings, cmp_str);
    for (int k = 1; k < n; k++)
        if (!strcmp(strings[k - 1], strings[k]))
            return fail(c, "two %s are named '%s'", what, strings[k]);
    return true;
}

static bool check_tensors(Checker *c)
{
    const Graph *g = c->g;
    const char **names = malloc((size_t)(g->n_tensors ? g->n_tensors : 1) * sizeof *names);
    if (!names)
        return fail(c, "out of memory verifying the graph");
    bool ok = true;
    for (int k = 1; ok && k < g->n_tensors; k++)
        if (c->sorted[k] == c->sorted[k - 1])
            ok = fail(c, "tensor '%s' is listed twice", c->sorted[k]->name);
    for (int k = 0; ok && k < g->n_tensors; k++) {
        const Tensor *t = g->tensors[k];
        if (!t->name || !*t->name)
            ok = fail(c, "a tensor has no name");
        else if (t->value && (t->producer || t->is_graph_input))
            ok = fail(c, "constant '%s' is also %s", t->name,
                      t->producer ? "written by a node" : "a graph input");
        else if (t->value && (t->value->elem_type != t->elem_type ||
                              !shape_equal(&t->value->shape, &t->shape)))
            ok = fail(c, "constant '%s' has a static type or shape other than its value's",
                      t->name);
        names[k] = t->name;
    }
    ok = ok && distinct(c, names, g->n_tensors, "tensors");
    free(names);
    return ok;
}

static bool check_interface(Checker *c, int n, Tensor *const *list, bool is_input)
{
    const char *what = is_input ? "graph input" : "graph output";
    memset(c->seen, 0, (size_t)c->g->n_tensors * sizeof *c->seen);
    for (int k = 0; k < n; k++) {
        const Tensor *t = list[k];
        int idx = t ? index_of(c, t) : -1;
        if (idx < 0)
            return fail(c, "%s '%s' is not a tensor of the graph", what, t ? t->name : "(null)");
        if (is_input ? !t->is_graph_input : !t->is_graph_output)
            return fail(c, "%s '%s' is not flagged as one", what, t->name);
        if (c->seen[idx])
            return fail(c, "%s '%s' is listed twice", what, t->name);
        if (!is_input && !(t->value || t->is_graph_input || c->written[idx]))
            return fail(c, "graph output '%s' is not computed by any node", t->name);
        c->seen[idx] = true;
    }
    for (int k = 0; k < c->g->n_tensors; k++) {
        const Tensor *t = c->sorted[k];
        if ((is_input ? t->is_graph_input : t->is_graph_output) && !c->seen[k])
            return fail(c, "tensor '%s' is flagged as a %s but not listed", t->name, what);
    }
    return true;
}

static bool check_input(Checker *c, const Node *n, int i)
{
    const Graph *g = c->g;
    const Tensor *t = n->inputs[i];
    if (!t) {
        if (i < n->op->min_inputs)
            return node_error(c->d, g, n, "required input %d is missing", i);
        return true;
    }
    int idx = index_of(c, t);
    if (idx < 0)
        return node_error(c->d, g, n, "input '%s' is not a tensor of the graph", t->name);
    if (t->value || t->is_graph_input || c->written[idx])
        return true;
    if (t->producer)
        return node_error(c->d, g, n, "input '%s' is written by node '%s', which comes later "
                          "(not in topological order)", t->name, t->producer->name);
    return node_error(c->d, g, n, "input '%s' is no constant, graph input or node output",
                      t->name);
}

static bool check_output(Checker *c, const Node *n, const Tensor *t)
{
    const Graph *g = c->g;
    int idx = index_of(c, t);
    if (idx < 0)
        return node_error(c->d, g, n, "output '%s' is not a tensor of the graph", t->name);
    if (t->value || t->is_graph_input)
        return node_error(c->d, g, n, "output '%s' is also a %s", t->name,
                          t->value ? "constant" : "graph input");
    if (c->written[idx])
        return node_error(c->d, g, n, "output '%s' is written twice", t->name);
    if (t->producer != n)
        return node_error(c->d, g, n, "output '%s' records another producer", t->name);
    c->written[idx] = true;
    return true;
}

static bool check_node(Checker *c, const Node *n)
{
    const Graph *g = c->g;
    if (!n->op)
        return node_error(c->d, g, n, "op not resolved");
    if (g->names_unique && (!n->name || !*n->name))
        return node_error(c->d, g, n, "has no name");
    if (n->n_inputs < n->op->min_inputs || n->n_inputs > n->op->max_inputs ||
        n->n_outputs < n->op->min_outputs || n->n_outputs > n->op->max_outputs)
        return node_error(c->d, g, n, "has %d inputs and %d outputs, outside what %s takes",
                          n->n_inputs, n->n_outputs, n->op->op_type);
    for (int i = 0; i < n->n_inputs; i++)
        if (!check_input(c, n, i))
            return false;
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o] && !check_output(c, n, n->outputs[o]))
            return false;
    return true;
}

static bool check_nodes(Checker *c)
{
    const Graph *g = c->g;
    for (int k = 0; k < g->n_nodes; k++)
        if (!check_node(c, g->nodes[k]))
            return false;
    for (int k = 0; k < g->n_tensors; k++) {
        const Tensor *t = c->sorted[k];
        if (t->producer && !c->written[k])
            return fail(c, "tensor '%s' records producer '%s', which is not in the graph",
                        t->name, t->producer->name);
    }
    if (!g->names_unique)
        return true;
    const char **names = malloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *names);
    if (!names)
        return fail(c, "out of memory verifying the graph");
    for (int k = 0; k < g->n_nodes; k++)
        names[k] = g->nodes[k]->name;
    bool ok = distinct(c, names, g->n_nodes, "nodes");
    free(names);
    return ok;
}

bool graph_verify(const Graph *g, Diag *d)
{
    size_t nt = (size_t)(g->n_tensors ? g->n_tensors : 1);
    Checker c = {
        .g = g,
        .d = d,
        .sorted = malloc(nt * sizeof(Tensor *)),
        .written = calloc(nt, sizeof(bool)),
        .seen = calloc(nt, sizeof(bool)),
    };
    bool ok = c.sorted && c.written && c.seen;
    if (!ok) {
        fail(&c, "out of memory verifying the graph");
    } else {
        for (int k = 0; k < g->n_tensors; k++)
            c.sorted[k] = g->tensors[k];
        bool all_set = true;
        for (int k = 0; k < g->n_tensors; k++)
            all_set = all_set && g->tensors[k];
        if (!all_set)
            ok = fail(&c, "the tensor list holds a null entry");
        else
            qsort(c.sorted, (size_t)g->n_tensors, sizeof *c.sorted, cmp_ptr);
        ok = ok && check_tensors(&c) && check_interface(&c, g->n_inputs, g->inputs, true) &&
             check_nodes(&c) && check_interface(&c, g->n_outputs, g->outputs, false);
    }
    free(c.sorted);
    free(c.written);
    free(c.seen);
    return ok;
}
