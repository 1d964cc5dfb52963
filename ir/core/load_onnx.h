/* Reading ONNX files (protobuf, schema from libonnx-dev) into the graph IR. */
#ifndef QONNXC_LOAD_ONNX_H
#define QONNXC_LOAD_ONNX_H

#include <stddef.h>

#include "graph.h"

/* Builds a graph from an ONNX model file. The graph is as written in the
 * file: not yet resolved, cleaned or shape-inferred (see cleanup.h).
 * Returns NULL and fills d on any error; nothing is left allocated. */
Graph *onnx_load_file(const char *path, Diag *d);
/* The same from a buffer; `name` stands for the file in messages. */
Graph *onnx_load_mem(const void *buf, size_t len, const char *name, Diag *d);

/* Reads a serialized TensorProto (the conformance tests' input_0.pb files)
 * into a value allocated in arena `a`. */
Value *onnx_load_tensor_file(const char *path, Arena *a, Diag *d);

#endif
