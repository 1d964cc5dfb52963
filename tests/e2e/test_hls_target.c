/* The hls target end to end, on every model of tests/models at two
 * foldings: the configuration's (configs/<model>.yaml) and PE = SIMD = 1
 * (no configuration: every layer fully folded):
 *
 *   qonnxc build MODEL [-c CONFIG] -o DIR --target hls   (the command line)
 *   make -C DIR/hls                  (the emitted Makefile: C99, strict flags)
 *   ./<name>_csim IN.npy OUT.npy     the C simulation: float outputs
 *   ./<name>_csim --int IN.npy OUT.npy  the integers the top function writes
 *
 * on the model's inputs.npy and on random frames (uniform in [0, 1), or
 * -1/+1 for BIPOLAR inputs). Against the int engine (the streamlined graph)
 * the integers must be equal and the floats bit-identical. Under
 * AddressSanitizer the csim is built with the sanitizers too, on fewer
 * frames.
 *
 * Also: two builds are byte-identical; the sources compile with exactly the
 * promised flags (and with clang); build errors leave no output. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit_ref.h"
#include "emit_util.h"
#include "exec.h"
#include "frontend.h"
#include "npy.h"
#include "streamline.h"

#include "e2e_util.h"
#include "run_cli.h"

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

typedef struct Model {
    const char *dir, *config;   /* config NULL: PE = SIMD = 1 */
    int inputs, random;         /* frames of inputs.npy (0: all) and random frames */
    int san_inputs, san_random; /* the same under the sanitizers */
} Model;

static const Model models[] = {
    { "TFC_1W1A", "TFC_1W1A", 0, 500, 64, 100 },
    { "TFC_1W1A", NULL, 0, 500, 64, 100 },
    { "TFC_1W2A", "TFC_1W2A", 0, 500, 64, 100 },
    { "TFC_1W2A", NULL, 0, 500, 64, 100 },
    { "TFC_2W2A", "TFC_2W2A", 0, 500, 64, 100 },
    { "TFC_2W2A", NULL, 0, 500, 64, 100 },
    { "UNSW_MLP_W2A2", "UNSW_MLP_W2A2", 0, 500, 64, 100 },
    { "UNSW_MLP_W2A2", NULL, 0, 500, 64, 100 },
    { "CNV_1W1A_RANDOM", "CNV_1W1A", 0, 8, 2, 1 },
    { "CNV_1W1A_RANDOM", NULL, 8, 2, 1, 1 },
    { "CNV_1W2A_RANDOM", "CNV_1W2A", 0, 8, 2, 1 },
    { "CNV_1W2A_RANDOM", NULL, 8, 2, 1, 1 },
    { "CNV_2W2A_RANDOM", "CNV_2W2A", 0, 8, 2, 1 },
    { "CNV_2W2A_RANDOM", NULL, 8, 2, 1, 1 },
};
#define N_MODELS (int)(sizeof models / sizeof models[0])

/* ---- helpers ------------------------------------------------------------- */

