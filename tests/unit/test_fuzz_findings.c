/* Defects fuzz_pipeline found (fuzz/README.md), each as the smallest model
 * built in C that shows it. The fuzzer's own inputs are replayed too
 * (fuzz/regressions/pipeline/, tests/e2e/test_fuzz_regressions.c), but only
 * a sanitizer build sees what most of them did; these tests fail in the
 * normal build before the fix. Each bad model must be refused with an
 * error naming the node, never accepted with garbage. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "cleanup.h"
#include "onnx_builder.h"
#include "streamline.h"

#define QONNX "qonnx.custom_op.general"
#define IN(...) (const char *[]){ __VA_ARGS__ }
#define DIMS(...) (int64_t[]){ __VA_ARGS__ }

static void scalar(OnnxBuilder *b, const char *name, float v)
{
    ob_init_f32(b, name, 0, NULL, &v);
}

/* Loads and cleans up b (which must succeed), then streamlines it;
 * returns whether streamlining succeeded, with d filled. */
static bool streamline_built(OnnxBuilder *b, Diag *d)
{
    diag_init(d);
    Graph *g = ob_load(b, d);
    ck_assert_msg(g != NULL, "%s", d->msg);
    ck_assert_msg(cleanup_graph(g, true, d), "%s", d->msg);
    bool ok = streamline_graph(g, true, d);
    graph_free(g);
    ob_free(b);
    return ok;
}

/* x -> Quant(scale 0.25, zero point zp, 8 bits unsigned) -> y. */
static OnnxBuilder *input_quant_model(float zp)
{
    OnnxBuilder *b = ob_new("zp");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 8));
    scalar(b, "s", 0.25f);
    scalar(b, "z", zp);
    scalar(b, "bits", 8);
    ObNode *q = ob_node(b, "Quant", QONNX, "in_quant", 4, IN("x", "s", "z", "bits"), 1, IN("y"));
    ob_attr_int(q, "signed", 0);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", "ROUND");
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 8));
    return b;
}

START_TEST(input_quant_zero_point_out_of_range)
{
    /* The input quantizer's zero point became an int64 by a plain cast:
     * for 1e30 that is undefined behaviour (UBSan stops there), and lo - z
     * overflowed; the InputQuant made of it was then refused with "zero
     * point element 0 is 1e+30; it must be an integer", which 1e30 is. A
     * zero point of more than a million is refused, as for activations
     * (streamline_thresholds.c), saying what is wrong with it. */
    Diag d;
    ck_assert(!streamline_built(input_quant_model(1e30f), &d));
    ck_assert_msg(strstr(d.msg, "in_quant") && strstr(d.msg, "zero point 1e+30 is out of range"),
                  "%s", d.msg);
    ck_assert(!streamline_built(input_quant_model(-3e9f), &d));
    ck_assert_msg(strstr(d.msg, "out of range"), "%s", d.msg);
    /* an ordinary asymmetric quantizer still streamlines */
    ck_assert_msg(streamline_built(input_quant_model(3), &d), "%s", d.msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_findings");
    TCase *tc = tcase_create("pipeline");
    tcase_add_test(tc, input_quant_zero_point_out_of_range);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
