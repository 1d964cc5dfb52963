/* QONNX BipolarQuant in the golden executor (ir/op_bipolar_quant.c):
 *     out = (x >= 0 ? +1 : -1) * scale
 * Every expected value is written by hand. */
#include <check.h>
#include <math.h>

#include "qonnx_op_test.h"

#define QONNX "qonnx.custom_op.general"

static void expect_outputs(OpTest *t, const float *x, const float *want, int n, const char *what)
{
    float y[16];
    ck_assert_msg(optest_run_f(t, x, y), "%s: %s", what, t->d.msg);
    for (int k = 0; k < n; k++)
        ck_assert_msg(y[k] == want[k], "%s: element %d (x = %g): got %.9g, want %.9g", what, k,
                      x[k], y[k], want[k]);
}

static OpTest *bipolar_node(int n, int scale_type, double scale)
{
    OpTest *t = optest_new("BipolarQuant", "onnx.brevitas", 0, 2);
    optest_input(t, 0, "x", 1, (int64_t[]){ n });
    optest_scalar(t, 1, "scale", scale_type, scale);
    return t;
}

/* Zero (either sign) counts as non-negative; NaN compares false. */
START_TEST(test_signs)
{
    OpTest *t = bipolar_node(7, ET_FLOAT, 0.25);
    const float x[7] = { -2.0f, -1e-7f, -0.0f, 0.0f, 1e-7f, 3.0f, NAN };
    static const float want[7] = { -0.25f, -0.25f, 0.25f, 0.25f, 0.25f, 0.25f, -0.25f };
    expect_outputs(t, x, want, 7, "scale 0.25");
    optest_free(t);
}
END_TEST

/* Per-channel scale [2, 1] on x [1, 2, 2]: channel 0 scale 1, channel 1
 * scale 0.5. */
START_TEST(test_per_channel)
{
    OpTest *t = optest_new("BipolarQuant", QONNX, 0, 2);
    optest_input(t, 0, "x", 3, (int64_t[]){ 1, 2, 2 });
    optest_const(t, 1, "scale", ET_FLOAT, 2, (int64_t[]){ 2, 1 }, (double[]){ 1.0, 0.5 });
    static const float x[4] = { 0.3f, -7.0f, -0.1f, 9.0f };
    static const float want[4] = { 1.0f, -1.0f, -0.5f, 0.5f };
    expect_outputs(t, x, want, 4, "per channel");
    optest_free(t);
}
END_TEST

/* An integer-typed scale (QKeras style) is read as a number. */
START_TEST(test_integer_scale)
{
    OpTest *t = bipolar_node(2, ET_INT64, 3);
    static const float x[2] = { -0.5f, 0.5f };
    static const float want[2] = { -3.0f, 3.0f };
    expect_outputs(t, x, want, 2, "int64 scale 3");
    optest_free(t);
}
END_TEST

/* A 1-bit signed Quant with zero point 0 gives the same values (hand
 * computed for both: the sign of x times the scale). */
START_TEST(test_same_as_one_bit_signed_quant)
{
    static const float x[4] = { -1.5f, -0.0f, 0.0f, 2.0f };
    static const float want[4] = { -0.5f, 0.5f, 0.5f, 0.5f };
    OpTest *b = bipolar_node(4, ET_FLOAT, 0.5);
    expect_outputs(b, x, want, 4, "BipolarQuant");
    optest_free(b);
    OpTest *q = optest_new("Quant", QONNX, 0, 4);
    optest_input(q, 0, "x", 1, (int64_t[]){ 4 });
    optest_scalar(q, 1, "scale", ET_FLOAT, 0.5);
    optest_scalar(q, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(q, 3, "bitwidth", ET_FLOAT, 1);
    optest_attr_int(q, "signed", 1);
    optest_attr_int(q, "narrow", 1);
    expect_outputs(q, x, want, 4, "1-bit signed Quant");
    optest_free(q);
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
    expect_check_error(bipolar_node(1, ET_FLOAT, 0.0), "scale must be positive and finite");
    expect_check_error(bipolar_node(1, ET_FLOAT, -1.0),
                       "scale must be positive and finite; element 0 is -1");
    expect_check_error(bipolar_node(1, ET_FLOAT, NAN), "scale must be positive and finite");

    OpTest *t = optest_new("BipolarQuant", QONNX, 0, 2);
    optest_input(t, 0, "x", 1, (int64_t[]){ 1 });
    optest_input(t, 1, "s", 0, NULL);
    expect_check_error(t, "BipolarQuant needs a constant scale");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("op_bipolar_quant");
    TCase *tc = tcase_create("bipolar_quant");
    tcase_add_test(tc, test_signs);
    tcase_add_test(tc, test_per_channel);
    tcase_add_test(tc, test_integer_scale);
    tcase_add_test(tc, test_same_as_one_bit_signed_quant);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
