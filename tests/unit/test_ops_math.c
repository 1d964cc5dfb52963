/* The golden executor's ONNX math ops (ir/op_elementwise.c, op_matmul.c,
 * op_gemm.c, op_conv.c, op_batchnorm.c, op_pool.c, op_softmax.c,
 * op_argmax.c), each run as a one-node graph through check, infer and
 * exec_run (tests/helpers/op_test_util.h, which also checks that infer
 * predicted the output's type and shape).
 *
 * Expected values are worked out by hand in the comments, small enough to
 * follow: they teach the semantics (broadcasting, integer wrap-around and
 * division, padding and strides, ceil_mode, softmax axis by opset). Conv is
 * also compared with a naive loop nest on shapes that cross the blocking
 * edges of its matrix product. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_test_util.h"

#define DIMS(...) ((const int64_t[]){ __VA_ARGS__ })
#define F32(...) ((const float[]){ __VA_ARGS__ })
#define I64(...) ((const int64_t[]){ __VA_ARGS__ })

/* ---- helpers ------------------------------------------------------------ */

/* Runs r, frees it, and returns output `k` (the others are freed). */
static Value *run_output(OtRun *r, int k, const char *what)
{
    Value *y[OT_MAX_PORTS];
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(ot_run(r, y), "%s: %s", what, r->d.msg);
    for (int j = 0; j < r->n->n_outputs; j++)
        if (j != k)
            value_free(y[j]);
    ot_free(r);
    return y[k];
}

static Value *run1(OtRun *r, const char *what)
{
    return run_output(r, 0, what);
}

static void expect_shape(const Value *v, int rank, const int64_t *dims, const char *what)
{
    char buf[96];
    bool same = v->shape.rank == rank;
    for (int k = 0; same && k < rank; k++)
        same = v->shape.dims[k] == dims[k];
    ck_assert_msg(same, "%s: unexpected shape %s", what, shape_str(&v->shape, buf, sizeof buf));
}

/* Checks a float output against `want` within tol, then frees it. */
static void expect_f(Value *v, int rank, const int64_t *dims, const float *want, float tol,
                     const char *what)
{
    expect_shape(v, rank, dims, what);
    ck_assert_msg(v->f != NULL, "%s: output is not float", what);
    for (int64_t k = 0; k < v->count; k++)
        ck_assert_msg(fabsf(v->f[k] - want[k]) <= tol ||
                          (isinf(want[k]) && v->f[k] == want[k]),
                      "%s: element %lld is %.9g, want %.9g", what, (long long)k, v->f[k],
                      want[k]);
    value_free(v);
}

/* Checks an integral output (type and values), then frees it. */
static void expect_i(Value *v, int elem_type, int rank, const int64_t *dims, const int64_t *want,
                     const char *what)
{
    expect_shape(v, rank, dims, what);
    ck_assert_msg(v->elem_type == elem_type, "%s: output is %s, want %s", what,
                  elem_type_name(v->elem_type), elem_type_name(elem_type));
    for (int64_t k = 0; k < v->count; k++)
        ck_assert_msg(v->i[k] == want[k], "%s: element %lld is %lld, want %lld", what,
                      (long long)k, (long long)v->i[k], (long long)want[k]);
    value_free(v);
}

/* Runs r expecting failure with a message naming the node and `what`. */
static void expect_error(OtRun *r, const char *what)
{
    Value *y[OT_MAX_PORTS];
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(!ot_run(r, y), "expected an error mentioning '%s'", what);
    ck_assert_msg(ot_error_says(r, what), "error does not mention '%s': %s", what, r->d.msg);
    ot_free(r);
}

static OtRun *binary(const char *op, Value *a, Value *b)
{
    OtRun *r = ot_new(op, 13, 2, 1);
    ot_input(r, 0, a);
    ot_input(r, 1, b);
    return r;
}

static OtRun *unary(const char *op, Value *x)
{
    OtRun *r = ot_new(op, 13, 1, 1);
    ot_input(r, 0, x);
    return r;
}

/* ---- binary elementwise -------------------------------------------------- */

START_TEST(test_add_broadcast)
{
    /* [2,3] + [3]: the row is added to each row */
    Value *y = run1(binary("Add", ot_f(2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6)),
                           ot_f(1, DIMS(3), F32(10, 20, 30))), "row");
    expect_f(y, 2, DIMS(2, 3), F32(11, 22, 33, 14, 25, 36), 0, "row");
    /* [2,3] + [2,1]: the column is added to each column */
    y = run1(binary("Add", ot_f(2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6)),
                    ot_f(2, DIMS(2, 1), F32(100, 200))), "column");
    expect_f(y, 2, DIMS(2, 3), F32(101, 102, 103, 204, 205, 206), 0, "column");
    /* [2,1] + [1,3]: both stretch, an outer sum */
    y = run1(binary("Add", ot_f(2, DIMS(2, 1), F32(1, 2)), ot_f(2, DIMS(1, 3), F32(10, 20, 30))),
             "outer");
    expect_f(y, 2, DIMS(2, 3), F32(11, 21, 31, 12, 22, 32), 0, "outer");
    /* scalar (rank 0) + [2,2,1] + broadcast across a middle dim: [2,1,2] + [2,2,1] */
    y = run1(binary("Add", ot_f(0, NULL, F32(0.5f)), ot_f(3, DIMS(2, 2, 1), F32(1, 2, 3, 4))),
             "scalar");
    expect_f(y, 3, DIMS(2, 2, 1), F32(1.5f, 2.5f, 3.5f, 4.5f), 0, "scalar");
    y = run1(binary("Add", ot_f(3, DIMS(2, 1, 2), F32(0, 1, 10, 11)),
                    ot_f(3, DIMS(2, 2, 1), F32(100, 200, 300, 400))), "3-D");
    /* out[i][j][k] = a[i][0][k] + b[i][j][0] */
    expect_f(y, 3, DIMS(2, 2, 2), F32(100, 101, 200, 201, 310, 311, 410, 411), 0, "3-D");
}
END_TEST

START_TEST(test_sub_mul_div_float)
{
    Value *y = run1(binary("Sub", ot_f(1, DIMS(3), F32(1, 2, 3)), ot_f(0, NULL, F32(1))), "sub");
    expect_f(y, 1, DIMS(3), F32(0, 1, 2), 0, "sub");
    y = run1(binary("Mul", ot_f(2, DIMS(2, 2), F32(1, 2, 3, 4)), ot_f(1, DIMS(2), F32(2, -1))),
             "mul");
    expect_f(y, 2, DIMS(2, 2), F32(2, -2, 6, -4), 0, "mul");
    /* float division by zero follows IEEE */
    y = run1(binary("Div", ot_f(1, DIMS(3), F32(1, -1, 7)), ot_f(1, DIMS(3), F32(0, 0, 2))),
             "div");
    expect_f(y, 1, DIMS(3), F32(INFINITY, -INFINITY, 3.5f), 0, "div");
}
END_TEST

