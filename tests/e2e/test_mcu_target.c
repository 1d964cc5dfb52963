/* The mcu target end to end on every shared model (tests/models):
 *
 *   qonnxc build MODEL -o DIR --target ref,mcu
 *   make -C DIR/ref; make -C DIR/mcu        (the emitted Makefiles, host build)
 *   ./<name> [--int] IN.npy OUT.npy          both executors
 *
 * on the model's inputs.npy and on random frames (uniform in [0, 1), or
 * -1/+1 when inputs.npy is all -1/+1): the output files of mcu and ref must
 * be byte-identical, floats and integers (ref is checked against golden by
 * test_ref_target.c). Also: size_report.json and the arena size in
 * model.h; the emitted model.c calls no malloc and includes no <stdio.h>.
 * Under AddressSanitizer the executors are built with the sanitizers too. */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "emit_ref.h"
#include "json_file.h"
#include "npy.h"
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
    const char *dir;
    int random_frames;
} Model;

static const Model models[] = {
    { "TFC_1W1A", 500 },        { "TFC_1W2A", 500 },        { "TFC_2W2A", 500 },
    { "UNSW_MLP_W2A2", 500 },   { "CNV_1W1A_RANDOM", 16 },  { "CNV_1W2A_RANDOM", 16 },
    { "CNV_2W2A_RANDOM", 8 },
};
#define N_MODELS (int)(sizeof models / sizeof models[0])

/* Random frames shaped like inputs.npy's, into path. */
static void write_random(const char *model_dir, int frames, const char *path)
{
    char in[512];
    NpyArray a;
    Diag d;
    diag_init(&d);
    snprintf(in, sizeof in, TESTS_DIR "/models/%s/inputs.npy", model_dir);
    ck_assert_msg(npy_read(in, &a, &d), "%s", d.msg);
    float *f = NULL;
    ck_assert_msg(npy_to_f32(&a, &f, &d), "%s", d.msg);
    int64_t per = 1, total = 1;
    for (int k = 1; k < a.rank; k++)
        per *= a.shape[k];
    for (int k = 0; k < a.rank; k++)
        total *= a.shape[k];
    bool bipolar = true;
    for (int64_t k = 0; k < total; k++)
        bipolar = bipolar && (f[k] == 1.0f || f[k] == -1.0f);
    float *r = malloc((size_t)(per * frames) * sizeof *r);
    ck_assert_ptr_nonnull(r);
    uint32_t seed = 12345u;
    for (int64_t k = 0; k < per * frames; k++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        r[k] = bipolar ? (seed & 1u ? 1.0f : -1.0f) : (float)(seed >> 8) / 16777216.0f;
    }
    int64_t shape[8];
    memcpy(shape, a.shape, sizeof(int64_t) * (size_t)a.rank);
    shape[0] = frames;
    ck_assert_msg(npy_write_f32(path, r, a.rank, shape, &d), "%s", d.msg);
    free(r);
    free(f);
    npy_free(&a);
}

static void same_files(const char *a, const char *b)
{
    size_t la, lb;
    char *x = read_whole_file(a, &la), *y = read_whole_file(b, &lb);
    ck_assert_msg(x && y, "missing output %s or %s", a, b);
    ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
    free(x);
    free(y);
}

