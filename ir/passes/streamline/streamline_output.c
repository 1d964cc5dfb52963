/* Streamlining pass 4: the output affine.
 *
 * Wherever an integer tensor is read by something that is not integer (a
 * graph output, or the float ops after the last layer), an OutputAffine
 * turns it back into float. The float ops right after it that are affine
 * per channel (Add, Sub, Mul, Div by constants, BatchNormalization, Neg,
 * and the accumulator's pending Gemm/Conv bias) fold into its A and B,
 * computed in double:
 *
 *     float value = A[c] * x + B[c],  A = scale * mul,  B = scale * add
 *     then per op:  + c: B += c;  - c: B -= c;  c - : A = -A, B = c - B;
 *                   * c: A *= c, B *= c;  / c: A /= c, B /= c;
 *                   BN: k = gamma / sqrt(var + eps); A *= k, B = (B - mean) k + beta
 *
 * The accumulator's pending steps (IntInfo.prefix) fold first; their
 * constants come from the chain steps (ChainStep.in), since the nodes
 * standing for Gemm's alpha and bias or Conv's bias are synthetic and have
 * no input tensors. A step that is not affine or lacks a constant is an
 * error naming the layer. A last layer with a float bias and no output
 * quantizer thus ends as acc -> OutputAffine with A[c] = s_x s_w[c] alpha
 * and B[c] = fl32(beta C[c]) (docs/integer-graph.md).
 *
 * OutputAffine writes the last folded op's output tensor (the node that
 * wrote it is removed), so the float tail after it (Softmax, ArgMax, a
 * Relu...) reads the same tensor as before. The result is the golden
 * value up to float rounding: the golden ops round after each op. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamline_internal.h"

typedef struct Affine {
    int rank, caxis;
    int64_t C;
    double *A, *B;
} Affine;

/* Element c of a step's constant input k (present: see has_const). */
static double const_at(const ChainStep *s, int k, int64_t c)
{
    return sl_channel_value(s->in[k], c);
}

/* Whether the step's constant input k is there and holds one value or one
 * per channel (why says which is missing otherwise). */
static bool has_const(const Affine *af, const ChainStep *s, int k, char *why, size_t why_size)
{
    const Value *v = k < s->n_in ? s->in[k] : NULL;
    if (!v)
        snprintf(why, why_size, "its input %d has no constant value", k);
    else if (v->count != 1 && v->count != af->C)
        snprintf(why, why_size, "its input %d holds %lld values, not 1 or one per channel (%lld)",
                 k, (long long)v->count, (long long)af->C);
    return v && (v->count == 1 || v->count == af->C);
}

/* Applies one float step to A, B if it is affine per channel. The step's
 * constants are read from s->in[] (its data input s->data is the affine's
 * running value), never from s->node's inputs: the steps standing for
 * Gemm's alpha and bias or Conv's bias are synthetic nodes with no input
 * tensors (streamline_layers.c). False with the reason in why if the step
 * is not affine or lacks a constant; A and B are then unchanged. */
static bool apply(Affine *af, const ChainStep *s, char *why, size_t why_size)
{
    const char *op = s->node->op_type;
    if (!strcmp(op, "Neg")) {
        for (int64_t c = 0; c < af->C; c++) {
            af->A[c] = -af->A[c];
            af->B[c] = -af->B[c];
        }
        return true;
    }
    if (!strcmp(op, "BatchNormalization")) {
        for (int k = 1; k <= 4; k++)
            if (!has_const(af, s, k, why, why_size))
                return false;
        double eps = node_attr_float(s->node, "epsilon", 1e-5f);
        for (int64_t c = 0; c < af->C; c++) {
            double k = const_at(s, 1, c) / sqrt(const_at(s, 4, c) + eps);
            af->A[c] *= k;
            af->B[c] = (af->B[c] - const_at(s, 3, c)) * k + const_at(s, 2, c);
        }
        return true;
    }
    bool add = !strcmp(op, "Add"), sub = !strcmp(op, "Sub"), mul = !strcmp(op, "Mul"),
         div = !strcmp(op, "Div") && s->data == 0;
    if (!add && !sub && !mul && !div) {
        snprintf(why, why_size, "%s is not affine per channel", op);
        return false;
    }
    if (s->data != 0 && s->data != 1) {
        snprintf(why, why_size, "its data input is %d, not 0 or 1", s->data);
        return false;
    }
    int k = 1 - s->data;
    if (!has_const(af, s, k, why, why_size))
        return false;
    for (int64_t c = 0; c < af->C; c++) {
        double v = const_at(s, k, c);
        if (add) {
            af->B[c] += v;
        } else if (sub && s->data == 0) {
            af->B[c] -= v;
        } else if (sub) {
            af->A[c] = -af->A[c];
            af->B[c] = v - af->B[c];
        } else if (mul) {
            af->A[c] *= v;
            af->B[c] *= v;
        } else {
            af->A[c] /= v;
            af->B[c] /= v;
        }
    }
    return true;
}

/* Whether graph node n, reading t, is one of the ops apply() folds, with
 * its step (constants filled in) in *s. */
