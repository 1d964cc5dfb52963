/* Replays every file of the fuzzers' seed corpora (fuzz/corpus/<target>/)
 * and of their crash regressions (fuzz/regressions/<target>/) through the
 * same entry points the libFuzzer targets use (fuzz/fuzz_entry.c, included
 * here so the normal gcc build needs neither clang nor a CMake change), under
 * the same small limits. Each file runs in a child process: a crash, an
 * abort (the entries abort when qonnxc breaks a promise sanitizers cannot
 * see, e.g. a failure without a message), a config taking more than 2 s of
 * CPU (libFuzzer's -timeout, for inputs that once hung) or, in the
 * sanitizer build, an ASan/UBSan/LSan report fails the test and names the
 * file. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../fuzz/fuzz_entry.c"

#define FUZZ_DIR TESTS_DIR "/../fuzz"

typedef int (*Entry)(const uint8_t *data, size_t size);

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs entry on one file in a child, with at most cpu_seconds of CPU time
 * (0: no limit), so that an input that once hung fails here too; returns a
 * description of the failure or NULL. */
static const char *replay_file(const char *path, Entry entry, int cpu_seconds, char *why,
                               size_t size)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* SIGXCPU at the soft limit names the cause; SIGKILL a second later */
        struct rlimit cpu = { (rlim_t)cpu_seconds, (rlim_t)cpu_seconds + 1 };
        if (cpu_seconds > 0)
            setrlimit(RLIMIT_CPU, &cpu);
        size_t len = 0;
        unsigned char *buf = slurp(path, &len);
        if (!buf)
            _exit(90);
        fuzz_set_limits();
        entry(buf, len);
        free(buf);
        exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        snprintf(why, size, "cannot fork");
        return why;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
        snprintf(why, size, "took more than %d s of CPU time", cpu_seconds);
        return why;
    }
    if (WIFSIGNALED(status)) {
        snprintf(why, size, "killed by signal %d", WTERMSIG(status));
        return why;
    }
    if (WEXITSTATUS(status) == 90) {
        snprintf(why, size, "cannot read the file");
        return why;
    }
    if (WEXITSTATUS(status) != 0) {
        snprintf(why, size, "exit status %d (a sanitizer report?)", WEXITSTATUS(status));
        return why;
    }
    return NULL;
}

/* The file names of the directory being replayed. A global, so that the
 * children's LeakSanitizer sees it as reachable. */
static char **names;

/* Replays every regular file of dir; returns how many there were. */
static int replay_dir(const char *dir, Entry entry, int cpu_seconds)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            names = realloc(names, (size_t)cap * sizeof *names);
            ck_assert_ptr_nonnull(names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, compare);
    int failures = 0;
    char path[1024], why[128], first[1200] = "";
    for (int k = 0; k < n; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        const char *bad = replay_file(path, entry, cpu_seconds, why, sizeof why);
        if (bad) {
            fprintf(stderr, "fuzz regression: %s: %s\n", path, bad);
            if (!failures++)
                snprintf(first, sizeof first, "%s: %s", path, bad);
        }
    }
    for (int k = 0; k < n; k++)
        free(names[k]);
    free(names);
    names = NULL;
    ck_assert_msg(failures == 0, "%d of %d inputs in %s fail; the first: %s", failures, n, dir,
                  first);
    return n;
}

START_TEST(onnx_loader_corpus)
{
    int n = replay_dir(FUZZ_DIR "/corpus/onnx_loader", fuzz_onnx_loader_one, 0);
    ck_assert_msg(n > 0, "no seed corpus in " FUZZ_DIR "/corpus/onnx_loader");
}
END_TEST

START_TEST(onnx_loader_regressions)
{
    replay_dir(FUZZ_DIR "/regressions/onnx_loader", fuzz_onnx_loader_one, 0);
}
END_TEST

/* The pipeline target's inputs: load, cleanup, streamline, dataflow
 * lowering and every emitter, in memory. libFuzzer stops an input after
 * 20 s (-timeout); so does the replay, for inputs that once hung. */
#define PIPELINE_CPU_SECONDS 20

START_TEST(pipeline_corpus)
{
    int n = replay_dir(FUZZ_DIR "/corpus/pipeline", fuzz_pipeline_one, PIPELINE_CPU_SECONDS);
    ck_assert_msg(n > 0, "no seed corpus in " FUZZ_DIR "/corpus/pipeline");
}
END_TEST

START_TEST(pipeline_regressions)
{
    replay_dir(FUZZ_DIR "/regressions/pipeline", fuzz_pipeline_one, PIPELINE_CPU_SECONDS);
}
END_TEST

START_TEST(npy_corpus)
{
    int n = replay_dir(FUZZ_DIR "/corpus/npy", fuzz_npy_one, 0);
    ck_assert_msg(n > 0, "no seed corpus in " FUZZ_DIR "/corpus/npy");
}
END_TEST

START_TEST(npy_regressions)
{
    replay_dir(FUZZ_DIR "/regressions/npy", fuzz_npy_one, 0);
}
END_TEST

/* A config takes milliseconds; 2 s of CPU catches the inputs that hung
 * libyaml (a sanitizer build slows the reader, not libyaml). */
#define CONFIG_CPU_SECONDS 2

START_TEST(config_corpus)
{
    int n = replay_dir(FUZZ_DIR "/corpus/config", fuzz_config_one, CONFIG_CPU_SECONDS);
    ck_assert_msg(n > 0, "no seed corpus in " FUZZ_DIR "/corpus/config");
}
END_TEST

START_TEST(config_regressions)
{
    int n = replay_dir(FUZZ_DIR "/regressions/config", fuzz_config_one, CONFIG_CPU_SECONDS);
    ck_assert_msg(n > 0, "no regression inputs in " FUZZ_DIR "/regressions/config");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 1800); /* a sanitizer build replays a few hundred models */
    tcase_add_test(tc, onnx_loader_corpus);
    tcase_add_test(tc, onnx_loader_regressions);
    tcase_add_test(tc, pipeline_corpus);
    tcase_add_test(tc, pipeline_regressions);
    tcase_add_test(tc, npy_corpus);
    tcase_add_test(tc, npy_regressions);
    tcase_add_test(tc, config_corpus);
    tcase_add_test(tc, config_regressions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
