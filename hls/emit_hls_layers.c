/* One kernel per layer kind: fills the templates of kernels_*.c with a
 * layer's numbers and writes its constant arrays (weights packed by PE,
 * thresholds by PE and fold). The DAG's FORK, JOIN and VVAU have their
 * templates in kernels_dag.c, the POOL shares the window kernel. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_hls_internal.h"
#include "emit_rounding.h"

/* ---- templates ---------------------------------------------------------- */

void hls_subst(TextBuf *out, const char *tmpl, const HlsVar *vars, int n)
{
    for (const char *s = tmpl; *s;) {
        const char *at = strchr(s, '@');
        if (!at) {
            tb_puts(out, s);
            return;
        }
        tb_write(out, s, (size_t)(at - s));
        int k = 0;
        while (k < n && strncmp(at, vars[k].key, strlen(vars[k].key)))
            k++;
        if (k < n) {
            tb_puts(out, vars[k].value);
            s = at + strlen(vars[k].key);
        } else {
            tb_write(out, at, 1);
            s = at + 1;
        }
    }
}

/* ---- shared pieces ------------------------------------------------------ */

#define MAX_VARS 48

typedef struct Vars {
    HlsVar v[MAX_VARS];
    int n;
    bool overflow;           /* a value did not fit: the kernel would be wrong */
} Vars;

static void set(Vars *vs, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set(Vars *vs, const char *key, const char *fmt, ...)
{
    if (vs->n == MAX_VARS) {
        vs->overflow = true;
        return;
    }
    HlsVar *v = &vs->v[vs->n++];
    va_list ap;
    v->key = key;
    va_start(ap, fmt);
    int len = vsnprintf(v->value, sizeof v->value, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof v->value)
        vs->overflow = true;
}

/* The layer's name for a comment (a "*" "/" in it would end the comment). */
static void comment_name(const Layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "%s", l->name ? l->name : "(unnamed)");
    for (char *p = buf; (p = strstr(p, "*/")) != NULL; p++)
        p[1] = '|';
}

static const HlsType *stream_type(const HlsPlan *p, int stream)
{
    return &p->types[p->streams[stream].type];
}

/* What every kernel needs: names, types, beats. */
static void common_vars(const HlsPlan *p, const HlsProc *pr, Vars *vs)
{
    char buf[160];
    const HlsType *in = stream_type(p, pr->in), *out = stream_type(p, pr->out);
    memset(vs, 0, sizeof *vs);
    comment_name(pr->l, buf, sizeof buf);
    set(vs, "@LAYER@", "%s", buf);
    set(vs, "@FN@", "%s", pr->fn);
    set(vs, "@IN@", "%s", in->name);
    set(vs, "@OUT@", "%s", out->name);
    set(vs, "@IN_BEATS@", "%lld", (long long)pr->l->in.beats);
    set(vs, "@OUT_BEATS@", "%lld", (long long)pr->l->out.beats);
    set(vs, "@IN_PB@", "%d", pr->l->in.elems_per_beat);
    set(vs, "@OUT_PB@", "%d", pr->l->out.elems_per_beat);
    set(vs, "@IN_DESC@", "%s", hls_type_desc(in, buf, sizeof buf));
    set(vs, "@OUT_DESC@", "%s", hls_type_desc(out, buf, sizeof buf));
}

/* The end of every kernel: a value cut short would make wrong code. */
static bool finish(const Vars *vs, HlsPlan *p, const Layer *l, Diag *d)
{
    return !vs->overflow || hls_layer_error(d, p, l, "internal error: a kernel template value "
                                            "does not fit");
}

/* "count", "count - 1", "2 * count - 1" */
static void act_expr(int32_t scale, int32_t bias, char *buf, size_t size)
{
    char s[32] = "";
    if (scale != 1)
        snprintf(s, sizeof s, "%d * ", (int)scale);
    if (bias == 0)
        snprintf(buf, size, "%scount", s);
    else
        snprintf(buf, size, "%scount %c %lld", s, bias < 0 ? '-' : '+',
                 bias < 0 ? -(long long)bias : (long long)bias);
}

