/* qonnxc run MODEL -i IN.npy -o OUT.npy [--engine golden|int] [--accumulate float32|double]
 *           [--limit NAME=VALUE]...
 *
 * Runs a batch of frames (the leading dim of IN.npy) through the model and
 * writes the outputs, float32, with the same leading dim. The graph is the
 * pipeline's (pipeline.h) after cleanup (golden) or streamline (int). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_limits.h"
#include "exec.h"
#include "npy.h"
#include "pipeline.h"

const CliCommand cli_run = {
    "run", "MODEL -i IN.npy -o OUT.npy [--engine golden|int] [--accumulate float32|double] "
    "[--input-type TYPE] [-q] [-v]",
    "run the model on a batch of frames (the first dimension of IN.npy)",
    "  -i, --input IN.npy    the frames\n"
    "  -o, --output OUT.npy  the outputs, float32\n"
    "  --engine golden|int   the golden executor (default) or the integer graph\n"
    "  --accumulate float32|double\n"
    "                        golden: sum Conv/MatMul/Gemm products in float32 (default)\n"
    "                        or in double, rounded once (docs/integer-graph.md)\n"
    CLI_INPUT_TYPE_HELP
    "  -q, --quiet           do not print the predicted classes\n"
    "  --limit NAME=VALUE    a resource limit (docs/limits.md)\n"
    CLI_PIPELINE_HELP,
    cmd_run,
    false,
    true,
};

typedef struct RunArgs {
    const char *model, *input, *output, *engine, *input_type, *accumulate;
    CliPipelineArgs steps;
    bool quiet;
} RunArgs;

static int parse_args(int argc, char **argv, RunArgs *a)
{
    memset(a, 0, sizeof *a);
    a->engine = "golden";
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        int used = cli_pipeline_option(argc, argv, k, &a->steps);
        if (used > 0)
            k += used - 1;
        else if ((!strcmp(arg, "-i") || !strcmp(arg, "--input")) && has_value)
            a->input = argv[++k];
        else if ((!strcmp(arg, "-o") || !strcmp(arg, "--output")) && has_value)
            a->output = argv[++k];
        else if (!strcmp(arg, "--engine") && has_value)
            a->engine = argv[++k];
        else if (!strcmp(arg, "--accumulate") && has_value)
            a->accumulate = argv[++k];
        else if (!strcmp(arg, "--input-type") && has_value)
            a->input_type = argv[++k];
        else if (!strcmp(arg, "--limit") && has_value) {
            if (cli_limit_option("run", argv[++k]) != EXIT_OK)
                return EXIT_USAGE;
        } else if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet"))
            a->quiet = true;
        else if (arg[0] == '-')
            return cli_usage_error("run", "unknown option or missing value: %s", arg);
        else if (!a->model)
            a->model = arg;
        else
            return cli_usage_error("run", "unexpected argument: %s", arg);
    }
    if (!a->model || !a->input || !a->output)
        return cli_usage_error("run", "needs MODEL, -i IN.npy and -o OUT.npy");
    if (strcmp(a->engine, "golden") && strcmp(a->engine, "int"))
        return cli_usage_error("run", "unknown engine '%s' (golden, int)", a->engine);
    if (a->accumulate && strcmp(a->accumulate, "float32") && strcmp(a->accumulate, "double"))
        return cli_usage_error("run", "unknown accumulation '%s' (float32, double)",
                               a->accumulate);
    if (a->accumulate && strcmp(a->engine, "golden"))
        return cli_usage_error("run", "--accumulate is for the golden engine; the int engine "
                               "sums integers exactly");
    return EXIT_OK;
}

/* The .npy data as a batched value for graph input t: frames along the
 * first dim, each frame of the input's declared shape. */
