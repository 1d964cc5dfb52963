/* QONNX MultiThreshold in the golden executor (ir/op_multithreshold.c):
 *     out = out_scale * (number of thresholds T[c][t] with x >= T[c][t]) + out_bias
 * with c the element's channel. Every expected value is written by hand. */
#include <check.h>
#include <math.h>

#include "qonnx_op_test.h"

#define QONNX "qonnx.custom_op.general"

static void expect_outputs(OpTest *t, const float *x, const float *want, int n, const char *what)
{
    float y[32];
    ck_assert_msg(optest_run_f(t, x, y), "%s: %s", what, t->d.msg);
    for (int k = 0; k < n; k++)
        ck_assert_msg(y[k] == want[k], "%s: element %d (x = %g): got %.9g, want %.9g", what, k,
                      x[k], y[k], want[k]);
}

static OpTest *mt_node(int x_rank, const int64_t *x_dims, int64_t rows, int64_t steps,
                       const double *thresholds)
{
    OpTest *t = optest_new("MultiThreshold", "finn.custom_op.general", 0, 2);
    optest_input(t, 0, "x", x_rank, x_dims);
    optest_const(t, 1, "thresholds", ET_FLOAT, 2, (int64_t[]){ rows, steps }, thresholds);
    return t;
}

/* [N, C] input, per-channel thresholds: channel 0 has {-1, 0, 1},
 * channel 1 has {0.5, 1.5, 2.5}. A value equal to a threshold counts. */
START_TEST(test_per_channel_and_ties)
{
    OpTest *t = mt_node(2, (int64_t[]){ 3, 2 }, 2, 3, (double[]){ -1, 0, 1, 0.5, 1.5, 2.5 });
    optest_attr_string(t, "out_dtype", "UINT2");
    static const float x[6] = { 0.0f, 1.5f, -5.0f, 3.0f, 1.0f, 0.4f };
    static const float want[6] = {
        2,   /* ch 0: 0 >= -1, 0 >= 0 (tie), not 0 >= 1 */
        2,   /* ch 1: 1.5 >= 0.5, 1.5 >= 1.5 (tie), not >= 2.5 */
        0,   /* ch 0: -5 is below all */
        3,   /* ch 1: 3 is above all */
        3,   /* ch 0: 1 >= -1, 0, 1 (tie) */
        0,   /* ch 1: 0.4 < 0.5 */
    };
    expect_outputs(t, x, want, 6, "per channel");
    optest_free(t);
}
END_TEST

/* Thresholds [1, T] apply to every channel; they need not be sorted; a
 * NaN input counts nothing. */
START_TEST(test_shared_unsorted_nan)
{
    OpTest *t = mt_node(2, (int64_t[]){ 1, 4 }, 1, 3, (double[]){ 2, 0, 1 });
    const float x[4] = { 1.5f, 2.0f, -1.0f, NAN };
    /* 1.5 >= 0, 1 -> 2; 2 >= all -> 3; -1 -> 0; NaN -> 0 */
    static const float want[4] = { 2, 3, 0, 0 };
    expect_outputs(t, x, want, 4, "shared");
    optest_free(t);
}
END_TEST

/* The layout decides the channel axis. Thresholds: channel 0 {0},
 * channel 1 {10}; the same four numbers 5, -5, 5, 15 in two layouts. */
START_TEST(test_nchw_vs_nhwc)
{
    static const float x[4] = { 5.0f, -5.0f, 5.0f, 15.0f };
    /* NCHW [1, 2, 1, 2]: elements 0, 1 are channel 0, elements 2, 3 channel 1:
     * 5 >= 0 -> 1, -5 -> 0, 5 >= 10 -> 0, 15 -> 1 */
    OpTest *t = mt_node(4, (int64_t[]){ 1, 2, 1, 2 }, 2, 1, (double[]){ 0, 10 });
    static const float want_nchw[4] = { 1, 0, 0, 1 };
    expect_outputs(t, x, want_nchw, 4, "NCHW (default)");
    optest_free(t);

    /* NHWC [1, 1, 2, 2]: the channel is the last index, so channels alternate
     * 0, 1, 0, 1: 5 >= 0 -> 1, -5 >= 10 -> 0, 5 >= 0 -> 1, 15 >= 10 -> 1 */
    t = mt_node(4, (int64_t[]){ 1, 1, 2, 2 }, 2, 1, (double[]){ 0, 10 });
    optest_attr_string(t, "data_layout", "NHWC");
    static const float want_nhwc[4] = { 1, 0, 1, 1 };
    expect_outputs(t, x, want_nhwc, 4, "NHWC");
    optest_free(t);
}
END_TEST

/* Inputs of rank other than 2 and 4 use the last axis as channels (qonnx
 * reshapes them to [-1, C]): [1, 2, 3] has 3 channels here. */
