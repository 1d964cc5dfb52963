/* Elementwise ops: the binary arithmetic ops with ONNX multidirectional
 * (numpy) broadcasting (Add, Sub, Mul, Div, Pow), the unary ops (Relu,
 * Sigmoid, Tanh, Abs, Neg, Exp, Log, Sqrt, Floor, Ceil, Round, Sign) and
 * Clip.
 *
 * Float tensors compute in float32, as numpy and ONNX Runtime do on a
 * float32 model. Integral tensors compute in int64 and wrap to the width of
 * their element type, as C and numpy integer arithmetic do: Div truncates
 * toward zero (ONNX's reference casts numpy's true division back to the
 * integer type; ONNX Runtime uses C division), and a division by zero
 * gives 0 instead of undefined behaviour. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "op_math.h"

/* ---- binary ops -------------------------------------------------------- */

typedef enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_POW } BinKind;

/* The output element type from the inputs' (ET_UNDEFINED when unknown).
 * Pow's output has the base's type whatever the exponent's; the others
 * take two tensors of one type, as ONNX requires. */
static bool binary_type(const OpCtx *ctx, const Node *n, BinKind kind, int ta, int tb, int *out)
{
    *out = ta != ET_UNDEFINED ? ta : tb;
    if (kind == BIN_POW) {
        *out = ta;
        return true;
    }
    if (ta != ET_UNDEFINED && tb != ET_UNDEFINED && ta != tb)
        return op_error(ctx, n, "inputs are %s and %s; they must be of one type",
                        elem_type_name(ta), elem_type_name(tb));
    return true;
}

static bool binary_infer(const OpCtx *ctx, Node *n, BinKind kind)
{
    const Tensor *a = n->inputs[0], *b = n->inputs[1];
    int et;
    Shape s;
    if (!binary_type(ctx, n, kind, a->elem_type, b->elem_type, &et) ||
        !broadcast_shapes(ctx, n, &a->shape, &b->shape, &s))
        return false;
    op_set_output(n, 0, et, &s);
    return true;
}

/* o[j] = EXPR(x, z) over a row, x from a and z from b; sa / sb say whether
 * a / b step along the row (1) or stay on one element (0, broadcast). The
 * four cases are spelt out so the compiler can vectorise each. */
#define ROW_LOOP(T, EXPR)                                                       \
    do {                                                                        \
        if (sa && sb) {                                                         \
            for (int64_t j = 0; j < len; j++) {                                 \
                T x = a[j], z = b[j];                                           \
                o[j] = (EXPR);                                                  \
            }                                                                   \
        } else if (sa) {                                                        \
            T z = b[0];                                                         \
            for (int64_t j = 0; j < len; j++) {                                 \
                T x = a[j];                                                     \
                o[j] = (EXPR);                                                  \
            }                                                                   \
        } else if (sb) {                                                        \
            T x = a[0];                                                         \
            for (int64_t j = 0; j < len; j++) {                                 \
                T z = b[j];                                                     \
                o[j] = (EXPR);                                                  \
            }                                                                   \
        } else {                                                                \
            T x = a[0], z = b[0];                                               \
            for (int64_t j = 0; j < len; j++)                                   \
                o[j] = (EXPR);                                                  \
        }                                                                       \
    } while (0)

static void row_float(BinKind kind, float *o, const float *a, const float *b, int64_t len,
                      bool sa, bool sb)
{
    switch (kind) {
    case BIN_ADD: ROW_LOOP(float, x + z); break;
    case BIN_SUB: ROW_LOOP(float, x - z); break;
    case BIN_MUL: ROW_LOOP(float, x * z); break;
    case BIN_DIV: ROW_LOOP(float, x / z); break;
    case BIN_POW: ROW_LOOP(float, powf(x, z)); break;
    }
}

/* Integer division truncating toward zero, without the two undefined
 * cases of C (by zero: 0; INT64_MIN / -1: INT64_MIN, the wrapped result). */
static int64_t int_div(int elem_type, int64_t x, int64_t z)
{
    if (z == 0)
        return 0;
    if (elem_type == ET_UINT64)
        return (int64_t)((uint64_t)x / (uint64_t)z);
    if (z == -1)
        return (int64_t)(0 - (uint64_t)x);
    return x / z;
}

/* x to the power z in wrapping integer arithmetic; a negative exponent
 * gives the truncated quotient 1 / x^-z (0 unless x is 1 or -1). */
