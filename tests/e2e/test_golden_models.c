/* The golden executor against ONNX Runtime on the real models.
 *
 * tests/models/<NAME>/expected.npy was computed by ONNX Runtime on the same
 * model with every QONNX op rewritten into standard ONNX ops: an
 * implementation independent of qonnxc. The golden executor must reproduce
 * it to float32 rounding (max abs error <= 1e-4 x max|expected|) with the
 * same argmax on every frame. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "exec.h"
#include "frontend.h"
#include "model_data.h"

static void check_model(const char *name)
{
    char path[512];
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(model_path(path, sizeof path, name, "model.onnx"), &d);
    ck_assert_msg(g != NULL, "%s", d.msg);
    Value *in = load_npy_value(model_path(path, sizeof path, name, "inputs.npy"));
    Value *expected = load_npy_value(model_path(path, sizeof path, name, "expected.npy"));
    Value *out = NULL;
    ck_assert_msg(exec_run_frames(g, (const Value *const *)&in, &out, &d), "%s: %s", name, d.msg);

    ck_assert_int_eq(out->count, expected->count);
    double max_expected = 0, max_err = 0;
    for (int64_t k = 0; k < expected->count; k++) {
        max_expected = fmax(max_expected, fabs(expected->f[k]));
        max_err = fmax(max_err, fabs((double)out->f[k] - expected->f[k]));
    }
    int64_t frames = expected->shape.dims[0], argmax_same = 0;
    for (int64_t f = 0; f < frames; f++)
        argmax_same += argmax_frame(out, f) == argmax_frame(expected, f);
    printf("%-18s %3lld frames  max abs error %.3g (max |expected| %.3g)  argmax %lld/%lld\n",
           name, (long long)frames, max_err, max_expected, (long long)argmax_same,
           (long long)frames);
    ck_assert_msg(max_err <= 1e-4 * max_expected, "%s: max error %g", name, max_err);
    ck_assert_int_eq(argmax_same, frames);
    value_free(in);
    value_free(expected);
    value_free(out);
    graph_free(g);
}

START_TEST(golden_matches_onnxruntime)
{
    check_model(real_models[_i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("golden_models");
    TCase *tc = tcase_create("models");
    tcase_add_loop_test(tc, golden_matches_onnxruntime, 0, N_REAL_MODELS);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
