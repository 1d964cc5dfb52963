/* Multi-threshold counting: ties, repeats, extremes, and both searches. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_threshold.h"

static uint32_t rng_state = 0x5EED5EEDu;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* All three entry points must give `want`. */
#define ck_count(x, t, n, want)                                         \
    do {                                                                \
        ck_assert_int_eq(qc_threshold_count((x), (t), (n)), (want));    \
        ck_assert_int_eq(qc_threshold_count_linear((x), (t), (n)), (want)); \
        ck_assert_int_eq(qc_threshold_count_bsearch((x), (t), (n)), (want)); \
    } while (0)

START_TEST(test_by_hand)
{
    static const int32_t t[] = {-2, 0, 3};
    ck_count(-5, t, 3, 0);
    ck_count(-2, t, 3, 1); /* a tie x == t counts */
    ck_count(-1, t, 3, 1);
    ck_count(0, t, 3, 2);
    ck_count(2, t, 3, 2);
    ck_count(3, t, 3, 3);
    ck_count(7, t, 3, 3);
    ck_count(7, t, 0, 0); /* no thresholds: always 0 */
}
END_TEST

/* A UINT2 quantizer q = clamp(floor(x / 2), 0, 3) on an integer x steps
 * up at x = 2, 4, 6: it is the threshold activation with thresholds
 * {2, 4, 6} and out_bias 0. */
START_TEST(test_as_activation)
{
    static const int32_t t[] = {2, 4, 6};
    int32_t x;
    for (x = -10; x <= 20; ++x) {
        int32_t fl = x >= 0 ? x / 2 : -((1 - x) / 2); /* floor(x / 2) */
        int32_t q = fl < 0 ? 0 : fl > 3 ? 3 : fl;
        ck_assert_int_eq(0 + qc_threshold_count(x, t, 3), q);
    }
    ck_assert_int_eq(qc_threshold_count(5, t, 3), 2);
    /* with out_bias -2 the same thresholds give a signed INT2 activation */
    ck_assert_int_eq(-2 + qc_threshold_count(-4, t, 3), -2);
    ck_assert_int_eq(-2 + qc_threshold_count(100, t, 3), 1);
}
END_TEST

START_TEST(test_repeats_and_extremes)
{
    /* repeated thresholds (as after folding a BatchNorm) all count on a tie */
    static const int32_t t[] = {1, 1, 1, 5, 5, 9};
    static const int32_t e[] = {INT32_MIN, 0, 0, 0, 0, INT32_MAX};
    ck_count(0, t, 6, 0);
    ck_count(1, t, 6, 3);
    ck_count(4, t, 6, 3);
    ck_count(5, t, 6, 5);
    ck_count(9, t, 6, 6);
    ck_count(INT32_MIN, e, 6, 1);
    ck_count(-1, e, 6, 1);
    ck_count(0, e, 6, 5);
    ck_count(INT32_MAX, e, 6, 6);
}
END_TEST

/* n <= 4 uses the linear scan, which does not need sorted thresholds;
 * above 4 the binary search is used. Unsorted input shows which one ran. */
START_TEST(test_dispatch)
{
    static const int32_t unsorted[] = {5, -5, 5, -5, 5};
    ck_assert_int_eq(qc_threshold_count(0, unsorted, 4), 2);
    ck_assert_int_eq(qc_threshold_count_linear(0, unsorted, 5), 2);
    ck_assert_int_eq(qc_threshold_count(0, unsorted, 5),
                     qc_threshold_count_bsearch(0, unsorted, 5));
}
END_TEST

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_random_agree)
{
    int iter;
    for (iter = 0; iter < 20000; ++iter) {
        int32_t t[64], x, naive = 0;
        int n = (int)(rng() % 65), i;
        /* small spread so ties and repeats are common */
        for (i = 0; i < n; ++i)
            t[i] = (int32_t)(rng() % 41) - 20;
        qsort(t, (size_t)n, sizeof t[0], cmp_i32);
        x = (int32_t)(rng() % 51) - 25;
        for (i = 0; i < n; ++i)
            naive += x >= t[i];
        ck_count(x, t, n, naive);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_threshold");
    TCase *tc = tcase_create("threshold");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_as_activation);
    tcase_add_test(tc, test_repeats_and_extremes);
    tcase_add_test(tc, test_dispatch);
    tcase_add_test(tc, test_random_agree);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
