/* The plan of a reference executor: from the integer graph to a list of
 * layer functions over static buffers (see emit_ref_internal.h for the
 * storage formats).
 *
 *   1. The boundary: one graph input, InputQuant (after float layout ops
 *      only), one graph output, OutputAffine (before float layout ops only).
 *   2. Each integer tensor's storage, from its datatype and rank.
 *   3. Layers, in graph order: IntMatMul/IntConv absorb the MultiThreshold
 *      that is their only reader; layout ops that leave the stored order
 *      unchanged become aliases (no code), others copies.
 *   4. Buffers: a tensor is live from its layer to its last reader; a
 *      layer's output never shares a buffer with its inputs; buffers of one
 *      C type are reused greedily. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_int_params.h"
#include "qc_dtype_name.h"
#include "ref_plan.h"

const char *const ref_quant_header_names[QH_COUNT] = {
    "qc_axpy.h", "qc_dot.h", "qc_pack.h", "qc_threshold.h", "qc_threshold_bits.h",
    "qc_xnor64.h", "qc_xnor64_threshold.h",
};

const char *ref_ctype(RefFormat f)
{
    switch (f) {
    case REF_BITS: return "uint64_t";
    case REF_I8: return "int8_t";
    default: return "int32_t";
    }
}

const char *ref_buf(const RefPlan *p, const RefTensor *t)
{
    while (t->alias)
        t = t->alias;
    return t->buf >= 0 ? p->bufs[t->buf].name : "?";
}

const char *ref_dt_name(qc_dtype dt, char buf[16])
{
    return qc_dtype_name(dt, buf);
}

const char *ref_shape_str(const RefTensor *t, char *buf, int size)
{
    return shape_str(&t->shape, buf, size);
}

int64_t ref_phys_index(const RefTensor *t, int64_t li)
{
    if (!t->channels_last)
        return li;
    int64_t s = li % t->s, c = (li / t->s) % t->c, n = li / (t->s * t->c);
    return (n * t->s + s) * t->c + c;
}

const char *ref_unique_name(RefPlan *p, const char *base, char out[64])
{
    char stem[48];
    c_identifier(base, stem, sizeof stem);
    if (!strncmp(stem, "qc_", 3))
        stem[1] = 'x';   /* the quant core's prefix */
    return name_table_add(&p->names, stem, out);
}

/* Layout ops: reshapes, and Transpose (a copy when it moves data). */
static bool is_layout_op(const Node *n)
{
    return op_kind_keeps_order(node_kind(n)) || node_kind(n) == OP_TRANSPOSE;
}

/* Layout ops that keep the row-major order of a float tensor. */
static bool is_float_noop(const Node *n)
{
    return op_kind_keeps_order(node_kind(n));
}

/* ---- tensors ------------------------------------------------------------- */

/* Whether a node works along the channel axis of t: a convolution, a pool,
 * per-channel thresholds or affine, an addition. Such tensors of rank >= 3
 * are stored channels-last; the others stay row-major, so that reshapes
 * between them and matrix products cost nothing. */
static bool touches_channels(const Node *n)
{
    switch (node_kind(n)) {
    case OP_INT_CONV:
    case OP_INT_MAXPOOL:
    case OP_INT_SUM_POOL:
    case OP_INT_ADD:
    case OP_INT_SCALED_ADD:
        return true;
    case OP_MULTITHRESHOLD:
        return n->n_inputs > 1 && n->inputs[1] && n->inputs[1]->value &&
               n->inputs[1]->value->shape.rank == 2 && n->inputs[1]->value->shape.dims[0] > 1;
    case OP_OUTPUT_AFFINE:
        return n->n_inputs > 1 && n->inputs[1] && n->inputs[1]->value &&
               n->inputs[1]->value->count > 1;
    case OP_INPUT_QUANT:
        for (int k = 1; k < n->n_inputs; k++)
            if (n->inputs[k] && n->inputs[k]->value && n->inputs[k]->value->count > 1)
                return true;
        return false;
    default:
        return false;
    }
}