START_TEST(test_integer_arithmetic)
{
    /* Div truncates toward zero (not numpy's floor division): 7/2 = 3,
     * -7/2 = -3, 7/-2 = -3, -7/-2 = 3; dividing by zero gives 0 */
    Value *y = run1(binary("Div", ot_i(ET_INT32, 1, DIMS(5), I64(7, -7, 7, -7, 5)),
                           ot_i(ET_INT32, 1, DIMS(5), I64(2, 2, -2, -2, 0))), "div");
    expect_i(y, ET_INT32, 1, DIMS(5), I64(3, -3, -3, 3, 0), "div");
    /* uint8 wraps modulo 256: 250 + 10 = 4, 3 - 5 = 254 */
    y = run1(binary("Add", ot_i(ET_UINT8, 1, DIMS(2), I64(250, 3)),
                    ot_i(ET_UINT8, 1, DIMS(2), I64(10, 0))), "uint8 add");
    expect_i(y, ET_UINT8, 1, DIMS(2), I64(4, 3), "uint8 add");
    y = run1(binary("Sub", ot_i(ET_UINT8, 1, DIMS(1), I64(3)), ot_i(ET_UINT8, 1, DIMS(1), I64(5))),
             "uint8 sub");
    expect_i(y, ET_UINT8, 1, DIMS(1), I64(254), "uint8 sub");
    /* int8: 100 * 2 = 200 wraps to -56; -128 / -1 = 128 wraps to -128 */
    y = run1(binary("Mul", ot_i(ET_INT8, 1, DIMS(1), I64(100)), ot_i(ET_INT8, 0, NULL, I64(2))),
             "int8 mul");
    expect_i(y, ET_INT8, 1, DIMS(1), I64(-56), "int8 mul");
    y = run1(binary("Div", ot_i(ET_INT8, 1, DIMS(1), I64(-128)), ot_i(ET_INT8, 0, NULL, I64(-1))),
             "int8 div");
    expect_i(y, ET_INT8, 1, DIMS(1), I64(-128), "int8 div");
    /* int64 extremes never trap: INT64_MIN / -1 and INT64_MAX + 1 wrap */
    y = run1(binary("Div", ot_i(ET_INT64, 1, DIMS(1), I64(INT64_MIN)),
                    ot_i(ET_INT64, 1, DIMS(1), I64(-1))), "int64 div");
    expect_i(y, ET_INT64, 1, DIMS(1), I64(INT64_MIN), "int64 div");
    y = run1(binary("Add", ot_i(ET_INT64, 1, DIMS(1), I64(INT64_MAX)),
                    ot_i(ET_INT64, 1, DIMS(1), I64(1))), "int64 add");
    expect_i(y, ET_INT64, 1, DIMS(1), I64(INT64_MIN), "int64 add");
}
END_TEST

START_TEST(test_pow)
{
    /* float ^ float in float32 */
    Value *y = run1(binary("Pow", ot_f(1, DIMS(3), F32(2, 9, -2)),
                           ot_f(1, DIMS(3), F32(3, 0.5f, 2))), "float");
    expect_f(y, 1, DIMS(3), F32(8, 3, 4), 1e-6f, "float");
    /* float ^ int: the output is float (the base's type) */
    y = run1(binary("Pow", ot_f(1, DIMS(2), F32(2, 0.5f)), ot_i(ET_INT64, 0, NULL, I64(-2))),
             "float^int");
    expect_f(y, 1, DIMS(2), F32(0.25f, 4), 0, "float^int");
    /* int ^ float: the output is int, the power truncated: 2^2 = 4, 3^0.5 = 1.73 -> 1 */
    y = run1(binary("Pow", ot_i(ET_INT32, 1, DIMS(2), I64(2, 3)), ot_f(1, DIMS(2), F32(2, 0.5f))),
             "int^float");
    expect_i(y, ET_INT32, 1, DIMS(2), I64(4, 1), "int^float");
    /* int ^ int: 3^4 = 81; a negative exponent truncates 1/x^n: 2^-1 -> 0,
     * (-1)^-3 = -1, 1^-5 = 1; int8 wraps: 2^7 = 128 -> -128 */
    y = run1(binary("Pow", ot_i(ET_INT64, 1, DIMS(4), I64(3, 2, -1, 1)),
                    ot_i(ET_INT64, 1, DIMS(4), I64(4, -1, -3, -5))), "int^int");
    expect_i(y, ET_INT64, 1, DIMS(4), I64(81, 0, -1, 1), "int^int");
    y = run1(binary("Pow", ot_i(ET_INT8, 1, DIMS(1), I64(2)), ot_i(ET_INT8, 1, DIMS(1), I64(7))),
             "int8");
    expect_i(y, ET_INT8, 1, DIMS(1), I64(-128), "int8");
}
END_TEST

START_TEST(test_binary_errors)
{
    expect_error(binary("Add", ot_f(1, DIMS(3), NULL), ot_f(1, DIMS(2), NULL)),
                 "cannot be broadcast");
    expect_error(binary("Mul", ot_f(1, DIMS(2), NULL), ot_i(ET_INT32, 1, DIMS(2), NULL)),
                 "must be of one type");
    /* unknown shapes: infer leaves the output unknown, eval still works */
    OtRun *r = binary("Add", ot_f(1, DIMS(2), F32(1, 2)), ot_f(1, DIMS(2), F32(3, 4)));
    ot_hide_shape(r, 0, true);
    ck_assert(ot_prepare(r));
    ck_assert_int_eq(r->n->outputs[0]->shape.rank, -1);
    ck_assert_int_eq(r->n->outputs[0]->elem_type, ET_FLOAT);
    expect_f(run1(r, "hidden"), 1, DIMS(2), F32(4, 6), 0, "hidden");
}
END_TEST

/* ---- unary elementwise and Clip ------------------------------------------ */

