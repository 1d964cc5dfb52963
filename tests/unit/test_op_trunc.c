/* QONNX Trunc in the golden executor (ir/op_trunc.c), versions 1 and 2.
 *
 * The version comes from the model's opset import of the QONNX domain:
 * none or 1 -> version 1, 2 or more -> version 2. Both are fed the same
 * input here so the difference shows: version 1 shifts the integer right
 * and keeps the input scale; version 2 shifts, clamps to the output bit
 * width and returns the value in the output scale. Every expected value
 * is written by hand. */
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

/* Version 1: x, scale, zeropt, in_bitwidth, out_bitwidth. */
static OpTest *trunc_v1(int64_t opset, int n, double scale, double zeropt, double in_bits,
                        double out_bits, const char *mode)
{
    OpTest *t = optest_new("Trunc", QONNX, opset, 5);
    optest_input(t, 0, "x", 1, (int64_t[]){ n });
    optest_scalar(t, 1, "scale", ET_FLOAT, scale);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, zeropt);
    optest_scalar(t, 3, "in_bitwidth", ET_FLOAT, in_bits);
    optest_scalar(t, 4, "out_bitwidth", ET_FLOAT, out_bits);
    if (mode)
        optest_attr_string(t, "rounding_mode", mode);
    return t;
}

/* Version 2: x, scale, zeropt, in_bitwidth, out_scale, out_bitwidth. */
static OpTest *trunc_v2(int n, double scale, double zeropt, double in_bits, double out_scale,
                        double out_bits, int is_signed, const char *mode)
{
    OpTest *t = optest_new("Trunc", QONNX, 2, 6);
    optest_input(t, 0, "x", 1, (int64_t[]){ n });
    optest_scalar(t, 1, "scale", ET_FLOAT, scale);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, zeropt);
    optest_scalar(t, 3, "in_bitwidth", ET_FLOAT, in_bits);
    optest_scalar(t, 4, "out_scale", ET_FLOAT, out_scale);
    optest_scalar(t, 5, "out_bitwidth", ET_FLOAT, out_bits);
    if (is_signed >= 0)
        optest_attr_int(t, "signed", is_signed);
    if (mode)
        optest_attr_string(t, "rounding_mode", mode);
    return t;
}

/* The shared input: scale 0.5, so the input integers q = x / 0.5 are
 * 37, -37, 16, 15, 8, -8, 255 (and 37.2 -> 37 for the last element, as
 * the input integer is first rounded half to even). Truncating 8 bits to 4
 * divides by 2^(8-4) = 16:
 *     q / 16 = 2.3125, -2.3125, 1, 0.9375, 0.5, -0.5, 15.9375, 2.3125 */
static const float shared_x[8] = { 18.5f, -18.5f, 8.0f, 7.5f, 4.0f, -4.0f, 127.5f, 18.6f };

START_TEST(test_v1_floor_default)
{
    /* version 1, FLOOR (the default): 2, -3, 1, 0, 0, -1, 15, 2, then
     * times the input scale 0.5 */
    static const float want[8] = { 1.0f, -1.5f, 0.5f, 0.0f, 0.0f, -0.5f, 7.5f, 1.0f };
    OpTest *t = trunc_v1(0, 8, 0.5, 0, 8, 4, NULL);   /* no opset import: version 1 */
    expect_outputs(t, shared_x, want, 8, "v1 (no import) FLOOR");
    optest_free(t);
    t = trunc_v1(1, 8, 0.5, 0, 8, 4, NULL);           /* imported at version 1 */
    expect_outputs(t, shared_x, want, 8, "v1 (opset 1) FLOOR");
    optest_free(t);
}
END_TEST

