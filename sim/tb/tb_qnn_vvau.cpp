// Testbench of rtl/qnn_vvau.v: random windows and depthwise weights
// (fixed seed); expected accumulators acc[v][c] = qc_dot_i32 of channel
// c's window taps with its weight row, then (N_THRESHOLDS > 0) OUT_BIAS +
// OUT_SCALE * qc_threshold_count, packed with qc_pack. Input beats and
// weight words in the documented order (CHANNELS_INNER: [kb][cf] or
// [cf][kb], element s*PE + p). Full speed (one beat per cycle, latency 3
// or 6), then idle cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus WINDOWS.
#include <cstdio>

#include "Vqnn_vvau.h"
#include "axis_driver.h"
#include "tb_thresholds.h"

extern "C" {
#include "qc_dot.h"
#include "qc_pack.h"
#include "qc_threshold.h"
}

static const int CHANNELS = P_CHANNELS, PE = P_PE, TAPS = P_TAPS, SIMD = P_SIMD,
    CHANNELS_INNER = P_CHANNELS_INNER, IN_BITS = P_IN_BITS, IN_SIGNED = P_IN_SIGNED,
    W_BITS = P_W_BITS, W_SIGNED = P_W_SIGNED, ACC_BITS = P_ACC_BITS, N_THRESHOLDS = P_N_THRESHOLDS,
    T_BITS = P_T_BITS, OUT_BITS = P_OUT_BITS, OUT_SCALE = P_OUT_SCALE, OUT_BIAS = P_OUT_BIAS,
    OUT_BIPOLAR = P_OUT_BIPOLAR, WINDOWS = P_WINDOWS;

static qc_dtype int_dtype(int bits, int is_signed)
{
    return is_signed ? qc_dtype_int(bits) : qc_dtype_uint(bits);
}

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_vvau");
    const int CF = CHANNELS / PE, KB = TAPS / SIMD;
    const qc_dtype xdt = int_dtype(IN_BITS, IN_SIGNED), wdt = int_dtype(W_BITS, W_SIGNED);
    const qc_dtype adt = qc_dtype_int(ACC_BITS), tdt = qc_dtype_int(T_BITS);
    std::mt19937 rng(20261210);
    auto draw = [&](qc_dtype dt) {
        int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
        return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    };

    // X[v][k][c] (a window as qnn_swg sends it), W[c][k] (the depthwise weights)
    std::vector<int32_t> X((size_t)WINDOWS * TAPS * CHANNELS), W((size_t)CHANNELS * TAPS);
    for (auto &x : X)
        x = draw(xdt);
    for (auto &w : W)
        w = draw(wdt);
    std::vector<int64_t> acc((size_t)WINDOWS * CHANNELS);
    for (int v = 0; v < WINDOWS; v++)
        for (int c = 0; c < CHANNELS; c++) {
            std::vector<int32_t> xc(TAPS);
            for (int k = 0; k < TAPS; k++)
                xc[k] = X[((size_t)v * TAPS + k) * CHANNELS + c];
            int64_t a = qc_dot_i32(xc.data(), &W[(size_t)c * TAPS], TAPS);
            if (a < qc_dtype_min(adt) || a > qc_dtype_max(adt)) {
                printf("FAIL qnn_vvau: accumulator %lld does not fit ACC_BITS=%d\n", (long long)a, ACC_BITS);
                return 1;
            }
            acc[(size_t)v * CHANNELS + c] = a;
        }

    // the beats (cf, kb) of a window in the stream order
    std::vector<std::pair<int, int>> order;
    for (int i = 0; i < CF * KB; i++)
        order.push_back(CHANNELS_INNER ? std::make_pair(i % CF, i / CF) : std::make_pair(i / KB, i % KB));
    auto beat_of = [&](int cf, int kb, auto value) {
        std::vector<int32_t> e((size_t)PE * SIMD);
        for (int s = 0; s < SIMD; s++)
            for (int p = 0; p < PE; p++)
                e[(size_t)s * PE + p] = value(kb * SIMD + s, cf * PE + p);
        return e;
    };

    std::vector<Beat> wwords;
    for (auto [cf, kb] : order) {
        std::vector<int32_t> e = beat_of(cf, kb, [&](int k, int c) { return W[(size_t)c * TAPS + k]; });
        Beat word(qc_packed_bytes(wdt, e.size()));
        qc_pack(wdt, e.data(), e.size(), word.data());
        wwords.push_back(word);
    }
    std::vector<int32_t> T;
    if (N_THRESHOLDS > 0)
        T = tb_threshold_rows(rng, acc, CHANNELS, N_THRESHOLDS, tdt, 2);
    if (!write_memh("weights.hex", wwords, PE * SIMD * W_BITS) ||
        (N_THRESHOLDS > 0 && !tb_write_thresholds("thresholds.hex", T, CHANNELS, PE, N_THRESHOLDS, tdt))) {
        printf("FAIL qnn_vvau: cannot write the memory files\n");
        return 1;
    }

    std::vector<Beat> in, want;
    for (int v = 0; v < WINDOWS; v++)
        for (auto [cf, kb] : order) {
            std::vector<int32_t> e = beat_of(cf, kb, [&](int k, int c) {
                return X[((size_t)v * TAPS + k) * CHANNELS + c];
            });
            Beat b(qc_packed_bytes(xdt, e.size()));
            qc_pack(xdt, e.data(), e.size(), b.data());
            in.push_back(b);
        }
    const qc_dtype odt = N_THRESHOLDS == 0 ? adt : OUT_BIPOLAR ? qc_dtype_bipolar() : qc_dtype_int(OUT_BITS);
    for (int v = 0; v < WINDOWS; v++)
        for (int cf = 0; cf < CF; cf++) {
            std::vector<int32_t> y(PE);
            for (int p = 0; p < PE; p++) {
                int c = cf * PE + p;
                int64_t a = acc[(size_t)v * CHANNELS + c];
                y[p] = N_THRESHOLDS == 0 ? (int32_t)a
                                         : OUT_BIAS + OUT_SCALE * qc_threshold_count(
                                               (int32_t)a, &T[(size_t)c * N_THRESHOLDS], N_THRESHOLDS);
            }
            Beat b(qc_packed_bytes(odt, PE));
            qc_pack(odt, y.data(), PE, b.data());
            want.push_back(b);
        }

    bool ok = true;
    int64_t cycles = -1, latency = -1;
    for (const AxisOptions &opt : axis_option_sets(17)) {
        Vqnn_vvau top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), PE * OUT_BITS, opt);
        const char *what = opt.stall > 0 ? "qnn_vvau (idle cycles, back-pressure)" : "qnn_vvau";
        ok = axis_check(what, r, want) && ok;
        if (opt.stall == 0 && opt.idle == 0) {
            cycles = r.last_in - r.first_in + 1;
            latency = r.last_out - r.last_in;
        }
    }
    printf("%s qnn_vvau windows=%d cycles=%lld estimate=%lld latency=%lld\n", ok ? "PASS" : "FAIL",
           WINDOWS, (long long)cycles, (long long)WINDOWS * CF * KB, (long long)latency);
    return ok ? 0 : 1;
}
