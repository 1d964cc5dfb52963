/* Every emitted file of every target, for every vendored model, is
 * byte-identical to a committed manifest.
 *
 * For each model of tests/models with its configs/<NAME>.yaml (the _RANDOM
 * suffix dropped), the test runs
 *
 *   qonnxc build MODEL -c configs/<NAME>.yaml -o TMP/<MODEL> --target all
 *
 * and hashes every file below TMP with 64-bit FNV-1a. The sorted lines
 * "HASH  MODEL/TARGET/PATH" must equal tests/fixtures/emit_manifest.txt; on
 * a mismatch the test names every file that differs, is missing or is extra.
 * It guards restructurings that must not change the output (DESIGN.md:
 * same model + config => byte-identical files).
 *
 * When the emitted code changes ON PURPOSE, rewrite the manifest and commit
 * it with the change that explains it:
 *
 *   QONNXC_UPDATE_MANIFEST=1 ctest --test-dir build -R test_emit_manifest
 *   (or: QONNXC_UPDATE_MANIFEST=1 build/tests/test_emit_manifest)
 *
 * With the variable set the test writes the manifest instead of comparing,
 * and says so; `git diff tests/fixtures/emit_manifest.txt` then shows which
 * files changed. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run_cli.h"

#define MANIFEST TESTS_DIR "/fixtures/emit_manifest.txt"

typedef struct Model {
    const char *dir;    /* below tests/models */
    const char *config; /* below configs/ */
} Model;

static const Model models[] = {
    { "TFC_1W1A", "TFC_1W1A.yaml" },
    { "TFC_1W2A", "TFC_1W2A.yaml" },
    { "TFC_2W2A", "TFC_2W2A.yaml" },
    { "UNSW_MLP_W2A2", "UNSW_MLP_W2A2.yaml" },
    { "CNV_1W1A_RANDOM", "CNV_1W1A.yaml" },
    { "CNV_1W2A_RANDOM", "CNV_1W2A.yaml" },
    { "CNV_2W2A_RANDOM", "CNV_2W2A.yaml" },
};
#define N_MODELS (sizeof models / sizeof models[0])

/* ---- 64-bit FNV-1a ---------------------------------------------------- */

static uint64_t fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325u;          /* offset basis */
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;                   /* FNV prime */
    }
    return h;
}

/* Test vectors of the FNV reference (Fowler, Noll, Vo: "FNV-1a 64"). */
START_TEST(fnv1a64_matches_the_reference_vectors)
{
    ck_assert_uint_eq(fnv1a64("", 0), 0xcbf29ce484222325u);
    ck_assert_uint_eq(fnv1a64("a", 1), 0xaf63dc4c8601ec8cu);
    ck_assert_uint_eq(fnv1a64("foobar", 6), 0x85944171f73967e8u);
}
END_TEST

/* ---- a sorted list of manifest lines ---------------------------------- */

typedef struct Lines {
    char **v;
    size_t n, cap;
} Lines;

static void lines_add(Lines *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        ck_assert_ptr_nonnull(l->v);
    }
    l->v[l->n++] = strdup(s);
}

static void lines_free(Lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Lines are "HASH  PATH"; they sort by path. */
static const char *path_of(const char *line)
{
    const char *p = strstr(line, "  ");
    return p ? p + 2 : line;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(path_of(*(char *const *)a), path_of(*(char *const *)b));
}

static void lines_sort(Lines *l)
{
    qsort(l->v, l->n, sizeof l->v[0], by_path);
}

/* ---- hashing an emitted tree ------------------------------------------ */

static void hash_tree(const char *root, const char *rel, Lines *out)
{
    char dir_path[2048];
    snprintf(dir_path, sizeof dir_path, "%s/%s", root, rel);
    DIR *dir = opendir(dir_path);
    ck_assert_msg(dir != NULL, "cannot open %s", dir_path);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[1024], full[3072];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        ck_assert_int_eq(stat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            hash_tree(root, sub, out);
            continue;
        }
        size_t len;
        char *bytes = read_whole_file(full, &len);
        ck_assert_msg(bytes != NULL, "cannot read %s", full);
        char line[1100];
        snprintf(line, sizeof line, "%016" PRIx64 "  %s", fnv1a64(bytes, len), sub);
        free(bytes);
        lines_add(out, line);
    }
    closedir(dir);
}

