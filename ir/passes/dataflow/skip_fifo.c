/* The depth a FIFO on a JOIN's input needs so that the two branches from
 * their FORK cannot deadlock, computed from the layers' geometry before
 * any simulation (docs/dataflow.md, "Skip FIFOs: deadlock-free by
 * construction", gives the argument).
 *
 * Units are pixels: an image stream's pixel is its C channels, a SWG's
 * output pixel one window, a vector stream one vector. For each layer on
 * a branch, need(n) is the number of input pixels it may read before it
 * has written its first n output pixels:
 *
 *   need_hi   what the implementation may read (a window layer buffers
 *             whole rows and reads `stride` rows ahead while it writes)
 *   need_lo   what it must read (the window's last pixel)
 *
 * A branch's need is the composition of its layers' (FORK to JOIN). When
 * the JOIN waits for pixel n of branch a, the FORK has had to write
 * need_a(n) pixels; branch b can have turned them into at most
 * made_b(m) = max { n' : need_lo_b(n') <= m } pixels, of which the JOIN
 * took n - 1. The FIFO in front of the JOIN's input b must hold that
 * difference for every n, plus one pixel for a pixel in flight, plus two
 * beats for the handshake registers: then whenever it is full, branch a
 * has its input and the JOIN proceeds. */
#include <string.h>

#include "dataflow.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static bool windowed(const Layer *l)
{
    return l->kind == LAYER_SWG || l->kind == LAYER_MAXPOOL || l->kind == LAYER_POOL;
}

/* need(n) of one layer, n >= 1 output pixels. */
static int64_t layer_need(const Layer *l, int64_t n, bool hi)
{
    if (!windowed(l))
        return n;
    int64_t q = n - 1, oh = q / l->out_w, ow = q % l->out_w;
    int64_t rmax = min64(oh * l->stride_h - l->pad_top + l->k_h - 1, l->in_h - 1);
    if (hi) {
        int64_t rows = min64(rmax + 1 + l->stride_h, l->in_h);
        return rows * l->in_w;
    }
    int64_t cmax = min64(ow * l->stride_w - l->pad_left + l->k_w - 1, l->in_w - 1);
    return max64(rmax, 0) * l->in_w + max64(cmax, 0) + 1;
}

/* The layers from a FORK to a JOIN's input (path[0] next to the JOIN). */
typedef struct Branch {
    int len;
    int path[512];
} Branch;

static int64_t branch_need(const Dataflow *df, const Branch *b, int64_t n, bool hi)
{
    for (int k = 0; k < b->len; k++)
        if (n > 0)
            n = layer_need(&df->layers[b->path[k]], n, hi);
    return n;
}

/* Pixels branch b can have written when the FORK has written m. */
static int64_t branch_made(const Dataflow *df, const Branch *b, int64_t m, int64_t pixels)
{
    int64_t lo = 0, hi = pixels;
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (branch_need(df, b, mid, false) <= m)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Walks from layer k (reading a JOIN's input) back to the FORK; -1 when
 * another JOIN or the accelerator input comes first. */
static int trace(const Dataflow *df, int k, Branch *b)
{
    b->len = 0;
    while (k >= 0 && df->layers[k].kind != LAYER_FORK) {
        if (df->layers[k].n_inputs != 1 || b->len == (int)(sizeof b->path / sizeof b->path[0]))
            return -1;
        b->path[b->len++] = k;
        k = df->layers[k].src[0];
    }
    return k;
}

/* The FIFO on input i of JOIN j (the first FIFO walking back), or -1. */
static int join_fifo(const Dataflow *df, int j, int i)
{
    int k = df->layers[j].src[i];
    while (k >= 0 && df->layers[k].kind == LAYER_DWC)
        k = df->layers[k].src[0];
    return k >= 0 && df->layers[k].kind == LAYER_FIFO ? k : -1;
}

static bool explicit_depth(const Dataflow *df, const BuildConfig *cfg, int join)
{
    for (int j = 0; cfg && j < cfg->n_layers; j++)
        if (cfg->layers[j].fifo_depth && cfg->layers[j].layer &&
            !strcmp(cfg->layers[j].layer, df->layers[join].name))
            return true;
    return false;
}

static bool size_join(Dataflow *df, const BuildConfig *cfg, int j, Diag *d)
{
    const Layer *join = &df->layers[j];
    Branch br[2];
    int fork[2];
    for (int i = 0; i < 2; i++)
        fork[i] = trace(df, join->src[i], &br[i]);
    if (fork[0] < 0 || fork[0] != fork[1])
        return layer_error(d, df, join, "its two inputs do not come from one Fork through "
                           "single-input layers: the skip FIFO depth cannot be derived");
    int64_t pixels = join->out.elems / join->channels;
    int64_t need_beats[2];
    for (int i = 0; i < 2; i++) {
        const Branch *a = &br[1 - i], *b = &br[i];
        int64_t worst = 0;
        for (int64_t n = 1; n <= pixels; n++)
            worst = max64(worst, branch_made(df, b, branch_need(df, a, n, true), pixels) - (n - 1));
        int f = join_fifo(df, j, i);
        if (f < 0)
            return layer_error(d, df, join, "input %d has no FIFO in front of it", i);
        Layer *fifo = &df->layers[f];
        int64_t elems = (worst + 1) * join->channels;
        int64_t epb = fifo->in.elems_per_beat;
        need_beats[i] = (elems + epb - 1) / epb + 2;
        fifo->min_depth = need_beats[i];
        fifo->skip_fork = fork[0];
    }
    bool fixed = explicit_depth(df, cfg, j);
    Layer *fifo[2] = { &df->layers[join_fifo(df, j, 0)], &df->layers[join_fifo(df, j, 1)] };
    if (fixed && (fifo[0]->depth < need_beats[0] || fifo[1]->depth < need_beats[1]))
        return layer_error(d, df, join, "fifo_depth %lld (set for this join in %s) is below "
                           "what the FIFOs on its inputs need, %lld and %lld beats ('%s', "
                           "'%s'): the branches from fork '%s' would deadlock (set fifo_depth "
                           "to at least %lld, or leave it to the default)",
                           (long long)fifo[0]->depth, cfg->path, (long long)need_beats[0],
                           (long long)need_beats[1], fifo[0]->name, fifo[1]->name,
                           df->layers[fork[0]].name,
                           (long long)max64(need_beats[0], need_beats[1]));
    for (int i = 0; i < 2; i++)
        if (fifo[i]->depth < fifo[i]->min_depth)
            fifo[i]->depth = fifo[i]->min_depth;
    return true;
}

bool size_skip_fifos(Dataflow *df, const BuildConfig *cfg, Diag *d)
{
    for (int k = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_JOIN && !size_join(df, cfg, k, d)) {
            diag_set_exit(d, EXIT_USAGE);
            return false;
        }
    return true;
}
