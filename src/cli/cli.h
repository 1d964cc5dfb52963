/* The subcommands of the qonnxc command line, one file each (src/cmd_*.c).
 * Each returns the process exit code; only these functions print. */
#ifndef QONNXC_CLI_H
#define QONNXC_CLI_H

#include "diag.h"

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints the diagnostic to stderr as "qonnxc: error: ..." and returns its exit code. */
int cli_fail(const Diag *d);
/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
