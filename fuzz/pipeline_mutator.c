/* Structure-aware mutations of ONNX models (pipeline_mutator.h).
 *
 * The decoded model is changed in place. protobuf-c unpacked it with the
 * default allocator (malloc/free), so a string or array replaced here is
 * freed with free() and its replacement allocated with malloc(), and
 * onnx__model_proto__free_unpacked releases everything at the end. */
#include "pipeline_mutator.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

/* libFuzzer's own byte mutator (linked in by -fsanitize=fuzzer). */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* ---- randomness ----------------------------------------------------------- */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t next(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 32);
}

static uint32_t below(Rng *r, size_t n)
{
    return n ? next(r) % (uint32_t)n : 0;
}

#define PICK(r, arr) (arr)[below((r), sizeof(arr) / sizeof((arr)[0]))]

/* v plus or minus one, wrapping (the mutator itself must not overflow). */
static int64_t nudge(Rng *r, int64_t v)
{
    return (int64_t)((uint64_t)v + (below(r, 2) ? 1u : (uint64_t)-1));
}

/* ---- tensor storage --------------------------------------------------------- */

/* Bytes per element of raw_data for the ONNX data types the loader reads
 * (0: a type not touched here). */
static size_t raw_elem_size(int32_t data_type)
{
    switch (data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
        return 2;
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
        return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
        return 8;
    default:
        return 0;
    }
}

/* Where a tensor's values live: raw_data, or one of the typed fields. */
typedef enum { STORE_NONE, STORE_RAW, STORE_FLOAT, STORE_INT32, STORE_INT64 } Store;

static Store store_of(const Onnx__TensorProto *t)
{
    if (t->has_raw_data && raw_elem_size(t->data_type))
        return STORE_RAW;
    if (t->n_float_data)
        return STORE_FLOAT;
    if (t->n_int32_data)
        return STORE_INT32;
    if (t->n_int64_data)
        return STORE_INT64;
    return STORE_NONE;
}

static size_t stored_count(const Onnx__TensorProto *t)
{
    switch (store_of(t)) {
    case STORE_RAW: return t->raw_data.len / raw_elem_size(t->data_type);
    case STORE_FLOAT: return t->n_float_data;
    case STORE_INT32: return t->n_int32_data;
    case STORE_INT64: return t->n_int64_data;
    default: return 0;
    }
}

