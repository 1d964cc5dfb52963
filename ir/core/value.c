#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *elem_type_name(int t)
{
    static const char *names[] = {
        "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64",
        "string", "bool", "float16", "float64", "uint32", "uint64", "complex64",
        "complex128", "bfloat16",
    };
    if (t >= 0 && t < (int)(sizeof names / sizeof names[0]))
        return names[t];
    return "unknown";
}

bool elem_type_is_float(int t)
{
    return t == ET_FLOAT || t == ET_FLOAT16 || t == ET_DOUBLE || t == ET_BFLOAT16;
}

bool elem_type_supported(int t)
{
    switch (t) {
    case ET_FLOAT: case ET_FLOAT16: case ET_DOUBLE: case ET_BFLOAT16:
    case ET_UINT8: case ET_INT8: case ET_UINT16: case ET_INT16: case ET_INT32:
    case ET_INT64: case ET_BOOL: case ET_UINT32: case ET_UINT64:
        return true;
    default:
        return false;
    }
}

bool shape_known(const Shape *s)
{
    if (s->rank < 0)
        return false;
    for (int k = 0; k < s->rank; k++)
        if (s->dims[k] < 0)
            return false;
    return true;
}

int64_t shape_count(const Shape *s)
{
    if (!shape_known(s))
        return -1;
    int64_t n = 1;
    for (int k = 0; k < s->rank; k++) {
        if (s->dims[k] != 0 && n > INT64_MAX / s->dims[k])
            return -1;
        n *= s->dims[k];
    }
    return n;
}

bool shape_equal(const Shape *a, const Shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k])
            return false;
    return true;
}

const char *shape_str(const Shape *s, char *buf, int size)
{
    if (s->rank < 0) {
        snprintf(buf, (size_t)size, "unknown");
        return buf;
    }
    int len = snprintf(buf, (size_t)size, "[");
    for (int k = 0; k < s->rank && len < size; k++) {
        if (s->dims[k] < 0)
            len += snprintf(buf + len, (size_t)(size - len), "%s?", k ? ", " : "");
        else
            len += snprintf(buf + len, (size_t)(size - len), "%s%lld", k ? ", " : "",
                            (long long)s->dims[k]);
    }
    if (len < size)
        snprintf(buf + len, (size_t)(size - len), "]");
    return buf;
}

/* Activations are capped at 2^31 elements: far above any model this
 * compiler targets, and it keeps byte counts well inside size_t. */
static int64_t checked_count(const Shape *shape)
{
    if (shape->rank < 0 || shape->rank > MAX_RANK)
        return -1;
    int64_t n = shape_count(shape);
    return n > ((int64_t)1 << 31) ? -1 : n;
}

static void init_header(Value *v, int elem_type, const Shape *shape, int64_t n)
{
    v->elem_type = elem_type;
    v->shape = *shape;
    v->count = n;
}

Value *value_new(int elem_type, const Shape *shape)
{
    int64_t n = checked_count(shape);
    if (n < 0)
        return NULL;
    Value *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    init_header(v, elem_type, shape, n);
    size_t bytes = (size_t)(n ? n : 1);
    if (elem_type_is_float(elem_type))
        v->f = calloc(bytes, sizeof(float));
    else
        v->i = calloc(bytes, sizeof(int64_t));
    if (!v->f && !v->i) {
        free(v);
        return NULL;
    }
    return v;
}

Value *value_new_in(Arena *a, int elem_type, const Shape *shape)
{
    int64_t n = checked_count(shape);
    if (n < 0)
        return NULL;
    Value *v = arena_alloc(a, sizeof *v);
    if (!v)
        return NULL;
    init_header(v, elem_type, shape, n);
    v->in_arena = true;
    size_t len = (size_t)(n ? n : 1);
    if (elem_type_is_float(elem_type))
        v->f = arena_array(a, len, sizeof(float));
    else
        v->i = arena_array(a, len, sizeof(int64_t));
    if (!v->f && !v->i)
        return NULL;
    return v;
}

static void copy_data(Value *dst, const Value *src)
{
    if (src->f)
        memcpy(dst->f, src->f, (size_t)src->count * sizeof(float));
    else
        memcpy(dst->i, src->i, (size_t)src->count * sizeof(int64_t));
}

Value *value_copy(const Value *v)
{
    Value *c = value_new(v->elem_type, &v->shape);
    if (c)
        copy_data(c, v);
    return c;
}

Value *value_copy_in(Arena *a, const Value *v)
{
    Value *c = value_new_in(a, v->elem_type, &v->shape);
    if (c)
        copy_data(c, v);
    return c;
}

void value_free(Value *v)
{
    if (!v || v->in_arena)
        return;
    free(v->f);
    free(v->i);
    free(v);
}

double value_get(const Value *v, int64_t k)
{
    return v->f ? (double)v->f[k] : (double)v->i[k];
}

void value_set(Value *v, int64_t k, double x)
{
    if (v->f) {
        v->f[k] = (float)x;
        return;
    }
    /* Out-of-range conversions are undefined in C: saturate instead. */
    if (x != x)
        v->i[k] = 0;
    else if (x >= 9.2233720368547758e18)
        v->i[k] = INT64_MAX;
    else if (x <= -9.2233720368547758e18)
        v->i[k] = INT64_MIN;
    else
        v->i[k] = (int64_t)x;
}

bool value_is_scalar(const Value *v)
{
    return v->count == 1;
}
