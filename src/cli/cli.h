/* The subcommands of the qonnxc command line, one file each (src/cmd_*.c).
 * Each returns the process exit code; only these functions print. */
#ifndef QONNXC_CLI_H
#define QONNXC_CLI_H

#include "diag.h"
#include "pipeline.h"

/* A subcommand and its usage, defined next to it in src/cmd_<name>.c: the
 * top-level usage and `qonnxc <name> --help` both print from here. */
typedef struct CliCommand {
    const char *name;
    const char *synopsis;   /* the arguments after "qonnxc <name>" */
    const char *summary;    /* one line: what it does */
    const char *options;    /* one option per line, for --help */
    int (*run)(int argc, char **argv);
    bool takes_targets;     /* --help lists the targets (targets.h) */
    bool takes_steps;       /* --help lists the pipeline's steps (pipeline.h) */
} CliCommand;

extern const CliCommand cli_info, cli_run, cli_build, cli_verify, cli_report, cli_export;

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints the diagnostic to stderr as "qonnxc: error: ..." and returns its exit code. */
int cli_fail(const Diag *d);
/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The --input-type option of run, build and verify (docs/cli.md), for --help. */
#define CLI_INPUT_TYPE_HELP \
    "  --input-type TYPE     the fixed-point type of an unquantized float input:\n" \
    "                        'fixed<W,I>', 'ufixed<W,I>', INTn[@SCALE], UINTn[@SCALE]\n" \
    "                        (a Quant node is inserted on the input; docs/cli.md)\n"

/* The pipeline options of build, verify, report and run (pipeline.h). */
typedef struct CliPipelineArgs {
    bool verbose;             /* -v: "step i/n name ... ms" on stderr */
    const char *dump_after;   /* --dump-after STEP */
    const char *dump_to;      /* --dump-to FILE */
} CliPipelineArgs;

/* If argv[k] is one of those options (with its value), records it and
 * returns how many arguments it took; else 0. */
int cli_pipeline_option(int argc, char **argv, int k, CliPipelineArgs *a);
/* Copies them into the pipeline's options. */
void cli_pipeline_apply(const CliPipelineArgs *a, PipelineOptions *o);

#define CLI_PIPELINE_HELP \
    "  -v, --verbose         each step of the pipeline with its time, on stderr\n" \
    "  --dump-after STEP     the graph after STEP (steps below) as text (docs/cli.md)\n" \
    "  --dump-to FILE        write that dump to FILE instead of stdout; FILE.onnx:\n" \
    "                        the graph as an ONNX model\n"

#endif
