/* The ONNX tensor and shape ops of the golden executor (ir/op_reshape.c,
 * op_transpose.c, op_squeeze.c, op_concat.c, op_gather.c, op_shape.c,
 * op_identity.c, op_constant.c, op_pad.c, op_cast.c, op_slice.c, ...):
 * small hand-computed cases per op, the opset-dependent forms, and the
 * errors (which must be errors, never crashes or undefined behaviour).
 *
 * Each case builds a one-node graph, resolves it (arity + check), runs the
 * op's infer on the static shapes and its eval on the values, and checks
 * that the two agree. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "ops.h"

/* ---- building values ---------------------------------------------------- */

/* A shape from its rank and dims. */
static Shape shp(int rank, ...)
{
    Shape s = { rank, { 0 } };
    va_list ap;
    va_start(ap, rank);
    for (int k = 0; k < rank; k++)
        s.dims[k] = va_arg(ap, long long);
    va_end(ap);
    return s;
}

/* A float32 value of shape s with its elements as double arguments. */
static Value *vf(Shape s, ...)
{
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    va_list ap;
    va_start(ap, s);
    for (int64_t k = 0; k < v->count; k++)
        v->f[k] = (float)va_arg(ap, double);
    va_end(ap);
    return v;
}

/* An integral value of type et with its elements as long long arguments. */
static Value *vi(int et, Shape s, ...)
{
    Value *v = value_new(et, &s);
    ck_assert_ptr_nonnull(v);
    va_list ap;
    va_start(ap, s);
    for (int64_t k = 0; k < v->count; k++)
        v->i[k] = va_arg(ap, long long);
    va_end(ap);
    return v;
}

/* A 1-D int64 value from an array of n elements. */
static Value *i64_list(const long long *v, long long n)
{
    Value *x = value_new(ET_INT64, &(Shape){ 1, { n } });
    ck_assert_ptr_nonnull(x);
    for (long long k = 0; k < n; k++)
        x->i[k] = v[k];
    return x;
}
#define I64(...) i64_list((long long[]){ __VA_ARGS__ }, \
                          (long long)(sizeof((long long[]){ __VA_ARGS__ }) / sizeof(long long)))

/* ---- building one-node graphs ------------------------------------------- */

#define MAX_ATTRS 8

typedef struct OpTest {
    Graph *g;
    Node *n;
    Diag d;
    OpCtx ctx;
    const Value *in[8];   /* eval inputs (borrowed) */
    Value *owned[8];      /* inputs this fixture frees */
    Value *out[4];
} OpTest;

static OpTest *op_test(const char *op_type, int64_t opset, int n_in, int n_out)
{
    OpTest *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->g = graph_new("test.onnx");
    t->n = graph_add_node(t->g, "n0", op_type, "", n_in, n_out);
    ck_assert_ptr_nonnull(t->n);
    t->n->opset = opset;
    t->n->attrs = arena_array(&t->g->arena, MAX_ATTRS, sizeof(Attr));
    for (int k = 0; k < n_out; k++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", k);
        t->n->outputs[k] = graph_add_tensor(t->g, name);
        t->n->outputs[k]->producer = t->n;
    }
    diag_init(&t->d);
    t->ctx = (OpCtx){ t->g, &t->d };
    return t;
}

static void op_test_free(OpTest *t)
{
    for (int k = 0; k < 8; k++)
        value_free(t->owned[k]);
    for (int k = 0; k < 4; k++)
        value_free(t->out[k]);
    graph_free(t->g);
    free(t);
}

static Attr *new_attr(OpTest *t, const char *name, AttrKind kind)
{
    ck_assert_int_lt(t->n->n_attrs, MAX_ATTRS);
    Attr *a = &t->n->attrs[t->n->n_attrs++];
    a->name = arena_strdup(&t->g->arena, name);
    a->kind = kind;
    return a;
}

static void attr_int(OpTest *t, const char *name, int64_t v)
{
    new_attr(t, name, ATTR_INT)->i = v;
}

static void attr_float(OpTest *t, const char *name, float v)
{
    new_attr(t, name, ATTR_FLOAT)->f = v;
}

static void attr_string(OpTest *t, const char *name, const char *s)
{
    new_attr(t, name, ATTR_STRING)->s = arena_strdup(&t->g->arena, s);
}

static void attr_ints(OpTest *t, const char *name, int n, const int64_t *v)
{
    Attr *a = new_attr(t, name, ATTR_INTS);
    a->n = n;
    a->ints = arena_array(&t->g->arena, (size_t)n + 1, sizeof(int64_t));
    memcpy(a->ints, v, (size_t)n * sizeof *v);
}
#define ATTR_INTS_OF(t, name, ...) \
    attr_ints(t, name, (int)(sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t)), \
              (int64_t[]){ __VA_ARGS__ })

static void attr_floats(OpTest *t, const char *name, int n, const float *v)
{
    Attr *a = new_attr(t, name, ATTR_FLOATS);
    a->n = n;
    a->floats = arena_array(&t->g->arena, (size_t)n + 1, sizeof(float));
    memcpy(a->floats, v, (size_t)n * sizeof *v);
}

/* Takes ownership of v. */
static void attr_tensor(OpTest *t, const char *name, Value *v)
{
    new_attr(t, name, ATTR_TENSOR)->t = value_copy_in(&t->g->arena, v);
    value_free(v);
}

/* Input k with value v (owned by the fixture). A constant input is also a
 * constant in the graph, so check and infer see its value; otherwise infer
 * only sees its type and shape. */
static void input(OpTest *t, int k, Value *v, bool constant)
{
    char name[16];
    snprintf(name, sizeof name, "x%d", k);
    Tensor *x = graph_add_tensor(t->g, name);
    x->elem_type = v->elem_type;
    x->shape = v->shape;
    if (constant)
        x->value = value_copy_in(&t->g->arena, v);
    else
        x->is_graph_input = true;
    t->n->inputs[k] = x;
    t->in[k] = v;
    t->owned[k] = v;
}

/* Resolves the node: arity and the op's check. */
static bool resolve(OpTest *t)
{
    return graph_resolve_ops(t->g, &t->d);
}

static void assert_failed_with(OpTest *t, const char *what)
{
    ck_assert_msg(t->d.failed, "expected an error containing '%s'", what);
    ck_assert_msg(strstr(t->d.msg, what), "error '%s' does not contain '%s'", t->d.msg, what);
    ck_assert_msg(strstr(t->d.msg, "node 'n0'"), "error '%s' does not name the node", t->d.msg);
}

/* check + infer + eval; every stage must succeed, infer must agree with
 * the computed outputs, and output 0 is returned (owned by the fixture). */
static const Value *run(OpTest *t)
{
    ck_assert_msg(resolve(t), "check: %s", t->d.msg);
    ck_assert_msg(t->n->op->infer(&t->ctx, t->n), "infer: %s", t->d.msg);
    ck_assert_msg(t->n->op->eval(&t->ctx, t->n, t->in, t->out), "eval: %s", t->d.msg);
    for (int k = 0; k < t->n->n_outputs; k++) {
        const Tensor *y = t->n->outputs[k];
        const Value *v = t->out[k];
        if (!y)
            continue;
        ck_assert_ptr_nonnull(v);
        char a[96], b[96];
        ck_assert_msg(y->elem_type == ET_UNDEFINED || y->elem_type == v->elem_type,
                      "infer type %s, eval %s", elem_type_name(y->elem_type),
                      elem_type_name(v->elem_type));
        bool same = y->shape.rank < 0 || y->shape.rank == v->shape.rank;
        for (int d = 0; same && y->shape.rank >= 0 && d < y->shape.rank; d++)
            same = y->shape.dims[d] < 0 || y->shape.dims[d] == v->shape.dims[d];
        ck_assert_msg(same, "infer shape %s, eval %s", shape_str(&y->shape, a, sizeof a),
                      shape_str(&v->shape, b, sizeof b));
    }
    return t->out[0];
}

