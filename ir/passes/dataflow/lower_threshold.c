/* MultiThreshold: fused into the MVAU, VVAU or JOIN that computes its
 * input (when nothing else reads that input), or a standalone THRESHOLD
 * layer.
 *
 * Either way the layer applies threshold row `channel` to each element,
 * channels being the innermost stream dimension: a stream of C-channel
 * pixels (C = MH after an MVAU) or one flat vector. Row j of the layer is
 * the MultiThreshold's row for the channel of stream element j, which
 * must be the same for every element at position j modulo C. Thresholds
 * beyond the input's range are clamped to one past it (same counts), so
 * they fit 32 bits. */
#include <stdio.h>

#include "lower_internal.h"
#include "op_int_params.h"

/* The MultiThreshold's channel of each of the first `period` stream
 * elements into ch[], checking the pattern repeats over the frame. */
static bool channel_pattern(Lower *L, const Node *n, const MultiThresholdParams *mt,
                            int64_t period, int64_t *ch)
{
    const Tensor *x = mt->x;
    int rank = x->shape.rank;
    int64_t axis = mt->channel_axis;
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return lower_fail(L, n, "channel_axis %lld is out of range", (long long)axis);
    int64_t inner = 1, dim = x->shape.dims[axis];
    for (int k = (int)axis + 1; k < rank; k++)
        inner *= x->shape.dims[k];
    for (int64_t s = 0; s < L->elems; s++) {
        int64_t c = (L->order[s] / inner) % dim;
        if (s < period)
            ch[s] = c;
        else if (ch[s % period] != c)
            return false;
    }
    return true;
}

/* Fills l's threshold fields from n for a stream whose channels repeat
 * every `period` elements. */
static bool thresholds(Lower *L, const Node *n, Layer *l, int64_t period)
{
    MultiThresholdParams mt;
    if (!multithreshold_params(&L->ctx, n, &mt))
        return false;
    const Value *t = mt.thresholds->value;
    if (!t || !t->i || t->shape.rank != 2)
        return lower_fail(L, n, "thresholds must be a constant integer tensor [C or 1, L]");
    int64_t rows = t->shape.dims[0], nt = t->shape.dims[1];
    if (nt < 1 || nt > (1 << 16))
        return lower_fail(L, n, "%lld thresholds per channel are not supported", (long long)nt);
    int64_t *ch = arena_array(&L->df->arena, (size_t)period, sizeof *ch);
    if (!ch)
        return lower_fail(L, n, "out of memory");
    if (rows > 1 && !channel_pattern(L, n, &mt, period, ch))
        return lower_fail(L, n, "its channels are not the innermost dimension of the stream "
                          "(every %lld elements)", (long long)period);
    int64_t lo = qc_dtype_min(L->dt), hi = qc_dtype_max(L->dt);
    l->n_thresholds = (int)nt;
    l->thresholds_per_channel = rows > 1 ? period : 1;
    l->thresholds = arena_array(&L->df->arena, (size_t)(l->thresholds_per_channel * nt),
                                sizeof *l->thresholds);
    if (!l->thresholds)
        return lower_fail(L, n, "out of memory");
    for (int64_t r = 0; r < l->thresholds_per_channel; r++)
        for (int64_t k = 0; k < nt; k++) {
            int64_t v = t->i[(rows > 1 ? ch[r] : 0) * nt + k];
            v = v < lo ? lo : v > hi + 1 ? hi + 1 : v;
            if (!lower_need_i32(L, n, v, "threshold"))
                return false;
            l->thresholds[r * nt + k] = (int32_t)v;
        }
    int64_t scale = mt.out_scale, bias = mt.out_bias;
    if (!lower_need_i32(L, n, scale, "out_scale") || !lower_need_i32(L, n, bias, "out_bias"))
        return false;
    l->out_scale = (int32_t)scale;
    l->out_bias = (int32_t)bias;
    l->thr_node = n;
    return true;
}

bool lower_threshold(Lower *L, const Node *n)
{
    const Tensor *x = n->inputs[0], *y = n->outputs[0];
    Dataflow *df = L->df;
    Layer *prev = df->n_layers ? &df->layers[df->n_layers - 1] : NULL;
    qc_dtype out_dt;
    if (!lower_tensor_dt(L, n, y, &out_dt))
        return false;
    bool computes = prev && (prev->kind == LAYER_MVAU || prev->kind == LAYER_VVAU ||
                             prev->kind == LAYER_JOIN);
    if (computes && !prev->n_thresholds && L->last == x && L->src == df->n_layers - 1) {
        if (!thresholds(L, n, prev, prev->kind == LAYER_MVAU ? prev->mh : prev->channels))
            return false;
        prev->out.dt = out_dt;
        return lower_advance(L, n, y, L->order, true);
    }
    /* standalone: channels are the image's (NHWC) or the whole vector */
    int64_t period = L->elems;
    if (x->shape.rank == 4 && lower_order_is(L->order, lower_nhwc_order(L, x->shape.dims[1],
                                                                        x->shape.dims[2],
                                                                        x->shape.dims[3]),
                                             L->elems))
        period = x->shape.dims[1];
    Layer *l = lower_add_layer(L, LAYER_THRESHOLD, n->name, n);
    if (!l || !thresholds(L, n, l, period))
        return false;
    l->channels = period;
    l->out.dt = out_dt;
    l->out.elems = L->elems;
    return lower_advance(L, n, y, L->order, true);
}
