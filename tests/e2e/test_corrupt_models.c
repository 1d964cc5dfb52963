/* Hostile and malformed models at the command line: `qonnxc run` on each
 * mutant of a valid model must end with a clear error or, for byte-level
 * mutants, possibly a success. The rules every case checks:
 *
 *   - the process exits normally (no signal) and stderr holds no sanitizer
 *     report ("runtime error", "AddressSanitizer", "LeakSanitizer");
 *   - an error exits with the documented code (3 bad model, 5 limit
 *     exceeded; docs/cli.md, docs/limits.md), its message names the model
 *     file (and the node, for node-level cases), and no output file exists;
 *   - truncated and flipped-byte mutants are not all invalid: a truncation
 *     at a field boundary or a flip inside weight data can leave a valid
 *     model. Such a mutant may succeed, and then the output must exist and
 *     be a valid .npy with one row per input frame.
 *
 * The structured cases are built with tests/helpers/onnx_builder.h and,
 * where the builder cannot express the damage (a negative or huge dim on a
 * tensor without data), by editing the unpacked protobuf and packing it
 * again. The byte-level cases mutate tests/models/TFC_1W1A/model.onnx and
 * a small builder model with a fixed-seed generator, so every run tests
 * the same mutants. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model_data.h"
#include "npy.h"
#include "onnx/onnx.pb-c.h"
#include "onnx_builder.h"
#include "run_cli.h"

static char *tmp;
static char model[512], input[512], output[512];

static void setup(void)
{
    tmp = make_temp_dir("corrupt");
    ck_assert_ptr_nonnull(tmp);
    snprintf(model, sizeof model, "%s/model.onnx", tmp);
    snprintf(input, sizeof input, "%s/in.npy", tmp);
    snprintf(output, sizeof output, "%s/out.npy", tmp);
}

static void teardown(void)
{
    rm_rf(tmp);
    free(tmp);
}

static void write_input(int rank, const int64_t *shape)
{
    int64_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= shape[k];
    float *data = calloc((size_t)n, sizeof *data);
    for (int64_t k = 0; k < n; k++)
        data[k] = (float)((k % 7) - 3) * 0.25f;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(input, data, rank, shape, &d), "%s", d.msg);
    free(data);
}

static void write_bytes(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* The rules that hold whatever the outcome. */
static void check_sane(const CliResult *r, const char *label)
{
    ck_assert_msg(r->exit_code >= 0, "%s: qonnxc did not exit normally (signal); stderr: %s",
                  label, r->err);
    static const char *const reports[] = { "runtime error", "AddressSanitizer",
                                           "LeakSanitizer", "Segmentation", "Aborted" };
    for (size_t k = 0; k < sizeof reports / sizeof reports[0]; k++)
        ck_assert_msg(!strstr(r->err, reports[k]), "%s: sanitizer report: %s", label, r->err);
}

/* An error: the exit code, the file and every phrase named, no output. */
static void check_error(const CliResult *r, int exit_code, const char *const *phrases,
                        const char *label)
{
    check_sane(r, label);
    ck_assert_msg(r->exit_code == exit_code, "%s: exit %d, want %d; stderr: %s", label,
                  r->exit_code, exit_code, r->err);
    ck_assert_msg(strstr(r->err, model), "%s: the message does not name the model: %s", label,
                  r->err);
    for (int k = 0; phrases && phrases[k]; k++)
        ck_assert_msg(strstr(r->err, phrases[k]), "%s: stderr lacks '%s': %s", label,
                      phrases[k], r->err);
    ck_assert_msg(!file_exists(output), "%s: an output file was written", label);
}

/* A success: the output is a valid .npy with `frames` rows. */
static void check_output(const CliResult *r, int64_t frames, const char *label)
{
    check_sane(r, label);
    ck_assert_msg(file_exists(output), "%s: exit 0 but no output file", label);
    Diag d;
    diag_init(&d);
    NpyArray a;
    ck_assert_msg(npy_read(output, &a, &d), "%s: the output is not a valid .npy: %s", label,
                  d.msg);
    ck_assert_msg(a.rank >= 1 && a.shape[0] == frames, "%s: output of rank %d, %lld frames",
                  label, a.rank, (long long)(a.rank ? a.shape[0] : 0));
    npy_free(&a);
}

static CliResult run_model(const char *const *extra)
{
    const char *args[32] = { "run", model, "-i", input, "-o", output, "-q" };
    int n = 7;
    for (int k = 0; extra && extra[k] && n < 31; k++)
        args[n++] = extra[k];
    args[n] = NULL;
    return run_qonnxc(args);
}

