/* The ONNX tensor and shape ops: data movement, shapes and constants.
 * Each lives in its own file (ir/op_<name>.c); shared helpers are in
 * ir/op_tensor.h. */
#include "ops.h"

extern const OpDef op_cast, op_cast_like, op_concat, op_constant, op_constant_of_shape,
    op_depth_to_space, op_dropout, op_expand, op_flatten, op_gather, op_gather_elements,
    op_identity, op_pad, op_range, op_reshape, op_shape, op_size, op_slice, op_space_to_depth,
    op_split, op_squeeze, op_tile, op_transpose, op_unsqueeze;

const OpDef *const onnx_tensor_ops[] = {
    &op_cast, &op_cast_like, &op_concat, &op_constant, &op_constant_of_shape,
    &op_depth_to_space, &op_dropout, &op_expand, &op_flatten, &op_gather, &op_gather_elements,
    &op_identity, &op_pad, &op_range, &op_reshape, &op_shape, &op_size, &op_slice,
    &op_space_to_depth, &op_split, &op_squeeze, &op_tile, &op_transpose, &op_unsqueeze,
    NULL,
};
