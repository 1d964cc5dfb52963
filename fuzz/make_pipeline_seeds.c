/* Writes the builder-made seeds of fuzz_pipeline (fuzz/corpus/pipeline/
 * builder_*.onnx): small QONNX models in the shapes Brevitas exports, each
 * of which streamlines, lowers and emits on every target, so that the
 * mutator starts from inputs that reach the end of the pipeline. Built by
 * fuzz/build.sh with the tests' ONNX builder (tests/helpers/onnx_builder.c):
 *
 *     build-fuzz/make_pipeline_seeds fuzz/corpus/pipeline
 *
 * Deterministic: a fixed-seed generator, so the committed files are what
 * this program writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "onnx_builder.h"

#define QONNX "qonnx.custom_op.general"
#define IN(...) (const char *[]){ __VA_ARGS__ }
#define DIMS(...) (int64_t[]){ __VA_ARGS__ }

static uint32_t rng_state = 1;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static float urand(float lo, float hi)
{
    return lo + (hi - lo) * (float)(rng() / 4294967296.0);
}

/* Constants get fresh names c0, c1, ... */
static int uniq;

static const char *cst(OnnxBuilder *b, int rank, const int64_t *dims, const float *data)
{
    static char names[64][16];
    char *name = names[uniq % 64];
    snprintf(name, 16, "c%d", uniq++);
    ob_init_f32(b, name, rank, dims, data);
    return name;
}

static const char *scalar(OnnxBuilder *b, float v)
{
    return cst(b, 0, NULL, &v);
}

static void quant(OnnxBuilder *b, const char *in, const char *out, const char *scale,
                  float zeropt, int bits, int is_signed, int narrow, const char *rounding)
{
    char name[64];
    snprintf(name, sizeof name, "quant_%s", out);
    ObNode *q = ob_node(b, "Quant", QONNX, name, 4,
                        IN(in, scale, scalar(b, zeropt), scalar(b, (float)bits)), 1, IN(out));
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", narrow);
    ob_attr_string(q, "rounding_mode", rounding);
}

static void bipolar(OnnxBuilder *b, const char *in, const char *out)
{
    char name[64];
    snprintf(name, sizeof name, "bq_%s", out);
    ob_node(b, "BipolarQuant", QONNX, name, 2, IN(in, scalar(b, 1.0f)), 1, IN(out));
}

/* Float weights of `count` values around +-range, quantized per output
 * channel (scale [rows, 1, ...] of rank `rank`), bits 0: BipolarQuant. */
static void weights(OnnxBuilder *b, const char *name, int rank, const int64_t *dims, int bits,
                    const char *out)
{
    int64_t count = 1;
    for (int k = 0; k < rank; k++)
        count *= dims[k];
    float *w = malloc((size_t)count * sizeof *w), s[64];
    for (int64_t k = 0; k < count; k++)
        w[k] = urand(-1.2f, 1.2f) * (float)(bits > 1 ? 1 << (bits - 1) : 1) / 4;
    ob_init_f32(b, name, rank, dims, w);
    free(w);
    if (bits == 0) {
        bipolar(b, name, out);
        return;
    }
    int64_t sdims[4] = { dims[0], 1, 1, 1 };
    for (int64_t k = 0; k < dims[0] && k < 64; k++)
        s[k] = ldexpf(1.0f, -(int)(rng() % 3) - 2);
    quant(b, name, out, cst(b, rank, sdims, s), 0, bits, 1, bits > 1, "ROUND");
}

static void batchnorm(OnnxBuilder *b, const char *name, const char *in, const char *out, int c,
                      float center)
{
    float g[64], be[64], m[64], v[64];
    for (int k = 0; k < c; k++) {
        g[k] = urand(0.3f, 2.0f) * (rng() % 4 == 0 ? -1.0f : 1.0f);
        be[k] = urand(-1, 1);
        m[k] = urand(-center, center);
        v[k] = urand(0.2f, 2.0f) * center * center;
    }
    ob_node(b, "BatchNormalization", NULL, name, 5,
            IN(in, cst(b, 1, DIMS(c), g), cst(b, 1, DIMS(c), be), cst(b, 1, DIMS(c), m),
               cst(b, 1, DIMS(c), v)),
            1, IN(out));
}

