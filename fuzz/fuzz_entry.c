#include "fuzz_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_mcu.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "emit_util.h"
#include "exec.h"
#include "load_onnx.h"
#include "npy.h"
#include "report_estimates.h"
#include "resource_limits.h"
#include "streamline.h"

void fuzz_set_limits(void)
{
    Limits l = limits_default;
    l.value[LIMIT_MODEL_BYTES] = 1 << 20;
    l.value[LIMIT_PARSE_BYTES] = 64 << 20;
    l.value[LIMIT_NODES] = 256;
    l.value[LIMIT_TENSORS] = 1024;
    /* Elements bound the work of an op too: a Conv or MatMul does at most
     * (output elements) x (weight elements) multiply-adds, here 2^24. */
    l.value[LIMIT_TENSOR_ELEMENTS] = 4096;
    l.value[LIMIT_ATTRIBUTE_BYTES] = 64 << 10;
    l.value[LIMIT_CONSTANT_BYTES] = 1 << 20;
    l.value[LIMIT_ACTIVATION_BYTES] = 256 << 10;
    limits_set(&l);
}

/* With QONNXC_FUZZ_VERBOSE set, each input reports how far it got (to see
 * what a corpus exercises: fuzz_onnx_loader FILE... prints one line each). */
static void report(const char *stage, const Diag *d)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("QONNXC_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s%s%.200s\n", stage, d && d->failed ? ": " : "",
                d && d->failed ? d->msg : "");
}

/* A failure must come with a message and a documented exit code. */
static void check_failure(const Diag *d, const char *where)
{
    if (!d->failed || d->len == 0 || d->msg[0] == '\0') {
        fprintf(stderr, "fuzz: %s failed without a diagnostic\n", where);
        abort();
    }
    if (d->exit_code != EXIT_BAD_MODEL && d->exit_code != EXIT_LIMIT &&
        d->exit_code != EXIT_BAD_DATA && d->exit_code != EXIT_INTERNAL) {
        fprintf(stderr, "fuzz: %s failed with exit code %d: %s\n", where, d->exit_code, d->msg);
        abort();
    }
    if (memchr(d->msg, '\0', sizeof d->msg) == NULL) {
        fprintf(stderr, "fuzz: %s: diagnostic not terminated\n", where);
        abort();
    }
}

static void check_value(const Value *v)
{
    if (!v || shape_count(&v->shape) != v->count || (v->f == NULL) == (v->i == NULL)) {
        fprintf(stderr, "fuzz: an output does not match its shape\n");
        abort();
    }
    /* touch every element: ASan flags a buffer shorter than the shape */
    volatile double sum = 0;
    for (int64_t k = 0; k < v->count; k++)
        sum += value_get(v, k);
    (void)sum;
}

/* Input element k: a fixed pattern with zeros, signs, halves and large values. */
static double pattern(int64_t k)
{
    static const double p[] = { 0, 1, -1, 0.5, -2.5, 3, 100, -0.25, 7, 0 };
    return p[k % (int64_t)(sizeof p / sizeof p[0])];
}

/* Runs g once on a fixed pattern: as a batch of two frames through
 * exec_run_frames (what `qonnxc run` does) when every input has a batch
 * dim, else one exec_run. */
