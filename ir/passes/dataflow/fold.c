/* Folding: PE and SIMD of every layer.
 *
 *   1. explicit entries of the config (by layer name or MVAU index) fix
 *      their layers;
 *   2. with target_fps, fold_auto (fold_auto.c) chooses the others;
 *      without, MVAUs and VVAUs take PE = SIMD = 1 and the streaming layers
 *      (MaxPool, Threshold, LabelSelect, Fork, Join, Pool) the
 *      parallelism of the stream they read (no width converter needed);
 *   3. a SWG takes its MVAU's SIMD (its VVAU's PE) unless the config set it;
 *   4. fold_check: every rule, with an error naming the layer and the rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"

/* The layer a config entry selects, or -1 with an error naming the line. */
static int entry_layer(const Dataflow *df, const BuildConfig *cfg, const LayerConfig *e, Diag *d)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%d", cfg->path, e->line);
    int k = e->layer ? dataflow_find_layer(df, e->layer) : dataflow_mvau_layer(df, e->mvau);
    if (k >= 0)
        return k;
    int mvaus = 0;
    for (int j = 0; j < df->n_layers; j++)
        mvaus += df->layers[j].kind == LAYER_MVAU;
    if (e->layer)
        diag_error(d, where, NULL, NULL, "no layer named '%s' in %s (see `qonnxc report` for "
                   "the layer names)", e->layer, df->path);
    else
        diag_error(d, where, NULL, NULL, "mvau: %d, but %s has %d MVAUs (numbered from 0)",
                   e->mvau, df->path, mvaus);
    diag_set_exit(d, EXIT_USAGE);
    return -1;
}

static bool apply_entry(Dataflow *df, const BuildConfig *cfg, const LayerConfig *e, Layer *l,
                        Diag *d)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%d", cfg->path, e->line);
    switch (l->kind) {
    case LAYER_MVAU:
    case LAYER_VVAU:
        l->pe = e->pe ? e->pe : 1;
        l->simd = e->simd ? e->simd : 1;
        return true;
    case LAYER_SWG:
        if (e->pe && e->simd && e->pe != e->simd)
            break;
        l->simd = l->pe = e->simd ? e->simd : e->pe ? e->pe : l->simd;
        return true;
    case LAYER_MAXPOOL:
    case LAYER_THRESHOLD:
    case LAYER_LABELSELECT:
    case LAYER_FORK:
    case LAYER_JOIN:
    case LAYER_POOL:
        if (e->simd && e->pe && e->simd != e->pe)
            break;
        l->pe = l->simd = e->pe ? e->pe : e->simd ? e->simd : l->pe;
        return true;
    default:
        break;
    }
    diag_error(d, where, NULL, NULL, "layer '%s' (%s) of %s takes one parallelism (%s), not "
               "different pe and simd", l->name, layer_kind_name(l->kind), df->path,
               l->kind == LAYER_SWG ? "simd" : "pe");
    diag_set_exit(d, EXIT_USAGE);
    return false;
}

/* Parallelism of the stream layer k reads (what its producer moves per beat). */
static int incoming(const Dataflow *df, int k)
{
    if (df->layers[k].src[0] == DATAFLOW_INPUT)
        return 0;
    const Layer *p = &df->layers[df->layers[k].src[0]];
    switch (p->kind) {
    case LAYER_MVAU: return p->pe;
    case LAYER_SWG: return p->simd;
    case LAYER_LABELSELECT: return 1;
    default: return p->pe;
    }
}

