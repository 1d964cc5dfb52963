/* qonnxc build MODEL [-c CONFIG.yaml] -o DIR [--target ref,hls] [--force]
 *
 * Loads and streamlines the model, then writes the code of each target
 * under DIR/<target>/. The hls target lowers the integer graph to the
 * dataflow graph first, folded as the configuration says. Every target is
 * generated in memory first and the whole set is committed at once
 * (emit_util.h: outtree_commit), so a failure leaves DIR as it was.
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
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_mcu.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "report_estimates.h"
#include "emit_util.h"
#include "frontend.h"
#include "streamline.h"

const CliCommand cli_build = {
    "build", "MODEL [-c CONFIG.yaml] -o DIR [--target ref,hls,rtl,mcu,npu|all] [--force]",
    "generate code into DIR/<target>/",
    "  -o, --output DIR      the output directory\n"
    "  -c, --config FILE     the build configuration (YAML; docs/dataflow.md)\n"
    "  -t, --target LIST     targets, comma-separated, or all (default ref)\n"
    CLI_INPUT_TYPE_HELP
    "  --size-fifos[=N]      rtl: FIFO depths from an N-frame simulation (default 8)\n"
    "  --force               replace the target folders even if they hold files\n"
    "                        this build did not write\n",
    cmd_build,
};

/* Every target of DESIGN.md; only those with an emitter can be built. */
static const struct {
    const char *name;
    bool available;
} targets[] = {
    { "ref", true }, { "hls", true }, { "rtl", true }, { "mcu", true }, { "npu", true },
};
#define N_TARGETS (int)(sizeof targets / sizeof targets[0])

typedef struct BuildArgs {
    const char *model, *config, *out_dir, *target_list;
    bool want[N_TARGETS];
    int size_fifos;       /* rtl: frames of the FIFO-sizing simulation; 0: off */
    FrontendOptions front;
    bool force;           /* replace target folders even when they hold others' files */
} BuildArgs;