static void run_once(Graph *g)
{
    if (g->n_inputs > 64 || g->n_outputs > 64)
        return;
    const Value *in[64] = { 0 };
    Value *out[64] = { 0 };
    bool runnable = true, frames = g->n_inputs > 0;
    for (int k = 0; k < g->n_inputs; k++)
        frames = frames && g->inputs[k]->shape.rank >= 1 && g->inputs[k]->shape.dims[0] == 1;
    for (int k = 0; k < g->n_inputs && runnable; k++) {
        const Tensor *t = g->inputs[k];
        int64_t n = shape_count(&t->shape);
        runnable = n >= 0 && n <= limit(LIMIT_TENSOR_ELEMENTS);
        if (!runnable)
            break;
        int et = t->elem_type == ET_UNDEFINED || !elem_type_supported(t->elem_type)
                     ? ET_FLOAT : t->elem_type;
        Shape batch = t->shape;
        if (frames)
            batch.dims[0] = 2;
        Value *v = value_new(et, &batch);
        if (!v)
            break;
        for (int64_t e = 0; e < v->count; e++)
            value_set(v, e, et == ET_BOOL ? (double)(e & 1) : pattern(e));
        in[k] = v;
    }
    for (int k = 0; k < g->n_inputs; k++)
        runnable = runnable && in[k];
    if (!runnable)
        report("not run (an input of unknown or large shape)", NULL);
    if (runnable) {
        Diag d;
        diag_init(&d);
        if (frames ? exec_run_frames(g, in, out, &d) : exec_run(g, in, out, &d)) {
            report("ran", NULL);
            for (int k = 0; k < g->n_outputs; k++)
                check_value(out[k]);
        } else {
            report("exec_run failed", &d);
            check_failure(&d, "exec_run");
            for (int k = 0; k < g->n_outputs; k++)
                if (out[k]) {
                    fprintf(stderr, "fuzz: exec_run failed but left an output\n");
                    abort();
                }
        }
    }
    for (int k = 0; k < g->n_inputs; k++)
        value_free((Value *)in[k]);
    for (int k = 0; k < g->n_outputs; k++)
        value_free(out[k]);
}

/* onnx_load_mem and cleanup_graph on the bytes: the graph, or NULL after
 * checking the failure's diagnostic. */
static Graph *load_and_clean(const uint8_t *data, size_t size)
{
    Diag d;
    diag_init(&d);
    Graph *g = onnx_load_mem(data, size, "fuzz.onnx", &d);
    if (!g) {
        report("onnx_load_mem failed", &d);
        check_failure(&d, "onnx_load_mem");
        return NULL;
    }
    diag_init(&d);
    if (!cleanup_graph(g, true, &d)) {
        report("cleanup_graph failed", &d);
        check_failure(&d, "cleanup_graph");
        graph_free(g);
        return NULL;
    }
    return g;
}

int fuzz_onnx_loader_one(const uint8_t *data, size_t size)
{
    Graph *g = load_and_clean(data, size);
    if (g)
        run_once(g);
    graph_free(g);
    return 0;
}

/* What an emitter promises of a success: files with a relative path
 * inside the output directory, each listed once. */
static void check_tree(const OutTree *t, const char *emitter)
{
    for (int k = 0; k < t->n; k++) {
        const char *p = t->files[k].path;
        bool bad = !p || !p[0] || p[0] == '/' || strstr(p, "..") || t->files[k].text.oom;
        for (int j = 0; j < k && !bad; j++)
            bad = !strcmp(p, t->files[j].path);
        if (bad) {
            fprintf(stderr, "fuzz: %s emitted a bad or repeated file name: %s\n", emitter,
                    p ? p : "(null)");
            abort();
        }
    }
}

/* Emitting copies every weight into text several times over (five
 * targets); a sanitizer build needs about a second per 10^5 weights.
 * Larger integer graphs stop after streamlining and lowering, so that one
 * input stays well under libFuzzer's -timeout. */
#define FUZZ_EMIT_MAX_NODES 64
#define FUZZ_EMIT_MAX_CONSTANT_ELEMENTS (64 << 10)

static bool fuzz_pipeline_fits(const Graph *g)
{
    int64_t elements = 0;
    for (int k = 0; k < g->n_tensors; k++)
        if (g->tensors[k]->value)
            elements += g->tensors[k]->value->count;
    return g->n_nodes <= FUZZ_EMIT_MAX_NODES && elements <= FUZZ_EMIT_MAX_CONSTANT_ELEMENTS;
}

