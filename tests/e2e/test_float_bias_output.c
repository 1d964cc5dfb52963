/* Issue 12 (1): a Brevitas MLP whose last QuantLinear keeps an unquantized
 * float bias and has no output quantizer (tests/helpers/brevitas_mlp.h:
 * asymmetric UINT8 input with zero point 37, per-channel 3- and 5-bit
 * weights, INT32-quantized biases, BatchNorm, QuantReLU, a last Gemm with
 * 8-bit weights and a float bias). `run --engine int`, `build` and
 * `verify` used to die with SIGSEGV on it.
 *
 * The last layer must become the output affine: the integer accumulator,
 * then out = (float)(A[c] * acc + B[c]) with A[c] = input scale * weight
 * scale[c] and B[c] = the float bias. On 1,000 random frames:
 *
 *   run --engine int    exit 0, the int engine's floats, within TOLERANCE
 *                       of golden, same argmax
 *   every target        (ref, hls csim, rtl in Verilator, mcu host build,
 *                       npu) from one `qonnxc build --target
 *                       ref,hls,rtl,mcu,npu`:
 *                       the integers before the output affine equal the int
 *                       engine's exactly, the float outputs are bit-identical
 *                       to the int engine's (the same affine on the same
 *                       integers), hence within TOLERANCE of golden with the
 *                       same argmax.
 *   verify              exit 0 (ref, mcu, npu on 20 frames)
 *
 * TOLERANCE, as test_ref_target.c: 1e-5 of the frame's largest magnitude.
 * The outputs differ from golden at all because golden computes fc3 in
 * float32 from dequantized values (each of the 12 products, 11 partial
 * sums and the bias add rounded to float32, 2^-24 relative each) while the
 * output affine rounds once from the exact integer: the difference is at
 * most about (12 + 3) * 2^-24 = 9e-7 of sum |x_k w_k| + |bias|, a small
 * multiple of the output's magnitude. The largest difference measured is
 * printed (3.3e-7 of the frame's largest magnitude with this seed), so the
 * tolerance leaves a margin of about 30 and still catches a wrong scale or
 * bias (an error of one accumulator step is about 1e-3 here).
 *
 * Runtime: about 45 s on a busy machine, nearly all of it Verilator
 * building the simulation; the rtl part runs all 1,000 frames. Under the
 * sanitizers the C targets run 50 frames and Verilator is skipped. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref.h"
#include "exec.h"
#include "frontend.h"
#include "npy.h"
#include "streamline.h"

#include "brevitas_mlp.h"
#include "e2e_util.h"
#include "run_cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define TOLERANCE 1e-5
#define FRAMES (SANITIZED ? 50 : 1000)
#define SEED 0x12F1u

/* The model file, the frames, and what golden and the int engine make of them. */
typedef struct Fixture {
    char *dir;
    char model[512], in_path[600];
    Value *in;
    Value *gold;        /* golden outputs */
    Value *eng[2];      /* int engine: outputs, integers before OutputAffine */
} Fixture;

static void fixture_init(Fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->dir = make_temp_dir("float-bias");
    snprintf(fx->model, sizeof fx->model, "%s/float_bias_mlp.onnx", fx->dir);
    OnnxBuilder *b = brevitas_mlp_float_bias(SEED, false);
    ck_assert(ob_write(b, fx->model));
    ob_free(b);

    Diag d;
    diag_init(&d);
    Graph *golden = frontend_load(fx->model, &d);
    ck_assert_msg(golden, "%s", d.msg);
    fx->in = random_inputs(golden->inputs[0], FRAMES, SEED);
    snprintf(fx->in_path, sizeof fx->in_path, "%s/in.npy", fx->dir);
    ck_assert_msg(npy_write_f32(fx->in_path, fx->in->f, fx->in->shape.rank, fx->in->shape.dims,
                                &d), "%s", d.msg);
    ck_assert_msg(exec_run_frames(golden, (const Value *const *)&fx->in, &fx->gold, &d), "%s",
                  d.msg);
    graph_free(golden);
}

/* The int engine on the frames, in the library (after the command line
 * had its chance to crash on its own). */
