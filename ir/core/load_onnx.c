#include "load_onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_limits.h"
#include "onnx/onnx.pb-c.h"

/* Bytes of constants loaded so far by the load in progress (limit constant-bytes). */
static _Thread_local int64_t constant_bytes;

/* ---- parsing under limit parse-bytes ---- */

/* protobuf-c allocates the whole message tree before qonnxc sees any of
 * it, up to ~50 bytes per byte of input (an empty NodeProto is 2 bytes):
 * a counting allocator keeps that within the limit. */
typedef struct ParseBudget {
    int64_t used, refused;
} ParseBudget;

static void *budget_alloc(void *data, size_t size)
{
    ParseBudget *b = data;
    int64_t want = limits_add(b->used, (int64_t)size);
    if (want > limit(LIMIT_PARSE_BYTES)) {
        b->refused = want;
        return NULL;
    }
    void *p = malloc(size ? size : 1);
    if (p)
        b->used = want;
    return p;
}

static void budget_free(void *data, void *p)
{
    (void)data;
    free(p);
}

#define PARSE_ALLOCATOR(budget) { budget_alloc, budget_free, &(budget) }

/* The error after a failed unpack: the budget, or a malformed file. */
static void unpack_error(Diag *d, const char *file, const ParseBudget *b, const char *what)
{
    if (b->refused)
        limit_error(d, file, NULL, NULL, LIMIT_PARSE_BYTES, b->refused, "parsing the model");
    else
        diag_error(d, file, NULL, NULL, "%s", what);
}

/* ---- files ---- */

static unsigned char *read_file(const char *path, size_t *len, Diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, path, NULL, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            unsigned char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                diag_error(d, path, NULL, NULL, "out of memory reading the file");
                return NULL;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if ((uint64_t)n > (uint64_t)limit(LIMIT_MODEL_BYTES)) {
            free(buf);
            fclose(f);
            limit_error(d, path, NULL, NULL, LIMIT_MODEL_BYTES, (int64_t)n,
                        "the model file (read so far)");
            return NULL;
        }
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        diag_error(d, path, NULL, NULL, "read error");
        return NULL;
    }
    *len = n;
    return buf;
}

/* ---- tensor data ---- */

static int elem_size(int et)
{
    switch (et) {
    case ET_UINT8: case ET_INT8: case ET_BOOL: return 1;
    case ET_UINT16: case ET_INT16: case ET_FLOAT16: case ET_BFLOAT16: return 2;
    case ET_FLOAT: case ET_INT32: case ET_UINT32: return 4;
    case ET_INT64: case ET_DOUBLE: case ET_UINT64: return 8;
    default: return 0;
    }
}

