/* IntMatMul and IntConv layers of the mcu and npu targets (with the
 * MultiThreshold, and for binarized convolutions the IntMaxPool, that the
 * ref plan fused into them).
 *
 * Unlike the ref target's kernels, these keep no copy of the weights in
 * RAM: every dot product reads the packed const rows (flash) directly.
 *
 *   xnor     BIPOLAR x BIPOLAR convolutions: the window's 64-bit words are
 *            copied into a patch on the stack, acc = K - qc_xnor64_differ;
 *            matrix products: acc = qc_xnor_popcount on 32-bit words (the
 *            input's 64-bit words read as pairs of 32-bit ones, the same
 *            bits on a little-endian machine), rows of ceil(K / 32) words
 *   int8     int8_t inputs: the window gathered into an int8_t patch (0 for
 *            padding), acc = qc_dot_i8_packed(patch, wdt, row, K), which
 *            decodes the 1/2/4/8-bit codes on the fly
 *   int32    int32_t inputs: the same with qc_unpack_one per weight
 *
 * then, per output channel, one of
 *
 *   the thresholds     out = bias + scale * qc_threshold_count(acc, T[c]),
 *                      or qc_threshold_bits64 for BIPOLAR outputs
 *   BNORM (npu)        out = qc_bnorm_requant(acc, bias[c], scale[c],
 *                      shift[c], out_dt)
 *   nothing            the accumulator itself (the last layer)
 *
 * A grouped convolution (1 < group <= channels) runs group by group: the
 * group's channels of the window into the patch, then a dot product for
 * each of its output channels; depthwise (one input channel per group) is
 * one dot product per channel over its window. No zero weights are stored
 * or multiplied.
 *
 * A fused max-pool takes the max of the accumulators over its window before
 * the activation: thresholds and BNORM are nondecreasing in acc, so that is
 * the max of the activations. Scratch (patch, acc) is on the stack: at most
 * K + 8 * OUT_C bytes per layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_mcu_internal.h"
#include "op_int_params.h"
#include "qc_pack.h"

typedef struct Geo {
    bool conv, xnor;
    int64_t k, out_c, cg, frames, rows;
    int64_t in_c, groups, og;   /* convolutions: X's channels; groups, outputs per group */
    RefWin win, pool;
    bool has_pool;
    qc_dtype wdt;
    const Value *w;
    int64_t unit;        /* xnor conv: words per input pixel */
    int64_t row_len;     /* words (xnor) or bytes per output channel */
} Geo;

static bool geometry(RefPlan *p, const RefLayer *l, Geo *g, Diag *d)
{
    const Node *n = l->node;
    const RefTensor *x = l->in[0];
    memset(g, 0, sizeof *g);
    OpCtx ctx = { p->g, d };
    IntDot dot;
    if (!int_dot_params(&ctx, n, &dot) || !(g->w = ref_const_int(p, n, 1, "W", d)))
        return false;
    const Shape *ws = &g->w->shape;
    g->conv = dot.conv;
    g->xnor = dot.xnor;
    g->out_c = dot.out_c;
    g->cg = dot.cg;
    g->k = dot.k;
    g->in_c = dot.in_c;
    g->groups = dot.groups;
    g->og = dot.og;
    if (g->conv) {
        if (x->shape.rank != ws->rank || !x->channels_last)
            return node_error(d, p->g, n, "the %s target needs a channels-last input of "
                              "W's rank", p->target);
        if (!ref_window(p, n, x, &ws->dims[2], &g->win, d))
            return false;
        g->frames = x->n;
    } else {
        if (x->channels_last || x->inner != dot.k)
            return node_error(d, p->g, n, "the %s target needs X [rows, K] and W [K, N]",
                              p->target);
        g->rows = x->rows;
    }
    if (g->xnor) {
        if (x->fmt != REF_BITS || g->win.padded)
            return node_error(d, p->g, n, "xnor=1 needs a BIPOLAR input and no padding");
        if (g->groups > 1)
            return node_error(d, p->g, n, "grouped XNOR convolutions are not supported by the "
                              "%s target", p->target);
        for (int64_t k = 0; k < g->w->count; k++)
            if (g->w->i[k] != 1 && g->w->i[k] != -1)
                return node_error(d, p->g, n, "xnor=1 needs weights of -1 and +1");
        g->wdt = qc_dtype_bipolar();
        g->unit = (g->cg + 63) / 64;
        if (x->row_words != g->unit)
            return node_error(d, p->g, n, "unexpected packed input row of %lld words",
                              (long long)x->row_words);
        /* matrix products: rows of 32-bit words (qc_xnor.h), so a row wastes
         * at most 31 bits; convolutions: 64-bit words per kernel position */
        g->row_len = g->conv ? g->win.kh * g->win.kw * g->unit : (g->k + 31) / 32;
    } else {
        if (x->fmt == REF_BITS)
            return node_error(d, p->g, n, "a BIPOLAR input needs xnor=1 in the %s target",
                              p->target);
        if (!ref_weight_dtype(p, n, g->w, dot.w->qdt, &g->wdt, d))
            return false;
        unsigned acc = qc_dtype_acc_bits(x->dt, g->wdt, g->k);
        if (acc > 32)
            return node_error(d, p->g, n, "accumulators of %u bits do not fit int32_t", acc);
        g->row_len = (int64_t)qc_packed_bytes(g->wdt, (size_t)g->k);
    }
    if (l->pool) {
        g->has_pool = true;
        if (!ref_window(p, l->pool, &p->tensors[l->pool->inputs[0]->id], NULL, &g->pool, d))
            return false;
    }
    return true;
}

