/* FIFO sizing by simulation (emit_rtl.h: rtl_size_fifos): the smallest
 * depths that keep the steady-state cycles per frame within 1 % of a run
 * with deep FIFOs.
 *
 *   1. every FIFO deep: at least 64 beats and two frames of its stream
 *      (at most 16384), so no FIFO limits the throughput;
 *   2. one Verilator build of that design with a run-time depth limit per
 *      FIFO (`make sim FIFO_LIMITS=1`, qnn_fifo.v's QNN_FIFO_RUNTIME_LIMIT):
 *      a FIFO limited to L beats behaves cycle for cycle as one of depth
 *      L, so every trial below is a run of that one build
 *      (--fifo-depths), not a rebuild;
 *   3. the deep run: its cycles per frame are the target, each FIFO's
 *      maximum occupancy M its first bound: at depth M + 1 the FIFO never
 *      refuses a beat it took in the deep run, the run is the same, so
 *      M + 1 passes without a trial. The old rule (M capped at one frame,
 *      plus an eighth) is reported as "max-occupancy sizing";
 *   4. shrink: FIFO by FIFO, most bits first, a binary search between 2
 *      and the bound for the smallest depth whose run stays within 1 %,
 *      the FIFOs already searched at their new depths, the others at
 *      their bounds. The timing of the generated design does not depend on
 *      the data, so a trial is exact for any frames (of the same count);
 *   5. build the design with the sized depths (the plain one) and simulate
 *      it again: more than 1 % slower than the deep run is an error.
 *
 * The estimates are re-run on the sized depths. The temporary directory is
 * removed unless QONNXC_KEEP_FIFO_SIZING is set or a step failed (its
 * logs are there); an interrupt (child_run.h) removes it in any case. The
 * simulations show their progress on stderr when it is a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "child_run.h"
#include "emit_rtl.h"
#include "rtlsim_stats.h"

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* One sizing run: the directory, the frames, the FIFO layers. */
typedef struct {
    const Dataflow *df;
    const char *name, *dir;
    FILE *log;
    int frames, n_fifos, trials;
    int *fifo_layer;            /* layer index of FIFO f */
    double sim_seconds;
} Sizing;

static bool cycles_ok(int64_t cycles, int64_t deep_cycles)
{
    return cycles * 100 <= deep_cycles * 101;
}

/* Emits the rtl target into DIR/<sub> and builds its simulation
 * (FIFO_LIMITS=1: with run-time depth limits). */
static bool build_sim(Sizing *s, const char *model_path, const char *sub, bool limits, Diag *d)
{
    char out_dir[4200], rtl_dir[4300], make_log[4300];
    snprintf(out_dir, sizeof out_dir, "%s/%s", s->dir, sub);
    OutTree t;
    outtree_init(&t);
    bool ok = emit_rtl(s->df, model_path, s->name, &t, d) && outtree_commit(&t, out_dir, d);
    outtree_free(&t);
    if (!ok)
        return false;
    double t0 = now();
    if (s->log)
        fprintf(s->log, "size-fifos: %s: building the simulation (Verilator)...\n", sub),
            fflush(s->log);
    snprintf(rtl_dir, sizeof rtl_dir, "%s/rtl", out_dir);
    snprintf(make_log, sizeof make_log, "%s/make.log", out_dir);
    char *make[] = { "make", "-C", rtl_dir, "sim", limits ? "FIFO_LIMITS=1" : NULL, NULL };
    if (!child_run(make, make_log, NULL))
        return diag_error(d, out_dir, NULL, NULL, "rtl target: building the FIFO-sizing "
                          "simulation failed (see %s)", make_log);
    if (s->log)
        fprintf(s->log, "size-fifos: %s: built in %.1f s\n", sub, now() - t0);
    return true;
}

/* Runs DIR/<sub>'s simulation on the random frames; depths (NULL: the
 * built ones) go to --fifo-depths. occ[] receives the maximum occupancies. */
