/* `qonnxc export --format qcdq` run by ONNX Runtime: for every shared
 * model, the exported file runs in onnxruntime-node (bench/ort/ort_run.js,
 * one thread) on the model's inputs.npy, and its outputs match the model's
 * expected.npy (computed by ONNX Runtime on the QONNX model with its
 * quantizers rewritten independently of qonnxc): the same argmax on every
 * frame, every float within 1e-5 of the largest output's magnitude.
 *
 * ONNX Runtime runs with its graph optimizations disabled here, so that it
 * computes the ops the export wrote. From its `basic` level on it folds
 * BatchNormalization into MatMul/Conv weights and fuses QDQ patterns into
 * integer kernels: float roundings change, and an activation next to a
 * quantizer's tie can flip (CNV and TFC outputs then differ by a quantum).
 * The test prints how far ONNX Runtime's default (`all`) lands as well;
 * the bench (bench/bench_ort.sh) measures speed at `all`.
 *
 * Skipped, with a message saying why, where node or the npm package is not
 * installed (scripts/setup_ort.sh installs it; CI requires it) or a shared
 * model is missing. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_data.h"
#include "onnx_builder.h"
#include "run_cli.h"

#define ORT_DIR QONNXC_SOURCE_DIR "/bench/ort"

static const char *const models[] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
    "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM",
    "RESNET20_W4A4_RANDOM", "RESNET_W2A2_RANDOM", "MOBILENET_W4A4_RANDOM",
};
enum { N_MODELS = sizeof models / sizeof models[0] };

static char node_bin[1024];   /* node's path, found on PATH */

