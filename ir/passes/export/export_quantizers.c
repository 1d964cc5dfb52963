/* QONNX quantizers as standard ONNX ops (the table in export_qcdq.h).
 *
 * Each form follows the golden eval of its op (op_quant.c, op_trunc.c,
 * op_bipolar_quant.c) float op by float op, so the golden executor gives
 * the same floats on the export as on the original; the only freedoms
 * taken are provably exact: adding or subtracting a zero point of 0 is
 * left out, and Quant clamps before rounding (lo and hi are integers and
 * every rounding mode is monotone and keeps integers). */
#include <math.h>

#include "export_build.h"
#include "export_internal.h"

static bool all_zero(const Value *v)
{
    for (int64_t k = 0; k < v->count; k++)
        if (value_get(v, k) != 0.0)
            return false;
    return true;
}

static bool float_input(const OpCtx *ctx, const Node *n)
{
    const Tensor *x = n->inputs[0];
    if (x->elem_type != ET_UNDEFINED && !elem_type_is_float(x->elem_type))
        return op_error(ctx, n, "input '%s' is %s; the export writes quantizers of float "
                        "tensors only", x->name, elem_type_name(x->elem_type));
    return true;
}

/* x / scale + zeropt: the start of every QONNX quantizer. */
static Tensor *scaled_input(Builder *b, Tensor *x, Tensor *scale, Tensor *zeropt)
{
    Tensor *v = build_op(b, "Div", x, scale, NULL);
    return zeropt ? build_op(b, "Add", v, zeropt, NULL) : v;
}

/* (q - zeropt) * scale: the end of every QONNX quantizer. */
static Tensor *dequantized(Builder *b, Tensor *q, Tensor *zeropt, Tensor *scale)
{
    if (zeropt)
        q = build_op(b, "Sub", q, zeropt, NULL);
    return build_op(b, "Mul", q, scale, NULL);
}

/* +1 where v >= 0 (and at -0), -1 below: Sign is -1, 0 or +1, plus one
 * half is never 0, and its Sign is the bipolar value. */
static Tensor *bipolar_sign(Builder *b, Tensor *v)
{
    Tensor *s = build_op(b, "Sign", v, NULL, NULL);
    return build_op(b, "Sign", build_op(b, "Add", s, build_scalar(b, "half", 0.5f), NULL), NULL,
                    NULL);
}

static Tensor *clamp(Builder *b, Tensor *v, int64_t lo, int64_t hi)
{
    return build_op(b, "Clip", v, build_scalar(b, "lo", (float)lo),
                    build_scalar(b, "hi", (float)hi));
}

/* Quant, 2..8 bits, half to even, one scale, zero point 0:
 * QuantizeLinear -> [Clip] -> DequantizeLinear. ONNX Runtime's
 * QuantizeLinear divides by the scale in float32 and rounds half to even,
 * as the golden Quant does; the Clip bounds and the saturation of the
 * integer type do the clamp. */
static Tensor *quant_qcdq(Builder *b, Tensor *x, const QuantParams *p)
{
    int et = p->is_signed ? ET_INT8 : ET_UINT8;
    int64_t type_lo = p->is_signed ? -128 : 0, type_hi = p->is_signed ? 127 : 255;
    int64_t lo, hi;
    qonnx_int_range(p->bits, p->is_signed, p->narrow, &lo, &hi);
    Tensor *scale = build_scalar(b, "scale", (float)value_get(p->scale, 0));
    Tensor *zeropt = build_int_scalar(b, "zero_point", et, 0);
    Tensor *q = build_op(b, "QuantizeLinear", x, scale, zeropt);
    if (lo != type_lo || hi != type_hi)
        q = build_op(b, "Clip", q, build_int_scalar(b, "lo", et, lo),
                     build_int_scalar(b, "hi", et, hi));
    return build_op(b, "DequantizeLinear", q, scale, zeropt);
}

static bool rewrite_quant(Builder *b, const OpCtx *ctx, const Node *n, ExportCounts *c)
{
    QuantParams p;
    if (!quant_params(ctx, n, &p) || !float_input(ctx, n))
        return false;
    Tensor *x = n->inputs[0], *last;
    bool zero = all_zero(p.zeropt);
    if (p.bits >= 2 && p.bits <= 8 && p.rounding == QROUND_HALF_EVEN && p.scale->count == 1 &&
        p.zeropt->count == 1 && zero) {
        last = quant_qcdq(b, x, &p);
        c->qcdq++;
    } else {
        Tensor *scale = build_const(b, "scale", p.scale);
        Tensor *zeropt = zero ? NULL : build_const(b, "zero_point", p.zeropt);
        Tensor *v = scaled_input(b, x, scale, zeropt), *q;
        if (p.bits == 1 && p.is_signed) {   /* bipolar, whatever narrow and rounding say */
            q = bipolar_sign(b, v);
            c->bipolar++;
        } else {
            int64_t lo, hi;
            qonnx_int_range(p.bits, p.is_signed, p.narrow, &lo, &hi);
            q = build_round(b, clamp(b, v, lo, hi), p.rounding);
            c->float_quant++;
        }
        last = dequantized(b, q, zeropt, scale);
    }
    return build_finish(b, last, n->outputs[0]);
}

