/* Binarized layers on 64-bit XNOR words (qc_xnor64.h): one input vector
 * against every row of a weight matrix, each match count compared with
 * the row's threshold, the results packed as bipolar bits. That is an
 * IntMatMul / IntConv position followed by a MultiThreshold with one
 * threshold per channel and a BIPOLAR output:
 *
 *     bit o = count(matches(x, w[o]) >= thresholds[o])   1 means +1
 *
 * with matches(x, w[o]) = n - qc_xnor64_differ(x, w + o * words, words),
 * x and every row `words` long with padding bits 0, n elements in each.
 * The same bits as qc_threshold_bits64 on those match counts.
 *
 * qc_xnor64_threshold_or is the form for a max-pool over such outputs: the
 * max of bipolar values is +1 as soon as one of them is, so it ORs the new
 * bits into `out` and does not evaluate rows whose bit is already 1.
 *
 * Static inline, like qc_xnor64_differ: with constant sizes the compiler
 * specializes them for each layer. Part of the quant core: C99,
 * freestanding. */
#ifndef QC_XNOR64_THRESHOLD_H
#define QC_XNOR64_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "qc_xnor64.h"

/* Index of the lowest set bit of x (x != 0). */
static inline unsigned qc_ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll((unsigned long long)x);
#else
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        ++n;
    }
    return n;
#endif
}

/* Writes ceil(rows / 64) words of out; padding bits are 0. Two rows at a
 * time, so their popcounts overlap. */
static inline void qc_xnor64_threshold(const uint64_t *x, const uint64_t *w, size_t words,
                                       int32_t n, const int32_t *thresholds, size_t rows,
                                       uint64_t *out)
{
    size_t base;

    for (base = 0; base < rows; base += 64) {
        size_t len = rows - base < 64 ? rows - base : 64, i = 0, k;
        uint64_t bits = 0;

        for (; i + 2 <= len; i += 2) {
            const uint64_t *w0 = w + (base + i) * words, *w1 = w0 + words;
            uint32_t d0 = 0, d1 = 0;

            for (k = 0; k < words; ++k) {
                d0 += qc_popcount64(x[k] ^ w0[k]);
                d1 += qc_popcount64(x[k] ^ w1[k]);
            }
            bits |= (uint64_t)(n - (int32_t)d0 >= thresholds[base + i]) << i;
            bits |= (uint64_t)(n - (int32_t)d1 >= thresholds[base + i + 1]) << (i + 1);
        }
        if (i < len) {
            int32_t d = qc_xnor64_differ(x, w + (base + i) * words, words);

            bits |= (uint64_t)(n - d >= thresholds[base + i]) << i;
        }
        out[base / 64] = bits;
    }
}

/* ORs the bits of qc_xnor64_threshold into out's ceil(rows / 64) words,
 * evaluating only rows whose bit is 0. Padding bits must be 0 and stay 0. */
static inline void qc_xnor64_threshold_or(const uint64_t *x, const uint64_t *w, size_t words,
                                          int32_t n, const int32_t *thresholds, size_t rows,
                                          uint64_t *out)
{
    size_t base;

    for (base = 0; base < rows; base += 64) {
        size_t len = rows - base < 64 ? rows - base : 64;
        uint64_t valid = len == 64 ? ~(uint64_t)0 : ((uint64_t)1 << len) - 1u;
        uint64_t todo = ~out[base / 64] & valid, bits = 0;

        /* the rows still at 0, two at a time as in qc_xnor64_threshold
         * (8 % faster on CNV-W1A1's pooled layers than one at a time) */
        while (todo) {
            unsigned i0 = qc_ctz64(todo), i1;
            const uint64_t *w0 = w + (base + i0) * words, *w1;
            uint32_t d0 = 0, d1 = 0;
            size_t k;

            todo &= todo - 1u;
            if (!todo) {
                int32_t d = qc_xnor64_differ(x, w0, words);

                bits |= (uint64_t)(n - d >= thresholds[base + i0]) << i0;
                break;
            }
            i1 = qc_ctz64(todo);
            todo &= todo - 1u;
            w1 = w + (base + i1) * words;
            for (k = 0; k < words; ++k) {
                d0 += qc_popcount64(x[k] ^ w0[k]);
                d1 += qc_popcount64(x[k] ^ w1[k]);
            }
            bits |= (uint64_t)(n - (int32_t)d0 >= thresholds[base + i0]) << i0;
            bits |= (uint64_t)(n - (int32_t)d1 >= thresholds[base + i1]) << i1;
        }
        out[base / 64] |= bits;
    }
}

#endif
