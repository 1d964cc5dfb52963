/* The ref executable's streaming I/O (`./<name> IN.npy OUT.npy`), on
 * TFC_1W1A built with the emitted Makefile:
 *
 *   chunks      frames go through in chunks of CHUNK_FRAMES (256, main.c);
 *               the output of 0, 1, 255, 256 and 257 frames, and of 15
 *               frames in chunks of 7, equals the one-shot output (one chunk
 *               holding every frame) byte for byte, float and --int
 *   dtypes      the same frames as float64, int16, uint8 and bool, and in
 *               .npy format 2.0 with 16-byte header padding, give the same
 *               output as float32
 *   bad files   truncated data or header, bytes after the data, a wrong
 *               magic, Fortran order, big-endian or float16 data, a shape
 *               that does not fit, a NaN in frame 300 of 400 (after a chunk
 *               was written; TFC_2W2A, whose quantizer refuses NaN): exit 1, a message naming the file and the
 *               problem, no OUT.npy and no OUT.npy.tmp; an OUT.npy already
 *               there is left as it was
 *   --bench     prints one JSON object with the frames run and frames/s;
 *               bad arguments exit 2
 *
 * Resident memory against the number of frames is measured by
 * bench/bench_stream.sh, not asserted here (a bound on a shared machine
 * would be flaky). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_util.h"
#include "json_file.h"
#include "run_cli.h"

#define IN_SIZE 784     /* TFC_1W1A: [N, 1, 28, 28] */
#define OUT_SIZE 10
#define CHUNK 256       /* main.c's CHUNK_FRAMES */

static char dir[256];   /* the scratch folder, with the executable in dir/out/ref */
static char exe[512];

static uint32_t rng_state = 0x5EEDu;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Builds tests/models/MODEL's ref target into dir/MODEL; its executable
 * into exe_path. */
static void build_model(const char *model, const char *name, char *exe_path, size_t size)
{
    ck_assert_int_eq(run_shell("'%s' build '" TESTS_DIR "/models/%s/model.onnx' -o '%s/%s' "
                               "> '%s/build.log' 2>&1", QONNXC_BIN, model, dir, model, dir), 0);
    ck_assert_int_eq(run_shell("make -s -C '%s/%s/ref' > '%s/make.log' 2>&1", dir, model, dir), 0);
    snprintf(exe_path, size, "%s/%s/ref/%s", dir, model, name);
    ck_assert(file_exists(exe_path));
}

static void build_once(void)
{
    if (exe[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/qonnxc-ref-stream-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    build_model("TFC_1W1A", "tfc_1w1a", exe, sizeof exe);
}

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* ---- writing .npy files by hand ------------------------------------------ */

/* A .npy file of format `major`.0 with the header dict `dict` padded with
 * spaces so that the data starts at a multiple of `align`, then `data`. */
static void write_npy_raw(const char *name, int major, const char *dict, int align,
                          const void *data, size_t bytes)
{
    char path[600], header[512];
    path_of(path, sizeof path, name);
    size_t pre = major == 1 ? 10 : 12, len = strlen(dict);
    memcpy(header, dict, len);
    while ((pre + len + 1) % (size_t)align)
        header[len++] = ' ';
    header[len++] = '\n';
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned char magic[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0,
                                (unsigned char)len, (unsigned char)(len >> 8), 0, 0 };
    ck_assert_uint_eq(fwrite(magic, 1, pre, f), pre);
    ck_assert_uint_eq(fwrite(header, 1, len, f), len);
    if (bytes)
        ck_assert_uint_eq(fwrite(data, 1, bytes, f), bytes);
    ck_assert_int_eq(fclose(f), 0);
}

/* frames of TFC input with descr (e.g. "<f4") and element size, C order. */
static void write_frames(const char *name, const char *descr, int size, const void *data,
                         long frames)
{
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%ld, 1, 28, 28), }",
             descr, frames);
    write_npy_raw(name, 1, dict, 64, data, (size_t)frames * IN_SIZE * (size_t)size);
}

