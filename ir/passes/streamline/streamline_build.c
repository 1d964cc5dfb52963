/* The streamlining passes' shared state and graph-building helpers (see
 * streamline_internal.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qc_dtype_name.h"
#include "streamline_internal.h"

void sl_init(Streamline *S, Graph *g, Diag *d)
{
    memset(S, 0, sizeof *S);
    S->g = g;
    S->d = d;
    S->ctx.g = g;
    S->ctx.d = d;
    S->enum_limit = SL_ENUM_LIMIT;
}

void sl_free(Streamline *S)
{
    for (int k = 0; k < S->n_info; k++) {
        IntInfo *x = S->info[k];
        free(x->scale);
        free(x->clo);
        free(x->chi);
        free(x);
    }
    for (int k = 0; k < S->n_w; k++) {
        value_free(S->w[k].q);
        free(S->w[k].scale);
    }
    free(S->info);
    free(S->w);
    free(S->done);
    free(S->notes);
    memset(S, 0, sizeof *S);
}

IntInfo *sl_info(const Streamline *S, const Tensor *src)
{
    for (int k = S->n_info - 1; k >= 0; k--)
        if (S->info[k]->src == src)
            return S->info[k];
    return NULL;
}

IntInfo *sl_add_info(Streamline *S, Tensor *src, Tensor *it, qc_dtype dt, int64_t lo,
                     int64_t hi, int caxis, int64_t C)
{
    if (!array_grow((void **)&S->info, &S->cap_info, S->n_info + 1, sizeof *S->info, 32))
        return NULL;
    IntInfo *x = calloc(1, sizeof *x);
    if (!x || !(x->scale = calloc((size_t)C, sizeof *x->scale))) {
        free(x);
        diag_error(S->d, S->g->path, NULL, NULL, "out of memory streamlining");
        return NULL;
    }
    x->src = src;
    x->it = it;
    x->dt = dt;
    x->lo = lo;
    x->hi = hi;
    x->caxis = caxis;
    x->C = C;
    x->mul = 1;
    x->w_axis = -1;
    S->info[S->n_info++] = x;
    return x;
}

IntWeight *sl_add_weight(Streamline *S)
{
    if (!array_grow((void **)&S->w, &S->cap_w, S->n_w + 1, sizeof *S->w, 32))
        return NULL;
    IntWeight *w = &S->w[S->n_w++];
    memset(w, 0, sizeof *w);
    w->axis = -1;
    return w;
}

/* A float constant holding only integers of at most SL_MAX_BITS bits is
 * its own integer form, with scale 1: the golden executor computes with
 * exactly these numbers. */
static IntWeight *integer_constant(Streamline *S, const Tensor *src)
{
    const Value *v = src ? src->value : NULL;
    if (!v || !v->count)
        return NULL;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t k = 0; k < v->count; k++) {
        double x = value_get(v, k);
        if (x != floor(x) || x < -128 || x > 255)
            return NULL;
        lo = (int64_t)x < lo ? (int64_t)x : lo;
        hi = (int64_t)x > hi ? (int64_t)x : hi;
    }
    qc_dtype dt = sl_dtype_for_range(lo, hi);
    if (dt.bits > SL_MAX_BITS)
        return NULL;
    Value *q = value_new(ET_INT64, &v->shape);
    float *scale = malloc(sizeof *scale);
    IntWeight *w = q && scale ? sl_add_weight(S) : NULL;
    if (!w) {
        value_free(q);
        free(scale);
        return NULL;
    }
    for (int64_t k = 0; k < v->count; k++)
        q->i[k] = (int64_t)value_get(v, k);
    scale[0] = 1.0f;
    w->src = src;
    w->q = q;
    w->dt = dt;
    w->bits = dt.bits;
    w->scale = scale;
    return w;
}

IntWeight *sl_weight(Streamline *S, const Tensor *src)
{
    for (int k = 0; k < S->n_w; k++)
        if (S->w[k].src == src)
            return &S->w[k];
    return integer_constant(S, src);
}

void sl_mark_done(Streamline *S, const Node *n)
{
    if (sl_is_done(S, n) ||
        !array_grow((void **)&S->done, &S->cap_done, S->n_done + 1, sizeof *S->done, 32))
        return;
    S->done[S->n_done++] = n;
}

bool sl_is_done(const Streamline *S, const Node *n)
{
    for (int k = 0; k < S->n_done; k++)
        if (S->done[k] == n)
            return true;
    return false;
}

void sl_note(Streamline *S, const Node *n, const char *fmt, ...)
{
    if (sl_find_note(S, n) ||
        !array_grow((void **)&S->notes, &S->cap_notes, S->n_notes + 1, sizeof *S->notes, 32))
        return;
    SlNote *note = &S->notes[S->n_notes++];
    note->node = n;
    note->out = n->n_outputs > 0 ? n->outputs[0] : NULL;
    snprintf(note->name, sizeof note->name, "%s", n->name);
    snprintf(note->op, sizeof note->op, "%s", n->op_type);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note->why, sizeof note->why, fmt, ap);
    va_end(ap);
}