static Value *input_value(const Graph *g, const Tensor *t, const NpyArray *a, const char *path,
                          Diag *d)
{
    char want[128], got[128];
    Shape s = { a->rank, { 0 } };
    memcpy(s.dims, a->shape, sizeof(int64_t) * (size_t)a->rank);
    bool fits = t->shape.rank < 0 || t->shape.rank == a->rank;
    for (int k = 1; fits && k < a->rank; k++)
        fits = t->shape.dims[k] < 0 || t->shape.dims[k] == a->shape[k];
    if (!fits || a->rank < 1) {
        diag_error(d, path, NULL, NULL,
                   "data of shape %s does not fit input '%s' of %s, shape %s "
                   "(frames go along the first dimension)",
                   shape_str(&s, got, sizeof got), t->name, g->path,
                   shape_str(&t->shape, want, sizeof want));
        diag_set_exit(d, EXIT_BAD_DATA);
        return NULL;
    }
    float *f = NULL;
    if (!npy_to_f32(a, &f, d))
        return NULL;
    int et = elem_type_is_float(t->elem_type) || t->elem_type == ET_UNDEFINED ? ET_FLOAT
                                                                             : t->elem_type;
    Value *v = value_new(et, &s);
    if (!v) {
        free(f);
        diag_error(d, path, NULL, NULL, "out of memory");
        return NULL;
    }
    for (int64_t k = 0; k < v->count; k++)
        value_set(v, k, f[k]);
    free(f);
    return v;
}

static bool write_output(const char *path, const Value *v, Diag *d)
{
    float *f = malloc((size_t)(v->count ? v->count : 1) * sizeof *f);
    if (!f)
        return diag_error(d, path, NULL, NULL, "out of memory");
    for (int64_t k = 0; k < v->count; k++)
        f[k] = (float)value_get(v, k);
    bool ok = npy_write_f32(path, f, v->shape.rank, v->shape.dims, d);
    free(f);
    return ok;
}

/* One line of predicted classes when the output is [N, classes]. */
static void print_classes(const Tensor *t, const Value *v)
{
    if (v->shape.rank != 2 || v->shape.dims[1] < 2)
        return;
    int64_t frames = v->shape.dims[0], classes = v->shape.dims[1];
    printf("predicted classes (argmax of '%s', %lld frames):", t->name, (long long)frames);
    for (int64_t f = 0; f < frames; f++) {
        int64_t best = 0;
        for (int64_t c = 1; c < classes; c++)
            if (value_get(v, f * classes + c) > value_get(v, f * classes + best))
                best = c;
        printf(" %lld", (long long)best);
    }
    printf("\n");
}

int cmd_run(int argc, char **argv)
{
    RunArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    /* The int engine is the same interpreter on the streamlined graph. */
    PipelineOptions o = { .model = a.model, .input_type = a.input_type,
                          .stop_after = strcmp(a.engine, "int") ? "cleanup" : "streamline" };
    cli_pipeline_apply(&a.steps, &o);
    Pipeline p;
    if (!pipeline_init(&p, &o, &d) || !pipeline_run(&p, &d)) {
        pipeline_free(&p);
        return cli_fail(&d);
    }
    Graph *g = p.g;
    if (g->n_inputs != 1 || g->n_outputs != 1) {
        diag_error(&d, a.model, NULL, NULL,
                   "qonnxc run handles models with one input and one output; this one has %d and %d",
                   g->n_inputs, g->n_outputs);
        pipeline_free(&p);
        return cli_fail(&d);
    }
    NpyArray in;
    Value *input = NULL, *output = NULL;
    bool ok = npy_read(a.input, &in, &d);
    if (ok) {
        input = input_value(g, g->inputs[0], &in, a.input, &d);
        npy_free(&in);
        ok = input != NULL;
    }
    ExecOptions eo = { a.accumulate && !strcmp(a.accumulate, "double") ? GOLDEN_SUM_DOUBLE
                                                                       : GOLDEN_SUM_FLOAT32 };
    ok = ok && exec_run_frames_with(g, (const Value *const *)&input, &output, &eo, &d);
    ok = ok && write_output(a.output, output, &d);
    if (ok && !a.quiet)
        print_classes(g->outputs[0], output);
    value_free(input);
    value_free(output);
    pipeline_free(&p);
    return ok ? EXIT_OK : cli_fail(&d);
}