START_TEST(test_unary_float)
{
    static const float x[6] = { -2.0f, -0.5f, 0.0f, 0.5f, 1.0f, 4.0f };
    struct {
        const char *op;
        float want[6];
    } cases[] = {
        { "Relu", { 0, 0, 0, 0.5f, 1, 4 } },
        { "Abs", { 2, 0.5f, 0, 0.5f, 1, 4 } },
        { "Neg", { 2, 0.5f, -0.0f, -0.5f, -1, -4 } },
        { "Floor", { -2, -1, 0, 0, 1, 4 } },
        { "Ceil", { -2, -0.0f, 0, 1, 1, 4 } },
        { "Sign", { -1, -1, 0, 1, 1, 1 } },
        { "Exp", { expf(-2), expf(-0.5f), 1, expf(0.5f), expf(1), expf(4) } },
        { "Tanh", { tanhf(-2), tanhf(-0.5f), 0, tanhf(0.5f), tanhf(1), tanhf(4) } },
        /* sigmoid(0) = 0.5, sigmoid(-x) = 1 - sigmoid(x) */
        { "Sigmoid", { 0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.73105858f, 0.98201379f } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        expect_f(run1(unary(cases[k].op, ot_f(1, DIMS(6), x)), cases[k].op), 1, DIMS(6),
                 cases[k].want, 1e-6f, cases[k].op);
    /* Sqrt and Log on their domain; outside it NaN, as in IEEE */
    Value *y = run1(unary("Sqrt", ot_f(1, DIMS(3), F32(4, 0.25f, -1))), "Sqrt");
    ck_assert(y->f[0] == 2 && y->f[1] == 0.5f && isnan(y->f[2]));
    value_free(y);
    y = run1(unary("Log", ot_f(1, DIMS(3), F32(1, expf(2), 0))), "Log");
    ck_assert(y->f[0] == 0 && fabsf(y->f[1] - 2) < 1e-6f && isinf(y->f[2]) && y->f[2] < 0);
    value_free(y);
    /* the sigmoid neither overflows nor loses its tails */
    y = run1(unary("Sigmoid", ot_f(1, DIMS(2), F32(-100, 100))), "Sigmoid tails");
    ck_assert(y->f[0] > 0 && y->f[0] < 1e-40f && y->f[1] == 1.0f);
    value_free(y);
}
END_TEST

START_TEST(test_round_half_even)
{
    /* halves go to the even neighbour, the rest to the nearest */
    Value *y = run1(unary("Round", ot_f(1, DIMS(9), F32(0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f,
                                                      2.4f, 2.6f, -2.6f))), "Round");
    expect_f(y, 1, DIMS(9), F32(0, 2, 2, -0.0f, -2, -2, 2, 3, -3), 0, "Round");
}
END_TEST

START_TEST(test_unary_int)
{
    /* int8: Abs(-128) and Neg(-128) wrap to -128 */
    Value *y = run1(unary("Abs", ot_i(ET_INT8, 1, DIMS(3), I64(-128, -3, 5))), "Abs");
    expect_i(y, ET_INT8, 1, DIMS(3), I64(-128, 3, 5), "Abs");
    y = run1(unary("Neg", ot_i(ET_INT8, 1, DIMS(3), I64(-128, -3, 5))), "Neg");
    expect_i(y, ET_INT8, 1, DIMS(3), I64(-128, 3, -5), "Neg");
    y = run1(unary("Relu", ot_i(ET_INT32, 1, DIMS(3), I64(-7, 0, 7))), "Relu");
    expect_i(y, ET_INT32, 1, DIMS(3), I64(0, 0, 7), "Relu");
    y = run1(unary("Sign", ot_i(ET_INT64, 1, DIMS(3), I64(-7, 0, 7))), "Sign");
    expect_i(y, ET_INT64, 1, DIMS(3), I64(-1, 0, 1), "Sign");
    /* float-only ops refuse integers, at infer already */
    OtRun *r = unary("Exp", ot_i(ET_INT32, 1, DIMS(1), NULL));
    ck_assert(!ot_prepare(r));
    ck_assert_msg(ot_error_says(r, "must be a float tensor"), "%s", r->d.msg);
    ot_free(r);
}
END_TEST

START_TEST(test_clip)
{
    static const float x[5] = { -3, -1, 0, 1, 3 };
    /* opset 6: bounds are attributes */
    OtRun *r = ot_new("Clip", 6, 1, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_attr_float(r, "min", -2);
    ot_attr_float(r, "max", 0.5f);
    expect_f(run1(r, "opset 6"), 1, DIMS(5), F32(-2, -1, 0, 0.5f, 0.5f), 0, "opset 6");
    /* opset 11: bounds are optional inputs; here only max (min omitted) */
    r = ot_new("Clip", 11, 3, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_input(r, 2, ot_f(0, NULL, F32(1)));
    expect_f(run1(r, "max only"), 1, DIMS(5), F32(-3, -1, 0, 1, 1), 0, "max only");
    /* min > max: everything becomes max (numpy's clip) */
    r = ot_new("Clip", 13, 3, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_input(r, 1, ot_f(0, NULL, F32(2)));
    ot_input(r, 2, ot_f(0, NULL, F32(1)));
    expect_f(run1(r, "min > max"), 1, DIMS(5), F32(1, 1, 1, 1, 1), 0, "min > max");
    /* integers (opset 12+) */
    r = ot_new("Clip", 13, 3, 1);
    ot_input(r, 0, ot_i(ET_INT8, 1, DIMS(4), I64(-128, -5, 5, 127)));
    ot_input(r, 1, ot_i(ET_INT8, 0, NULL, I64(-8)));
    ot_input(r, 2, ot_i(ET_INT8, 0, NULL, I64(7)));
    expect_i(run1(r, "int8"), ET_INT8, 1, DIMS(4), I64(-8, -5, 5, 7), "int8");
    /* the wrong form for the opset is an error */
    r = ot_new("Clip", 11, 1, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_attr_float(r, "min", 0);
    expect_error(r, "attributes are not allowed");
    r = ot_new("Clip", 6, 2, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_input(r, 1, ot_f(0, NULL, F32(0)));
    expect_error(r, "as attributes");
    r = ot_new("Clip", 13, 2, 1);
    ot_input(r, 0, ot_f(1, DIMS(5), x));
    ot_input(r, 1, ot_f(1, DIMS(2), F32(0, 1)));
    expect_error(r, "min must be a scalar");
}
END_TEST

/* ---- MatMul and Gemm ----------------------------------------------------- */

START_TEST(test_matmul_2d)
{
    /* [[1,2,3],[4,5,6]] x [[1,0],[0,1],[1,1]] = [[4,5],[10,11]] */
    Value *y = run1(binary("MatMul", ot_f(2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6)),
                           ot_f(2, DIMS(3, 2), F32(1, 0, 0, 1, 1, 1))), "2-D");
    expect_f(y, 2, DIMS(2, 2), F32(4, 5, 10, 11), 0, "2-D");
}
END_TEST

START_TEST(test_matmul_vectors)
{
    /* 1-D first operand: a row vector, the dim removed: [1,2,3] x B = [4, 5] */
    Value *y = run1(binary("MatMul", ot_f(1, DIMS(3), F32(1, 2, 3)),
                           ot_f(2, DIMS(3, 2), F32(1, 0, 0, 1, 1, 1))), "vector x matrix");
    expect_f(y, 1, DIMS(2), F32(4, 5), 0, "vector x matrix");
    /* 1-D second operand: a column vector: A x [1,1,1] = [6, 15] */
    y = run1(binary("MatMul", ot_f(2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6)),
                    ot_f(1, DIMS(3), F32(1, 1, 1))), "matrix x vector");
    expect_f(y, 1, DIMS(2), F32(6, 15), 0, "matrix x vector");
    /* both 1-D: the dot product, a scalar of rank 0 */
    y = run1(binary("MatMul", ot_f(1, DIMS(3), F32(1, 2, 3)), ot_f(1, DIMS(3), F32(4, 5, 6))),
             "dot");
    expect_f(y, 0, NULL, F32(32), 0, "dot");
}
END_TEST

START_TEST(test_matmul_batch_broadcast)
{
    /* A [2,1,1,2]: two row vectors a0 = [1,2], a1 = [3,4];
     * B [3,2,1]: three column vectors b0 = [1,0], b1 = [0,1], b2 = [1,1].
     * The batch dims [2,1] and [3] broadcast to [2,3]: out[i][j] = ai . bj */
    Value *y = run1(binary("MatMul", ot_f(4, DIMS(2, 1, 1, 2), F32(1, 2, 3, 4)),
                           ot_f(3, DIMS(3, 2, 1), F32(1, 0, 0, 1, 1, 1))), "batch");
    expect_f(y, 4, DIMS(2, 3, 1, 1), F32(1, 2, 3, 3, 4, 7), 0, "batch");
    /* a stack of matrices times one shared matrix; ints sum in int64 */
    y = run1(binary("MatMul", ot_i(ET_INT32, 3, DIMS(2, 1, 2), I64(1, 2, -3, 4)),
                    ot_i(ET_INT32, 2, DIMS(2, 2), I64(1, 10, 100, 1000))), "int stack");
    expect_i(y, ET_INT32, 3, DIMS(2, 1, 2), I64(201, 2010, 397, 3970), "int stack");
    /* inner dims must agree, found already by infer */
    OtRun *r = binary("MatMul", ot_f(2, DIMS(2, 3), NULL), ot_f(2, DIMS(2, 2), NULL));
    ck_assert(!ot_prepare(r));
    ck_assert_msg(ot_error_says(r, "inner dims"), "%s", r->d.msg);
    ot_free(r);
}
END_TEST

static OtRun *gemm(Value *a, Value *b, Value *c)
{
    OtRun *r = ot_new("Gemm", 13, c ? 3 : 2, 1);
    ot_input(r, 0, a);
    ot_input(r, 1, b);
    if (c)
        ot_input(r, 2, c);
    return r;
}

/* How golden sums (Graph.golden_sum, set for a run by exec_run_frames_with):
 * 1 + 1e8 - 1e8 in float32 in natural order loses the 1 (1e8 + 1 rounds to
 * 1e8, float32's step there being 8), in reverse order keeps it (-1e8 +
 * 1e8 is 0, then + 1), and in double keeps it. MatMul, Gemm and Conv. */
START_TEST(test_golden_sum_order)
{
    static const GoldenSum modes[] = { GOLDEN_SUM_FLOAT32, GOLDEN_SUM_FLOAT32_REVERSED,
                                       GOLDEN_SUM_DOUBLE };
    static const float want[] = { 0, 1, 1 };
    const float x[3] = { 1, 1e8f, -1e8f }, ones[3] = { 1, 1, 1 };
    for (int m = 0; m < 3; m++) {
        OtRun *r = binary("MatMul", ot_f(2, DIMS(1, 3), x), ot_f(2, DIMS(3, 1), ones));
        r->g->golden_sum = modes[m];
        expect_f(run1(r, "MatMul"), 2, DIMS(1, 1), &want[m], 0, "MatMul");
        r = gemm(ot_f(2, DIMS(1, 3), x), ot_f(2, DIMS(3, 1), ones), NULL);
        r->g->golden_sum = modes[m];
        expect_f(run1(r, "Gemm"), 2, DIMS(1, 1), &want[m], 0, "Gemm");
        r = binary("Conv", ot_f(4, DIMS(1, 3, 1, 1), x), ot_f(4, DIMS(1, 3, 1, 1), ones));
        r->g->golden_sum = modes[m];
        expect_f(run1(r, "Conv"), 4, DIMS(1, 1, 1, 1), &want[m], 0, "Conv");
    }
}
END_TEST

START_TEST(test_gemm)
{
    /* A = [[1,2],[3,4]], B = [[1,1],[0,1]]: AB = [[1,3],[3,7]] */
    const float a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 1, 0, 1 };
    Value *y = run1(gemm(ot_f(2, DIMS(2, 2), a), ot_f(2, DIMS(2, 2), b), NULL), "no C");
    expect_f(y, 2, DIMS(2, 2), F32(1, 3, 3, 7), 0, "no C");
    /* alpha 2, beta 0.5, C a row vector [10, 20] broadcast over the rows:
     * 2 AB + 0.5 C = [[2+5, 6+10], [6+5, 14+10]] */
    OtRun *r = gemm(ot_f(2, DIMS(2, 2), a), ot_f(2, DIMS(2, 2), b), ot_f(1, DIMS(2), F32(10, 20)));
    ot_attr_float(r, "alpha", 2);
    ot_attr_float(r, "beta", 0.5f);
    expect_f(run1(r, "alpha beta"), 2, DIMS(2, 2), F32(7, 16, 11, 24), 0, "alpha beta");
    /* C a column [2,1]: added along the rows */
    y = run1(gemm(ot_f(2, DIMS(2, 2), a), ot_f(2, DIMS(2, 2), b),
                  ot_f(2, DIMS(2, 1), F32(100, 200))), "column C");
    expect_f(y, 2, DIMS(2, 2), F32(101, 103, 203, 207), 0, "column C");
    /* C a scalar */
    y = run1(gemm(ot_f(2, DIMS(2, 2), a), ot_f(2, DIMS(2, 2), b), ot_f(0, NULL, F32(1))),
             "scalar C");
    expect_f(y, 2, DIMS(2, 2), F32(2, 4, 4, 8), 0, "scalar C");
}
END_TEST

START_TEST(test_gemm_transpose)
{
    /* A stored [3,2] with transA: A' = [[1,3,5],[2,4,6]];
     * B stored [1,3] with transB: B' = [[1],[1],[1]]; A'B' = [[9],[12]] */
    OtRun *r = gemm(ot_f(2, DIMS(3, 2), F32(1, 2, 3, 4, 5, 6)), ot_f(2, DIMS(1, 3), F32(1, 1, 1)),
                    NULL);
    ot_attr_int(r, "transA", 1);
    ot_attr_int(r, "transB", 1);
    expect_f(run1(r, "transposed"), 2, DIMS(2, 1), F32(9, 12), 0, "transposed");
    /* the usual fully connected layer: x [1,3], W [2,3] with transB, bias [2] */
    r = gemm(ot_f(2, DIMS(1, 3), F32(1, 2, 3)), ot_f(2, DIMS(2, 3), F32(1, 0, 0, 0, 1, 1)),
             ot_f(1, DIMS(2), F32(0.5f, -0.5f)));
    ot_attr_int(r, "transB", 1);
    expect_f(run1(r, "fc"), 2, DIMS(1, 2), F32(1.5f, 4.5f), 0, "fc");
    /* errors: inner dims, C that does not broadcast, bad attribute */
    expect_error(gemm(ot_f(2, DIMS(2, 3), NULL), ot_f(2, DIMS(2, 3), NULL), NULL), "inner dims");
    expect_error(gemm(ot_f(2, DIMS(2, 2), NULL), ot_f(2, DIMS(2, 2), NULL), ot_f(1, DIMS(3), NULL)),
                 "does not broadcast");
    r = gemm(ot_f(2, DIMS(2, 2), NULL), ot_f(2, DIMS(2, 2), NULL), NULL);
    ot_attr_int(r, "transA", 2);
    expect_error(r, "transA");
}
END_TEST

/* ---- Conv ---------------------------------------------------------------- */

static OtRun *conv(Value *x, Value *w, Value *b)
{
    OtRun *r = ot_new("Conv", 11, b ? 3 : 2, 1);
    ot_input(r, 0, x);
    ot_input(r, 1, w);
    if (b)
        ot_input(r, 2, b);
    return r;
}

/* x = [[1,2,3],[4,5,6],[7,8,9]] as [1,1,3,3]; a 2x2 kernel of ones */
static const float x33[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const float ones4[4] = { 1, 1, 1, 1 };

START_TEST(test_conv_basic)
{
    /* each output is the sum of a 2x2 block: 1+2+4+5 = 12, 16, 24, 28 */
    Value *y = run1(conv(ot_f(4, DIMS(1, 1, 3, 3), x33), ot_f(4, DIMS(1, 1, 2, 2), ones4), NULL),
                    "basic");
    expect_f(y, 4, DIMS(1, 1, 2, 2), F32(12, 16, 24, 28), 0, "basic");
    /* with a bias of 0.5 */
    y = run1(conv(ot_f(4, DIMS(1, 1, 3, 3), x33), ot_f(4, DIMS(1, 1, 2, 2), ones4),
                  ot_f(1, DIMS(1), F32(0.5f))), "bias");
    expect_f(y, 4, DIMS(1, 1, 2, 2), F32(12.5f, 16.5f, 24.5f, 28.5f), 0, "bias");
    /* two input channels summed by one 1x1 filter [1, 10]: x0 + 10 x1 */
    y = run1(conv(ot_f(4, DIMS(1, 2, 1, 2), F32(1, 2, 3, 4)), ot_f(4, DIMS(1, 2, 1, 1), F32(1, 10)),
                  NULL), "channels");
    expect_f(y, 4, DIMS(1, 1, 1, 2), F32(31, 42), 0, "channels");
}
END_TEST

START_TEST(test_conv_pads_strides)
{
    /* pads 1 all round make the input 5x5; 2x2 windows with stride 2 start
     * at padded (0,0), (0,2), (2,0), (2,2), i.e. at input (-1,-1), (-1,1),
     * (1,-1), (1,1): sums 1, 2+3, 4+7, 5+6+8+9 */
    OtRun *r = conv(ot_f(4, DIMS(1, 1, 3, 3), x33), ot_f(4, DIMS(1, 1, 2, 2), ones4), NULL);
    ot_attr_ints(r, "pads", 4, I64(1, 1, 1, 1));
    ot_attr_ints(r, "strides", 2, I64(2, 2));
    expect_f(run1(r, "pads strides"), 4, DIMS(1, 1, 2, 2), F32(1, 5, 11, 28), 0, "pads strides");
    /* asymmetric pads: top 1 only, kernel_shape given (it must match W):
     * rows -1..0 and 0..1, 1..2 against columns 0..1, 1..2 */
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), x33), ot_f(4, DIMS(1, 1, 2, 2), ones4), NULL);
    ot_attr_ints(r, "pads", 4, I64(1, 0, 0, 0));
    ot_attr_ints(r, "kernel_shape", 2, I64(2, 2));
    expect_f(run1(r, "top pad"), 4, DIMS(1, 1, 3, 2), F32(3, 5, 12, 16, 24, 28), 0, "top pad");
}
END_TEST

START_TEST(test_conv_dilation_auto_pad_1d)
{
    const float x7[7] = { 1, 2, 3, 4, 5, 6, 7 };
    /* dilation 3 spreads a 2-tap kernel over 4 positions: x[i] + x[i+3] */
    OtRun *r = conv(ot_f(3, DIMS(1, 1, 7), x7), ot_f(3, DIMS(1, 1, 2), F32(1, 1)), NULL);
    ot_attr_ints(r, "dilations", 1, I64(3));
    expect_f(run1(r, "dilation"), 3, DIMS(1, 1, 4), F32(5, 7, 9, 11), 0, "dilation");
    /* SAME keeps the length (3): one pad needed, at the end for SAME_UPPER
     * (windows [1,2] [2,3] [3,0]), at the start for SAME_LOWER
     * ([0,1] [1,2] [2,3]); VALID takes no pads (length 2) */
    const char *modes[3] = { "SAME_UPPER", "SAME_LOWER", "VALID" };
    const float want[3][3] = { { 3, 5, 3 }, { 1, 3, 5 }, { 3, 5, 0 } };
    for (int k = 0; k < 3; k++) {
        r = conv(ot_f(3, DIMS(1, 1, 3), F32(1, 2, 3)), ot_f(3, DIMS(1, 1, 2), F32(1, 1)), NULL);
        ot_attr_string(r, "auto_pad", modes[k]);
        expect_f(run1(r, modes[k]), 3, DIMS(1, 1, k == 2 ? 2 : 3), want[k], 0, modes[k]);
    }
    /* SAME with stride 2 on length 6, kernel 3: output ceil(6/2) = 3, total
     * pad (3-1)*2 + 3 - 6 = 1, at the end for SAME_UPPER: windows [1,2,3]
     * [3,4,5] [5,6,p] */
    r = conv(ot_f(3, DIMS(1, 1, 6), F32(1, 2, 3, 4, 5, 6)), ot_f(3, DIMS(1, 1, 3), F32(1, 1, 1)),
             NULL);
    ot_attr_string(r, "auto_pad", "SAME_UPPER");
    ot_attr_ints(r, "strides", 1, I64(2));
    expect_f(run1(r, "same stride 2"), 3, DIMS(1, 1, 3), F32(6, 12, 11), 0, "same stride 2");
}
END_TEST

START_TEST(test_conv_group)
{
    /* group 2, C = 2, M = 4: output channels 0,1 see input channel 0 and
     * 2,3 see input channel 1; 1x1 weights 1, 2, 3, 4 */
    OtRun *r = conv(ot_f(4, DIMS(1, 2, 1, 2), F32(1, 2, 10, 20)),
                    ot_f(4, DIMS(4, 1, 1, 1), F32(1, 2, 3, 4)), NULL);
    ot_attr_int(r, "group", 2);
    expect_f(run1(r, "group"), 4, DIMS(1, 4, 1, 2), F32(1, 2, 2, 4, 30, 60, 40, 80), 0, "group");
    /* depthwise 2x2 of ones on two channels (x33 and 10 * x33), with a bias per channel */
    float x2[18];
    for (int k = 0; k < 9; k++) {
        x2[k] = x33[k];
        x2[9 + k] = 10 * x33[k];
    }
    r = conv(ot_f(4, DIMS(1, 2, 3, 3), x2), ot_f(4, DIMS(2, 1, 2, 2), F32(1, 1, 1, 1, 1, 1, 1, 1)),
             ot_f(1, DIMS(2), F32(1, 2)));
    ot_attr_int(r, "group", 2);
    expect_f(run1(r, "depthwise"), 4, DIMS(1, 2, 2, 2),
             F32(13, 17, 25, 29, 122, 162, 242, 282), 0, "depthwise");
}
END_TEST

START_TEST(test_conv_3d_and_batch)
{
    /* 3-D: a 2x2x2 kernel of ones over a 2x2x2 input: the sum 1+...+8 = 36 */
    OtRun *r = conv(ot_f(5, DIMS(1, 1, 2, 2, 2), F32(1, 2, 3, 4, 5, 6, 7, 8)),
                    ot_f(5, DIMS(1, 1, 2, 2, 2), F32(1, 1, 1, 1, 1, 1, 1, 1)), NULL);
    expect_f(run1(r, "3-D"), 5, DIMS(1, 1, 1, 1, 1), F32(36), 0, "3-D");
    /* a batch of two images, each convolved alone */
    float x2[18];
    for (int k = 0; k < 9; k++) {
        x2[k] = x33[k];
        x2[9 + k] = -x33[k];
    }
    r = conv(ot_f(4, DIMS(2, 1, 3, 3), x2), ot_f(4, DIMS(1, 1, 2, 2), ones4), NULL);
    expect_f(run1(r, "batch"), 4, DIMS(2, 1, 2, 2), F32(12, 16, 24, 28, -12, -16, -24, -28), 0,
             "batch");
}
END_TEST

/* A small deterministic generator for test data. */
static uint32_t lcg_state;
static float lcg_float(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return (float)((lcg_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* Conv against a naive loop nest summing in the same order
 * (channel, kernel row, kernel column; bias last): the results must be
 * identical, bit for bit. Shapes cross the 8 x 8 blocking of the matrix
 * product (9 and 17 filters; 10, 16, 21 output positions per row). */
static void conv_vs_naive(int64_t c, int64_t m, int64_t h, int64_t w, int64_t k, int64_t stride,
                          int64_t pad, int64_t group)
{
    int64_t cg = c / group, mg = m / group;
    int64_t oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    Value *x = ot_f(4, DIMS(1, c, h, w), NULL), *wt = ot_f(4, DIMS(m, cg, k, k), NULL),
          *b = ot_f(1, DIMS(m), NULL);
    for (int64_t j = 0; j < x->count; j++)
        x->f[j] = lcg_float();
    for (int64_t j = 0; j < wt->count; j++)
        wt->f[j] = lcg_float();
    for (int64_t j = 0; j < b->count; j++)
        b->f[j] = lcg_float();
    float *want = malloc((size_t)(m * oh * ow) * sizeof(float));
    ck_assert_ptr_nonnull(want);
    for (int64_t o = 0; o < m; o++) {
        int64_t g = o / mg;
        for (int64_t i = 0; i < oh; i++)
            for (int64_t j = 0; j < ow; j++) {
                float s = 0;
                for (int64_t ci = 0; ci < cg; ci++)
                    for (int64_t ki = 0; ki < k; ki++)
                        for (int64_t kj = 0; kj < k; kj++) {
                            int64_t ii = i * stride - pad + ki, jj = j * stride - pad + kj;
                            float xv = ii < 0 || ii >= h || jj < 0 || jj >= w
                                           ? 0.0f
                                           : x->f[((g * cg + ci) * h + ii) * w + jj];
                            s += wt->f[((o * cg + ci) * k + ki) * k + kj] * xv;
                        }
                want[(o * oh + i) * ow + j] = s + b->f[o];
            }
    }
    OtRun *r = conv(x, wt, b);
    ot_attr_ints(r, "pads", 4, I64(pad, pad, pad, pad));
    ot_attr_ints(r, "strides", 2, I64(stride, stride));
    ot_attr_int(r, "group", group);
    char what[96];
    snprintf(what, sizeof what, "C%lld M%lld %lldx%lld k%lld s%lld p%lld g%lld", (long long)c,
             (long long)m, (long long)h, (long long)w, (long long)k, (long long)stride,
             (long long)pad, (long long)group);
    expect_f(run1(r, what), 4, DIMS(1, m, oh, ow), want, 0, what);
    free(want);
}

START_TEST(test_conv_matches_naive)
{
    lcg_state = 12345;
    conv_vs_naive(3, 9, 5, 4, 3, 1, 1, 1);    /* 9 filters: a block of 8 and one left */
    conv_vs_naive(4, 17, 7, 6, 3, 1, 0, 1);   /* P = 5 x 4 = 20 */
    conv_vs_naive(2, 16, 4, 4, 1, 1, 0, 1);   /* 1x1, P = 16: read in place */
    conv_vs_naive(6, 12, 9, 8, 3, 2, 1, 3);   /* stride 2, pads, groups */
    conv_vs_naive(8, 8, 6, 7, 2, 1, 0, 8);    /* depthwise */
    conv_vs_naive(16, 24, 8, 8, 3, 1, 1, 1);
}
END_TEST

START_TEST(test_conv_errors)
{
    OtRun *r = conv(ot_f(4, DIMS(1, 3, 3, 3), NULL), ot_f(4, DIMS(4, 1, 1, 1), NULL), NULL);
    ot_attr_int(r, "group", 2);
    expect_error(r, "does not divide");
    expect_error(conv(ot_f(4, DIMS(1, 3, 3, 3), NULL), ot_f(4, DIMS(4, 2, 1, 1), NULL), NULL),
                 "channels");
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL), NULL);
    ot_attr_ints(r, "kernel_shape", 2, I64(3, 3));
    expect_error(r, "kernel_shape");
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL), NULL);
    ot_attr_string(r, "auto_pad", "SAME");
    expect_error(r, "auto_pad 'SAME'");
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL), NULL);
    ot_attr_ints(r, "pads", 2, I64(1, 1));
    expect_error(r, "pads");
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL), NULL);
    ot_attr_ints(r, "strides", 2, I64(0, 1));
    expect_error(r, "strides");
    expect_error(conv(ot_f(4, DIMS(1, 1, 2, 2), NULL), ot_f(4, DIMS(1, 1, 3, 3), NULL), NULL),
                 "larger than the padded input");
    expect_error(conv(ot_f(4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL),
                      ot_f(1, DIMS(2), NULL)), "B has shape");
    expect_error(conv(ot_i(ET_INT8, 4, DIMS(1, 1, 3, 3), NULL), ot_f(4, DIMS(1, 1, 2, 2), NULL),
                      NULL), "must be a float tensor");
    /* X's shape unknown statically: infer leaves the output unknown */
    r = conv(ot_f(4, DIMS(1, 1, 3, 3), x33), ot_f(4, DIMS(1, 1, 2, 2), ones4), NULL);
    ot_hide_shape(r, 0, false);
    ck_assert(ot_prepare(r));
    ck_assert_int_eq(r->n->outputs[0]->shape.rank, -1);
    expect_f(run1(r, "unknown X"), 4, DIMS(1, 1, 2, 2), F32(12, 16, 24, 28), 0, "unknown X");
}
END_TEST

