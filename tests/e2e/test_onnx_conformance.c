/* ONNX's own per-operator conformance tests, run through the golden
 * executor.
 *
 * Debian's libonnx-testdata installs, per test, a one-node (sometimes a
 * function-expanded, multi-node) model with input and expected output
 * tensors: <dir>/model.onnx and <dir>/test_data_set_N/{input,output}_K.pb.
 * For every test whose ops qonnxc supports, the model is loaded, its ops
 * resolved, and exec_run's outputs compared with the expected ones: same
 * shape, same element type, floats within RTOL/ATOL (NaN matches NaN),
 * integers and booleans exactly. The static type and shape that
 * pass_infer_shapes gives each output must agree with the computed one
 * (unknown parts agree with anything), so every op's infer is checked too.
 *
 * A test is skipped, with its reason, when:
 *   - an op is not in qonnxc's registry (op_lookup);
 *   - it is a training-mode variant (qonnxc compiles inference graphs);
 *   - a graph input or output is not a tensor (sequence, optional, map);
 *   - a graph input or output has an element type the float32 executor does
 *     not represent exactly: double, float16, bfloat16 (values hold floats
 *     as float32), string, complex, or uint64 data above the int64 range.
 * Every other test must pass or be listed in known_failures below.
 *
 * QONNXC_CONFORMANCE_REPORT=path writes the results as the markdown of
 * docs/onnx-conformance.md (see write_report). */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cleanup.h"
#include "exec.h"
#include "load_onnx.h"
#include "onnx/onnx.pb-c.h"
#include "ops.h"

#define NODE_TESTS_DIR "/usr/share/libonnx-testdata/data/node"

/* The suite fails if fewer tests than this ran (passed or known failures):
 * a registry or loader regression must not turn the runner into a no-op.
 * 272 ran when this was written (tensor and math ops); raise it as op
 * families land. */
#define MIN_CASES_RUN 250

/* Float comparison: |got - want| <= ATOL + RTOL * |want|. */
#define RTOL 1e-4
#define ATOL 1e-5

/* Tests known to fail, each with the reason. Prefer fixing the op; an
 * entry that starts passing makes the suite fail, so the table stays
 * current. */
static const struct {
    const char *test;
    const char *reason;
} known_failures[] = {
    { NULL, NULL },
};

/* ---- results ------------------------------------------------------------ */

typedef enum { CASE_PASS, CASE_SKIP, CASE_KNOWN_FAIL, CASE_FAIL } CaseStatus;

typedef struct CaseResult {
    char name[128];      /* test directory, e.g. test_reshape_zero_dim */
    char op[64];         /* op the test is about (see case_op) */
    CaseStatus status;
    char reason[512];    /* skip reason, known failure or failure detail */
} CaseResult;

#define MAX_CASES 4096

static CaseResult results[MAX_CASES];
static int n_results;

static void set_reason(CaseResult *r, CaseStatus status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_reason(CaseResult *r, CaseStatus status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->status = status;
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

static const char *known_failure(const char *test)
{
    for (size_t k = 0; k < sizeof known_failures / sizeof known_failures[0]; k++)
        if (known_failures[k].test && !strcmp(known_failures[k].test, test))
            return known_failures[k].reason;
    return NULL;
}

/* ---- files -------------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            unsigned char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir starting with prefix; count in *n. */
static char **list_dir(const char *dir, const char *prefix, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    int cap = 0;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            names = realloc(names, (size_t)cap * sizeof *names);
            ck_assert_ptr_nonnull(names);
        }
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, (size_t)*n, sizeof *names, cmp_str);
    return names;
}

static void free_list(char **names, int n)
{
    for (int k = 0; k < n; k++)
        free(names[k]);
    free(names);
}

/* ---- classifying a model ------------------------------------------------ */

/* Whether op_type, lowercased, is the concatenation of the first words of
 * the test name: test_gather_elements_0 is about GatherElements, while
 * test_logsoftmax_axis_0 is not about Log. */
static bool name_starts_with_op(const char *test, const char *op_type)
{
    const char *p = test + strlen("test_");
    for (const char *o = op_type; *o; o++, p++) {
        if (*p == '_')
            p++;
        char c = (char)(*o >= 'A' && *o <= 'Z' ? *o - 'A' + 'a' : *o);
        if (*p != c)
            return false;
    }
    return *p == '_' || *p == 0;
}

