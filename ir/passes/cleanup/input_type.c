/* Input types (input_type.h): parsing, and the Quant node they become. */
#include "input_type.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PREFIX_OPS 16

static bool bad_type(const char *text, char *err, size_t size, const char *why)
{
    snprintf(err, size, "'%.40s' is not an input type: %s (fixed<W,I>, ufixed<W,I>, INTn[@SCALE] "
             "or UINTn[@SCALE]; docs/cli.md)", text, why);
    return false;
}

/* A whole decimal integer at *s, advancing it; false if there is none. */
static bool read_int(const char **s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(*s, &end, 10);
    if (end == *s || errno || (**s != '-' && (**s < '0' || **s > '9')))
        return false;
    *out = v;
    *s = end;
    return true;
}

static bool bits_ok(long bits, bool is_signed)
{
    return bits >= (is_signed ? 2 : 1) && bits <= INPUT_TYPE_MAX_BITS;
}

/* fixed<W,I> (after the name): W total bits, I integer bits incl. sign. */
static bool parse_fixed(const char *s, const char *text, InputType *t, char *err, size_t size)
{
    long w, i;
    if (*s++ != '<' || !read_int(&s, &w) || *s++ != ',' || !read_int(&s, &i) || *s++ != '>')
        return bad_type(text, err, size, "write fixed<W,I>, e.g. fixed<16,6>");
    if (*s == '@')
        return bad_type(text, err, size, "fixed<W,I> has its own scale, 2^-(W-I)");
    if (*s)
        return bad_type(text, err, size, "unexpected text after '>'");
    if (!bits_ok(w, t->is_signed))
        return bad_type(text, err, size, t->is_signed ? "W must be 2 to 32" : "W must be 1 to 32");
    if (w - i < -64 || w - i > 64)
        return bad_type(text, err, size, "W - I, the fraction bits, must be in [-64, 64]");
    t->bits = (int)w;
    t->fixed = true;
    t->scale = ldexpf(1.0f, (int)(i - w));
    return true;
}

/* INTn / UINTn (after the name), then an optional @SCALE. */
static bool parse_int(const char *s, const char *text, InputType *t, char *err, size_t size)
{
    long bits;
    if (*s < '0' || *s > '9' || !read_int(&s, &bits))
        return bad_type(text, err, size, "INT and UINT need a bit count, e.g. INT8");
    if (!bits_ok(bits, t->is_signed))
        return bad_type(text, err, size, t->is_signed ? "INTn needs n from 2 to 32"
                                                      : "UINTn needs n from 1 to 32");
    t->bits = (int)bits;
    t->scale = 1.0f;
    if (!*s)
        return true;
    if (*s != '@' || !s[1])
        return bad_type(text, err, size, "the scale follows '@', e.g. INT8@0.0625");
    char *end;
    double scale = strtod(s + 1, &end);
    if (*end)
        return bad_type(text, err, size, "the scale after '@' is not a number");
    return input_type_set_scale(t, scale, err, size);
}

bool input_type_parse(const char *text, InputType *t, char *err, size_t err_size)
{
    memset(t, 0, sizeof *t);
    snprintf(t->text, sizeof t->text, "%s", text);
    static const struct {
        const char *name;
        bool is_signed, fixed;
    } forms[] = {
        { "ap_ufixed", false, true }, { "ap_fixed", true, true }, { "ufixed", false, true },
        { "fixed", true, true },      { "UINT", false, false },   { "INT", true, false },
    };
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        size_t len = strlen(forms[k].name);
        if (strncasecmp(text, forms[k].name, len))
            continue;
        t->is_signed = forms[k].is_signed;
        bool ok = forms[k].fixed ? parse_fixed(text + len, text, t, err, err_size)
                                 : parse_int(text + len, text, t, err, err_size);
        if (!ok)
            t->bits = 0;
        return ok;
    }
    return bad_type(text, err, err_size, "unknown type name");
}

bool input_type_set_scale(InputType *t, double scale, char *err, size_t err_size)
{
    if (t->fixed)
        return bad_type(t->text, err, err_size, "fixed<W,I> has its own scale, 2^-(W-I)");
    float f = (float)scale;
    if (!(f > 0.0f) || !isfinite(f)) {
        snprintf(err, err_size, "the input scale %g is not a positive float32", scale);
        return false;
    }
    t->scale = f;
    return true;
}

/* ---- is the input quantized? ---------------------------------------------- */

static bool is_quantizer(const Node *n)
{
    return n->domain_kind == DOMAIN_QONNX &&
           (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "IntQuant") ||
            !strcmp(n->op_type, "BipolarQuant"));
}

/* The float ops streamlining moves into the input quantizer
 * (ir/streamline_input_quant.c): elementwise with a constant, and layout. */