/* Random TFC frames: each pixel 0 or 1 (so that every dtype holds them). */
static float *random_frames(long frames)
{
    float *x = malloc((size_t)frames * IN_SIZE * sizeof *x + 1);
    for (long k = 0; k < frames * IN_SIZE; k++)
        x[k] = (float)(rng() >> 31);
    return x;
}

/* ---- running the executable ----------------------------------------------- */

/* Runs exe with args (after the program name); stderr into dir/err.txt.
 * Returns the exit status. */
static int run_program(const char *program, const char *args)
{
    return run_shell("'%s' %s 2> '%s/err.txt' > '%s/stdout.txt'", program, args, dir, dir);
}

static int run_exe(const char *args)
{
    return run_program(exe, args);
}

static char *read_text(const char *name)
{
    char path[600];
    path_of(path, sizeof path, name);
    char *text = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* The bytes of dir/name. */
static char *read_bytes(const char *name, size_t *len)
{
    char path[600];
    path_of(path, sizeof path, name);
    char *data = read_whole_file(path, len);
    ck_assert_msg(data != NULL, "%s was not written", path);
    return data;
}

static void expect_same_file(const char *a, const char *b, const char *what)
{
    size_t la, lb;
    char *da = read_bytes(a, &la), *db = read_bytes(b, &lb);
    ck_assert_msg(la == lb && memcmp(da, db, la) == 0, "%s: %s and %s differ", what, a, b);
    free(da);
    free(db);
}

/* ---- chunks -------------------------------------------------------------- */

static void check_chunked(long frames, const char *chunk_arg)
{
    char args[1024], what[64];
    float *x = random_frames(frames);
    write_frames("in.npy", "<f4", 4, x, frames);
    free(x);
    snprintf(what, sizeof what, "%ld frames, %s", frames, chunk_arg[0] ? chunk_arg : "default chunk");
    for (int as_int = 0; as_int < 2; as_int++) {
        const char *flag = as_int ? "--int" : "";
        snprintf(args, sizeof args, "%s %s '%s/in.npy' '%s/chunked.npy'", flag, chunk_arg, dir, dir);
        ck_assert_msg(run_exe(args) == 0, "%s: %s", what, read_text("err.txt"));
        snprintf(args, sizeof args, "%s --chunk %ld '%s/in.npy' '%s/whole.npy'", flag,
                 frames > 0 ? frames : 1, dir, dir);
        ck_assert_msg(run_exe(args) == 0, "%s: %s", what, read_text("err.txt"));
        expect_same_file("chunked.npy", "whole.npy", what);
        /* the header says how many frames; the data is 10 values each */
        size_t len;
        char *data = read_bytes("chunked.npy", &len);
        char shape[64];
        snprintf(shape, sizeof shape, "'shape': (%ld, 10)", frames);
        ck_assert_msg(len > 10 && strstr(data + 10, shape) != NULL, "%s: no %s in the header",
                      what, shape);
        ck_assert_uint_eq(len, 128 + (size_t)frames * OUT_SIZE * 4);
        free(data);
    }
}

START_TEST(test_chunk_boundaries)
{
    build_once();
    static const long counts[] = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1 };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        check_chunked(counts[k], "");
    check_chunked(15, "--chunk 7");
    check_chunked(14, "--chunk 7");
}
END_TEST

/* ---- dtypes and header forms --------------------------------------------- */

