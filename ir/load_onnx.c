#include "load_onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

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
    if (tp->n_dims > MAX_RANK) {
        diag_error(d, file, NULL, NULL, "tensor '%s': rank %zu exceeds the limit of %d", tname,
                   tp->n_dims, MAX_RANK);
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
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, buf);
    if (!mp) {
        diag_error(d, name, NULL, NULL,
                   "not a valid ONNX protobuf (truncated or not an ONNX file)");
        return NULL;
    }
    Graph *g = graph_new(name);
    bool ok = g != NULL;
    if (!ok)
        diag_error(d, name, NULL, NULL, "out of memory");
    if (ok && !mp->graph)
        ok = diag_error(d, name, NULL, NULL, "the model has no graph");
    ok = ok && load_opsets(g, mp, d);
    if (ok && mp->graph->name)
        g->name = arena_strdup(&g->arena, mp->graph->name);
    ok = ok && load_initializers(g, mp->graph, d) && load_inputs(g, mp->graph, d) &&
         load_nodes(g, mp->graph, d) && load_outputs(g, mp->graph, d);
    if (ok)
        load_annotations(g, mp->graph);
    onnx__model_proto__free_unpacked(mp, NULL);
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
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!tp) {
        diag_error(d, path, NULL, NULL, "not a valid serialized ONNX TensorProto");
        return NULL;
    }
    Value *v = value_from_proto(a, tp, path, d);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return v;
}
