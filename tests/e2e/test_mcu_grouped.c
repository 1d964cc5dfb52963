/* Grouped and depthwise convolutions and a residual block on the mcu and
 * npu targets (issue 14), on small Brevitas-shaped CNNs built in C
 * (tests/helpers/brevitas_cnn.h): group 1, 2 and C (depthwise, with a
 * channel multiplier of 2 in the strided layer), with and without a
 * residual block.
 *
 * `qonnxc verify --target ref,mcu,npu` must print `exact` for every row:
 * each executor's integers equal to the int engine's on every frame. The
 * emitted mcu code runs a grouped layer group by group (depthwise: one dot
 * product per channel over its window), storing only the group's weights:
 * size_report.json's weight bytes of a depthwise 3x3 layer of 4-bit
 * weights are 5 bytes (9 codes) per output channel, not the 37 a dense
 * 8-channel row would take.
 *
 * And the MobileNet export (MOBILENET_W4A4_RANDOM: depthwise 3x3 with
 * stride 2, pointwise convs) cut before its final average pool (the
 * integer graph does not take the pool yet): verify on its inputs.npy. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brevitas_cnn.h"
#include "json_file.h"
#include "model_data.h"
#include "onnx_cut.h"
#include "run_cli.h"

static void write_model(int groups, bool residual, const char *path)
{
    OnnxBuilder *b = brevitas_cnn(groups, residual, 7 + (uint32_t)groups);
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* input: an .npy of frames, or NULL for 200 random frames */
static void verify_exact(const char *model, const char *input)
{
    const char *args[] = { "verify", model, "--target", "ref,mcu,npu", input ? "-i" : "--frames",
                           input ? input : "200", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "verify %s: exit %d\n%s\n%s", model, r.exit_code, r.out, r.err);
    const char *rows[] = { "\nref ", "\nmcu ", "\nnpu " };
    for (int k = 0; k < 3; k++) {
        const char *row = strstr(r.out, rows[k]);
        ck_assert_msg(row, "no %s row:\n%s", rows[k] + 1, r.out);
        const char *end = strchr(row + 1, '\n');
        const char *exact = strstr(row, "exact");
        ck_assert_msg(exact && (!end || exact < end), "%s", r.out);
    }
    cli_result_free(&r);
}

static const int groups[] = { 1, 2, BREVITAS_CNN_C };

START_TEST(test_grouped_exact)
{
    char *dir = make_temp_dir("mcu-grouped");
    char model[1100];
    snprintf(model, sizeof model, "%s/cnn_g%d.onnx", dir, groups[_i]);
    write_model(groups[_i], false, model);
    verify_exact(model, NULL);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_residual_exact)
{
    char *dir = make_temp_dir("mcu-residual");
    char model[1100];
    snprintf(model, sizeof model, "%s/cnn_res_g%d.onnx", dir, groups[_i]);
    write_model(groups[_i], true, model);
    verify_exact(model, NULL);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The emitted depthwise kernel: its own loop over groups, the group's
 * weights only. */
START_TEST(test_depthwise_kernel)
{
    char *dir = make_temp_dir("mcu-depthwise");
    char model[1100], path[1200];
    snprintf(model, sizeof model, "%s/cnn_dw.onnx", dir);
    write_model(BREVITAS_CNN_C, false, model);
    const char *args[] = { "build", model, "-o", dir, "--target", "mcu", NULL };
    snprintf(path, sizeof path, "%s/mcu", dir);
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    cli_result_free(&r);
    snprintf(path, sizeof path, "%s/mcu/model.c", dir);
    char *c = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_msg(strstr(c, "depthwise: per channel, one dot product over its 3x3 window"), "%s", c);
    ck_assert_ptr_nonnull(strstr(c, "GROUPS = 8, GROUP_OUT = 1"));   /* convg */
    ck_assert_ptr_nonnull(strstr(c, "GROUPS = 8, GROUP_OUT = 2"));   /* convs */
    ck_assert_ptr_nonnull(strstr(c, "for (o = grp * GROUP_OUT; o < (grp + 1) * GROUP_OUT; ++o)"));
    free(c);
    snprintf(path, sizeof path, "%s/mcu/size_report.json", dir);
    /* convg: 8 channels x ceil(9 * 4 / 8) bytes; convs: 16 x 5 */
    cJSON *report = json_file(path);
    double convg = -1, convs = -1;
    const cJSON *layers = json_at(report, "layers"), *layer;
    cJSON_ArrayForEach(layer, layers) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(layer, "name");
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(layer, "weight_bytes");
        if (cJSON_IsString(n) && cJSON_IsNumber(w) && !strcmp(n->valuestring, "convg"))
            convg = w->valuedouble;
        if (cJSON_IsString(n) && cJSON_IsNumber(w) && !strcmp(n->valuestring, "convs"))
            convs = w->valuedouble;
    }
    cJSON_Delete(report);
    ck_assert_msg(convg == 40 && convs == 80, "weight bytes: convg %g, convs %g", convg, convs);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_mobilenet_cut)
{
    char src[512], model[1100], input[600], err[1200];
    ck_assert_msg(shared_model_dir("MOBILENET_W4A4_RANDOM", src, sizeof src),
                  "MOBILENET_W4A4_RANDOM is in none of tests/models and %s",
                  shared_models_dir());
    char *dir = make_temp_dir("mcu-mobilenet");
    snprintf(model, sizeof model, "%s/model.onnx", src);
    snprintf(input, sizeof input, "%s/inputs.npy", src);
    char cut[1100];
    snprintf(cut, sizeof cut, "%s/mobilenet_cut.onnx", dir);
    /* the Pad in front of the final TruncAvgPool */
    ck_assert_msg(onnx_cut_before(model, cut, "Pad", err, sizeof err), "%s", err);
    verify_exact(cut, input);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mcu_grouped");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_depthwise_kernel);
    tcase_add_loop_test(tc, test_grouped_exact, 0, 3);
    tcase_add_loop_test(tc, test_residual_exact, 0, 3);
    tcase_add_test(tc, test_mobilenet_cut);
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