/* One emitter's result: checked, then thrown away. */
static void emitted(bool ok, OutTree *t, Diag *d, const char *emitter)
{
    if (ok) {
        report(emitter, NULL);
        check_tree(t, emitter);
    } else {
        report(emitter, d);
        check_failure(d, emitter);
    }
    outtree_free(t);
    outtree_init(t);
    diag_init(d);
}

/* Every emitter on the streamlined graph g (and its dataflow graph). */
static void emit_all(Graph *g)
{
    Diag d;
    diag_init(&d);
    OutTree t;
    outtree_init(&t);
    Dataflow df;
    memset(&df, 0, sizeof df);
    bool have_df = dataflow_build(g, NULL, &df, &d);
    if (have_df) {
        report("dataflow_build", NULL);
        emitted(emit_hls(&df, "fuzz.onnx", "fuzz", &t, &d), &t, &d, "emit_hls");
        emitted(emit_rtl(&df, "fuzz.onnx", "fuzz", &t, &d), &t, &d, "emit_rtl");
        TextBuf *est = outtree_add(&t, "report/estimates.json");
        if (est)
            estimates_json(&df, est);
        emitted(est != NULL, &t, &d, "estimates_json");
        dataflow_free(&df);
    } else {
        report("dataflow_build failed", &d);
        check_failure(&d, "dataflow_build");
        diag_init(&d);
    }
    emitted(emit_ref(g, "fuzz.onnx", "fuzz", &t, &d), &t, &d, "emit_ref");
    emitted(emit_mcu(g, "fuzz.onnx", "fuzz", &t, &d), &t, &d, "emit_mcu");
    TextBuf table;
    tb_init(&table);
    emitted(emit_npu(g, "fuzz.onnx", "fuzz", &t, &table, &d), &t, &d, "emit_npu");
    tb_free(&table);
    outtree_free(&t);
}

/* fuzz_set_limits's limits, with tensors of up to 2^16 elements: the
 * streamliner tabulates a layer's thresholds over its accumulator's range
 * ([levels, channels, 1, 1] for a shrunk CNV's convolutions: 27,564), and
 * this target runs no interpreter whose work the smaller limit bounds. */
static void pipeline_limits(void)
{
    fuzz_set_limits();
    Limits l = *limits_get();
    l.value[LIMIT_TENSOR_ELEMENTS] = 1 << 16;
    limits_set(&l);
}

int fuzz_pipeline_one(const uint8_t *data, size_t size)
{
    pipeline_limits();
    Graph *g = load_and_clean(data, size);
    if (!g)
        return 0;
    Diag d;
    diag_init(&d);
    if (!streamline_graph(g, true, &d)) {
        report("streamline_graph failed", &d);
        check_failure(&d, "streamline_graph");
    } else if (!fuzz_pipeline_fits(g)) {
        report("streamlined; too large to emit here", NULL);
    } else {
        report("streamlined", NULL);
        emit_all(g);
    }
    graph_free(g);
    return 0;
}

int fuzz_npy_one(const uint8_t *data, size_t size)
{
    Diag d;
    diag_init(&d);
    NpyArray a;
    if (!npy_read_mem(data, size, "fuzz.npy", &a, &d)) {
        check_failure(&d, "npy_read_mem");
        if (a.data) {
            fprintf(stderr, "fuzz: npy_read_mem failed but left data\n");
            abort();
        }
        return 0;
    }
    if (a.rank < 0 || a.rank > NPY_MAX_RANK || !a.data || a.count < 0) {
        fprintf(stderr, "fuzz: npy_read_mem returned an inconsistent array\n");
        abort();
    }
    /* the element count, which a zero dim makes 0 whatever the others are */
    int64_t n = 1;
    for (int k = 0; k < a.rank; k++)
        if (a.shape[k] < 0 || (n && __builtin_mul_overflow(n, a.shape[k], &n)))
            n = -1, k = a.rank;
    for (int k = 0; k < a.rank; k++)
        if (a.shape[k] == 0)
            n = 0;
    if (n != a.count || (uint64_t)a.count * npy_dtype_size(a.dtype) > size) {
        fprintf(stderr, "fuzz: npy_read_mem: count %lld does not match the shape or the file\n",
                (long long)a.count);
        abort();
    }
    float *f = NULL;
    if (npy_to_f32(&a, &f, &d)) {
        volatile float sum = 0;
        for (int64_t k = 0; k < a.count; k++)
            sum += f[k];
        (void)sum;
        free(f);
    } else {
        check_failure(&d, "npy_to_f32");
    }
    npy_free(&a);
    return 0;
}

