/* qonnxc verify MODEL [-c CONFIG.yaml] [-i IN.npy] [--frames N] [--target LIST] [--keep]
 *
 * Runs the same frames through every engine and target and compares:
 *
 *   golden  the cleaned QONNX graph in float32 (exec_run_frames): the oracle
 *   int     the integer graph (streamline_graph) in the int engine
 *   ref     the `ref` target, built into a temporary directory, compiled
 *           with the host's make and cc, run on the frames
 *   hls     the `hls` target (folded as CONFIG says), its C simulation
 *           built and run the same way
 *   rtl     the `rtl` target, simulated by Verilator (make sim)
 *   mcu     the `mcu` and `npu` targets, compiled for the host
 *   npu
 *
 * LIST: target names separated by commas (default ref), all or none.
 * Integer level: every target must give exactly the int engine's integers
 * before OutputAffine (--int) and bit for bit its float outputs. Float
 * level, int and every target against golden: per frame the largest
 * difference relative to the frame's largest golden magnitude, at most
 * 1e-5, and the same argmax. Without -i, N random frames (fixed seed): uniform in [0, 1),
 * or -1/+1 when the input is annotated BIPOLAR.
 *
 * Every target asked for gets a row, whatever happens to the others:
 * exact, mismatch, unsupported (the target refuses the model or config:
 * the reason) or failed (its build or run failed: the reason; details on
 * stderr). Exit status 0 when every row is exact; else EXIT_INTERNAL when
 * a row mismatches, else a failed row's code (EXIT_INTERNAL for a tool,
 * EXIT_USAGE for a config), else the refusal's (EXIT_BAD_MODEL). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child_run.h"
#include "cli.h"
#include "config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_rtl.h"
#include "emit_mcu.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_util.h"
#include "exec.h"
#include "frontend.h"
#include "npy.h"
#include "ops.h"
#include "streamline.h"

const CliCommand cli_verify = {
    "verify", "MODEL [-c CONFIG.yaml] [-i IN.npy] [--frames N] [--target ref,hls,rtl,mcu,npu|all]",
    "check the integer engine and every target against golden",
    "  -c, --config FILE     the build configuration (YAML; docs/dataflow.md)\n"
    "  -i, --input IN.npy    the frames (default: random, fixed seed)\n"
    "  --frames N            how many frames (default 100)\n"
    "  -t, --target LIST     targets, comma-separated, all or none (default ref)\n"
    CLI_INPUT_TYPE_HELP
    "  --keep                keep the temporary build folders\n"
    "  -v, --verbose         progress of long steps even when stderr is not a terminal\n",
    cmd_verify,
};

#define VERIFY_TOLERANCE 1e-5
#define VERIFY_DEFAULT_FRAMES 100
#define VERIFY_SEED 0x51A7E5EDu
#define VERIFY_MAX_REPORTS 10

/* The targets verify can build and run, in the order it reports them. */
typedef enum { VT_REF, VT_HLS, VT_RTL, VT_MCU, VT_NPU, VT_COUNT } VerifyTarget;

typedef struct TargetInfo {
    const char *name;
    const char *exe_suffix;   /* the executable is <model name><suffix> */
    const char *make_goal;    /* NULL: the Makefile's default goal */
    bool dataflow;            /* emitted from the dataflow graph, folded as CONFIG says */
} TargetInfo;

static const TargetInfo targets[VT_COUNT] = {
    [VT_REF] = { "ref", "", NULL, false },
    [VT_HLS] = { "hls", "_csim", NULL, true },
    [VT_RTL] = { "rtl", "_rtlsim", "sim", true },
    [VT_MCU] = { "mcu", "", NULL, false },
    [VT_NPU] = { "npu", "", NULL, false },
};

typedef struct VerifyArgs {
    const char *model, *config, *input;
    long frames;
    bool keep;
    bool verbose;         /* progress of long steps even when stderr is not a terminal */
    bool want[VT_COUNT];
    FrontendOptions front;
} VerifyArgs;