/* eval must fail with an error containing `what` (check may pass). */
static void eval_fails(OpTest *t, const char *what)
{
    if (!t->n->op)  /* eval without check: it must catch what check would */
        t->n->op = op_lookup(DOMAIN_ONNX, t->n->op_type);
    ck_assert_ptr_nonnull(t->n->op);
    ck_assert(!t->n->op->eval(&t->ctx, t->n, t->in, t->out));
    for (int k = 0; k < 4; k++)
        ck_assert_ptr_null(t->out[k]);
    assert_failed_with(t, what);
}

static void check_fails(OpTest *t, const char *what)
{
    ck_assert(!resolve(t));
    assert_failed_with(t, what);
}

static void assert_shape(const Value *v, Shape s)
{
    char a[96], b[96];
    ck_assert_msg(shape_equal(&v->shape, &s), "shape %s, expected %s",
                  shape_str(&v->shape, a, sizeof a), shape_str(&s, b, sizeof b));
}

static void assert_floats(const Value *v, int n, ...)
{
    ck_assert_int_eq(v->count, n);
    ck_assert_ptr_nonnull(v->f);
    va_list ap;
    va_start(ap, n);
    for (int k = 0; k < n; k++) {
        double want = va_arg(ap, double);
        ck_assert_msg(v->f[k] == (float)want || (isnan(want) && isnan(v->f[k])),
                      "element %d is %.9g, expected %.9g", k, (double)v->f[k], want);
    }
    va_end(ap);
}

static void assert_ints(const Value *v, int n, ...)
{
    ck_assert_int_eq(v->count, n);
    ck_assert_ptr_nonnull(v->i);
    va_list ap;
    va_start(ap, n);
    for (int k = 0; k < n; k++) {
        long long want = va_arg(ap, long long);
        ck_assert_msg(v->i[k] == want, "element %d is %lld, expected %lld", k,
                      (long long)v->i[k], want);
    }
    va_end(ap);
}

/* 0, 1, 2, ... as float32, of shape s. */
static Value *iota(Shape s)
{
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    for (int64_t k = 0; k < v->count; k++)
        v->f[k] = (float)k;
    return v;
}

/* ---- Reshape, Flatten ------------------------------------------------- */

START_TEST(test_reshape_zero_and_minus_one)
{
    /* [2, 3, 4] with [0, -1]: 0 copies the 2, -1 takes 12 */
    OpTest *t = op_test("Reshape", 14, 2, 1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    input(t, 1, I64(0, -1), true);
    const Value *y = run(t);
    assert_shape(y, shp(2, 2LL, 12LL));
    ck_assert(shape_equal(&t->n->outputs[0]->shape, &y->shape)); /* infer knew it all */
    ck_assert_float_eq(y->f[23], 23.0f);
    op_test_free(t);

    /* [-1, 0, 2]: the 0 copies input dim 1 (3), the -1 is 24 / 6 = 4 */
    t = op_test("Reshape", 13, 2, 1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    input(t, 1, I64(-1, 0, 2), true);
    assert_shape(run(t), shp(3, 4LL, 3LL, 2LL));
    op_test_free(t);

    /* allowzero=1: a 0 is an extent of 0 */
    t = op_test("Reshape", 14, 2, 1);
    attr_int(t, "allowzero", 1);
    input(t, 0, vf(shp(2, 0LL, 3LL)), false);
    input(t, 1, I64(3, 0), true);
    assert_shape(run(t), shp(2, 3LL, 0LL));
    op_test_free(t);
}
END_TEST

START_TEST(test_reshape_errors)
{
    OpTest *t = op_test("Reshape", 14, 2, 1);
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(-1, -1), true);
    check_fails(t, "at most one");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(-1, 4), false);          /* only eval sees the shape */
    ck_assert(resolve(t));
    eval_fails(t, "not a multiple of 4");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(2, 0), false);           /* 0 past the input's rank */
    eval_fails(t, "the input has rank 1");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(4, 2), false);
    eval_fails(t, "cannot reshape [6]");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);       /* float shape input: error, no crash */
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, vf(shp(1, 2LL), 2.0, 3.0), false);
    eval_fails(t, "integer tensor");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);       /* overflowing target shape */
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(INT64_MAX, 4), false);
    eval_fails(t, "overflows");
    op_test_free(t);

    t = op_test("Reshape", 14, 2, 1);
    attr_int(t, "allowzero", 1);
    input(t, 0, iota(shp(1, 6LL)), false);
    input(t, 1, I64(0, -1), true);
    check_fails(t, "allowzero");
    op_test_free(t);
}
END_TEST

