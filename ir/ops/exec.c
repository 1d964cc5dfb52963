#include "exec.h"

#include <stdlib.h>
#include <string.h>

#include "resource_limits.h"
#include "ops.h"

static int64_t value_bytes(const Value *v)
{
    return v ? limits_value_bytes(v->elem_type, v->count) : 0;
}

static bool check_input(const Graph *g, const Tensor *t, const Value *v, Diag *d)
{
    char want[96], got[96];
    if (!v)
        return diag_error(d, g->path, NULL, NULL, "no value given for graph input '%s'", t->name);
    if (t->shape.rank >= 0) {
        bool fits = t->shape.rank == v->shape.rank;
        for (int k = 0; fits && k < t->shape.rank; k++)
            fits = t->shape.dims[k] < 0 || t->shape.dims[k] == v->shape.dims[k];
        if (!fits) {
            diag_error(d, g->path, NULL, NULL, "graph input '%s' has shape %s; got data of shape %s",
                       t->name, shape_str(&t->shape, want, sizeof want),
                       shape_str(&v->shape, got, sizeof got));
            diag_set_exit(d, EXIT_BAD_DATA);
            return false;
        }
    }
    return true;
}

static bool node_precomputed(const Node *n, Value *const *pre)
{
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o] && !pre[n->outputs[o]->id])
            return false;
    return n->n_outputs > 0;
}

/* Index of the last node reading each tensor, so values die as early as they can. */
static int *last_uses(const Graph *g)
{
    int *last = malloc((size_t)(g->n_tensors ? g->n_tensors : 1) * sizeof *last);
    if (!last)
        return NULL;
    for (int k = 0; k < g->n_tensors; k++)
        last[k] = g->tensors[k]->is_graph_output ? g->n_nodes : -1;
    for (int k = 0; k < g->n_nodes; k++)
        for (int i = 0; i < g->nodes[k]->n_inputs; i++)
            if (g->nodes[k]->inputs[i] && last[g->nodes[k]->inputs[i]->id] < k)
                last[g->nodes[k]->inputs[i]->id] = k;
    return last;
}

/* Runs the graph; pre (may be NULL) holds, by tensor id, values computed
 * once beforehand (see precompute_constant_nodes): they are borrowed, and a
 * node whose outputs are all there is skipped. */
static bool run_graph(Graph *g, const Value *const *inputs, Value **outputs, Value *const *pre,
                      ExecObserver observe, void *user, Diag *d)
{
    for (int k = 0; k < g->n_outputs; k++)
        outputs[k] = NULL;
    for (int k = 0; k < g->n_inputs; k++)
        if (!check_input(g, g->inputs[k], inputs[k], d))
            return false;
    graph_number_tensors(g);
    /* vals[id]: the value of every tensor alive now. Constants and inputs
     * are borrowed (never freed here); node outputs are owned. */
    Value **vals = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *vals);
    bool *owned = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *owned);
    int *last = last_uses(g);
    bool ok = vals && owned && last;
    if (!ok)
        diag_error(d, g->path, NULL, NULL, "out of memory");
    for (int k = 0; ok && k < g->n_tensors; k++)
        vals[k] = pre && pre[k] ? pre[k] : g->tensors[k]->value;
    for (int k = 0; ok && k < g->n_inputs; k++)
        vals[g->inputs[k]->id] = (Value *)inputs[k];
    OpCtx ctx = { g, d };
    const Value *in[64];
    Value *out[16];
    /* Bytes of the owned values alive, which op_new_value checks against
     * limit activation-bytes (the caller's count is restored at the end). */
    int64_t saved_live = limits_live_bytes(), live = 0;
    for (int k = 0; pre && k < g->n_tensors; k++)
        live = limits_add(live, value_bytes(pre[k]));
    for (int k = 0; ok && k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        if (pre && node_precomputed(n, pre))
            continue;
        if (!n->op || n->n_inputs > 64 || n->n_outputs > 16) {
            ok = node_error(d, g, n, "cannot be executed (op not resolved or too many ports)");
            break;
        }
        for (int i = 0; i < n->n_inputs; i++) {
            in[i] = n->inputs[i] ? vals[n->inputs[i]->id] : NULL;
            if (n->inputs[i] && !in[i])
                ok = node_error(d, g, n, "input '%s' has no value (graph not in topological order?)",
                                n->inputs[i]->name);
        }
        memset(out, 0, sizeof out);
        limits_set_live_bytes(live);
        if (ok && !n->op->eval(&ctx, n, in, out)) {
            if (!d->failed)
                node_error(d, g, n, "evaluation failed");
            ok = false;
        }
        for (int o = 0; ok && o < n->n_outputs; o++) {
            if (n->outputs[o]) {
                vals[n->outputs[o]->id] = out[o];
                owned[n->outputs[o]->id] = true;
                live = limits_add(live, value_bytes(out[o]));
            } else {
                value_free(out[o]);
            }
        }
        if (ok && observe)
            observe(user, n, out);
        for (int i = 0; ok && i < n->n_inputs; i++) {
            Tensor *t = n->inputs[i];
            if (t && owned[t->id] && last[t->id] == k) {
                live -= value_bytes(vals[t->id]);
                value_free(vals[t->id]);
                vals[t->id] = NULL;
                owned[t->id] = false;
            }
        }
    }
    for (int k = 0; ok && k < g->n_outputs; k++) {
        Tensor *t = g->outputs[k];
        Value *v = vals[t->id];
        if (owned[t->id]) {
            /* a tensor listed twice among the outputs is handed out twice */
            bool again = false;
            for (int j = k + 1; j < g->n_outputs; j++)
                again = again || g->outputs[j] == t;
            outputs[k] = again ? value_copy(v) : v;
            if (!again)
                owned[t->id] = false;
        } else {
            outputs[k] = v ? value_copy(v) : NULL;
        }
        if (!outputs[k])
            ok = diag_error(d, g->path, NULL, NULL, "graph output '%s' was not computed", t->name);
    }
    limits_set_live_bytes(saved_live);
    for (int k = 0; vals && owned && k < g->n_tensors; k++)
        if (owned[k])
            value_free(vals[k]);
    if (!ok)
        for (int k = 0; k < g->n_outputs; k++) {
            value_free(outputs[k]);
            outputs[k] = NULL;
        }
    free(vals);
    free(owned);
    free(last);
    return ok;
}