static bool simulate(Sizing *s, const char *sub, const int64_t *depths, const char *what,
                     int64_t *occ, int64_t *cycles, Diag *d)
{
    char out_dir[4200], sim_log[4300], exe[4400], json[4300], n_frames[32];
    snprintf(out_dir, sizeof out_dir, "%s/%s", s->dir, sub);
    snprintf(sim_log, sizeof sim_log, "%s/sim.log", out_dir);
    snprintf(exe, sizeof exe, "%s/rtl/%s_rtlsim", out_dir, s->name);
    snprintf(json, sizeof json, "%s/rtlsim.json", out_dir);
    snprintf(n_frames, sizeof n_frames, "%d", s->frames);
    size_t list_size = (size_t)s->n_fifos * 24 + 1;
    char *list = calloc(list_size, 1);
    if (!list)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    for (int f = 0, n = 0; depths && f < s->n_fifos; f++)
        n += snprintf(list + n, list_size - (size_t)n, "%s%lld", f ? "," : "",
                      (long long)depths[f]);
    char *argv[] = { exe, "--random", n_frames, "--quiet", "--json", json, "--progress-fd",
                     CHILD_PROGRESS_FD_ARG, depths ? "--fifo-depths" : NULL, list, NULL };
    ChildProgress progress = { what, isatty(2) != 0 };
    double t0 = now();
    bool ok = child_run(argv, sim_log, &progress);
    free(list);
    s->sim_seconds += now() - t0;
    s->trials++;
    if (!ok)
        return diag_error(d, out_dir, NULL, NULL, "rtl target: the FIFO-sizing simulation "
                          "failed (see %s)", sim_log);
    return rtlsim_stats_read(json, s->n_fifos, occ, cycles, d);
}

static int64_t fifo_bits(const Sizing *s, const int64_t *depths)
{
    int64_t bits = 0;
    for (int f = 0; f < s->n_fifos; f++)
        bits += depths[f] * s->df->layers[s->fifo_layer[f]].in.bits;
    return bits;
}

/* Step 4: the smallest depth of each FIFO (most bits first) whose run
 * stays within 1 % of deep_cycles; depth[] holds passing depths
 * throughout. */
