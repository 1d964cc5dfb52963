/* The `rtl` target: Verilog for the dataflow accelerator and its Verilator
 * simulation, written into "rtl/" of an output tree (docs/rtl.md):
 *
 *   <name>_top.v       the generated top: one library module (rtl/qnn_*.v)
 *                      per dataflow layer with the layer's folding, a
 *                      qnn_fifo on every FIFO layer, AXI-Stream in and out
 *   qnn_*.v            the library modules the top uses, verbatim
 *   *.mem              weights and thresholds ($readmemh, the layouts of
 *                      qnn_mvau.v and qnn_threshold.v)
 *   rtlsim_design.h    what the harness needs to know of the design: beat
 *                      formats, the streams and FIFOs it watches
 *   rtlsim_main.cpp    the Verilator harness (sim/rtlsim_main.cpp, verbatim)
 *   host.c, host.h,    the float boundary (the ref target's InputQuant and
 *   model.h            OutputAffine) between .npy frames and stream elements
 *   npy_io.c           the ref target's .npy reader and writer
 *   Makefile           make sim: ./<name>_rtlsim IN.npy OUT.npy (Verilator);
 *                      make lint: verilator --lint-only -Wall
 *
 * The same dataflow graph always gives byte-identical files. */
#ifndef QONNXC_EMIT_RTL_H
#define QONNXC_EMIT_RTL_H

#include <stdbool.h>
#include <stdio.h>

#include "dataflow.h"
#include "emit_util.h"

/* The instance name of layer k, also the synthesis report's name for it:
 * "l<k>_<layer name as an identifier>". */
void rtl_instance_name(const Dataflow *df, int k, char *out, size_t size);

/* Adds the files to `out`. df->g is the integer graph (its InputQuant and
 * OutputAffine become the host side); name is the C prefix
 * (ref_model_name). Errors name the layer the target cannot handle. */
bool emit_rtl(const Dataflow *df, const char *model_path, const char *name, OutTree *out,
              Diag *d);

/* The FPGA family a top is for: it decides the FIFOs' buffers. */
typedef enum RtlFamily {
    RTL_XILINX,   /* LUT RAM up to depth 256, block RAM deeper */
    RTL_ICE40     /* no LUT RAM: flip-flops up to RTL_ICE40_REGISTER_FIFO_BITS, EBR above */
} RtlFamily;
#define RTL_ICE40_REGISTER_FIFO_BITS 256

/* qnn_fifo's RAM_STYLE for FIFO layer l ("distributed", "block", "registers"). */
const char *rtl_fifo_ram_style(const Layer *l, RtlFamily family);

/* The generated top alone (no host side: df->g may be NULL), and the
 * memory files of its layers into `out` under "rtl/". */
bool emit_rtl_top(const Dataflow *df, const char *name, TextBuf *top, OutTree *out, Diag *d);
/* The same for a family (emit_rtl_top: RTL_XILINX). */
bool emit_rtl_top_for(const Dataflow *df, const char *name, RtlFamily family, TextBuf *top,
                      OutTree *out, Diag *d);

/* FIFO sizing (rtl/rtl_fifo_sizing.c): simulates the design with deep
 * FIFOs on `frames` random frames, sets every FIFO layer's depth to its
 * measured maximum occupancy plus a margin, simulates again to check the
 * cycles per frame did not grow, and re-runs the estimates. Builds in a
 * temporary directory; progress goes to `log`. */
bool rtl_size_fifos(Dataflow *df, const char *model_path, const char *name, int frames,
                    FILE *log, Diag *d);

#endif
