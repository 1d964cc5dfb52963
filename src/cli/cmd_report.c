/* qonnxc report DIR [-m MODEL] [-c CONFIG.yaml] [--synth]
 *
 * Runs the pipeline (pipeline.h) through its dataflow step with the
 * build's configuration,
 * prints the per-layer estimates and writes DIR/report/estimates.json and
 * DIR/report/dataflow.svg (docs/dataflow.md). MODEL and CONFIG default to
 * those DIR/build.json records (build_record.h), refused when either file
 * changed since the build, so the report describes the folding built;
 * -m alone keeps the recorded config. Without build.json (an older build):
 * DIR/model.onnx and DIR/config.yaml, else the defaults (PE = SIMD = 1,
 * 100 MHz). The files written are added to build.json's list, so a
 * rebuild replaces them as qonnxc's own.
 *
 * When DIR/ice40/report.json exists (make -C DIR/ice40), what yosys and
 * nextpnr made of each layer is printed beside the iCE40 estimates
 * (docs/ice40.md).
 *
 * --synth also synthesizes DIR/rtl with yosys and prints what each layer
 * became beside its estimates, into DIR/report/synth.json
 * (docs/synthesis.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_record.h"
#include "cli.h"
#include "config.h"
#include "pipeline.h"
#include "report_estimates.h"
#include "report_ice40.h"
#include "synth_report.h"
#include "synth_yosys.h"

const CliCommand cli_report = {
    "report", "DIR [-m MODEL] [-c CONFIG.yaml] [--synth] [-v] [--dump-after STEP]",
    "dataflow estimates into DIR/report/; --synth: yosys on DIR/rtl beside them",
    "  -m, --model MODEL     the model (default: the one DIR/build.json records,\n"
    "                        else DIR/model.onnx)\n"
    "  -c, --config FILE     the build configuration (default: the one DIR/build.json\n"
    "                        records, else DIR/config.yaml)\n"
    "  --synth               synthesize DIR/rtl with yosys (docs/synthesis.md)\n"
    CLI_PIPELINE_HELP,
    cmd_report,
    false,
    true,
};

typedef struct ReportArgs {
    const char *dir, *model, *config;
    bool synth;
    CliPipelineArgs steps;
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
        int used = cli_pipeline_option(argc, argv, k, &a->steps);
        if (used > 0)
            k += used - 1;
        else if ((!strcmp(arg, "-m") || !strcmp(arg, "--model")) && has_value)
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
    return EXIT_OK;
}

/* MODEL and CONFIG from build.json (checked unchanged) or, for a build
 * without one, DIR/model.onnx and DIR/config.yaml. rec is filled when
 * DIR has a build.json. Exit code, or EXIT_OK. */
static int resolve_inputs(ReportArgs *a, BuildRecord *rec, bool *have_rec)
{
    Diag d;
    diag_init(&d);
    int got = build_record_read(a->dir, rec, &d);
    if (got < 0)
        return cli_fail(&d);
    *have_rec = got > 0;
    if (*have_rec) {
        if (!a->model && !build_input_unchanged(&rec->model, "model", a->dir, &d))
            return cli_fail(&d);
        if (!a->config && rec->config.path &&
            !build_input_unchanged(&rec->config, "config", a->dir, &d))
            return cli_fail(&d);
        if (!a->model)
            a->model = rec->model.path;
        if (!a->config)
            a->config = rec->config.path;     /* NULL: the build used the defaults */
        return EXIT_OK;
    }
    if (!a->model) {
        snprintf(a->model_buf, sizeof a->model_buf, "%s/model.onnx", a->dir);
        if (!readable(a->model_buf))
            return cli_usage_error("report", "%s has no %s (not written by `qonnxc build`?) "
                                   "and no model.onnx: give the model with -m MODEL", a->dir,
                                   BUILD_RECORD_FILE);
        a->model = a->model_buf;
    }
    if (!a->config) {
        snprintf(a->config_buf, sizeof a->config_buf, "%s/config.yaml", a->dir);
        if (readable(a->config_buf))
            a->config = a->config_buf;
    }
    return EXIT_OK;
}

/* Adds the report's files (and yosys's under rtl/synth) to build.json, so
 * a rebuild knows them as qonnxc's own. */
static bool record_report_files(const char *dir, BuildRecord *rec, bool svg, bool synth, Diag *d)
{
    bool ok = build_record_add_file(rec, "report/estimates.json") &&
              build_record_add_file(rec, "report/dataflow.dot") &&
              (!svg || build_record_add_file(rec, "report/dataflow.svg")) &&
              (!synth || build_record_add_file(rec, "report/synth.json"));
    char **made = NULL;
    int n = 0;
    ok = ok && (!synth || unknown_files_under(dir, "rtl/synth", rec, &made, &n));
    for (int k = 0; k < n; k++) {
        ok = ok && build_record_add_file(rec, made[k]);
        free(made[k]);
    }
    free(made);
    if (!ok)
        return diag_error(d, dir, NULL, NULL, "out of memory");
    return build_record_write(rec, dir, d);
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
    BuildRecord rec;
    bool have_rec = false;
    if ((rc = resolve_inputs(&a, &rec, &have_rec)) != EXIT_OK) {
        build_record_free(&rec);
        return rc;
    }
    Diag d;
    diag_init(&d);
    /* the rtl folder is checked before anything is written */
    SynthDesign des;
    if (a.synth && !synth_design_read(a.dir, &des, &d)) {
        build_record_free(&rec);
        return cli_fail(&d);
    }
    BuildConfig cfg;
    if (a.config) {
        if (!config_load(&cfg, a.config, &d)) {
            config_free(&cfg);
            build_record_free(&rec);
            return cli_fail(&d);
        }
    } else
        config_defaults(&cfg);
    /* the input type as build used it: --input-type from the record, else the config's */
    PipelineOptions o = { .model = a.model, .input_type = have_rec ? rec.input_type : NULL,
                          .cfg = &cfg, .stop_after = "dataflow" };
    cli_pipeline_apply(&a.steps, &o);
    Pipeline p;
    bool ok = pipeline_init(&p, &o, &d) && pipeline_run(&p, &d);
    const Dataflow *df = &p.df;
    char report_dir[4200];
    snprintf(report_dir, sizeof report_dir, "%s/report", a.dir);
    bool dot_missing = false;
    if (ok) {
        TextBuf t;
        tb_init(&t);
        estimates_table(df, &t);
        ok = ice40_report_table(df, a.dir, &t, &d);
        fputs(tb_str(&t), stdout);
        tb_free(&t);
        ok = ok && write_estimates_json(df, report_dir, &d) &&
             write_dataflow_svg(df, report_dir, &dot_missing, &d);
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
        ok = report_synth(df, &des, report_dir, &d);
    if (ok && have_rec)
        ok = record_report_files(a.dir, &rec, !dot_missing, a.synth, &d);
    build_record_free(&rec);
    pipeline_free(&p);
    config_free(&cfg);
    return ok ? EXIT_OK : cli_fail(&d);
}