static bool shrink(Sizing *s, int64_t *depth, int64_t deep_cycles, int64_t *occ, Diag *d)
{
    int *order = malloc((size_t)s->n_fifos * sizeof *order);
    if (!order)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    for (int f = 0; f < s->n_fifos; f++)
        order[f] = f;
    for (int a = 1; a < s->n_fifos; a++) /* insertion sort: bits descending, stable */
        for (int b = a; b > 0; b--) {
            int64_t wb = s->df->layers[s->fifo_layer[order[b]]].in.bits;
            int64_t wa = s->df->layers[s->fifo_layer[order[b - 1]]].in.bits;
            if (depth[order[b]] * wb <= depth[order[b - 1]] * wa)
                break;
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    bool ok = true;
    for (int i = 0; ok && i < s->n_fifos; i++) {
        int f = order[i];
        int64_t lo = 2, hi = depth[f], start = depth[f];
        while (ok && lo < hi) {
            int64_t mid = lo + (hi - lo) / 2, cycles = 0;
            depth[f] = mid;
            char what[160];
            snprintf(what, sizeof what, "size-fifos: %s at depth %lld",
                     s->df->layers[s->fifo_layer[f]].name, (long long)mid);
            ok = simulate(s, "probe", depth, what, occ, &cycles, d);
            if (ok && cycles_ok(cycles, deep_cycles))
                hi = mid;
            else
                lo = mid + 1;
        }
        depth[f] = hi;
        if (ok && s->log)
            fprintf(s->log, "size-fifos: %s: depth %lld -> %lld (%d bits per beat)\n",
                    s->df->layers[s->fifo_layer[f]].name, (long long)start, (long long)hi,
                    s->df->layers[s->fifo_layer[f]].in.bits);
    }
    free(order);
    return ok;
}

/* Steps 1-4 on the probe build; depth[] receives the sized depths. */
static bool size_by_probe(Sizing *s, const char *model_path, Dataflow *df, int64_t *depth,
                          int64_t *deep_cycles, Diag *d)
{
    int64_t *occ = calloc((size_t)s->n_fifos + 1, sizeof *occ);
    int64_t *old = calloc((size_t)s->n_fifos + 1, sizeof *old);
    bool ok = occ && old;
    if (!ok)
        diag_error(d, NULL, NULL, NULL, "out of memory");
    for (int f = 0; ok && f < s->n_fifos; f++) {
        Layer *l = &df->layers[s->fifo_layer[f]];
        int64_t deep = 2 * l->in.beats;
        l->depth = deep < 64 ? 64 : deep > 16384 ? 16384 : deep;
    }
    ok = ok && build_sim(s, model_path, "probe", true, d) &&
         simulate(s, "probe", NULL, "size-fifos: simulation with deep FIFOs", occ, deep_cycles, d);
    if (ok && s->log)
        fprintf(s->log, "size-fifos: deep FIFOs: %lld cycles per frame (%d frames)\n",
                (long long)*deep_cycles, s->frames);
    for (int f = 0; ok && f < s->n_fifos; f++) {
        const Layer *l = &df->layers[s->fifo_layer[f]];
        int64_t capped = occ[f] < l->in.beats ? occ[f] : l->in.beats;
        old[f] = capped + (capped / 8 < 2 ? 2 : capped / 8);
        depth[f] = occ[f] + 1 < 2 ? 2 : occ[f] + 1 > l->depth ? l->depth : occ[f] + 1;
    }
    if (ok && s->log)
        fprintf(s->log, "size-fifos: max-occupancy sizing (max occupancy, capped at a frame, "
                "+1/8): %lld FIFO bits\n", (long long)fifo_bits(s, old));
    ok = ok && shrink(s, depth, *deep_cycles, occ, d);
    if (ok && s->log)
        fprintf(s->log, "size-fifos: FIFO bits: max-occupancy sizing %lld, sized %lld "
                "(%.1f %%); %d simulations, %.1f s\n", (long long)fifo_bits(s, old),
                (long long)fifo_bits(s, depth),
                100.0 * (double)fifo_bits(s, depth) / (double)(fifo_bits(s, old) > 0 ?
                                                               fifo_bits(s, old) : 1),
                s->trials, s->sim_seconds);
    free(occ);
    free(old);
    return ok;
}

bool rtl_size_fifos(Dataflow *df, const char *model_path, const char *name, int frames,
                    FILE *log, Diag *d)
{
    double t0 = now();
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/qonnxc-fifo-sizing-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return diag_error(d, dir, NULL, NULL, "cannot create a temporary directory");
    Sizing s = { .df = df, .name = name, .dir = dir, .log = log, .frames = frames };
    for (int k = 0; k < df->n_layers; k++)
        s.n_fifos += df->layers[k].kind == LAYER_FIFO;
    s.fifo_layer = calloc((size_t)s.n_fifos + 1, sizeof *s.fifo_layer);
    int64_t *depth = calloc((size_t)s.n_fifos + 1, sizeof *depth);
    int64_t *occ = calloc((size_t)s.n_fifos + 1, sizeof *occ);
    if (!s.fifo_layer || !depth || !occ) {
        free(s.fifo_layer);
        free(depth);
        free(occ);
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    }
    for (int k = 0, f = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_FIFO)
            s.fifo_layer[f++] = k;
    int64_t deep_cycles = 0, sized_cycles = 0;
    bool ok = size_by_probe(&s, model_path, df, depth, &deep_cycles, d);
    for (int f = 0; ok && f < s.n_fifos; f++)
        df->layers[s.fifo_layer[f]].depth = depth[f];
    if (ok) {
        estimate_dataflow(df);
        ok = build_sim(&s, model_path, "sized", false, d) &&
             simulate(&s, "sized", NULL, "size-fifos: simulation with sized FIFOs", occ,
                      &sized_cycles, d);
    }
    if (ok && !cycles_ok(sized_cycles, deep_cycles))
        ok = diag_error(d, model_path, NULL, NULL, "rtl target: with sized FIFOs the design "
                        "takes %lld cycles per frame, with deep ones %lld (kept in %s)",
                        (long long)sized_cycles, (long long)deep_cycles, dir);
    if (ok && log)
        fprintf(log, "size-fifos: sized FIFOs: %lld cycles per frame (deep %lld); sizing took "
                "%.1f s\n", (long long)sized_cycles, (long long)deep_cycles, now() - t0);
    free(s.fifo_layer);
    free(depth);
    free(occ);
    if ((ok && !getenv("QONNXC_KEEP_FIFO_SIZING")) || interrupted_signal()) {
        if (!remove_tree(dir) && log)
            fprintf(log, "size-fifos: could not remove %s\n", dir);
    } else if (log) {
        fprintf(log, "size-fifos: kept %s\n", dir);
    }
    return ok;
}
