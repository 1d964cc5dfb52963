#include "ops.h"

/* Filled as the ops of this family are implemented. */
const OpDef *const onnx_tensor_ops[] = {
    NULL,
};
