/* Values: dense tensors of data, for constants in the graph and for the
 * activations the executors compute.
 *
 * There are two storage classes. Floating-point element types (FLOAT,
 * FLOAT16, DOUBLE) are held as float32 in `f`: the golden executor computes
 * in float32, as QONNX's own executor does. Integral types and BOOL are held
 * as int64 in `i`, with the ONNX element type remembered so Cast and the
 * integer passes know the intended width. Exactly one of f, i is set. */
#ifndef QONNXC_VALUE_H
#define QONNXC_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

#define MAX_RANK 8

/* ONNX TensorProto.DataType numbers. */
enum {
    ET_UNDEFINED = 0, ET_FLOAT = 1, ET_UINT8 = 2, ET_INT8 = 3, ET_UINT16 = 4,
    ET_INT16 = 5, ET_INT32 = 6, ET_INT64 = 7, ET_STRING = 8, ET_BOOL = 9,
    ET_FLOAT16 = 10, ET_DOUBLE = 11, ET_UINT32 = 12, ET_UINT64 = 13,
    ET_COMPLEX64 = 14, ET_COMPLEX128 = 15, ET_BFLOAT16 = 16,
};

/* A shape; rank -1 means unknown, a dim of -1 an unknown extent. */
typedef struct Shape {
    int rank;
    int64_t dims[MAX_RANK];
} Shape;

typedef struct Value {
    int elem_type;
    Shape shape;       /* always fully known */
    int64_t count;     /* product of dims; 1 for a scalar */
    float *f;
    int64_t *i;
    bool in_arena;     /* data belongs to a graph arena, not to malloc */
} Value;

const char *elem_type_name(int elem_type);
bool elem_type_is_float(int elem_type);
/* Element types the executors support (float-like, integral, bool). */
bool elem_type_supported(int elem_type);

bool shape_known(const Shape *s);
/* Number of elements; -1 if unknown or if the product overflows int64. */
int64_t shape_count(const Shape *s);
bool shape_equal(const Shape *a, const Shape *b);
/* "[1, 64, 30, 30]", "[?, 10]" or "unknown" into buf. */
const char *shape_str(const Shape *s, char *buf, int size);

/* Heap values, for activations. value_new returns NULL when the shape is
 * unknown, too large, or malloc fails. */
Value *value_new(int elem_type, const Shape *shape);
Value *value_copy(const Value *v);
void value_free(Value *v);
/* A value whose struct and data live in an arena (graph constants). */
Value *value_new_in(Arena *a, int elem_type, const Shape *shape);
Value *value_copy_in(Arena *a, const Value *v);

/* Element k as a double, whatever the storage class. */
double value_get(const Value *v, int64_t k);
/* Stores x into element k: rounded toward zero into int storage. */
void value_set(Value *v, int64_t k, double x);

/* Scalar or single-element views, for attribute-like inputs. */
bool value_is_scalar(const Value *v);

#endif
