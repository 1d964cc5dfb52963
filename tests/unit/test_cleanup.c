/* The cleanup passes, each on a small graph built with onnx_builder, checked
 * before and after (the graph's shape, and that it computes the same
 * outputs), and the verifier on graphs broken by hand.
 *
 * Most tests resolve nodes to the stand-in ops below instead of the op
 * registry, so a pass is tested on its own, whatever state the real ops are
 * in; those tests call the passes in cleanup_graph's order themselves. The
 * "real ops" tests at the end go through cleanup_graph and the registry. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "exec.h"
#include "onnx_builder.h"
#include "op_util.h"
#include "ops.h"

#define QONNX "qonnx.custom_op.general"

/* ---- stand-in ops: just enough of each for these graphs ------------------ */

static bool infer_binary(const OpCtx *ctx, Node *n)
{
    Shape s;
    if (!broadcast_shapes(ctx, n, &n->inputs[0]->shape, &n->inputs[1]->shape, &s))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &s);
    return true;
}

static bool eval_binary(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape s;
    if (!broadcast_shapes(ctx, n, &in[0]->shape, &in[1]->shape, &s))
        return false;
    Value *v = op_new_value(ctx, n, in[0]->elem_type, &s);
    if (!v)
        return false;
    int64_t sa[MAX_RANK], sb[MAX_RANK];
    broadcast_strides(&in[0]->shape, &s, sa);
    broadcast_strides(&in[1]->shape, &s, sb);
    bool mul = !strcmp(n->op_type, "Mul");
    for (int64_t k = 0; k < v->count; k++) {
        double a = value_get(in[0], broadcast_index(k, &s, sa));
        double b = value_get(in[1], broadcast_index(k, &s, sb));
        value_set(v, k, mul ? (float)a * (float)b : (float)a + (float)b);
    }
    out[0] = v;
    return true;
}

static bool eval_identity(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    (void)ctx;
    (void)n;
    return (out[0] = value_copy(in[0])) != NULL;
}

static bool eval_relu(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Value *v = op_new_value(ctx, n, in[0]->elem_type, &in[0]->shape);
    if (!v)
        return false;
    for (int64_t k = 0; k < v->count; k++)
        value_set(v, k, fmax(value_get(in[0], k), 0.0));
    out[0] = v;
    return true;
}

/* BipolarQuant(x, scale) = x >= 0 ? scale : -scale. */
static bool eval_bipolar(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Value *v = op_new_value(ctx, n, ET_FLOAT, &in[0]->shape);
    if (!v)
        return false;
    double s = value_get(in[1], 0);
    for (int64_t k = 0; k < v->count; k++)
        value_set(v, k, value_get(in[0], k) >= 0 ? s : -s);
    out[0] = v;
    return true;
}

/* Shape, without start/end: only pass_fold_constants' own folding uses them. */
static bool infer_shape_op(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape s = { 1, { -1 } };
    op_set_output(n, 0, ET_INT64, &s);
    return true;
}

static bool eval_shape_op(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape s = { 1, { in[0]->shape.rank } };
    Value *v = op_new_value(ctx, n, ET_INT64, &s);
    if (!v)
        return false;
    for (int k = 0; k < in[0]->shape.rank; k++)
        v->i[k] = in[0]->shape.dims[k];
    out[0] = v;
    return true;
}

/* Gather along axis 0 of a 1-D tensor. */
static bool infer_gather(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    op_set_output(n, 0, n->inputs[0]->elem_type, &n->inputs[1]->shape);
    return true;
}

static bool eval_gather(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Value *v = op_new_value(ctx, n, in[0]->elem_type, &in[1]->shape);
    if (!v)
        return false;
    for (int64_t k = 0; k < v->count; k++) {
        int64_t idx = in[1]->i[k] < 0 ? in[1]->i[k] + in[0]->count : in[1]->i[k];
        value_set(v, k, value_get(in[0], idx));
    }
    out[0] = v;
    return true;
}

/* Unsqueeze (opset 13: axes as input 1). */
static bool unsqueeze_shape(const Shape *in, const Value *axes, Shape *out)
{
    if (!axes || in->rank < 0)
        return false;
    out->rank = in->rank + (int)axes->count;
    bool one[MAX_RANK] = { false };
    for (int64_t k = 0; k < axes->count; k++)
        one[axes->i[k] < 0 ? axes->i[k] + out->rank : axes->i[k]] = true;
    for (int k = 0, j = 0; k < out->rank; k++)
        out->dims[k] = one[k] ? 1 : in->dims[j++];
    return true;
}

static bool infer_unsqueeze(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape s = { -1, { 0 } };
    unsqueeze_shape(&n->inputs[0]->shape, n->inputs[1]->value, &s);
    op_set_output(n, 0, n->inputs[0]->elem_type, &s);
    return true;
}

static bool eval_reshaped_copy(const OpCtx *ctx, const Node *n, const Value *in, const Shape *s,
                               Value **out)
{
    Value *v = op_new_value(ctx, n, in->elem_type, s);
    if (!v)
        return false;
    for (int64_t k = 0; k < v->count; k++)
        value_set(v, k, value_get(in, k));
    out[0] = v;
    return true;
}

static bool eval_unsqueeze(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape s;
    unsqueeze_shape(&in[0]->shape, in[1], &s);
    return eval_reshaped_copy(ctx, n, in[0], &s, out);
}

/* Concat of 1-D tensors. */
static bool infer_concat(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape s = { 1, { 0 } };
    for (int k = 0; k < n->n_inputs; k++)
        s.dims[0] = n->inputs[k]->shape.rank == 1 && n->inputs[k]->shape.dims[0] >= 0 &&
                            s.dims[0] >= 0
                        ? s.dims[0] + n->inputs[k]->shape.dims[0]
                        : -1;
    op_set_output(n, 0, n->inputs[0]->elem_type, &s);
    return true;
}

static bool eval_concat(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape s = { 1, { 0 } };
    for (int k = 0; k < n->n_inputs; k++)
        s.dims[0] += in[k]->count;
    Value *v = op_new_value(ctx, n, in[0]->elem_type, &s);
    if (!v)
        return false;
    int64_t at = 0;
    for (int k = 0; k < n->n_inputs; k++)
        for (int64_t j = 0; j < in[k]->count; j++)
            value_set(v, at++, value_get(in[k], j));
    out[0] = v;
    return true;
}

/* Reshape with 0 (copy the dim) and -1 (the rest). */
static bool reshape_shape(const Shape *in, const Value *spec, Shape *out)
{
    if (!spec || !shape_known(in))
        return false;
    out->rank = (int)spec->count;
    int64_t known = 1, total = shape_count(in);
    int rest = -1;
    for (int k = 0; k < out->rank; k++) {
        out->dims[k] = spec->i[k] == 0 ? in->dims[k] : spec->i[k];
        if (out->dims[k] < 0)
            rest = k;
        else
            known *= out->dims[k];
    }
    if (rest >= 0)
        out->dims[rest] = total / known;
    return true;
}

