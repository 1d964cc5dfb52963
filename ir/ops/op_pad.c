/* Pad: grows (or, with negative pads, crops) every axis.
 *
 * Forms by opset: Pad-1 has the `paddings` attribute, Pad-2 `pads`, both
 * with a float `value`; from opset 11 the pads are input 1 (int64, layout
 * [x1_begin, x2_begin, ..., x1_end, x2_end]) and the fill is the optional
 * scalar input 2 (0 when omitted); opset 18 adds input 3, the axes the
 * pads apply to. Modes: constant (default), reflect (mirror without
 * repeating the edge, as numpy.pad), edge (repeat the edge) and wrap
 * (opset 19, periodic). Negative pads crop first; the other modes then pad
 * from the cropped axis. */
#include "op_tensor.h"

#include <string.h>

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP } PadMode;

/* Pads as attributes (opset < 11); without an opset import, whichever form
 * the node uses. */
static bool pads_are_attr(const Node *n)
{
    if (n->opset > 0)
        return n->opset < 11;
    return n->n_inputs < 2 || !n->inputs[1];
}

static bool pad_mode(const OpCtx *ctx, const Node *n, PadMode *mode)
{
    /* outputs written on every path: GCC -O2 cannot see that op_error returns false */
    *mode = PAD_CONSTANT;
    const Attr *a = node_attr(n, "mode");
    if (!a)
        return true;
    if (a->kind != ATTR_STRING)
        return op_error(ctx, n, "attribute 'mode' must be a string");
    static const char *const names[] = { "constant", "reflect", "edge", "wrap" };
    for (int k = 0; k < 4; k++)
        if (!strcmp(a->s, names[k])) {
            *mode = (PadMode)k;
            return true;
        }
    return op_error(ctx, n, "mode '%s' is not one of constant, reflect, edge, wrap", a->s);
}

/* Per-axis begin/end pads for an input of the given rank. */
typedef struct PadSpec {
    int64_t begin[MAX_RANK], end[MAX_RANK];
} PadSpec;

/* Builds the spec from the raw pads list and the (optional) axes list.
 * rank must be known. */
static bool pad_spec(const OpCtx *ctx, const Node *n, const IntList *pads, IntList *axes,
                     int rank, PadSpec *spec)
{
    memset(spec, 0, sizeof *spec);
    int count = rank;
    if (axes) {
        if (!op_axes_normalize(ctx, n, axes, rank))
            return false;
        count = axes->n;
    }
    if (pads->n != 2 * count)
        return op_error(ctx, n, "pads has %d entries; %d axes need %d", pads->n, count,
                        2 * count);
    for (int k = 0; k < count; k++) {
        int a = axes ? (int)axes->v[k] : k;
        spec->begin[a] = pads->v[k];
        spec->end[a] = pads->v[count + k];
    }
    return true;
}

/* The pads and axes lists: from attributes, or from inputs 1 and 3 when
 * their values are given (pads_v/axes_v). Returns 1 when known, 0 when the
 * pads input has no value (static inference), -1 on error. *has_axes tells
 * whether an axes list applies. */
static int pad_lists(const OpCtx *ctx, const Node *n, const Value *pads_v, const Value *axes_v,
                     bool axes_present, IntList *pads, IntList *axes, bool *has_axes)
{
    *has_axes = false;
    if (pads_are_attr(n)) {
        const Attr *a = node_attr(n, "pads");
        if (!a)
            a = node_attr(n, "paddings");
        if (!a)
            return op_error(ctx, n, "missing attribute 'pads' (before opset 11 the pads are "
                            "an attribute)"), -1;
        return int_list_from_attr(ctx, n, a, pads) ? 1 : -1;
    }
    if (!pads_v)
        return 0;
    if (!int_list_from_value(ctx, n, pads_v, "pads", false, pads))
        return -1;
    if (axes_present) {
        if (!axes_v)
            return 0;
        if (!int_list_from_value(ctx, n, axes_v, "axes", false, axes))
            return -1;
        *has_axes = true;
    }
    return 1;
}

/* Output shape; also checks the crop does not remove more than an axis
 * holds. Unknown input dims give unknown output dims. */
static bool pad_shape(const OpCtx *ctx, const Node *n, const Shape *in, const PadSpec *spec,
                      Shape *out)
{
    *out = *in;
    for (int k = 0; k < in->rank; k++) {
        int64_t d = in->dims[k], b = spec->begin[k], e = spec->end[k], s;
        if (d < 0)
            continue;
        if (__builtin_add_overflow(d, b, &s) || __builtin_add_overflow(s, e, &s))
            return op_error(ctx, n, "padded extent of axis %d overflows", k);
        /* the crops (negative pads) must fit inside the axis */
        int64_t cb = b < 0 ? b : 0, ce = e < 0 ? e : 0;
        if (cb < -d || ce < -d - cb)
            return op_error(ctx, n, "pads %lld and %lld crop more than the %lld entries of "
                            "axis %d", (long long)b, (long long)e, (long long)d, k);
        out->dims[k] = s;
    }
    return true;
}

static bool pad_check(const OpCtx *ctx, const Node *n)
{
    PadMode mode;
    if (!pad_mode(ctx, n, &mode))
        return false;
    bool attr = pads_are_attr(n);
    if (attr && n->n_inputs > 1)
        return op_error(ctx, n, "before opset 11 the pads are an attribute, not an input");
    if (!attr) {
        if (n->n_inputs < 2 || !n->inputs[1])
            return op_error(ctx, n, "from opset 11 Pad needs the pads as input 1");
        if (node_attr(n, "pads") || node_attr(n, "value"))
            return op_error(ctx, n, "from opset 11 pads and value are inputs, not attributes");
    }
    const Attr *v = node_attr(n, "value");
    if (v && v->kind != ATTR_FLOAT)
        return op_error(ctx, n, "attribute 'value' must be a float");
    IntList pads, axes;
    bool has_axes;
    return pad_lists(ctx, n, op_const_input(n, 1), op_const_input(n, 3),
                     op_input(n, 3) != NULL, &pads, &axes, &has_axes) >= 0;
}

