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

/* qc_axpy_pairs_u8, AVX2's vpmaddubsw, exists where the compiler targets
 * it (-mavx2, -march=native on x86-64) and QC_NO_VECTOR is not defined; the
 * emitted layers that use it have a portable kernel beside it, chosen by
 * the preprocessor, and the tests check both against the int engine. */
#if defined(__AVX2__) && !defined(QC_NO_VECTOR)
#include <immintrin.h>
#define QC_AXPY_PAIRS_AVX2 1
#endif

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

#ifdef QC_AXPY_PAIRS_AVX2
/* Two taps at once, unsigned bytes x0, x1 times the signed weights of a
 * pair of taps interleaved by output (w[2i] for x0, w[2i + 1] for x1):
 *
 *     acc[i] += x0 * w[2i] + x1 * w[2i + 1]    for i < n, in int16_t
 *
 * Exact when no pair sum and no partial sum leaves int16_t (the caller's
 * check, as for qc_axpy_i16): then vpmaddubsw, which saturates its pair
 * sums, never saturates, and does 32 products where qc_axpy_i16's vpmullw
 * does 16. Only with AVX2: without it, the loop below runs at a third of
 * qc_axpy_i16's speed (docs/ref.md), and the layers use qc_axpy_i16. */
static inline void qc_axpy_pairs_u8(int16_t *acc, uint8_t x0, uint8_t x1, const int8_t *w,
                                    size_t n)
{
    const __m256i x = _mm256_set1_epi16((short)(x0 | x1 << 8));
    size_t vectors = n / 16, i;

    for (i = 0; i < vectors; ++i) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(acc + 16 * i));
        __m256i p = _mm256_maddubs_epi16(
            x, _mm256_loadu_si256((const __m256i *)(const void *)(w + 32 * i)));

        _mm256_storeu_si256((__m256i *)(void *)(acc + 16 * i), _mm256_add_epi16(a, p));
    }
    for (i = 16 * vectors; i < n; ++i)   /* the last n % 16 outputs */
        acc[i] = (int16_t)(acc[i] + x0 * w[2 * i] + x1 * w[2 * i + 1]);
}
#endif

#endif