static int64_t int_pow(int64_t x, int64_t z)
{
    if (z < 0) {
        if (x == 1)
            return 1;
        if (x == -1)
            return (z & 1) ? -1 : 1;
        return 0;
    }
    uint64_t r = 1, base = (uint64_t)x;
    for (uint64_t e = (uint64_t)z; e; e >>= 1) {
        if (e & 1)
            r *= base;
        base *= base;
    }
    return (int64_t)r;
}

/* Integral rows: additions and products in uint64, which wraps without
 * undefined behaviour, then reduced to the element type. */
static void row_int(BinKind kind, int et, int64_t *o, const int64_t *a, const int64_t *b,
                    int64_t len, bool sa, bool sb)
{
    switch (kind) {
    case BIN_ADD: ROW_LOOP(int64_t, (int64_t)((uint64_t)x + (uint64_t)z)); break;
    case BIN_SUB: ROW_LOOP(int64_t, (int64_t)((uint64_t)x - (uint64_t)z)); break;
    case BIN_MUL: ROW_LOOP(int64_t, (int64_t)((uint64_t)x * (uint64_t)z)); break;
    case BIN_DIV: ROW_LOOP(int64_t, int_div(et, x, z)); break;
    case BIN_POW: ROW_LOOP(int64_t, int_pow(x, z)); break;
    }
    if (et != ET_INT64 && et != ET_UINT64)
        for (int64_t j = 0; j < len; j++)
            o[j] = math_wrap_int(et, o[j]);
}

/* Pow with base and exponent of different storage classes: a float base
 * takes the exponent as float; an integral base is raised in double and
 * truncated back to its type, as ONNX's reference does. */
static void row_pow_mixed(Value *y, int64_t oy, const Value *a, int64_t oa, const Value *b,
                          int64_t ob, int64_t len, bool sa, bool sb)
{
    for (int64_t j = 0; j < len; j++) {
        int64_t ka = oa + (sa ? j : 0), kb = ob + (sb ? j : 0);
        if (y->f) {
            y->f[oy + j] = powf(a->f[ka], (float)b->i[kb]);
        } else {
            double p = pow((double)a->i[ka], (double)b->f[kb]);
            y->i[oy + j] = math_wrap_int(y->elem_type, math_int_from_double(p));
        }
    }
}

static bool binary_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                        BinKind kind)
{
    if (!math_need_input(ctx, n, in, 0) || !math_need_input(ctx, n, in, 1))
        return false;
    const Value *a = in[0], *b = in[1];
    int et;
    Shape s;
    if (!binary_type(ctx, n, kind, a->elem_type, b->elem_type, &et) ||
        !broadcast_shapes(ctx, n, &a->shape, &b->shape, &s))
        return false;
    Value *y = op_new_value(ctx, n, et, &s);
    if (!y)
        return false;
    BcastPlan p;
    bcast_plan(&s, &a->shape, &b->shape, &p);
    int64_t len = p.dims[p.rank - 1], rows = bcast_rows(&p);
    bool sa = p.sa[p.rank - 1] != 0, sb = p.sb[p.rank - 1] != 0;
    bool mixed = (a->f == NULL) != (b->f == NULL);
    BcastIter it;
    bcast_rows_begin(&it);
    for (int64_t r = 0; r < rows; r++, bcast_rows_next(&p, &it)) {
        if (mixed)
            row_pow_mixed(y, r * len, a, it.oa, b, it.ob, len, sa, sb);
        else if (y->f)
            row_float(kind, y->f + r * len, a->f + it.oa, b->f + it.ob, len, sa, sb);
        else
            row_int(kind, et, y->i + r * len, a->i + it.oa, b->i + it.ob, len, sa, sb);
    }
    out[0] = y;
    return true;
}

#define BINARY_OP(NAME, OPKIND, TYPE, KIND)                                               \
    static bool NAME##_infer(const OpCtx *ctx, Node *n)                                   \
    {                                                                                     \
        return binary_infer(ctx, n, KIND);                                                \
    }                                                                                     \
    static bool NAME##_eval(const OpCtx *ctx, const Node *n, const Value *const *in,      \
                            Value **out)                                                  \
    {                                                                                     \
        return binary_eval(ctx, n, in, out, KIND);                                        \
    }                                                                                     \
    const OpDef op_##NAME = { OPKIND, TYPE, DOMAIN_ONNX, 2, 2, 1, 1, NULL, NAME##_infer, NAME##_eval };

BINARY_OP(add, OP_ADD, "Add", BIN_ADD)
BINARY_OP(sub, OP_SUB, "Sub", BIN_SUB)
BINARY_OP(mul, OP_MUL, "Mul", BIN_MUL)
BINARY_OP(div, OP_DIV, "Div", BIN_DIV)
BINARY_OP(pow, OP_POW, "Pow", BIN_POW)

