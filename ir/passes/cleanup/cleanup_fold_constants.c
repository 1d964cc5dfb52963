/* Constant folding: a node whose inputs are all constants is evaluated once,
 * here, with its op's eval; its outputs become constants (in the graph
 * arena) and the node goes. Shape of a tensor whose static shape is fully
 * known folds without evaluating anything. One sweep in topological order
 * folds whole constant subgraphs, since a folded output is constant for
 * the nodes after it; cleanup_graph alternates this pass with shape
 * inference until nothing folds, which resolves chains like torch's
 * Shape->Gather->Unsqueeze->Concat->Reshape flatten.
 *
 * Not folded: QONNX quantizers (Quant, IntQuant, BipolarQuant, Trunc), so
 * streamlining sees a weight quantizer and its integer semantics rather
 * than a float tensor of dequantized values; and nodes whose output would
 * be huge, which stay to be computed at run time. O(nodes + edges) plus the
 * cost of the evals. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ops.h"
#include "resource_limits.h"

/* Outputs of more elements are not folded: far beyond any model qonnxc
 * targets, it keeps a malformed model from doubling its memory in the arena. */
enum { FOLD_MAX_ELEMENTS = 1 << 26 };

static bool is_quantizer(const Node *n)
{
    static const char *const quantizers[] = { "Quant", "IntQuant", "BipolarQuant", "Trunc" };
    if (n->domain_kind != DOMAIN_QONNX)
        return false;
    for (size_t k = 0; k < sizeof quantizers / sizeof quantizers[0]; k++)
        if (!strcmp(n->op_type, quantizers[k]))
            return true;
    return false;
}

static bool is_shape_of_known(const Node *n)
{
    return n->domain_kind == DOMAIN_ONNX && !strcmp(n->op_type, "Shape") && n->n_inputs == 1 &&
           n->inputs[0] && shape_known(&n->inputs[0]->shape) && n->n_outputs == 1 &&
           n->outputs[0];
}

static bool foldable(const Node *n)
{
    if (!n->op || !n->op->eval || is_quantizer(n))
        return false;
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i] && !n->inputs[i]->value)
            return false;
    bool any_output = false;
    for (int o = 0; o < n->n_outputs; o++) {
        const Tensor *t = n->outputs[o];
        if (!t)
            continue;
        any_output = true;
        int64_t count = shape_count(&t->shape);
        if (count > FOLD_MAX_ELEMENTS)
            return false;
    }
    return any_output;
}

/* Clamps a Shape start/end attribute into [0, rank]. */
static int64_t shape_bound(int64_t x, int rank)
{
    if (x < 0)
        x += rank;
    return x < 0 ? 0 : x > rank ? rank : x;
}

/* Shape (with opset 15's start/end) of a statically known shape. */
static Value *eval_shape(Graph *g, const Node *n)
{
    const Shape *in = &n->inputs[0]->shape;
    int64_t start = shape_bound(node_attr_int(n, "start", 0), in->rank);
    int64_t end = shape_bound(node_attr_int(n, "end", in->rank), in->rank);
    Shape s = { 1, { end > start ? end - start : 0 } };
    Value *v = value_new_in(&g->arena, ET_INT64, &s);
    for (int64_t k = 0; v && k < s.dims[0]; k++)
        v->i[k] = in->dims[start + k];
    return v;
}

/* Whether a value's shape fits what inference said (unknown dims fit anything). */
static bool fits_inferred(const Shape *inferred, const Shape *actual)
{
    if (inferred->rank < 0)
        return true;
    if (inferred->rank != actual->rank)
        return false;
    for (int k = 0; k < inferred->rank; k++)
        if (inferred->dims[k] >= 0 && inferred->dims[k] != actual->dims[k])
            return false;
    return true;
}

static bool make_constant(Graph *g, Node *n, Tensor *t, Value *v, Diag *d)
{
    if (!fits_inferred(&t->shape, &v->shape)) {
        char want[96], got[96];
        node_error(d, g, n, "folding output '%s' gave shape %s, shape inference %s", t->name,
                   shape_str(&v->shape, got, sizeof got), shape_str(&t->shape, want, sizeof want));
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    t->value = v;
    t->elem_type = v->elem_type;
    t->shape = v->shape;
    t->producer = NULL;
    return true;
}

/* Evaluates n on its constant inputs and turns its outputs into constants;
 * *folded stays false when an output turns out too large to fold. */
static bool fold_node(Graph *g, Node *n, const Value **in, Value **out, bool *folded, Diag *d)
{
    for (int i = 0; i < n->n_inputs; i++)
        in[i] = n->inputs[i] ? n->inputs[i]->value : NULL;
    memset(out, 0, (size_t)n->n_outputs * sizeof *out);
    OpCtx ctx = { g, d };
    if (!n->op->eval(&ctx, n, in, out)) {
        if (!d->failed)
            node_error(d, g, n, "evaluation failed");
        return false;
    }
    bool ok = true, small = true;
    for (int o = 0; o < n->n_outputs; o++) {
        if (n->outputs[o] && !out[o] && ok)
            ok = node_error(d, g, n, "evaluation gave no value for output '%s'",
                            n->outputs[o]->name);
        small = small && (!out[o] || out[o]->count <= FOLD_MAX_ELEMENTS);
    }
    for (int o = 0; ok && small && o < n->n_outputs; o++) {
        Tensor *t = n->outputs[o];
        if (!t)
            continue;
        if (!limits_constants_charge(d, g, n, t->name, out[o])) {
            ok = false;
            break;
        }
        Value *v = value_copy_in(&g->arena, out[o]);
        ok = v ? make_constant(g, n, t, v, d)
               : diag_error(d, g->path, NULL, NULL, "out of memory folding constants");
    }
    for (int o = 0; o < n->n_outputs; o++)
        value_free(out[o]);
    *folded = ok && small;
    return ok;
}

bool pass_fold_constants(Graph *g, Diag *d)
{
    int max_in = 1, max_out = 1;
    for (int k = 0; k < g->n_nodes; k++) {
        if (g->nodes[k]->n_inputs > max_in)
            max_in = g->nodes[k]->n_inputs;
        if (g->nodes[k]->n_outputs > max_out)
            max_out = g->nodes[k]->n_outputs;
    }
    const Value **in = malloc((size_t)max_in * sizeof *in);
    Value **out = malloc((size_t)max_out * sizeof *out);
    bool ok = in && out;
    if (!ok)
        diag_error(d, g->path, NULL, NULL, "out of memory folding constants");
    int kept = 0;
    limits_constants_begin(g);
    OpCtx ctx = { g, d };
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        bool folded = false;
        /* Inferring each node again with what this sweep folded lets a chain
         * Shape -> Reshape -> Shape -> ... fold in one sweep rather than one
         * link per round of cleanup_graph (quadratic on a hostile model). */
        if (ok && n->op && !n->op->infer(&ctx, n)) {
            if (!d->failed)
                node_error(d, g, n, "shape inference failed");
            ok = false;
        }
        if (ok && is_shape_of_known(n)) {
            Value *v = eval_shape(g, n);
            ok = v ? make_constant(g, n, n->outputs[0], v, d)
                   : diag_error(d, g->path, NULL, NULL, "out of memory folding constants");
            folded = ok;
        } else if (ok && foldable(n)) {
            ok = fold_node(g, n, in, out, &folded, d);
        }
        if (!folded)
            g->nodes[kept++] = n;
    }
    g->n_nodes = kept;
    free(in);
    free(out);
    return ok;
}
