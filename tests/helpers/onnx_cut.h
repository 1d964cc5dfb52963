/* Cutting a model before an op, to test what the compiler can already do
 * on the part of a real export before a construct it cannot (issue 14:
 * ResNet-20 and MobileNet before their average pool). */
#ifndef QONNXC_TESTS_ONNX_CUT_H
#define QONNXC_TESTS_ONNX_CUT_H

#include <stdbool.h>
#include <stddef.h>

/* Writes to out_path the model at in_path cut before its first node of
 * type op_type: that node's first input becomes the only graph output
 * (float, shape left to inference) and only the nodes it depends on stay.
 * The nodes must be in topological order, as exporters write them. False
 * with a message in err when the file cannot be read or written or has no
 * such node. */
bool onnx_cut_before(const char *in_path, const char *out_path, const char *op_type, char *err,
                     size_t err_size);

#endif
