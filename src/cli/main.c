/* qonnxc: the command line. Dispatches to one function per subcommand;
 * each subcommand's usage lives beside it (CliCommand, src/cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pipeline.h"
#include "targets.h"

static const CliCommand *const commands[] = {
    &cli_info, &cli_run, &cli_build, &cli_verify, &cli_report, &cli_export,
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void print_usage(FILE *f)
{
    fputs("usage: qonnxc <command> [options]\n"
          "       qonnxc <command> --help   the command's options\n"
          "       qonnxc --version\n"
          "\n"
          "commands:\n", f);
    for (int k = 0; k < N_COMMANDS; k++)
        fprintf(f, "  %-7s %s\n          %s\n", commands[k]->name, commands[k]->synopsis,
                commands[k]->summary);
    char names[256];
    target_names(names, sizeof names);
    fprintf(f, "\ntargets (build, verify --target): %s\n", names);
    pipeline_step_names(names, sizeof names);
    fprintf(f, "steps (-v, --dump-after): %s\n", names);
    fputs("Limits (model-bytes, nodes, tensor-elements, ...): docs/limits.md.\n"
          "Exit codes: 0 ok, 2 usage, 3 bad model, 4 bad data, 5 limit exceeded, 6 internal.\n",
          f);
}

static void print_command_help(const CliCommand *c)
{
    printf("usage: qonnxc %s %s\n\n%s\n\noptions:\n%s  -h, --help            this text\n",
           c->name, c->synopsis, c->summary, c->options);
    char names[256];
    if (c->takes_targets) {
        target_names(names, sizeof names);
        printf("\ntargets: %s\n", names);
    }
    if (c->takes_steps) {
        pipeline_step_names(names, sizeof names);
        printf("%ssteps: %s\n", c->takes_targets ? "" : "\n", names);
    }
}

static bool is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd) || !strcmp(cmd, "help")) {
        print_usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("qonnxc %s\n", QONNXC_VERSION);
        return EXIT_OK;
    }
    for (int k = 0; k < N_COMMANDS; k++) {
        if (strcmp(cmd, commands[k]->name))
            continue;
        /* -h or --help anywhere after the command: its usage, nothing run */
        for (int a = 2; a < argc; a++)
            if (is_help(argv[a])) {
                print_command_help(commands[k]);
                return EXIT_OK;
            }
        return commands[k]->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "qonnxc: unknown command '%s'\n\n", cmd);
    print_usage(stderr);
    return EXIT_USAGE;
}
