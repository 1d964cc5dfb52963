/* The `npu` target's analysis: which layers an NPU with TI-style integer
 * arithmetic can run exactly, and with which requantization parameters.
 *
 * The NPU requantizes each output channel's accumulator with the BNORM
 * sequence of the quant core (qc_bnorm_requant.h):
 *
 *     out = clip(floor((acc + bias) * scale / 2^shift), out_dt)
 *
 * bias: a signed integer of 16 bits (2/4-bit weights) or 24 bits (8-bit
 * weights); scale: 1..255 (8-bit unsigned; 8-bit weights: a power of 2
 * only); shift: 0..31. Bias, scale and shift are per output channel.
 * A scale of -1 (the other pure shift) makes the response decreasing; the
 * streamliner always hands over increasing MultiThresholds (it negates the
 * weights otherwise), so -1 never reproduces one and is not searched.
 *
 * A layer is exact when, for every accumulator value the layer can reach
 * (acc in [lo, hi]), the BNORM output equals its MultiThreshold's
 *
 *     r(acc) = out_bias + count(acc >= t[l])      (out_scale 1)
 *
 * Both are nondecreasing and integer-valued, so they are equal on [lo, hi]
 * exactly when, for every output level v in (out_min, out_max], the first
 * accumulator reaching v is the same, clamped to [lo, hi + 1]. For BNORM
 * that point is ceil(v * 2^shift / scale) - bias; so each level either pins
 * the bias to one value (its threshold lies inside the range) or bounds it
 * from one side (always reached / never reached). For a given shift and
 * scale the feasible biases are an interval: npu_bnorm_search walks every
 * (shift, scale) pair and either returns the first with a non-empty
 * interval inside the bias width, or proves that none exists. */
#ifndef QONNXC_NPU_BNORM_H
#define QONNXC_NPU_BNORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qc_dtype.h"

typedef struct NpuBnorm {
    int32_t bias;
    int32_t scale;   /* 1..255 */
    unsigned shift;  /* 0..31 */
} NpuBnorm;

/* One channel. t: `levels` thresholds, ascending; out_bias: the
 * MultiThreshold's (out_scale must be 1); [out_min, out_max]: the output
 * datatype's range; [lo, hi]: the reachable accumulators; bias_bits: 16
 * or 24; pow2_scale: only scales 1, 2, 4, ..., 128. Returns true with *res
 * filled, or false with `why` saying why no parameters exist. */
bool npu_bnorm_search(const int32_t *t, int levels, int64_t out_bias, int64_t out_min,
                      int64_t out_max, int64_t lo, int64_t hi, unsigned bias_bits,
                      bool pow2_scale, NpuBnorm *res, char *why, size_t why_size);

/* What kind of layer the NPU is asked to run. */
typedef enum {
    NPU_LAYER_DOT,         /* IntMatMul / IntConv (dense, grouped or depthwise) */
    NPU_LAYER_ADD,         /* IntAdd: a residual add on its own */
    NPU_LAYER_AVGPOOL,     /* an average pool: an integer sum, then a Trunc's shift */
    NPU_LAYER_OTHER,       /* anything else (thresholds alone, max-pool, layout) */
} NpuLayerOp;

/* The layer as the NPU sees it; filled by the emitter from the plan. */
typedef struct NpuLayerDesc {
    NpuLayerOp op;
    bool has_threshold;    /* a MultiThreshold follows the accumulator */
    int64_t out_scale;     /* the MultiThreshold's */
    qc_dtype wdt, in_dt, out_dt;
    int64_t in_c, out_c;   /* convolution: channels; matrix product: K and N */
    bool first;            /* reads the input quantizer's output */
    int groups;
    int64_t group_out;     /* output channels per group */
    int64_t kernel_w;      /* convolution: the kernel's width (0 for a matrix product) */
    /* NPU_LAYER_AVGPOOL */
    bool global_pool;      /* the window is the whole image */
    int64_t pool_area;     /* positions summed */
    const char *rounding;  /* the Trunc's rounding mode, capitals ("FLOOR", "ROUND", ...) */
} NpuLayerDesc;

/* The first constraint of the NPU the layer breaks, as a sentence for the
 * report (into why, returned), or NULL when it meets them all. */
const char *npu_layer_check(const NpuLayerDesc *l, char *why, size_t why_size);

/* Bits of the bias register for weights of `wbits` bits: 24 for 8, else 16. */
unsigned npu_bias_bits(unsigned wbits);

#endif
