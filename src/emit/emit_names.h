/* The naming step: the names emitted files print, made once, before any
 * emitter runs. Every emitter then takes the graph (and the dataflow
 * graph) const and never writes to it, so a target's files do not depend
 * on which other targets were built in the same run.
 *
 * What it does to the integer graph g (and to df, the dataflow graph built
 * from it, when there is one):
 *
 *   names    every node, tensor and dataflow layer name becomes the form
 *            that is safe in any emitted comment, C string or JSON value:
 *              "*" "/"   -> "*|"   it would end a C comment
 *              "?" "?"   -> "?_"   C99 replaces trigraphs, even in comments
 *              CR, LF    -> " "    it would end a // comment (C, Verilog)
 *            Everything else is kept as the model spells it; a name that
 *            needs none of this is not touched. Messages about the graph
 *            from then on name it in this form.
 *   ids      tensors are numbered (Tensor.id = position in g->tensors):
 *            the plans index their tables by it.
 *
 * C identifiers are made from these names by each target's plan, in that
 * target's own namespace, as pure functions of the const graph:
 * c_identifier() (emit_util.h: letters and digits kept in lower case,
 * every other run one '_', an 'x' before a leading digit, never empty),
 * the quant core's prefix "qc_" turned into "qx_", and a suffix _2, _3, ...
 * against every name handed out before in that namespace, which starts
 * with C keywords, the C library names the emitted code may see and the
 * model's API names (ref_unique_name, src/emit/emit_ref_plan.c; hls
 * hls_unique_name; rtl rtl_instance_name).
 *
 * The build drivers run emit_names after the dataflow graph is built (its
 * folding config names layers as the model spells them) and before the
 * first emitter, FIFO sizing included; ref_plan, which every target's
 * host side goes through, refuses a graph the step has not named. */
#ifndef QONNXC_EMIT_NAMES_H
#define QONNXC_EMIT_NAMES_H

#include "dataflow.h"
#include "graph.h"

/* df may be NULL. Returns false (out of memory, d filled) only when a new
 * name cannot be stored. */
bool emit_names(Graph *g, Dataflow *df, Diag *d);

/* s rewritten in place by the rules above (the model's path, which the
 * emitted comments name, goes through it too). */
void emit_comment_safe(char *s);

#endif
