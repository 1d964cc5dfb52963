/* `qonnxc report DIR` on an ice40 build: what DIR/ice40/report.json (the
 * bitstream's make) measured beside the iCE40 estimates (docs/ice40.md). */
#ifndef QONNXC_REPORT_ICE40_H
#define QONNXC_REPORT_ICE40_H

#include <stdbool.h>

#include "dataflow.h"
#include "diag.h"
#include "emit_util.h"

/* Appends the table to `out` when DIR/ice40/report.json exists (nothing
 * when it does not); false with d naming the file when it is malformed. */
bool ice40_report_table(const Dataflow *df, const char *dir, TextBuf *out, Diag *d);

#endif
