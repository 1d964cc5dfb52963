/* QONNX datatypes: ranges, saturation, range -> dtype, accumulator bits. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_dtype.h"

static uint32_t rng_state = 0x2545F491u;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static qc_dtype dt_make(qc_kind kind, unsigned bits)
{
    qc_dtype d;
    d.kind = kind;
    d.bits = (uint8_t)bits;
    return d;
}

#define ck_range(dt, lo, hi)                                   \
    do {                                                       \
        ck_assert_int_eq(qc_dtype_min(dt), (int64_t)(lo));     \
        ck_assert_int_eq(qc_dtype_max(dt), (int64_t)(hi));     \
    } while (0)

START_TEST(test_ranges)
{
    ck_range(qc_dtype_bipolar(), -1, 1);
    ck_range(qc_dtype_binary(), 0, 1);
    ck_range(qc_dtype_ternary(), -1, 1);
    ck_range(qc_dtype_int(1), -1, 0); /* INT1 is {-1, 0}, not bipolar */
    ck_range(qc_dtype_int(2), -2, 1);
    ck_range(qc_dtype_int(4), -8, 7);
    ck_range(qc_dtype_int(8), -128, 127);
    ck_range(qc_dtype_int(32), INT32_MIN, INT32_MAX);
    ck_range(qc_dtype_uint(1), 0, 1);
    ck_range(qc_dtype_uint(4), 0, 15);
    ck_range(qc_dtype_uint(32), 0, INT64_C(4294967295));
    ck_assert_int_eq(qc_dtype_bipolar().bits, 1);
    ck_assert_int_eq(qc_dtype_ternary().bits, 2);
}
END_TEST

START_TEST(test_signed_and_valid)
{
    ck_assert_int_eq(qc_dtype_signed(qc_dtype_bipolar()), 1);
    ck_assert_int_eq(qc_dtype_signed(qc_dtype_ternary()), 1);
    ck_assert_int_eq(qc_dtype_signed(qc_dtype_int(1)), 1);
    ck_assert_int_eq(qc_dtype_signed(qc_dtype_binary()), 0);
    ck_assert_int_eq(qc_dtype_signed(qc_dtype_uint(8)), 0);

    ck_assert_int_eq(qc_dtype_valid(qc_dtype_int(32)), 1);
    ck_assert_int_eq(qc_dtype_valid(qc_dtype_int(0)), 0);
    ck_assert_int_eq(qc_dtype_valid(qc_dtype_uint(33)), 0);
    ck_assert_int_eq(qc_dtype_valid(dt_make(QC_BIPOLAR, 2)), 0);
    ck_assert_int_eq(qc_dtype_valid(dt_make(QC_TERNARY, 1)), 0);
    /* invalid dtypes have an empty range at 0 and saturate nothing */
    ck_range(qc_dtype_int(33), 0, 0);
    ck_assert_int_eq(qc_saturate(1000, qc_dtype_int(0)), 1000);
}
END_TEST

START_TEST(test_saturate)
{
    ck_assert_int_eq(qc_saturate(100, qc_dtype_int(4)), 7);
    ck_assert_int_eq(qc_saturate(-100, qc_dtype_int(4)), -8);
    ck_assert_int_eq(qc_saturate(3, qc_dtype_int(4)), 3);
    ck_assert_int_eq(qc_saturate(-1, qc_dtype_uint(2)), 0);
    ck_assert_int_eq(qc_saturate(9, qc_dtype_uint(2)), 3);
    ck_assert_int_eq(qc_saturate(5, qc_dtype_bipolar()), 1);
    ck_assert_int_eq(qc_saturate(-5, qc_dtype_bipolar()), -1);
    ck_assert_int_eq(qc_saturate(INT64_MIN, qc_dtype_int(32)), INT32_MIN);
    ck_assert_int_eq(qc_saturate(INT64_MAX, qc_dtype_uint(32)), INT64_C(4294967295));
}
END_TEST

#define ck_dtype(got, k, b)                      \
    do {                                         \
        qc_dtype g_ = (got);                     \
        ck_assert_int_eq(g_.kind, (k));          \
        ck_assert_int_eq(g_.bits, (b));          \
    } while (0)

