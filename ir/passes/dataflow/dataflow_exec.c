/* The dataflow graph's element-level executor: each layer computed the
 * way its hardware streams it, on whole frames, ignoring the folding
 * (which only groups elements into beats). The reference for what each
 * backend's stream must carry; tests compare it with the int engine. */
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"

static int64_t activate(const Layer *l, int64_t row, int64_t acc)
{
    if (!l->n_thresholds)
        return acc;
    const int32_t *t = &l->thresholds[(l->thresholds_per_channel == 1 ? 0 : row) * l->n_thresholds];
    int64_t count = 0;
    for (int k = 0; k < l->n_thresholds; k++)
        count += acc >= t[k];
    return l->out_bias + (int64_t)l->out_scale * count;
}

static void run_mvau(const Layer *l, const int64_t *in, int64_t *out)
{
    for (int64_t v = 0; v < l->vectors; v++) {
        const int64_t *x = &in[v * l->mw];
        for (int64_t h = 0; h < l->mh; h++) {
            const int32_t *w = &l->weights[h * l->mw];
            int64_t acc = 0;
            for (int64_t k = 0; k < l->mw; k++)
                acc += l->xnor ? (x[k] == w[k]) : x[k] * w[k];
            out[v * l->mh + h] = activate(l, h, acc);
        }
    }
}

static void run_swg(const Layer *l, const int64_t *in, int64_t *out)
{
    int64_t C = l->channels, n = 0;
    for (int64_t oh = 0; oh < l->out_h; oh++)
        for (int64_t ow = 0; ow < l->out_w; ow++)
            for (int64_t i = 0; i < l->k_h; i++)
                for (int64_t j = 0; j < l->k_w; j++) {
                    int64_t y = oh * l->stride_h - l->pad_top + i;
                    int64_t x = ow * l->stride_w - l->pad_left + j;
                    bool inside = y >= 0 && y < l->in_h && x >= 0 && x < l->in_w;
                    for (int64_t c = 0; c < C; c++)
                        out[n++] = inside ? in[(y * l->in_w + x) * C + c] : l->pad_value;
                }
}

static void run_maxpool(const Layer *l, const int64_t *in, int64_t *out)
{
    int64_t C = l->channels;
    for (int64_t oh = 0; oh < l->out_h; oh++)
        for (int64_t ow = 0; ow < l->out_w; ow++)
            for (int64_t c = 0; c < C; c++) {
                int64_t m = l->pad_value;
                for (int64_t i = 0; i < l->k_h; i++)
                    for (int64_t j = 0; j < l->k_w; j++) {
                        int64_t y = oh * l->stride_h - l->pad_top + i;
                        int64_t x = ow * l->stride_w - l->pad_left + j;
                        if (y >= 0 && y < l->in_h && x >= 0 && x < l->in_w &&
                            in[(y * l->in_w + x) * C + c] > m)
                            m = in[(y * l->in_w + x) * C + c];
                    }
                out[(oh * l->out_w + ow) * C + c] = m;
            }
}

static void run_labelselect(const Layer *l, const int64_t *in, int64_t *out)
{
    for (int k = 0; k < l->k; k++) {
        int64_t best = -1;
        for (int64_t c = 0; c < l->channels; c++) {
            bool taken = false;
            for (int j = 0; j < k && !taken; j++)
                taken = out[j] == c;
            if (!taken && (best < 0 || in[c] > in[best]))
                best = c;
        }
        out[k] = best;
    }
}

int64_t dataflow_shift_round(int64_t sum, int shift, QonnxRounding mode)
{
    if (shift == 0)
        return sum;
    int64_t D = (int64_t)1 << shift;
    int64_t fl = sum >= 0 ? sum / D : -((-sum + D - 1) / D);
    int64_t rem = sum - fl * D;     /* 0 <= rem < D */
    bool up = false;
    switch (mode) {
    case QROUND_FLOOR: up = false; break;
    case QROUND_CEIL: up = rem != 0; break;
    case QROUND_DOWN: up = sum < 0 && rem != 0; break;
    case QROUND_UP: up = sum >= 0 && rem != 0; break;
    case QROUND_HALF_EVEN: up = 2 * rem > D || (2 * rem == D && (fl & 1)); break;
    case QROUND_HALF_UP: up = 2 * rem > D || (2 * rem == D && sum >= 0); break;
    case QROUND_HALF_DOWN: up = 2 * rem > D || (2 * rem == D && sum < 0); break;
    }
    return fl + up;
}