START_TEST(test_dtypes)
{
    build_once();
    enum { FRAMES = 5 };
    float *x = random_frames(FRAMES);
    const size_t n = (size_t)FRAMES * IN_SIZE;
    write_frames("f4.npy", "<f4", 4, x, FRAMES);
    char args[1024];
    snprintf(args, sizeof args, "'%s/f4.npy' '%s/want.npy'", dir, dir);
    ck_assert_int_eq(run_exe(args), 0);

    double *f8 = malloc(n * sizeof *f8);
    int16_t *i2 = malloc(n * sizeof *i2);
    uint8_t *u1 = malloc(n);
    for (size_t k = 0; k < n; k++) {
        f8[k] = x[k];
        i2[k] = (int16_t)x[k];
        u1[k] = (uint8_t)x[k];
    }
    write_frames("f8.npy", "<f8", 8, f8, FRAMES);
    write_frames("i2.npy", "<i2", 2, i2, FRAMES);
    write_frames("u1.npy", "|u1", 1, u1, FRAMES);
    write_frames("b1.npy", "|b1", 1, u1, FRAMES);
    /* format 2.0 (4-byte header length), and the 16-byte padding of old numpy */
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1, 28, 28)}",
             FRAMES);
    write_npy_raw("v2.npy", 2, dict, 64, x, n * 4);
    write_npy_raw("pad16.npy", 1, dict, 16, x, n * 4);
    static const char *const files[] = { "f8.npy", "i2.npy", "u1.npy", "b1.npy", "v2.npy",
                                         "pad16.npy" };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(args, sizeof args, "'%s/%s' '%s/got.npy'", dir, files[k], dir);
        ck_assert_msg(run_exe(args) == 0, "%s: %s", files[k], read_text("err.txt"));
        expect_same_file("got.npy", "want.npy", files[k]);
    }
    free(x);
    free(f8);
    free(i2);
    free(u1);
}
END_TEST

/* ---- bad files ------------------------------------------------------------ */

/* Runs IN -> out.npy expecting exit 1, a message naming IN and containing
 * `problem`, and neither out.npy nor out.npy.tmp. */
static void expect_refused_by(const char *program, const char *in, const char *problem)
{
    char args[1024], path[600];
    snprintf(args, sizeof args, "'%s/%s' '%s/out.npy'", dir, in, dir);
    int rc = run_program(program, args);
    char *err = read_text("err.txt");
    ck_assert_msg(rc == 1, "%s: exit %d, want 1 (%s)", in, rc, err);
    ck_assert_msg(strstr(err, in) && strstr(err, problem), "%s: message '%s' lacks '%s'", in, err,
                  problem);
    free(err);
    path_of(path, sizeof path, "out.npy");
    ck_assert_msg(!file_exists(path), "%s: out.npy was written", in);
    path_of(path, sizeof path, "out.npy.tmp");
    ck_assert_msg(!file_exists(path), "%s: out.npy.tmp was left behind", in);
}

static void expect_refused(const char *in, const char *problem)
{
    expect_refused_by(exe, in, problem);
}

