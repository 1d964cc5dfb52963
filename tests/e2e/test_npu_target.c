/* The npu target end to end:
 *
 *   every shared model (tests/models): qonnxc build --target ref,npu, both
 *   executors compiled on the host, outputs (floats and --int integers) on
 *   inputs.npy byte-identical; npu/layers.json lists every layer
 *
 *   an 8-bit model built here (tests/helpers/onnx_builder.h), made for the
 *   NPU: 1 input channel, channels in multiples of 4, FLOOR activations with
 *   power-of-2 scale ratios. conv1 (INT4 weights) and conv2 (INT8) must go
 *   on the NPU, and so must the depthwise dw (the NPU's DWCONV); the
 *   residual add and the 2-group convolution grp stay on the CPU, saying
 *   why; conv3's activation rounds half to even (ROUND), which no
 *   BNORM reproduces (the search proves it); conv4 has 6 output channels;
 *   the final MatMul feeds the output affine. Bit-exact with ref on random
 *   frames.
 *
 *   two TruncAvgPools built here: the global one (FLOOR, 8-bit) on the NPU,
 *   the 2x2 one on the CPU with its reason; bit-exact with ref.
 *
 * With QONNXC_NPU_DOC=FILE set, the per-model NPU/CPU tables are written
 * to FILE as Markdown (docs/mcu-npu.md includes them). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "emit_ref.h"
#include "json_file.h"
#include "npy.h"
#include "onnx_builder.h"
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

#define QONNX "qonnx.custom_op.general"

static const char *const models[] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
    "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM",
};
#define N_MODELS (int)(sizeof models / sizeof models[0])

static void same_files(const char *a, const char *b)
{
    size_t la, lb;
    char *x = read_whole_file(a, &la), *y = read_whole_file(b, &lb);
    ck_assert_msg(x && y, "missing output %s or %s", a, b);
    ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
    free(x);
    free(y);
}

/* Builds ref and npu of model into dir/out, runs both on `input`, compares;
 * returns npu/layers.json (malloc'ed). */