/* An int32 literal, INT32_MIN included. */
static void int_literal(int64_t v, char *buf, size_t size)
{
    if (v == INT32_MIN)
        snprintf(buf, size, "(-2147483647 - 1)");
    else
        snprintf(buf, size, "%lld", (long long)v);
}

/* Whether the layer has one threshold row for all channels. */
static bool thresholds_shared(const Layer *l)
{
    return l->thresholds_per_channel == 1;
}

/* The threshold array [PE][FOLDS][LEVELS] (or [LEVELS] when shared):
 * element [p][f][t] is threshold t of channel f * PE + p. */
static void emit_thresholds(const HlsProc *pr, int pe, int64_t folds, TextBuf *data, Vars *vs)
{
    const Layer *l = pr->l;
    int levels = l->n_thresholds;
    bool shared = thresholds_shared(l);
    int64_t rows = shared ? 1 : (int64_t)pe * folds;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int64_t k = 0; k < rows * levels; k++) {
        lo = l->thresholds[k] < lo ? l->thresholds[k] : lo;
        hi = l->thresholds[k] > hi ? l->thresholds[k] : hi;
    }
    const char *ctype = hls_int_ctype(lo, hi);
    char name[128], decl[256];
    snprintf(name, sizeof name, "%s_thresholds", pr->fn);
    if (shared) {
        tb_printf(data, "/* %s: %d threshold(s), ascending, shared by every channel */\n",
                  vs->v[0].value, levels);
        snprintf(decl, sizeof decl, "static const %s %s[%d]", ctype, name, levels);
        emit_array_i32(data, decl, l->thresholds, (size_t)levels, 12);
        tb_puts(data, "\n");
        set(vs, "@THR_INDEX@", "[t]");
        set(vs, "@THR_PARTITION@", "#pragma HLS ARRAY_PARTITION variable=%s complete dim=1\n", name);
        return;
    }
    tb_printf(data, "/* %s: %d threshold(s) per channel, ascending; [p][f][t] is threshold t\n"
              " * of channel f * %d + p */\n", vs->v[0].value, levels, pe);
    tb_printf(data, "static const %s %s[%d][%lld][%d] = {\n", ctype, name, pe, (long long)folds,
              levels);
    for (int p = 0; p < pe; p++) {
        tb_printf(data, "    {   /* PE %d */\n", p);
        for (int64_t f = 0; f < folds; f++) {
            const int32_t *row = &l->thresholds[(f * pe + p) * levels];
            tb_puts(data, "        {");
            for (int t = 0; t < levels; t++) {
                if (t && t % 16 == 0)
                    tb_puts(data, "\n         ");
                tb_printf(data, " %d%s", (int)row[t], t + 1 < levels ? "," : "");
            }
            tb_printf(data, " }%s\n", f + 1 < folds ? "," : "");
        }
        tb_printf(data, "    }%s\n", p + 1 < pe ? "," : "");
    }
    tb_puts(data, "};\n\n");
    set(vs, "@THR_INDEX@", "[p][%s][t]", pr->l->kind == LAYER_MVAU ? "nf" : "cf");
    set(vs, "@THR_PARTITION@",
        "#pragma HLS ARRAY_PARTITION variable=%s complete dim=1\n"
        "#pragma HLS ARRAY_PARTITION variable=%s complete dim=3\n", name, name);
}

/* ---- MVAU --------------------------------------------------------------- */

