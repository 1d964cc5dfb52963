/* Estimates (ir/estimate.c, formulas in docs/dataflow.md):
 *
 *   - the acceptance numbers: CNV-W1A1 with FINN's published folding at
 *     100 MHz has a 32,768-cycle bottleneck (3,051.76 fps); TFC-W1A1 64
 *     cycles (1,562,500 fps), with every MVAU's cycles as FINN computes
 *     them (MH/PE x MW/SIMD x vectors) and the SWG's from FINN's formula;
 *   - the resource model on hand-computed cases: RAMB18 aspect ratios, an
 *     XNOR MVAU's LUTs, a DSP multiply, a FIFO, a DWC;
 *   - latency is the sum of the layers' latencies. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow.h"
#include "frontend.h"
#include "streamline.h"

static void build_model(const char *model, const char *config, Graph **g, Dataflow *df)
{
    char path[512], cfg_path[512];
    snprintf(path, sizeof path, "%s/models/%s/model.onnx", TESTS_DIR, model);
    snprintf(cfg_path, sizeof cfg_path, "%s/../configs/%s.yaml", TESTS_DIR, config);
    Diag d;
    diag_init(&d);
    BuildConfig cfg;
    ck_assert_msg(config_load(&cfg, cfg_path, &d), "%s", d.msg);
    *g = frontend_load(path, &d);
    ck_assert_msg(*g, "%s", d.msg);
    ck_assert_msg(streamline_graph(*g, true, &d), "%s", d.msg);
    ck_assert_msg(dataflow_build(*g, &cfg, df, &d), "%s", d.msg);
    config_free(&cfg);
}

START_TEST(test_cnv_w1a1_finn_folding)
{
    Graph *g;
    Dataflow df;
    build_model("CNV_1W1A_RANDOM", "CNV_1W1A", &g, &df);
    static const int64_t mvau_cycles[] = { 32400, 28224, 20736, 28800, 20736,
                                           18432, 32768, 32768, 1024 };
    for (int m = 0; m < 9; m++)
        ck_assert_int_eq(df.layers[dataflow_mvau_layer(&df, m)].cycles, mvau_cycles[m]);
    /* FINN's ConvolutionInputGenerator: IFMDim*k*C/SIMD + OFMDim*max(OFMDim*k*k*C/SIMD,
     * stride*IFMDim*C/SIMD): 32*3*1 + 30*max(270, 32) */
    ck_assert_int_eq(df.layers[dataflow_find_layer(&df, "/conv_features.1/Conv:swg")].cycles,
                     8196);
    ck_assert_int_eq(df.bottleneck_cycles, 32768);
    ck_assert_str_eq(df.layers[df.bottleneck].name, "/linear_features.0/MatMul");
    ck_assert(fabs(df.fps - 3051.7578125) < 1e-9);
    int64_t latency = 0;
    for (int k = 0; k < df.n_layers; k++)
        latency += df.layers[k].latency;
    ck_assert_int_eq(df.latency_cycles, latency);
    ck_assert_int_eq(df.total_dsp, 0);   /* 1-bit weights: no multiplies */
    ck_assert_int_eq(df.total_weight_bits, 1542848);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_tfc_w1a1_finn_folding)
{
    Graph *g;
    Dataflow df;
    build_model("TFC_1W1A", "TFC_1W1A", &g, &df);
    static const int64_t mvau_cycles[] = { 64, 64, 64, 8 };
    for (int m = 0; m < 4; m++)
        ck_assert_int_eq(df.layers[dataflow_mvau_layer(&df, m)].cycles, mvau_cycles[m]);
    ck_assert_int_eq(df.bottleneck_cycles, 64);
    ck_assert_str_eq(df.layers[df.bottleneck].name, "MatMul_16");
    ck_assert(fabs(df.fps - 1562500.0) < 1e-6);
    /* the first MVAU by hand: 16 PE x (49 XNOR + 97 adder + 10 acc + 10 threshold LUTRAM +
     * 10 comparator) x 1.1 + 300, plus 16 x 49 LUTs of weight LUTRAM (64 deep) */
    const Layer *l = &df.layers[0];
    ck_assert_int_eq(l->luts, 300 + 3098 + 784);
    ck_assert_int_eq(l->bram18, 0);
    ck_assert_int_eq(l->weight_bits, 784 * 64);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

START_TEST(test_all_configs_build)
{
    static const char *const models[][2] = {
        { "TFC_1W2A", "TFC_1W2A" }, { "TFC_2W2A", "TFC_2W2A" },
        { "UNSW_MLP_W2A2", "UNSW_MLP_W2A2" }, { "CNV_1W2A_RANDOM", "CNV_1W2A" },
        { "CNV_2W2A_RANDOM", "CNV_2W2A" },
    };
    static const int64_t bottleneck[] = { 64, 64, 64, 32768, 32768 };
    for (int k = 0; k < 5; k++) {
        Graph *g;
        Dataflow df;
        build_model(models[k][0], models[k][1], &g, &df);
        ck_assert_int_eq(df.bottleneck_cycles, bottleneck[k]);
        for (int j = 0; j < df.n_layers; j++)
            ck_assert(!df.layers[j].target_missed);
        dataflow_free(&df);
        graph_free(g);
    }
}
END_TEST

START_TEST(test_bram18)
{
    ck_assert_int_eq(bram18_for(0, 8), 0);
    ck_assert_int_eq(bram18_for(16384, 1), 1);
    ck_assert_int_eq(bram18_for(16385, 1), 2);
    ck_assert_int_eq(bram18_for(1024, 18), 1);
    ck_assert_int_eq(bram18_for(1025, 18), 2);
    ck_assert_int_eq(bram18_for(512, 36), 1);
    ck_assert_int_eq(bram18_for(512, 64), 2);   /* 2 x (512 x 36) */
    ck_assert_int_eq(bram18_for(2048, 32), 4);  /* 4 x (1024 x 18)... or 4 x (512 x 36) */
    ck_assert_int_eq(bram18_for(4608, 1), 1);
}
END_TEST

START_TEST(test_layer_models)
{
    /* an 8-bit x 8-bit MVAU: one DSP per lane */
    Layer l;
    memset(&l, 0, sizeof l);
    l.kind = LAYER_MVAU;
    l.mh = 64;
    l.mw = 256;
    l.vectors = 4;
    l.pe = 4;
    l.simd = 8;
    l.wdt = qc_dtype_int(8);
    l.in.dt = qc_dtype_int(8);
    l.acc_dt = qc_dtype_int(24);
    LayerEstimate e = estimate_layer(&l);
    ck_assert_int_eq(e.cycles, 16 * 32 * 4);
    ck_assert_int_eq(e.dsp, 32);
    /* weights: 512 deep x 64 bits per PE -> 2 RAMB18 each */
    ck_assert_int_eq(e.bram18, 8);
    ck_assert_int_eq(e.weight_bits, 64 * 256 * 8);
    /* per PE: adder 16 x 15, accumulator 24, no multiplier LUTs */
    ck_assert_int_eq(e.luts, 300 + (int64_t)llround(1.1 * 4 * (16 * 15 + 24)));
    /* a 4-bit x 8-bit one stays in LUTs (FINN-R): 8 x (2 x 2 - 1) x 12 per PE */
    l.wdt = qc_dtype_int(4);
    e = estimate_layer(&l);
    ck_assert_int_eq(e.dsp, 0);
    ck_assert_int_eq(e.luts, 300 + (int64_t)llround(1.1 * 4 * (8 * 3 * 12 + 12 * 15 + 24)) +
                                 0);

    /* a FIFO of 32 x 16 bits in shift registers; of 1024 x 16 in BRAM */
    Layer f;
    memset(&f, 0, sizeof f);
    f.kind = LAYER_FIFO;
    f.depth = 32;
    f.in.bits = f.out.bits = 16;
    f.in.beats = 100;
    e = estimate_layer(&f);
    ck_assert_int_eq(e.cycles, 100);
    ck_assert_int_eq(e.latency, 2);
    ck_assert_int_eq(e.luts, 2 * 5 + 1 * 8);
    f.depth = 1024;
    e = estimate_layer(&f);
    ck_assert_int_eq(e.bram18, 1);

    /* a DWC 16 -> 8 bits: max of the beat counts */
    Layer w;
    memset(&w, 0, sizeof w);
    w.kind = LAYER_DWC;
    w.in.bits = 16;
    w.out.bits = 8;
    w.in.beats = 4;
    w.out.beats = 8;
    e = estimate_layer(&w);
    ck_assert_int_eq(e.cycles, 8);
    ck_assert_int_eq(e.luts, 1 + 16);

    /* a 2x2 max pool over 28x28x64 with PE 32: (784 + 196) x 2 */
    Layer p;
    memset(&p, 0, sizeof p);
    p.kind = LAYER_MAXPOOL;
    p.channels = 64;
    p.in_h = p.in_w = 28;
    p.out_h = p.out_w = 14;
    p.k_h = p.k_w = p.stride_h = p.stride_w = 2;
    p.pe = 32;
    p.in.dt = qc_dtype_bipolar();
    ck_assert_int_eq(layer_cycles(&p), 1960);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("estimate");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_cnv_w1a1_finn_folding);
    tcase_add_test(tc, test_tfc_w1a1_finn_folding);
    tcase_add_test(tc, test_all_configs_build);
    tcase_add_test(tc, test_bram18);
    tcase_add_test(tc, test_layer_models);
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
