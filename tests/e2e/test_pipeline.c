/* The pipeline (src/cli/pipeline.h) and the target table (src/cli/targets.h).
 *
 * Every command runs the same named steps: load, cleanup, streamline, then
 * dataflow when a target needs it, size-fifos for rtl with --size-fifos,
 * and one emit step per target. The driver checks the graph after each
 * step (a failed check names the step), times it (-v), and writes the
 * graph as text after the step --dump-after names. The target table is
 * the one list of targets: --target, `all`, the messages and the config's
 * `targets:` key read it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "exec.h"
#include "frontend.h"
#include "pipeline.h"
#include "run_cli.h"
#include "targets.h"

#define TFC TESTS_DIR "/models/TFC_2W2A/model.onnx"

static char *tmp;
static char out_dir[512];

static void setup(void)
{
    tmp = make_temp_dir("pipeline");
    snprintf(out_dir, sizeof out_dir, "%s/out", tmp);
}

static void teardown(void)
{
    rm_rf(tmp);
    free(tmp);
}

static TargetSet set_of(const char *list)
{
    TargetSet s;
    char err[300];
    ck_assert_msg(target_set_parse(list, false, &s, err, sizeof err), "%s", err);
    return s;
}

/* The plan's step names, comma-separated. */
static void plan_of(const PipelineOptions *o, char *buf, size_t size)
{
    Pipeline p;
    Diag d;
    diag_init(&d);
    ck_assert_msg(pipeline_init(&p, o, &d), "%s", d.msg);
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < p.n_steps; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? "," : "", p.steps[k].name);
    pipeline_free(&p);
}

/* ---- the plan ---------------------------------------------------------------- */

START_TEST(test_step_order)
{
    char plan[512];
    PipelineOptions o = { .model = TFC, .targets = set_of("ref") };
    plan_of(&o, plan, sizeof plan);
    /* no target needs the dataflow graph: no dataflow step */
    ck_assert_str_eq(plan, "load,cleanup,streamline,names,emit-ref");

    /* emit steps in the table's order, whatever the order asked; hls and
     * rtl need the dataflow graph; size-fifos only with rtl */
    o.targets = set_of("npu,hls,ref");
    o.size_fifos = 8;
    plan_of(&o, plan, sizeof plan);
    ck_assert_str_eq(plan, "load,cleanup,streamline,dataflow,names,emit-ref,emit-hls,emit-npu");
    o.targets = set_of("rtl");
    plan_of(&o, plan, sizeof plan);
    ck_assert_str_eq(plan, "load,cleanup,streamline,dataflow,names,size-fifos,emit-rtl");

    /* run --engine golden stops after cleanup, report after dataflow */
    o = (PipelineOptions){ .model = TFC, .stop_after = "cleanup" };
    plan_of(&o, plan, sizeof plan);
    ck_assert_str_eq(plan, "load,cleanup");
    o.stop_after = "dataflow";
    plan_of(&o, plan, sizeof plan);
    ck_assert_str_eq(plan, "load,cleanup,streamline,dataflow");

    /* asking for the dataflow dump adds the step */
    o = (PipelineOptions){ .model = TFC, .targets = set_of("ref"), .dump_after = "dataflow" };
    plan_of(&o, plan, sizeof plan);
    ck_assert_str_eq(plan, "load,cleanup,streamline,dataflow,names,emit-ref");
}
END_TEST

/* A whole run: every step done, in order, each timed; the emit step
 * counted its files; the graph after streamline is the integer graph. */
