/* Add-multiply-shift-clip requantization: floor shifts, clipping, extremes. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_bnorm_requant.h"

static uint32_t rng_state = 0xFACADEu;

/* xorshift32: a fixed seed gives the same cases on every machine. */
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
    qc_dtype i8 = qc_dtype_int(8);
    ck_assert_int_eq(qc_bnorm_requant(10, 2, 3, 2, i8), 9);    /* (12 * 3) >> 2 */
    ck_assert_int_eq(qc_bnorm_requant(5, 0, -2, 0, i8), -10);  /* shift 0 */
    ck_assert_int_eq(qc_bnorm_requant(0, 0, 77, 5, i8), 0);
    ck_assert_int_eq(qc_bnorm_requant(9, -9, -5, 3, i8), 0);
}
END_TEST

/* The shift floors: toward minus infinity, not toward zero. */
START_TEST(test_floor)
{
    qc_dtype i8 = qc_dtype_int(8);
    ck_assert_int_eq(qc_bnorm_requant(-7, 0, 1, 1, i8), -4); /* -3.5 -> -4 */
    ck_assert_int_eq(qc_bnorm_requant(-8, 0, 1, 1, i8), -4); /* exact */
    ck_assert_int_eq(qc_bnorm_requant(7, 0, 1, 1, i8), 3);   /* 3.5 -> 3 */
    ck_assert_int_eq(qc_bnorm_requant(-1, 0, 1, 4, i8), -1); /* -1/16 -> -1 */
    ck_assert_int_eq(qc_bnorm_requant(1, 0, 1, 4, i8), 0);
    ck_assert_int_eq(qc_bnorm_requant(1, 0, -1, 31, i8), -1);
}
END_TEST

START_TEST(test_clip)
{
    ck_assert_int_eq(qc_bnorm_requant(100, 0, 1, 0, qc_dtype_int(4)), 7);
    ck_assert_int_eq(qc_bnorm_requant(-100, 0, 1, 0, qc_dtype_int(4)), -8);
    ck_assert_int_eq(qc_bnorm_requant(-100, 0, 1, 0, qc_dtype_uint(4)), 0);
    ck_assert_int_eq(qc_bnorm_requant(-1, 0, 1, 3, qc_dtype_uint(4)), 0);
    ck_assert_int_eq(qc_bnorm_requant(100, 0, 1, 0, qc_dtype_uint(4)), 15);
    ck_assert_int_eq(qc_bnorm_requant(100, 0, 1, 0, qc_dtype_bipolar()), 1);
    ck_assert_int_eq(qc_bnorm_requant(INT32_MAX, 0, INT32_MAX, 0, qc_dtype_uint(32)), INT32_MAX);
}
END_TEST

/* The product of the extremes is exactly 2^63: still exact, then clipped. */
START_TEST(test_extremes)
{
    qc_dtype i32 = qc_dtype_int(32);
    /* (-2^31 - 2^31) * -2^31 = 2^63; >> 31 = 2^32 -> INT32_MAX */
    ck_assert_int_eq(qc_bnorm_requant(INT32_MIN, INT32_MIN, INT32_MIN, 31, i32), INT32_MAX);
    /* -2^32 * (2^31 - 1) >> 31 = -(2^32 - 2) -> INT32_MIN */
    ck_assert_int_eq(qc_bnorm_requant(INT32_MIN, INT32_MIN, INT32_MAX, 31, i32), INT32_MIN);
    /* -2^31 * 1 >> 0 fits exactly */
    ck_assert_int_eq(qc_bnorm_requant(INT32_MIN, 0, 1, 0, i32), INT32_MIN);
    /* (2^31 - 1 + 2^31 - 1) * 1 >> 1 = 2^31 - 1 */
    ck_assert_int_eq(qc_bnorm_requant(INT32_MAX, INT32_MAX, 1, 1, i32), INT32_MAX);
}
END_TEST

/* Against plain int64_t arithmetic where it cannot overflow. */
START_TEST(test_random_vs_int64)
{
    int iter;
    for (iter = 0; iter < 100000; ++iter) {
        int32_t acc = (int32_t)(rng() % (1u << 21)) - (1 << 20);
        int32_t bias = (int32_t)(rng() % (1u << 11)) - (1 << 10);
        int32_t scale = (int32_t)(rng() % (1u << 11)) - (1 << 10);
        unsigned shift = rng() % 32;
        qc_dtype dt = rng() & 1 ? qc_dtype_int(1 + rng() % 16) : qc_dtype_uint(1 + rng() % 16);
        int64_t p = ((int64_t)acc + bias) * scale, d = INT64_C(1) << shift;
        int64_t q = p / d; /* C99 division truncates toward zero ... */
        if (p % d != 0 && p < 0)
            --q;           /* ... so step down once for negative remainders */
        if (q < qc_dtype_min(dt)) q = qc_dtype_min(dt);
        if (q > qc_dtype_max(dt)) q = qc_dtype_max(dt);
        ck_assert_int_eq(qc_bnorm_requant(acc, bias, scale, shift, dt), q);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_bnorm_requant");
    TCase *tc = tcase_create("bnorm_requant");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_floor);
    tcase_add_test(tc, test_clip);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_random_vs_int64);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
