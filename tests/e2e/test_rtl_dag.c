/* The rtl target on dataflow DAGs (rtl/emit_rtl_top.c, rtl/rtl_streams.c):
 * FORK -> qnn_fork, JOIN -> qnn_add, VVAU -> qnn_vvau after qnn_swg,
 * a global POOL -> qnn_pool on the image, each input wired to the output
 * port of the layer it reads.
 *
 *   - every shared DAG model (ResNet-W2A2, MobileNet-W4A4, ResNet-20) at
 *     its config's folding: verilator --lint-only -Wall says nothing, the
 *     top has one instance per layer of the DAG's kinds and a second
 *     stream per FORK;
 *   - what the rtl target refuses, on ResNet-W2A2's dataflow changed in
 *     place: a windowed POOL (qnn_pool would need a qnn_swg in front) and
 *     a stream read by two layers; the error names the layer;
 *   - MobileNet-W4A4 (the smallest; VVAU and POOL) simulated on 2 frames
 *     by `qonnxc verify --target rtl`: equal to golden and the int engine.
 *     ResNet-W2A2's and ResNet-20's simulations (FORK and JOIN) take
 *     minutes to build and run in bench/bench_rtl.sh, not here.
 *
 * Runtime: one Verilator build (1-2 min), three lints. Under
 * AddressSanitizer the simulation is skipped as in test_rtl_target. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "dataflow.h"
#include "e2e_util.h"
#include "emit_rtl.h"
#include "frontend.h"
#include "model_data.h"
#include "streamline.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* configs/<model>.yaml without "_RANDOM". */
static const char *config_of(const char *model, char *buf, size_t size)
{
    char stem[64];
    snprintf(stem, sizeof stem, "%s", model);
    char *r = strstr(stem, "_RANDOM");
    if (r)
        *r = '\0';
    snprintf(buf, size, "%s/../configs/%s.yaml", TESTS_DIR, stem);
    return buf;
}

static const struct {
    const char *model;
    int forks, joins, vvaus, pools;   /* the DAG's layers (test_dataflow_dag) */
} dag_cases[] = {
    { "RESNET_W2A2_RANDOM", 3, 3, 0, 1 },
    { "MOBILENET_W4A4_RANDOM", 0, 0, 4, 1 },
    { "RESNET20_W4A4_RANDOM", 9, 9, 0, 1 },
};

/* How many lines of `file` match the extended regular expression. */
static int count_lines(const char *file, const char *regex)
{
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "grep -Ec '%s' '%s'", regex, file);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

START_TEST(lint_every_dag_model)
{
    const char *model = dag_cases[_i].model;
    char dir[4096], cfg[4096], mdir[4096], top[4200];
    if (!shared_model_present(model))
        return;
    ck_assert(shared_model_dir(model, mdir, sizeof mdir));
    scratch_dir(dir, sizeof dir, "rtl-dag");
    ck_assert_int_eq(shell("'%s' build '%s/model.onnx' -c '%s' --target rtl -o '%s/build' "
                           "> '%s/build.log' 2>&1", QONNXC_BIN, mdir,
                           config_of(model, cfg, sizeof cfg), dir, dir), 0);
    ck_assert_int_eq(shell("make -s -C '%s/build/rtl' lint > '%s/lint.log' 2>&1", dir, dir), 0);
    ck_assert_msg(shell("test ! -s '%s/lint.log'", dir) == 0, "%s: verilator lint warnings",
                  model);
    ck_assert_int_eq(shell("ls '%s'/build/rtl/*_top.v > /dev/null", dir), 0);
    ck_assert_int_eq(shell("cp '%s'/build/rtl/*_top.v '%s/top.v'", dir, dir), 0);
    snprintf(top, sizeof top, "%s/top.v", dir);
    ck_assert_int_eq(count_lines(top, "^qnn_fork #"), dag_cases[_i].forks);
    ck_assert_int_eq(count_lines(top, "^qnn_add #"), dag_cases[_i].joins);
    ck_assert_int_eq(count_lines(top, "^qnn_vvau #"), dag_cases[_i].vvaus);
    ck_assert_int_eq(count_lines(top, "^qnn_pool #"), dag_cases[_i].pools);
    /* a FORK's second output is a stream of its own, read by one layer */
    ck_assert_int_eq(count_lines(top, "^wire st[0-9]+_1_tvalid"), dag_cases[_i].forks);
    ck_assert_int_eq(count_lines(top, "\\.m1_axis_tdata\\(st[0-9]+_1_tdata\\)"),
                     dag_cases[_i].forks);
    ck_assert_int_eq(count_lines(top, "\\.s[01]?_axis_tdata\\(st[0-9]+_1_tdata\\)"),
                     dag_cases[_i].forks);
    shell("rm -rf '%s'", dir);
}
END_TEST