/* Element k set to v, converted to the tensor's type (saturating). */
static void set_elem(Onnx__TensorProto *t, size_t k, double v)
{
    double c = isnan(v) ? 0 : v < -9.2e18 ? -9.2e18 : v > 9.2e18 ? 9.2e18 : v;
    switch (store_of(t)) {
    case STORE_FLOAT: t->float_data[k] = (float)v; return;
    case STORE_INT32: t->int32_data[k] = (int32_t)(c < -2147483648.0 ? -2147483648.0
                                                   : c > 2147483647.0 ? 2147483647.0 : c);
        return;
    case STORE_INT64: t->int64_data[k] = (int64_t)c; return;
    case STORE_RAW: break;
    default: return;
    }
    uint8_t *p = t->raw_data.data + k * raw_elem_size(t->data_type);
    switch (t->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: { float f = (float)v; memcpy(p, &f, 4); break; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: memcpy(p, &v, 8); break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: { int64_t i = (int64_t)c; memcpy(p, &i, 8); break; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: { int32_t i = (int32_t)(int64_t)c; memcpy(p, &i, 4); break; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: { int16_t i = (int16_t)(int64_t)c; memcpy(p, &i, 2); break; }
    default: *p = (uint8_t)(int64_t)c; break;
    }
}

static double get_elem(const Onnx__TensorProto *t, size_t k)
{
    switch (store_of(t)) {
    case STORE_FLOAT: return t->float_data[k];
    case STORE_INT32: return t->int32_data[k];
    case STORE_INT64: return (double)t->int64_data[k];
    case STORE_RAW: break;
    default: return 0;
    }
    const uint8_t *p = t->raw_data.data + k * raw_elem_size(t->data_type);
    switch (t->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: { float f; memcpy(&f, p, 4); return f; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: { double f; memcpy(&f, p, 8); return f; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: { int64_t i; memcpy(&i, p, 8); return (double)i; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: { int32_t i; memcpy(&i, p, 4); return i; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: { int16_t i; memcpy(&i, p, 2); return i; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return (int8_t)*p;
    default: return *p;
    }
}

/* A buffer of n elements of `size` bytes refilled from the old one,
 * repeating it cyclically (zeros when it was empty). */
static void *regrow(void *old, size_t old_n, size_t n, size_t size)
{
    uint8_t *p = malloc(n ? n * size : 1);
    if (!p)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        if (old_n)
            memcpy(p + k * size, (uint8_t *)old + (k % old_n) * size, size);
        else
            memset(p + k * size, 0, size);
    }
    free(old);
    return p;
}

/* The tensor's storage resized to n elements; false when out of memory. */
static bool resize_store(Onnx__TensorProto *t, size_t n)
{
    void *p;
    switch (store_of(t)) {
    case STORE_RAW:
        p = regrow(t->raw_data.data, stored_count(t), n, raw_elem_size(t->data_type));
        if (p)
            t->raw_data.data = p, t->raw_data.len = n * raw_elem_size(t->data_type);
        return p != NULL;
    case STORE_FLOAT:
        p = regrow(t->float_data, t->n_float_data, n, sizeof(float));
        if (p)
            t->float_data = p, t->n_float_data = n;
        return p != NULL;
    case STORE_INT32:
        p = regrow(t->int32_data, t->n_int32_data, n, sizeof(int32_t));
        if (p)
            t->int32_data = p, t->n_int32_data = n;
        return p != NULL;
    case STORE_INT64:
        p = regrow(t->int64_data, t->n_int64_data, n, sizeof(int64_t));
        if (p)
            t->int64_data = p, t->n_int64_data = n;
        return p != NULL;
    default:
        return false;
    }
}

/* ---- finding things ------------------------------------------------------------ */

static void replace_string(char **slot, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return;
    free(*slot);
    *slot = copy;
}

/* A string attribute's value replaced by s. */
static bool set_string_attr(Onnx__AttributeProto *a, const char *s)
{
    uint8_t *copy = (uint8_t *)strdup(s);
    if (!copy)
        return false;
    free(a->s.data);
    a->s.data = copy;
    a->s.len = strlen(s);
    return true;
}

/* The constant called `name`: an initializer, or the tensor of the
 * Constant node that outputs it. NULL when it is neither. */
static Onnx__TensorProto *find_constant(Onnx__GraphProto *g, const char *name)
{
    for (size_t k = 0; k < g->n_initializer; k++)
        if (g->initializer[k]->name && !strcmp(g->initializer[k]->name, name))
            return g->initializer[k];
    for (size_t k = 0; k < g->n_node; k++) {
        Onnx__NodeProto *n = g->node[k];
        if (!n->op_type || strcmp(n->op_type, "Constant") || n->n_output != 1 ||
            strcmp(n->output[0], name))
            continue;
        for (size_t a = 0; a < n->n_attribute; a++)
            if (n->attribute[a]->t)
                return n->attribute[a]->t;
    }
    return NULL;
}

static bool is_quantizer(const Onnx__NodeProto *n)
{
    return n->op_type && (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "BipolarQuant") ||
                          !strcmp(n->op_type, "Trunc") || !strcmp(n->op_type, "MultiThreshold"));
}

/* A random quantizer node, or NULL when the graph has none. */
static Onnx__NodeProto *pick_quantizer(Rng *r, Onnx__GraphProto *g)
{
    size_t count = 0;
    for (size_t k = 0; k < g->n_node; k++)
        count += is_quantizer(g->node[k]);
    if (!count)
        return NULL;
    size_t want = below(r, count);
    for (size_t k = 0; k < g->n_node; k++)
        if (is_quantizer(g->node[k]) && want-- == 0)
            return g->node[k];
    return NULL;
}

static Onnx__NodeProto *pick_node(Rng *r, Onnx__GraphProto *g)
{
    return g->n_node ? g->node[below(r, g->n_node)] : NULL;
}

/* A random constant: an initializer or a Constant node's tensor. */
static Onnx__TensorProto *pick_constant(Rng *r, Onnx__GraphProto *g)
{
    if (g->n_initializer && below(r, 4))
        return g->initializer[below(r, g->n_initializer)];
    Onnx__NodeProto *n = pick_node(r, g);
    if (n && n->op_type && !strcmp(n->op_type, "Constant") && n->n_output == 1)
        return find_constant(g, n->output[0]);
    return g->n_initializer ? g->initializer[below(r, g->n_initializer)] : NULL;
}

/* ---- values ------------------------------------------------------------------ */

/* A value a constant could hold instead of v: a neighbour, a sign flip,
 * a power of two, zero, a huge or tiny value, or a non-finite one. */
static double mutate_number(Rng *r, double v)
{
    static const double special[] = { 0, 1, -1, 0.5, 2, 3, 7, 8, 127, 128, 255, -128, 1e-30,
                                      1e30, 65536, 1.5, -0.5 };
    switch (below(r, 8)) {
    case 0: return v + 1;
    case 1: return v - 1;
    case 2: return -v;
    case 3: return v * 2;
    case 4: return v / 2;
    case 5: return below(r, 4) ? PICK(r, special) : (below(r, 2) ? NAN : INFINITY);
    case 6: return ldexp(1.0, (int)below(r, 20) - 12);
    default: return PICK(r, special);
    }
}

/* One element of a constant (or all of them, now and then) changed. */
static bool mutate_constant_value(Rng *r, Onnx__TensorProto *t)
{
    size_t n = t ? stored_count(t) : 0;
    if (!n)
        return false;
    if (below(r, 6) == 0) {
        double v = mutate_number(r, get_elem(t, 0));
        for (size_t k = 0; k < n; k++)
            set_elem(t, k, v);
    } else {
        size_t k = below(r, n);
        set_elem(t, k, mutate_number(r, get_elem(t, k)));
    }
    return true;
}

/* ---- the mutations ------------------------------------------------------------- */

/* A dim of a graph input, output or value_info changed (the loader
 * re-infers shapes, so this is what a model exported at another size, or
 * with a stale annotation, looks like). */
static bool mutate_io_dim(Rng *r, Onnx__GraphProto *g)
{
    size_t n = g->n_input + g->n_output + g->n_value_info;
    if (!n)
        return false;
    size_t k = below(r, n);
    Onnx__ValueInfoProto *vi = k < g->n_input ? g->input[k]
                               : k < g->n_input + g->n_output ? g->output[k - g->n_input]
                               : g->value_info[k - g->n_input - g->n_output];
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !vi->type->tensor_type->shape || !vi->type->tensor_type->shape->n_dim)
        return false;
    Onnx__TensorShapeProto *s = vi->type->tensor_type->shape;
    Onnx__TensorShapeProto__Dimension *d = s->dim[below(r, s->n_dim)];
    if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
        return false;
    static const int64_t dims[] = { 0, 1, 2, 3, 4, 5, 7, 8, 16, 32, -1 };
    int64_t v = d->dim_value;
    d->dim_value = below(r, 2) ? PICK(r, dims) : below(r, 2) ? nudge(r, v) : v / 2;
    return true;
}

/* A dim of a constant changed, with its data resized to match (repeating
 * the old values), as a layer with more or fewer channels would have it. */
static bool mutate_constant_dim(Rng *r, Onnx__GraphProto *g)
{
    Onnx__TensorProto *t = pick_constant(r, g);
    if (!t || !t->n_dims || store_of(t) == STORE_NONE)
        return false;
    size_t k = below(r, t->n_dims);
    static const int64_t dims[] = { 1, 2, 3, 4, 8 };
    int64_t old = t->dims[k], v = below(r, 2) ? PICK(r, dims) : old > 1 ? old - 1 : old + 1;
    int64_t count = 1;
    for (size_t j = 0; j < t->n_dims; j++) {
        int64_t dj = j == k ? v : t->dims[j];
        if (dj < 0 || (dj && count > (1 << 16) / dj))
            return false;
        count *= dj;
    }
    if (!resize_store(t, (size_t)count))
        return false;
    t->dims[k] = v;
    return true;
}

/* A quantizer's parameter input changed: Quant(x, scale, zero_point,
 * bit_width), BipolarQuant(x, scale), Trunc(x, scale, zero_point,
 * in_bits, out_bits), MultiThreshold(x, thresholds). Bit widths go to the
 * widths exports use and to the edges (0, 1, 31, 32, 33, fractional);
 * scales to powers of two, odd values, zero, negative and non-finite;
 * zero-points to integers in and out of range and fractions. */
static bool mutate_quant_param(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_quantizer(r, g);
    if (!n || n->n_input < 2)
        return false;
    size_t k = 1 + below(r, n->n_input - 1);
    Onnx__TensorProto *t = find_constant(g, n->input[k]);
    size_t count = t ? stored_count(t) : 0;
    if (!count)
        return false;
    bool is_quant = !strcmp(n->op_type, "Quant"), is_trunc = !strcmp(n->op_type, "Trunc");
    static const double bits[] = { 1, 2, 3, 4, 5, 7, 8, 16, 24, 31, 32, 0, 33, 2.5, -1 };
    static const double scales[] = { 1, 0.5, 0.25, 0.125, 0.0078125, 2, 3, 0.1, 0.3, 1e-6,
                                     0, -1, 1e20 };
    static const double zeros[] = { 0, 1, -1, 2, 127, 128, 255, -128, 0.5, 1e9 };
    double v;
    if ((is_quant && k == 3) || (is_trunc && k >= 3))
        v = PICK(r, bits);
    else if (k == 1 && strcmp(n->op_type, "MultiThreshold"))
        v = below(r, 8) ? PICK(r, scales) : (below(r, 2) ? NAN : INFINITY);
    else if (k == 2 && (is_quant || is_trunc))
        v = PICK(r, zeros);
    else
        return mutate_constant_value(r, t);
    /* per-channel parameters: all of them, or one channel */
    if (count > 1 && below(r, 2)) {
        set_elem(t, below(r, count), v);
    } else {
        for (size_t e = 0; e < count; e++)
            set_elem(t, e, v);
    }
    return true;
}

/* A quantizer's attribute: signed or narrow flipped, another rounding
 * mode (one of qonnx's, or an unknown one), MultiThreshold's out_scale,
 * out_bias or out_dtype changed. */
static bool mutate_quant_attr(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_quantizer(r, g);
    if (!n || !n->n_attribute)
        return false;
    Onnx__AttributeProto *a = n->attribute[below(r, n->n_attribute)];
    if (a->has_i) {
        a->i = below(r, 4) ? !a->i : (int64_t)below(r, 5) - 2;
        return true;
    }
    if (a->has_f) {
        static const float f[] = { 1, -1, 2, 0.5f, 0 };
        a->f = PICK(r, f);
        return true;
    }
    if (a->has_s) {
        static const char *const modes[] = { "ROUND", "FLOOR", "CEIL", "ROUND_TO_ZERO",
                                             "HALF_UP", "HALF_DOWN", "round", "BIPOLAR",
                                             "INT4", "UINT8", "INT32", "UNKNOWN" };
        return set_string_attr(a, PICK(r, modes));
    }
    return false;
}

/* Any node's attribute: an int, float or string value changed, an
 * element of a list changed or the last one dropped, an element of a
 * tensor attribute (Constant) changed. */
static bool mutate_attribute(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_node(r, g);
    if (!n || !n->n_attribute)
        return false;
    Onnx__AttributeProto *a = n->attribute[below(r, n->n_attribute)];
    static const int64_t ints[] = { 0, 1, -1, 2, 3, 4, -2, 8, 1 << 20, INT64_MAX, INT64_MIN };
    if (a->has_i) {
        a->i = below(r, 2) ? PICK(r, ints) : nudge(r, a->i);
        return true;
    }
    if (a->has_f) {
        a->f = (float)mutate_number(r, a->f);
        return true;
    }
    if (a->has_s) {
        static const char *const strs[] = { "", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID",
                                            "ROUND", "FLOOR", "bipolar", "quant", "integer",
                                            "NCHW", "NHWC", "DCR", "CRD", "x" };
        return set_string_attr(a, PICK(r, strs));
    }
    if (a->n_ints) {
        if (below(r, 4) == 0) {
            a->n_ints--;  /* the array stays allocated; free_unpacked frees it */
        } else {
            size_t k = below(r, a->n_ints);
            a->ints[k] = below(r, 2) ? PICK(r, ints) : nudge(r, a->ints[k]);
        }
        return true;
    }
    if (a->n_floats) {
        size_t k = below(r, a->n_floats);
        a->floats[k] = (float)mutate_number(r, a->floats[k]);
        return true;
    }
    if (a->t)
        return mutate_constant_value(r, a->t);
    return false;
}

/* A node's inputs: one dropped (from the end, or emptied: "" is ONNX's
 * absent optional input), two swapped, or one rewired to another tensor
 * of the graph (a graph input, an initializer or a node's output). */
static bool mutate_node_inputs(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_node(r, g);
    if (!n || !n->n_input)
        return false;
    switch (below(r, 4)) {
    case 0:
        free(n->input[n->n_input - 1]);
        n->n_input--;
        return true;
    case 1:
        replace_string(&n->input[below(r, n->n_input)], "");
        return true;
    case 2: {
        if (n->n_input < 2)
            return false;
        size_t a = below(r, n->n_input), b = below(r, n->n_input);
        char *t = n->input[a];
        n->input[a] = n->input[b];
        n->input[b] = t;
        return a != b;
    }
    default: {
        const char *name = NULL;
        uint32_t which = below(r, 3);
        if (which == 0 && g->n_input)
            name = g->input[below(r, g->n_input)]->name;
        else if (which == 1 && g->n_initializer)
            name = g->initializer[below(r, g->n_initializer)]->name;
        else if (g->n_node) {
            Onnx__NodeProto *o = g->node[below(r, g->n_node)];
            name = o->n_output ? o->output[0] : NULL;
        }
        if (!name)
            return false;
        replace_string(&n->input[below(r, n->n_input)], name);
        return true;
    }
    }
}

/* A node bypassed: its readers, and the graph output it was, take its
 * first input instead, as an export without that quantizer, activation
 * or bias would have it (the node itself is left dead, for cleanup to
 * remove). */
static bool mutate_bypass(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_node(r, g);
    if (!n || !n->n_input || !n->n_output || !n->input[0][0])
        return false;
    const char *out = n->output[0];
    bool used = false;
    for (size_t k = 0; k < g->n_node; k++)
        for (size_t j = 0; j < g->node[k]->n_input; j++)
            if (g->node[k] != n && !strcmp(g->node[k]->input[j], out)) {
                replace_string(&g->node[k]->input[j], n->input[0]);
                used = true;
            }
    for (size_t k = 0; k < g->n_output; k++)
        if (g->output[k]->name && !strcmp(g->output[k]->name, out)) {
            replace_string(&g->output[k]->name, n->input[0]);
            used = true;
        }
    return used;
}

/* A node's domain (standard ONNX, qonnx's, finn's, qonnxc's own, an
 * unknown one) or op type (another op of the same graph) changed. */
static bool mutate_node_op(Rng *r, Onnx__GraphProto *g)
{
    Onnx__NodeProto *n = pick_node(r, g);
    if (!n)
        return false;
    if (below(r, 2)) {
        static const char *const domains[] = { "", "ai.onnx", "qonnx.custom_op.general",
                                               "finn.custom_op.general", "qonnxc",
                                               "com.example" };
        replace_string(&n->domain, PICK(r, domains));
    } else {
        Onnx__NodeProto *o = pick_node(r, g);
        if (!o->op_type || o == n)
            return false;
        replace_string(&n->op_type, o->op_type);
    }
    return true;
}

/* An opset import's version changed: older and newer opsets, zero,
 * negative. */
static bool mutate_opset(Rng *r, Onnx__ModelProto *m)
{
    if (!m->n_opset_import)
        return false;
    Onnx__OperatorSetIdProto *o = m->opset_import[below(r, m->n_opset_import)];
    static const int64_t versions[] = { 1, 6, 7, 9, 10, 11, 12, 13, 14, 17, 18, 19, 21, 0, -1,
                                        1000 };
    o->version = PICK(r, versions);
    o->has_version = 1;
    return true;
}

/* Applies one structural mutation; false when the one drawn did not apply
 * to this model (the caller draws again). */
static bool mutate_once(Rng *r, Onnx__ModelProto *m)
{
    Onnx__GraphProto *g = m->graph;
    if (!g)
        return false;
    switch (below(r, 9)) {
    case 0: return mutate_io_dim(r, g);
    case 1: return mutate_constant_dim(r, g);
    case 2:
    case 3: return mutate_quant_param(r, g);
    case 4: return mutate_quant_attr(r, g);
    case 5: return mutate_attribute(r, g);
    case 6: return below(r, 3) ? mutate_node_inputs(r, g) : mutate_bypass(r, g);
    case 7: return below(r, 3) ? mutate_node_op(r, g) : mutate_opset(r, m);
    default: return mutate_constant_value(r, pick_constant(r, g));
    }
}

size_t pipeline_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    Rng r = { ((uint64_t)seed << 1) | 1 };
    next(&r);
    if (below(&r, 8) == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    if (!m)
        return LLVMFuzzerMutate(data, size, max_size);
    bool done = false;
    for (int tries = 0; tries < 16 && !done; tries++)
        done = mutate_once(&r, m);
    size_t out = 0;
    if (done && onnx__model_proto__get_packed_size(m) <= max_size)
        out = onnx__model_proto__pack(m, data);
    onnx__model_proto__free_unpacked(m, NULL);
    return out ? out : LLVMFuzzerMutate(data, size, max_size);
}
