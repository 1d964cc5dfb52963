/* The QCDQ export (ir/passes/export/export_qcdq.h) on one-quantizer models
 * built in C: for each form the export picks, the golden executor gives
 * exactly the same floats on the export (written, read back, cleaned up)
 * as on the original, on inputs that hit every rounding tie, the clamps
 * and values just off a half.
 *
 * What the rewrite picks:
 *   Quant 2..8 bits, ROUND, one scale, zero point 0  -> QuantizeLinear [Clip] DequantizeLinear
 *   anything else (other rounding, > 8 bits, per-channel scale, zero point)
 *                                                    -> Div [Add] Clip <round> [Sub] Mul
 *   1-bit signed Quant, BipolarQuant                 -> Sign(Sign(v) + 0.5) * scale
 *   Trunc versions 1 and 2                           -> float ops */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "export_qcdq.h"
#include "load_onnx.h"
#include "onnx_builder.h"
#include "save_onnx.h"

#define QONNX_DOMAIN "qonnx.custom_op.general"
enum { N_X = 160 };

/* Frame data for x of N_X elements: every multiple of scale / 2 from -40 to
 * +39.5 scales (all ties of x / scale), values one float step either side
 * of a tie, and far out of range both ways. */
static void fill_inputs(float scale, float *x)
{
    int k = 0;
    for (; k < 120; k++)
        x[k] = (float)(k - 60) * 0.5f * scale;
    for (int j = 0; k < 150; k++, j++) {
        float tie = ((float)(j % 10) - 4.5f) * scale;
        x[k] = j < 10 ? nextafterf(tie, INFINITY) : j < 20 ? nextafterf(tie, -INFINITY)
                                                            : tie * 1.37f;
    }
    for (int j = 0; k < N_X; k++, j++)
        x[k] = (j % 2 ? -1.0f : 1.0f) * (float)(j + 1) * 1.0e4f * scale;
}

/* The golden executor's output on the model as loaded and cleaned up. */
static void golden(Graph *g, const float *x, float *y)
{
    Diag d;
    diag_init(&d);
    ck_assert_msg(cleanup_graph(g, true, &d), "%s", d.msg);
    Shape s = { 2, { 1, N_X } };
    Value *in = value_new(ET_FLOAT, &s), *out = NULL;
    memcpy(in->f, x, sizeof(float) * N_X);
    ck_assert_msg(exec_run(g, (const Value *const *)&in, &out, &d), "%s", d.msg);
    ck_assert_int_eq(out->count, N_X);
    for (int k = 0; k < N_X; k++)
        y[k] = (float)value_get(out, k);
    value_free(in);
    value_free(out);
}

static int count_op(const Graph *g, const char *op)
{
    int n = 0;
    for (int k = 0; k < g->n_nodes; k++)
        n += !strcmp(g->nodes[k]->op_type, op);
    return n;
}

/* Exports the model, checks golden(original) == golden(export) element by
 * element, and returns how often the export used op `op` (its counts in
 * *c). The export goes through a file's bytes, so what is checked is what
 * a runtime reads. */