START_TEST(test_bad_files)
{
    build_once();
    enum { FRAMES = 3 };
    float *x = random_frames(400);
    const size_t frame_bytes = IN_SIZE * 4;
    char dict[256];
    const char *fmt = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }";

    snprintf(dict, sizeof dict, fmt, "<f4", "False", "3, 1, 28, 28");
    write_npy_raw("short.npy", 1, dict, 64, x, FRAMES * frame_bytes - 1);
    expect_refused("short.npy", "truncated data");
    write_npy_raw("long.npy", 1, dict, 64, x, FRAMES * frame_bytes + 4);
    expect_refused("long.npy", "bytes after the data");
    {
        /* the header length says 118 bytes; the file ends 26 bytes into it */
        static const char cut[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_";
        char path[600];
        path_of(path, sizeof path, "header.npy");
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        fwrite(cut, 1, sizeof cut - 1, f);
        fclose(f);
    }
    expect_refused("header.npy", "truncated or oversized header");
    write_npy_raw("magic.npy", 1, dict, 64, x, FRAMES * frame_bytes);
    {
        char path[600];
        path_of(path, sizeof path, "magic.npy");
        FILE *f = fopen(path, "r+b");
        ck_assert_ptr_nonnull(f);
        fputc('X', f);
        fclose(f);
    }
    expect_refused("magic.npy", "not a .npy file");
    /* headers that do not describe frames of this model */
    static const struct {
        const char *file, *descr, *fortran, *shape, *problem;
        size_t bytes_per_element;
    } headers[] = {
        { "fortran.npy", "<f4", "True", "3, 1, 28, 28", "Fortran-order", 4 },
        { "big.npy", ">f4", "False", "3, 1, 28, 28", "unsupported dtype", 4 },
        { "half.npy", "<f2", "False", "3, 1, 28, 28", "unsupported dtype", 2 },
        { "shape.npy", "<f4", "False", "3, 28, 28", "shape does not fit", 4 },
        { "garbled.npy", "<f4", "False", "3, 1, 28, x", "bad or too large shape", 4 },
        { "huge.npy", "<f4", "False", "99999999999999999, 1, 28, 28", "bad or too large shape", 4 },
    };
    for (size_t k = 0; k < sizeof headers / sizeof headers[0]; k++) {
        snprintf(dict, sizeof dict, fmt, headers[k].descr, headers[k].fortran, headers[k].shape);
        write_npy_raw(headers[k].file, 1, dict, 64, x,
                      FRAMES * IN_SIZE * headers[k].bytes_per_element);
        expect_refused(headers[k].file, headers[k].problem);
    }

    /* a NaN in frame 300: the first chunk (256 frames) was already run and
     * written to the temporary file when it is found. TFC_2W2A's input
     * quantizer refuses NaN (TFC_1W1A's bipolar one maps it to -1, as the
     * int engine does). */
    char exe2[512];
    build_model("TFC_2W2A", "tfc_2w2a", exe2, sizeof exe2);
    x[300 * IN_SIZE + 17] = NAN;
    write_frames("nan.npy", "<f4", 4, x, 400);
    expect_refused_by(exe2, "nan.npy", "frame 300");

    /* an OUT.npy already there stays as it was */
    char path[600], args[1024];
    path_of(path, sizeof path, "out.npy");
    FILE *f = fopen(path, "wb");
    fputs("previous", f);
    fclose(f);
    snprintf(args, sizeof args, "'%s/nan.npy' '%s/out.npy'", dir, dir);
    ck_assert_int_eq(run_program(exe2, args), 1);
    char *kept = read_text("out.npy");
    ck_assert_str_eq(kept, "previous");
    free(kept);
    remove(path);
    free(x);
}
END_TEST

/* ---- --bench and arguments ------------------------------------------------ */

START_TEST(test_bench_and_arguments)
{
    build_once();
    float *x = random_frames(8);
    write_frames("bench.npy", "<f4", 4, x, 8);
    free(x);
    char args[1024];
    snprintf(args, sizeof args, "--bench 0.2 '%s/bench.npy'", dir);
    ck_assert_msg(run_exe(args) == 0, "%s", read_text("err.txt"));
    char path[600];
    path_of(path, sizeof path, "stdout.txt");
    cJSON *root = json_file(path);
    ck_assert_str_eq(json_str(root, "model"), "tfc_1w1a");
    ck_assert_int_eq((int)json_num(root, "frames_in_memory"), 8);
    double frames = json_num(root, "frames");
    double seconds = json_num(root, "seconds");
    ck_assert(frames >= 8 && fmod(frames, 8) == 0);
    ck_assert(seconds >= 0.2);
    ck_assert(fabs(json_num(root, "frames_per_second") - frames / seconds) <
              0.01 * frames / seconds);
    ck_assert(json_num(root, "cpu_seconds") > 0);
    ck_assert_ptr_nonnull(json_str(root, "cflags"));
    ck_assert_ptr_nonnull(json_str(root, "compiler"));
    cJSON_Delete(root);

    static const char *const bad[] = { "--bench 0 in.npy", "--bench x in.npy", "--chunk 0 a b",
                                       "--chunk 2.5 a b", "--frob a b", "a", "a b c" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        ck_assert_msg(run_exe(bad[k]) == 2, "'%s' did not exit 2", bad[k]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ref_stream");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_chunk_boundaries);
    tcase_add_test(tc, test_dtypes);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_bench_and_arguments);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed == 0 && dir[0])
        remove_tree(dir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