START_TEST(test_reshape_forms_and_infer)
{
    /* opset 4: the shape is an attribute */
    OpTest *t = op_test("Reshape", 4, 1, 1);
    ATTR_INTS_OF(t, "shape", 3, -1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    const Value *y = run(t);
    assert_shape(y, shp(2, 3LL, 2LL));
    op_test_free(t);

    t = op_test("Reshape", 4, 2, 1);
    ATTR_INTS_OF(t, "shape", 3, -1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    input(t, 1, I64(3, -1), true);
    check_fails(t, "before opset 5");
    op_test_free(t);

    /* a shape input with no value: infer knows only the rank */
    t = op_test("Reshape", 13, 2, 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    input(t, 1, I64(6, 1, 1), false);
    run(t);
    ck_assert_int_eq(t->n->outputs[0]->shape.rank, 3);
    ck_assert_int_eq(t->n->outputs[0]->shape.dims[0], -1);
    op_test_free(t);

    /* unknown input dims: a 0 copies the unknown dim, a -1 stays unknown */
    t = op_test("Reshape", 13, 2, 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    input(t, 1, I64(0, -1), true);
    t->n->inputs[0]->shape.dims[0] = -1;
    run(t);
    ck_assert_int_eq(t->n->outputs[0]->shape.dims[0], -1);
    ck_assert_int_eq(t->n->outputs[0]->shape.dims[1], -1);
    op_test_free(t);
}
END_TEST

START_TEST(test_flatten)
{
    OpTest *t = op_test("Flatten", 13, 1, 1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    assert_shape(run(t), shp(2, 2LL, 12LL));   /* default axis 1 */
    op_test_free(t);

    t = op_test("Flatten", 13, 1, 1);
    attr_int(t, "axis", 0);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    assert_shape(run(t), shp(2, 1LL, 24LL));
    op_test_free(t);

    t = op_test("Flatten", 13, 1, 1);
    attr_int(t, "axis", -1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    assert_shape(run(t), shp(2, 6LL, 4LL));
    op_test_free(t);

    t = op_test("Flatten", 9, 1, 1);           /* negative axes from opset 11 */
    attr_int(t, "axis", -1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    ck_assert(resolve(t));
    eval_fails(t, "out of range");
    op_test_free(t);
}
END_TEST

/* ---- Transpose -------------------------------------------------------- */

START_TEST(test_transpose)
{
    OpTest *t = op_test("Transpose", 13, 1, 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    const Value *y = run(t);                    /* default: reversed axes */
    assert_shape(y, shp(2, 3LL, 2LL));
    assert_floats(y, 6, 0.0, 3.0, 1.0, 4.0, 2.0, 5.0);
    op_test_free(t);

    t = op_test("Transpose", 13, 1, 1);
    ATTR_INTS_OF(t, "perm", 1, 2, 0);
    input(t, 0, iota(shp(3, 2LL, 1LL, 3LL)), false);
    y = run(t);                                 /* y[a][b][c] = x[c][a][b] */
    assert_shape(y, shp(3, 1LL, 3LL, 2LL));
    assert_floats(y, 6, 0.0, 3.0, 1.0, 4.0, 2.0, 5.0);
    op_test_free(t);

    t = op_test("Transpose", 13, 1, 1);
    input(t, 0, vi(ET_INT8, shp(2, 1LL, 2LL), -5LL, 7LL), false);
    y = run(t);                                 /* integers move unchanged */
    ck_assert_int_eq(y->elem_type, ET_INT8);
    assert_ints(y, 2, -5LL, 7LL);
    op_test_free(t);

    t = op_test("Transpose", 13, 1, 1);
    ATTR_INTS_OF(t, "perm", 0, 0);
    input(t, 0, iota(shp(2, 2LL, 2LL)), false);
    check_fails(t, "twice");
    op_test_free(t);

    t = op_test("Transpose", 13, 1, 1);
    ATTR_INTS_OF(t, "perm", 1, 0);
    input(t, 0, iota(shp(3, 2LL, 2LL, 2LL)), false);
    ck_assert(resolve(t));
    eval_fails(t, "perm has 2 entries for an input of rank 3");
    op_test_free(t);
}
END_TEST

/* ---- Squeeze, Unsqueeze ----------------------------------------------- */

START_TEST(test_squeeze_by_opset)
{
    /* opset 11: axes attribute, negative allowed */
    OpTest *t = op_test("Squeeze", 11, 1, 1);
    ATTR_INTS_OF(t, "axes", -1);
    input(t, 0, iota(shp(3, 1LL, 3LL, 1LL)), false);
    assert_shape(run(t), shp(2, 1LL, 3LL));
    op_test_free(t);

    /* opset 13: axes input */
    t = op_test("Squeeze", 13, 2, 1);
    input(t, 0, iota(shp(3, 1LL, 3LL, 1LL)), false);
    input(t, 1, I64(0), true);
    assert_shape(run(t), shp(2, 3LL, 1LL));
    op_test_free(t);

    /* no axes: every dim of 1 goes */
    t = op_test("Squeeze", 13, 1, 1);
    input(t, 0, iota(shp(3, 1LL, 3LL, 1LL)), false);
    assert_shape(run(t), shp(1, 3LL));
    op_test_free(t);

    t = op_test("Squeeze", 13, 2, 1);
    input(t, 0, iota(shp(3, 1LL, 3LL, 1LL)), false);
    input(t, 1, I64(1), false);
    eval_fails(t, "extent is 3, not 1");
    op_test_free(t);

    t = op_test("Squeeze", 13, 1, 1);           /* the old form in a new opset */
    ATTR_INTS_OF(t, "axes", 0);
    input(t, 0, iota(shp(2, 1LL, 3LL)), false);
    check_fails(t, "from opset 13");
    op_test_free(t);

    t = op_test("Squeeze", 11, 2, 1);           /* the new form in an old opset */
    input(t, 0, iota(shp(2, 1LL, 3LL)), false);
    input(t, 1, I64(0), true);
    check_fails(t, "before opset 13");
    op_test_free(t);
}
END_TEST

START_TEST(test_unsqueeze_by_opset)
{
    OpTest *t = op_test("Unsqueeze", 11, 1, 1);
    ATTR_INTS_OF(t, "axes", 3, 0);              /* unsorted: output axes 0 and 3 */
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    assert_shape(run(t), shp(4, 1LL, 2LL, 3LL, 1LL));
    op_test_free(t);

    t = op_test("Unsqueeze", 13, 2, 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    input(t, 1, I64(-1), true);                 /* counted on the output rank */
    assert_shape(run(t), shp(3, 2LL, 3LL, 1LL));
    op_test_free(t);

    t = op_test("Unsqueeze", 13, 2, 1);         /* a scalar becomes [1] */
    input(t, 0, vf(shp(0), 4.0), false);
    input(t, 1, vi(ET_INT64, shp(0), 0LL), true);
    const Value *y = run(t);
    assert_shape(y, shp(1, 1LL));
    assert_floats(y, 1, 4.0);
    op_test_free(t);

    t = op_test("Unsqueeze", 13, 2, 1);
    input(t, 0, iota(shp(1, 2LL)), false);
    input(t, 1, I64(0, -3), false);
    eval_fails(t, "twice");
    op_test_free(t);

    t = op_test("Unsqueeze", 13, 1, 1);
    input(t, 0, iota(shp(1, 2LL)), false);
    check_fails(t, "missing input 1");
    op_test_free(t);
}
END_TEST

/* ---- Concat ----------------------------------------------------------- */

START_TEST(test_concat)
{
    OpTest *t = op_test("Concat", 13, 2, 1);
    attr_int(t, "axis", -1);
    input(t, 0, vf(shp(2, 2LL, 1LL), 1.0, 2.0), false);
    input(t, 1, vf(shp(2, 2LL, 2LL), 3.0, 4.0, 5.0, 6.0), false);
    const Value *y = run(t);
    assert_shape(y, shp(2, 2LL, 3LL));
    assert_floats(y, 6, 1.0, 3.0, 4.0, 2.0, 5.0, 6.0);
    op_test_free(t);

    t = op_test("Concat", 13, 2, 1);
    attr_int(t, "axis", 0);
    input(t, 0, vf(shp(2, 1LL, 2LL), 1.0, 2.0), false);
    input(t, 1, vf(shp(2, 1LL, 3LL), 3.0, 4.0, 5.0), false);
    ck_assert(resolve(t));
    eval_fails(t, "input 1 has shape [1, 3]");
    op_test_free(t);
}
END_TEST

/* ---- Gather, GatherElements ------------------------------------------- */

START_TEST(test_gather_negative_indices)
{
    OpTest *t = op_test("Gather", 13, 2, 1);
    input(t, 0, vf(shp(2, 3LL, 2LL), 1.0, 2.0, 3.0, 4.0, 5.0, 6.0), false);
    input(t, 1, I64(-1, 0), false);
    const Value *y = run(t);
    assert_shape(y, shp(2, 2LL, 2LL));
    assert_floats(y, 4, 5.0, 6.0, 1.0, 2.0);
    op_test_free(t);

    /* axis 1, 2-D int32 indices: output [3] + [1, 2] */
    t = op_test("Gather", 13, 2, 1);
    attr_int(t, "axis", 1);
    input(t, 0, vf(shp(2, 3LL, 2LL), 1.0, 2.0, 3.0, 4.0, 5.0, 6.0), false);
    input(t, 1, vi(ET_INT32, shp(2, 1LL, 2LL), -1LL, -2LL), false);
    y = run(t);
    assert_shape(y, shp(3, 3LL, 1LL, 2LL));
    assert_floats(y, 6, 2.0, 1.0, 4.0, 3.0, 6.0, 5.0);
    op_test_free(t);

    /* a scalar index drops the axis */
    t = op_test("Gather", 13, 2, 1);
    input(t, 0, vi(ET_INT64, shp(2, 2LL, 2LL), 1LL, 2LL, 3LL, 4LL), false);
    input(t, 1, vi(ET_INT64, shp(0), -2LL), false);
    y = run(t);
    assert_shape(y, shp(1, 2LL));
    assert_ints(y, 2, 1LL, 2LL);
    op_test_free(t);

    t = op_test("Gather", 13, 2, 1);
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(0, -4), false);
    eval_fails(t, "index -4 is out of range");
    op_test_free(t);

    t = op_test("GatherElements", 13, 2, 1);
    attr_int(t, "axis", 1);
    input(t, 0, vf(shp(2, 2LL, 2LL), 1.0, 2.0, 3.0, 4.0), false);
    input(t, 1, vi(ET_INT64, shp(2, 2LL, 2LL), 0LL, -1LL, 1LL, 0LL), false);
    y = run(t);
    assert_floats(y, 4, 1.0, 2.0, 4.0, 3.0);
    op_test_free(t);
}
END_TEST

/* ---- Shape, Size ------------------------------------------------------ */

START_TEST(test_shape_start_end)
{
    OpTest *t = op_test("Shape", 15, 1, 1);
    input(t, 0, iota(shp(4, 2LL, 3LL, 4LL, 5LL)), false);
    const Value *y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT64);
    assert_ints(y, 4, 2LL, 3LL, 4LL, 5LL);
    op_test_free(t);

    t = op_test("Shape", 15, 1, 1);
    attr_int(t, "start", 1);
    attr_int(t, "end", -1);
    input(t, 0, iota(shp(4, 2LL, 3LL, 4LL, 5LL)), false);
    assert_ints(run(t), 2, 3LL, 4LL);
    op_test_free(t);

    t = op_test("Shape", 15, 1, 1);             /* out-of-range bounds clamp */
    attr_int(t, "start", -10);
    attr_int(t, "end", 10);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    assert_ints(run(t), 2, 2LL, 3LL);
    op_test_free(t);

    t = op_test("Shape", 15, 1, 1);             /* start after end: empty */
    attr_int(t, "start", 2);
    attr_int(t, "end", 1);
    input(t, 0, iota(shp(3, 2LL, 3LL, 4LL)), false);
    y = run(t);
    assert_shape(y, shp(1, 0LL));
    op_test_free(t);

    t = op_test("Shape", 13, 1, 1);
    attr_int(t, "start", 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    check_fails(t, "from opset 15");
    op_test_free(t);

    t = op_test("Size", 13, 1, 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    y = run(t);
    assert_shape(y, shp(0));
    assert_ints(y, 1, 6LL);
    op_test_free(t);
}
END_TEST

/* ---- Identity, Constant, ConstantOfShape, Dropout ---------------------- */

START_TEST(test_constants)
{
    OpTest *t = op_test("Constant", 13, 0, 1);
    ATTR_INTS_OF(t, "value_ints", 4, -2);
    const Value *y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT64);
    assert_shape(y, shp(1, 2LL));
    assert_ints(y, 2, 4LL, -2LL);
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_float(t, "value_float", 2.5f);
    y = run(t);
    assert_shape(y, shp(0));
    assert_floats(y, 1, 2.5);
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_floats(t, "value_floats", 2, (float[]){ 1.5f, -1.0f });
    assert_floats(run(t), 2, 1.5, -1.0);
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_int(t, "value_int", 7);
    assert_ints(run(t), 1, 7LL);
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_tensor(t, "value", vi(ET_UINT8, shp(2, 1LL, 2LL), 255LL, 0LL));
    y = run(t);
    ck_assert_int_eq(y->elem_type, ET_UINT8);
    assert_ints(y, 2, 255LL, 0LL);
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_int(t, "value_int", 7);
    attr_float(t, "value_float", 7.0f);
    check_fails(t, "exactly one");
    op_test_free(t);

    t = op_test("Constant", 13, 0, 1);
    attr_string(t, "value_string", "x");
    check_fails(t, "not supported");
    op_test_free(t);

    t = op_test("ConstantOfShape", 13, 1, 1);
    attr_tensor(t, "value", vi(ET_INT32, shp(1, 1LL), -3LL));
    input(t, 0, I64(2, 1), true);
    y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT32);
    assert_ints(y, 2, -3LL, -3LL);
    op_test_free(t);

    t = op_test("ConstantOfShape", 13, 1, 1);   /* empty shape: a float 0 scalar */
    input(t, 0, vi(ET_INT64, shp(1, 0LL)), false);
    y = run(t);
    assert_shape(y, shp(0));
    assert_floats(y, 1, 0.0);
    op_test_free(t);

    t = op_test("ConstantOfShape", 13, 1, 1);
    input(t, 0, I64(2, -1), true);
    check_fails(t, "negative");
    op_test_free(t);

    t = op_test("Identity", 16, 1, 1);
    input(t, 0, vi(ET_BOOL, shp(1, 2LL), 1LL, 0LL), false);
    y = run(t);
    ck_assert_int_eq(y->elem_type, ET_BOOL);
    assert_ints(y, 2, 1LL, 0LL);
    op_test_free(t);

    t = op_test("Dropout", 13, 1, 2);
    input(t, 0, vf(shp(1, 2LL), 1.5, -2.0), false);
    run(t);
    assert_floats(t->out[0], 2, 1.5, -2.0);
    ck_assert_int_eq(t->out[1]->elem_type, ET_BOOL);
    assert_ints(t->out[1], 2, 1LL, 1LL);
    op_test_free(t);

    t = op_test("Dropout", 13, 3, 1);
    input(t, 0, vf(shp(1, 2LL), 1.5, -2.0), false);
    input(t, 1, vf(shp(0), 0.5), true);
    input(t, 2, vi(ET_BOOL, shp(0), 1LL), true);
    check_fails(t, "training_mode");
    op_test_free(t);
}
END_TEST

/* ---- Pad -------------------------------------------------------------- */

START_TEST(test_pad_modes)
{
    /* reflect, with pads longer than the axis: numpy.pad's result */
    OpTest *t = op_test("Pad", 13, 2, 1);
    attr_string(t, "mode", "reflect");
    input(t, 0, vi(ET_INT32, shp(1, 3LL), 1LL, 2LL, 3LL), false);
    input(t, 1, I64(5, 4), true);
    const Value *y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT32);
    assert_ints(y, 12, 2LL, 1LL, 2LL, 3LL, 2LL, 1LL, 2LL, 3LL, 2LL, 1LL, 2LL, 3LL);
    op_test_free(t);

    t = op_test("Pad", 13, 2, 1);
    attr_string(t, "mode", "edge");
    input(t, 0, vf(shp(2, 2LL, 2LL), 1.0, 2.0, 3.0, 4.0), false);
    input(t, 1, I64(1, 0, 0, 2), true);
    y = run(t);
    assert_shape(y, shp(2, 3LL, 4LL));
    assert_floats(y, 12, 1.0, 2.0, 2.0, 2.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0);
    op_test_free(t);

    t = op_test("Pad", 19, 2, 1);
    attr_string(t, "mode", "wrap");
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(5, 4), true);
    assert_floats(run(t), 12, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0);
    op_test_free(t);

    /* constant with a value input; a negative pad crops */
    t = op_test("Pad", 13, 3, 1);
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(-1, 2), true);
    input(t, 2, vf(shp(0), 9.5), false);
    assert_floats(run(t), 4, 2.0, 3.0, 9.5, 9.5);
    op_test_free(t);

    /* reflect after a crop reflects the cropped axis */
    t = op_test("Pad", 13, 2, 1);
    attr_string(t, "mode", "reflect");
    input(t, 0, vf(shp(1, 4LL), 1.0, 2.0, 3.0, 4.0), false);
    input(t, 1, I64(-1, 1), true);
    assert_floats(run(t), 4, 2.0, 3.0, 4.0, 3.0);
    op_test_free(t);

    /* opset 2: pads and value are attributes; int data truncates the value */
    t = op_test("Pad", 2, 1, 1);
    ATTR_INTS_OF(t, "pads", 1, 0);
    attr_float(t, "value", -1.75f);
    input(t, 0, vi(ET_INT64, shp(1, 2LL), 5LL, 6LL), false);
    assert_ints(run(t), 3, -1LL, 5LL, 6LL);
    op_test_free(t);

    /* opset 18: axes input */
    t = op_test("Pad", 18, 4, 1);
    input(t, 0, vf(shp(2, 1LL, 2LL), 1.0, 2.0), false);
    input(t, 1, I64(1, 0), true);
    t->n->inputs[2] = NULL;                 /* constant_value omitted: 0 */
    input(t, 3, I64(-1), true);
    y = run(t);
    assert_shape(y, shp(2, 1LL, 3LL));
    assert_floats(y, 3, 0.0, 1.0, 2.0);
    op_test_free(t);
}
END_TEST

START_TEST(test_pad_errors)
{
    OpTest *t = op_test("Pad", 13, 2, 1);
    attr_string(t, "mode", "mirror");
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(1, 1), true);
    check_fails(t, "mode 'mirror'");
    op_test_free(t);

    t = op_test("Pad", 13, 2, 1);
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(1, 1, 1), false);
    eval_fails(t, "pads has 3 entries");
    op_test_free(t);

    t = op_test("Pad", 13, 2, 1);
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(INT64_MAX, 1), false);
    eval_fails(t, "overflows");
    op_test_free(t);

    t = op_test("Pad", 13, 2, 1);
    input(t, 0, vf(shp(1, 3LL), 1.0, 2.0, 3.0), false);
    input(t, 1, I64(-2, -2), false);
    eval_fails(t, "crop more");
    op_test_free(t);

    t = op_test("Pad", 13, 2, 1);
    attr_string(t, "mode", "edge");
    input(t, 0, vf(shp(1, 0LL)), false);
    input(t, 1, I64(1, 1), false);
    eval_fails(t, "empty axis");
    op_test_free(t);

    t = op_test("Pad", 13, 3, 1);           /* fill of another type class */
    input(t, 0, vf(shp(1, 1LL), 1.0), false);
    input(t, 1, I64(1, 1), false);
    input(t, 2, vi(ET_INT64, shp(0), 1LL), false);
    eval_fails(t, "differ");
    op_test_free(t);

    t = op_test("Pad", 11, 1, 1);
    ATTR_INTS_OF(t, "pads", 1, 1);
    input(t, 0, vf(shp(1, 1LL), 1.0), false);
    check_fails(t, "from opset 11");
    op_test_free(t);
}
END_TEST

/* ---- Cast ------------------------------------------------------------- */

static const Value *cast(OpTest **tp, int to, Value *x)
{
    *tp = op_test("Cast", 13, 1, 1);
    attr_int(*tp, "to", to);
    input(*tp, 0, x, false);
    return run(*tp);
}

START_TEST(test_cast_rounding)
{
    OpTest *t;
    /* float -> int truncates toward zero */
    const Value *y = cast(&t, ET_INT32, vf(shp(1, 6LL), 2.7, -2.7, 0.5, -0.5, 1e9, -0.0));
    ck_assert_int_eq(y->elem_type, ET_INT32);
    assert_ints(y, 6, 2LL, -2LL, 0LL, 0LL, 1000000000LL, 0LL);
    op_test_free(t);

    /* then wraps to the target width, as numpy and ONNX Runtime on x86 */
    y = cast(&t, ET_UINT8, vf(shp(1, 3LL), 300.7, -1.5, -300.2));
    assert_ints(y, 3, 44LL, 255LL, 212LL);
    op_test_free(t);
    y = cast(&t, ET_INT8, vf(shp(1, 2LL), 300.7, 129.0));
    assert_ints(y, 2, 44LL, -127LL);
    op_test_free(t);

    /* NaN, infinities, beyond int64: defined results, no UB */
    y = cast(&t, ET_INT64, vf(shp(1, 4LL), NAN, INFINITY, -INFINITY, 1e30));
    assert_ints(y, 4, 0LL, (long long)INT64_MAX, (long long)INT64_MIN, (long long)INT64_MAX);
    op_test_free(t);
    y = cast(&t, ET_INT32, vf(shp(1, 2LL), INFINITY, -INFINITY));
    assert_ints(y, 2, -1LL, 0LL);               /* INT64_MAX / MIN wrapped to 32 bits */
    op_test_free(t);
    y = cast(&t, ET_UINT64, vf(shp(1, 2LL), 0x1.8p63, -1.0));  /* above INT64_MAX */
    ck_assert_uint_eq((uint64_t)y->i[0], 13835058055282163712ULL);
    ck_assert_uint_eq((uint64_t)y->i[1], UINT64_MAX);
    op_test_free(t);

    /* to bool: non-zero (NaN included) is true */
    y = cast(&t, ET_BOOL, vf(shp(1, 4LL), 0.0, 0.1, NAN, -2.0));
    ck_assert_int_eq(y->elem_type, ET_BOOL);
    assert_ints(y, 4, 0LL, 1LL, 1LL, 1LL);
    op_test_free(t);

    /* float16 / bfloat16: nearest-even at that precision */
    y = cast(&t, ET_FLOAT16, vf(shp(1, 6LL), 1.0 + 0x1p-11, 1.0 + 3 * 0x1p-11, 65519.0, 70000.0,
                                 0x1p-25 * 3, -0.0));
    assert_floats(y, 6, 1.0, 1.0 + 0x1p-9, 65504.0, (double)INFINITY, 0x1p-24 * 2, -0.0);
    op_test_free(t);
    y = cast(&t, ET_BFLOAT16, vf(shp(1, 2LL), 1.0 + 0x1p-8, 1.0 + 3 * 0x1p-8));
    assert_floats(y, 2, 1.0, 1.0 + 0x1p-6);
    op_test_free(t);
}
END_TEST

START_TEST(test_cast_integers)
{
    OpTest *t;
    const Value *y = cast(&t, ET_UINT8, vi(ET_INT64, shp(1, 3LL), -1LL, 256LL, 300LL));
    assert_ints(y, 3, 255LL, 0LL, 44LL);
    op_test_free(t);
    y = cast(&t, ET_INT8, vi(ET_INT32, shp(1, 3LL), 129LL, -129LL, 127LL));
    assert_ints(y, 3, -127LL, 127LL, 127LL);
    op_test_free(t);
    y = cast(&t, ET_INT16, vi(ET_INT64, shp(1, 2LL), 70000LL, (long long)INT64_MIN));
    assert_ints(y, 2, 4464LL, 0LL);
    op_test_free(t);
    y = cast(&t, ET_FLOAT, vi(ET_UINT64, shp(1, 2LL), -1LL, 3LL));  /* uint64 max */
    assert_floats(y, 2, 18446744073709551616.0, 3.0);
    op_test_free(t);
    y = cast(&t, ET_FLOAT, vi(ET_BOOL, shp(1, 2LL), 1LL, 0LL));
    assert_floats(y, 2, 1.0, 0.0);
    op_test_free(t);

    /* Cast-1 names the type with a string */
    t = op_test("Cast", 1, 1, 1);
    attr_string(t, "to", "INT32");
    input(t, 0, vf(shp(1, 1LL), -3.9), false);
    assert_ints(run(t), 1, -3LL);
    op_test_free(t);

    t = op_test("Cast", 13, 1, 1);
    attr_int(t, "to", ET_STRING);
    input(t, 0, vf(shp(1, 1LL), 1.0), false);
    check_fails(t, "not supported");
    op_test_free(t);

    t = op_test("CastLike", 15, 2, 1);
    input(t, 0, vf(shp(1, 2LL), 1.9, -1.9), false);
    input(t, 1, vi(ET_INT16, shp(0), 0LL), false);
    y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT16);
    assert_ints(y, 2, 1LL, -1LL);
    op_test_free(t);
}
END_TEST