/* Runs the current model; expects an error with the given code and phrases. */
static void expect_error(int exit_code, const char *const *phrases, const char *label)
{
    CliResult r = run_model(NULL);
    if (getenv("CORRUPT_VERBOSE"))
        printf("%s -> %d: %s", label, r.exit_code, r.err);
    check_error(&r, exit_code, phrases, label);
    cli_result_free(&r);
}

/* Outcomes of the byte-level mutants of the current test, printed at its end. */
static int n_succeeded, n_failed;

static void print_outcomes(const char *what)
{
    printf("%s: %d ran to a valid output, %d failed with a clear error\n", what, n_succeeded,
           n_failed);
    n_succeeded = n_failed = 0;
}

/* A byte-level mutant: any clear error with code 3 or 5, or a valid output. */
static void expect_error_or_output(int64_t frames, const char *label)
{
    unlink(output);
    CliResult r = run_model(NULL);
    if (r.exit_code == 0)
        n_succeeded++;
    else
        n_failed++;
    if (r.exit_code == 0) {
        check_output(&r, frames, label);
    } else {
        int code = r.exit_code == 5 ? 5 : 3;
        check_error(&r, code, (const char *[]){ "qonnxc: error: ", NULL }, label);
    }
    cli_result_free(&r);
}

static void write_model(OnnxBuilder *b)
{
    ck_assert(ob_write(b, model));
    ob_free(b);
}

/* Writes the builder's model after `edit` changed its unpacked protobuf. */
static void write_edited(OnnxBuilder *b, void (*edit)(Onnx__ModelProto *))
{
    size_t len;
    unsigned char *buf = ob_serialize(b, &len);
    ob_free(b);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    ck_assert_ptr_nonnull(mp);
    edit(mp);
    len = onnx__model_proto__get_packed_size(mp);
    buf = malloc(len);
    onnx__model_proto__pack(mp, buf);
    onnx__model_proto__free_unpacked(mp, NULL);
    write_bytes(model, buf, len);
    free(buf);
}

/* A small QONNX model: x[1,4] -> Quant(x, scale, zeropt, bits) 'act_quant'
 * -> MatMul(w) 'fc' -> Relu 'relu' -> y[1,3]. Each case breaks one thing. */
