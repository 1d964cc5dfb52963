// Testbench of rtl/qnn_pool.v: random images (fixed seed) pooled as the
// integer graph's IntSumPool: windows of K_H x K_W taps at the strides,
// padded taps adding 0; the window stream the module reads is built here
// as qnn_swg emits it ([kh][kw][cf] beats per output pixel, zeros for
// padding), or for a global pool (K = the image, no padding) the image
// itself. Expected: the exact int64 sum, then round(sum / 2^SHIFT) by the
// mode computed in double with the C library (rint, round, ceil, floor,
// trunc: exact, since sum / 2^SHIFT is a double with no rounding), not by
// the module's remainder rule, or OUT_BIAS + OUT_SCALE * qc_threshold_count.
// The data has ties (sum exactly halfway) of both signs: the run fails if
// a configuration with SHIFT > 0 exercises none.
//
// Parameters: -DP_<name> with the module's -G parameters, plus the
// image's: IFM_H, IFM_W, K_H, K_W, STRIDE_H, STRIDE_W, PAD (every side), FRAMES.
#include <cmath>
#include <cstdio>

#include "Vqnn_pool.h"
#include "axis_driver.h"
#include "tb_thresholds.h"

extern "C" {
#include "qc_pack.h"
#include "qc_threshold.h"
}

static const int CHANNELS = P_CHANNELS, PE = P_PE, IN_BITS = P_IN_BITS, IN_SIGNED = P_IN_SIGNED,
    TAPS = P_TAPS, ACC_BITS = P_ACC_BITS, SHIFT = P_SHIFT, ROUNDING = P_ROUNDING,
    N_THRESHOLDS = P_N_THRESHOLDS, T_BITS = P_T_BITS, OUT_BITS = P_OUT_BITS,
    OUT_SCALE = P_OUT_SCALE, OUT_BIAS = P_OUT_BIAS, OUT_BIPOLAR = P_OUT_BIPOLAR,
    IFM_H = P_IFM_H, IFM_W = P_IFM_W, K_H = P_K_H, K_W = P_K_W, STRIDE_H = P_STRIDE_H,
    STRIDE_W = P_STRIDE_W, PAD = P_PAD, FRAMES = P_FRAMES;

// QonnxRounding's order (ir/ops/op_quant.h), the module's ROUNDING codes
static const char *const mode_names[] = { "HALF_EVEN", "HALF_UP", "HALF_DOWN", "CEIL",
                                          "FLOOR", "UP", "DOWN" };

