// Testbench of rtl/qnn_threshold.v: random ascending thresholds (with
// repeats) and random inputs over the whole input range (fixed seed);
// expected outputs from qc_threshold_count, OUT_BIAS + OUT_SCALE * count,
// packed with qc_pack. Full speed, then idle cycles and back-pressure.
//
// Parameters: -DP_<name> with the module's -G parameters, plus VECTORS.
#include <algorithm>
#include <cstdio>

#include "Vqnn_threshold.h"
#include "axis_driver.h"

extern "C" {
#include "qc_pack.h"
#include "qc_threshold.h"
}

// from -DP_<name> (see above)
static const int CHANNELS = P_CHANNELS, PE = P_PE, IN_BITS = P_IN_BITS, IN_SIGNED = P_IN_SIGNED,
    N_THRESHOLDS = P_N_THRESHOLDS, T_BITS = P_T_BITS, OUT_BITS = P_OUT_BITS,
    OUT_SCALE = P_OUT_SCALE, OUT_BIAS = P_OUT_BIAS, OUT_BIPOLAR = P_OUT_BIPOLAR,
    VECTORS = P_VECTORS;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_threshold");
    const int CF = CHANNELS / PE;
    const qc_dtype xdt = IN_SIGNED ? qc_dtype_int(IN_BITS) : qc_dtype_uint(IN_BITS);
    const qc_dtype tdt = qc_dtype_int(T_BITS);
    const qc_dtype odt = OUT_BIPOLAR ? qc_dtype_bipolar() : qc_dtype_int(OUT_BITS);
    std::mt19937 rng(20240602);
    auto uniform = [&](int64_t lo, int64_t hi) {
        return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    };

    // thresholds a little beyond the input range on both sides
    int64_t tlo = std::max(qc_dtype_min(xdt) - 1, qc_dtype_min(tdt));
    int64_t thi = std::min(qc_dtype_max(xdt) + 1, qc_dtype_max(tdt));
    std::vector<int32_t> T((size_t)CHANNELS * N_THRESHOLDS);
    for (int c = 0; c < CHANNELS; c++) {
        int32_t *row = &T[(size_t)c * N_THRESHOLDS];
        for (int t = 0; t < N_THRESHOLDS; t++)
            row[t] = t > 0 && rng() % 8 == 0 ? row[t - 1] : uniform(tlo, thi);
        std::sort(row, row + N_THRESHOLDS);
    }
    std::vector<Beat> twords;
    for (int f = 0; f < CF; f++) {
        Beat word(qc_packed_bytes(tdt, (size_t)PE * N_THRESHOLDS));
        qc_pack(tdt, &T[(size_t)f * PE * N_THRESHOLDS], (size_t)PE * N_THRESHOLDS, word.data());
        twords.push_back(word);
    }
    if (!write_memh("thresholds.hex", twords, PE * N_THRESHOLDS * T_BITS)) {
        printf("FAIL qnn_threshold: cannot write thresholds.hex\n");
        return 1;
    }

    std::vector<Beat> in, want;
    for (int v = 0; v < VECTORS; v++)
        for (int f = 0; f < CF; f++) {
            std::vector<int32_t> x(PE), y(PE);
            for (int p = 0; p < PE; p++) {
                x[p] = uniform(qc_dtype_min(xdt), qc_dtype_max(xdt));
                int c = f * PE + p;
                y[p] = OUT_BIAS + OUT_SCALE * qc_threshold_count(x[p], &T[(size_t)c * N_THRESHOLDS],
                                                                 N_THRESHOLDS);
            }
            Beat bi(qc_packed_bytes(xdt, PE)), bo(qc_packed_bytes(odt, PE));
            qc_pack(xdt, x.data(), PE, bi.data());
            qc_pack(odt, y.data(), PE, bo.data());
            in.push_back(bi);
            want.push_back(bo);
        }

    int64_t cycles = -1;
    bool ok = axis_run_checked<Vqnn_threshold>(sim, "qnn_threshold", 11, in, want, PE * OUT_BITS, &cycles);
    printf("%s qnn_threshold beats=%zu cycles=%lld\n", ok ? "PASS" : "FAIL", in.size(),
           (long long)cycles);
    return ok ? 0 : 1;
}
