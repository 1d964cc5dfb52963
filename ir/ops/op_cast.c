/* Cast (to the type of attribute `to`) and CastLike (to the type of input 1).
 *
 * Values hold float types as float32 and integral types as int64 (see
 * value.h), so a cast is a conversion between those plus the rounding or
 * wrapping the target type implies:
 *   float -> integer: truncation toward zero, then wrapped to the target
 *     width like an integer cast (what numpy and ONNX Runtime give on x86
 *     for values in range). ONNX leaves out-of-range results undefined; C
 *     makes them undefined behaviour, so here NaN gives 0 and values beyond
 *     the int64 range saturate to it before the wrap.
 *   integer -> narrower integer: wraps modulo 2^bits (two's complement).
 *   anything -> bool: x != 0 (NaN is true); bool -> number: 0 or 1.
 *   -> float16 / bfloat16: rounded to nearest-even at that precision
 *     (overflow to infinity), still stored as float32.
 *   -> double: kept at float32 precision (the executor is float32).
 * STRING and the complex and float8 types are not supported. */
#include "op_tensor.h"

#include <math.h>
#include <string.h>

static bool cast_target_supported(int et)
{
    return elem_type_supported(et);
}

/* Cast-1 named the target type with a string. */
static int elem_type_from_name(const char *s)
{
    static const struct { const char *name; int et; } names[] = {
        { "FLOAT", ET_FLOAT }, { "UINT8", ET_UINT8 }, { "INT8", ET_INT8 },
        { "UINT16", ET_UINT16 }, { "INT16", ET_INT16 }, { "INT32", ET_INT32 },
        { "INT64", ET_INT64 }, { "STRING", ET_STRING }, { "BOOL", ET_BOOL },
        { "FLOAT16", ET_FLOAT16 }, { "DOUBLE", ET_DOUBLE }, { "UINT32", ET_UINT32 },
        { "UINT64", ET_UINT64 }, { "BFLOAT16", ET_BFLOAT16 },
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(s, names[k].name))
            return names[k].et;
    return -1;
}

/* The `to` type of a Cast node; false with an error if missing or unsupported. */
static bool cast_to(const OpCtx *ctx, const Node *n, int *et)
{
    const Attr *a = node_attr(n, "to");
    if (!a)
        return op_error(ctx, n, "missing attribute 'to'");
    if (a->kind == ATTR_INT) {
        if (a->i < 0 || a->i > 1000)
            return op_error(ctx, n, "'to' = %lld is not an ONNX element type", (long long)a->i);
        *et = (int)a->i;
    } else if (a->kind == ATTR_STRING) {
        *et = elem_type_from_name(a->s);
        if (*et < 0)
            return op_error(ctx, n, "'to' = '%s' is not an ONNX element type", a->s);
    } else {
        return op_error(ctx, n, "attribute 'to' must be an int");
    }
    if (!cast_target_supported(*et))
        return op_error(ctx, n, "casting to %s (%d) is not supported", elem_type_name(*et), *et);
    return true;
}

/* ---- conversions ------------------------------------------------------- */

/* x rounded to the nearest float16 (ties to even), as a float. */
static float round_to_half(float x)
{
    if (isnan(x) || isinf(x) || x == 0.0f)
        return x;
    float ax = fabsf(x), r;
    if (ax >= 65520.0f) {  /* 65520 is the tie between 65504 and 2^16: even is 2^16 = inf */
        r = INFINITY;
    } else {
        int e;
        frexpf(ax, &e);        /* ax = m * 2^e, m in [0.5, 1) */
        int q = e - 1 - 10;    /* the spacing of float16 numbers near ax is 2^q ... */
        if (q < -24)
            q = -24;           /* ... but never below the subnormal step */
        r = ldexpf(nearbyintf(ldexpf(ax, -q)), q);
    }
    return signbit(x) ? -r : r;
}

