/* The C of the layers other than matrix products and convolutions
 * (emit_ref_dot.c), and what all layers share: weight datatypes, window
 * geometry, thresholds.
 *
 *   RL_THRESHOLD  qc_threshold_count / qc_threshold_bits64 on stored values
 *   RL_MAXPOOL    max over the window; on BIPOLAR bits an OR (+1 wins)
 *   RL_SUMPOOL    window sums, then the Trunc's shift and rounding in integers
 *   RL_ADD        elementwise sum (times integer ratios for IntScaledAdd)
 *   RL_COPY       a layout op that reorders: one table of source indices
 *
 * Thresholds are int32_t, clamped to the accumulator's range plus one
 * (x >= t is then unchanged for every x the layer can produce). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref_internal.h"
#include "emit_rounding.h"
#include "op_int_params.h"
#include "op_math.h"
#include "qc_dtype_name.h"
#include "qc_pack.h"
#include "qc_xnor64.h"

/* ---- shared pieces ------------------------------------------------------- */

/* Reads the integer range of a tensor from its datatype annotation. */
bool ref_acc_range(const RefPlan *p, const Node *n, const Tensor *t, int64_t *lo, int64_t *hi,
                      Diag *d)
{
    qc_dtype dt;
    if (!t->qdt || qc_dtype_parse(t->qdt, &dt) != 0)
        return node_error(d, p->g, n, "output '%s' has no integer datatype", t->name);
    *lo = qc_dtype_min(dt);
    *hi = qc_dtype_max(dt);
    return true;
}

/* The constant data of input k as int64 values. */
const Value *ref_const_int(const RefPlan *p, const Node *n, int k, const char *what, Diag *d)
{
    const Tensor *t = k < n->n_inputs ? n->inputs[k] : NULL;
    if (!t || !t->value || !t->value->i) {
        node_error(d, p->g, n, "%s must be an integer constant", what);
        return NULL;
    }
    return t->value;
}

/* The datatype of a weight tensor: its annotation, else the tightest of
 * BIPOLAR / INTn / UINTn for its values. */
bool ref_weight_dtype(const RefPlan *p, const Node *n, const Value *w, const char *qdt,
                         qc_dtype *dt, Diag *d)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    bool bipolar = true;
    for (int64_t k = 0; k < w->count; k++) {
        lo = w->i[k] < lo ? w->i[k] : lo;
        hi = w->i[k] > hi ? w->i[k] : hi;
        bipolar = bipolar && (w->i[k] == 1 || w->i[k] == -1);
    }
    if (qdt && qc_dtype_parse(qdt, dt) == 0 && lo >= qc_dtype_min(*dt) &&
        hi <= qc_dtype_max(*dt) && (dt->kind != QC_BIPOLAR || bipolar))
        return true;
    if (bipolar) {
        *dt = qc_dtype_bipolar();
        return true;
    }
    *dt = qc_dtype_for_range(lo, hi);
    if (!qc_dtype_valid(*dt))
        return node_error(d, p->g, n, "weights from %lld to %lld do not fit 32 bits",
                          (long long)lo, (long long)hi);
    return true;
}

/* A C expression constructing dt ("qc_dtype_int(2)"). */
const char *ref_dtype_ctor(qc_dtype dt, char buf[32])
{
    switch (dt.kind) {
    case QC_BIPOLAR: return "qc_dtype_bipolar()";
    case QC_BINARY: return "qc_dtype_binary()";
    case QC_TERNARY: return "qc_dtype_ternary()";
    case QC_INT: snprintf(buf, 32, "qc_dtype_int(%u)", dt.bits); return buf;
    default: snprintf(buf, 32, "qc_dtype_uint(%u)", dt.bits); return buf;
    }
}

/* ---- thresholds ---------------------------------------------------------- */


/* Channel axis of a MultiThreshold: must be the innermost stored axis
 * (1 for rank >= 2, 0 for rank 1) when there are per-channel parameters. */
