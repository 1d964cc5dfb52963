/* -v, --dump-after and --dump-to: the options every command that runs the
 * pipeline takes (cli.h). */
#include <string.h>

#include "cli.h"

int cli_pipeline_option(int argc, char **argv, int k, CliPipelineArgs *a)
{
    const char *arg = argv[k];
    bool has_value = k + 1 < argc;
    if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
        a->verbose = true;
        return 1;
    }
    if (!strcmp(arg, "--dump-after") && has_value) {
        a->dump_after = argv[k + 1];
        return 2;
    }
    if (!strcmp(arg, "--dump-to") && has_value) {
        a->dump_to = argv[k + 1];
        return 2;
    }
    return 0;
}

void cli_pipeline_apply(const CliPipelineArgs *a, PipelineOptions *o)
{
    o->verbose = a->verbose;
    o->dump_after = a->dump_after;
    o->dump_to = a->dump_to;
}
