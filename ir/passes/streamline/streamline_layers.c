/* Streamlining pass 3: the integer layers.
 *
 * Walks the graph in order, tracking for each float tensor its integer
 * form (IntInfo: integer tensor, scale per tensor or per channel):
 *
 *   MatMul / Gemm / Conv on an integer tensor (one scale) and quantized
 *       weights -> IntMatMul / IntConv; the accumulator stands for
 *       fl32(scale_x * scale_w[c] * acc). BIPOLAR x BIPOLAR without
 *       padding -> xnor=1 (popcount; the dot product is 2 * acc - K).
 *       Gemm's alpha and bias and Conv's bias stay as float steps of the
 *       accumulator (`prefix`), applied as op_gemm.c / op_conv.c apply
 *       them: a float32 multiply by alpha, then a float32 add of beta * C.
 *   MaxPool on an integer tensor with positive scales -> IntMaxPool.
 *   Add of two integer tensors of one scale -> IntAdd.
 *   Reshape, Flatten, Transpose, Squeeze, Unsqueeze -> the same op on the
 *       integers.
 *
 * After each new integer tensor, the float ops that follow it (bias, Mul,
 * Div, Add, Sub by constants, BatchNormalization, Relu, ...) up to the
 * next quantizer become one MultiThreshold with exact thresholds
 * (streamline_thresholds.c). Float ops not followed by a quantizer are
 * left for streamline_output.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_math.h"
#include "streamline_internal.h"

/* The channel layout a chain after x works in: x's own when it is per
 * channel, else axis caxis of x's tensor. */
static bool chain_layout(const IntInfo *x, int *rank, int *caxis, int64_t *C)
{
    *rank = x->src->shape.rank;
    *caxis = x->caxis;
    if (*rank < 2 || *caxis <= 0 || *caxis >= *rank)
        return false;
    *C = x->C > 1 ? x->C : x->src->shape.dims[*caxis];
    return *C >= 1 && (x->C == 1 || x->C == *C);
}

/* Whether every channel of x has the same scale and range. */
static bool uniform(const IntInfo *x)
{
    for (int64_t c = 1; c < x->C; c++)
        if (x->scale[c] != x->scale[0] || (x->clo && (x->clo[c] != x->clo[0] || x->chi[c] != x->chi[0])))
            return false;
    return true;
}

/* Negates the weights of channel c (along axis) in place. */
static void negate_channel(Value *w, int axis, int64_t c)
{
    int64_t strides[MAX_RANK];
    shape_strides(&w->shape, strides);
    int64_t outer = 1, inner = strides[axis], n = w->shape.dims[axis];
    for (int d = 0; d < axis; d++)
        outer *= w->shape.dims[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++)
            w->i[(o * n + c) * inner + i] = -w->i[(o * n + c) * inner + i];
}

/* Tries to end x's float ops in a quantizer: a MultiThreshold. *next is
 * the quantizer output's integer form, or NULL when there is none. */