static Onnx__ModelProto *read_model(const char *test)
{
    char path[640];
    snprintf(path, sizeof path, "%s/%s/model.onnx", NODE_TESTS_DIR, test);
    size_t len;
    unsigned char *buf = slurp(path, &len);
    Onnx__ModelProto *mp = buf ? onnx__model_proto__unpack(NULL, len, buf) : NULL;
    free(buf);
    if (mp && !mp->graph) {
        onnx__model_proto__free_unpacked(mp, NULL);
        mp = NULL;
    }
    return mp;
}

/* The op a test is about, for grouping:
 *   - a function-expanded model (test_X_expanded): the op of its sibling
 *     test_X, plus " (expanded)";
 *   - a model with one op type: that op (test_constant_pad is about Pad);
 *   - otherwise the op named by the test's first words, else the op of the
 *     last node. */
static void case_op(const Onnx__GraphProto *gp, const char *test, char *op, size_t size)
{
    size_t len = strlen(test), suffix = strlen("_expanded");
    if (len > suffix && !strcmp(test + len - suffix, "_expanded")) {
        char sibling[128];
        snprintf(sibling, sizeof sibling, "%.*s", (int)(len - suffix), test);
        Onnx__ModelProto *mp = read_model(sibling);
        if (mp) {
            case_op(mp->graph, sibling, op, size);
            onnx__model_proto__free_unpacked(mp, NULL);
            size_t used = strlen(op);
            snprintf(op + used, size - used, " (expanded)");
            return;
        }
    }
    snprintf(op, size, "%s", gp->n_node ? gp->node[gp->n_node - 1]->op_type : "(no node)");
    bool one_type = true;
    for (size_t k = 1; k < gp->n_node; k++)
        one_type = one_type && !strcmp(gp->node[k]->op_type, gp->node[0]->op_type);
    if (one_type)
        return;
    size_t best = 0;
    for (size_t k = 0; k < gp->n_node; k++) {
        const char *t = gp->node[k]->op_type;
        if (strlen(t) > best && name_starts_with_op(test, t)) {
            best = strlen(t);
            snprintf(op, size, "%s", t);
        }
    }
}

static const char *type_kind_name(Onnx__TypeProto__ValueCase c)
{
    switch (c) {
    case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: return "a sequence";
    case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: return "a map";
    case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: return "an optional";
    case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: return "a sparse tensor";
    default: return "not a tensor";
    }
}

/* Why an element type cannot be checked exactly here, or NULL if it can.
 * UINT64 is fine unless its data exceeds int64 (checked on the data). */
static const char *inexact_type(int et)
{
    switch (et) {
    case ET_FLOAT: case ET_UINT8: case ET_INT8: case ET_UINT16: case ET_INT16:
    case ET_INT32: case ET_INT64: case ET_BOOL: case ET_UINT32: case ET_UINT64:
        return NULL;
    case ET_DOUBLE: case ET_FLOAT16: case ET_BFLOAT16:
        return "the executor holds float types as float32";
    default:
        return "the type is not supported by qonnxc";
    }
}