/* --target: a comma-separated list of target names, or all, or none. */
static int parse_targets(const char *list, bool want[VT_COUNT])
{
    memset(want, 0, sizeof(bool) * VT_COUNT);
    if (!strcmp(list, "none"))
        return EXIT_OK;
    if (!strcmp(list, "all")) {
        for (int t = 0; t < VT_COUNT; t++)
            want[t] = true;
        return EXIT_OK;
    }
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        int found = -1;
        for (int t = 0; t < VT_COUNT; t++)
            if (strlen(targets[t].name) == len && !strncmp(p, targets[t].name, len))
                found = t;
        if (found < 0)
            return cli_usage_error("verify", "unknown target '%.*s' in '%s' (targets: ref, hls, "
                                   "rtl, mcu, npu, as a comma-separated list; all; none)",
                                   (int)len, p, list);
        want[found] = true;
        p += len + (p[len] == ',');
    }
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, VerifyArgs *a)
{
    memset(a, 0, sizeof *a);
    a->frames = -1;
    a->want[VT_REF] = true;
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        bool has_value = k + 1 < argc;
        if ((!strcmp(arg, "-i") || !strcmp(arg, "--input")) && has_value) {
            a->input = argv[++k];
        } else if ((!strcmp(arg, "-c") || !strcmp(arg, "--config")) && has_value) {
            a->config = argv[++k];
        } else if (!strcmp(arg, "--frames") && has_value) {
            char *end;
            a->frames = strtol(argv[++k], &end, 10);
            if (*end || a->frames < 1 || a->frames > 1000000)
                return cli_usage_error("verify", "--frames needs a count from 1 to 1000000, not "
                                       "'%s'", argv[k]);
        } else if ((!strcmp(arg, "-t") || !strcmp(arg, "--target")) && has_value) {
            int rc = parse_targets(argv[++k], a->want);
            if (rc != EXIT_OK)
                return rc;
        } else if (!strcmp(arg, "--input-type") && has_value) {
            a->front.input_type = argv[++k];
        } else if (!strcmp(arg, "--keep")) {
            a->keep = true;
        } else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
            a->verbose = true;
        } else if (arg[0] == '-' && arg[1]) {
            return cli_usage_error("verify", "unknown option or missing value: %s", arg);
        } else if (!a->model) {
            a->model = arg;
        } else {
            return cli_usage_error("verify", "unexpected argument: %s", arg);
        }
    }
    if (!a->model)
        return cli_usage_error("verify", "needs MODEL");
    if (a->config) {
        FILE *f = fopen(a->config, "r");
        if (!f)
            return cli_usage_error("verify", "cannot read the configuration %s", a->config);
        fclose(f);
    }
    return EXIT_OK;
}

/* ---- inputs -------------------------------------------------------------- */

