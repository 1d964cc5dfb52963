/* Streamlining pass 2: the input quantizer.
 *
 * From each graph input, the float ops up to its first quantizer become
 * one InputQuant node (docs/integer-graph.md):
 *
 *   X -> [Mul/Add/Sub/Div by constants, layout ops] -> Quant | BipolarQuant
 *
 * The steps are replayed by InputQuant in the same float32 order, so its
 * integers are exactly the quantizer's q - zeropt. C - x is replayed as
 * (-1 * x) + C, which rounds identically; C / x is not supported. Layout
 * ops (Reshape, Flatten, Transpose, Squeeze, Unsqueeze) in the prefix are
 * moved after InputQuant, onto the integers, when every constant is a
 * scalar (then the order does not matter); with per-channel constants they
 * must come first and stay on the float input.
 *
 * An input annotated with an integer datatype (Tensor.qdt, e.g. BIPOLAR)
 * needs no quantizer: its prefix (UNSW-NB15's (x + 1) / 2) must map every
 * value of the datatype to an integer, which is checked here by running
 * the golden ops on each value; InputQuant then runs in mode "integer". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_quant.h"
#include "qc_dtype_name.h"
#include "streamline_internal.h"

#define MAX_PREFIX 16

typedef struct Item {
    Node *node;
    bool layout;
    int data;             /* data input of a step */
} Item;

typedef struct Prefix {
    Tensor *x;            /* the graph input */
    int n;
    Item item[MAX_PREFIX];
    Node *quant;          /* NULL: mode integer */
    Tensor *end;          /* the float tensor InputQuant (and moved layout ops) stand for */
} Prefix;

static bool is_layout(const Node *n)
{
    static const char *const ops[] = { "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze" };
    return node_is_onnx_op(n, ops, sizeof ops / sizeof ops[0]);
}

static bool is_step(const Node *n, const Tensor *t, int *data)
{
    static const char *const ops[] = { "Mul", "Add", "Sub", "Div" };
    if (n->domain_kind != DOMAIN_ONNX || n->n_inputs != 2)
        return false;
    bool known = false;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        known = known || !strcmp(n->op_type, ops[k]);
    if (!known || (n->inputs[0] == t) == (n->inputs[1] == t))
        return false;
    *data = n->inputs[0] == t ? 0 : 1;
    const Tensor *c = n->inputs[1 - *data];
    return c && c->value && c->value->f;
}

/* Follows the input through steps and layout ops to its quantizer. */
static bool walk(Streamline *S, Prefix *p)
{
    Tensor *t = p->x;
    for (;;) {
        Node *c;
        int uses = sl_consumers(S, t, &c);
        if (uses != 1 || !c || t->is_graph_output)
            break;
        int data = 0;
        if (sl_is_quantizer(c) && c->inputs[0] == t) {
            p->quant = c;
            p->end = c->outputs[0];
            return true;
        }
        bool layout = is_layout(c) && c->inputs[0] == t;
        if (!layout && !is_step(c, t, &data))
            break;
        if (p->n == MAX_PREFIX)
            return sl_fail(S, c, "more than %d float ops between graph input '%s' and its "
                           "quantizer", MAX_PREFIX, p->x->name);
        for (int k = 1; layout && k < c->n_inputs; k++)
            if (c->inputs[k] && !c->inputs[k]->value)
                return sl_fail(S, c, "input '%s' of a layout op on the graph input is not a "
                               "constant", c->inputs[k]->name);
        if (!layout) {
            const Value *cv = c->inputs[1 - data]->value;
            if (!strcmp(c->op_type, "Div") && data == 1)
                return sl_fail(S, c, "dividing a constant by the input is not supported before "
                               "the input quantizer");
            char sc[96], st[96];
            if (!sl_per_channel_shape(&cv->shape, t->shape.rank, -1, 1)) {
                /* must broadcast to t without growing it */
                bool fits = cv->shape.rank <= t->shape.rank;
                for (int j = 0; fits && j < cv->shape.rank; j++) {
                    int64_t dc = cv->shape.dims[j];
                    fits = dc == 1 || dc == t->shape.dims[t->shape.rank - cv->shape.rank + j];
                }
                if (!fits)
                    return sl_fail(S, c, "constant of shape %s does not broadcast to the input's "
                                   "shape %s", shape_str(&cv->shape, sc, sizeof sc),
                                   shape_str(&t->shape, st, sizeof st));
            }
        }
        p->item[p->n++] = (Item){ c, layout, data };
        t = c->outputs[0];
    }
    p->end = t;
    return true;
}

