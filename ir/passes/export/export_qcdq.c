/* The QCDQ export driver (export_qcdq.h): opset, quantizers, batch. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "export_internal.h"

/* A Reshape to a constant target whose first entry is the batch of 1 the
 * cleanup fixed: that entry becomes 0 ("copy the input's dim"), so the
 * export runs any batch. The target is copied (it may be shared). */
static bool free_reshape_batch(Graph *g, Node *n, Diag *d)
{
    if (node_kind(n) != OP_RESHAPE || n->n_inputs < 2 || !n->inputs[1] ||
        node_attr_int(n, "allowzero", 0) != 0)
        return true;
    const Tensor *data = n->inputs[0], *target = n->inputs[1];
    const Value *v = target->value;
    if (!v || !v->i || v->count < 1 || v->i[0] != 1 || data->shape.rank < 1 ||
        data->shape.dims[0] != 1)
        return true;
    char name[512];
    snprintf(name, sizeof name, "%.400s.batch_free_shape", n->name);
    Tensor *t = graph_add_tensor(g, name);
    Value *copy = t ? value_copy_in(&g->arena, v) : NULL;
    if (!copy)
        return diag_error(d, g->path, n->name, n->op_type, "out of memory");
    copy->i[0] = 0;
    t->value = copy;
    t->elem_type = copy->elem_type;
    t->shape = copy->shape;
    n->inputs[1] = t;
    return true;
}

/* The graph's interface with an unknown batch, intermediate shapes left
 * out (a runtime infers them for the batch it gets). */
static void free_batch(Graph *g)
{
    for (int k = 0; k < g->n_tensors; k++) {
        Tensor *t = g->tensors[k];
        if (t->value)
            continue;
        if (t->is_graph_input || t->is_graph_output) {
            if (t->shape.rank >= 1)
                t->shape.dims[0] = -1;
        } else {
            t->shape.rank = -1;
        }
    }
}

static bool is_qonnx_quantizer(const Node *n)
{
    OpKind k = node_kind(n);
    return k == OP_QUANT || k == OP_INT_QUANT || k == OP_BIPOLAR_QUANT || k == OP_TRUNC;
}

bool export_qcdq(Graph *g, ExportCounts *counts, Diag *d)
{
    memset(counts, 0, sizeof *counts);
    if (!export_raise_opset(g, d))
        return false;
    for (int k = 0; k < g->n_nodes;) {
        Node *n = g->nodes[k];
        if (n->domain_kind == DOMAIN_ONNX) {
            k++;
            continue;
        }
        if (!is_qonnx_quantizer(n))
            return node_error(d, g, n,
                              "has no standard ONNX form in the QCDQ export (it writes Quant, "
                              "IntQuant, BipolarQuant and Trunc as standard ops and keeps the "
                              "ONNX ops)");
        graph_remove_node(g, k);   /* the nodes that replace it go at the end */
        if (!export_quantizer(g, n, counts, d))
            return false;
    }
    for (int k = 0; k < g->n_nodes; k++)
        if (!free_reshape_batch(g, g->nodes[k], d))
            return false;
    graph_drop_unused_tensors(g);
    export_keep_onnx_import(g);
    if (!graph_resolve_ops(g, d) || !pass_topo_sort(g, d) || !pass_infer_shapes(g, d))
        return false;
    if (!graph_verify(g, d))
        return diag_invalid_after(d, g->path, "the graph", "export", "qcdq");
    free_batch(g);
    return true;
}
