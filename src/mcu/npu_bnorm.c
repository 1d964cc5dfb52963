/* The NPU's BNORM parameter search and layer constraints; see npu_bnorm.h. */
#include "npu_bnorm.h"

#include <stdio.h>
#include <string.h>

#include "qc_dtype_name.h"

/* ceil(a / b) for b > 0, any sign of a. */
static int64_t ceil_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a > 0) ? q + 1 : q;
}

/* The first accumulator in [lo, hi + 1] where r(acc) >= v. */
static int64_t required_point(const int32_t *t, int levels, int64_t out_bias, int64_t lo,
                              int64_t hi, int64_t v)
{
    if (out_bias >= v)
        return lo;
    int64_t l = v - out_bias; /* thresholds to reach */
    if (l > levels)
        return hi + 1;
    int64_t p = t[l - 1];
    return p < lo ? lo : p > hi + 1 ? hi + 1 : p;
}

/* The feasible bias interval [blo, bhi] for one (shift, scale); empty when
 * blo > bhi. */
static void bias_interval(const int32_t *t, int levels, int64_t out_bias, int64_t out_min,
                          int64_t out_max, int64_t lo, int64_t hi, unsigned shift, int64_t scale,
                          int64_t *blo, int64_t *bhi)
{
    *blo = INT64_MIN;
    *bhi = INT64_MAX;
    for (int64_t v = out_min + 1; v <= out_max && *blo <= *bhi; v++) {
        int64_t c = ceil_div(v * ((int64_t)1 << shift), scale);
        int64_t req = required_point(t, levels, out_bias, lo, hi, v);
        if (req <= lo) {            /* reached from the start: c - b <= lo */
            if (c - lo > *blo)
                *blo = c - lo;
        } else if (req > hi) {      /* never reached: c - b >= hi + 1 */
            if (c - hi - 1 < *bhi)
                *bhi = c - hi - 1;
        } else {                    /* reached exactly at req */
            if (c - req > *blo)
                *blo = c - req;
            if (c - req < *bhi)
                *bhi = c - req;
        }
    }
}

bool npu_bnorm_search(const int32_t *t, int levels, int64_t out_bias, int64_t out_min,
                      int64_t out_max, int64_t lo, int64_t hi, unsigned bias_bits,
                      bool pow2_scale, NpuBnorm *res, char *why, size_t why_size)
{
    int64_t bmin = -((int64_t)1 << (bias_bits - 1)), bmax = ((int64_t)1 << (bias_bits - 1)) - 1;
    if (out_max - out_min > 65536 || lo > hi) {
        snprintf(why, why_size, "output range [%lld, %lld] or accumulator range [%lld, %lld] "
                 "not searchable", (long long)out_min, (long long)out_max, (long long)lo,
                 (long long)hi);
        return false;
    }
    /* r must stay inside the output type, or no clip reproduces it */
    int64_t r_lo = out_bias, r_hi = out_bias;
    for (int l = 0; l < levels; l++) {
        if (t[l] <= lo)
            r_lo++;
        if (t[l] <= hi)
            r_hi++;
    }
    if (r_lo < out_min || r_hi > out_max) {
        snprintf(why, why_size, "the MultiThreshold's outputs [%lld, %lld] leave the output type "
                 "[%lld, %lld]", (long long)r_lo, (long long)r_hi, (long long)out_min,
                 (long long)out_max);
        return false;
    }
    int64_t near_bias = 0; /* a feasible bias outside the width, for the message */
    bool near = false;
    for (unsigned shift = 0; shift <= 31; shift++)
        for (int64_t scale = 1; scale <= 255; scale = pow2_scale ? scale * 2 : scale + 1) {
            int64_t blo, bhi;
            bias_interval(t, levels, out_bias, out_min, out_max, lo, hi, shift, scale, &blo, &bhi);
            if (blo > bhi)
                continue;
            int64_t a = blo > bmin ? blo : bmin, b = bhi < bmax ? bhi : bmax;
            if (a > b) {
                if (!near) {
                    near = true;
                    near_bias = blo > bmax ? blo : bhi;
                }
                continue;
            }
            /* the feasible bias nearest 0 */
            int64_t bias = a > 0 ? a : b < 0 ? b : 0;
            res->bias = (int32_t)bias;
            res->scale = (int32_t)scale;
            res->shift = shift;
            return true;
        }
    if (near)
        snprintf(why, why_size, "exact only with a bias of %lld, outside %u bits",
                 (long long)near_bias, bias_bits);
    else
        snprintf(why, why_size, "no exact BNORM: for every shift 0..31 and scale %s the "
                 "feasible bias interval is empty (the thresholds are not spaced as "
                 "floor((acc + bias) * scale / 2^shift) steps)",
                 pow2_scale ? "1, 2, 4, .., 128" : "1..255");
    return false;
}

unsigned npu_bias_bits(unsigned wbits)
{
    return wbits == 8 ? 24 : 16;
}

