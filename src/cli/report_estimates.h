/* Reports of a dataflow graph's estimates (docs/dataflow.md, "Reports"):
 *
 *   estimates.json   per layer: name, kind, pe, simd, stream widths and
 *                    datatypes, cycles, latency, luts, bram18, dsp,
 *                    weight_bits, target_missed; network: bottleneck_layer,
 *                    bottleneck_cycles, fps, latency_cycles, totals
 *   dataflow.dot/svg left to right, a title with the network's estimates,
 *                    one box per compute layer (kind, folding, datatypes,
 *                    cycles, LUT/BRAM18/DSP), FIFOs and width converters
 *                    as edge labels, the bottleneck filled red (every
 *                    layer when several tie), a legend; the SVG is drawn
 *                    by Graphviz's `dot`
 *   a text table     what `qonnxc report` prints; every layer as slow as
 *                    the slowest is marked a bottleneck
 *
 * All output is deterministic: the same dataflow graph gives the same bytes. */
#ifndef QONNXC_REPORT_ESTIMATES_H
#define QONNXC_REPORT_ESTIMATES_H

#include <stdbool.h>

#include "dataflow.h"
#include "emit_util.h"

/* The texts, appended to `out`. */
void estimates_json(const Dataflow *df, TextBuf *out);
void estimates_table(const Dataflow *df, TextBuf *out);
void dataflow_dot(const Dataflow *df, TextBuf *out);

/* Writes DIR/estimates.json (DIR created if missing), through a temporary
 * file renamed into place. `qonnxc build` calls it with "OUT/report". */
bool write_estimates_json(const Dataflow *df, const char *dir, Diag *d);

/* Writes DIR/dataflow.dot and runs `dot -Tsvg` into DIR/dataflow.svg.
 * When `dot` is not installed, returns true with *dot_missing set (the
 * .dot file is still written); any other failure is an error. */
bool write_dataflow_svg(const Dataflow *df, const char *dir, bool *dot_missing, Diag *d);

#endif
