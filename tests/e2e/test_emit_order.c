/* A target's files do not depend on which other targets were built with it.
 *
 * Emitters take the graph const; the names they print are made once, by
 * the naming step (src/emit/emit_names.h), before any of them runs. Before
 * that step the ref emitter rewrote node and tensor names in place, the hls
 * emitter did a weaker rewrite of its own ('*' '/' only) and the rtl
 * emitter none, and nothing rewrote the dataflow graph's layer names. On
 * the awkward model below this test then failed: hls/host.c and rtl/host.c
 * built alone differed from the same files built after ref (alone, the
 * OutputAffine node's name kept its trigraph, and in rtl its comment end),
 * and in every order hls and rtl printed the layer names with a comment end
 * or a newline in them as they are, the newline ending rtl's `//` comment.
 *
 * Each target T built alone must give the same files under T/, byte for
 * byte, as T built with every other target:
 *
 *   TFC_1W1A, CNV_1W1A_RANDOM   the vendored models with their configs/:
 *                               `qonnxc build --target all` against
 *                               `qonnxc build --target T`
 *   awkward                     a small integer graph whose node and tensor
 *                               names would end a comment ('*' '/'), form a
 *                               trigraph ('??/', '??(') or break a line,
 *                               emitted in process (the CLI takes QONNX,
 *                               not integer graphs) the way build does it
 *
 * and no file of the awkward build carries a name as the model spells it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dataflow.h"
#include "e2e_util.h"
#include "emit_hls.h"
#include "emit_mcu.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "emit_util.h"
#include "onnx_builder.h"
#include "run_cli.h"

#define IN(...) (const char *[]){ __VA_ARGS__ }
#define DIMS(...) (int64_t[]){ __VA_ARGS__ }

static const char *const targets[] = { "ref", "hls", "rtl", "mcu", "npu" };
#define N_TARGETS (sizeof targets / sizeof targets[0])

/* ---- the awkward model ---------------------------------------------------- */

/* BIPOLAR weights [rows, cols]: +1 and -1 in a fixed pattern. */
static void bipolar_weights(OnnxBuilder *b, const char *name, int64_t rows, int64_t cols)
{
    int64_t *v = malloc((size_t)(rows * cols) * sizeof *v);
    for (int64_t k = 0; k < rows * cols; k++)
        v[k] = k * 7 % 3 == 0 ? 1 : -1;
    ob_init_i64(b, name, 2, (int64_t[]){ rows, cols }, v);
    free(v);
}

static ObNode *q(OnnxBuilder *b, const char *op, const char *name, int n_in, const char *const *in,
                 const char *out)
{
    return ob_node(b, op, "qonnxc", name, n_in, in, 1, (const char *[]){ out });
}

/* InputQuant (bipolar) -> XNOR IntMatMul + MultiThreshold -> XNOR IntMatMul
 * -> OutputAffine, every name awkward. An integer graph (docs/integer-
 * graph.md), which the library takes as it is; the CLI takes QONNX. */
static OnnxBuilder *awkward(void)
{
    OnnxBuilder *b = ob_new("awkward");
    ob_opset(b, "qonnxc", 1);
    ob_input(b, "x */ y", ET_FLOAT, 2, DIMS(1, 16));
    ob_attr_string(q(b, "InputQuant", "float", 1, IN("x */ y"), "q?\?/"), "mode", "bipolar");
    ob_annotate(b, "q?\?/", "finn_datatype", "BIPOLAR");
    bipolar_weights(b, "w */ 1", 16, 8);
    ob_annotate(b, "w */ 1", "finn_datatype", "BIPOLAR");
    ob_attr_int(q(b, "IntMatMul", "fc */ 1", 2, IN("q?\?/", "w */ 1"), "a\n1"), "xnor", 1);
    ob_annotate(b, "a\n1", "finn_datatype", "UINT5");
    int64_t th[8];
    for (int k = 0; k < 8; k++)
        th[k] = 6 + k % 5;
    ob_init_i64(b, "t?\?(", 2, DIMS(8, 1), th);
    ObNode *mt = q(b, "MultiThreshold", "thr?\?(", 2, IN("a\n1", "t?\?("), "h\r1");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    ob_annotate(b, "h\r1", "finn_datatype", "BIPOLAR");
    bipolar_weights(b, "w2", 8, 4);
    ob_annotate(b, "w2", "finn_datatype", "BIPOLAR");
    ob_attr_int(q(b, "IntMatMul", "fc\n2", 2, IN("h\r1", "w2"), "y"), "xnor", 1);
    ob_annotate(b, "y", "finn_datatype", "UINT4");
    ob_init_f32(b, "A", 1, DIMS(1), (float[]){ 0.5f });
    ob_init_f32(b, "B", 1, DIMS(1), (float[]){ 0.0f });
    q(b, "OutputAffine", "int */ oa?\?/", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 4));
    return b;
}

