/* qonnxc: the command line. Dispatches to one function per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: qonnxc <command> [options]\n"
    "\n"
    "commands:\n"
    "  info    MODEL [--limit NAME=VALUE]   ops, tensors, datatypes, parameter bits\n"
    "  run     MODEL -i IN.npy -o OUT.npy [--engine golden|int] [--limit NAME=VALUE]\n"
    "                                       run the model on a batch of frames\n"
    "  build   MODEL [-c CONFIG.yaml] -o DIR [--target ref,hls,rtl,mcu,npu|all]\n"
    "                                       generate code into DIR/<target>/\n"
    "  verify  MODEL [-c CONFIG.yaml] [-i IN.npy] [--frames N] [--target ref,hls,rtl,mcu,npu|all]\n"
    "                                       check every engine and target against golden\n"
    "  report  DIR [-m MODEL] [-c CONFIG.yaml] [--synth]\n"
    "                                       dataflow estimates into DIR/report/;\n"
    "                                       --synth: yosys on DIR/rtl beside them\n"
    "\n"
    "Limits (model-bytes, nodes, tensor-elements, ...): docs/limits.md.\n"
    "Exit codes: 0 ok, 2 usage, 3 bad model, 4 bad data, 5 limit exceeded, 6 internal.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "qonnxc: unknown command '%s'\n\n%s", cmd, usage);
    return EXIT_USAGE;
}
