/* Running one ONNX op on literal values, through the real machinery:
 * graph_new / graph_add_tensor / graph_add_node, graph_resolve_ops (arity
 * and the op's check), the op's infer, and exec_run. Every input is a
 * runtime graph input whose static type and shape are the value's (unless
 * hidden), so check and infer see what a loaded model would show; after
 * the run, ot_run checks that infer predicted each output's type and
 * shape.
 *
 *     OtRun *r = ot_new("Conv", 11, 3, 1);
 *     ot_input(r, 0, ot_f(4, (int64_t[]){ 1, 1, 3, 3 }, x));
 *     ot_input(r, 1, ot_f(4, (int64_t[]){ 1, 1, 2, 2 }, w));
 *     ot_attr_ints(r, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
 *     Value *y[1];
 *     ck_assert_msg(ot_run(r, y), "%s", r->d.msg);
 *     ...
 *     value_free(y[0]);
 *     ot_free(r);
 *
 * Errors of the op land in r->d. (tests/helpers/qonnx_op_test.h is the
 * float-only single-input counterpart for QONNX ops.) */
#ifndef QONNXC_OP_TEST_UTIL_H
#define QONNXC_OP_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "exec.h"
#include "graph.h"
#include "ops.h"

#define OT_MAX_PORTS 8

typedef struct OtRun {
    Graph *g;
    Node *n;                          /* named "node0" */
    Diag d;
    Value *in[OT_MAX_PORTS];          /* owned; NULL for an omitted input */
} OtRun;

/* A graph importing the ONNX domain at `opset` (0: no import) with one
 * node of op_type, n_inputs inputs (not yet given) and n_outputs outputs
 * y0, y1, ... (all graph outputs). NULL on bad counts or out of memory. */
OtRun *ot_new(const char *op_type, int64_t opset, int n_inputs, int n_outputs);
void ot_free(OtRun *r);

/* Input k: takes ownership of v; NULL leaves the input omitted. */
void ot_input(OtRun *r, int k, Value *v);
/* Makes input k's static shape unknown (rank -1) and, with no_type, its
 * type too, so infer is exercised on partial information. */
void ot_hide_shape(OtRun *r, int k, bool no_type);
/* Omits output k (an optional output nobody asked for). */
void ot_drop_output(OtRun *r, int k);

void ot_attr_int(OtRun *r, const char *name, int64_t v);
void ot_attr_float(OtRun *r, const char *name, float v);
void ot_attr_string(OtRun *r, const char *name, const char *v);
void ot_attr_ints(OtRun *r, const char *name, int count, const int64_t *v);

/* Resolves, checks and infers (once), runs, and compares each output with
 * the inferred type and shape. out[k] receives output k (NULL if dropped);
 * the caller frees them. False with r->d set on any failure, out all NULL. */
bool ot_run(OtRun *r, Value **out);
/* Only graph_resolve_ops and infer: for errors raised before running. */
bool ot_prepare(OtRun *r);

/* Heap values from literals (NULL dims for a scalar); NULL data: zeros. */
Value *ot_f(int rank, const int64_t *dims, const float *data);
Value *ot_i(int elem_type, int rank, const int64_t *dims, const int64_t *data);

/* Whether r->d holds an error naming the node and containing `what`. */
bool ot_error_says(const OtRun *r, const char *what);

#endif
