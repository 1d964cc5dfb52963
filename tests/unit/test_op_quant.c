/* QONNX Quant / IntQuant in the golden executor (ir/op_quant.c).
 *
 * Reading guide: Quant computes, in float32,
 *     q   = clamp(round(x / scale + zeropt), lo, hi)
 *     out = (q - zeropt) * scale
 * Most cases use a power-of-two scale so every step is exact and the
 * expected value can be checked with pencil and paper; the comments show
 * that arithmetic. Every expected value here is written by hand. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qonnx_op_test.h"

#define QONNX "qonnx.custom_op.general"

/* A Quant node on a 1-D input of n elements with scalar float parameters;
 * attributes are set only when given (signed/narrow >= 0, mode != NULL). */
static OpTest *quant_node(const char *op, int n, double scale, double zeropt, double bits,
                          int is_signed, int narrow, const char *mode)
{
    OpTest *t = optest_new(op, QONNX, 0, 4);
    ck_assert_ptr_nonnull(t);
    optest_input(t, 0, "x", 1, (int64_t[]){ n });
    optest_scalar(t, 1, "scale", ET_FLOAT, scale);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, zeropt);
    optest_scalar(t, 3, "bitwidth", ET_FLOAT, bits);
    if (is_signed >= 0)
        optest_attr_int(t, "signed", is_signed);
    if (narrow >= 0)
        optest_attr_int(t, "narrow", narrow);
    if (mode)
        optest_attr_string(t, "rounding_mode", mode);
    return t;
}

/* Runs the node and compares every output with want[] exactly. */
static void expect_outputs(OpTest *t, const float *x, const float *want, int n, const char *what)
{
    float y[64];
    ck_assert_msg(optest_run_f(t, x, y), "%s: %s", what, t->d.msg);
    for (int k = 0; k < n; k++)
        ck_assert_msg(y[k] == want[k] || (isnan(y[k]) && isnan(want[k])),
                      "%s: element %d (x = %g): got %.9g, want %.9g", what, k, x[k], y[k],
                      want[k]);
}

static void run_quant(const char *what, double scale, double zeropt, double bits, int is_signed,
                      int narrow, const char *mode, const float *x, const float *want, int n)
{
    OpTest *t = quant_node("Quant", n, scale, zeropt, bits, is_signed, narrow, mode);
    expect_outputs(t, x, want, n, what);
    optest_free(t);
}

/* Rounding: ties at +-0.5, +-1.5, +-2.5 and two non-ties, under every
 * mode. Scale 1 and zero point 0, 8-bit signed: out = round(x) and no
 * clamping happens (|x| < 128). */
START_TEST(test_rounding_modes)
{
    static const float x[8] = { -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1.6f, 1.2f };
    static const struct {
        const char *mode;
        float want[8];
    } table[] = {
        /*                   -2.5 -1.5 -0.5  0.5  1.5  2.5  -1.6  1.2 */
        { "ROUND",         { -2,  -2,  -0,   0,   2,   2,   -2,   1 } }, /* half to even */
        { "HALF_EVEN",     { -2,  -2,  -0,   0,   2,   2,   -2,   1 } },
        { "HALF_UP",       { -3,  -2,  -1,   1,   2,   3,   -2,   1 } }, /* half away from 0 */
        { "HALF_DOWN",     { -2,  -1,  -0,   0,   1,   2,   -2,   1 } }, /* half toward 0 */
        { "CEIL",          { -2,  -1,  -0,   1,   2,   3,   -1,   2 } }, /* toward +inf */
        { "FLOOR",         { -3,  -2,  -1,   0,   1,   2,   -2,   1 } }, /* toward -inf */
        { "UP",            { -3,  -2,  -1,   1,   2,   3,   -2,   2 } }, /* away from 0 */
        { "DOWN",          { -2,  -1,  -0,   0,   1,   2,   -1,   1 } }, /* toward 0 */
        { "ROUND_TO_ZERO", { -2,  -1,  -0,   0,   1,   2,   -1,   1 } }, /* Brevitas: DOWN */
        { "half_up",       { -3,  -2,  -1,   1,   2,   3,   -2,   1 } }, /* any letter case */
    };
    for (size_t m = 0; m < sizeof table / sizeof table[0]; m++)
        run_quant(table[m].mode, 1.0, 0.0, 8, 1, 0, table[m].mode, x, table[m].want, 8);
}
END_TEST

