/* qc_axpy_i16: one weight times a row, added in int16_t, against the
 * int32_t arithmetic it stands for, up to the extremes of its contract. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_axpy.h"
#include "qc_dot.h"

static uint32_t rng_state = 0xA8F1u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

START_TEST(test_by_hand)
{
    int16_t acc[3] = {1, -2, 3};
    static const int16_t x[3] = {10, 20, -30};
    qc_axpy_i16(acc, -1, x, 3);
    ck_assert_int_eq(acc[0], -9);
    ck_assert_int_eq(acc[1], -22);
    ck_assert_int_eq(acc[2], 33);
    qc_axpy_i16(acc, 2, x, 0);   /* n = 0 touches nothing */
    ck_assert_int_eq(acc[0], -9);
}
END_TEST

START_TEST(test_columns_give_dot_products)
{
    /* acc[o] = sum_k x[k] * w[k][o] by columns equals qc_dot_i8 by rows */
    for (int trial = 0; trial < 200; trial++) {
        enum { K = 27, O = 70 };
        int8_t x[K], rows[O][K];
        int16_t cols[K][O], acc[O] = {0};
        for (int k = 0; k < K; k++)
            x[k] = (int8_t)(rng() & 0xFFu);
        for (int o = 0; o < O; o++)
            for (int k = 0; k < K; k++) {
                rows[o][k] = rng() & 1u ? 1 : -1;
                cols[k][o] = rows[o][k];
            }
        for (int k = 0; k < K; k++)
            qc_axpy_i16(acc, x[k], cols[k], O);
        for (int o = 0; o < O; o++)
            ck_assert_int_eq(acc[o], qc_dot_i8(x, rows[o], K));
    }
}
END_TEST

START_TEST(test_extremes_within_contract)
{
    /* 255 taps of INT8 x {-1, +1}: up to 32640 in magnitude, inside int16_t */
    int16_t acc[2] = {0, 0};
    static const int16_t x[2] = {-128, 127};
    for (int k = 0; k < 255; k++)
        qc_axpy_i16(acc, 1, x, 2);
    ck_assert_int_eq(acc[0], -32640);
    ck_assert_int_eq(acc[1], 32385);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_axpy");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_columns_give_dot_products);
    tcase_add_test(tc, test_extremes_within_contract);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