/* ---- BatchNormalization -------------------------------------------------- */

static OtRun *batchnorm(int64_t opset, Value *x, const float *scale, const float *bias,
                        const float *mean, const float *var, int64_t c)
{
    OtRun *r = ot_new("BatchNormalization", opset, 5, 1);
    ot_input(r, 0, x);
    ot_input(r, 1, ot_f(1, DIMS(c), scale));
    ot_input(r, 2, ot_f(1, DIMS(c), bias));
    ot_input(r, 3, ot_f(1, DIMS(c), mean));
    ot_input(r, 4, ot_f(1, DIMS(c), var));
    return r;
}

START_TEST(test_batchnorm)
{
    /* epsilon 0; channel 0: mean 1, var 4 (sd 2), scale 1, bias 0:
     *   (1-1)/2 = 0, (2-1)/2 = 0.5
     * channel 1: mean 3, var 0.25 (sd 0.5), scale 2, bias 1:
     *   (3-3)/0.5*2+1 = 1, (4-3)/0.5*2+1 = 5 */
    OtRun *r = batchnorm(15, ot_f(4, DIMS(1, 2, 1, 2), F32(1, 2, 3, 4)), F32(1, 2), F32(0, 1),
                         F32(1, 3), F32(4, 0.25f), 2);
    ot_attr_float(r, "epsilon", 0);
    expect_f(run1(r, "eps 0"), 4, DIMS(1, 2, 1, 2), F32(0, 0.5f, 1, 5), 0, "eps 0");
    /* the default epsilon is 1e-5: x 1, mean 0, var 0 -> 1 / sqrt(1e-5) */
    r = batchnorm(9, ot_f(2, DIMS(1, 1), F32(1)), F32(1), F32(0), F32(0), F32(0), 1);
    expect_f(run1(r, "default eps"), 2, DIMS(1, 1), F32(316.227766f), 1e-3f, "default eps");
}
END_TEST

