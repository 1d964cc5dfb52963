/* InputQuant (domain qonnxc): the float boundary at the input of the
 * integer graph (docs/integer-graph.md).
 *
 * Inputs: X (float), C1..Ck (float constants, one per step), then for
 * mode "quant" scale and zeropt (float constants). Every constant is per
 * tensor or broadcasts to X without growing it. Attributes:
 *   steps          STRINGS, one of "mul", "add", "sub", "div" per Ci
 *   mode           "quant", "bipolar" or "integer"
 *   bits, signed, narrow, rounding_mode   (mode "quant", as Quant's)
 *
 * Per element, in float32, the golden executor's operations one by one:
 *
 *     v = X;  v = v op Ci  for each step      (Mul, Add, Sub, Div)
 *     quant:   y = v / scale;  y = y + zeropt;  q = clamp(round(y), lo, hi)
 *              (1-bit signed: q = y >= 0 ? +1 : -1, as Quant does)
 *              out = q - zeropt               (zeropt is an integer)
 *     bipolar: out = v >= 0 ? +1 : -1         (BipolarQuant)
 *     integer: out = v, which must be an integer: the input is annotated
 *              with an integer datatype and the steps map it to integers;
 *              anything else means the input is outside its datatype.
 *
 * The rounding and the 1-bit rule are op_quant.c's own (qonnx_round), so
 * the integers are exactly the golden quantizer's. NaN follows the golden
 * ops where they give an integer (a sign test: -1); where they give NaN
 * (rounding, mode integer) it is an error: the integers cannot hold it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"
#include "op_quant.h"

static const char *const step_names[] = { "mul", "add", "sub", "div" };

const char *input_quant_step_name(InputQuantStep step)
{
    return step_names[step];
}

bool input_quant_params(const OpCtx *ctx, const Node *n, InputQuantParams *a)
{
    memset(a, 0, sizeof *a);
    a->scale_input = a->zeropt_input = -1;
    if (node_kind(n) != OP_INPUT_QUANT)
        return op_error(ctx, n, "is not an InputQuant");
    const char *mode = node_attr_string(n, "mode", NULL);
    if (!mode)
        return op_error(ctx, n, "attribute 'mode' (quant, bipolar or integer) is required");
    if (!strcmp(mode, "quant"))
        a->mode = IQ_QUANT;
    else if (!strcmp(mode, "bipolar"))
        a->mode = IQ_BIPOLAR;
    else if (!strcmp(mode, "integer"))
        a->mode = IQ_INTEGER;
    else
        return op_error(ctx, n, "mode '%s' is not one of quant, bipolar, integer", mode);
    const Attr *st = node_attr(n, "steps");
    if (st) {
        if (st->kind != ATTR_STRINGS)
            return op_error(ctx, n, "attribute 'steps' must be a list of strings");
        if (st->n > INPUT_QUANT_MAX_STEPS)
            return op_error(ctx, n, "%d steps; at most %d are supported", st->n,
                            INPUT_QUANT_MAX_STEPS);
        for (int k = 0; k < st->n; k++) {
            int found = -1;
            for (int j = 0; j < 4; j++)
                if (!strcmp(st->strings[k], step_names[j]))
                    found = j;
            if (found < 0)
                return op_error(ctx, n, "step %d '%s' is not one of mul, add, sub, div", k,
                                st->strings[k]);
            a->steps[k] = (InputQuantStep)found;
        }
        a->n_steps = st->n;
    }
    int want = 1 + a->n_steps + (a->mode == IQ_QUANT ? 2 : 0);
    if (n->n_inputs != want)
        return op_error(ctx, n, "has %d inputs; mode %s with %d steps takes %d", n->n_inputs,
                        mode, a->n_steps, want);
    if (a->mode != IQ_QUANT)
        return true;
    a->scale_input = 1 + a->n_steps;
    a->zeropt_input = 2 + a->n_steps;
    const Attr *b = node_attr(n, "bits");
    if (!b || b->kind != ATTR_INT || b->i < 1 || b->i > 32)
        return op_error(ctx, n, "attribute 'bits' must be an int in 1..32");
    a->bits = (int)b->i;
    return qonnx_flag_attr(ctx, n, "signed", true, &a->is_signed) &&
           qonnx_flag_attr(ctx, n, "narrow", false, &a->narrow) &&
           qonnx_rounding_attr(ctx, n, QROUND_HALF_EVEN, &a->rounding);
}

/* The constant parameters, as check (tensor values) and eval see them. */
static bool iq_params_ok(const OpCtx *ctx, const Node *n, const InputQuantParams *a,
                         const Shape *x, const Value *const *in)
{
    for (int k = 1; k < n->n_inputs; k++) {
        char what[32];
        snprintf(what, sizeof what, "constant %d", k);
        if (!in[k])
            return op_error(ctx, n, "input %d has no value", k);
        if (!qonnx_check_finite(ctx, n, in[k], what) ||
            !qonnx_param_fits(ctx, n, x, &in[k]->shape, what))
            return false;
    }
    if (a->mode != IQ_QUANT)
        return true;
    const Value *zp = in[a->zeropt_input];
    if (!qonnx_check_scale(ctx, n, in[a->scale_input], "scale"))
        return false;
    for (int64_t k = 0; k < zp->count; k++) {
        double z = value_get(zp, k);
        if (z != floor(z) || fabs(z) > 1e9)
            return op_error(ctx, n, "zero point element %lld is %g; it must be an integer",
                            (long long)k, z);
    }
    return true;
}