static bool channel_axis_ok(int64_t axis, const RefTensor *x, int64_t channels)
{
    if (channels == 1)
        return true;
    int rank = x->shape.rank;
    if (axis < 0)
        axis += rank;
    return (rank >= 2 ? axis == 1 : axis == 0) && x->inner == channels;
}

/* Reads the MultiThreshold n whose input ranges over [lo, hi], for an
 * output of `channels` channels. */
bool ref_thresholds_read(RefPlan *p, const Node *n, const char *fn, const RefTensor *x,
                         const RefTensor *out, int64_t channels, int64_t lo, int64_t hi,
                         RefThresholds *th, Diag *d)
{
    memset(th, 0, sizeof *th);
    th->n = n;
    OpCtx ctx = { p->g, d };
    MultiThresholdParams mt;
    const Value *t;
    if (!multithreshold_params(&ctx, n, &mt) || !(t = ref_const_int(p, n, 1, "thresholds", d)))
        return false;
    if (t->shape.rank != 2 || (t->shape.dims[0] != 1 && t->shape.dims[0] != channels))
        return node_error(d, p->g, n, "thresholds must be [1 or %lld, L]", (long long)channels);
    th->rows = t->shape.dims[0];
    th->levels = t->shape.dims[1];
    th->scale = mt.out_scale;
    th->bias = mt.out_bias;
    if (x && !channel_axis_ok(mt.channel_axis, x, th->rows))
        return node_error(d, p->g, n, "the %s target needs the channel axis to be axis 1 "
                          "(the stored innermost axis)", p->target);
    if (lo < INT32_MIN || hi >= INT32_MAX)
        return node_error(d, p->g, n, "its input range [%lld, %lld] is too wide for int32_t "
                          "thresholds", (long long)lo, (long long)hi);
    th->to_bits = out->fmt == REF_BITS;
    if (th->to_bits && !(th->levels == 1 && th->scale == 2 && th->bias == -1))
        return node_error(d, p->g, n, "a BIPOLAR output needs one threshold, out_scale 2 and "
                          "out_bias -1");
    int64_t rows = th->to_bits ? channels : th->rows;
    th->t = malloc((size_t)(rows * th->levels + 1) * sizeof *th->t);
    if (!th->t)
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t l = 0; l < th->levels; l++) {
            int64_t v = t->i[(th->rows == 1 ? 0 : r) * th->levels + l];
            v = v < lo ? lo : v > hi + 1 ? hi + 1 : v;
            th->t[r * th->levels + l] = (int32_t)v;
        }
    if (th->to_bits)
        th->rows = channels;
    char base[96];
    snprintf(base, sizeof base, "%s_thresholds", fn);
    ref_unique_name(p, base, th->name);
    return true;
}

void ref_thresholds_emit(const RefThresholds *th, int64_t lo, int64_t hi, TextBuf *data)
{
    char decl[160];
    tb_printf(data, "/* %s: MultiThreshold, %lld threshold%s per channel on values in "
              "[%lld, %lld]", th->n->name, (long long)th->levels, th->levels == 1 ? "" : "s",
              (long long)lo, (long long)hi);
    if (th->to_bits)
        tb_puts(data, "; bit 1 (+1) where x >= threshold */\n");
    else
        tb_printf(data, ";\n * out = %lld + %lld * count(x >= threshold) */\n",
                  (long long)th->bias, (long long)th->scale);
    if (th->to_bits || th->levels == 1) {
        snprintf(decl, sizeof decl, "static const int32_t %s[%lld]", th->name, (long long)th->rows);
        emit_array_i32(data, decl, th->t, (size_t)th->rows, 12);
    } else {
        snprintf(decl, sizeof decl, "static const int32_t %s[%lld][%lld]", th->name,
                 (long long)th->rows, (long long)th->levels);
        emit_array2_i32(data, decl, th->t, (size_t)th->rows, (size_t)th->levels, 12);
    }
    tb_puts(data, "\n");
}

