/* Lowering driver: walks the integer graph's chain from InputQuant to
 * OutputAffine and hands each node to its lowering (lower_internal.h).
 * Layers come out with PE = SIMD = 1; folding is the next pass.
 *
 *   InputQuant ─► [layout] ─► IntConv ─► MultiThreshold ─► IntMaxPool ─► ... ─► OutputAffine
 *      host          order     SWG+MVAU   fused into MVAU   MAXPOOL                host
 *
 * Anything else between the boundaries (IntAdd, a tensor read twice, an
 * unknown op) stops with an error naming the node. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lower_internal.h"
#include "op_math.h"
#include "op_util.h"
#include "qc_dtype_name.h"

bool lower_fail(Lower *L, const Node *n, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        node_error(L->d, L->g, n, "dataflow lowering: %s", msg);
    else
        diag_error(L->d, L->g->path, NULL, NULL, "dataflow lowering: %s", msg);
    diag_set_exit(L->d, EXIT_BAD_MODEL);
    return false;
}

bool lower_tensor_dt(Lower *L, const Node *n, const Tensor *t, qc_dtype *dt)
{
    if (!t->qdt || qc_dtype_parse(t->qdt, dt) != 0)
        return lower_fail(L, n, "tensor '%s' has no integer datatype (qdt '%s')", t->name,
                          t->qdt ? t->qdt : "");
    return true;
}

int64_t lower_frame_elems(const Tensor *t)
{
    int64_t n = 1;
    for (int k = 1; k < t->shape.rank; k++)
        n *= t->shape.dims[k];
    return n;
}

int64_t *lower_identity_order(Lower *L, int64_t n)
{
    int64_t *o = arena_array(&L->df->arena, (size_t)n, sizeof *o);
    for (int64_t k = 0; o && k < n; k++)
        o[k] = k;
    return o;
}

int64_t *lower_nhwc_order(Lower *L, int64_t C, int64_t H, int64_t W)
{
    int64_t *o = arena_array(&L->df->arena, (size_t)(C * H * W), sizeof *o);
    for (int64_t h = 0; o && h < H; h++)
        for (int64_t w = 0; w < W; w++)
            for (int64_t c = 0; c < C; c++)
                o[(h * W + w) * C + c] = (c * H + h) * W + w;
    return o;
}

bool lower_order_is(const int64_t *order, const int64_t *want, int64_t n)
{
    return order && want && !memcmp(order, want, (size_t)n * sizeof *order);
}

bool lower_need_i32(Lower *L, const Node *n, int64_t v, const char *what)
{
    if (v < INT32_MIN || v > INT32_MAX)
        return lower_fail(L, n, "%s %lld does not fit 32 bits", what, (long long)v);
    return true;
}

bool lower_window(Lower *L, const Node *n, const int64_t *kernel, int options, Layer *l)
{
    const Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->shape.rank != 4 || y->shape.rank != 4)
        return lower_fail(L, n, "only 2-D images (N x C x H x W) are supported");
    Window w;
    if (!window_read(&L->ctx, n, 2, kernel, options, &w) ||
        !window_apply(&L->ctx, n, &x->shape.dims[2], &w))
        return false;
    if (w.dilation[0] != 1 || w.dilation[1] != 1)
        return lower_fail(L, n, "dilated windows are not supported");
    l->channels = x->shape.dims[1];
    l->in_h = x->shape.dims[2];
    l->in_w = x->shape.dims[3];
    l->out_h = y->shape.dims[2];
    l->out_w = y->shape.dims[3];
    l->k_h = (int)w.kernel[0];
    l->k_w = (int)w.kernel[1];
    l->stride_h = (int)w.stride[0];
    l->stride_w = (int)w.stride[1];
    l->pad_top = (int)w.pad_begin[0];
    l->pad_left = (int)w.pad_begin[1];
    l->pad_bottom = (int)w.pad_end[0];
    l->pad_right = (int)w.pad_end[1];
    int64_t oh = (l->in_h + l->pad_top + l->pad_bottom - l->k_h) / l->stride_h + 1;
    int64_t ow = (l->in_w + l->pad_left + l->pad_right - l->k_w) / l->stride_w + 1;
    if (oh != l->out_h || ow != l->out_w)
        return lower_fail(L, n, "output %lldx%lld is not what the window gives (%lldx%lld; "
                          "ceil_mode is not supported)", (long long)l->out_h,
                          (long long)l->out_w, (long long)oh, (long long)ow);
    return true;
}

Layer *lower_add_layer(Lower *L, LayerKind kind, const char *name, const Node *n)
{
    Dataflow *df = L->df;
    if (dataflow_find_layer(df, name) >= 0) {
        lower_fail(L, n, "a second layer named '%s'", name);
        return NULL;
    }
    Layer *l = dataflow_insert_layer(df, df->n_layers, kind, name);
    if (!l) {
        lower_fail(L, n, "out of memory");
        return NULL;
    }
    l->node = n;
    l->in.dt = L->dt;
    l->in.elems = L->elems;
    l->pe = l->simd = 1;
    return l;
}

bool lower_advance(Lower *L, const Node *n, const Tensor *t, int64_t *order, bool layer_output)
{
    if (!order)
        return lower_fail(L, n, "out of memory");
    if (t->shape.rank < 1 || !shape_known(&t->shape) || t->shape.dims[0] != 1)
        return lower_fail(L, n, "tensor '%s' needs a known shape with a batch of 1", t->name);
    if (!lower_tensor_dt(L, n, t, &L->dt))
        return false;
    L->cur = t;
    L->elems = lower_frame_elems(t);
    L->order = order;
    if (layer_output) {
        L->last = t;
        L->last_order = order;
    }
    return true;
}

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
