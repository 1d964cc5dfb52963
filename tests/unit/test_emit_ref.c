/* The ref target's emitter on small integer graphs built here (qonnxc-domain
 * nodes of docs/integer-graph.md, written by the ONNX builder and cleaned
 * up like any model), one per family of kernels:
 *
 *   mlp_xnor   InputQuant bipolar, XNOR IntMatMul + MultiThreshold with
 *              K not a multiple of 64, a final XNOR IntMatMul
 *   cnv_xnor   8-bit InputQuant, int8 x BIPOLAR conv (the cols kernel) to
 *              bits, XNOR conv + MultiThreshold + IntMaxPool (fused), a
 *              Reshape that reorders bits, XNOR IntMatMul
 *   int_paths  4-bit InputQuant with per-channel scale and zero point and
 *              HALF_UP rounding, grouped padded strided conv (generic), multi-
 *              level thresholds, padded IntMaxPool on int8, Transpose and
 *              Flatten copies, IntMatMul, IntAdd, per-channel OutputAffine
 *   wide       InputQuant "integer" of UINT8 inputs (int32_t storage),
 *              IntMatMul, one-row thresholds, channels-last MultiThreshold
 *   cols_kernels  int8 convolutions of odd sizes in the cols kernel, 16-bit
 *              sums flushed every proven chunk of taps, every 2-4 bit
 *              weight encoding, to multi-level and to BIPOLAR outputs
 *
 * Each is emitted, built with the Makefile's strict flags and run (float
 * outputs, and --int integer outputs) on random frames; both must equal the
 * int engine's bit for bit. Also: byte-identical output across runs, and
 * errors naming the node for what the target does not support. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "e2e_util.h"
#include "emit_mcu.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_util.h"
#include "exec.h"
#include "npy.h"
#include "onnx_builder.h"

static uint32_t rng_state = 0xEEF1u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* ---- building graphs ----------------------------------------------------- */

#define IN(...) (const char *[]){ __VA_ARGS__ }
#define DIMS(...) (int64_t[]){ __VA_ARGS__ }

/* An int64 initializer of random values in [lo, hi] (lo = -1, hi = 1 and
 * bipolar: -1 or +1). */
static void weights(OnnxBuilder *b, const char *name, int rank, const int64_t *dims, int64_t lo,
                    int64_t hi, bool bipolar)
{
    int64_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= dims[k];
    int64_t *v = malloc((size_t)n * sizeof *v);
    for (int64_t k = 0; k < n; k++)
        v[k] = bipolar ? (rng() & 1u ? 1 : -1) : lo + (int64_t)(rng() % (uint32_t)(hi - lo + 1));
    ob_init_i64(b, name, rank, dims, v);
    free(v);
}

/* Thresholds [rows, levels], each row ascending, spread over [lo, hi]. */
static void thresholds(OnnxBuilder *b, const char *name, int64_t rows, int64_t levels, int64_t lo,
                       int64_t hi)
{
    int64_t *v = malloc((size_t)(rows * levels) * sizeof *v);
    for (int64_t r = 0; r < rows; r++) {
        int64_t prev = lo;
        for (int64_t l = 0; l < levels; l++) {
            int64_t span = (hi - prev) / (levels - l) + 1;
            prev += (int64_t)(rng() % (uint32_t)span);
            v[r * levels + l] = prev;
        }
    }
    ob_init_i64(b, name, 2, (int64_t[]){ rows, levels }, v);
    free(v);
}

static void f32(OnnxBuilder *b, const char *name, int rank, const int64_t *dims, const float *v)
{
    ob_init_f32(b, name, rank, dims, v);
}

static void dt(OnnxBuilder *b, const char *tensor, const char *qdt)
{
    ob_annotate(b, tensor, "finn_datatype", qdt);
}

static ObNode *q(OnnxBuilder *b, const char *op, const char *name, int n_in, const char *const *in,
                 const char *out)
{
    return ob_node(b, op, "qonnxc", name, n_in, in, 1, (const char *[]){ out });
}

static OnnxBuilder *start(const char *name)
{
    OnnxBuilder *b = ob_new(name);
    ob_opset(b, "qonnxc", 1);
    return b;
}

/* fc1: the first IntMatMul's node name */
static OnnxBuilder *mlp_xnor_named(const char *fc1)
{
    OnnxBuilder *b = start("mlp_xnor");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 70));
    f32(b, "half", 0, NULL, (float[]){ 0.5f });
    ObNode *iq = q(b, "InputQuant", "iq", 2, IN("x", "half"), "q");
    ob_attr_string(iq, "mode", "bipolar");
    ob_attr_strings(iq, "steps", 1, IN("sub"));
    dt(b, "q", "BIPOLAR");
    weights(b, "w1", 2, DIMS(70, 100), -1, 1, true);
    ob_attr_int(q(b, "IntMatMul", fc1, 2, IN("q", "w1"), "a1"), "xnor", 1);
    dt(b, "a1", "UINT7");
    thresholds(b, "t1", 100, 1, 25, 45);
    ObNode *mt = q(b, "MultiThreshold", "mt1", 2, IN("a1", "t1"), "h1");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h1", "BIPOLAR");
    weights(b, "w2", 2, DIMS(100, 5), -1, 1, true);
    ob_attr_int(q(b, "IntMatMul", "fc2", 2, IN("h1", "w2"), "y"), "xnor", 1);
    dt(b, "y", "UINT7");
    f32(b, "A", 1, DIMS(5), (float[]){ 0.5f, -0.25f, 3.0f, 1e-3f, 7.0f });
    f32(b, "B", 1, DIMS(5), (float[]){ 1.0f, 0.0f, -2.5f, 0.125f, 3.0f });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 5));
    return b;
}

