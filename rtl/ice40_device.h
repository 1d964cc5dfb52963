/* The iCE40 devices of the ice40 target (docs/ice40.md): their resources,
 * the PLL settings for a clock, and the resource model of a dataflow
 * design on them, which refuses a folding that cannot fit before yosys
 * and nextpnr spend minutes finding out. */
#ifndef QONNXC_ICE40_DEVICE_H
#define QONNXC_ICE40_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build_config.h"
#include "dataflow.h"

typedef struct Ice40Device {
    const char *name;          /* "up5k", nextpnr-ice40's --up5k */
    const char *package;       /* the default package (the board's) */
    const char *packages;      /* every package nextpnr-ice40 knows for it, space-separated */
    int64_t lut4, ebr, spram, dsp;
    const char *board;         /* the board whose pins the .pcf names, or NULL */
    const char *clk_pin, *rx_pin, *tx_pin, *led_pin;
    bool pll_pad;              /* the oscillator pin feeds the PLL directly (SB_PLL40_PAD) */
} Ice40Device;

/* The device the configuration names (NULL: up5k); NULL if unknown (the
 * configuration parser has already refused that). */
const Ice40Device *ice40_device(const char *name);

/* Whether `package` is one of dev->packages. */
bool ice40_has_package(const Ice40Device *dev, const char *package);

/* The board oscillator: 12 MHz on the iCEBreaker and the HX8K breakout. */
#define ICE40_OSC_MHZ 12.0

/* The PLL settings icepll would choose for `mhz` from the 12 MHz
 * oscillator (SIMPLE feedback). False when no setting comes within 1 %. */
typedef struct Ice40Pll {
    int divr, divf, divq, filter_range;
    double out_mhz;            /* what the PLL makes */
} Ice40Pll;
bool ice40_pll(double mhz, Ice40Pll *p);

/* The resource model (docs/ice40.md, "Estimate"). */
typedef struct Ice40LayerEstimate {
    int64_t lut4, ebr;
} Ice40LayerEstimate;

typedef struct Ice40Estimate {
    int64_t lut4, ebr, spram, dsp;   /* the design with its board top */
} Ice40Estimate;

/* An MVAU's input buffer (qnn_mvau's g_ibuf: SF words of SIMD input
 * elements, when NF > 1) of at most this many bits goes into flip-flops:
 * yosys would spend an EBR on even a few bytes of RAM. */
#define ICE40_LOGIC_IBUF_BITS 256
/* The buffer's bits; 0 when the layer has none. */
int64_t ice40_ibuf_bits(const Layer *l);

/* EBR blocks (4 kbit; 256x16, 512x8, 1024x4 or 2048x2) for a memory of
 * depth words of width bits. */
int64_t ice40_ebr_for(int64_t depth, int64_t width);
Ice40LayerEstimate ice40_estimate_layer(const Layer *l);
Ice40Estimate ice40_estimate(const Dataflow *df);

/* Whether the estimate fits the device; if not, `why` names each resource
 * over and by how much ("EBR: 41 of 30 blocks, 11 over (137 %)"). */
bool ice40_fits(const Ice40Estimate *e, const Ice40Device *dev, char *why, size_t size);

#endif
