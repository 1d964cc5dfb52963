/* The dataflow DAG (ir/passes/dataflow/dataflow.h) of the three shared
 * models with branches, depthwise convs and average pools, each built
 * with its configs/<model>.yaml:
 *
 *   - the layers: a FORK per tensor read twice and a JOIN per residual
 *     add (the quantizer after it fused), a VVAU per depthwise conv, a
 *     POOL per TruncAvgPool, no SWG in front of a 1x1 stride-1 conv;
 *   - what they compute: the element-level executor on the stream of
 *     InputQuant's output gives exactly the int engine's values of the
 *     tensor the last layer writes (a few frames of inputs.npy);
 *   - automatic folding at two target_fps;
 *   - skip FIFOs: the depth each JOIN's input FIFO needs, worked out by
 *     hand for ResNet-W2A2's first block, and the refusal of a config
 *     that sets it lower;
 *   - the POOL's rounding (dataflow_shift_round) against the golden
 *     Trunc's (qonnx_round on the exact quotient), every mode. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow.h"
#include "dataflow_frames.h"
#include "exec.h"
#include "frontend.h"
#include "model_data.h"
#include "streamline.h"

static const char *const dag_models[] = { "RESNET_W2A2_RANDOM", "MOBILENET_W4A4_RANDOM",
                                          "RESNET20_W4A4_RANDOM" };

typedef struct Built {
    Graph *g;
    BuildConfig cfg;
    Dataflow df;
} Built;

/* configs/<model>.yaml without "_RANDOM". */
static const char *config_path(char *buf, int size, const char *model)
{
    char name[64];
    snprintf(name, sizeof name, "%s", model);
    char *r = strstr(name, "_RANDOM");
    if (r)
        *r = '\0';
    snprintf(buf, (size_t)size, "%s/../configs/%s.yaml", TESTS_DIR, name);
    return buf;
}

static Graph *load(const char *model)
{
    char path[512];
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(shared_model_path(path, sizeof path, model, "model.onnx"), &d);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert_msg(streamline_graph(g, true, &d), "%s", d.msg);
    return g;
}

/* Builds with configs/<model>.yaml, or with `yaml` when given. */
static bool build(const char *model, const char *yaml, Built *b, Diag *d)
{
    char cfg[512];
    memset(b, 0, sizeof *b);
    diag_init(d);
    if (yaml)
        ck_assert_msg(config_parse(&b->cfg, yaml, strlen(yaml), "test.yaml", d), "%s", d->msg);
    else
        ck_assert_msg(config_load(&b->cfg, config_path(cfg, sizeof cfg, model), d), "%s",
                      d->msg);
    b->g = load(model);
    return dataflow_build(b->g, &b->cfg, &b->df, d);
}

static void unbuild(Built *b)
{
    dataflow_free(&b->df);
    graph_free(b->g);
    config_free(&b->cfg);
}

static int count_kind(const Dataflow *df, LayerKind kind)
{
    int n = 0;
    for (int k = 0; k < df->n_layers; k++)
        n += df->layers[k].kind == kind;
    return n;
}

/* ---- what they compute ------------------------------------------------- */

/* Frames 0 .. frames-1 of inputs.npy: dataflow executor == int engine. */
static void compare_frames(const char *model, const Built *b, int frames)
{
    char path[512];
    Value *all = load_npy_value(shared_model_path(path, sizeof path, model, "inputs.npy"));
    dataflow_compare_frames(model, b->g, &b->df, all, frames, 0);
    value_free(all);
}

START_TEST(test_dag_layers_and_values)
{
    const char *model = dag_models[_i];
    if (!shared_model_present(model))
        return;
    Built b;
    Diag d;
    ck_assert_msg(build(model, NULL, &b, &d), "%s: %s", model, d.msg);
    const Dataflow *df = &b.df;
    bool resnet = !strncmp(model, "RESNET", 6);
    /* ResNet-W2A2: 3 blocks; ResNet-20: 9; MobileNet: a chain */
    int blocks = !strcmp(model, "RESNET_W2A2_RANDOM") ? 3 : resnet ? 9 : 0;
    ck_assert_int_eq(count_kind(df, LAYER_FORK), blocks);
    ck_assert_int_eq(count_kind(df, LAYER_JOIN), blocks);
    ck_assert_int_eq(count_kind(df, LAYER_VVAU), resnet ? 0 : 4);
    ck_assert_int_eq(count_kind(df, LAYER_POOL), 1);
    ck_assert_int_eq(dataflow_is_chain(df), !resnet);
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        if (l->kind == LAYER_JOIN) {
            ck_assert_msg(l->n_thresholds > 0, "%s: the quantizer after the add is fused",
                          l->name);
            for (int i = 0; i < 2; i++) {
                const Layer *f = &df->layers[l->src[i]];
                ck_assert_int_eq(f->kind, LAYER_FIFO);
                ck_assert_int_eq(df->layers[f->skip_fork].kind, LAYER_FORK);
                ck_assert(f->min_depth > 2 && f->depth >= f->min_depth);
            }
        }
        /* a 1x1 stride-1 conv reads the image itself; a strided one keeps a SWG */
        if (l->kind == LAYER_MVAU && l->node && strstr(l->node->name, "pw_conv")) {
            const Layer *fifo = &df->layers[l->src[0]];
            ck_assert_int_ne(df->layers[fifo->src[0]].kind, LAYER_SWG);
            ck_assert_int_eq(l->mw, l->in.elems / l->vectors);
        }
        if (l->kind == LAYER_SWG && strstr(l->name, "downsample"))
            ck_assert(l->k_h == 1 && l->k_w == 1 && l->stride_h == 2 && l->bram18 == 0);
    }
    compare_frames(model, &b, 2);
    printf("%-22s %3d layers, dataflow executor = int engine on 2 frames, %lld cycles per "
           "frame\n", model, df->n_layers, (long long)df->bottleneck_cycles);
    unbuild(&b);
}
END_TEST

