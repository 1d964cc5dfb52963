// Testbench of rtl/qnn_mvau.v: random weights, thresholds and input
// vectors (fixed seed), expected outputs from the quant core (qc_dot_i32
// or qc_xnor_popcount, then qc_threshold_count, packed with qc_pack), run
// at full speed and with idle cycles and back-pressure. At full speed it
// also measures the cycles: vector v's last beat must leave NF*SF cycles
// after vector v-1's, so V vectors take MH/PE * MW/SIMD * V cycles plus
// the pipeline latency.
//
// Parameters: -DP_<name> with the values of the module's -G parameters
// (the test tests/e2e/test_rtl_modules.c passes both), plus P_VECTORS.
#include <algorithm>
#include <cstdio>

#include "Vqnn_mvau.h"
#include "axis_driver.h"

extern "C" {
#include "qc_dot.h"
#include "qc_pack.h"
#include "qc_threshold.h"
#include "qc_xnor.h"
}

// from -DP_<name> (see above)
static const int MW = P_MW, MH = P_MH, SIMD = P_SIMD, PE = P_PE, BINARY = P_BINARY,
    IN_BITS = P_IN_BITS, IN_SIGNED = P_IN_SIGNED, IN_BIPOLAR = P_IN_BIPOLAR, W_BITS = P_W_BITS,
    W_SIGNED = P_W_SIGNED, W_BIPOLAR = P_W_BIPOLAR, ACC_BITS = P_ACC_BITS,
    ACC_SIGNED = P_ACC_SIGNED, N_THRESHOLDS = P_N_THRESHOLDS, T_BITS = P_T_BITS,
    OUT_BITS = P_OUT_BITS, OUT_SCALE = P_OUT_SCALE, OUT_BIAS = P_OUT_BIAS,
    OUT_BIPOLAR = P_OUT_BIPOLAR, VECTORS = P_VECTORS;