static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* The frames: from IN.npy (the first `frames` of it) or random. */
static Value *make_inputs(const Graph *g, const VerifyArgs *a, char *what, size_t what_size,
                          Diag *d)
{
    const Tensor *t = g->inputs[0];
    char want[96], got[96];
    Shape s = t->shape;
    if (s.rank < 1 || !shape_known(&s))
        return diag_error(d, g->path, NULL, NULL, "input '%s' has no known shape", t->name), NULL;
    if (!a->input) {
        s.dims[0] = a->frames > 0 ? a->frames : VERIFY_DEFAULT_FRAMES;
        Value *v = value_new(ET_FLOAT, &s);
        if (!v)
            return diag_error(d, g->path, NULL, NULL, "out of memory"), NULL;
        bool bipolar = t->qdt && !strcmp(t->qdt, "BIPOLAR");
        uint32_t seed = VERIFY_SEED;
        for (int64_t k = 0; k < v->count; k++) {
            uint32_t r = rng_next(&seed);
            v->f[k] = bipolar ? (r & 1u ? 1.0f : -1.0f) : (float)(r >> 8) * (1.0f / 16777216.0f);
        }
        snprintf(what, what_size, "%lld random frames (%s, fixed seed)", (long long)s.dims[0],
                 bipolar ? "-1/+1" : "uniform in [0, 1)");
        return v;
    }
    NpyArray arr;
    if (!npy_read(a->input, &arr, d))
        return NULL;
    Shape got_s = { arr.rank, { 0 } };
    memcpy(got_s.dims, arr.shape, sizeof(int64_t) * (size_t)arr.rank);
    bool fits = arr.rank == s.rank && arr.rank >= 1;
    for (int k = 1; fits && k < arr.rank; k++)
        fits = arr.shape[k] == s.dims[k];
    float *f = NULL;
    if (!fits) {
        npy_free(&arr);
        diag_error(d, a->input, NULL, NULL, "data of shape %s does not fit input '%s' of shape %s "
                   "(frames go along the first dimension)", shape_str(&got_s, got, sizeof got),
                   t->name, shape_str(&t->shape, want, sizeof want));
        diag_set_exit(d, EXIT_BAD_DATA);
        return NULL;
    }
    bool conv = npy_to_f32(&arr, &f, d);
    int64_t frames = arr.shape[0];
    npy_free(&arr);
    if (!conv)
        return NULL;
    if (a->frames > 0 && a->frames < frames)
        frames = a->frames;
    s.dims[0] = frames;
    Value *v = value_new(ET_FLOAT, &s);
    if (v)
        memcpy(v->f, f, (size_t)v->count * sizeof(float));
    free(f);
    if (!v)
        diag_error(d, a->input, NULL, NULL, "out of memory");
    snprintf(what, what_size, "%lld frames of %s", (long long)frames, a->input);
    return v;
}

/* ---- building and running a target --------------------------------------- */

/* A failed step: the message names it and quotes the end of the log. */
static bool step_failed(const char *target, const char *what, const char *log, Diag *d)
{
    char tail[1600] = "";
    FILE *f = fopen(log, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
        size_t n = fread(tail, 1, sizeof tail - 1, f);
        tail[n] = '\0';
        fclose(f);
    }
    diag_error(d, NULL, NULL, NULL, "%s target: %s failed:\n%s", target, what, tail);
    diag_set_exit(d, EXIT_INTERNAL);
    return false;
}