static uint64_t read_le(const uint8_t *p, int size)
{
    uint64_t x = 0;
    for (int k = size - 1; k >= 0; k--)
        x = x << 8 | p[k];
    return x;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | mant << 13;
    } else if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {
            /* subnormal: normalise it */
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while (!(mant & 0x400));
            bits = sign | (uint32_t)(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
        }
    } else {
        bits = sign | (exp + 127 - 15) << 23 | mant << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static float bits_to_float(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Converts one raw little-endian element to the value's storage. */
static void store_raw(Value *v, int64_t k, const uint8_t *p, int et)
{
    int size = elem_size(et);
    uint64_t u = read_le(p, size);
    switch (et) {
    case ET_FLOAT: v->f[k] = bits_to_float((uint32_t)u); break;
    case ET_DOUBLE: {
        double x;
        memcpy(&x, &u, sizeof x);
        v->f[k] = (float)x;
        break;
    }
    case ET_FLOAT16: v->f[k] = half_to_float((uint16_t)u); break;
    case ET_BFLOAT16: v->f[k] = bits_to_float((uint32_t)u << 16); break;
    case ET_INT8: v->i[k] = (int8_t)u; break;
    case ET_INT16: v->i[k] = (int16_t)u; break;
    case ET_INT32: v->i[k] = (int32_t)u; break;
    case ET_INT64: v->i[k] = (int64_t)u; break;
    case ET_BOOL: v->i[k] = u != 0; break;
    /* uint64 values above INT64_MAX wrap: no model here needs them. */
    default: v->i[k] = (int64_t)u; break;
    }
}

static bool tensor_error(Diag *d, const char *file, const char *tname, const char *fmt,
                         const char *detail)
{
    return diag_error(d, file, NULL, NULL, "tensor '%s': %s%s", tname ? tname : "", fmt,
                      detail ? detail : "");
}

/* Converts a TensorProto; file is for messages. */
static Value *value_from_proto(Arena *a, const Onnx__TensorProto *tp, const char *file, Diag *d)
{
    const char *tname = tp->name ? tp->name : "";
    int et = tp->data_type;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        tensor_error(d, file, tname,
                     "uses external data, which qonnxc does not read; save the model "
                     "with its data embedded", NULL);
        return NULL;
    }
    if (!elem_type_supported(et)) {
        diag_error(d, file, NULL, NULL, "tensor '%s': element type %s (%d) is not supported",
                   tname, elem_type_name(et), et);
        return NULL;
    }
    if (tp->n_dims > (size_t)limit(LIMIT_RANK)) {
        limit_error(d, file, NULL, NULL, LIMIT_RANK, (int64_t)tp->n_dims, "tensor '%s'", tname);
        return NULL;
    }
    Shape shape = { (int)tp->n_dims, { 0 } };
    for (size_t k = 0; k < tp->n_dims; k++) {
        if (tp->dims[k] < 0) {
            diag_error(d, file, NULL, NULL, "tensor '%s': negative dimension %lld", tname,
                       (long long)tp->dims[k]);
            return NULL;
        }
        shape.dims[k] = tp->dims[k];
    }
    int64_t elements = limits_shape_elements(&shape);
    if (elements > limit(LIMIT_TENSOR_ELEMENTS)) {
        limit_error(d, file, NULL, NULL, LIMIT_TENSOR_ELEMENTS, elements, "tensor '%s'", tname);
        return NULL;
    }
    constant_bytes = limits_add(constant_bytes, limits_value_bytes(et, shape_count(&shape)));
    if (constant_bytes > limit(LIMIT_CONSTANT_BYTES)) {
        limit_error(d, file, NULL, NULL, LIMIT_CONSTANT_BYTES, constant_bytes,
                    "the constants up to tensor '%s'", tname);
        return NULL;
    }
    Value *v = value_new_in(a, et, &shape);
    if (!v) {
        tensor_error(d, file, tname, "too large (element count overflows the limit)", NULL);
        return NULL;
    }
    int64_t n = v->count;
    if (tp->has_raw_data) {
        int size = elem_size(et);
        if ((uint64_t)tp->raw_data.len != (uint64_t)n * (uint64_t)size) {
            diag_error(d, file, NULL, NULL,
                       "tensor '%s': raw_data holds %zu bytes, the shape needs %lld", tname,
                       tp->raw_data.len, (long long)(n * size));
            return NULL;
        }
        for (int64_t k = 0; k < n; k++)
            store_raw(v, k, tp->raw_data.data + k * size, et);
        return v;
    }
    size_t have;
    switch (et) {
    case ET_FLOAT: have = tp->n_float_data; break;
    case ET_DOUBLE: have = tp->n_double_data; break;
    case ET_INT64: have = tp->n_int64_data; break;
    case ET_UINT32: case ET_UINT64: have = tp->n_uint64_data; break;
    default: have = tp->n_int32_data; break;
    }
    if ((uint64_t)have != (uint64_t)n) {
        diag_error(d, file, NULL, NULL, "tensor '%s': holds %zu elements, the shape needs %lld",
                   tname, have, (long long)n);
        return NULL;
    }
    for (int64_t k = 0; k < n; k++) {
        switch (et) {
        case ET_FLOAT: v->f[k] = tp->float_data[k]; break;
        case ET_DOUBLE: v->f[k] = (float)tp->double_data[k]; break;
        case ET_FLOAT16: v->f[k] = half_to_float((uint16_t)tp->int32_data[k]); break;
        case ET_BFLOAT16: v->f[k] = bits_to_float((uint32_t)tp->int32_data[k] << 16); break;
        case ET_INT64: v->i[k] = tp->int64_data[k]; break;
        case ET_UINT32: case ET_UINT64: v->i[k] = (int64_t)tp->uint64_data[k]; break;
        case ET_BOOL: v->i[k] = tp->int32_data[k] != 0; break;
        default: v->i[k] = tp->int32_data[k]; break;
        }
    }
    return v;
}

/* ---- graph ---- */

/* Bytes of an attribute's own data (a tensor attribute counts as a constant). */
static int64_t attr_bytes(const Onnx__AttributeProto *ap)
{
    int64_t bytes = (int64_t)ap->s.len;
    bytes = limits_add(bytes, (int64_t)ap->n_floats * (int64_t)sizeof(float));
    bytes = limits_add(bytes, (int64_t)ap->n_ints * (int64_t)sizeof(int64_t));
    for (size_t k = 0; k < ap->n_strings; k++)
        bytes = limits_add(bytes, (int64_t)ap->strings[k].len);
    return bytes;
}

/* Limit attribute-bytes on one name or string of the file. */
static bool check_name(const Graph *g, const Node *n, const char *what, const char *name, Diag *d)
{
    int64_t len = name ? (int64_t)strlen(name) : 0;
    if (len <= limit(LIMIT_ATTRIBUTE_BYTES))
        return true;
    return limit_error(d, g->path, n ? n->name : NULL, n ? n->op_type : NULL,
                       LIMIT_ATTRIBUTE_BYTES, len, "%s (%.40s...)", what, name);
}

/* A node's names and attributes against limit attribute-bytes. */
static bool check_node_sizes(const Graph *g, const Node *n, const Onnx__NodeProto *np, Diag *d)
{
    if (!check_name(g, n, "the node's name", np->name, d) ||
        !check_name(g, n, "the node's op_type", np->op_type, d) ||
        !check_name(g, n, "the node's domain", np->domain, d))
        return false;
    for (size_t i = 0; i < np->n_input; i++)
        if (!check_name(g, n, "an input name", np->input[i], d))
            return false;
    for (size_t o = 0; o < np->n_output; o++)
        if (!check_name(g, n, "an output name", np->output[o], d))
            return false;
    for (size_t a = 0; a < np->n_attribute; a++) {
        const Onnx__AttributeProto *ap = np->attribute[a];
        if (!check_name(g, n, "an attribute name", ap->name, d))
            return false;
        int64_t bytes = attr_bytes(ap);
        if (bytes > limit(LIMIT_ATTRIBUTE_BYTES))
            return limit_error(d, g->path, n->name, n->op_type, LIMIT_ATTRIBUTE_BYTES, bytes,
                               "attribute '%.64s'", ap->name ? ap->name : "");
    }
    return true;
}

/* Counts of nodes and tensors against their limits, before building anything. */
static bool check_counts(const Onnx__GraphProto *gp, const char *file, Diag *d)
{
    if (!limit_check(d, file, NULL, NULL, LIMIT_NODES, (int64_t)gp->n_node, "the graph"))
        return false;
    int64_t tensors = (int64_t)gp->n_initializer + (int64_t)gp->n_input;
    for (size_t k = 0; k < gp->n_node; k++)
        tensors = limits_add(tensors, (int64_t)gp->node[k]->n_output);
    return limit_check(d, file, NULL, NULL, LIMIT_TENSORS, tensors, "the graph");
}

/* A graph input's declared rank and element count against the limits: an
 * input larger than tensor-elements could never be given. */
static bool check_input_type(const Graph *g, const Onnx__ValueInfoProto *vi, Diag *d)
{
    const char *name = vi->name ? vi->name : "";
    if (!check_name(g, NULL, "a graph input's name", name, d))
        return false;
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !vi->type->tensor_type || !vi->type->tensor_type->shape)
        return true;
    const Onnx__TensorShapeProto *sp = vi->type->tensor_type->shape;
    if (sp->n_dim > (size_t)limit(LIMIT_RANK))
        return limit_error(d, g->path, NULL, NULL, LIMIT_RANK, (int64_t)sp->n_dim,
                           "graph input '%s'", name);
    int64_t elements = 1;
    for (size_t k = 0; k < sp->n_dim; k++) {
        const Onnx__TensorShapeProto__Dimension *dim = sp->dim[k];
        if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            dim->dim_value < 0)
            continue;
        /* dim 0 is the batch, set to 1 when the graph is cleaned up */
        int64_t x = k == 0 || dim->dim_value == 0 ? 1 : dim->dim_value;
        elements = elements > INT64_MAX / x ? INT64_MAX : elements * x;
    }
    if (elements <= limit(LIMIT_TENSOR_ELEMENTS))
        return true;
    return limit_error(d, g->path, NULL, NULL, LIMIT_TENSOR_ELEMENTS, elements,
                       "graph input '%s' (one frame of it)", name);
}

