/* Topological sort: a depth-first walk from each node (in file order) to the
 * producers of its inputs, emitting a node once all its producers are out.
 * A graph already in order keeps its order exactly. The walk uses an
 * explicit stack, so a long chain cannot overflow the C stack; a producer
 * met again while still on the stack closes a cycle, and the stack from it
 * to the top is that cycle, which the error lists. O(nodes + edges). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

enum { UNSEEN, ON_STACK, DONE };

typedef struct Frame {
    int node;
    int next_input;
} Frame;

static const char *label(const Node *n)
{
    return n->name && *n->name ? n->name : n->op_type;
}

/* Reports the cycle on the stack from frame `from` to the top. Each frame
 * reads an output of the frame above it and the top reads from `from`, so
 * data flows from, top, top-1, ..., from+1, from: listed in that order. */
static bool cycle_error(Graph *g, const Frame *stack, int from, int top, Diag *d)
{
    char path[1024];
    int len = snprintf(path, sizeof path, "'%s'", label(g->nodes[stack[from].node]));
    for (int s = top; s > from && len < (int)sizeof path; s--)
        len += snprintf(path + len, sizeof path - (size_t)len, " -> '%s'",
                        label(g->nodes[stack[s].node]));
    if (len < (int)sizeof path)
        snprintf(path + len, sizeof path - (size_t)len, " -> '%s'",
                 label(g->nodes[stack[from].node]));
    return node_error(d, g, g->nodes[stack[from].node],
                      "is on a cycle (%s): the graph is not a DAG", path);
}

bool pass_topo_sort(Graph *g, Diag *d)
{
    int n_nodes = g->n_nodes;
    if (n_nodes == 0)
        return true;
    graph_number_tensors(g);
    /* producer[t]: index of the node writing tensor t, or -1. */
    int *producer = malloc((size_t)(g->n_tensors ? g->n_tensors : 1) * sizeof *producer);
    unsigned char *state = calloc((size_t)n_nodes, 1);
    Frame *stack = malloc((size_t)n_nodes * sizeof *stack);
    Node **order = malloc((size_t)n_nodes * sizeof *order);
    bool ok = producer && state && stack && order;
    if (!ok)
        diag_error(d, g->path, NULL, NULL, "out of memory sorting the graph");
    for (int t = 0; ok && t < g->n_tensors; t++)
        producer[t] = -1;
    for (int k = 0; ok && k < n_nodes; k++)
        for (int o = 0; o < g->nodes[k]->n_outputs; o++)
            if (g->nodes[k]->outputs[o])
                producer[g->nodes[k]->outputs[o]->id] = k;

    int n_order = 0;
    for (int root = 0; ok && root < n_nodes; root++) {
        if (state[root] != UNSEEN)
            continue;
        int top = 0;
        stack[0] = (Frame){ root, 0 };
        state[root] = ON_STACK;
        while (ok && top >= 0) {
            Frame *f = &stack[top];
            const Node *n = g->nodes[f->node];
            if (f->next_input == n->n_inputs) {
                state[f->node] = DONE;
                order[n_order++] = g->nodes[f->node];
                top--;
                continue;
            }
            const Tensor *t = n->inputs[f->next_input++];
            int p = t ? producer[t->id] : -1;
            if (p < 0 || state[p] == DONE)
                continue;
            if (state[p] == ON_STACK) {
                int from = top;
                while (stack[from].node != p)
                    from--;
                ok = cycle_error(g, stack, from, top, d);
                break;
            }
            state[p] = ON_STACK;
            stack[++top] = (Frame){ p, 0 };
        }
    }
    if (ok)
        memcpy(g->nodes, order, (size_t)n_nodes * sizeof *order);
    free(producer);
    free(state);
    free(stack);
    free(order);
    return ok;
}
