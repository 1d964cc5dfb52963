/* The bottleneck in the estimates reports (src/report_estimates.h): the
 * text table `qonnxc report` prints and the Graphviz drawing; and how the
 * drawing shows FIFOs and width converters.
 *
 * The frame rate is set by the slowest layer; when several layers tie,
 * each of them is the bottleneck (folding only one of them gains nothing),
 * so the table marks and the drawing fills every one of them.
 *
 * TFC-W1A1 at FINN's folding (configs/TFC_1W1A.yaml) is such a network:
 * MVAU 0 takes 64/16 x 784/49 = 64 cycles per frame, MVAUs 1 and 2
 * 64/8 x 64/8 = 64 as well, MVAU 3 10/10 x 64/8 = 8. At the default
 * folding (PE = SIMD = 1) MVAU 0, 64 x 784 = 50,176 cycles, is alone. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow.h"
#include "frontend.h"
#include "model_data.h"
#include "report_estimates.h"
#include "streamline.h"

/* The table and the drawing of `model` at `config` (NULL: the default
 * folding), appended to table and dot. */
static void model_reports(const char *model, const char *config, TextBuf *table, TextBuf *dot)
{
    char path[512];
    Diag d;
    diag_init(&d);
    model_path(path, sizeof path, model, "model.onnx");
    Graph *g = frontend_load(path, &d);
    ck_assert_msg(g && streamline_graph(g, true, &d), "%s", d.msg);
    BuildConfig cfg;
    config_defaults(&cfg);
    if (config)
        ck_assert_msg(config_load(&cfg, config, &d), "%s", d.msg);
    Dataflow df;
    memset(&df, 0, sizeof df);
    ck_assert_msg(dataflow_build(g, &cfg, &df, &d), "%s", d.msg);
    estimates_table(&df, table);
    dataflow_dot(&df, dot);
    dataflow_free(&df);
    config_free(&cfg);
    graph_free(g);
}

static void reports(const char *config, TextBuf *table, TextBuf *dot)
{
    model_reports("TFC_1W1A", config, table, dot);
}

/* The line of text holding `what` (the first), copied into line. */
static const char *line_with(const char *text, const char *what, char *line, size_t size)
{
    const char *at = strstr(text, what);
    ck_assert_msg(at != NULL, "no '%s' in:\n%s", what, text);
    const char *start = at, *end = strchr(at, '\n');
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(line, size, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
    return line;
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

#define FILL "fillcolor=\"#f4a0a0\""

START_TEST(tied_layers_are_all_bottlenecks)
{
    TextBuf table, dot;
    tb_init(&table);
    tb_init(&dot);
    reports(TESTS_DIR "/../configs/TFC_1W1A.yaml", &table, &dot);
    const char *t = tb_str(&table), *g = tb_str(&dot);
    char line[512];
    ck_assert_int_eq(count(t, "<- bottleneck"), 3);
    static const char *const tied[] = { " MatMul_16 ", " MatMul_24 ", " MatMul_32 " };
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(line_with(t, tied[k], line, sizeof line), "<- bottleneck"),
                      "not marked: %s", line);
    ck_assert_ptr_null(strstr(line_with(t, " MatMul_40 ", line, sizeof line), "bottleneck"));
    ck_assert_ptr_nonnull(strstr(t, "bottleneck: MatMul_16, MatMul_24, MatMul_32 (tied), 64 "
                                    "cycles per frame"));
    /* the drawing: a node's label starts with the layer's name */
    ck_assert_int_eq(count(g, FILL), 3);
    static const char *const labels[] = { "label=\"MatMul_16\\n", "label=\"MatMul_24\\n",
                                          "label=\"MatMul_32\\n" };
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(line_with(g, labels[k], line, sizeof line), FILL), "not filled: %s",
                      line);
    tb_free(&table);
    tb_free(&dot);
}
END_TEST