static bool load_attr(Graph *g, Attr *at, const Onnx__AttributeProto *ap, Diag *d)
{
    Arena *a = &g->arena;
    at->name = arena_strdup(a, ap->name ? ap->name : "");
    switch (ap->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        at->kind = ATTR_FLOAT;
        at->f = ap->f;
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        at->kind = ATTR_INT;
        at->i = ap->i;
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        at->kind = ATTR_STRING;
        at->s = arena_strndup(a, (const char *)ap->s.data, ap->s.len);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        at->kind = ATTR_TENSOR;
        if (!ap->t)
            return diag_error(d, g->path, NULL, NULL, "attribute '%s' has no tensor", at->name);
        at->t = value_from_proto(a, ap->t, g->path, d);
        if (!at->t)
            return false;
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        at->kind = ATTR_FLOATS;
        at->n = (int)ap->n_floats;
        at->floats = arena_array(a, ap->n_floats + 1, sizeof(float));
        if (at->floats && ap->n_floats)
            memcpy(at->floats, ap->floats, ap->n_floats * sizeof(float));
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        at->kind = ATTR_INTS;
        at->n = (int)ap->n_ints;
        at->ints = arena_array(a, ap->n_ints + 1, sizeof(int64_t));
        if (at->ints && ap->n_ints)
            memcpy(at->ints, ap->ints, ap->n_ints * sizeof(int64_t));
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
        at->kind = ATTR_STRINGS;
        at->n = (int)ap->n_strings;
        at->strings = arena_array(a, ap->n_strings + 1, sizeof(char *));
        for (size_t k = 0; at->strings && k < ap->n_strings; k++)
            at->strings[k] = arena_strndup(a, (const char *)ap->strings[k].data,
                                           ap->strings[k].len);
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
        at->kind = ATTR_GRAPH;
        break;
    default:
        at->kind = ATTR_OTHER;
        break;
    }
    return true;
}