bool exec_run_observed(Graph *g, const Value *const *inputs, Value **outputs,
                       ExecObserver observe, void *user, Diag *d)
{
    return run_graph(g, inputs, outputs, NULL, observe, user, d);
}

bool exec_run(Graph *g, const Value *const *inputs, Value **outputs, Diag *d)
{
    return run_graph(g, inputs, outputs, NULL, NULL, NULL, d);
}

/* Nodes whose inputs are all constant give the same values every frame:
 * cleanup keeps weight quantizers (streamlining needs them), so without
 * this the golden executor would re-quantize every weight once per frame.
 * Returns the values by tensor id (NULL where not constant), or NULL on
 * error with d filled. */
static Value **precompute_constant_nodes(Graph *g, Diag *d)
{
    graph_number_tensors(g);
    Value **pre = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *pre);
    if (!pre) {
        diag_error(d, g->path, NULL, NULL, "out of memory");
        return NULL;
    }
    OpCtx ctx = { g, d };
    /* the values held here count as activations (limit activation-bytes) */
    int64_t saved_live = limits_live_bytes(), held = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        const Value *in[64];
        Value *out[16] = { NULL };
        bool constant = n->op && n->n_inputs <= 64 && n->n_outputs <= 16;
        for (int i = 0; constant && i < n->n_inputs; i++) {
            const Tensor *t = n->inputs[i];
            in[i] = !t ? NULL : t->value ? t->value : pre[t->id];
            constant = !t || in[i];
        }
        if (!constant || n->n_inputs == 0)
            continue;
        limits_set_live_bytes(held);
        if (!n->op->eval(&ctx, n, in, out)) {
            if (!d->failed)
                node_error(d, g, n, "evaluation failed");
            for (int id = 0; id < g->n_tensors; id++)
                value_free(pre[id]);
            free(pre);
            limits_set_live_bytes(saved_live);
            return NULL;
        }
        for (int o = 0; o < n->n_outputs; o++) {
            if (n->outputs[o]) {
                pre[n->outputs[o]->id] = out[o];
                held = limits_add(held, value_bytes(out[o]));
            } else {
                value_free(out[o]);
            }
        }
    }
    limits_set_live_bytes(saved_live);
    return pre;
}

/* A view of frame f of a batched value, as a new one-frame value. */
static Value *slice_frame(const Value *v, int64_t f)
{
    Shape s = v->shape;
    s.dims[0] = 1;
    Value *one = value_new(v->elem_type, &s);
    if (!one)
        return NULL;
    int64_t per = one->count;
    if (v->f)
        memcpy(one->f, v->f + f * per, (size_t)per * sizeof(float));
    else
        memcpy(one->i, v->i + f * per, (size_t)per * sizeof(int64_t));
    return one;
}

