/* IntMatMul and IntConv layers of a reference executor, with the
 * MultiThreshold (and, for binarized convolutions, the IntMaxPool) the plan
 * fused into them. Channels-last, no im2col. Four kernels, and a fifth for
 * AVX2 builds:
 *
 *   matmul  for each row of X, one dot product per output channel (XNOR:
 *           qc_xnor64_threshold or qc_xnor64_differ; else as conv below)
 *   xnor    BIPOLAR x BIPOLAR convolution on packed pixels: for each output
 *           pixel the window's words are copied into a small patch, then
 *           qc_xnor64_threshold (BIPOLAR outputs: match counts compared with
 *           the thresholds as they are computed) or K - qc_xnor64_differ per
 *           channel. With a max-pool fused, each pooled pixel ORs the bits of
 *           its window's positions (qc_xnor64_threshold_or), evaluating only
 *           the channels still at -1.
 *   cols    int8 inputs, one group, 16 or more output channels: for each
 *           output pixel, each input of the window times its row of weights
 *           across the output channels (qc_axpy_i16), which vectorizes, in
 *           16-bit sums flushed into int32_t every CHUNK taps (int16_chunk
 *           proves CHUNK from the datatypes); when one chunk holds the
 *           window and the output is BIPOLAR, the sums start at -threshold
 *           and keep the signs (qc_xnor64_pack_i16)
 *   pairs   where cols applies and the compiler targets AVX2: the window
 *           made unsigned (+ OFFSET), two taps per vpmaddubsw
 *           (qc_axpy_pairs_u8), two output pixels per load of weights,
 *           corrected by OFFSET times the channel's weight sum; emitted
 *           beside the portable kernel under
 *           #ifdef QC_AXPY_PAIRS_AVX2
 *   conv    everything else: patch, then qc_dot_i8 / qc_dot_i32 per output
 *           channel, against a working copy of the weights unpacked at the
 *           first call (the const rows stay packed)
 *
 * Weights are packed at their bit width, one row per output channel in the
 * patch's (ky, kx, channel) order: uint64_t words (qc_xnor64) for XNOR
 * layers, with every kernel position padded to whole words, qc_pack bytes
 * otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref_internal.h"
#include "op_int_params.h"
#include "qc_pack.h"
#include "qc_xnor.h"
#include "qc_xnor64.h"

/* The cost model between the cols (and pairs) and the conv kernel, from
 * the per-layer times in docs/ref.md ("The kernels and the choice per
 * layer"): cols vectorizes across the output channels, so it needs enough
 * of them to fill a vector, and its 16-bit partial sums are flushed into
 * int32_t every `chunk` taps, which must be rare enough not to dominate. */
#define COLS_MIN_OUT_C 16
#define COLS_MIN_CHUNK 16

typedef enum { KV_MATMUL, KV_XNOR, KV_COLS, KV_CONV } Kernel;

typedef struct Dot {
    bool conv, xnor;
    Kernel kernel;
    int64_t out_c, groups, cg, og;     /* channels; per group: inputs, outputs */
    RefWin win;                        /* IntConv */
    RefWin pool;                       /* fused IntMaxPool */
    int64_t k;                         /* inputs per output */
    int64_t rows;                      /* IntMatMul: rows of X */
    qc_dtype wdt;
    const Value *w;
    int64_t unit;                      /* stored elements (words for bits) of one pixel's group slice */
    int64_t patch;                     /* stored elements of a patch */
    int64_t row_len;                   /* weights: words (xnor) or bytes per output channel */
    bool copy;                         /* non-XNOR: the dot uses an unpacked working copy */
    int64_t chunk;                     /* cols: taps whose products always sum within int16_t */
    int64_t pair_chunk;                /* pairs (AVX2, beside kernel): the same for the offset
                                        * inputs, even; 0: no pairs kernel */
    int64_t offset;                    /* pairs: added to the inputs to make them unsigned */
} Dot;

/* How many taps of x in [xlo, xhi] times w can be summed in int16_t from 0
 * whatever the values: every partial sum of m taps lies in
 * [m * pmin, m * pmax] for the extreme products pmin <= 0 <= pmax, so
 * m <= 32767 / pmax and m <= 32768 / -pmin keep it inside. Capped at k
 * (no flush needed). */
static int64_t int16_chunk(int64_t xlo, int64_t xhi, qc_dtype wdt, int64_t k)
{
    int64_t xs[2] = { xlo, xhi };
    int64_t ws[2] = { qc_dtype_min(wdt), qc_dtype_max(wdt) };
    int64_t pmin = 0, pmax = 0, m = k;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            int64_t prod = xs[i] * ws[j];
            pmin = prod < pmin ? prod : pmin;
            pmax = prod > pmax ? prod : pmax;
        }
    if (pmax > 0 && INT16_MAX / pmax < m)
        m = INT16_MAX / pmax;
    if (pmin < 0 && -(int64_t)INT16_MIN / -pmin < m)
        m = -(int64_t)INT16_MIN / -pmin;
    return m;
}

int32_t ref_weight_at(const Value *w, bool conv, int64_t out_c, int64_t cg, const RefWin *win,
                      int64_t o, int64_t k)
{
    if (!conv)
        return (int32_t)w->i[k * out_c + o];
    int64_t c = k % cg, kx = (k / cg) % win->kw, ky = k / (cg * win->kw);
    return (int32_t)w->i[((o * cg + c) * win->kh + ky) * win->kw + kx];
}

/* The pairs kernel's chunk and input offset (pair_chunk 0 when it does not
 * apply): inputs made unsigned bytes by adding -min, int8_t weights, pairs
 * of taps whose sums fit int16_t, and int32_t room for the offset sums and
 * their correction, offset * (sum of a channel's weights). */
static void pairs_geometry(const RefTensor *x, Dot *g)
{
    int64_t xlo = qc_dtype_min(x->dt), xhi = qc_dtype_max(x->dt);
    int64_t wmax = -qc_dtype_min(g->wdt) > qc_dtype_max(g->wdt) ? -qc_dtype_min(g->wdt)
                                                                 : qc_dtype_max(g->wdt);
    g->pair_chunk = 0;
    g->offset = xlo < 0 ? -xlo : 0;
    if (xhi - xlo > 255 || qc_dtype_min(g->wdt) < INT8_MIN || qc_dtype_max(g->wdt) > INT8_MAX)
        return;
    int64_t k2 = g->k + g->k % 2;
    if ((xhi + g->offset + g->offset) * wmax * k2 > INT32_MAX)
        return;
    int64_t chunk = int16_chunk(0, xhi + g->offset, g->wdt, k2) / 2 * 2;
    if (chunk >= 2)
        g->pair_chunk = chunk;
}

