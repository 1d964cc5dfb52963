/* Streamlining (ir/streamline*.c) on small QONNX graphs built in C.
 *
 * Each graph is loaded twice and cleaned up; one copy stays the golden
 * executor's, the other is streamlined into the integer graph. Both run on
 * the same frames, and every quantized tensor the two share (the integer
 * graph names its tensors after the float ones they replace) must agree
 * exactly: golden = fl32(int * scale). Outputs agree to float rounding,
 * argmax exactly.
 *
 * The thresholds are checked directly too: a MatMul whose accumulator
 * takes every value of its range (inputs x0 + 127 x1), a BatchNorm with
 * random statistics (negative gammas, tiny variances) and each kind of
 * quantizer; for every accumulator value count(acc >= T) must be the
 * golden level. Bisection (ranges above 2^20) must find the thresholds
 * enumeration finds. Each unsupported construct must fail with an error
 * naming the node. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brevitas_mlp.h"
#include "cleanup.h"
#include "exec.h"
#include "onnx_builder.h"
#include "op_quant.h"
#include "streamline.h"
#include "streamline_internal.h"

#define QONNX "qonnx.custom_op.general"

/* ---- random numbers -------------------------------------------------------- */

static uint32_t rng_state;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}
static double urand(double lo, double hi) { return lo + (hi - lo) * (rng() / 4294967296.0); }

/* ---- building QONNX graphs -------------------------------------------------- */

static int uniq;

/* A constant with a fresh name; returns the name (static storage ring). */
static const char *cst(OnnxBuilder *b, int rank, const int64_t *dims, const float *data)
{
    static char names[64][32];
    char *name = names[uniq % 64];
    snprintf(name, 32, "const_%d", uniq++);
    ob_init_f32(b, name, rank, dims, data);
    return name;
}
static const char *scalar(OnnxBuilder *b, float v) { return cst(b, 0, NULL, &v); }

static void node1(OnnxBuilder *b, const char *op, const char *name, const char *a,
                  const char *c, const char *out)
{
    if (c)
        ob_node(b, op, NULL, name, 2, (const char *[]){ a, c }, 1, (const char *[]){ out });
    else
        ob_node(b, op, NULL, name, 1, (const char *[]){ a }, 1, (const char *[]){ out });
}

static ObNode *quant(OnnxBuilder *b, const char *name, const char *in, const char *out,
                     const char *scale, float zeropt, int bits, int is_signed, int narrow)
{
    ObNode *q = ob_node(b, "Quant", QONNX, name, 4,
                        (const char *[]){ in, scale, scalar(b, zeropt), scalar(b, (float)bits) },
                        1, (const char *[]){ out });
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", narrow);
    ob_attr_string(q, "rounding_mode", "ROUND");
    return q;
}

static void bipolar(OnnxBuilder *b, const char *name, const char *in, const char *out, float s)
{
    ob_node(b, "BipolarQuant", QONNX, name, 2, (const char *[]){ in, scalar(b, s) }, 1,
            (const char *[]){ out });
}

/* Weights [K, N] for MatMul, as Brevitas exports them: float [N, K], a
 * quantizer with a per-output-channel power-of-two scale [N, 1] (bits 0:
 * BipolarQuant, scale 1), then Transpose. */
static void weights(OnnxBuilder *b, const char *name, int K, int N, int bits, const char *out)
{
    float *w = malloc((size_t)(K * N) * sizeof *w), *s = malloc((size_t)N * sizeof *s);
    for (int j = 0; j < N; j++)
        s[j] = ldexpf(1.0f, -(int)(rng() % 3));
    for (int j = 0; j < N; j++)
        for (int k = 0; k < K; k++)
            w[j * K + k] = (float)urand(-1.2, 1.2) * s[j] * (float)(bits > 1 ? 1 << (bits - 1) : 1);
    char raw[64], q[64];
    snprintf(raw, sizeof raw, "%s_raw", name);
    snprintf(q, sizeof q, "%s_q", name);
    ob_init_f32(b, raw, 2, (int64_t[]){ N, K }, w);
    if (bits == 0)
        bipolar(b, q, raw, q, 1.0f);
    else
        quant(b, q, raw, q, cst(b, 2, (int64_t[]){ N, 1 }, s), 0, bits, 1, 1);
    ObNode *t = ob_node(b, "Transpose", NULL, name, 1, (const char *[]){ q }, 1,
                        (const char *[]){ out });
    ob_attr_ints(t, "perm", 2, (int64_t[]){ 1, 0 });
    free(w);
    free(s);
}

/* BatchNormalization with random statistics: some gammas negative, some
 * variances tiny; the mean around `center` (the scale of its input). */
static void batchnorm(OnnxBuilder *b, const char *name, const char *in, const char *out, int C,
                      double center)
{
    float g[512], be[512], m[512], v[512];
    for (int c = 0; c < C; c++) {
        g[c] = (float)(urand(0.2, 2.0) * (rng() % 3 == 0 ? -1 : 1));
        be[c] = (float)urand(-1, 1);
        m[c] = (float)urand(-center, center);
        v[c] = rng() % 5 == 0 ? 1e-6f : (float)(urand(0.1, 2.0) * center * center);
    }
    const int64_t d[1] = { C };
    ob_node(b, "BatchNormalization", NULL, name, 5,
            (const char *[]){ in, cst(b, 1, d, g), cst(b, 1, d, be), cst(b, 1, d, m),
                              cst(b, 1, d, v) },
            1, (const char *[]){ out });
}

/* ---- golden and integer graphs -------------------------------------------- */

typedef struct Pair {
    Graph *gold, *intg;
    Diag d;
} Pair;

/* Loads the model twice and streamlines one copy; false (p->d set) if
 * streamlining fails. The builder is freed. */
static bool make_pair(OnnxBuilder *b, Pair *p)
{
    memset(p, 0, sizeof *p);
    diag_init(&p->d);
    p->gold = ob_load(b, &p->d);
    ck_assert_msg(p->gold && cleanup_graph(p->gold, true, &p->d), "%s", p->d.msg);
    p->intg = ob_load(b, &p->d);
    ck_assert_msg(p->intg && cleanup_graph(p->intg, true, &p->d), "%s", p->d.msg);
    ob_free(b);
    return streamline_graph(p->intg, true, &p->d);
}

static void free_pair(Pair *p)
{
    graph_free(p->gold);
    graph_free(p->intg);
}

static void add_output(Graph *g, Tensor *t)
{
    Tensor **outs = arena_array(&g->arena, (size_t)g->n_outputs + 1, sizeof *outs);
    memcpy(outs, g->outputs, (size_t)g->n_outputs * sizeof *outs);
    outs[g->n_outputs++] = t;
    g->outputs = outs;
    t->is_graph_output = true;
}

static int count_ops(const Graph *g, const char *op, int xnor)
{
    int n = 0;
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k]->op_type, op) &&
            (xnor < 0 || node_attr_int(g->nodes[k], "xnor", 0) == xnor))
            n++;
    return n;
}

static const Node *find_op(const Graph *g, const char *op)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k]->op_type, op))
            return g->nodes[k];
    return NULL;
}

typedef struct Result {
    int64_t tensors, ints, int_bad, floats, argmax_bad;
    double max_err;     /* |int - golden| / max |golden| of the frame */
} Result;

/* Runs both graphs on the frames `in`; compares every quantizer output the
 * graphs share (as integers) and the float outputs. */
static Result compare(Pair *p, const Value *in)
{
    Result r = { 0 };
    int n_out = p->gold->n_outputs;
    const Tensor *pairs_g[64];
    int np = 0;
    for (int k = 0; k < p->intg->n_tensors && np < 64; k++) {
        Tensor *ti = p->intg->tensors[k];
        if (ti->value || !ti->qdt)
            continue;
        Tensor *tg = graph_find_tensor(p->gold, ti->name);
        if (!tg || tg->value || !tg->producer || !sl_is_quantizer(tg->producer))
            continue;
        pairs_g[np++] = tg;
        add_output(p->gold, tg);
        add_output(p->intg, ti);
    }
    r.tensors = np;
    Value *og[80], *oi[80];
    ck_assert_msg(exec_run_frames(p->gold, &in, og, &p->d), "golden: %s", p->d.msg);
    ck_assert_msg(exec_run_frames(p->intg, &in, oi, &p->d), "int: %s", p->d.msg);
    for (int j = 0; j < np; j++) {
        const Value *g = og[n_out + j], *iv = oi[n_out + j];
        ck_assert_int_eq(g->count, iv->count);
        const Value *sv = pairs_g[j]->producer->inputs[1]->value;
        QonnxParam sp;
        Shape one = g->shape;
        one.dims[0] = 1;
        qonnx_param_init(&sp, sv, &one);
        int64_t per = g->count / g->shape.dims[0];
        for (int64_t k = 0; k < g->count; k++) {
            float s = qonnx_param_at(&sp, k % per);
            bool ok = (float)iv->i[k] * s == g->f[k];
            r.ints++;
            if (!ok && r.int_bad++ < 5)
                fprintf(stderr, "  %s[%lld]: int %lld (x %g = %.9g), golden %.9g\n",
                        pairs_g[j]->name, (long long)k, (long long)iv->i[k], (double)s,
                        (double)((float)iv->i[k] * s), (double)g->f[k]);
        }
    }
    for (int j = 0; j < n_out; j++) {
        const Value *g = og[j], *iv = oi[j];
        ck_assert_int_eq(g->count, iv->count);
        int64_t frames = g->shape.dims[0], per = g->count / frames;
        for (int64_t f = 0; f < frames; f++) {
            double big = 0;
            int64_t ag = 0, ai = 0;
            for (int64_t c = 0; c < per; c++) {
                big = fmax(big, fabs(g->f[f * per + c]));
                if (g->f[f * per + c] > g->f[f * per + ag])
                    ag = c;
                if (iv->f[f * per + c] > iv->f[f * per + ai])
                    ai = c;
            }
            for (int64_t c = 0; c < per; c++) {
                double e = fabs((double)g->f[f * per + c] - iv->f[f * per + c]);
                r.max_err = fmax(r.max_err, big > 0 ? e / big : e);
                r.floats++;
            }
            r.argmax_bad += ag != ai;
        }
    }
    for (int j = 0; j < n_out + np; j++) {
        value_free(og[j]);
        value_free(oi[j]);
    }
    return r;
}

