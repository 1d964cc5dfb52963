/* Multi-threshold activation, the integer form of every quantized
 * activation after streamlining:
 *
 *     out = out_bias + count(x >= t)   over the channel's thresholds t
 *
 * With thresholds {-2, 0, 3}: x = -5 -> 0, x = 0 -> 2 (a tie x == t counts),
 * x = 7 -> 3. The thresholds are integers because x is: x >= t is the same
 * test as x >= ceil(t), so the streamline pass rounds float thresholds up.
 * These functions return the count; callers add out_bias (and apply
 * out_scale, if the layer has one other than 1). */
#ifndef QC_THRESHOLD_H
#define QC_THRESHOLD_H

#include <stdint.h>

/* Number of thresholds[i] (i < n) with x >= thresholds[i], 0..n.
 * thresholds must be sorted ascending (repeats allowed). Picks the linear
 * scan for n <= 4 and the binary search above. */
int32_t qc_threshold_count(int32_t x, const int32_t *thresholds, int n);

/* Compares x with every threshold; n steps, no branches on the data, and
 * correct even for unsorted thresholds. */
int32_t qc_threshold_count_linear(int32_t x, const int32_t *thresholds, int n);

/* Binary search for the first threshold above x; about log2(n) steps.
 * Needs thresholds sorted ascending. */
int32_t qc_threshold_count_bsearch(int32_t x, const int32_t *thresholds, int n);

#endif