static bool dot_geometry(RefPlan *p, const RefLayer *l, Dot *g, Diag *d)
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
    g->groups = dot.groups;
    g->out_c = dot.out_c;
    g->cg = dot.cg;
    g->og = dot.og;
    g->k = dot.k;
    if (g->conv) {
        if (x->shape.rank != ws->rank)
            return node_error(d, p->g, n, "X and W differ in rank");
        if (!ref_window(p, n, x, &ws->dims[2], &g->win, d))
            return false;
        g->rows = 1;
    } else {
        if (x->channels_last || x->inner != dot.k)
            return node_error(d, p->g, n, "the %s target needs X [rows, K] and W [K, N]",
                              p->target);
        g->rows = x->rows;
    }
    if (g->xnor) {
        if (x->fmt != REF_BITS)
            return node_error(d, p->g, n, "xnor=1 needs a BIPOLAR input");
        if (g->win.padded)
            return node_error(d, p->g, n, "xnor=1 needs a convolution without padding");
        if (g->groups > 1)
            return node_error(d, p->g, n, "grouped XNOR convolutions are not supported by the "
                              "%s target", p->target);
        for (int64_t k = 0; k < g->w->count; k++)
            if (g->w->i[k] != 1 && g->w->i[k] != -1)
                return node_error(d, p->g, n, "xnor=1 needs weights of -1 and +1");
        g->wdt = qc_dtype_bipolar();
        g->unit = g->conv ? (g->cg + 63) / 64 : (g->k + 63) / 64;
        g->row_len = g->conv ? g->win.kh * g->win.kw * g->unit : g->unit;
    } else {
        if (x->fmt == REF_BITS)
            return node_error(d, p->g, n, "a BIPOLAR input needs xnor=1 in the %s target",
                              p->target);
        if (!ref_weight_dtype(p, n, g->w, dot.w->qdt, &g->wdt, d))
            return false;
        unsigned acc = qc_dtype_acc_bits(x->dt, g->wdt, g->k);
        if (acc > 32)
            return node_error(d, p->g, n, "accumulators of %u bits do not fit int32_t", acc);
        /* a working copy of the weights in the inputs' C type, when they fit */
        g->copy = x->fmt == REF_I32 ||
                  (qc_dtype_min(g->wdt) >= INT8_MIN && qc_dtype_max(g->wdt) <= INT8_MAX);
        g->unit = g->cg;
        g->row_len = (int64_t)qc_packed_bytes(g->wdt, (size_t)g->k);
        g->chunk = int16_chunk(qc_dtype_min(x->dt), qc_dtype_max(x->dt), g->wdt, g->k);
        pairs_geometry(x, g);
        int64_t min_chunk = g->k < COLS_MIN_CHUNK ? g->k : COLS_MIN_CHUNK;
        bool across = g->conv && x->fmt == REF_I8 && g->groups == 1 &&
                      g->out_c >= COLS_MIN_OUT_C;
        if (!across || g->pair_chunk < min_chunk)
            g->pair_chunk = 0;
        if (across && qc_dtype_min(g->wdt) >= INT16_MIN && qc_dtype_max(g->wdt) <= INT16_MAX &&
            g->chunk >= min_chunk)
            g->kernel = KV_COLS;
    }
    if (!g->conv)
        g->kernel = KV_MATMUL;
    else if (g->xnor)
        g->kernel = KV_XNOR;
    else if (g->kernel != KV_COLS)
        g->kernel = KV_CONV;
    g->patch = g->win.kh * g->win.kw * g->unit;
    /* a fused pool slides over the convolution's (never stored) output */
    if (l->pool && !ref_window(p, l->pool, &p->tensors[l->pool->inputs[0]->id], NULL, &g->pool, d))
        return false;
    return true;
}

/* The packed rows, out_c * row_len elements (calloc'd, padding 0), or NULL
 * when out of memory. */
static void *pack_weight_rows(const RefWeightRows *r)
{
    size_t total = (size_t)(r->out_c * r->row_len);
    int32_t *row = malloc((size_t)(r->k + 64) * sizeof *row);
    void *packed = r->xnor ? calloc(total + 1, sizeof(uint64_t)) : calloc(total + 1, 1);
    if (!row || !packed) {
        free(row);
        free(packed);
        return NULL;
    }
    for (int64_t o = 0; o < r->out_c; o++) {
        for (int64_t k = 0; k < r->k; k++)
            row[k] = ref_weight_at(r->w, r->conv, r->out_c, r->cg, &r->win, o, k);
        if (r->xnor && r->conv) {
            /* one padded group of words per kernel position */
            uint64_t *dst = (uint64_t *)packed + o * r->row_len;
            for (int64_t pos = 0; pos < r->win.kh * r->win.kw; pos++)
                qc_xnor64_pack(row + pos * r->cg, (size_t)r->cg, dst + pos * r->unit);
        } else if (r->xnor && r->matmul_word_bits == 32) {
            qc_xnor_pack(row, (size_t)r->k, (uint32_t *)packed + o * r->row_len);
        } else if (r->xnor) {
            qc_xnor64_pack(row, (size_t)r->k, (uint64_t *)packed + o * r->row_len);
        } else {
            qc_pack(r->wdt, row, (size_t)r->k, (uint8_t *)packed + o * r->row_len);
        }
    }
    free(row);
    return packed;
}

/* emit_util.h has no uint32_t arrays: the same layout, 6 hex words a line. */
static void emit_array2_u32(TextBuf *b, const char *decl, const uint32_t *v, size_t rows,
                            size_t cols)
{
    tb_printf(b, "%s = {\n", decl);
    for (size_t r = 0; r < rows; r++) {
        tb_puts(b, "    {");
        for (size_t c = 0; c < cols; c++)
            tb_printf(b, "%s0x%08xu%s", c % 6 ? " " : c ? "\n     " : "", (unsigned)v[r * cols + c],
                      c + 1 < cols ? "," : "");
        tb_printf(b, "}%s\n", r + 1 < rows ? "," : "");
    }
    tb_puts(b, "};\n");
}

