/* The dataflow graph of the seven real models (ir/dataflow.h), each built
 * with its configs/<model>.yaml:
 *
 *   - the layers: kinds and counts, thresholds fused into the MVAUs, a
 *     FIFO between every two layers, DWCs only where beat widths differ;
 *   - what they compute: the element-level executor (dataflow_exec_frame)
 *     on the stream of InputQuant's output must give exactly the int
 *     engine's values of the tensor the last layer writes, frame by frame
 *     (the model's inputs.npy). This checks every weight reordering (conv
 *     [O][kh][kw][I], flatten CHW -> HWC), the SWG's window order and the
 *     fused thresholds on real weights;
 *   - labels: top-k of the scores;
 *   - `qonnxc report`: the table, estimates.json with the required keys,
 *     dataflow.svg, byte-identical on a second run, and a clear message
 *     and the JSON still written when Graphviz's dot is missing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow_frames.h"
#include "dataflow.h"
#include "exec.h"
#include "frontend.h"
#include "json_file.h"
#include "model_data.h"
#include "run_cli.h"
#include "streamline.h"

typedef struct Built {
    Graph *g;
    BuildConfig cfg;
    Dataflow df;
} Built;

/* configs/<model>.yaml for a tests/models folder ("CNV_1W1A_RANDOM" -> CNV_1W1A). */
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

static void build(const char *model, int labels, Built *b)
{
    char path[512], cfg[512];
    Diag d;
    diag_init(&d);
    memset(b, 0, sizeof *b);
    ck_assert_msg(config_load(&b->cfg, config_path(cfg, sizeof cfg, model), &d), "%s", d.msg);
    if (labels)
        b->cfg.labels = labels;
    b->g = frontend_load(model_path(path, sizeof path, model, "model.onnx"), &d);
    ck_assert_msg(b->g, "%s", d.msg);
    ck_assert_msg(streamline_graph(b->g, true, &d), "%s", d.msg);
    ck_assert_msg(dataflow_build(b->g, &b->cfg, &b->df, &d), "%s: %s", model, d.msg);
}

static void unbuild(Built *b)
{
    dataflow_free(&b->df);
    graph_free(b->g);
    config_free(&b->cfg);
}

static int count(const Dataflow *df, LayerKind k)
{
    int n = 0;
    for (int j = 0; j < df->n_layers; j++)
        n += df->layers[j].kind == k;
    return n;
}

/* ---- layers ------------------------------------------------------------------ */

START_TEST(test_layers)
{
    const char *model = real_models[_i];
    Built b;
    build(model, 0, &b);
    const Dataflow *df = &b.df;
    bool cnv = !strncmp(model, "CNV", 3);
    int mvaus = cnv ? 9 : 4;
    ck_assert_int_eq(count(df, LAYER_MVAU), mvaus);
    ck_assert_int_eq(count(df, LAYER_SWG), cnv ? 6 : 0);
    ck_assert_int_eq(count(df, LAYER_MAXPOOL), cnv ? 2 : 0);
    ck_assert_int_eq(count(df, LAYER_THRESHOLD), 0);
    ck_assert_int_eq(count(df, LAYER_LABELSELECT), 0);
    int compute = df->n_layers - count(df, LAYER_FIFO);
    ck_assert_int_eq(count(df, LAYER_FIFO), compute - 1);
    /* every MVAU but the last has its MultiThreshold fused (UNSW's last
     * one too: its output is bipolar) */
    bool unsw = !strncmp(model, "UNSW", 4);
    for (int k = 0, m = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        if (k > 0 && l->kind != LAYER_FIFO)
            ck_assert_int_eq(df->layers[k - 1].kind, LAYER_FIFO);
        if (l->kind == LAYER_DWC)
            ck_assert_int_ne(l->in.bits, l->out.bits);
        if (k > 0)
            ck_assert_int_eq(df->layers[k - 1].out.bits, l->in.bits);
        if (l->kind == LAYER_SWG) {
            ck_assert_int_eq(df->layers[k + 2].kind, LAYER_MVAU);
            ck_assert_int_eq(l->simd, df->layers[k + 2].simd);
        }
        if (l->kind != LAYER_MVAU)
            continue;
        ck_assert_msg((l->n_thresholds > 0) == (m < mvaus - 1 || unsw), "%s MVAU %d", model, m);
        ck_assert_ptr_nonnull(l->node);
        m++;
    }
    ck_assert_int_eq(df->layers[df->n_layers - 1].kind, LAYER_MVAU);
    ck_assert_int_eq(df->in_elems, cnv ? 3 * 32 * 32 : unsw ? 600 : 784);
    ck_assert_int_eq(df->out_elems, unsw ? 1 : 10);
    unbuild(&b);
}
END_TEST

/* ---- what they compute ------------------------------------------------------- */

/* Runs frames of inputs.npy through the int engine and the dataflow
 * executor (dataflow_frames.h); returns how many frames were compared. */
