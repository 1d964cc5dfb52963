/* Helpers shared by the ONNX tensor and shape ops (ir/op_reshape.c,
 * op_squeeze.c, op_pad.c, op_slice.c, ...): integer lists read from
 * attributes or from constant int64 inputs (shapes, axes, pads, starts),
 * axis lists, and element moves that work for both storage classes. */
#ifndef QONNXC_OP_TENSOR_H
#define QONNXC_OP_TENSOR_H

#include "op_util.h"

/* Long enough for pads (two entries per axis) at the maximum rank. */
#define INT_LIST_MAX (2 * MAX_RANK)

typedef struct IntList {
    int n;
    int64_t v[INT_LIST_MAX];
} IntList;

/* A 1-D (or, when allow_scalar, 0-D) integral value as a list. False with
 * an error naming the node and `what` ("shape", "axes") if the value is not
 * integral, has the wrong rank or more than INT_LIST_MAX entries. */
bool int_list_from_value(const OpCtx *ctx, const Node *n, const Value *v, const char *what,
                         bool allow_scalar, IntList *out);
/* An INTS attribute as a list; false with an error if it is of another
 * kind or too long. A missing attribute is not handled here. */
bool int_list_from_attr(const OpCtx *ctx, const Node *n, const Attr *a, IntList *out);

/* The constant value of input k, or NULL (absent, omitted or not constant). */
const Value *op_const_input(const Node *n, int k);
/* Input k when present (not omitted), else NULL. */
const Tensor *op_input(const Node *n, int k);

/* Normalises every axis to [0, rank) and rejects duplicates. */
bool op_axes_normalize(const OpCtx *ctx, const Node *n, IntList *axes, int rank);

/* Whether a value's elements are held in float (f) storage. */
static inline bool value_is_float_storage(const Value *v)
{
    return v->f != NULL;
}

/* dst[kd] = src[ks]; both values must have the same storage class. */
static inline void value_move(Value *dst, int64_t kd, const Value *src, int64_t ks)
{
    if (dst->f)
        dst->f[kd] = src->f[ks];
    else
        dst->i[kd] = src->i[ks];
}

/* Error unless a required input value is there (eval may be called on a
 * node that was never resolved, e.g. by a test). */
bool op_need_input(const OpCtx *ctx, const Node *n, const Value *const *in, int k);

/* Error unless a and b have the same storage class (float vs integral). */
bool op_same_storage(const OpCtx *ctx, const Node *n, const Value *a, const Value *b,
                     const char *what);

/* A copy of x with the same elements in row-major order and shape s
 * (whose element count must equal x's): Reshape, Flatten, Squeeze,
 * Unsqueeze, Identity. NULL with an error if too large. */
Value *op_value_reshaped(const OpCtx *ctx, const Node *n, const Value *x, const Shape *s);

/* a * b into *out; false on int64 overflow (both non-negative). */
static inline bool dim_mul(int64_t a, int64_t b, int64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

#endif
