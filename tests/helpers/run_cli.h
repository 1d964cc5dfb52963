/* Runs the qonnxc binary (or any command) from a test and captures what it
 * printed, so end-to-end tests check exit codes and messages as a user
 * sees them. */
#ifndef QONNXC_TESTS_RUN_CLI_H
#define QONNXC_TESTS_RUN_CLI_H

#include <stddef.h>

typedef struct CliResult {
    int exit_code;      /* -1 if the process did not exit normally */
    char *out, *err;    /* captured stdout / stderr, NUL-terminated, malloc'ed */
} CliResult;

/* argv[0] is the program; argv ends with NULL. */
CliResult run_cmd(const char *const *argv);
/* Runs QONNXC_BIN with the given arguments (NULL-terminated). */
CliResult run_qonnxc(const char *const *args);
void cli_result_free(CliResult *r);

/* Runs a printf-formatted command line with /bin/sh; its exit status, or -1. */
int run_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole file, NUL-terminated, malloc'ed; NULL if it cannot be opened.
 * len (may be NULL) receives its size. */
char *read_whole_file(const char *path, size_t *len);
/* Writes text as the whole file (fails the test if it cannot). */
void write_whole_file(const char *path, const char *text);

/* A fresh empty directory under /tmp for one test; removed by rm_rf. */
char *make_temp_dir(const char *tag);
void rm_rf(const char *path);
int file_exists(const char *path);

#endif
