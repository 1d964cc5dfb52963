/* The interpreter: runs a graph on input values, node by node, with each
 * op's eval. On the cleaned QONNX graph it is the golden executor; on the
 * integer graph (qonnxc-domain ops) it is the int engine. */
#ifndef QONNXC_EXEC_H
#define QONNXC_EXEC_H

#include "ops.h"

/* How a run evaluates; zero-initialised is the golden default. */
typedef struct ExecOptions {
    GoldenSum sum;   /* how Conv, MatMul and Gemm sum float products */
} ExecOptions;

/* Called after each node with its output values (for tests and dumps). */
typedef void (*ExecObserver)(void *user, const Node *n, Value *const *outputs);

/* One run over the given values, one per g->inputs, in their order.
 * outputs[k] receives a new heap value for g->outputs[k]. */
bool exec_run(Graph *g, const Value *const *inputs, Value **outputs, Diag *d);
bool exec_run_observed(Graph *g, const Value *const *inputs, Value **outputs,
                       ExecObserver observe, void *user, Diag *d);

/* Runs the graph frame by frame over a batch: every input's leading dim is
 * the number of frames N (the same for all inputs), whatever batch the
 * model declares; the graph runs once per frame with that dim set to 1 and
 * the outputs are stacked along a leading dim of N. */
bool exec_run_frames(Graph *g, const Value *const *inputs, Value **outputs, Diag *d);
/* The same with options (NULL: the defaults). */
bool exec_run_frames_with(Graph *g, const Value *const *inputs, Value **outputs,
                          const ExecOptions *opts, Diag *d);

#endif
