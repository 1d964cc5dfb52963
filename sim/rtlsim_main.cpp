// rtlsim_main.cpp: the Verilator simulation of a generated accelerator
// (<name>_top.v), copied verbatim into DIR/rtl by `qonnxc build --target
// rtl`; the design-specific part is rtlsim_design.h, the float boundary
// host.c (the ref target's InputQuant and OutputAffine), the .npy I/O the
// ref target's (npy_io.c).
//
//   ./<name>_rtlsim [options] IN.npy OUT.npy     float frames in, outputs out
//   ./<name>_rtlsim --int [options] IN.npy OUT.npy  OUT: the integers before
//                                                OutputAffine (int32)
//   ./<name>_rtlsim --random N [options]         N random input frames (codes
//                                                of the input datatype), no OUT
// options:
//   --json PATH       statistics (default: rtlsim.json beside OUT.npy)
//   --watchdog N      cycles without an output beat before giving up
//                     (default from the estimates)
//   --output-never-ready   m_axis_tready stays 0 (tests the watchdog)
//   --quiet           no progress lines
//   --progress-fd N   also "progress DONE TOTAL CYCLES EST_CYCLES" lines on
//                     file descriptor N, for qonnxc verify's status line:
//                     at most one a second, and after the last frame
//   --fifo-depths D0,D1,...  every FIFO behaves as one of depth Dk (2 <= Dk
//                     <= its built depth); needs `make sim FIFO_LIMITS=1`
//                     (FIFO sizing tries many depths on one build)
//   +trace            write <name>_rtlsim.vcd (needs `make sim TRACE=1`)
//
// All frames are streamed back to back: the input beats are offered every
// cycle, the output is always ready. Measured: the cycle each frame's last
// output beat leaves; cycles per frame = mean distance between consecutive
// completions over the second half of the frames (steady state); latency
// = first input beat taken to frame 0's last output beat; the maximum
// occupancy of every FIFO. Exit status 0, 1 for bad input, 3 when the
// watchdog fires (the message names the blocked stream).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#include "rtlsim_design.h"

extern "C" {
#include "host.h"
#include "model.h"
}

typedef std::chrono::steady_clock Clock;

static double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Options {
    long long watchdog = 0;
    std::vector<long> fifo_depths;   // --fifo-depths, empty: the built depths
    int progress_fd = -1;
    bool never_ready = false, quiet = false, trace = false;
};

struct Result {
    long long cycles = 0, latency = 0, cycles_per_frame = 0;
    std::vector<long long> done;     // cycle of each frame's last output beat
    unsigned max_occ[N_FIFOS > 0 ? N_FIFOS : 1] = { 0 };
    double wall = 0;
};

// element codes <-> beats of 32-bit words
static void put_elem(uint32_t *w, int k, int bits, int32_t v)
{
    uint64_t code = bits == 1 ? (uint64_t)(v > 0) : (uint64_t)(uint32_t)v & ((1ull << bits) - 1);
    long pos = (long)k * bits;
    for (int b = 0; b < bits; b++, pos++)
        if ((code >> b) & 1u)
            w[pos / 32] |= 1u << (pos % 32);
}

static int32_t get_elem(const uint32_t *w, int k, int bits)
{
    uint64_t code = 0;
    long pos = (long)k * bits;
    for (int b = 0; b < bits; b++, pos++)
        code |= (uint64_t)((w[pos / 32] >> (pos % 32)) & 1u) << b;
    if (OUT_BIPOLAR)
        return code ? 1 : -1;
    if (OUT_SIGNED && bits < 64 && (code >> (bits - 1)) & 1u)
        return (int32_t)(int64_t)(code - (1ull << bits));
    return (int32_t)code;
}

