// One AXI-Stream port at a time, for testbenches of modules with more than
// one input or output (qnn_fork, qnn_add), where axis_run's single
// in/out loop does not fit. The testbench owns the cycle loop:
//
//   each cycle:  src.drive(...) for every input, ready = sink.draw_ready()
//                for every output, eval, sink.sample(...) and
//                src.taken(...) for each, then clock.
//
// Sources offer their beats in order with random idle cycles and hold a
// beat until it is taken (garbage on tdata while not valid); sinks draw
// random back-pressure and check the module's side of the protocol (an
// output beat once valid stays valid and unchanged until taken). Beats are
// byte vectors, LSB first, as in axis_driver.h, whose conversions these use.
#ifndef QONNXC_SIM_AXIS_PORTS_H
#define QONNXC_SIM_AXIS_PORTS_H

#include "axis_driver.h"

struct AxisSource {
    const std::vector<Beat> *beats;
    double idle;                 // probability of an idle cycle before a beat
    size_t next = 0;             // beats taken so far
    bool offering = false;
    int64_t first = -1, last = -1;   // cycles of the first and last handshake

    AxisSource(const std::vector<Beat> &b, double idle_prob) : beats(&b), idle(idle_prob) {}

    bool done() const { return next >= beats->size(); }

    // Sets tvalid and tdata for this cycle.
    template <typename T>
    void drive(std::mt19937 &rng, uint8_t &tvalid, T &tdata)
    {
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        if (!offering && !done() && !(idle > 0 && uni(rng) < idle))
            offering = true;
        tvalid = offering;
        Beat b = offering ? (*beats)[next] : Beat(beats->empty() ? 1 : (*beats)[0].size());
        if (!offering)
            for (auto &byte : b)
                byte = (uint8_t)rng();
        beat_to_signal(b, tdata);
    }

    // After evaluation: the handshake of this cycle.
    void taken(bool tready, int64_t cyc)
    {
        if (offering && tready) {
            if (first < 0)
                first = cyc;
            last = cyc;
            next++;
            offering = false;
        }
    }
};

struct AxisSink {
    int bits;                    // beat width
    double stall;                // probability of tready low
    std::vector<Beat> out;
    std::vector<int64_t> out_cycle;
    bool protocol_ok = true;
    bool held = false;
    Beat held_beat;

    AxisSink(int beat_bits, double stall_prob) : bits(beat_bits), stall(stall_prob) {}

    uint8_t draw_ready(std::mt19937 &rng)
    {
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        return !(stall > 0 && uni(rng) < stall);
    }

    // After evaluation: records a handshake, checks a held beat.
    template <typename T>
    void sample(bool tvalid, const T &tdata, bool tready, int64_t cyc)
    {
        Beat now = tvalid ? signal_to_beat(tdata, bits) : Beat((size_t)(bits + 7) / 8);
        if (held && (!tvalid || now != held_beat))
            protocol_ok = false;
        if (tvalid && tready) {
            out.push_back(now);
            out_cycle.push_back(cyc);
        }
        held = tvalid && !tready;
        held_beat = now;
    }

    // The check of axis_check, for this port.
    bool check(const char *what, const std::vector<Beat> &want, bool timed_out) const
    {
        AxisResult r;
        r.out = out;
        r.protocol_ok = protocol_ok;
        r.timed_out = timed_out;
        return axis_check(what, r, want);
    }
};

// A clock cycle of a Verilated module with clk.
template <class M>
static inline void axis_tick(VerilatedContext *ctx, M &top)
{
    top.clk = 1;
    top.eval();
    ctx->timeInc(1);
    top.clk = 0;
    top.eval();
    ctx->timeInc(1);
}

// Holds rst for four cycles with every valid and ready low (the caller
// clears its ports first), then releases it.
template <class M>
static inline void axis_reset(VerilatedContext *ctx, M &top)
{
    top.clk = 0;
    top.rst = 1;
    top.eval();
    for (int i = 0; i < 4; i++)
        axis_tick(ctx, top);
    top.rst = 0;
    top.eval();
}

#endif
