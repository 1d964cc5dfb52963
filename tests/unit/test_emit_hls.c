/* The hls target's kernels on dataflow graphs built here by hand, one per
 * family of kernels:
 *
 *   mvau_xnor      XNOR MVAU, SIMD 10 (one 16-bit word) and 100 (a struct of
 *                  two words), thresholds to BIPOLAR, and no activation
 *   mvau_int       INT3 x INT2 MVAU with SIMD 30 (90-bit beats, elements
 *                  crossing words), per-channel and shared thresholds,
 *                  several vectors and neuron folds
 *   conv_chain     SWG (padding, stride 2, unequal beat widths) -> MVAU ->
 *                  THRESHOLD -> DWC -> MAXPOOL (padded, rows left over) ->
 *                  DWC -> LABELSELECT, with FIFO layers in between
 *   wide_levels    UINT8 stream, 255 thresholds per channel
 *
 * Each graph is emitted (top.h, top.c), compiled with the strict
 * flags of the emitted Makefile together with a small harness that streams
 * frames through <name>_top, and its outputs are compared element for
 * element with a direct implementation of each layer's semantics here.
 * Two frames go through one after the other, so state left over from a
 * frame would show. Also: byte-identical output across runs, the pragmas
 * the target promises, and errors naming the layer. */
#include <check.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dataflow.h"
#include "emit_hls.h"
#include "qc_dtype_name.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define FRAMES 2
#define MAX_LAYERS 16

static uint32_t rng_state = 0x4C5u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static int32_t rand_in(qc_dtype dt)
{
    int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
    if (dt.kind == QC_BIPOLAR)
        return rng() & 1u ? 1 : -1;
    return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
}

/* ---- building dataflow graphs -------------------------------------------- */

typedef struct Net {
    Dataflow df;
    Layer layers[MAX_LAYERS];
    int32_t *owned[2 * MAX_LAYERS];
    int n_owned;
} Net;

static void net_init(Net *n)
{
    memset(n, 0, sizeof *n);
    n->df.layers = n->layers;
    n->df.cap_layers = MAX_LAYERS;
    n->df.path = "net.onnx";
}

static void net_free(Net *n)
{
    for (int k = 0; k < n->n_owned; k++)
        free(n->owned[k]);
}

static int32_t *owned(Net *n, int64_t count)
{
    int32_t *v = calloc((size_t)count, sizeof *v);
    ck_assert_ptr_nonnull(v);
    n->owned[n->n_owned++] = v;
    return v;
}

static Stream stream(qc_dtype dt, int epb, int64_t beats)
{
    Stream s = { dt, epb * beats, epb, beats, epb * dt.bits };
    return s;
}

/* Appends a layer; a DWC goes in front of it when the previous layer's
 * beats are of another width (as insert_dwc does). */