static bool absorb(Streamline *S, IntInfo *x, IntInfo **next)
{
    *next = NULL;
    int rank, caxis;
    int64_t C;
    if (!chain_layout(x, &rank, &caxis, &C))
        return true;
    Chain ch = x->prefix;
    Tensor *t = x->src;
    Node *q = NULL;
    for (;;) {
        Node *c;
        int uses = sl_consumers(S, t, &c);
        if (uses != 1 || !c || t->is_graph_output) {
            if (uses > 1 && t != x->src && c)
                sl_note(S, t->producer, "its output '%s' has several consumers", t->name);
            break;
        }
        if (sl_is_quantizer(c) && c->inputs[0] == t) {
            q = c;
            break;
        }
        int data;
        char why[160];
        if (!sl_chain_op(c, t, rank, caxis, C, &data, why, sizeof why)) {
            sl_note(S, c, "%s", why);
            break;
        }
        if (!sl_chain_push(&ch, c, data)) {
            sl_note(S, c, "more than %d float ops before the quantizer", SL_MAX_CHAIN);
            break;
        }
        t = c->outputs[0];
    }
    if (!q)
        return true;
    QuantLevels ql;
    if (!sl_quant_levels(S, q, rank, caxis, C, &ql))
        return false;
    if (!sl_chain_push(&ch, q, 0)) {
        sl_quant_levels_free(&ql);
        return sl_fail(S, q, "more than %d float ops before this quantizer", SL_MAX_CHAIN);
    }
    ThresholdJob job = {
        .quant = q, .layer = x->it->producer, .chain = &ch, .rank = rank, .caxis = caxis,
        .C = C, .mul = x->mul, .add = x->add, .can_negate = x->weights != NULL,
        .enum_limit = S->enum_limit, .levels = &ql,
    };
    job.scale = malloc((size_t)C * sizeof *job.scale);
    job.lo = malloc((size_t)C * sizeof *job.lo);
    job.hi = malloc((size_t)C * sizeof *job.hi);
    bool ok = job.scale && job.lo && job.hi;
    if (!ok)
        sl_fail(S, q, "out of memory");
    for (int64_t c = 0; ok && c < C; c++) {
        int64_t xc = x->C > 1 ? c : 0;
        job.scale[c] = x->scale[xc];
        job.lo[c] = x->clo ? x->clo[xc] : x->lo;
        job.hi[c] = x->chi ? x->chi[xc] : x->hi;
    }
    ok = ok && sl_thresholds(S, &job);
    const int64_t L = ql.L;
    Tensor *tt = NULL, *out = NULL;
    if (ok) {
        /* reversed channels: negate their weights and keep x consistent */
        for (int64_t c = 0; c < C; c++)
            if (job.negated[c]) {
                negate_channel(x->weights, x->w_axis, c);
                if (x->C == C) {
                    x->scale[c] = job.scale[c];
                    if (x->clo) {
                        x->clo[c] = job.lo[c];
                        x->chi[c] = job.hi[c];
                    }
                }
            }
        bool same = true;
        for (int64_t c = 1; c < C && same; c++)
            same = !memcmp(job.T, job.T + c * L, (size_t)L * sizeof *job.T);
        int64_t rows = same ? 1 : C;
        Shape ts = { 2, { rows, L } };
        Value *tv = value_new(ET_INT64, &ts);
        if (!tv)
            ok = sl_fail(S, q, "out of memory");
        int64_t tmin = 0, tmax = 0;
        for (int64_t k = 0; ok && k < rows * L; k++) {
            tv->i[k] = job.T[k];
            tmin = k == 0 || tv->i[k] < tmin ? tv->i[k] : tmin;
            tmax = k == 0 || tv->i[k] > tmax ? tv->i[k] : tmax;
        }
        char name[512];
        snprintf(name, sizeof name, "%.480s_thresholds", q->name);
        if (ok)
            tt = sl_const(S, name, tv, L ? sl_dtype_for_range(tmin, tmax) : qc_dtype_int(1));
        value_free(tv);
        ok = ok && tt;
        if (ok)
            out = sl_int_tensor(S, q->outputs[0]->name, &x->it->shape, ql.dt);
        ok = ok && out;
    }
    if (ok) {
        Tensor *ins[2] = { x->it, tt };
        Node *mt = sl_node(S, sl_take_name(S, q), "MultiThreshold", "qonnxc", 2, ins, out, 3);
        ok = mt != NULL;
        if (ok) {
            sl_attr_int(S, mt, 0, "out_scale", ql.out_scale);
            sl_attr_int(S, mt, 1, "out_bias", ql.out_bias);
            sl_attr_int(S, mt, 2, "channel_axis", caxis);
            ok = sl_finish_node(S, mt);
        }
    }
    if (ok) {
        for (int k = 0; k < ch.n; k++)
            sl_mark_done(S, ch.step[k].node);
        *next = sl_add_info(S, q->outputs[0], out, ql.dt, ql.out_bias,
                            ql.out_bias + ql.out_scale * L, caxis, ql.C);
        ok = *next != NULL;
        for (int64_t c = 0; ok && c < ql.C; c++)
            (*next)->scale[c] = ql.scale[c];
    }
    free(job.scale);
    free(job.lo);
    free(job.hi);
    sl_threshold_job_free(&job);
    sl_quant_levels_free(&ql);
    return ok;
}

