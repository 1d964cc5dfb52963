/* QONNX Trunc: drops low-order bits of an already quantized tensor (what
 * Brevitas puts after an average pool's sum). It has two versions with
 * different inputs and results.
 *
 * Which version: the one the model asks for through its opset import of
 * the QONNX domain (any of its four spellings, see domain_kind), that is
 * node->opset: 0 (the model imports none) or 1 means version 1, 2 or more
 * means version 2. This is qonnx's own rule (a custom op resolves to the
 * highest version not above the imported one; docs/qonnx-custom-ops/
 * overview.md lists Trunc at versions 1 and 2). A node whose input count
 * belongs to the other version is an error that says so, rather than being
 * guessed at: the two versions read their inputs differently.
 *
 * Version 1 (docs/qonnx-custom-ops/trunc_v1.md).
 *   Inputs: x, scale, zeropt, in_bitwidth, out_bitwidth.
 *   Attribute: rounding_mode (default "FLOOR").
 *   In float32, per element:
 *     y = round_half_even(x / scale + zeropt)    the input integer
 *     y = y / 2^(in_bitwidth - out_bitwidth)     shift right, as a division
 *     y = round(y)                               by rounding_mode
 *     out = (y - zeropt) * scale
 *   The result keeps the input scale: it is the shifted integer times the
 *   old scale (2^k times smaller than the value Trunc stands for). There is
 *   no clamping; signed and narrow are not version 1 attributes.
 *
 * Version 2 (docs/qonnx-custom-ops/trunc_v2.md, matching Brevitas' reworked
 * TruncIntQuant).
 *   Inputs: x, scale, zeropt, in_bitwidth, out_scale, out_bitwidth.
 *   Attributes: rounding_mode (default "FLOOR"), signed (default 1),
 *   narrow (default 0).
 *   In float32, per element:
 *     y = round_half_even(x / scale + zeropt)
 *     t = 2^round_half_even(log2(out_scale / scale))   a power of two
 *     y = y / t
 *     y = clamp(y, lo, hi)     range of out_bitwidth, signed, narrow
 *     y = round(y)             by rounding_mode
 *     out = (y - zeropt / t) * out_scale
 *   The result is in the output scale; in_bitwidth is not used by the
 *   arithmetic (it must still be a valid constant). qonnx's source for a
 *   while read a 7-input form (..., out_scale, out_zeropt, out_bitwidth)
 *   and ignored out_zeropt; qonnxc reads that form the same way.
 *
 * Every parameter input must be constant; scales positive and finite,
 * zero points finite, bit widths integers in 1..32. Rounding modes and
 * ranges are shared with Quant (op_quant.h). */
#include "op_quant.h"

#include <math.h>

/* Input positions of one version's parameters; -1 where it has none. */
typedef struct TruncLayout {
    int version;
    int out_scale, out_zeropt, out_bitwidth;
} TruncLayout;

/* 2^round_half_even(log2(ratio)): the power of two nearest to ratio in the
 * log domain. The exponent is bounded so that a degenerate ratio (inf or 0
 * after float overflow) cannot make the int conversion undefined. */
static float nearest_power_of_two(float ratio)
{
    float e = qonnx_round(log2f(ratio), QROUND_HALF_EVEN);
    e = e > 200.0f ? 200.0f : e;
    e = e < -200.0f ? -200.0f : e;
    return ldexpf(1.0f, (int)e);
}

static int trunc_version(const Node *n)
{
    return n->opset >= 2 ? 2 : 1;
}

static bool trunc_layout(const OpCtx *ctx, const Node *n, TruncLayout *l)
{
    l->version = trunc_version(n);
    if (l->version == 1) {
        if (n->n_inputs != 5)
            return op_error(ctx, n,
                            "Trunc version 1 (the model imports the QONNX domain at version "
                            "%lld) takes 5 inputs (x, scale, zeropt, in_bitwidth, "
                            "out_bitwidth); this node has %d, which is the version 2 form: "
                            "the model should import the domain at version 2",
                            (long long)n->opset, n->n_inputs);
        l->out_scale = -1;
        l->out_zeropt = -1;
        l->out_bitwidth = 4;
        return true;
    }
    if (n->n_inputs != 6 && n->n_inputs != 7)
        return op_error(ctx, n,
                        "Trunc version 2 (the model imports the QONNX domain at version "
                        "%lld) takes 6 inputs (x, scale, zeropt, in_bitwidth, out_scale, "
                        "out_bitwidth); this node has %d, which is the version 1 form: the "
                        "model should import the domain at version 1",
                        (long long)n->opset, n->n_inputs);
    l->out_scale = 4;
    l->out_zeropt = n->n_inputs == 7 ? 5 : -1;
    l->out_bitwidth = n->n_inputs - 1;
    return true;
}