static void run_int_engine(Fixture *fx)
{
    Diag d;
    diag_init(&d);
    Graph *ig = frontend_load(fx->model, &d);
    ck_assert_msg(ig && streamline_graph(ig, true, &d), "%s", d.msg);
    expose_integers(ig);
    ck_assert_msg(exec_run_frames(ig, (const Value *const *)&fx->in, fx->eng, &d), "%s", d.msg);
    graph_free(ig);
}

static void fixture_free(Fixture *fx)
{
    value_free(fx->in);
    value_free(fx->gold);
    value_free(fx->eng[0]);
    value_free(fx->eng[1]);
    rm_rf(fx->dir);
    free(fx->dir);
}

static int64_t argmax(const float *v, int64_t n)
{
    int64_t best = 0;
    for (int64_t k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}

/* Floats `out` (fx->gold's shape) against golden: within TOLERANCE of each
 * frame's largest magnitude, same argmax. Returns the largest relative
 * difference. */
static double against_golden(const char *what, const Fixture *fx, const float *out)
{
    int64_t per = fx->gold->count / FRAMES;
    double worst = 0;
    for (int64_t f = 0; f < FRAMES; f++) {
        const float *g = fx->gold->f + f * per, *o = out + f * per;
        double big = 0, diff = 0;
        for (int64_t k = 0; k < per; k++) {
            big = fmax(big, fabs(g[k]));
            diff = fmax(diff, fabs((double)o[k] - g[k]));
        }
        ck_assert_msg(diff <= TOLERANCE * fmax(big, 1e-30), "%s: frame %lld differs from golden "
                      "by %g (largest magnitude %g)", what, (long long)f, diff, big);
        ck_assert_msg(argmax(o, per) == argmax(g, per), "%s: frame %lld: argmax %lld, golden "
                      "%lld", what, (long long)f, (long long)argmax(o, per),
                      (long long)argmax(g, per));
        worst = fmax(worst, diff / fmax(big, 1e-30));
    }
    return worst;
}

/* ---- (a) run --engine int -------------------------------------------------- */

START_TEST(test_run_int_engine)
{
    Fixture fx;
    fixture_init(&fx);
    char out[700];
    snprintf(out, sizeof out, "%s/out.npy", fx.dir);
    const char *args[] = { "run", fx.model, "-i", fx.in_path, "-o", out, "--engine", "int", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "qonnxc run --engine int: exit %d (-1: killed by a signal)\n%s",
                  r.exit_code, r.err);
    cli_result_free(&r);
    run_int_engine(&fx);
    NpyArray a;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_read(out, &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.dtype, NPY_F32);
    ck_assert_int_eq(a.count, fx.gold->count);
    ck_assert_msg(!memcmp(a.data, fx.eng[0]->f, (size_t)a.count * sizeof(float)),
                  "run --engine int differs from the int engine in the library");
    double worst = against_golden("run --engine int", &fx, a.data);
    printf("run --engine int: %d frames, largest difference from golden %.2g of the frame's "
           "largest magnitude\n", FRAMES, worst);
    npy_free(&a);
    fixture_free(&fx);
}
END_TEST

/* ---- (b) every target --------------------------------------------------- */

typedef struct Target {
    const char *name;
    const char *make_goal;      /* "" for the default goal */
    const char *exe;            /* relative to the target's folder; %s: the model's name */
    const char *options;        /* before --int and the files */
} Target;

static const Target targets[] = {
    { "ref", "", "./%s", "" },
    { "hls", "", "./%s_csim", "" },
    { "mcu", "", "./%s", "" },
    { "npu", "", "./%s", "" },
    { "rtl", "sim", "./%s_rtlsim", "--quiet" },   /* Verilator */
};
#define N_TARGETS (int)(sizeof targets / sizeof targets[0])

static void make_target(const char *root, const Target *t)
{
    /* the C targets under the sanitizers when this suite runs under them;
     * Verilator's build is skipped there (see test_rtl_target.c) */
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'"
                                  : "";
    int rc = run_shell("make -s -C '%s/%s' %s %s > '%s/make_%s.log' 2>&1", root, t->name,
                       t->make_goal, strcmp(t->name, "rtl") ? flags : "", root, t->name);
    if (rc != 0) {
        char log[700];
        snprintf(log, sizeof log, "%s/make_%s.log", root, t->name);
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("make %s for the %s target failed (%d):\n%s", t->make_goal, t->name, rc,
                     text ? text : "");
    }
}

/* Runs target t's executable on the frames (floats, then --int) and reads
 * both outputs. */
static void run_target(const Fixture *fx, const char *root, const Target *t, NpyArray *out,
                       NpyArray *ints)
{
    char name[64], exe[128], f_path[700], i_path[700];
    ref_model_name(fx->model, name, sizeof name);
    snprintf(exe, sizeof exe, t->exe, name);
    snprintf(f_path, sizeof f_path, "%s/%s_out.npy", root, t->name);
    snprintf(i_path, sizeof i_path, "%s/%s_int.npy", root, t->name);
    for (int as_int = 0; as_int < 2; as_int++)
        ck_assert_msg(run_shell("cd '%s/%s' && %s %s %s '%s' '%s'", root, t->name, exe, t->options,
                                as_int ? "--int" : "", fx->in_path, as_int ? i_path : f_path) == 0,
                      "the %s target's %s failed", t->name, exe);
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_read(f_path, out, &d), "%s", d.msg);
    ck_assert_msg(npy_read(i_path, ints, &d), "%s", d.msg);
}