const SlNote *sl_find_note(const Streamline *S, const Node *n)
{
    for (int k = 0; k < S->n_notes; k++)
        if (S->notes[k].node == n ||
            (S->notes[k].out && n->n_outputs > 0 && S->notes[k].out == n->outputs[0]))
            return &S->notes[k];
    return NULL;
}

int sl_consumers(const Streamline *S, const Tensor *t, Node **first)
{
    int count = t->is_graph_output ? 1 : 0;
    if (first)
        *first = NULL;
    for (int k = 0; k < S->g->n_nodes; k++) {
        Node *n = S->g->nodes[k];
        if (sl_is_done(S, n))
            continue;
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] == t) {
                if (first && !*first)
                    *first = n;
                count++;
            }
    }
    return count;
}

bool sl_fail(Streamline *S, const Node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(S->d, S->g->path, n ? n->name : NULL, n ? n->op_type : NULL, fmt, ap);
    va_end(ap);
    return false;
}

static bool node_name_used(const Graph *g, const char *name)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k]->name, name))
            return true;
    return false;
}

const char *sl_take_name(Streamline *S, Node *old)
{
    const char *name = old->name;
    char buf[512];
    snprintf(buf, sizeof buf, "%.480s:float", name);
    for (int k = 2; node_name_used(S->g, buf); k++)
        snprintf(buf, sizeof buf, "%.480s:float%d", name, k);
    const char *renamed = arena_strdup(&S->g->arena, buf);
    if (renamed)
        old->name = renamed;
    return name;
}

/* A unique node name from a wish (numbered if taken). */
static const char *unique_node_name(Streamline *S, const char *want)
{
    if (!node_name_used(S->g, want))
        return want;
    char buf[512];
    for (int k = 2;; k++) {
        snprintf(buf, sizeof buf, "%.480s_%d", want, k);
        if (!node_name_used(S->g, buf))
            return arena_strdup(&S->g->arena, buf);
    }
}

const char *sl_dtype_name(Streamline *S, qc_dtype dt)
{
    char buf[16];
    return arena_strdup(&S->g->arena, qc_dtype_name(dt, buf));
}

qc_dtype sl_dtype_for_range(int64_t lo, int64_t hi)
{
    return qc_dtype_for_range(lo, hi);
}

Tensor *sl_int_tensor(Streamline *S, const char *name, const Shape *shape, qc_dtype dt)
{
    Tensor *t = graph_add_tensor(S->g, name);
    if (!t) {
        diag_error(S->d, S->g->path, NULL, NULL, "out of memory streamlining");
        return NULL;
    }
    t->elem_type = ET_INT64;
    t->shape = *shape;
    if (qc_dtype_valid(dt))
        t->qdt = sl_dtype_name(S, dt);
    return t;
}

Tensor *sl_const(Streamline *S, const char *name, const Value *v, qc_dtype dt)
{
    Tensor *t = graph_add_tensor(S->g, name);
    Value *c = t ? value_copy_in(&S->g->arena, v) : NULL;
    if (!c) {
        diag_error(S->d, S->g->path, NULL, NULL, "out of memory streamlining");
        return NULL;
    }
    t->value = c;
    t->elem_type = c->elem_type;
    t->shape = c->shape;
    if (qc_dtype_valid(dt))
        t->qdt = sl_dtype_name(S, dt);
    return t;
}

Node *sl_node(Streamline *S, const char *name, const char *op_type, const char *domain,
              int n_in, Tensor *const *in, Tensor *out, int n_attrs)
{
    Node *n = graph_add_node(S->g, unique_node_name(S, name), op_type, domain, n_in, 1);
    Attr *attrs = n ? arena_array(&S->g->arena, (size_t)(n_attrs ? n_attrs : 1), sizeof *attrs)
                    : NULL;
    if (!attrs) {
        diag_error(S->d, S->g->path, NULL, NULL, "out of memory streamlining");
        return NULL;
    }
    n->attrs = attrs;
    n->n_attrs = n_attrs;
    for (int k = 0; k < n_in; k++)
        n->inputs[k] = in[k];
    n->outputs[0] = out;
    out->producer = n;
    n->op = op_lookup(n->domain_kind, op_type);
    if (!n->op) {
        sl_fail(S, n, "op %s is not registered (a qonnxc bug)", op_type);
        return NULL;
    }
    return n;
}

bool sl_finish_node(Streamline *S, Node *n)
{
    if (n->op->check && !n->op->check(&S->ctx, n))
        return false;
    return n->op->infer(&S->ctx, n);
}

void sl_attr_int(Streamline *S, Node *n, int k, const char *name, int64_t v)
{
    (void)S;
    Attr *a = &n->attrs[k];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->kind = ATTR_INT;
    a->i = v;
}

void sl_attr_string(Streamline *S, Node *n, int k, const char *name, const char *v)
{
    Attr *a = &n->attrs[k];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->kind = ATTR_STRING;
    a->s = arena_strdup(&S->g->arena, v);
}