static cJSON *build_and_compare(const char *model, const char *input, const char *dir)
{
    char name[64], log[1100];
    ref_model_name(model, name, sizeof name);
    snprintf(log, sizeof log, "%s/log", dir);
    int rc = run_shell("'%s' build '%s' -o '%s/out' --target ref,npu > '%s' 2>&1", QONNXC_BIN, model,
                   dir, log);
    if (rc != 0) {
        char *text = read_whole_file(log, NULL);
        ck_abort_msg("qonnxc build %s failed:\n%s", model, text ? text : "");
    }
    const char *flags = SANITIZED ? "CFLAGS='-O1 -g -fsanitize=address,undefined "
                                    "-fno-sanitize-recover=all'" : "";
    for (int t = 0; t < 2; t++) {
        rc = run_shell("make -s -C '%s/out/%s' %s > '%s' 2>&1", dir, t ? "npu" : "ref", flags, log);
        if (rc != 0) {
            char *text = read_whole_file(log, NULL);
            ck_abort_msg("make %s failed:\n%s", t ? "npu" : "ref", text ? text : "");
        }
    }
    for (int as_int = 0; as_int < 2; as_int++) {
        char o1[1100], o2[1100];
        snprintf(o1, sizeof o1, "%s/ref_%d.npy", dir, as_int);
        snprintf(o2, sizeof o2, "%s/npu_%d.npy", dir, as_int);
        ck_assert_int_eq(run_shell("'%s/out/ref/%s' %s '%s' '%s'", dir, name,
                               as_int ? "--int" : "", input, o1), 0);
        ck_assert_int_eq(run_shell("'%s/out/npu/%s' %s '%s' '%s'", dir, name,
                               as_int ? "--int" : "", input, o2), 0);
        same_files(o1, o2);
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/out/npu/layers.json", dir);
    return json_file(path);
}

/* layers.json as a Markdown table, appended to $QONNXC_NPU_DOC. */
static void doc_table(const char *title, const cJSON *json)
{
    const char *doc = getenv("QONNXC_NPU_DOC");
    if (!doc || !doc[0])
        return;
    FILE *f = fopen(doc, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "### %s\n\n%d of %d layers on the NPU.\n\n| layer | op | unit | reason |\n"
               "|---|---|---|---|\n", title, (int)json_num(json, "layers_on_npu"),
            (int)json_num(json, "layers"));
    const cJSON *row;
    cJSON_ArrayForEach(row, json_at(json, "table"))
        fprintf(f, "| %s | %s | %s | %s |\n", json_str(row, "name"), json_str(row, "op"),
                json_str(row, "unit"), json_str(row, "reason"));
    fputs("\n", f);
    fclose(f);
}

START_TEST(test_shared_model)
{
    char *dir = make_temp_dir("npu-e2e");
    char model[512], input[512];
    snprintf(model, sizeof model, TESTS_DIR "/models/%s/model.onnx", models[_i]);
    snprintf(input, sizeof input, TESTS_DIR "/models/%s/inputs.npy", models[_i]);
    cJSON *json = build_and_compare(model, input, dir);
    const cJSON *table = json_at(json, "table");
    ck_assert(cJSON_IsArray(table));
    ck_assert_int_eq(cJSON_GetArraySize(table), (int)json_num(json, "layers"));
    /* every CPU layer says why */
    const cJSON *row;
    int on = 0;
    cJSON_ArrayForEach(row, table) {
        bool npu = !strcmp(json_str(row, "unit"), "NPU");
        on += npu;
        ck_assert_msg(npu || json_str(row, "reason")[0], "%s: on the CPU, no reason",
                      json_str(row, "name"));
    }
    ck_assert_int_eq(on, (int)json_num(json, "layers_on_npu"));
    doc_table(models[_i], json);
    cJSON_Delete(json);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- the 8-bit model -------------------------------------------------------- */

static int uniq;
static uint32_t rng_state = 2463534242u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static const char *scalar(OnnxBuilder *b, float v)
{
    static char names[64][32];
    char *name = names[uniq % 64];
    snprintf(name, 32, "c%d", uniq++);
    ob_init_f32(b, name, 0, NULL, &v);
    return name;
}

static void quant(OnnxBuilder *b, const char *in, const char *out, float scale, int bits,
                  int is_signed, const char *rounding)
{
    char name[64];
    snprintf(name, sizeof name, "quant_%s", out);
    ObNode *q = ob_node(b, "Quant", QONNX, name, 4,
                        (const char *[]){ in, scalar(b, scale), scalar(b, 0.0f),
                                          scalar(b, (float)bits) },
                        1, (const char *[]){ out });
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", rounding);
}

/* Quantized weights: random integers of `bits` bits times scale. */
static void weights(OnnxBuilder *b, const char *name, int rank, const int64_t *dims, int bits,
                    float scale, const char *out)
{
    int64_t count = 1;
    for (int k = 0; k < rank; k++)
        count *= dims[k];
    float *w = malloc((size_t)count * sizeof *w);
    int64_t lo = -((int64_t)1 << (bits - 1)), span = (int64_t)1 << bits;
    for (int64_t k = 0; k < count; k++)
        w[k] = (float)(lo + (int64_t)(rng() % (uint32_t)span)) * scale;
    ob_init_f32(b, name, rank, dims, w);
    free(w);
    quant(b, name, out, scale, bits, 1, "ROUND");
}

/* conv (3x3, pad 1, or 1x1; `group` groups) + Relu + Quant(8 bits unsigned) */
static void grouped_conv_layer(OnnxBuilder *b, const char *name, const char *in, int in_c,
                               int out_c, int group, int k, int wbits, float wscale, float ascale,
                               const char *rounding, const char *out)
{
    char w[64], wq[64], acc[64], relu[64];
    snprintf(w, sizeof w, "%s_w", name);
    snprintf(wq, sizeof wq, "%s_wq", name);
    snprintf(acc, sizeof acc, "%s_acc", name);
    snprintf(relu, sizeof relu, "%s_relu", name);
    weights(b, w, 4, (int64_t[]){ out_c, in_c / group, k, k }, wbits, wscale, wq);
    ObNode *c = ob_node(b, "Conv", NULL, name, 2, (const char *[]){ in, wq }, 1,
                        (const char *[]){ acc });
    ob_attr_int(c, "group", group);
    ob_attr_ints(c, "kernel_shape", 2, (int64_t[]){ k, k });
    int64_t pad = k / 2;
    ob_attr_ints(c, "pads", 4, (int64_t[]){ pad, pad, pad, pad });
    char rn[80];
    snprintf(rn, sizeof rn, "%s_relu_node", name);
    ob_node(b, "Relu", NULL, rn, 1, (const char *[]){ acc }, 1, (const char *[]){ relu });
    quant(b, relu, out, ascale, 8, 0, rounding);
}

static void conv_layer(OnnxBuilder *b, const char *name, const char *in, int in_c, int out_c,
                       int k, int wbits, float wscale, float ascale, const char *rounding,
                       const char *out)
{
    grouped_conv_layer(b, name, in, in_c, out_c, 1, k, wbits, wscale, ascale, rounding, out);
}

/* Writes the model to path. */
static void build_npu_model(const char *path)
{
    OnnxBuilder *b = ob_new("npu8");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 1, 8, 8 });
    quant(b, "x", "a0", 1.0f / 256, 8, 0, "ROUND");                       /* UINT8 */
    conv_layer(b, "conv1", "a0", 1, 8, 3, 4, 1.0f / 8, 1.0f / 16, "FLOOR", "a1");
    conv_layer(b, "conv2", "a1", 8, 8, 3, 8, 1.0f / 128, 1.0f / 16, "FLOOR", "a2");
    /* a MobileNet/ResNet-style detour: depthwise 3x3, a residual add of
     * two tensors of one scale (its quantizer: thresholds on the sum), a
     * convolution of 2 groups */
    grouped_conv_layer(b, "dw", "a2", 8, 8, 8, 3, 4, 1.0f / 8, 1.0f / 16, "FLOOR", "a2d");
    ob_node(b, "Add", NULL, "add", 2, (const char *[]){ "a2", "a2d" }, 1,
            (const char *[]){ "sum" });
    ob_node(b, "Relu", NULL, "add_relu_node", 1, (const char *[]){ "sum" }, 1,
            (const char *[]){ "sum_relu" });
    quant(b, "sum_relu", "a2s", 1.0f / 16, 8, 0, "FLOOR");
    grouped_conv_layer(b, "grp", "a2s", 8, 8, 2, 3, 4, 1.0f / 8, 1.0f / 16, "FLOOR", "a2g");
    conv_layer(b, "conv3", "a2g", 8, 12, 3, 2, 0.5f, 1.0f / 8, "ROUND", "a3");
    conv_layer(b, "conv4", "a3", 12, 6, 1, 4, 1.0f / 8, 1.0f / 4, "FLOOR", "a4");
    ObNode *fl = ob_node(b, "Flatten", NULL, "flatten", 1, (const char *[]){ "a4" }, 1,
                         (const char *[]){ "f" });
    ob_attr_int(fl, "axis", 1);
    weights(b, "fc_w", 2, (int64_t[]){ 6 * 8 * 8, 10 }, 4, 1.0f / 8, "fc_wq");
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "f", "fc_wq" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 10 });
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* The row of layer `name` in layers.json. */
static const cJSON *row_of(const cJSON *json, const char *name)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, json_at(json, "table"))
        if (!strcmp(json_str(row, "name"), name))
            return row;
    ck_abort_msg("no layer %s in layers.json", name);
    return NULL;
}