/* Frames uniform in [lo, hi] (bipolar: -1/+1) of shape [frames, dims...]. */
static Value *frames_of(int64_t frames, int rank, const int64_t *dims, double lo, double hi,
                        bool bipolar_in)
{
    Shape s = { rank + 1, { frames } };
    memcpy(&s.dims[1], dims, (size_t)rank * sizeof *dims);
    Value *v = value_new(ET_FLOAT, &s);
    for (int64_t k = 0; k < v->count; k++)
        v->f[k] = bipolar_in ? (rng() & 1 ? 1.0f : -1.0f) : (float)urand(lo, hi);
    return v;
}

static void expect_exact(const Result *r, const char *what)
{
    printf("%-28s %lld shared quantized tensors, %lld integers, %lld differ; %lld outputs, max "
           "error %.2g; argmax differs on %lld frames\n", what, (long long)r->tensors,
           (long long)r->ints, (long long)r->int_bad, (long long)r->floats, r->max_err,
           (long long)r->argmax_bad);
    ck_assert_int_gt(r->tensors, 0);
    ck_assert_int_eq(r->int_bad, 0);
    ck_assert_msg(r->max_err <= 1e-5, "%s: output error %g", what, r->max_err);
    ck_assert_int_eq(r->argmax_bad, 0);
}

/* ---- whole graphs ------------------------------------------------------------ */

