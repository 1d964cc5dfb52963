/* What a user tries first (issue 12, defect 8): qonnxc --version, any
 * command's --help, and `cmake --install` putting qonnxc and its
 * documentation under a prefix. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_cli.h"

/* Every command with the options its --help must list. */
static const struct {
    const char *name;
    const char *options[8];
} commands[] = {
    { "info", { "--limit", NULL } },
    { "run", { "--input", "--output", "--engine", "--accumulate", "--input-type", "--quiet",
               "--limit", NULL } },
    { "build", { "--output", "--config", "--target", "--input-type", "--size-fifos", NULL } },
    { "verify", { "--config", "--input", "--frames", "--target", "--input-type", "--keep", NULL } },
    { "report", { "--model", "--config", "--synth", NULL } },
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static CliResult qonnxc(const char *a, const char *b, const char *c)
{
    const char *args[] = { a, b, c, NULL };
    return run_qonnxc(args);
}

/* The version is defined once, in CMakeLists.txt's project(); the binary
 * prints that one. */
START_TEST(test_version)
{
    char *cmake = read_whole_file(TESTS_DIR "/../CMakeLists.txt", NULL);
    ck_assert_ptr_nonnull(cmake);
    char want[64];
    snprintf(want, sizeof want, "project(qonnxc VERSION %s ", QONNXC_VERSION);
    ck_assert_msg(strstr(cmake, want), "CMakeLists.txt lacks '%s'", want);
    free(cmake);
    CliResult r = qonnxc("--version", NULL, NULL);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_str_eq(r.out, "qonnxc " QONNXC_VERSION "\n");
    ck_assert_str_eq(r.err, "");
    cli_result_free(&r);
}
END_TEST

/* CMD --help and CMD -h: the command's usage on stdout, exit 0; its
 * synopsis is the one the top-level usage shows (one text, no drift). */
START_TEST(test_command_help)
{
    CliResult top = qonnxc("--help", NULL, NULL);
    ck_assert_int_eq(top.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(top.out, "qonnxc <command> --help"));
    for (int c = 0; c < N_COMMANDS; c++) {
        const char *name = commands[c].name;
        CliResult r = qonnxc(name, "--help", NULL), h = qonnxc(name, "-h", NULL);
        ck_assert_msg(r.exit_code == 0, "%s --help: exit %d, stderr %s", name, r.exit_code, r.err);
        ck_assert_str_eq(r.err, "");
        ck_assert_str_eq(h.out, r.out);
        ck_assert_int_eq(h.exit_code, 0);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "usage: qonnxc %s ", name);
        ck_assert_msg(!strncmp(r.out, prefix, strlen(prefix)), "%s --help: %s", name, r.out);
        const char *synopsis = r.out + strlen(prefix);
        char line[256];
        snprintf(line, sizeof line, "  %-7s %.*s\n", name, (int)strcspn(synopsis, "\n"), synopsis);
        ck_assert_msg(strstr(top.out, line), "the top-level usage lacks '%s': %s", line, top.out);
        for (int o = 0; commands[c].options[o]; o++)
            ck_assert_msg(strstr(r.out, commands[c].options[o]), "%s --help lacks %s: %s", name,
                          commands[c].options[o], r.out);
        cli_result_free(&r);
        cli_result_free(&h);
    }
    cli_result_free(&top);
}
END_TEST

/* --help anywhere after the command wins: nothing is built. */
START_TEST(test_help_among_arguments)
{
    char *tmp = make_temp_dir("cli-help");
    char out[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *args[] = { "build", "missing.onnx", "-o", out, "--help", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: qonnxc build"));
    ck_assert(!file_exists(out));
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* Mistakes stay usage errors (exit 2), pointing at the command's --help. */
START_TEST(test_usage_errors_point_to_help)
{
    CliResult r = qonnxc("build", "--bogus", NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "see 'qonnxc build --help'"));
    cli_result_free(&r);
    r = qonnxc("frobnicate", NULL, NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    cli_result_free(&r);
    r = qonnxc(NULL, NULL, NULL);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "usage: qonnxc"));
    cli_result_free(&r);
}
END_TEST

/* cmake --install BUILD --prefix DIR: DIR/bin/qonnxc runs, the docs are in
 * DIR/share/doc/qonnxc. */
START_TEST(test_install)
{
    char *prefix = make_temp_dir("install");
    const char *install[] = { CMAKE_BIN, "--install", BUILD_DIR, "--prefix", prefix, NULL };
    CliResult r = run_cmd(install);
    ck_assert_msg(r.exit_code == 0, "cmake --install: exit %d\n%s%s", r.exit_code, r.out, r.err);
    cli_result_free(&r);
    char path[600];
    snprintf(path, sizeof path, "%s/bin/qonnxc", prefix);
    const char *version[] = { path, "--version", NULL };
    r = run_cmd(version);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_str_eq(r.out, "qonnxc " QONNXC_VERSION "\n");
    cli_result_free(&r);
    static const char *const docs[] = { "README.md", "cli.md", "integer-graph.md", "limits.md" };
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/share/doc/qonnxc/%s", prefix, docs[k]);
        ck_assert_msg(file_exists(path), "%s was not installed", path);
    }
    rm_rf(prefix);
    free(prefix);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_help");
    TCase *tc = tcase_create("help");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_command_help);
    tcase_add_test(tc, test_help_among_arguments);
    tcase_add_test(tc, test_usage_errors_point_to_help);
    tcase_add_test(tc, test_install);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
