/* The model is built directly as protobuf-c messages. Every string, array
 * and submessage is malloc'ed on its own, so protobuf-c's free_unpacked
 * releases the whole tree in ob_free. */
#include "onnx_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_onnx.h"
#include "onnx/onnx.pb-c.h"

struct OnnxBuilder {
    Onnx__ModelProto *model;
    int fresh;                  /* names made by ob_const_f32 so far */
};

/* ObNode is an opaque name for the node message. */
static Onnx__NodeProto *node_proto(ObNode *n)
{
    return (Onnx__NodeProto *)n;
}

/* ---- memory -------------------------------------------------------------- */

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "onnx_builder: out of memory\n");
        abort();
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "onnx_builder: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* Appends item to a repeated field (*array, *count). */
static void append(void *array_ptr, size_t *count, const void *item, size_t item_size)
{
    void **array = array_ptr;
    void *grown = realloc(*array, (*count + 1) * item_size);
    if (!grown) {
        fprintf(stderr, "onnx_builder: out of memory\n");
        abort();
    }
    memcpy((char *)grown + *count * item_size, item, item_size);
    *array = grown;
    (*count)++;
}
#define APPEND(array, count, item) append(&(array), &(count), &(item), sizeof(item))

/* A heap copy of a message initialised by its INIT macro. */
#define NEW_MSG(type, init) \
    ((type *)memcpy(xmalloc(sizeof(type)), &(type)init, sizeof(type)))

/* ---- model ---------------------------------------------------------------- */

OnnxBuilder *ob_new(const char *graph_name)
{
    OnnxBuilder *b = xcalloc(1, sizeof *b);
    b->model = NEW_MSG(Onnx__ModelProto, ONNX__MODEL_PROTO__INIT);
    b->model->has_ir_version = true;
    b->model->ir_version = 8;
    b->model->producer_name = xstrdup("qonnxc-tests");
    b->model->graph = NEW_MSG(Onnx__GraphProto, ONNX__GRAPH_PROTO__INIT);
    b->model->graph->name = xstrdup(graph_name ? graph_name : "graph");
    ob_opset(b, "", 13);
    return b;
}

void ob_free(OnnxBuilder *b)
{
    if (!b)
        return;
    onnx__model_proto__free_unpacked(b->model, NULL);
    free(b);
}

void ob_opset(OnnxBuilder *b, const char *domain, int64_t version)
{
    const char *dom = domain ? domain : "";
    Onnx__ModelProto *m = b->model;
    for (size_t k = 0; k < m->n_opset_import; k++)
        if (!strcmp(m->opset_import[k]->domain ? m->opset_import[k]->domain : "", dom)) {
            m->opset_import[k]->version = version;
            return;
        }
    Onnx__OperatorSetIdProto *op = NEW_MSG(Onnx__OperatorSetIdProto,
                                           ONNX__OPERATOR_SET_ID_PROTO__INIT);
    op->domain = xstrdup(dom);
    op->has_version = true;
    op->version = version;
    APPEND(m->opset_import, m->n_opset_import, op);
}

/* ---- value infos ---------------------------------------------------------- */

static Onnx__ValueInfoProto *value_info(const char *name, int elem_type, int rank,
                                        const int64_t *dims)
{
    Onnx__ValueInfoProto *vi = NEW_MSG(Onnx__ValueInfoProto, ONNX__VALUE_INFO_PROTO__INIT);
    vi->name = xstrdup(name);
    Onnx__TypeProto__Tensor *tt = NEW_MSG(Onnx__TypeProto__Tensor, ONNX__TYPE_PROTO__TENSOR__INIT);
    if (elem_type != ET_UNDEFINED) {
        tt->has_elem_type = true;
        tt->elem_type = elem_type;
    }
    if (rank >= 0) {
        tt->shape = NEW_MSG(Onnx__TensorShapeProto, ONNX__TENSOR_SHAPE_PROTO__INIT);
        for (int k = 0; k < rank; k++) {
            Onnx__TensorShapeProto__Dimension *dim =
                NEW_MSG(Onnx__TensorShapeProto__Dimension, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT);
            if (dims[k] >= 0) {
                dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                dim->dim_value = dims[k];
            } else {
                char param[32];
                snprintf(param, sizeof param, k == 0 ? "batch" : "d%d", k);
                dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                dim->dim_param = xstrdup(param);
            }
            APPEND(tt->shape->dim, tt->shape->n_dim, dim);
        }
    }
    Onnx__TypeProto *type = NEW_MSG(Onnx__TypeProto, ONNX__TYPE_PROTO__INIT);
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    vi->type = type;
    return vi;
}

void ob_input(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims)
{
    Onnx__GraphProto *g = b->model->graph;
    Onnx__ValueInfoProto *vi = value_info(name, elem_type, rank, dims);
    APPEND(g->input, g->n_input, vi);
}

