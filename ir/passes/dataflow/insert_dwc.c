/* A data-width converter wherever a layer writes beats of a different
 * width than the next one reads (same elements, regrouped: element 0 of
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
    for (int k = 1; k < df->n_layers; k++) {
        const Stream a = df->layers[k - 1].out, b = df->layers[k].in;
        if (a.elems_per_beat == b.elems_per_beat)
            continue;
        char name[64];
        fresh_name(df, "dwc", &counter, name, sizeof name);
        Layer *l = dataflow_insert_layer(df, k, LAYER_DWC, name);
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