/* x rounded to the nearest bfloat16 (ties to even), as a float. */
static float round_to_bfloat16(float x)
{
    if (isnan(x))
        return x;
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    b += 0x7fffu + ((b >> 16) & 1u);
    b &= 0xffff0000u;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* x modulo 2^bits, as a signed or unsigned number of that width. */
static int64_t wrap_bits(int64_t x, int bits, bool is_signed)
{
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    uint64_t u = (uint64_t)x & mask;
    if (is_signed && (u >> (bits - 1)))
        return (int64_t)u - (int64_t)((uint64_t)1 << bits);
    return (int64_t)u;
}

/* An int64 (the storage of every integral type) to integral type et. */
static int64_t int_to_type(int64_t x, int et)
{
    switch (et) {
    case ET_BOOL: return x != 0;
    case ET_INT8: return wrap_bits(x, 8, true);
    case ET_UINT8: return wrap_bits(x, 8, false);
    case ET_INT16: return wrap_bits(x, 16, true);
    case ET_UINT16: return wrap_bits(x, 16, false);
    case ET_INT32: return wrap_bits(x, 32, true);
    case ET_UINT32: return wrap_bits(x, 32, false);
    default: return x;  /* INT64, and UINT64 kept as its bit pattern */
    }
}

/* A float to the int64 storage of integral type et (see the top comment). */
static int64_t float_to_type(float x, int et)
{
    if (et == ET_BOOL)
        return x != 0.0f;
    if (isnan(x))
        return 0;
    double t = trunc((double)x);
    if (et == ET_UINT64 && t >= 9223372036854775808.0) {
        /* in [2^63, 2^64): the uint64's bit pattern; beyond: all ones */
        uint64_t u = t < 18446744073709551616.0 ? (uint64_t)t : UINT64_MAX;
        return -(int64_t)(UINT64_MAX - u) - 1;
    }
    int64_t i;
    if (t >= 9223372036854775808.0)
        i = INT64_MAX;
    else if (t < -9223372036854775808.0)
        i = INT64_MIN;
    else
        i = (int64_t)t;
    return int_to_type(i, et);
}

/* The int64 storage of integral type src to a float. */
static float int_to_float(int64_t x, int src)
{
    if (src == ET_UINT64)
        return (float)(uint64_t)x;
    return (float)x;
}

static float float_to_type_float(float x, int et)
{
    if (et == ET_FLOAT16)
        return round_to_half(x);
    if (et == ET_BFLOAT16)
        return round_to_bfloat16(x);
    return x;
}

/* Converts every element of x into a new value of type et. */
static bool cast_value(const OpCtx *ctx, const Node *n, const Value *x, int et, Value **out)
{
    Value *y = op_new_value(ctx, n, et, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        if (y->f)
            y->f[k] = float_to_type_float(x->f ? x->f[k] : int_to_float(x->i[k], x->elem_type),
                                          et);
        else
            y->i[k] = x->f ? float_to_type(x->f[k], et) : int_to_type(x->i[k], et);
    }
    *out = y;
    return true;
}

/* ---- Cast -------------------------------------------------------------- */

static bool cast_check(const OpCtx *ctx, const Node *n)
{
    int et;
    return cast_to(ctx, n, &et);
}

static bool cast_infer(const OpCtx *ctx, Node *n)
{
    int et;
    if (!cast_to(ctx, n, &et))
        return false;
    op_set_output(n, 0, et, &n->inputs[0]->shape);
    return true;
}

static bool cast_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    int et;
    if (!op_need_input(ctx, n, in, 0) || !cast_to(ctx, n, &et))
        return false;
    return cast_value(ctx, n, in[0], et, &out[0]);
}

const OpDef op_cast = {
    OP_CAST, "Cast", DOMAIN_ONNX, 1, 1, 1, 1, cast_check, cast_infer, cast_eval,
};

/* ---- CastLike ---------------------------------------------------------- */

static bool cast_like_infer(const OpCtx *ctx, Node *n)
{
    int et = n->inputs[1]->elem_type;
    if (et != ET_UNDEFINED && !cast_target_supported(et))
        return op_error(ctx, n, "casting to %s (%d) is not supported", elem_type_name(et), et);
    op_set_output(n, 0, et, &n->inputs[0]->shape);
    return true;
}

static bool cast_like_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0) || !op_need_input(ctx, n, in, 1))
        return false;
    return cast_value(ctx, n, in[0], in[1]->elem_type, &out[0]);
}

const OpDef op_cast_like = {
    OP_CAST_LIKE, "CastLike", DOMAIN_ONNX, 2, 2, 1, 1, NULL, cast_like_infer, cast_like_eval,
};