static bool stack_frame(Value **batch, const Value *one, int64_t f, int64_t frames)
{
    if (!*batch) {
        Shape s = one->shape;
        if (s.rank == 0 || s.dims[0] != 1) {
            /* an output without a leading batch dim of 1 gets one */
            if (s.rank == MAX_RANK)
                return false;
            memmove(&s.dims[1], &s.dims[0], (size_t)s.rank * sizeof s.dims[0]);
            s.rank++;
        }
        s.dims[0] = frames;
        if (!(*batch = value_new(one->elem_type, &s)))
            return false;
    }
    int64_t per = (*batch)->count / frames;
    if (one->count != per || (one->f == NULL) != ((*batch)->f == NULL))
        return false;
    if (one->f)
        memcpy((*batch)->f + f * per, one->f, (size_t)per * sizeof(float));
    else
        memcpy((*batch)->i + f * per, one->i, (size_t)per * sizeof(int64_t));
    return true;
}

bool exec_run_frames(Graph *g, const Value *const *inputs, Value **outputs, Diag *d)
{
    return exec_run_frames_with(g, inputs, outputs, NULL, d);
}

bool exec_run_frames_with(Graph *g, const Value *const *inputs, Value **outputs,
                          const ExecOptions *opts, Diag *d)
{
    int64_t frames = -1;
    for (int k = 0; k < g->n_inputs; k++) {
        const Value *v = inputs[k];
        if (!v || v->shape.rank < 1) {
            diag_error(d, g->path, NULL, NULL,
                       "graph input '%s' needs a leading batch dimension", g->inputs[k]->name);
            diag_set_exit(d, EXIT_BAD_DATA);
            return false;
        }
        /* (frames of no elements must not loop for ever either) */
        int64_t elements = limits_shape_elements(&v->shape);
        if (elements > limit(LIMIT_TENSOR_ELEMENTS))
            return limit_error(d, g->path, NULL, NULL, LIMIT_TENSOR_ELEMENTS, elements,
                               "the batch of frames for graph input '%s'", g->inputs[k]->name);
        if (frames >= 0 && v->shape.dims[0] != frames) {
            diag_error(d, g->path, NULL, NULL, "inputs disagree on the number of frames");
            diag_set_exit(d, EXIT_BAD_DATA);
            return false;
        }
        frames = v->shape.dims[0];
    }
    for (int k = 0; k < g->n_outputs; k++)
        outputs[k] = NULL;
    if (frames <= 0) {
        diag_error(d, g->path, NULL, NULL, "the input holds no frames");
        diag_set_exit(d, EXIT_BAD_DATA);
        return false;
    }
    const Value *one_in[64];
    Value *one_out[64];
    if (g->n_inputs > 64 || g->n_outputs > 64)
        return diag_error(d, g->path, NULL, NULL, "too many graph inputs or outputs");
    GoldenSum saved_sum = g->golden_sum;
    g->golden_sum = opts ? opts->sum : GOLDEN_SUM_FLOAT32;
    Value **pre = precompute_constant_nodes(g, d);
    bool ok = pre != NULL;
    for (int64_t f = 0; ok && f < frames; f++) {
        for (int k = 0; k < g->n_inputs; k++)
            one_in[k] = slice_frame(inputs[k], f);
        for (int k = 0; k < g->n_inputs; k++)
            if (!one_in[k])
                ok = diag_error(d, g->path, NULL, NULL, "out of memory");
        bool ran = ok && run_graph(g, one_in, one_out, pre, NULL, NULL, d);
        ok = ran;
        for (int k = 0; ok && k < g->n_outputs; k++)
            if (!stack_frame(&outputs[k], one_out[k], f, frames))
                ok = diag_error(d, g->path, NULL, NULL,
                                "output '%s' changes shape from frame to frame",
                                g->outputs[k]->name);
        for (int k = 0; k < g->n_inputs; k++)
            value_free((Value *)one_in[k]);
        for (int k = 0; ran && k < g->n_outputs; k++)
            value_free(one_out[k]);
    }
    for (int id = 0; pre && id < g->n_tensors; id++)
        value_free(pre[id]);
    free(pre);
    g->golden_sum = saved_sum;
    if (!ok)
        for (int k = 0; k < g->n_outputs; k++) {
            value_free(outputs[k]);
            outputs[k] = NULL;
        }
    return ok;
}