static char *path_in(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

static Value *read_output(const char *path, int elem_type, Diag *d)
{
    NpyArray arr;
    if (!npy_read(path, &arr, d))
        return NULL;
    Shape s = { arr.rank, { 0 } };
    memcpy(s.dims, arr.shape, sizeof(int64_t) * (size_t)arr.rank);
    Value *v = value_new(elem_type, &s);
    if (v && elem_type == ET_FLOAT && arr.dtype == NPY_F32)
        memcpy(v->f, arr.data, (size_t)v->count * sizeof(float));
    else if (v && elem_type == ET_INT64 && arr.dtype == NPY_I32)
        for (int64_t k = 0; k < v->count; k++)
            v->i[k] = ((const int32_t *)arr.data)[k];
    else if (v) {
        value_free(v);
        v = NULL;
        diag_error(d, path, NULL, NULL, "unexpected dtype %s", npy_dtype_name(arr.dtype));
    }
    npy_free(&arr);
    return v;
}

static bool emit_target(VerifyTarget t, const Graph *ig, const Dataflow *df, const char *model,
                        const char *name, OutTree *tree, Diag *d)
{
    switch (t) {
    case VT_REF: return emit_ref(ig, model, name, tree, d);
    case VT_HLS: return emit_hls(df, model, name, tree, d);
    case VT_RTL: return emit_rtl(df, model, name, tree, d);
    case VT_MCU: return emit_mcu(ig, model, name, tree, d);
    case VT_NPU: return emit_npu(ig, model, name, tree, NULL, d);
    case VT_COUNT: break;
    }
    return false;
}

/* Builds target t (from the integer graph, or the dataflow graph df) in a
 * temporary directory with its own Makefile and the host's cc, and runs
 * the executable on the frames: float outputs and, with --int, the
 * integer outputs. The rtl simulation reports its progress (child_run.h);
 * an interrupt ends the run and the directory is removed all the same. */
static bool run_target(VerifyTarget t, Graph *ig, const Dataflow *df, const char *model,
                       const Value *in, const VerifyArgs *a, Value **out_f, Value **out_i,
                       Diag *d)
{
    ChildProgress progress[2] = { { "rtl simulation, float outputs", false },
                                  { "rtl simulation, integer outputs", false } };
    progress[0].show = progress[1].show = a->verbose || isatty(2);
    bool follow = t == VT_RTL;
    const TargetInfo *ti = &targets[t];
    char name[64], tmpl[4096], sub[80], exe[160];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/qonnxc-verify-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(tmpl))
        return diag_error(d, tmpl, NULL, NULL, "cannot create a temporary directory: %s",
                          strerror(errno));
    ref_model_name(model, name, sizeof name);
    snprintf(sub, sizeof sub, "build/%s", ti->name);
    snprintf(exe, sizeof exe, "%s%s", name, ti->exe_suffix);
    OutTree tree;
    outtree_init(&tree);
    char *build = path_in(tmpl, "build"), *dir = path_in(tmpl, sub),
         *log = path_in(tmpl, "log.txt"), *in_path = path_in(tmpl, "in.npy"),
         *f_path = path_in(tmpl, "out.npy"), *i_path = path_in(tmpl, "out_int.npy"),
         *exe_path = dir ? path_in(dir, exe) : NULL;
    bool ok = build && dir && log && in_path && f_path && i_path && exe_path;
    if (!ok)
        diag_error(d, NULL, NULL, NULL, "out of memory");
    ok = ok && emit_target(t, ig, df, model, name, &tree, d) && outtree_commit(&tree, build, d);
    ok = ok && npy_write_f32(in_path, in->f, in->shape.rank, in->shape.dims, d);
    if (ok) {
        char *make[] = { "make", "-s", "-C", dir, (char *)ti->make_goal, NULL };
        ok = child_run(make, log, NULL) || step_failed(ti->name, "make (the host's cc)", log, d);
    }
    if (ok) {
        char *run[] = { exe_path, in_path, f_path, NULL };
        char *run_rtl[] = { exe_path, "--progress-fd", CHILD_PROGRESS_FD_ARG, in_path, f_path,
                            NULL };
        ok = child_run(follow ? run_rtl : run, log, follow ? &progress[0] : NULL) ||
             step_failed(ti->name, "running the executable", log, d);
    }
    if (ok) {
        char *run[] = { exe_path, "--int", in_path, i_path, NULL };
        char *run_rtl[] = { exe_path, "--int", "--progress-fd", CHILD_PROGRESS_FD_ARG, in_path,
                            i_path, NULL };
        ok = child_run(follow ? run_rtl : run, log, follow ? &progress[1] : NULL) ||
             step_failed(ti->name, "running the executable with --int", log, d);
    }
    ok = ok && (*out_f = read_output(f_path, ET_FLOAT, d)) != NULL;
    ok = ok && (*out_i = read_output(i_path, ET_INT64, d)) != NULL;
    if (a->keep && !interrupted_signal())
        printf("%s build kept in %s\n", ti->name, tmpl);
    else
        remove_tree(tmpl);
    outtree_free(&tree);
    free(build);
    free(dir);
    free(log);
    free(in_path);
    free(f_path);
    free(i_path);
    free(exe_path);
    return ok;
}

/* ---- comparison ---------------------------------------------------------- */

typedef struct Score {
    const char *name;
    int64_t frames, exact, argmax_agree;
    bool has_int;          /* compared at the integer level */
    bool has_argmax;       /* at least two outputs per frame */
    double max_err;
    int reports;
} Score;