bool mcu_dot_desc(RefPlan *p, const RefLayer *l, NpuLayerDesc *desc, Diag *d)
{
    const Node *n = l->node;
    OpCtx ctx = { p->g, d };
    IntDot dot;
    const Value *w;
    if (!int_dot_params(&ctx, n, &dot) || !(w = ref_const_int(p, n, 1, "W", d)))
        return false;
    desc->groups = (int)dot.groups;
    desc->group_out = dot.og;
    desc->in_c = dot.in_c;
    desc->out_c = dot.out_c;
    desc->kernel_w = dot.conv && dot.win.nsp > 0 ? dot.win.kernel[dot.win.nsp - 1] : 0;
    if (dot.xnor) {
        desc->wdt = qc_dtype_bipolar();
        return true;
    }
    return ref_weight_dtype(p, n, w, dot.w->qdt, &desc->wdt, d);
}

bool mcu_dot_acc_range(RefPlan *p, const RefLayer *l, int64_t *lo, int64_t *hi, Diag *d)
{
    Geo g;
    if (!geometry(p, l, &g, d) || !ref_acc_range(p, l->node, l->node->outputs[0], lo, hi, d))
        return false;
    if (g.xnor) {
        /* matches: 0 .. K */
        *lo = *lo > 0 ? *lo : 0;
        *hi = *hi < g.k ? *hi : g.k;
    } else {
        unsigned bits = qc_dtype_acc_bits(l->in[0]->dt, g.wdt, g.k);
        int64_t half = bits >= 63 ? INT64_MAX : (int64_t)1 << (bits - 1);
        *lo = *lo > -half ? *lo : -half;
        *hi = *hi < half - 1 ? *hi : half - 1;
    }
    if (*lo < INT32_MIN || *hi > INT32_MAX)
        return node_error(d, p->g, l->node, "accumulators do not fit int32_t");
    return true;
}

bool mcu_dot_channel_ranges(RefPlan *p, const RefLayer *l, int64_t *lo, int64_t *hi, Diag *d)
{
    Geo g;
    int64_t tlo, thi;
    if (!mcu_dot_acc_range(p, l, &tlo, &thi, d) || !geometry(p, l, &g, d))
        return false;
    int64_t xmin = qc_dtype_min(l->in[0]->dt), xmax = qc_dtype_max(l->in[0]->dt);
    for (int64_t o = 0; o < g.out_c; o++) {
        int64_t a = 0, b = 0;
        if (g.xnor) {
            b = g.k;
        } else {
            for (int64_t k = 0; k < g.k; k++) {
                int64_t w = ref_weight_at(g.w, g.conv, g.out_c, g.cg, &g.win, o, k);
                int64_t p1 = w * xmin, p2 = w * xmax;
                int64_t mn = p1 < p2 ? p1 : p2, mx = p1 < p2 ? p2 : p1;
                if (g.win.padded) { /* a padded tap contributes 0 */
                    mn = mn < 0 ? mn : 0;
                    mx = mx > 0 ? mx : 0;
                }
                a += mn;
                b += mx;
            }
        }
        lo[o] = a > tlo ? a : tlo;
        hi[o] = b < thi ? b : thi;
    }
    return true;
}