static qc_dtype elem_dtype(int bits, int is_signed, int bipolar)
{
    return bipolar ? qc_dtype_bipolar() : is_signed ? qc_dtype_int(bits) : qc_dtype_uint(bits);
}

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_mvau");
    const int NF = MH / PE, SF = MW / SIMD;
    const qc_dtype xdt = elem_dtype(IN_BITS, IN_SIGNED, IN_BIPOLAR);
    const qc_dtype wdt = elem_dtype(W_BITS, W_SIGNED, W_BIPOLAR);
    const qc_dtype tdt = qc_dtype_int(T_BITS);
    std::mt19937 rng(20240601);
    auto draw = [&](qc_dtype dt) {
        int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
        int32_t v = (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
        return dt.kind == QC_BIPOLAR ? (v >= 0 ? 1 : -1) : v;
    };

    std::vector<int32_t> W((size_t)MH * MW), X((size_t)VECTORS * MW);
    for (auto &w : W)
        w = draw(wdt);
    for (auto &x : X)
        x = draw(xdt);

    // accumulators: the quant core's dot product or XNOR popcount
    std::vector<int64_t> acc((size_t)VECTORS * MH);
    for (int v = 0; v < VECTORS; v++)
        for (int h = 0; h < MH; h++) {
            const int32_t *xv = &X[(size_t)v * MW], *wh = &W[(size_t)h * MW];
            if (BINARY) {
                std::vector<uint32_t> xb(qc_xnor_words(MW)), wb(qc_xnor_words(MW));
                qc_xnor_pack(xv, MW, xb.data());
                qc_xnor_pack(wh, MW, wb.data());
                acc[(size_t)v * MH + h] = qc_xnor_popcount(xb.data(), wb.data(), MW);
            } else {
                acc[(size_t)v * MH + h] = qc_dot_i32(xv, wh, MW);
            }
        }

    // a configuration whose ACC_BITS cannot hold the sums is wrong, not the RTL
    const qc_dtype adt = elem_dtype(ACC_BITS, ACC_SIGNED, 0);
    for (int64_t a : acc)
        if (a < qc_dtype_min(adt) || a > qc_dtype_max(adt)) {
            printf("FAIL qnn_mvau: accumulator %lld does not fit ACC_BITS=%d\n", (long long)a, ACC_BITS);
            return 1;
        }

    // thresholds: ascending, spread over the accumulators each row reaches
    std::vector<int32_t> T((size_t)MH * (N_THRESHOLDS > 0 ? N_THRESHOLDS : 1));
    for (int h = 0; h < MH && N_THRESHOLDS > 0; h++) {
        int64_t lo = acc[h], hi = acc[h];
        for (int v = 0; v < VECTORS; v++) {
            lo = std::min(lo, acc[(size_t)v * MH + h]);
            hi = std::max(hi, acc[(size_t)v * MH + h]);
        }
        lo = std::max(lo - 2, qc_dtype_min(tdt));
        hi = std::min(hi + 2, qc_dtype_max(tdt));
        int32_t *row = &T[(size_t)h * N_THRESHOLDS];
        for (int t = 0; t < N_THRESHOLDS; t++)
            row[t] = (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
        std::sort(row, row + N_THRESHOLDS);
    }

    // memory files in the documented layouts
    std::vector<Beat> wwords, twords;
    for (int nf = 0; nf < NF; nf++)
        for (int sf = 0; sf < SF; sf++) {
            std::vector<int32_t> block((size_t)PE * SIMD);
            for (int p = 0; p < PE; p++)
                for (int s = 0; s < SIMD; s++)
                    block[(size_t)p * SIMD + s] = W[(size_t)(nf * PE + p) * MW + sf * SIMD + s];
            Beat word(qc_packed_bytes(wdt, block.size()));
            qc_pack(wdt, block.data(), block.size(), word.data());
            wwords.push_back(word);
        }
    for (int nf = 0; nf < NF && N_THRESHOLDS > 0; nf++) {
        Beat word(qc_packed_bytes(tdt, (size_t)PE * N_THRESHOLDS));
        qc_pack(tdt, &T[(size_t)nf * PE * N_THRESHOLDS], (size_t)PE * N_THRESHOLDS, word.data());
        twords.push_back(word);
    }
    if (!write_memh("weights.hex", wwords, PE * SIMD * W_BITS) ||
        (N_THRESHOLDS > 0 && !write_memh("thresholds.hex", twords, PE * N_THRESHOLDS * T_BITS))) {
        printf("FAIL qnn_mvau: cannot write the memory files\n");
        return 1;
    }

    // input beats and expected output beats
    std::vector<Beat> in, want;
    for (int v = 0; v < VECTORS; v++)
        for (int sf = 0; sf < SF; sf++) {
            Beat b(qc_packed_bytes(xdt, SIMD));
            qc_pack(xdt, &X[(size_t)v * MW + sf * SIMD], SIMD, b.data());
            in.push_back(b);
        }
    const qc_dtype odt = N_THRESHOLDS == 0 ? adt
                         : OUT_BIPOLAR     ? qc_dtype_bipolar()
                                           : qc_dtype_int(OUT_BITS);
    for (int v = 0; v < VECTORS; v++)
        for (int nf = 0; nf < NF; nf++) {
            std::vector<int32_t> vals(PE);
            for (int p = 0; p < PE; p++) {
                int h = nf * PE + p;
                int64_t a = acc[(size_t)v * MH + h];
                if (N_THRESHOLDS == 0) {
                    vals[p] = (int32_t)a;
                } else {
                    int32_t count = qc_threshold_count((int32_t)a, &T[(size_t)h * N_THRESHOLDS],
                                                       N_THRESHOLDS);
                    vals[p] = OUT_BIAS + OUT_SCALE * count;
                }
            }
            Beat b(qc_packed_bytes(odt, PE));
            qc_pack(odt, vals.data(), PE, b.data());
            want.push_back(b);
        }

    bool ok = true;
    const int64_t estimate = (int64_t)NF * SF * VECTORS;
    int64_t cycles = -1, latency = -1;
    for (const AxisOptions &opt : axis_option_sets(7)) {
        Vqnn_mvau top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), PE * OUT_BITS, opt);
        const char *what = opt.stall > 0 ? "qnn_mvau (idle cycles, back-pressure)" : "qnn_mvau";
        ok = axis_check(what, r, want) && ok;
        if (opt.stall == 0 && opt.idle == 0 && r.out.size() == want.size()) {
            // steady state: from the first vector's last beat to the last one's
            int64_t first_done = r.out_cycle[(size_t)NF - 1];
            cycles = r.last_out - first_done + (int64_t)NF * SF;
            latency = r.last_out - r.first_in + 1 - cycles;
            for (int v = 1; v < VECTORS; v++) {
                int64_t gap = r.out_cycle[(size_t)(v + 1) * NF - 1] - r.out_cycle[(size_t)v * NF - 1];
                if (gap != (int64_t)NF * SF) {
                    printf("FAIL qnn_mvau: vector %d took %lld cycles, expected %d\n", v,
                           (long long)gap, NF * SF);
                    ok = false;
                    break;
                }
            }
        }
    }
    printf("%s qnn_mvau vectors=%d cycles=%lld estimate=%lld latency=%lld\n", ok ? "PASS" : "FAIL",
           VECTORS, (long long)cycles, (long long)estimate, (long long)latency);
    return ok ? 0 : 1;
}
