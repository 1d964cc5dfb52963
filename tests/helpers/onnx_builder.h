/* Builds small ONNX/QONNX models in C and writes them as real .onnx files
 * (protobuf, the same schema the loader reads), so tests need no Python.
 *
 *     OnnxBuilder *b = ob_new("tiny");
 *     ob_opset(b, "qonnx.custom_op.general", 1);
 *     ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){-1, 4});      // -1: dim_param "batch"
 *     ob_init_f32(b, "w", 2, (int64_t[]){4, 3}, w);
 *     ob_node(b, "MatMul", NULL, "mm", 2, (const char *[]){"x", "w"}, 1, (const char *[]){"y"});
 *     ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){-1, 3});
 *     ob_write(b, "/tmp/tiny.onnx");
 *     ob_free(b);
 *
 * The builder checks nothing about the graph it builds: tests of bad input
 * build dangling names, duplicate outputs or cycles on purpose. Out of
 * memory aborts (it is test code). */
#ifndef QONNXC_TESTS_ONNX_BUILDER_H
#define QONNXC_TESTS_ONNX_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"

typedef struct OnnxBuilder OnnxBuilder;
typedef struct ObNode ObNode; /* a node being built, for adding attributes */

/* How ob_init stores tensor data: raw little-endian bytes (what exporters
 * write) or the typed repeated fields (float_data, int32_data, ...). */
typedef enum { OB_RAW, OB_TYPED } ObEncoding;

/* A model with IR version 8, importing the default domain at opset 13. */
OnnxBuilder *ob_new(const char *graph_name);
void ob_free(OnnxBuilder *b);

/* Imports `domain` ("" or NULL for ai.onnx) at `version`, replacing an
 * earlier import of the same domain. */
void ob_opset(OnnxBuilder *b, const char *domain, int64_t version);

/* Graph inputs, outputs and intermediate value infos. elem_type is an ET_*
 * (ET_UNDEFINED leaves it unset); rank -1 leaves the shape out; a dim of -1
 * is symbolic: dim_param "batch" for dim 0, "d<k>" for dim k. */
void ob_input(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims);
void ob_output(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims);
void ob_value_info(OnnxBuilder *b, const char *name, int elem_type, int rank,
                   const int64_t *dims);

/* An initializer. `data` holds the product of dims elements of the C type
 * matching elem_type: float, double, int64_t, int32_t, int16_t, int8_t,
 * uint8_t, uint16_t, uint32_t, uint64_t, bool, or uint16_t bits for FLOAT16
 * and BFLOAT16. data NULL means zeros. A tensor with a zero dim is written
 * without any data field, so it can have any element type (even STRING). */
void ob_init(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims,
             const void *data, ObEncoding enc);
/* Raw-encoded float32 and int64 initializers, the common cases. */
void ob_init_f32(OnnxBuilder *b, const char *name, int rank, const int64_t *dims,
                 const float *data);
void ob_init_i64(OnnxBuilder *b, const char *name, int rank, const int64_t *dims,
                 const int64_t *data);
/* An initializer whose data lives in an external file (which qonnxc rejects). */
void ob_init_external(OnnxBuilder *b, const char *name, int elem_type, int rank,
                      const int64_t *dims, const char *location);

/* A node, appended in call order. name and domain may be NULL (left unset);
 * an input or output name "" is an omitted optional one. */
ObNode *ob_node(OnnxBuilder *b, const char *op_type, const char *domain, const char *name,
                int n_in, const char *const *inputs, int n_out, const char *const *outputs);

void ob_attr_int(ObNode *n, const char *name, int64_t v);
void ob_attr_float(ObNode *n, const char *name, float v);
void ob_attr_string(ObNode *n, const char *name, const char *v);
void ob_attr_ints(ObNode *n, const char *name, int count, const int64_t *v);
void ob_attr_floats(ObNode *n, const char *name, int count, const float *v);
void ob_attr_strings(ObNode *n, const char *name, int count, const char *const *v);
/* A tensor attribute (Constant's `value`); data as for ob_init, raw-encoded. */
void ob_attr_tensor(ObNode *n, const char *name, int elem_type, int rank, const int64_t *dims,
                    const void *data);
/* An empty subgraph attribute (If/Loop bodies), only to exercise the kind. */
void ob_attr_graph(ObNode *n, const char *name, const char *graph_name);

/* ---- QONNX building blocks, shaped as Brevitas exports them ---------------- */

/* A float32 initializer under a fresh name "<prefix>_<n>" (n counts the
 * names these functions made in this builder; choose a prefix no other
 * tensor starts with); returns the name, which lives as long as the
 * builder. */
const char *ob_const_f32(OnnxBuilder *b, const char *prefix, int rank, const int64_t *dims,
                         const float *data);
/* The same for one float32 scalar (rank 0). */
const char *ob_scalar_f32(OnnxBuilder *b, const char *prefix, float v);

/* What a QONNX Quant node is given besides its data input. scale is the
 * name of a tensor (per tensor or per channel, see ob_const_f32); zeropt
 * and bits become fresh scalars; rounding NULL means "ROUND". */
typedef struct ObQuant {
    const char *scale;
    float zeropt;
    int bits;
    bool is_signed, narrow;
    const char *rounding;
} ObQuant;

/* Quant(in, scale, zeropt, bits) -> out, in the QONNX domain
 * "qonnx.custom_op.general" (the caller imports it with ob_opset). */
ObNode *ob_quant(OnnxBuilder *b, const char *name, const char *in, const char *out,
                 const ObQuant *q);

/* A quantization annotation on a tensor, e.g. ("finn_datatype", "INT4"). */
void ob_annotate(OnnxBuilder *b, const char *tensor, const char *key, const char *value);

/* The serialized model in a malloc'ed buffer (caller frees). */
unsigned char *ob_serialize(const OnnxBuilder *b, size_t *len);
/* Writes the serialized model; false if the file cannot be written. */
bool ob_write(const OnnxBuilder *b, const char *path);
/* Serializes and loads the model in memory (onnx_load_mem), naming it
 * "<graph_name>.onnx" in messages. */
Graph *ob_load(const OnnxBuilder *b, Diag *d);

#endif