bool sl_absorb_all(Streamline *S, IntInfo *x)
{
    while (x) {
        IntInfo *next;
        if (!absorb(S, x, &next))
            return false;
        x = next;
    }
    return true;
}

/* ---- layers ---------------------------------------------------------- */

/* The integer input of a layer: one scale, a plain quantized tensor. */
static bool plain_input(Streamline *S, const Node *n, const IntInfo *x)
{
    if (x->mul != 1 || x->add != 0 || x->prefix.n)
        return sl_fail(S, n, "input '%s' is an accumulator with float ops still pending, not a "
                       "quantized tensor: a quantizer is needed before this layer", x->src->name);
    if (x->C > 1 && !uniform(x))
        return sl_fail(S, n, "input '%s' has a per-channel scale; the input of a %s must have "
                       "one scale (per tensor)", x->src->name, n->op_type);
    return true;
}

static IntWeight *layer_weights(Streamline *S, const Node *n, int k)
{
    const Tensor *t = n->inputs[k];
    IntWeight *w = sl_weight(S, t);
    if (!w) {
        sl_fail(S, n, "weights '%s' are not quantized constants (no Quant or BipolarQuant on a "
                "constant, and not integers of at most %d bits)", t->name, SL_MAX_BITS);
        return NULL;
    }
    if (w->problem) {
        sl_fail(S, n, "weights '%s' (quantizer '%s') cannot be integer weights: %s", t->name,
                w->quant ? w->quant->name : "?", w->problem);
        return NULL;
    }
    return w;
}

/* A synthetic node for part of a layer's float epilogue (Gemm's alpha or
 * bias, Conv's bias), evaluated by the golden op of that type. */
bool sl_synthetic_step(Streamline *S, Chain *ch, const Node *layer, const char *op_type,
                           const Value *c)
{
    Graph *g = S->g;
    Node *n = arena_alloc(&g->arena, sizeof *n);
    Tensor **in = arena_array(&g->arena, 2, sizeof *in);
    Tensor **out = arena_array(&g->arena, 1, sizeof *out);
    Value *cv = value_copy_in(&g->arena, c);
    if (!n || !in || !out || !cv)
        return sl_fail(S, layer, "out of memory");
    n->name = layer->name;
    n->op_type = op_type;
    n->domain = "";
    n->domain_kind = DOMAIN_ONNX;
    n->opset = layer->opset;
    n->n_inputs = 2;
    n->n_outputs = 1;
    n->inputs = in;
    n->outputs = out;
    n->op = op_lookup(DOMAIN_ONNX, op_type);
    if (!n->op)
        return sl_fail(S, layer, "op %s is not registered", op_type);
    if (ch->n >= SL_MAX_CHAIN)
        return sl_fail(S, layer, "too many float steps");
    ChainStep *s = &ch->step[ch->n++];
    memset(s, 0, sizeof *s);
    s->node = n;
    s->data = 0;
    s->n_in = 2;
    s->in[1] = cv;
    return true;
}

/* Accumulator range of each output channel: the sum over its weights of
 * the extreme products with an input in [xlo, xhi]. Weight k of channel c
 * sits at w[c * cstride + k * kstride]. */
static void channel_ranges(const int64_t *w, int64_t count, int64_t cstride, int64_t per,
                           int64_t kstride, int64_t xlo, int64_t xhi, int64_t *lo, int64_t *hi)
{
    for (int64_t c = 0; c < count; c++) {
        int64_t l = 0, h = 0;
        for (int64_t k = 0; k < per; k++) {
            int64_t wv = w[c * cstride + k * kstride];
            int64_t a = wv * xlo, b = wv * xhi;
            l += a < b ? a : b;
            h += a < b ? b : a;
        }
        lo[c] = l;
        hi[c] = h;
    }
}

/* The accumulator's datatype, which must fit the C backends' int32. */
static bool acc_dtype(Streamline *S, const Node *n, const int64_t *lo, const int64_t *hi,
                      int64_t C, qc_dtype *dt, int64_t *gl, int64_t *gh)
{
    *gl = INT64_MAX;
    *gh = INT64_MIN;
    for (int64_t c = 0; c < C; c++) {
        *gl = lo[c] < *gl ? lo[c] : *gl;
        *gh = hi[c] > *gh ? hi[c] : *gh;
    }
    *dt = sl_dtype_for_range(*gl, *gh);
    if (!qc_dtype_valid(*dt))
        return sl_fail(S, n, "the accumulator spans [%lld, %lld], more than 32 bits: the C "
                       "backends accumulate in int32", (long long)*gl, (long long)*gh);
    return true;
}

