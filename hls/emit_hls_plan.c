/* The plan of the hls target: from the dataflow graph to processes (one C
 * function per layer; a FIFO layer becomes the depth of its stream),
 * streams and beat types. Every layer's stream geometry is checked against
 * what its kernel reads and writes, so a kernel never has to guess. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_hls_internal.h"
#include "qc_dtype_name.h"

#define DEFAULT_DEPTH 2

/* The prefix of a layer's function name. */
static const char *kind_prefix(LayerKind k)
{
    switch (k) {
    case LAYER_MVAU: return "mvau";
    case LAYER_SWG: return "swg";
    case LAYER_MAXPOOL: return "maxpool";
    case LAYER_THRESHOLD: return "thr";
    case LAYER_LABELSELECT: return "labelselect";
    case LAYER_DWC: return "dwc";
    case LAYER_FIFO: return "fifo";
    case LAYER_FORK: return "fork";
    case LAYER_JOIN: return "join";
    case LAYER_VVAU: return "vvau";
    case LAYER_POOL: return "pool";
    }
    return "layer";
}

const char *hls_dt_name(qc_dtype dt, char buf[16])
{
    return qc_dtype_name(dt, buf);
}

const char *hls_int_ctype(int64_t lo, int64_t hi)
{
    if (lo >= INT8_MIN && hi <= INT8_MAX)
        return "int8_t";
    if (lo >= 0 && hi <= UINT8_MAX)
        return "uint8_t";
    if (lo >= INT16_MIN && hi <= INT16_MAX)
        return "int16_t";
    if (lo >= 0 && hi <= UINT16_MAX)
        return "uint16_t";
    return "int32_t";
}

bool hls_layer_error(Diag *d, const HlsPlan *p, const Layer *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = layer_verror(d, p->df, l, "hls target: ", fmt, ap);
    va_end(ap);
    return ok;
}

const char *hls_unique_name(HlsPlan *p, const char *base, char out[64])
{
    char stem[48];
    c_identifier(base, stem, sizeof stem);
    return name_table_add(&p->names, stem, out);
}