bool ref_emit_weight_rows(RefPlan *p, const RefLayer *l, const RefWeightRows *r,
                          const char *name, bool in_place, TextBuf *data, Diag *d)
{
    char decl[160], dtn[16];
    bool words32 = r->xnor && !r->conv && r->matmul_word_bits == 32;
    void *packed = pack_weight_rows(r);
    if (!packed)
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    tb_printf(data, "/* %s: %s weights '%s', %lld output channels x %lld inputs", l->node->name,
              ref_dt_name(r->wdt, dtn), l->node->inputs[1]->name, (long long)r->out_c,
              (long long)r->k);
    if (r->conv)
        tb_printf(data, " (%lld x %lld x %lld channels)", (long long)r->win.kh,
                  (long long)r->win.kw, (long long)r->cg);
    if (r->xnor)
        tb_printf(data, ",\n * one bit each (1 = +1), %s */\n",
                  r->conv ? "each kernel position padded to whole 64-bit words"
                  : words32 ? "32 per word (qc_xnor_pack)"
                            : "64 per word");
    else
        tb_printf(data, ",\n * packed %u bit%s each, LSB-first (qc_pack)%s */\n", r->wdt.bits,
                  r->wdt.bits == 1 ? "" : "s", in_place ? ", read in place" : "");
    snprintf(decl, sizeof decl, "static const %s %s[%lld][%lld]",
             !r->xnor ? "uint8_t" : words32 ? "uint32_t" : "uint64_t", name,
             (long long)r->out_c, (long long)r->row_len);
    if (words32)
        emit_array2_u32(data, decl, packed, (size_t)r->out_c, (size_t)r->row_len);
    else if (r->xnor)
        emit_array2_u64(data, decl, packed, (size_t)r->out_c, (size_t)r->row_len, 4);
    else
        emit_array2_u8(data, decl, packed, (size_t)r->out_c, (size_t)r->row_len, 16);
    tb_puts(data, "\n");
    free(packed);
    return true;
}

/* ---- code pieces --------------------------------------------------------- */

typedef struct Emit {
    TextBuf *code;
    const Dot *g;
    const RefTensor *x, *out;
    const RefThresholds *th;   /* NULL without a fused MultiThreshold */
    const char *weights;       /* the const array */
    const char *unit;          /* "WORDS" or "C": the unit of a pixel */
} Emit;

/* The statement(s) computing acc[o] from the patch or row `x`. */
static void emit_dot_statement(const Emit *e, const char *xs, const char *ind)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    if (g->xnor)
        tb_printf(b, "%sacc[o] = K - qc_xnor64_differ(%s, %s[o], %s);\n", ind, xs, e->weights,
                  g->conv ? "PATCH" : "K_WORDS");
    else if (!g->copy)
        tb_printf(b, "%sacc[o] = qc_dot_i8_packed(%s, wdt, %s[o], K);\n", ind, xs, e->weights);
    else if (e->x->fmt == REF_I32)
        tb_printf(b, "%sacc[o] = (int32_t)qc_dot_i32(%s, weights[o], K);\n", ind, xs);
    else
        tb_printf(b, "%sacc[o] = qc_dot_i8(%s, weights[o], K);\n", ind, xs);
}

/* The working copy of the weights a non-XNOR dot product multiplies by:
 * int8_t (int8 inputs) or int32_t (wider inputs), unpacked from the packed
 * const rows at the first call. */
static void emit_weight_copy(const Emit *e)
{
    TextBuf *b = e->code;
    char ctor[32];
    const char *ctype = e->x->fmt == REF_I32 ? "int32_t" : "int8_t";
    if (e->g->copy)
        tb_printf(b, "    /* the weights as %s, unpacked from the packed rows at the first call */\n"
                  "    static %s weights[OUT_C][K];\n    static int unpacked;\n", ctype, ctype);
    tb_printf(b, "    const qc_dtype wdt = %s;\n", ref_dtype_ctor(e->g->wdt, ctor));
}

static void emit_weight_unpack(const Emit *e)
{
    TextBuf *b = e->code;
    const char *ctype = e->x->fmt == REF_I32 ? "int32_t" : "int8_t";
    if (!e->g->copy)
        return;
    if (e->x->fmt == REF_I32) {
        tb_printf(b, "    if (!unpacked) {\n        for (o = 0; o < OUT_C; ++o)\n"
                  "            qc_unpack(wdt, %s[o], K, weights[o]);\n"
                  "        unpacked = 1;\n    }\n", e->weights);
        return;
    }
    tb_puts(b, "    if (!unpacked) {\n        int32_t row[K];\n        int k;\n\n");
    tb_puts(b, "        for (o = 0; o < OUT_C; ++o) {\n");
    tb_printf(b, "            qc_unpack(wdt, %s[o], K, row);\n", e->weights);
    tb_printf(b, "            for (k = 0; k < K; ++k)\n                weights[o][k] = (%s)row[k];\n",
              ctype);
    tb_puts(b, "        }\n        unpacked = 1;\n    }\n");
}

/* The loop computing acc[0..OUT_C) (or the first..last channel of a group). */
static void emit_dot_loop(const Emit *e, const char *xs, const char *ind)
{
    char ind2[32];
    bool braces = false;
    snprintf(ind2, sizeof ind2, "%s    ", ind);
    if (e->g->groups > 1)
        tb_printf(e->code, "%sfor (o = grp * GROUP_OUT; o < (grp + 1) * GROUP_OUT; ++o)%s\n", ind,
                  braces ? " {" : "");
    else
        tb_printf(e->code, "%sfor (o = 0; o < OUT_C; ++o)%s\n", ind, braces ? " {" : "");
    emit_dot_statement(e, xs, ind2);
    if (braces)
        tb_printf(e->code, "%s}\n", ind);
}

/* Whether the fused thresholds are counted across the channels
 * (by-level thresholds, cnt[OUT_C]): every multi-level output. */
static bool counts_by_level(const RefThresholds *th)
{
    return th && !th->to_bits && th->levels > 0;
}

/* The locals emit_store needs besides acc[] and o. */
static void emit_store_decls(const Emit *e)
{
    if (counts_by_level(e->th))
        tb_puts(e->code, "    int32_t cnt[OUT_C];\n    int l;\n");
}

