/* The cleanup driver: one straight list of passes, the verifier after each.
 * A pass that breaks an invariant is a qonnxc bug, reported as such with
 * the pass named; the check right after the first sort is of the model. */
#include "cleanup.h"
#include "ops.h"

typedef bool (*Pass)(Graph *g, Diag *d);

static bool run(Graph *g, const char *name, Pass pass, bool verify, Diag *d)
{
    if (!pass(g, d))
        return false;
    return !verify || graph_verify(g, d) ||
           diag_invalid_after(d, g->path, "the graph", "cleanup pass", name);
}

/* Shape inference and folding feed each other (a folded shape makes a
 * Reshape's output known, which lets a later Shape fold); each round that
 * changes anything removes a node, so this ends after at most n_nodes rounds. */
static bool infer_and_fold(Graph *g, bool verify, Diag *d)
{
    for (;;) {
        int before = g->n_nodes;
        if (!run(g, "infer_shapes", pass_infer_shapes, verify, d) ||
            !run(g, "fold_constants", pass_fold_constants, verify, d))
            return false;
        if (g->n_nodes == before)
            return true;
    }
}

bool cleanup_graph(Graph *g, bool verify, Diag *d)
{
    if (!graph_resolve_ops(g, d) || !pass_topo_sort(g, d))
        return false;
    if (verify && !graph_verify(g, d))
        return false; /* the model itself breaks an invariant */
    return run(g, "fix_batch", pass_fix_batch, verify, d) &&
           infer_and_fold(g, verify, d) &&
           run(g, "remove_noop", pass_remove_noop, verify, d) &&
           run(g, "remove_identity", pass_remove_identity, verify, d) &&
           run(g, "remove_dead", pass_remove_dead, verify, d) &&
           run(g, "unique_names", pass_unique_names, verify, d) &&
           run(g, "topo_sort", pass_topo_sort, verify, d);
}
