/* Population count: the number of 1 bits in a word. The XNOR dot product
 * (qc_xnor.h) is one popcount per 32 elements. */
#ifndef QC_POPCOUNT_H
#define QC_POPCOUNT_H

#include <stdint.h>

/* Number of set bits in x. Uses the compiler builtin under GCC/Clang (one
 * instruction where the target has one), qc_popcount32_portable elsewhere. */
unsigned qc_popcount32(uint32_t x);

/* The same, with plain C bit arithmetic (any C99 compiler). Public so the
 * tests check it against the builtin. */
unsigned qc_popcount32_portable(uint32_t x);

#endif
