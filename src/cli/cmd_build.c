/* qonnxc build MODEL [-c CONFIG.yaml] -o DIR [--target LIST] [--force]
 *
 * Runs the pipeline (pipeline.h) for the targets asked for (--target,
 * else the configuration's `targets:`, else ref): load, cleanup,
 * streamline, the dataflow graph folded as the configuration says when a
 * target needs it, and an emit step per target, each writing DIR/<target>/.
 * Every target is generated in memory first and the whole set is
 * committed at once (emit_util.h: outtree_commit), so a failure leaves DIR
 * as it was.
 *
 * DIR/build.json (build_record.h) records the model, the config and the
 * files written. A rebuild replaces the folders it writes wholesale, so it
 * first refuses when one of them holds a file no earlier build listed
 * (the user's), unless --force. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_record.h"
#include "child_run.h"
#include "cli.h"
#include "config.h"
#include "pipeline.h"
#include "report_estimates.h"
#include "emit_util.h"

const CliCommand cli_build = {
    "build", "MODEL [-c CONFIG.yaml] -o DIR [--target LIST|all] [-v] [--dump-after STEP] [--force]",
    "generate code into DIR/<target>/",
    "  -o, --output DIR      the output directory\n"
    "  -c, --config FILE     the build configuration (YAML; docs/dataflow.md)\n"
    "  -t, --target LIST     targets, comma-separated, or all (default: the\n"
    "                        configuration's targets, else ref)\n"
    CLI_INPUT_TYPE_HELP
    "  --size-fifos[=N]      rtl: FIFO depths from an N-frame simulation (default 8)\n"
    CLI_PIPELINE_HELP
    "  --force               replace the target folders even if they hold files\n"
    "                        this build did not write\n",
    cmd_build,
    true,
    true,
};

typedef struct BuildArgs {
    const char *model, *config, *out_dir, *target_list;
    int size_fifos;       /* rtl: frames of the FIFO-sizing simulation; 0: off */
    const char *input_type;
    CliPipelineArgs steps;
    bool force;           /* replace target folders even when they hold others' files */
} BuildArgs;

static int parse_args(int argc, char **argv, BuildArgs *a)
{
    memset(a, 0, sizeof *a);
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        int used = cli_pipeline_option(argc, argv, k, &a->steps);
        if (used > 0)
            k += used - 1;
        else if ((!strcmp(arg, "-o") || !strcmp(arg, "--output")) && has_value)
            a->out_dir = argv[++k];
        else if ((!strcmp(arg, "-c") || !strcmp(arg, "--config")) && has_value)
            a->config = argv[++k];
        else if ((!strcmp(arg, "-t") || !strcmp(arg, "--target")) && has_value)
            a->target_list = argv[++k];
        else if (!strcmp(arg, "--input-type") && has_value)
            a->input_type = argv[++k];
        else if (!strcmp(arg, "--force"))
            a->force = true;
        else if (!strcmp(arg, "--size-fifos"))
            a->size_fifos = 8;
        else if (!strncmp(arg, "--size-fifos=", 13) && atoi(arg + 13) > 0)
            a->size_fifos = atoi(arg + 13);
        else if (arg[0] == '-' && arg[1])
            return cli_usage_error("build", "unknown option or missing value: %s", arg);
        else if (!a->model)
            a->model = arg;
        else
            return cli_usage_error("build", "unexpected argument: %s", arg);
    }
    if (!a->model)
        return cli_usage_error("build", "needs MODEL");
    if (!a->out_dir || !a->out_dir[0])
        return cli_usage_error("build", "needs -o DIR, the output directory");
    char err[300];
    TargetSet set;
    if (a->target_list && !target_set_parse(a->target_list, false, &set, err, sizeof err))
        return cli_usage_error("build", "%s", err);
    if (a->config) {
        FILE *f = fopen(a->config, "r");
        if (!f)
            return cli_usage_error("build", "cannot read the configuration %s", a->config);
        fclose(f);
    }
    return EXIT_OK;
}

/* --target, else the configuration's targets (config.c checked their
 * names against the table), else ref. */
static TargetSet build_targets(const BuildArgs *a, const BuildConfig *cfg)
{
    TargetSet set = (TargetSet)1 << target_find("ref", 3);
    char err[300];
    if (a->target_list)
        target_set_parse(a->target_list, false, &set, err, sizeof err);
    else if (cfg->n_targets > 0) {
        set = 0;
        for (int k = 0; k < cfg->n_targets; k++)
            set |= (TargetSet)1 << target_find(cfg->targets[k], strlen(cfg->targets[k]));
    }
    return set;
}

