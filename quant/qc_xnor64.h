/* XNOR-popcount on 64-bit words: the form the reference executor's binary
 * layers use (qc_xnor.h is the same arithmetic on 32-bit words).
 *
 * A bipolar vector of n elements is ceil(n/64) uint64_t words, one bit per
 * element, 1 for +1 and 0 for -1, LSB-first: element i is bit i % 64 of
 * word i / 64. On a little-endian machine that is the same byte image as
 * qc_pack(qc_dtype_bipolar(), ...) and as qc_xnor_pack's 32-bit words.
 *
 * Kernels keep padding bits (beyond n in the last word) at 0 in both
 * operands, so whole words can be compared: the padding never differs. The
 * number of matching positions is then n - qc_xnor64_differ(...), and the
 * bipolar dot product n - 2 * differ.
 *
 * qc_xnor64_differ is the innermost loop of every binary convolution, so it
 * is defined here, static inline: a kernel calling it with a constant word
 * count gets it unrolled. Part of the quant core: C99, freestanding. */
#ifndef QC_XNOR64_H
#define QC_XNOR64_H

#include <stddef.h>
#include <stdint.h>

/* Number of set bits in x: the compiler builtin under GCC/Clang (one
 * instruction where the target has one), plain C bit arithmetic elsewhere. */
static inline unsigned qc_popcount64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcountll((unsigned long long)x);
#else
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
#endif
}

/* Number of bit positions where a and b differ over `words` whole words:
 * the bipolar elements that do not match, when the padding agrees. */
static inline int32_t qc_xnor64_differ(const uint64_t *a, const uint64_t *b, size_t words)
{
    uint32_t differ = 0;
    size_t i;

    for (i = 0; i < words; ++i)
        differ += qc_popcount64(a[i] ^ b[i]);
    return (int32_t)differ;
}

/* Words needed for n bipolar elements: ceil(n / 64). */
size_t qc_xnor64_words(size_t n);

/* Packs n values into qc_xnor64_words(n) words: bit 1 for v >= 0 (+1), 0
 * for v < 0 (-1), as BipolarQuant decides the sign; padding bits are 0. */
void qc_xnor64_pack(const int32_t *values, size_t n, uint64_t *words);

/* The same for int16_t values, four at a time: the sign bits of four
 * values side by side in one word are gathered by one multiplication. */
void qc_xnor64_pack_i16(const int16_t *values, size_t n, uint64_t *words);

/* Element i of a packed vector: +1 or -1. */
int32_t qc_xnor64_get(const uint64_t *words, size_t i);

#endif
