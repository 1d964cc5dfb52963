// Testbench of rtl/qnn_fork.v: random beats in; each output must carry
// exactly the input beats, in order, and the two outputs may differ by at
// most one beat at any time (the per-output register). Three runs: full
// speed (one beat per cycle, latency 1), idle input cycles with
// independent back-pressure on each output, and output 1 nearly always
// stalled while output 0 never is (output 0 may run ahead by one beat only).
//
// Parameters: -DP_DATA_WIDTH (the module's), P_BEATS.
#include <cstdio>

#include "Vqnn_fork.h"
#include "axis_ports.h"

static const int DATA_WIDTH = P_DATA_WIDTH, BEATS = P_BEATS;

struct Run {
    const char *name;
    double idle, stall0, stall1;
};

int main(int argc, char **argv)
{
    VerilatedContext ctx;
    ctx.commandArgs(argc, argv);
    std::mt19937 rng(20261207);
    std::vector<Beat> in;
    for (int i = 0; i < BEATS; i++) {
        Beat b((size_t)(DATA_WIDTH + 7) / 8);
        for (auto &byte : b)
            byte = (uint8_t)rng();
        if (DATA_WIDTH % 8)
            b.back() &= (uint8_t)((1u << (DATA_WIDTH % 8)) - 1);
        in.push_back(b);
    }

    const Run runs[] = { { "qnn_fork", 0, 0, 0 },
                         { "qnn_fork (idle cycles, back-pressure)", 0.3, 0.4, 0.4 },
                         { "qnn_fork (output 1 mostly stalled)", 0, 0, 0.9 } };
    bool ok = true;
    int64_t cycles = -1, latency = -1;
    for (const Run &run : runs) {
        Vqnn_fork top(&ctx);
        AxisSource src(in, run.idle);
        AxisSink out0(DATA_WIDTH, run.stall0), out1(DATA_WIDTH, run.stall1);
        top.s_axis_tvalid = 0;
        top.m0_axis_tready = top.m1_axis_tready = 0;
        axis_reset(&ctx, top);
        bool timed_out = false, ahead_ok = true;
        int64_t extra = 0;
        for (int64_t cyc = 0;; cyc++) {
            if (out0.out.size() >= in.size() && out1.out.size() >= in.size() && ++extra > 16)
                break;
            if (cyc > 100 * BEATS + 1000) {
                timed_out = true;
                break;
            }
            src.drive(rng, top.s_axis_tvalid, top.s_axis_tdata);
            top.m0_axis_tready = out0.draw_ready(rng);
            top.m1_axis_tready = out1.draw_ready(rng);
            top.eval();
            out0.sample(top.m0_axis_tvalid, top.m0_axis_tdata, top.m0_axis_tready, cyc);
            out1.sample(top.m1_axis_tvalid, top.m1_axis_tdata, top.m1_axis_tready, cyc);
            src.taken(top.s_axis_tready, cyc);
            int64_t diff = (int64_t)out0.out.size() - (int64_t)out1.out.size();
            if (diff > 1 || diff < -1)
                ahead_ok = false;
            axis_tick(&ctx, top);
        }
        top.final();
        std::string what(run.name);
        ok = out0.check((what + ", output 0").c_str(), in, timed_out) && ok;
        ok = out1.check((what + ", output 1").c_str(), in, timed_out) && ok;
        if (!ahead_ok) {
            printf("FAIL %s: one output ran ahead of the other by more than one beat\n", run.name);
            ok = false;
        }
        if (run.idle == 0 && run.stall0 == 0 && run.stall1 == 0 && !out1.out_cycle.empty()) {
            cycles = src.last - src.first + 1;
            latency = out1.out_cycle.back() - src.last;
        }
    }
    printf("%s qnn_fork beats=%d cycles=%lld estimate=%d latency=%lld\n", ok ? "PASS" : "FAIL",
           BEATS, (long long)cycles, BEATS, (long long)latency);
    return ok ? 0 : 1;
}