/* ---- Slice, Expand, Tile, Split, Range, DepthToSpace ------------------ */

START_TEST(test_slice)
{
    Shape ten = shp(1, 10LL);
    OpTest *t = op_test("Slice", 13, 5, 1);     /* x[8:1:-3] */
    input(t, 0, iota(ten), false);
    input(t, 1, I64(8), true);
    input(t, 2, I64(1), true);
    input(t, 3, I64(0), true);
    input(t, 4, I64(-3), true);
    assert_floats(run(t), 3, 8.0, 5.0, 2.0);
    op_test_free(t);

    t = op_test("Slice", 13, 5, 1);             /* bounds clamp; x[-100:100:4] */
    input(t, 0, iota(ten), false);
    input(t, 1, I64(-100), false);
    input(t, 2, I64(100), false);
    input(t, 3, I64(-1), false);
    input(t, 4, I64(4), false);
    assert_floats(run(t), 3, 0.0, 4.0, 8.0);
    op_test_free(t);

    t = op_test("Slice", 13, 5, 1);             /* extreme values: reversed, no overflow */
    input(t, 0, iota(ten), false);
    input(t, 1, I64(INT64_MAX), true);
    input(t, 2, I64(INT64_MIN), true);
    input(t, 3, I64(0), true);
    input(t, 4, I64(INT64_MIN), true);
    assert_floats(run(t), 1, 9.0);
    op_test_free(t);

    t = op_test("Slice", 9, 1, 1);              /* attribute form */
    ATTR_INTS_OF(t, "starts", 1, 0);
    ATTR_INTS_OF(t, "ends", 2, -1);
    ATTR_INTS_OF(t, "axes", 0, 1);
    input(t, 0, iota(shp(2, 3LL, 3LL)), false);
    const Value *y = run(t);
    assert_shape(y, shp(2, 1LL, 2LL));
    assert_floats(y, 2, 3.0, 4.0);
    op_test_free(t);

    t = op_test("Slice", 13, 5, 1);
    input(t, 0, iota(ten), false);
    input(t, 1, I64(0), true);
    input(t, 2, I64(5), true);
    input(t, 3, I64(0), true);
    input(t, 4, I64(0), true);
    check_fails(t, "step 0 is 0");
    op_test_free(t);
}
END_TEST

