/* Integer dot products; see qc_dot.h for the accumulator contract. */
#include "qc_dot.h"

#include "qc_pack.h"

int32_t qc_dot_i8_packed(const int8_t *x, qc_dtype wdt, const uint8_t *wpacked, size_t n)
{
    unsigned bits = wdt.bits;
    int32_t acc = 0;
    size_t i;

    if (bits == 1 || bits == 2 || bits == 4 || bits == 8) {
        /* Every code has the form value = mul * (code ^ flip) - off:
         *   unsigned:  mul 1, flip 0,        off 0
         *   signed:    mul 1, flip 2^(b-1),  off 2^(b-1)  (flipping the sign
         *              bit turns two's complement into value + 2^(b-1))
         *   bipolar:   mul 2, flip 0,        off 1        (0 -> -1, 1 -> +1)
         * so decoding needs no branch inside the loop. */
        uint32_t mask = ((uint32_t)1 << bits) - 1u;
        unsigned per_byte = 8 / bits;
        int32_t mul = 1, off = 0;
        uint32_t flip = 0;

        if (wdt.kind == QC_BIPOLAR) {
            mul = 2;
            off = 1;
        } else if (qc_dtype_signed(wdt)) {
            flip = (uint32_t)1 << (bits - 1);
            off = (int32_t)flip;
        }
        for (i = 0; i < n;) {
            uint32_t byte = *wpacked++;
            unsigned k;

            for (k = 0; k < per_byte && i < n; ++k, ++i) {
                int32_t w = mul * (int32_t)((byte & mask) ^ flip) - off;

                acc += (int32_t)x[i] * w;
                byte >>= bits;
            }
        }
        return acc;
    }
    for (i = 0; i < n; ++i)
        acc += (int32_t)x[i] * qc_unpack_one(wdt, wpacked, i);
    return acc;
}

int32_t qc_dot_i8_bipolar(const int8_t *x, const uint8_t *wbits, size_t n)
{
    int32_t acc = 0;
    size_t i;

    for (i = 0; i < n; ++i) {
        int32_t v = x[i];

        acc += (wbits[i / 8] >> (i % 8)) & 1u ? v : -v;
    }
    return acc;
}

int64_t qc_dot_i32(const int32_t *a, const int32_t *b, size_t n)
{
    int64_t acc = 0;
    size_t i;

    for (i = 0; i < n; ++i)
        acc += (int64_t)a[i] * b[i];
    return acc;
}