static bool infer_reshape(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    Shape s = { -1, { 0 } };
    reshape_shape(&n->inputs[0]->shape, n->inputs[1]->value, &s);
    op_set_output(n, 0, n->inputs[0]->elem_type, &s);
    return true;
}

static bool eval_reshape(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    Shape s;
    reshape_shape(&in[0]->shape, in[1], &s);
    return eval_reshaped_copy(ctx, n, in[0], &s, out);
}

static bool infer_constant(const OpCtx *ctx, Node *n)
{
    (void)ctx;
    const Value *v = node_attr(n, "value")->t;
    op_set_output(n, 0, v->elem_type, &v->shape);
    return true;
}

static bool eval_constant(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    (void)ctx;
    (void)in;
    return (out[0] = value_copy(node_attr(n, "value")->t)) != NULL;
}

static const OpDef mock_ops[] = {
    { OP_ADD, "Add", DOMAIN_ONNX, 2, 2, 1, 1, NULL, infer_binary, eval_binary },
    { OP_MUL, "Mul", DOMAIN_ONNX, 2, 2, 1, 1, NULL, infer_binary, eval_binary },
    { OP_RELU, "Relu", DOMAIN_ONNX, 1, 1, 1, 1, NULL, infer_same_as_input0, eval_relu },
    { OP_IDENTITY, "Identity", DOMAIN_ONNX, 1, 1, 1, 1, NULL, infer_same_as_input0, eval_identity },
    { OP_SHAPE, "Shape", DOMAIN_ONNX, 1, 1, 1, 1, NULL, infer_shape_op, eval_shape_op },
    { OP_GATHER, "Gather", DOMAIN_ONNX, 2, 2, 1, 1, NULL, infer_gather, eval_gather },
    { OP_UNSQUEEZE, "Unsqueeze", DOMAIN_ONNX, 2, 2, 1, 1, NULL, infer_unsqueeze, eval_unsqueeze },
    { OP_CONCAT, "Concat", DOMAIN_ONNX, 1, 64, 1, 1, NULL, infer_concat, eval_concat },
    { OP_RESHAPE, "Reshape", DOMAIN_ONNX, 2, 2, 1, 1, NULL, infer_reshape, eval_reshape },
    { OP_CONSTANT, "Constant", DOMAIN_ONNX, 0, 0, 1, 1, NULL, infer_constant, eval_constant },
    { OP_BIPOLAR_QUANT, "BipolarQuant", DOMAIN_QONNX, 2, 2, 1, 1, NULL, infer_same_as_input0, eval_bipolar },
};

static void mock_resolve(Graph *g)
{
    for (int k = 0; k < g->n_nodes; k++) {
        Node *n = g->nodes[k];
        n->op = NULL;
        for (size_t j = 0; j < sizeof mock_ops / sizeof mock_ops[0]; j++)
            if (mock_ops[j].domain == n->domain_kind && !strcmp(mock_ops[j].op_type, n->op_type))
                n->op = &mock_ops[j];
        ck_assert_msg(n->op != NULL, "no stand-in op for %s", n->op_type);
    }
}

/* ---- helpers --------------------------------------------------------------- */

/* Loads the builder's model with the stand-in ops (the builder is kept). */
static Graph *load_mock(const OnnxBuilder *b)
{
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL, "load failed: %s", d.msg);
    mock_resolve(g);
    return g;
}

static void check_ok(bool ok, const Diag *d, const char *what)
{
    ck_assert_msg(ok, "%s failed: %s", what, d->msg);
    ck_assert(!d->failed);
}

static void verify_ok(const Graph *g)
{
    Diag d;
    diag_init(&d);
    check_ok(graph_verify(g, &d), &d, "graph_verify");
}

/* cleanup_graph's passes in its order, for graphs on stand-in ops. */
static void mock_cleanup(Graph *g)
{
    Diag d;
    diag_init(&d);
    check_ok(pass_topo_sort(g, &d), &d, "topo_sort");
    verify_ok(g);
    check_ok(pass_fix_batch(g, &d), &d, "fix_batch");
    verify_ok(g);
    for (int before = -1; before != g->n_nodes;) {
        before = g->n_nodes;
        check_ok(pass_infer_shapes(g, &d), &d, "infer_shapes");
        verify_ok(g);
        check_ok(pass_fold_constants(g, &d), &d, "fold_constants");
        verify_ok(g);
    }
    check_ok(pass_remove_identity(g, &d), &d, "remove_identity");
    verify_ok(g);
    check_ok(pass_remove_dead(g, &d), &d, "remove_dead");
    verify_ok(g);
    check_ok(pass_unique_names(g, &d), &d, "unique_names");
    verify_ok(g);
    check_ok(pass_topo_sort(g, &d), &d, "topo_sort");
    verify_ok(g);
}

static Node *find_node(const Graph *g, const char *name)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k]->name, name))
            return g->nodes[k];
    return NULL;
}

static int count_op(const Graph *g, const char *op_type)
{
    int n = 0;
    for (int k = 0; k < g->n_nodes; k++)
        n += !strcmp(g->nodes[k]->op_type, op_type);
    return n;
}

static void check_shape(const Shape *s, int rank, const int64_t *dims)
{
    char buf[96];
    ck_assert_msg(s->rank == rank, "rank %d, expected %d (%s)", s->rank, rank,
                  shape_str(s, buf, sizeof buf));
    for (int k = 0; k < rank; k++)
        ck_assert_msg(s->dims[k] == dims[k], "dim %d is %lld, expected %lld (%s)", k,
                      (long long)s->dims[k], (long long)dims[k], shape_str(s, buf, sizeof buf));
}

/* A float value of the given shape holding a fixed pattern. */
static Value *pattern(int rank, const int64_t *dims, int seed)
{
    Shape s = { rank, { 0 } };
    for (int k = 0; k < rank; k++)
        s.dims[k] = dims[k];
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    for (int64_t k = 0; k < v->count; k++)
        v->f[k] = (float)((k * 7 + seed * 13) % 19) - 9.0f;
    return v;
}

/* Runs g on inputs; the outputs array receives new values. */
static void run(Graph *g, const Value *const *inputs, Value **outputs)
{
    Diag d;
    diag_init(&d);
    check_ok(exec_run(g, inputs, outputs, &d), &d, "exec_run");
}

static void free_values(Value **v, int n)
{
    for (int k = 0; k < n; k++)
        value_free(v[k]);
}

/* The graph computes the same outputs before and after `clean` on the same
 * inputs (one value per graph input, a batch of one). The graph "before"
 * is only sorted, which the executor needs. */
