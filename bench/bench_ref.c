/* bench_ref: frames per second of the `ref` target's executors, one
 * thread, one frame at a time, against the golden executor in the same
 * run; and the static data of the CNV_1W1A executor. Prints JSON.
 *
 * For each model: qonnxc build (QONNXC_BIN) into a temporary directory, a
 * small driver written next to model.c that times <name>_run in a loop
 * (best of several rounds, each at least ROUND_SECONDS; frames/s by wall
 * time, and by CPU time since the machine may be shared), compiled with
 * `cc -O3 -march=native` plus the emitted code's own strict flags. The
 * golden executor runs the cleaned QONNX graph frame by frame (exec_run)
 * on the same kind of input (uniform in [0, 1)).
 *
 *   bench_ref [MODEL_DIR ...]    default: TFC_1W1A TFC_2W2A CNV_1W1A_RANDOM CNV_2W2A_RANDOM
 *                                RESNET20_W4A4_RANDOM (from ../shared/models)
 *
 * Static data: `size -A` of model.o built the same way, the sum of the
 * .rodata*, .data* and .bss* sections (weights, thresholds, buffers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "emit_ref.h"
#include "emit_util.h"
#include "exec.h"
#include "frontend.h"

#define MODELS_DIR QONNXC_SOURCE_DIR "/tests/models"
/* models not vendored (ResNet-20): the shared folder beside the clone, or
 * $QONNXC_SHARED_MODELS */
#define SHARED_MODELS_DIR QONNXC_SOURCE_DIR "/../shared/models"
#define CFLAGS_BENCH "-O3 -march=native"
#define STRICT "-std=c99 -Wall -Wextra -Werror -pedantic -ffp-contract=off"
#define ROUND_SECONDS 0.4
#define ROUNDS 5
#define STATIC_LIMIT (250 * 1000)

static const char *const default_models[] = {
    "TFC_1W1A", "TFC_2W2A", "CNV_1W1A_RANDOM", "CNV_2W2A_RANDOM", "RESNET20_W4A4_RANDOM",
};

/* The model.onnx of model_dir: tests/models, else the shared folder. */
static const char *model_file(const char *model_dir, char *buf, size_t size)
{
    struct stat st;
    snprintf(buf, size, MODELS_DIR "/%s/model.onnx", model_dir);
    if (stat(buf, &st) == 0)
        return buf;
    const char *env = getenv("QONNXC_SHARED_MODELS");
    snprintf(buf, size, "%s/%s/model.onnx", env && *env ? env : SHARED_MODELS_DIR, model_dir);
    return buf;
}

/* The driver: times <name>_run; prints frames per second on stdout. */
static const char driver[] =
    "#include <stdio.h>\n"
    "#include <time.h>\n"
    "\n"
    "#include \"model.h\"\n"
    "\n"
    "static float in[@UPPER@_INPUT_SIZE], out[@UPPER@_OUTPUT_SIZE];\n"
    "\n"
    "static double now(clockid_t clock)\n"
    "{\n"
    "    struct timespec t;\n"
    "    clock_gettime(clock, &t);\n"
    "    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;\n"
    "}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    unsigned s = 12345u;\n"
    "    double best = 1e30, best_cpu = 1e30;\n"
    "    long k, n, batch = 1;\n"
    "    int round;\n"
    "\n"
    "    for (k = 0; k < @UPPER@_INPUT_SIZE; ++k) {\n"
    "        s = s * 1103515245u + 12345u;\n"
    "        in[k] = (float)(s >> 8) / 16777216.0f;\n"
    "    }\n"
    "    if (@NAME@_run(in, out) != @UPPER@_OK)\n"
    "        return 1;\n"
    "    for (round = 0; round < @ROUNDS@; ++round) {\n"
    "        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), t, c;\n"
    "\n"
    "        n = 0;\n"
    "        do {\n"
    "            for (k = 0; k < batch; ++k)\n"
    "                @NAME@_run(in, out);\n"
    "            n += batch;\n"
    "            t = now(CLOCK_MONOTONIC) - t0;\n"
    "            if (t < 0.01)\n"
    "                batch *= 2;\n"
    "        } while (t < @SECONDS@);\n"
    "        c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;\n"
    "        if (t / (double)n < best)\n"
    "            best = t / (double)n;\n"
    "        if (c / (double)n < best_cpu)\n"
    "            best_cpu = c / (double)n;\n"
    "    }\n"
    "    printf(\"%.1f %.1f\\n\", 1.0 / best, 1.0 / best_cpu);\n"
    "    return 0;\n"
    "}\n";

