// Testbench of rtl/qnn_add.v: random operands over their whole ranges
// (fixed seed), expected beats from the integer graph's IntScaledAdd rule
// sum = MUL_A * a + MUL_B * b computed in int64, then (N_THRESHOLDS > 0)
// OUT_BIAS + OUT_SCALE * qc_threshold_count(sum, row of the channel),
// packed with qc_pack. Thresholds ascending (with repeats) spread over the
// sums each channel reaches, so every count occurs. Runs: full speed (one
// beat pair per cycle, latency 1 or 4), then idle cycles drawn
// independently on each input with back-pressure, then input B nearly
// always idle (A must wait for it, beat for beat).
//
// Parameters: -DP_<name> with the module's -G parameters, plus VECTORS.
#include <cstdio>

#include "Vqnn_add.h"
#include "axis_ports.h"
#include "tb_thresholds.h"

extern "C" {
#include "qc_threshold.h"
}

static const int CHANNELS = P_CHANNELS, PE = P_PE, A_BITS = P_A_BITS, A_SIGNED = P_A_SIGNED,
    B_BITS = P_B_BITS, B_SIGNED = P_B_SIGNED, MUL_A = P_MUL_A, MUL_B = P_MUL_B,
    ACC_BITS = P_ACC_BITS, ACC_SIGNED = P_ACC_SIGNED, N_THRESHOLDS = P_N_THRESHOLDS,
    T_BITS = P_T_BITS, OUT_BITS = P_OUT_BITS, OUT_SCALE = P_OUT_SCALE, OUT_BIAS = P_OUT_BIAS,
    OUT_BIPOLAR = P_OUT_BIPOLAR, VECTORS = P_VECTORS;

struct Run {
    const char *name;
    double idle_a, idle_b, stall;
};

static qc_dtype int_dtype(int bits, int is_signed)
{
    return is_signed ? qc_dtype_int(bits) : qc_dtype_uint(bits);
}

int main(int argc, char **argv)
{
    VerilatedContext ctx;
    ctx.commandArgs(argc, argv);
    const qc_dtype adt = int_dtype(A_BITS, A_SIGNED), bdt = int_dtype(B_BITS, B_SIGNED);
    const qc_dtype sdt = int_dtype(ACC_BITS, ACC_SIGNED), tdt = qc_dtype_int(T_BITS);
    std::mt19937 rng(20261208);
    auto draw = [&](qc_dtype dt) {
        int64_t lo = qc_dtype_min(dt), hi = qc_dtype_max(dt);
        return (int32_t)(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    };

    const size_t n = (size_t)VECTORS * CHANNELS;
    std::vector<int32_t> A(n), B(n);
    std::vector<int64_t> S(n);
    for (size_t i = 0; i < n; i++) {
        A[i] = draw(adt);
        B[i] = draw(bdt);
        S[i] = (int64_t)MUL_A * A[i] + (int64_t)MUL_B * B[i];
        // a configuration whose ACC_BITS cannot hold the sums is wrong, not the RTL
        if (S[i] < qc_dtype_min(sdt) || S[i] > qc_dtype_max(sdt)) {
            printf("FAIL qnn_add: sum %lld does not fit ACC_BITS=%d\n", (long long)S[i], ACC_BITS);
            return 1;
        }
    }

    std::vector<int32_t> T;
    if (N_THRESHOLDS > 0) {
        T = tb_threshold_rows(rng, S, CHANNELS, N_THRESHOLDS, tdt, 2);
        if (!tb_write_thresholds("thresholds.hex", T, CHANNELS, PE, N_THRESHOLDS, tdt)) {
            printf("FAIL qnn_add: cannot write thresholds.hex\n");
            return 1;
        }
    }

    const qc_dtype odt = N_THRESHOLDS == 0 ? sdt
                         : OUT_BIPOLAR     ? qc_dtype_bipolar()
                                           : qc_dtype_int(OUT_BITS);
    std::vector<Beat> in_a, in_b, want;
    for (size_t i = 0; i < n; i += (size_t)PE) {
        std::vector<int32_t> y(PE);
        for (int p = 0; p < PE; p++) {
            int c = (int)((i + (size_t)p) % (size_t)CHANNELS);
            int64_t s = S[i + (size_t)p];
            y[p] = N_THRESHOLDS == 0 ? (int32_t)s
                                     : OUT_BIAS + OUT_SCALE * qc_threshold_count(
                                           (int32_t)s, &T[(size_t)c * N_THRESHOLDS], N_THRESHOLDS);
        }
        Beat ba(qc_packed_bytes(adt, PE)), bb(qc_packed_bytes(bdt, PE)), bo(qc_packed_bytes(odt, PE));
        qc_pack(adt, &A[i], PE, ba.data());
        qc_pack(bdt, &B[i], PE, bb.data());
        qc_pack(odt, y.data(), PE, bo.data());
        in_a.push_back(ba);
        in_b.push_back(bb);
        want.push_back(bo);
    }

    const Run runs[] = { { "qnn_add", 0, 0, 0 },
                         { "qnn_add (idle cycles, back-pressure)", 0.3, 0.5, 0.4 },
                         { "qnn_add (input B mostly idle)", 0, 0.9, 0.2 } };
    bool ok = true;
    int64_t cycles = -1, latency = -1;
    for (const Run &run : runs) {
        Vqnn_add top(&ctx);
        AxisSource a(in_a, run.idle_a), b(in_b, run.idle_b);
        AxisSink out(PE * OUT_BITS, run.stall);
        top.s0_axis_tvalid = top.s1_axis_tvalid = 0;
        top.m_axis_tready = 0;
        axis_reset(&ctx, top);
        if (ctx.gotFinish()) {
            printf("FAIL qnn_add: the module stopped the simulation ($finish)\n");
            return 1;
        }
        bool timed_out = false, pairs_ok = true;
        int64_t extra = 0;
        for (int64_t cyc = 0;; cyc++) {
            if (out.out.size() >= want.size() && ++extra > 16)
                break;
            if (cyc > 100 * (int64_t)want.size() + 1000) {
                timed_out = true;
                break;
            }
            a.drive(rng, top.s0_axis_tvalid, top.s0_axis_tdata);
            b.drive(rng, top.s1_axis_tvalid, top.s1_axis_tdata);
            top.m_axis_tready = out.draw_ready(rng);
            top.eval();
            out.sample(top.m_axis_tvalid, top.m_axis_tdata, top.m_axis_tready, cyc);
            // the two operands of a sum are taken in the same cycle
            bool take_a = top.s0_axis_tvalid && top.s0_axis_tready;
            bool take_b = top.s1_axis_tvalid && top.s1_axis_tready;
            if (take_a != take_b)
                pairs_ok = false;
            a.taken(top.s0_axis_tready, cyc);
            b.taken(top.s1_axis_tready, cyc);
            axis_tick(&ctx, top);
        }
        top.final();
        ok = out.check(run.name, want, timed_out) && ok;
        if (!pairs_ok) {
            printf("FAIL %s: one operand taken without the other\n", run.name);
            ok = false;
        }
        if (run.idle_a == 0 && run.idle_b == 0 && run.stall == 0 && !out.out_cycle.empty()) {
            cycles = a.last - a.first + 1;
            latency = out.out_cycle.back() - a.last;
        }
    }
    printf("%s qnn_add beats=%zu cycles=%lld estimate=%zu latency=%lld\n", ok ? "PASS" : "FAIL",
           want.size(), (long long)cycles, want.size(), (long long)latency);
    return ok ? 0 : 1;
}
