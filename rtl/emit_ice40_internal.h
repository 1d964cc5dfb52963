/* Shared by the files of the ice40 target's emitter:
 *
 *   emit_ice40.c        the driver: design, pins, estimate, Makefile
 *   emit_ice40_board.c  the board top and the runners' design headers */
#ifndef QONNXC_EMIT_ICE40_INTERNAL_H
#define QONNXC_EMIT_ICE40_INTERNAL_H

#include <stdbool.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_util.h"
#include "ice40_device.h"

/* The power-on reset: cycles the board holds the accelerator in reset. */
#define ICE40_RESET_CYCLES 64

typedef struct Ice40Design {
    const Dataflow *df;
    const char *name;
    const Ice40Device *dev;
    const char *package;
    bool board;               /* the package is the board's: the .pcf names its pins */
    double clock_mhz;         /* asked (clock_mhz) */
    bool pll;                 /* false: the 12 MHz oscillator itself */
    Ice40Pll pll_cfg;
    double run_mhz;           /* what the design runs at: the PLL's or the oscillator's */
    long baud;
    long clks_per_bit;
    int in_bits, out_bits;    /* the accelerator's beats */
} Ice40Design;

/* Settles the clock, PLL and UART for df and cfg; errors name the
 * configuration's key. */
bool ice40_design_init(Ice40Design *x, const Dataflow *df, const BuildConfig *cfg,
                       const char *name, const char *model_path, Diag *d);

void ice40_emit_board(const Ice40Design *x, TextBuf *b);
void ice40_emit_uart_design(const Ice40Design *x, TextBuf *b);
void ice40_emit_gatesim_design(const Ice40Design *x, TextBuf *b);

#endif