static bool is_spatial(const Graph *g, const Tensor *t)
{
    const Node *producer = t->producer;
    /* a MultiThreshold fused into a convolution writes what the convolution writes */
    if (node_kind(producer) == OP_MULTITHRESHOLD && producer->inputs[0] &&
        producer->inputs[0]->producer && touches_channels(producer->inputs[0]->producer))
        return true;
    if (producer && touches_channels(producer))
        return true;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] == t && touches_channels(g->nodes[k]))
                return true;
    return false;
}

static bool tensor_init(RefPlan *p, const Node *n, const Tensor *t, Diag *d)
{
    RefTensor *r = &p->tensors[t->id];
    if (r->t)
        return true;
    char buf[96];
    memset(r, 0, sizeof *r);
    r->buf = -1;
    r->def = r->last = -1;
    if (!t->qdt || qc_dtype_parse(t->qdt, &r->dt) != 0)
        return node_error(d, p->g, n, "output '%s' has no integer datatype (%s); the %s target "
                          "needs one on every tensor of the integer graph", t->name,
                          t->qdt ? t->qdt : "none", p->target);
    if (!shape_known(&t->shape) || shape_count(&t->shape) < 1)
        return node_error(d, p->g, n, "output '%s' has shape %s; the %s target needs a known, "
                          "non-empty shape", t->name, shape_str(&t->shape, buf, sizeof buf),
                          p->target);
    int64_t lo = qc_dtype_min(r->dt), hi = qc_dtype_max(r->dt);
    if (r->dt.kind == QC_BIPOLAR)
        r->fmt = REF_BITS;
    else if (lo >= INT8_MIN && hi <= INT8_MAX)
        r->fmt = REF_I8;
    else if (lo >= INT32_MIN && hi <= INT32_MAX)
        r->fmt = REF_I32;
    else
        return node_error(d, p->g, n, "output '%s' is %s, which does not fit int32_t", t->name,
                          t->qdt);
    r->t = t;
    r->shape = t->shape;
    r->count = shape_count(&t->shape);
    const int64_t *dims = t->shape.dims;
    if (t->shape.rank >= 3 && is_spatial(p->g, t)) {
        r->channels_last = true;
        r->n = dims[0];
        r->c = dims[1];
        r->s = r->count / (r->n * r->c);
        r->inner = r->c;
    } else if (t->shape.rank >= 3) {
        r->inner = r->count / dims[0];   /* one row per frame */
    } else {
        r->inner = t->shape.rank >= 1 ? dims[t->shape.rank - 1] : 1;
    }
    r->rows = r->count / r->inner;
    r->row_words = (r->inner + 63) / 64;
    r->size = r->fmt == REF_BITS ? r->rows * r->row_words : r->count;
    return true;
}

static RefTensor *rt(RefPlan *p, const Tensor *t)
{
    return t && p->tensors[t->id].t ? &p->tensors[t->id] : NULL;
}

/* ---- layout ops ---------------------------------------------------------- */

/* For output element li (logical), the logical index it reads in the input. */
static int64_t layout_source(const Node *n, const RefTensor *in, const RefTensor *out, int64_t li)
{
    if (node_kind(n) != OP_TRANSPOSE)
        return li;
    int rank = out->shape.rank;
    int64_t idx[MAX_RANK], perm[MAX_RANK];
    const Attr *a = node_attr(n, "perm");
    for (int k = 0; k < rank; k++)
        perm[k] = a && a->kind == ATTR_INTS && a->n == rank ? a->ints[k] : rank - 1 - k;
    for (int k = rank - 1; k >= 0; k--) {
        idx[k] = li % out->shape.dims[k];
        li /= out->shape.dims[k];
    }
    int64_t src = 0;
    int64_t in_idx[MAX_RANK];
    for (int k = 0; k < rank; k++)
        in_idx[perm[k]] = idx[k];
    for (int k = 0; k < rank; k++)
        src = src * in->shape.dims[k] + in_idx[k];
    return src;
}

