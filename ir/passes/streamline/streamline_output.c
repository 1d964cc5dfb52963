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

static double const_at(const Value *v, int64_t c)
{
    return sl_channel_value(v, c);
}

/* Applies node n (data input `data`, other inputs constant) to A, B if it
 * is affine per channel; false if it is not. */
static bool apply(Affine *af, const Node *n, int data)
{
    const char *op = n->op_type;
    if (!strcmp(op, "Neg")) {
        for (int64_t c = 0; c < af->C; c++) {
            af->A[c] = -af->A[c];
            af->B[c] = -af->B[c];
        }
        return true;
    }
    if (!strcmp(op, "BatchNormalization")) {
        const Value *g = n->inputs[1]->value, *b = n->inputs[2]->value, *m = n->inputs[3]->value,
                    *v = n->inputs[4]->value;
        double eps = node_attr_float(n, "epsilon", 1e-5f);
        for (int64_t c = 0; c < af->C; c++) {
            double k = const_at(g, c) / sqrt(const_at(v, c) + eps);
            af->A[c] *= k;
            af->B[c] = (af->B[c] - const_at(m, c)) * k + const_at(b, c);
        }
        return true;
    }
    const Value *cv = n->inputs[1 - data]->value;
    for (int64_t c = 0; c < af->C; c++) {
        double k = const_at(cv, c);
        if (!strcmp(op, "Add")) {
            af->B[c] += k;
        } else if (!strcmp(op, "Sub") && data == 0) {
            af->B[c] -= k;
        } else if (!strcmp(op, "Sub")) {
            af->A[c] = -af->A[c];
            af->B[c] = k - af->B[c];
        } else if (!strcmp(op, "Mul")) {
            af->A[c] *= k;
            af->B[c] *= k;
        } else if (!strcmp(op, "Div") && data == 0) {
            af->A[c] /= k;
            af->B[c] /= k;
        } else {
            return false;
        }
    }
    return true;
}

static bool affine_op(const Node *n, const Tensor *t, const Affine *af, int *data)
{
    char why[160];
    static const char *const ops[] = { "Add", "Sub", "Mul", "Div", "BatchNormalization", "Neg" };
    bool known = false;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        known = known || !strcmp(n->op_type, ops[k]);
    if (!known || !sl_chain_op(n, t, af->rank, af->caxis, af->C, data, why, sizeof why))
        return false;
    return !(!strcmp(n->op_type, "Div") && *data == 1);
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
    bool ok = true;
    for (int k = 0; ok && k < x->prefix.n; k++)
        ok = apply(&af, x->prefix.step[k].node, x->prefix.step[k].data);
    if (!ok) {
        free(af.A);
        free(af.B);
        return sl_fail(S, x->prefix.step[0].node, "its float epilogue is not affine");
    }
    Tensor *t = x->src;
    Node *first = NULL;
    for (;;) {
        Node *c;
        int data;
        if (sl_consumers(S, t, &c) != 1 || !c || t->is_graph_output ||
            af.rank < 2 || !affine_op(c, t, &af, &data) || !apply(&af, c, data))
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
