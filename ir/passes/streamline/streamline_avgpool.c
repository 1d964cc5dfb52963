/* Average pooling on integers (docs/integer-graph.md, "Average pooling").
 *
 * AveragePool / GlobalAveragePool of an integer tensor x (scale s) is the
 * window sum of x's integers (IntSumPool) divided by the window's area:
 *
 *   - followed by Mul(area) and Trunc (Brevitas' TruncAvgPool2d), the
 *     division and the Mul cancel and the Trunc's shift and rounding move
 *     into the IntSumPool (shift, rounding_mode); its output is the Trunc's
 *     integer at the Trunc's output scale. Exact: golden's float sum, mean,
 *     product and division by s stay within (area + 4) ulps of the exact
 *     sum, under 1/4 in units of s when (area + 4) * max|sum| < 2^22 (an
 *     error otherwise), so the Trunc's first step (round half to even of
 *     x / s) recovers the integer sum exactly; the Trunc on every sum the
 *     window can give is then checked against the golden Trunc itself.
 *   - otherwise the division by the area stays a float step (as golden
 *     divides, fl32(sum / area)) before the next quantizer's thresholds.
 *
 * Refused, with the node named: padding not counted in the divisor
 * (count_include_pad=0 with pads), windows running past the padded input
 * (ceil_mode), a Trunc whose scale is not the pooled tensor's, a non-zero
 * Trunc zero point, a Mul by something other than the area. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_math.h"
#include "op_quant.h"
#include "streamline_internal.h"

/* Sums up to this magnitude times (area + 4) are recovered exactly from
 * golden's float32 mean (see above). */
#define AVGPOOL_RECOVER_LIMIT ((int64_t)1 << 22)

/* The pool's window over x's spatial extents (GlobalAveragePool: all of them). */
static bool pool_window(Streamline *S, const Node *n, const Shape *xs, Window *w)
{
    if (xs->rank < 3 || xs->rank > 2 + WIN_MAX_SPATIAL)
        return sl_fail(S, n, "input of rank %d; 1 to 3 spatial dims are supported", xs->rank);
    int nsp = xs->rank - 2;
    if (node_kind(n) == OP_GLOBALAVERAGEPOOL) {
        memset(w, 0, sizeof *w);
        w->nsp = nsp;
        for (int d = 0; d < nsp; d++) {
            w->kernel[d] = w->in[d] = xs->dims[2 + d];
            w->stride[d] = w->dilation[d] = w->out[d] = 1;
        }
        return true;
    }
    int count;
    op_attr_ints(n, "kernel_shape", &count);
    if (!window_read(&S->ctx, n, count, NULL, WIN_CEIL_MODE, w) ||
        !window_apply(&S->ctx, n, &xs->dims[2], w))
        return false;
    bool padded = false;
    for (int d = 0; d < nsp; d++) {
        padded = padded || w->pad_begin[d] || w->pad_end[d];
        int64_t last = (w->out[d] - 1) * w->stride[d] + (w->kernel[d] - 1) * w->dilation[d];
        if (last >= w->in[d] + w->pad_begin[d] + w->pad_end[d])
            return sl_fail(S, n, "its last window runs past the padded input (ceil_mode=1), "
                           "so it divides by fewer taps: not supported on integers");
    }
    if (padded && node_attr_int(n, "count_include_pad", 0) != 1)
        return sl_fail(S, n, "it has padding not counted in the divisor (count_include_pad=0), "
                       "so border windows divide by fewer taps: not supported on integers");
    return true;
}

/* The Trunc of a TruncAvgPool2d after pool n (pool -> Mul -> Trunc), or NULL;
 * *mul is the Mul. */
static Node *find_trunc(Streamline *S, const Node *n, Node **mul)
{
    Node *m, *t;
    const Tensor *y = n->outputs[0];
    if (y->is_graph_output || sl_consumers(S, y, &m) != 1 || !m || node_kind(m) != OP_MUL ||
        m->outputs[0]->is_graph_output || sl_consumers(S, m->outputs[0], &t) != 1 || !t ||
        node_kind(t) != OP_TRUNC || t->inputs[0] != m->outputs[0])
        return NULL;
    *mul = m;
    return t;
}