bool ref_thresholds_emit_by_level(const RefThresholds *th, int64_t lo, int64_t hi, TextBuf *data)
{
    char decl[160];
    int32_t *by_level = malloc((size_t)(th->rows * th->levels + 1) * sizeof *by_level);
    if (!by_level)
        return false;
    tb_printf(data, "/* %s: MultiThreshold, %lld threshold%s per channel on values in "
              "[%lld, %lld];\n * out = %lld + %lld * count(x >= threshold); stored by level, "
              "[level][%s], so that\n * the count runs across the channels */\n",
              th->n->name, (long long)th->levels, th->levels == 1 ? "" : "s", (long long)lo,
              (long long)hi, (long long)th->bias, (long long)th->scale,
              th->rows == 1 ? "one for every channel" : "channel");
    for (int64_t r = 0; r < th->rows; r++)
        for (int64_t l = 0; l < th->levels; l++)
            by_level[l * th->rows + r] = th->t[r * th->levels + l];
    snprintf(decl, sizeof decl, "static const int32_t %s[%lld][%lld]", th->name,
             (long long)th->levels, (long long)th->rows);
    emit_array2_i32(data, decl, by_level, (size_t)th->levels, (size_t)th->rows, 12);
    tb_puts(data, "\n");
    free(by_level);
    return true;
}

void ref_count_store(TextBuf *b, const RefThresholds *th, const char *x, const char *y,
                     const char *i, const char *n, const char *ctype, const char *ind)
{
    /* count(x >= t) one level at a time across the channels: compares and
     * adds that vectorize, where a search per channel does not */
    tb_printf(b, "%sfor (%s = 0; %s < %s; ++%s)\n%s    cnt[%s] = 0;\n", ind, i, i, n, i, ind, i);
    tb_printf(b, "%sfor (l = 0; l < %lld; ++l)\n", ind, (long long)th->levels);
    tb_printf(b, "%s    for (%s = 0; %s < %s; ++%s)\n%s        cnt[%s] += %s >= %s[l][%s];\n", ind,
              i, i, n, i, ind, i, x, th->name, th->rows == 1 ? "0" : i);
    tb_printf(b, "%sfor (%s = 0; %s < %s; ++%s)\n%s    %s = (%s)(", ind, i, i, n, i, ind, y, ctype);
    if (th->bias)
        tb_printf(b, "%lld + ", (long long)th->bias);
    if (th->scale != 1)
        tb_printf(b, "%lld * ", (long long)th->scale);
    tb_printf(b, "cnt[%s]);\n", i);
}

bool ref_dot_thresholds(RefPlan *p, const RefLayer *l, int64_t out_c, int64_t lo, int64_t hi,
                        const char *target, RefThresholds *th, Diag *d)
{
    if (!l->thr) {
        if (l->out->fmt == REF_BITS)
            return node_error(d, p->g, l->node, "an accumulator cannot be BIPOLAR");
        return true;
    }
    OpCtx ctx = { p->g, d };
    MultiThresholdParams mt;
    if (!multithreshold_params(&ctx, l->thr, &mt) ||
        !ref_thresholds_read(p, l->thr, l->fn, NULL, l->out, out_c, lo, hi, th, d))
        return false;
    if (th->rows > 1 && mt.channel_axis != 1) {
        free(th->t);
        return node_error(d, p->g, l->thr, "the %s target needs channel_axis 1 after a matrix "
                          "product or convolution", target);
    }
    return true;
}

/* The C expression of one thresholded output for accumulator `x` and
 * channel expression `c`. */