START_TEST(test_batchnorm_errors)
{
    OtRun *r = batchnorm(15, ot_f(4, DIMS(1, 2, 1, 2), NULL), F32(1, 2), F32(0, 1), F32(1, 3),
                         F32(4, 1), 2);
    ot_attr_int(r, "training_mode", 1);
    expect_error(r, "training_mode");
    r = batchnorm(7, ot_f(4, DIMS(1, 2, 1, 2), NULL), F32(1, 2), F32(0, 1), F32(1, 3), F32(4, 1),
                  2);
    ot_attr_int(r, "spatial", 0);
    expect_error(r, "spatial=0");
    /* three parameters for two channels */
    expect_error(batchnorm(15, ot_f(4, DIMS(1, 2, 1, 2), NULL), F32(1, 2, 3), F32(0, 1, 2),
                           F32(1, 3, 4), F32(4, 1, 1), 3), "one per channel");
    /* running statistics outputs exist only in training */
    r = ot_new("BatchNormalization", 15, 5, 3);
    ot_input(r, 0, ot_f(2, DIMS(1, 1), NULL));
    for (int k = 1; k < 5; k++)
        ot_input(r, k, ot_f(1, DIMS(1), F32(1)));
    expect_error(r, "training statistic");
}
END_TEST

/* ---- pools --------------------------------------------------------------- */

