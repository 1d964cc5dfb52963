#include "cli_limits.h"

#include "cli.h"
#include "resource_limits.h"

int cli_limit_option(const char *cmd, const char *spec)
{
    Limits l = *limits_get();
    char err[512];
    if (!limits_parse(&l, spec, err, sizeof err))
        return cli_usage_error(cmd, "--limit: %s", err);
    limits_set(&l);
    return EXIT_OK;
}

void cli_limits_print_usage(FILE *f)
{
    fprintf(f, "limits (--limit NAME=VALUE, VALUE with an optional K/M/G/T suffix):\n");
    for (int k = 0; k < LIMIT_COUNT; k++)
        fprintf(f, "  %-18s %-14lld %s\n", limit_name((LimitId)k),
                (long long)limits_default.value[k], limit_description((LimitId)k));
}
