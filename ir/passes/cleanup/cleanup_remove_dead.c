/* Dead code: a node is live when it writes a graph output or a tensor a
 * live node reads; everything else goes, with the tensors no longer
 * referenced. Graph inputs stay even when unread: they are the model's
 * interface. A worklist from the graph outputs back through producers makes
 * this O(nodes + edges + tensors) whatever the node order. */
#include <stdlib.h>

#include "cleanup.h"

typedef struct Liveness {
    int *producer;       /* producer[t]: index of the node writing t, or -1 */
    bool *node_live;
    bool *tensor_live;   /* reached from an output; on the worklist once */
    int *work;           /* worklist of tensor ids */
    int n_work;
} Liveness;

static void mark_tensor(Liveness *l, const Tensor *t)
{
    if (t && !l->tensor_live[t->id]) {
        l->tensor_live[t->id] = true;
        l->work[l->n_work++] = t->id;
    }
}

static void mark_live(Graph *g, Liveness *l)
{
    for (int k = 0; k < g->n_outputs; k++)
        mark_tensor(l, g->outputs[k]);
    while (l->n_work > 0) {
        int p = l->producer[l->work[--l->n_work]];
        if (p < 0 || l->node_live[p])
            continue;
        l->node_live[p] = true;
        for (int i = 0; i < g->nodes[p]->n_inputs; i++)
            mark_tensor(l, g->nodes[p]->inputs[i]);
    }
}

/* Keeps live nodes, then tensors still referenced, both in their order. */
static void sweep(Graph *g, const Liveness *l)
{
    int kept = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        if (l->node_live[k]) {
            g->nodes[kept++] = n;
            continue;
        }
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] && n->outputs[o]->producer == n)
                n->outputs[o]->producer = NULL;
    }
    g->n_nodes = kept;

    bool *used = l->tensor_live; /* reused: now "referenced by what is left" */
    for (int k = 0; k < g->n_tensors; k++)
        used[k] = g->tensors[k]->is_graph_input || g->tensors[k]->is_graph_output;
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i])
                used[n->inputs[i]->id] = true;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o])
                used[n->outputs[o]->id] = true;
    }
    int kept_tensors = 0;
    for (int k = 0; k < g->n_tensors; k++)
        if (used[k])
            g->tensors[kept_tensors++] = g->tensors[k];
    g->n_tensors = kept_tensors;
    graph_reindex_tensors(g);
    graph_number_tensors(g);
}

bool pass_remove_dead(Graph *g, Diag *d)
{
    graph_number_tensors(g);
    size_t nt = (size_t)(g->n_tensors ? g->n_tensors : 1);
    size_t nn = (size_t)(g->n_nodes ? g->n_nodes : 1);
    Liveness l = {
        .producer = malloc(nt * sizeof(int)),
        .node_live = calloc(nn, sizeof(bool)),
        .tensor_live = calloc(nt, sizeof(bool)),
        .work = malloc(nt * sizeof(int)),
    };
    bool ok = l.producer && l.node_live && l.tensor_live && l.work;
    if (!ok) {
        diag_error(d, g->path, NULL, NULL, "out of memory removing dead nodes");
    } else {
        for (int k = 0; k < g->n_tensors; k++)
            l.producer[k] = -1;
        for (int k = 0; k < g->n_nodes; k++)
            for (int o = 0; o < g->nodes[k]->n_outputs; o++)
                if (g->nodes[k]->outputs[o])
                    l.producer[g->nodes[k]->outputs[o]->id] = k;
        mark_live(g, &l);
        sweep(g, &l);
    }
    free(l.producer);
    free(l.node_live);
    free(l.tensor_live);
    free(l.work);
    return ok;
}
