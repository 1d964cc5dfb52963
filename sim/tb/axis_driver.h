// Driving one AXI-Stream input and collecting one AXI-Stream output of a
// Verilated module, for the per-module testbenches (sim/tb/tb_*.cpp).
//
// A beat is a byte vector, LSB first: bit k of the beat is bit k % 8 of
// byte k / 8, the layout qc_pack writes, so a beat of SIMD packed elements
// is qc_pack's output for them. The module must have clk, rst,
// s_axis_tdata/tvalid/tready and m_axis_tdata/tvalid/tready.
//
// axis_run() resets the module, then every cycle
//   - offers the next input beat, unless a random idle cycle is drawn
//     (probability idle); a beat once offered stays until taken (AXI rule);
//   - drives m_axis_tready low with probability stall (back-pressure);
//   - evaluates, records the handshakes, and clocks.
// It checks the module's side of the protocol too: an output beat once
// valid must stay valid and unchanged until taken. It stops when the
// expected number of output beats has arrived (then runs a few more cycles
// to catch extra beats) or after max_cycles.
//
// Tracing: built with --trace, `+trace` on the command line writes
// <name>_run<k>.vcd for the k-th run (0: full speed).
#ifndef QONNXC_SIM_AXIS_DRIVER_H
#define QONNXC_SIM_AXIS_DRIVER_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

typedef std::vector<uint8_t> Beat;

// ---- beats <-> Verilator signals -------------------------------------------

// Signals up to 64 bits are integers (CData, SData, IData, QData).
template <typename T>
static inline void beat_to_signal(const Beat &b, T &sig)
{
    uint64_t v = 0;
    for (size_t i = 0; i < b.size() && i < sizeof(T); i++)
        v |= (uint64_t)b[i] << (8 * i);
    sig = (T)v;
}

template <typename T>
static inline Beat signal_to_beat(const T &sig, int bits)
{
    Beat b((size_t)(bits + 7) / 8);
    for (size_t i = 0; i < b.size(); i++)
        b[i] = (uint8_t)((uint64_t)sig >> (8 * i));
    return b;
}

// Wider signals are arrays of 32-bit words, word 0 lowest.
template <std::size_t N>
static inline void beat_to_signal(const Beat &b, VlWide<N> &sig)
{
    for (size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4 && 4 * w + k < b.size(); k++)
            v |= (uint32_t)b[4 * w + k] << (8 * k);
        sig[w] = v;
    }
}

template <std::size_t N>
static inline Beat signal_to_beat(const VlWide<N> &sig, int bits)
{
    Beat b((size_t)(bits + 7) / 8);
    for (size_t i = 0; i < b.size(); i++)
        b[i] = (uint8_t)(sig[i / 4] >> (8 * (i % 4)));
    return b;
}

// A beat as hex, most significant byte first (as a waveform shows it).
static inline std::string beat_hex(const Beat &b)
{
    std::string s;
    char buf[4];
    for (size_t i = b.size(); i-- > 0;) {
        snprintf(buf, sizeof buf, "%02x", b[i]);
        s += buf;
    }
    return s;
}

// ---- memory files ---------------------------------------------------------

// Writes words for $readmemh: one line per word, the hex digits of its
// `bits` bits, most significant first. Each word is a byte vector as above.
static inline bool write_memh(const char *path, const std::vector<Beat> &words, int bits)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    int digits = (bits + 3) / 4;
    for (const Beat &w : words) {
        for (int d = digits - 1; d >= 0; d--) {
            unsigned byte = (size_t)(d / 2) < w.size() ? w[(size_t)d / 2] : 0;
            fputc("0123456789abcdef"[(byte >> (4 * (d % 2))) & 15], f);
        }
        fputc('\n', f);
    }
    return fclose(f) == 0;
}

// ---- the run ----------------------------------------------------------------

struct AxisOptions {
    double idle = 0.0;          // probability of an idle input cycle
    double stall = 0.0;         // probability of m_axis_tready low
    uint32_t seed = 1;
    uint64_t max_cycles = 1000000;
};

struct AxisResult {
    std::vector<Beat> out;      // output beats in order
    uint64_t cycles = 0;        // cycles run after reset
    int64_t first_in = -1;      // cycle of the first input handshake
    int64_t last_in = -1;       // cycle of the last input handshake
    int64_t last_out = -1;      // cycle of the last output handshake
    std::vector<int64_t> out_cycle; // cycle of each output handshake
    bool protocol_ok = true;    // output held valid and stable until taken
    bool timed_out = false;
    bool finished = false;      // the module called $finish (a parameter check)
    size_t in_taken = 0;        // input beats taken
};

struct Sim {
    std::unique_ptr<VerilatedContext> ctx;
    std::string name;
    int runs = 0;               // axis_run calls so far (names the traces)
    Sim(int argc, char **argv, const char *n) : ctx(new VerilatedContext), name(n)
    {
        ctx->commandArgs(argc, argv);
    }
};