/* Whether the stored arrays of in and out are the same, element for
 * element (and, for bits, word for word). */
static bool layout_is_noop(const Node *n, const RefTensor *in, const RefTensor *out)
{
    if (in->fmt != out->fmt || in->count != out->count)
        return false;
    if (in->fmt == REF_BITS && in->inner != out->inner &&
        !(in->inner % 64 == 0 && out->inner % 64 == 0))
        return false;
    for (int64_t li = 0; li < out->count; li++)
        if (ref_phys_index(in, layout_source(n, in, out, li)) != ref_phys_index(out, li))
            return false;
    return true;
}

/* The physical input element each physical output element of a copy
 * reads, into map[out->count] (malloc'ed). */
int64_t *ref_layout_map(const RefLayer *l)
{
    const RefTensor *in = l->in[0], *out = l->out;
    int64_t *map = malloc((size_t)out->count * sizeof *map);
    if (!map)
        return NULL;
    for (int64_t li = 0; li < out->count; li++)
        map[ref_phys_index(out, li)] = ref_phys_index(in, layout_source(l->node, in, out, li));
    return map;
}

/* ---- boundary ------------------------------------------------------------ */

/* Follows float layout ops from t forward (to InputQuant) or backward (from
 * the graph output to OutputAffine). */
static const Node *sole_reader(const Graph *g, const Tensor *t)
{
    const Node *found = NULL;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] == t) {
                if (found && found != g->nodes[k])
                    return NULL;
                found = g->nodes[k];
            }
    return found;
}

static bool find_boundary(RefPlan *p, Diag *d)
{
    const Graph *g = p->g;
    if (g->n_inputs != 1 || g->n_outputs != 1)
        return diag_error(d, g->path, NULL, NULL,
                          "the %s target handles models with one input and one output; this "
                          "one has %d and %d", p->target, g->n_inputs, g->n_outputs);
    p->graph_in = g->inputs[0];
    p->graph_out = g->outputs[0];
    const Tensor *t = p->graph_in;
    const Node *n;
    while ((n = sole_reader(g, t)) != NULL && is_float_noop(n) && n->inputs[0] == t)
        t = n->outputs[0];
    if (!n || node_kind(n) != OP_INPUT_QUANT || n->inputs[0] != t)
        return diag_error(d, g->path, NULL, NULL,
                          "graph input '%s' must go to one InputQuant (through reshapes only): "
                          "the %s target takes the integer graph of docs/integer-graph.md",
                          p->graph_in->name, p->target);
    p->input_quant = n;
    t = p->graph_out;
    while (t->producer && is_float_noop(t->producer))
        t = t->producer->inputs[0];
    if (!t->producer || node_kind(t->producer) != OP_OUTPUT_AFFINE)
        return diag_error(d, g->path, t->producer ? t->producer->name : NULL,
                          t->producer ? t->producer->op_type : NULL,
                          "graph output '%s' must come from OutputAffine (through reshapes "
                          "only); float ops after it are not supported by the %s target",
                          p->graph_out->name, p->target);
    p->output_affine = t->producer;
    return true;
}

/* ---- layers -------------------------------------------------------------- */

