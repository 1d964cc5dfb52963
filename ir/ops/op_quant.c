/* QONNX Quant, also under its newer name IntQuant: uniform integer
 * quantization, returned dequantized (as float).
 *
 * Inputs: x, scale, zeropt, bitwidth. Attributes: signed (default 1),
 * narrow (default 0), rounding_mode (default "ROUND"). scale and zeropt
 * are per tensor (one element) or per channel (any shape that broadcasts
 * to x without growing it, e.g. [C, 1, 1] for NCHW or [C] for [N, C]);
 * bitwidth is one integer in 1..32. All three must be constants: the
 * streamlining passes turn them into integer thresholds and weights.
 * Integer-typed parameter tensors (QKeras exports) are read as numbers.
 *
 * For each element, in float32, exactly these operations in this order
 * (the same float ops ONNX Runtime runs when Quant is rewritten into Div,
 * Add, Round, Max, Min, Sub, Mul, which is how the expected outputs of the
 * example models were made):
 *
 *     y = x / scale                      float32 division
 *     y = y + zeropt                     float32 addition
 *     q = round(y)                       by rounding_mode, see op_quant.h
 *     q = min(max(q, lo), hi)            lo, hi from bitwidth/signed/narrow
 *     out = (q - zeropt) * scale         float32 subtraction, multiplication
 *
 * qonnx's Python reference clamps before rounding; as lo and hi are
 * integers and every rounding mode is monotone and keeps integers, both
 * orders give the same q. The bounds are used as float32 constants, so for
 * 32 bits hi = 2^31 - 1 becomes 2^31, as it does in ONNX Runtime.
 *
 * The 1-bit signed case. The range rule gives INT1 = {-1, 0} (narrow:
 * {0}), which is not what a 1-bit signed quantizer means in Brevitas: it
 * means bipolar {-1, +1}. qonnx's reference (custom_op/general/quant.py,
 * now intquant.py) therefore replaces round-and-clamp by a sign when
 * bitwidth == 1 and signed == 1, whatever narrow and rounding_mode say (a
 * workaround, its comment says, for how such nodes get exported):
 *
 *     q = (x / scale + zeropt) >= 0 ? +1 : -1
 *     out = (q - zeropt) * scale
 *
 * With zeropt = 0 that is BipolarQuant: x >= 0 ? +scale : -scale
 * (x / scale keeps the sign of x for a positive scale, except that a
 * negative x tiny enough to underflow gives -0; -0 and +0 give +1, NaN
 * gives -1). qonnxc follows qonnx. A 1-bit unsigned Quant is the
 * ordinary range {0, 1} (narrow: {0}). */
#include "op_quant.h"

#include <ctype.h>
#include <math.h>

/* ---- shared numerics (declared in op_quant.h) ---- */

static const struct {
    const char *name;
    QonnxRounding mode;
} rounding_names[] = {
    { "ROUND", QROUND_HALF_EVEN },  { "HALF_EVEN", QROUND_HALF_EVEN },
    { "HALF_UP", QROUND_HALF_UP },  { "HALF_DOWN", QROUND_HALF_DOWN },
    { "CEIL", QROUND_CEIL },        { "FLOOR", QROUND_FLOOR },
    { "UP", QROUND_UP },            { "DOWN", QROUND_DOWN },
    { "ROUND_TO_ZERO", QROUND_DOWN },
};

#define N_ROUNDING_NAMES (sizeof rounding_names / sizeof rounding_names[0])

static bool same_name_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return false;
    return *a == *b;
}

bool qonnx_rounding_parse(const char *name, QonnxRounding *out)
{
    for (size_t k = 0; k < N_ROUNDING_NAMES; k++)
        if (same_name_ignoring_case(name, rounding_names[k].name)) {
            *out = rounding_names[k].mode;
            return true;
        }
    return false;
}

const char *qonnx_rounding_name(QonnxRounding mode)
{
    switch (mode) {
    case QROUND_HALF_EVEN: return "HALF_EVEN";
    case QROUND_HALF_UP: return "HALF_UP";
    case QROUND_HALF_DOWN: return "HALF_DOWN";
    case QROUND_CEIL: return "CEIL";
    case QROUND_FLOOR: return "FLOOR";
    case QROUND_UP: return "UP";
    case QROUND_DOWN: return "DOWN";
    }
    return "?";
}