static void check_same_outputs(const OnnxBuilder *b, void (*clean)(Graph *), Value **inputs)
{
    Graph *before = load_mock(b), *after = load_mock(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_topo_sort(before, &d), &d, "topo_sort"); /* the executor needs an order */
    clean(after);
    ck_assert_int_eq(before->n_outputs, after->n_outputs);
    Value *want[8] = { 0 }, *got[8] = { 0 };
    ck_assert_int_le(before->n_outputs, 8);
    run(before, (const Value *const *)inputs, want);
    run(after, (const Value *const *)inputs, got);
    for (int k = 0; k < before->n_outputs; k++) {
        ck_assert_str_eq(before->outputs[k]->name, after->outputs[k]->name);
        ck_assert(shape_equal(&want[k]->shape, &got[k]->shape));
        for (int64_t j = 0; j < want[k]->count; j++)
            ck_assert_msg(value_get(want[k], j) == value_get(got[k], j),
                          "output %d element %lld: %g before, %g after", k, (long long)j,
                          value_get(want[k], j), value_get(got[k], j));
    }
    free_values(want, before->n_outputs);
    free_values(got, after->n_outputs);
    graph_free(before);
    graph_free(after);
}

#define IN(...) ((const char *[]){ __VA_ARGS__ })
#define DIMS(...) ((const int64_t[]){ __VA_ARGS__ })

/* ---- topological sort ------------------------------------------------------ */

START_TEST(test_topo_sort_orders_nodes)
{
    /* listed consumer-first: relu(add(mul(x, x), x)) */
    OnnxBuilder *b = ob_new("unsorted");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_node(b, "Relu", NULL, "relu", 1, IN("b"), 1, IN("y"));
    ob_node(b, "Add", NULL, "add", 2, IN("a", "x"), 1, IN("b"));
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "x"), 1, IN("a"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 4));
    Graph *g = load_mock(b);
    Diag d;
    diag_init(&d);
    ck_assert(!graph_verify(g, &d));
    ck_assert_msg(strstr(d.msg, "topological order"), "%s", d.msg);
    diag_init(&d);
    check_ok(pass_topo_sort(g, &d), &d, "topo_sort");
    ck_assert_str_eq(g->nodes[0]->name, "mul");
    ck_assert_str_eq(g->nodes[1]->name, "add");
    ck_assert_str_eq(g->nodes[2]->name, "relu");
    verify_ok(g);
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 4), 1);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_topo_sort_keeps_valid_order)
{
    /* two independent branches, interleaved: a valid order stays as it is */
    OnnxBuilder *b = ob_new("sorted");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 3));
    ob_node(b, "Relu", NULL, "r1", 1, IN("x"), 1, IN("a1"));
    ob_node(b, "Relu", NULL, "s1", 1, IN("x"), 1, IN("b1"));
    ob_node(b, "Relu", NULL, "r2", 1, IN("a1"), 1, IN("a2"));
    ob_node(b, "Relu", NULL, "s2", 1, IN("b1"), 1, IN("b2"));
    ob_node(b, "Add", NULL, "join", 2, IN("a2", "b2"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 3));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_topo_sort(g, &d), &d, "topo_sort");
    const char *want[] = { "r1", "s1", "r2", "s2", "join" };
    for (int k = 0; k < 5; k++)
        ck_assert_str_eq(g->nodes[k]->name, want[k]);
    graph_free(g);
}
END_TEST

START_TEST(test_topo_sort_reports_cycle)
{
    OnnxBuilder *b = ob_new("cycle");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 3));
    ob_node(b, "Relu", NULL, "head", 1, IN("x"), 1, IN("h"));
    ob_node(b, "Add", NULL, "loop_add", 2, IN("h", "back"), 1, IN("s"));
    ob_node(b, "Relu", NULL, "loop_relu", 1, IN("s"), 1, IN("r"));
    ob_node(b, "Identity", NULL, "loop_back", 1, IN("r"), 1, IN("back"));
    ob_output(b, "r", ET_FLOAT, 2, DIMS(1, 3));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    ck_assert(!pass_topo_sort(g, &d));
    ck_assert_int_eq(d.exit_code, EXIT_BAD_MODEL);
    ck_assert_msg(strstr(d.msg, "cycle"), "%s", d.msg);
    /* the whole cycle, in data-flow order, and nothing off it */
    ck_assert_msg(strstr(d.msg, "'loop_add' -> 'loop_relu' -> 'loop_back' -> 'loop_add'") ||
                      strstr(d.msg, "'loop_relu' -> 'loop_back' -> 'loop_add' -> 'loop_relu'") ||
                      strstr(d.msg, "'loop_back' -> 'loop_add' -> 'loop_relu' -> 'loop_back'"),
                  "%s", d.msg);
    ck_assert_msg(!strstr(d.msg, "head"), "%s", d.msg);
    ck_assert_msg(strncmp(d.msg, "cycle.onnx: node '", 18) == 0, "%s", d.msg);
    graph_free(g);
}
END_TEST

START_TEST(test_topo_sort_reports_self_loop)
{
    OnnxBuilder *b = ob_new("self");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 3));
    ob_node(b, "Add", NULL, "selfish", 2, IN("x", "y"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 3));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    ck_assert(!pass_topo_sort(g, &d));
    ck_assert_msg(strstr(d.msg, "node 'selfish' (Add): is on a cycle ('selfish' -> 'selfish')"),
                  "%s", d.msg);
    graph_free(g);
}
END_TEST

START_TEST(test_topo_sort_long_reversed_chain)
{
    /* deep enough to overflow a recursive walk; listed last node first */
    enum { N = 4000 };
    Graph *g = graph_new("chain");
    Tensor *x = graph_add_tensor(g, "x");
    x->is_graph_input = true;
    x->shape = (Shape){ 1, { 2 } };
    x->elem_type = ET_FLOAT;
    g->inputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->outputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->inputs[g->n_inputs++] = x;
    Tensor *ts[N + 1];
    ts[0] = x;
    for (int k = 1; k <= N; k++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", k);
        ts[k] = graph_add_tensor(g, name);
    }
    for (int k = N; k >= 1; k--) {
        char name[32];
        snprintf(name, sizeof name, "n%d", k);
        Node *n = graph_add_node(g, name, "Relu", "", 1, 1);
        n->inputs[0] = ts[k - 1];
        n->outputs[0] = ts[k];
        ts[k]->producer = n;
    }
    ts[N]->is_graph_output = true;
    g->outputs[g->n_outputs++] = ts[N];
    mock_resolve(g);
    Diag d;
    diag_init(&d);
    check_ok(pass_topo_sort(g, &d), &d, "topo_sort");
    for (int k = 0; k < N; k++)
        ck_assert_ptr_eq(g->nodes[k]->outputs[0], ts[k + 1]);
    verify_ok(g);
    /* a cycle closing at the far end is found and named too */
    g->nodes[0]->inputs[0] = ts[N];
    ck_assert(!pass_topo_sort(g, &d));
    ck_assert_msg(strstr(d.msg, "cycle") && strstr(d.msg, "'n1'"), "%.200s", d.msg);
    graph_free(g);
}
END_TEST

