/* Shape inference: each op's infer, node by node in topological order.
 * Every node output is reset to unknown first, so shapes from the file (or
 * from an earlier run, before the batch was fixed or constants folded) never
 * survive: what is known afterwards was inferred from the graph inputs and
 * constants. An output an op cannot infer stays unknown. O(nodes + edges). */
#include <stdlib.h>

#include "cleanup.h"
#include "resource_limits.h"
#include "ops.h"

static bool check_output(const Graph *g, const Node *n, const Tensor *t, Diag *d)
{
    if (t->shape.rank > MAX_RANK)
        return node_error(d, g, n, "shape inference gave output '%s' rank %d (limit %d)",
                          t->name, t->shape.rank, MAX_RANK);
    for (int k = 0; k < t->shape.rank; k++)
        if (t->shape.dims[k] < -1)
            return node_error(d, g, n, "shape inference gave output '%s' dim %d = %lld",
                              t->name, k, (long long)t->shape.dims[k]);
    char shape[128];
    int64_t elements = limits_shape_elements(&t->shape);
    if (elements > limit(LIMIT_TENSOR_ELEMENTS))
        return limit_error(d, g->path, n->name, n->op_type, LIMIT_TENSOR_ELEMENTS, elements,
                           "output '%s' of shape %s", t->name,
                           shape_str(&t->shape, shape, sizeof shape));
    return true;
}

bool pass_infer_shapes(Graph *g, Diag *d)
{
    graph_number_tensors(g);
    /* ready[t]: t is a constant, a graph input or the output of a node done. */
    bool *ready = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *ready);
    if (!ready)
        return diag_error(d, g->path, NULL, NULL, "out of memory inferring shapes");
    for (int k = 0; k < g->n_tensors; k++)
        ready[k] = g->tensors[k]->value || g->tensors[k]->is_graph_input;
    for (int k = 0; k < g->n_nodes; k++)
        for (int o = 0; o < g->nodes[k]->n_outputs; o++) {
            Tensor *t = g->nodes[k]->outputs[o];
            if (t) {
                t->elem_type = ET_UNDEFINED;
                t->shape.rank = -1;
            }
        }
    OpCtx ctx = { g, d };
    bool ok = true;
    for (int k = 0; ok && k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        for (int i = 0; ok && i < n->n_inputs; i++)
            if (n->inputs[i] && !ready[n->inputs[i]->id])
                ok = node_error(d, g, n, "input '%s' is not computed before this node "
                                "(the graph is not in topological order)", n->inputs[i]->name);
        if (ok && !n->op)
            ok = node_error(d, g, n, "op not resolved before shape inference");
        if (ok && !n->op->infer(&ctx, n)) {
            if (!d->failed)
                node_error(d, g, n, "shape inference failed");
            ok = false;
        }
        for (int o = 0; ok && o < n->n_outputs; o++)
            if (n->outputs[o]) {
                ok = check_output(g, n, n->outputs[o], d);
                ready[n->outputs[o]->id] = true;
            }
    }
    free(ready);
    return ok;
}
