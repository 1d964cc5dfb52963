/* Shared by the files of the `rtl` target emitter (rtl/emit_rtl*.c):
 *
 *   emit_rtl_top.c    <name>_top.v and the .mem files of its layers
 *   emit_rtl_host.c   the simulation's host side: host.c/.h, model.h,
 *                     npy_io.c, rtlsim_design.h
 *   emit_rtl.c        the driver: library and harness sources, Makefile
 *
 *   rtl_streams.c     the streams between them
 *
 * Streams are numbered by their source (rtl_streams.c): stream 0 the top's
 * s_axis input, stream k + 1 output port 0 of layer k (stream n_layers the
 * m_axis output), then port 1 of every FORK. In a chain stream k is what
 * layer k reads. */
#ifndef QONNXC_EMIT_RTL_INTERNAL_H
#define QONNXC_EMIT_RTL_INTERNAL_H

#include <stdbool.h>

#include "dataflow.h"
#include "emit_rtl.h"
#include "emit_util.h"

/* How many streams the top has: inputs, outputs and one per output port. */
int rtl_n_streams(const Dataflow *df);
/* The stream on output `port` of `layer` (DATAFLOW_INPUT: stream 0). */
int rtl_stream_of(const Dataflow *df, int layer, int port);
/* The layer and port writing stream s (DATAFLOW_INPUT for stream 0). */
void rtl_stream_source(const Dataflow *df, int s, int *layer, int *port);
/* The layer reading stream s, n_layers for the top's output. */
int rtl_stream_sink(const Dataflow *df, int s);
/* The Verilog wire prefix of stream s: "s_axis", "st<s>", "st<k+1>_1"
 * (a FORK's second output) or "m_axis". */
void rtl_stream_name(const Dataflow *df, int s, char *out, size_t size);
/* Width of FIFO layer l's occupancy port: $clog2(depth + 1). */
int rtl_count_width(int64_t depth);
/* layer_error with "rtl target: " before the message. */
bool rtl_layer_error(Diag *d, const Dataflow *df, const Layer *l, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* emit_rtl.c: the design of the rtl target for `family` into "rtl/" of
 * out: the top, its .mem files, the library modules (their names into
 * mods, at most RTL_MAX_MODULES) and the simulation's host side. */
#define RTL_MAX_MODULES 16
bool rtl_emit_design(const Dataflow *df, const char *model_path, const char *name,
                     RtlFamily family, OutTree *out, const char **mods, int *n_mods, Diag *d);
/* Adds the embedded copy of the library file `rel` (rtl_sources.h) at `to`. */
bool rtl_copy_source(const char *rel, const char *to, OutTree *out, Diag *d);

/* emit_rtl_host.c: everything of the simulation but the Verilog. */
bool rtl_emit_host(const Dataflow *df, const char *model_path, const char *name, OutTree *out,
                   Diag *d);

#endif