START_TEST(test_v1_round)
{
    /* ROUND (half to even): 2, -2, 1, 1, 0 (0.5 tie -> 0), -0, 16, 2;
     * times 0.5. Version 1 does not clamp: 16 does not fit 4 unsigned or
     * signed bits, and stays. */
    static const float want[8] = { 1.0f, -1.0f, 0.5f, 0.5f, 0.0f, -0.0f, 8.0f, 1.0f };
    OpTest *t = trunc_v1(0, 8, 0.5, 0, 8, 4, "ROUND");
    expect_outputs(t, shared_x, want, 8, "v1 ROUND");
    optest_free(t);
}
END_TEST

START_TEST(test_v1_zero_point)
{
    /* scale 1, zero point 4, 6 -> 4 bits (divide by 4), FLOOR:
     *   x = 6:  6+4 = 10, /4 = 2.5 -> 2, (2-4)*1 = -2
     *   x = -4: 0, /4 = 0 -> 0, (0-4) = -4
     *   x = 13: 17, /4 = 4.25 -> 4, (4-4) = 0
     * (version 1 subtracts the input zero point, unscaled) */
    static const float x[3] = { 6.0f, -4.0f, 13.0f };
    static const float want[3] = { -2.0f, -4.0f, 0.0f };
    OpTest *t = trunc_v1(0, 3, 1.0, 4, 6, 4, NULL);
    expect_outputs(t, x, want, 3, "v1 zero point");
    optest_free(t);
}
END_TEST

START_TEST(test_v2_same_input)
{
    /* version 2: out_scale 8 = 0.5 * 16, so t = 2^round(log2(8 / 0.5)) = 16;
     * q / 16 as above, clamped to signed 4 bits [-8, 7] (15.9375 -> 7),
     * FLOOR: 2, -3, 1, 0, 0, -1, 7, 2; then times the output scale 8 */
    static const float want[8] = { 16.0f, -24.0f, 8.0f, 0.0f, 0.0f, -8.0f, 56.0f, 16.0f };
    OpTest *t = trunc_v2(8, 0.5, 0, 8, 8.0, 4, -1, NULL);
    expect_outputs(t, shared_x, want, 8, "v2 signed FLOOR");
    optest_free(t);

    /* unsigned 4 bits [0, 15]: 2, 0 (clamped), 1, 0, 0, 0, 15, 2; times 8 */
    static const float want_u[8] = { 16.0f, 0.0f, 8.0f, 0.0f, 0.0f, 0.0f, 120.0f, 16.0f };
    t = trunc_v2(8, 0.5, 0, 8, 8.0, 4, 0, NULL);
    expect_outputs(t, shared_x, want_u, 8, "v2 unsigned FLOOR");
    optest_free(t);

    /* narrow signed [-7, 7] with ROUND: 2, -2, 1, 1, 0, -0, 7, 2; times 8 */
    static const float want_n[8] = { 16.0f, -16.0f, 8.0f, 8.0f, 0.0f, -0.0f, 56.0f, 16.0f };
    t = trunc_v2(8, 0.5, 0, 8, 8.0, 4, 1, "ROUND");
    optest_attr_int(t, "narrow", 1);
    expect_outputs(t, shared_x, want_n, 8, "v2 narrow ROUND");
    optest_free(t);
}
END_TEST

START_TEST(test_v2_zero_point_and_scale)
{
    /* scale 1, zero point 16, out_scale 4: t = 4, output zero point 16/4 = 4,
     * 8-bit signed, FLOOR:
     *   x = 0:   16, /4 = 4     -> 4, (4-4)*4 = 0
     *   x = 5:   21, /4 = 5.25  -> 5, (5-4)*4 = 4
     *   x = -16: 0,  /4 = 0     -> 0, (0-4)*4 = -16 */
    static const float x[3] = { 0.0f, 5.0f, -16.0f };
    static const float want[3] = { 0.0f, 4.0f, -16.0f };
    OpTest *t = trunc_v2(3, 1.0, 16, 10, 4.0, 8, -1, NULL);
    expect_outputs(t, x, want, 3, "v2 zero point");
    optest_free(t);

    /* out_scale / scale = 3 is not a power of two: t is the nearest power
     * in the log domain, 2^round(log2 3 = 1.58) = 4, while the result is
     * still multiplied by out_scale 3: x = 12 -> 12/4 = 3 -> 3*3 = 9 */
    static const float x3[1] = { 12.0f };
    static const float want3[1] = { 9.0f };
    t = trunc_v2(1, 1.0, 0, 8, 3.0, 8, -1, NULL);
    expect_outputs(t, x3, want3, 1, "v2 out_scale 3");
    optest_free(t);
}
END_TEST

