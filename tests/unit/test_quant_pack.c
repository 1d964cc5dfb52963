/* LSB-first packing: codes, hand-packed byte patterns, and round trips. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qc_pack.h"

static uint32_t rng_state = 0x9E3779B9u;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

START_TEST(test_encode_decode)
{
    qc_dtype i4 = qc_dtype_int(4), t = qc_dtype_ternary(), bp = qc_dtype_bipolar();

    ck_assert_uint_eq(qc_encode(i4, -2), 0xE);  /* two's complement, 4 bits */
    ck_assert_int_eq(qc_decode(i4, 0xE), -2);   /* sign-extended back */
    ck_assert_int_eq(qc_decode(i4, 0x7), 7);
    ck_assert_int_eq(qc_decode(i4, 0xF7), 7);   /* bits above 4 ignored */
    /* TERNARY is 2-bit two's complement; code 2 is not a ternary value */
    ck_assert_uint_eq(qc_encode(t, -1), 3);
    ck_assert_uint_eq(qc_encode(t, 0), 0);
    ck_assert_uint_eq(qc_encode(t, 1), 1);
    ck_assert_int_eq(qc_decode(t, 3), -1);
    ck_assert_int_eq(qc_decode(t, 1), 1);
    ck_assert_int_eq(qc_decode(t, 2), -2);
    /* BIPOLAR: one bit, 1 for +1; 0 gets the BipolarQuant sign, +1 */
    ck_assert_uint_eq(qc_encode(bp, 1), 1);
    ck_assert_uint_eq(qc_encode(bp, -1), 0);
    ck_assert_uint_eq(qc_encode(bp, 0), 1);
    ck_assert_int_eq(qc_decode(bp, 0), -1);
    ck_assert_int_eq(qc_decode(bp, 1), 1);
    /* INT1 is {-1, 0}: the single bit is the sign bit */
    ck_assert_uint_eq(qc_encode(qc_dtype_int(1), -1), 1);
    ck_assert_int_eq(qc_decode(qc_dtype_int(1), 1), -1);
    ck_assert_int_eq(qc_decode(qc_dtype_int(1), 0), 0);
    ck_assert_int_eq(qc_decode(qc_dtype_uint(1), 1), 1);
    ck_assert_int_eq(qc_decode(qc_dtype_binary(), 1), 1);
    /* full 8 and 32 bits */
    ck_assert_uint_eq(qc_encode(qc_dtype_int(8), -128), 0x80);
    ck_assert_int_eq(qc_decode(qc_dtype_int(8), 0x80), -128);
    ck_assert_int_eq(qc_decode(qc_dtype_uint(8), 0xFF), 255);
    ck_assert_uint_eq(qc_encode(qc_dtype_int(32), INT32_MIN), 0x80000000u);
    ck_assert_int_eq(qc_decode(qc_dtype_int(32), 0x80000000u), INT32_MIN);
    ck_assert_int_eq(qc_decode(qc_dtype_int(32), 0x7FFFFFFFu), INT32_MAX);
    ck_assert_int_eq(qc_decode(qc_dtype_uint(32), 0xFFFFFFFFu), -1); /* documented wrap */
}
END_TEST

static void check_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i)
        ck_assert_msg(got[i] == want[i], "byte %u: got 0x%02X, want 0x%02X",
                      (unsigned)i, got[i], want[i]);
}

/* Packs values (the output buffer prefilled with 0xFF to catch unwritten
 * padding) and compares with the expected bytes and byte count. */
static void check_pack(qc_dtype dt, const int32_t *values, size_t n,
                       const uint8_t *want, size_t nbytes)
{
    uint8_t out[16];
    int32_t back[32];
    size_t i;

    ck_assert_uint_eq(qc_packed_bytes(dt, n), nbytes);
    memset(out, 0xFF, sizeof out);
    qc_pack(dt, values, n, out);
    check_bytes(out, want, nbytes);
    ck_assert_uint_eq(out[nbytes], 0xFF); /* nothing written past the end */
    qc_unpack(dt, out, n, back);
    for (i = 0; i < n; ++i)
        ck_assert_int_eq(back[i], values[i]);
}

