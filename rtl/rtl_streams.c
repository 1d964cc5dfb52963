/* The streams of the rtl target's top (emit_rtl_internal.h): one per
 * output port of a layer, plus the top's input.
 *
 *   stream 0                 s_axis, the accelerator input
 *   stream k + 1             output port 0 of layer k ("st<k+1>"; the last
 *                            layer's is m_axis, stream n_layers)
 *   stream n_layers + 1 ..   output port 1 of each FORK, in layer order
 *                            ("st<k+1>_1" for the FORK at layer k)
 *
 * In a chain stream k is what layer k reads, as before the DAG. */
#include <stdio.h>

#include "emit_rtl_internal.h"

int rtl_n_streams(const Dataflow *df)
{
    int n = df->n_layers + 1;
    for (int k = 0; k < df->n_layers; k++)
        n += layer_outputs(&df->layers[k]) - 1;
    return n;
}

int rtl_stream_of(const Dataflow *df, int layer, int port)
{
    if (layer == DATAFLOW_INPUT)
        return 0;
    if (port == 0)
        return layer + 1;
    int s = df->n_layers + 1;
    for (int k = 0; k < layer; k++)
        s += layer_outputs(&df->layers[k]) - 1;
    return s;
}

void rtl_stream_source(const Dataflow *df, int s, int *layer, int *port)
{
    *port = 0;
    if (s <= df->n_layers) {
        *layer = s == 0 ? DATAFLOW_INPUT : s - 1;
        return;
    }
    int next = df->n_layers + 1;
    for (int k = 0; k < df->n_layers; k++)
        for (int p = 1; p < layer_outputs(&df->layers[k]); p++, next++)
            if (next == s) {
                *layer = k;
                *port = p;
                return;
            }
    *layer = DATAFLOW_INPUT;
}

int rtl_stream_sink(const Dataflow *df, int s)
{
    int layer, port;
    rtl_stream_source(df, s, &layer, &port);
    int k = dataflow_consumer(df, layer, port, NULL);
    return k < 0 ? df->n_layers : k;
}

void rtl_stream_name(const Dataflow *df, int s, char *out, size_t size)
{
    int layer, port;
    rtl_stream_source(df, s, &layer, &port);
    if (s == 0)
        snprintf(out, size, "s_axis");
    else if (s == df->n_layers)
        snprintf(out, size, "m_axis");
    else if (port == 0)
        snprintf(out, size, "st%d", s);
    else
        snprintf(out, size, "st%d_%d", layer + 1, port);
}
