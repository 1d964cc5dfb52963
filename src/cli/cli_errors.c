/* How every subcommand reports a failure (cli.h): the one place the
 * command line prints a diagnostic and picks its exit code. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cli_fail(const Diag *d)
{
    fprintf(stderr, "qonnxc: error: %s\n", d->failed ? d->msg : "unknown failure");
    return d->exit_code ? d->exit_code : EXIT_BAD_MODEL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "qonnxc %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'qonnxc %s --help')\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}