START_TEST(a_single_bottleneck)
{
    TextBuf table, dot;
    tb_init(&table);
    tb_init(&dot);
    reports(NULL, &table, &dot);
    const char *t = tb_str(&table);
    char line[512];
    ck_assert_int_eq(count(t, "<- bottleneck"), 1);
    ck_assert_ptr_nonnull(strstr(line_with(t, " MatMul_16 ", line, sizeof line), "50176"));
    ck_assert_ptr_nonnull(strstr(line, "<- bottleneck"));
    ck_assert_ptr_nonnull(strstr(t, "bottleneck: MatMul_16, 50176 cycles per frame"));
    ck_assert_int_eq(count(tb_str(&dot), FILL), 1);
    tb_free(&table);
    tb_free(&dot);
}
END_TEST

/* The drawing reads left to right; FIFOs and width converters are not
 * boxes but the labels of the edges between compute layers (depth x beat
 * width, bits in -> out), nearest the producer first. TFC-W1A1: MVAU 0
 * writes 16-bit beats (PE 16), MVAU 1 reads 8-bit ones (SIMD 8), so a DWC
 * sits between two depth-32 FIFOs there. */
START_TEST(buffers_are_edge_labels)
{
    TextBuf table, dot;
    tb_init(&table);
    tb_init(&dot);
    reports(TESTS_DIR "/../configs/TFC_1W1A.yaml", &table, &dot);
    const char *g = tb_str(&dot);
    char line[512];
    ck_assert_ptr_nonnull(strstr(g, "rankdir=LR;"));
    ck_assert_ptr_nonnull(strstr(g, "legend [shape=plaintext"));
    ck_assert_ptr_nonnull(strstr(g, "64 cycles per frame"));
    /* four compute layers, five edges (host in, three between, host out) */
    ck_assert_int_eq(count(g, "MVAU  PE"), 4);
    ck_assert_int_eq(count(g, " -> L") + count(g, " -> host_out"), 5);
    /* a box per compute layer only: no box named after a FIFO (fifo_<n>) or DWC */
    ck_assert_int_eq(count(g, " DSP\""), 4);
    ck_assert_ptr_null(strstr(g, "fifo_"));
    ck_assert_ptr_null(strstr(g, "dwc_"));
    line_with(g, "FIFO 32 x 16 b\\nDWC 16 -> 8 b\\nFIFO 32 x 8 b", line, sizeof line);
    ck_assert_msg(strstr(line, "L0 -> L4 ") == line + 2, "not the edge MVAU 0 -> 1: %s", line);
    ck_assert_ptr_nonnull(strstr(line_with(g, "label=\"MatMul_24\\n", line, sizeof line),
                                 "MVAU  PE 8  SIMD 8\\nBIPOLAR -> BIPOLAR\\n64 cycles "
                                 "(bottleneck)\\n751 LUT  0 BRAM18  0 DSP"));
    /* four boxes in one row: no wrapping */
    ck_assert_ptr_null(strstr(g, "rank=same"));
    tb_free(&table);
    tb_free(&dot);
}
END_TEST

/* CNV-W1A1 has 17 compute layers: drawn in rows of 6 (6, 6, 5), the
 * first boxes of the rows in one column, the edges that wrap to the next
 * row not setting columns; every edge is still drawn (18 with the host's). */
START_TEST(long_chains_wrap_into_rows)
{
    TextBuf table, dot;
    tb_init(&table);
    tb_init(&dot);
    model_reports("CNV_1W1A_RANDOM", TESTS_DIR "/../configs/CNV_1W1A.yaml", &table, &dot);
    const char *g = tb_str(&dot);
    ck_assert_int_eq(count(g, " DSP\""), 17);
    ck_assert_int_eq(count(g, "{ rank=same;"), 6);
    ck_assert_int_eq(count(g, " -> L") + count(g, " -> host_out"), 18);
    ck_assert_int_eq(count(g, "constraint=false"), 2);
    /* the bottleneck: the two tied fully connected layers */
    ck_assert_int_eq(count(g, FILL), 2);
    tb_free(&table);
    tb_free(&dot);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_estimates");
    TCase *tc = tcase_create("bottleneck");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tied_layers_are_all_bottlenecks);
    tcase_add_test(tc, a_single_bottleneck);
    tcase_add_test(tc, buffers_are_edge_labels);
    tcase_add_test(tc, long_chains_wrap_into_rows);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