/* Skip reasons found in the model, or false with r filled. */
static bool model_supported(const Onnx__ModelProto *mp, const char *test, CaseResult *r)
{
    const Onnx__GraphProto *gp = mp->graph;
    /* every unknown op, once */
    char missing[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *np = gp->node[k];
        if (op_lookup(domain_kind(np->domain), np->op_type))
            continue;
        bool listed = false;
        for (size_t j = 0; j < k; j++)
            listed = listed || (!strcmp(gp->node[j]->op_type, np->op_type) &&
                                !strcmp(gp->node[j]->domain ? gp->node[j]->domain : "",
                                        np->domain ? np->domain : ""));
        if (!listed && len < sizeof missing)
            len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s",
                                    len ? ", " : "", np->op_type);
    }
    if (len) {
        set_reason(r, CASE_SKIP, "unsupported op: %s", missing);
        return false;
    }
    if (strstr(test, "training")) {
        set_reason(r, CASE_SKIP, "training mode");
        return false;
    }
    for (size_t k = 0; k < gp->n_node; k++)
        for (size_t a = 0; a < gp->node[k]->n_attribute; a++) {
            const Onnx__AttributeProto *ap = gp->node[k]->attribute[a];
            if (ap->name && !strcmp(ap->name, "training_mode") && ap->i) {
                set_reason(r, CASE_SKIP, "training mode");
                return false;
            }
        }
    for (int side = 0; side < 2; side++) {
        size_t count = side ? gp->n_output : gp->n_input;
        Onnx__ValueInfoProto **vis = side ? gp->output : gp->input;
        for (size_t k = 0; k < count; k++) {
            const Onnx__TypeProto *tp = vis[k]->type;
            const char *what = side ? "output" : "input";
            if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
                set_reason(r, CASE_SKIP, "%s '%s' is %s", what, vis[k]->name,
                           tp ? type_kind_name(tp->value_case) : "not a tensor");
                return false;
            }
            int et = tp->tensor_type->elem_type;
            const char *why = inexact_type(et);
            if (why) {
                set_reason(r, CASE_SKIP, "%s '%s' is %s: %s", what, vis[k]->name,
                           elem_type_name(et), why);
                return false;
            }
        }
    }
    return true;
}

/* True if a serialized uint64 tensor holds a value above INT64_MAX. */
static bool uint64_above_int64(const char *path)
{
    size_t len;
    unsigned char *buf = slurp(path, &len);
    if (!buf)
        return false;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!tp)
        return false;
    bool above = false;
    if (tp->data_type == ET_UINT64) {
        for (size_t k = 0; k < tp->n_uint64_data; k++)
            above = above || tp->uint64_data[k] > (uint64_t)INT64_MAX;
        for (size_t k = 7; tp->has_raw_data && k < tp->raw_data.len; k += 8)
            above = above || (tp->raw_data.data[k] & 0x80);
    }
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return above;
}

/* ---- comparing ---------------------------------------------------------- */

typedef enum { CLASS_FLOAT, CLASS_INT, CLASS_BOOL } TypeClass;

static TypeClass type_class(int et)
{
    return elem_type_is_float(et) ? CLASS_FLOAT : et == ET_BOOL ? CLASS_BOOL : CLASS_INT;
}

static const char *class_name(TypeClass c)
{
    return c == CLASS_FLOAT ? "float" : c == CLASS_BOOL ? "bool" : "integer";
}

static bool floats_match(float got, float want)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return got == want;
    return fabs((double)got - (double)want) <= ATOL + RTOL * fabs((double)want);
}

/* Compares one output; on a mismatch writes why into msg and returns false. */
static bool values_match(const Value *got, const Value *want, char *msg, size_t size)
{
    char a[96], b[96];
    if (!shape_equal(&got->shape, &want->shape)) {
        snprintf(msg, size, "shape %s, expected %s", shape_str(&got->shape, a, sizeof a),
                 shape_str(&want->shape, b, sizeof b));
        return false;
    }
    /* The class decides how values compare; the exact type must agree too
     * (an int32 Add must not come out as int64: its wrap-around differs). */
    TypeClass cg = type_class(got->elem_type), cw = type_class(want->elem_type);
    if (got->elem_type != want->elem_type) {
        snprintf(msg, size, "element type %s (%s), expected %s (%s)",
                 elem_type_name(got->elem_type), class_name(cg),
                 elem_type_name(want->elem_type), class_name(cw));
        return false;
    }
    int64_t bad = 0, first = -1;
    for (int64_t k = 0; k < want->count; k++) {
        bool ok = cw == CLASS_FLOAT ? floats_match(got->f[k], want->f[k])
                                    : got->i[k] == want->i[k];
        if (!ok && bad++ == 0)
            first = k;
    }
    if (bad) {
        if (cw == CLASS_FLOAT)
            snprintf(msg, size, "%lld of %lld values differ; first at %lld: %.9g, expected %.9g",
                     (long long)bad, (long long)want->count, (long long)first,
                     (double)got->f[first], (double)want->f[first]);
        else
            snprintf(msg, size, "%lld of %lld values differ; first at %lld: %lld, expected %lld",
                     (long long)bad, (long long)want->count, (long long)first,
                     (long long)got->i[first], (long long)want->i[first]);
        return false;
    }
    return true;
}