START_TEST(test_expand_tile_split)
{
    OpTest *t = op_test("Expand", 13, 2, 1);
    input(t, 0, vf(shp(2, 2LL, 1LL), 1.0, 2.0), false);
    input(t, 1, I64(2, 1, 3), true);
    const Value *y = run(t);
    assert_shape(y, shp(3, 2LL, 2LL, 3LL));
    assert_floats(y, 12, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0);
    op_test_free(t);

    t = op_test("Expand", 13, 2, 1);
    input(t, 0, vf(shp(1, 2LL), 1.0, 2.0), false);
    input(t, 1, I64(3), false);
    eval_fails(t, "cannot be broadcast");
    op_test_free(t);

    t = op_test("Tile", 13, 2, 1);
    input(t, 0, vi(ET_INT64, shp(2, 1LL, 2LL), 1LL, 2LL), false);
    input(t, 1, I64(2, 2), true);
    y = run(t);
    assert_shape(y, shp(2, 2LL, 4LL));
    assert_ints(y, 8, 1LL, 2LL, 1LL, 2LL, 1LL, 2LL, 1LL, 2LL);
    op_test_free(t);

    t = op_test("Split", 13, 2, 2);
    attr_int(t, "axis", 1);
    input(t, 0, iota(shp(2, 2LL, 3LL)), false);
    input(t, 1, I64(1, 2), true);
    run(t);
    assert_shape(t->out[0], shp(2, 2LL, 1LL));
    assert_floats(t->out[0], 2, 0.0, 3.0);
    assert_floats(t->out[1], 4, 1.0, 2.0, 4.0, 5.0);
    op_test_free(t);

    t = op_test("Split", 13, 1, 2);
    input(t, 0, iota(shp(1, 3LL)), false);
    ck_assert(resolve(t));
    eval_fails(t, "2 equal parts");
    op_test_free(t);

    t = op_test("Split", 18, 1, 2);             /* num_outputs: a smaller last part */
    attr_int(t, "num_outputs", 2);
    input(t, 0, iota(shp(1, 3LL)), false);
    run(t);
    assert_floats(t->out[0], 2, 0.0, 1.0);
    assert_floats(t->out[1], 1, 2.0);
    op_test_free(t);
}
END_TEST