/* Stores acc[OUT_C] as output position `pos` (an expression). */
static void emit_store(const Emit *e, const char *pos, const char *ind)
{
    TextBuf *b = e->code;
    const RefThresholds *th = e->th;
    if (counts_by_level(th)) {
        char y[96];
        if (!strcmp(pos, "0"))
            snprintf(y, sizeof y, "out[o]");
        else
            snprintf(y, sizeof y, "out[(%s) * OUT_C + o]", pos);
        ref_count_store(b, th, "acc[o]", y, "o", "OUT_C", ref_ctype(e->out->fmt), ind);
        return;
    }
    if (th && th->to_bits) {
        if (!strcmp(pos, "0"))
            tb_printf(b, "%sqc_threshold_bits64(acc, %s, OUT_C, out);\n", ind, e->th->name);
        else
            tb_printf(b, "%sqc_threshold_bits64(acc, %s, OUT_C, &out[(%s) * OUT_WORDS]);\n", ind,
                      e->th->name, pos);
        return;
    }
    if (!strcmp(pos, "0"))
        tb_printf(b, "%sfor (o = 0; o < OUT_C; ++o)\n%s    out[o] = ", ind, ind);
    else
        tb_printf(b, "%sfor (o = 0; o < OUT_C; ++o)\n%s    out[(%s) * OUT_C + o] = ", ind, ind, pos);
    if (e->th)
        ref_threshold_expr(b, e->th, "acc[o]", "o", ref_ctype(e->out->fmt));
    else
        tb_printf(b, "(%s)acc[o]", ref_ctype(e->out->fmt));
    tb_puts(b, ";\n");
}

/* Copies the window of output pixel (oy, ox) into patch[], in the weights'
 * (ky, kx, channel) order. */
static void emit_gather(const Emit *e, const char *ind)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    const RefWin *w = &g->win;
    const char *unit = e->unit;
    const char *sy = w->sh != 1 ? " * STRIDE_H" : "", *sx = w->sw != 1 ? " * STRIDE_W" : "";
    const char *dy = w->dh != 1 ? " * DILATION_H" : "", *dx = w->dw != 1 ? " * DILATION_W" : "";
    if (!w->padded && w->dw == 1 && g->groups == 1) {
        tb_printf(b, "%s/* the window, row by row, in the weights' (ky, kx, channel) order */\n", ind);
        tb_printf(b, "%sfor (ky = 0; ky < K_H; ++ky)\n", ind);
        tb_printf(b, "%s    memcpy(&patch[ky * K_W * IN_%s], &in[((oy%s + ky%s) * IN_W + ox%s) * "
                  "IN_%s],\n", ind, unit, sy, dy, sx, unit);
        tb_printf(b, "%s           sizeof patch[0] * K_W * IN_%s);\n", ind, unit);
        return;
    }
    const char *slice = g->groups > 1 ? "GROUP_" : "IN_";
    tb_printf(b, "%s/* the window in the weights' (ky, kx, channel) order%s */\n", ind,
              w->padded ? "; padding is 0" : "");
    tb_printf(b, "%sfor (ky = 0; ky < K_H; ++ky) {\n", ind);
    tb_printf(b, "%s    int iy = oy%s + ky%s%s;\n", ind, sy, dy, w->pt ? " - PAD_TOP" : "");
    tb_printf(b, "%s    for (kx = 0; kx < K_W; ++kx) {\n", ind);
    tb_printf(b, "%s        int ix = ox%s + kx%s%s;\n", ind, sx, dx, w->pl ? " - PAD_LEFT" : "");
    tb_printf(b, "%s        %s *dst = &patch[(ky * K_W + kx) * %s%s];\n\n", ind,
              ref_ctype(e->x->fmt), slice, unit);
    const char *src_off = g->groups > 1 ? " + grp * GROUP_C" : "";
    if (w->padded) {
        tb_printf(b, "%s        if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W)\n", ind);
        tb_printf(b, "%s            memset(dst, 0, sizeof patch[0] * %s%s);\n", ind, slice, unit);
        tb_printf(b, "%s        else\n    ", ind);
    }
    tb_printf(b, "%s        memcpy(dst, &in[(iy * IN_W + ix) * IN_%s%s], sizeof patch[0] * %s%s);\n",
              ind, unit, src_off, slice, unit);
    tb_printf(b, "%s    }\n%s}\n", ind, ind);
}

/* The enum of a convolution's constants. */
static void emit_conv_constants(const Emit *e)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    const RefWin *w = &g->win;
    bool pooled = g->pool.kh > 0;
    tb_puts(b, "    enum {\n");
    tb_printf(b, "        IN_H = %lld, IN_W = %lld, IN_%s = %lld,%s\n", (long long)w->in_h,
              (long long)w->in_w, e->unit, (long long)(g->xnor ? e->x->row_words : e->x->c),
              g->xnor ? "   /* words of 64 channels per pixel */" : "");
    tb_printf(b, "        %s_H = %lld, %s_W = %lld,\n", pooled ? "CONV" : "OUT",
              (long long)w->out_h, pooled ? "CONV" : "OUT", (long long)w->out_w);
    tb_printf(b, "        K_H = %lld, K_W = %lld,\n", (long long)w->kh, (long long)w->kw);
    if (w->sh != 1 || w->sw != 1)
        tb_printf(b, "        STRIDE_H = %lld, STRIDE_W = %lld,\n", (long long)w->sh,
                  (long long)w->sw);
    if (w->dh != 1 || w->dw != 1)
        tb_printf(b, "        DILATION_H = %lld, DILATION_W = %lld,\n", (long long)w->dh,
                  (long long)w->dw);
    if (w->pt || w->pl)
        tb_printf(b, "        PAD_TOP = %lld, PAD_LEFT = %lld,\n", (long long)w->pt,
                  (long long)w->pl);
    if (g->groups > 1)
        tb_printf(b, "        GROUPS = %lld, GROUP_%s = %lld, GROUP_OUT = %lld,\n",
                  (long long)g->groups, e->unit, (long long)g->unit, (long long)g->og);
    tb_printf(b, "        PATCH = %lld,   /* the window: K_H x K_W x %lld %s */\n",
              (long long)g->patch, (long long)g->unit, g->xnor ? "words" : "channels");
    if (pooled) {
        const RefWin *q = &g->pool;
        tb_printf(b, "        POOL_H = %lld, POOL_W = %lld, POOL_K_H = %lld, POOL_K_W = %lld,\n",
                  (long long)q->out_h, (long long)q->out_w, (long long)q->kh, (long long)q->kw);
        if (q->sh != 1 || q->sw != 1)
            tb_printf(b, "        POOL_STRIDE_H = %lld, POOL_STRIDE_W = %lld,\n", (long long)q->sh,
                      (long long)q->sw);
        if (q->dh != 1 || q->dw != 1)
            tb_printf(b, "        POOL_DILATION_H = %lld, POOL_DILATION_W = %lld,\n",
                      (long long)q->dh, (long long)q->dw);
        if (q->pt || q->pl)
            tb_printf(b, "        POOL_PAD_TOP = %lld, POOL_PAD_LEFT = %lld,\n", (long long)q->pt,
                      (long long)q->pl);
    }
    tb_printf(b, "        K = %lld,%s\n", (long long)g->k,
              g->xnor ? "        /* inputs per output */" : "");
    bool bits = e->th && e->th->to_bits;
    tb_printf(b, "        OUT_C = %lld%s\n", (long long)g->out_c, bits ? "," : "");
    if (bits)
        tb_printf(b, "        OUT_WORDS = %lld\n", (long long)e->out->row_words);
    tb_puts(b, "    };\n");
}