/* Records the accumulator of a new IntMatMul/IntConv and absorbs what follows. */
static bool add_acc(Streamline *S, Node *old, Tensor *acc, qc_dtype dt, int64_t gl, int64_t gh,
                    int caxis, int64_t C, const IntInfo *x, const IntWeight *w, bool xnor,
                    int64_t K, int64_t *lo, int64_t *hi, Value *weights, int w_axis,
                    const Chain *prefix)
{
    IntInfo *a = sl_add_info(S, old->outputs[0], acc, dt, gl, gh, caxis, C);
    if (!a)
        return false;
    a->clo = lo;
    a->chi = hi;
    a->mul = xnor ? 2 : 1;
    a->add = xnor ? -K : 0;
    for (int64_t c = 0; c < C; c++)
        a->scale[c] = x->scale[0] * (double)w->scale[w->axis >= 0 ? c : 0];
    a->weights = weights;
    a->w_axis = w_axis;
    if (prefix)
        a->prefix = *prefix;
    sl_mark_done(S, old);
    return sl_absorb_all(S, a);
}

static bool layer_matmul(Streamline *S, Node *n, IntInfo *x)
{
    bool gemm = !strcmp(n->op_type, "Gemm");
    if (n->inputs[0] != x->src)
        return sl_fail(S, n, "the integer tensor must be the first operand");
    if (!plain_input(S, n, x))
        return false;
    IntWeight *w = layer_weights(S, n, 1);
    if (!w)
        return false;
    bool trans_b = false;
    float alpha = 1.0f, beta = 1.0f;
    if (gemm) {
        if (node_attr_int(n, "transA", 0))
            return sl_fail(S, n, "transA=1 is not supported on an integer input");
        trans_b = node_attr_int(n, "transB", 0) != 0;
        alpha = node_attr_float(n, "alpha", 1.0f);
        beta = node_attr_float(n, "beta", 1.0f);
    }
    const Value *q = w->q;
    if (q->shape.rank != 2)
        return sl_fail(S, n, "weights of rank %d; a matrix is expected", q->shape.rank);
    int n_axis = trans_b ? 0 : 1;
    if (w->axis >= 0 && w->axis != n_axis)
        return sl_fail(S, n, "the scale of weights '%s' varies along their input axis; per "
                       "output channel or per tensor scales are supported", w->src->name);
    int64_t K = q->shape.dims[trans_b ? 1 : 0], N = q->shape.dims[n_axis];
    Shape ws = { 2, { K, N } };
    Value *wk = value_new(ET_INT64, &ws);
    int64_t *lo = malloc((size_t)N * sizeof *lo), *hi = malloc((size_t)N * sizeof *hi);
    if (!wk || !lo || !hi) {
        value_free(wk);
        free(lo);
        free(hi);
        return sl_fail(S, n, "out of memory");
    }
    for (int64_t k = 0; k < K; k++)
        for (int64_t j = 0; j < N; j++)
            wk->i[k * N + j] = trans_b ? q->i[j * K + k] : q->i[k * N + j];
    bool xnor = x->dt.kind == QC_BIPOLAR && w->dt.kind == QC_BIPOLAR;
    if (xnor) {
        for (int64_t j = 0; j < N; j++) {
            lo[j] = 0;
            hi[j] = K;
        }
    } else {
        channel_ranges(wk->i, N, 1, K, N, x->lo, x->hi, lo, hi);
    }
    qc_dtype dt;
    int64_t gl, gh;
    char name[512];
    snprintf(name, sizeof name, "%.480s_weights", n->name);
    Tensor *wt = acc_dtype(S, n, lo, hi, N, &dt, &gl, &gh) ? sl_const(S, name, wk, w->dt) : NULL;
    value_free(wk);
    Tensor *acc = wt ? sl_int_tensor(S, n->outputs[0]->name, &n->outputs[0]->shape, dt) : NULL;
    Chain prefix = { 0 };
    bool ok = acc != NULL;
    if (ok && gemm && alpha != 1.0f) {
        Value av = { .elem_type = ET_FLOAT, .shape = { 1, { 1 } }, .count = 1 };
        av.f = &alpha;
        ok = sl_synthetic_step(S, &prefix, n, "Mul", &av);
    }
    if (ok && gemm && n->n_inputs > 2 && n->inputs[2]) {
        const Tensor *ct = n->inputs[2];
        if (!ct->value || !ct->value->f ||
            !sl_per_channel_shape(&ct->value->shape, 2, 1, N))
            ok = sl_fail(S, n, "the bias C '%s' must be a float constant per output channel",
                         ct->name);
        Value *bv = ok ? value_copy(ct->value) : NULL;
        if (ok && !bv)
            ok = sl_fail(S, n, "out of memory");
        for (int64_t k = 0; ok && k < bv->count; k++)
            bv->f[k] = beta * ct->value->f[k];   /* as op_gemm.c: fl32(beta * C) */
        ok = ok && sl_synthetic_step(S, &prefix, n, "Add", bv);
        value_free(bv);
    }
    Node *mm = NULL;
    if (ok) {
        Tensor *ins[2] = { x->it, wt };
        mm = sl_node(S, sl_take_name(S, n), "IntMatMul", "qonnxc", 2, ins, acc, 1);
        ok = mm != NULL;
    }
    if (ok) {
        sl_attr_int(S, mm, 0, "xnor", xnor);
        ok = sl_finish_node(S, mm);
    }
    if (!ok) {
        free(lo);
        free(hi);
        return false;
    }
    int rank = n->outputs[0]->shape.rank;
    return add_acc(S, n, acc, dt, gl, gh, rank - 1, N, x, w, xnor, K, lo, hi, wt->value, 1,
                   &prefix);
}

