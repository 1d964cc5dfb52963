/* The ONNX math ops of the golden executor (float32 semantics), one file
 * per op or tight family: op_elementwise.c, op_matmul.c, op_gemm.c,
 * op_conv.c, op_batchnorm.c, op_pool.c, op_softmax.c, op_argmax.c,
 * op_quantize_linear.c. */
#include "ops.h"

extern const OpDef op_add, op_sub, op_mul, op_div, op_pow;
extern const OpDef op_relu, op_sigmoid, op_tanh, op_abs, op_neg, op_exp, op_log, op_sqrt,
    op_floor, op_ceil, op_round, op_sign, op_clip;
extern const OpDef op_matmul, op_gemm, op_conv, op_batchnorm;
extern const OpDef op_maxpool, op_averagepool, op_globalmaxpool, op_globalaveragepool;
extern const OpDef op_softmax, op_logsoftmax, op_argmax, op_argmin;
extern const OpDef op_quantize_linear, op_dequantize_linear;

const OpDef *const onnx_math_ops[] = {
    &op_add, &op_sub, &op_mul, &op_div, &op_pow,
    &op_relu, &op_sigmoid, &op_tanh, &op_abs, &op_neg, &op_exp, &op_log, &op_sqrt,
    &op_floor, &op_ceil, &op_round, &op_sign, &op_clip,
    &op_matmul, &op_gemm, &op_conv, &op_batchnorm,
    &op_maxpool, &op_averagepool, &op_globalmaxpool, &op_globalaveragepool,
    &op_softmax, &op_logsoftmax, &op_argmax, &op_argmin,
    &op_quantize_linear, &op_dequantize_linear,
    NULL,
};
