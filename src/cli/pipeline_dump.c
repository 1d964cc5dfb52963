/* --dump-after STEP: the graph after a step as text (pipeline.h), one
 * line per interface tensor and per node; after the dataflow steps, one
 * line per layer with its folding.
 *
 *   node 3 IntMatMul 'MatMul_0': t2 UINT8 [1, 784], W0 BIPOLAR [784, 64] const
 *       -> t3 INT32 [1, 64]
 *
 * (one line; wrapped here). A tensor's datatype is its QONNX annotation
 * (INT4, BIPOLAR) when it has one, else its ONNX element type. */
#include <stdio.h>
#include <string.h>

#include "pipeline.h"
#include "qc_dtype_name.h"

static void tensor_text(const Tensor *t, FILE *f)
{
    char shape[256];
    if (!t) {
        fputs("(none)", f);
        return;
    }
    fprintf(f, "%s %s %s%s", t->name, t->qdt ? t->qdt : elem_type_name(t->elem_type),
            shape_str(&t->shape, shape, sizeof shape), t->value ? " const" : "");
}

static void tensors_text(Tensor *const *ts, int n, FILE *f)
{
    for (int k = 0; k < n; k++) {
        fputs(k ? ", " : "", f);
        tensor_text(ts[k], f);
    }
}

static void dump_graph(const Graph *g, const char *step, FILE *f)
{
    fprintf(f, "# %s after step %s: %d nodes\n", g->path, step, g->n_nodes);
    for (int k = 0; k < g->n_inputs; k++) {
        fputs("input ", f);
        tensor_text(g->inputs[k], f);
        fputc('\n', f);
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        fprintf(f, "node %d %s '%s': ", k, n->op_type, n->name ? n->name : "");
        tensors_text(n->inputs, n->n_inputs, f);
        fputs(" -> ", f);
        tensors_text(n->outputs, n->n_outputs, f);
        fputc('\n', f);
    }
    for (int k = 0; k < g->n_outputs; k++) {
        fputs("output ", f);
        tensor_text(g->outputs[k], f);
        fputc('\n', f);
    }
}

static void stream_text(const Stream *s, FILE *f)
{
    char dt[16];
    fprintf(f, "%s x%lld, %d/beat, %d bits", qc_dtype_name(s->dt, dt), (long long)s->elems,
            s->elems_per_beat, s->bits);
}

static void dump_dataflow(const Dataflow *df, const char *step, FILE *f)
{
    fprintf(f, "# %s after step %s: %d layers, %.6g frames/s at %g MHz, bottleneck %s\n",
            df->path, step, df->n_layers, df->fps, df->clock_mhz,
            df->n_layers ? df->layers[df->bottleneck].name : "-");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        fprintf(f, "layer %d %s '%s':", k, layer_kind_name(l->kind), l->name);
        if (l->pe || l->simd)       /* DWC and FIFO are not folded */
            fprintf(f, " pe %d, simd %d", l->pe, l->simd);
        if (l->kind == LAYER_MVAU)
            fprintf(f, ", mh %lld, mw %lld", (long long)l->mh, (long long)l->mw);
        if (l->kind == LAYER_FIFO)
            fprintf(f, " depth %lld", (long long)l->depth);
        fputs("; in ", f);
        stream_text(&l->in, f);
        fputs("; out ", f);
        stream_text(&l->out, f);
        fprintf(f, "; %lld cycles\n", (long long)l->cycles);
    }
}

void pipeline_dump(const Pipeline *p, const char *step, FILE *f)
{
    bool layers = p->have_df && (!strcmp(step, "dataflow") || !strcmp(step, "size-fifos"));
    if (layers)
        dump_dataflow(&p->df, step, f);
    else if (p->g)
        dump_graph(p->g, step, f);
}
