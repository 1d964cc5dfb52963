#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_init(Diag *d)
{
    memset(d, 0, sizeof *d);
}

static void append(Diag *d, const char *fmt, ...)
{
    if (d->len >= sizeof d->msg - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->msg + d->len, sizeof d->msg - d->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->len += (size_t)n;
    if (d->len > sizeof d->msg - 1)
        d->len = sizeof d->msg - 1;
}

bool diag_error(Diag *d, const char *file, const char *node_name, const char *op,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, file, node_name, op, fmt, ap);
    va_end(ap);
    return false;
}

bool diag_verror(Diag *d, const char *file, const char *node_name, const char *op,
                 const char *fmt, va_list ap)
{
    if (d->failed)
        append(d, "\n");
    else
        d->exit_code = EXIT_BAD_MODEL;
    d->failed = true;
    if (file)
        append(d, "%s: ", file);
    if (node_name || op)
        append(d, "node '%s' (%s): ", node_name && *node_name ? node_name : "<unnamed>",
               op ? op : "?");
    char body[2048];
    vsnprintf(body, sizeof body, fmt, ap);
    append(d, "%s", body);
    return false;
}

void diag_set_exit(Diag *d, int exit_code)
{
    d->exit_code = exit_code;
}

bool diag_invalid_after(Diag *d, const char *file, const char *what, const char *kind,
                        const char *name)
{
    diag_error(d, file, NULL, NULL, "(%s is invalid after %s %s: a bug in qonnxc)", what, kind,
               name);
    diag_set_exit(d, EXIT_INTERNAL);
    return false;
}
