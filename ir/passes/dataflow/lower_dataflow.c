/* Lowering driver: walks the integer graph's chain from InputQuant to
 * OutputAffine and hands each node to its lowering (lower_internal.h).
 * Layers come out with PE = SIMD = 1; folding is the next pass.
 *
 *   InputQuant ─► [layout] ─► IntConv ─► MultiThreshold ─► IntMaxPool ─► ... ─► OutputAffine
 *      host          order     SWG+MVAU   fused into MVAU   MAXPOOL                host
 *
 * Anything else between the boundaries (IntAdd, a tensor read twice, an
 * unknown op) stops with an error naming the node. */
#include <string.h>

#include "lower_internal.h"
#include "op_util.h"

/* Transpose: stream element s was at row-major index order[s] of the input;
 * its index in the output follows the permutation. */
static bool lower_transpose(Lower *L, const Node *n)
{
    const Tensor *x = n->inputs[0], *y = n->outputs[0];
    int rank = x->shape.rank, count = 0;
    const int64_t *perm = op_attr_ints(n, "perm", &count);
    int64_t p[MAX_RANK];
    for (int k = 0; k < rank; k++)
        p[k] = perm && count == rank ? perm[k] : rank - 1 - k;
    if (rank < 1 || p[0] != 0)
        return lower_fail(L, n, "a Transpose that moves the batch dimension is not supported");
    int64_t *o = arena_array(&L->df->arena, (size_t)L->elems, sizeof *o);
    if (!o)
        return lower_fail(L, n, "out of memory");
    for (int64_t s = 0; s < L->elems; s++) {
        int64_t idx[MAX_RANK], rem = L->order[s], out = 0;
        for (int k = rank - 1; k >= 0; k--) {
            idx[k] = rem % x->shape.dims[k];
            rem /= x->shape.dims[k];
        }
        for (int k = 0; k < rank; k++)
            out = out * y->shape.dims[k] + idx[p[k]];
        o[s] = out;
    }
    return lower_advance(L, n, y, o, false);
}

/* The only node reading t, or NULL at the end of the chain (a graph output
 * nobody reads); a second reader is a branch. */
static bool next_node(Lower *L, const Node *from, const Tensor *t, const Node **next)
{
    const Graph *g = L->g;
    const Node *first = NULL;
    int readers = t->is_graph_output ? 1 : 0;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] == t) {
                if (!first)
                    first = g->nodes[k];
                readers++;
                break;
            }
    if (readers > 1)
        return lower_fail(L, from, "its output '%s' is read %d times (a branch): the dataflow "
                          "lowering supports chains of layers only", t->name, readers);
    *next = first;
    return true;
}

static bool find_input_quant(Lower *L, const Node **iq)
{
    *iq = NULL;
    for (int k = 0; k < L->g->n_nodes; k++) {
        const Node *n = L->g->nodes[k];
        if (node_kind(n) != OP_INPUT_QUANT)
            continue;
        if (*iq)
            return lower_fail(L, n, "a second InputQuant: the dataflow lowering supports one "
                              "input");
        *iq = n;
    }
    if (!*iq)
        return lower_fail(L, NULL, "no InputQuant: lower the integer graph (streamline_graph "
                          "output)");
    return true;
}

/* One node of the chain between InputQuant and OutputAffine. */
static bool lower_node(Lower *L, const Node *n)
{
    if (op_kind_keeps_order(node_kind(n)))
        return lower_advance(L, n, n->outputs[0], L->order, false);
    switch (node_kind(n)) {
    case OP_TRANSPOSE:
        return lower_transpose(L, n);
    case OP_INT_CONV:
        return lower_conv(L, n);
    case OP_INT_MATMUL:
        return lower_matmul(L, n);
    case OP_INT_MAXPOOL:
        return lower_maxpool(L, n);
    case OP_MULTITHRESHOLD:
        return lower_threshold(L, n);
    case OP_INT_ADD:
        return lower_fail(L, n, "IntAdd (a residual connection) is not supported: the "
                          "dataflow graph is a chain of layers");
    default:
        return lower_fail(L, n, "op %s is not supported between InputQuant and "
                          "OutputAffine", n->op_type);
    }
}

static bool walk(Lower *L)
{
    const Node *iq;
    if (!find_input_quant(L, &iq))
        return false;
    const Tensor *x = iq->outputs[0];
    const Shape *s = &x->shape;
    int64_t *order = s->rank == 4 ? lower_nhwc_order(L, s->dims[1], s->dims[2], s->dims[3])
                                  : lower_identity_order(L, lower_frame_elems(x));
    if (!lower_advance(L, iq, x, order, false))
        return false;
    Dataflow *df = L->df;
    df->in_tensor = x;
    df->in_elems = L->elems;
    df->in_order = order;
    const Node *from = iq, *n = NULL, *affine = NULL;
    for (;;) {
        if (!next_node(L, from, L->cur, &n))
            return false;
        if (!n)
            break;
        if (node_kind(n) == OP_OUTPUT_AFFINE) {
            affine = n;
            break;
        }
        if (!lower_node(L, n))
            return false;
        from = n;
    }
    if (df->n_layers == 0)
        return lower_fail(L, affine, "no integer layer between InputQuant and the output: "
                          "nothing to put on the accelerator");
    df->out_tensor = L->last;
    df->out_order = L->last_order;
    df->out_elems = lower_frame_elems(L->last);
    if (L->cfg && L->cfg->labels > 0)
        return lower_labelselect(L, affine);
    return true;
}

bool lower_dataflow(const Graph *g, const BuildConfig *cfg, Dataflow *df, Diag *d)
{
    memset(df, 0, sizeof *df);
    df->g = g;
    df->path = g->path;
    df->clock_mhz = cfg ? cfg->clock_mhz : DEFAULT_CLOCK_MHZ;
    df->target_fps = cfg ? cfg->target_fps : 0;
    df->max_weight_stream_bits = cfg ? cfg->max_weight_stream_bits
                                     : DEFAULT_MAX_WEIGHT_STREAM_BITS;
    Lower L;
    memset(&L, 0, sizeof L);
    L.g = g;
    L.cfg = cfg;
    L.df = df;
    L.d = d;
    L.ctx.g = g;
    L.ctx.d = d;
    if (!walk(&L)) {
        dataflow_free(df);
        return false;
    }
    dataflow_set_streams(df);
    return true;
}
