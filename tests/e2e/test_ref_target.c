/* The ref target end to end, on every model of tests/models and the three
 * shared ResNet/MobileNet models of ../shared/models (skipped when absent;
 * CK_RUN_CASE=shared runs only those, QONNXC_SHARED_MODELS moves the folder):
 *
 *   qonnxc build MODEL -o DIR       (the command line)
 *   make -C DIR/ref                 (the emitted Makefile: C99, strict flags)
 *   ./<name> IN.npy OUT.npy         float outputs
 *   ./<name> --int IN.npy OUT.npy   the integers before OutputAffine
 *
 * on the model's inputs.npy and on random frames (uniform in [0, 1), or
 * -1/+1 for BIPOLAR inputs). Against the int engine (the streamlined graph)
 * the integers must be equal and the floats bit-identical, since both apply
 * the same OutputAffine to the same integers; against golden (the cleaned
 * QONNX graph) the floats must agree within 1e-5 of the frame's largest
 * magnitude, with the same argmax. ResNet-20 is compared with golden
 * summing its convolutions in double (ExecOptions.sum): golden's float32
 * sums move a few values at quantizer boundaries (test_int_engine.c).
 *
 * Also: two builds are byte-identical; the code compiles with exactly the
 * promised flags; command line errors give a message, an exit code and no
 * output directory. Under AddressSanitizer the emitted executor is built
 * with the sanitizers too, on fewer frames. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref.h"
#include "emit_util.h"
#include "exec.h"
#include "frontend.h"
#include "npy.h"
#include "streamline.h"

#include "e2e_util.h"
#include "model_data.h"
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

#define TOLERANCE 1e-5

typedef struct Model {
    const char *dir;
    int random_frames;          /* per normal build */
    int sanitized_frames;       /* under the sanitizers: also caps inputs.npy */
    bool shared;                /* in ../shared/models (skipped when absent), not tests/models */
    bool double_golden;         /* compared with golden summing in double: its float32 sums
                                 * move values at a quantizer boundary (test_int_engine.c,
                                 * ResNet-20; docs/integer-graph.md "Exact thresholds") */
} Model;

static const Model models[] = {
    { "TFC_1W1A", 1000, 1000, false, false },
    { "TFC_1W2A", 1000, 1000, false, false },
    { "TFC_2W2A", 1000, 1000, false, false },
    { "UNSW_MLP_W2A2", 1000, 1000, false, false },
    { "CNV_1W1A_RANDOM", 1000, 3, false, false },
    { "CNV_1W2A_RANDOM", 1000, 3, false, false },
    { "CNV_2W2A_RANDOM", 1000, 2, false, false },
};
#define N_MODELS (int)(sizeof models / sizeof models[0])

/* CK_RUN_CASE=shared runs only these */
static const Model shared_models[] = {
    { "RESNET20_W4A4_RANDOM", 1000, 2, true, true },
    { "RESNET_W2A2_RANDOM", 1000, 2, true, false },
    { "MOBILENET_W4A4_RANDOM", 1000, 2, true, false },
};
#define N_SHARED_MODELS (int)(sizeof shared_models / sizeof shared_models[0])

/* ---- helpers ------------------------------------------------------------- */

