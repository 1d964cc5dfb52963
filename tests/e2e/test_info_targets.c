/* `qonnxc info MODEL`: the per-target support listing.
 *
 *   every vendored model: all six targets (ref, hls, rtl, mcu, npu, ice40)
 *   "supported", as `qonnxc build --target all` builds them
 *
 *   a binarized CNN built here with two grouped XNOR convolutions (BIPOLAR
 *   inputs and weights, group 2): no C target has a grouped XNOR kernel and
 *   the dataflow lowering has no grouped convolution. ref, mcu and npu
 *   check every layer before they stop, so both layers are listed there;
 *   hls/rtl/ice40 stop at the first (the dataflow lowering walks one chain,
 *   src/cli/target_support.h)
 *
 *   a model with three constructs the integer graph refuses: all three are
 *   listed, with their reasons (the streamliner goes on past a refused
 *   layer). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_builder.h"
#include "run_cli.h"

#define QONNX "qonnx.custom_op.general"

static const char *const models[] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
    "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM",
};

/* The lines of info's output from "targets:" on. */
static const char *targets_of(const CliResult *r)
{
    const char *t = strstr(r->out, "\ntargets:\n");
    ck_assert_msg(t, "no targets section:\n%s", r->out);
    return t + 1;
}

START_TEST(test_vendored_supported)
{
    char model[512];
    snprintf(model, sizeof model, TESTS_DIR "/models/%s/model.onnx", models[_i]);
    const char *args[] = { "info", model, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    const char *t = targets_of(&r);
    ck_assert_str_eq(t, "targets:\n  ref  supported\n  hls  supported\n  rtl  supported\n"
                        "  mcu  supported\n  npu  supported\n  ice40 supported\n");
    cli_result_free(&r);
}
END_TEST

static void bipolar(OnnxBuilder *b, const char *in, const char *out)
{
    float one = 1.0f;
    char name[96], scale[96];           /* out is a short tensor name */
    snprintf(name, sizeof name, "%s_quant", out);
    snprintf(scale, sizeof scale, "%s_scale", out);
    ob_init_f32(b, scale, 0, NULL, &one);
    ob_node(b, "BipolarQuant", QONNX, name, 2, (const char *[]){ in, scale }, 1,
            (const char *[]){ out });
}

/* 3x3 conv of 8 -> 8 channels in 2 groups, weights +-1 */
static void xnor_conv(OnnxBuilder *b, const char *name, const char *in, const char *out)
{
    float w[8 * 4 * 9];
    uint32_t s = 5u + (uint32_t)name[4];
    for (int k = 0; k < 8 * 4 * 9; k++) {
        s = s * 1664525u + 1013904223u;
        w[k] = (s >> 20) & 1 ? 1.0f : -1.0f;
    }
    char wn[64], wq[64];
    snprintf(wn, sizeof wn, "%s_w", name);
    snprintf(wq, sizeof wq, "%s_wq", name);
    ob_init_f32(b, wn, 4, (int64_t[]){ 8, 4, 3, 3 }, w);
    bipolar(b, wn, wq);
    ObNode *c = ob_node(b, "Conv", NULL, name, 2, (const char *[]){ in, wq }, 1,
                        (const char *[]){ out });
    ob_attr_ints(c, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    ob_attr_int(c, "group", 2);
}

static void write_xnor_model(const char *path)
{
    OnnxBuilder *b = ob_new("grouped_xnor");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 8, 8, 8 });
    bipolar(b, "x", "a0");
    xnor_conv(b, "conv1", "a0", "c1");
    bipolar(b, "c1", "a1");
    xnor_conv(b, "conv2", "a1", "c2");
    bipolar(b, "c2", "a2");
    ObNode *fl = ob_node(b, "Flatten", NULL, "flatten", 1, (const char *[]){ "a2" }, 1,
                         (const char *[]){ "y" });
    ob_attr_int(fl, "axis", 1);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 8 * 4 * 4 });
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* The entry of target t: from "  t " to the next target's line. */
static char *entry_of(const char *targets, const char *t)
{
    char key[16];
    snprintf(key, sizeof key, "\n  %-4s ", t);
    const char *p = strstr(targets, key);
    ck_assert_msg(p, "no entry for %s:\n%s", t, targets);
    p++;
    const char *end = p + 1;
    while ((end = strchr(end, '\n')) && !strncmp(end + 1, "    ", 4))
        end++;
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *e = malloc(len + 1);
    memcpy(e, p, len);
    e[len] = '\0';
    return e;
}