/* ---- kernels ------------------------------------------------------------- */

static void emit_matmul(const Emit *e)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    bool bits = e->th && e->th->to_bits;
    bool fused = g->xnor && bits;
    tb_puts(b, "    enum {\n");
    if (g->rows > 1)
        tb_printf(b, "        ROWS = %lld,\n", (long long)g->rows);
    tb_printf(b, "        K = %lld,\n", (long long)g->k);
    if (g->xnor)
        tb_printf(b, "        K_WORDS = %lld,\n", (long long)e->x->row_words);
    tb_printf(b, "        OUT_C = %lld%s\n", (long long)g->out_c, bits ? "," : "");
    if (bits)
        tb_printf(b, "        OUT_WORDS = %lld\n", (long long)e->out->row_words);
    tb_puts(b, "    };\n");
    if (!g->xnor)
        emit_weight_copy(e);
    if (!fused)
        tb_puts(b, "    int32_t acc[OUT_C];\n");
    emit_store_decls(e);
    const char *ind = "    ";
    char xs[48], pos[8], out_row[48];
    if (g->rows > 1) {
        tb_printf(b, "    int r%s;\n\n", fused ? "" : ", o");
        if (!g->xnor)
            emit_weight_unpack(e);
        tb_puts(b, "    for (r = 0; r < ROWS; ++r) {\n");
        ind = "        ";
        snprintf(xs, sizeof xs, g->xnor ? "&in[r * K_WORDS]" : "&in[r * K]");
        snprintf(pos, sizeof pos, "r");
        snprintf(out_row, sizeof out_row, "&out[r * OUT_WORDS]");
    } else {
        tb_puts(b, fused ? "\n" : "    int o;\n\n");
        if (!g->xnor)
            emit_weight_unpack(e);
        snprintf(xs, sizeof xs, "in");
        snprintf(pos, sizeof pos, "0");
        snprintf(out_row, sizeof out_row, "out");
    }
    if (fused) {
        tb_printf(b, "%sqc_xnor64_threshold(%s, &%s[0][0], K_WORDS, K,\n%s                    %s, OUT_C, %s);\n",
                  ind, xs, e->weights, ind, e->th->name, out_row);
    } else {
        emit_dot_loop(e, xs, ind);
        emit_store(e, pos, ind);
    }
    if (g->rows > 1)
        tb_puts(b, "    }\n");
}

static void emit_xnor_conv(const Emit *e)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    bool fused = e->th && e->th->to_bits;
    bool pooled = g->pool.kh > 0;
    emit_conv_constants(e);
    tb_puts(b, "    uint64_t patch[PATCH];\n");
    if (!fused)
        tb_puts(b, "    int32_t acc[OUT_C];\n");
    emit_store_decls(e);
    const char *kx = !g->win.padded && g->win.dw == 1 && g->groups == 1 ? "" : "kx, ";

    if (!pooled) {
        tb_printf(b, "    int oy, ox, ky%s%s;\n\n", *kx ? ", kx" : "", fused ? "" : ", o");
        tb_puts(b, "    for (oy = 0; oy < OUT_H; ++oy) {\n        for (ox = 0; ox < OUT_W; ++ox) {\n");
        emit_gather(e, "            ");
        if (fused) {
            tb_printf(b, "            qc_xnor64_threshold(patch, &%s[0][0], PATCH, K,\n"
                      "                                %s, OUT_C,\n"
                      "                                &out[(oy * OUT_W + ox) * OUT_WORDS]);\n",
                      e->weights, e->th->name);
        } else {
            emit_dot_loop(e, "patch", "            ");
            emit_store(e, "oy * OUT_W + ox", "            ");
        }
        tb_puts(b, "        }\n    }\n");
        return;
    }
    /* fused max-pool: pooled pixel (py, px) ORs the bits of its window */
    const RefWin *q = &g->pool;
    const char *sy = q->sh != 1 ? " * POOL_STRIDE_H" : "", *sx = q->sw != 1 ? " * POOL_STRIDE_W" : "";
    const char *dy = q->dh != 1 ? " * POOL_DILATION_H" : "", *dx = q->dw != 1 ? " * POOL_DILATION_W" : "";
    tb_printf(b, "    int py, px, qy, qx, ky%s;\n\n", *kx ? ", kx" : "");
    tb_puts(b, "    for (py = 0; py < POOL_H; ++py) {\n        for (px = 0; px < POOL_W; ++px) {\n");
    tb_puts(b, "            uint64_t *dst = &out[(py * POOL_W + px) * OUT_WORDS];\n");
    tb_puts(b, "            int first = 1;   /* the first position sets dst, the others OR into it */\n\n");
    tb_puts(b, "            for (qy = 0; qy < POOL_K_H; ++qy) {\n");
    tb_puts(b, "                for (qx = 0; qx < POOL_K_W; ++qx) {\n");
    tb_printf(b, "                    int oy = py%s + qy%s%s, ox = px%s + qx%s%s;\n\n", sy, dy,
              q->pt ? " - POOL_PAD_TOP" : "", sx, dx, q->pl ? " - POOL_PAD_LEFT" : "");
    if (q->padded)
        tb_puts(b, "                    if (oy < 0 || oy >= CONV_H || ox < 0 || ox >= CONV_W)\n"
                   "                        continue;   /* padding never wins */\n");
    emit_gather(e, "                    ");
    tb_printf(b, "                    if (first)\n"
              "                        qc_xnor64_threshold(patch, &%s[0][0], PATCH, K,\n"
              "                                            %s, OUT_C, dst);\n"
              "                    else\n"
              "                        qc_xnor64_threshold_or(patch, &%s[0][0], PATCH, K,\n"
              "                                               %s, OUT_C, dst);\n"
              "                    first = 0;\n", e->weights, e->th->name, e->weights, e->th->name);
    tb_puts(b, "                }\n            }\n        }\n    }\n");
}

/* Whether BIPOLAR outputs can start their 16-bit sums at -threshold: every
 * partial sum lies in [-2^(b-1), 2^(b-1)) for b = acc_bits and the
 * thresholds within one of that range, so b <= 15 keeps sum - threshold
 * inside int16_t. */