/* An average pool (TI: AVGPOOL, global only, H x W > 2). Its arithmetic
 * is exact for a FLOOR Trunc (the sum's shift is the BNORM sequence with
 * bias 0, scale 1) from and to 8-bit activations; otherwise the reason says
 * what the NPU lacks. */
static const char *avgpool_check(const NpuLayerDesc *l, char *why, size_t why_size)
{
    char dn[16];
    if (!l->global_pool)
        snprintf(why, why_size, "average pool over a window: the NPU's AVGPOOL is global only");
    else if (l->pool_area <= 2)
        snprintf(why, why_size, "global average pool of %lld positions: the NPU's AVGPOOL needs "
                 "more than 2", (long long)l->pool_area);
    else if (l->in_dt.bits != 8 || l->in_dt.kind == QC_BIPOLAR)
        snprintf(why, why_size, "average pool of %s activations: the NPU takes 8-bit activations",
                 qc_dtype_name(l->in_dt, dn));
    else if (l->out_dt.bits != 8 || l->out_dt.kind == QC_BIPOLAR)
        snprintf(why, why_size, "average pool to %s activations: the NPU writes 8-bit "
                 "activations", qc_dtype_name(l->out_dt, dn));
    else if (!l->rounding || strcmp(l->rounding, "FLOOR"))
        snprintf(why, why_size, "average pool whose Trunc rounds %s: the NPU's requantization "
                 "floors (floor((sum + bias) * scale / 2^shift)), exact only for FLOOR",
                 l->rounding ? l->rounding : "(unknown)");
    else
        return NULL;
    return why;
}

const char *npu_layer_check(const NpuLayerDesc *l, char *why, size_t why_size)
{
    char dn[16];
    if (l->op == NPU_LAYER_ADD) {
        snprintf(why, why_size, "a residual add on its own: the NPU adds a residual only inside a "
                 "pointwise convolution's requantization (PWCONVRES: the BNORM output clipped to "
                 "[-512, 511], plus the residual, clipped)");
        return why;
    }
    if (l->op == NPU_LAYER_AVGPOOL)
        return avgpool_check(l, why, why_size);
    if (l->op != NPU_LAYER_DOT) {
        snprintf(why, why_size, "not a matrix product or convolution");
        return why;
    }
    if (!l->has_threshold) {
        snprintf(why, why_size, "no activation after the accumulator (it goes to the output "
                 "affine): the NPU writes 8-bit activations");
        return why;
    }
    bool depthwise = l->groups > 1 && l->groups == l->in_c;
    if (l->groups > 1 && !depthwise) {
        snprintf(why, why_size, "grouped convolution (%d groups of %lld channels): the NPU runs "
                 "dense and depthwise (group = channels) convolutions only", l->groups,
                 (long long)(l->in_c / l->groups));
        return why;
    }
    if (depthwise && l->group_out != 1) {
        snprintf(why, why_size, "depthwise convolution with %lld outputs per channel: the NPU's "
                 "DWCONV writes one", (long long)l->group_out);
        return why;
    }
    if (depthwise && l->kernel_w > 7) {
        snprintf(why, why_size, "depthwise kernel %lld wide: the NPU's DWCONV takes at most 7",
                 (long long)l->kernel_w);
        return why;
    }
    unsigned wb = l->wdt.bits;
    if (l->wdt.kind == QC_BIPOLAR || l->wdt.kind == QC_BINARY || (wb != 2 && wb != 4 && wb != 8)) {
        snprintf(why, why_size, "%s weights (%u bit%s): the NPU takes 2, 4 or 8-bit weights",
                 qc_dtype_name(l->wdt, dn), wb, wb == 1 ? "" : "s");
        return why;
    }
    if (l->in_dt.bits != 8 || l->in_dt.kind == QC_BIPOLAR) {
        snprintf(why, why_size, "%s input activations (%u bit%s): the NPU takes 8-bit activations",
                 qc_dtype_name(l->in_dt, dn), l->in_dt.bits, l->in_dt.bits == 1 ? "" : "s");
        return why;
    }
    if (l->out_dt.bits != 8 || l->out_dt.kind == QC_BIPOLAR) {
        snprintf(why, why_size, "%s output activations (%u bit%s): the NPU writes 8-bit "
                 "activations", qc_dtype_name(l->out_dt, dn), l->out_dt.bits,
                 l->out_dt.bits == 1 ? "" : "s");
        return why;
    }
    if (l->first && l->in_c != 1) {
        snprintf(why, why_size, "first layer with %lld input channels: the NPU's first layer "
                 "takes exactly 1", (long long)l->in_c);
        return why;
    }
    if (!l->first && l->in_c % 4 != 0) {
        snprintf(why, why_size, "%lld input channels, not a multiple of 4", (long long)l->in_c);
        return why;
    }
    if (l->out_c % 4 != 0) {
        snprintf(why, why_size, "%lld output channels, not a multiple of 4", (long long)l->out_c);
        return why;
    }
    if (l->out_scale != 1) {
        snprintf(why, why_size, "MultiThreshold out_scale %lld: BNORM output steps by 1",
                 (long long)l->out_scale);
        return why;
    }
    return NULL;
}
