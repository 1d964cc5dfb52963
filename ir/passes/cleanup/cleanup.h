/* The front end's cleanup: from the graph as loaded to a graph the golden
 * executor and the streamlining passes can work on. One pass per file
 * (ir/cleanup_*.c); graph_verify checks the invariants between passes. */
#ifndef QONNXC_CLEANUP_H
#define QONNXC_CLEANUP_H

#include "graph.h"

/* Resolves ops, then runs every pass below in order, verifying after each
 * when `verify` is set (tests set it; the CLI does too: it is cheap). */
bool cleanup_graph(Graph *g, bool verify, Diag *d);

/* Sorts nodes topologically; a cycle is an error naming a node on it. */
bool pass_topo_sort(Graph *g, Diag *d);
/* Sets the leading (batch) dim of every graph input to 1: executors run one
 * frame at a time, whatever batch the model declares. */
bool pass_fix_batch(Graph *g, Diag *d);
/* Static element types and shapes of every tensor, by each op's infer. */
bool pass_infer_shapes(Graph *g, Diag *d);
/* Evaluates nodes whose inputs are all constant (and Shape of a tensor of
 * known shape), replacing their outputs by constants. QONNX quantizers on
 * constants (weight Quant) are kept: streamlining needs their integers. */
bool pass_fold_constants(Graph *g, Diag *d);
/* Turns no-op nodes (Pad by zeros, Mul by ones, Add of zeros, Reshape to
 * the same shape) into Identity nodes for pass_remove_identity. */
bool pass_remove_noop(Graph *g, Diag *d);
/* Bypasses Identity nodes. */
bool pass_remove_identity(Graph *g, Diag *d);
/* Drops nodes whose outputs nobody reads, and unused tensors. */
bool pass_remove_dead(Graph *g, Diag *d);
/* Gives every node a unique, non-empty name (<op>_<k> for unnamed ones). */
bool pass_unique_names(Graph *g, Diag *d);

/* Invariants: every node's op resolved; inputs are constants, graph inputs
 * or outputs of an earlier node; every tensor written at most once; graph
 * outputs computed; node names unique and non-empty once unique_names ran. */
bool graph_verify(const Graph *g, Diag *d);

#endif
