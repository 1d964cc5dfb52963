/* qonnxc report --synth end to end (docs/synthesis.md): real yosys runs
 * on a tiny two-layer MLP built here (16 -> 8 -> 4, 2-bit weights and
 * activations; ~15 s of yosys, where TFC-W1A1 takes minutes):
 *
 *   qonnxc build tiny.onnx --target rtl -o DIR
 *   qonnxc report DIR -m tiny.onnx --synth
 *
 * checks the progress lines, the table, DIR/report/synth.json against the
 * stat report yosys wrote (the layers add up to yosys's own design total),
 * and the errors: no rtl folder, yosys not on PATH, yosys failing on a
 * broken design. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_file.h"
#include "onnx_builder.h"
#include "run_cli.h"

#define QONNX "qonnx.custom_op.general"

static int n_scalars;

static const char *scalar(OnnxBuilder *b, float v)
{
    static char names[32][16];
    char *name = names[n_scalars % 32];
    snprintf(name, 16, "k%d", n_scalars++);
    ob_init_f32(b, name, 0, NULL, &v);
    return name;
}

static void quant(OnnxBuilder *b, const char *in, const char *out, float scale, int bits,
                  int is_signed)
{
    char name[64];
    snprintf(name, sizeof name, "quant_%s", out);
    ObNode *q = ob_node(b, "Quant", QONNX, name, 4,
                        (const char *[]){ in, scalar(b, scale), scalar(b, 0.0f),
                                          scalar(b, (float)bits) },
                        1, (const char *[]){ out });
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", "ROUND");
}

/* 2-bit signed weights [rows, cols], a fixed pattern of -2..1. */
static void weights(OnnxBuilder *b, const char *name, int64_t rows, int64_t cols, const char *out)
{
    float w[16 * 8];
    for (int64_t k = 0; k < rows * cols; k++)
        w[k] = (float)((k * 7 + k / 3) % 4 - 2);
    ob_init_f32(b, name, 2, (int64_t[]){ rows, cols }, w);
    quant(b, name, out, 1.0f, 2, 1);
}

/* x[1,16] -> Quant (UINT2) -> MatMul 16x8 -> Relu -> Quant (UINT2) ->
 * MatMul 8x4 -> y: two MVAU layers, the first with thresholds. */