/* No rounding_mode attribute means ROUND (half to even). */
START_TEST(test_default_rounding_is_half_even)
{
    static const float x[4] = { 0.5f, 1.5f, 2.5f, 3.5f };
    static const float want[4] = { 0, 2, 2, 4 };
    run_quant("default mode", 1.0, 0.0, 8, 1, 0, NULL, x, want, 4);
}
END_TEST

/* The integer range at 1, 2, 4 and 8 bits: x = -1000 and +1000 clamp to
 * lo and hi (scale 1, zero point 0, so out = q). */
START_TEST(test_ranges_and_clamping)
{
    static const struct {
        int bits, is_signed, narrow;
        float lo, hi;
    } table[] = {
        /* unsigned 1 bit: 0 .. 2^1-1; narrow: 0 .. 2^1-2 */
        { 1, 0, 0, 0, 1 },        { 1, 0, 1, 0, 0 },
        /* 2 bits: signed -2^1 .. 2^1-1, narrow -(2^1-1) .. 2^1-1; unsigned 0 .. 3 / 2 */
        { 2, 1, 0, -2, 1 },       { 2, 1, 1, -1, 1 },
        { 2, 0, 0, 0, 3 },        { 2, 0, 1, 0, 2 },
        /* 4 bits: -8 .. 7, -7 .. 7, 0 .. 15, 0 .. 14 */
        { 4, 1, 0, -8, 7 },       { 4, 1, 1, -7, 7 },
        { 4, 0, 0, 0, 15 },       { 4, 0, 1, 0, 14 },
        /* 8 bits: -128 .. 127, -127 .. 127, 0 .. 255, 0 .. 254 */
        { 8, 1, 0, -128, 127 },   { 8, 1, 1, -127, 127 },
        { 8, 0, 0, 0, 255 },      { 8, 0, 1, 0, 254 },
    };
    static const float x[2] = { -1000.0f, 1000.0f };
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        char what[64];
        snprintf(what, sizeof what, "%d bits signed=%d narrow=%d", table[k].bits,
                 table[k].is_signed, table[k].narrow);
        float want[2] = { table[k].lo, table[k].hi };
        run_quant(what, 1.0, 0.0, table[k].bits, table[k].is_signed, table[k].narrow, "ROUND",
                  x, want, 2);
    }
}
END_TEST

/* With a scale: 4-bit signed, scale 0.5, so q in -8..7, out in -4.0..3.5. */
START_TEST(test_scale_and_clamp)
{
    static const float x[6] = { 3.0f, 4.0f, -5.0f, 0.3f, -0.2f, 1.25f };
    static const float want[6] = {
        3.0f,   /* 3.0 / 0.5 = 6            -> 6 * 0.5 = 3.0 */
        3.5f,   /* 4.0 / 0.5 = 8  > 7       -> 7 * 0.5 = 3.5 */
        -4.0f,  /* -5.0 / 0.5 = -10 < -8    -> -8 * 0.5 = -4.0 */
        0.5f,   /* 0.3 / 0.5 = 0.6 -> 1     -> 0.5 */
        -0.0f,  /* -0.2 / 0.5 = -0.4 -> -0  -> -0 */
        1.0f,   /* 1.25 / 0.5 = 2.5 -> 2 (tie to even) -> 1.0 */
    };
    run_quant("4-bit signed, scale 0.5", 0.5, 0.0, 4, 1, 0, "ROUND", x, want, 6);
}
END_TEST