/* ---- batch and shapes ------------------------------------------------------- */

START_TEST(test_fix_batch_sets_leading_dim)
{
    OnnxBuilder *b = ob_new("batch");
    ob_input(b, "sym", ET_FLOAT, 2, DIMS(-1, 3));
    ob_input(b, "fixed", ET_FLOAT, 2, DIMS(4, 3));
    ob_input(b, "scalar", ET_FLOAT, 0, NULL);
    ob_input(b, "unranked", ET_FLOAT, -1, NULL);
    ob_node(b, "Add", NULL, "a", 2, IN("sym", "fixed"), 1, IN("s"));
    ob_node(b, "Add", NULL, "b", 2, IN("scalar", "unranked"), 1, IN("t"));
    ob_output(b, "s", ET_FLOAT, 2, DIMS(-1, 3));
    ob_output(b, "t", ET_FLOAT, -1, NULL);
    Graph *g = load_mock(b);
    ob_free(b);
    check_shape(&g->inputs[0]->shape, 2, DIMS(-1, 3));
    Diag d;
    diag_init(&d);
    check_ok(pass_fix_batch(g, &d), &d, "fix_batch");
    check_shape(&g->inputs[0]->shape, 2, DIMS(1, 3));
    check_shape(&g->inputs[1]->shape, 2, DIMS(1, 3));
    check_shape(&g->inputs[2]->shape, 0, NULL);
    ck_assert_int_eq(g->inputs[3]->shape.rank, -1);
    graph_free(g);
}
END_TEST

START_TEST(test_infer_shapes_replaces_declared_shapes)
{
    /* the file declares a wrong intermediate and output shape: inference wins */
    OnnxBuilder *b = ob_new("infer");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(-1, 4));
    ob_init_f32(b, "w", 1, DIMS(4), (const float[]){ 1, 2, 3, 4 });
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "w"), 1, IN("a"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("a"), 1, IN("y"));
    ob_value_info(b, "a", ET_FLOAT, 2, DIMS(7, 7));
    ob_output(b, "y", ET_INT8, 3, DIMS(9, 9, 9));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_infer_shapes(g, &d), &d, "infer_shapes");
    check_shape(&graph_find_tensor(g, "y")->shape, 2, DIMS(-1, 4));
    check_ok(pass_fix_batch(g, &d), &d, "fix_batch");
    check_ok(pass_infer_shapes(g, &d), &d, "infer_shapes");
    check_shape(&graph_find_tensor(g, "a")->shape, 2, DIMS(1, 4));
    check_shape(&graph_find_tensor(g, "y")->shape, 2, DIMS(1, 4));
    ck_assert_int_eq(graph_find_tensor(g, "y")->elem_type, ET_FLOAT);
    graph_free(g);
}
END_TEST

START_TEST(test_infer_shapes_needs_order)
{
    OnnxBuilder *b = ob_new("unordered");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_node(b, "Relu", NULL, "second", 1, IN("a"), 1, IN("y"));
    ob_node(b, "Relu", NULL, "first", 1, IN("x"), 1, IN("a"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 4));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    ck_assert(!pass_infer_shapes(g, &d));
    ck_assert_msg(strstr(d.msg, "node 'second' (Relu): input 'a' is not computed before"), "%s",
                  d.msg);
    graph_free(g);
}
END_TEST

/* ---- constant folding ---------------------------------------------------- */

START_TEST(test_fold_constant_subgraph)
{
    /* y = x + (c1 * c2 + c3): the parenthesis folds to one constant */
    OnnxBuilder *b = ob_new("fold");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(-1, 3));
    ob_init_f32(b, "c1", 1, DIMS(3), (const float[]){ 1, 2, 3 });
    ob_init_f32(b, "c2", 0, NULL, (const float[]){ 2 });
    ob_init_f32(b, "c3", 1, DIMS(3), (const float[]){ 0.5f, 0.25f, 0 });
    ob_node(b, "Mul", NULL, "m", 2, IN("c1", "c2"), 1, IN("p"));
    ob_node(b, "Add", NULL, "a", 2, IN("p", "c3"), 1, IN("q"));
    ob_node(b, "Add", NULL, "out", 2, IN("x", "q"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(-1, 3));
    Graph *g = load_mock(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_infer_shapes(g, &d), &d, "infer_shapes");
    check_ok(pass_fold_constants(g, &d), &d, "fold_constants");
    verify_ok(g);
    ck_assert_int_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0]->name, "out");
    Tensor *q = g->nodes[0]->inputs[1];
    ck_assert_str_eq(q->name, "q");
    ck_assert_ptr_nonnull(q->value);
    ck_assert_ptr_null(q->producer);
    check_shape(&q->shape, 1, DIMS(3));
    ck_assert(q->value->in_arena);
    ck_assert(q->value->f[0] == 2.5f && q->value->f[1] == 4.25f && q->value->f[2] == 6.0f);
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 3), 2);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_fold_keeps_quantizers)
{
    /* a weight quantizer on a constant stays, and so does what reads it */
    OnnxBuilder *b = ob_new("quant");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 3));
    ob_init_f32(b, "w", 1, DIMS(3), (const float[]){ -1, 0.5f, 2 });
    ob_init_f32(b, "scale", 0, NULL, (const float[]){ 0.25f });
    ob_node(b, "BipolarQuant", QONNX, "wq", 2, IN("w", "scale"), 1, IN("wb"));
    ob_node(b, "Identity", NULL, "wid", 1, IN("wb"), 1, IN("wb2"));
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "wb2"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 3));
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 2);
    ck_assert_str_eq(g->nodes[0]->op_type, "BipolarQuant");
    ck_assert_ptr_null(g->nodes[0]->outputs[0]->value);
    ck_assert_ptr_eq(g->nodes[1]->inputs[1], g->nodes[0]->outputs[0]);
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 3), 3);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_fold_shape_of_known_shape)
{
    OnnxBuilder *b = ob_new("shape");
    ob_opset(b, "", 15);
    ob_input(b, "x", ET_FLOAT, 4, DIMS(-1, 2, 3, 5));
    ob_node(b, "Shape", NULL, "all", 1, IN("x"), 1, IN("s_all"));
    ObNode *n = ob_node(b, "Shape", NULL, "tail", 1, IN("x"), 1, IN("s_tail"));
    ob_attr_int(n, "start", -2);
    n = ob_node(b, "Shape", NULL, "mid", 1, IN("x"), 1, IN("s_mid"));
    ob_attr_int(n, "start", 1);
    ob_attr_int(n, "end", -1);
    n = ob_node(b, "Shape", NULL, "none", 1, IN("x"), 1, IN("s_none"));
    ob_attr_int(n, "start", 3);
    ob_attr_int(n, "end", 1);
    ob_output(b, "s_all", ET_INT64, 1, DIMS(4));
    ob_output(b, "s_tail", ET_INT64, 1, DIMS(2));
    ob_output(b, "s_mid", ET_INT64, 1, DIMS(2));
    ob_output(b, "s_none", ET_INT64, 1, DIMS(0));
    Graph *g = load_mock(b);
    ob_free(b);
    Diag d;
    diag_init(&d);
    /* the batch is still symbolic: nothing folds */
    check_ok(pass_infer_shapes(g, &d), &d, "infer_shapes");
    check_ok(pass_fold_constants(g, &d), &d, "fold_constants");
    ck_assert_int_eq(g->n_nodes, 4);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 0);
    const Value *v = graph_find_tensor(g, "s_all")->value;
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->elem_type, ET_INT64);
    ck_assert(v->count == 4 && v->i[0] == 1 && v->i[1] == 2 && v->i[2] == 3 && v->i[3] == 5);
    v = graph_find_tensor(g, "s_tail")->value;
    ck_assert(v->count == 2 && v->i[0] == 3 && v->i[1] == 5);
    v = graph_find_tensor(g, "s_mid")->value;
    ck_assert(v->count == 2 && v->i[0] == 2 && v->i[1] == 3);
    v = graph_find_tensor(g, "s_none")->value;
    ck_assert_int_eq(v->count, 0);
    check_shape(&v->shape, 1, DIMS(0));
    /* constant graph outputs are still outputs, and computed */
    Value *x = pattern(4, DIMS(1, 2, 3, 5), 0), *out[4];
    run(g, (const Value *const *)&x, out);
    ck_assert(out[0]->count == 4 && out[0]->i[3] == 5);
    free_values(out, 4);
    value_free(x);
    graph_free(g);
}
END_TEST

