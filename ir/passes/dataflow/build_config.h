/* What a build configuration holds, for the dataflow passes that read it
 * (folding, FIFO depths, clock). The YAML syntax and its parser are the
 * CLI's (src/cli/config.h); a pass sees only this struct. */
#ifndef QONNXC_BUILD_CONFIG_H
#define QONNXC_BUILD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "input_type.h"

#define DEFAULT_CLOCK_MHZ 100.0
#define DEFAULT_FIFO_DEPTH 32
#define DEFAULT_MAX_WEIGHT_STREAM_BITS 8192
#define CONFIG_MAX_TARGETS 8
#define DEFAULT_UART_BAUD 115200

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
    InputType input_type; /* bits == 0: not set */
    /* the ice40 target (docs/ice40.md) */
    const char *device;   /* "up5k" or "hx8k"; NULL: up5k */
    const char *package;  /* e.g. "sg48"; NULL: the device's board package */
    int64_t uart_baud;    /* the board top's UART */
} BuildConfig;

/* The defaults (no file): clock 100 MHz, no target fps, cap 8192 bits,
 * FIFO depth 32, no labels, no entries, no targets, UART at 115200 baud. */
void config_defaults(BuildConfig *c);
/* Releases what the parser allocated (config_load, config_parse). */
void config_free(BuildConfig *c);

#endif