START_TEST(test_run_all_steps)
{
    OutTree tree;
    outtree_init(&tree);
    PipelineOptions o = { .model = TFC, .targets = set_of("ref,hls") };
    Pipeline p;
    Diag d;
    diag_init(&d);
    ck_assert_msg(pipeline_init(&p, &o, &d), "%s", d.msg);
    p.tree = &tree;
    ck_assert_msg(pipeline_run(&p, &d), "%s", d.msg);
    ck_assert_int_eq(p.n_steps, 7);   /* load .. dataflow, names, emit-ref, emit-hls */
    for (int k = 0; k < p.n_steps; k++) {
        ck_assert_msg(p.done[k], "step %s did not run", p.steps[k].name);
        ck_assert_msg(p.ms[k] >= 0, "step %s has no time", p.steps[k].name);
    }
    ck_assert(p.have_df);
    int ref = target_find("ref", 3), hls = target_find("hls", 3);
    ck_assert_int_gt(p.files[ref], 0);
    ck_assert_int_gt(p.files[hls], 0);
    ck_assert_int_eq(p.files[ref] + p.files[hls], tree.n);
    pipeline_free(&p);
    outtree_free(&tree);
}
END_TEST

/* ---- a failed check names the step ------------------------------------------- */

static bool (*real_streamline)(Pipeline *p, const PipelineStep *s, Diag *d);

/* Streamlines, then breaks the integer graph the way a buggy pass could:
 * the weights of the first IntMatMul lose their integer datatype. */
static bool streamline_then_break(Pipeline *p, const PipelineStep *s, Diag *d)
{
    if (!real_streamline(p, s, d))
        return false;
    for (int k = 0; k < p->g->n_nodes; k++)
        if (!strcmp(p->g->nodes[k]->op_type, "IntMatMul")) {
            p->g->nodes[k]->inputs[1]->qdt = NULL;
            return true;
        }
    ck_abort_msg("TFC has no IntMatMul after streamline");
    return false;
}

START_TEST(test_check_failure_names_step)
{
    PipelineOptions o = { .model = TFC, .stop_after = "streamline" };
    Pipeline p;
    Diag d;
    diag_init(&d);
    ck_assert_msg(pipeline_init(&p, &o, &d), "%s", d.msg);
    int k = pipeline_find(&p, "streamline");
    ck_assert_int_eq(k, 2);
    real_streamline = p.steps[k].run;
    p.steps[k].run = streamline_then_break;
    ck_assert(!pipeline_run(&p, &d));
    ck_assert_msg(strstr(d.msg, "invalid after step streamline"), "%s", d.msg);
    ck_assert_msg(strstr(d.msg, "IntMatMul"), "the verifier's message names the node: %s",
                  d.msg);
    ck_assert_int_eq(d.exit_code, EXIT_INTERNAL);
    ck_assert(p.done[0] && p.done[1] && !p.done[2]);
    pipeline_free(&p);
}
END_TEST

/* ---- the command line: -v, --dump-after ---------------------------------------- */

/* Each line "step i/n NAME ... T ms", i = 1..n in order, the names given. */
static void expect_steps(const char *err, const char *const *names, int n)
{
    const char *at = err;
    for (int k = 0; k < n; k++) {
        char want[64];
        snprintf(want, sizeof want, "step %d/%d %s ... ", k + 1, n, names[k]);
        const char *line = strstr(at, want);
        ck_assert_msg(line, "stderr lacks '%s': %s", want, err);
        double ms = -1;
        char unit[8] = "";
        ck_assert_msg(sscanf(line + strlen(want), "%lf %7s", &ms, unit) == 2 && ms >= 0 &&
                      !strcmp(unit, "ms"), "no time on: %.60s", line);
        at = line + strlen(want);
    }
}