/* Float32 arithmetic in the spec's order decides ties. 0.35f / 0.1f is
 * 3.4999998882... in exact (or double) arithmetic, but the float32
 * division rounds it to exactly 3.5, which ROUND sends to 4: out = 4 *
 * 0.1f (= 0.4f, exact). A double implementation would give 3 * 0.1 = 0.3.
 * Likewise 0.25f / 0.1f is 2.4999999627... exactly, 2.5 in float32 -> 2
 * (even) -> 2 * 0.1f = 0.2f. ONNX Runtime, which made the expected
 * outputs of the example models, divides in float32 too. */
START_TEST(test_float32_division_decides_ties)
{
    static const float x[2] = { 0.35f, 0.25f };
    const float want[2] = { 4 * 0.1f, 2 * 0.1f };
    run_quant("scale 0.1", 0.1f, 0.0, 8, 1, 0, "ROUND", x, want, 2);
    /* HALF_UP on the same float32 tie 2.5 gives 3: 3 * 0.1f */
    const float want_up[2] = { 4 * 0.1f, 3 * 0.1f };
    run_quant("scale 0.1, HALF_UP", 0.1f, 0.0, 8, 1, 0, "HALF_UP", x, want_up, 2);
}
END_TEST

/* Zero point: unsigned 4-bit (0..15), scale 0.25, zero point 8, so the
 * represented values are (q - 8) * 0.25 for q in 0..15: -2.0 .. 1.75. */
START_TEST(test_zero_point)
{
    static const float x[4] = { 0.3f, -3.0f, 5.0f, -0.125f };
    static const float want[4] = {
        0.25f,   /* 0.3/0.25 = 1.2, +8 = 9.2 -> 9; (9-8)*0.25 = 0.25 */
        -2.0f,   /* -3/0.25 = -12, +8 = -4 -> clamp 0; (0-8)*0.25 = -2.0 */
        1.75f,   /* 5/0.25 = 20, +8 = 28 -> clamp 15; (15-8)*0.25 = 1.75 */
        0.0f,    /* -0.125/0.25 = -0.5, +8 = 7.5 -> 8 (even); (8-8)*0.25 = 0 */
    };
    run_quant("zero point 8", 0.25, 8.0, 4, 0, 0, "ROUND", x, want, 4);
}
END_TEST

/* Per-channel scale and zero point, x of shape [1, 2, 2] (N, C, W) and
 * parameters of shape [2, 1]: channel 0 has scale 0.5, zero point 0,
 * channel 1 scale 0.25, zero point 2. 4-bit unsigned: q in 0..15. */
START_TEST(test_per_channel)
{
    OpTest *t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 3, (int64_t[]){ 1, 2, 2 });
    optest_const(t, 1, "scale", ET_FLOAT, 2, (int64_t[]){ 2, 1 }, (double[]){ 0.5, 0.25 });
    optest_const(t, 2, "zeropt", ET_FLOAT, 2, (int64_t[]){ 2, 1 }, (double[]){ 0, 2 });
    optest_scalar(t, 3, "bitwidth", ET_FLOAT, 4);
    optest_attr_int(t, "signed", 0);
    static const float x[4] = { 1.2f, -0.3f, 0.6f, -1.0f };
    static const float want[4] = {
        1.0f,    /* ch 0: 1.2/0.5 = 2.4 -> 2; 2*0.5 = 1.0 */
        0.0f,    /* ch 0: -0.3/0.5 = -0.6 -> -1 -> clamp 0; 0 */
        0.5f,    /* ch 1: 0.6/0.25 = 2.4, +2 = 4.4 -> 4; (4-2)*0.25 = 0.5 */
        -0.5f,   /* ch 1: -1/0.25 = -4, +2 = -2 -> clamp 0; (0-2)*0.25 = -0.5 */
    };
    expect_outputs(t, x, want, 4, "per channel [2, 1]");
    optest_free(t);

    /* NCHW [1, 2, 1, 2] with scale [2, 1, 1] (Brevitas' per-channel shape
     * is [1, C, 1, 1]; the leading 1 is optional under broadcasting). */
    t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 4, (int64_t[]){ 1, 2, 1, 2 });
    optest_const(t, 1, "scale", ET_FLOAT, 3, (int64_t[]){ 2, 1, 1 }, (double[]){ 1.0, 0.125 });
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(t, 3, "bitwidth", ET_FLOAT, 2);   /* signed 2-bit: -2..1 */
    static const float x2[4] = { 0.7f, -9.0f, 0.1f, 0.5f };
    static const float want2[4] = {
        1.0f,     /* ch 0: 0.7 -> 1; 1*1 */
        -2.0f,    /* ch 0: -9 -> clamp -2 */
        0.125f,   /* ch 1: 0.1/0.125 = 0.8 -> 1; 1*0.125 */
        0.125f,   /* ch 1: 0.5/0.125 = 4 -> clamp 1; 0.125 */
    };
    expect_outputs(t, x2, want2, 4, "per channel NCHW");
    optest_free(t);
}
END_TEST