/* What config_parse promises of a config it accepts (config.h): every value
 * in its documented range, every folding entry naming one layer once, on a
 * line the text can have (a break takes a byte at least; libyaml also breaks
 * lines at U+0085, U+2028 and U+2029, in UTF-8 or UTF-16). Checked field by
 * field, since the folding and the emitters trust these without checking. */
static void check_config(const BuildConfig *c, size_t size)
{
    const char *bad = NULL;
    if (!c->path || strcmp(c->path, "fuzz.yaml"))
        bad = "path";
    if (c->n_targets < 0 || c->n_targets > CONFIG_MAX_TARGETS)
        bad = "n_targets";
    for (int k = 0; !bad && k < c->n_targets; k++)
        for (int j = 0; j < k; j++)
            if (!strcmp(c->targets[j], c->targets[k]))
                bad = "a target listed twice";
    if (!(c->clock_mhz >= CONFIG_MIN_MHZ && c->clock_mhz <= CONFIG_MAX_MHZ))
        bad = "clock_mhz";
    if (c->target_fps != 0 && !(c->target_fps >= CONFIG_MIN_FPS && c->target_fps <= CONFIG_MAX_FPS))
        bad = "target_fps";
    if (c->max_weight_stream_bits < 1 || c->max_weight_stream_bits > (1 << 24) ||
        c->fifo_depth < 1 || c->fifo_depth > (1 << 24) || c->labels < 0 || c->labels > (1 << 16))
        bad = "an integer setting";
    if (c->n_layers < 0 || c->n_layers > CONFIG_MAX_FOLDING || (c->n_layers && !c->layers))
        bad = "n_layers";
    for (int k = 0; !bad && k < c->n_layers; k++) {
        const LayerConfig *l = &c->layers[k];
        if ((l->layer != NULL) == (l->mvau >= 0) || (l->layer && !l->layer[0]) ||
            l->mvau > (1 << 20) || l->pe < 0 || l->pe > (1 << 16) || l->simd < 0 ||
            l->simd > (1 << 16) || l->fifo_depth < 0 || l->fifo_depth > (1 << 24) ||
            l->line < 1 || (size_t)l->line > size + 1)
            bad = "a folding entry";
        for (int j = 0; !bad && j < k; j++)
            if ((l->layer && c->layers[j].layer && !strcmp(l->layer, c->layers[j].layer)) ||
                (l->mvau >= 0 && l->mvau == c->layers[j].mvau))
                bad = "two folding entries for one layer";
    }
    if (bad) {
        fprintf(stderr, "fuzz: config_parse accepted a config with a bad %s\n", bad);
        abort();
    }
}

int fuzz_config_one(const uint8_t *data, size_t size)
{
    Diag d;
    diag_init(&d);
    BuildConfig c;
    if (config_parse(&c, (const char *)data, size, "fuzz.yaml", &d)) {
        report("config_parse accepted", NULL);
        check_config(&c, size);
    } else {
        report("config_parse failed", &d);
        if (!d.failed || strncmp(d.msg, "fuzz.yaml", 9) || d.exit_code != EXIT_USAGE) {
            fprintf(stderr, "fuzz: config_parse failed without naming the file, or with exit "
                    "code %d (not 2): %s\n", d.exit_code, d.msg);
            abort();
        }
    }
    config_free(&c);
    return 0;
}