void ref_threshold_expr(TextBuf *b, const RefThresholds *th, const char *x, const char *c,
                           const char *ctype)
{
    char row[96];
    if (th->levels == 1)
        snprintf(row, sizeof row, "&%s[%s]", th->name, th->rows == 1 ? "0" : c);
    else
        snprintf(row, sizeof row, "%s[%s]", th->name, th->rows == 1 ? "0" : c);
    tb_printf(b, "(%s)(", ctype);
    if (th->bias)
        tb_printf(b, "%lld + ", (long long)th->bias);
    if (th->scale != 1)
        tb_printf(b, "%lld * ", (long long)th->scale);
    if (th->levels == 0)
        tb_puts(b, "0)");
    else
        tb_printf(b, "qc_threshold_count(%s, %s, %lld))", x, row, (long long)th->levels);
}

/* ---- MultiThreshold alone ------------------------------------------------ */

static bool emit_threshold(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers,
                           Diag *d)
{
    const RefTensor *x = l->in[0], *out = l->out;
    RefThresholds th;
    char dt1[16], dt2[16];
    if (x->fmt == REF_BITS)
        return node_error(d, p->g, l->node, "a BIPOLAR input to MultiThreshold is not supported "
                          "by the %s target", p->target);
    int64_t lo = qc_dtype_min(x->dt), hi = qc_dtype_max(x->dt);
    if (!ref_thresholds_read(p, l->node, l->fn, x, out, x->inner, lo, hi, &th, d))
        return false;
    if (th.to_bits || th.levels == 0) {
        ref_thresholds_emit(&th, lo, hi, data);
    } else if (!ref_thresholds_emit_by_level(&th, lo, hi, data)) {
        free(th.t);
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    }
    if (th.to_bits)
        headers[QH_THRESHOLD_BITS] = true;
    tb_printf(code, "/* %s: MultiThreshold, %s -> %s */\n", l->node->name, ref_dt_name(x->dt, dt1),
              ref_dt_name(out->dt, dt2));
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    tb_printf(code, "    enum { ROWS = %lld, C = %lld", (long long)x->rows, (long long)x->inner);
    if (th.to_bits)
        tb_printf(code, ", WORDS = %lld", (long long)out->row_words);
    tb_puts(code, " };\n");
    if (th.to_bits) {
        if (x->fmt == REF_I32) {
            tb_puts(code, "    int r;\n\n    for (r = 0; r < ROWS; ++r)\n");
            tb_printf(code, "        qc_threshold_bits64(&in[r * C], %s, C, &out[r * WORDS]);\n",
                      th.name);
        } else {
            tb_puts(code, "    int32_t row[C];\n    int r, c;\n\n    for (r = 0; r < ROWS; ++r) {\n");
            tb_puts(code, "        for (c = 0; c < C; ++c)\n            row[c] = in[r * C + c];\n");
            tb_printf(code, "        qc_threshold_bits64(row, %s, C, &out[r * WORDS]);\n    }\n",
                      th.name);
        }
    } else if (th.levels == 0) {
        tb_puts(code, "    int r, c;\n\n    for (r = 0; r < ROWS; ++r)\n");
        tb_puts(code, "        for (c = 0; c < C; ++c)\n            out[r * C + c] = ");
        ref_threshold_expr(code, &th, "in[r * C + c]", "c", ref_ctype(out->fmt));
        tb_puts(code, ";\n");
    } else {
        tb_puts(code, "    int32_t cnt[C];\n    int r, c, l;\n\n    for (r = 0; r < ROWS; ++r) {\n");
        ref_count_store(code, &th, "in[r * C + c]", "out[r * C + c]", "c", "C",
                        ref_ctype(out->fmt), "        ");
        tb_puts(code, "    }\n");
    }
    tb_puts(code, "}\n\n");
    free(th.t);
    return true;
}

/* ---- IntMaxPool ---------------------------------------------------------- */

