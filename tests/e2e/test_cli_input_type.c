/* An unquantized graph input (issue 12, defect 4): QKeras exports feed the
 * float input straight into the first MatMul. The integer graph cannot take
 * it, so qonnxc refuses by default and says how to fix it; with
 * --input-type (or the config key input_type) it puts a Quant node of that
 * type on the input, for golden and every engine alike, and then they agree
 * exactly. The model: tests/helpers/float_input_model.h. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "float_input_model.h"
#include "model_data.h"
#include "npy.h"
#include "run_cli.h"

#define FRAMES 64
#define IN FLOAT_INPUT_MODEL_IN

static char *tmp;
static char model[512], input[512], cfg[512];
static float frames[FRAMES * IN];

/* Inputs over [-5, 5]: beyond fixed<8,3>'s range [-4, 3.96875] (saturation),
 * ties halfway between two steps of 1/32 (rounding), and a spread between. */
static void make_frames(void)
{
    static const float edge[] = { 5.0f, -5.0f, 0.5f / 32, 1.5f / 32, -0.5f / 32, -2.5f / 32,
                                  3.96875f, -4.0f };
    for (int k = 0; k < FRAMES * IN; k++)
        frames[k] = k < 8 ? edge[k] : (float)((k * 7919) % 1000) / 100.0f - 5.0f;
}

static void setup(void)
{
    tmp = make_temp_dir("input-type");
    snprintf(model, sizeof model, "%s/float_input.onnx", tmp);
    snprintf(input, sizeof input, "%s/in.npy", tmp);
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", tmp);
    OnnxBuilder *b = ob_float_input_mlp();
    ck_assert(ob_write(b, model));
    ob_free(b);
    make_frames();
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(input, frames, 2, (int64_t[]){ FRAMES, IN }, &d), "%s", d.msg);
}

static void teardown(void)
{
    rm_rf(tmp);
    free(tmp);
}

static void expect(CliResult *r, int exit_code, const char *where, const char *phrase)
{
    ck_assert_msg(r->exit_code == exit_code, "exit %d, want %d\nstdout: %s\nstderr: %s",
                  r->exit_code, exit_code, r->out, r->err);
    if (phrase)
        ck_assert_msg(strstr(where, phrase), "lacks '%s': %s", phrase, where);
}

/* verify's row for `target` agrees on all 64 frames (its exit code, 0,
 * already says every row is exact; this checks the row was run). */
static void expect_row(const char *out, const char *target)
{
    const char *row = out;
    size_t len = strlen(target);
    while (row && (strncmp(row, target, len) || row[len] != ' '))
        row = (row = strchr(row, '\n')) ? row + 1 : NULL;
    ck_assert_msg(row, "no row '%s' in: %s", target, out);
    const char *end = strchr(row, '\n');
    char line[256];
    snprintf(line, sizeof line, "%.*s", end ? (int)(end - row) : (int)strlen(row), row);
    ck_assert_msg(strstr(line, "64/64"), "row '%s' is not 64/64: %s", target, line);
}

/* `qonnxc run` on `in` with the given extra arguments; the outputs. */
static Value *run_model(const char *in, const char *engine, const char *input_type)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out_%s_%s.npy", tmp, engine, input_type ? "typed" : "plain");
    const char *args[] = { "run", model, "-i", in, "-o", out, "-q", "--engine", engine,
                           input_type ? "--input-type" : NULL, input_type, NULL };
    CliResult r = run_qonnxc(args);
    expect(&r, 0, r.err, NULL);
    cli_result_free(&r);
    return load_npy_value(out);
}

static void assert_same(const Value *a, const Value *b)
{
    ck_assert_int_eq(a->count, b->count);
    for (int64_t k = 0; k < a->count; k++)
        ck_assert_msg(memcmp(&a->f[k], &b->f[k], sizeof(float)) == 0,
                      "element %lld: %.9g vs %.9g", (long long)k, a->f[k], b->f[k]);
}

/* (1) The default: the integer engine and every target refuse, naming the
 * input and the node, and saying what to do; info says it up front. */
START_TEST(test_refused_without_a_type)
{
    char out[600], dir[600];
    snprintf(out, sizeof out, "%s/out.npy", tmp);
    snprintf(dir, sizeof dir, "%s/build", tmp);
    const char *run[] = { "run", model, "-i", input, "-o", out, "--engine", "int", NULL };
    const char *build[] = { "build", model, "-o", dir, "--target", "ref,mcu", NULL };
    const char *verify[] = { "verify", model, "--target", "ref", NULL };
    const char *const *cmds[] = { run, build, verify };
    for (int c = 0; c < 3; c++) {
        CliResult r = run_qonnxc(cmds[c]);
        expect(&r, 3, r.err, "float_input.onnx: node 'fc1' (MatMul): graph input 'x' reaches "
               "this node without a quantizer");
        expect(&r, 3, r.err, "--input-type");
        expect(&r, 3, r.err, "input_type");
        cli_result_free(&r);
    }
    ck_assert(!file_exists(out) && !file_exists(dir));
    /* golden needs no type: it runs the float input as the model says */
    Value *golden = run_model(input, "golden", NULL);
    value_free(golden);
    const char *info[] = { "info", model, NULL };
    CliResult r = run_qonnxc(info);
    expect(&r, 0, r.out, "input 'x' is unquantized");
    expect(&r, 0, r.out, "--input-type");
    cli_result_free(&r);
}
END_TEST

