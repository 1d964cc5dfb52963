/* Estimates: cycles per frame and resources of each layer, and of the
 * network (bottleneck, fps, latency). An analysis: estimate_layer and
 * estimate_network return data; estimate_dataflow stores it on the graph.
 * Every formula is written out in docs/dataflow.md; they follow FINN's
 * (finn-hlslib loop nests for cycles, FINN-R for LUTs and BRAM). */
#include <math.h>
#include <stdlib.h>

#include "dataflow.h"

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Depth-width configurations of one RAMB18 (UG573, simple dual port). */
static const int64_t bram_cfg[][2] = {
    { 16384, 1 }, { 8192, 2 }, { 4096, 4 }, { 2048, 9 }, { 1024, 18 }, { 512, 36 },
};

int64_t bram18_for(int64_t depth, int64_t width)
{
    if (depth <= 0 || width <= 0)
        return 0;
    int64_t best = INT64_MAX;
    for (size_t k = 0; k < sizeof bram_cfg / sizeof bram_cfg[0]; k++)
        best = min64(best, cdiv(depth, bram_cfg[k][0]) * cdiv(width, bram_cfg[k][1]));
    return best;
}

/* memories up to this many words are LUTs in the estimate (FIFOs: beats) */
enum { LUT_MEMORY_WORDS = 128, FIFO_LUT_DEPTH = 256 };

bool mvau_weights_in_bram(const Layer *l)
{
    return l->mh * l->mw / ((int64_t)l->pe * l->simd) > LUT_MEMORY_WORDS;
}

bool fifo_in_bram(const Layer *l)
{
    return l->depth > FIFO_LUT_DEPTH;
}

/* A memory of depth x width: LUTRAM (64 deep per LUT and bit) up to
 * LUT_MEMORY_WORDS entries, else RAMB18s. */
static void memory(int64_t depth, int64_t width, int64_t *luts, int64_t *bram)
{
    if (depth <= LUT_MEMORY_WORDS)
        *luts += width * cdiv(depth, 64);
    else
        *bram += bram18_for(depth, width);
}