static void scratch(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/qonnxc-hls-e2e-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void model_file(char *buf, size_t size, const char *model_dir)
{
    snprintf(buf, size, TESTS_DIR "/models/%s/model.onnx", model_dir);
}

/* The "-c CONFIG" argument of a model's build, "" for PE = SIMD = 1. */
static void config_arg(char *buf, size_t size, const Model *m)
{
    if (m->config)
        snprintf(buf, size, "-c '" TESTS_DIR "/../configs/%s.yaml'", m->config);
    else
        buf[0] = '\0';
}

/* Builds the hls target into dir/out and compiles the csim; its path into exe. */
static void build_and_make(const Model *m, const char *dir, char *exe, size_t size)
{
    char model[512], cfg[512], name[64], log[600];
    model_file(model, sizeof model, m->dir);
    config_arg(cfg, sizeof cfg, m);
    int rc = run_shell("'%s' build '%s' %s -o '%s/out' --target hls > '%s/build.log' 2>&1",
                   QONNXC_BIN, model, cfg, dir, dir);
    if (rc != 0) {
        snprintf(log, sizeof log, "%s/build.log", dir);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("qonnxc build %s %s failed (%d):\n%s", m->dir, cfg, rc, text ? text : "");
    }
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'"
                                  : "";
    rc = run_shell("make -s -C '%s/out/hls' %s > '%s/make.log' 2>&1", dir, flags, dir);
    if (rc != 0) {
        snprintf(log, sizeof log, "%s/make.log", dir);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("make for %s failed (%d):\n%s", m->dir, rc, text ? text : "");
    }
    ref_model_name(model, name, sizeof name);
    snprintf(exe, size, "%s/out/hls/%s_csim", dir, name);
    ck_assert_msg(file_exists(exe), "no executable %s", exe);
}

/* Runs the csim on the frames and compares with the int engine. */
static void check_frames(const char *what, const char *dir, const char *exe, Graph *ig,
                         const Value *in)
{
    char in_path[512], f_path[512], i_path[512];
    Diag d;
    diag_init(&d);
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(f_path, sizeof f_path, "%s/out.npy", dir);
    snprintf(i_path, sizeof i_path, "%s/int.npy", dir);
    ck_assert_msg(npy_write_f32(in_path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    double t0 = now();
    ck_assert_int_eq(run_shell("'%s' '%s' '%s'", exe, in_path, f_path), 0);
    double t1 = now();
    ck_assert_int_eq(run_shell("'%s' --int '%s' '%s'", exe, in_path, i_path), 0);

    Value *eng[2];
    ck_assert_msg(exec_run_frames(ig, &in, eng, &d), "%s", d.msg);
    NpyArray rf, ri;
    ck_assert_msg(npy_read(f_path, &rf, &d), "%s", d.msg);
    ck_assert_msg(npy_read(i_path, &ri, &d), "%s", d.msg);
    ck_assert_int_eq(rf.dtype, NPY_F32);
    ck_assert_int_eq(ri.dtype, NPY_I32);
    ck_assert_int_eq(rf.count, eng[0]->count);
    ck_assert_int_eq(rf.rank, eng[0]->shape.rank);
    for (int k = 0; k < rf.rank; k++)
        ck_assert_int_eq(rf.shape[k], eng[0]->shape.dims[k]);
    ck_assert_int_eq(ri.count, eng[1]->count);

    int64_t frames = in->shape.dims[0], per = eng[0]->count / frames;
    int64_t per_i = eng[1]->count / frames;
    const float *out = rf.data;
    const int32_t *ints = ri.data;
    for (int64_t f = 0; f < frames; f++) {
        for (int64_t k = 0; k < per_i; k++)
            ck_assert_msg(ints[f * per_i + k] == eng[1]->i[f * per_i + k],
                          "%s: frame %lld, integer %lld: csim %d, int engine %lld", what,
                          (long long)f, (long long)k, ints[f * per_i + k],
                          (long long)eng[1]->i[f * per_i + k]);
        ck_assert_msg(memcmp(out + f * per, eng[0]->f + f * per, (size_t)per * sizeof(float)) == 0,
                      "%s: frame %lld: floats not bit-identical to the int engine's", what,
                      (long long)f);
    }
    printf("%-44s %4lld frames bit-exact, csim %.3f s/frame\n", what, (long long)frames,
           (t1 - t0) / (double)frames);
    npy_free(&rf);
    npy_free(&ri);
    value_free(eng[0]);
    value_free(eng[1]);
}

/* ---- per model and folding ----------------------------------------------- */

START_TEST(test_model)
{
    const Model *m = &models[_i];
    char dir[256], exe[512], model[512], what[128];
    model_file(model, sizeof model, m->dir);
    scratch(dir, sizeof dir);
    build_and_make(m, dir, exe, sizeof exe);

    Diag d;
    diag_init(&d);
    Graph *ig = frontend_load(model, &d);
    ck_assert_msg(ig && streamline_graph(ig, true, &d), "%s", d.msg);
    expose_integers(ig);
    const char *folding = m->config ? "config" : "PE=SIMD=1";

    Value *in = model_inputs(m->dir, SANITIZED ? m->san_inputs : m->inputs);
    snprintf(what, sizeof what, "%s (%s) inputs.npy", m->dir, folding);
    check_frames(what, dir, exe, ig, in);
    value_free(in);
    in = random_inputs(ig->inputs[0], SANITIZED ? m->san_random : m->random,
                       0x5EED1000u + (uint32_t)_i);
    snprintf(what, sizeof what, "%s (%s) random", m->dir, folding);
    check_frames(what, dir, exe, ig, in);
    value_free(in);

    graph_free(ig);
    ck_assert(remove_tree(dir));
}
END_TEST

/* ---- properties of the output -------------------------------------------- */

START_TEST(test_byte_identical)
{
    char dir[256], a[300], b[300], model[512];
    scratch(dir, sizeof dir);
    model_file(model, sizeof model, "CNV_1W1A_RANDOM");
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    const char *cfg = "-c '" TESTS_DIR "/../configs/CNV_1W1A.yaml'";
    ck_assert_int_eq(run_shell("'%s' build '%s' %s -o '%s' --target hls >/dev/null", QONNXC_BIN,
                           model, cfg, a), 0);
    ck_assert_int_eq(run_shell("'%s' build '%s' %s -o '%s' --target hls >/dev/null", QONNXC_BIN,
                           model, cfg, b), 0);
    TextBuf ta, tb;
    tb_init(&ta);
    tb_init(&tb);
    collect_tree(a, &ta);
    collect_tree(b, &tb);
    ck_assert_uint_gt(ta.len, 1000);
    ck_assert_msg(ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0, "two builds differ");
    /* the files promised, and nothing else (build.json: what was built, docs/cli.md) */
    static const char *const files[] = { "build.json", "hls/Makefile", "hls/top.c", "hls/top.h",
                                         "hls/csim.c",
                                         "hls/host.c", "hls/model.h", "report/estimates.json" };
    int listed = 0;
    for (const char *p = ta.data; (p = strstr(p, "== ")) != NULL; p += 3)
        listed += p == ta.data || p[-1] == '\n';
    ck_assert_int_eq(listed, (int)(sizeof files / sizeof files[0]));
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char want[128];
        snprintf(want, sizeof want, "== %s (", files[k]);
        ck_assert_msg(strstr(ta.data, want), "no %s", files[k]);
    }
    tb_free(&ta);
    tb_free(&tb);
    ck_assert(remove_tree(dir));
}
END_TEST

START_TEST(test_exact_flags)
{
    /* the Makefile promises these flags; compile by hand with exactly them */
    char dir[256], makefile[512];
    scratch(dir, sizeof dir);
    ck_assert_int_eq(run_shell("'%s' build '" TESTS_DIR "/models/CNV_2W2A_RANDOM/model.onnx' -c '"
                           TESTS_DIR "/../configs/CNV_2W2A.yaml' -o '%s/o' --target hls >/dev/null",
                           QONNXC_BIN, dir), 0);
    snprintf(makefile, sizeof makefile, "%s/o/hls/Makefile", dir);
    char *text = read_whole_file(makefile, NULL);
    ck_assert_ptr_nonnull(strstr(text, "-std=c99 -Wall -Wextra -Werror -pedantic -ffp-contract=off"));
    ck_assert_ptr_nonnull(strstr(text, "CFLAGS = -O2"));
    free(text);
    ck_assert_int_eq(run_shell("cd '%s/o/hls' && cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic "
                           "-ffp-contract=off -o by_hand *.c -lm", dir), 0);
    /* the HLS sources alone, as an HLS tool takes them */
    ck_assert_int_eq(run_shell("cd '%s/o/hls' && cc -std=c99 -Wall -Wextra -Werror -pedantic "
                           "-c top.c -o top.o", dir), 0);
    if (run_shell("command -v clang >/dev/null 2>&1") == 0)
        ck_assert_int_eq(run_shell("cd '%s/o/hls' && clang -std=c99 -O2 -Wall -Wextra -Werror "
                               "-pedantic -ffp-contract=off -o by_clang *.c -lm", dir), 0);
    ck_assert(remove_tree(dir));
}
END_TEST

START_TEST(test_build_errors)
{
    char dir[256], log[512], out[512], cfg[512], args[2048];
    scratch(dir, sizeof dir);
    snprintf(log, sizeof log, "%s/err.txt", dir);
    snprintf(out, sizeof out, "%s/never", dir);
    /* a folding that does not divide the layer */
    snprintf(cfg, sizeof cfg, "%s/bad.yaml", dir);
    FILE *f = fopen(cfg, "w");
    ck_assert_ptr_nonnull(f);
    fputs("folding:\n  - {mvau: 0, pe: 3, simd: 1}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "'" TESTS_DIR "/models/TFC_1W1A/model.onnx' -c '%s' -o '%s' "
             "--target hls", cfg, out);
    int rc = run_shell("'%s' build %s 2> '%s' >/dev/null", QONNXC_BIN, args, log);
    char *text = read_whole_file(log, NULL);
    ck_assert_msg(rc != 0, "a bad folding builds");
    ck_assert_msg(strstr(text, "MatMul_16") != NULL, "the message '%s' names no layer", text);
    free(text);
    ck_assert_msg(!file_exists(out), "%s was created", out);
    /* a configuration that does not exist */
    snprintf(args, sizeof args, "'" TESTS_DIR "/models/TFC_1W1A/model.onnx' -c '%s/none.yaml' "
             "-o '%s' --target hls", dir, out);
    ck_assert_int_eq(run_shell("'%s' build %s 2> '%s' >/dev/null", QONNXC_BIN, args, log), 2);
    ck_assert_msg(!file_exists(out), "%s was created", out);
    ck_assert(remove_tree(dir));
}
END_TEST

START_TEST(test_verify)
{
    /* qonnxc verify runs the hls target's csim next to the other engines */
    static const char *const which[][2] = { { "TFC_1W2A", "TFC_1W2A" },
                                            { "CNV_1W1A_RANDOM", "CNV_1W1A" } };
    for (int k = 0; k < 2; k++) {
        char dir[256], model[512], log[600];
        scratch(dir, sizeof dir);
        model_file(model, sizeof model, which[k][0]);
        snprintf(log, sizeof log, "%s/verify.txt", dir);
        int rc = run_shell("'%s' verify '%s' -c '" TESTS_DIR "/../configs/%s.yaml' --target ref,hls "
                       "--frames %d > '%s' 2>&1", QONNXC_BIN, model, which[k][1],
                       SANITIZED ? 1 : 4, log);
        char *text = read_whole_file(log, NULL);
        ck_assert_msg(rc == 0, "verify %s: exit %d\n%s", which[k][0], rc, text);
        ck_assert_msg(strstr(text, "\nhls "), "verify %s has no hls row:\n%s", which[k][0], text);
        free(text);
        ck_assert(remove_tree(dir));
    }
}
END_TEST

START_TEST(test_labels)
{
    /* labels: 3 ends the accelerator in a LabelSelect: the csim writes the
     * indices of the 3 largest scores, ties to the lower index */
    char dir[256], model[512], cfg[512], in_path[512], out_path[512], name[64];
    scratch(dir, sizeof dir);
    model_file(model, sizeof model, "TFC_2W2A");
    snprintf(cfg, sizeof cfg, "%s/labels.yaml", dir);
    FILE *f = fopen(cfg, "w");
    ck_assert_ptr_nonnull(f);
    fputs("labels: 3\nfolding:\n  - {mvau: 3, pe: 2, simd: 8}\n", f);
    fclose(f);
    ck_assert_int_eq(run_shell("'%s' build '%s' -c '%s' -o '%s/out' --target hls > /dev/null",
                           QONNXC_BIN, model, cfg, dir), 0);
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'"
                                  : "";
    ck_assert_int_eq(run_shell("make -s -C '%s/out/hls' %s > /dev/null", dir, flags), 0);
    ref_model_name(model, name, sizeof name);

    Diag d;
    diag_init(&d);
    Graph *ig = frontend_load(model, &d);
    ck_assert_msg(ig && streamline_graph(ig, true, &d), "%s", d.msg);
    Value *in = model_inputs("TFC_2W2A", SANITIZED ? 8 : 0), *scores;
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(out_path, sizeof out_path, "%s/labels.npy", dir);
    ck_assert_msg(npy_write_f32(in_path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    ck_assert_int_eq(run_shell("'%s/out/hls/%s_csim' '%s' '%s'", dir, name, in_path, out_path), 0);
    ck_assert_msg(exec_run_frames(ig, (const Value *const *)&in, &scores, &d), "%s", d.msg);
    NpyArray labels;
    ck_assert_msg(npy_read(out_path, &labels, &d), "%s", d.msg);
    int64_t frames = in->shape.dims[0], classes = scores->count / frames;
    ck_assert_int_eq(labels.count, frames * 3);
    const float *got = labels.data;
    for (int64_t fr = 0; fr < frames; fr++) {
        const float *v = scores->f + fr * classes;
        bool taken[64] = { false };
        for (int k = 0; k < 3; k++) {
            int64_t best = -1;
            for (int64_t c = 0; c < classes; c++)
                if (!taken[c] && (best < 0 || v[c] > v[best]))
                    best = c;
            taken[best] = true;
            ck_assert_msg(got[fr * 3 + k] == (float)best, "frame %lld: label %d is %g, expected "
                          "%lld", (long long)fr, k, (double)got[fr * 3 + k], (long long)best);
        }
    }
    npy_free(&labels);
    value_free(in);
    value_free(scores);
    graph_free(ig);
    ck_assert(remove_tree(dir));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hls_target");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, test_model, 0, N_MODELS);
    tcase_add_test(tc, test_byte_identical);
    tcase_add_test(tc, test_exact_flags);
    tcase_add_test(tc, test_build_errors);
    tcase_add_test(tc, test_verify);
    tcase_add_test(tc, test_labels);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