static int64_t shifted(int64_t sum, const TruncIntForm *f)
{
    return f->shift ? (int64_t)qonnx_round((float)sum / ldexpf(1.0f, f->shift), f->rounding)
                    : sum;
}

/* Golden's Trunc on fl32(sum * s) for every sum in [lo, hi] must be
 * fl32(shifted(sum) * out_scale). */
static bool check_trunc(Streamline *S, const Node *t, const TruncIntForm *f, int64_t lo,
                        int64_t hi)
{
    int64_t M = hi - lo + 1;
    if (M > S->enum_limit)
        return sl_fail(S, t, "the pooled sums span %lld values, too many to check the Trunc on",
                       (long long)M);
    Shape xs = { 1, { M } };
    Value *x = value_new(ET_FLOAT, &xs), *y = NULL;
    if (!x)
        return sl_fail(S, t, "out of memory");
    for (int64_t k = 0; k < M; k++)
        x->f[k] = (float)((double)(lo + k) * (double)f->scale);
    const Value *in[8] = { x };
    for (int k = 1; k < t->n_inputs && k < 8; k++)
        in[k] = t->inputs[k]->value;
    bool ok = t->op->eval(&S->ctx, t, in, &y);
    for (int64_t k = 0; ok && k < M; k++) {
        float want = (float)((double)shifted(lo + k, f) * (double)f->out_scale);
        if (y->f[k] != want)
            ok = sl_fail(S, t, "on the pooled sum %lld the Trunc gives %.9g, but a shift by "
                         "%d with rounding %s gives %.9g (the output range clamps?)",
                         (long long)(lo + k), y->f[k], f->shift,
                         qonnx_rounding_name(f->rounding), want);
    }
    value_free(x);
    value_free(y);
    return ok;
}

/* The IntSumPool node for pool n, writing `out`. */
static Node *sum_pool_node(Streamline *S, Node *n, const IntInfo *x, Tensor *out,
                           const Window *w, int shift, QonnxRounding rounding)
{
    Tensor *ins[1] = { x->it };
    Node *sp = sl_node(S, sl_take_name(S, n), "IntSumPool", "qonnxc", 1, ins, out, 6);
    if (!sp)
        return NULL;
    int64_t pads[2 * WIN_MAX_SPATIAL];
    for (int d = 0; d < w->nsp; d++) {
        pads[d] = w->pad_begin[d];
        pads[w->nsp + d] = w->pad_end[d];
    }
    sl_attr_ints(S, sp, 0, "kernel_shape", w->nsp, w->kernel);
    sl_attr_ints(S, sp, 1, "strides", w->nsp, w->stride);
    sl_attr_ints(S, sp, 2, "dilations", w->nsp, w->dilation);
    sl_attr_ints(S, sp, 3, "pads", 2 * w->nsp, pads);
    sl_attr_int(S, sp, 4, "shift", shift);
    sl_attr_string(S, sp, 5, "rounding_mode", qonnx_rounding_name(rounding));
    return sl_finish_node(S, sp) ? sp : NULL;
}

static bool uniform_scale(const IntInfo *x)
{
    for (int64_t c = 1; c < x->C; c++)
        if (x->scale[c] != x->scale[0])
            return false;
    return true;
}

