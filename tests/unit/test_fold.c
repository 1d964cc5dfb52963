/* Folding (ir/fold.c, ir/fold_auto.c) on the real CNV-W1A1 and TFC-W1A1:
 *
 *   - every folding rule fails with an error naming the layer, the rule
 *     and the config line that set the folding; config entries that name
 *     no layer fail naming the config line;
 *   - automatic folding for 1,000 / 10,000 / 100,000 fps at 100 MHz: the
 *     weight stream cap holds, the target is met whenever no layer is
 *     marked as missing it, the misses are the layers that cannot reach
 *     it; and the table of docs/dataflow.md ("Automatic folding") is
 *     generated here: the test fails when the doc's copy differs, and
 *     writes the new table to BUILD_DIR/dataflow_autofold_table.md. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow.h"
#include "emit_util.h"
#include "frontend.h"
#include "streamline.h"

static Graph *load(const char *model)
{
    char path[512];
    snprintf(path, sizeof path, "%s/models/%s/model.onnx", TESTS_DIR, model);
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(path, &d);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert_msg(streamline_graph(g, true, &d), "%s", d.msg);
    return g;
}

/* Builds with the config text; returns whether it worked, d filled. */
static bool build_with(Graph *g, const char *text, Dataflow *df, Diag *d)
{
    BuildConfig cfg;
    diag_init(d);
    ck_assert_msg(config_parse(&cfg, text, strlen(text), "c.yaml", d), "%s", d->msg);
    bool ok = dataflow_build(g, &cfg, df, d);
    config_free(&cfg);
    return ok;
}

static const struct {
    const char *config;
    const char *words[3];
} rule_errors[] = {
    { "folding:\n  - {mvau: 0, pe: 7, simd: 3}\n",
      { "layer '/conv_features.1/Conv' (MVAU)", "PE 7 does not divide MH 64 (rule: MH % PE == 0)",
        "(folding set at c.yaml:2)" } },
    { "folding:\n  - {mvau: 6, pe: 1, simd: 3}\n",
      { "layer '/linear_features.0/MatMul' (MVAU)",
        "SIMD 3 does not divide MW 256 (rule: MW % SIMD == 0)", "c.yaml:2" } },
    { "folding:\n  - {mvau: 1, pe: 1, simd: 576}\n",
      { "layer '/conv_features.4/Conv:swg' (SWG)",
        "SIMD 576 does not divide its 64 channels (rule: C % SIMD == 0 for a SWG)", "" } },
    { "folding:\n  - {mvau: 1, pe: 1, simd: 32}\n  - {layer: \"/conv_features.4/Conv:swg\", simd: 16}\n",
      { "layer '/conv_features.4/Conv:swg' (SWG)",
        "SIMD 16 differs from SIMD 32 of its MVAU '/conv_features.4/Conv' (rule: a SWG's SIMD "
        "equals its MVAU's SIMD)", "c.yaml:3" } },
    { "folding:\n  - {layer: \"/conv_features.7/MaxPool\", pe: 5}\n",
      { "layer '/conv_features.7/MaxPool' (MaxPool)",
        "PE 5 does not divide its 64 channels (rule: C % PE == 0 for a MaxPool)", "c.yaml:2" } },
    { "labels: 1\nfolding:\n  - {layer: labelselect, pe: 3}\n",
      { "layer 'labelselect' (LabelSelect)",
        "PE 3 does not divide its 10 channels (rule: C % PE == 0 for a LabelSelect)",
        "c.yaml:3" } },
    { "folding:\n  - {mvau: 0, pe: 1}\n  - {layer: nothere, pe: 2}\n",
      { "c.yaml:3: no layer named 'nothere'", "", "" } },
    { "folding:\n  - {mvau: 9, pe: 1}\n", { "c.yaml:2: mvau: 9, but", "has 9 MVAUs", "" } },
    { "folding:\n  - {layer: \"/conv_features.7/MaxPool\", pe: 2, simd: 4}\n",
      { "c.yaml:2: layer '/conv_features.7/MaxPool' (MaxPool)", "not different pe and simd",
        "" } },
};

START_TEST(test_rule_errors)
{
    Graph *g = load("CNV_1W1A_RANDOM");
    for (size_t k = 0; k < sizeof rule_errors / sizeof rule_errors[0]; k++) {
        Dataflow df;
        Diag d;
        ck_assert_msg(!build_with(g, rule_errors[k].config, &df, &d), "accepted %s",
                      rule_errors[k].config);
        for (int w = 0; w < 3; w++)
            ck_assert_msg(strstr(d.msg, rule_errors[k].words[w]), "'%s' lacks '%s'", d.msg,
                          rule_errors[k].words[w]);
        ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    }
    graph_free(g);
}
END_TEST