// Why nothing leaves: the most downstream stream holding a beat its
// consumer does not take, else the first stream that is empty.
static void diagnose(const Top *t, long long idle, const Result &r, long frames)
{
    int blocked = -1;
    for (int k = 0; k < N_STREAMS; k++) {
        int v, rd;
        stream_state(t, k, &v, &rd);
        if (v && !rd)
            blocked = k;
    }
    fprintf(stderr, "%s_rtlsim: watchdog: no output beat for %lld cycles (%zu of %ld frames "
            "done); ", RTLSIM_NAME, idle, r.done.size(), frames);
    if (blocked >= 0) {
        fprintf(stderr, "blocked stream: %s (tvalid && !tready: its consumer does not take "
                "the beat)\n", stream_names[blocked]);
    } else {
        int empty = 0;
        for (int k = 0; k < N_STREAMS; k++) {
            int v, rd;
            stream_state(t, k, &v, &rd);
            if (!v) {
                empty = k;
                break;
            }
        }
        fprintf(stderr, "no stream is back-pressured; the first empty stream is %s (its "
                "producer sends nothing)\n", stream_names[empty]);
    }
    for (int k = 0; k < N_STREAMS; k++) {
        int v, rd;
        stream_state(t, k, &v, &rd);
        fprintf(stderr, "  %-60s tvalid %d tready %d\n", stream_names[k], v, rd);
    }
    for (int f = 0; f < N_FIFOS; f++)
        fprintf(stderr, "  fifo %-55s occupancy %u of %ld\n", fifo_names[f],
                fifo_occupancy(t, f), fifo_depths[f]);
}

// One progress line for qonnxc (--progress-fd): frames done of total,
// cycles so far, and the estimated cycles of the whole run.
static void send_progress(int fd, long long done, long frames, long long cycle)
{
    if (fd < 0)
        return;
    long long est = (long long)EST_LATENCY + (frames - 1) * (long long)EST_CYCLES;
    char line[128];
    int n = snprintf(line, sizeof line, "progress %lld %ld %lld %lld\n", done, frames, cycle, est);
    // qonnxc reads to the end; a bad fd is ignored (a reader gone raises SIGPIPE)
    ssize_t written = write(fd, line, (size_t)n);
    (void)written;
}

