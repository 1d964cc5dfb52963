/* The integer ops of the qonnxc domain (the int engine), one hand-computed
 * case or more per op, through the real machinery: a one-node graph,
 * graph_resolve_ops (the op's check), its infer, exec_run.
 *
 * InputQuant is also run against the golden ops it replays (Mul, Sub,
 * Quant built as a float graph) on ties and random inputs: its integers
 * times the scale must be the golden floats, bit for bit. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "onnx_builder.h"
#include "op_int_params.h"
#include "ops.h"

/* ---- a one-node graph with runtime and constant inputs ---------------- */

typedef struct One {
    Graph *g;
    Node *n;
    Diag d;
    int n_rt;                 /* runtime inputs, in g->inputs order */
} One;

static One *one_new(const char *op_type, int n_inputs)
{
    One *o = calloc(1, sizeof *o);
    ck_assert_ptr_nonnull(o);
    diag_init(&o->d);
    o->g = graph_new("int_ops.onnx");
    Graph *g = o->g;
    g->inputs = arena_array(&g->arena, 8, sizeof *g->inputs);
    g->outputs = arena_array(&g->arena, 1, sizeof *g->outputs);
    o->n = graph_add_node(g, "node0", op_type, "qonnxc", n_inputs, 1);
    o->n->attrs = arena_array(&g->arena, 16, sizeof(Attr));
    Tensor *y = graph_add_tensor(g, "y");
    y->producer = o->n;
    y->is_graph_output = true;
    o->n->outputs[0] = y;
    g->outputs[g->n_outputs++] = y;
    return o;
}

static void one_free(One *o)
{
    graph_free(o->g);
    free(o);
}

static void one_rt(One *o, int k, int elem_type, int rank, const int64_t *dims)
{
    char name[16];
    snprintf(name, sizeof name, "x%d", k);
    Tensor *t = graph_add_tensor(o->g, name);
    t->is_graph_input = true;
    t->elem_type = elem_type;
    t->shape.rank = rank;
    if (rank > 0)
        memcpy(t->shape.dims, dims, (size_t)rank * sizeof *dims);
    o->n->inputs[k] = t;
    o->g->inputs[o->g->n_inputs++] = t;
}

static void one_const(One *o, int k, int elem_type, int rank, const int64_t *dims,
                      const double *data)
{
    char name[16];
    snprintf(name, sizeof name, "c%d", k);
    Tensor *t = graph_add_tensor(o->g, name);
    Shape s = { rank, { 0 } };
    if (rank > 0)
        memcpy(s.dims, dims, (size_t)rank * sizeof *dims);
    t->value = value_new_in(&o->g->arena, elem_type, &s);
    for (int64_t j = 0; j < t->value->count; j++)
        value_set(t->value, j, data[j]);
    t->elem_type = elem_type;
    t->shape = s;
    o->n->inputs[k] = t;
}

