/* Bad input at the command line: every case must end with a message naming
 * the file, the node (name and op) and the reason, a non-zero exit code
 * (docs/cli.md) and no output file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_data.h"
#include "npy.h"
#include "onnx_builder.h"
#include "run_cli.h"

static char *tmp;           /* a fresh directory per test */
static char model[512], input[512], output[512];

static void setup(void)
{
    tmp = make_temp_dir("cli-errors");
    snprintf(model, sizeof model, "%s/model.onnx", tmp);
    snprintf(input, sizeof input, "%s/in.npy", tmp);
    snprintf(output, sizeof output, "%s/out.npy", tmp);
}

static void teardown(void)
{
    rm_rf(tmp);
    free(tmp);
}

static void write_input(int rank, const int64_t *shape)
{
    int64_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= shape[k];
    float *data = calloc((size_t)n, sizeof *data);
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(input, data, rank, shape, &d), "%s", d.msg);
    free(data);
}

/* Runs `qonnxc run` on the current model and input; asserts the exit code,
 * that stderr contains every one of the given phrases, and no output file. */
static void expect_run_error(int exit_code, const char *const *phrases)
{
    const char *args[] = { "run", model, "-i", input, "-o", output, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == exit_code, "exit %d, want %d; stderr: %s", r.exit_code,
                  exit_code, r.err);
    for (int k = 0; phrases[k]; k++)
        ck_assert_msg(strstr(r.err, phrases[k]), "stderr lacks '%s': %s", phrases[k], r.err);
    ck_assert_msg(!file_exists(output), "an output file was written");
    cli_result_free(&r);
}

/* A one-layer QONNX model: x[1,4] -> Quant(x, scale, zp, bits) -> MatMul(w) -> y[1,3].
 * Callers change one thing about it to make it bad. */
static OnnxBuilder *small_model(float bits)
{
    OnnxBuilder *b = ob_new("small");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_init_f32(b, "bits", 0, NULL, (float[]){ bits });
    float w[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 };
    ob_init_f32(b, "w", 2, (int64_t[]){ 4, 3 }, w);
    ObNode *q = ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
                        (const char *[]){ "x", "scale", "zeropt", "bits" }, 1,
                        (const char *[]){ "xq" });
    ob_attr_int(q, "signed", 1);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", "ROUND");
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "xq", "w" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    return b;
}

static void write_model(OnnxBuilder *b)
{
    ck_assert(ob_write(b, model));
    ob_free(b);
}

START_TEST(good_model_runs)
{
    /* The baseline the bad cases below depart from: it must work. */
    write_model(small_model(4));
    write_input(2, (int64_t[]){ 3, 4 });
    const char *args[] = { "run", model, "-i", input, "-o", output, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    ck_assert(file_exists(output));
    cli_result_free(&r);
}
END_TEST

START_TEST(truncated_model)
{
    char src[512];
    FILE *in = fopen(model_path(src, sizeof src, "TFC_1W1A", "model.onnx"), "rb");
    FILE *out = fopen(model, "wb");
    char buf[3000];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    write_input(4, (int64_t[]){ 1, 1, 28, 28 });
    expect_run_error(3, (const char *[]){ model, "not a valid ONNX", NULL });
}
END_TEST

START_TEST(not_protobuf)
{
    FILE *f = fopen(model, "w");
    fputs("this is a text file, not a model\n", f);
    fclose(f);
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "not a valid ONNX", NULL });
}
END_TEST

START_TEST(unknown_ops_listed_together)
{
    OnnxBuilder *b = ob_new("unknown");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_node(b, "FancyNorm", NULL, "norm0", 1, (const char *[]){ "x" }, 1, (const char *[]){ "a" });
    ob_node(b, "Relu", NULL, "relu0", 1, (const char *[]){ "a" }, 1, (const char *[]){ "b" });
    ob_node(b, "Mystery", "com.example", "odd1", 1, (const char *[]){ "b" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'norm0' (FancyNorm)", "node 'odd1' (Mystery)",
                                          "unsupported op", NULL });
}
END_TEST

START_TEST(unsupported_attribute_value)
{
    /* rounding_mode is validated when the model is checked, before any run. */
    OnnxBuilder *b = ob_new("badattr");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_init_f32(b, "bits", 0, NULL, (float[]){ 4.0f });
    ObNode *q = ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
                        (const char *[]){ "x", "scale", "zeropt", "bits" }, 1,
                        (const char *[]){ "y" });
    ob_attr_string(q, "rounding_mode", "STOCHASTIC");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'act_quant' (Quant)", "STOCHASTIC", NULL });
}
END_TEST

START_TEST(inconsistent_shapes)
{
    OnnxBuilder *b = ob_new("shapes");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    float w[15] = { 0 };
    ob_init_f32(b, "w", 2, (int64_t[]){ 5, 3 }, w);
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "x", "w" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    write_model(b);
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'fc' (MatMul)", NULL });
}
END_TEST

START_TEST(quant_bit_width_zero)
{
    write_model(small_model(0));
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'act_quant' (Quant)", "bit", NULL });
}
END_TEST

START_TEST(quant_bit_width_33)
{
    write_model(small_model(33));
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'act_quant' (Quant)", "bit", NULL });
}
END_TEST

START_TEST(non_constant_quantizer_parameter)
{
    /* The scale comes from a second graph input: Quant needs a constant. */
    OnnxBuilder *b = ob_new("nonconst");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_input(b, "s", ET_FLOAT, 0, NULL);
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_init_f32(b, "bits", 0, NULL, (float[]){ 4.0f });
    ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
            (const char *[]){ "x", "s", "zeropt", "bits" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    write_input(2, (int64_t[]){ 1, 4 });
    expect_run_error(3, (const char *[]){ model, "node 'act_quant' (Quant)", "constant", NULL });
}
END_TEST

START_TEST(input_shape_does_not_fit)
{
    write_model(small_model(4));
    write_input(2, (int64_t[]){ 2, 5 });
    expect_run_error(4, (const char *[]){ input, "does not fit input 'x'", NULL });
}
END_TEST

START_TEST(missing_input_file)
{
    write_model(small_model(4));
    expect_run_error(4, (const char *[]){ input, NULL });
}
END_TEST

START_TEST(usage_errors)
{
    const char *no_output[] = { "run", "model.onnx", "-i", "in.npy", NULL };
    CliResult r = run_qonnxc(no_output);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "-o OUT.npy"));
    cli_result_free(&r);
    const char *unknown[] = { "frobnicate", NULL };
    r = run_qonnxc(unknown);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    cli_result_free(&r);
    /* verify --target takes a comma-separated list; the bad name is quoted */
    const char *bad_target[] = { "verify", "model.onnx", "--target", "ref,fpga", NULL };
    r = run_qonnxc(bad_target);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "unknown target 'fpga' in 'ref,fpga'"), "%s", r.err);
    cli_result_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_errors");
    TCase *tc = tcase_create("bad_input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_model_runs);
    tcase_add_test(tc, truncated_model);
    tcase_add_test(tc, not_protobuf);
    tcase_add_test(tc, unknown_ops_listed_together);
    tcase_add_test(tc, unsupported_attribute_value);
    tcase_add_test(tc, inconsistent_shapes);
    tcase_add_test(tc, quant_bit_width_zero);
    tcase_add_test(tc, quant_bit_width_33);
    tcase_add_test(tc, non_constant_quantizer_parameter);
    tcase_add_test(tc, input_shape_does_not_fit);
    tcase_add_test(tc, missing_input_file);
    tcase_add_test(tc, usage_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