static int compare_frames(const char *model, Built *b, int frames, int labels)
{
    char path[512];
    Value *all = load_npy_value(model_path(path, sizeof path, model, "inputs.npy"));
    int n = dataflow_compare_frames(model, b->g, &b->df, all, frames, labels);
    value_free(all);
    return n;
}

START_TEST(test_exec_matches_int_engine)
{
    const char *model = real_models[_i];
    Built b;
    build(model, 0, &b);
    int n = compare_frames(model, &b, !strncmp(model, "CNV", 3) ? 3 : 20, 0);
    printf("%-16s dataflow executor = int engine on %d frames\n", model, n);
    unbuild(&b);
}
END_TEST

START_TEST(test_labels)
{
    Built b;
    build("TFC_2W2A", 3, &b);
    const Layer *l = &b.df.layers[b.df.n_layers - 1];
    ck_assert_int_eq(l->kind, LAYER_LABELSELECT);
    ck_assert_int_eq(l->k, 3);
    ck_assert_int_eq(l->channels, 10);
    ck_assert_int_eq(l->out.dt.bits, 4);
    ck_assert(b.df.labels_out);
    compare_frames("TFC_2W2A", &b, 20, 3);
    unbuild(&b);
}
END_TEST

/* ---- the report command ------------------------------------------------------- */

static char *slurp_file(const char *path)
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

START_TEST(test_report_command)
{
    char *dir = make_temp_dir("report");
    char model[512], cfg[512], json[600], svg[600];
    model_path(model, sizeof model, "CNV_1W1A_RANDOM", "model.onnx");
    config_path(cfg, sizeof cfg, "CNV_1W1A_RANDOM");
    snprintf(json, sizeof json, "%s/report/estimates.json", dir);
    snprintf(svg, sizeof svg, "%s/report/dataflow.svg", dir);
    const char *args[] = { "report", dir, "-m", model, "-c", cfg, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "/linear_features.0/MatMul"));
    ck_assert_ptr_nonnull(strstr(r.out, "32768 cycles per frame: 3051.76 fps at 100 MHz"));
    ck_assert(file_exists(json));
    ck_assert(file_exists(svg));
    char *j1 = slurp_file(json), *s1 = slurp_file(svg);
    /* every layer has its folding, widths and costs; the network its bottleneck */
    cJSON *est = json_file(json);
    static const char *const keys[] = { "name", "kind", "pe", "simd", "cycles", "luts",
                                        "bram18", "dsp", "weight_bits", "in_width", "out_width" };
    const cJSON *layer;
    cJSON_ArrayForEach(layer, json_at(est, "layers"))
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            ck_assert_msg(json_at(layer, keys[k]), "estimates.json: a layer lacks %s", keys[k]);
    ck_assert(cJSON_IsString(json_at(est, "network.bottleneck_layer")));
    ck_assert_int_eq(json_num(est, "network.bottleneck_cycles"), 32768);
    /* 100 MHz / 32768 cycles = 3051.7578125 fps, written to 2 decimals */
    ck_assert(json_num(est, "network.fps") == 3051.76);
    ck_assert_int_gt(json_num(est, "network.latency_cycles"), 0);
    cJSON_Delete(est);
    ck_assert_ptr_nonnull(strstr(s1, "<svg"));
    ck_assert_ptr_nonnull(strstr(s1, "32768 cycles"));
    cli_result_free(&r);

    /* deterministic */
    r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 0);
    char *j2 = slurp_file(json), *s2 = slurp_file(svg);
    ck_assert_str_eq(j1, j2);
    ck_assert_str_eq(s1, s2);
    cli_result_free(&r);
    free(j1);
    free(j2);
    free(s1);
    free(s2);

    /* without dot: the JSON, a clear message, exit 0 */
    char dir2[600], svg2[700], json2[700];
    snprintf(dir2, sizeof dir2, "%s/nodot", dir);
    snprintf(svg2, sizeof svg2, "%s/report/dataflow.svg", dir2);
    snprintf(json2, sizeof json2, "%s/report/estimates.json", dir2);
    const char *env_args[] = { "/usr/bin/env", "PATH=/nonexistent", QONNXC_BIN, "report", dir2,
                               "-m", model, "-c", cfg, NULL };
    r = run_cmd(env_args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "graphviz"));
    ck_assert(file_exists(json2));
    ck_assert(!file_exists(svg2));
    cli_result_free(&r);

    /* errors: no model, bad config */
    const char *no_model[] = { "report", dir, NULL };
    r = run_qonnxc(no_model);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "-m MODEL"));
    cli_result_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dataflow_models");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_layers, 0, N_REAL_MODELS);
    tcase_add_loop_test(tc, test_exec_matches_int_engine, 0, N_REAL_MODELS);
    tcase_add_test(tc, test_labels);
    tcase_add_test(tc, test_report_command);
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
