/* Packing of bipolar vectors into 64-bit words; see qc_xnor64.h. */
#include "qc_xnor64.h"

#include <string.h>

/* Whether int16_t values lie in memory as in a little-endian uint64_t
 * (a constant the compiler folds). */
static int little_endian(void)
{
    const uint16_t probe = 1;

    return *(const unsigned char *)&probe == 1;
}

size_t qc_xnor64_words(size_t n)
{
    return (n + 63) / 64;
}

void qc_xnor64_pack(const int32_t *values, size_t n, uint64_t *words)
{
    size_t base;

    /* each word is built in a register and stored once */
    for (base = 0; base < n; base += 64) {
        size_t len = n - base < 64 ? n - base : 64, i;
        uint64_t w = 0;

        for (i = 0; i < len; ++i)
            w |= (uint64_t)(values[base + i] >= 0) << i;
        words[base / 64] = w;
    }
}

void qc_xnor64_pack_i16(const int16_t *values, size_t n, uint64_t *words)
{
    size_t base;

    for (base = 0; base < n; base += 64) {
        const int16_t *v = values + base;
        size_t len = n - base < 64 ? n - base : 64, i = 0;
        uint64_t w = 0;

        for (; i + 4 <= len; i += 4) {
            uint64_t four, negative;

            if (little_endian())
                memcpy(&four, v + i, sizeof four);   /* value i + j in bits 16j.. */
            else
                four = (uint64_t)(uint16_t)v[i] | ((uint64_t)(uint16_t)v[i + 1] << 16) |
                       ((uint64_t)(uint16_t)v[i + 2] << 32) | ((uint64_t)(uint16_t)v[i + 3] << 48);
            /* sign bits 15, 31, 47, 63 times 2^45 + 2^30 + 2^15 + 1 land alone
             * in bits 60..63 (every other product bit is below 60) */
            negative = ((four & 0x8000800080008000u) * 0x0000200040008001u) >> 60;

            w |= (~negative & 0xFu) << i;
        }
        for (; i < len; ++i)
            w |= (uint64_t)(v[i] >= 0) << i;
        words[base / 64] = w;
    }
}

int32_t qc_xnor64_get(const uint64_t *words, size_t i)
{
    return (words[i / 64] >> (i % 64)) & 1u ? 1 : -1;
}
