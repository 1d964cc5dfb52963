/* `qonnxc build` writes the dataflow estimates into its output folder
 * whenever it builds the dataflow graph (targets hls and rtl), the same
 * report/estimates.json that `qonnxc report` writes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_file.h"
#include "run_cli.h"

START_TEST(hls_build_writes_estimates)
{
    char *tmp = make_temp_dir("build-estimates");
    char out[512], json[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(json, sizeof json, "%s/report/estimates.json", out);
    const char *args[] = { "build", TESTS_DIR "/models/TFC_1W1A/model.onnx", "-c",
                           TESTS_DIR "/../configs/TFC_1W1A.yaml", "-o", out, "--target", "hls",
                           NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    cJSON *root = json_file(json);
    /* TFC-W1A1 at FINN's folding: the first MVAU, 64/16 x 784/49 = 64 cycles, is the bottleneck */
    ck_assert_int_eq(json_num(root, "network.bottleneck_cycles"), 64);
    ck_assert_str_eq(json_str(root, "network.bottleneck_layer"), json_str(root, "layers[0].name"));
    ck_assert_int_eq(json_num(root, "layers[0].cycles"), 64);
    /* 100 MHz / 64 cycles */
    ck_assert(json_num(root, "network.fps") == 1562500.0);
    cJSON_Delete(root);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

START_TEST(ref_only_build_has_no_estimates)
{
    /* ref does not lower to the dataflow graph, so there is nothing to estimate */
    char *tmp = make_temp_dir("build-estimates");
    char out[512], json[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(json, sizeof json, "%s/report/estimates.json", out);
    const char *args[] = { "build", TESTS_DIR "/models/TFC_1W1A/model.onnx", "-o", out, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    ck_assert(!file_exists(json));
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("build_estimates");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, hls_build_writes_estimates);
    tcase_add_test(tc, ref_only_build_has_no_estimates);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