typedef struct TruncSpec {
    TruncLayout l;
    QonnxRounding rounding;
    bool is_signed, narrow;
    int in_bits, out_bits;
} TruncSpec;

static bool trunc_attrs(const OpCtx *ctx, const Node *n, TruncSpec *s)
{
    if (!trunc_layout(ctx, n, &s->l) ||
        !qonnx_rounding_attr(ctx, n, QROUND_FLOOR, &s->rounding))
        return false;
    s->is_signed = true;
    s->narrow = false;
    return s->l.version == 1 || (qonnx_flag_attr(ctx, n, "signed", true, &s->is_signed) &&
                                 qonnx_flag_attr(ctx, n, "narrow", false, &s->narrow));
}

/* Validates the parameter values p[k] (input k; p[0] unused) against x.
 * A NULL p[k] (a parameter constant folding has yet to produce, at check
 * time) is skipped; eval passes them all. */
static bool trunc_params_ok(const OpCtx *ctx, const Node *n, const Shape *x,
                            const Value *const *p, TruncSpec *s)
{
    const Value *sc = p[1], *zp = p[2], *in_bw = p[3], *out_bw = p[s->l.out_bitwidth];
    const Value *out_sc = s->l.out_scale >= 0 ? p[s->l.out_scale] : NULL;
    return (!sc || (qonnx_check_scale(ctx, n, sc, "scale") &&
                    qonnx_param_fits(ctx, n, x, &sc->shape, "scale"))) &&
           (!zp || (qonnx_check_finite(ctx, n, zp, "zero point") &&
                    qonnx_param_fits(ctx, n, x, &zp->shape, "zero point"))) &&
           (!in_bw || qonnx_bit_width(ctx, n, in_bw, "input bit width", &s->in_bits)) &&
           (!out_bw || qonnx_bit_width(ctx, n, out_bw, "output bit width", &s->out_bits)) &&
           (!out_sc || (qonnx_check_scale(ctx, n, out_sc, "output scale") &&
                        qonnx_param_fits(ctx, n, x, &out_sc->shape, "output scale")));
}

static const char *trunc_param_name(const TruncLayout *l, int k)
{
    static const char *const fixed[] = { "input", "scale", "zero point", "input bit width" };
    if (k < 4)
        return fixed[k];
    if (k == l->out_scale)
        return "output scale";
    if (k == l->out_zeropt)
        return "output zero point";
    return "output bit width";
}

static bool trunc_check(const OpCtx *ctx, const Node *n)
{
    TruncSpec s;
    if (!trunc_attrs(ctx, n, &s))
        return false;
    const Value *p[7] = { NULL };
    for (int k = 1; k < n->n_inputs; k++) {
        if (!qonnx_need_constant(ctx, n, k, trunc_param_name(&s.l, k)))
            return false;
        p[k] = n->inputs[k]->value;
    }
    return trunc_params_ok(ctx, n, &n->inputs[0]->shape, p, &s);
}