static OnnxBuilder *mlp_xnor(void)
{
    return mlp_xnor_named("fc1");
}

static OnnxBuilder *cnv_xnor(void)
{
    OnnxBuilder *b = start("cnv_xnor");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 3, 10, 10));
    f32(b, "two", 0, NULL, (float[]){ 2.0f });
    f32(b, "one", 0, NULL, (float[]){ 1.0f });
    f32(b, "scale", 0, NULL, (float[]){ 1.0f / 64 });
    f32(b, "zp", 0, NULL, (float[]){ 0.0f });
    ObNode *iq = q(b, "InputQuant", "iq", 5, IN("x", "two", "one", "scale", "zp"), "q");
    ob_attr_strings(iq, "steps", 2, IN("mul", "sub"));
    ob_attr_string(iq, "mode", "quant");
    ob_attr_int(iq, "bits", 8);
    dt(b, "q", "INT8");
    weights(b, "w1", 4, DIMS(70, 3, 3, 3), -1, 1, true);
    q(b, "IntConv", "conv1", 2, IN("q", "w1"), "a1");
    dt(b, "a1", "INT13");
    thresholds(b, "t1", 70, 1, -300, 300);
    ObNode *mt = q(b, "MultiThreshold", "mt1", 2, IN("a1", "t1"), "h1");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h1", "BIPOLAR");
    weights(b, "w2", 4, DIMS(20, 70, 3, 3), -1, 1, true);
    ob_attr_int(q(b, "IntConv", "conv2", 2, IN("h1", "w2"), "a2"), "xnor", 1);
    dt(b, "a2", "UINT10");
    thresholds(b, "t2", 20, 1, 300, 330);
    mt = q(b, "MultiThreshold", "mt2", 2, IN("a2", "t2"), "h2");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h2", "BIPOLAR");
    ObNode *pool = q(b, "IntMaxPool", "pool", 1, IN("h2"), "p");
    ob_attr_ints(pool, "kernel_shape", 2, DIMS(2, 2));
    ob_attr_ints(pool, "strides", 2, DIMS(2, 2));
    dt(b, "p", "BIPOLAR");
    ob_init_i64(b, "shape", 1, DIMS(2), DIMS(1, 180));
    ob_node(b, "Reshape", "", "flat", 2, IN("p", "shape"), 1, IN("f"));
    dt(b, "f", "BIPOLAR");
    weights(b, "w3", 2, DIMS(180, 10), -1, 1, true);
    ob_attr_int(q(b, "IntMatMul", "fc", 2, IN("f", "w3"), "y"), "xnor", 1);
    dt(b, "y", "UINT8");
    f32(b, "A", 1, DIMS(10), (float[]){ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
    f32(b, "B", 1, DIMS(10), (float[]){ -90, -80, -70, -60, -50, -40, -30, -20, -10, 0 });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 10));
    return b;
}

static OnnxBuilder *int_paths(void)
{
    OnnxBuilder *b = start("int_paths");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 4, 7, 7));
    f32(b, "scale", 3, DIMS(4, 1, 1), (float[]){ 0.1f, 0.07f, 0.3f, 0.05f });
    f32(b, "zp", 4, DIMS(1, 4, 1, 1), (float[]){ 1, 0, 3, 2 });
    ObNode *iq = q(b, "InputQuant", "iq", 3, IN("x", "scale", "zp"), "q");
    ob_attr_string(iq, "mode", "quant");
    ob_attr_int(iq, "bits", 4);
    ob_attr_int(iq, "signed", 0);
    ob_attr_string(iq, "rounding_mode", "HALF_UP");
    dt(b, "q", "INT5");
    weights(b, "w1", 4, DIMS(8, 2, 3, 3), -4, 3, false);
    ObNode *conv = q(b, "IntConv", "conv1", 2, IN("q", "w1"), "a1");
    ob_attr_int(conv, "group", 2);
    ob_attr_ints(conv, "pads", 4, DIMS(1, 1, 1, 1));
    ob_attr_ints(conv, "strides", 2, DIMS(2, 2));
    dt(b, "a1", "INT12");
    thresholds(b, "t1", 8, 3, -150, 150);
    ObNode *mt = q(b, "MultiThreshold", "mt1", 2, IN("a1", "t1"), "h1");
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h1", "INT3");
    ObNode *pool = q(b, "IntMaxPool", "pool", 1, IN("h1"), "p");
    ob_attr_ints(pool, "kernel_shape", 2, DIMS(3, 3));
    ob_attr_ints(pool, "pads", 4, DIMS(1, 1, 1, 1));
    dt(b, "p", "INT3");
    ObNode *tr = ob_node(b, "Transpose", "", "swap", 1, IN("p"), 1, IN("t"));
    ob_attr_ints(tr, "perm", 4, DIMS(0, 1, 3, 2));
    dt(b, "t", "INT3");
    ob_node(b, "Flatten", "", "flat", 1, IN("t"), 1, IN("f"));
    dt(b, "f", "INT3");
    weights(b, "w2", 2, DIMS(128, 6), -8, 7, false);
    q(b, "IntMatMul", "fc", 2, IN("f", "w2"), "m");
    dt(b, "m", "INT13");
    q(b, "IntAdd", "twice", 2, IN("m", "m"), "y");
    dt(b, "y", "INT14");
    f32(b, "A", 1, DIMS(6), (float[]){ 0.5f, 0.25f, 0.125f, 1.5f, 3.0f, 0.1f });
    f32(b, "B", 1, DIMS(6), (float[]){ 0, 1, 2, 3, 4, 5 });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 6));
    return b;
}