void ob_output(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims)
{
    Onnx__GraphProto *g = b->model->graph;
    Onnx__ValueInfoProto *vi = value_info(name, elem_type, rank, dims);
    APPEND(g->output, g->n_output, vi);
}

void ob_value_info(OnnxBuilder *b, const char *name, int elem_type, int rank,
                   const int64_t *dims)
{
    Onnx__GraphProto *g = b->model->graph;
    Onnx__ValueInfoProto *vi = value_info(name, elem_type, rank, dims);
    APPEND(g->value_info, g->n_value_info, vi);
}

/* ---- tensors -------------------------------------------------------------- */

/* Bytes per element of the C type ob_init reads for an element type. */
static size_t c_size(int elem_type)
{
    switch (elem_type) {
    case ET_FLOAT: return sizeof(float);
    case ET_DOUBLE: return sizeof(double);
    case ET_INT64: return sizeof(int64_t);
    case ET_UINT64: return sizeof(uint64_t);
    case ET_INT32: return sizeof(int32_t);
    case ET_UINT32: return sizeof(uint32_t);
    case ET_INT16: return sizeof(int16_t);
    case ET_UINT16: case ET_FLOAT16: case ET_BFLOAT16: return sizeof(uint16_t);
    case ET_INT8: return sizeof(int8_t);
    case ET_UINT8: return sizeof(uint8_t);
    case ET_BOOL: return sizeof(bool);
    default:
        fprintf(stderr, "onnx_builder: element type %d has no data support\n", elem_type);
        abort();
    }
}

/* Bytes per element in raw_data (ONNX fixes bool at one byte). */
static size_t raw_size(int elem_type)
{
    return elem_type == ET_BOOL ? 1 : c_size(elem_type);
}

/* Element k of a C array of elem_type, as raw bits (sign-extended for signed types). */
static uint64_t c_bits(int elem_type, const void *data, size_t k)
{
    switch (elem_type) {
    case ET_FLOAT: {
        uint32_t u;
        memcpy(&u, (const float *)data + k, sizeof u);
        return u;
    }
    case ET_DOUBLE: {
        uint64_t u;
        memcpy(&u, (const double *)data + k, sizeof u);
        return u;
    }
    case ET_INT64: return (uint64_t)((const int64_t *)data)[k];
    case ET_UINT64: return ((const uint64_t *)data)[k];
    case ET_INT32: return (uint64_t)(int64_t)((const int32_t *)data)[k];
    case ET_UINT32: return ((const uint32_t *)data)[k];
    case ET_INT16: return (uint64_t)(int64_t)((const int16_t *)data)[k];
    case ET_UINT16: case ET_FLOAT16: case ET_BFLOAT16: return ((const uint16_t *)data)[k];
    case ET_INT8: return (uint64_t)(int64_t)((const int8_t *)data)[k];
    case ET_UINT8: return ((const uint8_t *)data)[k];
    case ET_BOOL: return ((const bool *)data)[k] ? 1 : 0;
    default: return 0;
    }
}

static Onnx__TensorProto *tensor_header(const char *name, int elem_type, int rank,
                                        const int64_t *dims, size_t *count)
{
    Onnx__TensorProto *t = NEW_MSG(Onnx__TensorProto, ONNX__TENSOR_PROTO__INIT);
    t->name = xstrdup(name);
    t->has_data_type = true;
    t->data_type = elem_type;
    t->n_dims = (size_t)(rank > 0 ? rank : 0);
    t->dims = xcalloc(t->n_dims, sizeof *t->dims);
    *count = 1;
    for (int k = 0; k < rank; k++) {
        t->dims[k] = dims[k];
        *count *= (size_t)(dims[k] > 0 ? dims[k] : 0);
    }
    return t;
}

static void fill_raw(Onnx__TensorProto *t, int elem_type, size_t count, const void *data)
{
    size_t size = raw_size(elem_type);
    t->has_raw_data = true;
    t->raw_data.len = count * size;
    t->raw_data.data = xcalloc(count, size);
    for (size_t k = 0; data && k < count; k++) {
        uint64_t bits = c_bits(elem_type, data, k);
        for (size_t byte = 0; byte < size; byte++)
            t->raw_data.data[k * size + byte] = (uint8_t)(bits >> (8 * byte));
    }
}