/* emit_rtl on df: false, with a message holding `layer` and `what` */
static void expect_refusal(const Dataflow *df, const char *layer, const char *what)
{
    OutTree out;
    Diag d;
    outtree_init(&out);
    diag_init(&d);
    ck_assert(!emit_rtl(df, df->path, "m", &out, &d));
    ck_assert_msg(strstr(d.msg, layer) && strstr(d.msg, what), "message: %s", d.msg);
    outtree_free(&out);
}

START_TEST(refusals_name_the_layer)
{
    const char *model = "RESNET_W2A2_RANDOM";
    char path[4096], cfgp[4096];
    if (!shared_model_present(model))
        return;
    Diag d;
    diag_init(&d);
    BuildConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    ck_assert_msg(config_load(&cfg, config_of(model, cfgp, sizeof cfgp), &d), "%s", d.msg);
    Graph *g = frontend_load(shared_model_path(path, sizeof path, model, "model.onnx"), &d);
    ck_assert_msg(g && streamline_graph(g, true, &d), "%s", d.msg);
    Dataflow df;
    ck_assert_msg(dataflow_build(g, &cfg, &df, &d), "%s", d.msg);

    int pool = -1, join = -1;
    for (int k = 0; k < df.n_layers; k++) {
        if (df.layers[k].kind == LAYER_POOL)
            pool = k;
        if (df.layers[k].kind == LAYER_JOIN && join < 0)
            join = k;
    }
    ck_assert(pool >= 0 && join >= 0);
    /* the global pool over 8x8 made a 2x2 window with stride 2 */
    Layer *p = &df.layers[pool];
    Layer saved = *p;
    p->k_h = p->k_w = p->stride_h = p->stride_w = 2;
    p->out_h = p->in_h / 2;
    p->out_w = p->in_w / 2;
    expect_refusal(&df, p->name, "only global pools are supported");
    *p = saved;
    /* the first join's operand B reading operand A's stream too */
    Layer *j = &df.layers[join];
    j->src[1] = j->src[0];
    j->src_port[1] = j->src_port[0];
    expect_refusal(&df, j->name, "only a FORK duplicates a stream");

    dataflow_free(&df);
    graph_free(g);
    config_free(&cfg);
}
END_TEST

/* MobileNet-W4A4, 2 frames of inputs.npy, through the simulation */
START_TEST(mobilenet_simulation_exact)
{
    const char *model = "MOBILENET_W4A4_RANDOM";
    char dir[4096], cfg[4096], mdir[4096];
    if (SANITIZED || !shared_model_present(model))
        return;
    ck_assert(shared_model_dir(model, mdir, sizeof mdir));
    scratch_dir(dir, sizeof dir, "rtl-dag");
    ck_assert_int_eq(shell("'%s' verify '%s/model.onnx' -c '%s' --target rtl --frames 2 "
                           "> '%s/verify.txt' 2>&1", QONNXC_BIN, mdir,
                           config_of(model, cfg, sizeof cfg), dir), 0);
    ck_assert_msg(shell("grep -Eq '^rtl +2 +2/2 .* exact$' '%s/verify.txt'", dir) == 0,
                  "MobileNet-W4A4: the rtl simulation is not exact (see %s/verify.txt)", dir);
    shell("rm -rf '%s'", dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rtl_dag");
    TCase *tc = tcase_create("rtl_dag");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, lint_every_dag_model, 0,
                        (int)(sizeof dag_cases / sizeof dag_cases[0]));
    tcase_add_test(tc, refusals_name_the_layer);
    tcase_add_test(tc, mobilenet_simulation_exact);
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
