/* Build configurations: the YAML files of configs/ (docs/dataflow.md,
 * "Configuration"), read with libyaml into a BuildConfig.
 *
 *   targets: [ref, hls, rtl]      # what `qonnxc build` emits without --target
 *   clock_mhz: 100                # default 100
 *   target_fps: 3000              # automatic folding for layers not listed
 *   max_weight_stream_bits: 8192  # automatic folding: PE * SIMD * weight bits cap
 *   fifo_depth: 32                # every FIFO, unless a layer entry says otherwise
 *   labels: 1                     # top-k LabelSelect at the end; 0: none
 *   folding:                      # per layer, by MVAU index or by layer name
 *     - {mvau: 0, pe: 16, simd: 3}
 *     - {layer: "/conv_features.7/MaxPool", pe: 64, fifo_depth: 64}
 *   input_type: fixed<8,3>        # an unquantized float input's type (input_type.h);
 *   input_scale: 0.0625           #   input_scale: the scale of an INTn / UINTn type
 *
 * Unknown keys, keys set twice, wrong types and out-of-range values are
 * errors naming the file and line ("cnv.yaml:7: ..."), exit code 2. */
#ifndef QONNXC_CONFIG_H
#define QONNXC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "build_config.h"
#include "diag.h"

/* What one configuration may hold (docs/limits.md). A real one is a few
 * hundred bytes of flat settings; these bound the memory and time a hostile
 * one can cost (libyaml's parser has no limits of its own). */
#define CONFIG_MAX_BYTES (1 << 20)     /* size of the text */
#define CONFIG_MAX_DEPTH 16            /* nested lists and maps; the keys need 3 */
#define CONFIG_MAX_ALIASES 256         /* `*name` references to anchors */
#define CONFIG_MAX_FOLDING 4096        /* entries of `folding` */
#define CONFIG_MIN_MHZ 0.001           /* range of clock_mhz */
#define CONFIG_MAX_MHZ 100000.0
#define CONFIG_MIN_FPS 0.001           /* range of target_fps */
#define CONFIG_MAX_FPS 1e12

/* Reads a YAML file (defaults first); false with d naming file and line.
 * Either way the caller releases c with config_free (build_config.h). */
bool config_load(BuildConfig *c, const char *path, Diag *d);
/* The same from text in memory (need not end in '\0'); `name` stands for
 * the file in messages. */
bool config_parse(BuildConfig *c, const char *text, size_t len, const char *name, Diag *d);

/* Whether the config lists target `name` ("hls"). */
bool config_has_target(const BuildConfig *c, const char *name);

#endif
