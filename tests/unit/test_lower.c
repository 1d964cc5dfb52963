/* Lowering (ir/lower_*.c) on small integer graphs built in C:
 *
 *   InputQuant -> IntConv (3x3, pad 1) -> MultiThreshold -> IntMaxPool
 *     [-> MultiThreshold] [-> Transpose] -> Reshape [1, 36] -> IntMatMul -> OutputAffine
 *
 * The flatten has spatial size 9, so the MatMul's weight columns must be
 * permuted from CHW to the stream's HWC order; with the Transpose to
 * NHWC first they must not. Each variant is checked three ways: the layer
 * kinds, individual weights against the integer graph's, and the layer
 * outputs computed both ways (the int engine on the graph, the dataflow
 * executor on the stream) on random frames; an IntAdd of a tensor with
 * itself becomes a FORK and a JOIN. Errors (a second graph output,
 * padding a bipolar image, labels after a per-class OutputAffine) must
 * name the node. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "dataflow.h"
#include "exec.h"
#include "onnx_builder.h"

enum {
    V_FUSED = 0,        /* the chain above */
    V_STANDALONE = 1,   /* a MultiThreshold after the pool: a THRESHOLD layer */
    V_TRANSPOSE = 2,    /* Transpose to NHWC before the flatten */
    V_BRANCH = 4,       /* the first MultiThreshold's output is also a graph output */
    V_INTADD = 8,       /* IntAdd(pool, pool) after the pool */
    V_BIPOLAR = 16,     /* bipolar InputQuant: the padded conv cannot be lowered */
    V_AFFINE_PER_CLASS = 32, /* OutputAffine with one scale per class */
};

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}
static int64_t rint_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rng() % (uint32_t)(hi - lo + 1)); }

static int64_t W1[4 * 2 * 3 * 3], W2[36 * 5];

static void init_i64(OnnxBuilder *b, const char *name, int rank, const int64_t *dims,
                     const int64_t *v, const char *dt)
{
    ob_init_i64(b, name, rank, dims, v);
    if (dt)
        ob_annotate(b, name, "finn_datatype", dt);
}