static bool is_prefix_op(const Node *n, const Tensor *t)
{
    static const char *const elementwise[] = { "Mul", "Add", "Sub", "Div" };
    static const char *const layout[] = { "Reshape", "Flatten", "Transpose", "Squeeze",
                                          "Unsqueeze" };
    if (node_is_onnx_op(n, layout, sizeof layout / sizeof layout[0]))
        return n->inputs[0] == t;
    if (!node_is_onnx_op(n, elementwise, 4) || n->n_inputs != 2)
        return false;
    const Tensor *other = n->inputs[0] == t ? n->inputs[1] : n->inputs[0];
    return other && other != t && other->value;
}

static bool reaches_quantizer(const Graph *g, const Tensor *t, int depth)
{
    int uses = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        bool reads = false;
        for (int i = 0; i < n->n_inputs; i++)
            reads = reads || n->inputs[i] == t;
        if (!reads)
            continue;
        uses++;
        if (is_quantizer(n) && n->inputs[0] == t)
            continue;
        if (depth >= MAX_PREFIX_OPS || !is_prefix_op(n, t) || n->n_outputs < 1 ||
            !reaches_quantizer(g, n->outputs[0], depth + 1))
            return false;
    }
    return uses > 0 && !t->is_graph_output;
}

bool graph_input_is_quantized(const Graph *g, const Tensor *x)
{
    if (x->qdt && strncmp(x->qdt, "FLOAT", 5))
        return true;
    return reaches_quantizer(g, x, 0);
}

/* ---- the Quant node -------------------------------------------------------- */

static Tensor *scalar_const(Graph *g, const char *name, float v)
{
    Tensor *t = graph_add_tensor(g, name);
    Shape scalar = { 0, { 0 } };
    Value *val = t ? value_new_in(&g->arena, ET_FLOAT, &scalar) : NULL;
    if (!val)
        return NULL;
    val->f[0] = v;
    t->value = val;
    t->elem_type = ET_FLOAT;
    t->shape = scalar;
    return t;
}

static Attr int_attr(const char *name, int64_t v)
{
    return (Attr){ .name = name, .kind = ATTR_INT, .i = v };
}

/* x -> Quant(x, scale, 0, bits; signed, narrow=0, ROUND) -> what read x */
static bool quantize_input(Graph *g, Tensor *x, const InputType *t, Diag *d)
{
    char name[256];
    snprintf(name, sizeof name, "%.200s_quantized", x->name);
    Tensor *q = graph_add_tensor(g, name);
    Tensor *scale = scalar_const(g, "input_type_scale", t->scale);
    Tensor *zero = scalar_const(g, "input_type_zeropt", 0.0f);
    Tensor *bits = scalar_const(g, "input_type_bitwidth", (float)t->bits);
    snprintf(name, sizeof name, "Quant_%.200s", x->name);
    Attr *attrs = arena_array(&g->arena, 3, sizeof *attrs);
    if (!q || !scale || !zero || !bits || !attrs)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    graph_replace_uses(g, x, q);
    Node *n = graph_add_node(g, name, "Quant", "qonnx.custom_op.general", 4, 1);
    if (!n)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    n->inputs[0] = x;
    n->inputs[1] = scale;
    n->inputs[2] = zero;
    n->inputs[3] = bits;
    n->outputs[0] = q;
    q->producer = n;
    q->elem_type = ET_FLOAT;
    attrs[0] = int_attr("signed", t->is_signed);
    attrs[1] = int_attr("narrow", 0);
    attrs[2] = (Attr){ .name = "rounding_mode", .kind = ATTR_STRING, .s = "ROUND" };
    n->attrs = attrs;
    n->n_attrs = 3;
    return true;
}

bool graph_insert_input_quant(Graph *g, const InputType *t, Diag *d)
{
    for (int k = 0; k < g->n_inputs; k++) {
        Tensor *x = g->inputs[k];
        if (graph_input_is_quantized(g, x)) {
            diag_error(d, g->path, NULL, NULL, "graph input '%s' is already quantized; the input "
                       "type %s is for an unquantized float input", x->name, t->text);
            diag_set_exit(d, EXIT_USAGE);
            return false;
        }
        if (!elem_type_is_float(x->elem_type) && x->elem_type != ET_UNDEFINED) {
            diag_error(d, g->path, NULL, NULL, "graph input '%s' is %s, not float; the input "
                       "type %s applies to float inputs", x->name,
                       elem_type_name(x->elem_type), t->text);
            diag_set_exit(d, EXIT_USAGE);
            return false;
        }
        if (!quantize_input(g, x, t, d))
            return false;
    }
    return true;
}
