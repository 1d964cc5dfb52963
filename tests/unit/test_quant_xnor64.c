/* XNOR on 64-bit words: popcount, packing, agreement with the 32-bit
 * qc_xnor and with a naive bipolar dot product. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qc_pack.h"
#include "qc_xnor.h"
#include "qc_xnor64.h"

static uint32_t rng_state = 0x64B175u;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

START_TEST(test_popcount64)
{
    ck_assert_uint_eq(qc_popcount64(0), 0);
    ck_assert_uint_eq(qc_popcount64(1), 1);
    ck_assert_uint_eq(qc_popcount64(UINT64_MAX), 64);
    ck_assert_uint_eq(qc_popcount64(0x8000000000000001u), 2);
    ck_assert_uint_eq(qc_popcount64(0xF0F0F0F0F0F0F0F0u), 32);
    for (int k = 0; k < 1000; k++) {
        uint64_t x = (uint64_t)rng() << 32 | rng();
        unsigned want = 0;
        for (int b = 0; b < 64; b++)
            want += (unsigned)(x >> b) & 1u;
        ck_assert_uint_eq(qc_popcount64(x), want);
    }
}
END_TEST

START_TEST(test_pack_and_get)
{
    static const int32_t v[] = {1, -1, 0, -5};
    uint64_t w[3] = {0xDEADBEEFu, 0xDEADBEEFu, 0xDEADBEEFu};
    int32_t many[130];

    ck_assert_uint_eq(qc_xnor64_words(0), 0);
    ck_assert_uint_eq(qc_xnor64_words(64), 1);
    ck_assert_uint_eq(qc_xnor64_words(65), 2);
    qc_xnor64_pack(v, 4, w);
    ck_assert(w[0] == 0x5u);                 /* 0 takes BipolarQuant's sign, +1 */
    ck_assert(w[1] == 0xDEADBEEFu);          /* only one word written */
    ck_assert_int_eq(qc_xnor64_get(w, 0), 1);
    ck_assert_int_eq(qc_xnor64_get(w, 1), -1);
    ck_assert_int_eq(qc_xnor64_get(w, 2), 1);
    ck_assert_int_eq(qc_xnor64_get(w, 3), -1);
    for (int i = 0; i < 130; i++)
        many[i] = i % 3 == 0 ? 1 : -1;
    qc_xnor64_pack(many, 130, w);
    ck_assert(w[0] == 0x9249249249249249u);  /* bits 0, 3, 6, ... */
    ck_assert(w[2] == 0x2u);                 /* 128 is -1, 129 is +1; padding 0 */
    for (int i = 0; i < 130; i++)
        ck_assert_int_eq(qc_xnor64_get(w, (size_t)i), many[i]);
}
END_TEST

START_TEST(test_same_bytes_as_pack_and_xnor32)
{
    /* On a little-endian machine the three layouts are one byte image. */
    int32_t v[200];
    uint64_t w64[4];
    uint32_t w32[7];
    uint8_t bytes[25];
    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe != 1)
        return; /* big-endian: the word layouts differ by design */
    for (int i = 0; i < 200; i++)
        v[i] = rng() & 1u ? 1 : -1;
    qc_xnor64_pack(v, 200, w64);
    qc_xnor_pack(v, 200, w32);
    qc_pack(qc_dtype_bipolar(), v, 200, bytes);
    ck_assert_int_eq(memcmp(w64, w32, 25), 0);
    ck_assert_int_eq(memcmp(w64, bytes, 25), 0);
}
END_TEST

START_TEST(test_differ_matches_naive_dot)
{
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 1 + rng() % 300, words = qc_xnor64_words(n);
        int32_t a[300], b[300];
        uint64_t wa[5], wb[5];
        uint32_t xa[10], xb[10];
        int32_t dot = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = rng() & 1u ? 1 : -1;
            b[i] = rng() & 1u ? 1 : -1;
            dot += a[i] * b[i];
        }
        qc_xnor64_pack(a, n, wa);
        qc_xnor64_pack(b, n, wb);
        qc_xnor_pack(a, n, xa);
        qc_xnor_pack(b, n, xb);
        int32_t differ = qc_xnor64_differ(wa, wb, words);
        ck_assert_int_eq((int32_t)n - 2 * differ, dot);
        ck_assert_int_eq((int32_t)n - differ, qc_xnor_popcount(xa, xb, n));
    }
}
END_TEST

START_TEST(test_pack_i16_matches_pack)
{
    /* every sign pattern of four, the extremes, ragged tails */
    static const int16_t edge[] = {0, -1, 1, INT16_MIN, INT16_MAX, -32767, 32766, 2, -2};
    for (int trial = 0; trial < 400; trial++) {
        size_t n = 1 + rng() % 150;
        int16_t v16[150];
        int32_t v32[150];
        uint64_t a[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX}, b[3];
        for (size_t i = 0; i < n; i++) {
            v16[i] = trial % 2 ? edge[rng() % 9] : (int16_t)(rng() & 0xFFFFu);
            v32[i] = v16[i];
        }
        qc_xnor64_pack_i16(v16, n, a);
        qc_xnor64_pack(v32, n, b);
        for (size_t w = 0; w < qc_xnor64_words(n); w++)
            ck_assert(a[w] == b[w]);
    }
}
END_TEST

START_TEST(test_differ_whole_words)
{
    uint64_t a[2] = {UINT64_MAX, 0}, b[2] = {0, 0};
    ck_assert_int_eq(qc_xnor64_differ(a, b, 0), 0);
    ck_assert_int_eq(qc_xnor64_differ(a, b, 1), 64);
    ck_assert_int_eq(qc_xnor64_differ(a, b, 2), 64);
    ck_assert_int_eq(qc_xnor64_differ(a, a, 2), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_xnor64");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_popcount64);
    tcase_add_test(tc, test_pack_and_get);
    tcase_add_test(tc, test_same_bytes_as_pack_and_xnor32);
    tcase_add_test(tc, test_differ_matches_naive_dot);
    tcase_add_test(tc, test_pack_i16_matches_pack);
    tcase_add_test(tc, test_differ_whole_words);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
