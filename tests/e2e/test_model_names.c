/* Model names end to end: whatever the model file is called, every target
 * builds, compiles and runs, bit-exact with the int engine.
 *
 * The model's name (ref_model_name: the file's stem, or its folder's name
 * for a file called model.onnx) is the prefix of the emitted C API and the
 * name of the executables; it never names an emitted source file, so no
 * name can make two files collide (hls/model.h, the host API, once
 * collided with the HLS top's header for a model called `model`).
 *
 * TFC-W1A1 (tests/models) is copied to files named like a user's model,
 * built with `qonnxc build --target all` at configs/TFC_1W1A.yaml, and
 *
 *   ref, mcu, npu, hls    make; ./<exe> IN.npy OUT.npy on inputs.npy:
 *                         byte-identical with `qonnxc run --engine int`
 *   rtl                   make lint: verilator -Wall prints nothing;
 *                         for `model.onnx` also make sim and the same check
 *
 * Names: model.onnx in the current directory, C keywords (int, static),
 * a leading digit (2layer), separators (my-net.v1), names of Makefile
 * targets and emitted files (clean, host, makefile), a folder given with a
 * doubled slash (dir//model.onnx names the model after dir, as dir/model.onnx
 * does), and .onnx (an empty stem). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref.h"
#include "e2e_util.h"
#include "run_cli.h"

#define MODEL TESTS_DIR "/models/TFC_1W1A"
#define CONFIG TESTS_DIR "/../configs/TFC_1W1A.yaml"

typedef struct Case {
    const char *path;    /* the model's path, relative to the test's folder */
    const char *name;    /* the name qonnxc gives it */
} Case;

static const Case cases[] = {
    { "model.onnx", "model" },         { "int.onnx", "int" },
    { "static.onnx", "static" },       { "2layer.onnx", "x2layer" },
    { "my-net.v1.onnx", "my_net_v1" }, { "clean.onnx", "clean_model" },
    { "host.onnx", "host" },           { "Makefile.onnx", "makefile_model" },
    { "net//model.onnx", "net" },      { ".onnx", "onnx" },
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

/* Runs a command in dir; on failure, aborts with its output (dir/log). */
static void run_in(const char *dir, const char *what, const char *cmd)
{
    int rc = run_shell("cd '%s' && ( %s ) > log 2>&1", dir, cmd);
    if (rc != 0) {
        char log[600];
        snprintf(log, sizeof log, "%s/log", dir);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("%s failed (exit %d):\n%s", what, rc, text ? text : "");
    }
}

START_TEST(every_target_builds_and_runs)
{
    const Case *c = &cases[_i];
    char *dir = make_temp_dir("names");
    ck_assert_ptr_nonnull(dir);
    char cmd[4096], path[1024], exe[256];
    if (strchr(c->path, '/'))
        ck_assert_int_eq(run_shell("mkdir -p '%s/net'", dir), 0);
    ck_assert_int_eq(run_shell("cp '%s/model.onnx' '%s/%s'", MODEL, dir, c->path), 0);

    char name[64];
    ref_model_name(c->path, name, sizeof name);
    ck_assert_str_eq(name, c->name);

    snprintf(cmd, sizeof cmd, "'%s' build '%s' -c '%s' --target all -o out", QONNXC_BIN, c->path,
             CONFIG);
    run_in(dir, "qonnxc build", cmd);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --engine int -i '%s/inputs.npy' -o int.npy",
             QONNXC_BIN, c->path, MODEL);
    run_in(dir, "qonnxc run --engine int", cmd);

    static const char *const targets[] = { "ref", "mcu", "npu", "hls" };
    for (int t = 0; t < 4; t++) {
        /* twice: the second make must find the executable up to date (an
         * executable called makefile would be read as the Makefile) */
        snprintf(cmd, sizeof cmd, "make -s -C out/%s && make -s -C out/%s", targets[t],
                 targets[t]);
        run_in(dir, cmd, cmd);
        snprintf(exe, sizeof exe, "%s%s", c->name, t == 3 ? "_csim" : "");
        snprintf(cmd, sizeof cmd, "out/%s/%s '%s/inputs.npy' %s.npy", targets[t], exe, MODEL,
                 targets[t]);
        run_in(dir, cmd, cmd);
        char a[1100], b[1100];
        snprintf(a, sizeof a, "%s/int.npy", dir);
        snprintf(b, sizeof b, "%s/%s.npy", dir, targets[t]);
        assert_same_files(a, b);
    }

    run_in(dir, "make lint", "make -s -C out/rtl lint");
    snprintf(path, sizeof path, "%s/log", dir);
    char *lint = read_whole_file(path, NULL);
    ck_assert_msg(lint && !lint[0], "verilator lint is not clean:\n%s", lint ? lint : "");
    free(lint);
    if (!strcmp(c->path, "model.onnx")) {
        run_in(dir, "make sim", "make -s -C out/rtl sim");
        snprintf(cmd, sizeof cmd, "out/rtl/%s_rtlsim '%s/inputs.npy' rtl.npy", c->name, MODEL);
        run_in(dir, cmd, cmd);
        char a[1100], b[1100];
        snprintf(a, sizeof a, "%s/int.npy", dir);
        snprintf(b, sizeof b, "%s/rtl.npy", dir);
        assert_same_files(a, b);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("model_names");
    TCase *tc = tcase_create("names");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, every_target_builds_and_runs, 0, N_CASES);
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
