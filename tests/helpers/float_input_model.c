#include "float_input_model.h"

#include <stdio.h>

#define HIDDEN 6
#define QONNX_DOMAIN "qonnx.custom_op.general"

static void scalar(OnnxBuilder *b, const char *name, float v)
{
    ob_init_f32(b, name, 0, NULL, &v);
}

/* Quant(in; scale, zero point 0, bits) -> out, rounding half to even. */
static void quant(OnnxBuilder *b, const char *in, const char *out, float scale, int bits,
                  bool is_signed, bool narrow)
{
    char s[64], z[64], w[64];
    snprintf(s, sizeof s, "%s_scale", out);
    snprintf(z, sizeof z, "%s_zeropt", out);
    snprintf(w, sizeof w, "%s_bitwidth", out);
    scalar(b, s, scale);
    scalar(b, z, 0.0f);
    scalar(b, w, (float)bits);
    ObNode *q = ob_node(b, "Quant", QONNX_DOMAIN, out, 4, (const char *[]){ in, s, z, w }, 1,
                        (const char *[]){ out });
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", narrow);
    ob_attr_string(q, "rounding_mode", "ROUND");
}

/* Weights [K, N]: integers in [-lim, lim] from a fixed pattern, times scale,
 * behind a weight Quant that gives those integers back. */
static void weights(OnnxBuilder *b, const char *name, int K, int N, int bits, float scale)
{
    float w[FLOAT_INPUT_MODEL_IN * HIDDEN];
    int lim = (1 << (bits - 1)) - 1;
    for (int k = 0; k < K * N; k++)
        w[k] = (float)((k * 5 + 3) % (2 * lim + 1) - lim) * scale;
    char raw[64];
    snprintf(raw, sizeof raw, "%s_raw", name);
    ob_init_f32(b, raw, 2, (int64_t[]){ K, N }, w);
    quant(b, raw, name, scale, bits, true, true);
}

OnnxBuilder *ob_float_input_mlp(void)
{
    OnnxBuilder *b = ob_new("float_input_mlp");
    ob_opset(b, QONNX_DOMAIN, 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, FLOAT_INPUT_MODEL_IN });
    weights(b, "w1", FLOAT_INPUT_MODEL_IN, HIDDEN, 4, 0.25f);
    ob_node(b, "MatMul", NULL, "fc1", 2, (const char *[]){ "x", "w1" }, 1,
            (const char *[]){ "h_float" });
    quant(b, "h_float", "h", 0.5f, 4, false, false);
    weights(b, "w2", HIDDEN, FLOAT_INPUT_MODEL_OUT, 3, 0.125f);
    ob_node(b, "MatMul", NULL, "fc2", 2, (const char *[]){ "h", "w2" }, 1,
            (const char *[]){ "y" });
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, FLOAT_INPUT_MODEL_OUT });
    return b;
}
