/* Popcount: builtin path and portable fallback against a bit loop. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_popcount.h"

static uint32_t rng_state = 0x1234567u;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static unsigned naive_popcount(uint32_t x)
{
    unsigned n = 0;
    for (; x; x >>= 1)
        n += x & 1u;
    return n;
}

START_TEST(test_by_hand)
{
    static const struct { uint32_t x; unsigned bits; } cases[] = {
        {0x00000000u, 0}, {0x00000001u, 1}, {0x80000000u, 1},
        {0xFFFFFFFFu, 32}, {0xAAAAAAAAu, 16}, {0x000000FFu, 8},
        {0x12345678u, 13}, /* 1+1+2+1+2+2+3+1 per nibble */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        ck_assert_uint_eq(qc_popcount32(cases[i].x), cases[i].bits);
        ck_assert_uint_eq(qc_popcount32_portable(cases[i].x), cases[i].bits);
    }
}
END_TEST

START_TEST(test_random_agree)
{
    int i;
    unsigned b;
    for (i = 0; i < 100000; ++i) {
        uint32_t x = rng();
        unsigned want = naive_popcount(x);
        ck_assert_uint_eq(qc_popcount32(x), want);
        ck_assert_uint_eq(qc_popcount32_portable(x), want);
    }
    /* every single bit and every prefix mask */
    for (b = 0; b < 32; ++b) {
        ck_assert_uint_eq(qc_popcount32_portable((uint32_t)1 << b), 1);
        ck_assert_uint_eq(qc_popcount32_portable(((uint32_t)1 << b) - 1u), b);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_popcount");
    TCase *tc = tcase_create("popcount");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_random_agree);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