/* torch.flatten as exported: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape. */
static OnnxBuilder *flatten_model(void)
{
    OnnxBuilder *b = ob_new("flatten");
    ob_input(b, "x", ET_FLOAT, 4, DIMS(-1, 2, 3, 4));
    ob_init_i64(b, "zero", 0, NULL, (const int64_t[]){ 0 });
    ob_init_i64(b, "axes", 1, DIMS(1), (const int64_t[]){ 0 });
    ob_init_i64(b, "minus_one", 1, DIMS(1), (const int64_t[]){ -1 });
    ob_init_f32(b, "bias", 0, NULL, (const float[]){ 0.5f });
    ob_node(b, "Relu", NULL, "features", 1, IN("x"), 1, IN("f"));
    ob_node(b, "Shape", NULL, "shape", 1, IN("f"), 1, IN("s"));
    ObNode *n = ob_node(b, "Gather", NULL, "gather", 2, IN("s", "zero"), 1, IN("batch"));
    ob_attr_int(n, "axis", 0);
    ob_node(b, "Unsqueeze", NULL, "unsqueeze", 2, IN("batch", "axes"), 1, IN("batch1"));
    n = ob_node(b, "Concat", NULL, "concat", 2, IN("batch1", "minus_one"), 1, IN("spec"));
    ob_attr_int(n, "axis", 0);
    ob_node(b, "Reshape", NULL, "reshape", 2, IN("f", "spec"), 1, IN("flat"));
    ob_node(b, "Add", NULL, "classifier", 2, IN("flat", "bias"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(-1, 24));
    return b;
}

START_TEST(test_fold_flatten_chain)
{
    OnnxBuilder *b = flatten_model();
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 3);
    Node *r = find_node(g, "reshape");
    ck_assert_ptr_nonnull(r);
    const Value *spec = r->inputs[1]->value;
    ck_assert_ptr_nonnull(spec);
    ck_assert(spec->count == 2 && spec->i[0] == 1 && spec->i[1] == -1);
    check_shape(&r->outputs[0]->shape, 2, DIMS(1, 24));
    check_shape(&g->outputs[0]->shape, 2, DIMS(1, 24));
    /* the folded chain's tensors are gone */
    ck_assert_ptr_null(graph_find_tensor(g, "s"));
    ck_assert_ptr_null(graph_find_tensor(g, "batch"));
    ck_assert_ptr_null(graph_find_tensor(g, "zero"));
    graph_free(g);
    Value *x = pattern(4, DIMS(1, 2, 3, 4), 4);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_fold_constant_node)
{
    OnnxBuilder *b = ob_new("constant");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ObNode *n = ob_node(b, "Constant", NULL, NULL, 0, NULL, 1, IN("c"));
    ob_attr_tensor(n, "value", ET_FLOAT, 1, DIMS(2), (const float[]){ 3, 4 });
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "c"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 2));
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 1);
    const Value *c = g->nodes[0]->inputs[1]->value;
    ck_assert(c && c->count == 2 && c->f[0] == 3 && c->f[1] == 4);
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 2), 5);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

/* ---- Identity ---------------------------------------------------------------- */

START_TEST(test_identity_in_the_middle)
{
    OnnxBuilder *b = ob_new("mid");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_node(b, "Relu", NULL, "relu", 1, IN("x"), 1, IN("a"));
    ob_node(b, "Identity", NULL, "id1", 1, IN("a"), 1, IN("b"));
    ob_node(b, "Identity", NULL, "id2", 1, IN("b"), 1, IN("c"));
    ob_node(b, "Mul", NULL, "mul", 2, IN("c", "b"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 4));
    ob_annotate(b, "c", "finn_datatype", "UINT4");
    Graph *g = load_mock(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_remove_identity(g, &d), &d, "remove_identity");
    verify_ok(g);
    ck_assert_int_eq(g->n_nodes, 2);
    Node *mul = find_node(g, "mul");
    ck_assert_str_eq(mul->inputs[0]->name, "a");
    ck_assert_str_eq(mul->inputs[1]->name, "a");
    /* the annotation moves to the tensor that stands for the removed one */
    ck_assert_str_eq(mul->inputs[0]->qdt, "UINT4");
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 4), 6);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_identity_to_output_keeps_name)
{
    /* torch's "output = Identity(last)": the producer now writes "out" */
    OnnxBuilder *b = ob_new("outname");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 4));
    ob_node(b, "Relu", NULL, "relu", 1, IN("x"), 1, IN("a"));
    ob_node(b, "Mul", NULL, "also_reads_a", 2, IN("a", "a"), 1, IN("sq"));
    ob_node(b, "Identity", NULL, "id1", 1, IN("a"), 1, IN("mid"));
    ob_node(b, "Identity", NULL, "id2", 1, IN("mid"), 1, IN("out"));
    ob_output(b, "out", ET_FLOAT, 2, DIMS(1, 4));
    ob_output(b, "sq", ET_FLOAT, 2, DIMS(1, 4));
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 2);
    ck_assert_str_eq(g->outputs[0]->name, "out");
    ck_assert_str_eq(g->outputs[1]->name, "sq");
    Node *relu = find_node(g, "relu");
    ck_assert_ptr_eq(relu->outputs[0], g->outputs[0]);
    ck_assert_ptr_eq(g->outputs[0]->producer, relu);
    ck_assert_ptr_eq(find_node(g, "also_reads_a")->inputs[0], g->outputs[0]);
    ck_assert_ptr_null(graph_find_tensor(g, "a"));
    ck_assert_ptr_null(graph_find_tensor(g, "mid"));
    check_shape(&g->outputs[0]->shape, 2, DIMS(1, 4));
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 4), 7);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_identity_kept_when_nothing_to_rewire)
{
    /* input -> output, and one tensor copied to two outputs: the names stay
     * distinct, so the Identities that make them stay */
    OnnxBuilder *b = ob_new("kept");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ob_node(b, "Identity", NULL, "passthrough", 1, IN("x"), 1, IN("copy"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("x"), 1, IN("r"));
    ob_node(b, "Identity", NULL, "o1", 1, IN("r"), 1, IN("out1"));
    ob_node(b, "Identity", NULL, "o2", 1, IN("r"), 1, IN("out2"));
    ob_output(b, "copy", ET_FLOAT, 2, DIMS(1, 2));
    ob_output(b, "out1", ET_FLOAT, 2, DIMS(1, 2));
    ob_output(b, "out2", ET_FLOAT, 2, DIMS(1, 2));
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_ptr_nonnull(find_node(g, "passthrough"));
    ck_assert_ptr_null(find_node(g, "o1"));
    Node *o2 = find_node(g, "o2");
    ck_assert_ptr_nonnull(o2);
    ck_assert_ptr_eq(o2->inputs[0], find_node(g, "relu")->outputs[0]);
    ck_assert_str_eq(find_node(g, "relu")->outputs[0]->name, "out1");
    ck_assert_str_eq(g->outputs[0]->name, "copy");
    ck_assert_str_eq(g->outputs[1]->name, "out1");
    ck_assert_str_eq(g->outputs[2]->name, "out2");
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 2), 8);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