static OnnxBuilder *wide(void)
{
    OnnxBuilder *b = start("wide");
    ob_input(b, "x", ET_FLOAT, 3, DIMS(1, 5, 4));
    ob_attr_string(q(b, "InputQuant", "iq", 1, IN("x"), "q"), "mode", "integer");
    dt(b, "q", "UINT8");
    thresholds(b, "t0", 5, 2, 50, 200);
    ObNode *mt0 = q(b, "MultiThreshold", "mt0", 2, IN("q", "t0"), "h0");
    ob_attr_int(mt0, "out_scale", 3);
    dt(b, "h0", "UINT3");
    ob_node(b, "Flatten", "", "flat", 1, IN("h0"), 1, IN("f"));
    dt(b, "f", "UINT3");
    weights(b, "w", 2, DIMS(20, 7), -128, 127, false);
    q(b, "IntMatMul", "fc", 2, IN("f", "w"), "m");
    dt(b, "m", "INT16");
    thresholds(b, "t", 1, 4, -2000, 2000);
    q(b, "MultiThreshold", "mt", 2, IN("m", "t"), "y");
    dt(b, "y", "UINT3");
    f32(b, "A", 1, DIMS(1), (float[]){ 0.75f });
    f32(b, "B", 1, DIMS(1), (float[]){ -1.0f });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 7));
    return b;
}

/* Conv weights [out_c, in_c, k, k] random in [lo, hi], except output
 * channel 0 all lo and channel 1 all hi: with inputs at their extremes
 * these reach the largest partial sums the accumulators must hold. */
static void extreme_weights(OnnxBuilder *b, const char *name, int64_t out_c, int64_t in_c,
                            int64_t k, int64_t lo, int64_t hi)
{
    int64_t per = in_c * k * k, n = out_c * per;
    int64_t *v = malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = i < per ? lo : i < 2 * per ? hi : lo + (int64_t)(rng() % (uint32_t)(hi - lo + 1));
    ob_init_i64(b, name, 4, DIMS(out_c, in_c, k, k), v);
    free(v);
}

/* The cols kernel (int8 inputs, products summed across the output channels
 * in int16_t) on odd sizes, one weight encoding `wdt` in [wlo, whi]:
 *
 *   x [1, 5, 7, 6] -> InputQuant INT8 (scale 1/64: inputs beyond +-2 clip)
 *   conv1  3x3 pad 1, 5 -> 17, INT8 x INT4: K = 45 taps, products up to
 *          1024, so 16-bit sums hold 31 taps: a chunk of 31 and a tail of 14
 *          -> MultiThreshold, 15 levels per channel -> UINT4
 *   conv2  2x2 stride 2, 17 -> 19, UINT4 x wdt: one chunk
 *          -> MultiThreshold, 3 levels for all channels, bias -1 -> INT2
 *   conv3  3x3 pad 1, 19 -> 16, INT2 x wdt -> MultiThreshold -> BIPOLAR
 *   conv4  XNOR 3x3, 16 -> 3 -> OutputAffine */