START_TEST(test_mlp)
{
    /* x*2 - 1 -> Quant INT4 -> MatMul INT2 + bias, BN, Relu -> Quant UINT3
     * -> MatMul INT4, BN -> BipolarQuant -> MatMul bipolar (xnor), BN ->
     * BipolarQuant -> MatMul bipolar (xnor) -> * c + c */
    rng_state = 11;
    OnnxBuilder *b = ob_new("mlp");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 24 });
    node1(b, "Mul", "pre_mul", "x", scalar(b, 2), "x2");
    node1(b, "Sub", "pre_sub", "x2", cst(b, 1, (int64_t[]){ 1 }, (float[]){ 1 }), "x3");
    quant(b, "q_in", "x3", "a0", scalar(b, 0.125f), 0, 4, 1, 0);
    weights(b, "w1", 24, 16, 2, "w1t");
    node1(b, "MatMul", "mm1", "a0", "w1t", "m1");
    float bias[16];
    for (int k = 0; k < 16; k++)
        bias[k] = (float)urand(-1, 1);
    node1(b, "Add", "bias1", "m1", cst(b, 1, (int64_t[]){ 16 }, bias), "m1b");
    batchnorm(b, "bn1", "m1b", "n1", 16, 2.0);
    node1(b, "Relu", "relu1", "n1", NULL, "r1");
    quant(b, "q1", "r1", "a1", scalar(b, 0.25f), 0, 3, 0, 0);
    weights(b, "w2", 16, 12, 4, "w2t");
    node1(b, "MatMul", "mm2", "a1", "w2t", "m2");
    batchnorm(b, "bn2", "m2", "n2", 12, 4.0);
    bipolar(b, "q2", "n2", "a2", 1.0f);
    weights(b, "w3", 12, 10, 0, "w3t");
    node1(b, "MatMul", "mm3", "a2", "w3t", "m3");
    batchnorm(b, "bn3", "m3", "n3", 10, 3.0);
    bipolar(b, "q3", "n3", "a3", 1.0f);
    weights(b, "w4", 10, 6, 0, "w4t");
    node1(b, "MatMul", "mm4", "a3", "w4t", "m4");
    node1(b, "Mul", "post_mul", "m4", scalar(b, 0.37f), "m5");
    node1(b, "Add", "post_add", "m5", cst(b, 1, (int64_t[]){ 6 }, (float[]){ 1, -2, 3, 0, 1, 2 }),
          "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 6 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(count_ops(p.intg, "InputQuant", -1), 1);
    ck_assert_int_eq(count_ops(p.intg, "IntMatMul", 0), 2);
    ck_assert_int_eq(count_ops(p.intg, "IntMatMul", 1), 2);
    ck_assert_int_eq(count_ops(p.intg, "MultiThreshold", -1), 3);
    ck_assert_int_eq(count_ops(p.intg, "OutputAffine", -1), 1);
    ck_assert_int_eq(p.intg->n_nodes, 9);
    Value *in = frames_of(2000, 1, (int64_t[]){ 24 }, 0, 1, false);
    Result r = compare(&p, in);
    expect_exact(&r, "mlp");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_input_layout_moved)
{
    /* TFC's prefix: Reshape, then 2x - 1 and a BipolarQuant; the Reshape
     * moves onto the integers */
    rng_state = 12;
    OnnxBuilder *b = ob_new("tfc_like");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 1, -1 });
    node1(b, "Reshape", "flat", "x", "shape", "xf");
    node1(b, "Mul", "pre_mul", "xf", scalar(b, 2), "x2");
    node1(b, "Sub", "pre_sub", "x2", scalar(b, 1), "x3");
    bipolar(b, "q_in", "x3", "a0", 1.0f);
    weights(b, "w1", 16, 8, 0, "w1t");
    node1(b, "MatMul", "mm1", "a0", "w1t", "m1");
    batchnorm(b, "bn1", "m1", "n1", 8, 3.0);
    bipolar(b, "q1", "n1", "a1", 1.0f);
    weights(b, "w2", 8, 4, 0, "w2t");
    node1(b, "MatMul", "mm2", "a1", "w2t", "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    const Node *iq = find_op(p.intg, "InputQuant"), *rs = find_op(p.intg, "Reshape");
    ck_assert_ptr_nonnull(iq);
    ck_assert_ptr_nonnull(rs);
    ck_assert_ptr_eq(rs->inputs[0], iq->outputs[0]);
    ck_assert_str_eq(rs->outputs[0]->qdt, "BIPOLAR");
    ck_assert_str_eq(node_attr_string(iq, "mode", ""), "bipolar");
    Value *in = frames_of(1000, 3, (int64_t[]){ 1, 4, 4 }, 0, 1, false);
    Result r = compare(&p, in);
    expect_exact(&r, "input layout moved");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_input_layout_kept)
{
    /* a per-element constant after the Reshape: the Reshape stays on the
     * float input, in front of InputQuant */
    rng_state = 17;
    OnnxBuilder *b = ob_new("layout_kept");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 1, -1 });
    node1(b, "Reshape", "flat", "x", "shape", "xf");
    float gains[16];
    for (int k = 0; k < 16; k++)
        gains[k] = (float)urand(0.5, 3);
    node1(b, "Mul", "pre_mul", "xf", cst(b, 1, (int64_t[]){ 16 }, gains), "x2");
    node1(b, "Sub", "pre_sub", scalar(b, 1), "x2", "x3");   /* 1 - x: replayed as -x + 1 */
    quant(b, "q_in", "x3", "a0", scalar(b, 0.0625f), 0, 6, 1, 0);
    weights(b, "w1", 16, 5, 3, "w1t");
    node1(b, "MatMul", "mm1", "a0", "w1t", "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 5 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    const Node *iq = find_op(p.intg, "InputQuant"), *rs = find_op(p.intg, "Reshape");
    ck_assert_ptr_nonnull(rs);
    ck_assert_ptr_eq(iq->inputs[0], rs->outputs[0]);
    ck_assert_ptr_null(rs->outputs[0]->qdt);
    Value *in = frames_of(1000, 3, (int64_t[]){ 1, 4, 4 }, 0, 1, false);
    Result r = compare(&p, in);
    expect_exact(&r, "input layout kept");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_integer_input_gemm)
{
    /* UNSW's shape: a BIPOLAR input, (x + 1) / 2, Gemm (transB, float
     * bias), BN, Relu, Quant UINT2, Gemm + bias, BipolarQuant output */
    rng_state = 13;
    OnnxBuilder *b = ob_new("unsw_like");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 20 });
    ob_annotate(b, "x", "finn_datatype", "BIPOLAR");
    node1(b, "Add", "pre_add", "x", scalar(b, 1), "x1");
    node1(b, "Div", "pre_div", "x1", scalar(b, 2), "x2");
    float w1[8 * 20], bias1[8], w2[8], bias2[1] = { 0.3f };
    for (int k = 0; k < 8 * 20; k++)
        w1[k] = (float)urand(-1.5, 1.5) * 0.5f;
    for (int k = 0; k < 8; k++) {
        bias1[k] = (float)urand(-2, 2);
        w2[k] = (float)urand(-1.5, 1.5) * 0.25f;
    }
    ob_init_f32(b, "w1", 2, (int64_t[]){ 8, 20 }, w1);
    quant(b, "w1q", "w1", "w1i", scalar(b, 0.5f), 0, 2, 1, 1);
    ObNode *g1 = ob_node(b, "Gemm", NULL, "gemm1", 3,
                         (const char *[]){ "x2", "w1i", cst(b, 1, (int64_t[]){ 8 }, bias1) }, 1,
                         (const char *[]){ "g1" });
    ob_attr_int(g1, "transB", 1);
    batchnorm(b, "bn1", "g1", "n1", 8, 2.0);
    node1(b, "Relu", "relu1", "n1", NULL, "r1");
    quant(b, "q1", "r1", "a1", scalar(b, 0.5f), 0, 2, 0, 0);
    ob_init_f32(b, "w2", 2, (int64_t[]){ 1, 8 }, w2);
    quant(b, "w2q", "w2", "w2i", scalar(b, 0.25f), 0, 2, 1, 1);
    ObNode *g2 = ob_node(b, "Gemm", NULL, "gemm2", 3,
                         (const char *[]){ "a1", "w2i", cst(b, 1, (int64_t[]){ 1 }, bias2) }, 1,
                         (const char *[]){ "g2" });
    ob_attr_int(g2, "transB", 1);
    ob_attr_float(g2, "alpha", 0.5f);
    bipolar(b, "q_out", "g2", "y", 1.0f);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 1 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    const Node *iq = find_op(p.intg, "InputQuant");
    ck_assert_str_eq(node_attr_string(iq, "mode", ""), "integer");
    ck_assert_str_eq(iq->outputs[0]->qdt, "UINT1");
    Value *in = frames_of(3000, 1, (int64_t[]){ 20 }, 0, 0, true);
    Result r = compare(&p, in);
    expect_exact(&r, "integer input, Gemm");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_conv_pool)
{
    /* Quant INT4 -> Conv INT2 weights, pads 1, bias -> BN -> BipolarQuant
     * -> MaxPool -> Conv bipolar (xnor, no pads) -> BN -> Quant INT2 ->
     * Flatten -> MatMul INT2 -> * c */
    rng_state = 14;
    OnnxBuilder *b = ob_new("conv_pool");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 2, 6, 6 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.125f), 0, 4, 1, 0);
    float w1[4 * 2 * 9], b1[4], w2[3 * 4 * 4];
    for (int k = 0; k < 72; k++)
        w1[k] = (float)urand(-1.5, 1.5);
    for (int k = 0; k < 4; k++)
        b1[k] = (float)urand(-0.5, 0.5);
    for (int k = 0; k < 48; k++)
        w2[k] = (float)urand(-1, 1);
    ob_init_f32(b, "w1", 4, (int64_t[]){ 4, 2, 3, 3 }, w1);
    quant(b, "w1q", "w1", "w1i", cst(b, 4, (int64_t[]){ 4, 1, 1, 1 }, (float[]){ 1, 0.5f, 1, 2 }),
          0, 2, 1, 1);
    ObNode *c1 = ob_node(b, "Conv", NULL, "conv1", 3,
                         (const char *[]){ "a0", "w1i", cst(b, 1, (int64_t[]){ 4 }, b1) }, 1,
                         (const char *[]){ "c1" });
    ob_attr_ints(c1, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    ob_attr_ints(c1, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    batchnorm(b, "bn1", "c1", "n1", 4, 3.0);
    bipolar(b, "q1", "n1", "a1", 1.0f);
    ObNode *mp = ob_node(b, "MaxPool", NULL, "pool", 1, (const char *[]){ "a1" }, 1,
                         (const char *[]){ "p1" });
    ob_attr_ints(mp, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    ob_attr_ints(mp, "strides", 2, (int64_t[]){ 2, 2 });
    ob_init_f32(b, "w2", 4, (int64_t[]){ 3, 4, 2, 2 }, w2);
    bipolar(b, "w2q", "w2", "w2i", 1.0f);
    ObNode *c2 = ob_node(b, "Conv", NULL, "conv2", 2, (const char *[]){ "p1", "w2i" }, 1,
                         (const char *[]){ "c2" });
    ob_attr_ints(c2, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    batchnorm(b, "bn2", "c2", "n2", 3, 3.0);
    quant(b, "q2", "n2", "a2", scalar(b, 1.0f), 0, 2, 1, 1);
    node1(b, "Flatten", "flat", "a2", NULL, "f2");
    weights(b, "w3", 12, 5, 2, "w3t");
    node1(b, "MatMul", "mm3", "f2", "w3t", "m3");
    node1(b, "Mul", "post", "m3", scalar(b, 0.1f), "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 5 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(count_ops(p.intg, "IntConv", 0), 1);
    ck_assert_int_eq(count_ops(p.intg, "IntConv", 1), 1);
    ck_assert_int_eq(count_ops(p.intg, "IntMaxPool", -1), 1);
    ck_assert_int_eq(count_ops(p.intg, "Flatten", -1), 1);
    Value *in = frames_of(1000, 3, (int64_t[]){ 2, 6, 6 }, -1.2, 1.2, false);
    Result r = compare(&p, in);
    expect_exact(&r, "conv, pool, flatten");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_int_add_requant)
{
    /* two branches of one scale added, then requantized without a layer:
     * IntAdd, then a MultiThreshold straight on the sum */
    rng_state = 15;
    OnnxBuilder *b = ob_new("add");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 10 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.25f), 0, 4, 1, 0);
    const char *branch[2][2] = { { "wa", "ta" }, { "wb", "tb" } };
    for (int k = 0; k < 2; k++) {
        char mm[16], m[16], bn[16], n[16], q[16];
        weights(b, branch[k][0], 10, 8, 3, branch[k][1]);
        snprintf(mm, sizeof mm, "mm%d", k);
        snprintf(m, sizeof m, "m%d", k);
        snprintf(bn, sizeof bn, "bn%d", k);
        snprintf(n, sizeof n, "n%d", k);
        snprintf(q, sizeof q, "q%d", k);
        node1(b, "MatMul", mm, "a0", branch[k][1], m);
        batchnorm(b, bn, m, n, 8, 3.0);
        quant(b, q, n, k ? "s1" : "s0", scalar(b, 0.5f), 0, 3, 1, 0);
    }
    node1(b, "Add", "add", "s0", "s1", "sum");
    quant(b, "q_sum", "sum", "a2", scalar(b, 1.0f), 0, 2, 1, 0);
    weights(b, "w3", 8, 4, 2, "w3t");
    node1(b, "MatMul", "mm3", "a2", "w3t", "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(count_ops(p.intg, "IntAdd", -1), 1);
    ck_assert_int_eq(count_ops(p.intg, "MultiThreshold", -1), 3);
    Value *in = frames_of(2000, 1, (int64_t[]){ 10 }, -2.5, 2.5, false);
    Result r = compare(&p, in);
    expect_exact(&r, "IntAdd and requant");
    value_free(in);
    free_pair(&p);
}
END_TEST

/* Residual adds: two quantized branches (scales sa, sb) added, then a
 * quantizer. Equal scales give IntAdd; scales in a power-of-two (or any
 * integer) ratio give IntScaledAdd with the larger-scale side multiplied
 * by the ratio; every quantized value equals golden's on 2000 frames (the
 * scales are powers of two, so golden's float sums are exact). Scales in
 * the ratio 4:3 are refused, naming the node and both scales. */
static OnnxBuilder *residual_model(float sa, float sb)
{
    OnnxBuilder *b = ob_new("residual");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 8 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.25f), 0, 4, 1, 0);
    weights(b, "wa", 8, 8, 3, "ta");
    node1(b, "MatMul", "mma", "a0", "ta", "ma");
    batchnorm(b, "bna", "ma", "na", 8, 3.0);
    quant(b, "qa", "na", "sa", scalar(b, sa), 0, 3, 1, 0);
    weights(b, "wb", 8, 8, 2, "tb");
    node1(b, "MatMul", "mmb", "a0", "tb", "mb");
    batchnorm(b, "bnb", "mb", "nb", 8, 3.0);
    quant(b, "qb", "nb", "sb", scalar(b, sb), 0, 4, 1, 0);
    node1(b, "Add", "add", "sa", "sb", "sum");
    quant(b, "q_sum", "sum", "a2", scalar(b, 0.5f), 0, 3, 1, 0);
    weights(b, "w3", 8, 4, 2, "w3t");
    node1(b, "MatMul", "mm3", "a2", "w3t", "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    return b;
}

START_TEST(test_residual_add_scales)
{
    static const struct {
        float sa, sb;
        const char *op;
        int64_t mul_a, mul_b;
    } cases[] = {
        { 0.5f, 0.5f, "IntAdd", 1, 1 },
        { 0.5f, 0.125f, "IntScaledAdd", 4, 1 },   /* a's scale 4x b's: a times 4 */
        { 0.25f, 0.5f, "IntScaledAdd", 1, 2 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rng_state = 77;
        Pair p;
        ck_assert_msg(make_pair(residual_model(cases[c].sa, cases[c].sb), &p), "%s", p.d.msg);
        const Node *add = find_op(p.intg, cases[c].op);
        ck_assert_ptr_nonnull(add);
        ck_assert_int_eq(node_attr_int(add, "mul_a", 1), cases[c].mul_a);
        ck_assert_int_eq(node_attr_int(add, "mul_b", 1), cases[c].mul_b);
        Value *in = frames_of(2000, 1, (int64_t[]){ 8 }, -2.5, 2.5, false);
        Result r = compare(&p, in);
        expect_exact(&r, cases[c].op);
        value_free(in);
        free_pair(&p);
    }
    rng_state = 77;
    Pair p;
    ck_assert(!make_pair(residual_model(0.5f, 0.375f), &p));
    ck_assert_msg(strstr(p.d.msg, "'add'") && strstr(p.d.msg, "scale 0.5") &&
                  strstr(p.d.msg, "scale 0.375") && strstr(p.d.msg, "integer multiple"),
                  "%s", p.d.msg);
    free_pair(&p);
}
END_TEST

/* Grouped convolutions: Quant INT4 [1, 4, 5, 5] -> Conv 3x3 pads 1 with
 * group 1, 2 and 4 (depthwise; weights [4, 4/group, 3, 3], INT3 per output
 * channel) -> BN -> Quant UINT3 -> GlobalAveragePool -> Quant; IntConv keeps
 * the group and every quantized value equals golden's on 1000 frames. */
START_TEST(test_grouped_conv)
{
    const int64_t groups[] = { 1, 2, 4 };
    for (int gi = 0; gi < 3; gi++) {
        int64_t G = groups[gi], C = 4, cg = C / G;
        rng_state = 90 + (uint32_t)gi;
        OnnxBuilder *b = ob_new("grouped");
        ob_opset(b, QONNX, 1);
        ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, C, 5, 5 });
        quant(b, "q_in", "x", "a0", scalar(b, 0.125f), 0, 4, 1, 0);
        float w[4 * 4 * 9];
        for (int k = 0; k < C * cg * 9; k++)
            w[k] = (float)urand(-1.5, 1.5);
        ob_init_f32(b, "w", 4, (int64_t[]){ C, cg, 3, 3 }, w);
        quant(b, "wq", "w", "wi", cst(b, 4, (int64_t[]){ C, 1, 1, 1 }, (float[]){ 1, 0.5f, 1, 2 }),
              0, 3, 1, 1);
        ObNode *cv = ob_node(b, "Conv", NULL, "conv", 2, (const char *[]){ "a0", "wi" }, 1,
                             (const char *[]){ "c" });
        ob_attr_ints(cv, "kernel_shape", 2, (int64_t[]){ 3, 3 });
        ob_attr_ints(cv, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
        ob_attr_int(cv, "group", G);
        batchnorm(b, "bn", "c", "n", (int)C, 2.0);
        quant(b, "q1", "n", "a1", scalar(b, 0.5f), 0, 3, 0, 0);
        ob_node(b, "GlobalAveragePool", NULL, "gap", 1, (const char *[]){ "a1" }, 1,
                (const char *[]){ "g" });
        quant(b, "q2", "g", "y", scalar(b, 0.25f), 0, 4, 0, 0);
        ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, C, 1, 1 });
        Pair p;
        ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
        const Node *ic = find_op(p.intg, "IntConv");
        ck_assert_ptr_nonnull(ic);
        ck_assert_int_eq(node_attr_int(ic, "group", 1), G);
        Value *in = frames_of(1000, 3, (int64_t[]){ C, 5, 5 }, -1.2, 1.2, false);
        Result r = compare(&p, in);
        char what[32];
        snprintf(what, sizeof what, "conv group %lld", (long long)G);
        expect_exact(&r, what);
        value_free(in);
        free_pair(&p);
    }
}
END_TEST