/* A Brevitas linear layer: MatMul by the transposed quantized weights. */
static void linear(OnnxBuilder *b, const char *name, const char *in, int k, int n, int bits,
                   const char *out)
{
    char w[64], wq[64], wt[64], tn[64];
    snprintf(w, sizeof w, "%s_w", name);
    snprintf(wq, sizeof wq, "%s_wq", name);
    snprintf(wt, sizeof wt, "%s_wt", name);
    snprintf(tn, sizeof tn, "%s_t", name);
    weights(b, w, 2, DIMS(n, k), bits, wq);
    ObNode *t = ob_node(b, "Transpose", NULL, tn, 1, IN(wq), 1, IN(wt));
    ob_attr_ints(t, "perm", 2, DIMS(1, 0));
    ob_node(b, "MatMul", NULL, name, 2, IN(in, wt), 1, IN(out));
}

static void save(OnnxBuilder *b, const char *dir, const char *name, int *failures)
{
    char path[512];
    snprintf(path, sizeof path, "%s/builder_%s.onnx", dir, name);
    if (!ob_write(b, path)) {
        fprintf(stderr, "make_pipeline_seeds: cannot write %s\n", path);
        ++*failures;
    }
    ob_free(b);
}

/* TFC's shape: 2x - 1, BipolarQuant input, binary layers with BatchNorm,
 * a final layer scaled by a float. */
static OnnxBuilder *mlp_binary(void)
{
    OnnxBuilder *b = ob_new("mlp_binary");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 16));
    ob_node(b, "Mul", NULL, "pre_mul", 2, IN("x", scalar(b, 2)), 1, IN("x2"));
    ob_node(b, "Sub", NULL, "pre_sub", 2, IN("x2", scalar(b, 1)), 1, IN("x3"));
    bipolar(b, "x3", "a0");
    linear(b, "fc1", "a0", 16, 12, 0, "m1");
    batchnorm(b, "bn1", "m1", "n1", 12, 3);
    bipolar(b, "n1", "a1");
    linear(b, "fc2", "a1", 12, 4, 0, "m2");
    ob_node(b, "Mul", NULL, "post", 2, IN("m2", scalar(b, 0.5f)), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 4));
    return b;
}

/* Signed 4-bit input, 2- and 4-bit weights, bias, BatchNorm, Relu with an
 * unsigned 3-bit quantizer, float affine output. */
static OnnxBuilder *mlp_multibit(void)
{
    OnnxBuilder *b = ob_new("mlp_multibit");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 12));
    quant(b, "x", "a0", scalar(b, 0.125f), 0, 4, 1, 0, "ROUND");
    linear(b, "fc1", "a0", 12, 8, 2, "m1");
    float bias[8];
    for (int k = 0; k < 8; k++)
        bias[k] = urand(-1, 1);
    ob_node(b, "Add", NULL, "bias1", 2, IN("m1", cst(b, 1, DIMS(8), bias)), 1, IN("m1b"));
    batchnorm(b, "bn1", "m1b", "n1", 8, 2);
    ob_node(b, "Relu", NULL, "relu1", 1, IN("n1"), 1, IN("r1"));
    quant(b, "r1", "a1", scalar(b, 0.25f), 0, 3, 0, 0, "ROUND");
    linear(b, "fc2", "a1", 8, 5, 4, "m2");
    ob_node(b, "Mul", NULL, "post_mul", 2, IN("m2", scalar(b, 0.37f)), 1, IN("m3"));
    ob_node(b, "Add", NULL, "post_add", 2, IN("m3", cst(b, 1, DIMS(5), (float[]){ 1, -2, 3, 0, 1 })),
            1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 5));
    return b;
}

/* UNSW's shape: a BIPOLAR-annotated input mapped to {0, 1}, Gemm (transB,
 * float bias), BatchNorm, Relu and UINT2, Gemm, BipolarQuant output. */
static OnnxBuilder *gemm_bipolar_out(void)
{
    OnnxBuilder *b = ob_new("gemm_bipolar_out");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 10));
    ob_annotate(b, "x", "finn_datatype", "BIPOLAR");
    ob_node(b, "Add", NULL, "pre_add", 2, IN("x", scalar(b, 1)), 1, IN("x1"));
    ob_node(b, "Div", NULL, "pre_div", 2, IN("x1", scalar(b, 2)), 1, IN("x2"));
    weights(b, "w1", 2, DIMS(6, 10), 2, "w1q");
    float bias1[6], bias2[1] = { 0.25f };
    for (int k = 0; k < 6; k++)
        bias1[k] = urand(-2, 2);
    ObNode *g1 = ob_node(b, "Gemm", NULL, "gemm1", 3, IN("x2", "w1q", cst(b, 1, DIMS(6), bias1)),
                         1, IN("g1"));
    ob_attr_int(g1, "transB", 1);
    batchnorm(b, "bn1", "g1", "n1", 6, 2);
    ob_node(b, "Relu", NULL, "relu1", 1, IN("n1"), 1, IN("r1"));
    quant(b, "r1", "a1", scalar(b, 0.5f), 0, 2, 0, 0, "ROUND");
    weights(b, "w2", 2, DIMS(1, 6), 2, "w2q");
    ObNode *g2 = ob_node(b, "Gemm", NULL, "gemm2", 3, IN("a1", "w2q", cst(b, 1, DIMS(1), bias2)),
                         1, IN("g2"));
    ob_attr_int(g2, "transB", 1);
    bipolar(b, "g2", "y");
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 1));
    return b;
}