static int check_exact(const OnnxBuilder *b, float scale, ExportCounts *c, const char *op)
{
    float x[N_X], want[N_X], got[N_X];
    fill_inputs(scale, x);
    Diag d;
    diag_init(&d);
    Graph *orig = ob_load(b, &d);
    ck_assert_msg(orig, "%s", d.msg);
    golden(orig, x, want);
    graph_free(orig);

    Graph *g = ob_load(b, &d);
    ck_assert_msg(g && cleanup_graph(g, true, &d), "%s", d.msg);
    ck_assert_msg(export_qcdq(g, c, &d), "%s", d.msg);
    ck_assert_int_eq(g->n_opsets, 1);
    ck_assert_int_ge(g->opsets[0].version, EXPORT_MIN_OPSET);
    ck_assert_int_eq(g->inputs[0]->shape.dims[0], -1);   /* any batch */
    uint8_t *buf;
    size_t len;
    ck_assert_msg(onnx_save_mem(g, &buf, &len, &d), "%s", d.msg);
    graph_free(g);
    Graph *back = onnx_load_mem(buf, len, "export.onnx", &d);
    free(buf);
    ck_assert_msg(back, "%s", d.msg);
    for (int k = 0; k < back->n_nodes; k++)
        ck_assert_msg(back->nodes[k]->domain_kind == DOMAIN_ONNX, "node %s is %s of domain %s",
                      back->nodes[k]->name, back->nodes[k]->op_type, back->nodes[k]->domain);
    golden(back, x, got);
    int uses = count_op(back, op);
    graph_free(back);
    for (int k = 0; k < N_X; k++)
        ck_assert_msg(want[k] == got[k] || (isnan(want[k]) && isnan(got[k])),
                      "x[%d] = %.9g: original %.9g, export %.9g", k, x[k], want[k], got[k]);
    return uses;
}

