/* QONNX datatypes: ranges, saturation and accumulator sizing. */
#include "qc_dtype.h"

int qc_dtype_valid(qc_dtype dt)
{
    switch (dt.kind) {
    case QC_BIPOLAR:
    case QC_BINARY:
        return dt.bits == 1;
    case QC_TERNARY:
        return dt.bits == 2;
    case QC_INT:
    case QC_UINT:
        return dt.bits >= 1 && dt.bits <= 32;
    }
    return 0;
}

int qc_dtype_signed(qc_dtype dt)
{
    return dt.kind == QC_BIPOLAR || dt.kind == QC_TERNARY || dt.kind == QC_INT;
}

int64_t qc_dtype_min(qc_dtype dt)
{
    if (!qc_dtype_valid(dt))
        return 0;
    switch (dt.kind) {
    case QC_BIPOLAR:
    case QC_TERNARY:
        return -1;
    case QC_INT:
        return -((int64_t)1 << (dt.bits - 1));
    default: /* BINARY, UINT */
        return 0;
    }
}

int64_t qc_dtype_max(qc_dtype dt)
{
    if (!qc_dtype_valid(dt))
        return 0;
    switch (dt.kind) {
    case QC_INT:
        return ((int64_t)1 << (dt.bits - 1)) - 1;
    case QC_UINT:
        return ((int64_t)1 << dt.bits) - 1;
    default: /* BIPOLAR, BINARY, TERNARY all top out at 1 */
        return 1;
    }
}

int64_t qc_saturate(int64_t x, qc_dtype dt)
{
    if (!qc_dtype_valid(dt))
        return x;
    if (x < qc_dtype_min(dt))
        return qc_dtype_min(dt);
    if (x > qc_dtype_max(dt))
        return qc_dtype_max(dt);
    return x;
}

qc_dtype qc_dtype_for_range(int64_t min, int64_t max)
{
    qc_dtype dt;
    unsigned bits;

    dt.kind = min >= 0 ? QC_UINT : QC_INT;
    dt.bits = 0;
    if (min > max)
        return dt;
    for (bits = 1; bits <= 32; ++bits) {
        dt.bits = (uint8_t)bits;
        if (min >= qc_dtype_min(dt) && max <= qc_dtype_max(dt))
            return dt;
    }
    dt.bits = 0;
    return dt;
}

/* --- accumulator sizing -------------------------------------------------
 * |element product| < 2^64 fits uint64_t, but times n it needs up to
 * 128 bits, so the bounds are kept as sign + 128-bit magnitude (hi:lo). */

typedef struct {
    uint64_t hi, lo;
} qc_u128;

static uint64_t abs64(int64_t x)
{
    /* -(x + 1) + 1 avoids overflow for INT64_MIN. */
    return x < 0 ? (uint64_t)(-(x + 1)) + 1u : (uint64_t)x;
}

/* a * b as 128 bits, from four 32x32 -> 64 partial products. */
static qc_u128 mul_64x64(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32;
    uint64_t b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    qc_u128 r;

    r.lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static unsigned bitlen64(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        ++n;
        x >>= 1;
    }
    return n;
}

/* Number of bits needed to write x in binary (0 for 0). */
static unsigned bitlen128(qc_u128 x)
{
    return x.hi ? 64 + bitlen64(x.hi) : bitlen64(x.lo);
}

static qc_u128 dec128(qc_u128 x)
{
    if (x.lo == 0)
        --x.hi;
    --x.lo;
    return x;
}

unsigned qc_dtype_acc_bits(qc_dtype a, qc_dtype b, int64_t n)
{
    int64_t av[2], bv[2];
    uint64_t pos = 0, neg = 0; /* largest positive / negative element product, as magnitudes */
    uint64_t count = n > 0 ? (uint64_t)n : 0;
    qc_u128 top, bottom;
    unsigned need_pos, need_neg;
    int i, j;

    if (!qc_dtype_valid(a) || !qc_dtype_valid(b))
        return 0;
    av[0] = qc_dtype_min(a);
    av[1] = qc_dtype_max(a);
    bv[0] = qc_dtype_min(b);
    bv[1] = qc_dtype_max(b);
    /* The extremes of x*y over two intervals sit at the corners. */
    for (i = 0; i < 2; ++i) {
        for (j = 0; j < 2; ++j) {
            /* |values| <= 2^32 - 1, so the product fits uint64_t exactly */
            uint64_t mag = abs64(av[i]) * abs64(bv[j]);
            if ((av[i] < 0) != (bv[j] < 0)) {
                if (mag > neg)
                    neg = mag;
            } else if (mag > pos) {
                pos = mag;
            }
        }
    }
    /* A signed B-bit accumulator holds -2^(B-1) .. 2^(B-1)-1, so it needs
     * B-1 >= bitlen(top) and B-1 >= bitlen(bottom - 1). */
    top = mul_64x64(pos, count);
    bottom = mul_64x64(neg, count);
    need_pos = bitlen128(top);
    need_neg = (bottom.hi | bottom.lo) ? bitlen128(dec128(bottom)) : 0;
    return 1 + (need_pos > need_neg ? need_pos : need_neg);
}
