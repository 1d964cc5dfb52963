/* The host's integer frames around a dataflow accelerator (emit_host_io.h),
 * shared by the hls testbench (hls/emit_hls_tb.c) and the rtl harness's
 * host side (rtl/emit_rtl_host.c). */
#include "emit_host_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_util.h"
#include "ops.h"
#include "qc_dtype_name.h"

/* An int32 frame of tensor t: channels-last for rank >= 3, as the ref
 * target stores images, row-major otherwise. */
static bool frame_tensor(const Dataflow *df, const Tensor *t, const char *target, RefTensor *r,
                         Diag *d)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->buf = r->def = r->last = -1;
    r->fmt = REF_I32;
    r->shape = t->shape;
    if (!t->qdt || qc_dtype_parse(t->qdt, &r->dt) != 0 || !shape_known(&t->shape) ||
        t->shape.rank < 1 || shape_count(&t->shape) < 1)
        return diag_error(d, df->path, NULL, NULL, "%s target: tensor '%s' needs an integer "
                          "datatype and a known shape", target, t->name);
    r->count = shape_count(&t->shape);
    const int64_t *dims = t->shape.dims;
    if (t->shape.rank >= 3) {
        if (dims[0] != 1)
            return diag_error(d, df->path, NULL, NULL, "%s target: tensor '%s' has batch %lld; "
                              "a frame must have batch 1", target, t->name, (long long)dims[0]);
        r->channels_last = true;
        r->n = 1;
        r->c = dims[1];
        r->s = r->count / dims[1];
        r->inner = r->c;
    } else {
        r->inner = dims[t->shape.rank - 1];
    }
    r->rows = r->count / r->inner;
    r->row_words = (r->inner + 63) / 64;
    r->size = r->count;
    return true;
}

/* map[s] = stored index of element order[s] (s when order is NULL) of r's
 * row-major frame; *identity when that is s for every s. */
static bool stream_map(const Dataflow *df, const RefTensor *r, const Stream *s,
                       const int64_t *order, const char *target, const char *what,
                       int64_t **map, bool *identity, Diag *d)
{
    char n1[16], n2[16];
    *map = NULL;
    if (r->count != s->elems)
        return diag_error(d, df->path, NULL, NULL, "%s target: the %s stream carries %lld "
                          "elements per frame, tensor '%s' has %lld", target, what,
                          (long long)s->elems, r->t->name, (long long)r->count);
    if (r->dt.kind != s->dt.kind || r->dt.bits != s->dt.bits)
        return diag_error(d, df->path, NULL, NULL, "%s target: the %s stream carries %s, "
                          "tensor '%s' is %s", target, what, ref_dt_name(s->dt, n1), r->t->name,
                          ref_dt_name(r->dt, n2));
    *map = malloc((size_t)r->count * sizeof **map);
    if (!*map)
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    *identity = true;
    for (int64_t k = 0; k < r->count; k++) {
        (*map)[k] = ref_phys_index(r, order ? order[k] : k);
        *identity = *identity && (*map)[k] == k;
    }
    return true;
}


bool host_io_plan(const Dataflow *df, const RefPlan *rp, const Stream *first, const Stream *last,
                  const char *target, HostIo *io, Diag *d)
{
    memset(io, 0, sizeof *io);
    if (df->in_tensor && df->in_tensor != rp->x->t)
        return diag_error(d, df->path, NULL, NULL, "%s target: the accelerator reads '%s', "
                          "not InputQuant's output '%s'", target, df->in_tensor->name,
                          rp->x->t->name);
    if (!frame_tensor(df, rp->x->t, target, &io->x, d) ||
        !stream_map(df, &io->x, first, df->in_order, target, "input", &io->in_map,
                    &io->in_identity, d))
        return false;
    io->labels = df->labels_out;
    if (io->labels) {
        /* the accelerator writes k labels: the host hands them out as they are */
        Tensor *t = &io->labels_tensor;
        t->name = "labels";
        t->shape.rank = 2;
        t->shape.dims[0] = 1;
        t->shape.dims[1] = last->elems;
        io->y.t = t;
        io->y.dt = last->dt;
        io->y.fmt = REF_I32;
        io->y.shape = t->shape;
        io->y.count = io->y.size = io->y.inner = last->elems;
        io->y.rows = 1;
        io->y.buf = -1;
        return true;
    }
    /* between the last layer's tensor and OutputAffine only reshapes */
    const Tensor *t = rp->y->t;
    while (df->out_tensor && t != df->out_tensor && t->producer &&
           op_kind_keeps_order(node_kind(t->producer)))
        t = t->producer->inputs[0];
    if (df->out_tensor && t != df->out_tensor)
        return diag_error(d, df->path, NULL, NULL, "%s target: between the accelerator's "
                          "output '%s' and OutputAffine's input '%s' the host can only reshape",
                          target, df->out_tensor->name, rp->y->t->name);
    return frame_tensor(df, rp->y->t, target, &io->y, d) &&
           stream_map(df, &io->y, last, df->out_order, target, "output", &io->out_map,
                      &io->out_identity, d);
}

void host_io_free(HostIo *io)
{
    free(io->in_map);
    free(io->out_map);
    io->in_map = io->out_map = NULL;
}

void host_emit_map(TextBuf *b, const char *name, const int64_t *map, int64_t n, const char *what)
{
    int32_t *v = malloc((size_t)n * sizeof *v);
    char decl[96];
    if (!v) {
        b->oom = true;
        return;
    }
    for (int64_t k = 0; k < n; k++)
        v[k] = (int32_t)map[k];
    tb_printf(b, "/* %s */\n", what);
    snprintf(decl, sizeof decl, "static const int32_t %s[%lld]", name, (long long)n);
    emit_array_i32(b, decl, v, (size_t)n, 16);
    tb_puts(b, "\n");
    free(v);
}