/* ---- average pooling -------------------------------------------------------- */

/* x [1, 6, 1, 2] -> Quant INT4 scale 1 -> AveragePool 1x2 -> Mul 2 ->
 * Trunc (shift 1) with `mode`; version 1 (5 inputs) or 2 (out_scale 2). */
static OnnxBuilder *trunc_pool_model(const char *mode, int version)
{
    OnnxBuilder *b = ob_new("trunc_pool");
    ob_opset(b, QONNX, version);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 6, 1, 2 });
    quant(b, "q_in", "x", "a0", scalar(b, 1.0f), 0, 4, 1, 0);
    ObNode *ap = ob_node(b, "AveragePool", NULL, "pool", 1, (const char *[]){ "a0" }, 1,
                         (const char *[]){ "p" });
    ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ 1, 2 });
    node1(b, "Mul", "area", "p", scalar(b, 2.0f), "m");
    ObNode *t;
    if (version == 1)
        t = ob_node(b, "Trunc", QONNX, "trunc", 5,
                    (const char *[]){ "m", scalar(b, 1.0f), scalar(b, 0), scalar(b, 5),
                                      scalar(b, 4) }, 1, (const char *[]){ "y" });
    else
        t = ob_node(b, "Trunc", QONNX, "trunc", 6,
                    (const char *[]){ "m", scalar(b, 1.0f), scalar(b, 0), scalar(b, 5),
                                      scalar(b, 2.0f), scalar(b, 4) }, 1,
                    (const char *[]){ "y" });
    ob_attr_string(t, "rounding_mode", mode);
    ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, 6, 1, 1 });
    return b;
}

/* TruncAvgPool2d becomes one IntSumPool with the Trunc's shift and rounding;
 * on the ties (pairs summing to +-1, +-3, +-5, so the shifted sums are
 * +-0.5, +-1.5, +-2.5) every rounding mode gives what its definition says
 * (op_quant.h's table), in either letter case, for Trunc v1 and v2. */
START_TEST(test_trunc_avgpool_rounding)
{
    static const struct {
        const char *mode;
        int64_t want[6];    /* for 0.5, 1.5, 2.5, -0.5, -1.5, -2.5 */
    } cases[] = {
        { "ROUND", { 0, 2, 2, 0, -2, -2 } },      /* half to even */
        { "round", { 0, 2, 2, 0, -2, -2 } },      /* as Brevitas spells it */
        { "HALF_EVEN", { 0, 2, 2, 0, -2, -2 } },
        { "HALF_UP", { 1, 2, 3, -1, -2, -3 } },   /* half away from zero */
        { "HALF_DOWN", { 0, 1, 2, 0, -1, -2 } },  /* half toward zero */
        { "CEIL", { 1, 2, 3, 0, -1, -2 } },
        { "FLOOR", { 0, 1, 2, -1, -2, -3 } },
        { "floor", { 0, 1, 2, -1, -2, -3 } },
        { "UP", { 1, 2, 3, -1, -2, -3 } },        /* away from zero */
        { "DOWN", { 0, 1, 2, 0, -1, -2 } },       /* toward zero */
    };
    const float x[12] = { 0, 1, 1, 2, 2, 3, 0, -1, -1, -2, -2, -3 };
    for (int version = 1; version <= 2; version++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            Pair p;
            ck_assert_msg(make_pair(trunc_pool_model(cases[c].mode, version), &p), "%s: %s",
                          cases[c].mode, p.d.msg);
            const Node *sp = find_op(p.intg, "IntSumPool");
            ck_assert_ptr_nonnull(sp);
            ck_assert_int_eq(node_attr_int(sp, "shift", 0), 1);
            ck_assert_ptr_null(find_op(p.intg, "Trunc"));
            Value *in = value_new(ET_FLOAT, &(Shape){ 4, { 1, 6, 1, 2 } });
            memcpy(in->f, x, sizeof x);
            Value *og, *oi;
            ck_assert_msg(exec_run_frames(p.gold, (const Value *const *)&in, &og, &p.d), "%s",
                          p.d.msg);
            ck_assert_msg(exec_run_frames(p.intg, (const Value *const *)&in, &oi, &p.d), "%s",
                          p.d.msg);
            float out_scale = version == 1 ? 1.0f : 2.0f;
            for (int k = 0; k < 6; k++) {
                ck_assert_msg(og->f[k] == (float)cases[c].want[k] * out_scale,
                              "golden %s v%d [%d]: %g", cases[c].mode, version, k, og->f[k]);
                ck_assert_msg(oi->f[k] == og->f[k], "int %s v%d [%d]: %g, golden %g",
                              cases[c].mode, version, k, oi->f[k], og->f[k]);
            }
            value_free(in);
            value_free(og);
            value_free(oi);
            free_pair(&p);
        }
}
END_TEST

