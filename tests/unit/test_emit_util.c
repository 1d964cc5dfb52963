/* The emitters' writer: text buffers, C identifiers, float literals that
 * read back exactly, const arrays, and output trees committed all at once
 * (including the failures that must leave nothing behind). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit_util.h"

static uint32_t rng_state = 0xE417u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh scratch directory for one test. */
static void scratch(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/qonnxc-emit-util-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

START_TEST(test_textbuf)
{
    TextBuf b;
    tb_init(&b);
    ck_assert_str_eq(tb_str(&b), "");
    tb_puts(&b, "ab");
    tb_printf(&b, "%d-%s", 42, "x");
    ck_assert_str_eq(tb_str(&b), "ab42-x");
    /* longer than any internal scratch: the buffer grows */
    char big[5000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tb_printf(&b, "%s|", big);
    ck_assert_uint_eq(b.len, 6 + 4999 + 1);
    ck_assert_int_eq(tb_str(&b)[b.len - 1], '|');
    ck_assert(!b.oom);
    tb_free(&b);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(test_c_identifier)
{
    char out[64];
    c_identifier("/conv_features.1/Conv", out, sizeof out);
    ck_assert_str_eq(out, "conv_features_1_conv");
    c_identifier("MatMul_16", out, sizeof out);
    ck_assert_str_eq(out, "matmul_16");
    c_identifier("7up", out, sizeof out);
    ck_assert_str_eq(out, "x7up");
    c_identifier("", out, sizeof out);
    ck_assert_str_eq(out, "x");
    c_identifier("--", out, sizeof out);
    ck_assert_str_eq(out, "x");
    c_identifier("a..b//c", out, sizeof out);
    ck_assert_str_eq(out, "a_b_c");
    c_identifier("\xc3\xa9t\xc3\xa9", out, sizeof out);   /* non-ASCII dropped */
    ck_assert_str_eq(out, "t");
    c_identifier("abcdefghij", out, 5);
    ck_assert_str_eq(out, "abcd");
}
END_TEST

START_TEST(test_c_float_round_trips)
{
    char buf[32];
    ck_assert_str_eq(c_float(2.0f, buf), "2.0f");
    ck_assert_str_eq(c_float(-0.5f, buf), "-0.5f");
    ck_assert_str_eq(c_float(0.0078125f, buf), "0.0078125f");
    ck_assert_str_eq(c_float(1e-5f, buf), "9.99999975e-06f");
    ck_assert_str_eq(c_float(INFINITY, buf), "HUGE_VALF");
    ck_assert_str_eq(c_float(-INFINITY, buf), "-HUGE_VALF");
    ck_assert_str_eq(c_float(NAN, buf), "NAN");
    ck_assert_str_eq(c_float(-0.0f, buf), "-0.0f");
    for (int k = 0; k < 100000; k++) {
        uint32_t bits = rng();
        float f;
        memcpy(&f, &bits, sizeof f);
        if (!isfinite(f))
            continue;
        c_float(f, buf);
        size_t n = strlen(buf);
        ck_assert_int_eq(buf[n - 1], 'f');
        buf[n - 1] = '\0';
        float back = strtof(buf, NULL);
        ck_assert_msg(memcmp(&back, &f, sizeof f) == 0, "%s does not read back as %a", buf,
                      (double)f);
    }
}
END_TEST

START_TEST(test_arrays)
{
    TextBuf b;
    tb_init(&b);
    static const int32_t v[] = { 1, -2, 3, 4, 5 };
    emit_array_i32(&b, "static const int32_t t[5]", v, 5, 2);
    ck_assert_str_eq(tb_str(&b), "static const int32_t t[5] = {\n    1, -2,\n    3, 4,\n    5\n};\n");
    tb_free(&b);
    static const uint64_t w[] = { 1, UINT64_MAX, 0x123, 0 };
    emit_array2_u64(&b, "static const uint64_t w[2][2]", w, 2, 2, 4);
    ck_assert_str_eq(tb_str(&b), "static const uint64_t w[2][2] = {\n"
                                 "    { 0x0000000000000001u, 0xffffffffffffffffu },\n"
                                 "    { 0x0000000000000123u, 0x0000000000000000u }\n};\n");
    tb_free(&b);
    static const uint8_t u[] = { 0xAB, 0x01, 0x02 };
    emit_array2_u8(&b, "static const uint8_t u[1][3]", u, 1, 3, 2);
    ck_assert_str_eq(tb_str(&b), "static const uint8_t u[1][3] = {\n    {\n        0xab, 0x01,\n"
                                 "        0x02\n    }\n};\n");
    tb_free(&b);
    static const float f[] = { 0.5f, -3.0f };
    emit_array_f32(&b, "static const float f[2]", f, 2, 8);
    ck_assert_str_eq(tb_str(&b), "static const float f[2] = {\n    0.5f, -3.0f\n};\n");
    tb_free(&b);
}
END_TEST

static void fill_tree(OutTree *t, const char *text)
{
    TextBuf *a = outtree_add(t, "ref/model.c");
    ck_assert_ptr_nonnull(a);
    tb_puts(a, text);
    ck_assert(outtree_add_bytes(t, "ref/sub/deep.h", "x\n", 2));
    ck_assert(outtree_add_bytes(t, "top.txt", "", 0));
}

START_TEST(test_commit_new_directory)
{
    char base[256], dir[300], path[400];
    scratch(base, sizeof base);
    snprintf(dir, sizeof dir, "%s/out", base);
    OutTree t;
    outtree_init(&t);
    fill_tree(&t, "int x;\n");
    Diag d;
    diag_init(&d);
    ck_assert_msg(outtree_commit(&t, dir, &d), "%s", d.msg);
    snprintf(path, sizeof path, "%s/ref/model.c", dir);
    char *s = read_all(path);
    ck_assert_str_eq(s, "int x;\n");
    free(s);
    snprintf(path, sizeof path, "%s/ref/sub/deep.h", dir);
    ck_assert(exists(path));
    snprintf(path, sizeof path, "%s/top.txt", dir);
    ck_assert(exists(path));
    /* the directory has the usual permissions, not mkdtemp's 0700 */
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    ck_assert_int_eq(st.st_mode & 0777, 0777 & ~mask);
    outtree_free(&t);
    ck_assert(remove_tree(base));
}
END_TEST

START_TEST(test_commit_replaces_entries_only)
{
    char base[256], path[400];
    scratch(base, sizeof base);
    /* DIR exists with an old ref/ and an unrelated entry */
    snprintf(path, sizeof path, "%s/ref", base);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/ref/stale.c", base);
    FILE *f = fopen(path, "w");
    fputs("old", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/hls", base);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    OutTree t;
    outtree_init(&t);
    fill_tree(&t, "new\n");
    Diag d;
    diag_init(&d);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/", base); /* a trailing slash is fine */
    ck_assert_msg(outtree_commit(&t, dir, &d), "%s", d.msg);
    snprintf(path, sizeof path, "%s/ref/stale.c", base);
    ck_assert(!exists(path));                 /* ref/ was replaced as a whole */
    snprintf(path, sizeof path, "%s/ref/model.c", base);
    ck_assert(exists(path));
    snprintf(path, sizeof path, "%s/hls", base);
    ck_assert(exists(path));                  /* other entries stay */
    outtree_free(&t);
    /* nothing of the staging directory is left next to DIR */
    char *parent = strdup(base), *slash = strrchr(parent, '/');
    *slash = '\0';
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -d '%s'.tmp-* >/dev/null 2>&1", base);
    ck_assert_int_ne(system(cmd), 0);
    free(parent);
    ck_assert(remove_tree(base));
}
END_TEST

START_TEST(test_commit_failures_leave_nothing)
{
    char base[256], dir[300], path[400];
    scratch(base, sizeof base);
    OutTree t;
    outtree_init(&t);
    fill_tree(&t, "x");
    Diag d;

    /* the parent does not exist */
    snprintf(dir, sizeof dir, "%s/missing/out", base);
    diag_init(&d);
    ck_assert(!outtree_commit(&t, dir, &d));
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);
    ck_assert_ptr_nonnull(strstr(d.msg, "missing/out"));
    snprintf(path, sizeof path, "%s/missing", base);
    ck_assert(!exists(path));

    /* DIR is a file */
    snprintf(dir, sizeof dir, "%s/file", base);
    FILE *f = fopen(dir, "w");
    fclose(f);
    diag_init(&d);
    ck_assert(!outtree_commit(&t, dir, &d));
    ck_assert_ptr_nonnull(strstr(d.msg, "not a directory"));
    ck_assert_int_eq(d.exit_code, EXIT_USAGE);

    /* an unwritable parent (skipped as root, who writes anywhere) */
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/locked", base);
        ck_assert_int_eq(mkdir(path, 0555), 0);
        snprintf(dir, sizeof dir, "%s/locked/out", base);
        diag_init(&d);
        ck_assert(!outtree_commit(&t, dir, &d));
        ck_assert(!exists(dir));
        chmod(path, 0777);
    }

    /* a file of the tree that cannot be written: a directory in its way */
    OutTree bad;
    outtree_init(&bad);
    ck_assert(outtree_add_bytes(&bad, "ref/a", "1", 1));
    ck_assert(outtree_add_bytes(&bad, "ref/a/b", "2", 1)); /* ref/a is a file */
    snprintf(dir, sizeof dir, "%s/out", base);
    diag_init(&d);
    ck_assert(!outtree_commit(&bad, dir, &d));
    ck_assert(!exists(dir));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -d '%s'/out.tmp-* >/dev/null 2>&1", base);
    ck_assert_int_ne(system(cmd), 0);
    outtree_free(&bad);
    outtree_free(&t);
    ck_assert(remove_tree(base));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("emit_util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_textbuf);
    tcase_add_test(tc, test_c_identifier);
    tcase_add_test(tc, test_c_float_round_trips);
    tcase_add_test(tc, test_arrays);
    tcase_add_test(tc, test_commit_new_directory);
    tcase_add_test(tc, test_commit_replaces_entries_only);
    tcase_add_test(tc, test_commit_failures_leave_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
