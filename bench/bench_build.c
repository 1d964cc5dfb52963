/* bench_build: wall time of `qonnxc build` for CNV-W1A1 with the targets
 * ref and hls, from the .onnx to every emitted file on disk, as JSON.
 *
 *   build_s        the command line (QONNXC_BIN) with --target ref,hls and
 *                  the configuration's folding, best and median of RUNS
 *   ref_only_s, hls_only_s   the same per target
 *   stages_ms      one in-process build through the pipeline (pipeline.h),
 *                  each step as the driver timed it (best of RUNS): load,
 *                  cleanup, streamline, dataflow (lower, fold, DWC, FIFO,
 *                  estimate), emit-ref, emit-hls; then write_files
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
#include "emit_util.h"
#include "pipeline.h"

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

#define MAX_STAGES (PIPELINE_MAX_STEPS + 1)

/* One in-process build through the pipeline with the targets ref and hls,
 * then the files written: ms and names per stage, files and bytes. */
static bool stages(const char *model, const char *config, const char *out, double *ms,
                   char names[][24], int *n_stages, int *files, long *bytes)
{
    Diag d;
    diag_init(&d);
    BuildConfig cfg;
    OutTree tree;
    outtree_init(&tree);
    PipelineOptions o = { .model = model, .cfg = &cfg };
    char err[256];
    target_set_parse("ref,hls", false, &o.targets, err, sizeof err);
    Pipeline p;
    memset(&p, 0, sizeof p);
    bool ok = config_load(&cfg, config, &d) && pipeline_init(&p, &o, &d);
    p.tree = &tree;
    ok = ok && pipeline_run(&p, &d);
    double t0 = now();
    ok = ok && outtree_commit(&tree, out, &d);
    double write_ms = 1e3 * (now() - t0);
    if (!ok)
        fprintf(stderr, "bench_build: %s\n", d.msg);
    *n_stages = 0;
    for (int k = 0; ok && k < p.n_steps; k++) {
        snprintf(names[k], sizeof names[k], "%s", p.steps[k].name);
        ms[k] = p.ms[k];
        (*n_stages)++;
    }
    snprintf(names[*n_stages], sizeof names[*n_stages], "write_files");
    ms[(*n_stages)++] = write_ms;
    *files = tree.n;
    *bytes = 0;
    for (int k = 0; k < tree.n; k++)
        *bytes += (long)tree.files[k].text.len;
    outtree_free(&tree);
    pipeline_free(&p);
    config_free(&cfg);
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
    double ms[MAX_STAGES], min_ms[MAX_STAGES];
    char stage_names[MAX_STAGES][24];
    int files = 0, n_stages = 0;
    long bytes = 0;
    bool ok = best >= 0 && ref_best >= 0 && hls_best >= 0;
    for (int r = 0; ok && r < RUNS; r++) {
        remove_tree(out);
        ok = stages(model, config, out, ms, stage_names, &n_stages, &files, &bytes);
        for (int k = 0; ok && k < n_stages; k++)
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
    for (int k = 0; k < n_stages; k++)
        printf("%s \"%s\": %.1f", k ? "," : "", stage_names[k], min_ms[k]);
    printf(" },\n  \"files\": %d,\n  \"bytes\": %ld,\n", files, bytes);
    printf("  \"target_s\": %.1f,\n  \"under_target\": %s\n}\n", TARGET_S,
           median < TARGET_S ? "true" : "false");
    return 0;
}