static Attr *one_attr(One *o, const char *name, AttrKind kind)
{
    Attr *a = &o->n->attrs[o->n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->kind = kind;
    return a;
}

static void one_int(One *o, const char *name, int64_t v) { one_attr(o, name, ATTR_INT)->i = v; }
static void one_str(One *o, const char *name, const char *v) { one_attr(o, name, ATTR_STRING)->s = v; }

static void one_ints(One *o, const char *name, int n, const int64_t *v)
{
    Attr *a = one_attr(o, name, ATTR_INTS);
    a->n = n;
    a->ints = arena_array(&o->g->arena, (size_t)n, sizeof *a->ints);
    memcpy(a->ints, v, (size_t)n * sizeof *v);
}

static void one_strs(One *o, const char *name, int n, const char *const *v)
{
    Attr *a = one_attr(o, name, ATTR_STRINGS);
    a->n = n;
    a->strings = arena_array(&o->g->arena, (size_t)n, sizeof *a->strings);
    memcpy(a->strings, v, (size_t)n * sizeof *v);
}

/* Resolves (check), infers, runs; out is the one output. The inferred
 * shape must be the computed one. */
static bool one_run(One *o, const Value *const *in, Value **out)
{
    *out = NULL;
    if (!o->n->op) {
        if (!graph_resolve_ops(o->g, &o->d))
            return false;
        OpCtx ctx = { o->g, &o->d };
        if (!o->n->op->infer(&ctx, o->n))
            return false;
    }
    if (!exec_run(o->g, in, out, &o->d))
        return false;
    ck_assert_msg(shape_equal(&o->n->outputs[0]->shape, &(*out)->shape), "infer disagrees");
    return true;
}

static Value *ints(int rank, const int64_t *dims, const int64_t *data)
{
    Shape s = { rank, { 0 } };
    memcpy(s.dims, dims, (size_t)rank * sizeof *dims);
    Value *v = value_new(ET_INT64, &s);
    memcpy(v->i, data, (size_t)v->count * sizeof *data);
    return v;
}

static Value *floats(int rank, const int64_t *dims, const float *data)
{
    Shape s = { rank, { 0 } };
    memcpy(s.dims, dims, (size_t)rank * sizeof *dims);
    Value *v = value_new(ET_FLOAT, &s);
    memcpy(v->f, data, (size_t)v->count * sizeof *data);
    return v;
}

static void expect_ints(const Value *y, const int64_t *want, int64_t n)
{
    ck_assert_int_eq(y->count, n);
    ck_assert_ptr_nonnull(y->i);
    for (int64_t k = 0; k < n; k++)
        ck_assert_msg(y->i[k] == want[k], "element %lld: got %lld, want %lld", (long long)k,
                      (long long)y->i[k], (long long)want[k]);
}

/* The error names the node and says `what`. */
static void expect_error(const One *o, const char *what)
{
    ck_assert_msg(o->d.failed, "no error (wanted '%s')", what);
    ck_assert_msg(strstr(o->d.msg, "node0") && strstr(o->d.msg, what), "error '%s' lacks '%s'",
                  o->d.msg, what);
}

/* ---- IntMatMul ---------------------------------------------------------- */

START_TEST(test_int_matmul)
{
    /* [1 -2 3; 0 4 -1] x [1 2; -1 0; 2 -3]
     * row 0: 1 + 2 + 6 = 9,   2 + 0 - 9 = -7
     * row 1: 0 - 4 - 2 = -6,  0 + 0 + 3 = 3 */
    One *o = one_new("IntMatMul", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 2, 3 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 3, 2 }, (double[]){ 1, 2, -1, 0, 2, -3 });
    Value *x = ints(2, (int64_t[]){ 2, 3 }, (int64_t[]){ 1, -2, 3, 0, 4, -1 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 9, -7, -6, 3 }, 4);
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

START_TEST(test_int_matmul_xnor)
{
    /* X = [+1 -1 +1 +1]; W columns [+1 +1 +1 -1] and [-1 +1 -1 +1].
     * column 0: matches at k = 0, 2 -> 2 (dot 0: (4 + 0) / 2)
     * column 1: a match at k = 3 only -> 1 (dot -2: (4 - 2) / 2) */
    One *o = one_new("IntMatMul", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 4 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 4, 2 }, (double[]){ 1, -1, 1, 1, 1, -1, -1, 1 });
    one_int(o, "xnor", 1);
    Value *x = ints(2, (int64_t[]){ 1, 4 }, (int64_t[]){ 1, -1, 1, 1 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 2, 1 }, 2);
    value_free(y);
    /* a 0 is not bipolar */
    x->i[1] = 0;
    ck_assert(!one_run(o, (const Value *[]){ x }, &y));
    expect_error(o, "-1 and +1");
    value_free(x);
    one_free(o);
}
END_TEST

START_TEST(test_int_matmul_overflow)
{
    /* |x| = 2^40 times column sum 2^31 would pass 2^62: refused, no crash */
    One *o = one_new("IntMatMul", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 2 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 2, 1 }, (double[]){ 1 << 30, 1 << 30 });
    Value *x = ints(2, (int64_t[]){ 1, 2 }, (int64_t[]){ (int64_t)1 << 40, 1 }), *y;
    ck_assert(!one_run(o, (const Value *[]){ x }, &y));
    expect_error(o, "overflow");
    value_free(x);
    one_free(o);
}
END_TEST

/* ---- MultiThreshold ----------------------------------------------------- */