/* Element type and shape from a ValueInfo (graph inputs and outputs). */
static void load_value_info(Tensor *t, const Onnx__ValueInfoProto *vi)
{
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !vi->type->tensor_type)
        return;
    const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (tt->has_elem_type)
        t->elem_type = tt->elem_type;
    if (!tt->shape || tt->shape->n_dim > MAX_RANK)
        return;
    t->shape.rank = (int)tt->shape->n_dim;
    for (size_t k = 0; k < tt->shape->n_dim; k++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[k];
        bool fixed = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                     dim->dim_value >= 0;
        /* dim_param (the symbolic batch) and absent dims stay unknown. */
        t->shape.dims[k] = fixed ? dim->dim_value : -1;
    }
}

static bool out_of_memory(Diag *d, const Graph *g)
{
    return diag_error(d, g->path, NULL, NULL, "out of memory while loading the model");
}

static bool load_initializers(Graph *g, const Onnx__GraphProto *gp, Diag *d)
{
    for (size_t k = 0; k < gp->n_initializer; k++) {
        const Onnx__TensorProto *tp = gp->initializer[k];
        const char *name = tp->name ? tp->name : "";
        if (!*name)
            return diag_error(d, g->path, NULL, NULL, "initializer %zu has no name", k);
        if (!check_name(g, NULL, "an initializer's name", name, d))
            return false;
        if (graph_find_tensor(g, name))
            return diag_error(d, g->path, NULL, NULL, "initializer '%s' is defined twice", name);
        Tensor *t = graph_add_tensor(g, name);
        if (!t)
            return out_of_memory(d, g);
        t->value = value_from_proto(&g->arena, tp, g->path, d);
        if (!t->value)
            return false;
        t->elem_type = t->value->elem_type;
        t->shape = t->value->shape;
    }
    return true;
}

