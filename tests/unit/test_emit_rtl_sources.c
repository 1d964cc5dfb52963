/* The rtl library and Verilator harness embedded into the compiler
 * (cmake/embed_files.cmake): every rtl/qnn_*.v, every file of boards/ice40
 * (the ice40 target's board files) and sim/rtlsim_main.cpp is there, byte
 * for byte, and nothing else. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtl_sources.h"

/* Fails the test unless the embedded copy of `rel` equals the file. */
static void check_same(const char *rel)
{
    const RtlSource *s = rtl_source_find(rel);
    ck_assert_msg(s != NULL, "%s is not embedded (rebuild)", rel);
    char path[1024];
    snprintf(path, sizeof path, QONNXC_SOURCE_DIR "/%s", rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(text, 1, (size_t)n, f), n);
    fclose(f);
    ck_assert_msg(s->size == (size_t)n, "%s: embedded %zu bytes, the file has %ld", rel, s->size,
                  n);
    ck_assert_msg(memcmp(s->text, text, (size_t)n) == 0, "%s differs from its embedding", rel);
    ck_assert_int_eq(s->text[n], 0);
    free(text);
}

START_TEST(test_every_file_byte_for_byte)
{
    DIR *dir = opendir(QONNXC_SOURCE_DIR "/rtl");
    ck_assert_ptr_nonnull(dir);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "qnn_", 4) || len < 6 || strcmp(e->d_name + len - 2, ".v"))
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "rtl/%s", e->d_name);
        check_same(rel);
        files++;
    }
    closedir(dir);
    ck_assert_int_ge(files, 7);
    int board_files = 0;
    dir = opendir(QONNXC_SOURCE_DIR "/boards/ice40");
    ck_assert_ptr_nonnull(dir);
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "boards/ice40/%s", e->d_name);
        check_same(rel);
        board_files++;
    }
    closedir(dir);
    ck_assert_int_ge(board_files, 1);
    files += board_files;
    check_same("sim/rtlsim_main.cpp");
    ck_assert_int_eq(files + 1, rtl_source_count);
    for (int k = 1; k < rtl_source_count; k++)
        ck_assert(strcmp(rtl_sources[k - 1].path, rtl_sources[k].path) < 0);
    ck_assert_ptr_null(rtl_source_find("rtl/qnn_missing.v"));
    ck_assert_ptr_null(rtl_source_find("qnn_mvau.v"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("emit_rtl_sources");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_file_byte_for_byte);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