static int64_t argmax(const float *v, int64_t n)
{
    int64_t best = 0;
    for (int64_t k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}

static void report(Score *s, int64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(Score *s, int64_t frame, const char *fmt, ...)
{
    if (s->reports++ >= VERIFY_MAX_REPORTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  %s, frame %lld: ", s->name, (long long)frame);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* Float outputs against golden, frame by frame. */
static void compare_float(Score *s, const Value *out, const Value *golden)
{
    int64_t frames = golden->shape.dims[0], per = golden->count / frames;
    s->frames = frames;
    s->has_argmax = per >= 2;
    for (int64_t f = 0; f < frames; f++) {
        const float *o = out->f + f * per, *g = golden->f + f * per;
        double scale = 0, diff = 0;
        for (int64_t k = 0; k < per; k++) {
            scale = fmax(scale, fabs((double)g[k]));
            double dk = fabs((double)o[k] - (double)g[k]);
            diff = isnan(dk) || (isnan((double)o[k]) != isnan((double)g[k])) ? INFINITY
                                                                              : fmax(diff, dk);
        }
        double err = diff == 0 ? 0 : diff / fmax(scale, 1e-30);
        s->max_err = fmax(s->max_err, err);
        if (err > VERIFY_TOLERANCE)
            report(s, f, "output differs from golden by %.3g (relative)", err);
        if (!s->has_argmax || argmax(o, per) == argmax(g, per))
            s->argmax_agree++;
        else
            report(s, f, "argmax %lld, golden %lld", (long long)argmax(o, per),
                   (long long)argmax(g, per));
    }
}

/* ref against the int engine: integers equal, floats bit-identical. */
static void compare_int(Score *s, const Value *ref_i, const Value *ref_f, const Value *eng_i,
                        const Value *eng_f)
{
    int64_t frames = eng_f->shape.dims[0], per_i = eng_i->count / frames;
    int64_t per_f = eng_f->count / frames;
    s->has_int = true;
    for (int64_t f = 0; f < frames; f++) {
        int64_t bad = -1;
        for (int64_t k = 0; k < per_i && bad < 0; k++)
            if (ref_i->i[f * per_i + k] != eng_i->i[f * per_i + k])
                bad = k;
        bool same_f = memcmp(ref_f->f + f * per_f, eng_f->f + f * per_f,
                             (size_t)per_f * sizeof(float)) == 0;
        if (bad < 0 && same_f)
            s->exact++;
        else if (bad >= 0)
            report(s, f, "integer output %lld is %lld, the int engine's %lld", (long long)bad,
                   (long long)ref_i->i[f * per_i + bad], (long long)eng_i->i[f * per_i + bad]);
        else
            report(s, f, "float outputs are not bit-identical to the int engine's");
    }
}

static bool score_ok(const Score *s)
{
    return s->max_err <= VERIFY_TOLERANCE && s->argmax_agree == s->frames &&
           (!s->has_int || s->exact == s->frames);
}

static void print_row(const Score *s)
{
    char exact[48], arg[48];
    if (s->has_int)
        snprintf(exact, sizeof exact, "%lld/%lld", (long long)s->exact, (long long)s->frames);
    else
        snprintf(exact, sizeof exact, "-");
    if (s->has_argmax)
        snprintf(arg, sizeof arg, "%lld/%lld", (long long)s->argmax_agree, (long long)s->frames);
    else
        snprintf(arg, sizeof arg, "n/a");
    printf("%-8s %8lld  %-12s %-12.3g %-12s %s\n", s->name, (long long)s->frames, exact, s->max_err,
           arg, score_ok(s) ? "exact" : "mismatch");
}

/* The int graph also hands out OutputAffine's input, the integer outputs. */
static bool expose_integers(Graph *g, Diag *d)
{
    const Node *oa = NULL;
    for (int k = 0; k < g->n_nodes; k++)
        if (node_kind(g->nodes[k]) == OP_OUTPUT_AFFINE)
            oa = g->nodes[k];
    if (!oa || !oa->inputs[0])
        return diag_error(d, g->path, NULL, NULL, "the integer graph has no OutputAffine");
    Tensor **outs = arena_array(&g->arena, (size_t)g->n_outputs + 1, sizeof *outs);
    if (!outs)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    memcpy(outs, g->outputs, sizeof *outs * (size_t)g->n_outputs);
    outs[g->n_outputs] = oa->inputs[0];
    oa->inputs[0]->is_graph_output = true;
    g->outputs = outs;
    g->n_outputs++;
    return true;
}

/* The dataflow graph of the hls and rtl targets, built once from CONFIG;
 * a failure is kept and given to every target that needs it. */
typedef struct DataflowOnce {
    bool tried, built;
    Diag failure;
} DataflowOnce;

static bool need_dataflow(Graph *ig, const VerifyArgs *a, const char *target, BuildConfig *cfg,
                          Dataflow *df, DataflowOnce *once, Diag *d)
{
    if (!once->tried) {
        once->tried = true;
        diag_init(&once->failure);
        once->built = (!a->config || config_load(cfg, a->config, &once->failure)) &&
                      dataflow_build(ig, cfg, df, &once->failure);
    }
    if (!once->built) {
        *d = once->failure;
        return false;
    }
    if (df->labels_out)
        return diag_error(d, a->config, NULL, NULL, "verify --target %s compares scores; this "
                          "configuration ends in labels (labels: %d)", target, cfg->labels);
    return true;
}

/* A target that gave no outputs: why, for its row. */
typedef struct TargetFailure {
    bool failed;
    int exit_code;
    char reason[200];      /* the first line of the message */
} TargetFailure;

static void note_failure(TargetFailure *f, const Diag *d)
{
    f->failed = true;
    if (!d)
        return;               /* interrupted: no row, no message */
    f->exit_code = d->exit_code ? d->exit_code : EXIT_BAD_MODEL;
    snprintf(f->reason, sizeof f->reason, "%.*s", (int)strcspn(d->msg, "\n"), d->msg);
    /* the whole message (with a failed tool's log) now, the table after */
    fprintf(stderr, "qonnxc: error: %s\n", d->msg);
}

/* Refused (the model or config is not supported there) or broken. */
static bool failure_is_refusal(const TargetFailure *f)
{
    return f->exit_code == EXIT_BAD_MODEL || f->exit_code == EXIT_LIMIT;
}

static void print_failed_row(const char *name, const TargetFailure *f)
{
    printf("%-8s %8s  %-12s %-12s %-12s %s: %s\n", name, "-", "-", "-", "-",
           failure_is_refusal(f) ? "unsupported" : "failed", f->reason);
}

int cmd_verify(int argc, char **argv)
{
    VerifyArgs a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    Diag d;
    diag_init(&d);
    interrupts_install();
    /* golden gets the same inserted input quantizer (--input-type) as the rest */
    a.front.config = a.config;
    Graph *golden = frontend_load_with(a.model, &a.front, &d);
    Graph *ig = golden ? frontend_load_with(a.model, &a.front, &d) : NULL;
    Value *in = NULL, *gold[1] = { NULL }, *eng[2] = { NULL, NULL };
    Value *out_f[VT_COUNT] = { NULL }, *out_i[VT_COUNT] = { NULL };
    BuildConfig cfg;
    Dataflow df;
    DataflowOnce df_once = { 0 };
    TargetFailure failure[VT_COUNT] = { { 0 } };
    config_defaults(&cfg);
    memset(&df, 0, sizeof df);
    char what[256] = "";
    bool ok = ig != NULL;
    if (ok && (golden->n_inputs != 1 || golden->n_outputs != 1))
        ok = diag_error(&d, a.model, NULL, NULL, "qonnxc verify handles models with one input "
                        "and one output; this one has %d and %d", golden->n_inputs,
                        golden->n_outputs);
    ok = ok && streamline_graph(ig, true, &d);
    /* the names every emitter prints, made once, before any of them runs
     * (the dataflow graph, built later for hls and rtl, copies them) */
    ok = ok && emit_names(ig, NULL, &d);
    ok = ok && (in = make_inputs(golden, &a, what, sizeof what, &d)) != NULL;
    if (ok)
        printf("verify %s: %s\n", a.model, what);
    ok = ok && exec_run_frames(golden, (const Value *const *)&in, gold, &d);
    /* every target, whatever happened to the ones before */
    for (int t = 0; ok && t < VT_COUNT; t++) {
        if (!a.want[t])
            continue;
        if (interrupted_signal())
            break;
        Diag td;
        diag_init(&td);
        if (!((!targets[t].dataflow ||
               need_dataflow(ig, &a, targets[t].name, &cfg, &df, &df_once, &td)) &&
              run_target((VerifyTarget)t, ig, &df, a.model, in, &a, &out_f[t], &out_i[t],
                         &td)))
            note_failure(&failure[t], interrupted_signal() ? NULL : &td);
    }
    ok = ok && !interrupted_signal();
    ok = ok && expose_integers(ig, &d) && exec_run_frames(ig, (const Value *const *)&in, eng, &d);
    for (int t = 0; ok && t < VT_COUNT; t++)
        if (a.want[t] && !failure[t].failed &&
            (out_f[t]->count != gold[0]->count || out_i[t]->count != eng[1]->count)) {
            Diag td;
            diag_init(&td);
            diag_error(&td, a.model, NULL, NULL, "the %s target's outputs differ in size",
                       targets[t].name);
            diag_set_exit(&td, EXIT_INTERNAL);
            note_failure(&failure[t], &td);
        }
    if (ok && eng[0]->count != gold[0]->count)
        ok = diag_error(&d, a.model, NULL, NULL, "the int engine's outputs differ in size");
    bool agree = true;
    int exit_code = EXIT_OK;     /* of the rows that are not exact */
    if (ok) {
        Score si = { .name = "int" }, st[VT_COUNT];
        compare_float(&si, eng[0], gold[0]);
        for (int t = 0; t < VT_COUNT; t++) {
            st[t] = (Score){ .name = targets[t].name };
            if (a.want[t] && !failure[t].failed) {
                compare_int(&st[t], out_i[t], out_f[t], eng[1], eng[0]);
                compare_float(&st[t], out_f[t], gold[0]);
            }
        }
        printf("%-8s %8s  %-12s %-12s %-12s\n", "engine", "frames", "int-exact", "max-rel-err",
               "argmax");
        print_row(&si);
        agree = score_ok(&si);
        for (int t = 0; t < VT_COUNT; t++) {
            if (!a.want[t])
                continue;
            if (failure[t].failed) {
                print_failed_row(targets[t].name, &failure[t]);
                if (exit_code == EXIT_OK || !failure_is_refusal(&failure[t]))
                    exit_code = failure[t].exit_code;
                continue;
            }
            print_row(&st[t]);
            agree = agree && score_ok(&st[t]);
        }
    }
    value_free(in);
    value_free(gold[0]);
    value_free(eng[0]);
    value_free(eng[1]);
    for (int t = 0; t < VT_COUNT; t++) {
        value_free(out_f[t]);
        value_free(out_i[t]);
    }
    if (df_once.built)
        dataflow_free(&df);
    config_free(&cfg);
    graph_free(golden);
    graph_free(ig);
    if (interrupted_signal()) {
        fprintf(stderr, "qonnxc verify: interrupted by %s; its temporary files are removed\n",
                signal_name(interrupted_signal()));
        return 128 + interrupted_signal();
    }
    if (!ok)
        return cli_fail(&d);
    if (!agree) {
        fprintf(stderr, "qonnxc: error: %s: the engines disagree (see above)\n", a.model);
        return EXIT_INTERNAL;
    }
    if (exit_code != EXIT_OK)
        fprintf(stderr, "qonnxc: error: %s: not every target could be compared (see above)\n",
                a.model);
    return exit_code;
}
