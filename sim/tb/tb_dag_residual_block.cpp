// Testbench of sim/tb/dag_residual_block.v, the residual block built from
// qnn_fork, qnn_fifo, qnn_swg, qnn_vvau and qnn_add: random images,
// depthwise weights and thresholds (fixed seed); expected
// out = x + count(depthwise3x3(x) >= T), computed here with qc_dot_i32 and
// qc_threshold_count.
//
// The skip FIFO's depth decides: docs/rtl.md's bound for this block is
// need(j) - j - 1 with need(0) = 2 image rows (qnn_swg starts the first
// output row once rows 0 and 1 are in), i.e. 2 * IFM_W * CHANNELS/PE - 1.
// At or above it the block must finish bit-exact, at full speed and with
// idle cycles and back-pressure; below it, it must deadlock (no output
// for a long time, the beats it did send correct).
//
// Parameters: -DP_<name> with the top's -G parameters, plus FRAMES.
#include <cstdio>

#include "Vdag_residual_block.h"
#include "axis_driver.h"
#include "tb_thresholds.h"

extern "C" {
#include "qc_dot.h"
#include "qc_threshold.h"
}

static const int CHANNELS = P_CHANNELS, PE = P_PE, IFM_H = P_IFM_H, IFM_W = P_IFM_W,
    BITS = P_BITS, W_BITS = P_W_BITS, ACC_BITS = P_ACC_BITS, SKIP_DEPTH = P_SKIP_DEPTH,
    FRAMES = P_FRAMES;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "dag_residual_block");
    const int CF = CHANNELS / PE, NT = (1 << BITS) - 1;
    const int bound = 2 * IFM_W * CF - 1;
    const qc_dtype xdt = qc_dtype_uint(BITS), wdt = qc_dtype_int(W_BITS);
    const qc_dtype odt = qc_dtype_uint(BITS + 1), tdt = qc_dtype_int(ACC_BITS + 1);
    std::mt19937 rng(20261211);
    auto draw = [&](qc_dtype dt) {
        int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
        return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    };

    const size_t pixels = (size_t)FRAMES * IFM_H * IFM_W;
    std::vector<int32_t> X(pixels * CHANNELS), Wt((size_t)CHANNELS * 9);
    for (auto &x : X)
        x = draw(xdt);
    for (auto &w : Wt)
        w = draw(wdt);
    std::vector<int64_t> conv(pixels * CHANNELS);
    for (int f = 0; f < FRAMES; f++)
        for (int h = 0; h < IFM_H; h++)
            for (int w = 0; w < IFM_W; w++)
                for (int c = 0; c < CHANNELS; c++) {
                    int32_t win[9];
                    for (int k = 0; k < 9; k++) {
                        int hh = h + k / 3 - 1, ww = w + k % 3 - 1;
                        bool inside = hh >= 0 && hh < IFM_H && ww >= 0 && ww < IFM_W;
                        win[k] = inside ? X[(((size_t)f * IFM_H + hh) * IFM_W + ww) * CHANNELS + c] : 0;
                    }
                    conv[(((size_t)f * IFM_H + h) * IFM_W + w) * CHANNELS + c] =
                        qc_dot_i32(win, &Wt[(size_t)c * 9], 9);
                }
    std::vector<int32_t> T = tb_threshold_rows(rng, conv, CHANNELS, NT, tdt, 1);

    // the VVAU's memory files: weights in qnn_swg's beat order [k][cf]
    std::vector<Beat> wwords;
    for (int k = 0; k < 9; k++)
        for (int cf = 0; cf < CF; cf++) {
            std::vector<int32_t> e(PE);
            for (int p = 0; p < PE; p++)
                e[p] = Wt[(size_t)(cf * PE + p) * 9 + k];
            Beat word(qc_packed_bytes(wdt, PE));
            qc_pack(wdt, e.data(), PE, word.data());
            wwords.push_back(word);
        }
    if (!write_memh("weights.hex", wwords, PE * W_BITS) ||
        !tb_write_thresholds("thresholds.hex", T, CHANNELS, PE, NT, tdt)) {
        printf("FAIL dag_residual_block: cannot write the memory files\n");
        return 1;
    }

    std::vector<Beat> in, want;
    for (size_t i = 0; i < X.size(); i += (size_t)PE) {
        std::vector<int32_t> y(PE);
        for (int p = 0; p < PE; p++) {
            size_t e = i + (size_t)p;
            int c = (int)(e % (size_t)CHANNELS);
            y[p] = X[e] + qc_threshold_count((int32_t)conv[e], &T[(size_t)c * NT], NT);
        }
        Beat bi(qc_packed_bytes(xdt, PE)), bo(qc_packed_bytes(odt, PE));
        qc_pack(xdt, &X[i], PE, bi.data());
        qc_pack(odt, y.data(), PE, bo.data());
        in.push_back(bi);
        want.push_back(bo);
    }

    bool ok = true;
    if (SKIP_DEPTH >= bound) {
        int64_t cycles = -1;
        ok = axis_run_checked<Vdag_residual_block>(sim, "dag_residual_block", 19, in, want,
                                                  PE * (BITS + 1), &cycles);
        printf("%s dag_residual_block skip_depth=%d bound=%d beats=%zu cycles=%lld\n",
               ok ? "PASS" : "FAIL", SKIP_DEPTH, bound, want.size(), (long long)cycles);
    } else {
        AxisOptions opt;
        opt.max_cycles = 40 * in.size() + 1000;   // a frame takes about 9 cycles per beat
        Vdag_residual_block top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), PE * (BITS + 1), opt);
        if (!r.timed_out || r.out.size() >= want.size()) {
            printf("FAIL dag_residual_block: skip depth %d below the bound %d, yet no deadlock\n",
                   SKIP_DEPTH, bound);
            ok = false;
        }
        for (size_t i = 0; i < r.out.size() && i < want.size(); i++)
            if (r.out[i] != want[i]) {
                printf("FAIL dag_residual_block: beat %zu wrong before the deadlock\n", i);
                ok = false;
                break;
            }
        printf("%s dag_residual_block skip_depth=%d bound=%d deadlock after %zu of %zu beats "
               "(%zu inputs taken)\n",
               ok ? "PASS" : "FAIL", SKIP_DEPTH, bound, r.out.size(), want.size(), r.in_taken);
    }
    return ok ? 0 : 1;
}
