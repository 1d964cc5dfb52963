/* The mcu target on a real Cortex-M: cross-built for the mps2-an386 board
 * (Cortex-M4) and run under QEMU, against the host ref executor.
 *
 *   qonnxc build MODEL -o DIR --target ref,mcu
 *   arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O2 ... (newlib, libm)
 *       tests/fixtures/mcu (startup.c, harness.c, mps2_an386.ld) + the DIR/mcu sources
 *   qemu-system-arm -machine mps2-an386 -nographic
 *       -semihosting-config enable=on,target=native -kernel model.elf
 *
 * The harness reads raw float32 frames from frames.f32 and writes the float
 * outputs (out.f32) and the integers before the output affine (out.i32)
 * through semihosting; both must be byte-identical to what the host ref
 * executable writes for the same frames (./<name> and ./<name> --int).
 * The toolchain comes from scripts/setup.sh (gcc-arm-none-eabi,
 * libnewlib-arm-none-eabi, qemu-system-arm).
 *
 * The shared ResNet/MobileNet exports run whole, two frames each:
 * RESNET20_W4A4_RANDOM (9 residual adds, projection shortcuts, the final
 * TruncAvgPool), RESNET_W2A2_RANDOM (ternary weights, identity shortcuts,
 * MaxPool) and MOBILENET_W4A4_RANDOM (depthwise and pointwise convs). They
 * are read from tests/models when vendored there, else from
 * $QONNXC_SHARED_MODELS or ../shared/models next to the source tree. The
 * board's 4 MB of code memory and 4 MB of RAM (mps2_an386.ld) hold each of
 * them; the emitted size_report.json gives their flash and arena. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "emit_ref.h"
#include "json_file.h"
#include "model_data.h"
#include "npy.h"
#include "run_cli.h"

#define FIXTURES TESTS_DIR "/fixtures/mcu"

typedef struct Model {
    const char *dir;
    int frames;
} Model;

static const Model models[] = {
    { "TFC_1W1A", 64 },
    { "TFC_2W2A", 64 },
    { "UNSW_MLP_W2A2", 64 },
    { "CNV_1W1A_RANDOM", 4 },
    { "RESNET20_W4A4_RANDOM", 2 },
    { "RESNET_W2A2_RANDOM", 2 },
    { "MOBILENET_W4A4_RANDOM", 2 },
};
#define N_MODELS (int)(sizeof models / sizeof models[0])

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int shell(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void fail_with_log(const char *what, const char *log)
{
    char *text = read_whole_file(log, NULL);
    ck_abort_msg("%s failed:\n%s", what, text ? text : "(no log)");
}

/* The folder of model `name` (tests/helpers/model_data.h). */
static void model_dir(const char *name, char *out, size_t size)
{
    if (!shared_model_dir(name, out, size))
        ck_abort_msg("model %s is in none of tests/models and %s", name,
                     shared_models_dir());
}

/* The first `frames` frames of inputs.npy, as frames.npy and frames.f32. */
static void write_frames(const char *model_dir, int frames, const char *dir)
{
    char path[1100];
    NpyArray a;
    Diag d;
    diag_init(&d);
    snprintf(path, sizeof path, "%s/inputs.npy", model_dir);
    ck_assert_msg(npy_read(path, &a, &d), "%s", d.msg);
    float *f = NULL;
    ck_assert_msg(npy_to_f32(&a, &f, &d), "%s", d.msg);
    if (frames > a.shape[0])
        frames = (int)a.shape[0];
    int64_t per = a.count / a.shape[0], shape[NPY_MAX_RANK];
    memcpy(shape, a.shape, sizeof shape);
    shape[0] = frames;
    snprintf(path, sizeof path, "%s/frames.npy", dir);
    ck_assert_msg(npy_write_f32(path, f, a.rank, shape, &d), "%s", d.msg);
    snprintf(path, sizeof path, "%s/frames.f32", dir);
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(fwrite(f, sizeof *f, (size_t)(per * frames), out), (size_t)(per * frames));
    fclose(out);
    free(f);
    npy_free(&a);
}

/* The payload of a .npy the host wrote must equal the raw file. */
static void same_payload(const char *npy, const char *raw)
{
    NpyArray a;
    Diag d;
    size_t len;
    diag_init(&d);
    ck_assert_msg(npy_read(npy, &a, &d), "%s", d.msg);
    char *r = read_whole_file(raw, &len);
    ck_assert_msg(r, "no %s: the board wrote nothing", raw);
    size_t bytes = (size_t)a.count * npy_dtype_size(a.dtype);
    ck_assert_msg(len == bytes, "%s: %zu bytes, the host wrote %zu", raw, len, bytes);
    for (size_t k = 0; k < bytes; k += 4)
        ck_assert_msg(!memcmp((char *)a.data + k, r + k, 4),
                      "%s: element %zu differs from the host ref executor", raw, k / 4);
    free(r);
    npy_free(&a);
}