float qonnx_round(float y, QonnxRounding mode)
{
    if (!isfinite(y))
        return y;
    float f = floorf(y);
    /* Exact: below 2^23 the fraction is made of y's own low mantissa bits,
     * above it y is an integer and the fraction is 0. */
    float frac = y - f;
    float r;
    switch (mode) {
    case QROUND_FLOOR: r = f; break;
    case QROUND_CEIL: r = ceilf(y); break;
    case QROUND_DOWN: r = truncf(y); break;
    case QROUND_UP: r = y < 0.0f ? f : ceilf(y); break;
    default:
        if (frac < 0.5f)
            r = f;
        else if (frac > 0.5f)
            r = f + 1.0f;
        else if (mode == QROUND_HALF_EVEN)   /* a tie: f is odd or even */
            r = fmodf(f, 2.0f) == 0.0f ? f : f + 1.0f;
        else if (mode == QROUND_HALF_UP)     /* away from zero */
            r = y < 0.0f ? f : f + 1.0f;
        else                                 /* HALF_DOWN: toward zero */
            r = y < 0.0f ? f + 1.0f : f;
        break;
    }
    /* -0.4 rounds to -0, as in C and numpy; keeps the sign of a zero. */
    return r == 0.0f ? copysignf(0.0f, y) : r;
}

bool qonnx_rounding_attr(const OpCtx *ctx, const Node *n, QonnxRounding dflt,
                         QonnxRounding *out)
{
    const Attr *a = node_attr(n, "rounding_mode");
    *out = dflt;
    if (!a)
        return true;
    if (a->kind != ATTR_STRING)
        return op_error(ctx, n, "attribute rounding_mode must be a string");
    if (!qonnx_rounding_parse(a->s, out))
        return op_error(ctx, n,
                        "unknown rounding_mode '%s' (expected ROUND, HALF_EVEN, HALF_UP, "
                        "HALF_DOWN, CEIL, FLOOR, UP, DOWN or ROUND_TO_ZERO)", a->s);
    return true;
}

bool qonnx_flag_attr(const OpCtx *ctx, const Node *n, const char *name, bool dflt, bool *out)
{
    const Attr *a = node_attr(n, name);
    *out = dflt;
    if (!a)
        return true;
    if (a->kind != ATTR_INT || (a->i != 0 && a->i != 1))
        return op_error(ctx, n, "attribute %s must be the integer 0 or 1", name);
    *out = a->i == 1;
    return true;
}

void qonnx_int_range(int bits, bool is_signed, bool narrow, int64_t *min, int64_t *max)
{
    if (is_signed) {
        int64_t half = (int64_t)1 << (bits - 1);
        *min = narrow ? -half + 1 : -half;
        *max = half - 1;
    } else {
        int64_t full = (int64_t)1 << bits;
        *min = 0;
        *max = narrow ? full - 2 : full - 1;
    }
}

/* Constant, or the output of nodes whose inputs all are (a Constant node,
 * a Mul of two initializers): constant folding makes it a constant. The
 * depth bound keeps a malformed cyclic graph from recursing forever. */
static bool tensor_is_static(const Tensor *t, int depth)
{
    if (t->value)
        return true;
    if (t->is_graph_input || !t->producer || depth > 64)
        return false;
    const Node *p = t->producer;
    for (int k = 0; k < p->n_inputs; k++)
        if (p->inputs[k] && !tensor_is_static(p->inputs[k], depth + 1))
            return false;
    return true;
}

bool qonnx_need_constant(const OpCtx *ctx, const Node *n, int k, const char *what)
{
    const Tensor *t = k < n->n_inputs ? n->inputs[k] : NULL;
    if (!t)
        return op_error(ctx, n, "%s needs a constant %s; input %d is missing", n->op_type,
                        what, k);
    if (!tensor_is_static(t, 0))
        return op_error(ctx, n,
                        "%s needs a constant %s; input %d ('%s') is computed at run time",
                        n->op_type, what, k, t->name);
    return true;
}

