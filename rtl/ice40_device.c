/* iCE40 devices, PLL and resource model (ice40_device.h). */
#include "ice40_device.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emit_rtl.h"

static const Ice40Device devices[] = {
    /* iCEBreaker: 12 MHz on pin 35, the FTDI's UART on 6 (RX) and 9 (TX),
     * the red LED on 11 */
    { "up5k", "sg48", "sg48 uwg30", 5280, 30, 4, 8, "iCEBreaker", "35", "6", "9", "11", true },
    /* iCE40-HX8K breakout board: 12 MHz on J3, the FTDI's UART on B10 (RX)
     * and B12 (TX), LED D2 on B5 */
    { "hx8k", "ct256", "ct256 cm225 cb132 bg121 tq144 cm121 cm81", 7680, 32, 0, 0, "iCE40-HX8K breakout", "J3", "B10", "B12", "B5", false },
};

const Ice40Device *ice40_device(const char *name)
{
    if (!name)
        name = "up5k";
    for (size_t k = 0; k < sizeof devices / sizeof devices[0]; k++)
        if (!strcmp(devices[k].name, name))
            return &devices[k];
    return NULL;
}

bool ice40_has_package(const Ice40Device *dev, const char *package)
{
    size_t n = strlen(package);
    for (const char *s = dev->packages; *s;) {
        size_t len = strcspn(s, " ");
        if (len == n && !strncmp(s, package, n))
            return true;
        s += len + (s[len] == ' ');
    }
    return false;
}

/* icepll's search (SIMPLE feedback): PFD 10..133 MHz, VCO 533..1066 MHz,
 * the first setting with the smallest error. */
bool ice40_pll(double mhz, Ice40Pll *p)
{
    double best = -1;
    for (int divr = 0; divr <= 15; divr++) {
        double pfd = ICE40_OSC_MHZ / (divr + 1);
        if (pfd < 10 || pfd > 133)
            continue;
        for (int divf = 0; divf <= 127; divf++) {
            double vco = pfd * (divf + 1);
            if (vco < 533 || vco > 1066)
                continue;
            for (int divq = 1; divq <= 6; divq++) {
                double out = vco / (double)(1 << divq);
                if (out < 16 || out > 275)
                    continue;
                if (best < 0 || fabs(out - mhz) < fabs(best - mhz)) {
                    best = out;
                    p->divr = divr;
                    p->divf = divf;
                    p->divq = divq;
                    p->filter_range = pfd < 17 ? 1 : pfd < 26 ? 2 : pfd < 44 ? 3 : pfd < 66 ? 4
                                      : pfd < 101 ? 5 : 6;
                    p->out_mhz = out;
                }
            }
        }
    }
    return best > 0 && fabs(best - mhz) <= 0.01 * mhz;
}

int64_t ice40_ebr_for(int64_t depth, int64_t width)
{
    static const int64_t shapes[][2] = { { 256, 16 }, { 512, 8 }, { 1024, 4 }, { 2048, 2 } };
    int64_t best = -1;
    for (int k = 0; k < 4; k++) {
        int64_t n = ((depth + shapes[k][0] - 1) / shapes[k][0]) *
                    ((width + shapes[k][1] - 1) / shapes[k][1]);
        if (best < 0 || n < best)
            best = n;
    }
    return best;
}

int64_t ice40_ibuf_bits(const Layer *l)
{
    if (l->kind != LAYER_MVAU || l->mh / l->pe <= 1)
        return 0;
    return (l->mw / l->simd) * l->simd * (int64_t)l->in.dt.bits;
}

/* A synchronous-read memory: yosys puts it into EBR unless it is small
 * (then flip-flops and LUTs, about one LUT4 per 4 bits for the read mux). */
#define ICE40_MIN_EBR_BITS 1024
static void memory(int64_t depth, int64_t width, Ice40LayerEstimate *e)
{
    if (depth * width >= ICE40_MIN_EBR_BITS)
        e->ebr += ice40_ebr_for(depth, width);
    else
        e->lut4 += (depth * width + 3) / 4;
}