/* The NPU's per-channel requantization parameters. */
static void emit_bnorm(const RefLayer *l, const McuNpuLayer *npu, int64_t out_c, const char *base,
                       TextBuf *data)
{
    char decl[160];
    int32_t *bias = malloc((size_t)out_c * sizeof *bias);
    uint8_t *scale = malloc((size_t)out_c), *shift = malloc((size_t)out_c);
    if (!bias || !scale || !shift) {
        data->oom = true;
        free(bias);
        free(scale);
        free(shift);
        return;
    }
    for (int64_t o = 0; o < out_c; o++) {
        bias[o] = npu->ch[o].bias;
        scale[o] = (uint8_t)npu->ch[o].scale;
        shift[o] = (uint8_t)npu->ch[o].shift;
    }
    tb_printf(data, "/* %s: NPU requantization replacing MultiThreshold '%s' exactly on every\n"
              " * reachable accumulator: out = clip(floor((acc + bias) * scale / 2^shift)) */\n",
              l->node->name, l->thr->name);
    snprintf(decl, sizeof decl, "static const int32_t %s_bias[%lld]", base, (long long)out_c);
    emit_array_i32(data, decl, bias, (size_t)out_c, 12);
    snprintf(decl, sizeof decl, "static const uint8_t %s_scale[%lld]", base, (long long)out_c);
    emit_array_u8(data, decl, scale, (size_t)out_c, 16);
    snprintf(decl, sizeof decl, "static const uint8_t %s_shift[%lld]", base, (long long)out_c);
    emit_array_u8(data, decl, shift, (size_t)out_c, 16);
    tb_puts(data, "\n");
    free(bias);
    free(scale);
    free(shift);
}

typedef struct Out {
    TextBuf *b;
    const Geo *g;
    const RefTensor *x, *out;
    const RefThresholds *th;   /* NULL: none, or on the NPU */
    const char *bnorm;         /* NPU: the parameter arrays' base name */
    const char *weights;
} Out;

/* acc[] at conv position (cy, cx), or for row r of a matrix product. A
 * grouped convolution gathers and multiplies one group at a time: the
 * group's UNIT channels of the window into patch[], then its GROUP_OUT
 * output channels (a depthwise layer: one channel's window, one dot
 * product). */
