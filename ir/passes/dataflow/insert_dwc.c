/* A data-width converter on every edge where a layer writes beats of a
 * different width than its consumer reads (same elements, regrouped: element 0 of
 * the stream stays in the low bits of the first beat). */
#include <stdio.h>

#include "dataflow.h"

/* "dwc_<n>", the first n not used as a layer name. */
static void fresh_name(const Dataflow *df, const char *stem, int *counter, char *out, size_t size)
{
    do
        snprintf(out, size, "%s_%d", stem, (*counter)++);
    while (dataflow_find_layer(df, out) >= 0);
}

bool insert_dwc(Dataflow *df, Diag *d)
{
    int counter = 0;
    for (int k = 0; k < df->n_layers; k++)
        for (int i = 0; i < df->layers[k].n_inputs; i++) {
            int src = df->layers[k].src[i];
            if (src == DATAFLOW_INPUT)
                continue;
            const Stream a = df->layers[src].out, b = *layer_input(&df->layers[k], i);
            if (a.elems_per_beat == b.elems_per_beat)
                continue;
            char name[64];
            fresh_name(df, "dwc", &counter, name, sizeof name);
            Layer *l = dataflow_insert_on_edge(df, k, i, LAYER_DWC, name);
            if (!l)
                return diag_error(d, df->path, NULL, NULL, "out of memory");
            l->in = a;
            l->out = b;
            k++;
        }
    df->widths_matched = true;
    dataflow_set_streams(df);
    return true;
}
