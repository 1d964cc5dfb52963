/* Lowering driver: walks the integer graph's nodes from InputQuant to
 * OutputAffine in graph order and hands each node to its lowering
 * (lower_internal.h). Layers come out with PE = SIMD = 1; folding is the
 * next pass.
 *
 *   InputQuant ─► [layout] ─► IntConv ─► MultiThreshold ─► IntMaxPool ─► ... ─► OutputAffine
 *      host          order     SWG+MVAU   fused into MVAU   MAXPOOL                host
 *                             (SWG+VVAU when depthwise; no SWG for a 1x1 stride-1 conv)
 *
 * A tensor read twice gets a FORK; IntAdd/IntScaledAdd become a JOIN of
 * the two streams (the MultiThreshold after it fused), IntSumPool a POOL.
 * Nodes that read nothing the accelerator streams (the host's tail after
 * OutputAffine) are left to the host. Anything else between the
 * boundaries (an unknown op, a tensor read three times) stops with an
 * error naming the node. */
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "op_util.h"

/* Transpose: stream element s was at row-major index order[s] of the input;
 * its index in the output follows the permutation. */
static bool lower_transpose(Lower *L, const Node *n)
{
    if (!lower_use(L, n, n->inputs[0]))
        return false;
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

/* One node between InputQuant and OutputAffine. */
static bool lower_node(Lower *L, const Node *n)
{
    if (op_kind_keeps_order(node_kind(n)))
        return lower_use(L, n, n->inputs[0]) &&
               lower_advance(L, n, n->outputs[0], L->order, false);
    switch (node_kind(n)) {
    case OP_TRANSPOSE:
        return lower_transpose(L, n);
    case OP_INT_CONV:
        return lower_use(L, n, n->inputs[0]) && lower_conv(L, n);
    case OP_INT_MATMUL:
        return lower_use(L, n, n->inputs[0]) && lower_matmul(L, n);
    case OP_INT_MAXPOOL:
        return lower_use(L, n, n->inputs[0]) && lower_maxpool(L, n);
    case OP_MULTITHRESHOLD:
        return lower_use(L, n, n->inputs[0]) && lower_threshold(L, n);
    case OP_INT_ADD:
    case OP_INT_SCALED_ADD:
        return lower_join(L, n);
    case OP_INT_SUM_POOL:
        return lower_pool(L, n);
    default:
        return lower_fail(L, n, "op %s is not supported between InputQuant and "
                          "OutputAffine", n->op_type);
    }
}

/* Whether some input of n is streamed (mapped), and whether all of its
 * non-constant inputs are. */
static void streamed_inputs(Lower *L, const Node *n, bool *any, bool *all)
{
    *any = false;
    *all = true;
    for (int i = 0; i < n->n_inputs; i++) {
        const Tensor *t = n->inputs[i];
        if (!t || t->value)
            continue;
        if (lower_src_of(L, t))
            *any = true;
        else
            *all = false;
    }
}

/* The accelerator's output: the tensor OutputAffine reads (or the graph
 * output), which must be the last layer's own output. */
static bool finish(Lower *L, const Node *affine, const Node *last_node)
{
    Dataflow *df = L->df;
    if (df->n_layers == 0)
        return lower_fail(L, affine, "no integer layer between InputQuant and the output: "
                          "nothing to put on the accelerator");
    const TensorSrc *out = NULL;
    if (affine)
        out = lower_src_of(L, affine->inputs[0]);
    for (int k = 0; !affine && k < L->n_srcs; k++)
        if (L->srcs[k].t->is_graph_output) {
            if (out)
                return lower_fail(L, last_node, "the accelerator would write two graph outputs "
                                  "('%s' and '%s'): one is supported", out->t->name,
                                  L->srcs[k].t->name);
            out = &L->srcs[k];
        }
    if (!out || out->forked || out->layer != df->n_layers - 1 || out->port != 0)
        return lower_fail(L, affine ? affine : last_node, "the accelerator's output must be "
                          "written by its last layer ('%s')", df->layers[df->n_layers - 1].name);
    df->out_tensor = L->last;
    df->out_order = L->last_order;
    df->out_elems = lower_frame_elems(L->last);
    if (L->cfg && L->cfg->labels > 0)
        return lower_use(L, affine ? affine : last_node, out->t) &&
               lower_labelselect(L, affine);
    return true;
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
    L->src = DATAFLOW_INPUT;
    L->src_port = 0;
    if (!lower_advance(L, iq, x, order, false))
        return false;
    Dataflow *df = L->df;
    df->in_tensor = x;
    df->in_elems = L->elems;
    df->in_order = order;
    const Node *affine = NULL, *last_node = iq;
    for (int k = 0; k < L->g->n_nodes; k++) {
        const Node *n = L->g->nodes[k];
        bool any, all;
        if (n == iq)
            continue;
        streamed_inputs(L, n, &any, &all);
        if (!any)
            continue;   /* the host's tail, after OutputAffine */
        if (node_kind(n) == OP_OUTPUT_AFFINE) {
            if (affine)
                return lower_fail(L, n, "a second OutputAffine: the accelerator has one output");
            affine = n;
            continue;
        }
        if (!all)
            for (int i = 0; i < n->n_inputs; i++)
                if (n->inputs[i] && !n->inputs[i]->value && !lower_src_of(L, n->inputs[i]))
                    return lower_use(L, n, n->inputs[i]);
        if (!lower_node(L, n))
            return false;
        last_node = n;
    }
    return finish(L, affine, last_node);
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
    bool ok = walk(&L);
    free(L.srcs);
    if (!ok) {
        dataflow_free(df);
        return false;
    }
    dataflow_set_streams(df);
    return true;
}