int hls_type(HlsPlan *p, qc_dtype dt, int n)
{
    for (int k = 0; k < p->n_types; k++)
        if (p->types[k].dt.kind == dt.kind && p->types[k].dt.bits == dt.bits && p->types[k].n == n)
            return k;
    if (p->n_types == p->cap_types) {
        int cap = p->cap_types ? 2 * p->cap_types : 16;
        HlsType *types = realloc(p->types, (size_t)cap * sizeof *types);
        if (!types)
            return -1;
        p->types = types;
        p->cap_types = cap;
    }
    HlsType *t = &p->types[p->n_types];
    memset(t, 0, sizeof *t);
    t->dt = dt;
    t->n = n;
    t->bits = n * dt.bits;
    char dtn[16];
    snprintf(t->name, sizeof t->name, "%s_x%d", qc_dtype_name(dt, dtn), n);
    for (char *c = t->name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (t->bits <= 64) {
        int w = t->bits <= 8 ? 8 : t->bits <= 16 ? 16 : t->bits <= 32 ? 32 : 64;
        snprintf(t->scalar, sizeof t->scalar, "uint%d_t", w);
    } else {
        t->words = (t->bits + 63) / 64;
    }
    return p->n_types++;
}

/* A layer's function name: its name as an identifier, with the kind in
 * front unless the name already says it ("dwc_0", "conv1_swg"). */
static const char *fn_base(const Layer *l, char *buf, size_t size)
{
    char ident[96];
    const char *prefix = kind_prefix(l->kind);
    size_t n = strlen(prefix), len;
    c_identifier(l->name ? l->name : "layer", ident, sizeof ident);
    len = strlen(ident);
    if ((len > n && !strncmp(ident, prefix, n) && ident[n] == '_') ||
        (len > n && !strcmp(ident + len - n, prefix) && ident[len - n - 1] == '_'))
        snprintf(buf, size, "%s", ident);
    else
        snprintf(buf, size, "%s_%s", prefix, ident);
    return buf;
}

/* ---- checks ------------------------------------------------------------- */

static bool stream_is(const Stream *s, int64_t epb, int64_t beats)
{
    return s->elems_per_beat == epb && s->beats == beats;
}

static bool check_stream(Diag *d, const HlsPlan *p, const Layer *l, const char *which,
                         const Stream *s, int64_t epb, int64_t beats)
{
    char dtn[16];
    if (!qc_dtype_valid(s->dt) || s->dt.bits > 32)
        return hls_layer_error(d, p, l, "%s stream has datatype %s; the hls target handles 1 to "
                               "32 bits", which, hls_dt_name(s->dt, dtn));
    if (!stream_is(s, epb, beats) || s->elems != epb * beats)
        return hls_layer_error(d, p, l, "%s stream is %d elements x %lld beats (%lld elements), "
                               "the kernel moves %lld x %lld", which, s->elems_per_beat,
                               (long long)s->beats, (long long)s->elems, (long long)epb,
                               (long long)beats);
    if (s->bits != s->elems_per_beat * s->dt.bits)
        return hls_layer_error(d, p, l, "%s stream is %d bits wide, expected %d elements x %d "
                               "bits", which, s->bits, s->elems_per_beat, s->dt.bits);
    return true;
}

static bool positive(int64_t v)
{
    return v > 0 && v <= INT32_MAX;
}

static bool check_mvau(Diag *d, const HlsPlan *p, const Layer *l)
{
    char n1[16], n2[16];
    if (!positive(l->mh) || !positive(l->mw) || !positive(l->vectors) || l->pe < 1 ||
        l->simd < 1)
        return hls_layer_error(d, p, l, "needs positive MH, MW, vectors, PE and SIMD");
    if (l->mh % l->pe || l->mw % l->simd)
        return hls_layer_error(d, p, l, "PE %d must divide MH %lld and SIMD %d must divide MW "
                               "%lld", l->pe, (long long)l->mh, l->simd, (long long)l->mw);
    if (!l->weights)
        return hls_layer_error(d, p, l, "has no weights");
    if (!qc_dtype_valid(l->wdt) || l->wdt.bits > 32)
        return hls_layer_error(d, p, l, "weight datatype %s is not supported",
                               hls_dt_name(l->wdt, n1));
    if (l->xnor && (l->in.dt.kind != QC_BIPOLAR || l->wdt.kind != QC_BIPOLAR))
        return hls_layer_error(d, p, l, "is XNOR but its input is %s and its weights %s",
                               hls_dt_name(l->in.dt, n1), hls_dt_name(l->wdt, n2));
    if (l->n_thresholds < 0 ||
        (l->n_thresholds > 0 && (!l->thresholds || (l->thresholds_per_channel != 1 &&
                                                    l->thresholds_per_channel != l->mh))))
        return hls_layer_error(d, p, l, "needs 1 or %lld rows of thresholds", (long long)l->mh);
    if (!qc_dtype_valid(l->acc_dt) || l->acc_dt.bits > 64)
        return hls_layer_error(d, p, l, "accumulator datatype %s is not supported",
                               hls_dt_name(l->acc_dt, n1));
    int64_t sf = l->mw / l->simd, nf = l->mh / l->pe;
    return check_stream(d, p, l, "input", &l->in, l->simd, l->vectors * sf) &&
           check_stream(d, p, l, "output", &l->out, l->pe, l->vectors * nf);
}

static bool check_window(Diag *d, const HlsPlan *p, const Layer *l)
{
    if (!positive(l->channels) || !positive(l->in_h) || !positive(l->in_w) ||
        !positive(l->out_h) || !positive(l->out_w) || l->k_h < 1 || l->k_w < 1 ||
        l->stride_h < 1 || l->stride_w < 1 || l->pad_top < 0 || l->pad_left < 0 ||
        l->pad_bottom < 0 || l->pad_right < 0)
        return hls_layer_error(d, p, l, "needs a positive geometry (channels, image, kernel, "
                               "stride) and pads >= 0");
    if (l->pad_top >= l->k_h || l->pad_left >= l->k_w)
        return hls_layer_error(d, p, l, "pads %d, %d must be smaller than the kernel %d x %d",
                               l->pad_top, l->pad_left, l->k_h, l->k_w);
    if (l->kind != LAYER_POOL &&
        (l->in.dt.kind != l->out.dt.kind || l->in.dt.bits != l->out.dt.bits))
        return hls_layer_error(d, p, l, "changes the datatype between its streams");
    if (l->kind == LAYER_POOL && l->in.elems_per_beat != l->out.elems_per_beat)
        return hls_layer_error(d, p, l, "reads %d and writes %d channels per beat (one PE)",
                               l->in.elems_per_beat, l->out.elems_per_beat);
    int64_t row = l->in_w * l->channels;
    if (l->in.elems_per_beat < 1 || row % l->in.elems_per_beat)
        return hls_layer_error(d, p, l, "input beats of %d elements do not tile an image row of "
                               "%lld", l->in.elems_per_beat, (long long)row);
    if (!check_stream(d, p, l, "input", &l->in, l->in.elems_per_beat,
                      l->in_h * row / l->in.elems_per_beat))
        return false;
    int64_t unit = l->kind == LAYER_SWG ? (int64_t)l->k_h * l->k_w * l->channels : l->channels;
    if (l->out.elems_per_beat < 1 || unit % l->out.elems_per_beat)
        return hls_layer_error(d, p, l, "output beats of %d elements do not tile %s of %lld",
                               l->out.elems_per_beat, l->kind == LAYER_SWG ? "a window"
                                                                            : "a pixel",
                               (long long)unit);
    bool padded = l->pad_top || l->pad_left || l->pad_bottom || l->pad_right;
    if (l->kind == LAYER_SWG && padded &&
        (l->pad_value < qc_dtype_min(l->in.dt) || l->pad_value > qc_dtype_max(l->in.dt) ||
         (l->in.dt.kind == QC_BIPOLAR && l->pad_value == 0)))
        return hls_layer_error(d, p, l, "pads with %d, which is not a value of its datatype",
                               (int)l->pad_value);
    return check_stream(d, p, l, "output", &l->out, l->out.elems_per_beat,
                        l->out_h * l->out_w * unit / l->out.elems_per_beat);
}

static int64_t layer_channels(const Layer *l)
{
    return l->channels > 0 ? l->channels : l->mh;
}

static bool check_threshold(Diag *d, const HlsPlan *p, const Layer *l)
{
    int64_t c = layer_channels(l);
    int pe = l->in.elems_per_beat;
    if (!positive(c) || pe < 1 || c % pe)
        return hls_layer_error(d, p, l, "%d elements per beat must divide the %lld channels", pe,
                               (long long)c);
    if (l->n_thresholds < 1 || !l->thresholds ||
        (l->thresholds_per_channel != 1 && l->thresholds_per_channel != c))
        return hls_layer_error(d, p, l, "needs 1 or %lld rows of thresholds", (long long)c);
    if (l->in.beats * pe % c)
        return hls_layer_error(d, p, l, "%lld elements per frame are not whole pixels of %lld "
                               "channels", (long long)(l->in.beats * pe), (long long)c);
    return check_stream(d, p, l, "input", &l->in, pe, l->in.beats) &&
           check_stream(d, p, l, "output", &l->out, pe, l->in.beats);
}

static bool check_labelselect(Diag *d, const HlsPlan *p, const Layer *l)
{
    int64_t n = l->in.beats * l->in.elems_per_beat;
    if (l->k < 1 || l->k > n)
        return hls_layer_error(d, p, l, "k = %d, but there are %lld labels", l->k, (long long)n);
    if (l->out.dt.kind == QC_BIPOLAR || qc_dtype_max(l->out.dt) < n - 1 ||
        qc_dtype_min(l->out.dt) > 0)
        return hls_layer_error(d, p, l, "output datatype cannot hold label %lld",
                               (long long)(n - 1));
    return check_stream(d, p, l, "input", &l->in, l->in.elems_per_beat, l->in.beats) &&
           check_stream(d, p, l, "output", &l->out, l->out.elems_per_beat,
                        l->out.elems_per_beat > 0 ? l->k / l->out.elems_per_beat : 0) &&
           (l->k % l->out.elems_per_beat == 0 ||
            hls_layer_error(d, p, l, "%d labels per beat must divide k = %d",
                            l->out.elems_per_beat, l->k));
}

static bool check_dwc(Diag *d, const HlsPlan *p, const Layer *l)
{
    if (l->in.dt.kind != l->out.dt.kind || l->in.dt.bits != l->out.dt.bits)
        return hls_layer_error(d, p, l, "changes the datatype between its streams");
    if (l->in.elems_per_beat < 1 || l->out.elems_per_beat < 1 ||
        l->in.beats * l->in.elems_per_beat != l->out.beats * l->out.elems_per_beat)
        return hls_layer_error(d, p, l, "input (%d x %lld) and output (%d x %lld) do not carry "
                               "the same elements", l->in.elems_per_beat, (long long)l->in.beats,
                               l->out.elems_per_beat, (long long)l->out.beats);
    return check_stream(d, p, l, "input", &l->in, l->in.elems_per_beat, l->in.beats) &&
           check_stream(d, p, l, "output", &l->out, l->out.elems_per_beat, l->out.beats);
}

/* FORK, JOIN: every stream PE channels per beat, the same beats. */
static bool check_elementwise(Diag *d, const HlsPlan *p, const Layer *l)
{
    int pe = l->in.elems_per_beat;
    if (!positive(l->channels) || pe < 1 || l->channels % pe)
        return hls_layer_error(d, p, l, "%d elements per beat must divide the %lld channels", pe,
                               (long long)l->channels);
    if (l->kind == LAYER_JOIN) {
        if (l->acc_dt.bits > 32 || l->out.dt.bits > 32)
            return hls_layer_error(d, p, l, "a sum wider than 32 bits is not supported");
        if (l->n_thresholds && l->thresholds_per_channel != 1 &&
            l->thresholds_per_channel != l->channels)
            return hls_layer_error(d, p, l, "needs 1 or %lld rows of thresholds",
                                   (long long)l->channels);
        if (!check_stream(d, p, l, "second input", &l->in2, pe, l->in.beats))
            return false;
    }
    return check_stream(d, p, l, "input", &l->in, pe, l->in.beats) &&
           check_stream(d, p, l, "output", &l->out, pe, l->in.beats);
}

static bool check_vvau(Diag *d, const HlsPlan *p, const Layer *l)
{
    int64_t K = (int64_t)l->k_h * l->k_w;
    if (!positive(l->channels) || !positive(l->vectors) || l->pe < 1 || l->channels % l->pe ||
        l->simd != 1 || !l->weights)
        return hls_layer_error(d, p, l, "needs weights, PE dividing the %lld channels and "
                               "SIMD 1", (long long)l->channels);
    if (l->acc_dt.bits > 32 || l->wdt.bits > 32 || l->wdt.kind == QC_BIPOLAR)
        return hls_layer_error(d, p, l, "needs integer weights and a sum of at most 32 bits");
    int64_t cf = l->channels / l->pe;
    return check_stream(d, p, l, "input", &l->in, l->pe, l->vectors * K * cf) &&
           check_stream(d, p, l, "output", &l->out, l->pe, l->vectors * cf);
}

static bool check_layer(Diag *d, const HlsPlan *p, const Layer *l)
{
    if (!positive(l->in.beats) || !positive(l->out.beats))
        return hls_layer_error(d, p, l, "needs streams of 1 to 2^31-1 beats");
    switch (l->kind) {
    case LAYER_MVAU: return check_mvau(d, p, l);
    case LAYER_SWG:
    case LAYER_MAXPOOL:
    case LAYER_POOL: return check_window(d, p, l);
    case LAYER_FORK:
    case LAYER_JOIN: return check_elementwise(d, p, l);
    case LAYER_VVAU: return check_vvau(d, p, l);
    case LAYER_THRESHOLD: return check_threshold(d, p, l);
    case LAYER_LABELSELECT: return check_labelselect(d, p, l);
    case LAYER_DWC: return check_dwc(d, p, l);
    case LAYER_FIFO:
        return check_stream(d, p, l, "input", &l->in, l->out.elems_per_beat, l->out.beats) &&
               (l->depth >= 1 || hls_layer_error(d, p, l, "has depth %lld", (long long)l->depth));
    }
    return hls_layer_error(d, p, l, "unknown layer kind %d", (int)l->kind);
}

/* ---- plan --------------------------------------------------------------- */

static int add_stream(HlsPlan *p, const Stream *s, int from, Diag *d)
{
    int type = hls_type(p, s->dt, s->elems_per_beat);
    if (type < 0)
        return diag_error(d, NULL, NULL, NULL, "out of memory"), -1;
    HlsStream *st = &p->streams[p->n_streams];
    memset(st, 0, sizeof *st);
    st->s = s;
    st->type = type;
    st->depth = DEFAULT_DEPTH;
    st->from = from;
    st->to = -1;
    snprintf(st->name, sizeof st->name, p->n_streams == 0 ? "in" : "s%d", p->n_streams);
    return p->n_streams++;
}

/* The stream input i of layer k reads, checked against what it expects. */
static int input_stream(HlsPlan *p, const int *port_stream, int k, int i, Diag *d)
{
    const Dataflow *df = p->df;
    const Layer *l = &df->layers[k];
    int src = l->src[i];
    int s = src == DATAFLOW_INPUT ? 0 : port_stream[2 * src + l->src_port[i]];
    const Stream *a = p->streams[s].s, *b = layer_input(l, i);
    if (a->dt.kind != b->dt.kind || a->dt.bits != b->dt.bits ||
        a->elems_per_beat != b->elems_per_beat || a->beats != b->beats) {
        char from[600];
        if (src == DATAFLOW_INPUT)
            snprintf(from, sizeof from, "the accelerator input");
        else
            snprintf(from, sizeof from, "layer '%s'", df->layers[src].name);
        hls_layer_error(d, p, l, "input stream (%d x %lld) is not what %s writes (%d x %lld)",
                        b->elems_per_beat, (long long)b->beats, from, a->elems_per_beat,
                        (long long)a->beats);
        return -1;
    }
    return s;
}

/* One process per layer but FIFOs (the depth of the stream they sit on),
 * one stream per output port; port_stream[2 * k + port] is the stream of
 * layer k's output port. Stream 0 is the accelerator input, the last one
 * the last layer's output (layers are in topological order). */
static bool plan_streams(HlsPlan *p, int *port_stream, Diag *d)
{
    const Dataflow *df = p->df;
    char base[128];
    if (add_stream(p, &df->layers[0].in, -1, d) < 0)
        return false;
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        int in[2] = { -1, -1 };
        for (int i = 0; i < l->n_inputs; i++)
            if ((in[i] = input_stream(p, port_stream, k, i, d)) < 0)
                return false;
        if (l->kind == LAYER_FIFO) {
            if (l->depth > p->streams[in[0]].depth)
                p->streams[in[0]].depth = l->depth;
            port_stream[2 * k] = in[0];
            continue;
        }
        HlsProc *pr = &p->procs[p->n_procs];
        pr->l = l;
        pr->index = k;
        hls_unique_name(p, fn_base(l, base, sizeof base), pr->fn);
        pr->in = in[0];
        pr->in2 = in[1];
        pr->out2 = -1;
        for (int i = 0; i < l->n_inputs; i++) {
            p->streams[in[i]].to = p->n_procs;
            /* the helpers the kernel uses: XNOR MVAUs compare whole words */
            p->types[p->streams[in[i]].type].get |= !(l->kind == LAYER_MVAU && l->xnor);
        }
        for (int port = 0; port < layer_outputs(l); port++) {
            int s = add_stream(p, &l->out, p->n_procs, d);
            if (s < 0)
                return false;
            p->types[p->streams[s].type].put = true;
            port_stream[2 * k + port] = s;
            *(port ? &pr->out2 : &pr->out) = s;
        }
        p->n_procs++;
        if (l->kind == LAYER_MVAU || l->kind == LAYER_VVAU) {
            int w = hls_type(p, l->wdt, l->simd);   /* a VVAU's SIMD is 1 */
            if (w < 0)
                return diag_error(d, NULL, NULL, NULL, "out of memory");
            p->types[w].matches |= l->xnor;
            p->types[w].get |= !l->xnor;
            p->popcount |= l->xnor;
        }
    }
    return true;
}

