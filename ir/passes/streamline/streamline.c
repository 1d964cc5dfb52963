/* The streamlining driver: one straight list of passes (QBE style), the
 * structural verifier after each when asked, and at the end the integer
 * graph's own verifier. See docs/integer-graph.md for what comes out and
 * streamline_internal.h for how the passes share their work. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "streamline.h"
#include "streamline_internal.h"

typedef bool (*SlPass)(Streamline *S);

static bool run(Streamline *S, const char *name, SlPass pass, bool verify)
{
    if (!pass(S) || !pass_topo_sort(S->g, S->d))
        return false;
    return !verify || graph_verify(S->g, S->d) ||
           diag_invalid_after(S->d, S->g->path, "the graph", "streamline pass", name);
}

/* The first node up the data path from n (inputs 0, then any non-constant
 * input) with a note on why it was not folded. */
static const SlNote *note_upstream(const Streamline *S, const Node *n)
{
    for (int depth = 0; n && depth < 64; depth++) {
        const SlNote *note = sl_find_note(S, n);
        if (note)
            return note;
        const Node *up = NULL;
        for (int k = 0; k < n->n_inputs && !up; k++)
            if (n->inputs[k] && !n->inputs[k]->value && n->inputs[k]->producer)
                up = n->inputs[k]->producer;
        n = up;
    }
    return NULL;
}

/* Every quantizer must have become integers; one left over means part of
 * the model could not be made integer. */
static bool check_leftovers(Streamline *S)
{
    Graph *g = S->g;
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        if (!sl_is_quantizer(n) && !(n->domain_kind == DOMAIN_QONNX))
            continue;
        const Node *user = n;
        if (n->inputs[0] && n->inputs[0]->value) {
            /* weights: name the layer that kept them float */
            for (int j = 0; j < g->n_nodes; j++)
                for (int i = 0; i < g->nodes[j]->n_inputs; i++)
                    if (g->nodes[j]->inputs[i] == n->outputs[0])
                        user = g->nodes[j];
        }
        const SlNote *note = note_upstream(S, user);
        if (note)
            return sl_fail(S, n, "cannot be made integer: '%s' (%s) before it could not be "
                           "folded: %s", note->name, note->op, note->why);
        const Tensor *in = user->inputs[0];
        const Node *p = in ? in->producer : NULL;
        return sl_fail(S, n, "cannot be made integer: %s '%s' is computed by '%s' (%s), which "
                       "is not part of the integer graph", user == n ? "its input" : "the input",
                       in ? in->name : "?", p ? p->name : in && in->is_graph_input
                       ? "the graph input" : "?", p ? p->op_type : "-");
    }
    return true;
}

/* Integer tensors take the names of the float tensors they replace, once
 * those are gone. */
static void rename_tensors(Streamline *S)
{
    for (int k = 0; k < S->n_info; k++) {
        IntInfo *x = S->info[k];
        if (strcmp(x->it->name, x->src->name) && !graph_find_tensor(S->g, x->src->name))
            x->it->name = x->src->name;
    }
    graph_reindex_tensors(S->g);
}

static bool finish(Streamline *S, bool verify)
{
    Graph *g = S->g;
    if (!pass_remove_dead(g, S->d) || !check_leftovers(S))
        return false;
    rename_tensors(S);
    if (!pass_topo_sort(g, S->d))
        return false;
    return !verify || graph_verify_integer(g, S->d);
}

bool streamline_graph(Graph *g, bool verify, Diag *d)
{
    Streamline S;
    sl_init(&S, g, d);
    bool ok = run(&S, "weights", sl_weights, verify) &&
              run(&S, "input_quant", sl_input_quant, verify) &&
              run(&S, "layers", sl_layers, verify) &&
              run(&S, "output", sl_output, verify) &&
              finish(&S, verify);
    sl_free(&S);
    return ok;
}