static bool load_inputs(Graph *g, const Onnx__GraphProto *gp, Diag *d)
{
    g->inputs = arena_array(&g->arena, gp->n_input + 1, sizeof(Tensor *));
    if (!g->inputs)
        return out_of_memory(d, g);
    for (size_t k = 0; k < gp->n_input; k++) {
        const char *name = gp->input[k]->name ? gp->input[k]->name : "";
        Tensor *t = graph_find_tensor(g, name);
        if (t && t->value)
            continue; /* an initializer also listed as an input: it stays a constant */
        if (t)
            return diag_error(d, g->path, NULL, NULL, "graph input '%s' is listed twice", name);
        if (!*name)
            return diag_error(d, g->path, NULL, NULL, "graph input %zu has no name", k);
        if (!check_input_type(g, gp->input[k], d))
            return false;
        if (!(t = graph_add_tensor(g, name)))
            return out_of_memory(d, g);
        load_value_info(t, gp->input[k]);
        t->is_graph_input = true;
        g->inputs[g->n_inputs++] = t;
    }
    return true;
}

static Tensor *tensor_for_output(Graph *g, const char *name, Node *n, Diag *d)
{
    Tensor *t = graph_find_tensor(g, name);
    if (t) {
        if (t->value || t->is_graph_input)
            node_error(d, g, n, "output '%s' is also a graph input or initializer", name);
        else
            node_error(d, g, n, "output '%s' is also written by node '%s'", name,
                       t->producer ? t->producer->name : "?");
        return NULL;
    }
    if (!(t = graph_add_tensor(g, name)))
        out_of_memory(d, g);
    return t;
}

static bool load_nodes(Graph *g, const Onnx__GraphProto *gp, Diag *d)
{
    /* Outputs first: a file need not list nodes in topological order. */
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *np = gp->node[k];
        if (!np->op_type || !*np->op_type)
            return diag_error(d, g->path, np->name, "?", "node %zu has no op_type", k);
        Node *n = graph_add_node(g, np->name, np->op_type, np->domain, (int)np->n_input,
                                 (int)np->n_output);
        if (!n)
            return out_of_memory(d, g);
        if (!check_node_sizes(g, n, np, d))
            return false;
        for (size_t o = 0; o < np->n_output; o++) {
            if (!np->output[o][0])
                continue; /* an omitted optional output */
            Tensor *t = tensor_for_output(g, np->output[o], n, d);
            if (!t)
                return false;
            t->producer = n;
            n->outputs[o] = t;
        }
        n->n_attrs = (int)np->n_attribute;
        n->attrs = arena_array(&g->arena, np->n_attribute + 1, sizeof(Attr));
        if (!n->attrs)
            return out_of_memory(d, g);
        for (size_t a = 0; a < np->n_attribute; a++)
            if (!load_attr(g, &n->attrs[a], np->attribute[a], d))
                return false;
    }
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *np = gp->node[k];
        Node *n = g->nodes[k];
        for (size_t i = 0; i < np->n_input; i++) {
            if (!np->input[i][0])
                continue; /* an omitted optional input */
            Tensor *t = graph_find_tensor(g, np->input[i]);
            if (!t)
                return node_error(d, g, n, "input %zu '%s' is not produced by any node, "
                                  "initializer or graph input", i, np->input[i]);
            n->inputs[i] = t;
        }
    }
    return true;
}

static bool load_outputs(Graph *g, const Onnx__GraphProto *gp, Diag *d)
{
    g->outputs = arena_array(&g->arena, gp->n_output + 1, sizeof(Tensor *));
    if (!g->outputs)
        return out_of_memory(d, g);
    if (gp->n_output == 0)
        return diag_error(d, g->path, NULL, NULL, "the graph has no outputs");
    for (size_t k = 0; k < gp->n_output; k++) {
        const char *name = gp->output[k]->name ? gp->output[k]->name : "";
        Tensor *t = graph_find_tensor(g, name);
        if (!t)
            return diag_error(d, g->path, NULL, NULL,
                              "graph output '%s' is not produced by any node", name);
        if (t->is_graph_output)
            return diag_error(d, g->path, NULL, NULL, "graph output '%s' is listed twice", name);
        Shape inferred = t->shape;
        load_value_info(t, gp->output[k]);
        if (t->value || t->is_graph_input)
            t->shape = inferred;
        t->is_graph_output = true;
        g->outputs[g->n_outputs++] = t;
    }
    return true;
}