START_TEST(test_rank3_channels_last)
{
    OpTest *t = mt_node(3, (int64_t[]){ 1, 2, 3 }, 3, 1, (double[]){ 0, 1, 2 });
    static const float x[6] = { 0.5f, 0.5f, 0.5f, 3.0f, 1.0f, 1.0f };
    /* channels 0,1,2,0,1,2: 0.5>=0 ->1, 0.5>=1 ->0, 0.5>=2 ->0, 3>=0 ->1, 1>=1 ->1, 1>=2 ->0 */
    static const float want[6] = { 1, 0, 0, 1, 1, 0 };
    expect_outputs(t, x, want, 6, "rank 3");
    optest_free(t);
}
END_TEST

/* out_scale and out_bias map the count to the output values: with 3
 * thresholds, counts 0..3 and out_scale 0.5, out_bias -1 give -1, -0.5, 0,
 * 0.5 (a signed 2-bit activation with scale 0.5). */
START_TEST(test_out_scale_and_bias)
{
    OpTest *t = mt_node(2, (int64_t[]){ 1, 4 }, 1, 3, (double[]){ -0.25, 0.25, 0.75 });
    optest_attr_float(t, "out_scale", 0.5f);
    optest_attr_float(t, "out_bias", -1.0f);
    static const float x[4] = { -1.0f, 0.0f, 0.25f, 0.8f };
    /* counts 0, 1, 2 (0.25 ties), 3 -> 0.5*c - 1 */
    static const float want[4] = { -1.0f, -0.5f, 0.0f, 0.5f };
    expect_outputs(t, x, want, 4, "out_scale 0.5, out_bias -1");
    optest_free(t);

    /* a bipolar activation: one threshold at 0, out = 2*count - 1 */
    t = mt_node(2, (int64_t[]){ 1, 3 }, 1, 1, (double[]){ 0 });
    optest_attr_float(t, "out_scale", 2.0f);
    optest_attr_float(t, "out_bias", -1.0f);
    static const float xb[3] = { -0.1f, 0.0f, 7.0f };
    static const float wantb[3] = { -1.0f, 1.0f, 1.0f };
    expect_outputs(t, xb, wantb, 3, "bipolar");
    optest_free(t);
}
END_TEST

START_TEST(test_infer)
{
    OpTest *t = mt_node(4, (int64_t[]){ 1, 2, 3, 3 }, 2, 1, (double[]){ 0, 1 });
    ck_assert_msg(optest_prepare(t), "%s", t->d.msg);
    ck_assert_int_eq(t->out->elem_type, ET_FLOAT);
    ck_assert_int_eq(t->out->shape.rank, 4);
    ck_assert_int_eq(t->out->shape.dims[3], 3);
    optest_free(t);
}
END_TEST

static void expect_check_error(OpTest *t, const char *what)
{
    ck_assert_msg(!optest_prepare(t), "expected an error about '%s'", what);
    ck_assert_msg(optest_error_says(t, what), "message '%s' should name node0 and say '%s'",
                  t->d.msg, what);
    optest_free(t);
}

START_TEST(test_errors)
{
    OpTest *t = mt_node(2, (int64_t[]){ 1, 2 }, 3, 1, (double[]){ 0, 1, 2 });
    expect_check_error(t, "thresholds have 3 rows but the input has 2 channels");

    t = mt_node(2, (int64_t[]){ 1, 2 }, 2, 1, (double[]){ 0, 1 });
    optest_attr_string(t, "data_layout", "NCWH");
    expect_check_error(t, "attribute data_layout must be \"NCHW\" or \"NHWC\"; got \"NCWH\"");

    t = mt_node(2, (int64_t[]){ 1, 2 }, 2, 1, (double[]){ 0, 1 });
    optest_attr_string(t, "out_scale", "2");
    expect_check_error(t, "attribute out_scale must be a number");

    t = optest_new("MultiThreshold", QONNX, 0, 2);
    optest_input(t, 0, "x", 2, (int64_t[]){ 1, 2 });
    optest_const(t, 1, "thresholds", ET_FLOAT, 1, (int64_t[]){ 2 }, (double[]){ 0, 1 });
    expect_check_error(t, "thresholds must have shape [C, T] or [1, T]; got [2]");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("op_multithreshold");
    TCase *tc = tcase_create("multithreshold");
    tcase_add_test(tc, test_per_channel_and_ties);
    tcase_add_test(tc, test_shared_unsorted_nan);
    tcase_add_test(tc, test_nchw_vs_nhwc);
    tcase_add_test(tc, test_rank3_channels_last);
    tcase_add_test(tc, test_out_scale_and_bias);
    tcase_add_test(tc, test_infer);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