/* The 7-input form qonnx's source read for a while (out_zeropt at input 5,
 * not used): same result as the 6-input form. */
START_TEST(test_v2_seven_inputs)
{
    OpTest *t = optest_new("Trunc", "onnx.brevitas", 2, 7);
    optest_input(t, 0, "x", 1, (int64_t[]){ 8 });
    optest_scalar(t, 1, "scale", ET_FLOAT, 0.5);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(t, 3, "in_bitwidth", ET_INT32, 8);
    optest_scalar(t, 4, "out_scale", ET_FLOAT, 8.0);
    optest_scalar(t, 5, "out_zeropt", ET_FLOAT, 0);
    optest_scalar(t, 6, "out_bitwidth", ET_INT32, 4);
    static const float want[8] = { 16.0f, -24.0f, 8.0f, 0.0f, 0.0f, -8.0f, 56.0f, 16.0f };
    expect_outputs(t, shared_x, want, 8, "v2 seven inputs");
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
    /* the version 2 form in a model that imports version 1 */
    OpTest *t = optest_new("Trunc", QONNX, 1, 6);
    optest_input(t, 0, "x", 1, (int64_t[]){ 1 });
    for (int k = 1; k < 6; k++)
        optest_scalar(t, k, "p", ET_FLOAT, k == 3 ? 8 : k == 5 ? 4 : 1);
    expect_check_error(t, "Trunc version 1 (the model imports the QONNX domain at version 1) "
                          "takes 5 inputs");

    /* the version 1 form in a model that imports version 2 */
    t = optest_new("Trunc", QONNX, 2, 5);
    optest_input(t, 0, "x", 1, (int64_t[]){ 1 });
    for (int k = 1; k < 5; k++)
        optest_scalar(t, k, "p", ET_FLOAT, k >= 3 ? 4 : 1);
    expect_check_error(t, "Trunc version 2 (the model imports the QONNX domain at version 2) "
                          "takes 6 inputs");

    expect_check_error(trunc_v1(0, 1, 0.0, 0, 8, 4, NULL), "scale must be positive and finite");
    expect_check_error(trunc_v1(0, 1, 1.0, 0, 8, 33, NULL),
                       "output bit width 33 is out of range");
    expect_check_error(trunc_v1(0, 1, 1.0, 0, 0, 4, NULL), "input bit width 0 is out of range");
    expect_check_error(trunc_v1(0, 1, 1.0, 0, 8, 4, "SIDEWAYS"),
                       "unknown rounding_mode 'SIDEWAYS'");
    expect_check_error(trunc_v2(1, 1.0, 0, 8, -2.0, 4, -1, NULL),
                       "output scale must be positive and finite; element 0 is -2");

    t = optest_new("Trunc", QONNX, 0, 5);
    optest_input(t, 0, "x", 1, (int64_t[]){ 1 });
    optest_scalar(t, 1, "scale", ET_FLOAT, 1);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(t, 3, "in_bitwidth", ET_FLOAT, 8);
    optest_input(t, 4, "out_bits_at_run_time", 0, NULL);
    expect_check_error(t, "Trunc needs a constant output bit width");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("op_trunc");
    TCase *tc = tcase_create("trunc");
    tcase_add_test(tc, test_v1_floor_default);
    tcase_add_test(tc, test_v1_round);
    tcase_add_test(tc, test_v1_zero_point);
    tcase_add_test(tc, test_v2_same_input);
    tcase_add_test(tc, test_v2_zero_point_and_scale);
    tcase_add_test(tc, test_v2_seven_inputs);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
