/* The front end as one call: load an ONNX file and clean it up, then give
 * an unquantized input the type the user named (--input-type, or the
 * configuration's input_type): the pipeline (pipeline.h) stopped after
 * cleanup, for the tests, benchmarks and `qonnxc info`. */
#ifndef QONNXC_FRONTEND_H
#define QONNXC_FRONTEND_H

#include "graph.h"

/* What the command line says about the front end; NULL fields: not given. */
typedef struct FrontendOptions {
    const char *input_type;   /* --input-type TYPE (input_type.h) */
    const char *config;       /* -c CONFIG.yaml: its input_type and input_scale
                                 apply when --input-type is not given */
} FrontendOptions;

/* Loads, resolves ops, runs the cleanup passes (verifying after each).
 * Returns NULL with d filled on any error. */
Graph *frontend_load(const char *path, Diag *d);

/* The same, then the input type of `o` (if any) inserted as a Quant node
 * on the graph input (graph_insert_input_quant) and cleaned up again. A bad
 * type or config is EXIT_USAGE. o may be NULL. */
Graph *frontend_load_with(const char *path, const FrontendOptions *o, Diag *d);

#endif
