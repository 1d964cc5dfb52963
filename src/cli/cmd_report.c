/* qonnxc report DIR [-m MODEL] [-c CONFIG.yaml] [--synth]
 *
 * Lowers the model to the dataflow graph with the build's configuration,
 * prints the per-layer estimates and writes DIR/report/estimates.json and
 * DIR/report/dataflow.svg (docs/dataflow.md). MODEL and CONFIG default to
 * DIR/model.onnx and DIR/config.yaml (a build folder keeping its inputs);
 * without a config the defaults apply (PE = SIMD = 1, 100 MHz).
 *
 * --synth also synthesizes DIR/rtl with yosys and prints what each layer
 * became beside its estimates, into DIR/report/synth.json
 * (docs/synthesis.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "dataflow.h"
#include "frontend.h"
#include "report_estimates.h"
#include "streamline.h"
#include "synth_report.h"
#include "synth_yosys.h"

typedef struct ReportArgs {
    const char *dir, *model, *config;
    bool synth;
    char model_buf[4096], config_buf[4096];
} ReportArgs;

static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int parse_args(int argc, char **argv, ReportArgs *a)
{
    memset(a, 0, sizeof *a);
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        if ((!strcmp(arg, "-m") || !strcmp(arg, "--model")) && has_value)
            a->model = argv[++k];
        else if ((!strcmp(arg, "-c") || !strcmp(arg, "--config")) && has_value)
            a->config = argv[++k];
        else if (!strcmp(arg, "--synth"))
            a->synth = true;
        else if (arg[0] == '-' && arg[1])
            return cli_usage_error("report", "unknown option or missing value: %s", arg);
        else if (!a->dir)
            a->dir = arg;
        else
            return cli_usage_error("report", "unexpected argument: %s", arg);
    }
    if (!a->dir || !a->dir[0])
        return cli_usage_error("report", "needs DIR, the build folder");
    if (!a->model) {
        snprintf(a->model_buf, sizeof a->model_buf, "%s/model.onnx", a->dir);
        if (!readable(a->model_buf))
            return cli_usage_error("report", "no %s: give the model with -m MODEL",
                                   a->model_buf);
        a->model = a->model_buf;
    }
    if (!a->config) {
        snprintf(a->config_buf, sizeof a->config_buf, "%s/config.yaml", a->dir);
        if (readable(a->config_buf))
            a->config = a->config_buf;
    }
    return EXIT_OK;
}

/* Synthesizes the design, prints the per-layer table, writes synth.json. */
static bool report_synth(const Dataflow *df, const SynthDesign *des, const char *report_dir,
                         Diag *d)
{
    SynthRun run;
    SynthStat stat;
    SynthInstances ins;
    SynthReport r;
    memset(&r, 0, sizeof r);
    /* a failed run must not leave the last run's report looking current */
    char json[4300];
    snprintf(json, sizeof json, "%s/synth.json", report_dir);
    remove(json);
    if (!synth_run_yosys(des, stderr, &run, d))
        return false;
    bool ok = synth_load_results(&run, &stat, &ins, d) &&
              synth_report_build(df, &stat, &ins, run.stat, &r, d);
    if (ok) {
        TextBuf t;
        tb_init(&t);
        synth_table(df, &r, &run, &t);
        fputs(tb_str(&t), stdout);
        tb_free(&t);
        ok = write_synth_json(df, &r, &run, report_dir, d);
    }
    if (ok)
        printf("wrote %s/synth.json\n", report_dir);
    synth_report_free(&r);
    synth_instances_free(&ins);
    synth_stat_free(&stat);
    return ok;
}

int cmd_report(int argc, char **argv)
{
    ReportArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    /* the rtl folder is checked before anything is written */
    SynthDesign des;
    if (a.synth && !synth_design_read(a.dir, &des, &d))
        return cli_fail(&d);
    BuildConfig cfg;
    if (a.config) {
        if (!config_load(&cfg, a.config, &d)) {
            config_free(&cfg);
            return cli_fail(&d);
        }
    } else
        config_defaults(&cfg);
    Graph *g = frontend_load(a.model, &d);
    Dataflow df;
    memset(&df, 0, sizeof df);
    bool ok = g && streamline_graph(g, true, &d) && dataflow_build(g, &cfg, &df, &d);
    char report_dir[4200];
    snprintf(report_dir, sizeof report_dir, "%s/report", a.dir);
    bool dot_missing = false;
    if (ok) {
        TextBuf t;
        tb_init(&t);
        estimates_table(&df, &t);
        fputs(tb_str(&t), stdout);
        tb_free(&t);
        ok = write_estimates_json(&df, report_dir, &d) &&
             write_dataflow_svg(&df, report_dir, &dot_missing, &d);
    }
    if (ok) {
        printf("wrote %s/estimates.json\n", report_dir);
        if (dot_missing)
            fprintf(stderr, "qonnxc report: Graphviz's `dot` is not installed (Debian package "
                    "graphviz), so there is no %s/dataflow.svg; %s/dataflow.dot is written\n",
                    report_dir, report_dir);
        else
            printf("wrote %s/dataflow.svg\n", report_dir);
    }
    if (ok && a.synth)
        ok = report_synth(&df, &des, report_dir, &d);
    dataflow_free(&df);
    if (g)
        graph_free(g);
    config_free(&cfg);
    return ok ? EXIT_OK : cli_fail(&d);
}
