/* The quant core embedded into the compiler (cmake/embed_files.cmake):
 * every file of quant/ is there, byte for byte, and the dependency
 * closure gives emitted code the files it includes and no others. */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant_sources.h"

#define QUANT_DIR QONNXC_SOURCE_DIR "/quant"

START_TEST(test_every_file_byte_for_byte)
{
    DIR *dir = opendir(QUANT_DIR);
    ck_assert_ptr_nonnull(dir);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "qc_", 3) || len < 3 ||
            (strcmp(e->d_name + len - 2, ".c") && strcmp(e->d_name + len - 2, ".h")))
            continue;
        files++;
        const QuantSource *s = quant_source_find(e->d_name);
        ck_assert_msg(s != NULL, "%s is not embedded (rebuild)", e->d_name);
        char path[1024];
        snprintf(path, sizeof path, QUANT_DIR "/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *text = malloc((size_t)n + 1);
        ck_assert_int_eq(fread(text, 1, (size_t)n, f), n);
        fclose(f);
        ck_assert_int_eq(s->size, (size_t)n);
        ck_assert_msg(memcmp(s->text, text, (size_t)n) == 0, "%s differs from its embedding",
                      e->d_name);
        ck_assert_int_eq(s->text[n], 0);
        free(text);
    }
    closedir(dir);
    ck_assert_int_eq(files, quant_source_count);
    /* sorted by name */
    for (int k = 1; k < quant_source_count; k++)
        ck_assert(strcmp(quant_sources[k - 1].name, quant_sources[k].name) < 0);
    ck_assert_ptr_null(quant_source_find("qc_missing.h"));
}
END_TEST

static bool has(const QuantSource **set, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(set[k]->name, name))
            return true;
    return false;
}

START_TEST(test_closure)
{
    const QuantSource **out = calloc((size_t)quant_source_count, sizeof *out);
    /* qc_dot.h: its .c, which includes qc_pack.h, and qc_dtype */
    const char *dot[] = { "qc_dot.h" };
    int n = quant_sources_needed(dot, 1, out);
    ck_assert_int_eq(n, 6);
    ck_assert(has(out, n, "qc_dot.c") && has(out, n, "qc_dot.h") && has(out, n, "qc_pack.c") &&
              has(out, n, "qc_pack.h") && has(out, n, "qc_dtype.c") && has(out, n, "qc_dtype.h"));
    /* header-only files bring their includes */
    const char *xt[] = { "qc_xnor64_threshold.h" };
    n = quant_sources_needed(xt, 1, out);
    ck_assert_int_eq(n, 3);
    ck_assert(has(out, n, "qc_xnor64_threshold.h") && has(out, n, "qc_xnor64.h") &&
              has(out, n, "qc_xnor64.c"));
    const char *axpy[] = { "qc_axpy.h" };
    ck_assert_int_eq(quant_sources_needed(axpy, 1, out), 1);
    const char *bad[] = { "stdio.h" };
    ck_assert_int_eq(quant_sources_needed(bad, 1, out), -1);
    ck_assert_int_eq(quant_sources_needed(NULL, 0, out), 0);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("emit_quant_sources");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_file_byte_for_byte);
    tcase_add_test(tc, test_closure);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