static Graph *tiny(int variant)
{
    OnnxBuilder *b = ob_new("tiny");
    ob_opset(b, "", 13);
    ob_opset(b, "qonnxc", 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 2, 6, 6 });
    float one = 1.0f, zero = 0.0f;
    ObNode *n;
    if (variant & V_BIPOLAR) {
        n = ob_node(b, "InputQuant", "qonnxc", "iq", 1, (const char *[]){ "x" }, 1,
                    (const char *[]){ "a" });
        ob_attr_string(n, "mode", "bipolar");
        ob_annotate(b, "a", "finn_datatype", "BIPOLAR");
    } else {
        ob_init_f32(b, "s", 0, NULL, &one);
        ob_init_f32(b, "z", 0, NULL, &zero);
        n = ob_node(b, "InputQuant", "qonnxc", "iq", 3, (const char *[]){ "x", "s", "z" }, 1,
                    (const char *[]){ "a" });
        ob_attr_string(n, "mode", "quant");
        ob_attr_int(n, "bits", 4);
        ob_attr_int(n, "signed", 1);
        ob_attr_int(n, "narrow", 0);
        ob_annotate(b, "a", "finn_datatype", "INT4");
    }
    for (int k = 0; k < 72; k++)
        W1[k] = rint_in(-2, 1);
    init_i64(b, "w1", 4, (int64_t[]){ 4, 2, 3, 3 }, W1, "INT2");
    n = ob_node(b, "IntConv", "qonnxc", "conv", 2, (const char *[]){ "a", "w1" }, 1,
                (const char *[]){ "c1" });
    ob_attr_ints(n, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    ob_attr_ints(n, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    ob_attr_ints(n, "strides", 2, (int64_t[]){ 1, 1 });
    ob_annotate(b, "c1", "finn_datatype", "INT10");
    int64_t t1[12];
    for (int c = 0; c < 4; c++) {
        int64_t v = rint_in(-30, -10);
        for (int l = 0; l < 3; l++)
            t1[c * 3 + l] = v += rint_in(0, 15);
    }
    init_i64(b, "t1", 2, (int64_t[]){ 4, 3 }, t1, "INT8");
    n = ob_node(b, "MultiThreshold", "qonnxc", "act1", 2, (const char *[]){ "c1", "t1" }, 1,
                (const char *[]){ "r1" });
    ob_attr_int(n, "out_scale", 1);
    ob_attr_int(n, "out_bias", -2);
    ob_attr_int(n, "channel_axis", 1);
    ob_annotate(b, "r1", "finn_datatype", "INT2");
    n = ob_node(b, "IntMaxPool", "qonnxc", "pool", 1, (const char *[]){ "r1" }, 1,
                (const char *[]){ "p1" });
    ob_attr_ints(n, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    ob_attr_ints(n, "strides", 2, (int64_t[]){ 2, 2 });
    ob_annotate(b, "p1", "finn_datatype", "INT2");
    const char *cur = "p1";
    if (variant & V_INTADD) {
        ob_node(b, "IntAdd", "qonnxc", "add", 2, (const char *[]){ "p1", "p1" }, 1,
                (const char *[]){ "sum" });
        ob_annotate(b, "sum", "finn_datatype", "INT3");
        cur = "sum";
    }
    if (variant & V_STANDALONE) {
        int64_t t2[4] = { -1, 0, 0, 1 };
        init_i64(b, "t2", 2, (int64_t[]){ 4, 1 }, t2, "INT2");
        n = ob_node(b, "MultiThreshold", "qonnxc", "act2", 2, (const char *[]){ cur, "t2" }, 1,
                    (const char *[]){ "q" });
        ob_attr_int(n, "out_scale", 2);
        ob_attr_int(n, "out_bias", -1);
        ob_annotate(b, "q", "finn_datatype", "BIPOLAR");
        cur = "q";
    }
    const char *dt = variant & V_STANDALONE ? "BIPOLAR" : variant & V_INTADD ? "INT3" : "INT2";
    if (variant & V_TRANSPOSE) {
        n = ob_node(b, "Transpose", NULL, "tr", 1, (const char *[]){ cur }, 1,
                    (const char *[]){ "tp" });
        ob_attr_ints(n, "perm", 4, (int64_t[]){ 0, 2, 3, 1 });
        ob_annotate(b, "tp", "finn_datatype", dt);
        cur = "tp";
    }
    init_i64(b, "shp", 1, (int64_t[]){ 2 }, (int64_t[]){ 1, 36 }, NULL);
    ob_node(b, "Reshape", NULL, "flat", 2, (const char *[]){ cur, "shp" }, 1,
            (const char *[]){ "f" });
    ob_annotate(b, "f", "finn_datatype", dt);
    for (int k = 0; k < 180; k++)
        W2[k] = rint_in(-4, 3);
    init_i64(b, "w2", 2, (int64_t[]){ 36, 5 }, W2, "INT3");
    ob_node(b, "IntMatMul", "qonnxc", "fc", 2, (const char *[]){ "f", "w2" }, 1,
            (const char *[]){ "m" });
    ob_annotate(b, "m", "finn_datatype", "INT10");
    if (variant & V_AFFINE_PER_CLASS) {
        ob_init_f32(b, "A", 1, (int64_t[]){ 5 }, (float[]){ 0.5f, 0.5f, 1, 0.5f, 0.5f });
        ob_init_f32(b, "B", 1, (int64_t[]){ 5 }, (float[]){ 0, 0, 0, 0, 0 });
    } else {
        ob_init_f32(b, "A", 1, (int64_t[]){ 1 }, (float[]){ 0.5f });
        ob_init_f32(b, "B", 1, (int64_t[]){ 1 }, (float[]){ 0.25f });
    }
    ob_node(b, "OutputAffine", "qonnxc", "affine", 3, (const char *[]){ "m", "A", "B" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 5 });
    if (variant & V_BRANCH)
        ob_output(b, "r1", ET_INT64, 4, (int64_t[]){ 1, 4, 6, 6 });
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ob_free(b);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert_msg(cleanup_graph(g, true, &d), "%s", d.msg);
    return g;
}

static int count(const Dataflow *df, LayerKind k)
{
    int n = 0;
    for (int j = 0; j < df->n_layers; j++)
        n += df->layers[j].kind == k;
    return n;
}

static const Layer *nth(const Dataflow *df, LayerKind k, int n)
{
    for (int j = 0; j < df->n_layers; j++)
        if (df->layers[j].kind == k && n-- == 0)
            return &df->layers[j];
    ck_abort_msg("no layer");
    return NULL;
}

typedef struct Capture {
    const Tensor *in_t, *out_t;
    Value *in, *out;
} Capture;

static void capture(void *user, const Node *n, Value *const *outputs)
{
    Capture *c = user;
    if (n->outputs[0] == c->in_t && !c->in)
        c->in = value_copy(outputs[0]);
    if (n->outputs[0] == c->out_t && !c->out)
        c->out = value_copy(outputs[0]);
}

/* The int engine and the dataflow executor on random frames; with labels,
 * the top-k of the int engine's scores. */
static void compare(Graph *g, const Dataflow *df, int frames, int labels)
{
    int64_t out_n = df->layers[df->n_layers - 1].out.elems;
    int64_t *in = malloc((size_t)df->in_elems * sizeof *in);
    int64_t *out = malloc((size_t)out_n * sizeof *out);
    for (int f = 0; f < frames; f++) {
        Diag d;
        diag_init(&d);
        Value *x = value_new(ET_FLOAT, &g->inputs[0]->shape), *y = NULL;
        for (int64_t k = 0; k < x->count; k++)
            x->f[k] = (float)rint_in(-9, 9);
        Capture c = { df->in_tensor, df->out_tensor, NULL, NULL };
        const Value *ins[1] = { x };
        ck_assert_msg(exec_run_observed(g, ins, &y, capture, &c, &d), "%s", d.msg);
        for (int64_t s = 0; s < df->in_elems; s++)
            in[s] = c.in->i[df->in_order[s]];
        ck_assert_msg(dataflow_exec_frame(df, in, out, &d), "%s", d.msg);
        if (labels)
            for (int k = 0; k < labels; k++) {
                int64_t want = -1;
                for (int64_t j = 0; j < c.out->count; j++) {
                    bool taken = false;
                    for (int i = 0; i < k; i++)
                        taken |= out[i] == j;
                    if (!taken && (want < 0 || c.out->i[j] > c.out->i[want]))
                        want = j;
                }
                ck_assert_int_eq(out[k], want);
            }
        else
            for (int64_t s = 0; s < out_n; s++)
                ck_assert_msg(out[s] == c.out->i[df->out_order[s]], "frame %d element %lld: "
                              "%lld, int engine %lld", f, (long long)s, (long long)out[s],
                              (long long)c.out->i[df->out_order[s]]);
        value_free(c.in);
        value_free(c.out);
        value_free(x);
        value_free(y);
    }
    free(in);
    free(out);
}

static void build(Graph *g, const BuildConfig *cfg, Dataflow *df)
{
    Diag d;
    diag_init(&d);
    ck_assert_msg(dataflow_build(g, cfg, df, &d), "%s", d.msg);
}

START_TEST(test_fused_chain)
{
    Graph *g = tiny(V_FUSED);
    Dataflow df;
    build(g, NULL, &df);
    /* SWG, MVAU (thresholds fused), MAXPOOL, MVAU; a FIFO between each two */
    ck_assert_int_eq(df.n_layers, 7);
    static const LayerKind kinds[] = { LAYER_SWG, LAYER_FIFO, LAYER_MVAU, LAYER_FIFO,
                                       LAYER_MAXPOOL, LAYER_FIFO, LAYER_MVAU };
    for (int k = 0; k < 7; k++)
        ck_assert_int_eq(df.layers[k].kind, kinds[k]);
    const Layer *swg = nth(&df, LAYER_SWG, 0), *conv = nth(&df, LAYER_MVAU, 0);
    const Layer *pool = nth(&df, LAYER_MAXPOOL, 0), *fc = nth(&df, LAYER_MVAU, 1);
    ck_assert_str_eq(swg->name, "conv:swg");
    ck_assert_str_eq(conv->name, "conv");
    ck_assert_int_eq(swg->pad_top, 1);
    ck_assert_int_eq(swg->out.elems, 6 * 6 * 9 * 2);
    ck_assert_int_eq(conv->mh, 4);
    ck_assert_int_eq(conv->mw, 18);
    ck_assert_int_eq(conv->vectors, 36);
    ck_assert_int_eq(conv->n_thresholds, 3);
    ck_assert_int_eq(conv->thresholds_per_channel, 4);
    ck_assert_int_eq(conv->out_bias, -2);
    ck_assert_str_eq(conv->thr_node->name, "act1");
    ck_assert_int_eq(pool->pad_value, -2);
    ck_assert_int_eq(fc->mh, 5);
    ck_assert_int_eq(fc->mw, 36);
    /* conv weights [O][kh][kw][I] */
    for (int o = 0; o < 4; o++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int c = 0; c < 2; c++)
                    ck_assert_int_eq(conv->weights[o * 18 + (i * 3 + j) * 2 + c],
                                     W1[((o * 2 + c) * 3 + i) * 3 + j]);
    /* MatMul columns in HWC order: stream element (h, w, c) is CHW row c*9 + h*3 + w */
    for (int h = 0; h < 5; h++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                for (int c = 0; c < 4; c++)
                    ck_assert_int_eq(fc->weights[h * 36 + (y * 3 + x) * 4 + c],
                                     W2[(c * 9 + y * 3 + x) * 5 + h]);
    ck_assert_int_eq(df.in_elems, 72);
    ck_assert_int_eq(df.in_order[1], 36); /* NHWC: element 1 is channel 1 of pixel 0 */
    compare(g, &df, 25, 0);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_standalone_threshold)
{
    Graph *g = tiny(V_STANDALONE);
    Dataflow df;
    build(g, NULL, &df);
    ck_assert_int_eq(count(&df, LAYER_THRESHOLD), 1);
    const Layer *t = nth(&df, LAYER_THRESHOLD, 0);
    ck_assert_str_eq(t->name, "act2");
    ck_assert_int_eq(t->channels, 4);
    ck_assert_int_eq(t->thresholds_per_channel, 4);
    ck_assert_int_eq(t->out.dt.kind, QC_BIPOLAR);
    ck_assert_int_eq(nth(&df, LAYER_MVAU, 1)->in.dt.kind, QC_BIPOLAR);
    compare(g, &df, 25, 0);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_transpose_keeps_columns)
{
    Graph *g = tiny(V_TRANSPOSE);
    Dataflow df;
    build(g, NULL, &df);
    const Layer *fc = nth(&df, LAYER_MVAU, 1);
    for (int h = 0; h < 5; h++)
        for (int s = 0; s < 36; s++)
            ck_assert_int_eq(fc->weights[h * 36 + s], W2[s * 5 + h]);
    compare(g, &df, 25, 0);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_folded_chain_same_result)
{
    /* folding and DWCs do not change what the stream carries */
    Graph *g = tiny(V_FUSED);
    BuildConfig cfg;
    Diag d;
    diag_init(&d);
    const char *text = "fifo_depth: 16\nfolding:\n  - {mvau: 0, pe: 4, simd: 2}\n"
                       "  - {mvau: 1, pe: 5, simd: 4, fifo_depth: 64}\n"
                       "  - {layer: pool, pe: 2, fifo_depth: 8}\n";
    ck_assert_msg(config_parse(&cfg, text, strlen(text), "fold.yaml", &d), "%s", d.msg);
    Dataflow df;
    build(g, &cfg, &df);
    ck_assert_int_eq(count(&df, LAYER_DWC), 2);
    ck_assert_int_eq(nth(&df, LAYER_SWG, 0)->simd, 2);
    /* SWG FIFO MVAU FIFO DWC FIFO POOL FIFO DWC FIFO MVAU: FIFO depths from the entries */
    ck_assert_int_eq(df.n_layers, 11);
    static const int64_t depths[] = { 16, 16, 8, 16, 64 };
    for (int k = 1, f = 0; k < df.n_layers; k += 2, f++) {
        ck_assert_int_eq(df.layers[k].kind, LAYER_FIFO);
        ck_assert_int_eq(df.layers[k].depth, depths[f]);
    }
    compare(g, &df, 10, 0);
    dataflow_free(&df);
    config_free(&cfg);
    graph_free(g);
}
END_TEST

START_TEST(test_labels)
{
    Graph *g = tiny(V_FUSED);
    BuildConfig cfg;
    config_defaults(&cfg);
    cfg.labels = 2;
    Dataflow df;
    build(g, &cfg, &df);
    const Layer *l = &df.layers[df.n_layers - 1];
    ck_assert_int_eq(l->kind, LAYER_LABELSELECT);
    ck_assert_int_eq(l->k, 2);
    ck_assert_int_eq(l->out.dt.kind, QC_UINT);
    ck_assert_int_eq(l->out.dt.bits, 3);
    ck_assert(df.labels_out);
    compare(g, &df, 25, 2);
    dataflow_free(&df);
    graph_free(g);

    /* a per-class scale would reorder the scores */
    g = tiny(V_AFFINE_PER_CLASS);
    Diag d;
    diag_init(&d);
    ck_assert(!dataflow_build(g, &cfg, &df, &d));
    ck_assert_msg(strstr(d.msg, "node 'affine' (OutputAffine)") &&
                  strstr(d.msg, "one positive scale"), "%s", d.msg);
    graph_free(g);
    config_free(&cfg);
}
END_TEST

static void expect_error(int variant, const char *node, const char *words)
{
    Graph *g = tiny(variant);
    Dataflow df;
    Diag d;
    diag_init(&d);
    ck_assert(!dataflow_build(g, NULL, &df, &d));
    ck_assert_msg(strstr(d.msg, node), "'%s' does not name %s", d.msg, node);
    ck_assert_msg(strstr(d.msg, words), "'%s' lacks '%s'", d.msg, words);
    ck_assert_int_eq(d.exit_code, EXIT_BAD_MODEL);
    ck_assert_int_eq(df.n_layers, 0);
    graph_free(g);
}

/* pool + pool: the pooled tensor read twice gets a FORK, the add a JOIN
 * of its two ports (a FIFO on each edge), 1 * a + 1 * b. */
START_TEST(test_intadd_fork_join)
{
    Graph *g = tiny(V_INTADD);
    Dataflow df;
    Diag d;
    diag_init(&d);
    ck_assert_msg(dataflow_build(g, NULL, &df, &d), "%s", d.msg);
    int f = dataflow_find_layer(&df, "pool:fork"), j = dataflow_find_layer(&df, "add");
    ck_assert_int_ge(f, 0);
    ck_assert_int_gt(j, f);
    const Layer *join = &df.layers[j];
    ck_assert_int_eq(join->kind, LAYER_JOIN);
    ck_assert_int_eq(join->n_inputs, 2);
    ck_assert(join->mul_a == 1 && join->mul_b == 1);
    for (int i = 0; i < 2; i++) {
        const Layer *fifo = &df.layers[join->src[i]];
        ck_assert_int_eq(fifo->kind, LAYER_FIFO);
        ck_assert_int_eq(fifo->src[0], f);
        ck_assert_int_eq(fifo->src_port[0], 1 - i);   /* the FIFO on input 1 reads port 0 */
        ck_assert_int_eq(fifo->skip_fork, f);
    }
    ck_assert(!dataflow_is_chain(&df));
    compare(g, &df, 25, 0);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_errors)
{
    expect_error(V_BRANCH, "node 'act1' (MultiThreshold)", "its output 'r1' is a graph output "
                 "and is also read by 1 node");
    expect_error(V_BIPOLAR, "node 'conv' (IntConv)", "padding needs the value 0");

    /* a standalone threshold's folding rule */
    Graph *g = tiny(V_STANDALONE);
    BuildConfig cfg;
    Diag d;
    diag_init(&d);
    const char *text = "folding:\n  - {layer: act2, pe: 3}\n";
    ck_assert(config_parse(&cfg, text, strlen(text), "t.yaml", &d));
    Dataflow df;
    ck_assert(!dataflow_build(g, &cfg, &df, &d));
    ck_assert_msg(strstr(d.msg, "layer 'act2' (Threshold): PE 3 does not divide its 4 channels "
                         "(rule: C % PE == 0 for a Threshold) (folding set at t.yaml:2)"),
                  "%s", d.msg);
    config_free(&cfg);
    graph_free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lower");
    TCase *tc = tcase_create("lower");
    tcase_add_test(tc, test_fused_chain);
    tcase_add_test(tc, test_intadd_fork_join);
    tcase_add_test(tc, test_standalone_threshold);
    tcase_add_test(tc, test_transpose_keeps_columns);
    tcase_add_test(tc, test_folded_chain_same_result);
    tcase_add_test(tc, test_labels);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