static bool layer_conv(Streamline *S, Node *n, IntInfo *x)
{
    if (n->inputs[0] != x->src)
        return sl_fail(S, n, "the integer tensor must be the data input X");
    if (!plain_input(S, n, x))
        return false;
    IntWeight *w = layer_weights(S, n, 1);
    if (!w)
        return false;
    const Value *q = w->q;
    if (q->shape.rank < 3)
        return sl_fail(S, n, "weights of rank %d; [O, C/group, k...] is expected", q->shape.rank);
    if (w->axis > 0)
        return sl_fail(S, n, "the scale of weights '%s' varies along axis %d; per output "
                       "channel (axis 0) or per tensor scales are supported", w->src->name,
                       w->axis);
    int nsp = q->shape.rank - 2;
    Window win;
    const Shape *xs = &n->inputs[0]->shape;
    if (!window_read(&S->ctx, n, nsp, &q->shape.dims[2], 0, &win) ||
        (xs->rank == q->shape.rank && !window_apply(&S->ctx, n, &xs->dims[2], &win)))
        return false;
    bool padded = false;
    for (int k = 0; k < nsp; k++)
        padded = padded || win.pad_begin[k] || win.pad_end[k];
    int64_t O = q->shape.dims[0], per = q->count / (O ? O : 1);
    int64_t *lo = malloc((size_t)O * sizeof *lo), *hi = malloc((size_t)O * sizeof *hi);
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return sl_fail(S, n, "out of memory");
    }
    bool xnor = x->dt.kind == QC_BIPOLAR && w->dt.kind == QC_BIPOLAR && !padded;
    if (xnor) {
        for (int64_t o = 0; o < O; o++) {
            lo[o] = 0;
            hi[o] = per;
        }
    } else {
        /* a padded tap contributes 0 */
        int64_t xl = padded && x->lo > 0 ? 0 : x->lo, xh = padded && x->hi < 0 ? 0 : x->hi;
        channel_ranges(q->i, O, per, per, 1, xl, xh, lo, hi);
    }
    qc_dtype dt;
    int64_t gl, gh;
    char name[512];
    snprintf(name, sizeof name, "%.480s_weights", n->name);
    Tensor *wt = acc_dtype(S, n, lo, hi, O, &dt, &gl, &gh) ? sl_const(S, name, q, w->dt) : NULL;
    Tensor *acc = wt ? sl_int_tensor(S, n->outputs[0]->name, &n->outputs[0]->shape, dt) : NULL;
    Chain prefix = { 0 };
    bool ok = acc != NULL;
    int rank = n->outputs[0]->shape.rank;
    if (ok && n->n_inputs > 2 && n->inputs[2]) {
        /* as op_conv.c: the bias is added last, in float32 */
        const Tensor *bt = n->inputs[2];
        if (!bt->value || !bt->value->f || bt->value->count != O)
            ok = sl_fail(S, n, "the bias '%s' must be a float constant of %lld entries",
                         bt->name, (long long)O);
        Shape bs = { rank, { 0 } };
        for (int d = 0; d < rank; d++)
            bs.dims[d] = d == 1 ? O : 1;
        Value bv = { .elem_type = ET_FLOAT, .shape = bs, .count = O };
        bv.f = ok ? bt->value->f : NULL;
        ok = ok && sl_synthetic_step(S, &prefix, n, "Add", &bv);
    }
    Node *cv = NULL;
    if (ok) {
        Tensor *ins[2] = { x->it, wt };
        cv = sl_node(S, sl_take_name(S, n), "IntConv", "qonnxc", 2, ins, acc, n->n_attrs + 1);
        ok = cv != NULL;
    }
    if (ok) {
        sl_copy_attrs(cv, n);
        sl_attr_int(S, cv, n->n_attrs, "xnor", xnor);
        ok = sl_finish_node(S, cv);
    }
    if (!ok) {
        free(lo);
        free(hi);
        return false;
    }
    return add_acc(S, n, acc, dt, gl, gh, 1, O, x, w, xnor, per, lo, hi, wt->value, 0, &prefix);
}

