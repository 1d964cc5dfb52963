/* The compiler as one list of named steps (docs/architecture.md,
 * "Pipeline"), run by one driver:
 *
 *   step        does                                          then checks
 *   load        reads the ONNX file                           (the loader's own checks)
 *   cleanup     cleanup passes; the input type (--input-type  graph_verify
 *               or the config's) as a Quant node, cleaned up again
 *   streamline  QONNX -> the integer graph                    graph_verify_integer
 *   dataflow    lowering, folding, DWCs, FIFOs, estimates     dataflow_verify
 *   size-fifos  rtl: FIFO depths from a simulation            dataflow_verify
 *   emit-<t>    each target of the table (targets.h)          graph_verify_integer
 *
 * A run holds the steps it needs, in this order: dataflow only when a
 * target needs it (or its dump is asked for), size-fifos only with rtl
 * and --size-fifos, an emit step per target asked for. After each step
 * the driver runs its check (a failure is a qonnxc bug and names the
 * step), times it, prints "step i/n name ... ms" on stderr when verbose,
 * and writes the graph as text after the step named by dump_after. */
#ifndef QONNXC_PIPELINE_H
#define QONNXC_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_util.h"
#include "graph.h"
#include "input_type.h"
#include "targets.h"

typedef struct Pipeline Pipeline;

/* One step: what it does and what is checked after it. */
typedef struct PipelineStep {
    const char *name;                      /* "streamline", "emit-ref" */
    bool (*run)(Pipeline *p, const struct PipelineStep *s, Diag *d);
    bool (*check)(const Pipeline *p, Diag *d);   /* NULL: nothing to check */
    int target;                            /* emit steps: the index in targets[]; else -1 */
} PipelineStep;

typedef struct PipelineOptions {
    const char *model;        /* the ONNX file */
    const char *input_type;   /* --input-type; NULL: the config's, if any */
    const BuildConfig *cfg;   /* folding, FIFO depths, input type; NULL: the defaults */
    TargetSet targets;        /* an emit step for each */
    int size_fifos;           /* rtl: frames of the FIFO-sizing simulation; 0: no such step */
    FILE *fifo_log;           /* its progress (NULL: stdout) */
    const char *stop_after;   /* the last step (the plan ends there); NULL: every step */
    bool verbose;             /* "step i/n name ... ms" on stderr after each step */
    const char *dump_after;   /* write the graph after this step; NULL: never */
    const char *dump_to;      /* into this file; NULL: stdout */
} PipelineOptions;

#define PIPELINE_MAX_STEPS 16

struct Pipeline {
    PipelineOptions o;
    BuildConfig defaults;     /* o.cfg when none was given */
    InputType input_type;     /* of the cleanup step; bits == 0: none */
    char name[64];            /* the C prefix (ref_model_name) */
    char emit_names[32][16];  /* "emit-<target>", by target index */
    int n_steps;
    PipelineStep steps[PIPELINE_MAX_STEPS];
    bool done[PIPELINE_MAX_STEPS];
    double ms[PIPELINE_MAX_STEPS];   /* wall time of each step run */
    int next;                 /* pipeline_run starts here */

    Graph *g;                 /* from load on */
    Dataflow df;              /* from the dataflow step on, when have_df */
    bool have_df;
    bool named, named_df;     /* the naming step ran on g, and on df too */
    OutTree *tree;            /* where emit steps add their files; set by the caller */
    int files[32];            /* files each target's emit step added, by target index */
    TextBuf notes;            /* what targets print after build's lines (npu's table) */
};

/* Every step name, in order ("load, cleanup, ..., emit-npu"), for messages. */
void pipeline_step_names(char *buf, size_t size);

/* Plans the steps for o. false with d (EXIT_USAGE) when o.stop_after or
 * o.dump_after is not a step, or names a step this run does not have; the
 * message lists the steps. Release with pipeline_free either way. */
bool pipeline_init(Pipeline *p, const PipelineOptions *o, Diag *d);
void pipeline_free(Pipeline *p);

/* Runs the planned steps not yet run, in order, up to the end of the plan. */
bool pipeline_run(Pipeline *p, Diag *d);
/* The same up to step `last` of the plan (inclusive). */
bool pipeline_run_to(Pipeline *p, int last, Diag *d);

/* The index of step `name` in the plan, or -1. */
int pipeline_find(const Pipeline *p, const char *name);

/* Runs step k of the plan alone (verify runs each target's steps on
 * its own so that one failing target does not stop the others). The
 * steps before it must have run. */
bool pipeline_step(Pipeline *p, int k, Diag *d);

/* The graph as text after step `step` (pipeline_dump.c): one line per
 * tensor of the interface and per node, with ops, tensor names, datatypes
 * and shapes; after dataflow steps, one line per layer with its folding. */
void pipeline_dump(const Pipeline *p, const char *step, FILE *f);

#endif
