#include "brevitas_cnn.h"

#include <stdio.h>
#include <stdlib.h>

#define QONNX "qonnx.custom_op.general"

typedef struct Rng {
    uint32_t s;
} Rng;

static double urand(Rng *r, double lo, double hi)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 17;
    r->s ^= r->s << 5;
    return lo + (hi - lo) * (r->s / 4294967296.0);
}

typedef struct Conv {
    const char *name;
    int in_c, out_c, k, stride, group;
} Conv;

/* QuantConv2d + BatchNormalization into "<name>_bn" (returned in bn, 64
 * chars). The BN statistics are those of inputs of mean in_mean and
 * deviation in_std, so the activations after it vary with the input. */
static void conv_bn(OnnxBuilder *b, Rng *r, const Conv *c, const char *in, double in_mean,
                    double in_std, char *bn)
{
    int cg = c->in_c / c->group, taps = cg * c->k * c->k;
    int count = c->out_c * taps;
    float *w = malloc((size_t)count * sizeof *w);
    float wscale[64], g[64], be[64], m[64], v[64];
    for (int o = 0; o < c->out_c; o++) {
        wscale[o] = (float)urand(r, 0.05, 0.2);
        double sum = 0, sq = 0;
        for (int k = 0; k < taps; k++) {
            float x = (float)urand(r, -7.4, 7.4) * wscale[o];
            w[o * taps + k] = x;
            sum += x;
            sq += (double)x * x;
        }
        g[o] = (float)(urand(r, 0.5, 1.5) * (o % 5 == 3 ? -1 : 1));
        be[o] = (float)urand(r, 0.5, 1.5);
        m[o] = (float)(sum * in_mean + urand(r, -0.1, 0.1));
        v[o] = (float)(sq * in_std * in_std * urand(r, 0.5, 1.5));
    }
    char raw[64], wq[64], acc[64];
    snprintf(raw, sizeof raw, "%s_weight", c->name);
    snprintf(wq, sizeof wq, "%s_weight_quant", c->name);
    snprintf(acc, sizeof acc, "%s_conv", c->name);
    snprintf(bn, 64, "%s_bn", c->name);
    ob_init_f32(b, raw, 4, (int64_t[]){ c->out_c, cg, c->k, c->k }, w);
    free(w);
    const char *s = ob_const_f32(b, "weight_scale", 4, (int64_t[]){ c->out_c, 1, 1, 1 }, wscale);
    ob_quant(b, wq, raw, wq, &(ObQuant){ .scale = s, .bits = 4, .is_signed = true, .narrow = true });
    ObNode *n = ob_node(b, "Conv", NULL, c->name, 2, (const char *[]){ in, wq }, 1,
                        (const char *[]){ acc });
    int64_t p = c->k / 2;
    ob_attr_ints(n, "kernel_shape", 2, (int64_t[]){ c->k, c->k });
    ob_attr_ints(n, "pads", 4, (int64_t[]){ p, p, p, p });
    ob_attr_ints(n, "strides", 2, (int64_t[]){ c->stride, c->stride });
    ob_attr_int(n, "group", c->group);
    const int64_t nd[1] = { c->out_c };
    char bn_node[64];
    snprintf(bn_node, sizeof bn_node, "%s_batchnorm", c->name);
    ob_node(b, "BatchNormalization", NULL, bn_node, 5,
            (const char *[]){ acc, ob_const_f32(b, "bn_gamma", 1, nd, g),
                              ob_const_f32(b, "bn_beta", 1, nd, be),
                              ob_const_f32(b, "bn_mean", 1, nd, m),
                              ob_const_f32(b, "bn_var", 1, nd, v) },
            1, (const char *[]){ bn });
}