/* A 1-bit signed Quant is bipolar, as in qonnx: q = sign(x/scale + zeropt)
 * in {-1, +1} (>= 0 gives +1), whatever narrow and rounding_mode say. The
 * plain INT1 range rule would have given {-1, 0} instead. */
START_TEST(test_one_bit_signed_is_bipolar)
{
    static const float x[5] = { -3.0f, -0.1f, 0.0f, 0.2f, 5.0f };
    /* out = q * 0.5: -0.5 below zero, +0.5 at and above zero */
    static const float want[5] = { -0.5f, -0.5f, 0.5f, 0.5f, 0.5f };
    run_quant("1-bit signed", 0.5, 0.0, 1, 1, 0, "ROUND", x, want, 5);
    run_quant("1-bit signed narrow", 0.5, 0.0, 1, 1, 1, "ROUND", x, want, 5);
    run_quant("1-bit signed FLOOR", 0.5, 0.0, 1, 1, 0, "FLOOR", x, want, 5);

    /* with a zero point of 1 the sign is taken after adding it:
     * x = -0.4: -0.8 + 1 = 0.2 >= 0 -> +1, out = (1 - 1) * 0.5 = 0
     * x = -1.0: -2.0 + 1 = -1 < 0   -> -1, out = (-1 - 1) * 0.5 = -1.0 */
    static const float xz[2] = { -0.4f, -1.0f };
    static const float wantz[2] = { 0.0f, -1.0f };
    run_quant("1-bit signed, zero point 1", 0.5, 1.0, 1, 1, 0, "ROUND", xz, wantz, 2);

    /* 1-bit unsigned keeps the range rule: q in {0, 1} */
    static const float xu[4] = { -1.0f, 0.2f, 0.3f, 7.0f };
    static const float wantu[4] = {
        0.0f,    /* -2 -> clamp 0 */
        0.0f,    /* 0.4 -> 0 */
        0.5f,    /* 0.6 -> 1; 1 * 0.5 */
        0.5f,    /* 14 -> clamp 1 */
    };
    run_quant("1-bit unsigned", 0.5, 0.0, 1, 0, 0, "ROUND", xu, wantu, 4);
}
END_TEST

/* QKeras exports integer-typed parameters: int64 scale 2, int8 zero point
 * 1, int32 bit width 3, unsigned (0..7). */
START_TEST(test_integer_typed_parameters)
{
    OpTest *t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 1, (int64_t[]){ 4 });
    optest_scalar(t, 1, "scale", ET_INT64, 2);
    optest_scalar(t, 2, "zeropt", ET_INT8, 1);
    optest_scalar(t, 3, "bitwidth", ET_INT32, 3);
    optest_attr_int(t, "signed", 0);
    static const float x[4] = { 0.9f, 4.0f, 20.0f, -10.0f };
    static const float want[4] = {
        0.0f,     /* 0.9/2 = 0.45, +1 = 1.45 -> 1; (1-1)*2 = 0 */
        4.0f,     /* 4/2 = 2, +1 = 3 -> 3; (3-1)*2 = 4 */
        12.0f,    /* 20/2 = 10, +1 = 11 -> clamp 7; (7-1)*2 = 12 */
        -2.0f,    /* -10/2 = -5, +1 = -4 -> clamp 0; (0-1)*2 = -2 */
    };
    expect_outputs(t, x, want, 4, "integer-typed parameters");
    optest_free(t);
}
END_TEST

