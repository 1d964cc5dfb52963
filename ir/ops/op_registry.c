#include "ops.h"

#include <string.h>

static const OpDef *const *const all_tables[] = {
    onnx_math_ops, onnx_tensor_ops, qonnx_ops, qonnxc_int_ops,
};

const OpDef *op_lookup(OpDomain domain, const char *op_type)
{
    for (size_t t = 0; t < sizeof all_tables / sizeof all_tables[0]; t++)
        for (const OpDef *const *op = all_tables[t]; *op; op++)
            if ((*op)->domain == domain && !strcmp((*op)->op_type, op_type))
                return *op;
    return NULL;
}

GoldenSum op_golden_sum(const OpCtx *ctx)
{
    return ctx && ctx->g ? ctx->g->golden_sum : GOLDEN_SUM_FLOAT32;
}

OpKind node_kind(const Node *n)
{
    return n && n->op ? n->op->kind : OP_UNKNOWN;
}

bool op_kind_keeps_order(OpKind kind)
{
    switch (kind) {
    case OP_RESHAPE:
    case OP_FLATTEN:
    case OP_SQUEEZE:
    case OP_UNSQUEEZE:
    case OP_IDENTITY:
        return true;
    default:
        return false;
    }
}

static bool check_arity(const Graph *g, const Node *n, Diag *d)
{
    const OpDef *op = n->op;
    if (n->n_inputs < op->min_inputs || n->n_inputs > op->max_inputs)
        return node_error(d, g, n, "has %d inputs; %s takes %d to %d", n->n_inputs,
                          op->op_type, op->min_inputs, op->max_inputs);
    if (n->n_outputs < op->min_outputs || n->n_outputs > op->max_outputs)
        return node_error(d, g, n, "has %d outputs; %s gives %d to %d", n->n_outputs,
                          op->op_type, op->min_outputs, op->max_outputs);
    for (int k = 0; k < op->min_inputs; k++)
        if (!n->inputs[k])
            return node_error(d, g, n, "required input %d is missing", k);
    for (int k = 0; k < n->n_outputs; k++)
        if (!n->outputs[k] && k < op->min_outputs)
            return node_error(d, g, n, "required output %d is missing", k);
    return true;
}

bool graph_resolve_ops(Graph *g, Diag *d)
{
    /* First pass: list every unknown op at once, so a user sees the whole
     * gap between the model and qonnxc in one run. */
    int unknown = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        n->op = op_lookup(n->domain_kind, n->op_type);
        if (!n->op) {
            node_error(d, g, n, "unsupported op '%s' in domain '%s'", n->op_type,
                       *n->domain ? n->domain : "ai.onnx");
            unknown++;
        }
    }
    if (unknown)
        return false;
    OpCtx ctx = { g, d };
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        if (!check_arity(g, n, d))
            return false;
        if (n->op->check && !n->op->check(&ctx, n))
            return false;
    }
    return true;
}
