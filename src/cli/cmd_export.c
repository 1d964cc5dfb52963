/* qonnxc export MODEL --format qcdq -o OUT.onnx [--input-type TYPE] [-v]
 *
 * Writes the model as standard ONNX (export_qcdq.h): the pipeline's graph
 * after cleanup, its QONNX quantizers rewritten. The file is written
 * whole or not at all: into OUT.onnx.tmp, renamed when complete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_limits.h"
#include "export_qcdq.h"
#include "pipeline.h"
#include "save_onnx.h"

const CliCommand cli_export = {
    "export", "MODEL --format qcdq -o OUT.onnx [--input-type TYPE] [-v]",
    "write the model as standard ONNX for ONNX Runtime or TensorRT (Quant as QCDQ)",
    "  --format qcdq         QuantizeLinear -> Clip -> DequantizeLinear where exact,\n"
    "                        exact float ops elsewhere (docs/cli.md, export)\n"
    "  -o, --output OUT.onnx the exported model (written whole or not at all)\n"
    CLI_INPUT_TYPE_HELP
    "  --limit NAME=VALUE    a resource limit (docs/limits.md)\n"
    CLI_PIPELINE_HELP,
    cmd_export,
    false,
    true,
};

typedef struct ExportArgs {
    const char *model, *output, *format, *input_type;
    CliPipelineArgs steps;
} ExportArgs;

static int parse_args(int argc, char **argv, ExportArgs *a)
{
    memset(a, 0, sizeof *a);
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        int used = cli_pipeline_option(argc, argv, k, &a->steps);
        if (used > 0)
            k += used - 1;
        else if ((!strcmp(arg, "-o") || !strcmp(arg, "--output")) && has_value)
            a->output = argv[++k];
        else if (!strcmp(arg, "--format") && has_value)
            a->format = argv[++k];
        else if (!strcmp(arg, "--input-type") && has_value)
            a->input_type = argv[++k];
        else if (!strcmp(arg, "--limit") && has_value) {
            if (cli_limit_option("export", argv[++k]) != EXIT_OK)
                return EXIT_USAGE;
        } else if (arg[0] == '-')
            return cli_usage_error("export", "unknown option or missing value: %s", arg);
        else if (!a->model)
            a->model = arg;
        else
            return cli_usage_error("export", "unexpected argument: %s", arg);
    }
    if (!a->model || !a->output || !a->format)
        return cli_usage_error("export", "needs MODEL, --format qcdq and -o OUT.onnx");
    if (strcmp(a->format, "qcdq"))
        return cli_usage_error("export", "unknown format '%s' (qcdq)", a->format);
    return EXIT_OK;
}

/* buf into path through path.tmp and a rename: no half-written file. */
static bool write_whole(const char *path, const uint8_t *buf, size_t len, Diag *d)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (!tmp)
        return diag_error(d, path, NULL, NULL, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    int err = 0;
    errno = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(buf, 1, len, f) != len)
        err = errno ? errno : EIO;
    if (f && fclose(f) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    bool ok = err == 0;
    if (!ok) {
        remove(tmp);
        diag_error(d, path, NULL, NULL, "cannot write the exported model: %s", strerror(err));
        diag_set_exit(d, EXIT_USAGE);
    }
    free(tmp);
    return ok;
}

int cmd_export(int argc, char **argv)
{
    ExportArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    PipelineOptions o = { .model = a.model, .input_type = a.input_type, .stop_after = "cleanup" };
    cli_pipeline_apply(&a.steps, &o);
    Pipeline p;
    ExportCounts c;
    uint8_t *buf = NULL;
    size_t len = 0;
    bool ok = pipeline_init(&p, &o, &d) && pipeline_run(&p, &d) && export_qcdq(p.g, &c, &d) &&
              onnx_save_mem(p.g, &buf, &len, &d) && write_whole(a.output, buf, len, &d);
    free(buf);
    pipeline_free(&p);
    if (!ok)
        return cli_fail(&d);
    printf("exported %s: %d Quant as QCDQ, %d Quant as float ops, %d bipolar, %d Trunc\n",
           a.output, c.qcdq, c.float_quant, c.bipolar, c.trunc);
    return EXIT_OK;
}