static void emit_acc(const Out *e, const char *cy, const char *cx, const char *outer)
{
    TextBuf *b = e->b;
    const Geo *g = e->g;
    bool bits = e->x->fmt == REF_BITS, i32 = e->x->fmt == REF_I32;
    bool grouped = g->conv && g->groups > 1;
    const char *src = "patch";
    char ind[48];
    snprintf(ind, sizeof ind, "%s%s", outer, grouped ? "    " : "");
    if (grouped)
        tb_printf(b, "%sfor (grp = 0; grp < GROUPS; ++grp) {\n", outer);
    if (g->conv) {
        tb_printf(b, "%sfor (ky = 0; ky < KH; ++ky)\n%s    for (kx = 0; kx < KW; ++kx) {\n", ind, ind);
        tb_printf(b, "%s        int iy = %s * SH - PT + ky * DH, ix = %s * SW - PL + kx * DW;\n",
                  ind, cy, cx);
        tb_printf(b, "%s        %s *dst = &patch[(ky * KW + kx) * UNIT];\n\n", ind,
                  ref_ctype(e->x->fmt));
        if (g->win.padded)
            tb_printf(b, "%s        if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W)\n"
                      "%s            memset(dst, 0, sizeof patch[0] * UNIT);\n%s        else\n    ",
                      ind, ind, ind);
        if (grouped)
            tb_printf(b, "%s        memcpy(dst, &src[(iy * IN_W + ix) * IN_C + grp * UNIT],\n"
                      "%s               %ssizeof patch[0] * UNIT);\n%s    }\n", ind, ind,
                      g->win.padded ? "    " : "", ind);
        else
            tb_printf(b, "%s        memcpy(dst, &src[(iy * IN_W + ix) * UNIT], sizeof patch[0] * UNIT);\n"
                      "%s    }\n", ind, ind);
    } else {
        src = "row";
    }
    if (grouped)
        tb_printf(b, "%sfor (o = grp * GROUP_OUT; o < (grp + 1) * GROUP_OUT; ++o)", ind);
    else
        tb_printf(b, "%sfor (o = 0; o < OUT_C; ++o)", ind);
    if (bits && !g->conv) {
        tb_printf(b, "\n%s    acc[o] = qc_xnor_popcount((const uint32_t *)row, %s[o], K);\n", ind,
                  e->weights);
    } else if (bits) {
        tb_printf(b, "\n%s    acc[o] = K - (int32_t)qc_xnor64_differ(%s, %s[o], ROW_WORDS);\n", ind,
                  src, e->weights);
    } else if (i32) {
        tb_printf(b, " {\n%s    int32_t s = 0;\n\n%s    for (k = 0; k < K; ++k)\n"
                  "%s        s += %s[k] * qc_unpack_one(wdt, %s[o], (size_t)k);\n"
                  "%s    acc[o] = s;\n%s}\n", ind, ind, ind, src, e->weights, ind, ind);
    } else {
        tb_printf(b, "\n%s    acc[o] = qc_dot_i8_packed(%s, wdt, %s[o], K);\n", ind, src, e->weights);
    }
    if (grouped)
        tb_printf(b, "%s}\n", outer);
}

/* The activation of acc `a` into output pixel `pix`. */
static void emit_store(const Out *e, const char *a, const char *pix, const char *ind)
{
    TextBuf *b = e->b;
    const char *ot = ref_ctype(e->out->fmt);
    if (e->th && e->th->to_bits) {
        tb_printf(b, "%sqc_threshold_bits64(%s, %s, OUT_C, &out[(%s) * OUT_WORDS]);\n", ind, a,
                  e->th->name, pix);
        return;
    }
    tb_printf(b, "%sfor (o = 0; o < OUT_C; ++o)\n%s    out[(%s) * OUT_C + o] = ", ind, ind, pix);
    char ax[32];
    snprintf(ax, sizeof ax, "%s[o]", a);
    if (e->bnorm)
        tb_printf(b, "(%s)qc_bnorm_requant(%s, %s_bias[o], %s_scale[o], %s_shift[o], odt);\n", ot,
                  ax, e->bnorm, e->bnorm, e->bnorm);
    else if (e->th) {
        ref_threshold_expr(b, e->th, ax, "o", ot);
        tb_puts(b, ";\n");
    } else
        tb_printf(b, "(%s)%s;\n", ot, ax);
}