START_TEST(test_verbose_prints_every_step)
{
    const char *args[] = { "build", TFC, "-o", out_dir, "--target", "ref,hls", "-v", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    const char *names[] = { "load", "cleanup", "streamline", "dataflow", "names", "emit-ref",
                            "emit-hls" };
    expect_steps(r.err, names, 7);
    cli_result_free(&r);

    /* run stops where its engine needs: golden after cleanup, int after streamline */
    char out[600];
    snprintf(out, sizeof out, "%s/out.npy", tmp);
    const char *golden[] = { "run", TFC, "-i", TESTS_DIR "/models/TFC_2W2A/inputs.npy", "-o", out,
                             "-q", "-v", NULL };
    r = run_qonnxc(golden);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    expect_steps(r.err, names, 2);
    ck_assert_msg(!strstr(r.err, "streamline"), "%s", r.err);
    cli_result_free(&r);
    const char *int_engine[] = { "run", TFC, "-i", TESTS_DIR "/models/TFC_2W2A/inputs.npy", "-o",
                                 out, "-q", "-v", "--engine", "int", NULL };
    r = run_qonnxc(int_engine);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    expect_steps(r.err, names, 3);
    cli_result_free(&r);
}
END_TEST

/* run --accumulate double: golden sums Conv/MatMul/Gemm products in double.
 * TFC_2W2A's scales are powers of two, so its float32 sums are exact and
 * both give the same bytes; the option is golden's only, and its values
 * are float32 and double. */
START_TEST(test_run_accumulate)
{
    char *tmp = make_temp_dir("accumulate");
    char out32[600], out64[600];
    snprintf(out32, sizeof out32, "%s/f32.npy", tmp);
    snprintf(out64, sizeof out64, "%s/f64.npy", tmp);
    const char *in = TESTS_DIR "/models/TFC_2W2A/inputs.npy";
    const char *f32[] = { "run", TFC, "-i", in, "-o", out32, "-q", "--accumulate", "float32",
                          NULL };
    const char *f64[] = { "run", TFC, "-i", in, "-o", out64, "-q", "--accumulate", "double",
                          NULL };
    for (int k = 0; k < 2; k++) {
        CliResult r = run_qonnxc(k ? f64 : f32);
        ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
        cli_result_free(&r);
    }
    size_t l32, l64;
    char *a = read_whole_file(out32, &l32), *b = read_whole_file(out64, &l64);
    ck_assert_msg(a && b && l32 == l64 && !memcmp(a, b, l32), "float32 and double sums differ");
    free(a);
    free(b);
    const char *with_int[] = { "run", TFC, "-i", in, "-o", out64, "--engine", "int",
                               "--accumulate", "double", NULL };
    const char *unknown[] = { "run", TFC, "-i", in, "-o", out64, "--accumulate", "half", NULL };
    CliResult r = run_qonnxc(with_int);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "--accumulate is for the golden engine"), "%s", r.err);
    cli_result_free(&r);
    r = run_qonnxc(unknown);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "unknown accumulation 'half'"), "%s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* The line of the first node of op `op` in a dump, NUL-terminated (static). */
static const char *node_line(const char *dump, const char *op)
{
    static char line[1024];
    char want[64];
    snprintf(want, sizeof want, " %s '", op);
    for (const char *at = dump; at && *at; at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL) {
        size_t len = strcspn(at, "\n");
        if (!strncmp(at, "node ", 5) && len < sizeof line) {
            memcpy(line, at, len);
            line[len] = '\0';
            if (strstr(line, want))
                return line;
        }
    }
    return NULL;
}

/* TFC_2W2A after streamline: the 784 pixels quantized to INT2 feed an
 * IntMatMul with INT2 weights [784, 64]; its integer accumulator feeds a
 * MultiThreshold (constant thresholds) whose output is the next INT2
 * activation of 64 channels. */