/* CNV's shape: an asymmetric UINT8 input quantizer (zero-point 3), Conv
 * with 2-bit per-channel weights and pads, BatchNorm, BipolarQuant,
 * MaxPool, a binary Conv, BatchNorm, INT2, Flatten, MatMul, a float scale. */
static OnnxBuilder *conv_pool(void)
{
    OnnxBuilder *b = ob_new("conv_pool");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 2, 6, 6));
    quant(b, "x", "a0", scalar(b, 1.0f / 64), 3, 8, 0, 0, "ROUND");
    weights(b, "w1", 4, DIMS(4, 2, 3, 3), 2, "w1q");
    float b1[4];
    for (int k = 0; k < 4; k++)
        b1[k] = urand(-0.5f, 0.5f);
    ObNode *c1 = ob_node(b, "Conv", NULL, "conv1", 3, IN("a0", "w1q", cst(b, 1, DIMS(4), b1)), 1,
                         IN("c1"));
    ob_attr_ints(c1, "kernel_shape", 2, DIMS(3, 3));
    ob_attr_ints(c1, "pads", 4, DIMS(1, 1, 1, 1));
    batchnorm(b, "bn1", "c1", "n1", 4, 3);
    bipolar(b, "n1", "a1");
    ObNode *mp = ob_node(b, "MaxPool", NULL, "pool", 1, IN("a1"), 1, IN("p1"));
    ob_attr_ints(mp, "kernel_shape", 2, DIMS(2, 2));
    ob_attr_ints(mp, "strides", 2, DIMS(2, 2));
    weights(b, "w2", 4, DIMS(3, 4, 2, 2), 0, "w2q");
    ObNode *c2 = ob_node(b, "Conv", NULL, "conv2", 2, IN("p1", "w2q"), 1, IN("c2"));
    ob_attr_ints(c2, "kernel_shape", 2, DIMS(2, 2));
    batchnorm(b, "bn2", "c2", "n2", 3, 3);
    quant(b, "n2", "a2", scalar(b, 1.0f), 0, 2, 1, 1, "ROUND");
    ob_node(b, "Flatten", NULL, "flat", 1, IN("a2"), 1, IN("f2"));
    linear(b, "fc", "f2", 12, 5, 2, "m3");
    ob_node(b, "Mul", NULL, "post", 2, IN("m3", scalar(b, 0.1f)), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 5));
    return b;
}

/* Two branches added (IntAdd), requantized with a FLOOR quantizer, and a
 * final layer with an output quantizer. */
static OnnxBuilder *add_branches(void)
{
    OnnxBuilder *b = ob_new("add_branches");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 8));
    quant(b, "x", "a0", scalar(b, 0.25f), 0, 4, 1, 0, "ROUND");
    linear(b, "fca", "a0", 8, 6, 3, "ma");
    quant(b, "ma", "qa", scalar(b, 0.5f), 0, 4, 1, 0, "ROUND");
    linear(b, "fcb", "a0", 8, 6, 3, "mb");
    quant(b, "mb", "qb", scalar(b, 0.5f), 0, 4, 1, 0, "ROUND");
    ob_node(b, "Add", NULL, "sum", 2, IN("qa", "qb"), 1, IN("s"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("s"), 1, IN("r"));
    quant(b, "r", "a1", scalar(b, 0.5f), 0, 3, 0, 0, "FLOOR");
    linear(b, "fc2", "a1", 6, 3, 4, "m2");
    quant(b, "m2", "y", scalar(b, 0.25f), 0, 8, 1, 0, "ROUND");
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 3));
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_pipeline_seeds DIR\n");
        return 2;
    }
    int failures = 0;
    rng_state = 1;
    save(mlp_binary(), argv[1], "mlp_binary", &failures);
    rng_state = 2;
    save(mlp_multibit(), argv[1], "mlp_multibit", &failures);
    rng_state = 3;
    save(gemm_bipolar_out(), argv[1], "gemm_bipolar_out", &failures);
    rng_state = 4;
    save(conv_pool(), argv[1], "conv_pool", &failures);
    rng_state = 5;
    save(add_branches(), argv[1], "add_branches", &failures);
    return failures ? 1 : 0;
}
