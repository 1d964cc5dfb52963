/* One threshold per channel, bipolar result packed as bits: the activation
 * of a binarized layer (a MultiThreshold with one threshold per channel,
 * out_scale 2 and out_bias -1), written straight into the 64-bit words that
 * the next XNOR layer reads (qc_xnor64.h):
 *
 *     bit c = count(x[c] >= thresholds[c])    1 means +1, 0 means -1
 *
 * The same count as qc_threshold_count(x[c], &thresholds[c], 1). Part of
 * the quant core: C99, freestanding. */
#ifndef QC_THRESHOLD_BITS_H
#define QC_THRESHOLD_BITS_H

#include <stddef.h>
#include <stdint.h>

/* Writes qc_xnor64_words(n) = ceil(n / 64) words; padding bits are 0. */
void qc_threshold_bits64(const int32_t *x, const int32_t *thresholds, size_t n, uint64_t *words);

#endif
