/* Helpers shared by the integer ops of the qonnxc domain (ir/op_input_quant.c,
 * op_int_matmul.c, op_int_conv.c, op_int_multithreshold.c, op_int_maxpool.c,
 * op_int_add.c, op_output_affine.c): the int engine of docs/integer-graph.md.
 *
 * Integer tensors are held in int64 (Value.i). The evals never let an int64
 * operation overflow: each checks a bound first (from the largest input
 * magnitude and the weights) and fails with an error naming the node when
 * a result might not fit. */
#ifndef QONNXC_OP_INT_H
#define QONNXC_OP_INT_H

#include "op_math.h"
#include "op_util.h"

/* Element type of every integer tensor of the integer graph (storage). */
#define INT_GRAPH_ELEM_TYPE ET_INT64

/* Error unless input value k is present and held in integer storage. */
bool int_need_int(const OpCtx *ctx, const Node *n, const Value *const *in, int k,
                  const char *what);
/* Error unless input k of the node is a constant tensor (check time). */
bool int_need_const(const OpCtx *ctx, const Node *n, int k, const char *what);
/* Error unless every element of v is -1 or +1. */
bool int_need_bipolar(const OpCtx *ctx, const Node *n, const Value *v, const char *what);

/* Largest |v[k]|, saturated at INT64_MAX (so INT64_MIN gives INT64_MAX). */
int64_t int_max_abs(const Value *v);
/* Largest |x| * sum |w| over one output must stay below this for the
 * accumulators to be exact: room for the sums and a few additions. */
#define INT_ACC_LIMIT ((int64_t)1 << 62)
/* False with an error naming the node if max_abs_x * max_weight_l1 could
 * reach INT_ACC_LIMIT. */
bool int_check_acc_bound(const OpCtx *ctx, const Node *n, int64_t max_abs_x,
                         int64_t max_weight_l1);
/* int_check_acc_bound for a weight tensor w of n_out outputs with n_taps
 * weights each, weight t of output o at o * out_step + t * tap_step: its
 * largest sum |w| over one output goes into *max_l1. A sum that overflows
 * int64 fails the check. */
bool int_check_weight_bound(const OpCtx *ctx, const Node *n, int64_t max_abs_x, const Value *w,
                            int64_t n_out, int64_t n_taps, int64_t out_step, int64_t tap_step,
                            int64_t *max_l1);

/* Pools (IntMaxPool, IntSumPool): the window of kernel_shape (required),
 * strides, pads, dilations, auto_pad, ceil_mode; window_pool_shape
 * (op_math.h) gives the output shape over X. */
bool int_pool_window(const OpCtx *ctx, const Node *n, Window *w);

#endif