START_TEST(test_multithreshold)
{
    /* channel 0 thresholds {-2, 0, 3}: -5 -> 0, 0 -> 2 (a tie counts), 3 -> 3
     * channel 1 thresholds {1, 1, 5}:   1 -> 2 (repeats count twice), 2 -> 2, 7 -> 3
     * out = -1 + 1 * count */
    One *o = one_new("MultiThreshold", 2);
    one_rt(o, 0, ET_INT64, 3, (int64_t[]){ 1, 2, 3 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 2, 3 }, (double[]){ -2, 0, 3, 1, 1, 5 });
    one_int(o, "out_scale", 1);
    one_int(o, "out_bias", -1);
    one_int(o, "channel_axis", 1);
    Value *x = ints(3, (int64_t[]){ 1, 2, 3 }, (int64_t[]){ -5, 0, 3, 1, 2, 7 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ -1, 1, 2, 1, 1, 2 }, 6);
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

START_TEST(test_multithreshold_bipolar_out)
{
    /* one row for all channels; out_scale 2, out_bias -1: the bipolar form
     * x >= 0 ? +1 : -1 */
    One *o = one_new("MultiThreshold", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 4 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 1, 1 }, (double[]){ 0 });
    one_int(o, "out_scale", 2);
    one_int(o, "out_bias", -1);
    Value *x = ints(2, (int64_t[]){ 1, 4 }, (int64_t[]){ -3, -1, 0, 5 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ -1, -1, 1, 1 }, 4);
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

START_TEST(test_multithreshold_errors)
{
    One *o = one_new("MultiThreshold", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 2 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 2, 2 }, (double[]){ 0, 1, 3, 2 });
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "ascending");
    one_free(o);
    o = one_new("MultiThreshold", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 3 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 2, 1 }, (double[]){ 0, 1 });
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "rows");
    one_free(o);
}
END_TEST

/* ---- IntConv ------------------------------------------------------------ */

static Value *run_conv(const double *w, int64_t pads, int64_t stride, const int64_t *xdata,
                       int64_t h, int64_t wd, bool expect_ok)
{
    One *o = one_new("IntConv", 2);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 1, h, wd });
    one_const(o, 1, ET_INT64, 4, (int64_t[]){ 1, 1, 3, 3 }, w);
    one_ints(o, "kernel_shape", 2, (int64_t[]){ 3, 3 });
    one_ints(o, "pads", 4, (int64_t[]){ pads, pads, pads, pads });
    one_ints(o, "strides", 2, (int64_t[]){ stride, stride });
    Value *x = ints(4, (int64_t[]){ 1, 1, h, wd }, xdata), *y = NULL;
    bool ok = one_run(o, (const Value *[]){ x }, &y);
    ck_assert_msg(ok == expect_ok, "%s", o->d.msg);
    value_free(x);
    one_free(o);
    return y;
}

START_TEST(test_int_conv_padding)
{
    /* x = 1..9 in a 3x3 image; an all-ones 3x3 kernel with pads 1 sums each
     * neighbourhood, the padding contributing 0:
     *   corners 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28
     *   edges 1+...+6 = 21, 27, 33, 39; centre 45 */
    const int64_t x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const double ones[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    Value *y = run_conv(ones, 1, 1, x, 3, 3, true);
    expect_ints(y, (int64_t[]){ 12, 21, 16, 27, 45, 33, 24, 39, 28 }, 9);
    value_free(y);
    /* stride 2 keeps the corners */
    y = run_conv(ones, 1, 2, x, 3, 3, true);
    expect_ints(y, (int64_t[]){ 12, 16, 24, 28 }, 4);
    value_free(y);
    /* orientation: w[0][0] = 1, w[2][2] = -1 gives x[i-1][j-1] - x[i+1][j+1]
     *   (0,0): 0 - 5 = -5;  (0,1): 0 - 6 = -6;  (1,1): 1 - 9 = -8;  (2,2): 5 - 0 = 5 */
    const double diag[9] = { 1, 0, 0, 0, 0, 0, 0, 0, -1 };
    y = run_conv(diag, 1, 1, x, 3, 3, true);
    ck_assert_int_eq(y->i[0], -5);
    ck_assert_int_eq(y->i[1], -6);
    ck_assert_int_eq(y->i[4], -8);
    ck_assert_int_eq(y->i[8], 5);
    value_free(y);
    /* no padding: one output, 45 */
    y = run_conv(ones, 0, 1, x, 3, 3, true);
    expect_ints(y, (int64_t[]){ 45 }, 1);
    value_free(y);
    /* inputs times 2^28: the sums no longer fit int32, so the int64 path
     * runs; the results scale exactly */
    int64_t big[9];
    for (int k = 0; k < 9; k++)
        big[k] = x[k] << 28;
    y = run_conv(ones, 1, 1, big, 3, 3, true);
    const int64_t want[9] = { 12, 21, 16, 27, 45, 33, 24, 39, 28 };
    for (int k = 0; k < 9; k++)
        ck_assert_int_eq(y->i[k], want[k] << 28);
    value_free(y);
}
END_TEST

START_TEST(test_int_conv_group_and_xnor)
{
    /* group 2, 1x1 kernels {2, -1}: channel 0 doubles, channel 1 negates */
    One *o = one_new("IntConv", 2);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 2, 1, 2 });
    one_const(o, 1, ET_INT64, 4, (int64_t[]){ 2, 1, 1, 1 }, (double[]){ 2, -1 });
    one_int(o, "group", 2);
    Value *x = ints(4, (int64_t[]){ 1, 2, 1, 2 }, (int64_t[]){ 3, -4, 5, 6 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 6, -8, -5, -6 }, 4);
    value_free(x);
    value_free(y);
    one_free(o);

    /* xnor over a 2x2 window of 2 channels (8 taps):
     * x = [+ - + +][- - + -], w = [+ + + +][- + - -]
     * matches: +/+ -/+x +/+ +/+ -> 3;  -/- -/+x +/-x -/- -> 2; total 5
     * (dot = 5 - 3 = 2, (8 + 2) / 2 = 5) */
    o = one_new("IntConv", 2);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 2, 2, 2 });
    one_const(o, 1, ET_INT64, 4, (int64_t[]){ 1, 2, 2, 2 },
              (double[]){ 1, 1, 1, 1, -1, 1, -1, -1 });
    one_ints(o, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    one_int(o, "xnor", 1);
    x = ints(4, (int64_t[]){ 1, 2, 2, 2 }, (int64_t[]){ 1, -1, 1, 1, -1, -1, 1, -1 });
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 5 }, 1);
    value_free(x);
    value_free(y);
    one_free(o);

    /* xnor with padding is refused: a padded 0 is not bipolar */
    o = one_new("IntConv", 2);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 1, 2, 2 });
    one_const(o, 1, ET_INT64, 4, (int64_t[]){ 1, 1, 1, 1 }, (double[]){ 1 });
    one_ints(o, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    one_int(o, "xnor", 1);
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "padding");
    one_free(o);
}
END_TEST