static bool emit_weights(HlsPlan *p, const HlsProc *pr, const HlsType *wt, TextBuf *data,
                         Diag *d)
{
    const Layer *l = pr->l;
    int64_t sf = l->mw / l->simd, nf = l->mh / l->pe;
    int32_t *vals = malloc((size_t)l->simd * sizeof *vals);
    if (!vals)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    int per_line = wt->words ? 1 : wt->bits <= 8 ? 12 : wt->bits <= 16 ? 10 : wt->bits <= 32 ? 6 : 4;
    char desc[96], dtn[16];
    char layer[160];
    comment_name(l, layer, sizeof layer);
    tb_printf(data, "/* %s: %lld x %lld %s weights (MH x MW), %s per word;\n"
              " * word [p][nf * %lld + sf] holds W[nf * %d + p][sf * %d + s] in element s */\n",
              layer, (long long)l->mh, (long long)l->mw, hls_dt_name(l->wdt, dtn),
              hls_type_desc(wt, desc, sizeof desc), (long long)sf, l->pe, l->simd);
    tb_printf(data, "static const %s_t %s_weights[%d][%lld] = {\n", wt->name, pr->fn, l->pe,
              (long long)(nf * sf));
    for (int pe = 0; pe < l->pe; pe++) {
        tb_printf(data, "    {   /* PE %d */\n", pe);
        int64_t tiles = nf * sf;
        for (int64_t tile = 0; tile < tiles; tile++) {
            int64_t h = tile / sf * l->pe + pe, w0 = tile % sf * l->simd;
            for (int s = 0; s < l->simd; s++)
                vals[s] = l->weights[h * l->mw + w0 + s];
            if (tile % per_line == 0)
                tb_puts(data, "       ");
            tb_puts(data, " ");
            hls_emit_word(data, wt, vals);
            if (tile + 1 < tiles)
                tb_puts(data, ",");
            if (tile % per_line == per_line - 1 || tile + 1 == tiles)
                tb_puts(data, "\n");
        }
        tb_printf(data, "    }%s\n", pe + 1 < l->pe ? "," : "");
    }
    tb_puts(data, "};\n\n");
    free(vals);
    (void)p;
    return true;
}