static OnnxBuilder *cols_kernels(const char *wdt, int64_t wlo, int64_t whi)
{
    OnnxBuilder *b = start("cols_kernels");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 5, 7, 6));
    f32(b, "scale", 0, NULL, (float[]){ 1.0f / 64 });
    f32(b, "zp", 0, NULL, (float[]){ 0.0f });
    ObNode *iq = q(b, "InputQuant", "iq", 3, IN("x", "scale", "zp"), "q");
    ob_attr_string(iq, "mode", "quant");
    ob_attr_int(iq, "bits", 8);
    dt(b, "q", "INT8");
    extreme_weights(b, "w1", 17, 5, 3, -8, 7);
    dt(b, "w1", "INT4");
    ObNode *conv = q(b, "IntConv", "conv1", 2, IN("q", "w1"), "a1");
    ob_attr_ints(conv, "pads", 4, DIMS(1, 1, 1, 1));
    dt(b, "a1", "INT17");
    thresholds(b, "t1", 17, 15, -3000, 3000);
    q(b, "MultiThreshold", "mt1", 2, IN("a1", "t1"), "h1");
    dt(b, "h1", "UINT4");
    extreme_weights(b, "w2", 19, 17, 2, wlo, whi);
    dt(b, "w2", wdt);
    conv = q(b, "IntConv", "conv2", 2, IN("h1", "w2"), "a2");
    ob_attr_ints(conv, "strides", 2, DIMS(2, 2));
    dt(b, "a2", "INT14");
    thresholds(b, "t2", 1, 3, -200, 200);
    ObNode *mt = q(b, "MultiThreshold", "mt2", 2, IN("a2", "t2"), "h2");
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h2", "INT2");
    extreme_weights(b, "w3", 16, 19, 3, wlo, whi);
    dt(b, "w3", wdt);
    conv = q(b, "IntConv", "conv3", 2, IN("h2", "w3"), "a3");
    ob_attr_ints(conv, "pads", 4, DIMS(1, 1, 1, 1));
    dt(b, "a3", "INT12");
    thresholds(b, "t3", 16, 1, -40, 40);
    mt = q(b, "MultiThreshold", "mt3", 2, IN("a3", "t3"), "h3");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h3", "BIPOLAR");
    weights(b, "w4", 4, DIMS(3, 16, 3, 3), -1, 1, true);
    ob_attr_int(q(b, "IntConv", "conv4", 2, IN("h3", "w4"), "y"), "xnor", 1);
    dt(b, "y", "UINT8");
    f32(b, "A", 1, DIMS(1), (float[]){ 0.5f });
    f32(b, "B", 1, DIMS(1), (float[]){ -3.0f });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 4, DIMS(1, 3, 1, 1));
    return b;
}

/* IntSumPool with a shift and `mode`: padded 2x2 windows of 5-bit integers
 * divided by 4 (random inputs hit every remainder, ties included), a plain
 * 3x3 stride-2 sum, then IntScaledAdd (2 * a + b). */
static OnnxBuilder *sum_pools(const char *mode)
{
    OnnxBuilder *b = start("sum_pools");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 3, 6, 6));
    f32(b, "scale", 1, DIMS(1), (float[]){ 1.0f });
    f32(b, "zp", 1, DIMS(1), (float[]){ 0.0f });
    ObNode *iq = q(b, "InputQuant", "iq", 3, IN("x", "scale", "zp"), "q");
    ob_attr_string(iq, "mode", "quant");
    ob_attr_int(iq, "bits", 5);
    ob_attr_int(iq, "signed", 1);
    ob_attr_string(iq, "rounding_mode", "ROUND");
    dt(b, "q", "INT5");
    ObNode *p1 = q(b, "IntSumPool", "pool_shift", 1, IN("q"), "s1");
    ob_attr_ints(p1, "kernel_shape", 2, DIMS(2, 2));
    ob_attr_ints(p1, "pads", 4, DIMS(1, 1, 1, 1));
    ob_attr_int(p1, "shift", 2);
    ob_attr_string(p1, "rounding_mode", mode);
    dt(b, "s1", "INT6");
    ObNode *p2 = q(b, "IntSumPool", "pool_sum", 1, IN("s1"), "s2");
    ob_attr_ints(p2, "kernel_shape", 2, DIMS(3, 3));
    ob_attr_ints(p2, "strides", 2, DIMS(2, 2));
    dt(b, "s2", "INT10");
    ObNode *add = q(b, "IntScaledAdd", "add", 2, IN("s2", "s2"), "y");
    ob_attr_int(add, "mul_a", 2);
    ob_attr_int(add, "mul_b", 1);
    dt(b, "y", "INT12");
    f32(b, "A", 1, DIMS(1), (float[]){ 0.5f });
    f32(b, "B", 1, DIMS(1), (float[]){ 0.0f });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 4, DIMS(1, 3, 3, 3));
    return b;
}

/* Names that are C keywords, library functions, quant core functions, or
 * would end a comment or form a trigraph. */
static OnnxBuilder *awkward_names(void)
{
    OnnxBuilder *b = start("awkward");
    ob_input(b, "x */ y", ET_FLOAT, 2, DIMS(1, 30));
    ob_attr_string(q(b, "InputQuant", "float", 1, IN("x */ y"), "q?\?/"), "mode", "bipolar");
    dt(b, "q?\?/", "BIPOLAR");
    weights(b, "w1", 2, DIMS(30, 20), -1, 1, true);
    ob_attr_int(q(b, "IntMatMul", "exp", 2, IN("q?\?/", "w1"), "a1"), "xnor", 1);
    dt(b, "a1", "UINT5");
    thresholds(b, "t1", 20, 1, 10, 20);
    ObNode *mt = q(b, "MultiThreshold", "qc_dot_i8", 2, IN("a1", "t1"), "h1");
    ob_attr_int(mt, "out_scale", 2);
    ob_attr_int(mt, "out_bias", -1);
    dt(b, "h1", "BIPOLAR");
    weights(b, "w2", 2, DIMS(20, 3), -1, 1, true);
    ob_attr_int(q(b, "IntMatMul", "main", 2, IN("h1", "w2"), "y"), "xnor", 1);
    dt(b, "y", "UINT5");
    f32(b, "A", 1, DIMS(1), (float[]){ 0.5f });
    f32(b, "B", 1, DIMS(1), (float[]){ 0.0f });
    q(b, "OutputAffine", "int", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 3));
    return b;
}