static void write_tiny_mlp(const char *path)
{
    OnnxBuilder *b = ob_new("tiny");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 16 });
    quant(b, "x", "a0", 0.25f, 2, 0);
    weights(b, "w1", 16, 8, "w1q");
    ob_node(b, "MatMul", NULL, "fc1", 2, (const char *[]){ "a0", "w1q" }, 1,
            (const char *[]){ "h1" });
    ob_node(b, "Relu", NULL, "relu1", 1, (const char *[]){ "h1" }, 1, (const char *[]){ "r1" });
    quant(b, "r1", "a1", 1.0f, 2, 0);
    weights(b, "w2", 8, 4, "w2q");
    ob_node(b, "MatMul", NULL, "fc2", 2, (const char *[]){ "a1", "w2q" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* A temp dir holding tiny.onnx and its build (target `targets`) in out/. */
static char *build_tiny(const char *targets, char *model, size_t model_size, char *out,
                        size_t out_size)
{
    char *dir = make_temp_dir("report-synth");
    ck_assert_ptr_nonnull(dir);
    snprintf(model, model_size, "%s/tiny.onnx", dir);
    snprintf(out, out_size, "%s/out", dir);
    write_tiny_mlp(model);
    CliResult r = run_qonnxc((const char *[]){ "build", model, "--target", targets, "-o", out,
                                               NULL });
    ck_assert_msg(r.exit_code == 0, "build failed:\n%s", r.err);
    cli_result_free(&r);
    return dir;
}

/* Sums, in the stat report's "design hierarchy" section, the cells whose
 * type starts with `prefix`: yosys's own total, read independently of
 * synth_stat.c. */
static long long stat_total(const char *stat, const char *prefix)
{
    const char *p = strstr(stat, "=== design hierarchy ===");
    ck_assert_ptr_nonnull(p);
    p = strstr(p, "Number of cells:");
    ck_assert_ptr_nonnull(p);
    long long sum = 0;
    char type[128];
    long long n;
    for (p = strchr(p, '\n'); p && sscanf(p, " %127s %lld", type, &n) == 2; p = strchr(p + 1, '\n'))
        if (!strncmp(type, prefix, strlen(prefix)))
            sum += n;
    return sum;
}

START_TEST(test_synth_tiny_mlp)
{
    char model[300], out[300], path[400];
    char *dir = build_tiny("rtl", model, sizeof model, out, sizeof out);
    CliResult r = run_qonnxc((const char *[]){ "report", out, "-m", model, "--synth", NULL });
    ck_assert_msg(r.exit_code == 0, "report --synth failed (%d):\n%s", r.exit_code, r.err);
    /* progress on stderr, the table on stdout */
    ck_assert_msg(strstr(r.err, "synthesizing") && strstr(r.err, "/rtl with yosys") &&
                  strstr(r.err, "yosys: done in"), "no progress lines:\n%s", r.err);
    ck_assert_msg(strstr(r.out, "synthesis: Yosys ") && strstr(r.out, "fc1") &&
                  strstr(r.out, "fc2") && strstr(r.out, "est.LUT") &&
                  strstr(r.out, "/report/synth.json"), "no synthesis table:\n%s", r.out);
    cli_result_free(&r);

    snprintf(path, sizeof path, "%s/report/synth.json", out);
    cJSON *json = json_file(path);
    snprintf(path, sizeof path, "%s/rtl/synth/tiny_top.stat", out);
    char *stat = read_whole_file(path, NULL);
    ck_assert_msg(stat != NULL, "no %s", path);
    /* the layers in order: fc1, the FIFO, fc2, each matched to its module */
    static const char *const instances[] = { "l0_fc1", "l1_fifo_0", "l2_fc2" };
    ck_assert_int_eq(cJSON_GetArraySize(json_at(json, "layers")), 3);
    for (int k = 0; k < 3; k++) {
        char at[64];
        snprintf(at, sizeof at, "layers[%d].instance", k);
        ck_assert_str_eq(json_str(json, at), instances[k]);
        snprintf(at, sizeof at, "layers[%d].module", k);
        ck_assert_msg(!strncmp(json_str(json, at), "$paramod", 8), "%s", json_str(json, at));
    }
    ck_assert_int_eq(json_num(json, "layers_not_found"), 0);

    /* both MVAUs hold logic and registers, and the estimate is beside it */
    ck_assert_int_gt(json_num(json, "layers[0].lut"), 0);
    ck_assert_int_gt(json_num(json, "layers[0].ff"), 0);
    ck_assert_int_gt(json_num(json, "layers[2].lut"), 0);
    ck_assert_int_gt(json_num(json, "layers[0].estimate.luts"), 0);

    /* the totals are yosys's own: LUT1..6 and FD* of the design hierarchy */
    long long luts = stat_total(stat, "LUT"), ffs = stat_total(stat, "FD");
    ck_assert_int_gt(luts, 0);
    ck_assert_int_eq(json_num(json, "total.lut"), luts);
    ck_assert_int_eq(json_num(json, "total.ff"), ffs);
    ck_assert_int_eq(json_num(json, "total.bram18"),
                     stat_total(stat, "RAMB18E1") + 2 * stat_total(stat, "RAMB36E1"));
    ck_assert_int_eq(json_num(json, "total.dsp"), stat_total(stat, "DSP48E1"));
    /* the layers and the top level add up to the total */
    double sum = json_num(json, "top_level.ff");
    for (int k = 0; k < 3; k++) {
        char at[64];
        snprintf(at, sizeof at, "layers[%d].ff", k);
        sum += json_num(json, at);
    }
    ck_assert_int_eq(sum, ffs);
    free(stat);
    cJSON_Delete(json);

    /* yosys failing: a broken top; the message names the log, and no
     * result of the earlier run is left behind */
    snprintf(path, sizeof path, "%s/rtl/tiny_top.v", out);
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    fputs("this is not verilog\n", f);
    fclose(f);
    r = run_qonnxc((const char *[]){ "report", out, "-m", model, "--synth", NULL });
    ck_assert_int_eq(r.exit_code, 6);
    ck_assert_msg(strstr(r.err, "rtl/synth/tiny_top.log: yosys failed on") &&
                  strstr(r.err, "ERROR"), "%s", r.err);
    cli_result_free(&r);
    snprintf(path, sizeof path, "%s/rtl/synth/tiny_top.stat", out);
    ck_assert(!file_exists(path));
    snprintf(path, sizeof path, "%s/report/synth.json", out);
    ck_assert(!file_exists(path));
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_errors)
{
    char model[300], out[300], path[400];
    /* a build without rtl: the message names DIR/rtl, nothing is written */
    char *dir = build_tiny("ref", model, sizeof model, out, sizeof out);
    CliResult r = run_qonnxc((const char *[]){ "report", out, "-m", model, "--synth", NULL });
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "/out/rtl: no rtl design here"), "%s", r.err);
    cli_result_free(&r);
    snprintf(path, sizeof path, "%s/report/synth.json", out);
    ck_assert(!file_exists(path));
    rm_rf(dir);
    free(dir);

    /* yosys not on PATH */
    dir = build_tiny("rtl", model, sizeof model, out, sizeof out);
    char *saved = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", "/nonexistent", 1);
    r = run_qonnxc((const char *[]){ "report", out, "-m", model, "--synth", NULL });
    setenv("PATH", saved, 1);
    free(saved);
    ck_assert_int_eq(r.exit_code, 6);
    ck_assert_msg(strstr(r.err, "/out/rtl: cannot synthesize: yosys is not installed"), "%s",
                  r.err);
    cli_result_free(&r);
    snprintf(path, sizeof path, "%s/report/synth.json", out);
    ck_assert(!file_exists(path));

    /* an rtl folder without its Makefile */
    snprintf(path, sizeof path, "%s/rtl/Makefile", out);
    ck_assert_int_eq(remove(path), 0);
    r = run_qonnxc((const char *[]){ "report", out, "-m", model, "--synth", NULL });
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "/out/rtl/Makefile: cannot read"), "%s", r.err);
    cli_result_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_synth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_synth_tiny_mlp);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