static int64_t ceil_log2(int64_t x)
{
    int64_t b = 0;
    while (((int64_t)1 << b) < x)
        b++;
    return b;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int64_t layer_cycles(const Layer *l)
{
    int64_t pe = l->pe > 0 ? l->pe : 1, simd = l->simd > 0 ? l->simd : 1;
    switch (l->kind) {
    case LAYER_MVAU:
        return (l->mh / pe) * (l->mw / simd) * l->vectors;
    case LAYER_SWG: {
        int64_t cf = l->channels / simd;
        int64_t iw = l->in_w + l->pad_left + l->pad_right;
        int64_t write_block = l->out_w * l->k_h * l->k_w * cf;
        int64_t read_block = l->stride_w * iw * cf;
        return iw * l->k_h * cf + l->out_h * max64(write_block, read_block);
    }
    case LAYER_MAXPOOL:
        return (l->in_h * l->in_w + l->out_h * l->out_w) * (l->channels / pe);
    case LAYER_THRESHOLD:
        return l->in.elems / pe;
    case LAYER_LABELSELECT:
        return l->channels / pe;
    case LAYER_DWC:
        return max64(l->in.beats, l->out.beats);
    case LAYER_FIFO:
    case LAYER_FORK:
        return l->in.beats;
    case LAYER_JOIN:
        return l->out.beats;
    case LAYER_VVAU:
        return l->vectors * l->k_h * l->k_w * (l->channels / pe) / simd;
    case LAYER_POOL:
        return (l->in_h * l->in_w + l->out_h * l->out_w) * (l->channels / pe);
    }
    return 0;
}

/* Bits of one product in the MVAU's lanes, and whether it takes a DSP. */
static int64_t product_bits(const Layer *l, bool *dsp)
{
    int64_t W = l->wdt.bits, A = l->in.dt.bits;
    *dsp = false;
    if (l->xnor)
        return 1;
    if (W == 1 || A == 1)
        return W + A; /* select or negate */
    *dsp = W > 4 && A > 4;
    return W + A;
}

static void estimate_mvau(const Layer *l, LayerEstimate *e)
{
    int64_t P = l->pe, Q = l->simd, W = l->wdt.bits, A = l->in.dt.bits;
    bool dsp;
    int64_t pb = product_bits(l, &dsp);
    int64_t mult;
    if (l->xnor)
        mult = Q; /* one LUT per XNOR lane */
    else if (W == 1 || A == 1)
        mult = Q * pb;
    else if (dsp)
        mult = 0;
    else
        mult = Q * (2 * cdiv(W + A, 6) - 1) * (W + A);
    int64_t adder = pb * (2 * Q - 1);
    int64_t acc = l->acc_dt.bits;
    int64_t thr = 0, comp = 0;
    if (l->n_thresholds) {
        int64_t tmem = l->thresholds_per_channel == 1 ? 1 : l->mh / P;
        thr = l->n_thresholds * acc * cdiv(tmem, 64);
        comp = l->n_thresholds * acc;
    }
    int64_t per_pe = mult + adder + acc + thr + comp;
    e->luts = 300 + (int64_t)llround(1.1 * (double)(P * per_pe));
    e->dsp = dsp ? P * Q * cdiv(W + A, 48) : 0;
    int64_t depth = l->mh * l->mw / (P * Q);
    int64_t wl = 0, wb = 0;
    memory(depth, Q * W, &wl, &wb);
    e->luts += P * wl;
    e->bram18 = P * wb;
    e->weight_bits = l->mh * l->mw * W;
}

static void estimate_swg(const Layer *l, LayerEstimate *e)
{
    if (l->k_h == 1 && l->k_w == 1) {
        e->luts = 100;   /* a 1x1 window only drops pixels: counters, no line buffer */
        return;
    }
    int64_t iw = l->in_w + l->pad_left + l->pad_right;
    int64_t depth = (l->k_h + l->stride_h) * iw * (l->channels / l->simd);
    e->luts = 300;
    memory(depth, l->simd * l->in.dt.bits, &e->luts, &e->bram18);
}

static void estimate_maxpool(const Layer *l, LayerEstimate *e)
{
    int64_t A = l->in.dt.bits;
    e->luts = 100 + 2 * l->pe * A;
    memory(l->out_w * (l->channels / l->pe), l->pe * A, &e->luts, &e->bram18);
}

static void estimate_threshold(const Layer *l, LayerEstimate *e)
{
    int64_t A = l->in.dt.bits, n = l->n_thresholds;
    int64_t tmem = l->thresholds_per_channel == 1 ? 1 : l->channels / l->pe;
    e->luts = 100 + l->pe * (n * A + n * A * cdiv(tmem, 64));
}

/* Thresholds after an accumulator of `acc` bits: the comparators and the
 * threshold memory of each of the P lanes (C channels over P lanes). */
static int64_t threshold_luts(const Layer *l, int64_t acc, int64_t C, int64_t P)
{
    if (!l->n_thresholds)
        return 0;
    int64_t tmem = l->thresholds_per_channel == 1 ? 1 : C / P;
    return P * (l->n_thresholds * acc + l->n_thresholds * acc * cdiv(tmem, 64));
}

/* A VVAU: P lanes of one multiplier and an accumulator each (the SIMD
 * taps per cycle multiply that), weights C/P * K deep, P * W wide. */
static void estimate_vvau(const Layer *l, LayerEstimate *e)
{
    int64_t P = l->pe, Q = l->simd, W = l->wdt.bits, A = l->in.dt.bits;
    int64_t K = (int64_t)l->k_h * l->k_w, acc = l->acc_dt.bits;
    bool dsp = W > 4 && A > 4;
    int64_t mult = dsp ? 0 : Q * (2 * cdiv(W + A, 6) - 1) * (W + A);
    e->luts = 300 + (int64_t)llround(1.1 * (double)(P * (mult + (W + A) * (2 * Q - 1) + acc)));
    e->luts += threshold_luts(l, acc, l->channels, P);
    e->dsp = dsp ? P * Q : 0;
    memory(l->channels / P * K / Q, P * Q * W, &e->luts, &e->bram18);
    e->weight_bits = l->channels * K * W;
}

/* A JOIN: per lane two constant multipliers (shift-adds) and an adder,
 * then the thresholds. */
static void estimate_join(const Layer *l, LayerEstimate *e)
{
    int64_t acc = l->acc_dt.bits;
    e->luts = 100 + l->pe * 3 * acc + threshold_luts(l, acc, l->channels, l->pe);
}

/* A POOL: P accumulators, a row of partial sums (out_w * C/P entries of
 * the sum's width) and the rounding adder. */
static void estimate_pool(const Layer *l, LayerEstimate *e)
{
    int64_t sum_bits = l->in.dt.bits + ceil_log2((int64_t)l->k_h * l->k_w) + 1;
    e->luts = 100 + 2 * l->pe * sum_bits;
    memory(l->out_w * (l->channels / l->pe), l->pe * sum_bits, &e->luts, &e->bram18);
}

static void estimate_labelselect(const Layer *l, LayerEstimate *e)
{
    int64_t A = l->in.dt.bits, idx = l->out.dt.bits;
    e->luts = 100 + 2 * l->k * (A + idx) + l->pe * A;
}

static void estimate_dwc(const Layer *l, LayerEstimate *e)
{
    int64_t inw = l->in.bits, outw = l->out.bits;
    int64_t intw = inw / gcd64(inw, outw) * outw;
    int64_t cnt = 0, cset = 0;
    if (inw != intw) {
        cnt += ceil_log2(cdiv(intw, inw));
        cset += intw;
    }
    if (intw != outw) {
        cnt += ceil_log2(cdiv(intw, outw));
        cset += intw;
    }
    e->luts = cnt + cset;
}

static void estimate_fifo(const Layer *l, LayerEstimate *e)
{
    int64_t depth = l->depth, W = l->in.bits;
    e->luts = 2 * ceil_log2(depth);
    if (!fifo_in_bram(l))
        e->luts += cdiv(depth, 32) * cdiv(W, 2); /* shift-register LUTs */
    else
        e->bram18 = bram18_for(depth, W);
}

LayerEstimate estimate_layer(const Layer *l)
{
    LayerEstimate e = { 0 };
    e.cycles = layer_cycles(l);
    e.latency = l->kind == LAYER_DWC || l->kind == LAYER_FIFO || l->kind == LAYER_FORK
                    ? 2 : e.cycles;
    switch (l->kind) {
    case LAYER_MVAU: estimate_mvau(l, &e); break;
    case LAYER_SWG: estimate_swg(l, &e); break;
    case LAYER_MAXPOOL: estimate_maxpool(l, &e); break;
    case LAYER_THRESHOLD: estimate_threshold(l, &e); break;
    case LAYER_LABELSELECT: estimate_labelselect(l, &e); break;
    case LAYER_DWC: estimate_dwc(l, &e); break;
    case LAYER_FIFO: estimate_fifo(l, &e); break;
    case LAYER_FORK: e.luts = 2 + l->out.bits / 8; break;   /* a valid/ready join */
    case LAYER_JOIN: estimate_join(l, &e); break;
    case LAYER_VVAU: estimate_vvau(l, &e); break;
    case LAYER_POOL: estimate_pool(l, &e); break;
    }
    return e;
}

/* The latency is the longest path's: a layer starts when its slowest
 * input has arrived (a chain's sum). */
NetworkEstimate estimate_network(const Dataflow *df)
{
    NetworkEstimate n = { 0 };
    int64_t *done = calloc((size_t)(df->n_layers > 0 ? df->n_layers : 1), sizeof *done);
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        LayerEstimate e = estimate_layer(l);
        if (e.cycles > n.bottleneck_cycles) {
            n.bottleneck = k;
            n.bottleneck_cycles = e.cycles;
        }
        int64_t start = 0;
        for (int i = 0; done && i < l->n_inputs; i++)
            if (l->src[i] >= 0)
                start = max64(start, done[l->src[i]]);
        if (done)
            done[k] = start + e.latency;
        n.latency_cycles = done ? max64(n.latency_cycles, done[k])
                                : n.latency_cycles + e.latency;
        n.luts += e.luts;
        n.bram18 += e.bram18;
        n.dsp += e.dsp;
        n.weight_bits += e.weight_bits;
    }
    free(done);
    n.fps = n.bottleneck_cycles ? df->clock_mhz * 1e6 / (double)n.bottleneck_cycles : 0;
    return n;
}

void estimate_dataflow(Dataflow *df)
{
    for (int k = 0; k < df->n_layers; k++) {
        Layer *l = &df->layers[k];
        LayerEstimate e = estimate_layer(l);
        l->cycles = e.cycles;
        l->latency = e.latency;
        l->luts = e.luts;
        l->bram18 = e.bram18;
        l->dsp = e.dsp;
        l->weight_bits = e.weight_bits;
    }
    NetworkEstimate n = estimate_network(df);
    df->bottleneck = n.bottleneck;
    df->bottleneck_cycles = n.bottleneck_cycles;
    df->latency_cycles = n.latency_cycles;
    df->fps = n.fps;
    df->total_luts = n.luts;
    df->total_bram18 = n.bram18;
    df->total_dsp = n.dsp;
    df->total_weight_bits = n.weight_bits;
}
