/* Streamlining pass 1: quantized constants.
 *
 * Every Quant / IntQuant / BipolarQuant whose input is a constant (the
 * weight quantizers cleanup keeps) gets an integer form: q - zeropt,
 * computed with op_quant.c's own rounding, and the scale, per tensor or
 * along one axis (per output channel). A Transpose of such a tensor gets
 * the transposed form, so MatMul weights exported as Quant -> Transpose
 * need no float. Whether a form is usable as weights (bits, zero point,
 * scale axis) is decided where a layer uses it; `problem` says why not.
 *
 * A quantizer on a constant that no MatMul, Gemm or Conv uses as its
 * weights (a quantized bias, say) is folded: its output becomes the
 * constant the golden op computes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_quant.h"
#include "streamline_internal.h"

/* The axis a parameter of shape p varies along when broadcast to x
 * (aligned right): -1 for none, -2 for several. */
static int param_axis(const Shape *p, const Shape *x)
{
    int axis = -1;
    for (int j = 0; j < p->rank; j++)
        if (p->dims[j] != 1) {
            if (axis != -1)
                return -2;
            axis = x->rank - p->rank + j;
        }
    return axis;
}

/* q - zeropt of a quantizer on a constant, as op_quant.c computes q. */
static bool quantize_constant(Streamline *S, const Node *n, IntWeight *w)
{
    const OpCtx *ctx = &S->ctx;
    const Value *x = n->inputs[0]->value;
    bool bipolar_op = !strcmp(n->op_type, "BipolarQuant");
    for (int k = 1; k < n->n_inputs; k++)
        if (!n->inputs[k] || !n->inputs[k]->value)
            return sl_fail(S, n, "parameter %d is not a constant", k);
    const Value *scale = n->inputs[1]->value;
    const Value *zeropt = bipolar_op ? NULL : n->inputs[2]->value;
    bool is_signed = true, narrow = false;
    QonnxRounding rounding = QROUND_HALF_EVEN;
    int bits = 1;
    if (!bipolar_op &&
        (!qonnx_flag_attr(ctx, n, "signed", true, &is_signed) ||
         !qonnx_flag_attr(ctx, n, "narrow", false, &narrow) ||
         !qonnx_rounding_attr(ctx, n, QROUND_HALF_EVEN, &rounding) ||
         !qonnx_bit_width(ctx, n, n->inputs[3]->value, "bit width", &bits)))
        return false;
    if (!qonnx_check_scale(ctx, n, scale, "scale") ||
        !qonnx_param_fits(ctx, n, &x->shape, &scale->shape, "scale") ||
        (zeropt && !qonnx_param_fits(ctx, n, &x->shape, &zeropt->shape, "zero point")))
        return false;
    w->quant = n;
    w->src = n->outputs[0];
    w->bits = bits;
    w->q = value_new(ET_INT64, &x->shape);
    if (!w->q)
        return sl_fail(S, n, "out of memory");
    QonnxParam sp, zp;
    qonnx_param_init(&sp, scale, &x->shape);
    if (zeropt)
        qonnx_param_init(&zp, zeropt, &x->shape);
    bool bipolar = bipolar_op || (bits == 1 && is_signed);
    int64_t lo_i, hi_i, zmin = 0, zmax = 0;
    qonnx_int_range(bits, is_signed, narrow, &lo_i, &hi_i);
    const float lo = (float)lo_i, hi = (float)hi_i;
    for (int64_t k = 0; k < x->count; k++) {
        float xv = x->f ? x->f[k] : (float)x->i[k];
        float s = qonnx_param_at(&sp, k), z = zeropt ? qonnx_param_at(&zp, k) : 0.0f;
        if (z != floorf(z) || fabsf(z) > 1e6f) {
            w->problem = "its zero point is not an integer";
            z = 0.0f;
        }
        zmin = (int64_t)z < zmin || k == 0 ? (int64_t)z : zmin;
        zmax = (int64_t)z > zmax || k == 0 ? (int64_t)z : zmax;
        float q;
        if (bipolar_op) {
            q = xv >= 0.0f ? 1.0f : -1.0f;
        } else {
            float v = xv / s;
            v = v + z;
            if (bipolar) {
                q = v >= 0.0f ? 1.0f : -1.0f;
            } else {
                q = qonnx_round(v, rounding);
                q = q < lo ? lo : q;
                q = q > hi ? hi : q;
                if (q != q) {
                    w->problem = "it holds NaN";
                    q = 0.0f;
                }
            }
        }
        w->q->i[k] = (int64_t)q - (int64_t)z;
    }
    if (bipolar && zmin == 0 && zmax == 0)
        w->dt = qc_dtype_bipolar();
    else if (bipolar)
        w->dt = sl_dtype_for_range(-1 - zmax, 1 - zmin);
    else
        w->dt = sl_dtype_for_range(lo_i - zmax, hi_i - zmin);
    if (bits > SL_MAX_BITS && !w->problem)
        w->problem = "it has more than 8 bits (1 to 8 are supported)";
    w->axis = param_axis(&scale->shape, &x->shape);
    if (w->axis == -2) {
        w->problem = w->problem ? w->problem : "its scale varies along more than one axis";
        w->axis = -1;
    }
    int64_t ns = w->axis >= 0 ? x->shape.dims[w->axis] : 1;
    w->scale = malloc((size_t)ns * sizeof *w->scale);
    if (!w->scale)
        return sl_fail(S, n, "out of memory");
    for (int64_t c = 0; c < ns; c++)
        w->scale[c] = (float)sl_channel_value(scale, c);
    return true;
}

