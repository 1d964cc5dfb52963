/* FIFO sizing by simulation (emit_rtl.h: rtl_size_fifos), as FINN's
 * InsertAndSetFIFODepths does it:
 *
 *   1. every FIFO deep: at least 64 beats and two frames of its stream
 *      (at most 16384), so no FIFO limits the throughput;
 *   2. build the design in a temporary directory and simulate random
 *      frames back to back (./<name>_rtlsim --random N --json deep.json);
 *   3. each FIFO's depth := its maximum occupancy, capped at one frame of
 *      its stream (more only buffers frames the source sends ahead), plus
 *      an eighth (at least 2 beats more);
 *   4. build and simulate again: the cycles per frame must not exceed the
 *      deep design's by more than 1 % (else an error naming both).
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

/* Emits the rtl target into DIR/<sub>, builds and runs the simulation;
 * occ[] receives the FIFOs' maximum occupancies in layer order. */
static bool build_and_simulate(const Dataflow *df, const char *model_path, const char *name,
                               const char *dir, const char *sub, int frames, int64_t *occ,
                               int64_t *cycles, FILE *log, Diag *d)
{
    int n_fifos = 0;
    for (int k = 0; k < df->n_layers; k++)
        n_fifos += df->layers[k].kind == LAYER_FIFO;
    char out_dir[4200], json[4300];
    snprintf(out_dir, sizeof out_dir, "%s/%s", dir, sub);
    OutTree t;
    outtree_init(&t);
    bool ok = emit_rtl(df, model_path, name, &t, d) && outtree_commit(&t, out_dir, d);
    outtree_free(&t);
    if (!ok)
        return false;
    double t0 = now();
    if (log)
        fprintf(log, "size-fifos: %s: building the simulation (Verilator)...\n", sub), fflush(log);
    char rtl_dir[4300], make_log[4300], sim_log[4300], exe[4400], n_frames[32];
    snprintf(rtl_dir, sizeof rtl_dir, "%s/rtl", out_dir);
    snprintf(make_log, sizeof make_log, "%s/make.log", out_dir);
    snprintf(sim_log, sizeof sim_log, "%s/sim.log", out_dir);
    snprintf(exe, sizeof exe, "%s/%s_rtlsim", rtl_dir, name);
    snprintf(n_frames, sizeof n_frames, "%d", frames);
    char *make[] = { "make", "-C", rtl_dir, "sim", NULL };
    if (!child_run(make, make_log, NULL))
        return diag_error(d, out_dir, NULL, NULL, "rtl target: building the FIFO-sizing "
                          "simulation failed (see %s)", make_log);
    double t1 = now();
    snprintf(json, sizeof json, "%s/rtlsim.json", out_dir);
    char *sim[] = { exe, "--random", n_frames, "--quiet", "--json", json, "--progress-fd",
                    CHILD_PROGRESS_FD_ARG, NULL };
    ChildProgress progress = { sub[0] == 'd' ? "size-fifos: simulation with deep FIFOs"
                                             : "size-fifos: simulation with sized FIFOs",
                               isatty(2) != 0 };
    if (!child_run(sim, sim_log, &progress))
        return diag_error(d, out_dir, NULL, NULL, "rtl target: the FIFO-sizing simulation "
                          "failed (see %s)", sim_log);
    if (!rtlsim_stats_read(json, n_fifos, occ, cycles, d))
        return false;
    if (log)
        fprintf(log, "size-fifos: %s: %lld cycles per frame (%d frames; build %.1f s, "
                "simulation %.1f s)\n", sub, (long long)*cycles, frames, t1 - t0, now() - t1);
    return true;
}

bool rtl_size_fifos(Dataflow *df, const char *model_path, const char *name, int frames,
                    FILE *log, Diag *d)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/qonnxc-fifo-sizing-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return diag_error(d, dir, NULL, NULL, "cannot create a temporary directory");
    int64_t *occ = calloc((size_t)df->n_layers + 1, sizeof *occ);
    if (!occ)
        return diag_error(d, NULL, NULL, NULL, "out of memory");
    for (int k = 0; k < df->n_layers; k++) {
        Layer *l = &df->layers[k];
        if (l->kind != LAYER_FIFO)
            continue;
        int64_t deep = 2 * l->in.beats;
        l->depth = deep < 64 ? 64 : deep > 16384 ? 16384 : deep;
    }
    int64_t deep_cycles = 0, sized_cycles = 0;
    bool ok = build_and_simulate(df, model_path, name, dir, "deep", frames, occ, &deep_cycles,
                                 log, d);
    for (int k = 0, f = 0; ok && k < df->n_layers; k++) {
        Layer *l = &df->layers[k];
        if (l->kind != LAYER_FIFO)
            continue;
        int64_t o = occ[f++] < l->in.beats ? occ[f - 1] : l->in.beats;
        int64_t margin = o / 8 < 2 ? 2 : o / 8;
        l->depth = o + margin < 2 ? 2 : o + margin;
        if (log)
            fprintf(log, "size-fifos: %s: max occupancy %lld -> depth %lld\n", l->name,
                    (long long)o, (long long)l->depth);
    }
    if (ok) {
        estimate_dataflow(df);
        ok = build_and_simulate(df, model_path, name, dir, "sized", frames, occ, &sized_cycles,
                                log, d);
    }
    if (ok && sized_cycles * 100 > deep_cycles * 101)
        ok = diag_error(d, model_path, NULL, NULL, "rtl target: with sized FIFOs the design "
                        "takes %lld cycles per frame, with deep ones %lld (kept in %s)",
                        (long long)sized_cycles, (long long)deep_cycles, dir);
    free(occ);
    if ((ok && !getenv("QONNXC_KEEP_FIFO_SIZING")) || interrupted_signal()) {
        if (!remove_tree(dir) && log)
            fprintf(log, "size-fifos: could not remove %s\n", dir);
    } else if (log) {
        fprintf(log, "size-fifos: kept %s\n", dir);
    }
    return ok;
}