static bool rewrite_bipolar(Builder *b, const OpCtx *ctx, const Node *n, ExportCounts *c)
{
    const Tensor *st = n->inputs[1];
    if (!float_input(ctx, n))
        return false;
    if (!st->value)
        return op_error(ctx, n, "its scale ('%s') is not a constant", st->name);
    Tensor *scale = build_const(b, "scale", st->value);
    c->bipolar++;
    return build_finish(b, build_op(b, "Mul", bipolar_sign(b, n->inputs[0]), scale, NULL),
                        n->outputs[0]);
}

/* f(a[k], b[k]) over two parameters that are single values or of one
 * shape (what a Trunc version 2 needs elementwise); NULL with an error
 * for other shapes. */
static Value *combine(const OpCtx *ctx, const Node *n, const Value *a, const Value *b,
                      float (*f)(float, float))
{
    const Value *big = a->count >= b->count ? a : b;
    if ((a->count != 1 && b->count != 1 && !shape_equal(&a->shape, &b->shape))) {
        op_error(ctx, n, "its per-channel scales and zero point have different shapes; the "
                 "export handles one shape or single values");
        return NULL;
    }
    Value *v = value_new(ET_FLOAT, &big->shape);
    if (!v) {
        op_error(ctx, n, "out of memory");
        return NULL;
    }
    for (int64_t k = 0; k < v->count; k++)
        v->f[k] = f((float)value_get(a, a->count == 1 ? 0 : k),
                    (float)value_get(b, b->count == 1 ? 0 : k));
    return v;
}

static float divide(float a, float b)
{
    return a / b;
}

static bool rewrite_trunc(Builder *b, const OpCtx *ctx, const Node *n, ExportCounts *c)
{
    TruncParams p;
    if (!trunc_params(ctx, n, &p) || !float_input(ctx, n))
        return false;
    bool zero = all_zero(p.zeropt);
    Tensor *scale = build_const(b, "scale", p.scale);
    Tensor *zeropt = zero ? NULL : build_const(b, "zero_point", p.zeropt);
    /* the input integer, rounded half to even whatever rounding_mode says */
    Tensor *v = build_op(b, "Round", scaled_input(b, n->inputs[0], scale, zeropt), NULL, NULL);
    Tensor *last;
    if (p.version == 1) {
        /* 2^(in - out), exact in float32 as in the golden eval */
        Tensor *shift = build_scalar(b, "shift", ldexpf(1.0f, p.in_bits - p.out_bits));
        v = build_round(b, build_op(b, "Div", v, shift, NULL), p.rounding);
        last = dequantized(b, v, zeropt, scale);
    } else {
        Value *t = combine(ctx, n, p.out_scale, p.scale, trunc_v2_divisor);
        Value *oz = t ? combine(ctx, n, p.zeropt, t, divide) : NULL;
        if (!oz) {
            value_free(t);
            return false;
        }
        int64_t lo, hi;
        qonnx_int_range(p.out_bits, p.is_signed, p.narrow, &lo, &hi);
        v = build_op(b, "Div", v, build_const(b, "divisor", t), NULL);
        v = build_round(b, clamp(b, v, lo, hi), p.rounding);
        last = dequantized(b, v, all_zero(oz) ? NULL : build_const(b, "out_zero_point", oz),
                           build_const(b, "out_scale", p.out_scale));
        value_free(t);
        value_free(oz);
    }
    c->trunc++;
    return build_finish(b, last, n->outputs[0]);
}

bool export_quantizer(Graph *g, const Node *n, ExportCounts *counts, Diag *d)
{
    OpCtx ctx = { g, d };
    Builder b;
    build_init(&b, g, n->name);
    bool ok;
    switch (node_kind(n)) {
    case OP_QUANT:
    case OP_INT_QUANT: ok = rewrite_quant(&b, &ctx, n, counts); break;
    case OP_BIPOLAR_QUANT: ok = rewrite_bipolar(&b, &ctx, n, counts); break;
    case OP_TRUNC: ok = rewrite_trunc(&b, &ctx, n, counts); break;
    default:
        return node_error(d, g, n, "has no standard ONNX form in the QCDQ export (it writes "
                          "Quant, IntQuant, BipolarQuant and Trunc as standard ops and keeps "
                          "the ONNX ops)");
    }
    if (!ok && !d->failed)
        node_error(d, g, n, "out of memory writing its standard ONNX form");
    return ok;
}