/* Windows and strides against golden: a 3x3 stride-2 pool padded by 1
 * (count_include_pad=1) before a Quant (a sum, the division as a float
 * step, thresholds), a 2x2 stride-1 TruncAvgPool (FLOOR, 9 -> 7 bits), and a
 * GlobalAveragePool TruncAvgPool with HALF_UP; every quantized tensor and the
 * outputs equal golden's on 1000 random frames. */
START_TEST(test_avgpool_windows)
{
    rng_state = 41;
    OnnxBuilder *b = ob_new("avgpools");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 2, 6, 6 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.5f), 0, 3, 0, 0);
    ObNode *p1 = ob_node(b, "AveragePool", NULL, "pool1", 1, (const char *[]){ "a0" }, 1,
                         (const char *[]){ "p1" });
    ob_attr_ints(p1, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    ob_attr_ints(p1, "strides", 2, (int64_t[]){ 2, 2 });
    ob_attr_ints(p1, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    ob_attr_int(p1, "count_include_pad", 1);
    quant(b, "q1", "p1", "a1", scalar(b, 0.25f), 0, 4, 0, 0);
    ObNode *p2 = ob_node(b, "AveragePool", NULL, "pool2", 1, (const char *[]){ "a1" }, 1,
                         (const char *[]){ "p2" });
    ob_attr_ints(p2, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    node1(b, "Mul", "area2", "p2", scalar(b, 4.0f), "m2");
    ObNode *t2 = ob_node(b, "Trunc", QONNX, "trunc2", 5,
                         (const char *[]){ "m2", scalar(b, 0.25f), scalar(b, 0), scalar(b, 6),
                                           scalar(b, 4) }, 1, (const char *[]){ "t2" });
    ob_attr_string(t2, "rounding_mode", "FLOOR");
    ob_node(b, "GlobalAveragePool", NULL, "gap", 1, (const char *[]){ "t2" }, 1,
            (const char *[]){ "g" });
    node1(b, "Mul", "area3", "g", scalar(b, 4.0f), "m3");
    ObNode *t3 = ob_node(b, "Trunc", QONNX, "trunc3", 5,
                         (const char *[]){ "m3", scalar(b, 0.25f), scalar(b, 0), scalar(b, 6),
                                           scalar(b, 5) }, 1, (const char *[]){ "y" });
    ob_attr_string(t3, "rounding_mode", "HALF_UP");
    ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, 2, 1, 1 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(count_ops(p.intg, "IntSumPool", -1), 3);
    ck_assert_int_eq(count_ops(p.intg, "MultiThreshold", -1), 1);
    Value *in = frames_of(1000, 3, (int64_t[]){ 2, 6, 6 }, -0.5, 4.0, false);
    Result r = compare(&p, in);
    expect_exact(&r, "average pools");
    ck_assert_int_eq(r.max_err, 0);
    value_free(in);
    free_pair(&p);
}
END_TEST

/* What cannot be made exact is refused, naming the node and the reason. */
START_TEST(test_avgpool_refused)
{
    for (int variant = 0; variant < 2; variant++) {
        OnnxBuilder *b = ob_new("avg_refused");
        ob_opset(b, QONNX, 1);
        ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
        quant(b, "q_in", "x", "a0", scalar(b, 0.5f), 0, 3, 0, 0);
        ObNode *ap = ob_node(b, "AveragePool", NULL, "pool", 1, (const char *[]){ "a0" }, 1,
                             (const char *[]){ "p" });
        ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ 2, 2 });
        if (variant == 0) {   /* border windows would divide by fewer taps */
            ob_attr_ints(ap, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
            quant(b, "q1", "p", "y", scalar(b, 0.25f), 0, 4, 0, 0);
            ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, 1, 5, 5 });
        } else {              /* the Trunc's scale is not the pooled tensor's */
            node1(b, "Mul", "area", "p", scalar(b, 4.0f), "m");
            ob_node(b, "Trunc", QONNX, "trunc", 5,
                    (const char *[]){ "m", scalar(b, 0.25f), scalar(b, 0), scalar(b, 5),
                                      scalar(b, 3) }, 1, (const char *[]){ "y" });
            ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, 1, 3, 3 });
        }
        Pair p;
        ck_assert(!make_pair(b, &p));
        const char *want = variant == 0 ? "count_include_pad=0" : "is not the scale 0.5";
        const char *node = variant == 0 ? "'pool'" : "'trunc'";
        ck_assert_msg(strstr(p.d.msg, want) && strstr(p.d.msg, node), "%s", p.d.msg);
        free_pair(&p);
    }
}
END_TEST

/* The integer graph's verifier catches a missing datatype, a weight outside
 * its datatype and a float op on integers. */
START_TEST(test_verify_integer)
{
    for (int breakage = 0; breakage < 4; breakage++) {
        rng_state = 16;
        OnnxBuilder *b = ob_new("verify");
        ob_opset(b, QONNX, 1);
        /* a real reshape ([1, 2, 4] -> [1, 8]): one to the same shape is removed */
        ob_input(b, "x", ET_FLOAT, 3, (int64_t[]){ 1, 2, 4 });
        quant(b, "q_in", "x", "a0", scalar(b, 0.25f), 0, 4, 1, 0);
        ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 1, -1 });
        node1(b, "Reshape", "flat", "a0", "shape", "a1");
        weights(b, "w1", 8, 4, 2, "w1t");
        node1(b, "MatMul", "mm1", "a1", "w1t", "y");
        ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
        Pair p;
        ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
        Node *mm = (Node *)find_op(p.intg, "IntMatMul"), *rs = (Node *)find_op(p.intg, "Reshape");
        const char *want = NULL;
        if (breakage == 1) {
            rs->outputs[0]->qdt = NULL;
            want = "no datatype";
        } else if (breakage == 2) {
            mm->inputs[1]->value->i[0] = 5;   /* INT2 weights */
            want = "outside its datatype";
        } else if (breakage == 3) {
            /* the op, not just its name (the verifier reads node_kind);
             * Add takes Reshape's two inputs */
            rs->op_type = "Add";
            rs->op = op_lookup(DOMAIN_ONNX, "Add");
            want = "float op reads an integer tensor";
        }
        Diag d;
        diag_init(&d);
        bool ok = graph_verify_integer(p.intg, &d);
        if (!want)
            ck_assert_msg(ok, "%s", d.msg);
        else
            ck_assert_msg(!ok && strstr(d.msg, want), "breakage %d: '%s'", breakage, d.msg);
        free_pair(&p);
    }
}
END_TEST

/* ---- the output affine with a float bias ------------------------------------- */

/* x [1, 2] -> Quant INT4 (scale 1/2) -> Gemm(transB, alpha 1/2, beta 2)
 * with weights Wi * s_w[n] (Wi [[2, -3], [5, 1]], s_w = 1/4, 1/8; 4 bits,
 * narrow) and an unquantized bias C = (0.3, -1.7), no output quantizer:
 * Brevitas' last QuantLinear with a float bias. */
static const float fb_s_x = 0.5f, fb_s_w[2] = { 0.25f, 0.125f }, fb_alpha = 0.5f, fb_beta = 2.0f;
static const float fb_C[2] = { 0.3f, -1.7f };
static const int64_t fb_Wi[2][2] = { { 2, -3 }, { 5, 1 } };

static OnnxBuilder *float_bias_gemm(void)
{
    OnnxBuilder *b = ob_new("float_bias");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 2 });
    ob_quant(b, "q_in", "x", "a0", &(ObQuant){ .scale = ob_scalar_f32(b, "s", fb_s_x), .bits = 4,
                                              .is_signed = true });
    float w[4];
    for (int n = 0; n < 2; n++)
        for (int k = 0; k < 2; k++)
            w[n * 2 + k] = (float)fb_Wi[n][k] * fb_s_w[n];
    ob_init_f32(b, "w", 2, (int64_t[]){ 2, 2 }, w);
    ob_quant(b, "wq", "w", "wi",
             &(ObQuant){ .scale = ob_const_f32(b, "sw", 2, (int64_t[]){ 2, 1 }, fb_s_w), .bits = 4,
                         .is_signed = true, .narrow = true });
    ob_init_f32(b, "bias", 1, (int64_t[]){ 2 }, fb_C);
    ObNode *g = ob_node(b, "Gemm", NULL, "fc", 3, (const char *[]){ "a0", "wi", "bias" }, 1,
                        (const char *[]){ "y" });
    ob_attr_int(g, "transB", 1);
    ob_attr_float(g, "alpha", fb_alpha);
    ob_attr_float(g, "beta", fb_beta);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 2 });
    return b;
}

