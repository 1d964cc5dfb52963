/* A model whose graph input is unquantized, as QKeras exports them: the
 * float input goes straight into the first MatMul (issue 12, defect 4).
 *
 *   x [1, 8] float -> MatMul(W1: INT4 weights, scale 1/4)
 *                  -> Quant(UINT4, scale 1/2)           the hidden activation
 *                  -> MatMul(W2: INT3 weights, scale 1/8) -> y [1, 4]
 *
 * Every scale is a power of two and every value small, so once the input is
 * quantized (qonnxc --input-type) the golden executor's float arithmetic is
 * exact and the integer engine must equal it bit for bit. */
#ifndef QONNXC_TESTS_FLOAT_INPUT_MODEL_H
#define QONNXC_TESTS_FLOAT_INPUT_MODEL_H

#include <stdbool.h>

#include "onnx_builder.h"

#define FLOAT_INPUT_MODEL_IN 8
#define FLOAT_INPUT_MODEL_OUT 4

/* The model above, as a builder (ob_free it). */
OnnxBuilder *ob_float_input_mlp(void);

#endif
