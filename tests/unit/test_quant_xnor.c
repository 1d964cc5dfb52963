/* XNOR-popcount bipolar dot product: hand cases, padding, naive agreement. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_pack.h"
#include "qc_xnor.h"

static uint32_t rng_state = 0xC0FFEEu;

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
    /* a = {+1, -1, +1}, b = {+1, +1, +1}: 1 - 1 + 1 = 1, with 2 matches */
    uint32_t a = 0x5, b = 0x7;
    ck_assert_int_eq(qc_xnor_popcount(&a, &b, 3), 2);
    ck_assert_int_eq(qc_xnor_dot(&a, &b, 3), 1);
    ck_assert_int_eq(qc_xnor_dot(&a, &a, 3), 3);
    ck_assert_int_eq(qc_xnor_dot(&a, &b, 0), 0);
}
END_TEST

START_TEST(test_padding_is_masked)
{
    /* n = 5: only bits 0..4 are elements; bits 5..31 may hold anything */
    uint32_t a = 0xFFFFFFFFu, b = 0x0000001Fu; /* elements all +1, padding differs */
    ck_assert_int_eq(qc_xnor_dot(&a, &b, 5), 5);
    a = 0xFFFFFFE0u; /* elements all -1 */
    b = 0x00000000u;
    ck_assert_int_eq(qc_xnor_dot(&a, &b, 5), 5);
    a = 0xA000001Fu;
    ck_assert_int_eq(qc_xnor_dot(&a, &b, 5), -5);
    ck_assert_int_eq(qc_xnor_popcount(&a, &b, 5), 0);
}
END_TEST

START_TEST(test_whole_words)
{
    /* n a multiple of 32: no tail word, every bit counts */
    uint32_t a[2] = {0xFFFFFFFFu, 0x0F0F0F0Fu}, b[2] = {0xFFFFFFFFu, 0xF0F0F0F0u};
    ck_assert_int_eq(qc_xnor_dot(a, a, 64), 64);
    ck_assert_int_eq(qc_xnor_dot(a, b, 32), 32);
    ck_assert_int_eq(qc_xnor_dot(a, b, 64), 0);   /* 32 match, 32 differ */
    ck_assert_int_eq(qc_xnor_dot(a + 1, b + 1, 32), -32);
    ck_assert_int_eq(qc_xnor_dot(a, b, 36), 28);  /* 32 + 4 differing elements */
}
END_TEST

START_TEST(test_pack_words)
{
    /* 0 takes BipolarQuant's sign, +1 */
    static const int32_t v[] = {1, -1, 0, -5};
    int32_t many[70];
    uint32_t w[3] = {0xDEADBEEFu, 0xDEADBEEFu, 0xDEADBEEFu};
    size_t i;

    qc_xnor_pack(v, 4, w);
    ck_assert_uint_eq(w[0], 0x5);
    ck_assert_uint_eq(w[1], 0xDEADBEEFu); /* only qc_xnor_words(4) = 1 word written */
    for (i = 0; i < 70; ++i)
        many[i] = i % 3 == 0 ? 1 : -1;
    qc_xnor_pack(many, 70, w);
    ck_assert_uint_eq(qc_xnor_words(70), 3);
    ck_assert_uint_eq(w[0], 0x49249249u);  /* bits 0, 3, 6, ... */
    ck_assert_uint_eq(w[2], 0x24u);        /* elements 66, 69 = bits 2, 5; padding 0 */
    /* MNIST-sized: 784 elements, one third agree with all +1 */
    {
        int32_t x[784], ones[784];
        uint32_t wx[25], wo[25];
        int32_t want = 0;
        for (i = 0; i < 784; ++i) {
            x[i] = i % 3 == 0 ? 1 : -1;
            ones[i] = 1;
            want += x[i];
        }
        qc_xnor_pack(x, 784, wx);
        qc_xnor_pack(ones, 784, wo);
        ck_assert_int_eq(want, 262 - 522);
        ck_assert_int_eq(qc_xnor_dot(wx, wo, 784), want);
        ck_assert_int_eq(qc_xnor_dot(wo, wo, 784), 784);
    }
}
END_TEST

/* The word layout equals qc_pack's BIPOLAR byte stream read as
 * little-endian words. */
START_TEST(test_matches_byte_packing)
{
    int32_t v[45];
    uint8_t bytes[8] = {0};
    uint32_t w[2];
    size_t i;
    for (i = 0; i < 45; ++i)
        v[i] = rng() & 1 ? 1 : -1;
    qc_pack(qc_dtype_bipolar(), v, 45, bytes);
    qc_xnor_pack(v, 45, w);
    for (i = 0; i < 2; ++i) {
        uint32_t le = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                      (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
        ck_assert_uint_eq(w[i], le);
    }
}
END_TEST

START_TEST(test_random_vs_naive)
{
    int iter;
    for (iter = 0; iter < 2000; ++iter) {
        int32_t a[300], b[300], want = 0, matches = 0;
        uint32_t wa[10], wb[10];
        size_t n = rng() % 301, i;

        for (i = 0; i < n; ++i) {
            a[i] = rng() & 1 ? 1 : -1;
            b[i] = rng() & 1 ? 1 : -1;
            want += a[i] * b[i];
            matches += a[i] == b[i];
        }
        qc_xnor_pack(a, n, wa);
        qc_xnor_pack(b, n, wb);
        if (n % 32) { /* garbage in the padding must not change anything */
            wa[n / 32] |= ~(((uint32_t)1 << (n % 32)) - 1u) & rng();
            wb[n / 32] |= ~(((uint32_t)1 << (n % 32)) - 1u) & rng();
        }
        ck_assert_int_eq(qc_xnor_dot(wa, wb, n), want);
        ck_assert_int_eq(qc_xnor_popcount(wa, wb, n), matches);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_xnor");
    TCase *tc = tcase_create("xnor");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_by_hand);
    tcase_add_test(tc, test_padding_is_masked);
    tcase_add_test(tc, test_whole_words);
    tcase_add_test(tc, test_pack_words);
    tcase_add_test(tc, test_matches_byte_packing);
    tcase_add_test(tc, test_random_vs_naive);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