// Streams `frames` frames of input elements (RTL_IN_ELEMS each, stream
// order) through the design; out receives RTL_OUT_ELEMS per frame.
// Returns 0, or 3 when the watchdog fired.
static int simulate(const int32_t *in, long frames, int32_t *out, const Options &o, Result &r,
                    int argc, char **argv)
{
    Clock::time_point t0 = Clock::now();
    std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
    ctx->commandArgs(argc, argv);
    std::unique_ptr<Top> top(new Top(ctx.get(), "top"));
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> tfp;
    if (o.trace) {
        ctx->traceEverOn(true);
        tfp.reset(new VerilatedVcdC);
        top->trace(tfp.get(), 99);
        tfp->open(RTLSIM_NAME "_rtlsim.vcd");
    }
#endif
    // $readmemh paths are relative: evaluate the initial blocks in the
    // executable's directory, where the .mem files are
    {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        int here = open(".", 0);
        if (n > 0) {
            exe[n] = '\0';
            char *slash = strrchr(exe, '/');
            if (slash) {
                *slash = '\0';
                if (chdir(exe) != 0)
                    perror(exe);
            }
        }
        top->clk = 0;
        top->rst = 1;
        top->eval();
        if (here >= 0) {
            if (fchdir(here) != 0)
                perror("fchdir");
            close(here);
        }
    }
#ifdef RTLSIM_FIFO_LIMITS
    // after the first eval, which runs the initializers (limit = DEPTH)
    for (size_t f = 0; f < o.fifo_depths.size(); f++)
        set_fifo_limit(top.get(), (int)f, (unsigned)o.fifo_depths[f]);
#endif
    const long long total_in = (long long)frames * IN_BEATS, total_out = (long long)frames * OUT_BEATS;
    std::vector<uint32_t> beat(IN_WORDS), obeat(OUT_WORDS);
    long long in_beats = 0, out_beats = 0, cycle = 0, last_out = 0, first_in = -1;
    long long watchdog = o.watchdog > 0 ? o.watchdog : 4 * EST_LATENCY + 4 * EST_CYCLES + 100000;
    double last_print = 0, last_progress = 0;
    // The rising edge; the falling edge is evaluated together with the
    // next cycle's inputs (one eval fewer per cycle: nothing in the design
    // reacts to it), or at once when tracing, for the waveform.
    auto tick = [&]() {
        top->clk = 1;
        top->eval();
#if VM_TRACE
        if (tfp)
            tfp->dump(2 * (uint64_t)cycle + 1);
#endif
        top->clk = 0;
        cycle++;
#if VM_TRACE
        if (tfp) {
            top->eval();
            tfp->dump(2 * (uint64_t)cycle);
        }
#endif
    };
    for (int k = 0; k < 4; k++) {
        tick();
        top->eval();
    }
    top->rst = 0;
    cycle = 0;
    int rc = 0;
    long long beat_built = -1;       // the input beat now on s_axis_tdata
    while (out_beats < total_out) {
        // drive the inputs of this cycle
        if (in_beats < total_in) {
            if (beat_built != in_beats) {
                long long f = in_beats / IN_BEATS, b = in_beats % IN_BEATS;
                std::fill(beat.begin(), beat.end(), 0u);
                for (int k = 0; k < IN_PER_BEAT; k++)
                    put_elem(beat.data(), k, IN_ELEM_BITS,
                             in[f * RTL_IN_ELEMS + b * IN_PER_BEAT + k]);
                put_input(top.get(), beat.data());
                beat_built = in_beats;
            }
            top->s_axis_tvalid = 1;
        } else {
            top->s_axis_tvalid = 0;
        }
        top->m_axis_tready = o.never_ready ? 0 : 1;
        top->eval();
        // the handshakes of this cycle
        if (top->s_axis_tvalid && top->s_axis_tready) {
            if (first_in < 0)
                first_in = cycle;
            in_beats++;
        }
        if (top->m_axis_tvalid && top->m_axis_tready) {
            long long f = out_beats / OUT_BEATS, b = out_beats % OUT_BEATS;
            get_output(top.get(), obeat.data());
            for (int k = 0; k < OUT_PER_BEAT; k++)
                out[f * RTL_OUT_ELEMS + b * OUT_PER_BEAT + k] = get_elem(obeat.data(), k, OUT_ELEM_BITS);
            out_beats++;
            last_out = cycle;
            if (out_beats % OUT_BEATS == 0) {
                r.done.push_back(cycle);
                if (o.progress_fd >= 0 && (out_beats == total_out ||
                                           seconds_since(t0) - last_progress >= 1.0)) {
                    last_progress = seconds_since(t0);
                    send_progress(o.progress_fd, (long long)r.done.size(), frames, cycle);
                }
            }
        }
        for (int f = 0; f < N_FIFOS; f++) {
            unsigned occ = fifo_occupancy(top.get(), f);
            if (occ > r.max_occ[f])
                r.max_occ[f] = occ;
        }
        if (cycle - last_out > watchdog) {
            diagnose(top.get(), cycle - last_out, r, frames);
            rc = 3;
            break;
        }
        tick();
        if (o.progress_fd >= 0 && (cycle & 0xffff) == 0 &&
            seconds_since(t0) - last_progress >= 1.0) {
            last_progress = seconds_since(t0);
            send_progress(o.progress_fd, (long long)r.done.size(), frames, cycle);
        }
        if (!o.quiet && (cycle & 0xffff) == 0) {
            double s = seconds_since(t0);
            if (s - last_print >= 5.0) {
                last_print = s;
                fprintf(stderr, "%s_rtlsim: cycle %lld, %zu of %ld frames done, %.1f s\n",
                        RTLSIM_NAME, cycle, r.done.size(), frames, s);
            }
        }
    }
    top->final();
#if VM_TRACE
    if (tfp)
        tfp->close();
#endif
    r.cycles = cycle;
    if (!r.done.empty())
        r.latency = r.done[0] - first_in + 1;
    long n = (long)r.done.size();
    if (n >= 2) {
        long k0 = n / 2 > 0 ? n / 2 : 1;
        r.cycles_per_frame = (r.done[n - 1] - r.done[k0 - 1]) / (n - k0);
    } else if (n == 1) {
        r.cycles_per_frame = r.latency;
    }
    r.wall = seconds_since(t0);
    return rc;
}

