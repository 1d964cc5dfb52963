/* The --limit NAME=VALUE option of the subcommands that load a model
 * (docs/limits.md): sets one resource limit for the rest of the process. */
#ifndef QONNXC_CLI_LIMITS_H
#define QONNXC_CLI_LIMITS_H

#include <stdio.h>

/* Applies "NAME=VALUE" to the process-wide limits. Returns EXIT_OK, or
 * prints a usage error for subcommand `cmd` and returns EXIT_USAGE. */
int cli_limit_option(const char *cmd, const char *spec);

/* Lines for a usage text: the option and each limit with its default. */
void cli_limits_print_usage(FILE *f);

#endif
