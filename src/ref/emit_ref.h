/* The `ref` target: a portable C99 reference executor of the integer graph
 * (docs/integer-graph.md), written into "ref/" of an output tree:
 *
 *   model.h, model.c   <name>_run (float frame in, float frame out),
 *                      <name>_run_int (the integer layers alone) and
 *                      <name>_quantize_input; weights and thresholds as
 *                      named const arrays; static buffers, no heap
 *   qc_*.{c,h}         the quant core files the model uses, verbatim
 *   main.c             ./<name> [--int] IN.npy OUT.npy
 *   Makefile           cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic
 *                      -ffp-contract=off
 *
 * The same graph always gives byte-identical files. */
#ifndef QONNXC_EMIT_REF_H
#define QONNXC_EMIT_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "emit_util.h"
#include "graph.h"

/* Adds the files to `out`. g is the integer graph (after streamline_graph
 * and the naming step, emit_names.h), read only; name is the C prefix of
 * the API (ref_model_name). Errors name the node the ref target cannot
 * handle. */
bool emit_ref(const Graph *g, const char *model_path, const char *name, OutTree *out, Diag *d);

/* The API prefix for a model file: its stem as a C identifier, or the name
 * of its folder when the stem is the generic "model"
 * ("models/TFC_1W1A/model.onnx" and "models//TFC_1W1A/./model.onnx" ->
 * "tfc_1w1a"; "2layer.onnx" -> "x2layer"). A name an emitted Makefile
 * cannot give its executable gets "_model" ("clean" -> "clean_model").
 * It prefixes identifiers and names executables, never a source file. */
void ref_model_name(const char *model_path, char *name, size_t size);

#endif