/* ---- running ------------------------------------------------------------- */

static Graph *load(OnnxBuilder *b)
{
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL, "%s", d.msg);
    ck_assert_msg(cleanup_graph(g, true, &d), "%s", d.msg);
    ck_assert_msg(emit_names(g, NULL, &d), "%s", d.msg);
    return g;
}

static void scratch(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/qonnxc-emit-ref-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

/* The int engine's outputs and, as a second output, OutputAffine's input. */
static void run_engine(Graph *g, const Value *in, Value **out_f, Value **out_i)
{
    Diag d;
    diag_init(&d);
    expose_integers(g);
    Value *res[2];
    ck_assert_msg(exec_run_frames(g, &in, res, &d), "%s", d.msg);
    *out_f = res[0];
    *out_i = res[1];
}

/* Emits for `target` ("ref" or "mcu"), builds and runs g on `frames` random
 * frames in [lo, hi) (integers when `integers`), and compares with the int
 * engine. */
static void check_graph_built(OnnxBuilder *b, const char *target, const char *cflags,
                              const char *name, int frames, float lo, float hi, bool integers)
{
    Graph *g = load(b);
    char dir[256], path[512];
    scratch(dir, sizeof dir);
    OutTree tree;
    outtree_init(&tree);
    Diag d;
    diag_init(&d);
    snprintf(path, sizeof path, "%s.onnx", name);
    bool mcu = !strcmp(target, "mcu");
    ck_assert_msg(mcu ? emit_mcu(g, path, name, &tree, &d) : emit_ref(g, path, name, &tree, &d),
                  "%s", d.msg);
    snprintf(path, sizeof path, "%s/build", dir);
    ck_assert_msg(outtree_commit(&tree, path, &d), "%s", d.msg);
    outtree_free(&tree);
    sh("make -s -C %s/build/%s%s%s%s > %s/make.log 2>&1 || (cat %s/make.log; false)", dir, target,
       cflags ? " CFLAGS='" : "", cflags ? cflags : "", cflags ? "'" : "", dir, dir);
    if (cflags && strstr(cflags, "avx2"))
        /* the vector path of qc_axpy_pairs_u8 is in the executable */
        sh("objdump -d %s/build/%s/%s | grep -q vpmaddubsw", dir, target, name);

    Shape s = g->inputs[0]->shape;
    s.dims[0] = frames;
    Value *in = value_new(ET_FLOAT, &s);
    for (int64_t k = 0; k < in->count; k++) {
        float u = (float)(rng() >> 8) / 16777216.0f;
        in->f[k] = integers ? floorf(lo + u * (hi - lo)) : lo + u * (hi - lo);
    }
    snprintf(path, sizeof path, "%s/in.npy", dir);
    ck_assert_msg(npy_write_f32(path, in->f, s.rank, s.dims, &d), "%s", d.msg);
    sh("cd %s && build/%s/%s in.npy out.npy && build/%s/%s --int in.npy int.npy", dir, target,
       name, target, name);

    Value *eng_f, *eng_i;
    run_engine(g, in, &eng_f, &eng_i);
    NpyArray got_f, got_i;
    snprintf(path, sizeof path, "%s/out.npy", dir);
    ck_assert_msg(npy_read(path, &got_f, &d), "%s", d.msg);
    snprintf(path, sizeof path, "%s/int.npy", dir);
    ck_assert_msg(npy_read(path, &got_i, &d), "%s", d.msg);
    ck_assert_int_eq(got_f.dtype, NPY_F32);
    ck_assert_int_eq(got_i.dtype, NPY_I32);
    ck_assert_int_eq(got_f.count, eng_f->count);
    ck_assert_int_eq(got_i.count, eng_i->count);
    ck_assert_int_eq(got_f.rank, eng_f->shape.rank);
    for (int k = 0; k < got_f.rank; k++)
        ck_assert_int_eq(got_f.shape[k], eng_f->shape.dims[k]);
    for (int64_t k = 0; k < eng_i->count; k++)
        ck_assert_msg(((int32_t *)got_i.data)[k] == eng_i->i[k], "%s: integer %lld is %d, the int "
                      "engine's %lld", name, (long long)k, ((int32_t *)got_i.data)[k],
                      (long long)eng_i->i[k]);
    ck_assert_msg(memcmp(got_f.data, eng_f->f, (size_t)eng_f->count * sizeof(float)) == 0,
                  "%s: float outputs differ from the int engine's", name);
    npy_free(&got_f);
    npy_free(&got_i);
    value_free(in);
    value_free(eng_f);
    value_free(eng_i);
    graph_free(g);
    if (!getenv("QONNXC_KEEP"))
        ck_assert(remove_tree(dir));
    else
        printf("kept %s\n", dir);
}

static void check_graph_on(OnnxBuilder *b, const char *target, const char *name, int frames,
                           float lo, float hi, bool integers)
{
    check_graph_built(b, target, NULL, name, frames, lo, hi, integers);
}

static void check_graph(OnnxBuilder *b, const char *name, int frames, float lo, float hi,
                        bool integers)
{
    check_graph_on(b, "ref", name, frames, lo, hi, integers);
}

START_TEST(test_mlp_xnor)
{
    OnnxBuilder *b = mlp_xnor();
    check_graph(b, "mlp_xnor", 200, -1.0f, 2.0f, false);
    ob_free(b);
}
END_TEST

START_TEST(test_cnv_xnor)
{
    OnnxBuilder *b = cnv_xnor();
    check_graph(b, "cnv_xnor", 100, 0.0f, 1.0f, false);
    ob_free(b);
}
END_TEST

START_TEST(test_int_paths)
{
    OnnxBuilder *b = int_paths();
    check_graph(b, "int_paths", 100, -0.5f, 1.5f, false);
    /* the mcu kernels too: the grouped, padded, strided conv with its
     * max-pool fused (group by group, then the pool's max) */
    check_graph_on(b, "mcu", "int_paths", 100, -0.5f, 1.5f, false);
    ob_free(b);
}
END_TEST

START_TEST(test_awkward_names)
{
    OnnxBuilder *b = awkward_names();
    check_graph(b, "awkward", 20, -1.0f, 1.0f, false);
    ob_free(b);
}
END_TEST

/* The ref kernel's integer rounding of a shifted sum equals the int
 * engine's (op_quant.c's qonnx_round, the golden Trunc's) in every mode. */
START_TEST(test_sum_pools)
{
    static const char *const modes[] = { "ROUND", "HALF_UP", "HALF_DOWN", "CEIL", "FLOOR",
                                         "UP", "DOWN" };
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
        OnnxBuilder *b = sum_pools(modes[k]);
        check_graph(b, "sum_pools", 200, -17.0f, 17.0f, true);
        ob_free(b);
    }
}
END_TEST

