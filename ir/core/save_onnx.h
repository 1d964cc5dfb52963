/* Writing the graph IR back as an ONNX model (protobuf, the schema of
 * libonnx-dev), for `--dump-after STEP --dump-to FILE.onnx`: the graph as
 * it is after a step, readable by onnx_load_file and by ONNX tools.
 *
 * Every node with its domain and attributes, constants as initializers
 * (raw little-endian data; float-like values as float32), inputs and
 * outputs with their element types and shapes, the other tensors as
 * value_info, QONNX datatypes as quantization annotations
 * ("finn_datatype"), the opset imports as loaded. A graph-valued
 * attribute, a string tensor or an attribute of an unknown kind cannot be
 * written: an error names the node. */
#ifndef QONNXC_SAVE_ONNX_H
#define QONNXC_SAVE_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

/* The serialized model in a malloc'ed buffer (*buf, *len); false with d. */
bool onnx_save_mem(const Graph *g, uint8_t **buf, size_t *len, Diag *d);
/* The same into a file. */
bool onnx_save_file(const Graph *g, const char *path, Diag *d);

#endif