static bool iq_check(const OpCtx *ctx, const Node *n)
{
    InputQuantParams a;
    if (!input_quant_params(ctx, n, &a))
        return false;
    const Value *in[1 + INPUT_QUANT_MAX_STEPS + 2] = { NULL };
    for (int k = 1; k < n->n_inputs; k++) {
        if (!int_need_const(ctx, n, k, "parameter"))
            return false;
        in[k] = n->inputs[k]->value;
    }
    return iq_params_ok(ctx, n, &a, &n->inputs[0]->shape, in);
}

static bool iq_infer(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &n->inputs[0]->shape);
    return true;
}

static bool iq_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    InputQuantParams a;
    if (!input_quant_params(ctx, n, &a))
        return false;
    if (!in[0])
        return op_error(ctx, n, "input 0 has no value");
    const Value *x = in[0];
    if (!x->f)
        return op_error(ctx, n, "X must be a float tensor, not %s", elem_type_name(x->elem_type));
    if (!iq_params_ok(ctx, n, &a, &x->shape, in))
        return false;
    QonnxParam c[INPUT_QUANT_MAX_STEPS], scale, zeropt;
    for (int s = 0; s < a.n_steps; s++)
        qonnx_param_init(&c[s], in[1 + s], &x->shape);
    int64_t lo_i = 0, hi_i = 0;
    if (a.mode == IQ_QUANT) {
        qonnx_param_init(&scale, in[a.scale_input], &x->shape);
        qonnx_param_init(&zeropt, in[a.zeropt_input], &x->shape);
        qonnx_int_range(a.bits, a.is_signed, a.narrow, &lo_i, &hi_i);
    }
    const float lo = (float)lo_i, hi = (float)hi_i;
    const bool bipolar_quant = a.bits == 1 && a.is_signed;
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &x->shape);
    if (!y)
        return false;
    for (int64_t k = 0; k < x->count; k++) {
        float v = x->f[k];
        for (int s = 0; s < a.n_steps; s++) {
            float cv = qonnx_param_at(&c[s], k);
            switch (a.steps[s]) {
            case IQ_STEP_MUL: v = v * cv; break;
            case IQ_STEP_ADD: v = v + cv; break;
            case IQ_STEP_SUB: v = v - cv; break;
            case IQ_STEP_DIV: v = v / cv; break;
            }
        }
        if (a.mode == IQ_BIPOLAR) {
            y->i[k] = v >= 0.0f ? 1 : -1;
        } else if (a.mode == IQ_INTEGER) {
            if (!(v == floorf(v) && fabsf(v) < 9.0e15f)) {
                value_free(y);
                return op_error(ctx, n, "element %lld is %.9g after the float steps, not an "
                                "integer: the input is outside its declared datatype",
                                (long long)k, (double)v);
            }
            y->i[k] = (int64_t)v;
        } else {
            float s = qonnx_param_at(&scale, k), z = qonnx_param_at(&zeropt, k);
            float t = v / s;
            t = t + z;
            float q;
            if (bipolar_quant) {
                q = t >= 0.0f ? 1.0f : -1.0f;
            } else if (isnan(t)) {
                value_free(y);
                return op_error(ctx, n, "element %lld is NaN before rounding; the integer "
                                "graph cannot represent it", (long long)k);
            } else {
                q = qonnx_round(t, a.rounding);
                q = q < lo ? lo : q;
                q = q > hi ? hi : q;
            }
            y->i[k] = (int64_t)q - (int64_t)z;
        }
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_input_quant = {
    OP_INPUT_QUANT, "InputQuant", DOMAIN_QONNXC, 1, 1 + INPUT_QUANT_MAX_STEPS + 2, 1, 1,
    iq_check, iq_infer, iq_eval,
};