/* ---- automatic folding --------------------------------------------------- */

START_TEST(test_auto_folding_two_targets)
{
    const char *model = "RESNET_W2A2_RANDOM";
    if (!shared_model_present(model))
        return;
    const double fps[2] = { 300, 1500 };
    int64_t cycles[2];
    for (int t = 0; t < 2; t++) {
        char yaml[128];
        snprintf(yaml, sizeof yaml, "clock_mhz: 100\ntarget_fps: %g\n", fps[t]);
        Built b;
        Diag d;
        ck_assert_msg(build(model, yaml, &b, &d), "%s", d.msg);
        cycles[t] = b.df.bottleneck_cycles;
        ck_assert_msg(b.df.fps >= fps[t], "%g fps asked, %g estimated", fps[t], b.df.fps);
        compare_frames(model, &b, 1);
        unbuild(&b);
    }
    ck_assert(cycles[1] < cycles[0]);
}
END_TEST

/* ---- skip FIFOs ------------------------------------------------------------ */

/* ResNet-W2A2's first block: a 32 x 32 image of 32 channels, two 3x3
 * convs (pad 1, stride 1) on the long branch. A SWG may read 1 row ahead
 * of the k_h rows a row of outputs needs: the second conv's first output
 * row reads rows 0..2 of the first conv's outputs, which read image rows
 * 0..4. The fork writes 5 rows = 160 pixels before the join can take its
 * first pixel, all of which the skip FIFO holds; plus one pixel in
 * flight, in beats of the FIFO, plus 2 beats of handshake registers. */
START_TEST(test_skip_fifo_depth_by_hand)
{
    const char *model = "RESNET_W2A2_RANDOM";
    if (!shared_model_present(model))
        return;
    Built b;
    Diag d;
    ck_assert_msg(build(model, NULL, &b, &d), "%s", d.msg);
    int j = dataflow_find_layer(&b.df, "/blk1/Add");
    ck_assert_int_ge(j, 0);
    const Layer *join = &b.df.layers[j];
    const Layer *skip = NULL;
    for (int i = 0; i < 2; i++) {
        const Layer *f = &b.df.layers[join->src[i]];
        if (b.df.layers[f->src[0]].kind == LAYER_FORK)
            skip = f;   /* the FIFO straight after the fork */
    }
    ck_assert_ptr_nonnull(skip);
    int64_t epb = skip->in.elems_per_beat;
    ck_assert_int_eq(skip->min_depth, ((160 + 1) * 32 + epb - 1) / epb + 2);
    ck_assert_int_ge(skip->depth, skip->min_depth);
    unbuild(&b);
}
END_TEST

START_TEST(test_skip_fifo_below_need_refused)
{
    const char *model = "RESNET_W2A2_RANDOM";
    if (!shared_model_present(model))
        return;
    const char *yaml = "clock_mhz: 100\nfolding:\n  - {layer: \"/blk1/Add\", fifo_depth: 16}\n";
    Built b;
    Diag d;
    ck_assert(!build(model, yaml, &b, &d));
    /* unfolded: the skip FIFO needs (160 + 1) * 32 + 2 beats (see above) */
    ck_assert_msg(strstr(d.msg, "'/blk1/Add' (Join): fifo_depth 16 (set for this join in "
                         "test.yaml)") &&
                  strstr(d.msg, "fork '/relu/act_quant/export_handler/Quant:fork' would "
                         "deadlock (set fifo_depth to at least 5154"), "%s", d.msg);
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    graph_free(b.g);
    config_free(&b.cfg);
}
END_TEST

/* ---- manual folding of the new layers --------------------------------- */

/* A JOIN at PE 8 while its inputs come 4 channels per beat: width
 * converters on both of its input edges, and the values do not change. */
