/* Reads the `stat` report yosys prints after `synth_xilinx -family xc7`
 * (docs/synthesis.md): one section per module ("=== name ===") listing
 * its cells by type, submodule instances among them, then usually a
 * "design hierarchy" section with the whole design's cells.
 *
 * Cells are counted by resource: logic LUTs, LUTs used as memory, flip-
 * flops, block RAM, DSP slices; a module's resources include those of the
 * modules it instantiates. */
#ifndef QONNXC_SYNTH_STAT_H
#define QONNXC_SYNTH_STAT_H

#include <stdbool.h>

#include "diag.h"

/* 7-series resources of a module or design. */
typedef struct SynthCount {
    long long lut;         /* LUT1 .. LUT6 (and LUT6_2): logic */
    long long lutram;      /* LUTs used as distributed RAM or shift registers:
                              RAM32M and RAM64M 4 each, RAM32X1D 2, SRL16E 1, ... */
    long long ff;          /* FD* flip-flops (FDRE, FDSE, FDCE, FDPE) */
    long long ramb18;      /* RAMB18E1 */
    long long ramb36;      /* RAMB36E1 (one is two RAMB18 sites) */
    long long dsp;         /* DSP48E1 */
} SynthCount;

/* Block RAM in RAMB18 units: RAMB18E1 + 2 x RAMB36E1. */
long long synth_bram18(const SynthCount *c);
void synth_count_add(SynthCount *sum, const SynthCount *c, long long times);
bool synth_count_equal(const SynthCount *a, const SynthCount *b);

typedef struct SynthCell {
    char *type;            /* "FDRE", or a module: "$paramod$7b29...\qnn_mvau" */
    long long count;
} SynthCell;

typedef struct SynthModule {
    char *name;
    SynthCell *cells;
    int n_cells;
} SynthModule;

typedef struct SynthStat {
    SynthModule *modules;  /* in the report's order */
    int n_modules;
    const char *top;       /* the module nothing instantiates */
    bool has_total;        /* the report had a "design hierarchy" section */
    SynthModule total;     /* its cells: every primitive of the design */
} SynthStat;

/* Parses `text`, the contents of `path` (named in errors). */
bool synth_stat_parse(const char *text, const char *path, SynthStat *s, Diag *d);
void synth_stat_free(SynthStat *s);

/* NULL if the report has no such module. */
const SynthModule *synth_stat_module(const SynthStat *s, const char *name);

/* The primitives of `m` alone (its submodule instances left out). */
void synth_cells_count(const SynthModule *m, SynthCount *out);
/* The resources of module `name` with everything under it; false if the
 * report has no such module. */
bool synth_module_count(const SynthStat *s, const char *name, SynthCount *out);

#endif