static bool cols_offset_fits(const RefThresholds *th, const RefTensor *x, const Dot *g)
{
    return th && th->to_bits && g->kernel == KV_COLS && g->chunk >= g->k && qc_dtype_acc_bits(x->dt, g->wdt, g->k) <= 15;
}

static void emit_cols_conv(const Emit *e, bool offset)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    char ctor[32];
    bool chunked = g->chunk < g->k;
    const char *axpy = g->out_c <= 16 ? "qc_axpy_i16_short" : "qc_axpy_i16";
    emit_conv_constants(e);
    if (chunked)
        tb_printf(b, "    enum { CHUNK = %lld };   /* taps whose products always sum within int16_t */\n",
                  (long long)g->chunk);
    tb_puts(b, "    /* the weights by input, weights[k][o]: unpacked from the packed rows at the\n"
               "     * first call */\n");
    tb_puts(b, "    static int16_t weights[K][OUT_C];\n    static int unpacked;\n");
    tb_printf(b, "    const qc_dtype wdt = %s;\n", ref_dtype_ctor(g->wdt, ctor));
    tb_puts(b, "    int8_t patch[PATCH];\n    int16_t sum[OUT_C];\n");
    if (!offset)
        tb_puts(b, "    int32_t acc[OUT_C];\n");
    emit_store_decls(e);
    bool contiguous = !g->win.padded && g->win.dw == 1;
    tb_printf(b, "    int oy, ox, ky, %sk, %so;\n\n", contiguous ? "" : "kx, ", chunked ? "k0, " : "");
    tb_puts(b, "    if (!unpacked) {\n        int32_t row[K];\n\n");
    tb_puts(b, "        for (o = 0; o < OUT_C; ++o) {\n");
    tb_printf(b, "            qc_unpack(wdt, %s[o], K, row);\n", e->weights);
    tb_puts(b, "            for (k = 0; k < K; ++k)\n                weights[k][o] = (int16_t)row[k];\n");
    tb_puts(b, "        }\n        unpacked = 1;\n    }\n");
    tb_puts(b, "    for (oy = 0; oy < OUT_H; ++oy) {\n        for (ox = 0; ox < OUT_W; ++ox) {\n");
    emit_gather(e, "            ");
    if (offset)
        tb_printf(b, "            /* the sums start at -threshold: +1 where they end >= 0 */\n"
                  "            for (o = 0; o < OUT_C; ++o)\n"
                  "                sum[o] = (int16_t)-%s[o];\n", e->th->name);
    else if (!chunked)
        tb_puts(b, "            memset(sum, 0, sizeof sum);\n");
    if (chunked) {
        /* 16-bit partial sums over CHUNK taps at a time, added into acc */
        tb_printf(b, "            memset(acc, 0, sizeof acc);\n"
                   "            for (k0 = 0; k0 < K; k0 += CHUNK) {\n"
                   "                int k_end = k0 + CHUNK < K ? k0 + CHUNK : K;\n\n"
                   "                memset(sum, 0, sizeof sum);\n"
                   "                for (k = k0; k < k_end; ++k)\n"
                   "                    %s(sum, patch[k], weights[k], OUT_C);\n"
                   "                for (o = 0; o < OUT_C; ++o)\n"
                   "                    acc[o] += sum[o];\n"
                   "            }\n", axpy);
        emit_store(e, "oy * OUT_W + ox", "            ");
    } else {
        tb_printf(b, "            for (k = 0; k < K; ++k)\n"
                   "                %s(sum, patch[k], weights[k], OUT_C);\n", axpy);
    }
    if (offset) {
        tb_puts(b, "            qc_xnor64_pack_i16(sum, OUT_C, &out[(oy * OUT_W + ox) * OUT_WORDS]);\n");
    } else if (!chunked) {
        tb_puts(b, "            for (o = 0; o < OUT_C; ++o)\n                acc[o] = sum[o];\n");
        emit_store(e, "oy * OUT_W + ox", "            ");
    }
    tb_puts(b, "        }\n    }\n");
}

/* Like cols, two taps at a time (qc_axpy_pairs_u8): the window made
 * unsigned by adding OFFSET (padding too: it is an input of 0), the sums
 * corrected by OFFSET times each channel's weight sum. */
