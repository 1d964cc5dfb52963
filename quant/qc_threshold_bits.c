/* Single-threshold activations packed as bipolar bits; see qc_threshold_bits.h. */
#include "qc_threshold_bits.h"

void qc_threshold_bits64(const int32_t *x, const int32_t *thresholds, size_t n, uint64_t *words)
{
    size_t base;

    for (base = 0; base < n; base += 64) {
        size_t len = n - base < 64 ? n - base : 64, i;
        uint64_t w = 0;

        for (i = 0; i < len; ++i)
            w |= (uint64_t)(x[base + i] >= thresholds[base + i]) << i;
        words[base / 64] = w;
    }
}