/* ---- IntMaxPool, IntAdd, OutputAffine ------------------------------------ */

START_TEST(test_int_maxpool)
{
    /* x = [-5 -3 -9; -7 -2 -8], 2x2 windows, stride 2, pads 1: each window
     * holds one row/column of padding, which never wins (0 would):
     *   {-5}, {-3, -9}, {-7}, {-2, -8} -> -5, -3, -7, -2 */
    One *o = one_new("IntMaxPool", 1);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 1, 2, 3 });
    one_ints(o, "kernel_shape", 2, (int64_t[]){ 2, 2 });
    one_ints(o, "strides", 2, (int64_t[]){ 2, 2 });
    one_ints(o, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    Value *x = ints(4, (int64_t[]){ 1, 1, 2, 3 }, (int64_t[]){ -5, -3, -9, -7, -2, -8 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ -5, -3, -7, -2 }, 4);
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

START_TEST(test_int_add)
{
    /* [2, 1] + [3] broadcasts to [2, 3] */
    One *o = one_new("IntAdd", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 2, 1 });
    one_rt(o, 1, ET_INT64, 1, (int64_t[]){ 3 });
    Value *a = ints(2, (int64_t[]){ 2, 1 }, (int64_t[]){ 1, -2 });
    Value *b = ints(1, (int64_t[]){ 3 }, (int64_t[]){ 10, 20, 30 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ a, b }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 11, 21, 31, 8, 18, 28 }, 6);
    value_free(y);
    a->i[0] = INT64_MAX;
    ck_assert(!one_run(o, (const Value *[]){ a, b }, &y));
    expect_error(o, "overflow");
    value_free(a);
    value_free(b);
    one_free(o);
}
END_TEST

