/* Streamlining: from the cleaned QONNX graph to the integer graph of
 * docs/integer-graph.md. One pass per file (ir/streamline_*.c). */
#ifndef QONNXC_STREAMLINE_H
#define QONNXC_STREAMLINE_H

#include "graph.h"

/* Rewrites g (already through cleanup_graph) in place into the integer
 * graph, verifying after each pass when `verify` is set. Anything the
 * integer form cannot express exactly stops with an error naming the node. */
bool streamline_graph(Graph *g, bool verify, Diag *d);

/* The integer graph's invariants: graph_verify's, plus every tensor between
 * InputQuant and OutputAffine is integer with a datatype (Tensor.qdt), and
 * only qonnxc ops and layout ops sit there. */
bool graph_verify_integer(const Graph *g, Diag *d);

#endif