/* True when this build writes a file under the top-level entry `top`. */
static bool tree_writes_under(const OutTree *tree, const char *top)
{
    for (int k = 0; k < tree->n; k++) {
        char t[256];
        path_top_entry(tree->files[k].path, t, sizeof t);
        if (!strcmp(t, top))
            return true;
    }
    return false;
}

/* What build.json will say: the inputs, the targets, the tree's files and
 * build.json, plus the earlier record's files in folders this build leaves
 * alone (still there, still qonnxc's). */
static bool make_record(const BuildArgs *a, TargetSet want, const OutTree *tree,
                        const BuildRecord *prev, BuildRecord *rec, Diag *d)
{
    if (!build_input_set(&rec->model, a->model, d) ||
        (a->config && !build_input_set(&rec->config, a->config, d)))
        return false;
    if (a->input_type && !(rec->input_type = strdup(a->input_type)))
        return diag_error(d, a->out_dir, NULL, NULL, "out of memory");
    bool ok = build_record_add_file(rec, BUILD_RECORD_FILE);
    for (int k = 0; ok && k < n_targets; k++)
        if (target_set_has(want, k))
            ok = build_record_add_target(rec, targets[k].name);
    for (int k = 0; ok && k < tree->n; k++)
        ok = build_record_add_file(rec, tree->files[k].path);
    for (int k = 0; ok && prev && k < prev->n_files; k++) {
        char top[256], path[8192];
        path_top_entry(prev->files[k], top, sizeof top);
        snprintf(path, sizeof path, "%s/%s", a->out_dir, prev->files[k]);
        if (!tree_writes_under(tree, top) && access(path, F_OK) == 0)
            ok = build_record_add_file(rec, prev->files[k]);
    }
    return ok || diag_error(d, a->out_dir, NULL, NULL, "out of memory");
}

/* Drops from the list the files the target folder's Makefile makes (the
 * executable, obj_dir/, ...): `make` and a rebuild are the usual cycle, and
 * a rebuild replaces them as `make clean` would. */
static void drop_make_products(const char *model_name, char **list, int from, int *n)
{
    int kept = from;
    for (int k = from; k < *n; k++) {
        char top[256];
        path_top_entry(list[k], top, sizeof top);
        int t = target_find(top, strlen(top));
        const char *rel = list[k] + strlen(top) + (list[k][strlen(top)] == '/');
        if (t >= 0 && target_made_by_make(&targets[t], model_name, rel))
            free(list[k]);
        else
            list[kept++] = list[k];
    }
    *n = kept;
}

/* Refuses (exit code usage) when a folder this build replaces holds files
 * that neither an earlier build nor its Makefile wrote; the message names
 * the first few. */
static bool check_unknown_files(const BuildArgs *a, const char *model_name, const OutTree *tree,
                                const BuildRecord *prev, Diag *d)
{
    char **unknown = NULL;
    int n = 0;
    bool ok = true;
    for (int k = 0; ok && k < tree->n; k++) {
        char top[256];
        path_top_entry(tree->files[k].path, top, sizeof top);
        bool seen = !strcmp(top, BUILD_RECORD_FILE);
        for (int j = 0; j < k && !seen; j++) {
            char other[256];
            path_top_entry(tree->files[j].path, other, sizeof other);
            seen = !strcmp(top, other);
        }
        int before = n;
        if (!seen && !unknown_files_under(a->out_dir, top, prev, &unknown, &n))
            ok = diag_error(d, a->out_dir, NULL, NULL, "out of memory");
        drop_make_products(model_name, unknown, before, &n);
    }
    if (ok && n > 0) {
        char names[1024] = "";
        size_t used = 0;
        for (int k = 0; k < n && k < 5; k++)
            used += (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0,
                                     "%s%s/%s", k ? ", " : "", a->out_dir, unknown[k]);
        diag_error(d, a->out_dir, NULL, NULL, "%d file%s that qonnxc did not write would be "
                   "deleted by this build: %s%s%s; move %s away, or give --force to replace the "
                   "target folders wholesale", n, n == 1 ? "" : "s", names,
                   n > 5 ? ", ..." : "", prev ? "" : " (there is no build.json listing an earlier "
                   "build's files)", n == 1 ? "it" : "them");
        diag_set_exit(d, EXIT_USAGE);
        ok = false;
    }
    for (int k = 0; k < n; k++)
        free(unknown[k]);
    free(unknown);
    return ok;
}

/* build.json into the tree, after checking that committing the tree loses
 * nothing of the user's (unless --force). */
