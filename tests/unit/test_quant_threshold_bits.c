/* Single-threshold activations packed as bipolar bits: ties, padding,
 * agreement with qc_threshold_count. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_threshold.h"
#include "qc_threshold_bits.h"
#include "qc_xnor64.h"

static uint32_t rng_state = 0x7B175u;

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
    static const int32_t x[] = {5, 3, -1, 0};
    static const int32_t t[] = {5, 4, -2, 1};
    uint64_t w[2] = {UINT64_MAX, UINT64_MAX};
    qc_threshold_bits64(x, t, 4, w);
    ck_assert(w[0] == 0x5u);             /* a tie counts; padding is 0 */
    ck_assert(w[1] == UINT64_MAX);       /* one word written */
}
END_TEST

START_TEST(test_agrees_with_count)
{
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + rng() % 200;
        int32_t x[200], t[200];
        uint64_t w[4];
        for (size_t i = 0; i < n; i++) {
            x[i] = (int32_t)(rng() % 41) - 20;
            t[i] = (int32_t)(rng() % 41) - 20;
        }
        qc_threshold_bits64(x, t, n, w);
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(qc_xnor64_get(w, i) == 1, qc_threshold_count(x[i], &t[i], 1));
        if (n % 64)
            ck_assert(w[n / 64] >> (n % 64) == 0);
    }
}
END_TEST

START_TEST(test_extremes)
{
    int32_t x[2] = {INT32_MIN, INT32_MAX}, t[2] = {INT32_MIN, INT32_MAX};
    uint64_t w;
    qc_threshold_bits64(x, t, 2, &w);
    ck_assert(w == 0x3u);
    t[0] = INT32_MIN + 1;
    qc_threshold_bits64(x, t, 2, &w);
    ck_assert(w == 0x2u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_threshold_bits");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_agrees_with_count);
    tcase_add_test(tc, test_extremes);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