static RefLayer *add_layer(RefPlan *p, RefLayerKind kind, const Node *n)
{
    RefLayer *l = &p->layers[p->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->node = n;
    if (kind != RL_ALIAS)
        ref_unique_name(p, n->name && n->name[0] ? n->name : n->op_type, l->fn);
    return l;
}

static bool use(RefPlan *p, RefLayer *l, int slot, const Tensor *t, Diag *d)
{
    RefTensor *r = rt(p, t);
    if (!r)
        return node_error(d, p->g, l->node, "input '%s' is not an integer tensor of the graph",
                          t ? t->name : "(missing)");
    l->in[slot] = r;
    return true;
}

/* The XNOR convolution + BIPOLAR MultiThreshold layer whose output only
 * the IntMaxPool n reads, or NULL. Fused, it evaluates each window
 * position only for the channels still at -1 (qc_xnor64_threshold_or). */
static RefLayer *fusable_pool_input(RefPlan *p, const Node *n)
{
    const Tensor *t = n->inputs[0];
    if (!t || t->is_graph_output || tensor_consumer_count(p->g, t) != 1 || !t->qdt ||
        strcmp(t->qdt, "BIPOLAR") || !n->outputs[0]->qdt || strcmp(n->outputs[0]->qdt, "BIPOLAR"))
        return NULL;
    for (int k = 0; k < p->n_layers; k++) {
        RefLayer *l = &p->layers[k];
        if (l->kind == RL_DOT && l->thr && !l->pool && l->out->t == t &&
            node_kind(l->node) == OP_INT_CONV && l->xnor)
            return l;
    }
    return NULL;
}

static bool plan_layers(RefPlan *p, Diag *d)
{
    const Graph *g = p->g;
    OpCtx ctx = { g, d };
    int iq = -1, oa = -1;
    for (int k = 0; k < g->n_nodes; k++) {
        if (g->nodes[k] == p->input_quant)
            iq = k;
        if (g->nodes[k] == p->output_affine)
            oa = k;
    }
    if (iq < 0 || oa < 0 || oa < iq)
        return diag_error(d, g->path, NULL, NULL, "InputQuant must come before OutputAffine");
    if (!tensor_init(p, p->input_quant, p->input_quant->outputs[0], d))
        return false;
    p->x = rt(p, p->input_quant->outputs[0]);
    p->layers = calloc((size_t)g->n_nodes + 1, sizeof *p->layers);
    if (!p->layers)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        if (n == p->input_quant || n == p->output_affine)
            continue;
        bool before = k < iq, after = k > oa;
        if (before || after) {
            if (!is_float_noop(n))
                return node_error(d, g, n, "is outside the integer part of the graph; the %s "
                                  "target allows only reshapes there", p->target);
            continue;
        }
        RefLayer *l;
        if (node_kind(n) == OP_INT_MATMUL || node_kind(n) == OP_INT_CONV) {
            IntDot dot;
            if (!int_dot_params(&ctx, n, &dot))
                return false;
            l = add_layer(p, RL_DOT, n);
            l->xnor = dot.xnor;
            if (!use(p, l, 0, n->inputs[0], d))
                return false;
            const Tensor *acc = n->outputs[0];
            const Node *next = sole_reader(g, acc);
            if (next && node_kind(next) == OP_MULTITHRESHOLD && next->inputs[0] == acc &&
                !acc->is_graph_output && tensor_consumer_count(g, acc) == 1) {
                l->thr = next;
                if (!tensor_init(p, next, next->outputs[0], d))
                    return false;
                l->out = rt(p, next->outputs[0]);
            } else {
                if (!tensor_init(p, n, acc, d))
                    return false;
                l->out = rt(p, acc);
            }
        } else if (node_kind(n) == OP_MULTITHRESHOLD) {
            bool fused = false;
            for (int j = 0; j < p->n_layers; j++)
                fused = fused || p->layers[j].thr == n;
            if (fused)
                continue;
            l = add_layer(p, RL_THRESHOLD, n);
            if (!use(p, l, 0, n->inputs[0], d) || !tensor_init(p, n, n->outputs[0], d))
                return false;
            l->out = rt(p, n->outputs[0]);
        } else if (node_kind(n) == OP_INT_MAXPOOL) {
            RefLayer *conv = fusable_pool_input(p, n);
            if (conv) {
                /* the convolution computes the pooled bits directly */
                if (!tensor_init(p, n, n->outputs[0], d))
                    return false;
                conv->pool = n;
                conv->out = rt(p, n->outputs[0]);
                continue;
            }
            l = add_layer(p, RL_MAXPOOL, n);
            if (!use(p, l, 0, n->inputs[0], d) || !tensor_init(p, n, n->outputs[0], d))
                return false;
            l->out = rt(p, n->outputs[0]);
        } else if (node_kind(n) == OP_INT_SUM_POOL) {
            l = add_layer(p, RL_SUMPOOL, n);
            if (!use(p, l, 0, n->inputs[0], d) || !tensor_init(p, n, n->outputs[0], d))
                return false;
            l->out = rt(p, n->outputs[0]);
        } else if (node_kind(n) == OP_INT_ADD || node_kind(n) == OP_INT_SCALED_ADD) {
            l = add_layer(p, RL_ADD, n);
            if (!use(p, l, 0, n->inputs[0], d) || !use(p, l, 1, n->inputs[1], d) ||
                !tensor_init(p, n, n->outputs[0], d))
                return false;
            l->out = rt(p, n->outputs[0]);
        } else if (is_layout_op(n)) {
            RefTensor *in = rt(p, n->inputs[0]);
            if (!in)
                return node_error(d, g, n, "input '%s' is not an integer tensor of the graph",
                                  n->inputs[0] ? n->inputs[0]->name : "(missing)");
            if (!tensor_init(p, n, n->outputs[0], d))
                return false;
            RefTensor *out = rt(p, n->outputs[0]);
            bool noop = layout_is_noop(n, in, out);
            if (!noop && (in->fmt == REF_BITS) != (out->fmt == REF_BITS))
                return node_error(d, g, n, "changes between BIPOLAR and other datatypes");
            l = add_layer(p, noop ? RL_ALIAS : RL_COPY, n);
            l->in[0] = in;
            l->out = out;
            if (noop)
                out->alias = in->alias ? in->alias : in;
        } else {
            return node_error(d, g, n, "is not supported by the %s target (integer graph ops: "
                              "IntMatMul, IntConv, MultiThreshold, IntMaxPool, IntSumPool, IntAdd, IntScaledAdd and "
                              "layout ops)", p->target);
        }
    }
    const Tensor *y = p->output_affine->inputs[0];
    if (!(p->y = rt(p, y)))
        return node_error(d, g, p->output_affine, "input '%s' is not an integer tensor of the "
                          "graph", y ? y->name : "(missing)");
    return true;
}

