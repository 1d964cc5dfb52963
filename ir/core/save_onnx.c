#include "save_onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

/* Every protobuf-c struct of one model lives in this arena. */
typedef struct Writer {
    Arena arena;
    const Graph *g;
    Diag *d;
    bool oom;
} Writer;

static void *alloc(Writer *w, size_t n, size_t size)
{
    void *p = arena_array(&w->arena, n ? n : 1, size);
    w->oom = w->oom || !p;
    return p;
}

static char *dup(Writer *w, const char *s)
{
    char *p = arena_strdup(&w->arena, s ? s : "");
    w->oom = w->oom || !p;
    return p;
}

/* Bytes of one element as written: float-like values go out as float32. */
static int written_size(int et)
{
    switch (et) {
    case ET_UINT8: case ET_INT8: case ET_BOOL: return 1;
    case ET_UINT16: case ET_INT16: return 2;
    case ET_INT32: case ET_UINT32: return 4;
    case ET_INT64: case ET_UINT64: return 8;
    default: return elem_type_is_float(et) ? 4 : 0;
    }
}

static Onnx__TensorProto *tensor_proto(Writer *w, const char *name, const Value *v)
{
    int et = elem_type_is_float(v->elem_type) ? ET_FLOAT : v->elem_type;
    int size = written_size(v->elem_type);
    Onnx__TensorProto *tp = alloc(w, 1, sizeof *tp);
    if (!tp)
        return NULL;
    if (!size) {
        diag_error(w->d, w->g->path, NULL, NULL, "tensor '%s': element type %s cannot be "
                   "written as ONNX", name, elem_type_name(v->elem_type));
        return NULL;
    }
    onnx__tensor_proto__init(tp);
    tp->name = dup(w, name);
    tp->has_data_type = true;
    tp->data_type = et;
    tp->n_dims = (size_t)v->shape.rank;
    tp->dims = alloc(w, tp->n_dims, sizeof *tp->dims);
    uint8_t *raw = alloc(w, (size_t)v->count, (size_t)size);
    if (w->oom)
        return NULL;
    for (int k = 0; k < v->shape.rank; k++)
        tp->dims[k] = v->shape.dims[k];
    for (int64_t k = 0; k < v->count; k++) {
        uint64_t u;
        if (v->f) {
            uint32_t bits;
            memcpy(&bits, &v->f[k], sizeof bits);
            u = bits;
        } else {
            u = (uint64_t)v->i[k];
        }
        for (int b = 0; b < size; b++)       /* little-endian, whatever the host */
            raw[k * size + b] = (uint8_t)(u >> (8 * b));
    }
    tp->has_raw_data = true;
    tp->raw_data.data = raw;
    tp->raw_data.len = (size_t)v->count * (size_t)size;
    return tp;
}

static Onnx__ValueInfoProto *value_info(Writer *w, const Tensor *t)
{
    Onnx__ValueInfoProto *vi = alloc(w, 1, sizeof *vi);
    Onnx__TypeProto *type = alloc(w, 1, sizeof *type);
    Onnx__TypeProto__Tensor *tt = alloc(w, 1, sizeof *tt);
    if (w->oom)
        return NULL;
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(type);
    onnx__type_proto__tensor__init(tt);
    vi->name = dup(w, t->name);
    vi->type = type;
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    tt->has_elem_type = true;
    tt->elem_type = t->elem_type;
    if (t->shape.rank < 0)
        return vi;            /* shape unknown: none written */
    Onnx__TensorShapeProto *sp = alloc(w, 1, sizeof *sp);
    Onnx__TensorShapeProto__Dimension *dims = alloc(w, (size_t)t->shape.rank, sizeof *dims);
    Onnx__TensorShapeProto__Dimension **dim = alloc(w, (size_t)t->shape.rank, sizeof *dim);
    if (w->oom)
        return NULL;
    onnx__tensor_shape_proto__init(sp);
    sp->n_dim = (size_t)t->shape.rank;
    sp->dim = dim;
    for (size_t k = 0; k < sp->n_dim; k++) {
        onnx__tensor_shape_proto__dimension__init(&dims[k]);
        if (t->shape.dims[k] >= 0) {
            dims[k].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dims[k].dim_value = t->shape.dims[k];
        }
        sp->dim[k] = &dims[k];
    }
    tt->shape = sp;
    return vi;
}