bool ref_window(const RefPlan *p, const Node *n, const RefTensor *x, const int64_t *kernel,
                RefWin *rw, Diag *d)
{
    OpCtx ctx = { p->g, d };
    Window w;
    int nsp = x->shape.rank - 2;
    if (nsp < 1 || nsp > 2 || !x->channels_last || x->n != 1)
        return node_error(d, p->g, n, "the %s target handles 1-D and 2-D windows over one "
                          "frame", p->target);
    if (!window_read(&ctx, n, nsp, kernel, kernel ? 0 : WIN_CEIL_MODE, &w) ||
        !window_apply(&ctx, n, &x->shape.dims[2], &w))
        return false;
    bool two = nsp == 2;
    rw->kh = two ? w.kernel[0] : 1;
    rw->sh = two ? w.stride[0] : 1;
    rw->dh = two ? w.dilation[0] : 1;
    rw->pt = two ? w.pad_begin[0] : 0;
    rw->in_h = two ? w.in[0] : 1;
    rw->out_h = two ? w.out[0] : 1;
    rw->kw = w.kernel[nsp - 1];
    rw->sw = w.stride[nsp - 1];
    rw->dw = w.dilation[nsp - 1];
    rw->pl = w.pad_begin[nsp - 1];
    rw->in_w = w.in[nsp - 1];
    rw->out_w = w.out[nsp - 1];
    rw->padded = false;
    for (int k = 0; k < nsp; k++)
        rw->padded = rw->padded || w.pad_begin[k] > 0 ||
                     (w.out[k] - 1) * w.stride[k] + (w.kernel[k] - 1) * w.dilation[k] -
                             w.pad_begin[k] >= w.in[k];
    return true;
}

static bool emit_maxpool(RefPlan *p, RefLayer *l, TextBuf *code, Diag *d)
{
    const Node *n = l->node;
    const RefTensor *x = l->in[0], *out = l->out;
    RefWin w;
    char dtn[16];
    if (!ref_window(p, n, x, NULL, &w, d))
        return false;
    if (x->fmt != out->fmt)
        return node_error(d, p->g, n, "input and output datatypes must be stored alike");
    int64_t kh = w.kh, sh = w.sh, dh = w.dh, pt = w.pt, in_h = w.in_h, out_h = w.out_h;
    int64_t kw = w.kw, sw = w.sw, dw = w.dw, pl = w.pl, in_w = w.in_w, out_w = w.out_w;
    bool padded = w.padded;
    bool bits = x->fmt == REF_BITS;
    const char *unit = bits ? "WORDS" : "C";
    tb_printf(code, "/* %s: IntMaxPool %lldx%lld", n->name, (long long)kh, (long long)kw);
    if (sh != 1 || sw != 1)
        tb_printf(code, ", stride %lldx%lld", (long long)sh, (long long)sw);
    tb_printf(code, ", %lldx%lld -> %lldx%lld pixels of %lld channels, %s", (long long)in_h,
              (long long)in_w, (long long)out_h, (long long)out_w, (long long)x->c,
              ref_dt_name(x->dt, dtn));
    tb_puts(code, bits ? ";\n * on bipolar bits the maximum is an OR: +1 wins */\n" : " */\n");
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    tb_printf(code, "    enum {\n        IN_H = %lld, IN_W = %lld, %s = %lld,\n", (long long)in_h,
              (long long)in_w, unit, (long long)(bits ? x->row_words : x->c));
    tb_printf(code, "        OUT_H = %lld, OUT_W = %lld, K_H = %lld, K_W = %lld", (long long)out_h,
              (long long)out_w, (long long)kh, (long long)kw);
    if (sh != 1 || sw != 1)
        tb_printf(code, ",\n        STRIDE_H = %lld, STRIDE_W = %lld", (long long)sh,
                  (long long)sw);
    if (dh != 1 || dw != 1)
        tb_printf(code, ",\n        DILATION_H = %lld, DILATION_W = %lld", (long long)dh,
                  (long long)dw);
    if (pt || pl)
        tb_printf(code, ",\n        PAD_TOP = %lld, PAD_LEFT = %lld", (long long)pt, (long long)pl);
    tb_puts(code, "\n    };\n    int oy, ox, ky, kx, i;\n\n");
    const char *sy = sh != 1 ? " * STRIDE_H" : "", *sx = sw != 1 ? " * STRIDE_W" : "";
    const char *dy = dh != 1 ? " * DILATION_H" : "", *dx = dw != 1 ? " * DILATION_W" : "";
    tb_puts(code, "    for (oy = 0; oy < OUT_H; ++oy) {\n        for (ox = 0; ox < OUT_W; ++ox) {\n");
    tb_printf(code, "            %s *dst = &out[(oy * OUT_W + ox) * %s];\n\n", ref_ctype(out->fmt),
              unit);
    tb_printf(code, "            for (i = 0; i < %s; ++i)\n                dst[i] = %s\n", unit,
              bits ? "0;   /* all -1 */" : x->fmt == REF_I8 ? "INT8_MIN;" : "INT32_MIN;");
    tb_puts(code, "            for (ky = 0; ky < K_H; ++ky) {\n");
    tb_printf(code, "                int iy = oy%s + ky%s%s;\n", sy, dy, pt ? " - PAD_TOP" : "");
    tb_puts(code, "                for (kx = 0; kx < K_W; ++kx) {\n");
    tb_printf(code, "                    int ix = ox%s + kx%s%s;\n", sx, dx, pl ? " - PAD_LEFT" : "");
    tb_printf(code, "                    const %s *src;\n\n", ref_ctype(x->fmt));
    if (padded)
        tb_puts(code, "                    if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W)\n"
                      "                        continue;   /* padding never wins */\n");
    tb_printf(code, "                    src = &in[(iy * IN_W + ix) * %s];\n", unit);
    tb_printf(code, "                    for (i = 0; i < %s; ++i)\n", unit);
    if (bits)
        tb_puts(code, "                        dst[i] |= src[i];\n");
    else
        tb_puts(code, "                        dst[i] = src[i] > dst[i] ? src[i] : dst[i];\n");
    tb_puts(code, "                }\n            }\n        }\n    }\n}\n\n");
    return true;
}