// round(sum / 2^shift) by the mode, in double: an independent model of the
// module's integer rule
static int64_t reference_round(int64_t sum, int shift, int mode)
{
    double q = std::ldexp((double)sum, -shift);   // exact: |sum| < 2^33
    double t = std::trunc(q);
    bool tie = std::fabs(q - t) == 0.5;
    switch (mode) {
    case 0: return (int64_t)std::rint(q);          // ties to even (default rounding mode)
    case 1: return (int64_t)std::round(q);         // ties away from zero
    case 2: return (int64_t)(tie ? t : std::round(q));   // ties toward zero
    case 3: return (int64_t)std::ceil(q);
    case 4: return (int64_t)std::floor(q);
    case 5: return (int64_t)(q >= 0 ? std::ceil(q) : std::floor(q));
    default: return (int64_t)t;                    // DOWN: toward zero
    }
}

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_pool");
    const int OH = (IFM_H + 2 * PAD - K_H) / STRIDE_H + 1, OW = (IFM_W + 2 * PAD - K_W) / STRIDE_W + 1;
    if (TAPS != K_H * K_W) {
        printf("FAIL qnn_pool: TAPS=%d is not K_H*K_W=%d\n", TAPS, K_H * K_W);
        return 1;
    }
    const qc_dtype xdt = IN_SIGNED ? qc_dtype_int(IN_BITS) : qc_dtype_uint(IN_BITS);
    const qc_dtype tdt = qc_dtype_int(T_BITS);
    std::mt19937 rng(20261209);
    auto uniform = [&](int64_t lo, int64_t hi) {
        return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    };

    // images, windows (taps in [kh][kw] order), sums
    std::vector<int32_t> img((size_t)FRAMES * IFM_H * IFM_W * CHANNELS);
    for (auto &x : img)
        x = uniform(qc_dtype_min(xdt), qc_dtype_max(xdt));
    std::vector<int32_t> taps;          // [frame][oh][ow][k][c]
    for (int f = 0; f < FRAMES; f++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int kh = 0; kh < K_H; kh++)
                    for (int kw = 0; kw < K_W; kw++)
                        for (int c = 0; c < CHANNELS; c++) {
                            int h = oh * STRIDE_H + kh - PAD, w = ow * STRIDE_W + kw - PAD;
                            bool inside = h >= 0 && h < IFM_H && w >= 0 && w < IFM_W;
                            taps.push_back(inside ? img[(((size_t)f * IFM_H + h) * IFM_W + w) * CHANNELS + c] : 0);
                        }
    const int windows = FRAMES * OH * OW;
    std::vector<int64_t> sums((size_t)windows * CHANNELS, 0);
    for (int v = 0; v < windows; v++)
        for (int k = 0; k < TAPS; k++)
            for (int c = 0; c < CHANNELS; c++)
                sums[(size_t)v * CHANNELS + c] += taps[((size_t)v * TAPS + k) * CHANNELS + c];
    const int64_t smin = IN_SIGNED ? -((int64_t)1 << (ACC_BITS - 1)) : 0;
    const int64_t smax = IN_SIGNED ? ((int64_t)1 << (ACC_BITS - 1)) - 1 : ((int64_t)1 << ACC_BITS) - 1;
    int ties_pos = 0, ties_neg = 0;
    for (int64_t s : sums) {
        if (s < smin || s > smax) {
            printf("FAIL qnn_pool: sum %lld does not fit ACC_BITS=%d\n", (long long)s, ACC_BITS);
            return 1;
        }
        if (SHIFT > 0 && (s & (((int64_t)1 << SHIFT) - 1)) == (int64_t)1 << (SHIFT - 1))
            (s < 0 ? ties_neg : ties_pos)++;
    }
    if (SHIFT > 0 && N_THRESHOLDS == 0 && (ties_pos == 0 || (IN_SIGNED && ties_neg == 0))) {
        printf("FAIL qnn_pool: the data has %d positive and %d negative ties: choose other sizes\n",
               ties_pos, ties_neg);
        return 1;
    }

    std::vector<int32_t> T;
    if (N_THRESHOLDS > 0) {
        T = tb_threshold_rows(rng, sums, CHANNELS, N_THRESHOLDS, tdt, 1);
        if (!tb_write_thresholds("thresholds.hex", T, CHANNELS, PE, N_THRESHOLDS, tdt)) {
            printf("FAIL qnn_pool: cannot write thresholds.hex\n");
            return 1;
        }
    }

    // beats: PE channels of one tap in, PE results out
    std::vector<Beat> in, want;
    for (size_t i = 0; i < taps.size(); i += (size_t)PE) {
        Beat b(qc_packed_bytes(xdt, PE));
        qc_pack(xdt, &taps[i], PE, b.data());
        in.push_back(b);
    }
    const qc_dtype odt = OUT_BIPOLAR ? qc_dtype_bipolar() : qc_dtype_int(OUT_BITS);
    for (size_t i = 0; i < sums.size(); i += (size_t)PE) {
        std::vector<int32_t> y(PE);
        for (int p = 0; p < PE; p++) {
            int c = (int)((i + (size_t)p) % (size_t)CHANNELS);
            int64_t s = sums[i + (size_t)p];
            int64_t v = N_THRESHOLDS > 0
                            ? OUT_BIAS + OUT_SCALE * qc_threshold_count((int32_t)s, &T[(size_t)c * N_THRESHOLDS],
                                                                        N_THRESHOLDS)
                            : reference_round(s, SHIFT, ROUNDING);
            // the configurations choose OUT_BITS to hold every result
            y[p] = (int32_t)v;
        }
        Beat b(qc_packed_bytes(odt, PE));
        qc_pack(odt, y.data(), PE, b.data());
        want.push_back(b);
    }

    bool ok = true;
    int64_t cycles = -1, latency = -1;
    for (const AxisOptions &opt : axis_option_sets(13)) {
        Vqnn_pool top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), PE * OUT_BITS, opt);
        const char *what = opt.stall > 0 ? "qnn_pool (idle cycles, back-pressure)" : "qnn_pool";
        ok = axis_check(what, r, want) && ok;
        if (opt.stall == 0 && opt.idle == 0) {
            cycles = r.last_in - r.first_in + 1;
            latency = r.last_out - r.last_in;
        }
    }
    printf("%s qnn_pool %s shift=%d windows=%d ties=%d/%d cycles=%lld estimate=%zu latency=%lld\n",
           ok ? "PASS" : "FAIL", N_THRESHOLDS > 0 ? "thresholds" : mode_names[ROUNDING], SHIFT,
           windows, ties_pos, ties_neg, (long long)cycles, in.size(), (long long)latency);
    return ok ? 0 : 1;
}