static bool all_scalars(const Prefix *p)
{
    for (int k = 0; k < p->n; k++)
        if (!p->item[k].layout && p->item[k].node->inputs[1 - p->item[k].data]->value->count != 1)
            return false;
    if (p->quant)
        for (int k = 1; k < p->quant->n_inputs; k++)
            if (p->quant->inputs[k] && p->quant->inputs[k]->value &&
                p->quant->inputs[k]->value->count != 1 && k < 3)
                return false;
    return true;
}

/* Integer mode: every value of the input's datatype must come out of the
 * golden steps as an integer; their range is the output's datatype. */
static bool integer_range(Streamline *S, const Prefix *p, const Tensor *x, qc_dtype in_dt,
                          int64_t *lo, int64_t *hi)
{
    int64_t vmin = qc_dtype_min(in_dt), vmax = qc_dtype_max(in_dt);
    if (vmax - vmin > 65535)
        return sl_fail(S, NULL, "graph input '%s' of datatype %s has too many values to check "
                       "its float prefix", p->x->name, p->x->qdt);
    if (!shape_known(&x->shape))
        return sl_fail(S, NULL, "graph input '%s' has no known shape", x->name);
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (int64_t v = vmin; v <= vmax; v++) {
        if (in_dt.kind == QC_BIPOLAR && v == 0)
            continue;
        Value *cur = value_new(ET_FLOAT, &x->shape);
        if (!cur)
            return sl_fail(S, NULL, "out of memory");
        for (int64_t k = 0; k < cur->count; k++)
            cur->f[k] = (float)v;
        for (int s = 0; s < p->n; s++) {
            if (p->item[s].layout)
                continue;
            const Node *n = p->item[s].node;
            const Value *in[2] = { n->inputs[0]->value, n->inputs[1]->value };
            in[p->item[s].data] = cur;
            Value *out[1] = { NULL };
            bool ok = n->op->eval(&S->ctx, n, in, out);
            value_free(cur);
            if (!ok)
                return false;
            cur = out[0];
        }
        for (int64_t k = 0; k < cur->count; k++) {
            float f = cur->f[k];
            if (!(f == floorf(f) && fabsf(f) < 1e9f)) {
                value_free(cur);
                return sl_fail(S, p->item[p->n - 1].node,
                               "graph input '%s' is annotated %s, but its value %lld becomes "
                               "%.9g here, not an integer: add a quantizer", p->x->name,
                               p->x->qdt, (long long)v, (double)f);
            }
            *lo = (int64_t)f < *lo ? (int64_t)f : *lo;
            *hi = (int64_t)f > *hi ? (int64_t)f : *hi;
        }
        value_free(cur);
    }
    return true;
}

/* The quantizer's parameters: mode, bits, flags, datatype, scale. */
typedef struct InQuant {
    const char *mode;
    int bits;
    bool is_signed, narrow;
    QonnxRounding rounding;
    qc_dtype dt;
    int64_t lo, hi;
} InQuant;