/* logic cells per LUT6 of the Xilinx model's logic (estimate.c). With 1.0
 * the whole estimate is conservative: TFC-W1A1 (4,8)(2,8)(2,8)(1,8) is
 * estimated at 1.4 times the logic cells nextpnr placed, TFC-W2A2 with
 * PE 1, SIMD 8 at 1.3 times (docs/ice40.md, "Measured"). */
#define ICE40_CELLS_PER_LUT6 1.0

Ice40LayerEstimate ice40_estimate_layer(const Layer *l)
{
    Ice40LayerEstimate e = { 0, 0 };
    /* the logic: the Xilinx model's LUT6s (memories aside), as LUT4s */
    int64_t logic = l->luts;
    switch (l->kind) {
    case LAYER_MVAU: {
        int64_t nf = l->mh / l->pe, sf = l->mw / l->simd;
        memory(nf * sf, (int64_t)l->pe * l->simd * l->wdt.bits, &e);
        int64_t ibuf = ice40_ibuf_bits(l);
        if (ibuf > ICE40_LOGIC_IBUF_BITS)
            e.ebr += ice40_ebr_for(sf, (int64_t)l->simd * l->in.dt.bits);
        else
            e.lut4 += ibuf + ibuf / 4;  /* a logic cell per flip-flop; the read mux */
        /* per-channel thresholds: a ROM of NF words, which yosys keeps in
         * LUTs (a LUT4 per 4 bits) */
        if (l->n_thresholds && l->thresholds_per_channel != 1)
            e.lut4 += (nf * l->pe * l->n_thresholds * l->acc_dt.bits + 3) / 4;
        break;
    }
    case LAYER_FIFO: {
        if (!strcmp(rtl_fifo_ram_style(l, RTL_ICE40), "registers")) {
            /* pointers and control; a logic cell per flip-flop */
            logic = 0;
            e.lut4 += 16 + l->depth * l->in.bits;
        } else {
            logic = 40;
            e.ebr += ice40_ebr_for(l->depth, l->in.bits);
        }
        break;
    }
    default:
        break;
    }
    e.lut4 += (int64_t)llround(ICE40_CELLS_PER_LUT6 * (double)logic);
    return e;
}

/* the board top: UART receiver and transmitter, byte/beat conversions,
 * reset */
#define ICE40_BOARD_LUT4 120

Ice40Estimate ice40_estimate(const Dataflow *df)
{
    Ice40Estimate e = { ICE40_BOARD_LUT4, 0, 0, 0 };
    for (int k = 0; k < df->n_layers; k++) {
        Ice40LayerEstimate le = ice40_estimate_layer(&df->layers[k]);
        e.lut4 += le.lut4;
        e.ebr += le.ebr;
    }
    return e;
}

static void over(char *why, size_t size, size_t *used, const char *what, int64_t need,
                 int64_t have, const char *unit)
{
    if (need <= have || *used >= size)
        return;
    const char *sep = *used ? "; " : "";
    if (have == 0)
        *used += (size_t)snprintf(why + *used, size - *used, "%s%s: %lld of 0 %s (the device "
                                  "has none)", sep, what, (long long)need, unit);
    else
        *used += (size_t)snprintf(why + *used, size - *used, "%s%s: %lld of %lld %s, %lld over "
                                  "(%.0f %%)", sep, what, (long long)need, (long long)have, unit,
                                  (long long)(need - have), 100.0 * (double)need / (double)have);
}

bool ice40_fits(const Ice40Estimate *e, const Ice40Device *dev, char *why, size_t size)
{
    size_t used = 0;
    why[0] = '\0';
    over(why, size, &used, "LUT4", e->lut4, dev->lut4, "logic cells");
    over(why, size, &used, "EBR", e->ebr, dev->ebr, "block RAMs of 4 kbit");
    over(why, size, &used, "SPRAM", e->spram, dev->spram, "blocks of 256 kbit");
    over(why, size, &used, "DSP", e->dsp, dev->dsp, "DSP blocks");
    return used == 0;
}