START_TEST(test_output_affine)
{
    /* per channel (axis 1): A = {0.5, -3}, B = {0.25, 1}
     *   channel 0: 0.5 * 1 + 0.25 = 0.75, 0.5 * 2 + 0.25 = 1.25
     *   channel 1: -3 * 3 + 1 = -8,       -3 * 4 + 1 = -11 */
    One *o = one_new("OutputAffine", 3);
    one_rt(o, 0, ET_INT64, 3, (int64_t[]){ 1, 2, 2 });
    one_const(o, 1, ET_FLOAT, 1, (int64_t[]){ 2 }, (double[]){ 0.5, -3 });
    one_const(o, 2, ET_FLOAT, 1, (int64_t[]){ 2 }, (double[]){ 0.25, 1 });
    one_int(o, "channel_axis", 1);
    Value *x = ints(3, (int64_t[]){ 1, 2, 2 }, (int64_t[]){ 1, 2, 3, 4 }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    ck_assert_ptr_nonnull(y->f);
    const float want[4] = { 0.75f, 1.25f, -8.0f, -11.0f };
    for (int k = 0; k < 4; k++)
        ck_assert_float_eq(y->f[k], want[k]);
    value_free(x);
    value_free(y);
    one_free(o);

    /* one rounding, in double: A = 0.1f, B = -0.3f on x = 3 gives
     * (float)(0.1f * 3.0 - 0.3f) computed in double */
    o = one_new("OutputAffine", 3);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 1 });
    one_const(o, 1, ET_FLOAT, 1, (int64_t[]){ 1 }, (double[]){ 0.1f });
    one_const(o, 2, ET_FLOAT, 1, (int64_t[]){ 1 }, (double[]){ -0.3f });
    x = ints(2, (int64_t[]){ 1, 1 }, (int64_t[]){ 3 });
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    ck_assert_float_eq(y->f[0], (float)((double)0.1f * 3.0 + (double)-0.3f));
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

/* ---- InputQuant ------------------------------------------------------------ */

/* InputQuant with steps mul 2, sub 1 and an 8-bit signed Quant of scale
 * 2^-7: the CNV input quantizer. */
static One *cnv_input_quant(int n, const char *mode)
{
    One *o = one_new("InputQuant", 5);
    one_rt(o, 0, ET_FLOAT, 2, (int64_t[]){ 1, n });
    one_const(o, 1, ET_FLOAT, 0, NULL, (double[]){ 2 });
    one_const(o, 2, ET_FLOAT, 1, (int64_t[]){ 1 }, (double[]){ 1 });
    one_const(o, 3, ET_FLOAT, 0, NULL, (double[]){ 0.0078125 });
    one_const(o, 4, ET_FLOAT, 0, NULL, (double[]){ 0 });
    one_strs(o, "steps", 2, (const char *[]){ "mul", "sub" });
    one_str(o, "mode", "quant");
    one_int(o, "bits", 8);
    one_int(o, "signed", 1);
    one_int(o, "narrow", 0);
    if (mode)
        one_str(o, "rounding_mode", mode);
    return o;
}

START_TEST(test_input_quant_ties)
{
    /* y = (2x - 1) * 128, rounded half to even, clamped to [-128, 127]:
     *   x = 128.5/256: 2x - 1 = 1/256, y = 0.5  -> 0
     *   x = 129.5/256: y = 1.5                  -> 2
     *   x = 127.5/256: y = -0.5                 -> -0 = 0
     *   x = 0: y = -128; x = 1: y = 128 -> 127; x = 0.75: y = 64 */
    One *o = cnv_input_quant(6, NULL);
    const float xs[6] = { 128.5f / 256, 129.5f / 256, 127.5f / 256, 0, 1, 0.75f };
    Value *x = floats(2, (int64_t[]){ 1, 6 }, xs), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 0, 2, 0, -128, 127, 64 }, 6);
    value_free(x);
    value_free(y);
    one_free(o);
}
END_TEST

static uint32_t rng_state = 0x1234567u;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* The golden graph InputQuant replays: x -> Mul(2) -> Sub(1) -> Quant. */
static Graph *golden_prefix(int n, float scale, float zeropt, int bits, int is_signed,
                            int narrow, const char *mode, Diag *d)
{
    OnnxBuilder *b = ob_new("prefix");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 2, (int64_t[]){ 1, n });
    ob_init_f32(b, "two", 0, NULL, (float[]){ 2 });
    ob_init_f32(b, "one", 1, (int64_t[]){ 1 }, (float[]){ 1 });
    ob_init_f32(b, "scale", 0, NULL, &scale);
    ob_init_f32(b, "zeropt", 0, NULL, &zeropt);
    ob_init_f32(b, "bits", 0, NULL, (float[]){ (float)bits });
    ob_node(b, "Mul", NULL, "mul", 2, (const char *[]){ "x", "two" }, 1, (const char *[]){ "m" });
    ob_node(b, "Sub", NULL, "sub", 2, (const char *[]){ "m", "one" }, 1, (const char *[]){ "s" });
    ObNode *q = ob_node(b, "Quant", "qonnx.custom_op.general", "quant", 4,
                        (const char *[]){ "s", "scale", "zeropt", "bits" }, 1,
                        (const char *[]){ "y" });
    ob_attr_int(q, "signed", is_signed);
    ob_attr_int(q, "narrow", narrow);
    ob_attr_string(q, "rounding_mode", mode);
    ob_output(b, "y", ET_FLOAT, 2, (int64_t[]){ 1, n });
    Graph *g = ob_load(b, d);
    ob_free(b);
    ck_assert_msg(g && cleanup_graph(g, true, d), "%s", d->msg);
    return g;
}