static bool read_quant(Streamline *S, const Node *q, InQuant *iq)
{
    const OpCtx *ctx = &S->ctx;
    memset(iq, 0, sizeof *iq);
    for (int k = 1; k < q->n_inputs; k++)
        if (!q->inputs[k] || !q->inputs[k]->value)
            return sl_fail(S, q, "parameter %d of the input quantizer is not a constant", k);
    if (!qonnx_check_scale(ctx, q, q->inputs[1]->value, "scale"))
        return false;
    if (!strcmp(q->op_type, "BipolarQuant")) {
        iq->mode = "bipolar";
        iq->bits = 1;
        iq->dt = qc_dtype_bipolar();
        iq->lo = -1;
        iq->hi = 1;
        return true;
    }
    iq->mode = "quant";
    if (!qonnx_flag_attr(ctx, q, "signed", true, &iq->is_signed) ||
        !qonnx_flag_attr(ctx, q, "narrow", false, &iq->narrow) ||
        !qonnx_rounding_attr(ctx, q, QROUND_HALF_EVEN, &iq->rounding) ||
        !qonnx_bit_width(ctx, q, q->inputs[3]->value, "bit width", &iq->bits))
        return false;
    if (iq->bits > SL_MAX_BITS)
        return sl_fail(S, q, "the input is quantized to %d bits; 1 to %d are supported",
                       iq->bits, SL_MAX_BITS);
    const Value *zp = q->inputs[2]->value;
    double z0 = value_get(zp, 0);
    for (int64_t k = 0; k < zp->count; k++) {
        double z = value_get(zp, k);
        if (z != floor(z))
            return sl_fail(S, q, "zero point %g is not an integer; the integer graph needs "
                           "integer zero points", z);
        if (z != z0)
            return sl_fail(S, q, "zero points differ between channels; one zero point per "
                           "tensor is supported");
    }
    /* as for activations (streamline_thresholds.c); also keeps lo - z exact */
    if (fabs(z0) > 1e6)
        return sl_fail(S, q, "zero point %g is out of range (at most 1e6 in magnitude)", z0);
    int64_t lo, hi, z = (int64_t)z0;
    qonnx_int_range(iq->bits, iq->is_signed, iq->narrow, &lo, &hi);
    if (iq->bits == 1 && iq->is_signed) {
        lo = -1;
        hi = 1;
    }
    iq->lo = lo - z;
    iq->hi = hi - z;
    iq->dt = iq->bits == 1 && iq->is_signed && z == 0 ? qc_dtype_bipolar()
                                                       : sl_dtype_for_range(iq->lo, iq->hi);
    return true;
}