static Layer *add(Net *n, LayerKind kind, const char *name, Stream in, Stream out)
{
    const Layer *prev = n->df.n_layers ? &n->layers[n->df.n_layers - 1] : NULL;
    if (prev && kind != LAYER_DWC && prev->out.elems_per_beat != in.elems_per_beat) {
        Layer *dwc = &n->layers[n->df.n_layers++];
        memset(dwc, 0, sizeof *dwc);
        dwc->kind = LAYER_DWC;
        dwc->name = "auto_dwc";
        dwc->n_inputs = 1;
        dwc->src[0] = n->df.n_layers - 2;
        dwc->in = prev->out;
        dwc->out = in;
    }
    Layer *l = &n->layers[n->df.n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->name = name;
    l->n_inputs = 1;   /* a chain: each layer reads the one before it */
    l->src[0] = n->df.n_layers - 2;
    l->in = in;
    l->out = out;
    return l;
}

/* Thresholds [rows][levels], ascending, spread over [lo, hi]. */
static void fill_thresholds(Net *n, Layer *l, int64_t rows, int levels, int32_t lo, int32_t hi)
{
    l->n_thresholds = levels;
    l->thresholds_per_channel = rows;
    l->thresholds = owned(n, rows * levels);
    for (int64_t r = 0; r < rows; r++) {
        int64_t prev = lo;
        for (int t = 0; t < levels; t++) {
            int64_t span = (hi - prev) / (levels - t) + 1;
            prev += (int64_t)(rng() % (uint32_t)span);
            l->thresholds[r * levels + t] = (int32_t)prev;
        }
    }
}

static Layer *mvau(Net *n, const char *name, qc_dtype in_dt, qc_dtype w_dt, qc_dtype out_dt,
                   int64_t mh, int64_t mw, int64_t vectors, int pe, int simd, bool xnor)
{
    Layer *l = add(n, LAYER_MVAU, name, stream(in_dt, simd, vectors * mw / simd),
                   stream(out_dt, pe, vectors * mh / pe));
    l->mh = mh;
    l->mw = mw;
    l->vectors = vectors;
    l->pe = pe;
    l->simd = simd;
    l->xnor = xnor;
    l->wdt = w_dt;
    l->acc_dt = qc_dtype_int(24);
    l->weights = owned(n, mh * mw);
    for (int64_t k = 0; k < mh * mw; k++)
        l->weights[k] = rand_in(w_dt);
    l->out_scale = 1;
    return l;
}

static Layer *window(Net *n, LayerKind kind, const char *name, qc_dtype dt, int64_t c,
                     int64_t in_h, int64_t in_w, int k, int s, int pad_tl, int pad_br, int in_pb,
                     int out_pb)
{
    int64_t out_h = (in_h + pad_tl + pad_br - k) / s + 1, out_w = (in_w + pad_tl + pad_br - k) / s + 1;
    int64_t unit = kind == LAYER_SWG ? k * k * c : c;
    Layer *l = add(n, kind, name, stream(dt, in_pb, in_h * in_w * c / in_pb),
                   stream(dt, out_pb, out_h * out_w * unit / out_pb));
    l->channels = c;
    l->in_h = in_h;
    l->in_w = in_w;
    l->out_h = out_h;
    l->out_w = out_w;
    l->k_h = l->k_w = k;
    l->stride_h = l->stride_w = s;
    l->pad_top = l->pad_left = pad_tl;
    l->pad_bottom = l->pad_right = pad_br;
    return l;
}

/* The stream out of the last layer, re-packed epb elements per beat. */
static Stream next_in(const Net *n, int epb)
{
    const Stream *s = &n->layers[n->df.n_layers - 1].out;
    return stream(s->dt, epb, s->beats * s->elems_per_beat / epb);
}

static void fifo(Net *n, const char *name, int64_t depth)
{
    Stream s = n->layers[n->df.n_layers - 1].out;
    add(n, LAYER_FIFO, name, s, s)->depth = depth;
}

/* ---- the semantics, written plainly -------------------------------------- */

static int32_t thresholded(const Layer *l, int64_t acc, int64_t channel)
{
    const int32_t *row = l->thresholds + (l->thresholds_per_channel == 1 ? 0 : channel) *
                                             l->n_thresholds;
    int32_t count = 0;
    for (int t = 0; t < l->n_thresholds; t++)
        count += acc >= row[t];
    return l->out_bias + l->out_scale * count;
}

/* One frame through layer l: in has in.beats * in.elems_per_beat elements. */
static int32_t *run_layer(const Layer *l, const int32_t *in)
{
    int64_t n_out = l->out.beats * l->out.elems_per_beat;
    int32_t *out = calloc((size_t)n_out, sizeof *out);
    ck_assert_ptr_nonnull(out);
    switch (l->kind) {
    case LAYER_MVAU:
        for (int64_t v = 0; v < l->vectors; v++)
            for (int64_t h = 0; h < l->mh; h++) {
                int64_t acc = 0;
                for (int64_t w = 0; w < l->mw; w++) {
                    int32_t x = in[v * l->mw + w], wt = l->weights[h * l->mw + w];
                    acc += l->xnor ? (x == wt) : (int64_t)x * wt;
                }
                out[v * l->mh + h] = l->n_thresholds ? thresholded(l, acc, h) : (int32_t)acc;
            }
        break;
    case LAYER_SWG:
    case LAYER_MAXPOOL: {
        int64_t o = 0, c_n = l->channels;
        for (int64_t oy = 0; oy < l->out_h; oy++)
            for (int64_t ox = 0; ox < l->out_w; ox++) {
                if (l->kind == LAYER_SWG) {
                    for (int ky = 0; ky < l->k_h; ky++)
                        for (int kx = 0; kx < l->k_w; kx++)
                            for (int64_t c = 0; c < c_n; c++) {
                                int64_t iy = oy * l->stride_h - l->pad_top + ky;
                                int64_t ix = ox * l->stride_w - l->pad_left + kx;
                                bool inside = iy >= 0 && iy < l->in_h && ix >= 0 && ix < l->in_w;
                                out[o++] = inside ? in[(iy * l->in_w + ix) * c_n + c] : 0;
                            }
                    continue;
                }
                for (int64_t c = 0; c < c_n; c++) {
                    int64_t m = INT64_MIN;
                    for (int ky = 0; ky < l->k_h; ky++)
                        for (int kx = 0; kx < l->k_w; kx++) {
                            int64_t iy = oy * l->stride_h - l->pad_top + ky;
                            int64_t ix = ox * l->stride_w - l->pad_left + kx;
                            if (iy >= 0 && iy < l->in_h && ix >= 0 && ix < l->in_w &&
                                in[(iy * l->in_w + ix) * c_n + c] > m)
                                m = in[(iy * l->in_w + ix) * c_n + c];
                        }
                    out[o++] = (int32_t)m;
                }
            }
        break;
    }
    case LAYER_THRESHOLD:
        for (int64_t k = 0; k < n_out; k++)
            out[k] = thresholded(l, in[k], k % l->channels);
        break;
    case LAYER_LABELSELECT: {
        int64_t n = l->in.beats * l->in.elems_per_beat;
        bool *taken = calloc((size_t)n, 1);
        for (int k = 0; k < l->k; k++) {
            int64_t best = -1;
            for (int64_t i = 0; i < n; i++)
                if (!taken[i] && (best < 0 || in[i] > in[best]))
                    best = i;
            taken[best] = true;
            out[k] = (int32_t)best;
        }
        free(taken);
        break;
    }
    case LAYER_DWC:
    case LAYER_FIFO:
        memcpy(out, in, (size_t)n_out * sizeof *out);
        break;
    case LAYER_FORK:
    case LAYER_JOIN:
    case LAYER_VVAU:
    case LAYER_POOL:
        ck_abort_msg("these chains have no %s layer (test_hls_dag covers them)",
                     layer_kind_name(l->kind));
        break;
    }
    return out;
}

/* ---- compiling and running ----------------------------------------------- */

static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int shell(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* The helper prefix of a stream's beat type: "int3_x30". */
static void type_name(const Stream *s, char *buf, size_t size)
{
    char dtn[16];
    snprintf(buf, size, "%s_x%d", qc_dtype_name(s->dt, dtn), s->elems_per_beat);
    for (char *c = buf; *c; c++)
        *c = (char)tolower((unsigned char)*c);
}

static void emit(const Net *n, const char *name, TextBuf *h, TextBuf *c)
{
    Diag d;
    diag_init(&d);
    tb_init(h);
    tb_init(c);
    ck_assert_msg(emit_hls_kernels(&n->df, name, h, c, &d), "%s", d.msg);
}

/* Emits the net, runs FRAMES random frames through it in C and compares
 * with run_layer. Returns the emitted top.c (malloc'ed). */
static char *check_net(const Net *n, const char *name)
{
    char dir[256], path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/qonnxc-hls-unit-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    TextBuf h, c;
    emit(n, name, &h, &c);
    snprintf(path, sizeof path, "%s/top.h", dir);
    write_text(path, tb_str(&h), h.len);
    snprintf(path, sizeof path, "%s/top.c", dir);
    write_text(path, tb_str(&c), c.len);

    /* the frames and what each layer makes of them */
    const Layer *first = &n->layers[0], *last = &n->layers[n->df.n_layers - 1];
    int64_t n_in = first->in.beats * first->in.elems_per_beat;
    int64_t n_out = last->out.beats * last->out.elems_per_beat;
    int32_t *frames = malloc((size_t)(FRAMES * n_in) * sizeof *frames);
    int32_t *expected = malloc((size_t)(FRAMES * n_out) * sizeof *expected);
    for (int f = 0; f < FRAMES; f++) {
        int32_t *x = frames + f * n_in;
        for (int64_t k = 0; k < n_in; k++)
            x[k] = rand_in(first->in.dt);
        int32_t *cur = NULL;
        const int32_t *at = x;
        for (int k = 0; k < n->df.n_layers; k++) {
            int32_t *next = run_layer(&n->layers[k], at);
            free(cur);
            cur = next;
            at = cur;
        }
        memcpy(expected + f * n_out, cur, (size_t)n_out * sizeof *cur);
        free(cur);
    }

    /* the harness: frames in, elements out, one per line */
    TextBuf t;
    tb_init(&t);
    char tin[64], tout[64];
    type_name(&first->in, tin, sizeof tin);
    type_name(&last->out, tout, sizeof tout);
    char upper[64];
    snprintf(upper, sizeof upper, "%s", name);
    for (char *p = upper; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    tb_puts(&t, "#include <stdio.h>\n#include \"top.h\"\n\n");
    tb_printf(&t, "static const int32_t frames[%d][%lld] = {\n", FRAMES, (long long)n_in);
    for (int f = 0; f < FRAMES; f++) {
        tb_puts(&t, "    {");
        for (int64_t k = 0; k < n_in; k++)
            tb_printf(&t, "%s%d", k ? ", " : " ", (int)frames[f * n_in + k]);
        tb_puts(&t, " },\n");
    }
    tb_puts(&t, "};\n\n");
    tb_printf(&t, "static %s_in_t in[%s_IN_BEATS];\nstatic %s_out_t out[%s_OUT_BEATS];\n\n", name,
              upper, name, upper);
    tb_puts(&t, "int main(void)\n{\n    int f, b, k;\n\n    for (f = 0; f < ");
    tb_printf(&t, "%d; ++f) {\n", FRAMES);
    tb_printf(&t, "        for (b = 0; b < %s_IN_BEATS; ++b) {\n", upper);
    tb_printf(&t, "            in[b] = %s_zero();\n", tin);
    tb_printf(&t, "            for (k = 0; k < %s_IN_PER_BEAT; ++k)\n", upper);
    tb_printf(&t, "                %s_put(&in[b], k, frames[f][b * %s_IN_PER_BEAT + k]);\n", tin,
              upper);
    tb_puts(&t, "        }\n");
    tb_printf(&t, "        %s_top(in, out);\n", name);
    tb_printf(&t, "        for (b = 0; b < %s_OUT_BEATS; ++b)\n", upper);
    tb_printf(&t, "            for (k = 0; k < %s_OUT_PER_BEAT; ++k)\n", upper);
    tb_printf(&t, "                printf(\"%%d\\n\", (int)%s_get(&out[b], k));\n", tout);
    tb_puts(&t, "    }\n    return 0;\n}\n");
    snprintf(path, sizeof path, "%s/harness.c", dir);
    write_text(path, tb_str(&t), t.len);
    tb_free(&t);

    const char *san = SANITIZED ? "-fsanitize=address,undefined -fno-sanitize-recover=all" : "";
    int rc = shell("cd '%s' && cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -ffp-contract=off "
                   "%s -o harness harness.c top.c > cc.log 2>&1", dir, san);
    if (rc != 0) {
        snprintf(path, sizeof path, "%s/cc.log", dir);
        char *log = slurp(path);
        ck_abort_msg("%s: the emitted code does not compile:\n%s", name, log ? log : "");
    }
    ck_assert_int_eq(shell("cd '%s' && ./harness > out.txt", dir), 0);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    char *got = slurp(path);
    ck_assert_ptr_nonnull(got);
    char *p = got;
    for (int64_t k = 0; k < FRAMES * n_out; k++) {
        char *end;
        long v = strtol(p, &end, 10);
        ck_assert_msg(end != p, "%s: output ends after %lld of %lld elements", name, (long long)k,
                      (long long)(FRAMES * n_out));
        ck_assert_msg(v == expected[k], "%s: frame %lld, element %lld is %ld, expected %d", name,
                      (long long)(k / n_out), (long long)(k % n_out), v, (int)expected[k]);
        p = end;
    }
    free(got);
    free(frames);
    free(expected);
    char *source = strdup(tb_str(&c));
    tb_free(&h);
    tb_free(&c);
    ck_assert_int_eq(shell("rm -rf '%s'", dir), 0);
    return source;
}

/* ---- the nets ------------------------------------------------------------ */

START_TEST(test_mvau_xnor)
{
    Net n;
    net_init(&n);
    qc_dtype bip = qc_dtype_bipolar();
    Layer *a = mvau(&n, "fc1", bip, bip, bip, 12, 100, 1, 3, 10, true);
    fill_thresholds(&n, a, 12, 1, 40, 60);
    a->out_scale = 2;
    a->out_bias = -1;
    Layer *b = mvau(&n, "fc2", bip, bip, qc_dtype_uint(4), 8, 12, 1, 4, 12, true);
    b->acc_dt = qc_dtype_uint(4);
    char *src = check_net(&n, "xnor_small");
    ck_assert_ptr_nonnull(strstr(src, "bipolar_x10_matches(&x, &mvau_fc1_weights[p][nf * SF + sf])"));
    free(src);
    net_free(&n);

    /* a struct of two words per beat */
    net_init(&n);
    a = mvau(&n, "wide", bip, bip, bip, 8, 200, 2, 4, 100, true);
    fill_thresholds(&n, a, 8, 1, 90, 110);
    a->out_scale = 2;
    a->out_bias = -1;
    b = mvau(&n, "out", bip, bip, qc_dtype_uint(8), 6, 8, 2, 1, 8, true);
    src = check_net(&n, "xnor_wide");
    ck_assert_ptr_nonnull(strstr(src, "bipolar_x100_matches"));
    free(src);
    net_free(&n);
}
END_TEST

START_TEST(test_mvau_int)
{
    Net n;
    net_init(&n);
    qc_dtype i3 = qc_dtype_int(3), i2 = qc_dtype_int(2);
    /* 90-bit beats: INT3 elements 21 and 42 cross a word boundary */
    Layer *a = mvau(&n, "/dense.0/MatMul", i3, i2, i2, 12, 60, 3, 4, 30, false);
    fill_thresholds(&n, a, 12, 3, -40, 40);
    a->out_bias = -2;
    a->acc_dt = qc_dtype_int(10);
    Layer *b = mvau(&n, "dense.1", i2, qc_dtype_bipolar(), qc_dtype_uint(2), 6, 12, 3, 2, 3,
                    false);
    fill_thresholds(&n, b, 1, 3, -6, 6);   /* one row shared by every neuron */
    b->acc_dt = qc_dtype_int(5);
    Layer *c = mvau(&n, "dense.2", qc_dtype_uint(2), qc_dtype_int(4), qc_dtype_int(9), 5, 6, 3, 5,
                    2, false);
    c->acc_dt = qc_dtype_int(9);
    char *src = check_net(&n, "int_mlp");
    ck_assert_ptr_nonnull(strstr(src, "mvau_dense_0_matmul_thresholds[p][nf][t]"));
    ck_assert_ptr_nonnull(strstr(src, "mvau_dense_1_thresholds[t]"));
    ck_assert_ptr_nonnull(strstr(src, "/* /dense.0/MatMul: MVAU"));
    free(src);
    net_free(&n);
}
END_TEST

START_TEST(test_conv_chain)
{
    Net n;
    net_init(&n);
    qc_dtype i4 = qc_dtype_int(4), i3 = qc_dtype_int(3);
    /* 9 x 9 x 4 image, 3 x 3 windows, stride 2, padding 1: 5 x 5 windows */
    Layer *swg = window(&n, LAYER_SWG, "conv/swg", i4, 4, 9, 9, 3, 2, 1, 1, 2, 6);
    ck_assert_int_eq(swg->out_h, 5);
    fifo(&n, "fifo0", 32);
    Layer *m = mvau(&n, "conv", i4, qc_dtype_int(3), qc_dtype_int(12), 12, 36, 25, 3, 6, false);
    m->acc_dt = qc_dtype_int(12);
    Layer *t = add(&n, LAYER_THRESHOLD, "act", next_in(&n, 4), stream(i3, 4, 300 / 4));
    t->channels = 12;
    fill_thresholds(&n, t, 12, 6, -200, 200);
    t->out_bias = -3;
    add(&n, LAYER_DWC, "dwc0", next_in(&n, 4), stream(i3, 6, 300 / 6));
    /* 5 x 5 x 12, 3 x 3 max pool, stride 2, padding 1 top-left only: 2 x 2 pixels;
     * no window reads the last image row */
    Layer *pool = window(&n, LAYER_MAXPOOL, "pool", i3, 12, 5, 5, 3, 2, 1, 0, 6, 4);
    ck_assert_int_eq(pool->out_h, 2);
    fifo(&n, "fifo1", 8);
    add(&n, LAYER_DWC, "dwc1", next_in(&n, 4), stream(i3, 3, 48 / 3));
    Layer *ls = add(&n, LAYER_LABELSELECT, "top3", next_in(&n, 3), stream(qc_dtype_uint(6), 1, 3));
    ls->k = 3;
    char *src = check_net(&n, "conv_chain");
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS STREAM variable=s1 depth=32"));
    ck_assert_ptr_nonnull(strstr(src, "image rows below the last window"));
    free(src);
    net_free(&n);

    /* no padding, unit stride, SIMD = C: the common CNV case */
    net_init(&n);
    qc_dtype bip = qc_dtype_bipolar();
    window(&n, LAYER_SWG, "swg", bip, 16, 6, 6, 3, 1, 0, 0, 16, 16);
    Layer *x = mvau(&n, "xconv", bip, bip, bip, 8, 144, 16, 4, 16, true);
    fill_thresholds(&n, x, 8, 1, 60, 84);
    x->out_scale = 2;
    x->out_bias = -1;
    window(&n, LAYER_MAXPOOL, "pool", bip, 8, 4, 4, 2, 2, 0, 0, 4, 4);
    src = check_net(&n, "xnor_conv");
    ck_assert_ptr_null(strstr(src, "image rows below the last window"));
    free(src);
    net_free(&n);
}
END_TEST

START_TEST(test_wide_levels)
{
    Net n;
    net_init(&n);
    Layer *t = add(&n, LAYER_THRESHOLD, "thr8", stream(qc_dtype_int(12), 2, 12),
                   stream(qc_dtype_uint(8), 2, 12));
    t->channels = 6;
    fill_thresholds(&n, t, 6, 255, -2000, 2000);
    Layer *m = mvau(&n, "fc", qc_dtype_uint(8), qc_dtype_int(8), qc_dtype_int(20), 3, 6, 4, 1, 6,
                    false);
    m->acc_dt = qc_dtype_int(20);
    char *src = check_net(&n, "levels");
    free(src);
    net_free(&n);
}
END_TEST

START_TEST(test_pragmas_and_determinism)
{
    Net n;
    net_init(&n);
    qc_dtype bip = qc_dtype_bipolar();
    Layer *a = mvau(&n, "fc1", bip, bip, bip, 8, 64, 1, 2, 16, true);
    fill_thresholds(&n, a, 8, 1, 30, 34);
    a->out_scale = 2;
    a->out_bias = -1;
    mvau(&n, "fc2", bip, bip, qc_dtype_uint(7), 4, 8, 1, 1, 2, true);
    TextBuf h1, c1, h2, c2;
    emit(&n, "det", &h1, &c1);
    emit(&n, "det", &h2, &c2);
    ck_assert_str_eq(tb_str(&h1), tb_str(&h2));
    ck_assert_str_eq(tb_str(&c1), tb_str(&c2));
    const char *src = tb_str(&c1);
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS DATAFLOW"));
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS INTERFACE axis port=in"));
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS INTERFACE axis port=out"));
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS STREAM variable=s1 depth=2"));
    ck_assert_ptr_nonnull(strstr(src, "#pragma HLS ARRAY_PARTITION variable=mvau_fc1_weights "
                                      "complete dim=1"));
    ck_assert_ptr_nonnull(strstr(src, "static const bipolar_x16_t mvau_fc1_weights[2][16]"));
    ck_assert_ptr_nonnull(strstr(tb_str(&h1), "void det_top(const det_in_t in[DET_IN_BEATS],\n"
                                              "             det_out_t out[DET_OUT_BEATS]);"));
    int pipelines = 0;
    for (const char *p = src; (p = strstr(p, "#pragma HLS PIPELINE II=1")) != NULL; p++)
        pipelines++;
    ck_assert_int_eq(pipelines, 2);
    ck_assert_ptr_null(strstr(src, "malloc"));
    tb_free(&h1);
    tb_free(&c1);
    tb_free(&h2);
    tb_free(&c2);
    net_free(&n);
}
END_TEST

static void expect_error(const Net *n, const char *want)
{
    TextBuf h, c;
    Diag d;
    diag_init(&d);
    tb_init(&h);
    tb_init(&c);
    ck_assert(!emit_hls_kernels(&n->df, "bad", &h, &c, &d));
    ck_assert_msg(strstr(d.msg, want) != NULL, "message '%s' lacks '%s'", d.msg, want);
    tb_free(&h);
    tb_free(&c);
}

START_TEST(test_errors)
{
    Net n;
    net_init(&n);
    qc_dtype bip = qc_dtype_bipolar();
    Layer *a = mvau(&n, "fc1", bip, bip, bip, 8, 64, 1, 2, 16, true);
    a->pe = 3;
    expect_error(&n, "layer 'fc1' (MVAU): hls target: PE 3 must divide MH 8");
    a->pe = 2;
    a->in.beats = 5;
    expect_error(&n, "input stream is 16 elements x 5 beats");
    a->in.beats = 4;
    mvau(&n, "fc2", bip, bip, qc_dtype_uint(7), 4, 4, 1, 1, 2, true);
    n.layers[1].in.beats = 3;
    expect_error(&n, "layer 'fc2' (MVAU): hls target: input stream is 2 elements x 3 beats");
    n.layers[1].in.beats = 2;
    n.layers[1].in.dt = qc_dtype_int(2);
    n.layers[1].in.bits = 4;
    n.layers[1].xnor = false;
    expect_error(&n, "layer 'fc2' (MVAU): hls target: input stream (2 x 2) is not what layer "
                     "'fc1' writes (2 x 4)");
    net_free(&n);

    net_init(&n);
    window(&n, LAYER_SWG, "padded", bip, 4, 5, 5, 3, 1, 1, 1, 4, 4);
    expect_error(&n, "pads with 0, which is not a value of its datatype");
    net_free(&n);

    net_init(&n);
    expect_error(&n, "no layers");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("emit_hls");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mvau_xnor);
    tcase_add_test(tc, test_mvau_int);
    tcase_add_test(tc, test_conv_chain);
    tcase_add_test(tc, test_wide_levels);
    tcase_add_test(tc, test_pragmas_and_determinism);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
