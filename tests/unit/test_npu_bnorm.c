/* The npu target's analysis (ir/npu_bnorm.h): the exact BNORM search, a
 * case where parameters exist and cases where they provably do not, and
 * one test per NPU constraint with its fallback message. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "npu_bnorm.h"
#include "qc_bnorm_requant.h"

/* A MultiThreshold reproducing f on [lo, hi] (f nondecreasing, values in
 * [out_bias, out_bias + levels]): threshold l at the first acc reaching
 * out_bias + l, hi + 1 when none does. */
typedef int64_t (*Fn)(int64_t acc);

static int32_t *thresholds_of(Fn f, int64_t out_bias, int levels, int64_t lo, int64_t hi)
{
    int32_t *t = malloc((size_t)levels * sizeof *t);
    for (int l = 1; l <= levels; l++) {
        int64_t a = lo;
        while (a <= hi && f(a) < out_bias + l)
            a++;
        t[l - 1] = (int32_t)a;
    }
    return t;
}

/* The found parameters give f on every accumulator. */
static void check_exact(Fn f, const NpuBnorm *r, qc_dtype out, int64_t lo, int64_t hi)
{
    for (int64_t a = lo; a <= hi; a++)
        ck_assert_msg(qc_bnorm_requant((int32_t)a, r->bias, r->scale, r->shift, out) == f(a),
                      "acc %lld: bias %d scale %d shift %u gives %d, want %lld", (long long)a,
                      r->bias, r->scale, r->shift,
                      qc_bnorm_requant((int32_t)a, r->bias, r->scale, r->shift, out),
                      (long long)f(a));
}

static int64_t clamp8u(int64_t v) { return v < 0 ? 0 : v > 255 ? 255 : v; }
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static int64_t f_shift7(int64_t acc) { return clamp8u(floor_div(acc, 128)); }
static int64_t f_three_eighths(int64_t acc) { return clamp8u(floor_div(acc * 3, 8)); }
/* round half to even of acc / 4: ties at 2, 6, 10 .. go down, at 4k+2.. */
static int64_t f_half_even(int64_t acc)
{
    int64_t q = floor_div(acc, 4), r = acc - 4 * q;
    if (r > 2 || (r == 2 && (q & 1)))
        q++;
    return clamp8u(q);
}
static int64_t f_offset(int64_t acc) { return clamp8u(acc + 40000); }

START_TEST(test_exact_shift)
{
    int64_t lo = -5000, hi = 20000;
    int32_t *t = thresholds_of(f_shift7, 0, 255, lo, hi);
    NpuBnorm r;
    char why[256] = "";
    ck_assert_msg(npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 16, false, &r, why, sizeof why),
                  "%s", why);
    check_exact(f_shift7, &r, qc_dtype_uint(8), lo, hi);
    /* and with power-of-2 scales only (8-bit weights) */
    ck_assert(npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 24, true, &r, why, sizeof why));
    check_exact(f_shift7, &r, qc_dtype_uint(8), lo, hi);
    free(t);
}
END_TEST

/* 3/8 needs scale 3: exact with any 8-bit scale, provably not with
 * power-of-2 scales. */
START_TEST(test_scale_three)
{
    int64_t lo = -100, hi = 1000;
    int32_t *t = thresholds_of(f_three_eighths, 0, 255, lo, hi);
    NpuBnorm r;
    char why[256] = "";
    ck_assert_msg(npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 16, false, &r, why, sizeof why),
                  "%s", why);
    ck_assert_int_eq(r.scale % 3, 0);
    check_exact(f_three_eighths, &r, qc_dtype_uint(8), lo, hi);
    ck_assert(!npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 24, true, &r, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "no exact BNORM"));
    ck_assert_ptr_nonnull(strstr(why, "1, 2, 4, .., 128"));
    free(t);
}
END_TEST

/* Half-to-even rounding: the thresholds alternate 3 and 5 apart, which no
 * floor((acc + bias) * scale / 2^shift) does. The search says so, and a
 * brute force over small shifts, every scale and a wide bias range agrees. */