START_TEST(test_dump_after_streamline)
{
    const char *args[] = { "build", TFC, "-o", out_dir, "--dump-after", "streamline", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    ck_assert_msg(strstr(r.out, "after step streamline"), "%s", r.out);
    const char *mm = node_line(r.out, "IntMatMul");
    ck_assert_msg(mm, "no IntMatMul line: %s", r.out);
    /* input: INT2 activations, batch 1, 784 pixels; weights INT2 [784, 64] */
    ck_assert_msg(strstr(mm, "INT2 [1, 784]"), "%s", mm);
    ck_assert_msg(strstr(mm, "INT2 [784, 64] const"), "%s", mm);
    ck_assert_msg(strstr(mm, " -> ") && strstr(strstr(mm, " -> "), " INT"), "%s", mm);
    ck_assert_msg(strstr(strstr(mm, " -> "), "[1, 64]"), "%s", mm);
    const char *mt = node_line(r.out, "MultiThreshold");
    ck_assert_msg(mt, "no MultiThreshold line: %s", r.out);
    /* 64 channels in; thresholds per channel const; INT2 activations out */
    ck_assert_msg(strstr(mt, "[1, 64], "), "%s", mt);
    ck_assert_msg(strstr(mt, "const -> "), "%s", mt);
    ck_assert_msg(strstr(strstr(mt, " -> "), "INT2 [1, 64]"), "%s", mt);
    /* the integer graph has no QONNX Quant left */
    ck_assert_msg(!node_line(r.out, "Quant"), "%s", r.out);
    /* the build still happened */
    ck_assert_msg(strstr(r.out, "ref: "), "%s", r.out);
    cli_result_free(&r);
}
END_TEST

START_TEST(test_dump_to_file_and_dataflow_layers)
{
    char dump[600];
    snprintf(dump, sizeof dump, "%s/df.txt", tmp);
    const char *args[] = { "build", TFC, "-o", out_dir, "--target", "hls", "--dump-after",
                           "dataflow", "--dump-to", dump, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    ck_assert_msg(!strstr(r.out, "layer 0 "), "the dump went to stdout: %s", r.out);
    char *text = read_whole_file(dump, NULL);
    ck_assert_msg(text, "no %s", dump);
    /* one line per layer with its folding; the first MVAU takes 784 inputs */
    ck_assert_msg(strstr(text, "after step dataflow"), "%s", text);
    ck_assert_msg(strstr(text, "MVAU '") && strstr(text, "pe ") && strstr(text, "simd "), "%s",
                  text);
    ck_assert_msg(strstr(text, "mw 784"), "%s", text);
    ck_assert_msg(strstr(text, " FIFO '") && strstr(text, "depth "), "%s", text);
    free(text);
    cli_result_free(&r);
}
END_TEST

START_TEST(test_dump_after_unknown_step)
{
    const char *args[] = { "build", TFC, "-o", out_dir, "--dump-after", "fold", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "unknown step 'fold'"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "load, cleanup, streamline, dataflow, names, size-fifos, emit-ref, "
                          "emit-hls, emit-rtl, emit-mcu, emit-npu"), "%s", r.err);
    ck_assert_msg(!file_exists(out_dir), "a usage error wrote %s", out_dir);
    cli_result_free(&r);

    /* a step of the table this command does not run: run stops after cleanup */
    char out[600];
    snprintf(out, sizeof out, "%s/out.npy", tmp);
    const char *run[] = { "run", TFC, "-i", TESTS_DIR "/models/TFC_2W2A/inputs.npy", "-o", out,
                          "--dump-after", "streamline", NULL };
    r = run_qonnxc(run);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "does not run the step 'streamline' (it runs: load, cleanup)"),
                  "%s", r.err);
    ck_assert_msg(!file_exists(out), "a usage error wrote %s", out);
    cli_result_free(&r);
}
END_TEST

/* The integer graph of one model on 8 frames, through the int engine. */
static Value *int_outputs(Graph *g)
{
    Shape s = { 4, { 8, 1, 28, 28 } };
    Value *in = value_new(ET_FLOAT, &s), *out = NULL;
    uint32_t x = 12345;
    for (int64_t k = 0; k < in->count; k++) {
        x = x * 1103515245u + 12345u;
        in->f[k] = (float)(x >> 8) / 16777216.0f;     /* in [0, 1), like pixels */
    }
    Diag d;
    diag_init(&d);
    ck_assert_msg(exec_run_frames(g, (const Value *const *)&in, &out, &d), "%s", d.msg);
    value_free(in);
    return out;
}

/* --dump-to FILE.onnx writes the graph after the step as an ONNX model:
 * loaded back (and cleaned up again), the integer graph computes exactly
 * what the one in memory computes, bit for bit. */