/* Emits the targets of `want` (in the order of targets[], as `build`
 * does) from a fresh graph of b, the way `qonnxc build` does: cleanup,
 * dataflow graph, naming step, emitters. Returns the files below
 * targets[only]/ as text: "== PATH\n" and the contents, in emission order. */
static char *emit_in_process(const OnnxBuilder *b, const bool want[N_TARGETS], size_t only)
{
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL, "%s", d.msg);
    ck_assert_msg(cleanup_graph(g, true, &d), "%s", d.msg);
    Dataflow df;
    memset(&df, 0, sizeof df);
    ck_assert_msg(dataflow_build(g, NULL, &df, &d), "%s", d.msg);
    ck_assert_msg(emit_names(g, &df, &d), "%s", d.msg);
    OutTree tree;
    outtree_init(&tree);
    const char *model = "awkward.onnx", *name = "awkward";
    bool ok = true;
    ok = ok && (!want[0] || emit_ref(g, model, name, &tree, &d));
    ok = ok && (!want[1] || emit_hls(&df, model, name, &tree, &d));
    ok = ok && (!want[2] || emit_rtl(&df, model, name, &tree, &d));
    ok = ok && (!want[3] || emit_mcu(g, model, name, &tree, &d));
    ok = ok && (!want[4] || emit_npu(g, model, name, &tree, NULL, &d));
    ck_assert_msg(ok, "%s", d.msg);
    TextBuf t;
    tb_init(&t);
    size_t len = strlen(targets[only]);
    for (int k = 0; k < tree.n; k++)
        if (!strncmp(tree.files[k].path, targets[only], len) && tree.files[k].path[len] == '/') {
            tb_printf(&t, "== %s\n", tree.files[k].path);
            tb_write(&t, tree.files[k].text.data, tree.files[k].text.len);
        }
    ck_assert_msg(t.len > 0, "the %s target emitted nothing", targets[only]);
    char *s = strdup(tb_str(&t));
    tb_free(&t);
    outtree_free(&tree);
    dataflow_free(&df);
    graph_free(g);
    return s;
}

/* ---- building and comparing ---------------------------------------------- */

static void build(const char *model, const char *config, const char *out, const char *target)
{
    const char *args[] = { "build", model, "-c", config, "-o", out, "--target", target, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "qonnxc build %s --target %s exited %d:\n%s", model, target,
                  r.exit_code, r.err);
    cli_result_free(&r);
}

/* The "== PATH" header of the file in which a and b first differ. */
static const char *first_difference(const char *a, const char *b, char *path, size_t size)
{
    size_t k = 0;
    while (a[k] && a[k] == b[k])
        k++;
    const char *head = a;
    for (const char *p = a; p && p < a + k; p = strstr(p + 1, "== "))
        if (p == a || p[-1] == '\n')
            head = p;
    size_t len = strcspn(head, "\n");
    snprintf(path, size, "%.*s", (int)len, head);
    return path;
}

static char *tree_text(const char *root)
{
    TextBuf t;
    tb_init(&t);
    collect_tree(root, &t);
    char *s = strdup(tb_str(&t));
    tb_free(&t);
    return s;
}

/* Builds model with every target at once, then each alone; each alone must
 * equal its part of the whole. */