bool qonnx_bit_width(const OpCtx *ctx, const Node *n, const Value *v, const char *what,
                     int *bits)
{
    char buf[96];
    if (v->count != 1)
        return op_error(ctx, n, "%s must be a single value; got shape %s", what,
                        shape_str(&v->shape, buf, sizeof buf));
    double b = value_get(v, 0);
    if (b != floor(b))   /* also NaN and infinities */
        return op_error(ctx, n, "%s %g is not an integer", what, b);
    if (b < 1 || b > 32)
        return op_error(ctx, n, "%s %g is out of range: %s supports 1 to 32 bits", what, b,
                        n->op_type);
    *bits = (int)b;
    return true;
}

bool qonnx_check_scale(const OpCtx *ctx, const Node *n, const Value *v, const char *what)
{
    for (int64_t k = 0; k < v->count; k++) {
        double s = value_get(v, k);
        if (!(s > 0) || !isfinite(s))
            return op_error(ctx, n, "%s must be positive and finite; element %lld is %g", what,
                            (long long)k, s);
    }
    return true;
}

bool qonnx_check_finite(const OpCtx *ctx, const Node *n, const Value *v, const char *what)
{
    for (int64_t k = 0; k < v->count; k++)
        if (!isfinite(value_get(v, k)))
            return op_error(ctx, n, "%s must be finite; element %lld is %g", what, (long long)k,
                            value_get(v, k));
    return true;
}

bool qonnx_param_fits(const OpCtx *ctx, const Node *n, const Shape *x, const Shape *p,
                      const char *what)
{
    if (!shape_known(x) || !shape_known(p))
        return true;
    bool fits = p->rank <= x->rank;
    for (int k = 0; fits && k < p->rank; k++) {
        int64_t dp = p->dims[k], dx = x->dims[x->rank - p->rank + k];
        fits = dp == 1 || dp == dx;
    }
    if (!fits) {
        char sp[96], sx[96];
        return op_error(ctx, n, "%s of shape %s does not broadcast to the input's shape %s",
                        what, shape_str(p, sp, sizeof sp), shape_str(x, sx, sizeof sx));
    }
    return true;
}

void qonnx_param_init(QonnxParam *p, const Value *v, const Shape *x)
{
    p->v = v;
    p->x = x;
    p->single = v->count == 1;
    if (!p->single)
        broadcast_strides(&v->shape, x, p->strides);
}

float qonnx_param_at(const QonnxParam *p, int64_t k)
{
    int64_t at = p->single ? 0 : broadcast_index(k, p->x, p->strides);
    return p->v->f ? p->v->f[at] : (float)p->v->i[at];
}

int qonnx_out_type(int x_elem_type)
{
    return elem_type_is_float(x_elem_type) ? x_elem_type : ET_FLOAT;
}

bool qonnx_infer_like_x(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, qonnx_out_type(n->inputs[0]->elem_type), &n->inputs[0]->shape);
    return true;
}

/* ---- Quant / IntQuant ---- */

typedef struct QuantAttrs {
    bool is_signed, narrow;
    QonnxRounding rounding;
} QuantAttrs;

static bool quant_attrs(const OpCtx *ctx, const Node *n, QuantAttrs *a)
{
    return qonnx_flag_attr(ctx, n, "signed", true, &a->is_signed) &&
           qonnx_flag_attr(ctx, n, "narrow", false, &a->narrow) &&
           qonnx_rounding_attr(ctx, n, QROUND_HALF_EVEN, &a->rounding);
}

/* The parameter values against x's shape, as eval sees them. */
static bool quant_params_ok(const OpCtx *ctx, const Node *n, const Shape *x, const Value *scale,
                            const Value *zeropt, const Value *bitwidth, int *bits)
{
    return qonnx_check_scale(ctx, n, scale, "scale") &&
           qonnx_check_finite(ctx, n, zeropt, "zero point") &&
           qonnx_bit_width(ctx, n, bitwidth, "bit width", bits) &&
           qonnx_param_fits(ctx, n, x, &scale->shape, "scale") &&
           qonnx_param_fits(ctx, n, x, &zeropt->shape, "zero point");
}

