/* `qonnxc verify --target all` gives every target its row, whatever happens
 * to the others, and an interrupted verify leaves no temporary files. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_cli.h"

#define TFC TESTS_DIR "/models/TFC_1W1A/model.onnx"

/* The row of target `name` in verify's table ("\nname " up to the line's end). */
static char *row_of(const char *out, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *p = strstr(out, key);
    if (!p)
        return NULL;
    p++;
    size_t n = strcspn(p, "\n");
    char *row = malloc(n + 1);
    memcpy(row, p, n);
    row[n] = '\0';
    return row;
}

/* A configuration ending in labels (top-1 LabelSelect) is one the hls and
 * rtl targets refuse to compare (they would output class indices, not
 * scores); ref, mcu and npu still run and are exact. Before, verify stopped
 * at hls with no table. */
START_TEST(all_targets_get_a_row)
{
    char *tmp = make_temp_dir("verify-rows");
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/labels.yaml", tmp);
    FILE *f = fopen(cfg, "w");
    fputs("labels: 1\n", f);
    fclose(f);
    const char *args[] = { "verify", TFC, "-c", cfg, "--target", "all", "--frames", "3", NULL };
    CliResult r = run_qonnxc(args);
    /* not every row is exact: the refusal's exit code, bad model (3) */
    ck_assert_msg(r.exit_code == 3, "exit %d\n%s%s", r.exit_code, r.out, r.err);
    const char *exact[] = { "ref", "mcu", "npu" }, *refused[] = { "hls", "rtl" };
    for (int k = 0; k < 3; k++) {
        char *row = row_of(r.out, exact[k]);
        ck_assert_msg(row, "no %s row:\n%s", exact[k], r.out);
        ck_assert_msg(strstr(row, " 3/3 ") && strstr(row, "exact"), "%s", row);
        free(row);
    }
    for (int k = 0; k < 2; k++) {
        char *row = row_of(r.out, refused[k]);
        ck_assert_msg(row, "no %s row:\n%s", refused[k], r.out);
        ck_assert_msg(strstr(row, "unsupported: ") && strstr(row, "labels"), "%s", row);
        free(row);
    }
    cli_result_free(&r);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

/* The number of qonnxc-verify-* entries in dir. */
static int verify_dirs(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += !strncmp(e->d_name, "qonnxc-verify-", 14);
    if (d)
        closedir(d);
    return n;
}

/* SIGINT while verify builds the ref target (make and cc running in its
 * temporary folder): the child is stopped, the folder removed, and verify
 * exits with 128 + SIGINT and says so. */
START_TEST(sigint_removes_the_temporary_folder)
{
    char *tmp = make_temp_dir("verify-sigint");
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/out.txt", tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("TMPDIR", tmp, 1);
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(99);
        execl(QONNXC_BIN, "qonnxc", "verify", TFC, "--target", "ref", "--frames", "3",
              (char *)NULL);
        _exit(98);
    }
    /* wait for the temporary folder and for make to have started in it */
    struct timespec pause = { 0, 5 * 1000 * 1000 };
    int waited = 0, status = 0;
    bool started = false;
    while (!started && waited++ < 2000 && waitpid(pid, &status, WNOHANG) == 0) {
        started = verify_dirs(tmp) == 1 &&
                  run_shell("test -s \"$(ls -d '%s'/qonnxc-verify-*)/log.txt\" || "
                            "test -d \"$(ls -d '%s'/qonnxc-verify-*)/build/ref\"", tmp, tmp) == 0;
        if (!started)
            nanosleep(&pause, NULL);
    }
    ck_assert_msg(started, "verify never created its temporary folder");
    kill(pid, SIGINT);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    char *text = read_whole_file(err, NULL);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT, "status %d: %s",
                  status, text);
    ck_assert_msg(text && strstr(text, "interrupted by SIGINT"), "%s", text);
    ck_assert_int_eq(verify_dirs(tmp), 0);
    free(text);
    rm_rf(tmp);
    free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("verify_rows");
    TCase *tc = tcase_create("verify");
    tcase_add_test(tc, all_targets_get_a_row);
    tcase_add_test(tc, sigint_removes_the_temporary_folder);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