START_TEST(test_input_quant_replays_golden)
{
    /* Inputs: ties of every kind (x whose 2x - 1 lands on k + 1/2 steps),
     * values just beside them, and random ones; for each quantizer the
     * int engine's q - zeropt times the scale must be the golden float. */
    enum { N = 4096 };
    static const struct {
        float scale, zeropt;
        int bits, is_signed, narrow;
        const char *mode;
    } qs[] = {
        { 0.0078125f, 0, 8, 1, 0, "ROUND" },
        { 0.0078125f, 0, 8, 1, 0, "HALF_UP" },
        { 0.0625f, 0, 4, 1, 1, "FLOOR" },
        { 0.0173f, 3, 5, 0, 0, "ROUND" },
        { 0.25f, -1, 3, 1, 0, "HALF_DOWN" },
        { 1.0f, 0, 2, 1, 1, "ROUND" },
        { 0.5f, 0, 1, 1, 0, "ROUND" },   /* 1-bit signed: a sign */
    };
    float *xs = malloc(N * sizeof *xs);
    for (int k = 0; k < N; k++) {
        uint32_t r = rng();
        if (k % 4 == 0)
            xs[k] = (float)((int)(r % 512) + 0.5f) / 512.0f;      /* 2x - 1 on a half step */
        else if (k % 4 == 1)
            xs[k] = nextafterf((float)(r % 256) / 256.0f, (r & 1) ? 2.0f : -1.0f);
        else
            xs[k] = (float)((double)r / 4294967296.0 * 1.2 - 0.1);
    }
    for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++) {
        Diag d;
        diag_init(&d);
        Graph *g = golden_prefix(N, qs[q].scale, qs[q].zeropt, qs[q].bits, qs[q].is_signed,
                                 qs[q].narrow, qs[q].mode, &d);
        One *o = one_new("InputQuant", 5);
        one_rt(o, 0, ET_FLOAT, 2, (int64_t[]){ 1, N });
        one_const(o, 1, ET_FLOAT, 0, NULL, (double[]){ 2 });
        one_const(o, 2, ET_FLOAT, 1, (int64_t[]){ 1 }, (double[]){ 1 });
        one_const(o, 3, ET_FLOAT, 0, NULL, (double[]){ qs[q].scale });
        one_const(o, 4, ET_FLOAT, 0, NULL, (double[]){ qs[q].zeropt });
        one_strs(o, "steps", 2, (const char *[]){ "mul", "sub" });
        one_str(o, "mode", "quant");
        one_int(o, "bits", qs[q].bits);
        one_int(o, "signed", qs[q].is_signed);
        one_int(o, "narrow", qs[q].narrow);
        one_str(o, "rounding_mode", qs[q].mode);
        Value *x = floats(2, (int64_t[]){ 1, N }, xs), *gy, *iy;
        ck_assert_msg(exec_run(g, (const Value *[]){ x }, &gy, &d), "%s", d.msg);
        ck_assert_msg(one_run(o, (const Value *[]){ x }, &iy), "%s", o->d.msg);
        for (int k = 0; k < N; k++) {
            float want = gy->f[k], got = (float)iy->i[k] * qs[q].scale;
            ck_assert_msg(got == want, "quantizer %zu (%s), x = %.9g: int %lld -> %.9g, golden "
                          "%.9g", q, qs[q].mode, (double)xs[k], (long long)iy->i[k],
                          (double)got, (double)want);
        }
        value_free(x);
        value_free(gy);
        value_free(iy);
        one_free(o);
        graph_free(g);
    }
    free(xs);
}
END_TEST

