/* Remove Identity: readers of an Identity's output read its input instead.
 * Graph output names are part of the model's interface, so when an
 * Identity writes a graph output, the node producing its input is rewired
 * to write the graph output itself (the torch exporter's "output = Identity
 * (last)" pattern). The Identity stays only when its input is a graph input,
 * a constant or another graph output: there is no producer to rewire.
 *
 * All rewiring is recorded in a replacement map (tensor -> tensor it stands
 * for, always pointing at a tensor that is not replaced) and applied in one
 * sweep over the node inputs, so chains of Identities cost O(nodes + edges). */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

typedef struct Rewire {
    Graph *g;
    Tensor **repl;   /* repl[t->id]: what t is replaced by, or NULL */
} Rewire;

static Tensor *resolve(const Rewire *r, Tensor *t)
{
    while (t && r->repl[t->id])
        t = r->repl[t->id];
    return t;
}

static bool is_identity(const Node *n)
{
    return n->domain_kind == DOMAIN_ONNX && !strcmp(n->op_type, "Identity") &&
           n->n_inputs == 1 && n->n_outputs == 1 && n->inputs[0];
}

/* Marks `from` as replaced by `to` (a tensor with no replacement). */
static bool replace(Rewire *r, Node *n, Tensor *from, Tensor *to, Diag *d)
{
    if (from == to)
        return node_error(d, r->g, n, "reads its own output '%s' (a cycle)", from->name);
    if (!to->qdt)
        to->qdt = from->qdt;
    r->repl[from->id] = to;
    return true;
}

/* Bypasses Identity n (x -> y); *remove says whether n can go. False (d set) on a cycle. */
static bool bypass(Rewire *r, Node *n, bool *remove, Diag *d)
{
    Tensor *x = resolve(r, n->inputs[0]), *y = n->outputs[0];
    *remove = false;
    if (!y) { /* an Identity writing nothing */
        *remove = true;
        return true;
    }
    if (!y->is_graph_output) {
        *remove = true;
        return replace(r, n, y, x, d);
    }
    Node *p = x->producer;
    if (x->is_graph_output || x->value || x->is_graph_input || !p) {
        n->inputs[0] = x; /* kept: only skip the Identities before it */
        return true;
    }
    /* p writes y in place of x; readers of x read y. */
    for (int o = 0; o < p->n_outputs; o++)
        if (p->outputs[o] == x)
            p->outputs[o] = y;
    y->producer = p;
    if (y->elem_type == ET_UNDEFINED)
        y->elem_type = x->elem_type;
    if (y->shape.rank < 0)
        y->shape = x->shape;
    x->producer = NULL;
    *remove = true;
    return replace(r, n, x, y, d);
}

bool pass_remove_identity(Graph *g, Diag *d)
{
    graph_number_tensors(g);
    Rewire r = { g, calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(Tensor *)) };
    if (!r.repl)
        return diag_error(d, g->path, NULL, NULL, "out of memory removing Identity nodes");
    bool ok = true;
    int kept = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        bool remove = false;
        if (ok && is_identity(n))
            ok = bypass(&r, n, &remove, d);
        if (remove) {
            if (n->outputs[0] && n->outputs[0]->producer == n)
                n->outputs[0]->producer = NULL;
        } else {
            g->nodes[kept++] = n;
        }
    }
    g->n_nodes = kept;
    for (int k = 0; ok && k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            g->nodes[k]->inputs[i] = resolve(&r, g->nodes[k]->inputs[i]);
    free(r.repl);
    return ok;
}