static void fill_typed(Onnx__TensorProto *t, int elem_type, size_t count, const void *data)
{
    switch (elem_type) {
    case ET_FLOAT:
        t->n_float_data = count;
        t->float_data = xcalloc(count, sizeof(float));
        if (data)
            memcpy(t->float_data, data, count * sizeof(float));
        break;
    case ET_DOUBLE:
        t->n_double_data = count;
        t->double_data = xcalloc(count, sizeof(double));
        if (data)
            memcpy(t->double_data, data, count * sizeof(double));
        break;
    case ET_INT64:
        t->n_int64_data = count;
        t->int64_data = xcalloc(count, sizeof(int64_t));
        if (data)
            memcpy(t->int64_data, data, count * sizeof(int64_t));
        break;
    case ET_UINT32: case ET_UINT64:
        t->n_uint64_data = count;
        t->uint64_data = xcalloc(count, sizeof(uint64_t));
        for (size_t k = 0; data && k < count; k++)
            t->uint64_data[k] = c_bits(elem_type, data, k);
        break;
    default: /* int32, int16, int8, uint16, uint8, bool, float16 bits */
        t->n_int32_data = count;
        t->int32_data = xcalloc(count, sizeof(int32_t));
        for (size_t k = 0; data && k < count; k++)
            t->int32_data[k] = (int32_t)(int64_t)c_bits(elem_type, data, k);
        break;
    }
}

static Onnx__TensorProto *make_tensor(const char *name, int elem_type, int rank,
                                      const int64_t *dims, const void *data, ObEncoding enc)
{
    size_t count;
    Onnx__TensorProto *t = tensor_header(name, elem_type, rank, dims, &count);
    if (count == 0)
        return t; /* no data fields at all: any element type can be empty */
    c_size(elem_type); /* aborts on an element type without data support */
    if (enc == OB_RAW)
        fill_raw(t, elem_type, count, data);
    else
        fill_typed(t, elem_type, count, data);
    return t;
}

void ob_init(OnnxBuilder *b, const char *name, int elem_type, int rank, const int64_t *dims,
             const void *data, ObEncoding enc)
{
    Onnx__GraphProto *g = b->model->graph;
    Onnx__TensorProto *t = make_tensor(name, elem_type, rank, dims, data, enc);
    APPEND(g->initializer, g->n_initializer, t);
}

void ob_init_f32(OnnxBuilder *b, const char *name, int rank, const int64_t *dims,
                 const float *data)
{
    ob_init(b, name, ET_FLOAT, rank, dims, data, OB_RAW);
}

void ob_init_i64(OnnxBuilder *b, const char *name, int rank, const int64_t *dims,
                 const int64_t *data)
{
    ob_init(b, name, ET_INT64, rank, dims, data, OB_RAW);
}

const char *ob_const_f32(OnnxBuilder *b, const char *prefix, int rank, const int64_t *dims,
                         const float *data)
{
    char name[128];
    snprintf(name, sizeof name, "%.100s_%d", prefix, b->fresh++);
    ob_init_f32(b, name, rank, dims, data);
    Onnx__GraphProto *g = b->model->graph;
    return g->initializer[g->n_initializer - 1]->name;
}

const char *ob_scalar_f32(OnnxBuilder *b, const char *prefix, float v)
{
    return ob_const_f32(b, prefix, 0, NULL, &v);
}

ObNode *ob_quant(OnnxBuilder *b, const char *name, const char *in, const char *out,
                 const ObQuant *q)
{
    const char *inputs[4] = { in, q->scale, ob_scalar_f32(b, "zeropt", q->zeropt),
                              ob_scalar_f32(b, "bits", (float)q->bits) };
    ObNode *n = ob_node(b, "Quant", "qonnx.custom_op.general", name, 4, inputs, 1,
                        (const char *[]){ out });
    ob_attr_int(n, "signed", q->is_signed);
    ob_attr_int(n, "narrow", q->narrow);
    ob_attr_string(n, "rounding_mode", q->rounding ? q->rounding : "ROUND");
    return n;
}

static Onnx__StringStringEntryProto *entry(const char *key, const char *value)
{
    Onnx__StringStringEntryProto *e = NEW_MSG(Onnx__StringStringEntryProto,
                                              ONNX__STRING_STRING_ENTRY_PROTO__INIT);
    e->key = xstrdup(key);
    e->value = xstrdup(value);
    return e;
}

void ob_init_external(OnnxBuilder *b, const char *name, int elem_type, int rank,
                      const int64_t *dims, const char *location)
{
    size_t count;
    Onnx__TensorProto *t = tensor_header(name, elem_type, rank, dims, &count);
    t->has_data_location = true;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    Onnx__StringStringEntryProto *loc = entry("location", location);
    APPEND(t->external_data, t->n_external_data, loc);
    Onnx__GraphProto *g = b->model->graph;
    APPEND(g->initializer, g->n_initializer, t);
}

/* ---- nodes and attributes ------------------------------------------------ */

static char **string_array(int n, const char *const *s)
{
    char **a = xcalloc((size_t)n, sizeof *a);
    for (int k = 0; k < n; k++)
        a[k] = xstrdup(s[k]);
    return a;
}