START_TEST(test_model_on_qemu)
{
    const Model *m = &models[_i];
    ck_assert_msg(shell("command -v arm-none-eabi-gcc > /dev/null && command -v qemu-system-arm "
                        "> /dev/null") == 0,
                  "arm-none-eabi-gcc or qemu-system-arm missing: run scripts/setup.sh");
    char *dir = make_temp_dir("mcu-qemu");
    char src[512], model[1100], name[64], upper[64], log[1100], what[256], a_size[1100];
    model_dir(m->dir, src, sizeof src);
    snprintf(model, sizeof model, "%s/model.onnx", src);
    ref_model_name(model, name, sizeof name);
    for (size_t k = 0; k <= strlen(name); k++)
        upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
    snprintf(log, sizeof log, "%s/log", dir);
    if (shell("'%s' build '%s' -o '%s/out' --target ref,mcu > '%s' 2>&1", QONNXC_BIN, model, dir,
              log) != 0)
        fail_with_log("qonnxc build", log);
    if (shell("make -s -C '%s/out/ref' > '%s' 2>&1", dir, log) != 0)
        fail_with_log("make (host ref)", log);
    write_frames(src, m->frames, dir);
    if (shell("cd '%s' && out/ref/%s frames.npy ref.npy && out/ref/%s --int frames.npy "
              "ref_int.npy > '%s' 2>&1", dir, name, name, log) != 0)
        fail_with_log("the host ref executor", log);
    /* cross build: the fixtures' startup and harness with the emitted sources */
    if (shell("cd '%s/out/mcu' && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O2 -std=c99 "
              "-Wall -Wextra -Werror -ffp-contract=off -fno-strict-aliasing "
              "-DQ_NAME=%s -DQ_UPPER=%s -I. -I'%s' -nostartfiles -T '%s/mps2_an386.ld' "
              "'%s/startup.c' '%s/harness.c' model.c $(ls qc_*.c) --specs=nosys.specs -lm "
              "-o '%s/model.elf' > '%s' 2>&1 && arm-none-eabi-size '%s/model.elf' > '%s/size'",
              dir, name, upper, FIXTURES, FIXTURES, FIXTURES, FIXTURES, dir, log, dir, dir) != 0)
        fail_with_log("arm-none-eabi-gcc", log);
    snprintf(what, sizeof what, "qemu-system-arm (mps2-an386) running %s", m->dir);
    double t0 = now();
    if (shell("cd '%s' && timeout 600 qemu-system-arm -machine mps2-an386 -nographic "
              "-monitor none -serial none -semihosting-config enable=on,target=native "
              "-kernel model.elf > '%s' 2>&1", dir, log) != 0)
        fail_with_log(what, log);
    double seconds = now() - t0;
    snprintf(a_size, sizeof a_size, "%s/size", dir);
    char *size = read_whole_file(a_size, NULL);
    unsigned long text = 0, data = 0, bss = 0;
    const char *row = size ? strchr(size, '\n') : NULL;
    ck_assert_msg(row && sscanf(row, "%lu %lu %lu", &text, &data, &bss) == 3,
                  "arm-none-eabi-size printed %s", size ? size : "nothing");
    free(size);
    /* the emitted size report, against what the linker placed */
    snprintf(a_size, sizeof a_size, "%s/out/mcu/size_report.json", dir);
    cJSON *report = json_file(a_size);
    double arena = json_num(report, "arena_bytes");
    double consts = json_num(report, "flash.weight_bytes") +
                    json_num(report, "flash.threshold_bytes") +
                    json_num(report, "flash.other_const_bytes");
    cJSON_Delete(report);
    printf("%s: %d frames under qemu in %.1f s; size_report.json: arena %.0f B, constants "
           "%.0f B; ELF: text %lu B, bss %lu B\n", m->dir, m->frames, seconds, arena, consts,
           text, bss);
    fflush(stdout);
    ck_assert_msg(arena > 0 && bss >= arena, "arena %.0f B, but .bss %lu B", arena, bss);
    ck_assert_msg(consts > 0 && text >= consts, "constants %.0f B, but .text %lu B", consts,
                  text);
    char a[1100], b[1100];
    snprintf(a, sizeof a, "%s/ref.npy", dir);
    snprintf(b, sizeof b, "%s/out.f32", dir);
    same_payload(a, b);
    snprintf(a, sizeof a, "%s/ref_int.npy", dir);
    snprintf(b, sizeof b, "%s/out.i32", dir);
    same_payload(a, b);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mcu_qemu");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, test_model_on_qemu, 0, N_MODELS);
    suite_add_tcase(s, tc);
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