START_TEST(test_for_range)
{
    ck_dtype(qc_dtype_for_range(0, 0), QC_UINT, 1);
    ck_dtype(qc_dtype_for_range(0, 1), QC_UINT, 1);
    ck_dtype(qc_dtype_for_range(0, 2), QC_UINT, 2);
    ck_dtype(qc_dtype_for_range(3, 5), QC_UINT, 3);
    ck_dtype(qc_dtype_for_range(0, 255), QC_UINT, 8);
    ck_dtype(qc_dtype_for_range(0, 256), QC_UINT, 9);
    ck_dtype(qc_dtype_for_range(-1, 0), QC_INT, 1);
    ck_dtype(qc_dtype_for_range(-1, 1), QC_INT, 2);
    ck_dtype(qc_dtype_for_range(-128, 127), QC_INT, 8);
    ck_dtype(qc_dtype_for_range(-129, 0), QC_INT, 9);
    ck_dtype(qc_dtype_for_range(-1, 128), QC_INT, 9);
    ck_dtype(qc_dtype_for_range(INT32_MIN, INT32_MAX), QC_INT, 32);
    ck_dtype(qc_dtype_for_range(0, INT64_C(4294967295)), QC_UINT, 32);
    /* nothing of at most 32 bits, or an empty range: bits 0 */
    ck_assert_int_eq(qc_dtype_for_range(0, INT64_C(4294967296)).bits, 0);
    ck_assert_int_eq(qc_dtype_for_range(INT64_C(-2147483649), 0).bits, 0);
    ck_assert_int_eq(qc_dtype_for_range(5, 3).bits, 0);
}
END_TEST

/* The result holds the range, and one bit fewer would not. */
START_TEST(test_for_range_random)
{
    int i;
    for (i = 0; i < 20000; ++i) {
        /* |a| < 2^30 and b - a < 2^30: always fits a 32-bit type */
        int64_t m = rng() % ((uint32_t)1 << (rng() % 31));
        int64_t a = rng() & 1 ? -m : m;
        int64_t b = a + rng() % ((uint32_t)1 << (rng() % 31));
        qc_dtype d = qc_dtype_for_range(a, b);
        ck_assert_int_ne(d.bits, 0);
        ck_assert_int_eq(d.kind, a >= 0 ? QC_UINT : QC_INT);
        ck_assert(qc_dtype_min(d) <= a && b <= qc_dtype_max(d));
        if (d.bits > 1) {
            qc_dtype narrower = d;
            narrower.bits--;
            ck_assert(a < qc_dtype_min(narrower) || b > qc_dtype_max(narrower));
        }
    }
}
END_TEST

START_TEST(test_acc_bits)
{
    qc_dtype bip = qc_dtype_bipolar();
    /* 784 bipolar products: sums in [-784, 784]; 2^9 < 784 < 2^10 -> INT11 */
    ck_assert_uint_eq(qc_dtype_acc_bits(bip, bip, 784), 11);
    ck_assert_uint_eq(qc_dtype_acc_bits(bip, bip, 1), 2);   /* [-1, 1] */
    ck_assert_uint_eq(qc_dtype_acc_bits(bip, bip, 0), 1);   /* only 0 */
    ck_assert_uint_eq(qc_dtype_acc_bits(bip, bip, -5), 1);  /* n < 0 counts as 0 */
    /* BINARY x BINARY, 1 element: [0, 1], still a signed accumulator -> 2 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_binary(), qc_dtype_binary(), 1), 2);
    /* INT8 x INT8: -128 * -128 = 16384 does not fit INT15 -> 16 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(8), qc_dtype_int(8), 1), 16);
    /* the negative end may reach -2^(B-1) exactly: INT8 x BINARY gives
     * [-128, 127] = INT8, INT4 x BINARY x 4 gives [-32, 28] = INT6 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(8), qc_dtype_binary(), 1), 8);
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(4), qc_dtype_binary(), 4), 6);
    /* INT2 x INT2 x 4: products in [-2, 4], sums in [-8, 16] -> INT6 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(2), qc_dtype_int(2), 4), 6);
    /* INT8 x UINT8: -128 * 255 = -32640 per element; 65793 of them is the
     * last count whose sum >= -2^31 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(8), qc_dtype_uint(8), 65793), 32);
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(8), qc_dtype_uint(8), 65794), 33);
    /* INT32 x INT32: one product (-2^31)^2 = 2^62 already needs 64 bits */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(32), qc_dtype_int(32), 1), 64);
    /* beyond 64 bits is computed exactly too: (2^32-1)^2 * 2^31 < 2^95 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_uint(32), qc_dtype_uint(32), INT64_C(1) << 31), 96);
    /* INT32 x BINARY x 2^33: sums in [-2^64, (2^31-1) * 2^33] -> INT65 */
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(32), qc_dtype_binary(), INT64_C(1) << 33), 65);
    ck_assert_uint_eq(qc_dtype_acc_bits(qc_dtype_int(0), bip, 10), 0);
}
END_TEST