START_TEST(test_dump_onnx_round_trip)
{
    char path[600];
    snprintf(path, sizeof path, "%s/int.onnx", tmp);
    const char *args[] = { "build", TFC, "-o", out_dir, "--dump-after", "streamline",
                           "--dump-to", path, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cli_result_free(&r);

    Diag d;
    diag_init(&d);
    Graph *saved = frontend_load(path, &d);
    ck_assert_msg(saved, "%s", d.msg);
    PipelineOptions o = { .model = TFC, .stop_after = "streamline" };
    Pipeline p;
    ck_assert_msg(pipeline_init(&p, &o, &d) && pipeline_run(&p, &d), "%s", d.msg);
    ck_assert_int_eq(saved->n_nodes, p.g->n_nodes);
    for (int k = 0; k < p.g->n_nodes; k++)
        ck_assert_str_eq(saved->nodes[k]->op_type, p.g->nodes[k]->op_type);
    Value *a = int_outputs(p.g), *b = int_outputs(saved);
    ck_assert_int_eq(a->count, b->count);
    ck_assert_msg(!memcmp(a->f, b->f, (size_t)a->count * sizeof(float)),
                  "the saved integer graph computes something else");
    value_free(a);
    value_free(b);
    pipeline_free(&p);
    graph_free(saved);

    /* the dataflow graph has no ONNX form: a usage error, nothing written */
    snprintf(path, sizeof path, "%s/df.onnx", tmp);
    const char *df[] = { "build", TFC, "-o", out_dir, "--target", "hls", "--dump-after",
                         "dataflow", "--dump-to", path, NULL };
    r = run_qonnxc(df);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "no ONNX form"), "%s", r.err);
    ck_assert(!file_exists(path));
    cli_result_free(&r);
}
END_TEST

/* ---- the target table ---------------------------------------------------------- */

START_TEST(test_every_target_parses)
{
    ck_assert_int_ge(n_targets, 5);
    for (int k = 0; k < n_targets; k++) {
        ck_assert_int_eq(target_find(targets[k].name, strlen(targets[k].name)), k);
        ck_assert_uint_eq(set_of(targets[k].name), (TargetSet)1 << k);
        ck_assert_msg(targets[k].emit, "%s has no emitter", targets[k].name);
    }
    ck_assert_uint_eq(set_of("all"), ((TargetSet)1 << n_targets) - 1);
    ck_assert_uint_eq(set_of("hls,ref,hls"), set_of("ref") | set_of("hls"));
    /* hls, rtl and ice40 are emitted from the dataflow graph, the rest from
     * the integer graph */
    for (int k = 0; k < n_targets; k++)
        ck_assert_int_eq(targets[k].needs_dataflow,
                         !strcmp(targets[k].name, "hls") || !strcmp(targets[k].name, "rtl") ||
                         !strcmp(targets[k].name, "ice40"));
}
END_TEST

START_TEST(test_unknown_target_lists_the_table)
{
    TargetSet s;
    char err[300];
    ck_assert(!target_set_parse("ref,fpga", false, &s, err, sizeof err));
    ck_assert_msg(strstr(err, "unknown target 'fpga'"), "%s", err);
    for (int k = 0; k < n_targets; k++)
        ck_assert_msg(strstr(err, targets[k].name), "%s", err);
    /* none: only where the command allows it (verify) */
    ck_assert(!target_set_parse("none", false, &s, err, sizeof err));
    ck_assert(target_set_parse("none", true, &s, err, sizeof err) && s == 0);
    ck_assert(!target_set_parse("", false, &s, err, sizeof err));

    const char *args[] = { "build", TFC, "-o", out_dir, "--target", "ref,fpga", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "unknown target 'fpga'") &&
                  strstr(r.err, "ref, hls, rtl, mcu, npu"), "%s", r.err);
    cli_result_free(&r);
    const char *verify[] = { "verify", TFC, "--target", "fpga", NULL };
    r = run_qonnxc(verify);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "ref, hls, rtl, mcu, npu") && strstr(r.err, "none"), "%s",
                  r.err);
    cli_result_free(&r);
}
END_TEST