START_TEST(test_wide)
{
    OnnxBuilder *b = wide();
    check_graph(b, "wide", 100, 0.0f, 256.0f, true);
    ob_free(b);
}
END_TEST

/* Every file of one emission, concatenated with its path. */
static char *emit_all(OnnxBuilder *b, const char *name);

/* The cols kernel, and where the host has AVX2 the pairs kernel in the same
 * run (the same layers compiled with -mavx2), for every weight encoding of
 * 2 to 4 bits, against the int engine on random frames and on frames at the
 * inputs' extremes (with the extreme weights of channels 0 and 1, the
 * largest 16-bit partial sums: a chunk one tap longer than proven overflows
 * int16_t there). */
START_TEST(test_cols_kernels)
{
    static const struct { const char *dt; int64_t lo, hi; } enc[] = {
        { "INT2", -2, 1 }, { "UINT2", 0, 3 }, { "INT3", -4, 3 }, { "TERNARY", -1, 1 },
        { "INT4", -8, 7 }, { "BIPOLAR", -1, 1 },
    };
#if defined(__x86_64__) && defined(__GNUC__)
    bool vector_path = __builtin_cpu_supports("avx2");
#else
    bool vector_path = false;
#endif
    if (!vector_path)
        printf("test_cols_kernels: no AVX2 on this host; the portable path only\n");
    for (size_t k = 0; k < sizeof enc / sizeof enc[0]; k++) {
        OnnxBuilder *b = cols_kernels(enc[k].dt, enc[k].lo, enc[k].hi);
        if (k == 0) {
            /* the layers take the kernels the header comment describes */
            char *all = emit_all(b, "m");
            ck_assert_ptr_nonnull(strstr(all, "/* conv1: IntConv, 5 -> 17 channels"));
            ck_assert_ptr_nonnull(strstr(all, "kernel: cols, one input times its weights across "
                                         "the 17 channels in 16-bit sums,\n *     flushed to "
                                         "int32_t every 31 taps"));
            ck_assert_ptr_nonnull(strstr(all, "kernel: cols, one input times its weights across "
                                         "the 19 channels in 16-bit sums (at most"));
            ck_assert_ptr_nonnull(strstr(all, "enum { CHUNK = 31 };"));
            /* and, compiled for AVX2, two taps at a time: 255 * 8 per product
             * of the unsigned inputs, 16 taps per 16-bit sum */
            ck_assert_ptr_nonnull(strstr(all, "pairs, two inputs (made unsigned) times their "
                                         "weights across the\n *     17 channels in 16-bit sums "
                                         "(qc_axpy_pairs_u8, vpmaddubsw), flushed to int32_t "
                                         "every 16 taps"));
            ck_assert_ptr_nonnull(strstr(all, "kernel: xnor"));
            free(all);
        }
        check_graph(b, "cols_kernels", 40, -3.0f, 3.0f, false);
        if (vector_path)
            check_graph_built(b, "ref", "-O2 -mavx2", "cols_kernels", 40, -3.0f, 3.0f, false);
        /* conv1, whose sums are chunked, is the same in every graph */
        for (int sign = -1; k == 0 && sign <= 1; sign += 2) {
            check_graph(b, "cols_kernels", 2, 3.0f * (float)sign, 3.0f * (float)sign, false);
            if (vector_path)
                check_graph_built(b, "ref", "-O2 -mavx2", "cols_kernels", 2, 3.0f * (float)sign,
                                  3.0f * (float)sign, false);
        }
        ob_free(b);
    }
}
END_TEST