START_TEST(test_model)
{
    const Model *m = &models[_i];
    char *dir = make_temp_dir("mcu-e2e");
    char model[512], name[64], exe_ref[1024], exe_mcu[1024];
    snprintf(model, sizeof model, TESTS_DIR "/models/%s/model.onnx", m->dir);
    ref_model_name(model, name, sizeof name);
    int rc = run_shell("'%s' build '%s' -o '%s/out' --target ref,mcu > '%s/build.log' 2>&1",
                   QONNXC_BIN, model, dir, dir);
    ck_assert_msg(rc == 0, "qonnxc build %s failed", m->dir);
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'" : "";
    for (int t = 0; t < 2; t++) {
        rc = run_shell("make -s -C '%s/out/%s' %s > '%s/make.log' 2>&1", dir, t ? "mcu" : "ref",
                   flags, dir);
        char log[1100];
        snprintf(log, sizeof log, "%s/make.log", dir);
        char *text = read_whole_file(log, NULL);
        ck_assert_msg(rc == 0, "make %s for %s failed:\n%s", t ? "mcu" : "ref", m->dir,
                      text ? text : "");
        free(text);
    }
    snprintf(exe_ref, sizeof exe_ref, "%s/out/ref/%s", dir, name);
    snprintf(exe_mcu, sizeof exe_mcu, "%s/out/mcu/%s", dir, name);
    char rnd[1100];
    snprintf(rnd, sizeof rnd, "%s/random.npy", dir);
    write_random(m->dir, SANITIZED ? 4 : m->random_frames, rnd);
    char given[600];
    snprintf(given, sizeof given, TESTS_DIR "/models/%s/inputs.npy", m->dir);
    const char *inputs[2] = { given, rnd };
    for (int i = 0; i < 2; i++)
        for (int as_int = 0; as_int < 2; as_int++) {
            char o1[1100], o2[1100];
            snprintf(o1, sizeof o1, "%s/ref_%d_%d.npy", dir, i, as_int);
            snprintf(o2, sizeof o2, "%s/mcu_%d_%d.npy", dir, i, as_int);
            ck_assert_int_eq(run_shell("'%s' %s '%s' '%s'", exe_ref, as_int ? "--int" : "",
                                   inputs[i], o1), 0);
            ck_assert_int_eq(run_shell("'%s' %s '%s' '%s'", exe_mcu, as_int ? "--int" : "",
                                   inputs[i], o2), 0);
            same_files(o1, o2);
        }
    /* the promises of the target */
    char path[1100];
    snprintf(path, sizeof path, "%s/out/mcu/size_report.json", dir);
    cJSON *report = json_file(path);
    ck_assert_int_gt(json_num(report, "arena_bytes"), 0);
    ck_assert_int_gt(json_num(report, "flash.weight_bytes"), 0);
    ck_assert_int_gt(json_num(report, "macs"), 0);
    /* the arena holds at least what is alive at once */
    ck_assert_int_ge(json_num(report, "arena_bytes"), json_num(report, "arena_lower_bound_bytes"));
    /* the layers' MACs add up to the total */
    double macs = 0;
    const cJSON *layer;
    cJSON_ArrayForEach(layer, json_at(report, "layers"))
        macs += json_num(layer, "macs");
    ck_assert(macs == json_num(report, "macs"));
    cJSON_Delete(report);
    snprintf(path, sizeof path, "%s/out/mcu/model.h", dir);
    char *h = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_nonnull(strstr(h, "_ARENA_BYTES "));
    free(h);
    snprintf(path, sizeof path, "%s/out/mcu/model.c", dir);
    char *c = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(strstr(c, "malloc"));
    ck_assert_ptr_null(strstr(c, "<stdio.h>"));
    ck_assert_ptr_nonnull(strstr(c, "static uint64_t arena["));
    free(c);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Two builds give byte-identical files. */
START_TEST(test_deterministic)
{
    char *dir = make_temp_dir("mcu-det");
    const char *model = TESTS_DIR "/models/TFC_2W2A/model.onnx";
    ck_assert_int_eq(run_shell("'%s' build '%s' -o '%s/a' --target mcu > /dev/null && "
                           "'%s' build '%s' -o '%s/b' --target mcu > /dev/null && "
                           "diff -r '%s/a' '%s/b'", QONNXC_BIN, model, dir, QONNXC_BIN, model, dir,
                           dir, dir), 0);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Whether the line of text starting at row contains what. */
static bool row_has(const char *row, const char *what)
{
    const char *hit = row ? strstr(row + 1, what) : NULL, *end = row ? strchr(row + 1, '\n') : NULL;
    return hit && (!end || hit < end);
}

/* qonnxc verify builds the mcu and npu targets for the host, runs them on
 * the same frames as golden and the int engine and prints one row each */
START_TEST(test_verify)
{
    const char *args[] = { "verify", TESTS_DIR "/models/TFC_2W2A/model.onnx", "--target",
                           "mcu,npu", "--frames", SANITIZED ? "2" : "20", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "exit %d\n%s%s", r.exit_code, r.out, r.err);
    /* engine, frames, int-exact, ...: every frame exact */
    const char *exact = SANITIZED ? "2  2/2 " : "20  20/20 ";
    const char *mcu = strstr(r.out, "\nmcu "), *npu = strstr(r.out, "\nnpu ");
    ck_assert_msg(mcu && npu, "rows missing:\n%s", r.out);
    ck_assert_msg(row_has(mcu, exact) && row_has(npu, exact), "not exact on every frame:\n%s",
                  r.out);
    ck_assert_msg(!strstr(r.out, "mismatch"), "%s", r.out);
    cli_result_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mcu_target");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, test_model, 0, N_MODELS);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_verify);
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