static bool write_json(const char *path, long frames, const Result &r, const Options &o)
{
    std::string tmp = std::string(path) + ".tmp";
    FILE *f = fopen(tmp.c_str(), "w");
    if (!f) {
        perror(path);
        return false;
    }
    fprintf(f, "{\n  \"model\": \"%s\",\n  \"frames\": %ld,\n", RTLSIM_NAME, frames);
    fprintf(f, "  \"cycles_per_frame\": %lld,\n  \"latency_cycles\": %lld,\n", r.cycles_per_frame,
            r.latency);
    fprintf(f, "  \"total_cycles\": %lld,\n  \"estimated_cycles_per_frame\": %lld,\n", r.cycles,
            (long long)EST_CYCLES);
    fprintf(f, "  \"estimated_latency_cycles\": %lld,\n", (long long)EST_LATENCY);
    fprintf(f, "  \"wall_seconds\": %.3f,\n  \"frames_per_second_wall\": %.3f,\n", r.wall,
            r.wall > 0 ? frames / r.wall : 0.0);
    fprintf(f, "  \"fifos\": [");
    for (int k = 0; k < N_FIFOS; k++)
        fprintf(f, "%s\n    {\"name\": \"%s\", \"depth\": %ld, \"max_occupancy\": %u}",
                k ? "," : "", fifo_names[k],
                o.fifo_depths.empty() ? fifo_depths[k] : o.fifo_depths[k], r.max_occ[k]);
    fprintf(f, "%s]\n}\n", N_FIFOS ? "\n  " : "");
    if (fclose(f) != 0 || rename(tmp.c_str(), path) != 0) {
        perror(path);
        return false;
    }
    return true;
}

// The ref target's API on the simulation, one frame per call (model.h).
static int run_one(const int32_t *elems, int32_t *out_elems)
{
    static char prog[] = "rtlsim";
    static char *argv[] = { prog, nullptr };
    Options o;
    o.quiet = true;
    Result r;
    return simulate(elems, 1, out_elems, o, r, 1, argv) == 0 ? 0 : 1;
}

extern "C" int RTLSIM_RUN(const float *in, float *out)
{
    static int32_t e[RTL_IN_ELEMS], y[RTL_OUT_ELEMS];
    int status = rtl_input_stream(in, e);
    if (status != 0)
        return status;
    if (run_one(e, y) != 0)
        return 1;
    rtl_output_frame(y, out);
    return 0;
}

extern "C" int RTLSIM_RUN_INT(const int32_t *in, int32_t *out)
{
    static int32_t e[RTL_IN_ELEMS], y[RTL_OUT_ELEMS];
    int status = rtl_int_input_stream(in, e);
    if (status != 0)
        return status;
    if (run_one(e, y) != 0)
        return 1;
    rtl_output_int(y, out);
    return 0;
}

// --fifo-depths: one depth per FIFO, each 2 .. its built depth
static bool parse_fifo_depths(const char *list, std::vector<long> &depths)
{
#ifndef RTLSIM_FIFO_LIMITS
    fprintf(stderr, "%s_rtlsim: --fifo-depths %s: this simulation has fixed FIFO depths (build "
            "it with `make sim FIFO_LIMITS=1`)\n", RTLSIM_NAME, list);
    return false;
#else
    const char *p = list;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        int f = (int)depths.size();
        if (f >= N_FIFOS)
            break;                       // too many: the count check below
        if (end == p || (*end && *end != ',') || v < 2 || v > fifo_depths[f]) {
            fprintf(stderr, "%s_rtlsim: --fifo-depths %s: entry %d: FIFO %s takes a depth from "
                    "2 to its built depth %ld\n", RTLSIM_NAME, list, f, fifo_names[f],
                    fifo_depths[f]);
            return false;
        }
        depths.push_back(v);
        p = *end ? end + 1 : end;
    }
    if ((int)depths.size() != N_FIFOS || *p) {
        fprintf(stderr, "%s_rtlsim: --fifo-depths %s: %s depths for %d FIFOs\n", RTLSIM_NAME,
                list, *p ? "more" : "fewer", (int)N_FIFOS);
        return false;
    }
    return true;
#endif
}

