/* What qonnxc reads of the statistics the rtl simulation writes
 * (sim/rtlsim_main.cpp, `--json PATH`, rtlsim.json):
 *
 *   {"model": ..., "frames": N, "cycles_per_frame": C, ...,
 *    "fifos": [{"name": ..., "depth": D, "max_occupancy": M}, ...]}
 *
 * FIFO sizing (rtl_fifo_sizing.c) needs the cycles per frame and each
 * FIFO's maximum occupancy. */
#ifndef QONNXC_RTLSIM_STATS_H
#define QONNXC_RTLSIM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

/* Reads path through cJSON: *cycles, and occ[k] for the n_fifos FIFOs in
 * layer order. Errors name the file and the member (not JSON, truncated,
 * "cycles_per_frame" or "fifos[k].max_occupancy" missing or not a whole
 * number, a FIFO count other than n_fifos); exit code EXIT_INTERNAL. */
bool rtlsim_stats_read(const char *path, int n_fifos, int64_t *occ, int64_t *cycles, Diag *d);

#endif