START_TEST(test_range_and_depth_to_space)
{
    OpTest *t = op_test("Range", 11, 3, 1);
    input(t, 0, vi(ET_INT32, shp(0), 10LL), true);
    input(t, 1, vi(ET_INT32, shp(0), 4LL), true);
    input(t, 2, vi(ET_INT32, shp(0), -3LL), true);
    const Value *y = run(t);
    ck_assert_int_eq(y->elem_type, ET_INT32);
    assert_ints(y, 2, 10LL, 7LL);
    op_test_free(t);

    t = op_test("Range", 11, 3, 1);
    input(t, 0, vf(shp(0), 1.0), false);
    input(t, 1, vf(shp(0), 2.0), false);
    input(t, 2, vf(shp(0), 0.25), false);
    assert_floats(run(t), 4, 1.0, 1.25, 1.5, 1.75);
    op_test_free(t);

    t = op_test("Range", 11, 3, 1);
    input(t, 0, vi(ET_INT64, shp(0), (long long)INT64_MIN), false);
    input(t, 1, vi(ET_INT64, shp(0), (long long)INT64_MAX), false);
    input(t, 2, vi(ET_INT64, shp(0), 1LL), false);
    eval_fails(t, "too many elements");
    op_test_free(t);

    /* 8 channels, block 2: DCR takes the channel innermost, CRD outermost */
    t = op_test("DepthToSpace", 13, 1, 1);
    attr_int(t, "blocksize", 2);
    input(t, 0, iota(shp(4, 1LL, 8LL, 1LL, 1LL)), false);
    y = run(t);
    assert_shape(y, shp(4, 1LL, 2LL, 2LL, 2LL));
    assert_floats(y, 8, 0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0);
    op_test_free(t);

    t = op_test("DepthToSpace", 13, 1, 1);
    attr_int(t, "blocksize", 2);
    attr_string(t, "mode", "CRD");
    input(t, 0, iota(shp(4, 1LL, 8LL, 1LL, 1LL)), false);
    assert_floats(run(t), 8, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);
    op_test_free(t);

    /* SpaceToDepth undoes DCR DepthToSpace */
    t = op_test("SpaceToDepth", 13, 1, 1);
    attr_int(t, "blocksize", 2);
    input(t, 0, vf(shp(4, 1LL, 2LL, 2LL, 2LL), 0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0), false);
    y = run(t);
    assert_shape(y, shp(4, 1LL, 8LL, 1LL, 1LL));
    assert_floats(y, 8, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);
    op_test_free(t);
}
END_TEST