static bool emit_mvau(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char buf[160], n1[16], n2[16], n3[16];
    common_vars(p, pr, &vs);
    int w = hls_type(p, l->wdt, l->simd);
    if (w < 0)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    const HlsType *wt = &p->types[w];
    int64_t sf = l->mw / l->simd, nf = l->mh / l->pe;
    const char *acc_t = l->acc_dt.bits <= 32 ? "int32_t" : "int64_t";
    set(&vs, "@W@", "%s", wt->name);
    set(&vs, "@MH@", "%lld", (long long)l->mh);
    set(&vs, "@MW@", "%lld", (long long)l->mw);
    set(&vs, "@VECTORS@", "%lld", (long long)l->vectors);
    set(&vs, "@PE@", "%d", l->pe);
    set(&vs, "@SIMD@", "%d", l->simd);
    set(&vs, "@NF@", "%lld", (long long)nf);
    set(&vs, "@SF@", "%lld", (long long)sf);
    set(&vs, "@ACC_T@", "%s", acc_t);
    set(&vs, "@MAC_VARS@", "%s", l->xnor ? "" : ", s");
    set(&vs, "@X_DECL@", "%s", l->xnor ? "" : "                int32_t xs[SIMD];   /* its elements */\n");
    if (!emit_weights(p, pr, wt, data, d))
        return false;
    if (l->xnor)
        set(&vs, "@MAC_DESC@", "acc = the number of matching signs (XNOR-popcount), %s",
            hls_dt_name(l->acc_dt, n1));
    else
        set(&vs, "@MAC_DESC@", "acc = sum of %s x %s products, %s", hls_dt_name(l->in.dt, n1),
            hls_dt_name(l->wdt, n2), hls_dt_name(l->acc_dt, n3));
    if (l->n_thresholds > 0) {
        emit_thresholds(pr, l->pe, nf, data, &vs);
        act_expr(l->out_scale, l->out_bias, buf, sizeof buf);
        set(&vs, "@ACT_EXPR@", "%s", buf);
        set(&vs, "@LEVELS@", ", LEVELS = %d", l->n_thresholds);
        set(&vs, "@ACT_DESC@", "out = %s, count = number of the neuron's %d threshold(s) t "
            "with acc >= t", buf, l->n_thresholds);
    } else {
        set(&vs, "@LEVELS@", "%s", "");
        set(&vs, "@THR_PARTITION@", "%s", "");
        set(&vs, "@ACC_OUT@", "%s", l->acc_dt.bits <= 32 ? "acc[p]" : "(int32_t)acc[p]");
        set(&vs, "@ACT_DESC@", "out = acc, %s (no activation)", hls_dt_name(l->out.dt, n1));
    }
    hls_subst(code, hls_mvau_head, vs.v, vs.n);
    hls_subst(code, l->xnor ? hls_mvau_mac_xnor : hls_mvau_mac_int, vs.v, vs.n);
    hls_subst(code, l->n_thresholds > 0 ? hls_mvau_act_thresholds : hls_mvau_act_none, vs.v, vs.n);
    hls_subst(code, hls_mvau_tail, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

/* ---- SWG, MAXPOOL ------------------------------------------------------- */

/* The POOL's rounding, sum / 2^shift by the Trunc's mode, in integers
 * (dataflow_shift_round's definitions), as a function before the kernel. */
static void emit_pool_round(const HlsProc *pr, TextBuf *code)
{
    const Layer *l = pr->l;
    if (l->shift == 0) {
        tb_printf(code, "/* %s: the sum itself (no Trunc shift) */\n"
                  "static int32_t %s_round(int32_t sum)\n{\n    return sum;\n}\n\n",
                  pr->fn, pr->fn);
        return;
    }
    const char *up = emit_round_up_condition(l->rounding);
    tb_printf(code, "/* %s: sum / 2^%d rounded %s (the Trunc's mode), in integers */\n"
              "static int32_t %s_round(int32_t sum)\n{\n"
              "    enum { D = %d };\n"
              "    int32_t fl = sum >= 0 ? sum / D : -((-sum + D - 1) / D);   /* floor */\n"
              "    int32_t rem = sum - fl * D;                               /* 0 <= rem < D */\n"
              "\n    (void)rem;\n"
              "    return fl + (%s);\n}\n\n", pr->fn, l->shift, qonnx_rounding_name(l->rounding),
              pr->fn, 1 << l->shift, up);
}

static bool emit_window(HlsPlan *p, const HlsProc *pr, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    bool swg = l->kind == LAYER_SWG, pool = l->kind == LAYER_POOL;
    if (pool)
        emit_pool_round(pr, code);
    Vars vs;
    char dtn[16], lit[32];
    common_vars(p, pr, &vs);
    /* rows each row of outputs reads, and whether rows are left at the end */
    int64_t read = 0, most = 0;
    for (int64_t oy = 0; oy < l->out_h; oy++) {
        int64_t need = oy * l->stride_h - l->pad_top + l->k_h;
        need = need > l->in_h ? l->in_h : need;
        if (need - read > most)
            most = need - read;
        read = need > read ? need : read;
    }
    bool drain = read < l->in_h;
    set(&vs, "@IN_H@", "%lld", (long long)l->in_h);
    set(&vs, "@IN_W@", "%lld", (long long)l->in_w);
    set(&vs, "@C@", "%lld", (long long)l->channels);
    set(&vs, "@OUT_H@", "%lld", (long long)l->out_h);
    set(&vs, "@OUT_W@", "%lld", (long long)l->out_w);
    set(&vs, "@KH@", "%d", l->k_h);
    set(&vs, "@KW@", "%d", l->k_w);
    set(&vs, "@SH@", "%d", l->stride_h);
    set(&vs, "@SW@", "%d", l->stride_w);
    set(&vs, "@PT@", "%d", l->pad_top);
    set(&vs, "@PL@", "%d", l->pad_left);
    set(&vs, "@NEW_ROWS@", "%lld", (long long)most);
    bool padded = l->pad_top || l->pad_left || l->pad_bottom || l->pad_right;
    if (swg && l->k_h == 1 && l->k_w == 1 && !padded && l->in.elems_per_beat == l->out.elems_per_beat) {
        hls_subst(code, hls_swg_pointwise_template, vs.v, vs.n);
        return finish(&vs, p, l, d);
    }
    set(&vs, "@UNIT_BEATS@", "%s", swg ? "WIN_BEATS" : "PIX_BEATS");
    set(&vs, "@UNIT@", "%s", swg ? "KH * KW * C" : "C");
    set(&vs, "@UNIT_NAME@", "%s", swg ? "window" : "pixel");
    set(&vs, "@ELEM_T@", "%s", hls_int_ctype(qc_dtype_min(l->in.dt), qc_dtype_max(l->in.dt)));
    set(&vs, "@EXTRA_VARS@", "%s", swg ? "" : ", ky, kx");
    int_literal(qc_dtype_min(l->in.dt), lit, sizeof lit);
    set(&vs, "@MIN@", "%s", lit);
    set(&vs, "@DT@", "%s", hls_dt_name(l->in.dt, dtn));
    if (swg)
        set(&vs, "@PAD_ENUM@", " PAD = %d,", (int)l->pad_value);
    else
        set(&vs, "@PAD_ENUM@", "%s", "");

    tb_printf(code, "/* %s: %s\n * over a %lld x %lld x %lld image (H x W x C, %s), kernel %d x %d, "
              "stride %d x %d,\n * pads %d %d %d %d (top left bottom right): ", vs.v[0].value,
              swg ? "SWG (sliding-window generator)" : pool ? "POOL (average pool)" : "MAXPOOL",
              (long long)l->in_h,
              (long long)l->in_w, (long long)l->channels, dtn, l->k_h, l->k_w, l->stride_h,
              l->stride_w, l->pad_top, l->pad_left, l->pad_bottom, l->pad_right);
    if (swg)
        tb_printf(code, "%lld x %lld windows of\n * %d x %d x %lld elements in [kh][kw][C] order, "
                  "padding %d.\n", (long long)l->out_h, (long long)l->out_w, l->k_h, l->k_w,
                  (long long)l->channels, (int)l->pad_value);
    else
        tb_printf(code, "%lld x %lld pixels,\n * each channel the %s over its window%s.\n",
                  (long long)l->out_h, (long long)l->out_w, pool ? "sum" : "max",
                  pool ? ", then " : "");
    if (pool)
        tb_printf(code, " * %s_round: the shift and rounding (out %s).\n", pr->fn,
                  hls_dt_name(l->out.dt, dtn));
    hls_subst(code, " *   in:  @IN_DESC@ per beat, @IN_BEATS@ beats\n"
                    " *   out: @OUT_DESC@ per beat, @OUT_BEATS@ beats */\n", vs.v, vs.n);
    hls_subst(code, hls_window_head, vs.v, vs.n);
    hls_subst(code, swg ? hls_swg_body : pool ? hls_pool_body : hls_maxpool_body, vs.v, vs.n);
    if (drain)
        hls_subst(code, hls_window_drain, vs.v, vs.n);
    tb_puts(code, "}\n\n");
    return finish(&vs, p, l, d);
}

/* ---- THRESHOLD, LABELSELECT, DWC ---------------------------------------- */

static bool emit_threshold(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code,
                           Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char buf[96];
    common_vars(p, pr, &vs);
    int64_t c = l->channels > 0 ? l->channels : l->mh;
    int pe = l->in.elems_per_beat;
    emit_thresholds(pr, pe, c / pe, data, &vs);
    act_expr(l->out_scale, l->out_bias, buf, sizeof buf);
    set(&vs, "@ACT_EXPR@", "%s", buf);
    set(&vs, "@C@", "%lld", (long long)c);
    set(&vs, "@PE@", "%d", pe);
    set(&vs, "@CF@", "%lld", (long long)(c / pe));
    set(&vs, "@LEVELS@", "%d", l->n_thresholds);
    set(&vs, "@BEATS@", "%lld", (long long)l->in.beats);
    set(&vs, "@SHARED@", "%s", thresholds_shared(l) ? " (one row shared by every channel)" : "");
    hls_subst(code, hls_threshold_template, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

static bool emit_labelselect(HlsPlan *p, const HlsProc *pr, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char dtn[16];
    common_vars(p, pr, &vs);
    set(&vs, "@K@", "%d", l->k);
    set(&vs, "@N@", "%lld", (long long)(l->in.beats * l->in.elems_per_beat));
    set(&vs, "@DT@", "%s", hls_dt_name(l->in.dt, dtn));
    set(&vs, "@BELOW_MIN@", "(int64_t)%lld", (long long)(qc_dtype_min(l->in.dt) - 1));
    hls_subst(code, hls_labelselect_template, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

static bool emit_dwc(HlsPlan *p, const HlsProc *pr, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char dtn[16];
    common_vars(p, pr, &vs);
    /* the steps of the kernel's loop, run here */
    int64_t fill = 0, reads = 0, writes = 0, steps = 0;
    int in_pb = l->in.elems_per_beat, out_pb = l->out.elems_per_beat;
    while (writes < l->out.beats && steps <= l->in.beats + l->out.beats) {
        if (fill < out_pb) {
            reads++;
            fill += in_pb;
        }
        if (fill >= out_pb) {
            writes++;
            fill -= out_pb;
        }
        steps++;
    }
    if (writes != l->out.beats || reads != l->in.beats)
        return hls_layer_error(d, p, l, "internal error: the DWC schedule reads %lld of %lld "
                               "beats", (long long)reads, (long long)l->in.beats);
    set(&vs, "@STEPS@", "%lld", (long long)steps);
    set(&vs, "@DT@", "%s", hls_dt_name(l->in.dt, dtn));
    set(&vs, "@ELEM_T@", "%s", hls_int_ctype(qc_dtype_min(l->in.dt), qc_dtype_max(l->in.dt)));
    hls_subst(code, hls_dwc_template, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

/* ---- FORK, JOIN, VVAU (kernels_dag.c) ------------------------------------ */

/* Spaces lining a second parameter line up under the first. */
static void fn_pad(const HlsProc *pr, Vars *vs)
{
    set(vs, "@FN_PAD@", "%*s", (int)(strlen("static void ") + strlen(pr->fn)), "");
}

static bool emit_fork(HlsPlan *p, const HlsProc *pr, TextBuf *code, Diag *d)
{
    Vars vs;
    common_vars(p, pr, &vs);
    fn_pad(pr, &vs);
    hls_subst(code, hls_fork_template, vs.v, vs.n);
    return finish(&vs, p, pr->l, d);
}

/* The activation keys of a JOIN or VVAU: thresholds by channel fold, or
 * the sum itself. */
static void channel_activation(const HlsProc *pr, TextBuf *data, Vars *vs)
{
    const Layer *l = pr->l;
    char buf[96], n1[16];
    if (l->n_thresholds > 0) {
        emit_thresholds(pr, l->pe, l->channels / l->pe, data, vs);
        act_expr(l->out_scale, l->out_bias, buf, sizeof buf);
        set(vs, "@ACT_EXPR@", "%s", buf);
        set(vs, "@LEVELS@", ", LEVELS = %d", l->n_thresholds);
        set(vs, "@T_VAR@", "%s", ", t");
        set(vs, "@ACT_DESC@", "out = %s, count = the channel's thresholds t (%d) with sum >= t",
            buf, l->n_thresholds);
    } else {
        set(vs, "@LEVELS@", "%s", "");
        set(vs, "@T_VAR@", "%s", "");
        set(vs, "@THR_PARTITION@", "%s", "");
        set(vs, "@ACT_DESC@", "out = the sum, %s (no activation)", hls_dt_name(l->out.dt, n1));
    }
}

static bool emit_join(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char buf[160];
    common_vars(p, pr, &vs);
    fn_pad(pr, &vs);
    const HlsType *in2 = stream_type(p, pr->in2);
    set(&vs, "@IN2@", "%s", in2->name);
    set(&vs, "@IN2_DESC@", "%s", hls_type_desc(in2, buf, sizeof buf));
    set(&vs, "@MUL_A@", "%lld", (long long)l->mul_a);
    set(&vs, "@MUL_B@", "%lld", (long long)l->mul_b);
    set(&vs, "@SUM_DT@", "%s", hls_dt_name(l->acc_dt, buf));
    set(&vs, "@PE@", "%d", l->pe);
    set(&vs, "@C@", "%lld", (long long)l->channels);
    set(&vs, "@CF@", "%lld", (long long)(l->channels / l->pe));
    channel_activation(pr, data, &vs);
    hls_subst(code, hls_join_head, vs.v, vs.n);
    hls_subst(code, l->n_thresholds ? hls_join_act_thresholds : hls_join_act_none, vs.v, vs.n);
    hls_subst(code, hls_join_tail, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

/* One weight per word, [PE][CF * K]: word [p][cf * K + k] holds
 * W[cf * PE + p][k], each PE reading its own bank (partitioned dim=1). */
static void emit_vvau_weights(const HlsProc *pr, const HlsType *wt, TextBuf *data)
{
    const Layer *l = pr->l;
    int64_t K = (int64_t)l->k_h * l->k_w, cf = l->channels / l->pe;
    char layer[160], dtn[16];
    comment_name(l, layer, sizeof layer);
    tb_printf(data, "/* %s: %lld channels x %lld taps of %s weights, one per word;\n"
              " * word [p][cf * %lld + k] holds W[cf * %d + p][k] */\n", layer,
              (long long)l->channels, (long long)K, hls_dt_name(l->wdt, dtn), (long long)K,
              l->pe);
    tb_printf(data, "static const %s_t %s_weights[%d][%lld] = {\n", wt->name, pr->fn, l->pe,
              (long long)(cf * K));
    for (int q = 0; q < l->pe; q++) {
        tb_printf(data, "    {   /* PE %d */\n       ", q);
        for (int64_t j = 0; j < cf * K; j++) {
            int32_t v = l->weights[(j / K * l->pe + q) * K + j % K];
            tb_puts(data, " ");
            hls_emit_word(data, wt, &v);
            if (j + 1 < cf * K)
                tb_puts(data, j % 12 == 11 ? ",\n       " : ",");
        }
        tb_printf(data, "\n    }%s\n", q + 1 < l->pe ? "," : "");
    }
    tb_puts(data, "};\n\n");
}

static bool emit_vvau(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code, Diag *d)
{
    const Layer *l = pr->l;
    Vars vs;
    char n1[16], n2[16], n3[16];
    common_vars(p, pr, &vs);
    int w = hls_type(p, l->wdt, 1);
    if (w < 0)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    const HlsType *wt = &p->types[w];
    emit_vvau_weights(pr, wt, data);
    set(&vs, "@W@", "%s", wt->name);
    set(&vs, "@VECTORS@", "%lld", (long long)l->vectors);
    set(&vs, "@K@", "%d", l->k_h * l->k_w);
    set(&vs, "@C@", "%lld", (long long)l->channels);
    set(&vs, "@PE@", "%d", l->pe);
    set(&vs, "@CF@", "%lld", (long long)(l->channels / l->pe));
    set(&vs, "@MAC_DESC@", "%s x %s products, %s", hls_dt_name(l->in.dt, n1),
        hls_dt_name(l->wdt, n2), hls_dt_name(l->acc_dt, n3));
    channel_activation(pr, data, &vs);
    hls_subst(code, hls_vvau_head, vs.v, vs.n);
    hls_subst(code, l->n_thresholds ? hls_vvau_act_thresholds : hls_vvau_act_none, vs.v, vs.n);
    hls_subst(code, hls_vvau_tail, vs.v, vs.n);
    return finish(&vs, p, l, d);
}

bool hls_emit_layer(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code, Diag *d)
{
    switch (pr->l->kind) {
    case LAYER_MVAU: return emit_mvau(p, pr, data, code, d);
    case LAYER_SWG:
    case LAYER_MAXPOOL: return emit_window(p, pr, code, d);
    case LAYER_THRESHOLD: return emit_threshold(p, pr, data, code, d);
    case LAYER_LABELSELECT: return emit_labelselect(p, pr, code, d);
    case LAYER_DWC: return emit_dwc(p, pr, code, d);
    case LAYER_POOL: return emit_window(p, pr, code, d);
    case LAYER_FORK: return emit_fork(p, pr, code, d);
    case LAYER_JOIN: return emit_join(p, pr, data, code, d);
    case LAYER_VVAU: return emit_vvau(p, pr, data, code, d);
    case LAYER_FIFO: break;
    }
    return hls_layer_error(d, p, pr->l, "has no kernel");
}
