/* XNOR-popcount: the dot product of two bipolar vectors without multiplies.
 *
 * A bipolar vector of n elements is stored as ceil(n/32) uint32_t words, one
 * bit per element, 1 for +1 and 0 for -1, LSB-first: element i is bit i % 32
 * of word i / 32. For +-1 values a_i * b_i is +1 exactly when the bits agree,
 * so with m = popcount(~(a ^ b)) matching positions
 *
 *     sum a_i * b_i = m - (n - m) = 2m - n.
 *
 * Bits of the last word beyond n are padding: they are masked off, so the
 * result does not depend on what the padding holds. */
#ifndef QC_XNOR_H
#define QC_XNOR_H

#include <stddef.h>
#include <stdint.h>

/* Words needed for n bipolar elements: ceil(n / 32). */
size_t qc_xnor_words(size_t n);

/* Packs n values into qc_xnor_words(n) words: bit 1 for v >= 0 (+1), 0 for
 * v < 0 (-1), as BipolarQuant decides the sign; padding bits are 0. */
void qc_xnor_pack(const int32_t *values, size_t n, uint32_t *words);

/* Number of positions i < n where a and b hold the same bit (0..n). */
int32_t qc_xnor_popcount(const uint32_t *a, const uint32_t *b, size_t n);

/* Bipolar dot product sum(a_i * b_i) = 2 * matches - n, in [-n, n].
 * n must be below 2^30 so that 2 * matches fits int32_t. */
int32_t qc_xnor_dot(const uint32_t *a, const uint32_t *b, size_t n);

#endif