/* Whether the static type and shape shape inference gave an output agree
 * with the value computed (unknown parts agree with anything). */
static bool inferred_matches(const Tensor *t, const Value *got, char *msg, size_t size)
{
    char a[96], b[96];
    if (t->elem_type != ET_UNDEFINED && t->elem_type != got->elem_type) {
        snprintf(msg, size, "shape inference gives element type %s, eval %s",
                 elem_type_name(t->elem_type), elem_type_name(got->elem_type));
        return false;
    }
    bool ok = t->shape.rank < 0 || t->shape.rank == got->shape.rank;
    for (int k = 0; ok && t->shape.rank >= 0 && k < t->shape.rank; k++)
        ok = t->shape.dims[k] < 0 || t->shape.dims[k] == got->shape.dims[k];
    if (!ok)
        snprintf(msg, size, "shape inference gives shape %s, eval %s",
                 shape_str(&t->shape, a, sizeof a), shape_str(&got->shape, b, sizeof b));
    return ok;
}

/* ---- running one test --------------------------------------------------- */

static void first_line(char *dst, size_t size, const char *src)
{
    size_t n = strcspn(src, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* Runs one data set; false with r filled (CASE_FAIL or CASE_SKIP). */
static bool run_data_set(Graph *g, const Onnx__GraphProto *gp, const char *set_dir,
                         CaseResult *r)
{
    Arena arena = { 0 };
    Diag d;
    diag_init(&d);
    const Value *inputs[64] = { NULL };
    Value *outputs[64] = { NULL };
    char path[1200];
    bool ok = g->n_inputs <= 64 && g->n_outputs <= 64;
    if (!ok)
        set_reason(r, CASE_FAIL, "too many graph inputs or outputs");
    /* input_K belongs to graph.input[K] (the model's order, as written) */
    for (size_t k = 0; ok && k < gp->n_input; k++) {
        snprintf(path, sizeof path, "%s/input_%zu.pb", set_dir, k);
        int slot = -1;
        for (int j = 0; j < g->n_inputs; j++)
            if (!strcmp(g->inputs[j]->name, gp->input[k]->name))
                slot = j;
        if (slot < 0)
            continue; /* an initializer listed as an input */
        if (!file_exists(path)) {
            ok = false;
            set_reason(r, CASE_FAIL, "%s is missing", path);
            break;
        }
        if (gp->input[k]->type->tensor_type->elem_type == ET_UINT64 && uint64_above_int64(path)) {
            ok = false;
            set_reason(r, CASE_SKIP, "input '%s' holds uint64 values above the int64 range",
                       gp->input[k]->name);
            break;
        }
        inputs[slot] = onnx_load_tensor_file(path, &arena, &d);
        if (!inputs[slot]) {
            ok = false;
            first_line(path, sizeof path, d.msg);
            set_reason(r, CASE_FAIL, "loading input %zu: %s", k, path);
        }
    }
    for (int k = 0; ok && k < g->n_outputs; k++) {
        snprintf(path, sizeof path, "%s/output_%d.pb", set_dir, k);
        if (gp->output[k]->type->tensor_type->elem_type == ET_UINT64 && uint64_above_int64(path)) {
            ok = false;
            set_reason(r, CASE_SKIP, "output '%s' holds uint64 values above the int64 range",
                       gp->output[k]->name);
        }
    }
    if (ok && !exec_run(g, inputs, outputs, &d)) {
        ok = false;
        char msg[400];
        first_line(msg, sizeof msg, d.msg);
        set_reason(r, CASE_FAIL, "exec_run: %s", msg);
    }
    for (int k = 0; ok && k < g->n_outputs; k++) {
        snprintf(path, sizeof path, "%s/output_%d.pb", set_dir, k);
        const Value *want = onnx_load_tensor_file(path, &arena, &d);
        char msg[400];
        if (!want) {
            ok = false;
            first_line(msg, sizeof msg, d.msg);
            set_reason(r, CASE_FAIL, "loading expected output %d: %s", k, msg);
        } else if (!values_match(outputs[k], want, msg, sizeof msg) ||
                   !inferred_matches(g->outputs[k], outputs[k], msg, sizeof msg)) {
            ok = false;
            set_reason(r, CASE_FAIL, "%s, output %d '%s': %s", strrchr(set_dir, '/') + 1, k,
                       g->outputs[k]->name, msg);
        }
    }
    for (int k = 0; k < g->n_outputs && k < 64; k++)
        value_free(outputs[k]);
    arena_release(&arena);
    return ok;
}

static void run_case(const char *test, CaseResult *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", test);
    char dir[512], path[640];
    snprintf(dir, sizeof dir, "%s/%s", NODE_TESTS_DIR, test);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    Onnx__ModelProto *mp = read_model(test);
    if (!mp) {
        snprintf(r->op, sizeof r->op, "(unreadable)");
        set_reason(r, CASE_FAIL, "cannot read %s", path);
        return;
    }
    case_op(mp->graph, test, r->op, sizeof r->op);
    if (!model_supported(mp, test, r)) {
        onnx__model_proto__free_unpacked(mp, NULL);
        return;
    }
    Diag d;
    diag_init(&d);
    char msg[400];
    Graph *g = onnx_load_file(path, &d);
    if (!g) {
        first_line(msg, sizeof msg, d.msg);
        set_reason(r, CASE_FAIL, "load: %s", msg);
    } else if (!graph_resolve_ops(g, &d)) {
        first_line(msg, sizeof msg, d.msg);
        set_reason(r, CASE_FAIL, "resolve: %s", msg);
    } else if (!pass_infer_shapes(g, &d)) {
        first_line(msg, sizeof msg, d.msg);
        set_reason(r, CASE_FAIL, "shape inference: %s", msg);
    } else {
        int n_sets;
        char **sets = list_dir(dir, "test_data_set_", &n_sets);
        r->status = CASE_PASS;
        if (!n_sets)
            set_reason(r, CASE_FAIL, "no test_data_set_* directory");
        for (int s = 0; s < n_sets && r->status == CASE_PASS; s++) {
            char set_dir[1024];
            snprintf(set_dir, sizeof set_dir, "%s/%s", dir, sets[s]);
            run_data_set(g, mp->graph, set_dir, r);
        }
        free_list(sets, n_sets);
    }
    graph_free(g);
    onnx__model_proto__free_unpacked(mp, NULL);
    /* the known-failures table applies to tests that ran */
    const char *known = known_failure(test);
    if (known && r->status == CASE_FAIL)
        set_reason(r, CASE_KNOWN_FAIL, "%s (got: %.300s)", known, r->reason);
    else if (known && r->status == CASE_PASS)
        set_reason(r, CASE_FAIL, "listed as a known failure (%s) but passes: remove it from "
                   "known_failures", known);
}

/* ---- per-op summary and report ------------------------------------------ */

typedef struct OpSummary {
    const char *op;
    int count[4];        /* by CaseStatus */
} OpSummary;

static int cmp_result(const void *a, const void *b)
{
    const CaseResult *x = a, *y = b;
    int c = strcmp(x->op, y->op);
    return c ? c : strcmp(x->name, y->name);
}

/* Groups the (sorted) results by op. */
static int summarize(OpSummary *ops, int max)
{
    int n = 0;
    for (int k = 0; k < n_results; k++) {
        if (!n || strcmp(ops[n - 1].op, results[k].op)) {
            if (n == max)
                break;
            ops[n] = (OpSummary){ results[k].op, { 0 } };
            n++;
        }
        ops[n - 1].count[results[k].status]++;
    }
    return n;
}

static const char *status_name(CaseStatus s)
{
    static const char *const names[] = { "passed", "skipped", "known failure", "FAILED" };
    return names[s];
}

/* Markdown escaping for table cells: '|' would split the cell. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++)
        fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, f);
}

/* One row per (result, reason) of an op: "passed" with every case that
 * passed, "skipped: <reason>" with the cases skipped for that reason, ... */
static void write_op_rows(FILE *f, int first, int end)
{
    for (int status = CASE_PASS; status <= CASE_FAIL; status++)
        for (int k = first; k < end; k++) {
            const CaseResult *r = &results[k];
            if ((int)r->status != status)
                continue;
            /* a (status, reason) already written with an earlier case */
            bool done = false;
            for (int j = first; j < k && !done; j++)
                done = (int)results[j].status == status && !strcmp(results[j].reason, r->reason);
            if (done)
                continue;
            fprintf(f, "| %s%s", status_name(r->status), *r->reason ? ": " : "");
            md_cell(f, r->reason);
            fprintf(f, " | ");
            for (int j = k, n = 0; j < end; j++)
                if ((int)results[j].status == status && !strcmp(results[j].reason, r->reason))
                    fprintf(f, "%s`%s`", n++ ? ", " : "", results[j].name);
            fprintf(f, " |\n");
        }
}

static bool write_report(const char *path, const OpSummary *ops, int n_ops, const int totals[4])
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f,
            "# ONNX conformance of the golden executor\n\n"
            "Generated by `tests/e2e/test_onnx_conformance.c`; do not edit by hand. To\n"
            "regenerate, from the source tree:\n\n"
            "```\n"
            "QONNXC_CONFORMANCE_REPORT=$PWD/docs/onnx-conformance.md "
            "build/tests/test_onnx_conformance\n"
            "```\n\n"
            "The cases are ONNX's own per-operator tests, as Debian's `libonnx-testdata`\n"
            "installs them in `%s`. Each model runs as loaded\n"
            "and resolved (`onnx_load_file`, `graph_resolve_ops`, `exec_run`). Its outputs\n"
            "must have the expected shape and element type; floats must be within\n"
            "|got - want| <= %g + %g * |want| (NaN matching NaN), integers and booleans\n"
            "exact. The type and shape `pass_infer_shapes` gives each output must agree\n"
            "with the computed ones (unknown dims agree with anything).\n\n"
            "A case is skipped when one of its ops is not supported, when it is a\n"
            "training-mode variant, or when a graph input or output is not a float32,\n"
            "integer or bool tensor: the executor holds every float type as float32, so\n"
            "double, float16 and bfloat16 results cannot be checked exactly.\n\n",
            NODE_TESTS_DIR, ATOL, RTOL);
    fprintf(f, "**%d cases: %d passed, %d skipped, %d known failures, %d failed.**\n\n",
            n_results, totals[CASE_PASS], totals[CASE_SKIP], totals[CASE_KNOWN_FAIL],
            totals[CASE_FAIL]);
    fprintf(f, "Cases are grouped by the op they test; \"X (expanded)\" holds the tests of\n"
               "op X written as its ONNX function body, which exercise other ops.\n\n");
    fprintf(f, "## Summary\n\n| op | passed | skipped | known failures | failed |\n"
               "|---|---:|---:|---:|---:|\n");
    for (int k = 0; k < n_ops; k++)
        fprintf(f, "| %s | %d | %d | %d | %d |\n", ops[k].op, ops[k].count[CASE_PASS],
                ops[k].count[CASE_SKIP], ops[k].count[CASE_KNOWN_FAIL], ops[k].count[CASE_FAIL]);
    fprintf(f, "\n## Cases by op\n");
    for (int k = 0, r = 0; k < n_ops; k++) {
        int first = r;
        while (r < n_results && !strcmp(results[r].op, ops[k].op))
            r++;
        fprintf(f, "\n### %s\n\n| result | cases |\n|---|---|\n", ops[k].op);
        write_op_rows(f, first, r);
    }
    return fclose(f) == 0;
}