static bool affine_op(const Node *n, const Tensor *t, const Affine *af, ChainStep *s)
{
    char why[160];
    static const char *const ops[] = { "Add", "Sub", "Mul", "Div", "BatchNormalization", "Neg" };
    bool known = false;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        known = known || !strcmp(n->op_type, ops[k]);
    int data;
    if (!known || !sl_chain_op(n, t, af->rank, af->caxis, af->C, &data, why, sizeof why))
        return false;
    if (!strcmp(n->op_type, "Div") && data == 1)
        return false;
    Chain one = { 0 };
    if (!sl_chain_push(&one, n, data))
        return false;
    *s = one.step[0];
    return true;
}

/* A 1-D float constant of C entries (1 when `one`). */
static Tensor *vector_const(Streamline *S, const char *name, const double *v, int64_t C, bool one)
{
    Shape s = { 1, { one ? 1 : C } };
    Value *val = value_new(ET_FLOAT, &s);
    if (!val) {
        sl_fail(S, NULL, "out of memory");
        return NULL;
    }
    for (int64_t c = 0; c < s.dims[0]; c++)
        val->f[c] = (float)v[c];
    Tensor *t = sl_const(S, name, val, (qc_dtype){ QC_INT, 0 });
    value_free(val);
    return t;
}

static void remove_producer(Streamline *S, Tensor *t)
{
    for (int k = 0; k < S->g->n_nodes; k++)
        if (S->g->nodes[k] == t->producer) {
            sl_mark_done(S, t->producer);
            graph_remove_node(S->g, k);
            return;
        }
    t->producer = NULL;
}

/* OutputAffine for x, folding the affine float ops that follow it. */
static bool build(Streamline *S, IntInfo *x)
{
    Affine af = { .rank = x->src->shape.rank, .caxis = x->caxis, .C = 1 };
    if (x->C > 1)
        af.C = x->C;
    else if (af.rank >= 2 && af.caxis > 0 && af.caxis < af.rank)
        af.C = x->src->shape.dims[af.caxis];
    if (af.C < 1)
        af.C = 1;
    af.A = malloc((size_t)af.C * sizeof *af.A);
    af.B = malloc((size_t)af.C * sizeof *af.B);
    if (!af.A || !af.B) {
        free(af.A);
        free(af.B);
        return sl_fail(S, NULL, "out of memory");
    }
    for (int64_t c = 0; c < af.C; c++) {
        double s = x->scale[x->C > 1 ? c : 0];
        af.A[c] = s * (double)x->mul;
        af.B[c] = s * (double)x->add;
    }
    /* the accumulator's pending float steps (Gemm's alpha and bias, Conv's
     * bias): always affine, but a step that is not must not pass silently */
    char why[200];
    for (int k = 0; k < x->prefix.n; k++) {
        const ChainStep *s = &x->prefix.step[k];
        if (!apply(&af, s, why, sizeof why)) {
            free(af.A);
            free(af.B);
            return sl_fail(S, x->it->producer, "the float %s after its accumulator cannot be "
                           "folded into the output affine: %s", s->node->op_type, why);
        }
    }
    Tensor *t = x->src;
    Node *first = NULL;
    for (;;) {
        Node *c;
        ChainStep s;
        if (sl_consumers(S, t, &c) != 1 || !c || t->is_graph_output || af.rank < 2 ||
            !affine_op(c, t, &af, &s) || !apply(&af, &s, why, sizeof why))
            break;
        if (!first)
            first = c;
        sl_mark_done(S, c);
        t = c->outputs[0];
    }
    char name[512];
    snprintf(name, sizeof name, "%.480s", first ? sl_take_name(S, first) : t->name);
    char an[520], bn[520];
    snprintf(an, sizeof an, "%s_A", name);
    snprintf(bn, sizeof bn, "%s_B", name);
    bool per_channel = false;
    for (int64_t c = 1; c < af.C; c++)
        per_channel = per_channel || af.A[c] != af.A[0] || af.B[c] != af.B[0];
    Tensor *at = vector_const(S, an, af.A, af.C, !per_channel);
    Tensor *bt = at ? vector_const(S, bn, af.B, af.C, !per_channel) : NULL;
    free(af.A);
    free(af.B);
    if (!bt)
        return false;
    remove_producer(S, t);
    Tensor *ins[3] = { x->it, at, bt };
    Node *n = sl_node(S, first ? name : "OutputAffine", "OutputAffine", "qonnxc", 3, ins, t,
                      per_channel ? 1 : 0);
    if (!n)
        return false;
    if (per_channel)
        sl_attr_int(S, n, 0, "channel_axis", af.caxis);
    t->qdt = NULL;
    return sl_finish_node(S, n);
}

bool sl_output(Streamline *S)
{
    for (int k = 0, n_info = S->n_info; k < n_info; k++) {
        IntInfo *x = S->info[k];
        if (sl_consumers(S, x->src, NULL) == 0)
            continue;
        if (!build(S, x))
            return false;
    }
    return true;
}