/* A target's outputs against the int engine: integers equal, floats
 * bit-identical; and against golden. */
static void check_target(const Fixture *fx, const Target *t, const NpyArray *out,
                         const NpyArray *ints)
{
    ck_assert_int_eq(out->dtype, NPY_F32);
    ck_assert_int_eq(ints->dtype, NPY_I32);
    ck_assert_int_eq(out->count, fx->eng[0]->count);
    ck_assert_int_eq(ints->count, fx->eng[1]->count);
    const int32_t *iv = ints->data;
    for (int64_t k = 0; k < ints->count; k++)
        ck_assert_msg(iv[k] == fx->eng[1]->i[k], "%s: integer %lld (frame %lld): %d, int engine "
                      "%lld", t->name, (long long)k, (long long)(k * FRAMES / ints->count), iv[k],
                      (long long)fx->eng[1]->i[k]);
    const float *ov = out->data;
    for (int64_t k = 0; k < out->count; k++)
        ck_assert_msg(!memcmp(&ov[k], &fx->eng[0]->f[k], sizeof(float)), "%s: output %lld: "
                      "%.9g, int engine %.9g", t->name, (long long)k, (double)ov[k],
                      (double)fx->eng[0]->f[k]);
    against_golden(t->name, fx, ov);
}

START_TEST(test_every_target)
{
    Fixture fx;
    fixture_init(&fx);
    char root[600];
    snprintf(root, sizeof root, "%s/out", fx.dir);
    const char *args[] = { "build", fx.model, "-o", root, "--target", "ref,hls,rtl,mcu,npu", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "qonnxc build: exit %d (-1: killed by a signal)\n%s",
                  r.exit_code, r.err);
    cli_result_free(&r);
    run_int_engine(&fx);
    double worst = against_golden("int engine", &fx, fx.eng[0]->f);
    for (int k = 0; k < N_TARGETS; k++) {
        const Target *t = &targets[k];
        if (SANITIZED && !strcmp(t->name, "rtl"))
            continue;
        make_target(root, t);
        NpyArray out, ints;
        run_target(&fx, root, t, &out, &ints);
        check_target(&fx, t, &out, &ints);
        printf("%s: %d frames, %lld integers equal to the int engine's, outputs bit-identical\n",
               t->name, FRAMES, (long long)ints.count);
        npy_free(&out);
        npy_free(&ints);
    }
    printf("every target: largest difference from golden %.2g of the frame's largest "
           "magnitude\n", worst);
    /* verify, which crashed too, runs the same comparison itself */
    const char *vargs[] = { "verify", fx.model, "--target", "ref,mcu,npu", "--frames", "20", NULL };
    r = run_qonnxc(vargs);
    ck_assert_msg(r.exit_code == 0, "qonnxc verify: exit %d\n%s%s", r.exit_code, r.out, r.err);
    cli_result_free(&r);
    fixture_free(&fx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("float_bias_output");
    TCase *tc = tcase_create("float_bias_output");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, test_run_int_engine);
    tcase_add_test(tc, test_every_target);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