static void run_pool(const Layer *l, const int64_t *in, int64_t *out)
{
    int64_t C = l->channels;
    for (int64_t oh = 0; oh < l->out_h; oh++)
        for (int64_t ow = 0; ow < l->out_w; ow++)
            for (int64_t c = 0; c < C; c++) {
                int64_t sum = 0;
                for (int64_t i = 0; i < l->k_h; i++)
                    for (int64_t j = 0; j < l->k_w; j++) {
                        int64_t y = oh * l->stride_h - l->pad_top + i;
                        int64_t x = ow * l->stride_w - l->pad_left + j;
                        if (y >= 0 && y < l->in_h && x >= 0 && x < l->in_w)
                            sum += in[(y * l->in_w + x) * C + c];
                    }
                out[(oh * l->out_w + ow) * C + c] = dataflow_shift_round(sum, l->shift,
                                                                         l->rounding);
            }
}

/* The window stream of the SWG: [v][k][c] with K = k_h * k_w taps. */
static void run_vvau(const Layer *l, const int64_t *in, int64_t *out)
{
    int64_t C = l->channels, K = (int64_t)l->k_h * l->k_w;
    for (int64_t v = 0; v < l->vectors; v++)
        for (int64_t c = 0; c < C; c++) {
            int64_t acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += in[(v * K + k) * C + c] * l->weights[c * K + k];
            out[v * C + c] = activate(l, c, acc);
        }
}

static void run_join(const Layer *l, const int64_t *a, const int64_t *b, int64_t *out)
{
    for (int64_t s = 0; s < l->out.elems; s++)
        out[s] = activate(l, s % l->channels, l->mul_a * a[s] + l->mul_b * b[s]);
}

static void free_all(int64_t **bufs, int n)
{
    for (int k = 0; k < n; k++)
        free(bufs[k]);
    free(bufs);
}

/* A layer's output frame lives until its last reader has run (a FORK's
 * two ports share it); `readers` counts the inputs still to read it. */
bool dataflow_exec_frame(const Dataflow *df, const int64_t *in, int64_t *out, Diag *d)
{
    int n = df->n_layers;
    int64_t **bufs = calloc((size_t)n, sizeof *bufs);
    int *readers = calloc((size_t)n, sizeof *readers);
    if (!bufs || !readers) {
        free(bufs);
        free(readers);
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < df->layers[k].n_inputs; i++)
            if (df->layers[k].src[i] >= 0)
                readers[df->layers[k].src[i]]++;
    bool ok = true;
    for (int k = 0; ok && k < n; k++) {
        const Layer *l = &df->layers[k];
        const int64_t *x[2] = { NULL, NULL };
        for (int i = 0; i < l->n_inputs; i++)
            x[i] = l->src[i] == DATAFLOW_INPUT ? in : bufs[l->src[i]];
        int64_t *next = malloc((size_t)l->out.elems * sizeof *next);
        if (!next) {
            ok = diag_error(d, df->path, NULL, NULL, "out of memory");
            break;
        }
        switch (l->kind) {
        case LAYER_MVAU: run_mvau(l, x[0], next); break;
        case LAYER_SWG: run_swg(l, x[0], next); break;
        case LAYER_MAXPOOL: run_maxpool(l, x[0], next); break;
        case LAYER_THRESHOLD:
            for (int64_t s = 0; s < l->in.elems; s++)
                next[s] = activate(l, s % l->channels, x[0][s]);
            break;
        case LAYER_LABELSELECT: run_labelselect(l, x[0], next); break;
        case LAYER_DWC:
        case LAYER_FIFO:
        case LAYER_FORK:
            memcpy(next, x[0], (size_t)l->out.elems * sizeof *next);
            break;
        case LAYER_JOIN: run_join(l, x[0], x[1], next); break;
        case LAYER_VVAU: run_vvau(l, x[0], next); break;
        case LAYER_POOL: run_pool(l, x[0], next); break;
        }
        bufs[k] = next;
        for (int i = 0; i < l->n_inputs; i++)
            if (l->src[i] >= 0 && --readers[l->src[i]] == 0) {
                free(bufs[l->src[i]]);
                bufs[l->src[i]] = NULL;
            }
    }
    if (ok)
        memcpy(out, bufs[n - 1], (size_t)df->layers[n - 1].out.elems * sizeof *out);
    free_all(bufs, n);
    free(readers);
    return ok;
}