void sl_attr_strings(Streamline *S, Node *n, int k, const char *name, int count,
                     const char *const *v)
{
    Attr *a = &n->attrs[k];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->kind = ATTR_STRINGS;
    a->n = count;
    a->strings = arena_array(&S->g->arena, (size_t)(count ? count : 1), sizeof *a->strings);
    for (int j = 0; a->strings && j < count; j++)
        a->strings[j] = arena_strdup(&S->g->arena, v[j]);
}

void sl_attr_ints(Streamline *S, Node *n, int k, const char *name, int count,
                  const int64_t *v)
{
    Attr *a = &n->attrs[k];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->kind = ATTR_INTS;
    a->n = count;
    a->ints = arena_array(&S->g->arena, (size_t)(count ? count : 1), sizeof *a->ints);
    for (int j = 0; a->ints && j < count; j++)
        a->ints[j] = v[j];
}

void sl_copy_attrs(Node *n, const Node *old)
{
    for (int k = 0; k < old->n_attrs && k < n->n_attrs; k++)
        n->attrs[k] = old->attrs[k];
}

bool sl_per_channel_shape(const Shape *p, int rank, int caxis, int64_t C)
{
    if (p->rank < 0 || p->rank > rank)
        return false;
    for (int j = 0; j < p->rank; j++) {
        int d = rank - p->rank + j;
        int64_t e = p->dims[j];
        if (e != 1 && !(d == caxis && e == C))
            return false;
    }
    return true;
}

double sl_channel_value(const Value *v, int64_t c)
{
    return value_get(v, v->count == 1 ? 0 : c);
}

bool sl_is_quantizer(const Node *n)
{
    return n->domain_kind == DOMAIN_QONNX &&
           (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "IntQuant") ||
            !strcmp(n->op_type, "BipolarQuant"));
}

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

bool sl_chain_op(const Node *n, const Tensor *t, int rank, int caxis, int64_t C, int *data,
                 char *why, int why_size)
{
    static const char *const binary[] = { "Add", "Sub", "Mul", "Div", NULL };
    static const char *const unary[] = { "Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log",
                                         "Sqrt", "Floor", "Ceil", "Round", "Sign", "Clip", NULL };
    char buf[96];
    if (n->domain_kind != DOMAIN_ONNX || n->n_outputs != 1) {
        snprintf(why, (size_t)why_size, "%s is not an elementwise float op", n->op_type);
        return false;
    }
    if (one_of(n->op_type, binary)) {
        if (n->n_inputs != 2 || (n->inputs[0] == t) == (n->inputs[1] == t)) {
            snprintf(why, (size_t)why_size, "%s does not combine the data with a constant",
                     n->op_type);
            return false;
        }
        *data = n->inputs[0] == t ? 0 : 1;
        const Tensor *c = n->inputs[1 - *data];
        if (!c || !c->value) {
            snprintf(why, (size_t)why_size, "%s's other operand '%s' is not a constant",
                     n->op_type, c ? c->name : "?");
            return false;
        }
        if (!sl_per_channel_shape(&c->value->shape, rank, caxis, C)) {
            snprintf(why, (size_t)why_size,
                     "constant '%s' of shape %s is not per tensor or per channel (axis %d)",
                     c->name, shape_str(&c->value->shape, buf, sizeof buf), caxis);
            return false;
        }
        return true;
    }
    if (!strcmp(n->op_type, "BatchNormalization")) {
        if (n->inputs[0] != t || caxis != 1) {
            snprintf(why, (size_t)why_size, "BatchNormalization normalises axis 1, but the "
                     "channels are on axis %d", caxis);
            return false;
        }
        for (int k = 1; k < n->n_inputs; k++)
            if (!n->inputs[k] || !n->inputs[k]->value || n->inputs[k]->value->count != C) {
                snprintf(why, (size_t)why_size, "BatchNormalization parameter %d is not a "
                         "constant of %lld entries", k, (long long)C);
                return false;
            }
        *data = 0;
        return true;
    }
    if (one_of(n->op_type, unary)) {
        if (n->inputs[0] != t) {
            snprintf(why, (size_t)why_size, "%s's data input is not the layer's", n->op_type);
            return false;
        }
        for (int k = 1; k < n->n_inputs; k++)
            if (n->inputs[k] && (!n->inputs[k]->value || n->inputs[k]->value->count != 1)) {
                snprintf(why, (size_t)why_size, "%s's bound '%s' is not a constant scalar",
                         n->op_type, n->inputs[k]->name);
                return false;
            }
        *data = 0;
        return true;
    }
    snprintf(why, (size_t)why_size, "%s cannot be folded into thresholds", n->op_type);
    return false;
}

bool sl_chain_push(Chain *ch, const Node *n, int data)
{
    if (ch->n >= SL_MAX_CHAIN || n->n_inputs > 8)
        return false;
    ChainStep *s = &ch->step[ch->n++];
    s->node = n;
    s->data = data;
    s->n_in = n->n_inputs;
    for (int k = 0; k < n->n_inputs; k++)
        s->in[k] = n->inputs[k] && k != data ? n->inputs[k]->value : NULL;
    return true;
}