/* ---- the suite ---------------------------------------------------------- */

START_TEST(test_conformance)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n_tests;
    char **tests = list_dir(NODE_TESTS_DIR, "test_", &n_tests);
    ck_assert_msg(n_tests > 0, "no tests in %s: install libonnx-testdata", NODE_TESTS_DIR);
    ck_assert_int_le(n_tests, MAX_CASES);
    n_results = 0;
    for (int k = 0; k < n_tests; k++)
        run_case(tests[k], &results[n_results++]);
    free_list(tests, n_tests);
    qsort(results, (size_t)n_results, sizeof results[0], cmp_result);

    static OpSummary ops[MAX_CASES];
    int n_ops = summarize(ops, MAX_CASES);
    int totals[4] = { 0 };
    for (int k = 0; k < n_results; k++)
        totals[results[k].status]++;
    for (int k = 0; k < n_ops; k++)
        if (ops[k].count[CASE_PASS] || ops[k].count[CASE_KNOWN_FAIL] || ops[k].count[CASE_FAIL])
            printf("conformance %-24s %3d passed %3d skipped %3d known failures %3d failed\n",
                   ops[k].op, ops[k].count[CASE_PASS], ops[k].count[CASE_SKIP],
                   ops[k].count[CASE_KNOWN_FAIL], ops[k].count[CASE_FAIL]);
    for (int k = 0; k < n_results; k++)
        if (results[k].status == CASE_FAIL)
            printf("FAILED %s (%s): %s\n", results[k].name, results[k].op, results[k].reason);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("conformance: %d cases, %d passed, %d skipped, %d known failures, %d failed "
           "(%.1f s)\n", n_results, totals[CASE_PASS], totals[CASE_SKIP],
           totals[CASE_KNOWN_FAIL], totals[CASE_FAIL],
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    fflush(stdout);

    const char *report = getenv("QONNXC_CONFORMANCE_REPORT");
    if (report && *report)
        ck_assert_msg(write_report(report, ops, n_ops, totals), "cannot write %s", report);

    ck_assert_msg(totals[CASE_FAIL] == 0, "%d conformance cases failed (listed above)",
                  totals[CASE_FAIL]);
    int ran = totals[CASE_PASS] + totals[CASE_KNOWN_FAIL];
    ck_assert_msg(ran >= MIN_CASES_RUN, "only %d cases ran; at least %d expected", ran,
                  MIN_CASES_RUN);
}
END_TEST

