/* Integer dot products, the inner loop of every matrix-vector unit.
 *
 * The int32_t accumulators are exact only if no partial sum leaves int32_t.
 * That is the caller's check, made once per layer, not per call:
 *
 *     qc_dtype_acc_bits(activation_dt, weight_dt, n) <= 32
 *
 * (for int8 activations and weights of up to 8 bits it holds up to n = 65793
 * even for UINT8 weights). Layers that fail the check use qc_dot_i32, whose
 * int64_t accumulator needs acc_bits <= 64. */
#ifndef QC_DOT_H
#define QC_DOT_H

#include <stddef.h>
#include <stdint.h>

#include "qc_dtype.h"

/* sum a[i] * b[i] over i < n. Static inline, like qc_axpy_i16: a layer
 * calls it with a constant n, and only a specialized copy vectorizes at
 * the emitted Makefile's -O2 (four times faster on the CNV 2-bit layers). */
static inline int32_t qc_dot_i8(const int8_t *a, const int8_t *b, size_t n)
{
    int32_t acc = 0;
    size_t i;

    for (i = 0; i < n; ++i)
        acc += (int32_t)a[i] * b[i];
    return acc;
}

/* sum x[i] * w[i], where w is packed as by qc_pack(wdt, ...): any valid
 * dtype (INTn, UINTn, BIPOLAR, BINARY, TERNARY). Widths 1, 2, 4 and 8 take a
 * byte-at-a-time fast path; 3, 5, 6, 7 (codes crossing bytes) a generic one. */
int32_t qc_dot_i8_packed(const int8_t *x, qc_dtype wdt, const uint8_t *wpacked, size_t n);

/* sum of +x[i] where weight bit i is 1 and -x[i] where it is 0: integer
 * activations times bipolar weights, packed 1 bit each as by
 * qc_pack(qc_dtype_bipolar(), ...). Same result as qc_dot_i8_packed with a
 * BIPOLAR dtype. */
int32_t qc_dot_i8_bipolar(const int8_t *x, const uint8_t *wbits, size_t n);

/* sum a[i] * b[i] with an int64_t accumulator, for wide activations (the
 * reference executor keeps tensors as int32_t) or layers whose acc_bits
 * exceed 32. */
int64_t qc_dot_i32(const int32_t *a, const int32_t *b, size_t n);

#endif
