/* The `ice40` target: the rtl target's design for an iCE40 and what takes
 * it to a bitstream with open tools, written into "ice40/" of an output
 * tree (docs/ice40.md):
 *
 *   <name>_top.v, qnn_*.v, *.mem   the rtl target's design, its FIFOs in
 *                      flip-flops or EBR (the iCE40 has no LUT RAM)
 *   <name>_ice40.v     the board top: PLL, UART, frames in and out
 *   qnn_uart.v         the UART and the byte/beat conversions
 *   <name>.pcf         the board's pins
 *   fit.txt            the resource estimate against the device
 *   memories.ys        yosys: the small RAMs kept out of EBR
 *   layers.ys          yosys: LUT4 and EBR per layer, for report.json
 *   uart_*.{c,h}, ice40_serial.c, gatesim_main.cpp, gatesim_design.h,
 *   host.c, host.h, model.h, npy_io.c, ref_main.c.inc
 *                      the frame runners: over a serial port, or through
 *                      the netlist after synthesis
 *   ice40_report.c     report.json from yosys's and nextpnr's reports
 *   Makefile           make: <name>.bin and report.json; make gatesim
 *
 * The same dataflow graph and settings always give byte-identical files. */
#ifndef QONNXC_EMIT_ICE40_H
#define QONNXC_EMIT_ICE40_H

#include <stdbool.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_util.h"

/* cfg: the device, package and baud rate (the clock is df->clock_mhz).
 * A design the estimate finds too big is emitted all the same: its
 * Makefile stops before synthesis with the estimate's message, which
 * `fit` also receives ("" when it fits). */
bool emit_ice40(const Dataflow *df, const BuildConfig *cfg, const char *model_path,
                const char *name, OutTree *out, char *fit, size_t fit_size, Diag *d);

#endif