static bool add_record(const BuildArgs *a, const char *model_name, TargetSet want, OutTree *tree,
                       Diag *d)
{
    BuildRecord prev, rec;
    build_record_init(&rec);
    int have_prev = build_record_read(a->out_dir, &prev, d);
    if (have_prev < 0 && a->force) {
        diag_init(d);           /* --force: a broken record is replaced like the rest */
        have_prev = 0;
    }
    bool ok = have_prev >= 0;
    const BuildRecord *known = have_prev > 0 ? &prev : NULL;
    ok = ok && (a->force || check_unknown_files(a, model_name, tree, known, d));
    ok = ok && make_record(a, want, tree, known, &rec, d);
    TextBuf *json = ok ? outtree_add(tree, BUILD_RECORD_FILE) : NULL;
    if (ok && !(json && build_record_json(&rec, json)))
        ok = diag_error(d, a->out_dir, NULL, NULL, "out of memory");
    if (have_prev > 0)
        build_record_free(&prev);
    build_record_free(&rec);
    return ok;
}

/* Below 100 frames/s a build is almost surely unfolded by mistake (CNV at
 * PE = SIMD = 1 is 3.46 frames/s, each RTL-simulated frame 17 s). */
static void warn_if_slow(const Dataflow *df)
{
    if (df->fps >= 100 || df->n_layers == 0)
        return;
    fprintf(stderr, "qonnxc build: warning: this folding gives %.3g frames/s at %g MHz "
            "(bottleneck %s, %lld cycles per frame); fold the layers in the configuration: "
            "`target_fps: N` folds automatically, `folding: [{mvau: K, pe: P, simd: S}, ...]` "
            "by hand (docs/dataflow.md; configs/ has examples)\n", df->fps, df->clock_mhz,
            df->layers[df->bottleneck].name, (long long)df->bottleneck_cycles);
}

/* "ref: DIR/ref (9 files): make -C DIR/ref builds ./NAME", one per target. */
static void print_target_lines(const Pipeline *p, const char *out_dir)
{
    for (int k = 0; k < n_targets; k++) {
        const Target *t = &targets[k];
        if (!target_set_has(p->o.targets, k))
            continue;
        printf("%s: %s/%s (%d files): make -C %s/%s%s%s builds ./%s%s%s\n", t->name, out_dir,
               t->name, p->files[k], out_dir, t->name, t->make_goal ? " " : "",
               t->make_goal ? t->make_goal : "", p->name, t->exe_suffix, t->also);
    }
    if (p->have_df)
        printf("estimates: %s/report/estimates.json\n", out_dir);
    fputs(tb_str(&p->notes), stdout);
}

int cmd_build(int argc, char **argv)
{
    BuildArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    BuildConfig cfg;
    config_defaults(&cfg);
    if (a.config && !config_load(&cfg, a.config, &d)) {
        config_free(&cfg);
        return cli_fail(&d);
    }
    OutTree tree;
    outtree_init(&tree);
    PipelineOptions o = { .model = a.model, .input_type = a.input_type, .cfg = &cfg,
                          .targets = build_targets(&a, &cfg), .size_fifos = a.size_fifos };
    cli_pipeline_apply(&a.steps, &o);
    Pipeline p;
    bool ok = pipeline_init(&p, &o, &d);
    p.tree = &tree;
    /* up to the dataflow step, then the warning before the long steps it makes longer */
    int df_step = pipeline_find(&p, "dataflow");
    if (ok && df_step >= 0 && (ok = pipeline_run_to(&p, df_step, &d)))
        warn_if_slow(&p.df);
    ok = ok && pipeline_run(&p, &d);
    /* the same estimates `qonnxc report` writes, for the folding just built */
    TextBuf *estimates = ok && p.have_df ? outtree_add(&tree, "report/estimates.json") : NULL;
    if (estimates)
        estimates_json(&p.df, estimates);
    ok = ok && (!p.have_df || estimates) && add_record(&a, p.name, o.targets, &tree, &d) &&
         outtree_commit(&tree, a.out_dir, &d);
    if (ok)
        print_target_lines(&p, a.out_dir);
    outtree_free(&tree);
    pipeline_free(&p);
    config_free(&cfg);
    if (!ok && interrupted_signal()) {
        fprintf(stderr, "qonnxc build: interrupted by %s; %s is as it was and the temporary "
                "files are removed\n", signal_name(interrupted_signal()), a.out_dir);
        return 128 + interrupted_signal();
    }
    return ok ? EXIT_OK : cli_fail(&d);
}