static qc_dtype random_small_dtype(void)
{
    switch (rng() % 5) {
    case 0: return qc_dtype_bipolar();
    case 1: return qc_dtype_binary();
    case 2: return qc_dtype_ternary();
    case 3: return qc_dtype_int(1 + rng() % 6);
    default: return qc_dtype_uint(1 + rng() % 6);
    }
}

/* Against brute force: enumerate every element value (not just the range
 * ends; BIPOLAR has no 0), then find the narrowest signed type by search. */
START_TEST(test_acc_bits_brute_force)
{
    int iter;
    for (iter = 0; iter < 2000; ++iter) {
        qc_dtype a = random_small_dtype(), b = random_small_dtype();
        /* powers of two often make n * min_product exactly -2^k, the edge
         * where the negative end just fits */
        int64_t n = rng() & 1 ? INT64_C(1) << (rng() % 12) : (int64_t)(rng() % 5000);
        int64_t x, y, pmin = INT64_MAX, pmax = INT64_MIN, lo, hi;
        unsigned bits = 1;

        for (x = qc_dtype_min(a); x <= qc_dtype_max(a); ++x) {
            if (a.kind == QC_BIPOLAR && x == 0)
                continue;
            for (y = qc_dtype_min(b); y <= qc_dtype_max(b); ++y) {
                if (b.kind == QC_BIPOLAR && y == 0)
                    continue;
                if (x * y < pmin) pmin = x * y;
                if (x * y > pmax) pmax = x * y;
            }
        }
        lo = n * pmin;
        hi = n * pmax;
        while (lo < -(INT64_C(1) << (bits - 1)) || hi > (INT64_C(1) << (bits - 1)) - 1)
            ++bits;
        ck_assert_uint_eq(qc_dtype_acc_bits(a, b, n), bits);
        ck_assert_uint_eq(qc_dtype_acc_bits(b, a, n), bits);
    }
}
END_TEST

#if defined(__SIZEOF_INT128__)
/* Wide types and large n need more than 64 bits: check the exact 128-bit
 * arithmetic against the compiler's __int128 (a GCC/Clang extension, used
 * only here in the test). */
__extension__ typedef __int128 i128;

static qc_dtype random_wide_dtype(void)
{
    unsigned bits = 1 + rng() % 32;
    return rng() & 1 ? qc_dtype_int(bits) : qc_dtype_uint(bits);
}

START_TEST(test_acc_bits_wide)
{
    int iter;
    for (iter = 0; iter < 20000; ++iter) {
        qc_dtype a = random_wide_dtype(), b = random_wide_dtype();
        int64_t n = (int64_t)(((uint64_t)rng() << 31 ^ rng()) >> (rng() % 63));
        i128 av[2], bv[2], pmin = 0, pmax = 0, lo, hi;
        unsigned bits = 1;
        int i, j;

        av[0] = qc_dtype_min(a);
        av[1] = qc_dtype_max(a);
        bv[0] = qc_dtype_min(b);
        bv[1] = qc_dtype_max(b);
        for (i = 0; i < 2; ++i) {
            for (j = 0; j < 2; ++j) {
                if (av[i] * bv[j] < pmin) pmin = av[i] * bv[j];
                if (av[i] * bv[j] > pmax) pmax = av[i] * bv[j];
            }
        }
        lo = pmin * n;
        hi = pmax * n;
        while (lo < -((i128)1 << (bits - 1)) || hi > ((i128)1 << (bits - 1)) - 1)
            ++bits;
        ck_assert_uint_eq(qc_dtype_acc_bits(a, b, n), bits);
    }
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("quant_dtype");
    TCase *tc = tcase_create("dtype");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_ranges);
    tcase_add_test(tc, test_signed_and_valid);
    tcase_add_test(tc, test_saturate);
    tcase_add_test(tc, test_for_range);
    tcase_add_test(tc, test_for_range_random);
    tcase_add_test(tc, test_acc_bits);
    tcase_add_test(tc, test_acc_bits_brute_force);
#if defined(__SIZEOF_INT128__)
    tcase_add_test(tc, test_acc_bits_wide);
#endif
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
