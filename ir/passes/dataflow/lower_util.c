/* The helpers every lowering shares (lower_internal.h): errors, datatypes,
 * element orders, windows, and adding a layer to the chain. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "op_math.h"
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
    l->src[0] = L->src;
    l->src_port[0] = L->src_port;
    l->pe = l->simd = 1;
    return l;
}

TensorSrc *lower_src_of(Lower *L, const Tensor *t)
{
    for (int k = 0; k < L->n_srcs; k++)
        if (L->srcs[k].t == t)
            return &L->srcs[k];
    return NULL;
}

bool lower_use(Lower *L, const Node *n, const Tensor *t)
{
    TensorSrc *e = lower_src_of(L, t);
    if (!e)
        return lower_fail(L, n, "its input '%s' does not come from the accelerator's input "
                          "(a constant or a second graph input cannot be streamed)", t->name);
    if (e->forked && e->next_port > 1)
        return lower_fail(L, n, "tensor '%s' is read more than twice: a FORK has two outputs",
                          t->name);
    L->cur = t;
    L->elems = lower_frame_elems(t);
    L->order = e->order;
    L->src = e->layer;
    L->src_port = e->forked ? e->next_port++ : e->port;
    return lower_tensor_dt(L, n, t, &L->dt);
}

/* Readers of t: inputs of nodes that name it, and the graph output. */
static int uses_of(const Graph *g, const Tensor *t)
{
    int uses = t->is_graph_output ? 1 : 0;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            uses += g->nodes[k]->inputs[i] == t;
    return uses;
}

/* The number of channels of the stream (the innermost dimension): C of
 * an NHWC image, else the whole frame. */
static int64_t stream_channels(Lower *L, const Tensor *t)
{
    const Shape *s = &t->shape;
    if (s->rank == 4 && lower_order_is(L->order, lower_nhwc_order(L, s->dims[1], s->dims[2],
                                                                  s->dims[3]), L->elems))
        return s->dims[1];
    return L->elems;
}

static bool record(Lower *L, const Node *n, const Tensor *t)
{
    if (lower_src_of(L, t))
        return lower_fail(L, n, "tensor '%s' is written twice", t->name);
    if (L->n_srcs == L->cap_srcs) {
        int cap = L->cap_srcs ? 2 * L->cap_srcs : 32;
        TensorSrc *ns = realloc(L->srcs, (size_t)cap * sizeof *ns);
        if (!ns)
            return lower_fail(L, n, "out of memory");
        L->srcs = ns;
        L->cap_srcs = cap;
    }
    int uses = uses_of(L->g, t);
    if (t->is_graph_output && uses > 1)
        return lower_fail(L, n, "its output '%s' is a graph output and is also read by %d "
                          "node(s): the accelerator writes one output, its last layer's",
                          t->name, uses - 1);
    if (uses > 2)
        return lower_fail(L, n, "its output '%s' is read %d times: the dataflow lowering "
                          "branches a stream in two (a FORK) at most", t->name, uses);
    TensorSrc e = { t, L->src, L->src_port, L->order, false, 0 };
    if (uses == 2) {
        char name[512];
        snprintf(name, sizeof name, "%s:fork", n->name);
        Layer *f = lower_add_layer(L, LAYER_FORK, name, n);
        if (!f)
            return false;
        f->channels = stream_channels(L, t);
        f->out.dt = L->dt;
        f->out.elems = L->elems;
        e.layer = L->df->n_layers - 1;
        e.port = 0;
        e.forked = true;
    }
    L->srcs[L->n_srcs++] = e;
    return true;
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
        L->src = L->df->n_layers - 1;
        L->src_port = 0;
    }
    return record(L, n, t);
}