static void check_alone_equals_all(const char *tmp, const char *tag, const char *model,
                                    const char *config)
{
    char all[1024], alone[1024], dir[1100];
    snprintf(all, sizeof all, "%s/%s_all", tmp, tag);
    build(model, config, all, "all");
    for (size_t t = 0; t < N_TARGETS; t++) {
        snprintf(alone, sizeof alone, "%s/%s_%s", tmp, tag, targets[t]);
        build(model, config, alone, targets[t]);
        snprintf(dir, sizeof dir, "%s/%s", all, targets[t]);
        char *want = tree_text(dir);
        snprintf(dir, sizeof dir, "%s/%s", alone, targets[t]);
        char *got = tree_text(dir);
        char where[256];
        ck_assert_msg(!strcmp(want, got), "%s: --target %s alone differs from --target all, "
                      "first in %s", tag, targets[t], first_difference(want, got, where,
                                                                       sizeof where));
        free(want);
        free(got);
    }
}

START_TEST(vendored_models_alone_equal_all)
{
    static const struct {
        const char *dir, *config;
    } models[] = { { "TFC_1W1A", "TFC_1W1A.yaml" }, { "CNV_1W1A_RANDOM", "CNV_1W1A.yaml" } };
    char *tmp = make_temp_dir("emit_order");
    ck_assert_ptr_nonnull(tmp);
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char model[512], config[512];
        snprintf(model, sizeof model, "%s/models/%s/model.onnx", TESTS_DIR, models[i].dir);
        snprintf(config, sizeof config, "%s/../configs/%s", TESTS_DIR, models[i].config);
        check_alone_equals_all(tmp, models[i].dir, model, config);
    }
    rm_rf(tmp);
    free(tmp);
}
END_TEST

START_TEST(awkward_names_alone_equal_all)
{
    OnnxBuilder *b = awkward();
    const bool every[N_TARGETS] = { true, true, true, true, true };
    /* the names as the model spells them: a comment would end early ('*'
     * '/'), C99 would replace a trigraph, a newline would end a Verilog or
     * C line comment */
    static const char *const raw[] = { "x */ y", "q?\?/", "w */ 1", "fc */ 1", "a\n1", "t?\?(",
                                       "thr?\?(", "h\r1", "fc\n2",
                                       "int */ oa?\?/" };
    for (size_t t = 0; t < N_TARGETS; t++) {
        char *all = emit_in_process(b, every, t);
        bool one[N_TARGETS] = { false };
        one[t] = true;
        char *alone = emit_in_process(b, one, t);
        char where[256];
        ck_assert_msg(!strcmp(all, alone), "awkward: the %s target alone differs from all "
                      "targets together, first in %s", targets[t],
                      first_difference(all, alone, where, sizeof where));
        for (size_t k = 0; k < sizeof raw / sizeof raw[0]; k++)
            ck_assert_msg(strstr(all, raw[k]) == NULL, "a file of the %s target carries the "
                          "raw name '%s'", targets[t], raw[k]);
        free(all);
        free(alone);
    }
    /* and they appear in the form the naming step gives them: in the ref
     * target's comments, in rtl's layer comments (the dataflow graph's
     * layer names) and its host's (the integer graph's node names) */
    char *ref = emit_in_process(b, every, 0), *rtl = emit_in_process(b, every, 2);
    ck_assert_ptr_nonnull(strstr(ref, "/* fc *| 1: BIPOLAR weights 'w *| 1'"));
    ck_assert_ptr_nonnull(strstr(ref, "/* bits: 'q?_/' */"));
    ck_assert_ptr_nonnull(strstr(ref, "/* bits: 'h 1' */"));
    ck_assert_ptr_nonnull(strstr(rtl, "// layer 2: MVAU 'fc 2', "));
    ck_assert_ptr_nonnull(strstr(rtl, "/* int *| oa?_/: OutputAffine, "));
    free(ref);
    free(rtl);
    ob_free(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("emit_order");
    TCase *tc = tcase_create("order");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, awkward_names_alone_equal_all);
    tcase_add_test(tc, vendored_models_alone_equal_all);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
