/* Integer dot products: int8, packed sub-byte weights, bipolar weights. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_dot.h"
#include "qc_pack.h"

static uint32_t rng_state = 0xBADC0DEu;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

START_TEST(test_dot_i8)
{
    static const int8_t a[] = {1, -2, 3}, b[] = {4, 5, -6};
    int8_t m[1000];
    size_t i;
    ck_assert_int_eq(qc_dot_i8(a, b, 3), 4 - 10 - 18);
    ck_assert_int_eq(qc_dot_i8(a, b, 0), 0);
    /* the largest int8 product, 1000 times, still fits 32 bits */
    for (i = 0; i < 1000; ++i)
        m[i] = -128;
    ck_assert_int_eq(qc_dot_i8(m, m, 1000), 16384000);
}
END_TEST

START_TEST(test_packed_by_hand)
{
    static const int8_t x[] = {10, -3, 7, 2, -1};
    static const uint8_t w_int4[] = {0xE1, 0x03};     /* INT4 {1, -2, 3} */
    static const uint8_t w_uint3[] = {0xD1, 0x58};    /* UINT3 {1, 2, 3, 4, 5} */
    static const uint8_t w_tern[] = {0xD3};           /* TERNARY {-1, 0, 1, -1} */
    static const uint8_t w_bip[] = {0x05};            /* BIPOLAR {+1, -1, +1, -1, -1} */
    static const uint8_t w_u8[] = {0xFF, 0x80};       /* UINT8 {255, 128} */
    static const uint8_t w_i8[] = {0xFF, 0x80};       /* INT8 {-1, -128} */

    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_int(4), w_int4, 3), 10 + 6 + 21);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_uint(3), w_uint3, 5), 10 - 6 + 21 + 8 - 5);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_ternary(), w_tern, 4), -10 + 0 + 7 - 2);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_bipolar(), w_bip, 5), 10 + 3 + 7 - 2 + 1);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_uint(8), w_u8, 2), 2550 - 384);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_int(8), w_i8, 2), -10 + 384);
    ck_assert_int_eq(qc_dot_i8_packed(x, qc_dtype_int(4), w_int4, 0), 0);
}
END_TEST

START_TEST(test_bipolar_by_hand)
{
    /* bits 1, 0, 1 -> weights +1, -1, +1 */
    static const int8_t x[] = {5, -3, 2};
    static const uint8_t w[] = {0x05};
    int8_t big[10];
    uint8_t wb[2] = {0x55, 0x01};
    size_t i;
    ck_assert_int_eq(qc_dot_i8_bipolar(x, w, 3), 5 + 3 + 2);
    for (i = 0; i < 10; ++i)
        big[i] = -128;
    /* weights + - + - + - + - | + -: five +(-128), five -(-128) */
    ck_assert_int_eq(qc_dot_i8_bipolar(big, wb, 10), 0);
    ck_assert_int_eq(qc_dot_i8_bipolar(big, wb, 9), -128);
}
END_TEST

START_TEST(test_dot_i32)
{
    static const int32_t a[] = {INT32_MIN, 3}, b[] = {INT32_MIN, -4};
    /* (-2^31)^2 = 2^62 needs the 64-bit accumulator */
    ck_assert_int_eq(qc_dot_i32(a, b, 1), INT64_C(1) << 62);
    ck_assert_int_eq(qc_dot_i32(a, b, 2), (INT64_C(1) << 62) - 12);
}
END_TEST

static int32_t random_value(qc_dtype dt)
{
    int32_t lo = (int32_t)qc_dtype_min(dt), hi = (int32_t)qc_dtype_max(dt);
    int32_t v = lo + (int32_t)(rng() % (uint32_t)(hi - lo + 1));
    return dt.kind == QC_BIPOLAR && v == 0 ? 1 : v;
}

/* Packed dot against a naive loop for every weight type of 1..8 bits, so
 * both the byte-at-a-time path (1, 2, 4, 8) and the generic one run. */
START_TEST(test_packed_random)
{
    qc_dtype dts[3 + 16];
    size_t ndt = 0, d;
    unsigned b;
    int iter;

    dts[ndt++] = qc_dtype_bipolar();
    dts[ndt++] = qc_dtype_binary();
    dts[ndt++] = qc_dtype_ternary();
    for (b = 1; b <= 8; ++b) {
        dts[ndt++] = qc_dtype_int(b);
        dts[ndt++] = qc_dtype_uint(b);
    }
    for (d = 0; d < ndt; ++d) {
        for (iter = 0; iter < 300; ++iter) {
            int8_t x[200];
            int32_t w[200], want = 0;
            uint8_t wp[200];
            size_t n = rng() % 201, i;

            for (i = 0; i < n; ++i) {
                x[i] = (int8_t)((int32_t)(rng() % 256) - 128);
                w[i] = random_value(dts[d]);
                want += x[i] * w[i];
            }
            qc_pack(dts[d], w, n, wp);
            ck_assert_int_eq(qc_dot_i8_packed(x, dts[d], wp, n), want);
            if (dts[d].kind == QC_BIPOLAR)
                ck_assert_int_eq(qc_dot_i8_bipolar(x, wp, n), want);
        }
    }
}
END_TEST

START_TEST(test_i8_i32_agree)
{
    int iter;
    for (iter = 0; iter < 500; ++iter) {
        int8_t a[300], b[300];
        int32_t a32[300], b32[300], want = 0;
        size_t n = rng() % 301, i;
        for (i = 0; i < n; ++i) {
            a[i] = (int8_t)((int32_t)(rng() % 256) - 128);
            b[i] = (int8_t)((int32_t)(rng() % 256) - 128);
            a32[i] = a[i];
            b32[i] = b[i];
            want += a[i] * b[i];
        }
        ck_assert_int_eq(qc_dot_i8(a, b, n), want);
        ck_assert_int_eq(qc_dot_i32(a32, b32, n), want);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_dot");
    TCase *tc = tcase_create("dot");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_dot_i8);
    tcase_add_test(tc, test_packed_by_hand);
    tcase_add_test(tc, test_bipolar_by_hand);
    tcase_add_test(tc, test_dot_i32);
    tcase_add_test(tc, test_packed_random);
    tcase_add_test(tc, test_i8_i32_agree);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