static void emit_kernel(const Out *e)
{
    TextBuf *b = e->b;
    const Geo *g = e->g;
    const RefWin *w = &g->win;
    bool bits = e->x->fmt == REF_BITS;
    char ctor[32];
    const char *xt = ref_ctype(e->x->fmt);
    tb_printf(b, "    enum { K = %lld, OUT_C = %lld", (long long)g->k, (long long)g->out_c);
    if (bits && g->conv)
        tb_printf(b, ", ROW_WORDS = %lld", (long long)g->row_len);
    else if (bits)
        tb_printf(b, ", IN_WORDS = %lld", (long long)e->x->row_words);
    if (e->out->fmt == REF_BITS)
        tb_printf(b, ", OUT_WORDS = %lld", (long long)e->out->row_words);
    if (g->conv) {
        tb_printf(b, ",\n           FRAMES = %lld, UNIT = %lld, IN_H = %lld, IN_W = %lld,\n"
                  "           KH = %lld, KW = %lld, SH = %lld, SW = %lld, DH = %lld, DW = %lld, "
                  "PT = %lld, PL = %lld", (long long)g->frames,
                  (long long)(bits ? g->unit : g->cg), (long long)w->in_h, (long long)w->in_w,
                  (long long)w->kh, (long long)w->kw, (long long)w->sh, (long long)w->sw,
                  (long long)w->dh, (long long)w->dw, (long long)w->pt, (long long)w->pl);
        if (g->groups > 1)
            tb_printf(b, ",\n           IN_C = %lld, GROUPS = %lld, GROUP_OUT = %lld",
                      (long long)g->in_c, (long long)g->groups, (long long)g->og);
        if (g->has_pool) {
            const RefWin *q = &g->pool;
            tb_printf(b, ",\n           CONV_H = %lld, CONV_W = %lld, OUT_H = %lld, OUT_W = %lld, "
                      "PKH = %lld, PKW = %lld,\n           PSH = %lld, PSW = %lld, PDH = %lld, "
                      "PDW = %lld, PPT = %lld, PPL = %lld", (long long)w->out_h,
                      (long long)w->out_w, (long long)q->out_h, (long long)q->out_w,
                      (long long)q->kh, (long long)q->kw, (long long)q->sh, (long long)q->sw,
                      (long long)q->dh, (long long)q->dw, (long long)q->pt, (long long)q->pl);
        } else {
            tb_printf(b, ", OUT_H = %lld, OUT_W = %lld", (long long)w->out_h, (long long)w->out_w);
        }
    } else {
        tb_printf(b, ", ROWS = %lld", (long long)g->rows);
    }
    tb_puts(b, " };\n");
    if (!g->xnor)
        tb_printf(b, "    const qc_dtype wdt = %s;\n", ref_dtype_ctor(g->wdt, ctor));
    if (e->bnorm)
        tb_printf(b, "    const qc_dtype odt = %s;\n", ref_dtype_ctor(e->out->dt, ctor));
    if (g->conv)
        tb_printf(b, "    %s patch[KH * KW * UNIT];\n", xt);
    tb_puts(b, "    int32_t acc[OUT_C];\n");
    if (g->has_pool)
        tb_puts(b, "    int32_t best[OUT_C];\n    int have, qy, qx;\n");
    tb_puts(b, g->conv ? "    int n, oy, ox, ky, kx, o;\n" : "    int r, o;\n");
    if (g->conv && g->groups > 1)
        tb_puts(b, "    int grp;\n");
    if (e->x->fmt == REF_I32)
        tb_puts(b, "    int k;\n");
    tb_puts(b, "\n");
    if (!g->conv) {
        tb_printf(b, "    for (r = 0; r < ROWS; ++r) {\n        const %s *row = in + r * %s;\n\n", xt,
                  bits ? "IN_WORDS" : "K");
        emit_acc(e, NULL, NULL, "        ");
        emit_store(e, "acc", "r", "        ");
        tb_puts(b, "    }\n");
        return;
    }
    tb_printf(b, "    for (n = 0; n < FRAMES; ++n) {\n        const %s *src = in + n * IN_H * IN_W * %s;\n\n"
              "        for (oy = 0; oy < OUT_H; ++oy)\n            for (ox = 0; ox < OUT_W; ++ox) {\n", xt,
              g->groups > 1 ? "IN_C" : "UNIT");
    const char *pix = "(n * OUT_H + oy) * OUT_W + ox";
    if (!g->has_pool) {
        emit_acc(e, "oy", "ox", "                ");
        emit_store(e, "acc", pix, "                ");
    } else {
        /* the window's accumulators, maximum (or minimum, for a decreasing
         * activation) first, then one activation */
        bool down = e->th && e->th->scale < 0;
        const char *ind = "                        ";
        tb_puts(b, "                have = 0;\n                for (qy = 0; qy < PKH; ++qy)\n"
                   "                    for (qx = 0; qx < PKW; ++qx) {\n"
                   "                        int cy = oy * PSH - PPT + qy * PDH, cx = ox * PSW - PPL + qx * PDW;\n\n"
                   "                        if (cy < 0 || cy >= CONV_H || cx < 0 || cx >= CONV_W)\n"
                   "                            continue;\n");
        emit_acc(e, "cy", "cx", ind);
        tb_printf(b, "%sfor (o = 0; o < OUT_C; ++o)\n%s    if (!have || acc[o] %s best[o])\n"
                  "%s        best[o] = acc[o];\n%shave = 1;\n                    }\n", ind, ind,
                  down ? "<" : ">", ind, ind);
        emit_store(e, "best", pix, "                ");
    }
    tb_puts(b, "            }\n    }\n");
}