int main(int argc, char **argv)
{
    Options o;
    const char *paths[2] = { nullptr, nullptr }, *json = nullptr;
    long random_frames = 0;
    bool as_int = false;
    int npaths = 0;
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (!strcmp(a, "--int"))
            as_int = true;
        else if (!strcmp(a, "--random") && k + 1 < argc)
            random_frames = atol(argv[++k]);
        else if (!strcmp(a, "--json") && k + 1 < argc)
            json = argv[++k];
        else if (!strcmp(a, "--watchdog") && k + 1 < argc)
            o.watchdog = atoll(argv[++k]);
        else if (!strcmp(a, "--output-never-ready"))
            o.never_ready = true;
        else if (!strcmp(a, "--quiet"))
            o.quiet = true;
        else if (!strcmp(a, "--progress-fd") && k + 1 < argc)
            o.progress_fd = atoi(argv[++k]);
        else if (!strcmp(a, "--fifo-depths") && k + 1 < argc) {
            if (!parse_fifo_depths(argv[++k], o.fifo_depths))
                return 2;
        } else if (!strcmp(a, "+trace"))
            o.trace = true;
        else if (a[0] == '+')
            continue;                     // for Verilator (+verilator+...)
        else if (a[0] != '-' && npaths < 2)
            paths[npaths++] = a;
        else {
            npaths = -1;
            break;
        }
    }
    if (npaths < 0 || (random_frames <= 0 && npaths != 2) || (random_frames > 0 && npaths != 0)) {
        fprintf(stderr, "usage: %s [--int] [--json PATH] [--watchdog N] [--output-never-ready] "
                "[--quiet] [--progress-fd N] [--fifo-depths D0,D1,...] [+trace] IN.npy OUT.npy\n"
                "       %s --random N [--json PATH] ...\n",
                argv[0], argv[0]);
        return 2;
    }
#if !VM_TRACE
    if (o.trace)
        fprintf(stderr, "%s_rtlsim: +trace needs a build with `make sim TRACE=1`; no trace\n",
                RTLSIM_NAME);
#endif
    long frames = random_frames;
    std::vector<int32_t> elems;
    if (random_frames > 0) {
        std::mt19937 rng(1);
        elems.resize((size_t)frames * RTL_IN_ELEMS);
        for (auto &e : elems) {
            long long span = (long long)RTL_IN_MAX - RTL_IN_MIN + 1;
            e = (int32_t)(RTL_IN_MIN + (long long)(rng() % (unsigned long long)span));
            if (RTL_IN_BIPOLAR)
                e = e > 0 ? 1 : -1;
        }
    } else {
        float *data;
        if (!rtlsim_read_frames(paths[0], &data, &frames))
            return 1;
        elems.resize((size_t)frames * RTL_IN_ELEMS);
        for (long f = 0; f < frames; f++)
            if (rtl_input_stream(data + f * RTL_INPUT_SIZE, &elems[(size_t)f * RTL_IN_ELEMS]) != 0) {
                fprintf(stderr, "%s_rtlsim: %s: frame %ld: an input value cannot be represented "
                        "(NaN, or outside the input's datatype)\n", RTLSIM_NAME, paths[0], f);
                free(data);
                return 1;
            }
        free(data);
    }
    std::vector<int32_t> outs((size_t)frames * RTL_OUT_ELEMS);
    Result r;
    if (!o.quiet)
        fprintf(stderr, "%s_rtlsim: %ld frames\n", RTLSIM_NAME, frames);
    int rc = simulate(elems.data(), frames, outs.data(), o, r, argc, argv);
    if (rc != 0)
        return rc;
    if (!o.quiet)
        fprintf(stderr, "%s_rtlsim: %ld frames in %lld cycles, %.2f s: %lld cycles per frame "
                "(estimate %lld), latency %lld cycles\n", RTLSIM_NAME, frames, r.cycles, r.wall,
                r.cycles_per_frame, (long long)EST_CYCLES, r.latency);
    std::string json_path;
    if (json) {
        json_path = json;
    } else if (paths[1]) {
        json_path = paths[1];
        size_t slash = json_path.rfind('/');
        json_path = (slash == std::string::npos ? std::string() : json_path.substr(0, slash + 1)) +
                    "rtlsim.json";
    }
    if (!json_path.empty() && !write_json(json_path.c_str(), frames, r, o))
        return 1;
    if (paths[1]) {
        bool ok;
        if (as_int) {
            std::vector<int32_t> v((size_t)frames * RTL_INT_OUTPUT_SIZE);
            for (long f = 0; f < frames; f++)
                rtl_output_int(&outs[(size_t)f * RTL_OUT_ELEMS], &v[(size_t)f * RTL_INT_OUTPUT_SIZE]);
            ok = rtlsim_write_frames(paths[1], v.data(), frames, 1);
        } else {
            std::vector<float> v((size_t)frames * RTL_OUTPUT_SIZE);
            for (long f = 0; f < frames; f++)
                rtl_output_frame(&outs[(size_t)f * RTL_OUT_ELEMS], &v[(size_t)f * RTL_OUTPUT_SIZE]);
            ok = rtlsim_write_frames(paths[1], v.data(), frames, 0);
        }
        if (!ok)
            return 1;
    }
    return 0;
}