START_TEST(test_output_affine_float_bias)
{
    /* float_bias_gemm() becomes
     *
     *   InputQuant -> IntMatMul -> OutputAffine,
     *   A[n] = s_x * s_w[n] * alpha,  B[n] = fl32(beta * C[n]),
     *   out[n] = (float)(A[n] * acc[n] + B[n])
     *
     * checked here against numbers worked out by hand, not read back from
     * the code: x = (1, -0.75) quantizes to q = (2, -2) (-1.5 rounds half
     * to even), so acc = (2*2 + -2*-3, 2*5 + -2*1) = (10, 8). */
    const float s_x = fb_s_x, *s_w = fb_s_w, alpha = fb_alpha, beta = fb_beta, *C = fb_C;
    const int64_t acc[2] = { 10, 8 };
    OnnxBuilder *b = float_bias_gemm();
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(p.intg->n_nodes, 3);
    const Node *oa = find_op(p.intg, "OutputAffine");
    ck_assert_ptr_nonnull(oa);
    ck_assert_ptr_nonnull(find_op(p.intg, "IntMatMul"));
    const Value *A = oa->inputs[1]->value, *B = oa->inputs[2]->value;
    ck_assert_int_eq(A->count, 2);
    ck_assert_int_eq(B->count, 2);
    float want_A[2], want_B[2];
    for (int n = 0; n < 2; n++) {
        want_A[n] = (float)((double)s_x * s_w[n] * alpha);
        want_B[n] = beta * C[n];   /* fl32(beta * C), as op_gemm.c */
        ck_assert_msg(A->f[n] == want_A[n] && B->f[n] == want_B[n], "channel %d: A %.9g B %.9g, "
                      "want %.9g %.9g", n, (double)A->f[n], (double)B->f[n], (double)want_A[n],
                      (double)want_B[n]);
    }
    /* one frame through both graphs; the integers before the affine too */
    Tensor *accs = oa->inputs[0];
    add_output(p.intg, accs);
    Value *in = value_new(ET_FLOAT, &(Shape){ 2, { 1, 2 } });
    in->f[0] = 1.0f;
    in->f[1] = -0.75f;
    Value *gold, *out[2];
    ck_assert_msg(exec_run_frames(p.gold, (const Value *const *)&in, &gold, &p.d), "%s", p.d.msg);
    ck_assert_msg(exec_run_frames(p.intg, (const Value *const *)&in, out, &p.d), "%s", p.d.msg);
    for (int n = 0; n < 2; n++) {
        ck_assert_int_eq(out[1]->i[n], acc[n]);
        float want = (float)((double)want_A[n] * (double)acc[n] + (double)want_B[n]);
        ck_assert_msg(out[0]->f[n] == want, "out[%d] = %.9g, want %.9g", n, (double)out[0]->f[n],
                      (double)want);
        /* golden: fl32(alpha * fl32(sum of fl32 products)) + fl32(beta * C);
         * the scales are powers of two, so here it is exact too */
        ck_assert_msg(gold->f[n] == want, "golden[%d] = %.9g, want %.9g", n,
                      (double)gold->f[n], (double)want);
    }
    value_free(in);
    value_free(gold);
    value_free(out[0]);
    value_free(out[1]);
    free_pair(&p);
}
END_TEST

START_TEST(test_output_affine_missing_constant)
{
    /* the output pass reads a pending step's constant from the chain step;
     * one that is missing (a qonnxc bug upstream) is an error naming the
     * layer, never a NULL dereference */
    Diag d;
    diag_init(&d);
    OnnxBuilder *b = float_bias_gemm();
    Graph *g = ob_load(b, &d);
    ob_free(b);
    ck_assert_msg(g && cleanup_graph(g, true, &d), "%s", d.msg);
    Streamline S;
    sl_init(&S, g, &d);
    ck_assert_msg(sl_weights(&S) && sl_input_quant(&S) && sl_layers(&S), "%s", d.msg);
    IntInfo *acc = NULL;
    for (int k = 0; k < S.n_info; k++)
        if (S.info[k]->prefix.n == 2)
            acc = S.info[k];
    ck_assert_ptr_nonnull(acc);   /* Gemm's alpha (Mul) and bias (Add) pending */
    ck_assert_str_eq(acc->prefix.step[1].node->op_type, "Add");
    acc->prefix.step[1].in[1] = NULL;
    ck_assert(!sl_output(&S));
    ck_assert_msg(strstr(d.msg, "'fc'") && strstr(d.msg, "Add") &&
                  strstr(d.msg, "no constant value"), "error '%s'", d.msg);
    printf("error: %s\n", d.msg);
    sl_free(&S);
    graph_free(g);
}
END_TEST

START_TEST(test_output_affine_conv_bias)
{
    /* the same for a Conv with a bias and no output quantizer: the bias is
     * the accumulator's pending float step, folded per channel (axis 1) */
    rng_state = 41;
    OnnxBuilder *b = ob_new("conv_bias");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 2, 4, 4 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.125f), 0, 5, 1, 0);
    float w[3 * 2 * 3 * 3], bias[3] = { 0.7f, -0.2f, 1.3f }, sw[3] = { 0.1f, 0.3f, 0.07f };
    for (int o = 0; o < 3; o++)
        for (int k = 0; k < 18; k++)
            w[o * 18 + k] = (float)urand(-7.4, 7.4) * sw[o];
    ob_init_f32(b, "w", 4, (int64_t[]){ 3, 2, 3, 3 }, w);
    quant(b, "wq", "w", "wi", cst(b, 4, (int64_t[]){ 3, 1, 1, 1 }, sw), 0, 4, 1, 1);
    ObNode *c = ob_node(b, "Conv", NULL, "conv", 3,
                        (const char *[]){ "a0", "wi", cst(b, 1, (int64_t[]){ 3 }, bias) }, 1,
                        (const char *[]){ "y" });
    ob_attr_ints(c, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    ob_attr_ints(c, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    ob_output(b, "y", ET_FLOAT, 4, (int64_t[]){ 1, 3, 4, 4 });
    Pair p;
    ck_assert_msg(make_pair(b, &p), "%s", p.d.msg);
    ck_assert_int_eq(count_ops(p.intg, "OutputAffine", -1), 1);
    ck_assert_int_eq(p.intg->n_nodes, 3);
    Value *in = frames_of(500, 3, (int64_t[]){ 2, 4, 4 }, -2, 2, false);
    Result r = compare(&p, in);
    expect_exact(&r, "conv bias at the output");
    value_free(in);
    free_pair(&p);
}
END_TEST

START_TEST(test_brevitas_float_bias_mlp)
{
    /* issue 12's model (tests/helpers/brevitas_mlp.h), its last layer as a
     * Gemm and as MatMul + Add: every quantized tensor exact, the output
     * to float rounding */
    for (int matmul = 0; matmul < 2; matmul++) {
        rng_state = 42;
        Pair p;
        ck_assert_msg(make_pair(brevitas_mlp_float_bias(0x12F1u, matmul), &p), "%s", p.d.msg);
        ck_assert_int_eq(count_ops(p.intg, "InputQuant", -1), 1);
        ck_assert_int_eq(count_ops(p.intg, "IntMatMul", -1), 3);
        ck_assert_int_eq(count_ops(p.intg, "MultiThreshold", -1), 2);
        ck_assert_int_eq(count_ops(p.intg, "OutputAffine", -1), 1);
        ck_assert_int_eq(p.intg->n_nodes, 7);
        Value *in = frames_of(2000, 1, (int64_t[]){ BREVITAS_MLP_INPUTS }, -0.2, 1.2, false);
        Result r = compare(&p, in);
        expect_exact(&r, matmul ? "float bias MLP (MatMul+Add)" : "float bias MLP (Gemm)");
        value_free(in);
        free_pair(&p);
    }
}
END_TEST

START_TEST(test_output_bias_not_constant)
{
    /* a last Gemm whose bias is computed at run time cannot be folded: a
     * clear error naming the node, not a crash */
    OnnxBuilder *b = ob_new("bias_input");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 2 });
    ob_input(b, "b", ET_FLOAT, 1, (int64_t[]){ 2 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.5f), 0, 4, 1, 0);
    ob_init_f32(b, "w", 2, (int64_t[]){ 2, 2 }, (float[]){ 0.5f, -0.25f, 1, 0.75f });
    quant(b, "wq", "w", "wi", scalar(b, 0.25f), 0, 4, 1, 1);
    quant(b, "q_b", "b", "bias", scalar(b, 0.5f), 0, 4, 1, 0);
    ObNode *g = ob_node(b, "Gemm", NULL, "fc_last", 3, (const char *[]){ "a0", "wi", "bias" }, 1,
                        (const char *[]){ "y" });
    ob_attr_int(g, "transB", 1);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 2 });
    Pair p;
    ck_assert_msg(!make_pair(b, &p), "streamlining should fail");
    ck_assert_msg(strstr(p.d.msg, "fc_last") && strstr(p.d.msg, "bias") &&
                  strstr(p.d.msg, "constant") && strstr(p.d.msg, "bias_input.onnx"),
                  "error '%s'", p.d.msg);
    printf("error: %s\n", p.d.msg);
    free_pair(&p);
}
END_TEST