bool hls_plan(HlsPlan *p, const Dataflow *df, const char *name, Diag *d)
{
    memset(p, 0, sizeof *p);
    p->df = df;
    p->name = name;
    snprintf(p->upper, sizeof p->upper, "%s", name);
    for (char *c = p->upper; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    const char *file = df->path;
    if (df->n_layers < 1 || !df->layers)
        return diag_error(d, file, NULL, NULL, "hls target: the dataflow graph has no layers");
    for (int k = 0; k < df->n_layers; k++)
        if (!check_layer(d, p, &df->layers[k]))
            return false;
    p->streams = calloc(2 * (size_t)df->n_layers + 1, sizeof *p->streams);
    p->procs = calloc((size_t)df->n_layers, sizeof *p->procs);
    int *port_stream = malloc(2 * (size_t)df->n_layers * sizeof *port_stream);
    if (!p->streams || !p->procs || !port_stream) {
        free(port_stream);
        return diag_error(d, file, NULL, NULL, "out of memory");
    }
    /* names the emitted code uses besides the layers' */
    static const char *const reserved[] = { "in", "out", "hls_popcount64", "main" };
    char tmp[64];
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        hls_unique_name(p, reserved[k], tmp);
    snprintf(tmp, sizeof tmp, "%s_top", name);
    hls_unique_name(p, tmp, tmp);
    bool ok = plan_streams(p, port_stream, d);
    free(port_stream);
    if (!ok)
        return false;
    int cur = p->n_streams - 1;
    /* the host packs the input beats and unpacks the output beats */
    p->types[p->streams[0].type].put = true;
    p->types[p->streams[cur].type].get = true;
    if (p->n_procs == 0)
        return diag_error(d, file, NULL, NULL, "hls target: the dataflow graph has only FIFOs");
    snprintf(p->streams[cur].name, sizeof p->streams[cur].name, "out");
    for (int k = 0; k < p->n_types; k++) {
        char ignored[64];
        hls_unique_name(p, p->types[k].name, ignored);
    }
    return true;
}

void hls_plan_free(HlsPlan *p)
{
    free(p->types);
    free(p->streams);
    free(p->procs);
    name_table_free(&p->names);
    memset(p, 0, sizeof *p);
}
