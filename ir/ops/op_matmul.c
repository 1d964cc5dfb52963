/* MatMul with numpy semantics: the last two dims are the matrices, the
 * leading dims broadcast as batch dims; a 1-D first operand is a row
 * vector [1, K] and a 1-D second operand a column vector [K, 1], the added
 * dim being removed from the result.
 *
 * Each output element is a float32 (or, for integral tensors, wrapping
 * int64) sum over k in natural order, starting from zero. The loops run
 * i-k-j so the innermost one walks rows of B and of the output. The
 * executor may ask for another float summation (op_golden_sum). */
#include <string.h>

#include "op_math.h"

/* The geometry of one MatMul: M x K times K x N, over `batch` broadcast
 * batch dims. */
typedef struct MatMulDims {
    int64_t m, k, n;
    Shape batch;          /* output batch dims */
    Shape a_batch, b_batch;
    Shape out;
} MatMulDims;

/* Output shape from the operand shapes (dims may be unknown, -1); false
 * with an error if the inner dims differ or the batch dims do not
 * broadcast. */
static bool matmul_dims(const OpCtx *ctx, const Node *n, const Shape *a, const Shape *b,
                        MatMulDims *md)
{
    if (a->rank < 1 || b->rank < 1)
        return op_error(ctx, n, "MatMul operands must have rank >= 1, not %d and %d", a->rank,
                        b->rank);
    md->m = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    md->k = a->dims[a->rank - 1];
    int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    md->n = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (md->k >= 0 && kb >= 0 && md->k != kb) {
        char sa[96], sb[96];
        return op_error(ctx, n, "cannot multiply %s by %s: inner dims %lld and %lld differ",
                        shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb),
                        (long long)md->k, (long long)kb);
    }
    if (md->k < 0)
        md->k = kb;
    md->a_batch.rank = a->rank > 2 ? a->rank - 2 : 0;
    md->b_batch.rank = b->rank > 2 ? b->rank - 2 : 0;
    memcpy(md->a_batch.dims, a->dims, sizeof(int64_t) * (size_t)md->a_batch.rank);
    memcpy(md->b_batch.dims, b->dims, sizeof(int64_t) * (size_t)md->b_batch.rank);
    if (!broadcast_shapes(ctx, n, &md->a_batch, &md->b_batch, &md->batch))
        return false;
    md->out = md->batch;
    if (a->rank > 1)
        md->out.dims[md->out.rank++] = md->m;
    if (b->rank > 1)
        md->out.dims[md->out.rank++] = md->n;
    return true;
}

/* Both operands must be of one type, as ONNX requires. */
static bool matmul_type(const OpCtx *ctx, const Node *n, int ta, int tb, int *out)
{
    *out = ta != ET_UNDEFINED ? ta : tb;
    if (ta != ET_UNDEFINED && tb != ET_UNDEFINED && ta != tb)
        return op_error(ctx, n, "inputs are %s and %s; they must be of one type",
                        elem_type_name(ta), elem_type_name(tb));
    return true;
}

static bool matmul_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *a = n->inputs[0], *b = n->inputs[1];
    int et;
    if (!matmul_type(ctx, n, a->elem_type, b->elem_type, &et))
        return false;
    Shape out = { -1, { 0 } };
    MatMulDims md;
    if (a->shape.rank >= 0 && b->shape.rank >= 0) {
        if (!matmul_dims(ctx, n, &a->shape, &b->shape, &md))
            return false;
        out = md.out;
    }
    op_set_output(n, 0, et, &out);
    return true;
}

/* c[M x N] = a[M x K] b[K x N], row-major, float32. */
static void matmul_float(const float *a, const float *b, float *c, int64_t m, int64_t k,
                         int64_t n)
{
    for (int64_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        for (int64_t j = 0; j < n; j++)
            ci[j] = 0.0f;
        for (int64_t p = 0; p < k; p++) {
            float aip = a[i * k + p];
            const float *bp = b + p * n;
            for (int64_t j = 0; j < n; j++)
                ci[j] += aip * bp[j];
        }
    }
}

/* The same with each sum taken as `sum` says (op_math.h math_dot_as). */
static void matmul_float_as(GoldenSum sum, const float *a, const float *b, float *c, int64_t m,
                            int64_t k, int64_t n)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            c[i * n + j] = math_dot_as(sum, a + i * k, 1, b + j, n, k);
}

/* The same in wrapping int64 arithmetic. */
static void matmul_int(const int64_t *a, const int64_t *b, int64_t *c, int64_t m, int64_t k,
                       int64_t n)
{
    for (int64_t i = 0; i < m; i++) {
        int64_t *ci = c + i * n;
        for (int64_t j = 0; j < n; j++)
            ci[j] = 0;
        for (int64_t p = 0; p < k; p++) {
            uint64_t aip = (uint64_t)a[i * k + p];
            const int64_t *bp = b + p * n;
            for (int64_t j = 0; j < n; j++)
                ci[j] = (int64_t)((uint64_t)ci[j] + aip * (uint64_t)bp[j]);
        }
    }
}

static bool matmul_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!math_need_input(ctx, n, in, 0) || !math_need_input(ctx, n, in, 1))
        return false;
    const Value *a = in[0], *b = in[1];
    int et;
    MatMulDims md;
    if (!matmul_type(ctx, n, a->elem_type, b->elem_type, &et) ||
        !matmul_dims(ctx, n, &a->shape, &b->shape, &md))
        return false;
    Value *y = op_new_value(ctx, n, et, &md.out);
    if (!y)
        return false;
    /* Walk the batch dims with each operand's matrix offset following
     * along (stride 0 on broadcast dims). */
    int64_t sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK] = { 0 };
    int64_t mat_a = md.m * md.k, mat_b = md.k * md.n, mat_c = md.m * md.n;
    broadcast_strides(&md.a_batch, &md.batch, sa);
    broadcast_strides(&md.b_batch, &md.batch, sb);
    int64_t batches = shape_count(&md.batch), oa = 0, ob = 0;
    GoldenSum sum = op_golden_sum(ctx);
    for (int64_t t = 0; mat_c > 0 && t < batches; t++) {
        if (y->f && sum != GOLDEN_SUM_FLOAT32)
            matmul_float_as(sum, a->f + oa * mat_a, b->f + ob * mat_b, y->f + t * mat_c, md.m,
                            md.k, md.n);
        else if (y->f)
            matmul_float(a->f + oa * mat_a, b->f + ob * mat_b, y->f + t * mat_c, md.m, md.k, md.n);
        else
            matmul_int(a->i + oa * mat_a, b->i + ob * mat_b, y->i + t * mat_c, md.m, md.k, md.n);
        for (int d = md.batch.rank - 1; d >= 0; d--) {
            oa += sa[d];
            ob += sb[d];
            if (++idx[d] < md.batch.dims[d])
                break;
            oa -= sa[d] * md.batch.dims[d];
            ob -= sb[d] * md.batch.dims[d];
            idx[d] = 0;
        }
    }
    if (!y->f && et != ET_INT64 && et != ET_UINT64)
        for (int64_t j = 0; j < y->count; j++)
            y->i[j] = math_wrap_int(et, y->i[j]);
    out[0] = y;
    return true;
}

const OpDef op_matmul = { OP_MATMUL, "MatMul", DOMAIN_ONNX, 2, 2, 1, 1, NULL, matmul_infer, matmul_eval };