static char *emit_all(OnnxBuilder *b, const char *name)
{
    Graph *g = load(b);
    OutTree tree;
    outtree_init(&tree);
    Diag d;
    diag_init(&d);
    ck_assert_msg(emit_ref(g, "m.onnx", name, &tree, &d), "%s", d.msg);
    TextBuf all;
    tb_init(&all);
    for (int k = 0; k < tree.n; k++) {
        tb_printf(&all, "== %s\n", tree.files[k].path);
        tb_write(&all, tree.files[k].text.data, tree.files[k].text.len);
    }
    outtree_free(&tree);
    graph_free(g);
    char *s = strdup(tb_str(&all));
    tb_free(&all);
    return s;
}

START_TEST(test_deterministic)
{
    OnnxBuilder *b = cnv_xnor();
    char *a = emit_all(b, "m"), *c = emit_all(b, "m");
    ck_assert_str_eq(a, c);
    /* the files the model needs, and no others */
    ck_assert_ptr_nonnull(strstr(a, "== ref/qc_xnor64_threshold.h\n"));
    ck_assert_ptr_nonnull(strstr(a, "== ref/qc_axpy.h\n"));
    ck_assert_ptr_null(strstr(a, "== ref/qc_dtype_name"));
    ck_assert_ptr_null(strstr(a, "== ref/qc_bnorm_requant"));
    free(a);
    free(c);
    ob_free(b);
}
END_TEST


/* A graph with an op no target knows (Neg) between InputQuant and
 * OutputAffine. */
static OnnxBuilder *bad_op(void)
{
    OnnxBuilder *b = start("bad_op");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_attr_string(q(b, "InputQuant", "iq", 1, IN("x"), "q"), "mode", "bipolar");
    dt(b, "q", "BIPOLAR");
    ob_node(b, "Neg", "", "negate", 1, IN("q"), 1, IN("n"));
    dt(b, "n", "BIPOLAR");
    f32(b, "A", 1, DIMS(1), (float[]){ 1.0f });
    f32(b, "B", 1, DIMS(1), (float[]){ 0.0f });
    q(b, "OutputAffine", "oa", 3, IN("n", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 4));
    return b;
}

/* A BIPOLAR x BIPOLAR convolution of 2 groups. */
static OnnxBuilder *grouped_xnor(void)
{
    OnnxBuilder *b = start("grouped_xnor");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 4, 5, 5));
    ob_attr_string(q(b, "InputQuant", "iq", 1, IN("x"), "q"), "mode", "bipolar");
    dt(b, "q", "BIPOLAR");
    weights(b, "w", 4, DIMS(4, 2, 3, 3), -1, 1, true);
    ObNode *conv = q(b, "IntConv", "conv", 2, IN("q", "w"), "y");
    ob_attr_int(conv, "xnor", 1);
    ob_attr_int(conv, "group", 2);
    dt(b, "y", "UINT5");
    f32(b, "A", 1, DIMS(4), (float[]){ 1, 1, 1, 1 });
    f32(b, "B", 1, DIMS(4), (float[]){ 0, 0, 0, 0 });
    q(b, "OutputAffine", "oa", 3, IN("y", "A", "B"), "out");
    ob_output(b, "out", ET_FLOAT, 4, DIMS(1, 4, 3, 3));
    return b;
}

/* The message of building b for `target` (ref, mcu or npu), which must fail. */
static void expect_target_error(OnnxBuilder *b, const char *target, const char *want)
{
    Graph *g = load(b);
    OutTree tree;
    outtree_init(&tree);
    Diag d;
    diag_init(&d);
    bool ok;
    if (!strcmp(target, "mcu")) {
        ok = emit_mcu(g, "bad.onnx", "bad", &tree, &d);
    } else if (!strcmp(target, "npu")) {
        TextBuf table;
        tb_init(&table);
        ok = emit_npu(g, "bad.onnx", "bad", &tree, &table, &d);
        tb_free(&table);
    } else {
        ok = emit_ref(g, "bad.onnx", "bad", &tree, &d);
    }
    ck_assert_msg(!ok, "%s built", target);
    ck_assert_msg(strstr(d.msg, want) != NULL, "%s: message '%s' lacks '%s'", target, d.msg, want);
    outtree_free(&tree);
    graph_free(g);
}

static void expect_error(OnnxBuilder *b, const char *want)
{
    expect_target_error(b, "ref", want);
}

/* The mcu and npu targets share the ref target's planner and the mcu's
 * kernels: a message must name the target being built, not the one whose
 * code found the problem. */
START_TEST(test_errors_name_the_target)
{
    static const char *const targets[] = { "ref", "mcu", "npu" };
    char want[96];
    OnnxBuilder *b = bad_op();
    for (int t = 0; t < 3; t++) {
        snprintf(want, sizeof want, "(Neg): is not supported by the %s target", targets[t]);
        expect_target_error(b, targets[t], want);
    }
    ob_free(b);

    /* a grouped XNOR convolution: no target has a kernel for it; the
     * message comes from the ref kernels and the mcu ones */
    b = grouped_xnor();
    for (int t = 0; t < 3; t++) {
        snprintf(want, sizeof want, "grouped XNOR convolutions are not supported by the %s "
                 "target", targets[t]);
        expect_target_error(b, targets[t], want);
    }
    ob_free(b);
}
END_TEST