static void emit_pairs_conv(const Emit *e)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    char ctor[32];
    emit_conv_constants(e);
    tb_printf(b, "    enum {\n        PAIRS = %lld,   /* taps in pairs; an odd last tap pairs with a weight 0 */\n"
              "        CHUNK = %lld%s   /* taps whose products always sum within int16_t */\n",
              (long long)((g->k + 1) / 2), (long long)g->pair_chunk, g->offset ? "," : "");
    if (g->offset)
        tb_printf(b, "        OFFSET = %lld   /* makes the inputs unsigned bytes */\n",
                  (long long)g->offset);
    tb_puts(b, "    };\n");
    tb_printf(b, "    /* the weights by pair of taps, weights[k / 2][o][k %% 2]%s: unpacked from\n"
              "     * the packed rows at the first call */\n",
              g->offset ? ", and each channel's sum" : "");
    tb_puts(b, "    static int8_t weights[PAIRS][OUT_C][2];\n");
    if (g->offset)
        tb_puts(b, "    static int32_t weight_sums[OUT_C];\n");
    tb_puts(b, "    static int unpacked;\n");
    tb_printf(b, "    const qc_dtype wdt = %s;\n", ref_dtype_ctor(g->wdt, ctor));
    tb_puts(b, "    int8_t patch[PATCH];\n"
               "    /* two output pixels side by side share each load of weights */\n"
               "    uint8_t taps[2][2 * PAIRS];\n"
               "    int16_t sum[2][OUT_C];\n    int32_t acc2[2][OUT_C], acc[OUT_C];\n");
    emit_store_decls(e);
    bool contiguous = !g->win.padded && g->win.dw == 1;
    tb_printf(b, "    int oy, ox0, ky, %sk, k0, o, p;\n\n", contiguous ? "" : "kx, ");
    tb_puts(b, "    if (!unpacked) {\n        int32_t row[K];\n\n");
    tb_puts(b, "        for (o = 0; o < OUT_C; ++o) {\n");
    tb_printf(b, "            qc_unpack(wdt, %s[o], K, row);\n", e->weights);
    tb_puts(b, "            for (k = 0; k < K; ++k)\n");
    if (g->offset)
        tb_puts(b, "            {\n"
                   "                weights[k / 2][o][k % 2] = (int8_t)row[k];\n"
                   "                weight_sums[o] += row[k];\n            }\n");
    else
        tb_puts(b, "                weights[k / 2][o][k % 2] = (int8_t)row[k];\n");
    tb_puts(b, "        }\n        unpacked = 1;\n    }\n");
    tb_puts(b, "    taps[0][2 * PAIRS - 1] = taps[1][2 * PAIRS - 1] = 0;   /* K odd: the tap past "
               "the window */\n");
    tb_puts(b, "    for (oy = 0; oy < OUT_H; ++oy) {\n"
               "        for (ox0 = 0; ox0 < OUT_W; ox0 += 2) {\n"
               "            for (p = 0; p < 2; ++p) {\n"
               "                /* an odd row's last pixel is computed twice, stored once */\n"
               "                int ox = ox0 + p < OUT_W ? ox0 + p : ox0;\n\n");
    emit_gather(e, "                ");
    tb_printf(b, "                for (k = 0; k < K; ++k)\n"
              "                    taps[p][k] = (uint8_t)%s;\n",
              g->offset ? "(patch[k] + OFFSET)" : "patch[k]");
    if (g->offset)
        tb_puts(b, "                for (o = 0; o < OUT_C; ++o)\n"
                   "                    acc2[p][o] = -OFFSET * weight_sums[o];\n");
    else
        tb_puts(b, "                memset(acc2[p], 0, sizeof acc2[p]);\n");
    tb_puts(b, "            }\n");
    tb_puts(b, "            for (k0 = 0; k0 < PAIRS; k0 += CHUNK / 2) {\n"
               "                int k_end = k0 + CHUNK / 2 < PAIRS ? k0 + CHUNK / 2 : PAIRS;\n\n"
               "                memset(sum, 0, sizeof sum);\n"
               "                for (k = k0; k < k_end; ++k) {   /* pair k: taps 2k and 2k + 1 */\n"
               "                    qc_axpy_pairs_u8(sum[0], taps[0][2 * k], taps[0][2 * k + 1], "
               "weights[k][0], OUT_C);\n"
               "                    qc_axpy_pairs_u8(sum[1], taps[1][2 * k], taps[1][2 * k + 1], "
               "weights[k][0], OUT_C);\n"
               "                }\n"
               "                for (o = 0; o < OUT_C; ++o) {\n"
               "                    acc2[0][o] += sum[0][o];\n"
               "                    acc2[1][o] += sum[1][o];\n"
               "                }\n"
               "            }\n");
    tb_puts(b, "            for (p = 0; p < 2 && ox0 + p < OUT_W; ++p) {\n"
               "                memcpy(acc, acc2[p], sizeof acc);\n");
    emit_store(e, "oy * OUT_W + ox0 + p", "                ");
    tb_puts(b, "            }\n        }\n    }\n");
}

static void emit_generic_conv(const Emit *e)
{
    TextBuf *b = e->code;
    const Dot *g = e->g;
    emit_conv_constants(e);
    emit_weight_copy(e);
    tb_printf(b, "    %s patch[PATCH];\n", ref_ctype(e->x->fmt));
    tb_puts(b, "    int32_t acc[OUT_C];\n");
    emit_store_decls(e);
    bool contiguous = !g->win.padded && g->win.dw == 1 && g->groups == 1;
    tb_printf(b, "    int oy, ox, ky, %so%s;\n\n", contiguous ? "" : "kx, ", g->groups > 1 ? ", grp" : "");
    emit_weight_unpack(e);
    tb_puts(b, "    for (oy = 0; oy < OUT_H; ++oy) {\n        for (ox = 0; ox < OUT_W; ++ox) {\n");
    const char *ind = "            ";
    if (g->groups > 1) {
        tb_puts(b, "            for (grp = 0; grp < GROUPS; ++grp) {\n");
        ind = "                ";
    }
    emit_gather(e, ind);
    emit_dot_loop(e, "patch", ind);
    if (g->groups > 1)
        tb_puts(b, "            }\n");
    emit_store(e, "oy * OUT_W + ox", "            ");
    tb_puts(b, "        }\n    }\n");
}

/* ---- the layer ----------------------------------------------------------- */

/* The kernel the cost model picked for the layer, and why (the comment
 * line "kernel: ..."). */
static void emit_kernel_choice(const Dot *g, const RefTensor *x, TextBuf *b)
{
    if (g->pair_chunk && g->pair_chunk < g->k)
        tb_printf(b, "\n *   kernel, compiled for AVX2: pairs, two inputs%s times their weights "
                  "across the\n *     %lld channels in 16-bit sums (qc_axpy_pairs_u8, vpmaddubsw), "
                  "flushed to int32_t every %lld taps;\n *   else",
                  g->offset ? " (made unsigned)" : "", (long long)g->out_c,
                  (long long)g->pair_chunk);
    else if (g->pair_chunk)
        tb_printf(b, "\n *   kernel, compiled for AVX2: pairs, two inputs%s times their weights "
                  "across the\n *     %lld channels in 16-bit sums (qc_axpy_pairs_u8, vpmaddubsw);"
                  "\n *   else", g->offset ? " (made unsigned)" : "", (long long)g->out_c);
    switch (g->kernel) {
    case KV_MATMUL:
        tb_printf(b, "\n *   kernel: matmul (%s)", g->xnor ? "XNOR-popcount per output"
                  : "one dot product per output");
        return;
    case KV_XNOR:
        tb_puts(b, "\n *   kernel: xnor (XNOR-popcount on packed pixels)");
        return;
    case KV_COLS:
        tb_printf(b, "\n *   kernel: cols, one input times its weights across the %lld channels "
                  "in 16-bit sums", (long long)g->out_c);
        if (g->chunk < g->k)
            tb_printf(b, ",\n *     flushed to int32_t every %lld taps (products in int16_t "
                      "for %lld taps at most)", (long long)g->chunk, (long long)g->chunk);
        else
            tb_printf(b, " (at most %u bits here)", qc_dtype_acc_bits(x->dt, g->wdt, g->k));
        return;
    case KV_CONV:
        break;
    }
    tb_puts(b, "\n *   kernel: conv, one dot product per output channel");
    if (x->fmt != REF_I8)
        tb_puts(b, " (cols needs int8_t inputs)");
    else if (g->groups > 1)
        tb_puts(b, " (cols needs one group)");
    else if (qc_dtype_min(g->wdt) < INT16_MIN || qc_dtype_max(g->wdt) > INT16_MAX)
        tb_puts(b, " (cols needs weights within int16_t)");
    else if (g->out_c < COLS_MIN_OUT_C)
        tb_printf(b, " (cols needs %d output channels)", COLS_MIN_OUT_C);
    else
        tb_printf(b, " (cols would flush its 16-bit sums every %lld taps)", (long long)g->chunk);
}

