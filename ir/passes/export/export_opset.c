/* The export's ai.onnx opset: at least 13 (QuantizeLinear with a per-axis
 * form, Clip of integers, Round). A model importing an older opset is
 * raised to 13 when its nodes read the same under 13; a node of an op
 * whose inputs, attributes or meaning changed in between is an error that
 * names it, rather than being written in a form 13 reads differently. */
#include <string.h>

#include "export_internal.h"

/* The first opset of each op's current form (up to 13), where it changed. */
static const struct {
    const char *op;
    int64_t since;
    const char *what;
} changed_ops[] = {
    { "Reshape", 5, "takes the target shape as an input" },
    { "BatchNormalization", 9, "dropped the spatial attribute" },
    { "Slice", 10, "takes starts, ends and axes as inputs" },
    { "TopK", 10, "takes k as an input" },
    { "Clip", 11, "takes min and max as inputs" },
    { "Pad", 11, "takes the pads as an input" },
    { "Resize", 13, "changed its inputs" },
    { "Upsample", 1000, "is deprecated" },
    { "Dropout", 12, "takes the ratio as an input" },
    { "Squeeze", 13, "takes the axes as an input" },
    { "Unsqueeze", 13, "takes the axes as an input" },
    { "Split", 13, "takes the split as an input" },
    { "ReduceSum", 13, "takes the axes as an input" },
    { "Softmax", 13, "normalizes along one axis instead of a flattened 2-D view" },
    { "LogSoftmax", 13, "normalizes along one axis instead of a flattened 2-D view" },
};

static bool check_node(const Graph *g, const Node *n, Diag *d)
{
    for (size_t k = 0; k < sizeof changed_ops / sizeof changed_ops[0]; k++)
        if (!strcmp(n->op_type, changed_ops[k].op) && n->opset < changed_ops[k].since)
            return node_error(d, g, n,
                              "the model imports ONNX opset %lld, and the QCDQ export writes "
                              "opset %d, where %s %s: not converted",
                              (long long)n->opset, EXPORT_MIN_OPSET, n->op_type,
                              changed_ops[k].what);
    return true;
}

static OpsetImport *onnx_import(Graph *g)
{
    for (int k = 0; k < g->n_opsets; k++)
        if (domain_kind(g->opsets[k].domain) == DOMAIN_ONNX)
            return &g->opsets[k];
    return NULL;
}

bool export_raise_opset(Graph *g, Diag *d)
{
    OpsetImport *imp = onnx_import(g);
    if (imp && imp->version > 0 && imp->version < 7)
        return diag_error(d, g->path, NULL, NULL,
                          "the model imports ONNX opset %lld; the QCDQ export converts models "
                          "of opset 7 or newer (before 7, broadcasting was an attribute)",
                          (long long)imp->version);
    for (int k = 0; k < g->n_nodes; k++)
        if (g->nodes[k]->domain_kind == DOMAIN_ONNX && g->nodes[k]->opset > 0 &&
            !check_node(g, g->nodes[k], d))
            return false;
    if (!imp) {
        OpsetImport *grown = arena_array(&g->arena, (size_t)g->n_opsets + 1, sizeof *grown);
        if (!grown)
            return diag_error(d, g->path, NULL, NULL, "out of memory");
        if (g->n_opsets)
            memcpy(grown, g->opsets, (size_t)g->n_opsets * sizeof *grown);
        g->opsets = grown;
        imp = &g->opsets[g->n_opsets++];
        imp->domain = "";
        imp->version = 0;
    }
    if (imp->version < EXPORT_MIN_OPSET)
        imp->version = EXPORT_MIN_OPSET;
    for (int k = 0; k < g->n_nodes; k++)
        if (g->nodes[k]->domain_kind == DOMAIN_ONNX)
            g->nodes[k]->opset = imp->version;
    return true;
}

void export_keep_onnx_import(Graph *g)
{
    int kept = 0;
    for (int k = 0; k < g->n_opsets; k++)
        if (domain_kind(g->opsets[k].domain) == DOMAIN_ONNX)
            g->opsets[kept++] = g->opsets[k];
    g->n_opsets = kept;
}