static int shell(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The template with @KEY@ markers replaced. */
static void fill(const char *tmpl, const char *name, const char *upper, TextBuf *out)
{
    char rounds[16], seconds[16];
    snprintf(rounds, sizeof rounds, "%d", ROUNDS);
    snprintf(seconds, sizeof seconds, "%.2f", ROUND_SECONDS);
    const char *keys[][2] = { { "@NAME@", name }, { "@UPPER@", upper }, { "@ROUNDS@", rounds },
                              { "@SECONDS@", seconds } };
    for (const char *s = tmpl; *s;) {
        size_t k = 0;
        while (k < 4 && strncmp(s, keys[k][0], strlen(keys[k][0])))
            k++;
        if (k < 4) {
            tb_puts(out, keys[k][1]);
            s += strlen(keys[k][0]);
        } else {
            tb_write(out, s++, 1);
        }
    }
}

/* Reads two numbers from the first line of a command's output; false on
 * failure. */
static bool command_numbers(const char *cmd, double *a, double *b)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    char line[128] = "";
    bool ok = fgets(line, sizeof line, p) && sscanf(line, "%lf %lf", a, b) == 2;
    return pclose(p) == 0 && ok;
}

/* Builds the executor of model_dir in tmp and returns its frames/s by wall
 * time, and by the process's CPU time in *cpu (-1 on failure, with the
 * reason on stderr). */
static double ref_fps(const char *model_dir, const char *tmp, char *ref_dir, size_t size,
                      double *cpu)
{
    char cmd[4096], model[1024], name[64], upper[64];
    model_file(model_dir, model, sizeof model);
    snprintf(cmd, sizeof cmd, "'%s' build '%s' -o '%s/%s' >&2", QONNXC_BIN, model, tmp, model_dir);
    if (shell(cmd) != 0)
        return -1;
    ref_model_name(model, name, sizeof name);
    snprintf(upper, sizeof upper, "%s", name);
    for (char *c = upper; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    snprintf(ref_dir, size, "%s/%s/ref", tmp, model_dir);
    TextBuf drv;
    tb_init(&drv);
    fill(driver, name, upper, &drv);
    char path[1200];
    snprintf(path, sizeof path, "%s/bench_driver.c", ref_dir);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(drv.data, 1, drv.len, f) != drv.len) {
        if (f)
            fclose(f);
        tb_free(&drv);
        return -1;
    }
    fclose(f);
    tb_free(&drv);
    /* the driver needs clock_gettime: POSIX, on top of the strict C99 */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cc " STRICT " " CFLAGS_BENCH " -D_POSIX_C_SOURCE=200809L -o bench_driver "
             "bench_driver.c model.c $(ls qc_*.c 2>/dev/null) -lm >&2", ref_dir);
    if (shell(cmd) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s/bench_driver'", ref_dir);
    double wall;
    if (!command_numbers(cmd, &wall, cpu))
        return -1;
    return wall;
}

/* The golden executor on single frames for about `seconds` (at least 2
 * frames): frames/s by wall time, and by CPU time in *cpu. */
static double golden_fps(const char *model_dir, double seconds, double *cpu)
{
    char model[1024];
    Diag d;
    diag_init(&d);
    model_file(model_dir, model, sizeof model);
    Graph *g = frontend_load(model, &d);
    if (!g || g->n_inputs != 1 || g->n_outputs != 1) {
        fprintf(stderr, "bench_ref: %s\n", d.msg);
        graph_free(g);
        return -1;
    }
    Value *in = value_new(ET_FLOAT, &g->inputs[0]->shape);
    unsigned s = 12345u;
    for (int64_t k = 0; k < in->count; k++) {
        s = s * 1103515245u + 12345u;
        in->f[k] = (float)(s >> 8) / 16777216.0f;
    }
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), t = 0;
    long n = 0;
    bool ok = true;
    while (ok && (n < 2 || t < seconds)) {
        Value *out = NULL;
        ok = exec_run(g, (const Value *const *)&in, &out, &d);
        value_free(out);
        n++;
        t = now(CLOCK_MONOTONIC) - t0;
    }
    *cpu = (double)n / (now(CLOCK_PROCESS_CPUTIME_ID) - c0);
    value_free(in);
    graph_free(g);
    if (!ok) {
        fprintf(stderr, "bench_ref: %s\n", d.msg);
        return -1;
    }
    return (double)n / t;
}