START_TEST(test_input_quant_bipolar_and_integer)
{
    /* bipolar: v = x - 0.5, out = v >= 0 ? +1 : -1 (NaN: -1, as BipolarQuant) */
    One *o = one_new("InputQuant", 2);
    one_rt(o, 0, ET_FLOAT, 2, (int64_t[]){ 1, 4 });
    one_const(o, 1, ET_FLOAT, 0, NULL, (double[]){ 0.5 });
    one_strs(o, "steps", 1, (const char *[]){ "sub" });
    one_str(o, "mode", "bipolar");
    Value *x = floats(2, (int64_t[]){ 1, 4 }, (float[]){ 0.5f, 0.4f, 0.6f, NAN }), *y;
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 1, -1, 1, -1 }, 4);
    value_free(x);
    value_free(y);
    one_free(o);

    /* integer: (x + 1) / 2 maps BIPOLAR -1/+1 to 0/1; 0 gives 0.5: refused */
    o = one_new("InputQuant", 3);
    one_rt(o, 0, ET_FLOAT, 2, (int64_t[]){ 1, 3 });
    one_const(o, 1, ET_FLOAT, 1, (int64_t[]){ 1 }, (double[]){ 1 });
    one_const(o, 2, ET_FLOAT, 0, NULL, (double[]){ 2 });
    one_strs(o, "steps", 2, (const char *[]){ "add", "div" });
    one_str(o, "mode", "integer");
    x = floats(2, (int64_t[]){ 1, 3 }, (float[]){ -1, 1, 1 });
    ck_assert_msg(one_run(o, (const Value *[]){ x }, &y), "%s", o->d.msg);
    expect_ints(y, (int64_t[]){ 0, 1, 1 }, 3);
    value_free(y);
    x->f[2] = 0;
    ck_assert(!one_run(o, (const Value *[]){ x }, &y));
    expect_error(o, "not an integer");
    value_free(x);
    one_free(o);

    /* quant mode: NaN cannot become an integer */
    o = cnv_input_quant(2, NULL);
    x = floats(2, (int64_t[]){ 1, 2 }, (float[]){ 0.5f, NAN });
    ck_assert(!one_run(o, (const Value *[]){ x }, &y));
    expect_error(o, "NaN");
    value_free(x);
    one_free(o);
}
END_TEST

START_TEST(test_input_quant_errors)
{
    /* a non-integer zero point */
    One *o = cnv_input_quant(2, NULL);
    o->n->inputs[4]->value->f[0] = 0.5f;
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "zero point");
    one_free(o);
    /* steps and inputs disagree */
    o = cnv_input_quant(2, NULL);
    o->n->attrs[0].n = 1;
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "inputs");
    one_free(o);
    /* an unknown step */
    o = cnv_input_quant(2, NULL);
    o->n->attrs[0].strings[1] = "pow";
    ck_assert(!graph_resolve_ops(o->g, &o->d));
    expect_error(o, "pow");
    one_free(o);
}
END_TEST

/* ---- op kinds: what backends switch on instead of op_type strings ---- */

/* Every registered op has a kind of its own, never OP_UNKNOWN: a backend
 * that switches on node_kind can tell any two ops apart, including the
 * two MultiThresholds (QONNX's float one and the integer graph's). */
START_TEST(test_op_kinds_distinct)
{
    const OpDef *const *tables[] = { onnx_math_ops, onnx_tensor_ops, qonnx_ops, qonnxc_int_ops };
    const OpDef *seen[OP_OUTPUT_AFFINE + 1] = { 0 };
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const OpDef *const *op = tables[t]; *op; op++) {
            OpKind k = (*op)->kind;
            ck_assert_msg(k > OP_UNKNOWN && k <= OP_OUTPUT_AFFINE, "%s has no kind",
                          (*op)->op_type);
            ck_assert_msg(!seen[k], "%s and %s share kind %d", (*op)->op_type,
                          seen[k] ? seen[k]->op_type : "?", (int)k);
            seen[k] = *op;
        }
    ck_assert_int_eq(op_lookup(DOMAIN_QONNXC, "MultiThreshold")->kind, OP_MULTITHRESHOLD);
    ck_assert_int_eq(op_lookup(DOMAIN_QONNX, "MultiThreshold")->kind, OP_QONNX_MULTITHRESHOLD);
    ck_assert_int_eq(op_lookup(DOMAIN_QONNXC, "IntConv")->kind, OP_INT_CONV);

    One *o = one_new("IntAdd", 2);
    ck_assert_int_eq(node_kind(o->n), OP_UNKNOWN);   /* not resolved yet */
    o->n->op = op_lookup(DOMAIN_QONNXC, "IntAdd");
    ck_assert_int_eq(node_kind(o->n), OP_INT_ADD);
    ck_assert_int_eq(node_kind(NULL), OP_UNKNOWN);
    one_free(o);
}
END_TEST