static void scratch(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/qonnxc-ref-e2e-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Builds MODEL's ref target into dir/out and compiles it; the executor's
 * path into exe. */
/* The model's file (tests/models or the shared folder). */
static const char *model_file(const Model *m, const char *file, char *buf, int size)
{
    if (m->shared)
        return shared_model_path(buf, size, m->dir, file);
    snprintf(buf, (size_t)size, TESTS_DIR "/models/%s/%s", m->dir, file);
    return buf;
}

static void build_and_make(const Model *m, const char *dir, char *exe, size_t size)
{
    char name[64];
    char model[512];
    const char *model_dir = m->dir;
    model_file(m, "model.onnx", model, sizeof model);
    int rc = run_shell("'%s' build '%s' -o '%s/out' > '%s/build.log' 2>&1", QONNXC_BIN, model, dir, dir);
    if (rc != 0) {
        char log[600];
        snprintf(log, sizeof log, "%s/build.log", dir);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("qonnxc build %s failed (%d):\n%s", model_dir, rc, text ? text : "");
    }
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'"
                                  : "";
    rc = run_shell("make -s -C '%s/out/ref' %s > '%s/make.log' 2>&1", dir, flags, dir);
    if (rc != 0) {
        char log[600];
        snprintf(log, sizeof log, "%s/make.log", dir);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("make for %s failed (%d):\n%s", model_dir, rc, text ? text : "");
    }
    ref_model_name(model, name, sizeof name);
    snprintf(exe, size, "%s/out/ref/%s", dir, name);
    ck_assert_msg(file_exists(exe), "no executable %s", exe);
}

static int64_t argmax(const float *v, int64_t n)
{
    int64_t best = 0;
    for (int64_t k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}

/* Runs the executor on the frames and compares with both engines. */
static void check_frames(const char *what, const char *dir, const char *exe, Graph *golden,
                         Graph *ig, const Value *in, GoldenSum sum)
{
    const ExecOptions golden_opts = { sum };
    char in_path[512], f_path[512], i_path[512];
    Diag d;
    diag_init(&d);
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(f_path, sizeof f_path, "%s/out.npy", dir);
    snprintf(i_path, sizeof i_path, "%s/int.npy", dir);
    ck_assert_msg(npy_write_f32(in_path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    ck_assert_int_eq(run_shell("'%s' '%s' '%s'", exe, in_path, f_path), 0);
    ck_assert_int_eq(run_shell("'%s' --int '%s' '%s'", exe, in_path, i_path), 0);

    Value *gold, *eng[2];
    ck_assert_msg(exec_run_frames_with(golden, &in, &gold, &golden_opts, &d), "%s", d.msg);
    ck_assert_msg(exec_run_frames(ig, &in, eng, &d), "%s", d.msg);
    NpyArray rf, ri;
    ck_assert_msg(npy_read(f_path, &rf, &d), "%s", d.msg);
    ck_assert_msg(npy_read(i_path, &ri, &d), "%s", d.msg);
    ck_assert_int_eq(rf.dtype, NPY_F32);
    ck_assert_int_eq(ri.dtype, NPY_I32);
    ck_assert_int_eq(rf.count, gold->count);
    ck_assert_int_eq(rf.rank, gold->shape.rank);
    for (int k = 0; k < rf.rank; k++)
        ck_assert_int_eq(rf.shape[k], gold->shape.dims[k]);
    ck_assert_int_eq(ri.count, eng[1]->count);

    int64_t frames = in->shape.dims[0], per = gold->count / frames, per_i = eng[1]->count / frames;
    const float *out = rf.data;
    const int32_t *ints = ri.data;
    for (int64_t f = 0; f < frames; f++) {
        /* integer level: exactly the int engine */
        for (int64_t k = 0; k < per_i; k++)
            ck_assert_msg(ints[f * per_i + k] == eng[1]->i[f * per_i + k],
                          "%s: frame %lld, integer %lld: ref %d, int engine %lld", what,
                          (long long)f, (long long)k, ints[f * per_i + k],
                          (long long)eng[1]->i[f * per_i + k]);
        ck_assert_msg(memcmp(out + f * per, eng[0]->f + f * per, (size_t)per * sizeof(float)) == 0,
                      "%s: frame %lld: floats not bit-identical to the int engine's", what,
                      (long long)f);
        /* float level: golden */
        double scale = 0, diff = 0;
        for (int64_t k = 0; k < per; k++) {
            scale = fmax(scale, fabs(gold->f[f * per + k]));
            diff = fmax(diff, fabs((double)out[f * per + k] - gold->f[f * per + k]));
        }
        ck_assert_msg(diff <= TOLERANCE * fmax(scale, 1e-30), "%s: frame %lld differs from golden "
                      "by %g (largest magnitude %g)", what, (long long)f, diff, scale);
        if (per >= 2)
            ck_assert_msg(argmax(out + f * per, per) == argmax(gold->f + f * per, per),
                          "%s: frame %lld: argmax differs from golden", what, (long long)f);
    }
    npy_free(&rf);
    npy_free(&ri);
    value_free(gold);
    value_free(eng[0]);
    value_free(eng[1]);
}

/* ---- per model ----------------------------------------------------------- */

static void check_model(const Model *m, int index)
{
    char dir[256], exe[512], model[512], what[128], inputs[512];
    if (m->shared && !shared_model_present(m->dir))
        return;
    model_file(m, "model.onnx", model, sizeof model);
    scratch(dir, sizeof dir);
    build_and_make(m, dir, exe, sizeof exe);

    Diag d;
    diag_init(&d);
    Graph *golden = frontend_load(model, &d);
    ck_assert_msg(golden, "%s", d.msg);
    Graph *ig = frontend_load(model, &d);
    ck_assert_msg(ig && streamline_graph(ig, true, &d), "%s", d.msg);
    expose_integers(ig);

    int frames = SANITIZED ? m->sanitized_frames : m->random_frames;
    Value *in = model_inputs_at(model_file(m, "inputs.npy", inputs, sizeof inputs),
                                SANITIZED ? frames : 0);
    GoldenSum sum = m->double_golden ? GOLDEN_SUM_DOUBLE : GOLDEN_SUM_FLOAT32;
    snprintf(what, sizeof what, "%s inputs.npy", m->dir);
    check_frames(what, dir, exe, golden, ig, in, sum);
    value_free(in);
    in = random_inputs(golden->inputs[0], frames, 0x5EED0000u + (uint32_t)index);
    snprintf(what, sizeof what, "%s random", m->dir);
    check_frames(what, dir, exe, golden, ig, in, sum);
    value_free(in);

    graph_free(golden);
    graph_free(ig);
    ck_assert(remove_tree(dir));
}

START_TEST(test_model) { check_model(&models[_i], _i); }
END_TEST

START_TEST(test_shared_model) { check_model(&shared_models[_i], N_MODELS + _i); }
END_TEST

/* ---- properties of the output ------------------------------------------- */

START_TEST(test_byte_identical)
{
    static const char *const which[] = { "TFC_2W2A", "CNV_1W1A_RANDOM" };
    for (int k = 0; k < 2; k++) {
        char dir[256], a[300], b[300], model[512];
        scratch(dir, sizeof dir);
        snprintf(model, sizeof model, TESTS_DIR "/models/%s/model.onnx", which[k]);
        snprintf(a, sizeof a, "%s/a", dir);
        snprintf(b, sizeof b, "%s/b", dir);
        ck_assert_int_eq(run_shell("'%s' build '%s' -o '%s' >/dev/null", QONNXC_BIN, model, a), 0);
        ck_assert_int_eq(run_shell("'%s' build '%s' -o '%s' >/dev/null", QONNXC_BIN, model, b), 0);
        TextBuf ta, tb;
        tb_init(&ta);
        tb_init(&tb);
        collect_tree(a, &ta);
        collect_tree(b, &tb);
        ck_assert_uint_gt(ta.len, 1000);
        ck_assert_msg(ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0,
                      "%s: two builds differ", which[k]);
        /* rebuilding into an existing DIR replaces ref/ with the same bytes */
        ck_assert_int_eq(run_shell("'%s' build '%s' -o '%s' >/dev/null", QONNXC_BIN, model, a), 0);
        TextBuf tc;
        tb_init(&tc);
        collect_tree(a, &tc);
        ck_assert(tc.len == ta.len && memcmp(tc.data, ta.data, ta.len) == 0);
        tb_free(&ta);
        tb_free(&tb);
        tb_free(&tc);
        ck_assert(remove_tree(dir));
    }
}
END_TEST

START_TEST(test_exact_flags)
{
    /* the Makefile promises these flags; compile by hand with exactly them */
    char dir[256], makefile[512];
    scratch(dir, sizeof dir);
    ck_assert_int_eq(run_shell("'%s' build '" TESTS_DIR "/models/CNV_1W2A_RANDOM/model.onnx' -o '%s/o' "
                           ">/dev/null", QONNXC_BIN, dir), 0);
    snprintf(makefile, sizeof makefile, "%s/o/ref/Makefile", dir);
    char *text = read_whole_file(makefile, NULL);
    ck_assert_ptr_nonnull(strstr(text, "-std=c99 -Wall -Wextra -Werror -pedantic -ffp-contract=off"));
    ck_assert_ptr_nonnull(strstr(text, "CFLAGS = -O2"));
    free(text);
    ck_assert_int_eq(run_shell("cd '%s/o/ref' && cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic "
                           "-ffp-contract=off -o by_hand *.c -lm", dir), 0);
    /* and with clang when there is one, as a second opinion: model.c gives
     * GCC attributes that clang would warn about (LAYER_ATTRIBUTES) */
    const char *clang = run_shell("command -v clang >/dev/null 2>&1") == 0      ? "clang"
                        : run_shell("command -v clang-14 >/dev/null 2>&1") == 0 ? "clang-14"
                                                                               : NULL;
    if (clang)
        ck_assert_int_eq(run_shell("cd '%s/o/ref' && %s -std=c99 -O2 -Wall -Wextra -Werror "
                               "-pedantic -ffp-contract=off -o by_clang *.c -lm", dir, clang), 0);
    ck_assert(remove_tree(dir));
}
END_TEST

/* qonnxc build with bad arguments: exit code, a message naming the
 * problem, and no output directory. */
static void expect_failure(const char *dir, const char *args, int code, const char *message,
                           const char *must_not_exist)
{
    char log[512];
    snprintf(log, sizeof log, "%s/err.txt", dir);
    int rc = run_shell("'%s' build %s 2> '%s' >/dev/null", QONNXC_BIN, args, log);
    char *text = read_whole_file(log, NULL);
    ck_assert_msg(rc == code, "qonnxc build %s: exit %d, want %d (%s)", args, rc, code, text);
    ck_assert_msg(strstr(text, message) != NULL, "qonnxc build %s: message '%s' lacks '%s'", args,
                  text, message);
    free(text);
    if (must_not_exist)
        ck_assert_msg(!file_exists(must_not_exist), "%s was created", must_not_exist);
}

START_TEST(test_cli_errors)
{
    char dir[256], args[1024], out[512], file[512];
    scratch(dir, sizeof dir);
    const char *model = TESTS_DIR "/models/TFC_1W1A/model.onnx";
    snprintf(out, sizeof out, "%s/out", dir);

    snprintf(args, sizeof args, "'%s' -o '%s' --target foo", model, out);
    expect_failure(dir, args, 2, "unknown target 'foo'", out);
    snprintf(args, sizeof args, "'%s'", model);
    expect_failure(dir, args, 2, "-o DIR", NULL);
    snprintf(args, sizeof args, "-o '%s'", out);
    expect_failure(dir, args, 2, "needs MODEL", out);
    snprintf(args, sizeof args, "'%s' -o '%s' -c '%s/none.yaml'", model, out, dir);
    expect_failure(dir, args, 2, "none.yaml", out);
    snprintf(args, sizeof args, "'%s/missing.onnx' -o '%s'", dir, out);
    expect_failure(dir, args, 3, "missing.onnx", out);

    /* an unwritable DIR: its parent is a file */
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(args, sizeof args, "'%s' -o '%s/plain/out'", model, dir);
    expect_failure(dir, args, 2, "plain/out", NULL);
    snprintf(args, sizeof args, "'%s' -o '%s'", model, file);
    expect_failure(dir, args, 2, "not a directory", NULL);
    /* nothing else appeared: no staging directories left behind */
    ck_assert_int_ne(run_shell("ls -d '%s'/*.tmp-* >/dev/null 2>&1", dir), 0);
    ck_assert(remove_tree(dir));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ref_target");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 1200);
    tcase_add_loop_test(tc, test_model, 0, N_MODELS);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("shared");
    tcase_set_timeout(ts, 2400);
    tcase_add_loop_test(ts, test_shared_model, 0, N_SHARED_MODELS);
    suite_add_tcase(s, ts);
    TCase *tp = tcase_create("output");
    tcase_set_timeout(tp, 600);
    tcase_add_test(tp, test_byte_identical);
    tcase_add_test(tp, test_exact_flags);
    tcase_add_test(tp, test_cli_errors);
    suite_add_tcase(s, tp);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