START_TEST(test_pack_by_hand)
{
    /* INT4 {1, -2, 3}: codes 0x1, 0xE, 0x3; element 0 in the low nibble */
    static const int32_t i4[] = {1, -2, 3};
    static const uint8_t i4_bytes[] = {0xE1, 0x03};
    /* UINT3 {1..5}: codes at stream bits 0, 3, 6, 9, 12. Element 2 (code
     * 011) puts its low two bits in bits 6-7 of byte 0 and its top bit (0)
     * in bit 0 of byte 1. */
    static const int32_t u3[] = {1, 2, 3, 4, 5};
    static const uint8_t u3_bytes[] = {0xD1, 0x58};
    /* INT5 {-1, 1, -16, 15}: codes 11111, 00001, 10000, 01111 at bits 0, 5,
     * 10, 15 -> 0x3F (bits 0-5), 0xC0 (bits 14, 15), 0x07 (bits 16-18) */
    static const int32_t i5[] = {-1, 1, -16, 15};
    static const uint8_t i5_bytes[] = {0x3F, 0xC0, 0x07};
    /* INT7 {-64, 63, 1}: 1000000 at bit 0, 0111111 at bit 7, 0000001 at 14 */
    static const int32_t i7[] = {-64, 63, 1};
    static const uint8_t i7_bytes[] = {0xC0, 0x5F, 0x00};
    /* BIPOLAR, 1 = +1: bits 1,0,0,1,1,1,0,0 | 1 */
    static const int32_t bp[] = {1, -1, -1, 1, 1, 1, -1, -1, 1};
    static const uint8_t bp_bytes[] = {0x39, 0x01};
    /* TERNARY {-1, 0, 1, -1}: codes 11, 00, 01, 11 -> 0b11010011 */
    static const int32_t tn[] = {-1, 0, 1, -1};
    static const uint8_t tn_bytes[] = {0xD3};
    /* INT2 {-1, -1, -1}: 6 bits of code, the 2 padding bits stay 0 */
    static const int32_t i2[] = {-1, -1, -1};
    static const uint8_t i2_bytes[] = {0x3F};
    /* UINT16: element 0 in byte 0 (little-endian bytes) */
    static const int32_t u16[] = {0x1234, 0xABCD};
    static const uint8_t u16_bytes[] = {0x34, 0x12, 0xCD, 0xAB};

    check_pack(qc_dtype_int(4), i4, 3, i4_bytes, 2);
    check_pack(qc_dtype_uint(3), u3, 5, u3_bytes, 2);
    check_pack(qc_dtype_int(5), i5, 4, i5_bytes, 3);
    check_pack(qc_dtype_int(7), i7, 3, i7_bytes, 3);
    check_pack(qc_dtype_bipolar(), bp, 9, bp_bytes, 2);
    check_pack(qc_dtype_ternary(), tn, 4, tn_bytes, 1);
    check_pack(qc_dtype_int(2), i2, 3, i2_bytes, 1);
    check_pack(qc_dtype_uint(16), u16, 2, u16_bytes, 4);
    ck_assert_int_eq(qc_unpack_one(qc_dtype_uint(3), u3_bytes, 2), 3); /* crosses bytes */
    ck_assert_int_eq(qc_unpack_one(qc_dtype_int(5), i5_bytes, 3), 15);
    ck_assert_uint_eq(qc_packed_bytes(qc_dtype_int(4), 0), 0);
}
END_TEST

static int32_t random_value(qc_dtype dt)
{
    int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
    uint64_t r = (uint64_t)rng() << 32;
    int64_t v;

    r |= rng();
    v = lo + (int64_t)(r % (uint64_t)(hi - lo + 1));
    if (dt.kind == QC_BIPOLAR && v == 0)
        v = 1;
    return (int32_t)v;
}

/* Reference packer, bit by bit: element i's code bit b is stream bit
 * i*bits + b, stream bit k is bit k%8 of byte k/8. */
static void naive_pack(qc_dtype dt, const int32_t *v, size_t n, uint8_t *out)
{
    size_t i, k;
    unsigned b;
    for (k = 0; k < qc_packed_bytes(dt, n); ++k)
        out[k] = 0;
    for (i = 0; i < n; ++i) {
        uint64_t code = dt.kind == QC_BIPOLAR ? (uint64_t)(v[i] > 0) : (uint64_t)(int64_t)v[i];
        for (b = 0; b < dt.bits; ++b) {
            if ((code >> b) & 1) {
                k = i * dt.bits + b;
                out[k / 8] |= (uint8_t)(1u << (k % 8));
            }
        }
    }
}

START_TEST(test_round_trip_random)
{
    qc_dtype dts[3 + 2 * 8 + 2];
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
    dts[ndt++] = qc_dtype_int(16);
    dts[ndt++] = qc_dtype_int(32);

    for (d = 0; d < ndt; ++d) {
        for (iter = 0; iter < 200; ++iter) {
            int32_t v[100], back[100];
            uint8_t packed[400], want[400];
            size_t n = rng() % 100, i, nb = qc_packed_bytes(dts[d], n);

            for (i = 0; i < n; ++i)
                v[i] = random_value(dts[d]);
            memset(packed, 0xA5, sizeof packed);
            qc_pack(dts[d], v, n, packed);
            naive_pack(dts[d], v, n, want);
            check_bytes(packed, want, nb);
            ck_assert_uint_eq(packed[nb], 0xA5);
            qc_unpack(dts[d], packed, n, back);
            for (i = 0; i < n; ++i) {
                ck_assert_int_eq(back[i], v[i]);
                ck_assert_int_eq(qc_unpack_one(dts[d], packed, i), v[i]);
            }
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_pack");
    TCase *tc = tcase_create("pack");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_encode_decode);
    tcase_add_test(tc, test_pack_by_hand);
    tcase_add_test(tc, test_round_trip_random);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
