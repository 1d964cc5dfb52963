/* One weight times a row of activations, added to a row of accumulators:
 *
 *     acc[i] += w * x[i]    for i < n, in int16_t
 *
 * the inner step of a direct convolution that walks a row of output pixels
 * at a time (for each output channel and kernel tap), which vectorizes
 * where a dot product of a few taps per output does not. int16_t keeps
 * twice as many lanes as int32_t; it is exact only if no partial sum leaves
 * int16_t, the caller's check, made once per layer:
 *
 *     qc_dtype_acc_bits(activation_dt, weight_dt, taps) <= 16
 *
 * (e.g. 27 taps of INT8 x BIPOLAR: 13 bits). The arithmetic is done in int
 * and the sum stored back, so no overflow happens even inside the loop.
 * Static inline: with a constant n the compiler specializes it. Part of
 * the quant core: C99, freestanding. */
#ifndef QC_AXPY_H
#define QC_AXPY_H

#include <stddef.h>
#include <stdint.h>

static inline void qc_axpy_i16(int16_t *acc, int16_t w, const int16_t *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; ++i)
        acc[i] = (int16_t)(acc[i] + w * x[i]);
}

/* The same for n <= 16. GCC at -O3 unrolls a loop of up to 16 iterations
 * completely before it vectorizes, and then vectorizes the caller's loop
 * over the taps instead, with shuffles: ResNet-20's 16-channel layers ran at
 * half speed (docs/ref.md, "Kernel choice"). Kept a loop, it is one vector
 * operation. Longer rows want the unrolling: without the pragma. */
#if defined(__GNUC__) && !defined(__clang__)
#define QC_AXPY_KEEP_LOOP _Pragma("GCC unroll 1")
#else
#define QC_AXPY_KEEP_LOOP
#endif

static inline void qc_axpy_i16_short(int16_t *acc, int16_t w, const int16_t *x, size_t n)
{
    size_t i;

    QC_AXPY_KEEP_LOOP
    for (i = 0; i < n; ++i)
        acc[i] = (int16_t)(acc[i] + w * x[i]);
}

#endif
