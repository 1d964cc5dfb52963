/* The ref target's input quantizer (src/emit/emit_ref_io.c) against the int
 * engine's InputQuant (ir/ops/op_input_quant.c, rounding by qonnx_round),
 * integer for integer, on the values where a rounding can go wrong:
 *
 *   every tie k + 0.5 inside the range and beyond it, the floats just
 *   below and above each tie, the integers, +0 and -0, tiny negatives
 *   (-2^-30: floor is -1 and t - floor(t) rounds to 1.0f), values far
 *   outside the range, +-infinity, and random values
 *
 * for every rounding mode, with a zero point, through a graph that is only
 * InputQuant -> OutputAffine (A = 1, B = 0), so --int prints the quantized
 * integers. The emitted quantizer rounds in integers without branches so
 * that it vectorizes; it is built three ways: the Makefile's -O2, -O3
 * -march=native (wider vectors), and clang when installed; and the mcu
 * target's form of it (one loop, no staging arrays) at -O2. A wide (26-bit)
 * quantizer takes the emitted fallback, the float rounding helper. A NaN
 * frame exits 1, naming the frame. */
#include <check.h>
#include <math.h>
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
#include "run_cli.h"

#define WIDTH 640   /* values per frame: four blocks of the emitted quantizer (160) */

static uint32_t rng_state = 0x0A11CEu;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* x [1, WIDTH] -> InputQuant(scale, zp; bits, signed, rounding) -> q ->
 * OutputAffine(1, 0). */
static OnnxBuilder *quantizer(int bits, const char *rounding, float scale, float zp)
{
    OnnxBuilder *b = ob_new("quantizer");
    ob_opset(b, "qonnxc", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, WIDTH });
    ob_init_f32(b, "scale", 0, NULL, (float[]){ scale });
    ob_init_f32(b, "zp", 0, NULL, (float[]){ zp });
    ObNode *iq = ob_node(b, "InputQuant", "qonnxc", "iq", 3, (const char *[]){ "x", "scale", "zp" },
                         1, (const char *[]){ "q" });
    ob_attr_string(iq, "mode", "quant");
    ob_attr_int(iq, "bits", bits);
    ob_attr_int(iq, "signed", 1);
    ob_attr_string(iq, "rounding_mode", rounding);
    char dt[16];
    snprintf(dt, sizeof dt, "INT%d", bits + 1);   /* q - zp */
    ob_annotate(b, "q", "finn_datatype", dt);
    ob_init_f32(b, "A", 1, (int64_t[]){ 1 }, (float[]){ 1.0f });
    ob_init_f32(b, "B", 1, (int64_t[]){ 1 }, (float[]){ 0.0f });
    ob_node(b, "OutputAffine", "qonnxc", "oa", 3, (const char *[]){ "q", "A", "B" }, 1,
            (const char *[]){ "out" });
    ob_output(b, "out", ET_FLOAT, 2, (int64_t[]){ 1, WIDTH });
    return b;
}

/* The values above, as x = (t - zp) * scale for the t wanted (scale a
 * power of two, so x is exact), then random ones; whole frames. */
static Value *hard_inputs(int bits, float scale, float zp, int64_t *frames)
{
    float v[4096];
    int n = 0;
    int64_t lo = -(1LL << (bits - 1)), hi = (1LL << (bits - 1)) - 1;
    for (int64_t k = lo - 4; k <= hi + 4 && n < 3000; k++) {
        float tie = (float)k + 0.5f;
        float ts[] = { (float)k, tie, nextafterf(tie, -INFINITY), nextafterf(tie, INFINITY) };
        for (int j = 0; j < 4; j++)
            v[n++] = (ts[j] - zp) * scale;
    }
    float special[] = { 0.0f, -0.0f, -0x1p-30f, 0x1p-30f, -zp * scale - 0x1p-30f, 1e30f, -1e30f,
                        INFINITY, -INFINITY };
    for (size_t j = 0; j < sizeof special / sizeof special[0]; j++)
        v[n++] = special[j];
    while (n % WIDTH || n < 4 * WIDTH) {
        float u = (float)(rng() >> 8) / 16777216.0f;
        v[n++] = ((float)(lo - 3) + u * (float)(hi - lo + 6) - zp) * scale;
    }
    *frames = n / WIDTH;
    Value *in = value_new(ET_FLOAT, &(Shape){ 2, { *frames, WIDTH } });
    memcpy(in->f, v, (size_t)n * sizeof *v);
    return in;
}