/* ---- IntSumPool ---------------------------------------------------------- */

/* The C statement rounding `sum` / D (D = 2^shift) to `out` by the qonnx
 * rounding mode, in integers: floor division, then the remainder decides
 * (the definitions of op_quant.h's table; the golden Trunc rounds the same
 * exact quotient in float32). */
static void emit_shift_round(TextBuf *code, QonnxRounding mode)
{
    tb_puts(code, "                fl = sum >= 0 ? sum / D : -((-sum + D - 1) / D);   /* floor */\n");
    if (mode == QROUND_FLOOR) {
        tb_puts(code, "                sum = fl;   /* FLOOR */\n");
        return;
    }
    tb_puts(code, "                rem = sum - fl * D;                                  /* 0 <= rem < D */\n");
    const char *up = emit_round_up_condition(mode);
    tb_printf(code, "                sum = fl + (%s);   /* %s */\n", up, qonnx_rounding_name(mode));
}

static bool emit_sumpool(RefPlan *p, RefLayer *l, TextBuf *code, Diag *d)
{
    const Node *n = l->node;
    const RefTensor *x = l->in[0], *out = l->out;
    OpCtx ctx = { p->g, d };
    SumPoolParams sp;
    RefWin w;
    char dtn[16];
    if (!sum_pool_params(&ctx, n, &sp) || !ref_window(p, n, x, NULL, &w, d))
        return false;
    if (x->fmt == REF_BITS || out->fmt == REF_BITS)
        return node_error(d, p->g, n, "the %s target sums integer tensors only (no BIPOLAR "
                          "operands)", p->target);
    tb_printf(code, "/* %s: IntSumPool %lldx%lld", n->name, (long long)w.kh, (long long)w.kw);
    if (w.sh != 1 || w.sw != 1)
        tb_printf(code, ", stride %lldx%lld", (long long)w.sh, (long long)w.sw);
    tb_printf(code, ", %lldx%lld -> %lldx%lld pixels of %lld channels -> %s", (long long)w.in_h,
              (long long)w.in_w, (long long)w.out_h, (long long)w.out_w, (long long)x->c,
              ref_dt_name(out->dt, dtn));
    if (sp.shift)
        tb_printf(code, ";\n * the window sum divided by 2^%d, rounded %s (the Trunc after an "
                  "average pool)", sp.shift, qonnx_rounding_name(sp.rounding));
    tb_puts(code, " */\n");
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    tb_printf(code, "    enum {\n        IN_H = %lld, IN_W = %lld, C = %lld,\n", (long long)w.in_h,
              (long long)w.in_w, (long long)x->c);
    tb_printf(code, "        OUT_H = %lld, OUT_W = %lld, K_H = %lld, K_W = %lld,\n",
              (long long)w.out_h, (long long)w.out_w, (long long)w.kh, (long long)w.kw);
    tb_printf(code, "        STRIDE_H = %lld, STRIDE_W = %lld, DILATION_H = %lld, DILATION_W = "
              "%lld,\n        PAD_TOP = %lld, PAD_LEFT = %lld",
              (long long)w.sh, (long long)w.sw, (long long)w.dh, (long long)w.dw,
              (long long)w.pt, (long long)w.pl);
    if (sp.shift)
        tb_printf(code, ",\n        D = %lld", (long long)((int64_t)1 << sp.shift));
    tb_puts(code, "\n    };\n    int oy, ox, ky, kx, c;\n\n");
    tb_puts(code, "    for (oy = 0; oy < OUT_H; ++oy) {\n        for (ox = 0; ox < OUT_W; ++ox) {\n");
    tb_puts(code, "            for (c = 0; c < C; ++c) {\n");
    tb_printf(code, "                int32_t sum = 0%s%s;\n\n", sp.shift ? ", fl" : "",
              sp.shift && sp.rounding != QROUND_FLOOR ? ", rem" : "");
    tb_puts(code, "                for (ky = 0; ky < K_H; ++ky) {\n");
    tb_puts(code, "                    int iy = oy * STRIDE_H + ky * DILATION_H - PAD_TOP;\n");
    tb_puts(code, "                    for (kx = 0; kx < K_W; ++kx) {\n");
    tb_puts(code, "                        int ix = ox * STRIDE_W + kx * DILATION_W - PAD_LEFT;\n");
    if (w.padded)
        tb_puts(code, "                        if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W)\n"
                      "                            continue;   /* a padded tap adds 0 */\n");
    tb_puts(code, "                        sum += in[(iy * IN_W + ix) * C + c];\n");
    tb_puts(code, "                    }\n                }\n");
    if (sp.shift)
        emit_shift_round(code, sp.rounding);
    tb_printf(code, "                out[(oy * OUT_W + ox) * C + c] = (%s)sum;\n",
              ref_ctype(out->fmt));
    tb_puts(code, "            }\n        }\n    }\n}\n\n");
    return true;
}