/* The first executable `name` in a directory of PATH into out. */
static bool find_on_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(out, size, "%.*s/%s", (int)len, path, name);
        if (len > 0 && access(out, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Whether node and onnxruntime-node are there; if not, says so. */
static bool ort_available(void)
{
    if (!find_on_path("node", node_bin, sizeof node_bin)) {
        printf("test_export_ort: skipped: node is not installed (scripts/setup.sh)\n");
        return false;
    }
    if (!file_exists(ORT_DIR "/node_modules/onnxruntime-node/package.json")) {
        printf("test_export_ort: skipped: onnxruntime-node is not installed in "
               ORT_DIR " (scripts/setup_ort.sh)\n");
        return false;
    }
    return true;
}

typedef struct Diff {
    double worst, largest;   /* largest |got - want| and largest |want| */
    int64_t frames, argmax_differs;
} Diff;

/* got against want, both [N, ...] with the same number of elements. */
static Diff compare(Value *got, const Value *want)
{
    Diff r = { 0, 0, want->shape.dims[0], 0 };
    for (int64_t k = 0; k < want->count; k++) {
        r.largest = fmax(r.largest, fabs(value_get(want, k)));
        r.worst = fmax(r.worst, fabs(value_get(got, k) - value_get(want, k)));
    }
    if (want->count / r.frames > 1) {
        got->shape = want->shape;   /* ORT's [N, C] or [N, C, 1, 1] as the expected [N, C] */
        for (int64_t f = 0; f < r.frames; f++)
            r.argmax_differs += argmax_frame(got, f) != argmax_frame(want, f);
    }
    return r;
}

/* ONNX Runtime at optimization `level` on the export; its outputs. */
static Value *run_ort(const char *name, const char *level, const char *exported,
                      const char *inputs, const char *out)
{
    CliResult r = run_cmd((const char *[]){ node_bin, ORT_DIR "/ort_run.js", "--opt", level,
                                            "run", exported, inputs, out, NULL });
    ck_assert_msg(r.exit_code == 0, "%s: ONNX Runtime (%s) failed: %s", name, level, r.err);
    cli_result_free(&r);
    return load_npy_value(out);
}

static void check_model(const char *name, const char *tmp)
{
    char dir[1024], model[1200], inputs[1200], expected[1200], exported[1200], out[1200];
    if (!shared_model_dir(name, dir, sizeof dir)) {
        printf("test_export_ort: %s skipped: not in tests/models or %s\n", name,
               shared_models_dir());
        return;
    }
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    snprintf(inputs, sizeof inputs, "%s/inputs.npy", dir);
    snprintf(expected, sizeof expected, "%s/expected.npy", dir);
    snprintf(exported, sizeof exported, "%s/%s.onnx", tmp, name);
    snprintf(out, sizeof out, "%s/%s.out.npy", tmp, name);

    CliResult r = run_qonnxc((const char *[]){ "export", model, "--format", "qcdq", "-o",
                                               exported, NULL });
    ck_assert_msg(r.exit_code == 0, "%s: export failed: %s", name, r.err);
    cli_result_free(&r);
    Value *want = load_npy_value(expected), *got = run_ort(name, "disabled", exported, inputs, out);
    ck_assert_msg(got->count == want->count, "%s: %lld outputs from ONNX Runtime, %lld expected",
                  name, (long long)got->count, (long long)want->count);
    Diff exact = compare(got, want);
    ck_assert_msg(exact.worst <= 1e-5 * exact.largest,
                  "%s: an output differs by %g (largest output %g)", name, exact.worst,
                  exact.largest);
    ck_assert_msg(exact.argmax_differs == 0, "%s: %lld of %lld frames change class", name,
                  (long long)exact.argmax_differs, (long long)exact.frames);
    value_free(got);
    got = run_ort(name, "all", exported, inputs, out);
    ck_assert_int_eq(got->count, want->count);
    Diff fused = compare(got, want);
    printf("test_export_ort: %-22s %3lld frames; optimizations off: largest difference %g; "
           "ONNX Runtime's default (all): largest difference %g, %lld frames change class "
           "(largest output %g)\n",
           name, (long long)exact.frames, exact.worst, fused.worst,
           (long long)fused.argmax_differs, exact.largest);
    value_free(got);
    value_free(want);
}

START_TEST(every_shared_model_runs_in_onnxruntime)
{
    if (!ort_available())
        return;
    char *tmp = make_temp_dir("export_ort");
    for (int k = 0; k < N_MODELS; k++)
        check_model(models[k], tmp);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* TFC_1W1A's model.onnx (vendored in tests/models) into buf. */
static void tfc_model(char *buf, size_t size)
{
    char dir[1024];
    ck_assert(shared_model_dir("TFC_1W1A", dir, sizeof dir));
    snprintf(buf, size, "%s/model.onnx", dir);
}

START_TEST(export_errors_leave_no_file)
{
    /* a model qonnxc cannot read: an error naming it, exit 3, no OUT.onnx */
    char *tmp = make_temp_dir("export_err");
    char bad[1024], out[1024];
    snprintf(bad, sizeof bad, "%s/bad.onnx", tmp);
    snprintf(out, sizeof out, "%s/out.onnx", tmp);
    write_whole_file(bad, "not a protobuf");
    CliResult r = run_qonnxc((const char *[]){ "export", bad, "--format", "qcdq", "-o", out,
                                               NULL });
    ck_assert_int_eq(r.exit_code, 3);
    ck_assert_msg(strstr(r.err, "bad.onnx"), "%s", r.err);
    ck_assert(!file_exists(out));
    cli_result_free(&r);
    /* an op the export cannot write: the error names the node; exit 3, no file */
    OnnxBuilder *b = ob_new("mt");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_node(b, "MultiThreshold", "qonnx.custom_op.general", "thresholds", 2,
            (const char *[]){ "x", ob_const_f32(b, "t", 2, (int64_t[]){ 4, 1 }, NULL) }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    char mt[1024];
    snprintf(mt, sizeof mt, "%s/mt.onnx", tmp);
    ck_assert(ob_write(b, mt));
    ob_free(b);
    r = run_qonnxc((const char *[]){ "export", mt, "--format", "qcdq", "-o", out, NULL });
    ck_assert_int_eq(r.exit_code, 3);
    ck_assert_msg(strstr(r.err, "mt.onnx: node 'thresholds' (MultiThreshold)") &&
                  strstr(r.err, "no standard ONNX form"), "%s", r.err);
    ck_assert(!file_exists(out));
    cli_result_free(&r);
    /* an output folder that does not exist: exit 2, nothing left behind */
    char model[1100], nowhere[1100];
    tfc_model(model, sizeof model);
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/out.onnx", tmp);
    r = run_qonnxc((const char *[]){ "export", model, "--format", "qcdq", "-o", nowhere, NULL });
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "cannot write the exported model"), "%s", r.err);
    cli_result_free(&r);
    /* an unknown format is a usage error */
    r = run_qonnxc((const char *[]){ "export", bad, "--format", "qdq", "-o", out, NULL });
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "unknown format 'qdq'"), "%s", r.err);
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

START_TEST(export_is_deterministic)
{
    /* the same model exported twice: the same bytes */
    char *tmp = make_temp_dir("export_twice");
    char model[1100], once[1100], twice[1100];
    tfc_model(model, sizeof model);
    snprintf(once, sizeof once, "%s/once.onnx", tmp);
    snprintf(twice, sizeof twice, "%s/twice.onnx", tmp);
    for (int k = 0; k < 2; k++) {
        CliResult r = run_qonnxc((const char *[]){ "export", model, "--format", "qcdq", "-o",
                                                   k ? twice : once, NULL });
        ck_assert_msg(r.exit_code == 0, "%s", r.err);
        cli_result_free(&r);
    }
    size_t len_once, len_twice;
    char *a = read_whole_file(once, &len_once), *b = read_whole_file(twice, &len_twice);
    ck_assert(a && b && len_once == len_twice && memcmp(a, b, len_once) == 0);
    free(a);
    free(b);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("export_ort");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_shared_model_runs_in_onnxruntime);
    tcase_add_test(tc, export_errors_leave_no_file);
    tcase_add_test(tc, export_is_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