static bool attr_proto(Writer *w, const Node *n, const Attr *at, Onnx__AttributeProto *ap)
{
    onnx__attribute_proto__init(ap);
    ap->name = dup(w, at->name);
    ap->has_type = true;
    switch (at->kind) {
    case ATTR_FLOAT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        ap->has_f = true;
        ap->f = at->f;
        break;
    case ATTR_INT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        ap->has_i = true;
        ap->i = at->i;
        break;
    case ATTR_STRING:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        ap->has_s = true;
        ap->s.data = (uint8_t *)dup(w, at->s);
        ap->s.len = strlen(at->s ? at->s : "");
        break;
    case ATTR_TENSOR:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
        ap->t = tensor_proto(w, at->name, at->t);
        return ap->t != NULL;
    case ATTR_FLOATS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        ap->n_floats = (size_t)at->n;
        ap->floats = at->floats;
        break;
    case ATTR_INTS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        ap->n_ints = (size_t)at->n;
        ap->ints = at->ints;
        break;
    case ATTR_STRINGS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
        ap->n_strings = (size_t)at->n;
        ap->strings = alloc(w, ap->n_strings, sizeof *ap->strings);
        for (size_t k = 0; !w->oom && k < ap->n_strings; k++) {
            ap->strings[k].data = (uint8_t *)dup(w, at->strings[k]);
            ap->strings[k].len = strlen(at->strings[k] ? at->strings[k] : "");
        }
        break;
    default:
        return diag_error(w->d, w->g->path, n->name, n->op_type, "attribute '%s' (a graph or "
                          "an unknown kind) cannot be written as ONNX", at->name);
    }
    return !w->oom;
}

static Onnx__NodeProto *node_proto(Writer *w, const Node *n)
{
    Onnx__NodeProto *np = alloc(w, 1, sizeof *np);
    if (!np)
        return NULL;
    onnx__node_proto__init(np);
    np->name = dup(w, n->name);
    np->op_type = dup(w, n->op_type);
    np->domain = dup(w, n->domain);
    np->n_input = (size_t)n->n_inputs;
    np->input = alloc(w, np->n_input, sizeof *np->input);
    np->n_output = (size_t)n->n_outputs;
    np->output = alloc(w, np->n_output, sizeof *np->output);
    np->n_attribute = (size_t)n->n_attrs;
    np->attribute = alloc(w, np->n_attribute, sizeof *np->attribute);
    Onnx__AttributeProto *attrs = alloc(w, np->n_attribute, sizeof *attrs);
    if (w->oom)
        return NULL;
    for (int k = 0; k < n->n_inputs; k++)     /* "": an omitted optional input */
        np->input[k] = dup(w, n->inputs[k] ? n->inputs[k]->name : "");
    for (int k = 0; k < n->n_outputs; k++)
        np->output[k] = dup(w, n->outputs[k] ? n->outputs[k]->name : "");
    for (int k = 0; k < n->n_attrs; k++) {
        if (!attr_proto(w, n, &n->attrs[k], &attrs[k]))
            return NULL;
        np->attribute[k] = &attrs[k];
    }
    return w->oom ? NULL : np;
}

/* "finn_datatype" = t->qdt, as QONNX writes it. */
static Onnx__TensorAnnotation *annotation(Writer *w, const Tensor *t)
{
    Onnx__TensorAnnotation *qa = alloc(w, 1, sizeof *qa);
    Onnx__StringStringEntryProto *kv = alloc(w, 1, sizeof *kv);
    Onnx__StringStringEntryProto **kvs = alloc(w, 1, sizeof *kvs);
    if (w->oom)
        return NULL;
    onnx__tensor_annotation__init(qa);
    onnx__string_string_entry_proto__init(kv);
    qa->tensor_name = dup(w, t->name);
    kv->key = dup(w, "finn_datatype");
    kv->value = dup(w, t->qdt);
    kvs[0] = kv;
    qa->n_quant_parameter_tensor_names = 1;
    qa->quant_parameter_tensor_names = kvs;
    return w->oom ? NULL : qa;
}