/* "ref,hls" or "all" into want[]; a usage error names an unknown target. */
static int parse_targets(const char *list, bool *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int k = 0;
        if (!strcmp(tok, "all")) {
            for (k = 0; k < N_TARGETS; k++)
                want[k] = true;
            continue;
        }
        while (k < N_TARGETS && strcmp(tok, targets[k].name))
            k++;
        if (k == N_TARGETS)
            return cli_usage_error("build", "unknown target '%s' (targets: ref, hls, rtl, mcu, "
                                   "npu, all)", tok);
        want[k] = true;
    }
    for (int k = 0; k < N_TARGETS; k++)
        if (want[k] && !targets[k].available)
            return cli_usage_error("build", "target '%s' is not implemented yet (available: ref, hls, rtl)",
                                   targets[k].name);
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, BuildArgs *a)
{
    memset(a, 0, sizeof *a);
    a->target_list = "ref";
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        if ((!strcmp(arg, "-o") || !strcmp(arg, "--output")) && has_value)
            a->out_dir = argv[++k];
        else if ((!strcmp(arg, "-c") || !strcmp(arg, "--config")) && has_value)
            a->config = argv[++k];
        else if ((!strcmp(arg, "-t") || !strcmp(arg, "--target")) && has_value)
            a->target_list = argv[++k];
        else if (!strcmp(arg, "--input-type") && has_value)
            a->front.input_type = argv[++k];
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
    int rc = parse_targets(a->target_list, a->want);
    if (rc != EXIT_OK)
        return rc;
    if (a->config) {
        /* Only the hls target reads it (when built); make sure it exists. */
        FILE *f = fopen(a->config, "r");
        if (!f)
            return cli_usage_error("build", "cannot read the configuration %s", a->config);
        fclose(f);
    }
    return EXIT_OK;
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
static bool make_record(const BuildArgs *a, const OutTree *tree, const BuildRecord *prev,
                        BuildRecord *rec, Diag *d)
{
    if (!build_input_set(&rec->model, a->model, d) ||
        (a->config && !build_input_set(&rec->config, a->config, d)))
        return false;
    bool ok = build_record_add_file(rec, BUILD_RECORD_FILE);
    for (int k = 0; ok && k < N_TARGETS; k++)
        if (a->want[k])
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

/* Refuses (exit code usage) when a folder this build replaces holds files
 * no earlier build wrote; the message names the first few. */
static bool check_unknown_files(const BuildArgs *a, const OutTree *tree, const BuildRecord *prev,
                                Diag *d)
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
        if (!seen && !unknown_files_under(a->out_dir, top, prev, &unknown, &n))
            ok = diag_error(d, a->out_dir, NULL, NULL, "out of memory");
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
static bool add_record(const BuildArgs *a, OutTree *tree, Diag *d)
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
    ok = ok && (a->force || check_unknown_files(a, tree, known, d));
    ok = ok && make_record(a, tree, known, &rec, d);
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

int cmd_build(int argc, char **argv)
{
    BuildArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    a.front.config = a.config;
    Graph *g = frontend_load_with(a.model, &a.front, &d);
    if (!g)
        return cli_fail(&d);
    OutTree tree;
    outtree_init(&tree);
    char name[64];
    ref_model_name(a.model, name, sizeof name);
    bool ok = streamline_graph(g, true, &d);
    /* hls: the dataflow graph, folded as the configuration says */
    BuildConfig cfg;
    Dataflow df;
    config_defaults(&cfg);
    memset(&df, 0, sizeof df);
    bool want_df = a.want[1] || a.want[2];
    if (ok && want_df && a.config)
        ok = config_load(&cfg, a.config, &d);
    bool have_df = ok && want_df && (ok = dataflow_build(g, &cfg, &df, &d));
    if (have_df)
        warn_if_slow(&df);      /* before the long steps it makes longer */
    /* the names every emitter prints, made once, before any of them runs */
    ok = ok && emit_names(g, have_df ? &df : NULL, &d);
    /* rtl --size-fifos: FIFO depths from a simulation with deep FIFOs */
    if (ok && a.want[2] && a.size_fifos > 0) {
        interrupts_install();
        ok = rtl_size_fifos(&df, a.model, name, a.size_fifos, stdout, &d);
    }
    int n_ref = 0;
    if (ok && a.want[0]) {
        ok = emit_ref(g, a.model, name, &tree, &d);
        n_ref = tree.n;
    }
    if (ok && a.want[1])
        ok = emit_hls(&df, a.model, name, &tree, &d);
    int n_before_rtl = tree.n;
    if (ok && a.want[2])
        ok = emit_rtl(&df, a.model, name, &tree, &d);
    /* mcu, npu (src/emit_mcu.h) */
    int n_before_mcu = tree.n, n_mcu = 0;
    TextBuf npu_table;
    tb_init(&npu_table);
    if (ok && a.want[3]) {
        ok = emit_mcu(g, a.model, name, &tree, &d);
        n_mcu = tree.n - n_before_mcu;
    }
    if (ok && a.want[4])
        ok = emit_npu(g, a.model, name, &tree, &npu_table, &d);
    /* the same estimates `qonnxc report` writes, for the folding just built */
    TextBuf *estimates = ok && have_df ? outtree_add(&tree, "report/estimates.json") : NULL;
    if (estimates)
        estimates_json(&df, estimates);
    ok = ok && (!have_df || estimates) && add_record(&a, &tree, &d) &&
         outtree_commit(&tree, a.out_dir, &d);

    if (ok && a.want[0])
        printf("ref: %s/ref (%d files): make -C %s/ref builds ./%s\n", a.out_dir, n_ref,
               a.out_dir, name);
    if (ok && a.want[1])
        printf("hls: %s/hls (%d files): make -C %s/hls builds ./%s_csim\n", a.out_dir,
               n_before_rtl - n_ref, a.out_dir, name);
    if (ok && a.want[2])
        printf("rtl: %s/rtl (%d files): make -C %s/rtl sim builds ./%s_rtlsim\n", a.out_dir,
               n_before_mcu - n_before_rtl, a.out_dir, name);
    if (ok && a.want[3])
        printf("mcu: %s/mcu (%d files): make -C %s/mcu builds ./%s for the host; "
               "mcu/size_report.json\n", a.out_dir, n_mcu, a.out_dir, name);
    if (ok && have_df)
        printf("estimates: %s/report/estimates.json\n", a.out_dir);
    if (ok && a.want[4])
        printf("npu: %s/npu: make -C %s/npu builds ./%s; npu/layers.json\n%s", a.out_dir,
               a.out_dir, name, tb_str(&npu_table));
    tb_free(&npu_table);
    outtree_free(&tree);
    if (have_df)
        dataflow_free(&df);
    config_free(&cfg);
    graph_free(g);
    if (!ok && interrupted_signal()) {
        fprintf(stderr, "qonnxc build: interrupted by %s; %s is as it was and the temporary "
                "files are removed\n", signal_name(interrupted_signal()), a.out_dir);
        return 128 + interrupted_signal();
    }
    return ok ? EXIT_OK : cli_fail(&d);
}