/* What every backend reads: a grouped 3x3 IntConv decoded by
 * int_dot_params (the accessor the int engine uses too), and the error
 * for a node of another kind. */
START_TEST(test_int_dot_params)
{
    /* W [6, 2, 3, 3], group 2: X has 4 channels, 3 outputs per group,
     * each output sums 2 channels x 9 taps = 18 inputs */
    One *o = one_new("IntConv", 2);
    one_rt(o, 0, ET_INT64, 4, (int64_t[]){ 1, 4, 5, 5 });
    double w[6 * 2 * 3 * 3] = { 0 };
    one_const(o, 1, ET_INT64, 4, (int64_t[]){ 6, 2, 3, 3 }, w);
    one_int(o, "group", 2);
    one_ints(o, "strides", 2, (int64_t[]){ 2, 2 });
    one_ints(o, "pads", 4, (int64_t[]){ 1, 1, 1, 1 });
    ck_assert_msg(graph_resolve_ops(o->g, &o->d), "%s", o->d.msg);
    OpCtx ctx = { o->g, &o->d };
    IntDot dot;
    ck_assert_msg(int_dot_params(&ctx, o->n, &dot), "%s", o->d.msg);
    ck_assert(dot.conv && !dot.xnor);
    ck_assert_int_eq(dot.in_c, 4);
    ck_assert_int_eq(dot.out_c, 6);
    ck_assert_int_eq(dot.groups, 2);
    ck_assert_int_eq(dot.cg, 2);
    ck_assert_int_eq(dot.og, 3);
    ck_assert_int_eq(dot.k, 18);
    ck_assert_int_eq(dot.win.nsp, 2);
    ck_assert_int_eq(dot.win.kernel[0], 3);
    ck_assert_int_eq(dot.win.stride[1], 2);
    ck_assert_int_eq(dot.win.pad_begin[0], 1);
    ck_assert_ptr_eq(dot.w, o->n->inputs[1]);

    /* an IntConv is not a MultiThreshold: the accessor says so */
    MultiThresholdParams mt;
    ck_assert(!multithreshold_params(&ctx, o->n, &mt));
    expect_error(o, "is not a MultiThreshold");
    one_free(o);

    /* IntMatMul W [K=3, N=2] with xnor */
    o = one_new("IntMatMul", 2);
    one_rt(o, 0, ET_INT64, 2, (int64_t[]){ 1, 3 });
    one_const(o, 1, ET_INT64, 2, (int64_t[]){ 3, 2 }, (double[]){ 1, -1, 1, 1, -1, -1 });
    one_int(o, "xnor", 1);
    ck_assert_msg(graph_resolve_ops(o->g, &o->d), "%s", o->d.msg);
    ctx = (OpCtx){ o->g, &o->d };
    ck_assert_msg(int_dot_params(&ctx, o->n, &dot), "%s", o->d.msg);
    ck_assert(!dot.conv && dot.xnor);
    ck_assert_int_eq(dot.k, 3);
    ck_assert_int_eq(dot.in_c, 3);
    ck_assert_int_eq(dot.out_c, 2);
    ck_assert_int_eq(dot.groups, 1);
    one_free(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("int_ops");
    TCase *tc = tcase_create("int_ops");
    tcase_add_test(tc, test_op_kinds_distinct);
    tcase_add_test(tc, test_int_dot_params);
    tcase_add_test(tc, test_int_matmul);
    tcase_add_test(tc, test_int_matmul_xnor);
    tcase_add_test(tc, test_int_matmul_overflow);
    tcase_add_test(tc, test_multithreshold);
    tcase_add_test(tc, test_multithreshold_bipolar_out);
    tcase_add_test(tc, test_multithreshold_errors);
    tcase_add_test(tc, test_int_conv_padding);
    tcase_add_test(tc, test_int_conv_group_and_xnor);
    tcase_add_test(tc, test_int_maxpool);
    tcase_add_test(tc, test_int_add);
    tcase_add_test(tc, test_output_affine);
    tcase_add_test(tc, test_input_quant_ties);
    tcase_add_test(tc, test_input_quant_replays_golden);
    tcase_add_test(tc, test_input_quant_bipolar_and_integer);
    tcase_add_test(tc, test_input_quant_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
