/* The dataflow graph's helpers: layer list edits, stream widths from the
 * folding, lookups and the verifier every pass is followed by. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"

const char *layer_kind_name(LayerKind k)
{
    switch (k) {
    case LAYER_MVAU: return "MVAU";
    case LAYER_SWG: return "SWG";
    case LAYER_MAXPOOL: return "MaxPool";
    case LAYER_THRESHOLD: return "Threshold";
    case LAYER_LABELSELECT: return "LabelSelect";
    case LAYER_DWC: return "DWC";
    case LAYER_FIFO: return "FIFO";
    case LAYER_FORK: return "Fork";
    case LAYER_JOIN: return "Join";
    case LAYER_VVAU: return "VVAU";
    case LAYER_POOL: return "Pool";
    }
    return "?";
}

void dataflow_free(Dataflow *df)
{
    free(df->layers);
    arena_release(&df->arena);
    memset(df, 0, sizeof *df);
}

Layer *dataflow_insert_layer(Dataflow *df, int k, LayerKind kind, const char *name)
{
    if (df->n_layers == df->cap_layers) {
        int cap = df->cap_layers ? 2 * df->cap_layers : 16;
        Layer *nl = realloc(df->layers, (size_t)cap * sizeof *nl);
        if (!nl)
            return NULL;
        df->layers = nl;
        df->cap_layers = cap;
    }
    memmove(&df->layers[k + 1], &df->layers[k], (size_t)(df->n_layers - k) * sizeof *df->layers);
    df->n_layers++;
    for (int j = k + 1; j < df->n_layers; j++)
        for (int i = 0; i < df->layers[j].n_inputs; i++)
            if (df->layers[j].src[i] >= k)
                df->layers[j].src[i]++;
    Layer *l = &df->layers[k];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->n_inputs = 1;
    l->src[0] = k - 1;
    l->src[1] = DATAFLOW_INPUT;
    l->skip_fork = -1;
    l->name = arena_strdup(&df->arena, name);
    return l->name ? l : NULL;
}

Layer *dataflow_insert_on_edge(Dataflow *df, int k, int in, LayerKind kind, const char *name)
{
    int src = df->layers[k].src[in], port = df->layers[k].src_port[in];
    Layer *l = dataflow_insert_layer(df, k, kind, name);
    if (!l)
        return NULL;
    l->src[0] = src;
    l->src_port[0] = port;
    df->layers[k + 1].src[in] = k;
    df->layers[k + 1].src_port[in] = 0;
    return l;
}

int dataflow_consumer(const Dataflow *df, int k, int port, int *input)
{
    for (int j = k + 1; j < df->n_layers; j++)
        for (int i = 0; i < df->layers[j].n_inputs; i++)
            if (df->layers[j].src[i] == k && df->layers[j].src_port[i] == port) {
                if (input)
                    *input = i;
                return j;
            }
    return -1;
}

const Stream *layer_input(const Layer *l, int i)
{
    return i == 1 ? &l->in2 : &l->in;
}

int layer_outputs(const Layer *l)
{
    return l->kind == LAYER_FORK ? 2 : 1;
}

bool dataflow_is_chain(const Dataflow *df)
{
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        if (l->n_inputs != 1 || l->src[0] != k - 1 || l->src_port[0] != 0 ||
            layer_outputs(l) != 1)
            return false;
    }
    return true;
}

int dataflow_find_layer(const Dataflow *df, const char *name)
{
    for (int k = 0; k < df->n_layers; k++)
        if (!strcmp(df->layers[k].name, name))
            return k;
    return -1;
}

int dataflow_mvau_layer(const Dataflow *df, int n)
{
    for (int k = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_MVAU && n-- == 0)
            return k;
    return -1;
}

int dataflow_swg_consumer(const Dataflow *df, int swg)
{
    int k = dataflow_consumer(df, swg, 0, NULL);
    while (k >= 0 && (df->layers[k].kind == LAYER_FIFO || df->layers[k].kind == LAYER_DWC))
        k = dataflow_consumer(df, k, 0, NULL);
    return k >= 0 && (df->layers[k].kind == LAYER_MVAU || df->layers[k].kind == LAYER_VVAU)
               ? k : -1;
}

bool layer_verror(Diag *d, const Dataflow *df, const Layer *l, const char *prefix,
                  const char *fmt, va_list ap)
{
    char msg[1536];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return diag_error(d, df->path, NULL, NULL, "layer '%s' (%s): %s%s", l->name,
                      layer_kind_name(l->kind), prefix, msg);
}

bool layer_error(Diag *d, const Dataflow *df, const Layer *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = layer_verror(d, df, l, "", fmt, ap);
    va_end(ap);
    return ok;
}

static void set_stream(Stream *s, int epb)
{
    s->elems_per_beat = epb;
    s->beats = epb > 0 ? s->elems / epb : 0;
    s->bits = epb * s->dt.bits;
}

void dataflow_set_streams(Dataflow *df)
{
    for (int k = 0; k < df->n_layers; k++) {
        Layer *l = &df->layers[k];
        int in = 1, out = 1;
        switch (l->kind) {
        case LAYER_MVAU: in = l->simd; out = l->pe; break;
        case LAYER_SWG: in = out = l->simd; break;
        case LAYER_MAXPOOL:
        case LAYER_THRESHOLD:
        case LAYER_FORK:
        case LAYER_JOIN:
        case LAYER_POOL:
        case LAYER_VVAU: in = out = l->pe; break;
        case LAYER_LABELSELECT: in = l->pe; out = 1; break;
        case LAYER_DWC: in = l->in.elems_per_beat; out = l->out.elems_per_beat; break;
        case LAYER_FIFO: in = out = l->in.elems_per_beat; break;
        }
        set_stream(&l->in, in);
        set_stream(&l->out, out);
        if (l->kind == LAYER_JOIN)
            set_stream(&l->in2, in);
    }
}

static bool same_dt(qc_dtype a, qc_dtype b)
{
    return a.kind == b.kind && a.bits == b.bits;
}

static bool verify_layer(const Dataflow *df, const Layer *l, Diag *d)
{
    const Stream *s[2] = { &l->in, &l->out };
    for (int k = 0; k < 2; k++) {
        if (!qc_dtype_valid(s[k]->dt) || s[k]->elems < 1 || s[k]->elems_per_beat < 1 ||
            s[k]->elems % s[k]->elems_per_beat || s[k]->beats * s[k]->elems_per_beat != s[k]->elems ||
            s[k]->bits != s[k]->elems_per_beat * s[k]->dt.bits)
            return layer_error(d, df, l, "inconsistent %s stream (%lld elements, %d per beat, "
                               "%d bits)", k ? "output" : "input", (long long)s[k]->elems,
                               s[k]->elems_per_beat, s[k]->bits);
    }
    switch (l->kind) {
    case LAYER_MVAU:
        if (!l->weights || l->mh < 1 || l->mw < 1 || l->vectors < 1 ||
            l->in.elems != l->mw * l->vectors || l->out.elems != l->mh * l->vectors)
            return layer_error(d, df, l, "inconsistent matrix sizes");
        if (l->pe < 1 || l->simd < 1 || l->mh % l->pe || l->mw % l->simd)
            return layer_error(d, df, l, "folding PE %d, SIMD %d does not divide MH %lld, MW %lld",
                               l->pe, l->simd, (long long)l->mh, (long long)l->mw);
        if (l->n_thresholds && (!l->thresholds || (l->thresholds_per_channel != 1 &&
                                                   l->thresholds_per_channel != l->mh)))
            return layer_error(d, df, l, "inconsistent thresholds");
        break;
    case LAYER_SWG:
        if (l->in.elems != l->in_h * l->in_w * l->channels ||
            l->out.elems != l->out_h * l->out_w * l->k_h * l->k_w * l->channels ||
            l->simd < 1 || l->channels % l->simd || l->pe != l->simd)
            return layer_error(d, df, l, "inconsistent window geometry or folding");
        break;
    case LAYER_MAXPOOL:
        if (l->in.elems != l->in_h * l->in_w * l->channels ||
            l->out.elems != l->out_h * l->out_w * l->channels || l->pe < 1 || l->channels % l->pe)
            return layer_error(d, df, l, "inconsistent pool geometry or folding");
        break;
    case LAYER_THRESHOLD:
        if (l->in.elems != l->out.elems || l->channels < 1 || l->in.elems % l->channels ||
            l->pe < 1 || l->channels % l->pe || !l->thresholds || l->n_thresholds < 1 ||
            (l->thresholds_per_channel != 1 && l->thresholds_per_channel != l->channels))
            return layer_error(d, df, l, "inconsistent thresholds or folding");
        break;
    case LAYER_LABELSELECT:
        if (l->in.elems != l->channels || l->out.elems != l->k || l->k < 1 ||
            l->k > l->channels || l->pe < 1 || l->channels % l->pe)
            return layer_error(d, df, l, "inconsistent label selection");
        break;
    case LAYER_DWC:
        if (l->in.elems != l->out.elems || !same_dt(l->in.dt, l->out.dt))
            return layer_error(d, df, l, "a width converter must not change the data");
        break;
    case LAYER_FIFO:
        if (l->in.elems != l->out.elems || l->in.bits != l->out.bits || l->depth < 1)
            return layer_error(d, df, l, "a FIFO must pass its stream unchanged");
        break;
    case LAYER_FORK:
        if (l->in.elems != l->out.elems || !same_dt(l->in.dt, l->out.dt) || l->pe < 1 ||
            l->channels < 1 || l->channels % l->pe || l->in.elems % l->channels)
            return layer_error(d, df, l, "a fork must pass its stream unchanged");
        break;
    case LAYER_JOIN:
        if (l->n_inputs != 2 || l->in.elems != l->out.elems || l->in2.elems != l->in.elems ||
            l->channels < 1 || l->in.elems % l->channels || l->pe < 1 || l->channels % l->pe ||
            (l->n_thresholds && !l->thresholds) ||
            (l->n_thresholds && l->thresholds_per_channel != 1 &&
             l->thresholds_per_channel != l->channels))
            return layer_error(d, df, l, "inconsistent inputs, thresholds or folding");
        break;
    case LAYER_VVAU:
        if (!l->weights || l->in.elems != l->vectors * l->k_h * l->k_w * l->channels ||
            l->out.elems != l->vectors * l->channels || l->pe < 1 || l->channels % l->pe ||
            l->simd != 1 ||
            (l->n_thresholds && (!l->thresholds || (l->thresholds_per_channel != 1 &&
                                                    l->thresholds_per_channel != l->channels))))
            return layer_error(d, df, l, "inconsistent weights, thresholds or folding");
        break;
    case LAYER_POOL:
        if (l->in.elems != l->in_h * l->in_w * l->channels ||
            l->out.elems != l->out_h * l->out_w * l->channels || l->pe < 1 ||
            l->channels % l->pe || l->shift < 0 || l->shift > 30)
            return layer_error(d, df, l, "inconsistent pool geometry or folding");
        break;
    }
    if (l->n_inputs != (l->kind == LAYER_JOIN ? 2 : 1))
        return layer_error(d, df, l, "%d inputs", l->n_inputs);
    return true;
}

/* Input i of layer k against what its producer writes. */
static bool verify_edge(const Dataflow *df, int k, int i, Diag *d)
{
    const Layer *l = &df->layers[k];
    const Stream *b = layer_input(l, i);
    int src = l->src[i];
    if (src == DATAFLOW_INPUT) {
        if (b->elems != df->in_elems)
            return layer_error(d, df, l, "reads the accelerator input (%lld elements) but "
                               "expects %lld", (long long)df->in_elems, (long long)b->elems);
        return true;
    }
    if (src < 0 || src >= k || l->src_port[i] < 0 ||
        l->src_port[i] >= layer_outputs(&df->layers[src]))
        return layer_error(d, df, l, "input %d reads layer %d port %d, not an earlier layer's "
                           "output", i, src, l->src_port[i]);
    const Stream *a = &df->layers[src].out;
    if (!same_dt(a->dt, b->dt) || a->elems != b->elems ||
        (df->widths_matched && a->bits != b->bits))
        return layer_error(d, df, l, "its input stream (%lld elements, %d bits) does not "
                           "match the output of '%s' (%lld elements, %d bits)",
                           (long long)b->elems, b->bits, df->layers[src].name,
                           (long long)a->elems, a->bits);
    return true;
}