static OtRun *pool1d(const char *op, const float *x, int64_t len, int64_t kernel, int64_t stride)
{
    OtRun *r = ot_new(op, 11, 1, 1);
    ot_input(r, 0, ot_f(3, DIMS(1, 1, len), x));
    ot_attr_ints(r, "kernel_shape", 1, I64(kernel));
    ot_attr_ints(r, "strides", 1, I64(stride));
    return r;
}

START_TEST(test_maxpool_2d)
{
    /* 2x2 windows, stride 2, over 1..16 as 4x4: maxima 6, 8, 14, 16 */
    float x[16];
    for (int k = 0; k < 16; k++)
        x[k] = (float)(k + 1);
    OtRun *r = ot_new("MaxPool", 12, 1, 1);
    ot_input(r, 0, ot_f(4, DIMS(1, 1, 4, 4), x));
    ot_attr_ints(r, "kernel_shape", 2, I64(2, 2));
    ot_attr_ints(r, "strides", 2, I64(2, 2));
    expect_f(run1(r, "2x2"), 4, DIMS(1, 1, 2, 2), F32(6, 8, 14, 16), 0, "2x2");
    /* padding never wins, even against negative values: 3x3 windows with
     * pads 1 and stride 1 over -x */
    for (int k = 0; k < 16; k++)
        x[k] = -x[k];
    r = ot_new("MaxPool", 12, 1, 1);
    ot_input(r, 0, ot_f(4, DIMS(1, 1, 4, 4), x));
    ot_attr_ints(r, "kernel_shape", 2, I64(3, 3));
    ot_attr_ints(r, "pads", 4, I64(1, 1, 1, 1));
    expect_f(run1(r, "padded"), 4, DIMS(1, 1, 4, 4),
             F32(-1, -1, -2, -3, -1, -1, -2, -3, -5, -5, -6, -7, -9, -9, -10, -11), 0, "padded");
}
END_TEST