// Runs `in` through top; `on_cycle(top)` (optional) is called each cycle
// after evaluation, e.g. to sample an occupancy port.
template <class M>
AxisResult axis_run(Sim &sim, M &top, const std::vector<Beat> &in, size_t n_out, int out_bits,
                    const AxisOptions &opt, const std::function<void(M &)> &on_cycle = nullptr)
{
    AxisResult r;
    const int run = sim.runs++;
    std::mt19937 rng(opt.seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    VerilatedContext *ctx = sim.ctx.get();
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> tfp;
    const char *flag = ctx->commandArgsPlusMatch("trace");
    if (flag && std::string(flag) == "+trace") {
        ctx->traceEverOn(true);
        tfp.reset(new VerilatedVcdC);
        top.trace(tfp.get(), 99);
        tfp->open((sim.name + "_run" + std::to_string(run) + ".vcd").c_str());
    }
#define AXIS_DUMP() do { if (tfp) tfp->dump(ctx->time()); } while (0)
#else
#define AXIS_DUMP() do { } while (0)
#endif
    auto tick = [&]() {
        top.clk = 1;
        top.eval();
        ctx->timeInc(1);
        AXIS_DUMP();
        top.clk = 0;
        top.eval();
        ctx->timeInc(1);
        AXIS_DUMP();
    };

    // reset
    top.clk = 0;
    top.rst = 1;
    top.s_axis_tvalid = 0;
    top.m_axis_tready = 0;
    top.eval();
    for (int i = 0; i < 4; i++)
        tick();
    top.rst = 0;
    top.eval();
    if (ctx->gotFinish()) {
        r.finished = true;
        return r;
    }

    size_t next = 0;
    bool offering = false;
    bool held = false;          // output valid and not taken last cycle
    Beat held_beat;
    uint64_t extra = 0;         // cycles run after the last expected beat
    Beat zero((size_t)(out_bits + 7) / 8);
    for (uint64_t cyc = 0;; cyc++) {
        if (r.out.size() >= n_out && ++extra > 32)
            break;
        if (cyc >= opt.max_cycles) {
            r.timed_out = true;
            break;
        }
        if (!offering && next < in.size() && !(opt.idle > 0 && uni(rng) < opt.idle))
            offering = true;
        top.s_axis_tvalid = offering;
        // garbage on tdata while not valid: the module must not look at it
        Beat junk = offering ? in[next] : Beat(in.empty() ? 1 : in[0].size());
        if (!offering)
            for (auto &byte : junk)
                byte = (uint8_t)rng();
        beat_to_signal(junk, top.s_axis_tdata);
        top.m_axis_tready = !(opt.stall > 0 && uni(rng) < opt.stall);
        top.eval();

        Beat now = top.m_axis_tvalid ? signal_to_beat(top.m_axis_tdata, out_bits) : zero;
        if (held && (!top.m_axis_tvalid || now != held_beat))
            r.protocol_ok = false;
        if (top.m_axis_tvalid && top.m_axis_tready) {
            r.out.push_back(now);
            r.out_cycle.push_back((int64_t)cyc);
            r.last_out = (int64_t)cyc;
        }
        held = top.m_axis_tvalid && !top.m_axis_tready;
        held_beat = now;
        if (offering && top.s_axis_tready) {
            if (r.first_in < 0)
                r.first_in = (int64_t)cyc;
            r.last_in = (int64_t)cyc;
            next++;
            offering = false;
        }
        if (on_cycle)
            on_cycle(top);
        tick();
        r.cycles = cyc + 1;
    }
    r.in_taken = next;
    top.final();
#if VM_TRACE
    if (tfp)
        tfp->close();
#endif
#undef AXIS_DUMP
    return r;
}

// Compares the output with the expected beats; prints the first mismatches.
// Returns true when they agree (count, protocol and every beat).
static inline bool axis_check(const char *what, const AxisResult &r, const std::vector<Beat> &want)
{
    bool ok = true;
    if (r.finished) {
        printf("FAIL %s: the module stopped the simulation ($finish)\n", what);
        return false;
    }
    if (r.timed_out) {
        printf("FAIL %s: timed out after %llu cycles with %zu of %zu beats\n", what,
               (unsigned long long)r.cycles, r.out.size(), want.size());
        ok = false;
    }
    if (!r.protocol_ok) {
        printf("FAIL %s: output beat dropped or changed while not taken\n", what);
        ok = false;
    }
    if (r.out.size() != want.size()) {
        printf("FAIL %s: %zu output beats, expected %zu\n", what, r.out.size(), want.size());
        ok = false;
    }
    int shown = 0;
    for (size_t i = 0; i < r.out.size() && i < want.size(); i++) {
        if (r.out[i] != want[i]) {
            if (shown++ < 8)
                printf("FAIL %s: beat %zu is %s, expected %s\n", what, i, beat_hex(r.out[i]).c_str(),
                       beat_hex(want[i]).c_str());
            ok = false;
        }
    }
    return ok;
}

// The two runs every testbench makes: full speed (no idle cycles, no
// back-pressure), then random idle cycles and back-pressure.
static inline std::vector<AxisOptions> axis_option_sets(uint32_t seed)
{
    AxisOptions fast, rough;
    fast.seed = seed;
    rough.seed = seed + 1;
    rough.idle = 0.3;
    rough.stall = 0.4;
    return { fast, rough };
}

// Both runs of axis_option_sets(seed), each on a fresh M and checked
// against want; the second is named "<name> (idle cycles, back-pressure)".
// *cycles gets the full-speed run's first input to last output, inclusive.
// True when every run agrees.
template <class M>
static inline bool axis_run_checked(Sim &sim, const char *name, uint32_t seed,
                                    const std::vector<Beat> &in, const std::vector<Beat> &want,
                                    int out_bits, int64_t *cycles)
{
    bool ok = true;
    for (const AxisOptions &opt : axis_option_sets(seed)) {
        M top(sim.ctx.get());
        AxisResult r = axis_run(sim, top, in, want.size(), out_bits, opt);
        std::string what = std::string(name) + (opt.stall > 0 ? " (idle cycles, back-pressure)" : "");
        ok = axis_check(what.c_str(), r, want) && ok;
        if (opt.stall == 0 && opt.idle == 0)
            *cycles = r.last_out - r.first_in + 1;
    }
    return ok;
}

#endif