static bool pad_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *x = n->inputs[0];
    IntList pads, axes;
    bool has_axes;
    Shape out = x->shape;
    int found = pad_lists(ctx, n, op_const_input(n, 1), op_const_input(n, 3),
                          op_input(n, 3) != NULL, &pads, &axes, &has_axes);
    if (found < 0)
        return false;
    if (found && x->shape.rank >= 0) {
        PadSpec spec;
        if (!pad_spec(ctx, n, &pads, has_axes ? &axes : NULL, x->shape.rank, &spec) ||
            !pad_shape(ctx, n, &x->shape, &spec, &out))
            return false;
    } else {
        shape_set_unknown(&out, out.rank);
    }
    op_set_output(n, 0, x->elem_type, &out);
    return true;
}

/* Maps position p (relative to the cropped axis of extent m) into [0, m)
 * for the non-constant modes; m >= 1. */
static int64_t pad_fold(PadMode mode, int64_t p, int64_t m)
{
    switch (mode) {
    case PAD_EDGE:
        return p < 0 ? 0 : p >= m ? m - 1 : p;
    case PAD_WRAP: {
        int64_t r = p % m;
        return r < 0 ? r + m : r;
    }
    default: { /* reflect: period 2(m-1), mirrored in the second half */
        if (m == 1)
            return 0;
        int64_t period = 2 * (m - 1), r = p % period;
        if (r < 0)
            r += period;
        return r < m ? r : period - r;
    }
    }
}

/* The constant fill into element k of y: the value input (same storage as
 * y), the old `value` attribute, or 0. */
static bool pad_fill(const OpCtx *ctx, const Node *n, const Value *fill_v, Value *y,
                     double *fill_attr, const Value **fill)
{
    *fill = NULL;
    *fill_attr = 0;
    if (pads_are_attr(n)) {
        *fill_attr = node_attr_float(n, "value", 0.0f);
        return true;
    }
    if (!fill_v)
        return true;
    if (fill_v->count != 1)
        return op_error(ctx, n, "constant_value must be a scalar, not %lld elements",
                        (long long)fill_v->count);
    if (!op_same_storage(ctx, n, y, fill_v, "data and constant_value"))
        return false;
    *fill = fill_v;
    return true;
}

static bool pad_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    const Value *x = in[0];
    const Value *arg[4] = { NULL, NULL, NULL, NULL };
    for (int k = 1; k < 4 && k < n->n_inputs; k++)
        arg[k] = in[k];
    bool attr = pads_are_attr(n);
    if (!attr && !op_need_input(ctx, n, in, 1))
        return false;
    PadMode mode;
    IntList pads, axes;
    bool has_axes;
    PadSpec spec;
    Shape shape;
    if (!pad_mode(ctx, n, &mode))
        return false;
    int found = pad_lists(ctx, n, arg[1], arg[3], !attr && op_input(n, 3) != NULL, &pads,
                          &axes, &has_axes);
    if (found == 0)
        return op_error(ctx, n, "the axes input has no value");
    if (found < 0 ||
        !pad_spec(ctx, n, &pads, has_axes ? &axes : NULL, x->shape.rank, &spec) ||
        !pad_shape(ctx, n, &x->shape, &spec, &shape))
        return false;
    int rank = x->shape.rank;
    /* Non-constant modes read from the cropped axis [lo, lo + m). */
    int64_t lo[MAX_RANK], m[MAX_RANK], pb[MAX_RANK];
    for (int k = 0; k < rank; k++) {
        int64_t b = spec.begin[k], e = spec.end[k];
        lo[k] = b < 0 ? -b : 0;
        m[k] = x->shape.dims[k] - lo[k] - (e < 0 ? -e : 0);
        pb[k] = b > 0 ? b : 0;
        if (mode != PAD_CONSTANT && m[k] == 0 && shape.dims[k] > 0)
            return op_error(ctx, n, "cannot pad the empty axis %d in %s mode", k,
                            node_attr_string(n, "mode", "constant"));
    }
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    const Value *fill;
    double fill_attr;
    if (!pad_fill(ctx, n, attr ? NULL : arg[2], y, &fill_attr, &fill)) {
        value_free(y);
        return false;
    }
    int64_t strides[MAX_RANK], idx[MAX_RANK] = { 0 };
    shape_strides(&x->shape, strides);
    for (int64_t o = 0; o < y->count; o++) {
        int64_t src = 0;
        bool inside = true;
        for (int k = 0; inside && k < rank; k++) {
            int64_t s;
            if (mode == PAD_CONSTANT) {
                /* no overflow: the output is not empty, so begin is bounded by extents */
                s = idx[k] - spec.begin[k];
                inside = s >= 0 && s < x->shape.dims[k];
            } else {
                s = lo[k] + pad_fold(mode, idx[k] - pb[k], m[k]);
            }
            src += s * strides[k];
        }
        if (inside)
            value_move(y, o, x, src);
        else if (fill)
            value_move(y, o, fill, 0);
        else
            value_set(y, o, fill_attr);
        shape_index_next(&shape, idx);
    }
    out[0] = y;
    return true;
}

const OpDef op_pad = {
    OP_PAD, "Pad", DOMAIN_ONNX, 1, 4, 1, 1, pad_check, pad_infer, pad_eval,
};