/* ---- composition: the exporters' dynamic flatten ----------------------- */

/* x -> Shape -> Gather(0) -> Unsqueeze -> Concat([n, -1]) -> Reshape(x):
 * what PyTorch emits for x.view(x.size(0), -1). Run through exec_run, and
 * through shape inference, which must find [2, 12] without folding. */
START_TEST(test_dynamic_flatten_graph)
{
    Diag d;
    diag_init(&d);
    Graph *g = graph_new("flatten.onnx");
    g->opsets = arena_array(&g->arena, 1, sizeof(OpsetImport));
    g->opsets[0] = (OpsetImport){ "", 13 };
    g->n_opsets = 1;
    Tensor *x = graph_add_tensor(g, "x");
    x->elem_type = ET_FLOAT;
    x->shape = shp(3, 2LL, 3LL, 4LL);
    x->is_graph_input = true;
    g->inputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->inputs[g->n_inputs++] = x;
    Tensor *zero = graph_add_tensor(g, "zero"), *axes = graph_add_tensor(g, "axes"),
           *minus1 = graph_add_tensor(g, "minus1");
    Value *v0 = vi(ET_INT64, shp(0), 0LL), *va = I64(0), *vm = I64(-1);
    zero->value = value_copy_in(&g->arena, v0);
    axes->value = value_copy_in(&g->arena, va);
    minus1->value = value_copy_in(&g->arena, vm);
    value_free(v0), value_free(va), value_free(vm);
    Tensor *consts[] = { zero, axes, minus1 };
    for (int k = 0; k < 3; k++) {
        consts[k]->elem_type = consts[k]->value->elem_type;
        consts[k]->shape = consts[k]->value->shape;
    }
    struct { const char *op; int n_in; Tensor *in[2]; } spec[5] = {
        { "Shape", 1, { x } }, { "Gather", 2, { NULL, zero } }, { "Unsqueeze", 2, { NULL, axes } },
        { "Concat", 2, { NULL, minus1 } }, { "Reshape", 2, { x, NULL } },
    };
    Tensor *prev = NULL;
    for (int k = 0; k < 5; k++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", k);
        Node *n = graph_add_node(g, name, spec[k].op, "", spec[k].n_in, 1);
        n->attrs = arena_array(&g->arena, 1, sizeof(Attr));
        if (!strcmp(spec[k].op, "Concat")) {
            n->attrs[0] = (Attr){ .name = "axis", .kind = ATTR_INT, .i = 0 };
            n->n_attrs = 1;
        }
        for (int i = 0; i < spec[k].n_in; i++)
            n->inputs[i] = spec[k].in[i] ? spec[k].in[i] : prev;
        snprintf(name, sizeof name, "t%d", k);
        prev = n->outputs[0] = graph_add_tensor(g, name);
        prev->producer = n;
    }
    prev->is_graph_output = true;
    g->outputs = arena_array(&g->arena, 1, sizeof(Tensor *));
    g->outputs[g->n_outputs++] = prev;

    ck_assert_msg(graph_resolve_ops(g, &d), "%s", d.msg);
    ck_assert_msg(pass_infer_shapes(g, &d), "%s", d.msg);
    ck_assert_int_eq(prev->shape.rank, 2);      /* the data path is unknown statically */
    Value *in = iota(x->shape), *out[1];
    const Value *ins[1] = { in };
    ck_assert_msg(exec_run(g, ins, out, &d), "%s", d.msg);
    assert_shape(out[0], shp(2, 2LL, 12LL));
    ck_assert_float_eq(out[0]->f[13], 13.0f);
    value_free(out[0]);
    value_free(in);
    graph_free(g);
}
END_TEST

/* ---- robustness ------------------------------------------------------- */

static uint32_t rng_state = 0x2545F491u;

/* xorshift32: a fixed seed gives the same cases on every machine. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static int rnd(int n)
{
    return (int)(rng() % (uint32_t)n);
}

/* Mostly small integers (so some nodes are valid), sometimes extremes. */
static int64_t rnd_int(void)
{
    static const int64_t extremes[] = {
        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, (int64_t)1 << 31, -((int64_t)1 << 40),
        (int64_t)1 << 62, 100, -100,
    };
    return rnd(4) ? rnd(9) - 4 : extremes[rnd((int)(sizeof extremes / sizeof extremes[0]))];
}

static Value *rnd_value(void)
{
    static const int types[] = { ET_FLOAT, ET_INT64, ET_INT64, ET_INT32, ET_BOOL, ET_UINT8,
                                 ET_UINT64, ET_FLOAT16 };
    static const float floats[] = { 0.0f, 1.5f, -2.5f, NAN, INFINITY, -INFINITY, 1e30f, 3.0f,
                                    -0.0f, 255.9f };
    Shape s = { rnd(5), { 0 } };
    for (int k = 0; k < s.rank; k++)
        s.dims[k] = rnd(8) ? 1 + rnd(3) : 0;
    Value *v = value_new(types[rnd((int)(sizeof types / sizeof types[0]))], &s);
    ck_assert_ptr_nonnull(v);
    for (int64_t k = 0; k < v->count; k++) {
        if (v->f)
            v->f[k] = floats[rnd((int)(sizeof floats / sizeof floats[0]))];
        else
            v->i[k] = rnd_int();
    }
    return v;
}

/* A 1-D int64 list (shapes, axes, pads, ...): often one or two entries
 * per axis of a tensor of rank r, else 0 to 4 entries. */
static Value *rnd_list(int r)
{
    int64_t len = rnd(3) == 0 ? r : rnd(2) ? 2 * r : rnd(5);
    Value *v = value_new(ET_INT64, &(Shape){ 1, { len } });
    ck_assert_ptr_nonnull(v);
    for (int64_t k = 0; k < v->count; k++)
        v->i[k] = rnd(8) ? rnd(5) - 1 : rnd_int();
    return v;
}