/* The graph input's integer form: InputQuant, then the moved layout ops. */
static bool build(Streamline *S, Prefix *p)
{
    Tensor *x = p->x;
    bool move_layout = all_scalars(p);
    int first = 0;   /* items before `first` stay on the float input */
    if (!move_layout) {
        while (first < p->n && p->item[first].layout)
            first++;
        for (int k = first; k < p->n; k++)
            if (p->item[k].layout)
                return sl_fail(S, p->item[k].node, "a layout op between graph input '%s' and "
                               "its quantizer, after a per-channel constant, is not supported",
                               x->name);
        if (first > 0)
            x = p->item[first - 1].node->outputs[0];
    }
    InQuant iq;
    qc_dtype in_dt;
    if (p->quant) {
        if (!read_quant(S, p->quant, &iq))
            return false;
    } else {
        if (!p->x->qdt || qc_dtype_parse(p->x->qdt, &in_dt) != 0) {
            Node *c;
            sl_consumers(S, p->end, &c);
            return sl_fail(S, c, "graph input '%s' reaches this node without a quantizer (and "
                           "has no integer datatype annotation): the integer graph needs its "
                           "input quantized; give its fixed-point type with --input-type "
                           "(e.g. --input-type 'fixed<8,3>' or INT8@0.0625) or the config "
                           "key input_type (docs/cli.md)", p->x->name);
        }
        memset(&iq, 0, sizeof iq);
        iq.mode = "integer";
        if (!integer_range(S, p, x, in_dt, &iq.lo, &iq.hi))
            return false;
        iq.dt = sl_dtype_for_range(iq.lo, iq.hi);
        if (!qc_dtype_valid(iq.dt) || iq.dt.bits > SL_MAX_BITS)
            return sl_fail(S, NULL, "graph input '%s' spans [%lld, %lld] after its float "
                           "prefix: more than %d bits", p->x->name, (long long)iq.lo,
                           (long long)iq.hi, SL_MAX_BITS);
    }
    if (!elem_type_is_float(x->elem_type))
        return sl_fail(S, NULL, "graph input '%s' is %s; a float input is expected", x->name,
                       elem_type_name(x->elem_type));

    /* inputs: X, one constant per step, scale and zero point */
    Tensor *ins[2 + 2 * MAX_PREFIX + 2];
    const char *steps[2 * MAX_PREFIX];
    int n_in = 0, n_steps = 0;
    ins[n_in++] = x;
    for (int k = first; k < p->n; k++) {
        const Item *it = &p->item[k];
        if (it->layout)
            continue;
        Tensor *c = it->node->inputs[1 - it->data];
        const char *op = it->node->op_type;
        if (!strcmp(op, "Sub") && it->data == 1) {
            /* C - x == (-1 * x) + C, with the same rounding */
            Value minus = { .elem_type = ET_FLOAT, .shape = { 0, { 0 } }, .count = 1 };
            float m1 = -1.0f;
            minus.f = &m1;
            Tensor *neg = sl_const(S, "minus_one", &minus, (qc_dtype){ QC_INT, 0 });
            if (!neg)
                return false;
            steps[n_steps++] = "mul";
            ins[n_in++] = neg;
            steps[n_steps++] = "add";
        } else {
            steps[n_steps++] = !strcmp(op, "Mul") ? "mul" : !strcmp(op, "Add") ? "add"
                             : !strcmp(op, "Sub") ? "sub" : "div";
        }
        ins[n_in++] = c;
    }
    if (p->quant && strcmp(iq.mode, "bipolar")) {
        ins[n_in++] = p->quant->inputs[1];
        ins[n_in++] = p->quant->inputs[2];
    }
    char name[512];
    if (p->quant)
        snprintf(name, sizeof name, "%s", sl_take_name(S, p->quant));
    else
        snprintf(name, sizeof name, "InputQuant_%.400s", p->x->name);
    Tensor *it = sl_int_tensor(S, p->end->name, &x->shape, iq.dt);
    if (!it)
        return false;
    int n_attrs = 2 + (strcmp(iq.mode, "quant") ? 0 : 4);
    Node *n = sl_node(S, name, "InputQuant", "qonnxc", n_in, ins, it, n_attrs);
    if (!n)
        return false;
    sl_attr_strings(S, n, 0, "steps", n_steps, steps);
    sl_attr_string(S, n, 1, "mode", iq.mode);
    if (!strcmp(iq.mode, "quant")) {
        sl_attr_int(S, n, 2, "bits", iq.bits);
        sl_attr_int(S, n, 3, "signed", iq.is_signed);
        sl_attr_int(S, n, 4, "narrow", iq.narrow);
        sl_attr_string(S, n, 5, "rounding_mode", qonnx_rounding_name(iq.rounding));
    }
    if (!sl_finish_node(S, n))
        return false;

    /* the layout ops, now on integers */
    for (int k = first; k < p->n; k++) {
        const Item *item = &p->item[k];
        if (!item->layout)
            continue;
        Node *old = item->node;
        Tensor *ins2[8];
        for (int i = 0; i < old->n_inputs && i < 8; i++)
            ins2[i] = i == 0 ? it : old->inputs[i];
        Tensor *next = sl_int_tensor(S, old->outputs[0]->name, &old->outputs[0]->shape, iq.dt);
        if (!next)
            return false;
        Node *ln = sl_node(S, sl_take_name(S, old), old->op_type, old->domain, old->n_inputs,
                           ins2, next, old->n_attrs);
        if (!ln)
            return false;
        sl_copy_attrs(ln, old);
        if (!sl_finish_node(S, ln))
            return false;
        it = next;
    }
    for (int k = first; k < p->n; k++)
        sl_mark_done(S, p->item[k].node);
    if (p->quant)
        sl_mark_done(S, p->quant);

    /* the scale: 1 in mode integer; the quantizer's, per tensor or per channel */
    const Value *sv = p->quant ? p->quant->inputs[1]->value : NULL;
    int caxis = 1;
    int64_t C = 1;
    if (sv && sv->count > 1) {
        const Shape *es = &p->end->shape;
        for (int j = 0; j < sv->shape.rank; j++)
            if (sv->shape.dims[j] != 1) {
                caxis = es->rank - sv->shape.rank + j;
                C = sv->shape.dims[j];
            }
    }
    IntInfo *info = sl_add_info(S, p->end, it, iq.dt, iq.lo, iq.hi, caxis, C);
    if (!info)
        return false;
    for (int64_t c = 0; c < C; c++)
        info->scale[c] = sv ? (double)(float)sl_channel_value(sv, c) : 1.0;
    return true;
}

bool sl_input_quant(Streamline *S)
{
    for (int k = 0; k < S->g->n_inputs; k++) {
        Prefix p;
        memset(&p, 0, sizeof p);
        p.x = S->g->inputs[k];
        if (sl_consumers(S, p.x, NULL) == 0)
            continue;
        if (!walk(S, &p) || !build(S, &p))
            return false;
    }
    return true;
}