void sl_set_range(IntInfo *y, qc_dtype dt, int64_t lo, int64_t hi)
{
    y->dt = dt;
    y->lo = lo;
    y->hi = hi;
    free(y->clo);
    free(y->chi);
    y->clo = y->chi = NULL;
}

/* A copy of x's record for a new tensor (layout ops, MaxPool). */
IntInfo *sl_derived(Streamline *S, Node *old, Tensor *it, const IntInfo *x, int caxis,
                        bool per_channel)
{
    int64_t C = per_channel ? x->C : 1;
    IntInfo *y = sl_add_info(S, old->outputs[0], it, x->dt, x->lo, x->hi, caxis, C);
    if (!y)
        return NULL;
    for (int64_t c = 0; c < C; c++)
        y->scale[c] = x->scale[c];
    y->mul = x->mul;
    y->add = x->add;
    if (per_channel && x->clo) {
        y->clo = malloc((size_t)C * sizeof *y->clo);
        y->chi = malloc((size_t)C * sizeof *y->chi);
        if (!y->clo || !y->chi) {
            sl_fail(S, old, "out of memory");
            return NULL;
        }
        memcpy(y->clo, x->clo, (size_t)C * sizeof *y->clo);
        memcpy(y->chi, x->chi, (size_t)C * sizeof *y->chi);
    }
    sl_mark_done(S, old);
    return y;
}

/* The same node on integers: layout ops and MaxPool. */
static Node *clone_on_ints(Streamline *S, Node *old, const char *op_type, const char *domain,
                           const IntInfo *x, Tensor **out)
{
    Tensor *ins[8];
    if (old->n_inputs > 8) {
        sl_fail(S, old, "too many inputs");
        return NULL;
    }
    for (int k = 0; k < old->n_inputs; k++) {
        ins[k] = k == 0 ? x->it : old->inputs[k];
        if (k > 0 && ins[k] && !ins[k]->value) {
            sl_fail(S, old, "input '%s' is not a constant", ins[k]->name);
            return NULL;
        }
    }
    *out = sl_int_tensor(S, old->outputs[0]->name, &old->outputs[0]->shape, x->dt);
    if (!*out)
        return NULL;
    Node *n = sl_node(S, sl_take_name(S, old), op_type, domain, old->n_inputs, ins, *out,
                      old->n_attrs);
    if (!n)
        return NULL;
    sl_copy_attrs(n, old);
    return sl_finish_node(S, n) ? n : NULL;
}

