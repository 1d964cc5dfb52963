#include "brevitas_mlp.h"

#include <stdio.h>
#include <stdlib.h>

#include "graph.h"

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

/* A hidden or last layer: its shape and how Brevitas quantized it. */
typedef struct Layer {
    const char *name;
    int K, N;                   /* inputs, outputs */
    int wbits;                  /* signed, narrow, one scale per output channel */
    double wscale_lo, wscale_hi;
    float in_scale;             /* scale of the layer's input (for the INT32 bias) */
} Layer;

/* Float weights w [N, K] and their Quant (scale [N, 1]) into the tensor
 * "<layer>_weight_quant" (its name into q, of 64 chars). wscale receives
 * the N scales. */
static void quant_weights(OnnxBuilder *b, Rng *r, const Layer *l, float *w, float *wscale,
                          char *q)
{
    int64_t top = ((int64_t)1 << (l->wbits - 1)) - 1;
    for (int n = 0; n < l->N; n++) {
        wscale[n] = (float)urand(r, l->wscale_lo, l->wscale_hi);
        for (int k = 0; k < l->K; k++)
            w[n * l->K + k] = (float)urand(r, -(double)top - 0.4, (double)top + 0.4) * wscale[n];
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%s_weight", l->name);
    snprintf(q, 64, "%s_weight_quant", l->name);
    ob_init_f32(b, raw, 2, (int64_t[]){ l->N, l->K }, w);
    const char *s = ob_const_f32(b, "weight_scale", 2, (int64_t[]){ l->N, 1 }, wscale);
    ob_quant(b, q, raw, q, &(ObQuant){ .scale = s, .bits = l->wbits, .is_signed = true,
                                       .narrow = true });
}

/* Gemm(in, W^T, bias) of a hidden layer, the bias an INT32 Quant whose
 * scale is in_scale * wscale[n] (Brevitas' Int32Bias), then
 * BatchNormalization, Relu and an unsigned activation Quant into out.
 * The statistics are those of inputs of mean in_mean and deviation in_std,
 * as training would leave them, so the activations vary with the input. */
static void hidden_layer(OnnxBuilder *b, Rng *r, const Layer *l, const char *in,
                         double in_mean, double in_std, int abits, float ascale,
                         const char *out)
{
    float w[64 * 64], wscale[64], bias[64], bscale[64], g[64], be[64], m[64], v[64];
    char wq[64];
    quant_weights(b, r, l, w, wscale, wq);
    for (int n = 0; n < l->N; n++) {
        bias[n] = (float)urand(r, -0.2, 0.2);
        bscale[n] = l->in_scale * wscale[n];
    }
    char t[6][64];
    const char *suffix[6] = { "bias", "bias_quant", "gemm", "bn", "relu", "gemm_node" };
    for (int k = 0; k < 6; k++)
        snprintf(t[k], sizeof t[k], "%s_%s", l->name, suffix[k]);
    const int64_t nd[1] = { l->N };
    ob_init_f32(b, t[0], 1, nd, bias);
    ob_quant(b, t[1], t[0], t[1], &(ObQuant){ .scale = ob_const_f32(b, "bias_scale", 1, nd, bscale),
                                              .bits = 32, .is_signed = true });
    ObNode *gemm = ob_node(b, "Gemm", NULL, t[5], 3, (const char *[]){ in, wq, t[1] }, 1,
                           (const char *[]){ t[2] });
    ob_attr_int(gemm, "transB", 1);
    /* some gammas negative, so some channels' thresholds run downwards */
    for (int n = 0; n < l->N; n++) {
        double sum = 0, sq = 0;
        for (int k = 0; k < l->K; k++) {
            sum += w[n * l->K + k];
            sq += (double)w[n * l->K + k] * w[n * l->K + k];
        }
        g[n] = (float)(urand(r, 0.5, 1.5) * (n % 5 == 3 ? -1 : 1));
        be[n] = (float)urand(r, 0.5, 1.5);
        m[n] = (float)(sum * in_mean + bias[n] + urand(r, -0.1, 0.1));
        v[n] = (float)(sq * in_std * in_std * urand(r, 0.5, 1.5));
    }
    char bn_node[64];
    snprintf(bn_node, sizeof bn_node, "%s_batchnorm", l->name);
    ob_node(b, "BatchNormalization", NULL, bn_node, 5,
            (const char *[]){ t[2], ob_const_f32(b, "bn_gamma", 1, nd, g),
                              ob_const_f32(b, "bn_beta", 1, nd, be),
                              ob_const_f32(b, "bn_mean", 1, nd, m),
                              ob_const_f32(b, "bn_var", 1, nd, v) },
            1, (const char *[]){ t[3] });
    char relu_node[64], act_node[64];
    snprintf(relu_node, sizeof relu_node, "%s_relu_node", l->name);
    snprintf(act_node, sizeof act_node, "%s_act_quant", l->name);
    ob_node(b, "Relu", NULL, relu_node, 1, (const char *[]){ t[3] }, 1, (const char *[]){ t[4] });
    ob_quant(b, act_node, t[4], out, &(ObQuant){ .scale = ob_scalar_f32(b, "act_scale", ascale),
                                                 .bits = abits });
}

OnnxBuilder *brevitas_mlp_float_bias(uint32_t seed, bool last_matmul)
{
    Rng r = { seed ? seed : 1 };
    OnnxBuilder *b = ob_new("float_bias_mlp");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, BREVITAS_MLP_INPUTS });
    /* ShiftedUint8: q = clamp(round(x / s + 37), 0, 255), x = (q - 37) s;
     * inputs in [0, 1) reach q = 287 and saturate */
    const float in_scale = 1.0f / 250, a1_scale = 0.25f, a2_scale = 0.5f;
    ob_quant(b, "input_quant", "x", "a0",
             &(ObQuant){ .scale = ob_scalar_f32(b, "in_scale", in_scale), .zeropt = 37,
                         .bits = 8 });
    Layer fc1 = { "fc1", BREVITAS_MLP_INPUTS, 16, 3, 0.05, 0.2, in_scale };
    hidden_layer(b, &r, &fc1, "a0", 0.35, 0.3, 4, a1_scale, "a1");
    Layer fc2 = { "fc2", 16, 12, 5, 0.01, 0.04, a1_scale };
    hidden_layer(b, &r, &fc2, "a1", 1.0, 1.0, 3, a2_scale, "a2");

    Layer fc3 = { "fc3", 12, BREVITAS_MLP_OUTPUTS, 8, 0.004, 0.012, a2_scale };
    float w[12 * BREVITAS_MLP_OUTPUTS], wscale[BREVITAS_MLP_OUTPUTS], bias[BREVITAS_MLP_OUTPUTS];
    char wq[64];
    quant_weights(b, &r, &fc3, w, wscale, wq);
    for (int n = 0; n < fc3.N; n++)
        bias[n] = (float)urand(&r, -0.5, 0.5);
    const int64_t nd[1] = { fc3.N };
    ob_init_f32(b, "fc3_bias", 1, nd, bias);
    if (last_matmul) {
        ObNode *t = ob_node(b, "Transpose", NULL, "fc3_weight_t", 1, (const char *[]){ wq }, 1,
                            (const char *[]){ "fc3_weight_t" });
        ob_attr_ints(t, "perm", 2, (int64_t[]){ 1, 0 });
        ob_node(b, "MatMul", NULL, "fc3_matmul", 2, (const char *[]){ "a2", "fc3_weight_t" }, 1,
                (const char *[]){ "fc3_mm" });
        ob_node(b, "Add", NULL, "fc3_add_bias", 2, (const char *[]){ "fc3_mm", "fc3_bias" }, 1,
                (const char *[]){ "y" });
    } else {
        ObNode *gemm = ob_node(b, "Gemm", NULL, "fc3_gemm", 3,
                               (const char *[]){ "a2", wq, "fc3_bias" }, 1,
                               (const char *[]){ "y" });
        ob_attr_int(gemm, "transB", 1);
    }
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, BREVITAS_MLP_OUTPUTS });
    return b;
}