START_TEST(test_pool_ceil_mode)
{
    const float x[5] = { 1, 5, 2, 4, 3 };
    /* length 5, windows of 2, stride 2: floor gives [1,5] [2,4]; ceil_mode
     * adds the partial window [3] */
    expect_f(run1(pool1d("MaxPool", x, 5, 2, 2), "floor"), 3, DIMS(1, 1, 2), F32(5, 4), 0, "floor");
    OtRun *r = pool1d("MaxPool", x, 5, 2, 2);
    ot_attr_int(r, "ceil_mode", 1);
    expect_f(run1(r, "ceil"), 3, DIMS(1, 1, 3), F32(5, 4, 3), 0, "ceil");
    /* AveragePool: the partial window averages what it covers, with or
     * without count_include_pad (no explicit pads to count) */
    for (int inc = 0; inc < 2; inc++) {
        r = pool1d("AveragePool", x, 5, 2, 2);
        ot_attr_int(r, "ceil_mode", 1);
        ot_attr_int(r, "count_include_pad", inc);
        expect_f(run1(r, "avg ceil"), 3, DIMS(1, 1, 3), F32(3, 3, 3), 0, "avg ceil");
    }
    /* a window may not start in the end padding: length 4, pads [0, 1],
     * windows of 2, stride 2: ceil((4+1-2)/2)+1 = 3, but the third window
     * would start at 4, past the input, so there are 2 */
    r = pool1d("MaxPool", F32(1, 2, 3, 4), 4, 2, 2);
    ot_attr_int(r, "ceil_mode", 1);
    ot_attr_ints(r, "pads", 2, I64(0, 1));
    expect_f(run1(r, "no window in pad"), 3, DIMS(1, 1, 2), F32(2, 4), 0, "no window in pad");
}
END_TEST

START_TEST(test_averagepool_count_include_pad)
{
    /* [1,2,3], windows of 2, stride 1, pads 1 each side: windows
     * [p,1] [1,2] [2,3] [3,p]. Without counting pads: 1, 1.5, 2.5, 3;
     * counting them: 0.5, 1.5, 2.5, 1.5 */
    const float x[3] = { 1, 2, 3 };
    OtRun *r = pool1d("AveragePool", x, 3, 2, 1);
    ot_attr_ints(r, "pads", 2, I64(1, 1));
    expect_f(run1(r, "exclude"), 3, DIMS(1, 1, 4), F32(1, 1.5f, 2.5f, 3), 0, "exclude");
    r = pool1d("AveragePool", x, 3, 2, 1);
    ot_attr_ints(r, "pads", 2, I64(1, 1));
    ot_attr_int(r, "count_include_pad", 1);
    expect_f(run1(r, "include"), 3, DIMS(1, 1, 4), F32(0.5f, 1.5f, 2.5f, 1.5f), 0, "include");
    /* auto_pad: SAME_UPPER pads the end ([1,2] [2,3] [3,p]), SAME_LOWER
     * the start ([p,1] [1,2] [2,3]) */
    r = pool1d("AveragePool", x, 3, 2, 1);
    ot_attr_string(r, "auto_pad", "SAME_UPPER");
    expect_f(run1(r, "same upper"), 3, DIMS(1, 1, 3), F32(1.5f, 2.5f, 3), 0, "same upper");
    r = pool1d("MaxPool", x, 3, 2, 1);
    ot_attr_string(r, "auto_pad", "SAME_LOWER");
    expect_f(run1(r, "same lower"), 3, DIMS(1, 1, 3), F32(1, 2, 3), 0, "same lower");
}
END_TEST

START_TEST(test_maxpool_dilation_indices_int)
{
    /* dilation 2: taps 2 apart, windows (0,2) (1,3) (2,4) */
    OtRun *r = pool1d("MaxPool", F32(1, 9, 2, 8, 3), 5, 2, 1);
    ot_attr_ints(r, "dilations", 1, I64(2));
    expect_f(run1(r, "dilation"), 3, DIMS(1, 1, 3), F32(2, 9, 3), 0, "dilation");
    /* Indices: flat positions in the input (row-major, including N and C):
     * channel 0 = [[1,4,3,2],[5,0,7,8]], 2x2 windows stride 2: 5 at (1,0)
     * -> 4, 8 at (1,3) -> 7; channel 1 = channel 0 + 1 adds 8 */
    const float x[16] = { 1, 4, 3, 2, 5, 0, 7, 8, 2, 5, 4, 3, 6, 1, 8, 9 };
    for (int order = 0; order < 2; order++) {
        r = ot_new("MaxPool", 12, 1, 2);
        ot_input(r, 0, ot_f(4, DIMS(1, 2, 2, 4), x));
        ot_attr_ints(r, "kernel_shape", 2, I64(2, 2));
        ot_attr_ints(r, "strides", 2, I64(2, 2));
        ot_attr_int(r, "storage_order", order);
        Value *y[2];
        ck_assert_msg(ot_run(r, y), "%s", r->d.msg);
        expect_f(y[0], 4, DIMS(1, 2, 1, 2), F32(5, 8, 6, 9), 0, "max");
        /* column-major (storage_order 1): (h, w) -> w * H + h, so (1,0) -> 1
         * and (1,3) -> 7 */
        if (order == 0)
            expect_i(y[1], ET_INT64, 4, DIMS(1, 2, 1, 2), I64(4, 7, 12, 15), "indices");
        else
            expect_i(y[1], ET_INT64, 4, DIMS(1, 2, 1, 2), I64(1, 7, 9, 15), "indices col-major");
        ot_free(r);
    }
    /* uint8 tensors pool as integers */
    r = ot_new("MaxPool", 12, 1, 1);
    ot_input(r, 0, ot_i(ET_UINT8, 3, DIMS(1, 1, 4), I64(0, 255, 7, 3)));
    ot_attr_ints(r, "kernel_shape", 1, I64(2));
    ot_attr_ints(r, "strides", 1, I64(2));
    expect_i(run1(r, "uint8"), ET_UINT8, 3, DIMS(1, 1, 2), I64(255, 7), "uint8");
}
END_TEST

START_TEST(test_global_pools)
{
    /* two channels of 2x2: means 2.5 and 25, maxima 4 and 40 */
    const float x[8] = { 1, 2, 3, 4, 10, 20, 30, 40 };
    expect_f(run1(unary("GlobalAveragePool", ot_f(4, DIMS(1, 2, 2, 2), x)), "avg"), 4,
             DIMS(1, 2, 1, 1), F32(2.5f, 25), 0, "avg");
    expect_f(run1(unary("GlobalMaxPool", ot_f(4, DIMS(1, 2, 2, 2), x)), "max"), 4,
             DIMS(1, 2, 1, 1), F32(4, 40), 0, "max");
    expect_f(run1(unary("GlobalMaxPool", ot_f(3, DIMS(1, 2, 4), x)), "max 1-D"), 3,
             DIMS(1, 2, 1), F32(4, 40), 0, "max 1-D");
}
END_TEST

START_TEST(test_pool_errors)
{
    OtRun *r = ot_new("MaxPool", 12, 1, 1);
    ot_input(r, 0, ot_f(4, DIMS(1, 1, 4, 4), NULL));
    expect_error(r, "kernel_shape' is required");
    r = pool1d("MaxPool", F32(1, 2, 3), 3, 2, 1);
    ot_attr_int(r, "ceil_mode", 2);
    expect_error(r, "ceil_mode");
    r = pool1d("AveragePool", F32(1, 2, 3), 3, 2, 1);
    ot_attr_ints(r, "pads", 2, I64(1, 1));
    ot_attr_string(r, "auto_pad", "SAME_UPPER");
    expect_error(r, "cannot be combined");
    /* kernel_shape of 2 entries on a 1-D input */
    r = ot_new("MaxPool", 12, 1, 1);
    ot_input(r, 0, ot_f(3, DIMS(1, 1, 4), NULL));
    ot_attr_ints(r, "kernel_shape", 2, I64(2, 2));
    expect_error(r, "rank 4 is expected");
    expect_error(pool1d("MaxPool", F32(1, 2), 2, 3, 1), "larger than the padded input");
    r = ot_new("AveragePool", 12, 1, 1);
    ot_input(r, 0, ot_i(ET_INT32, 3, DIMS(1, 1, 4), NULL));
    ot_attr_ints(r, "kernel_shape", 1, I64(2));
    expect_error(r, "must be a float tensor");
}
END_TEST