START_TEST(test_manual_folding_join_and_vvau)
{
    Built b;
    Diag d;
    if (shared_model_present("RESNET_W2A2_RANDOM")) {
        const char *yaml = "clock_mhz: 100\nfolding:\n  - {layer: \"/blk1/Add\", pe: 8}\n"
                           "  - {layer: \"/gap/AveragePool\", pe: 32}\n";
        ck_assert_msg(build("RESNET_W2A2_RANDOM", yaml, &b, &d), "%s", d.msg);
        const Layer *join = &b.df.layers[dataflow_find_layer(&b.df, "/blk1/Add")];
        ck_assert_int_eq(join->pe, 8);
        for (int i = 0; i < 2; i++) {
            const Layer *fifo = &b.df.layers[join->src[i]];
            ck_assert_int_eq(fifo->in.elems_per_beat, 8);
            ck_assert_int_eq(b.df.layers[fifo->src[0]].kind, LAYER_DWC);
        }
        compare_frames("RESNET_W2A2_RANDOM", &b, 1);
        unbuild(&b);
    }
    if (shared_model_present("MOBILENET_W4A4_RANDOM")) {
        const char *dw = "/features/features.0/dw_conv/conv/Conv";
        char yaml[256];
        snprintf(yaml, sizeof yaml, "folding:\n  - {layer: \"%s\", pe: 4, simd: 3}\n", dw);
        ck_assert(!build("MOBILENET_W4A4_RANDOM", yaml, &b, &d));
        ck_assert_msg(strstr(d.msg, "(VVAU): SIMD 3: a VVAU takes SIMD 1") &&
                      strstr(d.msg, "(folding set at test.yaml:2)"), "%s", d.msg);
        graph_free(b.g);
        config_free(&b.cfg);
        snprintf(yaml, sizeof yaml, "folding:\n  - {layer: \"%s\", pe: 5}\n", dw);
        ck_assert(!build("MOBILENET_W4A4_RANDOM", yaml, &b, &d));
        ck_assert_msg(strstr(d.msg, "PE 5 does not divide its 16 channels (rule: C % PE == 0 "
                             "for a VVAU)"), "%s", d.msg);
        graph_free(b.g);
        config_free(&b.cfg);
        /* its SWG follows the VVAU's PE */
        snprintf(yaml, sizeof yaml, "folding:\n  - {layer: \"%s\", pe: 4}\n", dw);
        ck_assert_msg(build("MOBILENET_W4A4_RANDOM", yaml, &b, &d), "%s", d.msg);
        int v = dataflow_find_layer(&b.df, dw);
        ck_assert_int_eq(b.df.layers[v].pe, 4);
        char swg[128];
        snprintf(swg, sizeof swg, "%s:swg", dw);
        ck_assert_int_eq(b.df.layers[dataflow_find_layer(&b.df, swg)].simd, 4);
        compare_frames("MOBILENET_W4A4_RANDOM", &b, 1);
        unbuild(&b);
    }
}
END_TEST

/* ---- the POOL's rounding ------------------------------------------------- */

START_TEST(test_shift_round_matches_trunc)
{
    const QonnxRounding modes[] = { QROUND_HALF_EVEN, QROUND_HALF_UP, QROUND_HALF_DOWN,
                                    QROUND_CEIL, QROUND_FLOOR, QROUND_UP, QROUND_DOWN };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
        for (int shift = 0; shift <= 4; shift++)
            for (int64_t sum = -70; sum <= 70; sum++) {
                float want = qonnx_round((float)sum / ldexpf(1.0f, shift), modes[m]);
                ck_assert_msg(dataflow_shift_round(sum, shift, modes[m]) == (int64_t)want,
                              "%s: %lld / 2^%d gives %lld, the Trunc %g",
                              qonnx_rounding_name(modes[m]), (long long)sum, shift,
                              (long long)dataflow_shift_round(sum, shift, modes[m]), want);
            }
    /* spelled out: 6 / 4 = 1.5 and 10 / 4 = 2.5, halves to even; -6 / 4 floors to -2 */
    ck_assert_int_eq(dataflow_shift_round(6, 2, QROUND_HALF_EVEN), 2);
    ck_assert_int_eq(dataflow_shift_round(10, 2, QROUND_HALF_EVEN), 2);
    ck_assert_int_eq(dataflow_shift_round(-6, 2, QROUND_FLOOR), -2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dataflow_dag");
    TCase *tc = tcase_create("dag");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_dag_layers_and_values, 0, 3);
    tcase_add_test(tc, test_auto_folding_two_targets);
    tcase_add_test(tc, test_skip_fifo_depth_by_hand);
    tcase_add_test(tc, test_skip_fifo_below_need_refused);
    tcase_add_test(tc, test_shift_round_matches_trunc);
    tcase_add_test(tc, test_manual_folding_join_and_vvau);
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
