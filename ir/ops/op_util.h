/* Small helpers shared by op implementations (ir/op_*.c). */
#ifndef QONNXC_OP_UTIL_H
#define QONNXC_OP_UTIL_H

#include "ops.h"

/* Node-scoped error through the op context. Always returns false. */
bool op_error(const OpCtx *ctx, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Allocates out value; on failure reports "output too large" and returns NULL. */
Value *op_new_value(const OpCtx *ctx, const Node *n, int elem_type, const Shape *shape);

/* ONNX multidirectional (numpy) broadcasting of two shapes. Unknown dims
 * stay unknown; returns false with an error naming the node if the shapes
 * cannot broadcast. */
bool broadcast_shapes(const OpCtx *ctx, const Node *n, const Shape *a, const Shape *b, Shape *out);

/* Maps a flat index of the broadcast output to the flat index of an input
 * of shape `in` (rank <= out rank). Strides are precomputed by
 * broadcast_strides for speed. */
void broadcast_strides(const Shape *in, const Shape *out, int64_t strides[MAX_RANK]);
int64_t broadcast_index(int64_t flat, const Shape *out, const int64_t strides[MAX_RANK]);

/* Normalises an axis in [-rank, rank) to [0, rank); false with an error if out of range. */
bool op_axis(const OpCtx *ctx, const Node *n, int64_t axis, int rank, int *out);

/* An INTS attribute: its values and count, or NULL/0 when absent. */
const int64_t *op_attr_ints(const Node *n, const char *name, int *count);

/* Sets output k's static type and shape (infer helpers). */
void op_set_output(Node *n, int k, int elem_type, const Shape *shape);
/* Output 0 takes input 0's type and shape (for unary elementwise ops). */
bool infer_same_as_input0(const OpCtx *ctx, Node *n);

/* Row-major strides of a shape. */
void shape_strides(const Shape *s, int64_t strides[MAX_RANK]);
/* Steps a row-major index over s to the next element, the last axis
 * fastest; after the last element it is back at all zeros. */
void shape_index_next(const Shape *s, int64_t idx[MAX_RANK]);
/* s becomes a shape of the given rank whose dims are not known (-1):
 * infer's answer when only the rank can be worked out. */
void shape_set_unknown(Shape *s, int rank);

#endif