START_TEST(test_provably_none)
{
    int64_t lo = 0, hi = 40;
    int32_t *t = thresholds_of(f_half_even, 0, 255, lo, hi);
    NpuBnorm r;
    char why[256] = "";
    ck_assert(!npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 16, false, &r, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "feasible bias interval is empty"));
    qc_dtype u8 = qc_dtype_uint(8);
    for (unsigned shift = 0; shift <= 4; shift++)
        for (int32_t scale = 1; scale <= 255; scale++)
            for (int32_t bias = -200; bias <= 200; bias++) {
                int64_t a = lo;
                while (a <= hi && qc_bnorm_requant((int32_t)a, bias, scale, shift, u8) == f_half_even(a))
                    a++;
                ck_assert_msg(a <= hi, "bias %d scale %d shift %u is exact", bias, scale, shift);
            }
    free(t);
}
END_TEST

/* Exact only with bias 40000: not in 16 bits (2/4-bit weights), fine in 24. */
START_TEST(test_bias_width)
{
    int64_t lo = -40100, hi = -39700;
    int32_t *t = thresholds_of(f_offset, 0, 255, lo, hi);
    NpuBnorm r;
    char why[256] = "";
    ck_assert(!npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 16, false, &r, why, sizeof why));
    ck_assert_msg(strstr(why, "outside 16 bits"), "%s", why);
    ck_assert(npu_bnorm_search(t, 255, 0, 0, 255, lo, hi, 24, false, &r, why, sizeof why));
    check_exact(f_offset, &r, qc_dtype_uint(8), lo, hi);
    ck_assert_uint_eq(npu_bias_bits(8), 24);
    ck_assert_uint_eq(npu_bias_bits(4), 16);
    ck_assert_uint_eq(npu_bias_bits(2), 16);
    free(t);
}
END_TEST

/* ---- constraints: one test each, with the fallback message ---------------- */

static NpuLayerDesc good(void)
{
    NpuLayerDesc l;
    memset(&l, 0, sizeof l);
    l.op = NPU_LAYER_DOT;
    l.has_threshold = true;
    l.out_scale = 1;
    l.wdt = qc_dtype_int(4);
    l.in_dt = qc_dtype_uint(8);
    l.out_dt = qc_dtype_uint(8);
    l.in_c = 16;
    l.out_c = 32;
    l.groups = 1;
    return l;
}

static void expect(const NpuLayerDesc *l, const char *text)
{
    char why[256];
    const char *msg = npu_layer_check(l, why, sizeof why);
    ck_assert_msg(msg != NULL, "expected a fallback: %s", text);
    ck_assert_msg(strstr(msg, text), "'%s' does not say '%s'", msg, text);
}

START_TEST(test_valid_layer)
{
    char why[256];
    NpuLayerDesc l = good();
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
    l.first = true;
    l.in_c = 1;
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
    l.wdt = qc_dtype_int(8);
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
    l.wdt = qc_dtype_int(2);
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
}
END_TEST

START_TEST(test_not_dot)
{
    NpuLayerDesc l = good();
    l.op = NPU_LAYER_OTHER;
    expect(&l, "not a matrix product or convolution");
}
END_TEST

START_TEST(test_no_activation)
{
    NpuLayerDesc l = good();
    l.has_threshold = false;
    expect(&l, "no activation after the accumulator");
}
END_TEST

START_TEST(test_weight_bits)
{
    NpuLayerDesc l = good();
    l.wdt = qc_dtype_bipolar();
    expect(&l, "BIPOLAR weights (1 bit): the NPU takes 2, 4 or 8-bit weights");
    l.wdt = qc_dtype_int(3);
    expect(&l, "INT3 weights (3 bits)");
    l.wdt = qc_dtype_int(1);
    expect(&l, "INT1 weights (1 bit)");
}
END_TEST

START_TEST(test_input_bits)
{
    NpuLayerDesc l = good();
    l.in_dt = qc_dtype_uint(2);
    expect(&l, "UINT2 input activations (2 bits): the NPU takes 8-bit activations");
    l.in_dt = qc_dtype_bipolar();
    expect(&l, "BIPOLAR input activations");
}
END_TEST

START_TEST(test_output_bits)
{
    NpuLayerDesc l = good();
    l.out_dt = qc_dtype_int(4);
    expect(&l, "INT4 output activations (4 bits): the NPU writes 8-bit activations");
}
END_TEST