/* Relu, then an unsigned 4-bit QuantReLU (FLOOR) of scale `scale` into out. */
static void quant_relu(OnnxBuilder *b, const char *name, const char *in, float scale,
                       const char *out)
{
    char relu[64], relu_node[64], q[64];
    snprintf(relu, sizeof relu, "%s_relu", name);
    snprintf(relu_node, sizeof relu_node, "%s_relu_node", name);
    snprintf(q, sizeof q, "%s_act_quant", name);
    ob_node(b, "Relu", NULL, relu_node, 1, (const char *[]){ in }, 1, (const char *[]){ relu });
    ob_quant(b, q, relu, out, &(ObQuant){ .scale = ob_scalar_f32(b, "act_scale", scale),
                                          .bits = 4, .rounding = "FLOOR" });
}

static void layer(OnnxBuilder *b, Rng *r, const Conv *c, const char *in, const char *out,
                  float scale)
{
    char bn[64];
    conv_bn(b, r, c, in, 0.5, 0.5, bn);
    quant_relu(b, c->name, bn, scale, out);
}

OnnxBuilder *brevitas_cnn(int groups, bool residual, uint32_t seed)
{
    Rng r = { seed ? seed : 1 };
    const int C = BREVITAS_CNN_C, HW = BREVITAS_CNN_HW;
    OnnxBuilder *b = ob_new(residual ? "brevitas_cnn_residual" : "brevitas_cnn");
    ob_opset(b, "", 13);
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 4, (int64_t[]){ 1, C, HW, HW });
    ob_quant(b, "input_quant", "x", "a0",
             &(ObQuant){ .scale = ob_scalar_f32(b, "in_scale", 1.0f / 256), .bits = 8 });
    const float s = 0.25f;
    layer(b, &r, &(Conv){ "conv0", C, C, 3, 1, 1 }, "a0", "a1", s);
    layer(b, &r, &(Conv){ "convg", C, C, 3, 1, groups }, "a1", "a2", s);
    layer(b, &r, &(Conv){ "convs", C, 2 * C, 3, 2, groups }, "a2", "a3", s);
    layer(b, &r, &(Conv){ "convp", 2 * C, C, 1, 1, 1 }, "a3", "a4", s);
    const char *last = "a4";
    if (residual) {
        char bn[64];
        layer(b, &r, &(Conv){ "convr1", C, C, 3, 1, 1 }, "a4", "a5", s);
        conv_bn(b, &r, &(Conv){ "convr2", C, C, 3, 1, 1 }, "a5", 0.5, 0.5, bn);
        /* the shared quantizer: the branch in the skip tensor's scale */
        ob_quant(b, "convr2_act_quant", bn, "a6",
                 &(ObQuant){ .scale = ob_scalar_f32(b, "act_scale", s), .bits = 5,
                             .is_signed = true, .rounding = "FLOOR" });
        ob_node(b, "Add", NULL, "residual_add", 2, (const char *[]){ "a4", "a6" }, 1,
                (const char *[]){ "sum" });
        quant_relu(b, "block", "sum", s, "a7");
        last = "a7";
    }
    ObNode *fl = ob_node(b, "Flatten", NULL, "flatten", 1, (const char *[]){ last }, 1,
                         (const char *[]){ "flat" });
    ob_attr_int(fl, "axis", 1);
    int K = C * (HW / 2) * (HW / 2), N = BREVITAS_CNN_OUTPUTS;
    float *w = malloc((size_t)K * N * sizeof *w);
    for (int k = 0; k < K * N; k++)
        w[k] = (float)(int)urand(&r, -7.99, 7.99) / 8;
    ob_init_f32(b, "fc_weight", 2, (int64_t[]){ K, N }, w);
    free(w);
    ob_quant(b, "fc_weight_quant", "fc_weight", "fc_wq",
             &(ObQuant){ .scale = ob_scalar_f32(b, "fc_scale", 1.0f / 8), .bits = 4,
                         .is_signed = true });
    ob_node(b, "MatMul", NULL, "fc", 2, (const char *[]){ "flat", "fc_wq" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, N });
    return b;
}
