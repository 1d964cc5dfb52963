// Testbench of rtl/qnn_fifo.v: random beats (fixed seed) must come out
// unchanged and in order, at full speed and with idle cycles and
// back-pressure; the occupancy port must stay within 0..DEPTH, and a run
// whose output stalls long enough must fill the FIFO to exactly DEPTH.
// The maximum occupancy seen is printed (what FIFO sizing reads).
//
// Parameters: -DP_<name> with the module's -G parameters (not RAM_STYLE),
// plus P_BEATS.
#include <algorithm>
#include <cstdio>

#include "Vqnn_fifo.h"
#include "axis_driver.h"

// from -DP_<name> (see above)
static const int DATA_WIDTH = P_DATA_WIDTH, DEPTH = P_DEPTH, BEATS = P_BEATS;

int main(int argc, char **argv)
{
    Sim sim(argc, argv, "tb_qnn_fifo");
    std::mt19937 rng(20240607);
    std::vector<Beat> in;
    for (int i = 0; i < BEATS; i++) {
        Beat b((size_t)(DATA_WIDTH + 7) / 8);
        for (auto &byte : b)
            byte = (uint8_t)rng();
        if (DATA_WIDTH % 8)
            b.back() &= (uint8_t)((1u << (DATA_WIDTH % 8)) - 1);
        in.push_back(b);
    }

    std::vector<AxisOptions> runs = axis_option_sets(29);
    AxisOptions blocked;        // output mostly stalled: the FIFO fills up
    blocked.seed = 31;
    blocked.stall = 0.9;
    runs.push_back(blocked);

    bool ok = true;
    int max_seen = 0, fill = 0;
    for (const AxisOptions &opt : runs) {
        Vqnn_fifo top(sim.ctx.get());
        int max_occ = 0;
        AxisResult r = axis_run<Vqnn_fifo>(sim, top, in, in.size(), DATA_WIDTH, opt,
                                           [&](Vqnn_fifo &m) { max_occ = std::max(max_occ, (int)m.occupancy); });
        ok = axis_check(opt.stall > 0.5 ? "qnn_fifo (output mostly stalled)"
                        : opt.stall > 0 ? "qnn_fifo (idle cycles, back-pressure)"
                                        : "qnn_fifo",
                        r, in) && ok;
        if (max_occ > DEPTH) {
            printf("FAIL qnn_fifo: occupancy %d above DEPTH %d\n", max_occ, DEPTH);
            ok = false;
        }
        max_seen = std::max(max_seen, max_occ);
        if (opt.stall > 0.5)
            fill = max_occ;
    }
    if (fill != DEPTH && BEATS >= 2 * DEPTH) {
        printf("FAIL qnn_fifo: a stalled output filled it to %d, not DEPTH %d\n", fill, DEPTH);
        ok = false;
    }
    printf("%s qnn_fifo beats=%d max_occupancy=%d\n", ok ? "PASS" : "FAIL", BEATS, max_seen);
    return ok ? 0 : 1;
}
