/* The synthesis report of `qonnxc report --synth` (docs/synthesis.md): per
 * dataflow layer, what yosys made of the layer's instance (synth_stat.h
 * counts) next to the layer's estimates (report_estimates.h):
 *
 *   synth.json   per layer: name, kind, instance, module, lut, lutram, ff,
 *                ramb18, ramb36, bram18, dsp and the estimate's luts,
 *                bram18, dsp; the top level's own cells; totals; the yosys
 *                version, command and wall time
 *   a text table what `qonnxc report --synth` prints */
#ifndef QONNXC_SYNTH_REPORT_H
#define QONNXC_SYNTH_REPORT_H

#include <stdbool.h>

#include "dataflow.h"
#include "emit_util.h"
#include "synth_stat.h"
#include "synth_yosys.h"

typedef struct SynthLayer {
    char instance[80];      /* "l<k>_<name>", as the rtl target names it */
    const char *module;     /* its yosys module; NULL if the design has no such instance */
    SynthCount count;       /* the module with everything under it */
} SynthLayer;

typedef struct SynthReport {
    SynthLayer *layers;     /* one per dataflow layer */
    int n_layers;
    int missing;            /* layers whose instance is not in the design */
    SynthCount top_level;   /* the whole design less the layers found: I/O
                               buffers, the top's glue, unmatched instances */
    SynthCount total;       /* the whole design */
} SynthReport;

/* Matches every layer of df to its instance in the synthesized top.
 * Errors (naming stat_path): the report's hierarchy does not add up to
 * its own total. */
bool synth_report_build(const Dataflow *df, const SynthStat *stat, const SynthInstances *ins,
                        const char *stat_path, SynthReport *r, Diag *d);
void synth_report_free(SynthReport *r);

void synth_table(const Dataflow *df, const SynthReport *r, const SynthRun *run, TextBuf *out);
void synth_json(const Dataflow *df, const SynthReport *r, const SynthRun *run, TextBuf *out);
/* Writes DIR/synth.json through a temporary file renamed into place. */
bool write_synth_json(const Dataflow *df, const SynthReport *r, const SynthRun *run,
                      const char *dir, Diag *d);

#endif