/* ---- exact thresholds -------------------------------------------------------- */

enum { TC = 8 };   /* channels */

typedef struct QuantKind {
    const char *what;
    int bipolar_op;   /* BipolarQuant */
    int bits, is_signed, narrow;
    float zeropt, scale;
    const char *mode;
} QuantKind;

/* x [1, 2] -> Quant INT8 (scale 1/8) -> MatMul W [2, TC] with columns
 * (1, 127) or (-1, -127) (weight scale 1/2) -> BN -> the quantizer. The
 * accumulator x0 * w0 + x1 * w1 takes every value in [-16384, 16256] (or
 * its negation) exactly once per (x0, x1) chosen below. */
static OnnxBuilder *threshold_model(const QuantKind *qk)
{
    OnnxBuilder *b = ob_new("thresholds");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 2 });
    quant(b, "q_in", "x", "a0", scalar(b, 0.125f), 0, 8, 1, 0);
    float w[TC * 2];
    for (int c = 0; c < TC; c++) {
        float sign = c % 2 ? -1.0f : 1.0f;
        w[c * 2] = sign * 0.5f;          /* 1 * scale 1/2 */
        w[c * 2 + 1] = sign * 63.5f;     /* 127 * scale 1/2 */
    }
    ob_init_f32(b, "w", 2, (int64_t[]){ TC, 2 }, w);
    quant(b, "wq", "w", "wi", scalar(b, 0.5f), 0, 8, 1, 1);
    ObNode *t = ob_node(b, "Transpose", NULL, "wt", 1, (const char *[]){ "wi" }, 1,
                        (const char *[]){ "wT" });
    ob_attr_ints(t, "perm", 2, (int64_t[]){ 1, 0 });
    node1(b, "MatMul", "mm", "a0", "wT", "m");
    /* statistics on the accumulator's float scale (acc / 16 in [-1024, 1016]) */
    float g[TC], be[TC], mean[TC], var[TC];
    for (int c = 0; c < TC; c++) {
        g[c] = (float)(urand(0.3, 3) * (c % 3 == 1 ? -1 : 1));
        be[c] = (float)urand(-1, 1);
        mean[c] = (float)urand(-400, 400);
        var[c] = c % 4 == 3 ? 1e-6f : (float)urand(1e3, 3e5);
    }
    const int64_t d[1] = { TC };
    ob_node(b, "BatchNormalization", NULL, "bn", 5,
            (const char *[]){ "m", cst(b, 1, d, g), cst(b, 1, d, be), cst(b, 1, d, mean),
                              cst(b, 1, d, var) },
            1, (const char *[]){ "n" });
    if (qk->bipolar_op) {
        bipolar(b, "q_out", "n", "y", qk->scale);
    } else {
        ObNode *q = quant(b, "q_out", "n", "y", scalar(b, qk->scale), qk->zeropt, qk->bits,
                          qk->is_signed, qk->narrow);
        (void)q;
    }
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, TC });
    return b;
}

START_TEST(test_thresholds_exact)
{
    static const QuantKind kinds[] = {
        { "INT2", 0, 2, 1, 0, 0, 0.5f, NULL },
        { "INT2 narrow", 0, 2, 1, 1, 0, 0.37f, NULL },
        { "UINT2", 0, 2, 0, 0, 0, 0.3f, NULL },
        { "INT4", 0, 4, 1, 0, 0, 0.11f, NULL },
        { "INT4 narrow", 0, 4, 1, 1, 0, 0.0625f, NULL },
        { "UINT4", 0, 4, 0, 0, 0, 0.07f, NULL },
        { "UINT4 zero point 3", 0, 4, 0, 0, 3, 0.05f, NULL },
        { "1-bit signed Quant", 0, 1, 1, 0, 0, 0.5f, NULL },
        { "BipolarQuant", 1, 1, 1, 0, 0, 1.0f, NULL },
    };
    /* frames: acc = x0 + 127 x1 for every acc in [-16384, 16256] */
    const int64_t lo = -16384, hi = 16256, F = hi - lo + 1;
    Value *in = value_new(ET_FLOAT, &(Shape){ 2, { F, 2 } });
    for (int64_t a = lo; a <= hi; a++) {
        int64_t x1 = (int64_t)llround((double)a / 127.0);
        x1 = x1 < -128 ? -128 : x1 > 127 ? 127 : x1;
        int64_t x0 = a - 127 * x1;
        ck_assert(x0 >= -128 && x0 <= 127);
        in->f[(a - lo) * 2] = (float)x0 * 0.125f;
        in->f[(a - lo) * 2 + 1] = (float)x1 * 0.125f;
    }
    for (size_t q = 0; q < sizeof kinds / sizeof kinds[0]; q++) {
        rng_state = 100 + (uint32_t)q;
        Pair p;
        ck_assert_msg(make_pair(threshold_model(&kinds[q]), &p), "%s: %s", kinds[q].what,
                      p.d.msg);
        const Node *mt = find_op(p.intg, "MultiThreshold"), *mm = find_op(p.intg, "IntMatMul");
        ck_assert_ptr_nonnull(mt);
        /* mt is the second one (the first is none: InputQuant feeds the MatMul) */
        const Value *T = mt->inputs[1]->value, *W = mm->inputs[1]->value;
        int64_t L = T->shape.dims[1], rows = T->shape.dims[0];
        int64_t os = node_attr_int(mt, "out_scale", 1), ob = node_attr_int(mt, "out_bias", 0);
        Value *gy = NULL;
        ck_assert_msg(exec_run_frames(p.gold, (const Value *[]){ in }, &gy, &p.d), "%s", p.d.msg);
        float s = kinds[q].scale;
        int64_t checked = 0, negated = 0;
        for (int c = 0; c < TC; c++) {
            /* the integer graph may have negated the column */
            int64_t sign = W->i[c] == (c % 2 ? -1 : 1) ? 1 : -1;
            negated += sign < 0;
            const int64_t *t = T->i + (rows == 1 ? 0 : c) * L;
            for (int64_t a = lo; a <= hi; a++) {
                int64_t acc = (c % 2 ? -a : a) * sign, count = 0;
                for (int64_t l = 0; l < L; l++)
                    count += acc >= t[l];
                float golden = gy->f[(a - lo) * TC + c];
                int64_t level = ob + os * count;
                ck_assert_msg((float)level * s == golden,
                              "%s channel %d acc %lld: thresholds give level %lld (%.9g), golden "
                              "%.9g", kinds[q].what, c, (long long)acc, (long long)level,
                              (double)((float)level * s), (double)golden);
                checked++;
            }
        }
        printf("thresholds %-20s %lld accumulator values x channel checked, %lld channels "
               "negated, %lld thresholds per channel\n", kinds[q].what, (long long)checked,
               (long long)negated, (long long)L);
        value_free(gy);
        /* and the whole int graph on the same frames */
        Result r = compare(&p, in);
        ck_assert_int_eq(r.int_bad, 0);
        free_pair(&p);
    }
    value_free(in);
}
END_TEST