START_TEST(test_defaults_follow_the_stream)
{
    /* without a config: MVAUs 1 x 1, pools and SWGs as their neighbours */
    Graph *g = load("CNV_1W1A_RANDOM");
    Dataflow df;
    Diag d;
    ck_assert_msg(build_with(g, "", &df, &d), "%s", d.msg);
    for (int k = 0; k < df.n_layers; k++) {
        const Layer *l = &df.layers[k];
        if (l->kind == LAYER_MVAU || l->kind == LAYER_SWG || l->kind == LAYER_MAXPOOL) {
            ck_assert_int_eq(l->pe, 1);
            ck_assert_int_eq(l->simd, 1);
        }
        ck_assert_int_ne(l->kind, LAYER_DWC);
        ck_assert(!l->target_missed);
    }
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

/* ---- automatic folding ------------------------------------------------------- */

static const struct {
    const char *model, *title;
} auto_models[] = { { "CNV_1W1A_RANDOM", "CNV-W1A1" }, { "TFC_1W1A", "TFC-W1A1" } };
static const double targets[] = { 1000, 10000, 100000 };

static void check_auto(const Dataflow *df, double target, TextBuf *table, const char *title)
{
    int missed = 0;
    char names[1024] = "";
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        if (l->kind == LAYER_MVAU) {
            int64_t wbits = l->xnor ? 1 : l->wdt.bits;
            ck_assert_int_le(l->pe * l->simd * wbits, 8192);
        }
        if (l->target_missed) {
            ck_assert_int_gt(l->cycles, (int64_t)(100e6 / target));
            size_t len = strlen(names);
            snprintf(names + len, sizeof names - len, "%s`%s`", missed ? ", " : "", l->name);
            missed++;
        } else if (l->kind != LAYER_FIFO && l->kind != LAYER_DWC)
            ck_assert_int_le(l->cycles, (int64_t)(100e6 / target));
    }
    if (!missed)
        ck_assert(df->fps >= target);
    tb_printf(table, "| %s | %.0f | %.2f | `%s` | %lld | %lld | %lld | %s |\n", title, target,
              df->fps, df->layers[df->bottleneck].name, (long long)df->bottleneck_cycles,
              (long long)df->total_luts, (long long)df->total_bram18, missed ? names : "none");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

START_TEST(test_auto_folding_table)
{
    TextBuf table;
    tb_init(&table);
    tb_puts(&table, "| model | target fps | estimated fps | bottleneck | cycles | LUTs | BRAM18 | "
                    "layers that cannot reach the target |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t m = 0; m < sizeof auto_models / sizeof auto_models[0]; m++) {
        Graph *g = load(auto_models[m].model);
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            char text[128];
            snprintf(text, sizeof text, "clock_mhz: 100\ntarget_fps: %.0f\n", targets[t]);
            Dataflow df;
            Diag d;
            ck_assert_msg(build_with(g, text, &df, &d), "%s", d.msg);
            check_auto(&df, targets[t], &table, auto_models[m].title);
            /* TFC at 1,000 fps needs no parallelism at all */
            if (t == 0 && m == 1)
                for (int k = 0; k < df.n_layers; k++)
                    if (df.layers[k].kind == LAYER_MVAU)
                        ck_assert_int_eq(df.layers[k].pe * df.layers[k].simd, 1);
            /* CNV at 100,000 fps: the first SWG cannot go faster than 8,196 cycles */
            if (t == 2 && m == 0)
                ck_assert(df.layers[dataflow_find_layer(&df, "/conv_features.1/Conv:swg")]
                              .target_missed);
            dataflow_free(&df);
        }
        graph_free(g);
    }
    printf("%s", tb_str(&table));
    char path[512];
    snprintf(path, sizeof path, "%s/../docs/dataflow.md", TESTS_DIR);
    char *doc = slurp(path);
    bool in_doc = doc && strstr(doc, tb_str(&table));
    if (!in_doc) {
        char out[512];
        snprintf(out, sizeof out, "%s/dataflow_autofold_table.md", BUILD_DIR);
        FILE *f = fopen(out, "w");
        if (f) {
            fputs(tb_str(&table), f);
            fclose(f);
        }
        ck_abort_msg("docs/dataflow.md does not hold the current auto-folding table; the new "
                     "one is in %s", out);
    }
    free(doc);
    tb_free(&table);
}
END_TEST

START_TEST(test_cap_limits_auto_folding)
{
    /* with a 32-bit weight stream TFC's first layer cannot reach 100,000 fps */
    Graph *g = load("TFC_1W1A");
    Dataflow df;
    Diag d;
    ck_assert_msg(build_with(g, "target_fps: 100000\nmax_weight_stream_bits: 32\n", &df, &d),
                  "%s", d.msg);
    const Layer *l = &df.layers[0];
    ck_assert_int_eq(l->kind, LAYER_MVAU);
    ck_assert_int_le(l->pe * l->simd, 32);
    ck_assert(l->target_missed);
    dataflow_free(&df);
    graph_free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fold");
    TCase *tc = tcase_create("fold");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_rule_errors);
    tcase_add_test(tc, test_defaults_follow_the_stream);
    tcase_add_test(tc, test_auto_folding_table);
    tcase_add_test(tc, test_cap_limits_auto_folding);
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
