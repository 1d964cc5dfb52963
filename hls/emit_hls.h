/* The `hls` target: HLS-ready C99 streaming kernels for the dataflow graph
 * (ir/dataflow.h), written into "hls/" of an output tree (docs/hls.md):
 *
 *   top.h, top.c         the HLS sources: stream beat types, one function per
 *                        dataflow layer, weights and thresholds as const
 *                        arrays partitioned by PE, and the DATAFLOW top
 *                        <name>_top with AXI-stream ports. Plain C99: no
 *                        ap_int, no heap, no recursion, constant loop bounds.
 *   model.h, host.c      the host side: InputQuant before the top and
 *                        OutputAffine after it (the ref target's code),
 *                        packing frames into stream beats and back
 *   csim.c               the C simulation testbench:
 *                        ./<name>_csim [--int] IN.npy OUT.npy
 *   Makefile             cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic
 *                        -ffp-contract=off
 *
 * The file names are fixed: the model's name (<name>, ref_model_name) only
 * prefixes C identifiers and names the executable, so no model name can
 * make two files collide. The same dataflow graph always gives
 * byte-identical files. */
#ifndef QONNXC_EMIT_HLS_H
#define QONNXC_EMIT_HLS_H

#include <stdbool.h>

#include "dataflow.h"
#include "emit_util.h"

/* Adds the files to `out`. df->g is the integer graph the dataflow graph was
 * lowered from (its InputQuant and OutputAffine become the host side); name
 * is the C prefix (ref_model_name). Errors name the layer the target cannot
 * handle. */
bool emit_hls(const Dataflow *df, const char *model_path, const char *name, OutTree *out,
              Diag *d);

/* The HLS sources alone, top.h into `header` and top.c into `source`:
 * what emit_hls writes there. Needs no integer graph (df->g may be NULL),
 * so the kernels can be tested on hand-built dataflow graphs. */
bool emit_hls_kernels(const Dataflow *df, const char *name, TextBuf *header, TextBuf *source,
                      Diag *d);

#endif
