/* Remove no-op nodes: ops that, on their constants, return their data input
 * unchanged become Identity nodes, which pass_remove_identity then bypasses
 * (keeping graph output names as it does). The table:
 *
 *   Pad        every pad 0 (any mode: nothing is added or cropped)
 *   Mul        by a constant of ones (x * 1 == x for every float, NaN too)
 *   Add        of a constant of zeros (x + 0 == x, except that -0 becomes
 *              +0: equal values, which a quantizer maps to the same integer)
 *   Reshape    to the shape its input already has
 *
 * Only when the output has the data input's static shape and element type:
 * a Mul by a [1, C, 1, 1] constant of ones on a [C] tensor broadcasts, so
 * it is not a no-op. Brevitas' TruncAvgPool2d exports a Pad with all-zero
 * pads before its AveragePool; removing it lets the pool be seen as such. */
#include <string.h>

#include "cleanup.h"
#include "ops.h"

/* Whether every element of constant t equals v (NULL or non-constant: no). */
static bool const_all(const Tensor *t, double v)
{
    if (!t || !t->value || t->value->count < 1)
        return false;
    for (int64_t k = 0; k < t->value->count; k++)
        if (value_get(t->value, k) != v)
            return false;
    return true;
}

static bool same_static_type(const Tensor *a, const Tensor *b)
{
    if (!a || !b || a->elem_type != b->elem_type || a->shape.rank < 0 ||
        a->shape.rank != b->shape.rank)
        return false;
    for (int d = 0; d < a->shape.rank; d++)
        if (a->shape.dims[d] < 0 || a->shape.dims[d] != b->shape.dims[d])
            return false;
    return true;
}

static bool pad_is_zero(const Node *n)
{
    const Attr *a = node_attr(n, "pads");
    if (!a)
        a = node_attr(n, "paddings");
    if (a) {
        if (a->kind != ATTR_INTS)
            return false;
        for (int k = 0; k < a->n; k++)
            if (a->ints[k])
                return false;
        return true;
    }
    return n->n_inputs >= 2 && const_all(n->inputs[1], 0.0);
}

/* The data input of a binary op whose other input is a constant all equal
 * to v, or -1. */
static int data_input_beside(const Node *n, double v)
{
    if (n->n_inputs != 2 || !n->inputs[0] || !n->inputs[1])
        return -1;
    if (!n->inputs[0]->value && const_all(n->inputs[1], v))
        return 0;
    if (!n->inputs[1]->value && const_all(n->inputs[0], v))
        return 1;
    return -1;
}

/* The input a no-op node passes through unchanged, or -1 if n is not one. */
static int noop_data_input(const Node *n)
{
    if (n->n_outputs != 1 || !n->outputs[0] || n->n_inputs < 1 || !n->inputs[0])
        return -1;
    int data = -1;
    switch (node_kind(n)) {
    case OP_PAD: data = pad_is_zero(n) ? 0 : -1; break;
    case OP_MUL: data = data_input_beside(n, 1.0); break;
    case OP_ADD: data = data_input_beside(n, 0.0); break;
    case OP_RESHAPE: data = 0; break;
    default: return -1;
    }
    if (data < 0 || n->inputs[data]->value)
        return -1;
    return same_static_type(n->inputs[data], n->outputs[0]) ? data : -1;
}

bool pass_remove_noop(Graph *g, Diag *d)
{
    const OpDef *identity = op_lookup(DOMAIN_ONNX, "Identity");
    if (!identity)
        return diag_error(d, g->path, NULL, NULL, "op Identity is not registered (a bug in qonnxc)");
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        int data = noop_data_input(n);
        if (data < 0)
            continue;
        n->inputs[0] = n->inputs[data];
        n->n_inputs = 1;
        n->n_attrs = 0;
        n->op_type = "Identity";
        n->domain = "";
        n->domain_kind = DOMAIN_ONNX;
        n->op = identity;
    }
    return true;
}