START_TEST(test_every_reason)
{
    char *dir = make_temp_dir("info-targets");
    char model[1100];
    snprintf(model, sizeof model, "%s/grouped_xnor.onnx", dir);
    write_xnor_model(model);
    const char *args[] = { "info", model, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    const char *t = targets_of(&r);
    const char *names[] = { "ref", "hls", "rtl", "mcu", "npu", "ice40" };
    for (int k = 0; k < 6; k++) {
        char *e = entry_of(t, names[k]);
        ck_assert_msg(strstr(e, "not supported:"), "%s", t);
        bool all = k == 0 || k == 3 || k == 4;  /* ref, mcu, npu: every layer */
        const char *c1 = strstr(e, "node 'conv1'"), *c2 = strstr(e, "node 'conv2'");
        ck_assert_msg(c1, "%s: conv1 not listed:\n%s", names[k], t);
        ck_assert_msg(!all || c2, "%s: conv2 not listed:\n%s", names[k], t);
        ck_assert_msg(strstr(e, "group"), "%s: the reason does not say grouped:\n%s", names[k], t);
        free(e);
    }
    cli_result_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Quant(in) -> out with a per-tensor scale, signed, `bits` bits. */
static void quant(OnnxBuilder *b, const char *name, const char *in, const char *out, float scale,
                  int bits)
{
    ObQuant q = { ob_scalar_f32(b, "s_", scale), 0.0f, bits, true, false, NULL };
    ob_quant(b, name, in, out, &q);
}

/* Three constructs the integer graph refuses, each on its own branch of
 * one input quantizer (scale 0.5):
 *   'pool'  an AveragePool with padding, quantized (border windows would
 *           divide by fewer taps);
 *   'trunc' an average pool's Trunc whose scale (0.25) is not the pooled
 *           tensor's (0.5);
 *   'add'   an Add of the input quantizer's output (scale 0.5) and a
 *           requantization of it (a 1x1 MaxPool, then scale 0.375): no
 *           integer ratio between the two scales. */
static void write_three_refusals(const char *path)
{
    OnnxBuilder *b = ob_new("three_refusals");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    quant(b, "q_in", "x", "a0", 0.5f, 4);
    ObNode *ap = ob_node(b, "AveragePool", NULL, "pool", 1, (const char *[]){ "a0" }, 1,
                         (const char *[]){ "p1" });
    ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    ob_attr_ints(ap, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    quant(b, "q_pool", "p1", "y1", 0.25f, 4);
    ob_output(b, "y1", ET_FLOAT, 4, (int64_t[]){ 1, 1, 5, 5 });

    ap = ob_node(b, "AveragePool", NULL, "pool_t", 1, (const char *[]){ "a0" }, 1,
                 (const char *[]){ "p2" });
    ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    ob_node(b, "Mul", NULL, "area", 2, (const char *[]){ "p2", ob_scalar_f32(b, "s_", 4.0f) },
            1, (const char *[]){ "m2" });
    ob_node(b, "Trunc", QONNX, "trunc", 5,
            (const char *[]){ "m2", ob_scalar_f32(b, "s_", 0.25f), ob_scalar_f32(b, "s_", 0),
                              ob_scalar_f32(b, "s_", 6), ob_scalar_f32(b, "s_", 4) },
            1, (const char *[]){ "y2" });
    ob_output(b, "y2", ET_FLOAT, 4, (int64_t[]){ 1, 1, 3, 3 });

    ap = ob_node(b, "MaxPool", NULL, "max", 1, (const char *[]){ "a0" }, 1,
                 (const char *[]){ "m3" });
    ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ 1, 1 });
    quant(b, "q_b", "m3", "b0", 0.375f, 4);
    ob_node(b, "Add", NULL, "add", 2, (const char *[]){ "a0", "b0" }, 1,
            (const char *[]){ "sum" });
    quant(b, "q_sum", "sum", "y3", 0.5f, 5);
    ob_output(b, "y3", ET_FLOAT, 4, (int64_t[]){ 1, 1, 4, 4 });
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* A model with three unsupported constructs: info names all three, each
 * with its reason, not only the first the streamliner meets. */
START_TEST(test_every_integer_graph_reason)
{
    char *dir = make_temp_dir("info-targets");
    char model[1100];
    snprintf(model, sizeof model, "%s/three_refusals.onnx", dir);
    write_three_refusals(model);
    const char *args[] = { "info", model, NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "%s", r.err);
    const char *t = targets_of(&r);
    ck_assert_msg(strstr(t, "ref, hls, rtl, mcu, npu, ice40: not supported: the integer graph "
                            "cannot be built:\n"), "%s", t);
    static const char *const want[][2] = {
        { "node 'pool'", "count_include_pad=0" },
        { "node 'trunc'", "is not the scale 0.5" },
        { "node 'add'", "integer multiple" },
    };
    for (int k = 0; k < 3; k++) {
        const char *line = strstr(t, want[k][0]);
        ck_assert_msg(line, "%s not listed:\n%s", want[k][0], t);
        const char *end = strchr(line, '\n');
        ck_assert_msg(strstr(line, want[k][1]) && strstr(line, want[k][1]) < end,
                      "%s: reason without '%s':\n%s", want[k][0], want[k][1], t);
    }
    cli_result_free(&r);
    rm_rf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("info_targets");
    TCase *tc = tcase_create("targets");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_vendored_supported, 0, (int)(sizeof models / sizeof models[0]));
    tcase_add_test(tc, test_every_reason);
    tcase_add_test(tc, test_every_integer_graph_reason);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