/* The usage texts list the table's targets and the steps. */
START_TEST(test_help_lists_targets_and_steps)
{
    const char *args[] = { "build", "--help", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 0);
    const char *line = strstr(r.out, "\ntargets: ");
    ck_assert_msg(line, "%s", r.out);
    for (int k = 0; k < n_targets; k++)
        ck_assert_msg(strstr(line, targets[k].name), "%s", line);
    ck_assert_msg(strstr(r.out, "\nsteps: load, cleanup, streamline, dataflow, names, size-fifos, "
                                "emit-ref"), "%s", r.out);
    cli_result_free(&r);
    const char *top[] = { "--help", NULL };
    r = run_qonnxc(top);
    ck_assert_msg(strstr(r.out, "targets (build, verify --target): ref, hls, rtl, mcu, npu"),
                  "%s", r.out);
    cli_result_free(&r);
}
END_TEST

/* The config's targets: are what build emits without --target; --target wins. */
START_TEST(test_config_targets)
{
    char cfg[600], path[700];
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", tmp);
    FILE *f = fopen(cfg, "w");
    ck_assert(f);
    fputs("targets: [mcu, hls]\n", f);
    fclose(f);
    const char *args[] = { "build", TFC, "-c", cfg, "-o", out_dir, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    ck_assert_msg(strstr(r.out, "hls: ") && strstr(r.out, "mcu: ") && !strstr(r.out, "ref: "),
                  "%s", r.out);
    snprintf(path, sizeof path, "%s/mcu/Makefile", out_dir);
    ck_assert_msg(file_exists(path), "no %s", path);
    snprintf(path, sizeof path, "%s/ref", out_dir);
    ck_assert_msg(!file_exists(path), "%s written", path);
    cli_result_free(&r);

    const char *over[] = { "build", TFC, "-c", cfg, "-o", out_dir, "--target", "ref", NULL };
    r = run_qonnxc(over);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    ck_assert_msg(strstr(r.out, "ref: ") && !strstr(r.out, "mcu: "), "%s", r.out);
    cli_result_free(&r);

    /* an unknown name in the config names the file, the line and the table */
    f = fopen(cfg, "w");
    fputs("clock_mhz: 100\ntargets: [ref, fpga]\n", f);
    fclose(f);
    r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "cfg.yaml:2") && strstr(r.err, "'fpga'") &&
                  strstr(r.err, "ref, hls, rtl, mcu, npu"), "%s", r.err);
    cli_result_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pipeline");
    TCase *plan = tcase_create("plan");
    tcase_add_checked_fixture(plan, setup, teardown);
    tcase_set_timeout(plan, 120);
    tcase_add_test(plan, test_step_order);
    tcase_add_test(plan, test_run_all_steps);
    tcase_add_test(plan, test_check_failure_names_step);
    suite_add_tcase(s, plan);
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, setup, teardown);
    tcase_set_timeout(cli, 120);
    tcase_add_test(cli, test_verbose_prints_every_step);
    tcase_add_test(cli, test_run_accumulate);
    tcase_add_test(cli, test_dump_after_streamline);
    tcase_add_test(cli, test_dump_to_file_and_dataflow_layers);
    tcase_add_test(cli, test_dump_after_unknown_step);
    tcase_add_test(cli, test_dump_onnx_round_trip);
    suite_add_tcase(s, cli);
    TCase *tt = tcase_create("targets");
    tcase_add_checked_fixture(tt, setup, teardown);
    tcase_set_timeout(tt, 120);
    tcase_add_test(tt, test_every_target_parses);
    tcase_add_test(tt, test_unknown_target_lists_the_table);
    tcase_add_test(tt, test_config_targets);
    tcase_add_test(tt, test_help_lists_targets_and_steps);
    suite_add_tcase(s, tt);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
