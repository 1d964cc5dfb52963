/* A small Brevitas-shaped CNN built in C (onnx_builder.h), for the grouped
 * convolutions and the residual block of issue 14 on the mcu and npu
 * targets, without the average pool (the integer graph's side):
 *
 *   x [1, 8, 6, 6] -> Quant UINT8, scale 1/256
 *   conv0   3x3 pad 1, 8 -> 8, dense                      -> UINT4
 *   convg   3x3 pad 1, 8 -> 8, group `groups`              -> UINT4
 *   convs   3x3 pad 1 stride 2, 8 -> 16, group `groups`    -> UINT4
 *           (groups = 8: depthwise with two outputs per channel)
 *   convp   1x1, 16 -> 8, dense (pointwise)                -> UINT4, scale s
 *   with `residual`, a ResNet basic block on that tensor a4:
 *     convr1 3x3 pad 1, 8 -> 8 -> UINT4;  convr2 3x3 pad 1, 8 -> 8 -> Quant
 *     INT5 of a4's scale s (the shared quantizer Brevitas puts around an
 *     add);  Add(a4, .) -> Relu -> Quant UINT4
 *   Flatten -> MatMul 72 -> 10 (float output y [1, 10])
 *
 * Every conv is Brevitas' QuantConv2d: 4-bit narrow weights, one scale per
 * output channel, no bias, then BatchNormalization, Relu and a QuantReLU
 * (FLOOR: 4-bit activations whose thresholds the NPU can meet). Weights
 * random but fixed by seed. `groups` must divide 8. */
#ifndef QONNXC_TESTS_BREVITAS_CNN_H
#define QONNXC_TESTS_BREVITAS_CNN_H

#include <stdbool.h>
#include <stdint.h>

#include "onnx_builder.h"

#define BREVITAS_CNN_C 8
#define BREVITAS_CNN_HW 6
#define BREVITAS_CNN_OUTPUTS 10

OnnxBuilder *brevitas_cnn(int groups, bool residual, uint32_t seed);

#endif