static bool check(const Dataflow *df, const int *lines, const char *cfg_path, Diag *d)
{
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        char rule[512] = "";
        switch (l->kind) {
        case LAYER_MVAU:
            if (l->pe < 1 || l->mh % l->pe)
                snprintf(rule, sizeof rule, "PE %d does not divide MH %lld (rule: MH %% PE == 0)",
                         l->pe, (long long)l->mh);
            else if (l->simd < 1 || l->mw % l->simd)
                snprintf(rule, sizeof rule, "SIMD %d does not divide MW %lld (rule: MW %% SIMD "
                         "== 0)", l->simd, (long long)l->mw);
            break;
        case LAYER_SWG: {
            int m = dataflow_swg_consumer(df, k);
            bool vvau = m >= 0 && df->layers[m].kind == LAYER_VVAU;
            if (vvau && l->simd == df->layers[m].pe)
                break;   /* the VVAU's own rule checks the channels */
            if (l->simd < 1 || l->channels % l->simd)
                snprintf(rule, sizeof rule, "SIMD %d does not divide its %lld channels (rule: "
                         "C %% SIMD == 0 for a SWG)", l->simd, (long long)l->channels);
            else if (m >= 0 && df->layers[m].kind == LAYER_MVAU && df->layers[m].simd != l->simd)
                snprintf(rule, sizeof rule, "SIMD %d differs from SIMD %d of its MVAU '%s' "
                         "(rule: a SWG's SIMD equals its MVAU's SIMD)", l->simd,
                         df->layers[m].simd, df->layers[m].name);
            else if (m >= 0 && df->layers[m].kind == LAYER_VVAU && df->layers[m].pe != l->simd)
                snprintf(rule, sizeof rule, "SIMD %d differs from PE %d of its VVAU '%s' "
                         "(rule: a SWG's SIMD equals its VVAU's PE, the channels per beat)",
                         l->simd, df->layers[m].pe, df->layers[m].name);
            break;
        }
        case LAYER_VVAU:
            if (l->pe < 1 || l->channels % l->pe)
                snprintf(rule, sizeof rule, "PE %d does not divide its %lld channels (rule: C "
                         "%% PE == 0 for a VVAU)", l->pe, (long long)l->channels);
            else if (l->simd != 1)
                snprintf(rule, sizeof rule, "SIMD %d: a VVAU takes SIMD 1 (one window tap per "
                         "cycle; more taps per cycle need the SWG to emit the window "
                         "channel-major, which it does not)", l->simd);
            break;
        case LAYER_MAXPOOL:
        case LAYER_THRESHOLD:
        case LAYER_LABELSELECT:
        case LAYER_FORK:
        case LAYER_JOIN:
        case LAYER_POOL:
            if (l->pe < 1 || l->channels % l->pe)
                snprintf(rule, sizeof rule, "PE %d does not divide its %lld channels (rule: C "
                         "%% PE == 0 for a %s)", l->pe, (long long)l->channels,
                         layer_kind_name(l->kind));
            break;
        default:
            break;
        }
        if (!rule[0])
            continue;
        char from[600] = "";
        if (lines && lines[k])
            snprintf(from, sizeof from, " (folding set at %s:%d)", cfg_path, lines[k]);
        layer_error(d, df, l, "%s%s", rule, from);
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    return true;
}

bool fold_check(const Dataflow *df, Diag *d)
{
    return check(df, NULL, NULL, d);
}

bool fold_dataflow(Dataflow *df, const BuildConfig *cfg, Diag *d)
{
    BuildConfig defaults;
    if (!cfg) {
        config_defaults(&defaults);
        cfg = &defaults;
    }
    int n = df->n_layers;
    bool *fixed = calloc((size_t)n, sizeof *fixed);
    int *lines = calloc((size_t)n, sizeof *lines);
    if (!fixed || !lines) {
        free(fixed);
        free(lines);
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    }
    bool ok = true;
    for (int k = 0; k < n; k++)
        df->layers[k].pe = df->layers[k].simd = 1;
    for (int j = 0; ok && j < cfg->n_layers; j++) {
        int k = entry_layer(df, cfg, &cfg->layers[j], d);
        ok = k >= 0 && (!cfg->layers[j].pe && !cfg->layers[j].simd ? true
                        : apply_entry(df, cfg, &cfg->layers[j], &df->layers[k], d));
        if (ok && (cfg->layers[j].pe || cfg->layers[j].simd)) {
            fixed[k] = true;
            lines[k] = cfg->layers[j].line;
        }
    }
    if (ok && cfg->target_fps > 0)
        fold_auto(df, cfg, fixed);
    for (int k = 0; ok && k < n; k++) {
        Layer *l = &df->layers[k];
        if (fixed[k])
            continue;
        if (l->kind == LAYER_SWG) {
            int m = dataflow_swg_consumer(df, k);
            if (m >= 0)
                l->simd = l->pe = df->layers[m].kind == LAYER_VVAU ? df->layers[m].pe
                                                                     : df->layers[m].simd;
        } else if (cfg->target_fps <= 0 && (l->kind == LAYER_MAXPOOL ||
                                             l->kind == LAYER_THRESHOLD ||
                                             l->kind == LAYER_LABELSELECT ||
                                             l->kind == LAYER_FORK || l->kind == LAYER_JOIN ||
                                             l->kind == LAYER_POOL)) {
            int p = incoming(df, k);
            l->pe = l->simd = p > 0 && l->channels % p == 0 ? p : 1;
        }
    }
    if (ok) {
        dataflow_set_streams(df);
        ok = check(df, lines, cfg->path, d);
    }
    free(fixed);
    free(lines);
    return ok;
}