/* ---- unary ops --------------------------------------------------------- */

typedef enum {
    UN_RELU, UN_SIGMOID, UN_TANH, UN_ABS, UN_NEG, UN_EXP, UN_LOG, UN_SQRT,
    UN_FLOOR, UN_CEIL, UN_ROUND, UN_SIGN,
} UnKind;

/* Whether the op is defined on integral tensors too. */
static bool unary_takes_int(UnKind kind)
{
    return kind == UN_RELU || kind == UN_ABS || kind == UN_NEG || kind == UN_SIGN;
}

/* Round half to even, independent of the floating-point environment. */
static float round_half_even(float x)
{
    float r = roundf(x); /* halves away from zero */
    if (fabsf(x - truncf(x)) == 0.5f)
        r = 2.0f * roundf(0.5f * x);
    return r;
}

static float sigmoid(float x)
{
    if (x >= 0)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

static float sign_float(float x)
{
    return x > 0 ? 1.0f : x < 0 ? -1.0f : x; /* 0 and NaN stay */
}

static void unary_float(UnKind kind, float *o, const float *a, int64_t len)
{
    switch (kind) {
    case UN_RELU: for (int64_t j = 0; j < len; j++) o[j] = a[j] < 0 ? 0.0f : a[j]; break;
    case UN_SIGMOID: for (int64_t j = 0; j < len; j++) o[j] = sigmoid(a[j]); break;
    case UN_TANH: for (int64_t j = 0; j < len; j++) o[j] = tanhf(a[j]); break;
    case UN_ABS: for (int64_t j = 0; j < len; j++) o[j] = fabsf(a[j]); break;
    case UN_NEG: for (int64_t j = 0; j < len; j++) o[j] = -a[j]; break;
    case UN_EXP: for (int64_t j = 0; j < len; j++) o[j] = expf(a[j]); break;
    case UN_LOG: for (int64_t j = 0; j < len; j++) o[j] = logf(a[j]); break;
    case UN_SQRT: for (int64_t j = 0; j < len; j++) o[j] = sqrtf(a[j]); break;
    case UN_FLOOR: for (int64_t j = 0; j < len; j++) o[j] = floorf(a[j]); break;
    case UN_CEIL: for (int64_t j = 0; j < len; j++) o[j] = ceilf(a[j]); break;
    case UN_ROUND: for (int64_t j = 0; j < len; j++) o[j] = round_half_even(a[j]); break;
    case UN_SIGN: for (int64_t j = 0; j < len; j++) o[j] = sign_float(a[j]); break;
    }
}

static void unary_int(UnKind kind, int et, int64_t *o, const int64_t *a, int64_t len)
{
    for (int64_t j = 0; j < len; j++) {
        int64_t x = a[j];
        switch (kind) {
        case UN_RELU: o[j] = x < 0 ? 0 : x; break;
        case UN_ABS: o[j] = math_wrap_int(et, x < 0 ? (int64_t)(0 - (uint64_t)x) : x); break;
        case UN_NEG: o[j] = math_wrap_int(et, (int64_t)(0 - (uint64_t)x)); break;
        case UN_SIGN: o[j] = (x > 0) - (x < 0); break;
        default: o[j] = x; break; /* float-only ops never get here */
        }
    }
}

static bool unary_infer(const OpCtx *ctx, Node *n, UnKind kind)
{
    if (!unary_takes_int(kind) && !math_infer_float(ctx, n, n->inputs[0], "the input"))
        return false;
    return infer_same_as_input0(ctx, n);
}

static bool unary_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                       UnKind kind)
{
    if (!math_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    if (!unary_takes_int(kind) && !math_need_float(ctx, n, x, "the input"))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &x->shape);
    if (!y)
        return false;
    if (y->f)
        unary_float(kind, y->f, x->f, x->count);
    else
        unary_int(kind, x->elem_type, y->i, x->i, x->count);
    out[0] = y;
    return true;
}

#define UNARY_OP(NAME, OPKIND, TYPE, KIND)                                                \
    static bool NAME##_infer(const OpCtx *ctx, Node *n)                                   \
    {                                                                                     \
        return unary_infer(ctx, n, KIND);                                                 \
    }                                                                                     \
    static bool NAME##_eval(const OpCtx *ctx, const Node *n, const Value *const *in,      \
                            Value **out)                                                  \
    {                                                                                     \
        return unary_eval(ctx, n, in, out, KIND);                                         \
    }                                                                                     \
    const OpDef op_##NAME = { OPKIND, TYPE, DOMAIN_ONNX, 1, 1, 1, 1, NULL, NAME##_infer, NAME##_eval };