/* IntQuant is Quant under its newer name; the finn and onnx.brevitas
 * domains mean the same op. */
START_TEST(test_int_quant_and_domains)
{
    static const float x[3] = { 1.25f, -7.0f, 0.74f };
    /* 3-bit signed (-4..3), scale 0.5: 2.5 -> 2 -> 1.0; -14 -> -4 -> -2.0;
     * 1.48 -> 1 -> 0.5 */
    static const float want[3] = { 1.0f, -2.0f, 0.5f };
    const char *domains[] = { QONNX, "onnx.brevitas", "finn.custom_op.general", "finn" };
    for (int d = 0; d < 4; d++) {
        OpTest *t = optest_new(d % 2 ? "Quant" : "IntQuant", domains[d], 0, 4);
        optest_input(t, 0, "x", 1, (int64_t[]){ 3 });
        optest_scalar(t, 1, "scale", ET_FLOAT, 0.5);
        optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
        optest_scalar(t, 3, "bitwidth", ET_FLOAT, 3);
        expect_outputs(t, x, want, 3, domains[d]);
        optest_free(t);
    }
}
END_TEST

/* infer: the output has x's shape and is float32. */
START_TEST(test_infer)
{
    OpTest *t = quant_node("Quant", 5, 1.0, 0.0, 8, 1, 0, NULL);
    ck_assert_msg(optest_prepare(t), "%s", t->d.msg);
    ck_assert_int_eq(t->out->elem_type, ET_FLOAT);
    ck_assert_int_eq(t->out->shape.rank, 1);
    ck_assert_int_eq(t->out->shape.dims[0], 5);
    optest_free(t);
}
END_TEST

/* A parameter computed from constants only (here by a BipolarQuant of two
 * constants: sign(1) * 0.5 = 0.5) passes check, since constant folding
 * will make it a constant, and runs. */
START_TEST(test_parameter_computed_from_constants)
{
    OpTest *t = quant_node("Quant", 2, 1.0, 0.0, 8, 1, 0, NULL);
    Graph *g = t->g;
    Node *p = graph_add_node(g, "make_scale", "BipolarQuant", QONNX, 2, 1);
    Tensor *one = graph_add_tensor(g, "one"), *half = graph_add_tensor(g, "half");
    Tensor *scale = graph_add_tensor(g, "computed_scale");
    Shape scalar = { 0, { 0 } };
    one->value = value_new_in(&g->arena, ET_FLOAT, &scalar);
    half->value = value_new_in(&g->arena, ET_FLOAT, &scalar);
    one->value->f[0] = 1.0f;
    half->value->f[0] = 0.5f;
    p->inputs[0] = one;
    p->inputs[1] = half;
    p->outputs[0] = scale;
    scale->producer = p;
    t->node->inputs[1] = scale;
    /* the producer must run first */
    g->nodes[0] = p;
    g->nodes[1] = t->node;
    static const float x[2] = { 0.75f, -3.0f };
    /* scale 0.5: 1.5 -> 2 -> 1.0; -6 -> -6 -> -3.0 */
    static const float want[2] = { 1.0f, -3.0f };
    expect_outputs(t, x, want, 2, "computed scale");
    optest_free(t);
}
END_TEST

/* ---- errors: each names the node and says what is wrong ---- */

static void expect_check_error(OpTest *t, const char *what)
{
    ck_assert_msg(!optest_prepare(t), "expected an error about '%s'", what);
    ck_assert_msg(optest_error_says(t, what), "message '%s' should name node0 and say '%s'",
                  t->d.msg, what);
    optest_free(t);
}

START_TEST(test_error_bit_width)
{
    expect_check_error(quant_node("Quant", 1, 1, 0, 0, 1, 0, NULL),
                       "bit width 0 is out of range: Quant supports 1 to 32 bits");
    expect_check_error(quant_node("Quant", 1, 1, 0, 33, 1, 0, NULL),
                       "bit width 33 is out of range");
    expect_check_error(quant_node("IntQuant", 1, 1, 0, 2.5, 1, 0, NULL),
                       "bit width 2.5 is not an integer");
    /* 32 bits is the widest allowed */
    OpTest *t = quant_node("Quant", 1, 1, 0, 32, 1, 0, NULL);
    ck_assert_msg(optest_prepare(t), "%s", t->d.msg);
    optest_free(t);
}
END_TEST