START_TEST(test_npu_model)
{
    char *dir = make_temp_dir("npu-model");
    char model[1100], input[1100];
    snprintf(model, sizeof model, "%s/npu8.onnx", dir);
    snprintf(input, sizeof input, "%s/frames.npy", dir);
    build_npu_model(model);
    int frames = SANITIZED ? 20 : 500;
    float *x = malloc((size_t)frames * 64 * sizeof *x);
    for (int k = 0; k < frames * 64; k++)
        x[k] = (float)(rng() >> 8) / 16777216.0f;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(input, x, 4, (int64_t[]){ frames, 1, 8, 8 }, &d), "%s", d.msg);
    free(x);
    cJSON *json = build_and_compare(model, input, dir);
    ck_assert_str_eq(json_str(row_of(json, "conv1"), "unit"), "NPU");
    ck_assert_str_eq(json_str(row_of(json, "conv2"), "unit"), "NPU");
    ck_assert_str_eq(json_str(row_of(json, "dw"), "unit"), "NPU");
    ck_assert_ptr_nonnull(strstr(json_str(row_of(json, "add"), "reason"),
                                 "a residual add on its own"));
    ck_assert_ptr_nonnull(strstr(json_str(row_of(json, "grp"), "reason"),
                                 "grouped convolution (2 groups of 4 channels)"));
    ck_assert_ptr_nonnull(strstr(json_str(row_of(json, "conv3"), "reason"), "no exact BNORM"));
    ck_assert_ptr_nonnull(strstr(json_str(row_of(json, "conv4"), "reason"), "6 output channels"));
    ck_assert_ptr_nonnull(strstr(json_str(row_of(json, "fc"), "reason"),
                                 "no activation after the accumulator"));
    doc_table("npu8 (tests/e2e/test_npu_target.c: 8-bit activations, built for the NPU)", json);
    /* the NPU layers requantize with BNORM in the emitted code */
    char path[1200];
    snprintf(path, sizeof path, "%s/out/npu/model.c", dir);
    char *c = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(strstr(c, "qc_bnorm_requant("));
    free(c);
    cJSON_Delete(json);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Brevitas' TruncAvgPool2d: AveragePool (k x k, stride k; global when k
 * is 0) -> Mul by the area -> Trunc (bits in -> 8, rounding). */
