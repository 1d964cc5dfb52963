/* A Brevitas-shaped MLP built in C (onnx_builder.h), the model of issue 12
 * (1): what a user's export looks like when the last QuantLinear keeps an
 * unquantized float bias and has no output quantizer.
 *
 *   x [1, 20] -> Quant UINT8, scale 1/250, zero point 37 (asymmetric: the
 *        integers q - 37 span [-37, 218], INT9)
 *   fc1: Gemm(transB) weights 3 bits, narrow, one scale per output channel;
 *        bias Quant INT32 with scale = input scale * weight scale (Int32Bias)
 *        -> BatchNormalization -> Relu -> Quant UINT4          (QuantReLU)
 *   fc2: the same with 5-bit weights                           -> Quant UINT3
 *   fc3: weights 8 bits, per output channel; bias float, unquantized;
 *        no output quantizer -> y [1, 10]
 *
 * fc3 is a Gemm (transB = 1, as Brevitas exports QuantLinear), or with
 * last_matmul a MatMul followed by an Add of the bias. The weights are
 * random but fixed by `seed`. */
#ifndef QONNXC_TESTS_BREVITAS_MLP_H
#define QONNXC_TESTS_BREVITAS_MLP_H

#include <stdbool.h>
#include <stdint.h>

#include "onnx_builder.h"

#define BREVITAS_MLP_INPUTS 20
#define BREVITAS_MLP_OUTPUTS 10

OnnxBuilder *brevitas_mlp_float_bias(uint32_t seed, bool last_matmul);

#endif