static void build_model(const char *root, const Model *m)
{
    char model[512], config[512], out[1024];
    snprintf(model, sizeof model, "%s/models/%s/model.onnx", TESTS_DIR, m->dir);
    snprintf(config, sizeof config, "%s/../configs/%s", TESTS_DIR, m->config);
    snprintf(out, sizeof out, "%s/%s", root, m->dir);
    const char *args[] = { "build", model, "-c", config, "-o", out,
                           "--target", "all", NULL };
    CliResult r = run_qonnxc(args);
    ck_assert_msg(r.exit_code == 0, "qonnxc build %s exited %d:\n%s", m->dir,
                  r.exit_code, r.err);
    cli_result_free(&r);
}

static void read_manifest(Lines *out)
{
    char *text = read_whole_file(MANIFEST, NULL);
    ck_assert_msg(text != NULL, "%s is missing: run with QONNXC_UPDATE_MANIFEST=1",
                  MANIFEST);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        lines_add(out, line);
    free(text);
    lines_sort(out);
}

static void write_manifest(const Lines *l)
{
    FILE *f = fopen(MANIFEST, "w");
    ck_assert_msg(f != NULL, "cannot write %s", MANIFEST);
    for (size_t i = 0; i < l->n; i++)
        fprintf(f, "%s\n", l->v[i]);
    ck_assert_int_eq(fclose(f), 0);
    fprintf(stderr, "test_emit_manifest: wrote %zu lines to %s\n", l->n, MANIFEST);
}

/* Walks both sorted lists; prints each difference, returns how many. */
static int report_differences(const Lines *want, const Lines *got)
{
    int n = 0;
    size_t i = 0, j = 0;
    while (i < want->n || j < got->n) {
        int c = i == want->n ? 1
              : j == got->n  ? -1
              : strcmp(path_of(want->v[i]), path_of(got->v[j]));
        if (c < 0) {
            fprintf(stderr, "missing: %s (not emitted any more)\n", path_of(want->v[i++]));
            n++;
        } else if (c > 0) {
            fprintf(stderr, "extra:   %s (not in the manifest)\n", path_of(got->v[j++]));
            n++;
        } else {
            if (strcmp(want->v[i], got->v[j])) {
                fprintf(stderr, "differs: %s\n", path_of(got->v[j]));
                n++;
            }
            i++;
            j++;
        }
    }
    return n;
}

START_TEST(every_target_emits_the_files_of_the_manifest)
{
    char *root = make_temp_dir("manifest");
    ck_assert_ptr_nonnull(root);
    Lines got = { 0 };
    for (size_t i = 0; i < N_MODELS; i++) {
        build_model(root, &models[i]);
        /* A target that silently emitted nothing would hash to nothing. */
        static const char *const targets[] = { "ref", "hls", "rtl", "mcu", "npu" };
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%s/%s/%s", root, models[i].dir, targets[t]);
            ck_assert_msg(file_exists(dir), "%s was not emitted", dir);
        }
        hash_tree(root, models[i].dir, &got);
    }
    lines_sort(&got);

    rm_rf(root);
    free(root);

    const char *update = getenv("QONNXC_UPDATE_MANIFEST");
    if (update && !strcmp(update, "1")) {
        write_manifest(&got);
    } else {
        Lines want = { 0 };
        read_manifest(&want);
        int differences = report_differences(&want, &got);
        ck_assert_msg(differences == 0,
                      "%d emitted files differ from %s (listed above); if the change "
                      "is intended, rerun with QONNXC_UPDATE_MANIFEST=1", differences,
                      MANIFEST);
        lines_free(&want);
    }
    lines_free(&got);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("emit_manifest");
    TCase *tc = tcase_create("manifest");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, fnv1a64_matches_the_reference_vectors);
    tcase_add_test(tc, every_target_emits_the_files_of_the_manifest);
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
