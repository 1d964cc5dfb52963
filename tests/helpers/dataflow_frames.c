/* dataflow_frames.h: the dataflow executor against the int engine. */
#include "dataflow_frames.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

typedef struct Capture {
    const Tensor *in_t, *out_t;
    Value *in, *out;
} Capture;

static void capture(void *user, const Node *n, Value *const *outputs)
{
    Capture *c = user;
    for (int k = 0; k < n->n_outputs; k++) {
        if (n->outputs[k] == c->in_t && !c->in)
            c->in = value_copy(outputs[k]);
        if (n->outputs[k] == c->out_t && !c->out)
            c->out = value_copy(outputs[k]);
    }
}

/* Frame f of a [N, ...] value, as [1, ...]. */
static Value *frame(const Value *all, int64_t f)
{
    Shape s = all->shape;
    s.dims[0] = 1;
    Value *v = value_new(ET_FLOAT, &s);
    int64_t n = v->count;
    memcpy(v->f, all->f + f * n, (size_t)n * sizeof(float));
    return v;
}

int dataflow_compare_frames(const char *model, Graph *g, const Dataflow *df, const Value *all,
                            int frames, int labels)
{
    int64_t out_n = df->layers[df->n_layers - 1].out.elems;
    int64_t *in = malloc((size_t)df->in_elems * sizeof *in);
    int64_t *out = malloc((size_t)out_n * sizeof *out);
    if (frames > all->shape.dims[0])
        frames = (int)all->shape.dims[0];
    for (int f = 0; f < frames; f++) {
        Diag d;
        diag_init(&d);
        Value *x = frame(all, f), *y = NULL;
        Capture c = { df->in_tensor, df->out_tensor, NULL, NULL };
        const Value *ins[1] = { x };
        ck_assert_msg(exec_run_observed(g, ins, &y, capture, &c, &d), "%s", d.msg);
        ck_assert_ptr_nonnull(c.in);
        ck_assert_ptr_nonnull(c.out);
        for (int64_t s = 0; s < df->in_elems; s++)
            in[s] = c.in->i[df->in_order[s]];
        ck_assert_msg(dataflow_exec_frame(df, in, out, &d), "%s", d.msg);
        if (labels) {
            /* top-k of the int engine's scores, ties to the lower index */
            for (int k = 0; k < labels; k++) {
                int64_t want = -1;
                for (int64_t j = 0; j < c.out->count; j++) {
                    bool taken = false;
                    for (int i = 0; i < k; i++)
                        taken |= out[i] == j;
                    if (!taken && (want < 0 || c.out->i[j] > c.out->i[want]))
                        want = j;
                }
                ck_assert_msg(out[k] == want, "%s frame %d: label %d is %lld, want %lld", model,
                              f, k, (long long)out[k], (long long)want);
            }
        } else
            for (int64_t s = 0; s < out_n; s++)
                ck_assert_msg(out[s] == c.out->i[df->out_order[s]],
                              "%s frame %d: stream element %lld is %lld, the int engine says "
                              "%lld", model, f, (long long)s, (long long)out[s],
                              (long long)c.out->i[df->out_order[s]]);
        value_free(c.in);
        value_free(c.out);
        value_free(x);
        value_free(y);
    }
    free(in);
    free(out);
    return frames;
}