bool mcu_emit_dot(RefPlan *p, RefLayer *l, const McuNpuLayer *npu, TextBuf *data,
                  TextBuf *code, McuHeaders *h, McuLayerStats *st, Diag *d)
{
    Geo g;
    RefThresholds th;
    const RefTensor *x = l->in[0], *out = l->out;
    bool has_th = l->thr != NULL, on_npu = npu && npu->on_npu;
    char wname[64], base[96], bname[64], dn[16], dn2[16];
    int64_t lo, hi;
    if (!geometry(p, l, &g, d) || !mcu_dot_acc_range(p, l, &lo, &hi, d))
        return false;
    if (!ref_dot_thresholds(p, l, g.out_c, lo, hi, p->target, &th, d))
        return false;
    snprintf(base, sizeof base, "%s_weights", l->fn);
    ref_unique_name(p, base, wname);
    RefWeightRows rows = { g.w, g.conv, g.xnor, g.win, g.out_c, g.cg, g.k,
                           g.wdt, g.unit, g.row_len, 32 };
    if (!ref_emit_weight_rows(p, l, &rows, wname, true, data, d)) {
        if (has_th)
            free(th.t);
        return false;
    }
    if (on_npu) {
        snprintf(base, sizeof base, "%s_bnorm", l->fn);
        ref_unique_name(p, base, bname);
        emit_bnorm(l, npu, g.out_c, bname, data);
        h->bnorm = true;
    } else if (has_th) {
        ref_thresholds_emit(&th, lo, hi, data);
        h->ref[th.to_bits ? QH_THRESHOLD_BITS : QH_THRESHOLD] = true;
    }
    if (g.xnor && g.conv)
        h->ref[QH_XNOR64] = true;
    else if (g.xnor)
        h->xnor32 = true;
    else
        h->ref[x->fmt == REF_I32 ? QH_PACK : QH_DOT] = true;

    /* the comment */
    tb_printf(code, "/* %s: %s%s%s, %s x %s weights, %lld inputs per output, %lld output "
              "channels", l->node->name, l->node->op_type, has_th ? " + MultiThreshold" : "",
              l->pool ? " + IntMaxPool" : "", ref_dt_name(x->dt, dn), ref_dt_name(g.wdt, dn2),
              (long long)g.k, (long long)g.out_c);
    if (g.conv && g.groups > 1 && g.cg == 1)
        tb_printf(code, ";\n * depthwise: per channel, one dot product over its %lldx%lld window",
                  (long long)g.win.kh, (long long)g.win.kw);
    else if (g.conv && g.groups > 1)
        tb_printf(code, ";\n * %lld groups of %lld input and %lld output channels, each a dense conv",
                  (long long)g.groups, (long long)g.cg, (long long)g.og);
    if (on_npu)
        tb_puts(code, ";\n * on the NPU: BNORM requantization");
    else if (npu)
        tb_printf(code, ";\n * on the CPU (NPU fallback: %s)", npu->reason);
    tb_puts(code, " */\n");
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    Out e = { code, &g, x, out, has_th && !on_npu ? &th : NULL, on_npu ? bname : NULL, wname };
    emit_kernel(&e);
    tb_puts(code, "}\n\n");

    st->dot = true;
    st->wdt = g.wdt;
    st->in_c = g.cg;
    st->out_c = g.out_c;
    st->weight_bytes = g.out_c * g.row_len * (g.xnor ? (g.conv ? 8 : 4) : 1);
    st->threshold_bytes = on_npu ? g.out_c * 6
                          : has_th ? (th.to_bits ? g.out_c : th.rows * th.levels) * 4 : 0;
    st->macs = g.k * g.out_c * (g.conv ? g.frames * g.win.out_h * g.win.out_w : g.rows);
    if (has_th)
        free(th.t);
    return true;
}