UNARY_OP(relu, OP_RELU, "Relu", UN_RELU)
UNARY_OP(sigmoid, OP_SIGMOID, "Sigmoid", UN_SIGMOID)
UNARY_OP(tanh, OP_TANH, "Tanh", UN_TANH)
UNARY_OP(abs, OP_ABS, "Abs", UN_ABS)
UNARY_OP(neg, OP_NEG, "Neg", UN_NEG)
UNARY_OP(exp, OP_EXP, "Exp", UN_EXP)
UNARY_OP(log, OP_LOG, "Log", UN_LOG)
UNARY_OP(sqrt, OP_SQRT, "Sqrt", UN_SQRT)
UNARY_OP(floor, OP_FLOOR, "Floor", UN_FLOOR)
UNARY_OP(ceil, OP_CEIL, "Ceil", UN_CEIL)
UNARY_OP(round, OP_ROUND, "Round", UN_ROUND)
UNARY_OP(sign, OP_SIGN, "Sign", UN_SIGN)

/* ---- Clip -------------------------------------------------------------- */

/* Before opset 11 the bounds are the float attributes min and max (default
 * the float32 range); from 11 they are optional scalar inputs 1 and 2
 * (default: no bound). With min > max every element becomes max, as in
 * numpy's clip. NaN stays NaN. */
static bool clip_check(const OpCtx *ctx, const Node *n)
{
    bool attrs = node_attr(n, "min") || node_attr(n, "max");
    if (math_opset(n) < 11) {
        if (n->n_inputs > 1)
            return op_error(ctx, n, "before opset 11 Clip takes min and max as attributes, "
                            "not inputs");
        for (int k = 0; k < 2; k++) {
            const Attr *a = node_attr(n, k ? "max" : "min");
            if (a && a->kind != ATTR_FLOAT)
                return op_error(ctx, n, "attribute '%s' must be a float", a->name);
        }
    } else if (attrs) {
        return op_error(ctx, n, "from opset 11 Clip takes min and max as inputs; the "
                        "attributes are not allowed (the model imports opset %lld)",
                        (long long)math_opset(n));
    }
    return true;
}

static bool clip_infer(const OpCtx *ctx, Node *n)
{
    for (int k = 1; k < n->n_inputs; k++) {
        const Tensor *t = n->inputs[k];
        if (t && t->shape.rank >= 0 && shape_count(&t->shape) != 1)
            return op_error(ctx, n, "%s must be a scalar", k == 1 ? "min" : "max");
    }
    return infer_same_as_input0(ctx, n);
}

/* Bound input k (1: min, 2: max) when present; false with an error when it
 * is not a one-element tensor of x's storage class. */
static bool clip_bound(const OpCtx *ctx, const Node *n, const Value *const *in, int k,
                       const Value *x, const Value **bound)
{
    *bound = k < n->n_inputs ? in[k] : NULL;
    const Value *v = *bound;
    const char *what = k == 1 ? "min" : "max";
    if (!v)
        return true;
    if (v->count != 1)
        return op_error(ctx, n, "%s must be a scalar, not of %lld elements", what,
                        (long long)v->count);
    if ((v->f == NULL) != (x->f == NULL))
        return op_error(ctx, n, "%s is %s but the input is %s", what, elem_type_name(v->elem_type),
                        elem_type_name(x->elem_type));
    return true;
}

static bool clip_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!math_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0], *vmin, *vmax;
    if (!clip_bound(ctx, n, in, 1, x, &vmin) || !clip_bound(ctx, n, in, 2, x, &vmax))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &x->shape);
    if (!y)
        return false;
    if (x->f) {
        float lo = -INFINITY, hi = INFINITY;
        if (math_opset(n) < 11 || node_attr(n, "min") || node_attr(n, "max")) {
            lo = node_attr_float(n, "min", -FLT_MAX);
            hi = node_attr_float(n, "max", FLT_MAX);
        }
        if (vmin)
            lo = vmin->f[0];
        if (vmax)
            hi = vmax->f[0];
        for (int64_t j = 0; j < x->count; j++) {
            float v = x->f[j] < lo ? lo : x->f[j];
            y->f[j] = v > hi ? hi : v;
        }
    } else {
        int64_t lo = vmin ? vmin->i[0] : INT64_MIN, hi = vmax ? vmax->i[0] : INT64_MAX;
        for (int64_t j = 0; j < x->count; j++) {
            int64_t v = x->i[j] < lo ? lo : x->i[j];
            y->i[j] = v > hi ? hi : v;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_clip = { OP_CLIP, "Clip", DOMAIN_ONNX, 1, 3, 1, 1, clip_check, clip_infer, clip_eval };