/* ---- dead code ------------------------------------------------------------- */

START_TEST(test_remove_dead_branch)
{
    OnnxBuilder *b = ob_new("dead");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 3));
    ob_input(b, "unused", ET_FLOAT, 2, DIMS(1, 3));
    ob_init_f32(b, "only_dead", 1, DIMS(3), (const float[]){ 1, 2, 3 });
    ob_node(b, "Relu", NULL, "live", 1, IN("x"), 1, IN("y"));
    ob_node(b, "Mul", NULL, "dead1", 2, IN("x", "only_dead"), 1, IN("d1"));
    ob_node(b, "Relu", NULL, "dead2", 1, IN("d1"), 1, IN("d2"));
    ob_node(b, "Add", NULL, "dead3", 2, IN("d2", "y"), 1, IN("d3"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 3));
    Graph *g = load_mock(b);
    Diag d;
    diag_init(&d);
    check_ok(pass_remove_dead(g, &d), &d, "remove_dead");
    verify_ok(g);
    ck_assert_int_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0]->name, "live");
    const char *gone[] = { "only_dead", "d1", "d2", "d3" };
    for (int k = 0; k < 4; k++)
        ck_assert_msg(!graph_find_tensor(g, gone[k]), "%s kept", gone[k]);
    ck_assert_int_eq(g->n_tensors, 3); /* x, unused, y */
    ck_assert_int_eq(g->n_inputs, 2);
    ck_assert_ptr_nonnull(graph_find_tensor(g, "unused"));
    graph_free(g);
    Value *in[2] = { pattern(2, DIMS(1, 3), 9), pattern(2, DIMS(1, 3), 10) };
    check_same_outputs(b, mock_cleanup, in);
    free_values(in, 2);
    ob_free(b);
}
END_TEST

/* ---- names ------------------------------------------------------------------- */

START_TEST(test_unique_names)
{
    OnnxBuilder *b = ob_new("names");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ob_node(b, "Relu", NULL, NULL, 1, IN("x"), 1, IN("a"));      /* unnamed, index 0 */
    ob_node(b, "Relu", NULL, "Relu_0", 1, IN("a"), 1, IN("b"));  /* owns the name it would get */
    ob_node(b, "Relu", NULL, "", 1, IN("b"), 1, IN("c"));        /* empty, index 2 */
    ob_node(b, "Relu", NULL, "dup", 1, IN("c"), 1, IN("d"));
    ob_node(b, "Relu", NULL, "dup", 1, IN("d"), 1, IN("e"));
    ob_node(b, "Relu", NULL, "dup_1", 1, IN("e"), 1, IN("f"));
    ob_node(b, "Relu", NULL, "dup", 1, IN("f"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 2));
    Graph *g = load_mock(b);
    ob_free(b);
    ck_assert(!g->names_unique);
    Diag d;
    diag_init(&d);
    check_ok(pass_unique_names(g, &d), &d, "unique_names");
    ck_assert(g->names_unique);
    verify_ok(g);
    const char *want[] = { "Relu_0_1", "Relu_0", "Relu_2", "dup", "dup_2", "dup_1", "dup_3" };
    for (int k = 0; k < 7; k++)
        ck_assert_str_eq(g->nodes[k]->name, want[k]);
    /* from now on the verifier holds every pass to unique names */
    g->nodes[6]->name = "dup";
    ck_assert(!graph_verify(g, &d));
    ck_assert_msg(strstr(d.msg, "two nodes are named 'dup'"), "%s", d.msg);
    diag_init(&d);
    g->nodes[6]->name = "";
    ck_assert(!graph_verify(g, &d));
    ck_assert_msg(strstr(d.msg, "has no name"), "%s", d.msg);
    graph_free(g);
}
END_TEST

START_TEST(test_unique_names_many_duplicates)
{
    /* thousands of nodes sharing one name: linear, and all distinct */
    enum { N = 3000 };
    Graph *g = graph_new("dups");
    Tensor *prev = graph_add_tensor(g, "x");
    prev->is_graph_input = true;
    g->inputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->outputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->inputs[g->n_inputs++] = prev;
    for (int k = 0; k < N; k++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", k);
        Tensor *t = graph_add_tensor(g, name);
        Node *n = graph_add_node(g, k % 2 ? "same" : NULL, "Relu", "", 1, 1);
        n->inputs[0] = prev;
        n->outputs[0] = t;
        t->producer = n;
        prev = t;
    }
    prev->is_graph_output = true;
    g->outputs[g->n_outputs++] = prev;
    mock_resolve(g);
    Diag d;
    diag_init(&d);
    clock_t start = clock();
    check_ok(pass_unique_names(g, &d), &d, "unique_names");
    double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    ck_assert_msg(secs < 1.0, "unique_names took %.2f s", secs);
    verify_ok(g);
    ck_assert_str_eq(g->nodes[1]->name, "same");
    ck_assert_str_eq(g->nodes[3]->name, "same_1");
    ck_assert_str_eq(g->nodes[0]->name, "Relu_0");
    graph_free(g);
}
END_TEST

/* ---- the verifier ----------------------------------------------------------- */