/* ---- Softmax, LogSoftmax, ArgMax, ArgMin --------------------------------- */

/* x [2,2,2]: block 0 all zeros, block 1 = log 1, log 2, log 3, log 4 */
static Value *softmax_input(void)
{
    return ot_f(3, DIMS(2, 2, 2), F32(0, 0, 0, 0, 0, logf(2), logf(3), logf(4)));
}

START_TEST(test_softmax_axis_by_opset)
{
    /* opset 11, axis 1: coerced to [2, 4], each row normalised as a whole:
     * 1/4 each; k / (1+2+3+4) */
    OtRun *r = ot_new("Softmax", 11, 1, 1);
    ot_input(r, 0, softmax_input());
    ot_attr_int(r, "axis", 1);
    expect_f(run1(r, "opset 11"), 3, DIMS(2, 2, 2),
             F32(0.25f, 0.25f, 0.25f, 0.25f, 0.1f, 0.2f, 0.3f, 0.4f), 1e-6f, "opset 11");
    /* opset 11 default axis is 1 too */
    r = ot_new("Softmax", 11, 1, 1);
    ot_input(r, 0, softmax_input());
    expect_f(run1(r, "opset 11 default"), 3, DIMS(2, 2, 2),
             F32(0.25f, 0.25f, 0.25f, 0.25f, 0.1f, 0.2f, 0.3f, 0.4f), 1e-6f, "opset 11 default");
    /* opset 13, axis 1: only along dim 1, pairs x[n][0][k], x[n][1][k]:
     * zeros -> 1/2; (1, 3) -> 1/4, 3/4; (2, 4) -> 1/3, 2/3 */
    r = ot_new("Softmax", 13, 1, 1);
    ot_input(r, 0, softmax_input());
    ot_attr_int(r, "axis", 1);
    expect_f(run1(r, "opset 13"), 3, DIMS(2, 2, 2),
             F32(0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 1.0f / 3, 0.75f, 2.0f / 3), 1e-6f, "opset 13");
    /* opset 13 default axis -1: pairs along the last dim: (1,2) (3,4) */
    r = ot_new("Softmax", 13, 1, 1);
    ot_input(r, 0, softmax_input());
    expect_f(run1(r, "opset 13 default"), 3, DIMS(2, 2, 2),
             F32(0.5f, 0.5f, 0.5f, 0.5f, 1.0f / 3, 2.0f / 3, 3.0f / 7, 4.0f / 7), 1e-6f,
             "opset 13 default");
}
END_TEST

START_TEST(test_softmax_stable_and_log)
{
    /* large inputs do not overflow: the maximum is subtracted first */
    expect_f(run1(unary("Softmax", ot_f(2, DIMS(1, 3), F32(1000, 1000, -INFINITY))), "large"), 2,
             DIMS(1, 3), F32(0.5f, 0.5f, 0), 0, "large");
    /* LogSoftmax: log(k / 10) for x = log k */
    expect_f(run1(unary("LogSoftmax", ot_f(1, DIMS(4), F32(0, logf(2), logf(3), logf(4)))), "log"),
             1, DIMS(4), F32(logf(0.1f), logf(0.2f), logf(0.3f), logf(0.4f)), 1e-6f, "log");
    OtRun *r = unary("Softmax", ot_f(2, DIMS(2, 2), NULL));
    ot_attr_int(r, "axis", 2);
    expect_error(r, "out of range");
}
END_TEST

START_TEST(test_argmax_argmin)
{
    /* [[1,5,5],[7,2,7]]: along axis 1 the first maxima are at 1 and 0, the
     * last at 2 and 2; along axis 0 (the default) at 1, 0, 1 */
    const float x[6] = { 1, 5, 5, 7, 2, 7 };
    OtRun *r = unary("ArgMax", ot_f(2, DIMS(2, 3), x));
    ot_attr_int(r, "axis", 1);
    expect_i(run1(r, "axis 1"), ET_INT64, 2, DIMS(2, 1), I64(1, 0), "axis 1");
    r = unary("ArgMax", ot_f(2, DIMS(2, 3), x));
    ot_attr_int(r, "axis", 1);
    ot_attr_int(r, "select_last_index", 1);
    expect_i(run1(r, "last"), ET_INT64, 2, DIMS(2, 1), I64(2, 2), "last");
    r = unary("ArgMax", ot_f(2, DIMS(2, 3), x));
    ot_attr_int(r, "keepdims", 0);
    expect_i(run1(r, "axis 0"), ET_INT64, 1, DIMS(3), I64(1, 0, 1), "axis 0");
    /* ArgMin along the last axis: 1 at 0, 2 at 1 */
    r = unary("ArgMin", ot_f(2, DIMS(2, 3), x));
    ot_attr_int(r, "axis", -1);
    expect_i(run1(r, "argmin"), ET_INT64, 2, DIMS(2, 1), I64(0, 1), "argmin");
    /* integers, down to a scalar: the minimum -1 first at 1, last at 2 */
    for (int last = 0; last < 2; last++) {
        r = unary("ArgMin", ot_i(ET_INT32, 1, DIMS(3), I64(3, -1, -1)));
        ot_attr_int(r, "keepdims", 0);
        ot_attr_int(r, "select_last_index", last);
        expect_i(run1(r, "int"), ET_INT64, 0, NULL, last ? I64(2) : I64(1), "int");
    }
    r = unary("ArgMax", ot_f(2, DIMS(2, 3), x));
    ot_attr_int(r, "axis", 2);
    expect_error(r, "out of range");
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *ops_math_suite(void)
{
    Suite *s = suite_create("ops_math");
    TCase *tc = tcase_create("elementwise");
    tcase_add_test(tc, test_add_broadcast);
    tcase_add_test(tc, test_sub_mul_div_float);
    tcase_add_test(tc, test_integer_arithmetic);
    tcase_add_test(tc, test_pow);
    tcase_add_test(tc, test_binary_errors);
    tcase_add_test(tc, test_unary_float);
    tcase_add_test(tc, test_round_half_even);
    tcase_add_test(tc, test_unary_int);
    tcase_add_test(tc, test_clip);
    suite_add_tcase(s, tc);
    tc = tcase_create("matmul_gemm");
    tcase_add_test(tc, test_matmul_2d);
    tcase_add_test(tc, test_matmul_vectors);
    tcase_add_test(tc, test_matmul_batch_broadcast);
    tcase_add_test(tc, test_gemm);
    tcase_add_test(tc, test_golden_sum_order);
    tcase_add_test(tc, test_gemm_transpose);
    suite_add_tcase(s, tc);
    tc = tcase_create("conv");
    tcase_add_test(tc, test_conv_basic);
    tcase_add_test(tc, test_conv_pads_strides);
    tcase_add_test(tc, test_conv_dilation_auto_pad_1d);
    tcase_add_test(tc, test_conv_group);
    tcase_add_test(tc, test_conv_3d_and_batch);
    tcase_add_test(tc, test_conv_matches_naive);
    tcase_add_test(tc, test_conv_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("batchnorm");
    tcase_add_test(tc, test_batchnorm);
    tcase_add_test(tc, test_batchnorm_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("pool");
    tcase_add_test(tc, test_maxpool_2d);
    tcase_add_test(tc, test_pool_ceil_mode);
    tcase_add_test(tc, test_averagepool_count_include_pad);
    tcase_add_test(tc, test_maxpool_dilation_indices_int);
    tcase_add_test(tc, test_global_pools);
    tcase_add_test(tc, test_pool_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("softmax_argmax");
    tcase_add_test(tc, test_softmax_axis_by_opset);
    tcase_add_test(tc, test_softmax_stable_and_log);
    tcase_add_test(tc, test_argmax_argmin);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ops_math_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
