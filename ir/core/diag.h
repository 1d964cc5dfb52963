/* Diagnostics: library code fills one, only the CLI prints it.
 *
 * A message always names where the problem is: the file, and when there is
 * one, the node (name and op). diag_error formats
 *   "<file>: node '<name>' (<op>): <message>"
 * and keeps the first error; later ones are appended as extra lines so a
 * pass can report every unsupported op at once. */
#ifndef QONNXC_DIAG_H
#define QONNXC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes of the command line, documented in docs/cli.md. */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,        /* bad command line or config */
    EXIT_BAD_MODEL = 3,    /* model file unreadable, malformed or unsupported */
    EXIT_BAD_DATA = 4,     /* .npy input unreadable or not fitting the model */
    EXIT_LIMIT = 5,        /* a configured resource limit was exceeded */
    EXIT_INTERNAL = 6,     /* an engine disagreed or a tool failed */
};

typedef struct Diag {
    bool failed;
    int exit_code;         /* one of the EXIT_* above; EXIT_BAD_MODEL by default */
    size_t len;
    char msg[4096];
} Diag;

void diag_init(Diag *d);

/* file, node_name and op may be NULL. Returns false so callers can write
 * `return diag_error(...)` in functions returning bool. */
bool diag_error(Diag *d, const char *file, const char *node_name, const char *op,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

bool diag_verror(Diag *d, const char *file, const char *node_name, const char *op,
                 const char *fmt, va_list ap);

/* Sets the exit code the CLI should use for the error already recorded. */
void diag_set_exit(Diag *d, int exit_code);

/* What every pass driver says when its verifier rejects what a pass or
 * step made (the verifier's message is already in d): appends
 * "(<what> is invalid after <kind> <name>: a bug in qonnxc)", e.g. "(the
 * graph is invalid after streamline pass fold_bn: ...)", and sets
 * EXIT_INTERNAL. Returns false. */
bool diag_invalid_after(Diag *d, const char *file, const char *what, const char *kind,
                        const char *name);

#endif
