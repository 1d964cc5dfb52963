/* Automatic folding (FINN's SetFolding, simplified): the cycle budget is
 * clock_mhz * 1e6 / target_fps; each layer gets the smallest parallelism
 * that meets it, walking the divisors of what it folds in increasing
 * order:
 *
 *   MVAU   SIMD first (divisors of MW, or of the channels when a SWG feeds
 *          it, since the SWG must share its SIMD), then PE (divisors of
 *          MH), while PE * SIMD * weight bits stays within
 *          max_weight_stream_bits; SIMD also speeds up the SWG feeding it,
 *          so the SIMD walk counts the SWG's cycles, the PE walk does not
 *   VVAU   PE over the divisors of the channels (its SWG takes the same
 *          channels per beat, so both are counted); SIMD stays 1
 *   MaxPool, Threshold, LabelSelect, Fork, Join, Pool   PE over the
 *          divisors of the channels
 *
 * A layer still over budget at its largest allowed folding is marked
 * target_missed (the report lists it). */
#include "dataflow.h"

/* The next divisor of n above d, or 0. */
static int64_t next_divisor(int64_t n, int64_t d)
{
    for (int64_t k = d + 1; k <= n; k++)
        if (n % k == 0)
            return k;
    return 0;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Cycles of an MVAU (and the SWG feeding it) at pe, simd. */
static int64_t mvau_cost(Layer *mv, Layer *swg, int pe, int simd)
{
    mv->pe = pe;
    mv->simd = simd;
    int64_t c = layer_cycles(mv);
    if (swg) {
        swg->pe = swg->simd = simd;
        c = max64(c, layer_cycles(swg));
    }
    return c;
}

/* The SWG feeding layer k directly (before DWCs and FIFOs), or -1. */
static int swg_of(const Dataflow *df, int k)
{
    int s = df->layers[k].src[0];
    return s >= 0 && df->layers[s].kind == LAYER_SWG ? s : -1;
}

static void fold_mvau(Dataflow *df, int k, const bool *fixed, double budget, int64_t cap)
{
    Layer *mv = &df->layers[k];
    int si = swg_of(df, k);
    Layer *swg = si >= 0 ? &df->layers[si] : NULL;
    bool swg_fixed = swg && fixed[si];
    int64_t wbits = mv->xnor ? 1 : mv->wdt.bits;
    int64_t simd_of = swg ? swg->channels : mv->mw;
    int pe = 1, simd = swg_fixed ? swg->simd : 1;
    int64_t c = mvau_cost(mv, swg_fixed ? NULL : swg, pe, simd);
    while (c > budget && !swg_fixed) {
        int64_t s = next_divisor(simd_of, simd);
        if (!s || pe * s * wbits > cap)
            break;
        simd = (int)s;
        c = mvau_cost(mv, swg, pe, simd);
    }
    /* PE only helps the MVAU itself, not its SWG */
    while (layer_cycles(mv) > budget) {
        int64_t p = next_divisor(mv->mh, pe);
        if (!p || p * simd * wbits > cap)
            break;
        pe = (int)p;
        c = mvau_cost(mv, swg_fixed ? NULL : swg, pe, simd);
    }
    if (swg_fixed)
        c = max64(c, layer_cycles(swg));
    mv->target_missed = c > budget;
    if (swg && !swg_fixed)
        swg->target_missed = layer_cycles(swg) > budget;
}

/* A VVAU and its SWG share the channels per beat: PE over the divisors
 * of the channels, counting both. */
static void fold_vvau(Dataflow *df, int k, const bool *fixed, double budget)
{
    Layer *vv = &df->layers[k];
    int si = swg_of(df, k);
    Layer *swg = si >= 0 && !fixed[si] ? &df->layers[si] : NULL;
    vv->pe = 1;
    vv->simd = 1;
    for (;;) {
        if (swg)
            swg->pe = swg->simd = vv->pe;
        int64_t c = max64(layer_cycles(vv), swg ? layer_cycles(swg) : 0);
        vv->target_missed = c > budget;
        if (swg)
            swg->target_missed = layer_cycles(swg) > budget;
        int64_t p = next_divisor(vv->channels, vv->pe);
        if (c <= budget || !p)
            return;
        vv->pe = (int)p;
    }
}

static void fold_channels(Layer *l, double budget)
{
    l->pe = l->simd = 1;
    while (layer_cycles(l) > budget) {
        int64_t p = next_divisor(l->channels, l->pe);
        if (!p)
            break;
        l->pe = l->simd = (int)p;
    }
    l->target_missed = layer_cycles(l) > budget;
}

void fold_auto(Dataflow *df, const BuildConfig *cfg, const bool *fixed)
{
    double budget = cfg->clock_mhz * 1e6 / cfg->target_fps;
    int64_t cap = cfg->max_weight_stream_bits;
    for (int k = 0; k < df->n_layers; k++) {
        Layer *l = &df->layers[k];
        if (fixed[k])
            continue;
        switch (l->kind) {
        case LAYER_MVAU:
            fold_mvau(df, k, fixed, budget, cap);
            break;
        case LAYER_VVAU:
            fold_vvau(df, k, fixed, budget);
            break;
        case LAYER_MAXPOOL:
        case LAYER_THRESHOLD:
        case LAYER_LABELSELECT:
        case LAYER_FORK:
        case LAYER_JOIN:
        case LAYER_POOL:
            fold_channels(l, budget);
            break;
        default:
            break;
        }
    }
}