static void trunc_avgpool(OnnxBuilder *b, const char *name, const char *in, int k, int area,
                          int in_bits, float scale, const char *rounding, const char *out)
{
    char pooled[64], scaled[64], mul[64], trunc[64];
    snprintf(pooled, sizeof pooled, "%s_avg", name);
    snprintf(scaled, sizeof scaled, "%s_area", name);
    snprintf(mul, sizeof mul, "%s_mul", name);
    snprintf(trunc, sizeof trunc, "%s_trunc", name);
    ObNode *ap = ob_node(b, k ? "AveragePool" : "GlobalAveragePool", NULL, name, 1,
                         (const char *[]){ in }, 1, (const char *[]){ pooled });
    if (k) {
        ob_attr_ints(ap, "kernel_shape", 2, (int64_t[]){ k, k });
        ob_attr_ints(ap, "strides", 2, (int64_t[]){ k, k });
    }
    ob_node(b, "Mul", NULL, mul, 2, (const char *[]){ pooled, scalar(b, (float)area) }, 1,
            (const char *[]){ scaled });
    ObNode *t = ob_node(b, "Trunc", QONNX, trunc, 5,
                        (const char *[]){ scaled, scalar(b, scale), scalar(b, 0.0f),
                                          scalar(b, (float)in_bits), scalar(b, 8.0f) },
                        1, (const char *[]){ out });
    ob_attr_string(t, "rounding_mode", rounding);
}

/* UINT8 [1, 4, 8, 8] -> a 2x2 TruncAvgPool (FLOOR, 10 -> 8 bits) -> a
 * global one (FLOOR, 12 -> 8 bits) -> MatMul -> the output affine. */
static void build_avgpool_model(const char *path)
{
    OnnxBuilder *b = ob_new("npu_avgpool");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, 4, 8, 8 });
    quant(b, "x", "a0", 1.0f / 256, 8, 0, "ROUND");                       /* UINT8 */
    trunc_avgpool(b, "pool2x2", "a0", 2, 4, 10, 1.0f / 256, "FLOOR", "a1");
    trunc_avgpool(b, "gap", "a1", 0, 16, 12, 1.0f / 256, "FLOOR", "a2");
    ObNode *fl = ob_node(b, "Flatten", NULL, "flatten", 1, (const char *[]){ "a2" }, 1,
                         (const char *[]){ "f" });
    ob_attr_int(fl, "axis", 1);
    weights(b, "fc_w", 2, (int64_t[]){ 4, 10 }, 4, 1.0f / 8, "fc_wq");
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "f", "fc_wq" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, 10 });
    ck_assert(ob_write(b, path));
    ob_free(b);
}

/* Average pools on the NPU: the global FLOOR TruncAvgPool of 8-bit
 * activations is the NPU's AVGPOOL (its shift is BNORM with bias 0 and
 * scale 1); the 2x2 one stays on the CPU, saying the AVGPOOL is global
 * only. The npu executor equals ref bit for bit. */
START_TEST(test_npu_avgpool)
{
    char *dir = make_temp_dir("npu-avgpool");
    char model[1100], input[1100];
    snprintf(model, sizeof model, "%s/npu_avgpool.onnx", dir);
    snprintf(input, sizeof input, "%s/frames.npy", dir);
    build_avgpool_model(model);
    int frames = SANITIZED ? 20 : 200;
    float *x = malloc((size_t)frames * 256 * sizeof *x);
    for (int k = 0; k < frames * 256; k++)
        x[k] = (float)(rng() >> 8) / 16777216.0f;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(input, x, 4, (int64_t[]){ frames, 4, 8, 8 }, &d), "%s", d.msg);
    free(x);
    cJSON *json = build_and_compare(model, input, dir);
    const cJSON *row;
    int sum_pools = 0;
    cJSON_ArrayForEach(row, json_at(json, "table")) {
        if (strncmp(json_str(row, "op"), "IntSumPool", 10))
            continue;
        sum_pools++;
        const char *name = json_str(row, "name");
        bool global = strstr(name, "gap") != NULL;
        ck_assert_msg(global || strstr(name, "pool2x2"), "layer %s", name);
        ck_assert_str_eq(json_str(row, "unit"), global ? "NPU" : "CPU");
        if (!global)
            ck_assert_ptr_nonnull(strstr(json_str(row, "reason"),
                                         "average pool over a window: the NPU's AVGPOOL is "
                                         "global only"));
    }
    ck_assert_int_eq(sum_pools, 2);
    char path[1200];
    snprintf(path, sizeof path, "%s/out/npu/model.c", dir);
    char *c = read_whole_file(path, NULL);
    ck_assert_ptr_nonnull(strstr(c, "An IntSumPool marked NPU is the NPU's AVGPOOL"));
    free(c);
    cJSON_Delete(json);
    rm_rf(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("npu_target");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, test_npu_model);
    tcase_add_test(tc, test_npu_avgpool);
    tcase_add_loop_test(tc, test_shared_model, 0, N_MODELS);
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