static bool trunc_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    TruncSpec s;
    if (!trunc_attrs(ctx, n, &s))
        return false;
    for (int k = 0; k < n->n_inputs; k++)
        if (!in[k])
            return op_error(ctx, n, "%s (input %d) has no value", trunc_param_name(&s.l, k), k);
    const Value *x = in[0];
    if (!trunc_params_ok(ctx, n, &x->shape, in, &s))
        return false;
    Value *y = op_new_value(ctx, n, qonnx_out_type(x->elem_type), &x->shape);
    if (!y)
        return false;
    QonnxParam scale, zeropt, out_scale;
    qonnx_param_init(&scale, in[1], &x->shape);
    qonnx_param_init(&zeropt, in[2], &x->shape);
    if (s.l.version == 2)
        qonnx_param_init(&out_scale, in[s.l.out_scale], &x->shape);
    int64_t lo_i, hi_i;
    qonnx_int_range(s.out_bits, s.is_signed, s.narrow, &lo_i, &hi_i);
    const float lo = (float)lo_i, hi = (float)hi_i;
    /* version 1 shifts by a fixed 2^(in - out): exact in float32 for 1..32 bits */
    const float shift_v1 = ldexpf(1.0f, s.in_bits - s.out_bits);
    for (int64_t k = 0; k < x->count; k++) {
        float sc = qonnx_param_at(&scale, k), z = qonnx_param_at(&zeropt, k);
        float xv = x->f ? x->f[k] : (float)x->i[k];
        float v = xv / sc;
        v = v + z;
        v = qonnx_round(v, QROUND_HALF_EVEN);
        if (s.l.version == 1) {
            v = v / shift_v1;
            v = qonnx_round(v, s.rounding);
            v = v - z;
            y->f[k] = v * sc;
        } else {
            float osc = qonnx_param_at(&out_scale, k);
            float ratio = osc / sc;
            float t = nearest_power_of_two(ratio);
            v = v / t;
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            v = qonnx_round(v, s.rounding);
            float oz = z / t;
            v = v - oz;
            y->f[k] = v * osc;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnx_trunc = {
    OP_TRUNC, "Trunc", DOMAIN_QONNX, 5, 7, 1, 1, trunc_check, qonnx_infer_like_x, trunc_eval,
};

float trunc_v2_divisor(float out_scale, float scale)
{
    return nearest_power_of_two(out_scale / scale);
}

bool trunc_params(const OpCtx *ctx, const Node *n, TruncParams *p)
{
    TruncSpec s;
    if (!trunc_check(ctx, n) || !trunc_attrs(ctx, n, &s))
        return false;
    const Value *v[7] = { NULL };
    for (int k = 1; k < n->n_inputs; k++)
        if (!(v[k] = n->inputs[k]->value))
            return op_error(ctx, n, "input %d ('%s') is not a constant yet", k,
                            n->inputs[k]->name);
    if (!trunc_params_ok(ctx, n, &n->inputs[0]->shape, v, &s))
        return false;
    p->version = s.l.version;
    p->rounding = s.rounding;
    p->is_signed = s.is_signed;
    p->narrow = s.narrow;
    p->in_bits = s.in_bits;
    p->out_bits = s.out_bits;
    p->scale = v[1];
    p->zeropt = v[2];
    p->out_scale = s.l.out_scale >= 0 ? v[s.l.out_scale] : NULL;
    return true;
}

/* The shift and rounding of a Trunc whose parameters are per-tensor
 * constants, for the integer graph (an IntSumPool's shift): version 1
 * shifts by in_bitwidth - out_bitwidth, version 2 by the exponent of
 * out_scale / scale rounded as the eval rounds it. The streamliner checks
 * the integer form against trunc_eval on every input it can receive. */
bool trunc_int_form(const OpCtx *ctx, const Node *n, TruncIntForm *f)
{
    TruncSpec s;
    if (!trunc_check(ctx, n) || !trunc_attrs(ctx, n, &s))
        return false;
    const Value *p[7] = { NULL };
    for (int k = 1; k < n->n_inputs; k++)
        p[k] = n->inputs[k]->value;
    if (!trunc_params_ok(ctx, n, &n->inputs[0]->shape, p, &s))
        return false;
    for (int k = 1; k < n->n_inputs; k++)
        if (p[k]->count != 1)
            return op_error(ctx, n, "its %s is not one value for the tensor",
                            trunc_param_name(&s.l, k));
    f->version = s.l.version;
    f->rounding = s.rounding;
    f->scale = (float)value_get(n->inputs[1]->value, 0);
    f->zeropt = (float)value_get(n->inputs[2]->value, 0);
    f->out_scale = f->scale;
    f->in_bits = s.in_bits;
    f->out_bits = s.out_bits;
    if (s.l.version == 1) {
        f->shift = s.in_bits - s.out_bits;
    } else {
        f->out_scale = (float)value_get(n->inputs[s.l.out_scale]->value, 0);
        f->shift = (int)log2f(nearest_power_of_two(f->out_scale / f->scale));
    }
    if (f->shift < 0)
        return op_error(ctx, n, "shifts left by %d bits; a Trunc drops bits", -f->shift);
    return true;
}