START_TEST(test_thresholds_bisection)
{
    /* A range of 2^21 accumulator values: bisection (enum_limit 2^20) must
     * give the thresholds enumeration gives (enum_limit above the range),
     * on rising and falling channels alike. */
    rng_state = 21;
    QuantKind qk = { "INT4", 0, 4, 1, 0, 0, 0.1f, NULL };
    Pair p;
    ck_assert_msg(make_pair(threshold_model(&qk), &p), "%s", p.d.msg);
    const Node *bn = NULL, *q = NULL;
    for (int k = 0; k < p.gold->n_nodes; k++) {
        if (!strcmp(p.gold->nodes[k]->op_type, "BatchNormalization"))
            bn = p.gold->nodes[k];
        if (!strcmp(p.gold->nodes[k]->name, "q_out"))
            q = p.gold->nodes[k];
    }
    ck_assert(bn && q);
    Streamline S;
    sl_init(&S, p.gold, &p.d);
    Chain ch = { 0 };
    ck_assert(sl_chain_push(&ch, bn, 0) && sl_chain_push(&ch, q, 0));
    QuantLevels ql;
    ck_assert_msg(sl_quant_levels(&S, q, 2, 1, TC, &ql), "%s", p.d.msg);
    int64_t *T[2];
    bool *neg[2];
    for (int run = 0; run < 2; run++) {
        double scale[TC];
        int64_t lo[TC], hi[TC];
        for (int c = 0; c < TC; c++) {
            scale[c] = 1.0 / 1024;   /* BN sees acc / 1024: the same float range */
            lo[c] = -((int64_t)1 << 20) + c;
            hi[c] = ((int64_t)1 << 20) - 3 * c;
        }
        ThresholdJob job = { .quant = q, .layer = bn, .chain = &ch, .rank = 2, .caxis = 1,
                             .C = TC, .scale = scale, .mul = 1, .add = 0, .lo = lo, .hi = hi,
                             .can_negate = true, .levels = &ql };
        job.enum_limit = run == 0 ? (int64_t)1 << 20 : (int64_t)1 << 22;
        ck_assert_msg(sl_thresholds(&S, &job), "%s", p.d.msg);
        T[run] = job.T;
        neg[run] = job.negated;
    }
    int negated = 0;
    for (int c = 0; c < TC; c++) {
        ck_assert_int_eq(neg[0][c], neg[1][c]);
        negated += neg[0][c];
        for (int64_t l = 0; l < ql.L; l++)
            ck_assert_msg(T[0][c * ql.L + l] == T[1][c * ql.L + l],
                          "channel %d threshold %lld: bisection %lld, enumeration %lld", c,
                          (long long)l, (long long)T[0][c * ql.L + l],
                          (long long)T[1][c * ql.L + l]);
    }
    ck_assert_int_gt(negated, 0);
    printf("bisection agrees with enumeration on %d channels (%d falling) of 2^21 values\n", TC,
           negated);
    for (int run = 0; run < 2; run++) {
        free(T[run]);
        free(neg[run]);
    }
    sl_quant_levels_free(&ql);
    sl_free(&S);
    free_pair(&p);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

/* x -> Quant (input) -> MatMul -> BN -> Quant; `variant` breaks one thing. */
static void expect_streamline_error(int variant, const char *node, const char *what)
{
    rng_state = 31;
    OnnxBuilder *b = ob_new("bad");
    ob_opset(b, QONNX, 1);
    int K = variant == 9 ? 140000 : 8;
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, K });
    if (variant == 6)
        ob_annotate(b, "x", "finn_datatype", "BIPOLAR");
    const char *x = "x";
    if (variant == 6) {
        node1(b, "Div", "pre_div", "x", scalar(b, 2), "xd");
        x = "xd";
    } else if (variant == 12) {
        node1(b, "Div", "pre_div", scalar(b, 2), "x", "xd");
        x = "xd";
    }
    if (variant == 5 || variant == 6) {
        /* no input quantizer */
    } else if (variant == 2) {
        float s[8] = { 0.5f, 0.25f, 0.5f, 0.5f, 1, 1, 0.5f, 0.5f };
        quant(b, "q_in", x, "a0", cst(b, 2, (int64_t[]){ 1, 8 }, s), 0, 4, 1, 0);
        x = "a0";
    } else {
        quant(b, "q_in", x, "a0", scalar(b, 0.25f), 0, 8, 1, 0);
        x = "a0";
    }
    const char *w = "wT";
    if (variant == 8) {
        float wf[8 * 4];
        for (int k = 0; k < 32; k++)
            wf[k] = (float)urand(-1, 1);
        ob_init_f32(b, "wT", 2, (int64_t[]){ 8, 4 }, wf);
    } else if (variant == 4) {
        float wf[4 * 8];
        for (int k = 0; k < 32; k++)
            wf[k] = (float)urand(-100, 100);
        ob_init_f32(b, "w", 2, (int64_t[]){ 4, 8 }, wf);
        quant(b, "wq", "w", "wi", scalar(b, 1), 0, 12, 1, 0);
        ObNode *t = ob_node(b, "Transpose", NULL, "wt", 1, (const char *[]){ "wi" }, 1,
                            (const char *[]){ "wT" });
        ob_attr_ints(t, "perm", 2, (int64_t[]){ 1, 0 });
    } else if (variant == 9) {
        float *wf = malloc((size_t)K * sizeof *wf);
        for (int k = 0; k < K; k++)
            wf[k] = k % 2 ? -127 : 127;
        ob_init_f32(b, "w", 2, (int64_t[]){ 1, K }, wf);
        free(wf);
        quant(b, "wq", "w", "wi", scalar(b, 1), 0, 8, 1, 0);
        ObNode *t = ob_node(b, "Transpose", NULL, "wt", 1, (const char *[]){ "wi" }, 1,
                            (const char *[]){ "wT" });
        ob_attr_ints(t, "perm", 2, (int64_t[]){ 1, 0 });
    } else {
        weights(b, "w", 8, 4, 2, "wT");
    }
    node1(b, "MatMul", "mm", x, w, "m");
    int C = variant == 9 ? 1 : 4;
    batchnorm(b, "bn", "m", "n", C, 2.0);
    const char *pre = "n";
    if (variant == 3) {
        node1(b, "Abs", "abs", "n", NULL, "na");
        pre = "na";
    }
    if (variant == 1)
        quant(b, "q_act", pre, "a1", scalar(b, 0.5f), 0.5f, 2, 1, 0);
    else if (variant == 7)
        quant(b, "q_act", pre, "a1", scalar(b, 0.5f), 0, 12, 1, 0);
    else
        quant(b, "q_act", pre, "a1", scalar(b, 0.5f), 0, 2, 1, 0);
    const char *last = "a1";
    if (variant == 10) {
        /* a second branch of another scale (not an integer ratio), added */
        weights(b, "wb", 8, 4, 2, "wbT");
        node1(b, "MatMul", "mm_b", x, "wbT", "mb");
        batchnorm(b, "bn_b", "mb", "nb", C, 2.0);
        quant(b, "q_other", "nb", "a1b", scalar(b, 0.375f), 0, 2, 1, 0);
        node1(b, "Add", "add", "a1", "a1b", "sum");
        last = "sum";
    } else if (variant == 13) {
        /* the BatchNorm's output read twice */
        quant(b, "q_other", pre, "a1b", scalar(b, 0.5f), 0, 2, 1, 0);
        node1(b, "Add", "add", "a1", "a1b", "sum");
        last = "sum";
    } else if (variant == 11) {
        node1(b, "Mul", "neg", "a1", scalar(b, -1), "an");
        quant(b, "q_neg", "an", "a2", scalar(b, 0.5f), 0, 2, 1, 0);
        last = "a2";
    }
    weights(b, "w2", C, 3, 2, "w2T");
    node1(b, "MatMul", "mm2", last, "w2T", "y");
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    Pair p;
    bool ok = make_pair(b, &p);
    ck_assert_msg(!ok, "variant %d: streamlining should fail (%s)", variant, what);
    ck_assert_msg(strstr(p.d.msg, node) && strstr(p.d.msg, what),
                  "variant %d: error '%s' lacks node '%s' or '%s'", variant, p.d.msg, node, what);
    printf("error %2d: %s\n", variant, p.d.msg);
    free_pair(&p);
}

START_TEST(test_errors)
{
    expect_streamline_error(1, "q_act", "zero point");
    expect_streamline_error(2, "mm", "per-channel scale");
    expect_streamline_error(3, "q_act", "monotonic");
    expect_streamline_error(4, "mm", "more than 8 bits");
    expect_streamline_error(5, "mm", "without a quantizer");
    expect_streamline_error(6, "pre_div", "not an integer");
    expect_streamline_error(7, "q_act", "12 bits");
    expect_streamline_error(8, "mm", "not quantized");
    expect_streamline_error(9, "mm", "32 bits");
    expect_streamline_error(10, "add", "neither scale is an integer multiple of the other");
    expect_streamline_error(11, "q_neg", "no weights");
    expect_streamline_error(12, "pre_div", "dividing a constant");
    expect_streamline_error(13, "bn", "several consumers");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("streamline");
    TCase *tc = tcase_create("streamline");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_mlp);
    tcase_add_test(tc, test_input_layout_moved);
    tcase_add_test(tc, test_input_layout_kept);
    tcase_add_test(tc, test_integer_input_gemm);
    tcase_add_test(tc, test_conv_pool);
    tcase_add_test(tc, test_int_add_requant);
    tcase_add_test(tc, test_residual_add_scales);
    tcase_add_test(tc, test_grouped_conv);
    tcase_add_test(tc, test_trunc_avgpool_rounding);
    tcase_add_test(tc, test_avgpool_windows);
    tcase_add_test(tc, test_avgpool_refused);
    tcase_add_test(tc, test_verify_integer);
    tcase_add_test(tc, test_output_affine_float_bias);
    tcase_add_test(tc, test_output_affine_missing_constant);
    tcase_add_test(tc, test_output_affine_conv_bias);
    tcase_add_test(tc, test_brevitas_float_bias_mlp);
    tcase_add_test(tc, test_output_bias_not_constant);
    tcase_add_test(tc, test_thresholds_exact);
    tcase_add_test(tc, test_thresholds_bisection);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