/* ---- IntAdd -------------------------------------------------------------- */

static bool emit_add(RefPlan *p, RefLayer *l, TextBuf *code, Diag *d)
{
    const RefTensor *a = l->in[0], *b = l->in[1], *out = l->out;
    char dtn[16];
    if (a->fmt == REF_BITS || b->fmt == REF_BITS || !shape_equal(&a->shape, &b->shape))
        return node_error(d, p->g, l->node, "the %s target adds integer tensors of one shape "
                          "only (no broadcasting, no BIPOLAR operands)", p->target);
    OpCtx ctx = { p->g, d };
    IntAddParams ap;
    if (!int_add_params(&ctx, l->node, &ap))
        return false;
    tb_printf(code, "/* %s: %s -> %s */\n", l->node->name, l->node->op_type,
              ref_dt_name(out->dt, dtn));
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *a, const %s *b, %s *out)\n{\n",
              l->fn, ref_ctype(a->fmt), ref_ctype(b->fmt), ref_ctype(out->fmt));
    tb_printf(code, "    enum { COUNT = %lld };\n    int i;\n\n", (long long)out->count);
    if (ap.mul_a == 1 && ap.mul_b == 1)
        tb_printf(code, "    for (i = 0; i < COUNT; ++i)\n        out[i] = (%s)(a[i] + b[i]);\n}\n\n",
                  ref_ctype(out->fmt));
    else    /* the scales differ by an integer ratio: the larger-scale side times it */
        tb_printf(code, "    for (i = 0; i < COUNT; ++i)\n        out[i] = (%s)(%lld * a[i] + "
                  "%lld * b[i]);\n}\n\n", ref_ctype(out->fmt), (long long)ap.mul_a,
                  (long long)ap.mul_b);
    return true;
}