/* Every output port read by exactly one input, but the last layer's. */
static bool verify_ports(const Dataflow *df, Diag *d)
{
    int n = df->n_layers;
    for (int k = DATAFLOW_INPUT; k < n; k++) {
        int ports = k < 0 ? 1 : layer_outputs(&df->layers[k]);
        for (int p = 0; p < ports; p++) {
            int readers = 0;
            for (int j = 0; j < n; j++)
                for (int i = 0; i < df->layers[j].n_inputs; i++)
                    readers += df->layers[j].src[i] == k && df->layers[j].src_port[i] == p;
            int want = k == n - 1 ? 0 : 1;
            if (readers == want)
                continue;
            if (k < 0)
                return diag_error(d, df->path, NULL, NULL, "the accelerator input is read "
                                  "%d times", readers);
            return layer_error(d, df, &df->layers[k], "output %d is read %d times (%s)", p,
                               readers, k == n - 1 ? "the last layer writes the accelerator "
                               "output" : "every output but the last layer's is read once");
        }
    }
    return true;
}

bool dataflow_verify(const Dataflow *df, Diag *d)
{
    if (df->n_layers < 1)
        return diag_error(d, df->path, NULL, NULL, "the dataflow graph has no layers");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        if (!verify_layer(df, l, d))
            return false;
        if (dataflow_find_layer(df, l->name) != k)
            return layer_error(d, df, l, "the layer name is not unique");
        for (int i = 0; i < l->n_inputs; i++)
            if (!verify_edge(df, k, i, d))
                return false;
    }
    if (!verify_ports(df, d))
        return false;
    if (df->layers[0].src[0] != DATAFLOW_INPUT || df->layers[0].in.elems != df->in_elems ||
        (!df->labels_out && df->layers[df->n_layers - 1].out.elems != df->out_elems))
        return diag_error(d, df->path, NULL, NULL, "the dataflow boundary does not match its "
                          "first and last layers");
    return true;
}
