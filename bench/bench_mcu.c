/* Benchmark of the mcu target against a plain int8 layout, as JSON on
 * stdout:
 *
 *   bench_mcu [MODELS_DIR]      (default: the source tree's tests/models)
 *
 * For TFC_1W1A, TFC_2W2A and CNV_1W1A_RANDOM: `qonnxc build --target mcu`,
 * then from mcu/size_report.json
 *
 *   weight flash   the packed const weights, against one byte per weight
 *                  (int8 layout) and against bits/8 of that; target:
 *                  <= bits/8 x int8 + 5 %
 *   arena          the static activation arena, against one buffer per
 *                  tensor (int8 layout: one byte per element, int32 for
 *                  accumulators); target: <= the largest sum of two
 *                  tensors alive at the same time
 *
 * and the host instructions per inference of the emitted executable
 * (make -C mcu, -O2), measured with valgrind --tool=callgrind on 1 frame
 * and on F frames: (Ir(F) - Ir(1)) / (F - 1), so start-up and file I/O
 * cancel out. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"


typedef struct Model {
    const char *dir, *name;
    int frames;
} Model;

static const Model models[] = {
    { "TFC_1W1A", "tfc_1w1a", 33 },
    { "TFC_2W2A", "tfc_2w2a", 33 },
    { "CNV_1W1A_RANDOM", "cnv_1w1a_random", 5 },
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* The whole number at object.key (object NULL: the top) of a parsed
 * size_report.json; -1 when missing. */
static long long json_num(const cJSON *root, const char *object, const char *key)
{
    const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(root, object) : root;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* The first `frames` frames of inputs.npy into path. */
static int write_frames(const char *models_dir, const char *dir, int frames, const char *path)
{
    char in[1024];
    NpyArray a;
    Diag d;
    diag_init(&d);
    snprintf(in, sizeof in, "%s/%s/inputs.npy", models_dir, dir);
    float *f = NULL;
    if (!npy_read(in, &a, &d) || !npy_to_f32(&a, &f, &d)) {
        fprintf(stderr, "bench_mcu: %s\n", d.msg);
        return -1;
    }
    int64_t shape[NPY_MAX_RANK];
    memcpy(shape, a.shape, sizeof shape);
    shape[0] = frames < a.shape[0] ? frames : a.shape[0];
    bool ok = npy_write_f32(path, f, a.rank, shape, &d);
    free(f);
    npy_free(&a);
    return ok ? 0 : -1;
}

/* Instructions callgrind counts for exe on `in`. */
static long long callgrind(const char *exe, const char *in, const char *tmp)
{
    char cmd[4096], out[1100];
    snprintf(out, sizeof out, "%s/callgrind.out", tmp);
    snprintf(cmd, sizeof cmd, "valgrind --tool=callgrind --callgrind-out-file='%s' '%s' '%s' "
             "'%s/out.npy' > /dev/null 2>&1", out, exe, in, tmp);
    if (system(cmd) != 0)
        return -1;
    char *text = slurp(out);
    long long ir = -1;
    const char *p = text ? strstr(text, "\nsummary: ") : NULL;
    if (p)
        ir = atoll(p + 10);
    free(text);
    return ir;
}

int main(int argc, char **argv)
{
    /* default: tests/models of the source tree this file is in */
    char def[1024];
    snprintf(def, sizeof def, "%s", __FILE__);
    char *slash = strrchr(def, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(def, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(def, sizeof def, ".");
    strncat(def, "/tests/models", sizeof def - strlen(def) - 1);
    const char *models_dir = argc > 1 ? argv[1] : def;
    char tmp[] = "/tmp/qonnxc-bench-mcu-XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    int n = (int)(sizeof models / sizeof models[0]), status = 0;
    printf("{\n  \"benchmark\": \"mcu\",\n  \"models\": [");
    for (int k = 0; k < n; k++) {
        const Model *m = &models[k];
        char cmd[4096], path[1100], one[1100], many[1100], exe[1100];
        snprintf(cmd, sizeof cmd, "rm -rf '%s/out' && '%s' build '%s/%s/model.onnx' -o '%s/out' "
                 "--target mcu > /dev/null && make -s -C '%s/out/mcu' > /dev/null",
                 tmp, QONNXC_BIN, models_dir, m->dir, tmp, tmp);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_mcu: building %s failed\n", m->dir);
            status = 1;
            continue;
        }
        snprintf(path, sizeof path, "%s/out/mcu/size_report.json", tmp);
        char *text = slurp(path);
        cJSON *r = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (!r) {
            fprintf(stderr, "bench_mcu: %s: missing or not JSON\n", path);
            status = 1;
            continue;
        }
        long long wb = json_num(r, "flash", "weight_bytes");
        long long tb = json_num(r, "flash", "threshold_bytes");
        long long arena = json_num(r, NULL, "arena_bytes");
        long long two = json_num(r, NULL, "arena_two_largest_alive_bytes");
        long long lower = json_num(r, NULL, "arena_lower_bound_bytes");
        long long i8w = json_num(r, "int8_layout", "weight_bytes");
        long long bitw = json_num(r, "int8_layout", "weight_bytes_at_bit_width");
        long long i8a = json_num(r, "int8_layout", "activation_bytes");
        long long macs = json_num(r, NULL, "macs");
        cJSON_Delete(r);
        snprintf(one, sizeof one, "%s/one.npy", tmp);
        snprintf(many, sizeof many, "%s/many.npy", tmp);
        snprintf(exe, sizeof exe, "%s/out/mcu/%s", tmp, m->name);
        long long ir1 = -1, irn = -1;
        if (write_frames(models_dir, m->dir, 1, one) == 0 &&
            write_frames(models_dir, m->dir, m->frames, many) == 0) {
            ir1 = callgrind(exe, one, tmp);
            irn = callgrind(exe, many, tmp);
        }
        long long per = ir1 >= 0 && irn >= 0 ? (irn - ir1) / (m->frames - 1) : -1;
        bool w_ok = wb * 100 <= bitw * 105, a_ok = arena <= two;
        if (!w_ok || !a_ok)
            status = 1;
        printf("%s\n    {\"model\": \"%s\",\n"
               "     \"weight_flash_bytes\": %lld, \"int8_weight_bytes\": %lld, "
               "\"int8_weight_bytes_x_bits_over_8\": %lld, \"weight_flash_ratio_to_target\": %.4f, "
               "\"weight_target_met\": %s,\n"
               "     \"threshold_flash_bytes\": %lld,\n"
               "     \"arena_bytes\": %lld, \"int8_one_buffer_per_tensor_bytes\": %lld, "
               "\"two_largest_alive_bytes\": %lld, \"arena_lower_bound_bytes\": %lld, "
               "\"arena_target_met\": %s,\n"
               "     \"macs_per_inference\": %lld, \"host_instructions_per_inference\": %lld}",
               k ? "," : "", m->dir, wb, i8w, bitw, bitw > 0 ? (double)wb / (double)bitw : 0.0,
               w_ok ? "true" : "false", tb, arena, i8a, two, lower, a_ok ? "true" : "false", macs,
               per);
    }
    printf("\n  ]\n}\n");
    char rm[256];
    snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
    if (system(rm) != 0)
        status = 1;
    return status;
}