/* ---- buffers ------------------------------------------------------------- */

static RefTensor *root(RefTensor *t)
{
    while (t->alias)
        t = t->alias;
    return t;
}

static void note_use(RefTensor *t, int layer)
{
    RefTensor *r = root(t);
    if (layer > r->last)
        r->last = layer;
}

static bool allocate(RefPlan *p, RefTensor *t, bool *busy, Diag *d)
{
    /* the smallest free buffer that fits, else the largest free one (which
     * then grows), else a new one */
    int fit = -1, largest = -1;
    for (int b = 0; b < p->n_bufs; b++) {
        if (busy[b] || p->bufs[b].fmt != t->fmt)
            continue;
        if (p->bufs[b].size >= t->size && (fit < 0 || p->bufs[b].size < p->bufs[fit].size))
            fit = b;
        if (largest < 0 || p->bufs[b].size > p->bufs[largest].size)
            largest = b;
    }
    int best = fit >= 0 ? fit : largest;
    if (best < 0) {
        RefBuffer *bufs = realloc(p->bufs, (size_t)(p->n_bufs + 1) * sizeof *bufs);
        if (!bufs)
            return diag_error(d, p->g->path, NULL, NULL, "out of memory");
        p->bufs = bufs;
        best = p->n_bufs++;
        p->bufs[best].fmt = t->fmt;
        p->bufs[best].size = 0;
        char name[64];
        snprintf(name, sizeof name, "act%d", best);
        ref_unique_name(p, name, name);
        snprintf(p->bufs[best].name, sizeof p->bufs[best].name, "%s", name);
    }
    if (p->bufs[best].size < t->size)
        p->bufs[best].size = t->size;
    busy[best] = true;
    t->buf = best;
    return true;
}