ObNode *ob_node(OnnxBuilder *b, const char *op_type, const char *domain, const char *name,
                int n_in, const char *const *inputs, int n_out, const char *const *outputs)
{
    Onnx__NodeProto *n = NEW_MSG(Onnx__NodeProto, ONNX__NODE_PROTO__INIT);
    n->op_type = xstrdup(op_type);
    if (domain)
        n->domain = xstrdup(domain);
    if (name)
        n->name = xstrdup(name);
    n->n_input = (size_t)n_in;
    n->input = string_array(n_in, inputs);
    n->n_output = (size_t)n_out;
    n->output = string_array(n_out, outputs);
    Onnx__GraphProto *g = b->model->graph;
    APPEND(g->node, g->n_node, n);
    return (ObNode *)n;
}

static Onnx__AttributeProto *new_attr(ObNode *node, const char *name,
                                      Onnx__AttributeProto__AttributeType type)
{
    Onnx__NodeProto *n = node_proto(node);
    Onnx__AttributeProto *a = NEW_MSG(Onnx__AttributeProto, ONNX__ATTRIBUTE_PROTO__INIT);
    a->name = xstrdup(name);
    a->has_type = true;
    a->type = type;
    APPEND(n->attribute, n->n_attribute, a);
    return a;
}

void ob_attr_int(ObNode *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = true;
    a->i = v;
}

void ob_attr_float(ObNode *n, const char *name, float v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = true;
    a->f = v;
}

void ob_attr_string(ObNode *n, const char *name, const char *v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = true;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)xstrdup(v);
}

void ob_attr_ints(ObNode *n, const char *name, int count, const int64_t *v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)count;
    a->ints = xcalloc((size_t)count, sizeof *a->ints);
    if (count)
        memcpy(a->ints, v, (size_t)count * sizeof *a->ints);
}

void ob_attr_floats(ObNode *n, const char *name, int count, const float *v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = (size_t)count;
    a->floats = xcalloc((size_t)count, sizeof *a->floats);
    if (count)
        memcpy(a->floats, v, (size_t)count * sizeof *a->floats);
}

void ob_attr_strings(ObNode *n, const char *name, int count, const char *const *v)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
    a->n_strings = (size_t)count;
    a->strings = xcalloc((size_t)count, sizeof *a->strings);
    for (int k = 0; k < count; k++) {
        a->strings[k].len = strlen(v[k]);
        a->strings[k].data = (uint8_t *)xstrdup(v[k]);
    }
}

void ob_attr_tensor(ObNode *n, const char *name, int elem_type, int rank, const int64_t *dims,
                    const void *data)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = make_tensor(name, elem_type, rank, dims, data, OB_RAW);
}

void ob_attr_graph(ObNode *n, const char *name, const char *graph_name)
{
    Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
    a->g = NEW_MSG(Onnx__GraphProto, ONNX__GRAPH_PROTO__INIT);
    a->g->name = xstrdup(graph_name);
}

/* ---- annotations ---------------------------------------------------------- */

void ob_annotate(OnnxBuilder *b, const char *tensor, const char *key, const char *value)
{
    Onnx__GraphProto *g = b->model->graph;
    Onnx__TensorAnnotation *qa = NULL;
    for (size_t k = 0; k < g->n_quantization_annotation && !qa; k++)
        if (!strcmp(g->quantization_annotation[k]->tensor_name, tensor))
            qa = g->quantization_annotation[k];
    if (!qa) {
        qa = NEW_MSG(Onnx__TensorAnnotation, ONNX__TENSOR_ANNOTATION__INIT);
        qa->tensor_name = xstrdup(tensor);
        APPEND(g->quantization_annotation, g->n_quantization_annotation, qa);
    }
    Onnx__StringStringEntryProto *e = entry(key, value);
    APPEND(qa->quant_parameter_tensor_names, qa->n_quant_parameter_tensor_names, e);
}

/* ---- output --------------------------------------------------------------- */

unsigned char *ob_serialize(const OnnxBuilder *b, size_t *len)
{
    size_t size = onnx__model_proto__get_packed_size(b->model);
    unsigned char *buf = xmalloc(size);
    *len = onnx__model_proto__pack(b->model, buf);
    return buf;
}

bool ob_write(const OnnxBuilder *b, const char *path)
{
    size_t len;
    unsigned char *buf = ob_serialize(b, &len);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    free(buf);
    return ok;
}

Graph *ob_load(const OnnxBuilder *b, Diag *d)
{
    char name[256];
    snprintf(name, sizeof name, "%s.onnx", b->model->graph->name);
    size_t len;
    unsigned char *buf = ob_serialize(b, &len);
    Graph *g = onnx_load_mem(buf, len, name, d);
    free(buf);
    return g;
}
