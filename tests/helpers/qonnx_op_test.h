/* One-node graphs for testing a single op through the real machinery:
 * graph_new, graph_add_tensor, graph_add_node, graph_resolve_ops (which
 * runs the op's check), the op's infer, and exec_run.
 *
 *     OpTest *t = optest_new("Quant", "qonnx.custom_op.general", 0, 4);
 *     optest_input(t, 0, "x", 1, (int64_t[]){ 3 });       runtime input
 *     optest_scalar(t, 1, "scale", ET_FLOAT, 0.5);         constants
 *     ...
 *     optest_attr_int(t, "signed", 1);
 *     float y[3];
 *     ck_assert(optest_run_f(t, (float[]){ 1, 2, 3 }, y));   or check t->d.msg
 *     optest_free(t);
 *
 * Input 0 is the only runtime input in the usual case; optest_input can
 * make any input a runtime one (to test "needs a constant" errors). Every
 * call returns false / NULL on failure (out of memory, bad use); errors of
 * the op itself land in t->d. */
#ifndef QONNXC_QONNX_OP_TEST_H
#define QONNXC_QONNX_OP_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "exec.h"
#include "graph.h"
#include "ops.h"

typedef struct OpTest {
    Graph *g;
    Node *node;          /* named "node0" */
    Tensor *out;         /* its output, "y", the graph's one output */
    Diag d;
} OpTest;

/* A graph importing `domain` at `opset` (0: no import) with one node of
 * op_type and n_inputs inputs, not yet connected. */
OpTest *optest_new(const char *op_type, const char *domain, int64_t opset, int n_inputs);
void optest_free(OpTest *t);

/* Input k as a runtime graph input of type float32 and the given shape
 * (rank 0 for a scalar). */
Tensor *optest_input(OpTest *t, int k, const char *name, int rank, const int64_t *dims);
/* Input k as a constant of the given type and shape; data holds `count`
 * numbers (stored as float32 or int64 by the type's storage class). */
Tensor *optest_const(OpTest *t, int k, const char *name, int elem_type, int rank,
                     const int64_t *dims, const double *data);
/* Input k as a constant scalar (rank 0). */
Tensor *optest_scalar(OpTest *t, int k, const char *name, int elem_type, double v);

void optest_attr_int(OpTest *t, const char *name, int64_t v);
void optest_attr_float(OpTest *t, const char *name, float v);
void optest_attr_string(OpTest *t, const char *name, const char *v);

/* graph_resolve_ops (arity and the op's check), then the op's infer. */
bool optest_prepare(OpTest *t);

/* Prepares the graph if needed, then runs it with data x for input 0
 * (shape as declared by optest_input) and copies the float output into y
 * (as many elements as x's shape holds). The other inputs must be
 * constants. */
bool optest_run_f(OpTest *t, const float *x, float *y);

/* Whether t->d holds an error mentioning both the node's name and `what`. */
bool optest_error_says(const OpTest *t, const char *what);

#endif
