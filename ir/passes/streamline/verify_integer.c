/* The integer graph's verifier (streamline.h): graph_verify's invariants,
 * plus those of docs/integer-graph.md:
 *
 *   - integer tensors are the outputs of InputQuant and of the integer ops
 *     and layout ops after them; each is held in integer storage and
 *     carries a valid QONNX datatype (Tensor.qdt);
 *   - only qonnxc ops and layout ops (Reshape, Flatten, Transpose,
 *     Squeeze, Unsqueeze) read integer tensors; OutputAffine turns them
 *     back into float; no graph output is integer;
 *   - the constant weights and thresholds of the integer ops are integer,
 *     annotated, and within their datatype;
 *   - no QONNX quantizer is left, and there is at least one InputQuant and
 *     one OutputAffine. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ops.h"
#include "qc_dtype_name.h"
#include "streamline.h"

/* Layout ops may carry integers: the order-keeping ones and Transpose. */
static bool is_layout(const Node *n)
{
    return op_kind_keeps_order(node_kind(n)) || node_kind(n) == OP_TRANSPOSE;
}

/* A constant input of an integer op: integer storage, annotated, in range. */
static bool int_constant(const Graph *g, const Node *n, const Tensor *t, Diag *d)
{
    qc_dtype dt;
    if (!t->value)
        return node_error(d, g, n, "input '%s' must be a constant", t->name);
    if (!t->value->i)
        return node_error(d, g, n, "constant '%s' is not integer", t->name);
    if (!t->qdt || qc_dtype_parse(t->qdt, &dt) != 0)
        return node_error(d, g, n, "constant '%s' has no integer datatype", t->name);
    for (int64_t k = 0; k < t->value->count; k++) {
        int64_t v = t->value->i[k];
        if (v < qc_dtype_min(dt) || v > qc_dtype_max(dt) || (dt.kind == QC_BIPOLAR && v == 0))
            return node_error(d, g, n, "constant '%s' holds %lld, outside its datatype %s",
                              t->name, (long long)v, t->qdt);
    }
    return true;
}

static bool int_tensor(const Graph *g, const Node *n, const Tensor *t, Diag *d)
{
    qc_dtype dt;
    if (elem_type_is_float(t->elem_type))
        return node_error(d, g, n, "integer tensor '%s' has a float type", t->name);
    if (!t->qdt || qc_dtype_parse(t->qdt, &dt) != 0)
        return node_error(d, g, n, "integer tensor '%s' has no datatype (qdt '%s')", t->name,
                          t->qdt ? t->qdt : "");
    return true;
}

bool graph_verify_integer(const Graph *g, Diag *d)
{
    if (!graph_verify(g, d))
        return false;
    /* is_int[tensor index]: the tensor holds integers of the integer graph */
    bool *is_int = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *is_int);
    if (!is_int)
        return diag_error(d, g->path, NULL, NULL, "out of memory verifying the graph");
    for (int k = 0; k < g->n_tensors; k++)
        g->tensors[k]->id = k;
    int inputs = 0, outputs = 0;
    bool ok = true;
    for (int k = 0; ok && k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        bool any_int = false;
        for (int i = 0; i < n->n_inputs; i++)
            any_int = any_int || (n->inputs[i] && is_int[n->inputs[i]->id]);
        const Tensor *x = n->inputs[0];
        bool x_int = x && is_int[x->id];
        if (n->domain_kind == DOMAIN_QONNX) {
            ok = node_error(d, g, n, "a QONNX op is left in the integer graph");
        } else if (n->domain_kind == DOMAIN_QONNXC) {
            OpKind kind = node_kind(n);
            if (kind == OP_INPUT_QUANT) {
                inputs++;
                if (x_int)
                    ok = node_error(d, g, n, "reads integer tensor '%s'; its input is float",
                                    x->name);
            } else if (!x_int) {
                ok = node_error(d, g, n, "input '%s' is not an integer tensor",
                                x ? x->name : "?");
            } else if (kind == OP_OUTPUT_AFFINE) {
                outputs++;
            } else if (kind == OP_INT_ADD || kind == OP_INT_SCALED_ADD) {
                if (!is_int[n->inputs[1]->id])
                    ok = node_error(d, g, n, "input '%s' is not an integer tensor",
                                    n->inputs[1]->name);
            } else if (kind == OP_INT_MATMUL || kind == OP_INT_CONV ||
                       kind == OP_MULTITHRESHOLD) {
                ok = int_constant(g, n, n->inputs[1], d);
            }
            if (ok && kind != OP_OUTPUT_AFFINE) {
                for (int o = 0; o < n->n_outputs; o++)
                    if (n->outputs[o])
                        is_int[n->outputs[o]->id] = true;
            }
        } else if (any_int) {
            if (!is_layout(n) || !x_int)
                ok = node_error(d, g, n, "a float op reads an integer tensor; only qonnxc ops "
                                "and layout ops may");
            for (int i = 1; ok && i < n->n_inputs; i++)
                if (n->inputs[i] && !n->inputs[i]->value)
                    ok = node_error(d, g, n, "input '%s' of a layout op on integers is not a "
                                    "constant", n->inputs[i]->name);
            for (int o = 0; ok && o < n->n_outputs; o++)
                if (n->outputs[o])
                    is_int[n->outputs[o]->id] = true;
        }
        for (int o = 0; ok && o < n->n_outputs; o++)
            if (n->outputs[o] && is_int[n->outputs[o]->id])
                ok = int_tensor(g, n, n->outputs[o], d);
    }
    for (int k = 0; ok && k < g->n_outputs; k++)
        if (is_int[g->outputs[k]->id])
            ok = diag_error(d, g->path, NULL, NULL, "graph output '%s' is integer; an "
                            "OutputAffine must turn it into float", g->outputs[k]->name);
    if (ok && (!inputs || !outputs))
        ok = diag_error(d, g->path, NULL, NULL, "the integer graph has %s", !inputs
                        ? "no InputQuant" : "no OutputAffine");
    free(is_int);
    return ok;
}
