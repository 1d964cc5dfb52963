/* A FIFO on every edge between two layers (a JOIN gets one per input). Its depth (in beats) comes from the
 * config entry of the layer it feeds (fifo_depth), else the config's
 * fifo_depth (default DEFAULT_FIFO_DEPTH); RTL simulation sizes them
 * later. */
#include <stdio.h>
#include <string.h>

#include "dataflow.h"

/* The depth of the FIFO in front of layer k. */
static int64_t depth_for(const Dataflow *df, const BuildConfig *cfg, int k)
{
    if (!cfg)
        return DEFAULT_FIFO_DEPTH;
    const Layer *consumer = &df->layers[k];
    int mvau = -1;
    if (consumer->kind == LAYER_MVAU)
        for (int j = 0; j <= k; j++)
            mvau += df->layers[j].kind == LAYER_MVAU;
    for (int j = 0; j < cfg->n_layers; j++) {
        const LayerConfig *e = &cfg->layers[j];
        if (e->fifo_depth && ((e->layer && !strcmp(e->layer, consumer->name)) ||
                              (e->mvau >= 0 && e->mvau == mvau)))
            return e->fifo_depth;
    }
    return cfg->fifo_depth > 0 ? cfg->fifo_depth : DEFAULT_FIFO_DEPTH;
}

bool insert_fifo(Dataflow *df, const BuildConfig *cfg, Diag *d)
{
    int counter = 0;
    for (int k = 0; k < df->n_layers; k++)
        for (int i = 0; i < df->layers[k].n_inputs; i++) {
            int src = df->layers[k].src[i];
            if (src == DATAFLOW_INPUT || df->layers[src].kind == LAYER_FIFO ||
                df->layers[k].kind == LAYER_FIFO)
                continue;
            char name[64];
            do
                snprintf(name, sizeof name, "fifo_%d", counter++);
            while (dataflow_find_layer(df, name) >= 0);
            int64_t depth = depth_for(df, cfg, k);
            Stream s = df->layers[src].out;
            Layer *l = dataflow_insert_on_edge(df, k, i, LAYER_FIFO, name);
            if (!l)
                return diag_error(d, df->path, NULL, NULL, "out of memory");
            l->in = l->out = s;
            l->depth = depth;
            k++;
        }
    dataflow_set_streams(df);
    return true;
}
