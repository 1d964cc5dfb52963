/* XNOR-popcount dot product of packed bipolar vectors; see qc_xnor.h. */
#include "qc_xnor.h"

#include "qc_popcount.h"

size_t qc_xnor_words(size_t n)
{
    return (n + 31) / 32;
}

void qc_xnor_pack(const int32_t *values, size_t n, uint32_t *words)
{
    size_t i;

    for (i = 0; i < qc_xnor_words(n); ++i)
        words[i] = 0;
    for (i = 0; i < n; ++i)
        if (values[i] >= 0)
            words[i / 32] |= (uint32_t)1 << (i % 32);
}

int32_t qc_xnor_popcount(const uint32_t *a, const uint32_t *b, size_t n)
{
    size_t full = n / 32, i;
    unsigned tail = (unsigned)(n % 32);
    uint32_t matches = 0;

    for (i = 0; i < full; ++i)
        matches += qc_popcount32(~(a[i] ^ b[i]));
    if (tail) {
        /* Only the low `tail` bits of the last word are elements. */
        uint32_t valid = ((uint32_t)1 << tail) - 1u;
        matches += qc_popcount32(~(a[full] ^ b[full]) & valid);
    }
    return (int32_t)matches;
}

int32_t qc_xnor_dot(const uint32_t *a, const uint32_t *b, size_t n)
{
    return 2 * qc_xnor_popcount(a, b, n) - (int32_t)n;
}