static bool layer_maxpool(Streamline *S, Node *n, IntInfo *x)
{
    for (int64_t c = 0; c < x->C; c++)
        if (!(x->scale[c] * (double)x->mul > 0))
            return sl_fail(S, n, "channel %lld of '%s' has a scale that is not positive, so the "
                           "maximum of the integers is not the maximum of the floats",
                           (long long)c, x->src->name);
    if (x->prefix.n)
        return sl_fail(S, n, "input '%s' still has float ops pending", x->src->name);
    if (n->n_outputs > 1 && n->outputs[1] && sl_consumers(S, n->outputs[1], NULL))
        return sl_fail(S, n, "the Indices output is not supported on integers");
    Tensor *out;
    if (!clone_on_ints(S, n, "IntMaxPool", "qonnxc", x, &out))
        return false;
    IntInfo *y = sl_derived(S, n, out, x, x->caxis, true);
    return y && sl_absorb_all(S, y);
}

static bool layer_layout(Streamline *S, Node *n, IntInfo *x)
{
    bool per_channel = x->C > 1 && !uniform(x);
    int caxis = n->outputs[0]->shape.rank >= 2 ? 1 : 0;
    if (per_channel && !strcmp(n->op_type, "Transpose")) {
        int count;
        const int64_t *perm = op_attr_ints(n, "perm", &count);
        int rank = x->src->shape.rank;
        caxis = -1;
        for (int k = 0; k < rank; k++)
            if ((perm ? perm[k] : rank - 1 - k) == x->caxis)
                caxis = k;
    } else if (per_channel) {
        return sl_fail(S, n, "'%s' has a per-channel scale, which %s cannot carry",
                       x->src->name, n->op_type);
    }
    if (x->prefix.n)
        return sl_fail(S, n, "input '%s' still has float ops pending", x->src->name);
    Tensor *out;
    if (!clone_on_ints(S, n, n->op_type, n->domain, x, &out))
        return false;
    IntInfo *y = sl_derived(S, n, out, x, caxis, per_channel);
    return y && sl_absorb_all(S, y);
}

static bool same_scale(const IntInfo *a, const IntInfo *b)
{
    if (a->mul != 1 || a->add != 0 || b->mul != 1 || b->add != 0 || a->prefix.n || b->prefix.n)
        return false;
    bool ua = a->C == 1 || uniform(a), ub = b->C == 1 || uniform(b);
    if (ua && ub)
        return a->scale[0] == b->scale[0];
    if (a->C != b->C || a->caxis != b->caxis)
        return false;
    for (int64_t c = 0; c < a->C; c++)
        if (a->scale[c] != b->scale[c])
            return false;
    return true;
}

/* The integer multipliers making the scales of a and b one: 1, 1 when
 * equal; r, 1 (or 1, r) when one scale is exactly r times the other, r an
 * integer (a power of two in Brevitas' exports, any integer here). False
 * when there are none. */
static bool add_multipliers(const IntInfo *a, const IntInfo *b, int64_t *ma, int64_t *mb)
{
    *ma = *mb = 1;
    if (same_scale(a, b))
        return true;
    if (a->mul != 1 || a->add != 0 || b->mul != 1 || b->add != 0 || a->prefix.n ||
        b->prefix.n || (a->C > 1 && !uniform(a)) || (b->C > 1 && !uniform(b)))
        return false;
    double sa = a->scale[0], sb = b->scale[0];
    bool a_big = fabs(sa) > fabs(sb);
    double big = a_big ? sa : sb, small = a_big ? sb : sa;
    if (!(small != 0) || !isfinite(big))
        return false;
    double r = big / small;
    if (!(r >= 2 && r <= (double)(1 << 30)) || r != floor(r) || small * r != big)
        return false;
    *(a_big ? ma : mb) = (int64_t)r;
    return true;
}