/* Emitters read the graph and never write it: the names they print come
 * from the naming step, which must have run (emit_names.h). A graph it has
 * not named is refused with a message that says so, by every target of
 * the integer graph, and left as it was. */
START_TEST(test_unnamed_graph_refused)
{
    OnnxBuilder *b = awkward_names();
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL && cleanup_graph(g, true, &d), "%s", d.msg);
    ck_assert(!g->names_emittable);
    OutTree tree;
    outtree_init(&tree);
    TextBuf table;
    tb_init(&table);
    for (int t = 0; t < 3; t++) {
        diag_init(&d);
        bool ok = t == 0   ? emit_ref(g, "m.onnx", "m", &tree, &d)
                  : t == 1 ? emit_mcu(g, "m.onnx", "m", &tree, &d)
                           : emit_npu(g, "m.onnx", "m", &tree, &table, &d);
        ck_assert_msg(!ok, "target %d built an unnamed graph", t);
        ck_assert_msg(strstr(d.msg, "the naming step (emit_names) has not named") != NULL,
                      "message: %s", d.msg);
    }
    ck_assert_int_eq(tree.n, 0);
    ck_assert_ptr_nonnull(graph_find_tensor(g, "q?\?/"));   /* as the model spells it */
    ck_assert_msg(emit_names(g, NULL, &d), "%s", d.msg);
    ck_assert_ptr_null(graph_find_tensor(g, "q?\?/"));
    ck_assert_ptr_nonnull(graph_find_tensor(g, "q?_/"));     /* found by its new name */
    ck_assert_str_eq(g->inputs[0]->name, "x *| y");
    ck_assert_msg(emit_ref(g, "m.onnx", "m", &tree, &d), "%s", d.msg);
    tb_free(&table);
    outtree_free(&tree);
    graph_free(g);
    ob_free(b);
}
END_TEST

/* The table `qonnxc build --target npu` prints: its columns are as wide as
 * their longest entry, so a long layer name (PyTorch exports name nodes by
 * their module path) does not push its row out of line; layers.json keeps
 * the whole name. */
START_TEST(test_npu_table_aligned)
{
    char fc1[200];
    snprintf(fc1, sizeof fc1, "/features/%0150d/MatMul", 0);
    OnnxBuilder *b = mlp_xnor_named(fc1);
    Graph *g = load(b);
    OutTree tree;
    outtree_init(&tree);
    TextBuf table;
    tb_init(&table);
    Diag d;
    diag_init(&d);
    ck_assert_msg(emit_npu(g, "long.onnx", "long", &tree, &table, &d), "%s", d.msg);
    const char *t = tb_str(&table);
    /* "npu: ...", the header, then one row per layer */
    const char *header = strchr(t, '\n') + 1;
    const char *unit = strstr(header, "unit");
    ck_assert_ptr_nonnull(unit);
    long col = unit - header;
    int rows = 0;
    for (const char *row = strchr(header, '\n') + 1; *row; row = strchr(row, '\n') + 1) {
        ck_assert_msg(!strncmp(row + col, "CPU ", 4) || !strncmp(row + col, "NPU ", 4),
                      "the unit is not under its header:\n%s", t);
        rows++;
    }
    ck_assert_int_eq(rows, 2);
    ck_assert_ptr_nonnull(strstr(t, fc1));
    bool json = false;
    for (int k = 0; k < tree.n; k++)
        if (!strcmp(tree.files[k].path, "npu/layers.json"))
            json = strstr(tb_str(&tree.files[k].text), fc1) != NULL;
    ck_assert_msg(json, "npu/layers.json lacks the layer's whole name");
    tb_free(&table);
    outtree_free(&tree);
    graph_free(g);
    ob_free(b);
}
END_TEST

START_TEST(test_errors)
{
    /* an op the target does not know, named in the message */
    OnnxBuilder *b = bad_op();
    expect_error(b, "node 'negate' (Neg)");
    ob_free(b);

    /* no OutputAffine at the end */
    b = start("no_affine");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_attr_string(q(b, "InputQuant", "iq", 1, IN("x"), "q"), "mode", "bipolar");
    ob_node(b, "Neg", "", "neg", 1, IN("q"), 1, IN("out"));
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 4));
    expect_error(b, "OutputAffine");
    ob_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("emit_ref");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mlp_xnor);
    tcase_add_test(tc, test_cnv_xnor);
    tcase_add_test(tc, test_int_paths);
    tcase_add_test(tc, test_wide);
    tcase_add_test(tc, test_cols_kernels);
    tcase_add_test(tc, test_sum_pools);
    tcase_add_test(tc, test_awkward_names);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_errors_name_the_target);
    tcase_add_test(tc, test_npu_table_aligned);
    tcase_add_test(tc, test_unnamed_graph_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
