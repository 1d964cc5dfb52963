/* Popcount: builtin where available, a portable SWAR fallback otherwise. */
#include "qc_popcount.h"

unsigned qc_popcount32_portable(uint32_t x)
{
    /* Sum bits in parallel: pairs, then nibbles, then bytes; the multiply
     * adds the four byte counts into the top byte. */
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (unsigned)((uint32_t)(x * 0x01010101u) >> 24);
}

unsigned qc_popcount32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    /* popcountl: unsigned long is at least 32 bits on every target, while
     * unsigned int may be 16. */
    return (unsigned)__builtin_popcountl((unsigned long)x);
#else
    return qc_popcount32_portable(x);
#endif
}