/* The form of a Transpose of a quantized constant. */
static bool transpose_weight(Streamline *S, const Node *n, const IntWeight *src, IntWeight *w)
{
    const Shape *in = &src->q->shape;
    int perm[MAX_RANK], count;
    const int64_t *p = op_attr_ints(n, "perm", &count);
    if (p && count != in->rank)
        return sl_fail(S, n, "perm has %d entries for rank %d", count, in->rank);
    for (int k = 0; k < in->rank; k++)
        perm[k] = p ? (int)p[k] : in->rank - 1 - k;
    Shape out = { in->rank, { 0 } };
    for (int k = 0; k < in->rank; k++) {
        if (perm[k] < 0 || perm[k] >= in->rank)
            return sl_fail(S, n, "perm entry %d is out of range", perm[k]);
        out.dims[k] = in->dims[perm[k]];
    }
    *w = *src;
    w->src = n->outputs[0];
    w->q = value_new(ET_INT64, &out);
    w->scale = malloc((size_t)(src->axis >= 0 ? in->dims[src->axis] : 1) * sizeof *w->scale);
    if (!w->q || !w->scale)
        return sl_fail(S, n, "out of memory");
    memcpy(w->scale, src->scale,
           (size_t)(src->axis >= 0 ? in->dims[src->axis] : 1) * sizeof *w->scale);
    w->axis = -1;
    for (int k = 0; k < in->rank; k++)
        if (perm[k] == src->axis)
            w->axis = k;
    int64_t in_strides[MAX_RANK], idx[MAX_RANK] = { 0 };
    shape_strides(in, in_strides);
    for (int64_t k = 0; k < w->q->count; k++) {
        int64_t from = 0;
        for (int d = 0; d < out.rank; d++)
            from += idx[d] * in_strides[perm[d]];
        w->q->i[k] = src->q->i[from];
        for (int d = out.rank - 1; d >= 0; d--) {
            if (++idx[d] < out.dims[d])
                break;
            idx[d] = 0;
        }
    }
    return true;
}

/* Whether a node reads t as its weights (MatMul/Gemm B, Conv W). */
static bool reads_as_weights(const Node *n, const Tensor *t)
{
    if (n->domain_kind != DOMAIN_ONNX || n->n_inputs < 2 || n->inputs[1] != t)
        return false;
    return !strcmp(n->op_type, "MatMul") || !strcmp(n->op_type, "Gemm") ||
           !strcmp(n->op_type, "Conv");
}

/* Whether t, or a Transpose of it, is read as weights. */
static bool used_as_weights(const Graph *g, const Tensor *t, int depth)
{
    for (int k = 0; k < g->n_nodes && depth < 8; k++) {
        const Node *n = g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++) {
            if (n->inputs[i] != t)
                continue;
            if (reads_as_weights(n, t))
                return true;
            if (!strcmp(n->op_type, "Transpose") && used_as_weights(g, n->outputs[0], depth + 1))
                return true;
        }
    }
    return false;
}

/* Replaces a quantizer on constants by the constant it computes. */
static bool fold(Streamline *S, int k)
{
    Node *n = S->g->nodes[k];
    const Value *in[4] = { NULL };
    Value *out[1] = { NULL };
    for (int i = 0; i < n->n_inputs && i < 4; i++)
        in[i] = n->inputs[i] ? n->inputs[i]->value : NULL;
    if (!n->op->eval(&S->ctx, n, in, out))
        return false;
    Tensor *t = n->outputs[0];
    t->value = value_copy_in(&S->g->arena, out[0]);
    value_free(out[0]);
    if (!t->value)
        return sl_fail(S, n, "out of memory");
    t->elem_type = t->value->elem_type;
    t->shape = t->value->shape;
    graph_remove_node(S->g, k);
    return true;
}

bool sl_weights(Streamline *S)
{
    Graph *g = S->g;
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        if (sl_is_quantizer(n) && n->inputs[0]->value) {
            if (!used_as_weights(g, n->outputs[0], 0)) {
                if (!fold(S, k))
                    return false;
                k--;
                continue;
            }
            IntWeight *w = sl_add_weight(S);
            if (!w)
                return sl_fail(S, n, "out of memory");
            if (!quantize_constant(S, n, w))
                return false;
        } else if (!strcmp(n->op_type, "Transpose") && n->domain_kind == DOMAIN_ONNX) {
            const IntWeight *src = NULL;
            for (int j = 0; j < S->n_w; j++)
                if (S->w[j].src == n->inputs[0] && S->w[j].quant)
                    src = &S->w[j];
            if (!src)
                continue;
            IntWeight copy = *src;   /* S->w may move when it grows */
            IntWeight *w = sl_add_weight(S);
            if (!w)
                return sl_fail(S, n, "out of memory");
            if (!transpose_weight(S, n, &copy, w))
                return false;
        }
    }
    return true;
}