static bool graph_proto(Writer *w, Onnx__GraphProto *gp)
{
    const Graph *g = w->g;
    onnx__graph_proto__init(gp);
    gp->name = dup(w, g->name);
    gp->node = alloc(w, (size_t)g->n_nodes, sizeof *gp->node);
    gp->initializer = alloc(w, (size_t)g->n_tensors, sizeof *gp->initializer);
    gp->input = alloc(w, (size_t)g->n_inputs, sizeof *gp->input);
    gp->output = alloc(w, (size_t)g->n_outputs, sizeof *gp->output);
    gp->value_info = alloc(w, (size_t)g->n_tensors, sizeof *gp->value_info);
    gp->quantization_annotation = alloc(w, (size_t)g->n_tensors,
                                        sizeof *gp->quantization_annotation);
    bool ok = !w->oom;
    for (int k = 0; ok && k < g->n_nodes; k++)
        ok = (gp->node[gp->n_node++] = node_proto(w, g->nodes[k])) != NULL;
    for (int k = 0; ok && k < g->n_inputs; k++)
        ok = (gp->input[gp->n_input++] = value_info(w, g->inputs[k])) != NULL;
    for (int k = 0; ok && k < g->n_outputs; k++)
        ok = (gp->output[gp->n_output++] = value_info(w, g->outputs[k])) != NULL;
    for (int k = 0; ok && k < g->n_tensors; k++) {
        const Tensor *t = g->tensors[k];
        if (t->value)
            ok = (gp->initializer[gp->n_initializer++] = tensor_proto(w, t->name, t->value));
        else if (t->producer && !t->is_graph_output)
            ok = (gp->value_info[gp->n_value_info++] = value_info(w, t)) != NULL;
        if (ok && t->qdt)
            ok = (gp->quantization_annotation[gp->n_quantization_annotation++] =
                      annotation(w, t)) != NULL;
    }
    return ok;
}

static bool imports(const Onnx__ModelProto *mp, const char *domain)
{
    for (size_t k = 0; k < mp->n_opset_import; k++)
        if (!strcmp(mp->opset_import[k]->domain, domain))
            return true;
    return false;
}

static void add_import(Writer *w, Onnx__ModelProto *mp, Onnx__OperatorSetIdProto *op,
                       const char *domain, int64_t version)
{
    onnx__operator_set_id_proto__init(op);
    op->domain = dup(w, domain);
    op->has_version = true;
    op->version = version;
    mp->opset_import[mp->n_opset_import++] = op;
}

/* The opsets as loaded, plus version 1 of every node domain the model did
 * not import (the ops streamline creates, in qonnxc's domain), so that
 * ONNX tools accept the file. */
static bool model_proto(Writer *w, Onnx__ModelProto *mp, Onnx__GraphProto *gp)
{
    const Graph *g = w->g;
    onnx__model_proto__init(mp);
    mp->has_ir_version = true;
    mp->ir_version = 8;
    mp->producer_name = dup(w, "qonnxc");
    mp->graph = gp;
    size_t most = (size_t)g->n_opsets + (size_t)g->n_nodes;
    mp->opset_import = alloc(w, most, sizeof *mp->opset_import);
    Onnx__OperatorSetIdProto *ops = alloc(w, most, sizeof *ops);
    for (int k = 0; !w->oom && k < g->n_opsets; k++)
        add_import(w, mp, &ops[mp->n_opset_import], g->opsets[k].domain, g->opsets[k].version);
    for (int k = 0; !w->oom && k < g->n_nodes; k++) {
        const char *domain = g->nodes[k]->domain ? g->nodes[k]->domain : "";
        if (!imports(mp, domain) && !(domain[0] == '\0' && imports(mp, "ai.onnx")))
            add_import(w, mp, &ops[mp->n_opset_import], domain, 1);
    }
    return !w->oom && graph_proto(w, gp);
}

bool onnx_save_mem(const Graph *g, uint8_t **buf, size_t *len, Diag *d)
{
    Writer w = { .g = g, .d = d };
    Onnx__ModelProto mp;
    Onnx__GraphProto gp;
    bool ok = model_proto(&w, &mp, &gp);
    if (!ok && w.oom && !d->failed)
        diag_error(d, g->path, NULL, NULL, "out of memory writing the ONNX model");
    *len = ok ? onnx__model_proto__get_packed_size(&mp) : 0;
    *buf = ok ? malloc(*len ? *len : 1) : NULL;
    if (ok && !*buf)
        ok = diag_error(d, g->path, NULL, NULL, "out of memory writing the ONNX model");
    if (ok)
        onnx__model_proto__pack(&mp, *buf);
    arena_release(&w.arena);
    return ok;
}

bool onnx_save_file(const Graph *g, const char *path, Diag *d)
{
    uint8_t *buf;
    size_t len;
    if (!onnx_save_mem(g, &buf, &len, d))
        return false;
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    free(buf);
    if (!ok)
        return diag_error(d, path, NULL, NULL, "cannot write the ONNX model: %s",
                          strerror(errno));
    return true;
}