/* Sums the sizes of the sections of model.o whose names start with one of
 * .rodata, .data, .bss. */
static bool static_data(const char *ref_dir, long *rodata, long *data, long *bss)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && cc " STRICT " " CFLAGS_BENCH " -c model.c -o model.o "
             ">&2 && size -A model.o", ref_dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    char line[256], section[128];
    long sz, addr;
    *rodata = *data = *bss = 0;
    while (fgets(line, sizeof line, p))
        if (sscanf(line, "%127s %ld %ld", section, &sz, &addr) == 3) {
            if (!strncmp(section, ".rodata", 7))
                *rodata += sz;
            else if (!strncmp(section, ".data", 5))
                *data += sz;
            else if (!strncmp(section, ".bss", 4))
                *bss += sz;
        }
    return pclose(p) == 0;
}

static void cpu_name(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(buf, size, "%s", strchr(line, ':') + 2);
            buf[strcspn(buf, "\n\"\\")] = '\0';
            break;
        }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    const char *const *list = default_models;
    int n = (int)(sizeof default_models / sizeof default_models[0]);
    if (argc > 1) {
        list = (const char *const *)(argv + 1);
        n = argc - 1;
    }
    char tmp[256], cpu[256];
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/qonnxc-bench-ref-XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("bench_ref: mkdtemp");
        return 1;
    }
    cpu_name(cpu, sizeof cpu);
    printf("{\n  \"bench\": \"ref\",\n  \"cpu\": \"%s\",\n", cpu);
    printf("  \"compile\": \"cc " CFLAGS_BENCH " (+ " STRICT ")\",\n");
    printf("  \"threads\": 1,\n  \"batch\": 1,\n");
    /* the machine may be shared: frames/s by wall time and by CPU time */
    double load = -1;
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf", &load) != 1)
            load = -1;
        fclose(la);
    }
    printf("  \"load_average_1min\": %.2f,\n  \"models\": [\n", load);
    int failures = 0;
    long rodata = -1, data = -1, bss = -1;
    for (int k = 0; k < n; k++) {
        char ref_dir[1024];
        double ref_cpu = -1, gold_cpu = -1;
        double ref = ref_fps(list[k], tmp, ref_dir, sizeof ref_dir, &ref_cpu);
        double gold = golden_fps(list[k], 2.0, &gold_cpu);
        if (ref < 0 || gold < 0)
            failures++;
        if (!strncmp(list[k], "CNV_1W1A", 8) && ref >= 0 &&
            !static_data(ref_dir, &rodata, &data, &bss))
            failures++;
        printf("    { \"model\": \"%s\", \"ref_frames_per_s\": %.1f, \"golden_frames_per_s\": %.2f, "
               "\"speedup\": %.1f,\n      \"ref_frames_per_cpu_s\": %.1f, "
               "\"golden_frames_per_cpu_s\": %.2f }%s\n", list[k], ref, gold,
               gold > 0 ? ref / gold : 0.0, ref_cpu, gold_cpu, k + 1 < n ? "," : "");
    }
    printf("  ]");
    if (rodata >= 0)
        printf(",\n  \"cnv_1w1a_static_data\": { \"rodata\": %ld, \"data\": %ld, \"bss\": %ld, "
               "\"total\": %ld, \"limit\": %d, \"under_limit\": %s }", rodata, data, bss,
               rodata + data + bss, STATIC_LIMIT,
               rodata + data + bss < STATIC_LIMIT ? "true" : "false");
    printf("\n}\n");
    remove_tree(tmp);
    return failures ? 1 : 0;
}