static bool layer_add(Streamline *S, Node *n, IntInfo *a, IntInfo *b)
{
    int64_t ma, mb;
    if (!add_multipliers(a, b, &ma, &mb)) {
        if ((a->C > 1 && !uniform(a)) || (b->C > 1 && !uniform(b)) || a->prefix.n ||
            b->prefix.n || a->mul != 1 || b->mul != 1 || a->add || b->add)
            return sl_fail(S, n, "adds '%s' and '%s', which have different scales (per channel "
                           "or with float ops pending); an integer add needs one scale",
                           a->src->name, b->src->name);
        return sl_fail(S, n, "adds '%s' (scale %.9g) and '%s' (scale %.9g): neither scale is "
                       "an integer multiple of the other, so the sum has no exact integer form",
                       a->src->name, a->scale[0], b->src->name, b->scale[0]);
    }
    int64_t lo = ma * a->lo + mb * b->lo, hi = ma * a->hi + mb * b->hi;
    qc_dtype dt = sl_dtype_for_range(lo, hi);
    if (!qc_dtype_valid(dt))
        return sl_fail(S, n, "the sum needs more than 32 bits");
    Tensor *out = sl_int_tensor(S, n->outputs[0]->name, &n->outputs[0]->shape, dt);
    if (!out)
        return false;
    Tensor *ins[2] = { a->it, b->it };
    bool scaled = ma != 1 || mb != 1;
    Node *an = sl_node(S, sl_take_name(S, n), scaled ? "IntScaledAdd" : "IntAdd", "qonnxc", 2,
                       ins, out, scaled ? 2 : 0);
    if (an && scaled) {
        sl_attr_int(S, an, 0, "mul_a", ma);
        sl_attr_int(S, an, 1, "mul_b", mb);
    }
    if (!an || !sl_finish_node(S, an))
        return false;
    /* the sum is in the smaller scale: the side not multiplied */
    const IntInfo *base = ma == 1 ? a : b;
    bool per_channel = base->C > 1 && !uniform(base);
    IntInfo *y = sl_derived(S, n, out, base, base->caxis, per_channel);
    if (!y)
        return false;
    sl_set_range(y, dt, lo, hi);
    return sl_absorb_all(S, y);
}

static bool is_layout(const Node *n)
{
    static const char *const ops[] = { "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze" };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (!strcmp(n->op_type, ops[k]))
            return true;
    return false;
}

bool sl_layers(Streamline *S)
{
    for (int k = 0, n_info = S->n_info; k < n_info; k++)
        if (!sl_absorb_all(S, S->info[k]))
            return false;
    /* past a refused layer too, so one run names every layer the integer
     * graph cannot take (each appends its line to the Diag); a refused
     * layer's output stays float, and what reads only it is skipped */
    bool all_ok = true;
    int n0 = S->g->n_nodes;
    for (int k = 0; k < n0; k++) {
        Node *n = S->g->nodes[k];
        if (sl_is_done(S, n) || n->domain_kind != DOMAIN_ONNX || n->n_inputs < 1)
            continue;
        IntInfo *x = n->inputs[0] ? sl_info(S, n->inputs[0]) : NULL;
        IntInfo *x1 = n->n_inputs > 1 && n->inputs[1] ? sl_info(S, n->inputs[1]) : NULL;
        bool ok = true;
        if (!x && !x1)
            continue;
        if (!shape_known(&n->outputs[0]->shape))
            ok = sl_fail(S, n, "the shape of its output '%s' is unknown; the integer graph "
                         "needs static shapes", n->outputs[0]->name);
        else if (!strcmp(n->op_type, "MatMul") || !strcmp(n->op_type, "Gemm"))
            ok = x ? layer_matmul(S, n, x)
                   : sl_fail(S, n, "the integer tensor must be the first operand");
        else if (!strcmp(n->op_type, "Conv"))
            ok = x ? layer_conv(S, n, x) : sl_fail(S, n, "integer weights are not supported");
        else if (!strcmp(n->op_type, "MaxPool") && x)
            ok = layer_maxpool(S, n, x);
        else if ((node_kind(n) == OP_AVERAGEPOOL || node_kind(n) == OP_GLOBALAVERAGEPOOL) && x)
            ok = sl_layer_avgpool(S, n, x);
        else if (!strcmp(n->op_type, "Add") && x && x1)
            ok = layer_add(S, n, x, x1);
        else if (is_layout(n) && x)
            ok = layer_layout(S, n, x);
        all_ok = all_ok && ok;
    }
    return all_ok;
}