static bool plan_buffers(RefPlan *p, Diag *d)
{
    p->x->def = -1;
    for (int k = 0; k < p->n_layers; k++) {
        RefLayer *l = &p->layers[k];
        l->out->def = k;
        for (int i = 0; i < 2; i++)
            if (l->in[i])
                note_use(l->in[i], k);
    }
    note_use(p->y, p->n_layers);
    /* One busy flag per buffer; buffers are never more than tensors. */
    bool *busy = calloc((size_t)p->g->n_tensors + 1, sizeof *busy);
    if (!busy)
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    bool ok = allocate(p, root(p->x), busy, d);
    for (int k = 0; ok && k < p->n_layers; k++) {
        RefLayer *l = &p->layers[k];
        if (l->kind != RL_ALIAS)
            ok = allocate(p, l->out, busy, d);
        /* free what was read for the last time here */
        for (int i = 0; ok && i < 2; i++) {
            RefTensor *r = l->in[i] ? root(l->in[i]) : NULL;
            if (r && r->last == k && r->buf >= 0)
                busy[r->buf] = false;
        }
        if (ok && l->kind != RL_ALIAS && root(l->out)->last < 0)
            busy[l->out->buf] = false; /* never read */
    }
    free(busy);
    return ok;
}

bool ref_plan(RefPlan *p, const Graph *g, const char *name, const char *model_path,
              const char *target, Diag *d)
{
    memset(p, 0, sizeof *p);
    p->g = g;
    p->name = name;
    snprintf(p->upper, sizeof p->upper, "%s", name);
    for (char *c = p->upper; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    p->model_path = model_path;
    p->target = target;
    if (!g->names_emittable)
        return diag_error(d, g->path, NULL, NULL, "internal error: the %s target was given a "
                          "graph the naming step (emit_names) has not named", target);
    p->tensors = calloc((size_t)g->n_tensors + 1, sizeof *p->tensors);
    if (!p->tensors)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    /* names the emitted code uses besides the layers' */
    /* names the emitted code uses, C keywords, and what the headers it
     * includes declare: a layer named like one of them gets a suffix */
    static const char *const reserved[] = {
        "forward", "input_quant", "output_affine", "load_int_input", "store_int_output",
        "store_int_input", "round_half_even", "round_half_up", "round_half_down", "round_up",
        "patch", "acc", "in", "out", "main", "weights", "unpacked", "sum", "values",
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
        "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
        "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
        "typedef", "union", "unsigned", "void", "volatile", "while",
        "memcpy", "memset", "memmove", "memcmp", "strlen", "size_t", "ptrdiff_t", "errno",
        "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
        "intptr_t", "uintptr_t", "intmax_t", "uintmax_t",
        "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "cosh", "sinh", "tanh", "exp",
        "exp2", "expm1", "log", "log10", "log1p", "log2", "logb", "pow", "sqrt", "cbrt", "hypot",
        "ceil", "floor", "fabs", "fmod", "frexp", "ldexp", "modf", "round", "trunc", "rint",
        "lrint", "llrint", "lround", "llround", "nearbyint", "remainder", "remquo", "copysign",
        "nan", "nextafter", "nexttoward", "fdim", "fmax", "fmin", "fma", "erf", "erfc", "lgamma",
        "tgamma", "ilogb", "scalbn", "scalbln", "isnan", "isinf", "isfinite", "isnormal",
        "signbit", "fpclassify", "acosh", "asinh", "atanh", "ceilf", "floorf", "fmodf", "truncf",
        "roundf", "rintf", "fabsf", "sqrtf", "expf", "logf", "powf",
    };
    char tmp[64];
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        ref_unique_name(p, reserved[k], tmp);
    char api[64];
    snprintf(api, sizeof api, "%s_run", name);
    ref_unique_name(p, api, tmp);
    snprintf(api, sizeof api, "%s_run_int", name);
    ref_unique_name(p, api, tmp);
    snprintf(api, sizeof api, "%s_quantize_input", name);
    ref_unique_name(p, api, tmp);
    return find_boundary(p, d) && plan_layers(p, d) && plan_buffers(p, d);
}

void ref_plan_free(RefPlan *p)
{
    free(p->tensors);
    free(p->layers);
    free(p->bufs);
    name_table_free(&p->names);
    memset(p, 0, sizeof *p);
}