/* ---- layout copies ------------------------------------------------------- */

static bool emit_copy(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers,
                      Diag *d)
{
    const RefTensor *x = l->in[0], *out = l->out;
    char s1[96], s2[96], base[96], table[64], decl[160];
    int64_t *map = ref_layout_map(l);
    int32_t *map32 = malloc((size_t)out->count * sizeof *map32);
    if (!map || !map32) {
        free(map);
        free(map32);
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    }
    for (int64_t k = 0; k < out->count; k++)
        map32[k] = (int32_t)map[k];
    free(map);
    snprintf(base, sizeof base, "%s_source", l->fn);
    ref_unique_name(p, base, table);
    tb_printf(data, "/* %s: %s %s -> %s; for each stored output element, the stored input "
              "element it takes */\n", l->node->name, l->node->op_type,
              ref_shape_str(x, s1, sizeof s1), ref_shape_str(out, s2, sizeof s2));
    snprintf(decl, sizeof decl, "static const int32_t %s[%lld]", table, (long long)out->count);
    emit_array_i32(data, decl, map32, (size_t)out->count, 12);
    tb_puts(data, "\n");
    free(map32);
    tb_printf(code, "/* %s: %s, moving elements (the stored orders differ) */\n", l->node->name,
              l->node->op_type);
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    if (x->fmt != REF_BITS) {
        tb_printf(code, "    enum { COUNT = %lld };\n    int i;\n\n", (long long)out->count);
        tb_printf(code, "    for (i = 0; i < COUNT; ++i)\n        out[i] = (%s)in[%s[i]];\n}\n\n",
                  ref_ctype(out->fmt), table);
        return true;
    }
    headers[QH_XNOR64] = true;
    tb_printf(code, "    enum { IN_INNER = %lld, IN_WORDS = %lld, ROWS = %lld, INNER = %lld, "
              "WORDS = %lld };\n", (long long)x->inner, (long long)x->row_words,
              (long long)out->rows, (long long)out->inner, (long long)out->row_words);
    tb_puts(code, "    int32_t row[INNER];\n    int r, i;\n\n    for (r = 0; r < ROWS; ++r) {\n");
    tb_puts(code, "        for (i = 0; i < INNER; ++i) {\n");
    tb_printf(code, "            int32_t src = %s[r * INNER + i];\n", table);
    tb_puts(code, "            row[i] = qc_xnor64_get(&in[src / IN_INNER * IN_WORDS], src % IN_INNER);\n");
    tb_puts(code, "        }\n        qc_xnor64_pack(row, INNER, &out[r * WORDS]);\n    }\n}\n\n");
    return true;
}

bool ref_emit_layer(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers,
                    Diag *d)
{
    switch (l->kind) {
    case RL_DOT: return ref_emit_dot(p, l, data, code, headers, d);
    case RL_THRESHOLD: return emit_threshold(p, l, data, code, headers, d);
    case RL_MAXPOOL: return emit_maxpool(p, l, code, d);
    case RL_SUMPOOL: return emit_sumpool(p, l, code, d);
    case RL_ADD: return emit_add(p, l, code, d);
    case RL_COPY: return emit_copy(p, l, data, code, headers, d);
    case RL_ALIAS: return true;
    }
    return true;
}