/* (2) With the type, verify is exact on ref and mcu: golden ran with the
 * same inserted quantizer. */
START_TEST(test_verify_exact_with_a_type)
{
    const char *args[] = { "verify", model, "--input-type", "fixed<8,3>", "--target", "ref,mcu",
                           "-i", input, NULL };
    CliResult r = run_qonnxc(args);
    expect(&r, 0, r.out, NULL);
    expect_row(r.out, "int");
    expect_row(r.out, "ref");
    expect_row(r.out, "mcu");
    cli_result_free(&r);
}
END_TEST

/* (2) The int engine equals golden-with-the-quantizer bit for bit (every
 * scale is a power of two, so golden's float arithmetic is exact); and
 * golden-with-the-quantizer is golden without it on inputs the test rounds
 * itself: fixed<8,3> is q = clamp(round_half_even(x * 32), -128, 127), x = q / 32. */
START_TEST(test_int_engine_equals_golden_with_the_quantizer)
{
    Value *golden = run_model(input, "golden", "fixed<8,3>");
    Value *integer = run_model(input, "int", "fixed<8,3>");
    assert_same(integer, golden);

    float rounded[FRAMES * IN];
    for (int k = 0; k < FRAMES * IN; k++)
        rounded[k] = fminf(fmaxf(rintf(frames[k] * 32.0f), -128.0f), 127.0f) / 32.0f;
    ck_assert(rounded[0] == 3.96875f && rounded[1] == -4.0f);     /* saturated */
    ck_assert(rounded[2] == 0.0f && rounded[3] == 2.0f / 32);      /* ties to even */
    ck_assert(rounded[4] == 0.0f && rounded[5] == -2.0f / 32);
    char pre[600];
    snprintf(pre, sizeof pre, "%s/rounded.npy", tmp);
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(pre, rounded, 2, (int64_t[]){ FRAMES, IN }, &d), "%s", d.msg);
    Value *plain = run_model(pre, "golden", NULL);
    assert_same(plain, golden);
    value_free(plain);
    value_free(golden);
    value_free(integer);
}
END_TEST

/* The config key says the same: INT8 with a scale of 1/32 is fixed<8,3>. */
START_TEST(test_config_key)
{
    FILE *f = fopen(cfg, "w");
    fputs("input_scale: 0.03125\ninput_type: INT8\n", f);
    fclose(f);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/build", tmp);
    const char *build[] = { "build", model, "-c", cfg, "-o", dir, "--target", "ref", NULL };
    CliResult r = run_qonnxc(build);
    expect(&r, 0, r.out, "ref:");
    cli_result_free(&r);
    const char *report[] = { "report", dir, "-m", model, "-c", cfg, NULL };
    r = run_qonnxc(report);
    expect(&r, 0, r.err, NULL);
    cli_result_free(&r);
    const char *verify[] = { "verify", model, "-c", cfg, "--target", "ref", "-i", input, NULL };
    r = run_qonnxc(verify);
    expect(&r, 0, r.out, NULL);
    expect_row(r.out, "ref");
    cli_result_free(&r);
    /* --input-type wins over the config; a bad one is a usage error */
    const char *bad[] = { "verify", model, "-c", cfg, "--input-type", "fixed<8>", NULL };
    r = run_qonnxc(bad);
    expect(&r, 2, r.err, "--input-type: 'fixed<8>' is not an input type");
    cli_result_free(&r);
}
END_TEST

/* An input that has a quantizer keeps it: a second one is refused. */
START_TEST(test_quantized_input_refuses_a_type)
{
    char tfc[512], out[600];
    model_path(tfc, sizeof tfc, "TFC_1W1A", "model.onnx");
    snprintf(out, sizeof out, "%s/out.npy", tmp);
    const char *args[] = { "run", tfc, "-i", input, "-o", out, "--input-type", "INT8", NULL };
    CliResult r = run_qonnxc(args);
    expect(&r, 2, r.err, "graph input '0' is already quantized");
    cli_result_free(&r);
    const char *info[] = { "info", tfc, NULL };
    r = run_qonnxc(info);
    expect(&r, 0, r.out, "inputs:");
    ck_assert_msg(!strstr(r.out, "unquantized"), "%s", r.out);
    cli_result_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cli_input_type");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_refused_without_a_type);
    tcase_add_test(tc, test_verify_exact_with_a_type);
    tcase_add_test(tc, test_int_engine_equals_golden_with_the_quantizer);
    tcase_add_test(tc, test_config_key);
    tcase_add_test(tc, test_quantized_input_refuses_a_type);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