static void check_quantizer(int bits, const char *rounding)
{
    const float scale = 0.25f, zp = 1.0f;
    OnnxBuilder *b = quantizer(bits, rounding, scale, zp);
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL, "%s", d.msg);
    ck_assert_msg(cleanup_graph(g, true, &d), "%s", d.msg);
    ck_assert_msg(emit_names(g, NULL, &d), "%s", d.msg);
    char *dir = make_temp_dir("ref-quantizer");
    OutTree tree;
    outtree_init(&tree);
    ck_assert_msg(emit_ref(g, "quantizer.onnx", "quantizer", &tree, &d), "%s", d.msg);
    ck_assert_msg(emit_mcu(g, "quantizer.onnx", "quantizer", &tree, &d), "%s", d.msg);
    char path[512];
    snprintf(path, sizeof path, "%s/o", dir);
    ck_assert_msg(outtree_commit(&tree, path, &d), "%s", d.msg);
    outtree_free(&tree);

    int64_t frames;
    Value *in = hard_inputs(bits, scale, zp, &frames);
    snprintf(path, sizeof path, "%s/in.npy", dir);
    ck_assert_msg(npy_write_f32(path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    expose_integers(g);
    Value *res[2];
    ck_assert_msg(exec_run_frames(g, (const Value **)&in, res, &d), "%s", d.msg);

    const char *clang = run_shell("command -v clang >/dev/null 2>&1") == 0 ? "clang" : NULL;
    /* the mcu target's quantizer is one loop without staging arrays (RAM) */
    const char *builds[] = { "ref", "make -s", "ref", "make -s CFLAGS='-O3 -march=native'",
                             "ref", clang ? "make -s CC=clang" : NULL, "mcu", "make -s" };
    for (int k = 1; k < 8; k += 2) {
        if (!builds[k])
            continue;
        ck_assert_int_eq(run_shell("cd '%s/o/%s' && rm -f quantizer && %s >/dev/null 2>&1 && "
                                   "./quantizer --int ../../in.npy ../../int.npy", dir,
                                   builds[k - 1], builds[k]), 0);
        NpyArray got;
        snprintf(path, sizeof path, "%s/int.npy", dir);
        ck_assert_msg(npy_read(path, &got, &d), "%s", d.msg);
        ck_assert_int_eq(got.count, res[1]->count);
        for (int64_t j = 0; j < got.count; j++)
            ck_assert_msg(((int32_t *)got.data)[j] == res[1]->i[j],
                          "INT%d %s (%s, %s): x = %a (t = %a): %d, int engine %lld", bits,
                          rounding, builds[k - 1], builds[k], (double)in->f[j], (double)(in->f[j] / scale + zp),
                          ((int32_t *)got.data)[j], (long long)res[1]->i[j]);
        npy_free(&got);
    }
    /* NaN: refused, naming the frame */
    in->f[WIDTH + 3] = NAN;
    snprintf(path, sizeof path, "%s/nan.npy", dir);
    ck_assert_msg(npy_write_f32(path, in->f, in->shape.rank, in->shape.dims, &d), "%s", d.msg);
    ck_assert_int_eq(run_shell("cd '%s/o/ref' && ./quantizer ../../nan.npy ../../out.npy "
                               "2> ../../err.txt", dir), 1);
    snprintf(path, sizeof path, "%s/err.txt", dir);
    char *err = read_whole_file(path, NULL);
    ck_assert_msg(strstr(err, "frame 1:") != NULL, "%s", err);
    free(err);

    value_free(in);
    value_free(res[0]);
    value_free(res[1]);
    graph_free(g);
    ob_free(b);
    rm_rf(dir);
    free(dir);
}

static const char *const modes[] = { "ROUND", "HALF_UP", "HALF_DOWN", "FLOOR", "CEIL", "UP",
                                     "DOWN" };
#define N_MODES (int)(sizeof modes / sizeof modes[0])

/* INT4: the integer rounding, every mode */
START_TEST(test_every_mode) { check_quantizer(4, modes[_i]); }
END_TEST

/* INT26: beyond 2^24 the emitted code rounds with the float helpers */
START_TEST(test_wide_fallback) { check_quantizer(26, modes[_i]); }
END_TEST

int main(void)
{
    Suite *s = suite_create("ref_quantizer");
    TCase *tc = tcase_create("quantizer");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_every_mode, 0, N_MODES);
    tcase_add_loop_test(tc, test_wide_fallback, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