/* x [1, N_X] -> Quant -> y. */
static OnnxBuilder *quant_model(float scale, float zeropt, int bits, bool is_signed, bool narrow,
                                const char *rounding)
{
    OnnxBuilder *b = ob_new("quant");
    ob_opset(b, QONNX_DOMAIN, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    ObQuant q = { ob_scalar_f32(b, "s", scale), zeropt, bits, is_signed, narrow, rounding };
    ob_quant(b, "q", "x", "y", &q);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    return b;
}

static int exact_quant(float scale, float zeropt, int bits, bool is_signed, bool narrow,
                       const char *rounding, ExportCounts *c, const char *op)
{
    OnnxBuilder *b = quant_model(scale, zeropt, bits, is_signed, narrow, rounding);
    int uses = check_exact(b, scale, c, op);
    ob_free(b);
    return uses;
}

START_TEST(quant_round_is_qcdq)
{
    /* INT4 uses INT8 and a Clip to -8..7; UINT2 UINT8 and 0..3; 8-bit
     * signed fits INT8 exactly (no Clip), narrow 8-bit clips to -127..127. */
    static const struct { int bits; bool is_signed, narrow; int clips; } cases[] = {
        { 4, true, false, 1 }, { 2, false, false, 1 }, { 8, true, false, 0 },
        { 8, true, true, 1 }, { 8, false, false, 0 }, { 3, false, true, 1 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int s = 0; s < 2; s++) {
            float scale = s ? 0.1f : 0.25f;   /* an exact and an inexact division */
            ExportCounts c;
            int q = exact_quant(scale, 0.0f, cases[k].bits, cases[k].is_signed, cases[k].narrow,
                                "ROUND", &c, "QuantizeLinear");
            ck_assert_int_eq(q, 1);
            ck_assert_int_eq(c.qcdq, 1);
            ck_assert_int_eq(c.float_quant, 0);
            OnnxBuilder *b = quant_model(scale, 0.0f, cases[k].bits, cases[k].is_signed,
                                         cases[k].narrow, "ROUND");
            ck_assert_int_eq(check_exact(b, scale, &c, "Clip"), cases[k].clips);
            ob_free(b);
        }
}
END_TEST

START_TEST(quant_rounding_modes_are_float_ops)
{
    static const char *const modes[] = {
        "HALF_EVEN", "HALF_UP", "HALF_DOWN", "CEIL", "FLOOR", "UP", "DOWN", "ROUND_TO_ZERO",
    };
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
        for (int s = 0; s < 2; s++) {
            float scale = s ? 0.1f : 0.25f;
            ExportCounts c;
            int q = exact_quant(scale, 0.0f, 4, k % 2 == 0, false, modes[k], &c,
                                "QuantizeLinear");
            /* HALF_EVEN is ROUND by another name: QCDQ; the others are not */
            ck_assert_int_eq(q, k == 0 ? 1 : 0);
            ck_assert_int_eq(c.float_quant, k == 0 ? 0 : 1);
        }
}
END_TEST

START_TEST(quant_wide_or_offset_is_float_ops)
{
    ExportCounts c;
    /* more than 8 bits: no INT8 type holds it */
    ck_assert_int_eq(exact_quant(0.25f, 0.0f, 12, true, false, "ROUND", &c, "QuantizeLinear"), 0);
    ck_assert_int_eq(c.float_quant, 1);
    ck_assert_int_eq(exact_quant(0.1f, 0.0f, 16, false, true, "ROUND", &c, "QuantizeLinear"), 0);
    ck_assert_int_eq(exact_quant(0.1f, 0.0f, 32, true, false, "ROUND", &c, "QuantizeLinear"), 0);
    /* a zero point: QONNX adds it before rounding, QuantizeLinear after */
    ck_assert_int_eq(exact_quant(0.25f, 3.0f, 4, false, false, "ROUND", &c, "QuantizeLinear"), 0);
    ck_assert_int_eq(exact_quant(0.1f, -2.5f, 4, true, false, "HALF_UP", &c, "Add"), 2);
}
END_TEST

START_TEST(quant_per_channel_is_float_ops)
{
    /* one scale per element of the last axis, broadcast like a per-channel one */
    OnnxBuilder *b = ob_new("per_channel");
    ob_opset(b, QONNX_DOMAIN, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    float scales[N_X];
    for (int k = 0; k < N_X; k++)
        scales[k] = k % 2 ? 0.25f : 0.1f;
    ObQuant pq = { ob_const_f32(b, "s", 1, (int64_t[]){ N_X }, scales), 0.0f, 4, true, false,
                   "ROUND" };
    ob_quant(b, "q", "x", "y", &pq);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    ExportCounts c;
    ck_assert_int_eq(check_exact(b, 0.25f, &c, "QuantizeLinear"), 0);
    ck_assert_int_eq(c.float_quant, 1);
    ob_free(b);
}
END_TEST

START_TEST(bipolar_forms)
{
    /* a 1-bit signed Quant is bipolar whatever its rounding mode says */
    ExportCounts c;
    ck_assert_int_eq(exact_quant(0.5f, 0.0f, 1, true, false, "ROUND", &c, "Sign"), 2);
    ck_assert_int_eq(c.bipolar, 1);
    ck_assert_int_eq(exact_quant(0.5f, 0.0f, 1, true, true, "FLOOR", &c, "Sign"), 2);
    /* a 1-bit unsigned Quant is {0, 1}: an ordinary range */
    ck_assert_int_eq(exact_quant(0.5f, 0.0f, 1, false, false, "ROUND", &c, "Sign"), 0);
    ck_assert_int_eq(c.float_quant, 1);

    OnnxBuilder *b = ob_new("bipolar");
    ob_opset(b, QONNX_DOMAIN, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    ob_node(b, "BipolarQuant", QONNX_DOMAIN, "bq", 2,
            (const char *[]){ "x", ob_scalar_f32(b, "s", 0.75f) }, 1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    ck_assert_int_eq(check_exact(b, 0.75f, &c, "Sign"), 2);
    ck_assert_int_eq(c.bipolar, 1);
    ob_free(b);
}
END_TEST

/* x -> Trunc (version 1: 5 inputs, or 2: 6 inputs) -> y. */
static OnnxBuilder *trunc_model(int version, float scale, float zeropt, int in_bits,
                                int out_bits, float out_scale, const char *rounding)
{
    OnnxBuilder *b = ob_new("trunc");
    ob_opset(b, QONNX_DOMAIN, version);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    const char *in5[] = { "x", ob_scalar_f32(b, "s", scale), ob_scalar_f32(b, "z", zeropt),
                          ob_scalar_f32(b, "ib", (float)in_bits),
                          ob_scalar_f32(b, "ob", (float)out_bits) };
    const char *in6[] = { in5[0], in5[1], in5[2], in5[3], ob_scalar_f32(b, "os", out_scale),
                          in5[4] };
    ObNode *n = ob_node(b, "Trunc", QONNX_DOMAIN, "t", version == 1 ? 5 : 6,
                        version == 1 ? in5 : in6, 1, (const char *[]){ "y" });
    ob_attr_string(n, "rounding_mode", rounding);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, N_X });
    return b;
}

START_TEST(trunc_versions_are_float_ops)
{
    static const char *const modes[] = { "FLOOR", "ROUND", "CEIL", "HALF_UP", "HALF_DOWN",
                                         "UP", "DOWN" };
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
        for (int version = 1; version <= 2; version++) {
            /* 8 -> 4 bits: a shift of 4; version 2 from out_scale / scale = 16 */
            ExportCounts c;
            OnnxBuilder *b = trunc_model(version, 0.125f, 0.0f, 8, 4, 2.0f, modes[k]);
            ck_assert_int_eq(check_exact(b, 0.125f * 8.0f, &c, "QuantizeLinear"), 0);
            ck_assert_int_eq(c.trunc, 1);
            ob_free(b);
            /* a zero point and an out_scale that is not a power-of-two ratio */
            b = trunc_model(version, 0.1f, 2.0f, 10, 6, 1.7f, modes[k]);
            ck_assert_int_eq(check_exact(b, 0.8f, &c, "Trunc"), 0);
            ck_assert_int_eq(c.trunc, 1);
            ob_free(b);
        }
}
END_TEST

/* The model loads and cleans up, and the export refuses it: the error in d. */
static void export_fails(const OnnxBuilder *b, Diag *d)
{
    diag_init(d);
    Graph *g = ob_load(b, d);
    ck_assert_msg(g && cleanup_graph(g, true, d), "%s", d->msg);
    ExportCounts c;
    ck_assert(!export_qcdq(g, &c, d));
    graph_free(g);
}

START_TEST(other_domain_op_is_an_error)
{
    OnnxBuilder *b = ob_new("mt");
    ob_opset(b, QONNX_DOMAIN, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ob_node(b, "MultiThreshold", QONNX_DOMAIN, "thresholds", 2,
            (const char *[]){ "x", ob_const_f32(b, "t", 2, (int64_t[]){ 4, 1 },
                                                (float[]){ 0, 0, 0, 0 }) },
            1, (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    Diag d;
    export_fails(b, &d);
    ck_assert_msg(strstr(d.msg, "'thresholds'") && strstr(d.msg, "MultiThreshold") &&
                  strstr(d.msg, "no standard ONNX form"), "%s", d.msg);
    ob_free(b);
}
END_TEST

START_TEST(old_opset_form_is_an_error)
{
    /* Clip of opset 9 takes its bounds as attributes; opset 13 as inputs */
    OnnxBuilder *b = ob_new("clip9");
    ob_opset(b, "", 9);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    ObNode *n = ob_node(b, "Clip", NULL, "clip", 1, (const char *[]){ "x" }, 1,
                        (const char *[]){ "y" });
    ob_attr_float(n, "min", 0.0f);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    Diag d;
    export_fails(b, &d);
    ck_assert_msg(strstr(d.msg, "'clip'") && strstr(d.msg, "opset 9") &&
                  strstr(d.msg, "takes min and max as inputs"), "%s", d.msg);
    ob_free(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("export_qcdq");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, quant_round_is_qcdq);
    tcase_add_test(tc, quant_rounding_modes_are_float_ops);
    tcase_add_test(tc, quant_wide_or_offset_is_float_ops);
    tcase_add_test(tc, quant_per_channel_is_float_ops);
    tcase_add_test(tc, bipolar_forms);
    tcase_add_test(tc, trunc_versions_are_float_ops);
    tcase_add_test(tc, other_domain_op_is_an_error);
    tcase_add_test(tc, old_opset_form_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