static void load_annotations(Graph *g, const Onnx__GraphProto *gp)
{
    for (size_t k = 0; k < gp->n_quantization_annotation; k++) {
        const Onnx__TensorAnnotation *qa = gp->quantization_annotation[k];
        Tensor *t = qa->tensor_name ? graph_find_tensor(g, qa->tensor_name) : NULL;
        if (!t)
            continue;
        for (size_t e = 0; e < qa->n_quant_parameter_tensor_names; e++) {
            const Onnx__StringStringEntryProto *kv = qa->quant_parameter_tensor_names[e];
            if (kv->key && kv->value && !strcmp(kv->key, "finn_datatype"))
                t->qdt = arena_strdup(&g->arena, kv->value);
        }
    }
}

static bool load_opsets(Graph *g, const Onnx__ModelProto *mp, Diag *d)
{
    g->opsets = arena_array(&g->arena, mp->n_opset_import + 1, sizeof(OpsetImport));
    if (!g->opsets)
        return out_of_memory(d, g);
    for (size_t k = 0; k < mp->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *op = mp->opset_import[k];
        g->opsets[k].domain = arena_strdup(&g->arena, op->domain ? op->domain : "");
        g->opsets[k].version = op->has_version ? op->version : 0;
    }
    g->n_opsets = (int)mp->n_opset_import;
    return true;
}

Graph *onnx_load_mem(const void *buf, size_t len, const char *name, Diag *d)
{
    if ((uint64_t)len > (uint64_t)limit(LIMIT_MODEL_BYTES)) {
        limit_error(d, name, NULL, NULL, LIMIT_MODEL_BYTES, (int64_t)len, "the model file");
        return NULL;
    }
    constant_bytes = 0;
    ParseBudget budget = { 0, 0 };
    ProtobufCAllocator allocator = PARSE_ALLOCATOR(budget);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(&allocator, len, buf);
    if (!mp) {
        unpack_error(d, name, &budget,
                     "not a valid ONNX protobuf (truncated or not an ONNX file)");
        return NULL;
    }
    Graph *g = graph_new(name);
    bool ok = g != NULL;
    if (!ok)
        diag_error(d, name, NULL, NULL, "out of memory");
    if (ok && !mp->graph)
        ok = diag_error(d, name, NULL, NULL, "the model has no graph");
    ok = ok && check_counts(mp->graph, name, d);
    ok = ok && load_opsets(g, mp, d);
    if (ok && mp->graph->name)
        g->name = arena_strdup(&g->arena, mp->graph->name);
    ok = ok && load_initializers(g, mp->graph, d) && load_inputs(g, mp->graph, d) &&
         load_nodes(g, mp->graph, d) && load_outputs(g, mp->graph, d);
    if (ok)
        load_annotations(g, mp->graph);
    onnx__model_proto__free_unpacked(mp, &allocator);
    if (!ok) {
        graph_free(g);
        return NULL;
    }
    return g;
}

Graph *onnx_load_file(const char *path, Diag *d)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len, d);
    if (!buf)
        return NULL;
    Graph *g = onnx_load_mem(buf, len, path, d);
    free(buf);
    return g;
}

Value *onnx_load_tensor_file(const char *path, Arena *a, Diag *d)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len, d);
    if (!buf)
        return NULL;
    ParseBudget budget = { 0, 0 };
    ProtobufCAllocator allocator = PARSE_ALLOCATOR(budget);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&allocator, len, buf);
    free(buf);
    if (!tp) {
        unpack_error(d, path, &budget, "not a valid serialized ONNX TensorProto");
        return NULL;
    }
    constant_bytes = 0;
    Value *v = value_from_proto(a, tp, path, d);
    onnx__tensor_proto__free_unpacked(tp, &allocator);
    return v;
}