static void emit_comment(const RefLayer *l, const Dot *g, const RefTensor *x, const RefTensor *out,
                         TextBuf *b)
{
    char s1[16], s2[16], dtn[16];
    tb_printf(b, "/* %s: %s, ", l->node->name, l->node->op_type);
    if (g->conv) {
        const RefWin *w = &g->win;
        tb_printf(b, "%lld -> %lld channels, kernel %lldx%lld", (long long)(g->cg * g->groups),
                  (long long)g->out_c, (long long)w->kh, (long long)w->kw);
        if (w->sh != 1 || w->sw != 1)
            tb_printf(b, ", stride %lldx%lld", (long long)w->sh, (long long)w->sw);
        if (w->dh != 1 || w->dw != 1)
            tb_printf(b, ", dilation %lldx%lld", (long long)w->dh, (long long)w->dw);
        if (w->padded)
            tb_puts(b, ", zero padding");
        if (g->groups > 1)
            tb_printf(b, ", %lld groups", (long long)g->groups);
        tb_printf(b, ", %lldx%lld -> %lldx%lld pixels", (long long)w->in_h, (long long)w->in_w,
                  (long long)w->out_h, (long long)w->out_w);
    } else {
        tb_printf(b, "%lld -> %lld", (long long)g->k, (long long)g->out_c);
    }
    tb_printf(b, ", %s x %s%s", ref_dt_name(x->dt, s1), ref_dt_name(g->wdt, s2),
              g->xnor ? " (XNOR-popcount: acc = matches)" : "");
    if (l->thr)
        tb_printf(b, "\n *   + %s: MultiThreshold -> %s", l->thr->name, ref_dt_name(out->dt, dtn));
    if (l->pool)
        tb_printf(b, "\n *   + %s: IntMaxPool %lldx%lld -> %lldx%lld pixels; the max of bipolar "
                  "values is an OR, so\n *     each window position only evaluates the channels "
                  "still at -1", l->pool->name, (long long)g->pool.kh, (long long)g->pool.kw,
                  (long long)g->pool.out_h, (long long)g->pool.out_w);
    emit_kernel_choice(g, x, b);
    tb_puts(b, " */\n");
}

bool ref_emit_dot(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers, Diag *d)
{
    Dot g;
    RefThresholds th;
    bool has_th = l->thr != NULL;
    const RefTensor *x = l->in[0], *out = l->out;
    char wname[64], base[96];
    if (!dot_geometry(p, l, &g, d))
        return false;
    int64_t lo = 0, hi = 0;
    if (!ref_acc_range(p, l->node, l->node->outputs[0], &lo, &hi, d))
        return false;
    if (g.xnor) {
        /* matches: 0 .. K, tighter than the datatype */
        lo = lo > 0 ? lo : 0;
        hi = hi < g.k ? hi : g.k;
    } else {
        /* and every sum lies within the accumulator width the datatypes give */
        unsigned bits = qc_dtype_acc_bits(x->dt, g.wdt, g.k);
        int64_t half = bits >= 63 ? INT64_MAX : (int64_t)1 << (bits - 1);
        lo = lo > -half ? lo : -half;
        hi = hi < half - 1 ? hi : half - 1;
    }
    if (lo < INT32_MIN || hi > INT32_MAX)
        return node_error(d, p->g, l->node, "accumulators do not fit int32_t");
    if (!ref_dot_thresholds(p, l, g.out_c, lo, hi, "ref", &th, d))
        return false;
    snprintf(base, sizeof base, "%s_weights", l->fn);
    ref_unique_name(p, base, wname);
    RefWeightRows rows = { g.w, g.conv, g.xnor, g.win, g.out_c, g.cg, g.k,
                           g.wdt, g.unit, g.row_len, 64 };
    if (!ref_emit_weight_rows(p, l, &rows, wname, false, data, d)) {
        if (has_th)
            free(th.t);
        return false;
    }
    if (has_th && counts_by_level(&th)) {
        if (!ref_thresholds_emit_by_level(&th, lo, hi, data)) {
            free(th.t);
            return diag_error(d, p->g->path, NULL, NULL, "out of memory");
        }
    } else if (has_th) {
        ref_thresholds_emit(&th, lo, hi, data);
    }
    bool offset = g.kernel == KV_COLS && cols_offset_fits(has_th ? &th : NULL, x, &g);
    if (offset)
        g.pair_chunk = 0;   /* cols straight to bits beat pairs by 20 % (docs/ref.md) */
    bool fused_bits = (g.xnor && has_th && th.to_bits) || offset;
    if (g.xnor && fused_bits)
        headers[QH_XNOR64_THRESHOLD] = true;
    else if (g.xnor || offset)
        headers[QH_XNOR64] = true;
    if (!g.xnor)
        headers[g.kernel == KV_COLS ? QH_AXPY : QH_DOT] = true;
    if (g.pair_chunk)
        headers[QH_AXPY] = true;
    if (!g.xnor && (g.copy || g.kernel == KV_COLS || g.pair_chunk))
        headers[QH_PACK] = true;   /* qc_unpack for the working copy of the weights */
    /* the pairs kernel stores BIPOLAR outputs from its int32_t sums */
    if (has_th && th.to_bits && (!fused_bits || g.pair_chunk))
        headers[QH_THRESHOLD_BITS] = true;

    emit_comment(l, &g, x, out, code);
    tb_printf(code, "static LAYER_ATTRIBUTES void %s(const %s *in, %s *out)\n{\n", l->fn,
              ref_ctype(x->fmt), ref_ctype(out->fmt));
    Emit e = { code, &g, x, out, has_th ? &th : NULL, wname, g.xnor ? "WORDS" : "C" };
    if (g.pair_chunk) {
        tb_puts(code, "#ifdef QC_AXPY_PAIRS_AVX2\n");
        emit_pairs_conv(&e);
        tb_puts(code, "#else\n");
    }
    switch (g.kernel) {
    case KV_MATMUL: emit_matmul(&e); break;
    case KV_XNOR: emit_xnor_conv(&e); break;
    case KV_COLS: emit_cols_conv(&e, offset); break;
    case KV_CONV: emit_generic_conv(&e); break;
    }
    if (g.pair_chunk)
        tb_puts(code, "#endif\n");
    tb_puts(code, "}\n\n");
    if (has_th)
        free(th.t);
    return true;
}