START_TEST(test_error_non_constant_bit_width)
{
    OpTest *t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 1, (int64_t[]){ 2 });
    optest_scalar(t, 1, "scale", ET_FLOAT, 1);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_input(t, 3, "bits_at_run_time", 0, NULL);
    expect_check_error(t, "Quant needs a constant bit width");

    t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 1, (int64_t[]){ 2 });
    optest_input(t, 1, "scale_at_run_time", 0, NULL);
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(t, 3, "bitwidth", ET_FLOAT, 4);
    expect_check_error(t, "Quant needs a constant scale");
}
END_TEST

START_TEST(test_error_scale)
{
    expect_check_error(quant_node("Quant", 1, 0.0, 0, 8, 1, 0, NULL),
                       "scale must be positive and finite; element 0 is 0");
    expect_check_error(quant_node("Quant", 1, -0.5, 0, 8, 1, 0, NULL),
                       "scale must be positive and finite; element 0 is -0.5");
    expect_check_error(quant_node("Quant", 1, NAN, 0, 8, 1, 0, NULL),
                       "scale must be positive and finite; element 0 is nan");
    expect_check_error(quant_node("Quant", 1, INFINITY, 0, 8, 1, 0, NULL),
                       "scale must be positive and finite; element 0 is inf");
    expect_check_error(quant_node("Quant", 1, 1.0, NAN, 8, 1, 0, NULL),
                       "zero point must be finite");
}
END_TEST

START_TEST(test_error_attributes)
{
    expect_check_error(quant_node("Quant", 1, 1, 0, 8, 1, 0, "BANKERS"),
                       "unknown rounding_mode 'BANKERS'");
    expect_check_error(quant_node("Quant", 1, 1, 0, 8, 2, 0, NULL),
                       "attribute signed must be the integer 0 or 1");
    expect_check_error(quant_node("Quant", 1, 1, 0, 8, 1, 2, NULL),
                       "attribute narrow must be the integer 0 or 1");
}
END_TEST

START_TEST(test_error_parameter_shape)
{
    /* 3 scales for an input whose last dim is 2 */
    OpTest *t = optest_new("Quant", QONNX, 0, 4);
    optest_input(t, 0, "x", 2, (int64_t[]){ 1, 2 });
    optest_const(t, 1, "scale", ET_FLOAT, 1, (int64_t[]){ 3 }, (double[]){ 1, 1, 1 });
    optest_scalar(t, 2, "zeropt", ET_FLOAT, 0);
    optest_scalar(t, 3, "bitwidth", ET_FLOAT, 8);
    expect_check_error(t, "scale of shape [3] does not broadcast to the input's shape [1, 2]");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("op_quant");
    TCase *tc = tcase_create("quant");
    tcase_add_test(tc, test_rounding_modes);
    tcase_add_test(tc, test_default_rounding_is_half_even);
    tcase_add_test(tc, test_ranges_and_clamping);
    tcase_add_test(tc, test_scale_and_clamp);
    tcase_add_test(tc, test_float32_division_decides_ties);
    tcase_add_test(tc, test_zero_point);
    tcase_add_test(tc, test_per_channel);
    tcase_add_test(tc, test_one_bit_signed_is_bipolar);
    tcase_add_test(tc, test_integer_typed_parameters);
    tcase_add_test(tc, test_int_quant_and_domains);
    tcase_add_test(tc, test_infer);
    tcase_add_test(tc, test_parameter_computed_from_constants);
    tcase_add_test(tc, test_error_bit_width);
    tcase_add_test(tc, test_error_non_constant_bit_width);
    tcase_add_test(tc, test_error_scale);
    tcase_add_test(tc, test_error_attributes);
    tcase_add_test(tc, test_error_parameter_shape);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