static bool quant_check(const OpCtx *ctx, const Node *n)
{
    QuantAttrs a;
    if (!quant_attrs(ctx, n, &a) || !qonnx_need_constant(ctx, n, 1, "scale") ||
        !qonnx_need_constant(ctx, n, 2, "zero point") ||
        !qonnx_need_constant(ctx, n, 3, "bit width"))
        return false;
    /* Parameters that only constant folding will produce are checked by eval. */
    const Shape *x = &n->inputs[0]->shape;
    const Value *scale = n->inputs[1]->value, *zeropt = n->inputs[2]->value,
                *bitwidth = n->inputs[3]->value;
    int bits;
    return (!scale || (qonnx_check_scale(ctx, n, scale, "scale") &&
                       qonnx_param_fits(ctx, n, x, &scale->shape, "scale"))) &&
           (!zeropt || (qonnx_check_finite(ctx, n, zeropt, "zero point") &&
                        qonnx_param_fits(ctx, n, x, &zeropt->shape, "zero point"))) &&
           (!bitwidth || qonnx_bit_width(ctx, n, bitwidth, "bit width", &bits));
}

bool quant_params(const OpCtx *ctx, const Node *n, QuantParams *p)
{
    QuantAttrs a;
    if (!quant_check(ctx, n) || !quant_attrs(ctx, n, &a))
        return false;
    for (int k = 1; k < 4; k++)
        if (!n->inputs[k]->value)
            return op_error(ctx, n, "input %d ('%s') is not a constant yet", k,
                            n->inputs[k]->name);
    p->is_signed = a.is_signed;
    p->narrow = a.narrow;
    p->rounding = a.rounding;
    p->scale = n->inputs[1]->value;
    p->zeropt = n->inputs[2]->value;
    return quant_params_ok(ctx, n, &n->inputs[0]->shape, p->scale, p->zeropt,
                           n->inputs[3]->value, &p->bits);
}

static bool quant_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    static const char *const names[] = { "input", "scale", "zero point", "bit width" };
    for (int k = 0; k < 4; k++)
        if (k >= n->n_inputs || !in[k])
            return op_error(ctx, n, "%s (input %d) has no value", names[k], k);
    const Value *x = in[0];
    QuantAttrs a;
    int bits;
    if (!quant_attrs(ctx, n, &a) || !quant_params_ok(ctx, n, &x->shape, in[1], in[2], in[3], &bits))
        return false;
    Value *y = op_new_value(ctx, n, qonnx_out_type(x->elem_type), &x->shape);
    if (!y)
        return false;
    QonnxParam scale, zeropt;
    qonnx_param_init(&scale, in[1], &x->shape);
    qonnx_param_init(&zeropt, in[2], &x->shape);
    bool bipolar = bits == 1 && a.is_signed;
    int64_t lo_i, hi_i;
    qonnx_int_range(bits, a.is_signed, a.narrow, &lo_i, &hi_i);
    const float lo = (float)lo_i, hi = (float)hi_i;
    for (int64_t k = 0; k < x->count; k++) {
        float s = qonnx_param_at(&scale, k), z = qonnx_param_at(&zeropt, k);
        float xv = x->f ? x->f[k] : (float)x->i[k];
        float v = xv / s;
        v = v + z;
        float q;
        if (bipolar) {
            q = v >= 0.0f ? 1.0f : -1.0f;
        } else {
            q = qonnx_round(v, a.rounding);
            /* written so that NaN passes through, as in qonnx */
            q = q < lo ? lo : q;
            q = q > hi ? hi : q;
        }
        float r = q - z;
        y->f[k] = r * s;
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnx_quant = {
    OP_QUANT, "Quant", DOMAIN_QONNX, 4, 4, 1, 1, quant_check, qonnx_infer_like_x, quant_eval,
};

const OpDef op_qonnx_int_quant = {
    OP_INT_QUANT, "IntQuant", DOMAIN_QONNX, 4, 4, 1, 1, quant_check, qonnx_infer_like_x, quant_eval,
};
