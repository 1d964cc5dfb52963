/* Build configurations: the YAML files of configs/ (docs/dataflow.md,
 * "Configuration"), read with libyaml into a BuildConfig.
 *
 *   targets: [ref, hls, rtl]      # what `qonnxc build` emits
 *   clock_mhz: 100                # default 100
 *   target_fps: 3000              # automatic folding for layers not listed
 *   max_weight_stream_bits: 8192  # automatic folding: PE * SIMD * weight bits cap
 *   fifo_depth: 32                # every FIFO, unless a layer entry says otherwise
 *   labels: 1                     # top-k LabelSelect at the end; 0: none
 *   folding:                      # per layer, by MVAU index or by layer name
 *     - {mvau: 0, pe: 16, simd: 3}
 *     - {layer: "/conv_features.7/MaxPool", pe: 64, fifo_depth: 64}
 *
 * Unknown keys, keys set twice, wrong types and out-of-range values are
 * errors naming the file and line ("cnv.yaml:7: ..."), exit code 2. */
#ifndef QONNXC_CONFIG_H
#define QONNXC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

#define DEFAULT_CLOCK_MHZ 100.0
#define DEFAULT_FIFO_DEPTH 32
#define DEFAULT_MAX_WEIGHT_STREAM_BITS 8192
#define CONFIG_MAX_TARGETS 8

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

/* One entry of `folding`: selects a layer by name or the n-th MVAU. */
typedef struct LayerConfig {
    const char *layer;    /* layer name, or NULL */
    int mvau;             /* MVAU index in order (0-based), or -1 */
    int pe, simd;         /* 0: not set */
    int64_t fifo_depth;   /* depth of the FIFO in front of the layer; 0: not set */
    int line;             /* line in the file, for messages */
} LayerConfig;

typedef struct BuildConfig {
    Arena arena;          /* strings and the entries */
    const char *path;     /* the file, or "(defaults)" */
    int n_targets;
    const char *targets[CONFIG_MAX_TARGETS];   /* as written, each a known target */
    double clock_mhz;
    double target_fps;    /* 0: not set */
    int64_t max_weight_stream_bits;
    int64_t fifo_depth;
    int labels;           /* top-k; 0: no LabelSelect */
    int n_layers;
    LayerConfig *layers;
} BuildConfig;

/* The defaults (no file): clock 100 MHz, no target fps, cap 8192 bits,
 * FIFO depth 32, no labels, no entries, no targets. */
void config_defaults(BuildConfig *c);
/* Reads a YAML file (defaults first); false with d naming file and line.
 * Either way the caller releases c with config_free. */
bool config_load(BuildConfig *c, const char *path, Diag *d);
/* The same from text in memory (need not end in '\0'); `name` stands for
 * the file in messages. */
bool config_parse(BuildConfig *c, const char *text, size_t len, const char *name, Diag *d);
void config_free(BuildConfig *c);

/* Whether the config lists target `name` ("hls"). */
bool config_has_target(const BuildConfig *c, const char *name);

#endif