/* The comparison itself: tolerance, NaN, infinities, classes, shapes. */
START_TEST(test_values_match)
{
    Shape s = { 1, { 3 } };
    Value *a = value_new(ET_FLOAT, &s), *b = value_new(ET_FLOAT, &s);
    char msg[256];
    a->f[0] = b->f[0] = NAN;
    a->f[1] = 1.0f, b->f[1] = 1.00005f;      /* within rtol */
    a->f[2] = b->f[2] = -INFINITY;
    ck_assert(values_match(a, b, msg, sizeof msg));
    a->f[1] = 1.001f;                        /* outside */
    ck_assert(!values_match(a, b, msg, sizeof msg));
    ck_assert_ptr_nonnull(strstr(msg, "1 of 3 values differ"));
    a->f[1] = 1.0f;
    a->f[0] = 0.0f;                          /* NaN only on one side */
    ck_assert(!values_match(a, b, msg, sizeof msg));
    a->f[0] = NAN;
    a->f[2] = INFINITY;                      /* infinities must agree in sign */
    ck_assert(!values_match(a, b, msg, sizeof msg));
    a->f[2] = -INFINITY;
    a->f[0] = 0.0f, b->f[0] = 5e-6f;         /* within atol near 0 */
    ck_assert(values_match(a, b, msg, sizeof msg));

    Value *i = value_new(ET_INT64, &s), *bo = value_new(ET_BOOL, &s);
    ck_assert(!values_match(i, b, msg, sizeof msg));   /* integer vs float */
    ck_assert(!values_match(i, bo, msg, sizeof msg));  /* integer vs bool */
    Value *j = value_new(ET_INT32, &s);                /* same class, other type */
    ck_assert(!values_match(i, j, msg, sizeof msg));
    ck_assert_ptr_nonnull(strstr(msg, "element type int64 (integer), expected int32"));
    j->elem_type = ET_INT64;
    ck_assert(values_match(i, j, msg, sizeof msg));
    j->i[2] = 1;
    ck_assert(!values_match(i, j, msg, sizeof msg));
    Shape t = { 2, { 3, 1 } };
    Value *c = value_new(ET_FLOAT, &t);
    ck_assert(!values_match(c, b, msg, sizeof msg));
    ck_assert_ptr_nonnull(strstr(msg, "shape"));
    value_free(a), value_free(b), value_free(i), value_free(bo), value_free(j), value_free(c);
}
END_TEST

static Suite *conformance_suite(void)
{
    Suite *s = suite_create("onnx_conformance");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_values_match);
    tcase_add_test(tc, test_conformance);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conformance_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