static OnnxBuilder *small_model(float scale, float bits)
{
    OnnxBuilder *b = ob_new("small");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ scale });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_init_f32(b, "bits", 0, NULL, (float[]){ bits });
    float w[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 };
    ob_init_f32(b, "w", 2, (int64_t[]){ 4, 3 }, w);
    ObNode *q = ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
                        (const char *[]){ "x", "scale", "zeropt", "bits" }, 1,
                        (const char *[]){ "xq" });
    ob_attr_int(q, "signed", 1);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", "ROUND");
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "xq", "w" }, 1, (const char *[]){ "h" });
    ob_node(b, "Relu", NULL, "relu", 1, (const char *[]){ "h" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    return b;
}

static void small_input(void)
{
    write_input(2, (int64_t[]){ 2, 4 });
}

/* ---- the baseline ------------------------------------------------------- */

START_TEST(baseline_runs)
{
    write_model(small_model(0.5f, 4));
    small_input();
    CliResult r = run_model(NULL);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    check_output(&r, 2, "baseline");
    cli_result_free(&r);
}
END_TEST

/* ---- truncated and flipped bytes ----------------------------------------- */

static void tfc_input(void)
{
    write_input(4, (int64_t[]){ 1, 1, 28, 28 });
}

START_TEST(truncated_files)
{
    char src[512];
    size_t len;
    unsigned char *buf = read_bytes(model_path(src, sizeof src, "TFC_1W1A", "model.onnx"), &len);
    tfc_input();
    /* every length up to 64, then 60 lengths spread over the file, then the
     * last few bytes: 130 truncations */
    size_t lengths[160];
    int n = 0;
    for (size_t k = 0; k < 64; k++)
        lengths[n++] = k;
    for (size_t k = 1; k <= 60; k++)
        lengths[n++] = 64 + (len - 80) * k / 61;
    for (size_t k = 1; k <= 6; k++)
        lengths[n++] = len - k;
    char label[64];
    for (int k = 0; k < n; k++) {
        write_bytes(model, buf, lengths[k]);
        snprintf(label, sizeof label, "truncated to %zu of %zu bytes", lengths[k], len);
        expect_error_or_output(1, label);
    }
    print_outcomes("truncated TFC_1W1A");
    free(buf);
}
END_TEST

/* xorshift64*, fixed seed: the same mutants on every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* One mutant of buf: 1 to 4 bytes flipped (a random bit, or a random
 * value), positions drawn from [lo, hi) of the file. */
static void flip_bytes(unsigned char *m, const unsigned char *buf, size_t len, size_t lo,
                       size_t hi)
{
    memcpy(m, buf, len);
    int flips = 1 + (int)(rng() % 4);
    for (int f = 0; f < flips; f++) {
        size_t pos = lo + rng() % (hi - lo);
        if (rng() % 2)
            m[pos] ^= (unsigned char)(1u << (rng() % 8));
        else
            m[pos] = (unsigned char)rng();
    }
}

START_TEST(flipped_bytes_tfc)
{
    char src[512];
    size_t len;
    unsigned char *buf = read_bytes(model_path(src, sizeof src, "TFC_1W1A", "model.onnx"), &len);
    unsigned char *m = malloc(len);
    tfc_input();
    rng_state = 0x9e3779b97f4a7c15ull;
    char label[64];
    /* The graph structure (nodes, then inputs and outputs) sits at both ends
     * of the file, the weights in between: 2/3 of the mutants hit the ends. */
    for (int k = 0; k < 150; k++) {
        size_t lo = 0, hi = len;
        if (k % 3 == 0)
            hi = 4096;
        else if (k % 3 == 1)
            lo = len - 4096;
        flip_bytes(m, buf, len, lo, hi);
        write_bytes(model, m, len);
        snprintf(label, sizeof label, "TFC_1W1A mutant %d", k);
        expect_error_or_output(1, label);
    }
    print_outcomes("flipped TFC_1W1A");
    free(m);
    free(buf);
}
END_TEST

START_TEST(flipped_bytes_small)
{
    OnnxBuilder *b = small_model(0.5f, 4);
    size_t len;
    unsigned char *buf = ob_serialize(b, &len);
    ob_free(b);
    unsigned char *m = malloc(len);
    small_input();
    rng_state = 0x0123456789abcdefull;
    char label[64];
    for (int k = 0; k < 200; k++) {
        flip_bytes(m, buf, len, 0, len);
        write_bytes(model, m, len);
        snprintf(label, sizeof label, "small model mutant %d", k);
        expect_error_or_output(2, label);
    }
    print_outcomes("flipped small model");
    free(m);
    free(buf);
}
END_TEST

/* ---- dims ------------------------------------------------------------------ */

static Onnx__TensorProto *find_init(Onnx__ModelProto *mp, const char *name)
{
    for (size_t k = 0; k < mp->graph->n_initializer; k++)
        if (!strcmp(mp->graph->initializer[k]->name, name))
            return mp->graph->initializer[k];
    ck_abort_msg("no initializer %s", name);
    return NULL;
}

static void negative_weight_dim(Onnx__ModelProto *mp)
{
    find_init(mp, "w")->dims[0] = -4;
}

static void huge_weight_dims(Onnx__ModelProto *mp)
{
    Onnx__TensorProto *w = find_init(mp, "w");
    w->dims[0] = (int64_t)1 << 40;
    w->dims[1] = (int64_t)1 << 40;
}

static void overflowing_weight_dims(Onnx__ModelProto *mp)
{
    /* the product overflows int64; a zero dim must not hide it */
    Onnx__TensorProto *w = find_init(mp, "w");
    w->dims[0] = INT64_MAX / 2;
    w->dims[1] = 0;
}

static void huge_input_dim(Onnx__ModelProto *mp)
{
    mp->graph->input[0]->type->tensor_type->shape->dim[1]->dim_value = (int64_t)1 << 50;
}

static void high_rank_weight(Onnx__ModelProto *mp)
{
    Onnx__TensorProto *w = find_init(mp, "w");
    int64_t *dims = malloc(12 * sizeof *dims);
    for (int k = 0; k < 12; k++)
        dims[k] = k == 0 ? 4 : k == 1 ? 3 : 1;
    free(w->dims);
    w->dims = dims;
    w->n_dims = 12;
}

START_TEST(negative_dim)
{
    write_edited(small_model(0.5f, 4), negative_weight_dim);
    small_input();
    expect_error(3, (const char *[]){ "tensor 'w'", "negative dimension", NULL }, "negative dim");
}
END_TEST

START_TEST(huge_dims)
{
    small_input();
    write_edited(small_model(0.5f, 4), huge_weight_dims);
    expect_error(5, (const char *[]){ "tensor 'w'", "tensor-elements", "--limit", NULL },
                 "huge weight dims");
    write_edited(small_model(0.5f, 4), overflowing_weight_dims);
    expect_error(5, (const char *[]){ "tensor 'w'", "tensor-elements", NULL },
                 "overflowing weight dims");
    write_edited(small_model(0.5f, 4), huge_input_dim);
    expect_error(5, (const char *[]){ "graph input", "tensor-elements", NULL }, "huge input dim");
    write_edited(small_model(0.5f, 4), high_rank_weight);
    expect_error(5, (const char *[]){ "tensor 'w'", "rank", NULL }, "rank 12");
}
END_TEST

START_TEST(huge_shape_operand)
{
    /* Expand to [2^20, 2^20, 4]: inference knows the size before anything runs */
    OnnxBuilder *b = ob_new("expand");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 3 },
                (int64_t[]){ (int64_t)1 << 20, (int64_t)1 << 20, 4 });
    ob_node(b, "Expand", NULL, "expand", 2, (const char *[]){ "x", "shape" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    small_input();
    expect_error(5, (const char *[]){ "node 'expand' (Expand)", "tensor-elements", NULL },
                 "huge Expand");

    /* a negative extent in a Reshape target */
    b = ob_new("reshape");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 1, -7 });
    ob_node(b, "Reshape", NULL, "reshape", 2, (const char *[]){ "x", "shape" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    expect_error(3, (const char *[]){ "node 'reshape' (Reshape)", NULL }, "Reshape to -7");

    /* pads of 2^40 */
    b = ob_new("pad");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "pads", 1, (int64_t[]){ 4 }, (int64_t[]){ 0, (int64_t)1 << 40, 0, 1 });
    ob_node(b, "Pad", NULL, "pad", 2, (const char *[]){ "x", "pads" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    CliResult r = run_model(NULL);
    check_error(&r, r.exit_code == 5 ? 5 : 3, (const char *[]){ "node 'pad' (Pad)", NULL },
                "Pad by 2^40");
    cli_result_free(&r);
}
END_TEST

/* ---- graph structure --------------------------------------------------------- */

START_TEST(dangling_name)
{
    OnnxBuilder *b = small_model(0.5f, 4);
    ob_node(b, "Add", NULL, "add", 2, (const char *[]){ "y", "nowhere" }, 1,
            (const char *[]){ "z" });
    ob_output(b, "z", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    write_model(b);
    small_input();
    expect_error(3, (const char *[]){ "node 'add' (Add)", "'nowhere'", NULL }, "dangling input");

    b = small_model(0.5f, 4);
    ob_output(b, "ghost", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    write_model(b);
    expect_error(3, (const char *[]){ "'ghost'", NULL }, "dangling output");
}
END_TEST

START_TEST(cycle)
{
    OnnxBuilder *b = ob_new("cycle");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_node(b, "Add", NULL, "a", 2, (const char *[]){ "x", "c" }, 1, (const char *[]){ "b" });
    ob_node(b, "Relu", NULL, "r", 1, (const char *[]){ "b" }, 1, (const char *[]){ "c" });
    ob_node(b, "Relu", NULL, "out", 1, (const char *[]){ "c" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    small_input();
    expect_error(3, (const char *[]){ "cycle", "node '", NULL }, "cycle");

    /* a node reading its own output */
    b = ob_new("self");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_node(b, "Add", NULL, "self", 2, (const char *[]){ "x", "y" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    expect_error(3, (const char *[]){ "node 'self' (Add)", "cycle", NULL }, "self loop");
}
END_TEST

START_TEST(duplicate_outputs)
{
    OnnxBuilder *b = small_model(0.5f, 4);
    ob_node(b, "Relu", NULL, "again", 1, (const char *[]){ "h" }, 1, (const char *[]){ "y" });
    write_model(b);
    small_input();
    expect_error(3, (const char *[]){ "node 'again' (Relu)", "'y'", "also written by", NULL },
                 "two nodes write y");

    b = small_model(0.5f, 4);
    ob_node(b, "Relu", NULL, "over_input", 1, (const char *[]){ "h" }, 1,
            (const char *[]){ "x" });
    write_model(b);
    expect_error(3, (const char *[]){ "node 'over_input' (Relu)", "graph input", NULL },
                 "a node writes a graph input");

    b = small_model(0.5f, 4);
    ob_node(b, "Relu", NULL, "over_weight", 1, (const char *[]){ "h" }, 1,
            (const char *[]){ "w" });
    write_model(b);
    expect_error(3, (const char *[]){ "node 'over_weight' (Relu)", "initializer", NULL },
                 "a node writes an initializer");

    b = small_model(0.5f, 4);
    ob_init_f32(b, "w", 0, NULL, (float[]){ 1.0f });
    write_model(b);
    expect_error(3, (const char *[]){ "'w'", "twice", NULL }, "initializer defined twice");

    b = small_model(0.5f, 4);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    write_model(b);
    expect_error(3, (const char *[]){ "'y'", "twice", NULL }, "output listed twice");
}
END_TEST

/* ---- quantizer parameters ---------------------------------------------------- */

START_TEST(bad_scales)
{
    small_input();
    const float scales[] = { 0.0f, -0.5f, NAN, INFINITY, -INFINITY };
    const char *labels[] = { "scale 0", "scale -0.5", "scale NaN", "scale +Inf", "scale -Inf" };
    for (int k = 0; k < 5; k++) {
        write_model(small_model(scales[k], 4));
        expect_error(3, (const char *[]){ "node 'act_quant' (Quant)", "scale", NULL }, labels[k]);
    }
}
END_TEST

START_TEST(bad_bit_widths)
{
    small_input();
    const float bits[] = { 0.0f, 33.0f, -1.0f, 2.5f, NAN, INFINITY };
    const char *labels[] = { "bits 0", "bits 33", "bits -1", "bits 2.5", "bits NaN",
                             "bits Inf" };
    for (int k = 0; k < 6; k++) {
        write_model(small_model(0.5f, bits[k]));
        expect_error(3, (const char *[]){ "node 'act_quant' (Quant)", "bit", NULL }, labels[k]);
    }
}
END_TEST

START_TEST(non_constant_bit_width)
{
    /* the bit width is computed by a node from the graph input */
    OnnxBuilder *b = ob_new("nonconst");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_node(b, "ReduceMax", NULL, "bits_of_x", 1, (const char *[]){ "x" }, 1,
            (const char *[]){ "bits" });
    ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
            (const char *[]){ "x", "scale", "zeropt", "bits" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    small_input();
    expect_error(3, (const char *[]){ "node '", NULL }, "bit width from an unsupported op");

    b = ob_new("nonconst2");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_input(b, "bits", ET_FLOAT, 0, NULL);
    ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
            (const char *[]){ "x", "scale", "zeropt", "bits" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    expect_error(3, (const char *[]){ "node 'act_quant' (Quant)", "constant", NULL },
                 "bit width from a graph input");

    b = ob_new("nonconst3");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
    ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
    ob_node(b, "Relu", NULL, "bits_of_x", 1, (const char *[]){ "x" }, 1,
            (const char *[]){ "bits" });
    ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
            (const char *[]){ "x", "scale", "zeropt", "bits" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    expect_error(3, (const char *[]){ "node 'act_quant' (Quant)", "constant", NULL },
                 "bit width from a Relu of the input");
}
END_TEST

/* ---- wrong input counts per op ----------------------------------------------- */

typedef struct {
    const char *op, *domain;
    int n_inputs;
} ArityCase;

START_TEST(wrong_input_counts)
{
    static const ArityCase cases[] = {
        { "Quant", "qonnx.custom_op.general", 3 },
        { "Quant", "qonnx.custom_op.general", 5 },
        { "BipolarQuant", "qonnx.custom_op.general", 1 },
        { "BipolarQuant", "qonnx.custom_op.general", 3 },
        { "MultiThreshold", "qonnx.custom_op.general", 1 },
        { "Trunc", "qonnx.custom_op.general", 2 },
        { "MatMul", NULL, 1 },
        { "MatMul", NULL, 3 },
        { "Conv", NULL, 1 },
        { "Conv", NULL, 4 },
        { "Relu", NULL, 2 },
        { "Add", NULL, 1 },
        { "Reshape", NULL, 1 },
        { "Gemm", NULL, 4 },
        { "BatchNormalization", NULL, 3 },
        { "Transpose", NULL, 0 },
    };
    static const char *const names[] = { "x", "p1", "p2", "p3", "p4", "p5" };
    small_input();
    char label[96];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        OnnxBuilder *b = ob_new("arity");
        ob_opset(b, "qonnx.custom_op.general", 1);
        ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
        for (int i = 1; i < 6; i++)
            ob_init_f32(b, names[i], 0, NULL, (float[]){ 1.0f });
        ob_node(b, cases[k].op, cases[k].domain, "bad_arity", cases[k].n_inputs, names, 1,
                (const char *[]){ "y" });
        ob_output(b, "y", ET_FLOAT, -1, NULL);
        write_model(b);
        snprintf(label, sizeof label, "%s with %d inputs", cases[k].op, cases[k].n_inputs);
        char node[96];
        snprintf(node, sizeof node, "node 'bad_arity' (%s)", cases[k].op);
        expect_error(3, (const char *[]){ node, "input", NULL }, label);
    }
}
END_TEST

/* ---- wrong attribute types ------------------------------------------------------ */

START_TEST(wrong_attribute_types)
{
    small_input();
    /* Quant: signed as a string, rounding_mode as an int, narrow as a float */
    for (int k = 0; k < 3; k++) {
        OnnxBuilder *b = ob_new("attr");
        ob_opset(b, "qonnx.custom_op.general", 1);
        ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
        ob_init_f32(b, "scale", 0, NULL, (float[]){ 0.5f });
        ob_init_f32(b, "zeropt", 0, NULL, (float[]){ 0.0f });
        ob_init_f32(b, "bits", 0, NULL, (float[]){ 4.0f });
        ObNode *q = ob_node(b, "Quant", "qonnx.custom_op.general", "act_quant", 4,
                            (const char *[]){ "x", "scale", "zeropt", "bits" }, 1,
                            (const char *[]){ "y" });
        if (k == 0)
            ob_attr_string(q, "signed", "yes");
        else if (k == 1)
            ob_attr_int(q, "rounding_mode", 1);
        else
            ob_attr_float(q, "narrow", 0.5f);
        ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
        write_model(b);
        expect_error(3, (const char *[]){ "node 'act_quant' (Quant)", NULL }, "Quant attribute");
    }
    /* Conv strides as an int, Transpose perm as floats, Gather axis as a string,
     * Softmax axis as ints, MaxPool kernel_shape as a tensor */
    OnnxBuilder *b = ob_new("conv");
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    ob_init_f32(b, "w", 4, (int64_t[]){ 1, 1, 2, 2 }, NULL);
    ObNode *c = ob_node(b, "Conv", NULL, "conv", 2, (const char *[]){ "x", "w" }, 1,
                        (const char *[]){ "y" });
    ob_attr_int(c, "strides", 1);
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    write_input(4, (int64_t[]){ 1, 1, 4, 4 });
    expect_error(3, (const char *[]){ "node 'conv' (Conv)", "strides", NULL }, "Conv strides");

    b = ob_new("transpose");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ObNode *t = ob_node(b, "Transpose", NULL, "transpose", 1, (const char *[]){ "x" }, 1,
                        (const char *[]){ "y" });
    ob_attr_floats(t, "perm", 2, (float[]){ 1.0f, 0.0f });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    small_input();
    expect_error(3, (const char *[]){ "node 'transpose' (Transpose)", "perm", NULL },
                 "Transpose perm");

    b = ob_new("gather");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "idx", 1, (int64_t[]){ 2 }, (int64_t[]){ 0, 3 });
    ObNode *g = ob_node(b, "Gather", NULL, "gather", 2, (const char *[]){ "x", "idx" }, 1,
                        (const char *[]){ "y" });
    ob_attr_string(g, "axis", "1");
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    expect_error(3, (const char *[]){ "node 'gather' (Gather)", "axis", NULL }, "Gather axis");

    b = ob_new("softmax");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ObNode *s = ob_node(b, "Softmax", NULL, "softmax", 1, (const char *[]){ "x" }, 1,
                        (const char *[]){ "y" });
    ob_attr_ints(s, "axis", 1, (int64_t[]){ 1 });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    expect_error(3, (const char *[]){ "node 'softmax' (Softmax)", "axis", NULL },
                 "Softmax axis");

    b = ob_new("maxpool");
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    ObNode *p = ob_node(b, "MaxPool", NULL, "pool", 1, (const char *[]){ "x" }, 1,
                        (const char *[]){ "y" });
    ob_attr_tensor(p, "kernel_shape", ET_INT64, 1, (int64_t[]){ 2 }, (int64_t[]){ 2, 2 });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    write_input(4, (int64_t[]){ 1, 1, 4, 4 });
    expect_error(3, (const char *[]){ "node 'pool' (MaxPool)", "kernel_shape", NULL },
                 "MaxPool kernel_shape");
}
END_TEST

/* ---- limits ---------------------------------------------------------------------- */

typedef struct {
    const char *option;     /* --limit value */
    const char *name;       /* the limit the message must name */
} LimitCase;

START_TEST(limits_exceeded)
{
    write_model(small_model(0.5f, 4));
    small_input();
    static const LimitCase cases[] = {
        { "model-bytes=100", "model-bytes=100" },
        { "parse-bytes=256", "parse-bytes=256" },
        { "nodes=2", "nodes=2" },
        { "tensors=5", "tensors=5" },
        { "rank=1", "rank=1" },
        { "tensor-elements=10", "tensor-elements=10" },
        { "attribute-bytes=4", "attribute-bytes=4" },
        { "constant-bytes=40", "constant-bytes=40" },
        { "activation-bytes=16", "activation-bytes=16" },
    };
    char label[96];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        CliResult r = run_model((const char *[]){ "--limit", cases[k].option, NULL });
        snprintf(label, sizeof label, "--limit %s", cases[k].option);
        check_error(&r, 5, (const char *[]){ cases[k].name, NULL }, label);
        if (strncmp(cases[k].option, "rank", 4))
            ck_assert_msg(strstr(r.err, "raise it with --limit"), "%s: %s", label, r.err);
        cli_result_free(&r);
    }
    /* generous limits change nothing */
    CliResult r = run_model((const char *[]){ "--limit", "tensor-elements=1M", "--limit",
                                              "activation-bytes=64K", NULL });
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    check_output(&r, 2, "generous limits");
    cli_result_free(&r);
}
END_TEST

START_TEST(limit_on_activations_at_run_time)
{
    /* activation-bytes is checked as the interpreter runs: Expand's output
     * [4096, 4] is within tensor-elements but takes 64 KiB */
    OnnxBuilder *b = ob_new("runtime");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 4096, 4 });
    ob_node(b, "Expand", NULL, "expand", 2, (const char *[]){ "x", "shape" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, -1, NULL);
    write_model(b);
    small_input();
    CliResult r = run_model((const char *[]){ "--limit", "activation-bytes=4K", NULL });
    check_error(&r, 5, (const char *[]){ "node 'expand' (Expand)", "activation-bytes=4096", NULL },
                "Expand over activation-bytes");
    cli_result_free(&r);
}
END_TEST

START_TEST(limit_on_folded_constants)
{
    /* ConstantOfShape folds into a 4 MB constant from a 16-byte model tensor:
     * folded constants count against constant-bytes like initializers */
    OnnxBuilder *b = ob_new("fold");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_init_i64(b, "shape", 1, (int64_t[]){ 2 }, (int64_t[]){ 1024, 1024 });
    ob_node(b, "ConstantOfShape", NULL, "zeros", 1, (const char *[]){ "shape" }, 1,
            (const char *[]){ "z" });
    ob_node(b, "Relu", NULL, "relu", 1, (const char *[]){ "x" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_output(b, "z", ET_FLOAT, -1, NULL);
    write_model(b);
    small_input();
    const char *args[] = { "info", model, "--limit", "constant-bytes=1M", NULL };
    CliResult r = run_qonnxc(args);
    check_error(&r, 5, (const char *[]){ "node 'zeros' (ConstantOfShape)", "constant-bytes=1048576",
                                         NULL }, "ConstantOfShape over constant-bytes");
    cli_result_free(&r);
}
END_TEST

START_TEST(empty_frames_do_not_loop)
{
    /* a model whose input is empty, and 2^40 empty frames of data: the
     * batch counts its non-zero dims against tensor-elements */
    OnnxBuilder *b = ob_new("empty");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 0 });
    ob_node(b, "Relu", NULL, "relu", 1, (const char *[]){ "x" }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 0 });
    write_model(b);
    write_input(2, (int64_t[]){ (int64_t)1 << 40, 0 });
    expect_error(5, (const char *[]){ "graph input 'x'", "tensor-elements", NULL },
                 "2^40 empty frames");
    write_input(2, (int64_t[]){ 3, 0 });
    CliResult r = run_model(NULL);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    check_output(&r, 3, "3 empty frames");
    cli_result_free(&r);
}
END_TEST

START_TEST(parse_amplification)
{
    /* 200 KB of empty NodeProtos (2 bytes each) unpack to ~100 bytes each:
     * parse-bytes stops protobuf-c before the tree exists */
    size_t n_nodes = 100000, graph_len = 2 * n_nodes, len = 0;
    unsigned char *buf = malloc(graph_len + 16);
    buf[len++] = 0x3a; /* ModelProto.graph, length-delimited */
    for (size_t v = graph_len; ; v >>= 7) {
        buf[len++] = (unsigned char)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80)
            break;
    }
    for (size_t k = 0; k < n_nodes; k++) {
        buf[len++] = 0x0a; /* GraphProto.node, empty */
        buf[len++] = 0x00;
    }
    write_bytes(model, buf, len);
    free(buf);
    small_input();
    CliResult r = run_model((const char *[]){ "--limit", "parse-bytes=1M", NULL });
    check_error(&r, 5, (const char *[]){ "parse-bytes=1048576", "parsing the model", NULL },
                "200 KB of empty nodes");
    cli_result_free(&r);
    /* by default it parses, and the first node is rejected */
    expect_error(3, (const char *[]){ "op_type", NULL }, "empty nodes, default limits");
}
END_TEST

START_TEST(long_shape_chain_is_not_quadratic)
{
    /* x -> Shape -> Reshape(x, shape) -> Shape -> Reshape -> ...: each Shape
     * folds only once the Reshape before it is inferred. Cleanup used to
     * fold one link per round of inference and folding (10000 nodes took
     * about a minute); one sweep must do it now. */
    OnnxBuilder *b = ob_new("chain");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    char prev[32] = "x", shape[32], next[32];
    for (int k = 0; k < 5000; k++) {
        snprintf(shape, sizeof shape, "s%d", k);
        snprintf(next, sizeof next, "t%d", k);
        ob_node(b, "Shape", NULL, NULL, 1, (const char *[]){ prev }, 1, (const char *[]){ shape });
        ob_node(b, "Reshape", NULL, NULL, 2, (const char *[]){ prev, shape }, 1,
                (const char *[]){ next });
        memcpy(prev, next, sizeof prev);
    }
    ob_output(b, prev, ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    small_input();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CliResult r = run_model(NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    check_output(&r, 2, "5000-link Shape/Reshape chain");
    ck_assert_msg(seconds < 30, "the 10000-node chain took %.1f s", seconds);
    cli_result_free(&r);
}
END_TEST

START_TEST(many_nodes)
{
    OnnxBuilder *b = ob_new("chain");
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    char prev[32] = "x", next[32], name[32];
    for (int k = 0; k < 300; k++) {
        snprintf(next, sizeof next, "t%d", k);
        snprintf(name, sizeof name, "relu%d", k);
        ob_node(b, "Relu", NULL, name, 1, (const char *[]){ prev }, 1, (const char *[]){ next });
        memcpy(prev, next, sizeof prev);
    }
    ob_output(b, prev, ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    write_model(b);
    small_input();
    CliResult r = run_model((const char *[]){ "--limit", "nodes=100", NULL });
    check_error(&r, 5, (const char *[]){ "nodes=100", "300", NULL }, "300 nodes");
    cli_result_free(&r);
    r = run_model(NULL);
    ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
    check_output(&r, 2, "300 nodes, default limits");
    cli_result_free(&r);
}
END_TEST

START_TEST(bad_limit_options)
{
    write_model(small_model(0.5f, 4));
    small_input();
    static const char *const bad[] = { "nodes", "frobs=3", "nodes=-1", "nodes=3X", "rank=9",
                                       "tensor-elements=9999999999999", "nodes=" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CliResult r = run_model((const char *[]){ "--limit", bad[k], NULL });
        check_sane(&r, bad[k]);
        ck_assert_msg(r.exit_code == 2, "--limit %s: exit %d; %s", bad[k], r.exit_code, r.err);
        ck_assert_msg(strstr(r.err, "--limit"), "--limit %s: %s", bad[k], r.err);
        ck_assert(!file_exists(output));
        cli_result_free(&r);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("corrupt_models");
    TCase *tc = tcase_create("corrupt");
    tcase_set_timeout(tc, 1800); /* hundreds of runs of qonnxc, slow under sanitizers */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, baseline_runs);
    tcase_add_test(tc, truncated_files);
    tcase_add_test(tc, flipped_bytes_tfc);
    tcase_add_test(tc, flipped_bytes_small);
    tcase_add_test(tc, negative_dim);
    tcase_add_test(tc, huge_dims);
    tcase_add_test(tc, huge_shape_operand);
    tcase_add_test(tc, dangling_name);
    tcase_add_test(tc, cycle);
    tcase_add_test(tc, duplicate_outputs);
    tcase_add_test(tc, bad_scales);
    tcase_add_test(tc, bad_bit_widths);
    tcase_add_test(tc, non_constant_bit_width);
    tcase_add_test(tc, wrong_input_counts);
    tcase_add_test(tc, wrong_attribute_types);
    tcase_add_test(tc, limits_exceeded);
    tcase_add_test(tc, limit_on_activations_at_run_time);
    tcase_add_test(tc, limit_on_folded_constants);
    tcase_add_test(tc, empty_frames_do_not_loop);
    tcase_add_test(tc, parse_amplification);
    tcase_add_test(tc, long_shape_chain_is_not_quadratic);
    tcase_add_test(tc, many_nodes);
    tcase_add_test(tc, bad_limit_options);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
