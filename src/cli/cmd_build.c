/* qonnxc build MODEL [-c CONFIG.yaml] -o DIR [--target ref,hls]
 *
 * Loads and streamlines the model, then writes the code of each target
 * under DIR/<target>/. The hls target lowers the integer graph to the
 * dataflow graph first, folded as the configuration says. Every target is generated in memory first and the
 * whole set is committed at once (emit_util.h: outtree_commit), so a
 * failure leaves DIR as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_mcu.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "report_estimates.h"
#include "emit_util.h"
#include "frontend.h"
#include "streamline.h"

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

int cmd_build(int argc, char **argv)
{
    BuildArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(a.model, &d);
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
    /* rtl --size-fifos: FIFO depths from a simulation with deep FIFOs */
    if (ok && a.want[2] && a.size_fifos > 0)
        ok = rtl_size_fifos(&df, a.model, name, a.size_fifos, stdout, &d);
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
    ok = ok && (!have_df || estimates) && outtree_commit(&tree, a.out_dir, &d);
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
    return ok ? EXIT_OK : cli_fail(&d);
}