/* Every attribute a tensor op reads, with its usual kind. */
static const struct {
    const char *name;
    AttrKind kind;
} attr_specs[] = {
    { "axis", ATTR_INT }, { "axes", ATTR_INTS }, { "perm", ATTR_INTS }, { "shape", ATTR_INTS },
    { "allowzero", ATTR_INT }, { "start", ATTR_INT }, { "end", ATTR_INT },
    { "mode", ATTR_STRING }, { "value", ATTR_TENSOR }, { "pads", ATTR_INTS },
    { "paddings", ATTR_INTS }, { "to", ATTR_INT }, { "split", ATTR_INTS },
    { "num_outputs", ATTR_INT }, { "blocksize", ATTR_INT }, { "starts", ATTR_INTS },
    { "ends", ATTR_INTS }, { "value_int", ATTR_INT }, { "value_ints", ATTR_INTS },
    { "value_float", ATTR_FLOAT }, { "value_floats", ATTR_FLOATS },
    { "value_string", ATTR_STRING },
};

/* The attributes each op reads: given often, and mostly of the right kind. */
static const struct {
    const char *op;
    const char *attrs;
} op_attrs[] = {
    { "Cast", " to " }, { "Concat", " axis " }, { "ConstantOfShape", " value " },
    { "Constant", " value value_int value_ints value_float value_floats value_string " },
    { "DepthToSpace", " blocksize mode " }, { "SpaceToDepth", " blocksize " },
    { "Flatten", " axis " }, { "Gather", " axis " }, { "GatherElements", " axis " },
    { "Pad", " mode pads paddings value " }, { "Reshape", " shape allowzero " },
    { "Shape", " start end " }, { "Slice", " starts ends axes " },
    { "Split", " axis split num_outputs " }, { "Squeeze", " axes " },
    { "Unsqueeze", " axes " }, { "Transpose", " perm " },
};

static bool op_reads(const char *op, const char *attr)
{
    char word[40];
    snprintf(word, sizeof word, " %s ", attr);
    for (size_t k = 0; k < sizeof op_attrs / sizeof op_attrs[0]; k++)
        if (!strcmp(op_attrs[k].op, op))
            return strstr(op_attrs[k].attrs, word) != NULL;
    return false;
}

static void rnd_attrs(OpTest *t)
{
    static const char *const strings[] = {
        "constant", "reflect", "edge", "wrap", "DCR", "CRD", "bogus", "INT32", "",
    };
    static const AttrKind kinds[] = { ATTR_INT, ATTR_INTS, ATTR_FLOAT, ATTR_STRING, ATTR_TENSOR,
                                      ATTR_FLOATS };
    for (size_t k = 0; k < sizeof attr_specs / sizeof attr_specs[0]; k++) {
        const char *name = attr_specs[k].name;
        bool relevant = op_reads(t->n->op_type, name);
        if (t->n->n_attrs == MAX_ATTRS || (relevant ? rnd(2) : rnd(20)))
            continue;
        AttrKind kind = rnd(5) ? attr_specs[k].kind : kinds[rnd(6)];
        int64_t list[6];
        int len = rnd(5);
        switch (kind) {
        case ATTR_INT:
            if (!strcmp(name, "to"))
                attr_int(t, name, rnd(8) ? rnd(18) : rnd_int());
            else if (!strcmp(name, "blocksize"))
                attr_int(t, name, rnd(8) ? 1 + rnd(2) : rnd_int());
            else
                attr_int(t, name, rnd_int());
            break;
        case ATTR_INTS:
            for (int j = 0; j < len; j++)
                list[j] = rnd(8) ? rnd(5) - 1 : rnd_int();
            attr_ints(t, name, len, list);
            break;
        case ATTR_FLOAT:
            attr_float(t, name, rnd(2) ? -1.5f : NAN);
            break;
        case ATTR_FLOATS:
            attr_floats(t, name, 2, (float[]){ 1.0f, NAN });
            break;
        case ATTR_STRING:
            attr_string(t, name, strings[rnd((int)(sizeof strings / sizeof strings[0]))]);
            break;
        default:
            attr_tensor(t, name, rnd_value());
            break;
        }
    }
}

/* Random nodes of every tensor op, random attributes and inputs: check,
 * infer and eval may refuse, but never crash or hit undefined behaviour
 * (the sanitizer build runs this too), and a refusal leaves no output and
 * an error behind. */
START_TEST(test_eval_never_crashes)
{
    static const int64_t opsets[] = { 0, 1, 4, 9, 11, 13, 15, 18, 19 };
    int evaluated = 0;
    for (const OpDef *const *op = onnx_tensor_ops; *op; op++) {
        for (int iter = 0; iter < 1000; iter++) {
            int max_in = (*op)->max_inputs < 5 ? (*op)->max_inputs : 5;
            int max_out = (*op)->max_outputs < 3 ? (*op)->max_outputs : 3;
            int n_in = (*op)->min_inputs + rnd(max_in - (*op)->min_inputs + 1);
            int n_out = (*op)->min_outputs + rnd(max_out - (*op)->min_outputs + 1);
            OpTest *t = op_test((*op)->op_type, opsets[rnd(9)], n_in, n_out);
            rnd_attrs(t);
            for (int k = 0; k < n_in; k++)
                if (k < (*op)->min_inputs || rnd(4))
                    input(t, k, k && rnd(2) ? rnd_list(t->in[0] ? t->in[0]->shape.rank : 2)
                                            : rnd_value(), rnd(2));
            /* infer runs on resolved nodes only (its contract); eval also
             * on nodes check refused, as a harder test of its own checks */
            bool resolved = resolve(t);
            Diag *d = &t->d;
            if (resolved && !t->n->op->infer(&t->ctx, t->n))
                ck_assert_msg(d->failed, "%s: infer failed without an error", (*op)->op_type);
            t->n->op = *op;
            diag_init(d);
            bool ok = t->n->op->eval(&t->ctx, t->n, t->in, t->out);
            if (ok) {
                evaluated++;
                ck_assert_ptr_nonnull(t->out[0]);
            } else {
                ck_assert_msg(d->failed, "%s: eval failed without an error", (*op)->op_type);
                for (int k = 0; k < n_out; k++)
                    ck_assert_ptr_null(t->out[k]);
            }
            op_test_free(t);
        }
    }
    ck_assert_int_gt(evaluated, 1000);  /* not only refusals */
}
END_TEST

static Suite *ops_tensor_suite(void)
{
    Suite *s = suite_create("ops_tensor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);  /* the robustness test takes a while under the sanitizers */
    tcase_add_test(tc, test_reshape_zero_and_minus_one);
    tcase_add_test(tc, test_reshape_errors);
    tcase_add_test(tc, test_reshape_forms_and_infer);
    tcase_add_test(tc, test_flatten);
    tcase_add_test(tc, test_transpose);
    tcase_add_test(tc, test_squeeze_by_opset);
    tcase_add_test(tc, test_unsqueeze_by_opset);
    tcase_add_test(tc, test_concat);
    tcase_add_test(tc, test_gather_negative_indices);
    tcase_add_test(tc, test_shape_start_end);
    tcase_add_test(tc, test_constants);
    tcase_add_test(tc, test_pad_modes);
    tcase_add_test(tc, test_pad_errors);
    tcase_add_test(tc, test_cast_rounding);
    tcase_add_test(tc, test_cast_integers);
    tcase_add_test(tc, test_slice);
    tcase_add_test(tc, test_expand_tile_split);
    tcase_add_test(tc, test_range_and_depth_to_space);
    tcase_add_test(tc, test_dynamic_flatten_graph);
    tcase_add_test(tc, test_eval_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ops_tensor_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