static bool trunc_pool(Streamline *S, Node *n, IntInfo *x, const Window *w, int64_t area,
                       int64_t lo, int64_t hi, Node *mul, Node *t)
{
    int data = mul->inputs[0] == n->outputs[0] ? 0 : 1;
    const Tensor *c = mul->inputs[1 - data];
    if (!c->value || c->value->count != 1 || value_get(c->value, 0) != (double)area)
        return sl_fail(S, mul, "an average pool's Mul before a Trunc must multiply by the "
                       "window's area, %lld", (long long)area);
    if (!uniform_scale(x))
        return sl_fail(S, t, "average pooling before a Trunc needs one scale for the pooled "
                       "tensor '%s', which has one per channel", x->src->name);
    TruncIntForm f;
    if (!trunc_int_form(&S->ctx, t, &f))
        return false;
    if (f.scale != (float)x->scale[0])
        return sl_fail(S, t, "its scale %.9g is not the scale %.9g of the pooled tensor '%s', "
                       "so the pooled sum is not its input integer", f.scale,
                       (float)x->scale[0], x->src->name);
    if (f.zeropt != 0.0f)
        return sl_fail(S, t, "its zero point %g is not 0", f.zeropt);
    int64_t mag = llabs(lo) > llabs(hi) ? llabs(lo) : llabs(hi);
    if ((area + 4) * mag >= AVGPOOL_RECOVER_LIMIT)
        return sl_fail(S, t, "the pooled sums reach %lld over %lld taps: too large for golden's "
                       "float32 mean to give back the exact sum", (long long)mag,
                       (long long)area);
    if (!check_trunc(S, t, &f, lo, hi))
        return false;
    int64_t olo = shifted(lo, &f), ohi = shifted(hi, &f);
    qc_dtype dt = sl_dtype_for_range(olo, ohi);
    Tensor *out = sl_int_tensor(S, t->outputs[0]->name, &t->outputs[0]->shape, dt);
    if (!out || !sum_pool_node(S, n, x, out, w, f.shift, f.rounding))
        return false;
    IntInfo *y = sl_add_info(S, t->outputs[0], out, dt, olo, ohi, x->caxis, 1);
    if (!y)
        return false;
    y->scale[0] = f.out_scale;
    sl_mark_done(S, n);
    sl_mark_done(S, mul);
    sl_mark_done(S, t);
    return sl_absorb_all(S, y);
}

bool sl_layer_avgpool(Streamline *S, Node *n, IntInfo *x)
{
    if (x->mul != 1 || x->add != 0 || x->prefix.n)
        return sl_fail(S, n, "input '%s' is an accumulator with float ops still pending, not a "
                       "quantized tensor: a quantizer is needed before average pooling",
                       x->src->name);
    Window w;
    if (!pool_window(S, n, &x->it->shape, &w))
        return false;
    int64_t area = 1;
    bool padded = false;
    for (int d = 0; d < w.nsp; d++) {
        area *= w.kernel[d];
        padded = padded || w.pad_begin[d] || w.pad_end[d];
    }
    /* a padded tap contributes 0 */
    int64_t tlo = padded && x->lo > 0 ? 0 : x->lo, thi = padded && x->hi < 0 ? 0 : x->hi;
    int64_t lo = area * tlo, hi = area * thi;
    Node *mul = NULL, *t = find_trunc(S, n, &mul);
    if (t)
        return trunc_pool(S, n, x, &w, area, lo, hi, mul, t);
    qc_dtype dt = sl_dtype_for_range(lo, hi);
    if (!qc_dtype_valid(dt))
        return sl_fail(S, n, "the window sum spans [%lld, %lld], more than 32 bits",
                       (long long)lo, (long long)hi);
    Tensor *out = sl_int_tensor(S, n->outputs[0]->name, &n->outputs[0]->shape, dt);
    if (!out || !sum_pool_node(S, n, x, out, &w, 0, QROUND_FLOOR))
        return false;
    IntInfo *y = sl_derived(S, n, out, x, x->caxis, x->C > 1 && !uniform_scale(x));
    if (!y)
        return false;
    sl_set_range(y, dt, lo, hi);
    /* the mean, as golden divides the float sum: fl32(sum / area) */
    float a = (float)area;
    Value av = { .elem_type = ET_FLOAT, .shape = { 1, { 1 } }, .count = 1 };
    av.f = &a;
    return sl_synthetic_step(S, &y->prefix, n, "Div", &av) && sl_absorb_all(S, y);
}