static void check_verify_fails(const Graph *g, const char *reason)
{
    Diag d;
    diag_init(&d);
    ck_assert_msg(!graph_verify(g, &d), "verify passed, expected '%s'", reason);
    ck_assert_msg(strstr(d.msg, reason), "'%s' lacks '%s'", d.msg, reason);
}

START_TEST(test_verify_catches_broken_graphs)
{
    OnnxBuilder *b = ob_new("broken");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ob_init_f32(b, "c", 1, DIMS(2), (const float[]){ 1, 2 });
    ob_node(b, "Add", NULL, "add", 2, IN("x", "c"), 1, IN("a"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("a"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 2));
    Graph *g = load_mock(b);
    ob_free(b);
    verify_ok(g);
    Node *add = g->nodes[0], *relu = g->nodes[1];
    Tensor *a = add->outputs[0], *y = relu->outputs[0], *c = add->inputs[1];

    const OpDef *op = relu->op;
    relu->op = NULL;
    check_verify_fails(g, "node 'relu' (Relu): op not resolved");
    relu->op = op;

    relu->outputs[0] = a; /* a written twice */
    check_verify_fails(g, "node 'relu' (Relu): output 'a' is written twice");
    relu->outputs[0] = y;

    relu->outputs[0] = c;
    check_verify_fails(g, "output 'c' is also a constant");
    relu->outputs[0] = y;

    y->producer = add;
    check_verify_fails(g, "output 'y' records another producer");
    y->producer = relu;

    g->nodes[0] = relu;
    g->nodes[1] = add;
    check_verify_fails(g, "input 'a' is written by node 'add', which comes later");
    g->nodes[0] = add;
    g->nodes[1] = relu;

    g->n_nodes = 1; /* relu dropped, its output still listed */
    check_verify_fails(g, "records producer 'relu', which is not in the graph");
    y->producer = NULL;
    check_verify_fails(g, "graph output 'y' is not computed");
    y->producer = relu;
    g->n_nodes = 2;

    add->inputs[1] = NULL;
    check_verify_fails(g, "required input 1 is missing");
    add->inputs[1] = c;

    Tensor stray = { .name = "stray", .shape = { -1, { 0 } } };
    relu->inputs[0] = &stray;
    check_verify_fails(g, "input 'stray' is not a tensor of the graph");
    relu->inputs[0] = a;

    c->shape.dims[0] = 3;
    check_verify_fails(g, "constant 'c' has a static type or shape other than its value's");
    c->shape.dims[0] = 2;

    a->is_graph_output = true;
    check_verify_fails(g, "tensor 'a' is flagged as a graph output but not listed");
    a->is_graph_output = false;

    verify_ok(g);
    graph_free(g);
}
END_TEST

/* ---- a bit of everything, then equivalence ------------------------------- */

START_TEST(test_mixed_graph_same_outputs)
{
    OnnxBuilder *b = flatten_model();
    /* more work on top of the flatten model: a dead branch, a folded
     * constant subexpression, unnamed nodes and an Identity at the end */
    ob_init_f32(b, "k1", 1, DIMS(24), NULL);
    ob_init_f32(b, "k2", 0, NULL, (const float[]){ -0.5f });
    ob_node(b, "Mul", NULL, NULL, 2, IN("k1", "k2"), 1, IN("k"));
    ob_node(b, "Add", NULL, NULL, 2, IN("y", "k"), 1, IN("z"));
    ob_node(b, "Relu", NULL, "dead", 1, IN("flat"), 1, IN("never_read"));
    ob_node(b, "Identity", NULL, NULL, 1, IN("z"), 1, IN("final"));
    ob_output(b, "final", ET_FLOAT, 2, DIMS(-1, 24));
    Graph *g = load_mock(b);
    mock_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 4); /* features, reshape, classifier, the unnamed Add */
    ck_assert_int_eq(count_op(g, "Identity"), 0);
    ck_assert_ptr_null(find_node(g, "dead"));
    ck_assert_str_eq(g->outputs[1]->name, "final");
    ck_assert_str_eq(g->outputs[1]->producer->name, "Add_3");
    graph_free(g);
    Value *x = pattern(4, DIMS(1, 2, 3, 4), 11);
    check_same_outputs(b, mock_cleanup, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

/* ---- through cleanup_graph and the real ops -------------------------------- */

/* Resolves with the registry and cleans; the message names a missing op. */
static void real_cleanup(Graph *g)
{
    Diag d;
    diag_init(&d);
    ck_assert_msg(cleanup_graph(g, true, &d), "cleanup_graph failed (are the ops in?): %s", d.msg);
}

/* check_same_outputs on the registry's ops: resolves the "before" graph too. */
static void check_same_outputs_real(const OnnxBuilder *b, Value **inputs)
{
    Diag d;
    diag_init(&d);
    Graph *before = ob_load(b, &d), *after = ob_load(b, &d);
    ck_assert_msg(before && after, "%s", d.msg);
    ck_assert_msg(graph_resolve_ops(before, &d), "%s", d.msg);
    real_cleanup(after);
    Value *want[8] = { 0 }, *got[8] = { 0 };
    run(before, (const Value *const *)inputs, want);
    run(after, (const Value *const *)inputs, got);
    for (int k = 0; k < before->n_outputs; k++) {
        ck_assert_str_eq(before->outputs[k]->name, after->outputs[k]->name);
        ck_assert(shape_equal(&want[k]->shape, &got[k]->shape));
        for (int64_t j = 0; j < want[k]->count; j++)
            ck_assert(value_get(want[k], j) == value_get(got[k], j));
    }
    free_values(want, before->n_outputs);
    free_values(got, after->n_outputs);
    graph_free(before);
    graph_free(after);
}

START_TEST(test_real_ops_flatten_chain)
{
    OnnxBuilder *b = flatten_model();
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g, "%s", d.msg);
    real_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 3);
    Node *r = find_node(g, "reshape");
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(r->inputs[1]->value);
    check_shape(&g->outputs[0]->shape, 2, DIMS(1, 24));
    graph_free(g);
    Value *x = pattern(4, DIMS(1, 2, 3, 4), 12);
    check_same_outputs_real(b, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

/* No-op nodes go (pass_remove_noop): a Pad by zeros (as Brevitas'
 * TruncAvgPool2d exports before its pool), a Mul by ones, an Add of zeros
 * and a Reshape to the input's own shape; each is bypassed and the graph
 * computes the same. A Mul by ones that broadcasts to a bigger shape, and a
 * Pad with a non-zero pad, stay: they change the tensor. */
START_TEST(test_real_ops_remove_noop)
{
    OnnxBuilder *b = ob_new("noop");
    ob_opset(b, "", 14);
    ob_input(b, "x", ET_FLOAT, 4, DIMS(1, 2, 3, 3));
    ob_init_i64(b, "zero_pads", 1, DIMS(8), (const int64_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 });
    ob_init_i64(b, "one_pad", 1, DIMS(8), (const int64_t[]){ 0, 0, 0, 1, 0, 0, 0, 0 });
    ob_init_f32(b, "ones", 4, DIMS(1, 2, 1, 1), (const float[]){ 1, 1 });
    ob_init_f32(b, "zeros", 0, NULL, (const float[]){ 0 });
    ob_init_i64(b, "same_shape", 1, DIMS(4), (const int64_t[]){ 1, 2, 3, 3 });
    ob_init_f32(b, "ones_wide", 5, DIMS(2, 1, 1, 1, 1), (const float[]){ 1, 1 });
    ob_node(b, "Pad", NULL, "pad0", 2, IN("x", "zero_pads"), 1, IN("p"));
    ob_node(b, "Mul", NULL, "mul1", 2, IN("ones", "p"), 1, IN("m"));
    ob_node(b, "Add", NULL, "add0", 2, IN("m", "zeros"), 1, IN("a"));
    ob_node(b, "Reshape", NULL, "reshape_same", 2, IN("a", "same_shape"), 1, IN("r"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("r"), 1, IN("y"));
    ob_node(b, "Pad", NULL, "pad1", 2, IN("y", "one_pad"), 1, IN("y1"));
    ob_node(b, "Mul", NULL, "mul_wide", 2, IN("y1", "ones_wide"), 1, IN("y2"));
    ob_output(b, "y2", ET_FLOAT, 5, DIMS(2, 1, 2, 4, 3));
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g, "%s", d.msg);
    real_cleanup(g);
    ck_assert_ptr_null(find_node(g, "pad0"));
    ck_assert_ptr_null(find_node(g, "mul1"));
    ck_assert_ptr_null(find_node(g, "add0"));
    ck_assert_ptr_null(find_node(g, "reshape_same"));
    ck_assert_ptr_nonnull(find_node(g, "pad1"));
    ck_assert_ptr_nonnull(find_node(g, "mul_wide"));
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_ptr_eq(find_node(g, "relu")->inputs[0], g->inputs[0]);
    graph_free(g);
    Value *x = pattern(4, DIMS(1, 2, 3, 3), 21);
    check_same_outputs_real(b, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_real_ops_weight_quant_kept)
{
    /* y = x @ Quant(w) + c1 * c2: the weight quantizer stays, c1 * c2 folds */
    OnnxBuilder *b = ob_new("wquant");
    ob_opset(b, QONNX, 1);
    ob_input(b, "x", ET_FLOAT, 2, DIMS(-1, 3));
    float w[6] = { 0.3f, -0.7f, 1.2f, 0.05f, -1.6f, 0.9f };
    ob_init_f32(b, "w", 2, DIMS(3, 2), w);
    ob_init_f32(b, "scale", 0, NULL, (const float[]){ 0.25f });
    ob_init_f32(b, "zeropt", 0, NULL, (const float[]){ 0 });
    ob_init_f32(b, "bits", 0, NULL, (const float[]){ 4 });
    ob_init_f32(b, "c1", 1, DIMS(2), (const float[]){ 1, 2 });
    ob_init_f32(b, "c2", 1, DIMS(2), (const float[]){ 3, 4 });
    ObNode *q = ob_node(b, "Quant", QONNX, "wq", 4, IN("w", "scale", "zeropt", "bits"), 1,
                        IN("wq_out"));
    ob_attr_int(q, "signed", 1);
    ob_attr_int(q, "narrow", 0);
    ob_attr_string(q, "rounding_mode", "ROUND");
    ob_node(b, "MatMul", NULL, "mm", 2, IN("x", "wq_out"), 1, IN("m"));
    ob_node(b, "Mul", NULL, "cc", 2, IN("c1", "c2"), 1, IN("c"));
    ob_node(b, "Add", NULL, "add", 2, IN("m", "c"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(-1, 2));
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g, "%s", d.msg);
    real_cleanup(g);
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_int_eq(count_op(g, "Quant"), 1);
    ck_assert_ptr_null(find_node(g, "cc"));
    graph_free(g);
    Value *x = pattern(2, DIMS(1, 3), 13);
    check_same_outputs_real(b, &x);
    value_free(x);
    ob_free(b);
}
END_TEST

START_TEST(test_cleanup_lists_unknown_ops)
{
    OnnxBuilder *b = ob_new("unknown");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ob_node(b, "NoSuchOp", NULL, "first", 1, IN("x"), 1, IN("a"));
    ob_node(b, "AlsoMissing", "com.example", "second", 1, IN("a"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 2));
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ob_free(b);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert(!cleanup_graph(g, true, &d));
    ck_assert_int_eq(d.exit_code, EXIT_BAD_MODEL);
    ck_assert_msg(strstr(d.msg, "node 'first' (NoSuchOp): unsupported op"), "%s", d.msg);
    ck_assert_msg(strstr(d.msg, "node 'second' (AlsoMissing): unsupported op 'AlsoMissing' "
                                "in domain 'com.example'"), "%s", d.msg);
    graph_free(g);
}
END_TEST

static Suite *cleanup_suite(void)
{
    Suite *s = suite_create("cleanup");
    TCase *tc = tcase_create("passes");
    tcase_add_test(tc, test_topo_sort_orders_nodes);
    tcase_add_test(tc, test_topo_sort_keeps_valid_order);
    tcase_add_test(tc, test_topo_sort_reports_cycle);
    tcase_add_test(tc, test_topo_sort_reports_self_loop);
    tcase_add_test(tc, test_topo_sort_long_reversed_chain);
    tcase_add_test(tc, test_fix_batch_sets_leading_dim);
    tcase_add_test(tc, test_infer_shapes_replaces_declared_shapes);
    tcase_add_test(tc, test_infer_shapes_needs_order);
    tcase_add_test(tc, test_fold_constant_subgraph);
    tcase_add_test(tc, test_fold_keeps_quantizers);
    tcase_add_test(tc, test_fold_shape_of_known_shape);
    tcase_add_test(tc, test_fold_flatten_chain);
    tcase_add_test(tc, test_fold_constant_node);
    tcase_add_test(tc, test_identity_in_the_middle);
    tcase_add_test(tc, test_identity_to_output_keeps_name);
    tcase_add_test(tc, test_identity_kept_when_nothing_to_rewire);
    tcase_add_test(tc, test_remove_dead_branch);
    tcase_add_test(tc, test_unique_names);
    tcase_add_test(tc, test_unique_names_many_duplicates);
    tcase_add_test(tc, test_verify_catches_broken_graphs);
    tcase_add_test(tc, test_mixed_graph_same_outputs);
    suite_add_tcase(s, tc);
    TCase *real = tcase_create("real_ops");
    tcase_add_test(real, test_real_ops_flatten_chain);
    tcase_add_test(real, test_real_ops_weight_quant_kept);
    tcase_add_test(real, test_real_ops_remove_noop);
    tcase_add_test(real, test_cleanup_lists_unknown_ops);
    suite_add_tcase(s, real);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cleanup_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
