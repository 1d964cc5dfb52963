/* bench_build: wall time of `qonnxc build` for CNV-W1A1 with the targets
 * ref and hls, from the .onnx to every emitted file on disk, as JSON.
 *
 *   build_s        the command line (QONNXC_BIN) with --target ref,hls and
 *                  the configuration's folding, best and median of RUNS
 *   ref_only_s, hls_only_s   the same per target
 *   stages_ms      one in-process build, step by step (best of RUNS): load
 *                  and cleanup, streamline, dataflow (lower, fold, DWC, FIFO,
 *                  estimate), emit ref, emit hls, write the files
 *   files, bytes   what the build writes
 *
 *   bench_build [MODEL_DIR CONFIG]   default: CNV_1W1A_RANDOM configs/CNV_1W1A.yaml
 *
 * Target (issue 5): build_s under 2 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_util.h"
#include "frontend.h"
#include "streamline.h"

#define RUNS 5
#define TARGET_S 2.0

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs `qonnxc build` RUNS times; best and median seconds (-1 on failure). */
static void time_cli(const char *model, const char *config, const char *targets, const char *out,
                     double *best, double *median)
{
    char cmd[4096];
    double t[RUNS];
    snprintf(cmd, sizeof cmd, "'%s' build '%s' -c '%s' -o '%s' --target %s > /dev/null",
             QONNXC_BIN, model, config, out, targets);
    *best = *median = -1;
    for (int k = 0; k < RUNS; k++) {
        double t0 = now();
        int rc = system(cmd);
        t[k] = now() - t0;
        if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
            fprintf(stderr, "bench_build: %s failed\n", cmd);
            return;
        }
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    *best = t[0];
    *median = t[RUNS / 2];
}

enum { ST_LOAD, ST_STREAMLINE, ST_DATAFLOW, ST_REF, ST_HLS, ST_WRITE, N_STAGES };
static const char *const stage_names[N_STAGES] = { "load_cleanup", "streamline", "dataflow",
                                                    "emit_ref", "emit_hls", "write_files" };

/* One in-process build, stage by stage (ms); files and bytes written. */
static bool stages(const char *model, const char *config, const char *out, double *ms, int *files,
                   long *bytes)
{
    Diag d;
    diag_init(&d);
    BuildConfig cfg;
    Dataflow df;
    OutTree tree;
    char name[64];
    config_defaults(&cfg);
    memset(&df, 0, sizeof df);
    outtree_init(&tree);
    ref_model_name(model, name, sizeof name);
    double t0 = now();
    Graph *g = frontend_load(model, &d);
    double t1 = now();
    bool ok = g && streamline_graph(g, true, &d);
    double t2 = now();
    ok = ok && config_load(&cfg, config, &d) && dataflow_build(g, &cfg, &df, &d);
    bool have_df = ok;
    ok = ok && emit_names(g, &df, &d);
    double t3 = now();
    ok = ok && emit_ref(g, model, name, &tree, &d);
    double t4 = now();
    ok = ok && emit_hls(&df, model, name, &tree, &d);
    double t5 = now();
    ok = ok && outtree_commit(&tree, out, &d);
    double t6 = now();
    if (!ok)
        fprintf(stderr, "bench_build: %s\n", d.msg);
    double t[] = { t0, t1, t2, t3, t4, t5, t6 };
    for (int k = 0; k < N_STAGES; k++)
        ms[k] = 1e3 * (t[k + 1] - t[k]);
    *files = tree.n;
    *bytes = 0;
    for (int k = 0; k < tree.n; k++)
        *bytes += (long)tree.files[k].text.len;
    outtree_free(&tree);
    if (have_df)
        dataflow_free(&df);
    config_free(&cfg);
    graph_free(g);
    return ok;
}

int main(int argc, char **argv)
{
    const char *model_dir = argc > 2 ? argv[1] : "CNV_1W1A_RANDOM";
    char model[1024], config[1024], tmp[256], out[300];
    snprintf(model, sizeof model, QONNXC_SOURCE_DIR "/tests/models/%s/model.onnx", model_dir);
    snprintf(config, sizeof config, "%s", argc > 2 ? argv[2]
                                                   : QONNXC_SOURCE_DIR "/configs/CNV_1W1A.yaml");
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/qonnxc-bench-build-XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("bench_build: mkdtemp");
        return 1;
    }
    snprintf(out, sizeof out, "%s/out", tmp);

    double best, median, ref_best, ref_median, hls_best, hls_median;
    time_cli(model, config, "ref,hls", out, &best, &median);
    time_cli(model, config, "ref", out, &ref_best, &ref_median);
    time_cli(model, config, "hls", out, &hls_best, &hls_median);
    double ms[N_STAGES], min_ms[N_STAGES];
    int files = 0;
    long bytes = 0;
    bool ok = best >= 0 && ref_best >= 0 && hls_best >= 0;
    for (int r = 0; ok && r < RUNS; r++) {
        remove_tree(out);
        ok = stages(model, config, out, ms, &files, &bytes);
        for (int k = 0; ok && k < N_STAGES; k++)
            min_ms[k] = r == 0 || ms[k] < min_ms[k] ? ms[k] : min_ms[k];
    }
    remove_tree(tmp);
    if (!ok)
        return 1;

    const char *base = strrchr(config, '/');
    printf("{\n  \"bench\": \"build\",\n  \"model\": \"%s\",\n  \"config\": \"%s\",\n", model_dir,
           base ? base + 1 : config);
    printf("  \"targets\": [\"ref\", \"hls\"],\n  \"runs\": %d,\n", RUNS);
    printf("  \"build_s\": { \"best\": %.3f, \"median\": %.3f },\n", best, median);
    printf("  \"ref_only_s\": { \"best\": %.3f, \"median\": %.3f },\n", ref_best, ref_median);
    printf("  \"hls_only_s\": { \"best\": %.3f, \"median\": %.3f },\n", hls_best, hls_median);
    printf("  \"stages_ms\": {");
    for (int k = 0; k < N_STAGES; k++)
        printf("%s \"%s\": %.1f", k ? "," : "", stage_names[k], min_ms[k]);
    printf(" },\n  \"files\": %d,\n  \"bytes\": %ld,\n", files, bytes);
    printf("  \"target_s\": %.1f,\n  \"under_target\": %s\n}\n", TARGET_S,
           median < TARGET_S ? "true" : "false");
    return 0;
}