START_TEST(test_first_layer_channels)
{
    NpuLayerDesc l = good();
    l.first = true;
    l.in_c = 3;
    expect(&l, "first layer with 3 input channels: the NPU's first layer takes exactly 1");
    l.in_c = 4;
    expect(&l, "first layer with 4 input channels");
}
END_TEST

START_TEST(test_input_channels)
{
    NpuLayerDesc l = good();
    l.in_c = 6;
    expect(&l, "6 input channels, not a multiple of 4");
}
END_TEST

START_TEST(test_output_channels)
{
    NpuLayerDesc l = good();
    l.out_c = 10;
    expect(&l, "10 output channels, not a multiple of 4");
}
END_TEST

START_TEST(test_out_scale)
{
    NpuLayerDesc l = good();
    l.out_scale = 2;
    expect(&l, "out_scale 2");
}
END_TEST

/* Grouped convolutions: the NPU has dense convolutions and DWCONV
 * (group = channels, one output per channel, kernel at most 7 wide); the
 * requantization is per output channel either way, so a depthwise layer
 * passes the same checks as a dense one. */
START_TEST(test_groups)
{
    char why[256];
    NpuLayerDesc l = good();
    l.groups = 2;
    l.group_out = 16;
    expect(&l, "grouped convolution (2 groups of 8 channels): the NPU runs dense and depthwise");
    l.groups = 16;
    l.group_out = 2;
    expect(&l, "depthwise convolution with 2 outputs per channel");
    l.out_c = 16;
    l.group_out = 1;
    l.kernel_w = 3;
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
    l.kernel_w = 9;
    expect(&l, "depthwise kernel 9 wide: the NPU's DWCONV takes at most 7");
    l.kernel_w = 3;
    l.in_dt = qc_dtype_uint(4);
    expect(&l, "UINT4 input activations");
}
END_TEST

/* A residual add on its own layer: the NPU fuses a residual only into a
 * pointwise convolution (PWCONVRES). */
START_TEST(test_add)
{
    NpuLayerDesc l = good();
    l.op = NPU_LAYER_ADD;
    expect(&l, "a residual add on its own: the NPU adds a residual only inside a pointwise "
               "convolution");
}
END_TEST

/* Average pools: the NPU's AVGPOOL when global, 8-bit in and out, with a
 * FLOOR Trunc; otherwise what it lacks. */
START_TEST(test_avgpool)
{
    NpuLayerDesc l = good();
    l.op = NPU_LAYER_AVGPOOL;
    l.global_pool = false;
    expect(&l, "average pool over a window: the NPU's AVGPOOL is global only");
    l.global_pool = true;
    l.pool_area = 2;
    expect(&l, "global average pool of 2 positions");
    l.pool_area = 64;
    l.in_dt = qc_dtype_uint(4);
    expect(&l, "average pool of UINT4 activations");
    l.in_dt = qc_dtype_uint(8);
    l.out_dt = qc_dtype_uint(6);
    expect(&l, "average pool to UINT6 activations: the NPU writes 8-bit");
    l.out_dt = qc_dtype_uint(8);
    l.rounding = "ROUND";
    expect(&l, "Trunc rounds ROUND: the NPU's requantization floors");
    l.rounding = "FLOOR";
    char why[256];
    ck_assert_ptr_null(npu_layer_check(&l, why, sizeof why));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("npu_bnorm");
    TCase *search = tcase_create("search");
    tcase_set_timeout(search, 300); /* the brute force, under the sanitizers */
    tcase_add_test(search, test_exact_shift);
    tcase_add_test(search, test_scale_three);
    tcase_add_test(search, test_provably_none);
    tcase_add_test(search, test_bias_width);
    suite_add_tcase(s, search);
    TCase *con = tcase_create("constraints");
    tcase_add_test(con, test_valid_layer);
    tcase_add_test(con, test_not_dot);
    tcase_add_test(con, test_no_activation);
    tcase_add_test(con, test_weight_bits);
    tcase_add_test(con, test_input_bits);
    tcase_add_test(con, test_output_bits);
    tcase_add_test(con, test_first_layer_channels);
    tcase_add_test(con, test_input_channels);
    tcase_add_test(con, test_output_channels);
    tcase_add_test(con, test_out_scale);
    tcase_add_test(con, test_groups);
    tcase_add_test(con, test_add);
    tcase_add_test(con, test_avgpool);
    suite_add_tcase(s, con);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
